//! Administration of staff accounts.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::users::{UserForm, UserUpdate};
use kefu_domain::{Locale, Role, RoleSet, StaffLevel};
use kefu_store::staff::{DepartmentRow, User};

use super::render;
use super::versioned::{SettingStale, stale_version};
use crate::AppState;
use crate::auth::{Identity, SESSION_COOKIE, set_cookie};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::input::{parse_key, parse_optional_key};
use crate::view::{Layout, local_time};

struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    roles: String,
    department: String,
    active: bool,
    updated: String,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    t: Tr,
    layout: Layout,
    users: Vec<UserRow>,
}

fn department_name(t: Tr, departments: &[DepartmentRow], id: Option<i64>) -> String {
    departments
        .iter()
        .find(|d| Some(d.id) == id)
        .map(|d| {
            let name = t.tk("department", &d.key);
            if name == d.key { d.name.clone() } else { name }
        })
        .unwrap_or_default()
}

pub async fn list(State(state): State<AppState>, identity: Identity) -> Result<Response, WebError> {
    let t = identity.tr();
    let users = state.app.list_users(&identity.actor()).await?;
    let departments = state.app.departments().await?;
    let users = users
        .into_iter()
        .map(|u| UserRow {
            id: u.id,
            roles: u
                .roles
                .iter()
                .map(|r| t.tk("role", r.key()))
                .collect::<Vec<_>>()
                .join("、"),
            department: department_name(t, &departments, u.department_id),
            username: u.username,
            display_name: u.display_name,
            active: u.active,
            updated: local_time(u.updated_at),
        })
        .collect();
    super::ok(&UsersPage {
        t,
        layout: Layout::new(&identity, "/admin/users"),
        users,
    })
}

/// A choice in a select or checkbox list.
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "admin_user_form.html")]
struct UserFormPage {
    t: Tr,
    layout: Layout,
    /// `None` when adding a user.
    id: Option<i64>,
    active: bool,
    username: String,
    display_name: String,
    email: String,
    roles: Vec<Choice>,
    departments: Vec<Choice>,
    levels: Vec<Choice>,
    locales: Vec<Choice>,
    /// The account's version the form was rendered with.
    version: String,
    error: Option<String>,
    notice: Option<String>,
    generated_password: Option<String>,
    stale: Option<SettingStale>,
}

impl UserFormPage {
    /// The account's fields as the form shows them, labelled, for the stale-form notice.
    fn shown(&self) -> Vec<(String, String)> {
        let t = self.t;
        let picked = |list: &[Choice]| {
            list.iter()
                .filter(|c| c.selected)
                .map(|c| c.label.as_str())
                .collect::<Vec<_>>()
                .join("、")
        };
        vec![
            (
                t.t("users.display_name").to_owned(),
                self.display_name.clone(),
            ),
            (t.t("users.email").to_owned(), self.email.clone()),
            (t.t("users.roles").to_owned(), picked(&self.roles)),
            (
                t.t("users.department").to_owned(),
                picked(&self.departments),
            ),
            (t.t("users.level").to_owned(), picked(&self.levels)),
            (t.t("account.language").to_owned(), picked(&self.locales)),
        ]
    }
}

/// The submitted fields of the user form, kept as typed so a refused form comes back
/// filled in.
#[derive(Default)]
struct Submitted {
    username: String,
    display_name: String,
    email: String,
    password: String,
    department: String,
    level: String,
    locale: String,
    roles: Vec<String>,
    /// The account's version the form was rendered with.
    version: String,
}

impl Submitted {
    /// Checkboxes repeat their name, which a plain struct cannot take; read the pairs.
    fn from_pairs(pairs: Vec<(String, String)>) -> Submitted {
        let mut s = Submitted::default();
        for (k, v) in pairs {
            match k.as_str() {
                "username" => s.username = v,
                "display_name" => s.display_name = v,
                "email" => s.email = v,
                "password" => s.password = v,
                "department" => s.department = v,
                "level" => s.level = v,
                "locale" => s.locale = v,
                "roles" => s.roles.push(v),
                "version" => s.version = v,
                _ => {}
            }
        }
        s
    }

    fn from_user(u: &User, departments: &[DepartmentRow]) -> Submitted {
        Submitted {
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            email: u.email.clone().unwrap_or_default(),
            password: String::new(),
            department: departments
                .iter()
                .find(|d| Some(d.id) == u.department_id)
                .map(|d| d.key.clone())
                .unwrap_or_default(),
            level: u.level.clone().unwrap_or_default(),
            locale: u.locale.key().to_owned(),
            roles: u.roles.iter().map(|r| r.key().to_owned()).collect(),
            version: u.version.to_string(),
        }
    }

    fn roles(&self) -> Result<RoleSet, WebError> {
        self.roles
            .iter()
            .map(|r| parse_key::<Role>("roles", r))
            .collect()
    }

    fn level(&self) -> Result<Option<StaffLevel>, WebError> {
        parse_optional_key("level", Some(self.level.as_str()))
    }

    /// The language shown selected on the form (the default for an unknown key).
    fn locale(&self) -> Locale {
        self.locale.parse().unwrap_or_default()
    }

    /// The language submitted: empty is the default, an unknown key is refused.
    fn chosen_locale(&self) -> Result<Locale, WebError> {
        Ok(parse_optional_key("locale", Some(self.locale.as_str()))?.unwrap_or_default())
    }

    fn optional(v: &str) -> Option<String> {
        Some(v.trim().to_owned()).filter(|v| !v.is_empty())
    }
}

struct FormState {
    id: Option<i64>,
    active: bool,
    error: Option<String>,
    notice: Option<String>,
    generated_password: Option<String>,
}

async fn form_page(
    state: &AppState,
    identity: &Identity,
    s: &Submitted,
    fs: FormState,
) -> Result<UserFormPage, WebError> {
    let t = identity.tr();
    let departments = state.app.departments().await?;
    let choice = |value: &str, label: String, selected: bool| Choice {
        value: value.to_owned(),
        label,
        selected,
    };
    Ok(UserFormPage {
        t,
        layout: Layout::new(identity, "/admin/users"),
        id: fs.id,
        active: fs.active,
        username: s.username.clone(),
        display_name: s.display_name.clone(),
        email: s.email.clone(),
        roles: Role::ALL
            .iter()
            .map(|r| {
                choice(
                    r.key(),
                    t.tk("role", r.key()),
                    s.roles.iter().any(|x| x == r.key()),
                )
            })
            .collect(),
        departments: departments
            .iter()
            .map(|d| {
                choice(
                    &d.key,
                    department_name(t, &departments, Some(d.id)),
                    d.key == s.department,
                )
            })
            .collect(),
        levels: StaffLevel::ALL
            .iter()
            .map(|l| choice(l.key(), t.tk("level", l.key()), s.level == l.key()))
            .collect(),
        locales: Locale::ALL
            .iter()
            .map(|l| choice(l.key(), t.tk("locale", l.key()), s.locale() == *l))
            .collect(),
        version: s.version.clone(),
        error: fs.error,
        notice: fs.notice,
        generated_password: fs.generated_password,
        stale: None,
    })
}

fn blank_state(id: Option<i64>, active: bool) -> FormState {
    FormState {
        id,
        active,
        error: None,
        notice: None,
        generated_password: None,
    }
}

pub async fn new_form(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Response, WebError> {
    let s = Submitted {
        roles: vec![Role::Agent.key().to_owned()],
        ..Default::default()
    };
    super::ok(&form_page(&state, &identity, &s, blank_state(None, true)).await?)
}

/// Errors the person can fix are shown on the form, which keeps what they typed.
async fn refused(
    state: &AppState,
    identity: &Identity,
    s: &Submitted,
    id: Option<i64>,
    active: bool,
    e: WebError,
) -> Result<Response, WebError> {
    let info = e.into_info();
    if info.status.is_server_error()
        || info.status == StatusCode::FORBIDDEN
        || info.status == StatusCode::NOT_FOUND
    {
        return Ok(rebuild(info));
    }
    let fs = FormState {
        error: Some(info.message(identity.tr())),
        ..blank_state(id, active)
    };
    render(info.status, &form_page(state, identity, s, fs).await?)
}

/// Hands an error the form cannot show back to the error renderer.
fn rebuild(info: crate::error::ErrorInfo) -> Response {
    let mut res = info.status.into_response();
    res.extensions_mut().insert(info);
    res
}

pub async fn create(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let s = Submitted::from_pairs(pairs);
    let attempt = async {
        let form = UserForm {
            username: s.username.clone(),
            display_name: s.display_name.clone(),
            email: Submitted::optional(&s.email),
            password: Submitted::optional(&s.password),
            department: Submitted::optional(&s.department),
            level: s.level()?,
            locale: s.chosen_locale()?,
            roles: s.roles()?,
        };
        Ok::<_, WebError>(state.app.create_user(&identity.actor(), &form).await?)
    };
    match attempt.await {
        Ok(created) => {
            let departments = state.app.departments().await?;
            let fs = FormState {
                notice: Some(identity.tr().t("users.created").to_owned()),
                generated_password: created.generated_password,
                ..blank_state(Some(created.user.id), true)
            };
            let s = Submitted::from_user(&created.user, &departments);
            render(
                StatusCode::CREATED,
                &form_page(&state, &identity, &s, fs).await?,
            )
        }
        Err(e) => refused(&state, &identity, &s, None, true, e).await,
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let user = state.app.get_user(&identity.actor(), id).await?;
    let departments = state.app.departments().await?;
    let s = Submitted::from_user(&user, &departments);
    super::ok(&form_page(&state, &identity, &s, blank_state(Some(id), user.active)).await?)
}

pub async fn update(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let existing = state.app.get_user(&identity.actor(), id).await?;
    let mut s = Submitted::from_pairs(pairs);
    s.username = existing.username.clone();
    let attempt = async {
        let update = UserUpdate {
            display_name: s.display_name.clone(),
            email: Submitted::optional(&s.email),
            department: Submitted::optional(&s.department),
            level: s.level()?,
            locale: s.chosen_locale()?,
            roles: s.roles()?,
        };
        let expected = s.version.trim().parse().ok();
        Ok::<_, WebError>(
            state
                .app
                .update_user(&identity.actor(), id, &update, expected)
                .await,
        )
    };
    match attempt.await {
        Ok(Ok(user)) => {
            let mut res = Redirect::to("/admin/users").into_response();
            // A change of roles ended every session of the account, this one too when the
            // administrator changed their own: they carry on under a new session id.
            let own = identity.user.as_ref().is_some_and(|u| u.id == id);
            if own && user.roles != existing.roles {
                let ua = headers.get("user-agent").and_then(|v| v.to_str().ok());
                let session = state.app.reissue_session(&identity.actor(), ua).await?;
                res.headers_mut().append(
                    SET_COOKIE,
                    set_cookie(SESSION_COOKIE, &session.token, None, identity.secure),
                );
            }
            Ok(res)
        }
        Ok(Err(e)) if stale_version(&e).is_some() => {
            let current = state.app.get_user(&identity.actor(), id).await?;
            let departments = state.app.departments().await?;
            let now = Submitted::from_user(&current, &departments);
            let stored = form_page(
                &state,
                &identity,
                &now,
                blank_state(Some(id), current.active),
            )
            .await?;
            s.version = now.version;
            let mut page =
                form_page(&state, &identity, &s, blank_state(Some(id), current.active)).await?;
            page.stale = Some(SettingStale::new(
                identity.tr(),
                current.version,
                page.shown(),
                stored.shown(),
            ));
            render(StatusCode::CONFLICT, &page)
        }
        Ok(Err(e)) => refused(&state, &identity, &s, Some(id), existing.active, e.into()).await,
        Err(e) => refused(&state, &identity, &s, Some(id), existing.active, e).await,
    }
}

#[derive(serde::Deserialize)]
pub struct ActiveForm {
    active: String,
}

pub async fn set_active(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(f): Form<ActiveForm>,
) -> Result<Response, WebError> {
    let active = match f.active.as_str() {
        "1" | "true" => true,
        "0" | "false" => false,
        other => return Err(WebError::bad_request("bad_request", other)),
    };
    match state
        .app
        .set_user_active(&identity.actor(), id, active)
        .await
    {
        Ok(_) => Ok(Redirect::to("/admin/users").into_response()),
        Err(e) => {
            let user = state.app.get_user(&identity.actor(), id).await?;
            let departments = state.app.departments().await?;
            let s = Submitted::from_user(&user, &departments);
            refused(&state, &identity, &s, Some(id), user.active, e.into()).await
        }
    }
}

pub async fn reset_password(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let generated = state
        .app
        .reset_password(&identity.actor(), id, None)
        .await?;
    let user = state.app.get_user(&identity.actor(), id).await?;
    let departments = state.app.departments().await?;
    let s = Submitted::from_user(&user, &departments);
    let fs = FormState {
        notice: Some(identity.tr().t("users.password_reset").to_owned()),
        generated_password: generated,
        ..blank_state(Some(id), user.active)
    };
    super::ok(&form_page(&state, &identity, &s, fs).await?)
}
