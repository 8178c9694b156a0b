//! What text from outside may hold, and how the keys of closed sets are named in input.
//!
//! One rule for every edge where text enters (forms, the API, query strings, imports,
//! channels) and for both backends: PostgreSQL refuses a NUL in text while SQLite stores
//! it, so a control character left to the store would be an error on one backend and
//! invisible dirt on the other. The edges refuse it instead, naming the field.
//!
//! [`Keyed`] lets an edge answer an unknown key (`"priority": "ultra"`) with the keys that
//! are allowed, for every enum of named values alike.

use crate::kb::ScriptStatus;
use crate::staff::{Department, Locale, Role, StaffLevel};

/// Whether `c` may not appear in text kefu accepts: the C0 control characters other than
/// tab, line feed and carriage return, DEL, and the Unicode noncharacters (U+FDD0–U+FDEF and
/// the last two code points of every plane, U+FFFE and U+FFFF among them), which are never
/// meant to be exchanged.
pub fn is_forbidden(c: char) -> bool {
    matches!(
        c,
        '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}' | '\u{fdd0}'..='\u{fdef}'
    ) || ((c as u32) & 0xfffe) == 0xfffe
}

/// The first character of `text` that [`is_forbidden`], if any.
pub fn first_forbidden(text: &str) -> Option<char> {
    text.chars().find(|c| is_forbidden(*c))
}

/// `text` with every forbidden character written as an escape (`\0`, `\u{7f}`), so a name
/// that holds one can be shown in an error message.
pub fn escape_forbidden(text: &str) -> String {
    text.chars()
        .map(|c| {
            if is_forbidden(c) {
                c.escape_debug().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// A closed set of values, each named in input by a stable key (a JSON field, a form
/// field, a query parameter): priorities, stages, tiers, roles, …
pub trait Keyed: Sized {
    /// Every key, in the order the values are declared.
    fn keys() -> Vec<&'static str>;

    /// The value `key` names, if any.
    fn from_key(key: &str) -> Option<Self>;
}

impl Keyed for ScriptStatus {
    fn keys() -> Vec<&'static str> {
        [
            ScriptStatus::Proposed,
            ScriptStatus::Approved,
            ScriptStatus::Rejected,
        ]
        .into_iter()
        .map(ScriptStatus::key)
        .collect()
    }

    fn from_key(key: &str) -> Option<Self> {
        ScriptStatus::parse(key)
    }
}

impl Keyed for Role {
    fn keys() -> Vec<&'static str> {
        Role::ALL.into_iter().map(Role::key).collect()
    }

    fn from_key(key: &str) -> Option<Self> {
        key.parse().ok()
    }
}

impl Keyed for Department {
    fn keys() -> Vec<&'static str> {
        Department::ALL.into_iter().map(Department::key).collect()
    }

    fn from_key(key: &str) -> Option<Self> {
        key.parse().ok()
    }
}

impl Keyed for StaffLevel {
    fn keys() -> Vec<&'static str> {
        StaffLevel::ALL.into_iter().map(StaffLevel::key).collect()
    }

    fn from_key(key: &str) -> Option<Self> {
        key.parse().ok()
    }
}

impl Keyed for Locale {
    fn keys() -> Vec<&'static str> {
        Locale::ALL.into_iter().map(Locale::key).collect()
    }

    fn from_key(key: &str) -> Option<Self> {
        key.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::complaint::Stage;
    use crate::ticket::Priority;

    #[test]
    fn controls_and_noncharacters_are_forbidden_tab_and_newlines_are_not() {
        for c in [
            '\0', '\u{1}', '\u{8}', '\u{b}', '\u{c}', '\u{1b}', '\u{1f}', '\u{7f}',
        ] {
            assert!(is_forbidden(c), "{c:?}");
        }
        for c in [
            '\u{fdd0}',
            '\u{fdef}',
            '\u{fffe}',
            '\u{ffff}',
            '\u{1fffe}',
            '\u{10ffff}',
        ] {
            assert!(is_forbidden(c), "{c:?}");
        }
        for c in [
            '\t', '\n', '\r', ' ', 'a', '工', '\u{a0}', '\u{fffd}', '\u{fdcf}', '😀',
        ] {
            assert!(!is_forbidden(c), "{c:?}");
        }
        assert_eq!(first_forbidden("工单\u{7}标题"), Some('\u{7}'));
        assert_eq!(first_forbidden("第一行\r\n第二行\t完"), None);
        assert_eq!(escape_forbidden("a\0b工"), "a\\0b工");
    }

    #[test]
    fn keyed_enums_list_their_keys_and_parse_them_back() {
        assert_eq!(Priority::keys(), ["low", "normal", "high", "urgent"]);
        assert_eq!(Priority::from_key("urgent"), Some(Priority::Urgent));
        assert_eq!(Priority::from_key("ultra"), None);
        assert_eq!(Stage::keys().len(), Stage::ALL.len());
        assert_eq!(ScriptStatus::keys(), ["proposed", "approved", "rejected"]);
        assert_eq!(Locale::from_key("en"), Some(Locale::En));
        assert!(Role::keys().contains(&"agent"));
    }
}
