//! Edit forms of versioned records (tickets, customers): what a form says about the page it
//! was filled in on, so a form sent after someone else changed the record is weighed field
//! by field (the rule is `kefu_domain::version`) instead of writing back every value it
//! showed.
//!
//! Settings forms (groups, SLA policies, calendars, triggers, accounts, reply scripts, the
//! credit model, complaint deadlines) are whole: a form sent from a version no longer stored
//! saves nothing and comes back with 409, the reader's input kept and carrying the current
//! version, above it a [`SettingStale`] notice naming the values stored now where they
//! differ from the reader's. Saving again is the reader's decision on what they now see.
//!
//! A form carries the record's version (`version`) and, for each field, the value it was
//! rendered with (`orig_<field>`), in hidden inputs. Forms without them (older pages,
//! scripts posting a few fields) are taken as they come: every field sent is written.

use kefu_app::AppError;
use kefu_domain::version::{FieldSeen, Reconciled, reconcile};

use super::tickets::{Choice, field};
use crate::i18n::Tr;

/// How many times a form whose changes do not clash is written onto a record that keeps
/// moving before the reader is asked instead.
pub(crate) const ATTEMPTS: usize = 3;

/// What the form was rendered with.
pub(crate) struct Shown {
    /// The record's version when the form was rendered.
    pub version: i64,
    /// (field, value shown), for every field of the form.
    pub values: Vec<(String, String)>,
}

impl Shown {
    /// The version and shown values a form carries; `None` for a form without them.
    pub fn read(pairs: &[(String, String)]) -> Option<Shown> {
        let version = form_version(pairs)?;
        let values = pairs
            .iter()
            .filter_map(|(k, v)| k.strip_prefix("orig_").map(|k| (k.to_owned(), lf(v))))
            .collect();
        Some(Shown { version, values })
    }

    fn value(&self, key: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The fields the reader changed, with the values sent: the only ones to write. A field
    /// the form did not show (none should be) counts as changed.
    pub fn changed(&self, pairs: &[(String, String)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .filter(|(k, _)| !k.starts_with("orig_") && k != "version" && k != "_csrf")
            .filter(|(k, v)| self.value(k) != Some(lf(v).as_str()))
            .cloned()
            .collect()
    }

    /// Weighs the values `sent` against the record's `current` form values, each as the
    /// form carries them.
    pub fn reconcile(&self, sent: &[(String, String)], current: &[(String, String)]) -> Reconciled {
        let fields: Vec<(&str, &str, String, String)> = self
            .values
            .iter()
            .map(|(key, shown)| {
                let sent = lf(field(sent, key));
                let current = lf(field(current, key));
                (key.as_str(), shown.as_str(), sent, current)
            })
            .collect();
        reconcile(fields.iter().map(|(key, shown, sent, current)| FieldSeen {
            key,
            shown,
            sent: sent.as_str(),
            current: current.as_str(),
        }))
    }
}

/// The version a settings form was rendered with (its hidden `version`); `None` for a form
/// without one, which is saved over whatever is stored.
pub(crate) fn form_version(pairs: &[(String, String)]) -> Option<i64> {
    field(pairs, "version").trim().parse().ok()
}

/// The version stored now, when `e` refused a write made against an older one.
pub(crate) fn stale_version(e: &AppError) -> Option<i64> {
    match e {
        AppError::StaleVersion { current, .. } => Some(*current),
        _ => None,
    }
}

/// The reader's input with the version stored now, so the form sent again is made against
/// what the reader now sees.
pub(crate) fn at_version(pairs: &[(String, String)], version: i64) -> Vec<(String, String)> {
    pairs
        .iter()
        .filter(|(k, _)| k != "version")
        .cloned()
        .chain(std::iter::once(("version".to_owned(), version.to_string())))
        .collect()
}

/// 设置已被他人修改 — the notice above a settings form sent from an older version.
pub struct SettingStale {
    pub text: String,
    /// (field label, the value stored now) where it differs from what the reader sent.
    pub changes: Vec<(String, String)>,
}

impl SettingStale {
    /// `sent` and `stored` are one form rendered twice — with the reader's input and with
    /// the stored setting — as (label, value) in the same order, each value as the form
    /// shows it (a select's label, not its key).
    pub fn new(
        t: Tr,
        current: i64,
        sent: Vec<(String, String)>,
        stored: Vec<(String, String)>,
    ) -> SettingStale {
        SettingStale {
            text: t.f(
                "stale.setting_changed",
                &[("version", &current.to_string())],
            ),
            changes: sent
                .into_iter()
                .zip(stored)
                .filter(|((_, mine), (_, now))| mine != now)
                .map(|(_, stored)| stored)
                .collect(),
        }
    }
}

/// A value with its line breaks as LF: a browser sends a textarea's (and every field's)
/// line breaks as CRLF, whatever the page held.
fn lf(v: &str) -> String {
    v.replace("\r\n", "\n")
}

/// The value a select sends untouched: its selected option, else its first.
pub(crate) fn chosen(list: &[Choice]) -> &str {
    list.iter()
        .find(|c| c.selected)
        .or_else(|| list.first())
        .map_or("", |c| c.value.as_str())
}

/// Selects the option with `value` (a reader's choice, shown again).
pub(crate) fn choose(list: &mut [Choice], value: &str) {
    for c in list {
        c.selected = c.value == value;
    }
}

/// The label of a select's selected option.
pub(crate) fn picked(list: &[Choice]) -> Option<String> {
    list.iter().find(|c| c.selected).map(|c| c.label.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn only_the_fields_the_reader_changed_are_sent_on() {
        let form = pairs(&[
            ("_csrf", "x"),
            ("version", "3"),
            ("orig_priority", "normal"),
            ("orig_assignee", ""),
            ("priority", "normal"),
            ("assignee", "7"),
        ]);
        let shown = Shown::read(&form).unwrap();
        assert_eq!(shown.version, 3);
        assert_eq!(shown.changed(&form), pairs(&[("assignee", "7")]));
        let current = pairs(&[("priority", "urgent"), ("assignee", "")]);
        let r = shown.reconcile(&form, &current);
        assert!(r.can_apply());
        assert_eq!(r.theirs, ["priority"]);
    }

    #[test]
    fn a_form_without_a_version_is_taken_as_it_comes() {
        assert!(Shown::read(&pairs(&[("priority", "high")])).is_none());
    }
}
