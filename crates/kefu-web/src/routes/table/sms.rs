//! 短信 — the SMS gateways' settings pages and API, and the webhook the gateways post
//! customers' texts and delivery reports to.

use axum::http::Method;
use kefu_domain::Access::{Public, Requires};
use kefu_domain::Permission::*;

use crate::routes::{
    RouteTable,
    Surface::{Api, Page},
    api,
    pages::admin_sms,
};

pub(in crate::routes) fn add(t: RouteTable) -> RouteTable {
    t.add(
        Page,
        Method::GET,
        "/admin/channels/sms",
        Requires(TicketAdmin),
        admin_sms::list,
    )
    .add(
        Page,
        Method::POST,
        "/admin/channels/sms",
        Requires(TicketAdmin),
        admin_sms::create,
    )
    .add(
        Page,
        Method::GET,
        "/admin/channels/sms/{id}",
        Requires(TicketAdmin),
        admin_sms::edit,
    )
    .add(
        Page,
        Method::POST,
        "/admin/channels/sms/{id}",
        Requires(TicketAdmin),
        admin_sms::update,
    )
    .add(
        Page,
        Method::POST,
        "/admin/channels/sms/{id}/secret",
        Requires(TicketAdmin),
        admin_sms::rotate,
    )
    .add(
        Page,
        Method::POST,
        "/admin/channels/sms/{id}/active",
        Requires(TicketAdmin),
        admin_sms::set_active,
    )
    .add(
        Page,
        Method::POST,
        "/admin/channels/sms/{id}/test",
        Requires(TicketAdmin),
        admin_sms::test_sms,
    )
    .add(
        Api,
        Method::GET,
        "/api/v1/channels/sms",
        Requires(TicketAdmin),
        api::sms::list,
    )
    .add(
        Api,
        Method::POST,
        "/api/v1/channels/sms",
        Requires(TicketAdmin),
        api::sms::create,
    )
    .add(
        Api,
        Method::GET,
        "/api/v1/channels/sms/{id}",
        Requires(TicketAdmin),
        api::sms::show,
    )
    .add(
        Api,
        Method::PATCH,
        "/api/v1/channels/sms/{id}",
        Requires(TicketAdmin),
        api::sms::update,
    )
    .add(
        Api,
        Method::POST,
        "/api/v1/channels/sms/{id}/secret",
        Requires(TicketAdmin),
        api::sms::rotate,
    )
    .add(
        Api,
        Method::POST,
        "/api/v1/channels/sms/{id}/test",
        Requires(TicketAdmin),
        api::sms::test,
    )
    // Signed by the channel's secret instead of a token: public to the guard, checked by
    // the handler.
    .add(
        Api,
        Method::POST,
        "/api/v1/channels/sms/{id}/events",
        Public,
        api::sms::sms_events,
    )
}
