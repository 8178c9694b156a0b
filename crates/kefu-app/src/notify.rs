//! 通知 — telling staff that something needs them: in the app (the bell), and by mail once
//! the mail channel exists. Every sender goes through [`notify`], so adding a delivery
//! path later changes one function.

use jiff::Timestamp;
use kefu_domain::{Permission, Role};
use kefu_store::AnyConnection;
use kefu_store::notification::{self as store, Notification};
use serde_json::Value;

use crate::workbench::{Count, Filled, Reader, TileBody, TileFuture, TileSpec};
use crate::{Actor, App, Result};

/// Kinds of notification; each has a translated text `notification.<kind>`.
pub mod kind {
    /// A deadline is near.
    pub const SLA_WARNING: &str = "sla_warning";
    /// A deadline passed: sent to the group's manager.
    pub const SLA_BREACH: &str = "sla_breach";
    /// A ticket was assigned to you.
    pub const ASSIGNED: &str = "assigned";
    /// A trigger's notification, with the admin's text.
    pub const TRIGGER: &str = "trigger";
    /// A trigger escalated a ticket to you.
    pub const ESCALATED: &str = "escalated";
    /// The customer answered on a ticket assigned to you.
    pub const CUSTOMER_REPLIED: &str = "customer_replied";
    /// A handling notice for your department (投诉处理通知).
    pub const COMPLAINT_NOTICE: &str = "complaint_notice";
    /// The complaint specialist returned your department's answer.
    pub const COMPLAINT_NOTICE_RETURNED: &str = "complaint_notice_returned";
    /// A department answered a notice on your complaint.
    pub const COMPLAINT_ANSWERED: &str = "complaint_answered";
    /// A solution waits for your approval.
    pub const COMPLAINT_APPROVAL: &str = "complaint_approval";
    /// The supervisor approved or sent back a solution.
    pub const COMPLAINT_DECIDED: &str = "complaint_decided";
    /// A complaint stage's deadline is near.
    pub const COMPLAINT_WARNING: &str = "complaint_warning";
    /// A complaint stage's deadline passed: sent to the managers.
    pub const COMPLAINT_OVERDUE: &str = "complaint_overdue";
    /// A department left a notice unanswered past its due date.
    pub const COMPLAINT_NOTICE_OVERDUE: &str = "complaint_notice_overdue";
    /// The investigation report of a complaint your department was involved in.
    pub const COMPLAINT_REPORT: &str = "complaint_report";
    /// A complaint was registered and waits for a complaint specialist's intake: sent to
    /// the complaint specialists when whoever registered it does not handle complaints.
    pub const COMPLAINT_NEW: &str = "complaint_new";
    /// A return, exchange, refund or repair was opened: sent to the after-sales
    /// specialists, who carry it out.
    pub const COMPLAINT_RMA: &str = "complaint_rma";
    /// A complaint's evaluation names you the owner of its improvement measure.
    pub const COMPLAINT_MEASURE: &str = "complaint_measure";
    /// A complaint reached its follow-up (回访) and you are to make the call.
    pub const COMPLAINT_FOLLOW_UP: &str = "complaint_follow_up";
    /// An agent proposed a reply script and it waits for your review (话术审核): sent to
    /// everyone who reviews scripts.
    pub const SCRIPT_PROPOSED: &str = "script_proposed";
    /// 未接来电 — an inbound call rang at your extension (or, at nobody's, in your group)
    /// and nobody answered: a callback waits.
    pub const MISSED_CALL: &str = "missed_call";
    /// 短信发送失败 — a reply you sent by text did not reach the customer (the gateway
    /// refused it, or the operator's delivery report says it failed).
    pub const SMS_FAILED: &str = "sms_failed";
    /// Your reply did not go by WeChat: the customer's last message is 48 hours old or
    /// more (WeChat's reply window); answer them another way.
    pub const WECHAT_NOT_SENT: &str = "wechat_not_sent";
    /// 收信失败 — a mailbox's IMAP server could not be read (to the administrators, when
    /// it starts failing; the page says when kefu tries again).
    pub const MAILBOX_FAILING: &str = "mailbox_failing";
    /// 在线客服 — another agent transferred a chat to you.
    pub const CHAT_TRANSFERRED: &str = "chat_transferred";
    /// 定时备份失败 — a scheduled backup could not be made (to the administrators, each
    /// time: the next one is a period away).
    pub const BACKUP_FAILED: &str = "backup_failed";
    /// 回访待核查 — a phone visit completed without a call long enough to prove it (to the
    /// quality specialists).
    pub const FOLLOW_UP_UNVERIFIED: &str = "follow_up_unverified";
    /// 回访覆盖预警 — key customers still without a visit days before the period ends.
    pub const FOLLOW_UP_COVERAGE: &str = "follow_up_coverage";
    /// 回访周报 — last week's follow-up analysis is ready (`params`: `week`, `done`,
    /// `satisfied`, `unsatisfied`, `overdue`).
    pub const FOLLOW_UP_ANALYSIS: &str = "follow_up_analysis";
    /// 低分评价 — a customer rated a ticket low (`params`: `number`, `score`, `customer`,
    /// `survey`); to the manager and the relationship specialists, who follow it up.
    pub const CSAT_LOW: &str = "csat_low";
    /// 关系调查贬损者 — a customer answered the recommendation question 0–6 (`params`:
    /// `customer`, `score`, `survey_name`, `relationship`, `period`); to the relationship
    /// specialists and the customer's owner, who call them.
    pub const RELATIONSHIP_DETRACTOR: &str = "relationship_detractor";
    /// 经理拜访 — a visit to a key account was arranged for this manager (`params`:
    /// `customer`, `due`, `manager_visit`).
    pub const MANAGER_VISIT_ARRANGED: &str = "manager_visit_arranged";
    /// 换人建议 — a key account rated its agent low (`params`: `customer`, `score`, `from`,
    /// `agent_change`); to the managers, who decide.
    pub const AGENT_CHANGE_PROPOSED: &str = "agent_change_proposed";
    /// 大客户交接 — a key account is now this agent's (`params`: `customer`, `key_account`).
    pub const KEY_ACCOUNT_ASSIGNED: &str = "key_account_assigned";
    /// 方案回顾 — a key account's service plan is due for review (`params`: `customer`,
    /// `due`, `key_account_page`); to its author, once per review date.
    pub const SERVICE_PLAN_REVIEW_DUE: &str = "service_plan_review_due";
    /// 优惠政策待审批 — a discount or incentive was proposed for a key account (`params`:
    /// `customer`, `text` (its title), `key_account_page`); to the managers.
    pub const KEY_ACCOUNT_POLICY_PROPOSED: &str = "key_account_policy_proposed";
    /// 优惠政策已批准 / 已驳回 — to its proposer (`params` as proposed).
    pub const KEY_ACCOUNT_POLICY_APPROVED: &str = "key_account_policy_approved";
    pub const KEY_ACCOUNT_POLICY_REJECTED: &str = "key_account_policy_rejected";
    /// 排班调整 — someone else set your week (`params`: `by`, `roster_week`).
    pub const SHIFT_WEEK_CHANGED: &str = "shift_week_changed";
    /// 调班 — someone else changed what you work on a date (`params`: `by`, `date`,
    /// `roster_week`).
    pub const SHIFT_DAY_CHANGED: &str = "shift_day_changed";
    /// 休假登记 — someone else recorded an absence of yours (`params`: `by`, `from`, `to`,
    /// `absences`).
    pub const ABSENCE_RECORDED: &str = "absence_recorded";
    /// 今日抽检 — the day's sample gave the inspector items to score.
    pub const QUALITY_ASSIGNED: &str = "quality_assigned";
    /// 质检结果 — the agent's work was scored: acknowledge or appeal.
    pub const QUALITY_SCORED: &str = "quality_scored";
    /// 质检申诉 — an agent appealed a result: the manager decides.
    pub const QUALITY_APPEALED: &str = "quality_appealed";
    /// 申诉裁决 — the manager decided an appeal (to the agent and the inspector).
    pub const QUALITY_APPEAL_DECIDED: &str = "quality_appeal_decided";
    /// 服务质量异常 — a quality anomaly was opened (to the quality specialists).
    pub const QUALITY_ANOMALY: &str = "quality_anomaly";
    /// 改善措施 — a measure was given to its owner.
    pub const QUALITY_MEASURE: &str = "quality_measure";
    /// 经理指示 — the manager instructed on the owner's measure.
    pub const QUALITY_MEASURE_INSTRUCTED: &str = "quality_measure_instructed";
    /// A measure is overdue (to its owner, once a day).
    pub const QUALITY_MEASURE_OVERDUE: &str = "quality_measure_overdue";
    /// A measure is days overdue (to the managers, once).
    pub const QUALITY_MEASURE_ESCALATED: &str = "quality_measure_escalated";
    /// A measure was found not effective: its anomaly is open again.
    pub const QUALITY_MEASURE_NOT_EFFECTIVE: &str = "quality_measure_not_effective";
    /// 质量异常分析日报表 — a daily report was made (to the managers and the quality
    /// specialists).
    pub const QUALITY_REPORT: &str = "quality_report";
    /// 质检校准 — an inspector was asked to score an inspection again, blind.
    pub const QUALITY_CALIBRATION: &str = "quality_calibration";
    /// The calibration was scored (to the first inspector and who asked).
    pub const QUALITY_CALIBRATED: &str = "quality_calibrated";
    /// 售后单待审批 — an RMA waits for the approval its decision names (the after-sales
    /// specialists, or the managers above the specialist's limit and outside the policy).
    pub const RMA_APPROVAL: &str = "rma_approval";
    /// 客户申请售后 — a customer asked an RMA in the portal (to the after-sales specialists,
    /// when no approval brings it to them).
    pub const RMA_FROM_CUSTOMER: &str = "rma_from_customer";
    /// The RMA one registered was approved (to who registered it).
    pub const RMA_APPROVED: &str = "rma_approved";
    /// The RMA one registered was rejected, with the reason (to who registered it).
    pub const RMA_REJECTED: &str = "rma_rejected";
    /// 售后纠纷 — a dispute was registered (to the after-sales specialists, who rule).
    pub const DISPUTE_OPENED: &str = "dispute_opened";
    /// The dispute one registered was ruled (to who registered it).
    pub const DISPUTE_RULED: &str = "dispute_ruled";
    /// 配件发放计划待审批 — a location's issue plan for a month waits for approval (to the
    /// after-sales specialists).
    pub const STOCK_PLAN_PROPOSED: &str = "stock_plan_proposed";
    /// 不良品处理待审批 — defective goods' disposal waits for approval (to the after-sales
    /// specialists).
    pub const DEFECTIVE_PROPOSED: &str = "defective_proposed";
    /// 售后质量反馈 — a month's fault figures by product and part were sent to one's
    /// department (000 §(七)6).
    pub const FAULT_FIGURES: &str = "fault_figures";
    /// 订单待审批 — an order on credit waits for the manager (over the limit or grade C).
    pub const ORDER_APPROVAL: &str = "order_approval";
    /// The order one placed was approved or rejected (to who placed it).
    pub const ORDER_DECIDED: &str = "order_decided";
    /// 到货短少 — the customer counted a shipment of the order one placed short; an
    /// order-issue ticket was opened (to who placed it).
    pub const ORDER_SHORT_DELIVERY: &str = "order_short_delivery";
    /// 定制 — a customer's custom request waits for the design department's answer (to its
    /// members).
    pub const CUSTOM_TO_DESIGN: &str = "custom_to_design";
    /// The design department answered the custom request one recorded.
    pub const CUSTOM_ANSWERED: &str = "custom_answered";
    /// A custom request's quote waits for the manager.
    pub const CUSTOM_QUOTE_APPROVAL: &str = "custom_quote_approval";
    /// The manager approved or sent back the quote one made.
    pub const CUSTOM_QUOTE_DECIDED: &str = "custom_quote_decided";
    /// 对账异议 — a customer disputed lines of a statement (to the customer's owner).
    pub const STATEMENT_DISPUTED: &str = "statement_disputed";
    /// A disputed line's resolution waits for the manager.
    pub const STATEMENT_RESOLUTION: &str = "statement_resolution";
    /// The manager approved or sent back the resolution one proposed.
    pub const STATEMENT_RESOLUTION_DECIDED: &str = "statement_resolution_decided";
}

/// Tells each user in `users` (duplicates ignored) about `kind`, with placeholder values
/// `params`, in the caller's transaction.
pub(crate) async fn notify(
    conn: &mut AnyConnection,
    users: &[i64],
    kind: &str,
    ticket_id: Option<i64>,
    params: &Value,
    now: Timestamp,
) -> Result<()> {
    let mut seen = Vec::new();
    for u in users {
        if seen.contains(u) {
            continue;
        }
        seen.push(*u);
        store::insert(conn, *u, kind, ticket_id, &params.to_string(), now).await?;
    }
    Ok(())
}

/// The active users holding `role`: who hears of what that role must act on.
pub(crate) async fn with_role(
    conn: &mut AnyConnection,
    role: kefu_domain::Role,
) -> Result<Vec<i64>> {
    Ok(kefu_store::staff::list_users(conn)
        .await?
        .into_iter()
        .filter(|u| u.active && u.roles.contains(role))
        .map(|u| u.id)
        .collect())
}

/// The bell counts to here and shows "99+" beyond.
pub const UNREAD_CAP: i64 = 100;

impl App {
    pub async fn unread_notifications(&self, actor: &Actor) -> Result<i64> {
        actor.require(Permission::AccountSelf)?;
        let mut conn = self.store.conn().await?;
        Ok(store::unread_count(&mut conn, actor.user_id().unwrap_or(0), UNREAD_CAP).await?)
    }

    pub async fn notifications(&self, actor: &Actor) -> Result<Vec<Notification>> {
        actor.require(Permission::AccountSelf)?;
        let mut conn = self.store.conn().await?;
        Ok(store::latest(&mut conn, actor.user_id().unwrap_or(0), 100).await?)
    }

    /// The newest notifications not read yet: what the bell and the workbench count.
    pub async fn unread_notification_list(&self, actor: &Actor) -> Result<Vec<Notification>> {
        actor.require(Permission::AccountSelf)?;
        let mut conn = self.store.conn().await?;
        Ok(store::latest_unread(&mut conn, actor.user_id().unwrap_or(0), UNREAD_CAP).await?)
    }

    /// Marks one notification, or all with `None`, read.
    pub async fn mark_notifications_read(&self, actor: &Actor, id: Option<i64>) -> Result<()> {
        actor.require(Permission::AccountSelf)?;
        let mut conn = self.store.conn().await?;
        Ok(store::mark_read(&mut conn, actor.user_id().unwrap_or(0), id, self.now()).await?)
    }
}

pub(crate) const TILES: &[TileSpec] = &[TileSpec {
    key: "notifications.unread",
    title: "workbench.tile.unread",
    roles: &[Role::Agent],
    permission: Permission::AccountSelf,
    fill: unread,
}];

/// 未读通知 — my notifications not read yet, opening the list of them.
fn unread<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let mut conn = app.store.conn().await?;
        let n = Count::capped(
            store::unread_count(&mut conn, r.id(), UNREAD_CAP).await?,
            UNREAD_CAP,
        );
        Ok(Some(Filled {
            link: Some("/notifications?unread=1".to_owned()),
            body: TileBody::Count {
                count: n,
                alert: n.n > 0,
            },
            hint: None,
        }))
    })
}
