//! 投诉 — the complaints board, the intake form, and the complaint page with the form of
//! each stage's step. Every step posts to its own route and comes back to the page; a
//! refused step shows the page again with the reason.
//!
//! This module holds what the pages share; each page, and each stretch of the loop's
//! steps, lives in a submodule, re-exported here for the route table.

mod approvals;
mod board;
mod closing;
mod deadlines;
mod history;
mod intake;
mod notices;
mod report;
mod rma;
mod show;
mod solution;
mod stale;

pub use approvals::approvals;
pub use board::{Card, Column, board};
pub use closing::{customer_decision, evaluate, follow_up, tell};
pub use deadlines::{deadlines, save_deadlines};
pub use intake::{NewQuery, complete_intake, create, judge, new_form};
pub use notices::{acknowledge_notice, answer_notice, review_notice};
pub use report::{Bar, BreakdownRow, report, report_csv, report_export, report_xlsx, value_label};
pub use rma::{advance_rma, cancel_rma, penalty};
pub use show::{
    EvidenceRow, NoticeRow, PrintQuery, Progress, ProposalRow, RmaRow, StepRow,
    investigation_report, reveal, send_investigation_report, show,
};
pub use solution::{decide, investigate, propose};

pub use crate::complaint_shared::{default_answer_message, default_follow_up_script, report_query};

use super::tickets::{Choice, field};
use crate::i18n::Tr;

fn choices<T: Copy + PartialEq>(
    t: Tr,
    prefix: &str,
    all: &[T],
    key: impl Fn(T) -> &'static str,
    selected: Option<T>,
) -> Vec<Choice> {
    all.iter()
        .map(|v| Choice {
            value: key(*v).to_owned(),
            label: t.tk(prefix, key(*v)),
            selected: Some(*v) == selected,
        })
        .collect()
}

fn business_time(t: Tr, minutes: i64) -> String {
    t.f(
        "complaint.business_time",
        &[
            ("h", &(minutes / 60).to_string()),
            ("m", &(minutes % 60).to_string()),
        ],
    )
}
