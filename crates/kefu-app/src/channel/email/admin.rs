//! 渠道设置 — an administrator's mailboxes: add one (its webhook secret shown once), change
//! it against the version they saw, switch it off, rotate its secret (the new one shown
//! once); and its failed list: read a failed mail's reason, download it, try it again,
//! discard it.

use jiff::Timestamp;
use kefu_domain::Permission;
use kefu_domain::customer::mask_email;
use kefu_store::mail::imap::{self as imap_store, ImapMailbox};
use kefu_store::mail::inbound::{self, status};
use kefu_store::mail::{self as store, ChannelRow, EmailChannel};
use kefu_store::ticket::setup as store_setup;
use kefu_store::{StoreError, version::Setting};
use serde_json::json;

use super::ingest::IngestOutcome;
use crate::audit::{self, Target, action};
use crate::secret::random_hex;
use crate::{Actor, App, AppError, Result, versions};

/// A mailbox as the administrator fills it in.
#[derive(Debug, Clone)]
pub struct ChannelForm {
    pub name: String,
    /// The address kefu answers from.
    pub address: String,
    /// The group new tickets go to.
    pub group_id: Option<i64>,
    pub active: bool,
}

/// A mailbox with what it has received.
#[derive(Debug, Clone)]
pub struct ChannelView {
    pub channel: EmailChannel,
    pub last_received_at: Option<Timestamp>,
    /// Mail waiting in its failed list.
    pub failed: i64,
    /// Its IMAP server and how reading it goes; `None`: its mail is not fetched.
    pub imap: Option<ImapMailbox>,
}

/// A webhook secret, given once: when the mailbox is added and when it is rotated.
pub struct NewSecret {
    pub channel_id: i64,
    pub secret: String,
}

impl std::fmt::Debug for NewSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSecret")
            .field("channel_id", &self.channel_id)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// A mail in the failed list.
#[derive(Debug, Clone)]
pub struct FailedMail {
    pub id: i64,
    pub received_at: Timestamp,
    pub size: i64,
    /// `too_large`, `too_complex` or `malformed`.
    pub reason: String,
    /// The parser's own words.
    pub detail: String,
    /// The sender, masked, when the headers showed one.
    pub sender: Option<String>,
    /// `webhook`, `cli` or `imap`.
    pub source: String,
}

/// The most failed mails the list shows.
const FAILED_LISTED: i64 = 200;

/// Bytes of a webhook secret (64 hex digits), every channel's.
pub(crate) const SECRET_BYTES: usize = 32;

pub(crate) fn check_name(name: &str) -> Result<String> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 60 {
        return Err(AppError::BadName);
    }
    Ok(n.to_owned())
}

fn check_address(address: &str) -> Result<String> {
    let a = address.trim().to_lowercase();
    kefu_domain::staff::check_email(&a)?;
    Ok(a)
}

pub(crate) fn name_taken(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(_) => AppError::NameTaken,
        e => e.into(),
    }
}

impl App {
    async fn audit_channel(
        &self,
        conn: &mut kefu_store::AnyConnection,
        actor: &Actor,
        what: &str,
        id: i64,
        detail: Option<serde_json::Value>,
    ) -> Result<()> {
        let id = id.to_string();
        let target = Some(Target {
            kind: "email_channel",
            id: &id,
        });
        audit::write(conn, self, actor, what, target, detail).await
    }

    pub(crate) async fn check_channel_group(
        &self,
        conn: &mut kefu_store::AnyConnection,
        group_id: Option<i64>,
    ) -> Result<()> {
        if let Some(g) = group_id {
            let groups = store_setup::groups(conn).await?;
            if !groups.iter().any(|x| x.id == g) {
                return Err(AppError::UnknownGroup);
            }
        }
        Ok(())
    }

    /// Every mailbox with when it last received mail and how much waits in its failed list.
    pub async fn email_channels(&self, actor: &Actor) -> Result<Vec<ChannelView>> {
        actor.require(Permission::TicketAdmin)?;
        let mut conn = self.store.conn().await?;
        let activity = store::activity(&mut conn).await?;
        let mut imap = imap_store::mailboxes(&mut conn).await?;
        Ok(store::channels(&mut conn)
            .await?
            .into_iter()
            .map(|channel| {
                let a = activity.iter().find(|a| a.channel_id == channel.id);
                let fetched = imap
                    .iter()
                    .position(|m| m.channel_id == channel.id)
                    .map(|i| imap.swap_remove(i));
                ChannelView {
                    last_received_at: a.and_then(|a| a.last_received_at),
                    failed: a.map_or(0, |a| a.failed),
                    imap: fetched,
                    channel,
                }
            })
            .collect())
    }

    pub async fn email_channel(&self, actor: &Actor, id: i64) -> Result<EmailChannel> {
        actor.require(Permission::TicketAdmin)?;
        let mut conn = self.store.conn().await?;
        Ok(store::channel(&mut conn, id).await?)
    }

    /// Adds a mailbox with a new webhook secret, returned this once.
    pub async fn create_email_channel(
        &self,
        actor: &Actor,
        form: &ChannelForm,
    ) -> Result<NewSecret> {
        actor.require(Permission::TicketAdmin)?;
        let name = check_name(&form.name)?;
        let address = check_address(&form.address)?;
        let secret = random_hex(SECRET_BYTES);
        let now = self.now();
        let mut tx = self.store.begin().await?;
        self.check_channel_group(&mut tx, form.group_id).await?;
        let row = ChannelRow {
            name: &name,
            address: &address,
            active: form.active,
            group_id: form.group_id,
        };
        let id = store::insert_channel(&mut tx, &row, &secret, now)
            .await
            .map_err(name_taken)?;
        self.audit_channel(
            &mut tx,
            actor,
            action::CHANNEL_CREATED,
            id,
            Some(json!({"name": name, "address": address})),
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(NewSecret {
            channel_id: id,
            secret,
        })
    }

    /// Changes a mailbox, made against version `expected` of it (see [`crate::versions`]).
    pub async fn save_email_channel(
        &self,
        actor: &Actor,
        id: i64,
        form: &ChannelForm,
        expected: Option<i64>,
    ) -> Result<()> {
        actor.require(Permission::TicketAdmin)?;
        let name = check_name(&form.name)?;
        let address = check_address(&form.address)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let before = store::channel(&mut tx, id).await?;
        versions::expect_setting(&mut tx, Setting::EmailChannel, id, expected).await?;
        self.check_channel_group(&mut tx, form.group_id).await?;
        let row = ChannelRow {
            name: &name,
            address: &address,
            active: form.active,
            group_id: form.group_id,
        };
        store::update_channel(&mut tx, id, &row, now)
            .await
            .map_err(name_taken)?;
        let what = match (before.active, form.active) {
            (true, false) => action::CHANNEL_DEACTIVATED,
            (false, true) => action::CHANNEL_ACTIVATED,
            _ => action::CHANNEL_UPDATED,
        };
        self.audit_channel(
            &mut tx,
            actor,
            what,
            id,
            Some(json!({"name": name, "address": address})),
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// Switches a mailbox off (its webhook refuses mail) or on again.
    pub async fn set_email_channel_active(
        &self,
        actor: &Actor,
        id: i64,
        active: bool,
        expected: Option<i64>,
    ) -> Result<()> {
        let c = self.email_channel(actor, id).await?;
        let form = ChannelForm {
            name: c.name,
            address: c.address,
            group_id: c.group_id,
            active,
        };
        self.save_email_channel(actor, id, &form, expected).await
    }

    /// A new webhook secret for the mailbox, returned this once; the old one stops working.
    pub async fn rotate_channel_secret(
        &self,
        actor: &Actor,
        id: i64,
        expected: Option<i64>,
    ) -> Result<NewSecret> {
        actor.require(Permission::TicketAdmin)?;
        let secret = random_hex(SECRET_BYTES);
        let now = self.now();
        let mut tx = self.store.begin().await?;
        versions::expect_setting(&mut tx, Setting::EmailChannel, id, expected).await?;
        kefu_store::webhook::set_secret(
            &mut tx,
            kefu_store::webhook::WebhookChannel::Email,
            id,
            &secret,
            now,
        )
        .await?;
        self.audit_channel(&mut tx, actor, action::CHANNEL_SECRET_ROTATED, id, None)
            .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(NewSecret {
            channel_id: id,
            secret,
        })
    }

    /// The mailbox's failed list, newest first, senders masked.
    pub async fn failed_mails(&self, actor: &Actor, channel_id: i64) -> Result<Vec<FailedMail>> {
        actor.require(Permission::TicketAdmin)?;
        let mut conn = self.store.conn().await?;
        store::channel(&mut conn, channel_id).await?;
        Ok(inbound::failed(&mut conn, channel_id, FAILED_LISTED)
            .await?
            .into_iter()
            .map(|m| FailedMail {
                id: m.id,
                received_at: m.received_at,
                size: m.size,
                reason: m.reason.unwrap_or_default(),
                detail: m.reason_detail.unwrap_or_default(),
                sender: m.sender.as_deref().map(mask_email),
                source: m.source,
            })
            .collect())
    }

    /// A mail the mailbox received, as it arrived (any mail, not only a failed one): a file
    /// name for it and its bytes. The original holds its sender's address and whatever
    /// else they wrote in clear, so each download is audited.
    pub async fn inbound_mail_raw(
        &self,
        actor: &Actor,
        channel_id: i64,
        mail_id: i64,
    ) -> Result<(String, Vec<u8>)> {
        actor.require(Permission::TicketAdmin)?;
        let mut conn = self.store.conn().await?;
        let raw = inbound::raw(&mut conn, channel_id, mail_id).await?;
        self.audit_channel(
            &mut conn,
            actor,
            action::MAIL_DOWNLOADED,
            channel_id,
            Some(json!({"mail": mail_id})),
        )
        .await?;
        Ok((format!("mail-{channel_id}-{mail_id}.eml"), raw))
    }

    /// Tries a failed mail again (after kefu learned to read it): it lands as a new mail
    /// would, or stays in the list with the reason it still fails.
    pub async fn retry_failed_mail(
        &self,
        actor: &Actor,
        channel_id: i64,
        mail_id: i64,
    ) -> Result<IngestOutcome> {
        actor.require(Permission::TicketAdmin)?;
        let (channel, row, raw) = {
            let mut conn = self.store.conn().await?;
            let channel = store::channel(&mut conn, channel_id).await?;
            let row = inbound::by_id(&mut conn, channel_id, mail_id).await?;
            if row.status != status::FAILED {
                return Err(AppError::NotFound);
            }
            let raw = inbound::raw(&mut conn, channel_id, mail_id).await?;
            (channel, row, raw)
        };
        self.retry_stored(&channel, &row, raw).await
    }

    /// Takes a mail off the failed list for good (it stays stored, so the same mail
    /// delivered again is recognised, and its original can still be downloaded).
    pub async fn discard_failed_mail(
        &self,
        actor: &Actor,
        channel_id: i64,
        mail_id: i64,
    ) -> Result<()> {
        actor.require(Permission::TicketAdmin)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        inbound::by_id(&mut tx, channel_id, mail_id).await?;
        inbound::close_failed(&mut tx, mail_id, status::DISCARDED, now).await?;
        self.audit_channel(
            &mut tx,
            actor,
            action::FAILED_MAIL_DISCARDED,
            channel_id,
            Some(json!({"mail": mail_id})),
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }
}
