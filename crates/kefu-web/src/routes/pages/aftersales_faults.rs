//! 售后质量反馈 — a month's fault figures by product and part (000 §(七)6: 整理和分析产品
//! 售后服务过程中反馈的数据和信息，分别转送企业相关部门): what the RMAs claimed and what their
//! inspections found, the parts replaced, to whom the figures went, and the form that sends
//! them to the departments.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::aftersales::FaultFigures;
use kefu_domain::Permission;
use kefu_store::aftersales::cost::ProductFaults;
use kefu_store::staff::DepartmentRow;

use super::tickets::field;
use super::{input_refusal, ok, render};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

pub struct PartLine {
    pub part: String,
    pub quantity: i64,
    pub cases: i64,
}

pub struct SentLine {
    pub department: String,
    pub note: String,
    pub by: String,
    pub at: String,
}

#[derive(Template)]
#[template(path = "aftersales_faults.html")]
struct FaultsPage {
    t: Tr,
    layout: Layout,
    period: String,
    products: Vec<ProductFaults>,
    parts: Vec<PartLine>,
    sent: Vec<SentLine>,
    departments: Vec<DepartmentRow>,
    may_send: bool,
    notice: Option<String>,
    error: Option<String>,
}

fn page(
    t: Tr,
    identity: &Identity,
    f: FaultFigures,
    departments: Vec<DepartmentRow>,
    notice: Option<String>,
    error: Option<String>,
) -> FaultsPage {
    FaultsPage {
        t,
        layout: Layout::new(identity, "/aftersales/rmas"),
        period: f.period,
        products: f.products,
        parts: f
            .parts
            .into_iter()
            .map(|p| PartLine {
                part: format!("{} {}", p.key, p.label),
                quantity: p.quantity,
                cases: p.cases,
            })
            .collect(),
        sent: f
            .sent
            .into_iter()
            .map(|s| SentLine {
                department: s.department,
                note: s.note,
                by: s.sent_by.unwrap_or_default(),
                at: local_time(s.sent_at),
            })
            .collect(),
        departments,
        may_send: identity
            .actor()
            .require(Permission::AftersalesPolicy)
            .is_ok(),
        notice,
        error,
    }
}

/// `/aftersales/faults?period=` — last month when left out.
pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let period = match field(&q, "period") {
        "" => last_month(&state),
        p => p.to_owned(),
    };
    let notice = match field(&q, "sent") {
        "" => None,
        n => Some(t.f("fault.sent_to", &[("count", n)])),
    };
    let (figures, error) = match state.app.fault_figures(&actor, &period).await {
        Ok(f) => (f, None),
        Err(e) => {
            let (_, message) = input_refusal(e.into(), t);
            (
                state.app.fault_figures(&actor, &last_month(&state)).await?,
                Some(message),
            )
        }
    };
    let departments = state.app.departments().await?;
    ok(&page(t, &identity, figures, departments, notice, error))
}

fn last_month(state: &AppState) -> String {
    let today = kefu_app::workbench::local_date(state.app.now());
    let first = today - jiff::Span::new().days(i64::from(today.day()));
    first.strftime("%Y-%m").to_string()
}

/// `POST /aftersales/faults/{period}/send`: to the departments ticked, with a note.
pub async fn send(
    State(state): State<AppState>,
    identity: Identity,
    Path(period): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let ids: Vec<i64> = pairs
        .iter()
        .filter(|(k, _)| k == "department")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    match state
        .app
        .send_fault_figures(&actor, &period, &ids, field(&pairs, "note"))
        .await
    {
        Ok(n) => Ok(
            Redirect::to(&format!("/aftersales/faults?period={period}&sent={n}")).into_response(),
        ),
        Err(e) => {
            let (status, message) = input_refusal(e.into(), t);
            let figures = match state.app.fault_figures(&actor, &period).await {
                Ok(f) => f,
                Err(_) => state.app.fault_figures(&actor, &last_month(&state)).await?,
            };
            let departments = state.app.departments().await?;
            render(
                status,
                &page(t, &identity, figures, departments, None, Some(message)),
            )
        }
    }
}
