//! 落地 — what a channel writes with the first message of a ticket it opens, in the
//! ticket's transaction: a mail's claim, files and raw bytes; a text's claim; a chat's
//! transcript. A claim
//! another delivery holds fails the transaction as a `Conflict`, and the channel's path
//! finds that delivery's answer itself.

use jiff::Timestamp;
use kefu_store::AnyConnection;

use crate::Result;
use crate::channel::chat::ChatLanding;
use crate::channel::email::MailLanding;
use crate::channel::sms::SmsLanding;

/// The delivery a new ticket comes from.
pub(crate) enum Landing {
    Mail(MailLanding),
    Sms(SmsLanding),
    /// A chat's transcript and its link to the ticket.
    Chat(ChatLanding),
}

impl Landing {
    /// Writes the delivery with message `message_id` of the new ticket `ticket_id`.
    pub(crate) async fn write(
        &self,
        conn: &mut AnyConnection,
        ticket_id: i64,
        message_id: i64,
        now: Timestamp,
    ) -> Result<()> {
        match self {
            Landing::Mail(mail) => mail
                .write(conn, ticket_id, message_id, now)
                .await
                .map(|_| ()),
            Landing::Sms(text) => text.write(conn, ticket_id, message_id, now).await,
            Landing::Chat(chat) => chat.write(conn, ticket_id, message_id, now).await,
        }
    }
}
