//! 批量写入 — many rows per statement, the ids of parents chosen by the caller: for `kefu
//! demo` and the benchmark loading a fresh database, and for intake writing the new tickets
//! that arrived together in one transaction.
//!
//! The rest of the store writes one record at a time; a believable company of a million
//! tickets through that path takes too long to set up, and new tickets arriving faster than
//! one round trip per row cannot keep up. The rows written here are the same rows those
//! modules write (same columns, same encodings), so every page and report reads them as its
//! own.

mod accounts;
mod aftersales;
mod orders;
mod quality;
mod satisfaction;

pub use accounts::*;
pub use aftersales::*;
pub use orders::*;
pub use quality::*;
pub use satisfaction::*;

use jiff::Timestamp;
use sqlx::AnyConnection;

use crate::changelog::Operation;
use crate::complaint::{Complaint, FollowUp, Notice, Proposal, Rma, Step};
use crate::customer::{Contact, Customer};
use crate::kb::NewScript;
use crate::ticket::conversation::{Event, Message};
use crate::ticket::{Ticket, priority_rank, tags_column};
use crate::{Backend, Result, to_micros};

/// Most bind parameters in one statement (SQLite allows 32,766, PostgreSQL 65,535).
const MAX_PARAMS: usize = 4_000;

/// Rows per statement; above this the statement grows without getting faster.
const MAX_ROWS: usize = 250;

enum Value {
    Int(Option<i64>),
    Text(Option<String>),
}

fn int(v: i64) -> Value {
    Value::Int(Some(v))
}

fn opt_int(v: Option<i64>) -> Value {
    Value::Int(v)
}

fn text(v: &str) -> Value {
    Value::Text(Some(v.to_owned()))
}

fn opt_text(v: Option<&str>) -> Value {
    Value::Text(v.map(str::to_owned))
}

fn time(v: Timestamp) -> Value {
    int(to_micros(v))
}

fn opt_time(v: Option<Timestamp>) -> Value {
    opt_int(v.map(to_micros))
}

fn flag(v: bool) -> Value {
    int(i64::from(v))
}

fn opt_flag(v: Option<bool>) -> Value {
    opt_int(v.map(i64::from))
}

/// The rows of one table waiting to be written.
struct Pending {
    table: &'static str,
    columns: &'static [&'static str],
    values: Vec<Value>,
}

impl Pending {
    fn push(&mut self, row: Vec<Value>) {
        debug_assert_eq!(row.len(), self.columns.len(), "{}", self.table);
        self.values.extend(row);
    }

    fn rows(&self) -> usize {
        self.values.len() / self.columns.len()
    }

    async fn write(&mut self, conn: &mut AnyConnection) -> Result<()> {
        let width = self.columns.len();
        let per_statement = (MAX_PARAMS / width).clamp(1, MAX_ROWS);
        // SQLite binds a `$N` parameter by walking the statement's list of parameter names,
        // which makes a statement with thousands of them quadratic; anonymous `?`
        // parameters have no names to walk. PostgreSQL only knows `$N`.
        let numbered = conn.backend_name() != "SQLite";
        let mut left = self.rows();
        let mut values = std::mem::take(&mut self.values).into_iter();
        while left > 0 {
            let rows = left.min(per_statement);
            let sql = insert_sql(self.table, self.columns, rows, numbered);
            let mut query = sqlx::query(&sql);
            for v in values.by_ref().take(rows * width) {
                query = match v {
                    Value::Int(i) => query.bind(i),
                    Value::Text(t) => query.bind(t),
                };
            }
            query.execute(&mut *conn).await?;
            left -= rows;
        }
        Ok(())
    }
}

fn insert_sql(table: &str, columns: &[&str], rows: usize, numbered: bool) -> String {
    let width = columns.len();
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..width {
            if c > 0 {
                sql.push_str(", ");
            }
            if numbered {
                sql.push('$');
                sql.push_str(&(r * width + c + 1).to_string());
            } else {
                sql.push('?');
            }
        }
        sql.push(')');
    }
    sql
}

macro_rules! tables {
    ($($field:ident: $table:literal [$($col:literal),+ $(,)?]),+ $(,)?) => {
        /// Rows of every table a load writes, held until [`Batch::write`]; written parents
        /// first, so foreign keys hold at every statement.
        pub struct Batch {
            $($field: Pending,)+
        }

        impl Default for Batch {
            fn default() -> Batch {
                Batch {
                    $($field: Pending { table: $table, columns: &[$($col),+], values: Vec::new() },)+
                }
            }
        }

        impl Batch {
            /// Rows waiting, over every table.
            pub fn len(&self) -> usize {
                0 $(+ self.$field.rows())+
            }

            pub fn is_empty(&self) -> bool {
                self.len() == 0
            }

            /// Writes everything waiting (inside the caller's transaction) and empties the
            /// batch.
            pub async fn write(&mut self, conn: &mut AnyConnection) -> Result<()> {
                $(self.$field.write(conn).await?;)+
                Ok(())
            }
        }
    };
}

tables! {
    customers: "customers" ["id", "kind", "name", "name_key", "tier", "customer_type", "status",
        "province", "city", "industry", "owner_id", "tags", "notes", "id_number", "address",
        "bank_account", "last_contact_at", "created_at", "updated_at", "credit_grade",
        "credit_limit_fen", "payment_terms", "credit_updated_at"],
    contacts: "customer_contacts" ["customer_id", "name", "title", "mobile", "mobile_reversed",
        "phone", "phone_digits", "email", "wechat", "preferred_channel", "opt_outs",
        "rest_hours", "is_primary", "created_at", "updated_at"],
    scripts: "reply_scripts" ["category", "title", "body", "actions", "status", "proposed_by",
        "reviewed_by", "created_at", "updated_at"],
    tickets: "tickets" ["id", "number", "ticket_type", "channel", "status", "status_category",
        "active", "priority", "priority_rank", "subject", "customer_name", "contact_name",
        "contact_email", "contact_phone", "assignee_id", "group_id", "tags", "external_id",
        "created_by_user_id", "created_at", "updated_at", "first_response_at", "resolved_at",
        "closed_at", "message_count", "customer_tier", "sla_policy_id", "first_response_due_at",
        "next_response_due_at", "resolution_due_at", "sla_next_due_at", "sla_next_target",
        "awaiting_reply_since", "sla_paused_secs", "sla_paused_since", "sla_warned_due_at",
        "sla_escalated_due_at", "first_response_met", "resolution_met",
        "next_response_breaches", "requester_id", "status_changed_at", "customer_id"],
    tags: "ticket_tags" ["ticket_id", "tag"],
    messages: "ticket_messages" ["ticket_id", "visibility", "author_kind", "author_user_id",
        "author_name", "body", "created_at"],
    events: "ticket_events" ["ticket_id", "at", "actor_user_id", "actor_name", "field",
        "old_value", "new_value"],
    counters: "ticket_counters" ["day", "last_seq"],
    complaints: "complaints" ["id", "ticket_id", "customer_id", "stage", "severity", "category",
        "complainant", "complainant_phone", "channel", "content", "received_at", "order_number",
        "part_number", "quantity", "delivery_date", "product", "valid", "invalid_reason",
        "department_id", "promised_answer_at", "cause", "responsible_department_id",
        "responsible_user_id", "findings", "cost_fen", "summary", "lessons", "measure",
        "measure_owner_id", "measure_due", "stage_entered_at", "stage_due_at", "stage_warned",
        "stage_escalated", "handler_id", "opened_by", "created_at", "updated_at", "closed_at"],
    steps: "complaint_steps" ["complaint_id", "at", "actor_user_id", "actor_name", "action",
        "from_stage", "to_stage", "comment", "stage_minutes", "received_at", "rma_id"],
    notices: "complaint_notices" ["complaint_id", "department_id", "status", "due_at",
        "sent_by", "sent_at", "acknowledged_by", "acknowledged_at", "answer", "answered_by",
        "answered_at", "reviewed_by", "reviewed_at", "review_comment", "escalated"],
    proposals: "complaint_proposals" ["id", "complaint_id", "remedy", "description", "cost_fen",
        "status", "proposed_by", "proposed_at", "decided_by", "decided_at", "decision_comment"],
    rmas: "complaint_rmas" ["complaint_id", "proposal_id", "remedy", "status", "amount_fen",
        "note", "created_at", "updated_at", "updated_by"],
    follow_ups: "complaint_follow_ups" ["complaint_id", "due_at", "script", "assignee_id",
        "result", "comment", "done_by", "done_at", "created_at"],
    visits: "follow_up_visits" ["id", "plan_key", "rule_id", "reason", "period", "tier",
        "customer_id", "contact_id", "agent_id", "group_id", "channel", "due_at", "window_end",
        "slot_at", "callback_at", "first_visit", "status", "attempts", "done_attempt_id",
        "done_at", "satisfaction", "unverified", "version", "created_at", "updated_at"],
    attempts: "follow_up_attempts" ["id", "visit_id", "reach", "channel", "started_at",
        "ended_at", "call_id", "callback_at", "satisfaction", "aspects", "words", "next_action",
        "by_user_id", "created_at"],
    csat: "csat_surveys" ["ticket_id", "customer_id", "contact_key", "agent_id", "group_id",
        "channel", "ticket_type", "state", "skip_reason", "message_id", "sent_at", "expires_at",
        "score", "comment", "answered_at", "changed_at", "low", "handled_at", "handled_by",
        "handling_note"],
    surveys: "relationship_surveys" ["id", "name", "questions", "tier", "customer_type",
        "every_months", "link_days", "remind_after_days", "active", "first_sent_at",
        "created_by", "created_at", "updated_at", "version"],
    invitations: "relationship_invitations" ["id", "survey_id", "period", "customer_id",
        "contact_id", "state", "skip_reason", "channel", "created_at", "sent_at", "expires_at",
        "reminded_at", "answered_at", "nps"],
    answers: "relationship_answers" ["invitation_id", "question", "number", "text"],
    manager_visits: "manager_visits" ["id", "customer_id", "manager_id", "arranged_by",
        "scheduled_at", "mode", "purpose", "state", "summary", "requests", "actions",
        "reported_at", "cancel_reason", "created_at", "updated_at"],
    ratings: "agent_ratings" ["id", "customer_id", "agent_id", "score", "comment", "visit_id",
        "rated_by", "rated_at"],
    agent_changes: "agent_changes" ["customer_id", "rating_id", "from_agent_id", "state",
        "to_agent_id", "decided_by", "decided_at", "note", "created_at"],
    plans: "service_plans" ["customer_id", "stage", "needs", "review_every_months",
        "next_review_on", "reminded_for", "author_id", "created_at", "updated_at"],
    goals: "service_plan_goals" ["customer_id", "position", "stage", "goal", "measure",
        "due_on", "state"],
    reviews: "service_plan_reviews" ["customer_id", "reviewed_at", "reviewer_id",
        "stage_before", "stage_after", "findings", "next_review_on"],
    policies: "key_account_policies" ["customer_id", "kind", "title", "conditions", "rate_bp",
        "threshold_fen", "valid_from", "valid_until", "state", "proposed_by", "proposed_at",
        "decided_by", "decided_at", "decision_note"],
    changes: "change_log" ["at", "entity", "entity_id", "operation", "actor_user_id"],
}

impl Batch {
    /// A customer with its id set.
    pub fn customer(&mut self, c: &Customer) {
        self.customers.push(vec![
            int(c.id),
            text(&c.kind),
            text(&c.name),
            text(&c.name_key),
            text(&c.tier),
            text(&c.customer_type),
            text(&c.status),
            opt_text(c.province.as_deref()),
            opt_text(c.city.as_deref()),
            opt_text(c.industry.as_deref()),
            opt_int(c.owner_id),
            text(&tags_column(&c.tags)),
            opt_text(c.notes.as_deref()),
            opt_text(c.id_number.as_deref()),
            opt_text(c.address.as_deref()),
            opt_text(c.bank_account.as_deref()),
            opt_time(c.last_contact_at),
            time(c.created_at),
            time(c.updated_at),
            opt_text(c.credit_grade.as_deref()),
            int(c.credit_limit_fen),
            opt_text(c.payment_terms.as_deref()),
            opt_time(c.credit_updated_at),
        ]);
    }

    /// A contact (its id is given by the database).
    pub fn contact(&mut self, c: &Contact, at: Timestamp) {
        let (reversed, phone_digits) = crate::customer::search_columns(c);
        self.contacts.push(vec![
            int(c.customer_id),
            text(&c.name),
            opt_text(c.title.as_deref()),
            opt_text(c.mobile.as_deref()),
            Value::Text(reversed),
            opt_text(c.phone.as_deref()),
            Value::Text(phone_digits),
            opt_text(c.email.as_deref()),
            opt_text(c.wechat.as_deref()),
            opt_text(c.preferred_channel.as_deref()),
            text(&tags_column(&c.opt_outs)),
            text(&c.rest_hours),
            flag(c.is_primary),
            time(at),
            time(at),
        ]);
    }

    /// A reply script, reviewed by `reviewer`.
    pub fn script(&mut self, s: &NewScript<'_>, reviewer: Option<i64>, at: Timestamp) {
        self.scripts.push(vec![
            text(s.category),
            text(s.title),
            text(s.body),
            text(s.actions),
            text(s.status),
            opt_int(s.proposed_by),
            opt_int(reviewer),
            time(at),
            time(at),
        ]);
    }

    /// A ticket with its id set, and its tags.
    pub fn ticket(&mut self, t: &Ticket) {
        let s = &t.sla;
        self.tickets.push(vec![
            int(t.id),
            text(&t.number),
            text(t.ticket_type.key()),
            text(t.channel.key()),
            text(&t.status),
            text(t.category.key()),
            flag(t.category.is_active()),
            text(t.priority.key()),
            int(priority_rank(t.priority)),
            text(&t.subject),
            opt_text(t.customer_name.as_deref()),
            opt_text(t.contact_name.as_deref()),
            opt_text(t.contact_email.as_deref()),
            opt_text(t.contact_phone.as_deref()),
            opt_int(t.assignee_id),
            opt_int(t.group_id),
            text(&tags_column(&t.tags)),
            opt_text(t.external_id.as_deref()),
            opt_int(t.created_by_user_id),
            time(t.created_at),
            time(t.updated_at),
            opt_time(t.first_response_at),
            opt_time(t.resolved_at),
            opt_time(t.closed_at),
            int(t.message_count),
            opt_text(s.customer_tier.as_deref()),
            opt_int(s.policy_id),
            opt_time(s.first_response_due_at),
            opt_time(s.next_response_due_at),
            opt_time(s.resolution_due_at),
            opt_time(s.next_due_at),
            opt_text(s.next_target.as_deref()),
            opt_time(s.awaiting_reply_since),
            int(s.paused_secs),
            opt_time(s.paused_since),
            opt_time(s.warned_due_at),
            opt_time(s.escalated_due_at),
            opt_flag(s.first_response_met),
            opt_flag(s.resolution_met),
            int(s.next_response_breaches),
            opt_int(t.requester_id),
            time(t.status_changed_at),
            opt_int(t.customer_id),
        ]);
        for tag in &t.tags {
            self.tags.push(vec![int(t.id), text(tag)]);
        }
    }

    /// A message of a ticket (count it in the ticket's `message_count`).
    pub fn message(&mut self, m: &Message) {
        self.messages.push(vec![
            int(m.ticket_id),
            text(&m.visibility),
            text(&m.author_kind),
            opt_int(m.author_user_id),
            text(&m.author_name),
            text(&m.body),
            time(m.created_at),
        ]);
    }

    pub fn event(&mut self, e: &Event) {
        self.events.push(vec![
            int(e.ticket_id),
            time(e.at),
            opt_int(e.actor_user_id),
            text(&e.actor_name),
            text(&e.field),
            opt_text(e.old_value.as_deref()),
            opt_text(e.new_value.as_deref()),
        ]);
    }

    /// The last sequence number used on a local day (`20261122`); once per day.
    pub fn day_counter(&mut self, day: &str, last_seq: i64) {
        self.counters.push(vec![text(day), int(last_seq)]);
    }

    /// A complaint with its id set.
    pub fn complaint(&mut self, c: &Complaint) {
        self.complaints.push(vec![
            int(c.id),
            int(c.ticket_id),
            opt_int(c.customer_id),
            text(c.stage.key()),
            text(c.severity.key()),
            text(c.category.key()),
            text(&c.complainant),
            opt_text(c.complainant_phone.as_deref()),
            text(&c.channel),
            text(&c.content),
            time(c.received_at),
            opt_text(c.order_number.as_deref()),
            opt_text(c.part_number.as_deref()),
            opt_int(c.quantity),
            opt_text(c.delivery_date.as_deref()),
            opt_text(c.product.as_deref()),
            opt_flag(c.valid),
            opt_text(c.invalid_reason.as_deref()),
            opt_int(c.department_id),
            opt_time(c.promised_answer_at),
            opt_text(c.cause.as_deref()),
            opt_int(c.responsible_department_id),
            opt_int(c.responsible_user_id),
            opt_text(c.findings.as_deref()),
            int(c.approved_cost_fen),
            opt_text(c.summary.as_deref()),
            opt_text(c.lessons.as_deref()),
            opt_text(c.measure.as_deref()),
            opt_int(c.measure_owner_id),
            opt_text(c.measure_due.as_deref()),
            time(c.stage_entered_at),
            opt_time(c.stage_due_at),
            flag(c.stage_warned),
            flag(c.stage_escalated),
            opt_int(c.handler_id),
            opt_int(c.opened_by),
            time(c.created_at),
            time(c.updated_at),
            opt_time(c.closed_at),
        ]);
    }

    pub fn step(&mut self, s: &Step) {
        self.steps.push(vec![
            int(s.complaint_id),
            time(s.at),
            opt_int(s.actor_user_id),
            text(&s.actor_name),
            text(&s.action),
            text(s.from_stage.key()),
            text(s.to_stage.key()),
            opt_text(s.comment.as_deref()),
            opt_int(s.stage_minutes),
            time(s.received_at),
            opt_int(s.rma_id),
        ]);
    }

    pub fn notice(&mut self, n: &Notice) {
        self.notices.push(vec![
            int(n.complaint_id),
            int(n.department_id),
            text(n.status.key()),
            time(n.due_at),
            opt_int(n.sent_by),
            time(n.sent_at),
            opt_int(n.acknowledged_by),
            opt_time(n.acknowledged_at),
            opt_text(n.answer.as_deref()),
            opt_int(n.answered_by),
            opt_time(n.answered_at),
            opt_int(n.reviewed_by),
            opt_time(n.reviewed_at),
            opt_text(n.review_comment.as_deref()),
            flag(n.escalated),
        ]);
    }

    /// A proposal with its id set (an RMA refers to it).
    pub fn proposal(&mut self, p: &Proposal) {
        self.proposals.push(vec![
            int(p.id),
            int(p.complaint_id),
            text(p.remedy.key()),
            text(&p.description),
            int(p.cost_fen),
            text(p.status.key()),
            opt_int(p.proposed_by),
            time(p.proposed_at),
            opt_int(p.decided_by),
            opt_time(p.decided_at),
            opt_text(p.decision_comment.as_deref()),
        ]);
    }

    pub fn rma(&mut self, r: &Rma) {
        self.rmas.push(vec![
            int(r.complaint_id),
            int(r.proposal_id),
            text(r.remedy.key()),
            text(r.status.key()),
            int(r.amount_fen),
            opt_text(r.note.as_deref()),
            time(r.created_at),
            time(r.updated_at),
            opt_int(r.updated_by),
        ]);
    }

    pub fn follow_up(&mut self, f: &FollowUp) {
        self.follow_ups.push(vec![
            int(f.complaint_id),
            time(f.due_at),
            text(&f.script),
            opt_int(f.assignee_id),
            opt_text(f.result.map(|r| r.key())),
            opt_text(f.comment.as_deref()),
            opt_int(f.done_by),
            opt_time(f.done_at),
            time(f.created_at),
        ]);
    }

    /// A change-log entry, so derived views (the search index) learn of the record.
    pub fn change(&mut self, entity: &str, id: i64, actor_user_id: Option<i64>, at: Timestamp) {
        self.changes.push(vec![
            time(at),
            text(entity),
            int(id),
            text(Operation::Create.key()),
            opt_int(actor_user_id),
        ]);
    }
}

/// Reserves `n` new ids of `table` (one of kefu's tables, never input) for rows the caller
/// writes with explicit ids in the same transaction. On SQLite the caller holds the write
/// lock (`BEGIN IMMEDIATE`), so the ids above the table's AUTOINCREMENT mark stay free until
/// it commits, and the insert moves the mark; on PostgreSQL the table's sequence hands them
/// out (an aborted transaction leaves a gap, as any insert does).
pub async fn reserve_ids(
    conn: &mut AnyConnection,
    table: &'static str,
    n: usize,
) -> Result<Vec<i64>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    if conn.backend_name() == "SQLite" {
        let sql = format!(
            "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = '{table}'), 0), \
             COALESCE((SELECT MAX(id) FROM {table}), 0))"
        );
        let last: i64 = sqlx::query_scalar(&sql).fetch_one(conn).await?;
        return Ok((1..=n as i64).map(|i| last + i).collect());
    }
    let sql = format!(
        "SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, $1)"
    );
    let mut ids: Vec<i64> = sqlx::query_scalar(&sql)
        .bind(n as i64)
        .fetch_all(conn)
        .await?;
    ids.sort_unstable();
    Ok(ids)
}

/// Whether the database holds no tickets, customers or complaints (a bulk load chooses ids
/// from 1).
pub async fn is_fresh(conn: &mut AnyConnection) -> Result<bool> {
    let (tickets, customers, complaints): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM tickets), (SELECT COUNT(*) FROM customers), \
         (SELECT COUNT(*) FROM complaints)",
    )
    .fetch_one(conn)
    .await?;
    Ok(tickets == 0 && customers == 0 && complaints == 0)
}

/// After a load: every customer's last contact is at least its latest ticket's activity, so
/// the 360 page never shows 最近联系 older than a ticket listed beside it. One statement on
/// both backends; each customer's tickets are found through the tickets' customer index.
/// Customers without tickets, or whose last contact is already later, keep theirs.
pub async fn last_contact_from_tickets(conn: &mut AnyConnection) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE customers SET last_contact_at = (SELECT MAX(t.updated_at) FROM tickets t \
         WHERE t.customer_id = customers.id) \
         WHERE last_contact_at IS NULL OR last_contact_at < (SELECT MAX(t.updated_at) \
         FROM tickets t WHERE t.customer_id = customers.id)",
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// After a load: the next id the database hands out follows the ids the load chose.
pub async fn finish(conn: &mut AnyConnection, backend: Backend) -> Result<()> {
    crate::dialect::follow_chosen_ids(
        conn,
        backend,
        &["customers", "tickets", "complaints", "complaint_proposals"],
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statement_numbers_placeholders_row_by_row() {
        assert_eq!(
            insert_sql("t", &["a", "b"], 2, true),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)"
        );
        assert_eq!(
            insert_sql("t", &["a", "b"], 2, false),
            "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)"
        );
    }
}
