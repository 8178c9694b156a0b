//! The key-account tiles: key accounts due a manager visit (the key-account specialist and
//! the manager arrange it), the changes of agent and the policies waiting for the manager,
//! and the service plans due for review.

use kefu_domain::{Permission, Role};

use crate::App;
use crate::workbench::{Count, Filled, Reader, TileBody, TileFuture, TileSpec};

pub(crate) const TILES: &[TileSpec] = &[
    TileSpec {
        key: "key_account.due",
        title: "workbench.tile.key_account_due",
        roles: &[Role::KeyAccountSpecialist, Role::CsManager],
        permission: Permission::KeyAccountManage,
        fill: due,
    },
    TileSpec {
        key: "key_account.changes",
        title: "workbench.tile.agent_changes",
        roles: &[Role::CsManager],
        permission: Permission::KeyAccountApprove,
        fill: changes,
    },
    TileSpec {
        key: "key_account.reviews",
        title: "workbench.tile.plan_reviews",
        roles: &[Role::KeyAccountSpecialist],
        permission: Permission::KeyAccountManage,
        fill: reviews,
    },
    TileSpec {
        key: "key_account.policies",
        title: "workbench.tile.policies_pending",
        roles: &[Role::CsManager],
        permission: Permission::KeyAccountApprove,
        fill: policies,
    },
];

/// 待回顾的服务方案 — key accounts whose service plan's review date has come.
fn reviews<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let n = app.plan_reviews_due(&r.actor).await?;
        Ok(Some(Filled {
            link: Some("/key-accounts?review=1".to_owned()),
            body: TileBody::Count {
                count: Count::exact(n),
                alert: n > 0,
            },
            hint: None,
        }))
    })
}

/// 待审批的优惠政策 — discounts and incentives waiting for a manager.
fn policies<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let n = app.policies_pending(&r.actor).await?;
        Ok(Some(Filled {
            link: Some("/key-accounts/policies".to_owned()),
            body: TileBody::Count {
                count: Count::exact(n),
                alert: n > 0,
            },
            hint: None,
        }))
    })
}

/// 待安排经理拜访 — key accounts with no visit planned and none done for three months.
fn due<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let n = app.key_accounts_due(&r.actor).await?;
        Ok(Some(Filled {
            link: Some("/key-accounts?due=1".to_owned()),
            body: TileBody::Count {
                count: Count::exact(n),
                alert: n > 0,
            },
            hint: None,
        }))
    })
}

/// 待决定的换人建议 — low ratings whose change of agent waits for the manager.
fn changes<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let n = app.agent_changes(&r.actor, true).await?.len() as i64;
        Ok(Some(Filled {
            link: Some("/key-accounts/changes".to_owned()),
            body: TileBody::Count {
                count: Count::exact(n),
                alert: n > 0,
            },
            hint: None,
        }))
    })
}
