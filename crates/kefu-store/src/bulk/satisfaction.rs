//! 回访与满意度 — the rows of follow-up visits, satisfaction surveys and key-account care
//! that a load writes in bulk, and what a load reads back to write them: the key customers
//! with the contact a visit or an invitation goes to, and the tickets resolved lately.
//!
//! The rows are the ones [`crate::follow_up`], [`crate::satisfaction`],
//! [`crate::relationship`], [`crate::key_account`] and [`crate::key_account_plan`] write one
//! at a time: the same columns, keys and encodings (times in microseconds, dates as
//! `YYYY-MM-DD` text, aspects as `,a,b,`), so every page reads them as its own.

use jiff::Timestamp;
use sqlx::{AnyConnection, Row};

use super::{Batch, flag, int, opt_int, opt_text, opt_time, text, time};
use crate::follow_up::AttemptRow;
use crate::key_account_plan::{NewPlan, NewPolicy, NewReview};
use crate::relationship::{AnswerRow, SurveyRow};
use crate::ticket::opt_time as read_opt_time;
use crate::{Result, from_micros, to_micros};

/// 回访任务 — a follow-up visit with its id chosen (its attempts name it) and where it
/// stands: planned (perhaps tried already), or done with the attempt that completed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitRow {
    pub id: i64,
    /// One visit per rule, customer and period: `r1:c42:2026-11`.
    pub plan_key: Option<String>,
    pub rule_id: Option<i64>,
    /// `periodic`, `complaint`, `occasion`, `dormant` or `manual`.
    pub reason: &'static str,
    /// The period's key (`2026-11`, `2026-Q4`), for a periodic visit.
    pub period: Option<String>,
    pub tier: Option<String>,
    pub customer_id: i64,
    pub contact_id: Option<i64>,
    /// The customer's owner; `None` while the visit waits in `group_id`.
    pub agent_id: Option<i64>,
    pub group_id: Option<i64>,
    /// `phone`, `sms`, `email`, `wechat` or `visit`.
    pub channel: &'static str,
    pub due_at: Timestamp,
    pub window_end: Timestamp,
    pub slot_at: Option<Timestamp>,
    pub callback_at: Option<Timestamp>,
    pub first_visit: bool,
    /// `planned`, `done` or `cancelled`.
    pub status: &'static str,
    pub attempts: i64,
    pub done_attempt_id: Option<i64>,
    pub done_at: Option<Timestamp>,
    /// `satisfied`, `neutral` or `unsatisfied`, from the completing attempt.
    pub satisfaction: Option<&'static str>,
    /// Done without a call long enough to prove it.
    pub unverified: bool,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// 满意度调查 — one resolved ticket's survey decision: sent (perhaps answered, a low score
/// perhaps followed up) or skipped with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsatRow {
    pub ticket_id: i64,
    pub customer_id: Option<i64>,
    /// Whom it went to: `e:mail@x`, `p:13812345678`, `r:42`, `c:7`.
    pub contact_key: Option<String>,
    /// The ticket's assignee and group when it was resolved.
    pub agent_id: Option<i64>,
    pub group_id: Option<i64>,
    pub channel: String,
    pub ticket_type: String,
    /// `sent` or `skipped`.
    pub state: &'static str,
    /// `ticket_type`, `channel`, `recent` or `no_contact`, for a skipped one.
    pub skip_reason: Option<&'static str>,
    /// The ticket message that carried the link, if one was written.
    pub message_id: Option<i64>,
    /// When it was decided (and, when sent, sent).
    pub sent_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub score: Option<i64>,
    pub comment: Option<String>,
    pub answered_at: Option<Timestamp>,
    pub changed_at: Option<Timestamp>,
    /// The score is at or under the low mark.
    pub low: bool,
    pub handled_at: Option<Timestamp>,
    pub handled_by: Option<i64>,
    pub handling_note: Option<String>,
}

/// 关系调查邀请 — one customer's invitation to a round, with its id chosen (its answers
/// name it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationRow {
    pub id: i64,
    pub survey_id: i64,
    /// The round: `2026-Q4`.
    pub period: String,
    pub customer_id: i64,
    pub contact_id: Option<i64>,
    /// `sent` or `skipped`.
    pub state: &'static str,
    /// `no_contact`, for a skipped one.
    pub skip_reason: Option<&'static str>,
    /// `sms` or `email`.
    pub channel: Option<&'static str>,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
    pub expires_at: Option<Timestamp>,
    pub reminded_at: Option<Timestamp>,
    pub answered_at: Option<Timestamp>,
    /// The 0–10 answer to the recommendation question.
    pub nps: Option<i64>,
}

/// 经理拜访 — the manager's visit to a key account, with its id chosen (a rating heard on
/// it names it), and its report once done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagerVisitRow {
    pub id: i64,
    pub customer_id: i64,
    pub manager_id: i64,
    pub arranged_by: Option<i64>,
    pub scheduled_at: Timestamp,
    /// `on_site`, `phone` or `video`.
    pub mode: &'static str,
    pub purpose: String,
    /// `planned`, `done` or `cancelled`.
    pub state: &'static str,
    pub summary: Option<String>,
    pub requests: Option<String>,
    pub actions: Option<String>,
    pub reported_at: Option<Timestamp>,
    pub cancel_reason: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// 客户评价 — a key account's rating (1–5) of the agent serving it, with its id chosen (a
/// change of agent names it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatingRow {
    pub id: i64,
    pub customer_id: i64,
    /// The customer's owner when it was rated.
    pub agent_id: i64,
    pub score: i64,
    pub comment: String,
    pub visit_id: Option<i64>,
    pub rated_by: Option<i64>,
    pub rated_at: Timestamp,
}

/// 更换客服 — the change of agent a low rating proposed, and its decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentChangeRow {
    pub customer_id: i64,
    pub rating_id: i64,
    pub from_agent_id: i64,
    /// `proposed`, `applied` or `dismissed`.
    pub state: &'static str,
    pub to_agent_id: Option<i64>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<Timestamp>,
    pub note: Option<String>,
    pub created_at: Timestamp,
}

/// Where a key account's policy stands after the manager looked at it (or before).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyDecision<'a> {
    /// `pending`, `approved`, `rejected` or `withdrawn`.
    pub state: &'a str,
    pub decided_by: Option<i64>,
    pub decided_at: Option<Timestamp>,
    pub note: Option<&'a str>,
}

impl Batch {
    /// A follow-up visit with its id set; its attempts follow it.
    pub fn follow_up_visit(&mut self, v: &VisitRow) {
        self.visits.push(vec![
            int(v.id),
            opt_text(v.plan_key.as_deref()),
            opt_int(v.rule_id),
            text(v.reason),
            opt_text(v.period.as_deref()),
            opt_text(v.tier.as_deref()),
            int(v.customer_id),
            opt_int(v.contact_id),
            opt_int(v.agent_id),
            opt_int(v.group_id),
            text(v.channel),
            time(v.due_at),
            time(v.window_end),
            opt_time(v.slot_at),
            opt_time(v.callback_at),
            flag(v.first_visit),
            text(v.status),
            int(v.attempts),
            opt_int(v.done_attempt_id),
            opt_time(v.done_at),
            opt_text(v.satisfaction),
            flag(v.unverified),
            int(v.version),
            time(v.created_at),
            time(v.updated_at),
        ]);
    }

    /// An attempt at a visit, with its id set (a done visit's `done_attempt_id` names it).
    pub fn follow_up_attempt(&mut self, a: &AttemptRow) {
        let aspects = if a.aspects.is_empty() {
            String::new()
        } else {
            format!(",{},", a.aspects.join(","))
        };
        self.attempts.push(vec![
            int(a.id),
            int(a.visit_id),
            text(&a.reach),
            text(&a.channel),
            time(a.started_at),
            time(a.ended_at),
            opt_int(a.call_id),
            opt_time(a.callback_at),
            opt_text(a.satisfaction.as_deref()),
            text(&aspects),
            text(&a.words),
            text(&a.next_action),
            opt_int(a.by_user_id),
            time(a.created_at),
        ]);
    }

    /// A ticket's satisfaction survey (its id is given by the database).
    pub fn csat_survey(&mut self, s: &CsatRow) {
        self.csat.push(vec![
            int(s.ticket_id),
            opt_int(s.customer_id),
            opt_text(s.contact_key.as_deref()),
            opt_int(s.agent_id),
            opt_int(s.group_id),
            text(&s.channel),
            text(&s.ticket_type),
            text(s.state),
            opt_text(s.skip_reason),
            opt_int(s.message_id),
            time(s.sent_at),
            opt_time(s.expires_at),
            opt_int(s.score),
            opt_text(s.comment.as_deref()),
            opt_time(s.answered_at),
            opt_time(s.changed_at),
            flag(s.low),
            opt_time(s.handled_at),
            opt_int(s.handled_by),
            opt_text(s.handling_note.as_deref()),
        ]);
    }

    /// A relationship survey with its id set, its questions as their JSON.
    pub fn relationship_survey(&mut self, s: &SurveyRow, created_by: Option<i64>) {
        self.surveys.push(vec![
            int(s.id),
            text(&s.name),
            text(&s.questions),
            opt_text(s.tier.as_deref()),
            opt_text(s.customer_type.as_deref()),
            int(s.every_months),
            int(s.link_days),
            int(s.remind_after_days),
            flag(s.active),
            opt_time(s.first_sent_at),
            opt_int(created_by),
            time(s.created_at),
            time(s.updated_at),
            int(s.version),
        ]);
    }

    /// An invitation to a relationship survey's round, with its id set.
    pub fn relationship_invitation(&mut self, i: &InvitationRow) {
        self.invitations.push(vec![
            int(i.id),
            int(i.survey_id),
            text(&i.period),
            int(i.customer_id),
            opt_int(i.contact_id),
            text(i.state),
            opt_text(i.skip_reason),
            opt_text(i.channel),
            time(i.created_at),
            opt_time(i.sent_at),
            opt_time(i.expires_at),
            opt_time(i.reminded_at),
            opt_time(i.answered_at),
            opt_int(i.nps),
        ]);
    }

    /// One answer to invitation `invitation_id`: a number (scale, score, option index) or a
    /// text.
    pub fn relationship_answer(&mut self, invitation_id: i64, a: &AnswerRow) {
        self.answers.push(vec![
            int(invitation_id),
            text(&a.question),
            opt_int(a.number),
            opt_text(a.text.as_deref()),
        ]);
    }

    /// The manager's visit to a key account, with its id set.
    pub fn manager_visit(&mut self, v: &ManagerVisitRow) {
        self.manager_visits.push(vec![
            int(v.id),
            int(v.customer_id),
            int(v.manager_id),
            opt_int(v.arranged_by),
            time(v.scheduled_at),
            text(v.mode),
            text(&v.purpose),
            text(v.state),
            opt_text(v.summary.as_deref()),
            opt_text(v.requests.as_deref()),
            opt_text(v.actions.as_deref()),
            opt_time(v.reported_at),
            opt_text(v.cancel_reason.as_deref()),
            time(v.created_at),
            time(v.updated_at),
        ]);
    }

    /// A key account's rating of its agent, with its id set.
    pub fn agent_rating(&mut self, r: &RatingRow) {
        self.ratings.push(vec![
            int(r.id),
            int(r.customer_id),
            int(r.agent_id),
            int(r.score),
            text(&r.comment),
            opt_int(r.visit_id),
            opt_int(r.rated_by),
            time(r.rated_at),
        ]);
    }

    /// The change of agent a low rating proposed.
    pub fn agent_change(&mut self, c: &AgentChangeRow) {
        self.agent_changes.push(vec![
            int(c.customer_id),
            int(c.rating_id),
            int(c.from_agent_id),
            text(c.state),
            opt_int(c.to_agent_id),
            opt_int(c.decided_by),
            opt_time(c.decided_at),
            opt_text(c.note.as_deref()),
            time(c.created_at),
        ]);
    }

    /// A key account's service plan with its goals (in their order); `reminded_for` is the
    /// review date whose reminder went out already.
    pub fn service_plan(
        &mut self,
        p: &NewPlan<'_>,
        reminded_for: Option<&str>,
        created_at: Timestamp,
        updated_at: Timestamp,
    ) {
        self.plans.push(vec![
            int(p.customer_id),
            text(p.stage),
            text(p.needs),
            int(p.review_every_months),
            text(p.next_review_on),
            opt_text(reminded_for),
            opt_int(p.author_id),
            time(created_at),
            time(updated_at),
        ]);
        for (n, g) in p.goals.iter().enumerate() {
            self.goals.push(vec![
                int(p.customer_id),
                int(n as i64),
                text(&g.stage),
                text(&g.goal),
                text(&g.measure),
                opt_text(g.due_on.as_deref()),
                text(&g.state),
            ]);
        }
    }

    /// A review of a service plan held at `reviewed_at` (write the plan with the stage and
    /// next review the last review left).
    pub fn service_plan_review(&mut self, r: &NewReview<'_>, reviewed_at: Timestamp) {
        self.reviews.push(vec![
            int(r.customer_id),
            time(reviewed_at),
            opt_int(r.reviewer_id),
            text(r.stage_before),
            text(r.stage_after),
            text(r.findings),
            text(r.next_review_on),
        ]);
    }

    /// A key account's discount or incentive policy proposed at `proposed_at`, and where it
    /// stands.
    pub fn key_account_policy(
        &mut self,
        p: &NewPolicy<'_>,
        proposed_at: Timestamp,
        decision: &PolicyDecision<'_>,
    ) {
        self.policies.push(vec![
            int(p.customer_id),
            text(p.kind),
            text(p.title),
            text(p.conditions),
            opt_int(p.rate_bp),
            opt_int(p.threshold_fen),
            text(p.valid_from),
            text(p.valid_until),
            text(decision.state),
            opt_int(p.proposed_by),
            time(proposed_at),
            opt_int(decision.decided_by),
            opt_time(decision.decided_at),
            opt_text(decision.note),
        ]);
    }
}

/// A key account or VIP customer as a load plans its visits and surveys: where it stands,
/// its owner, and the contact a visit or an invitation goes to (the primary one, else the
/// first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyCustomer {
    pub id: i64,
    pub name: String,
    /// `key_account` or `vip`.
    pub tier: String,
    pub customer_type: String,
    pub status: String,
    pub owner_id: Option<i64>,
    pub created_at: Timestamp,
    pub last_contact_at: Option<Timestamp>,
    pub contact_id: Option<i64>,
    pub contact_name: Option<String>,
    pub mobile: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub preferred_channel: Option<String>,
    /// As stored: `,sms,`.
    pub opt_outs: String,
    pub rest_hours: String,
}

/// Every key account and VIP customer, by id, with its visit contact.
pub async fn key_customers(conn: &mut AnyConnection) -> Result<Vec<KeyCustomer>> {
    let rows = sqlx::query(
        "SELECT c.id, c.name, c.tier, c.customer_type, c.status, c.owner_id, c.created_at, \
         c.last_contact_at, ct.id AS contact_id, ct.name AS contact_name, ct.mobile, ct.phone, \
         ct.email, ct.preferred_channel, ct.opt_outs, ct.rest_hours FROM customers c \
         LEFT JOIN customer_contacts ct ON ct.id = (SELECT x.id FROM customer_contacts x \
           WHERE x.customer_id = c.id ORDER BY x.is_primary DESC, x.id LIMIT 1) \
         WHERE c.tier IN ('key_account', 'vip') ORDER BY c.id",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(KeyCustomer {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                tier: r.try_get("tier")?,
                customer_type: r.try_get("customer_type")?,
                status: r.try_get("status")?,
                owner_id: r.try_get("owner_id")?,
                created_at: from_micros(r.try_get("created_at")?),
                last_contact_at: read_opt_time(r, "last_contact_at")?,
                contact_id: r.try_get("contact_id")?,
                contact_name: r.try_get("contact_name")?,
                mobile: r.try_get("mobile")?,
                phone: r.try_get("phone")?,
                email: r.try_get("email")?,
                preferred_channel: r.try_get("preferred_channel")?,
                opt_outs: r
                    .try_get::<Option<String>, _>("opt_outs")?
                    .unwrap_or_default(),
                rest_hours: r
                    .try_get::<Option<String>, _>("rest_hours")?
                    .unwrap_or_default(),
            })
        })
        .collect()
}

/// A resolved ticket, with what its survey decision needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedTicket {
    pub id: i64,
    pub ticket_type: String,
    pub channel: String,
    pub customer_id: Option<i64>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub requester_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub group_id: Option<i64>,
    pub resolved_at: Timestamp,
}

/// The newest `limit` tickets resolved (or closed) at or after `since`, oldest first.
pub async fn resolved_tickets(
    conn: &mut AnyConnection,
    since: Timestamp,
    limit: i64,
) -> Result<Vec<ResolvedTicket>> {
    let rows = sqlx::query(
        "SELECT id, ticket_type, channel, customer_id, contact_email, contact_phone, \
         requester_id, assignee_id, group_id, resolved_at FROM tickets \
         WHERE resolved_at >= $1 ORDER BY resolved_at DESC, id DESC LIMIT $2",
    )
    .bind(to_micros(since))
    .bind(limit)
    .fetch_all(conn)
    .await?;
    let mut out = rows
        .iter()
        .map(|r| {
            Ok(ResolvedTicket {
                id: r.try_get("id")?,
                ticket_type: r.try_get("ticket_type")?,
                channel: r.try_get("channel")?,
                customer_id: r.try_get("customer_id")?,
                contact_email: r.try_get("contact_email")?,
                contact_phone: r.try_get("contact_phone")?,
                requester_id: r.try_get("requester_id")?,
                assignee_id: r.try_get("assignee_id")?,
                group_id: r.try_get("group_id")?,
                resolved_at: from_micros(r.try_get("resolved_at")?),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    out.reverse();
    Ok(out)
}

/// After a load wrote visits: every customer's last contact is at least its latest visit
/// done, as recording a reached visit leaves it. Customers without one, or whose last
/// contact is already later, keep theirs.
pub async fn last_contact_from_visits(conn: &mut AnyConnection) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE customers SET last_contact_at = d.latest \
         FROM (SELECT customer_id, MAX(done_at) AS latest FROM follow_up_visits \
           WHERE status = 'done' GROUP BY customer_id) d \
         WHERE customers.id = d.customer_id \
         AND (customers.last_contact_at IS NULL OR customers.last_contact_at < d.latest)",
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}
