//! 回访 — visits planned from the rules once per rule, customer and period (on two
//! instances at once too), the 100 % coverage report checked against a count made from the
//! raw rows, complete results, rest hours, and the settings' refusals.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use kefu_app::Actor;
use kefu_app::customer::CustomerForm;
use kefu_domain::customer::{CustomerKind, CustomerStatus, CustomerType, Tier};
use kefu_domain::{FixedClock, Role};
use kefu_testkit::{ApiClient, TestApp, TestOptions};
use reqwest::Method;
use serde_json::{Value, json};
use sqlx::Row;

mod after_sales;
mod analysis;
mod pages;
mod proof;
mod rules;

fn bj(s: &str) -> Timestamp {
    let dt: jiff::civil::DateTime = s.parse().unwrap();
    dt.to_zoned(TimeZone::get("Asia/Shanghai").unwrap())
        .unwrap()
        .timestamp()
}

struct Cast {
    app: TestApp,
    clock: Arc<FixedClock>,
    agent: ApiClient,
    agent_id: i64,
    manager: ApiClient,
}

/// A server at Thursday 2026-12-03 10:00 Beijing time, an agent and a manager.
async fn cast() -> Cast {
    cast_with(false).await
}

/// The cast on an instance whose job worker runs or not (a test running the planner's
/// round by hand on two instances wants no background round taking visits first).
async fn cast_with(without_worker: bool) -> Cast {
    let clock = Arc::new(FixedClock::new(bj("2026-12-03T10:00")));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock.clone()),
        without_worker,
        ..TestOptions::default()
    })
    .await;
    let agent_id = app.create_user("hui.agent", &[Role::Agent]).await;
    let manager_id = app.create_user("hui.manager", &[Role::CsManager]).await;
    app.create_user("hui.quality", &[Role::QualitySpecialist])
        .await;
    let agent = ApiClient::new(&app, &app.token_for(agent_id).await);
    let manager = ApiClient::new(&app, &app.token_for(manager_id).await);
    Cast {
        app,
        clock,
        agent,
        agent_id,
        manager,
    }
}

async fn call(api: &ApiClient, method: Method, path: &str, body: Value) -> (u16, Value) {
    let res = api.json(method, path, &body).await;
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// A customer of `tier` owned by the agent, with one contact resting `rest`.
async fn customer(c: &Cast, name: &str, tier: &str, rest: &str) -> i64 {
    let (status, body) = call(
        &c.manager,
        Method::POST,
        "/api/v1/customers",
        json!({
            "name": name, "tier": tier, "owner_id": c.agent_id,
            "contacts": [{"name": "王", "title": "经理", "mobile": "13912340000", "rest_hours": rest}],
        }),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_i64().unwrap()
}

async fn set_tier(c: &Cast, id: i64, tier: Tier) {
    let app = &c.app.app;
    let mut conn = app.store.conn().await.unwrap();
    let now = kefu_store::customer::by_id(&mut conn, id).await.unwrap();
    drop(conn);
    let form = CustomerForm {
        kind: CustomerKind::Company,
        name: now.name,
        tier,
        customer_type: CustomerType::EndCustomer,
        status: CustomerStatus::Active,
        province: String::new(),
        city: String::new(),
        industry: String::new(),
        owner_id: now.owner_id,
        tags: String::new(),
        notes: String::new(),
        id_number: None,
        address: None,
        bank_account: None,
    };
    app.update_customer(&Actor::system(), id, &form, None)
        .await
        .unwrap();
}

/// The key customers of December 2026 without a visit completed in it, computed from the
/// raw rows another way than the report: each customer's tiers replayed from its creation
/// through its history, every tier it held inside the month collected.
async fn missing_from_raw_rows(app: &TestApp) -> BTreeSet<i64> {
    let (start, end) = (
        bj("2026-12-01T00:00").as_microsecond(),
        bj("2027-01-01T00:00").as_microsecond(),
    );
    let mut conn = app.app.store.conn().await.unwrap();
    let customers =
        sqlx::query("SELECT id, tier, created_at FROM customers WHERE status <> 'lost'")
            .fetch_all(&mut *conn)
            .await
            .unwrap();
    let history = sqlx::query(
        "SELECT customer_id, at, old_value, new_value FROM customer_history \
         WHERE field = 'tier' ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    let done =
        sqlx::query("SELECT customer_id, done_at FROM follow_up_visits WHERE status = 'done'")
            .fetch_all(&mut *conn)
            .await
            .unwrap();
    let mut changes: BTreeMap<i64, Vec<(i64, String, String)>> = BTreeMap::new();
    for r in &history {
        changes.entry(r.get::<i64, _>(0)).or_default().push((
            r.get(1),
            r.get::<Option<String>, _>(2).unwrap_or_default(),
            r.get::<Option<String>, _>(3).unwrap_or_default(),
        ));
    }
    let mut missing = BTreeSet::new();
    for r in &customers {
        let (id, now, created): (i64, String, i64) = (r.get(0), r.get(1), r.get(2));
        if created >= end {
            continue;
        }
        let list = changes.get(&id).cloned().unwrap_or_default();
        let mut tier = list.first().map_or(now.clone(), |c| c.1.clone());
        let mut held = BTreeSet::new();
        let mut since = created;
        for (at, _, new) in &list {
            if since < end && *at > start {
                held.insert(tier.clone());
            }
            tier = new.clone();
            since = *at;
        }
        if since < end {
            held.insert(tier);
        }
        if !held.contains("key_account") {
            continue;
        }
        let covered = done.iter().any(|d| {
            d.get::<i64, _>(0) == id
                && d.get::<Option<i64>, _>(1)
                    .is_some_and(|t| t >= start && t < end)
        });
        if !covered {
            missing.insert(id);
        }
    }
    missing
}

fn reached(at: &str, satisfaction: &str, aspects: &[&str]) -> Value {
    json!({
        "reach": "reached", "started_at": bj(at).to_string(),
        "ended_at": (bj(at) + SignedDuration::from_mins(3)).to_string(),
        "satisfaction": satisfaction, "aspects": aspects,
        "words": "用得还行", "next_action": "下月再访",
    })
}

#[tokio::test]
async fn visits_are_planned_once_and_coverage_lists_every_key_customer_missing() {
    let c = cast().await;
    let k1 = customer(&c, "一号大客户", "key_account", "12:00-14:00").await;
    let k2 = customer(&c, "二号大客户", "key_account", "").await;
    let v1 = customer(&c, "贵宾客户", "vip", "").await;
    let n1 = customer(&c, "普通客户", "normal", "").await;
    let down = customer(&c, "降级客户", "key_account", "").await;
    // A lost key account is neither visited nor counted.
    let (status, _) = call(
        &c.manager,
        Method::POST,
        "/api/v1/customers",
        json!({"name": "流失大客户", "tier": "key_account", "status": "lost", "owner_id": c.agent_id}),
    )
    .await;
    assert_eq!(status, 201);
    c.clock.advance(SignedDuration::from_mins(5));
    set_tier(&c, down, Tier::Normal).await;

    // A dry run counts and writes nothing.
    let (status, dry) = call(
        &c.manager,
        Method::POST,
        "/api/v1/follow-ups/plan",
        json!({"period": "2026-12", "dry_run": true}),
    )
    .await;
    assert_eq!(status, 200, "{dry}");
    assert_eq!(dry["rules"][0]["customers"], 2, "{dry}");
    assert_eq!(dry["rules"][0]["created"], 0);
    assert_eq!(
        dry["rules"].as_array().unwrap().len(),
        1,
        "the quarterly rule plans quarters"
    );
    let (_, list) = call(
        &c.agent,
        Method::GET,
        "/api/v1/follow-ups?until=2027-01-01",
        Value::Null,
    )
    .await;
    assert_eq!(
        list.as_array().unwrap().len(),
        0,
        "a dry run writes nothing"
    );

    let (_, planned) = call(
        &c.manager,
        Method::POST,
        "/api/v1/follow-ups/plan",
        json!({}),
    )
    .await;
    let by_rule: Vec<(String, i64)> = planned["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["period"].as_str().unwrap().to_owned(),
                r["created"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(by_rule, vec![("2026-12".into(), 2), ("2026-Q4".into(), 1)]);
    let (_, again) = call(
        &c.manager,
        Method::POST,
        "/api/v1/follow-ups/plan",
        json!({}),
    )
    .await;
    assert!(
        again["rules"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["created"] == 0),
        "planned once per rule, customer and period: {again}"
    );

    // The agent's list in slot order: every contact may be called now (10:05), so in the
    // order planned.
    let (_, list) = call(
        &c.agent,
        Method::GET,
        "/api/v1/follow-ups?until=2027-01-01",
        Value::Null,
    )
    .await;
    let customers: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["customer_id"].as_i64().unwrap())
        .collect();
    assert_eq!(customers, vec![k1, k2, v1]);
    let visit = |cid: i64| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|v| v["customer_id"] == cid)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(list[0]["first_visit"], true);
    assert_eq!(list[0]["channel"], "phone");

    // K1 not reached, K2 completed.
    let (status, a) = call(
        &c.agent,
        Method::POST,
        &format!("/api/v1/follow-ups/{}/attempts", visit(k1)),
        json!({"reach": "no_answer", "started_at": bj("2026-12-03T10:00").to_string(),
               "ended_at": bj("2026-12-03T10:01").to_string()}),
    )
    .await;
    assert_eq!(status, 201, "{a}");
    assert_eq!(a["completed"], false);
    let (status, a) = call(
        &c.agent,
        Method::POST,
        &format!("/api/v1/follow-ups/{}/attempts", visit(k2)),
        reached("2026-12-03T10:00", "satisfied", &["product"]),
    )
    .await;
    assert_eq!(status, 201, "{a}");
    assert_eq!(a["completed"], true);
    assert_eq!(a["unverified"], true, "no call proves it");

    // A normal customer upgraded after planning: in scope, not planned yet.
    c.clock.advance(SignedDuration::from_mins(5));
    set_tier(&c, n1, Tier::KeyAccount).await;

    let (status, cov) = call(
        &c.manager,
        Method::GET,
        "/api/v1/follow-ups/coverage?period=2026-12&tier=key_account",
        Value::Null,
    )
    .await;
    assert_eq!(status, 200, "{cov}");
    let state: BTreeMap<i64, String> = cov["customers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["customer_id"].as_i64().unwrap(),
                r["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        state,
        BTreeMap::from([
            (k1, "unreached".to_owned()),
            (k2, "done".to_owned()),
            (n1, "not_planned".to_owned()),
            (down, "not_planned".to_owned()),
        ]),
        "{cov}"
    );
    assert_eq!(
        (cov["covered"].as_i64(), cov["missing"].as_i64()),
        (Some(1), Some(3))
    );
    assert_eq!(cov["at_risk"], false, "weeks before the month ends");
    let missing: BTreeSet<i64> = cov["customers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["state"] != "done")
        .map(|r| r["customer_id"].as_i64().unwrap())
        .collect();
    assert_eq!(missing, missing_from_raw_rows(&c.app).await);
    let agent = &cov["agents"][0];
    assert_eq!(
        (agent["planned"].as_i64(), agent["done"].as_i64()),
        (Some(2), Some(1))
    );
    // The workbench counts the same without the rows (the tier changes replayed apart).
    let manager = c
        .app
        .login("hui.manager", kefu_testkit::TEST_PASSWORD)
        .await;
    let home = manager.get("/").await.text().await.unwrap();
    let line = &home[home
        .find("tier=key_account&#38;missing=1")
        .expect("the coverage line")..];
    let count = &line[line.find("data-count=\"").unwrap() + 12..];
    assert_eq!(&count[..count.find('"').unwrap()], "3", "{line}");

    // The next run plans the upgraded customer; days before the month ends the manager is
    // warned once.
    let (_, planned) = call(
        &c.manager,
        Method::POST,
        "/api/v1/follow-ups/plan",
        json!({}),
    )
    .await;
    assert_eq!(planned["rules"][0]["created"], 1, "{planned}");
    c.clock.set(bj("2026-12-28T09:00"));
    // Key customers this month, VIP customers this quarter.
    assert_eq!(c.app.app.warn_follow_up_coverage().await.unwrap(), 2);
    assert_eq!(
        c.app.app.warn_follow_up_coverage().await.unwrap(),
        0,
        "once a period"
    );
    let manager = c
        .app
        .login("hui.manager", kefu_testkit::TEST_PASSWORD)
        .await;
    let page = manager.get("/notifications").await.text().await.unwrap();
    assert!(
        page.contains("2026-12 周期还有 3 位重点客户（共 4 位）")
            && page.contains("2027-01-01 00:00"),
        "the warning names the period, the counts and the end in local time: {page}"
    );
    let (_, cov) = call(
        &c.manager,
        Method::GET,
        "/api/v1/follow-ups/coverage?period=2026-12",
        Value::Null,
    )
    .await;
    assert_eq!(cov["at_risk"], true);
    let (status, bad) = call(
        &c.manager,
        Method::GET,
        "/api/v1/follow-ups/coverage?period=2026-13",
        Value::Null,
    )
    .await;
    assert_eq!(
        (status, bad["error"]["code"].as_str()),
        (422, Some("bad_plan_period"))
    );
    let (status, _) = call(
        &c.agent,
        Method::GET,
        "/api/v1/follow-ups/coverage?period=2026-12",
        Value::Null,
    )
    .await;
    assert_eq!(status, 403, "coverage is the manager's");
    c.app.stop().await;
}

#[tokio::test]
async fn two_instances_plan_each_visit_once() {
    let c = cast_with(true).await;
    for i in 0..30 {
        customer(&c, &format!("并发大客户{i}"), "key_account", "").await;
    }
    let peer = c.app.spawn_quiet_peer().await;
    let (a, b) = tokio::join!(
        c.app.app.run_follow_up_plan(),
        peer.app.run_follow_up_plan()
    );
    let made = a.unwrap().rules[0].created + b.unwrap().rules[0].created;
    assert_eq!(made, 30);
    let mut conn = c.app.app.store.conn().await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM follow_up_visits")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(n, 30);
    drop(conn);
    peer.stop().await;
    c.app.stop().await;
}

#[tokio::test]
async fn results_are_complete_and_unsatisfied_opens_a_complaint() {
    let c = cast().await;
    let k = customer(&c, "不满意的大客户", "key_account", "").await;
    c.app.app.run_follow_up_plan().await.unwrap();
    let (_, list) = call(&c.agent, Method::GET, "/api/v1/follow-ups", Value::Null).await;
    let id = list[0]["id"].as_i64().unwrap();
    assert_eq!(list[0]["customer_id"], k);
    let path = format!("/api/v1/follow-ups/{id}/attempts");

    // Done with a field missing: refused, naming it; nothing stored.
    for (left_out, field) in [
        ("satisfaction", "satisfaction"),
        ("aspects", "aspects"),
        ("words", "words"),
        ("next_action", "next_action"),
    ] {
        let mut body = reached("2026-12-03T09:50", "unsatisfied", &["product"]);
        body.as_object_mut().unwrap().remove(left_out);
        let (status, e) = call(&c.agent, Method::POST, &path, body).await;
        assert_eq!(status, 422, "{left_out}: {e}");
        assert_eq!(e["error"]["code"], "visit_required");
        assert_eq!(e["error"]["detail"], field);
    }
    for (body, code) in [
        (
            json!({"reach": "maybe", "started_at": "2026-12-03T01:00:00Z", "ended_at": "2026-12-03T01:01:00Z"}),
            "unknown_value",
        ),
        (
            json!({"reach": "no_answer", "started_at": "2026-12-03T01:05:00Z", "ended_at": "2026-12-03T01:01:00Z"}),
            "visit_ends_before_start",
        ),
        (
            json!({"reach": "no_answer", "started_at": "2026-12-03T03:00:00Z", "ended_at": "2026-12-03T03:30:00Z"}),
            "visit_in_future",
        ),
        (
            json!({"reach": "call_back", "started_at": "2026-12-03T01:00:00Z", "ended_at": "2026-12-03T01:01:00Z", "callback_at": "2026-12-02T08:00:00Z"}),
            "callback_in_past",
        ),
        (
            json!({"reach": "no_answer", "started_at": "2026-12-03T01:00:00Z", "ended_at": "2026-12-03T01:01:00Z", "call_id": 999_999}),
            "unknown_call",
        ),
    ] {
        let (status, e) = call(&c.agent, Method::POST, &path, body.clone()).await;
        assert_eq!(
            (status, e["error"]["code"].as_str()),
            (422, Some(code)),
            "{body}"
        );
    }
    let (_, v) = call(
        &c.agent,
        Method::GET,
        &format!("/api/v1/follow-ups/{id}"),
        Value::Null,
    )
    .await;
    assert_eq!(v["attempts"], 0, "nothing refused was stored");
    assert_eq!(v["history"].as_array().unwrap().len(), 0);
    assert!(v["opening"].as_str().unwrap().contains("王经理"), "{v}");
    assert_eq!(v["number"], "139****0000", "masked");

    let (status, a) = call(
        &c.agent,
        Method::POST,
        &path,
        reached("2026-12-03T09:50", "unsatisfied", &["product", "price"]),
    )
    .await;
    assert_eq!(status, 201, "{a}");
    let complaint = a["complaint_id"]
        .as_i64()
        .expect("a product fault opens a complaint");
    assert!(a["ticket_id"].is_null());
    let (status, comp) = call(
        &c.manager,
        Method::GET,
        &format!("/api/v1/complaints/{complaint}"),
        Value::Null,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(comp["complaint"]["customer_id"], k, "{comp}");
    assert_eq!(comp["complaint"]["category"], "quality");

    // Done once: a second result is refused.
    let (status, e) = call(
        &c.agent,
        Method::POST,
        &path,
        reached("2026-12-03T09:55", "satisfied", &["agent"]),
    )
    .await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (409, Some("visit_finished"))
    );

    // 不满意 is a quality anomaly of the visit, once, told to the quality specialists.
    {
        let mut conn = c.app.app.store.conn().await.unwrap();
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT source_key, description, evidence FROM quality_anomalies \
             WHERE source_kind = 'follow_up'",
        )
        .fetch_all(&mut *conn)
        .await
        .unwrap();
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(rows[0].0, id.to_string());
        assert!(rows[0].1.contains("不满意的大客户"), "{rows:?}");
    }
    assert_eq!(c.app.notified("quality_anomaly", None).await, 1);

    // The quality specialists hear of a phone visit no call proves.
    assert_eq!(c.app.notified("follow_up_unverified", None).await, 1);
    let quality = c
        .app
        .login("hui.quality", kefu_testkit::TEST_PASSWORD)
        .await;
    let page = quality.get("/notifications").await.text().await.unwrap();
    assert!(
        page.contains("不满意的大客户") && page.contains("60 秒"),
        "the notification names the customer and the seconds: {page}"
    );
    // It opens the visit, which quality reads — the result, no form to change it.
    let marker = "action=\"/notifications/";
    let text = page.find("不满意的大客户").unwrap();
    let at = page[..text].rfind(marker).expect("its form") + marker.len();
    let note = &page[at..at + page[at..].find('/').unwrap()];
    let res = quality
        .post_form(&format!("/notifications/{note}/open"), &[])
        .await;
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(to, format!("/follow-ups/{id}"));
    let res = quality.get(&to).await;
    assert_eq!(res.status(), 200);
    let visit = res.text().await.unwrap();
    assert!(
        visit.contains("data-testid=\"visit-unverified\""),
        "{visit}"
    );
    assert!(visit.contains("139****0000"), "masked");
    for form in ["visit-result", "visit-dial", "visit-schedule", "visit-card"] {
        assert!(
            !visit.contains(&format!("data-testid=\"{form}\"")),
            "{form}"
        );
    }
    let res = quality
        .post_form(&format!("/follow-ups/{id}/dial"), &[])
        .await;
    assert_eq!(res.status(), 403, "quality does not call");
    c.app.stop().await;
}

#[tokio::test]
async fn a_visit_is_never_put_in_the_contacts_rest_hours() {
    let c = cast().await;
    // Empty or impossible rest hours are refused, and no customer is stored.
    for rest in ["12:00-12:00", "25:00-26:00", "午休"] {
        let (status, e) = call(
            &c.manager,
            Method::POST,
            "/api/v1/customers",
            json!({"name": "休息时间有误", "tier": "key_account",
                   "contacts": [{"name": "王", "mobile": "13912340001", "rest_hours": rest}]}),
        )
        .await;
        assert_eq!(
            (status, e["error"]["code"].as_str()),
            (422, Some("bad_rest_hours")),
            "{rest}: {e}"
        );
    }
    assert_eq!(
        crate::mail_ingest::count(&c.app, "SELECT COUNT(*) FROM customers").await,
        0
    );
    customer(&c, "午休的大客户", "key_account", "11:00-15:00").await;
    c.app.app.run_follow_up_plan().await.unwrap();
    let (_, list) = call(&c.agent, Method::GET, "/api/v1/follow-ups", Value::Null).await;
    let id = list[0]["id"].as_i64().unwrap();
    // 10:00 is inside the calling hours and outside the rest hours.
    assert_eq!(list[0]["slot_at"], bj("2026-12-03T10:00").to_string());
    let path = format!("/api/v1/follow-ups/{id}");
    let (_, v) = call(&c.agent, Method::GET, &path, Value::Null).await;
    assert_eq!(v["dial_allowed"], true);
    let version = v["version"].as_i64().unwrap();

    // 12:30 is in the contact's rest: refused, the next allowed moment offered (15:00).
    let (status, e) = call(
        &c.agent,
        Method::PATCH,
        &path,
        json!({"scheduled_at": bj("2026-12-03T12:30").to_string()}),
    )
    .await;
    assert_eq!(status, 422, "{e}");
    assert_eq!(e["error"]["code"], "outside_calling_window");
    assert_eq!(e["error"]["detail"], bj("2026-12-03T15:00").to_string());
    // A Saturday: the next business day's first calling minute.
    let (_, e) = call(
        &c.agent,
        Method::PATCH,
        &path,
        json!({"scheduled_at": bj("2026-12-05T10:00").to_string()}),
    )
    .await;
    assert_eq!(e["error"]["detail"], bj("2026-12-07T09:00").to_string());
    let (_, v) = call(&c.agent, Method::GET, &path, Value::Null).await;
    assert_eq!(v["version"], version, "nothing changed");

    let (status, v) = call(
        &c.agent,
        Method::PATCH,
        &path,
        json!({"scheduled_at": bj("2026-12-04T16:00").to_string()}),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["slot_at"], bj("2026-12-04T16:00").to_string());

    // In the rest hours the dial button is off, and says when it comes on.
    c.clock.set(bj("2026-12-04T11:30"));
    let (_, v) = call(&c.agent, Method::GET, &path, Value::Null).await;
    assert_eq!(v["dial_allowed"], false);
    assert_eq!(v["next_slot"], bj("2026-12-04T15:00").to_string());
    let (status, e) = call(&c.agent, Method::POST, &format!("{path}/dial"), Value::Null).await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (422, Some("outside_calling_window")),
        "{e}"
    );
    assert_eq!(e["error"]["detail"], bj("2026-12-04T15:00").to_string());
    // …unless the contact asked to be called then.
    let (status, a) = call(
        &c.agent,
        Method::POST,
        &format!("{path}/attempts"),
        json!({"reach": "call_back", "started_at": bj("2026-12-04T11:20").to_string(),
               "ended_at": bj("2026-12-04T11:21").to_string(),
               "callback_at": bj("2026-12-04T11:40").to_string()}),
    )
    .await;
    assert_eq!(status, 201, "{a}");
    let (_, v) = call(&c.agent, Method::GET, &path, Value::Null).await;
    assert_eq!(
        v["dial_allowed"], true,
        "the call-back the contact asked for: {v}"
    );
    assert_eq!(v["callback_at"], bj("2026-12-04T11:40").to_string());
    // The API's dial gives the number in full then, and the reveal is audited.
    let (status, d) = call(&c.agent, Method::POST, &format!("{path}/dial"), Value::Null).await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(
        (d["number"].as_str(), d["tel"].as_str()),
        (Some("13912340000"), Some("tel:13912340000"))
    );
    assert_eq!(
        crate::mail_ingest::count(
            &c.app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'sensitive_revealed' AND detail LIKE '%\"visit\"%'"
        )
        .await,
        1
    );
    c.app.stop().await;
}
