//! What a web site's page loads from kefu: the widget's script (`GET /chat/widget.js`,
//! embedded in the binary, its words in the visitor's language, cached an hour), and the
//! offline form's post (`POST /chat/offline/{channel}`, JSON, cross-origin: answered with
//! CORS headers for the channel's allowed origins only, its preflight too).

use axum::extract::{Path, Request, State};
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_MAX_AGE, CACHE_CONTROL, CONTENT_TYPE, VARY,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use kefu_app::channel::chat::OfflineForm;
use serde::{Deserialize, Serialize};

use super::socket::origin_of;
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;

const WIDGET_JS: &str = include_str!("../../static/kefu-chat.js");

/// Where the script takes its words from: this placeholder, replaced by a JSON object.
const TEXTS_MARK: &str = "\"__KEFU_CHAT_TEXTS__\"";

/// The words the widget shows, by their key under `chat.widget`.
const TEXT_KEYS: &[&str] = &[
    "chat.widget.open",
    "chat.widget.close",
    "chat.widget.title",
    "chat.widget.placeholder",
    "chat.widget.send",
    "chat.widget.hint",
    "chat.widget.waiting",
    "chat.widget.active",
    "chat.widget.ended",
    "chat.widget.new_chat",
    "chat.widget.end",
    "chat.widget.reconnecting",
    "chat.widget.failed",
    "chat.widget.too_long",
    "chat.widget.offline_title",
    "chat.widget.offline_hint",
    "chat.widget.name",
    "chat.widget.contact",
    "chat.widget.message",
    "chat.widget.leave",
    "chat.widget.received",
    "chat.widget.you",
    "chat.widget.agent",
];

/// The words of the widget in the reader's language, as a JSON object (`{"title": …}`).
fn texts(tr: Tr) -> String {
    let map: serde_json::Map<String, serde_json::Value> = TEXT_KEYS
        .iter()
        .map(|k| {
            let short = k.rsplit('.').next().unwrap_or(k);
            (short.to_owned(), serde_json::Value::from(tr.t(k)))
        })
        .collect();
    serde_json::Value::Object(map).to_string()
}

/// `GET /chat/widget.js`: the widget, its words in the language the visitor's browser asks
/// for (so caches keep one per `Accept-Language`).
pub async fn widget_js(identity: Identity) -> Response {
    let body = WIDGET_JS.replacen(TEXTS_MARK, &texts(identity.tr()), 1);
    (
        [
            (CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=3600"),
            (VARY, "Accept-Language"),
        ],
        body,
    )
        .into_response()
}

/// The CORS headers that let a page at `origin` read the answer.
fn allow(res: &mut Response, origin: &str, preflight: bool) {
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(origin) {
        h.insert(ACCESS_CONTROL_ALLOW_ORIGIN, v);
    }
    h.append(VARY, HeaderValue::from_static("Origin"));
    if preflight {
        h.insert(
            ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("POST"),
        );
        h.insert(
            ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("content-type, accept"),
        );
        h.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    }
}

/// `OPTIONS /chat/offline/{channel}`: the browser asks whether the page may post; yes for
/// the channel's allowed origins (another is refused as the socket refuses it, audited).
pub async fn offline_preflight(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let origin = origin_of(&headers);
    state
        .app
        .chat_channel_for(&identity.actor(), id, origin.as_deref())
        .await?;
    let mut res = StatusCode::NO_CONTENT.into_response();
    if let Some(o) = &origin {
        allow(&mut res, o, true);
    }
    Ok(res)
}

/// The offline form as posted.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OfflineBody {
    name: String,
    /// A phone number or an e-mail address.
    contact: String,
    text: String,
    /// The widget's id for this form: sent again, it makes no second ticket.
    form_id: Option<String>,
}

#[derive(Serialize)]
struct Received {
    /// Always `received`.
    status: &'static str,
    /// The ticket's number, for the visitor to quote.
    ticket: String,
    /// What the widget shows.
    message: String,
}

/// `POST /chat/offline/{channel}`: a message left while nobody is on shift becomes a ticket.
/// Errors are JSON (the widget asks for it) and carry the CORS headers too, so the widget
/// can say what was wrong.
pub async fn offline(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    req: Request,
) -> Response {
    let origin = origin_of(req.headers());
    let actor = identity.actor();
    let channel = match state
        .app
        .chat_channel_for(&actor, id, origin.as_deref())
        .await
    {
        Ok(c) => c,
        Err(e) => return WebError::from(e).into_response(),
    };
    let tr = identity.tr();
    let answer = async {
        let bytes = crate::routes::api::json_bytes(req, &state).await?;
        let body: OfflineBody = crate::routes::api::parse_json(&bytes)?;
        let form = OfflineForm {
            name: body.name,
            contact: body.contact,
            text: body.text,
            form_id: body.form_id,
        };
        let receipt = state
            .app
            .chat_offline_message(&actor, &channel, &form)
            .await?;
        let status = if receipt.duplicate {
            StatusCode::OK
        } else {
            StatusCode::CREATED
        };
        let message = tr.f(
            "chat.widget.received_number",
            &[("number", receipt.ticket_number.as_str())],
        );
        Ok::<_, WebError>(
            (
                status,
                axum::Json(Received {
                    status: "received",
                    ticket: receipt.ticket_number,
                    message,
                }),
            )
                .into_response(),
        )
    }
    .await;
    let mut res = answer.unwrap_or_else(IntoResponse::into_response);
    if let Some(o) = &origin {
        allow(&mut res, o, false);
    }
    res
}
