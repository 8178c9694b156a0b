//! 收信（IMAP）— a mailbox whose mail kefu fetches from its IMAP server. An administrator
//! sets the server (against the version of the mailbox they saw) and tries it; one
//! instance at a time reads it ([`poll`]), over a verified TLS connection ([`client`]).
//! The password is written, never read back: no page, API answer, audit entry or log shows
//! it.

mod client;
mod poll;

use kefu_domain::Permission;
use kefu_domain::channel::imap::{ImapInput, ImapSecurity, check_imap};
use kefu_store::mail::imap::{self as store, ImapMailbox, ImapRow};
use kefu_store::mail::{self as channels, PasswordChange};
use kefu_store::{StoreError, version::Setting};
use serde_json::json;

use crate::audit::{Target, action};
use crate::{Actor, App, AppError, Result, versions};
use client::{Server, connect};

/// A mailbox's IMAP server as the administrator fills it in. An empty host stops fetching;
/// an empty password keeps the stored one.
#[derive(Clone, Default)]
pub struct ImapForm {
    pub host: String,
    /// Empty: the security's usual port.
    pub port: String,
    /// `tls`, `starttls` or `none`.
    pub security: String,
    pub username: String,
    pub password: String,
    /// Empty: `INBOX`.
    pub folder: String,
    /// `seen`, `delete` or `move`.
    pub after: String,
    pub move_to: String,
    /// Seconds between reads of a server without IDLE; empty: 60.
    pub poll_secs: String,
    /// A CA certificate (PEM) trusted besides Mozilla's roots.
    pub ca_pem: String,
}

impl std::fmt::Debug for ImapForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImapForm")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("folder", &self.folder)
            .field("after", &self.after)
            .finish_non_exhaustive()
    }
}

/// What the server said to a connection test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImapTest {
    /// kefu signed in and opened the folder.
    pub ok: bool,
    /// Mails in the folder (when it opened).
    pub messages: Option<u32>,
    /// The server offers IDLE (new mail arrives at once).
    pub idle: bool,
    /// What went wrong, in the server's words (never the password).
    pub error: Option<String>,
}

fn target(id: &str) -> Option<Target<'_>> {
    Some(Target {
        kind: "email_channel",
        id,
    })
}

impl App {
    /// The mailbox's IMAP server and how reading it goes; `None`: not fetched.
    pub async fn email_channel_imap(&self, actor: &Actor, id: i64) -> Result<Option<ImapMailbox>> {
        actor.require(Permission::TicketAdmin)?;
        let mut conn = self.store.conn().await?;
        channels::channel(&mut conn, id).await?;
        Ok(store::mailbox(&mut conn, id).await?)
    }

    /// Sets (or, with an empty host, removes) the mailbox's IMAP server, made against
    /// version `expected` of the mailbox. Another server, account or folder starts reading
    /// from the folder's start again (mail already there stays there); any change is tried
    /// at once. The audit entry names the server, never the password.
    pub async fn save_imap_settings(
        &self,
        actor: &Actor,
        id: i64,
        form: &ImapForm,
        expected: Option<i64>,
    ) -> Result<()> {
        actor.require(Permission::TicketAdmin)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        channels::channel(&mut tx, id).await?;
        versions::expect_setting(&mut tx, Setting::EmailChannel, id, expected).await?;
        let before = store::mailbox(&mut tx, id).await?;
        let detail = if form.host.trim().is_empty() {
            store::remove(&mut tx, id).await?;
            json!({ "imap_host": null })
        } else {
            let password_given = !form.password.is_empty();
            let has_password = password_given || store::password(&mut tx, id).await?.is_some();
            let checked = check_imap(&ImapInput {
                host: &form.host,
                port: &form.port,
                security: &form.security,
                username: &form.username,
                has_password,
                folder: &form.folder,
                after: &form.after,
                move_to: &form.move_to,
                poll_secs: &form.poll_secs,
                ca_pem: &form.ca_pem,
            })?;
            let restart = before.as_ref().is_none_or(|b| {
                b.host != checked.host
                    || b.port != checked.port
                    || b.username != checked.username
                    || b.folder != checked.folder
            });
            let row = ImapRow {
                host: &checked.host,
                port: checked.port,
                security: checked.security.key(),
                username: &checked.username,
                folder: &checked.folder,
                after_fetch: checked.after.key(),
                move_to: checked.move_to.as_deref(),
                poll_secs: i64::try_from(checked.poll_secs).unwrap_or(60),
                ca_pem: checked.ca_pem.as_deref(),
            };
            let password = if password_given {
                PasswordChange::Set(&form.password)
            } else {
                PasswordChange::Keep
            };
            store::save(&mut tx, id, &row, password, restart, now).await?;
            json!({
                "imap_host": checked.host,
                "imap_port": checked.port,
                "imap_security": checked.security.key(),
                "imap_username": checked.username,
                "imap_folder": checked.folder,
                "imap_after_fetch": checked.after.key(),
                "imap_password_changed": password_given,
                "imap_restarted": restart,
            })
        };
        let target_id = id.to_string();
        crate::audit::write(
            &mut tx,
            self,
            actor,
            action::CHANNEL_IMAP_UPDATED,
            target(&target_id),
            Some(detail),
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// Connects to the mailbox's IMAP server now, signs in and opens its folder, and says
    /// how that went — a refusal is an answer, not an error. Reads and changes no mail.
    pub async fn test_imap(&self, actor: &Actor, id: i64) -> Result<ImapTest> {
        actor.require(Permission::TicketAdmin)?;
        let (mailbox, password) = {
            let mut conn = self.store.conn().await?;
            channels::channel(&mut conn, id).await?;
            let mailbox = store::mailbox(&mut conn, id).await?;
            (mailbox, store::password(&mut conn, id).await?)
        };
        let Some(mailbox) = mailbox else {
            return Err(AppError::ImapNotSet);
        };
        let server = Server {
            host: &mailbox.host,
            port: mailbox.port,
            security: ImapSecurity::parse(&mailbox.security).unwrap_or(ImapSecurity::Tls),
            username: &mailbox.username,
            password: password.as_deref().unwrap_or(""),
            ca_pem: mailbox.ca_pem.as_deref(),
        };
        let result = try_server(&server, &mailbox.folder).await;
        let mut conn = self.store.conn().await?;
        let target_id = id.to_string();
        crate::audit::write(
            &mut conn,
            self,
            actor,
            action::CHANNEL_IMAP_TESTED,
            target(&target_id),
            Some(json!({ "ok": result.ok })),
        )
        .await?;
        Ok(result)
    }
}

async fn try_server(server: &Server<'_>, folder: &str) -> ImapTest {
    let mut session = match connect(server).await {
        Ok(s) => s,
        Err(e) => {
            return ImapTest {
                ok: false,
                messages: None,
                idle: false,
                error: Some(e.0),
            };
        }
    };
    let timeout = client::COMMAND_TIMEOUT;
    let idle = matches!(
        tokio::time::timeout(timeout, session.capabilities()).await,
        Ok(Ok(caps)) if caps.has_str("IDLE")
    );
    // EXAMINE opens the folder read-only: a test changes nothing, not even \Recent.
    let result = match tokio::time::timeout(timeout, session.examine(folder)).await {
        Ok(Ok(m)) => ImapTest {
            ok: true,
            messages: Some(m.exists),
            idle,
            error: None,
        },
        Ok(Err(e)) => ImapTest {
            ok: false,
            messages: None,
            idle,
            error: Some(format!("EXAMINE {folder}: {e}")),
        },
        Err(_) => ImapTest {
            ok: false,
            messages: None,
            idle,
            error: Some(format!("EXAMINE {folder}: no answer")),
        },
    };
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), session.logout()).await;
    result
}
