//! 售后纠纷 — the disputes (open, ruled, and the search that finds earlier rulings as
//! precedent), the form that registers one (from an RMA or for a customer picked), and a
//! dispute's page: both positions, the evidence, and the ruling citing a policy clause.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_domain::aftersales::dispute::{DisputeCase, DisputeStatus, Ruling};
use kefu_domain::aftersales::policy::ClauseKey;
use kefu_store::aftersales::dispute::DisputeRow;

use super::tickets::field;
use super::{form_key, input_refusal, ok, render};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

/// Disputes a page of the list shows.
const PAGE: i64 = 50;

pub struct DisputeLine {
    pub id: i64,
    pub subject: String,
    pub customer: String,
    pub status: &'static str,
    pub status_text: String,
    pub ruling: String,
    pub created: String,
}

fn line(t: Tr, d: &DisputeRow) -> DisputeLine {
    DisputeLine {
        id: d.id,
        subject: d.case.subject.clone(),
        customer: d.customer.clone(),
        status: d.status.key(),
        status_text: t
            .t(&format!("dispute.status.{}", d.status.key()))
            .to_owned(),
        ruling: d
            .ruling
            .as_ref()
            .map(|r| r.text.chars().take(80).collect())
            .unwrap_or_default(),
        created: local_time(d.created_at),
    }
}

#[derive(Template)]
#[template(path = "aftersales_disputes.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    status: String,
    q: String,
    lines: Vec<DisputeLine>,
    /// The query string of the next page, when there is one.
    next: Option<String>,
}

/// `/aftersales/disputes?status=open|ruled&q=…&before=ID`
pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let status = form_key::<DisputeStatus>(&q, "status")?;
    let text = field(&q, "q").trim().to_owned();
    let mut rows = state
        .app
        .disputes(
            &identity.actor(),
            status,
            Some(&text),
            field(&q, "before").parse().ok(),
            PAGE + 1,
        )
        .await?;
    let next = (rows.len() as i64 > PAGE).then(|| {
        rows.truncate(PAGE as usize);
        format!(
            "status={}&q={}&before={}",
            status.map_or("", |s| s.key()),
            crate::auth::urlencode(&text),
            rows.last().map_or(0, |d| d.id)
        )
    });
    ok(&ListPage {
        t,
        layout: Layout::new(&identity, "/aftersales/rmas"),
        status: status.map(|s| s.key().to_owned()).unwrap_or_default(),
        q: text,
        lines: rows.iter().map(|d| line(t, d)).collect(),
        next,
    })
}

/// The registration form as typed or prefilled.
#[derive(Default)]
pub struct CaseFields {
    pub customer_id: String,
    pub customer_label: String,
    pub rma_id: String,
    pub rma_number: String,
    pub subject: String,
    pub customer_position: String,
    pub company_position: String,
    pub evidence: String,
}

#[derive(Template)]
#[template(path = "aftersales_dispute_new.html")]
struct NewPage {
    t: Tr,
    layout: Layout,
    f: CaseFields,
    error: Option<String>,
}

/// `/aftersales/disputes/new?rma=ID`: the form, with the RMA's customer filled in.
pub async fn new_form(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let mut f = CaseFields::default();
    if let Ok(id) = field(&q, "rma").parse::<i64>() {
        let d = state.app.rma(&identity.actor(), id).await?;
        f.rma_id = id.to_string();
        f.rma_number = d.rma.rma.number.clone();
        f.customer_id = d.rma.rma.customer_id.to_string();
        f.customer_label = d.rma.customer.clone();
        f.subject = format!("{} {}", d.rma.rma.number, d.rma.product);
    }
    ok(&NewPage {
        t: identity.tr(),
        layout: Layout::new(&identity, "/aftersales/rmas"),
        f,
        error: None,
    })
}

/// `POST /aftersales/disputes`
pub async fn create(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let g = |k: &str| field(&pairs, k).to_owned();
    let f = CaseFields {
        customer_id: g("customer_id"),
        customer_label: g("customer_label"),
        rma_id: g("rma_id"),
        rma_number: g("rma_number"),
        subject: g("subject"),
        customer_position: g("customer_position"),
        company_position: g("company_position"),
        evidence: g("evidence"),
    };
    let done = match f.customer_id.trim().parse::<i64>() {
        Ok(customer) => state
            .app
            .open_dispute(
                &identity.actor(),
                customer,
                f.rma_id.trim().parse().ok(),
                DisputeCase {
                    subject: f.subject.clone(),
                    customer_position: f.customer_position.clone(),
                    company_position: f.company_position.clone(),
                    evidence: f.evidence.clone(),
                },
            )
            .await
            .map_err(WebError::from),
        Err(_) => Err(kefu_app::AppError::UnknownArchiveCustomer.into()),
    };
    match done {
        Ok(id) => Ok(Redirect::to(&format!("/aftersales/disputes/{id}")).into_response()),
        Err(e) => {
            let (status, message) = input_refusal(e, identity.tr());
            render(
                status,
                &NewPage {
                    t: identity.tr(),
                    layout: Layout::new(&identity, "/aftersales/rmas"),
                    f,
                    error: Some(message),
                },
            )
        }
    }
}

#[derive(Template)]
#[template(path = "aftersales_dispute.html")]
struct ShowPage {
    t: Tr,
    layout: Layout,
    d: DisputeLine,
    case: DisputeCase,
    rma: Option<(i64, String)>,
    version: i64,
    /// The ruling, its clause cited, who and when.
    ruling: Option<(String, String, String)>,
    may_rule: bool,
    /// (version id, label) of every policy version, the RMA's chosen first.
    versions: Vec<(i64, String)>,
    clauses: Vec<(&'static str, String)>,
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
    let d = state.app.dispute(&actor, id).await?;
    let ruling = match (&d.dispute.ruling, &d.cited) {
        (Some(r), Some((n, text, version))) => Some((
            r.text.clone(),
            format!(
                "{}（{}）",
                t.f(
                    "policy.clause_cited",
                    &[("n", &n.to_string()), ("text", text)]
                ),
                t.f("dispute.version", &[("n", &version.to_string())])
            ),
            format!(
                "{} · {}",
                d.dispute.ruled_by.clone().unwrap_or_default(),
                d.dispute.ruled_at.map(local_time).unwrap_or_default()
            ),
        )),
        _ => None,
    };
    let mut versions = Vec::new();
    if d.may_rule {
        let rma_policy = match d.dispute.rma_id {
            Some(r) => Some(state.app.rma(&actor, r).await?.rma.rma.policy_id),
            None => None,
        };
        let names = state.app.product_categories(&actor).await?;
        let mut all = state.app.aftersales_policies(&actor).await?;
        all.sort_by_key(|v| (Some(v.id) != rma_policy, v.category_id, -v.number));
        versions = all
            .iter()
            .map(|v| {
                let scope = match v.category_id {
                    None => t.t("policy.company_wide").to_owned(),
                    Some(c) => names
                        .iter()
                        .find(|n| n.id == c)
                        .map_or_else(|| c.to_string(), |n| n.name.clone()),
                };
                (
                    v.id,
                    format!(
                        "{} · {}",
                        t.f(
                            "policy.version_of",
                            &[("scope", &scope), ("n", &v.number.to_string())]
                        ),
                        v.valid_from
                    ),
                )
            })
            .collect();
    }
    Ok(ShowPage {
        t,
        layout: Layout::new(identity, "/aftersales/rmas"),
        d: line(t, &d.dispute),
        case: d.dispute.case.clone(),
        rma: d.dispute.rma_id.zip(d.dispute.rma_number.clone()),
        version: d.dispute.version,
        ruling,
        may_rule: d.may_rule,
        versions,
        clauses: ClauseKey::ALL
            .iter()
            .map(|k| {
                (
                    k.key(),
                    format!(
                        "{} {}",
                        t.f(
                            "policy.clause_n",
                            &[(
                                "n",
                                &kefu_domain::aftersales::policy::clause_number(*k).to_string()
                            )]
                        ),
                        t.t(&format!("policy.clause.{}", k.key()))
                    ),
                )
            })
            .collect(),
        error,
    })
}

/// `/aftersales/disputes/{id}`
pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    ok(&show_page(&state, &identity, id, None).await?)
}

/// `POST /aftersales/disputes/{id}/ruling`
pub async fn rule(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let done = match form_key::<ClauseKey>(&pairs, "clause") {
        Ok(clause) => state
            .app
            .rule_dispute(
                &identity.actor(),
                id,
                field(&pairs, "version").parse().ok(),
                Ruling {
                    text: field(&pairs, "ruling").to_owned(),
                    policy_id: field(&pairs, "policy_id").parse().unwrap_or(0),
                    clause: clause.unwrap_or(ClauseKey::ApprovalLimits),
                },
            )
            .await
            .map_err(WebError::from),
        Err(e) => Err(e),
    };
    match done {
        Ok(()) => Ok(Redirect::to(&format!("/aftersales/disputes/{id}")).into_response()),
        Err(e) => {
            let (status, message): (StatusCode, String) = input_refusal(e, identity.tr());
            render(
                status,
                &show_page(&state, &identity, id, Some(message)).await?,
            )
        }
    }
}
