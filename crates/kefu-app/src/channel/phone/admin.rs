//! 电话渠道设置 — an administrator's telephone systems: add one (its webhook secret shown
//! once), change it against the version they saw, switch it off, rotate its secret, and
//! say which extension rings at which agent (分机 → 坐席). The mapping lives with the
//! system, not on the account: extensions are numbers of one exchange, and two exchanges
//! may both have an 8001.

use jiff::Timestamp;
use kefu_domain::Permission;
use kefu_domain::channel::phone::{clean_area_code, clean_extension};
use kefu_store::phone::{self as store, ChannelRow, Extension, PhoneChannel};
use kefu_store::{AnyConnection, StoreError, version::Setting};
use serde_json::json;

use super::TARGET;
use crate::audit::{self, Target, action};
use crate::channel::email::NewSecret;
use crate::channel::email::admin::{SECRET_BYTES, check_name, name_taken};
use crate::secret::random_hex;
use crate::{Actor, App, AppError, Result, versions};

/// A telephone system as the administrator fills it in.
#[derive(Debug, Clone)]
pub struct PhoneChannelForm {
    pub name: String,
    /// The group a missed call's callback goes to when its extension is nobody's.
    pub group_id: Option<i64>,
    /// The exchange's area code (`0571`); empty for none.
    pub area_code: String,
    pub active: bool,
}

/// A telephone system with what it reported.
#[derive(Debug, Clone)]
pub struct PhoneChannelView {
    pub channel: PhoneChannel,
    pub last_call_at: Option<Timestamp>,
    pub calls: i64,
    pub extensions: i64,
}

impl App {
    async fn audit_phone_channel(
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

    /// Every telephone system with when it last reported a call.
    pub async fn phone_channels(&self, actor: &Actor) -> Result<Vec<PhoneChannelView>> {
        actor.require(Permission::TicketAdmin)?;
        let mut conn = self.store.conn().await?;
        let activity = store::activity(&mut conn).await?;
        let mut out = Vec::new();
        for channel in store::channels(&mut conn).await? {
            let a = activity.iter().find(|a| a.channel_id == channel.id);
            let extensions = store::extensions(&mut conn, channel.id).await?.len() as i64;
            out.push(PhoneChannelView {
                last_call_at: a.and_then(|a| a.last_call_at),
                calls: a.map_or(0, |a| a.calls),
                extensions,
                channel,
            });
        }
        Ok(out)
    }

    pub async fn phone_channel(&self, actor: &Actor, id: i64) -> Result<PhoneChannel> {
        actor.require(Permission::TicketAdmin)?;
        let mut conn = self.store.conn().await?;
        Ok(store::channel(&mut conn, id).await?)
    }

    /// Adds a telephone system with a new webhook secret, returned this once.
    pub async fn create_phone_channel(
        &self,
        actor: &Actor,
        form: &PhoneChannelForm,
    ) -> Result<NewSecret> {
        actor.require(Permission::TicketAdmin)?;
        let name = check_name(&form.name)?;
        let area_code = clean_area_code(&form.area_code)?;
        let secret = random_hex(SECRET_BYTES);
        let now = self.now();
        let mut tx = self.store.begin().await?;
        self.check_channel_group(&mut tx, form.group_id).await?;
        let row = ChannelRow {
            name: &name,
            active: form.active,
            group_id: form.group_id,
            area_code: area_code.as_deref(),
        };
        let id = store::insert_channel(&mut tx, &row, &secret, now)
            .await
            .map_err(name_taken)?;
        self.audit_phone_channel(
            &mut tx,
            actor,
            action::CHANNEL_CREATED,
            id,
            Some(json!({"name": name, "kind": "phone"})),
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(NewSecret {
            channel_id: id,
            secret,
        })
    }

    /// Changes a telephone system, made against version `expected` of it.
    pub async fn save_phone_channel(
        &self,
        actor: &Actor,
        id: i64,
        form: &PhoneChannelForm,
        expected: Option<i64>,
    ) -> Result<()> {
        actor.require(Permission::TicketAdmin)?;
        let name = check_name(&form.name)?;
        let area_code = clean_area_code(&form.area_code)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let before = store::channel(&mut tx, id).await?;
        versions::expect_setting(&mut tx, Setting::PhoneChannel, id, expected).await?;
        self.check_channel_group(&mut tx, form.group_id).await?;
        let row = ChannelRow {
            name: &name,
            active: form.active,
            group_id: form.group_id,
            area_code: area_code.as_deref(),
        };
        store::update_channel(&mut tx, id, &row, now)
            .await
            .map_err(name_taken)?;
        let what = match (before.active, form.active) {
            (true, false) => action::CHANNEL_DEACTIVATED,
            (false, true) => action::CHANNEL_ACTIVATED,
            _ => action::CHANNEL_UPDATED,
        };
        self.audit_phone_channel(&mut tx, actor, what, id, Some(json!({"name": name})))
            .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// Switches a telephone system off (its webhook refuses events) or on again.
    pub async fn set_phone_channel_active(
        &self,
        actor: &Actor,
        id: i64,
        active: bool,
        expected: Option<i64>,
    ) -> Result<()> {
        let c = self.phone_channel(actor, id).await?;
        let form = PhoneChannelForm {
            name: c.name,
            group_id: c.group_id,
            area_code: c.area_code.unwrap_or_default(),
            active,
        };
        self.save_phone_channel(actor, id, &form, expected).await
    }

    /// A new webhook secret for the system, returned this once; the old one stops working.
    pub async fn rotate_phone_secret(
        &self,
        actor: &Actor,
        id: i64,
        expected: Option<i64>,
    ) -> Result<NewSecret> {
        actor.require(Permission::TicketAdmin)?;
        let secret = random_hex(SECRET_BYTES);
        let now = self.now();
        let mut tx = self.store.begin().await?;
        versions::expect_setting(&mut tx, Setting::PhoneChannel, id, expected).await?;
        kefu_store::webhook::set_secret(
            &mut tx,
            kefu_store::webhook::WebhookChannel::Phone,
            id,
            &secret,
            now,
        )
        .await?;
        self.audit_phone_channel(&mut tx, actor, action::CHANNEL_SECRET_ROTATED, id, None)
            .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(NewSecret {
            channel_id: id,
            secret,
        })
    }

    /// The system's extensions and who they ring at.
    pub async fn phone_extensions(&self, actor: &Actor, id: i64) -> Result<Vec<Extension>> {
        actor.require(Permission::TicketAdmin)?;
        let mut conn = self.store.conn().await?;
        store::channel(&mut conn, id).await?;
        Ok(store::extensions(&mut conn, id).await?)
    }

    /// Extension `extension` rings at `user_id` from now on (an active account that works
    /// tickets); made against version `expected` of the system, whose version it moves on.
    pub async fn map_extension(
        &self,
        actor: &Actor,
        id: i64,
        extension: &str,
        user_id: i64,
        expected: Option<i64>,
    ) -> Result<()> {
        actor.require(Permission::TicketAdmin)?;
        let extension = clean_extension(extension).ok_or(AppError::BadExtension)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        store::channel(&mut tx, id).await?;
        let user = kefu_store::staff::user_by_id(&mut tx, user_id)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => AppError::UnknownAssignee,
                e => e.into(),
            })?;
        if !user.active || !user.roles.allows(Permission::TicketWork) {
            return Err(AppError::UnknownAssignee);
        }
        versions::expect_setting(&mut tx, Setting::PhoneChannel, id, expected).await?;
        store::set_extension(&mut tx, id, &extension, user_id, now).await?;
        self.audit_phone_channel(
            &mut tx,
            actor,
            action::EXTENSION_MAPPED,
            id,
            Some(json!({"extension": extension, "user": user_id})),
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// Extension `extension` rings at nobody any more.
    pub async fn unmap_extension(
        &self,
        actor: &Actor,
        id: i64,
        extension: &str,
        expected: Option<i64>,
    ) -> Result<()> {
        actor.require(Permission::TicketAdmin)?;
        let mut tx = self.store.begin().await?;
        store::channel(&mut tx, id).await?;
        versions::expect_setting(&mut tx, Setting::PhoneChannel, id, expected).await?;
        store::remove_extension(&mut tx, id, extension).await?;
        self.audit_phone_channel(
            &mut tx,
            actor,
            action::EXTENSION_MAPPED,
            id,
            Some(json!({"extension": extension, "user": null})),
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }
}
