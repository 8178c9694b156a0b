//! 条件写入 — the writes that honour `If-Match`, listed once: the list documents the header
//! and its 412 on each of them, and a test holds the handlers to it.

use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
use utoipa::openapi::{
    Content, ObjectBuilder, OpenApi, Ref, RefOr, Required, ResponseBuilder, Type,
};
use utoipa::{Modify, ToSchema};

use crate::routes::api::ErrorBody;

/// A write that honours `If-Match` ([`crate::routes::api::IfMatch`]): its method, its path, and the
/// record whose version the header names.
pub struct ConditionalWrite {
    pub method: &'static str,
    pub path: &'static str,
    pub record: &'static str,
}

const fn write(method: &'static str, path: &'static str, record: &'static str) -> ConditionalWrite {
    ConditionalWrite {
        method,
        path,
        record,
    }
}

/// Every write that honours `If-Match`. A test sends a malformed `If-Match` to every write
/// of the document and expects exactly these to refuse it, so this list cannot drift from
/// the handlers.
pub const CONDITIONAL: &[ConditionalWrite] = &[
    write("put", "/api/v1/catalogue/products/{id}", "the product"),
    write("post", "/api/v1/aftersales/rmas/{id}/moves", "the RMA"),
    write(
        "post",
        "/api/v1/aftersales/disputes/{id}/ruling",
        "the dispute",
    ),
    write("put", "/api/v1/aftersales/points/{id}", "the service point"),
    write("post", "/api/v1/orders/{id}/decision", "the order"),
    write("put", "/api/v1/orders/{id}/lines/{line_no}", "the order"),
    write("post", "/api/v1/orders/{id}/cancel", "the order"),
    write("post", "/api/v1/orders/{id}/production", "the order"),
    write("post", "/api/v1/orders/{id}/shipments", "the order"),
    write(
        "post",
        "/api/v1/custom-requests/{id}/moves",
        "the custom request",
    ),
    write("post", "/api/v1/aftersales/rmas/{id}/point", "the RMA"),
    write("post", "/api/v1/statements/{id}/answer", "the statement"),
    write("post", "/api/v1/statements/{id}/close", "the statement"),
    write("put", "/api/v1/catalogue/parts/{id}", "the part"),
    write(
        "put",
        "/api/v1/catalogue/price-lists/{id}",
        "the price list",
    ),
    write(
        "put",
        "/api/v1/catalogue/price-lists/{id}/prices",
        "the price list",
    ),
    write("patch", "/api/v1/tickets/{id}", "the ticket"),
    write("patch", "/api/v1/chat/channels/{id}", "the chat channel"),
    write("post", "/api/v1/complaints/{id}/intake", "the complaint"),
    write("post", "/api/v1/complaints/{id}/judgement", "the complaint"),
    write(
        "post",
        "/api/v1/complaints/{id}/investigation",
        "the complaint",
    ),
    write("post", "/api/v1/complaints/{id}/evidence", "the complaint"),
    write("post", "/api/v1/complaints/{id}/proposals", "the complaint"),
    write("post", "/api/v1/complaints/{id}/penalties", "the complaint"),
    write("post", "/api/v1/complaints/{id}/messages", "the complaint"),
    write(
        "post",
        "/api/v1/complaints/{id}/customer-decision",
        "the complaint",
    ),
    write("post", "/api/v1/complaints/{id}/follow-up", "the complaint"),
    write("patch", "/api/v1/follow-ups/{id}", "the visit"),
    write("post", "/api/v1/follow-ups/{id}/attempts", "the visit"),
    write(
        "put",
        "/api/v1/follow-up-settings",
        "the follow-up settings",
    ),
    write("put", "/api/v1/follow-up-rules/{id}", "the rule"),
    write("put", "/api/v1/csat-settings", "the survey settings"),
    write("put", "/api/v1/quality/settings", "the quality settings"),
    write(
        "post",
        "/api/v1/quality/anomalies/{id}/investigation",
        "the anomaly",
    ),
    write(
        "post",
        "/api/v1/quality/anomalies/{id}/close",
        "the anomaly",
    ),
    write(
        "post",
        "/api/v1/quality/measures/{id}/progress",
        "the measure",
    ),
    write(
        "post",
        "/api/v1/quality/measures/{id}/instruction",
        "the measure",
    ),
    write(
        "post",
        "/api/v1/quality/measures/{id}/verification",
        "the measure",
    ),
    write(
        "post",
        "/api/v1/quality/inspections/{id}/score",
        "the inspection",
    ),
    write(
        "post",
        "/api/v1/quality/inspections/{id}/acknowledge",
        "the inspection",
    ),
    write(
        "post",
        "/api/v1/quality/inspections/{id}/appeal",
        "the inspection",
    ),
    write(
        "post",
        "/api/v1/quality/inspections/{id}/decision",
        "the inspection",
    ),
    write(
        "put",
        "/api/v1/relationship-surveys/{id}",
        "the relationship survey",
    ),
    write(
        "post",
        "/api/v1/complaints/{id}/evaluation",
        "the complaint",
    ),
    write(
        "post",
        "/api/v1/complaint-notices/{id}/acknowledge",
        "the notice's complaint",
    ),
    write(
        "post",
        "/api/v1/complaint-notices/{id}/answer",
        "the notice's complaint",
    ),
    write(
        "post",
        "/api/v1/complaint-notices/{id}/review",
        "the notice's complaint",
    ),
    write(
        "post",
        "/api/v1/complaint-proposals/{id}/decision",
        "the proposal's complaint",
    ),
    write(
        "post",
        "/api/v1/complaint-rmas/{id}/advance",
        "the RMA's complaint",
    ),
    write(
        "post",
        "/api/v1/complaint-rmas/{id}/cancel",
        "the RMA's complaint",
    ),
    write("patch", "/api/v1/users/{id}", "the account"),
    write("post", "/api/v1/scripts/{id}/review", "the script"),
    write("patch", "/api/v1/channels/sms/{id}", "the SMS channel"),
    write(
        "patch",
        "/api/v1/wechat/accounts/{id}",
        "the WeChat account",
    ),
    // 邮件渠道 and 电话渠道: each part of a mailbox or telephone system moves its one version.
    write("patch", "/api/v1/channels/email/{id}", "the e-mail channel"),
    write(
        "put",
        "/api/v1/channels/email/{id}/smtp",
        "the e-mail channel",
    ),
    write(
        "delete",
        "/api/v1/channels/email/{id}/smtp",
        "the e-mail channel",
    ),
    write(
        "put",
        "/api/v1/channels/email/{id}/imap",
        "the e-mail channel",
    ),
    write(
        "delete",
        "/api/v1/channels/email/{id}/imap",
        "the e-mail channel",
    ),
    write(
        "patch",
        "/api/v1/channels/phone/{id}",
        "the telephone channel",
    ),
    write(
        "put",
        "/api/v1/channels/phone/{id}/extensions/{ext}",
        "the telephone channel",
    ),
    write(
        "delete",
        "/api/v1/channels/phone/{id}/extensions/{ext}",
        "the telephone channel",
    ),
];

/// Documents `If-Match` and the 412 it can bring on every [`CONDITIONAL`] write.
pub struct Conditional;

impl Modify for Conditional {
    fn modify(&self, openapi: &mut OpenApi) {
        let error_body = Ref::from_schema_name(<ErrorBody as ToSchema>::name());
        let components = openapi.components.get_or_insert_with(Default::default);
        components.responses.insert(
            "StaleVersion".to_owned(),
            RefOr::T(
                ResponseBuilder::new()
                    .description(
                        "`stale_version`: the record changed since the version in `If-Match`; \
                         nothing was written. The detail names the current version (and, for a \
                         ticket, the fields changed since). Read it again and decide.",
                    )
                    .content("application/json", Content::new(Some(error_body)))
                    .build(),
            ),
        );
        for w in CONDITIONAL {
            let Some(item) = openapi.paths.paths.get_mut(w.path) else {
                continue;
            };
            let operation = match w.method {
                "patch" => item.patch.as_mut(),
                "post" => item.post.as_mut(),
                "put" => item.put.as_mut(),
                "delete" => item.delete.as_mut(),
                _ => None,
            };
            let Some(operation) = operation else {
                continue;
            };
            let header = ParameterBuilder::new()
                .name("If-Match")
                .parameter_in(ParameterIn::Header)
                .required(Required::False)
                .description(Some(format!(
                    "The version of {} the write is made against, as its `ETag` gave it: \
                     `\"7\"`. Without it (or with `*`) the write is made on whatever is current.",
                    w.record
                )))
                .schema(Some(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .pattern(Some(r#"^("[0-9]{1,18}"|\*)$"#)),
                ))
                .build();
            operation
                .parameters
                .get_or_insert_with(Vec::new)
                .push(RefOr::T(header));
            operation.responses.responses.insert(
                "412".to_owned(),
                RefOr::Ref(Ref::from_response_name("StaleVersion")),
            );
        }
    }
}
