//! 客户门户 — customers sign in, file tickets, and follow and answer their own tickets, and
//! nobody else's: every read here is filtered by the signed-in customer, and a ticket that
//! is not theirs is "not found", never "forbidden" (which would confirm it exists).
//!
//! A customer also sees the tickets filed from an address they have proven (地址验证, see
//! the `verify` module): the web-form tickets of their e-mail or mobile, from before they registered
//! and from later. Registering alone brings none: without a proven address that would hand
//! anyone's tickets to whoever types their e-mail. A ticket another account filed stays that
//! account's. Staff link a ticket to an account explicitly.

mod verify;

pub use verify::{AddressView, CodeSent, LinkVerified};

use jiff::{SignedDuration, Timestamp};
use kefu_domain::portal::AddressKind;
use kefu_domain::ticket as rules;
use kefu_domain::{Locale, staff};
use kefu_store::portal::verification as proofs;
use kefu_store::portal::{self as store, PortalCustomer};
use kefu_store::ticket::conversation::{self, Attachment, Message};
use kefu_store::ticket::{self as tickets, Ticket};
use kefu_store::{AnyConnection, StoreError, changelog};

use crate::audit::{self, Target, action};
use crate::secret;
use crate::ticket::Upload;
use crate::{Actor, ActorKind, App, AppError, Result};

/// Who a portal request comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalIdentity {
    pub id: i64,
    /// None for an account opened by signing in with a mobile code.
    pub email: Option<String>,
    pub name: String,
    pub phone: Option<String>,
}

fn identity(c: &PortalCustomer) -> PortalIdentity {
    PortalIdentity {
        id: c.id,
        email: c.email.clone(),
        name: c.name.clone(),
        phone: c.phone.clone(),
    }
}

/// A new portal session: the cookie value (shown once) and the customer.
#[derive(Debug)]
pub struct PortalSession {
    pub token: String,
    pub customer: PortalIdentity,
}

/// What the customer sees of one of their tickets: public messages only.
#[derive(Debug, Clone)]
pub struct CustomerTicket {
    pub ticket: Ticket,
    pub messages: Vec<Message>,
    pub attachments: Vec<Attachment>,
}

/// A customer's ticket page: the ticket, its RMAs' progress, and the shipped order lines an
/// RMA may be asked on (those of the ticket's customer record; none without one).
#[derive(Debug, Clone)]
pub struct CustomerTicketPage {
    pub ticket: CustomerTicket,
    pub rmas: Vec<crate::aftersales::rma::PortalRma>,
    pub rma_lines: Vec<kefu_store::order::ShippedLine>,
}

/// A customer's registration.
#[derive(Debug, Clone)]
pub struct Registration {
    pub email: String,
    pub name: String,
    pub phone: Option<String>,
    pub password: String,
    /// The language the verification e-mail is to be written in.
    pub locale: Locale,
}

/// How long a portal session lasts without use.
const PORTAL_IDLE: SignedDuration = SignedDuration::from_hours(24 * 7);

/// The most tickets the portal lists.
const LISTED: i64 = 200;

pub(crate) fn customer_of(actor: &Actor) -> Result<&PortalIdentity> {
    match &actor.kind {
        ActorKind::Customer(c) => Ok(c),
        _ => Err(AppError::Forbidden),
    }
}

/// The e-mail addresses and mobiles an account has proven.
async fn proven(conn: &mut AnyConnection, customer_id: i64) -> Result<(Vec<String>, Vec<String>)> {
    let mut emails = Vec::new();
    let mut mobiles = Vec::new();
    for (kind, address) in proofs::addresses_of(conn, customer_id).await? {
        match kind.parse::<AddressKind>() {
            Ok(AddressKind::Email) => emails.push(address),
            Ok(AddressKind::Mobile) => mobiles.push(address),
            Err(_) => {}
        }
    }
    Ok((emails, mobiles))
}

/// Whether the account sees the ticket: its own, or one filed from an address it proved.
pub(crate) async fn sees(
    conn: &mut AnyConnection,
    customer_id: i64,
    ticket_id: i64,
) -> Result<bool> {
    let (emails, mobiles) = proven(conn, customer_id).await?;
    Ok(proofs::sees_ticket(conn, customer_id, &emails, &mobiles, ticket_id).await?)
}

impl App {
    /// Opens an account, signs the customer in, and queues the link that proves the e-mail.
    pub async fn register_customer(
        &self,
        ip: Option<&str>,
        r: &Registration,
    ) -> Result<PortalSession> {
        let email = r.email.trim().to_lowercase();
        staff::check_email(&email)?;
        staff::check_display_name(&r.name)?;
        staff::check_password(&r.password)?;
        // The number tickets filed from the portal carry: checked and kept as the archive
        // keeps one, so the archive finds the customer by it.
        let phone = match r.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            Some(p) => Some(kefu_domain::customer::clean_contact_phone(p)?),
            None => None,
        };
        let hash = secret::hash_password(&r.password).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let id = store::insert(
            &mut tx,
            Some(email.as_str()),
            r.name.trim(),
            phone.as_deref(),
            Some(hash.as_str()),
            now,
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => AppError::EmailTaken,
            e => e.into(),
        })?;
        let customer = store::by_id(&mut tx, id).await?;
        let session = self.open_portal_session(&mut tx, &customer, now).await?;
        let actor = Actor::customer(identity(&customer), ip.map(str::to_owned));
        audit::write(
            &mut tx,
            self,
            &actor,
            action::PORTAL_REGISTERED,
            Some(Target {
                kind: "portal_customer",
                id: &id.to_string(),
            }),
            None,
        )
        .await?;
        changelog::record(
            &mut tx,
            "portal_customer",
            id,
            changelog::Operation::Create,
            None,
            now,
        )
        .await?;
        // Over the sending limits (one client address registering address after address),
        // the account still opens; its owner asks for the link again from the portal.
        match self
            .queue_email_link(&mut tx, id, &email, ip, r.locale, now)
            .await
        {
            Ok(()) | Err(AppError::Verify(_)) => {}
            Err(e) => return Err(e),
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(session)
    }

    async fn open_portal_session(
        &self,
        conn: &mut kefu_store::AnyConnection,
        c: &PortalCustomer,
        now: Timestamp,
    ) -> Result<PortalSession> {
        let token = secret::random_hex(32);
        store::insert_session(
            conn,
            &secret::sha256_hex(&token),
            c.id,
            now,
            now + PORTAL_IDLE,
        )
        .await?;
        Ok(PortalSession {
            token,
            customer: identity(c),
        })
    }

    /// Signs a customer in; failures are throttled per address and per account, like staff.
    pub async fn customer_login(
        &self,
        email: &str,
        password: &str,
        ip: Option<&str>,
    ) -> Result<PortalSession> {
        let email = email.trim().to_lowercase();
        let actor = Actor::anonymous(ip.map(str::to_owned));
        let now = self.now();
        let since = now - self.settings.throttle_window;
        let mut conn = self.store.conn().await?;
        let per_account = kefu_store::audit::count_for_target(
            &mut conn,
            action::PORTAL_LOGIN_FAILED,
            &email,
            since,
        )
        .await?;
        let per_ip = match ip {
            Some(ip) => {
                kefu_store::audit::count_for_ip(&mut conn, action::PORTAL_LOGIN_FAILED, ip, since)
                    .await?
            }
            None => 0,
        };
        if per_account >= self.settings.throttle_per_account
            || per_ip >= self.settings.throttle_per_ip
        {
            audit::write(
                &mut conn,
                self,
                &actor,
                action::PORTAL_LOGIN_THROTTLED,
                Some(Target {
                    kind: "portal_customer",
                    id: &email,
                }),
                None,
            )
            .await?;
            return Err(AppError::Throttled {
                retry_after_secs: self.settings.throttle_window.as_secs(),
            });
        }
        let customer = match store::by_email(&mut conn, &email).await {
            Ok(c) => Some(c),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        };
        // An account opened with a mobile code has no password: it signs in by code only.
        let hash = customer
            .as_ref()
            .and_then(|c| c.password_hash.as_deref())
            .unwrap_or(secret::DUMMY_HASH);
        let ok = secret::verify_password(password, hash).await?;
        let customer = match customer {
            Some(c) if ok && c.active && c.password_hash.is_some() => c,
            _ => {
                audit::write(
                    &mut conn,
                    self,
                    &actor,
                    action::PORTAL_LOGIN_FAILED,
                    Some(Target {
                        kind: "portal_customer",
                        id: &email,
                    }),
                    None,
                )
                .await?;
                return Err(AppError::InvalidCredentials);
            }
        };
        let mut tx = self.store.begin().await?;
        let session = self.open_portal_session(&mut tx, &customer, now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(session)
    }

    /// The customer behind a portal session cookie; extends the session while in use.
    pub async fn customer_session(&self, token: &str) -> Result<Option<PortalIdentity>> {
        let hash = secret::sha256_hex(token);
        let mut conn = self.store.conn().await?;
        let Some((customer_id, seen, expires)) = store::session(&mut conn, &hash).await? else {
            return Ok(None);
        };
        let now = self.now();
        if expires <= now {
            store::delete_session(&mut conn, &hash).await?;
            return Ok(None);
        }
        let customer = store::by_id(&mut conn, customer_id).await?;
        if !customer.active {
            return Ok(None);
        }
        if now.duration_since(seen) >= SignedDuration::from_mins(1) {
            store::touch_session(&mut conn, &hash, now, now + PORTAL_IDLE).await?;
        }
        Ok(Some(identity(&customer)))
    }

    pub async fn customer_logout(&self, token: &str) -> Result<()> {
        let mut conn = self.store.conn().await?;
        Ok(store::delete_session(&mut conn, &secret::sha256_hex(token)).await?)
    }

    /// The signed-in customer's tickets, newest activity first: their own, and those filed
    /// from an address they proved (asked for on every visit, so a web-form ticket sent from
    /// that address later shows too).
    pub async fn customer_tickets(&self, actor: &Actor) -> Result<Vec<Ticket>> {
        let c = customer_of(actor)?;
        let mut conn = self.store.conn().await?;
        let (emails, mobiles) = proven(&mut conn, c.id).await?;
        let ids = proofs::visible_ticket_ids(&mut conn, c.id, &emails, &mobiles, LISTED).await?;
        let mut list = tickets::by_ids(&mut conn, &ids).await?;
        list.sort_by(|a, b| b.updated_at.cmp(&a.updated_at).then(b.id.cmp(&a.id)));
        Ok(list
            .into_iter()
            .map(crate::confidential::mask_ticket)
            .collect())
    }

    /// One of the customer's tickets with its public conversation; another's is not found.
    pub async fn customer_ticket(&self, actor: &Actor, id: i64) -> Result<CustomerTicket> {
        let c = customer_of(actor)?;
        let mut conn = self.store.conn().await?;
        seen_ticket(&mut conn, c.id, id).await
    }

    /// One of the signed-in customer's tickets with its RMAs and the lines an RMA may be
    /// asked on, checked once; another's ticket is not found.
    pub async fn customer_ticket_page(&self, actor: &Actor, id: i64) -> Result<CustomerTicketPage> {
        let c = customer_of(actor)?;
        let mut conn = self.store.conn().await?;
        let ticket = seen_ticket(&mut conn, c.id, id).await?;
        let rmas = crate::aftersales::rma::portal_rmas_of_ticket(&mut conn, id).await?;
        let rma_lines = match ticket.ticket.customer_id {
            Some(customer) => {
                kefu_store::order::shipped_lines(
                    &mut conn,
                    customer,
                    None,
                    crate::aftersales::rma_photo::MAX_LINES,
                )
                .await?
            }
            None => Vec::new(),
        };
        Ok(CustomerTicketPage {
            ticket,
            rmas,
            rma_lines,
        })
    }

    /// An attachment the customer may see (on a public message of their ticket).
    pub async fn customer_attachment(
        &self,
        actor: &Actor,
        ticket_id: i64,
        id: i64,
    ) -> Result<(String, String, Vec<u8>)> {
        let t = self.customer_ticket(actor, ticket_id).await?;
        if !t.attachments.iter().any(|a| a.id == id) {
            return Err(AppError::NotFound);
        }
        let mut conn = self.store.conn().await?;
        Ok(conversation::attachment_data(&mut conn, ticket_id, id).await?)
    }

    /// The customer answers on their ticket: the conversation continues, a ticket waiting for
    /// them or already resolved opens again, and the assignee is told.
    pub async fn customer_reply(
        &self,
        actor: &Actor,
        id: i64,
        body: &str,
        files: &[Upload],
    ) -> Result<Message> {
        let c = customer_of(actor)?.clone();
        let body = rules::clean_body(body)?;
        let checked = self.check_uploads(files)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let t = tickets::by_id_locked(&mut tx, id).await?;
        if !sees(&mut tx, c.id, id).await? {
            return Err(AppError::NotFound);
        }
        let message_id = self
            .add_customer_message(&mut tx, actor, t, &c.name, &body, now)
            .await?;
        crate::ticket::store_checked(&mut tx, id, Some(message_id), &checked, now).await?;
        let message = conversation::messages(&mut tx, id, true)
            .await?
            .into_iter()
            .find(|m| m.id == message_id)
            .ok_or(AppError::NotFound)?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(message)
    }
}

/// Ticket `id` as customer `customer_id` sees it (public messages only), when they may see
/// it; another's is not found.
async fn seen_ticket(
    conn: &mut AnyConnection,
    customer_id: i64,
    id: i64,
) -> Result<CustomerTicket> {
    let ticket = tickets::by_id(&mut *conn, id).await?;
    if !sees(&mut *conn, customer_id, id).await? {
        return Err(AppError::NotFound);
    }
    let messages = conversation::messages(&mut *conn, id, true).await?;
    let attachments = conversation::attachments(&mut *conn, id)
        .await?
        .into_iter()
        .filter(|a| {
            !a.quarantined
                && a.message_id
                    .is_some_and(|m| messages.iter().any(|x| x.id == m))
        })
        .collect();
    Ok(CustomerTicket {
        ticket: crate::confidential::mask_ticket(ticket),
        messages,
        attachments,
    })
}
