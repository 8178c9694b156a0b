//! 订单 — orders on pages and over the API: whoever serves customers places, changes and
//! cancels them; the manager approves credit beyond the limit.

use axum::http::Method;
use kefu_domain::Access::Requires;
use kefu_domain::Permission::*;

use crate::routes::{
    RouteTable,
    Surface::{Api, Page},
    api, pages,
};

pub(in crate::routes) fn add(t: RouteTable) -> RouteTable {
    t.add(
        Page,
        Method::GET,
        "/orders",
        Requires(OrderTake),
        pages::orders::list,
    )
    .add(
        Page,
        Method::GET,
        "/orders/new",
        Requires(OrderTake),
        pages::orders::new_form,
    )
    .add(
        Page,
        Method::POST,
        "/orders",
        Requires(OrderTake),
        pages::orders::create,
    )
    .add(
        Page,
        Method::GET,
        "/orders/{id}",
        Requires(OrderTake),
        pages::orders::show,
    )
    .add(
        Page,
        Method::POST,
        "/orders/{id}/decision",
        Requires(OrderApprove),
        pages::orders::decide,
    )
    .add(
        Page,
        Method::POST,
        "/orders/{id}/lines",
        Requires(OrderTake),
        pages::orders::change_line,
    )
    .add(
        Page,
        Method::POST,
        "/orders/{id}/cancel",
        Requires(OrderTake),
        pages::orders::cancel,
    )
    .add(
        Api,
        Method::GET,
        "/api/v1/orders",
        Requires(OrderTake),
        api::orders::orders,
    )
    .add(
        Api,
        Method::POST,
        "/api/v1/orders",
        Requires(OrderTake),
        api::orders::place_order,
    )
    .add(
        Api,
        Method::GET,
        "/api/v1/orders/{id}",
        Requires(OrderTake),
        api::orders::order,
    )
    .add(
        Api,
        Method::POST,
        "/api/v1/orders/{id}/decision",
        Requires(OrderApprove),
        api::orders::decide_order,
    )
    .add(
        Api,
        Method::PUT,
        "/api/v1/orders/{id}/lines/{line_no}",
        Requires(OrderTake),
        api::orders::change_order_line,
    )
    .add(
        Api,
        Method::POST,
        "/api/v1/orders/{id}/cancel",
        Requires(OrderTake),
        api::orders::cancel_order,
    )
    .add(
        Api,
        Method::PUT,
        "/api/v1/catalogue/products/{id}/stock",
        Requires(CatalogueManage),
        api::orders::set_product_stock,
    )
}
