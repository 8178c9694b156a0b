//! 客户门户 — a customer asking for another customer's ticket (its page, a file on it, a
//! reply to it) gets the very answer a ticket that does not exist gets: nothing tells them
//! the number is taken.

use kefu_domain::Role;
use kefu_testkit::{ApiClient, Session, TEST_PASSWORD, TestApp, json_body};
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::json;

use super::{PNG, anonymous};

async fn register(app: &TestApp, email: &str, name: &str) -> (Session, i64) {
    let s = anonymous(app);
    let res = s
        .post_form(
            "/portal/register",
            &[
                ("email", email),
                ("name", name),
                ("password", TEST_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), 303, "{email} registers");
    let mut c = app.app.store.conn().await.unwrap();
    let id: i64 = sqlx::query_scalar("SELECT id FROM portal_customers WHERE email = $1")
        .bind(email)
        .fetch_one(&mut *c)
        .await
        .unwrap();
    (s, id)
}

/// The status and page of an answer.
async fn answer(res: reqwest::Response) -> (u16, String) {
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}

#[tokio::test]
async fn another_customers_ticket_is_not_found_like_one_that_does_not_exist() {
    let app = TestApp::spawn().await;
    let agent = app.create_user("pt.agent", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let (zhang, zhang_id) = register(&app, "pt.zhang@example.com", "张女士").await;
    let (li, _) = register(&app, "pt.li@example.com", "李先生").await;

    // Staff file a ticket for 张女士.
    let ticket = json_body(
        api.json(
            Method::POST,
            "/api/v1/tickets",
            &json!({"channel": "phone", "subject": "来电：洗衣机漏水", "body": "上门检查", "requester_id": zhang_id}),
        )
        .await,
    )
    .await["id"]
        .as_i64()
        .expect("a ticket");
    // She answers with a photo (a customer sees the files on public messages only).
    let form = Form::new()
        .text("_csrf", zhang.csrf().await)
        .text("body", "漏水处的照片")
        .part("files", Part::bytes(PNG.to_vec()).file_name("漏水.png"));
    let sent = zhang
        .client
        .post(zhang.url(&format!("/portal/tickets/{ticket}/reply")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert!(sent.status().is_redirection(), "{}", sent.status());
    let file: i64 = {
        let mut c = app.app.store.conn().await.unwrap();
        sqlx::query_scalar("SELECT id FROM ticket_attachments WHERE ticket_id = $1")
            .bind(ticket)
            .fetch_one(&mut *c)
            .await
            .unwrap()
    };
    assert_eq!(
        zhang
            .get(&format!("/portal/tickets/{ticket}"))
            .await
            .status(),
        200
    );
    assert_eq!(
        zhang
            .get(&format!("/portal/tickets/{ticket}/attachments/{file}"))
            .await
            .status(),
        200
    );

    // 李先生 asks for it, and for a number nobody has: the same 404, word for word.
    let missing = ticket + 1000;
    for (theirs, none) in [
        (
            format!("/portal/tickets/{ticket}"),
            format!("/portal/tickets/{missing}"),
        ),
        (
            format!("/portal/tickets/{ticket}/attachments/{file}"),
            format!("/portal/tickets/{missing}/attachments/{file}"),
        ),
    ] {
        let a = answer(li.get(&theirs).await).await;
        let b = answer(li.get(&none).await).await;
        assert_eq!(a.0, 404, "{theirs}");
        assert_eq!(a, b, "{theirs} answers as {none}");
    }
    let before = json_body(api.get(&format!("/api/v1/tickets/{ticket}")).await).await["messages"]
        .as_array()
        .map_or(0, Vec::len);
    let a = answer(
        li.post_form(
            &format!("/portal/tickets/{ticket}/reply"),
            &[("body", "我来插一句")],
        )
        .await,
    )
    .await;
    let b = answer(
        li.post_form(
            &format!("/portal/tickets/{missing}/reply"),
            &[("body", "我来插一句")],
        )
        .await,
    )
    .await;
    assert_eq!(a.0, 404);
    assert_eq!(a, b, "a reply to another's ticket answers as one to none");
    let after = json_body(api.get(&format!("/api/v1/tickets/{ticket}")).await).await["messages"]
        .as_array()
        .map_or(0, Vec::len);
    assert_eq!(after, before, "nothing was added");
    app.stop().await;
}
