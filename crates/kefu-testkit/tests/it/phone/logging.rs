//! 登记 — a call's page logs it as a ticket in one form (channel 电话, the customer chosen,
//! the summary as the first message; the ticket page shows the call's talk time and
//! recording); a new customer is made with the call's number without anyone seeing it; a
//! call nobody reported is logged by hand, call and ticket in one form; the form sent twice
//! makes one of each.

use kefu_domain::Role;
use kefu_testkit::{ApiClient, Session, TEST_PASSWORD, TestApp, form_fields, json_body};
use reqwest::Method;
use serde_json::json;

use super::{call_field, count, event, line, map, post_event};

/// Sends the form posting to `action` on `page` with `changes` made to it; the answer.
async fn send(
    s: &Session,
    page: &str,
    action: &str,
    changes: &[(&str, &str)],
) -> reqwest::Response {
    let mut fields = form_fields(page, action);
    fields.retain(|(k, _)| k != "_csrf");
    for (k, v) in changes {
        fields.retain(|(key, _)| key != k);
        fields.push(((*k).to_owned(), (*v).to_owned()));
    }
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    s.post_form(action, &pairs).await
}

fn ticket_of(res: &reqwest::Response) -> i64 {
    let to = res.headers()["location"].to_str().unwrap();
    to.strip_prefix("/tickets/")
        .unwrap_or_else(|| panic!("opens a ticket: {to}"))
        .parse()
        .unwrap()
}

#[tokio::test]
async fn a_call_is_logged_as_its_ticket_from_its_page() {
    let app = TestApp::spawn().await;
    let agent = app.create_user("log.agent", &[Role::Agent]).await;
    let l = line(&app, "").await;
    map(&app, &l, "8001", agent).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let res = api
        .json(
            Method::POST,
            "/api/v1/customers",
            &json!({"name": "苏州恒达机电", "tier": "key_account",
                    "contacts": [{"name": "钱经理", "mobile": "13912345678"}]}),
        )
        .await;
    let customer = json_body(res).await["id"].as_i64().unwrap();
    post_event(&app, &l, &event(&app, "l-1", "ringing", "139 1234 5678")).await;
    let mut h = event(&app, "l-1", "hangup", "139 1234 5678");
    h["duration_secs"] = json!(192);
    h["recording_url"] = json!("https://pbx.example.com/rec/l-1.mp3");
    let (_, answer) = post_event(&app, &l, &h).await;
    let call = answer["call"].as_i64().unwrap();

    let s = app.login("log.agent", TEST_PASSWORD).await;
    let page = s.get(&format!("/calls/{call}")).await.text().await.unwrap();
    // The one customer with the number is chosen already.
    assert!(
        page.contains(&format!("value=\"{customer}\" checked")),
        "{page}"
    );
    let action = format!("/calls/{call}");
    let changes = [
        ("subject", "电机轴承异响"),
        (
            "summary",
            "客户来电：上周到货的电机运行时有异响，要求上门检查。",
        ),
    ];
    let res = send(&s, &page, &action, &changes).await;
    assert_eq!(res.status(), 303);
    let ticket = ticket_of(&res);
    // Sent again: the same ticket, none new.
    let res = send(&s, &page, &action, &changes).await;
    assert_eq!(ticket_of(&res), ticket);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM tickets").await, 1);

    let body = json_body(api.get(&format!("/api/v1/tickets/{ticket}")).await).await;
    let t = &body["ticket"];
    assert_eq!(t["channel"], "phone", "{t}");
    assert_eq!(t["subject"], "电机轴承异响");
    assert_eq!(t["assignee_id"], agent, "{t}");
    let linked: Option<i64> = {
        let mut c = app.app.store.conn().await.unwrap();
        sqlx::query_scalar("SELECT customer_id FROM tickets WHERE id = $1")
            .bind(ticket)
            .fetch_one(&mut *c)
            .await
            .unwrap()
    };
    assert_eq!(linked, Some(customer), "the ticket is the customer's");
    assert_eq!(
        call_field(&app, call, "ticket_id").await,
        ticket.to_string()
    );
    // The ticket page shows the call: talk time and recording; the number masked.
    let tp = s
        .get(&format!("/tickets/{ticket}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(tp.contains("data-testid=\"ticket-calls\""), "{tp}");
    assert!(tp.contains("3 分 12 秒"), "{tp}");
    assert!(tp.contains("https://pbx.example.com/rec/l-1.mp3"), "{tp}");
    assert!(
        tp.contains("上周到货的电机运行时有异响"),
        "the summary is the first message"
    );
    assert!(!tp.contains("1391234"), "{tp}");
    // The call now opens its ticket instead of the form, and has left the calls to log.
    let page = s.get(&format!("/calls/{call}")).await.text().await.unwrap();
    assert!(page.contains("data-testid=\"call-ticket\""), "{page}");
    assert!(!page.contains("data-testid=\"call-log\""));
    assert_eq!(
        s.get("/calls?view=unlogged")
            .await
            .text()
            .await
            .unwrap()
            .matches("data-testid=\"call-row\"")
            .count(),
        0
    );
    app.stop().await;
}

#[tokio::test]
async fn a_new_caller_becomes_a_customer_with_the_number_nobody_saw() {
    let app = TestApp::spawn().await;
    let agent = app.create_user("log.new", &[Role::Agent]).await;
    let l = line(&app, "").await;
    map(&app, &l, "8001", agent).await;
    let (_, answer) = post_event(
        &app,
        &l,
        &event(&app, "l-2", "ringing", "+86 186 0000 2222"),
    )
    .await;
    let call = answer["call"].as_i64().unwrap();
    let s = app.login("log.new", TEST_PASSWORD).await;
    // The pop's 新客户 link opens the form on a new customer.
    let page = s
        .get(&format!("/calls/{call}?new=1"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("value=\"new\" checked"), "{page}");
    let res = send(
        &s,
        &page,
        &format!("/calls/{call}"),
        &[
            ("new_name", "周女士"),
            ("subject", "咨询安装"),
            ("summary", "新客户来电咨询空调安装时间。"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303, "{:?}", res.headers());
    let ticket = ticket_of(&res);
    let customer: i64 = call_field(&app, call, "customer_id").await.parse().unwrap();
    let mut c = app.app.store.conn().await.unwrap();
    let (name, mobile): (String, Option<String>) = sqlx::query_as(
        "SELECT c.name, k.mobile FROM customers c JOIN customer_contacts k \
         ON k.customer_id = c.id WHERE c.id = $1",
    )
    .bind(customer)
    .fetch_one(&mut *c)
    .await
    .unwrap();
    assert_eq!(name, "周女士");
    assert_eq!(mobile.as_deref(), Some("18600002222"));
    let linked: Option<i64> = sqlx::query_scalar("SELECT customer_id FROM tickets WHERE id = $1")
        .bind(ticket)
        .fetch_one(&mut *c)
        .await
        .unwrap();
    assert_eq!(linked, Some(customer));
    app.stop().await;
}

#[tokio::test]
async fn a_call_logged_by_hand_makes_the_call_and_its_ticket_in_one_form() {
    let app = TestApp::spawn().await;
    app.create_user("log.hand", &[Role::Agent]).await;
    let s = app.login("log.hand", TEST_PASSWORD).await;
    let page = s.get("/calls/new").await.text().await.unwrap();
    let changes = [
        ("direction", "outbound"),
        ("number", "0571-8888 6666"),
        ("duration_min", "4"),
        ("subject", "回访：上门维修满意度"),
        ("summary", "回访客户，维修已完成，客户满意。"),
    ];
    let res = send(&s, &page, "/calls", &changes).await;
    assert_eq!(res.status(), 303);
    let ticket = ticket_of(&res);
    // The same form sent again makes nothing new.
    let res = send(&s, &page, "/calls", &changes).await;
    assert_eq!(ticket_of(&res), ticket);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM phone_calls").await, 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM tickets").await, 1);
    let call: i64 = {
        let mut c = app.app.store.conn().await.unwrap();
        sqlx::query_scalar("SELECT id FROM phone_calls")
            .fetch_one(&mut *c)
            .await
            .unwrap()
    };
    assert_eq!(call_field(&app, call, "source").await, "manual");
    assert_eq!(call_field(&app, call, "direction").await, "outbound");
    assert_eq!(call_field(&app, call, "duration_secs").await, "240");
    assert_eq!(
        call_field(&app, call, "customer_number").await,
        "057188886666"
    );
    assert_eq!(
        call_field(&app, call, "ticket_id").await,
        ticket.to_string()
    );
    let tp = s
        .get(&format!("/tickets/{ticket}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(tp.contains("4 分 0 秒"), "{tp}");
    assert!(tp.contains("****6666") && !tp.contains("88886666"), "{tp}");

    // A number that is none is refused on the form, and nothing is made.
    let page = s.get("/calls/new").await.text().await.unwrap();
    let res = send(
        &s,
        &page,
        "/calls",
        &[
            ("number", "not a number"),
            ("subject", "x"),
            ("summary", "y"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("data-testid=\"form-error\""), "{html}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM phone_calls").await, 1);
    app.stop().await;
}
