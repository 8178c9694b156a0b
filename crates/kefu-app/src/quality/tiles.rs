//! The quality tiles on the workbench: the inspections waiting for the specialist's score,
//! the calibrations waiting for a second inspector's blind score, the results waiting for
//! the agent's answer, and the anomalies waiting for their
//! investigation, the measures still to be carried out (everyone's, and the owner's own).
//! Appeals wait in the approvals inbox.

use kefu_domain::{Permission, Role};
use kefu_store::quality::inspection as store;

use crate::App;
use crate::workbench::{Count, Filled, Reader, TileBody, TileFuture, TileSpec};

/// A tile of one count opening `link`.
fn count_tile(link: &str, n: i64, alert: bool) -> Filled {
    Filled {
        link: Some(link.to_owned()),
        body: TileBody::Count {
            count: Count::exact(n),
            alert,
        },
        hint: None,
    }
}

pub(crate) const TILES: &[TileSpec] = &[
    TileSpec {
        key: "quality.to_inspect",
        title: "workbench.tile.quality_to_inspect",
        roles: &[Role::QualitySpecialist],
        permission: Permission::QualityInspect,
        fill: to_inspect,
    },
    TileSpec {
        key: "quality.to_calibrate",
        title: "workbench.tile.quality_to_calibrate",
        roles: &[Role::QualitySpecialist, Role::CsManager],
        permission: Permission::QualityInspect,
        fill: to_calibrate,
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
    TileSpec {
        key: "quality.measures_pending",
        title: "workbench.tile.quality_measures_pending",
        roles: &[Role::QualitySpecialist, Role::CsManager],
        permission: Permission::QualityInspect,
        fill: measures_pending,
    },
    TileSpec {
        key: "quality.my_measures",
        title: "workbench.tile.quality_my_measures",
        roles: &[
            Role::Agent,
            Role::ComplaintSpecialist,
            Role::CrmSpecialist,
            Role::KeyAccountSpecialist,
            Role::AftersalesSpecialist,
            Role::InfoSpecialist,
            Role::Department,
        ],
        permission: Permission::AccountSelf,
        fill: my_measures,
    },
];

/// 待完成的改善措施 — everyone's measures still to be carried out; alert when any is late.
fn measures_pending<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let mut conn = app.store.conn().await?;
        let n = kefu_store::quality::measure::count_pending(&mut conn, None).await?;
        let late = kefu_store::quality::measure::count_overdue(
            &mut conn,
            &super::beijing_today(r.now).to_string(),
            None,
        )
        .await?;
        Ok(Some(count_tile("/quality/measures?scope=all", n, late > 0)))
    })
}

/// 我的改善措施 — mine still to be carried out; nothing shown when none.
fn my_measures<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let mut conn = app.store.conn().await?;
        let me = Some(r.id());
        let n = kefu_store::quality::measure::count_pending(&mut conn, me).await?;
        if n == 0 {
            return Ok(None);
        }
        let late = kefu_store::quality::measure::count_overdue(
            &mut conn,
            &super::beijing_today(r.now).to_string(),
            me,
        )
        .await?;
        Ok(Some(count_tile("/quality/measures", n, late > 0)))
    })
}

/// 待调查的质量异常 — anomalies waiting for their investigation.
fn anomalies_open<'a>(app: &'a App, _r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let mut conn = app.store.conn().await?;
        let n = kefu_store::quality::anomaly::count_in_status(&mut conn, "open").await?;
        Ok(Some(count_tile("/quality/anomalies?status=open", n, n > 0)))
    })
}

/// 待我质检 — inspections assigned to me, first scores and second ones after an appeal.
fn to_inspect<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let mut conn = app.store.conn().await?;
        let me = Some(r.id());
        let n = store::count(&mut conn, "assigned", me, None).await?
            + store::count(&mut conn, "rescoring", me, None).await?;
        Ok(Some(count_tile("/quality/inspections", n, n > 0)))
    })
}

/// 待我校准 — calibrations waiting for my blind score; nothing shown when none waits.
fn to_calibrate<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let mut conn = app.store.conn().await?;
        let n = kefu_store::quality::calibration::pending_count(&mut conn, r.id()).await?;
        if n == 0 {
            return Ok(None);
        }
        Ok(Some(count_tile("/quality/calibrations", n, true)))
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
        Ok(Some(count_tile(
            "/quality/inspections?scope=mine&status=scored",
            n,
            true,
        )))
    })
}
