//! 客户列表 — the customer list: filters, keyset pages, and its search box (names, e-mail,
//! phone digits), with what the search index already found.

use jiff::Timestamp;
use sqlx::AnyConnection;

use super::{Customer, SELECT, from_row};
use crate::{Result, to_micros};

/// What the customer list shows; every filter narrows.
#[derive(Debug, Clone, Default)]
pub struct CustomerFilter {
    pub tier: Option<String>,
    pub customer_type: Option<String>,
    pub status: Option<String>,
    pub province: Option<String>,
    pub owner_id: Option<i64>,
    pub tag: Option<String>,
    pub credit_grade: Option<String>,
    /// A name (any part), an email, or 4+ digits of a phone number (start or end).
    pub text: Option<String>,
    /// 久未联系 — only customers not lost and without contact since this instant (or ever).
    pub quiet_before: Option<Timestamp>,
}

/// The smallest digit string greater than every string starting with `prefix` ("1389" →
/// "139"), so a prefix search is an index range that sorts the same in every collation.
fn prefix_end(prefix: &str) -> Option<String> {
    let mut bytes = prefix.as_bytes().to_vec();
    while let Some(last) = bytes.pop() {
        if last < b'9' {
            bytes.push(last + 1);
            return String::from_utf8(bytes).ok();
        }
    }
    None
}

/// The customers the search index found for a filter's name text, and those changed since
/// the index's snapshot (checked here against the text, one by one).
#[derive(Debug, Clone, Copy)]
pub struct IndexMatches<'a> {
    pub ids: &'a [i64],
    pub changed: &'a [i64],
}

/// The conditions of a customer list over the customer `c`: text binds are `$1…`, integer
/// binds `$I1…` (numbered after the texts once all are known, see [`Built::finish`]).
struct Built {
    clauses: Vec<String>,
    texts: Vec<String>,
    ints: Vec<i64>,
}

impl Built {
    /// The statement with its integer placeholders numbered after the text ones.
    fn finish(&self, sql: String) -> String {
        let n = self.texts.len();
        let mut sql = sql;
        for i in (1..=self.ints.len()).rev() {
            sql = sql.replace(&format!("$I{i}"), &format!("${}", n + i));
        }
        sql
    }

    fn where_sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }
}

/// One page of customers, newest id first, starting after `after` (keyset). With `found`,
/// a name text is answered by the search index's matches instead of scanning every name.
pub async fn list(
    conn: &mut AnyConnection,
    f: &CustomerFilter,
    found: Option<IndexMatches<'_>>,
    after: Option<i64>,
    limit: i64,
) -> Result<Vec<Customer>> {
    let mut b = build(f, found);
    if let Some(a) = after {
        b.ints.push(a);
        b.clauses.push(format!("c.id < $I{}", b.ints.len()));
    }
    b.ints.push(limit);
    let lim = format!("$I{}", b.ints.len());
    let sql = b.finish(format!(
        "{SELECT}{} ORDER BY c.id DESC LIMIT {lim}",
        b.where_sql()
    ));
    // A statement with the index's ids written in is not worth keeping prepared.
    let mut q = sqlx::query(&sql).persistent(found.is_none());
    for t in &b.texts {
        q = q.bind(t.as_str());
    }
    for i in &b.ints {
        q = q.bind(*i);
    }
    let rows = q.fetch_all(conn).await?;
    rows.iter().map(from_row).collect()
}

/// How many customers [`list`] would show for `f` over all its pages, counting at most
/// `cap`. Names are matched in the table (no search index): counts are asked for filters
/// without a text.
pub async fn count(conn: &mut AnyConnection, f: &CustomerFilter, cap: i64) -> Result<i64> {
    let mut b = build(f, None);
    b.ints.push(cap);
    let lim = format!("$I{}", b.ints.len());
    let sql = b.finish(format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM customers c{} LIMIT {lim}) AS capped",
        b.where_sql()
    ));
    let mut q = sqlx::query_scalar::<_, i64>(&sql);
    for t in &b.texts {
        q = q.bind(t.as_str());
    }
    for i in &b.ints {
        q = q.bind(*i);
    }
    Ok(q.fetch_one(conn).await?)
}

fn build(f: &CustomerFilter, found: Option<IndexMatches<'_>>) -> Built {
    let mut clauses: Vec<String> = Vec::new();
    let mut texts: Vec<String> = Vec::new();
    let mut ints: Vec<i64> = Vec::new();
    let arg = |v: String, texts: &mut Vec<String>| {
        texts.push(v);
        format!("${}", texts.len())
    };
    for (col, v) in [
        ("c.tier", &f.tier),
        ("c.customer_type", &f.customer_type),
        ("c.status", &f.status),
        ("c.province", &f.province),
        ("c.credit_grade", &f.credit_grade),
    ] {
        if let Some(v) = v {
            let p = arg(v.clone(), &mut texts);
            clauses.push(format!("{col} = {p}"));
        }
    }
    if let Some(tag) = &f.tag {
        let p = arg(format!("%,{},%", tag.replace(['%', '_'], "")), &mut texts);
        clauses.push(format!("c.tags LIKE {p}"));
    }
    if let Some(q) = f.text.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let phone = kefu_domain::customer::phone_digits_query(q);
        // Each text is a set-wide condition (`scan`) and the same test for one customer's
        // own contacts (`one`), for the few customers changed since the index's snapshot.
        let (scan, one) = if let Some(digits) = phone {
            // A mobile found by its start or its end through indexes; landlines by any
            // part, scanning the narrow (digits, customer) index. Each its own arm of a
            // UNION: an OR would make the database scan the whole contact table.
            let reversed: String = digits.chars().rev().collect();
            let mut ranges = Vec::new();
            for (col, prefix) in [("mobile", &digits), ("mobile_reversed", &reversed)] {
                let lo = arg(prefix.clone(), &mut texts);
                ranges.push(match prefix_end(prefix) {
                    Some(end) => {
                        let hi = arg(end, &mut texts);
                        format!("{col} >= {lo} AND {col} < {hi}")
                    }
                    None => format!("{col} >= {lo}"),
                });
            }
            let e = arg(format!("%{digits}%"), &mut texts);
            ranges.push(format!("phone_digits LIKE {e}"));
            let arms: Vec<String> = ranges
                .iter()
                .map(|r| format!("SELECT customer_id FROM customer_contacts WHERE {r}"))
                .collect();
            (
                format!("c.id IN ({})", arms.join(" UNION ALL ")),
                format!(
                    "EXISTS (SELECT 1 FROM customer_contacts x WHERE x.customer_id = c.id \
                     AND (({})))",
                    ranges.join(") OR (")
                ),
            )
        } else if q.contains('@') {
            let p = arg(q.to_lowercase(), &mut texts);
            let scan =
                format!("c.id IN (SELECT customer_id FROM customer_contacts WHERE email = {p})");
            (scan.clone(), scan)
        } else {
            let key = kefu_domain::customer::name_key(q)
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            let p = arg(format!("%{key}%"), &mut texts);
            (
                format!(
                    "(c.name_key LIKE {p} ESCAPE '\\' OR c.id IN (SELECT customer_id FROM \
                     customer_contacts WHERE name LIKE {p} ESCAPE '\\'))"
                ),
                format!(
                    "(c.name_key LIKE {p} ESCAPE '\\' OR EXISTS (SELECT 1 FROM \
                     customer_contacts x WHERE x.customer_id = c.id \
                     AND x.name LIKE {p} ESCAPE '\\'))"
                ),
            )
        };
        clauses.push(match found {
            None => scan,
            Some(m) => {
                // Ids are integers, written into the statement.
                let list = |ids: &[i64]| {
                    ids.iter()
                        .map(i64::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let mut arms = Vec::new();
                if !m.ids.is_empty() {
                    arms.push(format!("c.id IN ({})", list(m.ids)));
                }
                if !m.changed.is_empty() {
                    arms.push(format!("(c.id IN ({}) AND {one})", list(m.changed)));
                }
                if arms.is_empty() {
                    "1 = 0".to_owned()
                } else {
                    format!("({})", arms.join(" OR "))
                }
            }
        });
    }
    if let Some(o) = f.owner_id {
        ints.push(o);
        clauses.push(format!("c.owner_id = $I{}", ints.len()));
    }
    if let Some(before) = f.quiet_before {
        ints.push(to_micros(before));
        clauses.push(format!(
            "c.status <> 'lost' AND (c.last_contact_at IS NULL OR c.last_contact_at < $I{})",
            ints.len()
        ));
    }
    Built {
        clauses,
        texts,
        ints,
    }
}
