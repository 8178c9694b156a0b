//! 导出 — spreadsheets that Excel users can trust. Every CSV and XLSX kefu hands out (the
//! customer list, an import's problem report, the complaint statistics) is built as one
//! [`Export`] of typed [`Cell`]s and written by the two writers here, so the rules hold
//! everywhere:
//!
//! - CSV: written by the `csv` crate (quoting, CRLF line ends), every row of a sheet padded
//!   to the same number of fields so that any CSV reader takes it, and a writer's error is
//!   an error, never a silently shortened file. UTF-8 with a byte-order mark by default
//!   (Excel on Chinese Windows reads UTF-8 only with it); GBK when asked, for older tools.
//!   A character GBK cannot hold (an emoji, a rare character outside GBK) is refused with
//!   [`ExportError::NotInGbk`], naming it and where it is: replacing it would change a
//!   name or a number in a file that may be imported again, without anyone noticing.
//! - XLSX: counts are numbers, money is yuan (fen / 100) formatted `#,##0.00`, dates are
//!   Excel dates formatted `yyyy-mm-dd`, each sheet is named, heading rows are bold.
//!
//! The first sheet is the data; the CSV carries only that one. Further sheets (what was
//! exported: the period, the filters, when) go into the XLSX only.

use jiff::civil::{Date, DateTime};
use rust_xlsxwriter::{Chart, ExcelDateTime, Format, Workbook, Worksheet};

use crate::{AppError, Result};

/// Excel's number format for money in yuan.
pub const MONEY_FORMAT: &str = "#,##0.00";
/// Excel's number format for a date.
pub const DATE_FORMAT: &str = "yyyy-mm-dd";
/// Excel's number format for a date and time, to the minute.
pub const DATETIME_FORMAT: &str = "yyyy-mm-dd hh:mm";

/// The UTF-8 byte-order mark that tells Excel a CSV is UTF-8.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Why an export cannot be written as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    /// A character GBK has no code for, at a 1-based row and column of the data sheet.
    #[error("{character:?} at row {row}, column {column} cannot be written in GBK")]
    NotInGbk {
        character: char,
        row: usize,
        column: usize,
    },
}

/// The encoding a CSV is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CsvEncoding {
    /// UTF-8 with a byte-order mark: every character, and Excel 2016+ opens it directly.
    #[default]
    Utf8Bom,
    /// GBK (code page 936), what older Excel on Chinese Windows assumes; no byte-order mark.
    Gbk,
}

impl CsvEncoding {
    pub const ALL: [CsvEncoding; 2] = [CsvEncoding::Utf8Bom, CsvEncoding::Gbk];

    /// The value of the `encoding` query parameter that asks for it.
    pub fn key(self) -> &'static str {
        match self {
            CsvEncoding::Utf8Bom => "utf-8",
            CsvEncoding::Gbk => "gbk",
        }
    }

    /// The encoding `key` names, case-insensitively.
    pub fn from_key(key: &str) -> Option<CsvEncoding> {
        CsvEncoding::ALL
            .into_iter()
            .find(|e| e.key().eq_ignore_ascii_case(key))
    }

    /// The `Content-Type` of a CSV in this encoding.
    pub fn content_type(self) -> &'static str {
        match self {
            CsvEncoding::Utf8Bom => "text/csv; charset=utf-8",
            CsvEncoding::Gbk => "text/csv; charset=gbk",
        }
    }
}

/// One cell, typed so that each writer shows it the one way a reader expects.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    /// A count.
    Int(i64),
    /// A measured figure (an average) shown with `places` decimals.
    Decimal {
        value: f64,
        places: u8,
    },
    /// Money in fen (分): `1234.50` in a CSV, the number 1234.5 formatted `#,##0.00` in an
    /// XLSX.
    Money(i64),
    Date(Date),
    /// A local (Beijing) date and time.
    DateTime(DateTime),
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// The cell as CSV text: numbers without grouping, money in yuan with two decimals,
    /// dates ISO (`2026-11-01`, `2026-11-01 09:30`).
    pub fn to_text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Decimal { value, places } => {
                format!("{value:.prec$}", prec = usize::from(*places))
            }
            Cell::Money(fen) => yuan(*fen),
            Cell::Date(d) => d.strftime("%Y-%m-%d").to_string(),
            Cell::DateTime(dt) => dt.strftime("%Y-%m-%d %H:%M").to_string(),
        }
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Cell {
        Cell::Int(n)
    }
}

impl From<Date> for Cell {
    fn from(d: Date) -> Cell {
        Cell::Date(d)
    }
}

/// Fen as yuan with two decimals, without grouping: `-0.50`, `1234.00` — a CSV cell a
/// spreadsheet reads back as a number ([`kefu_domain::money::plain_yuan`]; pages show
/// [`kefu_domain::money::yuan`], grouped).
pub fn yuan(fen: i64) -> String {
    kefu_domain::money::plain_yuan(fen)
}

/// One row; a heading row is bold in the XLSX.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Row {
    pub heading: bool,
    pub cells: Vec<Cell>,
}

impl Row {
    pub fn new(cells: Vec<Cell>) -> Row {
        Row {
            heading: false,
            cells,
        }
    }

    /// A heading row of labels.
    pub fn heading<S: Into<String>>(labels: impl IntoIterator<Item = S>) -> Row {
        Row {
            heading: true,
            cells: labels.into_iter().map(|s| Cell::Text(s.into())).collect(),
        }
    }

    /// The empty row between two tables of a sheet.
    pub fn blank() -> Row {
        Row::default()
    }
}

/// One sheet: its name (at most 31 characters, none of `[]:*?/\`, as Excel requires) and
/// its rows, which may be tables of different widths one after another.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub name: String,
    pub rows: Vec<Row>,
    /// A column chart of some of its rows, beside them in the XLSX.
    pub chart: Option<ColumnChart>,
}

/// A column chart of a table on its sheet: the labels in one column, the values in
/// another, over a run of rows (0-based, inclusive).
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnChart {
    pub title: String,
    pub first_row: u32,
    pub last_row: u32,
    pub label_column: u16,
    pub value_column: u16,
    /// Where the chart's top left corner goes.
    pub at: (u32, u16),
}

impl Sheet {
    pub fn new(name: impl Into<String>) -> Sheet {
        Sheet {
            name: name.into(),
            rows: Vec::new(),
            chart: None,
        }
    }

    pub fn push(&mut self, row: Row) {
        self.rows.push(row);
    }

    /// The widest row's number of cells (at least one).
    fn width(&self) -> usize {
        self.rows
            .iter()
            .map(|r| r.cells.len())
            .max()
            .unwrap_or(0)
            .max(1)
    }
}

/// An exported file: the data sheet first, then any sheets saying what was exported.
#[derive(Debug, Clone, PartialEq)]
pub struct Export {
    pub sheets: Vec<Sheet>,
}

fn internal(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("export {what}: {e}"))
}

/// The characters a spreadsheet reads as the start of a formula when a text cell of a CSV
/// begins with one (CSV injection: `=HYPERLINK(…)` in a customer's name).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A text cell as a CSV may hold it: one that would start a formula gets a leading `'`,
/// which spreadsheets read as "this is text" and do not show. Numbers, money and dates are
/// written by kefu and never guarded, so `-0.50` stays a number.
pub fn guard_formula(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(FORMULA_STARTS) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// A cell read back from a file kefu may have written: the guard of [`guard_formula`]
/// taken off, so an exported list imports unchanged.
pub fn unguard_formula(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => text,
    }
}

/// The first character of `s` that GBK cannot hold.
fn not_in_gbk(s: &str) -> Option<char> {
    let (_, _, unmappable) = encoding_rs::GBK.encode(s);
    if !unmappable {
        return None;
    }
    s.chars().find(|c| {
        let mut buf = [0; 4];
        let (_, _, unmappable) = encoding_rs::GBK.encode(c.encode_utf8(&mut buf));
        unmappable
    })
}

impl Export {
    /// An export of one data sheet and, when given, the sheet of conditions.
    pub fn new(data: Sheet, conditions: Option<Sheet>) -> Export {
        Export {
            sheets: std::iter::once(data).chain(conditions).collect(),
        }
    }

    /// The data sheet as CSV in `encoding`: every row as wide as the widest, CRLF line
    /// ends, fields quoted where they hold a comma, a quote or a line break.
    pub fn csv(&self, encoding: CsvEncoding) -> Result<Vec<u8>> {
        let Some(sheet) = self.sheets.first() else {
            return Ok(match encoding {
                CsvEncoding::Utf8Bom => UTF8_BOM.to_vec(),
                CsvEncoding::Gbk => Vec::new(),
            });
        };
        let width = sheet.width();
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        for (r, row) in sheet.rows.iter().enumerate() {
            let mut fields: Vec<String> = row
                .cells
                .iter()
                .map(|c| match c {
                    Cell::Text(s) => guard_formula(s).into_owned(),
                    other => other.to_text(),
                })
                .collect();
            if encoding == CsvEncoding::Gbk {
                for (c, field) in fields.iter().enumerate() {
                    if let Some(character) = not_in_gbk(field) {
                        return Err(ExportError::NotInGbk {
                            character,
                            row: r + 1,
                            column: c + 1,
                        }
                        .into());
                    }
                }
            }
            fields.resize(width, String::new());
            w.write_record(&fields)
                .map_err(|e| internal("csv row", e))?;
        }
        let bytes = w.into_inner().map_err(|e| internal("csv", e))?;
        match encoding {
            CsvEncoding::Utf8Bom => {
                let mut out = Vec::with_capacity(UTF8_BOM.len() + bytes.len());
                out.extend_from_slice(UTF8_BOM);
                out.extend_from_slice(&bytes);
                Ok(out)
            }
            CsvEncoding::Gbk => {
                let text = String::from_utf8(bytes).map_err(|e| internal("csv text", e))?;
                let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
                if unmappable {
                    // Every field was checked above; the quotes and separators are ASCII.
                    return Err(internal(
                        "gbk",
                        "a character GBK cannot hold slipped through",
                    ));
                }
                Ok(gbk.into_owned())
            }
        }
    }

    /// Every sheet as an XLSX workbook.
    pub fn xlsx(&self) -> Result<Vec<u8>> {
        let formats = Formats::new();
        let mut book = Workbook::new();
        for sheet in &self.sheets {
            let ws = book.add_worksheet();
            ws.set_name(sheet.name.as_str())
                .map_err(|e| internal("sheet name", e))?;
            write_sheet(ws, sheet, &formats)?;
            if let Some(c) = &sheet.chart {
                let mut chart = Chart::new_column();
                chart.title().set_name(c.title.as_str());
                chart.legend().set_hidden();
                chart
                    .add_series()
                    .set_categories((
                        sheet.name.as_str(),
                        c.first_row,
                        c.label_column,
                        c.last_row,
                        c.label_column,
                    ))
                    .set_values((
                        sheet.name.as_str(),
                        c.first_row,
                        c.value_column,
                        c.last_row,
                        c.value_column,
                    ));
                ws.insert_chart(c.at.0, c.at.1, &chart)
                    .map_err(|e| internal("chart", e))?;
            }
        }
        book.save_to_buffer().map_err(|e| internal("xlsx", e))
    }
}

/// The formats of the cells, each created once.
struct Formats {
    heading: Format,
    money: Format,
    heading_money: Format,
    date: Format,
    datetime: Format,
    decimals: [Format; 3],
}

impl Formats {
    fn new() -> Formats {
        let bold = Format::new().set_bold();
        Formats {
            heading: bold.clone(),
            money: Format::new().set_num_format(MONEY_FORMAT),
            heading_money: bold.set_num_format(MONEY_FORMAT),
            date: Format::new().set_num_format(DATE_FORMAT),
            datetime: Format::new().set_num_format(DATETIME_FORMAT),
            decimals: [
                Format::new().set_num_format("0"),
                Format::new().set_num_format("0.0"),
                Format::new().set_num_format("0.00"),
            ],
        }
    }
}

fn excel_date(d: Date) -> Result<ExcelDateTime> {
    let year = u16::try_from(d.year()).map_err(|e| internal("date", e))?;
    ExcelDateTime::from_ymd(year, d.month().unsigned_abs(), d.day().unsigned_abs())
        .map_err(|e| internal("date", e))
}

fn excel_datetime(dt: DateTime) -> Result<ExcelDateTime> {
    excel_date(dt.date())?
        .and_hms(
            u16::from(dt.hour().unsigned_abs()),
            dt.minute().unsigned_abs(),
            f64::from(dt.second()),
        )
        .map_err(|e| internal("time", e))
}

/// Columns wide enough for their longest text (a Chinese character counts twice), within
/// reason.
fn column_widths(sheet: &Sheet) -> Vec<f64> {
    let mut widths = vec![6usize; sheet.width()];
    for row in &sheet.rows {
        for (c, cell) in row.cells.iter().enumerate() {
            let text = match cell {
                Cell::Money(fen) => format!("{},", yuan(*fen)),
                Cell::Date(_) | Cell::DateTime(_) => format!("{}  ", cell.to_text()),
                other => other.to_text(),
            };
            let w: usize = text
                .chars()
                .map(|ch| if ch.is_ascii() { 1 } else { 2 })
                .sum();
            widths[c] = widths[c].max(w.min(60));
        }
    }
    widths.into_iter().map(|w| (w + 2) as f64).collect()
}

fn write_sheet(ws: &mut Worksheet, sheet: &Sheet, f: &Formats) -> Result<()> {
    let err = |e: rust_xlsxwriter::XlsxError| internal("cell", e);
    for (c, width) in column_widths(sheet).into_iter().enumerate() {
        let col = u16::try_from(c).map_err(|e| internal("column", e))?;
        ws.set_column_width(col, width).map_err(err)?;
    }
    for (r, row) in sheet.rows.iter().enumerate() {
        let r = u32::try_from(r).map_err(|e| internal("row", e))?;
        for (c, cell) in row.cells.iter().enumerate() {
            let c = u16::try_from(c).map_err(|e| internal("column", e))?;
            match cell {
                Cell::Empty => {}
                Cell::Text(s) if row.heading => {
                    ws.write_string_with_format(r, c, s.as_str(), &f.heading)
                        .map_err(err)?;
                }
                Cell::Text(s) => {
                    ws.write_string(r, c, s.as_str()).map_err(err)?;
                }
                Cell::Int(n) => {
                    // Counts stay far below 2^53, where an f64 still holds every integer.
                    let n = *n as f64;
                    let written = if row.heading {
                        ws.write_number_with_format(r, c, n, &f.heading)
                    } else {
                        ws.write_number(r, c, n)
                    };
                    written.map_err(err)?;
                }
                Cell::Decimal { value, places } => {
                    let format = &f.decimals[usize::from(*places).min(2)];
                    ws.write_number_with_format(r, c, *value, format)
                        .map_err(err)?;
                }
                Cell::Money(fen) => {
                    let format = if row.heading {
                        &f.heading_money
                    } else {
                        &f.money
                    };
                    ws.write_number_with_format(r, c, *fen as f64 / 100.0, format)
                        .map_err(err)?;
                }
                Cell::Date(d) => {
                    ws.write_datetime_with_format(r, c, excel_date(*d)?, &f.date)
                        .map_err(err)?;
                }
                Cell::DateTime(dt) => {
                    ws.write_datetime_with_format(r, c, excel_datetime(*dt)?, &f.datetime)
                        .map_err(err)?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use calamine::{Data, Reader};
    use jiff::civil::date;

    use super::*;

    fn report() -> Export {
        let mut data = Sheet::new("投诉统计");
        data.push(Row::heading([
            "类别",
            "投诉数",
            "处理成本（元）",
            "平均结案时长（小时）",
        ]));
        data.push(Row::new(vec![
            "产品质量, \"特急\"".into(),
            Cell::Int(2),
            Cell::Money(123_450),
            Cell::Decimal {
                value: 12.34,
                places: 1,
            },
        ]));
        data.push(Row::blank());
        data.push(Row::heading(["阶段", "次数"]));
        data.push(Row::new(vec!["受理\n复核".into(), Cell::Int(3)]));
        data.push(Row::new(vec![
            Cell::Date(date(2026, 11, 1)),
            Cell::DateTime(date(2026, 11, 30).at(9, 30, 0, 0)),
        ]));
        let mut about = Sheet::new("条件");
        about.push(Row::new(vec![
            "开始日期".into(),
            Cell::Date(date(2026, 11, 1)),
        ]));
        Export::new(data, Some(about))
    }

    fn records(bytes: &[u8]) -> Vec<Vec<String>> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(bytes)
            .records()
            .map(|r| {
                r.expect("a well-formed row")
                    .iter()
                    .map(str::to_owned)
                    .collect()
            })
            .collect()
    }

    #[test]
    fn a_text_cell_that_would_start_a_formula_is_guarded_and_reads_back_as_typed() {
        for text in [
            "=HYPERLINK(\"http://x\",\"点我\")",
            "+8613812345678",
            "-",
            "@SUM(A1)",
        ] {
            let guarded = guard_formula(text);
            assert_eq!(guarded, format!("'{text}"));
            assert_eq!(unguard_formula(&guarded), text);
        }
        for text in ["温州瓯江电器", "'引号开头", "13812345678", ""] {
            assert_eq!(guard_formula(text), text);
            assert_eq!(unguard_formula(text), text);
        }
        let mut sheet = Sheet::new("s");
        sheet.push(Row::new(vec![
            Cell::Text("=1+2".into()),
            Cell::Money(-50),
            Cell::Int(-3),
        ]));
        let csv = Export::new(sheet, None).csv(CsvEncoding::Utf8Bom).unwrap();
        let text = String::from_utf8(csv[3..].to_vec()).unwrap();
        assert_eq!(text, "'=1+2,-0.50,-3\r\n", "numbers are never guarded");
    }

    #[test]
    fn csv_rows_are_all_as_wide_as_the_widest_and_quoted() {
        let bytes = report().csv(CsvEncoding::Utf8Bom).unwrap();
        assert!(bytes.starts_with(UTF8_BOM));
        let rows = records(&bytes[UTF8_BOM.len()..]);
        assert_eq!(rows.len(), 6, "{rows:?}");
        assert!(rows.iter().all(|r| r.len() == 4), "{rows:?}");
        assert_eq!(rows[1], ["产品质量, \"特急\"", "2", "1234.50", "12.3"]);
        assert_eq!(rows[4][..2], ["受理\n复核", "3"]);
        assert_eq!(rows[5][..2], ["2026-11-01", "2026-11-30 09:30"]);
        assert!(String::from_utf8(bytes).unwrap().ends_with("\r\n"));
    }

    #[test]
    fn gbk_holds_the_same_rows_and_refuses_what_it_cannot_hold() {
        let utf8 = report().csv(CsvEncoding::Utf8Bom).unwrap();
        let gbk = report().csv(CsvEncoding::Gbk).unwrap();
        assert!(!gbk.starts_with(UTF8_BOM));
        let (text, _, bad) = encoding_rs::GBK.decode(&gbk);
        assert!(!bad);
        assert_eq!(records(text.as_bytes()), records(&utf8[UTF8_BOM.len()..]));

        let mut e = report();
        e.sheets[0].rows[4].cells[0] = "受理😀".into();
        assert!(
            matches!(
                e.csv(CsvEncoding::Gbk),
                Err(AppError::Export(ExportError::NotInGbk {
                    character: '😀',
                    row: 5,
                    column: 1
                }))
            ),
            "the character and where it is are named"
        );
    }

    #[test]
    fn yuan_keeps_the_sign_and_two_decimals() {
        assert_eq!(yuan(0), "0.00");
        assert_eq!(yuan(-50), "-0.50");
        assert_eq!(yuan(123_405), "1234.05");
        assert_eq!(yuan(i64::MIN), "-92233720368547758.08");
    }

    #[test]
    fn xlsx_cells_are_typed_and_sheets_named() {
        let bytes = report().xlsx().unwrap();
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(book.sheet_names(), ["投诉统计", "条件"]);
        let range = book.worksheet_range("投诉统计").unwrap();
        assert_eq!(range.get_value((1, 1)), Some(&Data::Float(2.0)));
        assert_eq!(range.get_value((1, 2)), Some(&Data::Float(1234.5)));
        assert!(matches!(range.get_value((5, 0)), Some(Data::DateTime(_))));
        let styles = book.worksheet_style("投诉统计").unwrap();
        let money = styles
            .get((1, 2))
            .and_then(|s| s.number_format.as_ref())
            .map(|f| f.format_code.as_str());
        assert_eq!(money, Some(MONEY_FORMAT));
    }
}
