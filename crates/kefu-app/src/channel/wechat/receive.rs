//! 接收 — what WeChat sends an account's server address. Every request is first checked
//! against the account's Token (refused: audited like every channel's webhook, nothing
//! stored). The verification (`GET … echostr`) then only answers; a message (`POST`) is
//! read, stored raw with its claim and a job in one transaction, and answered at once: the
//! job does the ticket work, so WeChat hears `success` well within its five seconds. The
//! same message posted again (WeChat retries after five seconds, three times) or twice at
//! once finds its claim taken and is answered `success` too.

use kefu_domain::channel::wechat::{SignatureProblem, XmlError, parse_message, verify};
use kefu_store::StoreError;
use kefu_store::jobs::{self, NewJob};
use kefu_store::wechat::inbound::{self, NewInbound};
use kefu_store::wechat::{self as store, WechatChannel};
use serde_json::json;

use super::{LANDING_ATTEMPTS, TARGET};
use crate::audit::{Target, action};
use crate::channel::signature::Rejection;
use crate::jobs::kind;
use crate::{Actor, App, AppError, Result};

/// The query string of WeChat's requests, as sent.
#[derive(Debug, Clone, Default)]
pub struct WechatQuery {
    pub signature: Option<String>,
    pub timestamp: Option<String>,
    pub nonce: Option<String>,
    /// The verification's random string, answered back.
    pub echostr: Option<String>,
    /// `aes` in 安全模式 and 兼容模式; absent (or `raw`) in plaintext mode.
    pub encrypt_type: Option<String>,
}

/// What became of a posted message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    /// Stored (this id) and its job queued.
    Stored(i64),
    /// Received before: nothing new was written.
    Duplicate,
}

/// The refusal the webhooks share, for a problem with WeChat's signature.
fn rejection(p: SignatureProblem) -> Rejection {
    match p {
        SignatureProblem::MissingTimestamp => Rejection::MissingTimestamp,
        SignatureProblem::MissingSignature => Rejection::MissingSignature,
        SignatureProblem::BadTimestamp => Rejection::BadTimestamp,
        SignatureProblem::StaleTimestamp => Rejection::StaleTimestamp,
        SignatureProblem::BadSignature => Rejection::BadSignature,
    }
}

impl App {
    /// Checks a request to account `channel_id`'s server address: the account exists and
    /// the signature is its Token's, made within five minutes (refused: audited with the
    /// reason, never the query or the Token; nothing stored). The account, for
    /// [`App::receive_wechat`]; a verification is answered with its `echostr` by the caller.
    pub async fn check_wechat_request(
        &self,
        actor: &Actor,
        channel_id: i64,
        q: &WechatQuery,
    ) -> Result<WechatChannel> {
        let (channel, token) = {
            let mut conn = self.store.conn().await?;
            let channel = store::channel(&mut conn, channel_id).await?;
            let token = store::token(&mut conn, channel_id).await?;
            (channel, token)
        };
        let checked = verify(
            &token,
            q.timestamp.as_deref(),
            q.nonce.as_deref(),
            q.signature.as_deref(),
            self.now(),
        );
        let Err(problem) = checked else {
            return Ok(channel);
        };
        let rejection = rejection(problem);
        let id = channel_id.to_string();
        self.audit_event(
            actor,
            action::WEBHOOK_REJECTED,
            Some(Target {
                kind: TARGET,
                id: &id,
            }),
            Some(json!({"reason": rejection.key()})),
        )
        .await?;
        Err(AppError::WebhookRejected(rejection))
    }

    /// 接收消息 — one message or event posted to `channel` (checked by
    /// [`App::check_wechat_request`]). A switched-off account refuses it; an encrypted one
    /// (安全模式) and anything that is not WeChat's plaintext XML are refused with nothing
    /// stored.
    pub async fn receive_wechat(
        &self,
        channel: &WechatChannel,
        q: &WechatQuery,
        body: &[u8],
    ) -> Result<Received> {
        if !channel.active {
            return Err(AppError::ChannelInactive);
        }
        let encrypted = q
            .encrypt_type
            .as_deref()
            .map(str::trim)
            .is_some_and(|e| !e.is_empty() && !e.eq_ignore_ascii_case("raw"));
        if encrypted {
            return Err(XmlError::Encrypted.into());
        }
        let message = parse_message(body)?;
        let raw = String::from_utf8_lossy(body);
        let key = message.dedup_key();
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let claimed = inbound::claim(
            &mut tx,
            &NewInbound {
                channel_id: channel.id,
                dedup_key: &key,
                openid: &message.from_user,
                msg_type: &message.msg_type,
                event: message.event.as_deref(),
                raw: &raw,
                at: now,
            },
        )
        .await?;
        let Some(id) = claimed else {
            return Ok(Received::Duplicate);
        };
        let unique = format!("{}:{id}", kind::WECHAT_INBOUND);
        let payload = json!({ "inbound": id }).to_string();
        jobs::enqueue(
            &mut tx,
            &NewJob {
                kind: kind::WECHAT_INBOUND,
                unique_key: Some(&unique),
                payload: &payload,
                run_at: now,
                max_attempts: LANDING_ATTEMPTS,
            },
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(Received::Stored(id))
    }
}
