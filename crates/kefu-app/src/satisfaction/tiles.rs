//! The satisfaction tile: low scores still waiting for the lead's follow-up — every one
//! for the manager and the relationship specialist, an agent's own for the agent.

use kefu_domain::{Permission, Role};

use crate::App;
use crate::workbench::{Count, Filled, Reader, TileBody, TileFuture, TileSpec};

pub(crate) const TILES: &[TileSpec] = &[
    TileSpec {
        key: "csat.low",
        title: "workbench.tile.csat_low",
        roles: &[Role::CsManager, Role::CrmSpecialist],
        permission: Permission::SatisfactionManage,
        fill: everyone,
    },
    TileSpec {
        key: "csat.mine_low",
        title: "workbench.tile.csat_mine_low",
        roles: &[Role::Agent],
        permission: Permission::TicketWork,
        fill: mine,
    },
];

/// 待跟进低分 — every low score no lead has followed up.
fn everyone<'a>(app: &'a App, _r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let n = app.low_csat_count(None).await?;
        Ok(Some(Filled {
            link: Some("/satisfaction?low=1".to_owned()),
            body: TileBody::Count {
                count: Count::exact(n),
                alert: n > 0,
            },
            hint: None,
        }))
    })
}

/// 我的低分评价 — low scores on my tickets the lead has not followed up yet.
fn mine<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let Some(me) = r.actor.user_id() else {
            return Ok(None);
        };
        let n = app.low_csat_count(Some(me)).await?;
        Ok(Some(Filled {
            link: Some("/satisfaction?low=1&mine=1".to_owned()),
            body: TileBody::Count {
                count: Count::exact(n),
                alert: n > 0,
            },
            hint: None,
        }))
    })
}
