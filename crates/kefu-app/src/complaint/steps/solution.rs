//! 调查与方案 — recording the investigation, proposing solutions, and the supervisor's
//! decision on them (approval opens the RMA where goods or money move).

use kefu_domain::complaint::{
    self as rules, Action, Cause, ComplaintError, ProposalStatus, Remedy, RmaStatus, Stage,
};
use kefu_domain::{Permission, Role};
use kefu_store::StoreError;
use kefu_store::complaint::{self as store, Proposal, Rma};

use super::evidence::{files_of_message, mark_evidence};
use super::{managers, params, with_role};
use crate::notify::{self, kind};
use crate::ticket::{Upload, Visibility};
use crate::{Actor, App, AppError, Result};

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

impl App {
    /// 调查 — cause and responsibility; files become the complaint's evidence, attached to
    /// an internal note with the findings on its ticket. The complaint moves to the solution
    /// stage.
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
        let note = self
            .reply_in(
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
        let files = files_of_message(&mut tx, c.ticket_id, note).await?;
        mark_evidence(&mut tx, actor, c.id, &files, now).await?;
        self.save_complaint(&mut tx, actor, &mut c, now).await?;
        // 属服务问题 (002 §四3(3)): a quality anomaly of the service, once per complaint.
        if inv.cause == Cause::Service {
            use kefu_domain::complaint::Severity;
            use kefu_domain::quality::anomaly::{AnomalySeverity, AnomalySource};
            let opening = crate::quality::anomaly::Opening {
                source: AnomalySource::Complaint,
                source_key: c.id.to_string(),
                service_item: kefu_domain::quality::anomaly::service_item_of_channel(&c.channel),
                channel: Some(&c.channel),
                agent_id: inv.responsible_user_id,
                ticket_id: Some(c.ticket_id),
                severity: match c.severity {
                    Severity::Minor => AnomalySeverity::Minor,
                    Severity::Critical => AnomalySeverity::Critical,
                    _ => AnomalySeverity::Major,
                },
                description: self.text(
                    kefu_domain::Locale::ZhCn,
                    "quality.anomaly_from.complaint",
                    &[("number", &c.ticket_number)],
                ),
                evidence: findings.clone(),
                occurred_on: None,
                created_by: actor.user_id(),
            };
            crate::quality::anomaly::open(&mut tx, &opening, now).await?;
        }
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

    /// The supervisor approves one proposal (the others waiting are set aside,
    /// [`ProposalStatus::SetAside`]) or sends it back. Approval starts implementation: an
    /// RMA is opened where goods or money move.
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
            // Those still waiting are set aside, not sent back: nobody judged them.
            for other in proposals
                .iter()
                .filter(|o| o.id != p.id && o.status == ProposalStatus::Proposed)
            {
                let mut o = other.clone();
                o.status = ProposalStatus::SetAside;
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
            c.approved_cost_fen = p.cost_fen;
            if let Some(remedy) = p.remedy.rma() {
                let to = with_role(&mut tx, Role::AftersalesSpecialist).await?;
                notify::notify(
                    &mut tx,
                    &to,
                    kind::COMPLAINT_RMA,
                    Some(c.ticket_id),
                    &params(&c),
                    now,
                )
                .await?;
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
}
