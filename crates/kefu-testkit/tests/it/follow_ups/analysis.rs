//! 回访周报 — a week's results per agent, attempts, what the not-satisfied were about and
//! their words, counted from visits recorded over the API; sent to the managers once from
//! Monday 08:00; the page, the refusals and the XLSX read back.

use kefu_domain::Role;
use kefu_testkit::ApiClient;
use reqwest::Method;
use serde_json::{Value, json};

use super::{bj, call, cast, customer};

fn result(at: &str, satisfaction: &str, aspects: &[&str], words: &str) -> Value {
    json!({
        "reach": "reached", "started_at": bj(at).to_string(),
        "ended_at": (bj(at) + jiff::SignedDuration::from_mins(3)).to_string(),
        "satisfaction": satisfaction, "aspects": aspects,
        "words": words, "next_action": "跟进",
    })
}

/// The visit planned for `customer`.
async fn visit_of(c: &super::Cast, customer: i64) -> i64 {
    let mut conn = c.app.app.store.conn().await.unwrap();
    sqlx::query_scalar("SELECT id FROM follow_up_visits WHERE customer_id = $1")
        .bind(customer)
        .fetch_one(&mut *conn)
        .await
        .unwrap()
}

/// Weekly-analysis notifications of `week`.
async fn sent(c: &super::Cast, week: &str) -> i64 {
    let mut conn = c.app.app.store.conn().await.unwrap();
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE kind = 'follow_up_analysis' \
         AND params LIKE $1",
    )
    .bind(format!("%{week}%"))
    .fetch_one(&mut *conn)
    .await
    .unwrap()
}

async fn record(api: &ApiClient, visit: i64, body: Value) {
    let (status, a) = call(
        api,
        Method::POST,
        &format!("/api/v1/follow-ups/{visit}/attempts"),
        body,
    )
    .await;
    assert_eq!(status, 201, "{a}");
}

#[tokio::test]
async fn the_week_is_counted_per_agent_and_sent_to_the_managers_once() {
    let c = cast().await;
    let second = c.app.create_user("hui.agent2", &[Role::Agent]).await;
    let agent2 = ApiClient::new(&c.app, &c.app.token_for(second).await);
    let names = ["满意客户", "不满意客户", "一般客户", "没接电话客户"];
    let mut mine = Vec::new();
    for n in names {
        mine.push(customer(&c, n, "key_account", "").await);
    }
    // Two customers of the second agent.
    let mut theirs = Vec::new();
    for n in ["二号满意客户", "二号逾期客户"] {
        let id = customer(&c, n, "key_account", "").await;
        let mut conn = c.app.app.store.conn().await.unwrap();
        sqlx::query("UPDATE customers SET owner_id = $2 WHERE id = $1")
            .bind(id)
            .bind(second)
            .execute(&mut *conn)
            .await
            .unwrap();
        theirs.push(id);
    }
    c.app.app.run_follow_up_plan().await.unwrap();

    record(
        &c.agent,
        visit_of(&c, mine[0]).await,
        result("2026-12-03T09:00", "satisfied", &["agent"], "挺好"),
    )
    .await;
    record(
        &c.agent,
        visit_of(&c, mine[1]).await,
        result(
            "2026-12-03T09:10",
            "unsatisfied",
            &["product", "price"],
            "轴承又坏了",
        ),
    )
    .await;
    record(
        &c.agent,
        visit_of(&c, mine[2]).await,
        result("2026-12-03T09:20", "neutral", &["delivery"], "送货慢"),
    )
    .await;
    record(
        &c.agent,
        visit_of(&c, mine[3]).await,
        json!({"reach": "no_answer", "started_at": bj("2026-12-03T09:30").to_string(),
               "ended_at": bj("2026-12-03T09:31").to_string()}),
    )
    .await;
    record(
        &agent2,
        visit_of(&c, theirs[0]).await,
        result("2026-12-03T09:40", "satisfied", &["after_sales"], "很满意"),
    )
    .await;
    // The other visit's window closed on Wednesday, unmade.
    let mut conn = c.app.app.store.conn().await.unwrap();
    sqlx::query("UPDATE follow_up_visits SET window_end = $2 WHERE id = $1")
        .bind(visit_of(&c, theirs[1]).await)
        .bind(bj("2026-12-02T18:00").as_microsecond())
        .execute(&mut *conn)
        .await
        .unwrap();
    drop(conn);

    let (status, a) = call(
        &c.manager,
        Method::GET,
        "/api/v1/follow-ups/analysis?week=2026-W49",
        Value::Null,
    )
    .await;
    assert_eq!(status, 200, "{a}");
    let agents = a["agents"].as_array().unwrap();
    let line = |name: &str| {
        agents
            .iter()
            .find(|x| x["agent_name"] == name)
            .unwrap_or_else(|| panic!("{name}: {a}"))
            .clone()
    };
    let one = line("测试 hui.agent");
    assert_eq!(
        [
            &one["done"],
            &one["satisfied"],
            &one["neutral"],
            &one["unsatisfied"],
            &one["unverified"],
            &one["overdue"]
        ],
        [
            &json!(3),
            &json!(1),
            &json!(1),
            &json!(1),
            &json!(3),
            &json!(0)
        ],
        "{one}"
    );
    let two = line("测试 hui.agent2");
    assert_eq!(
        [&two["done"], &two["satisfied"], &two["overdue"]],
        [&json!(1), &json!(1), &json!(1)],
        "{two}"
    );
    assert_eq!(a["total"]["done"], 4);
    assert_eq!(a["satisfied_permille"], 500);
    assert_eq!(a["reach"]["reached"], 4);
    assert_eq!(a["reach"]["no_answer"], 1);
    assert_eq!(a["aspects"]["product"], 1);
    assert_eq!(a["aspects"]["price"], 1);
    assert_eq!(a["aspects"]["delivery"], 1);
    assert_eq!(a["aspects"]["agent"], 0, "the satisfied are not counted");
    let ns = a["not_satisfied"].as_array().unwrap();
    assert_eq!(ns.len(), 2);
    assert_eq!(ns[0]["satisfaction"], "unsatisfied", "不满意 first");
    assert_eq!(ns[0]["words"], "轴承又坏了");
    assert!(ns[0]["opened_complaint_id"].is_i64(), "{}", ns[0]);
    assert_eq!(ns[1]["customer_name"], "一般客户");
    // The week before: nothing.
    let (_, before) = call(
        &c.manager,
        Method::GET,
        "/api/v1/follow-ups/analysis?week=2026-W48",
        Value::Null,
    )
    .await;
    assert_eq!(before["total"]["done"], 0);
    assert!(before["satisfied_permille"].is_null());
    // Refused: a week that is none, and an agent.
    let (status, e) = call(
        &c.manager,
        Method::GET,
        "/api/v1/follow-ups/analysis?week=2026-W54",
        Value::Null,
    )
    .await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (422, Some("bad_week"))
    );
    let (status, _) = call(
        &c.agent,
        Method::GET,
        "/api/v1/follow-ups/analysis",
        Value::Null,
    )
    .await;
    assert_eq!(status, 403);

    // Sent once per week, from Monday 08:00, to the managers — by this call or by the
    // instance's own job, whichever came first; never twice.
    let app = &c.app.app;
    app.send_follow_up_analysis().await.unwrap();
    assert!(!app.send_follow_up_analysis().await.unwrap());
    assert_eq!(
        sent(&c, "2026-W48").await,
        1,
        "last week's, to the one manager"
    );
    c.clock.set(bj("2026-12-07T07:30"));
    assert!(
        !app.send_follow_up_analysis().await.unwrap(),
        "not before 08:00"
    );
    assert_eq!(sent(&c, "2026-W49").await, 0);
    c.clock.set(bj("2026-12-07T08:05"));
    let peer = c.app.spawn_peer().await;
    let (x, y) = tokio::join!(
        app.send_follow_up_analysis(),
        peer.app.send_follow_up_analysis()
    );
    assert!(
        !(x.unwrap() && y.unwrap()),
        "two instances do not both send it"
    );
    peer.stop().await;
    assert_eq!(sent(&c, "2026-W49").await, 1);
    let manager = c
        .app
        .login("hui.manager", kefu_testkit::TEST_PASSWORD)
        .await;
    let page = manager.get("/notifications").await.text().await.unwrap();
    assert!(
        page.contains(
            "2026-W49 回访周报：完成回访 4 次，满意率 50.0%，不满意 1 次，逾期未回访 1 条。"
        ),
        "{page}"
    );
    let mut conn = c.app.app.store.conn().await.unwrap();
    let id: i64 = sqlx::query_scalar(
        "SELECT id FROM notifications WHERE kind = 'follow_up_analysis' \
         AND params LIKE '%2026-W49%'",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    drop(conn);
    let to_agent = c.app.notified("follow_up_analysis", Some(c.agent_id)).await;
    assert_eq!(to_agent, 0, "to the managers only");
    let res = manager
        .post_form(&format!("/notifications/{id}/open"), &[])
        .await;
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        "/follow-ups/analysis?week=2026-W49"
    );

    // The page and the XLSX.
    let html = manager
        .get("/follow-ups/analysis?week=2026-W49")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("data-testid=\"analysis-rate\">50.0%"),
        "{html}"
    );
    assert_eq!(html.matches("data-testid=\"analysis-agent\"").count(), 2);
    assert_eq!(html.matches("data-testid=\"analysis-line\"").count(), 2);
    assert!(html.contains("轴承又坏了") && html.contains("送货慢"));
    let res = manager.get("/follow-ups/analysis?week=W49").await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("“W49”不是有效的周"));
    use calamine::Reader;
    let res = manager.get("/follow-ups/analysis.xlsx?week=2026-W49").await;
    assert_eq!(res.status(), 200);
    let mut book = crate::spreadsheet::xlsx(&res.bytes().await.unwrap());
    let names = book.sheet_names().to_vec();
    let sheet = book.worksheet_range(&names[0]).unwrap();
    assert_eq!(crate::spreadsheet::text(&sheet, (0, 0)), "回访人");
    assert_eq!(crate::spreadsheet::text(&sheet, (1, 0)), "测试 hui.agent");
    assert_eq!(crate::spreadsheet::number(&sheet, (1, 1)), 3.0);
    assert_eq!(crate::spreadsheet::text(&sheet, (3, 0)), "全部客服");
    assert_eq!(
        crate::spreadsheet::number(&sheet, (3, 5)),
        50.0,
        "满意率 as a number"
    );
    assert_eq!(crate::spreadsheet::text(&sheet, (6, 0)), "不满意客户");
    assert_eq!(crate::spreadsheet::text(&sheet, (6, 6)), "轴承又坏了");
    c.app.stop().await;
}
