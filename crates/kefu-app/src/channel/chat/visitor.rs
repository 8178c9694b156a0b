//! 访客 — the visitor's side of a chat, as the widget's socket drives it. The socket is
//! opened only from a page whose origin the channel allows ([`App::chat_channel_for`]);
//! its hello gives back the chat the visitor's token names, or a new token. The first
//! message opens the chat; each message the widget numbers (`cseq`) is stored once, so
//! one sent again after a dropped connection is acknowledged, not repeated.
//!
//! The visitor's token is random, given to the widget once and kept by it; kefu stores only
//! its SHA-256.

use jiff::SignedDuration;
use kefu_domain::channel::chat::{
    self as rules, AGENT_SEEN_MINUTES, ChatAuthor, ChatError, ChatStatus, EndedBy, PAGE_URL_MAX,
    VISITOR_FIELD_MAX,
};
use kefu_store::chat::messages::{self, NewChatMessage};
use kefu_store::chat::sessions::{self, NewSession};
use kefu_store::chat::{self as store, agents};
use kefu_store::{StoreError, changelog};
use serde_json::json;

use super::{ChatChannel, ChatMessage, ChatSession, SESSION_ENTITY, TARGET, mask_session};
use crate::audit::{Target, action};
use crate::secret::{random_hex, sha256_hex};
use crate::{Actor, App, AppError, Result};

/// Bytes of randomness in a visitor's token.
const TOKEN_BYTES: usize = 32;

/// The most lines one read of a chat gives (a reconnect reads the rest in turns).
pub const READ_BATCH: i64 = 1000;

/// What the widget says when its socket opens.
#[derive(Debug, Clone, Default)]
pub struct Hello {
    /// The token it kept from an earlier welcome, if any.
    pub token: Option<String>,
    /// A name and a way to reach the visitor, if the page passed them to the widget.
    pub name: Option<String>,
    pub contact: Option<String>,
    /// The page the widget is on.
    pub page_url: Option<String>,
}

/// Where the visitor stands when their socket opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WelcomeStatus {
    /// Their chat waits for an agent, or (no chat yet) an agent is on shift to take one.
    Waiting,
    Active,
    Ended,
    /// No chat yet and nobody on shift for the channel: the widget offers the offline form.
    Offline,
}

impl WelcomeStatus {
    pub fn key(self) -> &'static str {
        match self {
            WelcomeStatus::Waiting => "waiting",
            WelcomeStatus::Active => "active",
            WelcomeStatus::Ended => "ended",
            WelcomeStatus::Offline => "offline",
        }
    }

    /// The welcome status of a chat in `status`.
    pub fn of(status: &str) -> WelcomeStatus {
        match status.parse::<ChatStatus>() {
            Ok(ChatStatus::Active) => WelcomeStatus::Active,
            Ok(ChatStatus::Ended) => WelcomeStatus::Ended,
            _ => WelcomeStatus::Waiting,
        }
    }
}

/// The answer to a hello.
#[derive(Debug, Clone)]
pub struct Welcome {
    pub status: WelcomeStatus,
    /// The visitor's chat, once their first message opened it.
    pub session: Option<i64>,
    /// Who answers it.
    pub agent_name: Option<String>,
}

/// One socket's visitor: the channel, the page, the token, and the chat once there is one.
pub struct VisitorChat {
    pub channel: ChatChannel,
    /// The visitor's token (sent to the widget; stored only hashed).
    pub token: String,
    pub session_id: Option<i64>,
    /// The name the visitor's lines carry, once the chat is open.
    label: Option<String>,
    origin: Option<String>,
    name: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    page_url: Option<String>,
}

impl std::fmt::Debug for VisitorChat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VisitorChat")
            .field("channel", &self.channel.id)
            .field("session_id", &self.session_id)
            .finish_non_exhaustive()
    }
}

/// A visitor's message taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VisitorAck {
    /// Its number in the chat.
    pub seq: i64,
    /// It had been stored before (sent again after a dropped connection).
    pub duplicate: bool,
    /// It opened the chat.
    pub opened: bool,
}

/// The token's stored form.
fn token_hash(token: &str) -> String {
    sha256_hex(token)
}

/// A token kefu could have made: 64 hex digits. Anything else is not looked up.
fn plausible(token: &str) -> bool {
    token.len() == TOKEN_BYTES * 2 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

impl App {
    /// The chat channel `id` for a page at `origin`: switched on, and `origin` one it
    /// allows. A refused origin is audited (the channel and the origin, nothing else).
    pub async fn chat_channel_for(
        &self,
        actor: &Actor,
        id: i64,
        origin: Option<&str>,
    ) -> Result<ChatChannel> {
        let channel = {
            let mut conn = self.store.conn().await?;
            store::channel(&mut conn, id).await?
        };
        if !channel.active {
            return Err(AppError::ChannelInactive);
        }
        if !rules::origin_allowed(&channel.allowed_origins, origin) {
            let target = id.to_string();
            let shown: Option<String> = origin.map(|o| o.chars().take(200).collect());
            self.audit_event(
                actor,
                action::CHAT_ORIGIN_REFUSED,
                Some(Target {
                    kind: TARGET,
                    id: &target,
                }),
                Some(json!({"origin": shown})),
            )
            .await?;
            return Err(ChatError::OriginRefused.into());
        }
        Ok(channel)
    }

    /// Whether an agent who answers the channel (of its group, or any without one) is on
    /// shift: 在线 and heard from in the last minutes.
    pub async fn chat_anyone_online(&self, channel: &ChatChannel) -> Result<bool> {
        let since = self.now() - SignedDuration::from_mins(AGENT_SEEN_MINUTES);
        let mut conn = self.store.conn().await?;
        Ok(agents::count_online(&mut conn, channel.group_id, since).await? > 0)
    }

    /// The widget's hello: the chat its token names (on this channel), or a new token and
    /// whether anyone is on shift to take a chat.
    pub async fn chat_hello(
        &self,
        channel: ChatChannel,
        origin: Option<&str>,
        hello: &Hello,
    ) -> Result<(VisitorChat, Welcome)> {
        let contact = hello
            .contact
            .as_deref()
            .and_then(rules::split_contact)
            .unwrap_or_default();
        let mut visitor = VisitorChat {
            channel,
            token: String::new(),
            session_id: None,
            label: None,
            origin: origin.and_then(|o| rules::clean_origin(o).ok()),
            name: hello
                .name
                .as_deref()
                .and_then(|n| rules::clean_field(n, VISITOR_FIELD_MAX)),
            phone: contact.0,
            email: contact.1,
            page_url: hello
                .page_url
                .as_deref()
                .and_then(|u| rules::clean_field(u, PAGE_URL_MAX)),
        };
        if let Some(token) = hello.token.as_deref().filter(|t| plausible(t)) {
            let found = {
                let mut conn = self.store.conn().await?;
                sessions::by_token(&mut conn, &token_hash(token)).await?
            };
            if let Some(s) = found.filter(|s| s.channel_id == visitor.channel.id) {
                visitor.token = token.to_owned();
                visitor.session_id = Some(s.id);
                visitor.label = Some(rules::visitor_label(s.id, s.visitor_name.as_deref()));
                let welcome = Welcome {
                    status: WelcomeStatus::of(&s.status),
                    session: Some(s.id),
                    agent_name: s.agent_name,
                };
                return Ok((visitor, welcome));
            }
        }
        visitor.token = random_hex(TOKEN_BYTES);
        let status = if self.chat_anyone_online(&visitor.channel).await? {
            WelcomeStatus::Waiting
        } else {
            WelcomeStatus::Offline
        };
        Ok((
            visitor,
            Welcome {
                status,
                session: None,
                agent_name: None,
            },
        ))
    }

    /// A message from the visitor, numbered `cseq` by the widget. Checked against the
    /// channel's length limit (too long: refused, nothing stored); the first opens the
    /// chat; one stored before is acknowledged with its number again.
    pub async fn chat_visitor_message(
        &self,
        v: &mut VisitorChat,
        cseq: i64,
        text: &str,
    ) -> Result<VisitorAck> {
        let body = rules::check_message(text, v.channel.max_message_chars)?;
        match v.session_id {
            None => self.open_chat(v, cseq, &body).await,
            Some(id) => self.add_visitor_line(v, id, cseq, &body).await,
        }
    }

    async fn open_chat(&self, v: &mut VisitorChat, cseq: i64, body: &str) -> Result<VisitorAck> {
        let now = self.now();
        let hash = token_hash(&v.token);
        let mut tx = self.store.begin().await?;
        let id = sessions::insert(
            &mut tx,
            &NewSession {
                channel_id: v.channel.id,
                token_hash: &hash,
                group_id: v.channel.group_id,
                visitor_name: v.name.as_deref(),
                visitor_phone: v.phone.as_deref(),
                visitor_email: v.email.as_deref(),
                origin: v.origin.as_deref(),
                page_url: v.page_url.as_deref(),
                now,
            },
        )
        .await?;
        let label = rules::visitor_label(id, v.name.as_deref());
        let seq = sessions::next_seq(&mut tx, id, now).await?;
        messages::insert(
            &mut tx,
            &NewChatMessage {
                session_id: id,
                seq,
                author: ChatAuthor::Visitor.key(),
                author_user_id: None,
                author_name: &label,
                body,
                cseq: Some(cseq),
                at: now,
            },
        )
        .await?;
        changelog::record(
            &mut tx,
            SESSION_ENTITY,
            id,
            changelog::Operation::Create,
            None,
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        v.session_id = Some(id);
        v.label = Some(label);
        Ok(VisitorAck {
            seq,
            duplicate: false,
            opened: true,
        })
    }

    async fn add_visitor_line(
        &self,
        v: &mut VisitorChat,
        id: i64,
        cseq: i64,
        body: &str,
    ) -> Result<VisitorAck> {
        let now = self.now();
        let label = v
            .label
            .clone()
            .unwrap_or_else(|| rules::visitor_label(id, v.name.as_deref()));
        let mut tx = self.store.begin().await?;
        // The chat's row first: a resend racing its original waits here, then finds it.
        let status = sessions::lock(&mut tx, id).await?;
        if let Some(m) = messages::by_cseq(&mut tx, id, cseq).await? {
            return Ok(VisitorAck {
                seq: m.seq,
                duplicate: true,
                opened: false,
            });
        }
        if status == ChatStatus::Ended.key() {
            return Err(ChatError::Ended.into());
        }
        let seq = sessions::next_seq(&mut tx, id, now).await?;
        let written = messages::insert(
            &mut tx,
            &NewChatMessage {
                session_id: id,
                seq,
                author: ChatAuthor::Visitor.key(),
                author_user_id: None,
                author_name: &label,
                body,
                cseq: Some(cseq),
                at: now,
            },
        )
        .await;
        match written {
            Ok(_) => {}
            Err(StoreError::Conflict(_)) => {
                drop(tx);
                let mut conn = self.store.conn().await?;
                let m = messages::by_cseq(&mut conn, id, cseq)
                    .await?
                    .ok_or_else(|| AppError::Internal("a chat line's claim vanished".into()))?;
                return Ok(VisitorAck {
                    seq: m.seq,
                    duplicate: true,
                    opened: false,
                });
            }
            Err(e) => return Err(e.into()),
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(VisitorAck {
            seq,
            duplicate: false,
            opened: false,
        })
    }

    /// The visitor ends their chat: the ticket it became (none without a chat, or when it
    /// could not be written now — the sweep makes it later).
    pub async fn chat_visitor_end(&self, v: &VisitorChat) -> Result<Option<i64>> {
        let Some(id) = v.session_id else {
            return Ok(None);
        };
        self.end_chat_as(id, EndedBy::Visitor, None).await
    }

    /// The lines of chat `session` numbered after `after_seq`, in order (for the socket
    /// that holds the chat's token: it catches up after a reconnect or a gap).
    pub async fn chat_lines_after(&self, session: i64, after_seq: i64) -> Result<Vec<ChatMessage>> {
        let mut conn = self.store.conn().await?;
        Ok(messages::after(&mut conn, session, after_seq, READ_BATCH).await?)
    }

    /// Chat `session` as it is now (for its socket), the visitor's contact masked.
    pub async fn chat_session_now(&self, session: i64) -> Result<ChatSession> {
        let mut conn = self.store.conn().await?;
        Ok(mask_session(sessions::session(&mut conn, session).await?))
    }
}
