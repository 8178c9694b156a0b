//! 收信设置 — a mailbox's IMAP server on its settings page: the form (the password written,
//! never shown), how reading goes (fetched, last checked, the server's last error and when
//! kefu tries again), and a connection test.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::channel::email::ImapForm;
use kefu_domain::channel::imap::{AfterFetch, ImapSecurity};
use kefu_store::mail::imap::ImapMailbox;

use super::admin_channels::ChannelPage;
use super::channel_admin::{Page, TestResult, test_frame};
use super::render;
use super::tickets::{Choice, field};
use super::versioned::{form_version, picked};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::local_time;

/// The IMAP form as shown: the stored server, or what the reader sent (never a password),
/// and how reading it goes.
pub struct ImapView {
    pub host: String,
    pub port: String,
    pub security: Vec<Choice>,
    pub username: String,
    pub password_set: bool,
    pub folder: String,
    pub after: Vec<Choice>,
    pub move_to: String,
    pub poll_secs: String,
    pub ca_pem: String,
    /// `收信：host:port · INBOX · 已收取 12 封 · 上次检查 …`; `None`: not fetched.
    pub summary: Option<String>,
    /// The server's last error, when reading is failing, with when kefu tries again.
    pub failing: Option<String>,
}

fn security_choices(t: Tr, selected: &str) -> Vec<Choice> {
    ImapSecurity::ALL
        .into_iter()
        .map(|s| Choice {
            value: s.key().to_owned(),
            label: t.tk("channels.imap_security_choice", s.key()),
            selected: s.key() == selected,
        })
        .collect()
}

fn after_choices(t: Tr, selected: &str) -> Vec<Choice> {
    AfterFetch::ALL
        .into_iter()
        .map(|a| Choice {
            value: a.key().to_owned(),
            label: t.tk("channels.imap_after_choice", a.key()),
            selected: a.key() == selected,
        })
        .collect()
}

/// The IMAP form of a mailbox whose server is `stored`, with the reader's input when
/// `submitted`.
pub(super) fn imap_view(
    t: Tr,
    stored: Option<&ImapMailbox>,
    submitted: Option<&[(String, String)]>,
) -> ImapView {
    let summary = stored.map(|m| {
        let checked = m
            .checked_at
            .map(local_time)
            .unwrap_or_else(|| t.t("channels.never").to_owned());
        let mode = t.t(if m.idle {
            "channels.imap_mode_idle"
        } else {
            "channels.imap_mode_poll"
        });
        t.f(
            "channels.imap_on",
            &[
                ("host", &m.host),
                ("port", &m.port.to_string()),
                ("folder", &m.folder),
                ("fetched", &m.fetched_total.to_string()),
                ("checked", &checked),
                ("mode", mode),
            ],
        )
    });
    let failing = stored
        .filter(|m| m.status.as_deref() == Some("error"))
        .map(|m| {
            t.f(
                "channels.imap_failing",
                &[
                    ("failures", &m.failures.to_string()),
                    ("error", m.error.as_deref().unwrap_or("")),
                    ("next", &local_time(m.next_at)),
                ],
            )
        });
    let password_set = stored.is_some();
    match submitted {
        Some(p) => ImapView {
            host: field(p, "imap_host").to_owned(),
            port: field(p, "imap_port").to_owned(),
            security: security_choices(t, field(p, "imap_security")),
            username: field(p, "imap_username").to_owned(),
            password_set,
            folder: field(p, "imap_folder").to_owned(),
            after: after_choices(t, field(p, "imap_after")),
            move_to: field(p, "imap_move_to").to_owned(),
            poll_secs: field(p, "imap_poll_secs").to_owned(),
            ca_pem: field(p, "imap_ca_pem").to_owned(),
            summary,
            failing,
        },
        None => ImapView {
            host: stored.map(|m| m.host.clone()).unwrap_or_default(),
            port: stored.map(|m| m.port.to_string()).unwrap_or_default(),
            security: security_choices(
                t,
                stored.map_or(ImapSecurity::Tls.key(), |m| m.security.as_str()),
            ),
            username: stored.map(|m| m.username.clone()).unwrap_or_default(),
            password_set,
            folder: stored.map_or_else(|| "INBOX".to_owned(), |m| m.folder.clone()),
            after: after_choices(
                t,
                stored.map_or(AfterFetch::MarkSeen.key(), |m| m.after_fetch.as_str()),
            ),
            move_to: stored.and_then(|m| m.move_to.clone()).unwrap_or_default(),
            poll_secs: stored.map(|m| m.poll_secs.to_string()).unwrap_or_default(),
            ca_pem: stored.and_then(|m| m.ca_pem.clone()).unwrap_or_default(),
            summary,
            failing,
        },
    }
}

impl ImapView {
    /// The form's fields as it shows them, labelled, for the stale-form notice.
    fn shown(&self, t: Tr) -> Vec<(String, String)> {
        vec![
            (t.t("channels.imap_host").to_owned(), self.host.clone()),
            (t.t("channels.imap_port").to_owned(), self.port.clone()),
            (
                t.t("channels.imap_security").to_owned(),
                picked(&self.security).unwrap_or_default(),
            ),
            (
                t.t("channels.imap_username").to_owned(),
                self.username.clone(),
            ),
            (t.t("channels.imap_folder").to_owned(), self.folder.clone()),
            (
                t.t("channels.imap_after").to_owned(),
                picked(&self.after).unwrap_or_default(),
            ),
        ]
    }
}

/// The IMAP form's values as sent (an empty password keeps the stored one).
fn imap_form(pairs: &[(String, String)]) -> ImapForm {
    ImapForm {
        host: field(pairs, "imap_host").to_owned(),
        port: field(pairs, "imap_port").to_owned(),
        security: field(pairs, "imap_security").to_owned(),
        username: field(pairs, "imap_username").to_owned(),
        password: field(pairs, "imap_password").to_owned(),
        folder: field(pairs, "imap_folder").to_owned(),
        after: field(pairs, "imap_after").to_owned(),
        move_to: field(pairs, "imap_move_to").to_owned(),
        poll_secs: field(pairs, "imap_poll_secs").to_owned(),
        ca_pem: field(pairs, "imap_ca_pem").to_owned(),
    }
}

/// Sets the mailbox's IMAP server against the version the page was rendered with. Refused,
/// the page comes back with the reader's input (never the password they typed); sent from
/// an older version, with 409 and what is stored now named above it.
pub async fn save(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let saved = state
        .app
        .save_imap_settings(&actor, id, &imap_form(&pairs), form_version(&pairs))
        .await;
    let e = match saved {
        Ok(()) => return Ok(Redirect::to(&format!("/admin/channels/{id}")).into_response()),
        Err(e) => e,
    };
    let stored_mailbox = state.app.email_channel_imap(&actor, id).await?;
    let mut page = ChannelPage::load(&state, &identity, id, None, None).await?;
    let stored = imap_view(t, stored_mailbox.as_ref(), None).shown(t);
    page.imap = imap_view(t, stored_mailbox.as_ref(), Some(&pairs));
    let sent = page.imap.shown(t);
    page.part_refused(e, &pairs, sent, stored, |page, message| {
        page.imap_error = Some(message);
    })
}

/// Connects to the mailbox's IMAP server now and shows how it went.
pub async fn test(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let tried = state.app.test_imap(&identity.actor(), id).await;
    let mut page = ChannelPage::load(&state, &identity, id, None, None).await?;
    let (status, frame) = test_frame(t, tried, |r| {
        let text = if r.ok {
            let idle = t.t(if r.idle {
                "channels.imap_mode_idle"
            } else {
                "channels.imap_mode_poll"
            });
            t.f(
                "channels.imap_test_ok",
                &[
                    ("messages", &r.messages.unwrap_or(0).to_string()),
                    ("mode", idle),
                ],
            )
        } else {
            t.f(
                "channels.imap_test_failed",
                &[("error", r.error.as_deref().unwrap_or(""))],
            )
        };
        TestResult { ok: r.ok, text }
    });
    page.imap_test = Some(frame);
    render(status, &page)
}
