//! Tickets end to end: the one intake path (API, staff form), queues with keyset pages,
//! replies and notes, field changes with their history, bulk actions, custom fields, and
//! the bad input that must leave nothing half-written.

use std::collections::HashSet;

use kefu_app::Actor;
use kefu_app::ticket::{ClosedReply, Intake, NewField};
use kefu_domain::Role;
use kefu_domain::ticket::{Channel, FieldKind};
use kefu_testkit::{ApiClient, TestApp, TestOptions, json_body};
use reqwest::Method;
use serde_json::{Value, json};

async fn agent_api(app: &TestApp, username: &str) -> (i64, ApiClient) {
    let id = app.create_user(username, &[Role::Agent]).await;
    (id, ApiClient::new(app, &app.token_for(id).await))
}

pub(crate) async fn create(api: &ApiClient, body: Value) -> (u16, Value) {
    let res = api.json(Method::POST, "/api/v1/tickets", &body).await;
    let status = res.status().as_u16();
    (status, json_body(res).await)
}

pub(crate) async fn count_tickets(app: &TestApp) -> i64 {
    let mut c = app.app.store.conn().await.unwrap();
    sqlx::query_scalar("SELECT COUNT(*) FROM tickets")
        .fetch_one(&mut *c)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_ticket_is_created_worked_and_closed_over_the_api() {
    let app = TestApp::spawn().await;
    let (me, api) = agent_api(&app, "li.agent").await;

    let (status, t) = create(
        &api,
        json!({
            "type": "after_sales", "subject": "空调不制冷，申请上门维修",
            "body": "您好，上周购买的空调不制冷，订单号 PO-2026-00817。",
            "priority": "high", "customer_name": "杭州明达贸易有限公司",
            "contact_name": "王先生", "contact_phone": "13812345678",
            "tags": ["维修", "VIP"], "external_id": "crm-4711"
        }),
    )
    .await;
    assert_eq!(status, 201, "{t}");
    let number = t["number"].as_str().unwrap();
    let today = app
        .now()
        .to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap())
        .strftime("%Y%m%d")
        .to_string();
    assert_eq!(number, format!("KF{today}-0001"));
    assert_eq!(t["status"], "new");
    assert_eq!(t["channel"], "api");
    assert_eq!(t["tags"], json!(["维修", "vip"]));
    let id = t["id"].as_i64().unwrap();

    // The same delivery again returns the same ticket, with 200.
    let (status, again) = create(
        &api,
        json!({"subject": "重复投递", "body": "同一请求", "external_id": "crm-4711"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(again["id"], id);
    assert_eq!(count_tickets(&app).await, 1);

    // Unassigned until someone takes it.
    let unassigned = json_body(api.get("/api/v1/tickets?queue=unassigned").await).await;
    assert_eq!(unassigned["tickets"][0]["id"], id);
    let mine = json_body(api.get("/api/v1/tickets?queue=mine").await).await;
    assert_eq!(mine["tickets"], json!([]));

    let res = api
        .json(
            Method::PATCH,
            &format!("/api/v1/tickets/{id}"),
            &json!({"assignee_id": me, "priority": "urgent"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let mine = json_body(api.get("/api/v1/tickets?queue=mine").await).await;
    assert_eq!(mine["tickets"][0]["assignee_id"], me);

    // A public reply is the first response and opens the ticket; a note changes nothing.
    let res = api
        .json(
            Method::POST,
            &format!("/api/v1/tickets/{id}/messages"),
            &json!({"body": "王先生您好，已为您安排明天上午上门。"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let res = api
        .json(
            Method::POST,
            &format!("/api/v1/tickets/{id}/messages"),
            &json!({"body": "师傅电话已确认", "internal": true, "status": "pending_customer"}),
        )
        .await;
    assert_eq!(res.status(), 201);

    let d = json_body(api.get(&format!("/api/v1/tickets/{id}")).await).await;
    assert_eq!(d["ticket"]["status"], "pending_customer");
    assert!(d["ticket"]["first_response_at"].is_string());
    let visibilities: Vec<&str> = d["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["visibility"].as_str().unwrap())
        .collect();
    assert_eq!(visibilities, ["public", "public", "internal"]);
    let changes: Vec<(String, Value, Value)> = d["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["old_value"].clone(),
                e["new_value"].clone(),
            )
        })
        .collect();
    assert!(changes.contains(&("priority".into(), json!("high"), json!("urgent"))));
    assert!(changes.contains(&("status".into(), json!("new"), json!("open"))));
    assert!(changes.contains(&("status".into(), json!("open"), json!("pending_customer"))));
    assert!(
        changes
            .iter()
            .any(|(f, o, n)| f == "assignee" && o.is_null() && n == "测试 li.agent")
    );

    // Waiting queue, then close; a closed ticket cannot become "resolved".
    let pending = json_body(api.get("/api/v1/tickets?queue=pending").await).await;
    assert_eq!(pending["tickets"][0]["id"], id);
    let res = api
        .json(
            Method::PATCH,
            &format!("/api/v1/tickets/{id}"),
            &json!({"status": "closed"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let closed = json_body(res).await;
    assert!(closed["closed_at"].is_string());
    let res = api
        .json(
            Method::PATCH,
            &format!("/api/v1/tickets/{id}"),
            &json!({"status": "resolved", "priority": "low"}),
        )
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(json_body(res).await["error"]["code"], "invalid_transition");
    let d = json_body(api.get(&format!("/api/v1/tickets/{id}")).await).await;
    assert_eq!(
        d["ticket"]["priority"], "urgent",
        "a refused change writes nothing"
    );

    // By default a reply to a closed ticket reopens it, so nothing the customer says is lost.
    let res = api
        .json(
            Method::POST,
            &format!("/api/v1/tickets/{id}/messages"),
            &json!({"body": "补充说明"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let d = json_body(api.get(&format!("/api/v1/tickets/{id}")).await).await;
    assert_eq!(d["ticket"]["status"], "open");
    assert!(d["ticket"]["closed_at"].is_null());

    // Every write went to the change log for the derived views.
    let mut c = app.app.store.conn().await.unwrap();
    let changes = kefu_store::changelog::since(&mut c, 0, 1000).await.unwrap();
    assert!(
        changes
            .iter()
            .filter(|ch| ch.entity == "ticket" && ch.entity_id == id)
            .count()
            >= 5
    );
    drop(c);
    app.stop().await;
}

#[tokio::test]
async fn replies_to_closed_tickets_can_be_refused_by_setting() {
    let mut options = TestOptions::default();
    options.settings.closed_reply = ClosedReply::Refuse;
    let app = TestApp::spawn_with(options).await;
    let (_, api) = agent_api(&app, "zhao.agent").await;
    let (_, t) = create(
        &api,
        json!({"subject": "咨询发票", "body": "请问发票何时寄出？"}),
    )
    .await;
    let id = t["id"].as_i64().unwrap();
    api.json(
        Method::PATCH,
        &format!("/api/v1/tickets/{id}"),
        &json!({"status": "closed"}),
    )
    .await;
    let res = api
        .json(
            Method::POST,
            &format!("/api/v1/tickets/{id}/messages"),
            &json!({"body": "还有问题"}),
        )
        .await;
    assert_eq!(res.status(), 409);
    assert_eq!(json_body(res).await["error"]["code"], "ticket_closed");
    let d = json_body(api.get(&format!("/api/v1/tickets/{id}")).await).await;
    assert_eq!(
        d["messages"].as_array().unwrap().len(),
        1,
        "the refused reply was not stored"
    );
    app.stop().await;
}

#[tokio::test]
async fn bad_input_gets_a_clear_error_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let (_, api) = agent_api(&app, "qian.agent").await;
    let inactive = app.create_user("gone.agent", &[Role::Agent]).await;
    app.app
        .set_user_active(&Actor::system(), inactive, false)
        .await
        .unwrap();
    let dept = app.create_user("prod.staff", &[Role::Department]).await;
    app.app
        .create_field(
            &Actor::system(),
            &NewField {
                key: "region".into(),
                label: "区域".into(),
                kind: FieldKind::Choice,
                options: "华东\n华南".into(),
            },
        )
        .await
        .unwrap();
    app.app
        .create_field(
            &Actor::system(),
            &NewField {
                key: "qty".into(),
                label: "数量".into(),
                kind: FieldKind::Number,
                options: String::new(),
            },
        )
        .await
        .unwrap();

    let cases = [
        (json!({"subject": "", "body": "x"}), 422, "bad_subject"),
        (json!({"subject": "x", "body": "   "}), 422, "bad_body"),
        (
            json!({"subject": "x", "body": "x", "type": "praise"}),
            422,
            "unknown_value",
        ),
        (
            json!({"subject": "x", "body": "x", "assignee_id": 99999}),
            422,
            "unknown_assignee",
        ),
        (
            json!({"subject": "x", "body": "x", "assignee_id": inactive}),
            422,
            "unknown_assignee",
        ),
        (
            json!({"subject": "x", "body": "x", "assignee_id": dept}),
            422,
            "unknown_assignee",
        ),
        (
            json!({"subject": "x", "body": "x", "group_id": 42}),
            422,
            "unknown_group",
        ),
        (
            json!({"subject": "x", "body": "x", "fields": {"qty": "十二"}}),
            422,
            "field_not_a_number",
        ),
        (
            json!({"subject": "x", "body": "x", "fields": {"region": "华北"}}),
            422,
            "field_not_a_choice",
        ),
        (
            json!({"subject": "x", "body": "x", "fields": {"colour": "red"}}),
            422,
            "unknown_field",
        ),
        (
            json!({"subject": "x", "body": "x", "contact_email": "not-an-email"}),
            422,
            "invalid_email",
        ),
        (
            json!({"subject": "x", "body": "x", "surprise": 1}),
            400,
            "invalid_field",
        ),
    ];
    for (body, status, code) in cases {
        let res = api.json(Method::POST, "/api/v1/tickets", &body).await;
        assert_eq!(res.status().as_u16(), status, "{body}");
        assert_eq!(json_body(res).await["error"]["code"], code, "{body}");
    }
    assert_eq!(count_tickets(&app).await, 0, "no refused ticket was stored");

    // Custom fields: valid values stick, retired fields are refused.
    let (status, t) = create(
        &api,
        json!({"subject": "批量订货", "body": "订 12 台", "fields": {"qty": "12", "region": "华东"}}),
    )
    .await;
    assert_eq!(status, 201, "{t}");
    let id = t["id"].as_i64().unwrap();
    let d = json_body(api.get(&format!("/api/v1/tickets/{id}")).await).await;
    assert_eq!(d["fields"], json!({"qty": "12", "region": "华东"}));
    let fields = app.app.ticket_fields(&Actor::system()).await.unwrap();
    let region = fields.iter().find(|f| f.key == "region").unwrap().id;
    app.app
        .set_field_active(&Actor::system(), region, false)
        .await
        .unwrap();
    let res = api
        .json(
            Method::PATCH,
            &format!("/api/v1/tickets/{id}"),
            &json!({"fields": {"region": "华南"}, "priority": "high"}),
        )
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(json_body(res).await["error"]["code"], "unknown_field");
    let d = json_body(api.get(&format!("/api/v1/tickets/{id}")).await).await;
    assert_eq!(
        d["ticket"]["priority"], "normal",
        "nothing of the refused change was written"
    );
    assert_eq!(
        d["fields"]["region"], "华东",
        "a retired field keeps its value"
    );

    // Unknown tickets and statuses.
    let res = api
        .json(
            Method::PATCH,
            "/api/v1/tickets/424242",
            &json!({"priority": "high"}),
        )
        .await;
    assert_eq!(res.status(), 404);
    let res = api
        .json(
            Method::PATCH,
            &format!("/api/v1/tickets/{id}"),
            &json!({"status": "sleeping"}),
        )
        .await;
    assert_eq!(json_body(res).await["error"]["code"], "unknown_status");
    let res = api.get("/api/v1/tickets?queue=everything").await;
    assert_eq!(res.status(), 422);
    app.stop().await;
}

#[tokio::test]
async fn keyset_pages_walk_a_queue_without_gaps_or_repeats() {
    let app = TestApp::spawn().await;
    let (_, api) = agent_api(&app, "sun.agent").await;
    for i in 0..27 {
        let mut req = Intake::new(
            Channel::Phone,
            &format!("来电咨询 {i}"),
            "客户来电询问产品价格",
        );
        req.priority = if i % 3 == 0 {
            kefu_domain::ticket::Priority::High
        } else {
            kefu_domain::ticket::Priority::Normal
        };
        app.app.intake(&Actor::system(), &req).await.unwrap();
    }
    for (sort, dir) in [
        ("updated", "desc"),
        ("created", "asc"),
        ("priority", "desc"),
    ] {
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let mut path = format!("/api/v1/tickets?queue=all&limit=10&sort={sort}&dir={dir}");
            if let Some(a) = &after {
                path.push_str(&format!("&after={a}"));
            }
            let page = json_body(api.get(&path).await).await;
            for t in page["tickets"].as_array().unwrap() {
                seen.push((
                    t["id"].as_i64().unwrap(),
                    t["priority"].as_str().unwrap().to_owned(),
                ));
            }
            match page["next"].as_str() {
                Some(n) => after = Some(n.to_owned()),
                None => break,
            }
        }
        assert_eq!(seen.len(), 27, "{sort} {dir}");
        let unique: HashSet<i64> = seen.iter().map(|(id, _)| *id).collect();
        assert_eq!(unique.len(), 27, "{sort} {dir}: no ticket twice");
        if sort == "priority" {
            assert!(
                seen[..9].iter().all(|(_, p)| p == "high"),
                "high priority first"
            );
        }
        if sort == "created" {
            let ids: Vec<i64> = seen.iter().map(|(id, _)| *id).collect();
            let mut sorted = ids.clone();
            sorted.sort();
            assert_eq!(ids, sorted);
        }
    }
    // Filters narrow; text search matches number, subject and customer.
    let page = json_body(
        api.get("/api/v1/tickets?queue=all&priority=high&limit=200")
            .await,
    )
    .await;
    assert_eq!(page["tickets"].as_array().unwrap().len(), 9);
    let page = json_body(
        api.get("/api/v1/tickets?queue=all&q=%E5%92%A8%E8%AF%A2%2026")
            .await,
    )
    .await;
    assert_eq!(page["tickets"].as_array().unwrap().len(), 1, "咨询 26");
    app.stop().await;
}

#[tokio::test]
async fn an_agent_works_tickets_from_the_pages() {
    let app = TestApp::spawn().await;
    let agent = app.create_user("wu.agent", &[Role::Agent]).await;
    let s = app.login("wu.agent", kefu_testkit::TEST_PASSWORD).await;

    let form = s.get("/tickets/new").await.text().await.unwrap();
    let token_marker = "name=\"form_token\" value=\"";
    let start = form.find(token_marker).unwrap() + token_marker.len();
    let form_token = form[start..start + 32].to_owned();
    let fields = [
        ("type", "complaint"),
        ("channel", "phone"),
        ("priority", "high"),
        ("subject", "收到的货物外包装破损"),
        ("body", "客户来电：昨天收到的货外箱破损，内有两件磕碰。"),
        ("customer_name", "苏州恒通机电"),
        ("contact_name", "陈经理"),
        ("contact_phone", "0512-66668888"),
        ("tags", "破损 物流"),
        ("assign_me", "1"),
        ("form_token", form_token.as_str()),
    ];
    let res = s.post_form("/tickets", &fields).await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/tickets/"));
    // The same form submitted twice (a double click) makes one ticket.
    let again = s.post_form("/tickets", &fields).await;
    assert_eq!(again.headers()["location"].to_str().unwrap(), location);
    assert_eq!(count_tickets(&app).await, 1);

    let page = s.get(&location).await.text().await.unwrap();
    assert!(page.contains("收到的货物外包装破损"));
    assert!(
        page.contains("投诉") && page.contains("电话"),
        "type and channel in Chinese"
    );

    let res = s
        .post_form(
            &format!("{location}/reply"),
            &[
                ("body", "陈经理您好，我们已安排补发。"),
                ("visibility", "public"),
                ("status", "pending_customer"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let res = s
        .post_form(
            &format!("{location}/reply"),
            &[("body", "   "), ("visibility", "internal")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("内容须为"),
        "the refusal is explained in Chinese"
    );

    let res = s
        .post_form(
            location.as_str(),
            &[
                ("status", "pending_customer"),
                ("priority", "urgent"),
                ("type", "complaint"),
                ("assignee", &agent.to_string()),
                ("group", ""),
                ("tags", "破损"),
                ("customer_name", "苏州恒通机电有限公司"),
                ("contact_name", "陈经理"),
                ("contact_phone", ""),
                ("contact_email", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let page = s.get(&location).await.text().await.unwrap();
    assert!(
        page.contains("苏州恒通机电 → 苏州恒通机电有限公司"),
        "history shows old → new"
    );
    assert!(
        page.contains("****8888 → —"),
        "clearing a field is recorded, the number masked"
    );
    assert!(!page.contains("0512-66668888"));

    // Bulk assignment to a colleague, then back.
    let colleague = app.create_user("zheng.agent", &[Role::Agent]).await;
    let id = location.trim_start_matches("/tickets/");
    let (c, me) = (colleague.to_string(), agent.to_string());
    let res = s
        .post_form(
            "/tickets/bulk",
            &[
                ("ids", id),
                ("action", "assign"),
                ("bulk_assignee", &c),
                ("return", "queue=all"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let page = s.get(&location).await.text().await.unwrap();
    assert!(page.contains("测试 wu.agent → 测试 zheng.agent"));
    s.post_form(
        "/tickets/bulk",
        &[
            ("ids", id),
            ("action", "assign"),
            ("bulk_assignee", &me),
            ("return", "queue=all"),
        ],
    )
    .await;

    // The queue shows it under "mine"; bulk-close it from there.
    let queue = s.get("/tickets?queue=mine").await.text().await.unwrap();
    assert!(queue.contains("收到的货物外包装破损"));
    let res = s
        .post_form(
            "/tickets/bulk",
            &[("ids", id), ("action", "close"), ("return", "queue=all")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let queue = s.get("/tickets?queue=mine").await.text().await.unwrap();
    assert!(
        !queue.contains("收到的货物外包装破损"),
        "closed tickets leave the personal queue"
    );
    // Closing again is refused for the whole batch, naming the ticket.
    let res = s
        .post_form(
            "/tickets/bulk",
            &[("ids", id), ("action", "resolve"), ("return", "queue=all")],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("KF"));

    // A saved filter comes back as a link.
    let res = s
        .post_form(
            "/tickets/views",
            &[
                ("name", "紧急投诉"),
                ("query", "queue=all&type=complaint&priority=urgent"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let queue = s.get("/tickets").await.text().await.unwrap();
    assert!(queue.contains("紧急投诉"));

    // Staff of other departments do not work the queues.
    app.create_user("dept.user", &[Role::Department]).await;
    let d = app.login("dept.user", kefu_testkit::TEST_PASSWORD).await;
    assert_eq!(d.get("/tickets").await.status(), 403);
    app.stop().await;
}

/// The values of the options of the `n`th select named `name` on a page.
fn select_options(html: &str, name: &str, n: usize) -> Vec<String> {
    let marker = format!("<select name=\"{name}\"");
    let start = html.match_indices(&marker).nth(n).expect("the select").0;
    let end = start + html[start..].find("</select>").unwrap();
    html[start..end]
        .split("<option value=\"")
        .skip(1)
        .map(|o| o[..o.find('"').unwrap()].to_owned())
        .collect()
}

#[tokio::test]
async fn the_status_lists_offer_only_the_moves_the_lifecycle_allows() {
    let app = TestApp::spawn().await;
    let (_, api) = agent_api(&app, "xu.agent").await;
    let s = app.login("xu.agent", kefu_testkit::TEST_PASSWORD).await;
    let (status, t) = create(
        &api,
        json!({"subject": "发票抬头写错", "body": "请重开发票。", "channel": "phone"}),
    )
    .await;
    assert_eq!(status, 201, "{t}");
    let path = format!("/tickets/{}", t["id"]);
    // The reply form's list (first) and the properties form's (second).
    let lists = |html: &str| {
        (
            select_options(html, "status", 0),
            select_options(html, "status", 1),
        )
    };

    let page = s.get(&path).await.text().await.unwrap();
    let (reply, properties) = lists(&page);
    assert_eq!(
        properties,
        [
            "new",
            "open",
            "pending_customer",
            "pending_internal",
            "resolved",
            "closed"
        ],
        "a new ticket may go anywhere, and shows where it is"
    );
    assert_eq!(
        reply,
        [
            "",
            "open",
            "pending_customer",
            "pending_internal",
            "resolved",
            "closed"
        ],
        "the reply keeps the status or moves it, never back to new"
    );

    let res = api
        .json(
            Method::PATCH,
            &format!("/api/v1/tickets/{}", t["id"]),
            &json!({"status": "closed"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let page = s.get(&path).await.text().await.unwrap();
    let (reply, properties) = lists(&page);
    assert_eq!(
        properties,
        ["open", "closed"],
        "a closed ticket is only reopened"
    );
    assert_eq!(reply, ["", "open"]);

    // What the list offers is taken.
    let res = s.post_form(&path, &[("status", "open")]).await;
    assert_eq!(res.status(), 303);
    let page = s.get(&path).await.text().await.unwrap();
    let (_, properties) = lists(&page);
    assert!(!properties.contains(&"new".to_owned()), "{properties:?}");
    assert_eq!(properties.len(), 5, "{properties:?}");
    app.stop().await;
}
