//! 派单 — automatic assignment within a group: round robin or least open tickets, only to
//! members who are active, signed in (上班), on duty by their roster and not on leave (see
//! [`crate::shift`]), and allowed to work tickets.

use std::collections::HashSet;

use kefu_domain::Permission;
use kefu_domain::ticket::{AssignmentRule, pick_assignee};
use kefu_store::AnyConnection;
use kefu_store::ticket::setup as store_setup;

use crate::{Actor, App, Result};

/// The agent a new ticket of `group_id` goes to, if the group assigns automatically and
/// someone is on shift; records the turn. `unwritten` are the agents given tickets earlier
/// in the same transaction whose rows are not written yet: they count as open. `off` are
/// the signed-in people off duty now ([`crate::shift::off_duty`]).
pub(crate) async fn auto_assignee(
    conn: &mut AnyConnection,
    group_id: i64,
    unwritten: &[i64],
    off: &HashSet<i64>,
) -> Result<Option<i64>> {
    let groups = store_setup::groups(conn).await?;
    let Some(group) = groups.into_iter().find(|g| g.id == group_id) else {
        return Ok(None);
    };
    let rule: AssignmentRule = group.assignment.parse().unwrap_or(AssignmentRule::Manual);
    if rule == AssignmentRule::Manual {
        return Ok(None);
    }
    store_setup::lock_group(conn, group.id).await?;
    let mut candidates = Vec::new();
    for id in store_setup::members_on_shift(conn, group.id).await? {
        if off.contains(&id) {
            continue;
        }
        let user = kefu_store::staff::user_by_id(conn, id).await?;
        if user.roles.allows(Permission::TicketWork) {
            candidates.push(id);
        }
    }
    let open = if rule == AssignmentRule::LeastOpen {
        let mut open = store_setup::open_counts(conn, &candidates).await?;
        for user in unwritten {
            match open.iter_mut().find(|(u, _)| u == user) {
                Some((_, n)) => *n += 1,
                None => open.push((*user, 1)),
            }
        }
        open
    } else {
        Vec::new()
    };
    let pick = pick_assignee(rule, &candidates, group.last_assigned_user_id, &open);
    if let Some(user) = pick {
        store_setup::set_last_assigned(conn, group.id, user).await?;
    }
    Ok(pick)
}

impl App {
    /// 上班/下班 — whether the signed-in user takes automatically assigned tickets.
    pub async fn set_on_shift(&self, actor: &Actor, on: bool) -> Result<()> {
        actor.require(Permission::TicketWork)?;
        let mut conn = self.store.conn().await?;
        Ok(kefu_store::staff::set_on_shift(&mut conn, actor.user_id().unwrap_or(0), on).await?)
    }

    pub async fn is_on_shift(&self, actor: &Actor) -> Result<bool> {
        actor.require(Permission::TicketWork)?;
        let mut conn = self.store.conn().await?;
        Ok(kefu_store::staff::is_on_shift(&mut conn, actor.user_id().unwrap_or(0)).await?)
    }
}
