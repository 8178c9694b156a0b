//! The quality tiles on the workbench: the inspections waiting for the specialist's score,
//! the results waiting for the agent's answer, and the anomalies waiting for their
//! investigation. Appeals wait in the approvals inbox.

use kefu_domain::{Permission, Role};
use kefu_store::quality::inspection as store;

use crate::App;
use crate::workbench::{Count, Filled, Reader, TileBody, TileFuture, TileSpec};

pub(crate) const TILES: &[TileSpec] = &[
    TileSpec {
        key: "quality.to_inspect",
        title: "workbench.tile.quality_to_inspect",
        roles: &[Role::QualitySpecialist],
        permission: Permission::QualityInspect,
        fill: to_inspect,
    },
    TileSpec {
        key: "quality.my_results",
        title: "workbench.tile.quality_my_results",
        roles: &[
            Role::Agent,
            Role::ComplaintSpecialist,
            Role::CrmSpecialist,
            Role::KeyAccountSpecialist,
            Role::AftersalesSpecialist,
            Role::InfoSpecialist,
        ],
        permission: Permission::TicketWork,
        fill: my_results,
    },
    TileSpec {
        key: "quality.anomalies_open",
        title: "workbench.tile.quality_anomalies_open",
        roles: &[Role::QualitySpecialist, Role::CsManager],
        permission: Permission::QualityInspect,
        fill: anomalies_open,
    },
];

/// 待调查的质量异常 — anomalies waiting for their investigation.
fn anomalies_open<'a>(app: &'a App, _r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let mut conn = app.store.conn().await?;
        let n = kefu_store::quality::anomaly::count_in_status(&mut conn, "open").await?;
        Ok(Some(Filled {
            link: Some("/quality/anomalies?status=open".to_owned()),
            body: TileBody::Count {
                count: Count::exact(n),
                alert: n > 0,
            },
            hint: None,
        }))
    })
}

/// 待我质检 — inspections assigned to me, first scores and second ones after an appeal.
fn to_inspect<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let mut conn = app.store.conn().await?;
        let me = Some(r.id());
        let n = store::count(&mut conn, "assigned", me, None).await?
            + store::count(&mut conn, "rescoring", me, None).await?;
        Ok(Some(Filled {
            link: Some("/quality/inspections".to_owned()),
            body: TileBody::Count {
                count: Count::exact(n),
                alert: n > 0,
            },
            hint: None,
        }))
    })
}

/// 待确认的质检结果 — my results to acknowledge or appeal; nothing shown when none waits.
fn my_results<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let mut conn = app.store.conn().await?;
        let n = store::count(&mut conn, "scored", None, Some(r.id())).await?;
        if n == 0 {
            return Ok(None);
        }
        Ok(Some(Filled {
            link: Some("/quality/inspections?scope=mine&status=scored".to_owned()),
            body: TileBody::Count {
                count: Count::exact(n),
                alert: true,
            },
            hint: None,
        }))
    })
}
