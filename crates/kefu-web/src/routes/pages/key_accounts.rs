//! 大客户 — the key accounts with where each stands (its last and next manager visit, its
//! last rating of its agent) and a form for a rating heard by phone; the manager visits on
//! a month's calendar with the form that arranges one; a visit with its report; the changes
//! of agent waiting for the manager.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use kefu_app::key_account::{ArrangeForm, KeyAccountQuery, PAGE_SIZE, People, ReportForm};
use kefu_domain::Permission;
use kefu_domain::input::Keyed;
use kefu_domain::key_account::{VisitMode, VisitReport};

use super::tickets::field;
use super::{refusal, render};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

fn beijing() -> TimeZone {
    TimeZone::get("Asia/Shanghai").unwrap_or(TimeZone::UTC)
}

struct AccountLine {
    id: i64,
    name: String,
    owner: String,
    last_visit: String,
    next_visit: String,
    last_score: String,
    due: bool,
    change_waiting: bool,
    stage: String,
    next_review: String,
    review_due: bool,
    rating_due: bool,
}

#[derive(Template)]
#[template(path = "key_accounts.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    lines: Vec<AccountLine>,
    /// The filter shown: `due`, `review`, `rating` or empty for every account.
    shown: &'static str,
    /// How many accounts the filter holds, over every page, in words.
    total: String,
    next_href: Option<String>,
    error: Option<String>,
}

/// The list's filters as their query parameter names, one at a time on the page.
const FILTERS: [&str; 3] = ["due", "review", "rating"];

async fn list_page(
    state: &AppState,
    identity: &Identity,
    q: &[(String, String)],
    error: Option<String>,
) -> Result<ListPage, WebError> {
    let t = identity.tr();
    let filter = FILTERS
        .into_iter()
        .find(|f| field(q, f) == "1")
        .unwrap_or("");
    let query = KeyAccountQuery {
        visit_due: filter == "due",
        review_due: filter == "review",
        rating_due: filter == "rating",
        after: field(q, "after").trim().parse().ok(),
        limit: PAGE_SIZE,
    };
    let actor = identity.actor();
    let page = state.app.key_accounts(&actor, &query).await?;
    let total = state.app.count_key_accounts(&actor, &query).await?;
    let next_href = page.next.map(|id| match filter {
        "" => format!("/key-accounts?after={id}"),
        f => format!("/key-accounts?{f}=1&after={id}"),
    });
    let lines = page
        .lines
        .into_iter()
        .map(|a| AccountLine {
            stage: a
                .account
                .stage
                .as_deref()
                .map(|s| t.tk("key_account.stage", s))
                .unwrap_or_default(),
            next_review: a.account.next_review_on.clone().unwrap_or_default(),
            review_due: a.review_due,
            rating_due: a.rating_due,
            id: a.account.customer_id,
            name: a.account.name,
            owner: a.account.owner_name.unwrap_or_default(),
            last_visit: a.account.last_visit_at.map(local_time).unwrap_or_default(),
            next_visit: a.account.next_visit_at.map(local_time).unwrap_or_default(),
            last_score: a
                .account
                .last_score
                .map(|s| s.to_string())
                .unwrap_or_default(),
            due: a.due,
            change_waiting: a.account.change_waiting,
        })
        .collect();
    Ok(ListPage {
        t,
        layout: Layout::new(identity, "/key-accounts"),
        lines,
        shown: filter,
        total: t.f("key_account.total", &[("n", &total.to_string())]),
        next_href,
        error,
    })
}

/// `/key-accounts`, a page at a time (`after`), or only those due a manager visit
/// (`?due=1`), a plan review (`?review=1`) or the quarter's opinion (`?rating=1`).
pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let p = list_page(&state, &identity, &q, None).await?;
    render(StatusCode::OK, &p)
}

/// `POST /key-accounts/{id}/rating`: a rating of the customer's agent heard by phone.
pub async fn rate(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let score = field(&pairs, "score").trim().parse().unwrap_or(0);
    match state
        .app
        .rate_agent(&identity.actor(), id, score, field(&pairs, "comment"))
        .await
    {
        Ok(_) => Ok(Redirect::to("/key-accounts").into_response()),
        Err(kefu_app::AppError::Forbidden) => Err(WebError::Forbidden),
        Err(kefu_app::AppError::NotFound) => Err(WebError::NotFound),
        Err(e) => {
            let (status, message) = refusal(e, identity.tr());
            let p = list_page(&state, &identity, &[], Some(message)).await?;
            render(status, &p)
        }
    }
}

struct DayCell {
    day: Option<i8>,
    today: bool,
    /// (visit id, time, customer, manager, state)
    visits: Vec<(i64, String, String, String, String)>,
}

#[derive(Template)]
#[template(path = "key_account_visits.html")]
struct CalendarPage {
    t: Tr,
    layout: Layout,
    month: String,
    previous: String,
    next: String,
    weeks: Vec<Vec<DayCell>>,
    accounts: Vec<(i64, String)>,
    managers: People,
    modes: Vec<(String, String)>,
    form: Vec<(String, String)>,
    error: Option<String>,
}

impl CalendarPage {
    fn value(&self, k: &str) -> &str {
        field(&self.form, k)
    }
}

fn month_of(q: &[(String, String)], today: Date) -> Date {
    let asked = field(q, "month").trim();
    asked
        .split_once('-')
        .and_then(|(y, m)| Date::new(y.parse().ok()?, m.parse().ok()?, 1).ok())
        .filter(|d| (2000..=2099).contains(&d.year()))
        .unwrap_or_else(|| today.first_of_month())
}

async fn calendar_page(
    state: &AppState,
    identity: &Identity,
    q: &[(String, String)],
    form: Vec<(String, String)>,
    error: Option<String>,
) -> Result<CalendarPage, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let tz = beijing();
    let today = state.app.now().to_zoned(tz.clone()).date();
    let first = month_of(q, today);
    let next = first
        .checked_add(jiff::Span::new().months(1))
        .unwrap_or(first);
    let previous = first
        .checked_sub(jiff::Span::new().months(1))
        .unwrap_or(first);
    let start = |d: Date| {
        d.to_zoned(tz.clone())
            .map(|z| z.timestamp())
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
    };
    let visits = state
        .app
        .manager_visits(&actor, start(first), start(next), None)
        .await?;
    // Weeks from Monday; blank cells before the first and after the last day.
    let lead = first.weekday().to_monday_zero_offset() as usize;
    let days = first.days_in_month();
    let mut cells: Vec<DayCell> = (0..lead)
        .map(|_| DayCell {
            day: None,
            today: false,
            visits: Vec::new(),
        })
        .collect();
    for d in 1..=days {
        let date = Date::new(first.year(), first.month(), d).unwrap_or(first);
        cells.push(DayCell {
            day: Some(d),
            today: date == today,
            visits: visits
                .iter()
                .filter(|v| v.scheduled_at.to_zoned(tz.clone()).date() == date)
                .map(|v| {
                    (
                        v.id,
                        v.scheduled_at
                            .to_zoned(tz.clone())
                            .strftime("%H:%M")
                            .to_string(),
                        v.customer_name.clone(),
                        v.manager_name.clone(),
                        t.tk("key_account.state", &v.state),
                    )
                })
                .collect(),
        });
    }
    while !cells.len().is_multiple_of(7) {
        cells.push(DayCell {
            day: None,
            today: false,
            visits: Vec::new(),
        });
    }
    let mut weeks = Vec::new();
    let mut it = cells.into_iter().peekable();
    while it.peek().is_some() {
        weeks.push(it.by_ref().take(7).collect());
    }
    let (managers, _) = state.app.key_account_people(&actor).await?;
    let accounts = state.app.key_account_names(&actor).await?;
    Ok(CalendarPage {
        t,
        layout: Layout::new(identity, "/key-accounts"),
        month: first.strftime("%Y-%m").to_string(),
        previous: previous.strftime("%Y-%m").to_string(),
        next: next.strftime("%Y-%m").to_string(),
        weeks,
        accounts,
        managers,
        modes: <VisitMode as Keyed>::keys()
            .into_iter()
            .map(|k| (k.to_owned(), t.tk("key_account.mode", k)))
            .collect(),
        form,
        error,
    })
}

/// `/key-accounts/visits?month=2026-12`
pub async fn calendar(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let p = calendar_page(&state, &identity, &q, Vec::new(), None).await?;
    render(StatusCode::OK, &p)
}

/// `2026-12-10T14:30` (a browser's `datetime-local`), Beijing time.
fn local_input(s: &str) -> Option<jiff::Timestamp> {
    let dt: jiff::civil::DateTime = s.trim().parse().ok()?;
    dt.to_zoned(beijing()).ok().map(|z| z.timestamp())
}

/// `POST /key-accounts/visits`: arranges a manager visit.
pub async fn arrange(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let number = |k: &str| field(&pairs, k).trim().parse::<i64>().unwrap_or(0);
    let when = local_input(field(&pairs, "scheduled_at"));
    let result = match when {
        None => Err(kefu_app::AppError::KeyAccount(
            kefu_domain::key_account::KeyAccountError::BadTime,
        )),
        Some(at) => {
            let mode = crate::input::parse_key::<VisitMode>("mode", field(&pairs, "mode").trim())?;
            state
                .app
                .arrange_manager_visit(
                    &identity.actor(),
                    &ArrangeForm {
                        customer_id: number("customer_id"),
                        manager_id: number("manager_id"),
                        scheduled_at: at,
                        mode,
                        purpose: field(&pairs, "purpose").to_owned(),
                    },
                )
                .await
        }
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/key-accounts/visits/{id}")).into_response()),
        Err(kefu_app::AppError::Forbidden) => Err(WebError::Forbidden),
        Err(kefu_app::AppError::NotFound) => Err(WebError::NotFound),
        Err(e) => {
            let (status, message) = refusal(e, t);
            let p = calendar_page(&state, &identity, &[], pairs, Some(message)).await?;
            render(status, &p)
        }
    }
}

#[derive(Template)]
#[template(path = "key_account_visit.html")]
struct VisitPage {
    t: Tr,
    layout: Layout,
    id: i64,
    customer_id: i64,
    customer: String,
    owner: String,
    has_owner: bool,
    manager: String,
    arranged_by: String,
    at: String,
    mode: String,
    purpose: String,
    planned: bool,
    state: String,
    summary: String,
    requests: String,
    actions: String,
    reported_at: String,
    cancel_reason: String,
    /// (when, agent, score, comment)
    ratings: Vec<(String, String, i64, String)>,
    form: Vec<(String, String)>,
    error: Option<String>,
}

impl VisitPage {
    fn value(&self, k: &str) -> &str {
        field(&self.form, k)
    }
}

async fn visit_page(
    state: &AppState,
    identity: &Identity,
    id: i64,
    form: Vec<(String, String)>,
    error: Option<String>,
) -> Result<VisitPage, WebError> {
    let t = identity.tr();
    let v = state.app.manager_visit(&identity.actor(), id).await?;
    let visit = v.visit;
    Ok(VisitPage {
        t,
        layout: Layout::new(identity, "/key-accounts"),
        id,
        customer_id: visit.customer_id,
        customer: visit.customer_name,
        has_owner: visit.owner_id.is_some(),
        owner: visit.owner_name.unwrap_or_default(),
        manager: visit.manager_name,
        arranged_by: visit.arranged_by_name.unwrap_or_default(),
        at: local_time(visit.scheduled_at),
        mode: t.tk("key_account.mode", &visit.mode),
        purpose: visit.purpose,
        planned: visit.state == "planned",
        state: t.tk("key_account.state", &visit.state),
        summary: visit.summary.unwrap_or_default(),
        requests: visit.requests.unwrap_or_default(),
        actions: visit.actions.unwrap_or_default(),
        reported_at: visit.reported_at.map(local_time).unwrap_or_default(),
        cancel_reason: visit.cancel_reason.unwrap_or_default(),
        ratings: v
            .ratings
            .into_iter()
            .map(|r| (local_time(r.rated_at), r.agent_name, r.score, r.comment))
            .collect(),
        form,
        error,
    })
}

/// `/key-accounts/visits/{id}`
pub async fn visit(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let p = visit_page(&state, &identity, id, Vec::new(), None).await?;
    render(StatusCode::OK, &p)
}

/// `POST /key-accounts/visits/{id}/report`
pub async fn report(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let score = field(&pairs, "score").trim();
    let form = ReportForm {
        report: VisitReport {
            summary: field(&pairs, "summary").to_owned(),
            requests: field(&pairs, "requests").to_owned(),
            actions: field(&pairs, "actions").to_owned(),
        },
        // Not a number: out of range, so the rule's refusal says what a rating is.
        rating: (!score.is_empty()).then(|| {
            (
                score.parse().unwrap_or(0),
                field(&pairs, "comment").to_owned(),
            )
        }),
    };
    match state
        .app
        .report_manager_visit(&identity.actor(), id, &form)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/key-accounts/visits/{id}")).into_response()),
        Err(kefu_app::AppError::Forbidden) => Err(WebError::Forbidden),
        Err(kefu_app::AppError::NotFound) => Err(WebError::NotFound),
        Err(e) => {
            let (status, message) = refusal(e, identity.tr());
            let p = visit_page(&state, &identity, id, pairs, Some(message)).await?;
            render(status, &p)
        }
    }
}

/// `POST /key-accounts/visits/{id}/cancel`
pub async fn cancel(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    match state
        .app
        .cancel_manager_visit(&identity.actor(), id, field(&pairs, "reason"))
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/key-accounts/visits/{id}")).into_response()),
        Err(kefu_app::AppError::Forbidden) => Err(WebError::Forbidden),
        Err(kefu_app::AppError::NotFound) => Err(WebError::NotFound),
        Err(e) => {
            let (status, message) = refusal(e, identity.tr());
            let p = visit_page(&state, &identity, id, pairs, Some(message)).await?;
            render(status, &p)
        }
    }
}

struct ChangeLine {
    id: i64,
    customer_id: i64,
    customer: String,
    from: String,
    score: i64,
    comment: String,
    waiting: bool,
    decided: String,
    at: String,
}

#[derive(Template)]
#[template(path = "agent_changes.html")]
struct ChangesPage {
    t: Tr,
    layout: Layout,
    lines: Vec<ChangeLine>,
    agents: People,
    can_decide: bool,
    error: Option<String>,
}

async fn changes_page(
    state: &AppState,
    identity: &Identity,
    error: Option<String>,
) -> Result<ChangesPage, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let can_decide = identity
        .user
        .as_ref()
        .is_some_and(|u| u.allows(Permission::KeyAccountApprove));
    let (_, agents) = state.app.key_account_people(&actor).await?;
    let lines = state
        .app
        .agent_changes(&actor, false)
        .await?
        .into_iter()
        .map(|c| ChangeLine {
            id: c.id,
            customer_id: c.customer_id,
            customer: c.customer_name,
            from: c.from_agent_name,
            score: c.score,
            comment: c.comment,
            waiting: c.state == "proposed",
            decided: match (c.state.as_str(), c.to_agent_name) {
                ("applied", Some(to)) => format!(
                    "{} → {to} · {} {}",
                    t.t("key_account.applied"),
                    c.decided_by_name.unwrap_or_default(),
                    c.decided_at.map(local_time).unwrap_or_default()
                ),
                ("dismissed", _) => format!(
                    "{} · {} {}",
                    t.t("key_account.dismissed"),
                    c.decided_by_name.unwrap_or_default(),
                    c.decided_at.map(local_time).unwrap_or_default()
                ),
                _ => String::new(),
            },
            at: local_time(c.created_at),
        })
        .collect();
    Ok(ChangesPage {
        t,
        layout: Layout::new(identity, "/key-accounts"),
        lines,
        agents,
        can_decide,
        error,
    })
}

/// `/key-accounts/changes`
pub async fn changes(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Response, WebError> {
    let p = changes_page(&state, &identity, None).await?;
    render(StatusCode::OK, &p)
}

/// `POST /key-accounts/changes/{id}/apply`: the new agent (`to_agent`) takes the customer.
pub async fn apply(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let to = field(&pairs, "to_agent").trim().parse().unwrap_or(0);
    let result = state
        .app
        .apply_agent_change(&identity.actor(), id, to, field(&pairs, "note"))
        .await;
    decided(&state, &identity, result).await
}

/// `POST /key-accounts/changes/{id}/dismiss`: the agent stays.
pub async fn dismiss(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let result = state
        .app
        .dismiss_agent_change(&identity.actor(), id, field(&pairs, "note"))
        .await;
    decided(&state, &identity, result).await
}

async fn decided(
    state: &AppState,
    identity: &Identity,
    result: kefu_app::Result<()>,
) -> Result<Response, WebError> {
    match result {
        Ok(()) => Ok(Redirect::to("/key-accounts/changes").into_response()),
        Err(kefu_app::AppError::Forbidden) => Err(WebError::Forbidden),
        Err(kefu_app::AppError::NotFound) => Err(WebError::NotFound),
        Err(e) => {
            let (status, message) = refusal(e, identity.tr());
            let p = changes_page(state, identity, Some(message)).await?;
            render(status, &p)
        }
    }
}
