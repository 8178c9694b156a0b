//! 投诉处理闭环 — the complaint closed loop (seed 002 §四, 000 §(八)): a complaint moves
//! through fixed stages, none skipped, from intake to evaluation; solutions are approved by a
//! supervisor, returns and refunds run as records of their own, and the loop closes with a
//! follow-up visit and an evaluation.
//!
//! This module is the state machine ([`transition`]), the vocabulary of complaints, the
//! deadlines per stage and severity, the default answer promise on the business calendar,
//! and the "short, flat, fast" measures (hand-offs).

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::calendar::{BusinessCalendar, CalendarError};

keyed! {
    /// 投诉处理阶段 — where a complaint stands.
    Stage {
        /// 受理 — recorded, not yet judged.
        Intake = "intake",
        /// 判断 — is it valid?
        Validity = "validity",
        /// 投诉处理通知 — the responsible department has been sent the notice.
        Notice = "notice",
        /// 调查 — finding the cause and who is responsible.
        Investigation = "investigation",
        /// 方案 — proposals waiting for the supervisor.
        Solution = "solution",
        /// 实施 — the approved solution is carried out; the customer accepts or rejects it.
        Implementation = "implementation",
        /// 回访 — the follow-up visit.
        FollowUp = "follow_up",
        /// 总结评价 — summary, lessons, improvement measure.
        Evaluation = "evaluation",
        /// 结案
        Closed = "closed",
        /// 不成立结案 — judged not valid, answered politely and closed.
        Invalid = "invalid",
    }
}

impl Stage {
    /// The stages a valid complaint passes, in order.
    pub const PATH: [Stage; 9] = [
        Stage::Intake,
        Stage::Validity,
        Stage::Notice,
        Stage::Investigation,
        Stage::Solution,
        Stage::Implementation,
        Stage::FollowUp,
        Stage::Evaluation,
        Stage::Closed,
    ];

    /// Whether work remains (the stage has a deadline).
    pub fn is_open(self) -> bool {
        !matches!(self, Stage::Closed | Stage::Invalid)
    }

    /// Position on the path (the invalid end shares the validity step's place).
    pub fn step(self) -> usize {
        match self {
            Stage::Invalid => 2,
            s => Stage::PATH.iter().position(|p| *p == s).unwrap_or(0) + 1,
        }
    }
}

/// A step that moves a complaint on; each belongs to exactly one stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// 受理确认 — the intake record is complete.
    CompleteIntake,
    /// Judged not valid: a polite reply, closed as invalid.
    JudgeInvalid,
    /// Judged valid: the notice goes to the responsible department.
    JudgeValid,
    /// The specialist accepted the department's answer to the notice.
    AcceptNoticeAnswer,
    /// Cause and responsibility found.
    RecordInvestigation,
    /// The supervisor approved one proposal.
    ApproveProposal,
    /// The customer accepted the solution carried out.
    CustomerAccepts,
    /// The customer rejected it: back to the solution stage.
    CustomerRejects,
    /// The follow-up found the customer satisfied or neutral.
    FollowUpSettled,
    /// The follow-up found the customer unsatisfied: the complaint reopens at the solution.
    FollowUpUnsatisfied,
    /// Summary and lessons recorded: closed.
    Evaluate,
}

impl Action {
    pub fn key(self) -> &'static str {
        match self {
            Action::CompleteIntake => "complete_intake",
            Action::JudgeInvalid => "judge_invalid",
            Action::JudgeValid => "judge_valid",
            Action::AcceptNoticeAnswer => "accept_notice_answer",
            Action::RecordInvestigation => "record_investigation",
            Action::ApproveProposal => "approve_proposal",
            Action::CustomerAccepts => "customer_accepts",
            Action::CustomerRejects => "customer_rejects",
            Action::FollowUpSettled => "follow_up_settled",
            Action::FollowUpUnsatisfied => "follow_up_unsatisfied",
            Action::Evaluate => "evaluate",
        }
    }
}

/// The state machine: where `action` takes a complaint in `stage`, or why it may not.
pub fn transition(stage: Stage, action: Action) -> Result<Stage, ComplaintError> {
    use Action as A;
    use Stage as S;
    let to = match (stage, action) {
        (S::Intake, A::CompleteIntake) => S::Validity,
        (S::Validity, A::JudgeInvalid) => S::Invalid,
        (S::Validity, A::JudgeValid) => S::Notice,
        (S::Notice, A::AcceptNoticeAnswer) => S::Investigation,
        (S::Investigation, A::RecordInvestigation) => S::Solution,
        (S::Solution, A::ApproveProposal) => S::Implementation,
        (S::Implementation, A::CustomerAccepts) => S::FollowUp,
        (S::Implementation, A::CustomerRejects) => S::Solution,
        (S::FollowUp, A::FollowUpSettled) => S::Evaluation,
        (S::FollowUp, A::FollowUpUnsatisfied) => S::Solution,
        (S::Evaluation, A::Evaluate) => S::Closed,
        _ => return Err(ComplaintError::OutOfOrder { stage, action }),
    };
    Ok(to)
}

keyed! {
    /// 严重程度
    Severity {
        /// 一般
        Minor = "minor",
        /// 较重
        Major = "major",
        /// 严重
        Serious = "serious",
        /// 重大
        Critical = "critical",
    }
}

keyed! {
    /// 投诉类别 — what the complaint is about.
    Category {
        /// 产品质量
        Quality = "quality",
        /// 交付与物流
        Delivery = "delivery",
        /// 服务态度
        Service = "service",
        /// 价格与账务
        Billing = "billing",
        /// 安装与维修
        Installation = "installation",
        Other = "other",
    }
}

keyed! {
    /// 投诉原因 — what investigation found (seed 002 §四3(3)).
    Cause {
        /// 生产
        Production = "production",
        /// 质检
        Inspection = "inspection",
        /// 物流
        Logistics = "logistics",
        /// 服务
        Service = "service",
        /// 设计
        Design = "design",
        /// 客户使用不当
        CustomerMisuse = "customer_misuse",
        Other = "other",
    }
}

keyed! {
    /// 处理方案 — what a proposal offers the customer.
    Remedy {
        /// 补发更换 — a replacement sent, nothing returned first.
        Replace = "replace",
        /// 退货
        Return = "return",
        /// 换货
        Exchange = "exchange",
        /// 退款
        Refund = "refund",
        /// 维修
        Repair = "repair",
        /// 补偿
        Compensate = "compensate",
        /// 道歉
        Apologise = "apologise",
    }
}

impl Remedy {
    /// The after-sales record (RMA) carrying out this remedy, when goods or money move.
    pub fn rma(self) -> Option<Remedy> {
        match self {
            Remedy::Replace
            | Remedy::Return
            | Remedy::Exchange
            | Remedy::Refund
            | Remedy::Repair => Some(self),
            Remedy::Compensate | Remedy::Apologise => None,
        }
    }
}

keyed! {
    /// Where a proposal stands.
    ProposalStatus {
        /// 待审批
        Proposed = "proposed",
        /// 已批准 — being carried out, or carried out and accepted by the customer.
        Approved = "approved",
        /// 已搁置 — still waiting when the supervisor approved another proposal: not
        /// judged on its own, so not "sent back".
        SetAside = "set_aside",
        /// 已退回 — the supervisor asked for another.
        SentBack = "sent_back",
        /// 客户未接受 — the customer rejected it after it was carried out.
        Rejected = "rejected",
        /// 已实施，回访不满意 — carried out and accepted by the customer, but the follow-up
        /// found the customer unsatisfied and the complaint went back to the solution. Not
        /// [`Rejected`](Self::Rejected): the customer did accept it, and what it cost was
        /// spent.
        Reopened = "reopened",
    }
}

keyed! {
    /// 退换货 — the after-sales record's steps (RMA).
    RmaStatus {
        /// 已申请
        Requested = "requested",
        /// 已批准
        Approved = "approved",
        /// 已收货检验
        Received = "received",
        /// 已退款/换货/维修
        Done = "done",
        /// 已关闭
        Closed = "closed",
        /// 已取消 — nothing was carried out (the customer rejected the remedy, or a
        /// follow-up undid it); the reason is on the record.
        Cancelled = "cancelled",
    }
}

impl RmaStatus {
    /// Whether nothing more happens to the RMA: closed after it was carried out, or
    /// cancelled before.
    pub fn is_final(self) -> bool {
        matches!(self, RmaStatus::Closed | RmaStatus::Cancelled)
    }

    /// Whether the RMA may still be cancelled: not once the money or goods moved (done), so
    /// the record never says an RMA carried out did not happen.
    pub fn may_cancel(self) -> bool {
        matches!(
            self,
            RmaStatus::Requested | RmaStatus::Approved | RmaStatus::Received
        )
    }

    /// The one step after this one; an RMA moves forward one step at a time.
    pub fn next(self, remedy: Remedy) -> Option<RmaStatus> {
        match self {
            RmaStatus::Requested => Some(RmaStatus::Approved),
            // Nothing comes back for a refund without return or a plain replacement.
            RmaStatus::Approved if matches!(remedy, Remedy::Refund | Remedy::Replace) => {
                Some(RmaStatus::Done)
            }
            RmaStatus::Approved => Some(RmaStatus::Received),
            RmaStatus::Received => Some(RmaStatus::Done),
            RmaStatus::Done => Some(RmaStatus::Closed),
            RmaStatus::Closed | RmaStatus::Cancelled => None,
        }
    }
}

keyed! {
    /// 回访结果
    FollowUpResult {
        /// 满意
        Satisfied = "satisfied",
        /// 一般
        Neutral = "neutral",
        /// 不满意
        Unsatisfied = "unsatisfied",
    }
}

keyed! {
    /// Where a handling notice stands with the department.
    NoticeStatus {
        /// 已发送
        Sent = "sent",
        /// 已确认收到
        Acknowledged = "acknowledged",
        /// 已答复
        Answered = "answered",
        /// 已审核通过
        Accepted = "accepted",
        /// 退回重答
        Returned = "returned",
    }
}

/// The log's comment on a follow-up step: the result's key, then what the customer said
/// (`unsatisfied: 新轴承还没到`). The API hands it on as written; pages show the result
/// translated ([`follow_up_note_parts`]).
pub fn follow_up_note(result: FollowUpResult, comment: &str) -> String {
    format!("{}: {comment}", result.key())
}

/// The result and the customer's words in a follow-up step's comment written by
/// [`follow_up_note`] (a bare key, as a comment-less one may read, too); `None` for any
/// other text.
pub fn follow_up_note_parts(note: &str) -> Option<(FollowUpResult, &str)> {
    let (key, rest) = match note.split_once(':') {
        Some((key, rest)) => (key, rest.trim_start()),
        None => (note.trim_end(), ""),
    };
    Some((key.parse().ok()?, rest))
}

/// Why a complaint step is refused. Nothing changes when one is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComplaintError {
    #[error("{action:?} does not belong to the {stage} stage")]
    OutOfOrder { stage: Stage, action: Action },
    #[error("{0} is required")]
    Required(&'static str),
    #[error("{0} is too long")]
    TooLong(&'static str),
    #[error("a cost cannot be negative")]
    NegativeCost,
    /// A cost or penalty above [`crate::money::MAX_AMOUNT_FEN`].
    #[error(transparent)]
    Amount(#[from] crate::money::AmountError),
    #[error("the quantity must be a positive number")]
    BadQuantity,
    #[error("the customer can only accept or reject an approved solution")]
    NoApprovedSolution,
    #[error("only a proposal waiting for a decision can be approved or sent back")]
    ProposalNotPending,
    #[error("the department has not answered the notice yet")]
    NoticeNotAnswered,
    #[error("the notice is not waiting for this step")]
    NoticeOutOfOrder,
    #[error("a return, exchange, refund or repair is still open")]
    OpenRmas,
    #[error("this return or refund has no further step")]
    RmaFinished,
    #[error("a return or refund can be cancelled only before it is carried out")]
    RmaNotCancellable,
    #[error("this complaint is closed")]
    Closed,
    #[error("a stage deadline is 1 to {max} business minutes")]
    BadDeadline { max: i64 },
    /// A date that must not lie before today (an improvement measure's due date).
    #[error("{0} cannot be in the past")]
    InPast(&'static str),
}

/// The longest deadline an admin may give a stage: a year of business minutes.
pub const MAX_DEADLINE_MINUTES: i64 = 525_600;

/// Checks a free text: required ones non-empty, every one within `max` characters.
pub fn text(
    field: &'static str,
    value: &str,
    required: bool,
    max: usize,
) -> Result<String, ComplaintError> {
    let v = value.trim();
    if required && v.is_empty() {
        return Err(ComplaintError::Required(field));
    }
    if v.chars().count() > max {
        return Err(ComplaintError::TooLong(field));
    }
    Ok(v.to_owned())
}

/// Checks a cost or penalty in fen: not negative, at most
/// [`MAX_AMOUNT_FEN`](crate::money::MAX_AMOUNT_FEN).
pub fn cost(fen: i64) -> Result<i64, ComplaintError> {
    if fen < 0 {
        return Err(ComplaintError::NegativeCost);
    }
    Ok(crate::money::amount(fen)?)
}

/// Checks a due date against `today` (the caller's local date): today or later.
pub fn not_past(field: &'static str, d: Date, today: Date) -> Result<Date, ComplaintError> {
    if d < today {
        return Err(ComplaintError::InPast(field));
    }
    Ok(d)
}

/// 承诺答复时间 — when the customer is told to expect an answer unless the person judging the
/// complaint sets another time: one business day after `now` on `cal` (as many business
/// minutes as an ordinary working day has), so the promise always falls inside working
/// time, never on a rest day or a holiday — a complaint taken on a Friday evening is
/// answered by Monday's close, one taken Monday at 10:00 by Tuesday at 10:00.
pub fn default_answer_promise(
    cal: &BusinessCalendar,
    now: Timestamp,
) -> Result<Timestamp, CalendarError> {
    let day: i64 = cal
        .week()
        .iter()
        .find(|d| !d.is_empty())
        .map(|d| d.iter().map(|p| p.minutes()).sum())
        .ok_or(CalendarError::NoWorkingTime)?;
    cal.add_minutes(now, day)
}

/// 短 — how many times the complaint passed from one person to another: each step taken by
/// someone else than the step before counts once.
pub fn hand_offs(actors: &[Option<i64>]) -> usize {
    actors.windows(2).filter(|w| w[0] != w[1]).count()
}

/// The business minutes a stage may take at `severity` unless an admin set otherwise.
/// Major (较重) is the reference; serious complaints get half the time, critical a quarter,
/// minor ones twice as long. Closed stages have none.
pub fn default_deadline_minutes(stage: Stage, severity: Severity) -> Option<i64> {
    let base = match stage {
        Stage::Intake => 60,
        Stage::Validity => 240,
        Stage::Notice => 960,
        Stage::Investigation => 1440,
        Stage::Solution => 960,
        Stage::Implementation => 2400,
        Stage::FollowUp => 1440,
        Stage::Evaluation => 2400,
        Stage::Closed | Stage::Invalid => return None,
    };
    Some(match severity {
        Severity::Critical => base / 4,
        Severity::Serious => base / 2,
        Severity::Major => base,
        Severity::Minor => base * 2,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVERY_ACTION: [Action; 11] = [
        Action::CompleteIntake,
        Action::JudgeInvalid,
        Action::JudgeValid,
        Action::AcceptNoticeAnswer,
        Action::RecordInvestigation,
        Action::ApproveProposal,
        Action::CustomerAccepts,
        Action::CustomerRejects,
        Action::FollowUpSettled,
        Action::FollowUpUnsatisfied,
        Action::Evaluate,
    ];

    #[test]
    fn the_valid_path_passes_every_stage_in_order() {
        let steps = [
            Action::CompleteIntake,
            Action::JudgeValid,
            Action::AcceptNoticeAnswer,
            Action::RecordInvestigation,
            Action::ApproveProposal,
            Action::CustomerAccepts,
            Action::FollowUpSettled,
            Action::Evaluate,
        ];
        let mut stage = Stage::Intake;
        let mut seen = vec![stage];
        for a in steps {
            stage = transition(stage, a).unwrap();
            seen.push(stage);
        }
        assert_eq!(seen, Stage::PATH);
    }

    #[test]
    fn no_stage_can_be_skipped() {
        // From every stage, every action either is refused or moves exactly one step
        // forward, or goes back to the solution, or ends as invalid from validity.
        for &from in Stage::ALL {
            for a in EVERY_ACTION {
                if let Ok(to) = transition(from, a) {
                    let forward = to.step() == from.step() + 1;
                    let back_to_solution = to == Stage::Solution && from.step() > to.step();
                    let invalid = from == Stage::Validity && to == Stage::Invalid;
                    assert!(
                        forward || back_to_solution || invalid,
                        "{from} --{a:?}--> {to}"
                    );
                }
            }
        }
    }

    #[test]
    fn closed_complaints_take_no_step() {
        for a in EVERY_ACTION {
            assert!(transition(Stage::Closed, a).is_err());
            assert!(transition(Stage::Invalid, a).is_err());
        }
    }

    #[test]
    fn rejection_and_unsatisfied_follow_up_return_to_the_solution() {
        assert_eq!(
            transition(Stage::Implementation, Action::CustomerRejects),
            Ok(Stage::Solution)
        );
        assert_eq!(
            transition(Stage::FollowUp, Action::FollowUpUnsatisfied),
            Ok(Stage::Solution)
        );
    }

    #[test]
    fn an_rma_moves_one_step_at_a_time() {
        let mut s = RmaStatus::Requested;
        let mut path = vec![s];
        while let Some(n) = s.next(Remedy::Return) {
            s = n;
            path.push(s);
        }
        // Every status but the cancelled one lies on the way forward.
        assert_eq!(path, &RmaStatus::ALL[..RmaStatus::ALL.len() - 1]);
        assert_eq!(
            RmaStatus::Approved.next(Remedy::Refund),
            Some(RmaStatus::Done)
        );
        assert_eq!(RmaStatus::Closed.next(Remedy::Repair), None);
        assert_eq!(RmaStatus::Cancelled.next(Remedy::Repair), None);
    }

    #[test]
    fn an_rma_is_cancelled_only_before_it_is_carried_out() {
        let cancellable: Vec<RmaStatus> = RmaStatus::ALL
            .iter()
            .copied()
            .filter(|s| s.may_cancel())
            .collect();
        assert_eq!(
            cancellable,
            [
                RmaStatus::Requested,
                RmaStatus::Approved,
                RmaStatus::Received
            ]
        );
        let finished: Vec<RmaStatus> = RmaStatus::ALL
            .iter()
            .copied()
            .filter(|s| s.is_final())
            .collect();
        assert_eq!(finished, [RmaStatus::Closed, RmaStatus::Cancelled]);
    }

    #[test]
    fn follow_up_notes_read_back_their_result() {
        let note = follow_up_note(FollowUpResult::Unsatisfied, "新轴承还没到");
        assert_eq!(note, "unsatisfied: 新轴承还没到");
        assert_eq!(
            follow_up_note_parts(&note),
            Some((FollowUpResult::Unsatisfied, "新轴承还没到"))
        );
        let bare = follow_up_note(FollowUpResult::Satisfied, "");
        assert_eq!(
            follow_up_note_parts(&bare),
            Some((FollowUpResult::Satisfied, ""))
        );
        assert_eq!(
            follow_up_note_parts("neutral"),
            Some((FollowUpResult::Neutral, ""))
        );
        assert_eq!(follow_up_note_parts("客户说：还行"), None);
        assert_eq!(follow_up_note_parts(""), None);
    }

    #[test]
    fn hand_offs_count_changes_of_hands() {
        assert_eq!(hand_offs(&[]), 0);
        assert_eq!(hand_offs(&[Some(1), Some(1), Some(1)]), 0);
        assert_eq!(hand_offs(&[Some(1), Some(2), Some(2), Some(1)]), 2);
        assert_eq!(hand_offs(&[Some(1), None]), 1);
    }

    #[test]
    fn deadlines_shrink_with_severity() {
        for &stage in Stage::ALL.iter().filter(|s| s.is_open()) {
            let m = |s| default_deadline_minutes(stage, s).unwrap();
            assert!(m(Severity::Critical) < m(Severity::Serious));
            assert!(m(Severity::Serious) < m(Severity::Major));
            assert!(m(Severity::Major) < m(Severity::Minor));
        }
        assert_eq!(
            default_deadline_minutes(Stage::Closed, Severity::Minor),
            None
        );
    }

    /// Beijing wall time as an instant.
    fn bj(s: &str) -> Timestamp {
        let dt: jiff::civil::DateTime = s.parse().unwrap();
        dt.to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap())
            .unwrap()
            .timestamp()
    }

    #[test]
    fn the_default_promise_is_one_business_day_and_never_on_a_rest_day() {
        let cal = BusinessCalendar::china_standard();
        // Friday 4 December 2026, 20:00: Monday's close.
        assert_eq!(
            default_answer_promise(&cal, bj("2026-12-04T20:00")),
            Ok(bj("2026-12-07T18:00"))
        );
        // Monday 10:00: Tuesday 10:00.
        assert_eq!(
            default_answer_promise(&cal, bj("2026-12-07T10:00")),
            Ok(bj("2026-12-08T10:00"))
        );
        // The evening before the National Day holidays (1–8 October 2025): the 9th.
        assert_eq!(
            default_answer_promise(&cal, bj("2025-09-30T19:00")),
            Ok(bj("2025-10-09T18:00"))
        );
        let never =
            BusinessCalendar::new("Asia/Shanghai", Default::default(), std::iter::empty()).unwrap();
        assert_eq!(
            default_answer_promise(&never, bj("2026-12-07T10:00")),
            Err(CalendarError::NoWorkingTime)
        );
    }

    #[test]
    fn a_due_date_may_be_today_but_not_before() {
        let today = jiff::civil::date(2026, 12, 3);
        assert_eq!(not_past("measure_due", today, today), Ok(today));
        assert_eq!(
            not_past("measure_due", jiff::civil::date(2026, 12, 2), today),
            Err(ComplaintError::InPast("measure_due"))
        );
    }

    #[test]
    fn costs_and_texts_are_checked() {
        assert_eq!(cost(-1), Err(ComplaintError::NegativeCost));
        assert_eq!(cost(0), Ok(0));
        let max = crate::money::MAX_AMOUNT_FEN;
        assert_eq!(cost(max), Ok(max));
        assert_eq!(
            cost(i64::MAX),
            Err(ComplaintError::Amount(
                crate::money::AmountError::TooLarge { max_fen: max }
            ))
        );
        assert_eq!(
            text("reason", "  ", true, 10),
            Err(ComplaintError::Required("reason"))
        );
        assert_eq!(text("reason", " 好 ", true, 10), Ok("好".into()));
        assert_eq!(
            text("reason", &"长".repeat(11), false, 10),
            Err(ComplaintError::TooLong("reason"))
        );
    }
}
