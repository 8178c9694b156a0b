//! 短信事件 — what a gateway posted to its webhook: checked against the gateway's secret
//! first (refused: audited, nothing stored), then by the domain's rules (refused: nothing
//! stored), then a customer's text lands (see `inbound`) or a delivery report settles the
//! send it names. A report for a send kefu does not know is refused and stores nothing; a
//! report for a send already delivered or failed changes nothing.

use kefu_domain::Permission;
use kefu_domain::channel::sms::{
    DeliveryReport, DeliveryStatus, RawSmsEvent, SmsEvent, check_event,
};
use kefu_store::sms::sends::{self, SmsSend};
use kefu_store::sms::{self as store, SmsChannel};
use kefu_store::{AnyConnection, StoreError};

use super::TARGET;
use super::gateway::keep;
use crate::channel::signature::SignedPost;
use crate::{Actor, App, AppError, Result};

/// What became of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmsEventStatus {
    /// A customer's text opened a ticket.
    TicketCreated,
    /// A customer's text landed on their open ticket.
    AddedToTicket,
    /// A customer's text asked for no more texts: recorded, no ticket.
    OptedOut,
    /// Received before (the same gateway and message id): nothing new was written.
    Duplicate,
    /// A delivery report settled its send.
    Recorded,
    /// A delivery report for a send already delivered or failed: nothing changed.
    Unchanged,
}

impl SmsEventStatus {
    pub fn key(self) -> &'static str {
        match self {
            SmsEventStatus::TicketCreated => "ticket_created",
            SmsEventStatus::AddedToTicket => "added_to_ticket",
            SmsEventStatus::OptedOut => "opted_out",
            SmsEventStatus::Duplicate => "duplicate",
            SmsEventStatus::Recorded => "recorded",
            SmsEventStatus::Unchanged => "unchanged",
        }
    }
}

/// The answer to one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsEventOutcome {
    pub status: SmsEventStatus,
    /// The ticket a text landed on (for a duplicate, the first delivery's).
    pub ticket_id: Option<i64>,
    /// kefu's record of the text.
    pub inbound_id: Option<i64>,
    /// The send a report is about, and its status now.
    pub send_id: Option<i64>,
    pub send_status: Option<String>,
}

/// Why the operator gave up on a text, as kept: its code and words.
fn failure_reason(d: &DeliveryReport) -> String {
    let words = match (&d.error_code, &d.error_message) {
        (Some(code), Some(message)) => format!("{code} {message}"),
        (Some(code), None) => code.clone(),
        (None, Some(message)) => message.clone(),
        (None, None) => "failed".to_owned(),
    };
    keep(&words)
}

impl App {
    /// Checks a post to the webhook of gateway `channel_id`: the gateway exists, the
    /// signature is its secret's (refused: audited, nothing stored), it is switched on.
    /// The gateway, for [`App::record_sms_event`].
    pub async fn check_sms_webhook(
        &self,
        actor: &Actor,
        channel_id: i64,
        post: SignedPost<'_>,
    ) -> Result<SmsChannel> {
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

    /// 短信事件 — one event of gateway `channel` (checked by [`App::check_sms_webhook`]).
    /// Sent again, or twice at once, a text lands once and answers `Duplicate`.
    pub async fn record_sms_event(
        &self,
        channel: &SmsChannel,
        raw: &RawSmsEvent,
    ) -> Result<SmsEventOutcome> {
        match check_event(raw, self.now())? {
            SmsEvent::Inbound(sms) => self.receive_text(channel, &sms).await,
            SmsEvent::Delivery(report) => self.receive_report(channel, &report).await,
        }
    }

    /// 状态报告 — the operator says what became of a send: delivered, or failed (an event
    /// on its ticket and a notification to whoever wrote the reply). A second report for
    /// the same send changes nothing.
    async fn receive_report(
        &self,
        channel: &SmsChannel,
        d: &DeliveryReport,
    ) -> Result<SmsEventOutcome> {
        let send = {
            let mut conn = self.store.conn().await?;
            sends::by_reference(&mut conn, channel.id, &d.reference).await?
        };
        let Some(send) = send else {
            return Err(AppError::SmsUnknownSend);
        };
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let changed = match d.status {
            DeliveryStatus::Delivered => {
                sends::report_delivered(&mut tx, send.id, d.message_id.as_deref(), d.at, now)
                    .await?
            }
            DeliveryStatus::Failed => {
                let reason = failure_reason(d);
                let failed = sends::report_failed(
                    &mut tx,
                    send.id,
                    d.message_id.as_deref(),
                    &reason,
                    d.error_code.as_deref(),
                    d.at,
                    now,
                )
                .await?;
                if failed {
                    self.tell_send_failed(&mut tx, &send, &reason, now).await?;
                }
                failed
            }
        };
        if changed && let Some(ticket) = send.ticket_id {
            touch_ticket(&mut tx, ticket, now).await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        let status_now = {
            let mut conn = self.store.conn().await?;
            sends::by_id(&mut conn, send.id)
                .await?
                .map(|s| s.status)
                .unwrap_or(send.status.clone())
        };
        Ok(SmsEventOutcome {
            status: if changed {
                SmsEventStatus::Recorded
            } else {
                SmsEventStatus::Unchanged
            },
            ticket_id: send.ticket_id,
            inbound_id: None,
            send_id: Some(send.id),
            send_status: Some(status_now),
        })
    }

    /// A reply that will not reach the customer: an event on its ticket (短信发送失败：…)
    /// and a notification to whoever wrote it.
    pub(super) async fn tell_send_failed(
        &self,
        conn: &mut AnyConnection,
        send: &SmsSend,
        reason: &str,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let Some(ticket_id) = send.ticket_id else {
            return Ok(());
        };
        crate::ticket::record_event(
            &mut *conn,
            ticket_id,
            &Actor::system(),
            now,
            "sms_send_failed",
            None,
            Some(reason.to_owned()),
        )
        .await?;
        if let Some(author) = send.author_user_id {
            let t = kefu_store::ticket::by_id(&mut *conn, ticket_id).await?;
            let phone = kefu_domain::customer::mask_phone(&send.recipient);
            crate::notify::notify(
                &mut *conn,
                &[author],
                crate::notify::kind::SMS_FAILED,
                Some(ticket_id),
                &serde_json::json!({
                    "number": t.number,
                    "subject": t.subject,
                    "text": reason,
                    "phone": phone,
                }),
                now,
            )
            .await?;
        }
        Ok(())
    }

    /// Whether any gateway is switched on: the workbench's SMS tile shows then.
    pub(crate) async fn sms_in_use(&self, actor: &Actor) -> Result<bool> {
        actor.require(Permission::TicketAdmin)?;
        let mut conn = self.store.conn().await?;
        Ok(store::any_active(&mut conn).await?)
    }
}

/// The ticket moves on, so pages open on it see the send's new status.
pub(super) async fn touch_ticket(
    conn: &mut AnyConnection,
    ticket_id: i64,
    now: jiff::Timestamp,
) -> Result<()> {
    kefu_store::ticket::bump_version(&mut *conn, ticket_id).await?;
    kefu_store::changelog::record(
        &mut *conn,
        "ticket",
        ticket_id,
        kefu_store::changelog::Operation::Update,
        None,
        now,
    )
    .await?;
    Ok(())
}
