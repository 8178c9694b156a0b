//! Tickets over the API: create (idempotent by `external_id` and by `Idempotency-Key`),
//! read, list queues, change fields, reply. Other systems and every later channel use the
//! same intake path as the staff form.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{ETAG, HeaderName};
use kefu_app::ticket::{Intake, Queue, QueueQuery, Reply, TicketChanges, Visibility};
use kefu_domain::customer::ContactValue;
use kefu_domain::ticket::{Channel, Priority, StatusCategory, TicketType};
use kefu_store::ticket::conversation::{Event as StoredEvent, Message as StoredMessage};
use kefu_store::ticket::{Cursor, SortKey, Ticket as StoredTicket, TicketFilter};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::idempotency::{KeyedJson, answer};
use super::{ApiJson, IfMatch, doc, etag, rfc3339};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;

#[derive(Serialize, ToSchema)]
pub struct Ticket {
    pub id: i64,
    /// Human number, `KF<yyyymmdd>-<seq>`.
    pub number: String,
    /// `inquiry`, `complaint`, `suggestion`, `after_sales`, `fault_report`, `order_issue`.
    #[serde(rename = "type")]
    pub ticket_type: String,
    pub channel: String,
    /// Status key (built-in or admin-defined).
    pub status: String,
    /// `new`, `open`, `pending_customer`, `pending_internal`, `resolved`, `closed`.
    pub status_category: String,
    /// `low`, `normal`, `high`, `urgent`.
    pub priority: String,
    pub subject: String,
    pub customer_name: Option<String>,
    pub contact_name: Option<String>,
    /// Masked where it holds a phone number (`139****9945@163.com`); reveal with
    /// `POST /api/v1/tickets/{id}/reveal`.
    pub contact_email: Option<String>,
    /// Masked (`138****5678`); reveal with `POST /api/v1/tickets/{id}/reveal`.
    pub contact_phone: Option<String>,
    /// `key_account`, `vip` or `normal`.
    pub customer_tier: Option<String>,
    /// The portal customer the ticket belongs to.
    pub requester_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub group_id: Option<i64>,
    pub group_name: Option<String>,
    pub tags: Vec<String>,
    pub external_id: Option<String>,
    pub message_count: i64,
    pub created_at: String,
    pub updated_at: String,
    pub first_response_at: Option<String>,
    pub resolved_at: Option<String>,
    pub closed_at: Option<String>,
    pub sla: Sla,
    /// The ticket's version, also the `ETag` header (`"7"`). Every change moves it on; send
    /// it back as `If-Match` when changing the ticket, so that a change someone made in the
    /// meantime is not overwritten (412 instead).
    pub version: i64,
}

/// The ticket's SLA: deadlines in business time on the policy's calendar, and attainment.
#[derive(Serialize, ToSchema)]
pub struct Sla {
    pub policy_id: Option<i64>,
    pub first_response_due_at: Option<String>,
    pub next_response_due_at: Option<String>,
    /// Absent while the ticket waits for the customer (the clock is paused).
    pub resolution_due_at: Option<String>,
    /// The earliest deadline still running.
    pub next_due_at: Option<String>,
    /// `first_response`, `next_response` or `resolution`.
    pub next_target: Option<String>,
    pub paused: bool,
    /// true met, false breached, absent not decided yet.
    pub first_response_met: Option<bool>,
    pub resolution_met: Option<bool>,
    pub next_response_breaches: i64,
}

fn to_api(t: StoredTicket) -> Ticket {
    Ticket {
        id: t.id,
        number: t.number,
        ticket_type: t.ticket_type.key().into(),
        channel: t.channel.key().into(),
        status: t.status,
        status_category: t.category.key().into(),
        priority: t.priority.key().into(),
        subject: t.subject,
        customer_name: t.customer_name,
        contact_name: t.contact_name,
        contact_email: t.contact_email,
        contact_phone: t.contact_phone,
        customer_tier: t.sla.customer_tier.clone(),
        requester_id: t.requester_id,
        assignee_id: t.assignee_id,
        assignee_name: t.assignee_name,
        group_id: t.group_id,
        group_name: t.group_name,
        tags: t.tags,
        external_id: t.external_id,
        message_count: t.message_count,
        created_at: rfc3339(t.created_at),
        updated_at: rfc3339(t.updated_at),
        first_response_at: t.first_response_at.map(rfc3339),
        resolved_at: t.resolved_at.map(rfc3339),
        closed_at: t.closed_at.map(rfc3339),
        version: t.version,
        sla: Sla {
            policy_id: t.sla.policy_id,
            first_response_due_at: t.sla.first_response_due_at.map(rfc3339),
            next_response_due_at: t.sla.next_response_due_at.map(rfc3339),
            resolution_due_at: t.sla.resolution_due_at.map(rfc3339),
            next_due_at: t.sla.next_due_at.map(rfc3339),
            next_target: t.sla.next_target,
            paused: t.sla.paused_since.is_some(),
            first_response_met: t.sla.first_response_met,
            resolution_met: t.sla.resolution_met,
            next_response_breaches: t.sla.next_response_breaches,
        },
    }
}

#[derive(Serialize, ToSchema)]
pub struct Message {
    pub id: i64,
    /// `public` or `internal`.
    pub visibility: String,
    /// `staff`, `customer` or `system`.
    pub author_kind: String,
    pub author_name: String,
    pub body: String,
    pub created_at: String,
}

fn message_to_api(m: StoredMessage) -> Message {
    Message {
        id: m.id,
        visibility: m.visibility,
        author_kind: m.author_kind,
        author_name: m.author_name,
        body: m.body,
        created_at: rfc3339(m.created_at),
    }
}

#[derive(Serialize, ToSchema)]
pub struct Event {
    pub at: String,
    pub actor_name: String,
    /// `status`, `priority`, `assignee`, `field:<key>`, …
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

fn event_to_api(e: StoredEvent) -> Event {
    Event {
        at: rfc3339(e.at),
        actor_name: e.actor_name,
        field: e.field,
        old_value: e.old_value,
        new_value: e.new_value,
    }
}

/// A ticket with its conversation, history and custom field values.
#[derive(Serialize, ToSchema)]
pub struct TicketDetail {
    pub ticket: Ticket,
    pub messages: Vec<Message>,
    pub events: Vec<Event>,
    pub fields: BTreeMap<String, String>,
}

/// An optional key (priority, type…); an unknown one is refused with the keys allowed.
fn parse_key<T: kefu_domain::input::Keyed>(
    name: &str,
    v: Option<&str>,
) -> Result<Option<T>, WebError> {
    crate::input::parse_optional_key(name, v)
}

/// A new ticket.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTicket {
    /// Default `inquiry`.
    #[serde(rename = "type")]
    #[schema(value_type = Option<doc::TicketTypeKey>)]
    pub ticket_type: Option<String>,
    /// Default `api`.
    #[schema(value_type = Option<doc::ChannelKey>)]
    pub channel: Option<String>,
    /// 1–200 characters.
    #[schema(min_length = 1, max_length = 200)]
    pub subject: String,
    /// The customer's request: the first message, 1–50,000 characters.
    #[schema(min_length = 1, max_length = 50000)]
    pub body: String,
    /// Default `normal`.
    #[schema(value_type = Option<doc::PriorityKey>)]
    pub priority: Option<String>,
    /// At most 200 characters.
    #[schema(max_length = 200)]
    pub customer_name: Option<String>,
    /// At most 100 characters.
    #[schema(max_length = 100)]
    pub contact_name: Option<String>,
    /// At most 254 characters.
    #[schema(max_length = 254)]
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    /// `key_account`, `vip` or `normal`: chooses the SLA policy.
    pub customer_tier: Option<String>,
    /// The portal customer the ticket is for: they see it in the customer portal.
    pub requester_id: Option<i64>,
    /// Your id for this request, at most 200 characters; sending it again returns the first
    /// ticket (200, not 201).
    #[schema(max_length = 200)]
    pub external_id: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub group_id: Option<i64>,
    pub assignee_id: Option<i64>,
    /// Custom field values by field key.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
}

/// Opens a ticket (201), or returns the ticket an earlier call with the same
/// `external_id` opened (200). A call sent again with its `Idempotency-Key` gets the
/// ticket the first opened, 201 again, with `Idempotent-Replayed: true`.
#[utoipa::path(post, path = "/api/v1/tickets", tag = "tickets", request_body = NewTicket,
    params(("Idempotency-Key" = Option<String>, Header, description = super::idempotency::KEY_DESCRIPTION)),
    responses(
        (status = 201, description = "Opened", body = Ticket,
            headers(("ETag" = String, description = "the ticket's version"),
                ("Idempotent-Replayed" = String, description = "`true` when this is the answer of an earlier request with the same `Idempotency-Key`"))),
        (status = 200, body = Ticket, description = "An earlier call with the same `external_id` \
            opened it", headers(("ETag" = String, description = "the ticket's version"))),
    ))]
pub async fn create(
    State(state): State<AppState>,
    identity: Identity,
    KeyedJson { key, body }: KeyedJson<NewTicket>,
) -> Result<axum::response::Response, WebError> {
    let channel = parse_key::<Channel>("channel", body.channel.as_deref())?.unwrap_or(Channel::Api);
    let mut intake = Intake::new(channel, &body.subject, &body.body);
    intake.ticket_type = parse_key::<TicketType>("type", body.ticket_type.as_deref())?
        .unwrap_or(TicketType::Inquiry);
    intake.priority =
        parse_key::<Priority>("priority", body.priority.as_deref())?.unwrap_or(Priority::Normal);
    intake.customer_name = body.customer_name;
    intake.contact_name = body.contact_name;
    intake.contact_email = body.contact_email;
    intake.contact_phone = body.contact_phone;
    intake.customer_tier = body.customer_tier;
    intake.requester_id = body.requester_id;
    intake.external_id = body.external_id;
    intake.tags = body.tags.join(",");
    intake.group_id = body.group_id;
    intake.assignee_id = body.assignee_id;
    intake.fields = body.fields.into_iter().collect();
    let out = state
        .app
        .intake_with_key(&identity.actor(), &intake, key.as_ref())
        .await?;
    // A key is remembered only by the request that created: its answer was a 201.
    let status = if out.created || out.replayed {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let tag = etag(out.ticket.version);
    let mut res = answer(status, out.replayed, to_api(out.ticket));
    if let Ok(v) = axum::http::HeaderValue::from_str(&tag) {
        res.headers_mut().insert(ETAG, v);
    }
    Ok(res)
}

/// One ticket with its conversation (internal notes included) and history. The `ETag`
/// header carries the ticket's version: send it as `If-Match` when changing the ticket.
#[utoipa::path(get, path = "/api/v1/tickets/{id}", tag = "tickets",
    params(("id" = i64, Path, description = "ticket id")),
    responses(
        (status = 200, description = "The ticket", body = TicketDetail,
            headers(("ETag" = String, description = "the ticket's version, `\"7\"`"))),
        (status = 404, description = "No such ticket", body = super::ErrorBody),
    ))]
pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<([(HeaderName, String); 1], Json<TicketDetail>), WebError> {
    let d = state.app.ticket_detail(&identity.actor(), id).await?;
    let tag = etag(d.ticket.version);
    let detail = Json(TicketDetail {
        ticket: to_api(d.ticket),
        messages: d.messages.into_iter().map(message_to_api).collect(),
        events: d.events.into_iter().map(event_to_api).collect(),
        fields: d
            .fields
            .into_iter()
            .filter_map(|(f, v)| v.map(|v| (f.key, v)))
            .collect(),
    });
    Ok(([(ETAG, tag)], detail))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketRevealRequest {
    /// `contact_phone` or `contact_email`.
    #[schema(value_type = doc::ContactValueKey)]
    pub field: String,
}

/// The ticket's contact phone or e-mail in clear; the reveal is written to the audit log.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/reveal", tag = "tickets",
    request_body = TicketRevealRequest,
    params(("id" = i64, Path, description = "ticket id")),
    responses(
        (status = 200, description = "The value in clear", body = super::customers::Revealed),
        (status = 404, description = "No such ticket", body = super::ErrorBody),
    ))]
pub async fn reveal(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<TicketRevealRequest>,
) -> Result<Json<super::customers::Revealed>, WebError> {
    let field = r.field.parse::<ContactValue>().map_err(|_| {
        WebError::bad_request(
            "invalid_field",
            format!("field: {:?} (contact_phone, contact_email)", r.field),
        )
    })?;
    let value = state
        .app
        .reveal_ticket_contact(&identity.actor(), id, field)
        .await?;
    Ok(Json(super::customers::Revealed { value }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// `mine` (default), `unassigned`, `groups`, `pending`, `overdue`, `open`, `all`.
    #[param(value_type = Option<doc::QueueKey>)]
    pub queue: Option<String>,
    pub status: Option<String>,
    /// Status category, e.g. `pending_customer`.
    #[param(value_type = Option<doc::StatusCategoryKey>)]
    pub category: Option<String>,
    #[serde(rename = "type")]
    #[param(rename = "type", value_type = Option<doc::TicketTypeKey>)]
    pub ticket_type: Option<String>,
    #[param(value_type = Option<doc::PriorityKey>)]
    pub priority: Option<String>,
    #[param(value_type = Option<doc::ChannelKey>)]
    pub channel: Option<String>,
    pub tag: Option<String>,
    /// Customer tier.
    pub tier: Option<String>,
    /// Only the tickets linked to this customer of the archive.
    pub customer_id: Option<i64>,
    /// Part of the subject, number or customer name.
    pub q: Option<String>,
    /// `updated` (default), `created`, `priority`, `due` (earliest SLA deadline).
    #[param(value_type = Option<doc::TicketSortKey>)]
    pub sort: Option<String>,
    /// `desc` (default) or `asc`.
    #[param(value_type = Option<doc::SortDirectionKey>)]
    pub dir: Option<String>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
    /// Page size, default 50; values outside 1–200 are brought within it.
    pub limit: Option<i64>,
}

/// What a queue can be ordered by, as `sort` names it.
pub(super) const SORT_KEYS: [&str; 4] = ["updated", "created", "priority", "due"];

/// The directions of a queue's order, as `dir` names them.
pub(super) const DIRECTION_KEYS: [&str; 2] = ["desc", "asc"];

#[derive(Serialize, ToSchema)]
pub struct TicketPage {
    pub tickets: Vec<Ticket>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

/// A page of a queue, newest first by default; pages by cursor, not offset.
#[utoipa::path(get, path = "/api/v1/tickets", tag = "tickets", params(ListParams),
    responses(
        (status = 200, description = "A page of the queue", body = TicketPage),
        (status = 422, body = super::ErrorBody, description = "An unknown `queue`, `sort`, \
            `dir`, `type`, `priority`, `channel` or `category`"),
    ))]
pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
    Query(p): Query<ListParams>,
) -> Result<Json<TicketPage>, WebError> {
    let queue = match p.queue.as_deref().filter(|q| !q.is_empty()) {
        None => Queue::Mine,
        Some(q) => Queue::parse(q)
            .ok_or_else(|| crate::input::unknown_value("queue", q, Queue::ALL.map(Queue::key)))?,
    };
    let sort = match p.sort.as_deref().unwrap_or("updated") {
        "updated" => SortKey::Updated,
        "created" => SortKey::Created,
        "priority" => SortKey::Priority,
        "due" => SortKey::Due,
        other => return Err(crate::input::unknown_value("sort", other, SORT_KEYS)),
    };
    let ascending = match p.dir.as_deref().unwrap_or("desc") {
        "desc" => false,
        "asc" => true,
        other => return Err(crate::input::unknown_value("dir", other, DIRECTION_KEYS)),
    };
    let after = match p.after.as_deref().filter(|a| !a.is_empty()) {
        None => None,
        Some(a) => Some(
            a.split_once('.')
                .and_then(|(v, id)| {
                    Some(Cursor {
                        value: v.parse().ok()?,
                        id: id.parse().ok()?,
                    })
                })
                .ok_or_else(|| WebError::bad_request("invalid_field", format!("after: {a:?}")))?,
        ),
    };
    let mut filter = TicketFilter {
        status: p.status.filter(|s| !s.is_empty()),
        ticket_type: parse_key("type", p.ticket_type.as_deref())?,
        priority: parse_key("priority", p.priority.as_deref())?,
        channel: parse_key("channel", p.channel.as_deref())?,
        tag: p.tag.filter(|s| !s.is_empty()).map(|t| t.to_lowercase()),
        customer_tier: p.tier.filter(|s| !s.is_empty()),
        customer_id: p.customer_id,
        text: p.q.filter(|s| !s.trim().is_empty()),
        ..TicketFilter::default()
    };
    if let Some(c) = parse_key::<StatusCategory>("category", p.category.as_deref())? {
        filter.categories = vec![c];
    }
    let page = state
        .app
        .queue_page(
            &identity.actor(),
            &QueueQuery {
                queue,
                filter,
                sort,
                ascending,
                after,
                limit: p.limit.unwrap_or(50),
                ..QueueQuery::default()
            },
        )
        .await?;
    Ok(Json(TicketPage {
        tickets: page.tickets.into_iter().map(to_api).collect(),
        next: page.next.map(|c| format!("{}.{}", c.value, c.id)),
    }))
}

/// Present-and-null becomes `Some(None)`, absent stays `None`.
fn double<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Changes to a ticket; absent fields stay as they are, `null` clears an optional one.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketPatch {
    /// A status key (built-in or admin-defined).
    pub status: Option<String>,
    #[schema(value_type = Option<doc::PriorityKey>)]
    pub priority: Option<String>,
    #[serde(rename = "type")]
    #[schema(value_type = Option<doc::TicketTypeKey>)]
    pub ticket_type: Option<String>,
    /// 1–200 characters.
    #[schema(min_length = 1, max_length = 200)]
    pub subject: Option<String>,
    #[serde(default, deserialize_with = "double")]
    #[schema(value_type = Option<i64>)]
    pub assignee_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double")]
    #[schema(value_type = Option<i64>)]
    pub group_id: Option<Option<i64>>,
    /// Replaces all tags.
    pub tags: Option<Vec<String>>,
    #[serde(default, deserialize_with = "double")]
    #[schema(value_type = Option<String>)]
    pub customer_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double")]
    #[schema(value_type = Option<String>)]
    pub contact_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double")]
    #[schema(value_type = Option<String>)]
    pub contact_email: Option<Option<String>>,
    #[serde(default, deserialize_with = "double")]
    #[schema(value_type = Option<String>)]
    pub contact_phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double")]
    #[schema(value_type = Option<String>)]
    pub customer_tier: Option<Option<String>>,
    /// The portal customer the ticket belongs to.
    #[serde(default, deserialize_with = "double")]
    #[schema(value_type = Option<i64>)]
    pub requester_id: Option<Option<i64>>,
    /// Custom field values by key; an empty string clears one.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
}

/// Changes a ticket's fields; each change is recorded as an event.
///
/// Send the version you read as `If-Match` (the `ETag` of `GET /api/v1/tickets/{id}`):
/// when the ticket has changed since, nothing is written and the answer is 412
/// `stale_version`, its detail naming the current version and the fields changed since
/// yours; read the ticket again and decide. Without `If-Match` the change is written over
/// whatever is current — clients should send it.
#[utoipa::path(patch, path = "/api/v1/tickets/{id}", tag = "tickets", request_body = TicketPatch,
    params(("id" = i64, Path, description = "ticket id")),
    responses(
        (status = 200, description = "The ticket after the changes", body = Ticket,
            headers(("ETag" = String, description = "the ticket's new version"))),
        (status = 404, description = "No such ticket", body = super::ErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(p): ApiJson<TicketPatch>,
) -> Result<([(HeaderName, String); 1], Json<Ticket>), WebError> {
    let changes = TicketChanges {
        status: p.status,
        priority: parse_key("priority", p.priority.as_deref())?,
        ticket_type: parse_key("type", p.ticket_type.as_deref())?,
        subject: p.subject,
        assignee_id: p.assignee_id,
        group_id: p.group_id,
        tags: p.tags.map(|t| t.join(",")),
        add_tags: None,
        customer_name: p.customer_name,
        contact_name: p.contact_name,
        contact_email: p.contact_email,
        contact_phone: p.contact_phone,
        customer_tier: p.customer_tier,
        requester_id: p.requester_id,
        fields: p.fields.into_iter().collect(),
    };
    let t = state
        .app
        .update_ticket(&identity.actor(), id, &changes, expected)
        .await?;
    let tag = etag(t.version);
    Ok(([(ETAG, tag)], Json(to_api(t))))
}

/// A reply or internal note.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReply {
    /// 1–50,000 characters.
    #[schema(min_length = 1, max_length = 50000)]
    pub body: String,
    /// An internal note, seen by staff only (default false: a public reply).
    #[serde(default)]
    pub internal: bool,
    /// A status to move the ticket to at the same time.
    pub status: Option<String>,
}

/// Adds a reply or internal note to the conversation.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/messages", tag = "tickets",
    request_body = NewReply, params(("id" = i64, Path, description = "ticket id")),
    responses(
        (status = 201, description = "Added", body = Message),
        (status = 404, description = "No such ticket", body = super::ErrorBody),
        (status = 409, body = super::ErrorBody, description = "The ticket is closed and replies \
            to closed tickets are refused (`ticket_closed`)"),
    ))]
pub async fn reply(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<NewReply>,
) -> Result<(StatusCode, Json<Message>), WebError> {
    let reply = Reply {
        body: r.body,
        visibility: if r.internal {
            Visibility::Internal
        } else {
            Visibility::Public
        },
        status: r.status,
    };
    let m = state.app.reply(&identity.actor(), id, &reply).await?;
    Ok((StatusCode::CREATED, Json(message_to_api(m))))
}

/// An attachment's description.
#[derive(Serialize, ToSchema)]
pub struct AttachmentInfo {
    pub id: i64,
    pub message_id: Option<i64>,
    pub filename: String,
    /// The type read from the file's bytes.
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: String,
}

/// Attaches files to a ticket: `multipart/form-data` with one or more file parts. Each file
/// is checked (size, and a type read from its bytes); one refused file refuses them all.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/attachments", tag = "tickets",
    params(("id" = i64, Path, description = "ticket id")),
    request_body(content_type = "multipart/form-data", description = "file parts"),
    responses(
        (status = 201, description = "The stored files", body = Vec<AttachmentInfo>),
        (status = 404, description = "No such ticket", body = super::ErrorBody),
    ))]
pub async fn upload(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    multipart: axum::extract::Multipart,
) -> Result<(StatusCode, Json<Vec<AttachmentInfo>>), WebError> {
    let (_, files) = crate::upload::read(multipart).await?;
    let stored = state
        .app
        .attach_files(&identity.actor(), id, &files)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(
            stored
                .into_iter()
                .map(|a| AttachmentInfo {
                    id: a.id,
                    message_id: a.message_id,
                    filename: a.filename,
                    content_type: a.content_type,
                    size: a.size,
                    sha256: a.sha256,
                    created_at: rfc3339(a.created_at),
                })
                .collect(),
        ),
    ))
}

/// Downloads an attachment of the ticket.
#[utoipa::path(get, path = "/api/v1/tickets/{id}/attachments/{attachment}", tag = "tickets",
    params(("id" = i64, Path, description = "ticket id"), ("attachment" = i64, Path, description = "attachment id")),
    responses(
        (status = 200, description = "The file"),
        (status = 404, description = "No such ticket or attachment", body = super::ErrorBody),
    ))]
pub async fn download(
    State(state): State<AppState>,
    identity: Identity,
    Path((id, attachment)): Path<(i64, i64)>,
) -> Result<axum::response::Response, WebError> {
    let (name, content_type, bytes) = state
        .app
        .attachment_file(&identity.actor(), id, attachment)
        .await?;
    Ok(crate::upload::serve(&name, &content_type, bytes))
}
