//! 邮件 Webhook — a mail posted to a mailbox's webhook, signed with the mailbox's secret as
//! every channel's webhook is (see [`crate::channel::signature`]).

use kefu_store::mail as store;

use super::ingest::{IngestOutcome, MailSource};
use crate::channel::signature::SignedPost;
use crate::{Actor, App, AppError, Result};

impl App {
    /// A mail posted to the webhook of mailbox `channel_id`: the signature is checked first
    /// (refused: audited, nothing stored), then a switched-off mailbox refuses it, then it
    /// takes the one ingest path ([`App::ingest_mail`]).
    pub async fn receive_mail(
        &self,
        actor: &Actor,
        channel_id: i64,
        timestamp: Option<&str>,
        signature: Option<&str>,
        raw: Vec<u8>,
    ) -> Result<IngestOutcome> {
        let (channel, secret) = {
            let mut conn = self.store.conn().await?;
            let channel = store::channel(&mut conn, channel_id).await?;
            let secret = store::webhook_secret(&mut conn, channel_id).await?;
            (channel, secret)
        };
        let post = SignedPost {
            timestamp,
            signature,
            body: &raw,
        };
        self.check_webhook(actor, "email_channel", channel_id, &secret, post)
            .await?;
        if !channel.active {
            return Err(AppError::ChannelInactive);
        }
        self.ingest_for(&channel, raw, MailSource::Webhook, None)
            .await
    }
}
