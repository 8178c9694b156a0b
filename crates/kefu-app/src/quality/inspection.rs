//! 质检 — one inspection: the conversation, call or visit beside the scorecard, scored item
//! by item with a comment and evidence; the agent's acknowledgement or appeal (申诉); the
//! manager's decision. An agent reads only their own results, and only once scored.

use jiff::{SignedDuration, Timestamp};
use kefu_domain::quality::anomaly::{self as anomaly_rules, AnomalySeverity, AnomalySource};
use kefu_domain::quality::inspection::{self as rules, MAX_EVIDENCE, MAX_TEXT, check_text};
use kefu_domain::quality::phrases;
use kefu_domain::quality::{
    AppealDecision, InspectionError, InspectionStatus, ItemScore, Scorecard,
};
use kefu_domain::{Permission, Role};
use kefu_store::phone::calls::Call;
use kefu_store::quality::inspection::{
    self as store, Answer, InspectionFilter, InspectionRow, ItemScoreRow, ScoreWrite,
};
use kefu_store::ticket::Ticket;
use kefu_store::{AnyConnection, StoreError};

use crate::follow_up::VisitView;
use crate::notify::{self, kind};
use crate::{Actor, App, AppError, Result};

/// Most inspections a list shows.
pub const LIST_LIMIT: i64 = 500;

/// Whose inspections a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InspectionScope {
    /// 待我质检 — assigned to the reader, waiting for a score.
    ToInspect,
    /// 全部 — everyone's (inspectors and the manager).
    Everyone,
    /// 我的质检结果 — the reader's own results.
    MyResults,
}

/// One line of the conversation inspected, cut into pieces where a phrase is hinted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationLine {
    pub id: i64,
    pub at: Timestamp,
    /// `staff`, `customer` or `system`.
    pub author_kind: String,
    pub author_name: String,
    pub internal: bool,
    /// The body in pieces, `true` where a phrase is hinted.
    pub pieces: Vec<(String, bool)>,
}

impl ConversationLine {
    pub fn hinted(&self) -> bool {
        self.pieces.iter().any(|(_, h)| *h)
    }
}

/// What was inspected, as the page shows it beside the scorecard.
#[derive(Debug, Clone)]
pub enum SourceView {
    Ticket {
        ticket: Box<Ticket>,
        lines: Vec<ConversationLine>,
    },
    /// A call (its recording linked) and its ticket's conversation, if it has one.
    Call {
        call: Box<Call>,
        lines: Vec<ConversationLine>,
    },
    Visit(Box<VisitView>),
    /// The record is gone.
    Gone,
}

/// An inspection as its page shows it, with what the reader may do.
#[derive(Debug, Clone)]
pub struct InspectionView {
    pub inspection: InspectionRow,
    /// The scorecard it is (or will be) scored on, and that version's id.
    pub card: Scorecard,
    pub card_version_id: i64,
    pub scores: Vec<ItemScoreRow>,
    pub source: SourceView,
    /// The phrases hinted in the agent's lines.
    pub hints: usize,
    pub may_score: bool,
    pub may_answer: bool,
    pub may_appeal: bool,
    pub may_decide: bool,
    /// 质检校准 — for inspectors: the calibrations, and the reader's own waiting one (then
    /// the first score is hidden from them: `scores` is empty and the row's score unset).
    pub calibration: super::CalibrationPart,
}

/// One item's score as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemScoreForm {
    pub key: String,
    /// `None`: not applicable.
    pub score: Option<u8>,
    pub comment: String,
    pub evidence: String,
}

/// A score as typed, on the scorecard version the form showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreForm {
    pub card_version_id: i64,
    pub items: Vec<ItemScoreForm>,
    pub comment: String,
}

impl ScoreForm {
    /// The levels given, as the scorecard reads them.
    pub(super) fn given(&self) -> Vec<ItemScore> {
        self.items
            .iter()
            .map(|i| ItemScore {
                key: i.key.clone(),
                score: i.score,
            })
            .collect()
    }

    /// The item scores as stored, texts trimmed.
    pub(super) fn rows(&self) -> Vec<ItemScoreRow> {
        self.items
            .iter()
            .map(|i| ItemScoreRow {
                item_key: i.key.clone(),
                score: i.score.map(i64::from),
                comment: i.comment.trim().to_owned(),
                evidence: i.evidence.trim().to_owned(),
            })
            .collect()
    }
}

pub(crate) fn status_of(row: &InspectionRow) -> Result<InspectionStatus> {
    row.status
        .parse()
        .map_err(|_| AppError::Store(StoreError::Corrupt(format!("status {}", row.status))))
}

pub(super) fn parse_card(body: &str) -> Result<Scorecard> {
    serde_json::from_str(body)
        .map_err(|e| AppError::Internal(format!("a stored scorecard does not read: {e}")))
}

/// A score in tenths as read: `87.5`.
pub fn points(tenths: i64) -> String {
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// The scorecard an inspection not yet scored is scored on: the first active one.
async fn current_card(conn: &mut AnyConnection, now: Timestamp) -> Result<(i64, Scorecard)> {
    super::scorecard::ensure_default(conn, now).await?;
    let list = kefu_store::quality::scorecard::list(conn).await?;
    let row = list
        .iter()
        .find(|s| s.active)
        .or(list.first())
        .ok_or(AppError::NotFound)?;
    Ok((row.version_id, parse_card(&row.body)?))
}

fn lines(
    messages: Vec<kefu_store::ticket::conversation::Message>,
    phrase_list: &[String],
) -> Vec<ConversationLine> {
    messages
        .into_iter()
        .map(|m| {
            // Hints only in what the agent wrote to the customer.
            let hinted = m.author_kind == "staff" && m.visibility == "public";
            let pieces = if hinted {
                phrases::marked(&m.body, phrase_list)
            } else {
                vec![(m.body.clone(), false)]
            };
            ConversationLine {
                id: m.id,
                at: m.created_at,
                internal: m.visibility != "public",
                author_kind: m.author_kind,
                author_name: m.author_name,
                pieces,
            }
        })
        .collect()
}

/// Who may read inspection `row`: an inspector, or its agent once it has a result.
fn may_read(actor: &Actor, row: &InspectionRow, status: InspectionStatus) -> Result<()> {
    if actor.require(Permission::QualityInspect).is_ok() {
        return Ok(());
    }
    if actor.user_id() == Some(row.agent_id) && status.has_result() {
        return Ok(());
    }
    // Not told apart from one that does not exist: a sample is not announced.
    Err(AppError::NotFound)
}

impl App {
    /// Inspections in `scope`, the newest first; `status` narrows the list.
    pub async fn quality_inspections(
        &self,
        actor: &Actor,
        scope: InspectionScope,
        status: Option<InspectionStatus>,
    ) -> Result<Vec<InspectionRow>> {
        let me = actor.user_id();
        let mut filter = InspectionFilter {
            limit: LIST_LIMIT,
            statuses: status.map(|s| vec![s.key().to_owned()]).unwrap_or_default(),
            ..InspectionFilter::default()
        };
        match scope {
            InspectionScope::ToInspect => {
                actor.require(Permission::QualityInspect)?;
                filter.inspector_id = Some(me.ok_or(AppError::Forbidden)?);
                if status.is_none() {
                    filter.statuses = vec!["assigned".to_owned(), "rescoring".to_owned()];
                }
            }
            InspectionScope::Everyone => actor.require(Permission::QualityInspect)?,
            InspectionScope::MyResults => {
                actor.require(Permission::TicketWork)?;
                filter.agent_id = Some(me.ok_or(AppError::Forbidden)?);
                if status.is_none() {
                    filter.statuses = InspectionStatus::ALL
                        .iter()
                        .filter(|s| s.has_result())
                        .map(|s| s.key().to_owned())
                        .collect();
                } else if status.is_some_and(|s| !s.has_result()) {
                    return Ok(Vec::new());
                }
            }
        }
        let mut conn = self.store.conn().await?;
        Ok(store::inspections(&mut conn, &filter).await?)
    }

    /// One inspection with what was inspected and the scorecard.
    pub async fn quality_inspection(&self, actor: &Actor, id: i64) -> Result<InspectionView> {
        actor.require(Permission::TicketWork)?;
        let now = self.now();
        let (mut row, card_version_id, card, mut scores, phrase_list, calibration) = {
            let mut conn = self.store.conn().await?;
            let row = store::inspection_by_id(&mut conn, id).await?;
            may_read(actor, &row, status_of(&row)?)?;
            let (version_id, card) = match row.scorecard_version_id {
                Some(v) => (v, parse_card(&store::version_body(&mut conn, v).await?)?),
                None => current_card(&mut conn, now).await?,
            };
            let scores = store::item_scores(&mut conn, id).await?;
            let phrase_list = super::settings::load(&mut conn).await?.phrases;
            let calibration = self
                .calibration_part(&mut conn, actor, &row, &scores)
                .await?;
            (row, version_id, card, scores, phrase_list, calibration)
        };
        // Scoring blind: the first score stays hidden until the calibration is in.
        if calibration.mine.is_some() {
            scores.clear();
            row.score_tenths = None;
            row.passed = None;
            row.critical_failed = None;
            row.comment.clear();
        }
        let status = status_of(&row)?;
        let source = self.source_view(actor, &row, &phrase_list).await?;
        let hints = match &source {
            SourceView::Ticket { lines, .. } | SourceView::Call { lines, .. } => lines
                .iter()
                .flat_map(|l| l.pieces.iter())
                .filter(|(_, h)| *h)
                .count(),
            _ => 0,
        };
        let me = actor.user_id().unwrap_or(0);
        let inspector = actor.require(Permission::QualityInspect).is_ok();
        Ok(InspectionView {
            may_score: inspector
                && rules::may_score(status, row.inspector_id, row.agent_id, me).is_ok(),
            may_answer: rules::may_acknowledge(status, row.agent_id, me).is_ok(),
            may_appeal: rules::may_acknowledge(status, row.agent_id, me).is_ok()
                && row.appeal_due_at.is_none_or(|d| now <= d),
            may_decide: actor.require(Permission::QualityDecide).is_ok()
                && status == InspectionStatus::Appealed
                && me != row.agent_id,
            inspection: row,
            card,
            card_version_id,
            scores,
            source,
            hints,
            calibration,
        })
    }

    async fn source_view(
        &self,
        actor: &Actor,
        row: &InspectionRow,
        phrase_list: &[String],
    ) -> Result<SourceView> {
        let gone = |e: AppError| match e {
            AppError::NotFound => Ok(SourceView::Gone),
            e => Err(e),
        };
        match row.source_kind.as_str() {
            "ticket" => match self.ticket_detail(actor, row.source_id).await {
                Ok(d) => Ok(SourceView::Ticket {
                    ticket: Box::new(d.ticket),
                    lines: lines(d.messages, phrase_list),
                }),
                Err(e) => gone(e),
            },
            "call" => {
                let call = match self.call(actor, row.source_id).await {
                    Ok(c) => c,
                    Err(e) => return gone(e),
                };
                let lines = match call.ticket_id {
                    Some(t) => {
                        let mut conn = self.store.conn().await?;
                        let messages =
                            kefu_store::ticket::conversation::messages(&mut conn, t, false).await?;
                        lines(messages, phrase_list)
                    }
                    None => Vec::new(),
                };
                Ok(SourceView::Call {
                    call: Box::new(call),
                    lines,
                })
            }
            "visit" => match self.follow_up_visit(actor, row.source_id).await {
                Ok(v) => Ok(SourceView::Visit(Box::new(v))),
                Err(e) => gone(e),
            },
            _ => Ok(SourceView::Gone),
        }
    }

    /// Scores inspection `id` (as it stood at `version`, when given) on the scorecard
    /// version the form showed; the agent is told and may answer within the appeal days.
    pub async fn score_inspection(
        &self,
        actor: &Actor,
        id: i64,
        form: &ScoreForm,
        version: Option<i64>,
    ) -> Result<i64> {
        actor.require(Permission::QualityInspect)?;
        let me = actor.user_id().ok_or(AppError::Forbidden)?;
        check_text(&form.comment, MAX_TEXT)?;
        for i in &form.items {
            check_text(&i.comment, MAX_TEXT)?;
            check_text(&i.evidence, MAX_EVIDENCE)?;
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let row = store::inspection_by_id(&mut tx, id).await?;
        super::expect_version(row.version, version)?;
        let next = rules::may_score(status_of(&row)?, row.inspector_id, row.agent_id, me)?;
        // A second score after an appeal stays on the first one's scorecard.
        let card_version = row.scorecard_version_id.unwrap_or(form.card_version_id);
        let card = parse_card(&store::version_body(&mut tx, card_version).await?)?;
        let outcome = card.score(&row.channel, &form.given())?;
        let settings = super::settings::load(&mut tx).await?;
        let appeal_due_at = (next == InspectionStatus::Scored)
            .then(|| now + SignedDuration::from_hours(24 * i64::from(settings.appeal_days)));
        let items = form.rows();
        let write = ScoreWrite {
            inspector_id: me,
            status: next.key(),
            scorecard_version_id: card_version,
            tenths: i64::from(outcome.tenths),
            passed: outcome.passed,
            critical_failed: outcome.critical_failed,
            comment: form.comment.trim(),
            appeal_due_at: appeal_due_at.or(row.appeal_due_at),
            items: &items,
        };
        if !store::write_score(&mut tx, id, row.version, &write, now).await? {
            return Err(super::moved_on(row.version + 1));
        }
        if !outcome.passed {
            self.open_failed_inspection(&mut tx, &row, outcome, form.comment.trim(), me, now)
                .await?;
        }
        let params = serde_json::json!({
            "inspection": id,
            "score": points(i64::from(outcome.tenths)),
            "result": if outcome.passed { "passed" } else { "failed" },
        });
        notify::notify(
            &mut tx,
            &[row.agent_id],
            kind::QUALITY_SCORED,
            None,
            &params,
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(row.version + 1)
    }

    /// A failed inspection opens its anomaly (once, however often it is scored again).
    async fn open_failed_inspection(
        &self,
        conn: &mut AnyConnection,
        row: &InspectionRow,
        outcome: kefu_domain::quality::Outcome,
        comment: &str,
        inspector: i64,
        now: Timestamp,
    ) -> Result<()> {
        let what = match &row.ticket_number {
            Some(n) => n.clone(),
            None => format!("{} #{}", row.source_kind, row.source_id),
        };
        let score = points(i64::from(outcome.tenths));
        let key = if outcome.critical_failed {
            "quality.anomaly_from.inspection_critical"
        } else {
            "quality.anomaly_from.inspection"
        };
        let item = if row.source_kind == "visit" {
            "visit"
        } else {
            anomaly_rules::service_item_of_channel(&row.channel)
        };
        let opening = super::anomaly::Opening {
            source: AnomalySource::Inspection,
            source_key: row.id.to_string(),
            service_item: item,
            channel: Some(&row.channel),
            agent_id: Some(row.agent_id),
            ticket_id: (row.source_kind == "ticket").then_some(row.source_id),
            severity: if outcome.critical_failed {
                AnomalySeverity::Critical
            } else {
                AnomalySeverity::Major
            },
            description: self.text(
                kefu_domain::Locale::ZhCn,
                key,
                &[("what", &what), ("score", &score)],
            ),
            evidence: comment.to_owned(),
            occurred_on: None,
            created_by: Some(inspector),
        };
        super::anomaly::open(conn, &opening, now).await?;
        Ok(())
    }

    /// The agent accepts the result.
    pub async fn acknowledge_inspection(
        &self,
        actor: &Actor,
        id: i64,
        version: Option<i64>,
    ) -> Result<i64> {
        actor.require(Permission::TicketWork)?;
        let me = actor.user_id().ok_or(AppError::Forbidden)?;
        let mut tx = self.store.begin().await?;
        let row = store::inspection_by_id(&mut tx, id).await?;
        let status = status_of(&row)?;
        may_read(actor, &row, status)?;
        super::expect_version(row.version, version)?;
        rules::may_acknowledge(status, row.agent_id, me)?;
        if !store::answer(&mut tx, id, row.version, &Answer::Acknowledge, self.now()).await? {
            return Err(super::moved_on(row.version + 1));
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(row.version + 1)
    }

    /// The agent appeals the result (申诉) with a reason, within the appeal days; the
    /// managers are told.
    pub async fn appeal_inspection(
        &self,
        actor: &Actor,
        id: i64,
        reason: &str,
        version: Option<i64>,
    ) -> Result<i64> {
        actor.require(Permission::TicketWork)?;
        let me = actor.user_id().ok_or(AppError::Forbidden)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let row = store::inspection_by_id(&mut tx, id).await?;
        let status = status_of(&row)?;
        may_read(actor, &row, status)?;
        super::expect_version(row.version, version)?;
        rules::may_appeal(status, row.agent_id, me, row.appeal_due_at, now, reason)?;
        let answer = Answer::Appeal {
            reason: reason.trim(),
        };
        if !store::answer(&mut tx, id, row.version, &answer, now).await? {
            return Err(super::moved_on(row.version + 1));
        }
        let deciders = notify::with_role(&mut tx, Role::CsManager).await?;
        let params = serde_json::json!({ "inspection": id, "agent": row.agent_name });
        notify::notify(
            &mut tx,
            &deciders,
            kind::QUALITY_APPEALED,
            None,
            &params,
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(row.version + 1)
    }

    /// The manager decides an appeal: the score stands, or the inspector scores again.
    pub async fn decide_quality_appeal(
        &self,
        actor: &Actor,
        id: i64,
        decision: AppealDecision,
        note: &str,
        version: Option<i64>,
    ) -> Result<i64> {
        actor.require(Permission::QualityDecide)?;
        let me = actor.user_id().ok_or(AppError::Forbidden)?;
        check_text(note, MAX_TEXT)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let row = store::inspection_by_id(&mut tx, id).await?;
        super::expect_version(row.version, version)?;
        if row.agent_id == me {
            return Err(InspectionError::OwnWork.into());
        }
        let next = rules::decide(status_of(&row)?, decision)?;
        let answer = Answer::Decide {
            status: next.key(),
            decision: decision.key(),
            note: note.trim(),
            by: me,
        };
        if !store::answer(&mut tx, id, row.version, &answer, now).await? {
            return Err(super::moved_on(row.version + 1));
        }
        let mut to = vec![row.agent_id];
        to.extend(row.inspector_id);
        let params = serde_json::json!({ "inspection": id, "decision": decision.key() });
        notify::notify(
            &mut tx,
            &to,
            kind::QUALITY_APPEAL_DECIDED,
            None,
            &params,
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(row.version + 1)
    }

    /// The appeals waiting for a decision, the oldest first (the approvals inbox).
    pub async fn quality_appeals_waiting(&self, actor: &Actor) -> Result<Vec<InspectionRow>> {
        actor.require(Permission::QualityDecide)?;
        let mut conn = self.store.conn().await?;
        Ok(store::appeals_waiting(&mut conn, LIST_LIMIT).await?)
    }
}
