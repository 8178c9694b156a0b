//! 上行短信 — a customer's text, however often the gateway delivers it: claimed once per
//! (gateway, message id) in the transaction that writes what it makes.
//!
//! Where a text goes, in order: a text that is only an opt-out word (T, TD, 退订… see
//! [`kefu_domain::channel::sms::is_opt_out`]) makes no ticket — the archive's contacts with
//! the number refuse texts from now on (their history and the audit log say so), or, when
//! the number is nobody's in the archive, the number goes on the refusal list. A text from
//! a number with an open ticket (neither resolved nor closed) that had a text from or to
//! the number in the last 7 days lands on that ticket as the customer's message. Anything
//! else opens a new ticket (channel `sms`) through the intake every channel uses, linked to
//! the archive's customer whose contact has the number — when several have it, the first
//! one not lost (流失), the one added first.

use jiff::Timestamp;
use kefu_domain::channel::sms::{InboundSms, e164, is_opt_out};
use kefu_domain::customer::mask_phone;
use kefu_domain::ticket::{Channel, SUBJECT_MAX};
use kefu_store::customer::{self as customers, Change};
use kefu_store::sms::inbound::{self, NewInbound, NumberContact, StoredInbound, status};
use kefu_store::sms::{SmsChannel, sends};
use kefu_store::ticket::{self as tickets, conversation};
use kefu_store::{AnyConnection, StoreError, changelog};
use serde_json::json;

use super::events::{SmsEventOutcome, SmsEventStatus};
use super::{CHANNEL_KEY, TARGET, THREAD_WINDOW};
use crate::audit::{self, Target, action};
use crate::ticket::Intake;
use crate::{Actor, App, AppError, Result};

/// The message of a text that held nothing readable.
const NO_TEXT: &str = "（短信没有文字）";

/// The longest subject a text gives its ticket.
const SUBJECT_CHARS: usize = 40;

/// A text on its way to a new ticket: claimed, and its message marked as come by text, in
/// the ticket's transaction (see `crate::ticket::Landing`). A claim another delivery holds
/// fails the transaction as a `Conflict`, so two deliveries of one text write one ticket.
pub(crate) struct SmsLanding {
    pub(crate) channel_id: i64,
    pub(crate) message_id: String,
    /// The customer's number, normalised.
    pub(crate) sender: String,
    pub(crate) recipient: Option<String>,
    pub(crate) received_at: Timestamp,
}

impl SmsLanding {
    /// Writes the text's claim for message `message_id` of the new ticket `ticket_id`.
    pub(crate) async fn write(
        &self,
        conn: &mut AnyConnection,
        ticket_id: i64,
        message_id: i64,
        now: Timestamp,
    ) -> Result<()> {
        let row = NewInbound {
            channel_id: self.channel_id,
            message_id: &self.message_id,
            sender: &self.sender,
            recipient: self.recipient.as_deref(),
            status: status::TICKET_CREATED,
            ticket_id: Some(ticket_id),
            ticket_message_id: Some(message_id),
            received_at: self.received_at,
            now,
        };
        if inbound::claim(&mut *conn, &row).await?.is_none() {
            return Err(AppError::Store(StoreError::Conflict(
                "sms_inbound".to_owned(),
            )));
        }
        conversation::set_message_channel(&mut *conn, message_id, CHANNEL_KEY).await?;
        Ok(())
    }
}

/// Text as a ticket stores it: line breaks as `\n`, no control characters but tabs and
/// line breaks, trimmed.
fn clean_text(s: &str) -> String {
    s.replace("\r\n", "\n")
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect::<String>()
        .trim()
        .to_owned()
}

/// The subject of the ticket a text opens: its first line, shortened.
fn subject_of(text: &str) -> String {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or(NO_TEXT);
    let max = SUBJECT_CHARS.min(SUBJECT_MAX);
    if line.chars().count() <= max {
        line.to_owned()
    } else {
        let head: String = line.chars().take(max - 1).collect();
        format!("{head}…")
    }
}

/// The number as a ticket's contact phone keeps it: a mobile as its 11 digits, anything
/// else when the ticket rules take it.
fn contact_phone_of(sms: &InboundSms) -> Option<String> {
    match sms.from.mobile() {
        Some(m) => Some(m.to_owned()),
        None => kefu_domain::customer::clean_contact_phone(&sms.from.number).ok(),
    }
}

fn new_inbound<'a>(
    channel: &SmsChannel,
    sms: &'a InboundSms,
    status: &'a str,
    ticket_id: Option<i64>,
    now: Timestamp,
) -> NewInbound<'a> {
    NewInbound {
        channel_id: channel.id,
        message_id: &sms.message_id,
        sender: &sms.from.number,
        recipient: sms.to.as_deref(),
        status,
        ticket_id,
        ticket_message_id: None,
        received_at: sms.received_at,
        now,
    }
}

/// The answer to a text received before.
fn duplicate(row: &StoredInbound) -> SmsEventOutcome {
    SmsEventOutcome {
        status: SmsEventStatus::Duplicate,
        ticket_id: row.ticket_id,
        inbound_id: Some(row.id),
        send_id: None,
        send_status: None,
    }
}

impl App {
    /// 上行短信 — one customer's text to gateway `channel` (checked).
    pub(super) async fn receive_text(
        &self,
        channel: &SmsChannel,
        sms: &InboundSms,
    ) -> Result<SmsEventOutcome> {
        let number = sms.from.number.clone();
        // Read before the write turn: whether it came before, and whose number it is.
        let contacts = {
            let mut conn = self.store.conn().await?;
            if let Some(row) = inbound::find(&mut conn, channel.id, &sms.message_id).await? {
                return Ok(duplicate(&row));
            }
            inbound::contacts_with_number(&mut conn, sms.from.mobile(), &sms.from.phone_keys(None))
                .await?
        };
        let text = clean_text(&sms.text);
        if is_opt_out(&text) {
            return self.record_opt_out(channel, sms, &contacts).await;
        }
        let since = self.now() - THREAD_WINDOW;
        let open = {
            let mut conn = self.store.conn().await?;
            inbound::open_ticket_of(&mut conn, &number, e164(&sms.from).as_deref(), since).await?
        };
        let body = if text.is_empty() {
            NO_TEXT.to_owned()
        } else {
            text
        };
        let author = contacts
            .first()
            .map(|c| c.name.clone())
            .unwrap_or_else(|| "客户".to_owned());
        if let Some(ticket_id) = open
            && let Some(outcome) = self
                .add_text_to_ticket(channel, sms, ticket_id, &author, &body)
                .await?
        {
            return Ok(outcome);
        }
        self.open_text_ticket(channel, sms, &contacts, &body).await
    }

    /// The customer writes on their open ticket: a new message (the ticket reopens, its
    /// clocks and triggers run, the assignee is told, as for a mail). `None` when the
    /// ticket was resolved or closed meanwhile: the text opens a new one.
    async fn add_text_to_ticket(
        &self,
        channel: &SmsChannel,
        sms: &InboundSms,
        ticket_id: i64,
        author: &str,
        body: &str,
    ) -> Result<Option<SmsEventOutcome>> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let t = tickets::by_id_locked(&mut tx, ticket_id).await?;
        if !t.category.is_active() {
            return Ok(None);
        }
        let claim = new_inbound(channel, sms, status::ADDED_TO_TICKET, Some(ticket_id), now);
        let Some(row) = inbound::claim(&mut tx, &claim).await? else {
            drop(tx);
            return self
                .duplicate_of(channel.id, &sms.message_id)
                .await
                .map(Some);
        };
        let message_id = self
            .add_customer_message(&mut tx, &Actor::system(), t, author, body, now)
            .await?;
        inbound::set_ticket_message(&mut tx, row, ticket_id, message_id).await?;
        conversation::set_message_channel(&mut tx, message_id, CHANNEL_KEY).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(Some(SmsEventOutcome {
            status: SmsEventStatus::AddedToTicket,
            ticket_id: Some(ticket_id),
            inbound_id: Some(row),
            send_id: None,
            send_status: None,
        }))
    }

    /// A new ticket through the intake, the text's claim written in its transaction.
    async fn open_text_ticket(
        &self,
        channel: &SmsChannel,
        sms: &InboundSms,
        contacts: &[NumberContact],
        body: &str,
    ) -> Result<SmsEventOutcome> {
        let mut intake = Intake::new(Channel::Sms, &subject_of(body), body);
        if let Some(c) = contacts.first() {
            intake.contact_name = Some(c.name.clone());
            intake.customer_id = Some(c.customer_id);
        }
        intake.contact_phone = contact_phone_of(sms);
        // The same text delivered again finds the ticket by it too.
        intake.external_id = Some(format!("sms:{}:{}", channel.id, sms.message_id));
        intake.group_id = channel.group_id;
        let landing = SmsLanding {
            channel_id: channel.id,
            message_id: sms.message_id.clone(),
            sender: sms.from.number.clone(),
            recipient: sms.to.clone(),
            received_at: sms.received_at,
        };
        match self.intake_sms(&intake, landing).await {
            Ok(outcome) if outcome.created => {
                let row = {
                    let mut conn = self.store.conn().await?;
                    inbound::find(&mut conn, channel.id, &sms.message_id).await?
                };
                Ok(SmsEventOutcome {
                    status: SmsEventStatus::TicketCreated,
                    ticket_id: Some(outcome.ticket.id),
                    inbound_id: row.map(|r| r.id),
                    send_id: None,
                    send_status: None,
                })
            }
            // Another delivery of the text opened it first.
            Ok(_) | Err(AppError::Store(StoreError::Conflict(_))) => {
                self.duplicate_of(channel.id, &sms.message_id).await
            }
            Err(e) => Err(e),
        }
    }

    /// The answer another delivery of the text got.
    async fn duplicate_of(&self, channel_id: i64, message_id: &str) -> Result<SmsEventOutcome> {
        let mut conn = self.store.conn().await?;
        match inbound::find(&mut conn, channel_id, message_id).await? {
            Some(row) => Ok(duplicate(&row)),
            None => Err(AppError::Internal("a text's claim vanished".into())),
        }
    }

    /// 退订 — the number takes no more texts: each contact with it refuses `sms` from now
    /// on (a change in its customer's history, audited), or, when no contact has it, the
    /// number goes on the refusal list (audited). No ticket.
    async fn record_opt_out(
        &self,
        channel: &SmsChannel,
        sms: &InboundSms,
        contacts: &[NumberContact],
    ) -> Result<SmsEventOutcome> {
        let now = self.now();
        let system = Actor::system();
        let masked = mask_phone(&sms.from.number);
        let mut tx = self.store.begin().await?;
        let claim = new_inbound(channel, sms, status::OPT_OUT, None, now);
        let Some(row) = inbound::claim(&mut tx, &claim).await? else {
            drop(tx);
            return self.duplicate_of(channel.id, &sms.message_id).await;
        };
        if contacts.is_empty() {
            sends::add_opt_out(&mut tx, &sms.from.number, Some(channel.id), now).await?;
            let id = channel.id.to_string();
            let target = Some(Target {
                kind: TARGET,
                id: &id,
            });
            let detail = Some(json!({"number": masked}));
            audit::write(
                &mut tx,
                self,
                &system,
                action::SMS_OPTED_OUT,
                target,
                detail,
            )
            .await?;
        }
        for c in contacts
            .iter()
            .filter(|c| !c.opt_outs.iter().any(|o| o == CHANNEL_KEY))
        {
            self.opt_out_contact(&mut tx, c.id, now).await?;
            let id = c.customer_id.to_string();
            let target = Some(Target {
                kind: "customer",
                id: &id,
            });
            let detail = Some(json!({"contact": c.id, "channel": channel.id, "number": masked}));
            audit::write(
                &mut tx,
                self,
                &system,
                action::SMS_OPTED_OUT,
                target,
                detail,
            )
            .await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(SmsEventOutcome {
            status: SmsEventStatus::OptedOut,
            ticket_id: None,
            inbound_id: Some(row),
            send_id: None,
            send_status: None,
        })
    }

    /// Contact `contact_id` refuses texts: its opt-outs gain `sms`, recorded in its
    /// customer's history as the system's change.
    async fn opt_out_contact(
        &self,
        conn: &mut AnyConnection,
        contact_id: i64,
        now: Timestamp,
    ) -> Result<()> {
        let mut c = customers::contact_by_id(&mut *conn, contact_id).await?;
        let before = c.opt_outs.clone();
        c.opt_outs.push(CHANNEL_KEY.to_owned());
        customers::save_contact(&mut *conn, &c, now).await?;
        let list = |v: &[String]| Some(v.join(", ")).filter(|x| !x.is_empty());
        customers::add_history(
            &mut *conn,
            &Change {
                id: 0,
                customer_id: c.customer_id,
                contact_id: Some(c.id),
                at: now,
                actor_user_id: None,
                actor_name: crate::SYSTEM_ACTOR_NAME.to_owned(),
                field: "contact.opt_outs".to_owned(),
                old_value: list(&before),
                new_value: list(&c.opt_outs),
            },
        )
        .await?;
        changelog::record(
            &mut *conn,
            "customer",
            c.customer_id,
            changelog::Operation::Update,
            None,
            now,
        )
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_texts_first_line_is_its_tickets_subject() {
        assert_eq!(subject_of("热水器不出热水\n型号 JSQ30"), "热水器不出热水");
        let long = "好".repeat(60);
        let s = subject_of(&long);
        assert_eq!(s.chars().count(), SUBJECT_CHARS);
        assert!(s.ends_with('…'));
        assert_eq!(clean_text(" 你好\u{7}\r\n再见 "), "你好\n再见");
    }
}
