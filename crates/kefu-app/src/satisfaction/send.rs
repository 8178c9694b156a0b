//! 发送调查 — the job that decides each resolved ticket once: surveyed (a message with the
//! link goes back by the channel the customer last wrote by — mail, text message, WeChat —
//! and shows in the portal) or skipped with the reason. Two instances decide a ticket once:
//! its row is unique.

use jiff::{SignedDuration, Timestamp};
use kefu_domain::Locale;
use kefu_domain::satisfaction::SkipReason;
use kefu_domain::ticket::{Channel, TicketType};
use kefu_store::StoreError;
use kefu_store::satisfaction::{self as store, CsatCandidate, NewSurvey};
use kefu_store::ticket::conversation::{self, NewMessage};

use super::{load_rules, token};
use crate::{Actor, App, Result};

/// Tickets resolved this long ago at most are still surveyed (a ticket resolved while the
/// surveys were switched off is not surveyed when they are switched on a week later).
const LOOKBACK: SignedDuration = SignedDuration::from_hours(24);
/// Tickets decided per round.
const BATCH: i64 = 100;

/// Whom a survey goes to: the ticket's e-mail address, else its phone, else the WeChat
/// follower who wrote in, else its portal customer, else its customer in the archive.
pub(crate) fn contact_key(c: &CsatCandidate) -> Option<String> {
    contact_key_of(
        c.contact_email.as_deref(),
        c.contact_phone.as_deref(),
        c.wechat_follower.as_deref(),
        c.requester_id,
        c.customer_id,
    )
}

/// [`contact_key`] from a ticket's contact fields, for whatever reads them (the demo too).
pub(crate) fn contact_key_of(
    email: Option<&str>,
    phone: Option<&str>,
    wechat_follower: Option<&str>,
    requester: Option<i64>,
    customer: Option<i64>,
) -> Option<String> {
    if let Some(e) = email.filter(|e| !e.trim().is_empty()) {
        return Some(format!("e:{}", e.trim().to_lowercase()));
    }
    if let Some(p) = phone {
        let digits: String = p.chars().filter(char::is_ascii_digit).collect();
        if digits.len() >= 5 {
            return Some(format!("p:{digits}"));
        }
    }
    if let Some(w) = wechat_follower {
        return Some(format!("w:{w}"));
    }
    requester
        .map(|r| format!("r:{r}"))
        .or_else(|| customer.map(|x| format!("c:{x}")))
}

impl App {
    /// One round of the survey job: decides every ticket resolved in the last day that has
    /// no survey row. Returns the surveys sent.
    pub async fn send_csat_surveys(&self) -> Result<usize> {
        let now = self.now();
        let (rules, key) = {
            let mut conn = self.store.conn().await?;
            (load_rules(&mut conn).await?, self.csat_key().await?)
        };
        if !rules.active {
            return Ok(0);
        }
        let mut sent = 0;
        loop {
            let batch = {
                let mut conn = self.store.conn().await?;
                store::candidates(&mut conn, now - LOOKBACK, BATCH).await?
            };
            if batch.is_empty() {
                break;
            }
            for c in &batch {
                let contact = contact_key(c);
                let mut tx = self.store.begin().await?;
                // A reply may have reopened it since the batch was read: decided when it is
                // resolved again.
                if !kefu_store::ticket::lock_if_resolved(&mut tx, c.ticket_id).await? {
                    continue;
                }
                let last = match &contact {
                    Some(k) => store::last_sent_to(&mut tx, k).await?,
                    None => None,
                };
                let decision = match (
                    c.ticket_type.parse::<TicketType>(),
                    c.channel.parse::<Channel>(),
                ) {
                    (Ok(t), Ok(ch)) => rules.decide(t, ch, contact.is_some(), last, now),
                    (Err(_), _) => Err(SkipReason::TicketType),
                    (_, Err(_)) => Err(SkipReason::Channel),
                };
                // Whole seconds: the link carries its expiry in seconds.
                let expires_at = rules.expires_at(now);
                let expires_at =
                    Timestamp::from_second(expires_at.as_second()).unwrap_or(expires_at);
                let row = NewSurvey {
                    candidate: c,
                    contact_key: contact.as_deref(),
                    state: if decision.is_ok() { "sent" } else { "skipped" },
                    skip_reason: decision.err().map(|r| r.key()),
                    expires_at: decision.is_ok().then_some(expires_at),
                };
                let Some(id) = store::insert(&mut tx, &row, now).await? else {
                    continue;
                };
                if decision.is_ok() {
                    self.send_survey_message(
                        &mut tx,
                        c.ticket_id,
                        id,
                        key,
                        expires_at,
                        rules.link_days,
                        now,
                    )
                    .await?;
                    sent += 1;
                }
                tx.commit().await.map_err(StoreError::from)?;
            }
        }
        Ok(sent)
    }

    /// Writes the message carrying survey `id`'s link on its ticket and queues it by the
    /// customer's channel.
    #[allow(clippy::too_many_arguments)]
    async fn send_survey_message(
        &self,
        conn: &mut kefu_store::AnyConnection,
        ticket_id: i64,
        id: i64,
        key: &str,
        expires_at: Timestamp,
        link_days: i64,
        now: Timestamp,
    ) -> Result<()> {
        let t = kefu_store::ticket::by_id(&mut *conn, ticket_id).await?;
        let link = format!(
            "{}/s/{}",
            self.settings.public_url.trim_end_matches('/'),
            token::make(key, token::Purpose::Csat, id, expires_at)
        );
        let days = link_days.to_string();
        let body = self.text(
            Locale::ZhCn,
            "csat.message",
            &[("number", &t.number), ("link", &link), ("days", &days)],
        );
        let author = self.text(Locale::ZhCn, "csat.author", &[]);
        let message_id = conversation::add_message(
            &mut *conn,
            &NewMessage {
                ticket_id,
                visibility: "public",
                author_kind: "system",
                author_user_id: None,
                author_name: &author,
                body: &body,
                at: now,
            },
        )
        .await?;
        store::set_message(&mut *conn, id, message_id).await?;
        crate::ticket::event(
            &mut *conn,
            ticket_id,
            &Actor::system(),
            now,
            "csat",
            None,
            Some("sent".to_owned()),
        )
        .await?;
        // An automatic message: by mail it is held back from auto-responders like any.
        match conversation::last_inbound_channel(&mut *conn, ticket_id)
            .await?
            .as_deref()
        {
            Some("wechat") => self.queue_reply_wechat(conn, &t, message_id, now).await,
            Some("sms") => self.queue_reply_sms(conn, &t, message_id, now).await,
            _ => self
                .queue_reply_mail(conn, &t, message_id, true, now)
                .await
                .map(|_| ()),
        }
    }
}
