//! 产品目录 — the product list (search, category, a page at a time), a product's page with
//! the parts used in it and the price lists pricing it, the form that adds or changes a
//! product (made from the version shown), categories, and the import of product and part
//! lists (all or nothing, every refused cell named).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::aftersales::CatalogueImport;
use kefu_domain::Permission;
use kefu_domain::aftersales::catalogue::{CatalogueError, Product};
use kefu_store::aftersales::catalogue::{CategoryRow, ProductFilter, ProductRow};

use super::credit::parse_yuan;
use super::tickets::field;
use super::{input_refusal, ok, refusal, render};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::upload::FormWithFiles;
use crate::view::{Layout, yuan};

/// Products a page of the list shows.
const PAGE: i64 = 50;

/// A product as a line of the list.
pub struct ProductLine {
    pub id: i64,
    pub sku: String,
    pub name: String,
    pub model: String,
    pub category: String,
    pub price: String,
    pub warranty: u32,
    pub serial_tracked: bool,
    pub active: bool,
}

impl ProductLine {
    fn of(p: &ProductRow) -> ProductLine {
        ProductLine {
            id: p.id,
            sku: p.product.sku.clone(),
            name: p.product.name.clone(),
            model: p.product.model.clone(),
            category: p.category.clone(),
            price: yuan(p.product.price_fen),
            warranty: p.product.warranty_months,
            serial_tracked: p.product.serial_tracked,
            active: p.product.active,
        }
    }
}

#[derive(Template)]
#[template(path = "catalogue.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    lines: Vec<ProductLine>,
    categories: Vec<CategoryRow>,
    q: String,
    category_id: i64,
    inactive: bool,
    /// The query string of the next page, when there is one.
    next: Option<String>,
    may_manage: bool,
    error: Option<String>,
}

async fn list_page(
    state: &AppState,
    identity: &Identity,
    q: &[(String, String)],
    error: Option<String>,
) -> Result<ListPage, WebError> {
    let actor = identity.actor();
    let text = field(q, "q").trim().to_owned();
    let category_id: i64 = field(q, "category").parse().unwrap_or(0);
    let inactive = !field(q, "inactive").is_empty();
    let after = field(q, "after");
    let filter = ProductFilter {
        text: Some(&text),
        category_id: (category_id > 0).then_some(category_id),
        inactive,
        after: (!after.is_empty()).then_some(after),
        limit: PAGE + 1,
    };
    let mut rows = state.app.products(&actor, &filter).await?;
    let next = (rows.len() as i64 > PAGE).then(|| {
        rows.truncate(PAGE as usize);
        let last = rows
            .last()
            .map(|p| p.product.sku.clone())
            .unwrap_or_default();
        format!(
            "q={}&category={category_id}{}&after={}",
            crate::auth::urlencode(&text),
            if inactive { "&inactive=1" } else { "" },
            crate::auth::urlencode(&last)
        )
    });
    Ok(ListPage {
        t: identity.tr(),
        layout: Layout::new(identity, "/catalogue"),
        lines: rows.iter().map(ProductLine::of).collect(),
        categories: state.app.product_categories(&actor).await?,
        q: text,
        category_id,
        inactive,
        next,
        may_manage: actor.require(Permission::CatalogueManage).is_ok(),
        error,
    })
}

/// `/catalogue`
pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    ok(&list_page(&state, &identity, &q, None).await?)
}

/// `POST /catalogue/categories`
pub async fn add_category(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    match state
        .app
        .add_product_category(&identity.actor(), field(&pairs, "name"))
        .await
    {
        Ok(_) => Ok(Redirect::to("/catalogue").into_response()),
        Err(e) => {
            let (status, message) = refusal(e, identity.tr());
            render(
                status,
                &list_page(&state, &identity, &[], Some(message)).await?,
            )
        }
    }
}

/// The product form as typed or as stored.
#[derive(Default)]
pub struct ProductFields {
    pub sku: String,
    pub name: String,
    pub model: String,
    pub category_id: i64,
    pub price: String,
    pub warranty: String,
    pub serial_tracked: bool,
    pub active: bool,
}

impl ProductFields {
    fn of(p: &Product) -> ProductFields {
        ProductFields {
            sku: p.sku.clone(),
            name: p.name.clone(),
            model: p.model.clone(),
            category_id: p.category_id,
            price: kefu_domain::money::plain_yuan(p.price_fen),
            warranty: p.warranty_months.to_string(),
            serial_tracked: p.serial_tracked,
            active: p.active,
        }
    }

    fn typed(pairs: &[(String, String)]) -> ProductFields {
        ProductFields {
            sku: field(pairs, "sku").to_owned(),
            name: field(pairs, "name").to_owned(),
            model: field(pairs, "model").to_owned(),
            category_id: field(pairs, "category_id").parse().unwrap_or(0),
            price: field(pairs, "price").to_owned(),
            warranty: field(pairs, "warranty").to_owned(),
            serial_tracked: !field(pairs, "serial_tracked").is_empty(),
            active: !field(pairs, "active").is_empty(),
        }
    }

    /// The product the fields make; a price or warranty that does not read is refused at
    /// the edge with the field named.
    fn product(&self) -> Result<Product, WebError> {
        let price_fen = parse_yuan(&self.price)
            .filter(|_| !self.price.trim().is_empty())
            .ok_or(not_a_number("price"))?;
        let warranty_months = match self.warranty.trim() {
            "" => 0,
            w => w.parse().map_err(|_| not_a_number("warranty_months"))?,
        };
        Ok(Product {
            sku: self.sku.clone(),
            name: self.name.clone(),
            model: self.model.clone(),
            category_id: self.category_id,
            price_fen,
            warranty_months,
            serial_tracked: self.serial_tracked,
            active: self.active,
        })
    }
}

/// A number typed that does not read, refused as the domain refuses it.
pub(crate) fn not_a_number(field: &'static str) -> WebError {
    kefu_app::AppError::from(CatalogueError::NotANumber { field }).into()
}

/// A part as the product page lists it.
pub struct UsedPart {
    pub id: i64,
    pub part_number: String,
    pub name: String,
    pub quantity: u32,
    pub cost: String,
}

/// A price list as the product page lists it.
pub struct ListedLine {
    pub id: i64,
    pub name: String,
    pub price: String,
}

#[derive(Template)]
#[template(path = "catalogue_product.html")]
struct ProductPage {
    t: Tr,
    layout: Layout,
    /// `None`: a new product.
    id: Option<i64>,
    version: i64,
    f: ProductFields,
    categories: Vec<CategoryRow>,
    parts: Vec<UsedPart>,
    prices: Vec<ListedLine>,
    may_manage: bool,
    notice: Option<String>,
    error: Option<String>,
}

async fn product_page(
    state: &AppState,
    identity: &Identity,
    id: Option<i64>,
    typed: Option<ProductFields>,
    notice: Option<String>,
    error: Option<String>,
) -> Result<ProductPage, WebError> {
    let actor = identity.actor();
    let categories = state.app.product_categories(&actor).await?;
    let (version, stored, parts, prices) = match id {
        Some(id) => {
            let d = state.app.product(&actor, id).await?;
            let parts = d
                .parts
                .iter()
                .map(|p| UsedPart {
                    id: p.id,
                    part_number: p.part.part_number.clone(),
                    name: p.part.name.clone(),
                    quantity: p
                        .part
                        .uses
                        .iter()
                        .find(|u| u.product_id == id)
                        .map_or(1, |u| u.quantity),
                    cost: yuan(p.part.cost_fen),
                })
                .collect();
            let prices = d
                .prices
                .iter()
                .map(|(l, fen)| ListedLine {
                    id: l.id,
                    name: l.list.name.clone(),
                    price: yuan(*fen),
                })
                .collect();
            (
                d.product.version,
                Some(ProductFields::of(&d.product.product)),
                parts,
                prices,
            )
        }
        None => (0, None, Vec::new(), Vec::new()),
    };
    let f = typed.or(stored).unwrap_or(ProductFields {
        active: true,
        ..ProductFields::default()
    });
    Ok(ProductPage {
        t: identity.tr(),
        layout: Layout::new(identity, "/catalogue"),
        id,
        version,
        f,
        categories,
        parts,
        prices,
        may_manage: actor.require(Permission::CatalogueManage).is_ok(),
        notice,
        error,
    })
}

/// `/catalogue/products/new`
pub async fn new_product(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Response, WebError> {
    ok(&product_page(&state, &identity, None, None, None, None).await?)
}

/// `/catalogue/products/{id}`; `?saved=1` after a save.
pub async fn product(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let notice =
        (!field(&q, "saved").is_empty()).then(|| identity.tr().t("catalogue.saved").to_owned());
    ok(&product_page(&state, &identity, Some(id), None, notice, None).await?)
}

async fn product_refused(
    state: &AppState,
    identity: &Identity,
    id: Option<i64>,
    typed: ProductFields,
    (status, message): (StatusCode, String),
) -> Result<Response, WebError> {
    render(
        status,
        &product_page(state, identity, id, Some(typed), None, Some(message)).await?,
    )
}

/// `POST /catalogue/products`
pub async fn create_product(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let typed = ProductFields::typed(&pairs);
    let product = match typed.product() {
        Ok(p) => p,
        Err(e) => {
            let r = input_refusal(e, identity.tr());
            return product_refused(&state, &identity, None, typed, r).await;
        }
    };
    match state.app.create_product(&identity.actor(), product).await {
        Ok(id) => Ok(Redirect::to(&format!("/catalogue/products/{id}?saved=1")).into_response()),
        Err(e) => {
            let r = refusal(e, identity.tr());
            product_refused(&state, &identity, None, typed, r).await
        }
    }
}

/// `POST /catalogue/products/{id}`: saves the version the form was made from.
pub async fn save_product(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let typed = ProductFields::typed(&pairs);
    let version: i64 = field(&pairs, "version").parse().unwrap_or(0);
    let product = match typed.product() {
        Ok(p) => p,
        Err(e) => {
            let r = input_refusal(e, identity.tr());
            return product_refused(&state, &identity, Some(id), typed, r).await;
        }
    };
    match state
        .app
        .save_product(&identity.actor(), id, version, product)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/catalogue/products/{id}?saved=1")).into_response()),
        Err(e) => {
            let r = refusal(e, identity.tr());
            product_refused(&state, &identity, Some(id), typed, r).await
        }
    }
}

/// A refused cell as the import page lists it.
pub struct ProblemLine {
    pub row: usize,
    pub column: String,
    pub problem: String,
    pub value: String,
}

#[derive(Template)]
#[template(path = "catalogue_import.html")]
struct ImportPage {
    t: Tr,
    layout: Layout,
    kind: String,
    dry_run: bool,
    result: Option<CatalogueImport>,
    /// What the import did, in one sentence.
    summary: Option<String>,
    problems: Vec<ProblemLine>,
    error: Option<String>,
}

/// Rows of problems the page shows.
const SHOWN: usize = 500;

/// `/catalogue/import`
pub async fn import_form(identity: Identity) -> Result<Response, WebError> {
    ok(&ImportPage {
        t: identity.tr(),
        layout: Layout::new(&identity, "/catalogue"),
        kind: "products".to_owned(),
        dry_run: true,
        result: None,
        summary: None,
        problems: Vec::new(),
        error: None,
    })
}

/// `POST /catalogue/import`: a product or part list (`kind`), checked only or imported.
pub async fn import(
    State(state): State<AppState>,
    identity: Identity,
    form: FormWithFiles,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let kind = match field(&form.pairs, "kind") {
        "parts" => "parts",
        _ => "products",
    };
    let (dry_run, file) = form.import_file();
    let mut page = ImportPage {
        t,
        layout: Layout::new(&identity, "/catalogue"),
        kind: kind.to_owned(),
        dry_run,
        result: None,
        summary: None,
        problems: Vec::new(),
        error: None,
    };
    let Some(file) = file else {
        page.error = Some(t.t("catalogue.import.no_file").to_owned());
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let actor = identity.actor();
    let done = if kind == "parts" {
        state
            .app
            .import_parts(&actor, &file.filename, &file.bytes, dry_run)
            .await
    } else {
        state
            .app
            .import_products(&actor, &file.filename, &file.bytes, dry_run)
            .await
    };
    match done {
        Ok(result) => {
            page.problems = result
                .problems
                .iter()
                .take(SHOWN)
                .map(|(row, e)| {
                    let (column, problem) = crate::import_report::catalogue_problem(t, e);
                    ProblemLine {
                        row: *row,
                        column,
                        problem,
                        value: e.value.clone(),
                    }
                })
                .collect();
            page.summary = Some(crate::import_report::catalogue_summary(t, &result));
            let status = crate::import_report::page_status(result.problems.len());
            page.result = Some(result);
            render(status, &page)
        }
        Err(e) => {
            let (status, message) = refusal(e, t);
            page.error = Some(message);
            render(status, &page)
        }
    }
}
