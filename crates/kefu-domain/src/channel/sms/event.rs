//! 短信事件 — what an SMS gateway posts to kefu: a customer's text (`inbound`), or what
//! became of a text kefu sent (`delivery`, the operator's delivery report). Each is checked
//! here before anything is stored; a refused one stores nothing.

use jiff::Timestamp;

use crate::channel::phone::{CallerNumber, MAX_AHEAD, MAX_PAST, normalize_number};

keyed! {
    /// What a gateway reports.
    SmsEventKind {
        /// 上行短信 — a customer's text.
        Inbound = "inbound",
        /// 状态报告 — what became of a text kefu sent.
        Delivery = "delivery",
    }
}

keyed! {
    /// What a delivery report says.
    DeliveryStatus {
        /// 已送达 — the handset has it.
        Delivered = "delivered",
        /// 发送失败 — the operator gave up on it.
        Failed = "failed",
    }
}

const ID_MAX: usize = 128;
const NUMBER_MAX: usize = 64;
/// The longest customer text taken: a long text joined from its parts is a few hundred
/// characters; far more is not a text message.
pub const TEXT_MAX: usize = 5000;
const CODE_MAX: usize = 64;
const ERROR_MAX: usize = 500;

/// An event as the gateway sent it: each field as given, or absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawSmsEvent {
    /// `inbound` or `delivery`.
    pub kind: Option<String>,
    /// The gateway's id of the text (a customer's, or one kefu sent).
    pub message_id: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub text: Option<String>,
    /// Unix seconds.
    pub received_at: Option<i64>,
    /// kefu's id of the send a report is about.
    pub reference: Option<String>,
    pub status: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    /// Unix seconds.
    pub at: Option<i64>,
}

/// A customer's text, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundSms {
    pub message_id: String,
    /// The customer's number, normalised as the archive compares numbers.
    pub from: CallerNumber,
    /// The number it was sent to (the department's), as given.
    pub to: Option<String>,
    /// The text, trimmed.
    pub text: String,
    pub received_at: Timestamp,
}

/// A delivery report, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryReport {
    /// The gateway's id of the text, when it says.
    pub message_id: Option<String>,
    /// kefu's id of the send.
    pub reference: String,
    pub status: DeliveryStatus,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub at: Timestamp,
}

/// An event kefu accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmsEvent {
    Inbound(InboundSms),
    Delivery(DeliveryReport),
}

/// Why an event is refused (and nothing of it stored).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmsEventError {
    #[error("{0} is missing")]
    Missing(&'static str),
    #[error("{field}: unknown value {value:?}")]
    Unknown {
        field: &'static str,
        value: String,
        allowed: Vec<&'static str>,
    },
    /// The sender is not a number kefu can compare or answer (withheld, letters).
    #[error("from is not a phone number")]
    BadNumber,
    #[error("{0} is more than 7 days before or 10 minutes after now")]
    OutOfBounds(&'static str),
    #[error("{0} is too long")]
    TooLong(&'static str),
}

impl SmsEventError {
    /// The field the refusal is about.
    pub fn field(&self) -> &'static str {
        match self {
            SmsEventError::Missing(f) | SmsEventError::TooLong(f) => f,
            SmsEventError::OutOfBounds(f) => f,
            SmsEventError::Unknown { field, .. } => field,
            SmsEventError::BadNumber => "from",
        }
    }
}

/// A field's text trimmed, empty as absent, refused over `max` characters.
fn text(
    v: &Option<String>,
    field: &'static str,
    max: usize,
) -> Result<Option<String>, SmsEventError> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) if s.chars().count() > max => Err(SmsEventError::TooLong(field)),
        Some(s) => Ok(Some(s.to_owned())),
    }
}

fn required(v: &Option<String>, field: &'static str, max: usize) -> Result<String, SmsEventError> {
    text(v, field, max)?.ok_or(SmsEventError::Missing(field))
}

fn key_of<T: crate::input::Keyed>(
    v: &Option<String>,
    field: &'static str,
) -> Result<T, SmsEventError> {
    let value = required(v, field, 64)?;
    T::from_key(&value).ok_or(SmsEventError::Unknown {
        field,
        value,
        allowed: T::keys(),
    })
}

/// A time in Unix seconds, `now` when absent; refused far from now.
fn time(v: Option<i64>, field: &'static str, now: Timestamp) -> Result<Timestamp, SmsEventError> {
    let Some(secs) = v else {
        return Ok(now);
    };
    let at = Timestamp::from_second(secs).map_err(|_| SmsEventError::OutOfBounds(field))?;
    if at < now - MAX_PAST || at > now + MAX_AHEAD {
        return Err(SmsEventError::OutOfBounds(field));
    }
    Ok(at)
}

/// Checks an event at `now`.
pub fn check_event(raw: &RawSmsEvent, now: Timestamp) -> Result<SmsEvent, SmsEventError> {
    let kind: SmsEventKind = key_of(&raw.kind, "type")?;
    match kind {
        SmsEventKind::Inbound => {
            let message_id = required(&raw.message_id, "message_id", ID_MAX)?;
            let from_text = required(&raw.from, "from", NUMBER_MAX)?;
            let from = normalize_number(&from_text, None).ok_or(SmsEventError::BadNumber)?;
            let to = text(&raw.to, "to", NUMBER_MAX)?;
            let body = required(&raw.text, "text", TEXT_MAX)?;
            let received_at = time(raw.received_at, "received_at", now)?;
            Ok(SmsEvent::Inbound(InboundSms {
                message_id,
                from,
                to,
                text: body,
                received_at,
            }))
        }
        SmsEventKind::Delivery => {
            let reference = required(&raw.reference, "reference", ID_MAX)?;
            let message_id = text(&raw.message_id, "message_id", ID_MAX)?;
            let status: DeliveryStatus = key_of(&raw.status, "status")?;
            let error_code = text(&raw.error_code, "error_code", CODE_MAX)?;
            let error_message = text(&raw.error_message, "error_message", ERROR_MAX)?;
            let at = time(raw.at, "at", now)?;
            Ok(SmsEvent::Delivery(DeliveryReport {
                message_id,
                reference,
                status,
                error_code,
                error_message,
                at,
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channel::phone::NumberKind;

    fn now() -> Timestamp {
        "2026-11-23T02:00:00Z".parse().unwrap()
    }

    fn inbound() -> RawSmsEvent {
        RawSmsEvent {
            kind: Some("inbound".into()),
            message_id: Some("gw-1".into()),
            from: Some("+86 138 1234 5678".into()),
            to: Some("106900001234".into()),
            text: Some(" 热水器不出热水 ".into()),
            received_at: Some(now().as_second() - 5),
            ..Default::default()
        }
    }

    #[test]
    fn an_inbound_text_is_read_with_its_number_normalised() {
        let SmsEvent::Inbound(e) = check_event(&inbound(), now()).unwrap() else {
            panic!("inbound");
        };
        assert_eq!(e.from.kind, NumberKind::Mobile);
        assert_eq!(e.from.number, "13812345678");
        assert_eq!(e.text, "热水器不出热水");
        assert_eq!(e.received_at.as_second(), now().as_second() - 5);
        let mut no_time = inbound();
        no_time.received_at = None;
        let SmsEvent::Inbound(e) = check_event(&no_time, now()).unwrap() else {
            panic!("inbound");
        };
        assert_eq!(e.received_at, now());
    }

    #[test]
    fn what_an_inbound_text_cannot_be() {
        let with = |f: fn(&mut RawSmsEvent)| {
            let mut r = inbound();
            f(&mut r);
            check_event(&r, now())
        };
        assert_eq!(
            with(|r| r.message_id = None),
            Err(SmsEventError::Missing("message_id"))
        );
        assert_eq!(
            with(|r| r.from = Some("anonymous".into())),
            Err(SmsEventError::BadNumber)
        );
        assert_eq!(
            with(|r| r.text = Some("  ".into())),
            Err(SmsEventError::Missing("text"))
        );
        assert_eq!(
            with(|r| r.text = Some("好".repeat(TEXT_MAX + 1))),
            Err(SmsEventError::TooLong("text"))
        );
        assert_eq!(
            with(|r| r.received_at = Some(now().as_second() - 8 * 24 * 3600)),
            Err(SmsEventError::OutOfBounds("received_at"))
        );
        assert!(matches!(
            with(|r| r.kind = Some("mo".into())),
            Err(SmsEventError::Unknown { field: "type", .. })
        ));
        assert_eq!(with(|r| r.kind = None), Err(SmsEventError::Missing("type")));
    }

    #[test]
    fn a_delivery_report_names_kefus_reference_and_a_final_status() {
        let raw = RawSmsEvent {
            kind: Some("delivery".into()),
            message_id: Some("gw-9".into()),
            reference: Some("kf-0a1b".into()),
            status: Some("failed".into()),
            error_code: Some("MK:0001".into()),
            error_message: Some("空号".into()),
            at: Some(now().as_second()),
            ..Default::default()
        };
        let SmsEvent::Delivery(d) = check_event(&raw, now()).unwrap() else {
            panic!("delivery");
        };
        assert_eq!(d.reference, "kf-0a1b");
        assert_eq!(d.status, DeliveryStatus::Failed);
        assert_eq!(d.error_message.as_deref(), Some("空号"));
        let mut unknown = raw.clone();
        unknown.status = Some("pending".into());
        assert!(matches!(
            check_event(&unknown, now()),
            Err(SmsEventError::Unknown {
                field: "status",
                ..
            })
        ));
        let mut no_reference = raw;
        no_reference.reference = None;
        assert_eq!(
            check_event(&no_reference, now()),
            Err(SmsEventError::Missing("reference"))
        );
    }
}
