//! The typed condition language of triggers (and, later, of views and reports): a list of
//! conditions on ticket fields, stored as JSON, with an in-memory interpreter here and a
//! SQL interpreter for the parts a database can pre-filter (kefu-store builds that one).
//!
//! Conditions name fields by key and compare with an operator; time conditions ask how
//! long something has lasted, in wall hours or in business hours on the ticket's calendar.

use serde::{Deserialize, Serialize};

use crate::ticket::{Priority, StatusCategory, TicketType};

/// What a condition looks at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Type,
    Priority,
    Channel,
    /// The status key (built-in or own).
    Status,
    /// The status category (`pending_customer`, …).
    Category,
    /// A tag: `is` = has it, `is_not` = has it not.
    Tag,
    /// The assignee's user id; `present`/`absent` for assigned or not.
    Assignee,
    /// The group id.
    Group,
    CustomerTier,
    Subject,
    /// A custom field by key.
    Custom(String),
    /// Hours since the ticket last changed.
    HoursSinceUpdate,
    /// Hours since the ticket was opened.
    HoursSinceCreated,
    /// Hours in the current status.
    HoursInStatus,
    /// Business hours in the current status, on the ticket's calendar.
    BusinessHoursInStatus,
}

impl Field {
    /// Whether the field is a duration that only a time trigger can test.
    pub fn is_time(&self) -> bool {
        matches!(
            self,
            Field::HoursSinceUpdate
                | Field::HoursSinceCreated
                | Field::HoursInStatus
                | Field::BusinessHoursInStatus
        )
    }

    pub fn key(&self) -> String {
        match self {
            Field::Custom(k) => format!("custom:{k}"),
            other => serde_json::to_value(other)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
        }
    }

    /// Reads a key written by [`Field::key`].
    pub fn parse(s: &str) -> Option<Field> {
        if let Some(k) = s.strip_prefix("custom:") {
            return Some(Field::Custom(k.to_owned()));
        }
        serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
    }
}

/// How a condition compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Is,
    IsNot,
    Contains,
    NotContains,
    /// The field has a value.
    Present,
    /// The field has no value.
    Absent,
    /// The field changed in this update (update triggers only).
    Changed,
    /// At least this many hours (time fields).
    AtLeast,
}

impl Op {
    pub const ALL: [Op; 8] = [
        Op::Is,
        Op::IsNot,
        Op::Contains,
        Op::NotContains,
        Op::Present,
        Op::Absent,
        Op::Changed,
        Op::AtLeast,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Op::Is => "is",
            Op::IsNot => "is_not",
            Op::Contains => "contains",
            Op::NotContains => "not_contains",
            Op::Present => "present",
            Op::Absent => "absent",
            Op::Changed => "changed",
            Op::AtLeast => "at_least",
        }
    }

    pub fn parse(s: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|o| o.key() == s)
    }
}

/// One condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    pub field: Field,
    pub op: Op,
    #[serde(default)]
    pub value: String,
}

/// Why a condition cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConditionError {
    #[error("condition on {field}: operator {op} does not apply")]
    BadOperator { field: String, op: &'static str },
    #[error("condition on {field}: value {value:?} is not valid")]
    BadValue { field: String, value: String },
    #[error("custom field {0:?} does not exist or is retired")]
    UnknownField(String),
    #[error("time conditions belong to time triggers")]
    TimeOutsideTimeTrigger,
    #[error("a time trigger needs at least one time condition")]
    TimeTriggerWithoutTime,
}

/// What the conditions are checked against.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub ticket_type: Option<TicketType>,
    pub priority: Option<Priority>,
    pub channel: String,
    pub status: String,
    pub category: Option<StatusCategory>,
    pub tags: Vec<String>,
    pub assignee_id: Option<i64>,
    pub group_id: Option<i64>,
    pub customer_tier: Option<String>,
    pub subject: String,
    /// Custom field values by key.
    pub fields: Vec<(String, String)>,
    /// Field keys (as [`Field::key`]) changed in this update.
    pub changed: Vec<String>,
    pub hours_since_update: f64,
    pub hours_since_created: f64,
    pub hours_in_status: f64,
    pub business_hours_in_status: f64,
}

fn bad_op(c: &Condition) -> ConditionError {
    ConditionError::BadOperator {
        field: c.field.key(),
        op: c.op.key(),
    }
}

fn bad_value(c: &Condition) -> ConditionError {
    ConditionError::BadValue {
        field: c.field.key(),
        value: c.value.clone(),
    }
}

/// Checks a condition when a trigger is saved: operator fits the field, value parses,
/// custom fields exist (`custom_fields` are the active keys).
pub fn check(c: &Condition, custom_fields: &[String]) -> Result<(), ConditionError> {
    use Op::*;
    if c.field.is_time() {
        if c.op != AtLeast {
            return Err(bad_op(c));
        }
        return match c.value.trim().parse::<f64>() {
            Ok(h) if h.is_finite() && h >= 0.0 => Ok(()),
            _ => Err(bad_value(c)),
        };
    }
    if c.op == AtLeast {
        return Err(bad_op(c));
    }
    if let Field::Custom(k) = &c.field
        && !custom_fields.contains(k)
    {
        return Err(ConditionError::UnknownField(k.clone()));
    }
    let needs_value = matches!(c.op, Is | IsNot | Contains | NotContains);
    if needs_value && c.value.trim().is_empty() {
        return Err(bad_value(c));
    }
    if matches!(c.op, Contains | NotContains)
        && !matches!(c.field, Field::Subject | Field::Custom(_))
    {
        return Err(bad_op(c));
    }
    if matches!(c.op, Is | IsNot) {
        let ok = match &c.field {
            Field::Type => c.value.parse::<TicketType>().is_ok(),
            Field::Priority => c.value.parse::<Priority>().is_ok(),
            Field::Category => c.value.parse::<StatusCategory>().is_ok(),
            Field::Assignee | Field::Group => c.value.trim().parse::<i64>().is_ok(),
            _ => true,
        };
        if !ok {
            return Err(bad_value(c));
        }
    }
    Ok(())
}

/// Whether the ticket described by `f` meets the condition.
pub fn holds(c: &Condition, f: &Facts) -> bool {
    use Op::*;
    let v = c.value.trim();
    if c.op == Changed {
        return f.changed.contains(&c.field.key());
    }
    let hours = match c.field {
        Field::HoursSinceUpdate => Some(f.hours_since_update),
        Field::HoursSinceCreated => Some(f.hours_since_created),
        Field::HoursInStatus => Some(f.hours_in_status),
        Field::BusinessHoursInStatus => Some(f.business_hours_in_status),
        _ => None,
    };
    if let Some(h) = hours {
        return c.op == AtLeast && v.parse::<f64>().is_ok_and(|n| h >= n);
    }
    let value: Option<String> = match &c.field {
        Field::Type => f.ticket_type.map(|t| t.key().to_owned()),
        Field::Priority => f.priority.map(|p| p.key().to_owned()),
        Field::Channel => Some(f.channel.clone()),
        Field::Status => Some(f.status.clone()),
        Field::Category => f.category.map(|c| c.key().to_owned()),
        Field::Assignee => f.assignee_id.map(|a| a.to_string()),
        Field::Group => f.group_id.map(|g| g.to_string()),
        Field::CustomerTier => f.customer_tier.clone(),
        Field::Subject => Some(f.subject.clone()),
        Field::Custom(k) => f
            .fields
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone()),
        Field::Tag => {
            let has = f.tags.iter().any(|t| t == &v.to_lowercase());
            return match c.op {
                Is => has,
                IsNot => !has,
                Present => !f.tags.is_empty(),
                Absent => f.tags.is_empty(),
                _ => false,
            };
        }
        _ => None,
    };
    let value = value.filter(|s| !s.is_empty());
    match c.op {
        Is => value.as_deref() == Some(v),
        IsNot => value.as_deref() != Some(v),
        Contains => value.is_some_and(|s| s.to_lowercase().contains(&v.to_lowercase())),
        NotContains => !value.is_some_and(|s| s.to_lowercase().contains(&v.to_lowercase())),
        Present => value.is_some(),
        Absent => value.is_none(),
        Changed | AtLeast => false,
    }
}

/// Whether every condition holds (an empty list always holds).
pub fn all_hold(conditions: &[Condition], f: &Facts) -> bool {
    conditions.iter().all(|c| holds(c, f))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(field: Field, op: Op, value: &str) -> Condition {
        Condition {
            field,
            op,
            value: value.into(),
        }
    }

    fn facts() -> Facts {
        Facts {
            ticket_type: Some(TicketType::Complaint),
            priority: Some(Priority::High),
            channel: "phone".into(),
            status: "open".into(),
            category: Some(StatusCategory::Open),
            tags: vec!["vip".into()],
            assignee_id: None,
            group_id: Some(3),
            customer_tier: Some("key_account".into()),
            subject: "产品存在质量问题".into(),
            fields: vec![("region".into(), "华东".into())],
            changed: vec!["priority".into()],
            hours_in_status: 80.0,
            business_hours_in_status: 20.0,
            ..Facts::default()
        }
    }

    #[test]
    fn conditions_read_the_ticket() {
        let f = facts();
        assert!(holds(&cond(Field::Type, Op::Is, "complaint"), &f));
        assert!(holds(&cond(Field::Priority, Op::IsNot, "low"), &f));
        assert!(holds(&cond(Field::Tag, Op::Is, "VIP"), &f));
        assert!(holds(&cond(Field::Assignee, Op::Absent, ""), &f));
        assert!(holds(&cond(Field::Subject, Op::Contains, "质量问题"), &f));
        assert!(holds(
            &cond(Field::Custom("region".into()), Op::Is, "华东"),
            &f
        ));
        assert!(holds(&cond(Field::Priority, Op::Changed, ""), &f));
        assert!(!holds(&cond(Field::Status, Op::Changed, ""), &f));
        assert!(holds(
            &cond(Field::BusinessHoursInStatus, Op::AtLeast, "19.5"),
            &f
        ));
        assert!(!holds(
            &cond(Field::BusinessHoursInStatus, Op::AtLeast, "24"),
            &f
        ));
        assert!(all_hold(&[], &f));
    }

    #[test]
    fn bad_conditions_are_caught_when_saved() {
        let known = vec!["region".to_owned()];
        assert!(check(&cond(Field::Type, Op::Is, "complaint"), &known).is_ok());
        assert!(matches!(
            check(&cond(Field::Type, Op::Is, "praise"), &known),
            Err(ConditionError::BadValue { .. })
        ));
        assert!(matches!(
            check(&cond(Field::Priority, Op::Contains, "h"), &known),
            Err(ConditionError::BadOperator { .. })
        ));
        assert_eq!(
            check(&cond(Field::Custom("colour".into()), Op::Is, "red"), &known),
            Err(ConditionError::UnknownField("colour".into()))
        );
        assert!(check(&cond(Field::HoursInStatus, Op::Is, "3"), &known).is_err());
        assert!(check(&cond(Field::HoursInStatus, Op::AtLeast, "-1"), &known).is_err());
    }

    #[test]
    fn field_keys_round_trip() {
        for f in [
            Field::Type,
            Field::BusinessHoursInStatus,
            Field::Custom("order_no".into()),
        ] {
            assert_eq!(Field::parse(&f.key()), Some(f));
        }
        let json = serde_json::to_string(&cond(Field::Custom("x".into()), Op::Is, "1")).unwrap();
        assert_eq!(json, r#"{"field":{"custom":"x"},"op":"is","value":"1"}"#);
    }
}
