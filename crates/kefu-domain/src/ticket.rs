//! 工单 — tickets: the one work item behind every inquiry, complaint, suggestion, after-sales
//! request, fault report and order issue, whatever channel it came in on.
//!
//! This module holds the ticket's vocabulary (types, channels, priorities, status
//! categories), the rules for moving between statuses, the human ticket number, and the
//! validation of admin-defined custom fields.

use jiff::civil::Date;

/// A key that names no known value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown value {0:?}")]
pub struct UnknownKey(pub String);

keyed! {
    /// 工单类型 — what the customer wants.
    TicketType {
        /// 咨询
        Inquiry = "inquiry",
        /// 投诉
        Complaint = "complaint",
        /// 建议
        Suggestion = "suggestion",
        /// 售后
        AfterSales = "after_sales",
        /// 故障申报
        FaultReport = "fault_report",
        /// 订单问题
        OrderIssue = "order_issue",
    }
}

keyed! {
    /// 渠道 — where the request came from.
    Channel {
        /// The public web form.
        WebForm = "web_form",
        /// The customer portal.
        Portal = "portal",
        Email = "email",
        Chat = "chat",
        Phone = "phone",
        Sms = "sms",
        Wechat = "wechat",
        /// Another system through the JSON API.
        Api = "api",
        /// Entered by staff on the customer's behalf (walk-in, visit, letter).
        Staff = "staff",
    }
}

keyed! {
    /// 优先级
    Priority {
        Low = "low",
        Normal = "normal",
        High = "high",
        Urgent = "urgent",
    }
}

keyed! {
    /// The fixed meaning behind every status. Admins may add statuses of their own, but each
    /// maps to one of these, so SLA clocks, queues and reports keep working.
    StatusCategory {
        /// 新建 — not yet looked at.
        New = "new",
        /// 处理中
        Open = "open",
        /// 待客户回复 — the SLA clock pauses.
        PendingCustomer = "pending_customer",
        /// 待内部处理 — waiting for another department.
        PendingInternal = "pending_internal",
        /// 已解决
        Resolved = "resolved",
        /// 已关闭
        Closed = "closed",
    }
}

impl StatusCategory {
    /// Whether work on the ticket is still expected.
    pub fn is_active(self) -> bool {
        !matches!(self, StatusCategory::Resolved | StatusCategory::Closed)
    }

    /// Whether the resolution clock runs in this category.
    pub fn sla_clock_runs(self) -> bool {
        self.is_active() && self != StatusCategory::PendingCustomer
    }

    /// Whether a ticket may move from a status of this category to one of `to`.
    pub fn can_move_to(self, to: StatusCategory) -> bool {
        use StatusCategory::*;
        match (self, to) {
            // Nothing goes back to "new": it means nobody has touched the ticket.
            (_, New) => false,
            (New | Open | PendingCustomer | PendingInternal, _) => true,
            // A resolved ticket is reopened or finally closed.
            (Resolved, Open | PendingCustomer | PendingInternal | Closed) => true,
            (Resolved, Resolved) => true,
            // A closed ticket is only ever reopened.
            (Closed, Open) => true,
            (Closed, _) => false,
        }
    }
}

/// Why a ticket may not change as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TicketRuleError {
    #[error("a ticket cannot move from {from} to {to}")]
    InvalidTransition {
        from: StatusCategory,
        to: StatusCategory,
    },
    #[error("the subject must be 1–200 characters")]
    BadSubject,
    #[error("the message must be 1–50000 characters")]
    BadBody,
    #[error("tag {0:?} must be 1–32 characters without spaces or commas")]
    BadTag(String),
    #[error("field {field}: {problem:?}")]
    BadFieldValue {
        field: String,
        problem: FieldProblem,
    },
    #[error("field key {0:?} must be 1–40 lowercase letters, digits or _")]
    BadFieldKey(String),
    #[error("a choice field needs at least one option")]
    NoChoices,
}

/// What is wrong with a custom field value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldProblem {
    TextTooLong,
    NotANumber,
    NotADate,
    /// A date outside [`crate::dates::MIN_DATE`]..=[`crate::dates::MAX_DATE`].
    DateOutOfRange,
    NotAChoice,
}

impl FieldProblem {
    pub fn key(self) -> &'static str {
        match self {
            FieldProblem::TextTooLong => "text_too_long",
            FieldProblem::NotANumber => "not_a_number",
            FieldProblem::NotADate => "not_a_date",
            FieldProblem::DateOutOfRange => "date_out_of_range",
            FieldProblem::NotAChoice => "not_a_choice",
        }
    }
}

/// Checks a move between two status categories.
pub fn check_transition(from: StatusCategory, to: StatusCategory) -> Result<(), TicketRuleError> {
    if from.can_move_to(to) {
        Ok(())
    } else {
        Err(TicketRuleError::InvalidTransition { from, to })
    }
}

/// The human ticket number, `KF<yyyymmdd>-<seq>`, from the local date of creation and the
/// day's sequence (at least four digits).
pub fn ticket_number(date: Date, seq: i64) -> String {
    format!(
        "KF{:04}{:02}{:02}-{:04}",
        date.year(),
        date.month(),
        date.day(),
        seq
    )
}

pub const SUBJECT_MAX: usize = 200;
pub const BODY_MAX: usize = 50_000;

/// A trimmed subject of 1–200 characters.
pub fn clean_subject(subject: &str) -> Result<String, TicketRuleError> {
    let s = subject.trim();
    let n = s.chars().count();
    if n == 0 || n > SUBJECT_MAX {
        return Err(TicketRuleError::BadSubject);
    }
    Ok(s.to_owned())
}

/// A message body with surrounding blank space removed, 1–50 000 characters.
pub fn clean_body(body: &str) -> Result<String, TicketRuleError> {
    let s = body.trim();
    let n = s.chars().count();
    if n == 0 || n > BODY_MAX {
        return Err(TicketRuleError::BadBody);
    }
    Ok(s.to_owned())
}

/// Tags from free text: split on commas (ASCII or full-width) and white space, deduplicated,
/// lower-cased for Latin letters, order kept.
pub fn clean_tags(text: &str) -> Result<Vec<String>, TicketRuleError> {
    let mut out: Vec<String> = Vec::new();
    for raw in text.split(|c: char| c == ',' || c == '，' || c == '、' || c.is_whitespace()) {
        let tag = raw.trim().to_lowercase();
        if tag.is_empty() {
            continue;
        }
        if tag.chars().count() > 32 {
            return Err(TicketRuleError::BadTag(tag));
        }
        if !out.contains(&tag) {
            out.push(tag);
        }
    }
    Ok(out)
}

keyed! {
    /// The kind of value an admin-defined custom field holds.
    FieldKind {
        Text = "text",
        Number = "number",
        Date = "date",
        Choice = "choice",
    }
}

/// An admin-defined custom field, as the rules need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDefinition {
    pub key: String,
    pub kind: FieldKind,
    /// The allowed values of a choice field.
    pub options: Vec<String>,
}

/// A field key: 1–40 characters of `a-z`, `0-9`, `_`, starting with a letter.
pub fn check_field_key(key: &str) -> Result<(), TicketRuleError> {
    let ok = (1..=40).contains(&key.len())
        && key.starts_with(|c: char| c.is_ascii_lowercase())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(TicketRuleError::BadFieldKey(key.to_owned()))
    }
}

impl FieldDefinition {
    /// The stored form of `value` (trimmed; numbers normalised; dates as YYYY-MM-DD), or
    /// why it does not fit. An empty value clears the field and is always allowed.
    pub fn normalise(&self, value: &str) -> Result<Option<String>, TicketRuleError> {
        let v = value.trim();
        if v.is_empty() {
            return Ok(None);
        }
        let bad = |problem| TicketRuleError::BadFieldValue {
            field: self.key.clone(),
            problem,
        };
        match self.kind {
            FieldKind::Text => {
                if v.chars().count() > 1000 {
                    return Err(bad(FieldProblem::TextTooLong));
                }
                Ok(Some(v.to_owned()))
            }
            FieldKind::Number => {
                let n: f64 = v.parse().map_err(|_| bad(FieldProblem::NotANumber))?;
                if !n.is_finite() {
                    return Err(bad(FieldProblem::NotANumber));
                }
                Ok(Some(v.to_owned()))
            }
            FieldKind::Date => {
                let d = crate::dates::parse(&self.key, v).map_err(|e| match e {
                    crate::dates::DateError::NotADate { .. } => bad(FieldProblem::NotADate),
                    _ => bad(FieldProblem::DateOutOfRange),
                })?;
                Ok(Some(d.to_string()))
            }
            FieldKind::Choice => {
                if self.options.iter().any(|o| o == v) {
                    Ok(Some(v.to_owned()))
                } else {
                    Err(bad(FieldProblem::NotAChoice))
                }
            }
        }
    }
}

keyed! {
    /// 派单规则 — how a group hands out new tickets.
    AssignmentRule {
        /// Someone assigns by hand.
        Manual = "manual",
        /// 轮流 — each on-shift member in turn.
        RoundRobin = "round_robin",
        /// 最少未结 — the on-shift member with the fewest open tickets.
        LeastOpen = "least_open",
    }
}

/// Picks the agent for a new ticket. `candidates` are the on-shift members able to work
/// tickets, sorted by id; `last` got the previous ticket; `open` counts open tickets per
/// member (absent = none). Ties under least-open go round-robin, so load spreads evenly.
pub fn pick_assignee(
    rule: AssignmentRule,
    candidates: &[i64],
    last: Option<i64>,
    open: &[(i64, i64)],
) -> Option<i64> {
    if candidates.is_empty() || rule == AssignmentRule::Manual {
        return None;
    }
    // Candidates in turn order: those after `last` first, then from the start.
    let split = last
        .map(|l| candidates.partition_point(|c| *c <= l))
        .unwrap_or(0);
    let turn = candidates[split..].iter().chain(&candidates[..split]);
    match rule {
        AssignmentRule::RoundRobin => turn.copied().next(),
        AssignmentRule::LeastOpen => {
            let count = |id: i64| open.iter().find(|(u, _)| *u == id).map_or(0, |(_, n)| *n);
            // min_by_key keeps the first of equal keys, which is the next in turn.
            turn.copied().min_by_key(|id| count(*id))
        }
        AssignmentRule::Manual => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_robin_takes_turns_and_wraps() {
        let c = [3, 5, 9];
        let rr = AssignmentRule::RoundRobin;
        assert_eq!(pick_assignee(rr, &c, None, &[]), Some(3));
        assert_eq!(pick_assignee(rr, &c, Some(3), &[]), Some(5));
        assert_eq!(pick_assignee(rr, &c, Some(9), &[]), Some(3));
        // The last one went off shift: the turn goes to the next id after them.
        assert_eq!(pick_assignee(rr, &c, Some(6), &[]), Some(9));
        assert_eq!(pick_assignee(rr, &[], None, &[]), None);
        assert_eq!(pick_assignee(AssignmentRule::Manual, &c, None, &[]), None);
    }

    #[test]
    fn least_open_prefers_the_lightest_load_then_turn_order() {
        let c = [3, 5, 9];
        let lo = AssignmentRule::LeastOpen;
        assert_eq!(
            pick_assignee(lo, &c, None, &[(3, 4), (5, 1), (9, 2)]),
            Some(5)
        );
        // 3 and 9 both have none: 9 comes first in turn after 5.
        assert_eq!(pick_assignee(lo, &c, Some(5), &[(5, 1)]), Some(9));
    }

    #[test]
    fn keys_round_trip() {
        for t in TicketType::ALL {
            assert_eq!(t.key().parse::<TicketType>().unwrap(), *t);
        }
        for c in Channel::ALL {
            assert_eq!(c.key().parse::<Channel>().unwrap(), *c);
        }
        assert!("phoned".parse::<Channel>().is_err());
    }

    #[test]
    fn transitions_follow_the_lifecycle() {
        use StatusCategory::*;
        assert!(check_transition(New, Open).is_ok());
        assert!(check_transition(Open, PendingCustomer).is_ok());
        assert!(check_transition(Resolved, Open).is_ok());
        assert!(check_transition(Closed, Open).is_ok());
        assert_eq!(
            check_transition(Closed, Resolved),
            Err(TicketRuleError::InvalidTransition {
                from: Closed,
                to: Resolved
            })
        );
        for from in StatusCategory::ALL {
            assert!(!from.can_move_to(New), "{from} → new");
        }
    }

    #[test]
    fn sla_clock_pauses_only_while_waiting_for_the_customer() {
        assert!(StatusCategory::Open.sla_clock_runs());
        assert!(StatusCategory::PendingInternal.sla_clock_runs());
        assert!(!StatusCategory::PendingCustomer.sla_clock_runs());
        assert!(!StatusCategory::Resolved.sla_clock_runs());
    }

    #[test]
    fn numbers_have_the_date_and_a_padded_sequence() {
        let d: Date = "2026-11-22".parse().unwrap();
        assert_eq!(ticket_number(d, 1), "KF20261122-0001");
        assert_eq!(ticket_number(d, 12345), "KF20261122-12345");
    }

    #[test]
    fn subjects_bodies_and_tags_are_cleaned() {
        assert_eq!(clean_subject("  退货申请 ").unwrap(), "退货申请");
        assert!(clean_subject("   ").is_err());
        assert!(clean_subject(&"长".repeat(201)).is_err());
        assert!(clean_body("").is_err());
        assert_eq!(
            clean_tags("VIP，退货、 加急 vip").unwrap(),
            vec!["vip", "退货", "加急"]
        );
        assert!(clean_tags(&"x".repeat(33)).is_err());
    }

    #[test]
    fn custom_field_values_are_checked_by_kind() {
        let def = |kind, options: &[&str]| FieldDefinition {
            key: "f".into(),
            kind,
            options: options.iter().map(|s| s.to_string()).collect(),
        };
        assert_eq!(
            def(FieldKind::Number, &[]).normalise(" 12.5 ").unwrap(),
            Some("12.5".into())
        );
        assert!(def(FieldKind::Number, &[]).normalise("十二").is_err());
        assert!(def(FieldKind::Number, &[]).normalise("NaN").is_err());
        assert_eq!(
            def(FieldKind::Date, &[]).normalise("2026-11-22").unwrap(),
            Some("2026-11-22".into())
        );
        assert!(def(FieldKind::Date, &[]).normalise("2026-02-30").is_err());
        assert_eq!(
            def(FieldKind::Date, &[]).normalise("9999-12-31"),
            Err(TicketRuleError::BadFieldValue {
                field: "f".into(),
                problem: FieldProblem::DateOutOfRange
            })
        );
        assert!(
            def(FieldKind::Choice, &["华东", "华南"])
                .normalise("华北")
                .is_err()
        );
        assert_eq!(
            def(FieldKind::Choice, &["华东"]).normalise("").unwrap(),
            None
        );
        assert!(check_field_key("order_no").is_ok());
        assert!(check_field_key("Order").is_err());
        assert!(check_field_key("1x").is_err());
    }
}
