//! 电话渠道 — the administrator's telephone systems, on the channels page beside the
//! mailboxes: adding one (its webhook secret shown on that answer only), and each system's
//! page — its settings changed against the version seen, switched off, its secret rotated,
//! and its extensions mapped to the agents they ring at.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::channel::phone::PhoneChannelForm;
use kefu_domain::Permission;

use super::admin_channels::list_with_phone;
use super::channel_admin::{
    self, Page, SecretPage, form_group, group_choices, group_shown, labelled, status_shown,
};
use super::render;
use super::tickets::{Choice, field};
use super::versioned::{SettingStale, form_version};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

/// Where a telephone system posts its call events.
pub fn webhook_path(id: i64) -> String {
    format!("/api/v1/channels/phone/{id}/events")
}

pub struct PhoneRow {
    pub id: i64,
    pub name: String,
    pub active: bool,
    pub group: String,
    pub area_code: String,
    pub last_call: String,
    pub calls: i64,
    pub extensions: i64,
    pub webhook: String,
}

/// The telephone part of the channels page.
pub struct PhoneSection {
    pub rows: Vec<PhoneRow>,
    pub groups: Vec<Choice>,
    /// What the create form was filled in with, shown again when refused.
    pub name: String,
    pub area_code: String,
    /// A system just added: (id, its webhook secret), shown this once.
    pub new_secret: Option<(i64, String)>,
    pub error: Option<String>,
}

/// The telephone part of the channels page, with the create form as sent (if it was).
pub(super) async fn section(
    state: &AppState,
    identity: &Identity,
    submitted: Option<&[(String, String)]>,
) -> Result<PhoneSection, WebError> {
    let t = identity.tr();
    let rows = state
        .app
        .phone_channels(&identity.actor())
        .await?
        .into_iter()
        .map(|v| PhoneRow {
            id: v.channel.id,
            webhook: webhook_path(v.channel.id),
            name: v.channel.name,
            active: v.channel.active,
            group: v.channel.group_name.unwrap_or_else(|| "—".into()),
            area_code: v.channel.area_code.unwrap_or_else(|| "—".into()),
            last_call: v
                .last_call_at
                .map(local_time)
                .unwrap_or_else(|| t.t("phone_channels.never").to_owned()),
            calls: v.calls,
            extensions: v.extensions,
        })
        .collect();
    let pairs = submitted.unwrap_or_default();
    Ok(PhoneSection {
        rows,
        groups: group_choices(state, identity, field(pairs, "group")).await?,
        name: field(pairs, "name").to_owned(),
        area_code: field(pairs, "area_code").to_owned(),
        new_secret: None,
        error: None,
    })
}

/// Adds a telephone system; the answer shows its secret, which no page shows again.
pub async fn create(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = PhoneChannelForm {
        name: field(&pairs, "name").to_owned(),
        group_id: form_group(&pairs)?,
        area_code: field(&pairs, "area_code").to_owned(),
        active: true,
    };
    match state
        .app
        .create_phone_channel(&identity.actor(), &form)
        .await
    {
        Ok(created) => {
            let mut phone = section(&state, &identity, None).await?;
            phone.new_secret = Some((created.channel_id, created.secret));
            list_with_phone(&state, &identity, phone, StatusCode::CREATED).await
        }
        Err(e) => {
            let (status, message) = super::refusal(e, identity.tr());
            let mut phone = section(&state, &identity, Some(&pairs)).await?;
            phone.error = Some(message);
            list_with_phone(&state, &identity, phone, status).await
        }
    }
}

/// An extension on the system's page.
pub struct ExtensionRow {
    pub extension: String,
    pub user: String,
}

#[derive(Template)]
#[template(path = "admin_phone_channel.html")]
struct PhoneChannelPage {
    t: Tr,
    layout: Layout,
    id: i64,
    name: String,
    area_code: String,
    groups: Vec<Choice>,
    active: bool,
    /// The system's version the forms were rendered with.
    version: String,
    webhook: String,
    extensions: Vec<ExtensionRow>,
    /// The staff who may answer calls, for the extension form.
    agents: Vec<Choice>,
    /// A secret just made by rotating, shown this once.
    new_secret: Option<String>,
    error: Option<String>,
    stale: Option<SettingStale>,
}

impl Page for PhoneChannelPage {
    async fn load(
        state: &AppState,
        identity: &Identity,
        id: i64,
        submitted: Option<&[(String, String)]>,
        error: Option<String>,
    ) -> Result<PhoneChannelPage, WebError> {
        let actor = identity.actor();
        let c = state.app.phone_channel(&actor, id).await?;
        let (name, area_code, group, version) = match submitted {
            Some(p) => (
                field(p, "name").to_owned(),
                field(p, "area_code").to_owned(),
                field(p, "group").to_owned(),
                field(p, "version").to_owned(),
            ),
            None => (
                c.name.clone(),
                c.area_code.clone().unwrap_or_default(),
                c.group_id.map(|g| g.to_string()).unwrap_or_default(),
                c.version.to_string(),
            ),
        };
        let extensions = state
            .app
            .phone_extensions(&actor, id)
            .await?
            .into_iter()
            .map(|e| ExtensionRow {
                extension: e.extension,
                user: e.user_name,
            })
            .collect();
        let agents = state
            .app
            .list_users(&actor)
            .await?
            .into_iter()
            .filter(|u| u.active && u.roles.allows(Permission::TicketWork))
            .map(|u| Choice {
                value: u.id.to_string(),
                label: u.display_name,
                selected: false,
            })
            .collect();
        Ok(PhoneChannelPage {
            t: identity.tr(),
            layout: Layout::new(identity, "/admin/channels"),
            id,
            name,
            area_code,
            groups: group_choices(state, identity, &group).await?,
            active: c.active,
            version,
            webhook: webhook_path(id),
            extensions,
            agents,
            new_secret: None,
            error,
            stale: None,
        })
    }

    fn shown(&self) -> Vec<(String, String)> {
        let t = self.t;
        vec![
            labelled(t, "channels.name", &self.name),
            group_shown(t, "phone_channels.group", &self.groups),
            labelled(t, "phone_channels.area_code", &self.area_code),
            status_shown(t, self.active),
        ]
    }

    fn stale(&mut self) -> &mut Option<SettingStale> {
        &mut self.stale
    }
}

impl SecretPage for PhoneChannelPage {
    fn new_secret(&mut self) -> &mut Option<String> {
        &mut self.new_secret
    }
}

pub async fn edit(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    channel_admin::show::<PhoneChannelPage>(&state, &identity, id).await
}

pub async fn update(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let actor = identity.actor();
    let current = state.app.phone_channel(&actor, id).await?;
    let form = PhoneChannelForm {
        name: field(&pairs, "name").to_owned(),
        group_id: form_group(&pairs)?,
        area_code: field(&pairs, "area_code").to_owned(),
        active: current.active,
    };
    let saved = state
        .app
        .save_phone_channel(&actor, id, &form, form_version(&pairs))
        .await;
    let to = format!("/admin/channels/phone/{id}");
    channel_admin::answer::<PhoneChannelPage>(&state, &identity, id, &pairs, saved, &to).await
}

/// Switches the system off (`active=0`) or on (`active=1`).
pub async fn set_active(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let active = channel_admin::form_active(&pairs);
    let done = state
        .app
        .set_phone_channel_active(&identity.actor(), id, active, form_version(&pairs))
        .await;
    let to = "/admin/channels";
    channel_admin::answer::<PhoneChannelPage>(&state, &identity, id, &pairs, done, to).await
}

/// A new secret for the system, shown on this answer only.
pub async fn rotate(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let rotated = state
        .app
        .rotate_phone_secret(&identity.actor(), id, form_version(&pairs))
        .await;
    channel_admin::rotated::<PhoneChannelPage>(&state, &identity, id, &pairs, rotated).await
}

/// Maps an extension to an agent (`extension`, `user`).
pub async fn map_extension(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let user: i64 = field(&pairs, "user").parse().map_err(|_| {
        WebError::bad_request(
            "invalid_field",
            format!("user: {:?}", field(&pairs, "user")),
        )
    })?;
    match state
        .app
        .map_extension(
            &identity.actor(),
            id,
            field(&pairs, "extension"),
            user,
            form_version(&pairs),
        )
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/admin/channels/phone/{id}")).into_response()),
        Err(e) => extension_refused(&state, &identity, id, e).await,
    }
}

/// The system's page again after an extension form was refused, with why (another
/// administrator's change in between included: the page shows what is stored now).
async fn extension_refused(
    state: &AppState,
    identity: &Identity,
    id: i64,
    e: kefu_app::AppError,
) -> Result<Response, WebError> {
    let (status, message) = super::refusal(e, identity.tr());
    render(
        status,
        &PhoneChannelPage::load(state, identity, id, None, Some(message)).await?,
    )
}

/// The extension `extension` rings at nobody any more.
pub async fn unmap_extension(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    match state
        .app
        .unmap_extension(
            &identity.actor(),
            id,
            field(&pairs, "extension"),
            form_version(&pairs),
        )
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/admin/channels/phone/{id}")).into_response()),
        Err(e) => extension_refused(&state, &identity, id, e).await,
    }
}
