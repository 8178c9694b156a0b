//! 服务质量异常 — a quality anomaly: opened once per source (a failed inspection, a breached
//! deadline, an unsatisfied follow-up visit, a complaint whose cause is the service) or by
//! hand, numbered `ZL<yyyymmdd>-<seq>`, filed under a service item 服务项目; investigated
//! (调查处理, 000 §(四)2: the cause, who is responsible, the findings) before it may close.

use jiff::civil::Date;

keyed! {
    /// Where an anomaly came from.
    AnomalySource {
        /// A failed inspection.
        Inspection = "inspection",
        /// A ticket's deadline breached.
        SlaBreach = "sla_breach",
        /// A follow-up visit where the customer was unsatisfied.
        FollowUp = "follow_up",
        /// A complaint investigated with cause "service".
        Complaint = "complaint",
        /// Recorded by hand.
        Manual = "manual",
    }
}

keyed! {
    /// How serious an anomaly is.
    AnomalySeverity {
        Minor = "minor",
        Major = "major",
        Critical = "critical",
    }
}

keyed! {
    /// 原因类别 — what an investigation found the cause to be.
    CauseCategory {
        People = "people",
        Process = "process",
        Rules = "rules",
        System = "system",
        Product = "product",
        Customer = "customer",
        Other = "other",
    }
}

keyed! {
    /// Where an anomaly stands.
    AnomalyStatus {
        /// Waiting for its investigation.
        Open = "open",
        /// Investigated; measures may follow.
        Investigated = "investigated",
        Closed = "closed",
    }
}

/// The shipped service items 服务项目 (key, name), in order: the department's services as
/// 000 names them. The list is editable.
pub const DEFAULT_SERVICE_ITEMS: &[(&str, &str)] = &[
    ("phone", "电话受理"),
    ("online", "在线咨询"),
    ("email", "邮件回复"),
    ("complaint", "投诉处理"),
    ("repair", "售后维修"),
    ("return", "退换货"),
    ("order", "订单处理"),
    ("visit", "回访"),
    ("statement", "对账"),
];

/// The longest description, findings or evidence, in characters.
pub const MAX_TEXT: usize = 2000;

/// The service item a conversation on `channel` falls under, by the shipped keys.
pub fn service_item_of_channel(channel: &str) -> &'static str {
    match channel {
        "phone" | "sms" => "phone",
        "email" => "email",
        _ => "online",
    }
}

/// The anomaly number, `ZL<yyyymmdd>-<seq>`, from the local date it was recorded and the
/// day's sequence (at least four digits).
pub fn anomaly_number(date: Date, seq: i64) -> String {
    format!(
        "ZL{:04}{:02}{:02}-{:04}",
        date.year(),
        date.month(),
        date.day(),
        seq
    )
}

/// Why an anomaly step is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnomalyError {
    #[error("an anomaly needs a description")]
    NoDescription,
    #[error("an investigation needs its findings")]
    NoFindings,
    #[error("a text is at most {max} characters")]
    TextTooLong { max: usize },
    #[error("no anomaly closes before it is investigated")]
    NotInvestigated,
    #[error("the anomaly is closed")]
    Closed,
    #[error("unknown service item {0:?}")]
    UnknownServiceItem(String),
    #[error("the occurrence date {0} is in the future")]
    FutureDate(Date),
}

fn bounded(text: &str) -> Result<(), AnomalyError> {
    if text.chars().count() > MAX_TEXT {
        return Err(AnomalyError::TextTooLong { max: MAX_TEXT });
    }
    Ok(())
}

/// A description (and its evidence) fit to record.
pub fn check_description(description: &str, evidence: &str) -> Result<(), AnomalyError> {
    if description.trim().is_empty() {
        return Err(AnomalyError::NoDescription);
    }
    bounded(description)?;
    bounded(evidence)
}

/// Findings fit to record on an anomaly standing at `status`.
pub fn check_investigation(status: AnomalyStatus, findings: &str) -> Result<(), AnomalyError> {
    if status == AnomalyStatus::Closed {
        return Err(AnomalyError::Closed);
    }
    if findings.trim().is_empty() {
        return Err(AnomalyError::NoFindings);
    }
    bounded(findings)
}

/// Whether an anomaly at `status` may close: only once investigated.
pub fn may_close(status: AnomalyStatus) -> Result<(), AnomalyError> {
    match status {
        AnomalyStatus::Investigated => Ok(()),
        AnomalyStatus::Open => Err(AnomalyError::NotInvestigated),
        AnomalyStatus::Closed => Err(AnomalyError::Closed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_like_ticket_numbers() {
        let d: Date = "2026-12-06".parse().unwrap();
        assert_eq!(anomaly_number(d, 1), "ZL20261206-0001");
        assert_eq!(anomaly_number(d, 12345), "ZL20261206-12345");
    }

    #[test]
    fn nothing_closes_uninvestigated() {
        assert_eq!(
            may_close(AnomalyStatus::Open),
            Err(AnomalyError::NotInvestigated)
        );
        assert_eq!(may_close(AnomalyStatus::Investigated), Ok(()));
        assert_eq!(may_close(AnomalyStatus::Closed), Err(AnomalyError::Closed));
        assert_eq!(
            check_investigation(AnomalyStatus::Open, " "),
            Err(AnomalyError::NoFindings)
        );
        assert_eq!(
            check_investigation(AnomalyStatus::Closed, "查明"),
            Err(AnomalyError::Closed)
        );
        assert!(check_investigation(AnomalyStatus::Investigated, "补充").is_ok());
    }

    #[test]
    fn texts_are_bounded_and_channels_map_to_items() {
        assert_eq!(check_description("", ""), Err(AnomalyError::NoDescription));
        assert_eq!(
            check_description(&"长".repeat(2001), ""),
            Err(AnomalyError::TextTooLong { max: MAX_TEXT })
        );
        assert_eq!(service_item_of_channel("phone"), "phone");
        assert_eq!(service_item_of_channel("chat"), "online");
        let keys: Vec<&str> = DEFAULT_SERVICE_ITEMS.iter().map(|(k, _)| *k).collect();
        for ch in ["phone", "email", "chat", "wechat", "portal"] {
            assert!(keys.contains(&service_item_of_channel(ch)));
        }
    }
}
