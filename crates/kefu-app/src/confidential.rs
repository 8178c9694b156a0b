//! 客户信息保密 — one rule for every sensitive value that leaves kefu (seed 000 §(五)3).
//!
//! The archive masks its own records (`customer`); this module masks what the other areas
//! carry of the same people — a ticket's contact phone and e-mail, a complaint's phone, the
//! ticket's history of those fields — and gives the clear value of one of them, audited, to
//! a reader whose roles may reveal. Which roles may is the policy in kefu-domain with the
//! department's grants ([`kefu_domain::Grants`]), changed here by an administrator.

use kefu_domain::customer::{ContactValue, mask_email, mask_phone};
use kefu_domain::permission::GRANTABLE;
use kefu_domain::{Permission, Role};
use kefu_store::complaint::Complaint;
use kefu_store::staff as staff_store;
use kefu_store::ticket::Ticket;
use kefu_store::ticket::conversation::Event;
use kefu_store::{AnyConnection, StoreError};
use serde_json::json;

use crate::audit::{self, Target, action};
use crate::{Actor, App, AppError, Result};

fn masked(v: &mut Option<String>, masker: fn(&str) -> String) {
    if let Some(x) = v.as_mut() {
        *x = masker(x);
    }
}

/// The ticket as every reader sees it: contact phone and e-mail masked.
pub(crate) fn mask_ticket(mut t: Ticket) -> Ticket {
    masked(&mut t.contact_phone, mask_phone);
    masked(&mut t.contact_email, mask_email);
    t
}

/// The ticket's history with the old and new contact values masked too.
pub(crate) fn mask_events(events: &mut [Event]) {
    for e in events {
        let masker = match e.field.as_str() {
            "contact_phone" => mask_phone,
            "contact_email" => mask_email,
            _ => continue,
        };
        masked(&mut e.old_value, masker);
        masked(&mut e.new_value, masker);
    }
}

/// The complaint with the complainant's phone masked.
pub(crate) fn mask_complaint(mut c: Complaint) -> Complaint {
    masked(&mut c.complainant_phone, mask_phone);
    c
}

/// 查看敏感信息 — the audit entry of one reveal (who, when, which record, which field), in
/// the caller's transaction, so no value is given without its entry.
pub(crate) async fn audit_reveal(
    conn: &mut AnyConnection,
    app: &App,
    actor: &Actor,
    kind: &str,
    id: i64,
    detail: serde_json::Value,
) -> Result<()> {
    let id = id.to_string();
    audit::write(
        conn,
        app,
        actor,
        action::SENSITIVE_REVEALED,
        Some(Target { kind, id: &id }),
        Some(detail),
    )
    .await
}

/// A role's grant of a permission the department may change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleGrant {
    pub role: Role,
    pub permission: Permission,
    /// What kefu's policy gives the role.
    pub default: bool,
    /// What the role holds now.
    pub granted: bool,
}

impl App {
    /// 查看 — the clear contact phone or e-mail of a ticket, written to the audit log.
    pub async fn reveal_ticket_contact(
        &self,
        actor: &Actor,
        ticket_id: i64,
        field: ContactValue,
    ) -> Result<String> {
        actor.require(Permission::TicketWork)?;
        actor.require(Permission::CustomerReveal)?;
        let mut tx = self.store.begin().await?;
        let t = kefu_store::ticket::by_id(&mut tx, ticket_id).await?;
        let value = match field {
            ContactValue::Phone => t.contact_phone,
            ContactValue::Email => t.contact_email,
        }
        .unwrap_or_default();
        let detail = json!({"field": field.key(), "ticket": t.number});
        audit_reveal(&mut tx, self, actor, "ticket", ticket_id, detail).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(value)
    }

    /// 查看 — the complainant's clear phone on a complaint, written to the audit log.
    pub async fn reveal_complainant_phone(
        &self,
        actor: &Actor,
        complaint_id: i64,
    ) -> Result<String> {
        actor.require(Permission::ComplaintView)?;
        actor.require(Permission::CustomerReveal)?;
        let mut tx = self.store.begin().await?;
        let c = kefu_store::complaint::by_id(&mut tx, complaint_id).await?;
        let detail = json!({"field": "complainant_phone", "ticket": c.ticket_number});
        audit_reveal(&mut tx, self, actor, "complaint", complaint_id, detail).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(c.complainant_phone.unwrap_or_default())
    }

    /// Every role's grant of each permission the department may change.
    pub async fn role_grants(&self, actor: &Actor) -> Result<Vec<RoleGrant>> {
        actor.require(Permission::UserManage)?;
        let mut conn = self.store.conn().await?;
        let grants = staff_store::grants(&mut conn).await?;
        Ok(GRANTABLE
            .into_iter()
            .flat_map(|permission| {
                let grants = &grants;
                Role::ALL.into_iter().map(move |role| RoleGrant {
                    role,
                    permission,
                    default: kefu_domain::permission::role_grants(role, permission),
                    granted: grants.role_grants(role, permission),
                })
            })
            .collect())
    }

    /// Grants or withdraws a permission the department may change, for one role; the
    /// default policy is kept as no row. Audited; takes effect on the role's next request.
    pub async fn set_role_grant(
        &self,
        actor: &Actor,
        role: Role,
        permission: Permission,
        granted: bool,
    ) -> Result<()> {
        actor.require(Permission::UserManage)?;
        if !GRANTABLE.contains(&permission) {
            return Err(AppError::Forbidden);
        }
        let now = self.now();
        let default = kefu_domain::permission::role_grants(role, permission);
        let mut tx = self.store.begin().await?;
        let before = staff_store::grants(&mut tx)
            .await?
            .role_grants(role, permission);
        if before == granted {
            return Ok(());
        }
        staff_store::set_grant(
            &mut tx,
            role,
            permission,
            (granted != default).then_some(granted),
            now,
        )
        .await?;
        audit::write(
            &mut tx,
            self,
            actor,
            action::GRANT_CHANGED,
            Some(Target {
                kind: "role",
                id: role.key(),
            }),
            Some(json!({"permission": permission.key(), "granted": granted, "default": default})),
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }
}
