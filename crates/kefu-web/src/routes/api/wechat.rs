//! 微信公众号 — the server address WeChat calls (its `echostr` check and every message,
//! signed over the account's Token in the query string, plaintext mode only), and the
//! administrator's official accounts over the API: list, add, read, change, test, and the
//! link of a follower to a contact. No answer carries an AppSecret, a Token (but the one
//! generated for a new account, once) or an access token.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use kefu_app::channel::wechat::{TokenTest, WechatChannelForm, WechatChannelView, WechatQuery};
use kefu_domain::channel::wechat::MAX_BODY_BYTES;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use super::{ApiJson, IfMatch, Tagged, rfc3339, tagged};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;

/// The query string of WeChat's requests.
fn wechat_query(raw: Option<&str>) -> WechatQuery {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(raw.unwrap_or_default()).unwrap_or_default();
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    WechatQuery {
        signature: get("signature"),
        timestamp: get("timestamp"),
        nonce: get("nonce"),
        echostr: get("echostr"),
        encrypt_type: get("encrypt_type"),
    }
}

fn plain_text(text: String) -> Response {
    ([(CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response()
}

/// 服务器验证 — WeChat's check of the server address, when the administrator saves the
/// server configuration in 公众平台: the `echostr` comes back as plain text when the
/// signature is the account's Token's and no more than five minutes old.
#[utoipa::path(get, path = "/api/v1/channels/wechat/{id}", tag = "channels",
    params(
        ("id" = i64, Path, description = "the WeChat channel (official account)"),
        ("signature" = String, Query, description = "hex SHA-1 of the account's Token, `timestamp` and `nonce`, sorted as strings and joined"),
        ("timestamp" = String, Query, description = "Unix seconds; within 300 s of kefu's clock"),
        ("nonce" = String, Query, description = "WeChat's random number"),
        ("echostr" = String, Query, description = "WeChat's random string, answered back"),
    ),
    security(("wechat_signature" = [])),
    responses(
        (status = 200, description = "The `echostr`, as plain text", body = String, content_type = "text/plain"),
        (status = 400, body = super::ErrorBody, description = "No `echostr` (`invalid_field`)"),
        (status = 401, body = super::ErrorBody, description = "No valid signature \
            (`webhook_rejected`; `detail`: `missing_timestamp`, `missing_signature`, \
            `bad_timestamp`, `stale_timestamp` or `bad_signature`). Audited."),
        (status = 404, description = "No such channel", body = super::ErrorBody),
    ))]
pub async fn server_check(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let q = wechat_query(query.as_deref());
    state
        .app
        .check_wechat_request(&identity.actor(), id, &q)
        .await?;
    let echostr = q
        .echostr
        .filter(|e| !e.is_empty())
        .ok_or_else(|| WebError::bad_request("invalid_field", "echostr is missing"))?;
    Ok(plain_text(echostr))
}

/// 接收消息 — one message or event of an official account, as WeChat posts it in plaintext
/// mode (`<xml>…</xml>`), signed in the query string as the verification is. Answered
/// `success` as soon as it is stored: a job makes the ticket. The same message again
/// (WeChat retries) or twice at once is stored once and answered `success` too. A DTD or
/// entity declaration anywhere, an entity other than XML's own, or an encrypted message
/// (安全模式, 兼容模式: only 明文模式 is supported) is refused and nothing is stored.
#[utoipa::path(post, path = "/api/v1/channels/wechat/{id}", tag = "channels",
    params(
        ("id" = i64, Path, description = "the WeChat channel (official account)"),
        ("signature" = String, Query, description = "hex SHA-1 of the account's Token, `timestamp` and `nonce`, sorted as strings and joined"),
        ("timestamp" = String, Query, description = "Unix seconds; within 300 s of kefu's clock"),
        ("nonce" = String, Query, description = "WeChat's random number"),
        ("openid" = Option<String>, Query, description = "the follower (not relied on: the body says)"),
    ),
    request_body(content_type = "text/xml",
        description = "WeChat's plaintext message XML, at most 64 KiB"),
    security(("wechat_signature" = [])),
    responses(
        (status = 200, description = "`success`, as plain text: stored (or stored before)", body = String, content_type = "text/plain"),
        (status = 400, body = super::ErrorBody, description = "Not WeChat's plaintext XML: \
            `wechat_dtd` (a `<!DOCTYPE` or `<!ENTITY`), `wechat_entity` (an entity other \
            than XML's five), `wechat_malformed`, `wechat_missing_field`, \
            `wechat_invalid_field`. Nothing is stored."),
        (status = 401, body = super::ErrorBody, description = "No valid signature \
            (`webhook_rejected`; `detail`: `missing_timestamp`, `missing_signature`, \
            `bad_timestamp`, `stale_timestamp` or `bad_signature`). Audited; nothing is stored."),
        (status = 403, body = super::ErrorBody, description = "The channel is switched off (`channel_inactive`)"),
        (status = 404, description = "No such channel", body = super::ErrorBody),
        (status = 413, body = super::ErrorBody, description = "Over 64 KiB (`payload_too_large`); nothing is stored"),
        (status = 422, body = super::ErrorBody, description = "An encrypted message \
            (`wechat_encrypted`): set the account to plaintext mode (明文模式)"),
    ))]
pub async fn receive(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, WebError> {
    let q = wechat_query(query.as_deref());
    // The signature first: a forged post learns nothing of what kefu would make of it.
    let channel = state
        .app
        .check_wechat_request(&identity.actor(), id, &q)
        .await?;
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(WebError::PayloadTooLarge);
    }
    let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| WebError::PayloadTooLarge)?;
    state.app.receive_wechat(&channel, &q, &bytes).await?;
    Ok(plain_text("success".to_owned()))
}

/// An official account as the API shows it: never its AppSecret, Token or access token.
#[derive(Serialize, ToSchema)]
pub struct WechatAccount {
    pub id: i64,
    pub name: String,
    pub active: bool,
    pub app_id: String,
    /// WeChat's API (`https://api.weixin.qq.com`) or a proxy.
    pub api_base: String,
    /// The group new tickets go to.
    pub group_id: Option<i64>,
    /// What to enter as 服务器地址(URL) in 公众平台's server configuration.
    pub server_url: String,
    pub last_received_at: Option<String>,
    /// Messages and events received.
    pub received: i64,
    /// Followers heard from.
    pub followers: i64,
    pub created_at: String,
    pub updated_at: String,
    /// Moves on with every change; also the `ETag` of `GET /api/v1/wechat/accounts/{id}`.
    pub version: i64,
}

fn to_api(v: WechatChannelView) -> WechatAccount {
    let c = v.channel;
    WechatAccount {
        id: c.id,
        name: c.name,
        active: c.active,
        app_id: c.app_id,
        api_base: c.api_base,
        group_id: c.group_id,
        server_url: v.server_url,
        last_received_at: v.last_received_at.map(rfc3339),
        received: v.received,
        followers: v.followers,
        created_at: rfc3339(c.created_at),
        updated_at: rfc3339(c.updated_at),
        version: c.version,
    }
}

/// Every official account.
#[utoipa::path(get, path = "/api/v1/wechat/accounts", tag = "wechat",
    responses((status = 200, description = "Every official account", body = Vec<WechatAccount>)))]
pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Json<Vec<WechatAccount>>, WebError> {
    let all = state.app.wechat_channels(&identity.actor()).await?;
    Ok(Json(all.into_iter().map(to_api).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWechatAccount {
    pub name: String,
    pub app_id: String,
    /// Kept, never shown again.
    pub app_secret: String,
    /// The Token of 服务器配置 (3–32 letters or digits); omitted, kefu generates one and
    /// answers it this once.
    pub token: Option<String>,
    /// Omitted: `https://api.weixin.qq.com`. `http://` only to this machine.
    pub api_base: Option<String>,
    pub group_id: Option<i64>,
    /// Default `true`.
    pub active: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedWechatAccount {
    pub account: WechatAccount,
    /// The Token kefu generated (none was sent): shown this once, to enter in 公众平台.
    pub generated_token: Option<String>,
}

/// Adds an official account.
#[utoipa::path(post, path = "/api/v1/wechat/accounts", tag = "wechat",
    request_body = NewWechatAccount,
    responses(
        (status = 201, description = "Added", body = CreatedWechatAccount),
        (status = 409, body = super::ErrorBody, description = "The name is taken (`name_taken`)"),
        (status = 422, body = super::ErrorBody, description = "A setting kefu cannot use: \
            `bad_name`, `wechat_bad_app_id`, `wechat_bad_app_secret`, `wechat_bad_token`, \
            `wechat_bad_api_base`, `wechat_cleartext_remote`, `unknown_group`"),
    ))]
pub async fn create(
    State(state): State<AppState>,
    identity: Identity,
    ApiJson(body): ApiJson<NewWechatAccount>,
) -> Result<(StatusCode, Json<CreatedWechatAccount>), WebError> {
    let actor = identity.actor();
    let form = WechatChannelForm {
        name: body.name,
        app_id: body.app_id,
        app_secret: body.app_secret,
        token: body.token.unwrap_or_default(),
        api_base: body.api_base.unwrap_or_default(),
        group_id: body.group_id,
        active: body.active.unwrap_or(true),
    };
    let created = state.app.create_wechat_channel(&actor, &form).await?;
    let view = state.app.wechat_channel(&actor, created.channel_id).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedWechatAccount {
            account: to_api(view),
            generated_token: created.generated_token,
        }),
    ))
}

/// One official account.
#[utoipa::path(get, path = "/api/v1/wechat/accounts/{id}", tag = "wechat",
    params(("id" = i64, Path, description = "the WeChat channel")),
    responses(
        (status = 200, description = "The account", body = WechatAccount,
            headers(("ETag" = String, description = "the account's version"))),
        (status = 404, description = "No such account", body = super::ErrorBody),
    ))]
pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Tagged<WechatAccount>, WebError> {
    let view = state.app.wechat_channel(&identity.actor(), id).await?;
    Ok(tagged(view.channel.version, to_api(view)))
}

/// A present value, `null` included (`Some(None)`), as opposed to an absent one (`None`).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(d).map(Some)
}

/// Fields to change; absent ones stay. An absent or empty `app_secret` or `token` keeps
/// the stored one; `group_id: null` sends new tickets to no group.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WechatAccountPatch {
    pub name: Option<String>,
    pub app_id: Option<String>,
    pub app_secret: Option<String>,
    pub token: Option<String>,
    pub api_base: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub group_id: Option<Option<i64>>,
    /// `false` switches the account off: its messages are refused, replies not sent.
    pub active: Option<bool>,
}

/// Changes an official account.
#[utoipa::path(patch, path = "/api/v1/wechat/accounts/{id}", tag = "wechat",
    request_body = WechatAccountPatch,
    params(("id" = i64, Path, description = "the WeChat channel")),
    responses(
        (status = 200, description = "The account after the changes", body = WechatAccount,
            headers(("ETag" = String, description = "the account's new version"))),
        (status = 404, description = "No such account", body = super::ErrorBody),
        (status = 409, body = super::ErrorBody, description = "The name is taken (`name_taken`)"),
    ))]
pub async fn update(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(patch): ApiJson<WechatAccountPatch>,
) -> Result<Tagged<WechatAccount>, WebError> {
    let actor = identity.actor();
    let c = state.app.wechat_channel(&actor, id).await?.channel;
    let form = WechatChannelForm {
        name: patch.name.unwrap_or(c.name),
        app_id: patch.app_id.unwrap_or(c.app_id),
        app_secret: patch.app_secret.unwrap_or_default(),
        token: patch.token.unwrap_or_default(),
        api_base: patch.api_base.unwrap_or(c.api_base),
        group_id: patch.group_id.unwrap_or(c.group_id),
        active: patch.active.unwrap_or(c.active),
    };
    state
        .app
        .save_wechat_channel(&actor, id, &form, expected)
        .await?;
    let view = state.app.wechat_channel(&actor, id).await?;
    Ok(tagged(view.channel.version, to_api(view)))
}

/// What the test found.
#[derive(Serialize, ToSchema)]
pub struct WechatTestAnswer {
    /// WeChat issued an access token.
    pub ok: bool,
    /// Its lifetime in seconds, when it did.
    pub expires_in: Option<i64>,
    /// WeChat's refusal, when it refused (40125: a wrong AppSecret; 40164: kefu's address
    /// is not on the account's IP whitelist).
    pub errcode: Option<i64>,
    pub errmsg: Option<String>,
    /// Why WeChat could not be reached.
    pub error: Option<String>,
}

/// 测试 — fetches an access token with the account's AppID and AppSecret. Audited.
#[utoipa::path(post, path = "/api/v1/wechat/accounts/{id}/test", tag = "wechat",
    params(("id" = i64, Path, description = "the WeChat channel")),
    responses(
        (status = 200, description = "WeChat's answer", body = WechatTestAnswer),
        (status = 404, description = "No such account", body = super::ErrorBody),
    ))]
pub async fn test(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Json<WechatTestAnswer>, WebError> {
    let test = state.app.test_wechat_channel(&identity.actor(), id).await?;
    let answer = match test {
        TokenTest::Ok { expires_in } => WechatTestAnswer {
            ok: true,
            expires_in: Some(expires_in),
            errcode: None,
            errmsg: None,
            error: None,
        },
        TokenTest::Refused { errcode, errmsg } => WechatTestAnswer {
            ok: false,
            expires_in: None,
            errcode: Some(errcode),
            errmsg: Some(errmsg),
            error: None,
        },
        TokenTest::Failed(error) => WechatTestAnswer {
            ok: false,
            expires_in: None,
            errcode: None,
            errmsg: None,
            error: Some(error),
        },
    };
    Ok(Json(answer))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowerLink {
    /// The archive's contact the follower is.
    pub contact_id: i64,
}

/// Links a follower (OpenID) of the account to a contact of the archive: their messages
/// name the contact, replies honour the contact's opt-outs, and their tickets without a
/// customer get the contact's. Audited.
#[utoipa::path(put, path = "/api/v1/wechat/accounts/{id}/followers/{openid}", tag = "wechat",
    request_body = FollowerLink,
    params(
        ("id" = i64, Path, description = "the WeChat channel"),
        ("openid" = String, Path, description = "the follower's OpenID"),
    ),
    responses(
        (status = 204, description = "Linked"),
        (status = 404, description = "No such account or follower", body = super::ErrorBody),
        (status = 422, body = super::ErrorBody, description = "No such contact (`unknown_archive_customer`)"),
    ))]
pub async fn link_follower(
    State(state): State<AppState>,
    identity: Identity,
    Path((id, openid)): Path<(i64, String)>,
    ApiJson(body): ApiJson<FollowerLink>,
) -> Result<StatusCode, WebError> {
    state
        .app
        .link_wechat_follower(&identity.actor(), id, &openid, body.contact_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
