//! 渠道 — the e-mail channels' settings pages and failed lists, and the webhook mail servers
//! post to.

use axum::http::Method;
use kefu_domain::Access::{Public, Requires};
use kefu_domain::Permission::*;

use crate::routes::{
    RouteTable,
    Surface::{Api, Page},
    api,
    pages::{admin_channel_imap, admin_channels},
};

pub(in crate::routes) fn add(t: RouteTable) -> RouteTable {
    t.add(
        Page,
        Method::GET,
        "/admin/channels",
        Requires(TicketAdmin),
        admin_channels::list,
    )
    .add(
        Page,
        Method::POST,
        "/admin/channels",
        Requires(TicketAdmin),
        admin_channels::create,
    )
    .add(
        Page,
        Method::GET,
        "/admin/channels/{id}",
        Requires(TicketAdmin),
        admin_channels::edit,
    )
    .add(
        Page,
        Method::POST,
        "/admin/channels/{id}",
        Requires(TicketAdmin),
        admin_channels::update,
    )
    .add(
        Page,
        Method::POST,
        "/admin/channels/{id}/secret",
        Requires(TicketAdmin),
        admin_channels::rotate,
    )
    .add(
        Page,
        Method::POST,
        "/admin/channels/{id}/active",
        Requires(TicketAdmin),
        admin_channels::set_active,
    )
    .add(
        Page,
        Method::POST,
        "/admin/channels/{id}/smtp",
        Requires(TicketAdmin),
        admin_channels::save_smtp,
    )
    .add(
        Page,
        Method::POST,
        "/admin/channels/{id}/test-mail",
        Requires(TicketAdmin),
        admin_channels::test_mail,
    )
    .add(
        Page,
        Method::POST,
        "/admin/channels/{id}/imap",
        Requires(TicketAdmin),
        admin_channel_imap::save,
    )
    .add(
        Page,
        Method::POST,
        "/admin/channels/{id}/imap/test",
        Requires(TicketAdmin),
        admin_channel_imap::test,
    )
    .add(
        Page,
        Method::GET,
        "/admin/channels/{id}/failed",
        Requires(TicketAdmin),
        admin_channels::failed,
    )
    .add(
        Page,
        Method::GET,
        "/admin/channels/{id}/mails/{mail}/raw",
        Requires(TicketAdmin),
        admin_channels::raw,
    )
    .add(
        Page,
        Method::POST,
        "/admin/channels/{id}/failed/{mail}/retry",
        Requires(TicketAdmin),
        admin_channels::retry,
    )
    .add(
        Page,
        Method::POST,
        "/admin/channels/{id}/failed/{mail}/discard",
        Requires(TicketAdmin),
        admin_channels::discard,
    )
    // Signed by the channel's secret instead of a token: public to the guard, checked by
    // the handler. Its own body limit: a whole mail.
    .upload_with(
        kefu_app::channel::email::webhook_body_limit(),
        Api,
        "/api/v1/channels/email/{id}/inbound",
        Public,
        api::channels::inbound,
    )
}
