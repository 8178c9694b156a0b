//! The follow-up tiles on the workbench: today's visits (the agent's own list, as the
//! visits page shows it) and the coverage of key customers in the current periods (the
//! coverage page's figures), at risk in the days before a period ends.

use kefu_domain::{Permission, Role};

use super::VisitScope;
use crate::App;
use crate::workbench::{
    Count, Filled, Label, Reader, TileBody, TileFuture, TileItem, TileLine, TileSpec,
};

/// How many of today's visits the tile names.
const NAMED: usize = 5;

pub(crate) const TILES: &[TileSpec] = &[
    TileSpec {
        key: "follow_up.today",
        title: "workbench.tile.follow_up_today",
        roles: &[Role::Agent, Role::CrmSpecialist, Role::KeyAccountSpecialist],
        permission: Permission::FollowUpWork,
        fill: today,
    },
    TileSpec {
        key: "follow_up.coverage",
        title: "workbench.tile.follow_up_coverage",
        roles: &[
            Role::CsManager,
            Role::CrmSpecialist,
            Role::KeyAccountSpecialist,
        ],
        permission: Permission::FollowUpManage,
        fill: coverage,
    },
];

/// 今日回访 — my visits due by the end of today, in slot order.
fn today<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let until = crate::workbench::start_of_day(r.now) + jiff::SignedDuration::from_hours(24);
        let list = app
            .follow_up_visits(&r.actor, VisitScope::Mine, until)
            .await?;
        let total = Count::exact(list.len() as i64);
        let items = list
            .into_iter()
            .take(NAMED)
            .map(|v| {
                let at = v.callback_at.or(v.slot_at);
                TileItem {
                    label: Label::Text(v.customer_name),
                    detail: Some(Label::Keyed("follow_up.reason", v.reason)),
                    at,
                    link: Some(format!("/follow-ups/{}", v.id)),
                    alert: at.is_none_or(|a| a < r.now),
                }
            })
            .collect();
        Ok(Some(Filled {
            link: Some("/follow-ups".to_owned()),
            body: TileBody::Items { items, total },
            hint: None,
        }))
    })
}

/// 回访覆盖 — per tier of the current periods, the customers in scope still without a visit
/// (the coverage page's missing list); a line at risk asks for action.
fn coverage<'a>(app: &'a App, _r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let reports = app.current_coverage().await?;
        if reports.is_empty() {
            return Ok(None);
        }
        let lines = reports
            .into_iter()
            .map(|rep| TileLine {
                label: Label::Format(
                    "follow_up.coverage_line",
                    vec![
                        ("tier", format!("@tier.{}", rep.tier.key())),
                        ("period", rep.period.clone()),
                        ("total", rep.in_scope.to_string()),
                    ],
                ),
                count: Count::exact(rep.missing),
                link: format!(
                    "/follow-ups/coverage?period={}&tier={}&missing=1",
                    rep.period,
                    rep.tier.key()
                ),
                alert: rep.at_risk,
                note: Some(Label::Format(
                    "follow_up.covered_note",
                    vec![("n", rep.covered.to_string())],
                )),
            })
            .collect();
        Ok(Some(Filled {
            link: Some("/follow-ups/coverage".to_owned()),
            body: TileBody::Lines(lines),
            hint: None,
        }))
    })
}
