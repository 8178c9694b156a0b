//! The complaint closed loop: a complaint walked through every stage over the API and on the
//! pages, the department answering its notice, the supervisor's approval, the RMA, the
//! follow-up reopening an unsatisfied complaint, deadlines escalating, and bad input refused
//! with nothing changed.

use kefu_domain::Role;
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, json_body};
use reqwest::Method;
use serde_json::{Value, json};

struct Cast {
    specialist: ApiClient,
    manager: ApiClient,
    quality: ApiClient,
    sales: ApiClient,
    agent: ApiClient,
    quality_dept: i64,
}

async fn cast(app: &TestApp) -> Cast {
    let specialist = app
        .create_user("tou.su", &[Role::ComplaintSpecialist])
        .await;
    let manager = app.create_user("jing.li", &[Role::CsManager]).await;
    let quality = app
        .create_user_in("pin.zhi", &[Role::Department], Some("quality"))
        .await;
    let sales = app
        .create_user_in("xiao.shou", &[Role::Department], Some("sales"))
        .await;
    let agent = app.create_user("ke.fu", &[Role::Agent]).await;
    let quality_dept = app
        .app
        .departments()
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.key == "quality")
        .unwrap()
        .id;
    Cast {
        specialist: ApiClient::new(app, &app.token_for(specialist).await),
        manager: ApiClient::new(app, &app.token_for(manager).await),
        quality: ApiClient::new(app, &app.token_for(quality).await),
        sales: ApiClient::new(app, &app.token_for(sales).await),
        agent: ApiClient::new(app, &app.token_for(agent).await),
        quality_dept,
    }
}

async fn post(api: &ApiClient, path: &str, body: Value) -> (u16, Value) {
    let res = api.json(Method::POST, path, &body).await;
    let status = res.status().as_u16();
    (status, json_body(res).await)
}

async fn stage(api: &ApiClient, id: i64) -> String {
    let d = json_body(api.get(&format!("/api/v1/complaints/{id}")).await).await;
    d["complaint"]["stage"].as_str().unwrap().to_owned()
}

fn intake() -> Value {
    json!({
        "complainant": "王经理",
        "complainant_phone": "13812345678",
        "channel": "phone",
        "content": "上周收到的 200 个 GX-3341 轴承有 30 个外圈开裂，要求尽快处理。",
        "order_number": "PO-2026-00817",
        "part_number": "GX-3341",
        "quantity": 30,
        "delivery_date": "2026-11-10",
        "product": "深沟球轴承",
        "category": "quality",
        "severity": "serious"
    })
}

#[tokio::test]
async fn a_complaint_walks_every_stage_over_the_api() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;

    // 受理: an agent registers it; a complaint ticket is opened with it.
    let (status, body) = post(&c.agent, "/api/v1/complaints", intake()).await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_i64().unwrap();
    let d = json_body(c.agent.get(&format!("/api/v1/complaints/{id}")).await).await;
    assert_eq!(d["complaint"]["stage"], "intake");
    assert_eq!(d["complaint"]["part_number"], "GX-3341");
    assert_eq!(d["complaint"]["delivery_date"], "2026-11-10");
    assert!(
        d["complaint"]["stage_due_at"].is_string(),
        "each stage has a deadline"
    );
    let ticket_id = d["complaint"]["ticket_id"].as_i64().unwrap();
    let t = json_body(c.agent.get(&format!("/api/v1/tickets/{ticket_id}")).await).await;
    assert_eq!(t["ticket"]["type"], "complaint");
    assert_eq!(
        t["ticket"]["priority"], "high",
        "a serious complaint is a high-priority ticket"
    );

    // Steps out of order are refused and change nothing.
    let (status, body) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/investigation"),
        json!({"cause": "production", "findings": "外圈热处理不良"}),
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(body["error"]["code"], "complaint_out_of_order");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("受理"),
        "{body}"
    );
    // The agent may register but not take the specialist's steps.
    let (status, _) = post(
        &c.agent,
        &format!("/api/v1/complaints/{id}/intake"),
        json!({}),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(stage(&c.specialist, id).await, "intake");

    let (status, _) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/intake"),
        json!({"comment": "信息齐全"}),
    )
    .await;
    assert_eq!(status, 200);

    // 判断: valid; a department that does not exist is refused.
    let promised = (app.now() + jiff::SignedDuration::from_hours(48)).to_string();
    let (status, body) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/judgement"),
        json!({"valid": true, "department_id": 9999, "promised_answer_at": promised}),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["code"], "unknown_department");
    assert_eq!(stage(&c.specialist, id).await, "validity");
    let (status, d) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/judgement"),
        json!({"valid": true, "department_id": c.quality_dept, "promised_answer_at": promised}),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["complaint"]["stage"], "notice");
    assert_eq!(d["complaint"]["valid"], true);
    let notice = d["notices"][0]["id"].as_i64().unwrap();
    assert_eq!(d["notices"][0]["status"], "sent");
    // The customer was told when to expect an answer.
    let t = json_body(c.agent.get(&format!("/api/v1/tickets/{ticket_id}")).await).await;
    let public: Vec<&str> = t["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["visibility"] == "public")
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert!(
        public
            .iter()
            .any(|b| b.contains("我们将于") && b.contains("前给您答复")),
        "{public:?}"
    );

    // 投诉处理通知: the quality department got it; sales may not answer it.
    let mut conn = app.app.store.conn().await.unwrap();
    let quality_user = kefu_store::staff::user_by_username(&mut conn, "pin.zhi")
        .await
        .unwrap()
        .id;
    let notes = kefu_store::notification::latest(&mut conn, quality_user, 10)
        .await
        .unwrap();
    assert!(notes.iter().any(|n| n.kind == "complaint_notice"));
    drop(conn);
    let (status, body) = post(
        &c.sales,
        &format!("/api/v1/complaint-notices/{notice}/answer"),
        json!({"answer": "不是我们的问题"}),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(body["error"]["code"], "not_your_department");
    // Reviewing before the department answered is refused.
    let (status, body) = post(
        &c.specialist,
        &format!("/api/v1/complaint-notices/{notice}/review"),
        json!({"accept": true}),
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(body["error"]["code"], "notice_not_answered");
    let (status, _) = post(
        &c.quality,
        &format!("/api/v1/complaint-notices/{notice}/acknowledge"),
        json!({}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = post(
        &c.quality,
        &format!("/api/v1/complaint-notices/{notice}/answer"),
        json!({"answer": "已抽检同批次 50 件，确认 11 月 3 日热处理炉温异常。"}),
    )
    .await;
    assert_eq!(status, 200);
    // The department sees the complaint (its notice) but not the board of others.
    let seen = json_body(c.quality.get(&format!("/api/v1/complaints/{id}")).await).await;
    assert_eq!(seen["complaint"]["id"], id);
    let res = c.sales.get(&format!("/api/v1/complaints/{id}")).await;
    assert_eq!(res.status(), 403);
    // Returned once, answered again, then accepted.
    let (status, _) = post(
        &c.specialist,
        &format!("/api/v1/complaint-notices/{notice}/review"),
        json!({"accept": false}),
    )
    .await;
    assert_eq!(status, 422, "returning needs a comment");
    let (status, _) = post(
        &c.specialist,
        &format!("/api/v1/complaint-notices/{notice}/review"),
        json!({"accept": false, "comment": "请说明涉及批次数量"}),
    )
    .await;
    assert_eq!(status, 200);
    post(
        &c.quality,
        &format!("/api/v1/complaint-notices/{notice}/answer"),
        json!({"answer": "涉及 11 月 3 日批次共 2,000 件，已隔离库存。"}),
    )
    .await;
    let (status, _) = post(
        &c.specialist,
        &format!("/api/v1/complaint-notices/{notice}/review"),
        json!({"accept": true, "comment": "答复完整"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(stage(&c.specialist, id).await, "investigation");

    // 调查
    let (status, d) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/investigation"),
        json!({"cause": "production", "responsible_department_id": c.quality_dept, "findings": "热处理炉温控失效导致外圈脆裂"}),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["complaint"]["stage"], "solution");
    assert_eq!(d["complaint"]["cause"], "production");

    // 方案: a negative cost is refused; two proposals; the specialist may not approve;
    // one is sent back, the other approved by the manager.
    let (status, body) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/proposals"),
        json!({"remedy": "refund", "description": "退款", "cost_fen": -100}),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["code"], "negative_cost");
    let (status, body) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/proposals"),
        json!({"remedy": "compensate", "description": "补偿 500 元", "cost_fen": 50_000}),
    )
    .await;
    assert_eq!(status, 201);
    let cheap = body["id"].as_i64().unwrap();
    let (_, body) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/proposals"),
        json!({"remedy": "exchange", "description": "30 件全部换新，运费我方承担", "cost_fen": 186_000}),
    )
    .await;
    let exchange = body["id"].as_i64().unwrap();
    // Acceptance before any approval is refused.
    let (status, body) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/customer-decision"),
        json!({"accepted": true}),
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(body["error"]["code"], "no_approved_solution");
    let (status, _) = post(
        &c.specialist,
        &format!("/api/v1/complaint-proposals/{exchange}/decision"),
        json!({"approve": true}),
    )
    .await;
    assert_eq!(status, 403, "only a supervisor approves");
    let (status, _) = post(
        &c.manager,
        &format!("/api/v1/complaint-proposals/{cheap}/decision"),
        json!({"approve": false, "comment": "补偿不能解决开裂件，请换货"}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = post(
        &c.manager,
        &format!("/api/v1/complaint-proposals/{exchange}/decision"),
        json!({"approve": true}),
    )
    .await;
    assert_eq!(status, 200);
    let d = json_body(c.specialist.get(&format!("/api/v1/complaints/{id}")).await).await;
    assert_eq!(d["complaint"]["stage"], "implementation");
    assert_eq!(d["cost_fen"], 186_000);
    assert_eq!(d["rmas"][0]["remedy"], "exchange");
    assert_eq!(d["rmas"][0]["status"], "requested");
    assert!(d["hand_offs"].as_u64().unwrap() >= 4, "{}", d["hand_offs"]);
    let rma = d["rmas"][0]["id"].as_i64().unwrap();

    // 实施: penalty, the customer told, the customer first rejects (back to solution)…
    let (status, _) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/penalties"),
        json!({"department_id": c.quality_dept, "amount_fen": 20_000, "reason": "质量事故处罚制度第 3 条"}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/messages"),
        json!({"message": "王经理您好，我们将为您更换全部 30 件轴承，运费由我方承担。"}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, d) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/customer-decision"),
        json!({"accepted": false, "comment": "要求同时补偿停线损失"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(d["complaint"]["stage"], "solution");
    assert!(
        d["proposals"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["status"] == "rejected")
    );
    // …a new proposal is approved and accepted.
    let (_, body) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/proposals"),
        json!({"remedy": "exchange", "description": "换货并补偿停线损失 2,000 元", "cost_fen": 386_000}),
    )
    .await;
    let second = body["id"].as_i64().unwrap();
    post(
        &c.manager,
        &format!("/api/v1/complaint-proposals/{second}/decision"),
        json!({"approve": true}),
    )
    .await;
    let (status, d) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/customer-decision"),
        json!({"accepted": true}),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["complaint"]["stage"], "follow_up");
    assert!(
        d["follow_ups"][0]["script"]
            .as_str()
            .unwrap()
            .contains("王经理")
    );

    // 回访: unsatisfied reopens at the solution.
    let (status, _) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/follow-up"),
        json!({"result": "unsatisfied"}),
    )
    .await;
    assert_eq!(status, 422, "an unsatisfied result needs a comment");
    let (status, d) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/follow-up"),
        json!({"result": "unsatisfied", "comment": "换货的新轴承还没到"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(d["complaint"]["stage"], "solution");
    let (_, body) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/proposals"),
        json!({"remedy": "exchange", "description": "加急顺丰发出新轴承", "cost_fen": 390_000}),
    )
    .await;
    let third = body["id"].as_i64().unwrap();
    post(
        &c.manager,
        &format!("/api/v1/complaint-proposals/{third}/decision"),
        json!({"approve": true}),
    )
    .await;
    post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/customer-decision"),
        json!({"accepted": true}),
    )
    .await;
    let (status, d) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/follow-up"),
        json!({"result": "satisfied", "comment": "已收到，很满意"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(d["complaint"]["stage"], "evaluation");

    // 总结评价: refused while RMAs are open; the RMA steps one at a time to closed.
    let evaluation = json!({"summary": "热处理异常导致批量开裂，已换货并补偿", "lessons": "炉温需双人复核",
        "measure": "热处理炉加装温度报警", "measure_owner_id": quality_user, "measure_due": "2026-12-31"});
    let (status, body) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/evaluation"),
        evaluation.clone(),
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(body["error"]["code"], "open_rmas");
    let d = json_body(c.specialist.get(&format!("/api/v1/complaints/{id}")).await).await;
    let rmas: Vec<i64> = d["rmas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(rmas.len(), 3, "one RMA per approved exchange");
    assert!(rmas.contains(&rma));
    for r in &rmas {
        let mut path = Vec::new();
        loop {
            let (status, body) = post(
                &c.specialist,
                &format!("/api/v1/complaint-rmas/{r}/advance"),
                json!({"note": "已处理"}),
            )
            .await;
            if status == 409 {
                assert_eq!(body["error"]["code"], "rma_finished");
                break;
            }
            assert_eq!(status, 200, "{body}");
            path.push(body["status"].as_str().unwrap().to_owned());
        }
        assert_eq!(path, ["approved", "received", "done", "closed"]);
    }
    let (status, d) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/evaluation"),
        evaluation,
    )
    .await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["complaint"]["stage"], "closed");
    assert!(d["complaint"]["closed_at"].is_string());
    let t = json_body(c.agent.get(&format!("/api/v1/tickets/{ticket_id}")).await).await;
    assert_eq!(
        t["ticket"]["status"], "resolved",
        "closing the complaint resolves its ticket"
    );
    // Every transition is in the log with who and when.
    let actions: Vec<&str> = d["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["action"].as_str().unwrap())
        .collect();
    for a in [
        "open",
        "complete_intake",
        "judge_valid",
        "notice_sent",
        "notice_answered",
        "notice_returned",
        "accept_notice_answer",
        "record_investigation",
        "sent_back",
        "approve_proposal",
        "penalty",
        "customer_rejects",
        "customer_accepts",
        "follow_up_unsatisfied",
        "follow_up_settled",
        "evaluate",
    ] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
    assert!(
        d["steps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["actor"].is_string() && s["at"].is_string())
    );
    // A closed complaint takes no more steps.
    let (status, body) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/messages"),
        json!({"message": "再次感谢"}),
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(body["error"]["code"], "complaint_closed");
    app.stop().await;
}

#[tokio::test]
async fn an_invalid_complaint_is_answered_from_a_script_and_closed_apart() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    // Converted from an existing inquiry ticket.
    let t = json_body(
        c.agent
            .json(
                Method::POST,
                "/api/v1/tickets",
                &json!({"subject": "说明书看不懂", "body": "你们的说明书写得太差了，我要投诉", "contact_name": "李女士", "contact_phone": "13900001111"}),
            )
            .await,
    )
    .await;
    let ticket_id = t["id"].as_i64().unwrap();
    let customer = json_body(
        c.agent
            .json(
                Method::POST,
                "/api/v1/customers",
                &json!({"name": "李女士", "kind": "person"}),
            )
            .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let mut body = intake();
    body["ticket_id"] = json!(ticket_id);
    body["severity"] = json!("minor");
    body["customer_id"] = json!(customer);
    let (status, created) = post(&c.agent, "/api/v1/complaints", body.clone()).await;
    assert_eq!(status, 201);
    let id = created["id"].as_i64().unwrap();
    let (status, again) = post(&c.agent, "/api/v1/complaints", body).await;
    assert_eq!(status, 409, "one complaint per ticket");
    assert_eq!(again["error"]["code"], "already_complaint");
    let t = json_body(c.agent.get(&format!("/api/v1/tickets/{ticket_id}")).await).await;
    assert_eq!(t["ticket"]["type"], "complaint");

    post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/intake"),
        json!({}),
    )
    .await;
    let scripts = json_body(c.specialist.get("/api/v1/scripts").await).await;
    let script = scripts.as_array().unwrap()[0]["id"].as_i64().unwrap();
    let (status, body) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/judgement"),
        json!({"valid": false, "script_id": script}),
    )
    .await;
    assert_eq!(status, 422, "a reason is required");
    assert_eq!(body["error"]["code"], "complaint_required");
    let (status, d) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/judgement"),
        json!({"valid": false, "reason": "属使用咨询，非产品或服务问题", "script_id": script}),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["complaint"]["stage"], "invalid");
    assert_eq!(d["complaint"]["valid"], false);
    let t = json_body(c.agent.get(&format!("/api/v1/tickets/{ticket_id}")).await).await;
    assert_eq!(t["ticket"]["status"], "resolved");
    assert!(
        t["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["visibility"] == "public" && m["author_kind"] == "staff"),
        "the script's reply went to the customer"
    );
    // Closed as invalid: listed apart from open complaints.
    let open = json_body(c.specialist.get("/api/v1/complaints").await).await;
    assert!(open.as_array().unwrap().iter().all(|x| x["id"] != id));
    let invalid = json_body(
        c.specialist
            .get("/api/v1/complaints?stage=invalid&open=false")
            .await,
    )
    .await;
    assert_eq!(invalid[0]["id"], id);
    // The customer's 360 timeline shows the complaint with its stage.
    let agent = app.login("ke.fu", TEST_PASSWORD).await;
    let page = agent
        .get(&format!("/customers/{customer}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("/complaints/{id}")), "{page}");
    assert!(page.contains("不成立结案"));
    app.stop().await;
}

#[tokio::test]
async fn bad_intake_is_refused_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    for (patch, status, code) in [
        (json!({"complainant": " "}), 422, "complaint_required"),
        (json!({"content": ""}), 422, "complaint_required"),
        (json!({"quantity": 0}), 422, "bad_quantity"),
        (json!({"severity": "huge"}), 422, "unknown_value"),
        (json!({"category": "x"}), 422, "unknown_value"),
        (json!({"delivery_date": "2026-13-01"}), 400, "invalid_field"),
        (json!({"customer_id": 424242}), 422, "unknown_customer"),
    ] {
        let mut body = intake();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (got, res) = post(&c.agent, "/api/v1/complaints", body).await;
        assert_eq!(got, status, "{patch} → {res}");
        assert_eq!(res["error"]["code"], code, "{patch}");
    }
    let list = json_body(c.specialist.get("/api/v1/complaints?open=false").await).await;
    assert_eq!(list, json!([]));
    let res = c.agent.get("/api/v1/tickets").await;
    let tickets = json_body(res).await;
    assert_eq!(
        tickets["tickets"].as_array().map_or(0, Vec::len),
        0,
        "{tickets}"
    );
    app.stop().await;
}

#[tokio::test]
async fn overdue_stages_and_notices_escalate_once() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let (_, body) = post(&c.agent, "/api/v1/complaints", intake()).await;
    let id = body["id"].as_i64().unwrap();
    // Nothing is overdue yet (a warning may go out: the intake stage is short).
    assert_eq!(app.app.run_complaint_deadlines().await.unwrap().1, 0);
    // Push the deadline into the past, as time passing would.
    let mut conn = app.app.store.conn().await.unwrap();
    let mut complaint = kefu_store::complaint::by_id(&mut conn, id).await.unwrap();
    complaint.stage_due_at = Some(app.now() - jiff::SignedDuration::from_mins(1));
    kefu_store::complaint::save(&mut conn, &complaint)
        .await
        .unwrap();
    drop(conn);
    let (a, b) = tokio::join!(
        app.app.run_complaint_deadlines(),
        app.app.run_complaint_deadlines()
    );
    assert_eq!(a.unwrap().1 + b.unwrap().1, 1, "escalated exactly once");
    assert_eq!(app.app.run_complaint_deadlines().await.unwrap(), (0, 0));
    let d = json_body(c.manager.get(&format!("/api/v1/complaints/{id}")).await).await;
    assert!(
        d["steps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["action"] == "escalated")
    );
    let mut conn = app.app.store.conn().await.unwrap();
    let manager = kefu_store::staff::user_by_username(&mut conn, "jing.li")
        .await
        .unwrap()
        .id;
    let notes = kefu_store::notification::latest(&mut conn, manager, 10)
        .await
        .unwrap();
    assert!(notes.iter().any(|n| n.kind == "complaint_overdue"));
    app.stop().await;
}

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

#[tokio::test]
async fn the_statistics_report_counts_by_dimension_and_stage_and_exports() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let mut ids = Vec::new();
    for (category, product, severity) in [
        ("quality", "深沟球轴承", "serious"),
        ("quality", "深沟球轴承", "major"),
        ("delivery", "空调外机", "minor"),
    ] {
        let mut body = intake();
        body["category"] = json!(category);
        body["product"] = json!(product);
        body["severity"] = json!(severity);
        let (_, created) = post(&c.agent, "/api/v1/complaints", body).await;
        ids.push(created["id"].as_i64().unwrap());
    }
    // One judged not valid, one valid with a notice answered and accepted.
    for id in &ids[..2] {
        post(
            &c.specialist,
            &format!("/api/v1/complaints/{id}/intake"),
            json!({}),
        )
        .await;
    }
    post(
        &c.specialist,
        &format!("/api/v1/complaints/{}/judgement", ids[0]),
        json!({"valid": false, "reason": "客户安装不当", "reply": "您好，经核实属安装问题，我们会安排技术指导。"}),
    )
    .await;
    let promised = (app.now() + jiff::SignedDuration::from_hours(48)).to_string();
    let (_, d) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{}/judgement", ids[1]),
        json!({"valid": true, "department_id": c.quality_dept, "promised_answer_at": promised}),
    )
    .await;
    assert_eq!(d["complaint"]["stage"], "notice");

    let stats = json_body(c.manager.get("/api/v1/complaints/stats?by=category").await).await;
    assert_eq!(stats["totals"]["count"], 3, "{stats}");
    assert_eq!(stats["totals"]["invalid"], 1);
    assert_eq!(stats["totals"]["valid"], 1);
    assert_eq!(
        stats["totals"]["closed"], 1,
        "closed as invalid counts as closed"
    );
    assert_eq!(stats["rows"][0]["key"], "quality");
    assert_eq!(stats["rows"][0]["count"], 2);
    assert_eq!(stats["rows"][1]["key"], "delivery");
    let series_total: i64 = stats["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["count"].as_i64().unwrap())
        .sum();
    assert_eq!(series_total, 3, "every complaint falls in one period");
    let stages: Vec<&str> = stats["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stage"].as_str().unwrap())
        .collect();
    assert_eq!(stages, ["intake", "validity"], "stages left, in order");
    assert_eq!(stats["stages"][0]["times"], 2);
    let by_validity = json_body(c.manager.get("/api/v1/complaints/stats?by=validity").await).await;
    let keys: Vec<&str> = by_validity["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    assert!(keys.contains(&"pending") && keys.contains(&"invalid") && keys.contains(&"valid"));
    let by_product = json_body(c.manager.get("/api/v1/complaints/stats?by=product").await).await;
    assert_eq!(by_product["rows"][0]["key"], "深沟球轴承");
    // A range before anything happened is empty; bad ranges and dimensions are refused.
    let empty = json_body(
        c.manager
            .get("/api/v1/complaints/stats?from=2020-01-01&to=2020-01-31")
            .await,
    )
    .await;
    assert_eq!(empty["totals"]["count"], 0);
    assert_eq!(empty["series"].as_array().unwrap().len(), 31);
    let res = c
        .manager
        .get("/api/v1/complaints/stats?from=2026-02-01&to=2026-01-01")
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(json_body(res).await["error"]["code"], "report_reversed");
    let res = c.manager.get("/api/v1/complaints/stats?by=colour").await;
    assert_eq!(res.status(), 422);
    let res = c
        .manager
        .get("/api/v1/complaints/stats?from=yesterday")
        .await;
    assert_eq!(res.status(), 400);
    // Department staff do not see the statistics.
    let res = c.quality.get("/api/v1/complaints/stats").await;
    assert_eq!(res.status(), 403);

    // The page shows the chart and the table; the exports carry the same figures.
    let s = app.login("jing.li", TEST_PASSWORD).await;
    let page = s
        .get("/complaints/report?by=category")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("data-testid=\"report-chart\""));
    assert!(page.contains("产品质量"));
    assert!(page.contains("交付与物流"));
    let res = s.get("/complaints/report.csv?by=category").await;
    assert_eq!(res.status(), 200);
    let csv = res.text().await.unwrap();
    assert!(csv.contains("产品质量,2,1,1,1"), "{csv}");
    assert!(csv.contains("合计,3,1,1,1"), "{csv}");
    assert!(csv.contains("受理,2"), "{csv}");
    let res = s.get("/complaints/report.xlsx?by=category").await;
    assert_eq!(res.status(), 200);
    assert!(res.bytes().await.unwrap().starts_with(b"PK"));
    let res = s
        .get("/complaints/report?from=2026-02-01&to=2026-01-01")
        .await;
    assert_eq!(res.status(), 422);
    app.stop().await;
}

#[tokio::test]
async fn an_admin_sets_stage_deadlines_per_severity() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    app.create_user("guan.li", &[Role::Admin]).await;
    let admin = app.login("guan.li", TEST_PASSWORD).await;
    let page = admin
        .get("/admin/complaint-deadlines")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("name=\"m_major_intake\""));
    assert!(page.contains("placeholder=\"60\""), "the default shows");
    let res = admin
        .post_form("/admin/complaint-deadlines", &[("m_major_intake", "0")])
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("阶段时限须为"));
    let res = admin
        .post_form("/admin/complaint-deadlines", &[("m_major_intake", "abc")])
        .await;
    assert_eq!(res.status(), 422);

    let mut body = intake();
    body["severity"] = json!("major");
    let (_, before) = post(&c.agent, "/api/v1/complaints", body.clone()).await;
    let res = admin
        .post_form("/admin/complaint-deadlines", &[("m_major_intake", "5")])
        .await;
    assert_eq!(res.status(), 303);
    let (_, after) = post(&c.agent, "/api/v1/complaints", body).await;
    let due = |id: i64| {
        let api = &c.specialist;
        async move {
            let d = json_body(api.get(&format!("/api/v1/complaints/{id}")).await).await;
            d["complaint"]["stage_due_at"]
                .as_str()
                .unwrap()
                .parse::<jiff::Timestamp>()
                .unwrap()
        }
    };
    let (a, b) = (
        due(before["id"].as_i64().unwrap()).await,
        due(after["id"].as_i64().unwrap()).await,
    );
    assert!(b < a, "5 business minutes fall before 60: {b} vs {a}");
    // Emptying the field restores the default; stages of other severities were untouched.
    let all = app
        .app
        .complaint_deadlines(&kefu_app::Actor::system())
        .await
        .unwrap();
    let set: Vec<_> = all.iter().filter(|d| d.minutes.is_some()).collect();
    assert_eq!(set.len(), 1);
    admin
        .post_form("/admin/complaint-deadlines", &[("m_major_intake", "")])
        .await;
    let all = app
        .app
        .complaint_deadlines(&kefu_app::Actor::system())
        .await
        .unwrap();
    assert!(all.iter().all(|d| d.minutes.is_none()));
    app.stop().await;
}

/// A new complaint walked over the API to the solution stage; its id.
async fn at_solution(app: &TestApp, c: &Cast) -> i64 {
    let (status, body) = post(&c.agent, "/api/v1/complaints", intake()).await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_i64().unwrap();
    post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/intake"),
        json!({}),
    )
    .await;
    let promised = (app.now() + jiff::SignedDuration::from_hours(48)).to_string();
    let (status, d) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/judgement"),
        json!({"valid": true, "department_id": c.quality_dept, "promised_answer_at": promised}),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    let notice = d["notices"][0]["id"].as_i64().unwrap();
    post(
        &c.quality,
        &format!("/api/v1/complaint-notices/{notice}/answer"),
        json!({"answer": "同批次热处理异常，已隔离库存。"}),
    )
    .await;
    post(
        &c.specialist,
        &format!("/api/v1/complaint-notices/{notice}/review"),
        json!({"accept": true}),
    )
    .await;
    let (status, d) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/investigation"),
        json!({"cause": "production", "responsible_department_id": c.quality_dept, "findings": "热处理炉温控失效"}),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["complaint"]["stage"], "solution");
    id
}

/// `kefu_domain::money::MAX_AMOUNT_FEN`: ¥1,000,000,000.
const MAX_FEN: i64 = 100_000_000_000;

#[tokio::test]
async fn amounts_above_the_ceiling_are_refused_and_the_largest_ones_still_add_up() {
    assert_eq!(MAX_FEN, kefu_domain::money::MAX_AMOUNT_FEN);
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let ids = [
        at_solution(&app, &c).await,
        at_solution(&app, &c).await,
        at_solution(&app, &c).await,
    ];

    // Above the ceiling: refused over the API (a cost, i64::MAX, a penalty) and on the page,
    // naming the ceiling; nothing is stored.
    for cost in [MAX_FEN + 1, i64::MAX] {
        let (status, body) = post(
            &c.specialist,
            &format!("/api/v1/complaints/{}/proposals", ids[0]),
            json!({"remedy": "refund", "description": "全额退款", "cost_fen": cost}),
        )
        .await;
        assert_eq!(status, 422, "{cost}: {body}");
        assert_eq!(body["error"]["code"], "amount_too_large", "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("1,000,000,000"),
            "{body}"
        );
    }
    let specialist = app.login("tou.su", TEST_PASSWORD).await;
    let res = specialist
        .post_form(
            &format!("/complaints/{}/proposals", ids[0]),
            &[
                ("remedy", "refund"),
                ("description", "全额退款"),
                ("cost", "1000000000.01"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("1,000,000,000"), "{page}");
    let d = json_body(
        c.specialist
            .get(&format!("/api/v1/complaints/{}", ids[0]))
            .await,
    )
    .await;
    assert_eq!(d["proposals"], json!([]), "nothing stored");

    // At the ceiling: accepted and approved on three complaints, with a penalty each.
    for id in ids {
        let (status, body) = post(
            &c.specialist,
            &format!("/api/v1/complaints/{id}/proposals"),
            json!({"remedy": "refund", "description": "全额退款", "cost_fen": MAX_FEN}),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        let proposal = body["id"].as_i64().unwrap();
        let (status, _) = post(
            &c.manager,
            &format!("/api/v1/complaint-proposals/{proposal}/decision"),
            json!({"approve": true}),
        )
        .await;
        assert_eq!(status, 200);
        let (status, body) = post(
            &c.specialist,
            &format!("/api/v1/complaints/{id}/penalties"),
            json!({"department_id": c.quality_dept, "amount_fen": MAX_FEN + 1, "reason": "质量事故处罚制度第 3 条"}),
        )
        .await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["error"]["code"], "amount_too_large");
        let (status, body) = post(
            &c.specialist,
            &format!("/api/v1/complaints/{id}/penalties"),
            json!({"department_id": c.quality_dept, "amount_fen": MAX_FEN, "reason": "质量事故处罚制度第 3 条"}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["cost_fen"], MAX_FEN);
    }

    // The statistics, the report page and its exports answer, with the sums exact.
    let s = app.login("jing.li", TEST_PASSWORD).await;
    let check = |expected: i64| {
        let (api, s) = (&c.manager, &s);
        async move {
            let res = api.get("/api/v1/complaints/stats?by=category").await;
            assert_eq!(res.status(), 200);
            let stats = json_body(res).await;
            assert_eq!(stats["totals"]["count"], 3, "{stats}");
            assert_eq!(stats["totals"]["cost_fen"], expected, "{stats}");
            assert_eq!(stats["rows"][0]["cost_fen"], expected, "{stats}");
            assert_eq!(stats["penalties_fen"], expected, "{stats}");
            let yuan = format!("{}.00", expected / 100);
            let res = s.get("/complaints/report?by=category").await;
            assert_eq!(res.status(), 200);
            assert!(res.text().await.unwrap().contains(&yuan));
            let res = s.get("/complaints/report.csv?by=category").await;
            assert_eq!(res.status(), 200);
            let csv = res.text().await.unwrap();
            assert!(csv.contains(&format!("合计,3,3,0,0,{yuan}")), "{csv}");
            let res = s.get("/complaints/report.xlsx?by=category").await;
            assert_eq!(res.status(), 200);
            assert!(res.bytes().await.unwrap().starts_with(b"PK"));
        }
    };
    check(3 * MAX_FEN).await;

    // Amounts stored before the ceiling existed (i64::MAX) count at the ceiling: the
    // report still answers on both backends, and so does the complaint.
    let mut conn = app.app.store.conn().await.unwrap();
    for sql in [
        "UPDATE complaints SET cost_fen = $1",
        "UPDATE complaint_penalties SET amount_fen = $1",
        "UPDATE complaint_rmas SET amount_fen = $1",
    ] {
        sqlx::query(sql)
            .bind(i64::MAX)
            .execute(&mut *conn)
            .await
            .unwrap();
    }
    drop(conn);
    check(3 * MAX_FEN).await;
    let res = c
        .specialist
        .get(&format!("/api/v1/complaints/{}", ids[0]))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(json_body(res).await["cost_fen"], MAX_FEN);
    let res = specialist.get(&format!("/complaints/{}", ids[0])).await;
    assert_eq!(res.status(), 200);
    app.stop().await;
}

#[tokio::test]
async fn dates_outside_the_business_range_are_refused_naming_the_bounds() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let named = |body: &Value| {
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert_eq!(body["error"]["code"], "date_out_of_range", "{body}");
        assert!(
            message.contains("2000-01-01") && message.contains("2099-12-31"),
            "{body}"
        );
    };
    // The statistics: the far end of the calendar and the epoch are refused, not a 500.
    for query in [
        "to=9999-12-31",
        "from=1970-01-01",
        "from=9999-12-01&to=9999-12-31",
        "from=1999-12-31&to=2000-01-10",
        "from=2099-12-01&to=2100-01-01",
    ] {
        let res = c
            .manager
            .get(&format!("/api/v1/complaints/stats?{query}"))
            .await;
        assert_eq!(res.status(), 422, "{query}");
        named(&json_body(res).await);
    }
    // The bounds themselves are business dates.
    for query in [
        "from=2000-01-01&to=2000-01-31",
        "from=2099-12-01&to=2099-12-31",
        "to=2000-01-10",
    ] {
        let res = c
            .manager
            .get(&format!("/api/v1/complaints/stats?{query}"))
            .await;
        assert_eq!(res.status(), 200, "{query}");
    }
    // The report page and its exports say the same in the reader's language.
    let s = app.login("jing.li", TEST_PASSWORD).await;
    let res = s.get("/complaints/report?to=9999-12-31").await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("2000-01-01") && page.contains("2099-12-31"),
        "{page}"
    );
    for path in [
        "/complaints/report.xlsx?to=9999-12-31",
        "/complaints/report.csv?from=1970-01-01",
    ] {
        assert_eq!(s.get(path).await.status(), 422, "{path}");
    }
    // Dates in a complaint, and the search filters, follow the same rule.
    for patch in [
        json!({"delivery_date": "1970-01-01"}),
        json!({"delivery_date": "9999-12-31"}),
        json!({"received_at": "1970-01-01T00:00:00Z"}),
    ] {
        let mut body = intake();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (status, res) = post(&c.agent, "/api/v1/complaints", body).await;
        assert_eq!(status, 422, "{patch} → {res}");
        named(&res);
    }
    let list = json_body(c.specialist.get("/api/v1/complaints?open=false").await).await;
    assert_eq!(list, json!([]), "nothing stored");
    let res = c.agent.get("/api/v1/search?q=x&to=9999-12-31").await;
    assert_eq!(res.status(), 422);
    named(&json_body(res).await);
    let res = c
        .agent
        .get("/api/v1/search?q=x&from=2026-02-01&to=2026-01-01")
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(json_body(res).await["error"]["code"], "dates_reversed");
    app.stop().await;
}
