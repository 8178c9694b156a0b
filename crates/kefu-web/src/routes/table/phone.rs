//! 电话 — the agent's calls (lists, a call's page and its logging form, calls logged by
//! hand, the screen pop and the stream that announces it), the telephone systems' settings
//! pages, and the webhook the systems post their call events to.

use axum::http::Method;
use kefu_domain::Access::{Public, Requires};
use kefu_domain::Permission::*;

use crate::routes::{
    RouteTable,
    Surface::{Api, Page},
    api,
    pages::{admin_phone, calls},
};

pub(in crate::routes) fn add(t: RouteTable) -> RouteTable {
    t.add(
        Page,
        Method::GET,
        "/calls",
        Requires(TicketWork),
        calls::list,
    )
    .add(
        Page,
        Method::POST,
        "/calls",
        Requires(TicketWork),
        calls::show::create,
    )
    .add(
        Page,
        Method::GET,
        "/calls/new",
        Requires(TicketWork),
        calls::show::new_form,
    )
    .add(
        Page,
        Method::GET,
        "/calls/{id}",
        Requires(TicketWork),
        calls::show::show,
    )
    .add(
        Page,
        Method::POST,
        "/calls/{id}",
        Requires(TicketWork),
        calls::show::log,
    )
    .add(
        Page,
        Method::GET,
        "/calls/{id}/pop",
        Requires(TicketWork),
        calls::pop::pop,
    )
    .add(
        Page,
        Method::POST,
        "/calls/{id}/reveal",
        Requires(CustomerReveal),
        calls::show::reveal,
    )
    .add(
        Page,
        Method::POST,
        "/calls/{id}/dismiss",
        Requires(TicketWork),
        calls::show::dismiss,
    )
    .add(
        Page,
        Method::POST,
        "/calls/{id}/callback",
        Requires(TicketWork),
        calls::show::callback_done,
    )
    .add(
        Page,
        Method::GET,
        "/events/phone",
        Requires(TicketWork),
        crate::live::phone_events,
    )
    .add(
        Page,
        Method::POST,
        "/admin/channels/phone",
        Requires(TicketAdmin),
        admin_phone::create,
    )
    .add(
        Page,
        Method::GET,
        "/admin/channels/phone/{id}",
        Requires(TicketAdmin),
        admin_phone::edit,
    )
    .add(
        Page,
        Method::POST,
        "/admin/channels/phone/{id}",
        Requires(TicketAdmin),
        admin_phone::update,
    )
    .add(
        Page,
        Method::POST,
        "/admin/channels/phone/{id}/secret",
        Requires(TicketAdmin),
        admin_phone::rotate,
    )
    .add(
        Page,
        Method::POST,
        "/admin/channels/phone/{id}/active",
        Requires(TicketAdmin),
        admin_phone::set_active,
    )
    .add(
        Page,
        Method::POST,
        "/admin/channels/phone/{id}/extensions",
        Requires(TicketAdmin),
        admin_phone::map_extension,
    )
    .add(
        Page,
        Method::POST,
        "/admin/channels/phone/{id}/extensions/remove",
        Requires(TicketAdmin),
        admin_phone::unmap_extension,
    )
    // Signed by the channel's secret instead of a token: public to the guard, checked by
    // the handler.
    .add(
        Api,
        Method::POST,
        "/api/v1/channels/phone/{id}/events",
        Public,
        api::phone::events,
    )
}
