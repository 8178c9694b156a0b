//! 发送 — what a send job does: one mail about a ticket ([`App::run_mail_send`]) or one
//! outbox message ([`App::deliver_outbox_email`]) handed to the mailbox's SMTP server.
//!
//! A server that takes the mail settles it as sent. A 5xx is final: the mail is failed,
//! with the server's words on the ticket (邮件发送失败：550 …) and on the job. A 4xx or a
//! connection that did not get as far as an answer is tried again with the job queue's
//! back-off, the same Message-ID each time, until the last attempt, which fails it.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use kefu_domain::Locale;
use kefu_domain::channel::mail_out::{SmtpSecurity, SmtpVerdict, domain_of};
use kefu_domain::customer::mask_email;
use kefu_store::mail::outbound::{self, MailSend, status};
use kefu_store::mail::{self as store, EmailChannel, inbound};
use kefu_store::outbox as outbox_store;
use kefu_store::ticket::conversation;
use kefu_store::{StoreError, changelog};

use super::outgoing::{NotSent, record_not_sent};
use super::smtp::{
    AUTO_GENERATED, AUTO_REPLIED, Outgoing, SmtpFailure, SmtpServer, compose, deliver, keep_answer,
};
use crate::outbox;
use crate::{Actor, App, Result};

/// What became of one attempt, for the job that made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    /// The server took it.
    Sent,
    /// Nothing to send any more (sent already, its ticket or message gone, the address
    /// bounced meanwhile, the message ran out).
    Dropped,
    /// Not this time; the job is tried again. The server's words.
    Retry(String),
    /// Failed for good. The server's words.
    Failed(String),
}

/// The mailbox's server with its password, when it has one and is switched on.
pub(super) async fn server_of(
    conn: &mut kefu_store::AnyConnection,
    channel: &EmailChannel,
) -> Result<Option<SmtpServer>> {
    let Some(s) = channel.smtp.as_ref().filter(|_| channel.active) else {
        return Ok(None);
    };
    let password = store::smtp_password(conn, channel.id).await?;
    Ok(Some(SmtpServer {
        host: s.host.clone(),
        port: s.port,
        security: SmtpSecurity::parse(&s.security).unwrap_or(SmtpSecurity::StartTls),
        username: s.username.clone(),
        password,
        address: channel.address.clone(),
    }))
}

/// The name mail goes out under: the one set for the server, else the mailbox's.
pub(super) fn from_name(channel: &EmailChannel) -> String {
    channel
        .smtp
        .as_ref()
        .map(|s| s.from_name.trim().to_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| channel.name.clone())
}

/// Sends a composed mail, a mail that cannot be written counting as refused.
async fn try_send(
    server: &SmtpServer,
    m: &Outgoing<'_>,
) -> std::result::Result<String, SmtpFailure> {
    let message = compose(m)?;
    deliver(server, message).await
}

/// The text and files of a reply as the mail carries them.
type Content = (String, Vec<(String, String, Vec<u8>)>);

impl App {
    /// One attempt at mail `id` (attempt `attempt` of `max_attempts`).
    pub async fn run_mail_send(
        &self,
        id: i64,
        attempt: i64,
        max_attempts: i64,
    ) -> Result<SendOutcome> {
        let (send, channel, server, content) = {
            let mut conn = self.store.conn().await?;
            let Some(send) = outbound::by_id(&mut conn, id).await? else {
                return Ok(SendOutcome::Dropped);
            };
            if send.status != status::QUEUED {
                return Ok(SendOutcome::Dropped);
            }
            let channel = store::channel(&mut conn, send.channel_id).await?;
            let server = server_of(&mut conn, &channel).await?;
            let content = self.reply_content(&mut conn, &send).await?;
            (send, channel, server, content)
        };
        let Some((text, files)) = content else {
            return Ok(SendOutcome::Dropped);
        };
        let bounced = {
            let mut conn = self.store.conn().await?;
            inbound::bounced(&mut conn, &send.recipient)
                .await?
                .is_some()
        };
        if bounced {
            self.give_up(&send, "address bounced before", Some(NotSent::Bounced))
                .await?;
            return Ok(SendOutcome::Dropped);
        }
        let Some(server) = server else {
            let why = "the mailbox has no SMTP server or is switched off";
            self.give_up(&send, why, Some(NotSent::NoSmtp)).await?;
            return Ok(SendOutcome::Failed(why.to_owned()));
        };
        let from = from_name(&channel);
        let mail = Outgoing {
            from_name: &from,
            from_address: &channel.address,
            to: &send.recipient,
            subject: &send.subject,
            message_id: &send.message_id,
            in_reply_to: send.in_reply_to.as_deref(),
            references: &send.references,
            auto_submitted: send.automatic.then_some(AUTO_REPLIED),
            date: self.now(),
            text: &text,
            html: None,
            files,
        };
        match try_send(&server, &mail).await {
            Ok(answer) => {
                self.settle_sent(&send, &answer).await?;
                Ok(SendOutcome::Sent)
            }
            Err(f) if f.verdict == SmtpVerdict::Permanent || attempt >= max_attempts => {
                self.give_up(&send, &f.answer, None).await?;
                Ok(SendOutcome::Failed(f.answer))
            }
            Err(f) => {
                let mut conn = self.store.conn().await?;
                outbound::attempt_failed(&mut conn, send.id, &f.answer, self.now()).await?;
                Ok(SendOutcome::Retry(f.answer))
            }
        }
    }

    /// The reply's text and its files (not quarantined ones); `None` when the message is
    /// gone.
    async fn reply_content(
        &self,
        conn: &mut kefu_store::AnyConnection,
        send: &MailSend,
    ) -> Result<Option<Content>> {
        let message = conversation::messages(&mut *conn, send.ticket_id, false)
            .await?
            .into_iter()
            .find(|m| m.id == send.ticket_message_id);
        let Some(message) = message else {
            return Ok(None);
        };
        let mut files = Vec::new();
        for a in conversation::attachments(&mut *conn, send.ticket_id).await? {
            if a.message_id != Some(message.id) || a.quarantined {
                continue;
            }
            match conversation::attachment_data(&mut *conn, send.ticket_id, a.id).await {
                Ok((name, content_type, bytes)) => files.push((name, content_type, bytes)),
                Err(StoreError::NotFound) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(Some((message.body, files)))
    }

    async fn settle_sent(&self, send: &MailSend, answer: &str) -> Result<()> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if outbound::settle(&mut tx, send.id, status::SENT, answer, now).await? {
            crate::ticket::record_event(
                &mut tx,
                send.ticket_id,
                &Actor::system(),
                now,
                "mail_sent",
                None,
                Some(mask_email(&send.recipient)),
            )
            .await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// The mail fails for good: the server's words (or why it was not tried) on the
    /// ticket, which moves on so the people on it see it.
    async fn give_up(&self, send: &MailSend, answer: &str, why: Option<NotSent>) -> Result<()> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if outbound::settle(&mut tx, send.id, status::FAILED, answer, now).await? {
            match why {
                Some(why) => record_not_sent(&mut tx, send.ticket_id, why, now).await?,
                None => {
                    crate::ticket::record_event(
                        &mut tx,
                        send.ticket_id,
                        &Actor::system(),
                        now,
                        "mail_send_failed",
                        None,
                        Some(answer.to_owned()),
                    )
                    .await?;
                }
            }
            kefu_store::ticket::bump_version(&mut tx, send.ticket_id).await?;
            changelog::record(
                &mut tx,
                "ticket",
                send.ticket_id,
                changelog::Operation::Update,
                None,
                now,
            )
            .await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// One attempt at outbox message `id` by e-mail, through the mailbox that sends what
    /// is not about a ticket (the first switched-on one, by id, with an SMTP server).
    pub async fn deliver_outbox_email(
        &self,
        id: i64,
        attempt: i64,
        max_attempts: i64,
    ) -> Result<SendOutcome> {
        let now = self.now();
        let (message, channel, server) = {
            let mut conn = self.store.conn().await?;
            let Some(m) = outbox_store::by_id(&mut conn, id).await? else {
                return Ok(SendOutcome::Dropped);
            };
            let done = m.delivered_at.is_some() || m.failed_at.is_some();
            let ran_out = m.expires_at.is_some_and(|e| e <= now);
            if done || ran_out || m.channel != outbox::channel::EMAIL {
                return Ok(SendOutcome::Dropped);
            }
            let channel = store::sending_channel(&mut conn).await?;
            let server = match &channel {
                Some(c) => server_of(&mut conn, c).await?,
                None => None,
            };
            (m, channel, server)
        };
        let (Some(channel), Some(server)) = (channel, server) else {
            let why = "no e-mail channel has an SMTP server";
            self.outbound_failed(id, why).await?;
            return Ok(if attempt >= max_attempts {
                SendOutcome::Failed(why.to_owned())
            } else {
                SendOutcome::Retry(why.to_owned())
            });
        };
        let locale = message.locale.parse::<Locale>().unwrap_or(Locale::ZhCn);
        let Some(OutboxMail {
            subject,
            text,
            html,
            files,
        }) = self
            .outbox_mail(&message.kind, &message.params, locale)
            .await?
        else {
            let why = format!("no e-mail text for {:?}", message.kind);
            self.outbox_given_up(id, &why).await?;
            return Ok(SendOutcome::Failed(why));
        };
        let from = from_name(&channel);
        // One Message-ID per message, whichever attempt gets it through.
        let message_id = format!("kf.outbox.{id}@{}", domain_of(&channel.address));
        let mail = Outgoing {
            from_name: &from,
            from_address: &channel.address,
            to: &message.address,
            subject: &subject,
            message_id: &message_id,
            in_reply_to: None,
            references: &[],
            auto_submitted: Some(AUTO_GENERATED),
            date: now,
            text: &text,
            html: html.as_deref(),
            files,
        };
        match try_send(&server, &mail).await {
            Ok(_) => {
                self.outbound_delivered(id).await?;
                Ok(SendOutcome::Sent)
            }
            Err(f) if f.verdict == SmtpVerdict::Permanent || attempt >= max_attempts => {
                self.outbox_given_up(id, &f.answer).await?;
                Ok(SendOutcome::Failed(f.answer))
            }
            Err(f) => {
                self.outbound_failed(id, &f.answer).await?;
                Ok(SendOutcome::Retry(f.answer))
            }
        }
    }

    async fn outbox_given_up(&self, id: i64, why: &str) -> Result<()> {
        let mut conn = self.store.conn().await?;
        outbox_store::mark_given_up(&mut conn, id, &keep_answer(why), self.now()).await?;
        Ok(())
    }

    /// The mail of an outbox message, in `locale`; `None` for a kind mail has no text for
    /// (or whose record is gone).
    async fn outbox_mail(
        &self,
        kind: &str,
        params: &str,
        locale: Locale,
    ) -> Result<Option<OutboxMail>> {
        let Ok(params) = serde_json::from_str::<serde_json::Value>(params) else {
            return Ok(None);
        };
        if kind == outbox::kind::QUALITY_DAILY_REPORT {
            return Ok(self
                .quality_report_mail(&params, locale)
                .await?
                .map(|m| OutboxMail {
                    subject: m.subject,
                    text: m.text,
                    html: Some(m.html),
                    files: m.files,
                }));
        }
        Ok(self
            .outbox_text(kind, &params, locale)
            .map(|(subject, text)| OutboxMail {
                subject,
                text,
                html: None,
                files: Vec::new(),
            }))
    }

    /// The subject and text of an outbox message, in `locale`; `None` for a kind mail has
    /// no text for.
    fn outbox_text(
        &self,
        kind: &str,
        params: &serde_json::Value,
        locale: Locale,
    ) -> Option<(String, String)> {
        match kind {
            outbox::kind::PORTAL_VERIFY_EMAIL => {
                let path = params["path"].as_str()?;
                let link = format!("{}{path}", self.settings.public_url.trim_end_matches('/'));
                let expires = params["expires_at"]
                    .as_str()
                    .and_then(|e| e.parse::<Timestamp>().ok())
                    .map(beijing_minute)
                    .unwrap_or_default();
                let subject = self.text(locale, "mail.verify_subject", &[]);
                let text = self.text(
                    locale,
                    "mail.verify_body",
                    &[("link", link.as_str()), ("expires", expires.as_str())],
                );
                Some((subject, text))
            }
            _ => crate::satisfaction::relationship::invitation_words(self, kind, locale, params)
                .or_else(|| crate::order::notice_words(self, kind, locale, params))
                .or_else(|| crate::receivable::reminder_words(self, kind, locale, params))
                .map(|(_, subject, text)| (subject, text)),
        }
    }
}

/// What an outbox message says by mail.
struct OutboxMail {
    subject: String,
    text: String,
    html: Option<String>,
    files: Vec<(String, String, Vec<u8>)>,
}

/// `2026-11-26 10:00`, Beijing time, as a customer reads a deadline.
pub(crate) fn beijing_minute(at: Timestamp) -> String {
    let tz = TimeZone::get("Asia/Shanghai").unwrap_or(TimeZone::UTC);
    at.to_zoned(tz).strftime("%Y-%m-%d %H:%M").to_string()
}
