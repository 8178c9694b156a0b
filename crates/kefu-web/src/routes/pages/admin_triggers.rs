//! 触发器 — the admin pages for automation: a list with what each trigger does and its last
//! error, and a form of condition rows and action rows.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::ticket::{TriggerForm, TriggerView};
use kefu_domain::condition::{Condition, Field, Op};
use kefu_domain::kb::ScriptStatus;
use kefu_domain::ticket::{Priority, TicketType};
use kefu_domain::trigger::{Action, Recipient, TriggerEvent};
use kefu_domain::{Locale, Permission};

use super::render;
use super::tickets::{Choice, field, status_name};
use super::versioned::{SettingStale, at_version, chosen, form_version, picked, stale_version};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

/// Rows of the form: enough for real rules without a script to add more.
const CONDITION_ROWS: usize = 5;
const ACTION_ROWS: usize = 5;

const FIELDS: [Field; 14] = [
    Field::Type,
    Field::Priority,
    Field::Channel,
    Field::Status,
    Field::Category,
    Field::Tag,
    Field::Assignee,
    Field::Group,
    Field::CustomerTier,
    Field::Subject,
    Field::HoursSinceUpdate,
    Field::HoursSinceCreated,
    Field::HoursInStatus,
    Field::BusinessHoursInStatus,
];

const ACTIONS: [&str; 11] = [
    "set_status",
    "set_priority",
    "set_type",
    "assign",
    "set_group",
    "add_tag",
    "remove_tag",
    "set_field",
    "notify",
    "reply_with_script",
    "escalate",
];

pub struct TriggerRow {
    pub id: i64,
    pub name: String,
    pub event: String,
    pub conditions: String,
    pub actions: String,
    pub active: bool,
    pub fire_count: i64,
    pub last_error: Option<String>,
}

#[derive(Template)]
#[template(path = "admin_triggers.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    triggers: Vec<TriggerRow>,
}

/// Names for ids, to describe triggers in words.
struct Names {
    users: Vec<(i64, String)>,
    groups: Vec<(i64, String)>,
    scripts: Vec<(i64, String)>,
    statuses: Vec<kefu_store::ticket::setup::Status>,
    fields: Vec<(String, String)>,
    locale: Locale,
}

impl Names {
    async fn load(state: &AppState, identity: &Identity) -> Result<Names, WebError> {
        let actor = identity.actor();
        Ok(Names {
            users: state
                .app
                .list_users(&actor)
                .await?
                .into_iter()
                .filter(|u| u.active && u.roles.allows(Permission::TicketWork))
                .map(|u| (u.id, u.display_name))
                .collect(),
            groups: state
                .app
                .ticket_groups(&actor)
                .await?
                .into_iter()
                .map(|g| (g.id, g.name))
                .collect(),
            scripts: state
                .app
                .scripts(&actor, ScriptStatus::Approved, None)
                .await?
                .into_iter()
                .map(|s| (s.script.id, s.script.title))
                .collect(),
            statuses: state.app.ticket_statuses(&actor).await?,
            fields: state
                .app
                .ticket_fields(&actor)
                .await?
                .into_iter()
                .filter(|f| f.active)
                .map(|f| (f.key, f.label))
                .collect(),
            locale: identity.locale,
        })
    }

    fn of(list: &[(i64, String)], id: i64) -> String {
        list.iter()
            .find(|(i, _)| *i == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_else(|| format!("#{id}"))
    }

    fn field_label(&self, t: Tr, f: &Field) -> String {
        match f {
            Field::Custom(k) => self
                .fields
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, l)| l.clone())
                .unwrap_or_else(|| k.clone()),
            other => t.tk("cond_field", &other.key()),
        }
    }

    fn condition_text(&self, t: Tr, c: &Condition) -> String {
        let value = match &c.field {
            Field::Type => t.tk("ticket_type", &c.value),
            Field::Priority => t.tk("priority", &c.value),
            Field::Channel => t.tk("channel", &c.value),
            Field::Status | Field::Category => status_name(&self.statuses, &c.value, self.locale),
            Field::Assignee => c
                .value
                .parse()
                .map(|i| Self::of(&self.users, i))
                .unwrap_or_default(),
            Field::Group => c
                .value
                .parse()
                .map(|i| Self::of(&self.groups, i))
                .unwrap_or_default(),
            Field::CustomerTier => t.tk("tier", &c.value),
            _ => c.value.clone(),
        };
        format!(
            "{} {} {}",
            self.field_label(t, &c.field),
            t.tk("cond_op", c.op.key()),
            value
        )
        .trim()
        .to_owned()
    }

    fn action_text(&self, t: Tr, a: &Action) -> String {
        let what = t.tk("action", a.key());
        let detail = match a {
            Action::SetStatus { status } => status_name(&self.statuses, status, self.locale),
            Action::SetPriority { priority } => t.tk("priority", priority.key()),
            Action::SetType { ticket_type } => t.tk("ticket_type", ticket_type.key()),
            Action::Assign { user_id } => Self::of(&self.users, *user_id),
            Action::SetGroup { group_id } => Self::of(&self.groups, *group_id),
            Action::AddTag { tag } | Action::RemoveTag { tag } => tag.clone(),
            Action::SetField { key, value } => format!("{key} = {value}"),
            Action::Notify { to, text } => {
                format!("{}：{text}", t.tk("recipient", recipient_key(*to)))
            }
            Action::ReplyWithScript { script_id } => Self::of(&self.scripts, *script_id),
            Action::Escalate => String::new(),
        };
        format!("{what} {detail}").trim().to_owned()
    }
}

fn recipient_key(r: Recipient) -> &'static str {
    match r {
        Recipient::Assignee => "assignee",
        Recipient::GroupManager => "group_manager",
        Recipient::Group => "group",
    }
}

pub async fn list(State(state): State<AppState>, identity: Identity) -> Result<Response, WebError> {
    let t = identity.tr();
    let names = Names::load(&state, &identity).await?;
    let triggers = state
        .app
        .triggers(&identity.actor())
        .await?
        .into_iter()
        .map(|v: TriggerView| TriggerRow {
            id: v.row.id,
            event: v
                .event
                .map(|e| t.tk("trigger_event", e.key()))
                .unwrap_or_default(),
            conditions: v
                .conditions
                .iter()
                .map(|c| names.condition_text(t, c))
                .collect::<Vec<_>>()
                .join("；"),
            actions: v
                .actions
                .iter()
                .map(|a| names.action_text(t, a))
                .collect::<Vec<_>>()
                .join("；"),
            name: v.row.name,
            active: v.row.active,
            fire_count: v.row.fire_count,
            last_error: v.row.last_error.map(|e| {
                format!(
                    "{} {e}",
                    v.row.last_error_at.map(local_time).unwrap_or_default()
                )
            }),
        })
        .collect();
    super::ok(&ListPage {
        t,
        layout: Layout::new(&identity, "/admin/triggers"),
        triggers,
    })
}

pub async fn set_active(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    state
        .app
        .set_trigger_active(&identity.actor(), id, field(&pairs, "active") == "1")
        .await?;
    Ok(Redirect::to("/admin/triggers").into_response())
}

/// One condition row of the form.
pub struct ConditionRow {
    pub index: usize,
    pub fields: Vec<Choice>,
    pub ops: Vec<Choice>,
    pub value: String,
}

/// One action row of the form.
pub struct ActionRow {
    pub index: usize,
    pub actions: Vec<Choice>,
    /// Grouped choices: (group label, options).
    pub targets: Vec<(String, Vec<Choice>)>,
    pub text: String,
}

#[derive(Template)]
#[template(path = "admin_trigger_form.html")]
struct FormPage {
    t: Tr,
    layout: Layout,
    id: Option<i64>,
    name: String,
    position: String,
    active: bool,
    events: Vec<Choice>,
    conditions: Vec<ConditionRow>,
    actions: Vec<ActionRow>,
    /// The trigger's version the form was rendered with (0 for a new one).
    version: String,
    error: Option<String>,
    stale: Option<SettingStale>,
}

impl FormPage {
    /// The trigger as the form shows it, labelled, for the stale-form notice: its conditions
    /// and its actions each as one line.
    fn shown(&self) -> Vec<(String, String)> {
        let t = self.t;
        let label = |list: &[Choice]| picked(list).unwrap_or_default();
        let conditions: Vec<String> = self
            .conditions
            .iter()
            .filter(|c| !chosen(&c.fields).is_empty())
            .map(|c| format!("{} {} {}", label(&c.fields), label(&c.ops), c.value))
            .collect();
        let actions: Vec<String> = self
            .actions
            .iter()
            .filter(|a| !chosen(&a.actions).is_empty())
            .map(|a| {
                let target = a
                    .targets
                    .iter()
                    .find_map(|(_, list)| picked(list))
                    .unwrap_or_default();
                format!("{} {target} {}", label(&a.actions), a.text)
            })
            .collect();
        let yes_no = |b: bool| t.t(if b { "common.yes" } else { "common.no" }).to_owned();
        vec![
            (t.t("triggers.name").to_owned(), self.name.clone()),
            (t.t("triggers.event").to_owned(), label(&self.events)),
            (t.t("sla.position").to_owned(), self.position.clone()),
            (t.t("sla.active").to_owned(), yes_no(self.active)),
            (t.t("triggers.conditions").to_owned(), conditions.join("；")),
            (t.t("triggers.actions").to_owned(), actions.join("；")),
        ]
    }
}

fn choice(value: impl Into<String>, label: impl Into<String>, selected: bool) -> Choice {
    Choice {
        value: value.into(),
        label: label.into(),
        selected,
    }
}

/// The form's values as submitted pairs (from a stored trigger or a refused submission).
fn pairs_of(v: &TriggerView) -> Vec<(String, String)> {
    let mut p = vec![
        ("name".to_owned(), v.row.name.clone()),
        ("event".to_owned(), v.row.event.clone()),
        ("position".to_owned(), v.row.position.to_string()),
        (
            "active".to_owned(),
            if v.row.active { "1" } else { "" }.to_owned(),
        ),
        ("version".to_owned(), v.row.version.to_string()),
    ];
    for (i, c) in v.conditions.iter().enumerate() {
        p.push((format!("c{i}_field"), c.field.key()));
        p.push((format!("c{i}_op"), c.op.key().to_owned()));
        p.push((format!("c{i}_value"), c.value.clone()));
    }
    for (i, a) in v.actions.iter().enumerate() {
        p.push((format!("a{i}_action"), a.key().to_owned()));
        let (target, text) = match a {
            Action::SetStatus { status } => (format!("status:{status}"), String::new()),
            Action::SetPriority { priority } => {
                (format!("priority:{}", priority.key()), String::new())
            }
            Action::SetType { ticket_type } => {
                (format!("type:{}", ticket_type.key()), String::new())
            }
            Action::Assign { user_id } => (format!("user:{user_id}"), String::new()),
            Action::SetGroup { group_id } => (format!("group:{group_id}"), String::new()),
            Action::AddTag { tag } | Action::RemoveTag { tag } => (String::new(), tag.clone()),
            Action::SetField { key, value } => (format!("field:{key}"), value.clone()),
            Action::Notify { to, text } => (format!("to:{}", recipient_key(*to)), text.clone()),
            Action::ReplyWithScript { script_id } => (format!("script:{script_id}"), String::new()),
            Action::Escalate => (String::new(), String::new()),
        };
        p.push((format!("a{i}_target"), target));
        p.push((format!("a{i}_text"), text));
    }
    p
}

async fn form_page(
    state: &AppState,
    identity: &Identity,
    id: Option<i64>,
    values: Vec<(String, String)>,
    error: Option<String>,
) -> Result<FormPage, WebError> {
    let t = identity.tr();
    let names = Names::load(state, identity).await?;
    let get = |k: &str| field(&values, k).to_owned();
    let conditions = (0..CONDITION_ROWS)
        .map(|i| {
            let f = get(&format!("c{i}_field"));
            let op = get(&format!("c{i}_op"));
            let mut fields = vec![choice("", "—", f.is_empty())];
            fields.extend(
                FIELDS
                    .iter()
                    .map(|x| choice(x.key(), names.field_label(t, x), x.key() == f)),
            );
            fields.extend(names.fields.iter().map(|(k, l)| {
                let key = format!("custom:{k}");
                choice(key.clone(), l.clone(), key == f)
            }));
            ConditionRow {
                index: i,
                fields,
                ops: Op::ALL
                    .iter()
                    .map(|o| choice(o.key(), t.tk("cond_op", o.key()), o.key() == op))
                    .collect(),
                value: get(&format!("c{i}_value")),
            }
        })
        .collect();
    let actions = (0..ACTION_ROWS)
        .map(|i| {
            let a = get(&format!("a{i}_action"));
            let target = get(&format!("a{i}_target"));
            let mut kinds = vec![choice("", "—", a.is_empty())];
            kinds.extend(
                ACTIONS
                    .iter()
                    .map(|k| choice(*k, t.tk("action", k), *k == a)),
            );
            let opt = |value: String, label: String| {
                let selected = value == target;
                choice(value, label, selected)
            };
            let targets = vec![
                (
                    t.t("ticket.status").to_owned(),
                    names
                        .statuses
                        .iter()
                        .map(|s| {
                            opt(
                                format!("status:{}", s.key),
                                status_name(&names.statuses, &s.key, names.locale),
                            )
                        })
                        .collect(),
                ),
                (
                    t.t("ticket.priority").to_owned(),
                    Priority::ALL
                        .iter()
                        .map(|p| opt(format!("priority:{}", p.key()), t.tk("priority", p.key())))
                        .collect(),
                ),
                (
                    t.t("ticket.type").to_owned(),
                    TicketType::ALL
                        .iter()
                        .map(|p| opt(format!("type:{}", p.key()), t.tk("ticket_type", p.key())))
                        .collect(),
                ),
                (
                    t.t("ticket.assignee").to_owned(),
                    names
                        .users
                        .iter()
                        .map(|(id, n)| opt(format!("user:{id}"), n.clone()))
                        .collect(),
                ),
                (
                    t.t("ticket.group").to_owned(),
                    names
                        .groups
                        .iter()
                        .map(|(id, n)| opt(format!("group:{id}"), n.clone()))
                        .collect(),
                ),
                (
                    t.t("triggers.recipients").to_owned(),
                    ["assignee", "group", "group_manager"]
                        .iter()
                        .map(|r| opt(format!("to:{r}"), t.tk("recipient", r)))
                        .collect(),
                ),
                (
                    t.t("nav.scripts").to_owned(),
                    names
                        .scripts
                        .iter()
                        .map(|(id, n)| opt(format!("script:{id}"), n.clone()))
                        .collect(),
                ),
                (
                    t.t("ticket.custom_fields").to_owned(),
                    names
                        .fields
                        .iter()
                        .map(|(k, l)| opt(format!("field:{k}"), l.clone()))
                        .collect(),
                ),
            ];
            ActionRow {
                index: i,
                actions: kinds,
                targets,
                text: get(&format!("a{i}_text")),
            }
        })
        .collect();
    let event = get("event");
    Ok(FormPage {
        t,
        layout: Layout::new(identity, "/admin/triggers"),
        id,
        name: get("name"),
        position: {
            let p = get("position");
            if p.is_empty() { "100".into() } else { p }
        },
        active: id.is_none() && values.is_empty() || get("active") == "1",
        events: TriggerEvent::ALL
            .iter()
            .map(|e| choice(e.key(), t.tk("trigger_event", e.key()), e.key() == event))
            .collect(),
        conditions,
        actions,
        version: get("version"),
        error,
        stale: None,
    })
}

pub async fn new_form(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Response, WebError> {
    super::ok(&form_page(&state, &identity, None, Vec::new(), None).await?)
}

pub async fn edit_form(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    super::ok(&stored_form(&state, &identity, id).await?)
}

/// The form of trigger `id` as stored.
async fn stored_form(state: &AppState, identity: &Identity, id: i64) -> Result<FormPage, WebError> {
    let v = state
        .app
        .triggers(&identity.actor())
        .await?
        .into_iter()
        .find(|v| v.row.id == id)
        .ok_or(WebError::NotFound)?;
    form_page(state, identity, Some(id), pairs_of(&v), None).await
}

/// Which part of the form could not be read.
enum RowError {
    Event,
    Condition(usize),
    Action(usize),
}

/// Reads the form into a trigger, or says which row is wrong.
fn parse_form(pairs: &[(String, String)]) -> Result<TriggerForm, RowError> {
    let get = |k: &str| field(pairs, k).trim().to_owned();
    let event = TriggerEvent::parse(&get("event")).ok_or(RowError::Event)?;
    let mut conditions = Vec::new();
    for i in 0..CONDITION_ROWS {
        let f = get(&format!("c{i}_field"));
        if f.is_empty() {
            continue;
        }
        let field = Field::parse(&f).ok_or(RowError::Condition(i + 1))?;
        let op = Op::parse(&get(&format!("c{i}_op"))).ok_or(RowError::Condition(i + 1))?;
        conditions.push(Condition {
            field,
            op,
            value: get(&format!("c{i}_value")),
        });
    }
    let mut actions = Vec::new();
    for i in 0..ACTION_ROWS {
        let kind = get(&format!("a{i}_action"));
        if kind.is_empty() {
            continue;
        }
        let target = get(&format!("a{i}_target"));
        let text = get(&format!("a{i}_text"));
        let (prefix, value) = target.split_once(':').unwrap_or(("", ""));
        let bad = || RowError::Action(i + 1);
        let id = || value.parse::<i64>().map_err(|_| bad());
        let want = |p: &str| if prefix == p { Ok(()) } else { Err(bad()) };
        let action = match kind.as_str() {
            "set_status" => want("status").map(|_| Action::SetStatus {
                status: value.to_owned(),
            })?,
            "set_priority" => {
                want("priority")?;
                Action::SetPriority {
                    priority: value.parse().map_err(|_| bad())?,
                }
            }
            "set_type" => {
                want("type")?;
                Action::SetType {
                    ticket_type: value.parse().map_err(|_| bad())?,
                }
            }
            "assign" => {
                want("user")?;
                Action::Assign { user_id: id()? }
            }
            "set_group" => {
                want("group")?;
                Action::SetGroup { group_id: id()? }
            }
            "add_tag" => Action::AddTag { tag: text },
            "remove_tag" => Action::RemoveTag { tag: text },
            "set_field" => {
                want("field")?;
                Action::SetField {
                    key: value.to_owned(),
                    value: text,
                }
            }
            "notify" => {
                want("to")?;
                let to = match value {
                    "assignee" => Recipient::Assignee,
                    "group" => Recipient::Group,
                    "group_manager" => Recipient::GroupManager,
                    _ => return Err(bad()),
                };
                Action::Notify { to, text }
            }
            "reply_with_script" => {
                want("script")?;
                Action::ReplyWithScript { script_id: id()? }
            }
            "escalate" => Action::Escalate,
            _ => return Err(bad()),
        };
        actions.push(action);
    }
    Ok(TriggerForm {
        name: get("name"),
        event,
        conditions,
        actions,
        active: get("active") == "1",
        position: get("position").parse().unwrap_or(100),
    })
}

async fn save(
    state: AppState,
    identity: Identity,
    id: Option<i64>,
    pairs: Vec<(String, String)>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let result = match parse_form(&pairs) {
        Ok(form) => {
            let saved = state
                .app
                .save_trigger(&identity.actor(), id, &form, form_version(&pairs))
                .await;
            if let (Some(id), Some(current)) = (id, saved.as_ref().err().and_then(stale_version)) {
                let stored = stored_form(&state, &identity, id).await?;
                let sent = at_version(&pairs, current);
                let mut page = form_page(&state, &identity, Some(id), sent, None).await?;
                page.stale = Some(SettingStale::new(t, current, page.shown(), stored.shown()));
                return render(axum::http::StatusCode::CONFLICT, &page);
            }
            saved.map_err(|e| super::refusal(e, t))
        }
        Err(row) => {
            let message = match row {
                RowError::Event => t.t("error.trigger_event").to_owned(),
                RowError::Condition(n) => {
                    t.f("error.trigger_condition_row", &[("n", &n.to_string())])
                }
                RowError::Action(n) => t.f("error.trigger_action_row", &[("n", &n.to_string())]),
            };
            Err((axum::http::StatusCode::UNPROCESSABLE_ENTITY, message))
        }
    };
    match result {
        Ok(_) => Ok(Redirect::to("/admin/triggers").into_response()),
        Err((status, message)) => render(
            status,
            &form_page(&state, &identity, id, pairs, Some(message)).await?,
        ),
    }
}

pub async fn create(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    save(state, identity, None, pairs).await
}

pub async fn update(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    save(state, identity, Some(id), pairs).await
}
