//! 演示公司 — `kefu demo`: fills a fresh database with a believable Chinese company, 杭州
//! 恒信电器有限公司: its customer service department in every role and colleagues in the
//! other departments, customers of every tier and type across the provinces, and half a
//! year of tickets on every channel with conversations in natural Chinese, complaints in
//! every stage of the closed loop, SLA targets met and missed, and the care of its key
//! customers: follow-up visits, satisfaction surveys, manager visits and service plans;
//! and the quality specialists' last weeks: samples scored, anomalies, measures, daily
//! reports, a calibration round and a meeting; after-sales with its catalogue, returns and
//! parts; and five months of orders, shipments, payments and monthly statements.
//!
//! The same seed gives the same company (names, texts, choices); times are placed relative
//! to the moment the load runs, so the newest tickets are always from today.
//!
//! Rows are written through [`kefu_store::bulk`] in large transactions: a million tickets
//! through the one-at-a-time use cases would take hours. Every rule that decides what a row
//! holds — ticket numbers, SLA deadlines and attainment, status stamps, the complaint state
//! machine and its stage clock — is the one the use cases apply.

mod aftersales;
mod aftersales_stock;
mod complaints;
mod corpus;
mod customers;
mod orders;
mod quality;
mod satisfaction;
mod staff;
mod tickets;

use std::collections::HashMap;
use std::time::Instant;

use fastrand::Rng;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use kefu_domain::calendar::BusinessCalendar;
use kefu_domain::complaint::{self as complaint_rules, Severity, Stage};
use kefu_domain::ticket::{StatusCategory, TicketType};
use kefu_store::bulk::{self, Batch};
use kefu_store::{StoreError, kb::NewScript};

use crate::ticket::{NUMBER_TIME_ZONE, SlaContext};
use crate::{App, AppError};

/// What `kefu demo` is asked to build.
#[derive(Debug, Clone)]
pub struct DemoPlan {
    pub tickets: usize,
    pub customers: usize,
    pub seed: u64,
    /// How far back the history reaches.
    pub days: i64,
    /// The password of every demo account; generated when `None`.
    pub password: Option<String>,
}

/// Why a demo cannot be loaded. Nothing is written when one is returned before the load
/// starts.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(
        "unknown scale {0:?}: use small, medium, large, or a number of tickets such as 20k or 1m"
    )]
    BadScale(String),
    #[error(
        "the database already holds tickets, customers or complaints; the demo fills a fresh one \
         (start with an empty data directory or database)"
    )]
    NotFresh,
    #[error("{0}")]
    App(#[from] AppError),
}

impl From<StoreError> for DemoError {
    fn from(e: StoreError) -> DemoError {
        DemoError::App(e.into())
    }
}

impl DemoPlan {
    /// `small` (a team trying kefu), `medium` (100k tickets), `large` (1M), or a ticket
    /// count such as `20k`, `250000`, `1m`. Customers are a tenth of the tickets (at least
    /// 200).
    pub fn for_scale(scale: &str, seed: u64) -> Result<DemoPlan, DemoError> {
        let s = scale.trim().to_ascii_lowercase();
        let tickets = match s.as_str() {
            "small" => 3_000,
            "medium" => 100_000,
            "large" => 1_000_000,
            _ => {
                let (digits, factor) = match s.strip_suffix('k') {
                    Some(d) => (d, 1_000),
                    None => match s.strip_suffix('m') {
                        Some(d) => (d, 1_000_000),
                        None => (s.as_str(), 1),
                    },
                };
                digits
                    .parse::<usize>()
                    .ok()
                    .and_then(|n| n.checked_mul(factor))
                    .filter(|n| (1..=20_000_000).contains(n))
                    .ok_or_else(|| DemoError::BadScale(scale.to_owned()))?
            }
        };
        Ok(DemoPlan {
            tickets,
            customers: (tickets / 10).max(200),
            seed,
            days: 180,
            password: None,
        })
    }
}

/// What the load wrote.
#[derive(Debug, Clone)]
pub struct DemoReport {
    pub staff: usize,
    pub customers: usize,
    pub tickets: usize,
    pub messages: usize,
    pub complaints: usize,
    /// Every demo account's password.
    pub password: String,
    /// (username, role key) of every demo account.
    pub accounts: Vec<(String, &'static str)>,
    pub seconds: f64,
}

/// A load phase, for progress bars: `customers` or `tickets`, with done and total counts.
pub type Progress<'a> = &'a (dyn Fn(&'static str, usize, usize) + Sync);

/// Everything a ticket or complaint needs that does not change during the load.
struct World {
    cast: staff::Cast,
    sla: SlaContext,
    calendar: Option<BusinessCalendar>,
    complaint_deadlines: Vec<(String, String, i64)>,
    now: Timestamp,
    tz: TimeZone,
}

impl World {
    fn complaint_minutes(&self, stage: Stage, severity: Severity) -> Option<i64> {
        self.complaint_deadlines
            .iter()
            .find(|(s, st, _)| s == severity.key() && st == stage.key())
            .map(|(_, _, m)| *m)
            .or(complaint_rules::default_deadline_minutes(stage, severity))
    }

    fn add_business_minutes(&self, from: Timestamp, minutes: i64) -> Timestamp {
        match &self.calendar {
            Some(cal) => cal
                .add_minutes(from, minutes)
                .unwrap_or(from + SignedDuration::from_mins(minutes)),
            None => from + SignedDuration::from_mins(minutes),
        }
    }

    fn business_minutes(&self, from: Timestamp, to: Timestamp) -> i64 {
        match &self.calendar {
            Some(cal) => cal.minutes_between(from, to),
            None => to.duration_since(from).as_secs() / 60,
        }
    }
}

/// The department as loaded: who the use-case phases act as.
struct Team {
    users: Vec<kefu_store::staff::User>,
}

impl Team {
    async fn read(app: &App) -> Result<Team, DemoError> {
        let mut conn = app.store.conn().await?;
        Ok(Team {
            users: kefu_store::staff::list_users(&mut conn).await?,
        })
    }

    /// Everyone active with `role`.
    fn with(&self, role: kefu_domain::Role) -> Vec<crate::Actor> {
        self.users
            .iter()
            .filter(|u| u.active && u.roles.contains(role))
            .map(crate::Actor::of_user)
            .collect()
    }

    /// The first active one with `role`.
    fn first(&self, role: kefu_domain::Role) -> Option<crate::Actor> {
        self.with(role).into_iter().next()
    }

    /// User `id` while active.
    fn user(&self, id: i64) -> Option<crate::Actor> {
        self.users
            .iter()
            .find(|u| u.id == id && u.active)
            .map(crate::Actor::of_user)
    }
}

/// A time between `from` and `to` (or `from` when the span is empty).
fn between(rng: &mut Rng, from: Timestamp, to: Timestamp) -> Timestamp {
    let span = to.duration_since(from).as_secs();
    if span <= 0 {
        return from;
    }
    from + SignedDuration::from_secs(rng.i64(0..=span))
}

/// Relative weight of each hour of the day for new requests (local time).
const HOURS: [u32; 24] = [
    1, 1, 0, 0, 0, 1, 2, 5, 12, 18, 20, 17, 10, 12, 17, 18, 16, 13, 9, 8, 8, 6, 4, 2,
];

/// When each of `n` tickets was opened, oldest first: weekdays busier than weekends, office
/// hours busier than nights, a little growth over the period.
fn opening_times(
    rng: &mut Rng,
    n: usize,
    now: Timestamp,
    days: i64,
    tz: &TimeZone,
) -> Vec<Timestamp> {
    let today = now.to_zoned(tz.clone()).date();
    let hour_total: u32 = HOURS.iter().sum();
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let back = rng.i64(0..days);
        let date: Date = today - jiff::Span::new().days(back);
        let weekend = matches!(
            date.weekday(),
            jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
        );
        let growth = 1.0 - 0.3 * back as f64 / days as f64;
        let keep = growth * if weekend { 0.45 } else { 1.0 };
        if rng.f64() > keep {
            continue;
        }
        let mut roll = rng.u32(0..hour_total);
        let mut hour = 0;
        for (h, w) in HOURS.iter().enumerate() {
            if roll < *w {
                hour = h;
                break;
            }
            roll -= w;
        }
        let Ok(at) = date
            .at(hour as i8, rng.i8(0..60), rng.i8(0..60), 0)
            .to_zoned(tz.clone())
        else {
            continue;
        };
        let at = at.timestamp();
        if at < now {
            out.push(at);
        }
    }
    out.sort_unstable();
    out
}

/// The complaints kept in each open stage of the loop, by ticket index. Stories are cut
/// where "now" falls, so a small company's few newest complaints can all be past a short
/// stage at the hour the demo is loaded; one complaint per stage is held there. For each
/// stage, from the first, the newest complaint not yet chosen that is old enough to have
/// reached it at an ordinary pace: later stages go to older complaints, as in real work.
fn complaint_holds(
    world: &World,
    times: &[Timestamp],
    types: &[TicketType],
) -> HashMap<usize, Stage> {
    let mut holds = HashMap::new();
    let mut newest_first = (0..times.len())
        .rev()
        .filter(|i| types[*i] == TicketType::Complaint);
    let mut before = 0;
    for stage in Stage::PATH.into_iter().filter(|s| s.is_open()) {
        let age = before * 6 / 10;
        if let Some(i) =
            newest_first.find(|i| world.add_business_minutes(times[*i], age) <= world.now)
        {
            holds.insert(i, stage);
        }
        before += world.complaint_minutes(stage, Severity::Major).unwrap_or(0);
    }
    holds
}

/// Tickets written per transaction.
const TICKETS_PER_COMMIT: usize = 2_000;

impl App {
    /// Loads the demo company into a database that holds no tickets, customers or
    /// complaints yet.
    pub async fn load_demo(
        &self,
        plan: &DemoPlan,
        progress: Progress<'_>,
    ) -> Result<DemoReport, DemoError> {
        let started = Instant::now();
        let now = self.now();
        let tz = TimeZone::get(NUMBER_TIME_ZONE).unwrap_or(TimeZone::UTC);
        let mut rng = Rng::with_seed(plan.seed);
        {
            let mut conn = self.store.conn().await?;
            if !bulk::is_fresh(&mut conn).await? {
                return Err(DemoError::NotFresh);
            }
        }
        self.ensure_ticket_defaults().await?;
        self.ensure_starter_scripts().await?;
        let password = plan
            .password
            .clone()
            .unwrap_or_else(crate::secret::generate_password);
        let hash = crate::secret::hash_password(&password).await?;

        // The people, the groups and the department's extra scripts: one transaction.
        let mut tx = self.store.begin().await?;
        let cast = staff::hire(&mut tx, &mut rng, plan.tickets, &hash, now).await?;
        let mut batch = Batch::default();
        let reviewer = cast.managers.first().map(|m| m.id);
        for (category, title, body) in corpus::SCRIPTS {
            batch.script(
                &NewScript {
                    category,
                    title,
                    body,
                    actions: "{}",
                    status: "approved",
                    proposed_by: reviewer,
                },
                reviewer,
                now,
            );
        }
        batch.write(&mut tx).await?;
        let sla = SlaContext::load(&mut tx).await?;
        let complaint_deadlines = kefu_store::complaint::deadlines(&mut tx).await?;
        tx.commit().await.map_err(StoreError::from)?;
        let calendar = sla.calendar_of(None).cloned();
        let staff_count = cast.usernames.len();
        let accounts = cast.usernames.clone();
        let world = World {
            cast,
            sla,
            calendar,
            complaint_deadlines,
            now,
            tz: tz.clone(),
        };

        // Customers, in transactions of a few thousand.
        let mut people = Vec::with_capacity(plan.customers);
        let mut tx = self.store.begin().await?;
        for n in 0..plan.customers {
            let id = n as i64 + 1;
            people.push(customers::customer(
                &mut rng,
                id,
                &world.cast,
                now,
                plan.days,
                &mut batch,
            ));
            batch.change("customer", id, None, now);
            if batch.len() >= 10_000 {
                batch.write(&mut tx).await?;
                tx.commit().await.map_err(StoreError::from)?;
                tx = self.store.begin().await?;
                progress("customers", n + 1, plan.customers);
            }
        }
        batch.write(&mut tx).await?;
        tx.commit().await.map_err(StoreError::from)?;
        progress("customers", plan.customers, plan.customers);

        // Key accounts and VIPs call far more often than their share of the archive.
        let (frequent, rest): (Vec<usize>, Vec<usize>) =
            (0..people.len()).partition(|i| people[*i].tier != "normal");

        let times = opening_times(&mut rng, plan.tickets, now, plan.days, &tz);
        let types: Vec<TicketType> = (0..times.len())
            .map(|_| tickets::ticket_type(&mut rng))
            .collect();
        let stage_holds = complaint_holds(&world, &times, &types);
        let mut ids = complaints::Ids {
            complaint: 1,
            proposal: 1,
        };
        let mut messages = 0;
        let mut complaint_count = 0;
        let mut day = String::new();
        let mut seq = 0;
        let backlog = (plan.tickets / 100).max(10);
        let mut tx = self.store.begin().await?;
        for (n, created_at) in times.into_iter().enumerate() {
            let id = n as i64 + 1;
            let date = created_at.to_zoned(tz.clone()).date();
            let this_day = format!("{:04}{:02}{:02}", date.year(), date.month(), date.day());
            if this_day != day {
                if seq > 0 {
                    batch.day_counter(&day, seq);
                }
                day = this_day;
                seq = 0;
            }
            seq += 1;
            let number = kefu_domain::ticket::ticket_number(date, seq);
            let pool = if !frequent.is_empty() && rng.u8(0..10) < 4 {
                &frequent
            } else if !rest.is_empty() {
                &rest
            } else {
                &frequent
            };
            let Some(mut customer) = pool
                .get(rng.usize(..pool.len().max(1)))
                .map(|i| &people[*i])
            else {
                continue;
            };
            // A quiet key account calls nobody after it fell quiet: another customer does.
            if customer.quiet_since.is_some_and(|q| created_at > q)
                && let Some(other) = rest.get(rng.usize(..rest.len().max(1)))
            {
                customer = &people[*other];
            }
            // The newest tickets are the department's work in hand, in every open state.
            let hold = (n + backlog >= plan.tickets).then(|| {
                [
                    StatusCategory::New,
                    StatusCategory::Open,
                    StatusCategory::Open,
                    StatusCategory::PendingCustomer,
                    StatusCategory::PendingInternal,
                ][(plan.tickets - n) % 5]
            });
            let written = tickets::ticket(
                &mut rng,
                &world,
                &mut ids,
                id,
                number,
                created_at,
                customer,
                types[n],
                hold,
                stage_holds.get(&n).copied(),
                &mut batch,
            );
            messages += written.messages;
            complaint_count += usize::from(written.complaint);
            if (n + 1) % TICKETS_PER_COMMIT == 0 {
                batch.write(&mut tx).await?;
                tx.commit().await.map_err(StoreError::from)?;
                tx = self.store.begin().await?;
                progress("tickets", n + 1, plan.tickets);
            }
        }
        if seq > 0 {
            batch.day_counter(&day, seq);
        }
        batch.write(&mut tx).await?;
        // 最近联系 agrees with the tickets: at least each customer's latest ticket.
        bulk::last_contact_from_tickets(&mut tx).await?;
        // The use cases below open tickets of their own (a short delivery's order issue):
        // the ids they are given follow the ones chosen here.
        bulk::finish(&mut tx, self.store.backend()).await?;
        tx.commit().await.map_err(StoreError::from)?;

        // Follow-up visits, surveys and the key accounts' care, on the customers and
        // tickets as they now stand.
        satisfaction::load(self, &mut rng, &world).await?;
        // The quality specialists' last weeks, through the use cases on a clock set to
        // each day.
        let started_quality = Instant::now();
        let quality_rows = quality::load(self, &mut rng, &world, plan.tickets).await?;
        tracing::info!(
            rows = quality_rows,
            secs = started_quality.elapsed().as_secs_f64(),
            "demo: quality written"
        );
        // The after-sales catalogue, points and the last month of RMAs, the same way.
        let started_aftersales = Instant::now();
        let aftersales_rows = aftersales::load(self, &mut rng, &world, plan.tickets).await?;
        tracing::info!(
            rows = aftersales_rows,
            secs = started_aftersales.elapsed().as_secs_f64(),
            "demo: after-sales written"
        );
        // Five months of orders, shipments, payments and statements, the same way.
        let started_orders = Instant::now();
        let order_rows = orders::load(self, &mut rng, &world, plan.tickets).await?;
        tracing::info!(
            rows = order_rows,
            secs = started_orders.elapsed().as_secs_f64(),
            "demo: orders and accounts written"
        );

        let mut tx = self.store.begin().await?;
        bulk::finish(&mut tx, self.store.backend()).await?;
        tx.commit().await.map_err(StoreError::from)?;
        self.store.settle_after_load().await?;
        progress("tickets", plan.tickets, plan.tickets);

        Ok(DemoReport {
            staff: staff_count,
            customers: plan.customers,
            tickets: plan.tickets,
            messages,
            complaints: complaint_count,
            password,
            accounts,
            seconds: started.elapsed().as_secs_f64(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_by_name_or_ticket_count() {
        let tickets = |s: &str| DemoPlan::for_scale(s, 1).map(|p| (p.tickets, p.customers));
        assert_eq!(tickets("small").unwrap(), (3_000, 300));
        assert_eq!(tickets("Medium").unwrap(), (100_000, 10_000));
        assert_eq!(tickets("large").unwrap(), (1_000_000, 100_000));
        assert_eq!(tickets("20k").unwrap(), (20_000, 2_000));
        assert_eq!(tickets("1m").unwrap(), (1_000_000, 100_000));
        assert_eq!(tickets("500").unwrap(), (500, 200));
        for bad in ["huge", "", "0", "-5", "1.5m", "99999m"] {
            assert!(
                matches!(DemoPlan::for_scale(bad, 1), Err(DemoError::BadScale(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn opening_times_are_in_the_past_oldest_first_and_office_hours_heavy() {
        let tz = TimeZone::get(NUMBER_TIME_ZONE).unwrap();
        let now = Timestamp::from_second(1_790_000_000).unwrap();
        let times = opening_times(&mut Rng::with_seed(3), 5_000, now, 180, &tz);
        assert_eq!(times.len(), 5_000);
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
        assert!(
            times
                .iter()
                .all(|t| *t < now && *t > now - SignedDuration::from_hours(181 * 24))
        );
        let office = times
            .iter()
            .filter(|t| (8..18).contains(&t.to_zoned(tz.clone()).hour()))
            .count();
        assert!(office > 3_500, "{office} of 5000 in office hours");
    }
}
