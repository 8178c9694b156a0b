//! The relationship survey tile: each running survey's current round — how many answered,
//! of how many invited, the response rate and the NPS — for the manager and the
//! relationship specialist.

use kefu_domain::satisfaction::{per_mille, tenths_text};
use kefu_domain::{Permission, Role};

use crate::App;
use crate::workbench::{Count, Filled, Label, Reader, TileBody, TileFuture, TileLine, TileSpec};

pub(crate) const TILES: &[TileSpec] = &[TileSpec {
    key: "relationship.rounds",
    title: "workbench.tile.relationship_rounds",
    roles: &[Role::CsManager, Role::CrmSpecialist],
    permission: Permission::SatisfactionManage,
    fill: rounds,
}];

/// 关系调查（本期） — a line per running survey; nothing while none runs.
fn rounds<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let lines: Vec<TileLine> = app
            .relationship_surveys(&r.actor)
            .await?
            .into_iter()
            .filter(|s| s.survey.active)
            .map(|s| {
                let rate = per_mille(s.tally.answered, s.tally.sent);
                TileLine {
                    label: Label::Text(s.survey.plan.name.clone()),
                    count: Count::exact(s.tally.answered),
                    link: format!("/satisfaction/relationship/{}", s.survey.id),
                    alert: false,
                    note: Some(Label::Format(
                        "workbench.tile.relationship_note",
                        vec![
                            ("period", s.period.clone()),
                            ("sent", s.tally.sent.to_string()),
                            (
                                "rate",
                                rate.map(|x| format!("{}%", tenths_text(x)))
                                    .unwrap_or_else(|| "—".to_owned()),
                            ),
                            (
                                "nps",
                                s.nps_tenths
                                    .map(tenths_text)
                                    .unwrap_or_else(|| "—".to_owned()),
                            ),
                        ],
                    )),
                }
            })
            .collect();
        if lines.is_empty() {
            return Ok(None);
        }
        Ok(Some(Filled {
            link: Some("/satisfaction/relationship".to_owned()),
            body: TileBody::Lines(lines),
            hint: None,
        }))
    })
}
