//! 回访规则 — the settings and rules refuse bad input and stale writes; occasions (特色回访)
//! and dormant customers (沉睡客户) are planned once, in their window, with their own
//! 祝福语.

use kefu_testkit::json_body;
use reqwest::Method;
use serde_json::{Value, json};

use super::{bj, call, cast, customer};

#[tokio::test]
async fn settings_and_rules_refuse_bad_input_and_stale_writes() {
    let c = cast().await;
    let res = c.manager.get("/api/v1/follow-up-settings").await;
    assert_eq!(res.status(), 200);
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let good = json_body(res).await;
    assert_eq!(good["calling_hours"], "09:00-12:00, 14:30-18:00");
    assert_eq!(good["after_sales_days"], 3);
    for (change, code) in [
        (json!({"calling_hours": "18:00-09:00"}), "bad_calling_hours"),
        (json!({"calling_hours": " "}), "no_calling_hours"),
        (
            json!({"script_first": "您好 {客户}"}),
            "script_unknown_placeholder",
        ),
        (json!({"ending_other": ""}), "script_text_empty"),
        (json!({"min_call_seconds": -1}), "follow_up_out_of_range"),
        (json!({"after_sales_days": 0}), "follow_up_out_of_range"),
        (json!({"after_sales_days": 31}), "follow_up_out_of_range"),
    ] {
        let mut body = good.clone();
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (status, e) = call(&c.manager, Method::PUT, "/api/v1/follow-up-settings", body).await;
        assert_eq!(
            (status, e["error"]["code"].as_str()),
            (422, Some(code)),
            "{change}"
        );
    }
    let mut body = good.clone();
    body["calling_hours"] = json!("09:30-11:30，14:00-17:00");
    let res = c
        .manager
        .request(Method::PUT, "/api/v1/follow-up-settings")
        .header("If-Match", &etag)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        json_body(res).await["calling_hours"],
        "09:30-11:30, 14:00-17:00"
    );
    let res = c
        .manager
        .request(Method::PUT, "/api/v1/follow-up-settings")
        .header("If-Match", &etag)
        .json(&good)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 412, "made against the old version");

    let (status, r) = call(
        &c.manager,
        Method::POST,
        "/api/v1/follow-up-rules",
        json!({"name": "普通客户半年回访", "tier": "normal", "every_months": 6}),
    )
    .await;
    assert_eq!(status, 201, "{r}");
    let (status, e) = call(
        &c.manager,
        Method::POST,
        "/api/v1/follow-up-rules",
        json!({"name": "坏周期", "tier": "normal", "every_months": 2}),
    )
    .await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (422, Some("bad_period_months"))
    );
    let (status, e) = call(
        &c.manager,
        Method::POST,
        "/api/v1/follow-up-rules",
        json!({"name": "普通客户半年回访", "tier": "vip"}),
    )
    .await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (409, Some("name_taken"))
    );
    let (status, _) = call(
        &c.agent,
        Method::GET,
        "/api/v1/follow-up-rules",
        Value::Null,
    )
    .await;
    assert_eq!(status, 403);
    c.app.stop().await;
}

/// The ids of the customers a rule planned visits for, with the visits' reason, period,
/// due and window end.
async fn visits_of_rule(
    c: &super::Cast,
    rule: i64,
) -> Vec<(i64, String, Option<String>, i64, i64)> {
    let mut conn = c.app.app.store.conn().await.unwrap();
    let rows = sqlx::query(
        "SELECT customer_id, reason, period, due_at, window_end FROM follow_up_visits \
         WHERE rule_id = $1 ORDER BY customer_id",
    )
    .bind(rule)
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    use sqlx::Row;
    rows.iter()
        .map(|r| {
            (
                r.get("customer_id"),
                r.get("reason"),
                r.get("period"),
                r.get("due_at"),
                r.get("window_end"),
            )
        })
        .collect()
}

fn micros(at: jiff::Timestamp) -> i64 {
    at.as_microsecond()
}

#[tokio::test]
async fn an_occasion_is_planned_once_in_its_days_with_its_blessing() {
    let c = cast().await;
    let key = customer(&c, "节日大客户", "key_account", "").await;
    let normal = customer(&c, "节日普通客户", "normal", "").await;
    let (status, r) = call(
        &c.manager,
        Method::POST,
        "/api/v1/follow-up-rules",
        json!({"name": "元旦特色回访", "kind": "occasion", "starts_on": "2026-12-28",
               "ends_on": "2026-12-31", "yearly": true, "blessing": "新年快乐"}),
    )
    .await;
    assert_eq!(status, 201, "{r}");
    assert_eq!(r["kind"], "occasion");
    assert!(r["tier"].is_null(), "every tier");
    let new_year = r["id"].as_i64().unwrap();
    // The store's anniversary is half a year off: nothing yet.
    let (status, r) = call(
        &c.manager,
        Method::POST,
        "/api/v1/follow-up-rules",
        json!({"name": "店庆日回访", "kind": "occasion", "tier": "key_account",
               "starts_on": "2026-06-18", "ends_on": "2026-06-20", "yearly": true}),
    )
    .await;
    assert_eq!(status, 201, "{r}");
    let store_day = r["id"].as_i64().unwrap();

    for _ in 0..2 {
        c.app.app.run_follow_up_plan().await.unwrap();
    }
    let visits = visits_of_rule(&c, new_year).await;
    let (due, end) = (
        micros(bj("2026-12-28T00:00")),
        micros(bj("2027-01-01T00:00")),
    );
    assert_eq!(
        visits,
        vec![
            (
                key,
                "occasion".to_owned(),
                Some("2026-12-28".to_owned()),
                due,
                end
            ),
            (
                normal,
                "occasion".to_owned(),
                Some("2026-12-28".to_owned()),
                due,
                end
            ),
        ],
        "each customer once, due on its first day, made by its last"
    );
    assert!(
        visits_of_rule(&c, store_day).await.is_empty(),
        "too far off"
    );

    // Its visits are not on today's list; on the 28th they are, slotted in the calling
    // hours, with the occasion's blessing.
    let (_, today) = call(&c.agent, Method::GET, "/api/v1/follow-ups", Value::Null).await;
    assert!(
        today
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["reason"] != "occasion"),
        "{today}"
    );
    c.clock.set(bj("2026-12-28T09:10"));
    let (_, today) = call(&c.agent, Method::GET, "/api/v1/follow-ups", Value::Null).await;
    let visit = today
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["reason"] == "occasion" && v["customer_id"] == key)
        .unwrap_or_else(|| panic!("{today}"))
        .clone();
    assert_eq!(visit["slot_at"], bj("2026-12-28T09:00").to_string());
    let (_, v) = call(
        &c.agent,
        Method::GET,
        &format!("/api/v1/follow-ups/{}", visit["id"]),
        Value::Null,
    )
    .await;
    assert!(
        v["ending_satisfied"].as_str().unwrap().contains("新年快乐"),
        "{v}"
    );

    // Six months on, the anniversary is planned 30 days ahead, for key accounts only.
    c.clock.set(bj("2027-05-25T10:00"));
    c.app.app.run_follow_up_plan().await.unwrap();
    let planned: Vec<i64> = visits_of_rule(&c, store_day)
        .await
        .into_iter()
        .map(|v| v.0)
        .collect();
    assert_eq!(planned, vec![key]);
    c.app.stop().await;
}

#[tokio::test]
async fn dormant_customers_get_one_visit_until_someone_is_in_touch() {
    let c = cast().await;
    let now = bj("2026-12-03T10:00");
    let day = |n: i64| now - jiff::SignedDuration::from_hours(24 * n);
    // (customer, last contact, added): the rule is 90 days.
    let mut cases = Vec::new();
    for (name, last, added) in [
        ("百日未联系", Some(day(100)), day(400)),
        ("刚好九十天", Some(day(90)), day(400)),
        ("上周联系过", Some(day(7)), day(400)),
        ("从未联系的老客户", None, day(200)),
        ("从未联系的新客户", None, day(20)),
    ] {
        let id = customer(&c, name, "vip", "").await;
        let mut conn = c.app.app.store.conn().await.unwrap();
        sqlx::query("UPDATE customers SET last_contact_at = $2, created_at = $3 WHERE id = $1")
            .bind(id)
            .bind(last.map(micros))
            .bind(micros(added))
            .execute(&mut *conn)
            .await
            .unwrap();
        cases.push((id, last, added));
    }
    let (status, r) = call(
        &c.manager,
        Method::POST,
        "/api/v1/follow-up-rules",
        json!({"name": "沉睡客户唤醒", "kind": "dormant", "dormant_days": 90}),
    )
    .await;
    assert_eq!(status, 201, "{r}");
    let rule = r["id"].as_i64().unwrap();
    for _ in 0..2 {
        c.app.app.run_follow_up_plan().await.unwrap();
    }
    // Who is dormant, by the domain's rule over the raw rows.
    let expected: Vec<i64> = cases
        .iter()
        .filter(|(_, last, added)| kefu_domain::follow_up::rule::is_dormant(*last, *added, 90, now))
        .map(|(id, _, _)| *id)
        .collect();
    assert_eq!(expected.len(), 3, "100 days, exactly 90, never in 200 days");
    let visits = visits_of_rule(&c, rule).await;
    assert_eq!(
        visits.iter().map(|v| v.0).collect::<Vec<_>>(),
        expected,
        "once each, however often the job runs"
    );
    assert!(visits.iter().all(|v| v.1 == "dormant" && v.2.is_none()));
    assert!(
        visits
            .iter()
            .all(|v| v.4 == micros(now + jiff::SignedDuration::from_hours(24 * 30))),
        "30 days to make it"
    );

    // Reached: in touch again, so no new visit while the customer is not dormant.
    let (_, list) = call(&c.agent, Method::GET, "/api/v1/follow-ups", Value::Null).await;
    let first = list
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["customer_id"] == expected[0] && v["reason"] == "dormant")
        .unwrap_or_else(|| panic!("{list}"))["id"]
        .as_i64()
        .unwrap();
    let (status, a) = call(
        &c.agent,
        Method::POST,
        &format!("/api/v1/follow-ups/{first}/attempts"),
        json!({"reach": "reached", "started_at": bj("2026-12-03T09:40").to_string(),
               "ended_at": bj("2026-12-03T09:45").to_string(), "satisfaction": "satisfied",
               "aspects": ["agent"], "words": "最近比较忙", "next_action": "下季度再联系"}),
    )
    .await;
    assert_eq!(status, 201, "{a}");
    c.clock.set(bj("2026-12-20T10:00"));
    c.app.app.run_follow_up_plan().await.unwrap();
    assert_eq!(visits_of_rule(&c, rule).await.len(), 3, "nothing new");
    // 90 days after that visit the customer is dormant again: a second visit.
    c.clock.set(bj("2027-03-04T10:00"));
    c.app.app.run_follow_up_plan().await.unwrap();
    let again = visits_of_rule(&c, rule)
        .await
        .iter()
        .filter(|v| v.0 == expected[0])
        .count();
    assert_eq!(again, 2);
    c.app.stop().await;
}

#[tokio::test]
async fn occasion_and_dormant_rules_refuse_what_cannot_be_planned() {
    let c = cast().await;
    for (body, code) in [
        (
            json!({"name": "x", "kind": "occasion", "starts_on": "2026-12-28"}),
            "occasion_dates_required",
        ),
        (
            json!({"name": "x", "kind": "occasion", "starts_on": "2026-12-28", "ends_on": "2026-12-20"}),
            "dates_reversed",
        ),
        (
            json!({"name": "x", "kind": "occasion", "starts_on": "2026-01-01", "ends_on": "2026-03-31"}),
            "occasion_too_long",
        ),
        (
            json!({"name": "x", "kind": "occasion", "starts_on": "2026-13-01", "ends_on": "2026-12-31"}),
            "invalid_field",
        ),
        (
            json!({"name": "x", "kind": "occasion", "starts_on": "2026-12-28", "ends_on": "2026-12-31", "blessing": "祝您新年快乐万事如意身体健康阖家幸福心想事成"}),
            "follow_up_too_long",
        ),
        (
            json!({"name": "x", "kind": "dormant", "dormant_days": 7}),
            "dormant_days_out_of_range",
        ),
        (
            json!({"name": "x", "kind": "dormant"}),
            "dormant_days_out_of_range",
        ),
        (
            json!({"name": "x", "kind": "tier_periodic"}),
            "tier_required",
        ),
        (json!({"name": "x", "kind": "birthday"}), "unknown_value"),
    ] {
        let (status, e) = call(
            &c.manager,
            Method::POST,
            "/api/v1/follow-up-rules",
            body.clone(),
        )
        .await;
        // A date that is no date is a bad field, as anywhere in the API.
        let want = if code == "invalid_field" { 400 } else { 422 };
        assert_eq!(
            (status, e["error"]["code"].as_str()),
            (want, Some(code)),
            "{body}: {e}"
        );
    }
    let (_, rules) = call(
        &c.manager,
        Method::GET,
        "/api/v1/follow-up-rules",
        Value::Null,
    )
    .await;
    assert_eq!(
        rules.as_array().unwrap().len(),
        2,
        "only the shipped rules: {rules}"
    );

    // On the page: refused in the manager's language, nothing stored.
    let page = c
        .app
        .login("hui.manager", kefu_testkit::TEST_PASSWORD)
        .await;
    let admin = page.get("/admin/follow-ups").await.text().await.unwrap();
    assert!(
        admin.contains("特色回访") && admin.contains("沉睡客户回访"),
        "the kinds are offered"
    );
    let res = page
        .post_form(
            "/admin/follow-ups/rules",
            &[
                ("name", "唤醒"),
                ("kind", "dormant"),
                ("dormant_days", "7"),
                ("active", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let text = res.text().await.unwrap();
    assert!(
        text.contains("沉睡客户的认定天数须在 30–730 天之间"),
        "{text}"
    );
    let res = page
        .post_form(
            "/admin/follow-ups/rules",
            &[
                ("name", "春节回访"),
                ("kind", "occasion"),
                ("tier", ""),
                ("starts_on", "2027-02-01"),
                ("ends_on", "2027-02-05"),
                ("yearly", "1"),
                ("blessing", "春节快乐"),
                ("active", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let admin = page.get("/admin/follow-ups").await.text().await.unwrap();
    assert!(
        admin.contains("value=\"春节回访\"")
            && admin.contains("value=\"2027-02-01\"")
            && admin.contains("value=\"春节快乐\""),
        "{admin}"
    );
    c.app.stop().await;
}
