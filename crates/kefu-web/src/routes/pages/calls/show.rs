//! A call's page: what is known of it, and the form that logs it as a ticket (the
//! customer — one of those with its number, one found in the archive, a new one, or none —
//! a subject and a summary); its number revealed (audited), the call set aside as needing
//! no record, its callback marked made. And the form of a call logged by hand.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::channel::phone::{CallLog, CustomerChoice, ManualCall};
use kefu_domain::Permission;
use kefu_domain::channel::phone::Direction;
use serde::Deserialize;

use super::CallRow;
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::routes::pages::tickets::{Choice, field, non_empty};
use crate::routes::pages::{input_refusal, ok, render};
use crate::view::Layout;

/// A customer of the archive with the call's number, offered on the form.
pub struct Match {
    pub id: i64,
    pub name: String,
    pub tier: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "call_show.html")]
struct CallPage {
    t: Tr,
    layout: Layout,
    row: CallRow,
    channel: String,
    extension: String,
    dismissed: bool,
    can_reveal: bool,
    /// The number just revealed.
    revealed: Option<String>,
    matches: Vec<Match>,
    /// `new` or `none` when that is what the form says (else a match is checked).
    choice: String,
    new_name: String,
    subject: String,
    summary: String,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct CallQuery {
    /// A customer the pop's choice picked.
    customer: Option<i64>,
    /// `1`: the pop's 新客户 — the form opens on a new customer.
    new: Option<String>,
}

/// The form's values as sent, or as the page starts them.
struct Values {
    choice: String,
    new_name: String,
    subject: String,
    summary: String,
}

async fn page(
    state: &AppState,
    identity: &Identity,
    id: i64,
    values: Values,
    error: Option<String>,
) -> Result<CallPage, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let call = state.app.call(&actor, id).await?;
    let can_see_archive = identity
        .user
        .as_ref()
        .is_some_and(|u| u.allows(Permission::CustomerView));
    let mut matches = Vec::new();
    if can_see_archive && call.ticket_id.is_none() {
        for cid in state.app.call_customers(&actor, id).await? {
            if let Ok(card) = state.app.customer_card(&actor, cid).await {
                matches.push(Match {
                    id: card.id,
                    name: card.name,
                    tier: t.tk("tier", &card.tier),
                    checked: false,
                });
            }
        }
    }
    // What the form starts on: the choice sent or picked on the pop, else the one customer
    // with the number, else none.
    let choice = if values.choice.is_empty() {
        match matches.as_slice() {
            [only] => only.id.to_string(),
            _ => "none".to_owned(),
        }
    } else {
        values.choice
    };
    for m in &mut matches {
        m.checked = m.id.to_string() == choice;
    }
    let subject = if values.subject.is_empty() && error.is_none() {
        t.tk("calls.default_subject", &call.direction)
    } else {
        values.subject
    };
    Ok(CallPage {
        layout: Layout::new(identity, "/tickets"),
        channel: call
            .channel_name
            .clone()
            .unwrap_or_else(|| t.t("calls.manual").to_owned()),
        extension: call.extension.clone().unwrap_or_else(|| "—".into()),
        dismissed: call.dismissed_at.is_some(),
        can_reveal: identity
            .user
            .as_ref()
            .is_some_and(|u| u.allows(Permission::CustomerReveal))
            && call.customer_number.is_some(),
        revealed: None,
        row: CallRow::new(t, &call),
        matches,
        choice,
        new_name: values.new_name,
        subject,
        summary: values.summary,
        error,
        t,
    })
}

pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Query(q): Query<CallQuery>,
) -> Result<Response, WebError> {
    let choice = match (q.customer, q.new.as_deref()) {
        (Some(c), _) => c.to_string(),
        (None, Some("1")) => "new".to_owned(),
        _ => String::new(),
    };
    let values = Values {
        choice,
        new_name: String::new(),
        subject: String::new(),
        summary: String::new(),
    };
    ok(&page(&state, &identity, id, values, None).await?)
}

/// The customer the form chose: one picked in the archive (the picker's hidden field),
/// else the choice among those with the number, a new one, or none.
fn customer_choice(pairs: &[(String, String)]) -> Result<CustomerChoice, WebError> {
    let bad = |v: &str| WebError::bad_request("invalid_field", format!("customer: {v:?}"));
    if let Some(picked) = non_empty(field(pairs, "customer")) {
        return picked
            .parse()
            .map(CustomerChoice::Existing)
            .map_err(|_| bad(picked));
    }
    match field(pairs, "match") {
        "" | "none" => Ok(CustomerChoice::None),
        "new" => Ok(CustomerChoice::New {
            name: field(pairs, "new_name").trim().to_owned(),
        }),
        id => id
            .parse()
            .map(CustomerChoice::Existing)
            .map_err(|_| bad(id)),
    }
}

fn sent(pairs: &[(String, String)]) -> Values {
    Values {
        choice: field(pairs, "match").to_owned(),
        new_name: field(pairs, "new_name").to_owned(),
        subject: field(pairs, "subject").to_owned(),
        summary: field(pairs, "summary").to_owned(),
    }
}

fn call_log(pairs: &[(String, String)]) -> Result<CallLog, WebError> {
    Ok(CallLog {
        customer: customer_choice(pairs)?,
        subject: field(pairs, "subject").to_owned(),
        summary: field(pairs, "summary").to_owned(),
    })
}

/// 登记 — makes the call's ticket and opens it.
pub async fn log(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let logged = match call_log(&pairs) {
        Ok(log) => state
            .app
            .log_call(&identity.actor(), id, &log)
            .await
            .map_err(WebError::from),
        Err(e) => Err(e),
    };
    match logged {
        Ok(ticket) => Ok(Redirect::to(&format!("/tickets/{ticket}")).into_response()),
        Err(WebError::App(kefu_app::AppError::NotFound)) => Err(WebError::NotFound),
        Err(e) => {
            let (status, message) = input_refusal(e, t);
            render(
                status,
                &page(&state, &identity, id, sent(&pairs), Some(message)).await?,
            )
        }
    }
}

/// Reveals the call's number on its page; audited.
pub async fn reveal(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let number = state.app.reveal_call_number(&identity.actor(), id).await?;
    let values = Values {
        choice: String::new(),
        new_name: String::new(),
        subject: String::new(),
        summary: String::new(),
    };
    let mut p = page(&state, &identity, id, values, None).await?;
    p.revealed = Some(number);
    ok(&p)
}

/// 无需登记 — the call leaves the agent's calls to log.
pub async fn dismiss(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    state.app.dismiss_call(&identity.actor(), id).await?;
    Ok(Redirect::to("/calls?view=unlogged").into_response())
}

/// 已回拨 — the missed call's callback was made.
pub async fn callback_done(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    state.app.close_call_callback(&identity.actor(), id).await?;
    Ok(Redirect::to("/calls?view=callbacks").into_response())
}

#[derive(Template)]
#[template(path = "call_new.html")]
struct NewCallPage {
    t: Tr,
    layout: Layout,
    directions: Vec<Choice>,
    values: Vec<(String, String)>,
    error: Option<String>,
}

impl NewCallPage {
    fn v(&self, key: &str) -> &str {
        field(&self.values, key)
    }
}

fn new_page(
    identity: &Identity,
    values: Vec<(String, String)>,
    error: Option<String>,
) -> Result<NewCallPage, WebError> {
    let t = identity.tr();
    let mut values = values;
    // A fresh token per form: the form sent twice makes one call and one ticket.
    if field(&values, "token").is_empty() {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|e| WebError::Internal(e.to_string()))?;
        values.retain(|(k, _)| k != "token");
        values.push(("token".into(), hex::encode(bytes)));
    }
    let chosen = field(&values, "direction").to_owned();
    Ok(NewCallPage {
        t,
        layout: Layout::new(identity, "/tickets"),
        directions: Direction::ALL
            .iter()
            .map(|d| Choice {
                value: d.key().into(),
                label: t.tk("calls.direction", d.key()),
                selected: d.key() == chosen,
            })
            .collect(),
        values,
        error,
    })
}

pub async fn new_form(identity: Identity) -> Result<Response, WebError> {
    ok(&new_page(&identity, Vec::new(), None)?)
}

/// A whole number of minutes, empty for none.
fn minutes(pairs: &[(String, String)]) -> Result<Option<i64>, WebError> {
    match non_empty(field(pairs, "duration_min")) {
        None => Ok(None),
        Some(m) => m
            .parse::<i64>()
            .ok()
            .filter(|m| *m >= 0)
            .map(|m| Some(m * 60))
            .ok_or_else(|| WebError::bad_request("invalid_field", format!("duration_min: {m:?}"))),
    }
}

/// 手工登记 — a call logged by hand: the call and its ticket, then the ticket opens.
pub async fn create(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let parsed = (|| {
        let direction = crate::routes::pages::form_key::<Direction>(&pairs, "direction")?
            .unwrap_or(Direction::Inbound);
        let manual = ManualCall {
            token: field(&pairs, "token").to_owned(),
            direction,
            number: field(&pairs, "number").to_owned(),
            duration_secs: minutes(&pairs)?,
        };
        Ok::<_, WebError>((manual, call_log(&pairs)?))
    })();
    let logged = match parsed {
        Ok((manual, log)) => state
            .app
            .log_manual_call(&identity.actor(), &manual, &log)
            .await
            .map_err(WebError::from),
        Err(e) => Err(e),
    };
    match logged {
        Ok((_, ticket)) => Ok(Redirect::to(&format!("/tickets/{ticket}")).into_response()),
        Err(e) => {
            let (status, message) = input_refusal(e, t);
            let status = if status == StatusCode::BAD_REQUEST {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                status
            };
            render(status, &new_page(&identity, pairs, Some(message))?)
        }
    }
}
