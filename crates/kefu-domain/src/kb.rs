//! 话术库 — reply scripts: canned replies with placeholders, agreed by the department
//! (seed 001 篇6–7: the standard answers agents use), and macros that also set fields.
//! Agents propose scripts; a manager approves them before anyone can use them.

use serde::{Deserialize, Serialize};

use crate::ticket::{Priority, TicketType};

/// Where a script stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScriptStatus {
    /// 待审核 — proposed by an agent, not yet usable.
    Proposed,
    /// 已启用 — approved; offered while composing.
    Approved,
    /// 已驳回
    Rejected,
}

impl ScriptStatus {
    pub fn key(self) -> &'static str {
        match self {
            ScriptStatus::Proposed => "proposed",
            ScriptStatus::Approved => "approved",
            ScriptStatus::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<ScriptStatus> {
        match s {
            "proposed" => Some(ScriptStatus::Proposed),
            "approved" => Some(ScriptStatus::Approved),
            "rejected" => Some(ScriptStatus::Rejected),
            _ => None,
        }
    }
}

/// What a macro does to the ticket besides filling the reply box.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MacroActions {
    /// A status key to move to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket_type: Option<TicketType>,
    /// Tags added to those already there.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub add_tags: Vec<String>,
    /// Assign the ticket to whoever applies the macro.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub assign_to_me: bool,
}

impl MacroActions {
    pub fn is_empty(&self) -> bool {
        *self == MacroActions::default()
    }
}

/// The values placeholders stand for.
#[derive(Debug, Clone, Default)]
pub struct ScriptValues {
    pub customer_name: String,
    pub ticket_number: String,
    pub agent_name: String,
    /// The running SLA deadline as people read it, or empty.
    pub due_date: String,
}

/// The placeholders a script may use, each in English and in Chinese.
pub const PLACEHOLDERS: [(&str, &str); 4] = [
    ("customer_name", "客户名称"),
    ("ticket_number", "工单号"),
    ("agent_name", "客服姓名"),
    ("due_date", "到期时间"),
];

/// Fills `{customer_name}` / `{客户名称}` and the others; anything else in braces stays as
/// written, so a script never loses text.
pub fn render(body: &str, v: &ScriptValues) -> String {
    let mut out = body.to_owned();
    for (en, zh) in PLACEHOLDERS {
        let value = match en {
            "customer_name" => &v.customer_name,
            "ticket_number" => &v.ticket_number,
            "agent_name" => &v.agent_name,
            _ => &v.due_date,
        };
        out = out
            .replace(&format!("{{{en}}}"), value)
            .replace(&format!("{{{zh}}}"), value);
    }
    out
}

/// Why a script is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScriptError {
    #[error("the title must be 1–100 characters")]
    BadTitle,
    #[error("the text must be 1–5000 characters")]
    BadBody,
    #[error("the category must be 1–40 characters")]
    BadCategory,
}

pub fn check(category: &str, title: &str, body: &str) -> Result<(), ScriptError> {
    let len = |s: &str| s.trim().chars().count();
    if !(1..=40).contains(&len(category)) {
        return Err(ScriptError::BadCategory);
    }
    if !(1..=100).contains(&len(title)) {
        return Err(ScriptError::BadTitle);
    }
    if !(1..=5000).contains(&len(body)) {
        return Err(ScriptError::BadBody);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_fill_in_both_languages() {
        let v = ScriptValues {
            customer_name: "王先生".into(),
            ticket_number: "KF20261126-0001".into(),
            agent_name: "小李".into(),
            due_date: "2026-11-27 18:00".into(),
        };
        assert_eq!(
            render(
                "{客户名称}您好，我是{agent_name}，工单 {工单号} 将于 {due_date} 前答复。{unknown}",
                &v
            ),
            "王先生您好，我是小李，工单 KF20261126-0001 将于 2026-11-27 18:00 前答复。{unknown}"
        );
    }

    #[test]
    fn macro_actions_round_trip_as_json() {
        let m = MacroActions {
            status: Some("pending_customer".into()),
            priority: Some(Priority::High),
            add_tags: vec!["退货".into()],
            ..Default::default()
        };
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(
            json,
            r#"{"status":"pending_customer","priority":"high","add_tags":["退货"]}"#
        );
        assert_eq!(serde_json::from_str::<MacroActions>(&json).unwrap(), m);
        assert!(
            serde_json::from_str::<MacroActions>("{}")
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn scripts_are_checked() {
        assert!(check("售后", "退货流程", "请提供订单号").is_ok());
        assert_eq!(check("", "t", "b"), Err(ScriptError::BadCategory));
        assert_eq!(check("c", "", "b"), Err(ScriptError::BadTitle));
        assert_eq!(check("c", "t", "   "), Err(ScriptError::BadBody));
    }
}
