//! Managing staff accounts: add, edit, assign roles, deactivate, reset passwords.

use kefu_domain::staff::{self, AccountRuleError};
use kefu_domain::{Locale, Permission, Role, RoleSet, StaffLevel};
use kefu_store::staff::{self as store, DepartmentRow, User};
use kefu_store::{AnyConnection, StoreError, changelog};
use serde_json::json;

use crate::audit::{self, Target, action};
use crate::secret;
use crate::versions::{self, Setting};
use crate::{Actor, App, AppError, Result};

/// A new account as submitted by an administrator or the CLI.
#[derive(Debug, Clone)]
pub struct UserForm {
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    /// `None` generates a one-time password, which the user must change at first sign-in.
    pub password: Option<String>,
    pub department: Option<String>,
    pub level: Option<StaffLevel>,
    pub locale: Locale,
    pub roles: RoleSet,
}

/// Changes to an existing account.
#[derive(Debug, Clone)]
pub struct UserUpdate {
    pub display_name: String,
    pub email: Option<String>,
    pub department: Option<String>,
    pub level: Option<StaffLevel>,
    pub locale: Locale,
    pub roles: RoleSet,
}

/// The created account and, when kefu chose it, the password to hand over.
#[derive(Debug)]
pub struct CreatedUser {
    pub user: User,
    pub generated_password: Option<String>,
}

fn clean_email(email: Option<&str>) -> Result<Option<String>> {
    match email.map(str::trim).filter(|e| !e.is_empty()) {
        Some(e) => {
            staff::check_email(e)?;
            Ok(Some(e.to_owned()))
        }
        None => Ok(None),
    }
}

async fn department_id(conn: &mut AnyConnection, key: Option<&str>) -> Result<Option<i64>> {
    let Some(key) = key.filter(|k| !k.is_empty()) else {
        return Ok(None);
    };
    let all = store::list_departments(conn).await?;
    all.iter()
        .find(|d| d.key == key)
        .map(|d| Some(d.id))
        .ok_or(AppError::UnknownDepartment)
}

/// Writes an audit entry about the account `id`.
async fn audit_user(
    conn: &mut AnyConnection,
    app: &App,
    actor: &Actor,
    act: &str,
    id: i64,
    detail: Option<serde_json::Value>,
) -> Result<()> {
    let id = id.to_string();
    audit::write(
        conn,
        app,
        actor,
        act,
        Some(Target {
            kind: "user",
            id: &id,
        }),
        detail,
    )
    .await
}

impl App {
    pub async fn list_users(&self, actor: &Actor) -> Result<Vec<User>> {
        actor.require(Permission::DirectoryView)?;
        let mut conn = self.store.conn().await?;
        Ok(store::list_users(&mut conn).await?)
    }

    pub async fn get_user(&self, actor: &Actor, id: i64) -> Result<User> {
        actor.require(Permission::DirectoryView)?;
        let mut conn = self.store.conn().await?;
        Ok(store::user_by_id(&mut conn, id).await?)
    }

    pub async fn get_user_by_username(&self, actor: &Actor, username: &str) -> Result<User> {
        actor.require(Permission::DirectoryView)?;
        let mut conn = self.store.conn().await?;
        Ok(store::user_by_username(&mut conn, username).await?)
    }

    pub async fn departments(&self) -> Result<Vec<DepartmentRow>> {
        let mut conn = self.store.conn().await?;
        Ok(store::list_departments(&mut conn).await?)
    }

    pub async fn create_user(&self, actor: &Actor, form: &UserForm) -> Result<CreatedUser> {
        actor.require(Permission::UserManage)?;
        let username = form.username.trim().to_lowercase();
        staff::check_username(&username)?;
        staff::check_display_name(&form.display_name)?;
        if form.roles.is_empty() {
            return Err(AccountRuleError::NoRoles.into());
        }
        let email = clean_email(form.email.as_deref())?;
        let (password, generated) = match &form.password {
            Some(p) => {
                staff::check_password(p)?;
                (p.clone(), None)
            }
            None => {
                let p = secret::generate_password();
                (p.clone(), Some(p))
            }
        };
        let hash = secret::hash_password(&password).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let department_id = department_id(&mut tx, form.department.as_deref()).await?;
        let new = store::NewUser {
            username: &username,
            display_name: form.display_name.trim(),
            email: email.as_deref(),
            password_hash: &hash,
            department_id,
            level: form.level.map(StaffLevel::key),
            locale: form.locale,
            must_change_password: generated.is_some(),
        };
        let id = store::insert_user(&mut tx, &new, now)
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => AppError::UsernameTaken,
                e => e.into(),
            })?;
        store::set_roles(&mut tx, id, &form.roles).await?;
        changelog::record(
            &mut tx,
            "user",
            id,
            changelog::Operation::Create,
            actor.user_id(),
            now,
        )
        .await?;
        let roles: Vec<&str> = form.roles.iter().map(Role::key).collect();
        audit_user(
            &mut tx,
            self,
            actor,
            action::USER_CREATED,
            id,
            Some(json!({"username": username, "roles": roles})),
        )
        .await?;
        let user = store::user_by_id(&mut tx, id).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(CreatedUser {
            user,
            generated_password: generated,
        })
    }

    /// Changes an account's profile and roles, made against version `expected` of it (see
    /// [`crate::versions`]). A change of roles ends every session of the account: a sign-in
    /// must never carry on with privileges it did not begin with, and a session id known
    /// before the change (to a shared computer, a captured cookie) is worth nothing after it.
    /// The web layer gives an administrator who changed their own roles a new session
    /// ([`App::reissue_session`]).
    pub async fn update_user(
        &self,
        actor: &Actor,
        id: i64,
        update: &UserUpdate,
        expected: Option<i64>,
    ) -> Result<User> {
        actor.require(Permission::UserManage)?;
        staff::check_display_name(&update.display_name)?;
        if update.roles.is_empty() {
            return Err(AccountRuleError::NoRoles.into());
        }
        let email = clean_email(update.email.as_deref())?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        versions::expect_setting(&mut tx, Setting::User, id, expected).await?;
        let before = store::user_by_id(&mut tx, id).await?;
        let department_id = department_id(&mut tx, update.department.as_deref()).await?;
        let profile = store::UserProfile {
            display_name: update.display_name.trim(),
            email: email.as_deref(),
            department_id,
            level: update.level.map(StaffLevel::key),
            locale: update.locale,
        };
        store::update_profile(&mut tx, id, &profile, now).await?;
        if before.roles != update.roles {
            store::set_roles(&mut tx, id, &update.roles).await?;
            if before.active && store::count_active_with_role(&mut tx, Role::Admin).await? == 0 {
                return Err(AppError::LastAdmin);
            }
            let ended = store::delete_sessions_of(&mut tx, id, None).await?;
            let old: Vec<&str> = before.roles.iter().map(Role::key).collect();
            let new: Vec<&str> = update.roles.iter().map(Role::key).collect();
            audit_user(
                &mut tx,
                self,
                actor,
                action::ROLES_CHANGED,
                id,
                Some(json!({
                    "username": before.username,
                    "old": old,
                    "new": new,
                    "sessions_ended": ended,
                })),
            )
            .await?;
        }
        audit_user(
            &mut tx,
            self,
            actor,
            action::USER_UPDATED,
            id,
            Some(json!({"username": before.username})),
        )
        .await?;
        changelog::record(
            &mut tx,
            "user",
            id,
            changelog::Operation::Update,
            actor.user_id(),
            now,
        )
        .await?;
        let user = store::user_by_id(&mut tx, id).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(user)
    }

    /// Deactivates or reactivates an account. A deactivated user's sessions end at once and
    /// their API tokens stop working; their records stay.
    pub async fn set_user_active(&self, actor: &Actor, id: i64, active: bool) -> Result<User> {
        actor.require(Permission::UserManage)?;
        if !active && actor.user_id() == Some(id) {
            return Err(AppError::SelfDeactivation);
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        versions::expect_setting(&mut tx, Setting::User, id, None).await?;
        let before = store::user_by_id(&mut tx, id).await?;
        store::set_active(&mut tx, id, active, now).await?;
        if !active {
            store::delete_sessions_of(&mut tx, id, None).await?;
            if before.roles.contains(Role::Admin)
                && store::count_active_with_role(&mut tx, Role::Admin).await? == 0
            {
                return Err(AppError::LastAdmin);
            }
        }
        let act = if active {
            action::USER_ACTIVATED
        } else {
            action::USER_DEACTIVATED
        };
        audit_user(
            &mut tx,
            self,
            actor,
            act,
            id,
            Some(json!({"username": before.username})),
        )
        .await?;
        changelog::record(
            &mut tx,
            "user",
            id,
            changelog::Operation::Update,
            actor.user_id(),
            now,
        )
        .await?;
        let user = store::user_by_id(&mut tx, id).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(user)
    }

    /// Sets a new password for someone else (administrator or CLI). With `None`, kefu
    /// generates one and returns it; the user must change it at next sign-in. All of the
    /// user's sessions end.
    pub async fn reset_password(
        &self,
        actor: &Actor,
        id: i64,
        password: Option<&str>,
    ) -> Result<Option<String>> {
        actor.require(Permission::UserManage)?;
        let (password, generated) = match password {
            Some(p) => {
                staff::check_password(p)?;
                (p.to_owned(), None)
            }
            None => {
                let p = secret::generate_password();
                (p.clone(), Some(p))
            }
        };
        let hash = secret::hash_password(&password).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        versions::expect_setting(&mut tx, Setting::User, id, None).await?;
        store::set_password(&mut tx, id, &hash, generated.is_some(), now).await?;
        store::delete_sessions_of(&mut tx, id, None).await?;
        audit_user(&mut tx, self, actor, action::PASSWORD_RESET, id, None).await?;
        changelog::record(
            &mut tx,
            "user",
            id,
            changelog::Operation::Update,
            actor.user_id(),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(generated)
    }
}
