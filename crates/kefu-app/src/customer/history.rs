//! 客户变更记录 — what a change of a customer writes beside itself: one history row per
//! field that changed (who, when, old → new), and the change of owner other areas make.

use jiff::Timestamp;
use kefu_store::customer::{self as store, Change, Customer};
use kefu_store::{AnyConnection, changelog};

use super::check_owner;
use crate::{Actor, ActorKind, Result};

fn actor_name(actor: &Actor) -> String {
    match &actor.kind {
        ActorKind::User(u) => u.display_name.clone(),
        ActorKind::System => crate::SYSTEM_ACTOR_NAME.into(),
        _ => actor.name().to_owned(),
    }
}

pub(super) struct HistoryWriter<'a> {
    pub(super) actor: &'a Actor,
    pub(super) customer_id: i64,
    pub(super) contact_id: Option<i64>,
    pub(super) at: Timestamp,
}

impl HistoryWriter<'_> {
    pub(super) async fn write(
        &self,
        conn: &mut AnyConnection,
        field: &str,
        old: Option<String>,
        new: Option<String>,
    ) -> Result<()> {
        if old == new {
            return Ok(());
        }
        store::add_history(
            conn,
            &Change {
                id: 0,
                customer_id: self.customer_id,
                contact_id: self.contact_id,
                at: self.at,
                actor_user_id: self.actor.user_id(),
                actor_name: actor_name(self.actor),
                field: field.to_owned(),
                old_value: old,
                new_value: new,
            },
        )
        .await?;
        Ok(())
    }
}

pub(super) fn changed_fields(
    before: &Customer,
    after: &Customer,
) -> Vec<(&'static str, Option<String>, Option<String>)> {
    let s = |v: &str| Some(v.to_owned());
    let tags = |t: &[String]| Some(t.join(", ")).filter(|x| !x.is_empty());
    vec![
        ("kind", s(&before.kind), s(&after.kind)),
        ("name", s(&before.name), s(&after.name)),
        ("tier", s(&before.tier), s(&after.tier)),
        (
            "customer_type",
            s(&before.customer_type),
            s(&after.customer_type),
        ),
        ("status", s(&before.status), s(&after.status)),
        ("province", before.province.clone(), after.province.clone()),
        ("city", before.city.clone(), after.city.clone()),
        ("industry", before.industry.clone(), after.industry.clone()),
        (
            "owner",
            before.owner_id.map(|v| v.to_string()),
            after.owner_id.map(|v| v.to_string()),
        ),
        ("tags", tags(&before.tags), tags(&after.tags)),
        ("notes", before.notes.clone(), after.notes.clone()),
        (
            "id_number",
            before.id_number.clone(),
            after.id_number.clone(),
        ),
        ("address", before.address.clone(), after.address.clone()),
        (
            "bank_account",
            before.bank_account.clone(),
            after.bank_account.clone(),
        ),
    ]
}

/// Makes `owner` the customer's owner in the caller's transaction, recorded in its history
/// and the change log like any change of the customer.
pub(crate) async fn set_owner(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    owner: Option<i64>,
    now: Timestamp,
) -> Result<()> {
    check_owner(&mut *conn, owner).await?;
    let before = store::by_id(&mut *conn, id).await?;
    let mut c = before.clone();
    c.owner_id = owner;
    c.updated_at = now;
    store::save(&mut *conn, &c).await?;
    let h = HistoryWriter {
        actor,
        customer_id: id,
        contact_id: None,
        at: now,
    };
    for (field, old, new) in changed_fields(&before, &c) {
        if old != new {
            h.write(&mut *conn, field, old, new).await?;
        }
    }
    changelog::record(
        &mut *conn,
        "customer",
        id,
        changelog::Operation::Update,
        actor.user_id(),
        now,
    )
    .await?;
    Ok(())
}
