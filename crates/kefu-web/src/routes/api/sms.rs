//! 短信渠道 — the SMS gateway's webhook (a customer's text, a delivery report, posted as
//! JSON and signed with the channel's secret as every channel's webhook is), and the
//! administrator's gateways: list, add (the webhook secret answered once), read, change
//! (the API key written, never read back), rotate the secret, send a test text.

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use kefu_app::channel::signature::SignedPost;
use kefu_app::channel::sms::{SmsChannel, SmsChannelForm, SmsEventStatus};
use kefu_domain::channel::sms::RawSmsEvent;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use super::channels::{SIGNATURE_HEADER, TIMESTAMP_HEADER};
use super::{ApiJson, IfMatch, Tagged, rfc3339, tagged};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;

/// One event from the gateway: a customer's text (`type` `inbound`) or a delivery report
/// (`type` `delivery`).
#[derive(Deserialize, ToSchema)]
pub struct SmsEventBody {
    /// `inbound` or `delivery`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The gateway's id of the text: of the customer's text (`inbound`, required, at most
    /// 128 characters; each is stored once), of kefu's text (`delivery`, optional).
    pub message_id: Option<String>,
    /// `inbound`: the customer's number (`+8613900001111`, `13900001111`…).
    pub from: Option<String>,
    /// `inbound`: the number the text was sent to.
    pub to: Option<String>,
    /// `inbound`: the text (at most 5000 characters). Only `T`, `TD`, `N`, `退订`, `取消`,
    /// `unsubscribe` or `STOP` records an opt-out instead of a ticket.
    pub text: Option<String>,
    /// `inbound`: when the gateway received it, Unix seconds (default: now); at most 7
    /// days ago or 10 minutes ahead.
    pub received_at: Option<i64>,
    /// `delivery`: kefu's `reference` of the send the report is about (required).
    pub reference: Option<String>,
    /// `delivery`: `delivered` or `failed` (required).
    pub status: Option<String>,
    /// `delivery`: the operator's code for a failure.
    pub error_code: Option<String>,
    /// `delivery`: the operator's words for a failure (at most 500 characters).
    pub error_message: Option<String>,
    /// `delivery`: when it happened, Unix seconds (default: now).
    pub at: Option<i64>,
}

/// What became of an event.
#[derive(Serialize, ToSchema)]
pub struct SmsEventAnswer {
    /// `ticket_created`, `added_to_ticket` (the number's open ticket), `opted_out` (no
    /// ticket; no more texts go to the number), `duplicate` (received before: nothing new
    /// was written), `recorded` (a report settled its send), `unchanged` (a report for a
    /// send already delivered or failed).
    pub status: String,
    /// The ticket the text landed on (for `duplicate`, the first delivery's), or the
    /// ticket of the reply a report is about.
    pub ticket_id: Option<i64>,
    /// A report's send, and its status now: `queued`, `sent`, `delivered` or `failed`.
    pub send_id: Option<i64>,
    pub send_status: Option<String>,
}

/// What kefu posts to an SMS gateway's send URL — not an operation of kefu's but the format a
/// gateway (or an adapter in front of one) takes: `POST <send URL>`, `Content-Type:
/// application/json`, `Authorization: Bearer <API key>` when one is set. The gateway answers
/// 2xx with `SmsGatewayAnswer`; a 4xx (but 408 and 429) fails the text for good with the
/// gateway's `error_message`, `message` or `error`; a 5xx, 408, 429, a timeout (15 s) or no
/// connection is tried again later with the same `reference`.
#[derive(Serialize, ToSchema)]
pub struct SmsGatewaySend {
    /// kefu's id of this send, the same on every attempt; delivery reports name it.
    pub reference: String,
    /// The recipient, E.164 (`+8613900001111`).
    pub to: String,
    /// The signature the gateway puts before the text (【恒信售后】).
    pub sign_name: String,
    /// `reply` (a ticket reply), `test` (the test button), or the outbox message's kind
    /// (`portal_sign_in_code`, `portal_verify_mobile`): for gateways that send
    /// operator-registered templates.
    pub template: String,
    /// The template's values: `{"ticket": "KF20261123-0001"}` for a reply, `{"code",
    /// "minutes"}` for a code, `{}` for a test.
    #[schema(value_type = Object)]
    pub params: serde_json::Value,
    /// The whole text in the customer's language, without the signature: for gateways that
    /// send free text.
    pub text: String,
}

/// A gateway's 2xx answer to a send.
#[derive(Serialize, ToSchema)]
pub struct SmsGatewayAnswer {
    /// The gateway's id for the text (recorded; a delivery report may name it too).
    pub message_id: String,
}

fn header<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Receives one event from an SMS gateway. The body is JSON, signed: `X-Kefu-Timestamp`
/// is the time of sending in Unix seconds, `X-Kefu-Signature` is `sha256=` and the hex
/// HMAC-SHA256, under the channel's secret, of the timestamp, a dot and the body. A
/// customer's text is stored once per (channel, `message_id`): sending it again, or twice at
/// once, answers `duplicate`. It lands on the number's open ticket of the last 7 days, else
/// opens a ticket; a text that is only an opt-out word records the opt-out. A delivery
/// report settles the send its `reference` names; a second report never undoes a final
/// status. The texts kefu sends go the other way, to the gateway's send URL, in the format of
/// the `SmsGatewaySend` schema.
#[utoipa::path(post, path = "/api/v1/channels/sms/{id}/events", tag = "channels",
    params(
        ("id" = i64, Path, description = "the SMS channel"),
        ("X-Kefu-Timestamp" = String, Header, description = "Unix seconds when the event was posted; within 300 s of kefu's clock"),
        ("X-Kefu-Signature" = String, Header, description = "`sha256=` + hex HMAC-SHA256(channel secret, `<timestamp>.` + body)"),
    ),
    request_body = SmsEventBody,
    security(("webhook_signature" = [])),
    responses(
        (status = 201, description = "A new ticket (`ticket_created`)", body = SmsEventAnswer),
        (status = 200, description = "`added_to_ticket`, `opted_out`, `duplicate`, `recorded` or `unchanged`", body = SmsEventAnswer),
        (status = 401, body = super::ErrorBody, description = "No valid signature \
            (`webhook_rejected`; `detail`: `missing_timestamp`, `missing_signature`, \
            `bad_timestamp`, `stale_timestamp` or `bad_signature`). Audited; nothing is stored."),
        (status = 403, body = super::ErrorBody, description = "The channel is switched off (`channel_inactive`)"),
        (status = 404, body = super::ErrorBody, description = "No such channel (`not_found`), \
            or a delivery report for a send this channel never made (`sms_unknown_send`); \
            nothing is stored"),
        (status = 422, body = super::ErrorBody, description = "An event kefu cannot take; \
            nothing is stored. `unknown_value` (a `type` or `status` it does not know), \
            `sms_event_missing`, `sms_event_too_long`, `sms_event_out_of_range` (a time more \
            than 7 days ago or 10 minutes ahead), `sms_event_bad_number` (`from` is no phone \
            number); `detail` names the field."),
    ))]
pub async fn sms_events(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    req: Request,
) -> Result<(StatusCode, Json<SmsEventAnswer>), WebError> {
    let headers = req.headers().clone();
    let bytes = super::json_bytes(req, &state).await?;
    let post = SignedPost {
        timestamp: header(&headers, TIMESTAMP_HEADER),
        signature: header(&headers, SIGNATURE_HEADER),
        body: &bytes,
    };
    // The signature first: a forged post learns nothing of what kefu would make of it.
    let channel = state
        .app
        .check_sms_webhook(&identity.actor(), id, post)
        .await?;
    let body: SmsEventBody = super::parse_json(&bytes)?;
    let raw = RawSmsEvent {
        kind: body.kind,
        message_id: body.message_id,
        from: body.from,
        to: body.to,
        text: body.text,
        received_at: body.received_at,
        reference: body.reference,
        status: body.status,
        error_code: body.error_code,
        error_message: body.error_message,
        at: body.at,
    };
    let outcome = state.app.record_sms_event(&channel, &raw).await?;
    let status = if outcome.status == SmsEventStatus::TicketCreated {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(SmsEventAnswer {
            status: outcome.status.key().to_owned(),
            ticket_id: outcome.ticket_id,
            send_id: outcome.send_id,
            send_status: outcome.send_status,
        }),
    ))
}

/// An SMS gateway, without its secrets.
#[derive(Serialize, ToSchema)]
pub struct SmsChannelOut {
    pub id: i64,
    pub name: String,
    pub active: bool,
    /// Where kefu posts each text.
    pub send_url: String,
    /// 短信签名, e.g. 【恒信售后】.
    pub sign_name: String,
    /// Whether an API key is stored (it is never shown).
    pub api_key_set: bool,
    /// The group new tickets from texts go to.
    pub group_id: Option<i64>,
    /// Where the gateway posts texts and delivery reports.
    pub webhook: String,
    pub secret_rotated_at: String,
    pub created_at: String,
    pub updated_at: String,
    /// Moves on with every change; also the `ETag` of `GET /api/v1/channels/sms/{id}`, to
    /// send as `If-Match` with a change.
    pub version: i64,
}

fn to_api(c: SmsChannel) -> SmsChannelOut {
    SmsChannelOut {
        webhook: crate::routes::pages::admin_sms::webhook_path(c.id),
        id: c.id,
        name: c.name,
        active: c.active,
        send_url: c.send_url,
        sign_name: c.sign_name,
        api_key_set: c.has_api_key,
        group_id: c.group_id,
        secret_rotated_at: rfc3339(c.secret_rotated_at),
        created_at: rfc3339(c.created_at),
        updated_at: rfc3339(c.updated_at),
        version: c.version,
    }
}

/// Every SMS gateway.
#[utoipa::path(get, path = "/api/v1/channels/sms", tag = "sms_channels",
    responses((status = 200, description = "The SMS channels, by name", body = Vec<SmsChannelOut>)))]
pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Json<Vec<SmsChannelOut>>, WebError> {
    let list = state.app.sms_channels(&identity.actor()).await?;
    Ok(Json(list.into_iter().map(|v| to_api(v.channel)).collect()))
}

/// A new SMS gateway.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSmsChannel {
    /// 1–60 characters, unique.
    pub name: String,
    /// `https://…`, or `http://` to 127.0.0.1, localhost or ::1 only.
    pub send_url: String,
    /// 2–16 characters, e.g. 【恒信售后】.
    pub sign_name: String,
    /// Sent as `Authorization: Bearer …` with every text; never shown again.
    pub api_key: Option<String>,
    pub group_id: Option<i64>,
    /// Default `true`.
    pub active: Option<bool>,
}

/// A gateway just added, with its webhook secret — the only time it is shown.
#[derive(Serialize, ToSchema)]
pub struct CreatedSmsChannel {
    pub channel: SmsChannelOut,
    /// The HMAC key the gateway signs its posts with.
    pub webhook_secret: String,
}

/// Adds an SMS gateway; the answer carries its webhook secret, shown this once.
#[utoipa::path(post, path = "/api/v1/channels/sms", tag = "sms_channels", request_body = NewSmsChannel,
    responses(
        (status = 201, description = "Added", body = CreatedSmsChannel),
        (status = 409, body = super::ErrorBody, description = "The name is taken (`name_taken`)"),
        (status = 422, body = super::ErrorBody, description = "A setting kefu refuses: \
            `sms_bad_send_url`, `sms_cleartext_remote` (`http://` to another machine), \
            `sms_bad_sign_name`, `sms_bad_api_key`, `bad_name`, `unknown_group`"),
    ))]
pub async fn create(
    State(state): State<AppState>,
    identity: Identity,
    ApiJson(body): ApiJson<NewSmsChannel>,
) -> Result<(StatusCode, Json<CreatedSmsChannel>), WebError> {
    let actor = identity.actor();
    let form = SmsChannelForm {
        name: body.name,
        send_url: body.send_url,
        sign_name: body.sign_name,
        group_id: body.group_id,
        active: body.active.unwrap_or(true),
        api_key: body.api_key,
    };
    let created = state.app.create_sms_channel(&actor, &form).await?;
    let channel = state.app.sms_channel(&actor, created.channel_id).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedSmsChannel {
            channel: to_api(channel),
            webhook_secret: created.secret,
        }),
    ))
}

/// One SMS gateway.
#[utoipa::path(get, path = "/api/v1/channels/sms/{id}", tag = "sms_channels",
    params(("id" = i64, Path, description = "the SMS channel")),
    responses(
        (status = 200, description = "The channel", body = SmsChannelOut,
            headers(("ETag" = String, description = "the channel's version"))),
        (status = 404, description = "No such channel", body = super::ErrorBody),
    ))]
pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Tagged<SmsChannelOut>, WebError> {
    let c = state.app.sms_channel(&identity.actor(), id).await?;
    Ok(tagged(c.version, to_api(c)))
}

/// Present-and-null becomes `Some(None)`, absent stays `None`.
fn double<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Fields to change; absent fields stay as they are. An empty `api_key` removes the
/// stored key; `group_id` `null` sends new tickets to no group.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SmsChannelPatch {
    pub name: Option<String>,
    pub send_url: Option<String>,
    pub sign_name: Option<String>,
    pub api_key: Option<String>,
    #[serde(default, deserialize_with = "double")]
    #[schema(value_type = Option<i64>)]
    pub group_id: Option<Option<i64>>,
    /// `false` switches the channel off: its webhook refuses events, nothing is sent
    /// through it.
    pub active: Option<bool>,
}

/// Changes an SMS gateway.
#[utoipa::path(patch, path = "/api/v1/channels/sms/{id}", tag = "sms_channels", request_body = SmsChannelPatch,
    params(("id" = i64, Path, description = "the SMS channel")),
    responses(
        (status = 200, description = "The channel after the changes", body = SmsChannelOut,
            headers(("ETag" = String, description = "the channel's new version"))),
        (status = 404, description = "No such channel", body = super::ErrorBody),
        (status = 409, body = super::ErrorBody, description = "The name is taken (`name_taken`)"),
        (status = 422, body = super::ErrorBody, description = "A setting kefu refuses \
            (`sms_bad_send_url`, `sms_cleartext_remote`, `sms_bad_sign_name`, \
            `sms_bad_api_key`, `bad_name`, `unknown_group`)"),
    ))]
pub async fn update(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(patch): ApiJson<SmsChannelPatch>,
) -> Result<Tagged<SmsChannelOut>, WebError> {
    let actor = identity.actor();
    let current = state.app.sms_channel(&actor, id).await?;
    let form = SmsChannelForm {
        name: patch.name.unwrap_or(current.name),
        send_url: patch.send_url.unwrap_or(current.send_url),
        sign_name: patch.sign_name.unwrap_or(current.sign_name),
        group_id: patch.group_id.unwrap_or(current.group_id),
        active: patch.active.unwrap_or(current.active),
        api_key: patch.api_key,
    };
    let saved = state
        .app
        .save_sms_channel(&actor, id, &form, expected)
        .await?;
    Ok(tagged(saved.version, to_api(saved)))
}

/// A new webhook secret.
#[derive(Serialize, ToSchema)]
pub struct RotatedSecret {
    pub channel_id: i64,
    /// The HMAC key from now on; the old one stops working at once. Shown this once.
    pub webhook_secret: String,
}

/// Gives the gateway a new webhook secret, answered this once.
#[utoipa::path(post, path = "/api/v1/channels/sms/{id}/secret", tag = "sms_channels",
    params(("id" = i64, Path, description = "the SMS channel")),
    responses(
        (status = 200, description = "The new secret", body = RotatedSecret),
        (status = 404, description = "No such channel", body = super::ErrorBody),
    ))]
pub async fn rotate(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Json<RotatedSecret>, WebError> {
    let created = state
        .app
        .rotate_sms_secret(&identity.actor(), id, None)
        .await?;
    Ok(Json(RotatedSecret {
        channel_id: created.channel_id,
        webhook_secret: created.secret,
    }))
}

/// Where a test text goes.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestSmsIn {
    /// A mobile number (`13900001111`, `+86 139 0000 1111`, or a foreign one with `+`).
    pub to: String,
}

/// What the gateway answered.
#[derive(Serialize, ToSchema)]
pub struct TestSmsOut {
    /// The gateway took it (a 2xx).
    pub ok: bool,
    /// Its answer in one line: `HTTP 200 · <its id>`, `HTTP 400: <its words>`, or why no
    /// answer came. Numbers in it are masked.
    pub answer: String,
}

/// Sends a test text through the gateway now and gives its answer — a refusal is an
/// answer too (`ok` false), not an error. Audited, the number masked.
#[utoipa::path(post, path = "/api/v1/channels/sms/{id}/test", tag = "sms_channels", request_body = TestSmsIn,
    params(("id" = i64, Path, description = "the SMS channel")),
    responses(
        (status = 200, description = "The gateway's answer", body = TestSmsOut),
        (status = 404, description = "No such channel", body = super::ErrorBody),
        (status = 409, body = super::ErrorBody, description = "The number opted out of texts \
            (`sms_opted_out`); nothing is sent"),
        (status = 422, body = super::ErrorBody, description = "Not a mobile number \
            (`sms_bad_number`)"),
    ))]
pub async fn test(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<TestSmsIn>,
) -> Result<Json<TestSmsOut>, WebError> {
    let answer = state
        .app
        .send_test_sms(&identity.actor(), id, &body.to)
        .await?;
    Ok(Json(TestSmsOut {
        ok: answer.ok,
        answer: answer.answer,
    }))
}
