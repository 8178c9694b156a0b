//! 触发器 — automation: when a ticket is created, changed, or has waited long enough, and
//! its conditions hold, actions run (assign, set fields, tag, notify, reply with a script,
//! escalate). A trigger's own changes never fire triggers again, so loops cannot happen.

use serde::{Deserialize, Serialize};

use crate::condition::{self, Condition, ConditionError};
use crate::ticket::{self, Priority, TicketType};

/// When a trigger is considered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TriggerEvent {
    /// 新建时 — right after a ticket is opened, on every channel.
    Create,
    /// 更新时 — after a person or system changes the ticket or writes on it.
    Update,
    /// 定时 — checked periodically, e.g. "waiting for the customer for 3 business days".
    Time,
}

impl TriggerEvent {
    pub const ALL: [TriggerEvent; 3] = [
        TriggerEvent::Create,
        TriggerEvent::Update,
        TriggerEvent::Time,
    ];

    pub fn key(self) -> &'static str {
        match self {
            TriggerEvent::Create => "create",
            TriggerEvent::Update => "update",
            TriggerEvent::Time => "time",
        }
    }

    pub fn parse(s: &str) -> Option<TriggerEvent> {
        TriggerEvent::ALL.into_iter().find(|e| e.key() == s)
    }
}

/// Who a notification goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recipient {
    Assignee,
    /// The manager of the ticket's group (or every customer service manager).
    GroupManager,
    /// Every member of the ticket's group.
    Group,
}

/// What a trigger does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    SetStatus {
        status: String,
    },
    SetPriority {
        priority: Priority,
    },
    SetType {
        ticket_type: TicketType,
    },
    Assign {
        user_id: i64,
    },
    SetGroup {
        group_id: i64,
    },
    AddTag {
        tag: String,
    },
    RemoveTag {
        tag: String,
    },
    SetField {
        key: String,
        value: String,
    },
    Notify {
        to: Recipient,
        text: String,
    },
    /// A public reply from the script's text, placeholders filled.
    ReplyWithScript {
        script_id: i64,
    },
    /// 升级 — raise the priority one step and tell the group's manager.
    Escalate,
}

impl Action {
    pub fn key(&self) -> &'static str {
        match self {
            Action::SetStatus { .. } => "set_status",
            Action::SetPriority { .. } => "set_priority",
            Action::SetType { .. } => "set_type",
            Action::Assign { .. } => "assign",
            Action::SetGroup { .. } => "set_group",
            Action::AddTag { .. } => "add_tag",
            Action::RemoveTag { .. } => "remove_tag",
            Action::SetField { .. } => "set_field",
            Action::Notify { .. } => "notify",
            Action::ReplyWithScript { .. } => "reply_with_script",
            Action::Escalate => "escalate",
        }
    }
}

/// Why a trigger cannot be saved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TriggerError {
    #[error(transparent)]
    Condition(#[from] ConditionError),
    #[error("a trigger needs at least one action")]
    NoActions,
    #[error("a time trigger needs at least one condition")]
    NoConditions,
    #[error("the name must be 1–80 characters")]
    BadName,
    #[error("action {0}: the value is not valid")]
    BadAction(&'static str),
    #[error("\"changed\" conditions belong to update triggers")]
    ChangedOutsideUpdate,
}

/// Checks a trigger before it is saved. `custom_fields` are the active custom field keys.
pub fn check(
    name: &str,
    event: TriggerEvent,
    conditions: &[Condition],
    actions: &[Action],
    custom_fields: &[String],
) -> Result<(), TriggerError> {
    if !(1..=80).contains(&name.trim().chars().count()) {
        return Err(TriggerError::BadName);
    }
    if actions.is_empty() {
        return Err(TriggerError::NoActions);
    }
    for c in conditions {
        condition::check(c, custom_fields)?;
        if c.field.is_time() && event != TriggerEvent::Time {
            return Err(ConditionError::TimeOutsideTimeTrigger.into());
        }
        if c.op == condition::Op::Changed && event != TriggerEvent::Update {
            return Err(TriggerError::ChangedOutsideUpdate);
        }
    }
    if event == TriggerEvent::Time {
        if conditions.is_empty() {
            return Err(TriggerError::NoConditions);
        }
        if !conditions.iter().any(|c| c.field.is_time()) {
            return Err(ConditionError::TimeTriggerWithoutTime.into());
        }
    }
    for a in actions {
        let ok = match a {
            Action::AddTag { tag } | Action::RemoveTag { tag } => {
                ticket::clean_tags(tag).is_ok_and(|t| t.len() == 1)
            }
            Action::SetField { key, .. } => custom_fields.contains(key),
            Action::Notify { text, .. } => (1..=500).contains(&text.trim().chars().count()),
            Action::SetStatus { status } => !status.trim().is_empty(),
            _ => true,
        };
        if !ok {
            return Err(TriggerError::BadAction(a.key()));
        }
    }
    Ok(())
}

/// One step up: low → normal → high → urgent (urgent stays).
pub fn raised(p: Priority) -> Priority {
    match p {
        Priority::Low => Priority::Normal,
        Priority::Normal => Priority::High,
        Priority::High | Priority::Urgent => Priority::Urgent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::condition::{Field, Op};

    fn c(field: Field, op: Op, value: &str) -> Condition {
        Condition {
            field,
            op,
            value: value.into(),
        }
    }

    #[test]
    fn triggers_are_checked_before_saving() {
        let notify = Action::Notify {
            to: Recipient::GroupManager,
            text: "紧急投诉".into(),
        };
        let ok = check(
            "紧急投诉通知组长",
            TriggerEvent::Create,
            &[c(Field::Type, Op::Is, "complaint")],
            std::slice::from_ref(&notify),
            &[],
        );
        assert!(ok.is_ok());
        assert_eq!(
            check("x", TriggerEvent::Create, &[], &[], &[]),
            Err(TriggerError::NoActions)
        );
        assert_eq!(
            check(
                "x",
                TriggerEvent::Create,
                &[c(Field::HoursInStatus, Op::AtLeast, "3")],
                std::slice::from_ref(&notify),
                &[]
            ),
            Err(TriggerError::Condition(
                ConditionError::TimeOutsideTimeTrigger
            ))
        );
        assert_eq!(
            check(
                "x",
                TriggerEvent::Time,
                &[c(Field::Category, Op::Is, "pending_customer")],
                std::slice::from_ref(&notify),
                &[]
            ),
            Err(TriggerError::Condition(
                ConditionError::TimeTriggerWithoutTime
            ))
        );
        assert_eq!(
            check(
                "x",
                TriggerEvent::Create,
                &[c(Field::Priority, Op::Changed, "")],
                std::slice::from_ref(&notify),
                &[]
            ),
            Err(TriggerError::ChangedOutsideUpdate)
        );
        assert_eq!(
            check(
                "x",
                TriggerEvent::Create,
                &[],
                &[Action::SetField {
                    key: "gone".into(),
                    value: "1".into()
                }],
                &[]
            ),
            Err(TriggerError::BadAction("set_field"))
        );
    }

    #[test]
    fn actions_are_tagged_json() {
        let a = Action::SetPriority {
            priority: Priority::Urgent,
        };
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            r#"{"action":"set_priority","priority":"urgent"}"#
        );
        assert_eq!(
            serde_json::to_string(&Action::Escalate).unwrap(),
            r#"{"action":"escalate"}"#
        );
    }

    #[test]
    fn escalation_raises_one_step() {
        assert_eq!(raised(Priority::Normal), Priority::High);
        assert_eq!(raised(Priority::Urgent), Priority::Urgent);
    }
}
