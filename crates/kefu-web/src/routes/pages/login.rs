//! Signing in and out.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::header::{RETRY_AFTER, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::render;
use crate::AppState;
use crate::auth::{Identity, SESSION_COOKIE, safe_next, set_cookie};
use crate::error::WebError;
use crate::i18n::Tr;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    t: Tr,
    csrf: String,
    next: String,
    username: String,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    expired: Option<String>,
    signed_out: Option<String>,
}

pub async fn form(identity: Identity, Query(q): Query<LoginQuery>) -> Result<Response, WebError> {
    if identity.user.is_some() {
        return Ok(Redirect::to(safe_next(q.next.as_deref())).into_response());
    }
    let t = identity.tr();
    let notice = if q.expired.is_some() {
        Some(t.t("login.expired").to_owned())
    } else if q.signed_out.is_some() {
        Some(t.t("login.signed_out").to_owned())
    } else {
        None
    };
    let page = LoginPage {
        t,
        csrf: identity.csrf.clone(),
        next: safe_next(q.next.as_deref()).to_owned(),
        username: String::new(),
        notice,
        error: None,
    };
    render(axum::http::StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

pub async fn submit(
    State(state): State<AppState>,
    identity: Identity,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, WebError> {
    let ua = headers.get("user-agent").and_then(|v| v.to_str().ok());
    let next = safe_next(f.next.as_deref()).to_owned();
    match state
        .app
        .login(&f.username, &f.password, identity.ip.as_deref(), ua)
        .await
    {
        Ok(session) => {
            // Signing in over a live session (another account's, or a form left open) ends
            // it: a browser holds one sign-in, and an id issued before this one is dead.
            if let Some(old) = &identity.session_token
                && let Err(e) = state.app.logout(&identity.actor(), old).await
            {
                tracing::error!(error = %e, "could not end the session signed in over");
            }
            let to = if session.user.must_change_password {
                "/account?must_change=1"
            } else {
                &next
            };
            // The new session brings its own CSRF token (signed from its cookie), so the
            // pre-session cookie needs no renewal.
            let mut res = Redirect::to(to).into_response();
            res.headers_mut().append(
                SET_COOKIE,
                set_cookie(SESSION_COOKIE, &session.token, None, identity.secure),
            );
            Ok(res)
        }
        Err(e) => {
            let info = WebError::from(e).into_info();
            if info.status.is_server_error() {
                // The database away or full, or a fault: the error page (with its
                // `Retry-After`), not the form with a message the person cannot act on.
                let mut res = info.status.into_response();
                res.extensions_mut().insert(info);
                return Ok(res);
            }
            let t = identity.tr();
            let page = LoginPage {
                t,
                csrf: identity.csrf.clone(),
                next,
                username: f.username,
                notice: None,
                error: Some(info.message(t)),
            };
            let mut res = render(info.status, &page)?;
            if let Some(secs) = info.retry_after_secs {
                res.headers_mut()
                    .insert(RETRY_AFTER, HeaderValue::from(secs));
            }
            Ok(res)
        }
    }
}

pub async fn logout(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Response, WebError> {
    if let Some(token) = &identity.session_token {
        state.app.logout(&identity.actor(), token).await?;
    }
    let mut res = Redirect::to("/login?signed_out=1").into_response();
    res.headers_mut().append(
        SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", Some(0), identity.secure),
    );
    Ok(res)
}
