//! 通话登记 — one form makes a call's ticket: the customer picked (one of those with the
//! number, one found in the archive, a new one made with the number, or none), a subject,
//! and the summary as the ticket's first message. The ticket goes through the one intake
//! (channel 电话) with the call as its external id, so the form sent twice makes one
//! ticket; the call is linked to it and its callback, if any, is made. A call kefu heard
//! nothing of (no telephone system) is logged by hand: the same form with the direction,
//! the number and the duration makes the call and then its ticket.

use jiff::SignedDuration;
use kefu_domain::Permission;
use kefu_domain::channel::phone::{
    CallEventError, CallStatus, Direction, MAX_DURATION_SECS, NumberKind, normalize_number,
};
use kefu_domain::customer::{CustomerKind, CustomerStatus, CustomerType, Tier};
use kefu_domain::ticket::{self as rules, Channel};
use kefu_store::phone::calls::{self as store, NewCall};
use kefu_store::{StoreError, changelog};

use super::CALL_ENTITY;
use crate::customer::{ContactForm, CustomerForm};
use crate::ticket::Intake;
use crate::{Actor, App, AppError, Result};

/// Whom the call's ticket is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomerChoice {
    /// Nobody of the archive.
    None,
    /// A customer of the archive.
    Existing(i64),
    /// A new customer of that name, with the call's number as their contact's.
    New { name: String },
}

/// The logging form.
#[derive(Debug, Clone)]
pub struct CallLog {
    pub customer: CustomerChoice,
    pub subject: String,
    /// What was said: the ticket's first message.
    pub summary: String,
}

/// A call logged by hand.
#[derive(Debug, Clone)]
pub struct ManualCall {
    /// The form's token: the form sent twice makes one call.
    pub token: String,
    pub direction: Direction,
    /// The customer's number as typed; empty when they withheld it.
    pub number: String,
    pub duration_secs: Option<i64>,
}

/// The most characters of a manual call's form token.
const TOKEN_MAX: usize = 64;

impl App {
    /// 登记 — makes the ticket of call `id` as the form says, or gives the one it has: the
    /// ticket's id.
    pub async fn log_call(&self, actor: &Actor, id: i64, log: &CallLog) -> Result<i64> {
        actor.require(Permission::TicketWork)?;
        let subject = rules::clean_subject(&log.subject)?;
        let summary = rules::clean_body(&log.summary)?;
        let call = self.call_row(id).await?;
        if let Some(ticket) = call.ticket_id {
            return Ok(ticket);
        }
        let customer_id = match &log.customer {
            CustomerChoice::None => None,
            CustomerChoice::Existing(c) => Some(*c),
            CustomerChoice::New { name } => Some(
                self.customer_from_call(actor, name, call.customer_number.as_deref())
                    .await?,
            ),
        };
        let mut intake = Intake::new(Channel::Phone, &subject, &summary);
        intake.customer_id = customer_id;
        // The ticket's phone is the call's, when it is one a ticket may hold.
        intake.contact_phone = call
            .customer_number
            .clone()
            .filter(|n| kefu_domain::customer::clean_contact_phone(n).is_ok());
        intake.external_id = Some(format!("phone-call-{}", call.id));
        intake.group_id = call.group_id;
        intake.assignee_id = actor.user_id();
        let outcome = self.intake(actor, &intake).await?;
        let ticket_id = outcome.ticket.id;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let customer = customer_id.or(outcome.ticket.customer_id);
        store::link_ticket(&mut tx, id, ticket_id, customer, now).await?;
        store::close_callback(&mut tx, id, actor.user_id(), now).await?;
        changelog::record(
            &mut tx,
            CALL_ENTITY,
            id,
            changelog::Operation::Update,
            actor.user_id(),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        // Another form sent at the same time linked its ticket first: the same one, by the
        // external id.
        Ok(self.call_row(id).await?.ticket_id.unwrap_or(ticket_id))
    }

    /// A new customer of the archive named `name`, its contact reachable at `number`.
    async fn customer_from_call(
        &self,
        actor: &Actor,
        name: &str,
        number: Option<&str>,
    ) -> Result<i64> {
        let n = number.and_then(|n| normalize_number(n, None));
        let (mobile, phone) = match n {
            Some(n) if n.kind == NumberKind::Mobile => (Some(n.number), None),
            Some(n) => (
                None,
                Some(n.number).filter(|p| kefu_domain::customer::clean_phone(p).is_ok()),
            ),
            None => (None, None),
        };
        let form = CustomerForm {
            kind: CustomerKind::from_name(name),
            name: name.to_owned(),
            tier: Tier::Normal,
            customer_type: CustomerType::EndCustomer,
            status: CustomerStatus::Active,
            province: String::new(),
            city: String::new(),
            industry: String::new(),
            owner_id: None,
            tags: String::new(),
            notes: String::new(),
            id_number: None,
            address: None,
            bank_account: None,
        };
        let contact = ContactForm {
            name: name.to_owned(),
            mobile,
            phone,
            is_primary: true,
            ..ContactForm::default()
        };
        self.create_customer(actor, &form, &[contact]).await
    }

    /// 手工登记 — a call kefu heard nothing of, logged by hand: the call (answered, ended
    /// now, the agent's) and its ticket. The call's id and the ticket's.
    pub async fn log_manual_call(
        &self,
        actor: &Actor,
        call: &ManualCall,
        log: &CallLog,
    ) -> Result<(i64, i64)> {
        actor.require(Permission::TicketWork)?;
        let user = actor.user_id().ok_or(AppError::Forbidden)?;
        // The form's words first: a refusal leaves no call behind.
        rules::clean_subject(&log.subject)?;
        rules::clean_body(&log.summary)?;
        let token = call.token.trim();
        if token.is_empty() || token.chars().count() > TOKEN_MAX {
            return Err(AppError::TooLong);
        }
        let number = match call.number.trim() {
            "" => None,
            typed => Some(
                normalize_number(typed, None)
                    .ok_or_else(|| {
                        kefu_domain::customer::CustomerRuleError::BadPhone(typed.to_owned())
                    })?
                    .number,
            ),
        };
        let duration = call.duration_secs.unwrap_or(0);
        if !(0..=MAX_DURATION_SECS).contains(&duration) {
            return Err(CallEventError::BadDuration.into());
        }
        let now = self.now();
        let started = now - SignedDuration::from_secs(duration);
        let call_key = format!("manual-{token}");
        let mut tx = self.store.begin().await?;
        let (id, created) = store::claim(
            &mut tx,
            &NewCall {
                channel_id: None,
                call_id: &call_key,
                direction: call.direction.key(),
                customer_number: number.as_deref(),
                customer_id: None,
                extension: None,
                agent_user_id: Some(user),
                group_id: None,
                status: CallStatus::Done.key(),
                started_at: started,
                answered_at: Some(started),
                ended_at: Some(now),
                duration_secs: Some(duration),
                source: "manual",
                now,
            },
        )
        .await?;
        if created {
            changelog::record(
                &mut tx,
                CALL_ENTITY,
                id,
                changelog::Operation::Create,
                Some(user),
                now,
            )
            .await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        let ticket = self.log_call(actor, id, log).await?;
        Ok((id, ticket))
    }
}
