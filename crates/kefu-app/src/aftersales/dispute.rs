//! 售后纠纷 — registering a dispute (both positions and the evidence, for a customer and
//! maybe one of their RMAs), the after-sales specialist's ruling citing a clause of a policy
//! version, and finding earlier rulings as precedent.

use kefu_domain::aftersales::dispute::{
    self as rules, DisputeCase, DisputeError, DisputeStatus, Ruling,
};
use kefu_domain::aftersales::policy::Policy;
use kefu_domain::{Permission, Role};
use kefu_store::StoreError;
use kefu_store::aftersales::dispute::{self as store, DisputeRow};
use serde_json::json;

use crate::notify::{self, kind};
use crate::{Actor, App, AppError, Result};

/// The most disputes a page lists.
pub const MAX_LIST: i64 = 200;

/// A dispute with the wording of the clause its ruling cites.
#[derive(Debug, Clone)]
pub struct DisputeDetail {
    pub dispute: DisputeRow,
    /// (第N条, wording, the version's number) of the clause cited, once ruled.
    pub cited: Option<(usize, String, i64)>,
    pub may_rule: bool,
}

impl App {
    /// Registers a dispute; its id. The after-sales specialists are told.
    pub async fn open_dispute(
        &self,
        actor: &Actor,
        customer_id: i64,
        rma_id: Option<i64>,
        case: DisputeCase,
    ) -> Result<i64> {
        actor.require(Permission::RmaRequest)?;
        let case = case.checked()?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        kefu_store::customer::by_id(&mut tx, customer_id)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => AppError::UnknownArchiveCustomer,
                e => e.into(),
            })?;
        if let Some(r) = rma_id {
            let rma = kefu_store::aftersales::rma::by_id(&mut tx, r).await?;
            if rma.rma.customer_id != customer_id {
                return Err(DisputeError::OtherCustomer.into());
            }
        }
        let id = store::insert(&mut tx, customer_id, rma_id, &case, actor.user_id(), now).await?;
        let to = notify::with_role(&mut tx, Role::AftersalesSpecialist).await?;
        notify::notify(
            &mut tx,
            &to,
            kind::DISPUTE_OPENED,
            None,
            &json!({"dispute": id, "subject": case.subject}),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(id)
    }

    /// Rules dispute `id` (made from `expected` when given), citing a clause of a policy
    /// version; who registered it is told.
    pub async fn rule_dispute(
        &self,
        actor: &Actor,
        id: i64,
        expected: Option<i64>,
        ruling: Ruling,
    ) -> Result<()> {
        actor.require(Permission::AftersalesPolicy)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let d = store::by_id(&mut tx, id).await?;
        if let Some(v) = expected
            && v != d.version
        {
            return Err(AppError::StaleVersion {
                current: d.version,
                changed: Vec::new(),
            });
        }
        let ruling = rules::rule(d.status, ruling)?;
        kefu_store::aftersales::policy::by_id(&mut tx, ruling.policy_id).await?;
        if !store::rule(&mut tx, id, d.version, &ruling, actor.user_id(), now).await? {
            return Err(AppError::StaleVersion {
                current: d.version + 1,
                changed: Vec::new(),
            });
        }
        let registrant = store::registrant(&mut tx, id).await?;
        if let Some(by) = registrant.filter(|b| Some(*b) != actor.user_id()) {
            notify::notify(
                &mut tx,
                &[by],
                kind::DISPUTE_RULED,
                None,
                &json!({"dispute": id, "subject": d.case.subject}),
                now,
            )
            .await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// One dispute, with the clause its ruling cites.
    pub async fn dispute(&self, actor: &Actor, id: i64) -> Result<DisputeDetail> {
        actor.require(Permission::RmaRequest)?;
        let mut conn = self.store.conn().await?;
        let d = store::by_id(&mut conn, id).await?;
        let cited = match &d.ruling {
            Some(r) => {
                let v = kefu_store::aftersales::policy::by_id(&mut conn, r.policy_id).await?;
                let policy: Policy = serde_json::from_str(&v.body).map_err(|e| {
                    AppError::Internal(format!("a stored policy does not read: {e}"))
                })?;
                Some((
                    kefu_domain::aftersales::policy::clause_number(r.clause),
                    policy.clause(r.clause).to_owned(),
                    v.number,
                ))
            }
            None => None,
        };
        Ok(DisputeDetail {
            may_rule: d.status == DisputeStatus::Open
                && actor.require(Permission::AftersalesPolicy).is_ok(),
            dispute: d,
            cited,
        })
    }

    /// Disputes newest first; `text` finds the precedents holding it.
    pub async fn disputes(
        &self,
        actor: &Actor,
        status: Option<DisputeStatus>,
        text: Option<&str>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<DisputeRow>> {
        actor.require(Permission::RmaRequest)?;
        let mut conn = self.store.conn().await?;
        Ok(store::list(&mut conn, status, text, before, limit.clamp(1, MAX_LIST)).await?)
    }
}
