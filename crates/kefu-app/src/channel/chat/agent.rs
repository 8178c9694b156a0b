//! 客服工作台 — the agent's side of chats, for the console and the API alike: 在线/离开, the
//! waiting queue (chats of no group or of the agent's groups) and the agent's own chats;
//! accept (refused past the agent's limit), answer, transfer to another agent on shift or
//! to a group (a line in the transcript says so), link the archive's customer, use a reply
//! script, end.

use jiff::{SignedDuration, Timestamp};
use kefu_domain::channel::chat::{
    AGENT_SEEN_MINUTES, ChatAuthor, ChatError, ChatStatus, DEFAULT_CHAT_LIMIT, EndedBy,
    check_message, visitor_label,
};
use kefu_domain::kb::{self, ScriptStatus, ScriptValues};
use kefu_domain::{Locale, Permission};
use kefu_store::chat::messages::{self, NewChatMessage};
use kefu_store::chat::{self as store, agents, sessions};
use kefu_store::ticket::setup as store_setup;
use kefu_store::{AnyConnection, StoreError, changelog};
use serde_json::json;

use super::{
    ChatAgent, ChatMessage, ChatSession, FeedItem, LIST_LIMIT, SESSION_ENTITY, mask_session,
};
use crate::notify;
use crate::{Actor, ActorKind, App, AppError, Result};

/// The agent's availability as their console shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgentState {
    /// 在线 (takes chats) or 离开.
    pub online: bool,
    /// How many chats they take at once.
    pub chat_limit: i64,
    /// How many they answer now.
    pub active_chats: i64,
}

/// Where a chat is transferred to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferTo {
    /// Another agent on shift, with room: the chat stays active, theirs.
    Agent(i64),
    /// A group: the chat waits again, in that group's queue.
    Group(i64),
}

/// A chat in a list, with its last line.
#[derive(Debug, Clone)]
pub struct SessionSummary {
    pub session: ChatSession,
    pub last: Option<ChatMessage>,
}

/// A chat with its transcript, as one agent may act on it.
#[derive(Debug, Clone)]
pub struct SessionDetail {
    pub session: ChatSession,
    pub messages: Vec<ChatMessage>,
    /// The chat is active and the reader answers it.
    pub mine: bool,
    /// The chat waits in a queue the reader sees.
    pub can_accept: bool,
}

/// The signed-in agent: their id and the name their lines carry.
fn agent_of(actor: &Actor) -> Result<(i64, String)> {
    actor.require(Permission::TicketWork)?;
    match &actor.kind {
        ActorKind::User(u) => Ok((u.id, u.display_name.clone())),
        _ => Err(AppError::Forbidden),
    }
}

/// Whether a chat of `group` is in the queue of an agent of `groups`.
fn in_queue_of(group: Option<i64>, groups: &[i64]) -> bool {
    group.is_none_or(|g| groups.contains(&g))
}

impl App {
    /// The earliest "last heard from" that still counts as on shift.
    fn seen_since(&self, now: Timestamp) -> Timestamp {
        now - SignedDuration::from_mins(AGENT_SEEN_MINUTES)
    }

    /// Writes one of kefu's own lines in chat `session` (in the reader's language of the
    /// department: 中文), in the caller's transaction.
    pub(super) async fn system_line(
        &self,
        conn: &mut AnyConnection,
        session: i64,
        key: &str,
        args: &[(&str, &str)],
        now: Timestamp,
    ) -> Result<i64> {
        let text = self.text(Locale::ZhCn, key, args);
        let seq = sessions::next_seq(&mut *conn, session, now).await?;
        messages::insert(
            &mut *conn,
            &NewChatMessage {
                session_id: session,
                seq,
                author: ChatAuthor::System.key(),
                author_user_id: None,
                author_name: crate::SYSTEM_ACTOR_NAME,
                body: &text,
                cseq: None,
                at: now,
            },
        )
        .await?;
        Ok(seq)
    }

    /// The reader's availability; asking counts as being there.
    pub async fn chat_agent_state(&self, actor: &Actor) -> Result<AgentState> {
        let (me, _) = agent_of(actor)?;
        let now = self.now();
        let mut conn = self.store.conn().await?;
        agents::touch(&mut conn, me, now).await?;
        Ok(match agents::agent(&mut conn, me).await? {
            Some(a) => AgentState {
                online: a.online,
                chat_limit: a.chat_limit,
                active_chats: a.active_chats,
            },
            None => AgentState {
                online: false,
                chat_limit: DEFAULT_CHAT_LIMIT,
                active_chats: sessions::count_active_of(&mut conn, me).await?,
            },
        })
    }

    /// 在线 / 离开: whether the reader takes chats now.
    pub async fn set_chat_online(&self, actor: &Actor, online: bool) -> Result<()> {
        let (me, _) = agent_of(actor)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        agents::set_online(&mut tx, me, online, DEFAULT_CHAT_LIMIT, now).await?;
        changelog::record(
            &mut tx,
            "chat_agent",
            me,
            changelog::Operation::Update,
            Some(me),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// Kefu heard from agent `user_id` (their console's stream is open).
    pub async fn touch_chat_agent(&self, user_id: i64) -> Result<()> {
        let mut conn = self.store.conn().await?;
        Ok(agents::touch(&mut conn, user_id, self.now()).await?)
    }

    /// The agents on shift now, by name (whom a chat may be transferred to).
    pub async fn chat_online_agents(&self, actor: &Actor) -> Result<Vec<ChatAgent>> {
        agent_of(actor)?;
        let since = self.seen_since(self.now());
        let mut conn = self.store.conn().await?;
        Ok(agents::online(&mut conn, since).await?)
    }

    async fn summaries(
        &self,
        conn: &mut AnyConnection,
        list: Vec<ChatSession>,
    ) -> Result<Vec<SessionSummary>> {
        let ids: Vec<i64> = list.iter().map(|s| s.id).collect();
        let mut last = messages::latest_of(&mut *conn, &ids).await?;
        Ok(list
            .into_iter()
            .map(|s| {
                let found = last.iter().position(|(id, _)| *id == s.id);
                SessionSummary {
                    last: found.map(|i| last.swap_remove(i).1),
                    session: mask_session(s),
                }
            })
            .collect())
    }

    /// 排队 — the chats waiting in the reader's queue (of no group, or of their groups),
    /// the longest waiting first.
    pub async fn chat_queue(&self, actor: &Actor) -> Result<Vec<SessionSummary>> {
        let (me, _) = agent_of(actor)?;
        let mut conn = self.store.conn().await?;
        let groups = store_setup::group_ids_of(&mut conn, me).await?;
        let list = sessions::waiting(&mut conn, &groups, LIST_LIMIT).await?;
        self.summaries(&mut conn, list).await
    }

    /// How many chats wait in the reader's queue, up to `cap`.
    pub async fn count_chat_queue(&self, actor: &Actor, cap: i64) -> Result<i64> {
        let (me, _) = agent_of(actor)?;
        let mut conn = self.store.conn().await?;
        let groups = store_setup::group_ids_of(&mut conn, me).await?;
        Ok(sessions::count_waiting(&mut conn, &groups, cap).await?)
    }

    /// The chats the reader answers now.
    pub async fn my_chats(&self, actor: &Actor) -> Result<Vec<SessionSummary>> {
        let (me, _) = agent_of(actor)?;
        let mut conn = self.store.conn().await?;
        let list = sessions::active_of(&mut conn, me).await?;
        self.summaries(&mut conn, list).await
    }

    /// A chat with its transcript.
    pub async fn chat_session(&self, actor: &Actor, id: i64) -> Result<SessionDetail> {
        let (me, _) = agent_of(actor)?;
        let mut conn = self.store.conn().await?;
        let s = sessions::session(&mut conn, id).await?;
        let mut lines = Vec::new();
        loop {
            let after = lines.last().map_or(0, |m: &ChatMessage| m.seq);
            let batch = messages::after(&mut conn, id, after, super::visitor::READ_BATCH).await?;
            let done = (batch.len() as i64) < super::visitor::READ_BATCH;
            lines.extend(batch);
            if done {
                break;
            }
        }
        let groups = store_setup::group_ids_of(&mut conn, me).await?;
        let mine = s.status == ChatStatus::Active.key() && s.agent_user_id == Some(me);
        let can_accept = s.status == ChatStatus::Waiting.key() && in_queue_of(s.group_id, &groups);
        Ok(SessionDetail {
            session: mask_session(s),
            messages: lines,
            mine,
            can_accept,
        })
    }

    /// 接入 — the reader takes a waiting chat of their queue, unless they already answer as
    /// many as their limit; another agent who took it first wins. Accepting switches the
    /// reader to 在线.
    pub async fn accept_chat(&self, actor: &Actor, id: i64) -> Result<()> {
        let (me, name) = agent_of(actor)?;
        let now = self.now();
        let groups = {
            let mut conn = self.store.conn().await?;
            store_setup::group_ids_of(&mut conn, me).await?
        };
        let mut tx = self.store.begin().await?;
        let limit = agents::take(&mut tx, me, DEFAULT_CHAT_LIMIT, now).await?;
        let s = sessions::session(&mut tx, id).await?;
        match s.status.parse::<ChatStatus>() {
            Ok(ChatStatus::Waiting) => {}
            Ok(ChatStatus::Ended) => return Err(ChatError::Ended.into()),
            _ => return Err(ChatError::NotWaiting.into()),
        }
        if !in_queue_of(s.group_id, &groups) {
            return Err(ChatError::NotYours.into());
        }
        if sessions::count_active_of(&mut tx, me).await? >= limit {
            return Err(ChatError::LimitReached { limit }.into());
        }
        if !sessions::accept(&mut tx, id, me, now).await? {
            return Err(ChatError::NotWaiting.into());
        }
        self.system_line(
            &mut tx,
            id,
            "chat.system.accepted",
            &[("agent", name.as_str())],
            now,
        )
        .await?;
        changelog::record(
            &mut tx,
            SESSION_ENTITY,
            id,
            changelog::Operation::Update,
            Some(me),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// The reader's answer in their chat (checked against the channel's length limit).
    pub async fn send_chat(&self, actor: &Actor, id: i64, text: &str) -> Result<ChatMessage> {
        let (me, name) = agent_of(actor)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let status = sessions::lock(&mut tx, id).await?;
        let s = sessions::session(&mut tx, id).await?;
        if status == ChatStatus::Ended.key() {
            return Err(ChatError::Ended.into());
        }
        if status != ChatStatus::Active.key() || s.agent_user_id != Some(me) {
            return Err(ChatError::NotYours.into());
        }
        let channel = store::channel(&mut tx, s.channel_id).await?;
        let body = check_message(text, channel.max_message_chars)?;
        let seq = sessions::next_seq(&mut tx, id, now).await?;
        let message_id = messages::insert(
            &mut tx,
            &NewChatMessage {
                session_id: id,
                seq,
                author: ChatAuthor::Agent.key(),
                author_user_id: Some(me),
                author_name: &name,
                body: &body,
                cseq: None,
                at: now,
            },
        )
        .await?;
        agents::touch(&mut tx, me, now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(ChatMessage {
            id: message_id,
            session_id: id,
            seq,
            author: ChatAuthor::Agent.key().to_owned(),
            author_user_id: Some(me),
            author_name: name,
            body,
            cseq: None,
            created_at: now,
        })
    }

    /// 转接 — the reader hands their chat to another agent on shift with room (it stays
    /// active; they are told) or to a group (it waits in that group's queue). A line in the
    /// transcript says so.
    pub async fn transfer_chat(&self, actor: &Actor, id: i64, to: TransferTo) -> Result<()> {
        let (me, name) = agent_of(actor)?;
        let now = self.now();
        let since = self.seen_since(now);
        let mut tx = self.store.begin().await?;
        let status = sessions::lock(&mut tx, id).await?;
        let s = sessions::session(&mut tx, id).await?;
        if status == ChatStatus::Ended.key() {
            return Err(ChatError::Ended.into());
        }
        if status != ChatStatus::Active.key() || s.agent_user_id != Some(me) {
            return Err(ChatError::NotYours.into());
        }
        match to {
            TransferTo::Agent(target) => {
                if target == me {
                    return Err(ChatError::NoTransferTarget.into());
                }
                let a = agents::agent(&mut tx, target)
                    .await?
                    .filter(|a| a.online && a.last_seen_at >= since)
                    .ok_or(ChatError::AgentUnavailable)?;
                let user = kefu_store::staff::user_by_id(&mut tx, target)
                    .await
                    .map_err(|e| match e {
                        StoreError::NotFound => AppError::from(ChatError::AgentUnavailable),
                        e => e.into(),
                    })?;
                if !user.active
                    || !user.roles.allows(Permission::TicketWork)
                    || a.active_chats >= a.chat_limit
                {
                    return Err(ChatError::AgentUnavailable.into());
                }
                if !sessions::hand_to(&mut tx, id, target).await? {
                    return Err(ChatError::NotYours.into());
                }
                self.system_line(
                    &mut tx,
                    id,
                    "chat.system.transferred_agent",
                    &[("from", name.as_str()), ("to", a.name.as_str())],
                    now,
                )
                .await?;
                let visitor = visitor_label(id, s.visitor_name.as_deref());
                notify::notify(
                    &mut tx,
                    &[target],
                    notify::kind::CHAT_TRANSFERRED,
                    None,
                    &json!({"from": name, "visitor": visitor, "session": id}),
                    now,
                )
                .await?;
            }
            TransferTo::Group(group) => {
                let group_name = store_setup::groups(&mut tx)
                    .await?
                    .into_iter()
                    .find(|g| g.id == group)
                    .map(|g| g.name)
                    .ok_or(AppError::UnknownGroup)?;
                if !sessions::requeue(&mut tx, id, group).await? {
                    return Err(ChatError::NotYours.into());
                }
                self.system_line(
                    &mut tx,
                    id,
                    "chat.system.transferred_group",
                    &[("from", name.as_str()), ("group", group_name.as_str())],
                    now,
                )
                .await?;
            }
        }
        changelog::record(
            &mut tx,
            SESSION_ENTITY,
            id,
            changelog::Operation::Update,
            Some(me),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// 结束 — the reader ends their chat (or a waiting one of their queue: a visitor who
    /// only left a line), and it becomes a ticket: the ticket's id. A chat ended before is
    /// not ended again; its ticket is given.
    pub async fn end_chat(&self, actor: &Actor, id: i64) -> Result<Option<i64>> {
        let (me, _) = agent_of(actor)?;
        let groups = {
            let mut conn = self.store.conn().await?;
            store_setup::group_ids_of(&mut conn, me).await?
        };
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let status = sessions::lock(&mut tx, id).await?;
        let s = sessions::session(&mut tx, id).await?;
        if status != ChatStatus::Ended.key() {
            let mine = status == ChatStatus::Active.key() && s.agent_user_id == Some(me);
            let queued = status == ChatStatus::Waiting.key() && in_queue_of(s.group_id, &groups);
            if !mine && !queued {
                return Err(ChatError::NotYours.into());
            }
            self.end_in(&mut tx, id, EndedBy::Agent, Some(me), now)
                .await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        self.chat_ticket_after_end(id).await
    }

    /// Links the chat to customer `customer_id` of the archive (chosen by the agent with the
    /// customer lookup); the ticket the chat becomes is theirs.
    pub async fn link_chat_customer(&self, actor: &Actor, id: i64, customer_id: i64) -> Result<()> {
        let (me, _) = agent_of(actor)?;
        actor.require(Permission::CustomerView)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        sessions::session(&mut tx, id).await?;
        match kefu_store::customer::by_id(&mut tx, customer_id).await {
            Ok(_) => {}
            Err(StoreError::NotFound) => return Err(AppError::UnknownArchiveCustomer),
            Err(e) => return Err(e.into()),
        }
        sessions::set_customer(&mut tx, id, customer_id).await?;
        changelog::record(
            &mut tx,
            SESSION_ENTITY,
            id,
            changelog::Operation::Update,
            Some(me),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// Reply script `script_id` filled in for chat `id` (the customer's or visitor's name,
    /// the agent's, the ticket's number once there is one); macro actions are for tickets
    /// and do nothing here.
    pub async fn chat_script(&self, actor: &Actor, id: i64, script_id: i64) -> Result<String> {
        let (_, name) = agent_of(actor)?;
        let mut conn = self.store.conn().await?;
        let script = kefu_store::kb::by_id(&mut conn, script_id).await?;
        if script.status != ScriptStatus::Approved.key() {
            return Err(AppError::NotFound);
        }
        let s = sessions::session(&mut conn, id).await?;
        let values = ScriptValues {
            customer_name: s
                .customer_name
                .clone()
                .or(s.visitor_name.clone())
                .unwrap_or_default(),
            ticket_number: s.ticket_number.clone().unwrap_or_default(),
            agent_name: name,
            due_date: String::new(),
        };
        kefu_store::kb::count_use(&mut conn, script_id).await?;
        Ok(kb::render(&script.body, &values))
    }

    /// Where a reader of the chat feed starts: the newest line.
    pub async fn chat_feed_head(&self) -> Result<i64> {
        let mut conn = self.store.conn().await?;
        Ok(messages::head(&mut conn).await?)
    }

    /// The chat lines written after line `after_id`, each with its chat as it is now: what
    /// every instance pushes to the sockets and consoles it serves.
    pub async fn chat_feed(&self, after_id: i64, limit: i64) -> Result<Vec<FeedItem>> {
        let mut conn = self.store.conn().await?;
        Ok(messages::feed(&mut conn, after_id, limit).await?)
    }
}
