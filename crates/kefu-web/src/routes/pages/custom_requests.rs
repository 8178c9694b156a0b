//! 定制 — the custom requests list (by state: the design department's and the manager's
//! lists), the form that records one (the customer picked as one types), and a request's
//! page with the form for whoever acts next: the design's answer, the quote, the manager's
//! decision, the customer's answer, the cancel.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::order::{CustomInput, CustomRequest};
use kefu_domain::Permission;
use kefu_domain::money::yuan;
use kefu_domain::order::custom::{CustomMove, CustomState, is_final};
use kefu_store::order::custom::CustomFilter;

use super::catalogue::not_a_number;
use super::credit::parse_yuan;
use super::tickets::field;
use super::versioned::form_version;
use super::{done_or_refused, form_key, input_refusal, ok, render};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

/// A request on the list.
pub struct CustomLine {
    pub id: i64,
    pub number: String,
    pub customer: String,
    pub title: String,
    pub quantity: i64,
    pub state: String,
    pub state_key: &'static str,
    pub created: String,
}

#[derive(Template)]
#[template(path = "custom_requests.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    lines: Vec<CustomLine>,
    state: String,
    states: Vec<(&'static str, String)>,
    may_request: bool,
}

/// `/custom-requests?state=`
pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let s = form_key::<CustomState>(&q, "state")?;
    let list = state
        .app
        .custom_requests(
            &identity.actor(),
            &CustomFilter {
                states: s.into_iter().collect(),
                limit: 200,
                ..CustomFilter::default()
            },
        )
        .await?;
    let lines = list
        .into_iter()
        .map(|r| CustomLine {
            id: r.id,
            number: r.number,
            customer: r.customer,
            title: r.title,
            quantity: r.quantity,
            state: t.tk("custom.state", r.state.key()),
            state_key: r.state.key(),
            created: local_time(r.created_at),
        })
        .collect();
    ok(&ListPage {
        t,
        layout: Layout::new(&identity, "/aftersales/rmas"),
        lines,
        state: s.map(|x| x.key().to_owned()).unwrap_or_default(),
        states: t.options::<CustomState>("custom.state"),
        may_request: identity.actor().require(Permission::OrderTake).is_ok(),
    })
}

/// The new request's form as typed.
#[derive(Default)]
pub struct CustomFields {
    pub customer_id: String,
    pub customer_label: String,
    pub title: String,
    pub spec: String,
    pub quantity: String,
    pub wanted_by: String,
}

#[derive(Template)]
#[template(path = "custom_request_new.html")]
struct NewPage {
    t: Tr,
    layout: Layout,
    f: CustomFields,
    error: Option<String>,
}

/// `/custom-requests/new`
pub async fn new_form(identity: Identity) -> Result<Response, WebError> {
    ok(&NewPage {
        t: identity.tr(),
        layout: Layout::new(&identity, "/aftersales/rmas"),
        f: CustomFields::default(),
        error: None,
    })
}

/// `POST /custom-requests`: the customer, title, specification, quantity, date wanted.
pub async fn create(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = CustomFields {
        customer_id: field(&pairs, "customer_id").to_owned(),
        customer_label: field(&pairs, "customer_label").to_owned(),
        title: field(&pairs, "title").to_owned(),
        spec: field(&pairs, "spec").to_owned(),
        quantity: field(&pairs, "quantity").to_owned(),
        wanted_by: field(&pairs, "wanted_by").to_owned(),
    };
    let done = async {
        let customer_id = f
            .customer_id
            .trim()
            .parse::<i64>()
            .map_err(|_| WebError::from(kefu_app::AppError::UnknownArchiveCustomer))?;
        let quantity = f
            .quantity
            .trim()
            .parse::<i64>()
            .map_err(|_| not_a_number("quantity"))?;
        let wanted_by = match f.wanted_by.trim() {
            "" => None,
            d => Some(kefu_domain::dates::parse("wanted_by", d).map_err(kefu_app::AppError::from)?),
        };
        state
            .app
            .request_custom(
                &identity.actor(),
                &CustomRequest {
                    customer_id,
                    title: f.title.clone(),
                    spec: f.spec.clone(),
                    quantity,
                    wanted_by,
                },
            )
            .await
            .map_err(WebError::from)
    }
    .await;
    match done {
        Ok(id) => Ok(Redirect::to(&format!("/custom-requests/{id}")).into_response()),
        Err(e) => {
            let t = identity.tr();
            let (status, message) = input_refusal(e, t);
            render(
                status,
                &NewPage {
                    t,
                    layout: Layout::new(&identity, "/aftersales/rmas"),
                    f,
                    error: Some(message),
                },
            )
        }
    }
}

/// A step of the history as the page shows it.
pub struct StepView {
    pub at: String,
    pub by: String,
    pub action: String,
    pub state: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "custom_request.html")]
struct ShowPage {
    t: Tr,
    layout: Layout,
    id: i64,
    number: String,
    customer: String,
    title: String,
    spec: String,
    quantity: i64,
    wanted_by: String,
    state: String,
    state_key: &'static str,
    answer: String,
    cost: String,
    lead_days: String,
    quote: String,
    /// The order the acceptance placed: id and number.
    order: Option<(i64, String)>,
    version: i64,
    may_answer: bool,
    may_quote: bool,
    may_decide: bool,
    may_customer: bool,
    may_cancel: bool,
    steps: Vec<StepView>,
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
    let d = state.app.custom_request(&actor, id).await?;
    let r = &d.request;
    let agent = actor.require(Permission::OrderTake).is_ok();
    let manager = actor.require(Permission::OrderApprove).is_ok();
    let design = actor.require(Permission::CustomDesign).is_ok();
    Ok(ShowPage {
        t,
        layout: Layout::new(identity, "/aftersales/rmas"),
        id,
        number: r.number.clone(),
        customer: r.customer.clone(),
        title: r.title.clone(),
        spec: r.spec.clone(),
        quantity: r.quantity,
        wanted_by: r.wanted_by.map(|d| d.to_string()).unwrap_or_default(),
        state: t.tk("custom.state", r.state.key()),
        state_key: r.state.key(),
        answer: r.answer.clone(),
        cost: r.cost_fen.map(yuan).unwrap_or_default(),
        lead_days: r.lead_days.map(|d| d.to_string()).unwrap_or_default(),
        quote: r.quote_fen.map(yuan).unwrap_or_default(),
        order: r.order_id.zip(r.order_number.clone()),
        version: r.version,
        may_answer: design && r.state == CustomState::WithDesign,
        may_quote: agent && r.state == CustomState::Answered,
        may_decide: manager && r.state == CustomState::QuotePending,
        may_customer: agent && r.state == CustomState::Quoted,
        may_cancel: agent && !is_final(r.state),
        steps: d
            .steps
            .iter()
            .map(|s| StepView {
                at: local_time(s.at),
                by: s.by_name.clone().unwrap_or_default(),
                action: t.tk("custom.move", &s.action),
                state: t.tk("custom.state", s.to_state.key()),
                note: s.note.clone(),
            })
            .collect(),
        error,
    })
}

/// `/custom-requests/{id}`
pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    ok(&show_page(&state, &identity, id, None).await?)
}

/// Money typed in yuan in field `name`, optional: blank is none; anything else not yuan is
/// refused, naming the field as `label` (a `catalogue.column` key).
fn optional_yuan(
    pairs: &[(String, String)],
    name: &str,
    label: &'static str,
) -> Result<Option<i64>, WebError> {
    match field(pairs, name).trim() {
        "" => Ok(None),
        v => parse_yuan(v).map(Some).ok_or_else(|| not_a_number(label)),
    }
}

/// `POST /custom-requests/{id}/moves`: `move`, with what it carries (`feasible`, `answer`,
/// `cost`, `lead_days`; `quote`; `note`).
pub async fn make_move(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let done = async {
        let action: CustomMove = form_key(&pairs, "move")?
            .ok_or_else(|| WebError::bad_request("invalid_field", "move"))?;
        let lead_days = match field(&pairs, "lead_days").trim() {
            "" => None,
            v => Some(v.parse::<i64>().map_err(|_| not_a_number("lead_days"))?),
        };
        let input = CustomInput {
            feasible: field(&pairs, "feasible") == "1",
            answer: field(&pairs, "answer").to_owned(),
            cost_fen: optional_yuan(&pairs, "cost", "cost")?,
            lead_days,
            quote_fen: optional_yuan(&pairs, "quote", "custom_quote")?,
            note: field(&pairs, "note").to_owned(),
        };
        state
            .app
            .move_custom(&identity.actor(), id, form_version(&pairs), action, &input)
            .await
            .map(|_| ())
            .map_err(WebError::from)
    }
    .await;
    let to = format!("/custom-requests/{id}");
    done_or_refused(done, &to, identity.tr(), |m| {
        show_page(&state, &identity, id, Some(m))
    })
    .await
}
