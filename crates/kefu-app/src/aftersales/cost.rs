//! 售后服务费用与质量反馈 — what each RMA cost (the parts issued to it, the labour, freight,
//! compensation and other costs entered on it, its refund), the cost report by product,
//! category, part, cause, point, customer or month against the monthly budget, and the
//! month's fault figures by product and part sent to the departments (000 §(七)6–7).

use kefu_domain::Permission;
use kefu_domain::aftersales::cost::{self as rules, CostError, CostGroup, CostKind, Costs};
use kefu_store::StoreError;
use kefu_store::aftersales::cost::{
    self as store, CostLine, CostRow, FeedbackRow, PartIssued, ProductFaults,
};
use serde_json::json;

use crate::notify::{self, kind};
use crate::{Actor, App, Result};

/// An RMA's cost: the parts issued, the costs entered, and the sums by what they went on.
#[derive(Debug, Clone)]
pub struct RmaCosts {
    pub parts: Vec<PartIssued>,
    pub lines: Vec<CostLine>,
    pub costs: Costs,
}

/// A month of the report: its budget (if set) and what its RMAs cost.
#[derive(Debug, Clone)]
pub struct MonthCost {
    pub period: String,
    pub budget_fen: Option<i64>,
    pub spent_fen: i64,
}

/// The cost report of a span of months.
#[derive(Debug, Clone)]
pub struct CostReport {
    pub from: String,
    pub to: String,
    pub group: CostGroup,
    pub rows: Vec<CostRow>,
    /// Every RMA of the span and what they cost, whatever the grouping.
    pub cases: i64,
    pub total: Costs,
    pub months: Vec<MonthCost>,
    /// The budgets of the span's months summed (`None`: no month has one).
    pub budget_fen: Option<i64>,
    /// The share of that budget spent, in whole percent.
    pub used_percent: Option<i64>,
}

/// A month's fault figures and to whom they went.
#[derive(Debug, Clone)]
pub struct FaultFigures {
    pub period: String,
    pub products: Vec<ProductFaults>,
    /// Parts replaced in the month's RMAs, by part.
    pub parts: Vec<CostRow>,
    pub sent: Vec<FeedbackRow>,
}

fn sum(rows: &[CostRow]) -> Costs {
    let mut t = Costs::default();
    for r in rows {
        let c = &r.costs;
        t.parts = kefu_domain::money::total([t.parts, c.parts]);
        t.refund = kefu_domain::money::total([t.refund, c.refund]);
        t.add(CostKind::Labour, c.labour);
        t.add(CostKind::Freight, c.freight);
        t.add(CostKind::Compensation, c.compensation);
        t.add(CostKind::Other, c.other);
    }
    t
}

impl App {
    /// What an RMA cost so far.
    pub async fn rma_costs(&self, actor: &Actor, rma_id: i64) -> Result<RmaCosts> {
        actor.require(Permission::RmaWork)?;
        let mut conn = self.store.conn().await?;
        let rma = kefu_store::aftersales::rma::by_id(&mut conn, rma_id).await?;
        let parts = store::parts_issued(&mut conn, rma_id).await?;
        let lines = store::lines(&mut conn, rma_id).await?;
        let mut costs = Costs {
            parts: kefu_domain::money::total(parts.iter().map(|p| {
                kefu_domain::money::saturate(i128::from(p.quantity) * i128::from(p.unit_cost_fen))
            })),
            refund: rma
                .rma
                .refund_fen
                .map(kefu_domain::money::stored)
                .unwrap_or(0),
            ..Costs::default()
        };
        for l in &lines {
            costs.add(l.kind, l.amount_fen);
        }
        Ok(RmaCosts {
            parts,
            lines,
            costs,
        })
    }

    /// Enters a cost (labour, freight, compensation, other) on an RMA; its id.
    pub async fn add_rma_cost(
        &self,
        actor: &Actor,
        rma_id: i64,
        kind: CostKind,
        amount_fen: i64,
        note: &str,
    ) -> Result<i64> {
        actor.require(Permission::RmaWork)?;
        let (fen, note) = rules::cost(amount_fen, note)?;
        let mut tx = self.store.begin().await?;
        kefu_store::aftersales::rma::by_id(&mut tx, rma_id).await?;
        let id = store::insert(
            &mut tx,
            rma_id,
            kind,
            fen,
            &note,
            actor.user_id(),
            self.now(),
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(id)
    }

    /// The cost of the RMAs registered from month `from` to month `to`, grouped by `group`,
    /// against the months' budgets.
    pub async fn cost_report(
        &self,
        actor: &Actor,
        from: &str,
        to: &str,
        group: CostGroup,
    ) -> Result<CostReport> {
        actor.require(Permission::RmaWork)?;
        let (start, end) = rules::span(from, to)?;
        let keys = rules::months_of(from, to)?;
        let (from, to) = (keys[0].clone(), keys[keys.len() - 1].clone());
        let mut conn = self.store.conn().await?;
        let by_month = store::report(&mut conn, start, end, CostGroup::Month).await?;
        let rows = if group == CostGroup::Month {
            by_month.clone()
        } else {
            store::report(&mut conn, start, end, group).await?
        };
        let budgets = store::budgets(&mut conn, &from, &to).await?;
        let months: Vec<MonthCost> = keys
            .iter()
            .map(|k| MonthCost {
                period: k.clone(),
                budget_fen: budgets.iter().find(|(p, _)| p == k).map(|(_, b)| *b),
                spent_fen: by_month
                    .iter()
                    .find(|r| &r.key == k)
                    .map_or(0, |r| r.costs.total()),
            })
            .collect();
        let total = sum(&by_month);
        let budget_fen = (!budgets.is_empty())
            .then(|| kefu_domain::money::total(budgets.iter().map(|(_, b)| *b)));
        Ok(CostReport {
            from,
            to,
            group,
            rows,
            cases: by_month.iter().map(|r| r.cases).sum(),
            used_percent: budget_fen.and_then(|b| rules::budget_used(total.total(), b)),
            total,
            months,
            budget_fen,
        })
    }

    /// Sets a month's after-sales budget.
    pub async fn set_aftersales_budget(
        &self,
        actor: &Actor,
        period: &str,
        amount_fen: i64,
    ) -> Result<()> {
        actor.require(Permission::AftersalesPolicy)?;
        let period = rules::month(period)?.key();
        let fen = kefu_domain::money::amount(amount_fen).map_err(CostError::Amount)?;
        let mut conn = self.store.conn().await?;
        store::set_budget(&mut conn, &period, fen, actor.user_id(), self.now()).await?;
        Ok(())
    }

    /// 故障统计 — the fault figures of the RMAs registered in a month, by product and part,
    /// and to whom they were sent.
    pub async fn fault_figures(&self, actor: &Actor, period: &str) -> Result<FaultFigures> {
        actor.require(Permission::AftersalesFaults)?;
        let month = rules::month(period)?;
        let mut conn = self.store.conn().await?;
        let (start, end) = (month.start(), month.end());
        Ok(FaultFigures {
            period: month.key(),
            products: store::faults_by_product(&mut conn, start, end).await?,
            parts: store::report(&mut conn, start, end, CostGroup::Part).await?,
            sent: store::feedback(&mut conn, &month.key()).await?,
        })
    }

    /// 转送相关部门 — sends a month's fault figures to departments: their members are told;
    /// how many were told.
    pub async fn send_fault_figures(
        &self,
        actor: &Actor,
        period: &str,
        department_ids: &[i64],
        note: &str,
    ) -> Result<usize> {
        actor.require(Permission::AftersalesPolicy)?;
        let period = rules::month(period)?.key();
        let note = rules::note(note)?;
        if department_ids.is_empty() {
            return Err(CostError::NoDepartment.into());
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let departments = kefu_store::staff::list_departments(&mut tx).await?;
        let mut told = Vec::new();
        for id in department_ids {
            let Some(d) = departments.iter().find(|d| d.id == *id) else {
                return Err(StoreError::NotFound.into());
            };
            if told.iter().any(|(dept, _)| dept == id) {
                continue;
            }
            store::insert_feedback(&mut tx, &period, d.id, &note, actor.user_id(), now).await?;
            let members = kefu_store::complaint::department_members(&mut tx, d.id).await?;
            told.push((*id, members));
        }
        let members: Vec<i64> = told.into_iter().flat_map(|(_, m)| m).collect();
        notify::notify(
            &mut tx,
            &members,
            kind::FAULT_FIGURES,
            None,
            &json!({"fault_period": period, "date": period, "text": note}),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(members.len())
    }
}
