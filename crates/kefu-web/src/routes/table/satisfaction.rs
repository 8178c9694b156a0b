//! 满意度 — the customer's survey link, the ratings and the low scores' follow-up, the
//! settings, on pages and over the API.

use axum::http::Method;
use kefu_domain::Access::Requires;
use kefu_domain::Permission::*;

use crate::routes::{
    RouteTable,
    Surface::{Api, Page},
    api::satisfaction as api,
    pages::satisfaction as pages,
};

pub(in crate::routes) fn add(t: RouteTable) -> RouteTable {
    t.add(
        Page,
        Method::GET,
        "/satisfaction",
        Requires(TicketWork),
        pages::list,
    )
    .add(
        Page,
        Method::POST,
        "/satisfaction/{id}/handle",
        Requires(SatisfactionManage),
        pages::handle,
    )
    .add(
        Page,
        Method::GET,
        "/admin/satisfaction",
        Requires(SatisfactionManage),
        pages::settings,
    )
    .add(
        Page,
        Method::POST,
        "/admin/satisfaction",
        Requires(SatisfactionManage),
        pages::save_settings,
    )
    .add(
        Api,
        Method::GET,
        "/api/v1/csat-settings",
        Requires(SatisfactionManage),
        api::settings,
    )
    .add(
        Api,
        Method::PUT,
        "/api/v1/csat-settings",
        Requires(SatisfactionManage),
        api::save_settings,
    )
    .add(
        Api,
        Method::GET,
        "/api/v1/csat-surveys",
        Requires(TicketWork),
        api::surveys,
    )
    .add(
        Api,
        Method::POST,
        "/api/v1/csat-surveys/{id}/handle",
        Requires(SatisfactionManage),
        api::handle,
    )
}
