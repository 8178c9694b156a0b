//! 应收账款 — the ageing report (the most overdue first, mine or everyone's), a customer's
//! account (balance, amounts owed with their age, payments and where they went, the
//! reminders sent) with the forms that record a payment and allocate what is left of one,
//! and the finance file's import.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use kefu_app::receivable::{Account, AgeingQuery, Allocate, PaymentImport, PaymentInput};
use kefu_domain::money::yuan;
use kefu_domain::receivable::{self as rules, AgeBucket, PaymentSource};

use super::catalogue::not_a_number;
use super::credit::parse_yuan;
use super::tickets::field;
use super::{done_or_refused, ok, render};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::import_report::{payment_problem, payment_summary};
use crate::upload::FormWithFiles;
use crate::view::{Layout, local_time};

/// A customer's line of the ageing report: the five buckets and the total, in yuan.
pub struct AgeingLine {
    pub customer_id: i64,
    pub customer: String,
    pub owner: String,
    pub buckets: Vec<String>,
    pub total: String,
    pub overdue: bool,
}

#[derive(Template)]
#[template(path = "receivables.html")]
struct AgeingPage {
    t: Tr,
    layout: Layout,
    hint: String,
    headings: Vec<String>,
    lines: Vec<AgeingLine>,
    totals: Vec<String>,
    total: String,
    customers_label: String,
    mine: bool,
    overdue: bool,
    page: i64,
    pages: i64,
}

fn flag(q: &[(String, String)], name: &str) -> bool {
    matches!(field(q, name), "1" | "true" | "on")
}

/// `/receivables?mine=1&overdue=1&page=`
pub async fn ageing(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let page = match field(&q, "page").trim() {
        "" => 1,
        v => v.parse::<i64>().map_err(|_| not_a_number("page"))?,
    };
    let query = AgeingQuery {
        mine: flag(&q, "mine"),
        overdue_only: flag(&q, "overdue"),
        page,
    };
    let report = state.app.ageing(&identity.actor(), &query).await?;
    ok(&AgeingPage {
        t,
        layout: Layout::new(&identity, "/receivables"),
        hint: t.f("receivable.hint", &[("today", &report.today.to_string())]),
        headings: AgeBucket::ALL
            .iter()
            .map(|b| t.tk("receivable.bucket", b.key()))
            .collect(),
        lines: report
            .rows
            .iter()
            .map(|r| AgeingLine {
                customer_id: r.customer_id,
                customer: r.customer_name.clone(),
                owner: r.owner_name.clone().unwrap_or_default(),
                buckets: r.buckets.iter().map(|f| yuan(*f)).collect(),
                total: yuan(r.total()),
                overdue: r.buckets[1..].iter().any(|f| *f > 0),
            })
            .collect(),
        totals: report.totals.iter().map(|f| yuan(*f)).collect(),
        total: yuan(report.total()),
        customers_label: t.f(
            "receivable.customers",
            &[("n", &report.customers.to_string())],
        ),
        mine: query.mine,
        overdue: query.overdue_only,
        page: report.page,
        pages: report.pages(),
    })
}

/// An amount owed as the account page lists it.
pub struct ReceivableLine {
    pub id: i64,
    pub reference: String,
    pub order: Option<(i64, String)>,
    pub kind: String,
    pub booked_on: String,
    pub due_on: String,
    pub amount: String,
    pub open: String,
    pub open_fen: i64,
    pub age: String,
    pub age_key: &'static str,
}

/// A payment as the account page lists it, with where it went.
pub struct PaymentLine {
    pub id: i64,
    pub kind: String,
    pub reference: String,
    pub received_on: String,
    pub amount: String,
    pub unapplied: String,
    pub unapplied_fen: i64,
    pub source: String,
    pub note: String,
    /// (reference of what it paid, amount)
    pub allocations: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "customer_account.html")]
struct AccountPage {
    t: Tr,
    layout: Layout,
    customer_id: i64,
    customer: String,
    terms: String,
    today: String,
    open: String,
    overdue: String,
    overdue_label: String,
    unapplied: String,
    receivables: Vec<ReceivableLine>,
    payments: Vec<PaymentLine>,
    /// (when, reference, step, channel)
    reminders: Vec<(String, String, String, String)>,
    error: Option<String>,
}

fn account_page(identity: &Identity, a: Account, error: Option<String>) -> AccountPage {
    let t = identity.tr();
    let references: std::collections::HashMap<i64, String> = a
        .receivables
        .iter()
        .map(|r| (r.id, r.reference.clone()))
        .collect();
    AccountPage {
        t,
        layout: Layout::new(identity, "/receivables"),
        customer_id: a.customer_id,
        customer: a.customer_name,
        terms: a.payment_terms.unwrap_or_default(),
        today: a.today.to_string(),
        open: yuan(a.balance.open_fen),
        overdue: yuan(a.balance.overdue_fen),
        overdue_label: t.f("receivable.overdue_on", &[("today", &a.today.to_string())]),
        unapplied: yuan(a.balance.unapplied_fen),
        receivables: a
            .receivables
            .iter()
            .map(|r| {
                let age = if r.open_fen > 0 {
                    rules::age(r.due_on, a.today)
                } else {
                    AgeBucket::NotDue
                };
                ReceivableLine {
                    id: r.id,
                    reference: r.reference.clone(),
                    order: r.order_id.zip(r.order_number.clone()),
                    kind: t.tk("receivable.kind", r.kind.key()),
                    booked_on: r.booked_on.to_string(),
                    due_on: r.due_on.to_string(),
                    amount: yuan(r.amount_fen),
                    open: yuan(r.open_fen),
                    open_fen: r.open_fen,
                    age: if r.open_fen > 0 {
                        t.tk("receivable.bucket", age.key())
                    } else {
                        t.t("receivable.settled").to_owned()
                    },
                    age_key: age.key(),
                }
            })
            .collect(),
        payments: a
            .payments
            .iter()
            .map(|p| PaymentLine {
                id: p.id,
                kind: t.tk("receivable.payment_kind", p.kind.key()),
                reference: p.reference.clone(),
                received_on: p.received_on.to_string(),
                amount: yuan(p.amount_fen),
                unapplied: yuan(p.unapplied_fen),
                unapplied_fen: p.unapplied_fen,
                source: t.tk("receivable.source", p.source.key()),
                note: p.note.clone(),
                allocations: a
                    .allocations
                    .iter()
                    .filter(|x| x.payment_id == p.id)
                    .map(|x| (x.reference.clone(), yuan(x.amount_fen)))
                    .collect(),
            })
            .collect(),
        reminders: a
            .reminders
            .iter()
            .map(|(id, kind, channel, at)| {
                (
                    local_time(*at),
                    references.get(id).cloned().unwrap_or_default(),
                    t.tk("receivable.reminder_kind", kind.key()),
                    t.tk("receivable.channel", channel),
                )
            })
            .collect(),
        error,
    }
}

async fn show_page(
    state: &AppState,
    identity: &Identity,
    customer_id: i64,
    error: Option<String>,
) -> Result<AccountPage, WebError> {
    let a = state
        .app
        .customer_account(&identity.actor(), customer_id)
        .await?;
    Ok(account_page(identity, a, error))
}

/// `/customers/{id}/account`
pub async fn account(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    ok(&show_page(&state, &identity, id, None).await?)
}

fn amount(pairs: &[(String, String)], name: &str) -> Result<i64, WebError> {
    parse_yuan(field(pairs, name)).ok_or_else(|| not_a_number("payment_amount"))
}

/// How the form asks a payment allocated: `oldest` (the default), `later`, or `hand` with
/// `receivable` and `allocate_amount`.
fn allocate_of(pairs: &[(String, String)]) -> Result<Allocate, WebError> {
    Ok(match field(pairs, "allocate") {
        "" | "oldest" => Allocate::OldestFirst,
        "later" => Allocate::Later,
        "hand" => {
            let id = field(pairs, "receivable")
                .parse::<i64>()
                .map_err(|_| not_a_number("receivable"))?;
            Allocate::ByHand(vec![(id, amount(pairs, "allocate_amount")?)])
        }
        _ => return Err(WebError::bad_request("invalid_field", "allocate")),
    })
}

/// `POST /customers/{id}/payments`: `reference`, `amount` (yuan), `received_on`, `note`,
/// `allocate`.
pub async fn record_payment(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let done = async {
        let input = PaymentInput {
            reference: field(&pairs, "reference").to_owned(),
            amount_fen: amount(&pairs, "amount")?,
            received_on: kefu_domain::dates::parse("received_on", field(&pairs, "received_on"))
                .map_err(kefu_app::AppError::from)?,
            note: field(&pairs, "note").to_owned(),
            allocate: allocate_of(&pairs)?,
        };
        state
            .app
            .record_payment(&identity.actor(), id, &input, PaymentSource::Manual)
            .await
            .map(|_| ())
            .map_err(WebError::from)
    }
    .await;
    let to = format!("/customers/{id}/account");
    done_or_refused(done, &to, identity.tr(), |m| {
        show_page(&state, &identity, id, Some(m))
    })
    .await
}

/// `POST /customers/{id}/payments/{payment}/allocations`: what is left of a payment, the
/// oldest first or by hand.
pub async fn allocate(
    State(state): State<AppState>,
    identity: Identity,
    Path((id, payment)): Path<(i64, i64)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let done = async {
        let how = allocate_of(&pairs)?;
        let (p, _) = state.app.payment(&identity.actor(), payment).await?;
        if p.customer_id != id {
            return Err(kefu_app::AppError::NotFound.into());
        }
        state
            .app
            .allocate_payment(&identity.actor(), payment, &how)
            .await
            .map(|_| ())
            .map_err(WebError::from)
    }
    .await;
    let to = format!("/customers/{id}/account");
    done_or_refused(done, &to, identity.tr(), |m| {
        show_page(&state, &identity, id, Some(m))
    })
    .await
}

#[derive(Template)]
#[template(path = "payments_import.html")]
struct ImportPage {
    t: Tr,
    layout: Layout,
    dry_run: bool,
    result: Option<PaymentImport>,
    summary: Option<String>,
    /// (row, customer, reference, amount, allocated)
    added: Vec<(usize, String, String, String, String)>,
    problems: Vec<super::catalogue::ProblemLine>,
    error: Option<String>,
}

/// Rows of problems the page shows.
const SHOWN: usize = 500;

fn import_page(identity: &Identity, dry_run: bool) -> ImportPage {
    ImportPage {
        t: identity.tr(),
        layout: Layout::new(identity, "/receivables"),
        dry_run,
        result: None,
        summary: None,
        added: Vec::new(),
        problems: Vec::new(),
        error: None,
    }
}

/// `/receivables/import`: the finance department's payment file.
pub async fn import_form(identity: Identity) -> Result<Response, WebError> {
    ok(&import_page(&identity, true))
}

/// `POST /receivables/import`: the file checked only, or imported (all or nothing).
pub async fn import(
    State(state): State<AppState>,
    identity: Identity,
    form: FormWithFiles,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let (dry_run, file) = form.import_file();
    let mut page = import_page(&identity, dry_run);
    let Some(file) = file else {
        page.error = Some(t.t("catalogue.import.no_file").to_owned());
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    match state
        .app
        .import_payments(&identity.actor(), &file.filename, &file.bytes, dry_run)
        .await
    {
        Ok(result) => {
            page.problems = result
                .problems
                .iter()
                .take(SHOWN)
                .map(|(row, e)| {
                    let (column, problem) = payment_problem(t, e);
                    super::catalogue::ProblemLine {
                        row: *row,
                        column,
                        problem,
                        value: e.value.clone(),
                    }
                })
                .collect();
            page.added = result
                .added
                .iter()
                .take(SHOWN)
                .map(|a| {
                    (
                        a.row,
                        a.customer.clone(),
                        a.reference.clone(),
                        yuan(a.amount_fen),
                        yuan(a.allocated_fen),
                    )
                })
                .collect();
            page.summary = Some(payment_summary(t, &result));
            let status = crate::import_report::page_status(result.problems.len());
            page.result = Some(result);
            render(status, &page)
        }
        Err(e) => {
            let (status, message) = super::refusal(e, t);
            page.error = Some(message);
            render(status, &page)
        }
    }
}
