//! 信用管理 — credit investigations, the scoring model, grades with their history, limits
//! and payment terms, and the graded-handling rule other areas ask.

use jiff::civil::Date;
use kefu_domain::Permission;
use kefu_domain::credit::{
    self as rules, CreditDecision, CreditError, Factor, Grade, Model, TermsKind,
};
use kefu_store::customer::{self as store, Change, Investigation};
use kefu_store::{StoreError, changelog};
use serde_json::json;

use crate::versions::{self, Sheet};
use crate::{Actor, ActorKind, App, AppError, Result};

/// One scored factor of an investigation, with its evidence.
#[derive(Debug, Clone)]
pub struct FactorScore {
    pub factor: Factor,
    pub score: u32,
    pub evidence: String,
}

/// A customer's credit: grade, limit, terms and the investigations behind them.
#[derive(Debug, Clone)]
pub struct CreditStatus {
    pub grade: Option<Grade>,
    pub limit_fen: i64,
    /// 付款条件 as agreed, free text.
    pub payment_terms: Option<String>,
    /// What the terms ask of the customer, as graded handling reads them.
    pub terms_kind: TermsKind,
    pub investigations: Vec<Investigation>,
}

fn actor_name(actor: &Actor) -> String {
    match &actor.kind {
        ActorKind::User(u) => u.display_name.clone(),
        _ => actor.name().to_owned(),
    }
}

impl App {
    /// The scoring model in use (the default until an admin changes it).
    pub async fn credit_model(&self, actor: &Actor) -> Result<Model> {
        actor.require(Permission::CustomerView)?;
        let mut conn = self.store.conn().await?;
        Ok(match store::credit_model(&mut conn).await? {
            Some(json) => serde_json::from_str(&json).unwrap_or_default(),
            None => Model::default(),
        })
    }

    /// Saves the credit model, made against version `expected` of it (see
    /// [`crate::versions`]).
    pub async fn save_credit_model(
        &self,
        actor: &Actor,
        model: &Model,
        expected: Option<i64>,
    ) -> Result<()> {
        actor.require(Permission::CreditManage)?;
        model.check()?;
        let json = serde_json::to_string(model).map_err(|e| AppError::Internal(e.to_string()))?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        versions::expect_sheet(&mut tx, Sheet::CreditModel, expected).await?;
        store::save_credit_model(&mut tx, &json, actor.user_id(), now).await?;
        changelog::record(
            &mut tx,
            "credit_model",
            1,
            changelog::Operation::Update,
            actor.user_id(),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// Records an investigation, grades it with the model, and sets the customer's grade;
    /// a changed grade is recorded in the customer's history.
    pub async fn record_investigation(
        &self,
        actor: &Actor,
        customer_id: i64,
        on: Date,
        scores: &[FactorScore],
        notes: &str,
    ) -> Result<Investigation> {
        actor.require(Permission::CreditManage)?;
        kefu_domain::dates::check("on", on)?;
        if scores.iter().any(|s| s.evidence.chars().count() > 1000) || notes.chars().count() > 5000
        {
            return Err(CreditError::EvidenceTooLong.into());
        }
        let model = self.credit_model(actor).await?;
        let pairs: Vec<(Factor, u32)> = scores.iter().map(|s| (s.factor, s.score)).collect();
        let score = model.score(&pairs)?;
        let grade = model.grade(score);
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let mut c = store::by_id(&mut tx, customer_id).await?;
        let factors: Vec<serde_json::Value> = scores
            .iter()
            .map(|s| json!({"factor": s.factor.key(), "score": s.score, "evidence": s.evidence.trim()}))
            .collect();
        let inv = Investigation {
            id: 0,
            customer_id,
            investigator_id: actor.user_id(),
            investigator_name: actor_name(actor),
            investigated_on: on.to_string(),
            factors: serde_json::Value::Array(factors).to_string(),
            score: score as i64,
            grade: grade.key().to_owned(),
            notes: Some(notes.trim().to_owned()).filter(|n| !n.is_empty()),
            created_at: now,
        };
        let id = store::insert_investigation(&mut tx, &inv).await?;
        let old = c.credit_grade.clone();
        c.credit_grade = Some(grade.key().to_owned());
        c.credit_updated_at = Some(now);
        c.updated_at = now;
        store::save(&mut tx, &c).await?;
        if old != c.credit_grade {
            store::add_history(
                &mut tx,
                &Change {
                    id: 0,
                    customer_id,
                    contact_id: None,
                    at: now,
                    actor_user_id: actor.user_id(),
                    actor_name: actor_name(actor),
                    field: "credit_grade".into(),
                    old_value: old,
                    new_value: c.credit_grade.clone(),
                },
            )
            .await?;
        }
        changelog::record(
            &mut tx,
            "customer",
            customer_id,
            changelog::Operation::Update,
            actor.user_id(),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(Investigation { id, ..inv })
    }

    /// Sets the credit limit (fen) and payment terms, recording the change. Credit terms
    /// (月结…) may be set whatever the grade — the grade may rise — and graded handling
    /// shows them suspended while the grade forbids credit
    /// ([`CreditDecision::TermsSuspended`]).
    pub async fn set_credit_terms(
        &self,
        actor: &Actor,
        customer_id: i64,
        limit_fen: i64,
        payment_terms: &str,
    ) -> Result<()> {
        actor.require(Permission::CreditManage)?;
        if limit_fen < 0 {
            return Err(AppError::BadAmount);
        }
        kefu_domain::money::amount(limit_fen)?;
        let terms = Some(payment_terms.trim().to_owned()).filter(|t| !t.is_empty());
        if terms.as_ref().is_some_and(|t| t.chars().count() > 100) {
            return Err(AppError::TooLong);
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let mut c = store::by_id(&mut tx, customer_id).await?;
        let changes = [
            (
                "credit_limit",
                Some(c.credit_limit_fen.to_string()),
                Some(limit_fen.to_string()),
            ),
            ("payment_terms", c.payment_terms.clone(), terms.clone()),
        ];
        c.credit_limit_fen = limit_fen;
        c.payment_terms = terms;
        c.credit_updated_at = Some(now);
        c.updated_at = now;
        store::save(&mut tx, &c).await?;
        for (field, old, new) in changes {
            if old != new {
                store::add_history(
                    &mut tx,
                    &Change {
                        id: 0,
                        customer_id,
                        contact_id: None,
                        at: now,
                        actor_user_id: actor.user_id(),
                        actor_name: actor_name(actor),
                        field: field.into(),
                        old_value: old,
                        new_value: new,
                    },
                )
                .await?;
            }
        }
        changelog::record(
            &mut tx,
            "customer",
            customer_id,
            changelog::Operation::Update,
            actor.user_id(),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    pub async fn credit_status(&self, actor: &Actor, customer_id: i64) -> Result<CreditStatus> {
        actor.require(Permission::CustomerView)?;
        let mut conn = self.store.conn().await?;
        let c = store::by_id(&mut conn, customer_id).await?;
        Ok(CreditStatus {
            grade: c.credit_grade.as_deref().and_then(Grade::parse),
            limit_fen: c.credit_limit_fen,
            terms_kind: TermsKind::read(c.payment_terms.as_deref()),
            payment_terms: c.payment_terms,
            investigations: store::investigations(&mut conn, customer_id).await?,
        })
    }

    /// 分级处理: may the customer buy `amount_fen` on credit? One rule of grade, limit and
    /// the agreed payment terms ([`rules::credit_decision`]). (Outstanding receivables
    /// count once the orders area records them; until then nothing is outstanding.)
    pub async fn may_buy_on_credit(
        &self,
        actor: &Actor,
        customer_id: i64,
        amount_fen: i64,
    ) -> Result<CreditDecision> {
        let s = self.credit_status(actor, customer_id).await?;
        kefu_domain::money::amount(amount_fen)?;
        Ok(rules::credit_decision(
            s.grade,
            s.limit_fen,
            0,
            amount_fen,
            s.terms_kind,
        ))
    }
}
