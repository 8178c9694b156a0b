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
    /// 客服名片: the desk phone and work mobile customers are given.
    work_phone: String,
    work_mobile: String,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct AccountQuery {
    must_change: Option<String>,
    saved: Option<String>,
}

async fn page(
    state: &AppState,
    identity: &Identity,
    notice: Option<String>,
    error: Option<String>,
) -> Result<AccountPage, WebError> {
    let user = identity.user()?;
    let work = state.app.own_work_contact(&identity.actor()).await?;
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
        work_phone: work.phone.unwrap_or_default(),
        work_mobile: work.mobile.unwrap_or_default(),
        notice,
        error,
    })
}

pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<AccountQuery>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let notice = match q.saved.as_deref() {
        Some("password") => Some(t.t("account.password_saved").to_owned()),
        Some("locale") => Some(t.t("account.locale_saved").to_owned()),
        Some("contact") => Some(t.t("account.contact_saved").to_owned()),
        _ => None,
    };
    let mut p = page(&state, &identity, notice, None).await?;
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
            &page(&state, &identity, None, Some(message)).await?,
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

#[derive(Deserialize)]
pub struct ContactForm {
    #[serde(default)]
    work_phone: String,
    #[serde(default)]
    work_mobile: String,
}

/// `POST /account/contact`: the desk phone and work mobile customers are given.
pub async fn change_contact(
    State(state): State<AppState>,
    identity: Identity,
    Form(f): Form<ContactForm>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    match state
        .app
        .set_own_work_contact(&identity.actor(), &f.work_phone, &f.work_mobile)
        .await
    {
        Ok(()) => Ok(Redirect::to("/account?saved=contact").into_response()),
        Err(e) => {
            let info = WebError::from(e).into_info();
            let (status, message) = (info.status, info.message(t));
            let mut p = page(&state, &identity, None, Some(message)).await?;
            p.work_phone = f.work_phone;
            p.work_mobile = f.work_mobile;
            render(status, &p)
        }
    }
}
