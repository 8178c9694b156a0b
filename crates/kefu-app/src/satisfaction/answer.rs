//! 客户评价 — the customer's side of a survey: the link opens it with no sign-in (in
//! WeChat's browser too), one tap gives the score, a comment may follow; the answer may be
//! changed for the set days. A low score tells the team leads, who follow it up.

use jiff::Timestamp;
use kefu_domain::Role;
use kefu_domain::satisfaction::{AnswerState, CsatError, answer_window, check_answer};
use kefu_store::satisfaction::{self as store, Survey};
use kefu_store::{AnyConnection, StoreError};
use serde_json::json;

use super::{load_rules, token};
use crate::notify::{self, kind};
use crate::{Actor, App, Result};

/// A survey as the customer sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicSurvey {
    pub ticket_number: String,
    pub score: Option<i64>,
    pub comment: String,
    /// Whether an answer (a first one, or a change) is taken now.
    pub open: bool,
    /// Until when the answer may still be changed, once given.
    pub changeable_until: Option<Timestamp>,
    pub expired: bool,
}

impl App {
    /// The survey a link names, read on `conn`; `BadLink` for a link kefu did not make (or
    /// whose survey is gone), never telling which.
    async fn survey_of_link(
        &self,
        conn: &mut AnyConnection,
        key: &str,
        link: &str,
    ) -> Result<Survey> {
        let (id, expires) =
            token::read(key, token::Purpose::Csat, link).ok_or(CsatError::BadLink)?;
        let s = match store::by_id(conn, id).await {
            Ok(s) => s,
            Err(StoreError::NotFound) => return Err(CsatError::BadLink.into()),
            Err(e) => return Err(e.into()),
        };
        if s.state != "sent" || s.expires_at.map(|e| e.as_second()) != Some(expires.as_second()) {
            return Err(CsatError::BadLink.into());
        }
        Ok(s)
    }

    fn public(&self, s: &Survey, change_days: i64, now: Timestamp) -> PublicSurvey {
        let state = AnswerState {
            expires_at: s.expires_at.unwrap_or(now),
            answered_at: s.answered_at,
        };
        let open = answer_window(state, change_days, now).is_ok();
        PublicSurvey {
            ticket_number: s.ticket_number.clone(),
            score: s.score,
            comment: s.comment.clone().unwrap_or_default(),
            open,
            changeable_until: state.changeable_until(change_days),
            expired: s.answered_at.is_none() && !open,
        }
    }

    /// The survey behind `link`, as its page shows it.
    pub async fn csat_survey(&self, link: &str) -> Result<PublicSurvey> {
        let key = self.csat_key().await?;
        let mut conn = self.store.conn().await?;
        let s = self.survey_of_link(&mut conn, key, link).await?;
        let rules = load_rules(&mut conn).await?;
        Ok(self.public(&s, rules.change_days, self.now()))
    }

    /// The customer's answer through `link`: a score of 1–5 and an optional comment, the
    /// first or a change. Refused (nothing stored) once the link ran out unanswered, once
    /// the answer may no longer be changed, or out of range.
    pub async fn answer_csat(&self, link: &str, score: i64, comment: &str) -> Result<PublicSurvey> {
        // Before the transaction: made at first use, the key takes a write of its own.
        let key = self.csat_key().await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        // Read in the transaction: two taps at once take one first answer.
        let s = self.survey_of_link(&mut tx, key, link).await?;
        let rules = load_rules(&mut tx).await?;
        let state = AnswerState {
            expires_at: s.expires_at.unwrap_or(now),
            answered_at: s.answered_at,
        };
        let comment = check_answer(state, rules.change_days, score, comment, now)?;
        let low = rules.is_low(score);
        store::answer(&mut tx, s.id, score, &comment, low, now).await?;
        crate::ticket::event(
            &mut tx,
            s.ticket_id,
            &Actor::system(),
            now,
            "csat",
            s.score.map(|x| x.to_string()),
            Some(score.to_string()),
        )
        .await?;
        // Newly low: the leads hear of it (a change from one low score to another is not
        // news).
        if low && !s.low {
            let mut to = notify::with_role(&mut tx, Role::CsManager).await?;
            to.extend(notify::with_role(&mut tx, Role::CrmSpecialist).await?);
            let params = json!({
                "number": s.ticket_number,
                "score": score.to_string(),
                "customer": s.customer_name.clone().unwrap_or_default(),
                "survey": s.id,
            });
            notify::notify(
                &mut tx,
                &to,
                kind::CSAT_LOW,
                Some(s.ticket_id),
                &params,
                now,
            )
            .await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        let answered = Survey {
            score: Some(score),
            comment: Some(comment),
            answered_at: s.answered_at.or(Some(now)),
            low,
            ..s
        };
        Ok(self.public(&answered, rules.change_days, now))
    }

    /// 低分跟进 — the lead's follow-up of a low score (who called, what was agreed).
    pub async fn handle_low_csat(&self, actor: &Actor, id: i64, note: &str) -> Result<()> {
        actor.require(kefu_domain::Permission::SatisfactionManage)?;
        let note = kefu_domain::satisfaction::check_note(note)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let s = store::by_id(&mut tx, id).await?;
        if !s.low {
            return Err(CsatError::NotLow.into());
        }
        if !store::handle(&mut tx, id, actor.user_id(), &note, now).await? {
            return Err(CsatError::AlreadyHandled.into());
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }
}
