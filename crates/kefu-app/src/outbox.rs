//! 待发送消息 — what kefu has to send to people outside: a verification link by e-mail, a
//! sign-in code by text message.
//!
//! A use case queues a message in its own transaction ([`enqueue`]), so a message exists
//! exactly when what it is about was committed. A channel (SMTP for `email`, an SMS gateway
//! for `sms`) takes its channel's pending messages ([`App::outbound_pending`]), renders the
//! message's `kind` with its `params` in its `locale`, sends it, and reports back
//! ([`App::outbound_delivered`] or [`App::outbound_failed`]). Kinds and parameters rather
//! than finished text: SMS gateways in China send templates registered with the operator,
//! filled with parameters, and e-mail is rendered in the customer's language by the channel.
//!
//! Both channels deliver: each `email` message is queued with a job
//! ([`crate::jobs::kind::OUTBOX_EMAIL`]) that sends it through the first switched-on e-mail
//! channel with an SMTP server (see [`crate::channel::email`]); each `sms` message with a
//! job ([`crate::jobs::kind::OUTBOX_SMS`]) that sends it through the first switched-on SMS
//! gateway, rendered from its kind and parameters in its locale (see
//! [`crate::channel::sms`]). While no channel can take it, a message waits here, its job
//! trying again (and a code runs out while it waits).

use jiff::Timestamp;
use kefu_domain::Locale;
use kefu_store::jobs::{self, NewJob};
use kefu_store::outbox::{self as store, NewMessage, OutboundMessage};
use kefu_store::{AnyConnection, StoreError};

use crate::{App, Result};

/// The channels messages go through.
pub mod channel {
    pub const EMAIL: &str = "email";
    pub const SMS: &str = "sms";
}

/// What a message says; a channel has a template for each.
pub mod kind {
    /// To an e-mail address: the link that proves it (`params`: `path`, `expires_at`).
    pub const PORTAL_VERIFY_EMAIL: &str = "portal_verify_email";
    /// To a mobile: the code that signs in to the portal (`params`: `code`, `minutes`).
    pub const PORTAL_SIGN_IN_CODE: &str = "portal_sign_in_code";
    /// To a mobile: the code that proves it for a signed-in account (`params`: `code`,
    /// `minutes`).
    pub const PORTAL_VERIFY_MOBILE: &str = "portal_verify_mobile";
    /// To a contact's mobile: the agent's card after a first follow-up visit (`params`:
    /// `salutation`, `company`, `agent`, `mobile`, `phone`).
    pub const FOLLOW_UP_AGENT_CARD: &str = "follow_up_agent_card";
    /// 关系调查 — to a contact's mobile or mail: the invitation to a relationship survey
    /// (`params`: `salutation`, `company`, `survey`, `link`, `days`).
    pub const RELATIONSHIP_INVITATION: &str = "relationship_invitation";
    /// The one reminder of an unanswered invitation (`params`: `salutation`, `company`,
    /// `survey`, `link`, `expires`).
    pub const RELATIONSHIP_REMINDER: &str = "relationship_reminder";
    /// 质量异常分析日报表 — to a manager's mail: a daily report, its summary and XLSX
    /// (`params`: `report`, the stored revision's id).
    pub const QUALITY_DAILY_REPORT: &str = "quality_daily_report";
    /// 发货通知 — to an order's contact by text or mail: the goods left (`params`:
    /// `salutation`, `order`, `carrier`, `tracking`, `items`).
    pub const SHIPMENT_NOTICE: &str = "shipment_notice";
    /// 催款提醒 — to a customer's contact by text or mail: amounts falling due in a few days
    /// (`params`: `salutation`, `count`, `amount`, `due`, `references`).
    pub const PAYMENT_DUE_SOON: &str = "payment_due_soon";
    /// 逾期催收 — the same, for amounts past due.
    pub const PAYMENT_OVERDUE: &str = "payment_overdue";
    /// 对账单 — to a customer's contact by mail or text: a month's statement, with the link
    /// to confirm or dispute it (`params`: `salutation`, `number`, `period`, `closing`,
    /// `link`).
    pub const STATEMENT_ISSUED: &str = "statement_issued";
}

/// A message to queue.
pub(crate) struct Outgoing<'a> {
    pub channel: &'a str,
    pub kind: &'a str,
    pub address: &'a str,
    pub locale: Locale,
    pub params: serde_json::Value,
    pub expires_at: Option<Timestamp>,
    /// Not sent before this moment (a text held back out of the contact's rest hours);
    /// `None`: at once.
    pub send_after: Option<Timestamp>,
}

/// Attempts an e-mail message gets: 30 s, 2, 8 and 32 minutes apart — under an hour, a
/// verification link being worth little later.
const EMAIL_ATTEMPTS: i64 = 5;

/// Attempts a text message gets: 30 s, 2 and 8 minutes apart — a code runs out soon after.
const SMS_ATTEMPTS: i64 = 4;

/// Queues a message in the caller's transaction, with the job that sends it.
pub(crate) async fn enqueue(
    conn: &mut AnyConnection,
    m: &Outgoing<'_>,
    now: Timestamp,
) -> Result<i64> {
    let params = m.params.to_string();
    let id = store::enqueue(
        &mut *conn,
        &NewMessage {
            channel: m.channel,
            kind: m.kind,
            address: m.address,
            locale: m.locale.key(),
            params: &params,
            expires_at: m.expires_at,
        },
        now,
    )
    .await?;
    let job = match m.channel {
        channel::EMAIL => Some((crate::jobs::kind::OUTBOX_EMAIL, EMAIL_ATTEMPTS)),
        channel::SMS => Some((crate::jobs::kind::OUTBOX_SMS, SMS_ATTEMPTS)),
        _ => None,
    };
    if let Some((kind, max_attempts)) = job {
        let key = format!("{kind}:{id}");
        let payload = serde_json::json!({ "message": id }).to_string();
        jobs::enqueue(
            conn,
            &NewJob {
                kind,
                unique_key: Some(&key),
                payload: &payload,
                run_at: m.send_after.map_or(now, |t| t.max(now)),
                max_attempts,
            },
            now,
        )
        .await?;
    }
    Ok(id)
}

impl App {
    /// The messages of a channel waiting to go, oldest first (what a channel's worker takes).
    pub async fn outbound_pending(
        &self,
        channel: &str,
        limit: i64,
    ) -> Result<Vec<OutboundMessage>> {
        let mut conn = self.store.conn().await?;
        Ok(store::pending(&mut conn, channel, self.now(), limit).await?)
    }

    /// A channel delivered the message; its values (a code, a link) are forgotten.
    pub async fn outbound_delivered(&self, id: i64) -> Result<()> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        store::mark_delivered(&mut tx, id, now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// A channel could not deliver the message this time; it stays queued with the reason.
    pub async fn outbound_failed(&self, id: i64, error: &str) -> Result<()> {
        let mut tx = self.store.begin().await?;
        store::mark_failed(&mut tx, id, error).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }
}
