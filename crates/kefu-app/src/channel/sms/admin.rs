//! 短信渠道设置 — an administrator's SMS gateways: add one (its webhook secret shown once),
//! change it against the version they saw (the API key written, never read back), switch it
//! off, rotate its secret, try it with a test text to a number they type, and read the
//! texts that failed lately.

use jiff::Timestamp;
use kefu_domain::channel::phone::normalize_number;
use kefu_domain::channel::sms::{
    GatewayVerdict, check_api_key, check_send_url, check_sign_name, e164,
};
use kefu_domain::customer::mask_phone;
use kefu_domain::{Locale, Permission};
use kefu_store::sms::sends;
use kefu_store::sms::{self as store, ApiKeyChange, ChannelRow, SmsChannel};
use kefu_store::{AnyConnection, StoreError, version::Setting};
use serde_json::json;

use super::gateway::{TextToSend, post};
use super::outgoing::is_opted_out;
use super::{FAILED_LISTED, TARGET, failed_since};
use crate::audit::{self, Target, action};
use crate::channel::email::NewSecret;
use crate::channel::email::admin::{SECRET_BYTES, check_name, name_taken};
use crate::secret::random_hex;
use crate::{Actor, ActorKind, App, AppError, Result, versions};

/// A gateway as the administrator fills it in.
#[derive(Clone)]
pub struct SmsChannelForm {
    pub name: String,
    /// The gateway's send endpoint: https, or http to this machine.
    pub send_url: String,
    /// 短信签名, 2–16 characters.
    pub sign_name: String,
    /// The group new tickets from texts go to.
    pub group_id: Option<i64>,
    pub active: bool,
    /// `None` keeps the stored key; `Some("")` removes it; anything else replaces it.
    pub api_key: Option<String>,
}

impl std::fmt::Debug for SmsChannelForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsChannelForm")
            .field("name", &self.name)
            .field("send_url", &self.send_url)
            .field("sign_name", &self.sign_name)
            .field("group_id", &self.group_id)
            .field("active", &self.active)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// A gateway with what it did lately.
#[derive(Debug, Clone)]
pub struct SmsChannelView {
    pub channel: SmsChannel,
    pub last_received_at: Option<Timestamp>,
    /// Texts sent in the last day, and how many of them failed.
    pub sent: i64,
    pub failed: i64,
}

/// A text that failed lately, as the administrator's list shows it.
#[derive(Debug, Clone)]
pub struct FailedSms {
    pub id: i64,
    pub channel_name: String,
    pub ticket_id: Option<i64>,
    pub ticket_number: Option<String>,
    /// Masked.
    pub recipient: String,
    /// `reply`, or the outbox message's kind.
    pub template: String,
    pub reason: String,
    pub failed_at: Timestamp,
}

/// What the gateway answered a test text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestSms {
    /// The gateway took it.
    pub ok: bool,
    /// Its answer in one line (`HTTP 200 · gw-1`, `HTTP 400: …`).
    pub answer: String,
}

/// The gateway's settings as checked: name, send URL, signature, API key (`None`: none).
type Checked = (String, String, String, Option<String>);

fn check_form(form: &SmsChannelForm) -> Result<Checked> {
    let name = check_name(&form.name)?;
    let send_url = check_send_url(&form.send_url)?;
    let sign_name = check_sign_name(&form.sign_name)?;
    let api_key = match &form.api_key {
        Some(k) => check_api_key(k)?,
        None => None,
    };
    Ok((name, send_url, sign_name, api_key))
}

fn locale_of(actor: &Actor) -> Locale {
    match &actor.kind {
        ActorKind::User(u) => u.locale,
        _ => Locale::ZhCn,
    }
}

impl App {
    async fn audit_sms_channel(
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

    /// Every gateway with what it did lately.
    pub async fn sms_channels(&self, actor: &Actor) -> Result<Vec<SmsChannelView>> {
        actor.require(Permission::TicketAdmin)?;
        let mut conn = self.store.conn().await?;
        let activity = store::activity(&mut conn, failed_since(self.now())).await?;
        Ok(store::channels(&mut conn)
            .await?
            .into_iter()
            .map(|channel| {
                let a = activity.iter().find(|a| a.channel_id == channel.id);
                SmsChannelView {
                    last_received_at: a.and_then(|a| a.last_received_at),
                    sent: a.map_or(0, |a| a.sent),
                    failed: a.map_or(0, |a| a.failed),
                    channel,
                }
            })
            .collect())
    }

    pub async fn sms_channel(&self, actor: &Actor, id: i64) -> Result<SmsChannel> {
        actor.require(Permission::TicketAdmin)?;
        let mut conn = self.store.conn().await?;
        Ok(store::channel(&mut conn, id).await?)
    }

    /// Adds a gateway with a new webhook secret, returned this once.
    pub async fn create_sms_channel(
        &self,
        actor: &Actor,
        form: &SmsChannelForm,
    ) -> Result<NewSecret> {
        actor.require(Permission::TicketAdmin)?;
        let (name, send_url, sign_name, api_key) = check_form(form)?;
        let secret = random_hex(SECRET_BYTES);
        let now = self.now();
        let mut tx = self.store.begin().await?;
        self.check_channel_group(&mut tx, form.group_id).await?;
        let row = ChannelRow {
            name: &name,
            active: form.active,
            send_url: &send_url,
            sign_name: &sign_name,
            group_id: form.group_id,
        };
        let id = store::insert_channel(&mut tx, &row, api_key.as_deref(), &secret, now)
            .await
            .map_err(name_taken)?;
        self.audit_sms_channel(
            &mut tx,
            actor,
            action::CHANNEL_CREATED,
            id,
            Some(json!({
                "name": name,
                "kind": "sms",
                "send_url": send_url,
                "sign_name": sign_name,
                "api_key_set": api_key.is_some(),
            })),
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(NewSecret {
            channel_id: id,
            secret,
        })
    }

    /// Changes a gateway, made against version `expected` of it; the gateway as saved.
    pub async fn save_sms_channel(
        &self,
        actor: &Actor,
        id: i64,
        form: &SmsChannelForm,
        expected: Option<i64>,
    ) -> Result<SmsChannel> {
        actor.require(Permission::TicketAdmin)?;
        let (name, send_url, sign_name, api_key) = check_form(form)?;
        let key = match (&form.api_key, &api_key) {
            (None, _) => ApiKeyChange::Keep,
            (Some(_), Some(k)) => ApiKeyChange::Set(k.as_str()),
            (Some(_), None) => ApiKeyChange::Clear,
        };
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let before = store::channel(&mut tx, id).await?;
        versions::expect_setting(&mut tx, Setting::SmsChannel, id, expected).await?;
        self.check_channel_group(&mut tx, form.group_id).await?;
        let row = ChannelRow {
            name: &name,
            active: form.active,
            send_url: &send_url,
            sign_name: &sign_name,
            group_id: form.group_id,
        };
        store::update_channel(&mut tx, id, &row, key, now)
            .await
            .map_err(name_taken)?;
        let what = match (before.active, form.active) {
            (true, false) => action::CHANNEL_DEACTIVATED,
            (false, true) => action::CHANNEL_ACTIVATED,
            _ => action::CHANNEL_UPDATED,
        };
        let detail = json!({
            "name": name,
            "send_url": send_url,
            "sign_name": sign_name,
            "api_key_changed": !matches!(key, ApiKeyChange::Keep),
        });
        self.audit_sms_channel(&mut tx, actor, what, id, Some(detail))
            .await?;
        let saved = store::channel(&mut tx, id).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(saved)
    }

    /// Switches a gateway off (its webhook refuses events, nothing is sent through it) or
    /// on again.
    pub async fn set_sms_channel_active(
        &self,
        actor: &Actor,
        id: i64,
        active: bool,
        expected: Option<i64>,
    ) -> Result<()> {
        let c = self.sms_channel(actor, id).await?;
        let form = SmsChannelForm {
            name: c.name,
            send_url: c.send_url,
            sign_name: c.sign_name,
            group_id: c.group_id,
            active,
            api_key: None,
        };
        self.save_sms_channel(actor, id, &form, expected).await?;
        Ok(())
    }

    /// A new webhook secret for the gateway, returned this once; the old one stops working.
    pub async fn rotate_sms_secret(
        &self,
        actor: &Actor,
        id: i64,
        expected: Option<i64>,
    ) -> Result<NewSecret> {
        actor.require(Permission::TicketAdmin)?;
        let secret = random_hex(SECRET_BYTES);
        let now = self.now();
        let mut tx = self.store.begin().await?;
        versions::expect_setting(&mut tx, Setting::SmsChannel, id, expected).await?;
        kefu_store::webhook::set_secret(
            &mut tx,
            kefu_store::webhook::WebhookChannel::Sms,
            id,
            &secret,
            now,
        )
        .await?;
        self.audit_sms_channel(&mut tx, actor, action::CHANNEL_SECRET_ROTATED, id, None)
            .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(NewSecret {
            channel_id: id,
            secret,
        })
    }

    /// The texts that failed in the last day, the latest first, numbers masked.
    pub async fn failed_sms(&self, actor: &Actor) -> Result<Vec<FailedSms>> {
        actor.require(Permission::TicketAdmin)?;
        let mut conn = self.store.conn().await?;
        let since = failed_since(self.now());
        Ok(sends::failed_since(&mut conn, since, FAILED_LISTED)
            .await?
            .into_iter()
            .map(|s| FailedSms {
                id: s.id,
                channel_name: s.channel_name,
                ticket_id: s.ticket_id,
                ticket_number: s.ticket_number,
                recipient: mask_phone(s.recipient.trim_start_matches("+86")),
                template: s.template,
                reason: s.last_error.unwrap_or_default(),
                failed_at: s.failed_at,
            })
            .collect())
    }

    /// Sends a test text through gateway `id` to `to`, now, and gives the gateway's answer
    /// — a refusal is an answer too, not an error. A number that is not a mobile, or that
    /// opted out, is refused. Audited (the number masked).
    pub async fn send_test_sms(&self, actor: &Actor, id: i64, to: &str) -> Result<TestSms> {
        actor.require(Permission::TicketAdmin)?;
        let number = normalize_number(to, None).ok_or(AppError::SmsBadNumber)?;
        let e164_to = e164(&number).ok_or(AppError::SmsBadNumber)?;
        let (channel, api_key) = {
            let mut conn = self.store.conn().await?;
            let channel = store::channel(&mut conn, id).await?;
            if is_opted_out(&mut conn, &number).await? {
                return Err(AppError::SmsOptedOut);
            }
            let api_key = store::api_key(&mut conn, id).await?;
            (channel, api_key)
        };
        let text = self.text(
            locale_of(actor),
            "sms.test",
            &[("channel", channel.name.as_str())],
        );
        let reference = format!("kf-t{}", random_hex(8));
        let params = json!({});
        let answer = post(
            &channel.send_url,
            api_key.as_deref(),
            &TextToSend {
                reference: &reference,
                to: &e164_to,
                sign_name: &channel.sign_name,
                template: "test",
                params: &params,
                text: &text,
            },
        )
        .await;
        let result = TestSms {
            ok: answer.verdict() == GatewayVerdict::Accepted,
            answer: answer.describe(),
        };
        let mut conn = self.store.conn().await?;
        self.audit_sms_channel(
            &mut conn,
            actor,
            action::CHANNEL_TEST_SMS,
            id,
            Some(json!({"to": mask_phone(&number.number), "ok": result.ok})),
        )
        .await?;
        Ok(result)
    }
}
