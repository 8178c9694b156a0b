//! 客户填写 — the customer's side of a relationship survey: the link in the invitation
//! opens the questionnaire with no sign-in (on a phone, in WeChat's browser too); the
//! answers are given once, all together, while the link works.

use jiff::Timestamp;
use kefu_domain::Role;
use kefu_domain::satisfaction::CsatError;
use kefu_domain::satisfaction::relationship::{
    Answer, Given, NPS_QUESTION, Question, check_answers,
};
use kefu_store::relationship::{self as store, AnswerRow, Invitation};
use kefu_store::{AnyConnection, StoreError};
use serde_json::json;

use super::view;
use crate::notify::{self, kind};
use crate::satisfaction::token::{self, Purpose};
use crate::{App, Result};

/// The highest recommendation answer of a detractor (NPS counts 0–6 against).
const DETRACTOR_MAX: i64 = 6;

/// An invitation as the customer sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicInvitation {
    pub survey_name: String,
    /// Whom it was sent to: the contact, else the customer.
    pub salutation: String,
    pub questions: Vec<Question>,
    pub answered_at: Option<Timestamp>,
    /// Unanswered and the link ran out.
    pub expired: bool,
}

impl PublicInvitation {
    /// Whether answers are taken now.
    pub fn open(&self) -> bool {
        self.answered_at.is_none() && !self.expired
    }
}

impl App {
    /// The invitation `link` names, read on `conn`; `BadLink` for a link kefu did not make
    /// (or whose invitation is gone), never telling which.
    async fn invitation_of_link(
        &self,
        conn: &mut AnyConnection,
        key: &str,
        link: &str,
    ) -> Result<Invitation> {
        let (id, expires) =
            token::read(key, Purpose::Relationship, link).ok_or(CsatError::BadLink)?;
        let inv = match store::invitation(conn, id).await {
            Ok(i) => i,
            Err(StoreError::NotFound) => return Err(CsatError::BadLink.into()),
            Err(e) => return Err(e.into()),
        };
        if inv.state != "sent" || inv.expires_at.map(|e| e.as_second()) != Some(expires.as_second())
        {
            return Err(CsatError::BadLink.into());
        }
        Ok(inv)
    }

    async fn public_invitation(
        &self,
        conn: &mut AnyConnection,
        inv: &Invitation,
        now: Timestamp,
    ) -> Result<PublicInvitation> {
        let survey = view(store::survey(conn, inv.survey_id).await?)?;
        Ok(PublicInvitation {
            survey_name: survey.plan.name,
            salutation: inv
                .contact_name
                .clone()
                .unwrap_or_else(|| inv.customer_name.clone()),
            questions: survey.questions,
            answered_at: inv.answered_at,
            expired: inv.answered_at.is_none() && inv.expires_at.is_none_or(|e| now >= e),
        })
    }

    /// The questionnaire behind `link`, as its page shows it.
    pub async fn relationship_invitation(&self, link: &str) -> Result<PublicInvitation> {
        let key = self.csat_key().await?;
        let mut conn = self.store.conn().await?;
        let inv = self.invitation_of_link(&mut conn, key, link).await?;
        self.public_invitation(&mut conn, &inv, self.now()).await
    }

    /// The customer's answers through `link`, all at once. Refused (nothing stored) once
    /// answered ([`CsatError::Final`]), once the link ran out ([`CsatError::Expired`]), or
    /// when an answer is missing or out of range.
    pub async fn answer_relationship(
        &self,
        link: &str,
        given: &[Given],
    ) -> Result<PublicInvitation> {
        // Before the transaction: made at first use, the key takes a write of its own.
        let key = self.csat_key().await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let inv = self.invitation_of_link(&mut tx, key, link).await?;
        let shown = self.public_invitation(&mut tx, &inv, now).await?;
        if inv.answered_at.is_some() {
            return Err(CsatError::Final.into());
        }
        if shown.expired {
            return Err(CsatError::Expired.into());
        }
        let answers = check_answers(&shown.questions, given)?;
        let nps = answers.iter().find_map(|(k, a)| match a {
            Answer::Nps(n) if k == NPS_QUESTION => Some(*n),
            _ => None,
        });
        let rows: Vec<AnswerRow> = answers
            .into_iter()
            .map(|(question, a)| {
                let (number, text) = match a {
                    Answer::Choice(i) => (Some(i as i64), None),
                    Answer::Scale(n) | Answer::Nps(n) => (Some(n), None),
                    Answer::Text(t) => (None, Some(t)),
                };
                AnswerRow {
                    question,
                    number,
                    text,
                }
            })
            .collect();
        // Two submissions at once: the second finds it answered.
        if !store::answer(&mut tx, inv.id, &rows, nps, now).await? {
            return Err(CsatError::Final.into());
        }
        if let Some(score) = nps.filter(|n| *n <= DETRACTOR_MAX) {
            let mut to = notify::with_role(&mut tx, Role::CrmSpecialist).await?;
            to.extend(inv.owner_id);
            let params = json!({
                "customer": inv.customer_name,
                "score": score.to_string(),
                "survey_name": shown.survey_name,
                "relationship": inv.survey_id,
                "period": inv.period,
            });
            notify::notify(
                &mut tx,
                &to,
                kind::RELATIONSHIP_DETRACTOR,
                None,
                &params,
                now,
            )
            .await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(PublicInvitation {
            answered_at: Some(now),
            ..shown
        })
    }
}
