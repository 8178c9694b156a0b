//! 在线客服渠道设置 — an administrator's chat channels: add one, change it against the version
//! they saw (the web sites allowed to embed it, the group that answers, the longest message,
//! the greeting), switch it off; and how many chats each agent takes at once (接待上限).
//! Every change is audited.

use jiff::Timestamp;
use kefu_domain::Permission;
use kefu_domain::channel::chat::{
    DEFAULT_MAX_MESSAGE_CHARS, check_chat_limit, check_greeting, check_max_chars, parse_origins,
};
use kefu_store::chat::{self as store, ChannelRow, ChatChannel};
use kefu_store::{AnyConnection, StoreError, version::Setting};
use serde_json::json;

use super::{ChatAgent, TARGET};
use crate::audit::{self, Target, action};
use crate::channel::email::admin::{check_name, name_taken};
use crate::{Actor, App, AppError, Result, versions};

/// A chat channel as the administrator fills it in.
#[derive(Debug, Clone)]
pub struct ChatChannelForm {
    pub name: String,
    pub active: bool,
    /// The origins allowed, as typed: one per line (or separated by spaces or commas).
    pub allowed_origins: String,
    pub group_id: Option<i64>,
    /// `None`: the default (2000).
    pub max_message_chars: Option<i64>,
    /// Empty for none.
    pub greeting: String,
}

/// A chat channel with what it had.
#[derive(Debug, Clone)]
pub struct ChatChannelView {
    pub channel: ChatChannel,
    pub last_chat_at: Option<Timestamp>,
    pub chats: i64,
}

/// The tag a web site pastes to show the channel's widget: kefu's public address, the
/// widget script, the channel.
pub fn snippet(public_url: &str, channel_id: i64) -> String {
    format!(
        "<script src=\"{}/chat/widget.js\" data-kefu-chat=\"{channel_id}\" async></script>",
        public_url.trim_end_matches('/')
    )
}

/// A form's values as they are stored, or the first refusal.
struct Checked {
    name: String,
    origins: Vec<String>,
    max_chars: i64,
    greeting: Option<String>,
}

fn check(form: &ChatChannelForm) -> Result<Checked> {
    Ok(Checked {
        name: check_name(&form.name)?,
        origins: parse_origins(&form.allowed_origins)?,
        max_chars: check_max_chars(form.max_message_chars.unwrap_or(DEFAULT_MAX_MESSAGE_CHARS))?,
        greeting: check_greeting(&form.greeting)?,
    })
}

impl App {
    async fn audit_chat_channel(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        what: &str,
        id: i64,
        detail: Option<serde_json::Value>,
    ) -> Result<()> {
        let id = id.to_string();
        let target = Some(Target {
            kind: TARGET,
            id: &id,
        });
        audit::write(conn, self, actor, what, target, detail).await
    }

    /// The tag that shows channel `id`'s widget, with this kefu's public address.
    pub fn chat_snippet(&self, id: i64) -> String {
        snippet(&self.settings.public_url, id)
    }

    /// Every chat channel with how many chats it had.
    pub async fn chat_channels(&self, actor: &Actor) -> Result<Vec<ChatChannelView>> {
        actor.require(Permission::TicketAdmin)?;
        let mut conn = self.store.conn().await?;
        let activity = store::activity(&mut conn).await?;
        Ok(store::channels(&mut conn)
            .await?
            .into_iter()
            .map(|channel| {
                let a = activity.iter().find(|a| a.channel_id == channel.id);
                ChatChannelView {
                    last_chat_at: a.and_then(|a| a.last_chat_at),
                    chats: a.map_or(0, |a| a.chats),
                    channel,
                }
            })
            .collect())
    }

    pub async fn chat_channel(&self, actor: &Actor, id: i64) -> Result<ChatChannel> {
        actor.require(Permission::TicketAdmin)?;
        let mut conn = self.store.conn().await?;
        Ok(store::channel(&mut conn, id).await?)
    }

    /// Adds a chat channel: its id.
    pub async fn create_chat_channel(&self, actor: &Actor, form: &ChatChannelForm) -> Result<i64> {
        actor.require(Permission::TicketAdmin)?;
        let c = check(form)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        self.check_channel_group(&mut tx, form.group_id).await?;
        let row = ChannelRow {
            name: &c.name,
            active: form.active,
            allowed_origins: &c.origins,
            group_id: form.group_id,
            max_message_chars: c.max_chars,
            greeting: c.greeting.as_deref(),
        };
        let id = store::insert_channel(&mut tx, &row, now)
            .await
            .map_err(name_taken)?;
        self.audit_chat_channel(
            &mut tx,
            actor,
            action::CHANNEL_CREATED,
            id,
            Some(json!({"name": c.name, "kind": "chat", "origins": c.origins})),
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(id)
    }

    /// Changes a chat channel, made against version `expected` of it.
    pub async fn save_chat_channel(
        &self,
        actor: &Actor,
        id: i64,
        form: &ChatChannelForm,
        expected: Option<i64>,
    ) -> Result<()> {
        actor.require(Permission::TicketAdmin)?;
        let c = check(form)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let before = store::channel(&mut tx, id).await?;
        versions::expect_setting(&mut tx, Setting::ChatChannel, id, expected).await?;
        self.check_channel_group(&mut tx, form.group_id).await?;
        let row = ChannelRow {
            name: &c.name,
            active: form.active,
            allowed_origins: &c.origins,
            group_id: form.group_id,
            max_message_chars: c.max_chars,
            greeting: c.greeting.as_deref(),
        };
        store::update_channel(&mut tx, id, &row, now)
            .await
            .map_err(name_taken)?;
        let what = match (before.active, form.active) {
            (true, false) => action::CHANNEL_DEACTIVATED,
            (false, true) => action::CHANNEL_ACTIVATED,
            _ => action::CHANNEL_UPDATED,
        };
        self.audit_chat_channel(
            &mut tx,
            actor,
            what,
            id,
            Some(json!({"name": c.name, "origins": c.origins})),
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// Switches a chat channel off (its widget takes no chats and no messages) or on.
    pub async fn set_chat_channel_active(
        &self,
        actor: &Actor,
        id: i64,
        active: bool,
        expected: Option<i64>,
    ) -> Result<()> {
        let c = self.chat_channel(actor, id).await?;
        let form = ChatChannelForm {
            name: c.name,
            active,
            allowed_origins: c.allowed_origins.join("\n"),
            group_id: c.group_id,
            max_message_chars: Some(c.max_message_chars),
            greeting: c.greeting.unwrap_or_default(),
        };
        self.save_chat_channel(actor, id, &form, expected).await
    }

    /// The agents who ever switched to 在线 (or were given a limit), with their limits.
    pub async fn chat_agents(&self, actor: &Actor) -> Result<Vec<ChatAgent>> {
        actor.require(Permission::TicketAdmin)?;
        let mut conn = self.store.conn().await?;
        Ok(store::agents::agents(&mut conn).await?)
    }

    /// 接待上限 — how many chats agent `user_id` (an active account that works tickets)
    /// takes at once.
    pub async fn set_chat_limit(&self, actor: &Actor, user_id: i64, limit: i64) -> Result<()> {
        actor.require(Permission::TicketAdmin)?;
        let limit = check_chat_limit(limit)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let user = kefu_store::staff::user_by_id(&mut tx, user_id)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => AppError::UnknownAssignee,
                e => e.into(),
            })?;
        if !user.active || !user.roles.allows(Permission::TicketWork) {
            return Err(AppError::UnknownAssignee);
        }
        store::agents::set_limit(&mut tx, user_id, limit, now).await?;
        let id = user_id.to_string();
        audit::write(
            &mut tx,
            self,
            actor,
            action::CHAT_LIMIT_SET,
            Some(Target {
                kind: "user",
                id: &id,
            }),
            Some(json!({"limit": limit})),
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }
}
