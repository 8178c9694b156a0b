//! 受理与判断 — completing the intake record (with who will make the follow-up call), and
//! judging the complaint valid or not (with the answer promised in business time).

use jiff::Timestamp;
use kefu_domain::Permission;
use kefu_domain::complaint::{self as rules, Action, ComplaintError};
use kefu_store::complaint::{self as store, Complaint};
use kefu_store::{AnyConnection, StoreError};

use crate::ticket::Visibility;
use crate::{Actor, App, AppError, Result};

/// Whether user `id` may make a complaint's follow-up call: active, and one who works
/// tickets (customer service staff, not a department's).
async fn may_call(conn: &mut AnyConnection, id: i64) -> Result<bool> {
    match kefu_store::staff::user_by_id(conn, id).await {
        Ok(u) => Ok(u.active && u.roles.allows(Permission::TicketWork)),
        Err(StoreError::NotFound) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// 回访人 — who will make complaint `c`'s follow-up call: `chosen`, refused as an unknown
/// assignee unless [`may_call`]; else the agent already chosen, else the ticket's assignee
/// when they may call. `None` leaves the call to the handler.
async fn follow_up_agent(
    conn: &mut AnyConnection,
    c: &Complaint,
    chosen: Option<i64>,
) -> Result<Option<i64>> {
    if let Some(u) = chosen {
        if !may_call(conn, u).await? {
            return Err(AppError::UnknownAssignee);
        }
        return Ok(Some(u));
    }
    if c.follow_up_agent_id.is_some() {
        return Ok(c.follow_up_agent_id);
    }
    match c.ticket_assignee_id {
        Some(u) => Ok(may_call(conn, u).await?.then_some(u)),
        None => Ok(None),
    }
}

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
        /// 回访人, when it changes at judgement (see [`App::complete_intake`]).
        follow_up_agent_id: Option<i64>,
    },
}

impl App {
    /// 受理确认 — the intake record is complete; validity is judged next. The agent who will
    /// make the follow-up call is chosen here (`follow_up_agent_id`): by default the
    /// ticket's assignee; an unknown, inactive or non-customer-service user is refused.
    pub async fn complete_intake(
        &self,
        actor: &Actor,
        id: i64,
        comment: &str,
        follow_up_agent_id: Option<i64>,
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
        c.follow_up_agent_id = follow_up_agent(&mut tx, &c, follow_up_agent_id).await?;
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
                follow_up_agent_id,
                ..
            } => {
                let comment = rules::text("comment", comment, false, 2000)?;
                c.follow_up_agent_id = follow_up_agent(&mut tx, &c, *follow_up_agent_id).await?;
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

    /// 承诺答复时间 — the answer a valid complaint's customer is promised unless the person
    /// judging sets another time: one business day from now on the default business
    /// calendar (the standard Chinese one when none is set), never on a rest day or holiday.
    pub async fn default_answer_promise(&self) -> Result<Timestamp> {
        let now = self.now();
        let cal = {
            let mut conn = self.store.conn().await?;
            self.default_calendar(&mut conn).await?
        }
        .unwrap_or_else(kefu_domain::calendar::BusinessCalendar::china_standard);
        Ok(rules::default_answer_promise(&cal, now)?)
    }
}
