//! 话术库 — the reply-script use cases: search, propose, review, and use a script on a
//! ticket (its placeholders filled from the ticket, its macro actions applied).

use kefu_domain::kb::{self, MacroActions, ScriptStatus, ScriptValues};
use kefu_domain::{Permission, ticket as rules};
use kefu_store::kb::{self as store, NewScript, Script};
use kefu_store::ticket as tickets;
use kefu_store::{StoreError, changelog};
use serde_json::json;

use crate::audit::{self, Target};
use crate::notify;
use crate::ticket::TicketChanges;
use crate::versions::{self, Setting};
use crate::{Actor, ActorKind, App, AppError, Result};

/// A script as submitted.
#[derive(Debug, Clone)]
pub struct ScriptForm {
    pub category: String,
    pub title: String,
    pub body: String,
    pub actions: MacroActions,
}

/// A script used on a ticket: the text for the reply box, and whether its macro actions
/// changed the ticket (the page then says so, its properties being older than the ticket).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptUse {
    pub text: String,
    pub ticket_changed: bool,
}

/// A script with its macro actions read.
#[derive(Debug, Clone)]
pub struct ScriptView {
    pub script: Script,
    pub actions: MacroActions,
}

fn view(s: Script) -> ScriptView {
    let actions = serde_json::from_str(&s.actions).unwrap_or_default();
    ScriptView { script: s, actions }
}

fn check_form(f: &ScriptForm) -> Result<()> {
    kb::check(&f.category, &f.title, &f.body)?;
    for tag in &f.actions.add_tags {
        rules::clean_tags(tag)?;
    }
    Ok(())
}

/// The starter scripts of a new installation: the wording every department needs on day one.
const STARTERS: [(&str, &str, &str); 4] = [
    (
        "通用",
        "首次问候",
        "{客户名称}您好，我是客服{客服姓名}，很高兴为您服务。您的问题已登记为工单 {工单号}，我们会尽快为您处理。",
    ),
    (
        "通用",
        "请求补充信息",
        "{客户名称}您好，为了尽快处理您的问题，请您提供订单号、产品型号以及问题照片。感谢您的配合！",
    ),
    (
        "售后",
        "安排上门检修",
        "{客户名称}您好，已为您安排售后工程师上门检修，工程师会在上门前与您电话确认时间。如有变动请随时联系我们。",
    ),
    (
        "通用",
        "结束语",
        "{客户名称}您好，您的问题已处理完毕。如还有其他需要，欢迎随时联系我们，祝您生活愉快！",
    ),
];

impl App {
    /// Seeds the starter scripts on an installation without any.
    pub async fn ensure_starter_scripts(&self) -> Result<()> {
        let now = self.now();
        let mut tx = self.store.begin_seeding().await?;
        if store::count(&mut tx).await? > 0 {
            return Ok(());
        }
        for (category, title, body) in STARTERS {
            let s = NewScript {
                category,
                title,
                body,
                actions: "{}",
                status: ScriptStatus::Approved.key(),
                proposed_by: None,
            };
            store::insert(&mut tx, &s, now).await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// Approved scripts (searchable); for reviewers, `status` may ask for others.
    pub async fn scripts(
        &self,
        actor: &Actor,
        status: ScriptStatus,
        text: Option<&str>,
    ) -> Result<Vec<ScriptView>> {
        actor.require(Permission::TicketWork)?;
        if status != ScriptStatus::Approved {
            actor.require(Permission::ScriptApprove)?;
        }
        let mut conn = self.store.conn().await?;
        Ok(store::list(&mut conn, status.key(), text, 500)
            .await?
            .into_iter()
            .map(view)
            .collect())
    }

    /// An agent proposes a script; a reviewer's own script is approved at once.
    pub async fn propose_script(&self, actor: &Actor, f: &ScriptForm) -> Result<i64> {
        actor.require(Permission::TicketWork)?;
        check_form(f)?;
        let approved = actor.require(Permission::ScriptApprove).is_ok();
        let status = if approved {
            ScriptStatus::Approved
        } else {
            ScriptStatus::Proposed
        };
        let actions =
            serde_json::to_string(&f.actions).map_err(|e| AppError::Internal(e.to_string()))?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let id = store::insert(
            &mut tx,
            &NewScript {
                category: f.category.trim(),
                title: f.title.trim(),
                body: f.body.trim(),
                actions: &actions,
                status: status.key(),
                proposed_by: actor.user_id(),
            },
            now,
        )
        .await?;
        changelog::record(
            &mut tx,
            "reply_script",
            id,
            changelog::Operation::Create,
            actor.user_id(),
            now,
        )
        .await?;
        if !approved {
            // 话术审核 — whoever reviews scripts hears that one waits (待我审批).
            let reviewers: Vec<i64> = kefu_store::staff::list_users(&mut tx)
                .await?
                .into_iter()
                .filter(|u| u.active && u.roles.allows(Permission::ScriptApprove))
                .map(|u| u.id)
                .collect();
            notify::notify(
                &mut tx,
                &reviewers,
                notify::kind::SCRIPT_PROPOSED,
                None,
                &json!({"text": f.title.trim(), "script": id}),
                now,
            )
            .await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(id)
    }

    /// A reviewer changes a script's wording or actions.
    /// Edits a script's text, made against version `expected` of it (see
    /// [`crate::versions`]).
    pub async fn update_script(
        &self,
        actor: &Actor,
        id: i64,
        f: &ScriptForm,
        expected: Option<i64>,
    ) -> Result<()> {
        actor.require(Permission::ScriptApprove)?;
        check_form(f)?;
        let actions =
            serde_json::to_string(&f.actions).map_err(|e| AppError::Internal(e.to_string()))?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        versions::expect_setting(&mut tx, Setting::ReplyScript, id, expected).await?;
        store::update_text(
            &mut tx,
            id,
            f.category.trim(),
            f.title.trim(),
            f.body.trim(),
            &actions,
            now,
        )
        .await?;
        changelog::record(
            &mut tx,
            "reply_script",
            id,
            changelog::Operation::Update,
            actor.user_id(),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// Approves or rejects a proposed script (or retires an approved one by rejecting it),
    /// as the reviewer read it at version `expected`: a script edited since is not approved
    /// unread.
    pub async fn review_script(
        &self,
        actor: &Actor,
        id: i64,
        approve: bool,
        note: Option<&str>,
        expected: Option<i64>,
    ) -> Result<()> {
        actor.require(Permission::ScriptApprove)?;
        let status = if approve {
            ScriptStatus::Approved
        } else {
            ScriptStatus::Rejected
        };
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        if note.is_some_and(|n| n.chars().count() > 500) {
            return Err(AppError::TooLong);
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        versions::expect_setting(&mut tx, Setting::ReplyScript, id, expected).await?;
        store::review(&mut tx, id, status.key(), actor.user_id(), note, now).await?;
        let target = id.to_string();
        audit::write(
            &mut tx,
            self,
            actor,
            audit::action::SCRIPT_REVIEWED,
            Some(Target {
                kind: "reply_script",
                id: &target,
            }),
            Some(json!({"status": status.key()})),
        )
        .await?;
        changelog::record(
            &mut tx,
            "reply_script",
            id,
            changelog::Operation::Update,
            actor.user_id(),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// The script's text for this ticket, placeholders filled.
    pub async fn render_script(
        &self,
        actor: &Actor,
        script_id: i64,
        ticket_id: i64,
    ) -> Result<(String, MacroActions)> {
        actor.require(Permission::TicketWork)?;
        let mut conn = self.store.conn().await?;
        let s = store::by_id(&mut conn, script_id).await?;
        if s.status != ScriptStatus::Approved.key() {
            return Err(AppError::NotFound);
        }
        let t = tickets::by_id(&mut conn, ticket_id).await?;
        let agent = match &actor.kind {
            ActorKind::User(u) => u.display_name.clone(),
            _ => String::new(),
        };
        let values = ScriptValues {
            customer_name: t
                .contact_name
                .clone()
                .or(t.customer_name.clone())
                .unwrap_or_default(),
            ticket_number: t.number.clone(),
            agent_name: agent,
            due_date: t
                .sla
                .resolution_due_at
                .map(|d| {
                    d.to_zoned(
                        jiff::tz::TimeZone::get("Asia/Shanghai").unwrap_or(jiff::tz::TimeZone::UTC),
                    )
                    .strftime("%Y-%m-%d %H:%M")
                    .to_string()
                })
                .unwrap_or_default(),
        };
        let v = view(s);
        Ok((kb::render(&v.script.body, &values), v.actions))
    }

    /// Uses a script on a ticket: applies its macro actions and returns the text for the
    /// reply box (the agent reads it before sending).
    pub async fn use_script(
        &self,
        actor: &Actor,
        script_id: i64,
        ticket_id: i64,
    ) -> Result<ScriptUse> {
        let (text, actions) = self.render_script(actor, script_id, ticket_id).await?;
        let ticket_changed = !actions.is_empty();
        if ticket_changed {
            let changes = TicketChanges {
                status: actions.status.clone(),
                priority: actions.priority,
                ticket_type: actions.ticket_type,
                add_tags: (!actions.add_tags.is_empty()).then(|| actions.add_tags.join(",")),
                assignee_id: (actions.assign_to_me && actor.user_id().is_some())
                    .then(|| actor.user_id()),
                ..TicketChanges::default()
            };
            self.update_ticket(actor, ticket_id, &changes, None).await?;
        }
        let mut conn = self.store.conn().await?;
        store::count_use(&mut conn, script_id).await?;
        Ok(ScriptUse {
            text,
            ticket_changed,
        })
    }
}
