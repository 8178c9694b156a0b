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

use super::admin_channels::{group_choices, list_with_phone};
use super::render;
use super::tickets::{Choice, field, non_empty};
use super::versioned::{SettingStale, at_version, form_version, picked, stale_version};
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

/// The form's group: empty for none.
fn form_group(pairs: &[(String, String)]) -> Result<Option<i64>, WebError> {
    non_empty(field(pairs, "group"))
        .map(|g| {
            g.parse::<i64>()
                .map_err(|_| WebError::bad_request("invalid_field", format!("group: {g:?}")))
        })
        .transpose()
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

impl PhoneChannelPage {
    /// The form's fields as it shows them, labelled, for the stale-form notice.
    fn shown(&self) -> Vec<(String, String)> {
        let t = self.t;
        vec![
            (t.t("channels.name").to_owned(), self.name.clone()),
            (
                t.t("phone_channels.group").to_owned(),
                picked(&self.groups).unwrap_or_default(),
            ),
            (
                t.t("phone_channels.area_code").to_owned(),
                self.area_code.clone(),
            ),
            (
                t.t("common.status").to_owned(),
                t.t(if self.active {
                    "channels.active"
                } else {
                    "channels.inactive"
                })
                .to_owned(),
            ),
        ]
    }
}

async fn channel_page(
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

pub async fn edit(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    super::ok(&channel_page(&state, &identity, id, None, None).await?)
}

/// The system's page again after a refusal: 409 with what is stored now named above it
/// when another administrator changed the system meanwhile, else the refusal's message.
async fn refused(
    state: &AppState,
    identity: &Identity,
    id: i64,
    pairs: &[(String, String)],
    e: kefu_app::AppError,
) -> Result<Response, WebError> {
    if let Some(current) = stale_version(&e) {
        let stored = channel_page(state, identity, id, None, None).await?;
        let sent = at_version(pairs, current);
        let mut page = channel_page(state, identity, id, Some(&sent), None).await?;
        page.stale = Some(SettingStale::new(
            identity.tr(),
            current,
            page.shown(),
            stored.shown(),
        ));
        return render(StatusCode::CONFLICT, &page);
    }
    let (status, message) = super::refusal(e, identity.tr());
    render(
        status,
        &channel_page(state, identity, id, Some(pairs), Some(message)).await?,
    )
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
    match state
        .app
        .save_phone_channel(&actor, id, &form, form_version(&pairs))
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/admin/channels/phone/{id}")).into_response()),
        Err(e) => refused(&state, &identity, id, &pairs, e).await,
    }
}

/// Switches the system off (`active=0`) or on (`active=1`).
pub async fn set_active(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let active = field(&pairs, "active") == "1";
    match state
        .app
        .set_phone_channel_active(&identity.actor(), id, active, form_version(&pairs))
        .await
    {
        Ok(()) => Ok(Redirect::to("/admin/channels").into_response()),
        Err(e) => refused(&state, &identity, id, &pairs, e).await,
    }
}

/// A new secret for the system, shown on this answer only.
pub async fn rotate(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    match state
        .app
        .rotate_phone_secret(&identity.actor(), id, form_version(&pairs))
        .await
    {
        Ok(created) => {
            let mut page = channel_page(&state, &identity, id, None, None).await?;
            page.new_secret = Some(created.secret);
            super::ok(&page)
        }
        Err(e) => refused(&state, &identity, id, &pairs, e).await,
    }
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
        &channel_page(state, identity, id, None, Some(message)).await?,
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
