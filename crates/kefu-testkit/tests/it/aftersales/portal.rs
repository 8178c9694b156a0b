//! 售后进度 in the portal: a customer's after-sales request filed in the portal becomes an
//! RMA registered from the ticket; the customer follows its moves on the ticket's page (no
//! staff notes), sees a paid repair's quote to answer, and nobody else sees any of it.

use kefu_domain::Role;
use kefu_testkit::{ApiClient, Session, TEST_PASSWORD, TestApp, json_body};
use reqwest::Method;
use serde_json::{Value, json};

use crate::key_accounts::send;

async fn register(app: &TestApp, email: &str, name: &str) -> Session {
    let s = Session {
        client: app.client(),
        base: app.base.clone(),
    };
    let res = s
        .post_form(
            "/portal/register",
            &[
                ("email", email),
                ("name", name),
                ("phone", "13800000000"),
                ("password", TEST_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), 303, "{email} registers");
    s
}

#[tokio::test]
async fn the_customer_follows_the_rma_of_their_request_in_the_portal() {
    let app = TestApp::spawn().await;
    let agent_id = app.create_user("men.hu.agent", &[Role::Agent]).await;
    let agent = ApiClient::new(&app, &app.token_for(agent_id).await);
    let keeper_id = app
        .create_user("men.hu.zy", &[Role::AftersalesSpecialist])
        .await;
    let keeper = ApiClient::new(&app, &app.token_for(keeper_id).await);
    let a = register(&app, "zhao@example.com", "赵女士").await;
    let b = register(&app, "qian@example.com", "钱先生").await;

    let page = a.get("/portal/tickets/new").await.text().await.unwrap();
    let marker = "name=\"form_token\" value=\"";
    let start = page.find(marker).unwrap() + marker.len();
    let token = page[start..start + 32].to_owned();
    let res = a
        .post_form(
            "/portal/tickets",
            &[
                ("form_token", token.as_str()),
                ("type", "after_sales"),
                ("subject", "热水器不加热"),
                ("body", "去年买的热水器这两天不加热了。"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let ticket: i64 = location
        .trim_start_matches("/portal/tickets/")
        .parse()
        .unwrap();

    let (_, body) = send(
        &keeper,
        Method::POST,
        "/api/v1/catalogue/categories",
        &json!({"name": "热水器"}),
    )
    .await;
    let category = body["id"].as_i64().unwrap();
    let (_, body) = send(
        &keeper,
        Method::POST,
        "/api/v1/catalogue/products",
        &json!({
            "sku": "RSQ-60", "name": "电热水器 60L", "category_id": category, "price_fen": 129_900,
            "warranty_months": 12
        }),
    )
    .await;
    let heater = body["id"].as_i64().unwrap();
    let customer = json_body(
        agent
            .json(
                Method::POST,
                "/api/v1/customers",
                &json!({"name": "赵女士"}),
            )
            .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let (status, body) = send(&agent, Method::POST, "/api/v1/aftersales/rmas", &json!({
        "customer_id": customer, "ticket_id": ticket, "kind": "repair", "product_id": heater,
        "quantity": 1, "fault": "quality", "description": "不加热", "delivered_on": "2025-06-01",
        "amount_fen": 0, "paid_fen": 129_900
    })).await;
    assert_eq!(
        (status, body["state"].as_str()),
        (201, Some("awaiting_goods")),
        "{body}"
    );
    let rma = body["id"].as_i64().unwrap();
    let moves = format!("/api/v1/aftersales/rmas/{rma}/moves");
    send(
        &keeper,
        Method::POST,
        &moves,
        &json!({"move": "receive", "note": "内部：包装破损，已拍照"}),
    )
    .await;
    let (_, body) = send(
        &keeper,
        Method::POST,
        &moves,
        &json!({"move": "inspect", "result": "fault_confirmed", "quote_fen": 18_000}),
    )
    .await;
    assert_eq!(body["state"], "quoted", "{body}");

    let view = a.get(&location).await.text().await.unwrap();
    assert!(
        view.contains("data-testid=\"portal-rma\" data-state=\"quoted\""),
        "{view}"
    );
    assert!(
        view.contains("售后进度 SH") && view.contains("维修报价 ¥180.00"),
        "{view}"
    );
    assert!(
        view.contains("确认收货") && view.contains("检验"),
        "the moves: {view}"
    );
    assert!(
        !view.contains("包装破损"),
        "staff notes never reach the customer"
    );
    assert_eq!(b.get(&location).await.status(), 404);
    app.stop().await;
}

/// A portal ticket filed by `s` with the web form; its page's path.
async fn file_ticket(s: &Session, subject: &str) -> String {
    let page = s.get("/portal/tickets/new").await.text().await.unwrap();
    let marker = "name=\"form_token\" value=\"";
    let start = page.find(marker).unwrap() + marker.len();
    let token = page[start..start + 32].to_owned();
    let res = s
        .post_form(
            "/portal/tickets",
            &[
                ("form_token", token.as_str()),
                ("type", "after_sales"),
                ("subject", subject),
                ("body", "收到的货有问题。"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    res.headers()["location"].to_str().unwrap().to_owned()
}

/// The pairs of a form as `ask` takes them.
fn refs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, x)| (*k, x.as_str())).collect()
}

/// Sends the portal's RMA form of ticket page `location` with `photos`: the status and
/// the page answered.
async fn ask(
    s: &Session,
    location: &str,
    fields: &[(&str, &str)],
    photos: &[(&str, &[u8])],
) -> (u16, String) {
    use reqwest::multipart::{Form, Part};
    let mut form = Form::new().text("_csrf", s.csrf().await);
    for (k, v) in fields {
        form = form.text((*k).to_owned(), (*v).to_owned());
    }
    for (name, bytes) in photos {
        form = form.part(
            "photos",
            Part::bytes(bytes.to_vec()).file_name((*name).to_owned()),
        );
    }
    let res = s
        .client
        .post(s.url(&format!("{location}/rmas")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}

#[tokio::test]
async fn a_customer_asks_a_return_in_the_portal_with_photos_of_what_arrived() {
    use super::photos::{PDF, PNG};
    use crate::mail_ingest::count;
    use crate::orders::{post, stock};

    let app = TestApp::spawn().await;
    let agent_id = app.create_user("men.shen.agent", &[Role::Agent]).await;
    let agent = ApiClient::new(&app, &app.token_for(agent_id).await);
    let keeper_id = app
        .create_user("men.shen.zy", &[Role::AftersalesSpecialist])
        .await;
    let keeper = ApiClient::new(&app, &app.token_for(keeper_id).await);
    let a = register(&app, "sun@example.com", "孙女士").await;
    let b = register(&app, "li@example.com", "李先生").await;
    let location = file_ticket(&a, "收到的热水器外壳裂了").await;
    let ticket: i64 = location
        .trim_start_matches("/portal/tickets/")
        .parse()
        .unwrap();
    let view = a.get(&location).await.text().await.unwrap();
    assert!(
        !view.contains("portal-rma-form"),
        "no customer record yet: nothing to ask on"
    );

    // The agent links the ticket to the customer's record; her order ships two heaters.
    let heater = super::product(&keeper, "热水器", "XCB-10", "小厨宝 10L", 39_900).await;
    stock(&keeper, heater, 5).await;
    let sun = super::customer(&agent, "孙女士").await;
    app.app
        .link_ticket_customer(&kefu_app::Actor::system(), ticket, Some(sun))
        .await
        .unwrap();
    let view = a.get(&location).await.text().await.unwrap();
    assert!(!view.contains("portal-rma-form"), "nothing shipped yet");
    let (status, body) = post(
        &agent,
        "/api/v1/orders",
        json!({"customer_id": sun, "payment": "prepayment",
            "lines": [{"product_id": heater, "quantity": 2}]}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let order = body["id"].as_i64().unwrap();
    let order_number =
        json_body(agent.get(&format!("/api/v1/orders/{order}")).await).await["number"]
            .as_str()
            .unwrap()
            .to_owned();
    let (status, body) = post(
        &agent,
        &format!("/api/v1/orders/{order}/shipments"),
        json!({"carrier": "顺丰", "tracking_number": "SF2001",
            "lines": [{"line_no": 1, "quantity": 2}]}),
    )
    .await;
    assert_eq!(status, 201, "{body}");

    let view = a.get(&location).await.text().await.unwrap();
    assert!(view.contains("data-testid=\"portal-rma-form\""), "{view}");
    assert!(
        view.contains(&format!(
            "订单 {order_number} · XCB-10 小厨宝 10L · 已发 2 件 · 单价 ¥399.00"
        )),
        "{view}"
    );
    let marker = "<select name=\"line\" required><option value=\"";
    let at = view.find(marker).unwrap() + marker.len();
    let line = view[at..].split('"').next().unwrap().to_owned();

    // Refused, nothing stored, what was typed kept: more than shipped, a PDF as a photo,
    // a line that is not hers.
    let form = |quantity: &'static str, line: &str| -> Vec<(&'static str, String)> {
        vec![
            ("line", line.to_owned()),
            ("kind", "return".to_owned()),
            ("quantity", quantity.to_owned()),
            ("description", "外壳有裂纹，漏水。".to_owned()),
        ]
    };
    let (status, page) = ask(
        &a,
        &location,
        &refs(&form("3", &line)),
        &[("裂纹.png", PNG)],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("最多可申请 2 件"), "{page}");
    assert!(
        page.contains("外壳有裂纹，漏水。"),
        "the description is kept"
    );
    let (status, page) = ask(
        &a,
        &location,
        &refs(&form("1", &line)),
        &[("说明.pdf", PDF)],
    )
    .await;
    assert_eq!(status, 415);
    assert!(page.contains("照片只接受图片或视频文件"), "{page}");
    let (status, page) = ask(&a, &location, &refs(&form("1", "999999")), &[]).await;
    assert_eq!(status, 422);
    assert!(page.contains("请选择您已发货的订单行"), "{page}");
    // Another customer cannot ask on her ticket.
    let (status, _) = ask(&b, &location, &refs(&form("1", &line)), &[]).await;
    assert_eq!(status, 404);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM rmas").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM rma_photos").await, 0);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM attachment_blobs").await,
        0
    );

    // A first request without photos is taken as it is.
    let (status, _) = ask(&a, &location, &refs(&form("1", &line)), &[]).await;
    assert_eq!(status, 303);

    // Hers: one heater back, with a photo; registered from the portal on the line's order,
    // worth the line's price, and followed on the ticket's page.
    let (status, _) = ask(
        &a,
        &location,
        &refs(&form("1", &line)),
        &[("裂纹.png", PNG)],
    )
    .await;
    assert_eq!(status, 303);
    let list = json_body(
        keeper
            .get(&format!(
                "/api/v1/aftersales/rmas?view=all&customer_id={sun}"
            ))
            .await,
    )
    .await;
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2, "{list:?}");
    let r = &list[0];
    assert_eq!(r["source"], "portal");
    assert_eq!(r["ticket_id"], ticket);
    assert_eq!(r["order_number"], order_number.as_str());
    assert_eq!(r["product_id"], heater);
    assert_eq!(
        (r["amount_fen"].as_i64(), r["paid_fen"].as_i64()),
        (Some(39_900), Some(39_900))
    );
    assert_eq!(r["kind"], "return");
    let detail = json_body(
        keeper
            .get(&format!("/api/v1/aftersales/rmas/{}", r["id"]))
            .await,
    )
    .await;
    let photos = detail["photos"].as_array().unwrap();
    assert_eq!(photos.len(), 1, "{detail}");
    assert_eq!(photos[0]["by_customer"], true);
    assert_eq!(photos[0]["by"], Value::Null);
    let res = keeper.get(photos[0]["url"].as_str().unwrap()).await;
    assert_eq!(res.bytes().await.unwrap().as_ref(), PNG);
    let view = a.get(&location).await.text().await.unwrap();
    assert!(view.contains("data-testid=\"portal-rma\""), "{view}");
    assert!(view.contains("已附照片 1 张"), "{view}");
    // Within the policy and its automatic approval: awaiting the goods, and the after-sales
    // specialist told of each request (no approval brings it to them).
    assert_eq!(r["state"], "awaiting_goods");
    assert_eq!(app.notified("rma_from_customer", Some(keeper_id)).await, 2);
    assert_eq!(app.notified("rma_approval", Some(keeper_id)).await, 0);
    let staff = app.login("men.shen.zy", TEST_PASSWORD).await;
    let notes = staff.get("/notifications").await.text().await.unwrap();
    assert!(
        notes.contains("客户“孙女士”在门户申请了售后单 SH") && notes.contains("（附照片 1 张）"),
        "{notes}"
    );
    app.stop().await;
}
