//! 价格表 over the API: price lists and their prices, and the price a customer pays.

use super::*;

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
