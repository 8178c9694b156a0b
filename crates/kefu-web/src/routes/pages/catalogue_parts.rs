//! 配件与价格表 — parts (料号, cost, unit and where each is used, written `SKU*数量` as in an
//! import) and price lists (to whom and when, and their prices typed one `SKU 价格` a line).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::aftersales::PriceChange;
use kefu_domain::Permission;
use kefu_domain::aftersales::catalogue::{CatalogueError, Part, PartUse, PriceList};
use kefu_domain::aftersales::import::uses_cell;
use kefu_domain::customer::CustomerType;
use kefu_domain::money::plain_yuan;
use kefu_store::aftersales::catalogue::PartRow;

use super::catalogue::not_a_number;
use super::credit::parse_yuan;
use super::tickets::field;
use super::{form_key, input_refusal, ok, render};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, yuan};

/// Parts a page of the list shows.
const PAGE: i64 = 50;

pub struct PartLine {
    pub id: i64,
    pub part_number: String,
    pub name: String,
    pub cost: String,
    pub unit: String,
    pub used_in: String,
    pub active: bool,
}

fn used_in_text(p: &PartRow) -> String {
    p.used_in
        .iter()
        .zip(&p.part.uses)
        .map(|((_, sku, _), u)| {
            if u.quantity == 1 {
                sku.clone()
            } else {
                format!("{sku}*{}", u.quantity)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Template)]
#[template(path = "catalogue_parts.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    lines: Vec<PartLine>,
    q: String,
    next: Option<String>,
    may_manage: bool,
}

/// `/catalogue/parts`
pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let actor = identity.actor();
    let text = field(&q, "q").trim().to_owned();
    let after = field(&q, "after");
    let mut rows = state
        .app
        .parts(
            &actor,
            Some(&text),
            None,
            (!after.is_empty()).then_some(after),
            PAGE + 1,
        )
        .await?;
    let next = (rows.len() as i64 > PAGE).then(|| {
        rows.truncate(PAGE as usize);
        let last = rows
            .last()
            .map(|p| p.part.part_number.clone())
            .unwrap_or_default();
        format!(
            "q={}&after={}",
            crate::auth::urlencode(&text),
            crate::auth::urlencode(&last)
        )
    });
    ok(&ListPage {
        t: identity.tr(),
        layout: Layout::new(&identity, "/catalogue"),
        lines: rows
            .iter()
            .map(|p| PartLine {
                id: p.id,
                part_number: p.part.part_number.clone(),
                name: p.part.name.clone(),
                cost: yuan(p.part.cost_fen),
                unit: p.part.unit.clone(),
                used_in: used_in_text(p),
                active: p.part.active,
            })
            .collect(),
        q: text,
        next,
        may_manage: actor.require(Permission::CatalogueManage).is_ok(),
    })
}

/// The part form as typed or as stored.
#[derive(Default)]
pub struct PartFields {
    pub part_number: String,
    pub name: String,
    pub cost: String,
    pub unit: String,
    pub used_in: String,
    pub active: bool,
}

impl PartFields {
    fn typed(pairs: &[(String, String)]) -> PartFields {
        PartFields {
            part_number: field(pairs, "part_number").to_owned(),
            name: field(pairs, "name").to_owned(),
            cost: field(pairs, "cost").to_owned(),
            unit: field(pairs, "unit").to_owned(),
            used_in: field(pairs, "used_in").to_owned(),
            active: !field(pairs, "active").is_empty(),
        }
    }
}

#[derive(Template)]
#[template(path = "catalogue_part.html")]
struct PartPage {
    t: Tr,
    layout: Layout,
    id: Option<i64>,
    version: i64,
    f: PartFields,
    may_manage: bool,
    notice: Option<String>,
    error: Option<String>,
}

async fn part_page(
    state: &AppState,
    identity: &Identity,
    id: Option<i64>,
    typed: Option<PartFields>,
    notice: Option<String>,
    error: Option<String>,
) -> Result<PartPage, WebError> {
    let actor = identity.actor();
    let (version, stored) = match id {
        Some(id) => {
            let p = state.app.part(&actor, id).await?;
            (
                p.version,
                Some(PartFields {
                    part_number: p.part.part_number.clone(),
                    name: p.part.name.clone(),
                    cost: plain_yuan(p.part.cost_fen),
                    unit: p.part.unit.clone(),
                    used_in: used_in_text(&p),
                    active: p.part.active,
                }),
            )
        }
        None => (0, None),
    };
    Ok(PartPage {
        t: identity.tr(),
        layout: Layout::new(identity, "/catalogue"),
        id,
        version,
        f: typed.or(stored).unwrap_or(PartFields {
            active: true,
            ..PartFields::default()
        }),
        may_manage: actor.require(Permission::CatalogueManage).is_ok(),
        notice,
        error,
    })
}

/// `/catalogue/parts/new`
pub async fn new_part(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Response, WebError> {
    ok(&part_page(&state, &identity, None, None, None, None).await?)
}

/// `/catalogue/parts/{id}`
pub async fn part(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let notice =
        (!field(&q, "saved").is_empty()).then(|| identity.tr().t("catalogue.saved").to_owned());
    ok(&part_page(&state, &identity, Some(id), None, notice, None).await?)
}

/// The part the form makes, its SKUs looked up.
async fn part_of(state: &AppState, identity: &Identity, f: &PartFields) -> Result<Part, WebError> {
    let cost_fen = parse_yuan(&f.cost)
        .filter(|_| !f.cost.trim().is_empty())
        .ok_or(not_a_number("cost"))?;
    let uses =
        uses_cell(&f.used_in).map_err(|_| kefu_app::AppError::from(CatalogueError::UseQuantity))?;
    let skus: Vec<String> = uses.iter().map(|(s, _)| s.clone()).collect();
    let ids = state
        .app
        .product_ids_by_sku(&identity.actor(), &skus)
        .await?;
    Ok(Part {
        part_number: f.part_number.clone(),
        name: f.name.clone(),
        cost_fen,
        unit: f.unit.clone(),
        active: f.active,
        uses: ids
            .into_iter()
            .zip(uses)
            .map(|(product_id, (_, quantity))| PartUse {
                product_id,
                quantity,
            })
            .collect(),
    })
}

/// `POST /catalogue/parts` (new) and `POST /catalogue/parts/{id}` (save).
async fn save(
    state: AppState,
    identity: Identity,
    id: Option<i64>,
    pairs: Vec<(String, String)>,
) -> Result<Response, WebError> {
    let typed = PartFields::typed(&pairs);
    let actor = identity.actor();
    let done = match part_of(&state, &identity, &typed).await {
        Ok(part) => match id {
            Some(id) => {
                let version = field(&pairs, "version").parse().unwrap_or(0);
                state
                    .app
                    .save_part(&actor, id, version, part)
                    .await
                    .map(|_| id)
            }
            None => state.app.create_part(&actor, part).await,
        }
        .map_err(WebError::from),
        Err(e) => Err(e),
    };
    match done {
        Ok(id) => Ok(Redirect::to(&format!("/catalogue/parts/{id}?saved=1")).into_response()),
        Err(e) => {
            let (status, message) = input_refusal(e, identity.tr());
            render(
                status,
                &part_page(&state, &identity, id, Some(typed), None, Some(message)).await?,
            )
        }
    }
}

pub async fn create_part(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    save(state, identity, None, pairs).await
}

pub async fn save_part(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    save(state, identity, Some(id), pairs).await
}

pub struct ListLine {
    pub id: i64,
    pub name: String,
    pub customer_type: String,
    pub from: String,
    pub to: String,
    pub items: i64,
    pub active: bool,
}

/// A price list's head as typed or stored.
#[derive(Default)]
pub struct HeadFields {
    pub name: String,
    pub customer_type: String,
    pub from: String,
    pub to: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "catalogue_price_lists.html")]
struct ListsPage {
    t: Tr,
    layout: Layout,
    lines: Vec<ListLine>,
    types: Vec<(&'static str, String)>,
    f: HeadFields,
    may_manage: bool,
    error: Option<String>,
}

fn type_text(t: Tr, ty: Option<CustomerType>) -> String {
    match ty {
        Some(ty) => t.t(&format!("customer_type.{}", ty.key())).to_owned(),
        None => t.t("catalogue.by_name").to_owned(),
    }
}

fn types(t: Tr) -> Vec<(&'static str, String)> {
    CustomerType::ALL
        .iter()
        .map(|ty| {
            (
                ty.key(),
                t.t(&format!("customer_type.{}", ty.key())).to_owned(),
            )
        })
        .collect()
}

async fn lists_page(
    state: &AppState,
    identity: &Identity,
    typed: Option<HeadFields>,
    error: Option<String>,
) -> Result<ListsPage, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let lines = state
        .app
        .price_lists(&actor)
        .await?
        .into_iter()
        .map(|l| ListLine {
            id: l.id,
            customer_type: type_text(t, l.list.customer_type),
            from: l.list.valid_from.to_string(),
            to: l.list.valid_to.map(|d| d.to_string()).unwrap_or_default(),
            items: l.items,
            active: l.list.active,
            name: l.list.name,
        })
        .collect();
    Ok(ListsPage {
        t,
        layout: Layout::new(identity, "/catalogue"),
        lines,
        types: types(t),
        f: typed.unwrap_or(HeadFields {
            active: true,
            ..HeadFields::default()
        }),
        may_manage: actor.require(Permission::CatalogueManage).is_ok(),
        error,
    })
}

/// `/catalogue/price-lists`
pub async fn price_lists(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Response, WebError> {
    ok(&lists_page(&state, &identity, None, None).await?)
}

fn head_typed(pairs: &[(String, String)]) -> HeadFields {
    HeadFields {
        name: field(pairs, "name").to_owned(),
        customer_type: field(pairs, "customer_type").to_owned(),
        from: field(pairs, "valid_from").to_owned(),
        to: field(pairs, "valid_to").to_owned(),
        active: !field(pairs, "active").is_empty(),
    }
}

fn head_of(pairs: &[(String, String)], f: &HeadFields) -> Result<PriceList, WebError> {
    let date = |e: kefu_domain::dates::DateError| WebError::from(kefu_app::AppError::from(e));
    Ok(PriceList {
        name: f.name.clone(),
        customer_type: form_key::<CustomerType>(pairs, "customer_type")?,
        valid_from: kefu_domain::dates::parse("valid_from", &f.from).map_err(date)?,
        valid_to: kefu_domain::dates::parse_opt("valid_to", Some(&f.to)).map_err(date)?,
        active: f.active,
    })
}

/// `POST /catalogue/price-lists`
pub async fn create_price_list(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let typed = head_typed(&pairs);
    let done = match head_of(&pairs, &typed) {
        Ok(l) => state
            .app
            .create_price_list(&identity.actor(), l)
            .await
            .map_err(WebError::from),
        Err(e) => Err(e),
    };
    match done {
        Ok(id) => Ok(Redirect::to(&format!("/catalogue/price-lists/{id}")).into_response()),
        Err(e) => {
            let (status, message) = input_refusal(e, identity.tr());
            render(
                status,
                &lists_page(&state, &identity, Some(typed), Some(message)).await?,
            )
        }
    }
}

pub struct ItemLine {
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub list_price: String,
    pub price: String,
}

#[derive(Template)]
#[template(path = "catalogue_price_list.html")]
struct ListPageOne {
    t: Tr,
    layout: Layout,
    id: i64,
    version: i64,
    f: HeadFields,
    types: Vec<(&'static str, String)>,
    items: Vec<ItemLine>,
    prices: String,
    may_manage: bool,
    notice: Option<String>,
    error: Option<String>,
}

async fn list_page(
    state: &AppState,
    identity: &Identity,
    id: i64,
    typed: Option<HeadFields>,
    prices: String,
    notice: Option<String>,
    error: Option<String>,
) -> Result<ListPageOne, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let (head, items) = state.app.price_list(&actor, id).await?;
    let stored = HeadFields {
        name: head.list.name.clone(),
        customer_type: head
            .list
            .customer_type
            .map(|t| t.key().to_owned())
            .unwrap_or_default(),
        from: head.list.valid_from.to_string(),
        to: head
            .list
            .valid_to
            .map(|d| d.to_string())
            .unwrap_or_default(),
        active: head.list.active,
    };
    Ok(ListPageOne {
        t,
        layout: Layout::new(identity, "/catalogue"),
        id,
        version: head.version,
        f: typed.unwrap_or(stored),
        types: types(t),
        items: items
            .into_iter()
            .map(|i| ItemLine {
                product_id: i.product_id,
                sku: i.sku,
                name: i.name,
                list_price: yuan(i.list_price_fen),
                price: yuan(i.price_fen),
            })
            .collect(),
        prices,
        may_manage: actor.require(Permission::CatalogueManage).is_ok(),
        notice,
        error,
    })
}

/// `/catalogue/price-lists/{id}`
pub async fn price_list(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let notice =
        (!field(&q, "saved").is_empty()).then(|| identity.tr().t("catalogue.saved").to_owned());
    ok(&list_page(&state, &identity, id, None, String::new(), notice, None).await?)
}

/// `POST /catalogue/price-lists/{id}`: the head, from the version shown.
pub async fn save_price_list(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let typed = head_typed(&pairs);
    let version = field(&pairs, "version").parse().unwrap_or(0);
    let done = match head_of(&pairs, &typed) {
        Ok(l) => state
            .app
            .save_price_list(&identity.actor(), id, version, l)
            .await
            .map_err(WebError::from),
        Err(e) => Err(e),
    };
    match done {
        Ok(_) => Ok(Redirect::to(&format!("/catalogue/price-lists/{id}?saved=1")).into_response()),
        Err(e) => {
            let (status, message) = input_refusal(e, identity.tr());
            let page = list_page(
                &state,
                &identity,
                id,
                Some(typed),
                String::new(),
                None,
                Some(message),
            );
            render(status, &page.await?)
        }
    }
}

/// The prices typed, one `SKU 价格` a line (`SKU -` takes the product off the list).
fn price_changes(text: &str) -> Result<Vec<PriceChange>, WebError> {
    let mut out = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let mut parts = line.split(|c: char| c.is_whitespace() || c == '\t' || c == ',');
        let sku = parts.next().unwrap_or_default().to_owned();
        let raw = parts.filter(|p| !p.is_empty()).collect::<Vec<_>>().join("");
        let price_fen = match raw.as_str() {
            "-" | "删除" => None,
            r => Some(
                parse_yuan(r.trim_start_matches(['¥', '￥']))
                    .filter(|_| !r.is_empty())
                    .ok_or(not_a_number("price"))?,
            ),
        };
        out.push(PriceChange { sku, price_fen });
    }
    Ok(out)
}

/// `POST /catalogue/price-lists/{id}/prices`
pub async fn set_prices(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let text = field(&pairs, "prices").to_owned();
    let version = field(&pairs, "version").parse().unwrap_or(0);
    let done = match price_changes(&text) {
        Ok(changes) => state
            .app
            .set_list_prices(&identity.actor(), id, version, &changes)
            .await
            .map_err(WebError::from),
        Err(e) => Err(e),
    };
    match done {
        Ok(_) => Ok(Redirect::to(&format!("/catalogue/price-lists/{id}?saved=1")).into_response()),
        Err(e) => {
            let (status, message): (StatusCode, String) = input_refusal(e, identity.tr());
            let page = list_page(&state, &identity, id, None, text, None, Some(message));
            render(status, &page.await?)
        }
    }
}
