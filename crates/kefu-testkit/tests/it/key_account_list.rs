//! 大客户 list — every key account is reachable however many there are: the list pages by
//! name, and its filters (due a manager visit, a plan review, the quarter's opinion) pick
//! from all of them, not from a first page. The filters' day boundaries are the
//! department's (Beijing) days: a visit done three months ago to the day is due, one done a
//! day later is not; an opinion heard at 00:00 on the quarter's first day counts for it.

use std::collections::BTreeSet;
use std::sync::Arc;

use kefu_domain::{FixedClock, Role};
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, TestOptions, json_body};
use reqwest::Method;
use serde_json::{Value, json};

use crate::key_accounts::send;

/// Extra key accounts, so the list runs past one page of the page (200).
const MANY: usize = 205;

/// Every account of `path` (a query ending in `&` or `?`), a page of `limit` at a time.
async fn all_pages(api: &ApiClient, path: &str, limit: usize) -> Vec<Value> {
    let mut all: Vec<Value> = Vec::new();
    let mut after = String::new();
    loop {
        let page = json_body(api.get(&format!("{path}limit={limit}{after}")).await).await;
        let page = page.as_array().expect("a page").clone();
        assert!(page.len() <= limit);
        let last = page.last().map(|a| a["customer_id"].as_i64().unwrap());
        let short = page.len() < limit;
        all.extend(page);
        match last {
            Some(id) if !short => after = format!("&after={id}"),
            _ => return all,
        }
    }
}

fn ids(accounts: &[Value]) -> Vec<i64> {
    accounts
        .iter()
        .map(|a| a["customer_id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn every_key_account_is_listed_a_page_at_a_time_and_filtered_from_all() {
    let clock = Arc::new(FixedClock::new("2026-08-03T02:00:00Z".parse().unwrap()));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock.clone()),
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    let specialist = app
        .create_user("da.kehu.list", &[Role::KeyAccountSpecialist])
        .await;
    let specialist = ApiClient::new(&app, &app.token_for(specialist).await);
    let manager_id = app.create_user("jing.li.list", &[Role::CsManager]).await;
    let manager = ApiClient::new(&app, &app.token_for(manager_id).await);
    let agent = app.create_user("kefu.list", &[Role::Agent]).await;
    let key = |name: &str| {
        let manager = &manager;
        let name = name.to_owned();
        async move {
            let (s, c) = send(
                manager,
                Method::POST,
                "/api/v1/customers",
                &json!({"name": name, "tier": "key_account", "owner_id": agent}),
            )
            .await;
            assert_eq!(s, 201, "{c}");
            c["id"].as_i64().unwrap()
        }
    };
    // A visit arranged now and reported at `reported` (UTC).
    let visit_done = |customer: i64, reported: &'static str| {
        let (manager, specialist, clock) = (&manager, &specialist, &clock);
        async move {
            let (s, v) = send(
                specialist,
                Method::POST,
                "/api/v1/manager-visits",
                &json!({"customer_id": customer, "manager_id": manager_id,
                        "scheduled_at": reported, "mode": "phone", "purpose": "季度拜访"}),
            )
            .await;
            assert_eq!(s, 201, "{v}");
            clock.set(reported.parse().unwrap());
            let (s, e) = send(
                manager,
                Method::POST,
                &format!("/api/v1/manager-visits/{}/report", v["id"]),
                &json!({"summary": "客户对服务满意"}),
            )
            .await;
            assert_eq!(s, 204, "{e}");
        }
    };
    let rated = |customer: i64, at: &'static str| {
        let (specialist, clock) = (&specialist, &clock);
        async move {
            clock.set(at.parse().unwrap());
            let (s, r) = send(
                specialist,
                Method::POST,
                &format!("/api/v1/key-accounts/{customer}/ratings"),
                &json!({"score": 4}),
            )
            .await;
            assert_eq!(s, 201, "{r}");
        }
    };

    let never = key("甲 从未拜访").await;
    let long_ago = key("乙 八月拜访").await;
    let to_the_day = key("丙 九月三日拜访").await;
    let day_later = key("丁 九月四日拜访").await;
    let planned = key("戊 已安排拜访").await;
    let rated_q3 = key("己 九月末评价").await;
    let rated_q4 = key("庚 十月初评价").await;
    let review_today = key("辛 今日回顾").await;
    let review_tomorrow = key("壬 明日回顾").await;
    for n in 0..MANY {
        key(&format!("批量大客户{n:03}")).await;
    }

    visit_done(long_ago, "2026-08-04T02:00:00Z").await;
    // 2026-09-03 23:30 in Beijing: three months before 2026-12-03 to the day.
    visit_done(to_the_day, "2026-09-03T15:30:00Z").await;
    // 2026-09-04 00:30 in Beijing, though still the 3rd in UTC.
    visit_done(day_later, "2026-09-03T16:30:00Z").await;
    // Last minute of the third quarter in Beijing, then the fourth's first.
    rated(rated_q3, "2026-09-30T15:59:00Z").await;
    rated(rated_q4, "2026-09-30T16:00:00Z").await;
    clock.set("2026-11-20T02:00:00Z".parse().unwrap());
    for (customer, on) in [
        (review_today, "2026-12-03"),
        (review_tomorrow, "2026-12-04"),
    ] {
        let (s, p) = send(
            &specialist,
            Method::PUT,
            &format!("/api/v1/key-accounts/{customer}/plan"),
            &json!({"stage": "forming", "needs": "扩大采购", "review_every_months": 3,
                    "next_review_on": on,
                    "goals": [{"stage": "forming", "goal": "备件 48 小时到货", "measure": "到货记录"}]}),
        )
        .await;
        assert!(s == 200 || s == 201, "{s} {p}");
    }
    let (s, v) = send(
        &specialist,
        Method::POST,
        "/api/v1/manager-visits",
        &json!({"customer_id": planned, "manager_id": manager_id,
                "scheduled_at": "2026-12-20T02:00:00Z", "mode": "on_site", "purpose": "年末拜访"}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    // Thursday 2026-12-03 10:00 in Beijing.
    clock.set("2026-12-03T02:00:00Z".parse().unwrap());

    // Paged by 7, every account once, in the order one long page gives.
    let whole = json_body(specialist.get("/api/v1/key-accounts?limit=500").await).await;
    let whole = whole.as_array().unwrap().clone();
    assert_eq!(whole.len(), 9 + MANY);
    let paged = all_pages(&specialist, "/api/v1/key-accounts?", 7).await;
    assert_eq!(ids(&paged), ids(&whole));
    assert_eq!(
        json_body(specialist.get("/api/v1/key-accounts").await)
            .await
            .as_array()
            .unwrap()
            .len(),
        200,
        "a page of 200 unless asked"
    );

    // Each filter picks from every account, exactly those the lines mark.
    for (param, flag) in [
        ("due", "due"),
        ("review", "review_due"),
        ("rating", "rating_due"),
    ] {
        let filtered = all_pages(
            &specialist,
            &format!("/api/v1/key-accounts?{param}=true&"),
            3,
        )
        .await;
        let marked: Vec<i64> = whole
            .iter()
            .filter(|a| a[flag] == true)
            .map(|a| a["customer_id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids(&filtered), marked, "{param}");
    }
    let is = |flag: &str, id: i64| {
        whole
            .iter()
            .find(|a| a["customer_id"] == id)
            .map(|a| a[flag] == true)
            .unwrap()
    };
    assert!(is("due", never) && is("due", long_ago) && is("due", to_the_day));
    assert!(!is("due", day_later) && !is("due", planned));
    assert!(is("rating_due", rated_q3) && !is("rating_due", rated_q4) && is("rating_due", never));
    assert!(is("review_due", review_today) && !is("review_due", review_tomorrow));
    let due: BTreeSet<i64> = whole
        .iter()
        .filter(|a| a["due"] == true)
        .map(|a| a["customer_id"].as_i64().unwrap())
        .collect();
    // Every account but the one visited a day late and the one with a visit planned.
    assert_eq!(due.len(), 9 + MANY - 2);

    // The page: 200 a page with a link on, the filter's total over every page.
    let session = app.login("jing.li.list", TEST_PASSWORD).await;
    let first = session.get("/key-accounts").await.text().await.unwrap();
    assert_eq!(
        first.matches("data-testid=\"key-account-row\"").count(),
        200
    );
    assert!(first.contains(&format!("共 {} 个", 9 + MANY)), "{first}");
    let next = first
        .split("data-testid=\"next-page\"")
        .next()
        .and_then(|s| s.rsplit("href=\"").next())
        .and_then(|s| s.split('"').next())
        .expect("a next-page link")
        .replace("&amp;", "&");
    let second = session.get(&next).await.text().await.unwrap();
    assert_eq!(
        second.matches("data-testid=\"key-account-row\"").count(),
        9 + MANY - 200
    );
    assert!(!second.contains("data-testid=\"next-page\""));
    let reviews = session
        .get("/key-accounts?review=1")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        reviews.matches("data-testid=\"key-account-row\"").count(),
        1
    );
    assert!(
        reviews.contains("辛 今日回顾") && reviews.contains("共 1 个"),
        "{reviews}"
    );
    // Which accounts a filtered page holds was checked through the API above; the page's
    // total counts them all.
    let ratings = session
        .get("/key-accounts?rating=1")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        ratings.contains(&format!("共 {} 个", 9 + MANY - 1)),
        "all but the one heard this quarter"
    );
    let due_page = session
        .get("/key-accounts?due=1")
        .await
        .text()
        .await
        .unwrap();
    assert!(due_page.contains(&format!("共 {} 个", 9 + MANY - 2)));
}
