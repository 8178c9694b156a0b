//! 发货与到货核实 — the shipments section of an order's page: production marked done, the
//! ship form (carrier, tracking number, each line's quantity), each shipment's tracking and
//! the customer's count.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use kefu_app::order::{OrderDetail, ShipmentRequest, TrackingEvent, TrackingImport};
use kefu_domain::order::OrderState;
use kefu_domain::order::shipment::{self as rules, EventSource, ShipmentState, TrackingStatus};

use super::follow_ups::{input_value, local_input};
use super::form_key;
use super::orders::after;
use super::tickets::field;
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::upload::FormWithFiles;
use crate::view::local_time;

/// A shipment as the order's page shows it.
pub struct ShipmentView {
    pub id: i64,
    pub number: String,
    pub carrier: String,
    pub tracking: String,
    pub state: String,
    pub state_key: &'static str,
    pub notice: String,
    pub shipped_at: String,
    /// (line number, product, shipped, received or empty before the count)
    pub lines: Vec<(i64, String, i64, String)>,
    /// (time, status, place, source)
    pub events: Vec<(String, String, String, String)>,
    pub may_count: bool,
    pub ticket: Option<(i64, String)>,
}

/// A line of the ship form: its number, product, and how many may leave now.
pub struct ShipLine {
    pub line_no: i64,
    pub product: String,
    pub ready: i64,
}

/// What the order's page shows of shipments.
pub struct ShipmentsSection {
    pub shipments: Vec<ShipmentView>,
    pub ship_lines: Vec<ShipLine>,
    pub may_ship: bool,
    pub may_produce: bool,
    pub statuses: Vec<(&'static str, String)>,
    pub now: String,
}

pub(super) async fn section(
    state: &AppState,
    identity: &Identity,
    d: &OrderDetail,
    t: Tr,
) -> Result<ShipmentsSection, WebError> {
    let shipments = state
        .app
        .order_shipments(&identity.actor(), d.order.id)
        .await?;
    let live = matches!(d.order.state, OrderState::Open | OrderState::PartlyShipped);
    let waiting_production = d
        .documents
        .iter()
        .any(|x| x.kind == kefu_domain::order::DocumentKind::Production && x.state == "issued");
    let ship_lines: Vec<ShipLine> = d
        .lines
        .iter()
        .map(|l| ShipLine {
            line_no: l.line_no,
            product: format!("{} {}", l.sku, l.product),
            ready: (rules::ready(l.quantity, l.from_stock, !waiting_production) - l.shipped).max(0),
        })
        .collect();
    let views = shipments
        .into_iter()
        .map(|s| ShipmentView {
            id: s.shipment.id,
            number: s.shipment.number.clone(),
            carrier: s.shipment.carrier.clone(),
            tracking: s.shipment.tracking_number.clone(),
            state: t.tk("order.shipment_state", s.shipment.state.key()),
            state_key: s.shipment.state.key(),
            notice: t.tk("order.notice_kind", s.shipment.notice.key()),
            shipped_at: local_time(s.shipment.shipped_at),
            lines: s
                .lines
                .iter()
                .map(|l| {
                    (
                        l.line_no,
                        format!("{} {}", l.sku, l.product),
                        l.quantity,
                        l.received.map(|r| r.to_string()).unwrap_or_default(),
                    )
                })
                .collect(),
            events: s
                .events
                .iter()
                .map(|e| {
                    (
                        local_time(e.at),
                        t.tk("order.tracking", e.status.key()),
                        e.place.clone(),
                        t.tk("order.event_from", e.source.key()),
                    )
                })
                .collect(),
            may_count: s.shipment.state != ShipmentState::Checked,
            ticket: s
                .shipment
                .issue_ticket_id
                .zip(s.shipment.issue_ticket_number.clone()),
        })
        .collect();
    Ok(ShipmentsSection {
        shipments: views,
        may_ship: live && ship_lines.iter().any(|l| l.ready > 0),
        ship_lines,
        may_produce: live && waiting_production,
        statuses: TrackingStatus::ALL
            .iter()
            .map(|s| (s.key(), t.tk("order.tracking", s.key())))
            .collect(),
        now: input_value(state.app.now()),
    })
}

/// The `prefix<line>` fields of a form with a number typed: (line, number). A field left
/// empty is no quantity; one that is not a whole number is refused, naming its line.
fn per_line(pairs: &[(String, String)], prefix: &str) -> Result<Vec<(i64, i64)>, WebError> {
    let mut out = Vec::new();
    for (k, v) in pairs {
        let Some(line) = k.strip_prefix(prefix).and_then(|l| l.parse::<i64>().ok()) else {
            continue;
        };
        let v = v.trim();
        if v.is_empty() {
            continue;
        }
        let n = v.parse::<i64>().map_err(|_| {
            kefu_app::AppError::from(kefu_domain::order::OrderError::Quantity {
                line: usize::try_from(line).unwrap_or(0),
            })
        })?;
        out.push((line, n));
    }
    Ok(out)
}

/// `POST /orders/{id}/production`: the production request is done.
pub async fn produced(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let done = state
        .app
        .complete_production(
            &identity.actor(),
            id,
            super::versioned::form_version(&pairs),
        )
        .await
        .map_err(WebError::from);
    after(&state, &identity, id, done).await
}

/// `POST /orders/{id}/shipments`: `carrier`, `tracking_number`, `q<line>` for each line.
pub async fn ship(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let done = match per_line(&pairs, "q") {
        Ok(lines) => state
            .app
            .ship_order(
                &identity.actor(),
                id,
                super::versioned::form_version(&pairs),
                &ShipmentRequest {
                    carrier: field(&pairs, "carrier").to_owned(),
                    tracking_number: field(&pairs, "tracking_number").to_owned(),
                    lines: lines.into_iter().filter(|(_, q)| *q != 0).collect(),
                },
            )
            .await
            .map(|_| ())
            .map_err(WebError::from),
        Err(e) => Err(e),
    };
    after(&state, &identity, id, done).await
}

/// `POST /orders/{id}/shipments/{shipment}/events`: `at`, `status`, `place`.
pub async fn add_event(
    State(state): State<AppState>,
    identity: Identity,
    Path((id, shipment)): Path<(i64, i64)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let done = async {
        let at = local_input("at", field(&pairs, "at"))?
            .ok_or_else(|| WebError::bad_request("invalid_field", "at"))?;
        let status: TrackingStatus = form_key(&pairs, "status")?
            .ok_or_else(|| WebError::bad_request("invalid_field", "status"))?;
        belongs(&state, &identity, id, shipment).await?;
        state
            .app
            .add_tracking_event(
                &identity.actor(),
                shipment,
                &TrackingEvent {
                    at,
                    status,
                    place: field(&pairs, "place").to_owned(),
                },
                EventSource::Manual,
            )
            .await
            .map(|_| ())
            .map_err(WebError::from)
    }
    .await;
    after(&state, &identity, id, done).await
}

/// `POST /orders/{id}/shipments/{shipment}/count`: `r<line>` received of each line.
pub async fn count(
    State(state): State<AppState>,
    identity: Identity,
    Path((id, shipment)): Path<(i64, i64)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let done = async {
        let counted = per_line(&pairs, "r")?;
        belongs(&state, &identity, id, shipment).await?;
        state
            .app
            .count_shipment(&identity.actor(), shipment, &counted)
            .await
            .map(|_| ())
            .map_err(WebError::from)
    }
    .await;
    after(&state, &identity, id, done).await
}

/// A shipment asked through an order's page is that order's (404 otherwise).
async fn belongs(
    state: &AppState,
    identity: &Identity,
    order: i64,
    shipment: i64,
) -> Result<(), WebError> {
    if state
        .app
        .shipment_order(&identity.actor(), shipment)
        .await?
        != order
    {
        return Err(kefu_app::AppError::NotFound.into());
    }
    Ok(())
}

#[derive(askama::Template)]
#[template(path = "order_tracking_import.html")]
struct ImportPage {
    t: Tr,
    layout: crate::view::Layout,
    dry_run: bool,
    result: Option<TrackingImport>,
    summary: Option<String>,
    problems: Vec<super::catalogue::ProblemLine>,
    error: Option<String>,
}

/// Rows of problems the page shows.
const SHOWN: usize = 500;

fn import_page(identity: &Identity, dry_run: bool) -> ImportPage {
    ImportPage {
        t: identity.tr(),
        layout: crate::view::Layout::new(identity, "/aftersales/rmas"),
        dry_run,
        result: None,
        summary: None,
        problems: Vec::new(),
        error: None,
    }
}

/// `/orders/tracking`: a carrier's tracking file to import.
pub async fn import_form(identity: Identity) -> Result<Response, WebError> {
    super::ok(&import_page(&identity, true))
}

/// `POST /orders/tracking`: the file checked only, or imported (all or nothing).
pub async fn import(
    State(state): State<AppState>,
    identity: Identity,
    form: FormWithFiles,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let (dry_run, file) = form.import_file();
    let mut page = import_page(&identity, dry_run);
    let Some(file) = file else {
        page.error = Some(t.t("catalogue.import.no_file").to_owned());
        return super::render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    match state
        .app
        .import_tracking(&identity.actor(), &file.filename, &file.bytes, dry_run)
        .await
    {
        Ok(result) => {
            page.problems = result
                .problems
                .iter()
                .take(SHOWN)
                .map(|(row, e)| super::catalogue::ProblemLine {
                    row: *row,
                    column: t.t(&format!("catalogue.column.{}", e.column)).to_owned(),
                    problem: t.tk("order.tracking_problem", e.problem.key()),
                    value: e.value.clone(),
                })
                .collect();
            let key = if result.written {
                "order.tracking_import.done"
            } else if result.problems.is_empty() {
                "order.tracking_import.dry_run"
            } else {
                "order.tracking_import.refused"
            };
            page.summary = Some(t.f(
                key,
                &[
                    ("rows", &result.rows.to_string()),
                    ("added", &result.added.to_string()),
                    ("known", &result.known.to_string()),
                    ("n", &result.problems.len().to_string()),
                ],
            ));
            let status = crate::import_report::page_status(result.problems.len());
            page.result = Some(result);
            super::render(status, &page)
        }
        Err(e) => {
            let (status, message) = super::refusal(e, t);
            page.error = Some(message);
            super::render(status, &page)
        }
    }
}
