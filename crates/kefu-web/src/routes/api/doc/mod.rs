//! What the OpenAPI document says beyond each handler's own annotation: the answers every
//! operation can give ([`CommonResponses`]), the bearer scheme ([`BearerAuth`]), one
//! operation id per operation ([`UniqueOperationIds`]), and the schemas of inputs whose
//! values the server checks — keys of closed sets, business dates, amounts of money.
//!
//! The key schemas are built from the domain's own key lists ([`Keyed::keys`]), so the
//! document names exactly the keys the server accepts and cannot drift from them.
//!
//! A constraint is declared only where the server refuses every value that breaks it:
//! `scripts/fuzz-api.sh` sends values that break each declared constraint and expects a
//! refusal. So an optional key whose empty value the server reads as "absent" lists `""`
//! among its values, and page sizes, which are clamped rather than refused, give their range
//! in the description only.

use kefu_app::ticket::Queue;
use kefu_domain::complaint::{Category, Cause, FollowUpResult, Remedy, Severity, Stage};
use kefu_domain::complaint_report::{Dimension, Period};
use kefu_domain::customer::{
    ContactChannel, ContactValue, CustomerKind, CustomerStatus, CustomerType, SensitiveField, Tier,
};
use kefu_domain::dates::{MAX_DATE, MIN_DATE};
use kefu_domain::follow_up::visit::{Aspect, Reach};
use kefu_domain::input::Keyed;
use kefu_domain::kb::ScriptStatus;
use kefu_domain::money::MAX_AMOUNT_FEN;
use kefu_domain::ticket::{Channel, Priority, StatusCategory, TicketType};
use kefu_domain::{Locale, Role, StaffLevel};
use kefu_search::Kind;
use serde_json::Value;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::schema::AnyOfBuilder;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{
    Content, HeaderBuilder, KnownFormat, Object, ObjectBuilder, OpenApi, Ref, RefOr,
    ResponseBuilder, Schema, SchemaFormat, Type,
};
use utoipa::{Modify, PartialSchema, ToSchema};

use super::ErrorBody;

mod conditional;
mod webhook;

pub use conditional::{CONDITIONAL, Conditional, ConditionalWrite};
pub use webhook::{
    WEBHOOK_SIGNATURE, WECHAT_SIGNATURE, WebhookSignature, is_webhook, is_wechat_webhook,
};

/// The name of the security scheme every operation requires.
pub const BEARER: &str = "bearer";

/// Personal API tokens: `Authorization: Bearer kefu_…`.
pub struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("kefu_<64 hex digits>")
                    .description(Some(
                        "A personal API token (Tokens page, `kefu token create`), sent as \
                         `Authorization: Bearer kefu_…`.",
                    ))
                    .build(),
            ),
        );
    }
}

/// An error answer every operation may give, registered once under
/// `components.responses` and referenced from each operation.
struct Common {
    /// The name under `components.responses`.
    name: &'static str,
    status: &'static str,
    description: &'static str,
    /// Only operations that take a request body can give it.
    with_body_only: bool,
}

/// What any API call can be answered, whatever the route: the guard, the query-string check
/// and the body reader run before every handler (see `crate::auth::guard`,
/// `crate::input::refuse_bad_query`, [`super::ApiJson`]).
const COMMON: &[Common] = &[
    Common {
        name: "BadRequest",
        status: "400",
        description: "Malformed input: a query string or path parameter that does not parse, \
            text that is not UTF-8 (`invalid_utf8`) or holds a control character \
            (`control_character`), malformed JSON (`malformed_json`), a field of the wrong type \
            or an unknown field (`invalid_field`).",
        with_body_only: false,
    },
    Common {
        name: "UriTooLong",
        status: "414",
        description: "The query string is over 16 KiB (`query_too_long`). A URI over 64 KiB \
            is refused by the HTTP layer before kefu reads it, with no body.",
        with_body_only: false,
    },
    Common {
        name: "Unauthorized",
        status: "401",
        description: "No token, an unknown one (`unauthorized`), or a revoked one \
            (`token_revoked`).",
        with_body_only: false,
    },
    Common {
        name: "Forbidden",
        status: "403",
        description: "The token's account may not do this (`forbidden`, `not_your_department`), \
            or still has a one-time password someone else set (`password_change_required`).",
        with_body_only: false,
    },
    Common {
        name: "RateLimited",
        status: "429",
        description: "Too many calls with this token this minute (`rate_limited`); wait the \
            seconds in `Retry-After`.",
        with_body_only: false,
    },
    Common {
        name: "ServiceUnavailable",
        status: "503",
        description: "The database cannot be reached right now — restarting, failing over \
            (`database_unavailable`): nothing was done; send the same request again after \
            the seconds in `Retry-After` (with the same `Idempotency-Key` on a create).",
        with_body_only: false,
    },
    Common {
        name: "InsufficientStorage",
        status: "507",
        description: "The database's disk is full (`storage_full`): nothing of this request \
            was saved, what was saved before is intact. Send it again once space is freed.",
        with_body_only: false,
    },
    Common {
        name: "PayloadTooLarge",
        status: "413",
        description: "The request body is larger than the server accepts (`payload_too_large`, \
            `upload_too_large`, `attachment_too_large`).",
        with_body_only: true,
    },
    Common {
        name: "UnsupportedMediaType",
        status: "415",
        description: "The body is not of the documented content type \
            (`unsupported_media_type`, `attachment_forbidden_type`).",
        with_body_only: true,
    },
    Common {
        name: "UnprocessableEntity",
        status: "422",
        description: "Well-formed but refused by a business rule: an unknown key of a closed set \
            (`unknown_value`, naming the allowed keys), text too long or empty, an amount above \
            the ceiling (`amount_too_large`), a date outside the business range \
            (`date_out_of_range`), …",
        with_body_only: true,
    },
];

/// Adds the [`COMMON`] answers to every operation that does not document them itself, as
/// references to `components.responses`, so no operation can forget them.
pub struct CommonResponses;

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut OpenApi) {
        let error_body = Ref::from_schema_name(<ErrorBody as ToSchema>::name());
        let components = openapi.components.get_or_insert_with(Default::default);
        for common in COMMON {
            let mut response = ResponseBuilder::new()
                .description(common.description)
                .content("application/json", Content::new(Some(error_body.clone())));
            if matches!(common.status, "429" | "503" | "507") {
                response = response.header(
                    "Retry-After",
                    HeaderBuilder::new()
                        .schema(Some(
                            ObjectBuilder::new()
                                .schema_type(Type::Integer)
                                .minimum(Some(1)),
                        ))
                        .description(Some("Seconds to wait before calling again."))
                        .build(),
                );
            }
            components
                .responses
                .insert(common.name.to_owned(), RefOr::T(response.build()));
        }
        for item in openapi.paths.paths.values_mut() {
            for operation in operations_mut(item) {
                let has_body = operation.request_body.is_some();
                let responses = &mut operation.responses.responses;
                for common in COMMON.iter().filter(|c| has_body || !c.with_body_only) {
                    responses
                        .entry(common.status.to_owned())
                        .or_insert_with(|| RefOr::Ref(Ref::from_response_name(common.name)));
                }
            }
        }
    }
}

/// Operation ids are the handlers' function names, which repeat across modules (`list`,
/// `show`, `create`…); the document needs them unique, so each is prefixed with its tag:
/// `tickets_list`, `customers_list`.
pub struct UniqueOperationIds;

impl Modify for UniqueOperationIds {
    fn modify(&self, openapi: &mut OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for operation in operations_mut(item) {
                let tag = operation.tags.as_ref().and_then(|t| t.first()).cloned();
                if let (Some(tag), Some(id)) = (tag, operation.operation_id.as_mut()) {
                    let prefix = format!("{tag}_");
                    if !id.starts_with(&prefix) {
                        id.insert_str(0, &prefix);
                    }
                }
            }
        }
    }
}

fn operations_mut(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.options,
        &mut item.head,
        &mut item.patch,
        &mut item.trace,
    ]
    .into_iter()
    .filter_map(|operation| operation.as_mut())
}

/// Whether the server reads an empty value of a key as if it were absent (a filter not
/// applied, a default chosen) or refuses it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Empty {
    Absent,
    Refused,
}

/// A string that is one of `keys` (and may be empty, when the server reads empty as absent).
fn one_of_keys(keys: &[&'static str], empty: Empty, doc: &str) -> Object {
    let mut values: Vec<Value> = keys.iter().map(|k| Value::from(*k)).collect();
    let mut description = doc.split_whitespace().collect::<Vec<_>>().join(" ");
    if empty == Empty::Absent {
        values.push(Value::from(""));
        description.push_str(" Empty counts as absent.");
    }
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
        .description(Some(description))
        .build()
}

/// Declares a schema type for each closed set of keys, named `<name>` in
/// `components.schemas`: a string enum of the keys `$keys` evaluates to.
macro_rules! key_schemas {
    ($($(#[doc = $doc:literal])+ $name:ident = $keys:expr, $empty:ident;)+) => {$(
        $(#[doc = $doc])+
        pub struct $name;

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                one_of_keys(&$keys, Empty::$empty, concat!($($doc, " "),+)).into()
            }
        }

        impl ToSchema for $name {}
    )+

        /// Every key schema, for `components.schemas` and the tests.
        pub fn key_schemas() -> Vec<(String, RefOr<Schema>)> {
            vec![$((<$name as ToSchema>::name().into_owned(), <$name as PartialSchema>::schema())),+]
        }
    };
}

key_schemas! {
    /// A ticket queue: `mine` (the default), `unassigned`, `groups` (my groups), `pending`,
    /// `overdue`, `open`, `all`.
    QueueKey = Queue::ALL.map(Queue::key), Absent;
    /// What a queue is ordered by: `updated` (the default), `created`, `priority`, `due`
    /// (the earliest SLA deadline).
    TicketSortKey = super::tickets::SORT_KEYS, Refused;
    /// `desc` (the default) or `asc`.
    SortDirectionKey = super::tickets::DIRECTION_KEYS, Refused;
    /// A ticket status category.
    StatusCategoryKey = <StatusCategory as Keyed>::keys(), Absent;
    /// A ticket type.
    TicketTypeKey = <TicketType as Keyed>::keys(), Absent;
    /// A ticket priority.
    PriorityKey = <Priority as Keyed>::keys(), Absent;
    /// A channel a ticket or complaint came through.
    ChannelKey = <Channel as Keyed>::keys(), Absent;
    /// A ticket's contact value that can be revealed.
    ContactValueKey = <ContactValue as Keyed>::keys(), Refused;
    /// A stage of the complaint closed loop.
    StageKey = <Stage as Keyed>::keys(), Absent;
    /// What the complaint report breaks complaints down by (default `category`).
    ReportDimensionKey = <Dimension as Keyed>::keys(), Absent;
    /// The complaint report's time series periods (default: chosen from the range).
    ReportPeriodKey = <Period as Keyed>::keys(), Absent;
    /// What to search.
    SearchKindKey = Kind::ALL.map(Kind::key), Absent;
    /// A reply script's review status (default `approved`).
    ScriptStatusKey = <ScriptStatus as Keyed>::keys(), Absent;
    /// A company or a person (default `company`).
    CustomerKindKey = <CustomerKind as Keyed>::keys(), Absent;
    /// A customer tier (default `normal`).
    TierKey = <Tier as Keyed>::keys(), Absent;
    /// A customer type (default `end_customer`).
    CustomerTypeKey = <CustomerType as Keyed>::keys(), Absent;
    /// A customer status (default `active`).
    CustomerStatusKey = <CustomerStatus as Keyed>::keys(), Absent;
    /// A channel a contact can be reached through.
    ContactChannelKey = <ContactChannel as Keyed>::keys(), Refused;
    /// The channel a contact prefers.
    PreferredChannelKey = <ContactChannel as Keyed>::keys(), Absent;
    /// A sensitive customer field that can be revealed.
    SensitiveFieldKey = <SensitiveField as Keyed>::keys(), Refused;
    /// A complaint category.
    ComplaintCategoryKey = <Category as Keyed>::keys(), Refused;
    /// A complaint's severity.
    SeverityKey = <Severity as Keyed>::keys(), Refused;
    /// A complaint's cause, found by the investigation.
    CauseKey = <Cause as Keyed>::keys(), Refused;
    /// What a solution offers the customer.
    RemedyKey = <Remedy as Keyed>::keys(), Refused;
    /// The result of the follow-up call.
    FollowUpResultKey = <FollowUpResult as Keyed>::keys(), Refused;
    /// A staff level; empty clears it.
    StaffLevelKey = <StaffLevel as Keyed>::keys(), Absent;
    /// The language a user reads kefu in.
    LocaleKey = <Locale as Keyed>::keys(), Refused;
    /// A role.
    RoleKey = <Role as Keyed>::keys(), Refused;
    /// Which chats: `waiting` (the reader's queue, the default) or `mine` (those they
    /// answer now).
    ChatListKey = super::chat::LIST_KEYS, Absent;
    /// What came of a follow-up attempt.
    ReachKey = <Reach as Keyed>::keys(), Refused;
    /// What a customer's opinion on a follow-up visit is about.
    AspectKey = <Aspect as Keyed>::keys(), Refused;
    /// The tier a follow-up rule visits.
    RuleTierKey = <Tier as Keyed>::keys(), Refused;
    /// What makes a follow-up rule plan a visit.
    RuleKindKey = <kefu_domain::follow_up::rule::RuleKind as Keyed>::keys(), Refused;
}

fn string(format: Option<KnownFormat>) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(format.map(SchemaFormat::KnownFormat))
}

/// Blank text (nothing, or only white space), which the date readers take as absent.
fn blank() -> ObjectBuilder {
    string(None).pattern(Some(r"^\s*$"))
}

/// A business day as `YYYY-MM-DD` between 2000-01-01 and 2099-12-31 (`date_out_of_range`
/// outside); blank for the default.
pub struct DateInput;

impl PartialSchema for DateInput {
    fn schema() -> RefOr<Schema> {
        AnyOfBuilder::new()
            .item(string(Some(KnownFormat::Date)))
            .item(blank())
            .description(Some(format!(
                "A day, `YYYY-MM-DD`, from {MIN_DATE} to {MAX_DATE} (`date_out_of_range` \
                 outside); blank for the default."
            )))
            .into()
    }
}

impl ToSchema for DateInput {}

/// An instant, RFC 3339, or a day `YYYY-MM-DD` in Beijing time; its day lies between
/// 2000-01-01 and 2099-12-31; blank for none.
pub struct InstantInput;

impl PartialSchema for InstantInput {
    fn schema() -> RefOr<Schema> {
        AnyOfBuilder::new()
            .item(string(Some(KnownFormat::DateTime)))
            .item(string(Some(KnownFormat::Date)))
            .item(blank())
            .description(Some(format!(
                "An instant (RFC 3339) or a day (`YYYY-MM-DD`, Beijing time), its day from \
                 {MIN_DATE} to {MAX_DATE} (`date_out_of_range` outside); blank for none."
            )))
            .into()
    }
}

impl ToSchema for InstantInput {}

/// An instant, RFC 3339; empty for now.
pub struct TimestampInput;

impl PartialSchema for TimestampInput {
    fn schema() -> RefOr<Schema> {
        AnyOfBuilder::new()
            .item(string(Some(KnownFormat::DateTime)))
            .item(string(None).enum_values(Some([""])))
            .description(Some(format!(
                "An instant (RFC 3339), its Beijing day from {MIN_DATE} to {MAX_DATE} \
                 (`date_out_of_range` outside); empty for now."
            )))
            .into()
    }
}

impl ToSchema for TimestampInput {}

/// An amount of money in fen (分), from 0 to ¥1,000,000,000 (`amount_too_large` above).
pub struct AmountFen;

impl PartialSchema for AmountFen {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
            .minimum(Some(0))
            .maximum(Some(MAX_AMOUNT_FEN))
            .description(Some(format!(
                "An amount in fen (分), from 0 to {MAX_AMOUNT_FEN} (¥{}; `amount_too_large` \
                 above).",
                kefu_domain::money::max_yuan()
            )))
            .into()
    }
}

impl ToSchema for AmountFen {}

/// The schemas above that are not key schemas, for `components.schemas`.
pub fn value_schemas() -> Vec<(String, RefOr<Schema>)> {
    fn entry<T: ToSchema>() -> (String, RefOr<Schema>) {
        (T::name().into_owned(), T::schema())
    }
    vec![
        entry::<DateInput>(),
        entry::<InstantInput>(),
        entry::<TimestampInput>(),
        entry::<AmountFen>(),
    ]
}

/// Registers the schemas of this module: parameters refer to them by name, and
/// `IntoParams` does not collect the schemas its fields refer to.
pub struct InputSchemas;

impl Modify for InputSchemas {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for (name, schema) in key_schemas().into_iter().chain(value_schemas()) {
            components.schemas.insert(name, schema);
        }
    }
}

#[cfg(test)]
mod schema_names;

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::{Value, json};
    use utoipa::OpenApi as _;

    use super::super::ApiDoc;
    use super::*;

    fn document() -> Value {
        serde_json::to_value(ApiDoc::openapi()).expect("the document serialises")
    }

    /// Every operation as (method, path, operation).
    fn operations(doc: &Value) -> Vec<(String, String, Value)> {
        let mut out = Vec::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, operation) in item.as_object().expect("a path item") {
                if [
                    "get", "put", "post", "delete", "patch", "head", "options", "trace",
                ]
                .contains(&method.as_str())
                {
                    out.push((method.clone(), path.clone(), operation.clone()));
                }
            }
        }
        assert!(out.len() > 40, "{} operations", out.len());
        out
    }

    fn placeholders(path: &str) -> BTreeSet<String> {
        path.split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned()))
            .collect()
    }

    /// `#/components/<kind>/<name>` resolved in the document.
    fn resolve<'a>(doc: &'a Value, reference: &str) -> &'a Value {
        let pointer = reference
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("not a local reference: {reference}"));
        doc.pointer(pointer)
            .unwrap_or_else(|| panic!("{reference} does not resolve"))
    }

    #[test]
    fn path_parameters_are_the_placeholders_of_their_path() {
        let doc = document();
        let mut wrong = Vec::new();
        for (method, path, operation) in operations(&doc) {
            let declared: BTreeSet<String> = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "path")
                .map(|p| p["name"].as_str().unwrap_or_default().to_owned())
                .collect();
            let expected = placeholders(&path);
            for name in declared.difference(&expected) {
                wrong.push(format!("{method} {path}: {name} is not in the path"));
            }
            for name in expected.difference(&declared) {
                wrong.push(format!("{method} {path}: {{{name}}} is not declared"));
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    #[test]
    fn every_operation_documents_the_common_refusals() {
        let doc = document();
        for (method, path, operation) in operations(&doc) {
            let responses = operation["responses"].as_object().expect("responses");
            let mut expected = vec!["400", "401", "403", "414", "429", "503", "507"];
            if operation.get("requestBody").is_some() {
                expected.extend(["413", "415", "422"]);
            }
            if !placeholders(&path).is_empty() {
                expected.push("404");
            }
            for status in expected {
                let response = responses
                    .get(status)
                    .unwrap_or_else(|| panic!("{method} {path} does not document {status}"));
                let response = match response["$ref"].as_str() {
                    Some(r) => resolve(&doc, r),
                    None => response,
                };
                assert_eq!(
                    response["content"]["application/json"]["schema"]["$ref"],
                    "#/components/schemas/ErrorBody",
                    "{method} {path} {status}"
                );
            }
            assert!(
                responses.keys().any(|s| s.starts_with('2')),
                "{method} {path} documents no success"
            );
        }
        let rate_limited = resolve(&doc, "#/components/responses/RateLimited");
        assert!(rate_limited["headers"]["Retry-After"].is_object());
        for name in ["ServiceUnavailable", "InsufficientStorage"] {
            let outage = resolve(&doc, &format!("#/components/responses/{name}"));
            assert!(outage["headers"]["Retry-After"].is_object(), "{name}");
        }
    }

    #[test]
    fn every_operation_requires_the_bearer_token_or_a_webhook_signature() {
        let doc = document();
        assert_eq!(
            doc["components"]["securitySchemes"][BEARER]["scheme"],
            "bearer"
        );
        assert_eq!(doc["components"]["securitySchemes"][BEARER]["type"], "http");
        let required = json!([{ "bearer": [] }]);
        assert_eq!(doc["security"], required);
        let signed = json!([{ "webhook_signature": [] }]);
        for (method, path, operation) in operations(&doc) {
            // No operation lifts the requirement but the webhooks, which a signature of
            // the body authenticates instead.
            if is_webhook(&path) {
                assert_eq!(operation.get("security"), Some(&signed), "{method} {path}");
            } else if is_wechat_webhook(&path) {
                let wechat = json!([{ "wechat_signature": [] }]);
                assert_eq!(operation.get("security"), Some(&wechat), "{method} {path}");
            } else if let Some(security) = operation.get("security") {
                assert_eq!(security, &required, "{method} {path}");
            }
        }
    }

    #[test]
    fn operation_ids_are_unique() {
        let doc = document();
        let mut seen = BTreeSet::new();
        for (method, path, operation) in operations(&doc) {
            let id = operation["operationId"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            assert!(!id.is_empty(), "{method} {path} has no operation id");
            assert!(seen.insert(id.clone()), "{id} repeats ({method} {path})");
        }
    }

    #[test]
    fn every_reference_resolves() {
        fn walk(doc: &Value, value: &Value, at: &str) {
            match value {
                Value::Object(map) => {
                    if let Some(Value::String(r)) = map.get("$ref") {
                        assert!(
                            r.strip_prefix('#').and_then(|p| doc.pointer(p)).is_some(),
                            "{at}: {r} does not resolve"
                        );
                    }
                    for (k, v) in map {
                        walk(doc, v, &format!("{at}/{k}"));
                    }
                }
                Value::Array(items) => {
                    for (i, v) in items.iter().enumerate() {
                        walk(doc, v, &format!("{at}/{i}"));
                    }
                }
                _ => {}
            }
        }
        let doc = document();
        walk(&doc, &doc, "");
    }

    #[test]
    fn key_schemas_list_the_domain_keys() {
        let doc = document();
        let schemas = &doc["components"]["schemas"];
        let keys = |name: &str| -> Vec<String> {
            schemas[name]["enum"]
                .as_array()
                .unwrap_or_else(|| panic!("{name} is not an enum"))
                .iter()
                .map(|v| v.as_str().unwrap_or_default().to_owned())
                .collect()
        };
        assert_eq!(keys("PriorityKey"), ["low", "normal", "high", "urgent", ""]);
        assert_eq!(
            keys("SeverityKey"),
            <Severity as Keyed>::keys(),
            "a required key has no empty value"
        );
        assert_eq!(keys("QueueKey").len(), Queue::ALL.len() + 1);
        for (name, _) in key_schemas() {
            assert!(!keys(&name).is_empty(), "{name}");
        }
    }

    /// The fields and parameters that carry a closed set of keys refer to its schema.
    #[test]
    fn closed_sets_are_enums_in_parameters_and_bodies() {
        let doc = document();
        let parameter = |path: &str, name: &str| -> Value {
            doc["paths"][path]["get"]["parameters"]
                .as_array()
                .expect("parameters")
                .iter()
                .find(|p| p["name"] == name)
                .unwrap_or_else(|| panic!("{path} has no parameter {name}"))
                .clone()
        };
        let refers_to = |schema: &Value, name: &str| {
            let text = schema.to_string();
            assert!(
                text.contains(&format!("\"#/components/schemas/{name}\"")),
                "{schema} does not refer to {name}"
            );
        };
        for (name, key) in [
            ("queue", "QueueKey"),
            ("sort", "TicketSortKey"),
            ("dir", "SortDirectionKey"),
            ("priority", "PriorityKey"),
            ("type", "TicketTypeKey"),
            ("category", "StatusCategoryKey"),
            ("channel", "ChannelKey"),
        ] {
            let p = parameter("/api/v1/tickets", name);
            assert_eq!(p["in"], "query");
            refers_to(&p["schema"], key);
        }
        refers_to(
            &parameter("/api/v1/complaints", "stage")["schema"],
            "StageKey",
        );
        refers_to(
            &parameter("/api/v1/search", "kind")["schema"],
            "SearchKindKey",
        );
        refers_to(
            &parameter("/api/v1/search", "from")["schema"],
            "InstantInput",
        );
        refers_to(
            &parameter("/api/v1/complaints/stats", "from")["schema"],
            "DateInput",
        );
        refers_to(
            &parameter("/api/v1/complaints/stats", "by")["schema"],
            "ReportDimensionKey",
        );
        refers_to(
            &parameter("/api/v1/customers/{id}/credit", "amount_fen")["schema"],
            "AmountFen",
        );
        let property = |schema: &str, field: &str| {
            doc["components"]["schemas"][schema]["properties"][field].clone()
        };
        refers_to(&property("NewTicket", "priority"), "PriorityKey");
        refers_to(&property("NewComplaint", "severity"), "SeverityKey");
        refers_to(&property("NewComplaint", "delivery_date"), "DateInput");
        refers_to(&property("ProposalIn", "cost_fen"), "AmountFen");
        refers_to(&property("PenaltyIn", "amount_fen"), "AmountFen");
        refers_to(&property("NewUser", "roles"), "RoleKey");
        // Two request types once shared the name `RevealRequest`, so one was documented as
        // the other.
        refers_to(&property("TicketRevealRequest", "field"), "ContactValueKey");
        refers_to(
            &property("CustomerRevealRequest", "field"),
            "SensitiveFieldKey",
        );
    }

    #[test]
    fn amounts_are_bounded_by_the_domain_ceiling() {
        let doc = document();
        let amount = &doc["components"]["schemas"]["AmountFen"];
        assert_eq!(amount["minimum"], 0);
        assert_eq!(amount["maximum"], MAX_AMOUNT_FEN);
    }
}
