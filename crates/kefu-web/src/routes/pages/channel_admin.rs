//! What the channels' administration pages share (邮箱, 电话系统, 短信网关, 公众号, 在线客服):
//! the group select, the add form answered with the list and what it shows this once,
//! a settings page shown again after a refused form — with 409 and the values stored now
//! named above it when another administrator saved first —, a rotated secret shown on that
//! answer only, and the frame a test's answer is shown in. The templates' side is
//! `templates/_channel_admin.html`.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::channel::email::NewSecret;

use super::render;
use super::tickets::{Choice, field, non_empty};
use super::versioned::{SettingStale, at_version, picked, stale_version};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;

/// A list of channels with the form that adds one.
pub(super) trait List: Template + Sized {
    /// The list, with the add form as the reader filled it in when `submitted`.
    fn load(
        state: &AppState,
        identity: &Identity,
        submitted: Option<&[(String, String)]>,
    ) -> impl Future<Output = Result<Self, WebError>> + Send;

    /// Why the add form was refused, shown above it.
    fn error(&mut self) -> &mut Option<String>;
}

/// One channel's settings page.
pub(super) trait Page: Template + Sized {
    /// Channel `id`'s page: its stored settings, or the reader's input when `submitted`,
    /// with why it was refused when `error`.
    fn load(
        state: &AppState,
        identity: &Identity,
        id: i64,
        submitted: Option<&[(String, String)]>,
        error: Option<String>,
    ) -> impl Future<Output = Result<Self, WebError>> + Send;

    /// The settings form's fields as it shows them, labelled, for the stale-form notice.
    fn shown(&self) -> Vec<(String, String)>;

    /// The notice above a form sent from an older version.
    fn stale(&mut self) -> &mut Option<SettingStale>;
}

/// A settings page that can show a secret just made by rotating, this once.
pub(super) trait SecretPage: Page {
    fn new_secret(&mut self) -> &mut Option<String>;
}

/// The groups as a select: none, then each.
pub(super) async fn group_choices(
    state: &AppState,
    identity: &Identity,
    selected: &str,
) -> Result<Vec<Choice>, WebError> {
    let groups = state.app.ticket_groups(&identity.actor()).await?;
    Ok(std::iter::once(Choice {
        value: String::new(),
        label: "—".into(),
        selected: selected.is_empty(),
    })
    .chain(groups.into_iter().map(|g| Choice {
        selected: g.id.to_string() == selected,
        value: g.id.to_string(),
        label: g.name,
    }))
    .collect())
}

/// A whole number the form field `name` holds: empty for none (the group) or the default.
pub(super) fn form_number(pairs: &[(String, String)], name: &str) -> Result<Option<i64>, WebError> {
    non_empty(field(pairs, name))
        .map(|v| {
            v.parse::<i64>()
                .map_err(|_| WebError::bad_request("invalid_field", format!("{name}: {v:?}")))
        })
        .transpose()
}

/// The form's group: empty for none.
pub(super) fn form_group(pairs: &[(String, String)]) -> Result<Option<i64>, WebError> {
    form_number(pairs, "group")
}

/// The switch form's choice: `active=1` on, anything else off.
pub(super) fn form_active(pairs: &[(String, String)]) -> bool {
    field(pairs, "active") == "1"
}

/// A field as the form shows it, labelled by the translation `key`.
pub(super) fn labelled(t: Tr, key: &str, value: &str) -> (String, String) {
    (t.t(key).to_owned(), value.to_owned())
}

/// The group select as the form shows it: its chosen group's name.
pub(super) fn group_shown(t: Tr, key: &str, groups: &[Choice]) -> (String, String) {
    labelled(t, key, &picked(groups).unwrap_or_default())
}

/// Whether the channel is on, as its badge says.
pub(super) fn status_shown(t: Tr, active: bool) -> (String, String) {
    let status = if active {
        "channels.active"
    } else {
        "channels.inactive"
    };
    labelled(t, "common.status", t.t(status))
}

/// The answer to the form that adds a channel: the list (201) with what `show` puts on it
/// this once — the secret, which no page shows again —, or, refused, the list with the
/// reader's input and why.
pub(super) async fn created<L: List, T>(
    state: &AppState,
    identity: &Identity,
    pairs: &[(String, String)],
    created: kefu_app::Result<T>,
    show: impl FnOnce(&mut L, T),
) -> Result<Response, WebError> {
    match created {
        Ok(new) => {
            let mut page = L::load(state, identity, None).await?;
            show(&mut page, new);
            render(StatusCode::CREATED, &page)
        }
        Err(e) => {
            let (status, message) = super::refusal(e, identity.tr());
            let mut page = L::load(state, identity, Some(pairs)).await?;
            *page.error() = Some(message);
            render(status, &page)
        }
    }
}

/// Channel `id`'s settings page as stored.
pub(super) async fn show<P: Page>(
    state: &AppState,
    identity: &Identity,
    id: i64,
) -> Result<Response, WebError> {
    super::ok(&P::load(state, identity, id, None, None).await?)
}

/// The channel's page again after a refusal: 409 with what is stored now named above it
/// when another administrator changed the channel meanwhile (the reader's input kept,
/// carrying the current version), else the refusal's message.
pub(super) async fn refused<P: Page>(
    state: &AppState,
    identity: &Identity,
    id: i64,
    pairs: &[(String, String)],
    e: WebError,
) -> Result<Response, WebError> {
    if let WebError::App(app) = &e
        && let Some(current) = stale_version(app)
    {
        let stored = P::load(state, identity, id, None, None).await?;
        let sent = at_version(pairs, current);
        let mut page = P::load(state, identity, id, Some(&sent), None).await?;
        let stale = SettingStale::new(identity.tr(), current, page.shown(), stored.shown());
        *page.stale() = Some(stale);
        return render(StatusCode::CONFLICT, &page);
    }
    let (status, message) = super::input_refusal(e, identity.tr());
    render(
        status,
        &P::load(state, identity, id, Some(pairs), Some(message)).await?,
    )
}

/// The answer to a settings form (the settings, the on/off switch): on to `to` once done,
/// else the page again as [`refused`] says.
pub(super) async fn answer<P: Page>(
    state: &AppState,
    identity: &Identity,
    id: i64,
    pairs: &[(String, String)],
    done: Result<impl Sized, impl Into<WebError>>,
    to: &str,
) -> Result<Response, WebError> {
    match done {
        Ok(_) => Ok(Redirect::to(to).into_response()),
        Err(e) => refused::<P>(state, identity, id, pairs, e.into()).await,
    }
}

/// The answer to rotating a channel's secret: its page with the new secret, shown on this
/// answer only.
pub(super) async fn rotated<P: SecretPage>(
    state: &AppState,
    identity: &Identity,
    id: i64,
    pairs: &[(String, String)],
    rotated: kefu_app::Result<NewSecret>,
) -> Result<Response, WebError> {
    match rotated {
        Ok(created) => {
            let mut page = P::load(state, identity, id, None, None).await?;
            *page.new_secret() = Some(created.secret);
            super::ok(&page)
        }
        Err(e) => refused::<P>(state, identity, id, pairs, e.into()).await,
    }
}

/// What a test (a test mail or text, an IMAP connection, fetching a WeChat token) came to:
/// whether it went through, and in words, in a frame on the channel's page.
pub struct TestResult {
    pub ok: bool,
    pub text: String,
}

impl TestResult {
    /// A server's `answer`, worded by `keys`: (it went through, it was refused).
    pub(super) fn answer(t: Tr, ok: bool, answer: &str, keys: (&str, &str)) -> TestResult {
        let key = if ok { keys.0 } else { keys.1 };
        TestResult {
            ok,
            text: t.f(key, &[("answer", answer)]),
        }
    }
}

/// The frame of a test that ran (worded by `word`, 200) or that was refused before it ran
/// (the refusal's message, with its status).
pub(super) fn test_frame<A>(
    t: Tr,
    tried: kefu_app::Result<A>,
    word: impl FnOnce(A) -> TestResult,
) -> (StatusCode, TestResult) {
    match tried {
        Ok(a) => (StatusCode::OK, word(a)),
        Err(e) => {
            let (status, message) = super::refusal(e, t);
            (
                status,
                TestResult {
                    ok: false,
                    text: message,
                },
            )
        }
    }
}
