use jiff::civil::{Date, DateTime, date};
use jiff::tz::TimeZone;
use proptest::prelude::*;

use super::*;
use crate::calendar::DayKind;
use crate::staff::shift::Roster;

const ZONE: &str = "Asia/Shanghai";

fn bj(s: &str) -> Timestamp {
    let dt: DateTime = s.parse().unwrap();
    dt.to_zoned(TimeZone::get(ZONE).unwrap())
        .unwrap()
        .timestamp()
}

fn p(s: &str) -> Period {
    Period::parse(s).unwrap()
}

fn rest(s: &str) -> RestHours {
    RestHours::parse(s).unwrap()
}

/// Agents rostered all day, every day.
fn all_day_shift() -> Roster {
    let day = vec![p("00:00-24:00")];
    Roster::new(std::array::from_fn(|_| day.clone()), [])
}

#[test]
fn calls_wait_for_the_afternoon_after_the_contacts_noon_rest() {
    let business = BusinessCalendar::china_standard();
    let shift = all_day_shift();
    let (hours, rest) = (CallingHours::default(), rest("11:30-14:45"));
    let w = CallWindow {
        business: &business,
        calling_hours: &hours,
        shift: &shift,
        rest: &rest,
    };
    // Tuesday 3 March 2026: callable from 9:00 to 11:30, then from 14:45.
    let due = bj("2026-03-03T11:40");
    let slot = w.earliest(due, bj("2026-03-10T00:00")).unwrap();
    assert_eq!(slot.start, bj("2026-03-03T14:45"));
    assert_eq!(slot.end, bj("2026-03-03T18:00"));
    assert!(w.allows(bj("2026-03-03T10:15")));
    assert!(!w.allows(bj("2026-03-03T12:00")), "noon rest");
    assert!(!w.allows(bj("2026-03-03T13:00")), "outside calling hours");
    assert!(
        !w.allows(bj("2026-03-03T18:00")),
        "the end is not in the hours"
    );
}

#[test]
fn rest_hours_across_midnight_and_holidays_push_the_call_to_the_next_open_day() {
    let business = BusinessCalendar::china_standard();
    let shift = all_day_shift();
    let hours = CallingHours::parse("08:00-12:00，14:30-21:00").unwrap();
    let rest = rest("20:00-09:30");
    let w = CallWindow {
        business: &business,
        calling_hours: &hours,
        shift: &shift,
        rest: &rest,
    };
    // Wednesday 30 September 2026, 19:50: ten minutes before the contact's evening rest.
    let slot = w
        .earliest(bj("2026-09-30T19:50"), bj("2026-10-31T00:00"))
        .unwrap();
    assert_eq!(slot.start, bj("2026-09-30T19:50"));
    assert_eq!(slot.end, bj("2026-09-30T20:00"));
    // From 20:00: National Day runs 1–7 October, so Thursday 8 October at 9:30, after the
    // contact's night (not 8:00, when the company starts calling).
    let slot = w
        .earliest(bj("2026-09-30T20:00"), bj("2026-10-31T00:00"))
        .unwrap();
    assert_eq!(slot.start, bj("2026-10-08T09:30"));
    // No slot within the holidays.
    assert_eq!(
        w.earliest(bj("2026-09-30T20:00"), bj("2026-10-08T09:30")),
        None
    );
}

#[test]
fn a_make_up_saturday_is_callable_and_the_agents_shift_narrows_the_hours() {
    // Saturday 10 October 2026 is worked (调休) in the standard calendar.
    let business = BusinessCalendar::china_standard();
    let afternoon = vec![p("15:00-17:00")];
    let shift = Roster::new(std::array::from_fn(|_| afternoon.clone()), []);
    let (hours, rest) = (CallingHours::default(), RestHours::default());
    let w = CallWindow {
        business: &business,
        calling_hours: &hours,
        shift: &shift,
        rest: &rest,
    };
    let slot = w
        .earliest(bj("2026-10-10T08:00"), bj("2026-10-20T00:00"))
        .unwrap();
    assert_eq!(slot.start, bj("2026-10-10T15:00"));
    assert_eq!(slot.end, bj("2026-10-10T17:00"));
    assert!(
        !w.allows(bj("2026-10-11T15:30")),
        "Sunday 11 October is off"
    );
}

#[test]
fn calling_hours_join_what_overlaps_and_refuse_what_is_not_a_period() {
    let hours = CallingHours::parse("14:00-16:00; 09:00-12:00, 11:00-13:00，16:00-17:00").unwrap();
    assert_eq!(hours.periods(), &[p("09:00-13:00"), p("14:00-17:00")]);
    assert!(CallingHours::parse("18:00-09:00").is_err());
    assert!(CallingHours::parse("9点-12点").is_err());
    assert_eq!(CallingHours::parse("").unwrap().periods(), &[]);
}

// ---- properties ----------------------------------------------------------------------

/// The day the generated calendars and windows start on (a Monday).
const BASE: Date = date(2026, 9, 28);

/// Up to three sorted, disjoint periods on five-minute boundaries.
fn periods() -> impl Strategy<Value = Vec<Period>> {
    prop::collection::btree_set(0u16..=288, 0..=6).prop_map(|b| {
        let b: Vec<u16> = b.into_iter().map(|m| m * 5).collect();
        b.chunks_exact(2)
            .map(|c| Period {
                start: c[0],
                end: c[1],
            })
            .collect()
    })
}

fn calendar() -> impl Strategy<Value = BusinessCalendar> {
    let week = prop::array::uniform7(prop_oneof![
        1 => Just(Vec::new()),
        3 => periods(),
    ]);
    let special = prop::collection::btree_map(
        0i32..21,
        prop_oneof![Just(DayKind::Holiday), Just(DayKind::Workday)],
        0..6,
    );
    (week, special).prop_map(|(week, special)| {
        let special = special
            .into_iter()
            .map(|(d, kind)| (BASE.checked_add(jiff::Span::new().days(d)).unwrap(), kind));
        BusinessCalendar::new(ZONE, week, special).unwrap()
    })
}

/// A roster: a week and dated changes (a day off, or other hours) in the three weeks.
fn roster() -> impl Strategy<Value = Roster> {
    let week = prop::array::uniform7(prop_oneof![
        1 => Just(Vec::new()),
        3 => periods(),
    ]);
    let changes = prop::collection::btree_map(0i32..21, periods(), 0..6);
    (week, changes).prop_map(|(week, changes)| {
        let changes = changes
            .into_iter()
            .map(|(d, p)| (BASE.checked_add(jiff::Span::new().days(d)).unwrap(), p));
        Roster::new(week, changes)
    })
}

/// Up to three rest periods, any of them across midnight, overlapping or not.
fn rest_hours() -> impl Strategy<Value = RestHours> {
    prop::collection::vec((0u16..288, 0u16..288), 0..=3).prop_map(|v| {
        RestHours(
            v.into_iter()
                .filter(|(a, b)| a != b)
                .map(|(a, b)| (a * 5, b * 5))
                .collect(),
        )
    })
}

/// The rule checked minute by minute, without any interval arithmetic.
fn allowed(w: &CallWindow<'_>, at: Timestamp) -> bool {
    let z = at.to_zoned(w.business.time_zone().clone());
    let d = z.date();
    let minute = z.hour() as u16 * 60 + z.minute() as u16;
    let inside = |ps: &[Period]| ps.iter().any(|p| p.start <= minute && minute < p.end);
    w.business.is_working_day(d)
        && inside(w.calling_hours.periods())
        && inside(w.shift.periods_on(d, w.business))
        && !w.rest.contains(minute)
}

/// The earliest allowed moment in `[due, until)`, found by trying `due` and then every
/// minute after it.
fn brute_earliest(w: &CallWindow<'_>, due: Timestamp, until: Timestamp) -> Option<Timestamp> {
    if due >= until {
        return None;
    }
    if allowed(w, due) {
        return Some(due);
    }
    let secs = due.as_second();
    let mut at = Timestamp::from_second(secs - secs.rem_euclid(60) + 60).unwrap();
    while at < until {
        if allowed(w, at) {
            return Some(at);
        }
        at = at.checked_add(SignedDuration::from_mins(1)).unwrap();
    }
    None
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn the_slot_is_the_earliest_moment_the_rules_allow(
        business in calendar(),
        shift in roster(),
        hours in periods(),
        rest in rest_hours(),
        due_minute in 0i64..14 * 1440,
        due_second in 0i64..60,
        window_minutes in 1i64..8 * 1440,
    ) {
        let hours = CallingHours::new(hours);
        let w = CallWindow { business: &business, calling_hours: &hours, shift: &shift, rest: &rest };
        let base = BASE.to_zoned(TimeZone::get(ZONE).unwrap()).unwrap().timestamp();
        let due = base + SignedDuration::from_secs(due_minute * 60 + due_second);
        let until = due + SignedDuration::from_mins(window_minutes);

        let found = w.earliest(due, until);
        prop_assert_eq!(found.map(|s| s.start), brute_earliest(&w, due, until));
        if let Some(slot) = found {
            // Never before it is due, never outside the window, never in rest hours or
            // outside calling hours, the shift or business days — and open until its end.
            prop_assert!(due <= slot.start && slot.start < slot.end && slot.end <= until);
            prop_assert!(allowed(&w, slot.start));
            prop_assert!(w.allows(slot.start));
            let last = slot.end - SignedDuration::from_secs(1);
            prop_assert!(allowed(&w, last.max(slot.start)));
        }
    }

    #[test]
    fn the_dial_button_follows_the_rule_at_any_moment(
        business in calendar(),
        hours in periods(),
        rest in rest_hours(),
        minute in 0i64..21 * 1440,
        second in 0i64..60,
    ) {
        let hours = CallingHours::new(hours);
        let shift = Roster::department(&business);
        let w = CallWindow { business: &business, calling_hours: &hours, shift: &shift, rest: &rest };
        let base = BASE.to_zoned(TimeZone::get(ZONE).unwrap()).unwrap().timestamp();
        let at = base + SignedDuration::from_secs(minute * 60 + second);
        prop_assert_eq!(w.allows(at), allowed(&w, at));
    }
}
