//! The demo company's people: the customer service department in every role, colleagues in
//! the other departments who answer complaint notices, and the ticket groups they work in.

use std::collections::HashMap;

use fastrand::Rng;
use jiff::Timestamp;
use kefu_domain::{Locale, Role, RoleSet, StaffLevel};
use kefu_store::AnyConnection;
use kefu_store::staff::{self, NewUser};
use kefu_store::ticket::setup as groups;

use super::corpus;
use crate::Result;

/// Someone who appears in the demo's records.
#[derive(Debug, Clone)]
pub(super) struct Person {
    pub id: i64,
    pub name: String,
}

/// The four ticket groups and who works in each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Desk {
    /// 售前咨询组 — inquiries and suggestions.
    PreSales,
    /// 售后服务组 — after-sales, faults, orders.
    AfterSales,
    /// 投诉处理组
    Complaints,
    /// 大客户服务组 — everything from key accounts.
    KeyAccounts,
}

/// Who is who, for the records the demo writes.
pub(super) struct Cast {
    pub desks: HashMap<Desk, (i64, Vec<Person>)>,
    pub managers: Vec<Person>,
    pub complaint_handlers: Vec<Person>,
    pub key_account_owners: Vec<Person>,
    pub agents: Vec<Person>,
    /// Department key → (department id, its members).
    pub departments: HashMap<&'static str, (i64, Vec<Person>)>,
    pub usernames: Vec<(String, &'static str)>,
}

impl Cast {
    pub fn desk(&self, desk: Desk) -> (i64, &[Person]) {
        match self.desks.get(&desk) {
            Some((id, people)) => (*id, people),
            None => (0, &[]),
        }
    }
}

struct Hire {
    username: String,
    department: &'static str,
    level: StaffLevel,
    roles: Vec<Role>,
}

/// How many people of each kind a company handling `tickets` tickets over the period has.
fn roster(tickets: usize) -> Vec<Hire> {
    let agents = (tickets / 8_000).clamp(8, 120);
    let numbered = |prefix: &str, n: usize| -> Vec<String> {
        (1..=n).map(|i| format!("{prefix}{i:02}")).collect()
    };
    let mut out = Vec::new();
    let mut hire = |usernames: Vec<String>, department, level, roles: &[Role]| {
        for username in usernames {
            out.push(Hire {
                username,
                department,
                level,
                roles: roles.to_vec(),
            });
        }
    };
    let cs = "customer_service";
    hire(
        vec!["manager".into()],
        cs,
        StaffLevel::Director,
        &[Role::CsManager],
    );
    hire(
        vec!["deputy".into()],
        cs,
        StaffLevel::SeniorManager,
        &[Role::CsManager],
    );
    hire(
        numbered("crm", 2),
        cs,
        StaffLevel::IntermediateSupervisor,
        &[Role::CrmSpecialist],
    );
    hire(
        numbered("quality", 2),
        cs,
        StaffLevel::IntermediateSupervisor,
        &[Role::QualitySpecialist],
    );
    hire(
        numbered("info", 1),
        cs,
        StaffLevel::IntermediateSupervisor,
        &[Role::InfoSpecialist],
    );
    hire(
        numbered("keyaccount", (agents / 8).max(2)),
        cs,
        StaffLevel::IntermediateSupervisor,
        &[Role::KeyAccountSpecialist],
    );
    hire(
        numbered("aftersales", (agents / 4).max(3)),
        cs,
        StaffLevel::JuniorAgent,
        &[Role::AftersalesSpecialist],
    );
    hire(
        numbered("complaint", (agents / 8).max(2)),
        cs,
        StaffLevel::IntermediateSupervisor,
        &[Role::ComplaintSpecialist],
    );
    hire(
        numbered("agent", agents),
        cs,
        StaffLevel::JuniorAgent,
        &[Role::Agent],
    );
    for dept in [
        "sales",
        "design",
        "production",
        "warehouse",
        "finance",
        "quality",
    ] {
        hire(
            numbered(&format!("{dept}-"), 2),
            dept,
            StaffLevel::JuniorAgent,
            &[Role::Department],
        );
    }
    out
}

/// Hires the department (every account with the one demo password, already hashed) and
/// sets up the ticket groups.
pub(super) async fn hire(
    conn: &mut AnyConnection,
    rng: &mut Rng,
    tickets: usize,
    password_hash: &str,
    now: Timestamp,
) -> Result<Cast> {
    let departments = staff::list_departments(conn).await?;
    let dept_id = |key: &str| departments.iter().find(|d| d.key == key).map(|d| d.id);
    let mut cast = Cast {
        desks: HashMap::new(),
        managers: Vec::new(),
        complaint_handlers: Vec::new(),
        key_account_owners: Vec::new(),
        agents: Vec::new(),
        departments: HashMap::new(),
        usernames: Vec::new(),
    };
    let mut after_sales = Vec::new();
    for h in roster(tickets) {
        let name = corpus::person_name(rng);
        let email = format!("{}@hengxin-demo.cn", h.username);
        let id = staff::insert_user(
            conn,
            &NewUser {
                username: &h.username,
                display_name: &name,
                email: Some(&email),
                password_hash,
                department_id: dept_id(h.department),
                level: Some(h.level.key()),
                locale: Locale::ZhCn,
                must_change_password: false,
            },
            now,
        )
        .await?;
        staff::set_roles(conn, id, &RoleSet::new(h.roles.iter().copied())).await?;
        let person = Person { id, name };
        let role = h.roles.first().copied().unwrap_or(Role::Agent);
        cast.usernames.push((h.username.clone(), role.key()));
        match role {
            Role::CsManager => cast.managers.push(person),
            Role::ComplaintSpecialist => cast.complaint_handlers.push(person),
            Role::KeyAccountSpecialist => cast.key_account_owners.push(person),
            Role::AftersalesSpecialist => after_sales.push(person),
            Role::Agent => cast.agents.push(person),
            Role::Department => {
                if let Some(d) = dept_id(h.department) {
                    cast.departments
                        .entry(h.department)
                        .or_insert_with(|| (d, Vec::new()))
                        .1
                        .push(person);
                }
            }
            _ => {}
        }
    }
    if let Some(d) = dept_id("customer_service") {
        cast.departments
            .insert("customer_service", (d, cast.complaint_handlers.clone()));
    }

    let half = cast.agents.len() / 2;
    let pre_sales = cast.agents[..half].to_vec();
    let mut after_desk = cast.agents[half..].to_vec();
    after_desk.extend(after_sales);
    let desks = [
        (Desk::PreSales, "售前咨询组", "round_robin", pre_sales),
        (Desk::AfterSales, "售后服务组", "least_open", after_desk),
        (
            Desk::Complaints,
            "投诉处理组",
            "manual",
            cast.complaint_handlers.clone(),
        ),
        (
            Desk::KeyAccounts,
            "大客户服务组",
            "manual",
            cast.key_account_owners.clone(),
        ),
    ];
    for (i, (desk, name, rule, members)) in desks.into_iter().enumerate() {
        let manager = cast
            .managers
            .get(i % cast.managers.len().max(1))
            .map(|m| m.id);
        let id = groups::insert_group(conn, name, manager, rule, now).await?;
        let ids: Vec<i64> = members.iter().map(|m| m.id).collect();
        groups::set_group_members(conn, id, &ids).await?;
        cast.desks.insert(desk, (id, members));
    }
    Ok(cast)
}
