//! 催款提醒 — the job that tells customers of amounts owed a few days before they fall due
//! and after (a day, two weeks, a month late): one message per customer and run naming
//! every amount, to the primary contact on the preferred channel (text, else mail), a
//! text never inside the contact's rest hours or outside the calling hours (the next run
//! sends it). Each step of each amount goes once.

use std::collections::BTreeMap;

use kefu_domain::customer::ContactChannel;
use kefu_domain::order::shipment::{Notice, notice_route};
use kefu_domain::receivable::ReminderKind;
use kefu_domain::{Locale, money};
use kefu_store::StoreError;
use kefu_store::receivable::{self as store, ReminderDue};
use serde_json::json;

use crate::follow_up::load_settings;
use crate::outbox::{self, Outgoing};
use crate::satisfaction::relationship::may_text;
use crate::workbench::local_date;
use crate::{App, Result};

/// The most amounts one run looks at (the next run goes on).
const BATCH: i64 = 2_000;

impl App {
    /// One run of the reminder job: how many customers were told.
    pub async fn send_payment_reminders(&self) -> Result<usize> {
        let now = self.now();
        let today = local_date(now);
        let (due, settings, calendar) = {
            let mut conn = self.store.conn().await?;
            (
                store::reminders_due(&mut conn, today, BATCH).await?,
                load_settings(&mut conn).await?,
                self.business_calendar(&mut conn).await?,
            )
        };
        let mut by_customer: BTreeMap<i64, Vec<ReminderDue>> = BTreeMap::new();
        for d in due {
            by_customer.entry(d.customer_id).or_default().push(d);
        }
        let mut told = 0;
        for (customer_id, items) in by_customer {
            let mut tx = self.store.begin().await?;
            let contacts = kefu_store::customer::contacts_of(&mut tx, customer_id).await?;
            let contact = contacts.first();
            let route = contact.and_then(|c| {
                let opted: Vec<ContactChannel> =
                    c.opt_outs.iter().filter_map(|o| o.parse().ok()).collect();
                notice_route(
                    c.preferred_channel.as_deref().and_then(|p| p.parse().ok()),
                    c.mobile.as_deref(),
                    c.email.as_deref(),
                    &opted,
                )
            });
            if let (Some((Notice::Sms, _)), Some(c)) = (route, contact)
                && !may_text(&calendar, &settings, &c.rest_hours, now)
            {
                continue;
            }
            let channel = match route {
                Some((Notice::Sms, _)) => outbox::channel::SMS,
                Some(_) => outbox::channel::EMAIL,
                None => "none",
            };
            let mut marked = Vec::new();
            for i in &items {
                if store::mark_reminded(&mut tx, i.receivable_id, i.kind, channel, now).await? {
                    marked.push(i);
                }
            }
            if let (Some((_, address)), Some(c), false) = (route, contact, marked.is_empty()) {
                let overdue = marked.iter().any(|i| i.kind != ReminderKind::Before);
                let amount = money::total(marked.iter().map(|i| i.open_fen));
                let earliest = marked.iter().map(|i| i.due_on).min().unwrap_or(today);
                let refs: Vec<&str> = marked.iter().map(|i| i.reference.as_str()).collect();
                outbox::enqueue(
                    &mut tx,
                    &Outgoing {
                        channel,
                        kind: if overdue {
                            outbox::kind::PAYMENT_OVERDUE
                        } else {
                            outbox::kind::PAYMENT_DUE_SOON
                        },
                        address,
                        locale: Locale::ZhCn,
                        params: json!({
                            "salutation": c.name,
                            "count": marked.len().to_string(),
                            "amount": money::yuan(amount),
                            "due": earliest.to_string(),
                            "references": refs.join("、"),
                        }),
                        expires_at: None,
                        send_after: None,
                    },
                    now,
                )
                .await?;
                told += 1;
            }
            tx.commit().await.map_err(StoreError::from)?;
        }
        Ok(told)
    }
}

/// The words of a payment reminder (`receivable.reminder.*`) or a statement's notice
/// (`statement.notice.*`): the text message's, and the mail's subject and text; `None` for
/// another kind.
pub(crate) fn reminder_words(
    app: &App,
    kind: &str,
    locale: Locale,
    params: &serde_json::Value,
) -> Option<(String, String, String)> {
    let prefix = match kind {
        outbox::kind::PAYMENT_DUE_SOON => "receivable.reminder.due_soon",
        outbox::kind::PAYMENT_OVERDUE => "receivable.reminder.overdue",
        outbox::kind::STATEMENT_ISSUED => "statement.notice",
        _ => return None,
    };
    let get = |k: &str| params[k].as_str().unwrap_or_default();
    let args = [
        ("salutation", get("salutation")),
        ("count", get("count")),
        ("amount", get("amount")),
        ("due", get("due")),
        ("references", get("references")),
        ("number", get("number")),
        ("period", get("period")),
        ("closing", get("closing")),
        ("link", get("link")),
    ];
    Some((
        app.text(locale, &format!("{prefix}.sms"), &args),
        app.text(locale, &format!("{prefix}.mail_subject"), &args),
        app.text(locale, &format!("{prefix}.mail_body"), &args),
    ))
}
