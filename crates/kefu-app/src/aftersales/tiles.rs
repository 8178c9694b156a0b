//! The after-sales tiles on the workbench: the RMAs waiting on the reader's approval, the
//! RMAs past their deadline (repairs past their turnaround among them), and everything
//! open. Each counts with the filter of the list its link opens.

use kefu_domain::aftersales::policy::Approver;
use kefu_domain::aftersales::rma::RmaState;
use kefu_domain::{Permission, Role};
use kefu_store::aftersales::rma::{self as store, RmaFilter};

use crate::App;
use crate::workbench::{Count, Filled, Reader, TileBody, TileFuture, TileSpec};

pub(crate) const TILES: &[TileSpec] = &[
    TileSpec {
        key: "aftersales.to_approve",
        title: "workbench.tile.rmas_to_approve",
        roles: &[Role::AftersalesSpecialist, Role::CsManager],
        permission: Permission::RmaApprove,
        fill: to_approve,
    },
    TileSpec {
        key: "aftersales.late",
        title: "workbench.tile.rmas_late",
        roles: &[Role::AftersalesSpecialist, Role::CsManager],
        permission: Permission::RmaWork,
        fill: late,
    },
    TileSpec {
        key: "aftersales.past_turnaround",
        title: "workbench.tile.repairs_past_turnaround",
        roles: &[Role::AftersalesSpecialist, Role::CsManager],
        permission: Permission::RmaWork,
        fill: past_turnaround,
    },
    TileSpec {
        key: "aftersales.disputes",
        title: "workbench.tile.disputes_open",
        roles: &[Role::AftersalesSpecialist, Role::CsManager],
        permission: Permission::AftersalesPolicy,
        fill: disputes,
    },
    TileSpec {
        key: "aftersales.below_plan",
        title: "workbench.tile.stock_below_plan",
        roles: &[Role::AftersalesSpecialist, Role::CsManager],
        permission: Permission::RmaWork,
        fill: below_plan,
    },
    TileSpec {
        key: "aftersales.plans_to_approve",
        title: "workbench.tile.stock_plans_to_approve",
        roles: &[Role::AftersalesSpecialist, Role::CsManager],
        permission: Permission::AftersalesPolicy,
        fill: plans_to_approve,
    },
    TileSpec {
        key: "aftersales.defective_to_decide",
        title: "workbench.tile.defective_to_decide",
        roles: &[Role::AftersalesSpecialist, Role::CsManager],
        permission: Permission::AftersalesPolicy,
        fill: defective_to_decide,
    },
    TileSpec {
        key: "aftersales.open",
        title: "workbench.tile.rmas_open",
        roles: &[Role::AftersalesSpecialist],
        permission: Permission::RmaWork,
        fill: open,
    },
];

fn tile(link: &str, n: i64, alert: bool) -> Filled {
    Filled {
        link: Some(link.to_owned()),
        body: TileBody::Count {
            count: Count::exact(n),
            alert,
        },
        hint: None,
    }
}

/// The states of an RMA not yet final.
pub(crate) fn open_states() -> Vec<RmaState> {
    RmaState::ALL
        .iter()
        .copied()
        .filter(|s| !s.is_final())
        .collect()
}

/// 待我审批的售后单 — those whose decision names an approver the reader is.
fn to_approve<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let mut approvers = vec![Approver::Specialist];
        if r.actor.require(Permission::RmaApproveAbove).is_ok() {
            approvers.push(Approver::Manager);
        }
        let mut conn = app.store.conn().await?;
        let n = store::count(
            &mut conn,
            &RmaFilter {
                approvers,
                ..RmaFilter::default()
            },
        )
        .await?;
        Ok(Some(tile("/aftersales/rmas?view=approval", n, n > 0)))
    })
}

/// 超时的售后单 — open RMAs past their deadline in business time.
fn late<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let mut conn = app.store.conn().await?;
        let n = store::count(
            &mut conn,
            &RmaFilter {
                states: open_states(),
                late_at: Some(r.now),
                ..RmaFilter::default()
            },
        )
        .await?;
        Ok(Some(tile("/aftersales/rmas?view=late", n, n > 0)))
    })
}

/// 处理中的售后单
fn open<'a>(app: &'a App, _r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let mut conn = app.store.conn().await?;
        let n = store::count(
            &mut conn,
            &RmaFilter {
                states: open_states(),
                ..RmaFilter::default()
            },
        )
        .await?;
        Ok(Some(tile("/aftersales/rmas?view=open", n, false)))
    })
}

/// 待裁定的纠纷
fn disputes<'a>(app: &'a App, _r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let mut conn = app.store.conn().await?;
        let n = kefu_store::aftersales::dispute::count_open(&mut conn).await?;
        Ok(Some(tile("/aftersales/disputes?status=open", n, n > 0)))
    })
}

/// 超过维修周期 — repairs past their point's turnaround.
fn past_turnaround<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let mut conn = app.store.conn().await?;
        let (n, _) = store::past_turnaround(&mut conn, r.now, 1).await?;
        Ok(Some(tile("/aftersales/rmas?view=turnaround", n, n > 0)))
    })
}

/// 库存低于计划 — this month's approved plan lines whose location holds fewer good parts.
fn below_plan<'a>(app: &'a App, _r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let mut conn = app.store.conn().await?;
        let n =
            kefu_store::aftersales::stock::count_below_plan(&mut conn, &app.stock_period()).await?;
        Ok(Some(tile("/aftersales/stock?below=1", n, n > 0)))
    })
}

/// 待审批的配件计划 — plans (location × month) with lines waiting for approval.
fn plans_to_approve<'a>(app: &'a App, _r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let mut conn = app.store.conn().await?;
        let n = kefu_store::aftersales::stock::count_plans_pending(&mut conn).await?;
        Ok(Some(tile(
            "/aftersales/stock/plans?status=pending",
            n,
            n > 0,
        )))
    })
}

/// 待审批的不良品处理
fn defective_to_decide<'a>(app: &'a App, _r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let mut conn = app.store.conn().await?;
        let n = kefu_store::aftersales::stock::count_defective_pending(&mut conn).await?;
        Ok(Some(tile("/aftersales/defective?status=pending", n, n > 0)))
    })
}
