//! 休假 — recording when a staff member is away. Anyone records their own; the customer
//! service manager (or whoever manages follow-ups or users) records anyone's. Recording an
//! absence hands the follow-up visits its owner was to make in it to their rule's group,
//! and the planner gives the visits of an owner away on their day to the group too, so a
//! colleague makes them on time. Visits after a complaint stay with the agent chosen at
//! intake (they have no group); a cancelled absence leaves handed visits where they are,
//! since a colleague may have taken them.

use jiff::civil::Date;
use kefu_domain::Permission;
use kefu_domain::staff::absence::{AbsenceError, check_absence};
use kefu_store::absence::{self as store, Absence};
use kefu_store::follow_up as visits;
use kefu_store::{AnyConnection, StoreError};

use crate::follow_up::{local_date, local_midnight};
use crate::notify::kind;
use crate::{Actor, App, AppError, Result};
use serde_json::json;

/// An absence to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AbsenceForm {
    pub user_id: i64,
    pub starts_on: Date,
    pub ends_on: Date,
    pub reason: String,
}

/// An absence recorded, and how many visits went to a group with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recorded {
    pub id: i64,
    pub visits_handed_over: u64,
}

/// Whether `actor` records and cancels anyone's absences, not only their own.
pub fn manages_absences(actor: &Actor) -> bool {
    actor.require(Permission::FollowUpManage).is_ok()
        || actor.require(Permission::UserManage).is_ok()
}

fn may_act_for(actor: &Actor, user_id: i64) -> Result<()> {
    if actor.user_id() == Some(user_id) {
        actor.require(Permission::AccountSelf)
    } else if manages_absences(actor) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

impl App {
    /// Records an absence and hands the visits its owner was to make in it to their
    /// rules' groups.
    pub async fn record_absence(&self, actor: &Actor, form: &AbsenceForm) -> Result<Recorded> {
        may_act_for(actor, form.user_id)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        kefu_store::staff::user_by_id(&mut tx, form.user_id).await?;
        let calendar = self.business_calendar(&mut tx).await?;
        let reason = check_absence(
            form.starts_on,
            form.ends_on,
            &form.reason,
            local_date(&calendar, now),
        )?;
        let days = (form.starts_on.to_string(), form.ends_on.to_string());
        let days = (days.0.as_str(), days.1.as_str());
        if let Some(a) = store::overlapping(&mut tx, form.user_id, days).await? {
            return Err(AbsenceError::Overlaps {
                starts_on: a.starts_on.parse().unwrap_or(form.starts_on),
                ends_on: a.ends_on.parse().unwrap_or(form.ends_on),
            }
            .into());
        }
        let id = store::insert(&mut tx, form.user_id, days, &reason, actor.user_id(), now).await?;
        let from = local_midnight(&calendar, form.starts_on);
        let until = local_midnight(&calendar, form.ends_on.tomorrow().unwrap_or(form.ends_on));
        let handed = visits::hand_to_rule_groups(&mut tx, form.user_id, (from, until), now).await?;
        let params = json!({
            "from": form.starts_on.to_string(),
            "to": form.ends_on.to_string(),
            "absences": id,
        });
        crate::shift::tell(
            &mut tx,
            actor,
            form.user_id,
            kind::ABSENCE_RECORDED,
            params,
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        tracing::info!(user = form.user_id, id, handed, "absence recorded");
        Ok(Recorded {
            id,
            visits_handed_over: handed,
        })
    }

    /// Cancels an absence (one's own, or anyone's for a manager).
    pub async fn cancel_absence(&self, actor: &Actor, id: i64) -> Result<()> {
        let mut conn = self.store.conn().await?;
        let a = store::get(&mut conn, id).await?;
        may_act_for(actor, a.user_id)?;
        Ok(store::delete(&mut conn, id).await?)
    }

    /// Whose absences `actor` records: every active staff member for a manager, else
    /// only themselves; (id, name).
    pub async fn absence_staff(&self, actor: &Actor) -> Result<Vec<(i64, String)>> {
        actor.require(Permission::AccountSelf)?;
        let mut conn = self.store.conn().await?;
        let all = manages_absences(actor);
        Ok(kefu_store::staff::list_users(&mut conn)
            .await?
            .into_iter()
            .filter(|u| u.active && (all || actor.user_id() == Some(u.id)))
            .map(|u| (u.id, u.display_name))
            .collect())
    }

    /// The absences not over yet: `user_id`'s, or everyone's (`None`, for a manager).
    pub async fn absences(&self, actor: &Actor, user_id: Option<i64>) -> Result<Vec<Absence>> {
        match user_id {
            Some(u) => may_act_for(actor, u)?,
            None if manages_absences(actor) => {}
            None => return Err(AppError::Forbidden),
        }
        let mut conn = self.store.conn().await?;
        let calendar = self.business_calendar(&mut conn).await?;
        let today = local_date(&calendar, self.now());
        Ok(store::list(&mut conn, user_id, &today.to_string()).await?)
    }
}

/// Everyone's absences not over on `today`, as day ranges per user.
pub(crate) async fn away_days(
    conn: &mut AnyConnection,
    today: Date,
) -> Result<std::collections::HashMap<i64, Vec<(Date, Date)>>> {
    let mut away: std::collections::HashMap<i64, Vec<(Date, Date)>> = Default::default();
    for a in store::list(conn, None, &today.to_string()).await? {
        if let (Ok(from), Ok(to)) = (a.starts_on.parse(), a.ends_on.parse()) {
            away.entry(a.user_id).or_default().push((from, to));
        }
    }
    Ok(away)
}
