//! 回复渠道 — where an agent's public reply goes: back by the channel of the customer's
//! latest message that came by one (a mail is answered by mail, and so on); a ticket whose
//! customer never wrote by a channel is answered by mail when it has an address (an e-mail
//! ticket opened by staff), else the reply stays on the ticket and the portal.

use jiff::Timestamp;
use kefu_store::AnyConnection;
use kefu_store::ticket::Ticket;
use kefu_store::ticket::conversation;

use crate::{App, Result};

impl App {
    /// Queues public reply `message_id` on ticket `t` to go out by the customer's channel,
    /// in the transaction that wrote it. A refusal (opted out, no address, a closed
    /// window) is an event on the ticket, never an error that takes the reply back.
    pub(crate) async fn queue_reply(
        &self,
        conn: &mut AnyConnection,
        t: &Ticket,
        message_id: i64,
        now: Timestamp,
    ) -> Result<()> {
        let channel = conversation::last_inbound_channel(&mut *conn, t.id).await?;
        match channel.as_deref() {
            Some("wechat") => {
                self.queue_reply_wechat(&mut *conn, t, message_id, now)
                    .await?;
            }
            Some("sms") => {
                self.queue_reply_sms(&mut *conn, t, message_id, now).await?;
            }
            // A chat is over once it is a ticket: a later answer goes by mail when the
            // visitor left an address.
            Some("email" | "chat") | None => {
                self.queue_reply_mail(&mut *conn, t, message_id, false, now)
                    .await?;
            }
            Some(other) => {
                tracing::warn!(
                    channel = other,
                    ticket = t.id,
                    "no way to answer by this channel"
                );
            }
        }
        Ok(())
    }
}
