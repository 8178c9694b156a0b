//! 客户档案 — the customer archive's use cases: customers and contacts with a full change
//! history, the list with filters and search, the 360 view with its timeline, linking
//! tickets, and confidentiality: sensitive fields leave this module masked, and the clear
//! value of one field is given only to someone allowed to reveal it, with an audit entry.

use jiff::Timestamp;
use kefu_domain::Permission;
use kefu_domain::customer::{
    self as rules, ContactChannel, CustomerKind, CustomerStatus, CustomerType, RestHours,
    SensitiveField, Tier,
};
use kefu_store::customer::{self as store, Change, Contact, Customer, CustomerFilter};
use kefu_store::{AnyConnection, StoreError, changelog};
use serde_json::json;

use crate::idempotency::{self, Created, IdempotencyKey, Resource};
use crate::{Actor, App, AppError, Result};

mod attention;
pub mod card;
mod history;
mod tiles;

pub use attention::{Attention, AttentionReason};
pub use card::CustomerCard;
pub(crate) use history::set_owner;
use history::{HistoryWriter, changed_fields};
pub(crate) use tiles::TILES;

/// A customer as submitted. Sensitive fields: `None` keeps the stored value, `Some("")`
/// clears it.
#[derive(Debug, Clone)]
pub struct CustomerForm {
    pub kind: CustomerKind,
    pub name: String,
    pub tier: Tier,
    pub customer_type: CustomerType,
    pub status: CustomerStatus,
    pub province: String,
    pub city: String,
    pub industry: String,
    pub owner_id: Option<i64>,
    pub tags: String,
    pub notes: String,
    pub id_number: Option<String>,
    pub address: Option<String>,
    pub bank_account: Option<String>,
}

/// A contact as submitted; `mobile` and `phone`: `None` keeps the stored value.
#[derive(Debug, Clone, Default)]
pub struct ContactForm {
    pub name: String,
    pub title: String,
    pub mobile: Option<String>,
    pub phone: Option<String>,
    pub email: String,
    pub wechat: String,
    pub preferred_channel: Option<ContactChannel>,
    pub opt_outs: Vec<ContactChannel>,
    pub rest_hours: String,
    pub is_primary: bool,
}

/// One thing that happened with a customer, for the 360 timeline. Each business area adds
/// its own entries (tickets now; complaints, orders, follow-ups, surveys as they land).
#[derive(Debug, Clone)]
pub struct TimelineEntry {
    pub at: Timestamp,
    /// `ticket`, `change`, …
    pub kind: &'static str,
    pub title: String,
    pub detail: String,
    pub link: Option<String>,
}

/// Everything the 360 page shows, sensitive values masked.
#[derive(Debug, Clone)]
pub struct CustomerView {
    pub customer: Customer,
    pub contacts: Vec<Contact>,
    pub history: Vec<Change>,
    pub timeline: Vec<TimelineEntry>,
    pub can_reveal: bool,
}

fn opt(s: &str, max: usize, what: &'static str) -> Result<Option<String>> {
    let t = s.trim();
    if t.chars().count() > max {
        return Err(rules::CustomerRuleError::TooLong(what).into());
    }
    Ok(Some(t.to_owned()).filter(|t| !t.is_empty()))
}

fn masked(field: SensitiveField, v: &Option<String>) -> Option<String> {
    v.as_deref().map(|s| rules::mask(field, s))
}

/// The customer with its sensitive fields masked.
fn mask_customer(mut c: Customer) -> Customer {
    c.id_number = masked(SensitiveField::IdNumber, &c.id_number);
    c.address = masked(SensitiveField::Address, &c.address);
    c.bank_account = masked(SensitiveField::BankAccount, &c.bank_account);
    c
}

fn mask_contact(mut c: Contact) -> Contact {
    c.mobile = masked(SensitiveField::Mobile, &c.mobile);
    c.phone = masked(SensitiveField::Phone, &c.phone);
    c.email = c.email.as_deref().map(rules::mask_email);
    c
}

/// Whether a history field holds sensitive data (shown masked in the history too).
fn sensitive_history(field: &str) -> Option<SensitiveField> {
    match field {
        "id_number" => Some(SensitiveField::IdNumber),
        "address" => Some(SensitiveField::Address),
        "bank_account" => Some(SensitiveField::BankAccount),
        "contact.mobile" => Some(SensitiveField::Mobile),
        "contact.phone" => Some(SensitiveField::Phone),
        _ => None,
    }
}

fn apply_form(c: &mut Customer, f: &CustomerForm) -> Result<()> {
    c.kind = f.kind.key().to_owned();
    c.name = rules::clean_name(&f.name)?;
    c.name_key = rules::name_key(&c.name);
    c.tier = f.tier.key().to_owned();
    c.customer_type = f.customer_type.key().to_owned();
    c.status = f.status.key().to_owned();
    // Stored in full as imports and the demo store them (`浙江`, `杭州` → `浙江省`, `杭州市`),
    // so one filter by province finds every customer.
    let place = kefu_domain::region::place(&f.province, &f.city);
    c.province = opt(&place.province, 40, "province")?;
    c.city = opt(&place.city, 40, "city")?;
    c.industry = opt(&f.industry, 60, "industry")?;
    c.owner_id = f.owner_id;
    c.tags = kefu_domain::ticket::clean_tags(&f.tags)?;
    c.notes = opt(&f.notes, 5000, "notes")?;
    if let Some(v) = &f.id_number {
        c.id_number = opt(v, 30, "id_number")?;
    }
    if let Some(v) = &f.address {
        c.address = opt(v, 300, "address")?;
    }
    if let Some(v) = &f.bank_account {
        c.bank_account = opt(v, 40, "bank_account")?;
    }
    Ok(())
}

fn apply_contact(c: &mut Contact, f: &ContactForm) -> Result<()> {
    c.name = rules::clean_name(&f.name)?;
    c.title = opt(&f.title, 60, "title")?;
    if let Some(m) = &f.mobile {
        c.mobile = match m.trim() {
            "" => None,
            m => Some(rules::clean_mobile(m)?),
        };
    }
    if let Some(p) = &f.phone {
        c.phone = match p.trim() {
            "" => None,
            p => Some(rules::clean_phone(p)?),
        };
    }
    c.email = match f.email.trim() {
        "" => None,
        // The form showed the address masked and it came back unchanged.
        e if rules::is_mask_of(e, c.email.as_deref(), rules::mask_email) => c.email.clone(),
        e => {
            kefu_domain::staff::check_email(e)?;
            Some(e.to_lowercase())
        }
    };
    c.wechat = opt(&f.wechat, 60, "wechat")?;
    c.preferred_channel = f.preferred_channel.map(|p| p.key().to_owned());
    c.opt_outs = f.opt_outs.iter().map(|o| o.key().to_owned()).collect();
    c.rest_hours = RestHours::parse(&f.rest_hours)?.to_string();
    c.is_primary = f.is_primary;
    Ok(())
}

async fn check_owner(conn: &mut AnyConnection, id: Option<i64>) -> Result<()> {
    if let Some(id) = id {
        let u = kefu_store::staff::user_by_id(conn, id)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => AppError::UnknownAssignee,
                e => e.into(),
            })?;
        if !u.active {
            return Err(AppError::UnknownAssignee);
        }
    }
    Ok(())
}

impl App {
    /// Adds a customer with its contacts; returns the id.
    pub async fn create_customer(
        &self,
        actor: &Actor,
        f: &CustomerForm,
        contacts: &[ContactForm],
    ) -> Result<i64> {
        Ok(self
            .create_customer_with_key(actor, f, contacts, None)
            .await?
            .id)
    }

    /// [`create_customer`](Self::create_customer) for an API call with an
    /// `Idempotency-Key`: a retry gets the first request's customer (`replayed`); the same
    /// key with another request is refused.
    pub async fn create_customer_with_key(
        &self,
        actor: &Actor,
        f: &CustomerForm,
        contacts: &[ContactForm],
        key: Option<&IdempotencyKey>,
    ) -> Result<Created> {
        actor.require(Permission::CustomerEdit)?;
        if let Some(k) = key
            && let Some(id) = self.replay_of(k, Resource::Customer).await?
        {
            return Ok(Created { id, replayed: true });
        }
        match self.write_customer(actor, f, contacts, key).await {
            Ok(id) => Ok(Created {
                id,
                replayed: false,
            }),
            Err(e) => Ok(Created {
                id: self.replay_after(key, Resource::Customer, e).await?,
                replayed: true,
            }),
        }
    }

    /// The customer written, with `key` claimed in its transaction.
    async fn write_customer(
        &self,
        actor: &Actor,
        f: &CustomerForm,
        contacts: &[ContactForm],
        key: Option<&IdempotencyKey>,
    ) -> Result<i64> {
        let now = self.now();
        let mut c = Customer {
            id: 0,
            kind: String::new(),
            name: String::new(),
            name_key: String::new(),
            tier: String::new(),
            customer_type: String::new(),
            status: String::new(),
            province: None,
            city: None,
            industry: None,
            owner_id: None,
            owner_name: None,
            tags: Vec::new(),
            notes: None,
            id_number: None,
            address: None,
            bank_account: None,
            last_contact_at: None,
            credit_grade: None,
            credit_limit_fen: 0,
            payment_terms: None,
            credit_updated_at: None,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        apply_form(&mut c, f)?;
        let mut checked = Vec::new();
        for cf in contacts {
            let mut contact = Contact {
                id: 0,
                customer_id: 0,
                name: String::new(),
                title: None,
                mobile: None,
                phone: None,
                email: None,
                wechat: None,
                preferred_channel: None,
                opt_outs: Vec::new(),
                rest_hours: String::new(),
                is_primary: false,
            };
            apply_contact(&mut contact, cf)?;
            checked.push(contact);
        }
        let mut tx = self.store.begin().await?;
        check_owner(&mut tx, c.owner_id).await?;
        let id = store::save(&mut tx, &c).await?;
        if let Some(k) = key {
            idempotency::claim(&mut tx, k, Resource::Customer, id, now).await?;
        }
        let h = HistoryWriter {
            actor,
            customer_id: id,
            contact_id: None,
            at: now,
        };
        h.write(&mut tx, "created", None, Some(c.name.clone()))
            .await?;
        for (i, mut contact) in checked.into_iter().enumerate() {
            contact.customer_id = id;
            contact.is_primary = contact.is_primary || i == 0;
            let cid = store::save_contact(&mut tx, &contact, now).await?;
            let h = HistoryWriter {
                actor,
                customer_id: id,
                contact_id: Some(cid),
                at: now,
            };
            h.write(&mut tx, "contact.added", None, Some(contact.name.clone()))
                .await?;
        }
        changelog::record(
            &mut tx,
            "customer",
            id,
            changelog::Operation::Create,
            actor.user_id(),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(id)
    }

    /// Changes a customer; every changed field is recorded (who, when, old → new).
    ///
    /// `expected` is the version the form was rendered with (`None` when the caller did not
    /// say). When the customer has moved on from it, nothing is written and the answer is
    /// [`AppError::StaleVersion`] with the current version; the check and the lock are one
    /// statement, so no other writer comes in between.
    pub async fn update_customer(
        &self,
        actor: &Actor,
        id: i64,
        f: &CustomerForm,
        expected: Option<i64>,
    ) -> Result<()> {
        actor.require(Permission::CustomerEdit)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if let Some(v) = expected
            && !store::lock_at_version(&mut tx, id, v).await?
        {
            let current = store::by_id(&mut tx, id).await?.version;
            // The customer's history records no versions; the form compares values itself.
            return Err(AppError::StaleVersion {
                current,
                changed: Vec::new(),
            });
        }
        let before = store::by_id(&mut tx, id).await?;
        let mut c = before.clone();
        apply_form(&mut c, f)?;
        check_owner(&mut tx, c.owner_id).await?;
        if changed_fields(&before, &c)
            .iter()
            .all(|(_, old, new)| old == new)
        {
            // Sent back as it was: nothing to write, and the version stays.
            return Ok(());
        }
        c.updated_at = now;
        store::save(&mut tx, &c).await?;
        let h = HistoryWriter {
            actor,
            customer_id: id,
            contact_id: None,
            at: now,
        };
        for (field, old, new) in changed_fields(&before, &c) {
            h.write(&mut tx, field, old, new).await?;
        }
        changelog::record(
            &mut tx,
            "customer",
            id,
            changelog::Operation::Update,
            actor.user_id(),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// Adds a contact (`contact_id` = None) or changes one, recording every change.
    pub async fn save_contact(
        &self,
        actor: &Actor,
        customer_id: i64,
        contact_id: Option<i64>,
        f: &ContactForm,
    ) -> Result<i64> {
        actor.require(Permission::CustomerEdit)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        store::by_id(&mut tx, customer_id).await?;
        let before = match contact_id {
            Some(cid) => {
                let c = store::contact_by_id(&mut tx, cid).await?;
                if c.customer_id != customer_id {
                    return Err(AppError::NotFound);
                }
                Some(c)
            }
            None => None,
        };
        let mut c = before.clone().unwrap_or(Contact {
            id: 0,
            customer_id,
            name: String::new(),
            title: None,
            mobile: None,
            phone: None,
            email: None,
            wechat: None,
            preferred_channel: None,
            opt_outs: Vec::new(),
            rest_hours: String::new(),
            is_primary: false,
        });
        apply_contact(&mut c, f)?;
        let cid = store::save_contact(&mut tx, &c, now).await?;
        let h = HistoryWriter {
            actor,
            customer_id,
            contact_id: Some(cid),
            at: now,
        };
        match before {
            None => {
                h.write(&mut tx, "contact.added", None, Some(c.name.clone()))
                    .await?
            }
            Some(b) => {
                let list = |v: &[String]| Some(v.join(", ")).filter(|x| !x.is_empty());
                for (field, old, new) in [
                    ("contact.name", Some(b.name.clone()), Some(c.name.clone())),
                    ("contact.title", b.title.clone(), c.title.clone()),
                    ("contact.mobile", b.mobile.clone(), c.mobile.clone()),
                    ("contact.phone", b.phone.clone(), c.phone.clone()),
                    ("contact.email", b.email.clone(), c.email.clone()),
                    ("contact.wechat", b.wechat.clone(), c.wechat.clone()),
                    (
                        "contact.preferred_channel",
                        b.preferred_channel.clone(),
                        c.preferred_channel.clone(),
                    ),
                    ("contact.opt_outs", list(&b.opt_outs), list(&c.opt_outs)),
                    (
                        "contact.rest_hours",
                        Some(b.rest_hours.clone()).filter(|x| !x.is_empty()),
                        Some(c.rest_hours.clone()).filter(|x| !x.is_empty()),
                    ),
                ] {
                    h.write(&mut tx, field, old, new).await?;
                }
            }
        }
        changelog::record(
            &mut tx,
            "customer",
            customer_id,
            changelog::Operation::Update,
            actor.user_id(),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(cid)
    }

    /// One page of the customer list, sensitive values masked.
    pub async fn customers(
        &self,
        actor: &Actor,
        f: &CustomerFilter,
        after: Option<i64>,
        limit: i64,
    ) -> Result<Vec<(Customer, Option<Contact>)>> {
        actor.require(Permission::CustomerView)?;
        let found = self.customers_in_index(actor, f.text.as_deref()).await?;
        let found = found
            .as_ref()
            .map(|(ids, changed)| store::IndexMatches { ids, changed });
        let mut conn = self.store.conn().await?;
        let list = store::list(&mut conn, f, found, after, limit.clamp(1, 200)).await?;
        let ids: Vec<i64> = list.iter().map(|c| c.id).collect();
        let mut contacts = store::contacts_of_many(&mut conn, &ids).await?;
        // Ordered by customer, primary first: the first of each customer is its primary.
        contacts.dedup_by_key(|c| c.customer_id);
        Ok(list
            .into_iter()
            .map(|c| {
                let primary = contacts
                    .iter()
                    .find(|x| x.customer_id == c.id)
                    .cloned()
                    .map(mask_contact);
                (mask_customer(c), primary)
            })
            .collect())
    }

    /// How many customers the list shows for `f` over all its pages, counting at most
    /// `cap`: the count of a workbench tile that opens the list so filtered. Asked for
    /// filters without a name text (the list answers those from the search index).
    pub async fn count_customers(
        &self,
        actor: &Actor,
        f: &CustomerFilter,
        cap: i64,
    ) -> Result<i64> {
        actor.require(Permission::CustomerView)?;
        let mut conn = self.store.conn().await?;
        Ok(store::count_matching(&mut conn, f, cap).await?)
    }

    /// The archive's customers with a contact whose mobile is the ticket's contact phone,
    /// for linking the ticket — found without showing the reader the number.
    pub async fn customers_matching_ticket(
        &self,
        actor: &Actor,
        ticket_id: i64,
    ) -> Result<Vec<(Customer, Option<Contact>)>> {
        actor.require(Permission::CustomerView)?;
        actor.require(Permission::TicketWork)?;
        let mut conn = self.store.conn().await?;
        let t = kefu_store::ticket::by_id(&mut conn, ticket_id).await?;
        let Some(mobile) = t
            .contact_phone
            .as_deref()
            .and_then(|p| rules::clean_mobile(p).ok())
        else {
            return Ok(Vec::new());
        };
        let contacts = store::contacts_by_mobile(&mut conn, &mobile).await?;
        let mut ids: Vec<i64> = contacts.iter().map(|c| c.customer_id).collect();
        ids.sort_unstable();
        ids.dedup();
        Ok(store::by_ids(&mut conn, &ids)
            .await?
            .into_iter()
            .map(|c| {
                let contact = contacts
                    .iter()
                    .find(|x| x.customer_id == c.id)
                    .cloned()
                    .map(mask_contact);
                (mask_customer(c), contact)
            })
            .collect())
    }

    /// The 360 view: profile, contacts, history and timeline, sensitive values masked.
    pub async fn customer_view(&self, actor: &Actor, id: i64) -> Result<CustomerView> {
        actor.require(Permission::CustomerView)?;
        let mut conn = self.store.conn().await?;
        let customer = store::by_id(&mut conn, id).await?;
        let contacts = store::contacts_of(&mut conn, id).await?;
        let mut history = store::history(&mut conn, id).await?;
        for h in &mut history {
            if let Some(field) = sensitive_history(&h.field) {
                h.old_value = masked(field, &h.old_value);
                h.new_value = masked(field, &h.new_value);
            } else if h.field == "contact.email" {
                h.old_value = h.old_value.as_deref().map(rules::mask_email);
                h.new_value = h.new_value.as_deref().map(rules::mask_email);
            }
        }
        let mut timeline: Vec<TimelineEntry> = store::tickets_of(&mut conn, id, 100)
            .await?
            .into_iter()
            .map(|(tid, number, subject, category, at)| TimelineEntry {
                at,
                kind: "ticket",
                title: format!("{number} {subject}"),
                detail: category,
                link: Some(format!("/tickets/{tid}")),
            })
            .collect();
        // Complaints join the timeline with their stage (the detail is the stage key).
        let complaints = kefu_store::complaint::list(
            &mut conn,
            &kefu_store::complaint::BoardFilter {
                customer_id: Some(id),
                limit: 100,
                ..Default::default()
            },
        )
        .await?;
        timeline.extend(complaints.into_iter().map(|c| TimelineEntry {
            at: c.received_at,
            kind: "complaint",
            title: format!(
                "{} {}",
                c.ticket_number,
                c.content.chars().take(40).collect::<String>()
            ),
            detail: c.stage.key().to_owned(),
            link: Some(format!("/complaints/{}", c.id)),
        }));
        timeline.sort_by_key(|e| std::cmp::Reverse(e.at));
        Ok(CustomerView {
            customer: mask_customer(customer),
            contacts: contacts.into_iter().map(mask_contact).collect(),
            history,
            timeline,
            can_reveal: actor.require(Permission::CustomerReveal).is_ok(),
        })
    }

    /// 查看 — the clear value of one sensitive field, written to the audit log (who, when,
    /// which customer, which field). `contact_id` names the contact for mobile and phone.
    pub async fn reveal(
        &self,
        actor: &Actor,
        customer_id: i64,
        field: SensitiveField,
        contact_id: Option<i64>,
    ) -> Result<String> {
        actor.require(Permission::CustomerReveal)?;
        let mut tx = self.store.begin().await?;
        let c = store::by_id(&mut tx, customer_id).await?;
        let value = match field {
            SensitiveField::IdNumber => c.id_number,
            SensitiveField::Address => c.address,
            SensitiveField::BankAccount => c.bank_account,
            SensitiveField::Mobile | SensitiveField::Phone => {
                let contact =
                    store::contact_by_id(&mut tx, contact_id.ok_or(AppError::NotFound)?).await?;
                if contact.customer_id != customer_id {
                    return Err(AppError::NotFound);
                }
                if field == SensitiveField::Mobile {
                    contact.mobile
                } else {
                    contact.phone
                }
            }
        }
        .unwrap_or_default();
        let detail = json!({"field": field.key(), "contact_id": contact_id, "customer": c.name});
        crate::confidential::audit_reveal(&mut tx, self, actor, "customer", customer_id, detail)
            .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(value)
    }

    /// Links a ticket to a customer (or unlinks it with `None`), as an event on the ticket.
    pub async fn link_ticket_customer(
        &self,
        actor: &Actor,
        ticket_id: i64,
        customer_id: Option<i64>,
    ) -> Result<()> {
        actor.require(Permission::TicketWork)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let t = kefu_store::ticket::by_id(&mut tx, ticket_id).await?;
        let name = match customer_id {
            Some(cid) => {
                let c = store::by_id(&mut tx, cid).await.map_err(|e| match e {
                    StoreError::NotFound => AppError::UnknownCustomer,
                    e => e.into(),
                })?;
                // The ticket's latest activity is contact with the customer, then — not
                // now, when an old ticket is linked.
                store::touch_contact(&mut tx, cid, t.updated_at).await?;
                Some(c.name)
            }
            None => None,
        };
        // The event first: it carries the version the link is made on (see
        // `kefu_store::ticket::changed_since`); the link moves the version on.
        crate::ticket::record_event(
            &mut tx,
            ticket_id,
            actor,
            now,
            "customer_link",
            t.customer_name.clone(),
            name,
        )
        .await?;
        store::link_ticket(&mut tx, ticket_id, customer_id).await?;
        changelog::record(
            &mut tx,
            "ticket",
            ticket_id,
            changelog::Operation::Update,
            actor.user_id(),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }
}
