//! 产品与配件目录 over the API: product categories, products, parts 配件 (料号 and where
//! they are used), price lists 价格表 and their prices, the price a customer pays, and the
//! import of product and part lists (all or nothing, every refused cell named). Money is
//! integer fen 分 throughout (`*_fen`), never a decimal. A product, part or price list is
//! changed from the version its `ETag` gave (`If-Match`; 412 `stale_version` otherwise).

use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kefu_app::aftersales::{CatalogueImport, CustomerPrice, PriceChange, ProductDetail};
use kefu_domain::aftersales::catalogue::{Part, PartUse, PriceList, PriceSource, Product};
use kefu_domain::customer::CustomerType;
use kefu_domain::dates;
use kefu_store::aftersales::catalogue::{
    PartRow, PriceItemRow, PriceListRow, ProductFilter, ProductRow,
};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiJson, Created, ErrorBody, ErrorDetail, IfMatch, Tagged, doc, rfc3339, tagged};
use crate::AppState;
use crate::auth::Identity;
use crate::error::{ErrorInfo, KeepBody, WebError};
use crate::input::{parse_optional_key, unknown_value};

mod import;
mod parts;
mod price_lists;

pub use import::*;
pub use parts::*;
pub use price_lists::*;

/// The currency of every amount in the catalogue.
const CURRENCY: &str = "CNY";

/// A page of products or parts when the caller names no size.
const DEFAULT_PAGE: i64 = 50;

fn yes() -> bool {
    true
}

// ---------------------------------------------------------------------------------------
// Categories

/// 产品类别 — a category with how many products it holds.
#[derive(Serialize, ToSchema)]
pub struct CatalogueCategoryOut {
    pub id: i64,
    pub name: String,
    /// Products in it, inactive ones included.
    pub products: i64,
}

/// Every product category, by name, with its product count.
#[utoipa::path(get, path = "/api/v1/catalogue/categories", tag = "catalogue",
    responses((status = 200, description = "The categories", body = Vec<CatalogueCategoryOut>)))]
pub async fn catalogue_categories(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Json<Vec<CatalogueCategoryOut>>, WebError> {
    let list = state.app.product_categories(&identity.actor()).await?;
    Ok(Json(
        list.into_iter()
            .map(|c| CatalogueCategoryOut {
                id: c.id,
                name: c.name,
                products: c.products,
            })
            .collect(),
    ))
}

/// A category to add.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CatalogueCategoryIn {
    /// 1–80 characters.
    pub name: String,
}

/// Adds a product category.
#[utoipa::path(post, path = "/api/v1/catalogue/categories", tag = "catalogue",
    request_body = CatalogueCategoryIn,
    responses(
        (status = 201, description = "Added", body = Created),
        (status = 409, description = "`name_taken`", body = ErrorBody),
        (status = 422, description = "`catalogue_missing`, `catalogue_too_long`", body = ErrorBody),
    ))]
pub async fn add_catalogue_category(
    State(state): State<AppState>,
    identity: Identity,
    ApiJson(b): ApiJson<CatalogueCategoryIn>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let id = state
        .app
        .add_product_category(&identity.actor(), &b.name)
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

// ---------------------------------------------------------------------------------------
// Products

/// 产品 — a product as stored.
#[derive(Serialize, ToSchema)]
pub struct CatalogueProductOut {
    pub id: i64,
    /// Upper-cased: letters, digits and `- _ . /`.
    pub sku: String,
    pub name: String,
    /// 型号
    pub model: String,
    pub category_id: i64,
    /// The category's name.
    pub category: String,
    /// The list price 标准价, in fen.
    pub price_fen: i64,
    /// `CNY`.
    pub currency: String,
    /// 保修期 in months from delivery; 0: none.
    pub warranty_months: u32,
    /// 序列号管理 — each unit has a serial number.
    pub serial_tracked: bool,
    pub active: bool,
    /// Send as `If-Match` (`"7"`) to change it.
    pub version: i64,
    pub updated_at: String,
}

fn product_out(p: ProductRow) -> CatalogueProductOut {
    CatalogueProductOut {
        id: p.id,
        sku: p.product.sku,
        name: p.product.name,
        model: p.product.model,
        category_id: p.product.category_id,
        category: p.category,
        price_fen: p.product.price_fen,
        currency: p.currency,
        warranty_months: p.product.warranty_months,
        serial_tracked: p.product.serial_tracked,
        active: p.product.active,
        version: p.version,
        updated_at: rfc3339(p.updated_at),
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CatalogueProductParams {
    /// Part of the SKU, name or model.
    pub q: Option<String>,
    pub category_id: Option<i64>,
    /// `true`: inactive products too.
    pub inactive: Option<bool>,
    /// The SKU of the last product of the previous page.
    pub after: Option<String>,
    /// Page size, default 50; values outside 1–200 are brought within it.
    pub limit: Option<i64>,
}

/// Products by SKU, a page at a time.
#[utoipa::path(get, path = "/api/v1/catalogue/products", tag = "catalogue",
    params(CatalogueProductParams),
    responses((status = 200, description = "A page of products", body = Vec<CatalogueProductOut>)))]
pub async fn catalogue_products(
    State(state): State<AppState>,
    identity: Identity,
    Query(p): Query<CatalogueProductParams>,
) -> Result<Json<Vec<CatalogueProductOut>>, WebError> {
    let filter = ProductFilter {
        text: p.q.as_deref().filter(|q| !q.trim().is_empty()),
        category_id: p.category_id,
        inactive: p.inactive.unwrap_or(false),
        after: p.after.as_deref().filter(|a| !a.is_empty()),
        limit: p.limit.unwrap_or(DEFAULT_PAGE),
    };
    let rows = state.app.products(&identity.actor(), &filter).await?;
    Ok(Json(rows.into_iter().map(product_out).collect()))
}

/// A part used in a product.
#[derive(Serialize, ToSchema)]
pub struct CatalogueProductPartOut {
    pub id: i64,
    /// 料号
    pub part_number: String,
    pub name: String,
    /// How many of it the product holds.
    pub quantity: u32,
}

/// A price list holding a price for the product.
#[derive(Serialize, ToSchema)]
pub struct CatalogueProductPriceOut {
    pub price_list_id: i64,
    pub name: String,
    /// `end_customer`, `distributor` or `dealer`; `null`: customers given it by name.
    pub customer_type: Option<String>,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub active: bool,
    /// The product's price in this list, in fen.
    pub price_fen: i64,
}

/// A product with the parts used in it and the price lists pricing it.
#[derive(Serialize, ToSchema)]
pub struct CatalogueProductDetail {
    #[serde(flatten)]
    pub product: CatalogueProductOut,
    pub parts: Vec<CatalogueProductPartOut>,
    pub prices: Vec<CatalogueProductPriceOut>,
}

fn product_detail(d: ProductDetail) -> CatalogueProductDetail {
    let product_id = d.product.id;
    CatalogueProductDetail {
        product: product_out(d.product),
        parts: d
            .parts
            .into_iter()
            .map(|p| CatalogueProductPartOut {
                id: p.id,
                quantity: p
                    .part
                    .uses
                    .iter()
                    .find(|u| u.product_id == product_id)
                    .map_or(0, |u| u.quantity),
                part_number: p.part.part_number,
                name: p.part.name,
            })
            .collect(),
        prices: d
            .prices
            .into_iter()
            .map(|(l, price_fen)| CatalogueProductPriceOut {
                price_list_id: l.id,
                name: l.list.name,
                customer_type: l.list.customer_type.map(|t| t.key().to_owned()),
                valid_from: l.list.valid_from.to_string(),
                valid_to: l.list.valid_to.map(|d| d.to_string()),
                active: l.list.active,
                price_fen,
            })
            .collect(),
    }
}

/// One product, the parts used in it and the price lists pricing it; `ETag` carries its
/// version.
#[utoipa::path(get, path = "/api/v1/catalogue/products/{id}", tag = "catalogue",
    params(("id" = i64, Path, description = "product id")),
    responses(
        (status = 200, description = "The product", body = CatalogueProductDetail,
            headers(("ETag" = String, description = "the product's version, `\"7\"`"))),
        (status = 404, description = "No such product", body = ErrorBody),
    ))]
pub async fn catalogue_product(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Tagged<CatalogueProductDetail>, WebError> {
    let d = state.app.product(&identity.actor(), id).await?;
    Ok(tagged(d.product.version, product_detail(d)))
}

/// A product to add or save.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CatalogueProductIn {
    /// 1–40 letters, digits or `- _ . /`; upper-cased.
    pub sku: String,
    /// 1–80 characters.
    pub name: String,
    /// 型号, at most 80 characters.
    #[serde(default)]
    pub model: String,
    pub category_id: i64,
    /// The list price 标准价, in fen (an integer: `329900` is ¥3,299.00).
    #[schema(value_type = doc::AmountFen)]
    pub price_fen: i64,
    /// 保修期 in months, 0–120 (default 0: none).
    #[serde(default)]
    pub warranty_months: u32,
    /// Each unit has a serial number (default false).
    #[serde(default)]
    pub serial_tracked: bool,
    /// Default true.
    #[serde(default = "yes")]
    pub active: bool,
}

fn product_of(b: CatalogueProductIn) -> Product {
    Product {
        sku: b.sku,
        name: b.name,
        model: b.model,
        category_id: b.category_id,
        price_fen: b.price_fen,
        warranty_months: b.warranty_months,
        serial_tracked: b.serial_tracked,
        active: b.active,
    }
}

/// The version a write made.
#[derive(Serialize, ToSchema)]
pub struct CatalogueSaved {
    pub id: i64,
    /// The new version (the next `If-Match`).
    pub version: i64,
}

/// Adds a product.
#[utoipa::path(post, path = "/api/v1/catalogue/products", tag = "catalogue",
    request_body = CatalogueProductIn,
    responses(
        (status = 201, description = "Added", body = Created),
        (status = 409, description = "`catalogue_taken`: the SKU is taken", body = ErrorBody),
        (status = 422, description = "`catalogue_bad_code` (SKU), `catalogue_missing`, \
            `catalogue_too_long`, `catalogue_warranty` (over 120 months), `negative_amount`, \
            `amount_too_large`, `catalogue_unknown_category`", body = ErrorBody),
    ))]
pub async fn create_catalogue_product(
    State(state): State<AppState>,
    identity: Identity,
    ApiJson(b): ApiJson<CatalogueProductIn>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let id = state
        .app
        .create_product(&identity.actor(), product_of(b))
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Saves a product made from the version in `If-Match` (without it: the current one).
#[utoipa::path(put, path = "/api/v1/catalogue/products/{id}", tag = "catalogue",
    params(("id" = i64, Path, description = "product id")),
    request_body = CatalogueProductIn,
    responses(
        (status = 200, description = "Saved", body = CatalogueSaved,
            headers(("ETag" = String, description = "the product's new version"))),
        (status = 404, description = "No such product", body = ErrorBody),
        (status = 409, description = "`catalogue_taken`: the SKU is another product's", body = ErrorBody),
        (status = 412, description = "`stale_version`: the product changed since the version \
            in `If-Match`", body = ErrorBody),
        (status = 422, description = "As when added", body = ErrorBody),
    ))]
pub async fn save_catalogue_product(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<CatalogueProductIn>,
) -> Result<Tagged<CatalogueSaved>, WebError> {
    let actor = identity.actor();
    let based_on = match expected {
        Some(v) => v,
        None => state.app.product(&actor, id).await?.product.version,
    };
    let version = state
        .app
        .save_product(&actor, id, based_on, product_of(b))
        .await?;
    Ok(tagged(version, CatalogueSaved { id, version }))
}
