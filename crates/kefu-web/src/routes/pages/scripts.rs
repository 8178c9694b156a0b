//! 话术库 — the reply-script pages: search, propose, review, edit.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::kb::{ScriptForm, ScriptView};
use kefu_domain::Permission;
use kefu_domain::kb::{MacroActions, ScriptStatus};
use kefu_domain::ticket::{Priority, TicketType};

use super::render;
use super::tickets::{Choice, field, non_empty, status_name};
use super::versioned::{SettingStale, at_version, form_version, picked, stale_version};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

pub struct ScriptRow {
    pub id: i64,
    pub category: String,
    pub title: String,
    pub body: String,
    pub actions: String,
    pub proposed_by: String,
    pub use_count: i64,
    pub updated: String,
    /// The version a review is made against: the text the reviewer read.
    pub version: i64,
}

#[derive(Template)]
#[template(path = "scripts.html")]
struct ScriptsPage {
    t: Tr,
    layout: Layout,
    q: String,
    approved: Vec<ScriptRow>,
    proposed: Vec<ScriptRow>,
    reviewer: bool,
    statuses: Vec<Choice>,
    priorities: Vec<Choice>,
    values: Vec<(String, String)>,
    error: Option<String>,
    notice: Option<String>,
}

impl ScriptsPage {
    fn v(&self, key: &str) -> &str {
        field(&self.values, key)
    }
}

/// The macro actions in words.
pub(crate) fn actions_text(
    t: Tr,
    statuses: &[kefu_store::ticket::setup::Status],
    locale: kefu_domain::Locale,
    a: &MacroActions,
) -> String {
    let mut parts = Vec::new();
    if let Some(s) = &a.status {
        parts.push(format!(
            "{}: {}",
            t.t("ticket.status"),
            status_name(statuses, s, locale)
        ));
    }
    if let Some(p) = a.priority {
        parts.push(format!(
            "{}: {}",
            t.t("ticket.priority"),
            t.tk("priority", p.key())
        ));
    }
    if let Some(ty) = a.ticket_type {
        parts.push(format!(
            "{}: {}",
            t.t("ticket.type"),
            t.tk("ticket_type", ty.key())
        ));
    }
    if !a.add_tags.is_empty() {
        parts.push(format!("{}: {}", t.t("ticket.tags"), a.add_tags.join(", ")));
    }
    if a.assign_to_me {
        parts.push(t.t("scripts.assign_to_me").to_owned());
    }
    parts.join("；")
}

fn rows(
    t: Tr,
    statuses: &[kefu_store::ticket::setup::Status],
    locale: kefu_domain::Locale,
    list: Vec<ScriptView>,
) -> Vec<ScriptRow> {
    list.into_iter()
        .map(|v| ScriptRow {
            actions: actions_text(t, statuses, locale, &v.actions),
            id: v.script.id,
            category: v.script.category,
            title: v.script.title,
            body: v.script.body,
            proposed_by: v.script.proposed_by_name.unwrap_or_default(),
            use_count: v.script.use_count,
            updated: local_time(v.script.updated_at),
            version: v.script.version,
        })
        .collect()
}

/// Status and priority choices for a macro (with "leave as is").
fn macro_choices(
    t: Tr,
    statuses: &[kefu_store::ticket::setup::Status],
    locale: kefu_domain::Locale,
    values: &[(String, String)],
) -> (Vec<Choice>, Vec<Choice>) {
    let keep = |key: &str| Choice {
        value: String::new(),
        label: t.t("ticket.keep_status").to_owned(),
        selected: field(values, key).is_empty(),
    };
    let st = std::iter::once(keep("macro_status"))
        .chain(statuses.iter().filter(|s| s.key != "new").map(|s| Choice {
            value: s.key.clone(),
            label: status_name(statuses, &s.key, locale),
            selected: s.key == field(values, "macro_status"),
        }))
        .collect();
    let pr = std::iter::once(keep("macro_priority"))
        .chain(Priority::ALL.iter().map(|p| Choice {
            value: p.key().into(),
            label: t.tk("priority", p.key()),
            selected: p.key() == field(values, "macro_priority"),
        }))
        .collect();
    (st, pr)
}

async fn page(
    state: &AppState,
    identity: &Identity,
    q: String,
    values: Vec<(String, String)>,
    error: Option<String>,
    notice: Option<String>,
) -> Result<ScriptsPage, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let reviewer = identity.user()?.allows(Permission::ScriptApprove);
    let statuses = state.app.ticket_statuses(&actor).await?;
    let approved = state
        .app
        .scripts(&actor, ScriptStatus::Approved, non_empty(&q))
        .await?;
    let proposed = if reviewer {
        state
            .app
            .scripts(&actor, ScriptStatus::Proposed, None)
            .await?
    } else {
        Vec::new()
    };
    let (st, pr) = macro_choices(t, &statuses, identity.locale, &values);
    Ok(ScriptsPage {
        t,
        layout: Layout::new(identity, "/scripts"),
        approved: rows(t, &statuses, identity.locale, approved),
        proposed: rows(t, &statuses, identity.locale, proposed),
        reviewer,
        statuses: st,
        priorities: pr,
        q,
        values,
        error,
        notice,
    })
}

#[derive(serde::Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
    Query(s): Query<SearchQuery>,
) -> Result<Response, WebError> {
    super::ok(&page(&state, &identity, s.q, Vec::new(), None, None).await?)
}

/// The script form's fields. An empty macro priority or type changes nothing; an unknown
/// key is refused with the keys allowed.
fn form_of(pairs: &[(String, String)]) -> Result<ScriptForm, WebError> {
    let get = |k| field(pairs, k);
    Ok(ScriptForm {
        category: get("category").to_owned(),
        title: get("title").to_owned(),
        body: get("body").to_owned(),
        actions: MacroActions {
            status: non_empty(get("macro_status")).map(str::to_owned),
            priority: super::form_key::<Priority>(pairs, "macro_priority")?,
            ticket_type: super::form_key::<TicketType>(pairs, "macro_type")?,
            add_tags: kefu_domain::ticket::clean_tags(get("macro_tags")).unwrap_or_default(),
            assign_to_me: get("macro_assign_me") == "1",
        },
    })
}

pub async fn propose(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let form = match form_of(&pairs) {
        Ok(form) => form,
        Err(e) => {
            let (status, message) = super::input_refusal(e, t);
            return render(
                status,
                &page(&state, &identity, String::new(), pairs, Some(message), None).await?,
            );
        }
    };
    match state.app.propose_script(&identity.actor(), &form).await {
        Ok(_) => {
            let reviewer = identity.user()?.allows(Permission::ScriptApprove);
            let notice = t
                .t(if reviewer {
                    "scripts.added"
                } else {
                    "scripts.proposed_notice"
                })
                .to_owned();
            super::ok(
                &page(
                    &state,
                    &identity,
                    String::new(),
                    Vec::new(),
                    None,
                    Some(notice),
                )
                .await?,
            )
        }
        Err(e) => {
            let (status, message) = super::refusal(e, t);
            render(
                status,
                &page(&state, &identity, String::new(), pairs, Some(message), None).await?,
            )
        }
    }
}

pub async fn review(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let approve = field(&pairs, "decision") == "approve";
    let reviewed = state
        .app
        .review_script(
            &identity.actor(),
            id,
            approve,
            non_empty(field(&pairs, "note")),
            form_version(&pairs),
        )
        .await;
    match reviewed {
        Ok(()) => Ok(Redirect::to("/scripts").into_response()),
        // Edited since the reviewer read it: nothing is recorded, and the list shows the
        // script as it reads now.
        Err(e) if stale_version(&e).is_some() => {
            let message = identity.tr().t("scripts.changed_since_read").to_owned();
            render(
                StatusCode::CONFLICT,
                &page(
                    &state,
                    &identity,
                    String::new(),
                    Vec::new(),
                    Some(message),
                    None,
                )
                .await?,
            )
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "script_edit.html")]
struct EditPage {
    t: Tr,
    layout: Layout,
    id: i64,
    statuses: Vec<Choice>,
    priorities: Vec<Choice>,
    values: Vec<(String, String)>,
    error: Option<String>,
    stale: Option<SettingStale>,
}

impl EditPage {
    fn v(&self, key: &str) -> &str {
        field(&self.values, key)
    }

    /// The script's fields as the form shows them, labelled, for the stale-form notice.
    fn shown(&self) -> Vec<(String, String)> {
        let t = self.t;
        let yes_no = |v: &str| {
            t.t(if v == "1" { "common.yes" } else { "common.no" })
                .to_owned()
        };
        vec![
            (
                t.t("scripts.category").to_owned(),
                self.v("category").to_owned(),
            ),
            (
                t.t("scripts.script_title").to_owned(),
                self.v("title").to_owned(),
            ),
            (
                t.t("scripts.text").to_owned(),
                self.v("body").replace("\r\n", "\n"),
            ),
            (
                t.t("ticket.status").to_owned(),
                picked(&self.statuses).unwrap_or_default(),
            ),
            (
                t.t("ticket.priority").to_owned(),
                picked(&self.priorities).unwrap_or_default(),
            ),
            (
                t.t("scripts.add_tags").to_owned(),
                self.v("macro_tags").to_owned(),
            ),
            (
                t.t("scripts.assign_to_me").to_owned(),
                yes_no(self.v("macro_assign_me")),
            ),
        ]
    }
}

async fn edit_page(
    state: &AppState,
    identity: &Identity,
    id: i64,
    values: Option<Vec<(String, String)>>,
    error: Option<String>,
) -> Result<EditPage, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let values = match values {
        Some(v) => v,
        None => {
            let mut all = state
                .app
                .scripts(&actor, ScriptStatus::Approved, None)
                .await?;
            all.extend(
                state
                    .app
                    .scripts(&actor, ScriptStatus::Proposed, None)
                    .await?,
            );
            let v = all
                .into_iter()
                .find(|s| s.script.id == id)
                .ok_or(WebError::NotFound)?;
            vec![
                ("category".into(), v.script.category),
                ("title".into(), v.script.title),
                ("body".into(), v.script.body),
                ("macro_status".into(), v.actions.status.unwrap_or_default()),
                (
                    "macro_priority".into(),
                    v.actions
                        .priority
                        .map(|p| p.key().to_owned())
                        .unwrap_or_default(),
                ),
                ("macro_tags".into(), v.actions.add_tags.join(", ")),
                (
                    "macro_assign_me".into(),
                    if v.actions.assign_to_me { "1" } else { "" }.into(),
                ),
                ("version".into(), v.script.version.to_string()),
            ]
        }
    };
    let statuses = state.app.ticket_statuses(&actor).await?;
    let (st, pr) = macro_choices(t, &statuses, identity.locale, &values);
    Ok(EditPage {
        t,
        layout: Layout::new(identity, "/scripts"),
        id,
        statuses: st,
        priorities: pr,
        values,
        error,
        stale: None,
    })
}

pub async fn edit(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    super::ok(&edit_page(&state, &identity, id, None, None).await?)
}

pub async fn update(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = match form_of(&pairs) {
        Ok(form) => form,
        Err(e) => {
            let (status, message) = super::input_refusal(e, identity.tr());
            return render(
                status,
                &edit_page(&state, &identity, id, Some(pairs), Some(message)).await?,
            );
        }
    };
    let saved = state
        .app
        .update_script(&identity.actor(), id, &form, form_version(&pairs))
        .await;
    match saved {
        Ok(()) => Ok(Redirect::to("/scripts").into_response()),
        Err(e) if stale_version(&e).is_some() => {
            let current = stale_version(&e).unwrap_or_default();
            let stored = edit_page(&state, &identity, id, None, None).await?;
            let sent = at_version(&pairs, current);
            let mut page = edit_page(&state, &identity, id, Some(sent), None).await?;
            page.stale = Some(SettingStale::new(
                identity.tr(),
                current,
                page.shown(),
                stored.shown(),
            ));
            render(StatusCode::CONFLICT, &page)
        }
        Err(e) => {
            let (status, message) = super::refusal(e, identity.tr());
            render(
                status,
                &edit_page(&state, &identity, id, Some(pairs), Some(message)).await?,
            )
        }
    }
}
