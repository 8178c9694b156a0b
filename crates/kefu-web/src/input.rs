//! The edge where text enters over HTTP: query strings, urlencoded and multipart forms,
//! JSON bodies — and the keys of closed sets (priority, stage, …) read from any of them.
//!
//! Text is refused here, naming the field, when it is not UTF-8 or holds a character
//! [`kefu_domain::input::is_forbidden`] (a NUL, an escape, DEL…). Left to later, the same
//! input would be an error on PostgreSQL (which refuses NUL in text) and silently stored on
//! SQLite; and `form_urlencoded`, which axum's `Form` and `Query` decode with, replaces bytes
//! that are not UTF-8 with U+FFFD instead of refusing them. So:
//!
//! - every query string is checked by [`refuse_bad_query`], a middleware over all routes;
//! - every urlencoded page form by the CSRF check ([`crate::auth`]) with [`form_pairs`],
//!   where the body is read anyway; multipart text fields by [`crate::upload`];
//! - every API JSON body by [`crate::routes::api::ApiJson`] with [`json_forbidden_path`].
//!
//! An unknown key of a closed set is answered with the keys that are allowed
//! ([`parse_key`], [`unknown_value`]).

use std::fmt::Write as _;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use kefu_domain::input::{Keyed, escape_forbidden, first_forbidden};
use serde_json::Value;

use crate::error::WebError;

/// The longest query string read, in bytes. hyper itself refuses a URI over 64 KiB with a
/// bare 414 that no handler sees; a query string over this limit is refused here first, and
/// answered like every other refusal (the API's JSON error shape, a page for people). Far
/// above any search or filter a person types (the search reads the first 200 characters),
/// with room below hyper's limit for the path.
pub const MAX_QUERY_BYTES: usize = 16 * 1024;

/// Refuses a request whose query string is too long, not UTF-8 or holds a forbidden
/// character, before any handler reads it.
pub async fn refuse_bad_query(req: Request, next: Next) -> Response {
    if let Some(query) = req.uri().query() {
        if query.len() > MAX_QUERY_BYTES {
            return WebError::QueryTooLong {
                max_bytes: MAX_QUERY_BYTES,
            }
            .into_response();
        }
        if let Err(e) = form_pairs(query.as_bytes()) {
            return e.into_response();
        }
    }
    next.run(req).await
}

/// The pairs of `application/x-www-form-urlencoded` text (a query string or a form body),
/// decoded as `form_urlencoded` does (`+` is a space, `%XX` a byte, a stray `%` itself) but
/// strictly: a name or value that is not UTF-8, or holds a forbidden character, refuses the
/// whole input, naming the field.
pub fn form_pairs(input: &[u8]) -> Result<Vec<(String, String)>, WebError> {
    let mut pairs = Vec::new();
    for part in input.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
        let (name, value) = match part.iter().position(|b| *b == b'=') {
            Some(i) => (&part[..i], &part[i + 1..]),
            None => (part, &part[..0]),
        };
        let name = match String::from_utf8(percent_decode(name)) {
            Ok(name) => name,
            Err(e) => {
                let shown = String::from_utf8_lossy(e.as_bytes()).into_owned();
                return Err(WebError::InvalidUtf8 {
                    field: escape_forbidden(&shown),
                });
            }
        };
        let value =
            String::from_utf8(percent_decode(value)).map_err(|_| WebError::InvalidUtf8 {
                field: escape_forbidden(&name),
            })?;
        check_field(&name, &value)?;
        pairs.push((name, value));
    }
    Ok(pairs)
}

/// Refuses a field whose name or value holds a forbidden character.
pub fn check_field(name: &str, value: &str) -> Result<(), WebError> {
    if first_forbidden(name).is_some() || first_forbidden(value).is_some() {
        return Err(WebError::ControlCharacter {
            field: escape_forbidden(name),
        });
    }
    Ok(())
}

/// The text of a form field sent as bytes (a multipart part): UTF-8 without forbidden
/// characters, or refused naming the field.
pub fn field_text(name: &str, bytes: Vec<u8>) -> Result<String, WebError> {
    let text = String::from_utf8(bytes).map_err(|_| WebError::InvalidUtf8 {
        field: escape_forbidden(name),
    })?;
    check_field(name, &text)?;
    Ok(text)
}

fn percent_decode(input: &[u8]) -> Vec<u8> {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' if i + 2 < input.len() => match (hex(input[i + 1]), hex(input[i + 2])) {
                (Some(hi), Some(lo)) => {
                    out.push((hi << 4) | lo);
                    i += 3;
                }
                _ => {
                    out.push(b'%');
                    i += 1;
                }
            },
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// Where the first string of a JSON document (a value or an object key) holding a
/// forbidden character is, as a path like `subject`, `tags[1]` or `contacts[0].name`
/// (`.` for the document itself); `None` when every string is clean.
pub fn json_forbidden_path(value: &Value) -> Option<String> {
    fn walk(value: &Value, path: &mut String) -> bool {
        match value {
            Value::String(s) => first_forbidden(s).is_some(),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let len = path.len();
                    let _ = write!(path, "[{i}]");
                    if walk(item, path) {
                        return true;
                    }
                    path.truncate(len);
                }
                false
            }
            Value::Object(map) => {
                for (key, item) in map {
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(&escape_forbidden(key));
                    if first_forbidden(key).is_some() || walk(item, path) {
                        return true;
                    }
                    path.truncate(len);
                }
                false
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => false,
        }
    }
    let mut path = String::new();
    if walk(value, &mut path) {
        Some(if path.is_empty() {
            ".".to_owned()
        } else {
            path
        })
    } else {
        None
    }
}

/// The value a key of a closed set names; an unknown key is refused with the keys allowed.
pub fn parse_key<T: Keyed>(field: &str, key: &str) -> Result<T, WebError> {
    T::from_key(key).ok_or_else(|| unknown_value(field, key, T::keys()))
}

/// [`parse_key`] for an optional input: absent or empty is `None`.
pub fn parse_optional_key<T: Keyed>(field: &str, key: Option<&str>) -> Result<Option<T>, WebError> {
    match key.filter(|k| !k.is_empty()) {
        None => Ok(None),
        Some(k) => parse_key(field, k).map(Some),
    }
}

/// The refusal of `value` for `field`, which takes one of `allowed` (for the closed sets
/// that are not [`Keyed`] enums: queues, sort orders…).
pub fn unknown_value(
    field: &str,
    value: &str,
    allowed: impl IntoIterator<Item = &'static str>,
) -> WebError {
    WebError::UnknownValue {
        field: field.to_owned(),
        value: value.to_owned(),
        allowed: allowed.into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn code(e: WebError) -> (&'static str, Option<String>) {
        let info = e.into_info();
        (info.code, info.detail)
    }

    #[test]
    fn the_json_walker_names_the_first_bad_string_by_its_path() {
        assert_eq!(
            json_forbidden_path(&json!({"subject": "ok", "body": "第一行\r\n\t第二行"})),
            None
        );
        assert_eq!(
            json_forbidden_path(&json!({"subject": "a\u{0}b", "body": "x"})),
            Some("subject".to_owned())
        );
        assert_eq!(
            json_forbidden_path(&json!({"tags": ["ok", "b\u{7}"]})),
            Some("tags[1]".to_owned())
        );
        assert_eq!(
            json_forbidden_path(&json!({"contacts": [{"name": "王"}, {"name": "李\u{7f}"}]})),
            Some("contacts[1].name".to_owned())
        );
        assert_eq!(
            json_forbidden_path(&json!({"fields": {"qty\u{1b}": "1"}})),
            Some("fields.qty\\u{1b}".to_owned()),
            "a key is checked too, and shown escaped"
        );
        assert_eq!(
            json_forbidden_path(&json!({"a": {"b": [1, true, null, "\u{ffff}"]}})),
            Some("a.b[3]".to_owned())
        );
        assert_eq!(json_forbidden_path(&json!("\u{0}")), Some(".".to_owned()));
        assert_eq!(json_forbidden_path(&json!([1, 2.5, null, false])), None);
    }

    #[test]
    fn forms_decode_strictly_and_name_the_bad_field() {
        assert_eq!(
            form_pairs(b"a=1&b=%E5%B7%A5+%E5%8D%95&&c&d=100%&e=%2B").unwrap(),
            vec![
                ("a".to_owned(), "1".to_owned()),
                ("b".to_owned(), "工 单".to_owned()),
                ("c".to_owned(), String::new()),
                ("d".to_owned(), "100%".to_owned()),
                ("e".to_owned(), "+".to_owned()),
            ]
        );
        assert_eq!(
            form_pairs("raw=工单".as_bytes()).unwrap(),
            vec![("raw".to_owned(), "工单".to_owned())]
        );
        assert_eq!(
            code(form_pairs(b"_csrf=x&subject=bad%FF%FE").unwrap_err()),
            ("invalid_utf8", Some("subject".to_owned()))
        );
        assert_eq!(
            code(form_pairs(b"subject=bad\xff").unwrap_err()),
            ("invalid_utf8", Some("subject".to_owned()))
        );
        assert_eq!(
            code(form_pairs(b"q=a%00b").unwrap_err()),
            ("control_character", Some("q".to_owned()))
        );
        assert_eq!(
            code(form_pairs(b"x%01y=1").unwrap_err()),
            ("control_character", Some("x\\u{1}y".to_owned()))
        );
        assert_eq!(
            code(form_pairs(b"body=line%0D%0Aline%09tab&q=%7F").unwrap_err()),
            ("control_character", Some("q".to_owned()))
        );
        assert!(form_pairs(b"").unwrap().is_empty());
    }

    #[test]
    fn an_unknown_key_is_answered_with_the_allowed_ones() {
        use kefu_domain::ticket::Priority;
        assert_eq!(
            parse_optional_key::<Priority>("priority", Some("high")).unwrap(),
            Some(Priority::High)
        );
        assert_eq!(
            parse_optional_key::<Priority>("priority", Some("")).unwrap(),
            None
        );
        let info = parse_key::<Priority>("priority", "ultra")
            .unwrap_err()
            .into_info();
        assert_eq!(info.status, axum::http::StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(info.code, "unknown_value");
        let detail = info.detail.clone().unwrap();
        assert!(detail.contains("low, normal, high, urgent"), "{detail}");
        let message = info.message(crate::i18n::Tr(kefu_domain::Locale::En));
        assert!(message.contains("low, normal, high, urgent"), "{message}");
    }
}
