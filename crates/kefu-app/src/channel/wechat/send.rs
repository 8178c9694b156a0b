//! 发送 — what a WeChat reply's job does: the reply's parts (2048 bytes each at most) sent
//! in order through the customer-service message API, each part counted off as WeChat
//! takes it, so a retried job goes on where the last one stopped.
//!
//! The access token is the account's cached one while it is valid, else fetched and cached
//! until five minutes before it expires. WeChat saying the token expired (40001, 42001,
//! 40014) forgets it, fetches a new one and sends again, once. The network, a 5xx and
//! WeChat busy (-1) are tried again with the job queue's back-off; 45015 (the 48-hour
//! window passed) leaves 未发送 on the ticket and tells the reply's author; any other
//! errcode fails the reply for good with WeChat's code and words on the ticket.

use kefu_domain::channel::wechat::{
    ApiVerdict, MAX_TEXT_BYTES, split_text, token_valid_until, verdict,
};
use kefu_store::wechat::sends::{self, WechatSend, status};
use kefu_store::wechat::{self as store, WechatChannel};
use kefu_store::{StoreError, changelog};

use super::api::{self, CallError};
use super::reply::{NotSent, record_not_sent, tell_author};
use crate::channel::email::SendOutcome;
use crate::{Actor, App, Result};

impl App {
    /// An access token for `channel`: the cached one while it is valid (unless `fresh`),
    /// else a new one from WeChat, cached. WeChat's refusal as the inner error.
    pub(super) async fn wechat_access_token(
        &self,
        channel: &WechatChannel,
        fresh: bool,
    ) -> Result<std::result::Result<String, CallError>> {
        let secret = {
            let mut conn = self.store.conn().await?;
            if !fresh
                && let Some(token) =
                    store::cached_access_token(&mut conn, channel.id, self.now()).await?
            {
                return Ok(Ok(token));
            }
            store::app_secret(&mut conn, channel.id).await?
        };
        match api::fetch_token(&channel.api_base, &channel.app_id, &secret).await {
            Ok(t) => {
                let until = token_valid_until(self.now(), t.expires_in);
                let mut conn = self.store.conn().await?;
                store::set_access_token(&mut conn, channel.id, Some((t.token.as_str(), until)))
                    .await?;
                Ok(Ok(t.token))
            }
            Err(e) => Ok(Err(e)),
        }
    }

    /// One attempt at WeChat reply `id` (attempt `attempt` of `max_attempts`).
    pub async fn run_wechat_send(
        &self,
        id: i64,
        attempt: i64,
        max_attempts: i64,
    ) -> Result<SendOutcome> {
        let (send, channel) = {
            let mut conn = self.store.conn().await?;
            let Some(send) = sends::by_id(&mut conn, id).await? else {
                return Ok(SendOutcome::Dropped);
            };
            if send.status != status::QUEUED {
                return Ok(SendOutcome::Dropped);
            }
            let channel = store::channel(&mut conn, send.channel_id).await?;
            (send, channel)
        };
        if !channel.active {
            let why = "the WeChat account is switched off";
            self.wechat_give_up(&send, None, why, Some(NotSent::Inactive))
                .await?;
            return Ok(SendOutcome::Failed(why.to_owned()));
        }
        let parts = split_text(&send.content, MAX_TEXT_BYTES);
        let mut token = match self.wechat_access_token(&channel, false).await? {
            Ok(t) => t,
            Err(e) => {
                return self
                    .wechat_send_failed(&send, e, attempt, max_attempts)
                    .await;
            }
        };
        let mut refreshed = false;
        let mut next = usize::try_from(send.parts_sent).unwrap_or(0);
        while next < parts.len() {
            match api::send_text(&channel.api_base, &token, &send.openid, &parts[next]).await {
                Ok(()) => {
                    next += 1;
                    let mut conn = self.store.conn().await?;
                    sends::progress(&mut conn, send.id, next as i64, self.now()).await?;
                }
                Err(CallError::Api { errcode, .. })
                    if verdict(errcode) == ApiVerdict::TokenExpired && !refreshed =>
                {
                    refreshed = true;
                    {
                        let mut conn = self.store.conn().await?;
                        store::set_access_token(&mut conn, channel.id, None).await?;
                    }
                    token = match self.wechat_access_token(&channel, true).await? {
                        Ok(t) => t,
                        Err(e) => {
                            return self
                                .wechat_send_failed(&send, e, attempt, max_attempts)
                                .await;
                        }
                    };
                }
                Err(e) => {
                    return self
                        .wechat_send_failed(&send, e, attempt, max_attempts)
                        .await;
                }
            }
        }
        self.wechat_sent(&send, parts.len()).await?;
        Ok(SendOutcome::Sent)
    }

    /// A call that failed: tried again later, or the reply settled with why.
    async fn wechat_send_failed(
        &self,
        send: &WechatSend,
        e: CallError,
        attempt: i64,
        max_attempts: i64,
    ) -> Result<SendOutcome> {
        let text = e.text();
        if e.errcode().map(verdict) == Some(ApiVerdict::OutOfWindow) {
            self.wechat_out_of_window(send, &e).await?;
            // Nothing an administrator need look at: the ticket and its agent are told.
            return Ok(SendOutcome::Dropped);
        }
        if e.retryable() && attempt < max_attempts {
            let mut conn = self.store.conn().await?;
            sends::attempt_failed(&mut conn, send.id, e.errcode(), &text, self.now()).await?;
            return Ok(SendOutcome::Retry(text));
        }
        self.wechat_give_up(send, e.errcode(), &text, None).await?;
        Ok(SendOutcome::Failed(text))
    }

    async fn wechat_sent(&self, send: &WechatSend, parts: usize) -> Result<()> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if sends::settle(&mut tx, send.id, status::SENT, None, None, now).await? {
            crate::ticket::record_event(
                &mut tx,
                send.ticket_id,
                &Actor::system(),
                now,
                "wechat_sent",
                None,
                Some(parts.to_string()),
            )
            .await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// 45015: not sent by WeChat, the window passed; the ticket says so and the reply's
    /// author is told to use another channel.
    async fn wechat_out_of_window(&self, send: &WechatSend, e: &CallError) -> Result<()> {
        let now = self.now();
        let text = e.text();
        let mut tx = self.store.begin().await?;
        if sends::settle(
            &mut tx,
            send.id,
            status::NOT_SENT,
            e.errcode(),
            Some(&text),
            now,
        )
        .await?
        {
            record_not_sent(&mut tx, send.ticket_id, NotSent::Window, now).await?;
            let t = kefu_store::ticket::by_id(&mut tx, send.ticket_id).await?;
            tell_author(
                &mut tx,
                send.author_user_id,
                t.id,
                &t.number,
                &t.subject,
                now,
            )
            .await?;
            self.wechat_ticket_moved(&mut tx, send.ticket_id, now)
                .await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// The reply fails for good: WeChat's code and words (or why it was not tried) on the
    /// ticket, which moves on so the people on it see it.
    async fn wechat_give_up(
        &self,
        send: &WechatSend,
        errcode: Option<i64>,
        why: &str,
        not_sent: Option<NotSent>,
    ) -> Result<()> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if sends::settle(&mut tx, send.id, status::FAILED, errcode, Some(why), now).await? {
            match not_sent {
                Some(n) => record_not_sent(&mut tx, send.ticket_id, n, now).await?,
                None => {
                    crate::ticket::record_event(
                        &mut tx,
                        send.ticket_id,
                        &Actor::system(),
                        now,
                        "wechat_send_failed",
                        None,
                        Some(why.to_owned()),
                    )
                    .await?;
                }
            }
            self.wechat_ticket_moved(&mut tx, send.ticket_id, now)
                .await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// The ticket's version and change log move on: its page and lists show the event.
    async fn wechat_ticket_moved(
        &self,
        conn: &mut kefu_store::AnyConnection,
        ticket_id: i64,
        now: jiff::Timestamp,
    ) -> Result<()> {
        kefu_store::ticket::bump_version(&mut *conn, ticket_id).await?;
        changelog::record(
            &mut *conn,
            "ticket",
            ticket_id,
            changelog::Operation::Update,
            None,
            now,
        )
        .await?;
        Ok(())
    }
}
