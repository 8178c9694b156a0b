//! 受理 — the one path by which a request becomes a ticket. The public web form, the staff
//! form, the API and every channel added later call [`App::intake`]; an optional external
//! id makes a retried delivery return the first ticket instead of creating a second, and so
//! does an API client's `Idempotency-Key` ([`App::intake_with_key`], see
//! [`crate::idempotency`]).

use kefu_domain::Permission;
use kefu_domain::staff;
use kefu_domain::ticket::{self as rules, Channel, Priority, StatusCategory, TicketType};
use kefu_store::ticket::setup as store_setup;
use kefu_store::ticket::{self as store, Ticket, TicketSla};
use kefu_store::{AnyConnection, StoreError};

use super::attachments::Upload;
use super::intake_writer::Prepared;
use super::landing::Landing;
use super::{check_fields, check_tier, number_day};
use crate::channel::chat::ChatLanding;
use crate::channel::email::MailLanding;
use crate::channel::sms::SmsLanding;
use crate::idempotency::{IdempotencyKey, Resource};
use crate::{Actor, ActorKind, App, AppError, Result};

/// A request to open a ticket.
#[derive(Debug, Clone)]
pub struct Intake {
    pub ticket_type: TicketType,
    pub channel: Channel,
    pub subject: String,
    /// The customer's words: the first message of the conversation.
    pub body: String,
    pub priority: Priority,
    pub customer_name: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    /// `key_account`, `vip` or `normal`; chooses the SLA policy.
    pub customer_tier: Option<String>,
    /// The portal customer the ticket is for (staff only; a customer files for themselves).
    pub requester_id: Option<i64>,
    /// The archive's customer the ticket is about, picked by staff (staff only; without it
    /// the customer whose contact has the ticket's mobile is linked, when only one has).
    pub customer_id: Option<i64>,
    /// The sender's id for this request (mail Message-ID, webhook event id, form token).
    pub external_id: Option<String>,
    /// Free text, split into tags.
    pub tags: String,
    pub group_id: Option<i64>,
    pub assignee_id: Option<i64>,
    /// Custom field values by field key.
    pub fields: Vec<(String, String)>,
}

impl Intake {
    /// A request with only the essentials; the rest at their defaults.
    pub fn new(channel: Channel, subject: &str, body: &str) -> Intake {
        Intake {
            ticket_type: TicketType::Inquiry,
            channel,
            subject: subject.to_owned(),
            body: body.to_owned(),
            priority: Priority::Normal,
            customer_name: None,
            contact_name: None,
            contact_email: None,
            contact_phone: None,
            customer_tier: None,
            requester_id: None,
            customer_id: None,
            external_id: None,
            tags: String::new(),
            group_id: None,
            assignee_id: None,
            fields: Vec::new(),
        }
    }
}

/// The ticket, and whether this call created it (false: an earlier delivery did).
#[derive(Debug, Clone)]
pub struct IntakeOutcome {
    pub ticket: Ticket,
    pub created: bool,
    /// An earlier request with the same `Idempotency-Key` created the ticket: this is its
    /// answer, given again.
    pub replayed: bool,
}

impl IntakeOutcome {
    /// The ticket an earlier request with the same key created, as it is now.
    pub(super) fn replay(ticket: Ticket) -> IntakeOutcome {
        IntakeOutcome {
            ticket,
            created: false,
            replayed: true,
        }
    }
}

/// A contact phone as the archive keeps one (a mobile as its 11 digits), or none.
pub(super) fn clean_contact_phone(v: Option<&str>) -> Result<Option<String>> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(p) => Ok(Some(kefu_domain::customer::clean_contact_phone(p)?)),
    }
}

pub(super) fn clean_opt(v: Option<&str>, max: usize) -> Result<Option<String>> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) if s.chars().count() <= max => Ok(Some(s.to_owned())),
        Some(_) => Err(AppError::TooLong),
    }
}

pub(super) fn clean_email(v: Option<&str>) -> Result<Option<String>> {
    let email = clean_opt(v, 254)?;
    if let Some(e) = &email {
        staff::check_email(e)?;
    }
    Ok(email)
}

/// The user a ticket may be assigned to: active and allowed to work tickets.
pub(super) async fn check_assignee(conn: &mut AnyConnection, id: i64) -> Result<String> {
    let user = kefu_store::staff::user_by_id(conn, id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => AppError::UnknownAssignee,
            e => e.into(),
        })?;
    if !user.active || !user.roles.allows(Permission::TicketWork) {
        return Err(AppError::UnknownAssignee);
    }
    Ok(user.display_name)
}

/// The archive's customer a ticket is linked to: one that exists and that the actor may
/// see; its name.
pub(super) async fn check_archive_customer(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
) -> Result<String> {
    actor.require(Permission::CustomerView)?;
    match kefu_store::customer::by_id(conn, id).await {
        Ok(c) => Ok(c.name),
        Err(StoreError::NotFound) => Err(AppError::UnknownArchiveCustomer),
        Err(e) => Err(e.into()),
    }
}

/// A portal customer a ticket may belong to: one that exists and is active.
pub(super) async fn check_requester(conn: &mut AnyConnection, id: i64) -> Result<()> {
    match kefu_store::portal::by_id(conn, id).await {
        Ok(c) if c.active => Ok(()),
        Ok(_) | Err(StoreError::NotFound) => Err(AppError::UnknownCustomer),
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn check_group(conn: &mut AnyConnection, id: i64) -> Result<String> {
    store_setup::groups(conn)
        .await?
        .into_iter()
        .find(|g| g.id == id)
        .map(|g| g.name)
        .ok_or(AppError::UnknownGroup)
}

impl App {
    /// Refuses a visitor who has sent more web forms this hour than the setting allows.
    async fn check_web_form_rate(&self, actor: &Actor, now: jiff::Timestamp) -> Result<()> {
        let Some(ip) = actor.ip.as_deref() else {
            return Ok(());
        };
        let since = now - jiff::SignedDuration::from_hours(1);
        let mut conn = self.store.conn().await?;
        let sent = kefu_store::audit::count_for_ip(
            &mut conn,
            crate::audit::action::WEB_FORM_SUBMITTED,
            ip,
            since,
        )
        .await?;
        if sent >= self.settings.web_form_per_hour {
            return Err(AppError::WebFormThrottled);
        }
        Ok(())
    }

    /// Opens a ticket, or returns the one an earlier delivery with the same external id
    /// opened. Staff (and the API) may set everything; an anonymous visitor only files a
    /// web-form request, with a name and a way to be reached.
    pub async fn intake(&self, actor: &Actor, req: &Intake) -> Result<IntakeOutcome> {
        self.intake_with_files(actor, req, &[]).await
    }

    /// [`intake`](Self::intake) with files attached to the first message.
    pub async fn intake_with_files(
        &self,
        actor: &Actor,
        req: &Intake,
        files: &[Upload],
    ) -> Result<IntakeOutcome> {
        self.intake_claiming(actor, req, files, None).await
    }

    /// [`intake`](Self::intake) for an API call with an `Idempotency-Key`: a retry of an
    /// earlier request with the key gets that request's ticket (`replayed`); the same key
    /// with another request is refused.
    pub async fn intake_with_key(
        &self,
        actor: &Actor,
        req: &Intake,
        key: Option<&IdempotencyKey>,
    ) -> Result<IntakeOutcome> {
        let claim = key.map(|k| (k.clone(), Resource::Ticket));
        self.intake_claiming(actor, req, &[], claim).await
    }

    /// The intake itself; `claim` is the key the new ticket's transaction takes, and what it
    /// is remembered as (a complaint opened without a ticket claims its key here).
    pub(crate) async fn intake_claiming(
        &self,
        actor: &Actor,
        req: &Intake,
        files: &[Upload],
        claim: Option<(IdempotencyKey, Resource)>,
    ) -> Result<IntakeOutcome> {
        self.intake_core(actor, req, files, claim, None).await
    }

    /// A ticket opened by a mail (see [`crate::channel::email`]): the mail's claim, files,
    /// quoted history and raw bytes are written in the ticket's transaction. A claim
    /// another delivery of the mail holds fails it as a `Conflict`, and nothing is written.
    pub(crate) async fn intake_mail(
        &self,
        req: &Intake,
        mail: MailLanding,
    ) -> Result<IntakeOutcome> {
        self.intake_core(&Actor::system(), req, &[], None, Some(Landing::Mail(mail)))
            .await
    }

    /// A ticket opened by a customer's text (see [`crate::channel::sms`]): the text's claim
    /// is written in the ticket's transaction. A claim another delivery of the text holds
    /// fails it as a `Conflict`, and nothing is written.
    pub(crate) async fn intake_sms(&self, req: &Intake, text: SmsLanding) -> Result<IntakeOutcome> {
        self.intake_core(&Actor::system(), req, &[], None, Some(Landing::Sms(text)))
            .await
    }

    /// A ticket made of a chat, or of a message left on a chat channel's offline form (see
    /// [`crate::channel::chat`]): the rest of the transcript and the chat's link to the
    /// ticket are written in the ticket's transaction. A chat that became a ticket
    /// meanwhile fails it as a `Conflict`, and nothing is written.
    pub(crate) async fn intake_chat(
        &self,
        req: &Intake,
        chat: ChatLanding,
    ) -> Result<IntakeOutcome> {
        self.intake_core(&Actor::system(), req, &[], None, Some(Landing::Chat(chat)))
            .await
    }

    async fn intake_core(
        &self,
        actor: &Actor,
        req: &Intake,
        files: &[Upload],
        claim: Option<(IdempotencyKey, Resource)>,
        landing: Option<Landing>,
    ) -> Result<IntakeOutcome> {
        let checked = self.check_uploads(files)?;
        let staff = match &actor.kind {
            ActorKind::System => true,
            ActorKind::User(_) => {
                actor.require(Permission::TicketWork)?;
                true
            }
            ActorKind::Anonymous => {
                if req.channel != Channel::WebForm {
                    return Err(AppError::Forbidden);
                }
                false
            }
            ActorKind::Customer(_) => {
                if req.channel != Channel::Portal {
                    return Err(AppError::Forbidden);
                }
                false
            }
        };
        // A portal customer files for themselves, and is reachable through their account.
        // Staff may file on behalf of a portal customer, who then sees it in the portal.
        let (requester_id, from_customer) = match &actor.kind {
            ActorKind::Customer(c) => (Some(c.id), Some(c)),
            _ if staff => (req.requester_id, None),
            _ => (None, None),
        };
        let subject = rules::clean_subject(&req.subject)?;
        let body = rules::clean_body(&req.body)?;
        let mut customer_name = clean_opt(req.customer_name.as_deref(), 200)?;
        let customer_id = req.customer_id.filter(|_| staff);
        let contact_name = match from_customer {
            Some(c) => Some(c.name.clone()),
            None => clean_opt(req.contact_name.as_deref(), 100)?,
        };
        let contact_email = match from_customer {
            Some(c) => c.email.clone(),
            None => clean_email(req.contact_email.as_deref())?,
        };
        let contact_phone = match from_customer {
            Some(c) => c.phone.clone(),
            None => clean_contact_phone(req.contact_phone.as_deref())?,
        };
        let external_id = clean_opt(req.external_id.as_deref(), 200)?;
        let customer_tier = check_tier(req.customer_tier.as_deref())?;
        if !staff
            && (contact_name.is_none() || (contact_email.is_none() && contact_phone.is_none()))
        {
            return Err(AppError::ContactRequired);
        }
        let (tags, group_id, assignee_id, priority, fields) = if staff {
            (
                rules::clean_tags(&req.tags)?,
                req.group_id,
                req.assignee_id,
                req.priority,
                req.fields.clone(),
            )
        } else {
            (Vec::new(), None, None, Priority::Normal, Vec::new())
        };

        // A retry of a request with this key: the ticket it opened. Asked before anything
        // that reads more, so a retry is cheap; the write below catches one that races.
        if let Some((key, resource)) = &claim
            && let Some(id) = self.replay_of(key, *resource).await?
        {
            let mut conn = self.store.conn().await?;
            let ticket = crate::confidential::mask_ticket(store::by_id(&mut conn, id).await?);
            return Ok(IntakeOutcome::replay(ticket));
        }
        if let Some(ext) = &external_id {
            let mut conn = self.store.conn().await?;
            if let Some(ticket) = store::by_external_id(&mut conn, req.channel, ext).await? {
                return Ok(IntakeOutcome {
                    ticket: crate::confidential::mask_ticket(ticket),
                    created: false,
                    replayed: false,
                });
            }
        }

        let now = self.now();
        if matches!(actor.kind, ActorKind::Anonymous) {
            self.check_web_form_rate(actor, now).await?;
        }
        // Everything that only reads happens before the write lock is taken: on SQLite the
        // writers take turns, and each round trip inside the turn holds up the next ticket.
        let (group_name, assignee_name, fields) = {
            let mut conn = self.store.conn().await?;
            let group_name = match group_id {
                Some(g) => Some(check_group(&mut conn, g).await?),
                None => None,
            };
            let assignee_name = match assignee_id {
                Some(a) => Some(check_assignee(&mut conn, a).await?),
                None => None,
            };
            let fields = check_fields(&mut conn, &fields).await?;
            if let Some(r) = requester_id.filter(|_| from_customer.is_none()) {
                check_requester(&mut conn, r).await?;
            }
            if let Some(c) = customer_id {
                let name = check_archive_customer(&mut conn, actor, c).await?;
                // The archive's name where the form left it empty, so queues name the
                // customer; contact values are never copied (the reader saw them masked).
                if customer_name.is_none() {
                    customer_name = Some(name);
                }
            }
            (group_name, assignee_name, fields)
        };
        let (date, day) = number_day(now);
        let author = contact_name
            .clone()
            .or_else(|| customer_name.clone())
            .unwrap_or_else(|| "客户".to_owned());
        let ticket = Ticket {
            id: 0,
            number: String::new(),
            ticket_type: req.ticket_type,
            channel: req.channel,
            status: StatusCategory::New.key().to_owned(),
            category: StatusCategory::New,
            priority,
            subject,
            customer_name,
            contact_name,
            contact_email,
            contact_phone,
            assignee_id,
            assignee_name,
            group_id,
            group_name,
            tags,
            external_id,
            created_by_user_id: actor.user_id(),
            created_at: now,
            updated_at: now,
            first_response_at: None,
            resolved_at: None,
            closed_at: None,
            // The first message, written with it.
            message_count: 1,
            requester_id,
            status_changed_at: now,
            // The customer staff picked; else the archive's customer with this mobile,
            // found when the ticket is written.
            customer_id,
            sla: TicketSla {
                customer_tier,
                ..TicketSla::default()
            },
            // Written in bulk, the row starts at the column's default.
            version: 1,
        };
        let prepared = Prepared {
            actor: actor.clone(),
            ticket,
            date,
            day,
            body,
            author,
            fields,
            auto_group: group_id.filter(|_| assignee_id.is_none()),
            claim,
            landing,
        };
        let mut outcome = if checked.is_empty() && prepared.landing.is_none() {
            self.write_queued(prepared).await
        } else {
            self.write_alone(&prepared, &checked).await
        }?;
        outcome.ticket = crate::confidential::mask_ticket(outcome.ticket);
        Ok(outcome)
    }
}
