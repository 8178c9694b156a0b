//! 工单设置 — the admin pages for groups (members, manager, assignment rule), statuses of
//! one's own, and custom fields.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::ticket::{NewField, NewGroup, NewStatus};
use kefu_domain::Permission;
use kefu_domain::ticket::{AssignmentRule, FieldKind, StatusCategory};

use super::render;
use super::tickets::{Choice, field, non_empty, status_name};
use super::versioned::{SettingStale, at_version, form_version, picked, stale_version};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::Layout;

pub struct GroupRow {
    pub id: i64,
    pub name: String,
    pub manager: String,
    pub rule: String,
    pub members: String,
}

pub struct StatusRow {
    pub key: String,
    pub category: String,
    pub name_zh: String,
    pub name_en: String,
    pub builtin: bool,
}

pub struct FieldRow {
    pub id: i64,
    pub key: String,
    pub label: String,
    pub kind: String,
    pub options: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "admin_ticket_settings.html")]
struct SettingsPage {
    t: Tr,
    layout: Layout,
    groups: Vec<GroupRow>,
    statuses: Vec<StatusRow>,
    fields: Vec<FieldRow>,
    categories: Vec<Choice>,
    kinds: Vec<Choice>,
    values: Vec<(String, String)>,
    error: Option<String>,
}

impl SettingsPage {
    fn v(&self, key: &str) -> &str {
        field(&self.values, key)
    }
}

async fn settings_page(
    state: &AppState,
    identity: &Identity,
    values: Vec<(String, String)>,
    error: Option<String>,
) -> Result<SettingsPage, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let users = state.app.list_users(&actor).await?;
    let name_of = |id: i64| {
        users
            .iter()
            .find(|u| u.id == id)
            .map(|u| u.display_name.clone())
            .unwrap_or_default()
    };
    let mut groups = Vec::new();
    for g in state.app.ticket_groups(&actor).await? {
        let members = state.app.group_members(&actor, g.id).await?;
        groups.push(GroupRow {
            id: g.id,
            name: g.name,
            manager: g.manager_user_id.map(name_of).unwrap_or_default(),
            rule: t.tk("assignment", &g.assignment),
            members: members
                .into_iter()
                .map(name_of)
                .collect::<Vec<_>>()
                .join("、"),
        });
    }
    let all_statuses = state.app.ticket_statuses(&actor).await?;
    let statuses = all_statuses
        .iter()
        .map(|s| StatusRow {
            key: s.key.clone(),
            category: status_name(&all_statuses, s.category.key(), identity.locale),
            name_zh: s.name_zh.clone(),
            name_en: s.name_en.clone(),
            builtin: s.builtin,
        })
        .collect();
    let fields = state
        .app
        .ticket_fields(&actor)
        .await?
        .into_iter()
        .map(|f| FieldRow {
            id: f.id,
            key: f.key,
            label: f.label,
            kind: t.tk("field_kind", f.kind.key()),
            options: f.options.join("、"),
            active: f.active,
        })
        .collect();
    let selected_cat = field(&values, "category").to_owned();
    let selected_kind = field(&values, "kind").to_owned();
    Ok(SettingsPage {
        t,
        layout: Layout::new(identity, "/admin/ticket-settings"),
        groups,
        statuses,
        fields,
        categories: StatusCategory::ALL
            .iter()
            .map(|c| Choice {
                value: c.key().into(),
                label: status_name(&all_statuses, c.key(), identity.locale),
                selected: c.key() == selected_cat,
            })
            .collect(),
        kinds: FieldKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.key().into(),
                label: t.tk("field_kind", k.key()),
                selected: k.key() == selected_kind,
            })
            .collect(),
        values,
        error,
    })
}

pub async fn settings(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Response, WebError> {
    super::ok(&settings_page(&state, &identity, Vec::new(), None).await?)
}

/// Renders the settings page again with the refusal and what was typed.
async fn refused(
    state: &AppState,
    identity: &Identity,
    pairs: Vec<(String, String)>,
    e: kefu_app::AppError,
) -> Result<Response, WebError> {
    let message = WebError::from(e).into_info().message(identity.tr());
    render(
        StatusCode::UNPROCESSABLE_ENTITY,
        &settings_page(state, identity, pairs, Some(message)).await?,
    )
}

pub async fn add_status(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let get = |k| field(&pairs, k).trim().to_owned();
    let category =
        crate::input::parse_key::<StatusCategory>("category", field(&pairs, "category"))?;
    let status = NewStatus {
        key: get("key"),
        category,
        name_zh: get("name_zh"),
        name_en: get("name_en"),
    };
    match state.app.create_status(&identity.actor(), &status).await {
        Ok(()) => Ok(Redirect::to("/admin/ticket-settings").into_response()),
        Err(e) => refused(&state, &identity, pairs, e).await,
    }
}

pub async fn add_field(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let kind = crate::input::parse_key::<FieldKind>("kind", field(&pairs, "kind"))?;
    let f = NewField {
        key: field(&pairs, "key").trim().to_owned(),
        label: field(&pairs, "label").to_owned(),
        kind,
        options: field(&pairs, "options").to_owned(),
    };
    match state.app.create_field(&identity.actor(), &f).await {
        Ok(_) => Ok(Redirect::to("/admin/ticket-settings").into_response()),
        Err(e) => refused(&state, &identity, pairs, e).await,
    }
}

pub async fn set_field_active(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let active = field(&pairs, "active") == "1";
    state
        .app
        .set_field_active(&identity.actor(), id, active)
        .await?;
    Ok(Redirect::to("/admin/ticket-settings").into_response())
}

#[derive(Template)]
#[template(path = "admin_group_form.html")]
struct GroupPage {
    t: Tr,
    layout: Layout,
    id: Option<i64>,
    name: String,
    managers: Vec<Choice>,
    rules: Vec<Choice>,
    members: Vec<Choice>,
    /// The group's version the form was rendered with (empty for a new one).
    version: String,
    error: Option<String>,
    stale: Option<SettingStale>,
}

impl GroupPage {
    /// The group's fields as the form shows them, labelled, for the stale-form notice.
    fn shown(&self) -> Vec<(String, String)> {
        let t = self.t;
        let members: Vec<&str> = self
            .members
            .iter()
            .filter(|m| m.selected)
            .map(|m| m.label.as_str())
            .collect();
        vec![
            (t.t("settings.group_name").to_owned(), self.name.clone()),
            (
                t.t("settings.manager").to_owned(),
                picked(&self.managers).unwrap_or_default(),
            ),
            (
                t.t("settings.assignment").to_owned(),
                picked(&self.rules).unwrap_or_default(),
            ),
            (t.t("settings.members").to_owned(), members.join("、")),
        ]
    }
}

async fn group_page(
    state: &AppState,
    identity: &Identity,
    id: Option<i64>,
    submitted: Option<&[(String, String)]>,
    error: Option<String>,
) -> Result<GroupPage, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let users = state.app.list_users(&actor).await?;
    let mut version = submitted
        .map(|p| field(p, "version").to_owned())
        .unwrap_or_default();
    let (name, manager, rule, members): (String, String, String, Vec<String>) = match submitted {
        Some(p) => (
            field(p, "name").to_owned(),
            field(p, "manager").to_owned(),
            field(p, "assignment").to_owned(),
            p.iter()
                .filter(|(k, _)| k == "members")
                .map(|(_, v)| v.clone())
                .collect(),
        ),
        None => match id {
            Some(id) => {
                let g = state
                    .app
                    .ticket_groups(&actor)
                    .await?
                    .into_iter()
                    .find(|g| g.id == id)
                    .ok_or(WebError::NotFound)?;
                let m = state.app.group_members(&actor, id).await?;
                version = g.version.to_string();
                (
                    g.name,
                    g.manager_user_id.map(|m| m.to_string()).unwrap_or_default(),
                    g.assignment,
                    m.iter().map(i64::to_string).collect(),
                )
            }
            None => (String::new(), String::new(), "manual".into(), Vec::new()),
        },
    };
    let workers: Vec<_> = users
        .iter()
        .filter(|u| u.active && u.roles.allows(Permission::TicketWork))
        .collect();
    Ok(GroupPage {
        t,
        layout: Layout::new(identity, "/admin/ticket-settings"),
        id,
        name,
        managers: std::iter::once(Choice {
            value: String::new(),
            label: "—".into(),
            selected: manager.is_empty(),
        })
        .chain(workers.iter().map(|u| Choice {
            value: u.id.to_string(),
            label: u.display_name.clone(),
            selected: u.id.to_string() == manager,
        }))
        .collect(),
        rules: AssignmentRule::ALL
            .iter()
            .map(|r| Choice {
                value: r.key().into(),
                label: t.tk("assignment", r.key()),
                selected: r.key() == rule,
            })
            .collect(),
        members: workers
            .iter()
            .map(|u| Choice {
                value: u.id.to_string(),
                label: u.display_name.clone(),
                selected: members.contains(&u.id.to_string()),
            })
            .collect(),
        version,
        error,
        stale: None,
    })
}

pub async fn new_group(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Response, WebError> {
    super::ok(&group_page(&state, &identity, None, None, None).await?)
}

pub async fn edit_group(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    super::ok(&group_page(&state, &identity, Some(id), None, None).await?)
}

async fn save_group(
    state: AppState,
    identity: Identity,
    id: Option<i64>,
    pairs: Vec<(String, String)>,
) -> Result<Response, WebError> {
    let g = NewGroup {
        name: field(&pairs, "name").to_owned(),
        manager_user_id: non_empty(field(&pairs, "manager")).and_then(|v| v.parse().ok()),
        assignment: field(&pairs, "assignment").to_owned(),
        members: pairs
            .iter()
            .filter(|(k, _)| k == "members")
            .filter_map(|(_, v)| v.parse().ok())
            .collect(),
    };
    let saved = state
        .app
        .save_group(&identity.actor(), id, &g, form_version(&pairs))
        .await;
    match saved {
        Ok(_) => Ok(Redirect::to("/admin/ticket-settings").into_response()),
        Err(e) if id.is_some() && stale_version(&e).is_some() => {
            let current = stale_version(&e).unwrap_or_default();
            let stored = group_page(&state, &identity, id, None, None).await?;
            let sent = at_version(&pairs, current);
            let mut page = group_page(&state, &identity, id, Some(&sent), None).await?;
            page.stale = Some(SettingStale::new(
                identity.tr(),
                current,
                page.shown(),
                stored.shown(),
            ));
            render(StatusCode::CONFLICT, &page)
        }
        Err(e) => {
            let message = WebError::from(e).into_info().message(identity.tr());
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &group_page(&state, &identity, id, Some(&pairs), Some(message)).await?,
            )
        }
    }
}

pub async fn create_group(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    save_group(state, identity, None, pairs).await
}

pub async fn update_group(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    save_group(state, identity, Some(id), pairs).await
}
