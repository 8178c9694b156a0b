//! The staff pages of tickets: queues, the ticket page, the new-ticket form.

pub mod card;
pub mod create;
pub mod properties;
pub mod queue;
pub mod script;
pub mod show;
pub mod sms;
pub mod wechat;

use kefu_domain::Locale;
use kefu_domain::ticket::{Priority, StatusCategory, TicketType};
use kefu_store::ticket::setup::Status;

use crate::i18n::Tr;

/// A choice in a select.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The name of a status in the reader's language.
pub fn status_name(statuses: &[Status], key: &str, locale: Locale) -> String {
    statuses
        .iter()
        .find(|s| s.key == key)
        .map(|s| match locale {
            Locale::En => s.name_en.clone(),
            _ => s.name_zh.clone(),
        })
        .unwrap_or_else(|| key.to_owned())
}

pub fn status_choices(statuses: &[Status], selected: &str, locale: Locale) -> Vec<Choice> {
    statuses
        .iter()
        .map(|s| Choice {
            value: s.key.clone(),
            label: status_name(statuses, &s.key, locale),
            selected: s.key == selected,
        })
        .collect()
}

/// The statuses a ticket in status `current` (of `category`) may be set to, the current
/// one first selected: a form offers only the moves the lifecycle allows, so nothing it
/// shows is refused (no way back to "new", a closed ticket only reopened).
pub fn move_choices(
    statuses: &[Status],
    current: &str,
    category: StatusCategory,
    locale: Locale,
) -> Vec<Choice> {
    status_choices(statuses, current, locale)
        .into_iter()
        .zip(statuses)
        .filter(|(c, s)| c.selected || category.can_move_to(s.category))
        .map(|(c, _)| c)
        .collect()
}

pub fn type_choices(t: Tr, selected: Option<TicketType>) -> Vec<Choice> {
    TicketType::ALL
        .iter()
        .map(|v| Choice {
            value: v.key().into(),
            label: t.tk("ticket_type", v.key()),
            selected: Some(*v) == selected,
        })
        .collect()
}

pub fn priority_choices(t: Tr, selected: Option<Priority>) -> Vec<Choice> {
    Priority::ALL
        .iter()
        .map(|v| Choice {
            value: v.key().into(),
            label: t.tk("priority", v.key()),
            selected: Some(*v) == selected,
        })
        .collect()
}

/// `value` with an empty string as `None`.
pub fn non_empty(value: &str) -> Option<&str> {
    Some(value.trim()).filter(|v| !v.is_empty())
}

/// The value of `key` among submitted form pairs (first wins), or "".
pub fn field<'a>(pairs: &'a [(String, String)], key: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

/// Custom field values submitted as `cf_<key>` pairs.
pub fn custom_fields(pairs: &[(String, String)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("cf_").map(|k| (k.to_owned(), v.clone())))
        .collect()
}

/// The customer tier choices (with "—" for none).
pub fn tier_choices(t: Tr, selected: Option<&str>) -> Vec<Choice> {
    std::iter::once(Choice {
        value: String::new(),
        label: "—".into(),
        selected: selected.is_none(),
    })
    .chain(kefu_app::ticket::TIERS.iter().map(|k| Choice {
        value: (*k).into(),
        label: t.tk("tier", k),
        selected: Some(*k) == selected,
    }))
    .collect()
}
