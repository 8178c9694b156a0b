//! 服务时限 SLA — targets for first response, next response and resolution, measured in
//! business time on a [`BusinessCalendar`], and the deadlines of one ticket computed from
//! them by one pure function, so that the stored deadline columns can always be rebuilt.
//!
//! The resolution clock pauses while the ticket waits for the customer: the business time
//! spent waiting is added to the target. First response is never paused (nobody can wait
//! for a customer before answering them once).

use jiff::{SignedDuration, Timestamp};

use crate::calendar::BusinessCalendar;
use crate::ticket::{Priority, StatusCategory, TicketType};

/// The targets of a policy, in business minutes; `None` means no target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Targets {
    pub first_response: Option<i64>,
    pub next_response: Option<i64>,
    pub resolution: Option<i64>,
}

/// What a policy applies to; `None` matches anything.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PolicyScope {
    pub ticket_type: Option<TicketType>,
    pub priority: Option<Priority>,
    /// Customer tier key (`key_account`, `vip`, `normal`).
    pub customer_tier: Option<String>,
}

impl PolicyScope {
    pub fn matches(&self, ty: TicketType, pr: Priority, tier: Option<&str>) -> bool {
        self.ticket_type.is_none_or(|t| t == ty)
            && self.priority.is_none_or(|p| p == pr)
            && self
                .customer_tier
                .as_deref()
                .is_none_or(|t| Some(t) == tier)
    }
}

/// Picks the first policy, in the admin's order, whose scope matches.
pub fn choose<'a, P>(
    policies: &'a [P],
    scope_of: impl Fn(&P) -> &PolicyScope,
    ty: TicketType,
    pr: Priority,
    tier: Option<&str>,
) -> Option<&'a P> {
    policies.iter().find(|p| scope_of(p).matches(ty, pr, tier))
}

/// The facts of a ticket that its deadlines depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlaFacts {
    pub created_at: Timestamp,
    pub category: StatusCategory,
    pub first_response_at: Option<Timestamp>,
    /// The earliest customer message not yet answered by a public reply.
    pub awaiting_reply_since: Option<Timestamp>,
    /// Business time already spent waiting for the customer, before `paused_since`.
    pub paused: SignedDuration,
    /// When the current wait for the customer began, if it is waiting now.
    pub paused_since: Option<Timestamp>,
}

/// Which target a deadline belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    FirstResponse,
    NextResponse,
    Resolution,
}

impl Target {
    pub fn key(self) -> &'static str {
        match self {
            Target::FirstResponse => "first_response",
            Target::NextResponse => "next_response",
            Target::Resolution => "resolution",
        }
    }
}

/// A ticket's deadlines. `first_response` and `resolution` are kept even once met, for
/// attainment; `next` is the earliest deadline still running, the one escalation watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Deadlines {
    pub first_response: Option<Timestamp>,
    pub next_response: Option<Timestamp>,
    /// `None` while paused (waiting for the customer) or without a target.
    pub resolution: Option<Timestamp>,
    pub next: Option<(Target, Timestamp)>,
}

/// Computes the deadlines of a ticket. A calendar without working time yields no
/// deadlines rather than an error: the ticket still works, unmeasured.
pub fn deadlines(targets: &Targets, facts: &SlaFacts, cal: &BusinessCalendar) -> Deadlines {
    let add = |from: Timestamp, mins: i64, extra: SignedDuration| {
        cal.add(from, SignedDuration::from_mins(mins) + extra).ok()
    };
    let first_response = targets
        .first_response
        .and_then(|m| add(facts.created_at, m, SignedDuration::ZERO));
    let next_response = match (targets.next_response, facts.awaiting_reply_since) {
        (Some(m), Some(since)) if facts.first_response_at.is_some() => {
            add(since, m, SignedDuration::ZERO)
        }
        _ => None,
    };
    let resolution = match targets.resolution {
        Some(m) if facts.paused_since.is_none() => add(facts.created_at, m, facts.paused),
        _ => None,
    };
    let mut running: Vec<(Target, Timestamp)> = Vec::new();
    if facts.category.is_active() {
        if facts.first_response_at.is_none() {
            running.extend(first_response.map(|d| (Target::FirstResponse, d)));
        }
        if facts.category.sla_clock_runs() {
            running.extend(next_response.map(|d| (Target::NextResponse, d)));
            running.extend(resolution.map(|d| (Target::Resolution, d)));
        }
    }
    Deadlines {
        first_response,
        next_response,
        resolution,
        next: running.into_iter().min_by_key(|(_, d)| *d),
    }
}

/// How a deadline stands at `now`, for display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Met at the given instant (on time or late).
    Met {
        late: bool,
    },
    /// Still running: business minutes left (negative once overdue).
    Running {
        business_minutes_left: i64,
    },
    Paused,
    None,
}

/// The standing of one deadline: `done` is when the target was reached, if it was.
pub fn standing(
    due: Option<Timestamp>,
    done: Option<Timestamp>,
    paused: bool,
    now: Timestamp,
    cal: &BusinessCalendar,
) -> Standing {
    match (due, done) {
        (Some(d), Some(at)) => Standing::Met { late: at > d },
        (None, Some(_)) => Standing::None,
        (_, None) if paused => Standing::Paused,
        (Some(d), None) => Standing::Running {
            business_minutes_left: cal.minutes_between(now, d),
        },
        (None, None) => Standing::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::tz::TimeZone;

    fn at(s: &str) -> Timestamp {
        let dt: jiff::civil::DateTime = s.parse().unwrap();
        dt.to_zoned(TimeZone::get("Asia/Shanghai").unwrap())
            .unwrap()
            .timestamp()
    }

    fn targets() -> Targets {
        Targets {
            first_response: Some(60),
            next_response: Some(120),
            resolution: Some(390 * 2),
        }
    }

    fn facts(created: &str) -> SlaFacts {
        SlaFacts {
            created_at: at(created),
            category: StatusCategory::New,
            first_response_at: None,
            awaiting_reply_since: None,
            paused: SignedDuration::ZERO,
            paused_since: None,
        }
    }

    #[test]
    fn deadlines_count_business_time_only() {
        let cal = BusinessCalendar::china_standard();
        // Friday 17:30: first response due Monday 09:30, resolution two working days on.
        let d = deadlines(&targets(), &facts("2026-03-06T17:30"), &cal);
        assert_eq!(d.first_response, Some(at("2026-03-09T09:30")));
        assert_eq!(d.resolution, Some(at("2026-03-10T17:30")));
        assert_eq!(
            d.next,
            Some((Target::FirstResponse, at("2026-03-09T09:30")))
        );
    }

    #[test]
    fn waiting_for_the_customer_pauses_resolution_and_adds_the_wait() {
        let cal = BusinessCalendar::china_standard();
        let mut f = facts("2026-03-02T09:00");
        f.category = StatusCategory::PendingCustomer;
        f.first_response_at = Some(at("2026-03-02T09:10"));
        f.paused_since = Some(at("2026-03-02T10:00"));
        let d = deadlines(&targets(), &f, &cal);
        assert_eq!(d.resolution, None);
        assert_eq!(d.next, None, "nothing runs while waiting for the customer");
        // Back after a full working day of waiting: the resolution target moves a day.
        f.category = StatusCategory::Open;
        f.paused_since = None;
        f.paused = SignedDuration::from_mins(390);
        let d = deadlines(&targets(), &f, &cal);
        assert_eq!(d.resolution, Some(at("2026-03-04T18:00")));
    }

    #[test]
    fn next_response_runs_from_the_unanswered_customer_message() {
        let cal = BusinessCalendar::china_standard();
        let mut f = facts("2026-03-02T09:00");
        f.category = StatusCategory::Open;
        f.first_response_at = Some(at("2026-03-02T09:30"));
        f.awaiting_reply_since = Some(at("2026-03-02T11:30"));
        let d = deadlines(&targets(), &f, &cal);
        assert_eq!(d.next_response, Some(at("2026-03-02T16:00")));
        assert_eq!(d.next, Some((Target::NextResponse, at("2026-03-02T16:00"))));
    }

    #[test]
    fn closed_tickets_have_nothing_running() {
        let cal = BusinessCalendar::china_standard();
        let mut f = facts("2026-03-02T09:00");
        f.category = StatusCategory::Resolved;
        assert_eq!(deadlines(&targets(), &f, &cal).next, None);
    }

    #[test]
    fn the_first_matching_policy_wins() {
        let scopes = [
            PolicyScope {
                priority: Some(Priority::Urgent),
                ..Default::default()
            },
            PolicyScope {
                customer_tier: Some("key_account".into()),
                ..Default::default()
            },
            PolicyScope::default(),
        ];
        let pick = |pr, tier| {
            choose(&scopes, |s| s, TicketType::Inquiry, pr, tier)
                .map(|s| scopes.iter().position(|x| x == s).unwrap())
        };
        assert_eq!(pick(Priority::Urgent, None), Some(0));
        assert_eq!(pick(Priority::Normal, Some("key_account")), Some(1));
        assert_eq!(pick(Priority::Normal, Some("vip")), Some(2));
    }

    #[test]
    fn standings_read_as_people_expect() {
        let cal = BusinessCalendar::china_standard();
        let due = Some(at("2026-03-02T11:00"));
        assert_eq!(
            standing(due, None, false, at("2026-03-02T10:00"), &cal),
            Standing::Running {
                business_minutes_left: 60
            }
        );
        assert_eq!(
            standing(due, None, false, at("2026-03-02T15:00"), &cal),
            Standing::Running {
                business_minutes_left: -90
            }
        );
        assert_eq!(
            standing(
                due,
                Some(at("2026-03-02T11:30")),
                false,
                at("2026-03-03T10:00"),
                &cal
            ),
            Standing::Met { late: true }
        );
        assert_eq!(
            standing(due, None, true, at("2026-03-02T10:00"), &cal),
            Standing::Paused
        );
    }
}
