//! 弹屏 — a ringing call is announced to the agent whose extension rings, within a second,
//! and to nobody else; the pop names the caller's customer (one: their card; several: a
//! choice; none: 新客户) with the number masked, and the number is in no answer in clear.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use kefu_domain::Role;
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, json_body};
use reqwest::Method;
use serde_json::{Value, json};

use super::{event, line, map, post_event};

async fn customer(api: &ApiClient, name: &str, contact: Value) -> i64 {
    let res = api
        .json(
            Method::POST,
            "/api/v1/customers",
            &json!({"name": name, "tier": "vip", "contacts": [contact]}),
        )
        .await;
    assert_eq!(res.status(), 201, "customer {name}");
    json_body(res).await["id"].as_i64().unwrap()
}

/// Reads the stream until `want` shows up or `limit` passes: what arrived, and when `want`
/// did.
pub(super) async fn read_until<S, B>(
    stream: &mut S,
    want: &str,
    limit: Duration,
) -> (String, Option<Instant>)
where
    S: futures_util::Stream<Item = reqwest::Result<B>> + Unpin,
    B: AsRef<[u8]>,
{
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, stream.next()).await {
            Ok(Some(Ok(chunk))) => {
                seen.push_str(&String::from_utf8_lossy(chunk.as_ref()));
                if !want.is_empty() && seen.contains(want) {
                    return (seen, Some(Instant::now()));
                }
            }
            _ => return (seen, None),
        }
    }
}

#[tokio::test]
async fn a_ringing_call_pops_to_the_agent_whose_extension_rings_and_to_nobody_else() {
    let app = TestApp::spawn().await;
    let mine = app.create_user("pop.mine", &[Role::Agent]).await;
    app.create_user("pop.other", &[Role::Agent]).await;
    let l = line(&app, "0571").await;
    map(&app, &l, "8001", mine).await;
    let api = ApiClient::new(&app, &app.token_for(mine).await);
    let c = customer(
        &api,
        "杭州明达贸易有限公司",
        json!({"name": "王经理", "phone": "0571-8888 6666"}),
    )
    .await;

    let s_mine = app.login("pop.mine", TEST_PASSWORD).await;
    let s_other = app.login("pop.other", TEST_PASSWORD).await;
    let res = s_mine.get("/events/phone").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    let mut mine_stream = res.bytes_stream();
    let mut other_stream = s_other.get("/events/phone").await.bytes_stream();
    // Give the poller a moment to start from the log's head.
    tokio::time::sleep(Duration::from_millis(700)).await;

    // A local number without area code: the exchange's 0571 makes it the archive's landline.
    let (status, answer) = post_event(&app, &l, &event(&app, "p-1", "ringing", "8888 6666")).await;
    let posted = Instant::now();
    assert_eq!(status, 201, "{answer}");
    let call = answer["call"].as_i64().unwrap();
    let want = format!("data: {{\"call\":{call}}}");
    let (seen, at) = read_until(&mut mine_stream, &want, Duration::from_secs(5)).await;
    let at = at.unwrap_or_else(|| panic!("the agent hears of the call: {seen}"));
    assert!(seen.contains("event: call"), "{seen}");
    assert!(
        at.duration_since(posted) <= Duration::from_secs(1),
        "the pop arrives within a second (took {:?})",
        at.duration_since(posted)
    );
    assert!(!seen.contains("8888") && !seen.contains("6666"), "{seen}");
    let (others, _) = read_until(&mut other_stream, "", Duration::from_millis(1500)).await;
    assert!(
        !others.contains("event: call"),
        "another agent hears nothing: {others}"
    );

    // The pop: the one customer with the number, the number masked.
    let html = s_mine
        .get(&format!("/calls/{call}/pop"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("data-testid=\"phone-pop\""), "{html}");
    assert!(html.contains("杭州明达贸易有限公司"), "{html}");
    assert!(html.contains(&format!("/customers/{c}")), "{html}");
    assert!(html.contains("data-testid=\"pop-customer-tier\""), "{html}");
    assert!(html.contains("****6666"), "the number masked: {html}");
    assert!(!html.contains("88886666"), "never the number: {html}");
    assert!(
        html.contains(&format!("href=\"/calls/{call}\"")),
        "记录通话: {html}"
    );
    // The call is the customer's already (one customer has the number).
    let page = s_mine
        .get(&format!("/calls/{call}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("88886666"), "{page}");
    assert!(page.contains("杭州明达贸易有限公司"));

    // Answered: no pop for the answer or the hangup.
    post_event(&app, &l, &event(&app, "p-1", "answered", "8888 6666")).await;
    let (seen, _) = read_until(&mut mine_stream, "", Duration::from_millis(1200)).await;
    assert!(!seen.contains("event: call"), "{seen}");
    app.stop().await;
}

#[tokio::test]
async fn the_pop_offers_a_choice_for_several_customers_and_a_new_one_for_none() {
    let app = TestApp::spawn().await;
    let agent = app.create_user("pop.choice", &[Role::Agent]).await;
    let l = line(&app, "").await;
    map(&app, &l, "8001", agent).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    for name in ["宁波海联电器", "宁波海联物流"] {
        customer(
            &api,
            name,
            json!({"name": "陈先生", "mobile": "13900001111"}),
        )
        .await;
    }
    let s = app.login("pop.choice", TEST_PASSWORD).await;

    let (_, answer) = post_event(&app, &l, &event(&app, "p-2", "ringing", "+8613900001111")).await;
    let call = answer["call"].as_i64().unwrap();
    let html = s
        .get(&format!("/calls/{call}/pop"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("data-testid=\"pop-choices\""), "{html}");
    assert_eq!(
        html.matches("data-testid=\"pop-choice\"").count(),
        2,
        "{html}"
    );
    assert!(html.contains("宁波海联电器") && html.contains("宁波海联物流"));
    assert!(html.contains("139****1111"), "{html}");
    assert!(!html.contains("1390000"), "{html}");
    // The call's page offers the same choice, none chosen for the agent.
    let page = s.get(&format!("/calls/{call}")).await.text().await.unwrap();
    assert_eq!(page.matches("data-testid=\"call-match\"").count(), 2);
    assert!(!page.contains("1390000"));

    let (_, answer) = post_event(&app, &l, &event(&app, "p-3", "ringing", "18600002222")).await;
    let call = answer["call"].as_i64().unwrap();
    let html = s
        .get(&format!("/calls/{call}/pop"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("data-testid=\"pop-new\""), "{html}");
    assert!(html.contains("新客户"), "{html}");
    assert!(html.contains(&format!("/calls/{call}?new=1")), "{html}");
    assert!(!html.contains("1860000"), "{html}");

    // A withheld number pops with no number and no customer.
    let (_, answer) = post_event(&app, &l, &event(&app, "p-4", "ringing", "anonymous")).await;
    let call = answer["call"].as_i64().unwrap();
    let html = s
        .get(&format!("/calls/{call}/pop"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("未显示号码"), "{html}");
    assert!(html.contains("data-testid=\"pop-new\""), "{html}");
    app.stop().await;
}
