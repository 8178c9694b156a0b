//! The permission policy: which role may do what.
//!
//! Every page and API route declares an [`Access`]; the web layer asks [`RoleSet::allows`]
//! before any handler runs. The table below is the single source of truth, so the route
//! walk test in the integration suite derives its expectations from it too.

use serde::Serialize;

use crate::staff::{Role, RoleSet};

/// Something a user may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// See the home dashboard.
    DashboardView,
    /// Change one's own password and language; manage one's own API tokens.
    AccountSelf,
    /// See the staff directory and departments.
    DirectoryView,
    /// Add, edit, deactivate users and assign roles.
    UserManage,
    /// Read the audit log of sensitive actions.
    AuditView,
    /// 工单处理 — see the queues, open tickets, reply, change fields, create tickets on a
    /// customer's behalf.
    TicketWork,
    /// Configure how tickets work: business calendars, custom fields, statuses, groups.
    TicketAdmin,
    /// 话术审核 — approve or reject proposed reply scripts, edit approved ones.
    ScriptApprove,
    /// 客户档案 — see the customer archive (sensitive fields masked).
    CustomerView,
    /// Add and edit customers and contacts.
    CustomerEdit,
    /// 查看敏感信息 — reveal a masked field, one at a time, each reveal audited.
    CustomerReveal,
    /// Export customers with sensitive values in clear (audited).
    CustomerExportSensitive,
    /// 信用管理 — record credit investigations, set limits and terms, tune the model.
    CreditManage,
    /// 投诉 — see complaints, the board and the statistics.
    ComplaintView,
    /// 投诉受理 — open a complaint (directly or from a ticket).
    ComplaintOpen,
    /// The complaint specialist's steps: validity, notices, investigation, proposals,
    /// implementation, follow-up and evaluation.
    ComplaintHandle,
    /// 审批 — approve a solution or send it back (a supervisor's decision, seed 002 §四3(4)).
    ComplaintApprove,
    /// Acknowledge and answer a handling notice sent to one's own department.
    ComplaintRespond,
    /// 退换货 — move returns, exchanges, refunds and repairs through their steps.
    RmaWork,
    /// 回访 — make the follow-up visits planned for oneself or one's groups and record
    /// their results.
    FollowUpWork,
    /// 回访核查 — open any visit's page and read its result: whoever works visits, and the
    /// quality specialists, who check the visits flagged to them (002 §三4 真实性).
    FollowUpView,
    /// 回访管理 — the follow-up rules, calling hours and scripts, every agent's visits, and
    /// the coverage report.
    FollowUpManage,
    /// 满意度调查 — the survey settings, every answer, and following up low scores.
    SatisfactionManage,
    /// 大客户 — arrange the manager's visits to key accounts, read their reports, and record
    /// the key accounts' ratings of the agents serving them.
    KeyAccountManage,
    /// 大客户审批 — apply (or dismiss) the change of agent a low rating proposes.
    KeyAccountApprove,
    /// 质检 — scorecards, inspections, quality anomalies and their measures, the daily
    /// report (000 §(四)).
    QualityInspect,
    /// 质检裁决 — decide agents' appeals and instruct improvement measures (the manager:
    /// 在客户服务经理的指示下, 000 §(四)6).
    QualityDecide,
    /// 产品目录 — see products, parts, price lists and the after-sales policy.
    CatalogueView,
    /// 目录维护 — add and change products, parts and price lists, and import them.
    CatalogueManage,
    /// 售后政策 — issue versions of the after-sales policy (000 §(七)1).
    AftersalesPolicy,
    /// 售后登记 — register a return, exchange, refund or repair for a customer, and see
    /// the RMAs.
    RmaRequest,
    /// 售后审批 — approve or reject RMAs up to the after-sales specialist's limit.
    RmaApprove,
    /// 售后经理审批 — approve RMAs above the specialist's limit or outside the policy.
    RmaApproveAbove,
    /// 售后质量反馈 — read the fault figures by product and part that after-sales sends to
    /// the departments (000 §(七)6).
    AftersalesFaults,
    /// 订单 — place orders for customers, change and cancel them before goods leave.
    OrderTake,
    /// 订单审批 — approve orders on credit above the limit or for grade C.
    OrderApprove,
    /// 定制设计答复 — answer customers' custom requests for the design department (002 §一8).
    CustomDesign,
    /// 定制 — read customers' custom requests (those who take orders and the departments).
    CustomView,
    /// 应收与对账 — record and allocate customers' payments, read what they owe and how
    /// old it is (002 §一6–7: whoever serves the customer reconciles and collects).
    Receivables,
}

impl Permission {
    pub const ALL: [Permission; 39] = [
        Permission::DashboardView,
        Permission::AccountSelf,
        Permission::DirectoryView,
        Permission::UserManage,
        Permission::AuditView,
        Permission::TicketWork,
        Permission::TicketAdmin,
        Permission::ScriptApprove,
        Permission::CustomerView,
        Permission::CustomerEdit,
        Permission::CustomerReveal,
        Permission::CustomerExportSensitive,
        Permission::CreditManage,
        Permission::ComplaintView,
        Permission::ComplaintOpen,
        Permission::ComplaintHandle,
        Permission::ComplaintApprove,
        Permission::ComplaintRespond,
        Permission::RmaWork,
        Permission::FollowUpWork,
        Permission::FollowUpView,
        Permission::FollowUpManage,
        Permission::SatisfactionManage,
        Permission::KeyAccountManage,
        Permission::KeyAccountApprove,
        Permission::QualityInspect,
        Permission::QualityDecide,
        Permission::CatalogueView,
        Permission::CatalogueManage,
        Permission::AftersalesPolicy,
        Permission::RmaRequest,
        Permission::RmaApprove,
        Permission::RmaApproveAbove,
        Permission::AftersalesFaults,
        Permission::OrderTake,
        Permission::OrderApprove,
        Permission::CustomDesign,
        Permission::CustomView,
        Permission::Receivables,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Permission::DashboardView => "dashboard_view",
            Permission::AccountSelf => "account_self",
            Permission::DirectoryView => "directory_view",
            Permission::UserManage => "user_manage",
            Permission::AuditView => "audit_view",
            Permission::TicketWork => "ticket_work",
            Permission::TicketAdmin => "ticket_admin",
            Permission::ScriptApprove => "script_approve",
            Permission::CustomerView => "customer_view",
            Permission::CustomerEdit => "customer_edit",
            Permission::CustomerReveal => "customer_reveal",
            Permission::CustomerExportSensitive => "customer_export_sensitive",
            Permission::CreditManage => "credit_manage",
            Permission::ComplaintView => "complaint_view",
            Permission::ComplaintOpen => "complaint_open",
            Permission::ComplaintHandle => "complaint_handle",
            Permission::ComplaintApprove => "complaint_approve",
            Permission::ComplaintRespond => "complaint_respond",
            Permission::RmaWork => "rma_work",
            Permission::FollowUpWork => "follow_up_work",
            Permission::FollowUpView => "follow_up_view",
            Permission::FollowUpManage => "follow_up_manage",
            Permission::SatisfactionManage => "satisfaction_manage",
            Permission::KeyAccountManage => "key_account_manage",
            Permission::KeyAccountApprove => "key_account_approve",
            Permission::QualityInspect => "quality_inspect",
            Permission::QualityDecide => "quality_decide",
            Permission::CatalogueView => "catalogue_view",
            Permission::CatalogueManage => "catalogue_manage",
            Permission::AftersalesPolicy => "aftersales_policy",
            Permission::RmaRequest => "rma_request",
            Permission::RmaApprove => "rma_approve",
            Permission::RmaApproveAbove => "rma_approve_above",
            Permission::AftersalesFaults => "aftersales_faults",
            Permission::OrderTake => "order_take",
            Permission::OrderApprove => "order_approve",
            Permission::CustomDesign => "custom_design",
            Permission::CustomView => "custom_view",
            Permission::Receivables => "receivables",
        }
    }
}

/// What a route requires of the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (login page, health check, static assets).
    Public,
    /// A signed-in user holding the permission.
    Requires(Permission),
    /// A customer signed in to the portal (staff permissions do not apply there).
    Customer,
}

/// Permissions every staff role holds.
const EVERY_ROLE: [Permission; 3] = [
    Permission::DashboardView,
    Permission::AccountSelf,
    Permission::DirectoryView,
];

/// Whether `role` grants `permission`.
pub fn role_grants(role: Role, permission: Permission) -> bool {
    if EVERY_ROLE.contains(&permission) {
        return true;
    }
    match permission {
        Permission::UserManage => matches!(role, Role::Admin),
        // Who looked at what (seed 000 §(五)3) is for the manager and the information
        // specialist who keeps the archive confidential.
        Permission::AuditView => {
            matches!(role, Role::Admin | Role::CsManager | Role::InfoSpecialist)
        }
        // Every customer-service role works tickets; staff of other departments answer the
        // notices sent to them (complaints, coordination) rather than the queues.
        Permission::TicketWork => !matches!(role, Role::Department),
        Permission::TicketAdmin => matches!(role, Role::Admin | Role::CsManager),
        // The manager owns the department's wording; the quality specialist keeps it to
        // standard (seed 000 §(四)).
        Permission::ScriptApprove => {
            matches!(
                role,
                Role::Admin | Role::CsManager | Role::QualitySpecialist
            )
        }
        Permission::CustomerView | Permission::CustomerEdit => !matches!(role, Role::Department),
        // Those whose work is to reach customers may reveal their numbers, one at a time and
        // audited; the quality specialist reviews records without needing them.
        Permission::CustomerReveal => !matches!(role, Role::Department | Role::QualitySpecialist),
        // Credit investigation and grading is the information specialist's duty (seed 000
        // §(五)4), overseen by the manager.
        Permission::CreditManage => {
            matches!(role, Role::Admin | Role::CsManager | Role::InfoSpecialist)
        }
        // Whole lists in clear leave the building: the archive's keeper and the manager only.
        Permission::CustomerExportSensitive => {
            matches!(role, Role::Admin | Role::CsManager | Role::InfoSpecialist)
        }
        Permission::ComplaintView | Permission::ComplaintOpen => !matches!(role, Role::Department),
        // Registering, checking notices, investigating and following up are the complaint
        // specialist's duties (seed 000 §(八)), overseen by the manager.
        Permission::ComplaintHandle => matches!(
            role,
            Role::Admin | Role::CsManager | Role::ComplaintSpecialist
        ),
        Permission::ComplaintApprove => matches!(role, Role::Admin | Role::CsManager),
        // Anyone may belong to the department a notice goes to; membership is checked on
        // the notice itself.
        Permission::ComplaintRespond => true,
        Permission::RmaWork => matches!(
            role,
            Role::Admin | Role::CsManager | Role::ComplaintSpecialist | Role::AftersalesSpecialist
        ),
        // Visits are made by whoever serves the customer (002 §三: 客服人员); the quality
        // specialist reviews them rather than calling.
        Permission::FollowUpWork => !matches!(role, Role::Department | Role::QualitySpecialist),
        Permission::FollowUpView => !matches!(role, Role::Department),
        // Visits are arranged by the relationship and key-account specialists (000 §(六)1)
        // and overseen by the manager, who gets the analysis (002 §三2).
        Permission::FollowUpManage => matches!(
            role,
            Role::Admin | Role::CsManager | Role::CrmSpecialist | Role::KeyAccountSpecialist
        ),
        // A low score is the team lead's to follow up (the manager, or the relationship
        // specialist who keeps the customer's satisfaction).
        Permission::SatisfactionManage => {
            matches!(role, Role::Admin | Role::CsManager | Role::CrmSpecialist)
        }
        // The key-account specialist arranges the manager's visits and asks the key accounts
        // about their agents (000 §(六)1, 3); the manager visits and reads it all.
        Permission::KeyAccountManage => matches!(
            role,
            Role::Admin | Role::CsManager | Role::KeyAccountSpecialist
        ),
        // Who serves a key account is the manager's call (及时调整客户服务人员).
        Permission::KeyAccountApprove => matches!(role, Role::Admin | Role::CsManager),
        // 000 §(四): the quality specialist inspects, investigates and reports, the manager
        // receives the report and instructs the measures.
        Permission::QualityInspect => {
            matches!(
                role,
                Role::Admin | Role::CsManager | Role::QualitySpecialist
            )
        }
        Permission::QualityDecide => matches!(role, Role::Admin | Role::CsManager),
        // Whoever serves customers names products and quotes the policy; departments answer
        // notices, not customers.
        Permission::CatalogueView => !matches!(role, Role::Department),
        // The after-sales specialist keeps the catalogue the returns and repairs run on and
        // issues the policy and its final interpretation (000 §(七)1, 8), under the manager.
        Permission::CatalogueManage | Permission::AftersalesPolicy => matches!(
            role,
            Role::Admin | Role::CsManager | Role::AftersalesSpecialist
        ),
        // Agents take returns and repairs on every channel (004 §3 退换货处理); the
        // specialists carry them out (RmaWork).
        Permission::RmaRequest => !matches!(role, Role::Department | Role::QualitySpecialist),
        // 000 §(七)7–8: the after-sales specialist decides within the policy's limit, the
        // manager above it and outside the policy.
        Permission::RmaApprove => matches!(
            role,
            Role::Admin | Role::CsManager | Role::AftersalesSpecialist
        ),
        Permission::RmaApproveAbove => matches!(role, Role::Admin | Role::CsManager),
        // 000 §(七)6: the after-sales data goes to the departments concerned (production,
        // design, quality…), whose staff read it with the specialists who compile it.
        Permission::AftersalesFaults => matches!(
            role,
            Role::Admin
                | Role::CsManager
                | Role::AftersalesSpecialist
                | Role::ComplaintSpecialist
                | Role::QualitySpecialist
                | Role::Department
        ),
        // 002 §一3: whoever serves the customers opens their sales and production documents;
        // departments and the quality specialist do not take orders.
        Permission::OrderTake => !matches!(role, Role::Department | Role::QualitySpecialist),
        // Credit beyond the limit, or for grade C, is the manager's call (graded handling).
        Permission::OrderApprove => matches!(role, Role::Admin | Role::CsManager),
        // 002 §一8: the design department answers what customers ask to have made; which
        // department a member belongs to is checked on each request.
        Permission::CustomDesign => matches!(role, Role::Admin | Role::Department),
        Permission::CustomView => role != Role::QualitySpecialist,
        // 002 §一6–7: reconciling and collecting are the duties of whoever takes the orders.
        Permission::Receivables => !matches!(role, Role::Department | Role::QualitySpecialist),
        Permission::DashboardView | Permission::AccountSelf | Permission::DirectoryView => true,
    }
}

/// Permissions whose grant per role the department may change (an administrator withdraws
/// or grants them); every other permission is fixed policy in [`role_grants`]. Who may
/// reveal a customer's numbers is the department's choice (seed 000 §(五)3 asks it to keep
/// the archive confidential, not who may look).
pub const GRANTABLE: [Permission; 1] = [Permission::CustomerReveal];

/// An administrator's changes to the default policy, for [`GRANTABLE`] permissions only:
/// per (role, permission), granted or withdrawn. Absent pairs follow [`role_grants`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grants(Vec<(Role, Permission, bool)>);

impl Grants {
    /// The changes, keeping only grantable permissions (the last word per pair wins).
    pub fn new(changes: impl IntoIterator<Item = (Role, Permission, bool)>) -> Grants {
        let mut out: Vec<(Role, Permission, bool)> = Vec::new();
        for (role, permission, granted) in changes {
            if !GRANTABLE.contains(&permission) {
                continue;
            }
            out.retain(|(r, p, _)| !(*r == role && *p == permission));
            out.push((role, permission, granted));
        }
        Grants(out)
    }

    /// Whether `role` holds `permission`, the department's change first, else the policy.
    pub fn role_grants(&self, role: Role, permission: Permission) -> bool {
        self.0
            .iter()
            .find(|(r, p, _)| *r == role && *p == permission)
            .map_or_else(|| role_grants(role, permission), |(_, _, g)| *g)
    }

    /// Whether any of these roles holds the permission.
    pub fn allows(&self, roles: &RoleSet, permission: Permission) -> bool {
        roles.iter().any(|role| self.role_grants(role, permission))
    }

    pub fn iter(&self) -> impl Iterator<Item = (Role, Permission, bool)> + '_ {
        self.0.iter().copied()
    }
}

impl RoleSet {
    /// Whether any of these roles grants the permission.
    pub fn allows(&self, permission: Permission) -> bool {
        self.iter().any(|role| role_grants(role, permission))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admin_manages_users() {
        for role in Role::ALL {
            assert_eq!(
                role_grants(role, Permission::UserManage),
                role == Role::Admin
            );
        }
    }

    #[test]
    fn every_role_reaches_its_dashboard() {
        for role in Role::ALL {
            assert!(RoleSet::new([role]).allows(Permission::DashboardView));
        }
    }

    #[test]
    fn no_roles_no_permissions() {
        for p in Permission::ALL {
            assert!(!RoleSet::default().allows(p));
        }
    }

    #[test]
    fn a_department_may_withdraw_or_grant_reveal_and_nothing_else() {
        let grants = Grants::new([
            (Role::Agent, Permission::CustomerReveal, false),
            (Role::QualitySpecialist, Permission::CustomerReveal, true),
            // Not grantable: ignored, the policy stands.
            (Role::Agent, Permission::UserManage, true),
        ]);
        assert!(!grants.allows(&RoleSet::new([Role::Agent]), Permission::CustomerReveal));
        assert!(grants.allows(
            &RoleSet::new([Role::QualitySpecialist]),
            Permission::CustomerReveal
        ));
        assert!(!grants.allows(&RoleSet::new([Role::Agent]), Permission::UserManage));
        // Untouched roles keep the default.
        assert!(grants.allows(&RoleSet::new([Role::CsManager]), Permission::CustomerReveal));
        assert!(Grants::default().allows(&RoleSet::new([Role::Agent]), Permission::CustomerReveal));
        assert!(!Grants::default().allows(
            &RoleSet::new([Role::QualitySpecialist]),
            Permission::CustomerReveal
        ));
    }

    #[test]
    fn several_roles_add_up() {
        let set = RoleSet::new([Role::Agent, Role::InfoSpecialist]);
        assert!(set.allows(Permission::AuditView));
        assert!(!set.allows(Permission::UserManage));
    }
}
