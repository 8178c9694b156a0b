//! The queue page: a personal queue with filters, sort, keyset pages, saved filters and
//! bulk actions.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::AppError;
use kefu_app::ticket::{DueWindow, Queue, QueueCounts, QueueQuery, TicketChanges};
use kefu_domain::ticket::{Channel, Priority, StatusCategory, TicketType};
use kefu_store::ticket::{Cursor, SortKey, TicketFilter};

use super::{
    Choice, field, non_empty, priority_choices, status_choices, status_name, type_choices,
};
use crate::AppState;
use crate::auth::{Identity, urlencode};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::routes::pages::{form_key, render};
use crate::view::{Layout, local_time};

pub struct Row {
    pub id: i64,
    pub number: String,
    pub subject: String,
    pub customer: String,
    pub status: String,
    pub category: &'static str,
    pub priority: String,
    pub priority_key: &'static str,
    pub ticket_type: String,
    pub assignee: String,
    pub updated: String,
    /// The running SLA deadline, and whether it has passed.
    pub due: String,
    pub overdue: bool,
}

pub struct QueueTab {
    pub key: &'static str,
    pub label: String,
    pub count: Option<i64>,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "tickets_queue.html")]
struct QueuePage {
    t: Tr,
    layout: Layout,
    tabs: Vec<QueueTab>,
    queue: &'static str,
    rows: Vec<Row>,
    statuses: Vec<Choice>,
    types: Vec<Choice>,
    priorities: Vec<Choice>,
    q: String,
    tag: String,
    sort: &'static str,
    ascending: bool,
    /// The current filter as a query string, for saving and for the bulk form's return.
    current: String,
    next_href: Option<String>,
    first_href: Option<String>,
    views: Vec<(i64, String, String)>,
    /// Narrowing the workbench's tiles add (a deadline window, waiting for an answer, an
    /// age), in words, with the same queue without them; carried by the filter form.
    narrowed: Vec<String>,
    unnarrowed: String,
    due: &'static str,
    awaiting: bool,
    age: String,
    /// The archive's customer the queue is narrowed to (its id), from the ticket page's
    /// customer card.
    customer: String,
    /// Agents a bulk action may assign to.
    agents: Vec<Choice>,
    /// Whether the signed-in agent takes automatically assigned tickets now.
    on_shift: bool,
    error: Option<String>,
    /// What the bulk action just done did, in words.
    done: Option<String>,
}

/// The queue page's query, as submitted. An empty filter is "any"; an unknown key of a
/// closed set (a priority, a queue…) is refused with the keys allowed, not ignored.
fn parse(pairs: &[(String, String)]) -> Result<(QueueQuery, String), WebError> {
    let get = |k| field(pairs, k);
    let mut filter = TicketFilter {
        status: non_empty(get("status")).map(str::to_owned),
        ticket_type: form_key::<TicketType>(pairs, "type")?,
        priority: form_key::<Priority>(pairs, "priority")?,
        channel: form_key::<Channel>(pairs, "channel")?,
        tag: non_empty(get("tag")).map(|t| t.to_lowercase()),
        customer_tier: non_empty(get("tier")).map(str::to_owned),
        text: non_empty(get("q")).map(str::to_owned),
        awaiting_reply: get("awaiting") == "1",
        ..TicketFilter::default()
    };
    let due = match get("due") {
        "" => None,
        d => Some(DueWindow::parse(d).ok_or_else(|| {
            crate::input::unknown_value("due", d, DueWindow::ALL.map(DueWindow::key))
        })?),
    };
    filter.customer_id = match get("customer") {
        "" => None,
        c => Some(
            c.parse::<i64>()
                .map_err(|_| WebError::bad_request("invalid_field", format!("customer: {c:?}")))?,
        ),
    };
    let older_than_days = match get("age") {
        "" => None,
        a => Some(
            a.parse::<i64>()
                .ok()
                .filter(|d| (0..=3650).contains(d))
                .ok_or_else(|| WebError::bad_request("invalid_field", format!("age: {a:?}")))?,
        ),
    };
    if let Some(c) = form_key::<StatusCategory>(pairs, "category")? {
        filter.categories = vec![c];
    }
    let queue = match get("queue") {
        "" => Queue::default(),
        q => Queue::parse(q)
            .ok_or_else(|| crate::input::unknown_value("queue", q, Queue::ALL.map(Queue::key)))?,
    };
    // The overdue queue reads most overdue first unless asked otherwise: its tickets are
    // found by deadline, so this order is also the one the index gives for free.
    let overdue_default = queue == Queue::Overdue && get("sort").is_empty();
    let sort = match get("sort") {
        "created" => SortKey::Created,
        "priority" => SortKey::Priority,
        "due" => SortKey::Due,
        _ if overdue_default => SortKey::Due,
        _ => SortKey::Updated,
    };
    let after = get("after").split_once('.').and_then(|(v, id)| {
        Some(Cursor {
            value: v.parse().ok()?,
            id: id.parse().ok()?,
        })
    });
    let query = QueueQuery {
        queue,
        filter,
        due,
        older_than_days,
        sort,
        ascending: get("dir") == "asc" || (overdue_default && get("dir").is_empty()),
        after,
        limit: get("limit").parse().unwrap_or(50),
    };
    // The filter without the page position (nor a bulk action's report), to build links
    // from.
    let current = pairs
        .iter()
        .filter(|(k, v)| {
            k != "after" && !v.is_empty() && k != "_csrf" && !k.starts_with(DONE_PREFIX)
        })
        .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
        .collect::<Vec<_>>()
        .join("&");
    Ok((query, current))
}

fn sort_key(s: SortKey) -> &'static str {
    match s {
        SortKey::Updated => "updated",
        SortKey::Created => "created",
        SortKey::Priority => "priority",
        SortKey::Due => "due",
    }
}

async fn page(
    state: &AppState,
    identity: &Identity,
    pairs: &[(String, String)],
    error: Option<String>,
) -> Result<QueuePage, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let (query, current) = parse(pairs)?;
    let statuses = state.app.ticket_statuses(&actor).await?;
    let page = state.app.queue_page(&actor, &query).await?;
    let counts: QueueCounts = state.app.queue_counts(&actor).await?;
    let on_shift = state.app.is_on_shift(&actor).await?;
    let agents: Vec<Choice> = state
        .app
        .list_users(&actor)
        .await?
        .into_iter()
        .filter(|u| u.active && u.roles.allows(kefu_domain::Permission::TicketWork))
        .map(|u| Choice {
            value: u.id.to_string(),
            label: u.display_name,
            selected: false,
        })
        .collect();
    let done = bulk_notice(t, pairs, &agents);
    let now = state.app.now();
    let views = state
        .app
        .saved_views(&actor)
        .await?
        .into_iter()
        .map(|v| (v.id, v.name, v.query))
        .collect();
    let tabs = Queue::ALL
        .iter()
        .map(|q| QueueTab {
            key: q.key(),
            label: t.tk("queue", q.key()),
            count: match q {
                Queue::Mine => Some(counts.mine),
                Queue::Unassigned => Some(counts.unassigned),
                Queue::MyGroups => Some(counts.groups),
                Queue::Pending => Some(counts.pending),
                Queue::Overdue => Some(counts.overdue),
                _ => None,
            },
            active: *q == query.queue,
        })
        .collect();
    let rows = page
        .tickets
        .iter()
        .map(|tk| Row {
            id: tk.id,
            number: tk.number.clone(),
            subject: tk.subject.clone(),
            customer: tk
                .customer_name
                .clone()
                .or_else(|| tk.contact_name.clone())
                .unwrap_or_default(),
            status: status_name(&statuses, &tk.status, identity.locale),
            category: tk.category.key(),
            priority: t.tk("priority", tk.priority.key()),
            priority_key: tk.priority.key(),
            ticket_type: t.tk("ticket_type", tk.ticket_type.key()),
            assignee: tk.assignee_name.clone().unwrap_or_default(),
            updated: local_time(tk.updated_at),
            due: tk.sla.next_due_at.map(local_time).unwrap_or_default(),
            overdue: tk.sla.next_due_at.is_some_and(|d| d < now),
        })
        .collect();
    let base = if current.is_empty() {
        "/tickets?".to_owned()
    } else {
        format!("/tickets?{current}&")
    };
    let next_href = page
        .next
        .map(|c| format!("{base}after={}.{}", c.value, c.id));
    let first_href = query
        .after
        .map(|_| base.trim_end_matches(['&', '?']).to_owned());
    let mut narrowed = Vec::new();
    if let Some(w) = query.due {
        narrowed.push(t.tk("tickets.due", w.key()));
    }
    if query.filter.awaiting_reply {
        narrowed.push(t.t("tickets.awaiting").to_owned());
    }
    if let Some(days) = query.older_than_days {
        narrowed.push(t.f(
            "workbench.line.older_than",
            &[("days", days.to_string().as_str())],
        ));
    }
    if let Some(cid) = query.filter.customer_id {
        narrowed.push(super::card::customer_words(state, identity, cid).await);
    }
    Ok(QueuePage {
        t,
        layout: Layout::new(identity, "/tickets"),
        tabs,
        queue: query.queue.key(),
        rows,
        statuses: status_choices(
            &statuses,
            query.filter.status.as_deref().unwrap_or(""),
            identity.locale,
        ),
        types: type_choices(t, query.filter.ticket_type),
        priorities: priority_choices(t, query.filter.priority),
        q: query.filter.text.clone().unwrap_or_default(),
        tag: query.filter.tag.clone().unwrap_or_default(),
        sort: sort_key(query.sort),
        ascending: query.ascending,
        current,
        next_href,
        first_href,
        views,
        narrowed,
        unnarrowed: format!("/tickets?queue={}", query.queue.key()),
        due: query.due.map_or("", DueWindow::key),
        awaiting: query.filter.awaiting_reply,
        age: query
            .older_than_days
            .map(|d| d.to_string())
            .unwrap_or_default(),
        customer: query
            .filter
            .customer_id
            .map(|c| c.to_string())
            .unwrap_or_default(),
        agents,
        on_shift,
        error,
        done,
    })
}

pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    crate::routes::pages::ok(&page(&state, &identity, &pairs, None).await?)
}

/// The query keys a bulk action's report comes back with (never part of the filter).
const DONE_PREFIX: &str = "done";

/// The actions of the bulk form.
const BULK_ACTIONS: [&str; 6] = ["assign_me", "assign", "unassign", "resolve", "close", "tag"];

/// 批量操作结果 — what the bulk action did, told from the query it came back with: how
/// many tickets changed, and how many already were as asked.
fn bulk_notice(t: Tr, pairs: &[(String, String)], agents: &[Choice]) -> Option<String> {
    let action = field(pairs, "done");
    if !BULK_ACTIONS.contains(&action) {
        return None;
    }
    let changed: usize = field(pairs, "done_changed").parse().ok()?;
    let same: usize = field(pairs, "done_same").parse().unwrap_or(0);
    if changed == 0 {
        return Some(t.f(
            "tickets.bulk_done.nothing",
            &[("count", same.to_string().as_str())],
        ));
    }
    let n = changed.to_string();
    let to = field(pairs, "done_to");
    let name = agents
        .iter()
        .find(|a| a.value == to)
        .map_or(to, |a| a.label.as_str());
    let mut text = match action {
        "assign" | "assign_me" => t.f(
            "tickets.bulk_done.assigned",
            &[("count", n.as_str()), ("name", name)],
        ),
        "unassign" => t.f("tickets.bulk_done.unassigned", &[("count", n.as_str())]),
        "resolve" => t.f("tickets.bulk_done.resolved", &[("count", n.as_str())]),
        "close" => t.f("tickets.bulk_done.closed", &[("count", n.as_str())]),
        _ => t.f(
            "tickets.bulk_done.tagged",
            &[("count", n.as_str()), ("tag", field(pairs, "done_tag"))],
        ),
    };
    if same > 0 {
        text.push_str(&t.f(
            "tickets.bulk_done.same",
            &[("count", same.to_string().as_str())],
        ));
    }
    Some(text)
}

/// Applies one action to the ticked tickets, then returns to the same queue, saying what
/// it did.
pub async fn bulk(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let ids: Vec<i64> = pairs
        .iter()
        .filter(|(k, _)| k == "ids")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let me = identity.user()?.id;
    let mut changes = TicketChanges::default();
    let action = field(&pairs, "action");
    let mut report: Vec<(String, String)> = vec![(DONE_PREFIX.to_owned(), action.to_owned())];
    match action {
        "assign_me" => {
            changes.assignee_id = Some(Some(me));
            report.push(("done_to".into(), me.to_string()));
        }
        "assign" => {
            let to: i64 = field(&pairs, "bulk_assignee")
                .parse()
                .map_err(|_| WebError::bad_request("invalid_field", "bulk_assignee"))?;
            changes.assignee_id = Some(Some(to));
            report.push(("done_to".into(), to.to_string()));
        }
        "unassign" => changes.assignee_id = Some(None),
        "resolve" => changes.status = Some(StatusCategory::Resolved.key().into()),
        "close" => changes.status = Some(StatusCategory::Closed.key().into()),
        "tag" => {
            changes.add_tags = Some(field(&pairs, "bulk_tag").to_owned());
            report.push((
                "done_tag".into(),
                field(&pairs, "bulk_tag").trim().to_owned(),
            ));
        }
        other => return Err(WebError::bad_request("bad_action", other)),
    }
    let back = field(&pairs, "return").to_owned();
    let back_pairs: Vec<(String, String)> = serde_urlencoded::from_str(&back).unwrap_or_default();
    match state
        .app
        .bulk_update(&identity.actor(), &ids, &changes)
        .await
    {
        Ok(outcome) => {
            report.push(("done_changed".into(), outcome.changed.to_string()));
            report.push(("done_same".into(), outcome.unchanged.to_string()));
            let report = serde_urlencoded::to_string(&report).unwrap_or_default();
            let to = if back.is_empty() {
                format!("/tickets?{report}")
            } else {
                format!("/tickets?{back}&{report}")
            };
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => {
            // One ticket refused leaves the whole batch as it was: say so, with the reason.
            let whole_batch = matches!(e, AppError::InTicket { .. });
            let t = identity.tr();
            let mut message = WebError::from(e).into_info().message(t);
            if whole_batch {
                message = t.f(
                    "tickets.bulk_done.none",
                    &[
                        ("count", ids.len().to_string().as_str()),
                        ("reason", message.as_str()),
                    ],
                );
            }
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page(&state, &identity, &back_pairs, Some(message)).await?,
            )
        }
    }
}

/// Saves the current filter under a name.
pub async fn save_view(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let query = field(&pairs, "query").to_owned();
    match state
        .app
        .save_view(&identity.actor(), field(&pairs, "name"), &query)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/tickets?{query}")).into_response()),
        Err(e) => {
            let message = WebError::from(e).into_info().message(identity.tr());
            let back: Vec<(String, String)> =
                serde_urlencoded::from_str(&query).unwrap_or_default();
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page(&state, &identity, &back, Some(message)).await?,
            )
        }
    }
}

pub async fn delete_view(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    state.app.delete_view(&identity.actor(), id).await?;
    Ok(Redirect::to("/tickets").into_response())
}

/// 上班/下班 — the agent says whether they take automatically assigned tickets now.
pub async fn set_shift(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let on = field(&pairs, "on") == "1";
    state.app.set_on_shift(&identity.actor(), on).await?;
    let back = field(&pairs, "return");
    Ok(Redirect::to(&format!("/tickets?{back}")).into_response())
}
