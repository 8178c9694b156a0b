//! 配件与不良品 — the spare parts stock (000 §(七)7): locations, balances against the month's
//! approved issue plan, the movements ledger (all of a movement's deltas or none, never below
//! zero, even with two instances at once), issue plans proposed and approved per location and
//! month, and defective goods registered at inspection whose disposal is carried out only
//! once approved.

use jiff::Timestamp;
use kefu_domain::aftersales::stock::{
    self as rules, Approval, Disposal, Movement, MovementKind, PlanLine, StockError,
};
use kefu_domain::follow_up::plan::PlanPeriod;
use kefu_domain::{Permission, Role};
use kefu_store::aftersales::stock::{
    self as store, BalanceLine, DefectiveRow, LocationRow, MovementLine, MovementRow, NewDefective,
    PlanRow, PlanSummary,
};
use kefu_store::{AnyConnection, StoreError};
use serde_json::json;

use crate::notify::{self, kind};
use crate::workbench::local_date;
use crate::{Actor, App, AppError, Result};

/// The longest document number, reason, note or location name.
pub const MAX_TEXT: usize = 200;

/// The most movements one list shows.
pub const MAX_MOVEMENTS: i64 = 500;

/// A part's stock at a location with how far it is below the month's approved plan.
#[derive(Debug, Clone)]
pub struct StockLine {
    pub balance: BalanceLine,
    /// 低于计划 — parts missing to reach the plan (0 when at or above, or unplanned).
    pub short: i64,
}

/// Defective goods to register at inspection.
#[derive(Debug, Clone)]
pub struct DefectiveInput {
    pub rma_id: Option<i64>,
    pub part_id: i64,
    pub location_id: i64,
    pub quantity: i64,
    pub disposal: Disposal,
    /// The document the faulty part came back on; the RMA's number when empty.
    pub document: String,
    pub note: String,
}

fn text(field: &'static str, raw: &str, required: bool) -> Result<String> {
    let t = raw.trim();
    if required && t.is_empty() {
        return Err(StockError::Required(field).into());
    }
    if t.chars().count() > MAX_TEXT {
        return Err(StockError::TooLong(field).into());
    }
    Ok(t.to_owned())
}

/// A plan's period: a month, `YYYY-MM`.
pub fn plan_period(key: &str) -> Result<String> {
    match PlanPeriod::parse(key.trim()) {
        Ok(p) if p.months() == 1 => Ok(p.key()),
        _ => Err(StockError::Period.into()),
    }
}

/// Whether people record this movement themselves; the others follow defective goods.
pub fn typed_by_hand(kind: MovementKind) -> bool {
    matches!(
        kind,
        MovementKind::Receipt
            | MovementKind::Issue
            | MovementKind::Transfer
            | MovementKind::Adjustment
    )
}

impl App {
    /// The month whose plan the stock is held against today.
    pub fn stock_period(&self) -> String {
        PlanPeriod::containing(local_date(self.now()), 1)
            .map(PlanPeriod::key)
            .unwrap_or_default()
    }

    /// The part numbered `part_number` and the RMA numbered `rma_number` (none when empty),
    /// as people type them on the forms.
    pub async fn stock_refs(
        &self,
        actor: &Actor,
        part_number: &str,
        rma_number: &str,
    ) -> Result<(i64, Option<i64>)> {
        actor.require(Permission::RmaWork)?;
        let code = part_number.trim().to_ascii_uppercase();
        if code.is_empty() {
            return Err(StockError::Required("part").into());
        }
        let mut conn = self.store.conn().await?;
        let (part, _) = kefu_store::aftersales::catalogue::part_by_number(&mut conn, &code)
            .await?
            .ok_or(StockError::UnknownPart(code))?;
        let rma = match rma_number.trim().to_ascii_uppercase() {
            n if n.is_empty() => None,
            n => Some(
                kefu_store::aftersales::rma::id_by_number(&mut conn, &n)
                    .await?
                    .ok_or(StockError::UnknownRma(n))?,
            ),
        };
        Ok((part, rma))
    }

    /// Every stock location, the central warehouse first.
    pub async fn stock_locations(&self, actor: &Actor) -> Result<Vec<LocationRow>> {
        actor.require(Permission::RmaWork)?;
        let mut conn = self.store.conn().await?;
        Ok(store::locations(&mut conn).await?)
    }

    /// Adds a location: the central warehouse (no point) or a service point's stock.
    pub async fn create_stock_location(
        &self,
        actor: &Actor,
        name: &str,
        service_point_id: Option<i64>,
    ) -> Result<i64> {
        actor.require(Permission::AftersalesPolicy)?;
        let name = text("name", name, true)?;
        let mut tx = self.store.begin().await?;
        if let Some(p) = service_point_id {
            kefu_store::aftersales::service_point::by_id(&mut tx, p).await?;
        }
        let id = store::insert_location(&mut tx, &name, service_point_id, self.now())
            .await?
            .ok_or(AppError::NameTaken)?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(id)
    }

    /// The stock at `location` (every location when `None`) against this month's approved
    /// plan; only the lines below it when `below_plan`.
    pub async fn stock(
        &self,
        actor: &Actor,
        location: Option<i64>,
        below_plan: bool,
    ) -> Result<Vec<StockLine>> {
        actor.require(Permission::RmaWork)?;
        let mut conn = self.store.conn().await?;
        if let Some(l) = location {
            store::location_by_id(&mut conn, l).await?;
        }
        let lines = store::balances(&mut conn, location.unwrap_or(0), &self.stock_period()).await?;
        Ok(lines
            .into_iter()
            .map(|b| StockLine {
                short: b.planned.map_or(0, |p| rules::short_of_plan(b.good, p)),
                balance: b,
            })
            .filter(|l| !below_plan || l.short > 0)
            .collect())
    }

    /// The ledger, newest first: of a part, at a location, or everything.
    pub async fn stock_movements(
        &self,
        actor: &Actor,
        part: Option<i64>,
        location: Option<i64>,
        limit: i64,
    ) -> Result<Vec<MovementLine>> {
        actor.require(Permission::RmaWork)?;
        let mut conn = self.store.conn().await?;
        Ok(store::movements(
            &mut conn,
            part.unwrap_or(0),
            location.unwrap_or(0),
            limit.clamp(1, MAX_MOVEMENTS),
        )
        .await?)
    }

    /// Records a movement of part `part_id`; its id. `document` names the paper behind it
    /// (入库单, 领料单, 调拨单…); an issue names the RMA it goes to; an adjustment needs its
    /// reason and the after-sales specialist.
    pub async fn record_stock_movement(
        &self,
        actor: &Actor,
        part_id: i64,
        m: Movement,
        document: &str,
        rma_id: Option<i64>,
        reason: &str,
    ) -> Result<i64> {
        actor.require(Permission::RmaWork)?;
        if m.kind == MovementKind::Adjustment {
            actor.require(Permission::AftersalesPolicy)?;
        }
        if !typed_by_hand(m.kind) {
            return Err(StockError::ThroughDefective.into());
        }
        let mut tx = self.store.begin().await?;
        let id = self
            .apply_movement(&mut tx, actor, part_id, m, document, rma_id, reason)
            .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(id)
    }

    /// Checks, applies and logs a movement in the caller's transaction.
    #[allow(clippy::too_many_arguments)]
    async fn apply_movement(
        &self,
        tx: &mut AnyConnection,
        actor: &Actor,
        part_id: i64,
        m: Movement,
        document: &str,
        rma_id: Option<i64>,
        reason: &str,
    ) -> Result<i64> {
        let document = text("document", document, true)?;
        let reason = text("reason", reason, m.kind == MovementKind::Adjustment)?;
        if m.kind == MovementKind::Issue && rma_id.is_none() {
            return Err(StockError::IssueWithoutRma.into());
        }
        let deltas = rules::deltas(&m)?;
        let part = kefu_store::aftersales::catalogue::part_by_id(tx, part_id).await?;
        store::location_by_id(tx, m.location).await?;
        if let Some(to) = m.to {
            store::location_by_id(tx, to).await?;
        }
        if let Some(r) = rma_id {
            kefu_store::aftersales::rma::by_id(tx, r).await?;
        }
        for (location, condition, delta) in deltas {
            if !store::change(tx, location, part_id, condition, delta).await? {
                let have = store::balance(tx, location, part_id, condition).await?;
                return Err(StockError::BelowZero { have, want: -delta }.into());
            }
        }
        Ok(store::log(
            tx,
            &MovementRow {
                id: 0,
                part_id,
                kind: m.kind,
                quantity: m.quantity,
                location_id: m.location,
                to_location_id: m.to,
                document,
                rma_id,
                reason,
                by: actor.user_id(),
                at: self.now(),
                unit_cost_fen: part.part.cost_fen,
            },
        )
        .await?)
    }

    /// Issue plans from a year back, the latest month first; or every plan with lines
    /// waiting for approval, however old.
    pub async fn stock_plans(&self, actor: &Actor, pending_only: bool) -> Result<Vec<PlanSummary>> {
        actor.require(Permission::RmaWork)?;
        let since = if pending_only {
            String::new()
        } else {
            PlanPeriod::containing(local_date(self.now()) - jiff::Span::new().years(1), 1)
                .map(PlanPeriod::key)
                .unwrap_or_default()
        };
        let mut conn = self.store.conn().await?;
        let plans = store::plans(&mut conn, &since).await?;
        Ok(plans
            .into_iter()
            .filter(|p| !pending_only || p.pending > 0)
            .collect())
    }

    /// A location's issue plan for a month.
    pub async fn stock_plan(
        &self,
        actor: &Actor,
        location: i64,
        period: &str,
    ) -> Result<(LocationRow, Vec<PlanRow>)> {
        actor.require(Permission::RmaWork)?;
        let period = plan_period(period)?;
        let mut conn = self.store.conn().await?;
        let loc = store::location_by_id(&mut conn, location).await?;
        Ok((loc, store::plan(&mut conn, location, &period).await?))
    }

    /// 配件发放计划 — proposes a location's plan for a month, replacing what was there; the
    /// after-sales specialists are asked to approve it.
    pub async fn propose_stock_plan(
        &self,
        actor: &Actor,
        location: i64,
        period: &str,
        lines: &[PlanLine],
    ) -> Result<()> {
        actor.require(Permission::RmaWork)?;
        let period = plan_period(period)?;
        if lines.is_empty() || lines.len() > rules::MAX_PLAN_LINES {
            let problem = if lines.is_empty() {
                rules::PlanLineError::Empty
            } else {
                rules::PlanLineError::TooMany
            };
            return Err(StockError::PlanLine { line: 0, problem }.into());
        }
        let mut tx = self.store.begin().await?;
        let loc = store::location_by_id(&mut tx, location).await?;
        let mut resolved: Vec<(i64, i64)> = Vec::with_capacity(lines.len());
        for (n, l) in lines.iter().enumerate() {
            if !(0..=rules::MAX_QUANTITY).contains(&l.quantity) {
                let problem = rules::PlanLineError::Quantity;
                return Err(StockError::PlanLine {
                    line: n + 1,
                    problem,
                }
                .into());
            }
            let code = l.part_number.trim().to_ascii_uppercase();
            let (part, _) = kefu_store::aftersales::catalogue::part_by_number(&mut tx, &code)
                .await?
                .ok_or(StockError::UnknownPart(code))?;
            if resolved.iter().any(|(p, _)| *p == part) {
                let problem = rules::PlanLineError::Twice;
                return Err(StockError::PlanLine {
                    line: n + 1,
                    problem,
                }
                .into());
            }
            resolved.push((part, l.quantity));
        }
        let now = self.now();
        store::replace_plan(&mut tx, location, &period, &resolved, actor.user_id(), now).await?;
        let to = notify::with_role(&mut tx, Role::AftersalesSpecialist).await?;
        let to: Vec<i64> = to
            .into_iter()
            .filter(|u| Some(*u) != actor.user_id())
            .collect();
        notify::notify(
            &mut tx,
            &to,
            kind::STOCK_PLAN_PROPOSED,
            None,
            &json!({
                "stock_plan": location,
                "date": period,
                "text": loc.name,
                "count": resolved.len() as i64,
            }),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// Approves or rejects a location's waiting plan for a month; how many lines it held.
    pub async fn decide_stock_plan(
        &self,
        actor: &Actor,
        location: i64,
        period: &str,
        approve: bool,
    ) -> Result<u64> {
        actor.require(Permission::AftersalesPolicy)?;
        let period = plan_period(period)?;
        let status = if approve {
            Approval::Approved
        } else {
            Approval::Rejected
        };
        let mut tx = self.store.begin().await?;
        store::location_by_id(&mut tx, location).await?;
        let waiting = store::plan(&mut tx, location, &period).await?;
        if waiting.iter().any(|l| {
            l.status == Approval::Pending && l.proposer.is_some() && l.proposer == actor.user_id()
        }) {
            return Err(StockError::OwnProposal.into());
        }
        let n = store::decide_plan(
            &mut tx,
            location,
            &period,
            status,
            actor.user_id(),
            self.now(),
        )
        .await?;
        if n == 0 {
            return Err(StockError::Decided.into());
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(n)
    }

    /// Defective goods in `status` (any when `None`), of one RMA when given, newest first.
    pub async fn defective_goods(
        &self,
        actor: &Actor,
        status: Option<Approval>,
        rma: Option<i64>,
    ) -> Result<Vec<DefectiveRow>> {
        actor.require(Permission::RmaWork)?;
        let mut conn = self.store.conn().await?;
        Ok(store::defective_list(&mut conn, status, rma.unwrap_or(0), MAX_MOVEMENTS).await?)
    }

    /// One registration of defective goods.
    pub async fn defective(&self, actor: &Actor, id: i64) -> Result<DefectiveRow> {
        actor.require(Permission::RmaWork)?;
        let mut conn = self.store.conn().await?;
        Ok(store::defective_by_id(&mut conn, id).await?)
    }

    /// 不良品登记 — registers defective goods at inspection: the faulty part is taken in as
    /// defective stock at once, and its disposal waits for approval; the id.
    pub async fn register_defective(&self, actor: &Actor, d: DefectiveInput) -> Result<i64> {
        actor.require(Permission::RmaWork)?;
        let note = text("reason", &d.note, false)?;
        let mut tx = self.store.begin().await?;
        let rma_number = match d.rma_id {
            Some(r) => Some(
                kefu_store::aftersales::rma::by_id(&mut tx, r)
                    .await?
                    .rma
                    .number,
            ),
            None => None,
        };
        let document = match (d.document.trim(), &rma_number) {
            ("", Some(n)) => n.clone(),
            (doc, _) => doc.to_owned(),
        };
        let back = Movement {
            kind: MovementKind::FaultyBack,
            quantity: d.quantity,
            location: d.location_id,
            to: None,
        };
        self.apply_movement(&mut tx, actor, d.part_id, back, &document, d.rma_id, &note)
            .await?;
        let now = self.now();
        let id = store::insert_defective(
            &mut tx,
            &NewDefective {
                rma_id: d.rma_id,
                part_id: d.part_id,
                location_id: d.location_id,
                quantity: d.quantity,
                disposal: d.disposal,
                note: &note,
                by: actor.user_id(),
                now,
            },
        )
        .await?;
        self.ask_disposal(&mut tx, actor, id, now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(id)
    }

    /// Tells the after-sales specialists (but the proposer) a disposal waits for them.
    async fn ask_disposal(
        &self,
        tx: &mut AnyConnection,
        actor: &Actor,
        id: i64,
        now: Timestamp,
    ) -> Result<()> {
        let row = store::defective_by_id(tx, id).await?;
        let to = notify::with_role(tx, Role::AftersalesSpecialist).await?;
        let to: Vec<i64> = to
            .into_iter()
            .filter(|u| Some(*u) != actor.user_id())
            .collect();
        notify::notify(
            tx,
            &to,
            kind::DEFECTIVE_PROPOSED,
            None,
            &json!({
                "defective": id,
                "number": row.part_number,
                "text": row.part_name,
                "count": row.quantity,
                "disposal": row.disposal.key(),
            }),
            now,
        )
        .await?;
        Ok(())
    }

    /// Approves a disposal, carrying it out (修复入库, 退供应商 or 报废 of the defective
    /// stock), or rejects it with a note; refused when it no longer waits.
    pub async fn decide_defective(
        &self,
        actor: &Actor,
        id: i64,
        approve: bool,
        note: &str,
    ) -> Result<()> {
        actor.require(Permission::AftersalesPolicy)?;
        let note = text("reason", note, !approve)?;
        let mut tx = self.store.begin().await?;
        let row = store::defective_by_id(&mut tx, id).await?;
        if row.status == Approval::Pending
            && row.proposed_by.is_some()
            && row.proposed_by == actor.user_id()
        {
            return Err(StockError::OwnProposal.into());
        }
        let status = if approve {
            Approval::Approved
        } else {
            Approval::Rejected
        };
        if !store::decide_defective(&mut tx, id, status, &note, actor.user_id(), self.now()).await?
        {
            return Err(StockError::Decided.into());
        }
        if approve {
            let m = Movement {
                kind: row.disposal.movement(),
                quantity: row.quantity,
                location: row.location_id,
                to: None,
            };
            let document = format!("BL{id}");
            self.apply_movement(&mut tx, actor, row.part_id, m, &document, row.rma_id, &note)
                .await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// Proposes another disposal for rejected goods; asks for approval again.
    pub async fn repropose_defective(
        &self,
        actor: &Actor,
        id: i64,
        disposal: Disposal,
        note: &str,
    ) -> Result<()> {
        actor.require(Permission::RmaWork)?;
        let note = text("reason", note, false)?;
        let mut tx = self.store.begin().await?;
        store::defective_by_id(&mut tx, id).await?;
        if !store::repropose_defective(&mut tx, id, disposal, &note, actor.user_id()).await? {
            return Err(StockError::Decided.into());
        }
        self.ask_disposal(&mut tx, actor, id, self.now()).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }
}
