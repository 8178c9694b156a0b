//! 投诉统计 — the statistics report: the page with its chart and breakdown, and the
//! CSV/XLSX exports (the question read from the query string is shared with the API, in
//! `crate::complaint_shared`).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};

use super::super::credit::yuan;
use super::super::tickets::Choice;
use super::{business_time, report_query};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::Layout;

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

/// The report as rows for CSV/XLSX: the breakdown, then the stage durations.
pub fn report_rows(t: Tr, r: &kefu_app::complaint::Report) -> Vec<Vec<String>> {
    let mut rows = vec![vec![
        t.tk("report.by", r.query.by.key()),
        t.t("report.count").to_owned(),
        t.t("report.valid").to_owned(),
        t.t("report.invalid").to_owned(),
        t.t("report.closed").to_owned(),
        t.t("report.cost_yuan").to_owned(),
        t.t("report.avg_close_hours").to_owned(),
    ]];
    let line = |label: String, x: &kefu_app::complaint::ReportRow| {
        vec![
            label,
            x.count.to_string(),
            x.valid.to_string(),
            x.invalid.to_string(),
            x.closed.to_string(),
            yuan(x.cost_fen),
            x.avg_close_hours
                .map(|h| format!("{h:.1}"))
                .unwrap_or_default(),
        ]
    };
    for x in &r.rows {
        rows.push(line(value_label(t, r.query.by, &x.key), x));
    }
    rows.push(line(t.t("report.total").to_owned(), &r.totals));
    rows.push(Vec::new());
    rows.push(vec![
        t.t("report.stage").to_owned(),
        t.t("report.times").to_owned(),
        t.t("report.avg_minutes").to_owned(),
    ]);
    for s in &r.stages {
        rows.push(vec![
            t.tk("complaint_stage", &s.stage),
            s.times.to_string(),
            s.avg_minutes.to_string(),
        ]);
    }
    rows
}

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
    pub cost: String,
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
    chart_max: i64,
    rows: Vec<BreakdownRow>,
    by_label: String,
    stages: Vec<(String, i64, String)>,
    query: String,
}

const CHART_W: i64 = 720;
const CHART_H: i64 = 160;

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
        cost: yuan(x.cost_fen),
        avg_close: x
            .avg_close_hours
            .map(|h| format!("{h:.1}"))
            .unwrap_or_default(),
        pct: if max > 0 { x.count * 100 / max } else { 0 },
    };
    let max_row = r.rows.iter().map(|x| x.count).max().unwrap_or(0);
    let chart_max = r.series.iter().map(|p| p.count).max().unwrap_or(0).max(1);
    let n = r.series.len().max(1) as i64;
    let step = (CHART_W / n).max(1);
    let every = (n / 12).max(1);
    let bars = r
        .series
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let h = p.count * CHART_H / chart_max;
            Bar {
                x: i as i64 * step,
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
        chart_max,
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

/// `GET /complaints/report.csv` and `.xlsx`: the report's tables.
pub async fn report_csv(
    State(state): State<AppState>,
    identity: Identity,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    report_file(state, identity, pairs, "csv").await
}

pub async fn report_xlsx(
    State(state): State<AppState>,
    identity: Identity,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    report_file(state, identity, pairs, "xlsx").await
}

async fn report_file(
    state: AppState,
    identity: Identity,
    pairs: Vec<(String, String)>,
    format: &str,
) -> Result<Response, WebError> {
    use kefu_app::customer_import::{to_csv, to_xlsx};
    let q = report_query(&state, &pairs)?;
    let r = state.app.complaint_report(&identity.actor(), &q).await?;
    let rows = report_rows(identity.tr(), &r);
    let (content_type, body) = match format {
        "csv" => ("text/csv; charset=utf-8", to_csv(&rows)),
        _ => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            to_xlsx(&rows)?,
        ),
    };
    let name = format!("complaints-{}-{}.{format}", q.from, q.to);
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, content_type.to_owned()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response())
}
