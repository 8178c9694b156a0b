//! 应收账款 — receivables on pages and over the API: the ageing report, a customer's
//! account, payments recorded, imported and allocated by whoever serves the customer.

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
        "/receivables",
        Requires(Receivables),
        pages::receivables::ageing,
    )
    .add(
        Page,
        Method::GET,
        "/receivables/import",
        Requires(Receivables),
        pages::receivables::import_form,
    )
    .add(
        Page,
        Method::POST,
        "/receivables/import",
        Requires(Receivables),
        pages::receivables::import,
    )
    .add(
        Page,
        Method::GET,
        "/customers/{id}/account",
        Requires(Receivables),
        pages::receivables::account,
    )
    .add(
        Page,
        Method::POST,
        "/customers/{id}/payments",
        Requires(Receivables),
        pages::receivables::record_payment,
    )
    .add(
        Page,
        Method::POST,
        "/customers/{id}/payments/{payment}/allocations",
        Requires(Receivables),
        pages::receivables::allocate,
    )
    .add(
        Api,
        Method::GET,
        "/api/v1/receivables/ageing",
        Requires(Receivables),
        api::receivables::ageing,
    )
    .add(
        Api,
        Method::GET,
        "/api/v1/customers/{id}/account",
        Requires(Receivables),
        api::receivables::account,
    )
    .add(
        Api,
        Method::POST,
        "/api/v1/customers/{id}/payments",
        Requires(Receivables),
        api::receivables::record_payment,
    )
    .add(
        Api,
        Method::GET,
        "/api/v1/payments/{id}",
        Requires(Receivables),
        api::receivables::payment,
    )
    .add(
        Api,
        Method::POST,
        "/api/v1/payments/{id}/allocations",
        Requires(Receivables),
        api::receivables::allocate_payment,
    )
}
