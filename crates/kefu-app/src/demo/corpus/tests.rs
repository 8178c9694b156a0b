//! Tests of the corpus: determinism, variety, limits, and well-formed tables.

use std::collections::HashSet;

use fastrand::Rng;
use kefu_domain::complaint::Remedy;
use kefu_domain::kb::{self, PLACEHOLDERS};
use kefu_domain::ticket::{BODY_MAX, Channel, SUBJECT_MAX, TicketType, clean_tags};

use super::complaints::{causes_for, remedies_for};
use super::helpers::pick;
use super::openings::Opening;
use super::people::{MOBILE_PREFIXES, REGIONS};
use super::problems::{GENERIC_PROBLEMS, PROBLEMS, problem_named};
use super::*;

const ORDER: &str = "PO-2026-00817";
const AGENT: &str = "李敏";
/// The categories the demo department files its scripts under.
const SCRIPT_CATEGORIES: &[&str] = &["通用", "售后", "投诉", "订单", "物流", "财务", "咨询"];

/// An opening as the demo draws one: any topic, type and channel.
fn any_opening(rng: &mut Rng) -> Opening {
    let t = topic(rng);
    let ticket_type = *pick(rng, TicketType::ALL);
    let channel = *pick(rng, Channel::ALL);
    opening(rng, ticket_type, channel, &t, ORDER)
}

/// Every text one ticket, its conversation and its complaint would draw.
fn conversation(rng: &mut Rng) -> Vec<String> {
    let t = topic(rng);
    let ticket_type = *pick(rng, TicketType::ALL);
    let channel = *pick(rng, Channel::ALL);
    let o = opening(rng, ticket_type, channel, &t, ORDER);
    let mut texts = vec![o.subject, o.body, o.tags.join(",")];
    for stage in [
        ReplyStage::First,
        ReplyStage::Progress,
        ReplyStage::Solution,
    ] {
        texts.push(agent_reply(rng, ticket_type, &t, AGENT, stage));
    }
    texts.push(customer_reply(rng, &t, false));
    texts.push(customer_reply(rng, &t, true));
    texts.push(internal_note(rng, &t));
    let c = complaint_texts(rng, &t);
    texts.extend([
        c.content,
        c.cause.key().to_owned(),
        c.findings,
        c.remedy.key().to_owned(),
        c.proposal,
        c.cost_fen.to_string(),
        c.follow_up,
        c.summary,
        c.lessons,
        c.measure,
        c.invalid_reason,
        c.notice_answer,
    ]);
    let place = region(rng);
    texts.push(company_name(rng, place.city));
    texts.push(person_name(rng));
    texts.push(mobile(rng));
    texts.push(landline(rng, place));
    texts
}

#[test]
fn the_same_seed_gives_the_same_texts() {
    let mut a = Rng::with_seed(20_261_126);
    let mut b = Rng::with_seed(20_261_126);
    for _ in 0..500 {
        assert_eq!(conversation(&mut a), conversation(&mut b));
    }
    let mut c = Rng::with_seed(1);
    let mut d = Rng::with_seed(2);
    assert_ne!(conversation(&mut c), conversation(&mut d));
}

#[test]
fn openings_vary() {
    let mut rng = Rng::with_seed(42);
    let mut bodies = HashSet::new();
    let mut subjects = HashSet::new();
    for _ in 0..10_000 {
        let o = any_opening(&mut rng);
        bodies.insert(o.body);
        subjects.insert(o.subject);
    }
    assert!(
        bodies.len() >= 9_000,
        "only {} distinct bodies",
        bodies.len()
    );
    assert!(
        subjects.len() >= 500,
        "only {} distinct subjects",
        subjects.len()
    );
}

#[test]
fn openings_keep_to_the_limits() {
    let mut rng = Rng::with_seed(7);
    for _ in 0..10_000 {
        let o = any_opening(&mut rng);
        let subject_chars = o.subject.chars().count();
        assert!(
            (1..=SUBJECT_MAX).contains(&subject_chars),
            "{:?}",
            o.subject
        );
        assert!(!o.body.trim().is_empty() && o.body.chars().count() <= BODY_MAX);
        assert!(
            !o.subject.contains('{') && !o.body.contains('{'),
            "unfilled slot: {o:?}"
        );
        assert!((1..=3).contains(&o.tags.len()), "{:?}", o.tags);
        let distinct: HashSet<_> = o.tags.iter().collect();
        assert_eq!(distinct.len(), o.tags.len(), "{:?}", o.tags);
        for tag in &o.tags {
            assert_eq!(clean_tags(tag), Ok(vec![(*tag).to_owned()]), "tag {tag:?}");
        }
    }
}

#[test]
fn every_ticket_type_and_channel_opens() {
    let mut rng = Rng::with_seed(3);
    let t = topic(&mut rng);
    for ticket_type in TicketType::ALL {
        for channel in Channel::ALL {
            let o = opening(&mut rng, *ticket_type, *channel, &t, ORDER);
            assert!(!o.subject.is_empty() && !o.body.is_empty());
            let o = opening(&mut rng, *ticket_type, *channel, &t, "");
            assert!(!o.subject.is_empty() && !o.body.is_empty());
        }
    }
}

#[test]
fn the_catalogue_is_well_formed() {
    assert!((20..=24).contains(&PRODUCTS.len()));
    let mut codes = HashSet::new();
    for product in PRODUCTS {
        assert!((3..=6).contains(&product.parts.len()), "{}", product.name);
        assert!(
            !product.accessories.is_empty() && product.price_yuan > 0,
            "{}",
            product.name
        );
        for part in product.parts {
            assert!(
                codes.insert(part.code),
                "part code {} is used twice",
                part.code
            );
            assert!(!part.problems.is_empty(), "{}", part.code);
            for name in part.problems {
                assert!(
                    PROBLEMS.iter().any(|p| p.name == *name),
                    "unknown problem {name}"
                );
            }
        }
    }
    let mut names = HashSet::new();
    for problem in PROBLEMS {
        assert!(
            names.insert(problem.name),
            "problem {} is listed twice",
            problem.name
        );
        assert!(problem.wordings.len() >= 3, "{}", problem.name);
        assert!(!problem.name.contains([' ', ',', '，']));
    }
    for name in GENERIC_PROBLEMS {
        assert!(names.contains(name), "unknown problem {name}");
    }
}

#[test]
fn topics_fit_their_product() {
    let mut rng = Rng::with_seed(11);
    let mut seen = HashSet::new();
    for _ in 0..10_000 {
        let t = topic(&mut rng);
        assert!(t.product.parts.iter().any(|p| p.code == t.part.code));
        assert!(t.part.problems.contains(&t.problem) || GENERIC_PROBLEMS.contains(&t.problem));
        assert_eq!(t.category, problem_named(t.problem).category);
        seen.insert(t.category);
    }
    assert!(seen.len() >= 5, "categories seen: {seen:?}");
}

#[test]
fn replies_and_notes_are_complete() {
    let mut rng = Rng::with_seed(5);
    let mut signed = 0;
    for _ in 0..3_000 {
        let t = topic(&mut rng);
        let ticket_type = *pick(&mut rng, TicketType::ALL);
        for stage in [
            ReplyStage::First,
            ReplyStage::Progress,
            ReplyStage::Solution,
        ] {
            let reply = agent_reply(&mut rng, ticket_type, &t, AGENT, stage);
            assert!(!reply.is_empty() && !reply.contains('{'), "{reply}");
            signed += usize::from(reply.contains(AGENT));
        }
        assert!(!agent_reply(&mut rng, ticket_type, &t, "", ReplyStage::First).contains("{客服}"));
        for satisfied in [true, false] {
            let answer = customer_reply(&mut rng, &t, satisfied);
            assert!(!answer.is_empty() && !answer.contains('{'), "{answer}");
        }
        let note = internal_note(&mut rng, &t);
        assert!(!note.is_empty() && !note.contains('{'), "{note}");
    }
    assert!(signed > 500, "agents sign too rarely: {signed}");
}

#[test]
fn complaint_texts_fit_the_topic() {
    let mut rng = Rng::with_seed(13);
    for _ in 0..3_000 {
        let t = topic(&mut rng);
        let c = complaint_texts(&mut rng, &t);
        assert!(
            causes_for(t.category)
                .iter()
                .any(|(cause, _)| *cause == c.cause)
        );
        assert!(
            remedies_for(t.category, c.cause)
                .iter()
                .any(|(remedy, _)| *remedy == c.remedy)
        );
        if c.remedy == Remedy::Apologise {
            assert_eq!(c.cost_fen, 0);
        } else {
            assert!(c.cost_fen > 0, "{c:?}");
        }
        assert!(c.cost_fen <= i64::from(t.product.price_yuan) * 100);
        for text in [
            &c.content,
            &c.findings,
            &c.proposal,
            &c.follow_up,
            &c.summary,
            &c.lessons,
            &c.measure,
            &c.invalid_reason,
            &c.notice_answer,
        ] {
            assert!(!text.is_empty() && !text.contains('{'), "{text}");
        }
    }
}

#[test]
fn company_names_vary() {
    let mut rng = Rng::with_seed(17);
    let names: HashSet<String> = (0..10_000)
        .map(|_| company_name(&mut rng, "杭州市"))
        .collect();
    assert!(names.len() >= 9_500, "only {} distinct names", names.len());
    assert!(
        names
            .iter()
            .all(|n| n.contains("杭州") && !n.contains("杭州市"))
    );
}

#[test]
fn people_and_places_look_real() {
    let mut rng = Rng::with_seed(19);
    for _ in 0..10_000 {
        let m = mobile(&mut rng);
        assert_eq!(m.len(), 11, "{m}");
        assert!(
            m.starts_with('1') && m.bytes().all(|b| b.is_ascii_digit()),
            "{m}"
        );
        assert!(MOBILE_PREFIXES.contains(&&m[..3]), "{m}");
        let place = region(&mut rng);
        let phone = landline(&mut rng, place);
        let (code, number) = phone.split_once('-').unwrap_or_default();
        assert_eq!(code, place.area_code);
        assert!(
            number.len() == 8 && number.bytes().all(|b| b.is_ascii_digit()),
            "{phone}"
        );
        let name = person_name(&mut rng);
        assert!((2..=4).contains(&name.chars().count()), "{name}");
        assert!(!industry(&mut rng).is_empty() && !job_title(&mut rng).is_empty());
    }
    let cities: HashSet<_> = REGIONS.iter().map(|(r, _)| r.city).collect();
    let provinces: HashSet<_> = REGIONS.iter().map(|(r, _)| r.province).collect();
    assert!(cities.len() >= 60 && provinces.len() >= 30);
    for (r, _) in REGIONS {
        assert!(r.area_code.starts_with('0') && (3..=4).contains(&r.area_code.len()));
    }
}

#[test]
fn scripts_are_complete() {
    assert!((20..=30).contains(&SCRIPTS.len()));
    let mut titles = HashSet::new();
    for (category, title, body) in SCRIPTS {
        assert!(
            SCRIPT_CATEGORIES.contains(category),
            "unknown category {category}"
        );
        assert!(titles.insert(*title), "title {title} is used twice");
        assert!(!body.trim().is_empty());
        assert_eq!(kb::check(category, title, body), Ok(()));
        // Every slot is a known placeholder, in English or Chinese.
        let mut rest = *body;
        while let Some(start) = rest.find('{') {
            let after = &rest[start + 1..];
            let end = after.find('}').unwrap_or(after.len());
            let name = &after[..end];
            assert!(
                PLACEHOLDERS
                    .iter()
                    .any(|(en, zh)| *en == name || *zh == name),
                "unknown placeholder {name} in {title}"
            );
            rest = &after[end.min(after.len())..];
        }
    }
}
