//! 版本 — editable records (tickets, customers) carry a version that every write moves on.
//! A write made against a version that is no longer the stored one is refused, never merged
//! silently: the API answers 412 (`If-Match`), and a page form sent from an older version
//! is weighed field by field here before anything is written.
//!
//! The rule for a form sent against an older version, per field:
//!
//! - a field the reader did not change (sent = shown) is not written: whatever is stored
//!   now — another person's change included — stands;
//! - a field only the reader changed (shown = current) is written onto the current version:
//!   two people changing different fields is not a conflict;
//! - a field both changed (sent ≠ shown and current ≠ shown) clashes unless both chose the
//!   same value: then nothing at all is written, and the form comes back naming the other
//!   person's values, with the reader's input kept for them to decide.

/// One field of a form sent against an older version of its record, each value as the form
/// carries it (a select's key, a list joined as the form shows it, a masked number).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSeen<'a> {
    pub key: &'a str,
    /// The value the form was rendered with.
    pub shown: &'a str,
    /// The value the reader sent.
    pub sent: &'a str,
    /// The value the record holds now.
    pub current: &'a str,
}

/// How a form's fields stand against the record as it is now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reconciled {
    /// Fields the reader changed (sent ≠ shown): the only ones to write.
    pub mine: Vec<String>,
    /// Fields someone else changed since the form was shown (current ≠ shown).
    pub theirs: Vec<String>,
    /// Fields both changed, to different values: nothing may be written.
    pub clashes: Vec<String>,
}

impl Reconciled {
    /// Whether the reader's changes may be written onto the current version.
    pub fn can_apply(&self) -> bool {
        self.clashes.is_empty()
    }
}

/// Weighs a form's fields by the rule of this module.
pub fn reconcile<'a>(fields: impl IntoIterator<Item = FieldSeen<'a>>) -> Reconciled {
    let mut out = Reconciled::default();
    for f in fields {
        let mine = f.sent != f.shown;
        let theirs = f.current != f.shown;
        if mine {
            out.mine.push(f.key.to_owned());
        }
        if theirs {
            out.theirs.push(f.key.to_owned());
        }
        if mine && theirs && f.sent != f.current {
            out.clashes.push(f.key.to_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen<'a>(key: &'a str, shown: &'a str, sent: &'a str, current: &'a str) -> FieldSeen<'a> {
        FieldSeen {
            key,
            shown,
            sent,
            current,
        }
    }

    #[test]
    fn different_fields_do_not_clash() {
        // The manager raised the priority and tagged the ticket; the agent only assigned it.
        let r = reconcile([
            seen("priority", "normal", "normal", "urgent"),
            seen("tags", "", "", "vip"),
            seen("assignee", "", "7", ""),
        ]);
        assert!(r.can_apply());
        assert_eq!(r.mine, ["assignee"]);
        assert_eq!(r.theirs, ["priority", "tags"]);
    }

    #[test]
    fn the_same_field_changed_twice_clashes() {
        let r = reconcile([
            seen("priority", "normal", "high", "urgent"),
            seen("assignee", "", "7", ""),
        ]);
        assert!(!r.can_apply());
        assert_eq!(r.clashes, ["priority"]);
        assert_eq!(r.mine, ["priority", "assignee"]);
    }

    #[test]
    fn both_choosing_the_same_value_is_no_clash() {
        let r = reconcile([seen("status", "open", "resolved", "resolved")]);
        assert!(r.can_apply());
        assert_eq!(r.mine, ["status"]);
        assert_eq!(r.theirs, ["status"]);
    }

    #[test]
    fn an_untouched_form_changes_nothing() {
        let r = reconcile([seen("priority", "normal", "normal", "urgent")]);
        assert!(r.mine.is_empty());
        assert!(r.can_apply());
    }
}
