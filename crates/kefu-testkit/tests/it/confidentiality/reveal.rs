//! Revealing a masked value: one at a time, by the roles the administrator allows, audited;
//! a masked value sent back unchanged keeps what is stored.

use kefu_domain::Role;
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, json_body};
use reqwest::Method;
use serde_json::json;

use super::{audit_count, post, reveal};
#[tokio::test]
async fn a_tickets_contact_is_masked_for_every_role_and_revealed_one_at_a_time_with_an_audit() {
    let app = TestApp::spawn().await;
    let admin_id = app.create_user("mask.admin", &[Role::Admin]).await;
    let admin = ApiClient::new(&app, &app.token_for(admin_id).await);
    let quality_id = app
        .create_user("mask.quality", &[Role::QualitySpecialist])
        .await;
    let quality = ApiClient::new(&app, &app.token_for(quality_id).await);
    let agent_id = app.create_user("mask.agent", &[Role::Agent]).await;
    let agent = ApiClient::new(&app, &app.token_for(agent_id).await);

    // The repro: the admin files it, the quality specialist reads it.
    let created = post(
        &admin,
        "/api/v1/tickets",
        json!({"subject": "来电咨询", "body": "咨询保修政策。", "contact_name": "张三",
               "contact_phone": "13812345678", "contact_email": "13955379945@163.com"}),
    )
    .await;
    assert_eq!(created["contact_phone"], "138****5678");
    let id = created["id"].as_i64().unwrap();
    for reader in [&quality, &agent, &admin] {
        let one = json_body(reader.get(&format!("/api/v1/tickets/{id}")).await).await;
        assert_eq!(one["ticket"]["contact_phone"], "138****5678");
        assert_eq!(one["ticket"]["contact_email"], "139****9945@163.com");
        let list = json_body(reader.get("/api/v1/tickets?queue=all").await).await;
        assert_eq!(list["tickets"][0]["contact_phone"], "138****5678");
    }
    let revealed = audit_count(&app, "sensitive_revealed").await;
    assert_eq!(revealed, 0, "reading is not revealing");

    // The quality specialist may never reveal; the agent may, audited.
    let path = format!("/api/v1/tickets/{id}/reveal");
    let phone = json!({"field": "contact_phone"});
    assert_eq!(reveal(&quality, &path, phone.clone()).await.0, 403);
    assert_eq!(
        reveal(&agent, &path, phone).await,
        (200, json!("13812345678"))
    );
    assert_eq!(
        reveal(&agent, &path, json!({"field": "contact_email"})).await,
        (200, json!("13955379945@163.com"))
    );
    assert_eq!(audit_count(&app, "sensitive_revealed").await, 2);

    // The page: masked in the field, a reveal button for the agent only, the clear value
    // shown after the audited reveal, and the "find customer" link without the number.
    let page = app.login("mask.agent", TEST_PASSWORD).await;
    let html = page
        .get(&format!("/tickets/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("value=\"138****5678\"") && !html.contains("13812345678"));
    assert!(html.contains("data-testid=\"reveal-contact-phone\""));
    assert!(html.contains(&format!("/customers?q=&link_ticket={id}")));
    let html = page
        .post_form(
            &format!("/tickets/{id}/reveal"),
            &[("field", "contact_phone")],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("<strong data-testid=\"revealed\">13812345678</strong>"));
    assert_eq!(audit_count(&app, "sensitive_revealed").await, 3);
    let q = app.login("mask.quality", TEST_PASSWORD).await;
    let html = q.get(&format!("/tickets/{id}")).await.text().await.unwrap();
    assert!(!html.contains("reveal-contact-phone") && !html.contains("13812345678"));
    let res = q
        .post_form(
            &format!("/tickets/{id}/reveal"),
            &[("field", "contact_phone")],
        )
        .await;
    assert_eq!(res.status(), 403);
    app.stop().await;
}

#[tokio::test]
async fn a_masked_field_sent_back_unchanged_keeps_the_stored_value() {
    let app = TestApp::spawn().await;
    let agent_id = app.create_user("keep.agent", &[Role::Agent]).await;
    let agent = ApiClient::new(&app, &app.token_for(agent_id).await);
    let id = post(
        &agent,
        "/api/v1/tickets",
        json!({"subject": "报修", "body": "冰箱不制冷。", "contact_name": "赵六",
               "contact_phone": "138 1234 5678", "contact_email": "13955379945@163.com"}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    // The page's form, saved as shown (only the priority changed).
    let s = app.login("keep.agent", TEST_PASSWORD).await;
    let res = s
        .post_form(
            &format!("/tickets/{id}"),
            &[
                ("status", "new"),
                ("priority", "high"),
                ("type", "inquiry"),
                ("contact_name", "赵六"),
                ("contact_phone", "138****5678"),
                ("contact_email", "139****9945@163.com"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    // The API, patched with the mask it was given.
    let res = agent
        .json(
            Method::PATCH,
            &format!("/api/v1/tickets/{id}"),
            &json!({"contact_phone": "138****5678"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let t = kefu_store::ticket::by_id(&mut app.app.store.conn().await.unwrap(), id)
        .await
        .unwrap();
    assert_eq!(t.contact_phone.as_deref(), Some("13812345678"));
    assert_eq!(t.contact_email.as_deref(), Some("13955379945@163.com"));
    let detail = json_body(agent.get(&format!("/api/v1/tickets/{id}")).await).await;
    assert_eq!(detail["ticket"]["priority"], "high");
    // No event pretends the phone changed.
    let events = detail["events"].as_array().unwrap();
    assert!(
        !events.iter().any(|e| e["field"] == "contact_phone"),
        "{events:?}"
    );
    // A different masked text is not a mask of the stored value: refused as a phone.
    let res = agent
        .json(
            Method::PATCH,
            &format!("/api/v1/tickets/{id}"),
            &json!({"contact_phone": "139****5678"}),
        )
        .await;
    assert_eq!(res.status(), 422);
    app.stop().await;
}

#[tokio::test]
async fn a_contact_phone_is_validated_and_normalised_like_the_archives() {
    let app = TestApp::spawn().await;
    let agent_id = app.create_user("phone.agent", &[Role::Agent]).await;
    let agent = ApiClient::new(&app, &app.token_for(agent_id).await);
    let mut conn = app.app.store.conn().await.unwrap();
    for (sent, stored) in [
        ("+86 138-1234-5678", "13812345678"),
        ("0571-8888 6666", "0571-8888 6666"),
        ("+1 415 555 0100", "+1 415 555 0100"),
    ] {
        let id = post(
            &agent,
            "/api/v1/tickets",
            json!({"subject": "来电", "body": "咨询。", "contact_phone": sent}),
        )
        .await["id"]
            .as_i64()
            .unwrap();
        let t = kefu_store::ticket::by_id(&mut conn, id).await.unwrap();
        assert_eq!(t.contact_phone.as_deref(), Some(stored), "{sent}");
    }
    for bad in ["23812345678", "12812345678", "1234"] {
        let res = agent
            .json(
                Method::POST,
                "/api/v1/tickets",
                &json!({"subject": "来电", "body": "咨询。", "contact_phone": bad}),
            )
            .await;
        assert_eq!(res.status(), 422, "{bad}");
    }
    app.stop().await;
}

#[tokio::test]
async fn an_administrator_withdraws_or_grants_reveal_per_role() {
    let app = TestApp::spawn().await;
    app.create_user("grant.admin", &[Role::Admin]).await;
    let agent_id = app.create_user("grant.agent", &[Role::Agent]).await;
    let agent = ApiClient::new(&app, &app.token_for(agent_id).await);
    let quality_id = app
        .create_user("grant.quality", &[Role::QualitySpecialist])
        .await;
    let quality = ApiClient::new(&app, &app.token_for(quality_id).await);
    let id = post(
        &agent,
        "/api/v1/tickets",
        json!({"subject": "来电", "body": "咨询。", "contact_phone": "13812345678"}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/tickets/{id}/reveal");
    let phone = json!({"field": "contact_phone"});
    assert_eq!(reveal(&agent, &path, phone.clone()).await.0, 200);
    assert_eq!(reveal(&quality, &path, phone.clone()).await.0, 403);

    // The administrator's page: every role with its default; withdraw from agents, grant
    // the quality specialist, leave the rest as they were.
    let admin = app.login("grant.admin", TEST_PASSWORD).await;
    let html = admin.get("/admin/grants").await.text().await.unwrap();
    assert!(html.contains("data-testid=\"grant-customer_reveal:agent\""));
    let mut form: Vec<(String, String)> = Vec::new();
    for role in Role::ALL {
        form.push(("shown".into(), format!("customer_reveal:{}", role.key())));
        let default =
            kefu_domain::permission::role_grants(role, kefu_domain::Permission::CustomerReveal);
        let granted = match role {
            Role::Agent => false,
            Role::QualitySpecialist => true,
            _ => default,
        };
        if granted {
            form.push((format!("customer_reveal:{}", role.key()), "1".into()));
        }
    }
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let res = admin.post_form("/admin/grants", &fields).await;
    assert_eq!(res.status(), 303);
    assert_eq!(audit_count(&app, "grant_changed").await, 2);

    assert_eq!(reveal(&agent, &path, phone.clone()).await.0, 403);
    assert_eq!(reveal(&quality, &path, phone).await.0, 200);
    // The signed-in agent's page follows on its next request.
    let page = app.login("grant.agent", TEST_PASSWORD).await;
    let html = page
        .get(&format!("/tickets/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!html.contains("reveal-contact-phone"));
    let me = json_body(agent.get("/api/v1/me").await).await;
    assert!(
        !me["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "customer_reveal")
    );
    // Non-administrators cannot change it.
    let res = page
        .post_form("/admin/grants", &[("customer_reveal:agent", "1")])
        .await;
    assert_eq!(res.status(), 403);
    app.stop().await;
}
