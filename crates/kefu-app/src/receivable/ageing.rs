//! 账龄分析 — what customers owe by how late it is (not due, 1–30, 31–60, 61–90, over 90
//! days), the most overdue first; and the overdue tile of whoever collects.

use jiff::civil::Date;
use kefu_domain::{Permission, Role};
use kefu_store::receivable::{self as store, AgeingFilter, AgeingRow};

use crate::workbench::{Count, Filled, Reader, TileBody, TileFuture, TileSpec, local_date};
use crate::{Actor, App, Result};

/// Customers on one page of the report.
pub const AGEING_PAGE: i64 = 50;

/// The most customers a tile counts.
const TILE_CAP: i64 = 999;

/// An ageing report asked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AgeingQuery {
    /// Only the customers I own.
    pub mine: bool,
    /// Only customers with something past due.
    pub overdue_only: bool,
    /// 1-based.
    pub page: i64,
}

/// One page of the ageing report with the report's totals.
#[derive(Debug, Clone)]
pub struct AgeingReport {
    pub today: Date,
    pub rows: Vec<AgeingRow>,
    /// By bucket, over every customer the report covers (not only this page).
    pub totals: [i64; 5],
    pub customers: i64,
    pub page: i64,
}

impl AgeingReport {
    pub fn pages(&self) -> i64 {
        ((self.customers + AGEING_PAGE - 1) / AGEING_PAGE).max(1)
    }

    pub fn total(&self) -> i64 {
        kefu_domain::money::total(self.totals)
    }
}

impl App {
    /// 账龄分析 — the ageing report on today's date (Beijing), one page.
    pub async fn ageing(&self, actor: &Actor, q: &AgeingQuery) -> Result<AgeingReport> {
        actor.require(Permission::Receivables)?;
        let today = local_date(self.now());
        let filter = AgeingFilter {
            owner_id: if q.mine { actor.user_id() } else { None },
            overdue_only: q.overdue_only,
        };
        let page = q.page.max(1);
        let mut conn = self.store.conn().await?;
        let (totals, customers) = store::ageing_totals(&mut conn, today, &filter).await?;
        let rows = store::ageing(
            &mut conn,
            today,
            &filter,
            AGEING_PAGE,
            (page - 1).saturating_mul(AGEING_PAGE),
        )
        .await?;
        Ok(AgeingReport {
            today,
            rows,
            totals,
            customers,
            page,
        })
    }
}

pub(crate) const TILES: &[TileSpec] = &[
    TileSpec {
        key: "receivables.my_overdue",
        title: "workbench.tile.my_overdue_receivables",
        roles: &[Role::Agent, Role::KeyAccountSpecialist],
        permission: Permission::Receivables,
        fill: my_overdue,
    },
    TileSpec {
        key: "receivables.overdue",
        title: "workbench.tile.overdue_receivables",
        roles: &[Role::CsManager],
        permission: Permission::Receivables,
        fill: all_overdue,
    },
];

fn overdue_tile<'a>(app: &'a App, r: &'a Reader, mine: bool) -> TileFuture<'a> {
    Box::pin(async move {
        let today = local_date(r.now);
        let owner = mine.then(|| r.id());
        let mut conn = app.store.conn().await?;
        let n = Count::capped(
            store::overdue_customers(&mut conn, today, owner, TILE_CAP).await?,
            TILE_CAP,
        );
        let link = if mine {
            "/receivables?overdue=1&mine=1"
        } else {
            "/receivables?overdue=1"
        };
        Ok(Some(Filled {
            link: Some(link.to_owned()),
            body: TileBody::Count {
                count: n,
                alert: n.n > 0,
            },
            hint: None,
        }))
    })
}

/// 我的客户逾期应收 — how many of my customers owe something past due.
fn my_overdue<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    overdue_tile(app, r, true)
}

/// 逾期应收 — how many customers owe something past due.
fn all_overdue<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    overdue_tile(app, r, false)
}
