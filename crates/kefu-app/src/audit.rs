//! Writing and reading the audit log of sensitive actions.

use kefu_domain::{Permission, Role};
use kefu_store::AnyConnection;
use kefu_store::audit::{self, AuditEntry, AuditFilter, NewAuditEntry};

use crate::workbench::{
    Count, Filled, Label, Reader, TileBody, TileFuture, TileLine, TileSpec, start_of_day,
};
use crate::{Actor, App, Result};

/// Names of audited actions, as stored.
pub mod action {
    pub const LOGIN_SUCCEEDED: &str = "login_succeeded";
    pub const LOGIN_FAILED: &str = "login_failed";
    pub const LOGIN_THROTTLED: &str = "login_throttled";
    pub const LOGOUT: &str = "logout";
    pub const PASSWORD_CHANGED: &str = "password_changed";
    pub const PASSWORD_RESET: &str = "password_reset";
    pub const USER_CREATED: &str = "user_created";
    pub const USER_UPDATED: &str = "user_updated";
    pub const ROLES_CHANGED: &str = "roles_changed";
    pub const USER_DEACTIVATED: &str = "user_deactivated";
    pub const USER_ACTIVATED: &str = "user_activated";
    pub const TOKEN_CREATED: &str = "token_created";
    pub const TOKEN_REVOKED: &str = "token_revoked";
    pub const TOKEN_REJECTED: &str = "token_rejected";
    pub const CSRF_REJECTED: &str = "csrf_rejected";
    pub const ACCESS_DENIED: &str = "access_denied";
    pub const PORTAL_REGISTERED: &str = "portal_registered";
    pub const PORTAL_LOGIN_FAILED: &str = "portal_login_failed";
    /// A portal sign-in refused unread because the account or the address failed too often
    /// (the e-mail as typed is the target, whether or not an account has it).
    pub const PORTAL_LOGIN_THROTTLED: &str = "portal_login_throttled";
    /// A portal account proved an e-mail address or mobile (the address is not recorded).
    pub const PORTAL_ADDRESS_VERIFIED: &str = "portal_address_verified";
    /// A wrong portal code was entered (the code is not recorded).
    pub const PORTAL_CODE_FAILED: &str = "portal_code_failed";
    pub const WEB_FORM_SUBMITTED: &str = "web_form_submitted";
    pub const SCRIPT_REVIEWED: &str = "script_reviewed";
    /// 查看敏感信息 — someone revealed a masked customer field.
    pub const SENSITIVE_REVEALED: &str = "sensitive_revealed";
    /// Customers exported with sensitive values in clear.
    pub const SENSITIVE_EXPORTED: &str = "sensitive_exported";
    pub const CUSTOMERS_IMPORTED: &str = "customers_imported";
    /// An administrator granted or withdrew a permission for a role (who may reveal).
    pub const GRANT_CHANGED: &str = "grant_changed";
    /// 渠道 — an e-mail channel added, changed, switched off or on, its secret rotated
    /// (never recorded), a failed mail discarded.
    pub const CHANNEL_CREATED: &str = "channel_created";
    pub const CHANNEL_UPDATED: &str = "channel_updated";
    pub const CHANNEL_DEACTIVATED: &str = "channel_deactivated";
    pub const CHANNEL_ACTIVATED: &str = "channel_activated";
    pub const CHANNEL_SECRET_ROTATED: &str = "channel_secret_rotated";
    /// A channel's SMTP server set or taken away (the server, never the password).
    pub const CHANNEL_SMTP_UPDATED: &str = "channel_smtp_updated";
    /// A channel's IMAP server set or taken away (the server, never the password).
    pub const CHANNEL_IMAP_UPDATED: &str = "channel_imap_updated";
    /// A channel's IMAP server tried (whether it answered; never the password).
    pub const CHANNEL_IMAP_TESTED: &str = "channel_imap_tested";
    /// A test mail sent through a channel's server (to whom, masked, and whether it went).
    pub const CHANNEL_TEST_MAIL: &str = "channel_test_mail";
    pub const FAILED_MAIL_DISCARDED: &str = "failed_mail_discarded";
    /// A received mail's original downloaded (it holds addresses in clear).
    pub const MAIL_DOWNLOADED: &str = "mail_downloaded";
    /// A post to a channel's webhook without a valid signature: the channel and the
    /// reason, never the body or a secret.
    pub const WEBHOOK_REJECTED: &str = "webhook_rejected";
    /// 分机 — a telephone system's extension mapped to an agent, or unmapped.
    pub const EXTENSION_MAPPED: &str = "extension_mapped";
    /// A test text sent through an SMS gateway (to whom, masked, and whether it went).
    pub const CHANNEL_TEST_SMS: &str = "channel_test_sms";
    /// 退订 — a customer's text asked for no more texts: the contact (or, nobody's, the
    /// number, masked) that refuses them from now on.
    pub const SMS_OPTED_OUT: &str = "sms_opted_out";
    /// 微信公众号 — an official account tried from its settings page (an access token
    /// fetched): WeChat's errcode when it refused, never the AppSecret.
    pub const WECHAT_CHANNEL_TESTED: &str = "wechat_channel_tested";
    /// A WeChat follower (OpenID) linked to a contact of the archive by an agent.
    pub const WECHAT_FOLLOWER_LINKED: &str = "wechat_follower_linked";
    /// 在线客服 — a page on a web site the chat channel does not allow tried to open its
    /// widget (the channel and the page's origin).
    pub const CHAT_ORIGIN_REFUSED: &str = "chat_origin_refused";
    /// A visitor left a message through a chat channel's offline form (its ticket).
    pub const CHAT_OFFLINE_SUBMITTED: &str = "chat_offline_submitted";
    /// 接待上限 — how many chats an agent takes at once was set.
    pub const CHAT_LIMIT_SET: &str = "chat_limit_set";
    /// 恢复备份 — the database was filled from a backup (`kefu restore`): which backup, and
    /// whether it replaced data by force.
    pub const DATABASE_RESTORED: &str = kefu_store::backup::RESTORED_ACTION;
}

/// What an audit entry is about.
pub struct Target<'a> {
    pub kind: &'a str,
    pub id: &'a str,
}

/// Appends one entry in the caller's transaction.
pub(crate) async fn write(
    conn: &mut AnyConnection,
    app: &App,
    actor: &Actor,
    action: &str,
    target: Option<Target<'_>>,
    detail: Option<serde_json::Value>,
) -> Result<()> {
    let detail = detail.map(|d| d.to_string());
    let entry = NewAuditEntry {
        actor_user_id: actor.user_id(),
        actor_name: Some(actor.name()),
        action,
        target_type: target.as_ref().map(|t| t.kind),
        target_id: target.as_ref().map(|t| t.id),
        ip: actor.ip.as_deref(),
        detail: detail.as_deref(),
    };
    audit::append(conn, &entry, app.now()).await?;
    Ok(())
}

impl App {
    /// Records a security event that is not part of a larger write (a forged form, a
    /// refused route).
    pub async fn audit_event(
        &self,
        actor: &Actor,
        action: &str,
        target: Option<Target<'_>>,
        detail: Option<serde_json::Value>,
    ) -> Result<()> {
        let mut conn = self.store.conn().await?;
        write(&mut conn, self, actor, action, target, detail).await
    }

    /// The audit log, newest first.
    pub async fn audit_log(
        &self,
        actor: &Actor,
        filter: &AuditFilter<'_>,
    ) -> Result<Vec<AuditEntry>> {
        actor.require(Permission::AuditView)?;
        let mut conn = self.store.conn().await?;
        let mut f = filter.clone();
        f.limit = f.limit.clamp(1, 500);
        Ok(audit::list(&mut conn, &f).await?)
    }
}

pub(crate) const TILES: &[TileSpec] = &[TileSpec {
    key: "audit.sensitive_today",
    title: "workbench.tile.sensitive_today",
    roles: &[Role::InfoSpecialist],
    permission: Permission::AuditView,
    fill: sensitive_today,
}];

/// 今日敏感信息 — today's reveals of masked values and exports with sensitive values in
/// clear (seed 000 §(五)3), each opening today's entries of that action in the audit log.
fn sensitive_today<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let actions = [action::SENSITIVE_REVEALED, action::SENSITIVE_EXPORTED];
        let counts = {
            let mut conn = app.store.conn().await?;
            audit::count_actions_since(&mut conn, &actions, start_of_day(r.now)).await?
        };
        let lines = actions
            .iter()
            .map(|a| {
                let n = counts.iter().find(|(k, _)| k == a).map_or(0, |(_, n)| *n);
                TileLine {
                    label: Label::Keyed("audit.action", (*a).to_owned()),
                    count: Count::exact(n),
                    link: format!("/admin/audit?action={a}&today=1"),
                    alert: false,
                    note: None,
                }
            })
            .collect();
        Ok(Some(Filled {
            link: Some("/admin/audit".to_owned()),
            body: TileBody::Lines(lines),
            hint: None,
        }))
    })
}
