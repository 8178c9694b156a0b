//! 大客户服务方案与优惠政策 (000 §(六)5–6) — the key-account specialist writes a key
//! account's service plan (stage, needs, goals per stage, review interval and date), is
//! reminded once when the review date comes, records the review (the stage moves, the next
//! date follows the interval); proposes discounts and incentives that a manager other than
//! the proposer approves or rejects, which are in force within their dates and shown on
//! the customer's page to whoever serves it, and withdrawn or ended with a reason. Bad
//! input is refused with a code and nothing is stored.

use std::sync::Arc;

use kefu_domain::{FixedClock, Role};
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, TestOptions, json_body};
use reqwest::Method;
use serde_json::{Value, json};

use super::key_accounts::{code, send};

/// The count a workbench tile shows on the reader's home page.
pub(crate) async fn tile_count(session: &kefu_testkit::Session, key: &str) -> i64 {
    let res = session.get("/").await;
    let status = res.status();
    let loc = res.headers().get("location").cloned();
    let home = res.text().await.unwrap();
    assert_eq!(status, 200, "{home} {:?}", loc);
    let at = home
        .find(&format!("data-tile=\"{key}\""))
        .unwrap_or_else(|| panic!("the tile {key} shows"));
    let tile = &home[at..at + home[at..].find("</article>").unwrap()];
    let n = tile.find("data-count=\"").expect("a count") + "data-count=\"".len();
    tile[n..n + tile[n..].find('"').unwrap()].parse().unwrap()
}

fn plan(next_review_on: &str) -> Value {
    json!({
        "stage": "forming",
        "needs": "明年扩大采购，要求备件及时、账期稳定",
        "review_every_months": 3,
        "next_review_on": next_review_on,
        "goals": [
            {"stage": "forming", "goal": "备件 48 小时到货", "measure": "到货记录", "due_on": "2027-03-31"},
            {"stage": "stable", "goal": "年度框架协议", "measure": "协议签署"}
        ]
    })
}

#[tokio::test]
async fn a_key_accounts_plan_is_written_reviewed_and_its_policies_approved_by_another_manager() {
    // Thursday 2026-12-03 10:00 in Beijing.
    let clock = Arc::new(FixedClock::new("2026-12-03T02:00:00Z".parse().unwrap()));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock.clone()),
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    let specialist_id = app
        .create_user("da.kehu.plan", &[Role::KeyAccountSpecialist])
        .await;
    let specialist = ApiClient::new(&app, &app.token_for(specialist_id).await);
    let first_id = app.create_user("jing.li.yi", &[Role::CsManager]).await;
    let first = ApiClient::new(&app, &app.token_for(first_id).await);
    let second_id = app.create_user("jing.li.er", &[Role::CsManager]).await;
    let second = ApiClient::new(&app, &app.token_for(second_id).await);
    let agent_id = app.create_user("fu.ze.kefu", &[Role::Agent]).await;
    let agent = ApiClient::new(&app, &app.token_for(agent_id).await);
    let (s, c) = send(
        &first,
        Method::POST,
        "/api/v1/customers",
        &json!({"name": "华东精密", "tier": "key_account", "owner_id": agent_id}),
    )
    .await;
    assert_eq!(s, 201, "{c}");
    let key = c["id"].as_i64().unwrap();
    let (_, c) = send(
        &first,
        Method::POST,
        "/api/v1/customers",
        &json!({"name": "零售小店", "tier": "normal"}),
    )
    .await;
    let small = c["id"].as_i64().unwrap();
    let plan_path = format!("/api/v1/key-accounts/{key}/plan");

    // No plan yet: none to review.
    let a = json_body(specialist.get(&plan_path).await).await;
    assert_eq!(a["plan"], Value::Null, "{a}");
    let (s, e) = send(
        &specialist,
        Method::POST,
        &format!("{plan_path}/reviews"),
        &json!({"findings": "x", "stage": "stable"}),
    )
    .await;
    assert_eq!((s, code(&e)), (409, Some("service_plan_missing")));

    // Bad plans are refused, each with its code.
    let refused = [
        (
            format!("/api/v1/key-accounts/{small}/plan"),
            plan("2027-01-15"),
            422,
            "not_key_account",
        ),
        (
            plan_path.clone(),
            {
                let mut p = plan("2027-01-15");
                p["review_every_months"] = json!(2);
                p
            },
            422,
            "plan_review_interval",
        ),
        (
            plan_path.clone(),
            plan("2026-12-02"),
            422,
            "plan_review_date",
        ),
        (plan_path.clone(), plan("2026-13-01"), 400, "invalid_field"),
        (
            plan_path.clone(),
            {
                let mut p = plan("2027-01-15");
                p["stage"] = json!("growing");
                p
            },
            422,
            "unknown_value",
        ),
        (
            plan_path.clone(),
            {
                let mut p = plan("2027-01-15");
                p["goals"] = json!([]);
                p
            },
            422,
            "key_account_required",
        ),
        (
            plan_path.clone(),
            {
                let mut p = plan("2027-01-15");
                p["goals"][0]["due_on"] = json!("2100-01-01");
                p
            },
            422,
            "date_out_of_range",
        ),
    ];
    for (path, body, status, expected) in refused {
        let (s, e) = send(&specialist, Method::PUT, &path, &body).await;
        assert_eq!((s, code(&e)), (status, Some(expected)), "{body}");
    }
    let a = json_body(specialist.get(&plan_path).await).await;
    assert_eq!(a["plan"], Value::Null, "nothing stored: {a}");
    let (s, e) = send(&agent, Method::PUT, &plan_path, &plan("2027-01-15")).await;
    assert_eq!(s, 403, "an agent does not plan key accounts: {e}");

    let (s, a) = send(&specialist, Method::PUT, &plan_path, &plan("2027-01-15")).await;
    assert_eq!(s, 200, "{a}");
    assert_eq!(a["plan"]["stage"], "forming");
    assert_eq!(a["plan"]["goals"].as_array().unwrap().len(), 2);
    assert_eq!(a["plan"]["goals"][0]["due_on"], "2027-03-31");
    assert_eq!(a["plan"]["goals"][1]["state"], "open");
    assert_eq!(a["review_due"], false);
    let list = json_body(specialist.get("/api/v1/key-accounts").await).await;
    assert_eq!(
        (
            &list[0]["stage"],
            &list[0]["next_review_on"],
            &list[0]["review_due"]
        ),
        (&json!("forming"), &json!("2027-01-15"), &json!(false))
    );

    // The review date comes: the tile counts it, the author is reminded once.
    let ks = app.login("da.kehu.plan", TEST_PASSWORD).await;
    assert_eq!(tile_count(&ks, "key_account.reviews").await, 0);
    clock.set("2027-01-15T01:00:00Z".parse().unwrap());
    // Six weeks on, the session ran out: signed in again.
    let ks = app.login("da.kehu.plan", TEST_PASSWORD).await;
    assert_eq!(tile_count(&ks, "key_account.reviews").await, 1);
    let due = ks.get("/key-accounts?review=1").await.text().await.unwrap();
    assert!(due.contains("华东精密"), "listed as due for review");
    assert_eq!(app.app.remind_plan_reviews().await.unwrap(), 1);
    assert_eq!(
        app.app.remind_plan_reviews().await.unwrap(),
        0,
        "once per date"
    );
    assert_eq!(
        app.notified("service_plan_review_due", Some(specialist_id))
            .await,
        1
    );
    let bell = ks.get("/notifications").await.text().await.unwrap();
    assert!(
        bell.contains("华东精密 的服务方案已到回顾日期（2027-01-15）"),
        "{bell}"
    );
    let marker = "action=\"/notifications/";
    let text = bell.find("的服务方案已到回顾日期").unwrap();
    let at = bell[..text].rfind(marker).expect("its form") + marker.len();
    let id = &bell[at..at + bell[at..].find('/').unwrap()];
    let res = ks
        .post_form(&format!("/notifications/{id}/open"), &[])
        .await;
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        format!("/key-accounts/{key}"),
        "the reminder opens the account's plan"
    );

    // The review on the page: the stage moves, the next review is three months on.
    let res = ks
        .post_form(
            &format!("/key-accounts/{key}/plan/reviews"),
            &[
                ("findings", "采购量稳定增长，已进入稳定期"),
                ("stage", "stable"),
                ("next_review_on", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let a = json_body(specialist.get(&plan_path).await).await;
    assert_eq!(a["plan"]["stage"], "stable");
    assert_eq!(a["plan"]["next_review_on"], "2027-04-15");
    assert_eq!(a["reviews"][0]["stage_before"], "forming");
    assert_eq!(a["reviews"][0]["findings"], "采购量稳定增长，已进入稳定期");
    assert_eq!(a["review_due"], false);
    assert_eq!(tile_count(&ks, "key_account.reviews").await, 0);
    let res = ks
        .post_form(
            &format!("/key-accounts/{key}/plan/reviews"),
            &[("findings", " "), ("stage", "stable")],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("请填写回顾结论"));

    // Policies: bad ones refused with their codes.
    let policies = format!("/api/v1/key-accounts/{key}/policies");
    let discount = json!({
        "kind": "discount", "title": "年度采购九五折", "conditions": "单笔订单满 5 万元",
        "rate_bp": 500, "threshold_fen": 5_000_000,
        "valid_from": "2027-01-01", "valid_until": "2027-12-31"
    });
    let with = |k: &str, v: Value| {
        let mut p = discount.clone();
        p[k] = v;
        p
    };
    let refused = [
        (with("rate_bp", json!(6000)), "policy_rate"),
        (with("rate_bp", Value::Null), "policy_rate_required"),
        (
            with("kind", json!("free_service")),
            "policy_rate_not_applicable",
        ),
        (
            {
                let mut p = with("kind", json!("rebate"));
                p["threshold_fen"] = Value::Null;
                p
            },
            "policy_threshold_required",
        ),
        (with("threshold_fen", json!(i64::MAX)), "amount_too_large"),
        (with("valid_until", json!("2026-12-31")), "dates_reversed"),
        (with("valid_until", json!("2031-01-01")), "policy_dates"),
        (with("kind", json!("coupon")), "unknown_value"),
        (with("title", json!("  ")), "key_account_required"),
    ];
    for (body, expected) in refused {
        let (s, e) = send(&specialist, Method::POST, &policies, &body).await;
        assert_eq!((s, code(&e)), (422, Some(expected)), "{body}");
    }
    let (s, e) = send(
        &specialist,
        Method::POST,
        &format!("/api/v1/key-accounts/{small}/policies"),
        &discount,
    )
    .await;
    assert_eq!((s, code(&e)), (422, Some("not_key_account")));
    let none = json_body(specialist.get(&policies).await).await;
    assert_eq!(none.as_array().unwrap().len(), 0, "nothing stored");

    // The specialist proposes a discount; both managers hear of it.
    let (s, p) = send(&specialist, Method::POST, &policies, &discount).await;
    assert_eq!(s, 201, "{p}");
    let discount_id = p["id"].as_i64().unwrap();
    assert_eq!(
        (&p["state"], &p["in_force"]),
        (&json!("pending"), &json!(false))
    );
    assert_eq!(p["threshold_fen"], 5_000_000);
    for m in [first_id, second_id] {
        assert_eq!(
            app.notified("key_account_policy_proposed", Some(m)).await,
            1
        );
    }
    // A manager proposes priority service: not theirs to approve, the other one's.
    let (s, p) = send(
        &first,
        Method::POST,
        &policies,
        &json!({"kind": "priority", "title": "维修优先派单", "conditions": "报修 2 小时内派单",
                "valid_from": "2027-01-01", "valid_until": "2027-06-30"}),
    )
    .await;
    assert_eq!(s, 201, "{p}");
    let priority = p["id"].as_i64().unwrap();
    assert_eq!(
        app.notified("key_account_policy_proposed", Some(first_id))
            .await,
        1,
        "the proposer is not told of their own"
    );
    let manager_page = app.login("jing.li.yi", TEST_PASSWORD).await;
    assert_eq!(tile_count(&manager_page, "key_account.policies").await, 2);
    let approve = |id: i64| format!("/api/v1/key-account-policies/{id}/approve");
    let (s, e) = send(&first, Method::POST, &approve(priority), &json!({})).await;
    assert_eq!((s, code(&e)), (403, Some("own_policy")));
    let (s, e) = send(&agent, Method::POST, &approve(priority), &json!({})).await;
    assert_eq!(s, 403, "{e}");
    let (s, p) = send(
        &second,
        Method::POST,
        &approve(priority),
        &json!({"note": "同意"}),
    )
    .await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(
        (&p["state"], &p["in_force"]),
        (&json!("approved"), &json!(true))
    );
    assert_eq!(
        app.notified("key_account_policy_approved", Some(first_id))
            .await,
        1
    );
    let (s, e) = send(&second, Method::POST, &approve(priority), &json!({})).await;
    assert_eq!((s, code(&e)), (409, Some("policy_decided")));

    // The discount is rejected, with a reason.
    let reject = format!("/api/v1/key-account-policies/{discount_id}/reject");
    let (s, e) = send(&first, Method::POST, &reject, &json!({"note": ""})).await;
    assert_eq!((s, code(&e)), (422, Some("key_account_required")));
    let (s, p) = send(
        &first,
        Method::POST,
        &reject,
        &json!({"note": "折扣过大，改为九七折"}),
    )
    .await;
    assert_eq!((s, &p["state"]), (200, &json!("rejected")), "{p}");
    assert_eq!(
        app.notified("key_account_policy_rejected", Some(specialist_id))
            .await,
        1
    );

    // On the customer's page, for the agent who serves it: the policy in force only.
    let agent_page = app.login("fu.ze.kefu", TEST_PASSWORD).await;
    let page = agent_page
        .get(&format!("/customers/{key}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("维修优先派单") && page.contains("报修 2 小时内派单"),
        "in force"
    );
    assert!(
        !page.contains("年度采购九五折"),
        "a rejected policy is not shown"
    );

    // A discount proposed on the page: the rate as a percentage, the threshold in yuan.
    let res = ks
        .post_form(
            &format!("/key-accounts/{key}/policies"),
            &[
                ("kind", "discount"),
                ("title", "年度采购九七折"),
                ("conditions", "单笔订单满 5 万元"),
                ("rate_percent", "abc"),
                ("threshold", "50,000"),
                ("valid_from", "2027-02-01"),
                ("valid_until", "2027-12-31"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let res = ks
        .post_form(
            &format!("/key-accounts/{key}/policies"),
            &[
                ("kind", "discount"),
                ("title", "年度采购九七折"),
                ("conditions", "单笔订单满 5 万元"),
                ("rate_percent", "3"),
                ("threshold", "50,000"),
                ("valid_from", "2027-02-01"),
                ("valid_until", "2027-12-31"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let list = json_body(specialist.get(&policies).await).await;
    let third = &list[0];
    assert_eq!(
        (&third["title"], &third["rate_bp"], &third["threshold_fen"]),
        (&json!("年度采购九七折"), &json!(300), &json!(5_000_000))
    );
    let third = third["id"].as_i64().unwrap();
    let pending = manager_page
        .get("/key-accounts/policies")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        pending.contains("9.7 折（优惠 3%）"),
        "the manager's list reads it as 折"
    );
    let page = ks
        .get(&format!("/key-accounts/{key}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("稳定期") && page.contains("备件 48 小时到货"));

    // Approved from the manager's list, then ended early; withdrawn before approval.
    let res = manager_page
        .post_form(
            &format!("/key-accounts/policies/{third}/approve"),
            &[("back", "list"), ("note", "")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (s, e) = send(
        &agent,
        Method::POST,
        &format!("/api/v1/key-account-policies/{third}/withdraw"),
        &json!({"note": "x"}),
    )
    .await;
    assert_eq!(s, 403, "{e}");
    let (s, e) = send(
        &specialist,
        Method::POST,
        &format!("/api/v1/key-account-policies/{third}/withdraw"),
        &json!({"note": "客户要求取消"}),
    )
    .await;
    assert_eq!(
        (s, code(&e)),
        (403, Some("not_your_policy")),
        "approved: the manager ends it"
    );
    let (s, p) = send(
        &second,
        Method::POST,
        &format!("/api/v1/key-account-policies/{third}/withdraw"),
        &json!({"note": "客户合并采购，改为返利"}),
    )
    .await;
    assert_eq!(
        (s, &p["state"], &p["in_force"]),
        (200, &json!("withdrawn"), &json!(false))
    );
    let page = agent_page
        .get(&format!("/customers/{key}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("年度采购九七折"), "ended: no longer shown");
    let (_, p) = send(
        &specialist,
        Method::POST,
        &policies,
        &json!({"kind": "rebate", "title": "年度返利 2%", "conditions": "年采购满 100 万元",
                "rate_bp": 200, "threshold_fen": 100_000_000,
                "valid_from": "2027-01-01", "valid_until": "2027-12-31"}),
    )
    .await;
    let rebate = p["id"].as_i64().unwrap();
    let (s, p) = send(
        &specialist,
        Method::POST,
        &format!("/api/v1/key-account-policies/{rebate}/withdraw"),
        &json!({"note": "等年底数据再定"}),
    )
    .await;
    assert_eq!((s, &p["state"]), (200, &json!("withdrawn")));
    let waiting = json_body(first.get("/api/v1/key-account-policies").await).await;
    assert_eq!(waiting.as_array().unwrap().len(), 0, "{waiting}");

    // Past its end date a policy is no longer in force.
    clock.set("2027-07-01T01:00:00Z".parse().unwrap());
    let agent_page = app.login("fu.ze.kefu", TEST_PASSWORD).await;
    let page = agent_page
        .get(&format!("/customers/{key}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("维修优先派单"), "expired on 2027-06-30");
}
