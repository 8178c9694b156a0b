//! 工单 — the ticket use cases: one intake path for every channel, the work on a ticket
//! (replies, notes, field changes, bulk actions), the queues, and the set-up around them.

mod assign;
mod attachments;
mod customer_message;
mod intake;
mod intake_writer;
mod landing;
mod queue;
mod rules_cache;
mod setup;
mod sla;
mod tiles;
mod triggers;
mod work;

pub use attachments::Upload;
pub(crate) use attachments::attach_checked;
pub(crate) use attachments::store_uploads as store_checked;
pub(crate) use event as record_event;
pub use intake::{Intake, IntakeOutcome};
pub(crate) use intake_writer::IntakeQueue;
pub use queue::{
    COUNT_CAP, DUE_SOON_MINUTES, DueWindow, Queue, QueueCounts, QueuePage, QueueQuery,
};
pub(crate) use rules_cache::RulesCache;
pub use setup::{NewField, NewGroup, NewStatus};
pub use sla::{PolicyForm, TIERS};
pub(crate) use sla::{SlaContext, record_breach};
pub(crate) use tiles::TILES;
pub use triggers::{TriggerForm, TriggerView};
pub(crate) use work::move_to_key;
pub use work::{
    BulkOutcome, ClosedReply, Presence, Reply, TicketChanges, TicketDetail, Visibility,
};

use jiff::Timestamp;
use jiff::tz::TimeZone;
use kefu_domain::ticket::FieldDefinition;
use kefu_store::AnyConnection;
use kefu_store::ticket::conversation::{self, Event};
use kefu_store::ticket::setup::{self as store_setup, Field};

use crate::{Actor, ActorKind, AppError, Result};

/// The zone ticket numbers take their date from.
pub const NUMBER_TIME_ZONE: &str = "Asia/Shanghai";

/// Ticket numbers an instance reserved in advance (see
/// [`kefu_store::Backend::ticket_number_block`]): the day and the next and last of the block.
#[derive(Debug, Default)]
pub struct NumberBlock {
    reserved: tokio::sync::Mutex<(String, i64, i64)>,
}

impl NumberBlock {
    /// The next number of `day` from the block, reserving a new block of `size` when this
    /// one is used up or belongs to another day.
    pub(crate) async fn take(
        &self,
        store: &kefu_store::Store,
        day: &str,
        size: i64,
    ) -> Result<i64> {
        let mut r = self.reserved.lock().await;
        if r.0 != day || r.1 > r.2 {
            let mut conn = store.conn().await?;
            let last = kefu_store::ticket::next_seq_block(&mut conn, day, size).await?;
            *r = (day.to_owned(), last - size + 1, last);
        }
        let seq = r.1;
        r.1 += 1;
        Ok(seq)
    }
}

/// The local date of `at` as `yyyymmdd`, for the day's ticket counter.
fn number_day(at: Timestamp) -> (jiff::civil::Date, String) {
    let tz = TimeZone::get(NUMBER_TIME_ZONE).unwrap_or(TimeZone::UTC);
    let date = at.to_zoned(tz).date();
    let day = format!("{:04}{:02}{:02}", date.year(), date.month(), date.day());
    (date, day)
}

/// The name an event or message records for the actor.
fn actor_display(actor: &Actor) -> String {
    match &actor.kind {
        ActorKind::User(u) => u.display_name.clone(),
        ActorKind::System => crate::SYSTEM_ACTOR_NAME.to_owned(),
        ActorKind::Anonymous => "anonymous".to_owned(),
        ActorKind::Customer(c) => c.name.clone(),
    }
}

/// Records one field change.
pub(crate) async fn event(
    conn: &mut AnyConnection,
    ticket_id: i64,
    actor: &Actor,
    at: Timestamp,
    field: &str,
    old: Option<String>,
    new: Option<String>,
) -> Result<()> {
    conversation::add_event(
        conn,
        &Event {
            id: 0,
            ticket_id,
            at,
            actor_user_id: actor.user_id(),
            actor_name: actor_display(actor),
            field: field.to_owned(),
            old_value: old,
            new_value: new,
        },
    )
    .await?;
    Ok(())
}

/// Checks submitted custom field values against the active definitions; returns
/// (field id, key, normalised value) for each.
async fn check_fields(
    conn: &mut AnyConnection,
    values: &[(String, String)],
) -> Result<Vec<(Field, Option<String>)>> {
    if values.is_empty() {
        return Ok(Vec::new());
    }
    let defs = store_setup::fields(conn).await?;
    let mut out = Vec::new();
    for (key, value) in values {
        let field = defs
            .iter()
            .find(|f| &f.key == key && f.active)
            .ok_or_else(|| AppError::UnknownField(key.clone()))?;
        let def = FieldDefinition {
            key: field.key.clone(),
            kind: field.kind,
            options: field.options.clone(),
        };
        let normalised = def.normalise(value)?;
        out.push((field.clone(), normalised));
    }
    Ok(out)
}

/// Checks a customer tier key.
fn check_tier(tier: Option<&str>) -> Result<Option<String>> {
    match tier.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) if TIERS.contains(&t) => Ok(Some(t.to_owned())),
        Some(t) => Err(AppError::UnknownTier(t.to_owned())),
    }
}
