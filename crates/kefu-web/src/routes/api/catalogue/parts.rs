//! 配件 over the API: parts with their part number 料号, cost and where they are used.

use super::*;

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
