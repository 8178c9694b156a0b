//! 客户信息保密 (seed 000 §(五)3): a sensitive value is masked by one rule wherever it
//! appears — tickets, queues, search, complaints, exports, the API — and given in clear only
//! to a reader whose roles may reveal it, one value at a time, audited.
//!
//! The leak walk seeds a customer, contact, ticket and complaint with known sensitive values
//! and requests every readable route (pages, API and exports, list and detail variants) as
//! every role; no answer may hold any of the values in clear. A new route that leaks fails
//! here.

use std::time::{Duration, Instant};

use kefu_domain::Role;
use kefu_testkit::{ApiClient, Session, TEST_PASSWORD, TestApp, TestOptions, json_body};
use kefu_web::Surface;
use reqwest::Method;
use serde_json::{Value, json};

/// The customer's contact: mobile, landline and an e-mail whose local part is a mobile.
const CONTACT_MOBILE: &str = "13812345678";
const CONTACT_PHONE: &str = "0571-88886666";
const CONTACT_EMAIL_DIGITS: &str = "13955379945";
const ID_NUMBER: &str = "330106198001011234";
const ADDRESS_TAIL: &str = "文三路478号华星大厦";
const BANK_ACCOUNT: &str = "6222021202041234567";
/// The ticket's contact phone before and after an agent corrected it, and its e-mail.
const TICKET_PHONE_OLD: &str = "13698765432";
const TICKET_PHONE: &str = "18655556666";
const TICKET_EMAIL_DIGITS: &str = "15011112222";
/// The complainant's phone on a complaint opened directly.
const COMPLAINANT_PHONE: &str = "15900001111";

/// Every value that must never appear in clear, with the part that would show it leaked
/// (for a mobile, its first seven digits: the mask hides the middle four).
fn secrets() -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for m in [
        CONTACT_MOBILE,
        CONTACT_EMAIL_DIGITS,
        TICKET_PHONE_OLD,
        TICKET_PHONE,
        TICKET_EMAIL_DIGITS,
        COMPLAINANT_PHONE,
    ] {
        out.push((m, m[..7].to_owned()));
    }
    out.push((CONTACT_PHONE, "88886666".to_owned()));
    out.push((ID_NUMBER, "01061980".to_owned()));
    out.push((ADDRESS_TAIL, ADDRESS_TAIL.to_owned()));
    out.push((BANK_ACCOUNT, "0212020412".to_owned()));
    out
}

struct Seeded {
    customer: i64,
    ticket: i64,
    /// A ticket from the contact's mobile, linked to the customer: its page shows the card.
    linked_ticket: i64,
    complaint: i64,
    /// The complaint opened from the ticket.
    ticket_complaint: i64,
}

async fn post(api: &ApiClient, path: &str, body: Value) -> Value {
    let res = api.json(Method::POST, path, &body).await;
    let status = res.status();
    let body = json_body(res).await;
    assert!(status.is_success(), "POST {path}: {status} {body}");
    body
}

/// Invites `customer`'s contact to `survey`'s current round by text, as the job would.
async fn invite(app: &TestApp, survey: i64, customer: i64) {
    let mut conn = app.app.store.conn().await.unwrap();
    let contact: i64 =
        sqlx::query_scalar("SELECT id FROM customer_contacts WHERE customer_id = $1")
            .bind(customer)
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    let now = app.now();
    let period = kefu_domain::follow_up::plan::PlanPeriod::containing(
        now.to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap())
            .date(),
        3,
    )
    .unwrap()
    .key();
    kefu_store::relationship::insert_invitation(
        &mut conn,
        &kefu_store::relationship::NewInvitation {
            survey_id: survey,
            period: &period,
            customer_id: customer,
            contact_id: Some(contact),
            state: "sent",
            skip_reason: None,
            channel: Some("sms"),
            expires_at: Some(now + jiff::SignedDuration::from_hours(24 * 14)),
        },
        now,
    )
    .await
    .unwrap();
}

/// A customer, a contact, a ticket (its phone changed once, so its history holds both) and
/// two complaints, all carrying the values of [`secrets`].
async fn seed(app: &TestApp, admin: &ApiClient) -> Seeded {
    let customer = post(
        admin,
        "/api/v1/customers",
        json!({
            "name": "杭州明达贸易有限公司",
            "tier": "key_account",
            "id_number": ID_NUMBER,
            "address": format!("浙江省杭州市西湖区{ADDRESS_TAIL}"),
            "bank_account": BANK_ACCOUNT,
            "contacts": [{
                "name": "王经理",
                "mobile": format!("+86 {CONTACT_MOBILE}"),
                "phone": CONTACT_PHONE,
                "email": format!("{CONTACT_EMAIL_DIGITS}@163.com"),
            }],
        }),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    // The key account's visit of the month (visit 1, as the walk's `{id}` names it), to its
    // contact with the numbers.
    app.app.run_follow_up_plan().await.unwrap();
    // A relationship survey (survey 1) whose round invited that contact.
    let survey = post(
        admin,
        "/api/v1/relationship-surveys",
        json!({"name": "大客户关系调查", "every_months": 3, "link_days": 14,
               "remind_after_days": 5, "active": false}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    invite(app, survey, customer).await;
    let ticket = post(
        admin,
        "/api/v1/tickets",
        json!({
            "subject": "来电咨询",
            "body": "空调外机噪音大，想问能否上门检修。",
            "channel": "phone",
            "customer_name": "杭州明达贸易有限公司",
            "contact_name": "张三",
            "contact_phone": TICKET_PHONE_OLD,
            "contact_email": format!("{TICKET_EMAIL_DIGITS}@qq.com"),
        }),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let res = admin
        .json(
            Method::PATCH,
            &format!("/api/v1/tickets/{ticket}"),
            &json!({"contact_phone": TICKET_PHONE}),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let linked_ticket = post(
        admin,
        "/api/v1/tickets",
        json!({
            "subject": "订货咨询",
            "body": "想订 20 台。",
            "channel": "phone",
            "contact_phone": CONTACT_MOBILE,
        }),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let ticket_complaint = post(
        admin,
        "/api/v1/complaints",
        json!({
            "ticket_id": ticket,
            "complainant": "张三",
            "complainant_phone": TICKET_PHONE,
            "content": "上门三次仍未修好，要求换机。",
            "category": "quality",
            "severity": "serious",
        }),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let complaint = post(
        admin,
        "/api/v1/complaints",
        json!({
            "customer_id": customer,
            "complainant": "李女士",
            "complainant_phone": COMPLAINANT_PHONE,
            "content": "送货员态度恶劣。",
            "category": "service",
            "severity": "major",
        }),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    // The archive's search index has the customer before the walk, so search routes answer
    // with the records rather than nothing.
    let t0 = Instant::now();
    loop {
        let hits = json_body(admin.get("/api/v1/search?q=%E6%98%8E%E8%BE%BE").await).await;
        let found = hits.as_array().is_some_and(|a| {
            a.iter()
                .any(|h| h["id"] == customer && h["kind"] == "customer")
        });
        if found || t0.elapsed() > Duration::from_secs(3) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // A mail channel (id 1, which the walk's `{id}` names): a mail from the archive
    // contact's address opens a ticket, and one that cannot be read, from the ticket's
    // address, waits in the failed list, which names its sender masked.
    let channel = app
        .app
        .create_email_channel(
            &kefu_app::Actor::system(),
            &kefu_app::channel::email::ChannelForm {
                name: "售后邮箱".into(),
                address: "support@hengxin.example".into(),
                group_id: None,
                active: true,
            },
        )
        .await
        .unwrap()
        .channel_id;
    let landed = format!(
        "From: <{CONTACT_EMAIL_DIGITS}@163.com>\r\nSubject: mail\r\nMessage-ID: <leak@x>\r\n\r\nhello\r\n"
    );
    let mut deep =
        format!("From: <{TICKET_EMAIL_DIGITS}@qq.com>\r\nSubject: deep\r\nMIME-Version: 1.0\r\n");
    for i in 0..20 {
        deep.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n"
        ));
    }
    deep.push_str("Content-Type: text/plain\r\n\r\nx\r\n");
    for raw in [landed, deep] {
        app.app
            .ingest_mail(
                channel,
                raw.as_bytes(),
                kefu_app::channel::email::MailSource::Cli,
            )
            .await
            .unwrap();
    }
    // A telephone channel (id 1, as the walk's `{id}` names it): a call from the archive
    // contact's mobile nobody answered (call 1: its page, pop and callback), and an answered
    // one from the ticket's phone (call 2).
    let system = kefu_app::Actor::system();
    let phone = app
        .app
        .create_phone_channel(
            &system,
            &kefu_app::channel::phone::PhoneChannelForm {
                name: "客服热线".into(),
                group_id: None,
                area_code: "0571".into(),
                active: true,
            },
        )
        .await
        .unwrap()
        .channel_id;
    // The hotline's extension rings an agent, so the calls are theirs (and sampled).
    let hotline = app.create_user("leak.hotline", &[Role::Agent]).await;
    app.app
        .map_extension(&system, phone, "8001", hotline, None)
        .await
        .unwrap();
    let line = app.app.phone_channel(&system, phone).await.unwrap();
    for (call, kind, from) in [
        ("leak-1", "ringing", CONTACT_MOBILE),
        ("leak-1", "hangup", CONTACT_MOBILE),
        ("leak-2", "ringing", TICKET_PHONE),
        ("leak-2", "answered", TICKET_PHONE),
        ("leak-2", "hangup", TICKET_PHONE),
    ] {
        let raw = kefu_domain::channel::phone::RawCallEvent {
            call_id: Some(call.into()),
            event: Some(kind.into()),
            direction: Some("inbound".into()),
            from: Some(format!("+86 {from}")),
            to: Some("4008001234".into()),
            extension: Some("8001".into()),
            at: Some(app.now().to_string()),
            // A long call: the day's quality sample takes it whole.
            duration_secs: (kind == "hangup" && call == "leak-2").then_some(900),
            recording_url: None,
        };
        app.app.record_call_event(&line, &raw).await.unwrap();
    }
    // The quality sample (its inspection of the long call shows the caller's number), a
    // daily report and a meeting's agenda of a period with the seed's records.
    post(admin, "/api/v1/quality/samples", json!({})).await;
    post(
        admin,
        "/api/v1/quality/reports",
        json!({"date": "2026-11-20", "reason": ""}),
    )
    .await;
    // After-sales: an RMA (1) on the linked ticket for the customer with the numbers, routed
    // to the service point (1), and a dispute (1) over it.
    let category = post(
        admin,
        "/api/v1/catalogue/categories",
        json!({"name": "空调"}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let product = post(
        admin,
        "/api/v1/catalogue/products",
        json!({"sku": "KFR-35GW", "name": "挂壁式空调", "category_id": category,
               "price_fen": 329_900, "warranty_months": 36}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    post(
        admin,
        "/api/v1/aftersales/points",
        json!({"name": "杭州西湖服务站", "province": "浙江", "city": "杭州",
               "category_ids": [category], "capacity": 5, "turnaround_days": 3}),
    )
    .await;
    let rma = post(
        admin,
        "/api/v1/aftersales/rmas",
        json!({"customer_id": customer, "ticket_id": linked_ticket, "kind": "repair",
               "product_id": product, "quantity": 1, "fault": "quality",
               "description": "外机噪音大", "delivered_on": "2026-06-01",
               "amount_fen": 0, "paid_fen": 329_900}),
    )
    .await["id"]
        .as_i64()
        .expect("the RMA is registered");
    post(
        admin,
        "/api/v1/aftersales/disputes",
        json!({"customer_id": customer, "rma_id": rma, "subject": "噪音是否属质量问题",
               "customer_position": "新机噪音大", "company_position": "检测噪音在标准内",
               "evidence": "检测报告"}),
    )
    .await;
    Seeded {
        customer,
        ticket,
        linked_ticket,
        complaint,
        ticket_complaint,
    }
}

/// The path with its placeholders filled with the seeded records.
fn fill(path: &str, s: &Seeded, user: i64) -> String {
    let id = if path.contains("/tickets/{id}") {
        s.ticket
    } else if path.contains("/customers/{id}") {
        s.customer
    } else if path.contains("/complaints/{id}") {
        s.complaint
    } else if path.contains("/users/{id}") {
        user
    } else {
        1
    };
    path.replace("{id}", &id.to_string())
        .replace("{attachment}", "1")
        .replace("{photo}", "1")
        .replace("{name}", "kefu.js")
}

/// What an answer says, as text: the cells of a spreadsheet, the body of anything else; a
/// stream of live events as much as arrives in half a second.
async fn text_of(res: reqwest::Response) -> String {
    let kind = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    if kind.starts_with("text/event-stream") {
        let mut res = res;
        let mut out = String::new();
        while let Ok(Ok(Some(chunk))) =
            tokio::time::timeout(Duration::from_millis(500), res.chunk()).await
        {
            out.push_str(&String::from_utf8_lossy(&chunk));
        }
        return out;
    }
    let bytes = res.bytes().await.unwrap();
    if kind.contains("spreadsheetml") {
        use calamine::Reader;
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let mut out = String::new();
        for name in book.sheet_names() {
            let range = book.worksheet_range(&name).unwrap();
            for row in range.rows() {
                for cell in row {
                    out.push_str(&cell.to_string());
                    out.push('\t');
                }
                out.push('\n');
            }
        }
        return out;
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[tokio::test]
async fn the_leak_walk_finds_no_sensitive_value_in_clear_on_any_route_for_any_role() {
    // No job worker: past today's unannounced minute its round would draw the quality
    // sample before the long call is made, and the walk would miss the call's inspection.
    let app = TestApp::spawn_with(TestOptions {
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    let admin_id = app.create_user("leak.seeder", &[Role::Admin]).await;
    let admin = ApiClient::new(&app, &app.token_for(admin_id).await);
    let s = seed(&app, &admin).await;
    let sampled = json_body(admin.get("/api/v1/quality/inspections?scope=all").await).await;
    let sampled = sampled.as_array().unwrap();
    assert!(
        sampled.iter().any(|i| i["source_kind"] == "call"),
        "the long call is in the sample: {sampled:?}"
    );

    // Every readable route of the table, and the list variants that show the records.
    let mut routes: Vec<(Surface, String)> = Vec::new();
    for spec in kefu_web::route_specs() {
        if spec.method != Method::GET || spec.surface == Surface::Ops {
            continue;
        }
        routes.push((spec.surface, spec.path.to_owned()));
    }
    let (t, c, tc) = (s.ticket, s.complaint, s.ticket_complaint);
    let (lt, cu) = (s.linked_ticket, s.customer);
    for page in [
        "/tickets?queue=all".to_owned(),
        "/tickets?queue=open&q=%E6%9D%A5%E7%94%B5".to_owned(),
        "/search?q=%E6%98%8E%E8%BE%BE".to_owned(),
        "/search?q=%E5%BC%A0%E4%B8%89".to_owned(),
        "/search/suggest?q=%E6%98%8E%E8%BE%BE&kind=customer".to_owned(),
        "/customers?q=%E6%98%8E%E8%BE%BE".to_owned(),
        "/customers?q=5678".to_owned(),
        format!("/customers?link_ticket={t}"),
        // The customer card on a linked ticket, and the lists its counts open.
        format!("/tickets/{lt}"),
        format!("/tickets?queue=open&customer={cu}"),
        format!("/complaints?customer={cu}"),
        "/customers/export.csv".to_owned(),
        "/customers/export.xlsx".to_owned(),
        "/complaints?stage=".to_owned(),
        format!("/complaints/{tc}"),
        format!("/complaints/{tc}/report"),
        format!("/complaints/{c}/report"),
        format!("/complaints/new?ticket={t}"),
        "/complaints/report.csv".to_owned(),
        "/complaints/report.xlsx".to_owned(),
        "/admin/audit".to_owned(),
        // The calls: lists, the answered call's page and pop (call 1's are walked by the
        // table's `{id}`).
        "/calls?view=callbacks".to_owned(),
        "/calls?view=unlogged".to_owned(),
        "/calls/2".to_owned(),
        "/calls/2/pop".to_owned(),
        // Every visit, and the coverage of the month's key accounts.
        "/follow-ups?scope=all".to_owned(),
        "/follow-ups/coverage?tier=key_account".to_owned(),
        "/follow-ups/coverage.csv?tier=key_account".to_owned(),
        "/follow-ups/coverage.xlsx?tier=key_account".to_owned(),
        // Quality: the sample's inspections (the long call's among them), a daily report
        // and its workbook, the calibrations, a meeting's agenda.
        "/quality/inspections?scope=all".to_owned(),
        "/quality/reports/2026-11-20".to_owned(),
        "/quality/reports/2026-11-20/xlsx".to_owned(),
        "/quality/meetings/agenda?from=2026-11-01&to=2099-01-01".to_owned(),
        // After-sales: the RMA form from the linked ticket, every RMA, the dispute form.
        format!("/aftersales/rmas/new?ticket={lt}"),
        "/aftersales/rmas?view=all".to_owned(),
        "/aftersales/disputes/new?rma=1".to_owned(),
    ] {
        routes.push((Surface::Page, page));
    }
    for i in sampled {
        routes.push((Surface::Page, format!("/quality/inspections/{}", i["id"])));
        routes.push((
            Surface::Api,
            format!("/api/v1/quality/inspections/{}", i["id"]),
        ));
    }
    for api in [
        "/api/v1/tickets?queue=all".to_owned(),
        format!("/api/v1/tickets?queue=open&customer_id={cu}"),
        "/api/v1/customers?q=%E6%98%8E%E8%BE%BE".to_owned(),
        "/api/v1/search?q=%E6%98%8E%E8%BE%BE".to_owned(),
        "/api/v1/search?q=%E5%BC%A0%E4%B8%89".to_owned(),
        format!("/api/v1/complaints/{tc}"),
        "/api/v1/complaints".to_owned(),
        "/api/v1/audit".to_owned(),
        "/api/v1/follow-ups?scope=all&until=2099-01-01".to_owned(),
        "/api/v1/quality/inspections?scope=all".to_owned(),
        "/api/v1/quality/reports/2026-11-20".to_owned(),
        "/api/v1/aftersales/rmas?view=all".to_owned(),
        "/api/v1/aftersales/disputes".to_owned(),
    ] {
        routes.push((Surface::Api, api));
    }

    let secrets = secrets();
    let mut leaks = Vec::new();
    let mut answered = 0;
    for role in Role::ALL {
        let name = format!("leak.{}", role.key().replace('_', "-"));
        let id = app.create_user(&name, &[role]).await;
        let api = ApiClient::new(&app, &app.token_for(id).await);
        let session: Session = app.login(&name, TEST_PASSWORD).await;
        for (surface, path) in &routes {
            let path = fill(path, &s, id);
            let res = match surface {
                Surface::Api => api.get(&path).await,
                _ => session.get(&path).await,
            };
            if res.status().is_success() {
                answered += 1;
            }
            let body = text_of(res).await;
            for (value, tell) in &secrets {
                if body.contains(tell.as_str()) {
                    leaks.push(format!("{role:?} GET {path}: {value} in clear"));
                }
            }
        }
    }
    let checks = routes.len() * Role::ALL.len() * secrets.len();
    assert!(
        leaks.is_empty(),
        "{} leaks in {checks} checks:\n{}",
        leaks.len(),
        leaks.join("\n")
    );
    // The walk saw the records: most answers were pages and lists, not refusals.
    assert!(answered > routes.len() * 3, "only {answered} answers");
    println!(
        "leak walk: {} routes × {} roles × {} values = {checks} checks, {answered} answered",
        routes.len(),
        Role::ALL.len(),
        secrets.len()
    );
    app.stop().await;
}

async fn audit_count(app: &TestApp, action: &str) -> usize {
    app.audit_entries(action).await.len()
}

/// `POST {path}` (a reveal) as `api`: the status and, when given, the clear value.
async fn reveal(api: &ApiClient, path: &str, body: Value) -> (u16, Value) {
    let res = api.json(Method::POST, path, &body).await;
    let status = res.status().as_u16();
    let value = if status == 200 {
        json_body(res).await["value"].clone()
    } else {
        Value::Null
    };
    (status, value)
}

mod complaints;
mod reveal;
