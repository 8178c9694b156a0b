//! 邮件渠道 — e-mail in and out. In: one parser (`parse`) and one path
//! ([`App::ingest_mail`](crate::App::ingest_mail)) for every way a mail arrives (the signed
//! webhook, `kefu mail import`, fetching by IMAP — `imap`): each mail lands once per mailbox and
//! Message-ID, on the ticket it answers or on a new one, with its files, its quoted history
//! folded, and its raw bytes kept; a mail that cannot be read waits in the mailbox's failed
//! list without holding up the next. Out: a public reply on a ticket the customer wrote by
//! mail is queued as a mail in the reply's transaction (`outgoing`) and sent by a job over
//! the mailbox's SMTP server (`send`, `smtp`); so are the outbox's e-mail messages.

pub mod parse;
pub use parse::*;

pub(crate) mod admin;
mod bounce;
mod imap;
mod ingest;
mod landing;
mod outgoing;
mod send;

pub(crate) use send::beijing_minute;
mod smtp;
mod smtp_admin;
mod tiles;
mod webhook;

pub use crate::channel::signature::{MAX_SKEW_SECS, Rejection};
pub use admin::{ChannelForm, ChannelView, FailedMail, NewSecret};
pub use imap::{ImapForm, ImapTest};
pub use ingest::{IngestOutcome, IngestStatus, MailSource, webhook_body_limit};
pub(crate) use landing::MailLanding;
pub use outgoing::SEND_ATTEMPTS;
pub use send::SendOutcome;
pub use smtp_admin::{SmtpForm, TestMail};
pub(crate) use tiles::TILES;
pub use tiles::{ATTENTION_LINK, needs_attention};
