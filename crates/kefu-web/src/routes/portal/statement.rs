//! `/z/{link}` — the customer reads a month's statement from the link in the message, with
//! no sign-in, on a phone or at a desk, and confirms it or disputes lines with the reason.
//! Plain HTML forms, no script.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use kefu_domain::receivable::statement::StatementState;

use super::PortalLayout;
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::routes::pages::render;
use crate::routes::pages::statements::disputes_of;
use crate::statement_shared::{StatementView, view};

#[derive(Template)]
#[template(path = "portal_statement.html")]
struct StatementPage {
    t: Tr,
    layout: PortalLayout,
    link: String,
    s: Option<StatementView>,
    open: bool,
    answered: bool,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    identity: &Identity,
    link: &str,
    answered: bool,
    error: Option<(StatusCode, String)>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let mut p = StatementPage {
        t,
        layout: PortalLayout::new(identity),
        link: link.to_owned(),
        s: None,
        open: false,
        answered,
        error: None,
    };
    let mut status = StatusCode::OK;
    match state.app.public_statement(link).await {
        Ok(d) => {
            p.open = d.statement.state == StatementState::Sent;
            p.s = Some(view(t, &d));
        }
        Err(e) => {
            let info = WebError::from(e).into_info();
            status = info.status;
            p.error = Some(info.message(t));
        }
    }
    if let Some((s, m)) = error {
        status = s;
        p.error = Some(m);
    }
    render(status, &p)
}

/// `GET /z/{link}`
pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Path(link): Path<String>,
) -> Result<Response, WebError> {
    page(&state, &identity, &link, false, None).await
}

/// `POST /z/{link}`: every line confirmed, or the lines ticked (`dispute`) disputed with
/// their reasons (`note_{n}`).
pub async fn answer(
    State(state): State<AppState>,
    identity: Identity,
    Path(link): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let outcome = match disputes_of(&pairs) {
        Ok(d) => state
            .app
            .answer_statement_by_link(&link, &d)
            .await
            .map_err(WebError::from),
        Err(e) => Err(e),
    };
    match outcome {
        Ok(_) => page(&state, &identity, &link, true, None).await,
        Err(e) => {
            let info = e.into_info();
            let m = info.message(identity.tr());
            page(&state, &identity, &link, false, Some((info.status, m))).await
        }
    }
}
