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

// ---------------------------------------------------------------------------------------
// Parts

/// A product a part is used in.
#[derive(Serialize, ToSchema)]
pub struct CataloguePartUseOut {
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub quantity: u32,
}

/// 配件 — a part as stored, with where it is used (适用产品).
#[derive(Serialize, ToSchema)]
pub struct CataloguePartOut {
    pub id: i64,
    /// 料号: upper-cased letters, digits and `- _ . /`.
    pub part_number: String,
    pub name: String,
    /// 成本, in fen.
    pub cost_fen: i64,
    /// `CNY`.
    pub currency: String,
    /// 单位 (件, 套, 米 …).
    pub unit: String,
    pub active: bool,
    /// The products it is used in, by SKU.
    pub used_in: Vec<CataloguePartUseOut>,
    /// Send as `If-Match` (`"7"`) to change it.
    pub version: i64,
    pub updated_at: String,
}

fn part_out(p: PartRow) -> CataloguePartOut {
    let uses = p.part.uses;
    CataloguePartOut {
        id: p.id,
        part_number: p.part.part_number,
        name: p.part.name,
        cost_fen: p.part.cost_fen,
        currency: p.currency,
        unit: p.part.unit,
        active: p.part.active,
        used_in: p
            .used_in
            .into_iter()
            .map(|(product_id, sku, name)| CataloguePartUseOut {
                product_id,
                sku,
                name,
                quantity: uses
                    .iter()
                    .find(|u| u.product_id == product_id)
                    .map_or(0, |u| u.quantity),
            })
            .collect(),
        version: p.version,
        updated_at: rfc3339(p.updated_at),
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CataloguePartParams {
    /// Part of the part number or name.
    pub q: Option<String>,
    /// Only the parts used in this product.
    pub product_id: Option<i64>,
    /// The part number of the last part of the previous page.
    pub after: Option<String>,
    /// Page size, default 50; values outside 1–200 are brought within it.
    pub limit: Option<i64>,
}

/// Parts by part number, a page at a time.
#[utoipa::path(get, path = "/api/v1/catalogue/parts", tag = "catalogue",
    params(CataloguePartParams),
    responses((status = 200, description = "A page of parts", body = Vec<CataloguePartOut>)))]
pub async fn catalogue_parts(
    State(state): State<AppState>,
    identity: Identity,
    Query(p): Query<CataloguePartParams>,
) -> Result<Json<Vec<CataloguePartOut>>, WebError> {
    let rows = state
        .app
        .parts(
            &identity.actor(),
            p.q.as_deref().filter(|q| !q.trim().is_empty()),
            p.product_id,
            p.after.as_deref().filter(|a| !a.is_empty()),
            p.limit.unwrap_or(DEFAULT_PAGE),
        )
        .await?;
    Ok(Json(rows.into_iter().map(part_out).collect()))
}

/// One part with where it is used; `ETag` carries its version.
#[utoipa::path(get, path = "/api/v1/catalogue/parts/{id}", tag = "catalogue",
    params(("id" = i64, Path, description = "part id")),
    responses(
        (status = 200, description = "The part", body = CataloguePartOut,
            headers(("ETag" = String, description = "the part's version, `\"7\"`"))),
        (status = 404, description = "No such part", body = ErrorBody),
    ))]
pub async fn catalogue_part(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Tagged<CataloguePartOut>, WebError> {
    let p = state.app.part(&identity.actor(), id).await?;
    Ok(tagged(p.version, part_out(p)))
}

/// A product a part is used in, and how many.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CataloguePartUseIn {
    pub product_id: i64,
    /// 1–10000.
    pub quantity: u32,
}

/// A part to add or save.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CataloguePartIn {
    /// 料号: 1–40 letters, digits or `- _ . /`; upper-cased.
    pub part_number: String,
    /// 1–80 characters.
    pub name: String,
    /// 成本, in fen (an integer).
    #[schema(value_type = doc::AmountFen)]
    pub cost_fen: i64,
    /// 单位, at most 10 characters; `件` when empty.
    #[serde(default)]
    pub unit: String,
    /// Default true.
    #[serde(default = "yes")]
    pub active: bool,
    /// The products it is used in (each once, at most 200); replaces the list saved.
    #[serde(default)]
    pub used_in: Vec<CataloguePartUseIn>,
}

fn part_of(b: CataloguePartIn) -> Part {
    Part {
        part_number: b.part_number,
        name: b.name,
        cost_fen: b.cost_fen,
        unit: b.unit,
        active: b.active,
        uses: b
            .used_in
            .into_iter()
            .map(|u| PartUse {
                product_id: u.product_id,
                quantity: u.quantity,
            })
            .collect(),
    }
}

/// Adds a part and where it is used.
#[utoipa::path(post, path = "/api/v1/catalogue/parts", tag = "catalogue",
    request_body = CataloguePartIn,
    responses(
        (status = 201, description = "Added", body = Created),
        (status = 409, description = "`catalogue_taken`: the part number is taken", body = ErrorBody),
        (status = 422, description = "`catalogue_bad_code` (part number), `catalogue_missing`, \
            `catalogue_too_long`, `negative_amount`, `amount_too_large`, \
            `catalogue_listed_twice`, `catalogue_unknown_sku` (a product id not in the \
            catalogue), `catalogue_use_quantity` (outside 1–10000), `catalogue_too_many_uses` \
            (over 200)", body = ErrorBody),
    ))]
pub async fn create_catalogue_part(
    State(state): State<AppState>,
    identity: Identity,
    ApiJson(b): ApiJson<CataloguePartIn>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let id = state.app.create_part(&identity.actor(), part_of(b)).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Saves a part made from the version in `If-Match` (without it: the current one).
#[utoipa::path(put, path = "/api/v1/catalogue/parts/{id}", tag = "catalogue",
    params(("id" = i64, Path, description = "part id")),
    request_body = CataloguePartIn,
    responses(
        (status = 200, description = "Saved", body = CatalogueSaved,
            headers(("ETag" = String, description = "the part's new version"))),
        (status = 404, description = "No such part", body = ErrorBody),
        (status = 409, description = "`catalogue_taken`: the part number is another part's", body = ErrorBody),
        (status = 412, description = "`stale_version`: the part changed since the version in \
            `If-Match`", body = ErrorBody),
        (status = 422, description = "As when added", body = ErrorBody),
    ))]
pub async fn save_catalogue_part(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<CataloguePartIn>,
) -> Result<Tagged<CatalogueSaved>, WebError> {
    let actor = identity.actor();
    let based_on = match expected {
        Some(v) => v,
        None => state.app.part(&actor, id).await?.version,
    };
    let version = state
        .app
        .save_part(&actor, id, based_on, part_of(b))
        .await?;
    Ok(tagged(version, CatalogueSaved { id, version }))
}

// ---------------------------------------------------------------------------------------
// Price lists

/// 价格表 — a price list's head.
#[derive(Serialize, ToSchema)]
pub struct CataloguePriceListOut {
    pub id: i64,
    pub name: String,
    /// The customers it prices: `end_customer`, `distributor` (经销价) or `dealer`; `null`:
    /// only customers given it by name.
    pub customer_type: Option<String>,
    /// The first day it applies, `YYYY-MM-DD`.
    pub valid_from: String,
    /// The last day it applies; `null`: until replaced.
    pub valid_to: Option<String>,
    pub active: bool,
    /// `CNY`.
    pub currency: String,
    /// How many products it prices.
    pub item_count: i64,
    /// Send as `If-Match` (`"7"`) to change it or its prices.
    pub version: i64,
    pub updated_at: String,
}

fn price_list_out(l: PriceListRow) -> CataloguePriceListOut {
    CataloguePriceListOut {
        id: l.id,
        name: l.list.name,
        customer_type: l.list.customer_type.map(|t| t.key().to_owned()),
        valid_from: l.list.valid_from.to_string(),
        valid_to: l.list.valid_to.map(|d| d.to_string()),
        active: l.list.active,
        currency: l.currency,
        item_count: l.items,
        version: l.version,
        updated_at: rfc3339(l.updated_at),
    }
}

/// A product's price in a list.
#[derive(Serialize, ToSchema)]
pub struct CataloguePriceItemOut {
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    /// The product's list price 标准价, in fen.
    pub list_price_fen: i64,
    /// Its price in this list, in fen.
    pub price_fen: i64,
}

fn price_item_out(i: PriceItemRow) -> CataloguePriceItemOut {
    CataloguePriceItemOut {
        product_id: i.product_id,
        sku: i.sku,
        name: i.name,
        list_price_fen: i.list_price_fen,
        price_fen: i.price_fen,
    }
}

/// A price list with its prices, by SKU.
#[derive(Serialize, ToSchema)]
pub struct CataloguePriceListDetail {
    #[serde(flatten)]
    pub list: CataloguePriceListOut,
    pub items: Vec<CataloguePriceItemOut>,
}

/// Every price list, by name.
#[utoipa::path(get, path = "/api/v1/catalogue/price-lists", tag = "catalogue",
    responses((status = 200, description = "The price lists", body = Vec<CataloguePriceListOut>)))]
pub async fn catalogue_price_lists(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Json<Vec<CataloguePriceListOut>>, WebError> {
    let list = state.app.price_lists(&identity.actor()).await?;
    Ok(Json(list.into_iter().map(price_list_out).collect()))
}

/// One price list and its prices; `ETag` carries its version.
#[utoipa::path(get, path = "/api/v1/catalogue/price-lists/{id}", tag = "catalogue",
    params(("id" = i64, Path, description = "price list id")),
    responses(
        (status = 200, description = "The price list", body = CataloguePriceListDetail,
            headers(("ETag" = String, description = "the price list's version, `\"7\"`"))),
        (status = 404, description = "No such price list", body = ErrorBody),
    ))]
pub async fn catalogue_price_list(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Tagged<CataloguePriceListDetail>, WebError> {
    let (head, items) = state.app.price_list(&identity.actor(), id).await?;
    let version = head.version;
    Ok(tagged(
        version,
        CataloguePriceListDetail {
            list: price_list_out(head),
            items: items.into_iter().map(price_item_out).collect(),
        },
    ))
}

/// A price list's head to add or save.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CataloguePriceListIn {
    /// 1–80 characters.
    pub name: String,
    /// The customers it prices; absent, `null` or empty: only customers given it by name.
    #[serde(default)]
    #[schema(value_type = Option<doc::CustomerTypeKey>)]
    pub customer_type: Option<String>,
    /// The first day it applies, `YYYY-MM-DD`.
    pub valid_from: String,
    /// The last day it applies; absent or blank: until replaced.
    #[serde(default)]
    #[schema(value_type = Option<doc::DateInput>)]
    pub valid_to: Option<String>,
    /// Default true.
    #[serde(default = "yes")]
    pub active: bool,
}

fn price_list_of(b: CataloguePriceListIn) -> Result<PriceList, WebError> {
    Ok(PriceList {
        name: b.name,
        customer_type: parse_optional_key::<CustomerType>(
            "customer_type",
            b.customer_type.as_deref(),
        )?,
        valid_from: dates::parse("valid_from", &b.valid_from).map_err(kefu_app::AppError::from)?,
        valid_to: dates::parse_opt("valid_to", b.valid_to.as_deref())
            .map_err(kefu_app::AppError::from)?,
        active: b.active,
    })
}

/// Adds a price list (no prices yet: set them with `PUT …/prices`).
#[utoipa::path(post, path = "/api/v1/catalogue/price-lists", tag = "catalogue",
    request_body = CataloguePriceListIn,
    responses(
        (status = 201, description = "Added", body = Created),
        (status = 400, description = "`invalid_field`: a date is not `YYYY-MM-DD`", body = ErrorBody),
        (status = 409, description = "`name_taken`", body = ErrorBody),
        (status = 422, description = "`catalogue_missing`, `catalogue_too_long`, \
            `catalogue_reversed` (the end before the start), `date_out_of_range`, \
            `unknown_value` (`customer_type`)", body = ErrorBody),
    ))]
pub async fn create_catalogue_price_list(
    State(state): State<AppState>,
    identity: Identity,
    ApiJson(b): ApiJson<CataloguePriceListIn>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let list = price_list_of(b)?;
    let id = state.app.create_price_list(&identity.actor(), list).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Saves a price list's head made from the version in `If-Match` (without it: the current
/// one).
#[utoipa::path(put, path = "/api/v1/catalogue/price-lists/{id}", tag = "catalogue",
    params(("id" = i64, Path, description = "price list id")),
    request_body = CataloguePriceListIn,
    responses(
        (status = 200, description = "Saved", body = CatalogueSaved,
            headers(("ETag" = String, description = "the price list's new version"))),
        (status = 400, description = "`invalid_field`: a date is not `YYYY-MM-DD`", body = ErrorBody),
        (status = 404, description = "No such price list", body = ErrorBody),
        (status = 409, description = "`name_taken`", body = ErrorBody),
        (status = 412, description = "`stale_version`: the price list changed since the version \
            in `If-Match`", body = ErrorBody),
        (status = 422, description = "As when added", body = ErrorBody),
    ))]
pub async fn save_catalogue_price_list(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<CataloguePriceListIn>,
) -> Result<Tagged<CatalogueSaved>, WebError> {
    let list = price_list_of(b)?;
    let actor = identity.actor();
    let based_on = match expected {
        Some(v) => v,
        None => state.app.price_list(&actor, id).await?.0.version,
    };
    let version = state
        .app
        .save_price_list(&actor, id, based_on, list)
        .await?;
    Ok(tagged(version, CatalogueSaved { id, version }))
}

/// `price_fen` must be given, as a number or as `null`: an omitted one is not read as a
/// removal.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Option::<i64>::deserialize(d)
}

/// A price to set in the list, by SKU.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CataloguePriceIn {
    pub sku: String,
    /// The price in fen; `null` takes the product off the list. Required.
    #[serde(deserialize_with = "present")]
    #[schema(value_type = Option<doc::AmountFen>, required = true)]
    pub price_fen: Option<i64>,
}

/// Prices to set or remove, all or none.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CataloguePricesIn {
    /// Each SKU once; at most as many as an import takes.
    pub prices: Vec<CataloguePriceIn>,
}

/// Sets or removes prices in a price list, all or none, made from the version in
/// `If-Match` (without it: the current one).
#[utoipa::path(put, path = "/api/v1/catalogue/price-lists/{id}/prices", tag = "catalogue",
    params(("id" = i64, Path, description = "price list id")),
    request_body = CataloguePricesIn,
    responses(
        (status = 200, description = "Saved", body = CatalogueSaved,
            headers(("ETag" = String, description = "the price list's new version"))),
        (status = 404, description = "No such price list", body = ErrorBody),
        (status = 412, description = "`stale_version`: the price list changed since the version \
            in `If-Match`", body = ErrorBody),
        (status = 422, description = "`nothing_selected` (no prices), `too_many`, \
            `catalogue_bad_code`, `catalogue_unknown_sku`, `catalogue_listed_twice`, \
            `negative_amount`, `amount_too_large`", body = ErrorBody),
    ))]
pub async fn set_catalogue_prices(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<CataloguePricesIn>,
) -> Result<Tagged<CatalogueSaved>, WebError> {
    let changes: Vec<PriceChange> = b
        .prices
        .into_iter()
        .map(|p| PriceChange {
            sku: p.sku,
            price_fen: p.price_fen,
        })
        .collect();
    let actor = identity.actor();
    let based_on = match expected {
        Some(v) => v,
        None => state.app.price_list(&actor, id).await?.0.version,
    };
    let version = state
        .app
        .set_list_prices(&actor, id, based_on, &changes)
        .await?;
    Ok(tagged(version, CatalogueSaved { id, version }))
}

// ---------------------------------------------------------------------------------------
// A customer's price

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CataloguePriceParams {
    pub customer_id: i64,
    pub product_id: i64,
    /// The day, `YYYY-MM-DD`; today when absent.
    #[param(value_type = Option<doc::DateInput>)]
    pub day: Option<String>,
}

/// The price a customer pays for a product on a day.
#[derive(Serialize, ToSchema)]
pub struct CatalogueCustomerPriceOut {
    pub product_id: i64,
    pub sku: String,
    /// `YYYY-MM-DD`.
    pub day: String,
    /// What the customer pays, in fen.
    pub price_fen: i64,
    /// The product's list price 标准价, in fen.
    pub list_price_fen: i64,
    /// `CNY`.
    pub currency: String,
    /// `price_list` (the list of the customer's type in force that day) or `list_price`.
    pub source: String,
    /// The price list it came from, when `source` is `price_list`.
    pub price_list_id: Option<i64>,
    pub price_list_name: Option<String>,
}

fn customer_price_out(p: CustomerPrice) -> CatalogueCustomerPriceOut {
    let (source, price_list_id, price_list_name) = match p.source {
        PriceSource::List { id, name } => ("price_list", Some(id), Some(name)),
        PriceSource::ListPrice => ("list_price", None, None),
    };
    CatalogueCustomerPriceOut {
        product_id: p.product_id,
        sku: p.sku,
        day: p.day.to_string(),
        price_fen: p.price_fen,
        list_price_fen: p.list_price_fen,
        currency: CURRENCY.to_owned(),
        source: source.to_owned(),
        price_list_id,
        price_list_name,
    }
}

/// What a customer pays for a product: their type's price list in force on the day, else
/// the list price.
#[utoipa::path(get, path = "/api/v1/catalogue/price", tag = "catalogue",
    params(CataloguePriceParams),
    responses(
        (status = 200, description = "The price", body = CatalogueCustomerPriceOut),
        (status = 404, description = "No such customer or product", body = ErrorBody),
        (status = 422, description = "`date_out_of_range`", body = ErrorBody),
    ))]
pub async fn catalogue_customer_price(
    State(state): State<AppState>,
    identity: Identity,
    Query(p): Query<CataloguePriceParams>,
) -> Result<Json<CatalogueCustomerPriceOut>, WebError> {
    let day = dates::parse_opt("day", p.day.as_deref()).map_err(kefu_app::AppError::from)?;
    let price = state
        .app
        .customer_price(&identity.actor(), p.customer_id, p.product_id, day)
        .await?;
    Ok(Json(customer_price_out(price)))
}

// ---------------------------------------------------------------------------------------
// Import

/// A cell refused.
#[derive(Serialize, ToSchema)]
pub struct CatalogueImportProblem {
    /// The spreadsheet row (the header is row 1 unless titles precede it).
    pub row: usize,
    /// The column's key: `sku`, `name`, `model`, `category`, `price`, `warranty_months`,
    /// `serial_tracked`, `active`; for parts `part_number`, `cost`, `unit`, `used_in`.
    pub column: String,
    /// `bad_code`, `missing`, `too_long`, `bad_money`, `too_much`, `bad_warranty`,
    /// `bad_yes_no`, `unknown_sku`, `bad_use` or `repeated`.
    pub problem: String,
    /// The cell as read (at most 50 characters).
    pub value: String,
}

/// What an import did, or would do.
#[derive(Serialize, ToSchema)]
pub struct CatalogueImportOut {
    /// Only on a 422: `catalogue_import_problems`, the error every refused call carries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorDetail>,
    /// Data rows read (blank ones not counted).
    pub rows: usize,
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Categories a product list added.
    pub categories_added: usize,
    /// Whether anything was written: false for a dry run and for a file with problems.
    pub written: bool,
    /// Every refused cell, by row (the first 1000).
    pub problems: Vec<CatalogueImportProblem>,
    /// How many cells were refused in all.
    pub problem_count: usize,
}

fn import_out(r: CatalogueImport, error: Option<ErrorDetail>) -> CatalogueImportOut {
    let problem_count = r.problems.len();
    CatalogueImportOut {
        error,
        rows: r.rows,
        added: r.added,
        updated: r.updated,
        unchanged: r.unchanged,
        categories_added: r.categories_added,
        written: r.written,
        problems: r
            .problems
            .into_iter()
            .take(kefu_app::aftersales::import::MAX_PROBLEMS)
            .map(|(row, e)| CatalogueImportProblem {
                row,
                column: e.column.to_owned(),
                problem: e.problem.key().to_owned(),
                value: e.value,
            })
            .collect(),
        problem_count,
    }
}

/// The code of an import refused for its cells.
const IMPORT_PROBLEMS: &str = "catalogue_import_problems";

/// Which import.
#[derive(Clone, Copy)]
enum ImportKind {
    Products,
    Parts,
}

/// Reads the form (one file part, an optional `dry_run`) and imports: 200 with what was
/// done, or 422 with the same body and an `error` when any cell was refused (nothing
/// written then).
async fn import(
    state: &AppState,
    identity: &Identity,
    multipart: Multipart,
    kind: ImportKind,
) -> Result<Response, WebError> {
    let (pairs, mut files) = crate::upload::read(multipart).await?;
    let mut dry_run = false;
    for (name, value) in &pairs {
        if name == "dry_run" {
            dry_run = match value.trim() {
                "true" | "1" => true,
                "" | "false" | "0" => false,
                other => {
                    return Err(unknown_value("dry_run", other, ["true", "1", "false", "0"]));
                }
            };
        }
    }
    if files.len() > 1 {
        return Err(kefu_app::AppError::TooMany { max: 1 }.into());
    }
    let Some(file) = files.pop() else {
        return Err(kefu_app::AppError::NothingSelected.into());
    };
    let actor = identity.actor();
    let done = match kind {
        ImportKind::Products => {
            state
                .app
                .import_products(&actor, &file.filename, &file.bytes, dry_run)
                .await?
        }
        ImportKind::Parts => {
            state
                .app
                .import_parts(&actor, &file.filename, &file.bytes, dry_run)
                .await?
        }
    };
    if done.problems.is_empty() {
        return Ok(Json(import_out(done, None)).into_response());
    }
    let count = done.problems.len();
    let info = ErrorInfo {
        args: vec![("count", count.to_string())],
        detail: Some(format!("{count} cells refused; nothing was written")),
        ..ErrorInfo::new(StatusCode::UNPROCESSABLE_ENTITY, IMPORT_PROBLEMS)
    };
    let error = ErrorDetail {
        code: info.code.to_owned(),
        message: info.message(identity.tr()),
        detail: info.detail.clone(),
    };
    let mut res = (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(import_out(done, Some(error))),
    )
        .into_response();
    // The body is written here, problems and all: the error renderer leaves it.
    res.extensions_mut().insert(KeepBody);
    Ok(res)
}

/// 导入产品 — imports a product list (CSV in UTF-8 or GBK, or XLSX) matched by SKU: new
/// products added, changed ones saved, categories named added. All or nothing.
#[utoipa::path(post, path = "/api/v1/catalogue/products/import", tag = "catalogue",
    request_body(content_type = "multipart/form-data", description = "one file part (`.csv` \
        or `.xlsx`; columns `sku`/产品编码, `name`/名称, `category`/类别, `price`/价格 in yuan, \
        and optionally `model`, `warranty_months`, `serial_tracked`, `active`), and an \
        optional text part `dry_run` = `true` or `1` to only check"),
    responses(
        (status = 200, description = "Imported, or checked without problems (`written` false \
            for a dry run)", body = CatalogueImportOut),
        (status = 422, description = "`catalogue_import_problems`: cells refused, nothing \
            written; the body is a `CatalogueImportOut` with `error` set and `problems` naming \
            each cell by row and column. Also: no file part (`nothing_selected`), more than \
            one (`too_many`), `catalogue_column_missing`, `catalogue_column_twice`, `import_empty`, \
            `import_encoding`, `import_too_many_rows` and the other `import_*` refusals of \
            a file that does not read, `unknown_value` for `dry_run`", body = ErrorBody),
    ))]
pub async fn import_catalogue_products(
    State(state): State<AppState>,
    identity: Identity,
    multipart: Multipart,
) -> Result<Response, WebError> {
    import(&state, &identity, multipart, ImportKind::Products).await
}

/// 导入配件 — imports a part list (CSV in UTF-8 or GBK, or XLSX) matched by part number;
/// where a part is used names products by SKU, which must be in the catalogue. All or
/// nothing.
#[utoipa::path(post, path = "/api/v1/catalogue/parts/import", tag = "catalogue",
    request_body(content_type = "multipart/form-data", description = "one file part (`.csv` \
        or `.xlsx`; columns `part_number`/料号, `name`/名称, `cost`/成本 in yuan, and \
        optionally `unit`, `used_in`/适用产品, `active`), and an optional text part `dry_run` \
        = `true` or `1` to only check"),
    responses(
        (status = 200, description = "Imported, or checked without problems (`written` false \
            for a dry run)", body = CatalogueImportOut),
        (status = 422, description = "`catalogue_import_problems`: cells refused, nothing \
            written; the body is a `CatalogueImportOut` with `error` set and `problems` naming \
            each cell by row and column. Also: no file part (`nothing_selected`), more than \
            one (`too_many`), `catalogue_column_missing`, `catalogue_column_twice`, `import_empty`, \
            `import_encoding`, `import_too_many_rows` and the other `import_*` refusals of \
            a file that does not read, `unknown_value` for `dry_run`", body = ErrorBody),
    ))]
pub async fn import_catalogue_parts(
    State(state): State<AppState>,
    identity: Identity,
    multipart: Multipart,
) -> Result<Response, WebError> {
    import(&state, &identity, multipart, ImportKind::Parts).await
}
