//! 通话事件 — what a telephone system reports of a call: it rings, is answered, hangs up,
//! each once. Events arrive late, twice or out of order (a hangup before the answer it
//! followed); a call's state is therefore folded from the set of its events, never from
//! the last one that arrived, so any order gives the same call.

use jiff::{SignedDuration, Timestamp};

use super::number::{CallerNumber, normalize_number};

keyed! {
    /// 通话事件
    CallEventKind {
        /// 振铃 — the extension rings (or, outbound, the customer's phone).
        Ringing = "ringing",
        /// 接通
        Answered = "answered",
        /// 挂断
        Hangup = "hangup",
    }
}

keyed! {
    /// 呼入 / 呼出
    Direction {
        Inbound = "inbound",
        Outbound = "outbound",
    }
}

keyed! {
    /// A call's state, folded from its events.
    CallStatus {
        /// 振铃中 — nothing but the ring so far.
        Ringing = "ringing",
        /// 通话中 — answered, not yet hung up.
        Answered = "answered",
        /// 未接 — hung up without being answered.
        Missed = "missed",
        /// 已结束 — answered, then hung up.
        Done = "done",
    }
}

/// How far in the past an event's time may be (a telephone system catching up after an
/// outage sends its backlog).
pub const MAX_PAST: SignedDuration = SignedDuration::from_hours(24 * 7);
/// How far ahead of kefu's clock an event's time may be (the exchange's clock drifts).
pub const MAX_AHEAD: SignedDuration = SignedDuration::from_mins(10);
/// The longest call a hangup may report: a day.
pub const MAX_DURATION_SECS: i64 = 24 * 60 * 60;

const CALL_ID_MAX: usize = 128;
const EXTENSION_MAX: usize = 32;
const NUMBER_MAX: usize = 64;
const URL_MAX: usize = 2048;

/// An event as the telephone system sent it: each field as given, or absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawCallEvent {
    pub call_id: Option<String>,
    pub event: Option<String>,
    pub direction: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub extension: Option<String>,
    pub at: Option<String>,
    pub duration_secs: Option<i64>,
    pub recording_url: Option<String>,
}

/// An event kefu accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallEvent {
    /// The telephone system's id of the call.
    pub call_id: String,
    pub kind: CallEventKind,
    pub direction: Direction,
    /// The customer's side, normalised: the caller of an inbound call, the one called by an
    /// outbound one; `None` when withheld or not a number.
    pub customer: Option<CallerNumber>,
    /// The agent's extension.
    pub extension: Option<String>,
    pub at: Timestamp,
    pub duration_secs: Option<i64>,
    pub recording_url: Option<String>,
}

/// Why an event is refused (and nothing of it stored).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallEventError {
    #[error("{0} is missing")]
    Missing(&'static str),
    #[error("{field}: unknown value {value:?}")]
    Unknown {
        field: &'static str,
        value: String,
        allowed: Vec<&'static str>,
    },
    #[error("at: {0:?} is not an RFC 3339 time")]
    BadTime(String),
    #[error("at: {0} is more than 7 days before or 10 minutes after now")]
    OutOfBounds(String),
    #[error("duration_secs must be 0–86400")]
    BadDuration,
    #[error("recording_url must be an http or https URL")]
    BadRecordingUrl,
    #[error("{0} is too long")]
    TooLong(&'static str),
}

impl CallEventError {
    /// The field the refusal is about.
    pub fn field(&self) -> &'static str {
        match self {
            CallEventError::Missing(f) | CallEventError::TooLong(f) => f,
            CallEventError::Unknown { field, .. } => field,
            CallEventError::BadTime(_) | CallEventError::OutOfBounds(_) => "at",
            CallEventError::BadDuration => "duration_secs",
            CallEventError::BadRecordingUrl => "recording_url",
        }
    }
}

/// A field's text trimmed, empty as absent, refused over `max` characters.
fn text(
    v: &Option<String>,
    field: &'static str,
    max: usize,
) -> Result<Option<String>, CallEventError> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) if s.chars().count() > max => Err(CallEventError::TooLong(field)),
        Some(s) => Ok(Some(s.to_owned())),
    }
}

fn key_of<T: crate::input::Keyed>(
    v: &Option<String>,
    field: &'static str,
) -> Result<T, CallEventError> {
    let value = text(v, field, 64)?.ok_or(CallEventError::Missing(field))?;
    T::from_key(&value).ok_or(CallEventError::Unknown {
        field,
        value,
        allowed: T::keys(),
    })
}

/// An extension as an administrator maps it: trimmed, 1–32 letters, digits or `*#._-/@:`
/// (`8001`, `SIP/8001`); the same text a telephone system reports in `extension`.
pub fn clean_extension(s: &str) -> Option<String> {
    let t = s.trim();
    let ok = !t.is_empty()
        && t.chars().count() <= EXTENSION_MAX
        && t.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '*' | '#' | '.' | '_' | '-' | '/' | '@' | ':')
        });
    ok.then(|| t.to_owned())
}

/// A recording link kefu may show as a link: `http://` or `https://` and a host, no spaces,
/// at most 2048 characters. Anything else (`javascript:`, `file:`, `ftp:`) is refused.
pub fn check_recording_url(url: &str) -> Result<String, CallEventError> {
    let u = url.trim();
    let lower = u.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .ok_or(CallEventError::BadRecordingUrl)?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let clean = !u
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '"');
    if host.is_empty() || !clean || u.len() > URL_MAX {
        return Err(CallEventError::BadRecordingUrl);
    }
    Ok(u.to_owned())
}

/// Checks an event at `now`; `area_code` is the exchange's own, which a local number gets
/// (see [`normalize_number`]).
pub fn check_event(
    raw: &RawCallEvent,
    now: Timestamp,
    area_code: Option<&str>,
) -> Result<CallEvent, CallEventError> {
    let call_id =
        text(&raw.call_id, "call_id", CALL_ID_MAX)?.ok_or(CallEventError::Missing("call_id"))?;
    let kind: CallEventKind = key_of(&raw.event, "event")?;
    let direction: Direction = key_of(&raw.direction, "direction")?;
    let at_text = text(&raw.at, "at", 64)?.ok_or(CallEventError::Missing("at"))?;
    let at: Timestamp = at_text
        .parse()
        .map_err(|_| CallEventError::BadTime(at_text.clone()))?;
    if at < now - MAX_PAST || at > now + MAX_AHEAD {
        return Err(CallEventError::OutOfBounds(at_text));
    }
    let from = text(&raw.from, "from", NUMBER_MAX)?;
    let to = text(&raw.to, "to", NUMBER_MAX)?;
    let extension = text(&raw.extension, "extension", EXTENSION_MAX)?;
    let duration_secs = match raw.duration_secs {
        Some(d) if !(0..=MAX_DURATION_SECS).contains(&d) => {
            return Err(CallEventError::BadDuration);
        }
        d => d,
    };
    let recording_url = match text(&raw.recording_url, "recording_url", URL_MAX)? {
        Some(u) => Some(check_recording_url(&u)?),
        None => None,
    };
    let customer_side = match direction {
        Direction::Inbound => from,
        Direction::Outbound => to,
    };
    Ok(CallEvent {
        call_id,
        kind,
        direction,
        customer: customer_side.and_then(|n| normalize_number(&n, area_code)),
        extension,
        at,
        duration_secs,
        recording_url,
    })
}

/// One stored event of a call, as the fold reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub kind: CallEventKind,
    pub at: Timestamp,
    pub extension: Option<String>,
    pub duration_secs: Option<i64>,
    pub recording_url: Option<String>,
}

/// What a call's events make of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallState {
    pub status: CallStatus,
    pub started_at: Timestamp,
    pub answered_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    /// Talk time: the hangup's own figure, else from the answer to the hangup.
    pub duration_secs: Option<i64>,
    /// The extension that answered, else the one that rang, else the hangup's.
    pub extension: Option<String>,
    pub recording_url: Option<String>,
}

/// Folds a call's events (at most one of each kind; the first of a kind if more) into its
/// state; the order they arrived in does not matter. A hangup reporting talk time counts
/// as answered even when the answer's own event has not arrived (yet).
pub fn fold(events: &[Seen]) -> Option<CallState> {
    let first = |kind: CallEventKind| {
        events
            .iter()
            .filter(|e| e.kind == kind)
            .min_by_key(|e| (e.at, e.duration_secs, e.extension.clone()))
    };
    let ringing = first(CallEventKind::Ringing);
    let answered = first(CallEventKind::Answered);
    let hangup = first(CallEventKind::Hangup);
    let talk = hangup.and_then(|h| h.duration_secs);
    let answered_at = answered.map(|a| a.at).or_else(|| {
        hangup
            .zip(talk.filter(|d| *d > 0))
            .map(|(h, d)| h.at - SignedDuration::from_secs(d))
    });
    let ended_at = hangup.map(|h| h.at);
    let started_at = [ringing.map(|r| r.at), answered_at, ended_at]
        .into_iter()
        .flatten()
        .min()?;
    let status = match (answered_at, ended_at) {
        (Some(_), Some(_)) => CallStatus::Done,
        (None, Some(_)) => CallStatus::Missed,
        (Some(_), None) => CallStatus::Answered,
        (None, None) => CallStatus::Ringing,
    };
    let duration_secs = match (answered_at, ended_at) {
        (Some(a), Some(e)) => Some(talk.unwrap_or_else(|| e.duration_since(a).as_secs().max(0))),
        _ => None,
    };
    let extension = [answered, ringing, hangup]
        .into_iter()
        .flatten()
        .find_map(|e| e.extension.clone());
    let recording_url = [hangup, answered, ringing]
        .into_iter()
        .flatten()
        .find_map(|e| e.recording_url.clone());
    Some(CallState {
        status,
        started_at,
        answered_at,
        ended_at,
        duration_secs,
        extension,
        recording_url,
    })
}

/// Whether a call in this state leaves a callback to make (待回拨): an inbound call nobody
/// answered.
pub fn needs_callback(direction: Direction, status: CallStatus) -> bool {
    direction == Direction::Inbound && status == CallStatus::Missed
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn now() -> Timestamp {
        "2026-11-23T02:00:00Z".parse().unwrap()
    }

    fn raw(event: &str) -> RawCallEvent {
        RawCallEvent {
            call_id: Some("c-1".into()),
            event: Some(event.into()),
            direction: Some("inbound".into()),
            from: Some("+86 138 1234 5678".into()),
            to: Some("4008001234".into()),
            extension: Some("8001".into()),
            at: Some("2026-11-23T10:00:00+08:00".into()),
            duration_secs: None,
            recording_url: None,
        }
    }

    fn seen(kind: CallEventKind, secs: i64, duration: Option<i64>) -> Seen {
        Seen {
            kind,
            at: now() + SignedDuration::from_secs(secs),
            extension: Some("8001".into()),
            duration_secs: duration,
            recording_url: None,
        }
    }

    #[test]
    fn an_event_is_checked_and_the_customer_is_the_caller_or_the_called() {
        let e = check_event(&raw("ringing"), now(), None).unwrap();
        assert_eq!(e.kind, CallEventKind::Ringing);
        assert_eq!(e.customer.unwrap().number, "13812345678");
        assert_eq!(e.at, now());
        let mut out = raw("answered");
        out.direction = Some("outbound".into());
        out.to = Some("0571-8888 6666".into());
        let e = check_event(&out, now(), None).unwrap();
        assert_eq!(e.customer.unwrap().number, "057188886666");
        let mut withheld = raw("ringing");
        withheld.from = Some("anonymous".into());
        assert_eq!(check_event(&withheld, now(), None).unwrap().customer, None);
    }

    #[test]
    fn bad_events_are_refused_with_the_field_they_are_about() {
        let cases: Vec<(RawCallEvent, &str)> = vec![
            (
                RawCallEvent {
                    call_id: None,
                    ..raw("ringing")
                },
                "call_id",
            ),
            (
                RawCallEvent {
                    call_id: Some("  ".into()),
                    ..raw("ringing")
                },
                "call_id",
            ),
            (raw("rung"), "event"),
            (
                RawCallEvent {
                    direction: Some("sideways".into()),
                    ..raw("ringing")
                },
                "direction",
            ),
            (
                RawCallEvent {
                    at: Some("yesterday".into()),
                    ..raw("ringing")
                },
                "at",
            ),
            (
                RawCallEvent {
                    at: Some("2026-11-01T10:00:00+08:00".into()),
                    ..raw("ringing")
                },
                "at",
            ),
            (
                RawCallEvent {
                    at: Some("2026-11-23T10:30:00+08:00".into()),
                    ..raw("ringing")
                },
                "at",
            ),
            (
                RawCallEvent {
                    duration_secs: Some(-1),
                    ..raw("hangup")
                },
                "duration_secs",
            ),
            (
                RawCallEvent {
                    recording_url: Some("ftp://pbx.example.com/r/1.wav".into()),
                    ..raw("hangup")
                },
                "recording_url",
            ),
            (
                RawCallEvent {
                    recording_url: Some("javascript:alert(1)".into()),
                    ..raw("hangup")
                },
                "recording_url",
            ),
            (
                RawCallEvent {
                    extension: Some("8".repeat(40)),
                    ..raw("ringing")
                },
                "extension",
            ),
        ];
        for (event, field) in cases {
            let e = check_event(&event, now(), None).unwrap_err();
            assert_eq!(e.field(), field, "{event:?}: {e}");
        }
        let unknown = check_event(&raw("rung"), now(), None).unwrap_err();
        assert_eq!(
            unknown,
            CallEventError::Unknown {
                field: "event",
                value: "rung".into(),
                allowed: vec!["ringing", "answered", "hangup"],
            }
        );
    }

    #[test]
    fn extensions_are_short_plain_words() {
        assert_eq!(clean_extension(" 8001 "), Some("8001".into()));
        assert_eq!(clean_extension("SIP/8001"), Some("SIP/8001".into()));
        let long = "8".repeat(33);
        for bad in ["", "  ", "80 01", "分机", long.as_str()] {
            assert_eq!(clean_extension(bad), None, "{bad}");
        }
    }

    #[test]
    fn recording_links_must_be_web_links() {
        assert!(check_recording_url("https://pbx.example.com/rec/1.mp3").is_ok());
        assert!(check_recording_url("HTTP://10.0.0.5:8080/r?id=1").is_ok());
        for bad in [
            "https://",
            "http:///x",
            "https://a b/c",
            "data:audio/wav;base64,AAAA",
            "//pbx/r.wav",
        ] {
            assert!(check_recording_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_call_moves_through_its_states() {
        use CallEventKind::*;
        let ring = fold(&[seen(Ringing, 0, None)]).unwrap();
        assert_eq!(ring.status, CallStatus::Ringing);
        let talking = fold(&[seen(Ringing, 0, None), seen(Answered, 5, None)]).unwrap();
        assert_eq!(talking.status, CallStatus::Answered);
        let done = fold(&[
            seen(Ringing, 0, None),
            seen(Answered, 5, None),
            seen(Hangup, 95, None),
        ])
        .unwrap();
        assert_eq!(done.status, CallStatus::Done);
        assert_eq!(done.duration_secs, Some(90));
        assert_eq!(done.started_at, now());
        let missed = fold(&[seen(Ringing, 0, None), seen(Hangup, 20, Some(0))]).unwrap();
        assert_eq!(missed.status, CallStatus::Missed);
        assert_eq!(missed.duration_secs, None);
        assert!(needs_callback(Direction::Inbound, missed.status));
        assert!(!needs_callback(Direction::Outbound, missed.status));
    }

    #[test]
    fn a_hangup_before_its_answer_still_makes_an_answered_call() {
        use CallEventKind::*;
        // The hangup reports talk time: answered, whether or not the answer came.
        let early = fold(&[seen(Hangup, 95, Some(90))]).unwrap();
        assert_eq!(early.status, CallStatus::Done);
        assert_eq!(early.duration_secs, Some(90));
        assert_eq!(
            early.answered_at,
            Some(now() + SignedDuration::from_secs(5))
        );
        // Without it, the answer arriving late turns the missed call into an answered one.
        let missed = fold(&[seen(Hangup, 95, None)]).unwrap();
        assert_eq!(missed.status, CallStatus::Missed);
        let late = fold(&[seen(Hangup, 95, None), seen(Answered, 5, None)]).unwrap();
        assert_eq!(late.status, CallStatus::Done);
        assert_eq!(late.duration_secs, Some(90));
        // A ring arriving after the hangup changes nothing but the start.
        let rung = fold(&[
            seen(Hangup, 95, Some(90)),
            seen(Answered, 5, None),
            seen(Ringing, 0, None),
        ])
        .unwrap();
        assert_eq!(rung.status, CallStatus::Done);
        assert_eq!(rung.started_at, now());
    }

    proptest! {
        #[test]
        fn any_order_of_the_same_events_makes_the_same_call(
            kinds in prop::sample::subsequence(vec![0usize, 1, 2], 1..=3),
            talk in prop::option::of(0i64..600),
            order in prop::sample::select(vec![
                vec![0usize, 1, 2],
                vec![0, 2, 1],
                vec![1, 0, 2],
                vec![1, 2, 0],
                vec![2, 0, 1],
                vec![2, 1, 0],
            ]),
        ) {
            use CallEventKind::*;
            let all = [
                seen(Ringing, 0, None),
                seen(Answered, 4, None),
                seen(Hangup, 100, talk),
            ];
            let events: Vec<Seen> = kinds.iter().map(|k| all[*k].clone()).collect();
            let mut shuffled: Vec<Seen> = order
                .iter()
                .filter(|i| kinds.contains(i))
                .map(|k| all[*k].clone())
                .collect();
            prop_assert_eq!(shuffled.len(), events.len());
            let a = fold(&events);
            let b = fold(&shuffled);
            prop_assert_eq!(&a, &b);
            // Sent twice, it is still the same call.
            shuffled.extend(events.clone());
            prop_assert_eq!(fold(&shuffled), a.clone());
            let state = a.unwrap();
            let hung_up = kinds.contains(&2);
            let answered = kinds.contains(&1) || (hung_up && talk.is_some_and(|t| t > 0));
            let want = match (answered, hung_up) {
                (true, true) => CallStatus::Done,
                (false, true) => CallStatus::Missed,
                (true, false) => CallStatus::Answered,
                (false, false) => CallStatus::Ringing,
            };
            prop_assert_eq!(state.status, want);
            prop_assert!(state.duration_secs.is_none_or(|d| d >= 0));
        }
    }
}
