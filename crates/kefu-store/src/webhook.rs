//! What every channel's signed webhook shares in storage: its secret.

use jiff::Timestamp;
use sqlx::AnyConnection;

use crate::{Result, found, to_micros};

/// A channel whose webhook is signed with a secret of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookChannel {
    /// A mailbox (`email_channels`).
    Email,
    /// A telephone system (`phone_channels`).
    Phone,
    /// An SMS gateway (`sms_channels`).
    Sms,
}

impl WebhookChannel {
    fn table(self) -> &'static str {
        match self {
            WebhookChannel::Email => "email_channels",
            WebhookChannel::Phone => "phone_channels",
            WebhookChannel::Sms => "sms_channels",
        }
    }
}

/// Replaces the channel's webhook secret; the old one stops working at once.
pub async fn set_secret(
    conn: &mut AnyConnection,
    channel: WebhookChannel,
    id: i64,
    secret: &str,
    now: Timestamp,
) -> Result<()> {
    let done = sqlx::query(&format!(
        "UPDATE {} SET webhook_secret = $2, secret_rotated_at = $3, updated_at = $3 \
         WHERE id = $1",
        channel.table()
    ))
    .bind(id)
    .bind(secret)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    found(done)
}
