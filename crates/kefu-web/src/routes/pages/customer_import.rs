//! 客户导入导出 — the import page (dry run, duplicates, per-row report to download) and the
//! export of the filtered list to CSV or XLSX.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use kefu_app::customer_import::{Duplicates, ImportReport, to_csv, to_xlsx};
use kefu_domain::Permission;
use kefu_store::customer::CustomerFilter;

use super::render;
use super::tickets::{field, non_empty};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::upload::FormWithFiles;
use crate::view::Layout;

pub struct ProblemRow {
    pub row: usize,
    pub column: String,
    pub reason: String,
    pub value: String,
}

#[derive(Template)]
#[template(path = "customer_import.html")]
struct ImportPage {
    t: Tr,
    layout: Layout,
    report: Option<ImportReport>,
    problems: Vec<ProblemRow>,
    error: Option<String>,
    dry_run: bool,
    merge: bool,
}

fn reason_text(t: Tr, reason: &str, value: &str) -> String {
    if reason == "not_saved" {
        return format!("{}（{value}）", t.t("import.reason.not_saved"));
    }
    t.tk("import.reason", reason)
}

fn column_text(t: Tr, column: &str) -> String {
    t.tk("import.column", column)
}

pub async fn form(identity: Identity) -> Result<Response, WebError> {
    super::ok(&ImportPage {
        t: identity.tr(),
        layout: Layout::new(&identity, "/customers"),
        report: None,
        problems: Vec::new(),
        error: None,
        dry_run: true,
        merge: false,
    })
}

pub async fn run(
    State(state): State<AppState>,
    identity: Identity,
    form: FormWithFiles,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let FormWithFiles { pairs, files } = form;
    let dry_run = field(&pairs, "dry_run") == "1";
    let merge = field(&pairs, "duplicates") == "merge";
    let page = |report: Option<ImportReport>, error: Option<String>| {
        let problems = report
            .as_ref()
            .map(|r| {
                r.problems
                    .iter()
                    .take(500)
                    .map(|p| ProblemRow {
                        row: p.row,
                        column: column_text(t, &p.column),
                        reason: reason_text(t, &p.reason, &p.value),
                        value: if p.reason == "not_saved" {
                            String::new()
                        } else {
                            p.value.clone()
                        },
                    })
                    .collect()
            })
            .unwrap_or_default();
        ImportPage {
            t,
            layout: Layout::new(&identity, "/customers"),
            report,
            problems,
            error,
            dry_run,
            merge,
        }
    };
    let Some(file) = files.into_iter().next() else {
        return render(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            &page(None, Some(t.t("import.no_file").to_owned())),
        );
    };
    let duplicates = if merge {
        Duplicates::Merge
    } else {
        Duplicates::Skip
    };
    match state
        .app
        .import_customers(
            &identity.actor(),
            &file.filename,
            &file.bytes,
            dry_run,
            duplicates,
            &|_, _| {},
        )
        .await
    {
        Ok(report) => super::ok(&page(Some(report), None)),
        Err(e) => {
            let info = WebError::from(e).into_info();
            let mut message = info.message(t);
            if let Some(d) = &info.detail {
                message = format!("{message}（{d}）");
            }
            render(info.status, &page(None, Some(message)))
        }
    }
}

/// The per-row problems of an import as a CSV file (row, column, reason, value).
pub async fn report(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let record = state.app.customer_import(&identity.actor(), id).await?;
    let problems: Vec<(usize, String, String, String)> =
        serde_json::from_str(&record.problems).unwrap_or_default();
    let mut rows = vec![vec![
        t.t("import.report.row").to_owned(),
        t.t("import.report.column").to_owned(),
        t.t("import.report.reason").to_owned(),
        t.t("import.report.value").to_owned(),
    ]];
    for (row, column, reason, value) in problems {
        rows.push(vec![
            row.to_string(),
            column_text(t, &column),
            reason_text(t, &reason, &value),
            value,
        ]);
    }
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"import-{id}-report.csv\""),
            ),
        ],
        to_csv(&rows),
    )
        .into_response())
}

fn filter_of(pairs: &[(String, String)], identity: &Identity) -> CustomerFilter {
    let get = |k| field(pairs, k).trim().to_owned();
    CustomerFilter {
        tier: non_empty(&get("tier")).map(str::to_owned),
        customer_type: non_empty(&get("type")).map(str::to_owned),
        status: non_empty(&get("status")).map(str::to_owned),
        province: non_empty(&get("province")).map(str::to_owned),
        owner_id: if get("mine") == "1" {
            identity.user.as_ref().map(|u| u.id)
        } else {
            None
        },
        tag: non_empty(&get("tag")).map(str::to_lowercase),
        credit_grade: non_empty(&get("grade")).map(str::to_owned),
        text: non_empty(&get("q")).map(str::to_owned),
    }
}

/// `GET /customers/export.csv`: the filtered list; `sensitive=1` exports clear values for
/// those allowed (audited).
pub async fn export_csv(
    State(state): State<AppState>,
    identity: Identity,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    export(state, identity, "csv", pairs).await
}

/// `GET /customers/export.xlsx`, as [`export_csv`].
pub async fn export_xlsx(
    State(state): State<AppState>,
    identity: Identity,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    export(state, identity, "xlsx", pairs).await
}

async fn export(
    state: AppState,
    identity: Identity,
    format: &str,
    pairs: Vec<(String, String)>,
) -> Result<Response, WebError> {
    let sensitive = field(&pairs, "sensitive") == "1";
    if sensitive && !identity.user()?.allows(Permission::CustomerExportSensitive) {
        return Err(WebError::Forbidden);
    }
    let rows = state
        .app
        .export_customers(&identity.actor(), &filter_of(&pairs, &identity), sensitive)
        .await?;
    let (content_type, body, ext) = match format {
        "csv" => ("text/csv; charset=utf-8", to_csv(&rows), "csv"),
        "xlsx" => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            to_xlsx(&rows)?,
            "xlsx",
        ),
        _ => return Err(WebError::NotFound),
    };
    Ok((
        [
            (CONTENT_TYPE, content_type.to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"customers.{ext}\""),
            ),
        ],
        body,
    )
        .into_response())
}
