//! 通话事件 — an event a telephone system posted: checked against the system's secret
//! first (refused: audited, nothing stored), then by the domain's rules (refused: nothing
//! stored), then written once per (call, kind) with the call's state folded again from all
//! its events, in one transaction. In that transaction a new ring of an inbound call writes
//! the pop for its agent's screens, a call newly missed its callback and the notification,
//! and an answered call back to the customer marks their callbacks made.

use kefu_domain::Permission;
use kefu_domain::channel::phone::{
    CallEventKind, CallStatus, Direction, RawCallEvent, Seen, check_event, fold, needs_callback,
};
use kefu_domain::customer::mask_phone;
use kefu_store::phone::calls::{self, CallState, NewCall, StoredEvent};
use kefu_store::phone::{self as store, PhoneChannel};
use kefu_store::ticket::setup as groups;
use kefu_store::{StoreError, changelog};
use serde_json::json;

use super::{CALL_ENTITY, POP_ENTITY, TARGET};
use crate::channel::signature::SignedPost;
use crate::notify::{kind, notify};
use crate::{Actor, App, AppError, Result};

/// What became of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventStatus {
    /// The call's first event: the call is new.
    Created,
    /// Another event of a known call.
    Updated,
    /// Received before (the same call and kind): nothing new was written.
    Duplicate,
}

impl EventStatus {
    pub fn key(self) -> &'static str {
        match self {
            EventStatus::Created => "created",
            EventStatus::Updated => "updated",
            EventStatus::Duplicate => "duplicate",
        }
    }
}

/// The answer to one event: what became of it, kefu's id of the call and its state now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventOutcome {
    pub status: EventStatus,
    pub call: i64,
    pub call_status: CallStatus,
}

fn status_of(key: &str) -> CallStatus {
    key.parse().unwrap_or(CallStatus::Ringing)
}

impl App {
    /// Checks a post to the webhook of telephone system `channel_id`: the system exists,
    /// the signature is its secret's (refused: audited, nothing stored), the system is
    /// switched on. The system, for [`App::record_call_event`].
    pub async fn check_phone_webhook(
        &self,
        actor: &Actor,
        channel_id: i64,
        post: SignedPost<'_>,
    ) -> Result<PhoneChannel> {
        let (channel, secret) = {
            let mut conn = self.store.conn().await?;
            let channel = store::channel(&mut conn, channel_id).await?;
            let secret = store::webhook_secret(&mut conn, channel_id).await?;
            (channel, secret)
        };
        self.check_webhook(actor, TARGET, channel_id, &secret, post)
            .await?;
        if !channel.active {
            return Err(AppError::ChannelInactive);
        }
        Ok(channel)
    }

    /// The archive's customers whose contacts have `number` (normalised), by id: a mobile
    /// by the contact's mobile, any number by the digits of the contact's phone, written
    /// any of the ways [`kefu_domain::channel::phone::CallerNumber::phone_keys`] knows.
    pub(crate) async fn customers_with_number(
        &self,
        number: &str,
        area_code: Option<&str>,
    ) -> Result<Vec<i64>> {
        let Some(n) = kefu_domain::channel::phone::normalize_number(number, area_code) else {
            return Ok(Vec::new());
        };
        let mut conn = self.store.conn().await?;
        Ok(calls::customers_by_number(&mut conn, n.mobile(), &n.phone_keys(area_code)).await?)
    }

    /// 通话事件 — one event of system `channel` (checked by [`App::check_phone_webhook`]).
    /// Sent again, or twice at once, it is written once and answers `Duplicate`; events of
    /// one call arriving in any order make the same call.
    pub async fn record_call_event(
        &self,
        channel: &PhoneChannel,
        raw: &RawCallEvent,
    ) -> Result<EventOutcome> {
        let now = self.now();
        let event = check_event(raw, now, channel.area_code.as_deref())?;
        let number = event.customer.as_ref().map(|c| c.number.clone());
        // Read before the write turn: the archive's customer, when exactly one has the
        // number.
        let customer_id = match &number {
            Some(n) => match self
                .customers_with_number(n, channel.area_code.as_deref())
                .await?
                .as_slice()
            {
                [only] => Some(*only),
                _ => None,
            },
            None => None,
        };
        let mut tx = self.store.begin().await?;
        let (call_id, created) = calls::claim(
            &mut tx,
            &NewCall {
                channel_id: Some(channel.id),
                call_id: &event.call_id,
                direction: event.direction.key(),
                customer_number: number.as_deref(),
                customer_id,
                extension: event.extension.as_deref(),
                agent_user_id: None,
                group_id: channel.group_id,
                status: CallStatus::Ringing.key(),
                started_at: event.at,
                answered_at: None,
                ended_at: None,
                duration_secs: None,
                source: "cti",
                now,
            },
        )
        .await?;
        let stored = StoredEvent {
            event: event.kind.key().to_owned(),
            at: event.at,
            extension: event.extension.clone(),
            duration_secs: event.duration_secs,
            recording_url: event.recording_url.clone(),
        };
        if !calls::add_event(&mut tx, call_id, &stored, now).await? {
            drop(tx);
            let mut conn = self.store.conn().await?;
            let call = calls::by_id(&mut conn, call_id).await?;
            return Ok(EventOutcome {
                status: EventStatus::Duplicate,
                call: call_id,
                call_status: status_of(&call.status),
            });
        }
        let before = calls::by_id(&mut tx, call_id).await?;
        let seen: Vec<Seen> = calls::events_of(&mut tx, call_id)
            .await?
            .into_iter()
            .filter_map(|e| {
                Some(Seen {
                    kind: e.event.parse().ok()?,
                    at: e.at,
                    extension: e.extension,
                    duration_secs: e.duration_secs,
                    recording_url: e.recording_url,
                })
            })
            .collect();
        let state =
            fold(&seen).ok_or_else(|| AppError::Internal("a call without events".into()))?;
        // The first event said which way the call went; a later one cannot turn it round.
        let direction: Direction = before.direction.parse().unwrap_or(event.direction);
        let agent = match &state.extension {
            Some(ext) => store::agent_of(&mut tx, channel.id, ext).await?,
            None => None,
        };
        let callback = needs_callback(direction, state.status).then_some("pending");
        calls::set_state(
            &mut tx,
            call_id,
            &CallState {
                status: state.status.key(),
                started_at: state.started_at,
                answered_at: state.answered_at,
                ended_at: state.ended_at,
                duration_secs: state.duration_secs,
                extension: state.extension.as_deref(),
                agent_user_id: agent,
                recording_url: state.recording_url.as_deref(),
                customer_number: number.as_deref(),
                callback,
            },
            now,
        )
        .await?;
        let op = if created {
            changelog::Operation::Create
        } else {
            changelog::Operation::Update
        };
        changelog::record(&mut tx, CALL_ENTITY, call_id, op, None, now).await?;
        // 弹屏 — only a ring that is still ringing: a ring arriving after the answer or the
        // hangup pops nothing.
        let pops = event.kind == CallEventKind::Ringing
            && state.status == CallStatus::Ringing
            && direction == Direction::Inbound
            && agent.is_some();
        if pops {
            changelog::record(
                &mut tx,
                POP_ENTITY,
                call_id,
                changelog::Operation::Create,
                None,
                now,
            )
            .await?;
        }
        if callback.is_some() && before.callback.is_none() {
            let to = match (agent, channel.group_id) {
                (Some(a), _) => vec![a],
                (None, Some(g)) => groups::group_members(&mut tx, g).await?,
                (None, None) => Vec::new(),
            };
            let phone = before
                .customer_number
                .as_deref()
                .or(number.as_deref())
                .map(mask_phone)
                .unwrap_or_default();
            notify(
                &mut tx,
                &to,
                kind::MISSED_CALL,
                None,
                &json!({"call": call_id, "phone": phone}),
                now,
            )
            .await?;
        }
        if direction == Direction::Outbound
            && matches!(state.status, CallStatus::Answered | CallStatus::Done)
            && let Some(n) = before.customer_number.as_deref().or(number.as_deref())
        {
            calls::close_callbacks_to(&mut tx, channel.id, n, agent, now).await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(EventOutcome {
            status: if created {
                EventStatus::Created
            } else {
                EventStatus::Updated
            },
            call: call_id,
            call_status: state.status,
        })
    }

    /// Whether any telephone system is switched on: the workbench's call tiles show then.
    pub(crate) async fn phone_in_use(&self, actor: &Actor) -> Result<bool> {
        actor.require(Permission::TicketWork)?;
        let mut conn = self.store.conn().await?;
        Ok(store::any_active(&mut conn).await?)
    }
}
