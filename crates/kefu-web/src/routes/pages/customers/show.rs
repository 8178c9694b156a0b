//! 客户360 — one customer on one page: its facts, contacts, credit, timeline and the history
//! of changes, sensitive values masked with an audited reveal of one at a time.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use kefu_app::credit::CreditStatus;
use kefu_app::customer::CustomerView;
use kefu_domain::Permission;
use kefu_domain::credit::{CreditDecision, TermsKind};
use kefu_domain::customer::{ContactChannel, SensitiveField};

use super::super::tickets::{Choice, field};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

use super::choices;

pub struct ContactRow {
    pub id: i64,
    pub name: String,
    pub title: String,
    pub mobile: String,
    pub phone: String,
    pub email: String,
    pub wechat: String,
    pub preferred: String,
    pub opt_outs: String,
    pub rest_hours: String,
    pub primary: bool,
    pub preferred_key: String,
    pub opt_out_keys: Vec<String>,
}

pub struct HistoryRow {
    pub at: String,
    pub actor: String,
    pub field: String,
    pub old: String,
    pub new: String,
}

pub struct TimelineRow {
    pub at: String,
    pub kind: String,
    pub title: String,
    pub detail: String,
    pub link: Option<String>,
}

#[derive(Template)]
#[template(path = "customer_show.html")]
pub(crate) struct ShowPage {
    t: Tr,
    layout: Layout,
    id: i64,
    name: String,
    kind: String,
    tier: String,
    tier_key: String,
    customer_type: String,
    status: String,
    region: String,
    industry: String,
    owner: String,
    tags: String,
    notes: String,
    /// The sensitive profile fields: (key, masked value).
    sensitive: Vec<(String, String)>,
    last_contact: String,
    contacts: Vec<ContactRow>,
    timeline: Vec<TimelineRow>,
    history: Vec<HistoryRow>,
    can_reveal: bool,
    can_edit: bool,
    /// (field, contact id) → the value just revealed.
    revealed: Option<(String, Option<i64>, String)>,
    channels: Vec<Choice>,
    error: Option<String>,
    credit_grade: String,
    credit_limit: String,
    payment_terms: String,
    /// The agreed terms stand but the grade forbids credit: shown struck through.
    terms_suspended: bool,
    /// The terms say nothing graded handling can read: the grade alone decides.
    terms_unread: bool,
    /// 分级处理 in words, from the one rule of grade, limit and terms: may buy on credit /
    /// needs approval / pays first, by grade or by the agreed terms.
    credit_rule: String,
    credit_rule_key: &'static str,
    investigations: Vec<InvestigationRow>,
    can_manage_credit: bool,
    /// The factors for the investigation form: (key, label).
    factors: Vec<(String, String)>,
    /// 优惠政策 — the key account's discounts and incentives in force today.
    policies: Vec<crate::routes::pages::key_account_plan::PolicyLine>,
    /// The reader plans key accounts: the card links to the account's plan.
    can_plan: bool,
}

pub struct InvestigationRow {
    pub on: String,
    pub investigator: String,
    pub score: i64,
    pub grade: String,
    pub factors: String,
    pub notes: String,
}

impl ShowPage {
    fn is_revealed(&self, field: &str, contact: Option<i64>) -> Option<&str> {
        self.revealed
            .as_ref()
            .filter(|(f, c, _)| f == field && *c == contact)
            .map(|(_, _, v)| v.as_str())
    }

    fn contact_revealed(&self, field: &str, contact: &i64) -> Option<&str> {
        self.is_revealed(field, Some(*contact))
    }
}

/// The graded-handling answer in words. A refusal by the terms names them; so does a
/// refusal by grade that suspends credit terms, so the terms never read as in force.
fn credit_rule(t: Tr, credit: &CreditStatus, decision: CreditDecision) -> String {
    let terms = credit.payment_terms.as_deref().unwrap_or_default().trim();
    match decision {
        CreditDecision::RefusedByTerms => t.f(
            if credit.terms_kind == TermsKind::PayOnDelivery {
                "credit.rule.by_terms_on_delivery"
            } else {
                "credit.rule.by_terms_first"
            },
            &[("terms", terms)],
        ),
        CreditDecision::TermsSuspended => match credit.grade {
            Some(g) => t.f(
                "credit.rule.terms_suspended",
                &[("grade", g.key()), ("terms", terms)],
            ),
            None => t.f("credit.rule.terms_suspended_ungraded", &[("terms", terms)]),
        },
        d => t.t(&format!("credit.rule.{}", d.key())).to_owned(),
    }
}

fn history_value(t: Tr, field: &str, v: &Option<String>) -> String {
    let Some(v) = v else { return "—".into() };
    match field {
        "tier" => t.tk("tier", v),
        "customer_type" => t.tk("customer_type", v),
        "status" => t.tk("customer_status", v),
        "kind" => t.tk("customer_kind", v),
        "contact.preferred_channel" => t.tk("contact_channel", v),
        _ => v.clone(),
    }
}

pub(super) async fn show_page(
    state: &AppState,
    identity: &Identity,
    id: i64,
    revealed: Option<(String, Option<i64>, String)>,
    error: Option<String>,
) -> Result<ShowPage, WebError> {
    let t = identity.tr();
    let v: CustomerView = state.app.customer_view(&identity.actor(), id).await?;
    let credit = state.app.credit_status(&identity.actor(), id).await?;
    let decision = state
        .app
        .may_buy_on_credit(&identity.actor(), id, 1)
        .await?;
    let credit_rule = credit_rule(t, &credit, decision);
    let policies = state
        .app
        .policies_in_force(&identity.actor(), id)
        .await?
        .into_iter()
        .map(|p| crate::routes::pages::key_account_plan::policy_line(t, p, true, None, false))
        .collect();
    let c = &v.customer;
    let users = state.app.list_users(&identity.actor()).await?;
    let user_name = |id: &str| {
        id.parse::<i64>()
            .ok()
            .and_then(|i| users.iter().find(|u| u.id == i))
            .map(|u| u.display_name.clone())
            .unwrap_or_else(|| id.to_owned())
    };
    Ok(ShowPage {
        t,
        layout: Layout::new(identity, "/customers"),
        id: c.id,
        name: c.name.clone(),
        kind: t.tk("customer_kind", &c.kind),
        tier: t.tk("tier", &c.tier),
        tier_key: c.tier.clone(),
        customer_type: t.tk("customer_type", &c.customer_type),
        status: t.tk("customer_status", &c.status),
        region: [c.province.clone(), c.city.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" "),
        industry: c.industry.clone().unwrap_or_default(),
        owner: c.owner_name.clone().unwrap_or_default(),
        tags: c.tags.join(", "),
        notes: c.notes.clone().unwrap_or_default(),
        sensitive: vec![
            ("id_number".into(), c.id_number.clone().unwrap_or_default()),
            ("address".into(), c.address.clone().unwrap_or_default()),
            (
                "bank_account".into(),
                c.bank_account.clone().unwrap_or_default(),
            ),
        ],
        last_contact: c
            .last_contact_at
            .map(local_time)
            .unwrap_or_else(|| "—".into()),
        contacts: v
            .contacts
            .iter()
            .map(|x| ContactRow {
                id: x.id,
                name: x.name.clone(),
                title: x.title.clone().unwrap_or_default(),
                mobile: x.mobile.clone().unwrap_or_default(),
                phone: x.phone.clone().unwrap_or_default(),
                email: x.email.clone().unwrap_or_default(),
                wechat: x.wechat.clone().unwrap_or_default(),
                preferred: x
                    .preferred_channel
                    .as_deref()
                    .map(|p| t.tk("contact_channel", p))
                    .unwrap_or_default(),
                opt_outs: x
                    .opt_outs
                    .iter()
                    .map(|o| t.tk("contact_channel", o))
                    .collect::<Vec<_>>()
                    .join("、"),
                rest_hours: x.rest_hours.clone(),
                primary: x.is_primary,
                preferred_key: x.preferred_channel.clone().unwrap_or_default(),
                opt_out_keys: x.opt_outs.clone(),
            })
            .collect(),
        timeline: v
            .timeline
            .iter()
            .map(|e| TimelineRow {
                at: local_time(e.at),
                kind: t.tk("timeline", e.kind),
                title: e.title.clone(),
                detail: match e.kind {
                    "ticket" => t.tk("portal.status", &e.detail),
                    "complaint" => t.tk("complaint_stage", &e.detail),
                    _ => e.detail.clone(),
                },
                link: e.link.clone(),
            })
            .collect(),
        history: v
            .history
            .iter()
            .map(|h| HistoryRow {
                at: local_time(h.at),
                actor: crate::view::actor_text(t, h.actor_user_id, &h.actor_name),
                field: t.tk("customer_field", &h.field),
                old: if h.field == "owner" {
                    h.old_value.as_deref().map(user_name).unwrap_or("—".into())
                } else {
                    history_value(t, &h.field, &h.old_value)
                },
                new: if h.field == "owner" {
                    h.new_value.as_deref().map(user_name).unwrap_or("—".into())
                } else {
                    history_value(t, &h.field, &h.new_value)
                },
            })
            .collect(),
        can_reveal: v.can_reveal,
        can_edit: identity.user()?.allows(Permission::CustomerEdit),
        revealed,
        channels: choices(
            t,
            ContactChannel::ALL,
            ContactChannel::key,
            "contact_channel",
            "",
            false,
        ),
        error,
        credit_grade: credit.grade.map(|g| g.key().to_owned()).unwrap_or_default(),
        credit_limit: super::super::credit::yuan(credit.limit_fen),
        payment_terms: credit.payment_terms.clone().unwrap_or_default(),
        terms_suspended: !decision.terms_in_force(),
        terms_unread: credit.terms_kind == TermsKind::Unstated
            && credit
                .payment_terms
                .as_deref()
                .is_some_and(|p| !p.trim().is_empty()),
        credit_rule,
        credit_rule_key: decision.key(),
        investigations: credit
            .investigations
            .iter()
            .map(|i| {
                let factors: Vec<serde_json::Value> =
                    serde_json::from_str(&i.factors).unwrap_or_default();
                InvestigationRow {
                    on: i.investigated_on.clone(),
                    investigator: i.investigator_name.clone(),
                    score: i.score,
                    grade: i.grade.clone(),
                    factors: factors
                        .iter()
                        .map(|f| {
                            let key = f["factor"].as_str().unwrap_or_default();
                            let ev = f["evidence"].as_str().unwrap_or_default();
                            let mut s = format!("{} {}", t.tk("credit.factor", key), f["score"]);
                            if !ev.is_empty() {
                                s.push_str(&format!("（{ev}）"));
                            }
                            s
                        })
                        .collect::<Vec<_>>()
                        .join("；"),
                    notes: i.notes.clone().unwrap_or_default(),
                }
            })
            .collect(),
        can_manage_credit: identity.user()?.allows(Permission::CreditManage),
        factors: kefu_domain::credit::Factor::ALL
            .iter()
            .map(|f| (f.key().to_owned(), t.tk("credit.factor", f.key())))
            .collect(),
        policies,
        can_plan: identity
            .user
            .as_ref()
            .is_some_and(|u| u.allows(Permission::KeyAccountManage)),
    })
}

/// The 360 page with a refusal shown (from the credit forms).
pub(crate) async fn page_with_error(
    state: &AppState,
    identity: &Identity,
    id: i64,
    message: String,
) -> Result<ShowPage, WebError> {
    show_page(state, identity, id, None, Some(message)).await
}

pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    super::super::ok(&show_page(&state, &identity, id, None, None).await?)
}

/// Reveals one masked field on the 360 page (or on a ticket's customer card, with
/// `ticket`); the reveal is audited.
pub async fn reveal(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let name = field(&pairs, "field");
    let sensitive: SensitiveField = crate::input::parse_key("field", name)?;
    let contact = field(&pairs, "contact").parse::<i64>().ok();
    let value = state
        .app
        .reveal(&identity.actor(), id, sensitive, contact)
        .await?;
    // Asked from a ticket's customer card: the answer is that ticket, the value on its card.
    if let Ok(ticket) = field(&pairs, "ticket").parse::<i64>() {
        let revealed = (name.to_owned(), contact, value);
        return super::super::tickets::show::with_card_revealed(
            &state, &identity, ticket, id, revealed,
        )
        .await;
    }
    super::super::ok(
        &show_page(
            &state,
            &identity,
            id,
            Some((name.to_owned(), contact, value)),
            None,
        )
        .await?,
    )
}
