//! 每日不定时抽检 — the day's sample is drawn once, at a minute inside the working hours
//! nobody is told, by the rules: every complaint, N random tickets per agent; the items
//! are spread over the quality specialists and never given to the one whose work it is;
//! the stored rules and seed draw the same sample again; a weekend folds into Monday's.

use std::collections::BTreeSet;
use std::sync::Arc;

use jiff::Timestamp;
use kefu_domain::quality::sample::{self, Candidate, SampleRules, SourceKind};
use kefu_domain::{FixedClock, Role};
use kefu_testkit::{ApiClient, TestApp, TestOptions, json_body};
use reqwest::Method;
use serde_json::{Value, json};

use super::resolved_ticket;

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn ticket_candidate(id: i64, agent: i64, complaint: bool) -> Candidate {
    Candidate {
        kind: SourceKind::Ticket,
        id,
        agent_id: agent,
        channel: "api".to_owned(),
        complaint,
        low_csat: false,
        sla_breached: false,
        call_seconds: None,
        unverified: false,
    }
}

#[tokio::test]
async fn the_daily_sample_is_drawn_once_by_rule_and_replays_from_its_seed() {
    // Wednesday 2026-12-02 08:00 in Beijing, before the working hours.
    let clock = Arc::new(FixedClock::new(at("2026-12-02T00:00:00Z")));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock.clone()),
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    // Without its worker: the rounds below run by hand on both instances, and a background
    // round must not draw a day first.
    let peer = app.spawn_quiet_peer().await;
    let q1 = app
        .create_user("zhi.jian.yi", &[Role::QualitySpecialist])
        .await;
    let q2 = app
        .create_user("zhi.jian.er", &[Role::QualitySpecialist])
        .await;
    let a1 = app.create_user("ke.fu.yi", &[Role::Agent]).await;
    let a2 = app.create_user("ke.fu.er", &[Role::Agent]).await;
    let manager_id = app.create_user("jing.li", &[Role::CsManager]).await;
    let manager = ApiClient::new(&app, &app.token_for(manager_id).await);
    let api1 = ApiClient::new(&app, &app.token_for(a1).await);
    let api2 = ApiClient::new(&app, &app.token_for(a2).await);
    let apiq1 = ApiClient::new(&app, &app.token_for(q1).await);

    let mut a1_tickets = Vec::new();
    for n in 0..3 {
        a1_tickets.push(
            resolved_ticket(
                &api1,
                a1,
                &format!("洗衣机异响 {n}"),
                "已为您登记上门维修。",
            )
            .await,
        );
    }
    let a2_ticket = resolved_ticket(&api2, a2, "冰箱不制冷", "已安排师傅明天上门。").await;
    // The quality specialist answered a ticket too: never their own to inspect.
    let q1_ticket = resolved_ticket(&apiq1, q1, "咨询保修期", "整机保修一年。").await;
    // A complaint on a2's work: taken whole.
    let customer = json_body(
        manager
            .json(
                Method::POST,
                "/api/v1/customers",
                &json!({"name": "宁波恒达机电有限公司", "contacts": [{"name": "周经理", "mobile": "13912345678"}]}),
            )
            .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let complained = resolved_ticket(&api2, a2, "轴承外圈开裂", "我们会尽快处理。").await;
    let res = manager
        .json(
            Method::POST,
            "/api/v1/complaints",
            &json!({"ticket_id": complained, "customer_id": customer, "complainant": "周经理",
                    "content": "30 个轴承外圈开裂。", "category": "quality", "severity": "serious"}),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());

    // Before the working hours: nothing is drawn.
    clock.set(at("2026-12-02T00:30:00Z"));
    assert!(app.app.run_quality_sample().await.unwrap().is_none());
    assert_eq!(
        super::count(&app, "SELECT COUNT(*) FROM quality_samples").await,
        0
    );

    // Somewhere in the working hours the job draws it, once, whichever instance runs.
    // 09:00 to 18:00 Beijing, by steps of five minutes as the job runs (the last step, at
    // 18:00, is past any minute of the day).
    let mut drawn_at = None;
    let mut minute = at("2026-12-02T01:00:00Z");
    while minute <= at("2026-12-02T10:00:00Z") {
        clock.set(minute);
        let (a, b) = tokio::join!(app.app.run_quality_sample(), peer.app.run_quality_sample());
        let drawn = [a.unwrap(), b.unwrap()];
        let n = drawn.iter().flatten().count();
        assert!(n <= 1, "one instance draws it");
        if n == 1 {
            drawn_at = Some(minute);
            break;
        }
        minute += jiff::SignedDuration::from_mins(5);
    }
    let drawn_at = drawn_at.expect("drawn in the working hours");
    let local = drawn_at.to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap());
    let m = i32::from(local.hour()) * 60 + i32::from(local.minute());
    assert!(
        (9 * 60..12 * 60).contains(&m) || (13 * 60 + 30..18 * 60 + 5).contains(&m),
        "drawn at {local} (working hours; the lunch break excluded)"
    );
    assert!(
        app.app.run_quality_sample().await.unwrap().is_none(),
        "once a day"
    );
    let res = apiq1
        .request(Method::POST, "/api/v1/quality/samples")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
    assert_eq!(
        json_body(res).await["error"]["code"],
        "quality_sample_drawn"
    );

    let samples = json_body(apiq1.get("/api/v1/quality/samples").await).await;
    assert_eq!(samples.as_array().unwrap().len(), 1, "{samples}");
    let s = &samples[0];
    assert_eq!(s["date"], "2026-12-02");
    assert_eq!(s["drawn_by"], Value::Null, "the job drew it");
    assert_eq!(s["candidates"], 6);
    let list = json_body(apiq1.get("/api/v1/quality/inspections?scope=all").await).await;
    let list = list.as_array().unwrap();
    let drawn: BTreeSet<(i64, String)> = list
        .iter()
        .map(|i| {
            (
                i["source_id"].as_i64().unwrap(),
                i["rule"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    // Every complaint; two of a1's three; a2's one other ticket; q1's one.
    assert!(
        drawn.contains(&(complained, "complaint".to_owned())),
        "{drawn:?}"
    );
    assert!(drawn.contains(&(a2_ticket, "per_agent".to_owned())));
    assert!(drawn.contains(&(q1_ticket, "per_agent".to_owned())));
    let of_a1 = drawn
        .iter()
        .filter(|(id, _)| a1_tickets.contains(id))
        .count();
    assert_eq!(of_a1, 2, "two per agent");
    assert_eq!(list.len(), 5);

    // Spread over the two specialists, never to the one whose work it is.
    let by = |q: i64| list.iter().filter(|i| i["inspector_id"] == q).count();
    assert!(by(q1).abs_diff(by(q2)) <= 1, "{} and {}", by(q1), by(q2));
    for i in list {
        assert_ne!(i["inspector_id"], i["agent_id"], "{i}");
        assert_eq!(i["status"], "assigned");
    }
    let q1_item = list.iter().find(|i| i["source_id"] == q1_ticket).unwrap();
    assert_eq!(q1_item["inspector_id"], q2);
    assert_eq!(app.notified("quality_assigned", Some(q1)).await, 1);
    assert_eq!(app.notified("quality_assigned", Some(q2)).await, 1);

    // The stored rules and seed draw the same sample from the same candidates.
    let rules: SampleRules = serde_json::from_value(s["rules"].clone()).unwrap();
    let seed: u64 = s["seed"].as_str().unwrap().parse().unwrap();
    let mut candidates: Vec<Candidate> = a1_tickets
        .iter()
        .map(|t| ticket_candidate(*t, a1, false))
        .collect();
    candidates.push(ticket_candidate(a2_ticket, a2, false));
    candidates.push(ticket_candidate(q1_ticket, q1, false));
    candidates.push(ticket_candidate(complained, a2, true));
    let again: BTreeSet<(i64, String)> = sample::draw(&rules, seed, &candidates)
        .into_iter()
        .map(|p| (p.id, p.rule.key().to_owned()))
        .collect();
    assert_eq!(again, drawn, "the sample replays from its seed");

    // Saturday: no sample; its work folds into Monday's.
    clock.set(at("2026-12-05T03:00:00Z"));
    let saturday = resolved_ticket(&api2, a2, "周六来电咨询", "已为您查询物流。").await;
    clock.set(at("2026-12-05T09:55:00Z"));
    assert!(
        app.app.run_quality_sample().await.unwrap().is_none(),
        "no sample on Saturday"
    );
    // Monday evening, after the working hours: whatever its minute, the sample is due.
    clock.set(at("2026-12-07T10:30:00Z"));
    let monday = app
        .app
        .run_quality_sample()
        .await
        .unwrap()
        .expect("Monday's sample");
    assert_eq!(monday.date.to_string(), "2026-12-07");
    let samples = json_body(apiq1.get("/api/v1/quality/samples").await).await;
    assert_eq!(samples[0]["date"], "2026-12-07");
    assert_eq!(
        samples[0]["covers_from"], samples[1]["covers_to"],
        "Monday's sample starts where Wednesday's stopped"
    );
    assert_eq!(samples[0]["candidates"], 1);
    let mon = json_body(apiq1.get("/api/v1/quality/inspections?scope=all").await).await;
    assert!(
        mon.as_array()
            .unwrap()
            .iter()
            .any(|i| i["source_id"] == saturday)
    );

    // An agent sees no sample, and nothing of the inspections before they are scored.
    assert_eq!(api1.get("/api/v1/quality/samples").await.status(), 403);
    let mine = json_body(api1.get("/api/v1/quality/inspections?scope=mine").await).await;
    assert_eq!(mine, json!([]));
    let id = list.iter().find(|i| i["agent_id"] == a1).unwrap()["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        api1.get(&format!("/api/v1/quality/inspections/{id}"))
            .await
            .status(),
        404
    );
    peer.stop().await;
    app.stop().await;
}
