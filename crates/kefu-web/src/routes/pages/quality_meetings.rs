//! 质量异常讨论会 — the meetings; a period's agenda (the Pareto of its anomalies by service
//! item, the causes, the measures and their state — printable) with the form recording the
//! meeting; one meeting's minutes with the measures it decided, as they stand now.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::Date;
use kefu_app::quality::{MeasureForm, MeetingForm, MeetingSummary};
use kefu_domain::quality::measure::MeasureKind;
use kefu_domain::quality::meeting::MeetingError;

use super::quality_anomalies::{MeasureLine, Opt, measure_line, opts};
use super::tickets::{field, non_empty};
use super::{input_refusal, render};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

/// New measure rows the record form offers.
const MEASURE_ROWS: usize = 3;

/// One bar of the Pareto chart, in SVG units, with its point on the cumulative line.
pub(crate) struct ParetoBar {
    pub label: String,
    pub count: i64,
    pub share: String,
    pub cumulative: String,
    pub vital: bool,
    pub x: i64,
    pub y: i64,
    pub w: i64,
    pub h: i64,
    /// The cumulative line's point above the bar's middle.
    pub cx: i64,
    pub cy: i64,
}

const CHART_W: i64 = 720;
const CHART_H: i64 = 180;

fn bars(s: &MeetingSummary) -> (Vec<ParetoBar>, String) {
    let n = s.pareto.len().max(1) as i64;
    let slot = CHART_W / n;
    let w = (slot * 7 / 10).max(4);
    let most = s.pareto.first().map_or(1, |l| l.count.max(1));
    let bars: Vec<ParetoBar> = s
        .pareto
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let h = l.count * CHART_H / most;
            let x = i as i64 * slot + (slot - w) / 2;
            ParetoBar {
                label: l.label.clone(),
                count: l.count,
                share: kefu_app::quality::percent(l.share_permille),
                cumulative: kefu_app::quality::percent(l.cumulative_permille),
                vital: l.vital,
                x,
                y: CHART_H - h,
                w,
                h,
                cx: x + w / 2,
                cy: CHART_H - l.cumulative_permille * CHART_H / 1000,
            }
        })
        .collect();
    let line = bars
        .iter()
        .map(|b| format!("{},{}", b.cx, b.cy))
        .collect::<Vec<_>>()
        .join(" ");
    (bars, line)
}

/// The summary as pages show it.
pub(crate) struct SummaryView {
    pub from: String,
    pub to: String,
    pub total: i64,
    pub bars: Vec<ParetoBar>,
    pub line: String,
    pub causes: Vec<(String, String, i64)>,
    pub states: Vec<(String, i64)>,
    pub measures: Vec<MeasureLine>,
}

fn summary_view(t: Tr, s: MeetingSummary) -> SummaryView {
    let (bars, line) = bars(&s);
    SummaryView {
        from: s.from.to_string(),
        to: s.to.to_string(),
        total: s.total,
        bars,
        line,
        causes: s
            .causes
            .iter()
            .map(|(item, cause, n)| {
                let cause = if cause.is_empty() {
                    t.t("quality.meeting.not_investigated").to_owned()
                } else {
                    t.tk("quality.anomaly.cause", cause)
                };
                (item.clone(), cause, *n)
            })
            .collect(),
        states: s
            .measure_states
            .iter()
            .map(|(k, n)| (t.tk("quality.measure.status", k), *n))
            .collect(),
        measures: s.measures.into_iter().map(|m| measure_line(t, m)).collect(),
    }
}

struct MeetingLine {
    id: i64,
    title: String,
    held_on: String,
    period: String,
}

#[derive(Template)]
#[template(path = "quality_meetings.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    meetings: Vec<MeetingLine>,
    from: String,
    to: String,
}

/// `/quality/meetings`
pub async fn list(State(state): State<AppState>, identity: Identity) -> Result<Response, WebError> {
    let t = identity.tr();
    let meetings = state
        .app
        .quality_meetings(&identity.actor())
        .await?
        .into_iter()
        .map(|m| MeetingLine {
            id: m.id,
            title: m.title,
            held_on: m.held_on,
            period: format!("{} – {}", m.period_from, m.period_to),
        })
        .collect();
    let today = state.app.follow_up_today().await?;
    let month_ago = today
        .checked_sub(jiff::Span::new().days(30))
        .unwrap_or(today);
    render(
        StatusCode::OK,
        &ListPage {
            t,
            layout: Layout::new(&identity, "/quality/inspections"),
            meetings,
            from: month_ago.to_string(),
            to: today.to_string(),
        },
    )
}

/// A new measure row of the record form, as typed.
struct MeasureRow {
    n: usize,
    anomalies: Vec<Opt>,
    kinds: Vec<Opt>,
    owners: Vec<Opt>,
    due: String,
    body: String,
}

#[derive(Template)]
#[template(path = "quality_meeting_agenda.html")]
struct AgendaPage {
    t: Tr,
    layout: Layout,
    s: SummaryView,
    title: String,
    held_on: String,
    decisions: String,
    people: Vec<Opt>,
    rows: Vec<MeasureRow>,
    error: Option<String>,
}

/// The period asked (`from`, `to`), both days included.
fn period(q: &[(String, String)]) -> Result<(Date, Date), WebError> {
    Ok((
        kefu_domain::dates::parse("from", field(q, "from"))?,
        kefu_domain::dates::parse("to", field(q, "to"))?,
    ))
}

async fn agenda_page(
    state: &AppState,
    identity: &Identity,
    from: Date,
    to: Date,
    typed: Option<&[(String, String)]>,
    error: Option<String>,
) -> Result<AgendaPage, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let summary = state.app.quality_meeting_summary(&actor, from, to).await?;
    let users: Vec<(String, String)> = state
        .app
        .list_users(&actor)
        .await?
        .into_iter()
        .filter(|u| u.active)
        .map(|u| (u.id.to_string(), u.display_name))
        .collect();
    let anomalies: Vec<(String, String)> = summary
        .anomalies
        .iter()
        .map(|a| {
            (
                a.id.to_string(),
                format!(
                    "{} · {} · {}",
                    a.number,
                    a.service_item,
                    a.description.chars().take(30).collect::<String>()
                ),
            )
        })
        .collect();
    let kinds: Vec<(String, String)> = MeasureKind::ALL
        .iter()
        .map(|k| (k.key().to_owned(), t.tk("quality.measure.kind", k.key())))
        .collect();
    let typed_of = |k: &str| typed.map(|p| field(p, k).to_owned()).unwrap_or_default();
    let chosen: Vec<String> = typed
        .map(|p| {
            p.iter()
                .filter(|(k, _)| k == "attendee")
                .map(|(_, v)| v.clone())
                .collect()
        })
        .unwrap_or_default();
    let people = users
        .iter()
        .map(|(value, label)| Opt {
            selected: chosen.contains(value),
            value: value.clone(),
            label: label.clone(),
        })
        .collect();
    let choose = t.t("quality.choose");
    let rows = (0..MEASURE_ROWS)
        .map(|n| MeasureRow {
            n,
            anomalies: opts(
                anomalies.clone(),
                &typed_of(&format!("anomaly{n}")),
                Some(choose.to_owned()),
            ),
            kinds: opts(kinds.clone(), &typed_of(&format!("kind{n}")), None),
            owners: opts(
                users.clone(),
                &typed_of(&format!("owner{n}")),
                Some(choose.to_owned()),
            ),
            due: typed_of(&format!("due{n}")),
            body: typed_of(&format!("body{n}")),
        })
        .collect();
    let today = state.app.follow_up_today().await?;
    Ok(AgendaPage {
        t,
        layout: Layout::new(identity, "/quality/inspections"),
        s: summary_view(t, summary),
        title: typed_of("title"),
        held_on: non_empty(&typed_of("held_on")).map_or_else(|| today.to_string(), str::to_owned),
        decisions: typed_of("decisions"),
        people,
        rows,
        error,
    })
}

/// `/quality/meetings/agenda?from=…&to=…`
pub async fn agenda(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (from, to) = period(&q)?;
    render(
        StatusCode::OK,
        &agenda_page(&state, &identity, from, to, None, None).await?,
    )
}

/// The record form as read: `from`, `to`, `title`, `held_on`, `decisions`, `attendee`
/// (repeated), and new measure rows `anomaly{n}`, `kind{n}`, `owner{n}`, `due{n}`,
/// `body{n}` (a row without a text is left out).
fn meeting_form(pairs: &[(String, String)]) -> Result<MeetingForm, WebError> {
    let (from, to) = period(pairs)?;
    let mut measures = Vec::new();
    for n in 0..MEASURE_ROWS {
        let f = |k: &str| field(pairs, &format!("{k}{n}")).trim().to_owned();
        if f("body").is_empty() {
            continue;
        }
        let incomplete = || WebError::App(MeetingError::MeasureIncomplete(n + 1).into());
        let anomaly = f("anomaly").parse::<i64>().map_err(|_| incomplete())?;
        let owner_id = f("owner").parse::<i64>().map_err(|_| incomplete())?;
        if f("due").is_empty() {
            return Err(incomplete());
        }
        measures.push((
            anomaly,
            MeasureForm {
                kind: crate::input::parse_key::<MeasureKind>("kind", &f("kind"))?,
                body: f("body"),
                owner_id,
                due_on: kefu_domain::dates::parse("due_on", &f("due"))?,
            },
        ));
    }
    Ok(MeetingForm {
        title: field(pairs, "title").to_owned(),
        from,
        to,
        held_on: kefu_domain::dates::parse("held_on", field(pairs, "held_on"))?,
        decisions: field(pairs, "decisions").to_owned(),
        attendees: pairs
            .iter()
            .filter(|(k, _)| k == "attendee")
            .filter_map(|(_, v)| v.parse().ok())
            .collect(),
        measures,
    })
}

/// `POST /quality/meetings`: the record, with its new measures.
pub async fn record(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (from, to) = period(&pairs)?;
    let outcome = match meeting_form(&pairs) {
        Ok(form) => state
            .app
            .record_quality_meeting(&identity.actor(), &form)
            .await
            .map_err(WebError::from),
        Err(e) => Err(e),
    };
    match outcome {
        Ok(id) => {
            Ok(Redirect::to(&format!("/quality/meetings/{id}?done=recorded")).into_response())
        }
        Err(e @ WebError::App(kefu_app::AppError::Forbidden)) => Err(e),
        Err(e) => {
            let (status, message) = input_refusal(e, identity.tr());
            render(
                status,
                &agenda_page(&state, &identity, from, to, Some(&pairs), Some(message)).await?,
            )
        }
    }
}

#[derive(Template)]
#[template(path = "quality_meeting.html")]
struct ShowPage {
    t: Tr,
    layout: Layout,
    title: String,
    held_on: String,
    recorded: String,
    attendees: String,
    decisions: String,
    decided: Vec<MeasureLine>,
    s: SummaryView,
    notice: Option<String>,
}

/// `/quality/meetings/{id}`
pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let v = state.app.quality_meeting(&identity.actor(), id).await?;
    let m = v.meeting;
    render(
        StatusCode::OK,
        &ShowPage {
            t,
            layout: Layout::new(&identity, "/quality/inspections"),
            title: m.title,
            held_on: m.held_on,
            recorded: format!(
                "{} · {}",
                local_time(m.created_at),
                m.created_by_name.unwrap_or_default()
            ),
            attendees: m.attendees.join("、"),
            decisions: m.decisions,
            decided: v.decided.into_iter().map(|x| measure_line(t, x)).collect(),
            s: summary_view(t, v.summary),
            notice: (field(&q, "done") == "recorded")
                .then(|| t.t("quality.meeting.recorded").to_owned()),
        },
    )
}
