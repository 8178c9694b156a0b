//! 投诉看板 — the board: every open complaint as a card in its stage's column, narrowed by
//! what the workbench's tiles open (a stage, the overdue ones, a notice's state, a cause,
//! a running RMA, mine).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use kefu_domain::Permission;
use kefu_domain::complaint::{Cause, Stage};
use kefu_store::complaint::{BoardFilter, NoticeWait};

use crate::routes::pages::form_key;
use crate::routes::pages::tickets::field;

use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

/// One card on the board.
pub struct Card {
    pub id: i64,
    pub number: String,
    /// The ticket's subject: what the complaint is about.
    pub subject: String,
    pub who: String,
    pub category: String,
    pub severity: String,
    pub severity_key: String,
    /// The stage's deadline, Beijing time (empty: the stage has none).
    pub due: String,
    /// The time left to the stage's deadline, or past it: 剩 2 天 3 小时 / 超期 5 小时.
    pub time_left: String,
    pub overdue: bool,
}

pub struct Column {
    pub stage: String,
    pub stage_key: String,
    pub cards: Vec<Card>,
}

#[derive(Template)]
#[template(path = "complaints.html")]
struct BoardPage {
    t: Tr,
    layout: Layout,
    columns: Vec<Column>,
    can_open: bool,
    can_report: bool,
    total: usize,
    /// Proposals waiting for the reader's approval (`None`: the reader does not approve).
    waiting: Option<usize>,
    /// The narrowing asked for, in words (empty: every open complaint).
    narrowed: Vec<String>,
}

/// The board's filter from its query: `stage`, `overdue=1`, `notice=open|overdue|answered`,
/// `mine=1`, `cause`, `rma=open`, `customer` (an archive customer's id, from the ticket
/// page's customer card); with the narrowing in words (the board adds the customer's name).
fn board_filter(
    pairs: &[(String, String)],
    identity: &Identity,
    now: jiff::Timestamp,
) -> Result<(BoardFilter, Vec<String>), WebError> {
    let t = identity.tr();
    let mut words = Vec::new();
    let mut f = BoardFilter {
        open_only: true,
        limit: kefu_app::complaint::BOARD_SHOWN,
        stage: form_key::<Stage>(pairs, "stage")?,
        ..BoardFilter::default()
    };
    if let Some(s) = f.stage {
        words.push(t.tk("complaint_stage", s.key()));
    }
    if field(pairs, "overdue") == "1" {
        f.overdue_at = Some(now);
        words.push(t.t("complaint.overdue").to_owned());
    }
    f.notice = match field(pairs, "notice") {
        "" => None,
        "open" => Some(NoticeWait::Unanswered),
        "overdue" => Some(NoticeWait::OverdueAt(now)),
        "answered" => Some(NoticeWait::Answered),
        other => {
            return Err(crate::input::unknown_value(
                "notice",
                other,
                ["open", "overdue", "answered"],
            ));
        }
    };
    if f.notice.is_some() {
        words.push(t.tk("complaints.notice_filter", field(pairs, "notice")));
    }
    if field(pairs, "mine") == "1" {
        f.handler_or_nobody = identity.user.as_ref().map(|u| u.id);
        words.push(t.t("complaints.mine").to_owned());
    }
    if let Some(c) = form_key::<Cause>(pairs, "cause")? {
        f.cause = Some(c.key().to_owned());
        words.push(t.f(
            "complaints.cause_filter",
            &[("cause", t.tk("complaint_cause", c.key()).as_str())],
        ));
    }
    match field(pairs, "rma") {
        "" => {}
        "open" => {
            f.open_rma = true;
            words.push(t.t("complaints.rma_open").to_owned());
        }
        other => return Err(crate::input::unknown_value("rma", other, ["open"])),
    }
    f.customer_id = match field(pairs, "customer") {
        "" => None,
        c => Some(
            c.parse::<i64>()
                .map_err(|_| WebError::bad_request("invalid_field", format!("customer: {c:?}")))?,
        ),
    };
    Ok((f, words))
}

/// How long is left until `due`, or how long it has passed, in the two largest units:
/// 剩 2 天 3 小时, 剩 40 分钟, 超期 5 小时. Due at this very minute is overdue, as the board's
/// 超期 filter counts it.
pub fn time_left(t: Tr, due: jiff::Timestamp, now: jiff::Timestamp) -> String {
    let secs = due.duration_since(now).as_secs();
    let (key, secs) = if secs > 0 {
        ("complaints.time_left", secs)
    } else {
        ("complaints.time_over", -secs)
    };
    let mins = secs / 60;
    let (days, hours, minutes) = (mins / (24 * 60), mins / 60 % 24, mins % 60);
    let unit = |key: &str, n: i64| t.f(key, &[("n", n.to_string().as_str())]);
    let mut parts = Vec::new();
    if days > 0 {
        parts.push(unit("complaints.span_days", days));
        if hours > 0 {
            parts.push(unit("complaints.span_hours", hours));
        }
    } else if hours > 0 {
        parts.push(unit("complaints.span_hours", hours));
        if minutes > 0 {
            parts.push(unit("complaints.span_minutes", minutes));
        }
    } else if minutes > 0 {
        parts.push(unit("complaints.span_minutes", minutes));
    } else {
        parts.push(t.t("complaints.span_under_minute").to_owned());
    }
    t.f(key, &[("span", parts.join(" ").as_str())])
}

/// The board: every open complaint by stage, overdue ones marked; narrowed as asked.
pub async fn board(
    State(state): State<AppState>,
    identity: Identity,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let now = state.app.now();
    let (f, mut narrowed) = board_filter(&pairs, &identity, now)?;
    if let Some(cid) = f.customer_id {
        narrowed.push(
            crate::routes::pages::tickets::card::customer_words(&state, &identity, cid).await,
        );
    }
    let rows = state.app.complaints(&identity.actor(), &f).await?;
    let total = rows.len();
    let columns = Stage::ALL
        .iter()
        .filter(|s| s.is_open() && f.stage.is_none_or(|only| only == **s))
        .map(|s| Column {
            stage: t.tk("complaint_stage", s.key()),
            stage_key: s.key().to_owned(),
            cards: rows
                .iter()
                .filter(|c| c.stage == *s)
                .map(|c| Card {
                    id: c.id,
                    number: c.ticket_number.clone(),
                    subject: c.ticket_subject.clone(),
                    who: c.customer_name.clone().unwrap_or(c.complainant.clone()),
                    category: t.tk("complaint_category", c.category.key()),
                    severity: t.tk("complaint_severity", c.severity.key()),
                    severity_key: c.severity.key().to_owned(),
                    due: c.stage_due_at.map(local_time).unwrap_or_default(),
                    // The deadline the 超期 filter reads (`overdue=1`: due at or before now).
                    time_left: c
                        .stage_due_at
                        .map(|d| time_left(t, d, now))
                        .unwrap_or_default(),
                    overdue: c.stage_due_at.is_some_and(|d| d <= now),
                })
                .collect(),
        })
        .collect();
    let can_open = identity
        .user
        .as_ref()
        .is_some_and(|u| u.allows(Permission::ComplaintOpen));
    let can_report = identity
        .user
        .as_ref()
        .is_some_and(|u| u.allows(Permission::ComplaintView));
    let approves = identity
        .user
        .as_ref()
        .is_some_and(|u| u.allows(Permission::ComplaintApprove));
    let waiting = if approves {
        Some(
            state
                .app
                .proposals_awaiting_approval(&identity.actor())
                .await?
                .len(),
        )
    } else {
        None
    };
    super::super::ok(&BoardPage {
        t,
        layout: Layout::new(&identity, "/complaints"),
        columns,
        can_open,
        can_report,
        total,
        waiting,
        narrowed,
    })
}

#[cfg(test)]
mod tests {
    use jiff::{SignedDuration, Timestamp};
    use kefu_domain::Locale;

    use super::time_left;
    use crate::i18n::Tr;

    #[test]
    fn time_left_reads_in_the_two_largest_units() {
        let t = Tr(Locale::ZhCn);
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let at = |mins: i64| now + SignedDuration::from_mins(mins);
        assert_eq!(
            time_left(t, at(2 * 1440 + 3 * 60 + 20), now),
            "剩 2 天 3 小时"
        );
        assert_eq!(time_left(t, at(2 * 1440 + 20), now), "剩 2 天");
        assert_eq!(time_left(t, at(5 * 60 + 7), now), "剩 5 小时 7 分钟");
        assert_eq!(time_left(t, at(40), now), "剩 40 分钟");
        assert_eq!(time_left(t, at(-5 * 60), now), "超期 5 小时");
        assert_eq!(time_left(t, now, now), "超期 不到 1 分钟");
        let en = Tr(Locale::En);
        assert_eq!(time_left(en, at(-(1440 + 60)), now), "1 d 1 h overdue");
    }
}
