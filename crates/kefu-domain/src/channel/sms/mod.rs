//! 短信渠道 — the rules of text messages through an SMS gateway: what a gateway setting
//! may be and how its answers are read ([`gateway`]), the events a gateway posts — a
//! customer's text, a delivery report ([`event`]) — which texts ask for no more messages
//! (退订, [`opt_out`]), how many messages a text takes ([`segments`]), and the plain text a
//! reply becomes ([`text`]).

pub mod event;
pub mod gateway;
pub mod opt_out;
pub mod segments;
pub mod text;

pub use event::{
    DeliveryReport, DeliveryStatus, InboundSms, RawSmsEvent, SmsEvent, SmsEventError, SmsEventKind,
    check_event,
};
pub use gateway::{
    GatewayVerdict, SmsSettingsError, check_api_key, check_send_url, check_sign_name, e164,
    gateway_verdict,
};
pub use opt_out::is_opt_out;
pub use segments::{Encoding, Segments, segments};
pub use text::{mask_numbers, plain_text};
