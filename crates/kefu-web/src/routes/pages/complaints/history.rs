//! 处理记录 — how a complaint's log and its after-sales records read on the page: every step
//! through the translations, never a stored key. Steps the system took read 系统; a step on
//! an RMA names its record ("退款单 #12 已退款"); a follow-up's result is translated in front
//! of what the customer said.

use kefu_domain::complaint::{self as rules, Action, Remedy, RmaStatus};
use kefu_store::complaint::{Rma, Step};

use super::show::StepRow;
use crate::i18n::Tr;
use crate::view::local_time;

/// An RMA's name as the department says it: 退款单 #12, 换货单 #13.
pub fn rma_record(t: Tr, remedy: Remedy, id: i64) -> String {
    t.f(
        "complaint.rma_record",
        &[
            ("name", &t.tk("rma_record", remedy.key())),
            ("id", &id.to_string()),
        ],
    )
}

/// An RMA's status in words; done says what was done (已退款, 已换货…).
pub fn rma_status(t: Tr, remedy: Remedy, status: RmaStatus) -> String {
    match status {
        RmaStatus::Done => t.tk("rma_done", remedy.key()),
        other => t.tk("rma_status", other.key()),
    }
}

/// Who took a step: the person's name, or 系统 for what the system did by itself.
fn actor(t: Tr, s: &Step) -> String {
    crate::view::actor_text(t, s.actor_user_id, &s.actor_name)
}

/// What a step did: an RMA step names its record and the status it reached; a step logged
/// before steps named their RMA reads as its action.
fn what(t: Tr, s: &Step, rmas: &[Rma]) -> String {
    let status = s
        .action
        .strip_prefix("rma_")
        .and_then(|k| k.parse::<RmaStatus>().ok());
    let rma = s.rma_id.and_then(|id| rmas.iter().find(|r| r.id == id));
    match (status, rma) {
        (Some(status), Some(r)) => t.f(
            "complaint.rma_step",
            &[
                ("record", &rma_record(t, r.remedy, r.id)),
                ("status", &rma_status(t, r.remedy, status)),
            ],
        ),
        _ => t.tk("complaint_action", &s.action),
    }
}

/// A step's comment; a follow-up's starts with its result, translated.
fn comment(t: Tr, s: &Step) -> String {
    let text = s.comment.as_deref().unwrap_or_default();
    let follow_up = [
        Action::FollowUpSettled.key(),
        Action::FollowUpUnsatisfied.key(),
    ];
    if !follow_up.contains(&s.action.as_str()) {
        return text.to_owned();
    }
    match rules::follow_up_note_parts(text) {
        Some((result, "")) => t.tk("follow_up_result", result.key()),
        Some((result, said)) => t.f(
            "complaint.follow_up_note",
            &[
                ("result", &t.tk("follow_up_result", result.key())),
                ("comment", said),
            ],
        ),
        None => text.to_owned(),
    }
}

/// One line of the complaint's log.
pub fn step_row(t: Tr, s: &Step, rmas: &[Rma]) -> StepRow {
    StepRow {
        at: local_time(s.at),
        actor: actor(t, s),
        what: what(t, s, rmas),
        stage: if s.from_stage == s.to_stage {
            String::new()
        } else {
            format!(
                "{} → {}",
                t.tk("complaint_stage", s.from_stage.key()),
                t.tk("complaint_stage", s.to_stage.key())
            )
        },
        comment: comment(t, s),
    }
}
