//! 投诉结案回访 — the follow-up call after a complaint's solution is carried out, made as a
//! visit: planned when the customer accepts the solution, on the follow-up agent's list in
//! the calling hours, with the script the complaint handler wrote. Its result is the
//! complaint's follow-up result, whichever side records it: a visit recorded on the visit
//! page moves the complaint on, one recorded on the complaint page completes the visit.
//!
//! The visit's window is the complaint's follow-up deadline (set per stage and severity
//! in the complaint settings). A complaint without a customer in the archive has no visit:
//! its follow-up is recorded on the complaint alone.

use jiff::{SignedDuration, Timestamp};
use kefu_domain::complaint::FollowUpResult;
use kefu_domain::follow_up::visit::{Reach, Reason, needs_quality_check};
use kefu_store::AnyConnection;
use kefu_store::complaint::Complaint;
use kefu_store::customer::{self as customers, Contact};
use kefu_store::follow_up::{self as store, AttemptRow, Completion, NewVisit};
use serde_json::json;

use super::load_settings;
use super::plan::{slot_for, visit_channel, visit_contact};
use crate::notify::{self, kind};
use crate::{Actor, App, Result};

/// The window of a complaint visit whose complaint has no follow-up deadline.
const DEFAULT_WINDOW: SignedDuration = SignedDuration::from_hours(7 * 24);

/// The contact who complained, found by number (digits compared) or name; else the
/// customer's usual contact.
fn complainant_contact<'a>(
    contacts: &'a [Contact],
    name: &str,
    phone: Option<&str>,
) -> Option<&'a Contact> {
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    let wanted = phone.map(digits).filter(|d| d.len() >= 7);
    let by_number = wanted.and_then(|w| {
        contacts.iter().find(|c| {
            [c.mobile.as_deref(), c.phone.as_deref()]
                .into_iter()
                .flatten()
                .any(|n| digits(n) == w)
        })
    });
    by_number
        .or_else(|| contacts.iter().find(|c| c.name == name.trim()))
        .or_else(|| visit_contact(contacts))
}

impl App {
    /// Plans complaint `c`'s follow-up visit for follow-up task `follow_up_id`, made by
    /// `agent_id`, inside the transaction that records the customer's acceptance. `None`
    /// when the complaint has no customer.
    pub(crate) async fn plan_complaint_visit(
        &self,
        conn: &mut AnyConnection,
        c: &Complaint,
        follow_up_id: i64,
        agent_id: Option<i64>,
        now: Timestamp,
    ) -> Result<Option<i64>> {
        let Some(customer_id) = c.customer_id else {
            return Ok(None);
        };
        let settings = load_settings(conn).await?;
        let calendar = self.business_calendar(conn).await?;
        let contacts = customers::contacts_of(conn, customer_id).await?;
        let contact =
            complainant_contact(&contacts, &c.complainant, c.complainant_phone.as_deref());
        let window_end = c
            .stage_due_at
            .filter(|d| *d > now)
            .unwrap_or(now + DEFAULT_WINDOW);
        let visit = NewVisit {
            plan_key: Some(format!("k{}:f{}", c.id, follow_up_id)),
            rule_id: None,
            reason: Reason::Complaint.key().to_owned(),
            period: None,
            tier: None,
            customer_id,
            contact_id: contact.map(|x| x.id),
            complaint_id: Some(c.id),
            agent_id,
            group_id: None,
            channel: visit_channel(contact).key().to_owned(),
            due_at: now,
            window_end,
            slot_at: slot_for(
                &calendar,
                &settings.calling_hours,
                &crate::shift::roster_of(conn, &calendar, agent_id, (now, window_end)).await?,
                contact,
                now,
                window_end,
            ),
            first_visit: false,
        };
        Ok(store::insert_visit(conn, &visit, now).await?)
    }

    /// Completes complaint `complaint_id`'s open visit with the result recorded on the
    /// complaint page, as an attempt in that result's words. Like any completed phone visit
    /// without a call to prove it, it is flagged to quality.
    pub(crate) async fn complete_complaint_visit(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        complaint_id: i64,
        result: FollowUpResult,
        comment: &str,
        now: Timestamp,
    ) -> Result<()> {
        let Some(v) = store::complaint_visit(conn, complaint_id)
            .await?
            .filter(|v| v.status == kefu_domain::follow_up::visit::VisitStatus::Planned.key())
        else {
            return Ok(());
        };
        let settings = load_settings(conn).await?;
        store::advance_visit(conn, v.id, None, now).await?.ok();
        let channel = v
            .channel
            .parse()
            .unwrap_or(kefu_domain::customer::ContactChannel::Phone);
        let attempt_id = store::insert_attempt(
            conn,
            &AttemptRow {
                id: 0,
                visit_id: v.id,
                reach: Reach::Reached.key().to_owned(),
                channel: v.channel.clone(),
                started_at: now,
                ended_at: now,
                call_id: None,
                callback_at: None,
                satisfaction: Some(result.key().to_owned()),
                aspects: Vec::new(),
                words: comment.to_owned(),
                next_action: String::new(),
                by_user_id: actor.user_id(),
                by_name: None,
                created_at: now,
            },
        )
        .await?;
        let unverified = needs_quality_check(channel, None, settings.min_call_seconds);
        store::complete(
            conn,
            v.id,
            &Completion {
                attempt_id,
                done_at: now,
                satisfaction: result.key().to_owned(),
                unverified,
            },
        )
        .await?;
        if unverified {
            flag_unverified(conn, v.id, &v.customer_name, settings.min_call_seconds, now).await?;
        }
        Ok(())
    }
}

/// Tells the quality specialists a visit was completed without a call long enough to
/// prove it (002 §三4: 必须保证信息的真实性).
pub(crate) async fn flag_unverified(
    conn: &mut AnyConnection,
    visit_id: i64,
    customer_name: &str,
    min_call_seconds: i64,
    now: Timestamp,
) -> Result<()> {
    let quality = notify::with_role(conn, kefu_domain::Role::QualitySpecialist).await?;
    let params = json!({
        "visit": visit_id,
        "customer": customer_name,
        "seconds": min_call_seconds,
    });
    notify::notify(
        conn,
        &quality,
        kind::FOLLOW_UP_UNVERIFIED,
        None,
        &params,
        now,
    )
    .await?;
    Ok(())
}
