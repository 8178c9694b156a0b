//! Reading an import file: CSV (UTF-8 or GBK) or XLSX into a table of text, with the
//! limits that keep a hostile file from taking the server down — the file's size, the
//! archive's declared contents (a zip bomb is refused before anything is unpacked), the
//! sheet's extent and the number of data rows.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use kefu_domain::customer_import::{self as import_rules, HeaderError, TOP_ROWS};

/// Largest file accepted.
pub const MAX_IMPORT_BYTES: usize = 50 * 1024 * 1024;

/// 单次导入行数上限 — most data rows one file may hold (the header and blank rows not
/// counted), for CSV and XLSX alike: every row is checked and written while the person
/// waits, so a bigger list is split into several files.
pub const MAX_IMPORT_ROWS: usize = 50_000;

/// The last sheet row an import reads (blank rows between data count here, not in
/// [`MAX_IMPORT_ROWS`]).
pub const MAX_SHEET_ROW: u32 = 200_000;

/// The most columns an import reads: the archive has a few dozen.
pub const MAX_IMPORT_COLUMNS: u32 = 200;

/// Most files an XLSX archive may hold. A workbook holds a few dozen (sheets, styles,
/// shared strings, images); tens of thousands are there to make the reader work.
pub const MAX_XLSX_ENTRIES: usize = 10_000;

/// Largest unpacked size one file inside an XLSX archive may declare — in practice a
/// worksheet's XML or the shared strings; 50,000 customers in 20 columns come to some 35 MB.
pub const MAX_XLSX_ENTRY_BYTES: u64 = 64 * 1024 * 1024;

/// Largest unpacked size all the files inside an XLSX archive may declare together.
pub const MAX_XLSX_UNPACKED_BYTES: u64 = 128 * 1024 * 1024;

/// 压缩炸弹 — the highest compression ratio (unpacked : packed) accepted for a file inside an
/// XLSX archive that unpacks to more than [`XLSX_RATIO_FLOOR_BYTES`]. Worksheet XML packs
/// some tens to one; a zip bomb's zeros pack about a thousand to one.
pub const MAX_XLSX_RATIO: u64 = 200;

/// Files inside an XLSX archive up to this unpacked size may pack better than
/// [`MAX_XLSX_RATIO`]: small repetitive parts (styles, an empty sheet) do, harmlessly.
pub const XLSX_RATIO_FLOOR_BYTES: u64 = 1024 * 1024;

/// Why a file cannot be imported at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportFileError {
    #[error("the file is {tenths_mb} tenths of a MB; the limit is {max_mb} MB")]
    TooLarge { tenths_mb: usize, max_mb: usize },
    #[error("the file has {found} data rows; the limit is {max}")]
    TooManyRows { found: usize, max: usize },
    #[error(
        "a cell in row {row}, column {column} is past the {max_rows} rows and {max_columns} columns read"
    )]
    CellOutOfRange {
        row: u32,
        column: u32,
        max_rows: u32,
        max_columns: u32,
    },
    #[error("the workbook holds {found} files; the limit is {max}")]
    TooManyEntries { found: usize, max: usize },
    /// `entry` names the file inside the workbook (at most 100 characters of it).
    #[error("{entry} unpacks to {found} bytes; the limit for one file is {max}")]
    EntryTooLarge { entry: String, found: u64, max: u64 },
    #[error("the workbook unpacks to {found} bytes; the limit is {max}")]
    UnpackedTooLarge { found: u64, max: u64 },
    /// `found` is the ratio rounded up, so it is never shown as the limit itself.
    #[error("{entry} is packed {found}:1; the limit is {max}:1")]
    CompressionRatio { entry: String, found: u64, max: u64 },
    #[error("the file is empty")]
    Empty,
    #[error("the text is neither UTF-8 nor GBK")]
    Encoding,
    #[error("the spreadsheet cannot be read: {0}")]
    Spreadsheet(String),
    #[error("line {line}: {reason}")]
    Csv { line: u64, reason: String },
    #[error(transparent)]
    Header(#[from] HeaderError),
}

/// A table read from a file: headers, rows, and the text encoding found.
#[derive(Debug)]
pub struct Table {
    pub headers: Vec<String>,
    /// The data rows, blank ones kept; `rows[i]` is spreadsheet row `header_row + 1 + i`.
    pub rows: Vec<Vec<String>>,
    pub encoding: &'static str,
    /// The spreadsheet row number of the header: 1, unless title rows stand above it or the
    /// sheet's first used row is lower.
    pub header_row: usize,
    /// 标题行 — the title rows passed over above the header (`2026年客户名单(内部资料)`), with
    /// their row numbers, so the import can say it skipped them.
    pub titles: Vec<(usize, String)>,
}

fn cell(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        // Phone numbers typed into Excel arrive as numbers: no ".0", no exponent.
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => d.to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("{e:?}"),
    }
}

/// Reads a CSV or XLSX file into a table.
pub fn read_table(filename: &str, bytes: &[u8]) -> std::result::Result<Table, ImportFileError> {
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(ImportFileError::TooLarge {
            tenths_mb: bytes.len() * 10 / (1024 * 1024),
            max_mb: MAX_IMPORT_BYTES / (1024 * 1024),
        });
    }
    if bytes.is_empty() {
        return Err(ImportFileError::Empty);
    }
    let lower = filename.to_lowercase();
    if bytes.starts_with(b"PK") || lower.ends_with(".xlsx") {
        check_archive(bytes)?;
        let (first_row, rows) = sheet_rows(bytes)?;
        return table(rows.into_iter().map(Ok), first_row, "xlsx");
    }
    let (text, encoding) = match std::str::from_utf8(bytes) {
        Ok(t) => (t.trim_start_matches('\u{feff}').to_owned(), "utf-8"),
        Err(_) => {
            // Excel in China saves "CSV" as GBK (GB18030 is its superset).
            let (t, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
            if had_errors {
                return Err(ImportFileError::Encoding);
            }
            (t.into_owned(), "gbk")
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let csv_err = |e: csv::Error| ImportFileError::Csv {
        line: e.position().map_or(0, |p| p.line()),
        reason: e.to_string(),
    };
    let records = reader.records().map(|r| {
        r.map(|record| record.iter().map(str::to_owned).collect::<Vec<String>>())
            .map_err(csv_err)
    });
    table(records, 1, encoding)
}

/// A file's rows as a table: the header found among the first [`TOP_ROWS`] rows (under
/// any title rows, which are kept to be reported), then the data rows. `first_row` is the
/// spreadsheet row number of the first row.
fn table(
    rows: impl Iterator<Item = std::result::Result<Vec<String>, ImportFileError>>,
    first_row: usize,
    encoding: &'static str,
) -> std::result::Result<Table, ImportFileError> {
    // A list kefu exported guards cells that would start a formula; read them as typed.
    let mut rows = rows.map(|r| {
        r.map(|cells| {
            cells
                .into_iter()
                .map(|c| match crate::export::unguard_formula(&c) {
                    s if s.len() == c.len() => c,
                    s => s.to_owned(),
                })
                .collect::<Vec<String>>()
        })
    });
    let mut top = Vec::new();
    for row in rows.by_ref().take(TOP_ROWS) {
        top.push(row?);
    }
    if top.iter().all(|r| is_blank(r)) {
        return Err(ImportFileError::Empty);
    }
    let at = import_rules::header_index(&top, first_row)?;
    let titles: Vec<(usize, String)> = top[..at]
        .iter()
        .enumerate()
        .filter(|(_, r)| !is_blank(r))
        .map(|(i, r)| {
            let text: Vec<&str> = r
                .iter()
                .map(|c| c.trim())
                .filter(|c| !c.is_empty())
                .collect();
            (
                first_row + i,
                text.join(" ").chars().take(100).collect::<String>(),
            )
        })
        .collect();
    let mut rest = top.into_iter().skip(at);
    let headers = rest.next().ok_or(ImportFileError::Empty)?;
    Ok(Table {
        headers,
        rows: data_rows(rest.map(Ok).chain(rows))?,
        encoding,
        header_row: first_row + at,
        titles,
    })
}

/// The first sheet's rows, from its first used row and column, read cell by cell, with the
/// spreadsheet row number of the first: a sheet that names a cell far away (`XFD1048576`)
/// would make a dense grid of billions of empty cells, so a used cell past
/// [`MAX_SHEET_ROW`] or [`MAX_IMPORT_COLUMNS`] refuses the file before any grid is made, and
/// rows hold only up to their last used cell.
fn sheet_rows(bytes: &[u8]) -> std::result::Result<(usize, Vec<Vec<String>>), ImportFileError> {
    let spreadsheet = |e: calamine::XlsxError| ImportFileError::Spreadsheet(e.to_string());
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(spreadsheet)?;
    let first = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or(ImportFileError::Empty)?;
    let mut reader = book.worksheet_cells_reader(&first).map_err(spreadsheet)?;
    let mut cells: Vec<(u32, u32, String)> = Vec::new();
    while let Some(c) = reader.next_cell().map_err(spreadsheet)? {
        let (row, col) = c.get_position();
        let text = cell(&Data::from(c.get_value().clone()));
        if text.is_empty() {
            continue;
        }
        if row >= MAX_SHEET_ROW || col >= MAX_IMPORT_COLUMNS {
            return Err(ImportFileError::CellOutOfRange {
                row: row + 1,
                column: col + 1,
                max_rows: MAX_SHEET_ROW,
                max_columns: MAX_IMPORT_COLUMNS,
            });
        }
        cells.push((row, col, text));
    }
    let (Some(top), Some(left)) = (
        cells.iter().map(|c| c.0).min(),
        cells.iter().map(|c| c.1).min(),
    ) else {
        return Ok((1, Vec::new()));
    };
    let bottom = cells.iter().map(|c| c.0).max().unwrap_or(top);
    let mut rows: Vec<Vec<String>> = vec![Vec::new(); (bottom - top + 1) as usize];
    for (row, col, text) in cells {
        let r = &mut rows[(row - top) as usize];
        let i = (col - left) as usize;
        if r.len() <= i {
            r.resize(i + 1, String::new());
        }
        r[i] = text;
    }
    Ok((top as usize + 1, rows))
}

/// A row with nothing in it; the import skips such rows and does not count them.
pub(super) fn is_blank(row: &[String]) -> bool {
    row.iter().all(|c| c.trim().is_empty())
}

/// The data rows of a file, blank ones kept so that row numbers stay those of the
/// spreadsheet, refused when more than [`MAX_IMPORT_ROWS`] are not blank. Rows past the
/// limit are counted but not kept, so the refusal says how many the file has.
fn data_rows(
    rows: impl Iterator<Item = std::result::Result<Vec<String>, ImportFileError>>,
) -> std::result::Result<Vec<Vec<String>>, ImportFileError> {
    let mut kept = Vec::new();
    let mut found = 0;
    for row in rows {
        let row = row?;
        if !is_blank(&row) {
            found += 1;
        }
        if found <= MAX_IMPORT_ROWS {
            kept.push(row);
        }
    }
    if found > MAX_IMPORT_ROWS {
        return Err(ImportFileError::TooManyRows {
            found,
            max: MAX_IMPORT_ROWS,
        });
    }
    Ok(kept)
}

/// What an XLSX archive's central directory declares about one file inside it.
struct Declared {
    name: String,
    /// Bytes in the archive.
    packed: u64,
    /// Bytes once unpacked.
    unpacked: u64,
}

/// Refuses a zip bomb (压缩炸弹) before calamine unpacks anything: reads only the archive's
/// central directory and holds what it declares to the `MAX_XLSX_*` limits.
///
/// Declared sizes can lie, but calamine cannot unpack more than they say: the zip crate
/// (9.8.2, the one calamine uses) holds every file opened through `ZipArchive` to the
/// uncompressed size its central directory declares. `ZipFileData::make_reader`
/// (zip-9.8.2/src/types.rs:127) takes that size as the limit, `make_reader` in
/// src/read/readers.rs:355 and :374 wraps the stored or inflating reader in
/// `Crc32Reader::with_size_limit`, and `Crc32Reader::count` (src/crc32.rs:43-51) fails the
/// read with "File is larger than its declared uncompressed size" as soon as more has come
/// out (at most one read buffer more). Only streamed reading (`read_zipfile_from_stream`,
/// src/read/stream.rs:985-987) lifts the limit; calamine opens files by name through
/// `ZipArchive`. The test `a_file_that_unpacks_to_more_than_it_declares_is_cut_off` keeps
/// this true across upgrades.
fn check_archive(bytes: &[u8]) -> std::result::Result<(), ImportFileError> {
    let unreadable = |e: zip::result::ZipError| ImportFileError::Spreadsheet(e.to_string());
    let archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(unreadable)?;
    if archive.len() > MAX_XLSX_ENTRIES {
        return Err(ImportFileError::TooManyEntries {
            found: archive.len(),
            max: MAX_XLSX_ENTRIES,
        });
    }
    let mut files = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let entry = archive.by_index_data(i).map_err(unreadable)?;
        files.push(Declared {
            name: entry.name().map_or_else(
                |_| format!("#{}", i + 1),
                |n| n.chars().take(100).collect::<String>(),
            ),
            packed: entry.compressed_size(),
            unpacked: entry.size(),
        });
    }
    check_declared(&files)
}

/// The size limits on what an archive declares: one file, all of them, then the ratio.
fn check_declared(files: &[Declared]) -> std::result::Result<(), ImportFileError> {
    if let Some(f) = files.iter().find(|f| f.unpacked > MAX_XLSX_ENTRY_BYTES) {
        return Err(ImportFileError::EntryTooLarge {
            entry: f.name.clone(),
            found: f.unpacked,
            max: MAX_XLSX_ENTRY_BYTES,
        });
    }
    let total = files
        .iter()
        .fold(0u64, |sum, f| sum.saturating_add(f.unpacked));
    if total > MAX_XLSX_UNPACKED_BYTES {
        return Err(ImportFileError::UnpackedTooLarge {
            found: total,
            max: MAX_XLSX_UNPACKED_BYTES,
        });
    }
    let packed_too_well = |f: &&Declared| {
        f.unpacked > XLSX_RATIO_FLOOR_BYTES && f.unpacked > f.packed.saturating_mul(MAX_XLSX_RATIO)
    };
    if let Some(f) = files.iter().find(packed_too_well) {
        return Err(ImportFileError::CompressionRatio {
            entry: f.name.clone(),
            found: f.unpacked.div_ceil(f.packed.max(1)),
            max: MAX_XLSX_RATIO,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Read, Write};

    use super::*;

    const MIB: u64 = 1024 * 1024;

    /// A workbook as people send it: the header 客户名称 and one customer.
    fn workbook() -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "客户名称").unwrap();
        sheet.write_string(1, 0, "杭州明达贸易有限公司").unwrap();
        book.save_to_buffer().unwrap()
    }

    fn deflated() -> zip::write::SimpleFileOptions {
        zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
    }

    /// `xlsx` with more files in it, deflated as Excel deflates them.
    fn with_files(xlsx: Vec<u8>, files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        w.merge_archive(zip::ZipArchive::new(Cursor::new(xlsx)).unwrap())
            .unwrap();
        for (name, data) in files {
            w.start_file(*name, deflated()).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    /// Rewrites the unpacked size the central directory declares for the file `name`.
    fn declare_size(archive: &mut [u8], name: &str, size: u32) {
        let at = (0..archive.len().saturating_sub(46))
            .find(|&i| {
                archive[i..i + 4] == *b"PK\x01\x02" && {
                    let len = usize::from(u16::from_le_bytes([archive[i + 28], archive[i + 29]]));
                    archive.get(i + 46..i + 46 + len) == Some(name.as_bytes())
                }
            })
            .expect("the file's central directory header");
        archive[at + 24..at + 28].copy_from_slice(&size.to_le_bytes());
    }

    fn declared(name: &str, packed: u64, unpacked: u64) -> Declared {
        Declared {
            name: name.to_owned(),
            packed,
            unpacked,
        }
    }

    #[test]
    fn a_cell_far_away_is_refused_before_any_grid_is_made() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "客户名称").unwrap();
        sheet.write_string(1, 0, "杭州明达贸易有限公司").unwrap();
        // XFD1048576: a dense grid to it would be 17 billion cells.
        sheet.write_string(1_048_575, 16_383, "x").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        match read_table("far.xlsx", &bytes) {
            Err(ImportFileError::CellOutOfRange { row, column, .. }) => {
                assert_eq!((row, column), (1_048_576, 16_384));
            }
            other => panic!("expected CellOutOfRange, got {other:?}"),
        }
        // Offset content keeps its shape: the table starts at its first used cell.
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(2, 1, "客户名称").unwrap();
        sheet.write_string(2, 2, "客户等级").unwrap();
        sheet.write_string(4, 1, "杭州明达贸易有限公司").unwrap();
        let t = read_table("offset.xlsx", &book.save_to_buffer().unwrap()).unwrap();
        assert_eq!(t.headers, vec!["客户名称", "客户等级"]);
        assert_eq!(t.header_row, 3, "row numbers are the sheet's");
        assert_eq!(
            t.rows,
            vec![vec![], vec!["杭州明达贸易有限公司".to_owned()]]
        );
    }

    #[test]
    fn a_title_row_above_the_header_is_passed_over_in_csv_and_xlsx() {
        let csv = "2026年客户名单(内部资料),,\n客户名称,手机,地区\n杭州明达贸易有限公司,13812345678,浙江杭州\n";
        let t = read_table("c.csv", csv.as_bytes()).unwrap();
        assert_eq!(t.headers, ["客户名称", "手机", "地区"]);
        assert_eq!(t.header_row, 2);
        assert_eq!(t.titles, [(1, "2026年客户名单(内部资料)".to_owned())]);
        assert_eq!(t.rows.len(), 1);

        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet
            .merge_range(
                0,
                0,
                0,
                2,
                "2026年客户名单(内部资料)",
                &rust_xlsxwriter::Format::new(),
            )
            .unwrap();
        for (c, h) in ["客户名称", "手机", "地区"].iter().enumerate() {
            sheet.write_string(1, c as u16, *h).unwrap();
        }
        sheet.write_string(2, 0, "杭州明达贸易有限公司").unwrap();
        let t = read_table("c.xlsx", &book.save_to_buffer().unwrap()).unwrap();
        assert_eq!(t.headers, ["客户名称", "手机", "地区"]);
        assert_eq!((t.header_row, t.titles.len()), (2, 1));
        assert_eq!(t.titles[0].1, "2026年客户名单(内部资料)");

        // A title over data with no header under it: refused, saying where the header goes.
        let csv = "2026年客户名单,,\n杭州明达贸易有限公司,13812345678,浙江杭州\n";
        assert_eq!(
            read_table("c.csv", csv.as_bytes()).err(),
            Some(ImportFileError::Header(HeaderError::TitleRow {
                row: 1,
                text: "2026年客户名单".into()
            }))
        );
    }

    #[test]
    fn an_ordinary_workbook_passes_the_checks() {
        let table = read_table("客户.xlsx", &workbook()).expect("an ordinary workbook");
        assert_eq!(table.headers, ["客户名称"]);
        assert_eq!(table.rows, [["杭州明达贸易有限公司"]]);
    }

    #[test]
    fn a_zip_bomb_is_refused_before_it_is_unpacked() {
        // 2 MiB of zeros pack into about 2 KB, a thousand to one, as a zip bomb's do.
        let zeros = vec![0u8; 2 * 1024 * 1024];
        let bomb = with_files(workbook(), &[("xl/media/zeros.bin", zeros.as_slice())]);
        let err = read_table("bomb.xlsx", &bomb).err();
        let Some(ImportFileError::CompressionRatio { entry, found, max }) = &err else {
            panic!("{err:?}");
        };
        assert_eq!(entry, "xl/media/zeros.bin");
        assert!(*found > MAX_XLSX_RATIO, "{found}");
        assert_eq!(*max, MAX_XLSX_RATIO);
    }

    #[test]
    fn an_archive_of_too_many_files_is_refused() {
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..=MAX_XLSX_ENTRIES {
            w.start_file(format!("xl/media/image{i}.png"), stored)
                .unwrap();
        }
        let bytes = w.finish().unwrap().into_inner();
        assert_eq!(
            read_table("many.xlsx", &bytes).err(),
            Some(ImportFileError::TooManyEntries {
                found: MAX_XLSX_ENTRIES + 1,
                max: MAX_XLSX_ENTRIES
            })
        );
    }

    #[test]
    fn declared_sizes_are_held_to_the_limits() {
        let sheet2 = || {
            declared(
                "xl/worksheets/sheet2.xml",
                (2 * MIB).div_ceil(MAX_XLSX_RATIO),
                2 * MIB,
            )
        };
        // At the limits: accepted.
        assert_eq!(
            check_declared(&[
                declared("xl/worksheets/sheet1.xml", 8 * MIB, MAX_XLSX_ENTRY_BYTES),
                declared(
                    "xl/sharedStrings.xml",
                    8 * MIB,
                    MAX_XLSX_ENTRY_BYTES - 3 * MIB
                ),
                declared("xl/styles.xml", 1, XLSX_RATIO_FLOOR_BYTES),
                sheet2(),
            ]),
            Ok(())
        );
        // Each file within its limits, all of them together not.
        assert_eq!(
            check_declared(&[
                declared("xl/worksheets/sheet1.xml", 8 * MIB, MAX_XLSX_ENTRY_BYTES),
                declared("xl/sharedStrings.xml", 8 * MIB, MAX_XLSX_ENTRY_BYTES),
                declared("xl/styles.xml", 1, XLSX_RATIO_FLOOR_BYTES),
                sheet2(),
            ]),
            Err(ImportFileError::UnpackedTooLarge {
                found: MAX_XLSX_UNPACKED_BYTES + 3 * MIB,
                max: MAX_XLSX_UNPACKED_BYTES
            })
        );
        assert_eq!(
            check_declared(&[declared(
                "xl/worksheets/sheet1.xml",
                10 * MIB,
                MAX_XLSX_ENTRY_BYTES + 1
            )]),
            Err(ImportFileError::EntryTooLarge {
                entry: "xl/worksheets/sheet1.xml".into(),
                found: MAX_XLSX_ENTRY_BYTES + 1,
                max: MAX_XLSX_ENTRY_BYTES
            })
        );
        // 2,097,152 / 10,000 = 209.7, shown as 210.
        assert_eq!(
            check_declared(&[declared("xl/media/zeros.bin", 10_000, 2 * MIB)]),
            Err(ImportFileError::CompressionRatio {
                entry: "xl/media/zeros.bin".into(),
                found: 210,
                max: MAX_XLSX_RATIO
            })
        );
    }

    #[test]
    fn a_file_that_unpacks_to_more_than_it_declares_is_cut_off() {
        // The zip crate stops reading a file at its declared size (and one read past it).
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        w.start_file("zeros.bin", deflated()).unwrap();
        w.write_all(&vec![0u8; 2 * 1024 * 1024]).unwrap();
        let mut bytes = w.finish().unwrap().into_inner();
        declare_size(&mut bytes, "zeros.bin", 1024);
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut out = Vec::new();
        let err = archive
            .by_name("zeros.bin")
            .unwrap()
            .read_to_end(&mut out)
            .unwrap_err();
        assert!(
            err.to_string().contains("declared uncompressed size"),
            "{err}"
        );
        assert!(out.len() <= 1024 + 1, "{} bytes came out", out.len());

        // So calamine fails on a worksheet longer than declared instead of reading it all.
        let mut xlsx = workbook();
        declare_size(&mut xlsx, "xl/worksheets/sheet1.xml", 100);
        let err = read_table("short.xlsx", &xlsx).err();
        assert!(
            matches!(&err, Some(ImportFileError::Spreadsheet(m)) if m.contains("declared uncompressed size")),
            "{err:?}"
        );
    }

    #[test]
    fn more_data_rows_than_the_limit_are_refused_with_the_count() {
        let file = |count: usize| {
            let mut text = String::from("客户名称,手机\n");
            for n in 0..count {
                text.push_str(&format!("客户{n},\n"));
                // Blank rows are kept, for the row numbers, but not counted.
                if n % 1000 == 0 {
                    text.push_str(",\n");
                }
            }
            text.into_bytes()
        };
        let table = read_table("c.csv", &file(MAX_IMPORT_ROWS)).expect("at the limit");
        assert_eq!(
            table.rows.iter().filter(|r| !is_blank(r)).count(),
            MAX_IMPORT_ROWS
        );
        assert_eq!(table.rows.len(), MAX_IMPORT_ROWS + MAX_IMPORT_ROWS / 1000);
        assert_eq!(
            read_table("c.csv", &file(MAX_IMPORT_ROWS + 1)).err(),
            Some(ImportFileError::TooManyRows {
                found: MAX_IMPORT_ROWS + 1,
                max: MAX_IMPORT_ROWS
            })
        );
    }
}
