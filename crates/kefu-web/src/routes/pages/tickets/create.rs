//! Staff open a ticket on a customer's behalf (a call, a visit, a letter): the same intake
//! path every channel uses.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::AppError;
use kefu_app::ticket::Intake;
use kefu_domain::ticket::{Channel, Priority, TicketType};

use super::{Choice, custom_fields, field, non_empty, priority_choices, type_choices};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::routes::pages::{form_key, input_refusal, render};
use crate::view::Layout;

pub struct FieldInput {
    pub key: String,
    pub label: String,
    pub kind: &'static str,
    pub value: String,
    pub options: Vec<String>,
}

#[derive(Template)]
#[template(path = "ticket_new.html")]
struct NewTicketPage {
    t: Tr,
    layout: Layout,
    types: Vec<Choice>,
    priorities: Vec<Choice>,
    channels: Vec<Choice>,
    tiers: Vec<Choice>,
    fields: Vec<FieldInput>,
    values: Vec<(String, String)>,
    error: Option<String>,
}

impl NewTicketPage {
    fn v(&self, key: &str) -> &str {
        field(&self.values, key)
    }
}

/// Channels a person records by hand.
const STAFF_CHANNELS: [Channel; 5] = [
    Channel::Phone,
    Channel::Staff,
    Channel::Email,
    Channel::Wechat,
    Channel::Sms,
];

async fn page(
    state: &AppState,
    identity: &Identity,
    values: Vec<(String, String)>,
    error: Option<String>,
) -> Result<NewTicketPage, WebError> {
    let t = identity.tr();
    let defs = state.app.ticket_fields(&identity.actor()).await?;
    let ty = field(&values, "type").parse::<TicketType>().ok();
    let pr = field(&values, "priority")
        .parse::<Priority>()
        .unwrap_or(Priority::Normal);
    let ch = field(&values, "channel").to_owned();
    // A fresh token per form: submitting the same form twice makes one ticket.
    let mut values = values;
    if field(&values, "form_token").is_empty() {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|e| WebError::Internal(e.to_string()))?;
        values.retain(|(k, _)| k != "form_token");
        values.push(("form_token".into(), hex::encode(bytes)));
    }
    let fields = defs
        .into_iter()
        .filter(|f| f.active)
        .map(|f| FieldInput {
            value: field(&values, &format!("cf_{}", f.key)).to_owned(),
            kind: f.kind.key(),
            key: f.key,
            label: f.label,
            options: f.options,
        })
        .collect();
    Ok(NewTicketPage {
        t,
        layout: Layout::new(identity, "/tickets"),
        types: type_choices(t, ty.or(Some(TicketType::Inquiry))),
        priorities: priority_choices(t, Some(pr)),
        channels: STAFF_CHANNELS
            .iter()
            .map(|c| Choice {
                value: c.key().into(),
                label: t.tk("channel", c.key()),
                selected: c.key() == ch,
            })
            .collect(),
        tiers: super::tier_choices(t, non_empty(field(&values, "customer_tier"))),
        fields,
        values,
        error,
    })
}

pub async fn form(State(state): State<AppState>, identity: Identity) -> Result<Response, WebError> {
    crate::routes::pages::ok(&page(&state, &identity, Vec::new(), None).await?)
}

pub async fn create(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    // Empty keeps the form's default; an unknown key is refused on the form.
    let keys = (|| {
        Ok::<_, WebError>((
            form_key(&pairs, "channel")?.unwrap_or(Channel::Staff),
            form_key(&pairs, "type")?.unwrap_or(TicketType::Inquiry),
            form_key(&pairs, "priority")?.unwrap_or(Priority::Normal),
        ))
    })();
    let (channel, ticket_type, priority) = match keys {
        Ok(keys) => keys,
        Err(e) => {
            let (status, message) = input_refusal(e, identity.tr());
            return render(
                status,
                &page(&state, &identity, pairs, Some(message)).await?,
            );
        }
    };
    // The archive's customer picked on the form (its id); anything else is refused like an
    // unknown customer, the form kept.
    let customer_id = match non_empty(field(&pairs, "customer")).map(str::parse::<i64>) {
        None => None,
        Some(Ok(id)) => Some(id),
        Some(Err(_)) => {
            let message = WebError::from(AppError::UnknownArchiveCustomer)
                .into_info()
                .message(identity.tr());
            return render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page(&state, &identity, pairs, Some(message)).await?,
            );
        }
    };
    let get = |k| field(&pairs, k);
    let mut intake = Intake::new(channel, get("subject"), get("body"));
    intake.customer_id = customer_id;
    intake.ticket_type = ticket_type;
    intake.priority = priority;
    intake.customer_name = non_empty(get("customer_name")).map(str::to_owned);
    intake.contact_name = non_empty(get("contact_name")).map(str::to_owned);
    intake.contact_email = non_empty(get("contact_email")).map(str::to_owned);
    intake.contact_phone = non_empty(get("contact_phone")).map(str::to_owned);
    intake.customer_tier = non_empty(get("customer_tier")).map(str::to_owned);
    intake.tags = get("tags").to_owned();
    intake.external_id = non_empty(get("form_token")).map(str::to_owned);
    intake.fields = custom_fields(&pairs);
    if get("assign_me") == "1" {
        intake.assignee_id = Some(identity.user()?.id);
    }
    match state.app.intake(&identity.actor(), &intake).await {
        Ok(out) => Ok(Redirect::to(&format!("/tickets/{}", out.ticket.id)).into_response()),
        Err(e) => {
            let message = WebError::from(e).into_info().message(identity.tr());
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page(&state, &identity, pairs, Some(message)).await?,
            )
        }
    }
}
