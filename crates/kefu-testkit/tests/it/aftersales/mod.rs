//! 售后 — the catalogue, the after-sales policy, RMAs, disputes and the portal's view.

mod catalogue;
mod costs;
mod disputes;
mod photos;
mod points;
mod policies;
mod portal;
mod rmas;
mod stock;

use kefu_testkit::{ApiClient, json_body};
use reqwest::Method;
use serde_json::json;

/// A customer added by name; the id.
pub(crate) async fn customer(api: &ApiClient, name: &str) -> i64 {
    json_body(
        api.json(Method::POST, "/api/v1/customers", &json!({"name": name}))
            .await,
    )
    .await["id"]
        .as_i64()
        .unwrap()
}

/// A product (24 months' warranty) in a new category; the product's id.
pub(crate) async fn product(
    api: &ApiClient,
    category: &str,
    sku: &str,
    name: &str,
    price_fen: i64,
) -> i64 {
    let (status, body) = crate::key_accounts::send(
        api,
        Method::POST,
        "/api/v1/catalogue/categories",
        &json!({"name": category}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = crate::key_accounts::send(
        api,
        Method::POST,
        "/api/v1/catalogue/products",
        &json!({"sku": sku, "name": name, "category_id": body["id"], "price_fen": price_fen,
            "warranty_months": 24}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_i64().unwrap()
}
