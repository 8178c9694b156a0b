//! 微信公众号 — the official accounts' settings pages and API, the server address WeChat
//! calls, and the ticket page's link of a follower to a contact.

use axum::http::Method;
use kefu_domain::Access::{Public, Requires};
use kefu_domain::Permission::*;

use crate::routes::{
    RouteTable,
    Surface::{Api, Page},
    api,
    pages::{admin_wechat, tickets},
};

pub(in crate::routes) fn add(t: RouteTable) -> RouteTable {
    t.add(
        Page,
        Method::GET,
        "/admin/channels/wechat",
        Requires(TicketAdmin),
        admin_wechat::list,
    )
    .add(
        Page,
        Method::POST,
        "/admin/channels/wechat",
        Requires(TicketAdmin),
        admin_wechat::create,
    )
    .add(
        Page,
        Method::GET,
        "/admin/channels/wechat/{id}",
        Requires(TicketAdmin),
        admin_wechat::edit,
    )
    .add(
        Page,
        Method::POST,
        "/admin/channels/wechat/{id}",
        Requires(TicketAdmin),
        admin_wechat::update,
    )
    .add(
        Page,
        Method::POST,
        "/admin/channels/wechat/{id}/active",
        Requires(TicketAdmin),
        admin_wechat::set_active,
    )
    .add(
        Page,
        Method::POST,
        "/admin/channels/wechat/{id}/test",
        Requires(TicketAdmin),
        admin_wechat::test,
    )
    .add(
        Page,
        Method::POST,
        "/tickets/{id}/wechat-link",
        Requires(TicketWork),
        tickets::wechat::link,
    )
    .add(
        Api,
        Method::GET,
        "/api/v1/wechat/accounts",
        Requires(TicketAdmin),
        api::wechat::list,
    )
    .add(
        Api,
        Method::POST,
        "/api/v1/wechat/accounts",
        Requires(TicketAdmin),
        api::wechat::create,
    )
    .add(
        Api,
        Method::GET,
        "/api/v1/wechat/accounts/{id}",
        Requires(TicketAdmin),
        api::wechat::show,
    )
    .add(
        Api,
        Method::PATCH,
        "/api/v1/wechat/accounts/{id}",
        Requires(TicketAdmin),
        api::wechat::update,
    )
    .add(
        Api,
        Method::POST,
        "/api/v1/wechat/accounts/{id}/test",
        Requires(TicketAdmin),
        api::wechat::test,
    )
    .add(
        Api,
        Method::PUT,
        "/api/v1/wechat/accounts/{id}/followers/{openid}",
        Requires(TicketWork),
        api::wechat::link_follower,
    )
    // Signed by WeChat over the account's Token instead of a token: public to the guard,
    // checked by the handlers.
    .add(
        Api,
        Method::GET,
        "/api/v1/channels/wechat/{id}",
        Public,
        api::wechat::server_check,
    )
    .add(
        Api,
        Method::POST,
        "/api/v1/channels/wechat/{id}",
        Public,
        api::wechat::receive,
    )
}
