//! 投诉统计 — the statistics report: the page with its chart and breakdown, and the
//! CSV/XLSX exports of the same figures (the question read from the query string is shared
//! with the API, in `crate::complaint_shared`; the files are written by `kefu_app::export`).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use kefu_app::export::{Cell, Export, Row, Sheet};

use super::super::tickets::Choice;
use super::{business_time, report_query};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::export::{FileFormat, conditions_sheet, download};
use crate::i18n::Tr;
use crate::view::{Layout, yuan};

/// A dimension's value in the reader's language.
pub fn value_label(t: Tr, by: kefu_domain::complaint_report::Dimension, key: &str) -> String {
    use kefu_domain::complaint_report::Dimension as D;
    if key.is_empty() {
        return t.t("report.not_recorded").to_owned();
    }
    match by {
        D::Category => t.tk("complaint_category", key),
        D::Cause => t.tk("complaint_cause", key),
        D::Department => t.tk("department", key),
        D::Channel => t.tk("channel", key),
        D::Validity => t.tk("validity", key),
        D::Severity => t.tk("complaint_severity", key),
        D::Product | D::PartNumber | D::Customer => key.to_owned(),
    }
}

/// The report as a spreadsheet: on the sheet 投诉统计 the breakdown with its total, the
/// stage durations and the trend, one table under the other (counts as numbers, cost in
/// yuan — carried out, then committed —, periods as dates); in the XLSX the question
/// (dates, dimension, period) on 条件.
pub fn report_export(t: Tr, r: &kefu_app::complaint::Report, now: jiff::Timestamp) -> Export {
    let mut data = Sheet::new(t.t("export.sheet_complaints"));
    data.push(Row::heading([
        t.tk("report.by", r.query.by.key()),
        t.t("report.count").to_owned(),
        t.t("report.valid").to_owned(),
        t.t("report.invalid").to_owned(),
        t.t("report.closed").to_owned(),
        t.t("report.cost_carried_out_yuan").to_owned(),
        t.t("report.cost_committed_yuan").to_owned(),
        t.t("report.avg_close_hours").to_owned(),
    ]));
    let line = |label: String, x: &kefu_app::complaint::ReportRow| {
        Row::new(vec![
            Cell::Text(label),
            Cell::Int(x.count),
            Cell::Int(x.valid),
            Cell::Int(x.invalid),
            Cell::Int(x.closed),
            Cell::Money(x.cost.carried_out_fen),
            Cell::Money(x.cost.committed_fen),
            x.avg_close_hours.map_or(Cell::Empty, |h| Cell::Decimal {
                value: h,
                places: 1,
            }),
        ])
    };
    for x in &r.rows {
        data.push(line(value_label(t, r.query.by, &x.key), x));
    }
    data.push(line(t.t("report.total").to_owned(), &r.totals));
    data.push(Row::blank());
    data.push(Row::heading([
        t.t("report.stage"),
        t.t("report.times"),
        t.t("report.avg_minutes"),
    ]));
    for s in &r.stages {
        data.push(Row::new(vec![
            Cell::Text(t.tk("complaint_stage", &s.stage)),
            Cell::Int(s.times),
            Cell::Int(s.avg_minutes),
        ]));
    }
    data.push(Row::blank());
    data.push(Row::heading([
        t.t("report.period_start"),
        t.t("report.count"),
        t.t("report.invalid"),
    ]));
    for p in &r.series {
        data.push(Row::new(vec![
            Cell::Date(p.period_start),
            Cell::Int(p.count),
            Cell::Int(p.invalid),
        ]));
    }
    let conditions = vec![
        (t.t("report.from").to_owned(), Cell::Date(r.query.from)),
        (t.t("report.to").to_owned(), Cell::Date(r.query.to)),
        (
            t.t("report.by_label").to_owned(),
            Cell::Text(t.tk("report.by", r.query.by.key())),
        ),
        (
            t.t("report.period_label").to_owned(),
            Cell::Text(t.tk("report.period", r.query.period.key())),
        ),
    ];
    Export::new(data, Some(conditions_sheet(t, conditions, now)))
}

/// One bar of the trend chart, in the chart's SVG units.
pub struct Bar {
    pub x: i64,
    pub y: i64,
    pub h: i64,
    pub w: i64,
    pub label: String,
    pub count: i64,
    pub show_label: bool,
}

pub struct BreakdownRow {
    pub label: String,
    pub count: i64,
    pub valid: i64,
    pub invalid: i64,
    pub closed: i64,
    /// 已发生, in yuan for people.
    pub carried_out: String,
    /// 已批准未执行, in yuan for people.
    pub committed: String,
    pub avg_close: String,
    /// Share of the largest group, for the bar behind the count (0–100).
    pub pct: i64,
}

#[derive(Template)]
#[template(path = "complaint_report.html")]
struct ReportPage {
    t: Tr,
    layout: Layout,
    from: String,
    to: String,
    by: Vec<Choice>,
    periods: Vec<Choice>,
    totals: BreakdownRow,
    penalties: String,
    bars: Vec<Bar>,
    ticks: Vec<Tick>,
    /// Where the bars start, right of the axis values.
    axis_w: i64,
    rows: Vec<BreakdownRow>,
    by_label: String,
    stages: Vec<(String, i64, String)>,
    query: String,
}

/// A value on the chart's vertical axis, with its grid line.
pub struct Tick {
    /// Where it is, in SVG units from the top.
    pub y: i64,
    pub value: i64,
}

const CHART_W: i64 = 720;
const CHART_H: i64 = 160;
/// Room left of the bars for the axis values.
const AXIS_W: i64 = 36;

/// The vertical axis for a largest count of `max`: a round top at or above it and the
/// values to label, 0 to the top in steps of 1, 2 or 5 × 10ⁿ complaints (at most four
/// steps).
pub fn axis(max: i64) -> (i64, Vec<i64>) {
    let max = max.max(1);
    let mut unit: i64 = 1;
    loop {
        for m in [1, 2, 5] {
            let step = unit.saturating_mul(m);
            if step.saturating_mul(4) >= max {
                let top = (max.saturating_add(step - 1) / step).saturating_mul(step);
                return (top, (0..=top / step).map(|i| i * step).collect());
            }
        }
        unit = unit.saturating_mul(10);
    }
}

pub async fn report(
    State(state): State<AppState>,
    identity: Identity,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    use kefu_domain::complaint_report::{Dimension, Period};
    let t = identity.tr();
    let q = report_query(&state, &pairs)?;
    let r = state.app.complaint_report(&identity.actor(), &q).await?;
    let breakdown = |label: String, x: &kefu_app::complaint::ReportRow, max: i64| BreakdownRow {
        label,
        count: x.count,
        valid: x.valid,
        invalid: x.invalid,
        closed: x.closed,
        carried_out: yuan(x.cost.carried_out_fen),
        committed: yuan(x.cost.committed_fen),
        avg_close: x
            .avg_close_hours
            .map(|h| format!("{h:.1}"))
            .unwrap_or_default(),
        pct: if max > 0 { x.count * 100 / max } else { 0 },
    };
    let max_row = r.rows.iter().map(|x| x.count).max().unwrap_or(0);
    let (top, values) = axis(r.series.iter().map(|p| p.count).max().unwrap_or(0));
    let ticks = values
        .into_iter()
        .map(|value| Tick {
            y: CHART_H - value * CHART_H / top,
            value,
        })
        .collect();
    let n = r.series.len().max(1) as i64;
    let step = ((CHART_W - AXIS_W) / n).max(1);
    let every = (n / 12).max(1);
    let bars = r
        .series
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let h = p.count * CHART_H / top;
            Bar {
                x: AXIS_W + i as i64 * step,
                y: CHART_H - h,
                h,
                w: (step - 2).max(1),
                label: match q.period {
                    Period::Month => p.period_start.strftime("%Y-%m").to_string(),
                    _ => p.period_start.strftime("%m-%d").to_string(),
                },
                count: p.count,
                show_label: i as i64 % every == 0,
            }
        })
        .collect();
    let query = pairs
        .iter()
        .filter(|(k, _)| ["from", "to", "by", "period"].contains(&k.as_str()))
        .map(|(k, v)| format!("{k}={}", crate::auth::urlencode(v)))
        .collect::<Vec<_>>()
        .join("&");
    super::super::ok(&ReportPage {
        from: q.from.to_string(),
        to: q.to.to_string(),
        by: Dimension::ALL
            .iter()
            .map(|d| Choice {
                value: d.key().to_owned(),
                label: t.tk("report.by", d.key()),
                selected: *d == q.by,
            })
            .collect(),
        periods: Period::ALL
            .iter()
            .map(|p| Choice {
                value: p.key().to_owned(),
                label: t.tk("report.period", p.key()),
                selected: *p == q.period,
            })
            .collect(),
        totals: breakdown(t.t("report.total").to_owned(), &r.totals, 0),
        penalties: yuan(r.penalties_fen),
        bars,
        ticks,
        axis_w: AXIS_W,
        rows: r
            .rows
            .iter()
            .map(|x| breakdown(value_label(t, q.by, &x.key), x, max_row))
            .collect(),
        by_label: t.tk("report.by", q.by.key()),
        stages: r
            .stages
            .iter()
            .map(|s| {
                (
                    t.tk("complaint_stage", &s.stage),
                    s.times,
                    business_time(t, s.avg_minutes),
                )
            })
            .collect(),
        query,
        t,
        layout: Layout::new(&identity, "/complaints"),
    })
}

/// `GET /complaints/report.csv`: the report's tables; UTF-8 with a byte-order mark, or GBK
/// with `encoding=gbk`.
pub async fn report_csv(
    State(state): State<AppState>,
    identity: Identity,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let format = FileFormat::csv(&pairs)?;
    report_file(state, identity, pairs, format).await
}

/// `GET /complaints/report.xlsx`: the report's tables, and the question on a second sheet.
pub async fn report_xlsx(
    State(state): State<AppState>,
    identity: Identity,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    report_file(state, identity, pairs, FileFormat::Xlsx).await
}

async fn report_file(
    state: AppState,
    identity: Identity,
    pairs: Vec<(String, String)>,
    format: FileFormat,
) -> Result<Response, WebError> {
    let q = report_query(&state, &pairs)?;
    let r = state.app.complaint_report(&identity.actor(), &q).await?;
    let export = report_export(identity.tr(), &r, state.app.now());
    download(&export, format, &format!("complaints-{}-{}", q.from, q.to))
}

#[cfg(test)]
mod tests {
    use super::axis;

    #[test]
    fn the_axis_has_a_round_top_and_whole_values() {
        assert_eq!(axis(0), (1, vec![0, 1]));
        assert_eq!(axis(1), (1, vec![0, 1]));
        assert_eq!(axis(3), (3, vec![0, 1, 2, 3]));
        assert_eq!(axis(6), (6, vec![0, 2, 4, 6]));
        assert_eq!(axis(7), (8, vec![0, 2, 4, 6, 8]));
        assert_eq!(axis(100), (100, vec![0, 50, 100]));
        assert_eq!(axis(101), (150, vec![0, 50, 100, 150]));
        assert!(axis(i64::MAX / 2).1.len() <= 5);
    }
}
