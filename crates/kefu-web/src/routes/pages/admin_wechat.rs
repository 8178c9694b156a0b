//! 微信公众号 — the administrator's official accounts under 设置 → 渠道: the list with the
//! server address to enter in 公众平台 and what each received, adding one (a generated
//! Token shown on that answer only), and each account's page — its settings changed
//! against the version seen (the AppSecret and Token written, never shown: left empty they
//! stay), switched off, and tried with 测试, which fetches an access token and says WeChat's
//! answer.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use kefu_app::channel::wechat::{TokenTest, WechatChannelForm};

use super::channel_admin::{
    self, List, Page, TestResult, form_group, group_choices, group_shown, labelled, status_shown,
};
use super::tickets::{Choice, field};
use super::versioned::{SettingStale, form_version};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

pub struct WechatRow {
    pub id: i64,
    pub name: String,
    pub active: bool,
    pub app_id: String,
    pub group: String,
    pub server_url: String,
    pub last_received: String,
    pub received: i64,
    pub followers: i64,
}

/// An account just added: its server address and the Token kefu generated, if it did.
pub struct Created {
    pub id: i64,
    pub server_url: String,
    pub token: Option<String>,
}

#[derive(Template)]
#[template(path = "admin_wechat_channels.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    rows: Vec<WechatRow>,
    groups: Vec<Choice>,
    /// What the create form was filled in with, shown again when refused (never the
    /// AppSecret or the Token).
    name: String,
    app_id: String,
    api_base: String,
    created: Option<Created>,
    error: Option<String>,
}

impl List for ListPage {
    async fn load(
        state: &AppState,
        identity: &Identity,
        submitted: Option<&[(String, String)]>,
    ) -> Result<ListPage, WebError> {
        let t = identity.tr();
        let rows = state
            .app
            .wechat_channels(&identity.actor())
            .await?
            .into_iter()
            .map(|v| WechatRow {
                id: v.channel.id,
                name: v.channel.name,
                active: v.channel.active,
                app_id: v.channel.app_id,
                group: v.channel.group_name.unwrap_or_else(|| "—".into()),
                server_url: v.server_url,
                last_received: v
                    .last_received_at
                    .map(local_time)
                    .unwrap_or_else(|| t.t("wechat.never").to_owned()),
                received: v.received,
                followers: v.followers,
            })
            .collect();
        let pairs = submitted.unwrap_or_default();
        Ok(ListPage {
            t,
            layout: Layout::new(identity, "/admin/channels"),
            rows,
            groups: group_choices(state, identity, field(pairs, "group")).await?,
            name: field(pairs, "name").to_owned(),
            app_id: field(pairs, "app_id").to_owned(),
            api_base: field(pairs, "api_base").to_owned(),
            created: None,
            error: None,
        })
    }

    fn error(&mut self) -> &mut Option<String> {
        &mut self.error
    }
}

/// The account form as sent; `active` as given.
fn form_of(pairs: &[(String, String)], active: bool) -> Result<WechatChannelForm, WebError> {
    Ok(WechatChannelForm {
        name: field(pairs, "name").to_owned(),
        app_id: field(pairs, "app_id").to_owned(),
        app_secret: field(pairs, "app_secret").to_owned(),
        token: field(pairs, "token").to_owned(),
        api_base: field(pairs, "api_base").to_owned(),
        group_id: form_group(pairs)?,
        active,
    })
}

pub async fn list(State(state): State<AppState>, identity: Identity) -> Result<Response, WebError> {
    super::ok(&ListPage::load(&state, &identity, None).await?)
}

/// Adds an account; the answer shows the Token kefu generated, which no page shows again.
pub async fn create(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = form_of(&pairs, true)?;
    let created = state
        .app
        .create_wechat_channel(&identity.actor(), &form)
        .await;
    channel_admin::created(
        &state,
        &identity,
        &pairs,
        created,
        |page: &mut ListPage, c| {
            page.created = Some(Created {
                id: c.channel_id,
                server_url: state.app.wechat_server_url(c.channel_id),
                token: c.generated_token,
            });
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "admin_wechat_channel.html")]
struct ChannelPage {
    t: Tr,
    layout: Layout,
    id: i64,
    name: String,
    app_id: String,
    api_base: String,
    groups: Vec<Choice>,
    active: bool,
    /// The account's version the forms were rendered with.
    version: String,
    server_url: String,
    /// The test's answer.
    test: Option<TestResult>,
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
        let v = state.app.wechat_channel(&identity.actor(), id).await?;
        let c = &v.channel;
        let (name, app_id, api_base, group, version) = match submitted {
            Some(p) => (
                field(p, "name").to_owned(),
                field(p, "app_id").to_owned(),
                field(p, "api_base").to_owned(),
                field(p, "group").to_owned(),
                field(p, "version").to_owned(),
            ),
            None => (
                c.name.clone(),
                c.app_id.clone(),
                c.api_base.clone(),
                c.group_id.map(|g| g.to_string()).unwrap_or_default(),
                c.version.to_string(),
            ),
        };
        Ok(ChannelPage {
            t: identity.tr(),
            layout: Layout::new(identity, "/admin/channels"),
            id,
            name,
            app_id,
            api_base,
            groups: group_choices(state, identity, &group).await?,
            active: c.active,
            version,
            server_url: v.server_url.clone(),
            test: None,
            error,
            stale: None,
        })
    }

    /// The secrets are never shown, so never compared.
    fn shown(&self) -> Vec<(String, String)> {
        let t = self.t;
        vec![
            labelled(t, "channels.name", &self.name),
            labelled(t, "wechat.app_id", &self.app_id),
            labelled(t, "wechat.api_base", &self.api_base),
            group_shown(t, "channels.group", &self.groups),
            status_shown(t, self.active),
        ]
    }

    fn stale(&mut self) -> &mut Option<SettingStale> {
        &mut self.stale
    }
}

pub async fn edit(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    channel_admin::show::<ChannelPage>(&state, &identity, id).await
}

pub async fn update(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let actor = identity.actor();
    let current = state.app.wechat_channel(&actor, id).await?;
    let form = form_of(&pairs, current.channel.active)?;
    let saved = state
        .app
        .save_wechat_channel(&actor, id, &form, form_version(&pairs))
        .await;
    let to = format!("/admin/channels/wechat/{id}");
    channel_admin::answer::<ChannelPage>(&state, &identity, id, &pairs, saved, &to).await
}

/// Switches the account off (`active=0`) or on (`active=1`).
pub async fn set_active(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let active = channel_admin::form_active(&pairs);
    let done = state
        .app
        .set_wechat_channel_active(&identity.actor(), id, active, form_version(&pairs))
        .await;
    let to = "/admin/channels/wechat";
    channel_admin::answer::<ChannelPage>(&state, &identity, id, &pairs, done, to).await
}

/// 测试 — fetches an access token; the page says WeChat's answer.
pub async fn test(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let test = state.app.test_wechat_channel(&identity.actor(), id).await?;
    let said = match test {
        TokenTest::Ok { expires_in } => TestResult {
            ok: true,
            text: t.f("wechat.test_ok", &[("secs", &expires_in.to_string())]),
        },
        TokenTest::Refused { errcode, errmsg } => TestResult {
            ok: false,
            text: t.f(
                "wechat.test_refused",
                &[("errcode", &errcode.to_string()), ("errmsg", &errmsg)],
            ),
        },
        TokenTest::Failed(error) => TestResult {
            ok: false,
            text: t.f("wechat.test_failed", &[("error", &error)]),
        },
    };
    let mut page = ChannelPage::load(&state, &identity, id, None, None).await?;
    page.test = Some(said);
    super::ok(&page)
}
