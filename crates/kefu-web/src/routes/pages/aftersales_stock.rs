//! 配件库存 — the stock of spare parts at every location against this month's approved
//! plan, the form that records a receipt, an issue to an RMA, a transfer or a count's
//! adjustment, the locations, and the ledger of movements.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::aftersales::stock::typed_by_hand;
use kefu_domain::Permission;
use kefu_domain::aftersales::stock::{Movement, MovementKind, StockError};
use kefu_store::aftersales::stock::LocationRow;

use super::tickets::field;
use super::{form_key, input_refusal, ok, render};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

pub struct StockRow {
    pub location: String,
    pub part_id: i64,
    pub part_number: String,
    pub part_name: String,
    pub unit: String,
    pub good: i64,
    pub defective: i64,
    pub planned: String,
    pub short: i64,
}

/// The movement form as typed.
#[derive(Default)]
pub struct MovementFields {
    pub kind: String,
    pub part: String,
    pub quantity: String,
    pub location: i64,
    pub to: i64,
    pub document: String,
    pub rma: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "aftersales_stock.html")]
struct StockPage {
    t: Tr,
    layout: Layout,
    period: String,
    lines: Vec<StockRow>,
    locations: Vec<LocationRow>,
    points: Vec<(i64, String)>,
    location: i64,
    below: bool,
    kinds: Vec<(&'static str, String)>,
    f: MovementFields,
    may_manage: bool,
    notice: Option<String>,
    error: Option<String>,
}

/// Which lines the page shows: a location (0: all), only those below plan.
struct Shown {
    location: i64,
    below: bool,
}

fn shown(q: &[(String, String)]) -> Shown {
    Shown {
        location: field(q, "location").parse().unwrap_or(0),
        below: field(q, "below") == "1",
    }
}

async fn stock_page(
    state: &AppState,
    identity: &Identity,
    s: Shown,
    typed: Option<MovementFields>,
    notice: Option<String>,
    error: Option<String>,
) -> Result<StockPage, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let location = (s.location > 0).then_some(s.location);
    let lines = state
        .app
        .stock(&actor, location, s.below)
        .await?
        .into_iter()
        .map(|l| StockRow {
            location: l.balance.location,
            part_id: l.balance.part_id,
            part_number: l.balance.part_number,
            part_name: l.balance.part_name,
            unit: l.balance.unit,
            good: l.balance.good,
            defective: l.balance.defective,
            planned: l.balance.planned.map(|p| p.to_string()).unwrap_or_default(),
            short: l.short,
        })
        .collect();
    let may_manage = actor.require(Permission::AftersalesPolicy).is_ok();
    let kinds = MovementKind::ALL
        .iter()
        .copied()
        .filter(|k| typed_by_hand(*k) && (may_manage || *k != MovementKind::Adjustment))
        .map(|k| (k.key(), t.tk("stock.kind", k.key())))
        .collect();
    let points = if may_manage {
        state
            .app
            .service_points(&actor)
            .await?
            .into_iter()
            .map(|p| (p.row.id, p.row.point.name))
            .collect()
    } else {
        Vec::new()
    };
    Ok(StockPage {
        t,
        layout: Layout::new(identity, "/aftersales/rmas"),
        period: state.app.stock_period(),
        lines,
        locations: state.app.stock_locations(&actor).await?,
        points,
        location: s.location,
        below: s.below,
        kinds,
        f: typed.unwrap_or(MovementFields {
            kind: "receipt".to_owned(),
            location: s.location,
            ..MovementFields::default()
        }),
        may_manage,
        notice,
        error,
    })
}

/// `/aftersales/stock?location=&below=1` — `rma=` prefills an issue to that RMA.
pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let notice = match field(&q, "recorded") {
        "" => None,
        _ => Some(t.t("stock.recorded").to_owned()),
    };
    let typed = match field(&q, "rma") {
        "" => None,
        rma => Some(MovementFields {
            kind: "issue".to_owned(),
            rma: rma.to_owned(),
            ..MovementFields::default()
        }),
    };
    ok(&stock_page(&state, &identity, shown(&q), typed, notice, None).await?)
}

fn typed(pairs: &[(String, String)]) -> MovementFields {
    MovementFields {
        kind: field(pairs, "kind").to_owned(),
        part: field(pairs, "part").to_owned(),
        quantity: field(pairs, "quantity").to_owned(),
        location: field(pairs, "location").parse().unwrap_or(0),
        to: field(pairs, "to").parse().unwrap_or(0),
        document: field(pairs, "document").to_owned(),
        rma: field(pairs, "rma").to_owned(),
        reason: field(pairs, "reason").to_owned(),
    }
}

async fn record_typed(
    state: &AppState,
    identity: &Identity,
    pairs: &[(String, String)],
    f: &MovementFields,
) -> Result<i64, WebError> {
    let actor = identity.actor();
    let kind: MovementKind =
        form_key(pairs, "kind")?.ok_or(kefu_app::AppError::from(StockError::Required("kind")))?;
    let quantity: i64 = f
        .quantity
        .trim()
        .parse()
        .map_err(|_| kefu_app::AppError::from(StockError::Quantity))?;
    let (part, rma) = state.app.stock_refs(&actor, &f.part, &f.rma).await?;
    let m = Movement {
        kind,
        quantity,
        location: f.location,
        to: (kind == MovementKind::Transfer).then_some(f.to),
    };
    Ok(state
        .app
        .record_stock_movement(&actor, part, m, &f.document, rma, &f.reason)
        .await?)
}

/// `POST /aftersales/stock/movements`
pub async fn record(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = typed(&pairs);
    match record_typed(&state, &identity, &pairs, &f).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/aftersales/stock?location={}&recorded=1",
            f.location
        ))
        .into_response()),
        Err(e) => {
            let (status, message) = input_refusal(e, identity.tr());
            let s = Shown {
                location: f.location,
                below: false,
            };
            render(
                status,
                &stock_page(&state, &identity, s, Some(f), None, Some(message)).await?,
            )
        }
    }
}

/// `POST /aftersales/stock/locations`: the warehouse or a service point's stock.
pub async fn add_location(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let point = field(&pairs, "service_point_id").parse().ok();
    match state
        .app
        .create_stock_location(&identity.actor(), field(&pairs, "name"), point)
        .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/aftersales/stock?location={id}")).into_response()),
        Err(e) => {
            let (status, message) = input_refusal(e.into(), identity.tr());
            let s = Shown {
                location: 0,
                below: false,
            };
            render(
                status,
                &stock_page(&state, &identity, s, None, None, Some(message)).await?,
            )
        }
    }
}

pub struct LedgerRow {
    pub at: String,
    pub kind: String,
    pub part_id: i64,
    pub part: String,
    pub quantity: i64,
    pub location: String,
    pub document: String,
    pub rma: Option<(i64, String)>,
    pub reason: String,
    pub by: String,
}

#[derive(Template)]
#[template(path = "aftersales_stock_ledger.html")]
struct LedgerPage {
    t: Tr,
    layout: Layout,
    heading: String,
    lines: Vec<LedgerRow>,
}

/// `/aftersales/stock/movements?part=&location=` — the ledger, newest first.
pub async fn ledger(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let part = field(&q, "part").parse().ok();
    let location = field(&q, "location").parse().ok();
    let lines: Vec<LedgerRow> = state
        .app
        .stock_movements(
            &actor,
            part,
            location,
            kefu_app::aftersales::stock::MAX_MOVEMENTS,
        )
        .await?
        .into_iter()
        .map(|m| LedgerRow {
            at: local_time(m.row.at),
            kind: t.tk("stock.kind", m.row.kind.key()),
            part_id: m.row.part_id,
            part: format!("{} {}", m.part_number, m.part_name),
            quantity: m.row.quantity,
            location: match m.to_location {
                Some(to) => format!("{} → {}", m.location, to),
                None => m.location,
            },
            document: m.row.document,
            rma: m.row.rma_id.zip(m.rma_number),
            reason: m.row.reason,
            by: m.by_name.unwrap_or_default(),
        })
        .collect();
    let heading = match (part, lines.first()) {
        (Some(_), Some(l)) => l.part.clone(),
        _ => t.t("stock.ledger").to_owned(),
    };
    ok(&LedgerPage {
        t,
        layout: Layout::new(&identity, "/aftersales/rmas"),
        heading,
        lines,
    })
}
