//! Who is asking, and may they: sessions, bearer tokens, CSRF and the per-route guard.
//!
//! [`identify`] runs for every request: it resolves the session cookie (pages) or the
//! bearer token (API) into an [`Identity`], makes sure the browser holds a pre-session
//! cookie and works out the CSRF tokens its cookies make (see [`crate::csrf`]).
//! [`guard`] runs per route, before the handler, with the route's declared [`Access`]: it
//! sends anonymous page visitors to the sign-in page, answers 401/403 otherwise, refuses
//! form posts another site made the browser send, checks the CSRF token of every form post
//! against the session the route acts for (and then reads urlencoded forms strictly, see
//! [`crate::input`]) and applies the API rate limit.

use std::net::SocketAddr;

use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, Request};
use axum::http::header::{AUTHORIZATION, COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::Actor;
use kefu_app::accounts::SessionLookup;
use kefu_app::audit::{Target, action};
use kefu_app::tokens::TokenLookup;
use kefu_domain::{Access, CurrentUser, Locale};
use serde_json::json;

use crate::csrf::{self, Binding, CsrfTokens};
use crate::error::{WebError, render_error_response};
use crate::i18n::Tr;
use crate::routes::Surface;
use crate::{AppState, SecureCookies};

pub const SESSION_COOKIE: &str = "kefu_session";
/// The pre-session cookie: a random value whose signature is the token of forms filled in
/// before anyone signs in.
pub const CSRF_COOKIE: &str = "kefu_csrf";
pub const CSRF_FIELD: &str = "_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The customer portal's session cookie, separate from staff sessions.
pub const PORTAL_COOKIE: &str = "kefu_portal";

/// The caller of one request, resolved once by [`identify`].
#[derive(Clone)]
pub struct Identity {
    pub state: AppState,
    pub user: Option<CurrentUser>,
    /// The session cookie's value, when it named a live session.
    pub session_token: Option<String>,
    /// A session cookie was presented but had run out.
    pub session_expired: bool,
    /// A bearer token was presented but has been revoked.
    pub token_revoked: bool,
    /// The token that authenticated an API call, for rate limiting.
    pub token_id: Option<i64>,
    /// The CSRF token this page's forms carry: bound to the session of whoever the page is
    /// for, or to the pre-session cookie before sign-in.
    pub csrf: String,
    /// Every token this browser's cookies make, for the check of a form post.
    pub csrf_tokens: CsrfTokens,
    pub ip: Option<String>,
    pub locale: Locale,
    pub secure: bool,
    /// Unread notifications of the signed-in user, for the bell on pages.
    pub unread: i64,
    /// The customer signed in to the portal (resolved on portal paths only).
    pub customer: Option<kefu_app::portal::PortalIdentity>,
    /// The portal session cookie's value, when it named a live session.
    pub portal_token: Option<String>,
}

impl Identity {
    pub fn tr(&self) -> Tr {
        Tr(self.locale)
    }

    pub fn actor(&self) -> Actor {
        match &self.user {
            Some(u) => Actor::user(u.clone(), self.ip.clone()),
            None => Actor::anonymous(self.ip.clone()),
        }
    }

    /// The portal customer as the actor of a portal use case.
    pub fn customer_actor(&self) -> Result<Actor, WebError> {
        match &self.customer {
            Some(c) => Ok(Actor::customer(c.clone(), self.ip.clone())),
            None => Err(WebError::Unauthorized),
        }
    }

    /// The signed-in user; the guard has made sure there is one on protected routes.
    pub fn user(&self) -> Result<&CurrentUser, WebError> {
        self.user.as_ref().ok_or(WebError::Unauthorized)
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Identity {
    type Rejection = WebError;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Identity>()
            .cloned()
            .ok_or_else(|| WebError::Internal("identity missing".into()))
    }
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: always HttpOnly and SameSite=Lax; Secure over TLS.
pub fn set_cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).expect("cookie values are hex")
}

fn client_ip(req: &Request, trust_proxy: bool) -> Option<String> {
    if trust_proxy {
        let fwd = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        let first = fwd.and_then(|v| v.split(',').next()).map(str::trim);
        if let Some(first) = first.filter(|f| !f.is_empty()) {
            return Some(first.to_owned());
        }
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
}

fn is_tls(req: &Request, state: &AppState) -> bool {
    match state.config.secure_cookies {
        SecureCookies::Always => true,
        SecureCookies::Never => false,
        SecureCookies::Auto => {
            state.config.trust_proxy_headers
                && req
                    .headers()
                    .get("x-forwarded-proto")
                    .is_some_and(|v| v == "https")
        }
    }
}

/// The customer portal's pages (the public web form included).
fn is_portal(path: &str) -> bool {
    path.starts_with("/portal") || path.starts_with("/support")
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

/// Paths that need nobody's identity: no database round trip for them. The live-chat
/// widget's script, socket and offline form are loaded by other web sites' pages, for
/// visitors who are nobody to kefu.
fn skips_identity(path: &str) -> bool {
    path.starts_with("/static/")
        || path == "/healthz"
        || path == "/metrics"
        || path == crate::headers::WIDGET_PATH
        || path.starts_with("/chat/ws/")
        || path.starts_with("/chat/offline/")
}

/// Resolves the caller and attaches an [`Identity`] to the request.
pub async fn identify(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_owned();
    let ip = client_ip(&req, state.config.trust_proxy_headers);
    let secure = is_tls(&req, &state);
    let accept_locale = req
        .headers()
        .get("accept-language")
        .and_then(|v| v.to_str().ok())
        .and_then(Locale::from_accept_language)
        .unwrap_or_default();
    let mut identity = Identity {
        state: state.clone(),
        user: None,
        session_token: None,
        session_expired: false,
        token_revoked: false,
        token_id: None,
        csrf: String::new(),
        csrf_tokens: CsrfTokens::default(),
        ip,
        locale: accept_locale,
        secure,
        unread: 0,
        customer: None,
        portal_token: None,
    };
    // Cookies this request found stale (or missing), by name.
    let mut set_cookies: Vec<(&'static str, HeaderValue)> = Vec::new();

    if is_portal(&path)
        && let Some(token) = cookie(req.headers(), PORTAL_COOKIE)
    {
        match state.app.customer_session(token).await {
            Ok(Some(c)) => {
                identity.customer = Some(c);
                identity.portal_token = Some(token.to_owned());
            }
            Ok(None) => set_cookies.push((
                PORTAL_COOKIE,
                set_cookie(PORTAL_COOKIE, "", Some(0), secure),
            )),
            Err(e) => {
                tracing::error!(error = %e, "could not resolve the portal customer");
                return render_error_response(
                    WebError::from(e).into_info(),
                    identity.tr(),
                    false,
                    false,
                );
            }
        }
    }

    if !skips_identity(&path) {
        let lookup = if is_api(&path) {
            resolve_bearer(&state, req.headers(), &mut identity).await
        } else {
            resolve_session(&state, req.headers(), &mut identity, &mut set_cookies).await
        };
        if let Err(e) = lookup {
            tracing::error!(error = %e, "could not resolve the caller");
            return render_error_response(e.into_info(), identity.tr(), is_api(&path), false);
        }
        if let Some(u) = &identity.user {
            identity.locale = u.locale;
        }
        if identity.user.is_some() && !is_api(&path) && req.method() == axum::http::Method::GET {
            identity.unread = state
                .app
                .unread_notifications(&identity.actor())
                .await
                .unwrap_or(0);
        }
        if !is_api(&path) {
            let key = match state.csrf_key().await {
                Ok(key) => key,
                Err(e) => {
                    tracing::error!(error = %e, "could not read the CSRF key");
                    return render_error_response(e.into_info(), identity.tr(), false, false);
                }
            };
            let headers = req.headers();
            let nonce = cookie(headers, CSRF_COOKIE).filter(|c| csrf::is_nonce(c));
            identity.csrf_tokens = CsrfTokens {
                pre_session: nonce.map(|n| key.token(Binding::PreSession, n)),
                staff: cookie(headers, SESSION_COOKIE).map(|c| key.token(Binding::Staff, c)),
                customer: cookie(headers, PORTAL_COOKIE).map(|c| key.token(Binding::Customer, c)),
            };
            let pre_session = match nonce {
                Some(n) => key.token(Binding::PreSession, n),
                None => {
                    let fresh = kefu_app::secret::random_hex(32);
                    set_cookies.push((CSRF_COOKIE, set_cookie(CSRF_COOKIE, &fresh, None, secure)));
                    key.token(Binding::PreSession, &fresh)
                }
            };
            let signed_in = if is_portal(&path) {
                identity
                    .customer
                    .is_some()
                    .then_some(&identity.csrf_tokens.customer)
            } else {
                identity
                    .user
                    .is_some()
                    .then_some(&identity.csrf_tokens.staff)
            };
            identity.csrf = signed_in.cloned().flatten().unwrap_or(pre_session);
        }
    }

    req.extensions_mut().insert(identity);
    let mut res = next.run(req).await;
    for (name, value) in set_cookies {
        // What the handler set is newer than what this request found: signing in over a
        // stale session cookie sets the new session, which the removal of the stale one,
        // appended after it, used to undo.
        if !sets_cookie(res.headers(), name) {
            res.headers_mut().append(SET_COOKIE, value);
        }
    }
    res
}

/// Whether a response already sets (or removes) the cookie `name`.
fn sets_cookie(headers: &HeaderMap, name: &str) -> bool {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split_once('=').is_some_and(|(n, _)| n.trim() == name))
}

async fn resolve_session(
    state: &AppState,
    headers: &HeaderMap,
    identity: &mut Identity,
    set_cookies: &mut Vec<(&'static str, HeaderValue)>,
) -> Result<(), WebError> {
    let Some(token) = cookie(headers, SESSION_COOKIE) else {
        return Ok(());
    };
    match state.app.session_user(token).await? {
        SessionLookup::Valid(user) => {
            identity.user = Some(user);
            identity.session_token = Some(token.to_owned());
        }
        SessionLookup::Expired => {
            identity.session_expired = true;
            set_cookies.push((
                SESSION_COOKIE,
                set_cookie(SESSION_COOKIE, "", Some(0), identity.secure),
            ));
        }
        SessionLookup::Unknown => {
            set_cookies.push((
                SESSION_COOKIE,
                set_cookie(SESSION_COOKIE, "", Some(0), identity.secure),
            ));
        }
    }
    Ok(())
}

async fn resolve_bearer(
    state: &AppState,
    headers: &HeaderMap,
    identity: &mut Identity,
) -> Result<(), WebError> {
    let Some(value) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    let Some(secret) = value.strip_prefix("Bearer ").map(str::trim) else {
        return Ok(());
    };
    match state.app.token_user(secret, identity.ip.as_deref()).await? {
        TokenLookup::Valid { user, token_id } => {
            identity.user = Some(user);
            identity.token_id = Some(token_id);
        }
        TokenLookup::Revoked => identity.token_revoked = true,
        TokenLookup::Unknown => {}
    }
    Ok(())
}

/// The per-route check; see the module comment.
pub async fn guard(
    access: Access,
    surface: Surface,
    body_limit: Option<usize>,
    req: Request,
    next: Next,
) -> Response {
    let Some(identity) = req.extensions().get::<Identity>().cloned() else {
        return WebError::Internal("identity missing".into()).into_response();
    };
    let path = req.uri().path().to_owned();

    let mut rate_headers = None;
    if surface == Surface::Api {
        let key = match identity.token_id {
            Some(id) => format!("token:{id}"),
            None => format!("ip:{}", identity.ip.as_deref().unwrap_or("-")),
        };
        match identity
            .state
            .limiter
            .check(&identity.state.app, &key)
            .await
        {
            Ok(headers) => rate_headers = Some(headers),
            Err(limited) => return limited.into_response(),
        }
    }

    if access == Access::Customer && identity.customer.is_none() {
        let to = format!("/portal/login?next={}", urlencode(&path));
        return Redirect::to(&to).into_response();
    }

    if let Access::Requires(permission) = access {
        match &identity.user {
            None if surface == Surface::Page => {
                let mut to = format!("/login?next={}", urlencode(&path));
                if identity.session_expired {
                    to.push_str("&expired=1");
                }
                return Redirect::to(&to).into_response();
            }
            None if identity.token_revoked => return WebError::TokenRevoked.into_response(),
            None => return WebError::Unauthorized.into_response(),
            Some(user) if !user.allows(permission) => {
                let detail = json!({"path": path, "method": req.method().as_str(), "permission": permission.key()});
                let target = Target {
                    kind: "route",
                    id: &path,
                };
                if let Err(e) = identity
                    .state
                    .app
                    .audit_event(
                        &identity.actor(),
                        action::ACCESS_DENIED,
                        Some(target),
                        Some(detail),
                    )
                    .await
                {
                    tracing::error!(error = %e, "could not audit a refused request");
                }
                return WebError::Forbidden.into_response();
            }
            // A one-time password was set by someone else (an administrator, the CLI): until
            // its owner has chosen their own, the account is not theirs yet, and neither are
            // its tokens.
            Some(user) if user.must_change_password && surface == Surface::Api => {
                return WebError::PasswordChangeRequired.into_response();
            }
            Some(user)
                if user.must_change_password
                    && surface == Surface::Page
                    && !matches!(path.as_str(), "/account" | "/account/password" | "/logout") =>
            {
                return Redirect::to("/account?must_change=1").into_response();
            }
            Some(_) => {}
        }
    }

    let req = if surface == Surface::Page && !is_safe(req.method()) {
        match check_csrf(&identity, access, body_limit, req).await {
            Ok(req) => req,
            Err(e) => return e.into_response(),
        }
    } else {
        req
    };

    let mut res = next.run(req).await;
    if let Some(h) = rate_headers {
        h.apply(res.headers_mut());
    }
    res
}

fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"))
}

/// The value of one text field of a buffered multipart body (the CSRF token of an upload
/// form), read without keeping the files.
async fn multipart_field(
    headers: &HeaderMap,
    body: axum::body::Bytes,
    name: &str,
) -> Option<String> {
    let boundary = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| multer::parse_boundary(v).ok())?;
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(body) });
    let mut parts = multer::Multipart::new(stream, boundary);
    while let Ok(Some(field)) = parts.next_field().await {
        if field.name() == Some(name) {
            return field.text().await.ok();
        }
    }
    None
}

fn is_safe(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// A form post must come from kefu's own pages (as far as the browser says) and carry the
/// token of the session the route acts for; see [`crate::csrf`]. Refusals are audited.
async fn check_csrf(
    identity: &Identity,
    access: Access,
    body_limit: Option<usize>,
    req: Request,
) -> Result<Request, WebError> {
    if let Some(cross) = csrf::cross_site(req.headers(), req.uri(), &identity.state.config) {
        let detail = json!({
            "path": req.uri().path(),
            "reason": "cross_site",
            "header": cross.header,
            "value": cross.value,
        });
        audit_csrf_refusal(identity, detail).await;
        return Err(WebError::CsrfRejected);
    }
    let limit = body_limit.unwrap_or(identity.state.config.max_body_bytes);
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, limit).await.map_err(|_| match body_limit {
        Some(limit) => WebError::UploadTooLarge {
            max_mb: limit / (1024 * 1024),
        },
        None => WebError::PayloadTooLarge,
    })?;
    let from_header = parts
        .headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let from_form = || {
        form_urlencoded_pairs(&bytes)
            .into_iter()
            .find(|(k, _)| k == CSRF_FIELD)
            .map(|(_, v)| v)
    };
    let presented = match from_header {
        Some(h) => h,
        None if is_multipart(&parts.headers) => {
            multipart_field(&parts.headers, bytes.clone(), CSRF_FIELD)
                .await
                .unwrap_or_default()
        }
        None => from_form().unwrap_or_default(),
    };
    if !identity.csrf_tokens.accepts(access, &presented) {
        let detail = json!({"path": parts.uri.path(), "reason": "token"});
        audit_csrf_refusal(identity, detail).await;
        return Err(WebError::CsrfRejected);
    }
    // Handlers read page forms with axum's `Form`, which turns bytes that are not UTF-8 into
    // U+FFFD and lets control characters through: every urlencoded form is read strictly
    // here, once the token is known good (multipart text fields: `upload::read`).
    if is_urlencoded(&parts.headers) {
        crate::input::form_pairs(&bytes)?;
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

async fn audit_csrf_refusal(identity: &Identity, detail: serde_json::Value) {
    if let Err(e) = identity
        .state
        .app
        .audit_event(&identity.actor(), action::CSRF_REJECTED, None, Some(detail))
        .await
    {
        tracing::error!(error = %e, "could not audit a rejected form");
    }
}

fn is_urlencoded(headers: &HeaderMap) -> bool {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

/// Lenient on purpose: only the CSRF token is read from it (hex either way), so a forged
/// form is refused as forged before its text is checked.
fn form_urlencoded_pairs(bytes: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(bytes).unwrap_or_default()
}

/// Percent-encodes a path for a query parameter.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Only local paths are followed after sign-in, so the login form cannot bounce a user to
/// another site.
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n,
        _ => "/",
    }
}
