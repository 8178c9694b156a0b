//! 微信公众号 — the rules of a WeChat official account talking to kefu in plaintext mode
//! (明文模式): the server's signature over token, timestamp and nonce ([`signature`]); the
//! XML WeChat posts, read without a DTD or any entity beyond XML's own five ([`xml`]); what
//! each kind of message or event becomes ([`message`]); the customer-service message API's
//! answers and settings ([`api`], [`settings`]); the 48-hour window a reply must go within
//! ([`window`]); and its 2048-byte text limit ([`split`]).
//!
//! Encrypted messages (安全模式, 兼容模式) are refused: kefu does not hold the
//! EncodingAESKey.

pub mod api;
pub mod message;
pub mod settings;
pub mod signature;
pub mod split;
pub mod window;
pub mod xml;

pub use api::{ApiVerdict, token_valid_until, verdict};
pub use message::{InboundKind, WechatMessage, parse_message, ticket_subject};
pub use settings::{
    DEFAULT_API_BASE, WechatSettingsError, check_api_base, check_app_id, check_app_secret,
    check_token,
};
pub use signature::{SignatureProblem, signature, verify};
pub use split::{MAX_TEXT_BYTES, split_text};
pub use window::{REPLY_WINDOW, ReplyWindow, reply_window};
pub use xml::{MAX_BODY_BYTES, XmlError};

/// The key of the WeChat channel in a contact's opt-outs and a message's channel.
pub const CHANNEL_KEY: &str = "wechat";
