//! The demo company: loaded into a fresh database, it reads as real work on every page and
//! API — queues, tickets with conversations, SLA met and missed, complaints in every stage,
//! the statistics report, customers, search — and kefu goes on working on top of it.
//!
//! The demo fills a database nobody works on yet (`kefu demo`, or `kefu serve --demo`
//! before its job worker starts), so these servers run no worker during the load: the
//! follow-up planner would plan this period's visits while the demo writes them.

use std::collections::{BTreeSet, HashSet};
use std::time::{Duration, Instant};

use kefu_app::Actor;
use kefu_app::demo::{DemoError, DemoPlan};
use kefu_domain::complaint::Stage;
use kefu_testkit::{ApiClient, TestApp, TestOptions, json_body};
use reqwest::Method;
use serde_json::{Value, json};

pub(super) const DEMO_PASSWORD: &str = "演示密码-demo-2026";

fn plan(tickets: &str, seed: u64) -> DemoPlan {
    let mut plan = DemoPlan::for_scale(tickets, seed).unwrap();
    plan.password = Some(DEMO_PASSWORD.into());
    plan
}

/// A server on a clock stopped at `at` with no worker (as `kefu serve --demo` loads the
/// company before any job runs), the demo company of `tickets` with `seed` loaded, and the
/// manager's API client.
pub(super) async fn loaded_at(at: &str, tickets: &str, seed: u64) -> (TestApp, ApiClient) {
    let at: jiff::Timestamp = at.parse().unwrap();
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(std::sync::Arc::new(kefu_domain::FixedClock::new(at))),
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    app.app
        .load_demo(&plan(tickets, seed), &|_, _, _| {})
        .await
        .unwrap();
    let manager_id = app
        .app
        .get_user_by_username(&Actor::system(), "manager")
        .await
        .unwrap()
        .id;
    let api = ApiClient::new(&app, &app.token_for(manager_id).await);
    (app, api)
}

/// Every ticket of the `all` queue, oldest first.
async fn all_tickets(api: &ApiClient) -> Vec<Value> {
    let mut out = Vec::new();
    let mut after = String::new();
    loop {
        let path = format!("/api/v1/tickets?queue=all&sort=created&dir=asc&limit=200{after}");
        let page = json_body(api.get(&path).await).await;
        let tickets = page["tickets"].as_array();
        out.extend(
            tickets
                .unwrap_or_else(|| panic!("{path}: {page}"))
                .iter()
                .cloned(),
        );
        match page["next"].as_str() {
            Some(next) => after = format!("&after={next}"),
            None => return out,
        }
    }
}

/// Every complaint, open and ended.
async fn complaints(api: &ApiClient) -> Vec<Value> {
    let mut out = Vec::new();
    for open in [true, false] {
        let list = json_body(
            api.get(&format!("/api/v1/complaints?open={open}&limit=1000"))
                .await,
        )
        .await;
        out.extend(list.as_array().unwrap().iter().cloned());
    }
    out
}

fn distinct(tickets: &[Value], field: &str) -> BTreeSet<String> {
    tickets
        .iter()
        .filter_map(|t| t[field].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn the_demo_company_reads_as_real_work_everywhere() {
    // A Wednesday morning in Beijing: the demo is cut where "now" falls; a fixed instant
    // makes the company the same every run.
    let at: jiff::Timestamp = "2026-11-25T02:00:00Z".parse().unwrap();
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(std::sync::Arc::new(kefu_domain::FixedClock::new(at))),
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    let report = app
        .app
        .load_demo(&plan("1500", 7), &|_, _, _| {})
        .await
        .unwrap();
    assert_eq!(report.tickets, 1500);
    assert_eq!(report.customers, 200);
    assert!(report.staff >= 30, "{report:?}");
    assert!(
        report.complaints > 60,
        "about one ticket in ten: {report:?}"
    );
    assert!(
        report.messages > 3 * 1500,
        "conversations, not one line: {report:?}"
    );

    // Tickets still open past a deadline were escalated when it passed, as the SLA job does:
    // a server started on the demo has no months of backlog to escalate at once.
    let (_, escalated) = app.app.run_sla_check().await.unwrap();
    assert_eq!(escalated, 0, "the demo left deadlines unescalated");

    // The department signs in with the demo password and sees the work.
    let manager = app.login("manager", DEMO_PASSWORD).await;
    let queue = manager.get("/tickets?queue=all").await;
    assert_eq!(queue.status(), 200);
    assert!(queue.text().await.unwrap().contains("KF"));
    let manager_id = app
        .app
        .get_user_by_username(&Actor::system(), "manager")
        .await
        .unwrap()
        .id;
    let api = ApiClient::new(&app, &app.token_for(manager_id).await);

    let tickets = all_tickets(&api).await;
    // The tickets asked for, and the order issues its short deliveries opened.
    assert!((1500..1530).contains(&tickets.len()), "{}", tickets.len());
    let numbers: HashSet<&str> = tickets
        .iter()
        .map(|t| t["number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers.len(), tickets.len(), "ticket numbers are unique");
    assert!(numbers.iter().all(|n| n.len() == 15 && n.starts_with("KF")));
    assert_eq!(distinct(&tickets, "type").len(), 6, "every type");
    assert!(distinct(&tickets, "channel").len() >= 8, "every channel");
    let categories = distinct(&tickets, "status_category");
    for c in ["new", "open", "pending_customer", "resolved", "closed"] {
        assert!(categories.contains(c), "a {c} ticket among {categories:?}");
    }
    let met = |field: &str, v: bool| tickets.iter().filter(|t| t["sla"][field] == v).count();
    assert!(met("first_response_met", true) > met("first_response_met", false));
    assert!(
        met("first_response_met", false) > 0,
        "some first answers came late"
    );
    assert!(met("resolution_met", true) > 0 && met("resolution_met", false) > 0);
    assert!(
        tickets.iter().all(|t| t["customer_name"].is_string()),
        "every ticket belongs to a customer of the archive"
    );
    let subjects = distinct(&tickets, "subject");
    assert!(subjects.len() > 1000, "varied subjects: {}", subjects.len());

    // A closed ticket has its conversation and its history.
    let closed = tickets
        .iter()
        .find(|t| t["status_category"] == "closed")
        .unwrap();
    let detail = json_body(api.get(&format!("/api/v1/tickets/{}", closed["id"])).await).await;
    let messages = detail["messages"].as_array().unwrap();
    assert!(messages.len() >= 2, "{detail}");
    assert_eq!(messages[0]["author_kind"], "customer");
    assert!(messages.iter().any(|m| m["author_kind"] == "staff"));
    let fields: Vec<&str> = detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields.first(), Some(&"created"));
    assert!(fields.contains(&"status"));
    let breached = tickets.iter().find(|t| {
        t["status_category"] == "open"
            && t["sla"]["next_due_at"].as_str() < Some(&app.now().to_string())
    });
    if let Some(b) = breached {
        let d = json_body(api.get(&format!("/api/v1/tickets/{}", b["id"])).await).await;
        let fields: Vec<&str> = d["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert!(fields.contains(&"sla_breach"), "{fields:?}");
    }
    let page = manager
        .get(&format!("/tickets/{}", closed["id"]))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(closed["subject"].as_str().unwrap()));

    // Complaints stand in every stage of the loop, and some were judged not valid.
    let stages: BTreeSet<String> = complaints(&api)
        .await
        .iter()
        .map(|c| c["stage"].as_str().unwrap().to_owned())
        .collect();
    for s in Stage::PATH.iter().map(|s| s.key()).chain(["invalid"]) {
        assert!(stages.contains(s), "a complaint at {s} among {stages:?}");
    }
    let from = (app.now() - jiff::SignedDuration::from_hours(200 * 24))
        .to_string()
        .get(..10)
        .unwrap()
        .to_owned();
    let to = (app.now() + jiff::SignedDuration::from_hours(48))
        .to_string()
        .get(..10)
        .unwrap()
        .to_owned();
    let stats = json_body(
        api.get(&format!(
            "/api/v1/complaints/stats?by=category&from={from}&to={to}"
        ))
        .await,
    )
    .await;
    assert_eq!(
        stats["totals"]["count"],
        json!(report.complaints),
        "{stats}"
    );
    assert!(stats["totals"]["invalid"].as_i64().unwrap() > 0);

    // The archive: customers of every tier, found by the search box.
    let customers = json_body(api.get("/api/v1/customers?limit=200").await).await;
    let list = customers.as_array().unwrap();
    let tiers: BTreeSet<&str> = list.iter().filter_map(|c| c["tier"].as_str()).collect();
    assert_eq!(tiers.len(), 3, "{tiers:?}");
    let name = list[0]["name"].as_str().unwrap().to_owned();
    let id = list[0]["id"].as_i64().unwrap();
    let t0 = Instant::now();
    loop {
        let path = format!("/api/v1/search?q={}", kefu_web::auth::urlencode(&name));
        let hits = json_body(api.get(&path).await).await;
        let found = hits
            .as_array()
            .is_some_and(|a| a.iter().any(|h| h["kind"] == "customer" && h["id"] == id));
        if found {
            break;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(10),
            "customer {name} not found: {hits}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Work goes on on top of the demo: a new ticket gets the next id and a fresh number.
    let created = json_body(
        api.json(
            Method::POST,
            "/api/v1/tickets",
            &json!({"subject": "演示之后的新工单", "body": "空调外机噪音很大", "contact_name": "周女士"}),
        )
        .await,
    )
    .await;
    assert!(created["id"].as_i64().unwrap() > 1500, "{created}");
    assert!(!numbers.contains(created["number"].as_str().unwrap()));

    // A second load is refused and writes nothing.
    let again = app.app.load_demo(&plan("300", 8), &|_, _, _| {}).await;
    assert!(matches!(again, Err(DemoError::NotFresh)), "{again:?}");
    assert_eq!(all_tickets(&api).await.len(), tickets.len() + 1);
    app.stop().await;
}

#[tokio::test]
async fn complaints_stand_in_every_stage_whatever_the_hour() {
    // Stories are cut where "now" falls: a Friday evening, a Sunday night and a Monday just
    // after midnight in Beijing leave different complaints in flight in a small company.
    for at in [
        "2026-11-27T11:30:00Z",
        "2026-11-29T14:00:00Z",
        "2026-11-29T16:05:00Z",
    ] {
        let now: jiff::Timestamp = at.parse().unwrap();
        // As `kefu serve --demo` does, the company is loaded before any job runs: the
        // follow-up planner would otherwise plan this period's visits while the demo writes
        // them.
        let (app, api) = loaded_at(at, "300", 11).await;
        let all = complaints(&api).await;
        let stages: BTreeSet<&str> = all.iter().map(|c| c["stage"].as_str().unwrap()).collect();
        for s in Stage::PATH.map(|s| s.key()) {
            assert!(
                stages.contains(s),
                "{at}: a complaint at {s} among {stages:?}"
            );
        }
        // Every story, held or not, is told in order and ends before now.
        for c in &all {
            let detail = json_body(api.get(&format!("/api/v1/complaints/{}", c["id"])).await).await;
            let times: Vec<jiff::Timestamp> = detail["steps"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["at"].as_str().unwrap().parse().unwrap())
                .collect();
            assert!(times.windows(2).all(|w| w[0] <= w[1]), "{at}: {detail}");
            assert!(times.iter().all(|t| *t <= now), "{at}: {detail}");
            let last = detail["steps"].as_array().unwrap().last().unwrap();
            assert_eq!(last["to_stage"], c["stage"], "{at}: {detail}");
        }
        app.stop().await;
    }
}

#[tokio::test]
async fn the_same_seed_builds_the_same_company() {
    let subjects = |tickets: Vec<Value>| -> Vec<String> {
        tickets
            .iter()
            .map(|t| t["subject"].as_str().unwrap().to_owned())
            .collect()
    };
    let mut runs = Vec::new();
    for seed in [42, 42, 43] {
        let app = TestApp::spawn_with(TestOptions {
            without_worker: true,
            ..TestOptions::default()
        })
        .await;
        app.app
            .load_demo(&plan("300", seed), &|_, _, _| {})
            .await
            .unwrap();
        let id = app
            .app
            .get_user_by_username(&Actor::system(), "agent01")
            .await
            .unwrap()
            .id;
        let api = ApiClient::new(&app, &app.token_for(id).await);
        runs.push(subjects(all_tickets(&api).await));
        app.stop().await;
    }
    // The tickets asked for, and the order issues of short deliveries.
    assert!((300..320).contains(&runs[0].len()), "{}", runs[0].len());
    assert_eq!(runs[0], runs[1], "same seed, same tickets");
    assert_ne!(runs[0], runs[2], "another seed, another company");
}

#[tokio::test]
async fn the_demo_customers_last_contact_is_never_older_than_their_tickets() {
    let at: jiff::Timestamp = "2026-11-25T02:00:00Z".parse().unwrap();
    let clock = std::sync::Arc::new(kefu_domain::FixedClock::new(at));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock.clone()),
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    let report = app
        .app
        .load_demo(&plan("600", 5), &|_, _, _| {})
        .await
        .unwrap();
    let system = Actor::system();
    let mut answered = None;
    for id in 1..=report.customers as i64 {
        // What the 360 page shows: 最近联系 beside the customer's tickets.
        let v = app.app.customer_view(&system, id).await.unwrap();
        let tickets: Vec<_> = v.timeline.iter().filter(|e| e.kind == "ticket").collect();
        let Some(newest) = tickets.iter().map(|e| e.at).max() else {
            continue;
        };
        assert!(
            v.customer.last_contact_at.is_some_and(|c| c >= newest),
            "customer {id}: last contact {:?} older than its newest ticket {newest}",
            v.customer.last_contact_at
        );
        if answered.is_none() {
            answered = tickets[0]
                .link
                .as_deref()
                .and_then(|l| l.strip_prefix("/tickets/"))
                .and_then(|t| t.parse::<i64>().ok())
                .map(|t| (id, t));
        }
    }

    // Work goes on: an answer to one of the customer's tickets moves its last contact on.
    let (customer, ticket) = answered.expect("a customer with tickets");
    clock.advance(jiff::SignedDuration::from_mins(5));
    app.app
        .reply(
            &system,
            ticket,
            &kefu_app::ticket::Reply {
                body: "您好，工程师已出发，预计下午两点前到达。".into(),
                visibility: kefu_app::ticket::Visibility::Public,
                status: None,
            },
        )
        .await
        .unwrap();
    let v = app.app.customer_view(&system, customer).await.unwrap();
    assert_eq!(v.customer.last_contact_at, Some(app.now()));
    app.stop().await;
}

/// 回访与满意度 in the demo: the key customers were visited, tickets rated, the key
/// accounts surveyed, met by the manager and planned for, so every page of that work shows
/// real figures — and the jobs that run when a server starts on it find nothing piled up.
#[tokio::test]
async fn the_demo_company_cares_for_its_key_customers() {
    let (app, api) = loaded_at("2026-11-25T02:00:00Z", "4000", 11).await;

    // Ticket ratings and the relationship survey, in the satisfaction report.
    let report = json_body(
        api.get("/api/v1/satisfaction/report?from=2026-09&to=2026-11")
            .await,
    )
    .await;
    let csat = &report["csat_total"];
    let (sent, answered) = (
        csat["sent"].as_i64().unwrap(),
        csat["answered"].as_i64().unwrap(),
    );
    assert!(
        sent > 100 && answered > sent / 5 && answered < sent,
        "{csat}"
    );
    let average = csat["average_tenths"].as_i64().unwrap();
    assert!(
        (30..=48).contains(&average),
        "mostly content, not all: {csat}"
    );
    assert!(csat["low"].as_i64().unwrap() > 0, "some low scores: {csat}");
    let nps = &report["nps_total"];
    assert!(nps["answered"].as_i64().unwrap() > 0, "{nps}");
    assert!(
        nps["promoters"].as_i64().unwrap() > nps["detractors"].as_i64().unwrap(),
        "{nps}"
    );
    assert!(
        !report["said"].as_array().unwrap().is_empty(),
        "comments to read"
    );

    // Last month's coverage of the key accounts: visits done, with results.
    let coverage = json_body(
        api.get("/api/v1/follow-ups/coverage?period=2026-10&tier=key_account")
            .await,
    )
    .await;
    let (in_scope, covered) = (
        coverage["in_scope"].as_i64().unwrap(),
        coverage["covered"].as_i64().unwrap(),
    );
    assert!(in_scope > 0 && covered > in_scope / 2, "{coverage}");

    // The key accounts: visited by the manager, rated, planned for, with policies.
    let accounts = json_body(api.get("/api/v1/key-accounts").await).await;
    let accounts = accounts.as_array().unwrap();
    assert!(accounts.iter().any(|a| a["last_score"].is_i64()));
    let planned: Vec<&Value> = accounts.iter().filter(|a| a["stage"].is_string()).collect();
    assert!(!planned.is_empty(), "service plans");
    let with_plan = planned[0]["customer_id"].as_i64().unwrap();
    let plan = json_body(
        api.get(&format!("/api/v1/key-accounts/{with_plan}/plan"))
            .await,
    )
    .await;
    assert!(
        !plan["plan"]["goals"].as_array().unwrap().is_empty(),
        "{plan}"
    );
    let waiting = json_body(api.get("/api/v1/key-account-policies").await).await;
    assert!(
        !waiting.as_array().unwrap().is_empty(),
        "a policy to approve"
    );

    // Every page of the work opens on it.
    let manager = app.login("manager", DEMO_PASSWORD).await;
    for page in [
        "/follow-ups?scope=all".to_owned(),
        "/follow-ups/coverage?period=2026-10&tier=key_account".to_owned(),
        "/satisfaction".to_owned(),
        "/satisfaction/report".to_owned(),
        "/satisfaction/relationship".to_owned(),
        "/key-accounts".to_owned(),
        "/key-accounts/visits".to_owned(),
        "/key-accounts/policies".to_owned(),
        format!("/key-accounts/{with_plan}"),
    ] {
        let res = manager.get(&page).await;
        assert_eq!(res.status(), 200, "{page}");
    }

    // Started on it, the jobs find nothing piled up to send at once.
    assert_eq!(app.app.remind_plan_reviews().await.unwrap(), 0);
    let run = app.app.send_relationship_surveys().await.unwrap();
    assert_eq!(run.invited, 0, "this round was sent: {run:?}");
    let planned = app.app.run_follow_up_plan().await.unwrap();
    let created: i64 = planned.rules.iter().map(|r| r.created).sum();
    assert!(created < 50, "this period's visits were planned: {created}");
}

#[tokio::test]
async fn the_demo_quality_specialists_have_two_weeks_of_work_behind_them() {
    // Wednesday 2026-11-25 10:00 in Beijing: this morning's report is made.
    let (app, api) = loaded_at("2026-11-25T02:00:00Z", "3000", 5).await;

    // A daily report for each of the last business days, this morning's (of yesterday)
    // the newest.
    let reports = json_body(api.get("/api/v1/quality/reports").await).await;
    let dates: Vec<&str> = reports
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["date"].as_str().unwrap())
        .collect();
    assert_eq!(dates.first(), Some(&"2026-11-24"), "{dates:?}");
    assert!(dates.len() >= 10, "{dates:?}");
    let scored: i64 = reports
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["figures"]["inspections"].as_i64().unwrap())
        .sum();
    assert!(scored > 0, "inspections scored in the reports' days");

    // Results scored, most passed, some failed, one appeal upheld; nothing left unscored.
    let all = json_body(api.get("/api/v1/quality/inspections?scope=all").await).await;
    let all = all.as_array().unwrap();
    let status = |s: &str| all.iter().filter(|i| i["status"] == s).count();
    assert_eq!(status("assigned"), 0, "every day's sample scored");
    assert_eq!(status("upheld"), 1, "one appeal, upheld");
    assert!(status("acknowledged") > 0);
    let failed = all.iter().filter(|i| i["passed"] == false).count();
    assert!(
        failed > 0 && failed * 3 < all.len(),
        "{failed} of {}",
        all.len()
    );

    // Anomalies in every state; measures planned, done, verified; one calibration round
    // with the inspectors' agreement; the last meeting.
    let anomalies = json_body(api.get("/api/v1/quality/anomalies").await).await;
    let states: BTreeSet<&str> = anomalies
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status"].as_str().unwrap())
        .collect();
    assert!(
        states.contains("open") && states.contains("investigated"),
        "{states:?}"
    );
    let measures = json_body(api.get("/api/v1/quality/measures?scope=all").await).await;
    let measure_states: BTreeSet<&str> = measures
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["status"].as_str().unwrap())
        .collect();
    assert!(
        measure_states.contains("done") || measure_states.contains("effective"),
        "{measure_states:?}"
    );
    let calibrations = json_body(api.get("/api/v1/quality/calibrations").await).await;
    let overall = &calibrations["overall"];
    assert!(overall["rounds"].as_i64().unwrap() > 0, "{calibrations}");
    let agreement = overall["item_permille"].as_i64().unwrap();
    assert!((600..=1000).contains(&agreement), "{overall}");
    let meetings = json_body(api.get("/api/v1/quality/meetings").await).await;
    assert_eq!(meetings.as_array().unwrap().len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn the_demo_after_sales_department_has_a_month_of_returns_and_repairs() {
    // Monday 2026-12-07 10:00 in Beijing.
    let (app, api) = loaded_at("2026-12-07T02:00:00Z", "3000", 7).await;
    let products = json_body(api.get("/api/v1/catalogue/products?limit=200").await).await;
    assert_eq!(products.as_array().unwrap().len(), 11);
    let points = json_body(api.get("/api/v1/aftersales/points").await).await;
    assert_eq!(points.as_array().unwrap().len(), 6);
    let policies = json_body(api.get("/api/v1/aftersales/policies").await).await;
    assert_eq!(
        policies.as_array().unwrap().len(),
        2,
        "the company's and the TVs'"
    );

    let rmas = json_body(api.get("/api/v1/aftersales/rmas?view=all&limit=200").await).await;
    let rmas = rmas.as_array().unwrap();
    assert!(rmas.len() >= 24, "{}", rmas.len());
    let states: BTreeSet<&str> = rmas.iter().map(|r| r["state"].as_str().unwrap()).collect();
    for s in ["closed", "awaiting_goods"] {
        assert!(states.contains(s), "{s} in {states:?}");
    }
    let verdicts: BTreeSet<&str> = rmas
        .iter()
        .map(|r| r["verdict"].as_str().unwrap())
        .collect();
    assert!(verdicts.len() >= 2, "{verdicts:?}");
    // Repairs were routed to points.
    assert!(
        rmas.iter()
            .any(|r| r["kind"] == "repair" && r["service_point_id"].is_i64()),
        "a repair went to a point"
    );
    // RMA cycle times (registered → closed), in days: what the README reports.
    let mut days: Vec<f64> = rmas
        .iter()
        .filter(|r| r["state"] == "closed")
        .map(|r| {
            let a: jiff::Timestamp = r["created_at"].as_str().unwrap().parse().unwrap();
            let b: jiff::Timestamp = r["closed_at"].as_str().unwrap().parse().unwrap();
            (b.as_second() - a.as_second()) as f64 / 86_400.0
        })
        .collect();
    days.sort_by(f64::total_cmp);
    assert!(!days.is_empty());
    eprintln!(
        "demo RMA cycle (days): {} closed of {}, median {:.1}, p90 {:.1}, max {:.1}",
        days.len(),
        rmas.len(),
        days[days.len() / 2],
        days[days.len() * 9 / 10],
        days[days.len() - 1]
    );
    assert!(days.iter().all(|d| *d >= 0.0));
    let disputes = json_body(api.get("/api/v1/aftersales/disputes?status=ruled").await).await;
    assert!(disputes.as_array().unwrap().len() <= 1);

    // The spare parts: the warehouse and each point's stock, parts issued to repairs with
    // their faulty parts back, this month's plans approved but one.
    let locations = json_body(api.get("/api/v1/aftersales/stock/locations").await).await;
    assert_eq!(locations.as_array().unwrap().len(), 7, "{locations}");
    let stock = json_body(api.get("/api/v1/aftersales/stock").await).await;
    let lines = stock["lines"].as_array().unwrap();
    assert!(lines.iter().all(|l| l["good"].as_i64().unwrap() >= 0));
    assert!(lines.iter().any(|l| l["planned"].is_i64()), "{stock}");
    let issued = json_body(
        api.get("/api/v1/aftersales/stock/movements?limit=500")
            .await,
    )
    .await;
    let issues = issued
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "issue")
        .count();
    assert!(
        issues > 0
            && issued
                .as_array()
                .unwrap()
                .iter()
                .all(|m| m["kind"] != "issue" || m["rma_id"].is_i64())
    );
    let defective = json_body(api.get("/api/v1/aftersales/defective").await).await;
    let defective = defective.as_array().unwrap();
    assert_eq!(
        defective.len(),
        issues,
        "each part issued gave a faulty one back"
    );
    let statuses: BTreeSet<&str> = defective
        .iter()
        .map(|d| d["status"].as_str().unwrap())
        .collect();
    assert!(
        statuses.contains("pending"),
        "the latest waits: {statuses:?}"
    );
    assert!(issues < 2 || statuses.contains("approved"), "{statuses:?}");
    eprintln!(
        "demo parts: {issues} issued to repairs, {} movements",
        issued.as_array().unwrap().len()
    );
    let plans = json_body(api.get("/api/v1/aftersales/stock/plans").await).await;
    let waiting = plans
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["pending"].as_i64().unwrap() > 0)
        .count();
    assert_eq!(waiting, 1, "{plans}");
    let costs = json_body(
        api.get("/api/v1/aftersales/costs?from=2026-11&to=2026-12&by=month")
            .await,
    )
    .await;
    assert!(costs["budget_fen"].as_i64().unwrap() > 0, "{costs}");
    eprintln!(
        "demo costs November–December: {} RMAs, {} fen against budgets of {} fen",
        costs["cases"], costs["total"]["total_fen"], costs["budget_fen"]
    );
    app.stop().await;
}

mod accounts;
