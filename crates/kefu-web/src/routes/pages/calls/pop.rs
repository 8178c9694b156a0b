//! 弹屏 — the banner a ringing call shows on its agent's pages (`static/kefu-phone.js`
//! fetches it when `/events/phone` names the call): the number masked, and the caller's
//! customer — their card when exactly one customer has the number, a choice when several
//! do, 新客户 when none — with 记录通话, which opens the call's page. An HTML fragment, no
//! layout around it.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use kefu_app::customer::card::tickets_link;

use super::CallRow;
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::routes::pages::ok;

/// A customer the pop names.
pub struct PopCustomer {
    pub id: i64,
    pub name: String,
    pub tier: String,
    pub tier_key: String,
    /// Their open tickets and the queue that lists them, for a reader who works tickets.
    pub open_tickets: Option<(i64, String)>,
    /// The primary contact's name.
    pub contact: String,
}

#[derive(Template)]
#[template(path = "call_pop.html")]
struct PopFragment {
    t: Tr,
    row: CallRow,
    /// `one`, `several` or `none`.
    kind: &'static str,
    customers: Vec<PopCustomer>,
    more: bool,
}

pub async fn pop(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let p = state.app.call_pop(&identity.actor(), id).await?;
    let customers: Vec<PopCustomer> = p
        .customers
        .into_iter()
        .map(|c| PopCustomer {
            id: c.id,
            tier: t.tk("tier", &c.tier),
            tier_key: c.tier.clone(),
            open_tickets: c.open_tickets.map(|n| (n, tickets_link(c.id))),
            contact: c
                .contacts
                .first()
                .map(|x| x.name.clone())
                .unwrap_or_default(),
            name: c.name,
        })
        .collect();
    let kind = match customers.len() {
        0 => "none",
        1 => "one",
        _ => "several",
    };
    ok(&PopFragment {
        row: CallRow::new(t, &p.call),
        kind,
        customers,
        more: p.more,
        t,
    })
}
