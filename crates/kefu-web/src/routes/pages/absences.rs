//! 休假登记 — the absences not over yet (one's own, or everyone's for a manager), a form
//! to record one and a button to cancel one.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::absence::{AbsenceForm, manages_absences};
use kefu_domain::dates;

use super::tickets::field;
use super::{refusal, render};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::Layout;

struct Line {
    id: i64,
    name: String,
    starts_on: String,
    ends_on: String,
    reason: String,
}

/// What the form holds: as sent when it was refused, else empty.
#[derive(Default)]
struct Entered {
    user_id: i64,
    starts_on: String,
    ends_on: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "absences.html")]
struct AbsencePage {
    t: Tr,
    layout: Layout,
    lines: Vec<Line>,
    /// Everyone's, with a choice of whom the form is for.
    all: bool,
    staff: Vec<(i64, String)>,
    form: Entered,
    notice: Option<String>,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    identity: &Identity,
    form: Entered,
    notice: Option<String>,
    error: Option<String>,
) -> Result<AbsencePage, WebError> {
    let actor = identity.actor();
    let all = manages_absences(&actor);
    let whose = if all { None } else { actor.user_id() };
    let lines = state
        .app
        .absences(&actor, whose)
        .await?
        .into_iter()
        .map(|a| Line {
            id: a.id,
            name: a.user_name,
            starts_on: a.starts_on,
            ends_on: a.ends_on,
            reason: a.reason,
        })
        .collect();
    let staff = state.app.absence_staff(&actor).await?;
    let form = Entered {
        user_id: if form.user_id == 0 {
            actor.user_id().unwrap_or(0)
        } else {
            form.user_id
        },
        ..form
    };
    Ok(AbsencePage {
        t: identity.tr(),
        layout: Layout::new(identity, "/absences"),
        lines,
        all,
        staff,
        form,
        notice,
        error,
    })
}

/// `/absences`; `?handed=N` after recording one that handed N visits over.
pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let notice = match field(&q, "handed") {
        "" => None,
        n => Some(t.f("absence.recorded", &[("n", n)])),
    };
    render(
        StatusCode::OK,
        &page(&state, &identity, Entered::default(), notice, None).await?,
    )
}

/// `POST /absences`: records one; a refusal shows the form again with what was typed.
pub async fn record(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let entered = Entered {
        user_id: field(&pairs, "user_id").trim().parse().unwrap_or(0),
        starts_on: field(&pairs, "starts_on").to_owned(),
        ends_on: field(&pairs, "ends_on").to_owned(),
        reason: field(&pairs, "reason").to_owned(),
    };
    let actor = identity.actor();
    let result = async {
        let form = AbsenceForm {
            user_id: if entered.user_id == 0 {
                actor.user_id().unwrap_or(0)
            } else {
                entered.user_id
            },
            starts_on: dates::parse("starts_on", &entered.starts_on)?,
            ends_on: dates::parse("ends_on", &entered.ends_on)?,
            reason: entered.reason.clone(),
        };
        state.app.record_absence(&actor, &form).await
    }
    .await;
    match result {
        Ok(r) => {
            Ok(Redirect::to(&format!("/absences?handed={}", r.visits_handed_over)).into_response())
        }
        Err(kefu_app::AppError::Forbidden) => Err(WebError::Forbidden),
        Err(kefu_app::AppError::NotFound) => Err(WebError::NotFound),
        Err(e) => {
            let (status, message) = refusal(e, identity.tr());
            render(
                status,
                &page(&state, &identity, entered, None, Some(message)).await?,
            )
        }
    }
}

/// `POST /absences/{id}/cancel`
pub async fn cancel(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    state.app.cancel_absence(&identity.actor(), id).await?;
    Ok(Redirect::to("/absences").into_response())
}
