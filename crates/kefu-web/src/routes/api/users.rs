//! Staff accounts over the API.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kefu_app::users::{UserForm, UserUpdate};
use kefu_domain::{Locale, Role, RoleSet, StaffLevel};
use kefu_store::staff::{DepartmentRow, User as StoredUser};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiJson, IfMatch, Tagged, doc, rfc3339, tagged};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::input::{parse_key, parse_optional_key};

#[derive(Serialize, ToSchema)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    /// Department key, e.g. `customer_service`.
    pub department: Option<String>,
    /// Staff level key, e.g. `junior_agent`.
    pub level: Option<String>,
    pub locale: String,
    pub active: bool,
    /// Role keys, e.g. `agent`, `cs_manager`.
    pub roles: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
    /// Moves on with every change an administrator makes; also the `ETag` of
    /// `GET /api/v1/users/{id}`, to send as `If-Match` with a change.
    pub version: i64,
}

fn to_api(u: StoredUser, departments: &[DepartmentRow]) -> User {
    User {
        id: u.id,
        department: departments
            .iter()
            .find(|d| Some(d.id) == u.department_id)
            .map(|d| d.key.clone()),
        roles: u.roles.iter().map(|r| r.key().to_owned()).collect(),
        username: u.username,
        display_name: u.display_name,
        email: u.email,
        level: u.level,
        locale: u.locale.key().to_owned(),
        active: u.active,
        created_at: rfc3339(u.created_at),
        updated_at: rfc3339(u.updated_at),
        version: u.version,
    }
}

fn parse_roles(keys: &[String]) -> Result<RoleSet, WebError> {
    keys.iter().map(|k| parse_key::<Role>("roles", k)).collect()
}

fn parse_level(level: Option<&str>) -> Result<Option<StaffLevel>, WebError> {
    parse_optional_key("level", level)
}

fn parse_locale(locale: Option<&str>) -> Result<Option<Locale>, WebError> {
    locale.map(|l| parse_key("locale", l)).transpose()
}

/// All staff accounts.
#[utoipa::path(get, path = "/api/v1/users", tag = "users",
    responses(
        (status = 200, description = "Every staff account", body = Vec<User>),
    ))]
pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Json<Vec<User>>, WebError> {
    let users = state.app.list_users(&identity.actor()).await?;
    let departments = state.app.departments().await?;
    Ok(Json(
        users.into_iter().map(|u| to_api(u, &departments)).collect(),
    ))
}

/// One staff account.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users",
    params(("id" = i64, Path, description = "user id")),
    responses(
        (status = 200, description = "The account", body = User,
            headers(("ETag" = String, description = "the account's version"))),
        (status = 404, description = "No such user", body = super::ErrorBody),
    ))]
pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Tagged<User>, WebError> {
    let user = state.app.get_user(&identity.actor(), id).await?;
    let departments = state.app.departments().await?;
    Ok(tagged(user.version, to_api(user, &departments)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    /// Omit to have kefu generate a one-time password (returned once).
    pub password: Option<String>,
    /// A department key, e.g. `customer_service`.
    pub department: Option<String>,
    #[schema(value_type = Option<doc::StaffLevelKey>)]
    pub level: Option<String>,
    /// `zh-CN` (default) or `en`.
    #[schema(value_type = Option<doc::LocaleKey>)]
    pub locale: Option<String>,
    #[schema(value_type = Vec<doc::RoleKey>)]
    pub roles: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedUser {
    pub user: User,
    /// Present only when kefu generated the password; shown this once.
    pub generated_password: Option<String>,
}

/// Adds a staff account.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUser,
    responses(
        (status = 201, description = "Added", body = CreatedUser),
        (status = 409, body = super::ErrorBody, description = "The username or e-mail is taken \
            (`username_taken`, `email_taken`)"),
    ))]
pub async fn create(
    State(state): State<AppState>,
    identity: Identity,
    ApiJson(body): ApiJson<NewUser>,
) -> Result<(StatusCode, Json<CreatedUser>), WebError> {
    let form = UserForm {
        username: body.username,
        display_name: body.display_name,
        email: body.email,
        password: body.password,
        department: body.department,
        level: parse_level(body.level.as_deref())?,
        locale: parse_locale(body.locale.as_deref())?.unwrap_or_default(),
        roles: parse_roles(&body.roles)?,
    };
    let created = state.app.create_user(&identity.actor(), &form).await?;
    let departments = state.app.departments().await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedUser {
            user: to_api(created.user, &departments),
            generated_password: created.generated_password,
        }),
    ))
}

/// Fields to change; absent fields stay as they are. An empty `email`, `department` or
/// `level` clears it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub department: Option<String>,
    #[schema(value_type = Option<doc::StaffLevelKey>)]
    pub level: Option<String>,
    #[schema(value_type = Option<doc::LocaleKey>)]
    pub locale: Option<String>,
    #[schema(value_type = Option<Vec<doc::RoleKey>>)]
    pub roles: Option<Vec<String>>,
    /// `false` deactivates the account: its sessions end and its tokens stop working.
    pub active: Option<bool>,
}

/// Changes a staff account.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", request_body = UserPatch,
    params(("id" = i64, Path, description = "user id")),
    responses(
        (status = 200, description = "The account after the changes", body = User,
            headers(("ETag" = String, description = "the account's new version"))),
        (status = 404, description = "No such user", body = super::ErrorBody),
        (status = 409, body = super::ErrorBody, description = "The last administrator, one's own \
            account deactivated, or the e-mail taken (`last_admin`, `self_deactivation`, \
            `email_taken`)"),
    ))]
pub async fn update(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(patch): ApiJson<UserPatch>,
) -> Result<Tagged<User>, WebError> {
    let actor = identity.actor();
    let current = state.app.get_user(&actor, id).await?;
    let departments = state.app.departments().await?;
    let current_department = departments
        .iter()
        .find(|d| Some(d.id) == current.department_id)
        .map(|d| d.key.clone());
    let update = UserUpdate {
        display_name: patch.display_name.unwrap_or(current.display_name.clone()),
        email: patch.email.or(current.email.clone()),
        department: patch.department.or(current_department),
        level: match patch.level {
            Some(l) => parse_level(Some(&l))?,
            None => parse_level(current.level.as_deref())?,
        },
        locale: parse_locale(patch.locale.as_deref())?.unwrap_or(current.locale),
        roles: match patch.roles {
            Some(keys) => parse_roles(&keys)?,
            None => current.roles.clone(),
        },
    };
    // One field at a time would be two transactions; the activity flag is its own use
    // case because it also ends sessions.
    let mut user = state.app.update_user(&actor, id, &update, expected).await?;
    if let Some(active) = patch.active.filter(|a| *a != current.active) {
        user = state.app.set_user_active(&actor, id, active).await?;
    }
    Ok(tagged(user.version, to_api(user, &departments)))
}

#[derive(Serialize, ToSchema)]
pub struct Department {
    pub id: i64,
    pub key: String,
    pub name: String,
}

/// The company's departments.
#[utoipa::path(get, path = "/api/v1/departments", tag = "users",
    responses(
        (status = 200, description = "The departments", body = Vec<Department>),
    ))]
pub async fn departments(State(state): State<AppState>) -> Result<Json<Vec<Department>>, WebError> {
    let list = state.app.departments().await?;
    Ok(Json(
        list.into_iter()
            .map(|d| Department {
                id: d.id,
                key: d.key,
                name: d.name,
            })
            .collect(),
    ))
}
