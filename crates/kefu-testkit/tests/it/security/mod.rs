//! 安全 — the security cases of SPEC's non-functional promises, each a test against the real
//! server (and, where only a browser can tell, in Chromium). Some cases were covered by the
//! area's own tests before this module; the table says where each one is checked. A case
//! whose only test is under `security/` or in `browser/security.rs` had none before.
//!
//! | Case | Checked by |
//! |---|---|
//! | CSRF: a form without the token, or with a wrong one, is refused (403), audited, nothing written | `auth.rs` `forms_without_the_csrf_token_are_refused_and_nothing_is_written` |
//! | CSRF: a token counts only in the session it was made for (planted cookies too) | `hardening.rs` `a_csrf_token_counts_only_in_the_session_it_was_made_for` |
//! | CSRF: a post another site sends (`Sec-Fetch-Site`, `Origin`) is refused even with a good token, audited | `hardening.rs` `a_form_another_site_sends_is_refused_even_with_a_good_token` |
//! | CSRF: `Origin: null` and another port refused on the sign-in, portal and upload forms; nothing stored | `security/csrf.rs` `origins_that_are_not_kefus_are_refused_on_every_kind_of_form` |
//! | CSRF: a signed-in browser's cookies open no door to the API | `security/csrf.rs` `a_browser_session_opens_no_door_to_the_api` |
//! | CSRF in Chromium: a same-site page's form refused by the origin check, a cross-site page's sent without the `SameSite` cookie | `browser/security.rs` `another_sites_form_acts_for_nobody_in_chromium` |
//! | `SameSite=Lax`, `HttpOnly`, `Path=/` on every cookie kefu sets (`Secure` behind TLS) | `security/sessions.rs` `every_cookie_kefu_sets_is_http_only_and_same_site`; `auth.rs` `cookies_are_secure_behind_tls` |
//! | XSS stored: payloads (script, `onerror`, SVG `onload` + alert, attribute break-out, `javascript:`) in every editable field — tickets, replies, notes, custom fields, tags, customers, contacts, complaints, scripts, users, groups, statuses, calendars, holidays, SLA policies, triggers, saved views, tokens, every channel's settings, portal and web-form tickets, the chat offline form, mail subjects, senders and file names — read back on every page of the route table: never unescaped | `security/xss/mod.rs` `stored_and_echoed_markup_is_shown_as_text_on_every_page` |
//! | XSS reflected: queries pages echo (queue, search, archive), the sign-in forms' echo, `next` | same test |
//! | XSS in Chromium: every page showing a payload opened, a hook proves nothing ran (`window.__xss` unset, no alert, no `on…` attribute or `javascript:` address in the DOM), the picker's suggestions too | `browser/security.rs` `stored_markup_runs_on_no_page_in_chromium` |
//! | The one raw-HTML sink (`search.html`'s snippet, askama's `safe` filter): covered by the walk (`/search?q=跨站`) | same tests |
//! | HTML mail sanitised: read as text, scripts/styles/handlers/addresses gone, its HTML and SVG files quarantined | `security/mail.rs` `html_mail_is_kept_as_text_and_its_pages_are_never_served` |
//! | CSV formula injection: cells starting with `=`, `+`, `-`, `@` guarded in CSV (UTF-8, GBK), text in XLSX, in the customer list and the import's problem report | `security/exports.rs` `cells_that_would_start_a_formula_are_kept_as_text` |
//! | Content-Security-Policy without inline script on every answer; no page needs inline script or style | `hardening.rs` `every_answer_carries_the_hardening_headers`, `no_page_needs_inline_script_or_style`; the XSS walk checks it on every page with data |
//! | Uploaded SVG and HTML refused; HTML in a `.txt` and a GIF polyglot served as inert downloads (`nosniff`, sandbox, `attachment`); mailed ones quarantined | `security/uploads.rs` `svg_and_html_are_refused_or_served_inert`; `attachments.rs` |
//! | Session fixation: a planted id never becomes a session, sign-in issues a new id and ends the one it replaces | `security/sessions.rs` `signing_in_issues_a_new_session_id`; `hardening.rs` `signing_in_over_a_stale_session_cookie_keeps_the_new_session` |
//! | Session rotation on role change: the user's sessions end; an administrator changing their own roles carries on under a new id | `security/sessions.rs` `a_change_of_roles_ends_the_users_sessions` |
//! | Old ids dead after sign-out (staff and portal), replayed from another client | `security/sessions.rs` `a_signed_out_session_id_is_dead_on_the_server`; `auth.rs` `changing_the_password_ends_other_sessions`; `api.rs` `deactivated_users_lose_api_access_and_sessions` |
//! | Login throttling per account and per address | `auth.rs` `repeated_failures_throttle_the_account_and_the_address` |
//! | Throttling audited (staff and portal), with the address | `security/login.rs` `throttled_sign_ins_read_the_same_whether_the_account_exists`, `portal_sign_ins_read_the_same_and_their_throttling_is_audited` |
//! | Sign-in answers never tell whether an account exists (unknown, wrong password, disabled, throttled; portal too) | `auth.rs` `wrong_password_and_unknown_user_get_the_same_clear_answer`; `security/login.rs` (both tests) |
//! | Upload limits: size per file, size per request, files per message; nothing stored | `security/uploads.rs` `upload_limits_hold_per_file_per_request_and_per_message`; `attachments.rs` |
//! | Upload type read from the bytes, not the name | `attachments.rs`; `security/uploads.rs` |
//! | Path-traversal file names keep only their last part | `security/uploads.rs` `path_traversal_file_names_keep_only_their_last_part` |
//! | A portal user asking for another customer's ticket, file or reply gets the same 404 as for none | `portal.rs` `customers_see_and_answer_their_own_tickets_only`; `security/portal.rs` `another_customers_ticket_is_not_found_like_one_that_does_not_exist` |
//! | Framing refused (`frame-ancestors 'none'`, `X-Frame-Options: DENY` on every answer; Chromium shows no kefu page in another site's frame) | `hardening.rs`; `browser/security.rs` `no_site_frames_kefu_in_chromium` |
//! | The chat widget only on its channel's allowed origins (socket and offline form) | `chat/socket.rs`, `chat/console.rs`, `browser/chat.rs` |
//! | `javascript:` in a URL field (a call's recording) refused | `phone/refusals.rs`; the XSS walk checks no `javascript:` address on any page |
//! | Every API route is in the OpenAPI document, and nothing else is; public API routes are signed webhooks | `security/openapi.rs` `every_api_route_is_in_the_openapi_document_and_nothing_else`; `ops.rs` |
//! | Webhooks (mail, phone, SMS, WeChat) fed missing, malformed, stale and wrong signatures: 401 JSON, never 500, audited, nothing stored | `security/webhooks.rs` `every_webhook_refuses_bad_signatures_with_401`; per channel in `mail_ingest/refusals.rs`, `phone/refusals.rs`, `sms/settings.rs`, `wechat/server.rs` |

mod csrf;
mod exports;
mod login;
pub(crate) mod mail;
mod openapi;
mod portal;
mod sessions;
mod uploads;
mod webhooks;
pub(crate) mod xss;

use std::sync::Arc;

use kefu_testkit::{Session, TestApp};
use reqwest::Url;
use reqwest::cookie::{CookieStore, Jar};

pub(crate) const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\0\x01\x01\0\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82";

/// A browser with nobody signed in.
pub(crate) fn anonymous(app: &TestApp) -> Session {
    Session {
        client: app.client(),
        base: app.base.clone(),
    }
}

/// A browser whose cookie jar the test reads and plants cookies in.
fn browser(app: &TestApp) -> (Session, Arc<Jar>) {
    let jar = Arc::new(Jar::default());
    let client = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let session = Session {
        client,
        base: app.base.clone(),
    };
    (session, jar)
}

/// Another browser that holds only the cookie `name=value`: a copied or captured cookie.
fn holding(app: &TestApp, name: &str, value: &str) -> Session {
    let (s, jar) = browser(app);
    plant(&jar, &base_url(app), name, value);
    s
}

fn base_url(app: &TestApp) -> Url {
    Url::parse(&app.base).expect("base URL")
}

fn cookie_value(jar: &Jar, url: &Url, name: &str) -> Option<String> {
    let header = jar.cookies(url)?;
    header.to_str().ok()?.split("; ").find_map(|pair| {
        pair.split_once('=')
            .filter(|(k, _)| *k == name)
            .map(|(_, v)| v.to_owned())
    })
}

/// A cookie put into the browser behind the server's back.
fn plant(jar: &Jar, url: &Url, name: &str, value: &str) {
    jar.add_cookie_str(&format!("{name}={value}; Path=/"), url);
}

pub(crate) async fn count(app: &TestApp, sql: &str) -> i64 {
    let mut c = app.app.store.conn().await.unwrap();
    sqlx::query_scalar(sql).fetch_one(&mut *c).await.unwrap()
}

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}
