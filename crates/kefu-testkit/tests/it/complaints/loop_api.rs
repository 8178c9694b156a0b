//! 投诉闭环 — a complaint walked through every stage over the API, from intake to closing.

use kefu_testkit::{TestApp, json_body};
use serde_json::json;

use super::{cast, intake, post, stage};

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
    // Approved, not carried out yet: the exchange's RMA has only been requested.
    assert_eq!(d["cost_committed_fen"], 186_000, "{d}");
    assert_eq!(d["cost_carried_out_fen"], 0, "{d}");
    assert_eq!(
        d["cost_fen"], 0,
        "the carried-out figure, as before the two"
    );
    let statuses = |d: &serde_json::Value| -> Vec<String> {
        d["proposals"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["status"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(statuses(&d), ["sent_back", "approved"]);
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
    // The customer had accepted the second: it is reopened, not "rejected by the customer".
    assert_eq!(statuses(&d), ["sent_back", "rejected", "reopened"]);
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

    // 总结评价: refused while RMAs are open; the RMA steps one at a time to closed. The
    // measure is due a month from now (a due date in the past is refused).
    let due = (app.now() + jiff::SignedDuration::from_hours(30 * 24))
        .to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap())
        .date()
        .to_string();
    let evaluation = json!({"summary": "热处理异常导致批量开裂，已换货并补偿", "lessons": "炉温需双人复核",
        "measure": "热处理炉加装温度报警", "measure_owner_id": quality_user, "measure_due": due});
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
    // Carried out: the three exchanges (each RMA closed, the first too although the
    // customer rejected its proposal) and the penalty; nothing left committed.
    assert_eq!(
        d["cost_carried_out_fen"],
        186_000 + 386_000 + 390_000 + 20_000,
        "{d}"
    );
    assert_eq!(d["cost_committed_fen"], 0, "{d}");
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
