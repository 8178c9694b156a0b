//! 在线客服 — the rules of live chat: which web sites may embed a chat channel (their exact
//! origins), what a chat message may be, the states a chat goes through, how many chats an
//! agent takes at once, and when a chat that nobody writes in is over.
//!
//! A chat (会话) starts waiting (排队) with the visitor's first message, is active once an
//! agent accepts it, may be transferred to another agent (it stays active) or to a group
//! (it waits again), and ends — by the agent, by the visitor, or by the idle sweep. An
//! ended chat becomes a ticket with its transcript.

use jiff::{SignedDuration, Timestamp};

keyed! {
    /// 会话状态 — where a chat is.
    ChatStatus {
        /// 排队 — waiting for an agent to accept it.
        Waiting = "waiting",
        /// 接待中 — an agent answers.
        Active = "active",
        /// 已结束
        Ended = "ended",
    }
}

keyed! {
    /// Who wrote a line of a chat.
    ChatAuthor {
        /// 访客 — the person on the web site.
        Visitor = "visitor",
        /// 客服 — the agent.
        Agent = "agent",
        /// What kefu itself says (accepted, transferred, ended).
        System = "system",
    }
}

keyed! {
    /// Who or what ended a chat.
    EndedBy {
        Visitor = "visitor",
        Agent = "agent",
        /// Nobody wrote for [`IDLE_MINUTES`].
        Idle = "idle",
    }
}

/// A chat message's length limit when the channel sets none.
pub const DEFAULT_MAX_MESSAGE_CHARS: i64 = 2000;
/// The largest message length limit a channel may set.
pub const MAX_MESSAGE_CHARS_CEILING: i64 = 10_000;
/// The longest greeting.
pub const GREETING_MAX: usize = 500;
/// The most origins one channel allows.
pub const MAX_ORIGINS: usize = 20;
/// How many chats an agent takes at once unless set otherwise (接待上限).
pub const DEFAULT_CHAT_LIMIT: i64 = 5;
/// The largest chat limit.
pub const CHAT_LIMIT_MAX: i64 = 50;
/// A chat nobody wrote in for this long is ended by the sweep (and becomes a ticket).
pub const IDLE_MINUTES: i64 = 30;
/// An agent who switched to 在线 counts as on shift while kefu heard from them this
/// recently (their console's stream or an API call): a closed browser does not leave
/// visitors waiting for nobody.
pub const AGENT_SEEN_MINUTES: i64 = 3;
/// The longest visitor name or contact a page may pass to the widget.
pub const VISITOR_FIELD_MAX: usize = 100;
/// The longest page address kept with a chat.
pub const PAGE_URL_MAX: usize = 500;

/// Why a chat setting or action is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChatError {
    /// Not `http(s)://host[:port]` (no path, no user, ASCII host).
    #[error("not a web origin: {0:?}")]
    BadOrigin(String),
    #[error("at most {max} origins")]
    TooManyOrigins { max: usize },
    /// A message length limit outside 1..=[`MAX_MESSAGE_CHARS_CEILING`].
    #[error("a message length limit is 1–{max} characters")]
    BadMaxChars { max: i64 },
    #[error("the greeting is over {max} characters")]
    GreetingTooLong { max: usize },
    /// A chat limit outside 1..=[`CHAT_LIMIT_MAX`].
    #[error("a chat limit is 1–{max}")]
    BadChatLimit { max: i64 },
    #[error("the message is empty")]
    EmptyMessage,
    /// Over the channel's limit: nothing is stored.
    #[error("the message is over {max} characters")]
    MessageTooLong { max: i64 },
    /// The page's origin is not one the channel allows (audited).
    #[error("this web site may not use the channel")]
    OriginRefused,
    #[error("the chat has ended")]
    Ended,
    /// Someone else accepted it first, or it is not waiting any more.
    #[error("the chat is not waiting")]
    NotWaiting,
    /// The chat is another agent's (or waits to be accepted).
    #[error("the chat is not yours")]
    NotYours,
    /// 接待上限 — the agent already has as many chats as they take.
    #[error("you already have {limit} chats")]
    LimitReached { limit: i64 },
    /// A transfer to an agent who is not online, or has no room.
    #[error("the agent is not online or has no room")]
    AgentUnavailable,
    /// A transfer names neither an agent nor a group (or both).
    #[error("a transfer goes to one agent or one group")]
    NoTransferTarget,
    /// A name or contact the visitor gave that cannot be used.
    #[error("the visitor's {0} cannot be used")]
    BadVisitorField(&'static str),
}

/// An origin as browsers send it in `Origin`: lower case, without the default port, without
/// a trailing slash. Anything with a path, query, user or non-ASCII host is refused (a
/// Chinese domain is entered in its `xn--` form, as browsers send it).
pub fn clean_origin(raw: &str) -> Result<String, ChatError> {
    let bad = || ChatError::BadOrigin(raw.trim().to_owned());
    let s = raw.trim().trim_end_matches('/').to_ascii_lowercase();
    let (scheme, rest) = s.split_once("://").ok_or_else(bad)?;
    let default_port = match scheme {
        "http" => "80",
        "https" => "443",
        _ => return Err(bad()),
    };
    if rest.is_empty() || !rest.is_ascii() || rest.contains(['/', '?', '#', '@', ' ', '\\', '\t']) {
        return Err(bad());
    }
    let (host, port) = if let Some(inner) = rest.strip_prefix('[') {
        // An IPv6 literal: [::1] or [::1]:8080.
        let (addr, after) = inner.split_once(']').ok_or_else(bad)?;
        if addr.is_empty() || !addr.chars().all(|c| c.is_ascii_hexdigit() || c == ':') {
            return Err(bad());
        }
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':').ok_or_else(bad)?),
        };
        (format!("[{addr}]"), port)
    } else {
        let (host, port) = match rest.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (rest, None),
        };
        let label_ok = |l: &str| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        };
        if host.len() > 253 || !host.split('.').all(label_ok) {
            return Err(bad());
        }
        (host.to_owned(), port)
    };
    match port {
        None => Ok(format!("{scheme}://{host}")),
        Some(p) if p == default_port => Ok(format!("{scheme}://{host}")),
        Some(p) => {
            let n: u32 = p.parse().map_err(|_| bad())?;
            if p.starts_with('0') || !(1..=65535).contains(&n) {
                return Err(bad());
            }
            Ok(format!("{scheme}://{host}:{n}"))
        }
    }
}

/// The origins an administrator typed (one per line, or separated by spaces or commas),
/// each cleaned, without repeats, in the order typed.
pub fn parse_origins(text: &str) -> Result<Vec<String>, ChatError> {
    let mut out: Vec<String> = Vec::new();
    for part in text.split(|c: char| c.is_whitespace() || c == ',' || c == '，') {
        if part.trim().is_empty() {
            continue;
        }
        let origin = clean_origin(part)?;
        if !out.contains(&origin) {
            out.push(origin);
        }
    }
    if out.len() > MAX_ORIGINS {
        return Err(ChatError::TooManyOrigins { max: MAX_ORIGINS });
    }
    Ok(out)
}

/// Whether a page at `origin` (the browser's `Origin` header; `None` when it sent none)
/// may use a channel allowing `allowed`. Compared exactly, after the same cleaning: no
/// wildcards, no "same site", and `null` (a sandboxed page, a file) is never allowed.
pub fn origin_allowed(allowed: &[String], origin: Option<&str>) -> bool {
    match origin.map(clean_origin) {
        Some(Ok(o)) => allowed.contains(&o),
        _ => false,
    }
}

/// A message length limit as an administrator set it.
pub fn check_max_chars(n: i64) -> Result<i64, ChatError> {
    if (1..=MAX_MESSAGE_CHARS_CEILING).contains(&n) {
        Ok(n)
    } else {
        Err(ChatError::BadMaxChars {
            max: MAX_MESSAGE_CHARS_CEILING,
        })
    }
}

/// A chat limit as set for an agent.
pub fn check_chat_limit(n: i64) -> Result<i64, ChatError> {
    if (1..=CHAT_LIMIT_MAX).contains(&n) {
        Ok(n)
    } else {
        Err(ChatError::BadChatLimit {
            max: CHAT_LIMIT_MAX,
        })
    }
}

/// Text as chat keeps it: line breaks as `\n`, no control characters but tabs and line
/// breaks, no blank lines around it.
fn clean_text(s: &str) -> String {
    s.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect::<String>()
        .trim()
        .to_owned()
}

/// The greeting the widget shows before anyone writes; empty for none.
pub fn check_greeting(s: &str) -> Result<Option<String>, ChatError> {
    let g = clean_text(s);
    if g.chars().count() > GREETING_MAX {
        return Err(ChatError::GreetingTooLong { max: GREETING_MAX });
    }
    Ok(Some(g).filter(|g| !g.is_empty()))
}

/// A chat message as it is stored, or why it is not: empty, or over `max` characters
/// (counted after cleaning, as a person counts them — 一个汉字 is one).
pub fn check_message(text: &str, max: i64) -> Result<String, ChatError> {
    let t = clean_text(text);
    if t.is_empty() {
        return Err(ChatError::EmptyMessage);
    }
    if t.chars().count() as i64 > max {
        return Err(ChatError::MessageTooLong { max });
    }
    Ok(t)
}

/// One line of what a visitor or page gave (a name, a contact, a page address): control
/// characters out, at most `max` characters, empty as none.
pub fn clean_field(s: &str, max: usize) -> Option<String> {
    let v: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .chars()
        .take(max)
        .collect();
    Some(v).filter(|v| !v.is_empty())
}

/// A way to reach the visitor as they typed it: an e-mail address (with `@`) or a phone
/// number, as `(phone, email)`; `None` when it is neither.
pub fn split_contact(s: &str) -> Option<(Option<String>, Option<String>)> {
    let v = s.trim();
    if v.is_empty() || v.chars().count() > VISITOR_FIELD_MAX {
        return None;
    }
    if v.contains('@') {
        let e = v.to_lowercase();
        crate::staff::check_email(&e).ok().map(|()| (None, Some(e)))
    } else {
        crate::customer::clean_contact_phone(v)
            .ok()
            .map(|p| (Some(p), None))
    }
}

/// Whether a chat last written in at `last` is over by `now`.
pub fn is_idle(last: Timestamp, now: Timestamp) -> bool {
    now.duration_since(last) >= SignedDuration::from_mins(IDLE_MINUTES)
}

/// The name a visitor goes by when they gave none: 访客 and the chat's number.
pub fn visitor_label(session_id: i64, name: Option<&str>) -> String {
    match name.filter(|n| !n.trim().is_empty()) {
        Some(n) => n.to_owned(),
        None => format!("访客{session_id}"),
    }
}

/// A new ticket's subject from the chat's first words: `prefix` and the first line, cut to
/// `max` characters in all.
pub fn ticket_subject(prefix: &str, first: &str, max: usize) -> String {
    let line = first
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let room = max.saturating_sub(prefix.chars().count());
    let mut cut: String = line.chars().take(room).collect();
    if line.chars().count() > room && room > 1 {
        cut = line.chars().take(room - 1).collect::<String>() + "…";
    }
    format!("{prefix}{cut}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_cleaned_as_browsers_send_them() {
        assert_eq!(
            clean_origin(" HTTPS://Shop.Example.com/ ").unwrap(),
            "https://shop.example.com"
        );
        assert_eq!(
            clean_origin("https://shop.example.com:443").unwrap(),
            "https://shop.example.com"
        );
        assert_eq!(
            clean_origin("http://127.0.0.1:8081").unwrap(),
            "http://127.0.0.1:8081"
        );
        assert_eq!(clean_origin("http://[::1]:80").unwrap(), "http://[::1]");
        assert_eq!(
            clean_origin("https://xn--fiqs8s.cn").unwrap(),
            "https://xn--fiqs8s.cn"
        );
        for bad in [
            "shop.example.com",
            "ftp://shop.example.com",
            "https://shop.example.com/path",
            "https://user@shop.example.com",
            "https://商城.cn",
            "https://shop.example.com:0",
            "https://shop.example.com:70000",
            "https://shop..example.com",
            "https://",
            "null",
        ] {
            assert!(clean_origin(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn an_origin_is_allowed_only_exactly() {
        let allowed = parse_origins(
            "https://shop.example.com\nhttp://127.0.0.1:8081, https://shop.example.com",
        )
        .unwrap();
        assert_eq!(allowed.len(), 2);
        assert!(origin_allowed(&allowed, Some("https://shop.example.com")));
        assert!(origin_allowed(
            &allowed,
            Some("https://SHOP.example.com:443")
        ));
        assert!(!origin_allowed(&allowed, Some("https://evil.example.com")));
        assert!(!origin_allowed(&allowed, Some("http://shop.example.com")));
        assert!(!origin_allowed(
            &allowed,
            Some("https://shop.example.com.evil.cn")
        ));
        assert!(!origin_allowed(&allowed, Some("null")));
        assert!(!origin_allowed(&allowed, None));
        let many: Vec<String> = (0..=MAX_ORIGINS)
            .map(|i| format!("https://s{i}.example.com"))
            .collect();
        assert_eq!(
            parse_origins(&many.join("\n")),
            Err(ChatError::TooManyOrigins { max: MAX_ORIGINS })
        );
    }

    #[test]
    fn a_message_is_counted_in_characters_after_cleaning() {
        assert_eq!(
            check_message("  你好\r\n在吗\0 ", 10).unwrap(),
            "你好\n在吗"
        );
        assert_eq!(check_message(" \n ", 10), Err(ChatError::EmptyMessage));
        let long = "好".repeat(11);
        assert_eq!(
            check_message(&long, 10),
            Err(ChatError::MessageTooLong { max: 10 })
        );
        assert!(check_message(&"好".repeat(10), 10).is_ok());
    }

    #[test]
    fn limits_and_greetings_are_bounded() {
        assert!(check_max_chars(0).is_err());
        assert!(check_max_chars(MAX_MESSAGE_CHARS_CEILING + 1).is_err());
        assert_eq!(check_max_chars(2000), Ok(2000));
        assert!(check_chat_limit(0).is_err());
        assert_eq!(check_chat_limit(5), Ok(5));
        assert_eq!(check_greeting("  "), Ok(None));
        assert_eq!(
            check_greeting(&"欢".repeat(GREETING_MAX + 1)),
            Err(ChatError::GreetingTooLong { max: GREETING_MAX })
        );
    }

    #[test]
    fn a_chat_is_idle_after_thirty_minutes() {
        let t: Timestamp = "2026-11-25T02:00:00Z".parse().unwrap();
        assert!(!is_idle(t, t + SignedDuration::from_mins(29)));
        assert!(is_idle(t, t + SignedDuration::from_mins(30)));
    }

    #[test]
    fn subjects_and_names_read_well() {
        assert_eq!(
            ticket_subject("在线咨询：", "\n 洗衣机不脱水\n第二行", 200),
            "在线咨询：洗衣机不脱水"
        );
        assert_eq!(
            ticket_subject("在线咨询：", "一二三四五六", 9),
            "在线咨询：一二三…"
        );
        assert_eq!(visitor_label(42, None), "访客42");
        assert_eq!(visitor_label(42, Some("王女士")), "王女士");
        assert_eq!(clean_field(" 王\t女士 ", 100).as_deref(), Some("王 女士"));
        assert_eq!(clean_field("   ", 100), None);
    }

    #[test]
    fn a_contact_is_a_phone_or_an_email() {
        assert_eq!(
            split_contact(" Wang@Example.com "),
            Some((None, Some("wang@example.com".to_owned())))
        );
        assert!(matches!(
            split_contact("13912345678"),
            Some((Some(_), None))
        ));
        assert_eq!(split_contact("随便写写"), None);
        assert_eq!(split_contact(""), None);
    }
}
