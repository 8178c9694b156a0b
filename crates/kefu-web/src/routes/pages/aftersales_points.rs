//! 服务网点 — the service points (where, what they repair, how busy), the form that adds or
//! changes one, and a point's page: its repairs with their turnaround, its inspections, and
//! the checklist form of the next inspection.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_domain::Permission;
use kefu_domain::aftersales::service_point::{Checked, ServicePoint, default_checklist};
use kefu_store::aftersales::catalogue::CategoryRow;

use super::catalogue::not_a_number;
use super::tickets::field;
use super::{input_refusal, ok, render};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

pub struct PointLine {
    pub id: i64,
    pub name: String,
    pub place: String,
    pub categories: String,
    pub load: String,
    pub full: bool,
    pub turnaround: u32,
    pub active: bool,
}

/// The point form as typed or stored.
#[derive(Default)]
pub struct PointFields {
    pub name: String,
    pub province: String,
    pub city: String,
    pub address: String,
    pub categories: Vec<i64>,
    pub capacity: String,
    pub turnaround: String,
    pub active: bool,
}

impl PointFields {
    /// Whether the point repairs category `id` (a checked box).
    pub fn has(&self, id: &i64) -> bool {
        self.categories.contains(id)
    }
}

#[derive(Template)]
#[template(path = "aftersales_points.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    lines: Vec<PointLine>,
    categories: Vec<CategoryRow>,
    f: PointFields,
    may_manage: bool,
    error: Option<String>,
}

fn names(categories: &[CategoryRow], ids: &[i64]) -> String {
    ids.iter()
        .filter_map(|id| categories.iter().find(|c| c.id == *id))
        .map(|c| c.name.clone())
        .collect::<Vec<_>>()
        .join("、")
}

async fn list_page(
    state: &AppState,
    identity: &Identity,
    typed: Option<PointFields>,
    error: Option<String>,
) -> Result<ListPage, WebError> {
    let actor = identity.actor();
    let categories = state.app.product_categories(&actor).await?;
    let lines = state
        .app
        .service_points(&actor)
        .await?
        .into_iter()
        .map(|p| {
            let pt = &p.row.point;
            PointLine {
                id: p.row.id,
                name: pt.name.clone(),
                place: format!("{}{}", pt.province, pt.city),
                categories: names(&categories, &pt.categories),
                load: format!("{}/{}", p.open, pt.capacity),
                full: p.open >= i64::from(pt.capacity),
                turnaround: pt.turnaround_days,
                active: pt.active,
            }
        })
        .collect();
    Ok(ListPage {
        t: identity.tr(),
        layout: Layout::new(identity, "/aftersales/rmas"),
        lines,
        categories,
        f: typed.unwrap_or(PointFields {
            capacity: "20".to_owned(),
            turnaround: "5".to_owned(),
            active: true,
            ..PointFields::default()
        }),
        may_manage: actor.require(Permission::AftersalesPolicy).is_ok(),
        error,
    })
}

/// `/aftersales/points`
pub async fn list(State(state): State<AppState>, identity: Identity) -> Result<Response, WebError> {
    ok(&list_page(&state, &identity, None, None).await?)
}

fn typed(pairs: &[(String, String)]) -> PointFields {
    PointFields {
        name: field(pairs, "name").to_owned(),
        province: field(pairs, "province").to_owned(),
        city: field(pairs, "city").to_owned(),
        address: field(pairs, "address").to_owned(),
        categories: pairs
            .iter()
            .filter(|(k, _)| k == "category")
            .filter_map(|(_, v)| v.parse().ok())
            .collect(),
        capacity: field(pairs, "capacity").to_owned(),
        turnaround: field(pairs, "turnaround").to_owned(),
        active: !field(pairs, "active").is_empty(),
    }
}

fn point_of(f: &PointFields) -> Result<ServicePoint, WebError> {
    Ok(ServicePoint {
        name: f.name.clone(),
        province: f.province.clone(),
        city: f.city.clone(),
        address: f.address.clone(),
        categories: f.categories.clone(),
        capacity: f
            .capacity
            .trim()
            .parse()
            .map_err(|_| not_a_number("capacity"))?,
        turnaround_days: f
            .turnaround
            .trim()
            .parse()
            .map_err(|_| not_a_number("turnaround_days"))?,
        active: f.active,
    })
}

/// `POST /aftersales/points`
pub async fn create(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = typed(&pairs);
    let done = match point_of(&f) {
        Ok(p) => state
            .app
            .create_service_point(&identity.actor(), p)
            .await
            .map_err(WebError::from),
        Err(e) => Err(e),
    };
    match done {
        Ok(id) => Ok(Redirect::to(&format!("/aftersales/points/{id}")).into_response()),
        Err(e) => {
            let (status, message) = input_refusal(e, identity.tr());
            render(
                status,
                &list_page(&state, &identity, Some(f), Some(message)).await?,
            )
        }
    }
}

pub struct RepairLine {
    pub id: i64,
    pub number: String,
    pub customer: String,
    pub state: String,
    pub received: String,
    /// Days from received to repaired (or to now while open).
    pub days: String,
    pub late: bool,
}

pub struct InspectionLine {
    pub on: String,
    pub score: i64,
    pub failed: Vec<String>,
    pub actions: String,
    pub by: String,
}

#[derive(Template)]
#[template(path = "aftersales_point.html")]
struct ShowPage {
    t: Tr,
    layout: Layout,
    id: i64,
    version: i64,
    f: PointFields,
    categories: Vec<CategoryRow>,
    load: String,
    mean_turnaround: String,
    repairs: Vec<RepairLine>,
    inspections: Vec<InspectionLine>,
    checklist: Vec<String>,
    today: String,
    may_manage: bool,
    notice: Option<String>,
    error: Option<String>,
}

async fn show_page(
    state: &AppState,
    identity: &Identity,
    id: i64,
    typed: Option<PointFields>,
    notice: Option<String>,
    error: Option<String>,
) -> Result<ShowPage, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let d = state.app.service_point(&actor, id).await?;
    let now = state.app.now();
    let pt = &d.point.row.point;
    let turnaround = f64::from(pt.turnaround_days);
    let repairs = d
        .repairs
        .iter()
        .map(|(l, repaired)| {
            let days = l
                .rma
                .received_at
                .map(|r| kefu_app::aftersales::days_between(r, repaired.unwrap_or(now)));
            RepairLine {
                id: l.rma.id,
                number: l.rma.number.clone(),
                customer: l.customer.clone(),
                state: t.t(&format!("rma.state.{}", l.rma.state.key())).to_owned(),
                received: l.rma.received_at.map(local_time).unwrap_or_default(),
                days: days.map(|d| format!("{d:.1}")).unwrap_or_default(),
                late: days.is_some_and(|d| d > turnaround),
            }
        })
        .collect();
    let inspections = d
        .inspections
        .iter()
        .map(|i| {
            let items: Vec<serde_json::Value> = serde_json::from_str(&i.items).unwrap_or_default();
            InspectionLine {
                on: i.inspected_on.clone(),
                score: i.score,
                failed: items
                    .iter()
                    .filter(|x| x["passed"] == false)
                    .filter_map(|x| x["item"].as_str().map(str::to_owned))
                    .collect(),
                actions: i.actions.clone(),
                by: i.inspector.clone().unwrap_or_default(),
            }
        })
        .collect();
    Ok(ShowPage {
        t,
        layout: Layout::new(identity, "/aftersales/rmas"),
        id,
        version: d.point.row.version,
        f: typed.unwrap_or(PointFields {
            name: pt.name.clone(),
            province: pt.province.clone(),
            city: pt.city.clone(),
            address: pt.address.clone(),
            categories: pt.categories.clone(),
            capacity: pt.capacity.to_string(),
            turnaround: pt.turnaround_days.to_string(),
            active: pt.active,
        }),
        categories: state.app.product_categories(&actor).await?,
        load: format!("{}/{}", d.point.open, pt.capacity),
        mean_turnaround: d
            .mean_turnaround_days
            .map(|m| format!("{m:.1}"))
            .unwrap_or_default(),
        repairs,
        inspections,
        checklist: default_checklist(),
        today: kefu_app::workbench::local_date(now).to_string(),
        may_manage: actor.require(Permission::AftersalesPolicy).is_ok(),
        notice,
        error,
    })
}

/// `/aftersales/points/{id}`
pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let notice = match field(&q, "scored") {
        "" => None,
        n => Some(identity.tr().f("point.scored", &[("score", n)])),
    };
    ok(&show_page(&state, &identity, id, None, notice, None).await?)
}

/// `POST /aftersales/points/{id}`: saves the version shown.
pub async fn save(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = typed(&pairs);
    let version = field(&pairs, "version").parse().unwrap_or(0);
    let done = match point_of(&f) {
        Ok(p) => state
            .app
            .save_service_point(&identity.actor(), id, version, p)
            .await
            .map_err(WebError::from),
        Err(e) => Err(e),
    };
    match done {
        Ok(_) => Ok(Redirect::to(&format!("/aftersales/points/{id}")).into_response()),
        Err(e) => {
            let (status, message) = input_refusal(e, identity.tr());
            render(
                status,
                &show_page(&state, &identity, id, Some(f), None, Some(message)).await?,
            )
        }
    }
}

/// `POST /aftersales/points/{id}/inspections`: the checklist, each item passed or not.
pub async fn inspect(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let count: usize = field(&pairs, "items").parse().unwrap_or(0);
    let items: Vec<Checked> = (0..count.min(30))
        .map(|n| Checked {
            item: field(&pairs, &format!("item{n}")).to_owned(),
            passed: !field(&pairs, &format!("passed{n}")).is_empty(),
        })
        .collect();
    let date = |e: kefu_domain::dates::DateError| WebError::from(kefu_app::AppError::from(e));
    let done = match kefu_domain::dates::parse("inspected_on", field(&pairs, "inspected_on")) {
        Ok(on) => state
            .app
            .inspect_service_point(&identity.actor(), id, on, &items, field(&pairs, "actions"))
            .await
            .map_err(WebError::from),
        Err(e) => Err(date(e)),
    };
    match done {
        Ok((_, score)) => {
            Ok(Redirect::to(&format!("/aftersales/points/{id}?scored={score}")).into_response())
        }
        Err(e) => {
            let (status, message): (StatusCode, String) = input_refusal(e, identity.tr());
            render(
                status,
                &show_page(&state, &identity, id, None, None, Some(message)).await?,
            )
        }
    }
}
