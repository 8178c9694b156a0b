//! 处理通知 — the handling notice to the responsible department: sending it, the
//! department acknowledging and answering it, and the specialist reviewing the answer.

use jiff::Timestamp;
use kefu_domain::Permission;
use kefu_domain::complaint::{self as rules, Action, ComplaintError, NoticeStatus};
use kefu_store::complaint::{self as store, Complaint, Notice};
use kefu_store::{AnyConnection, StoreError};
use serde_json::json;

use super::{handlers, params};
use crate::complaint::expect_version;
use crate::notify::{self, kind};
use crate::{Actor, App, AppError, Result};

impl App {
    /// Sends the handling notice to every active member of the department.
    pub(super) async fn send_notice(
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
        let to = handlers(&mut tx, &c).await?;
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
}
