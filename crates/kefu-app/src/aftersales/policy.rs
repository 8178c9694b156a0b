//! 售后服务政策 — issuing versions of the after-sales policy, company-wide or per product
//! category, and checking a claim against the version in force. The shipped company-wide
//! policy (三包) is written the first time anyone looks; a version once issued is never
//! edited — a new one is issued from a later day, which ends the open one the day before.

use jiff::Timestamp;
use jiff::civil::Date;
use kefu_domain::Permission;
use kefu_domain::aftersales::catalogue::CatalogueError;
use kefu_domain::aftersales::policy::{
    self as rules, Claim, ClauseKey, Decision, Fault, Policy, PolicyError, RmaKind, Span,
    default_policy,
};
use kefu_domain::dates::{self, MIN_DATE};
use kefu_store::aftersales::catalogue as catalogue_store;
use kefu_store::aftersales::policy::{self as store, COMPANY_WIDE, NewVersion, PolicyRow};
use kefu_store::{AnyConnection, StoreError};

use crate::{Actor, App, AppError, Result};

/// A version as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyVersion {
    pub id: i64,
    /// The category it covers; `None`: company-wide.
    pub category_id: Option<i64>,
    pub number: i64,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
    pub policy: Policy,
    pub note: String,
    pub by: Option<String>,
    pub at: Timestamp,
}

/// A version to issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyDraft {
    /// `None`: the company-wide policy.
    pub category_id: Option<i64>,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
    pub policy: Policy,
    pub note: String,
}

/// A claim to check: the product and what the customer asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimQuery {
    pub product_id: i64,
    pub kind: RmaKind,
    pub fault: Fault,
    pub delivered_on: Date,
    /// Today when `None`.
    pub requested_on: Option<Date>,
    pub failed_repairs: u32,
    pub amount_fen: i64,
}

/// What the check found, with the version and clause it rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyCheck {
    pub decision: Decision,
    pub version: PolicyVersion,
    /// 第N条
    pub clause_number: usize,
    pub clause_text: String,
    pub requested_on: Date,
}

fn version(row: PolicyRow) -> Result<PolicyVersion> {
    let policy: Policy = serde_json::from_str(&row.body)
        .map_err(|e| AppError::Internal(format!("a stored policy does not read: {e}")))?;
    Ok(PolicyVersion {
        id: row.id,
        category_id: (row.scope != COMPANY_WIDE).then_some(row.scope),
        number: row.number,
        valid_from: row.valid_from,
        valid_to: row.valid_to,
        policy,
        note: row.note,
        by: row.created_by,
        at: row.created_at,
    })
}

fn body(policy: &Policy) -> Result<String> {
    serde_json::to_string(policy).map_err(|e| AppError::Internal(e.to_string()))
}

/// Writes the shipped company-wide policy when there is none (once, whichever instance
/// comes first).
pub(crate) async fn ensure_default(conn: &mut AnyConnection, now: Timestamp) -> Result<()> {
    if !store::of_scope(conn, COMPANY_WIDE).await?.is_empty() {
        return Ok(());
    }
    let draft = NewVersion {
        scope: COMPANY_WIDE,
        number: 1,
        valid_from: MIN_DATE,
        valid_to: None,
        body: &body(&default_policy())?,
        note: "",
    };
    match store::insert(conn, &draft, None, None, now).await {
        Ok(_) | Err(StoreError::Conflict(_)) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// The version in force for a category on a day: its own, else the company-wide one.
pub(crate) async fn in_force(
    conn: &mut AnyConnection,
    category_id: i64,
    day: Date,
    now: Timestamp,
) -> Result<PolicyVersion> {
    ensure_default(conn, now).await?;
    let row = store::in_force(conn, Some(category_id), day)
        .await?
        .ok_or(PolicyError::NoneInForce)?;
    version(row)
}

impl App {
    /// Every version, company-wide first, then by category and number.
    pub async fn aftersales_policies(&self, actor: &Actor) -> Result<Vec<PolicyVersion>> {
        actor.require(Permission::CatalogueView)?;
        let mut conn = self.store.conn().await?;
        ensure_default(&mut conn, self.now()).await?;
        store::all(&mut conn)
            .await?
            .into_iter()
            .map(version)
            .collect()
    }

    /// One version.
    pub async fn aftersales_policy(&self, actor: &Actor, id: i64) -> Result<PolicyVersion> {
        actor.require(Permission::CatalogueView)?;
        let mut conn = self.store.conn().await?;
        version(store::by_id(&mut conn, id).await?)
    }

    /// Issues a version; its id and number. A later start ends the open version the day
    /// before; any other shared day is refused.
    pub async fn issue_aftersales_policy(
        &self,
        actor: &Actor,
        draft: PolicyDraft,
    ) -> Result<(i64, i64)> {
        actor.require(Permission::AftersalesPolicy)?;
        let policy = draft.policy.checked()?;
        dates::check("valid_from", draft.valid_from)?;
        if let Some(to) = draft.valid_to {
            dates::check("valid_to", to)?;
        }
        let note = draft.note.trim();
        if note.chars().count() > rules::MAX_NOTE {
            return Err(PolicyError::NoteTooLong.into());
        }
        let mut tx = self.store.begin().await?;
        ensure_default(&mut tx, self.now()).await?;
        let scope = match draft.category_id {
            Some(id) => {
                let known = catalogue_store::categories(&mut tx)
                    .await?
                    .iter()
                    .any(|c| c.id == id);
                if !known {
                    return Err(CatalogueError::UnknownCategory.into());
                }
                id
            }
            None => COMPANY_WIDE,
        };
        let existing = store::of_scope(&mut tx, scope).await?;
        let spans: Vec<Span> = existing
            .iter()
            .map(|v| Span {
                number: v.number,
                from: v.valid_from,
                to: v.valid_to,
            })
            .collect();
        let ends = rules::place(&spans, draft.valid_from, draft.valid_to)?;
        let number = existing.iter().map(|v| v.number).max().unwrap_or(0) + 1;
        let new = NewVersion {
            scope,
            number,
            valid_from: draft.valid_from,
            valid_to: draft.valid_to,
            body: &body(&policy)?,
            note,
        };
        let id = store::insert(&mut tx, &new, ends, actor.user_id(), self.now()).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok((id, number))
    }

    /// Checks a claim on a product by the policy in force on the day it was made.
    pub async fn check_aftersales_claim(
        &self,
        actor: &Actor,
        q: &ClaimQuery,
    ) -> Result<PolicyCheck> {
        actor.require(Permission::CatalogueView)?;
        dates::check("delivered_on", q.delivered_on)?;
        let requested_on = match q.requested_on {
            Some(d) => dates::check("requested_on", d)?,
            None => crate::workbench::local_date(self.now()),
        };
        let mut conn = self.store.conn().await?;
        let product = catalogue_store::product_by_id(&mut conn, q.product_id).await?;
        let version = in_force(
            &mut conn,
            product.product.category_id,
            requested_on,
            self.now(),
        )
        .await?;
        let claim = Claim {
            kind: q.kind,
            fault: q.fault,
            delivered_on: q.delivered_on,
            requested_on,
            failed_repairs: q.failed_repairs,
            product_warranty_months: product.product.warranty_months,
            amount_fen: q.amount_fen,
        };
        let decision = rules::check(&version.policy, &claim)?;
        Ok(PolicyCheck {
            clause_number: rules::clause_number(decision.clause),
            clause_text: version.policy.clause(decision.clause).to_owned(),
            decision,
            version,
            requested_on,
        })
    }
}

/// The clauses of a policy with their numbers, as printed.
pub fn numbered_clauses(policy: &Policy) -> Vec<(usize, ClauseKey, String)> {
    policy
        .clauses
        .iter()
        .map(|c| (rules::clause_number(c.key), c.key, c.text.clone()))
        .collect()
}
