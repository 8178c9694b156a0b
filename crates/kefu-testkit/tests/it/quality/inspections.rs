//! 质检 — an inspection scored item by item on the scorecard, the phrases to avoid hinted
//! in the agent's written lines; the agent acknowledges the result or appeals (申诉) in
//! time; the manager upholds or sends it back, and the second score is final. Every
//! refusal leaves the inspection as it was.

use std::sync::Arc;

use jiff::SignedDuration;
use kefu_domain::{FixedClock, Role};
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, TestOptions, json_body};
use reqwest::Method;
use serde_json::{Value, json};

use super::resolved_ticket;
use crate::key_accounts::{code, send};

/// Full marks on every item that applies, but `overrides` (key → score, `null` = N/A).
fn scores(detail: &Value, overrides: &[(&str, Value)]) -> Value {
    let items: Vec<Value> = detail["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["applies"] == true)
        .map(|i| {
            let key = i["key"].as_str().unwrap();
            let score = overrides
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.clone())
                .unwrap_or(json!(i["levels"].as_u64().unwrap() - 1));
            json!({"key": key, "score": score, "comment": "", "evidence": ""})
        })
        .collect();
    json!({"scorecard_version_id": detail["scorecard_version_id"], "items": items})
}

async fn with_version(api: &ApiClient, path: &str, version: i64, body: &Value) -> (u16, Value) {
    let res = api
        .request(Method::POST, path)
        .header("If-Match", format!("\"{version}\""))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn an_inspection_is_scored_then_acknowledged_or_appealed_and_decided() {
    // Wednesday 2026-12-02 10:00 in Beijing.
    let clock = Arc::new(FixedClock::new("2026-12-02T02:00:00Z".parse().unwrap()));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock.clone()),
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    let q1 = app
        .create_user("zhi.jian.a", &[Role::QualitySpecialist])
        .await;
    let agent_id = app.create_user("ke.fu.a", &[Role::Agent]).await;
    let other_id = app.create_user("ke.fu.b", &[Role::Agent]).await;
    let manager_id = app.create_user("jing.li.a", &[Role::CsManager]).await;
    let inspector = ApiClient::new(&app, &app.token_for(q1).await);
    let agent = ApiClient::new(&app, &app.token_for(agent_id).await);
    let other = ApiClient::new(&app, &app.token_for(other_id).await);
    let manager = ApiClient::new(&app, &app.token_for(manager_id).await);

    // Settings: three tickets per agent, appeals within two days.
    let res = inspector.get("/api/v1/quality/settings").await;
    let version = res.headers()["etag"].to_str().unwrap().to_owned();
    let mut body = json_body(res).await;
    body["per_agent"] = json!(3);
    body["appeal_days"] = json!(0);
    let (status, refused) = send(&inspector, Method::PUT, "/api/v1/quality/settings", &body).await;
    assert_eq!(
        (status, code(&refused)),
        (422, Some("quality_bad_appeal_days"))
    );
    body["appeal_days"] = json!(2);
    let res = inspector
        .request(Method::PUT, "/api/v1/quality/settings")
        .header("If-Match", &version)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = inspector
        .request(Method::PUT, "/api/v1/quality/settings")
        .header("If-Match", &version)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 412, "saved from the old version");

    let rude = resolved_ticket(
        &agent,
        agent_id,
        "空调不制冷",
        "这个不行，我也不知道什么时候能修好。",
    )
    .await;
    let polite = resolved_ticket(&agent, agent_id, "热水器漏水", "您好，师傅明天上午上门。").await;
    let third = resolved_ticket(&agent, agent_id, "咨询安装", "您好，安装免费。").await;
    clock.advance(SignedDuration::from_mins(30));
    let (status, drawn) = send(
        &inspector,
        Method::POST,
        "/api/v1/quality/samples",
        &json!({}),
    )
    .await;
    assert_eq!(status, 201, "{drawn}");
    assert_eq!(drawn["inspections"], 3);
    let list = json_body(
        inspector
            .get("/api/v1/quality/inspections?scope=todo")
            .await,
    )
    .await;
    let id_of = |t: i64| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|i| i["source_id"] == t)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let (rude_id, polite_id, third_id) = (id_of(rude), id_of(polite), id_of(third));
    let path = |id: i64, step: &str| format!("/api/v1/quality/inspections/{id}{step}");

    // The conversation with the phrases to avoid hinted, on the agent's line only.
    let detail = json_body(inspector.get(&path(rude_id, "")).await).await;
    let hinted: Vec<&Value> = detail["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| !l["hinted"].as_array().unwrap().is_empty())
        .collect();
    assert_eq!(hinted.len(), 1, "{detail}");
    assert_eq!(hinted[0]["author_kind"], "staff");
    assert_eq!(hinted[0]["hinted"], json!(["不行", "不知道"]));
    // The voice item does not apply to a written channel.
    let voice = detail["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "b2")
        .unwrap();
    assert_eq!(voice["applies"], false);
    // Not yet scored: the agent is not told of it.
    assert_eq!(agent.get(&path(rude_id, "")).await.status(), 404);

    // Refused, and nothing changes: an item missing, a phone-only item on a ticket, a score
    // outside the scale, someone else's inspection, a stale version.
    let score = path(rude_id, "/score");
    let mut missing = scores(&detail, &[]);
    missing["items"].as_array_mut().unwrap().remove(0);
    let (status, r) = send(&inspector, Method::POST, &score, &missing).await;
    assert_eq!((status, code(&r)), (422, Some("score_not_scored")), "{r}");
    let mut voice_scored = scores(&detail, &[]);
    voice_scored["items"]
        .as_array_mut()
        .unwrap()
        .push(json!({"key": "b2", "score": 1}));
    let (status, r) = send(&inspector, Method::POST, &score, &voice_scored).await;
    assert_eq!((status, code(&r)), (422, Some("score_not_applicable")));
    let (status, r) = send(
        &inspector,
        Method::POST,
        &score,
        &scores(&detail, &[("a1", json!(7))]),
    )
    .await;
    assert_eq!((status, code(&r)), (422, Some("score_out_of_scale")));
    let (status, r) = send(&manager, Method::POST, &score, &scores(&detail, &[])).await;
    assert_eq!((status, code(&r)), (403, Some("inspection_not_yours")));
    let v = detail["version"].as_i64().unwrap();
    let (status, _) = with_version(&inspector, &score, v + 1, &scores(&detail, &[])).await;
    assert_eq!(status, 412);
    let still = json_body(inspector.get(&path(rude_id, "")).await).await;
    assert_eq!(
        (still["status"].clone(), still["version"].clone()),
        (json!("assigned"), json!(v))
    );

    // Scored: b4 (杜绝"不行、不知道、不可以") 0 with its evidence; a4 (文明用语, critical) 0.
    let mut body = scores(&detail, &[("b4", json!(0)), ("a4", json!(0))]);
    for i in body["items"].as_array_mut().unwrap() {
        if i["key"] == "b4" {
            i["evidence"] = json!("“这个不行，我也不知道”");
        }
    }
    body["comment"] = json!("推诿、语气生硬。");
    let (status, scored) = with_version(&inspector, &score, v, &body).await;
    assert_eq!(status, 200, "{scored}");
    assert_eq!(scored["status"], "scored");
    assert_eq!(scored["passed"], false);
    assert_eq!(scored["critical_failed"], true);
    // 100 − 5 (a4) − 5 (b4) of the 95 points that apply (b2 is phone only): 85/95.
    assert_eq!(scored["score_tenths"], 895);
    let b4 = scored["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "b4")
        .unwrap();
    assert_eq!(
        (b4["score"].clone(), b4["evidence"].clone()),
        (json!(0), json!("“这个不行，我也不知道”"))
    );
    assert_eq!(app.notified("quality_scored", Some(agent_id)).await, 1);
    let (status, r) = send(&inspector, Method::POST, &score, &scores(&detail, &[])).await;
    assert_eq!((status, code(&r)), (409, Some("inspection_not_open")));

    // The agent reads it; another agent does not; only the agent answers.
    let mine = json_body(agent.get("/api/v1/quality/inspections?scope=mine").await).await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(other.get(&path(rude_id, "")).await.status(), 404);
    let appeal = path(rude_id, "/appeal");
    let (status, r) = send(&agent, Method::POST, &appeal, &json!({"reason": " "})).await;
    assert_eq!((status, code(&r)), (422, Some("inspection_no_reason")));
    let (status, r) = send(
        &agent,
        Method::POST,
        &appeal,
        &json!({"reason": "客户当时要求的型号确实停产，我说的是实情。"}),
    )
    .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["status"], "appealed");
    assert_eq!(app.notified("quality_appealed", Some(manager_id)).await, 1);

    // The manager sees it waiting in the approvals inbox and sends it back.
    let s = app.login("jing.li.a", TEST_PASSWORD).await;
    let inbox = s
        .get("/approvals?kind=quality_appeal")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        inbox.contains(&format!("/quality/inspections/{rude_id}")),
        "{inbox}"
    );
    assert!(inbox.contains("型号确实停产"));
    let (status, r) = send(
        &inspector,
        Method::POST,
        &path(rude_id, "/decision"),
        &json!({"decision": "rescore"}),
    )
    .await;
    assert_eq!(status, 403, "the inspector does not decide");
    let (status, r2) = send(
        &manager,
        Method::POST,
        &path(rude_id, "/decision"),
        &json!({"decision": "maybe"}),
    )
    .await;
    assert_eq!((status, code(&r2)), (422, Some("unknown_value")), "{r}");
    let (status, r) = send(
        &manager,
        Method::POST,
        &path(rude_id, "/decision"),
        &json!({"decision": "rescore", "note": "停产属实，b4 重新评分。"}),
    )
    .await;
    assert_eq!(
        (status, r["status"].clone()),
        (200, json!("rescoring")),
        "{r}"
    );
    assert_eq!(
        app.notified("quality_appeal_decided", Some(agent_id)).await,
        1
    );
    assert_eq!(app.notified("quality_appeal_decided", Some(q1)).await, 1);
    let inbox = s
        .get("/approvals?kind=quality_appeal")
        .await
        .text()
        .await
        .unwrap();
    assert!(!inbox.contains(&format!("/quality/inspections/{rude_id}")));

    // Scored again on the same scorecard version: final, no second appeal.
    let again = json_body(inspector.get(&path(rude_id, "")).await).await;
    let (status, r) = send(
        &inspector,
        Method::POST,
        &score,
        &scores(&again, &[("a4", json!(0))]),
    )
    .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(
        (r["status"].clone(), r["score_tenths"].clone()),
        (json!("revised"), json!(947))
    );
    let (status, r) = send(&agent, Method::POST, &appeal, &json!({"reason": "再申诉"})).await;
    assert_eq!((status, code(&r)), (409, Some("inspection_no_result")));

    // Another result is acknowledged; a third is past its appeal days.
    for id in [polite_id, third_id] {
        let d = json_body(inspector.get(&path(id, "")).await).await;
        let (status, _) = send(
            &inspector,
            Method::POST,
            &path(id, "/score"),
            &scores(&d, &[]),
        )
        .await;
        assert_eq!(status, 200);
    }
    let (status, r) = send(
        &agent,
        Method::POST,
        &path(polite_id, "/acknowledge"),
        &json!({}),
    )
    .await;
    assert_eq!((status, r["status"].clone()), (200, json!("acknowledged")));
    assert_eq!(r["score_tenths"], 1000);
    clock.advance(SignedDuration::from_hours(49));
    let (status, r) = send(
        &agent,
        Method::POST,
        &path(third_id, "/appeal"),
        &json!({"reason": "不同意"}),
    )
    .await;
    assert_eq!((status, code(&r)), (409, Some("inspection_appeal_closed")));
    let (status, _) = send(
        &agent,
        Method::POST,
        &path(third_id, "/acknowledge"),
        &json!({}),
    )
    .await;
    assert_eq!(status, 200, "acknowledging stays open");
    app.stop().await;
}

#[tokio::test]
async fn the_inspection_page_marks_the_phrases_and_keeps_a_refused_score() {
    // No job worker: past today's unannounced minute its round would draw the sample
    // before the specialist's button does.
    let app = TestApp::spawn_with(TestOptions {
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    let q1 = app
        .create_user("zhi.jian.p", &[Role::QualitySpecialist])
        .await;
    let agent_id = app.create_user("ke.fu.p", &[Role::Agent]).await;
    let agent = ApiClient::new(&app, &app.token_for(agent_id).await);
    let _ = q1;
    let ticket = resolved_ticket(
        &agent,
        agent_id,
        "投诉配送慢",
        "这个我保证明天到，不可能再晚了。",
    )
    .await;
    let s = app.login("zhi.jian.p", TEST_PASSWORD).await;
    let home = s.get("/").await.text().await.unwrap();
    assert!(home.contains("待我质检"), "the workbench tile");
    let res = s.post_form("/quality/samples", &[]).await;
    assert_eq!(res.status(), 303);
    let list = s
        .get("/quality/inspections?scope=todo")
        .await
        .text()
        .await
        .unwrap();
    let at = list.find("/quality/inspections/").unwrap() + "/quality/inspections/".len();
    let id: i64 = list[at..].split('"').next().unwrap().parse().unwrap();
    let page = s
        .get(&format!("/quality/inspections/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("/tickets/{ticket}")));
    assert!(
        page.contains("<mark title=\"服务忌语提示\" data-testid=\"phrase-hint\">保证</mark>"),
        "{page}"
    );
    assert!(page.contains("data-testid=\"phrase-hint\">不可能</mark>"));
    assert!(page.contains("发现 2 处服务忌语"));

    // Sent with one item unchosen: refused in words, what was typed kept.
    let form = kefu_testkit::form_fields(&page, &format!("/quality/inspections/{id}/score"));
    let mut fields: Vec<(String, String)> = form
        .into_iter()
        .filter(|(k, _)| k != "_csrf")
        .map(|(k, v)| {
            let v = if k.starts_with("score") {
                "1".to_owned()
            } else {
                v
            };
            (k, v)
        })
        .collect();
    for (k, v) in fields.iter_mut() {
        if k == "score0" {
            v.clear();
        }
        if k == "comment" {
            *v = "承诺过度。".to_owned();
        }
    }
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let res = s
        .post_form(&format!("/quality/inspections/{id}/score"), &pairs)
        .await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("还没有打分"), "{page}");
    assert!(page.contains("承诺过度。"), "the comment is kept");
    app.stop().await;
}
