//! Complaints opened from a ticket keep the ticket's phone masked, and a ticket is linked
//! to its customer by a phone nobody sees.

use kefu_domain::Role;
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, json_body};
use serde_json::json;

use super::{audit_count, post, reveal};
#[tokio::test]
async fn a_complaint_opened_from_a_ticket_keeps_its_phone_and_shows_it_masked() {
    let app = TestApp::spawn().await;
    let specialist_id = app
        .create_user("cp.specialist", &[Role::ComplaintSpecialist])
        .await;
    let api = ApiClient::new(&app, &app.token_for(specialist_id).await);
    let ticket = post(
        &api,
        "/api/v1/tickets",
        json!({"subject": "投诉", "body": "送货延误三天。", "contact_name": "钱七",
               "contact_phone": "13812345678"}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let s = app.login("cp.specialist", TEST_PASSWORD).await;
    let html = s
        .get(&format!("/complaints/new?ticket={ticket}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("value=\"138****5678\"") && !html.contains("13812345678"));
    // Submitted as prefilled: the ticket's number is kept, not the mask.
    let res = s
        .post_form(
            "/complaints",
            &[
                ("ticket", &ticket.to_string()),
                ("complainant", "钱七"),
                ("complainant_phone", "138****5678"),
                ("channel", "phone"),
                ("content", "送货延误三天。"),
                ("category", "delivery"),
                ("severity", "minor"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let complaint: i64 = location.trim_start_matches("/complaints/").parse().unwrap();
    let c = kefu_store::complaint::by_id(&mut app.app.store.conn().await.unwrap(), complaint)
        .await
        .unwrap();
    assert_eq!(c.complainant_phone.as_deref(), Some("13812345678"));
    let one = json_body(api.get(&format!("/api/v1/complaints/{complaint}")).await).await;
    assert_eq!(one["complaint"]["complainant_phone"], "138****5678");
    let html = s
        .get(&format!("/complaints/{complaint}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("138****5678") && !html.contains("13812345678"));
    let html = s
        .post_form(&format!("/complaints/{complaint}/reveal"), &[])
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("<strong data-testid=\"revealed\">13812345678</strong>"));
    assert_eq!(
        reveal(
            &api,
            &format!("/api/v1/complaints/{complaint}/reveal"),
            json!({})
        )
        .await,
        (200, json!("13812345678"))
    );
    assert_eq!(audit_count(&app, "sensitive_revealed").await, 2);
    app.stop().await;
}

#[tokio::test]
async fn linking_a_ticket_finds_the_customer_by_its_phone_without_showing_it() {
    let app = TestApp::spawn().await;
    let agent_id = app.create_user("link.agent", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(agent_id).await);
    let customer = post(
        &api,
        "/api/v1/customers",
        json!({"name": "宁波海曙五金店", "contacts": [{"name": "孙老板", "mobile": "13812345678"}]}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    // The same mobile spelt another way: the archive's customer is found from the ticket.
    let ticket = post(
        &api,
        "/api/v1/tickets",
        json!({"subject": "来电", "body": "咨询。", "contact_phone": "+86 138 1234 5678"}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let s = app.login("link.agent", TEST_PASSWORD).await;
    let html = s
        .get(&format!("/customers?link_ticket={ticket}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(&format!("/customers/{customer}")), "{html}");
    assert!(html.contains("138****5678") && !html.contains("13812345678"));
    app.stop().await;
}
