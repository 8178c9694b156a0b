//! 售后单 — the RMA list (open, waiting on my approval, late, all), the request form
//! (from a ticket, from a complaint's approved solution, or for a customer picked), and an
//! RMA's page: what was asked, the policy's decision with the clause, the log, and the
//! moves open to the reader.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::aftersales::{MoveInput, RmaRequest};
use kefu_domain::Permission;
use kefu_domain::aftersales::policy::{Approver, Fault, RmaKind};
use kefu_domain::aftersales::rma::{Inspection, RmaMove, RmaSource, RmaState};
use kefu_store::aftersales::rma::{RmaFilter, RmaLine};

use super::catalogue::not_a_number;
use super::credit::parse_yuan;
use super::tickets::field;
use super::{done_or_refused, form_key, input_refusal, ok, render};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::upload::FormWithFiles;
use crate::view::{Layout, local_time, yuan};

/// RMAs a page of the list shows.
const PAGE: i64 = 50;

pub struct RmaLineView {
    pub id: i64,
    pub number: String,
    pub kind: String,
    pub customer: String,
    pub product: String,
    pub state: &'static str,
    pub state_text: String,
    pub verdict: String,
    pub amount: String,
    pub due: String,
    pub late: bool,
    pub created: String,
}

fn line_view(t: Tr, l: &RmaLine, now: jiff::Timestamp) -> RmaLineView {
    let r = &l.rma;
    RmaLineView {
        id: r.id,
        number: r.number.clone(),
        kind: t.t(&format!("policy.kind.{}", r.kind.key())).to_owned(),
        customer: l.customer.clone(),
        product: format!("{} {}", l.sku, l.product),
        state: r.state.key(),
        state_text: t.t(&format!("rma.state.{}", r.state.key())).to_owned(),
        verdict: t
            .t(&format!("policy.verdict.{}", r.verdict.key()))
            .to_owned(),
        amount: yuan(r.amount_fen),
        due: r.due_at.map(local_time).unwrap_or_default(),
        late: r.due_at.is_some_and(|d| d < now),
        created: local_time(r.created_at),
    }
}

#[derive(Template)]
#[template(path = "aftersales_rmas.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    view: String,
    lines: Vec<RmaLineView>,
    next: Option<i64>,
}

const OPEN: [RmaState; 8] = [
    RmaState::PendingApproval,
    RmaState::AwaitingGoods,
    RmaState::Received,
    RmaState::Quoted,
    RmaState::Approved,
    RmaState::Refunded,
    RmaState::Replaced,
    RmaState::Repaired,
];

/// `/aftersales/rmas?view=open|approval|late|all&before=ID`
pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let actor = identity.actor();
    let now = state.app.now();
    let view = match field(&q, "view") {
        v @ ("approval" | "late" | "turnaround" | "all") => v,
        _ => "open",
    };
    if view == "turnaround" {
        // Repairs past their point's turnaround, the longest waiting first.
        let (_, rows) = state.app.repairs_past_turnaround(&actor, PAGE).await?;
        let t = identity.tr();
        return ok(&ListPage {
            t,
            layout: Layout::new(&identity, "/aftersales/rmas"),
            view: view.to_owned(),
            lines: rows.iter().map(|l| line_view(t, l, now)).collect(),
            next: None,
        });
    }
    let mut filter = RmaFilter {
        before: field(&q, "before").parse().ok(),
        limit: PAGE + 1,
        ..RmaFilter::default()
    };
    match view {
        "open" => filter.states = OPEN.to_vec(),
        "late" => {
            filter.states = OPEN.to_vec();
            filter.late_at = Some(now);
        }
        "approval" => {
            if actor.require(Permission::RmaApprove).is_ok() {
                filter.approvers.push(Approver::Specialist);
            }
            if actor.require(Permission::RmaApproveAbove).is_ok() {
                filter.approvers.push(Approver::Manager);
            }
            if filter.approvers.is_empty() {
                filter.states = vec![RmaState::PendingApproval];
                filter.limit = 0;
            }
        }
        _ => {}
    }
    let mut rows = if filter.limit == 0 {
        Vec::new()
    } else {
        state.app.rmas(&actor, &filter).await?
    };
    let next = (rows.len() as i64 > PAGE).then(|| {
        rows.truncate(PAGE as usize);
        rows.last().map_or(0, |l| l.rma.id)
    });
    let t = identity.tr();
    ok(&ListPage {
        t,
        layout: Layout::new(&identity, "/aftersales/rmas"),
        view: view.to_owned(),
        lines: rows.iter().map(|l| line_view(t, l, now)).collect(),
        next,
    })
}

/// The request form as typed or prefilled.
#[derive(Default)]
pub struct RequestFields {
    pub customer_id: String,
    pub customer_label: String,
    pub ticket_id: String,
    pub complaint_rma_id: String,
    pub kind: String,
    pub sku: String,
    pub order_number: String,
    pub serial: String,
    pub quantity: String,
    pub fault: String,
    pub description: String,
    pub delivered_on: String,
    pub requested_on: String,
    pub amount: String,
    pub paid: String,
}

#[derive(Template)]
#[template(path = "aftersales_rma_new.html")]
struct NewPage {
    t: Tr,
    layout: Layout,
    f: RequestFields,
    kinds: Vec<(&'static str, String)>,
    faults: Vec<(&'static str, String)>,
    error: Option<String>,
}

fn options(t: Tr, keys: &[&'static str], prefix: &str) -> Vec<(&'static str, String)> {
    keys.iter()
        .map(|k| (*k, t.t(&format!("{prefix}.{k}")).to_owned()))
        .collect()
}

fn new_page(identity: &Identity, f: RequestFields, error: Option<String>) -> NewPage {
    let t = identity.tr();
    NewPage {
        t,
        layout: Layout::new(identity, "/aftersales/rmas"),
        f,
        kinds: options(
            t,
            &RmaKind::ALL.iter().map(|k| k.key()).collect::<Vec<_>>(),
            "policy.kind",
        ),
        faults: options(
            t,
            &Fault::ALL.iter().map(|k| k.key()).collect::<Vec<_>>(),
            "policy.fault",
        ),
        error,
    }
}

/// `/aftersales/rmas/new?ticket=ID&complaint_rma=ID&customer=ID`: the form, with the
/// customer (and the kind and amount of a complaint's remedy) filled in.
pub async fn new_form(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let actor = identity.actor();
    let mut f = RequestFields {
        quantity: "1".to_owned(),
        paid: String::new(),
        ticket_id: field(&q, "ticket").to_owned(),
        complaint_rma_id: field(&q, "complaint_rma").to_owned(),
        customer_id: field(&q, "customer").to_owned(),
        ..RequestFields::default()
    };
    if let Ok(id) = f.ticket_id.parse::<i64>() {
        let t = state.app.ticket_detail(&actor, id).await?;
        if let Some(c) = t.ticket.customer_id {
            f.customer_id = c.to_string();
        }
        f.description = t.ticket.subject.clone();
    }
    if let Ok(id) = f.complaint_rma_id.parse::<i64>() {
        let prefill = state.app.complaint_rma_prefill(&actor, id).await?;
        if let Some(c) = prefill.customer_id {
            f.customer_id = c.to_string();
        }
        f.kind = prefill.kind.map(|k| k.key().to_owned()).unwrap_or_default();
        f.amount = kefu_domain::money::plain_yuan(prefill.amount_fen);
        f.order_number = prefill.order_number;
        f.sku = prefill.part_number;
        f.description = prefill.content;
        f.delivered_on = prefill.delivery_date;
    }
    if let Ok(id) = f.customer_id.parse::<i64>() {
        f.customer_label = state.app.customer_name(&actor, id).await?;
    }
    ok(&new_page(&identity, f, None))
}

fn typed(pairs: &[(String, String)]) -> RequestFields {
    let g = |k: &str| field(pairs, k).to_owned();
    RequestFields {
        customer_id: g("customer_id"),
        customer_label: g("customer_label"),
        ticket_id: g("ticket_id"),
        complaint_rma_id: g("complaint_rma_id"),
        kind: g("kind"),
        sku: g("sku"),
        order_number: g("order_number"),
        serial: g("serial"),
        quantity: g("quantity"),
        fault: g("fault"),
        description: g("description"),
        delivered_on: g("delivered_on"),
        requested_on: g("requested_on"),
        amount: g("amount"),
        paid: g("paid"),
    }
}

fn money(field: &'static str, raw: &str) -> Result<i64, WebError> {
    parse_yuan(raw)
        .filter(|_| !raw.trim().is_empty())
        .ok_or(not_a_number(field))
}

async fn request_of(
    state: &AppState,
    identity: &Identity,
    pairs: &[(String, String)],
    f: &RequestFields,
) -> Result<RmaRequest, WebError> {
    let date = |e: kefu_domain::dates::DateError| WebError::from(kefu_app::AppError::from(e));
    let id = |raw: &str| raw.trim().parse::<i64>().ok();
    let customer_id = id(&f.customer_id).ok_or(kefu_app::AppError::UnknownArchiveCustomer)?;
    let product_id = state
        .app
        .product_ids_by_sku(&identity.actor(), std::slice::from_ref(&f.sku))
        .await?[0];
    let ticket_id = id(&f.ticket_id);
    let complaint_rma_id = id(&f.complaint_rma_id);
    Ok(RmaRequest {
        source: match (complaint_rma_id, ticket_id) {
            (Some(_), _) => RmaSource::Complaint,
            (None, Some(_)) => RmaSource::Ticket,
            (None, None) => RmaSource::Staff,
        },
        customer_id,
        ticket_id,
        complaint_rma_id,
        kind: form_key::<RmaKind>(pairs, "kind")?.unwrap_or(RmaKind::Return),
        product_id,
        order_number: f.order_number.clone(),
        serial: f.serial.clone(),
        quantity: f
            .quantity
            .trim()
            .parse()
            .map_err(|_| not_a_number("quantity"))?,
        fault: form_key::<Fault>(pairs, "fault")?.unwrap_or(Fault::Quality),
        description: f.description.clone(),
        delivered_on: kefu_domain::dates::parse("delivered_on", &f.delivered_on).map_err(date)?,
        requested_on: kefu_domain::dates::parse_opt("requested_on", Some(&f.requested_on))
            .map_err(date)?,
        amount_fen: money("amount", &f.amount)?,
        paid_fen: money("paid", &f.paid)?,
    })
}

/// `POST /aftersales/rmas`: the request, with the photos chosen.
pub async fn create(
    State(state): State<AppState>,
    identity: Identity,
    form: FormWithFiles,
) -> Result<Response, WebError> {
    let pairs = form.pairs;
    let f = typed(&pairs);
    let done = match request_of(&state, &identity, &pairs, &f).await {
        Ok(req) => state
            .app
            .request_rma_with_photos(&identity.actor(), &req, &form.files)
            .await
            .map_err(WebError::from),
        Err(e) => Err(e),
    };
    match done {
        Ok((id, _)) => Ok(Redirect::to(&format!("/aftersales/rmas/{id}")).into_response()),
        Err(e) => {
            let (status, message) = input_refusal(e, identity.tr());
            render(status, &new_page(&identity, f, Some(message)))
        }
    }
}

/// A photo of the fault as the RMA's page shows it.
pub struct PhotoView {
    pub url: String,
    pub name: String,
    /// Shown in place (a picture the browser shows); a video is a link.
    pub image: bool,
    pub by: String,
    pub at: String,
}

pub struct StepView {
    pub action: String,
    pub state: String,
    pub note: String,
    pub by: String,
    pub at: String,
}

#[derive(Template)]
#[template(path = "aftersales_rma.html")]
struct ShowPage {
    t: Tr,
    layout: Layout,
    line: RmaLineView,
    version: i64,
    facts: Vec<(String, String)>,
    decision: String,
    clause: String,
    policy_id: i64,
    ticket: Option<(i64, String)>,
    complaint_id: Option<i64>,
    steps: Vec<StepView>,
    moves: Vec<&'static str>,
    /// The service point a repair went to: (id, name).
    point: Option<(i64, String)>,
    /// The points a repair may be sent to by hand (empty: not offered).
    points: Vec<(i64, String)>,
    inspections: Vec<(&'static str, String)>,
    refund: String,
    /// Whether the reader may issue parts to it and register its defective goods.
    may_stock: bool,
    /// What it cost, for whoever works RMAs.
    costs: Option<super::aftersales_costs::RmaCostsView>,
    photos: Vec<PhotoView>,
    /// Whether more photos may be added.
    may_add_photos: bool,
    error: Option<String>,
}

async fn show_page(
    state: &AppState,
    identity: &Identity,
    id: i64,
    error: Option<String>,
) -> Result<ShowPage, WebError> {
    let t = identity.tr();
    let d = state.app.rma(&identity.actor(), id).await?;
    let r = &d.rma.rma;
    let mut facts = vec![
        (t.t("rma.field.customer").to_owned(), d.rma.customer.clone()),
        (
            t.t("rma.field.product").to_owned(),
            format!("{} {}", d.rma.sku, d.rma.product),
        ),
        (t.t("rma.field.serial").to_owned(), r.serial.clone()),
        (
            t.t("rma.field.order_number").to_owned(),
            r.order_number.clone(),
        ),
        (t.t("rma.field.quantity").to_owned(), r.quantity.to_string()),
        (
            t.t("policy.check.fault").to_owned(),
            t.t(&format!("policy.fault.{}", r.fault.key())).to_owned(),
        ),
        (
            t.t("rma.field.description").to_owned(),
            r.description.clone(),
        ),
        (
            t.t("policy.check.delivered_on").to_owned(),
            r.delivered_on.to_string(),
        ),
        (
            t.t("rma.field.requested_on").to_owned(),
            r.requested_on.to_string(),
        ),
        (
            t.t("rma.field.amount").to_owned(),
            format!("¥{}", yuan(r.amount_fen)),
        ),
        (
            t.t("rma.field.paid").to_owned(),
            format!("¥{}", yuan(r.paid_fen)),
        ),
    ];
    if let Some(i) = r.inspection {
        facts.push((
            t.t("rma.field.inspection").to_owned(),
            t.t(&format!("rma.inspection.{}", i.key())).to_owned(),
        ));
    }
    if let Some(q) = r.quote_fen {
        facts.push((t.t("rma.field.quote").to_owned(), format!("¥{}", yuan(q))));
    }
    if let Some(f) = r.refund_fen {
        facts.push((t.t("rma.field.refund").to_owned(), format!("¥{}", yuan(f))));
    }
    if let Some(s) = &r.replacement_serial {
        facts.push((t.t("rma.field.replacement_serial").to_owned(), s.clone()));
    }
    let decision = format!(
        "{} · {}：{} · {}",
        t.t(&format!("policy.verdict.{}", r.verdict.key())),
        t.t("policy.check.approver"),
        t.t(&format!("policy.approver.{}", r.approver.key())),
        t.t(&format!("policy.reason.{}", r.reason.key())),
    );
    let clause = t.f(
        "policy.clause_cited",
        &[
            ("n", &d.clause_number.to_string()),
            ("text", &d.clause_text),
        ],
    );
    let steps = d
        .steps
        .iter()
        .map(|s| StepView {
            action: t.t(&format!("rma.move.{}", s.action)).to_owned(),
            state: t.t(&format!("rma.state.{}", s.to_state.key())).to_owned(),
            note: s.note.clone(),
            // A customer's own request (the portal's) names no staff member.
            by: s.by_name.clone().unwrap_or_else(|| {
                let customers = r.source == RmaSource::Portal && s.action == "request";
                t.t(if customers {
                    "rma.by_customer"
                } else {
                    "common.system"
                })
                .to_owned()
            }),
            at: local_time(s.at),
        })
        .collect();
    let all_points = if r.kind == RmaKind::Repair {
        state.app.service_points(&identity.actor()).await?
    } else {
        Vec::new()
    };
    let point = r.service_point_id.and_then(|id| {
        all_points
            .iter()
            .find(|p| p.row.id == id)
            .map(|p| (id, p.row.point.name.clone()))
    });
    let may_assign = identity
        .actor()
        .require(kefu_domain::Permission::RmaWork)
        .is_ok()
        && !r.state.is_final()
        && !r.state.carried_out();
    let points = if may_assign {
        all_points
            .iter()
            .filter(|p| p.row.point.active)
            .map(|p| {
                (
                    p.row.id,
                    format!(
                        "{}（{}{}，{}/{}）",
                        p.row.point.name,
                        p.row.point.province,
                        p.row.point.city,
                        p.open,
                        p.row.point.capacity
                    ),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(ShowPage {
        t,
        layout: Layout::new(identity, "/aftersales/rmas"),
        point,
        points,
        line: line_view(t, &d.rma, state.app.now()),
        version: r.version,
        facts,
        decision,
        clause,
        policy_id: r.policy_id,
        ticket: r.ticket_id.zip(d.rma.ticket_number.clone()),
        complaint_id: r.complaint_id,
        steps,
        moves: d.moves.clone(),
        inspections: options(
            t,
            &Inspection::ALL.iter().map(|k| k.key()).collect::<Vec<_>>(),
            "rma.inspection",
        ),
        refund: kefu_domain::money::plain_yuan(r.amount_fen.min(r.paid_fen)),
        may_stock: identity.actor().require(Permission::RmaWork).is_ok(),
        costs: super::aftersales_costs::rma_costs_view(state, identity, id).await?,
        may_add_photos: d.photos.len() < kefu_app::aftersales::MAX_PHOTOS,
        photos: d
            .photos
            .iter()
            .map(|p| PhotoView {
                url: format!("/aftersales/rmas/{id}/photos/{}", p.id),
                name: p.filename.clone(),
                image: kefu_domain::attachment::shown_inline(&p.content_type),
                by: match (&p.by_name, p.by_customer) {
                    (Some(name), _) => name.clone(),
                    (None, true) => t.t("rma.by_customer").to_owned(),
                    (None, false) => t.t("common.system").to_owned(),
                },
                at: local_time(p.created_at),
            })
            .collect(),
        error,
    })
}

/// Back to the RMA's page after what was asked on it, or that page again with the refusal.
pub(super) async fn after(
    state: &AppState,
    identity: &Identity,
    id: i64,
    done: Result<(), WebError>,
) -> Result<Response, WebError> {
    let to = format!("/aftersales/rmas/{id}");
    done_or_refused(done, &to, identity.tr(), |m| {
        show_page(state, identity, id, Some(m))
    })
    .await
}

/// `/aftersales/rmas/{id}`
pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    ok(&show_page(&state, &identity, id, None).await?)
}

fn move_of(pairs: &[(String, String)]) -> Result<RmaMove, WebError> {
    Ok(match field(pairs, "move") {
        "approve" => RmaMove::Approve,
        "reject" => RmaMove::Reject,
        "receive" => RmaMove::Receive,
        "inspect" => RmaMove::Inspect {
            result: form_key::<Inspection>(pairs, "result")?.unwrap_or(Inspection::FaultConfirmed),
            quote_fen: match field(pairs, "quote").trim() {
                "" => None,
                q => Some(money("quote", q)?),
            },
        },
        "accept_quote" => RmaMove::AcceptQuote,
        "decline_quote" => RmaMove::DeclineQuote,
        "refund" => RmaMove::Refund {
            amount_fen: money("refund", field(pairs, "refund"))?,
        },
        "replace" => RmaMove::Replace,
        "repair" => RmaMove::Repair,
        "close" => RmaMove::Close,
        "cancel" => RmaMove::Cancel,
        other => {
            return Err(crate::input::unknown_value(
                "move",
                other,
                [
                    "approve",
                    "reject",
                    "receive",
                    "inspect",
                    "accept_quote",
                    "decline_quote",
                    "refund",
                    "replace",
                    "repair",
                    "close",
                    "cancel",
                ],
            ));
        }
    })
}

/// `POST /aftersales/rmas/{id}/moves`: one move, from the version shown.
pub async fn make_move(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let version = field(&pairs, "version").parse().ok();
    let done = match move_of(&pairs) {
        Ok(step) => state
            .app
            .move_rma(
                &identity.actor(),
                id,
                version,
                &MoveInput {
                    step,
                    note: field(&pairs, "note").to_owned(),
                    replacement_serial: field(&pairs, "replacement_serial").to_owned(),
                },
            )
            .await
            .map_err(WebError::from),
        Err(e) => Err(e),
    };
    after(&state, &identity, id, done.map(|_| ())).await
}

/// `POST /aftersales/rmas/{id}/point`: sends the repair to the point chosen.
pub async fn assign_point(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let done = state
        .app
        .assign_rma_point(
            &identity.actor(),
            id,
            field(&pairs, "version").parse().ok(),
            field(&pairs, "service_point_id").parse().unwrap_or(0),
        )
        .await;
    after(&state, &identity, id, done.map_err(WebError::from)).await
}

/// `POST /aftersales/rmas/{id}/photos`: adds the photos chosen.
pub async fn add_photos(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    form: FormWithFiles,
) -> Result<Response, WebError> {
    let done = state
        .app
        .add_rma_photos(&identity.actor(), id, &form.files)
        .await;
    after(
        &state,
        &identity,
        id,
        done.map(|_| ()).map_err(WebError::from),
    )
    .await
}

/// `GET /aftersales/rmas/{id}/photos/{photo}`: the photo itself.
pub async fn photo(
    State(state): State<AppState>,
    identity: Identity,
    Path((id, photo)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let (name, content_type, bytes) = state
        .app
        .rma_photo_file(&identity.actor(), id, photo)
        .await?;
    Ok(crate::upload::serve(&name, &content_type, bytes))
}
