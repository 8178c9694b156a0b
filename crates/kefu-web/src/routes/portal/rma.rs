//! 申请售后 — the customer asks a return, exchange, refund or repair on their ticket, for a
//! line of theirs that has shipped, with photos of the fault. A refusal shows the ticket
//! again with what was typed kept (the photos are chosen again).

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::aftersales::PortalRmaRequest;
use kefu_domain::aftersales::policy::RmaKind;

use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::input::parse_key;
use crate::routes::pages::catalogue::not_a_number;
use crate::routes::pages::tickets::field;
use crate::routes::pages::{input_refusal, render};
use crate::upload::FormWithFiles;

/// What the RMA form holds.
#[derive(Debug, Clone, Default)]
pub struct RmaForm {
    pub line: String,
    pub kind: String,
    pub quantity: String,
    pub serial: String,
    pub description: String,
}

impl RmaForm {
    fn of(pairs: &[(String, String)]) -> RmaForm {
        let g = |k: &str| field(pairs, k).to_owned();
        RmaForm {
            line: g("line"),
            kind: g("kind"),
            quantity: g("quantity"),
            serial: g("serial"),
            description: g("description"),
        }
    }

    fn request(&self) -> Result<PortalRmaRequest, WebError> {
        Ok(PortalRmaRequest {
            line_id: self.line.trim().parse().map_err(|_| {
                WebError::from(kefu_app::AppError::from(
                    kefu_domain::aftersales::rma::RmaError::UnknownLine,
                ))
            })?,
            kind: parse_key::<RmaKind>("kind", &self.kind)?,
            quantity: self
                .quantity
                .trim()
                .parse()
                .map_err(|_| not_a_number("quantity"))?,
            serial: self.serial.clone(),
            description: self.description.clone(),
        })
    }
}

/// `POST /portal/tickets/{id}/rmas`
pub async fn request(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    form: FormWithFiles,
) -> Result<Response, WebError> {
    let f = RmaForm::of(&form.pairs);
    let done = match f.request() {
        Ok(req) => state
            .app
            .portal_request_rma(&identity.customer_actor()?, id, &req, &form.files)
            .await
            .map_err(WebError::from),
        Err(e) => Err(e),
    };
    match done {
        Ok(_) => Ok(Redirect::to(&format!("/portal/tickets/{id}#rmas")).into_response()),
        Err(e) => {
            let (status, message) = input_refusal(e, identity.tr());
            render(
                status,
                &super::ticket_page_with(&state, &identity, id, String::new(), f, Some(message))
                    .await?,
            )
        }
    }
}
