//! The visit page: the customer and contact (numbers masked), the script, the dial button
//! that stays off in the contact's rest hours, the result form, rescheduling and the
//! attempts so far.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::SignedDuration;
use kefu_app::follow_up::{AttemptForm, VisitView};
use kefu_domain::customer::ContactChannel;
use kefu_domain::follow_up::visit::{Aspect, Reach, Satisfaction, VisitError};
use kefu_domain::input::Keyed;

use super::super::tickets::field;
use super::super::{form_key, input_refusal, refusal, render};
use super::{input_value, local_input};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

/// A choice on the form: (key, label, chosen).
type Choice = (String, String, bool);

struct AttemptLine {
    reach: String,
    channel: String,
    when: String,
    by: String,
    satisfaction: String,
    aspects: String,
    words: String,
    next_action: String,
    callback: String,
}

#[derive(Template)]
#[template(path = "follow_up_show.html")]
struct VisitPage {
    t: Tr,
    layout: Layout,
    v: VisitView,
    planned: bool,
    reason: String,
    channel: String,
    status: String,
    window: String,
    slot: String,
    callback: String,
    /// When the agent's card was last texted.
    card_sent: String,
    /// Why the dial button is off, and when it comes on.
    dial_off: String,
    done_at: String,
    satisfaction: String,
    reaches: Vec<Choice>,
    channels: Vec<Choice>,
    satisfactions: Vec<Choice>,
    aspects: Vec<Choice>,
    started_at: String,
    ended_at: String,
    callback_at: String,
    call_id: String,
    words: String,
    next_action: String,
    scheduled_at: String,
    history: Vec<AttemptLine>,
    error: Option<String>,
}

/// Every key of `T` as a choice, labelled through `prefix`, chosen when in `chosen`.
fn choices<T: Keyed>(t: Tr, prefix: &str, chosen: &[String]) -> Vec<Choice> {
    T::keys()
        .into_iter()
        .map(|key| {
            let on = chosen.iter().any(|c| c == key);
            (key.to_owned(), t.tk(prefix, key), on)
        })
        .collect()
}

async fn page(
    state: &AppState,
    identity: &Identity,
    id: i64,
    typed: Option<&[(String, String)]>,
    error: Option<String>,
) -> Result<VisitPage, WebError> {
    let t = identity.tr();
    let v = state.app.follow_up_visit(&identity.actor(), id).await?;
    let now = state.app.now();
    let typed_or = |name: &str, default: String| match typed {
        Some(p) => field(p, name).to_owned(),
        None => default,
    };
    let chosen = |name: &str, default: &str| -> Vec<String> {
        match typed {
            Some(p) => p
                .iter()
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .collect(),
            None => vec![default.to_owned()],
        }
    };
    let reach = chosen("reach", Reach::Reached.key());
    let channel = chosen("channel", &v.visit.channel);
    let satisfaction = chosen("satisfaction", "");
    let aspects = chosen("aspects", "");
    let history = v
        .attempts
        .iter()
        .map(|a| AttemptLine {
            reach: t.tk("follow_up.reach", &a.reach),
            channel: t.tk("contact_channel", &a.channel),
            when: format!("{} – {}", local_time(a.started_at), local_time(a.ended_at)),
            by: a.by_name.clone().unwrap_or_default(),
            satisfaction: a
                .satisfaction
                .as_deref()
                .map(|s| t.tk("follow_up_result", s))
                .unwrap_or_default(),
            aspects: a
                .aspects
                .iter()
                .map(|x| t.tk("follow_up.aspect", x))
                .collect::<Vec<_>>()
                .join("、"),
            words: a.words.clone(),
            next_action: a.next_action.clone(),
            callback: a.callback_at.map(local_time).unwrap_or_default(),
        })
        .collect();
    Ok(VisitPage {
        // Only whoever may work the visit gets its forms; quality reads it.
        planned: v.visit.status == "planned" && v.may_work,
        card_sent: v.visit.card_sent_at.map(local_time).unwrap_or_default(),
        reason: t.tk("follow_up.reason", &v.visit.reason),
        channel: t.tk("contact_channel", &v.visit.channel),
        status: t.tk("follow_up.status", &v.visit.status),
        window: format!(
            "{} – {}",
            local_time(v.visit.due_at),
            local_time(v.visit.window_end)
        ),
        slot: v.visit.slot_at.map(local_time).unwrap_or_default(),
        callback: v.visit.callback_at.map(local_time).unwrap_or_default(),
        dial_off: match v.dial.next {
            Some(next) => t.f("follow_up.dial_off", &[("next", &local_time(next))]),
            None => t.t("follow_up.dial_off_none").to_owned(),
        },
        done_at: v.visit.done_at.map(local_time).unwrap_or_default(),
        satisfaction: v
            .visit
            .satisfaction
            .as_deref()
            .map(|s| t.tk("follow_up_result", s))
            .unwrap_or_default(),
        reaches: choices::<Reach>(t, "follow_up.reach", &reach),
        channels: choices::<ContactChannel>(t, "contact_channel", &channel),
        satisfactions: choices::<Satisfaction>(t, "follow_up_result", &satisfaction),
        aspects: choices::<Aspect>(t, "follow_up.aspect", &aspects),
        started_at: typed_or(
            "started_at",
            input_value(now - SignedDuration::from_mins(5)),
        ),
        ended_at: typed_or("ended_at", input_value(now)),
        callback_at: typed_or("callback_at", String::new()),
        call_id: typed_or("call_id", String::new()),
        words: typed_or("words", String::new()),
        next_action: typed_or("next_action", String::new()),
        scheduled_at: typed_or(
            "scheduled_at",
            v.visit
                .callback_at
                .or(v.visit.slot_at)
                .map(input_value)
                .unwrap_or_default(),
        ),
        history,
        error,
        t,
        layout: Layout::new(identity, "/follow-ups"),
        v,
    })
}

/// `/follow-ups/{id}`
pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    super::super::ok(&page(&state, &identity, id, None, None).await?)
}

/// The form's version, when it sent one.
fn version(pairs: &[(String, String)]) -> Option<i64> {
    field(pairs, "version").parse().ok()
}

/// Re-renders the visit page with what was typed and why it was refused.
async fn refused(
    state: &AppState,
    identity: &Identity,
    id: i64,
    pairs: &[(String, String)],
    (status, message): (StatusCode, String),
) -> Result<Response, WebError> {
    render(
        status,
        &page(state, identity, id, Some(pairs), Some(message)).await?,
    )
}

fn attempt_form(pairs: &[(String, String)]) -> Result<AttemptForm, WebError> {
    let required = |f: &'static str| {
        WebError::from(kefu_app::AppError::Visit(VisitError::Required { field: f }))
    };
    let reach = form_key::<Reach>(pairs, "reach")?.ok_or_else(|| required("reach"))?;
    let channel = form_key::<ContactChannel>(pairs, "channel")?.unwrap_or(ContactChannel::Phone);
    let aspects = pairs
        .iter()
        .filter(|(k, _)| k == "aspects")
        .map(|(_, v)| crate::input::parse_key::<Aspect>("aspects", v))
        .collect::<Result<Vec<_>, _>>()?;
    let call_id = match field(pairs, "call_id").trim() {
        "" => None,
        v => Some(
            v.parse()
                .map_err(|_| WebError::bad_request("invalid_field", format!("call_id: {v:?}")))?,
        ),
    };
    Ok(AttemptForm {
        reach,
        channel,
        started_at: local_input("started_at", field(pairs, "started_at"))?
            .ok_or_else(|| required("started_at"))?,
        ended_at: local_input("ended_at", field(pairs, "ended_at"))?
            .ok_or_else(|| required("ended_at"))?,
        call_id,
        callback_at: local_input("callback_at", field(pairs, "callback_at"))?,
        satisfaction: form_key::<Satisfaction>(pairs, "satisfaction")?,
        aspects,
        words: field(pairs, "words").to_owned(),
        next_action: field(pairs, "next_action").to_owned(),
    })
}

/// `POST /follow-ups/{id}/attempts`: records one attempt; a refused one re-renders the
/// form as typed with the reason.
pub async fn attempt(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let form = match attempt_form(&pairs) {
        Ok(f) => f,
        Err(e) => return refused(&state, &identity, id, &pairs, input_refusal(e, t)).await,
    };
    match state
        .app
        .record_follow_up_attempt(&identity.actor(), id, &form, version(&pairs))
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/follow-ups/{id}")).into_response()),
        Err(kefu_app::AppError::NotFound) => Err(WebError::NotFound),
        Err(kefu_app::AppError::Forbidden) => Err(WebError::Forbidden),
        Err(e) => refused(&state, &identity, id, &pairs, refusal(e, t)).await,
    }
}

/// `POST /follow-ups/{id}/schedule`: moves the visit; a moment the calling rules do not
/// allow is refused with the next one that is.
pub async fn reschedule(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let at = match local_input("scheduled_at", field(&pairs, "scheduled_at")) {
        Ok(Some(at)) => at,
        Ok(None) => {
            let e = kefu_app::AppError::Visit(VisitError::Required {
                field: "scheduled_at",
            });
            return refused(&state, &identity, id, &pairs, refusal(e, t)).await;
        }
        Err(e) => return refused(&state, &identity, id, &pairs, input_refusal(e, t)).await,
    };
    match state
        .app
        .reschedule_follow_up(&identity.actor(), id, at, version(&pairs))
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/follow-ups/{id}")).into_response()),
        Err(kefu_app::AppError::NotFound) => Err(WebError::NotFound),
        Err(kefu_app::AppError::Forbidden) => Err(WebError::Forbidden),
        Err(e) => refused(&state, &identity, id, &pairs, refusal(e, t)).await,
    }
}

/// `POST /follow-ups/{id}/dial`: the dial button. Inside the calling window (or at the
/// call-back time asked for) it opens the phone on the contact's number (`tel:`; the
/// reveal is audited); otherwise the page says when a call may be made.
pub async fn dial(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    match state.app.dial_follow_up(&identity.actor(), id).await {
        Ok(number) => {
            Ok((StatusCode::SEE_OTHER, [(LOCATION, format!("tel:{number}"))]).into_response())
        }
        Err(kefu_app::AppError::NotFound) => Err(WebError::NotFound),
        Err(kefu_app::AppError::Forbidden) => Err(WebError::Forbidden),
        Err(e) => refused(&state, &identity, id, &[], refusal(e, t)).await,
    }
}

/// `POST /follow-ups/{id}/card`: sends the agent's card (名片短信) to the contact's mobile;
/// the page then says when it went. Refused (no mobile, opted out, the contact resting, no
/// SMS channel) on the page, saying why.
pub async fn card(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    match state.app.send_follow_up_card(&identity.actor(), id).await {
        Ok(_) => Ok((
            StatusCode::SEE_OTHER,
            [(LOCATION, format!("/follow-ups/{id}"))],
        )
            .into_response()),
        Err(kefu_app::AppError::NotFound) => Err(WebError::NotFound),
        Err(kefu_app::AppError::Forbidden) => Err(WebError::Forbidden),
        Err(e) => refused(&state, &identity, id, &[], refusal(e, t)).await,
    }
}
