//! 客户导入导出 — the import page (dry run, duplicates named by the row or customer they
//! repeat, title rows passed over, per-row report to download) and the export of the
//! filtered list to CSV or XLSX. The report's lines read the same here, in the downloaded
//! CSV and in `kefu import customers` ([`reason_text`], [`report_rows`]).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use kefu_app::customer_import::{Duplicates, ImportReport, Problem, report_lines, to_csv, to_xlsx};
use kefu_domain::Permission;
use kefu_domain::region;
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

impl ProblemRow {
    fn of(t: Tr, p: &Problem) -> ProblemRow {
        ProblemRow {
            row: p.row,
            column: column_text(t, &p.column),
            reason: reason_text(t, p),
            value: if p.reason == "not_saved" {
                String::new()
            } else {
                p.value.clone()
            },
        }
    }
}

#[derive(Template)]
#[template(path = "customer_import.html")]
struct ImportPage {
    t: Tr,
    layout: Layout,
    report: Option<ImportReport>,
    /// Rows not imported.
    problems: Vec<ProblemRow>,
    /// Rows that repeat an earlier row or an existing customer.
    duplicates: Vec<ProblemRow>,
    /// Title rows passed over.
    notices: Vec<ProblemRow>,
    error: Option<String>,
    dry_run: bool,
    merge: bool,
}

/// Rows shown on the page per list; the report CSV has them all.
const SHOWN: usize = 500;

/// Why a line is in the report, in the reader's language: `import.reason.<reason>` with
/// `{other}` (the row or customer a duplicate repeats, the header's row under a title)
/// filled in; a row that could not be saved says why.
pub fn reason_text(t: Tr, p: &Problem) -> String {
    if p.reason == "not_saved" {
        return format!("{}（{}）", t.t("import.reason.not_saved"), p.value);
    }
    t.tk("import.reason", &p.reason)
        .replace("{other}", &p.other)
}

/// A column's name in the reader's language; empty for a line about a whole row.
pub fn column_text(t: Tr, column: &str) -> String {
    if column.is_empty() {
        return String::new();
    }
    t.tk("import.column", column)
}

/// The report as CSV rows: row, column, reason, value — header first.
pub fn report_rows<'a>(t: Tr, lines: impl IntoIterator<Item = &'a Problem>) -> Vec<Vec<String>> {
    let mut rows = vec![vec![
        t.t("import.report.row").to_owned(),
        t.t("import.report.column").to_owned(),
        t.t("import.report.reason").to_owned(),
        t.t("import.report.value").to_owned(),
    ]];
    for p in lines {
        rows.push(vec![
            p.row.to_string(),
            column_text(t, &p.column),
            reason_text(t, p),
            p.value.clone(),
        ]);
    }
    rows
}

pub async fn form(identity: Identity) -> Result<Response, WebError> {
    super::ok(&ImportPage {
        t: identity.tr(),
        layout: Layout::new(&identity, "/customers"),
        report: None,
        problems: Vec::new(),
        duplicates: Vec::new(),
        notices: Vec::new(),
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
        let rows = |list: Option<&Vec<Problem>>| -> Vec<ProblemRow> {
            list.map(|l| l.iter().take(SHOWN).map(|p| ProblemRow::of(t, p)).collect())
                .unwrap_or_default()
        };
        ImportPage {
            t,
            layout: Layout::new(&identity, "/customers"),
            problems: rows(report.as_ref().map(|r| &r.problems)),
            duplicates: rows(report.as_ref().map(|r| &r.duplicates)),
            notices: rows(report.as_ref().map(|r| &r.notices)),
            report,
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

/// The report of an import as a CSV file (row, column, reason, value): the rows not
/// imported, the duplicates and the title rows passed over.
pub async fn report(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let record = state.app.customer_import(&identity.actor(), id).await?;
    let rows = report_rows(t, &report_lines(&record.problems));
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
        province: non_empty(&get("province")).map(region::canonical_province),
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
