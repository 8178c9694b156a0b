//! 结案 — telling the complainant, the customer's decision on the solution, the follow-up
//! (回访), the evaluation that closes the complaint, and distributing the report.

use jiff::civil::Date;
use kefu_domain::Permission;
use kefu_domain::complaint::{
    self as rules, Action, ComplaintError, FollowUpResult, ProposalStatus,
};
use kefu_store::StoreError;
use kefu_store::complaint::{self as store, FollowUp};

use super::params;
use crate::complaint::expect_version;
use crate::notify::{self, kind};
use crate::ticket::Visibility;
use crate::{Actor, App, AppError, Result};
use serde_json::json;

/// 总结评价
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub summary: String,
    pub lessons: String,
    pub measure: String,
    pub measure_owner_id: Option<i64>,
    pub measure_due: Option<Date>,
}

impl App {
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
    /// the business calendar, and a visit planned to make it) or rejects it (back to the
    /// solution stage).
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
            // 回访人: the agent chosen at intake, else the complaint's handler.
            let assignee = c.follow_up_agent_id.or(c.handler_id).or(actor.user_id());
            let due_at = c.stage_due_at.unwrap_or(now);
            let follow_up_id = store::insert_follow_up(
                &mut tx,
                &FollowUp {
                    id: 0,
                    complaint_id: id,
                    due_at,
                    script,
                    assignee_id: assignee,
                    result: None,
                    comment: None,
                    done_by: None,
                    done_at: None,
                    created_at: now,
                },
            )
            .await?;
            // 投诉结案回访: the call is a visit on the agent's list, in the calling hours.
            self.plan_complaint_visit(&mut tx, &c, follow_up_id, assignee, now)
                .await?;
            // The call is due: the agent who makes it hears of it (not when they are the
            // one who recorded the acceptance).
            let to: Vec<i64> = assignee
                .filter(|a| Some(*a) != actor.user_id())
                .into_iter()
                .collect();
            let mut p = params(&c);
            p["due"] = serde_json::json!(due_at.to_string());
            notify::notify(
                &mut tx,
                &to,
                kind::COMPLAINT_FOLLOW_UP,
                Some(c.ticket_id),
                &p,
                now,
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
    /// Recorded by the complaint specialist (or the manager), or by the agent who makes the
    /// call: the one chosen at intake, or the open follow-up's assignee; anyone else is
    /// refused.
    pub async fn record_complaint_follow_up(
        &self,
        actor: &Actor,
        id: i64,
        result: FollowUpResult,
        comment: &str,
        expected: Option<i64>,
    ) -> Result<()> {
        actor.require(Permission::ComplaintRespond)?;
        if actor.require(Permission::ComplaintHandle).is_err() {
            let mut conn = self.store.conn().await?;
            let c = store::by_id(&mut conn, id).await?;
            let assignees = store::follow_ups(&mut conn, id)
                .await?
                .into_iter()
                .filter(|f| f.done_at.is_none())
                .filter_map(|f| f.assignee_id);
            let mine = actor.user_id().is_some_and(|me| {
                c.follow_up_agent_id == Some(me) || assignees.into_iter().any(|a| a == me)
            });
            if !mine {
                return Err(AppError::Forbidden);
            }
        }
        let comment = rules::text(
            "comment",
            comment,
            result == FollowUpResult::Unsatisfied,
            2000,
        )?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let mut c = self.open_for_step(&mut tx, id, expected).await?;
        self.settle_follow_up(&mut tx, actor, &mut c, result, &comment, now)
            .await?;
        // The visit planned for this call is done with it: the result recorded here is
        // the visit's too.
        self.complete_complaint_visit(&mut tx, actor, id, result, &comment, now)
            .await?;
        self.save_complaint(&mut tx, actor, &mut c, now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// The follow-up's result recorded on its visit (回访任务), inside the visit's
    /// transaction: the complaint moves on as if it had been recorded on the complaint.
    /// Whoever may work the visit may record it.
    pub(crate) async fn settle_follow_up_from_visit(
        &self,
        conn: &mut kefu_store::AnyConnection,
        actor: &Actor,
        id: i64,
        result: FollowUpResult,
        comment: &str,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let comment: String = comment.chars().take(2000).collect();
        let mut c = self.open_for_step(conn, id, None).await?;
        self.settle_follow_up(conn, actor, &mut c, result, &comment, now)
            .await?;
        self.save_complaint(conn, actor, &mut c, now).await
    }

    /// Finishes complaint `c`'s open follow-up with `result`: settled moves on to the
    /// evaluation; unsatisfied goes back to the solution, whose approved proposals no
    /// longer stand.
    async fn settle_follow_up(
        &self,
        conn: &mut kefu_store::AnyConnection,
        actor: &Actor,
        c: &mut kefu_store::complaint::Complaint,
        result: FollowUpResult,
        comment: &str,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let action = if result == FollowUpResult::Unsatisfied {
            Action::FollowUpUnsatisfied
        } else {
            Action::FollowUpSettled
        };
        rules::transition(c.stage, action)?;
        let mut f = store::follow_ups(conn, c.id)
            .await?
            .into_iter()
            .rfind(|f| f.done_at.is_none())
            .ok_or(ComplaintError::OutOfOrder {
                stage: c.stage,
                action,
            })?;
        f.result = Some(result);
        f.comment = Some(comment.to_owned()).filter(|s| !s.is_empty());
        f.done_by = actor.user_id();
        f.done_at = Some(now);
        store::finish_follow_up(conn, &f).await?;
        let note = Some(rules::follow_up_note(result, comment));
        self.step(conn, actor, c, action, note, now).await?;
        if result == FollowUpResult::Unsatisfied {
            // The solution carried out did not satisfy: it no longer stands. The customer
            // did accept it, so it is reopened, not "rejected by the customer".
            for mut p in store::proposals(conn, c.id).await? {
                if p.status == ProposalStatus::Approved {
                    p.status = ProposalStatus::Reopened;
                    store::decide_proposal(conn, &p).await?;
                }
            }
        }
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
        let now = self.now();
        if let Some(d) = e.measure_due {
            kefu_domain::dates::check("measure_due", d)?;
            // 完成期限 — today at the earliest, in the department's time zone.
            let tz = jiff::tz::TimeZone::get(kefu_domain::calendar::DEFAULT_TIME_ZONE)
                .unwrap_or(jiff::tz::TimeZone::UTC);
            rules::not_past("measure_due", d, now.to_zoned(tz).date())?;
        }
        let mut tx = self.store.begin().await?;
        let mut c = self.open_for_step(&mut tx, id, expected).await?;
        rules::transition(c.stage, Action::Evaluate)?;
        if store::rmas(&mut tx, id)
            .await?
            .iter()
            .any(|r| !r.status.is_final())
        {
            return Err(ComplaintError::OpenRmas.into());
        }
        // 负责人 — an active user.
        if let Some(u) = e.measure_owner_id {
            match kefu_store::staff::user_by_id(&mut tx, u).await {
                Ok(owner) if owner.active => {}
                Ok(_) | Err(StoreError::NotFound) => return Err(AppError::UnknownAssignee),
                Err(err) => return Err(err.into()),
            }
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
        if let Some(owner) = c.measure_owner_id.filter(|_| c.measure.is_some()) {
            let mut p = params(&c);
            p["due"] = json!(c.measure_due);
            notify::notify(
                &mut tx,
                &[owner],
                kind::COMPLAINT_MEASURE,
                Some(c.ticket_id),
                &p,
                now,
            )
            .await?;
        }
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
}
