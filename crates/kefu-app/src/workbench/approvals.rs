//! 待我审批 — one list of everything waiting for the reader's decision, across areas, the
//! oldest first: the solutions proposed for complaints (decided on the complaint's page,
//! which holds what the decision needs) and the reply scripts agents proposed (decided
//! from the list: the script's wording is the whole of what is decided) and the agents'
//! appeals of inspection results (decided on the inspection's page). Each kind is
//! listed for those who decide it; the notification when one arrives is sent by the area
//! (`complaint_approval`, `script_proposed`).

use jiff::Timestamp;
use kefu_domain::kb::ScriptStatus;
use kefu_domain::{Permission, Role};
use kefu_store::complaint::Waiting;
use kefu_store::quality::inspection::InspectionRow;

use super::{Count, Filled, Label, Reader, TileBody, TileFuture, TileLine, TileSpec};
use crate::complaint::WAITING_SHOWN;
use crate::kb::ScriptView;
use crate::{Actor, App, Result};

/// Most proposed scripts the list shows (the script list's own limit).
pub const SCRIPTS_SHOWN: usize = 500;

/// A kind of decision the inbox lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApprovalKind {
    /// 投诉处理方案 — a complaint's proposed solution (主管审批).
    ComplaintProposal,
    /// 话术 — a reply script an agent proposed (话术审核).
    ReplyScript,
    /// 质检申诉 — an agent's appeal of an inspection result.
    QualityAppeal,
}

impl ApprovalKind {
    pub const ALL: [ApprovalKind; 3] = [
        ApprovalKind::ComplaintProposal,
        ApprovalKind::ReplyScript,
        ApprovalKind::QualityAppeal,
    ];

    pub fn key(self) -> &'static str {
        match self {
            ApprovalKind::ComplaintProposal => "complaint_proposal",
            ApprovalKind::ReplyScript => "reply_script",
            ApprovalKind::QualityAppeal => "quality_appeal",
        }
    }

    pub fn parse(s: &str) -> Option<ApprovalKind> {
        ApprovalKind::ALL.into_iter().find(|k| k.key() == s)
    }

    /// Who decides this kind.
    pub fn permission(self) -> Permission {
        match self {
            ApprovalKind::ComplaintProposal => Permission::ComplaintApprove,
            ApprovalKind::ReplyScript => Permission::ScriptApprove,
            ApprovalKind::QualityAppeal => Permission::QualityDecide,
        }
    }
}

/// One thing waiting for a decision.
#[derive(Debug, Clone)]
pub enum Awaiting {
    Proposal(Waiting),
    Script(ScriptView),
    Appeal(Box<InspectionRow>),
}

impl Awaiting {
    /// Since when it waits.
    pub fn since(&self) -> Timestamp {
        match self {
            Awaiting::Proposal(w) => w.proposal.proposed_at,
            Awaiting::Script(s) => s.script.updated_at,
            Awaiting::Appeal(a) => a.appealed_at.unwrap_or(a.created_at),
        }
    }

    pub fn kind(&self) -> ApprovalKind {
        match self {
            Awaiting::Proposal(_) => ApprovalKind::ComplaintProposal,
            Awaiting::Script(_) => ApprovalKind::ReplyScript,
            Awaiting::Appeal(_) => ApprovalKind::QualityAppeal,
        }
    }
}

/// The reader's inbox.
#[derive(Debug, Clone)]
pub struct Inbox {
    /// Everything waiting, the oldest first.
    pub items: Vec<Awaiting>,
    /// The kinds the reader decides (an empty list: nothing ever waits for them).
    pub kinds: Vec<ApprovalKind>,
    /// A kind had more waiting than the list shows (the oldest are shown).
    pub cut: bool,
}

impl App {
    /// 待我审批 — what waits for the reader's decision, of every kind they decide (or of
    /// `only` that kind), the oldest first.
    pub async fn approvals(&self, actor: &Actor, only: Option<ApprovalKind>) -> Result<Inbox> {
        actor.require(Permission::DashboardView)?;
        let kinds: Vec<ApprovalKind> = ApprovalKind::ALL
            .into_iter()
            .filter(|k| actor.require(k.permission()).is_ok())
            .collect();
        let mut items = Vec::new();
        let mut cut = false;
        for kind in kinds.iter().copied() {
            if only.is_some_and(|o| o != kind) {
                continue;
            }
            match kind {
                ApprovalKind::ComplaintProposal => {
                    let waiting = self.proposals_awaiting_approval(actor).await?;
                    cut |= waiting.len() as i64 >= WAITING_SHOWN;
                    items.extend(waiting.into_iter().map(Awaiting::Proposal));
                }
                ApprovalKind::ReplyScript => {
                    let proposed = self.scripts(actor, ScriptStatus::Proposed, None).await?;
                    cut |= proposed.len() >= SCRIPTS_SHOWN;
                    items.extend(proposed.into_iter().map(Awaiting::Script));
                }
                ApprovalKind::QualityAppeal => {
                    let appeals = self.quality_appeals_waiting(actor).await?;
                    cut |= appeals.len() as i64 >= crate::quality::LIST_LIMIT;
                    items.extend(appeals.into_iter().map(|a| Awaiting::Appeal(Box::new(a))));
                }
            }
        }
        items.sort_by_key(Awaiting::since);
        Ok(Inbox { items, kinds, cut })
    }
}

pub(super) const TILES: &[TileSpec] = &[TileSpec {
    key: "approvals.waiting",
    title: "workbench.tile.approvals",
    roles: &[Role::CsManager, Role::QualitySpecialist],
    permission: Permission::DashboardView,
    fill: waiting,
}];

/// 等待我审批: how many of each kind the reader decides, each opening the inbox at it.
fn waiting<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let mut conn = app.store.conn().await?;
        let mut lines = Vec::new();
        for kind in ApprovalKind::ALL {
            if !r.allows(kind.permission()) {
                continue;
            }
            let n = match kind {
                ApprovalKind::ComplaintProposal => {
                    kefu_store::complaint::count_waiting_proposals(&mut conn).await?
                }
                ApprovalKind::ReplyScript => {
                    kefu_store::kb::count_in_status(&mut conn, ScriptStatus::Proposed.key()).await?
                }
                ApprovalKind::QualityAppeal => {
                    kefu_store::quality::inspection::count(&mut conn, "appealed", None, None)
                        .await?
                }
            };
            lines.push(TileLine {
                label: Label::Keyed("workbench.approval_kind", kind.key().to_owned()),
                count: Count::exact(n),
                link: format!("/approvals?kind={}", kind.key()),
                alert: n > 0,
                note: None,
            });
        }
        if lines.is_empty() {
            return Ok(None);
        }
        Ok(Some(Filled {
            link: Some("/approvals".to_owned()),
            body: TileBody::Lines(lines),
            hint: None,
        }))
    })
}
