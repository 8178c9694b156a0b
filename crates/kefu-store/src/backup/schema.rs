//! The tables of the schema as the catalogue describes them: columns and their kinds, the
//! primary key, the tables foreign keys point at, and the column a sequence fills.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::AnyConnection;

use super::{Error, Result, quote};
use crate::Backend;

/// What a column holds, by its declared type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Integer,
    Real,
    Text,
    Blob,
    /// PostgreSQL `boolean` (kefu keeps flags as 0/1 integers; carried as 0/1).
    Bool,
}

impl ColumnKind {
    pub fn name(self) -> &'static str {
        match self {
            ColumnKind::Integer => "integer",
            ColumnKind::Real => "real",
            ColumnKind::Text => "text",
            ColumnKind::Blob => "bytes",
            ColumnKind::Bool => "boolean",
        }
    }

    /// SQLite's declared type, read by its affinity rules; `None` for a type backups do not
    /// carry.
    fn from_sqlite(declared: &str) -> Option<ColumnKind> {
        let t = declared.to_ascii_uppercase();
        if t.contains("INT") {
            Some(ColumnKind::Integer)
        } else if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") {
            Some(ColumnKind::Text)
        } else if t.contains("BLOB") || t.is_empty() {
            Some(ColumnKind::Blob)
        } else if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") {
            Some(ColumnKind::Real)
        } else if t.contains("BOOL") {
            Some(ColumnKind::Integer)
        } else {
            None
        }
    }

    /// PostgreSQL's `information_schema.columns.data_type`.
    fn from_postgres(data_type: &str) -> Option<ColumnKind> {
        match data_type {
            "bigint" | "integer" | "smallint" => Some(ColumnKind::Integer),
            "text" | "character varying" | "character" => Some(ColumnKind::Text),
            "bytea" => Some(ColumnKind::Blob),
            "boolean" => Some(ColumnKind::Bool),
            "double precision" | "real" => Some(ColumnKind::Real),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub kind: ColumnKind,
}

/// One table of the schema.
#[derive(Debug, Clone)]
pub struct Table {
    pub name: String,
    /// Sorted by name: the same order on both backends.
    pub columns: Vec<Column>,
    /// The primary key's columns in key order; empty when the table has none.
    pub key: Vec<String>,
    /// The other tables this one's foreign keys name.
    pub parents: Vec<String>,
    /// The column a sequence fills (`BIGSERIAL`, `AUTOINCREMENT`), if any.
    pub serial: Option<String>,
    /// The statement that reads the whole table in key order.
    pub(crate) select: String,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub fn column_names(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.name.clone()).collect()
    }

    /// Every column in order, then the key (or, without one, every column): text compared
    /// byte by byte on PostgreSQL too, as SQLite does, so rows come in the same order from
    /// both.
    fn select_sql(&self, backend: Backend) -> String {
        let columns: Vec<String> = self.columns.iter().map(|c| quote(&c.name)).collect();
        let order: Vec<&str> = if self.key.is_empty() {
            self.columns.iter().map(|c| c.name.as_str()).collect()
        } else {
            self.key.iter().map(String::as_str).collect()
        };
        let order: Vec<String> = order
            .into_iter()
            .map(|name| {
                let text = self
                    .column(name)
                    .is_some_and(|c| c.kind == ColumnKind::Text);
                if text && backend == Backend::Postgres {
                    format!("{} COLLATE \"C\"", quote(name))
                } else {
                    quote(name)
                }
            })
            .collect();
        format!(
            "SELECT {} FROM {} ORDER BY {}",
            columns.join(", "),
            quote(&self.name),
            order.join(", ")
        )
    }
}

/// The tables of the schema (sqlx's and SQLite's own left out), sorted by name.
pub(crate) async fn tables(conn: &mut AnyConnection, backend: Backend) -> Result<Vec<Table>> {
    let (columns, keys, links, serials) = match backend {
        Backend::Sqlite => sqlite_catalogue(conn).await?,
        Backend::Postgres => postgres_catalogue(conn).await?,
    };
    let mut tables: BTreeMap<String, Table> = BTreeMap::new();
    for (table, column, declared) in columns {
        let parse = match backend {
            Backend::Sqlite => ColumnKind::from_sqlite(&declared),
            Backend::Postgres => ColumnKind::from_postgres(&declared),
        };
        let kind = parse.ok_or_else(|| Error::UnsupportedType {
            table: table.clone(),
            column: column.clone(),
            declared: declared.clone(),
        })?;
        tables
            .entry(table.clone())
            .or_insert_with(|| Table {
                name: table,
                columns: Vec::new(),
                key: Vec::new(),
                parents: Vec::new(),
                serial: None,
                select: String::new(),
            })
            .columns
            .push(Column { name: column, kind });
    }
    for (table, column) in keys {
        if let Some(t) = tables.get_mut(&table) {
            t.key.push(column);
        }
    }
    for (child, parent) in links {
        if child == parent {
            continue;
        }
        if let Some(t) = tables.get_mut(&child)
            && !t.parents.contains(&parent)
        {
            t.parents.push(parent);
        }
    }
    for (table, column) in serials {
        if let Some(t) = tables.get_mut(&table) {
            t.serial = Some(column);
        }
    }
    let mut out: Vec<Table> = tables.into_values().collect();
    for t in &mut out {
        t.columns.sort_by(|a, b| a.name.cmp(&b.name));
        t.parents.sort();
        t.select = t.select_sql(backend);
    }
    Ok(out)
}

/// (table, column, declared type), (table, key column) in key order, (child, parent),
/// (table, serial column).
type Catalogue = (
    Vec<(String, String, String)>,
    Vec<(String, String)>,
    Vec<(String, String)>,
    Vec<(String, String)>,
);

async fn sqlite_catalogue(conn: &mut AnyConnection) -> Result<Catalogue> {
    let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT m.name, p.name, p.type, p.pk FROM sqlite_master m \
         JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
           AND m.name <> '_sqlx_migrations' \
         ORDER BY m.name, p.cid",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut keyed: Vec<(String, i64, String)> = rows
        .iter()
        .filter(|r| r.3 > 0)
        .map(|r| (r.0.clone(), r.3, r.1.clone()))
        .collect();
    keyed.sort();
    let keys: Vec<(String, String)> = keyed.iter().map(|k| (k.0.clone(), k.2.clone())).collect();
    let links: Vec<(String, String)> = sqlx::query_as(
        "SELECT m.name, f.\"table\" FROM sqlite_master m \
         JOIN pragma_foreign_key_list(m.name) f \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
    )
    .fetch_all(&mut *conn)
    .await?;
    // AUTOINCREMENT makes the key a sequence that never hands an id out twice (its state in
    // sqlite_sequence); a plain INTEGER PRIMARY KEY is the caller's choice.
    let counted: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%AUTOINCREMENT%'",
    )
    .fetch_all(&mut *conn)
    .await?;
    let counted: BTreeSet<String> = counted.into_iter().collect();
    let mut serials = Vec::new();
    for table in &counted {
        let key: Vec<&(String, i64, String)> = keyed.iter().filter(|k| &k.0 == table).collect();
        if let [only] = key.as_slice() {
            serials.push((table.clone(), only.2.clone()));
        }
    }
    let columns = rows.into_iter().map(|r| (r.0, r.1, r.2)).collect();
    Ok((columns, keys, links, serials))
}

async fn postgres_catalogue(conn: &mut AnyConnection) -> Result<Catalogue> {
    let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT CAST(c.table_name AS TEXT), CAST(c.column_name AS TEXT), \
                CAST(c.data_type AS TEXT), \
                CAST(CASE WHEN c.column_default LIKE 'nextval(%' OR c.is_identity = 'YES' \
                     THEN 1 ELSE 0 END AS BIGINT) \
         FROM information_schema.columns c \
         JOIN information_schema.tables t \
           ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
         WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' \
           AND c.table_name <> '_sqlx_migrations' \
         ORDER BY c.table_name, c.ordinal_position",
    )
    .fetch_all(&mut *conn)
    .await?;
    let keys: Vec<(String, String)> = sqlx::query_as(
        "SELECT CAST(k.table_name AS TEXT), CAST(k.column_name AS TEXT) \
         FROM information_schema.table_constraints tc \
         JOIN information_schema.key_column_usage k \
           ON k.constraint_schema = tc.constraint_schema \
          AND k.constraint_name = tc.constraint_name \
          AND k.table_name = tc.table_name \
         WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = current_schema() \
         ORDER BY k.table_name, k.ordinal_position",
    )
    .fetch_all(&mut *conn)
    .await?;
    let links: Vec<(String, String)> = sqlx::query_as(
        "SELECT CAST(ch.relname AS TEXT), CAST(pa.relname AS TEXT) \
         FROM pg_constraint c \
         JOIN pg_class ch ON ch.oid = c.conrelid \
         JOIN pg_class pa ON pa.oid = c.confrelid \
         JOIN pg_namespace n ON n.oid = ch.relnamespace \
         WHERE c.contype = 'f' AND n.nspname = current_schema()",
    )
    .fetch_all(&mut *conn)
    .await?;
    let serials = rows
        .iter()
        .filter(|r| r.3 == 1)
        .map(|r| (r.0.clone(), r.1.clone()))
        .collect();
    let columns = rows.into_iter().map(|r| (r.0, r.1, r.2)).collect();
    Ok((columns, keys, links, serials))
}

/// The tables in an order that loads them without breaking a foreign key: every table after
/// the tables it names (ties by name). Tables in a cycle, which kefu's schema has none of,
/// come last by name.
pub fn load_order(tables: &[Table]) -> Vec<&Table> {
    let names: BTreeSet<&str> = tables.iter().map(|t| t.name.as_str()).collect();
    let mut placed: BTreeSet<&str> = BTreeSet::new();
    let mut order: Vec<&Table> = Vec::with_capacity(tables.len());
    loop {
        let ready: Vec<&Table> = tables
            .iter()
            .filter(|t| !placed.contains(t.name.as_str()))
            .filter(|t| {
                t.parents
                    .iter()
                    .all(|p| placed.contains(p.as_str()) || !names.contains(p.as_str()))
            })
            .collect();
        if ready.is_empty() {
            break;
        }
        for t in ready {
            placed.insert(t.name.as_str());
            order.push(t);
        }
    }
    order.extend(tables.iter().filter(|t| !placed.contains(t.name.as_str())));
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str, parents: &[&str]) -> Table {
        Table {
            name: name.to_owned(),
            columns: vec![Column {
                name: "id".to_owned(),
                kind: ColumnKind::Integer,
            }],
            key: vec!["id".to_owned()],
            parents: parents.iter().map(|p| (*p).to_owned()).collect(),
            serial: None,
            select: String::new(),
        }
    }

    #[test]
    fn parents_load_before_their_children() {
        let tables = vec![
            table(
                "complaint_steps",
                &["complaints", "complaint_rmas", "users"],
            ),
            table("complaint_rmas", &["complaints"]),
            table("complaints", &["tickets", "users"]),
            table("tickets", &["users"]),
            table("users", &["departments"]),
            table("departments", &[]),
        ];
        let order: Vec<&str> = load_order(&tables)
            .into_iter()
            .map(|t| t.name.as_str())
            .collect();
        assert_eq!(
            order,
            [
                "departments",
                "users",
                "tickets",
                "complaints",
                "complaint_rmas",
                "complaint_steps"
            ]
        );
    }

    #[test]
    fn declared_types_map_to_kinds() {
        assert_eq!(ColumnKind::from_sqlite("BIGINT"), Some(ColumnKind::Integer));
        assert_eq!(ColumnKind::from_sqlite("TEXT"), Some(ColumnKind::Text));
        assert_eq!(ColumnKind::from_sqlite("BLOB"), Some(ColumnKind::Blob));
        assert_eq!(ColumnKind::from_postgres("bytea"), Some(ColumnKind::Blob));
        assert_eq!(ColumnKind::from_postgres("jsonb"), None);
    }

    #[test]
    fn rows_are_read_in_key_order_with_text_compared_bytewise() {
        let mut t = table("ticket_statuses", &[]);
        t.columns = vec![
            Column {
                name: "key".to_owned(),
                kind: ColumnKind::Text,
            },
            Column {
                name: "position".to_owned(),
                kind: ColumnKind::Integer,
            },
        ];
        t.key = vec!["key".to_owned()];
        assert_eq!(
            t.select_sql(Backend::Postgres),
            "SELECT \"key\", \"position\" FROM \"ticket_statuses\" ORDER BY \"key\" COLLATE \"C\""
        );
        assert_eq!(
            t.select_sql(Backend::Sqlite),
            "SELECT \"key\", \"position\" FROM \"ticket_statuses\" ORDER BY \"key\""
        );
    }
}
