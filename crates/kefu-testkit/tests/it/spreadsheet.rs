//! Reading back what kefu exports, the way a careful reader would: a CSV with a reader that
//! refuses rows of unequal length, in UTF-8 (after the byte-order mark Excel needs) or in
//! GBK; an XLSX with calamine, cell by cell, with each cell's number format.

use std::io::Cursor;

use calamine::{Data, Range, Reader, Xlsx};
use jiff::civil::Date;

/// The UTF-8 byte-order mark.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A CSV's records; a row of another width than the first, or a broken quote, fails.
pub fn records(text: &str) -> Vec<Vec<String>> {
    let rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| {
            r.unwrap_or_else(|e| panic!("a malformed row: {e}\n{text}"))
                .iter()
                .map(str::to_owned)
                .collect()
        })
        .collect();
    assert!(!rows.is_empty(), "no rows: {text:?}");
    rows
}

/// A UTF-8 export: the byte-order mark first, CRLF line ends, well-formed rows.
pub fn utf8_csv(bytes: &[u8]) -> Vec<Vec<String>> {
    assert!(bytes.starts_with(BOM), "a byte-order mark first");
    let text = std::str::from_utf8(&bytes[BOM.len()..]).expect("UTF-8");
    assert!(text.ends_with("\r\n"), "CRLF line ends: {text:?}");
    records(text)
}

/// A GBK export: no byte-order mark, GBK throughout, well-formed rows.
pub fn gbk_csv(bytes: &[u8]) -> Vec<Vec<String>> {
    assert!(!bytes.starts_with(BOM), "no byte-order mark in GBK");
    let (text, had_errors) = encoding_rs::GBK.decode_without_bom_handling(bytes);
    assert!(!had_errors, "GBK throughout");
    records(&text)
}

pub fn xlsx(bytes: &[u8]) -> Xlsx<Cursor<Vec<u8>>> {
    Xlsx::new(Cursor::new(bytes.to_vec())).expect("an XLSX workbook")
}

/// A numeric cell's value; a number written as text fails.
pub fn number(range: &Range<Data>, pos: (u32, u32)) -> f64 {
    match range.get_value(pos) {
        Some(Data::Float(f)) => *f,
        Some(Data::Int(i)) => *i as f64,
        other => panic!("a number at {pos:?}, found {other:?}"),
    }
}

/// A text cell's value.
pub fn text(range: &Range<Data>, pos: (u32, u32)) -> &str {
    match range.get_value(pos) {
        Some(Data::String(s)) => s,
        other => panic!("text at {pos:?}, found {other:?}"),
    }
}

/// A date cell's serial number (days since 1899-12-30, the time as the fraction); a date
/// written as text or as a plain number fails.
pub fn date_serial(range: &Range<Data>, pos: (u32, u32)) -> f64 {
    match range.get_value(pos) {
        Some(Data::DateTime(d)) if d.is_datetime() => d.as_f64(),
        other => panic!("a date at {pos:?}, found {other:?}"),
    }
}

/// The serial number Excel gives a day.
pub fn excel_day(day: Date) -> f64 {
    let days = day
        .since(jiff::civil::date(1899, 12, 30))
        .unwrap()
        .get_days();
    f64::from(days)
}

/// The number format code of a cell (`#,##0.00`, `yyyy-mm-dd`), if it has one.
pub fn number_format(
    book: &mut Xlsx<Cursor<Vec<u8>>>,
    sheet: &str,
    pos: (u32, u32),
) -> Option<String> {
    let styles = book.worksheet_style(sheet).unwrap();
    styles
        .get(pos)
        .and_then(|s| s.number_format.as_ref())
        .map(|f| f.format_code.clone())
}
