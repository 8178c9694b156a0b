//! 导入报告 — how an import's report reads, the same on the import page, in its downloaded
//! file and in the CLI's output: why each line is there, in the reader's language.

use kefu_app::customer_import::Problem;
use kefu_app::export::{Cell, Row, Sheet};

use crate::i18n::Tr;

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

/// The report as a sheet: row, column, reason, value, the row a number.
pub fn report_sheet<'a>(t: Tr, lines: impl IntoIterator<Item = &'a Problem>) -> Sheet {
    let mut sheet = Sheet::new(t.t("export.sheet_import_problems"));
    sheet.push(Row::heading([
        t.t("import.report.row"),
        t.t("import.report.column"),
        t.t("import.report.reason"),
        t.t("import.report.value"),
    ]));
    for p in lines {
        sheet.push(Row::new(vec![
            Cell::Int(p.row as i64),
            Cell::Text(column_text(t, &p.column)),
            Cell::Text(reason_text(t, p)),
            Cell::text(p.value.as_str()),
        ]));
    }
    sheet
}

/// 目录导入 — what a product or part import did, in one sentence: imported, checked (a dry
/// run), or refused with the number of problems. The page and `kefu import products|parts`
/// say the same.
pub fn catalogue_summary(tr: Tr, r: &kefu_app::aftersales::CatalogueImport) -> String {
    let key = if r.written {
        "catalogue.import.done"
    } else if r.problems.is_empty() {
        "catalogue.import.dry_run"
    } else {
        return tr.f(
            "catalogue.import.refused",
            &[("n", &r.problems.len().to_string())],
        );
    };
    tr.f(
        key,
        &[
            ("rows", &r.rows.to_string()),
            ("added", &r.added.to_string()),
            ("updated", &r.updated.to_string()),
            ("unchanged", &r.unchanged.to_string()),
            ("categories", &r.categories_added.to_string()),
        ],
    )
}

/// A refused cell of a catalogue import: (column, reason), translated.
pub fn catalogue_problem(
    tr: Tr,
    e: &kefu_domain::aftersales::import::CellError,
) -> (String, String) {
    (
        tr.t(&format!("catalogue.column.{}", e.column)).to_owned(),
        tr.t(&format!("catalogue.problem.{}", e.problem.key()))
            .to_owned(),
    )
}

/// 收款导入 — what a payment import did, in one sentence; the page and `kefu import
/// payments` say the same.
pub fn payment_summary(tr: Tr, r: &kefu_app::receivable::PaymentImport) -> String {
    let key = if r.written {
        "receivable.import.done"
    } else if r.problems.is_empty() {
        "receivable.import.dry_run"
    } else {
        "receivable.import.refused"
    };
    tr.f(
        key,
        &[
            ("rows", &r.rows.to_string()),
            ("added", &r.added.len().to_string()),
            ("known", &r.known.to_string()),
            ("n", &r.problems.len().to_string()),
        ],
    )
}

/// A refused payment cell's column and reason, in the reader's language.
pub fn payment_problem(
    tr: Tr,
    e: &kefu_domain::receivable::payment_file::PaymentCellError,
) -> (String, String) {
    (
        tr.t(&format!("catalogue.column.{}", e.column)).to_owned(),
        tr.tk("receivable.problem", e.problem.key()),
    )
}

/// An import page's status: 200 when the file had no problem, 422 otherwise.
pub fn page_status(problems: usize) -> axum::http::StatusCode {
    if problems == 0 {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    }
}
