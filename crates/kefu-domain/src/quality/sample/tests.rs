use std::collections::{BTreeMap, HashMap};

use proptest::prelude::*;

use super::*;

fn ticket(id: i64, agent: i64, channel: &str) -> Candidate {
    Candidate {
        kind: SourceKind::Ticket,
        id,
        agent_id: agent,
        channel: channel.to_owned(),
        complaint: false,
        low_csat: false,
        sla_breached: false,
        call_seconds: None,
        unverified: false,
    }
}

fn day() -> Vec<Candidate> {
    let mut c = Vec::new();
    // Agents 1–3, ten e-mail and five chat tickets each.
    for agent in 1..=3 {
        for n in 0..15 {
            let channel = if n < 10 { "email" } else { "chat" };
            c.push(ticket(agent * 100 + n, agent, channel));
        }
    }
    c[0].complaint = true;
    c[1].low_csat = true;
    c[2].sla_breached = true;
    let mut call = ticket(7, 2, "phone");
    call.kind = SourceKind::Call;
    call.call_seconds = Some(11 * 60);
    c.push(call.clone());
    call.id = 8;
    call.call_seconds = Some(9 * 60);
    c.push(call);
    let mut visit = ticket(9, 3, "phone");
    visit.kind = SourceKind::Visit;
    visit.unverified = true;
    c.push(visit);
    c
}

#[test]
fn rules_take_their_items_whole_and_each_agent_gets_their_share() {
    let rules = SampleRules::default();
    let picks = draw(&rules, 42, &day());
    let by_rule = |r: Rule| {
        picks
            .iter()
            .filter(|p| p.rule == r)
            .map(|p| (p.kind, p.id))
            .collect::<Vec<_>>()
    };
    assert_eq!(by_rule(Rule::Complaint), [(SourceKind::Ticket, 100)]);
    assert_eq!(by_rule(Rule::LowCsat), [(SourceKind::Ticket, 101)]);
    assert_eq!(by_rule(Rule::SlaBreach), [(SourceKind::Ticket, 102)]);
    assert_eq!(
        by_rule(Rule::LongCall),
        [(SourceKind::Call, 7)],
        "9 minutes is short"
    );
    assert_eq!(by_rule(Rule::UnverifiedVisit), [(SourceKind::Visit, 9)]);
    for agent in 1..=3 {
        let mine = picks
            .iter()
            .filter(|p| p.rule == Rule::PerAgent && p.agent_id == agent)
            .count();
        assert_eq!(mine, 2, "agent {agent}");
    }
    assert_eq!(picks.len(), 5 + 6);
    // Drawn again, in another order: the same sample.
    let mut shuffled = day();
    shuffled.reverse();
    assert_eq!(draw(&rules, 42, &shuffled), picks);
    assert_ne!(
        draw(&rules, 43, &day()),
        picks,
        "another seed, another draw"
    );
}

#[test]
fn a_quota_fills_a_channel_from_what_is_left() {
    let rules = SampleRules {
        per_agent: 0,
        channel_quotas: BTreeMap::from([("chat".to_owned(), 4), ("wechat".to_owned(), 3)]),
        ..SampleRules::default()
    };
    let picks = draw(&rules, 7, &day());
    let chats: Vec<&Pick> = picks.iter().filter(|p| p.channel == "chat").collect();
    assert_eq!(chats.len(), 4);
    assert!(chats.iter().all(|p| p.rule == Rule::ChannelQuota));
    assert!(picks.iter().all(|p| p.channel != "wechat"), "none to take");
}

#[test]
fn each_ticket_is_equally_likely_to_be_drawn() {
    // One agent, ten tickets, two drawn: each ticket in about a fifth of 2,000 draws.
    let tickets: Vec<Candidate> = (0..10).map(|i| ticket(i, 1, "email")).collect();
    let rules = SampleRules::default();
    let mut seen: HashMap<i64, u32> = HashMap::new();
    for seed in 0..2000 {
        for p in draw(&rules, seed, &tickets) {
            *seen.entry(p.id).or_default() += 1;
        }
    }
    // 400 expected, σ ≈ 17.9: five σ either way.
    for id in 0..10 {
        let n = seen[&id];
        assert!((310..=490).contains(&n), "ticket {id} drawn {n} times");
    }
}

#[test]
fn nobody_inspects_their_own_work() {
    let picks = draw(&SampleRules::default(), 1, &day());
    // Inspector 2 is also agent 2.
    let who = assign(&picks, &[2, 50, 51]);
    for (p, w) in picks.iter().zip(&who) {
        assert_ne!(Some(p.agent_id), *w, "{p:?}");
        assert!(w.is_some());
    }
    let mut load: HashMap<i64, usize> = HashMap::new();
    for w in who.iter().flatten() {
        *load.entry(*w).or_default() += 1;
    }
    let (min, max) = (load.values().min().unwrap(), load.values().max().unwrap());
    assert!(max - min <= 1, "{load:?}");
    // The only inspector is the agent: left unassigned.
    let own: Vec<Pick> = picks.iter().filter(|p| p.agent_id == 2).cloned().collect();
    assert!(assign(&own, &[2]).iter().all(Option::is_none));
    assert!(assign(&own, &[]).iter().all(Option::is_none));
}

#[test]
fn rules_out_of_bounds_are_refused() {
    let channels = ["email", "chat", "phone"];
    assert_eq!(SampleRules::default().check(&channels), Ok(()));
    let r = SampleRules {
        per_agent: 51,
        ..SampleRules::default()
    };
    assert_eq!(
        r.check(&channels),
        Err(SampleRulesError::PerAgentTooMany { max: 50 })
    );
    let r = SampleRules {
        channel_quotas: BTreeMap::from([("fax".to_owned(), 1)]),
        ..SampleRules::default()
    };
    assert_eq!(
        r.check(&channels),
        Err(SampleRulesError::UnknownChannel("fax".into()))
    );
    let r = SampleRules {
        calls_over_minutes: Some(0),
        ..SampleRules::default()
    };
    assert_eq!(r.check(&channels), Err(SampleRulesError::BadCallMinutes));
}

fn candidates() -> impl Strategy<Value = Vec<Candidate>> {
    prop::collection::vec(
        (
            0u8..3,
            0i64..200,
            1i64..6,
            0u8..3,
            any::<[bool; 4]>(),
            prop::option::of(0i64..1800),
        ),
        0..120,
    )
    .prop_map(|raw| {
        raw.into_iter()
            .map(|(kind, id, agent, channel, flags, secs)| Candidate {
                kind: SourceKind::ALL[usize::from(kind)],
                id,
                agent_id: agent,
                channel: ["email", "chat", "phone"][usize::from(channel)].to_owned(),
                complaint: flags[0],
                low_csat: flags[1],
                sla_breached: flags[2],
                call_seconds: (kind == 1).then_some(secs).flatten(),
                unverified: flags[3] && kind == 2,
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn the_sample_keeps_the_rules(
        cands in candidates(),
        per_agent in 0u16..4,
        quota in 0u16..6,
        seed in any::<u64>(),
        inspectors in prop::collection::vec(1i64..8, 0..4),
    ) {
        let rules = SampleRules {
            per_agent,
            channel_quotas: BTreeMap::from([("chat".to_owned(), quota)]),
            ..SampleRules::default()
        };
        let picks = draw(&rules, seed, &cands);
        prop_assert_eq!(&draw(&rules, seed, &cands), &picks);
        // No duplicates, nothing invented.
        let mut keys: Vec<(SourceKind, i64)> = picks.iter().map(|p| (p.kind, p.id)).collect();
        keys.dedup();
        prop_assert_eq!(keys.len(), picks.len());
        // The first of candidates sharing a kind and id, as the draw keeps it.
        let first: BTreeMap<(SourceKind, i64), &Candidate> = {
            let mut m = BTreeMap::new();
            let mut sorted: Vec<&Candidate> = cands.iter().collect();
            sorted.sort_by_key(|c| (c.kind, c.id));
            for c in sorted {
                m.entry((c.kind, c.id)).or_insert(c);
            }
            m
        };
        for p in &picks {
            prop_assert!(first.contains_key(&(p.kind, p.id)));
        }
        // Every item a rule takes whole is in, under that rule.
        for (key, c) in &first {
            if let Some(rule) = taken_by(&rules, c) {
                let p = picks.iter().find(|p| (p.kind, p.id) == *key);
                prop_assert_eq!(p.map(|p| p.rule), Some(rule));
            }
        }
        // Each agent: per_agent of their other tickets, or all of them.
        let mut open: HashMap<i64, usize> = HashMap::new();
        for c in first.values() {
            if c.kind == SourceKind::Ticket && taken_by(&rules, c).is_none() {
                *open.entry(c.agent_id).or_default() += 1;
            }
        }
        for (agent, n) in open {
            let drawn = picks.iter().filter(|p| p.rule == Rule::PerAgent && p.agent_id == agent).count();
            prop_assert_eq!(drawn, n.min(usize::from(per_agent)));
        }
        // The chat quota is met, or every chat is in.
        let chats = picks.iter().filter(|p| p.channel == "chat").count();
        let all_chats = first.values().filter(|c| c.channel == "chat").count();
        prop_assert!(chats >= usize::from(quota).min(all_chats));
        // Nobody inspects their own work; an item is left only when nobody else can.
        let who = assign(&picks, &inspectors);
        for (p, w) in picks.iter().zip(&who) {
            match w {
                Some(w) => {
                    prop_assert_ne!(*w, p.agent_id);
                    prop_assert!(inspectors.contains(w));
                }
                None => prop_assert!(inspectors.iter().all(|i| *i == p.agent_id)),
            }
        }
    }
}

#[test]
fn the_draw_minute_falls_in_working_time_and_spreads_over_it() {
    use crate::calendar::Period;
    let periods = [
        Period::parse("09:00-12:00").unwrap(),
        Period::parse("13:30-18:00").unwrap(),
    ];
    let mut seen_morning = false;
    let mut seen_afternoon = false;
    for noise in 0..2000u64 {
        let m = super::draw_minute(&periods, noise.wrapping_mul(0x9E37_79B9_7F4A_7C15)).unwrap();
        assert!(periods.iter().any(|p| p.start <= m && m < p.end), "{m}");
        seen_morning |= m < 12 * 60;
        seen_afternoon |= m >= 13 * 60 + 30;
    }
    assert!(seen_morning && seen_afternoon);
    assert_eq!(super::draw_minute(&[], 42), None);
}
