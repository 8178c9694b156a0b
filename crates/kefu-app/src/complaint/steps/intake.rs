//! 受理与判断 — completing the intake record, and judging the complaint valid or not.

use jiff::Timestamp;
use kefu_domain::Permission;
use kefu_domain::complaint::{self as rules, Action, ComplaintError};
use kefu_store::StoreError;
use kefu_store::complaint as store;

use crate::ticket::Visibility;
use crate::{Actor, App, AppError, Result};

/// 判断 — the validity decision.
#[derive(Debug, Clone)]
pub enum Judgement {
    /// Not valid: the reason, and the polite reply to the customer (its text, or an
    /// approved reply script's).
    Invalid {
        reason: String,
        reply: String,
        script_id: Option<i64>,
    },
    /// Valid: the responsible department receives the handling notice; the customer is
    /// told when to expect an answer.
    Valid {
        department_id: i64,
        promised_answer_at: Timestamp,
        customer_message: String,
        comment: String,
    },
}

impl App {
    /// 受理确认 — the intake record is complete; validity is judged next.
    pub async fn complete_intake(
        &self,
        actor: &Actor,
        id: i64,
        comment: &str,
        expected: Option<i64>,
    ) -> Result<()> {
        actor.require(Permission::ComplaintHandle)?;
        let comment = rules::text("comment", comment, false, 2000)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let mut c = self.open_for_step(&mut tx, id, expected).await?;
        // Registered by someone who does not handle complaints: whoever accepts it does.
        if c.handler_id.is_none() {
            c.handler_id = actor.user_id();
        }
        self.step(
            &mut tx,
            actor,
            &mut c,
            Action::CompleteIntake,
            Some(comment).filter(|s| !s.is_empty()),
            now,
        )
        .await?;
        self.save_complaint(&mut tx, actor, &mut c, now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// 判断 — valid or not. Not valid: the reply goes to the customer and the complaint is
    /// closed as invalid. Valid: the handling notice goes to the department's staff and the
    /// customer hears when to expect an answer.
    pub async fn judge_complaint(
        &self,
        actor: &Actor,
        id: i64,
        j: &Judgement,
        expected: Option<i64>,
    ) -> Result<()> {
        actor.require(Permission::ComplaintHandle)?;
        let now = self.now();
        let reply_text = match j {
            Judgement::Invalid {
                reply, script_id, ..
            } if reply.trim().is_empty() => match script_id {
                Some(s) => {
                    let c = {
                        let mut conn = self.store.conn().await?;
                        store::by_id(&mut conn, id).await?
                    };
                    self.render_script(actor, *s, c.ticket_id).await?.0
                }
                None => return Err(ComplaintError::Required("reply").into()),
            },
            Judgement::Invalid { reply, .. } => reply.clone(),
            Judgement::Valid {
                customer_message, ..
            } => customer_message.clone(),
        };
        let reply_text = kefu_domain::ticket::clean_body(&reply_text)
            .map_err(|_| ComplaintError::Required("reply"))?;
        let mut tx = self.store.begin().await?;
        let mut c = self.open_for_step(&mut tx, id, expected).await?;
        match j {
            Judgement::Invalid { reason, .. } => {
                let reason = rules::text("reason", reason, true, 2000)?;
                self.step(
                    &mut tx,
                    actor,
                    &mut c,
                    Action::JudgeInvalid,
                    Some(reason.clone()),
                    now,
                )
                .await?;
                c.valid = Some(false);
                c.invalid_reason = Some(reason);
                self.reply_in(
                    &mut tx,
                    actor,
                    c.ticket_id,
                    &reply_text,
                    Visibility::Public,
                    None,
                    &[],
                    now,
                )
                .await?;
                self.resolve_ticket(&mut tx, actor, c.ticket_id).await?;
            }
            Judgement::Valid {
                department_id,
                promised_answer_at,
                comment,
                ..
            } => {
                let comment = rules::text("comment", comment, false, 2000)?;
                if !store::department_exists(&mut tx, *department_id).await? {
                    return Err(AppError::UnknownDepartment);
                }
                if *promised_answer_at <= now {
                    return Err(ComplaintError::Required("promised_answer_at").into());
                }
                kefu_domain::dates::check_instant("promised_answer_at", *promised_answer_at)?;
                self.step(
                    &mut tx,
                    actor,
                    &mut c,
                    Action::JudgeValid,
                    Some(comment).filter(|s| !s.is_empty()),
                    now,
                )
                .await?;
                c.valid = Some(true);
                c.department_id = Some(*department_id);
                c.promised_answer_at = Some(*promised_answer_at);
                self.send_notice(&mut tx, actor, &c, *department_id, now)
                    .await?;
                self.reply_in(
                    &mut tx,
                    actor,
                    c.ticket_id,
                    &reply_text,
                    Visibility::Public,
                    None,
                    &[],
                    now,
                )
                .await?;
            }
        }
        self.save_complaint(&mut tx, actor, &mut c, now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }
}
