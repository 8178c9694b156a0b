//! 关系调查 — a quarterly survey of the key accounts: the manager builds it (the four
//! standard questions and two of their own, bad plans refused); the job invites each key
//! account once a round, by text through the real gateway or by mail, skips the one with no
//! contact, waits for a resting contact's window, and never invites twice; the customer
//! answers every question on one page with no sign-in, once; the questions are fixed once
//! sent; the unanswered are reminded once after five days; the results count the response
//! rate and the NPS from the answers; the link runs out; the next quarter is a new round.

use jiff::SignedDuration;
use kefu_testkit::{ApiClient, Session, SmsPeer, TEST_PASSWORD, TestApp, json_body};
use reqwest::Method;
use serde_json::{Value, json};

use super::{gateway, quiet_app, run_jobs};

/// A key account (or `tier`) with one contact: its id.
async fn customer(api: &ApiClient, name: &str, tier: &str, contact: Value) -> i64 {
    let contacts = if contact.is_null() {
        json!([])
    } else {
        json!([contact])
    };
    let res = api
        .json(
            Method::POST,
            "/api/v1/customers",
            &json!({"name": name, "tier": tier, "contacts": contacts}),
        )
        .await;
    assert_eq!(res.status(), 201);
    json_body(res).await["id"].as_i64().unwrap()
}

fn survey_body(name: &str) -> Value {
    json!({
        "name": name,
        "tier": "key_account",
        "every_months": 3,
        "link_days": 14,
        "remind_after_days": 5,
        "active": true,
        "questions": [
            {"text": "您选择我们的主要原因是？", "kind": "choice",
             "options": ["价格", "质量", "服务"], "required": true},
            {"text": "还有什么建议？", "kind": "text"},
        ],
    })
}

async fn send(api: &ApiClient, method: Method, path: &str, body: &Value) -> (u16, Value) {
    let res = api.json(method, path, body).await;
    let status = res.status().as_u16();
    (status, json_body(res).await)
}

/// The survey links in the texts the gateway got, by mobile.
fn links(peer: &SmsPeer) -> Vec<(String, String)> {
    peer.received()
        .iter()
        .filter_map(|r| {
            let body = r.body["text"].as_str()?;
            let start = body.find("/r/")?;
            let link = body[start + 3..]
                .split(|c: char| c.is_whitespace())
                .next()?
                .to_owned();
            Some((r.body["to"].as_str()?.to_owned(), link))
        })
        .collect()
}

fn link_to(peer: &SmsPeer, mobile: &str) -> String {
    links(peer)
        .into_iter()
        .find(|(to, _)| to.ends_with(mobile))
        .map(|(_, l)| l)
        .unwrap_or_else(|| panic!("no survey text to {mobile}: {:?}", links(peer)))
}

async fn answer(visitor: &Session, link: &str, answers: &[(&str, &str)]) -> (u16, String) {
    let page = visitor.get(&format!("/r/{link}")).await;
    assert_eq!(page.status(), 200);
    let csrf = visitor.csrf().await;
    let mut form = vec![("_csrf", csrf.as_str())];
    form.extend_from_slice(answers);
    let res = visitor
        .client
        .post(visitor.url(&format!("/r/{link}")))
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}

async fn outbox(app: &TestApp, kind: &str, channel: &str) -> i64 {
    super::count(
        app,
        &format!(
            "SELECT COUNT(*) FROM outbound_messages WHERE kind = '{kind}' AND channel = '{channel}'"
        ),
    )
    .await
}

#[tokio::test]
async fn a_quarterly_key_account_survey_invites_reminds_and_counts_the_nps() {
    let peer = SmsPeer::start().await;
    // Monday 2026-11-23 10:00 in Beijing.
    let (app, clock) = quiet_app().await;
    gateway(&app, &peer).await;
    let manager = app
        .create_user("guan.xi", &[kefu_domain::Role::CsManager])
        .await;
    let api = ApiClient::new(&app, &app.token_for(manager).await);
    let crm = app
        .create_user("guan.xi.crm", &[kefu_domain::Role::CrmSpecialist])
        .await;
    let a = customer(
        &api,
        "甲机电",
        "key_account",
        json!({"name": "甲经理", "mobile": "13800000001"}),
    )
    .await;
    let b = customer(
        &api,
        "乙制造",
        "key_account",
        json!({"name": "乙经理", "mobile": "13800000002"}),
    )
    .await;
    customer(
        &api,
        "丙科技",
        "key_account",
        json!({"name": "丙经理", "mobile": "13800000003"}),
    )
    .await;
    // Mail only; nobody to send to; resting now (10:00); another tier.
    customer(
        &api,
        "丁贸易",
        "key_account",
        json!({"name": "丁经理", "email": "ding@example.com"}),
    )
    .await;
    let nobody = customer(&api, "戊集团", "key_account", Value::Null).await;
    customer(
        &api,
        "己实业",
        "key_account",
        json!({"name": "己经理", "mobile": "13800000006", "rest_hours": "09:00-11:00"}),
    )
    .await;
    customer(
        &api,
        "庚商行",
        "vip",
        json!({"name": "庚经理", "mobile": "13800000007"}),
    )
    .await;

    // Bad plans and questionnaires are refused with the rule, nothing stored.
    let mut bad = survey_body("大客户季度关系调查");
    bad["remind_after_days"] = json!(14);
    let (s, e) = send(&api, Method::POST, "/api/v1/relationship-surveys", &bad).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (422, Some("survey_remind_days"))
    );
    let mut bad = survey_body("大客户季度关系调查");
    bad["questions"][0]["kind"] = json!("nps");
    let (s, e) = send(&api, Method::POST, "/api/v1/relationship-surveys", &bad).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (422, Some("survey_second_nps"))
    );
    let mut bad = survey_body("大客户季度关系调查");
    bad["questions"][0]["options"] = json!(["只有一个"]);
    let (s, e) = send(&api, Method::POST, "/api/v1/relationship-surveys", &bad).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (422, Some("survey_question_options"))
    );
    let mut bad = survey_body("大客户季度关系调查");
    bad["tier"] = json!("gold");
    let (s, e) = send(&api, Method::POST, "/api/v1/relationship-surveys", &bad).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (422, Some("unknown_value"))
    );
    assert_eq!(
        json_body(api.get("/api/v1/relationship-surveys").await).await,
        json!([])
    );
    let (s, survey) = send(
        &api,
        Method::POST,
        "/api/v1/relationship-surveys",
        &survey_body("大客户季度关系调查"),
    )
    .await;
    assert_eq!(s, 201, "{survey}");
    let id = survey["id"].as_i64().unwrap();
    let keys: Vec<&str> = survey["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        ["keep", "repurchase", "recommend", "switch", "q1", "q2"]
    );

    // The round: four invited (three texts, one mail), one skipped, the resting one and
    // the VIP not invited; a second run invites nobody again.
    let run = app.app.send_relationship_surveys().await.unwrap();
    assert_eq!((run.invited, run.skipped, run.reminded), (4, 1, 0));
    let run = app.app.send_relationship_surveys().await.unwrap();
    assert_eq!((run.invited, run.skipped), (0, 0));
    assert_eq!(outbox(&app, "relationship_invitation", "sms").await, 3);
    assert_eq!(outbox(&app, "relationship_invitation", "email").await, 1);
    run_jobs(&app).await;
    assert_eq!(links(&peer).len(), 3, "{:?}", peer.received());
    let text = peer.received()[0].body["text"].as_str().unwrap().to_owned();
    assert!(
        text.contains("大客户季度关系调查") && text.contains("14 天内有效"),
        "{text}"
    );
    // 11:30: the resting contact's window is open.
    clock.advance(SignedDuration::from_mins(90));
    let run = app.app.send_relationship_surveys().await.unwrap();
    assert_eq!(run.invited, 1);
    run_jobs(&app).await;
    link_to(&peer, "13800000006");

    // Sent: the questions are fixed, the plan is not; a stale version is refused.
    let res = api.get(&format!("/api/v1/relationship-surveys/{id}")).await;
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let mut changed = survey_body("大客户季度关系调查");
    changed["questions"][1]["text"] = json!("您对我们还有什么建议？");
    let res = api
        .request(Method::PUT, &format!("/api/v1/relationship-surveys/{id}"))
        .header("If-Match", &etag)
        .json(&changed)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
    assert_eq!(
        json_body(res).await["error"]["code"],
        "survey_questions_fixed"
    );
    let renamed = survey_body("大客户关系调查（季度）");
    let res = api
        .request(Method::PUT, &format!("/api/v1/relationship-surveys/{id}"))
        .header("If-Match", &etag)
        .json(&renamed)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = api
        .request(Method::PUT, &format!("/api/v1/relationship-surveys/{id}"))
        .header("If-Match", &etag)
        .json(&renamed)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 412, "the version moved on");

    // 甲 answers on the page with no sign-in: a missing answer names the question and
    // keeps what was given; then all of it, once.
    let visitor = Session {
        client: app.client(),
        base: app.base.clone(),
    };
    let la = link_to(&peer, "13800000001");
    let page = visitor.get(&format!("/r/{la}")).await.text().await.unwrap();
    assert!(page.contains("甲经理，您好"), "{page}");
    assert!(page.contains("您有多大可能向朋友或同事推荐我们公司？"));
    assert_eq!(page.matches("name=\"recommend\"").count(), 11, "0–10");
    let (s, html) = answer(
        &visitor,
        &la,
        &[
            ("keep", "5"),
            ("repurchase", "4"),
            ("switch", "4"),
            ("q1", "1"),
        ],
    )
    .await;
    assert_eq!(s, 422);
    assert!(
        html.contains("请回答：您有多大可能向朋友或同事推荐我们公司？"),
        "{html}"
    );
    assert!(
        html.contains("name=\"keep\" value=\"5\" checked"),
        "kept: {html}"
    );
    let (s, html) = answer(
        &visitor,
        &la,
        &[
            ("keep", "5"),
            ("repurchase", "4"),
            ("recommend", "10"),
            ("switch", "4"),
            ("q1", "1"),
            ("q2", " 交货再快一点就更好了 "),
        ],
    )
    .await;
    assert_eq!(s, 200);
    assert!(
        html.contains("data-testid=\"relationship-thanks\""),
        "{html}"
    );
    let (s, html) = answer(&visitor, &la, &[("recommend", "0")]).await;
    assert_eq!(s, 409, "one answer per invitation");
    assert!(html.contains("您已经填写过这份调查"), "{html}");
    // 乙 is a detractor; 丙 and the others do not answer.
    let (s, _) = answer(
        &visitor,
        &link_to(&peer, "13800000002"),
        &[
            ("keep", "3"),
            ("repurchase", "2"),
            ("recommend", "6"),
            ("switch", "2"),
            ("q1", "0"),
        ],
    )
    .await;
    assert_eq!(s, 200);
    // The detractor (0–6) is the relationship specialist's to call; the promoter is not.
    assert_eq!(app.notified("relationship_detractor", Some(crm)).await, 1);
    let bell = app
        .login("guan.xi.crm", TEST_PASSWORD)
        .await
        .get("/notifications")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        bell.contains("乙制造 在“大客户关系调查（季度）”中的推荐意愿只有 6 分"),
        "{bell}"
    );
    // A link kefu did not make, or one altered, is not found.
    let forged = la.replacen(&la[..la.find('-').unwrap()], "999", 1);
    assert_eq!(visitor.get(&format!("/r/{forged}")).await.status(), 404);
    assert_eq!(visitor.get("/r/1-2-3").await.status(), 404);
    assert_eq!(
        visitor.get(&format!("/s/{la}")).await.status(),
        404,
        "a relationship link is no ticket survey's"
    );

    // A week on (Monday again, five days and more after each invitation): the three who
    // did not answer are reminded once, by text or mail as they were invited.
    clock.advance(SignedDuration::from_hours(7 * 24));
    let run = app.app.send_relationship_surveys().await.unwrap();
    assert_eq!((run.invited, run.reminded), (0, 3));
    let run = app.app.send_relationship_surveys().await.unwrap();
    assert_eq!(run.reminded, 0, "once");
    assert_eq!(outbox(&app, "relationship_reminder", "sms").await, 2);
    assert_eq!(outbox(&app, "relationship_reminder", "email").await, 1);
    run_jobs(&app).await;
    let reminders: Vec<String> = peer
        .received()
        .iter()
        .filter_map(|r| r.body["text"].as_str().map(str::to_owned))
        .filter(|t| t.contains("还没有填写"))
        .collect();
    assert_eq!(reminders.len(), 2, "{reminders:?}");

    // The results: 5 invited, 1 skipped, 2 answered (40 %), NPS (1 − 1) / 2 = 0.
    let r = json_body(
        api.get(&format!("/api/v1/relationship-surveys/{id}/results"))
            .await,
    )
    .await;
    assert_eq!(r["period"], "2026-Q4");
    assert_eq!(
        (
            r["sent"].as_i64(),
            r["skipped"].as_i64(),
            r["answered"].as_i64(),
            r["reminded"].as_i64()
        ),
        (Some(5), Some(1), Some(2), Some(3))
    );
    assert_eq!(r["response_rate_tenths"], 400);
    assert_eq!(
        (r["promoters"].as_i64(), r["detractors"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(r["nps_tenths"], 0);
    let keep = &r["questions"][0];
    assert_eq!(
        (keep["answers"].as_i64(), keep["average_tenths"].as_i64()),
        (Some(2), Some(40))
    );
    let why = &r["questions"][4];
    assert_eq!(why["counts"][0], json!({"label": "价格", "count": 1}));
    assert_eq!(why["counts"][1], json!({"label": "质量", "count": 1}));
    assert_eq!(r["comments"][0]["text"], "交货再快一点就更好了");
    assert_eq!(r["comments"][0]["customer_id"], a);
    let skipped: Vec<&Value> = r["invitations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["state"] == "skipped")
        .collect();
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0]["customer_id"], nobody);
    assert_eq!(skipped[0]["skip_reason"], "no_contact");
    let answered_b = r["invitations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["customer_id"] == b)
        .unwrap();
    assert_eq!(answered_b["nps"], 6);

    // The pages: the list and the round for the manager, not for an agent.
    let session = app.login("guan.xi", TEST_PASSWORD).await;
    let list = session
        .get("/satisfaction/relationship")
        .await
        .text()
        .await
        .unwrap();
    assert!(list.contains("大客户关系调查（季度）"), "{list}");
    assert!(list.contains("40.0%"), "{list}");
    let round = session
        .get(&format!("/satisfaction/relationship/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(round.contains("交货再快一点就更好了"));
    assert!(
        round.contains("data-testid=\"relationship-nps\">0.0<"),
        "{round}"
    );
    assert!(!round.contains("13800000001"), "no mobile on the page");
    // The manager's workbench shows the round: answered, of invited, rate and NPS.
    let home = session.get("/").await.text().await.unwrap();
    let at = home
        .find("data-tile=\"relationship.rounds\"")
        .expect("the tile shows");
    let tile = &home[at..at + home[at..].find("</article>").unwrap()];
    assert!(tile.contains("大客户关系调查（季度）"), "{tile}");
    assert!(
        tile.contains("2026-Q4 已邀请 5 · 回复率 40.0% · NPS 0.0"),
        "{tile}"
    );
    let edit = session
        .get(&format!("/satisfaction/relationship/{id}/edit"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        edit.contains("data-testid=\"relationship-fixed\""),
        "{edit}"
    );
    app.create_user("yi.ban", &[kefu_domain::Role::Agent]).await;
    let agent = app.login("yi.ban", TEST_PASSWORD).await;
    assert_eq!(
        agent
            .get(&format!("/satisfaction/relationship/{id}"))
            .await
            .status(),
        403
    );

    // Fourteen days after the invitation, 丙's link has run out.
    clock.advance(SignedDuration::from_hours(8 * 24));
    let res = visitor
        .get(&format!("/r/{}", link_to(&peer, "13800000003")))
        .await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("data-testid=\"relationship-expired\""),
        "{html}"
    );
    let (s, _) = answer(
        &visitor,
        &link_to(&peer, "13800000003"),
        &[
            ("keep", "5"),
            ("repurchase", "5"),
            ("recommend", "9"),
            ("switch", "5"),
            ("q1", "2"),
        ],
    )
    .await;
    assert_eq!(s, 410);

    // The next quarter is a new round: every key account is asked again.
    clock.set("2027-01-06T03:30:00Z".parse().unwrap());
    let run = app.app.send_relationship_surveys().await.unwrap();
    assert_eq!((run.invited, run.skipped), (5, 1));
    let r = json_body(
        api.get(&format!("/api/v1/relationship-surveys/{id}/results"))
            .await,
    )
    .await;
    assert_eq!(r["period"], "2027-Q1");
    assert_eq!(r["periods"], json!(["2027-Q1", "2026-Q4"]));
    let bad = api
        .get(&format!(
            "/api/v1/relationship-surveys/{id}/results?period=2026-Q5"
        ))
        .await;
    assert_eq!(bad.status(), 422);
}

#[tokio::test]
async fn the_builder_page_makes_a_survey_and_keeps_a_refused_form() {
    let (app, _clock) = quiet_app().await;
    app.create_user("jian.biao", &[kefu_domain::Role::CrmSpecialist])
        .await;
    let s = app.login("jian.biao", TEST_PASSWORD).await;
    let form = s
        .get("/satisfaction/relationship/new")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        form.contains("您是否愿意继续与我们保持并加强合作关系？"),
        "{form}"
    );
    assert_eq!(form.matches("data-testid=\"relationship-row\"").count(), 3);
    let fields = [
        ("name", "经销商半年度调查"),
        ("tier", ""),
        ("customer_type", "distributor"),
        ("every_months", "6"),
        ("link_days", "10"),
        ("remind_after_days", "3"),
        ("active", "1"),
        ("q1_text", "您对我们的交货速度满意吗？"),
        ("q1_kind", "scale"),
        ("q1_required", "1"),
        ("q2_text", "最需要改进的是？"),
        ("q2_kind", "choice"),
        ("q2_options", "交期\n价格"),
        ("q3_text", ""),
        ("q3_kind", "scale"),
    ];
    let mut bad = fields.to_vec();
    bad[4] = ("link_days", "0");
    let res = s.post_form("/satisfaction/relationship", &bad).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("链接有效天数须在 1–60 天之间"), "{html}");
    assert!(html.contains("value=\"经销商半年度调查\""), "kept");
    assert!(html.contains("最需要改进的是？"), "kept");
    let res = s.post_form("/satisfaction/relationship", &fields).await;
    assert_eq!(res.status(), 303);
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    let id: i64 = to.rsplit('/').next().unwrap().parse().unwrap();
    let survey = app
        .app
        .relationship_survey(&kefu_app::Actor::system(), id)
        .await
        .unwrap();
    assert_eq!(survey.plan.every_months, 6);
    assert_eq!(survey.plan.tier, None);
    assert_eq!(
        survey.plan.customer_type,
        Some(kefu_domain::customer::CustomerType::Distributor)
    );
    let custom = survey.custom();
    assert_eq!(custom.len(), 2, "the blank row is not kept");
    assert_eq!(custom[1].options, ["交期", "价格"]);
    assert!(custom[0].required && !custom[1].required);
    let round = s.get(&to).await.text().await.unwrap();
    assert!(round.contains("经销商半年度调查"));
    assert!(round.contains("2026-H2"), "the half year of today: {round}");
}
