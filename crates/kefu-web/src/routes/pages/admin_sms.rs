//! 短信渠道 — the administrator's SMS gateways, under 设置 → 渠道: the list with what each
//! did lately and the texts that failed in the last day (what the workbench tile opens),
//! adding one (its webhook secret shown on that answer only), and each gateway's page — its
//! settings changed against the version seen (the API key written, never shown), switched
//! off, its secret rotated, a test text sent to a number the administrator types.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use kefu_app::channel::sms::SmsChannelForm;

use super::channel_admin::{
    self, List, Page, SecretPage, TestResult, form_group, group_choices, group_shown, labelled,
    status_shown,
};
use super::render;
use super::tickets::{Choice, field};
use super::versioned::{SettingStale, form_version};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

/// Where a gateway posts customers' texts and delivery reports.
pub fn webhook_path(id: i64) -> String {
    format!("/api/v1/channels/sms/{id}/events")
}

pub struct SmsRow {
    pub id: i64,
    pub name: String,
    pub active: bool,
    pub send_url: String,
    pub sign_name: String,
    pub group: String,
    pub last_received: String,
    pub sent: i64,
    pub failed: i64,
    pub webhook: String,
}

/// A text that failed, as the list shows it (the number masked).
pub struct FailedRow {
    pub at: String,
    pub channel: String,
    pub to: String,
    pub what: String,
    pub reason: String,
    /// (ticket id, its number), for a reply.
    pub ticket: Option<(i64, String)>,
}

#[derive(Template)]
#[template(path = "admin_sms_channels.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    rows: Vec<SmsRow>,
    failed: Vec<FailedRow>,
    groups: Vec<Choice>,
    /// What the create form was filled in with (never the API key), shown again when
    /// refused.
    name: String,
    send_url: String,
    sign_name: String,
    /// A gateway just added: (id, its webhook secret), shown this once.
    new_secret: Option<(i64, String)>,
    error: Option<String>,
}

impl List for ListPage {
    async fn load(
        state: &AppState,
        identity: &Identity,
        submitted: Option<&[(String, String)]>,
    ) -> Result<ListPage, WebError> {
        let t = identity.tr();
        let actor = identity.actor();
        let rows = state
            .app
            .sms_channels(&actor)
            .await?
            .into_iter()
            .map(|v| SmsRow {
                id: v.channel.id,
                webhook: webhook_path(v.channel.id),
                name: v.channel.name,
                active: v.channel.active,
                send_url: v.channel.send_url,
                sign_name: v.channel.sign_name,
                group: v.channel.group_name.unwrap_or_else(|| "—".into()),
                last_received: v
                    .last_received_at
                    .map(local_time)
                    .unwrap_or_else(|| t.t("sms_channels.never").to_owned()),
                sent: v.sent,
                failed: v.failed,
            })
            .collect();
        let failed = state
            .app
            .failed_sms(&actor)
            .await?
            .into_iter()
            .map(|f| FailedRow {
                at: local_time(f.failed_at),
                channel: f.channel_name,
                to: f.recipient,
                what: if f.template == "reply" {
                    t.t("sms_channels.template_reply").to_owned()
                } else {
                    f.template
                },
                reason: f.reason,
                ticket: f.ticket_id.zip(f.ticket_number),
            })
            .collect();
        let pairs = submitted.unwrap_or_default();
        Ok(ListPage {
            t,
            layout: Layout::new(identity, "/admin/channels"),
            rows,
            failed,
            groups: group_choices(state, identity, field(pairs, "group")).await?,
            name: field(pairs, "name").to_owned(),
            send_url: field(pairs, "send_url").to_owned(),
            sign_name: field(pairs, "sign_name").to_owned(),
            new_secret: None,
            error: None,
        })
    }

    fn error(&mut self) -> &mut Option<String> {
        &mut self.error
    }
}

pub async fn list(State(state): State<AppState>, identity: Identity) -> Result<Response, WebError> {
    super::ok(&ListPage::load(&state, &identity, None).await?)
}

/// Adds a gateway; the answer shows its secret, which no page shows again.
pub async fn create(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = SmsChannelForm {
        name: field(&pairs, "name").to_owned(),
        send_url: field(&pairs, "send_url").to_owned(),
        sign_name: field(&pairs, "sign_name").to_owned(),
        group_id: form_group(&pairs)?,
        active: true,
        api_key: Some(field(&pairs, "api_key").to_owned()),
    };
    let created = state.app.create_sms_channel(&identity.actor(), &form).await;
    channel_admin::created(
        &state,
        &identity,
        &pairs,
        created,
        |page: &mut ListPage, c| {
            page.new_secret = Some((c.channel_id, c.secret));
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "admin_sms_channel.html")]
struct ChannelPage {
    t: Tr,
    layout: Layout,
    id: i64,
    name: String,
    send_url: String,
    sign_name: String,
    groups: Vec<Choice>,
    active: bool,
    /// An API key is stored (the field stays empty either way).
    api_key_set: bool,
    /// The gateway's version the forms were rendered with.
    version: String,
    webhook: String,
    /// A secret just made by rotating, shown this once.
    new_secret: Option<String>,
    error: Option<String>,
    stale: Option<SettingStale>,
    test_result: Option<TestResult>,
}

impl Page for ChannelPage {
    async fn load(
        state: &AppState,
        identity: &Identity,
        id: i64,
        submitted: Option<&[(String, String)]>,
        error: Option<String>,
    ) -> Result<ChannelPage, WebError> {
        let c = state.app.sms_channel(&identity.actor(), id).await?;
        let (name, send_url, sign_name, group, version) = match submitted {
            Some(p) => (
                field(p, "name").to_owned(),
                field(p, "send_url").to_owned(),
                field(p, "sign_name").to_owned(),
                field(p, "group").to_owned(),
                field(p, "version").to_owned(),
            ),
            None => (
                c.name.clone(),
                c.send_url.clone(),
                c.sign_name.clone(),
                c.group_id.map(|g| g.to_string()).unwrap_or_default(),
                c.version.to_string(),
            ),
        };
        Ok(ChannelPage {
            t: identity.tr(),
            layout: Layout::new(identity, "/admin/channels"),
            id,
            name,
            send_url,
            sign_name,
            groups: group_choices(state, identity, &group).await?,
            active: c.active,
            api_key_set: c.has_api_key,
            version,
            webhook: webhook_path(id),
            new_secret: None,
            error,
            stale: None,
            test_result: None,
        })
    }

    fn shown(&self) -> Vec<(String, String)> {
        let t = self.t;
        vec![
            labelled(t, "channels.name", &self.name),
            labelled(t, "sms_channels.send_url", &self.send_url),
            labelled(t, "sms_channels.sign_name", &self.sign_name),
            group_shown(t, "sms_channels.group", &self.groups),
            status_shown(t, self.active),
        ]
    }

    fn stale(&mut self) -> &mut Option<SettingStale> {
        &mut self.stale
    }
}

impl SecretPage for ChannelPage {
    fn new_secret(&mut self) -> &mut Option<String> {
        &mut self.new_secret
    }
}

pub async fn edit(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    channel_admin::show::<ChannelPage>(&state, &identity, id).await
}

/// The form's API key: empty keeps the stored one, unless `api_key_clear` is ticked.
fn form_api_key(pairs: &[(String, String)]) -> Option<String> {
    let typed = field(pairs, "api_key");
    if !typed.trim().is_empty() {
        Some(typed.to_owned())
    } else if field(pairs, "api_key_clear") == "1" {
        Some(String::new())
    } else {
        None
    }
}

pub async fn update(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let actor = identity.actor();
    let current = state.app.sms_channel(&actor, id).await?;
    let form = SmsChannelForm {
        name: field(&pairs, "name").to_owned(),
        send_url: field(&pairs, "send_url").to_owned(),
        sign_name: field(&pairs, "sign_name").to_owned(),
        group_id: form_group(&pairs)?,
        active: current.active,
        api_key: form_api_key(&pairs),
    };
    let saved = state
        .app
        .save_sms_channel(&actor, id, &form, form_version(&pairs))
        .await;
    let to = format!("/admin/channels/sms/{id}");
    channel_admin::answer::<ChannelPage>(&state, &identity, id, &pairs, saved, &to).await
}

/// Switches the gateway off (`active=0`) or on (`active=1`).
pub async fn set_active(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let active = channel_admin::form_active(&pairs);
    let done = state
        .app
        .set_sms_channel_active(&identity.actor(), id, active, form_version(&pairs))
        .await;
    let to = "/admin/channels/sms";
    channel_admin::answer::<ChannelPage>(&state, &identity, id, &pairs, done, to).await
}

/// A new secret for the gateway, shown on this answer only.
pub async fn rotate(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let rotated = state
        .app
        .rotate_sms_secret(&identity.actor(), id, form_version(&pairs))
        .await;
    channel_admin::rotated::<ChannelPage>(&state, &identity, id, &pairs, rotated).await
}

/// Sends a test text to the number typed (`to`) and shows the gateway's answer — a
/// refusal (`HTTP 400: …`) included, in a translated frame. The number is not shown again.
pub async fn test_sms(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let sent = state
        .app
        .send_test_sms(&identity.actor(), id, field(&pairs, "to"))
        .await;
    let mut page = ChannelPage::load(&state, &identity, id, None, None).await?;
    let keys = ("sms_channels.test_ok", "sms_channels.test_failed");
    let (status, frame) =
        channel_admin::test_frame(t, sent, |a| TestResult::answer(t, a.ok, &a.answer, keys));
    page.test_result = Some(frame);
    render(status, &page)
}
