use proptest::prelude::*;

use super::*;
use crate::quality::default_scorecard;
use crate::ticket::Channel;

fn channels() -> Vec<&'static str> {
    Channel::ALL.iter().map(|c| c.key()).collect()
}

fn all(card: &Scorecard, channel: &str, level: impl Fn(&Item) -> Option<u8>) -> Vec<ItemScore> {
    card.items()
        .filter(|i| i.channels.is_empty() || i.channels.iter().any(|c| c == channel))
        .map(|i| ItemScore {
            key: i.key.clone(),
            score: level(i),
        })
        .collect()
}

#[test]
fn the_shipped_scorecard_adds_up_and_cites_the_seeds() {
    let card = default_scorecard();
    assert_eq!(card.check(&channels()), Ok(()));
    assert_eq!(card.items().count(), 14);
    assert_eq!(card.items().filter(|i| i.critical).count(), 3);
    assert!(
        card.items().all(|i| i.guide.contains('（')),
        "each cites its seed"
    );
    // Full marks on the phone and by e-mail, where the tone of voice does not apply.
    for channel in ["phone", "email"] {
        let o = card
            .score(channel, &all(&card, channel, |i| Some(i.levels - 1)))
            .unwrap();
        assert_eq!((o.tenths, o.passed), (1000, true), "{channel}");
    }
}

#[test]
fn na_items_drop_out_and_a_critical_zero_fails_whatever_the_total() {
    let card = default_scorecard();
    // By e-mail, c1 half (3 levels: 1 of 2) and everything else full: 5 of 95 lost.
    let scores = all(&card, "email", |i| {
        Some(if i.key == "c1" { 1 } else { i.levels - 1 })
    });
    let o = card.score("email", &scores).unwrap();
    assert_eq!(o.tenths, 947, "90/95 = 94.74 %");
    // The same with c1 marked N/A: 85 of 85.
    let mut na = scores.clone();
    na.iter_mut().find(|s| s.key == "c1").unwrap().score = None;
    assert_eq!(card.score("email", &na).unwrap().tenths, 1000);
    // A zero on a critical item (d1, 不轻易承诺) fails at 90 points.
    let mut promise = all(&card, "phone", |i| Some(i.levels - 1));
    promise.iter_mut().find(|s| s.key == "d1").unwrap().score = Some(0);
    let o = card.score("phone", &promise).unwrap();
    assert_eq!((o.tenths, o.critical_failed, o.passed), (900, true, false));
    // Below the pass mark without a critical item: 79.
    let mut low = all(&card, "phone", |i| Some(i.levels - 1));
    for key in ["c1", "c2"] {
        low.iter_mut().find(|s| s.key == key).unwrap().score = Some(0);
    }
    low.iter_mut().find(|s| s.key == "a2").unwrap().score = Some(1);
    let o = card.score("phone", &low).unwrap();
    assert_eq!((o.tenths, o.passed), (775, false));
}

#[test]
fn scores_outside_the_scale_or_the_card_are_refused() {
    let card = default_scorecard();
    let mut s = all(&card, "phone", |i| Some(i.levels - 1));
    s.iter_mut().find(|x| x.key == "a1").unwrap().score = Some(2);
    assert_eq!(
        card.score("phone", &s),
        Err(ScorecardError::OutOfScale {
            item: "a1".into(),
            score: 2,
            max: 1
        })
    );
    let mut s = all(&card, "email", |i| Some(i.levels - 1));
    s.push(ItemScore {
        key: "b2".into(),
        score: Some(1),
    });
    assert_eq!(
        card.score("email", &s),
        Err(ScorecardError::NotApplicable("b2".into()))
    );
    let mut s = all(&card, "email", |i| Some(i.levels - 1));
    s.retain(|x| x.key != "c3");
    assert_eq!(
        card.score("email", &s),
        Err(ScorecardError::NotScored("c3".into()))
    );
    let s = vec![ItemScore {
        key: "zz".into(),
        score: None,
    }];
    assert_eq!(
        card.score("email", &s),
        Err(ScorecardError::UnknownItem("zz".into()))
    );
    let s = all(&card, "email", |_| None);
    assert_eq!(card.score("email", &s), Err(ScorecardError::NothingScored));
}

#[test]
fn a_scorecard_that_does_not_add_up_is_refused() {
    let base = default_scorecard();
    let mut c = base.clone();
    c.sections[0].items[0].weight = 6;
    assert_eq!(
        c.check(&channels()),
        Err(ScorecardError::WeightsNot100 { sum: 101 })
    );
    let mut c = base.clone();
    c.sections[1].items[0].key = "a1".into();
    assert_eq!(
        c.check(&channels()),
        Err(ScorecardError::BadKey("a1".into()))
    );
    let mut c = base.clone();
    c.sections[0].items[1].levels = 1;
    assert!(matches!(
        c.check(&channels()),
        Err(ScorecardError::BadLevels { .. })
    ));
    let mut c = base.clone();
    c.sections[0].items[0].channels = vec!["fax".into()];
    assert!(matches!(
        c.check(&channels()),
        Err(ScorecardError::UnknownChannel { .. })
    ));
    let mut c = base.clone();
    c.sections[4].items.clear();
    assert_eq!(
        c.check(&channels()),
        Err(ScorecardError::EmptySection { section: 5 })
    );
    let mut c = base.clone();
    c.pass_mark = 101;
    assert_eq!(c.check(&channels()), Err(ScorecardError::BadPassMark(101)));
    let mut c = base;
    c.sections[0].name = "  ".into();
    assert_eq!(c.check(&channels()), Err(ScorecardError::NoName));
}

/// Random scorecards: 1–12 items with weights summing to 100 and 2–11 levels.
fn scorecard() -> impl Strategy<Value = Scorecard> {
    prop::collection::vec(
        (1u8..=100, 2u8..=MAX_LEVELS, any::<bool>(), any::<bool>()),
        1..=12,
    )
    .prop_map(|raw| {
        // Weights proportional to the drawn ones, the rest on the first item.
        let total: u32 = raw.iter().map(|r| u32::from(r.0)).sum();
        let mut weights: Vec<u8> = raw
            .iter()
            .map(|r| (u32::from(r.0) * 100 / total).max(1) as u8)
            .collect();
        let sum: i32 = weights.iter().map(|w| i32::from(*w)).sum();
        let fix = 100 - sum;
        let max_i = (0..weights.len()).max_by_key(|i| weights[*i]).unwrap_or(0);
        weights[max_i] = (i32::from(weights[max_i]) + fix) as u8;
        let items = raw
            .iter()
            .zip(weights)
            .enumerate()
            .map(|(i, ((_, levels, critical, phone_only), weight))| Item {
                key: format!("k{i}"),
                name: format!("项目{i}"),
                weight,
                levels: *levels,
                critical: *critical,
                channels: if *phone_only {
                    vec!["phone".into()]
                } else {
                    Vec::new()
                },
                guide: String::new(),
            })
            .collect();
        Scorecard {
            sections: vec![Section {
                name: "节".into(),
                items,
            }],
            pass_mark: 80,
        }
    })
    .prop_filter("weights in range", |c| c.check(&channels()).is_ok())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn the_score_is_the_share_of_points_on_the_items_that_apply(
        card in scorecard(),
        picks in prop::collection::vec((any::<u8>(), 0u8..5), 12),
        phone in any::<bool>(),
    ) {
        let channel = if phone { "phone" } else { "email" };
        let scores = all(&card, channel, |i| {
            let n: usize = i.key[1..].parse().unwrap();
            let (level, na) = picks[n];
            (na != 0).then_some(level % i.levels)
        });
        match card.score(channel, &scores) {
            Ok(o) => {
                // Checked against floating point, independently of the integer sums.
                let (mut earned, mut possible, mut critical) = (0.0f64, 0.0f64, false);
                for s in &scores {
                    let item = card.items().find(|i| i.key == s.key).unwrap();
                    if let Some(level) = s.score {
                        earned += f64::from(item.weight) * f64::from(level)
                            / f64::from(item.levels - 1);
                        possible += f64::from(item.weight);
                        critical |= item.critical && level == 0;
                    }
                }
                let expected = earned / possible * 1000.0;
                prop_assert!((f64::from(o.tenths) - expected).abs() <= 0.5 + 1e-6,
                    "{} vs {expected}", o.tenths);
                prop_assert!(o.tenths <= 1000);
                prop_assert_eq!(o.critical_failed, critical);
                prop_assert_eq!(o.passed, !critical && o.tenths >= 800);
            }
            Err(ScorecardError::NothingScored) => {
                prop_assert!(scores.iter().all(|s| s.score.is_none()));
            }
            Err(e) => prop_assert!(false, "{e}"),
        }
    }
}
