//! 发信设置 — an administrator sets a mailbox's SMTP server (against the version they saw,
//! like the rest of the mailbox) and tries it with a test mail to an address they type.
//! The password is written, never read back: no page, API answer, audit entry or log
//! shows it.

use kefu_domain::channel::mail_out::{check_smtp, domain_of};
use kefu_domain::customer::mask_email;
use kefu_domain::{Locale, Permission};
use kefu_store::mail::{self as store, PasswordChange, SmtpRow};
use kefu_store::{StoreError, version::Setting};
use serde_json::json;

use super::send::{beijing_minute, from_name, server_of};
use super::smtp::{Outgoing, compose, deliver};
use crate::audit::action;
use crate::secret::random_hex;
use crate::{Actor, ActorKind, App, AppError, Result, versions};

/// A mailbox's SMTP server as the administrator fills it in. An empty host takes the
/// server away (the mailbox sends nothing); an empty password keeps the stored one.
#[derive(Clone, Default)]
pub struct SmtpForm {
    pub host: String,
    /// Empty: the security's usual port.
    pub port: String,
    /// `starttls`, `tls` or `none`.
    pub security: String,
    pub username: String,
    pub password: String,
    pub from_name: String,
}

impl std::fmt::Debug for SmtpForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpForm")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("from_name", &self.from_name)
            .finish()
    }
}

/// What the server answered a test mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestMail {
    /// The server took it.
    pub ok: bool,
    /// Its words (`250 …`, `550 …`), addresses masked.
    pub answer: String,
}

fn locale_of(actor: &Actor) -> Locale {
    match &actor.kind {
        ActorKind::User(u) => u.locale,
        _ => Locale::ZhCn,
    }
}

impl App {
    /// Sets (or, with an empty host, removes) the mailbox's SMTP server, made against
    /// version `expected` of the mailbox. The audit entry names the server, never the
    /// password.
    pub async fn save_smtp_settings(
        &self,
        actor: &Actor,
        id: i64,
        form: &SmtpForm,
        expected: Option<i64>,
    ) -> Result<()> {
        actor.require(Permission::TicketAdmin)?;
        let now = self.now();
        let password_given = !form.password.is_empty();
        let checked = if form.host.trim().is_empty() {
            None
        } else {
            Some(check_smtp(
                &form.host,
                &form.port,
                &form.security,
                &form.username,
                password_given,
                &form.from_name,
            )?)
        };
        let username = form.username.trim();
        let from_name = form.from_name.trim();
        let mut tx = self.store.begin().await?;
        store::channel(&mut tx, id).await?;
        versions::expect_setting(&mut tx, Setting::EmailChannel, id, expected).await?;
        let detail = match &checked {
            Some((host, port, security)) => {
                let password = if password_given {
                    PasswordChange::Set(&form.password)
                } else if username.is_empty() {
                    PasswordChange::Clear
                } else {
                    PasswordChange::Keep
                };
                let row = SmtpRow {
                    host,
                    port: *port,
                    security: security.key(),
                    username,
                    from_name,
                };
                store::set_smtp(&mut tx, id, Some(&row), password, now).await?;
                json!({
                    "smtp_host": host,
                    "smtp_port": port,
                    "smtp_security": security.key(),
                    "smtp_username": username,
                    "smtp_password_changed": password_given,
                })
            }
            None => {
                store::set_smtp(&mut tx, id, None, PasswordChange::Clear, now).await?;
                json!({ "smtp_host": null })
            }
        };
        let target_id = id.to_string();
        let target = Some(crate::audit::Target {
            kind: "email_channel",
            id: &target_id,
        });
        crate::audit::write(
            &mut tx,
            self,
            actor,
            action::CHANNEL_SMTP_UPDATED,
            target,
            Some(detail),
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// Sends a test mail through the mailbox's server to `to`, now, and gives the server's
    /// answer — a refusal is an answer too, not an error. A mailbox without a server is
    /// refused.
    pub async fn send_test_mail(&self, actor: &Actor, id: i64, to: &str) -> Result<TestMail> {
        actor.require(Permission::TicketAdmin)?;
        let to = to.trim().to_lowercase();
        kefu_domain::staff::check_email(&to)?;
        let (channel, server) = {
            let mut conn = self.store.conn().await?;
            let channel = store::channel(&mut conn, id).await?;
            let server = server_of(&mut conn, &channel).await?;
            (channel, server)
        };
        let Some(server) = server else {
            return Err(AppError::SmtpNotSet);
        };
        let now = self.now();
        let locale = locale_of(actor);
        let subject = self.text(
            locale,
            "mail.test_subject",
            &[("channel", channel.name.as_str())],
        );
        let at = beijing_minute(now);
        let text = self.text(
            locale,
            "mail.test_body",
            &[("channel", channel.name.as_str()), ("at", at.as_str())],
        );
        let from = from_name(&channel);
        let message_id = format!(
            "kf.test.{id}.{}@{}",
            random_hex(6),
            domain_of(&channel.address)
        );
        let mail = Outgoing {
            from_name: &from,
            from_address: &channel.address,
            to: &to,
            subject: &subject,
            message_id: &message_id,
            in_reply_to: None,
            references: &[],
            auto_submitted: None,
            date: now,
            text: &text,
            html: None,
            files: Vec::new(),
        };
        let result = match compose(&mail) {
            Ok(message) => deliver(&server, message).await,
            Err(f) => Err(f),
        };
        let answer = match result {
            Ok(answer) => TestMail { ok: true, answer },
            Err(f) => TestMail {
                ok: false,
                answer: f.answer,
            },
        };
        let mut conn = self.store.conn().await?;
        let target_id = id.to_string();
        let target = Some(crate::audit::Target {
            kind: "email_channel",
            id: &target_id,
        });
        crate::audit::write(
            &mut conn,
            self,
            actor,
            action::CHANNEL_TEST_MAIL,
            target,
            Some(json!({"to": mask_email(&to), "ok": answer.ok})),
        )
        .await?;
        Ok(answer)
    }
}
