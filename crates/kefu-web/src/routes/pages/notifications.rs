//! The notification list behind the bell.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};

use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

pub struct Item {
    pub id: i64,
    pub text: String,
    pub at: String,
    pub unread: bool,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    t: Tr,
    layout: Layout,
    items: Vec<Item>,
    /// Only the unread ones are listed (`?unread=1`, the workbench's tile).
    unread_only: bool,
}

/// The text of a notification in the reader's language.
fn text(t: Tr, kind: &str, params: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(params).unwrap_or_default();
    let get = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
    let target = t.tk("sla", &get("target"));
    // An instant (a deadline) in local time; a date (a measure's due day) as it is.
    let due = get("due")
        .parse::<jiff::Timestamp>()
        .map(local_time)
        .unwrap_or_else(|_| get("due"));
    let number = get("number");
    let subject = get("subject");
    let text = get("text");
    let stage = t.tk("complaint_stage", &get("stage"));
    // A call's number, stored masked.
    let phone = get("phone");
    // A chat transferred: who from, and the visitor's name.
    let from = get("from");
    let visitor = get("visitor");
    // A follow-up visit's customer, a coverage period and its counts, the proving seconds.
    let customer = get("customer");
    let coverage = get("coverage");
    let count = |k: &str| v[k].as_i64().map(|n| n.to_string()).unwrap_or_default();
    let (missing, total, seconds) = (count("missing"), count("total"), count("seconds"));
    // A weekly follow-up analysis: its week and figures.
    let week = get("week");
    // A low satisfaction score.
    let score = get("score");
    // A relationship survey's detractor: which survey.
    let survey_name = get("survey_name");
    let satisfied = get("satisfied");
    let (done, unsatisfied, overdue) = (count("done"), count("unsatisfied"), count("overdue"));
    // Working time changed by someone else: who, which date, an absence's last day.
    let (by, date, to) = (get("by"), get("date"), get("to"));
    // Quality: an inspection's result and an appeal's decision, the agent who appealed.
    let result = match get("result").as_str() {
        "" => String::new(),
        r => t.tk("quality.result", r),
    };
    let decision = match get("decision").as_str() {
        "" => String::new(),
        d => t.tk("quality.decision", d),
    };
    let agent = get("agent");
    // Defective goods: the disposal proposed.
    let disposal = match get("disposal").as_str() {
        "" => String::new(),
        d => t.tk("stock.disposal", d),
    };
    let n = count("count");
    t.f(
        &format!("notification.{kind}"),
        &[
            ("number", number.as_str()),
            ("subject", subject.as_str()),
            ("target", target.as_str()),
            ("due", due.as_str()),
            ("text", text.as_str()),
            ("stage", stage.as_str()),
            ("phone", phone.as_str()),
            ("from", from.as_str()),
            ("visitor", visitor.as_str()),
            ("customer", customer.as_str()),
            ("coverage", coverage.as_str()),
            ("missing", missing.as_str()),
            ("total", total.as_str()),
            ("seconds", seconds.as_str()),
            ("week", week.as_str()),
            ("done", done.as_str()),
            ("satisfied", satisfied.as_str()),
            ("unsatisfied", unsatisfied.as_str()),
            ("overdue", overdue.as_str()),
            ("score", score.as_str()),
            ("survey_name", survey_name.as_str()),
            ("by", by.as_str()),
            ("date", date.as_str()),
            ("to", to.as_str()),
            ("result", result.as_str()),
            ("decision", decision.as_str()),
            ("agent", agent.as_str()),
            ("count", n.as_str()),
            ("disposal", disposal.as_str()),
        ],
    )
}

pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let unread_only = super::tickets::field(&pairs, "unread") == "1";
    let list = if unread_only {
        state
            .app
            .unread_notification_list(&identity.actor())
            .await?
    } else {
        state.app.notifications(&identity.actor()).await?
    };
    let items = list
        .into_iter()
        .map(|n| Item {
            id: n.id,
            text: text(t, &n.kind, &n.params),
            at: local_time(n.created_at),
            unread: n.read_at.is_none(),
        })
        .collect();
    crate::routes::pages::ok(&NotificationsPage {
        t,
        layout: Layout::new(&identity, "/notifications"),
        items,
        unread_only,
    })
}

/// Where a notification opens, from what it is about.
fn target_of(params: &str, ticket_id: Option<i64>) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(params).unwrap_or_default();
    // An RMA's notification opens the RMA (a complaint's RMA included: it moves there).
    if let Some(r) = v["rma"].as_i64() {
        return Some(format!("/aftersales/rmas/{r}"));
    }
    if let Some(d) = v["dispute"].as_i64() {
        return Some(format!("/aftersales/disputes/{d}"));
    }
    if let Some(o) = v["order"].as_i64() {
        return Some(format!("/orders/{o}"));
    }
    if let Some(s) = v["statement"].as_i64() {
        return Some(format!("/statements/{s}"));
    }
    if let Some(r) = v["custom_request"].as_i64() {
        return Some(format!("/custom-requests/{r}"));
    }
    if let Some(period) = v["fault_period"].as_str() {
        return Some(format!("/aftersales/faults?period={period}"));
    }
    if let Some(d) = v["defective"].as_i64() {
        return Some(format!("/aftersales/defective/{d}"));
    }
    if let (Some(l), Some(period)) = (v["stock_plan"].as_i64(), v["date"].as_str()) {
        return Some(format!("/aftersales/stock/plans/{l}/{period}"));
    }
    // A complaint's notification opens the complaint: its department's staff may not work
    // tickets.
    if let Some(c) = v["complaint"].as_i64() {
        return Some(format!("/complaints/{c}"));
    }
    // Quality: an inspection opens its page; the day's sample the inspector's list.
    if let Some(m) = v["measure"].as_i64() {
        return Some(format!("/quality/measures/{m}"));
    }
    if let Some(a) = v["anomaly"].as_i64() {
        return Some(format!("/quality/anomalies/{a}"));
    }
    if let Some(i) = v["inspection"].as_i64() {
        return Some(format!("/quality/inspections/{i}"));
    }
    if let Some(date) = v["quality_report"].as_str() {
        return Some(format!("/quality/reports/{date}"));
    }
    if v["quality_sample"].as_str().is_some() {
        return Some("/quality/inspections?scope=todo".to_owned());
    }
    // A proposed script is decided in the approvals inbox.
    if v["script"].as_i64().is_some() {
        return Some("/approvals?kind=reply_script".to_owned());
    }
    // A missed call opens the call, whose page has its callback.
    if let Some(call) = v["call"].as_i64() {
        return Some(format!("/calls/{call}"));
    }
    // A follow-up visit opens its page; a coverage warning the coverage it is about.
    if let Some(visit) = v["visit"].as_i64() {
        return Some(format!("/follow-ups/{visit}"));
    }
    if let (Some(period), Some(tier)) = (v["coverage"].as_str(), v["tier"].as_str()) {
        return Some(format!("/follow-ups/coverage?period={period}&tier={tier}"));
    }
    // The key accounts: a visit arranged, a plan or policy to look at, a change of agent
    // to decide, an account taken.
    if let Some(visit) = v["manager_visit"].as_i64() {
        return Some(format!("/key-accounts/visits/{visit}"));
    }
    if let Some(customer) = v["key_account_page"].as_i64() {
        return Some(format!("/key-accounts/{customer}"));
    }
    if v["agent_change"].as_i64().is_some() {
        return Some("/key-accounts/changes".to_owned());
    }
    if let Some(customer) = v["key_account"].as_i64() {
        return Some(format!("/customers/{customer}"));
    }
    // A relationship survey's detractor opens the round they answered.
    if let (Some(survey), Some(period)) = (v["relationship"].as_i64(), v["period"].as_str()) {
        return Some(format!(
            "/satisfaction/relationship/{survey}?period={period}"
        ));
    }
    // A low satisfaction score opens the low scores waiting for their follow-up.
    if v["survey"].as_i64().is_some() {
        return Some("/satisfaction?low=1".to_owned());
    }
    if let Some(week) = v["week"].as_str() {
        return Some(format!("/follow-ups/analysis?week={week}"));
    }
    // A roster changed opens its week; an absence recorded the absences.
    if let Some(week) = v["roster_week"].as_str() {
        return Some(format!("/shifts?week={week}"));
    }
    if v["absences"].as_i64().is_some() {
        return Some("/absences".to_owned());
    }
    // A chat transferred opens it in the chat console.
    if let Some(chat) = v["session"].as_i64() {
        return Some(format!("/chat?session={chat}"));
    }
    // A mailbox that cannot be read opens its settings, which say why.
    if let Some(mailbox) = v["mailbox"].as_i64() {
        return Some(format!("/admin/channels/{mailbox}"));
    }
    ticket_id.map(|tid| format!("/tickets/{tid}"))
}

/// Marks one read and opens what it is about.
pub async fn open(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let actor = identity.actor();
    state.app.mark_notifications_read(&actor, Some(id)).await?;
    let target = state
        .app
        .notifications(&actor)
        .await?
        .into_iter()
        .find(|n| n.id == id)
        .and_then(|n| target_of(&n.params, n.ticket_id))
        .unwrap_or_else(|| "/notifications".into());
    Ok(Redirect::to(&target).into_response())
}

pub async fn read_all(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Response, WebError> {
    state
        .app
        .mark_notifications_read(&identity.actor(), None)
        .await?;
    Ok(Redirect::to("/notifications").into_response())
}
