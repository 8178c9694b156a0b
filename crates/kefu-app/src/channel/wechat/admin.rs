//! 公众号设置 — an administrator's official accounts: add one (its Token generated when none
//! is entered, and then shown once), change one against the version they saw (an empty
//! AppSecret or Token keeps the stored one), switch it off, and try it: the test fetches an
//! access token and says WeChat's answer. The AppSecret, the Token and access tokens are
//! written, never read back: no view here carries them.

use jiff::Timestamp;
use kefu_domain::Permission;
use kefu_domain::channel::wechat::{
    WechatSettingsError, check_api_base, check_app_id, check_app_secret, check_token,
    token_valid_until,
};
use kefu_store::wechat::{self as store, ChannelRow, WechatChannel};
use kefu_store::{AnyConnection, StoreError, version::Setting};
use serde_json::json;

use super::TARGET;
use super::api::{self, CallError};
use crate::audit::{self, Target, action};
use crate::channel::email::admin::{check_name, name_taken};
use crate::secret::random_hex;
use crate::{Actor, App, Result, versions};

/// An official account as the administrator fills it in.
#[derive(Clone)]
pub struct WechatChannelForm {
    pub name: String,
    pub app_id: String,
    /// Required for a new account; empty on a change keeps the stored one.
    pub app_secret: String,
    /// The Token of 服务器配置. Empty: a new account gets one generated (shown once); a
    /// change keeps the stored one.
    pub token: String,
    /// Empty: WeChat's own (`https://api.weixin.qq.com`).
    pub api_base: String,
    /// The group new tickets go to.
    pub group_id: Option<i64>,
    pub active: bool,
}

impl std::fmt::Debug for WechatChannelForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WechatChannelForm")
            .field("name", &self.name)
            .field("app_id", &self.app_id)
            .field("app_secret", &"<redacted>")
            .field("token", &"<redacted>")
            .field("api_base", &self.api_base)
            .field("group_id", &self.group_id)
            .field("active", &self.active)
            .finish()
    }
}

/// An account as its pages and the API show it: never its AppSecret, Token or access
/// token.
#[derive(Debug, Clone)]
pub struct WechatChannelView {
    pub channel: WechatChannel,
    /// What to enter in 公众平台 → 设置与开发 → 基本配置 → 服务器配置 → 服务器地址(URL).
    pub server_url: String,
    pub last_received_at: Option<Timestamp>,
    /// Messages and events received.
    pub received: i64,
    /// Followers heard from.
    pub followers: i64,
}

/// A new account, and the Token kefu generated for it when none was entered: given this
/// once, to enter in 公众平台.
pub struct NewWechatChannel {
    pub channel_id: i64,
    pub generated_token: Option<String>,
}

impl std::fmt::Debug for NewWechatChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewWechatChannel")
            .field("channel_id", &self.channel_id)
            .field(
                "generated_token",
                &self.generated_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// What the test button found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenTest {
    /// WeChat gave an access token, valid this many seconds.
    Ok { expires_in: i64 },
    /// WeChat refused: its errcode and errmsg (40125 a wrong AppSecret, 40164 kefu's
    /// address not on the IP whitelist…).
    Refused { errcode: i64, errmsg: String },
    /// No answer, or none kefu could read.
    Failed(String),
}

/// Bytes of a generated Token (32 hex digits, WeChat's longest).
const TOKEN_BYTES: usize = 16;

/// The form's settings, checked: (name, AppID, API address, AppSecret, Token), the two
/// secrets `None` when left empty.
type Checked = (String, String, String, Option<String>, Option<String>);

fn check_form(form: &WechatChannelForm) -> Result<Checked> {
    let name = check_name(&form.name)?;
    let app_id = check_app_id(&form.app_id)?;
    let api_base = check_api_base(&form.api_base)?;
    let secret = Some(form.app_secret.trim())
        .filter(|s| !s.is_empty())
        .map(check_app_secret)
        .transpose()?;
    let token = Some(form.token.trim())
        .filter(|s| !s.is_empty())
        .map(check_token)
        .transpose()?;
    Ok((name, app_id, api_base, secret, token))
}

impl App {
    async fn audit_wechat_channel(
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

    /// The address WeChat is to post account `id`'s messages to.
    pub fn wechat_server_url(&self, id: i64) -> String {
        format!(
            "{}/api/v1/channels/wechat/{id}",
            self.settings.public_url.trim_end_matches('/')
        )
    }

    fn wechat_view(
        &self,
        channel: WechatChannel,
        activity: &[store::ChannelActivity],
    ) -> WechatChannelView {
        let a = activity.iter().find(|a| a.channel_id == channel.id);
        WechatChannelView {
            server_url: self.wechat_server_url(channel.id),
            last_received_at: a.and_then(|a| a.last_received_at),
            received: a.map_or(0, |a| a.received),
            followers: a.map_or(0, |a| a.followers),
            channel,
        }
    }

    /// Every official account with what it received.
    pub async fn wechat_channels(&self, actor: &Actor) -> Result<Vec<WechatChannelView>> {
        actor.require(Permission::TicketAdmin)?;
        let mut conn = self.store.conn().await?;
        let activity = store::activity(&mut conn).await?;
        Ok(store::channels(&mut conn)
            .await?
            .into_iter()
            .map(|c| self.wechat_view(c, &activity))
            .collect())
    }

    pub async fn wechat_channel(&self, actor: &Actor, id: i64) -> Result<WechatChannelView> {
        actor.require(Permission::TicketAdmin)?;
        let mut conn = self.store.conn().await?;
        let channel = store::channel(&mut conn, id).await?;
        let activity = store::activity(&mut conn).await?;
        Ok(self.wechat_view(channel, &activity))
    }

    /// Adds an official account; its Token generated when none was entered (returned this
    /// once).
    pub async fn create_wechat_channel(
        &self,
        actor: &Actor,
        form: &WechatChannelForm,
    ) -> Result<NewWechatChannel> {
        actor.require(Permission::TicketAdmin)?;
        let (name, app_id, api_base, secret, token) = check_form(form)?;
        let Some(secret) = secret else {
            return Err(WechatSettingsError::BadAppSecret.into());
        };
        let generated = token.is_none().then(|| random_hex(TOKEN_BYTES));
        let token = token.or_else(|| generated.clone()).unwrap_or_default();
        let now = self.now();
        let mut tx = self.store.begin().await?;
        self.check_channel_group(&mut tx, form.group_id).await?;
        let row = ChannelRow {
            name: &name,
            active: form.active,
            app_id: &app_id,
            api_base: &api_base,
            group_id: form.group_id,
            app_secret: Some(&secret),
            token: Some(&token),
        };
        let id = store::insert_channel(&mut tx, &row, now)
            .await
            .map_err(name_taken)?;
        self.audit_wechat_channel(
            &mut tx,
            actor,
            action::CHANNEL_CREATED,
            id,
            Some(json!({"name": name, "kind": "wechat", "app_id": app_id, "api_base": api_base})),
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(NewWechatChannel {
            channel_id: id,
            generated_token: generated,
        })
    }

    /// Changes an official account, made against version `expected` of it. An AppSecret or
    /// Token left empty stays as stored; which of them changed is audited, never their
    /// values.
    pub async fn save_wechat_channel(
        &self,
        actor: &Actor,
        id: i64,
        form: &WechatChannelForm,
        expected: Option<i64>,
    ) -> Result<()> {
        actor.require(Permission::TicketAdmin)?;
        let (name, app_id, api_base, secret, token) = check_form(form)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let before = store::channel(&mut tx, id).await?;
        versions::expect_setting(&mut tx, Setting::WechatChannel, id, expected).await?;
        self.check_channel_group(&mut tx, form.group_id).await?;
        let row = ChannelRow {
            name: &name,
            active: form.active,
            app_id: &app_id,
            api_base: &api_base,
            group_id: form.group_id,
            app_secret: secret.as_deref(),
            token: token.as_deref(),
        };
        store::update_channel(&mut tx, id, &row, now)
            .await
            .map_err(name_taken)?;
        let what = match (before.active, form.active) {
            (true, false) => action::CHANNEL_DEACTIVATED,
            (false, true) => action::CHANNEL_ACTIVATED,
            _ => action::CHANNEL_UPDATED,
        };
        self.audit_wechat_channel(
            &mut tx,
            actor,
            what,
            id,
            Some(json!({
                "name": name,
                "app_id": app_id,
                "api_base": api_base,
                "app_secret_changed": secret.is_some(),
                "token_changed": token.is_some(),
            })),
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// Switches an official account off (its messages are refused, replies not sent) or
    /// on again.
    pub async fn set_wechat_channel_active(
        &self,
        actor: &Actor,
        id: i64,
        active: bool,
        expected: Option<i64>,
    ) -> Result<()> {
        let c = self.wechat_channel(actor, id).await?.channel;
        let form = WechatChannelForm {
            name: c.name,
            app_id: c.app_id,
            app_secret: String::new(),
            token: String::new(),
            api_base: c.api_base,
            group_id: c.group_id,
            active,
        };
        self.save_wechat_channel(actor, id, &form, expected).await
    }

    /// 测试 — fetches an access token with the account's AppID and AppSecret (and keeps it
    /// for the replies to come): WeChat's answer, audited without the secret.
    pub async fn test_wechat_channel(&self, actor: &Actor, id: i64) -> Result<TokenTest> {
        actor.require(Permission::TicketAdmin)?;
        let channel = self.wechat_channel(actor, id).await?.channel;
        let secret = {
            let mut conn = self.store.conn().await?;
            store::app_secret(&mut conn, id).await?
        };
        let test = match api::fetch_token(&channel.api_base, &channel.app_id, &secret).await {
            Ok(t) => {
                let until = token_valid_until(self.now(), t.expires_in);
                let mut conn = self.store.conn().await?;
                store::set_access_token(&mut conn, id, Some((t.token.as_str(), until))).await?;
                TokenTest::Ok {
                    expires_in: t.expires_in,
                }
            }
            Err(CallError::Api { errcode, errmsg }) => TokenTest::Refused { errcode, errmsg },
            Err(e) => TokenTest::Failed(e.text()),
        };
        let detail = match &test {
            TokenTest::Ok { .. } => json!({"ok": true}),
            TokenTest::Refused { errcode, .. } => json!({"ok": false, "errcode": errcode}),
            TokenTest::Failed(why) => json!({"ok": false, "error": why}),
        };
        let mut conn = self.store.conn().await?;
        self.audit_wechat_channel(
            &mut conn,
            actor,
            action::WECHAT_CHANNEL_TESTED,
            id,
            Some(detail),
        )
        .await?;
        Ok(test)
    }
}
