//! 版本 — the complaint page's forms carry the complaint's version (a hidden `version`), and
//! each step is taken at that version: a step sent from a page the complaint has moved on
//! from (someone else took a step, answered a notice, made a proposal…) is refused, never
//! taken twice or on a stage the reader did not see. The page comes back with 409, a notice
//! naming the stage the complaint is at now, and the form the reader sent shown again with
//! what they typed — carrying the current version, so sending it again is their decision on
//! what they now see.
//!
//! Forms without a version (older pages, scripts posting a few fields) are taken as they
//! come, like an API call without `If-Match`.

use super::field;

/// The fields of the complaint page's forms that a reader types text into, kept when the
/// form comes back (the selects and radios come back at their defaults).
const TYPED: &[&str] = &[
    "comment",
    "customer_message",
    "reason",
    "reply",
    "findings",
    "description",
    "cost",
    "message",
    "script",
    "summary",
    "lessons",
    "measure",
    "amount",
    "answer",
    "note",
];

/// A form sent from a page the complaint moved on from: which form, on which row (a notice,
/// proposal or RMA), and what the reader typed into it.
#[derive(Debug, Clone, Default)]
pub struct Kept {
    /// The form's name: `intake`, `valid`, `invalid`, `investigation`, `propose`,
    /// `decision`, `tell`, `follow_up`, `evaluation`, `penalty`, or a row's `ack`,
    /// `answer`, `review`, `decide`, `rma`, `rma_cancel`.
    pub form: &'static str,
    /// The notice, proposal or RMA of a row's form.
    pub row: Option<i64>,
    /// The text the reader typed, by field.
    pub typed: Vec<(String, String)>,
}

impl Kept {
    /// What a reader sent in `form` (on `row`): its text fields.
    pub(super) fn new(form: &'static str, row: Option<i64>, pairs: &[(String, String)]) -> Kept {
        let typed = pairs
            .iter()
            .filter(|(k, _)| TYPED.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.replace("\r\n", "\n")))
            .collect();
        Kept { form, row, typed }
    }

    /// Whether this is `form` (on `row`, for a row's form).
    pub(super) fn is(&self, form: &str, row: Option<i64>) -> bool {
        self.form == form && self.row == row
    }

    /// What the reader typed into `name`.
    pub(super) fn get(&self, name: &str) -> &str {
        field(&self.typed, name)
    }

    /// The text the reader typed, not empty, in the order of the form.
    pub(super) fn texts(&self) -> Vec<&str> {
        self.typed
            .iter()
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.trim().is_empty())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes::pages::versioned::form_version;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_form_keeps_what_was_typed_and_not_its_plumbing() {
        let form = pairs(&[
            ("_csrf", "x"),
            ("version", "4"),
            ("valid", "0"),
            ("reason", "属使用咨询\r\n第二行"),
            ("reply", ""),
        ]);
        assert_eq!(form_version(&form), Some(4));
        let k = Kept::new("invalid", None, &form);
        assert!(k.is("invalid", None));
        assert!(!k.is("valid", None));
        assert_eq!(k.get("reason"), "属使用咨询\n第二行");
        assert_eq!(k.get("_csrf"), "");
        assert_eq!(k.texts(), ["属使用咨询\n第二行"]);
    }

    #[test]
    fn a_form_without_a_version_is_taken_as_it_comes() {
        assert_eq!(form_version(&pairs(&[("comment", "好")])), None);
    }
}
