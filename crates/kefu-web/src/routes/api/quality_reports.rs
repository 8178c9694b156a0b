//! 质量异常分析日报表 over the API: the reports by date, one report as issued (its figures
//! as JSON), its XLSX, making one (a missed day, or again with a reason) and mailing it to
//! the managers again.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use kefu_app::quality::{QualityReport, ReportSummary};
use kefu_domain::quality::report::{DailyReport, Headline};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiJson, ErrorBody, rfc3339};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::export::XLSX_CONTENT_TYPE;

/// Headline figures of a period.
#[derive(Serialize, ToSchema)]
pub struct HeadlineOut {
    pub inspections: i64,
    /// Average score in tenths of a point (`852` is 85.2).
    pub average_tenths: Option<i64>,
    /// 合格率 in per mille.
    pub pass_permille: Option<i64>,
    pub anomalies: i64,
}

fn headline(h: Headline) -> HeadlineOut {
    HeadlineOut {
        inspections: h.inspections,
        average_tenths: h.average_tenths,
        pass_permille: h.pass_permille,
        anomalies: h.anomalies,
    }
}

/// A daily report in a list (its latest revision).
#[derive(Serialize, ToSchema)]
pub struct ReportSummaryOut {
    /// The business day, `YYYY-MM-DD`.
    pub date: String,
    /// The day after the last one covered (the day it is made for).
    pub covers_to: String,
    pub revision: i64,
    /// Who made it; `null`: the daily job.
    pub made_by: Option<String>,
    pub made_at: String,
    pub reason: String,
    pub figures: HeadlineOut,
    /// 补录: anomalies of earlier days recorded since the previous report.
    pub late: i64,
    pub open: i64,
    pub overdue_measures: i64,
}

fn summary_out(s: ReportSummary) -> ReportSummaryOut {
    ReportSummaryOut {
        date: s.date.to_string(),
        covers_to: s.covers_to.to_string(),
        revision: s.revision,
        made_by: s.made_by_name,
        made_at: rfc3339(s.made_at),
        reason: s.reason,
        figures: headline(s.today),
        late: s.late,
        open: s.open,
        overdue_measures: s.overdue,
    }
}

/// The daily reports, the newest date first (at most 400).
#[utoipa::path(get, path = "/api/v1/quality/reports", tag = "quality",
    responses((status = 200, description = "The reports", body = [ReportSummaryOut])))]
pub async fn quality_reports(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Json<Vec<ReportSummaryOut>>, WebError> {
    let list = state.app.quality_reports(&identity.actor()).await?;
    Ok(Json(list.into_iter().map(summary_out).collect()))
}

/// A revision of a report.
#[derive(Serialize, ToSchema)]
pub struct RevisionOut {
    pub revision: i64,
    pub made_by: Option<String>,
    pub made_at: String,
    pub reason: String,
}

/// 质量异常分析日报表 — a report as issued.
#[derive(Serialize, ToSchema)]
pub struct QualityReportOut {
    pub date: String,
    pub covers_to: String,
    pub revision: i64,
    pub made_by: Option<String>,
    pub made_at: String,
    pub reason: String,
    /// The figures as made: `today`, `previous` (the previous business day), `mean` (the
    /// seven days before, per day, counts in tenths), `new`, `late`, `open`, `closed`,
    /// the breakdowns `by_service_item`, `by_source`, `by_agent`, `by_department` (each
    /// line `label`, `new`, `open`, `closed`), `causes` (`[cause, count]`),
    /// `overdue_measures`, `anomalies` (each with `late` for 补录).
    #[schema(value_type = Object)]
    pub body: serde_json::Value,
    pub revisions: Vec<RevisionOut>,
}

fn report_out(r: QualityReport) -> Result<QualityReportOut, WebError> {
    let body = body_json(&r.body)?;
    Ok(QualityReportOut {
        date: r.date.to_string(),
        covers_to: r.covers_to.to_string(),
        revision: r.revision,
        made_by: r.made_by_name,
        made_at: rfc3339(r.made_at),
        reason: r.reason,
        body,
        revisions: r
            .revisions
            .into_iter()
            .map(|v| RevisionOut {
                revision: v.revision,
                made_by: v.made_by_name,
                made_at: rfc3339(v.made_at),
                reason: v.reason,
            })
            .collect(),
    })
}

fn body_json(b: &DailyReport) -> Result<serde_json::Value, WebError> {
    serde_json::to_value(b)
        .map_err(|e| WebError::App(kefu_app::AppError::Internal(format!("report json: {e}"))))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RevisionParams {
    /// A revision; the latest without it.
    pub revision: Option<i64>,
}

fn date_of(text: &str) -> Result<jiff::civil::Date, WebError> {
    Ok(kefu_domain::dates::parse("date", text)?)
}

/// A report as issued.
#[utoipa::path(get, path = "/api/v1/quality/reports/{date}", tag = "quality",
    params(("date" = String, Path, description = "the business day, YYYY-MM-DD"), RevisionParams),
    responses(
        (status = 200, description = "The report", body = QualityReportOut),
        (status = 400, description = "`invalid_field`: not a date", body = ErrorBody),
        (status = 404, description = "No report of that date (or revision)", body = ErrorBody),
    ))]
pub async fn quality_report(
    State(state): State<AppState>,
    identity: Identity,
    Path(date): Path<String>,
    Query(p): Query<RevisionParams>,
) -> Result<Json<QualityReportOut>, WebError> {
    let r = state
        .app
        .quality_report(&identity.actor(), date_of(&date)?, p.revision)
        .await?;
    Ok(Json(report_out(r)?))
}

/// A report as an XLSX (日报, 分类统计 with its chart, 异常清单, 逾期措施), in the caller's
/// language.
#[utoipa::path(get, path = "/api/v1/quality/reports/{date}/xlsx", tag = "quality",
    params(("date" = String, Path, description = "the business day, YYYY-MM-DD"), RevisionParams),
    responses(
        (status = 200, description = "The workbook, as an attachment",
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 404, description = "No report of that date (or revision)", body = ErrorBody),
    ))]
pub async fn quality_report_xlsx(
    State(state): State<AppState>,
    identity: Identity,
    Path(date): Path<String>,
    Query(p): Query<RevisionParams>,
) -> Result<Response, WebError> {
    let r = state
        .app
        .quality_report(&identity.actor(), date_of(&date)?, p.revision)
        .await?;
    let (name, bytes) = state.app.quality_report_xlsx(identity.locale, &r)?;
    Ok(crate::upload::serve(&name, XLSX_CONTENT_TYPE, bytes))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QualityReportIn {
    /// The business day, `YYYY-MM-DD`: its days must be over.
    pub date: String,
    /// Why it is made again (required once the date has a report; up to 500 characters).
    #[serde(default)]
    pub reason: String,
}

/// Makes the report of a business day now — a day the job missed, or again as a new
/// revision with its reason — and mails it to the managers.
#[utoipa::path(post, path = "/api/v1/quality/reports", tag = "quality",
    request_body = QualityReportIn,
    responses(
        (status = 201, description = "Made", body = QualityReportOut),
        (status = 400, description = "`invalid_field`: `date` is not a date", body = ErrorBody),
        (status = 412, description = "`stale_version`: the same revision was made meanwhile", body = ErrorBody),
        (status = 422, description = "`quality_report_future`, `quality_report_not_business_day`, \
            `quality_report_needs_reason`, `quality_report_reason_too_long`, \
            `quality_report_too_early`, `date_out_of_range`", body = ErrorBody),
    ))]
pub async fn make_quality_report(
    State(state): State<AppState>,
    identity: Identity,
    ApiJson(b): ApiJson<QualityReportIn>,
) -> Result<(StatusCode, Json<QualityReportOut>), WebError> {
    let r = state
        .app
        .make_quality_report(&identity.actor(), date_of(&b.date)?, &b.reason)
        .await?;
    Ok((StatusCode::CREATED, Json(report_out(r)?)))
}

/// How many mails were queued.
#[derive(Serialize, ToSchema)]
pub struct MailedOut {
    pub mails: usize,
}

/// Mails the latest revision of a report to the managers again.
#[utoipa::path(post, path = "/api/v1/quality/reports/{date}/mail", tag = "quality",
    params(("date" = String, Path, description = "the business day, YYYY-MM-DD")),
    responses(
        (status = 200, description = "Queued", body = MailedOut),
        (status = 404, description = "No report of that date", body = ErrorBody),
    ))]
pub async fn resend_quality_report(
    State(state): State<AppState>,
    identity: Identity,
    Path(date): Path<String>,
) -> Result<Json<MailedOut>, WebError> {
    let mails = state
        .app
        .resend_quality_report(&identity.actor(), date_of(&date)?)
        .await?;
    Ok(Json(MailedOut { mails }))
}
