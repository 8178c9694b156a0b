//! 在线客服 — live chat on the department's web sites. A site pastes one script tag; the
//! widget opens a socket from a page whose origin the channel allows, and the visitor's
//! first message opens a chat (会话) that waits for an agent ([`visitor`]). Agents switch
//! to 在线, accept chats up to their limit, answer, transfer to another agent or a group,
//! link the archive's customer and end the chat ([`agent`]). Every ended chat becomes a
//! ticket with its transcript, once ([`transcript`]); when nobody is on shift the widget
//! takes a message instead, which becomes a ticket through the same intake ([`offline`]).
//!
//! Everything goes through the database: a line written on one kefu instance reaches the
//! sockets and consoles of another through the message feed ([`App::chat_feed`]), which
//! each instance reads while anyone listens.

mod admin;
mod agent;
mod landing;
mod offline;
mod tiles;
mod transcript;
mod visitor;

pub use admin::{ChatChannelForm, ChatChannelView, snippet};
pub use agent::{AgentState, SessionDetail, SessionSummary, TransferTo};
pub(crate) use landing::ChatLanding;
pub use offline::{OfflineForm, OfflineReceipt};
pub(crate) use tiles::TILES;
pub use visitor::{Hello, READ_BATCH, VisitorAck, VisitorChat, Welcome, WelcomeStatus};

pub use kefu_store::chat::ChatChannel;
pub use kefu_store::chat::agents::ChatAgent;
pub use kefu_store::chat::messages::{ChatMessage, FeedItem};
pub use kefu_store::chat::sessions::ChatSession;

use kefu_domain::customer::{mask_email, mask_phone};

/// The audit log's name for a chat channel.
const TARGET: &str = "chat_channel";

/// The change log's entry of a chat's change (the workbench's tiles follow it).
pub const SESSION_ENTITY: &str = "chat_session";

/// The most chats a list shows, and the cap its count is taken with.
pub const LIST_LIMIT: i64 = 200;

/// The most lines the feed gives at once.
pub const FEED_BATCH: i64 = 500;

/// The console, where agents answer chats.
pub const CONSOLE_LINK: &str = "/chat";

/// The chat with the visitor's phone and e-mail masked, as it leaves the use cases.
pub(crate) fn mask_session(mut s: ChatSession) -> ChatSession {
    s.visitor_phone = s.visitor_phone.as_deref().map(mask_phone);
    s.visitor_email = s.visitor_email.as_deref().map(mask_email);
    s
}
