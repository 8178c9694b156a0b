//! 服务优惠政策和激励策略 — a key account's discounts and incentives (000 §(六)6): proposed
//! by the key-account specialist, approved or rejected by a manager who did not propose
//! them, withdrawn while they wait or ended early; the ones in force shown wherever the
//! customer is served.

use kefu_domain::key_account::KeyAccountError;
use kefu_domain::key_account::policy::{
    Policy as Draft, PolicyState, check_decision, check_policy, check_withdrawal,
};
use kefu_domain::{Permission, Role};
use kefu_store::StoreError;
use kefu_store::key_account_plan::{self as store, NewPolicy};
use serde_json::json;

use super::plan::key_account;
use crate::follow_up::local_date;
use crate::notify::{self, kind};
use crate::{Actor, App, Result};

pub use kefu_store::key_account_plan::Policy;

/// Policies one list shows, at most.
const LIST_LIMIT: i64 = 500;

/// The longest decision note, in characters.
const MAX_NOTE: usize = 2000;

fn note_of(note: &str, required: bool) -> Result<String> {
    Ok(kefu_domain::key_account::text(
        "note", note, MAX_NOTE, required,
    )?)
}

fn state_of(p: &Policy) -> PolicyState {
    p.state.parse().unwrap_or(PolicyState::Pending)
}

impl App {
    /// Proposes a policy for a key account; the managers are told.
    pub async fn propose_policy(&self, actor: &Actor, customer: i64, draft: &Draft) -> Result<i64> {
        actor.require(Permission::KeyAccountManage)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let calendar = self.business_calendar(&mut tx).await?;
        let p = check_policy(draft, local_date(&calendar, now))?;
        let c = key_account(&mut tx, customer).await?;
        let id = store::insert_policy(
            &mut tx,
            &NewPolicy {
                customer_id: customer,
                kind: p.kind.key(),
                title: &p.title,
                conditions: &p.conditions,
                rate_bp: p.rate_bp,
                threshold_fen: p.threshold_fen,
                valid_from: &p.valid_from.to_string(),
                valid_until: &p.valid_until.to_string(),
                proposed_by: actor.user_id(),
            },
            now,
        )
        .await?;
        let to: Vec<i64> = notify::with_role(&mut tx, Role::CsManager)
            .await?
            .into_iter()
            .filter(|u| Some(*u) != actor.user_id())
            .collect();
        notify::notify(
            &mut tx,
            &to,
            kind::KEY_ACCOUNT_POLICY_PROPOSED,
            None,
            &json!({"customer": c.name, "text": p.title, "key_account_page": customer}),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(id)
    }

    /// Approves (`approve`) or rejects a waiting policy; the proposer is told. A rejection
    /// says why.
    pub async fn decide_policy(
        &self,
        actor: &Actor,
        id: i64,
        approve: bool,
        note: &str,
    ) -> Result<()> {
        actor.require(Permission::KeyAccountApprove)?;
        let note = note_of(note, !approve)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let p = store::policy(&mut tx, id).await?;
        check_decision(state_of(&p), p.proposed_by, actor.user_id())?;
        let to = if approve {
            PolicyState::Approved
        } else {
            PolicyState::Rejected
        };
        if !store::decide_policy(
            &mut tx,
            id,
            PolicyState::Pending.key(),
            to.key(),
            actor.user_id(),
            &note,
            now,
        )
        .await?
        {
            let again = store::policy(&mut tx, id).await?;
            return Err(KeyAccountError::PolicyDecided(state_of(&again)).into());
        }
        if let Some(proposer) = p.proposed_by {
            notify::notify(
                &mut tx,
                &[proposer],
                if approve {
                    kind::KEY_ACCOUNT_POLICY_APPROVED
                } else {
                    kind::KEY_ACCOUNT_POLICY_REJECTED
                },
                None,
                &json!({
                    "customer": p.customer_name,
                    "text": p.title,
                    "key_account_page": p.customer_id,
                }),
                now,
            )
            .await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// Withdraws a waiting policy (its proposer or a manager) or ends an approved one early
    /// (a manager), saying why.
    pub async fn withdraw_policy(&self, actor: &Actor, id: i64, note: &str) -> Result<()> {
        actor.require(Permission::KeyAccountManage)?;
        let note = note_of(note, true)?;
        let approves = actor.require(Permission::KeyAccountApprove).is_ok();
        let mut tx = self.store.begin().await?;
        let p = store::policy(&mut tx, id).await?;
        let state = state_of(&p);
        let is_proposer = p.proposed_by.is_some() && p.proposed_by == actor.user_id();
        check_withdrawal(state, is_proposer, approves)?;
        if !store::decide_policy(
            &mut tx,
            id,
            state.key(),
            PolicyState::Withdrawn.key(),
            actor.user_id(),
            &note,
            self.now(),
        )
        .await?
        {
            let again = store::policy(&mut tx, id).await?;
            return Err(KeyAccountError::PolicyDecided(state_of(&again)).into());
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// One policy, with whether it is in force today.
    pub async fn key_account_policy(&self, actor: &Actor, id: i64) -> Result<(Policy, bool)> {
        actor.require(Permission::KeyAccountManage)?;
        let mut conn = self.store.conn().await?;
        let calendar = self.business_calendar(&mut conn).await?;
        let today = local_date(&calendar, self.now());
        let p = store::policy(&mut conn, id).await?;
        let force = super::plan::in_force(&p, today);
        Ok((p, force))
    }

    /// The policies waiting for a manager, the oldest first.
    pub async fn pending_policies(&self, actor: &Actor) -> Result<Vec<Policy>> {
        actor.require(Permission::KeyAccountManage)?;
        let mut conn = self.store.conn().await?;
        Ok(store::pending_policies(&mut conn, LIST_LIMIT).await?)
    }

    /// 优惠政策 — the customer's policies in force today, for whoever serves it (its page,
    /// and its orders once they exist).
    pub async fn policies_in_force(&self, actor: &Actor, customer: i64) -> Result<Vec<Policy>> {
        actor.require(Permission::CustomerView)?;
        let mut conn = self.store.conn().await?;
        let calendar = self.business_calendar(&mut conn).await?;
        let today = local_date(&calendar, self.now()).to_string();
        Ok(store::policies_in_force(&mut conn, customer, &today).await?)
    }

    /// How many policies wait for a manager; for the tile.
    pub(crate) async fn policies_pending(&self, actor: &Actor) -> Result<i64> {
        actor.require(Permission::KeyAccountApprove)?;
        let mut conn = self.store.conn().await?;
        Ok(store::pending_count(&mut conn).await?)
    }
}
