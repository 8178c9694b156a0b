//! The backup file: a zip archive (any unzip lists and opens it) of `manifest.json` and one
//! part per table, `tables/<name>.jsonl`, deflated.
//!
//! A part has one line per row in key order: a JSON array of the row's values in the order
//! of the manifest's `columns` (sorted by name) — integers as numbers, text as strings, bytes
//! as `{"base64": "…"}`, NULL as `null`. The manifest names the format and its version, the
//! kefu and the newest database migration the backup was made with, the backend it came
//! from, when it was made, and per table its columns, rows, bytes, SHA-256 and the last id
//! its sequence handed out; `sha256` covers every part in the order listed. The zip's own
//! CRC-32 catches a damaged manifest.
//!
//! Writing and reading run on a blocking thread (compression and checksums are CPU work);
//! the database side hands rows over a bounded channel.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use kefu_store::backup::Value;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

use super::BackupError;

/// What `format` says in every kefu backup's manifest.
pub const FORMAT: &str = "kefu-backup";
/// The version of the format this kefu writes and reads.
pub const FORMAT_VERSION: i64 = 1;
pub const MANIFEST: &str = "manifest.json";

/// Rows handed over at once, at most (fewer when they are large).
pub(crate) const BATCH_ROWS: usize = 1000;
/// Bytes of values handed over at once, about.
pub(crate) const BATCH_BYTES: usize = 8 * 1024 * 1024;

/// What a backup holds, as `manifest.json` says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub format_version: i64,
    /// The kefu that made it.
    pub kefu_version: String,
    /// The newest database migration applied when it was made.
    pub migration: i64,
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// Sorted by name.
    pub tables: Vec<TablePart>,
    /// SHA-256 (hex) of every part, one after the other, in the order of `tables`.
    pub sha256: String,
}

impl Manifest {
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }

    pub fn table(&self, name: &str) -> Option<&TablePart> {
        self.tables.iter().find(|t| t.name == name)
    }
}

/// One table's part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TablePart {
    pub name: String,
    /// Its file in the archive.
    pub part: String,
    /// The order of the values in each row.
    pub columns: Vec<String>,
    pub rows: u64,
    /// Length of the part, uncompressed.
    pub bytes: u64,
    /// SHA-256 (hex) of the part, uncompressed.
    pub sha256: String,
    /// The last id the table's sequence handed out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence: Option<i64>,
}

/// What the database side hands the writer, in order: a table, its rows, the next table …
pub(crate) enum Feed {
    Table {
        name: String,
        columns: Vec<String>,
        sequence: Option<i64>,
    },
    Rows(Vec<Vec<Value>>),
    Finish {
        migration: i64,
        backend: String,
        created_at: String,
    },
}

fn part_name(table: &str) -> String {
    format!("tables/{table}.jsonl")
}

fn options() -> zip::write::SimpleFileOptions {
    // Level 1: most of what deflate saves on these lines at a fraction of the time.
    zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1))
        .large_file(true)
        .unix_permissions(0o600)
}

struct OpenPart {
    part: TablePart,
    hash: Sha256,
}

impl OpenPart {
    fn close(self) -> TablePart {
        let mut part = self.part;
        part.sha256 = hex::encode(self.hash.finalize());
        part
    }
}

/// Writes the backup to `path` (a new file, readable by its owner only: it holds everything
/// kefu knows, secrets included) from what `feed` hands over; returns its manifest.
pub(crate) fn write(path: &Path, mut feed: mpsc::Receiver<Feed>) -> Result<Manifest, BackupError> {
    let shown = path.display().to_string();
    let io_err = |source: std::io::Error| BackupError::Write {
        path: shown.clone(),
        source,
    };
    let zip_err = |e: zip::result::ZipError| BackupError::Write {
        path: shown.clone(),
        source: std::io::Error::other(e),
    };
    let file = File::options()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(io_err)?;
    let mut zip = zip::ZipWriter::new(BufWriter::with_capacity(1 << 20, file));
    let mut parts: Vec<TablePart> = Vec::new();
    let mut open: Option<OpenPart> = None;
    let mut total = Sha256::new();
    let mut line: Vec<u8> = Vec::with_capacity(1 << 12);
    while let Some(item) = feed.blocking_recv() {
        match item {
            Feed::Table {
                name,
                columns,
                sequence,
            } => {
                if let Some(done) = open.take() {
                    parts.push(done.close());
                }
                let part = part_name(&name);
                zip.start_file(part.as_str(), options()).map_err(zip_err)?;
                open = Some(OpenPart {
                    part: TablePart {
                        name,
                        part,
                        columns,
                        rows: 0,
                        bytes: 0,
                        sha256: String::new(),
                        sequence,
                    },
                    hash: Sha256::new(),
                });
            }
            Feed::Rows(rows) => {
                let Some(current) = open.as_mut() else {
                    return Err(BackupError::Interrupted(
                        "rows came before their table".into(),
                    ));
                };
                for row in &rows {
                    line.clear();
                    encode_row(row, &mut line)?;
                    zip.write_all(&line).map_err(io_err)?;
                    current.hash.update(&line);
                    total.update(&line);
                    current.part.rows += 1;
                    current.part.bytes += line.len() as u64;
                }
            }
            Feed::Finish {
                migration,
                backend,
                created_at,
            } => {
                if let Some(done) = open.take() {
                    parts.push(done.close());
                }
                let manifest = Manifest {
                    format: FORMAT.to_owned(),
                    format_version: FORMAT_VERSION,
                    kefu_version: env!("CARGO_PKG_VERSION").to_owned(),
                    migration,
                    backend,
                    created_at,
                    tables: parts,
                    sha256: hex::encode(total.finalize()),
                };
                let text = serde_json::to_vec_pretty(&manifest)
                    .map_err(|e| io_err(std::io::Error::other(e)))?;
                zip.start_file(MANIFEST, options()).map_err(zip_err)?;
                zip.write_all(&text).map_err(io_err)?;
                let buffered = zip.finish().map_err(zip_err)?;
                let file = buffered.into_inner().map_err(|e| io_err(e.into_error()))?;
                file.sync_all().map_err(io_err)?;
                return Ok(manifest);
            }
        }
    }
    Err(BackupError::Interrupted(
        "the database side stopped before the last table".into(),
    ))
}

/// One row as a line of JSON.
fn encode_row(row: &[Value], out: &mut Vec<u8>) -> Result<(), BackupError> {
    out.push(b'[');
    for (i, v) in row.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        match v {
            Value::Null => out.extend_from_slice(b"null"),
            Value::Int(n) => out.extend_from_slice(n.to_string().as_bytes()),
            Value::Real(f) => {
                let n = serde_json::Number::from_f64(*f).ok_or_else(|| {
                    BackupError::Interrupted(format!("a real number JSON cannot hold: {f}"))
                })?;
                out.extend_from_slice(n.to_string().as_bytes());
            }
            Value::Text(s) => serde_json::to_writer(&mut *out, s)
                .map_err(|e| BackupError::Interrupted(e.to_string()))?,
            Value::Blob(b) => {
                out.extend_from_slice(b"{\"base64\":\"");
                out.extend_from_slice(BASE64.encode(b).as_bytes());
                out.extend_from_slice(b"\"}");
            }
        }
    }
    out.extend_from_slice(b"]\n");
    Ok(())
}

/// One line back as a row of `width` values.
fn decode_row(line: &[u8], width: usize) -> Result<Vec<Value>, String> {
    use serde_json::Value as J;
    let items: Vec<J> = serde_json::from_slice(line).map_err(|e| e.to_string())?;
    if items.len() != width {
        return Err(format!("{} values for {width} columns", items.len()));
    }
    items
        .into_iter()
        .map(|v| match v {
            J::Null => Ok(Value::Null),
            J::Bool(b) => Ok(Value::Int(i64::from(b))),
            J::Number(n) => n
                .as_i64()
                .map(Value::Int)
                .or_else(|| n.as_f64().map(Value::Real))
                .ok_or_else(|| format!("the number {n} is out of range")),
            J::String(s) => Ok(Value::Text(s)),
            J::Object(mut o) => match o.remove("base64") {
                Some(J::String(s)) if o.is_empty() => BASE64
                    .decode(s.as_bytes())
                    .map(Value::Blob)
                    .map_err(|e| format!("bytes that are not base64: {e}")),
                _ => Err("an object where a value belongs".to_owned()),
            },
            J::Array(_) => Err("a list where a value belongs".to_owned()),
        })
        .collect()
}

type Archive = zip::ZipArchive<BufReader<File>>;

/// Opens the archive: a file cut short has lost the directory at its end.
fn open(path: &Path) -> Result<Archive, BackupError> {
    let file = File::open(path).map_err(|source| BackupError::Read {
        path: path.display().to_string(),
        source,
    })?;
    zip::ZipArchive::new(BufReader::new(file)).map_err(|e| BackupError::Unreadable {
        path: path.display().to_string(),
        detail: e.to_string(),
    })
}

/// A part of the archive, opened for reading (its CRC-32 is checked as it is read).
fn entry<'a>(
    archive: &'a mut Archive,
    part: &str,
) -> Result<zip::read::ZipFile<'a, BufReader<File>>, BackupError> {
    archive.by_name(part).map_err(|e| match e {
        zip::result::ZipError::FileNotFound => BackupError::MissingPart {
            part: part.to_owned(),
        },
        other => BackupError::Damaged {
            part: part.to_owned(),
            detail: other.to_string(),
        },
    })
}

fn damaged(part: &str, e: std::io::Error) -> BackupError {
    BackupError::Damaged {
        part: part.to_owned(),
        detail: e.to_string(),
    }
}

/// The manifest, checked to be a kefu backup's of a format this kefu reads.
fn read_manifest(archive: &mut Archive, path: &Path) -> Result<Manifest, BackupError> {
    let mut text = Vec::new();
    match entry(archive, MANIFEST) {
        Ok(mut e) => e.read_to_end(&mut text).map_err(|e| damaged(MANIFEST, e))?,
        Err(BackupError::MissingPart { .. }) => {
            return Err(BackupError::NoManifest {
                path: path.display().to_string(),
            });
        }
        Err(e) => return Err(e),
    };
    parse_manifest(&text)
}

pub(crate) fn parse_manifest(text: &[u8]) -> Result<Manifest, BackupError> {
    let bad = |detail: String| BackupError::BadManifest { detail };
    let value: serde_json::Value = serde_json::from_slice(text).map_err(|e| bad(e.to_string()))?;
    if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
        return Err(bad(format!("it does not say format \"{FORMAT}\"")));
    }
    match value.get("format_version").and_then(|v| v.as_i64()) {
        Some(FORMAT_VERSION) => {}
        Some(found) => {
            return Err(BackupError::FormatVersion {
                found,
                supported: FORMAT_VERSION,
            });
        }
        None => return Err(bad("it has no format_version".to_owned())),
    }
    let manifest: Manifest = serde_json::from_value(value).map_err(|e| bad(e.to_string()))?;
    for (i, t) in manifest.tables.iter().enumerate() {
        if t.part != part_name(&t.name) || manifest.tables[..i].iter().any(|o| o.name == t.name) {
            return Err(bad(format!("the table {:?} is listed wrongly", t.name)));
        }
    }
    Ok(manifest)
}

/// Reads the whole backup and checks it: the manifest, then every part against its
/// checksum and row count, then the checksum over all parts. Nothing else is looked at
/// until this has passed.
pub(crate) fn verify(path: &Path) -> Result<Manifest, BackupError> {
    let mut archive = open(path)?;
    let manifest = read_manifest(&mut archive, path)?;
    let mut total = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    for t in &manifest.tables {
        let mut e = entry(&mut archive, &t.part)?;
        let mut hash = Sha256::new();
        let mut rows = 0u64;
        loop {
            let n = e.read(&mut buf).map_err(|err| damaged(&t.part, err))?;
            if n == 0 {
                break;
            }
            hash.update(&buf[..n]);
            total.update(&buf[..n]);
            rows += buf[..n].iter().filter(|b| **b == b'\n').count() as u64;
        }
        if hex::encode(hash.finalize()) != t.sha256 {
            return Err(BackupError::Checksum {
                part: t.part.clone(),
            });
        }
        if rows != t.rows {
            return Err(BackupError::RowCount {
                part: t.part.clone(),
                expected: t.rows,
                found: rows,
            });
        }
    }
    if hex::encode(total.finalize()) != manifest.sha256 {
        return Err(BackupError::Checksum {
            part: "the backup as a whole".to_owned(),
        });
    }
    Ok(manifest)
}

/// Rows of one table handed to the restore.
pub(crate) struct Batch {
    /// The table's index in the manifest.
    pub table: usize,
    pub rows: Vec<Vec<Value>>,
    /// Rows of the table handed over before these.
    pub before: u64,
}

/// Reads the parts of the tables at `order` (indices into the manifest's tables) and hands
/// their rows over in batches; each part is checked against its checksum once read. Stops
/// quietly when the receiver is gone (the restore stopped and says why).
pub(crate) fn read_rows(
    path: &Path,
    manifest: &Manifest,
    order: &[usize],
    out: &mpsc::Sender<Batch>,
) -> Result<(), BackupError> {
    let mut archive = open(path)?;
    for &i in order {
        let t = &manifest.tables[i];
        let mut reader = BufReader::with_capacity(1 << 16, entry(&mut archive, &t.part)?);
        let mut hash = Sha256::new();
        let mut line = Vec::new();
        let mut read = 0u64;
        let mut before = 0u64;
        let mut batch: Vec<Vec<Value>> = Vec::new();
        let mut weight = 0usize;
        loop {
            line.clear();
            let n = reader
                .read_until(b'\n', &mut line)
                .map_err(|e| damaged(&t.part, e))?;
            if n == 0 {
                break;
            }
            hash.update(&line);
            read += 1;
            let row = decode_row(&line, t.columns.len()).map_err(|detail| BackupError::BadRow {
                part: t.part.clone(),
                row: read,
                detail,
            })?;
            weight += row.iter().map(Value::weight).sum::<usize>();
            batch.push(row);
            if batch.len() >= BATCH_ROWS || weight >= BATCH_BYTES {
                let rows = std::mem::take(&mut batch);
                let count = rows.len() as u64;
                if out
                    .blocking_send(Batch {
                        table: i,
                        rows,
                        before,
                    })
                    .is_err()
                {
                    return Ok(());
                }
                before += count;
                weight = 0;
            }
        }
        if !batch.is_empty()
            && out
                .blocking_send(Batch {
                    table: i,
                    rows: batch,
                    before,
                })
                .is_err()
        {
            return Ok(());
        }
        if hex::encode(hash.finalize()) != t.sha256 {
            return Err(BackupError::Checksum {
                part: t.part.clone(),
            });
        }
        if read != t.rows {
            return Err(BackupError::RowCount {
                part: t.part.clone(),
                expected: t.rows,
                found: read,
            });
        }
    }
    Ok(())
}

/// One table of a backup: its columns and rows, in key order. For tools and tests that look
/// inside a backup; the whole part is read into memory.
pub fn read_table(path: &Path, name: &str) -> Result<(Vec<String>, Vec<Vec<Value>>), BackupError> {
    let mut archive = open(path)?;
    let manifest = read_manifest(&mut archive, path)?;
    let t = manifest
        .table(name)
        .ok_or_else(|| BackupError::MissingPart {
            part: part_name(name),
        })?;
    let reader = BufReader::new(entry(&mut archive, &t.part)?);
    let mut rows = Vec::new();
    for (i, line) in reader.split(b'\n').enumerate() {
        let line = line.map_err(|e| damaged(&t.part, e))?;
        let row = decode_row(&line, t.columns.len()).map_err(|detail| BackupError::BadRow {
            part: t.part.clone(),
            row: i as u64 + 1,
            detail,
        })?;
        rows.push(row);
    }
    Ok((t.columns.clone(), rows))
}

/// The manifest alone, without checking the parts.
pub fn read_manifest_only(path: &Path) -> Result<Manifest, BackupError> {
    let mut archive = open(path)?;
    read_manifest(&mut archive, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_survive_their_line() {
        let row = vec![
            Value::Int(-42),
            Value::Null,
            Value::Text("退货\n\"引号\"\u{0}".to_owned()),
            Value::Blob((0u8..=255).collect()),
            Value::Real(1.5),
            Value::Int(i64::MAX),
        ];
        let mut line = Vec::new();
        encode_row(&row, &mut line).unwrap();
        assert_eq!(line.iter().filter(|b| **b == b'\n').count(), 1, "one line");
        assert_eq!(decode_row(&line, row.len()).unwrap(), row);
        assert!(decode_row(&line, 5).unwrap_err().contains("6 values"));
        assert!(decode_row(b"[{\"x\":1}]\n", 1).is_err());
    }

    #[test]
    fn a_manifest_of_another_format_version_is_named_as_such() {
        let text = br#"{"format":"kefu-backup","format_version":2,"tables":"whatever"}"#;
        match parse_manifest(text) {
            Err(BackupError::FormatVersion { found: 2, .. }) => {}
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse_manifest(br#"{"format":"other"}"#),
            Err(BackupError::BadManifest { .. })
        ));
    }
}
