//! A user's own account: profile, language, password.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_domain::Locale;
use serde::Deserialize;

use super::render;
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::Layout;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    t: Tr,
    layout: Layout,
    username: String,
    display_name: String,
    roles: String,
    locale: &'static str,
    locales: Vec<(&'static str, String)>,
    must_change: bool,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct AccountQuery {
    must_change: Option<String>,
    saved: Option<String>,
}

fn page(
    identity: &Identity,
    notice: Option<String>,
    error: Option<String>,
) -> Result<AccountPage, WebError> {
    let user = identity.user()?;
    let t = identity.tr();
    let layout = Layout::new(identity, "/account");
    Ok(AccountPage {
        t,
        roles: layout.role_names(),
        layout,
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        locale: user.locale.key(),
        locales: Locale::ALL
            .iter()
            .map(|l| (l.key(), t.tk("locale", l.key())))
            .collect(),
        must_change: user.must_change_password,
        notice,
        error,
    })
}

pub async fn show(identity: Identity, Query(q): Query<AccountQuery>) -> Result<Response, WebError> {
    let t = identity.tr();
    let notice = match q.saved.as_deref() {
        Some("password") => Some(t.t("account.password_saved").to_owned()),
        Some("locale") => Some(t.t("account.locale_saved").to_owned()),
        _ => None,
    };
    let mut p = page(&identity, notice, None)?;
    p.must_change |= q.must_change.is_some();
    super::ok(&p)
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    identity: Identity,
    Form(f): Form<PasswordForm>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let result = if f.new != f.confirm {
        Err(t.t("account.password_mismatch").to_owned())
    } else {
        state
            .app
            .change_own_password(
                &identity.actor(),
                &f.current,
                &f.new,
                identity.session_token.as_deref(),
            )
            .await
            .map_err(|e| {
                let info = WebError::from(e).into_info();
                info.message(t)
            })
    };
    match result {
        Ok(()) => Ok(Redirect::to("/account?saved=password").into_response()),
        Err(message) => render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(&identity, None, Some(message))?,
        ),
    }
}

#[derive(Deserialize)]
pub struct LocaleForm {
    locale: String,
}

pub async fn change_locale(
    State(state): State<AppState>,
    identity: Identity,
    Form(f): Form<LocaleForm>,
) -> Result<Response, WebError> {
    let locale: Locale = crate::input::parse_key("locale", &f.locale)?;
    state.app.set_own_locale(&identity.actor(), locale).await?;
    Ok(Redirect::to("/account?saved=locale").into_response())
}
