//! 地址验证 and 手机号登录 at the edge: the verification link, the mobile code forms (sign-in
//! and proving the signed-in account's mobile), and asking for another link. Every address
//! shown back is masked.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::AppError;
use kefu_app::portal::CodeSent;
use kefu_domain::portal::VerifyError;

use super::{LoginPage, PortalLayout, home_page, signed_in};
use crate::AppState;
use crate::auth::{Identity, safe_next};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::routes::pages::tickets::{field, non_empty};
use crate::routes::pages::{ok, refusal, render};

/// Where the sign-in code form posts.
const SIGN_IN_CONFIRM: &str = "/portal/login/code/confirm";
/// Where the form proving the signed-in account's mobile posts.
const MOBILE_CONFIRM: &str = "/portal/verify/mobile/confirm";

#[derive(Template)]
#[template(path = "portal_code.html")]
struct CodePage {
    t: Tr,
    layout: PortalLayout,
    /// Signing in (else proving the signed-in account's mobile).
    sign_in: bool,
    action: &'static str,
    handle: String,
    /// Where the code went and for how long it works.
    sent: String,
    next: String,
    error: Option<String>,
}

fn code_page(
    identity: &Identity,
    sign_in: bool,
    handle: &str,
    sent: String,
    next: String,
    error: Option<String>,
) -> CodePage {
    CodePage {
        t: identity.tr(),
        layout: PortalLayout::new(identity),
        sign_in,
        action: if sign_in {
            SIGN_IN_CONFIRM
        } else {
            MOBILE_CONFIRM
        },
        handle: handle.to_owned(),
        sent,
        next,
        error,
    }
}

fn sent_text(t: Tr, sent: &CodeSent) -> String {
    t.f(
        "portal.code_sent",
        &[
            ("mobile", &sent.masked),
            ("minutes", &sent.minutes.to_string()),
        ],
    )
}

/// The sign-in page with a refusal of its mobile form; the number typed is not shown back.
fn login_with_mobile_error(identity: &Identity, next: String, message: String) -> LoginPage {
    LoginPage {
        t: identity.tr(),
        layout: PortalLayout::new(identity),
        register: false,
        values: Vec::new(),
        next,
        error: None,
        mobile_error: Some(message),
    }
}

/// 手机号登录, first step: a code to the mobile typed; the same answer whether or not an
/// account has it.
pub async fn send_sign_in_code(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let next = safe_next(non_empty(field(&pairs, "next"))).to_owned();
    match state
        .app
        .send_sign_in_code(
            field(&pairs, "mobile"),
            identity.ip.as_deref(),
            identity.locale,
        )
        .await
    {
        Ok(sent) => {
            let text = sent_text(identity.tr(), &sent);
            ok(&code_page(&identity, true, &sent.handle, text, next, None))
        }
        Err(e) => {
            let (status, message) = refusal(e, identity.tr());
            render(status, &login_with_mobile_error(&identity, next, message))
        }
    }
}

/// 手机号登录, second step: the code signs in.
pub async fn confirm_sign_in_code(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let next = safe_next(non_empty(field(&pairs, "next"))).to_owned();
    let handle = field(&pairs, "handle");
    match state
        .app
        .sign_in_with_code(handle, field(&pairs, "code"), identity.ip.as_deref())
        .await
    {
        Ok(session) => Ok(signed_in(&identity, &session.token, &next)),
        Err(e) => code_refused(&state, &identity, true, handle, next, e).await,
    }
}

/// A refused code: the code form again with the reason while the code may still be tried,
/// else the page to ask for a new one with the reason.
async fn code_refused(
    state: &AppState,
    identity: &Identity,
    sign_in: bool,
    handle: &str,
    next: String,
    e: AppError,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let (status, message) = refusal(e, t);
    match state.app.code_destination(handle).await {
        Ok(masked) => {
            let sent = t.f("portal.code_sent_to", &[("mobile", &masked)]);
            render(
                status,
                &code_page(identity, sign_in, handle, sent, next, Some(message)),
            )
        }
        Err(AppError::Verify(VerifyError::NoCode)) if sign_in => {
            render(status, &login_with_mobile_error(identity, next, message))
        }
        Err(AppError::Verify(VerifyError::NoCode)) => render(
            status,
            &home_page(state, identity, None, Some(message)).await?,
        ),
        Err(other) => Err(other.into()),
    }
}

#[derive(Template)]
#[template(path = "portal_verified.html")]
struct VerifiedPage {
    t: Tr,
    layout: PortalLayout,
    /// What was proven, or why not.
    message: String,
    verified: bool,
}

/// Following the link of a verification e-mail. Whoever follows it proves the address for
/// the account it was sent to: the link is the proof, not the browser's session.
pub async fn follow_link(
    State(state): State<AppState>,
    identity: Identity,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    match state
        .app
        .verify_email_link(&token, identity.ip.as_deref())
        .await
    {
        Ok(done) => ok(&VerifiedPage {
            t,
            layout: PortalLayout::new(&identity),
            message: t.f("portal.email_verified", &[("email", &done.masked)]),
            verified: true,
        }),
        Err(e) => {
            let (status, message) = refusal(e, t);
            render(
                status,
                &VerifiedPage {
                    t,
                    layout: PortalLayout::new(&identity),
                    message,
                    verified: false,
                },
            )
        }
    }
}

/// 重新发送验证邮件 for the signed-in account.
pub async fn resend_link(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Response, WebError> {
    let actor = identity.customer_actor()?;
    match state.app.resend_email_link(&actor, identity.locale).await {
        Ok(_) => Ok(Redirect::to("/portal?notice=link_sent").into_response()),
        Err(e) => home_refused(&state, &identity, e).await,
    }
}

/// A code to the signed-in account's own mobile, and the form to enter it.
pub async fn send_mobile_code(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Response, WebError> {
    let actor = identity.customer_actor()?;
    match state.app.send_mobile_code(&actor, identity.locale).await {
        Ok(sent) => {
            let text = sent_text(identity.tr(), &sent);
            let page = code_page(&identity, false, &sent.handle, text, "/portal".into(), None);
            ok(&page)
        }
        Err(e) => home_refused(&state, &identity, e).await,
    }
}

/// The code sent to the signed-in account's mobile: the mobile is proven.
pub async fn confirm_mobile_code(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let actor = identity.customer_actor()?;
    let handle = field(&pairs, "handle");
    match state
        .app
        .confirm_mobile_code(&actor, handle, field(&pairs, "code"))
        .await
    {
        Ok(_) => Ok(Redirect::to("/portal?notice=mobile_verified").into_response()),
        Err(e) => code_refused(&state, &identity, false, handle, "/portal".into(), e).await,
    }
}

/// The home page with a refusal of one of its forms.
async fn home_refused(
    state: &AppState,
    identity: &Identity,
    e: AppError,
) -> Result<Response, WebError> {
    let (status, message) = refusal(e, identity.tr());
    let page = home_page(state, identity, None, Some(message)).await?;
    render(status, &page)
}
