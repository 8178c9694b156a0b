//! 客户导入导出 — the import page (dry run, duplicates named by the row or customer they
//! repeat, title rows passed over, per-row report to download) and the export of the
//! filtered list to CSV or XLSX (written by `kefu_app::export`; the sheet 客户名单 and, in the
//! XLSX, the filters on the sheet 条件). The report's lines read the same on the page, in the
//! downloaded file and in `kefu import customers` (`crate::import_report`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use kefu_app::customer_import::{Duplicates, ImportReport, Problem, report_lines};
use kefu_app::export::{Cell, Export, Row, Sheet};
use kefu_domain::Permission;
use kefu_store::customer::CustomerFilter;

use super::customers::customer_filter;
use super::render;
use super::tickets::field;
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::export::{FileFormat, any, conditions_sheet, download};
use crate::i18n::Tr;
use crate::import_report::{column_text, reason_text, report_sheet};
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

/// The report of an import (row, column, reason, value): the rows not imported, the
/// duplicates and the title rows passed over; UTF-8 with a byte-order mark, or GBK with
/// `encoding=gbk`.
pub async fn report(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let format = FileFormat::csv(&pairs)?;
    let record = state.app.customer_import(&identity.actor(), id).await?;
    let lines = report_lines(&record.problems);
    download(
        &Export::new(report_sheet(t, &lines), None),
        format,
        &format!("import-{id}-report"),
    )
}

/// `GET /customers/export.csv`: the filtered list (the list page's filters); `sensitive=1`
/// exports clear values for those allowed (audited); `encoding=gbk` writes GBK.
pub async fn export_csv(
    State(state): State<AppState>,
    identity: Identity,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let format = FileFormat::csv(&pairs)?;
    export(state, identity, format, pairs).await
}

/// `GET /customers/export.xlsx`, as [`export_csv`], with the filters on a second sheet.
pub async fn export_xlsx(
    State(state): State<AppState>,
    identity: Identity,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    export(state, identity, FileFormat::Xlsx, pairs).await
}

async fn export(
    state: AppState,
    identity: Identity,
    format: FileFormat,
    pairs: Vec<(String, String)>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let sensitive = field(&pairs, "sensitive") == "1";
    if sensitive && !identity.user()?.allows(Permission::CustomerExportSensitive) {
        return Err(WebError::Forbidden);
    }
    let filter = customer_filter(&pairs, &identity);
    let rows = state
        .app
        .export_customers(&identity.actor(), &filter, sensitive)
        .await?;
    let mut sheet = Sheet::new(t.t("export.sheet_customers"));
    let mut rows = rows.into_iter();
    if let Some(header) = rows.next() {
        sheet.push(Row::heading(header));
    }
    for row in rows {
        sheet.push(Row::new(row.into_iter().map(Cell::Text).collect()));
    }
    let conditions = match format {
        FileFormat::Xlsx => Some(conditions_sheet(
            t,
            filter_conditions(&state, &identity, &filter, sensitive).await?,
            state.app.now(),
        )),
        FileFormat::Csv(_) => None,
    };
    download(&Export::new(sheet, conditions), format, "customers")
}

/// The filters of a customer export as the 条件 sheet lists them, in the reader's language.
async fn filter_conditions(
    state: &AppState,
    identity: &Identity,
    filter: &CustomerFilter,
    sensitive: bool,
) -> Result<Vec<(String, Cell)>, WebError> {
    let t = identity.tr();
    let keyed = |prefix: &str, v: &Option<String>| {
        v.as_deref().map_or(any(t), |k| Cell::Text(t.tk(prefix, k)))
    };
    let plain = |v: &Option<String>| v.clone().map_or(any(t), Cell::Text);
    let owner = match filter.owner_id {
        None => any(t),
        Some(id) => match identity.user.as_ref().filter(|u| u.id == id) {
            Some(me) => Cell::Text(me.display_name.clone()),
            None => Cell::Text(
                state
                    .app
                    .list_users(&identity.actor())
                    .await?
                    .into_iter()
                    .find(|u| u.id == id)
                    .map_or_else(|| format!("#{id}"), |u| u.display_name),
            ),
        },
    };
    Ok(vec![
        (t.t("tickets.search").to_owned(), plain(&filter.text)),
        (t.t("customer.tier").to_owned(), keyed("tier", &filter.tier)),
        (
            t.t("customer.type").to_owned(),
            keyed("customer_type", &filter.customer_type),
        ),
        (
            t.t("customer.status").to_owned(),
            keyed("customer_status", &filter.status),
        ),
        (t.t("customer.province").to_owned(), plain(&filter.province)),
        (t.t("credit.grade").to_owned(), plain(&filter.credit_grade)),
        (t.t("customer.owner").to_owned(), owner),
        (t.t("ticket.tag").to_owned(), plain(&filter.tag)),
        (
            t.t("customer.sensitive").to_owned(),
            Cell::text(t.t(if sensitive {
                "export.sensitive_clear"
            } else {
                "export.sensitive_masked"
            })),
        ),
    ])
}
