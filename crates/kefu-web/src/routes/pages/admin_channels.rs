//! 渠道 — the administrator's e-mail channels: the list with what each received, adding
//! one (its webhook secret shown on that answer only), changing one against the version
//! seen, switching it off, rotating its secret, setting its SMTP server (the password
//! written, never shown) and trying it with a test mail; and each channel's failed list.
//! The IMAP part of a channel's page is `admin_channel_imap`.
//! The same page lists the telephone systems (see `admin_phone`).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::channel::email::{ChannelForm, IngestStatus, SmtpForm, needs_attention};
use kefu_domain::channel::mail_out::SmtpSecurity;
use kefu_store::mail::EmailChannel;
use serde::Deserialize;

use super::admin_channel_imap::{ImapView, imap_view};
use super::admin_phone::PhoneSection;
use super::channel_admin::{
    self, List, Page, SecretPage, TestResult, form_group, group_choices, group_shown, labelled,
    status_shown,
};
use super::render;
use super::tickets::show::size_text;
use super::tickets::{Choice, field};
use super::versioned::{SettingStale, form_version, picked, stale_version};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

/// Where a channel's mail is posted.
fn webhook_path(id: i64) -> String {
    format!("/api/v1/channels/email/{id}/inbound")
}

pub struct ChannelRow {
    pub id: i64,
    pub name: String,
    pub address: String,
    pub active: bool,
    pub group: String,
    pub last_received: String,
    pub failed: i64,
    pub webhook: String,
    /// How reading it by IMAP goes (`None`: not fetched), and whether that is failing.
    pub imap: Option<String>,
    pub imap_failing: bool,
    /// Its reading fails or failed mail waits (see the workbench tile).
    pub attention: bool,
}

#[derive(Template)]
#[template(path = "admin_channels.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    rows: Vec<ChannelRow>,
    groups: Vec<Choice>,
    /// What the create form was filled in with, shown again when refused.
    name: String,
    address: String,
    /// A channel just added: (id, its webhook secret), shown this once.
    new_secret: Option<(i64, String)>,
    error: Option<String>,
    /// The telephone systems, and the form that adds one.
    phone: PhoneSection,
    /// Only the mailboxes that need attention are listed.
    attention_only: bool,
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
            .email_channels(&identity.actor())
            .await?
            .into_iter()
            .map(|v| ChannelRow {
                attention: needs_attention(&v),
                id: v.channel.id,
                name: v.channel.name,
                address: v.channel.address,
                active: v.channel.active,
                group: v.channel.group_name.unwrap_or_else(|| "—".into()),
                last_received: v
                    .last_received_at
                    .map(local_time)
                    .unwrap_or_else(|| t.t("channels.never").to_owned()),
                failed: v.failed,
                webhook: webhook_path(v.channel.id),
                imap_failing: v
                    .imap
                    .as_ref()
                    .is_some_and(|m| m.status.as_deref() == Some("error")),
                imap: v.imap.as_ref().map(|m| {
                    t.f(
                        match m.status.as_deref() {
                            Some("error") => "channels.imap_badge_failing",
                            _ => "channels.imap_badge",
                        },
                        &[("host", &m.host)],
                    )
                }),
            })
            .collect();
        let pairs = submitted.unwrap_or_default();
        Ok(ListPage {
            t,
            layout: Layout::new(identity, "/admin/channels"),
            rows,
            groups: group_choices(state, identity, field(pairs, "group")).await?,
            name: field(pairs, "name").to_owned(),
            address: field(pairs, "address").to_owned(),
            new_secret: None,
            error: None,
            phone: super::admin_phone::section(state, identity, None).await?,
            attention_only: false,
        })
    }

    fn error(&mut self) -> &mut Option<String> {
        &mut self.error
    }
}

/// The channels page with the telephone part as given (a system just added, or the add
/// form refused), answered with `status`.
pub(super) async fn list_with_phone(
    state: &AppState,
    identity: &Identity,
    phone: PhoneSection,
    status: StatusCode,
) -> Result<Response, WebError> {
    let mut page = ListPage::load(state, identity, None).await?;
    page.phone = phone;
    render(status, &page)
}

#[derive(Deserialize)]
pub struct ListQuery {
    /// Only the mailboxes that need attention (the workbench tile's link).
    attention: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let mut page = ListPage::load(&state, &identity, None).await?;
    if q.attention.is_some_and(|a| a == "1") {
        page.attention_only = true;
        page.rows.retain(|r| r.attention);
    }
    super::ok(&page)
}

/// Adds a channel; the answer shows its secret, which no page shows again.
pub async fn create(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = ChannelForm {
        name: field(&pairs, "name").to_owned(),
        address: field(&pairs, "address").to_owned(),
        group_id: form_group(&pairs)?,
        active: true,
    };
    let created = state
        .app
        .create_email_channel(&identity.actor(), &form)
        .await;
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

/// The SMTP form as shown: the stored server, or what the reader sent (never a password).
pub struct SmtpView {
    pub host: String,
    pub port: String,
    pub security: Vec<Choice>,
    pub username: String,
    pub from_name: String,
    /// A password is stored (the field stays empty either way).
    pub password_set: bool,
    /// `发信：host:port` when the stored channel has a server.
    pub summary: Option<String>,
}

fn security_choices(t: Tr, selected: &str) -> Vec<Choice> {
    SmtpSecurity::ALL
        .into_iter()
        .map(|s| Choice {
            value: s.key().to_owned(),
            label: t.tk("channels.security", s.key()),
            selected: s.key() == selected,
        })
        .collect()
}

/// The SMTP form of channel `c`, with the reader's input when `submitted`.
fn smtp_view(t: Tr, c: &EmailChannel, submitted: Option<&[(String, String)]>) -> SmtpView {
    let stored = c.smtp.as_ref();
    let summary = stored.map(|s| {
        t.f(
            "channels.smtp_on",
            &[("host", &s.host), ("port", &s.port.to_string())],
        )
    });
    let password_set = stored.is_some_and(|s| s.has_password);
    match submitted {
        Some(p) => SmtpView {
            host: field(p, "smtp_host").to_owned(),
            port: field(p, "smtp_port").to_owned(),
            security: security_choices(t, field(p, "smtp_security")),
            username: field(p, "smtp_username").to_owned(),
            from_name: field(p, "smtp_from_name").to_owned(),
            password_set,
            summary,
        },
        None => SmtpView {
            host: stored.map(|s| s.host.clone()).unwrap_or_default(),
            port: stored.map(|s| s.port.to_string()).unwrap_or_default(),
            security: security_choices(
                t,
                stored.map_or(SmtpSecurity::StartTls.key(), |s| s.security.as_str()),
            ),
            username: stored.map(|s| s.username.clone()).unwrap_or_default(),
            from_name: stored.map(|s| s.from_name.clone()).unwrap_or_default(),
            password_set,
            summary,
        },
    }
}

impl SmtpView {
    /// The SMTP form's fields as it shows them, labelled, for the stale-form notice.
    fn shown(&self, t: Tr) -> Vec<(String, String)> {
        vec![
            (t.t("channels.smtp_host").to_owned(), self.host.clone()),
            (t.t("channels.smtp_port").to_owned(), self.port.clone()),
            (
                t.t("channels.smtp_security").to_owned(),
                picked(&self.security).unwrap_or_default(),
            ),
            (
                t.t("channels.smtp_username").to_owned(),
                self.username.clone(),
            ),
            (
                t.t("channels.smtp_from_name").to_owned(),
                self.from_name.clone(),
            ),
        ]
    }
}

#[derive(Template)]
#[template(path = "admin_channel_form.html")]
pub(super) struct ChannelPage {
    t: Tr,
    layout: Layout,
    id: i64,
    name: String,
    address: String,
    groups: Vec<Choice>,
    active: bool,
    /// The channel's version the forms were rendered with.
    version: String,
    webhook: String,
    /// A secret just made by rotating, shown this once.
    new_secret: Option<String>,
    error: Option<String>,
    stale: Option<SettingStale>,
    smtp: SmtpView,
    /// Why the SMTP form was refused.
    smtp_error: Option<String>,
    /// The test mail's address as typed, and what came of it.
    test_to: String,
    test_result: Option<TestResult>,
    pub(super) imap: ImapView,
    /// Why the IMAP form was refused.
    pub(super) imap_error: Option<String>,
    /// What the connection test came to.
    pub(super) imap_test: Option<TestResult>,
}

impl Page for ChannelPage {
    async fn load(
        state: &AppState,
        identity: &Identity,
        id: i64,
        submitted: Option<&[(String, String)]>,
        error: Option<String>,
    ) -> Result<ChannelPage, WebError> {
        let c: EmailChannel = state.app.email_channel(&identity.actor(), id).await?;
        let imap = state.app.email_channel_imap(&identity.actor(), id).await?;
        let (name, address, group, version) = match submitted {
            Some(p) => (
                field(p, "name").to_owned(),
                field(p, "address").to_owned(),
                field(p, "group").to_owned(),
                field(p, "version").to_owned(),
            ),
            None => (
                c.name.clone(),
                c.address.clone(),
                c.group_id.map(|g| g.to_string()).unwrap_or_default(),
                c.version.to_string(),
            ),
        };
        let t = identity.tr();
        Ok(ChannelPage {
            t,
            layout: Layout::new(identity, "/admin/channels"),
            id,
            name,
            address,
            groups: group_choices(state, identity, &group).await?,
            active: c.active,
            version,
            webhook: webhook_path(id),
            new_secret: None,
            error,
            stale: None,
            smtp: smtp_view(t, &c, None),
            smtp_error: None,
            test_to: String::new(),
            test_result: None,
            imap: imap_view(t, imap.as_ref(), None),
            imap_error: None,
            imap_test: None,
        })
    }

    fn shown(&self) -> Vec<(String, String)> {
        let t = self.t;
        vec![
            labelled(t, "channels.name", &self.name),
            labelled(t, "channels.address", &self.address),
            group_shown(t, "channels.group", &self.groups),
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

impl ChannelPage {
    /// The page again after its SMTP or IMAP form was refused, `sent` and `stored` being
    /// that form as the reader sent it and as stored: 409 with what is stored now named
    /// above it when another administrator changed the channel meanwhile, else the form's
    /// refusal, which `refused` puts beside it.
    pub(super) fn part_refused(
        mut self,
        e: kefu_app::AppError,
        pairs: &[(String, String)],
        sent: Vec<(String, String)>,
        stored: Vec<(String, String)>,
        refused: impl FnOnce(&mut ChannelPage, String),
    ) -> Result<Response, WebError> {
        if let Some(current) = stale_version(&e) {
            self.stale = Some(SettingStale::new(self.t, current, sent, stored));
            return render(StatusCode::CONFLICT, &self);
        }
        // The form goes back with the version it was made against, so its next save is
        // still checked against what the reader saw.
        self.version = field(pairs, "version").to_owned();
        let (status, message) = super::refusal(e, self.t);
        refused(&mut self, message);
        render(status, &self)
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
    let current = state.app.email_channel(&actor, id).await?;
    let form = ChannelForm {
        name: field(&pairs, "name").to_owned(),
        address: field(&pairs, "address").to_owned(),
        group_id: form_group(&pairs)?,
        active: current.active,
    };
    let saved = state
        .app
        .save_email_channel(&actor, id, &form, form_version(&pairs))
        .await;
    let to = "/admin/channels";
    channel_admin::answer::<ChannelPage>(&state, &identity, id, &pairs, saved, to).await
}

/// Switches the channel off (`active=0`) or on (`active=1`).
pub async fn set_active(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let active = channel_admin::form_active(&pairs);
    let done = state
        .app
        .set_email_channel_active(&identity.actor(), id, active, form_version(&pairs))
        .await;
    let to = "/admin/channels";
    channel_admin::answer::<ChannelPage>(&state, &identity, id, &pairs, done, to).await
}

/// A new secret for the channel, shown on this answer only.
pub async fn rotate(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let rotated = state
        .app
        .rotate_channel_secret(&identity.actor(), id, form_version(&pairs))
        .await;
    channel_admin::rotated::<ChannelPage>(&state, &identity, id, &pairs, rotated).await
}

/// The SMTP form's values as sent (an empty password keeps the stored one).
fn smtp_form(pairs: &[(String, String)]) -> SmtpForm {
    SmtpForm {
        host: field(pairs, "smtp_host").to_owned(),
        port: field(pairs, "smtp_port").to_owned(),
        security: field(pairs, "smtp_security").to_owned(),
        username: field(pairs, "smtp_username").to_owned(),
        password: field(pairs, "smtp_password").to_owned(),
        from_name: field(pairs, "smtp_from_name").to_owned(),
    }
}

/// Sets the channel's SMTP server against the version the page was rendered with. Refused,
/// the page comes back with the reader's input (never the password they typed); sent from
/// an older version, with 409 and what is stored now named above it.
pub async fn save_smtp(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let saved = state
        .app
        .save_smtp_settings(&actor, id, &smtp_form(&pairs), form_version(&pairs))
        .await;
    let e = match saved {
        Ok(()) => return Ok(Redirect::to(&format!("/admin/channels/{id}")).into_response()),
        Err(e) => e,
    };
    let channel = state.app.email_channel(&actor, id).await?;
    let mut page = ChannelPage::load(&state, &identity, id, None, None).await?;
    let stored = smtp_view(t, &channel, None).shown(t);
    page.smtp = smtp_view(t, &channel, Some(&pairs));
    let sent = page.smtp.shown(t);
    page.part_refused(e, &pairs, sent, stored, |page, message| {
        page.smtp_error = Some(message);
    })
}

/// Sends a test mail through the channel's server and shows the server's answer — a
/// refusal (`550 …`) included, in a translated frame.
pub async fn test_mail(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let to = field(&pairs, "to").to_owned();
    let sent = state.app.send_test_mail(&identity.actor(), id, &to).await;
    let mut page = ChannelPage::load(&state, &identity, id, None, None).await?;
    page.test_to = to;
    let keys = ("channels.test_ok", "channels.test_failed");
    let (status, frame) =
        channel_admin::test_frame(t, sent, |a| TestResult::answer(t, a.ok, &a.answer, keys));
    page.test_result = Some(frame);
    render(status, &page)
}

pub struct FailedRow {
    pub id: i64,
    pub received: String,
    pub size: String,
    pub reason: String,
    pub detail: String,
    pub sender: String,
    pub source: String,
}

#[derive(Template)]
#[template(path = "admin_channel_failed.html")]
struct FailedPage {
    t: Tr,
    layout: Layout,
    id: i64,
    name: String,
    rows: Vec<FailedRow>,
    /// What the last retry did, and its ticket.
    outcome: Option<(String, Option<i64>)>,
}

#[derive(Deserialize)]
pub struct FailedQuery {
    outcome: Option<String>,
    ticket: Option<i64>,
}

/// The retry outcomes the page words.
const OUTCOMES: &[IngestStatus] = &[
    IngestStatus::TicketCreated,
    IngestStatus::AddedToTicket,
    IngestStatus::Duplicate,
    IngestStatus::Failed,
    IngestStatus::Bounce,
];

pub async fn failed(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Query(q): Query<FailedQuery>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let channel = state.app.email_channel(&actor, id).await?;
    let rows = state
        .app
        .failed_mails(&actor, id)
        .await?
        .into_iter()
        .map(|m| FailedRow {
            id: m.id,
            received: local_time(m.received_at),
            size: size_text(m.size),
            reason: t.tk("channels.reason", &m.reason),
            detail: m.detail,
            sender: m.sender.unwrap_or_else(|| "—".into()),
            source: t.tk("channels.source", &m.source),
        })
        .collect();
    let outcome = q
        .outcome
        .filter(|o| OUTCOMES.iter().any(|s| s.key() == o.as_str()))
        .map(|o| (t.tk("channels.outcome", &o), q.ticket));
    super::ok(&FailedPage {
        t,
        layout: Layout::new(&identity, "/admin/channels"),
        id,
        name: channel.name,
        rows,
        outcome,
    })
}

/// A mail the channel received, as it arrived.
pub async fn raw(
    State(state): State<AppState>,
    identity: Identity,
    Path((id, mail)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let (name, bytes) = state
        .app
        .inbound_mail_raw(&identity.actor(), id, mail)
        .await?;
    Ok(crate::upload::serve(&name, "message/rfc822", bytes))
}

/// Tries a failed mail again; the failed list says what became of it.
pub async fn retry(
    State(state): State<AppState>,
    identity: Identity,
    Path((id, mail)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let outcome = state
        .app
        .retry_failed_mail(&identity.actor(), id, mail)
        .await?;
    let mut to = format!(
        "/admin/channels/{id}/failed?outcome={}",
        outcome.status.key()
    );
    if let Some(ticket) = outcome.ticket_id {
        to.push_str(&format!("&ticket={ticket}"));
    }
    Ok(Redirect::to(&to).into_response())
}

pub async fn discard(
    State(state): State<AppState>,
    identity: Identity,
    Path((id, mail)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    state
        .app
        .discard_failed_mail(&identity.actor(), id, mail)
        .await?;
    Ok(Redirect::to(&format!("/admin/channels/{id}/failed")).into_response())
}
