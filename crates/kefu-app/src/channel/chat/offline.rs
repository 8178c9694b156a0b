//! 留言 — when nobody is on shift for a chat channel, its widget offers a form instead of a
//! chat: a name, a phone number or e-mail address, and the message. It becomes a ticket
//! (channel 在线客服) through the same intake every channel uses, its message marked as
//! having come by chat. The form's own id makes a form sent twice one ticket; a client
//! address sends at most as many forms an hour as the public web form allows.

use jiff::SignedDuration;
use kefu_domain::Locale;
use kefu_domain::channel::chat::{
    ChatError, VISITOR_FIELD_MAX, check_message, clean_field, split_contact, ticket_subject,
};
use kefu_domain::ticket::{Channel, SUBJECT_MAX};
use kefu_store::StoreError;
use serde_json::json;

use super::{ChatChannel, ChatLanding};
use crate::audit::{Target, action};
use crate::ticket::Intake;
use crate::{Actor, App, AppError, Result};

/// The longest id a form may carry.
const FORM_ID_MAX: usize = 64;

/// The offline form as the widget sends it.
#[derive(Debug, Clone, Default)]
pub struct OfflineForm {
    pub name: String,
    /// A phone number or an e-mail address.
    pub contact: String,
    pub text: String,
    /// The widget's id for this form (letters, digits, `-`, `_`): sent again, it makes no
    /// second ticket.
    pub form_id: Option<String>,
}

/// What the visitor is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfflineReceipt {
    pub ticket_number: String,
    /// The same form was received before.
    pub duplicate: bool,
}

fn clean_form_id(id: Option<&str>) -> Option<String> {
    id.map(str::trim)
        .filter(|i| {
            !i.is_empty()
                && i.len() <= FORM_ID_MAX
                && i.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map(str::to_owned)
}

impl App {
    /// A message left on `channel`'s offline form by the visitor `actor` (anonymous, with
    /// their address): its ticket.
    pub async fn chat_offline_message(
        &self,
        actor: &Actor,
        channel: &ChatChannel,
        form: &OfflineForm,
    ) -> Result<OfflineReceipt> {
        let name =
            clean_field(&form.name, VISITOR_FIELD_MAX).ok_or(ChatError::BadVisitorField("name"))?;
        let (phone, email) =
            split_contact(&form.contact).ok_or(ChatError::BadVisitorField("contact"))?;
        let body = check_message(&form.text, channel.max_message_chars)?;
        let form_id = clean_form_id(form.form_id.as_deref());
        let now = self.now();
        if let Some(ip) = actor.ip.as_deref() {
            let mut conn = self.store.conn().await?;
            let sent = kefu_store::audit::count_for_ip(
                &mut conn,
                action::CHAT_OFFLINE_SUBMITTED,
                ip,
                now - SignedDuration::from_hours(1),
            )
            .await?;
            if sent >= self.settings.web_form_per_hour {
                return Err(AppError::WebFormThrottled);
            }
        }
        let prefix = self.text(Locale::ZhCn, "chat.offline_subject", &[]);
        let subject = ticket_subject(&prefix, &body, SUBJECT_MAX);
        let mut intake = Intake::new(Channel::Chat, &subject, &body);
        intake.contact_name = Some(name);
        intake.contact_phone = phone;
        intake.contact_email = email;
        intake.group_id = channel.group_id;
        intake.external_id = form_id.map(|f| format!("chat-offline-{}-{f}", channel.id));
        let landing = ChatLanding {
            session_id: None,
            rest: Vec::new(),
        };
        let outcome = match self.intake_chat(&intake, landing).await {
            Ok(o) => o,
            // The same form, sent twice at once: the other one made the ticket.
            Err(AppError::Store(StoreError::Conflict(_))) if intake.external_id.is_some() => {
                let ext = intake.external_id.as_deref().unwrap_or_default();
                let mut conn = self.store.conn().await?;
                let t = kefu_store::ticket::by_external_id(&mut conn, Channel::Chat, ext)
                    .await?
                    .ok_or(AppError::NotFound)?;
                return Ok(OfflineReceipt {
                    ticket_number: t.number,
                    duplicate: true,
                });
            }
            Err(e) => return Err(e),
        };
        if outcome.created {
            let target = outcome.ticket.id.to_string();
            self.audit_event(
                actor,
                action::CHAT_OFFLINE_SUBMITTED,
                Some(Target {
                    kind: "ticket",
                    id: &target,
                }),
                Some(json!({"channel": channel.id})),
            )
            .await?;
        }
        Ok(OfflineReceipt {
            ticket_number: outcome.ticket.number,
            duplicate: !outcome.created,
        })
    }
}
