//! 电话渠道 — the rules of calls a telephone system (CTI) reports to kefu: the customer's
//! number as the archive compares numbers ([`number`]), and the events a call goes through
//! with what they make of it, in whatever order they arrive ([`event`]).

pub mod event;
pub mod number;

pub use event::{
    CallEvent, CallEventError, CallEventKind, CallState, CallStatus, Direction, MAX_AHEAD,
    MAX_DURATION_SECS, MAX_PAST, RawCallEvent, Seen, check_event, check_recording_url,
    clean_extension, fold, needs_callback,
};
pub use number::{AreaCodeError, CallerNumber, NumberKind, clean_area_code, normalize_number};
