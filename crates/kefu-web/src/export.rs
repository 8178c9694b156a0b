//! 导出 — what every spreadsheet download shares at the HTTP edge, pages and API alike: the
//! CSV encoding asked for (`?encoding=gbk`; UTF-8 with a byte-order mark otherwise), the
//! response that carries the file, the sheet saying what was exported, and the refusal of
//! an export GBK cannot hold. The files themselves are written by [`kefu_app::export`].

use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use kefu_app::export::{Cell, CsvEncoding, Export, ExportError, Row, Sheet};

use crate::error::{ErrorInfo, WebError};
use crate::i18n::Tr;
use crate::input::unknown_value;

pub const XLSX_CONTENT_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The file a download is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Csv(CsvEncoding),
    Xlsx,
}

impl FileFormat {
    /// A CSV in the encoding the query string asks for: `encoding=gbk`, or `utf-8` (with a
    /// byte-order mark), the default; anything else is refused naming the two.
    pub fn csv(pairs: &[(String, String)]) -> Result<FileFormat, WebError> {
        let asked = pairs
            .iter()
            .find(|(k, _)| k == "encoding")
            .map_or("", |(_, v)| v.trim());
        if asked.is_empty() {
            return Ok(FileFormat::Csv(CsvEncoding::default()));
        }
        CsvEncoding::from_key(asked)
            .map(FileFormat::Csv)
            .ok_or_else(|| unknown_value("encoding", asked, CsvEncoding::ALL.map(CsvEncoding::key)))
    }

    fn extension(self) -> &'static str {
        match self {
            FileFormat::Csv(_) => "csv",
            FileFormat::Xlsx => "xlsx",
        }
    }
}

/// `export` as an attachment named `stem` and the format's extension. A writer's failure
/// is an internal error, a character GBK cannot hold a 422 naming it.
pub fn download(export: &Export, format: FileFormat, stem: &str) -> Result<Response, WebError> {
    let (content_type, body) = match format {
        FileFormat::Csv(encoding) => (encoding.content_type(), export.csv(encoding)?),
        FileFormat::Xlsx => (XLSX_CONTENT_TYPE, export.xlsx()?),
    };
    Ok((
        [
            (CONTENT_TYPE, content_type.to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{stem}.{}\"", format.extension()),
            ),
        ],
        body,
    )
        .into_response())
}

/// The second sheet (条件): one row per condition of the export (label, value), then the
/// time it was made, Beijing time.
pub fn conditions_sheet(t: Tr, conditions: Vec<(String, Cell)>, now: Timestamp) -> Sheet {
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai")
        .unwrap_or(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)));
    let mut sheet = Sheet::new(t.t("export.sheet_conditions"));
    sheet.push(Row::heading([t.t("export.condition"), t.t("export.value")]));
    for (label, value) in conditions {
        sheet.push(Row::new(vec![Cell::Text(label), value]));
    }
    sheet.push(Row::new(vec![
        Cell::text(t.t("export.exported_at")),
        Cell::DateTime(now.to_zoned(tz).datetime()),
    ]));
    sheet
}

/// A condition that was not set: any value.
pub fn any(t: Tr) -> Cell {
    Cell::text(t.t("common.any"))
}

/// How the error edge answers an export that cannot be written as asked.
pub(crate) fn error_info(e: ExportError) -> ErrorInfo {
    match e {
        ExportError::NotInGbk {
            character,
            row,
            column,
        } => ErrorInfo {
            args: vec![
                ("character", character.to_string()),
                ("row", row.to_string()),
                ("column", column.to_string()),
            ],
            detail: Some(format!("U+{:04X}", u32::from(character))),
            ..ErrorInfo::new(StatusCode::UNPROCESSABLE_ENTITY, "export_not_in_gbk")
        },
    }
}
