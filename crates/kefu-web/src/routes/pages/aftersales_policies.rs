//! 售后服务政策 — the policy's versions (company-wide and per category, which is in force
//! today), one version with its numbered clauses, the form that issues a new version from
//! an earlier one, and the check of a claim by the policy in force (政策判定).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::aftersales::{ClaimQuery, PolicyDraft, PolicyVersion, numbered_clauses};
use kefu_domain::Permission;
use kefu_domain::aftersales::policy::{Clause, ClauseKey, Fault, Policy, RmaKind};
use kefu_domain::money::plain_yuan;

use super::catalogue::not_a_number;
use super::credit::parse_yuan;
use super::tickets::field;
use super::{form_key, input_refusal, ok, render};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time, yuan};

pub struct VersionLine {
    pub id: i64,
    pub scope: String,
    pub number: i64,
    pub valid: String,
    pub note: String,
    pub by: String,
    pub at: String,
    pub in_force: bool,
}

#[derive(Template)]
#[template(path = "aftersales_policies.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    lines: Vec<VersionLine>,
    may_issue: bool,
}

fn valid_text(v: &PolicyVersion) -> String {
    format!(
        "{} – {}",
        v.valid_from,
        v.valid_to.map(|d| d.to_string()).unwrap_or_default()
    )
}

/// Category names by id, for naming each version's scope.
async fn scope_names(
    state: &AppState,
    identity: &Identity,
) -> Result<Vec<(i64, String)>, WebError> {
    Ok(state
        .app
        .product_categories(&identity.actor())
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect())
}

fn scope_text(t: Tr, names: &[(i64, String)], category: Option<i64>) -> String {
    match category {
        None => t.t("policy.company_wide").to_owned(),
        Some(id) => names
            .iter()
            .find(|(i, _)| *i == id)
            .map_or_else(|| id.to_string(), |(_, n)| n.clone()),
    }
}

/// `/aftersales/policies`
pub async fn list(State(state): State<AppState>, identity: Identity) -> Result<Response, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let versions = state.app.aftersales_policies(&actor).await?;
    let names = scope_names(&state, &identity).await?;
    let today = kefu_app::workbench::local_date(state.app.now());
    let lines = versions
        .iter()
        .map(|v| VersionLine {
            id: v.id,
            scope: scope_text(t, &names, v.category_id),
            number: v.number,
            valid: valid_text(v),
            note: v.note.clone(),
            by: v
                .by
                .clone()
                .unwrap_or_else(|| t.t("common.system").to_owned()),
            at: local_time(v.at),
            in_force: v.valid_from <= today && v.valid_to.is_none_or(|to| today <= to),
        })
        .collect();
    ok(&ListPage {
        t,
        layout: Layout::new(&identity, "/aftersales/policies"),
        lines,
        may_issue: actor.require(Permission::AftersalesPolicy).is_ok(),
    })
}

pub struct ClauseLine {
    pub number: usize,
    pub key: &'static str,
    pub title: String,
    pub text: String,
}

fn clause_lines(t: Tr, p: &Policy) -> Vec<ClauseLine> {
    numbered_clauses(p)
        .into_iter()
        .map(|(number, key, text)| ClauseLine {
            number,
            key: key.key(),
            title: t.t(&format!("policy.clause.{}", key.key())).to_owned(),
            text,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "aftersales_policy.html")]
struct ShowPage {
    t: Tr,
    layout: Layout,
    id: i64,
    scope: String,
    number: i64,
    valid: String,
    note: String,
    figures: Vec<(String, String)>,
    clauses: Vec<ClauseLine>,
    may_issue: bool,
    notice: Option<String>,
}

fn figures(t: Tr, p: &Policy) -> Vec<(String, String)> {
    let days = |n: u32| t.f("policy.days", &[("n", &n.to_string())]);
    vec![
        (t.t("policy.return_days").to_owned(), days(p.return_days)),
        (
            t.t("policy.exchange_days").to_owned(),
            days(p.exchange_days),
        ),
        (
            t.t("policy.warranty").to_owned(),
            p.warranty_months.map_or_else(
                || t.t("policy.product_warranty").to_owned(),
                |m| t.f("catalogue.months", &[("n", &m.to_string())]),
            ),
        ),
        (
            t.t("policy.failed_repairs").to_owned(),
            p.failed_repairs.to_string(),
        ),
        (
            t.t("policy.no_fault_return_days").to_owned(),
            if p.no_fault_return_days == 0 {
                t.t("policy.none").to_owned()
            } else {
                days(p.no_fault_return_days)
            },
        ),
        (
            t.t("policy.paid_repair_for_damage").to_owned(),
            t.t(if p.paid_repair_for_damage {
                "common.yes"
            } else {
                "common.no"
            })
            .to_owned(),
        ),
        (
            t.t("policy.auto_approve").to_owned(),
            format!("¥{}", yuan(p.auto_approve_fen)),
        ),
        (
            t.t("policy.specialist_limit").to_owned(),
            format!("¥{}", yuan(p.specialist_limit_fen)),
        ),
    ]
}

/// `/aftersales/policies/{id}`
pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let v = state.app.aftersales_policy(&actor, id).await?;
    let names = scope_names(&state, &identity).await?;
    ok(&ShowPage {
        t,
        layout: Layout::new(&identity, "/aftersales/policies"),
        id,
        scope: scope_text(t, &names, v.category_id),
        number: v.number,
        valid: valid_text(&v),
        figures: figures(t, &v.policy),
        clauses: clause_lines(t, &v.policy),
        note: v.note,
        may_issue: actor.require(Permission::AftersalesPolicy).is_ok(),
        notice: (!field(&q, "issued").is_empty()).then(|| t.t("policy.issued").to_owned()),
    })
}

/// The issue form as typed or as taken from a version.
pub struct DraftFields {
    pub category_id: i64,
    pub valid_from: String,
    pub valid_to: String,
    pub return_days: String,
    pub exchange_days: String,
    pub warranty_months: String,
    pub failed_repairs: String,
    pub no_fault_return_days: String,
    pub paid_repair_for_damage: bool,
    pub auto_approve: String,
    pub specialist_limit: String,
    pub note: String,
    pub clauses: Vec<ClauseLine>,
}

#[derive(Template)]
#[template(path = "aftersales_policy_form.html")]
struct FormPage {
    t: Tr,
    layout: Layout,
    f: DraftFields,
    categories: Vec<(i64, String)>,
    error: Option<String>,
}

fn fields_of(t: Tr, v: &PolicyVersion, today: jiff::civil::Date) -> DraftFields {
    let p = &v.policy;
    DraftFields {
        category_id: v.category_id.unwrap_or(0),
        valid_from: today.tomorrow().unwrap_or(today).to_string(),
        valid_to: String::new(),
        return_days: p.return_days.to_string(),
        exchange_days: p.exchange_days.to_string(),
        warranty_months: p.warranty_months.map(|m| m.to_string()).unwrap_or_default(),
        failed_repairs: p.failed_repairs.to_string(),
        no_fault_return_days: p.no_fault_return_days.to_string(),
        paid_repair_for_damage: p.paid_repair_for_damage,
        auto_approve: plain_yuan(p.auto_approve_fen),
        specialist_limit: plain_yuan(p.specialist_limit_fen),
        note: String::new(),
        clauses: clause_lines(t, p),
    }
}

fn typed(t: Tr, pairs: &[(String, String)]) -> DraftFields {
    let f = |k: &str| field(pairs, k).to_owned();
    DraftFields {
        category_id: field(pairs, "category_id").parse().unwrap_or(0),
        valid_from: f("valid_from"),
        valid_to: f("valid_to"),
        return_days: f("return_days"),
        exchange_days: f("exchange_days"),
        warranty_months: f("warranty_months"),
        failed_repairs: f("failed_repairs"),
        no_fault_return_days: f("no_fault_return_days"),
        paid_repair_for_damage: !field(pairs, "paid_repair_for_damage").is_empty(),
        auto_approve: f("auto_approve"),
        specialist_limit: f("specialist_limit"),
        note: f("note"),
        clauses: ClauseKey::ALL
            .iter()
            .map(|k| ClauseLine {
                number: kefu_domain::aftersales::policy::clause_number(*k),
                key: k.key(),
                title: t.t(&format!("policy.clause.{}", k.key())).to_owned(),
                text: field(pairs, &format!("clause_{}", k.key())).to_owned(),
            })
            .collect(),
    }
}

fn whole(field: &'static str, raw: &str) -> Result<u32, WebError> {
    raw.trim().parse().map_err(|_| not_a_number(field))
}

fn money(field: &'static str, raw: &str) -> Result<i64, WebError> {
    parse_yuan(raw)
        .filter(|_| !raw.trim().is_empty())
        .ok_or(not_a_number(field))
}

fn draft_of(f: &DraftFields) -> Result<PolicyDraft, WebError> {
    let date = |e: kefu_domain::dates::DateError| WebError::from(kefu_app::AppError::from(e));
    let policy = Policy {
        return_days: whole("return_days", &f.return_days)?,
        exchange_days: whole("exchange_days", &f.exchange_days)?,
        warranty_months: match f.warranty_months.trim() {
            "" => None,
            m => Some(whole("warranty_months", m)?),
        },
        failed_repairs: whole("failed_repairs", &f.failed_repairs)?,
        no_fault_return_days: whole("no_fault_return_days", &f.no_fault_return_days)?,
        paid_repair_for_damage: f.paid_repair_for_damage,
        auto_approve_fen: money("auto_approve", &f.auto_approve)?,
        specialist_limit_fen: money("specialist_limit", &f.specialist_limit)?,
        clauses: f
            .clauses
            .iter()
            .filter_map(|c| {
                c.key.parse::<ClauseKey>().ok().map(|key| Clause {
                    key,
                    text: c.text.clone(),
                })
            })
            .collect(),
    };
    Ok(PolicyDraft {
        category_id: (f.category_id > 0).then_some(f.category_id),
        valid_from: kefu_domain::dates::parse("valid_from", &f.valid_from).map_err(date)?,
        valid_to: kefu_domain::dates::parse_opt("valid_to", Some(&f.valid_to)).map_err(date)?,
        policy,
        note: f.note.clone(),
    })
}

/// `/aftersales/policies/new?from={id}`: the form, filled from version `from` (else the
/// company-wide version in force).
pub async fn new_form(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let today = kefu_app::workbench::local_date(state.app.now());
    let base = match field(&q, "from").parse::<i64>() {
        Ok(id) => state.app.aftersales_policy(&actor, id).await?,
        Err(_) => state
            .app
            .aftersales_policies(&actor)
            .await?
            .into_iter()
            .filter(|v| v.category_id.is_none())
            .rfind(|v| v.valid_from <= today)
            .ok_or(WebError::NotFound)?,
    };
    ok(&FormPage {
        t,
        layout: Layout::new(&identity, "/aftersales/policies"),
        f: fields_of(t, &base, today),
        categories: scope_names(&state, &identity).await?,
        error: None,
    })
}

/// `POST /aftersales/policies`
pub async fn issue(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let f = typed(t, &pairs);
    let done = match draft_of(&f) {
        Ok(d) => state
            .app
            .issue_aftersales_policy(&identity.actor(), d)
            .await
            .map_err(WebError::from),
        Err(e) => Err(e),
    };
    match done {
        Ok((id, _)) => {
            Ok(Redirect::to(&format!("/aftersales/policies/{id}?issued=1")).into_response())
        }
        Err(e) => {
            let (status, message) = input_refusal(e, t);
            render(
                status,
                &FormPage {
                    t,
                    layout: Layout::new(&identity, "/aftersales/policies"),
                    f,
                    categories: scope_names(&state, &identity).await?,
                    error: Some(message),
                },
            )
        }
    }
}

/// The check's answer as the page shows it.
pub struct CheckResult {
    pub verdict: &'static str,
    pub verdict_text: String,
    pub approver: String,
    pub reason: String,
    pub clause: String,
    pub days: i64,
    pub in_warranty: bool,
    pub paid_repair: bool,
    pub policy_id: i64,
    pub policy: String,
}

#[derive(Template)]
#[template(path = "aftersales_policy_check.html")]
struct CheckPage {
    t: Tr,
    layout: Layout,
    sku: String,
    kind: String,
    fault: String,
    delivered_on: String,
    requested_on: String,
    failed_repairs: String,
    amount: String,
    kinds: Vec<(&'static str, String)>,
    faults: Vec<(&'static str, String)>,
    result: Option<CheckResult>,
    error: Option<String>,
}

async fn checked(
    state: &AppState,
    identity: &Identity,
    q: &[(String, String)],
) -> Result<CheckResult, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let date = |e: kefu_domain::dates::DateError| WebError::from(kefu_app::AppError::from(e));
    let sku = field(q, "sku").to_owned();
    let product_id = state
        .app
        .product_ids_by_sku(&actor, std::slice::from_ref(&sku))
        .await?[0];
    let query = ClaimQuery {
        product_id,
        kind: form_key::<RmaKind>(q, "kind")?.unwrap_or(RmaKind::Return),
        fault: form_key::<Fault>(q, "fault")?.unwrap_or(Fault::Quality),
        delivered_on: kefu_domain::dates::parse("delivered_on", field(q, "delivered_on"))
            .map_err(date)?,
        requested_on: kefu_domain::dates::parse_opt("requested_on", Some(field(q, "requested_on")))
            .map_err(date)?,
        failed_repairs: match field(q, "failed_repairs").trim() {
            "" => 0,
            n => whole("failed_repairs", n)?,
        },
        amount_fen: money("amount", field(q, "amount"))?,
    };
    let c = state.app.check_aftersales_claim(&actor, &query).await?;
    let names = scope_names(state, identity).await?;
    let d = &c.decision;
    Ok(CheckResult {
        verdict: d.verdict.key(),
        verdict_text: t
            .t(&format!("policy.verdict.{}", d.verdict.key()))
            .to_owned(),
        approver: t
            .t(&format!("policy.approver.{}", d.approver.key()))
            .to_owned(),
        reason: t.t(&format!("policy.reason.{}", d.reason.key())).to_owned(),
        clause: t.f(
            "policy.clause_cited",
            &[
                ("n", &c.clause_number.to_string()),
                ("text", &c.clause_text),
            ],
        ),
        days: d.days,
        in_warranty: d.in_warranty,
        paid_repair: d.paid_repair,
        policy_id: c.version.id,
        policy: t.f(
            "policy.version_of",
            &[
                ("scope", &scope_text(t, &names, c.version.category_id)),
                ("n", &c.version.number.to_string()),
            ],
        ),
    })
}

/// `/aftersales/policy-check`: the form, and with a SKU the decision.
pub async fn check(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let (status, result, error) = if field(&q, "sku").trim().is_empty() {
        (StatusCode::OK, None, None)
    } else {
        match checked(&state, &identity, &q).await {
            Ok(r) => (StatusCode::OK, Some(r), None),
            Err(e) => {
                let (status, message) = input_refusal(e, t);
                (status, None, Some(message))
            }
        }
    };
    let options = |keys: &[&'static str], prefix: &str| {
        keys.iter()
            .map(|k| (*k, t.t(&format!("{prefix}.{k}")).to_owned()))
            .collect::<Vec<_>>()
    };
    render(
        status,
        &CheckPage {
            t,
            layout: Layout::new(&identity, "/aftersales/policies"),
            sku: field(&q, "sku").to_owned(),
            kind: field(&q, "kind").to_owned(),
            fault: field(&q, "fault").to_owned(),
            delivered_on: field(&q, "delivered_on").to_owned(),
            requested_on: field(&q, "requested_on").to_owned(),
            failed_repairs: field(&q, "failed_repairs").to_owned(),
            amount: field(&q, "amount").to_owned(),
            kinds: options(
                &RmaKind::ALL.iter().map(|k| k.key()).collect::<Vec<_>>(),
                "policy.kind",
            ),
            faults: options(
                &Fault::ALL.iter().map(|k| k.key()).collect::<Vec<_>>(),
                "policy.fault",
            ),
            result,
            error,
        },
    )
}
