//! 在线客服渠道 — the administrator's chat channels (设置 → 渠道 → 在线客服): the list with
//! what each had and the form that adds one, each channel's page with the tag a web site
//! pastes, its settings changed against the version seen, switched off or on; and each
//! agent's chat limit (接待上限).

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::channel::chat::ChatChannelForm;
use kefu_domain::channel::chat::DEFAULT_MAX_MESSAGE_CHARS;

use super::channel_admin::{
    self, Page, form_group, form_number, group_choices, group_shown, labelled,
};
use super::render;
use super::tickets::{Choice, field};
use super::versioned::{SettingStale, form_version};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

pub struct ChatRow {
    pub id: i64,
    pub name: String,
    pub active: bool,
    pub group: String,
    pub origins: String,
    pub chats: i64,
    pub last_chat: String,
}

pub struct AgentRow {
    pub id: i64,
    pub name: String,
    pub online: bool,
    pub active: i64,
    pub limit: i64,
}

#[derive(Template)]
#[template(path = "admin_chat_channels.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    rows: Vec<ChatRow>,
    agents: Vec<AgentRow>,
    groups: Vec<Choice>,
    /// What the create form was filled in with, shown again when refused.
    name: String,
    origins: String,
    max_chars: String,
    greeting: String,
    error: Option<String>,
}

fn form_of(pairs: &[(String, String)], active: bool) -> Result<ChatChannelForm, WebError> {
    Ok(ChatChannelForm {
        name: field(pairs, "name").to_owned(),
        active,
        allowed_origins: field(pairs, "origins").replace("\r\n", "\n"),
        group_id: form_group(pairs)?,
        // Empty for the default.
        max_message_chars: form_number(pairs, "max_chars")?,
        greeting: field(pairs, "greeting").replace("\r\n", "\n"),
    })
}

async fn list_page(
    state: &AppState,
    identity: &Identity,
    submitted: Option<&[(String, String)]>,
    error: Option<String>,
) -> Result<ListPage, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let rows = state
        .app
        .chat_channels(&actor)
        .await?
        .into_iter()
        .map(|v| ChatRow {
            id: v.channel.id,
            name: v.channel.name,
            active: v.channel.active,
            group: v.channel.group_name.unwrap_or_else(|| "—".into()),
            origins: v.channel.allowed_origins.join(" "),
            chats: v.chats,
            last_chat: v
                .last_chat_at
                .map(local_time)
                .unwrap_or_else(|| t.t("chat_channels.never").to_owned()),
        })
        .collect();
    let agents = state
        .app
        .chat_agents(&actor)
        .await?
        .into_iter()
        .map(|a| AgentRow {
            id: a.user_id,
            name: a.name,
            online: a.online,
            active: a.active_chats,
            limit: a.chat_limit,
        })
        .collect();
    let pairs = submitted.unwrap_or_default();
    let max_chars = match field(pairs, "max_chars") {
        "" if submitted.is_none() => DEFAULT_MAX_MESSAGE_CHARS.to_string(),
        v => v.to_owned(),
    };
    Ok(ListPage {
        t,
        layout: Layout::new(identity, "/admin/channels"),
        rows,
        agents,
        groups: group_choices(state, identity, field(pairs, "group")).await?,
        name: field(pairs, "name").to_owned(),
        origins: field(pairs, "origins").to_owned(),
        max_chars,
        greeting: field(pairs, "greeting").to_owned(),
        error,
    })
}

/// `GET /admin/channels/chat`.
pub async fn list(State(state): State<AppState>, identity: Identity) -> Result<Response, WebError> {
    super::ok(&list_page(&state, &identity, None, None).await?)
}

/// `POST /admin/channels/chat`: adds a channel and opens its page, with the tag to paste.
pub async fn create(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let created = match form_of(&pairs, true) {
        Ok(form) => state
            .app
            .create_chat_channel(&identity.actor(), &form)
            .await
            .map_err(WebError::from),
        Err(e) => Err(e),
    };
    match created {
        Ok(id) => Ok(Redirect::to(&format!("/admin/channels/chat/{id}")).into_response()),
        Err(e) => {
            let (status, message) = super::input_refusal(e, identity.tr());
            render(
                status,
                &list_page(&state, &identity, Some(&pairs), Some(message)).await?,
            )
        }
    }
}

/// `POST /admin/channels/chat/limits`: agent `user`'s `limit`.
pub async fn set_limit(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let number = |name: &'static str| {
        field(&pairs, name).trim().parse::<i64>().map_err(|_| {
            WebError::bad_request(
                "invalid_field",
                format!("{name}: {:?}", field(&pairs, name)),
            )
        })
    };
    let done = match (number("user"), number("limit")) {
        (Ok(user), Ok(limit)) => state
            .app
            .set_chat_limit(&identity.actor(), user, limit)
            .await
            .map_err(WebError::from),
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match done {
        Ok(()) => Ok(Redirect::to("/admin/channels/chat").into_response()),
        Err(e) => {
            let (status, message) = super::input_refusal(e, identity.tr());
            render(
                status,
                &list_page(&state, &identity, None, Some(message)).await?,
            )
        }
    }
}

#[derive(Template)]
#[template(path = "admin_chat_channel.html")]
struct ChannelPage {
    t: Tr,
    layout: Layout,
    id: i64,
    name: String,
    active: bool,
    origins: String,
    groups: Vec<Choice>,
    max_chars: String,
    greeting: String,
    /// The channel's version the forms were rendered with.
    version: String,
    /// The tag a web site pastes.
    snippet: String,
    error: Option<String>,
    stale: Option<SettingStale>,
}

impl Page for ChannelPage {
    async fn load(
        state: &AppState,
        identity: &Identity,
        id: i64,
        submitted: Option<&[(String, String)]>,
        error: Option<String>,
    ) -> Result<ChannelPage, WebError> {
        let c = state.app.chat_channel(&identity.actor(), id).await?;
        let (name, origins, group, max_chars, greeting, version) = match submitted {
            Some(p) => (
                field(p, "name").to_owned(),
                field(p, "origins").replace("\r\n", "\n"),
                field(p, "group").to_owned(),
                field(p, "max_chars").to_owned(),
                field(p, "greeting").replace("\r\n", "\n"),
                field(p, "version").to_owned(),
            ),
            None => (
                c.name.clone(),
                c.allowed_origins.join("\n"),
                c.group_id.map(|g| g.to_string()).unwrap_or_default(),
                c.max_message_chars.to_string(),
                c.greeting.clone().unwrap_or_default(),
                c.version.to_string(),
            ),
        };
        Ok(ChannelPage {
            t: identity.tr(),
            layout: Layout::new(identity, "/admin/channels"),
            id,
            name,
            active: c.active,
            origins,
            groups: group_choices(state, identity, &group).await?,
            max_chars,
            greeting,
            version,
            snippet: state.app.chat_snippet(id),
            error,
            stale: None,
        })
    }

    fn shown(&self) -> Vec<(String, String)> {
        let t = self.t;
        vec![
            labelled(t, "channels.name", &self.name),
            labelled(t, "chat_channels.origins", &self.origins),
            group_shown(t, "chat_channels.group", &self.groups),
            labelled(t, "chat_channels.max_chars", &self.max_chars),
            labelled(t, "chat_channels.greeting", &self.greeting),
        ]
    }

    fn stale(&mut self) -> &mut Option<SettingStale> {
        &mut self.stale
    }
}

/// `GET /admin/channels/chat/{id}`.
pub async fn edit(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    channel_admin::show::<ChannelPage>(&state, &identity, id).await
}

/// `POST /admin/channels/chat/{id}`.
pub async fn update(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let actor = identity.actor();
    let current = state.app.chat_channel(&actor, id).await?;
    let saved = match form_of(&pairs, current.active) {
        Ok(form) => state
            .app
            .save_chat_channel(&actor, id, &form, form_version(&pairs))
            .await
            .map_err(WebError::from),
        Err(e) => Err(e),
    };
    let to = format!("/admin/channels/chat/{id}");
    channel_admin::answer::<ChannelPage>(&state, &identity, id, &pairs, saved, &to).await
}

/// `POST /admin/channels/chat/{id}/active`: `active=0` switches it off, `active=1` on.
pub async fn set_active(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let active = channel_admin::form_active(&pairs);
    let done = state
        .app
        .set_chat_channel_active(&identity.actor(), id, active, form_version(&pairs))
        .await;
    let to = format!("/admin/channels/chat/{id}");
    channel_admin::answer::<ChannelPage>(&state, &identity, id, &pairs, done, &to).await
}
