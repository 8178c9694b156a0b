//! 满意度调查 — the survey after each ticket resolved in the last two months (the newest
//! ones only, when a large company resolved more than a load keeps quick): each decided as
//! the survey job decides (sent, or skipped because its contact was asked lately or has no
//! address), about two in five answered within the link's days, mostly with a 4 or 5, some
//! with a comment; the low scores followed up by a lead, the newest still waiting.
//!
//! The survey job writes the link into the ticket's conversation too; the demo's tickets
//! were written before, so their surveys carry no message.

use std::collections::HashMap;

use fastrand::Rng;
use jiff::{SignedDuration, Timestamp};
use kefu_domain::satisfaction::{CsatRules, SkipReason};
use kefu_domain::ticket::{Channel, TicketType};
use kefu_store::StoreError;
use kefu_store::bulk::{self, Batch, CsatRow, ResolvedTicket};

use super::{Context, ROWS_PER_COMMIT, csat_score, early, hours, mins, texts};
use crate::App;
use crate::demo::DemoError;
use crate::demo::customers::pick;
use crate::satisfaction::load_rules;

/// Surveys written at most.
const MAX_SURVEYS: i64 = 50_000;
/// How far back the resolved tickets are surveyed.
const SINCE_DAYS: i64 = 60;
/// How many surveys in a hundred are answered.
const ANSWERED: u8 = 40;

/// Writes the surveys; returns how many rows.
pub(super) async fn write(app: &App, rng: &mut Rng, cx: &Context<'_>) -> Result<usize, DemoError> {
    let now = cx.now();
    let (rules, tickets) = {
        let mut conn = app.store.conn().await?;
        let since = now - hours(SINCE_DAYS * 24);
        (
            load_rules(&mut conn).await?,
            bulk::resolved_tickets(&mut conn, since, MAX_SURVEYS).await?,
        )
    };
    // Surveys switched off: the job sends none.
    if !rules.active {
        return Ok(0);
    }
    let leads: Vec<i64> = cx.world.cast.managers.iter().map(|m| m.id).collect();
    let mut last_sent: HashMap<String, Timestamp> = HashMap::new();
    let mut tx = app.store.begin().await?;
    let mut batch = Batch::default();
    let mut written = 0;
    for t in &tickets {
        let Some(row) = survey(rng, cx, &rules, t, &mut last_sent, &leads) else {
            continue;
        };
        batch.csat_survey(&row);
        written += 1;
        if batch.len() >= ROWS_PER_COMMIT {
            batch.write(&mut tx).await?;
            tx.commit().await.map_err(StoreError::from)?;
            tx = app.store.begin().await?;
        }
    }
    batch.write(&mut tx).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(written)
}

/// Whom a survey goes to, as the survey job keys it.
fn contact_key(t: &ResolvedTicket) -> Option<String> {
    crate::satisfaction::send::contact_key_of(
        t.contact_email.as_deref(),
        t.contact_phone.as_deref(),
        None,
        t.requester_id,
        t.customer_id,
    )
}

/// Ticket `t`'s survey as the job decided it a few minutes after the ticket was resolved;
/// `None` when that is still to come (the job takes it up).
fn survey(
    rng: &mut Rng,
    cx: &Context<'_>,
    rules: &CsatRules,
    t: &ResolvedTicket,
    last_sent: &mut HashMap<String, Timestamp>,
    leads: &[i64],
) -> Option<CsatRow> {
    let sent_at = t.resolved_at + SignedDuration::from_secs(rng.i64(20..300));
    if sent_at >= cx.now() {
        return None;
    }
    let contact = contact_key(t);
    let last = contact.as_ref().and_then(|k| last_sent.get(k).copied());
    let decision = match (
        t.ticket_type.parse::<TicketType>(),
        t.channel.parse::<Channel>(),
    ) {
        (Ok(kind), Ok(channel)) => rules.decide(kind, channel, contact.is_some(), last, sent_at),
        (Err(_), _) => Err(SkipReason::TicketType),
        (_, Err(_)) => Err(SkipReason::Channel),
    };
    let mut row = CsatRow {
        ticket_id: t.id,
        customer_id: t.customer_id,
        contact_key: contact.clone(),
        agent_id: t.assignee_id,
        group_id: t.group_id,
        channel: t.channel.clone(),
        ticket_type: t.ticket_type.clone(),
        state: if decision.is_ok() { "sent" } else { "skipped" },
        skip_reason: decision.err().map(|r| r.key()),
        message_id: None,
        sent_at,
        expires_at: None,
        score: None,
        comment: None,
        answered_at: None,
        changed_at: None,
        low: false,
        handled_at: None,
        handled_by: None,
        handling_note: None,
    };
    if decision.is_err() {
        return Some(row);
    }
    if let Some(k) = contact {
        last_sent.insert(k, sent_at);
    }
    // Whole seconds: the link carries its expiry in seconds.
    let expires_at = rules.expires_at(sent_at);
    let expires_at = Timestamp::from_second(expires_at.as_second()).unwrap_or(expires_at);
    row.expires_at = Some(expires_at);
    if rng.u8(0..100) < ANSWERED {
        answer(rng, cx, rules, &mut row, expires_at, leads);
    }
    Some(row)
}

/// The customer's answer, most within hours of the link; a change of mind now and then;
/// a low score followed up by a lead unless it came in the last day.
fn answer(
    rng: &mut Rng,
    cx: &Context<'_>,
    rules: &CsatRules,
    row: &mut CsatRow,
    expires_at: Timestamp,
    leads: &[i64],
) {
    let now = cx.now();
    let latest = expires_at.min(now);
    let answered = early(rng, row.sent_at + mins(3), latest);
    if answered >= latest {
        return;
    }
    let score = csat_score(rng);
    row.score = Some(score);
    row.answered_at = Some(answered);
    row.comment = texts::csat_comment(rng, score).map(str::to_owned);
    row.low = rules.is_low(score);
    if rules.change_days > 0 && rng.u8(0..100) < 4 {
        let changed = answered + mins(rng.i64(10..rules.change_days * 24 * 60));
        if changed < now {
            row.changed_at = Some(changed);
        }
    }
    if !row.low || rng.u8(0..10) >= 8 {
        return;
    }
    let handled = answered + mins(rng.i64(90..36 * 60));
    if handled < now - hours(24) {
        row.handled_at = Some(handled);
        row.handled_by = pick(rng, leads).copied();
        row.handling_note = pick(rng, texts::HANDLING_NOTES).map(|n| (*n).to_owned());
    }
}
