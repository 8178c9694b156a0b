//! Corners of the loop: evidence files added over the API and with the investigation form,
//! listed on the page and in the detail and downloaded as ticket attachments; the
//! improvement measure's owner and due date, checked and shown; the answer promised in
//! business time; and a complaint registered from the board linked to a customer.

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use kefu_domain::{FixedClock, Role};
use kefu_testkit::{TEST_PASSWORD, TestApp, TestOptions, json_body, unescape_html};
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::json;

use super::follow_up_agent::{to_follow_up, user_id};
use super::{cast, intake, post, stage};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\0\x01\x01\0\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82";
const EXE: &[u8] = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0\xb8\0\0\0\0\0\0\0";

/// Beijing wall time as an instant.
fn bj(s: &str) -> Timestamp {
    let dt: jiff::civil::DateTime = s.parse().unwrap();
    dt.to_zoned(TimeZone::get("Asia/Shanghai").unwrap())
        .unwrap()
        .timestamp()
}

/// Today plus `days` in Beijing, `YYYY-MM-DD`.
fn day(app: &TestApp, days: i64) -> String {
    (app.now() + jiff::SignedDuration::from_hours(24 * days))
        .to_zoned(TimeZone::get("Asia/Shanghai").unwrap())
        .date()
        .to_string()
}

#[tokio::test]
async fn evidence_goes_in_over_the_api_and_the_form_and_comes_out_as_attachments() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let (_, body) = post(&c.agent, "/api/v1/complaints", intake()).await;
    let id = body["id"].as_i64().unwrap();
    let upload = |api: &kefu_testkit::ApiClient, form: Form| {
        api.request(Method::POST, &format!("/api/v1/complaints/{id}/evidence"))
            .multipart(form)
            .send()
    };

    // Over the API, as ticket attachments are: checked by size and by the bytes.
    let form = Form::new()
        .part("file", Part::bytes(PNG.to_vec()).file_name("外圈裂纹.png"))
        .part(
            "file",
            Part::bytes("批次 20261103，炉温记录缺失 40 分钟".as_bytes().to_vec())
                .file_name("炉温记录.txt"),
        );
    let res = upload(&c.specialist, form).await.unwrap();
    assert_eq!(res.status(), 201);
    let added = json_body(res).await;
    assert_eq!(added.as_array().unwrap().len(), 2);
    assert_eq!(added[0]["content_type"], "image/png");
    let text_link = added[1]["download"].as_str().unwrap().to_owned();
    // A program is refused and nothing is added; the agent may not add evidence.
    let form = Form::new().part("file", Part::bytes(EXE.to_vec()).file_name("setup.exe"));
    let res = upload(&c.specialist, form).await.unwrap();
    assert_eq!(res.status(), 415);
    assert_eq!(
        json_body(res).await["error"]["code"],
        "attachment_forbidden_type"
    );
    let form = Form::new().part("file", Part::bytes(PNG.to_vec()).file_name("a.png"));
    assert_eq!(upload(&c.agent, form).await.unwrap().status(), 403);

    // In the detail, and downloaded through the ticket attachment's route.
    let d = json_body(c.specialist.get(&format!("/api/v1/complaints/{id}")).await).await;
    let names: Vec<&str> = d["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["filename"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["外圈裂纹.png", "炉温记录.txt"]);
    assert_eq!(
        d["evidence"][1]["size"],
        "批次 20261103，炉温记录缺失 40 分钟".len()
    );
    let ticket = d["complaint"]["ticket_id"].as_i64().unwrap();
    assert!(text_link.starts_with(&format!("/api/v1/tickets/{ticket}/attachments/")));
    let res = c.specialist.get(&text_link).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(
        res.text().await.unwrap(),
        "批次 20261103，炉温记录缺失 40 分钟"
    );
    // A department's staff download no ticket files.
    let res = c.quality.get(&text_link).await;
    assert_eq!(res.status(), 403);

    // On the page: name, size and a link the page serves.
    let specialist = app.login("tou.su", TEST_PASSWORD).await;
    let page = unescape_html(
        &specialist
            .get(&format!("/complaints/{id}"))
            .await
            .text()
            .await
            .unwrap(),
    );
    assert!(page.contains("data-testid=\"evidence\""));
    assert!(page.contains("外圈裂纹.png") && page.contains("炉温记录.txt"));
    let start = page
        .find(&format!("/tickets/{ticket}/attachments/"))
        .expect("a download link");
    let href: String = page[start..].chars().take_while(|c| *c != '"').collect();
    let file = specialist.get(&href).await;
    assert_eq!(file.status(), 200);
    assert_eq!(file.bytes().await.unwrap().as_ref(), PNG);

    // The investigation form's files become evidence too.
    post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/intake"),
        json!({}),
    )
    .await;
    let (_, d) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/judgement"),
        json!({"valid": true, "department_id": c.quality_dept}),
    )
    .await;
    let notice = d["notices"][0]["id"].as_i64().unwrap();
    post(
        &c.quality,
        &format!("/api/v1/complaint-notices/{notice}/answer"),
        json!({"answer": "同批次热处理异常"}),
    )
    .await;
    post(
        &c.specialist,
        &format!("/api/v1/complaint-notices/{notice}/review"),
        json!({"accept": true}),
    )
    .await;
    assert_eq!(stage(&c.specialist, id).await, "investigation");
    let form = Form::new()
        .text("_csrf", specialist.csrf().await)
        .text("cause", "production")
        .text("findings", "热处理炉温控失效导致外圈脆裂")
        .part("files", Part::bytes(PNG.to_vec()).file_name("金相照片.png"));
    let res = specialist
        .client
        .post(specialist.url(&format!("/complaints/{id}/investigation")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let d = json_body(c.specialist.get(&format!("/api/v1/complaints/{id}")).await).await;
    assert_eq!(d["evidence"].as_array().unwrap().len(), 3);
    assert_eq!(d["evidence"][2]["filename"], "金相照片.png");
    assert!(d["evidence"][2]["added_by"].is_string());
    app.stop().await;
}

#[tokio::test]
async fn the_measure_has_an_active_owner_and_a_due_date_not_in_the_past() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let gone = app.create_user("gone.staff", &[Role::Agent]).await;
    app.app
        .set_user_active(&kefu_app::Actor::system(), gone, false)
        .await
        .unwrap();
    let owner = user_id(&app, "pin.zhi").await;
    let (_, body) = post(&c.agent, "/api/v1/complaints", intake()).await;
    let id = body["id"].as_i64().unwrap();
    to_follow_up(&c, id, Some(json!({}))).await;
    let (status, _) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/follow-up"),
        json!({"result": "satisfied"}),
    )
    .await;
    assert_eq!(status, 200);

    let evaluation = |owner: i64, due: String| {
        json!({"summary": "热处理异常导致开裂，已致歉", "measure": "热处理炉加装温度报警",
            "measure_owner_id": owner, "measure_due": due})
    };
    let path = format!("/api/v1/complaints/{id}/evaluation");
    let (status, body) = post(&c.specialist, &path, evaluation(gone, day(&app, 30))).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "unknown_assignee");
    let (status, body) = post(&c.specialist, &path, evaluation(owner, day(&app, -1))).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "complaint_in_past");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("完成期限"),
        "{body}"
    );
    let (status, body) = post(&c.specialist, &path, evaluation(owner, "2100-01-01".into())).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "date_out_of_range");
    assert_eq!(stage(&c.specialist, id).await, "evaluation");

    let due = day(&app, 30);
    let (status, d) = post(&c.specialist, &path, evaluation(owner, due.clone())).await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["complaint"]["stage"], "closed");
    assert_eq!(d["complaint"]["measure_owner_id"], owner);
    assert_eq!(d["complaint"]["measure_owner"], "测试 pin.zhi");
    assert_eq!(d["complaint"]["measure_due"], due.as_str());
    let page = app
        .login("tou.su", TEST_PASSWORD)
        .await
        .get(&format!("/complaints/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("data-testid=\"measure-owner\">测试 pin.zhi</dd>"));
    assert!(page.contains(&format!("data-testid=\"measure-due\">{due}</dd>")));
    app.stop().await;
}

#[tokio::test]
async fn a_complaint_taken_on_friday_evening_is_promised_an_answer_on_monday() {
    // Friday 4 December 2026, 20:00 in Beijing: after hours before a weekend.
    let clock = Arc::new(FixedClock::new(bj("2026-12-04T20:00")));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock),
        ..TestOptions::default()
    })
    .await;
    let c = cast(&app).await;
    let (_, body) = post(&c.agent, "/api/v1/complaints", intake()).await;
    let id = body["id"].as_i64().unwrap();
    post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/intake"),
        json!({}),
    )
    .await;

    // The page proposes Monday's close, in the field and in the message to the customer.
    let page = unescape_html(
        &app.login("tou.su", TEST_PASSWORD)
            .await
            .get(&format!("/complaints/{id}"))
            .await
            .text()
            .await
            .unwrap(),
    );
    assert!(
        page.contains("name=\"promised_answer_at\" value=\"2026-12-07T18:00\""),
        "the form proposes Monday 18:00"
    );
    assert!(page.contains("我们将于 2026-12-07 18:00 前给您答复"));

    // Over the API, without a time, the same promise.
    let (status, d) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/judgement"),
        json!({"valid": true, "department_id": c.quality_dept}),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    let promised: Timestamp = d["complaint"]["promised_answer_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let local = promised.to_zoned(TimeZone::get("Asia/Shanghai").unwrap());
    assert_eq!(local.weekday(), jiff::civil::Weekday::Monday);
    assert_eq!(local.date(), jiff::civil::date(2026, 12, 7));
    assert!(
        (9..=18).contains(&local.hour()),
        "within Monday's business hours: {local}"
    );
    assert_eq!(promised, bj("2026-12-07T18:00"));
    app.stop().await;
}

/// The board's register form as the picker leaves it: the customer's name shown, its id in
/// the hidden field.
fn register_form(customer_id: &str) -> Vec<(&str, &str)> {
    vec![
        ("customer_id", customer_id),
        ("customer_label", "宁波恒达机电有限公司"),
        ("complainant", "周经理"),
        ("channel", "phone"),
        ("content", "发来的 12 台电机有 3 台无法启动"),
        ("category", "quality"),
        ("severity", "major"),
    ]
}

#[tokio::test]
async fn registering_from_the_board_links_a_customer() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let customer = json_body(
        c.agent
            .json(
                Method::POST,
                "/api/v1/customers",
                &json!({"name": "宁波恒达机电有限公司", "contacts": [{"name": "周经理", "mobile": "13912345678"}]}),
            )
            .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let agent = app.login("ke.fu", TEST_PASSWORD).await;
    let board = agent.get("/complaints").await.text().await.unwrap();
    assert!(board.contains("href=\"/complaints/new\""));
    let form = agent.get("/complaints/new").await.text().await.unwrap();
    assert!(form.contains("data-suggest=\"customer\" data-target=\"customer_id\""));
    // The picker asks what the ticket page's picker asks; the index follows the change log
    // within moments.
    let mut suggested = false;
    for _ in 0..50 {
        let hits = json_body(agent.get("/search/suggest?kind=customer&q=恒达").await).await;
        if hits
            .as_array()
            .is_some_and(|h| h.iter().any(|x| x["id"] == customer))
        {
            suggested = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(suggested, "the customer is suggested");

    // A customer that does not exist is refused, with the form kept.
    let res = agent
        .post_form("/complaints", &register_form("999999"))
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("宁波恒达机电有限公司"));
    let res = agent
        .post_form("/complaints", &register_form(&customer.to_string()))
        .await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let id: i64 = location.rsplit('/').next().unwrap().parse().unwrap();
    let d = json_body(c.agent.get(&format!("/api/v1/complaints/{id}")).await).await;
    assert_eq!(d["complaint"]["customer_id"], customer);
    assert_eq!(d["complaint"]["customer_name"], "宁波恒达机电有限公司");
    let page = agent.get(&location).await.text().await.unwrap();
    assert!(page.contains(&format!("href=\"/customers/{customer}\"")));
    // The customer's complaints list it.
    let list = json_body(
        c.agent
            .get(&format!(
                "/api/v1/complaints?customer_id={customer}&open=false"
            ))
            .await,
    )
    .await;
    assert_eq!(list[0]["id"], id);
    app.stop().await;
}
