//! 退信 — a delivery status notification is no customer's message: it goes to the ticket
//! of the mail that bounced (found by that mail's Message-ID) as a 邮件退信 event, and the
//! address it could not reach is flagged for the sending side; it never opens a ticket.

use kefu_domain::customer::mask_email;
use kefu_store::mail::inbound::{self, status};
use kefu_store::ticket as tickets;
use kefu_store::{StoreError, changelog};

use super::InboundMail;
use super::ingest::{
    IngestOutcome, IngestStatus, clean_line, first_chars, known_ticket, thread_ids,
};
use super::landing::MailLanding;
use crate::{Actor, App, AppError, Result};

impl App {
    /// A delivery status notification: an event on the ticket of the mail that bounced
    /// (found by its Message-ID) and the address flagged; no ticket is opened.
    pub(super) async fn land_bounce(
        &self,
        mail: &InboundMail,
        landing: MailLanding,
    ) -> Result<IngestOutcome> {
        let bounce = mail.bounce.clone();
        let mut ids: Vec<&str> = bounce
            .as_ref()
            .and_then(|b| b.original_message_id.as_deref())
            .into_iter()
            .collect();
        ids.extend(thread_ids(mail));
        let ticket_id = {
            let mut conn = self.store.conn().await?;
            known_ticket(&mut conn, &ids).await?
        };
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let claimed = landing
            .claim(&mut tx, status::BOUNCE, ticket_id, None, now)
            .await;
        let row = match claimed {
            Ok(row) => row,
            Err(AppError::Store(StoreError::Conflict(_))) => {
                drop(tx);
                return self.after_conflict(&landing).await;
            }
            Err(e) => return Err(e),
        };
        let recipient = bounce
            .as_ref()
            .and_then(|b| b.recipient.as_deref())
            .map(|r| {
                // `rfc822; someone@example.com`, as Final-Recipient gives it, or the bare
                // address.
                let r = r.rsplit(';').next().unwrap_or(r);
                r.trim().trim_matches(['<', '>']).to_lowercase()
            })
            .filter(|r| r.contains('@'));
        let status_code = bounce.as_ref().and_then(|b| b.status.clone());
        let diagnostic = bounce
            .as_ref()
            .and_then(|b| b.diagnostic.as_deref())
            .map(|d| first_chars(&mask_addresses(&clean_line(d)), 500));
        let mut address = recipient.clone();
        if let Some(id) = ticket_id {
            let t = tickets::by_id(&mut tx, id).await?;
            if address.is_none() {
                address = t.contact_email.map(|e| e.trim().to_lowercase());
            }
            let described = [
                recipient.as_deref().map(mask_email),
                status_code.clone(),
                diagnostic.clone(),
            ]
            .into_iter()
            .flatten()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(" · ");
            let system = Actor::system();
            crate::ticket::record_event(
                &mut tx,
                id,
                &system,
                now,
                "mail_bounced",
                None,
                Some(described).filter(|d| !d.is_empty()),
            )
            .await?;
            tickets::bump_version(&mut tx, id).await?;
            changelog::record(
                &mut tx,
                "ticket",
                id,
                changelog::Operation::Update,
                None,
                now,
            )
            .await?;
        }
        if let Some(address) = &address {
            inbound::flag_bounce(
                &mut tx,
                address,
                ticket_id,
                status_code.as_deref(),
                diagnostic.as_deref(),
                now,
            )
            .await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(IngestOutcome {
            status: IngestStatus::Bounce,
            ticket_id,
            mail_id: Some(row),
        })
    }
}

/// A bounce's diagnostic with every address in it masked.
pub(super) fn mask_addresses(text: &str) -> String {
    text.split(' ')
        .map(|word| {
            if !word.contains('@') {
                return word.to_owned();
            }
            let core = word.trim_matches(|c: char| {
                matches!(c, '<' | '>' | ',' | ';' | ':' | '"' | '\'' | '(' | ')')
            });
            word.replacen(core, &mask_email(core), 1)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bounces_diagnostic_shows_addresses_masked() {
        assert_eq!(
            mask_addresses("550 5.1.1 <13812345678@qq.com>: user unknown"),
            format!(
                "550 5.1.1 <{}>: user unknown",
                mask_email("13812345678@qq.com")
            )
        );
    }
}
