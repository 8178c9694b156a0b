//! 质量异常分析日报表 — the daily reports by date (with the form to make a missed one, or
//! one again with its reason), one report as issued (printable on A4), its XLSX, and the
//! managers' mail sent again.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::Date;
use kefu_app::quality::{QualityReport, ReportSummary, change, percent, shown, tenths};
use kefu_domain::quality::report::{Tally, figures};

use super::tickets::{field, non_empty};
use super::{input_refusal, render};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::export::XLSX_CONTENT_TYPE;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

/// A report's line in the list.
struct SummaryLine {
    date: String,
    covers: String,
    revision: i64,
    made: String,
    inspections: i64,
    average: String,
    pass_rate: String,
    new: i64,
    late: i64,
    open: i64,
    overdue: i64,
}

fn covers(date: Date, to: Date) -> String {
    match to.yesterday() {
        Ok(last) if last != date => format!("{date} – {last}"),
        _ => date.to_string(),
    }
}

fn made_by(t: Tr, name: &Option<String>) -> String {
    name.clone()
        .unwrap_or_else(|| t.t("quality.report.by_job").to_owned())
}

fn summary_line(t: Tr, s: ReportSummary) -> SummaryLine {
    SummaryLine {
        date: s.date.to_string(),
        covers: covers(s.date, s.covers_to),
        revision: s.revision,
        made: format!(
            "{} · {}",
            local_time(s.made_at),
            made_by(t, &s.made_by_name)
        ),
        inspections: s.today.inspections,
        average: s.today.average_tenths.map_or("—".to_owned(), tenths),
        pass_rate: s.today.pass_permille.map_or("—".to_owned(), percent),
        new: s.today.anomalies,
        late: s.late,
        open: s.open,
        overdue: s.overdue,
    }
}

#[derive(Template)]
#[template(path = "quality_reports.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    lines: Vec<SummaryLine>,
    report_time: String,
    date: String,
    reason: String,
    error: Option<String>,
}

async fn list_page(
    state: &AppState,
    identity: &Identity,
    date: String,
    reason: String,
    error: Option<String>,
) -> Result<ListPage, WebError> {
    let t = identity.tr();
    let lines = state
        .app
        .quality_reports(&identity.actor())
        .await?
        .into_iter()
        .map(|s| summary_line(t, s))
        .collect();
    Ok(ListPage {
        t,
        layout: Layout::new(identity, "/quality/reports"),
        lines,
        report_time: state.app.quality_report_time(),
        date,
        reason,
        error,
    })
}

/// `/quality/reports`
pub async fn list(State(state): State<AppState>, identity: Identity) -> Result<Response, WebError> {
    render(
        StatusCode::OK,
        &list_page(&state, &identity, String::new(), String::new(), None).await?,
    )
}

/// `POST /quality/reports`: `date` and, for a report made again, its `reason`.
pub async fn make(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let date_text = field(&pairs, "date").trim().to_owned();
    let reason = field(&pairs, "reason").to_owned();
    let outcome = async {
        let date = kefu_domain::dates::parse("date", &date_text)?;
        Ok::<_, WebError>(
            state
                .app
                .make_quality_report(&identity.actor(), date, &reason)
                .await?,
        )
    }
    .await;
    match outcome {
        Ok(r) => Ok(Redirect::to(&format!(
            "/quality/reports/{}?revision={}&done=made",
            r.date, r.revision
        ))
        .into_response()),
        Err(e @ WebError::App(kefu_app::AppError::Forbidden)) => Err(e),
        Err(e) => {
            let (status, message) = input_refusal(e, identity.tr());
            render(
                status,
                &list_page(&state, &identity, date_text, reason, Some(message)).await?,
            )
        }
    }
}

/// A line of the headline table.
struct FigureLine {
    label: String,
    now: String,
    previous: String,
    mean: String,
    vs_previous: String,
    vs_mean: String,
}

/// One line of a breakdown, with the bar behind its new count (0–100).
struct TallyLine {
    label: String,
    new: i64,
    open: i64,
    closed: i64,
    pct: i64,
}

struct Breakdown {
    title: String,
    testid: &'static str,
    lines: Vec<TallyLine>,
}

struct AnomalyLine {
    id: i64,
    number: String,
    occurred_on: String,
    service_item: String,
    source: String,
    agent: String,
    department: String,
    severity: String,
    status: String,
    cause: String,
    description: String,
    late: bool,
}

struct RevisionLine {
    revision: i64,
    made: String,
    reason: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "quality_report.html")]
struct ShowPage {
    t: Tr,
    layout: Layout,
    date: String,
    covers: String,
    revision: i64,
    made: String,
    reason: String,
    figures: Vec<FigureLine>,
    counts: Vec<(String, &'static str, i64)>,
    breakdowns: Vec<Breakdown>,
    causes: Vec<(String, i64)>,
    overdue: Vec<kefu_domain::quality::report::OverdueMeasure>,
    overdue_more: i64,
    anomalies: Vec<AnomalyLine>,
    truncated: bool,
    revisions: Vec<RevisionLine>,
    notice: Option<String>,
}

fn label(t: Tr, prefix: &str, value: &str) -> String {
    if value.is_empty() {
        t.t("quality.report.none").to_owned()
    } else {
        t.tk(prefix, value)
    }
}

fn breakdown(
    t: Tr,
    key: &str,
    testid: &'static str,
    lines: &[Tally],
    keyed: Option<&str>,
) -> Breakdown {
    let most = lines.iter().map(|l| l.new).max().unwrap_or(0).max(1);
    Breakdown {
        title: t.t(&format!("quality.report.{key}")).to_owned(),
        testid,
        lines: lines
            .iter()
            .map(|l| TallyLine {
                label: match keyed {
                    Some(prefix) => label(t, prefix, &l.label),
                    None if l.label.is_empty() => t.t("quality.report.none").to_owned(),
                    None => l.label.clone(),
                },
                new: l.new,
                open: l.open,
                closed: l.closed,
                pct: l.new * 100 / most,
            })
            .collect(),
    }
}

fn figure_lines(t: Tr, r: &QualityReport) -> Vec<FigureLine> {
    figures(&r.body)
        .into_iter()
        .map(|f| FigureLine {
            label: t.t(&format!("quality.report.{}", f.key)).to_owned(),
            now: shown(f.unit, f.now, false),
            previous: shown(f.unit, f.previous, false),
            mean: shown(f.unit, f.mean, true),
            vs_previous: change(f.vs_previous),
            vs_mean: change(f.vs_mean),
        })
        .collect()
}

fn show_page(t: Tr, layout: Layout, r: QualityReport, notice: Option<String>) -> ShowPage {
    let b = &r.body;
    let counts = vec![
        (t.t("quality.report.late").to_owned(), "late", b.late),
        (t.t("quality.report.open").to_owned(), "open", b.open),
        (t.t("quality.report.closed").to_owned(), "closed", b.closed),
        (
            t.t("quality.report.overdue").to_owned(),
            "overdue",
            b.overdue_total,
        ),
    ];
    let breakdowns = vec![
        breakdown(
            t,
            "service_item",
            "by-service-item",
            &b.by_service_item,
            None,
        ),
        breakdown(
            t,
            "source",
            "by-source",
            &b.by_source,
            Some("quality.anomaly.source"),
        ),
        breakdown(t, "agent", "by-agent", &b.by_agent, None),
        breakdown(t, "department", "by-department", &b.by_department, None),
    ];
    let anomalies = b
        .anomalies
        .iter()
        .map(|a| AnomalyLine {
            id: a.id,
            number: a.number.clone(),
            occurred_on: a.occurred_on.clone(),
            service_item: a.service_item.clone(),
            source: label(t, "quality.anomaly.source", &a.source),
            agent: a.agent.clone().unwrap_or_default(),
            department: a.department.clone().unwrap_or_default(),
            severity: label(t, "quality.anomaly.severity", &a.severity),
            status: label(t, "quality.anomaly.status", &a.status),
            cause: a
                .cause
                .as_deref()
                .map(|c| label(t, "quality.anomaly.cause", c))
                .unwrap_or_default(),
            description: a.description.clone(),
            late: a.late,
        })
        .collect();
    let revisions = r
        .revisions
        .iter()
        .map(|v| RevisionLine {
            revision: v.revision,
            made: format!(
                "{} · {}",
                local_time(v.made_at),
                made_by(t, &v.made_by_name)
            ),
            reason: v.reason.clone(),
            current: v.revision == r.revision,
        })
        .collect();
    ShowPage {
        t,
        layout,
        date: r.date.to_string(),
        covers: covers(r.date, r.covers_to),
        revision: r.revision,
        made: format!(
            "{} · {}",
            local_time(r.made_at),
            made_by(t, &r.made_by_name)
        ),
        reason: r.reason.clone(),
        figures: figure_lines(t, &r),
        counts,
        breakdowns,
        causes: b
            .causes
            .iter()
            .map(|(c, n)| (label(t, "quality.anomaly.cause", c), *n))
            .collect(),
        overdue_more: b.overdue_total - b.overdue_measures.len() as i64,
        overdue: b.overdue_measures.clone(),
        anomalies,
        truncated: b.truncated,
        revisions,
        notice,
    }
}

/// `?revision=N`, the latest without it.
fn revision_of(q: &[(String, String)]) -> Result<Option<i64>, WebError> {
    match non_empty(field(q, "revision")) {
        None => Ok(None),
        Some(v) => v
            .parse::<i64>()
            .map(Some)
            .map_err(|_| crate::input::unknown_value("revision", v, ["1", "2", "…"])),
    }
}

fn date_of(text: &str) -> Result<Date, WebError> {
    Ok(kefu_domain::dates::parse("date", text)?)
}

/// `/quality/reports/{date}`; `?revision=N`, `?done=made|mailed&n=…`.
pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Path(date): Path<String>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let date = date_of(&date)?;
    let r = state
        .app
        .quality_report(&identity.actor(), date, revision_of(&q)?)
        .await?;
    let notice = match field(&q, "done") {
        "made" => Some(t.t("quality.report.made").to_owned()),
        "mailed" => Some(t.f("quality.report.mailed", &[("n", field(&q, "n"))])),
        _ => None,
    };
    render(
        StatusCode::OK,
        &show_page(t, Layout::new(&identity, "/quality/reports"), r, notice),
    )
}

/// `/quality/reports/{date}/xlsx`; `?revision=N`.
pub async fn xlsx(
    State(state): State<AppState>,
    identity: Identity,
    Path(date): Path<String>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let date = date_of(&date)?;
    let r = state
        .app
        .quality_report(&identity.actor(), date, revision_of(&q)?)
        .await?;
    let (name, bytes) = state.app.quality_report_xlsx(identity.locale, &r)?;
    Ok(crate::upload::serve(&name, XLSX_CONTENT_TYPE, bytes))
}

/// `POST /quality/reports/{date}/mail`: the latest revision to the managers again.
pub async fn mail(
    State(state): State<AppState>,
    identity: Identity,
    Path(date): Path<String>,
) -> Result<Response, WebError> {
    let date = date_of(&date)?;
    let n = state
        .app
        .resend_quality_report(&identity.actor(), date)
        .await?;
    Ok(Redirect::to(&format!("/quality/reports/{date}?done=mailed&n={n}")).into_response())
}
