//! 受理 — the intake form that opens a complaint (linking the archive's customer with the
//! picker), and the first two steps on the complaint page: completing intake (with who will
//! make the follow-up call) and judging validity.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use jiff::Timestamp;
use kefu_app::complaint::{ComplaintForm, Judgement};
use kefu_domain::complaint::{Category, Severity};
use kefu_domain::ticket::Channel;

use super::super::render;
use super::super::tickets::{Choice, field};
use super::show::{after, stepped};
use super::stale::Kept;
use super::{choices, default_answer_message};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::routes::pages::versioned::form_version;
use crate::view::Layout;

#[derive(Template)]
#[template(path = "complaint_new.html")]
struct NewPage {
    t: Tr,
    layout: Layout,
    ticket: Option<(i64, String)>,
    values: Vec<(String, String)>,
    channels: Vec<Choice>,
    categories: Vec<Choice>,
    severities: Vec<Choice>,
    error: Option<String>,
}

impl NewPage {
    fn v(&self, key: &str) -> &str {
        field(&self.values, key)
    }
}

#[derive(serde::Deserialize)]
pub struct NewQuery {
    pub ticket: Option<i64>,
}

async fn new_page(
    state: &AppState,
    identity: &Identity,
    ticket: Option<i64>,
    values: Vec<(String, String)>,
    error: Option<String>,
) -> Result<NewPage, WebError> {
    let t = identity.tr();
    let mut values = values;
    let ticket = match ticket {
        Some(id) => {
            let d = state.app.ticket_detail(&identity.actor(), id).await?;
            if values.is_empty() {
                let body = d
                    .messages
                    .first()
                    .map(|m| m.body.clone())
                    .unwrap_or_default();
                values = vec![
                    (
                        "complainant".into(),
                        d.ticket.contact_name.clone().unwrap_or_default(),
                    ),
                    (
                        "complainant_phone".into(),
                        d.ticket.contact_phone.clone().unwrap_or_default(),
                    ),
                    ("channel".into(), d.ticket.channel.key().to_owned()),
                    ("content".into(), body),
                    (
                        "customer_id".into(),
                        d.ticket
                            .customer_id
                            .map(|c| c.to_string())
                            .unwrap_or_default(),
                    ),
                    (
                        "customer_label".into(),
                        d.ticket
                            .customer_id
                            .and(d.ticket.customer_name.clone())
                            .unwrap_or_default(),
                    ),
                ];
            }
            Some((id, d.ticket.number.clone()))
        }
        None => None,
    };
    let get = |k: &str| field(&values, k).to_owned();
    Ok(NewPage {
        // Most complaints arrive by phone.
        channels: choices(
            t,
            "channel",
            Channel::ALL,
            |c| c.key(),
            Some(get("channel").parse().unwrap_or(Channel::Phone)),
        ),
        categories: choices(
            t,
            "complaint_category",
            Category::ALL,
            |c| c.key(),
            get("category").parse().ok(),
        ),
        severities: choices(
            t,
            "complaint_severity",
            Severity::ALL,
            |c| c.key(),
            Some(get("severity").parse().unwrap_or(Severity::Major)),
        ),
        t,
        layout: Layout::new(identity, "/complaints"),
        ticket,
        values,
        error,
    })
}

pub async fn new_form(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<NewQuery>,
) -> Result<Response, WebError> {
    super::super::ok(&new_page(&state, &identity, q.ticket, Vec::new(), None).await?)
}

pub async fn create(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let get = |k: &str| field(&pairs, k).trim().to_owned();
    let ticket: Option<i64> = get("ticket").parse().ok();
    let refuse = |message: String| async {
        let page = new_page(&state, &identity, ticket, pairs.clone(), Some(message)).await?;
        render(axum::http::StatusCode::UNPROCESSABLE_ENTITY, &page)
    };
    let quantity = match get("quantity").as_str() {
        "" => None,
        q => match q.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => return refuse(t.t("error.bad_quantity").to_owned()).await,
        },
    };
    let delivery_date = match get("delivery_date").as_str() {
        "" => None,
        d => match kefu_domain::dates::parse("delivery_date", d) {
            Ok(d) => Some(d),
            Err(kefu_domain::dates::DateError::NotADate { .. }) => {
                return refuse(t.t("error.bad_date").to_owned()).await;
            }
            Err(e) => return refuse(super::super::refusal(e.into(), t).1).await,
        },
    };
    // Empty keeps the form's default; an unknown key is refused with the keys allowed.
    let keys = (|| {
        Ok::<_, WebError>((
            super::super::form_key(&pairs, "channel")?.unwrap_or(Channel::Phone),
            super::super::form_key(&pairs, "category")?.unwrap_or(Category::Other),
            super::super::form_key(&pairs, "severity")?.unwrap_or(Severity::Major),
        ))
    })();
    let (channel, category, severity) = match keys {
        Ok(keys) => keys,
        Err(e) => return refuse(super::super::input_refusal(e, t).1).await,
    };
    let form = ComplaintForm {
        customer_id: get("customer_id").parse().ok(),
        complainant: get("complainant"),
        complainant_phone: Some(get("complainant_phone")),
        channel,
        content: field(&pairs, "content").to_owned(),
        received_at: None,
        order_number: get("order_number"),
        part_number: get("part_number"),
        quantity,
        delivery_date,
        product: get("product"),
        category,
        severity,
    };
    match state
        .app
        .open_complaint(&identity.actor(), ticket, &form)
        .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/complaints/{id}")).into_response()),
        Err(kefu_app::AppError::AlreadyComplaint { id }) => {
            Ok(Redirect::to(&format!("/complaints/{id}")).into_response())
        }
        Err(e) => {
            let (status, message) = super::super::refusal(e, t);
            render(
                status,
                &new_page(&state, &identity, ticket, pairs.clone(), Some(message)).await?,
            )
        }
    }
}

/// A `datetime-local` value read as Beijing time.
fn local_instant(s: &str) -> Option<Timestamp> {
    let dt: jiff::civil::DateTime = s.trim().parse().ok()?;
    dt.to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").ok()?)
        .ok()
        .map(|z| z.timestamp())
}

fn bad(field: &str) -> kefu_app::AppError {
    kefu_app::AppError::Complaint(kefu_domain::complaint::ComplaintError::Required(
        match field {
            "promised_answer_at" => "promised_answer_at",
            "department" => "department",
            "cost" => "cost",
            _ => "amount",
        },
    ))
}

pub async fn complete_intake(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let r = state
        .app
        .complete_intake(
            &identity.actor(),
            id,
            field(&pairs, "comment"),
            field(&pairs, "follow_up_agent").parse().ok(),
            form_version(&pairs),
        )
        .await;
    stepped(&state, &identity, id, Kept::new("intake", None, &pairs), r).await
}

pub async fn judge(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let get = |k: &str| field(&pairs, k).to_owned();
    let j = if get("valid") == "1" {
        let Some(at) = local_instant(&get("promised_answer_at")) else {
            return after(&state, &identity, id, Err(bad("promised_answer_at"))).await;
        };
        let Ok(department_id) = get("department").parse() else {
            return after(&state, &identity, id, Err(bad("department"))).await;
        };
        let message = get("customer_message");
        Judgement::Valid {
            department_id,
            promised_answer_at: at,
            customer_message: if message.trim().is_empty() {
                default_answer_message(at)
            } else {
                message
            },
            comment: get("comment"),
            follow_up_agent_id: get("follow_up_agent").parse().ok(),
        }
    } else {
        Judgement::Invalid {
            reason: get("reason"),
            reply: get("reply"),
            script_id: get("script").parse().ok(),
        }
    };
    let form = if matches!(j, Judgement::Valid { .. }) {
        "valid"
    } else {
        "invalid"
    };
    let r = state
        .app
        .judge_complaint(&identity.actor(), id, &j, form_version(&pairs))
        .await;
    stepped(&state, &identity, id, Kept::new(form, None, &pairs), r).await
}
