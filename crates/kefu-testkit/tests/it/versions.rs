//! Versions: two people editing one record never undo each other silently. A stale page
//! form writes only the fields its reader changed, and is sent back (409) when the other
//! person changed the same field; the API refuses a stale `If-Match` with 412; every write
//! (a reply, a bulk action) moves the version on.

use std::sync::Arc;

use kefu_domain::{FixedClock, Role};
use kefu_testkit::{ApiClient, Session, TEST_PASSWORD, TestApp, TestOptions, json_body};
use reqwest::Method;
use serde_json::{Value, json};

/// An app whose clock stands still on a Wednesday at 10:00 in Shanghai: no SLA or stage
/// deadline comes nearer while a test runs, so no warning moves a version under it (on the
/// real clock, a run late in the business day met a stage warning between read and write).
async fn spawn() -> TestApp {
    let at = "2026-11-25T02:00:00Z".parse().unwrap();
    TestApp::spawn_with(TestOptions {
        clock: Some(Arc::new(FixedClock::new(at))),
        ..Default::default()
    })
    .await
}

/// Undoes the escaping askama applies to attribute values.
fn unescape(v: &str) -> String {
    v.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The value attribute of the first input named `name` in `html`.
fn input_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(unescape(&html[start..end]))
}

/// The edit form of a page as a browser sends it when the reader touches nothing: the
/// version, every `orig_<field>` and each field with the value it showed — except the
/// inputs in `empty`, which a browser sends empty (masked fields start empty).
fn untouched_form(html: &str, empty: &[&str]) -> Vec<(String, String)> {
    let version = input_value(html, "version").expect("the form carries its version");
    let mut form = vec![("version".to_owned(), version)];
    let marker = "name=\"orig_";
    let mut rest = html;
    while let Some(i) = rest.find(marker) {
        rest = &rest[i + marker.len()..];
        let name = rest[..rest.find('"').unwrap()].to_owned();
        let value = input_value(html, &format!("orig_{name}")).unwrap();
        let sent = if empty.contains(&name.as_str()) {
            String::new()
        } else {
            value.clone()
        };
        form.push((format!("orig_{name}"), value));
        form.push((name, sent));
    }
    assert!(form.len() > 3, "the form carries what it showed");
    form
}

/// `form` with `changes` typed in.
fn typed(form: &[(String, String)], changes: &[(&str, &str)]) -> Vec<(String, String)> {
    form.iter()
        .map(|(k, v)| match changes.iter().find(|(c, _)| c == k) {
            Some((_, new)) => (k.clone(), (*new).to_owned()),
            None => (k.clone(), v.clone()),
        })
        .collect()
}

async fn post(s: &Session, path: &str, form: &[(String, String)]) -> reqwest::Response {
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    s.post_form(path, &fields).await
}

async fn api_user(app: &TestApp, username: &str, role: Role) -> (i64, ApiClient) {
    let id = app.create_user(username, &[role]).await;
    (id, ApiClient::new(app, &app.token_for(id).await))
}

async fn new_ticket(api: &ApiClient) -> i64 {
    let res = api
        .json(
            Method::POST,
            "/api/v1/tickets",
            &json!({"subject": "冰箱不制冷", "body": "买了一个月就不制冷了。",
                    "priority": "normal", "tags": ["维修"], "contact_name": "赵女士"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    json_body(res).await["id"].as_i64().unwrap()
}

async fn ticket(api: &ApiClient, id: i64) -> Value {
    json_body(api.get(&format!("/api/v1/tickets/{id}")).await).await["ticket"].clone()
}

fn etag(res: &reqwest::Response) -> String {
    res.headers()
        .get("etag")
        .expect("an ETag")
        .to_str()
        .unwrap()
        .to_owned()
}

async fn patch_if(api: &ApiClient, id: i64, tag: &str, body: Value) -> reqwest::Response {
    api.request(Method::PATCH, &format!("/api/v1/tickets/{id}"))
        .header("if-match", tag)
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_stale_ticket_form_keeps_the_managers_priority_and_tag() {
    let app = spawn().await;
    let (agent, agent_api) = api_user(&app, "xu.agent", Role::Agent).await;
    let (_, manager) = api_user(&app, "gao.manager", Role::CsManager).await;
    let id = new_ticket(&agent_api).await;

    // The agent opens the ticket; the manager raises the priority and tags it meanwhile.
    let s = app.login("xu.agent", TEST_PASSWORD).await;
    let page = s.get(&format!("/tickets/{id}")).await.text().await.unwrap();
    let form = untouched_form(&page, &[]);
    let res = manager
        .json(
            Method::PATCH,
            &format!("/api/v1/tickets/{id}"),
            &json!({"priority": "urgent", "tags": ["维修", "加急"]}),
        )
        .await;
    assert_eq!(res.status(), 200);

    // The agent's form, changed only in its assignee, is saved: the manager's values stand.
    let me = agent.to_string();
    let res = post(
        &s,
        &format!("/tickets/{id}"),
        &typed(&form, &[("assignee", &me)]),
    )
    .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let t = ticket(&agent_api, id).await;
    assert_eq!(
        t["priority"], "urgent",
        "the stale form left the priority alone"
    );
    assert_eq!(t["tags"], json!(["维修", "加急"]), "and the tags");
    assert_eq!(t["assignee_id"], agent, "the agent's change is written");
    app.stop().await;
}

#[tokio::test]
async fn both_changing_the_priority_sends_the_form_back_with_the_other_value_named() {
    let app = spawn().await;
    let (agent, agent_api) = api_user(&app, "he.agent", Role::Agent).await;
    let (_, manager) = api_user(&app, "lu.manager", Role::CsManager).await;
    let id = new_ticket(&agent_api).await;

    let s = app.login("he.agent", TEST_PASSWORD).await;
    let page = s.get(&format!("/tickets/{id}")).await.text().await.unwrap();
    let form = untouched_form(&page, &[]);
    manager
        .json(
            Method::PATCH,
            &format!("/api/v1/tickets/{id}"),
            &json!({"priority": "urgent"}),
        )
        .await;
    let before = ticket(&agent_api, id).await;

    let me = agent.to_string();
    let res = post(
        &s,
        &format!("/tickets/{id}"),
        &typed(&form, &[("priority", "high"), ("assignee", &me)]),
    )
    .await;
    assert_eq!(res.status(), 409);
    let html = res.text().await.unwrap();
    assert!(html.contains("data-testid=\"stale-changes\""), "{html}");
    assert!(
        html.contains("优先级: <strong>紧急</strong>"),
        "the manager's value is named"
    );
    assert!(
        html.contains("<option value=\"high\" selected>"),
        "the agent's choice is kept in the form"
    );
    // The form sent back compares with the ticket as it is now.
    let version = input_value(&html, "version").unwrap();
    assert_eq!(version, before["version"].to_string());
    assert_eq!(input_value(&html, "orig_priority").unwrap(), "urgent");

    // Nothing of the refused form was written.
    let t = ticket(&agent_api, id).await;
    assert_eq!(t["priority"], "urgent");
    assert!(t["assignee_id"].is_null());
    assert_eq!(t["version"], before["version"]);

    // Sent again from the page it came back on, the agent's choice is written.
    let again = untouched_form(&html, &[]);
    let again: Vec<(String, String)> = again
        .into_iter()
        .map(|(k, v)| {
            if k == "priority" {
                (k, "high".to_owned())
            } else {
                (k, v)
            }
        })
        .collect();
    let res = post(&s, &format!("/tickets/{id}"), &again).await;
    assert_eq!(res.status(), 303);
    assert_eq!(ticket(&agent_api, id).await["priority"], "high");
    app.stop().await;
}

#[tokio::test]
async fn the_api_answers_an_etag_and_refuses_a_stale_if_match() {
    let app = spawn().await;
    let (_, agent) = api_user(&app, "ma.agent", Role::Agent).await;
    let (_, manager) = api_user(&app, "qin.manager", Role::CsManager).await;
    let id = new_ticket(&agent).await;

    let res = agent.get(&format!("/api/v1/tickets/{id}")).await;
    assert_eq!(res.status(), 200);
    let first = etag(&res);
    let body = json_body(res).await;
    assert_eq!(first, format!("\"{}\"", body["ticket"]["version"]));

    // The manager changes the priority against the version read.
    let res = patch_if(&manager, id, &first, json!({"priority": "high"})).await;
    assert_eq!(res.status(), 200);
    let second = etag(&res);
    assert_ne!(second, first);
    assert_eq!(second, format!("\"{}\"", json_body(res).await["version"]));

    // The agent's change against the old version is refused, naming what changed.
    let res = patch_if(
        &agent,
        id,
        &first,
        json!({"priority": "low", "subject": "改了"}),
    )
    .await;
    assert_eq!(res.status(), 412);
    let err = json_body(res).await;
    assert_eq!(err["error"]["code"], "stale_version");
    let detail = err["error"]["detail"].as_str().unwrap();
    assert!(
        detail.contains(&format!("current version: {}", second.trim_matches('"'))),
        "{detail}"
    );
    assert!(detail.contains("priority"), "{detail}");
    let t = ticket(&agent, id).await;
    assert_eq!(t["priority"], "high", "nothing written");
    assert_eq!(t["subject"], "冰箱不制冷");

    // Against the current version it goes through, with a new ETag.
    let res = patch_if(&agent, id, &second, json!({"priority": "low"})).await;
    assert_eq!(res.status(), 200);
    let third = etag(&res);
    assert_ne!(third, second);
    let res = agent.get(&format!("/api/v1/tickets/{id}")).await;
    assert_eq!(etag(&res), third);
    assert_eq!(json_body(res).await["ticket"]["priority"], "low");

    // A weak or malformed tag is no precondition; `*` and no header write as before.
    let res = patch_if(&agent, id, "W/\"1\"", json!({"priority": "high"})).await;
    assert_eq!(res.status(), 400);
    let res = patch_if(&agent, id, "*", json!({"priority": "normal"})).await;
    assert_eq!(res.status(), 200);
    let res = agent
        .json(
            Method::PATCH,
            &format!("/api/v1/tickets/{id}"),
            &json!({"priority": "urgent"}),
        )
        .await;
    assert_eq!(res.status(), 200);

    // The customer archive answers its version too.
    let res = agent
        .json(
            Method::POST,
            "/api/v1/customers",
            &json!({"name": "宁波海天贸易有限公司"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let cid = json_body(res).await["id"].as_i64().unwrap();
    let res = agent.get(&format!("/api/v1/customers/{cid}")).await;
    let tag = etag(&res);
    assert_eq!(tag, format!("\"{}\"", json_body(res).await["version"]));
    app.stop().await;
}

#[tokio::test]
async fn replies_and_bulk_actions_move_the_version_on() {
    let app = spawn().await;
    let (_, agent) = api_user(&app, "tang.agent", Role::Agent).await;
    let colleague = app.create_user("song.agent", &[Role::Agent]).await;
    let id = new_ticket(&agent).await;

    // A reply changes the ticket: a change prepared before it is stale.
    let before = etag(&agent.get(&format!("/api/v1/tickets/{id}")).await);
    let res = agent
        .json(
            Method::POST,
            &format!("/api/v1/tickets/{id}/messages"),
            &json!({"body": "您好，已为您登记上门检修。"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let after_reply = etag(&agent.get(&format!("/api/v1/tickets/{id}")).await);
    assert_ne!(after_reply, before);
    let res = patch_if(&agent, id, &before, json!({"priority": "high"})).await;
    assert_eq!(res.status(), 412);

    // So does a bulk assignment from the queue.
    let s = app.login("tang.agent", TEST_PASSWORD).await;
    let (ids, to) = (id.to_string(), colleague.to_string());
    let res = s
        .post_form(
            "/tickets/bulk",
            &[
                ("ids", ids.as_str()),
                ("action", "assign"),
                ("bulk_assignee", to.as_str()),
                ("return", "queue=all"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let res = patch_if(&agent, id, &after_reply, json!({"priority": "high"})).await;
    assert_eq!(res.status(), 412);
    let t = ticket(&agent, id).await;
    assert_eq!(t["assignee_id"], colleague);
    assert_eq!(t["priority"], "normal");
    app.stop().await;
}

#[tokio::test]
async fn a_stale_customer_form_is_weighed_field_by_field() {
    let app = spawn().await;
    let (_, api) = api_user(&app, "wei.agent", Role::Agent).await;
    app.create_user("fan.agent", &[Role::Agent]).await;
    let res = api
        .json(
            Method::POST,
            "/api/v1/customers",
            &json!({"name": "苏州恒通机电", "tier": "normal",
                    "address": "江苏省苏州市工业园区星湖街1号"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let id = json_body(res).await["id"].as_i64().unwrap();
    let edit = format!("/customers/{id}/edit");
    let path = format!("/customers/{id}");
    let masked = ["id_number", "address", "bank_account"];

    // Two people open the edit form; the second makes the customer a VIP first.
    let a = app.login("wei.agent", TEST_PASSWORD).await;
    let form_a = untouched_form(&a.get(&edit).await.text().await.unwrap(), &masked);
    let b = app.login("fan.agent", TEST_PASSWORD).await;
    let form_b = untouched_form(&b.get(&edit).await.text().await.unwrap(), &masked);
    let res = post(&b, &path, &typed(&form_b, &[("tier", "vip")])).await;
    assert_eq!(res.status(), 303);
    let version =
        json_body(api.get(&format!("/api/v1/customers/{id}")).await).await["version"].clone();

    // The first changes the tier too: sent back, the other value named, nothing written.
    let res = post(&a, &path, &typed(&form_a, &[("tier", "key_account")])).await;
    assert_eq!(res.status(), 409);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("客户等级: <strong>VIP</strong>"),
        "the other person's value is named: {html}"
    );
    assert!(html.contains("<option value=\"key_account\" selected>"));
    assert!(!html.contains("星湖街1号"), "masked values stay masked");
    let c = json_body(api.get(&format!("/api/v1/customers/{id}")).await).await;
    assert_eq!(c["tier"], "vip");
    assert_eq!(c["version"], version, "nothing written");

    // Changing only the city from the same stale form keeps the VIP tier and the address.
    let res = post(&a, &path, &typed(&form_a, &[("city", "苏州")])).await;
    assert_eq!(res.status(), 303);
    let c = json_body(api.get(&format!("/api/v1/customers/{id}")).await).await;
    assert_eq!(c["tier"], "vip");
    // Stored in full, as imports and the demo store it, so filters find it.
    assert_eq!(c["city"], "苏州市");
    assert_eq!(
        c["address"], "江苏省苏州市****",
        "the masked address was kept"
    );
    app.stop().await;
}

/// A complaint registered over the API (at intake), by `api`.
async fn new_complaint(api: &ApiClient) -> i64 {
    let res = api
        .json(
            Method::POST,
            "/api/v1/complaints",
            &json!({
                "complainant": "王经理",
                "channel": "phone",
                "content": "收到的 200 个轴承有 30 个外圈开裂。",
                "category": "quality",
                // Major, not serious: a serious complaint's intake takes 30 business
                // minutes, as long as the warning window, so the sweep warns (and moves
                // the version) the moment it first runs after the complaint is opened.
                "severity": "major"
            }),
        )
        .await;
    assert_eq!(res.status(), 201);
    json_body(res).await["id"].as_i64().unwrap()
}

async fn complaint(api: &ApiClient, id: i64) -> Value {
    json_body(api.get(&format!("/api/v1/complaints/{id}")).await).await
}

/// How many of the complaint's logged steps are `action`.
fn steps_of(detail: &Value, action: &str) -> usize {
    detail["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["action"] == action)
        .count()
}

async fn post_if(api: &ApiClient, path: &str, tag: &str, body: Value) -> reqwest::Response {
    api.request(Method::POST, path)
        .header("if-match", tag)
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_step_from_a_stale_complaint_page_is_refused_with_the_readers_text_kept() {
    let app = spawn().await;
    let (_, api) = api_user(&app, "tou.su", Role::ComplaintSpecialist).await;
    app.create_user("tou.su2", &[Role::ComplaintSpecialist])
        .await;
    let id = new_complaint(&api).await;
    let page = format!("/complaints/{id}");

    // Both specialists open the complaint at intake.
    let first = app.login("tou.su", TEST_PASSWORD).await;
    let second = app.login("tou.su2", TEST_PASSWORD).await;
    let html = first.get(&page).await.text().await.unwrap();
    assert!(html.contains("data-testid=\"step-intake\""));
    let seen_first = input_value(&html, "version").expect("the step form carries its version");
    let html = second.get(&page).await.text().await.unwrap();
    let seen_second = input_value(&html, "version").unwrap();
    assert_eq!(seen_first, seen_second);

    // The first completes intake; the complaint moves on to validity.
    let res = first
        .post_form(
            &format!("/complaints/{id}/intake"),
            &[("version", seen_first.as_str()), ("comment", "信息齐全")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let d = complaint(&api, id).await;
    assert_eq!(d["complaint"]["stage"], "validity");
    let now = d["complaint"]["version"].as_i64().unwrap();
    assert_ne!(now.to_string(), seen_second);

    // The second sends the intake form from the page they opened before: refused (409),
    // the page naming the stage the complaint is at now, their text kept in the form.
    let res = second
        .post_form(
            &format!("/complaints/{id}/intake"),
            &[
                ("version", seen_second.as_str()),
                ("comment", "客户补充了开裂照片"),
            ],
        )
        .await;
    assert_eq!(res.status(), 409);
    let html = res.text().await.unwrap();
    assert!(html.contains("他人已推进了这件投诉"), "{html}");
    assert!(html.contains("现处于“判断”阶段"), "{html}");
    assert!(html.contains("data-testid=\"step-intake\""));
    assert!(html.contains(">客户补充了开裂照片</textarea>"), "{html}");
    assert!(
        html.contains("data-testid=\"step-valid\""),
        "the current stage's forms"
    );
    assert_eq!(
        input_value(&html, "version"),
        Some(now.to_string()),
        "the forms shown again carry the current version"
    );

    // Nothing was written twice.
    let d = complaint(&api, id).await;
    assert_eq!(d["complaint"]["stage"], "validity");
    assert_eq!(d["complaint"]["version"].as_i64().unwrap(), now);
    assert_eq!(steps_of(&d, "complete_intake"), 1);
    app.stop().await;
}

#[tokio::test]
async fn a_complaint_answers_its_version_and_a_step_honours_if_match() {
    let app = spawn().await;
    let (_, api) = api_user(&app, "tou.su", Role::ComplaintSpecialist).await;
    let id = new_complaint(&api).await;

    let res = api.get(&format!("/api/v1/complaints/{id}")).await;
    assert_eq!(res.status(), 200);
    let first = etag(&res);
    let body = json_body(res).await;
    assert_eq!(first, format!("\"{}\"", body["complaint"]["version"]));

    // Intake completed against the version read: a new ETag.
    let res = post_if(
        &api,
        &format!("/api/v1/complaints/{id}/intake"),
        &first,
        json!({"comment": "信息齐全"}),
    )
    .await;
    assert_eq!(res.status(), 200);
    let second = etag(&res);
    assert_ne!(second, first);
    assert_eq!(
        second,
        format!("\"{}\"", json_body(res).await["complaint"]["version"])
    );

    // A judgement against the old version is refused, and nothing is written.
    let judgement = json!({"valid": false, "reason": "属使用咨询",
                           "reply": "您好，经核实属于使用问题，我们将安排技术指导。"});
    let path = format!("/api/v1/complaints/{id}/judgement");
    let res = post_if(&api, &path, &first, judgement.clone()).await;
    assert_eq!(res.status(), 412);
    let err = json_body(res).await;
    assert_eq!(err["error"]["code"], "stale_version");
    let detail = err["error"]["detail"].as_str().unwrap();
    assert!(
        detail.contains(&format!("current version: {}", second.trim_matches('"'))),
        "{detail}"
    );
    let d = complaint(&api, id).await;
    assert_eq!(d["complaint"]["stage"], "validity", "nothing written");
    assert_eq!(steps_of(&d, "judge_invalid"), 0);
    assert_eq!(format!("\"{}\"", d["complaint"]["version"]), second);
    // A second intake against the old version is refused the same way, not out of order.
    let res = post_if(
        &api,
        &format!("/api/v1/complaints/{id}/intake"),
        &first,
        json!({}),
    )
    .await;
    assert_eq!(res.status(), 412);

    // Against the current version it goes through, with a new ETag.
    let res = post_if(&api, &path, &second, judgement).await;
    assert_eq!(res.status(), 200);
    let third = etag(&res);
    assert_ne!(third, second);
    let res = api.get(&format!("/api/v1/complaints/{id}")).await;
    assert_eq!(etag(&res), third);
    let d = json_body(res).await;
    assert_eq!(d["complaint"]["stage"], "invalid");
    assert_eq!(steps_of(&d, "judge_invalid"), 1);
    app.stop().await;
}
