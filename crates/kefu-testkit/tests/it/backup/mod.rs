//! 备份与恢复 — a backup taken while kefu writes, restored into a fresh database of each
//! backend, equals its snapshot table by table and attachment by attachment, and search
//! answers the same; damaged, newer and misdirected backups are refused with a precise
//! message and the target unchanged; scheduled backups keep the newest and tell the
//! administrators when one fails.

mod refusals;
mod round_trip;
mod schedule;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use futures_util::StreamExt;
use kefu_store::Store;
use kefu_store::backup::Value;
use sqlx::{Connection, Executor};

/// A table's columns and rows, in key order.
pub type Rows = (Vec<String>, Vec<Vec<Value>>);

/// Every table, by name.
pub type Tables = BTreeMap<String, Rows>;

pub fn unique() -> String {
    kefu_app::secret::random_hex(6)
}

/// A directory for this test's files, removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(tag: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("kefu-backup-{tag}-{}", unique()));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Scratch(dir)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A database to restore into, never migrated: a new SQLite file, or a new database on
/// the test PostgreSQL server.
pub struct Target {
    pub url: String,
    pub label: &'static str,
    _dir: Option<Scratch>,
}

pub fn sqlite_target() -> Target {
    let dir = Scratch::new("sqlite");
    Target {
        url: kefu::config::sqlite_url(&dir.0),
        label: "sqlite",
        _dir: Some(dir),
    }
}

/// The test PostgreSQL server's URL, when the suite runs against one.
pub fn postgres_server() -> Option<String> {
    std::env::var("KEFU_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// A new empty database on the test PostgreSQL server (as the test kit makes them).
pub async fn postgres_target() -> Option<Target> {
    let server = postgres_server()?;
    sqlx::any::install_default_drivers();
    let name = format!("kefu_r_{}", unique());
    let mut conn = sqlx::AnyConnection::connect(&server)
        .await
        .expect("test PostgreSQL");
    conn.execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create database");
    let _ = conn.close().await;
    let (base, query) = server
        .split_once('?')
        .map_or((server.as_str(), None), |(b, q)| (b, Some(q)));
    let base = &base[..base.rfind('/').expect("URL has a database path")];
    let url = match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    };
    Some(Target {
        url,
        label: "postgres",
        _dir: None,
    })
}

/// A fresh SQLite target, and a fresh PostgreSQL one when the suite has a server.
pub async fn fresh_targets() -> Vec<Target> {
    let mut targets = vec![sqlite_target()];
    targets.extend(postgres_target().await);
    targets
}

/// Every table of the database as it reads now, through a snapshot.
pub async fn dump(store: &Store) -> Tables {
    let mut snap = store.snapshot().await.expect("snapshot");
    let tables = snap.tables().await.expect("tables");
    let mut out = Tables::new();
    for t in &tables {
        let mut rows = Vec::new();
        {
            let mut stream = std::pin::pin!(snap.rows(t));
            while let Some(row) = stream.next().await {
                rows.push(row.expect("row"));
            }
        }
        out.insert(t.name.clone(), (t.column_names(), rows));
    }
    snap.finish().await.expect("end snapshot");
    out
}

/// Every table as the backup file holds it (its own parts: the snapshot).
pub fn parts(path: &Path) -> Tables {
    let manifest = kefu_app::backup::read_manifest_only(path).expect("manifest");
    manifest
        .tables
        .iter()
        .map(|t| {
            let rows = kefu_app::backup::read_table(path, &t.name).expect("part");
            (t.name.clone(), rows)
        })
        .collect()
}

/// The rows a restore adds itself (its entry in the audit log) left out.
fn without_restore_marks(name: &str, (columns, rows): &Rows) -> Vec<Vec<Value>> {
    let action = columns.iter().position(|c| c == "action");
    match action {
        Some(i) if name == "audit_log" => rows
            .iter()
            .filter(|r| r[i] != Value::Text(kefu_store::backup::RESTORED_ACTION.to_owned()))
            .cloned()
            .collect(),
        _ => rows.clone(),
    }
}

fn short(row: &[Value]) -> String {
    let text = format!("{row:?}");
    text.chars().take(400).collect()
}

/// The restored database equals the snapshot: the same tables, columns and rows in key
/// order, value by value (integers, text, bytes, NULL read alike from either backend).
pub fn assert_same(label: &str, snapshot: &Tables, restored: &Tables) {
    let want: Vec<&String> = snapshot.keys().collect();
    let got: Vec<&String> = restored.keys().collect();
    assert_eq!(want, got, "{label}: the tables");
    for (name, rows) in snapshot {
        let other = &restored[name];
        assert_eq!(rows.0, other.0, "{label}: the columns of {name}");
        let (w, g) = (
            without_restore_marks(name, rows),
            without_restore_marks(name, other),
        );
        assert_eq!(
            w.len(),
            g.len(),
            "{label}: {name} has {} rows restored, {} in the snapshot",
            g.len(),
            w.len()
        );
        if let Some(i) = (0..w.len()).find(|&i| w[i] != g[i]) {
            panic!(
                "{label}: row {i} of {name} differs:\n  snapshot {}\n  restored {}",
                short(&w[i]),
                short(&g[i])
            );
        }
    }
}

/// The value of `column` in each row of a table.
pub fn column<'a>(tables: &'a Tables, table: &str, column: &str) -> Vec<&'a Value> {
    let (columns, rows) = &tables[table];
    let i = columns
        .iter()
        .position(|c| c == column)
        .unwrap_or_else(|| panic!("{table} has no column {column}"));
    rows.iter().map(|r| &r[i]).collect()
}

pub fn int(v: &Value) -> i64 {
    match v {
        Value::Int(i) => *i,
        other => panic!("not an integer: {other:?}"),
    }
}

pub fn text(v: &Value) -> &str {
    match v {
        Value::Text(s) => s,
        other => panic!("not text: {other:?}"),
    }
}
