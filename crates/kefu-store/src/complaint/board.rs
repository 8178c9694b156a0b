//! 投诉看板 — the board's listing and the counts the workbench shows of it. The list and the
//! counts read one filter through one `WHERE` ([`clauses`]), so a tile's count is the number
//! of cards its link opens.

use jiff::Timestamp;
use kefu_domain::complaint::{NoticeStatus, RmaStatus, Stage};
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, Row};

use super::{Complaint, SELECT, from_row};
use crate::{Result, to_micros};

/// Which handling notices a board filter asks about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeWait {
    /// Sent and not answered yet (sent, acknowledged, or returned for another answer).
    Unanswered,
    /// Unanswered and past its due date at this instant.
    OverdueAt(Timestamp),
    /// Answered, waiting for the complaint specialist's review.
    Answered,
}

/// What the board and the list show: open complaints, or those of one stage; every other
/// field narrows further.
#[derive(Debug, Clone, Default)]
pub struct BoardFilter {
    pub stage: Option<Stage>,
    pub open_only: bool,
    /// Only complaints whose notice went to this department (with `notice`: whose notice to
    /// this department is in that state).
    pub department_id: Option<i64>,
    pub customer_id: Option<i64>,
    /// Only complaints whose stage deadline has passed at this instant (超期).
    pub overdue_at: Option<Timestamp>,
    /// Only complaints whose investigation found this cause (a `Cause` key).
    pub cause: Option<String>,
    /// Only complaints with a handling notice in this state.
    pub notice: Option<NoticeWait>,
    /// Only complaints with a return, exchange, refund or repair still running.
    pub open_rma: bool,
    /// Only complaints this user handles, or that nobody has accepted yet (so none waits
    /// unseen).
    pub handler_or_nobody: Option<i64>,
    pub limit: i64,
}

enum Arg {
    I64(i64),
    Text(String),
}

/// A `WHERE` clause with numbered placeholders, identical on both backends.
struct Clauses {
    sql: Vec<String>,
    args: Vec<Arg>,
}

impl Clauses {
    fn arg(&mut self, a: Arg) -> String {
        self.args.push(a);
        format!("${}", self.args.len())
    }

    fn where_sql(&self) -> String {
        if self.sql.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.sql.join(" AND "))
        }
    }

    fn apply<'q>(
        &'q self,
        mut q: Query<'q, Any, AnyArguments<'q>>,
    ) -> Query<'q, Any, AnyArguments<'q>> {
        for a in &self.args {
            q = match a {
                Arg::I64(v) => q.bind(*v),
                Arg::Text(v) => q.bind(v.as_str()),
            };
        }
        q
    }
}

/// Quoted keys for `IN (…)`: the domain's own keys, never input.
fn keys<'a>(list: impl IntoIterator<Item = &'a str>) -> String {
    list.into_iter()
        .map(|k| format!("'{k}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The conditions of `f` over the complaint `c`.
fn clauses(f: &BoardFilter) -> Clauses {
    let mut c = Clauses {
        sql: Vec::new(),
        args: Vec::new(),
    };
    if let Some(s) = f.stage {
        let p = c.arg(Arg::Text(s.key().to_owned()));
        c.sql.push(format!("c.stage = {p}"));
    }
    if f.open_only {
        // Closed complaints have no deadline: the deadline index holds the open ones.
        c.sql
            .push("c.stage_due_at IS NOT NULL AND c.stage NOT IN ('closed', 'invalid')".into());
    }
    if let Some(at) = f.overdue_at {
        let p = c.arg(Arg::I64(to_micros(at)));
        c.sql.push(format!("c.stage_due_at <= {p}"));
    }
    if let Some(cause) = &f.cause {
        let p = c.arg(Arg::Text(cause.clone()));
        c.sql.push(format!("c.cause = {p}"));
    }
    if f.notice.is_some() || f.department_id.is_some() {
        // One notice meets every condition: to this department, and in this state.
        // Never empty: a department, a state, or both.
        let mut inner = Vec::new();
        if let Some(d) = f.department_id {
            let p = c.arg(Arg::I64(d));
            inner.push(format!("n.department_id = {p}"));
        }
        let unanswered = keys([
            NoticeStatus::Sent.key(),
            NoticeStatus::Acknowledged.key(),
            NoticeStatus::Returned.key(),
        ]);
        match f.notice {
            None => {}
            Some(NoticeWait::Unanswered) => inner.push(format!("n.status IN ({unanswered})")),
            Some(NoticeWait::OverdueAt(at)) => {
                let p = c.arg(Arg::I64(to_micros(at)));
                inner.push(format!("n.status IN ({unanswered}) AND n.due_at <= {p}"));
            }
            Some(NoticeWait::Answered) => {
                inner.push(format!("n.status = '{}'", NoticeStatus::Answered.key()));
            }
        }
        // The waiting notices are few and indexed by state: they lead, each complaint found
        // by its id (an EXISTS per open complaint read every open complaint).
        c.sql.push(format!(
            "c.id IN (SELECT n.complaint_id FROM complaint_notices n WHERE {})",
            inner.join(" AND ")
        ));
    }
    if f.open_rma {
        let running = keys(
            RmaStatus::ALL
                .iter()
                .filter(|s| !s.is_final())
                .map(|s| s.key()),
        );
        c.sql.push(format!(
            "c.id IN (SELECT r.complaint_id FROM complaint_rmas r WHERE r.status IN ({running}))"
        ));
    }
    if let Some(id) = f.customer_id {
        let p = c.arg(Arg::I64(id));
        c.sql.push(format!("c.customer_id = {p}"));
    }
    if let Some(u) = f.handler_or_nobody {
        let p = c.arg(Arg::I64(u));
        c.sql
            .push(format!("(c.handler_id = {p} OR c.handler_id IS NULL)"));
    }
    c
}

/// The complaints of `f`, at most `f.limit`: open ones closest deadline first, others newest
/// first.
pub async fn list(conn: &mut AnyConnection, f: &BoardFilter) -> Result<Vec<Complaint>> {
    let mut c = clauses(f);
    let order = if f.open_only {
        "c.stage_due_at, c.id"
    } else {
        "c.id DESC"
    };
    let lim = c.arg(Arg::I64(f.limit));
    let sql = format!("{SELECT}{} ORDER BY {order} LIMIT {lim}", c.where_sql());
    let rows = c.apply(sqlx::query(&sql)).fetch_all(conn).await?;
    rows.iter().map(from_row).collect()
}

/// How many complaints [`list`] would show for `f` without its limit, counting at most
/// `cap` (the board shows at most as many).
pub async fn board_count(conn: &mut AnyConnection, f: &BoardFilter, cap: i64) -> Result<i64> {
    let mut c = clauses(f);
    let lim = c.arg(Arg::I64(cap));
    let sql = format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM complaints c{} LIMIT {lim}) AS capped",
        c.where_sql()
    );
    let n: i64 = c
        .apply(sqlx::query(&sql))
        .fetch_one(conn)
        .await?
        .try_get(0)?;
    Ok(n)
}

/// The complaints of `f` per stage key: (stage, how many, how many past their deadline at
/// `now`), stages without any left out.
pub async fn board_count_by_stage(
    conn: &mut AnyConnection,
    f: &BoardFilter,
    now: Timestamp,
) -> Result<Vec<(String, i64, i64)>> {
    let mut c = clauses(f);
    let p = c.arg(Arg::I64(to_micros(now)));
    let sql = format!(
        "SELECT c.stage, COUNT(*) AS n, \
         COALESCE(SUM(CASE WHEN c.stage_due_at <= {p} THEN 1 ELSE 0 END), 0) AS late \
         FROM complaints c{} GROUP BY c.stage",
        c.where_sql()
    );
    let rows = c.apply(sqlx::query(&sql)).fetch_all(conn).await?;
    rows.iter()
        .map(|r| Ok((r.try_get("stage")?, r.try_get("n")?, r.try_get("late")?)))
        .collect()
}
