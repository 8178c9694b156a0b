//! 客户卡片 on the ticket page: the linked customer of the archive at a glance. Its numbers
//! are revealed by the 360 page's own reveal (`POST /customers/{id}/reveal`, audited), sent
//! with the ticket so the answer is this page with the value on the card.

use kefu_app::Actor;
use kefu_app::customer::CustomerCard;
use kefu_app::customer::card::{complaints_link, tickets_link};

use crate::AppState;
use crate::auth::Identity;
use crate::i18n::Tr;
use crate::view::local_time;

/// One contact on the card, its numbers masked.
pub struct CardContact {
    pub id: i64,
    pub name: String,
    pub primary: bool,
    pub mobile: String,
    pub phone: String,
    pub email: String,
}

pub struct CardView {
    pub id: i64,
    pub name: String,
    pub tier: String,
    pub tier_key: String,
    /// `A`–`D`, empty while ungraded.
    pub grade: String,
    pub last_contact: String,
    /// (count, the page that lists them).
    pub open_tickets: Option<(i64, String)>,
    pub open_complaints: Option<(i64, String)>,
    pub contacts: Vec<CardContact>,
    pub can_reveal: bool,
    /// The value just revealed: (field, contact id, clear value).
    pub revealed: Option<(String, Option<i64>, String)>,
}

impl CardView {
    fn new(t: Tr, c: CustomerCard) -> CardView {
        CardView {
            id: c.id,
            tier: t.tk("tier", &c.tier),
            tier_key: c.tier,
            grade: c
                .credit_grade
                .map(|g| g.key().to_owned())
                .unwrap_or_default(),
            last_contact: c
                .last_contact_at
                .map(local_time)
                .unwrap_or_else(|| "—".into()),
            open_tickets: c.open_tickets.map(|n| (n, tickets_link(c.id))),
            open_complaints: c.open_complaints.map(|n| (n, complaints_link(c.id))),
            contacts: c
                .contacts
                .into_iter()
                .map(|x| CardContact {
                    id: x.id,
                    name: x.name,
                    primary: x.is_primary,
                    mobile: x.mobile.unwrap_or_default(),
                    phone: x.phone.unwrap_or_default(),
                    email: x.email.unwrap_or_default(),
                })
                .collect(),
            can_reveal: c.can_reveal,
            revealed: None,
            name: c.name,
        }
    }

    /// The clear value of a contact's `field` when the reader has just revealed it.
    pub fn revealed_value(&self, field: &str, contact: &i64) -> Option<&str> {
        self.revealed
            .as_ref()
            .filter(|(f, c, _)| f == field && *c == Some(*contact))
            .map(|(_, _, v)| v.as_str())
    }
}

/// The card of customer `id` as `actor` reads it; none when the reader may not see the
/// archive (the ticket page then shows only the link).
pub(crate) async fn load(state: &AppState, actor: &Actor, t: Tr, id: i64) -> Option<CardView> {
    let card = state.app.customer_card(actor, id).await.ok()?;
    Some(CardView::new(t, card))
}

/// "客户：…" for a list a card's count opens, narrowed to the customer (its number for a
/// reader who may not see the archive, or a customer that is gone).
pub(crate) async fn customer_words(state: &AppState, identity: &Identity, id: i64) -> String {
    let name = state
        .app
        .customer_name(&identity.actor(), id)
        .await
        .unwrap_or_else(|_| format!("#{id}"));
    identity
        .tr()
        .f("customer_card.filter", &[("customer", name.as_str())])
}
