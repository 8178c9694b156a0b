//! The customer's first message, worded per ticket type and channel; each kind of ticket's
//! wording in its own module.

mod faults;
mod inquiries;
mod orders;
mod suggestions;

use faults::*;
use inquiries::*;
use orders::*;
use suggestions::*;

// What the replies need of the openings' wording.
pub(super) use inquiries::ask_of;
pub(super) use orders::{accessory_of, order_trouble_of};

use fastrand::Rng;
use kefu_domain::ticket::{BODY_MAX, Channel, SUBJECT_MAX, TicketType};

use super::catalogue::Line;
use super::fragments::{
    API_SOURCES, Age, BOUGHT_REPORTED, CLOSINGS, CONTACT_HOME, CONTACT_SHOP, HISTORY, IMPACTS_ANY,
    IMPACTS_SHOP, ORDER_MENTIONS, SUSPECTS, TRIED, Voice, WARRANTY_IN, WARRANTY_OUT, WHEN, dress,
    event_sentence, impacts_home, machine_phrase, requests, requests_casual, requests_formal,
    requests_reported, requests_structured, summary_lead, summary_tail, warranty,
};
use super::helpers::{
    chance, clip, fill, fill_with, keep_at_most, pick, pick_str, pick_two, topic_hash,
};
use super::problems::{Problem, problem_named};
use super::{Product, Topic};

/// The customer's first message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opening {
    pub subject: String,
    pub body: String,
    /// 1–3 short Chinese tags, e.g. "空调", "不制冷", "保修期内".
    pub tags: Vec<&'static str>,
}

/// The customer's first message about `topic`, worded for the ticket type and the channel.
/// `order_number` ("PO-2026-00817") is mentioned in some bodies: most order issues, many
/// after-sales requests and complaints, a few others.
pub fn opening(
    rng: &mut Rng,
    ticket_type: TicketType,
    channel: Channel,
    topic: &Topic,
    order_number: &str,
) -> Opening {
    let order = match order_number.trim() {
        "" => "（未提供）",
        o => o,
    };
    let mut o = match ticket_type {
        TicketType::Inquiry => inquiry_opening(rng, channel, topic, order),
        TicketType::Suggestion => suggestion_opening(rng, channel, topic),
        TicketType::OrderIssue => order_opening(rng, channel, topic, order),
        TicketType::Complaint | TicketType::AfterSales | TicketType::FaultReport => {
            fault_opening(rng, ticket_type, channel, topic, order)
        }
    };
    o.subject = clip(o.subject.trim().to_owned(), SUBJECT_MAX);
    if o.subject.is_empty() {
        o.subject = format!("{}{}", topic.product.short, topic.problem);
    }
    o.body = clip(o.body.trim().to_owned(), BODY_MAX);
    if o.body.is_empty() {
        o.body = fill("{品名}{问题}，请处理。", topic, order);
    }
    o
}

/// A problem's name as a tag: tags are stored lower-cased, so names with Latin capitals
/// ("显示E4故障代码", "APP连不上") give a broader tag instead.
fn problem_tag(problem: &'static str) -> &'static str {
    if !problem.bytes().any(|b| b.is_ascii_uppercase()) {
        problem
    } else if problem.starts_with("显示") {
        "故障代码"
    } else {
        "联网故障"
    }
}
