//! 实施 — carrying out the approved solution: moving RMAs (退换货) on, and recording
//! penalties (处罚) for the responsible party.

use kefu_domain::Permission;
use kefu_domain::complaint::{self as rules, ComplaintError, RmaStatus, Stage};
use kefu_store::StoreError;
use kefu_store::complaint::{self as store, Penalty};

use crate::complaint::expect_version;
use crate::{Actor, App, AppError, Result};

#[derive(Debug, Clone)]
pub struct NewPenalty {
    pub department_id: Option<i64>,
    pub user_id: Option<i64>,
    pub amount_fen: i64,
    pub reason: String,
}

impl App {
    /// Moves an RMA one step on (requested → approved → received and inspected → done →
    /// closed), with a note (the inspection result, the refund reference…).
    pub async fn advance_rma(
        &self,
        actor: &Actor,
        rma_id: i64,
        note: &str,
        expected: Option<i64>,
    ) -> Result<RmaStatus> {
        actor.require(Permission::RmaWork)?;
        let note = rules::text("note", note, false, 2000)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let complaint_id = store::rma_complaint(&mut tx, rma_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if let Some((_, number)) =
            kefu_store::aftersales::rma::by_complaint_rma(&mut tx, rma_id).await?
        {
            return Err(kefu_domain::aftersales::rma::RmaError::InAftersales(number).into());
        }
        expect_version(&mut tx, complaint_id, expected).await?;
        let c = store::by_id(&mut tx, complaint_id).await?;
        let mut r = store::rmas(&mut tx, complaint_id)
            .await?
            .into_iter()
            .find(|r| r.id == rma_id)
            .ok_or(AppError::NotFound)?;
        let next = r.status.next(r.remedy).ok_or(ComplaintError::RmaFinished)?;
        r.status = next;
        if !note.is_empty() {
            r.note = Some(note.clone());
        }
        r.updated_at = now;
        r.updated_by = actor.user_id();
        store::save_rma(&mut tx, &r).await?;
        let what = format!("rma_{}", next.key());
        self.note_rma_step(
            &mut tx,
            actor,
            &c,
            r.id,
            &what,
            Some(note).filter(|s| !s.is_empty()),
            now,
        )
        .await?;
        store::bump_version(&mut tx, c.id).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(next)
    }

    /// Cancels an RMA not yet carried out — the customer rejected the remedy, or an
    /// unsatisfied follow-up undid it — with the reason, so the complaint can close on a
    /// true record instead of an unpaid refund marked done. Done RMAs cannot be cancelled.
    pub async fn cancel_rma(
        &self,
        actor: &Actor,
        rma_id: i64,
        reason: &str,
        expected: Option<i64>,
    ) -> Result<()> {
        actor.require(Permission::RmaWork)?;
        let reason = rules::text("reason", reason, true, 2000)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let complaint_id = store::rma_complaint(&mut tx, rma_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if let Some((_, number)) =
            kefu_store::aftersales::rma::by_complaint_rma(&mut tx, rma_id).await?
        {
            return Err(kefu_domain::aftersales::rma::RmaError::InAftersales(number).into());
        }
        expect_version(&mut tx, complaint_id, expected).await?;
        let c = store::by_id(&mut tx, complaint_id).await?;
        let mut r = store::rmas(&mut tx, complaint_id)
            .await?
            .into_iter()
            .find(|r| r.id == rma_id)
            .ok_or(AppError::NotFound)?;
        if !r.status.may_cancel() {
            return Err(ComplaintError::RmaNotCancellable.into());
        }
        r.status = RmaStatus::Cancelled;
        r.note = Some(reason.clone());
        r.updated_at = now;
        r.updated_by = actor.user_id();
        store::save_rma(&mut tx, &r).await?;
        self.note_rma_step(&mut tx, actor, &c, r.id, "rma_cancelled", Some(reason), now)
            .await?;
        store::bump_version(&mut tx, c.id).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// 处罚 — a penalty for the responsible party, per policy, once a solution was approved.
    pub async fn record_penalty(
        &self,
        actor: &Actor,
        id: i64,
        p: &NewPenalty,
        expected: Option<i64>,
    ) -> Result<()> {
        actor.require(Permission::ComplaintHandle)?;
        let reason = rules::text("reason", &p.reason, true, 2000)?;
        let amount = rules::cost(p.amount_fen)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        expect_version(&mut tx, id, expected).await?;
        let c = store::by_id(&mut tx, id).await?;
        if c.stage.step() < Stage::Implementation.step() || c.stage == Stage::Invalid {
            return Err(ComplaintError::NoApprovedSolution.into());
        }
        if p.department_id.is_none() && p.user_id.is_none() {
            return Err(ComplaintError::Required("responsible").into());
        }
        if let Some(d) = p.department_id
            && !store::department_exists(&mut tx, d).await?
        {
            return Err(AppError::UnknownDepartment);
        }
        if let Some(u) = p.user_id {
            kefu_store::staff::user_by_id(&mut tx, u)
                .await
                .map_err(|_| AppError::UnknownAssignee)?;
        }
        store::insert_penalty(
            &mut tx,
            &Penalty {
                id: 0,
                complaint_id: id,
                department_id: p.department_id,
                department_name: None,
                user_id: p.user_id,
                user_name: None,
                amount_fen: amount,
                reason: reason.clone(),
                recorded_by: actor.user_id(),
                recorded_at: now,
            },
        )
        .await?;
        self.note_step(&mut tx, actor, &c, "penalty", Some(reason), now)
            .await?;
        store::bump_version(&mut tx, c.id).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }
}
