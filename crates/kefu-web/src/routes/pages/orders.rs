//! 订单 — the orders list (those waiting for the manager first to hand), the form that
//! places one (the customer picked as one types, lines typed as `SKU 数量 [单价]`), an
//! order's page with its lines met from stock and by production, its documents and history,
//! the manager's decision, a line's change and the cancel; and the finished goods in stock.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::order::{OrderLineRequest, OrderRequest};
use kefu_domain::Permission;
use kefu_domain::money::yuan;
use kefu_domain::order::{OrderError, OrderState, Payment};
use kefu_store::order::OrderFilter;

use super::credit::parse_yuan;
use super::tickets::field;
use super::versioned::form_version;
use super::{done_or_refused, form_key, input_refusal, ok, render};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

pub struct OrderLine {
    pub id: i64,
    pub number: String,
    pub customer: String,
    pub state: String,
    pub state_key: &'static str,
    pub payment: String,
    pub total: String,
    pub created: String,
}

#[derive(Template)]
#[template(path = "orders.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    lines: Vec<OrderLine>,
    state: String,
    states: Vec<(&'static str, String)>,
    may_take: bool,
}

/// `/orders?state=` — `state=pending_approval` is the manager's list.
pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let s = form_key::<OrderState>(&q, "state")?;
    let list = state
        .app
        .orders(
            &identity.actor(),
            &OrderFilter {
                states: s.into_iter().collect(),
                limit: 200,
                ..OrderFilter::default()
            },
        )
        .await?;
    let lines = list
        .into_iter()
        .map(|o| OrderLine {
            id: o.id,
            number: o.number,
            customer: o.customer,
            state: t.tk("order.state", o.state.key()),
            state_key: o.state.key(),
            payment: t.tk("order.payment", o.payment.key()),
            total: yuan(o.total_fen),
            created: local_time(o.created_at),
        })
        .collect();
    ok(&ListPage {
        t,
        layout: Layout::new(&identity, "/aftersales/rmas"),
        lines,
        state: s.map(|x| x.key().to_owned()).unwrap_or_default(),
        states: t.options::<OrderState>("order.state"),
        may_take: identity.actor().require(Permission::OrderTake).is_ok(),
    })
}

/// The form as typed.
#[derive(Default)]
pub struct OrderFields {
    pub customer_id: String,
    pub customer_label: String,
    pub payment: String,
    pub lines: String,
    pub promised_on: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "order_new.html")]
struct NewPage {
    t: Tr,
    layout: Layout,
    f: OrderFields,
    payments: Vec<(&'static str, String)>,
    error: Option<String>,
}

fn new_page(t: Tr, identity: &Identity, f: OrderFields, error: Option<String>) -> NewPage {
    NewPage {
        t,
        layout: Layout::new(identity, "/aftersales/rmas"),
        f,
        payments: Payment::ALL
            .iter()
            .map(|p| (p.key(), t.tk("order.payment", p.key())))
            .collect(),
        error,
    }
}

/// `/orders/new?customer_id=`
pub async fn new_form(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let mut f = OrderFields {
        payment: Payment::Credit.key().to_owned(),
        ..OrderFields::default()
    };
    if let Ok(id) = field(&q, "customer_id").parse::<i64>() {
        let c = state.app.customer_card(&identity.actor(), id).await?;
        f.customer_id = id.to_string();
        f.customer_label = c.name;
    }
    ok(&new_page(t, &identity, f, None))
}

fn typed(pairs: &[(String, String)]) -> OrderFields {
    OrderFields {
        customer_id: field(pairs, "customer_id").to_owned(),
        customer_label: field(pairs, "customer_label").to_owned(),
        payment: field(pairs, "payment").to_owned(),
        lines: field(pairs, "lines").to_owned(),
        promised_on: field(pairs, "promised_on").to_owned(),
        note: field(pairs, "note").to_owned(),
    }
}

/// Reads `SKU 数量 [单价]` lines (spaces or tabs between; a price may group thousands with
/// commas): the SKUs, quantities and prices in fen (`None`: the customer's price).
fn read_lines(text: &str) -> Result<Vec<(String, i64, Option<i64>)>, WebError> {
    let mut out = Vec::new();
    for raw in text.lines() {
        let parts: Vec<&str> = raw
            .split(|c: char| c.is_whitespace() || c == '，')
            .filter(|p| !p.is_empty())
            .collect();
        if parts.is_empty() {
            continue;
        }
        let line = out.len() + 1;
        let bad = || kefu_app::AppError::from(OrderError::Quantity { line });
        let (sku, qty, price) = match parts.as_slice() {
            [sku, qty] => (*sku, *qty, None),
            [sku, qty, price] => (*sku, *qty, Some(*price)),
            _ => return Err(bad().into()),
        };
        let quantity = qty.parse::<i64>().map_err(|_| bad())?;
        let price = match price {
            Some(p) => Some(parse_yuan(p).ok_or_else(|| {
                kefu_app::AppError::from(OrderError::Amount {
                    line,
                    source: kefu_domain::money::AmountError::Negative,
                })
            })?),
            None => None,
        };
        out.push((sku.to_owned(), quantity, price));
    }
    if out.is_empty() {
        return Err(kefu_app::AppError::from(OrderError::Lines).into());
    }
    Ok(out)
}

async fn place_typed(
    state: &AppState,
    identity: &Identity,
    pairs: &[(String, String)],
    f: &OrderFields,
) -> Result<i64, WebError> {
    let actor = identity.actor();
    let customer_id: i64 = f
        .customer_id
        .parse()
        .map_err(|_| kefu_app::AppError::UnknownCustomer)?;
    let payment = form_key::<Payment>(pairs, "payment")?.unwrap_or(Payment::Credit);
    let lines = read_lines(&f.lines)?;
    let skus: Vec<String> = lines.iter().map(|(s, _, _)| s.clone()).collect();
    let ids = state.app.product_ids_by_sku(&actor, &skus).await?;
    let promised_on = match f.promised_on.trim() {
        "" => None,
        d => Some(kefu_domain::dates::parse("promised_on", d).map_err(kefu_app::AppError::from)?),
    };
    let req = OrderRequest {
        customer_id,
        payment,
        lines: lines
            .iter()
            .zip(ids)
            .map(|((_, q, p), id)| OrderLineRequest {
                product_id: id,
                quantity: *q,
                unit_price_fen: *p,
            })
            .collect(),
        promised_on,
        note: f.note.clone(),
    };
    Ok(state.app.place_order(&actor, &req).await?.0)
}

/// `POST /orders`
pub async fn create(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = typed(&pairs);
    match place_typed(&state, &identity, &pairs, &f).await {
        Ok(id) => Ok(Redirect::to(&format!("/orders/{id}")).into_response()),
        Err(e) => {
            let t = identity.tr();
            let (status, message) = input_refusal(e, t);
            render(status, &new_page(t, &identity, f, Some(message)))
        }
    }
}

pub struct LineView {
    pub line_no: i64,
    pub product: String,
    pub quantity: i64,
    pub price: String,
    pub amount: String,
    pub from_stock: i64,
    pub to_produce: i64,
    pub shipped: i64,
}

pub struct StepView {
    pub at: String,
    pub by: String,
    pub action: String,
    pub state: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "order.html")]
struct ShowPage {
    t: Tr,
    layout: Layout,
    id: i64,
    number: String,
    customer_id: i64,
    customer: String,
    state: String,
    state_key: &'static str,
    payment: String,
    credit: String,
    total: String,
    promised_on: String,
    note: String,
    version: i64,
    lines: Vec<LineView>,
    documents: Vec<(String, String, String, String)>,
    steps: Vec<StepView>,
    may_decide: bool,
    may_change: bool,
    ship: super::order_shipments::ShipmentsSection,
    /// 优惠政策 — the customer's policies in force on the day it was placed.
    policies: Vec<super::key_account_plan::PolicyLine>,
    error: Option<String>,
}

async fn show_page(
    state: &AppState,
    identity: &Identity,
    id: i64,
    error: Option<String>,
) -> Result<ShowPage, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let d = state.app.order(&actor, id).await?;
    let o = &d.order;
    let lines = d
        .lines
        .iter()
        .map(|l| LineView {
            line_no: l.line_no,
            product: format!("{} {}", l.sku, l.product),
            quantity: l.quantity,
            price: yuan(l.unit_price_fen),
            amount: yuan(
                kefu_domain::order::line_amount(l.quantity, l.unit_price_fen).unwrap_or(0),
            ),
            from_stock: l.from_stock,
            to_produce: l.to_produce,
            shipped: l.shipped,
        })
        .collect();
    let documents = d
        .documents
        .iter()
        .map(|x| {
            (
                t.tk("order.document", x.kind.key()),
                x.number.clone(),
                x.promised_on.map(|p| p.to_string()).unwrap_or_default(),
                t.tk("order.document_state", &x.state),
            )
        })
        .collect();
    let steps = d
        .steps
        .iter()
        .map(|s| StepView {
            at: local_time(s.at),
            by: s.by_name.clone().unwrap_or_default(),
            action: t.tk("order.action", &s.action),
            state: t.tk("order.state", s.to_state.key()),
            note: s.note.clone(),
        })
        .collect();
    let ship = super::order_shipments::section(state, identity, &d, t).await?;
    let policies = d
        .policies
        .iter()
        .cloned()
        .map(|(p, still)| super::key_account_plan::policy_line(t, p, still, None, false))
        .collect();
    Ok(ShowPage {
        t,
        layout: Layout::new(identity, "/aftersales/rmas"),
        id,
        number: o.number.clone(),
        customer_id: o.customer_id,
        customer: o.customer.clone(),
        state: t.tk("order.state", o.state.key()),
        state_key: o.state.key(),
        payment: t.tk("order.payment", o.payment.key()),
        credit: t.tk("order.credit", &o.credit),
        total: yuan(o.total_fen),
        promised_on: o.promised_on.map(|p| p.to_string()).unwrap_or_default(),
        note: o.note.clone(),
        version: o.version,
        lines,
        documents,
        steps,
        may_decide: o.state == OrderState::PendingApproval
            && actor.require(Permission::OrderApprove).is_ok(),
        may_change: matches!(o.state, OrderState::PendingApproval | OrderState::Open),
        ship,
        policies,
        error,
    })
}

/// `/orders/{id}`
pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    ok(&show_page(&state, &identity, id, None).await?)
}

pub(super) async fn after(
    state: &AppState,
    identity: &Identity,
    id: i64,
    done: Result<(), WebError>,
) -> Result<Response, WebError> {
    let to = format!("/orders/{id}");
    done_or_refused(done, &to, identity.tr(), |m| {
        show_page(state, identity, id, Some(m))
    })
    .await
}

/// `POST /orders/{id}/decision`: `decision=approve|reject`, the reason.
pub async fn decide(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let done = state
        .app
        .decide_order(
            &identity.actor(),
            id,
            form_version(&pairs),
            field(&pairs, "decision") == "approve",
            field(&pairs, "reason"),
        )
        .await
        .map(|_| ())
        .map_err(WebError::from);
    after(&state, &identity, id, done).await
}

/// `POST /orders/{id}/lines`: `line_no`, the new `quantity`, the reason.
pub async fn change_line(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let line_no: i64 = field(&pairs, "line_no").parse().unwrap_or(0);
    let done = match field(&pairs, "quantity").trim().parse::<i64>() {
        Ok(q) => state
            .app
            .change_order_line(
                &identity.actor(),
                id,
                form_version(&pairs),
                line_no,
                q,
                field(&pairs, "reason"),
            )
            .await
            .map(|_| ())
            .map_err(WebError::from),
        Err(_) => Err(kefu_app::AppError::from(OrderError::Quantity {
            line: usize::try_from(line_no).unwrap_or(0),
        })
        .into()),
    };
    after(&state, &identity, id, done).await
}

/// `POST /orders/{id}/cancel`: the reason.
pub async fn cancel(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let done = state
        .app
        .cancel_order(
            &identity.actor(),
            id,
            form_version(&pairs),
            field(&pairs, "reason"),
        )
        .await
        .map_err(WebError::from);
    after(&state, &identity, id, done).await
}
