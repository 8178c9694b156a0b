//! 电话 in the browser: an agent works with the workbench open; the telephone system reports
//! a call ringing at their extension; the banner pops with the caller's customer and the
//! number masked; the agent opens it, logs the call, and lands on its ticket, which shows
//! the call.
//!
//! Screenshots: `phone-pop` (the banner over the workbench), `phone-logged` (the ticket).

use std::time::Duration;

use fantoccini::Locator;
use kefu_domain::Role;
use kefu_testkit::browser::{self, Browser};
use kefu_testkit::{ApiClient, TestApp, json_body};
use reqwest::Method;
use serde_json::json;

use super::{fill_and_submit, sign_in};
use crate::phone::{event, line, map, post_event};

#[tokio::test]
async fn a_ringing_call_pops_and_is_logged_as_a_ticket_in_chromium() {
    if browser::missing() {
        return;
    }
    let app = TestApp::spawn().await;
    let agent = app.create_user("tel.agent", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let res = api
        .json(
            Method::POST,
            "/api/v1/customers",
            &json!({"name": "苏州恒达机电", "tier": "key_account",
                    "contacts": [{"name": "钱经理", "mobile": "13912345678"}]}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let customer = json_body(res).await["id"].as_i64().unwrap();
    let l = line(&app, "0512").await;
    map(&app, &l, "8001", agent).await;

    let b = Browser::start().await;
    let c = &b.client;
    sign_in(c, &app, "tel.agent").await;
    c.wait()
        .for_element(Locator::Css("[data-tile='phone.callbacks']"))
        .await
        .expect("the workbench shows the call tiles");
    // A mark on this very page: the banner comes without a reload.
    c.execute("window.kefuKept = true; return null;", vec![])
        .await
        .unwrap();
    // Give the page a moment to start listening on /events/phone.
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let (status, answer) = post_event(
        &app,
        &l,
        &event(&app, "b-1", "ringing", "+86 139 1234 5678"),
    )
    .await;
    assert_eq!(status, 201, "{answer}");
    let call = answer["call"].as_i64().unwrap();
    let pop = c
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(&format!("[data-call-pop='{call}']")))
        .await
        .expect("the banner pops");
    let text = pop.text().await.unwrap();
    assert!(text.contains("苏州恒达机电"), "{text}");
    assert!(text.contains("139****5678"), "{text}");
    assert!(!text.contains("1391234"), "{text}");
    let kept = c
        .execute("return window.kefuKept === true;", vec![])
        .await
        .unwrap();
    assert_eq!(kept, json!(true), "the banner came without a reload");
    let source = c.source().await.unwrap();
    assert!(
        !source.contains("13912345678"),
        "the number is nowhere on the page"
    );
    b.screenshot("phone-pop").await;

    // 记录通话: the call's page, the customer chosen already.
    pop.find(Locator::Css("[data-testid=pop-log]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("[data-testid=call-log]"))
        .await
        .expect("the call's page with its form");
    let chosen = c
        .find(Locator::Css(&format!(
            "input[name=match][value='{customer}']"
        )))
        .await
        .unwrap();
    assert!(
        chosen.is_selected().await.unwrap(),
        "the customer is chosen"
    );
    fill_and_submit(
        c,
        "call-log",
        &[
            ("subject", "电机轴承异响"),
            (
                "summary",
                "客户来电：上周到货的电机运行时有异响，要求上门检查。",
            ),
        ],
        Some("[data-testid=call-log-submit]"),
    )
    .await;
    c.wait()
        .for_element(Locator::Css("[data-testid=ticket-calls]"))
        .await
        .expect("the ticket shows the call");
    let url = c.current_url().await.unwrap();
    let ticket: i64 = url
        .path()
        .strip_prefix("/tickets/")
        .unwrap()
        .parse()
        .unwrap();
    let heading = c
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(heading.contains("电机轴承异响"), "{heading}");
    b.screenshot("phone-logged").await;
    b.close().await;

    let (channel, linked): (String, Option<i64>) = {
        let mut conn = app.app.store.conn().await.unwrap();
        let channel = sqlx::query_scalar("SELECT channel FROM tickets WHERE id = $1")
            .bind(ticket)
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        let linked = sqlx::query_scalar("SELECT ticket_id FROM phone_calls WHERE id = $1")
            .bind(call)
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        (channel, linked)
    };
    assert_eq!(channel, "phone");
    assert_eq!(linked, Some(ticket));
    app.stop().await;
}
