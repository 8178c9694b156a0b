//! Setting tickets up: groups and their members, statuses of one's own, custom fields; and
//! each user's saved queue filters.

use kefu_domain::Permission;
use kefu_domain::ticket::{
    self as rules, AssignmentRule, FieldKind, StatusCategory, TicketRuleError,
};
use kefu_store::ticket::setup::{self as store, Field, Group, SavedView, Status};
use kefu_store::{StoreError, changelog};

use super::intake::check_assignee;
use crate::versions::{self, Setting};
use crate::{Actor, App, AppError, Result};

/// A new group.
#[derive(Debug, Clone)]
pub struct NewGroup {
    pub name: String,
    pub manager_user_id: Option<i64>,
    /// `manual`, `round_robin` or `least_open`.
    pub assignment: String,
    pub members: Vec<i64>,
}

/// A status an admin adds.
#[derive(Debug, Clone)]
pub struct NewStatus {
    pub key: String,
    pub category: StatusCategory,
    pub name_zh: String,
    pub name_en: String,
}

/// A custom field an admin adds.
#[derive(Debug, Clone)]
pub struct NewField {
    pub key: String,
    pub label: String,
    pub kind: FieldKind,
    /// Choice options, one per line.
    pub options: String,
}

fn conflict_as(e: StoreError, what: AppError) -> AppError {
    match e {
        StoreError::Conflict(_) => what,
        e => e.into(),
    }
}

fn check_name(name: &str, max: usize) -> Result<String> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > max {
        return Err(AppError::BadName);
    }
    Ok(n.to_owned())
}

impl App {
    pub async fn ticket_groups(&self, actor: &Actor) -> Result<Vec<Group>> {
        actor.require(Permission::TicketWork)?;
        let mut conn = self.store.conn().await?;
        Ok(store::groups(&mut conn).await?)
    }

    pub async fn create_group(&self, actor: &Actor, g: &NewGroup) -> Result<i64> {
        self.save_group(actor, None, g, None).await
    }

    /// Adds a group (`id` = None) or changes one, members included, made against version
    /// `expected` of it (see [`crate::versions`]).
    pub async fn save_group(
        &self,
        actor: &Actor,
        id: Option<i64>,
        g: &NewGroup,
        expected: Option<i64>,
    ) -> Result<i64> {
        actor.require(Permission::TicketAdmin)?;
        let name = check_name(&g.name, 60)?;
        let rule: AssignmentRule = g
            .assignment
            .parse()
            .map_err(|_| AppError::UnknownAssignmentRule(g.assignment.clone()))?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if let Some(id) = id {
            versions::expect_setting(&mut tx, Setting::Group, id, expected).await?;
        }
        if let Some(m) = g.manager_user_id {
            check_assignee(&mut tx, m).await?;
        }
        for m in &g.members {
            check_assignee(&mut tx, *m).await?;
        }
        let id = match id {
            Some(id) => {
                store::update_group(&mut tx, id, &name, g.manager_user_id, rule.key(), now)
                    .await
                    .map_err(|e| conflict_as(e, AppError::NameTaken))?;
                id
            }
            None => store::insert_group(&mut tx, &name, g.manager_user_id, rule.key(), now)
                .await
                .map_err(|e| conflict_as(e, AppError::NameTaken))?,
        };
        let mut members = g.members.clone();
        members.sort_unstable();
        members.dedup();
        store::set_group_members(&mut tx, id, &members).await?;
        changelog::record(
            &mut tx,
            "ticket_group",
            id,
            changelog::Operation::Create,
            actor.user_id(),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(id)
    }

    /// The members of a group.
    pub async fn group_members(&self, actor: &Actor, group_id: i64) -> Result<Vec<i64>> {
        actor.require(Permission::TicketWork)?;
        let mut conn = self.store.conn().await?;
        Ok(store::group_members(&mut conn, group_id).await?)
    }

    pub async fn ticket_statuses(&self, actor: &Actor) -> Result<Vec<Status>> {
        actor.require(Permission::TicketWork)?;
        let mut conn = self.store.conn().await?;
        Ok(store::statuses(&mut conn).await?)
    }

    pub async fn create_status(&self, actor: &Actor, s: &NewStatus) -> Result<()> {
        actor.require(Permission::TicketAdmin)?;
        rules::check_field_key(&s.key)?;
        let status = Status {
            key: s.key.clone(),
            category: s.category,
            name_zh: check_name(&s.name_zh, 40)?,
            name_en: check_name(&s.name_en, 40)?,
            builtin: false,
        };
        let now = self.now();
        let mut conn = self.store.conn().await?;
        store::insert_status(&mut conn, &status, now)
            .await
            .map_err(|e| conflict_as(e, AppError::NameTaken))
    }

    pub async fn ticket_fields(&self, actor: &Actor) -> Result<Vec<Field>> {
        actor.require(Permission::TicketWork)?;
        let mut conn = self.store.conn().await?;
        Ok(store::fields(&mut conn).await?)
    }

    pub async fn create_field(&self, actor: &Actor, f: &NewField) -> Result<i64> {
        actor.require(Permission::TicketAdmin)?;
        rules::check_field_key(&f.key)?;
        let options: Vec<String> = f
            .options
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        if f.kind == FieldKind::Choice && options.is_empty() {
            return Err(TicketRuleError::NoChoices.into());
        }
        let field = Field {
            id: 0,
            key: f.key.clone(),
            label: check_name(&f.label, 60)?,
            kind: f.kind,
            options,
            active: true,
        };
        let now = self.now();
        let mut conn = self.store.conn().await?;
        store::insert_field(&mut conn, &field, now)
            .await
            .map_err(|e| conflict_as(e, AppError::NameTaken))
    }

    /// Retires a field (its values stay on the tickets that have them) or restores it.
    pub async fn set_field_active(&self, actor: &Actor, id: i64, active: bool) -> Result<()> {
        actor.require(Permission::TicketAdmin)?;
        let now = self.now();
        let mut conn = self.store.conn().await?;
        Ok(store::set_field_active(&mut conn, id, active, now).await?)
    }

    pub async fn saved_views(&self, actor: &Actor) -> Result<Vec<SavedView>> {
        actor.require(Permission::TicketWork)?;
        let mut conn = self.store.conn().await?;
        Ok(store::saved_views(&mut conn, actor.user_id().unwrap_or(0)).await?)
    }

    pub async fn save_view(&self, actor: &Actor, name: &str, query: &str) -> Result<i64> {
        actor.require(Permission::TicketWork)?;
        let name = check_name(name, 60)?;
        if query.len() > 2000 {
            return Err(AppError::TooLong);
        }
        let now = self.now();
        let mut conn = self.store.conn().await?;
        store::insert_saved_view(&mut conn, actor.user_id().unwrap_or(0), &name, query, now)
            .await
            .map_err(|e| conflict_as(e, AppError::NameTaken))
    }

    pub async fn delete_view(&self, actor: &Actor, id: i64) -> Result<()> {
        actor.require(Permission::TicketWork)?;
        let mut conn = self.store.conn().await?;
        Ok(store::delete_saved_view(&mut conn, actor.user_id().unwrap_or(0), id).await?)
    }
}
