//! 回访与满意度 — the demo company's care of its customers, written once the tickets are:
//! the follow-up visits the rules planned for key accounts and VIP customers (回访), the
//! survey after each resolved ticket (满意度调查), the key accounts' quarterly relationship
//! survey (关系调查), and the key-account specialist's work — the manager's visits with their
//! reports and ratings, service plans, discount policies (大客户).
//!
//! Each part writes the rows the use cases would have written had the company done the
//! work by hand over the last months: the same keys, the same completeness rules, times on
//! the business calendar and inside the calling hours. Volumes follow the number of key
//! customers and tickets, capped so a million-ticket company still loads quickly. None of
//! these records goes to the change log: the use cases record none for them either.

mod csat;
mod key_accounts;
mod relationship;
mod texts;
mod visits;

use fastrand::Rng;
use jiff::civil::Date;
use jiff::{SignedDuration, Span, Timestamp};
use kefu_domain::calendar::BusinessCalendar;
use kefu_domain::staff::shift::Roster;
use kefu_store::StoreError;
use kefu_store::bulk::{self, KeyCustomer};

use super::{DemoError, World};
use crate::App;
use crate::follow_up::{FollowUpSettings, load_settings, local_date, local_midnight};

/// Rows written per transaction.
const ROWS_PER_COMMIT: usize = 10_000;

/// A customer nobody reached for this long is quiet: the today view lists it, so nothing
/// the demo writes reaches it after its last contact.
const QUIET_DAYS: i64 = 30;

/// What the phase reads once and every part uses.
struct Context<'a> {
    world: &'a World,
    /// The standard calendar calls and visits are made on.
    calendar: BusinessCalendar,
    /// The demo's agents have no rosters: they work the calendar's hours.
    roster: Roster,
    follow_up: FollowUpSettings,
    /// The key accounts and VIP customers, by id.
    customers: Vec<KeyCustomer>,
}

impl Context<'_> {
    fn now(&self) -> Timestamp {
        self.world.now
    }

    /// Today where the department works.
    fn today(&self) -> Date {
        local_date(&self.calendar, self.now())
    }

    /// The start of `date` where the department works.
    fn midnight(&self, date: Date) -> Timestamp {
        local_midnight(&self.calendar, date)
    }

    /// `hour:minute` on `date` where the department works.
    fn at(&self, date: Date, hour: i8, minute: i8) -> Timestamp {
        date.at(hour, minute, 0, 0)
            .to_zoned(self.calendar.time_zone().clone())
            .map(|z| z.timestamp())
            .unwrap_or_else(|_| self.midnight(date))
    }

    /// The first working day on or after `date` (`date` itself when none is near).
    fn working_day(&self, date: Date) -> Date {
        let mut d = date;
        for _ in 0..15 {
            if self.calendar.is_working_day(d) {
                return d;
            }
            d = days_after(d, 1);
        }
        date
    }

    /// The key accounts that are customers now (active or dormant), as the key-account
    /// pages and the relationship survey's segment count them.
    fn key_accounts(&self) -> impl Iterator<Item = &KeyCustomer> {
        self.customers
            .iter()
            .filter(|c| c.tier == "key_account" && is_customer_now(c))
    }
}

/// Writes every part; the customers' last contact then follows the visits made.
pub(super) async fn load(app: &App, rng: &mut Rng, world: &World) -> Result<(), DemoError> {
    let cx = {
        let mut conn = app.store.conn().await?;
        let calendar = app.business_calendar(&mut conn).await?;
        Context {
            world,
            roster: Roster::department(&calendar),
            calendar,
            follow_up: load_settings(&mut conn).await?,
            customers: bulk::key_customers(&mut conn).await?,
        }
    };
    // Each part's time goes to the log: the large demo's load time is a measured figure.
    let mut part = PartClock(std::time::Instant::now());
    part.logged("follow-up visits", visits::write(app, rng, &cx).await?);
    part.logged("ticket surveys", csat::write(app, rng, &cx).await?);
    part.logged(
        "relationship survey",
        relationship::write(app, rng, &cx).await?,
    );
    part.logged("key accounts", key_accounts::write(app, rng, &cx).await?);
    // A reached visit is a contact, as recording it says.
    let mut tx = app.store.begin().await?;
    let customers = bulk::last_contact_from_visits(&mut tx).await?;
    tx.commit().await.map_err(StoreError::from)?;
    part.logged("last contacts", customers as usize);
    Ok(())
}

/// Times the parts of the load one after the other.
struct PartClock(std::time::Instant);

impl PartClock {
    /// Logs a part's row count and the time since the previous part ended.
    fn logged(&mut self, part: &str, rows: usize) {
        let secs = self.0.elapsed().as_secs_f64();
        tracing::info!(part, rows, secs, "demo: care written");
        self.0 = std::time::Instant::now();
    }
}

/// Active or dormant: not a prospect, not lost.
fn is_customer_now(c: &KeyCustomer) -> bool {
    c.status == "active" || c.status == "dormant"
}

/// Until when `c` can be reached: its last contact for a quiet customer, else now.
fn reachable_until(c: &KeyCustomer, now: Timestamp) -> Timestamp {
    match c.last_contact_at {
        Some(last) if last < now - SignedDuration::from_hours(QUIET_DAYS * 24) => last,
        _ => now,
    }
}

fn days_after(date: Date, n: i64) -> Date {
    date.checked_add(Span::new().days(n)).unwrap_or(date)
}

fn months_after(date: Date, n: i64) -> Date {
    date.checked_add(Span::new().months(n)).unwrap_or(date)
}

fn mins(n: i64) -> SignedDuration {
    SignedDuration::from_mins(n)
}

fn hours(n: i64) -> SignedDuration {
    SignedDuration::from_hours(n)
}

/// A time between `from` and `to`, most of them near `from` (people answer soon, agents
/// call early in the window); `from` when the span is empty.
fn early(rng: &mut Rng, from: Timestamp, to: Timestamp) -> Timestamp {
    let span = to.duration_since(from).as_secs();
    if span <= 0 {
        return from;
    }
    let u = rng.f64();
    from + SignedDuration::from_secs((span as f64 * u * u * u) as i64)
}

/// One of `items`, each as often as its weight.
fn weighted<T: Copy>(rng: &mut Rng, items: &[(T, u32)]) -> Option<T> {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    if total == 0 {
        return None;
    }
    let mut roll = rng.u32(0..total);
    for (item, w) in items {
        if roll < *w {
            return Some(*item);
        }
        roll -= w;
    }
    None
}

/// A ticket survey's score, 1 (very dissatisfied) to 5: about four answers in five are 4
/// or 5, one in ten is low.
fn csat_score(rng: &mut Rng) -> i64 {
    weighted(rng, &[(5, 52), (4, 28), (3, 10), (2, 5), (1, 5)]).unwrap_or(5)
}

/// The 0–10 answer to 您有多大可能向朋友或同事推荐我们公司: about half promoters (9–10), a
/// fifth detractors (0–6), an NPS of about +30.
fn nps_score(rng: &mut Rng) -> i64 {
    weighted(
        rng,
        &[
            (10, 24),
            (9, 28),
            (8, 17),
            (7, 12),
            (6, 6),
            (5, 5),
            (4, 3),
            (3, 2),
            (2, 1),
            (1, 1),
            (0, 1),
        ],
    )
    .unwrap_or(8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csat_scores_are_mostly_four_and_five() {
        let mut rng = Rng::with_seed(5);
        let scores: Vec<i64> = (0..10_000).map(|_| csat_score(&mut rng)).collect();
        assert!(scores.iter().all(|s| (1..=5).contains(s)));
        let high = scores.iter().filter(|s| **s >= 4).count();
        let low = scores.iter().filter(|s| **s <= 2).count();
        assert!((7_500..8_500).contains(&high), "{high} of 10000 are 4–5");
        assert!((700..1_300).contains(&low), "{low} of 10000 are 1–2");
    }

    #[test]
    fn nps_leans_to_promoters_with_some_detractors() {
        let mut rng = Rng::with_seed(6);
        let scores: Vec<i64> = (0..10_000).map(|_| nps_score(&mut rng)).collect();
        assert!(scores.iter().all(|s| (0..=10).contains(s)));
        let promoters = scores.iter().filter(|s| **s >= 9).count() as i64;
        let detractors = scores.iter().filter(|s| **s <= 6).count() as i64;
        assert!(detractors > 1_000, "{detractors} detractors");
        let nps = (promoters - detractors) * 100 / 10_000;
        assert!((20..45).contains(&nps), "NPS {nps}");
    }

    #[test]
    fn early_times_stay_in_their_span_and_lean_to_its_start() {
        let mut rng = Rng::with_seed(7);
        let from: Timestamp = "2026-11-01T00:00:00Z".parse().unwrap();
        let to = from + hours(100);
        let times: Vec<Timestamp> = (0..2_000).map(|_| early(&mut rng, from, to)).collect();
        assert!(times.iter().all(|t| *t >= from && *t <= to));
        let first_half = times.iter().filter(|t| **t < from + hours(50)).count();
        assert!(first_half > 1_500, "{first_half} of 2000 in the first half");
        assert_eq!(early(&mut rng, to, from), to);
    }

    #[test]
    fn weights_of_nothing_choose_nothing() {
        let mut rng = Rng::with_seed(8);
        assert_eq!(weighted::<i64>(&mut rng, &[]), None);
        assert_eq!(weighted(&mut rng, &[(1, 0), (2, 3)]), Some(2));
    }
}
