//! 发送 — what an SMS job does: one reply ([`App::run_sms_send`]) or one outbox message
//! ([`App::deliver_outbox_sms`]) posted to the gateway.
//!
//! A 2xx settles the send as sent, with the gateway's id for it. A 4xx is final: the send
//! fails with the gateway's words (on the ticket: 短信发送失败：…, with a notification to
//! whoever wrote the reply). A 5xx, a timeout or no answer is tried again with the job
//! queue's back-off — the same reference every time, so a gateway that took an attempt it
//! could not answer knows the next one — until the last attempt, which fails it.

use kefu_domain::Locale;
use kefu_domain::channel::phone::normalize_number;
use kefu_domain::channel::sms::{GatewayVerdict, e164, segments};
use kefu_store::StoreError;
use kefu_store::outbox as outbox_store;
use kefu_store::sms::sends::{self, NewSend, SmsSend, status};
use kefu_store::sms::{self as store, SmsChannel};
use serde_json::{Value, json};

use super::events::touch_ticket;
use super::gateway::{GatewayAnswer, TextToSend, keep, post};
use super::outgoing::{NotSent, REPLY_TEMPLATE, is_opted_out, record_not_sent, reply_text};
use crate::channel::email::SendOutcome;
use crate::outbox;
use crate::{App, Result};

/// Why a send was not tried, as the job and the send keep it.
const CHANNEL_OFF: &str = "the SMS channel is switched off";
const NO_CHANNEL: &str = "no SMS channel is switched on";

impl App {
    /// One attempt at reply text `id` (attempt `attempt` of `max_attempts`).
    pub async fn run_sms_send(
        &self,
        id: i64,
        attempt: i64,
        max_attempts: i64,
    ) -> Result<SendOutcome> {
        let (send, channel, api_key, body, number) = {
            let mut conn = self.store.conn().await?;
            let Some(send) = sends::by_id(&mut conn, id).await? else {
                return Ok(SendOutcome::Dropped);
            };
            if send.status != status::QUEUED {
                return Ok(SendOutcome::Dropped);
            }
            let (Some(ticket_id), Some(message_id)) = (send.ticket_id, send.ticket_message_id)
            else {
                return Ok(SendOutcome::Dropped);
            };
            let Some(message) = sends::reply_message(&mut conn, message_id).await? else {
                return Ok(SendOutcome::Dropped);
            };
            let number = kefu_store::ticket::by_id(&mut conn, ticket_id)
                .await?
                .number;
            let channel = store::channel(&mut conn, send.channel_id).await?;
            let api_key = store::api_key(&mut conn, send.channel_id).await?;
            (send, channel, api_key, message.body, number)
        };
        if !channel.active {
            self.give_up_reply(&send, CHANNEL_OFF).await?;
            return Ok(SendOutcome::Failed(CHANNEL_OFF.to_owned()));
        }
        // The customer may have answered T since the reply was queued.
        let opted_out = match normalize_number(&send.recipient, None) {
            Some(n) => {
                let mut conn = self.store.conn().await?;
                is_opted_out(&mut conn, &n).await?
            }
            None => false,
        };
        if opted_out {
            self.drop_opted_out(&send).await?;
            return Ok(SendOutcome::Dropped);
        }
        let text = reply_text(&body);
        let params = json!({ "ticket": number });
        let answer = post(
            &channel.send_url,
            api_key.as_deref(),
            &TextToSend {
                reference: &send.reference,
                to: &send.recipient,
                sign_name: &channel.sign_name,
                template: REPLY_TEMPLATE,
                params: &params,
                text: &text,
            },
        )
        .await;
        let verdict = answer.verdict();
        match verdict {
            GatewayVerdict::Accepted => {
                self.settle_sms_sent(&send, &answer).await?;
                Ok(SendOutcome::Sent)
            }
            _ if verdict == GatewayVerdict::Permanent || attempt >= max_attempts => {
                let why = answer.describe();
                self.give_up_reply(&send, &why).await?;
                Ok(SendOutcome::Failed(why))
            }
            _ => {
                let why = answer.describe();
                let mut conn = self.store.conn().await?;
                sends::attempt_failed(&mut conn, send.id, &why, self.now()).await?;
                Ok(SendOutcome::Retry(why))
            }
        }
    }

    /// The gateway took the text: sent, and the ticket's page shows it.
    async fn settle_sms_sent(&self, send: &SmsSend, answer: &GatewayAnswer) -> Result<()> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        sends::settle_sent(&mut tx, send.id, answer.message_id.as_deref(), now).await?;
        if let Some(ticket) = send.ticket_id {
            touch_ticket(&mut tx, ticket, now).await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// The reply fails for good with `why`: an event on its ticket, a notification to
    /// whoever wrote it.
    async fn give_up_reply(&self, send: &SmsSend, why: &str) -> Result<()> {
        let now = self.now();
        let why = keep(why);
        let mut tx = self.store.begin().await?;
        if sends::give_up(&mut tx, send.id, &why, now).await? {
            self.tell_send_failed(&mut tx, send, &why, now).await?;
            if let Some(ticket) = send.ticket_id {
                touch_ticket(&mut tx, ticket, now).await?;
            }
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// The number opted out after the reply was queued: it is not sent, and the ticket
    /// says so (未发送：客户已退订).
    async fn drop_opted_out(&self, send: &SmsSend) -> Result<()> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if sends::give_up(&mut tx, send.id, "opted out", now).await?
            && let Some(ticket) = send.ticket_id
        {
            record_not_sent(&mut tx, ticket, NotSent::OptedOut, now).await?;
            touch_ticket(&mut tx, ticket, now).await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// One attempt at outbox message `id` by text, through the first switched-on gateway.
    /// A sign-in or verification code goes even to a number that opted out: the customer
    /// asked for it that moment, and it is no message of the department's.
    pub async fn deliver_outbox_sms(
        &self,
        id: i64,
        attempt: i64,
        max_attempts: i64,
    ) -> Result<SendOutcome> {
        let now = self.now();
        let (message, channel, api_key) = {
            let mut conn = self.store.conn().await?;
            let Some(m) = outbox_store::by_id(&mut conn, id).await? else {
                return Ok(SendOutcome::Dropped);
            };
            let done = m.delivered_at.is_some() || m.failed_at.is_some();
            let ran_out = m.expires_at.is_some_and(|e| e <= now);
            if done || ran_out || m.channel != outbox::channel::SMS {
                return Ok(SendOutcome::Dropped);
            }
            let channel = store::sending_channel(&mut conn).await?;
            let api_key = match &channel {
                Some(c) => store::api_key(&mut conn, c.id).await?,
                None => None,
            };
            (m, channel, api_key)
        };
        let Some(channel) = channel else {
            self.outbound_failed(id, NO_CHANNEL).await?;
            return Ok(if attempt >= max_attempts {
                SendOutcome::Failed(NO_CHANNEL.to_owned())
            } else {
                SendOutcome::Retry(NO_CHANNEL.to_owned())
            });
        };
        let Some(to) = normalize_number(&message.address, None)
            .as_ref()
            .and_then(e164)
        else {
            let why = "not a mobile number";
            self.outbox_sms_given_up(id, why).await?;
            return Ok(SendOutcome::Failed(why.to_owned()));
        };
        let locale = message.locale.parse::<Locale>().unwrap_or(Locale::ZhCn);
        let params: Value = serde_json::from_str(&message.params).unwrap_or_else(|_| json!({}));
        let Some(text) = self.outbox_sms_text(&message.kind, &params, locale) else {
            let why = format!("no text message for {:?}", message.kind);
            self.outbox_sms_given_up(id, &why).await?;
            return Ok(SendOutcome::Failed(why));
        };
        let send = {
            let mut conn = self.store.conn().await?;
            sends::queue_once(
                &mut conn,
                &NewSend {
                    channel_id: channel.id,
                    // One reference per message, whichever attempt gets it through.
                    reference: &format!("kf-o{id}"),
                    ticket_id: None,
                    ticket_message_id: None,
                    outbound_message_id: Some(id),
                    author_user_id: None,
                    recipient: &to,
                    template: &message.kind,
                    segments: segments(&format!("{}{text}", channel.sign_name)).count as i64,
                },
                now,
            )
            .await?
        };
        if send.status != status::QUEUED {
            // An earlier attempt got through before this one was told.
            if send.status != status::FAILED {
                self.outbound_delivered(id).await?;
            }
            return Ok(SendOutcome::Dropped);
        }
        let answer = self
            .post_outbox(
                &channel,
                api_key.as_deref(),
                &send,
                &message.kind,
                &params,
                &text,
            )
            .await;
        let verdict = answer.verdict();
        let why = answer.describe();
        match verdict {
            GatewayVerdict::Accepted => {
                let mut tx = self.store.begin().await?;
                sends::settle_sent(&mut tx, send.id, answer.message_id.as_deref(), now).await?;
                tx.commit().await.map_err(StoreError::from)?;
                self.outbound_delivered(id).await?;
                Ok(SendOutcome::Sent)
            }
            _ if verdict == GatewayVerdict::Permanent || attempt >= max_attempts => {
                {
                    let mut conn = self.store.conn().await?;
                    sends::give_up(&mut conn, send.id, &why, self.now()).await?;
                }
                self.outbox_sms_given_up(id, &why).await?;
                Ok(SendOutcome::Failed(why))
            }
            _ => {
                {
                    let mut conn = self.store.conn().await?;
                    sends::attempt_failed(&mut conn, send.id, &why, self.now()).await?;
                }
                self.outbound_failed(id, &why).await?;
                Ok(SendOutcome::Retry(why))
            }
        }
    }

    async fn post_outbox(
        &self,
        channel: &SmsChannel,
        api_key: Option<&str>,
        send: &SmsSend,
        kind: &str,
        params: &Value,
        text: &str,
    ) -> GatewayAnswer {
        post(
            &channel.send_url,
            api_key,
            &TextToSend {
                reference: &send.reference,
                to: &send.recipient,
                sign_name: &channel.sign_name,
                template: kind,
                params,
                text,
            },
        )
        .await
    }

    async fn outbox_sms_given_up(&self, id: i64, why: &str) -> Result<()> {
        let mut conn = self.store.conn().await?;
        outbox_store::mark_given_up(&mut conn, id, &keep(why), self.now()).await?;
        Ok(())
    }

    /// The text of an outbox message in `locale`; `None` for a kind with no text message.
    fn outbox_sms_text(&self, kind: &str, params: &Value, locale: Locale) -> Option<String> {
        if kind == outbox::kind::FOLLOW_UP_AGENT_CARD {
            return crate::follow_up::card_text(self, locale, params);
        }
        if let Some((text, _, _)) =
            crate::satisfaction::relationship::invitation_words(self, kind, locale, params)
                .or_else(|| crate::order::notice_words(self, kind, locale, params))
                .or_else(|| crate::receivable::reminder_words(self, kind, locale, params))
        {
            return Some(text);
        }
        let key = match kind {
            outbox::kind::PORTAL_SIGN_IN_CODE => "sms.portal_sign_in_code",
            outbox::kind::PORTAL_VERIFY_MOBILE => "sms.portal_verify_mobile",
            _ => return None,
        };
        let code = params["code"].as_str()?;
        let minutes = match &params["minutes"] {
            Value::Number(n) => n.to_string(),
            Value::String(s) => s.clone(),
            _ => return None,
        };
        Some(self.text(
            locale,
            key,
            &[("code", code), ("minutes", minutes.as_str())],
        ))
    }
}
