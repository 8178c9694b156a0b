//! The customer archive over the API: list and search, one customer with contacts, create,
//! and reveal one sensitive field (audited). Sensitive values are masked everywhere else.

use super::Created;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{ETAG, HeaderName};
use kefu_app::customer::{ContactForm, CustomerForm};
use kefu_domain::customer::{
    ContactChannel, CustomerKind, CustomerStatus, CustomerType, SensitiveField, Tier,
};
use kefu_store::customer::{Contact as StoredContact, Customer as StoredCustomer, CustomerFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::idempotency::{KeyedJson, answer};
use super::{ApiJson, doc, etag, rfc3339};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;

#[derive(Serialize, ToSchema)]
pub struct Contact {
    pub id: i64,
    pub name: String,
    pub title: Option<String>,
    /// Masked (`138****5678`); reveal with `POST /api/v1/customers/{id}/reveal`.
    pub mobile: Option<String>,
    /// Masked.
    pub phone: Option<String>,
    pub email: Option<String>,
    pub wechat: Option<String>,
    pub preferred_channel: Option<String>,
    pub opt_outs: Vec<String>,
    pub rest_hours: String,
    pub is_primary: bool,
}

fn contact(c: StoredContact) -> Contact {
    Contact {
        id: c.id,
        name: c.name,
        title: c.title,
        mobile: c.mobile,
        phone: c.phone,
        email: c.email,
        wechat: c.wechat,
        preferred_channel: c.preferred_channel,
        opt_outs: c.opt_outs,
        rest_hours: c.rest_hours,
        is_primary: c.is_primary,
    }
}

#[derive(Serialize, ToSchema)]
pub struct Customer {
    pub id: i64,
    /// `company` or `person`.
    pub kind: String,
    pub name: String,
    /// `key_account`, `vip`, `normal`.
    pub tier: String,
    /// `end_customer`, `distributor`, `dealer`.
    pub customer_type: String,
    /// `prospect`, `active`, `dormant`, `lost`.
    pub status: String,
    pub province: Option<String>,
    pub city: Option<String>,
    pub industry: Option<String>,
    pub owner_id: Option<i64>,
    pub tags: Vec<String>,
    pub notes: Option<String>,
    /// Masked.
    pub id_number: Option<String>,
    /// Masked.
    pub address: Option<String>,
    /// Masked.
    pub bank_account: Option<String>,
    pub last_contact_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub contacts: Vec<Contact>,
    /// The customer's version, also the `ETag` header of `GET /api/v1/customers/{id}`;
    /// every change to the customer or a contact moves it on.
    pub version: i64,
}

fn customer(c: StoredCustomer, contacts: Vec<StoredContact>) -> Customer {
    Customer {
        id: c.id,
        kind: c.kind,
        name: c.name,
        tier: c.tier,
        customer_type: c.customer_type,
        status: c.status,
        province: c.province,
        city: c.city,
        industry: c.industry,
        owner_id: c.owner_id,
        tags: c.tags,
        notes: c.notes,
        id_number: c.id_number,
        address: c.address,
        bank_account: c.bank_account,
        last_contact_at: c.last_contact_at.map(rfc3339),
        created_at: rfc3339(c.created_at),
        updated_at: rfc3339(c.updated_at),
        contacts: contacts.into_iter().map(contact).collect(),
        version: c.version,
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// A name (any part), an email, or the first or last 4+ digits of a mobile.
    pub q: Option<String>,
    pub tier: Option<String>,
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub customer_type: Option<String>,
    pub status: Option<String>,
    /// The province in full or short (`浙江省` or `浙江`).
    pub province: Option<String>,
    pub owner_id: Option<i64>,
    pub tag: Option<String>,
    /// Credit grade `A`–`D`.
    pub grade: Option<String>,
    /// The id of the last customer of the previous page.
    pub after: Option<i64>,
    /// Page size, default 50; values outside 1–200 are brought within it.
    pub limit: Option<i64>,
}

/// Customers, newest first, sensitive values masked.
#[utoipa::path(get, path = "/api/v1/customers", tag = "customers", params(ListParams),
    responses(
        (status = 200, description = "A page of customers", body = Vec<Customer>),
    ))]
pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
    Query(p): Query<ListParams>,
) -> Result<Json<Vec<Customer>>, WebError> {
    let f = CustomerFilter {
        tier: p.tier.filter(|s| !s.is_empty()),
        customer_type: p.customer_type.filter(|s| !s.is_empty()),
        status: p.status.filter(|s| !s.is_empty()),
        province: p
            .province
            .filter(|s| !s.trim().is_empty())
            .map(|s| kefu_domain::region::canonical_province(&s)),
        owner_id: p.owner_id,
        tag: p.tag.filter(|s| !s.is_empty()),
        credit_grade: p.grade.filter(|s| !s.is_empty()),
        text: p.q.filter(|s| !s.trim().is_empty()),
        ..CustomerFilter::default()
    };
    let rows = state
        .app
        .customers(&identity.actor(), &f, p.after, p.limit.unwrap_or(50))
        .await?;
    Ok(Json(
        rows.into_iter()
            .map(|(c, primary)| customer(c, primary.into_iter().collect()))
            .collect(),
    ))
}

/// One customer with all contacts, sensitive values masked; the `ETag` header carries its
/// version.
#[utoipa::path(get, path = "/api/v1/customers/{id}", tag = "customers",
    params(("id" = i64, Path, description = "customer id")),
    responses(
        (status = 200, description = "The customer", body = Customer,
            headers(("ETag" = String, description = "the customer's version, `\"7\"`"))),
        (status = 404, description = "No such customer", body = super::ErrorBody),
    ))]
pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<([(HeaderName, String); 1], Json<Customer>), WebError> {
    let v = state.app.customer_view(&identity.actor(), id).await?;
    let tag = etag(v.customer.version);
    Ok(([(ETAG, tag)], Json(customer(v.customer, v.contacts))))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContact {
    pub name: String,
    pub title: Option<String>,
    /// A mainland mobile; `+86`, spaces and dashes are accepted.
    pub mobile: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub wechat: Option<String>,
    #[schema(value_type = Option<doc::PreferredChannelKey>)]
    pub preferred_channel: Option<String>,
    /// Channels the contact does not want to be reached through.
    #[serde(default)]
    #[schema(value_type = Vec<doc::ContactChannelKey>)]
    pub opt_outs: Vec<String>,
    /// e.g. `12:00-14:00, 22:00-08:00`.
    pub rest_hours: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCustomer {
    /// `company` (default) or `person`.
    #[schema(value_type = Option<doc::CustomerKindKey>)]
    pub kind: Option<String>,
    pub name: String,
    #[schema(value_type = Option<doc::TierKey>)]
    pub tier: Option<String>,
    #[schema(value_type = Option<doc::CustomerTypeKey>)]
    pub customer_type: Option<String>,
    #[schema(value_type = Option<doc::CustomerStatusKey>)]
    pub status: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub industry: Option<String>,
    pub owner_id: Option<i64>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub notes: Option<String>,
    pub id_number: Option<String>,
    pub address: Option<String>,
    pub bank_account: Option<String>,
    #[serde(default)]
    pub contacts: Vec<NewContact>,
}

/// An optional key (kind, tier…), `default` when absent; an unknown one is refused with the
/// keys allowed.
fn parse<T: kefu_domain::input::Keyed>(
    name: &str,
    v: Option<&str>,
    default: T,
) -> Result<T, WebError> {
    Ok(crate::input::parse_optional_key(name, v)?.unwrap_or(default))
}

/// Adds a customer with contacts. A call sent again with its `Idempotency-Key` gets the
/// customer the first added, 201 again, with `Idempotent-Replayed: true`.
#[utoipa::path(post, path = "/api/v1/customers", tag = "customers", request_body = NewCustomer,
    params(("Idempotency-Key" = Option<String>, Header, description = super::idempotency::KEY_DESCRIPTION)),
    responses(
        (status = 201, description = "Added", body = Created, headers(("Idempotent-Replayed" = String, description = "`true` when this is the answer of an earlier request with the same `Idempotency-Key`"))),
    ))]
pub async fn create(
    State(state): State<AppState>,
    identity: Identity,
    KeyedJson { key, body: b }: KeyedJson<NewCustomer>,
) -> Result<axum::response::Response, WebError> {
    let form = CustomerForm {
        kind: parse("kind", b.kind.as_deref(), CustomerKind::Company)?,
        name: b.name,
        tier: parse("tier", b.tier.as_deref(), Tier::Normal)?,
        customer_type: parse(
            "customer_type",
            b.customer_type.as_deref(),
            CustomerType::EndCustomer,
        )?,
        status: parse("status", b.status.as_deref(), CustomerStatus::Active)?,
        province: b.province.unwrap_or_default(),
        city: b.city.unwrap_or_default(),
        industry: b.industry.unwrap_or_default(),
        owner_id: b.owner_id,
        tags: b.tags.join(","),
        notes: b.notes.unwrap_or_default(),
        id_number: b.id_number,
        address: b.address,
        bank_account: b.bank_account,
    };
    let mut contacts = Vec::new();
    for c in b.contacts {
        let mut opt_outs = Vec::new();
        for o in &c.opt_outs {
            opt_outs.push(crate::input::parse_key::<ContactChannel>("opt_outs", o)?);
        }
        contacts.push(ContactForm {
            name: c.name,
            title: c.title.unwrap_or_default(),
            mobile: c.mobile,
            phone: c.phone,
            email: c.email.unwrap_or_default(),
            wechat: c.wechat.unwrap_or_default(),
            preferred_channel: match c.preferred_channel.as_deref() {
                None | Some("") => None,
                Some(p) => Some(parse("preferred_channel", Some(p), ContactChannel::Phone)?),
            },
            opt_outs,
            rest_hours: c.rest_hours.unwrap_or_default(),
            is_primary: false,
        });
    }
    let out = state
        .app
        .create_customer_with_key(&identity.actor(), &form, &contacts, key.as_ref())
        .await?;
    Ok(answer(
        StatusCode::CREATED,
        out.replayed,
        Created { id: out.id },
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerRevealRequest {
    /// `mobile`, `phone`, `id_number`, `address`, `bank_account`.
    #[schema(value_type = doc::SensitiveFieldKey)]
    pub field: String,
    /// The contact, for `mobile` and `phone`.
    pub contact_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct Revealed {
    pub value: String,
}

/// The clear value of one sensitive field; the reveal is written to the audit log.
#[utoipa::path(post, path = "/api/v1/customers/{id}/reveal", tag = "customers",
    request_body = CustomerRevealRequest,
    params(("id" = i64, Path, description = "customer id")),
    responses(
        (status = 200, description = "The value in clear", body = Revealed),
        (status = 404, description = "No such customer or contact", body = super::ErrorBody),
    ))]
pub async fn reveal(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<CustomerRevealRequest>,
) -> Result<Json<Revealed>, WebError> {
    let field = crate::input::parse_key::<SensitiveField>("field", &r.field)?;
    let value = state
        .app
        .reveal(&identity.actor(), id, field, r.contact_id)
        .await?;
    Ok(Json(Revealed { value }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CreditParams {
    /// An order amount in fen, to ask whether it may be bought on credit (default 0).
    #[param(value_type = Option<doc::AmountFen>)]
    pub amount_fen: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct Credit {
    /// `A`–`D`, absent until investigated.
    pub grade: Option<String>,
    pub limit_fen: i64,
    /// 付款条件 as agreed, free text (`月结30天`, `款到发货`…).
    pub payment_terms: Option<String>,
    /// What the terms ask, as graded handling reads them: `pay_first` (款到发货, 先款后货,
    /// 预付…), `pay_on_delivery` (货到付款, 现款现货…), `on_credit` (月结, 账期, N 天…) or
    /// `unstated` (none, or not recognised: the grade alone decides).
    pub terms_kind: String,
    /// False while the grade suspends the agreed credit terms (`reason` is
    /// `terms_suspended`): they are kept, but not in force.
    pub terms_in_force: bool,
    /// For `amount_fen`: `allowed`, `needs_approval` or `refused` (graded handling, grade,
    /// limit and terms together; `reason` says why).
    pub decision: String,
    /// Why: `allowed`; `needs_approval` (grade C, or over the limit); `refused` (grade D
    /// or ungraded, no credit terms); `refused_by_terms` (the agreed terms ask for payment
    /// first or on delivery, whatever the grade); `terms_suspended` (credit terms agreed,
    /// but grade D or ungraded: the customer pays first until the grade allows credit).
    pub reason: String,
}

/// A customer's credit and the graded-handling answer for an order amount: one rule of
/// grade, limit and payment terms, so `decision` never contradicts `payment_terms`.
#[utoipa::path(get, path = "/api/v1/customers/{id}/credit", tag = "customers", params(("id" = i64, Path, description = "customer id"), CreditParams),
    responses(
        (status = 200, description = "The customer's credit", body = Credit),
        (status = 404, description = "No such customer", body = super::ErrorBody),
        (status = 422, body = super::ErrorBody, description = "An amount outside 0–100000000000 \
            fen (`negative_amount`, `amount_too_large`)"),
    ))]
pub async fn credit(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Query(p): Query<CreditParams>,
) -> Result<Json<Credit>, WebError> {
    let actor = identity.actor();
    let s = state.app.credit_status(&actor, id).await?;
    let d = state
        .app
        .may_buy_on_credit(&actor, id, p.amount_fen.unwrap_or(0))
        .await?;
    Ok(Json(Credit {
        grade: s.grade.map(|g| g.key().to_owned()),
        limit_fen: s.limit_fen,
        payment_terms: s.payment_terms,
        terms_kind: s.terms_kind.key().to_owned(),
        terms_in_force: d.terms_in_force(),
        decision: d.verdict().to_owned(),
        reason: d.key().to_owned(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct CustomerCard {
    pub id: i64,
    pub name: String,
    /// `key_account`, `vip`, `normal`.
    pub tier: String,
    /// `A`–`D`, absent until investigated.
    pub credit_grade: Option<String>,
    /// The contacts, the primary first, numbers masked as everywhere (reveal one with
    /// `POST /api/v1/customers/{id}/reveal`).
    pub contacts: Vec<Contact>,
    /// 最近联系: the last contact with the customer on any channel.
    pub last_contact_at: Option<String>,
    /// Open tickets linked to the customer (counted up to 1000): the tickets
    /// `GET /api/v1/tickets?queue=open&customer_id={id}` lists. Absent when the token's
    /// account does not work tickets.
    pub open_tickets: Option<i64>,
    /// Open complaints of the customer the caller's complaint board shows (up to 1000).
    pub open_complaints: Option<i64>,
    /// Whether the token's account may reveal the contacts' numbers.
    pub can_reveal: bool,
}

/// 客户卡片 — what a ticket's side panel shows of its customer: tier, credit grade, contacts
/// (masked), the last contact, and the open tickets and complaints.
#[utoipa::path(get, path = "/api/v1/customers/{id}/card", tag = "customers",
    params(("id" = i64, Path, description = "customer id")),
    responses(
        (status = 200, description = "The customer's card", body = CustomerCard),
        (status = 404, description = "No such customer", body = super::ErrorBody),
    ))]
pub async fn card(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Json<CustomerCard>, WebError> {
    let c = state.app.customer_card(&identity.actor(), id).await?;
    Ok(Json(CustomerCard {
        id: c.id,
        name: c.name,
        tier: c.tier,
        credit_grade: c.credit_grade.map(|g| g.key().to_owned()),
        contacts: c.contacts.into_iter().map(contact).collect(),
        last_contact_at: c.last_contact_at.map(rfc3339),
        open_tickets: c.open_tickets,
        open_complaints: c.open_complaints,
        can_reveal: c.can_reveal,
    }))
}
