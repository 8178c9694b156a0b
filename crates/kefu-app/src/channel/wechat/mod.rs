//! 微信公众号 — WeChat official accounts, in plaintext mode (明文模式) only.
//!
//! In: WeChat checks the server once (`echostr`, [`App::check_wechat_request`]) and then
//! posts each message and event, signed over the account's Token, to
//! `/api/v1/channels/wechat/{id}`. kefu stores it raw, once per account and MsgId (an event
//! once per sender, time and event), queues a job and answers `success` at once, well
//! within WeChat's five seconds ([`receive`]). The job lands it ([`landing`]): a message
//! on the follower's ticket still being worked on, or a new ticket through the intake every
//! channel uses; a subscription or unsubscription in the linked contact's history (an
//! unsubscription is an opt-out). A follower is linked to the contact whose WeChat field is
//! their OpenID, or by an agent ([`link`]).
//!
//! Out: a public reply on a ticket the customer last wrote by WeChat is queued in the
//! reply's transaction ([`reply`]) — only within WeChat's 48-hour window, never to a
//! follower who opted out — and sent by a job through the customer-service message API,
//! split into 2048-byte texts, with the access token cached and fetched again when WeChat
//! says it expired ([`send`], [`api`]). 45015 from WeChat (the window passed meanwhile)
//! and the window passed before queueing both leave 未发送 on the ticket and tell the
//! agent who wrote the reply.
//!
//! The AppSecret, the Token and access tokens leave this module only towards WeChat.

mod admin;
mod api;
mod landing;
mod link;
mod receive;
mod reply;
mod send;

pub use admin::{NewWechatChannel, TokenTest, WechatChannelForm, WechatChannelView};
pub use link::WechatTicketView;
pub use receive::{Received, WechatQuery};
pub use reply::NotSent;

pub use kefu_store::wechat::WechatChannel;

/// The audit log's name for an official account.
const TARGET: &str = "wechat_channel";

/// Attempts a received message's job gets before it counts as failed.
const LANDING_ATTEMPTS: i64 = 6;

/// Attempts a reply gets: 30 s, 2, 8 and 32 minutes apart, then hourly — well inside the
/// 48-hour window.
pub const SEND_ATTEMPTS: i64 = 6;
