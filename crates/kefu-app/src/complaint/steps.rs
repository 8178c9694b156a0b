//! The steps of the loop, one use case each; every one checks everything before it writes
//! and runs in one transaction, so a refused step changes nothing.

use jiff::Timestamp;
use jiff::civil::Date;
use kefu_domain::Permission;
use kefu_domain::Role;
use kefu_domain::complaint::{
    self as rules, Action, Cause, ComplaintError, FollowUpResult, NoticeStatus, ProposalStatus,
    Remedy, RmaStatus, Stage,
};
use kefu_store::complaint::{self as store, Complaint, FollowUp, Notice, Penalty, Proposal, Rma};
use kefu_store::{AnyConnection, StoreError};
use serde_json::json;

use super::expect_version;
use crate::notify::{self, kind};
use crate::ticket::{TicketChanges, Upload, Visibility};
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

/// 调查 — what investigation found.
#[derive(Debug, Clone)]
pub struct Investigation {
    pub cause: Cause,
    pub responsible_department_id: Option<i64>,
    pub responsible_user_id: Option<i64>,
    pub findings: String,
}

#[derive(Debug, Clone)]
pub struct NewProposal {
    pub remedy: Remedy,
    pub description: String,
    pub cost_fen: i64,
}

#[derive(Debug, Clone)]
pub struct NewPenalty {
    pub department_id: Option<i64>,
    pub user_id: Option<i64>,
    pub amount_fen: i64,
    pub reason: String,
}

/// 总结评价
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub summary: String,
    pub lessons: String,
    pub measure: String,
    pub measure_owner_id: Option<i64>,
    pub measure_due: Option<Date>,
}

/// Active customer service managers: who approves and who hears of escalations.
pub(crate) async fn managers(conn: &mut AnyConnection) -> Result<Vec<i64>> {
    Ok(kefu_store::staff::list_users(conn)
        .await?
        .into_iter()
        .filter(|u| u.active && u.roles.contains(Role::CsManager))
        .map(|u| u.id)
        .collect())
}

fn params(c: &Complaint) -> serde_json::Value {
    json!({"number": c.ticket_number, "complaint": c.id, "stage": c.stage.key()})
}

impl App {
    /// Complaint `id` for a step: taken at version `expected` (see [`expect_version`]), and
    /// refused when closed.
    async fn open_for_step(
        &self,
        conn: &mut AnyConnection,
        id: i64,
        expected: Option<i64>,
    ) -> Result<Complaint> {
        expect_version(conn, id, expected).await?;
        let c = store::by_id(conn, id).await?;
        if !c.stage.is_open() {
            return Err(ComplaintError::Closed.into());
        }
        Ok(c)
    }

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

    /// Sends the handling notice to every active member of the department.
    async fn send_notice(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        c: &Complaint,
        department_id: i64,
        now: Timestamp,
    ) -> Result<i64> {
        let due = c.stage_due_at.unwrap_or(now);
        let id = store::insert_notice(
            conn,
            &Notice {
                id: 0,
                complaint_id: c.id,
                department_id,
                department_name: String::new(),
                status: NoticeStatus::Sent,
                due_at: due,
                sent_by: actor.user_id(),
                sent_at: now,
                acknowledged_by: None,
                acknowledged_at: None,
                answer: None,
                answered_by: None,
                answered_at: None,
                reviewed_by: None,
                reviewed_at: None,
                review_comment: None,
                escalated: false,
            },
        )
        .await?;
        let members = store::department_members(conn, department_id).await?;
        let mut p = params(c);
        p["due"] = json!(due.to_string());
        notify::notify(
            conn,
            &members,
            kind::COMPLAINT_NOTICE,
            Some(c.ticket_id),
            &p,
            now,
        )
        .await?;
        self.note_step(conn, actor, c, "notice_sent", None, now)
            .await?;
        Ok(id)
    }

    /// The notice `notice_id` with its complaint, for a member of its department.
    async fn notice_for_member(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        notice_id: i64,
        expected: Option<i64>,
    ) -> Result<(Notice, Complaint)> {
        actor.require(Permission::ComplaintRespond)?;
        let complaint_id: i64 = {
            let all = kefu_store::complaint::notice_complaint(conn, notice_id).await?;
            all.ok_or(AppError::NotFound)?
        };
        expect_version(conn, complaint_id, expected).await?;
        let notice = store::notices(conn, complaint_id)
            .await?
            .into_iter()
            .find(|n| n.id == notice_id)
            .ok_or(AppError::NotFound)?;
        if self.department_of(conn, actor).await? != Some(notice.department_id) {
            return Err(AppError::NotYourDepartment);
        }
        let c = self.open_for_step(conn, complaint_id, None).await?;
        Ok((notice, c))
    }

    /// The department confirms it received the notice.
    pub async fn acknowledge_notice(
        &self,
        actor: &Actor,
        notice_id: i64,
        expected: Option<i64>,
    ) -> Result<()> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let (mut n, c) = self
            .notice_for_member(&mut tx, actor, notice_id, expected)
            .await?;
        if n.status != NoticeStatus::Sent {
            return Err(ComplaintError::NoticeOutOfOrder.into());
        }
        n.status = NoticeStatus::Acknowledged;
        n.acknowledged_by = actor.user_id();
        n.acknowledged_at = Some(now);
        store::save_notice(&mut tx, &n).await?;
        self.note_step(&mut tx, actor, &c, "notice_acknowledged", None, now)
            .await?;
        store::bump_version(&mut tx, c.id).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// The department answers the notice; the complaint specialist reviews the answer.
    pub async fn answer_notice(
        &self,
        actor: &Actor,
        notice_id: i64,
        answer: &str,
        expected: Option<i64>,
    ) -> Result<()> {
        let answer = rules::text("answer", answer, true, 10_000)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let (mut n, c) = self
            .notice_for_member(&mut tx, actor, notice_id, expected)
            .await?;
        if !matches!(
            n.status,
            NoticeStatus::Sent | NoticeStatus::Acknowledged | NoticeStatus::Returned
        ) {
            return Err(ComplaintError::NoticeOutOfOrder.into());
        }
        if n.acknowledged_at.is_none() {
            n.acknowledged_by = actor.user_id();
            n.acknowledged_at = Some(now);
        }
        n.status = NoticeStatus::Answered;
        n.answer = Some(answer.clone());
        n.answered_by = actor.user_id();
        n.answered_at = Some(now);
        store::save_notice(&mut tx, &n).await?;
        self.note_step(&mut tx, actor, &c, "notice_answered", Some(answer), now)
            .await?;
        store::bump_version(&mut tx, c.id).await?;
        let to: Vec<i64> = c.handler_id.into_iter().collect();
        notify::notify(
            &mut tx,
            &to,
            kind::COMPLAINT_ANSWERED,
            Some(c.ticket_id),
            &params(&c),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// The complaint specialist reviews the department's answer: accepted, the complaint
    /// moves to investigation; returned, the department answers again.
    pub async fn review_notice(
        &self,
        actor: &Actor,
        notice_id: i64,
        accept: bool,
        comment: &str,
        expected: Option<i64>,
    ) -> Result<()> {
        actor.require(Permission::ComplaintHandle)?;
        let comment = rules::text("comment", comment, !accept, 2000)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let complaint_id = store::notice_complaint(&mut tx, notice_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let mut c = self.open_for_step(&mut tx, complaint_id, expected).await?;
        let mut n = store::notices(&mut tx, complaint_id)
            .await?
            .into_iter()
            .find(|n| n.id == notice_id)
            .ok_or(AppError::NotFound)?;
        if n.status != NoticeStatus::Answered {
            return Err(ComplaintError::NoticeNotAnswered.into());
        }
        n.reviewed_by = actor.user_id();
        n.reviewed_at = Some(now);
        n.review_comment = Some(comment.clone()).filter(|s| !s.is_empty());
        let comment = Some(comment).filter(|s| !s.is_empty());
        if accept {
            n.status = NoticeStatus::Accepted;
            self.step(
                &mut tx,
                actor,
                &mut c,
                Action::AcceptNoticeAnswer,
                comment,
                now,
            )
            .await?;
            self.save_complaint(&mut tx, actor, &mut c, now).await?;
        } else {
            n.status = NoticeStatus::Returned;
            self.note_step(&mut tx, actor, &c, "notice_returned", comment, now)
                .await?;
            store::bump_version(&mut tx, c.id).await?;
            let members = store::department_members(&mut tx, n.department_id).await?;
            notify::notify(
                &mut tx,
                &members,
                kind::COMPLAINT_NOTICE_RETURNED,
                Some(c.ticket_id),
                &params(&c),
                now,
            )
            .await?;
        }
        store::save_notice(&mut tx, &n).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// 调查 — cause and responsibility; files become evidence on the ticket (an internal
    /// note with the findings). The complaint moves to the solution stage.
    pub async fn record_complaint_investigation(
        &self,
        actor: &Actor,
        id: i64,
        inv: &Investigation,
        evidence: &[Upload],
        expected: Option<i64>,
    ) -> Result<()> {
        actor.require(Permission::ComplaintHandle)?;
        let findings = rules::text("findings", &inv.findings, true, 10_000)?;
        let checked = self.check_uploads(evidence)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let mut c = self.open_for_step(&mut tx, id, expected).await?;
        if let Some(d) = inv.responsible_department_id
            && !store::department_exists(&mut tx, d).await?
        {
            return Err(AppError::UnknownDepartment);
        }
        if let Some(u) = inv.responsible_user_id {
            kefu_store::staff::user_by_id(&mut tx, u)
                .await
                .map_err(|_| AppError::UnknownAssignee)?;
        }
        self.step(
            &mut tx,
            actor,
            &mut c,
            Action::RecordInvestigation,
            Some(findings.clone()),
            now,
        )
        .await?;
        c.cause = Some(inv.cause.key().to_owned());
        c.responsible_department_id = inv.responsible_department_id;
        c.responsible_user_id = inv.responsible_user_id;
        c.findings = Some(findings.clone());
        self.reply_in(
            &mut tx,
            actor,
            c.ticket_id,
            &findings,
            Visibility::Internal,
            None,
            &checked,
            now,
        )
        .await?;
        self.save_complaint(&mut tx, actor, &mut c, now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// 方案 — a proposal for the supervisor; the managers are told one waits.
    pub async fn propose_solution(
        &self,
        actor: &Actor,
        id: i64,
        p: &NewProposal,
        expected: Option<i64>,
    ) -> Result<i64> {
        actor.require(Permission::ComplaintHandle)?;
        let description = rules::text("description", &p.description, true, 5000)?;
        let cost = rules::cost(p.cost_fen)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let c = self.open_for_step(&mut tx, id, expected).await?;
        if c.stage != Stage::Solution {
            return Err(ComplaintError::OutOfOrder {
                stage: c.stage,
                action: Action::ApproveProposal,
            }
            .into());
        }
        let pid = store::insert_proposal(
            &mut tx,
            &Proposal {
                id: 0,
                complaint_id: id,
                remedy: p.remedy,
                description: description.clone(),
                cost_fen: cost,
                status: ProposalStatus::Proposed,
                proposed_by: actor.user_id(),
                proposed_by_name: None,
                proposed_at: now,
                decided_by: None,
                decided_at: None,
                decision_comment: None,
            },
        )
        .await?;
        self.note_step(&mut tx, actor, &c, "proposed", Some(description), now)
            .await?;
        store::bump_version(&mut tx, c.id).await?;
        let to = managers(&mut tx).await?;
        notify::notify(
            &mut tx,
            &to,
            kind::COMPLAINT_APPROVAL,
            Some(c.ticket_id),
            &params(&c),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(pid)
    }

    /// The supervisor approves one proposal (the others waiting are set aside) or sends it
    /// back. Approval starts implementation: an RMA is opened where goods or money move.
    pub async fn decide_proposal(
        &self,
        actor: &Actor,
        proposal_id: i64,
        approve: bool,
        comment: &str,
        expected: Option<i64>,
    ) -> Result<()> {
        actor.require(Permission::ComplaintApprove)?;
        let comment = rules::text("comment", comment, !approve, 2000)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let complaint_id = store::proposal_complaint(&mut tx, proposal_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let mut c = self.open_for_step(&mut tx, complaint_id, expected).await?;
        let proposals = store::proposals(&mut tx, complaint_id).await?;
        let mut p = proposals
            .iter()
            .find(|p| p.id == proposal_id)
            .cloned()
            .ok_or(AppError::NotFound)?;
        if p.status != ProposalStatus::Proposed || c.stage != Stage::Solution {
            return Err(ComplaintError::ProposalNotPending.into());
        }
        p.decided_by = actor.user_id();
        p.decided_at = Some(now);
        p.decision_comment = Some(comment.clone()).filter(|s| !s.is_empty());
        let comment = Some(comment).filter(|s| !s.is_empty());
        if approve {
            p.status = ProposalStatus::Approved;
            for other in proposals
                .iter()
                .filter(|o| o.id != p.id && o.status == ProposalStatus::Proposed)
            {
                let mut o = other.clone();
                o.status = ProposalStatus::SentBack;
                o.decided_by = actor.user_id();
                o.decided_at = Some(now);
                store::decide_proposal(&mut tx, &o).await?;
            }
            self.step(
                &mut tx,
                actor,
                &mut c,
                Action::ApproveProposal,
                comment,
                now,
            )
            .await?;
            c.cost_fen = p.cost_fen;
            if let Some(remedy) = p.remedy.rma() {
                store::insert_rma(
                    &mut tx,
                    &Rma {
                        id: 0,
                        complaint_id,
                        proposal_id,
                        remedy,
                        status: RmaStatus::Requested,
                        amount_fen: p.cost_fen,
                        note: None,
                        created_at: now,
                        updated_at: now,
                        updated_by: actor.user_id(),
                    },
                )
                .await?;
            }
            self.save_complaint(&mut tx, actor, &mut c, now).await?;
        } else {
            p.status = ProposalStatus::SentBack;
            self.note_step(&mut tx, actor, &c, "sent_back", comment, now)
                .await?;
            store::bump_version(&mut tx, c.id).await?;
        }
        store::decide_proposal(&mut tx, &p).await?;
        let to: Vec<i64> = p.proposed_by.into_iter().chain(c.handler_id).collect();
        notify::notify(
            &mut tx,
            &to,
            kind::COMPLAINT_DECIDED,
            Some(c.ticket_id),
            &params(&c),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

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
        self.note_step(
            &mut tx,
            actor,
            &c,
            &what,
            Some(note).filter(|s| !s.is_empty()),
            now,
        )
        .await?;
        store::bump_version(&mut tx, c.id).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(next)
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

    /// A public reply to the complainant from the complaint (the solution, progress…).
    pub async fn tell_complainant(
        &self,
        actor: &Actor,
        id: i64,
        message: &str,
        expected: Option<i64>,
    ) -> Result<()> {
        actor.require(Permission::ComplaintHandle)?;
        let body = kefu_domain::ticket::clean_body(message)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let c = self.open_for_step(&mut tx, id, expected).await?;
        self.reply_in(
            &mut tx,
            actor,
            c.ticket_id,
            &body,
            Visibility::Public,
            None,
            &[],
            now,
        )
        .await?;
        self.note_step(&mut tx, actor, &c, "customer_told", Some(body), now)
            .await?;
        store::bump_version(&mut tx, c.id).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// The customer accepts the solution carried out (a follow-up task is created, due on
    /// the business calendar) or rejects it (back to the solution stage).
    pub async fn record_customer_decision(
        &self,
        actor: &Actor,
        id: i64,
        accepted: bool,
        comment: &str,
        follow_up_script: &str,
        expected: Option<i64>,
    ) -> Result<()> {
        actor.require(Permission::ComplaintHandle)?;
        let comment = rules::text("comment", comment, !accepted, 2000)?;
        let script = rules::text("script", follow_up_script, accepted, 5000)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let mut c = self.open_for_step(&mut tx, id, expected).await?;
        let proposals = store::proposals(&mut tx, id).await?;
        let Some(approved) = proposals
            .iter()
            .find(|p| p.status == ProposalStatus::Approved)
            .cloned()
        else {
            return Err(ComplaintError::NoApprovedSolution.into());
        };
        let comment = Some(comment).filter(|s| !s.is_empty());
        if accepted {
            self.step(
                &mut tx,
                actor,
                &mut c,
                Action::CustomerAccepts,
                comment,
                now,
            )
            .await?;
            store::insert_follow_up(
                &mut tx,
                &FollowUp {
                    id: 0,
                    complaint_id: id,
                    due_at: c.stage_due_at.unwrap_or(now),
                    script,
                    assignee_id: c.handler_id.or(actor.user_id()),
                    result: None,
                    comment: None,
                    done_by: None,
                    done_at: None,
                    created_at: now,
                },
            )
            .await?;
        } else {
            self.step(
                &mut tx,
                actor,
                &mut c,
                Action::CustomerRejects,
                comment,
                now,
            )
            .await?;
            let mut p = approved;
            p.status = ProposalStatus::Rejected;
            store::decide_proposal(&mut tx, &p).await?;
        }
        self.save_complaint(&mut tx, actor, &mut c, now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// 回访 — the follow-up's result. Unsatisfied reopens the complaint at the solution.
    pub async fn record_complaint_follow_up(
        &self,
        actor: &Actor,
        id: i64,
        result: FollowUpResult,
        comment: &str,
        expected: Option<i64>,
    ) -> Result<()> {
        actor.require(Permission::ComplaintHandle)?;
        let comment = rules::text(
            "comment",
            comment,
            result == FollowUpResult::Unsatisfied,
            2000,
        )?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let mut c = self.open_for_step(&mut tx, id, expected).await?;
        let action = if result == FollowUpResult::Unsatisfied {
            Action::FollowUpUnsatisfied
        } else {
            Action::FollowUpSettled
        };
        rules::transition(c.stage, action)?;
        let mut f = store::follow_ups(&mut tx, id)
            .await?
            .into_iter()
            .rfind(|f| f.done_at.is_none())
            .ok_or(ComplaintError::OutOfOrder {
                stage: c.stage,
                action,
            })?;
        f.result = Some(result);
        f.comment = Some(comment.clone()).filter(|s| !s.is_empty());
        f.done_by = actor.user_id();
        f.done_at = Some(now);
        store::finish_follow_up(&mut tx, &f).await?;
        let note = Some(format!("{}: {comment}", result.key()));
        self.step(&mut tx, actor, &mut c, action, note, now).await?;
        if result == FollowUpResult::Unsatisfied {
            // The solution carried out did not satisfy: it no longer stands.
            for mut p in store::proposals(&mut tx, id).await? {
                if p.status == ProposalStatus::Approved {
                    p.status = ProposalStatus::Rejected;
                    store::decide_proposal(&mut tx, &p).await?;
                }
            }
        }
        self.save_complaint(&mut tx, actor, &mut c, now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// 总结评价 — summary, lessons and the improvement measure; closes the complaint and
    /// resolves its ticket. Every RMA must be closed first.
    pub async fn evaluate_complaint(
        &self,
        actor: &Actor,
        id: i64,
        e: &Evaluation,
        expected: Option<i64>,
    ) -> Result<()> {
        actor.require(Permission::ComplaintHandle)?;
        let summary = rules::text("summary", &e.summary, true, 5000)?;
        let lessons = rules::text("lessons", &e.lessons, false, 5000)?;
        let measure = rules::text("measure", &e.measure, false, 2000)?;
        if !measure.is_empty() && (e.measure_owner_id.is_none() || e.measure_due.is_none()) {
            return Err(ComplaintError::Required("measure_owner").into());
        }
        if let Some(d) = e.measure_due {
            kefu_domain::dates::check("measure_due", d)?;
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let mut c = self.open_for_step(&mut tx, id, expected).await?;
        rules::transition(c.stage, Action::Evaluate)?;
        if store::rmas(&mut tx, id)
            .await?
            .iter()
            .any(|r| r.status != RmaStatus::Closed)
        {
            return Err(ComplaintError::OpenRmas.into());
        }
        if let Some(u) = e.measure_owner_id {
            kefu_store::staff::user_by_id(&mut tx, u)
                .await
                .map_err(|_| AppError::UnknownAssignee)?;
        }
        self.step(
            &mut tx,
            actor,
            &mut c,
            Action::Evaluate,
            Some(summary.clone()),
            now,
        )
        .await?;
        c.summary = Some(summary);
        c.lessons = Some(lessons).filter(|s| !s.is_empty());
        c.measure = Some(measure).filter(|s| !s.is_empty());
        c.measure_owner_id = e.measure_owner_id;
        c.measure_due = e.measure_due.map(|d| d.to_string());
        self.resolve_ticket(&mut tx, actor, c.ticket_id).await?;
        self.save_complaint(&mut tx, actor, &mut c, now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// 分发投诉调查报告 — tells the staff of every department involved (sent a notice, or found
    /// responsible) that the investigation report is ready. Returns how many were told.
    pub async fn send_complaint_report(
        &self,
        actor: &Actor,
        id: i64,
        expected: Option<i64>,
    ) -> Result<usize> {
        actor.require(Permission::ComplaintHandle)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        expect_version(&mut tx, id, expected).await?;
        let c = store::by_id(&mut tx, id).await?;
        let mut departments: Vec<i64> = store::notices(&mut tx, id)
            .await?
            .iter()
            .map(|n| n.department_id)
            .chain(c.responsible_department_id)
            .collect();
        departments.sort_unstable();
        departments.dedup();
        if departments.is_empty() {
            return Err(ComplaintError::Required("department").into());
        }
        let mut to = Vec::new();
        for d in departments {
            to.extend(store::department_members(&mut tx, d).await?);
        }
        to.sort_unstable();
        to.dedup();
        notify::notify(
            &mut tx,
            &to,
            kind::COMPLAINT_REPORT,
            Some(c.ticket_id),
            &params(&c),
            now,
        )
        .await?;
        self.note_step(&mut tx, actor, &c, "report_sent", None, now)
            .await?;
        store::bump_version(&mut tx, c.id).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(to.len())
    }

    /// A closed complaint resolves its ticket (unless someone already closed it).
    async fn resolve_ticket(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        ticket_id: i64,
    ) -> Result<()> {
        let t = kefu_store::ticket::by_id(conn, ticket_id).await?;
        if matches!(
            t.category,
            kefu_domain::ticket::StatusCategory::Resolved
                | kefu_domain::ticket::StatusCategory::Closed
        ) {
            return Ok(());
        }
        let changes = TicketChanges {
            status: Some(
                kefu_domain::ticket::StatusCategory::Resolved
                    .key()
                    .to_owned(),
            ),
            ..TicketChanges::default()
        };
        self.apply_changes(conn, actor, ticket_id, &changes, None)
            .await
    }
}
