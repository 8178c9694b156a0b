//! 客户卡片 — the archive's customer a ticket is linked to, as the ticket's side panel and
//! the API show it: tier, credit grade, contacts masked as on the 360 page (revealed there
//! the same audited way), the last contact, and what is open with the customer. Each count
//! is taken with the filter of the page its link opens (the queue's customer filter, the
//! complaint board's), so the number is the number of rows that page lists.

use jiff::Timestamp;
use kefu_domain::Permission;
use kefu_domain::credit::Grade;
use kefu_store::complaint::BoardFilter;
use kefu_store::customer::{self as store, Contact};
use kefu_store::ticket::{self as ticket_store, TicketFilter};

use crate::complaint::BOARD_SHOWN;
use crate::ticket::{COUNT_CAP, Queue, QueueQuery};
use crate::{Actor, App, Result};

/// The card, sensitive values masked.
#[derive(Debug, Clone)]
pub struct CustomerCard {
    pub id: i64,
    pub name: String,
    /// A [`kefu_domain::customer::Tier`] key.
    pub tier: String,
    /// 信用等级, once investigated.
    pub credit_grade: Option<Grade>,
    /// The contacts, the primary first, masked by the archive's rule.
    pub contacts: Vec<Contact>,
    /// 最近联系 — the archive's last contact with the customer, moved by every channel.
    pub last_contact_at: Option<Timestamp>,
    /// 未结工单 — the rows of [`tickets_link`], counted up to [`COUNT_CAP`]; `None` when the
    /// reader does not work tickets.
    pub open_tickets: Option<i64>,
    /// 未结投诉 — the cards of [`complaints_link`] on the reader's board, up to
    /// [`BOARD_SHOWN`]; `None` when the reader has no board.
    pub open_complaints: Option<i64>,
    /// Whether the reader may reveal a contact's number (one at a time, audited).
    pub can_reveal: bool,
}

/// The queue of a customer's open tickets: what the card's count links to.
pub fn tickets_link(customer_id: i64) -> String {
    format!(
        "/tickets?queue={}&customer={customer_id}",
        Queue::Open.key()
    )
}

/// The complaint board narrowed to a customer: what the card's count links to.
pub fn complaints_link(customer_id: i64) -> String {
    format!("/complaints?customer={customer_id}")
}

/// The queue query of [`tickets_link`].
pub fn open_tickets_query(customer_id: i64) -> QueueQuery {
    QueueQuery {
        queue: Queue::Open,
        filter: TicketFilter {
            customer_id: Some(customer_id),
            ..TicketFilter::default()
        },
        ..QueueQuery::default()
    }
}

/// The board filter of [`complaints_link`]: the customer's open complaints.
pub fn open_complaints_filter(customer_id: i64) -> BoardFilter {
    BoardFilter {
        open_only: true,
        customer_id: Some(customer_id),
        limit: BOARD_SHOWN,
        ..BoardFilter::default()
    }
}

impl App {
    /// The customer's card as `actor` may read it.
    pub async fn customer_card(&self, actor: &Actor, id: i64) -> Result<CustomerCard> {
        actor.require(Permission::CustomerView)?;
        let (customer, contacts) = {
            let mut conn = self.store.conn().await?;
            let customer = store::by_id(&mut conn, id).await?;
            let contacts = store::contacts_of(&mut conn, id).await?;
            (customer, contacts)
        };
        let open_tickets = if actor.require(Permission::TicketWork).is_ok() {
            let f = self
                .queue_query_filter(actor, &open_tickets_query(id))
                .await?;
            let mut conn = self.store.conn().await?;
            Some(ticket_store::count(&mut conn, &f, COUNT_CAP).await?)
        } else {
            None
        };
        let open_complaints = if actor.require(Permission::ComplaintRespond).is_ok() {
            Some(
                self.count_complaints(actor, &open_complaints_filter(id))
                    .await?,
            )
        } else {
            None
        };
        Ok(CustomerCard {
            id: customer.id,
            name: customer.name,
            tier: customer.tier,
            credit_grade: customer.credit_grade.as_deref().and_then(Grade::parse),
            contacts: contacts.into_iter().map(super::mask_contact).collect(),
            last_contact_at: customer.last_contact_at,
            open_tickets,
            open_complaints,
            can_reveal: actor.require(Permission::CustomerReveal).is_ok(),
        })
    }

    /// A customer's name, for a list narrowed to the customer to say whose records it shows.
    pub async fn customer_name(&self, actor: &Actor, id: i64) -> Result<String> {
        actor.require(Permission::CustomerView)?;
        let mut conn = self.store.conn().await?;
        Ok(store::by_id(&mut conn, id).await?.name)
    }
}
