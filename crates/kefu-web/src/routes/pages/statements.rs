//! 对账单 — the statements list (by month and state) with the form that makes a month's,
//! a statement's page with the forms for whoever acts next (the customer's answer taken by
//! phone, a disputed line's resolution, the manager's decision, the close), its print page
//! and its spreadsheet.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use kefu_app::receivable::Resolution;
use kefu_domain::Permission;
use kefu_domain::receivable::DifferenceCause;
use kefu_domain::receivable::statement::{LineAnswer, StatementState, may_close};
use kefu_store::statement::StatementFilter;

use super::catalogue::not_a_number;
use super::credit::parse_yuan;
use super::tickets::field;
use super::versioned::form_version;
use super::{done_or_refused, form_key, ok};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::export::{FileFormat, download};
use crate::i18n::Tr;
use crate::statement_shared::{StatementView, sheet, view};
use crate::view::Layout;

/// A statement on the list.
pub struct StatementLine {
    pub id: i64,
    pub number: String,
    pub customer: String,
    pub period: String,
    pub state: String,
    pub state_key: &'static str,
    pub opening: String,
    pub closing: String,
}

#[derive(Template)]
#[template(path = "statements.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    lines: Vec<StatementLine>,
    period: String,
    state: String,
    states: Vec<(&'static str, String)>,
    last_month: String,
    error: Option<String>,
    notice: Option<String>,
}

async fn list_page(
    state: &AppState,
    identity: &Identity,
    q: &[(String, String)],
    error: Option<String>,
    notice: Option<String>,
) -> Result<ListPage, WebError> {
    let t = identity.tr();
    let s = form_key::<StatementState>(q, "state")?;
    let period = field(q, "period").trim().to_owned();
    let list = state
        .app
        .statements(
            &identity.actor(),
            &StatementFilter {
                period: (!period.is_empty()).then(|| period.clone()),
                states: s.into_iter().collect(),
                owner_id: if matches!(field(q, "mine"), "1" | "true" | "on") {
                    identity.actor().user_id()
                } else {
                    None
                },
                limit: kefu_app::receivable::MAX_STATEMENTS,
                ..StatementFilter::default()
            },
        )
        .await?;
    let today = kefu_app::workbench::local_date(state.app.now());
    let last_month = kefu_domain::receivable::statement::Period::of(
        today.first_of_month().yesterday().unwrap_or(today),
    )
    .key();
    Ok(ListPage {
        t,
        layout: Layout::new(identity, "/statements"),
        lines: list
            .into_iter()
            .map(|r| StatementLine {
                id: r.id,
                number: r.number,
                customer: r.customer_name,
                period: r.period,
                state: t.tk("statement.state", r.state.key()),
                state_key: r.state.key(),
                opening: kefu_domain::money::yuan(r.opening_fen),
                closing: kefu_domain::money::yuan(r.closing_fen),
            })
            .collect(),
        period,
        state: s.map(|s| s.key().to_owned()).unwrap_or_default(),
        states: t.options::<StatementState>("statement.state"),
        last_month,
        error,
        notice,
    })
}

/// `/statements?period=&state=`
pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    ok(&list_page(&state, &identity, &q, None, None).await?)
}

/// `POST /statements`: `period` (and `customer_id` for one customer).
pub async fn generate(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let period = field(&pairs, "period").trim().to_owned();
    let customer = match field(&pairs, "customer_id").trim() {
        "" => None,
        v => match v.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                let (status, m) = super::input_refusal(not_a_number("customer_id"), t);
                let page = list_page(&state, &identity, &[], Some(m), None).await?;
                return super::render(status, &page);
            }
        },
    };
    let q = vec![("period".to_owned(), period.clone())];
    match state
        .app
        .generate_statements(&identity.actor(), &period, customer)
        .await
    {
        Ok(g) => {
            let notice = t.f(
                "statement.generated",
                &[
                    ("created", &g.created.to_string()),
                    ("existing", &g.existing.to_string()),
                ],
            );
            ok(&list_page(&state, &identity, &q, None, Some(notice)).await?)
        }
        Err(e) => {
            let (status, m) = super::refusal(e, t);
            let page = list_page(&state, &identity, &q, Some(m), None).await?;
            super::render(status, &page)
        }
    }
}

#[derive(Template)]
#[template(path = "statement.html")]
struct ShowPage {
    t: Tr,
    layout: Layout,
    s: StatementView,
    causes: Vec<(&'static str, String)>,
    may_answer: bool,
    may_resolve: bool,
    may_decide: bool,
    may_close: bool,
    link: String,
    error: Option<String>,
}

async fn show_page(
    state: &AppState,
    identity: &Identity,
    id: i64,
    error: Option<String>,
) -> Result<ShowPage, WebError> {
    let t = identity.tr();
    let d = state.app.statement(&identity.actor(), id).await?;
    let st = d.statement.state;
    let has = |a: LineAnswer| d.lines.iter().any(|l| l.answer == a);
    let may_decide =
        identity.actor().require(Permission::OrderApprove).is_ok() && has(LineAnswer::Proposed);
    let link = if st == StatementState::Sent {
        state.app.statement_link_for(&identity.actor(), id).await?
    } else {
        String::new()
    };
    Ok(ShowPage {
        t,
        layout: Layout::new(identity, "/statements"),
        causes: DifferenceCause::ALL
            .iter()
            .map(|c| (c.key(), t.tk("statement.cause", c.key())))
            .collect(),
        may_answer: st == StatementState::Sent,
        may_resolve: st == StatementState::Disputed && has(LineAnswer::Disputed),
        may_decide,
        may_close: may_close(st),
        link,
        s: view(t, &d),
        error,
    })
}

/// `/statements/{id}`
pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    ok(&show_page(&state, &identity, id, None).await?)
}

/// The lines a form disputes: `dispute` = line numbers, `note_{n}` their reasons.
pub(crate) fn disputes_of(pairs: &[(String, String)]) -> Result<Vec<(i64, String)>, WebError> {
    pairs
        .iter()
        .filter(|(k, _)| k == "dispute")
        .map(|(_, v)| {
            let n = v.parse::<i64>().map_err(|_| not_a_number("line"))?;
            Ok((n, field(pairs, &format!("note_{n}")).to_owned()))
        })
        .collect()
}

async fn act(
    state: &AppState,
    identity: &Identity,
    id: i64,
    done: Result<(), WebError>,
) -> Result<Response, WebError> {
    let to = format!("/statements/{id}");
    done_or_refused(done, &to, identity.tr(), |m| {
        show_page(state, identity, id, Some(m))
    })
    .await
}

/// `POST /statements/{id}/answer`: the customer's answer as taken by phone.
pub async fn answer(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let done = async {
        let disputes = disputes_of(&pairs)?;
        state
            .app
            .answer_statement(&identity.actor(), id, form_version(&pairs), &disputes)
            .await
            .map(|_| ())
            .map_err(WebError::from)
    }
    .await;
    act(&state, &identity, id, done).await
}

/// `POST /statements/{id}/lines/{line}/resolution`: `cause`, `resolution`, `adjustment`
/// (yuan, `-` for a credit).
pub async fn resolve(
    State(state): State<AppState>,
    identity: Identity,
    Path((id, line)): Path<(i64, i64)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let done = async {
        let raw = field(&pairs, "adjustment").trim();
        let (negative, digits) = match raw.strip_prefix('-').or_else(|| raw.strip_prefix('－')) {
            Some(rest) => (true, rest),
            None => (false, raw),
        };
        let fen = parse_yuan(digits).ok_or_else(|| not_a_number("adjustment"))?;
        let r = Resolution {
            cause: form_key::<DifferenceCause>(&pairs, "cause")?,
            text: field(&pairs, "resolution").to_owned(),
            adjustment_fen: if negative { -fen } else { fen },
        };
        state
            .app
            .propose_resolution(&identity.actor(), id, line, &r)
            .await
            .map_err(WebError::from)
    }
    .await;
    act(&state, &identity, id, done).await
}

/// `POST /statements/{id}/lines/{line}/decision`: `decision` = `approve` or `reject`.
pub async fn decide(
    State(state): State<AppState>,
    identity: Identity,
    Path((id, line)): Path<(i64, i64)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let done = async {
        let approve = match field(&pairs, "decision") {
            "approve" => true,
            "reject" => false,
            _ => return Err(WebError::bad_request("invalid_field", "decision")),
        };
        state
            .app
            .decide_resolution(&identity.actor(), id, line, approve)
            .await
            .map(|_| ())
            .map_err(WebError::from)
    }
    .await;
    act(&state, &identity, id, done).await
}

/// `POST /statements/{id}/close`
pub async fn close(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let done = state
        .app
        .close_statement(&identity.actor(), id, form_version(&pairs))
        .await
        .map_err(WebError::from);
    act(&state, &identity, id, done).await
}

#[derive(Template)]
#[template(path = "statement_print.html")]
struct PrintPage {
    t: Tr,
    s: StatementView,
}

/// `/statements/{id}/print` — the statement on paper: no navigation, print styles.
pub async fn print(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let d = state.app.statement(&identity.actor(), id).await?;
    ok(&PrintPage { t, s: view(t, &d) })
}

/// `/statements/{id}/xlsx` — the statement as a spreadsheet.
pub async fn xlsx(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let d = state.app.statement(&identity.actor(), id).await?;
    download(&sheet(t, &d), FileFormat::Xlsx, &d.statement.number)
}
