//! 客服名片短信 — the text message the first visit ends with (002 §三4: 我的手机号码等下我
//! 会发个短信到您的手机上): the agent's name, work mobile and desk phone, sent in one click
//! to the contact's mobile through the SMS channel.
//!
//! It is a message of the department's, so it keeps the rules a call keeps: not to a
//! contact who opted out of text messages, and not while the contact rests (the calling
//! window, or a call-back time the contact asked for).

use jiff::Timestamp;
use kefu_domain::Locale;
use kefu_domain::customer::ContactChannel;
use kefu_domain::follow_up::visit::VisitError;
use kefu_store::StoreError;
use kefu_store::customer::{self as customers, Contact};
use kefu_store::follow_up as store;
use serde_json::json;

use super::load_settings;
use super::plan::{call_window, rest_of};
use crate::outbox::{self, Outgoing};
use crate::{Actor, App, AppError, Result};
use kefu_domain::staff::shift::Roster;

/// What fills the card: who the customer is told to call, and on which numbers.
pub(crate) struct CardValues<'a> {
    pub salutation: &'a str,
    pub company: &'a str,
    pub agent: &'a str,
    /// The agent's work mobile, else the desk phone.
    pub mobile: &'a str,
    /// The agent's desk phone, else the department's service number.
    pub phone: &'a str,
}

impl CardValues<'_> {
    pub(crate) fn params(&self) -> serde_json::Value {
        json!({
            "salutation": self.salutation,
            "company": self.company,
            "agent": self.agent,
            "mobile": self.mobile,
            "phone": self.phone,
        })
    }
}

/// The card's words, as the gateway sends them (the SMS template `sms.follow_up_agent_card`).
pub(crate) fn card_text(app: &App, locale: Locale, params: &serde_json::Value) -> Option<String> {
    let get = |k: &str| params[k].as_str();
    Some(app.text(
        locale,
        "sms.follow_up_agent_card",
        &[
            ("salutation", get("salutation")?),
            ("company", get("company")?),
            ("agent", get("agent")?),
            ("mobile", get("mobile")?),
            ("phone", get("phone")?),
        ],
    ))
}

fn refuses_sms(c: &Contact) -> bool {
    c.opt_outs.iter().any(|o| o == ContactChannel::Sms.key())
}

impl App {
    /// Sends the agent's card to visit `id`'s contact; returns when it was queued.
    pub async fn send_follow_up_card(&self, actor: &Actor, id: i64) -> Result<Timestamp> {
        let view = self.follow_up_visit(actor, id).await?;
        let now = self.now();
        let (contact, settings, calendar, channel) = {
            let mut conn = self.store.conn().await?;
            let contact = match view.visit.contact_id {
                Some(c) => Some(customers::contact_by_id(&mut conn, c).await?),
                None => None,
            };
            (
                contact,
                load_settings(&mut conn).await?,
                self.business_calendar(&mut conn).await?,
                kefu_store::sms::sending_channel(&mut conn).await?,
            )
        };
        let contact = contact.ok_or(VisitError::NoMobile)?;
        let mobile = contact.mobile.clone().ok_or(VisitError::NoMobile)?;
        if refuses_sms(&contact) {
            return Err(VisitError::OptedOutOfSms.into());
        }
        let rest = rest_of(Some(&contact));
        let roster = Roster::department(&calendar);
        let window = call_window(&calendar, &settings.calling_hours, &roster, &rest);
        if !(view.dial.allowed || window.allows(now)) {
            let next = window
                .earliest(now, now + jiff::SignedDuration::from_hours(24 * 14))
                .map(|s| s.start);
            return Err(VisitError::OutsideCallingWindow { next }.into());
        }
        if channel.is_none() {
            return Err(AppError::NoSmsChannel);
        }
        let mut tx = self.store.begin().await?;
        outbox::enqueue(
            &mut tx,
            &Outgoing {
                channel: outbox::channel::SMS,
                kind: outbox::kind::FOLLOW_UP_AGENT_CARD,
                address: &mobile,
                locale: Locale::ZhCn,
                params: view.card_params.clone(),
                expires_at: None,
                send_after: None,
            },
            now,
        )
        .await?;
        store::set_card_sent(&mut tx, id, now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(now)
    }
}
