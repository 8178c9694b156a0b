//! The complaint pages: a complaint opened from a ticket and walked to the department's
//! notice in the browser's forms.

use kefu_testkit::{TEST_PASSWORD, TestApp, json_body};
use reqwest::Method;
use serde_json::json;

use super::{cast, stage};

#[tokio::test]
async fn the_pages_walk_a_complaint_from_a_ticket_to_the_notice() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let t = json_body(
        c.agent
            .json(
                Method::POST,
                "/api/v1/tickets",
                &json!({"subject": "货到破损", "body": "收到的 5 台空调外壳破损", "contact_name": "赵先生", "contact_phone": "13700002222"}),
            )
            .await,
    )
    .await;
    let ticket_id = t["id"].as_i64().unwrap();
    let agent = app.login("ke.fu", TEST_PASSWORD).await;
    let page = agent
        .get(&format!("/tickets/{ticket_id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("/complaints/new?ticket={ticket_id}")));
    let form = agent
        .get(&format!("/complaints/new?ticket={ticket_id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(form.contains("赵先生"), "prefilled from the ticket");
    let tid = ticket_id.to_string();
    let res = agent
        .post_form(
            "/complaints",
            &[
                ("ticket", tid.as_str()),
                ("complainant", "赵先生"),
                ("channel", "phone"),
                ("content", "收到的 5 台空调外壳破损"),
                ("quantity", "五"),
                ("category", "delivery"),
                ("severity", "major"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("数量必须是正整数"));
    let res = agent
        .post_form(
            "/complaints",
            &[
                ("ticket", tid.as_str()),
                ("complainant", "赵先生"),
                ("channel", "phone"),
                ("content", "收到的 5 台空调外壳破损"),
                ("quantity", "5"),
                ("order_number", "SO-2026-1120"),
                ("category", "delivery"),
                ("severity", "major"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let id: i64 = location.rsplit('/').next().unwrap().parse().unwrap();

    let specialist = app.login("tou.su", TEST_PASSWORD).await;
    let page = specialist.get(&location).await.text().await.unwrap();
    assert!(page.contains("SO-2026-1120"));
    assert!(page.contains("data-testid=\"step-intake\""));
    // Out of order on the page: a clear message, the stage unchanged.
    let res = specialist
        .post_form(
            &format!("/complaints/{id}/evaluation"),
            &[("summary", "跳过")],
        )
        .await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("不能执行这一步"));
    specialist
        .post_form(&format!("/complaints/{id}/intake"), &[("comment", "")])
        .await;
    let dept = c.quality_dept.to_string();
    let res = specialist
        .post_form(
            &format!("/complaints/{id}/judgement"),
            &[
                ("valid", "1"),
                ("department", dept.as_str()),
                ("promised_answer_at", "2099-01-01T10:00"),
                ("customer_message", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(stage(&c.specialist, id).await, "notice");

    // The quality department's user sees the notice on the board and answers it.
    let quality = app.login("pin.zhi", TEST_PASSWORD).await;
    let board = quality.get("/complaints").await.text().await.unwrap();
    assert!(board.contains(&format!("/complaints/{id}")));
    let page = quality
        .get(&format!("/complaints/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("notice-answer-form"));
    let d = json_body(c.specialist.get(&format!("/api/v1/complaints/{id}")).await).await;
    let notice = d["notices"][0]["id"].as_i64().unwrap();
    let res = quality
        .post_form(
            &format!("/complaint-notices/{notice}/answer"),
            &[("answer", "物流公司野蛮装卸，已索赔")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let page = specialist
        .get(&format!("/complaints/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("物流公司野蛮装卸"));
    assert!(page.contains("notice-review-form"));
    let res = specialist
        .post_form(
            &format!("/complaint-notices/{notice}/review"),
            &[("accept", "1"), ("comment", "")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(stage(&c.specialist, id).await, "investigation");
    // The board shows it in its stage column for the customer service staff.
    let board = specialist.get("/complaints").await.text().await.unwrap();
    assert!(board.contains("data-stage=\"investigation\""));
    assert!(board.contains(&format!("/complaints/{id}")));
    // The ticket links back to its complaint.
    let page = agent
        .get(&format!("/tickets/{ticket_id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!(
        "/complaints/{id}\" data-testid=\"complaint-link\""
    )));

    // The investigation report prints and goes to the departments involved; their staff
    // open it from the notification.
    let report = specialist
        .get(&format!("/complaints/{id}/report"))
        .await
        .text()
        .await
        .unwrap();
    assert!(report.contains("投诉调查报告"));
    assert!(report.contains("物流公司野蛮装卸"));
    assert!(report.contains("SO-2026-1120"));
    let res = specialist
        .post_form(&format!("/complaints/{id}/report/send"), &[])
        .await;
    assert_eq!(res.status(), 303);
    let res = quality
        .post_form(&format!("/complaints/{id}/report/send"), &[])
        .await;
    assert_eq!(res.status(), 403, "only the complaint specialist sends it");
    let mut conn = app.app.store.conn().await.unwrap();
    let quality_user = kefu_store::staff::user_by_username(&mut conn, "pin.zhi")
        .await
        .unwrap()
        .id;
    let note = kefu_store::notification::latest(&mut conn, quality_user, 10)
        .await
        .unwrap()
        .into_iter()
        .find(|n| n.kind == "complaint_report")
        .expect("the report reached the quality department");
    drop(conn);
    let res = quality
        .post_form(&format!("/notifications/{}/open", note.id), &[])
        .await;
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        format!("/complaints/{id}")
    );
    app.stop().await;
}
