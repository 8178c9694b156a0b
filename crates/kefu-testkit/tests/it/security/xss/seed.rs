//! Stores a payload in every field that can hold one, area by area: the settings pages'
//! forms, the archive, tickets and complaints through the API, the channels, the portal, the
//! public web form, the chat widget's offline form and a mail.

use std::time::{Duration, Instant};

use kefu_app::Actor;
use kefu_domain::Role;
use kefu_testkit::{
    ApiClient, Session, SmsPeer, TEST_PASSWORD, TestApp, WechatPeer, json_body, wechat_peer,
};
use kefu_web::auth::urlencode;
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use super::{CUSTOMER_EMAIL, Fields, MAYBE, SHOWN, STAFF, Seeded, WORD};
use crate::security::mail::{html_mail, mail_html};
use crate::security::{PNG, anonymous};

/// Whether a store went through; a refusal is kept for the report (the field it filled is
/// then missing from the pages, and the test names it).
async fn stored(res: reqwest::Response, what: &str, refused: &mut Vec<String>) -> Option<Value> {
    let status = res.status();
    let text = res.text().await.unwrap_or_default();
    if status.is_success() || status.is_redirection() {
        Some(serde_json::from_str(&text).unwrap_or(Value::Null))
    } else {
        let text: String = text.chars().take(300).collect();
        refused.push(format!("{what}: {status} {text}"));
        None
    }
}

/// A store the rest of the seed builds on.
async fn need(res: reqwest::Response, what: &str) -> Value {
    let mut refused = Vec::new();
    match stored(res, what, &mut refused).await {
        Some(v) => v,
        None => panic!("{}", refused.join("\n")),
    }
}

/// The id a query finds for `value`.
async fn id_by(app: &TestApp, sql: &str, value: &str) -> i64 {
    let mut c = app.app.store.conn().await.unwrap();
    sqlx::query_scalar(sql)
        .bind(value)
        .fetch_one(&mut *c)
        .await
        .unwrap_or_else(|e| panic!("{sql} [{value}]: {e}"))
}

fn form_token(html: &str) -> String {
    let marker = "name=\"form_token\" value=\"";
    let start = html.find(marker).expect("the form carries its token") + marker.len();
    html[start..start + 32].to_owned()
}

/// What the areas share while seeding.
struct Ctx<'a> {
    app: &'a TestApp,
    f: Fields,
    refused: Vec<String>,
    api: ApiClient,
    staff: Session,
    ids: Vec<(&'static str, i64)>,
}

pub(crate) async fn seed(app: &TestApp) -> Seeded {
    let staff_id = app.create_user(STAFF, &Role::ALL).await;
    let mut cx = Ctx {
        app,
        f: Fields::default(),
        refused: Vec::new(),
        api: ApiClient::new(app, &app.token_for(staff_id).await),
        staff: app.login(STAFF, TEST_PASSWORD).await,
        ids: Vec::new(),
    };
    settings(&mut cx).await;
    let (ticket, customer, attachment) = records(&mut cx).await;
    let peers = channels(&mut cx).await;
    let portal = customers_side(&mut cx).await;

    // The search index follows the change log: wait until it finds the records.
    let q = format!("/api/v1/search?q={}", urlencode(WORD));
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        let hits = json_body(cx.api.get(&q).await).await;
        if hits.as_array().is_some_and(|a| a.len() >= 2) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Lists filtered to the records, and the queries pages echo in their search boxes.
    let mut extra = vec![
        "/tickets?queue=all".to_owned(),
        format!("/tickets?queue=all&q={}", urlencode(WORD)),
        format!("/search?q={}", urlencode(WORD)),
        format!("/customers?q={}", urlencode(WORD)),
        format!("/customers?link_ticket={ticket}"),
        format!("/complaints/new?ticket={ticket}"),
        format!("/tickets?queue=open&customer={customer}"),
        format!("/complaints?customer={customer}"),
        "/complaints?stage=".to_owned(),
        "/calls?view=unlogged".to_owned(),
        "/calls?view=callbacks".to_owned(),
    ];
    for (path, what, shown) in [
        ("/tickets?queue=all&q=", "echo.queue_query", MAYBE),
        ("/search?q=", "echo.search_query", SHOWN),
        ("/customers?q=", "echo.customer_query", SHOWN),
    ] {
        let payload = cx.f.long(what, shown);
        extra.push(format!("{path}{}", urlencode(&payload)));
    }
    // Every ticket's page: the mail's, the portal's, the web form's, the chat's.
    let mut c = app.app.store.conn().await.unwrap();
    let tickets: Vec<i64> = sqlx::query_scalar("SELECT id FROM tickets ORDER BY id")
        .fetch_all(&mut *c)
        .await
        .unwrap();
    drop(c);
    extra.extend(tickets.iter().map(|t| format!("/tickets/{t}")));

    // Most specific first: `/portal/tickets/{id}` before `/tickets/{id}`, the channels' own
    // pages before the mailboxes'.
    let mut ids = vec![("/customers/imports/{id}", 1)];
    ids.extend(cx.ids.iter().copied());
    ids.sort_by_key(|(prefix, _)| std::cmp::Reverse(prefix.len()));
    Seeded {
        fields: cx.f,
        refused: cx.refused,
        staff: cx.staff,
        portal,
        ids,
        attachment,
        extra,
        ticket,
        _peers: peers,
    }
}

/// 工单设置 and 服务时限: a group, a status, custom fields, a calendar with a holiday, a
/// policy, a trigger; the staff member's saved view and token.
async fn settings(cx: &mut Ctx<'_>) {
    let app = cx.app;
    let group_name = cx.f.short("group.name", SHOWN);
    let res = cx
        .staff
        .post_form(
            "/admin/groups",
            &[("name", group_name.as_str()), ("assignment", "manual")],
        )
        .await;
    need(res, "group").await;
    let group = id_by(
        app,
        "SELECT id FROM ticket_groups WHERE name = $1",
        &group_name,
    )
    .await;
    cx.ids.push(("/admin/groups/{id}", group));

    let zh = cx.f.short("status.name_zh", SHOWN);
    let en = cx.f.short("status.name_en", MAYBE);
    let res = cx
        .staff
        .post_form(
            "/admin/ticket-settings/statuses",
            &[
                ("key", "xss_waiting"),
                ("category", "pending_internal"),
                ("name_zh", zh.as_str()),
                ("name_en", en.as_str()),
            ],
        )
        .await;
    stored(res, "status", &mut cx.refused).await;

    let choice_label = cx.f.short("field.choice_label", SHOWN);
    let options = format!(
        "{}\n{}",
        cx.f.short("field.option", MAYBE),
        cx.f.short("field.other_option", MAYBE)
    );
    let res = cx
        .staff
        .post_form(
            "/admin/ticket-settings/fields",
            &[
                ("key", "xss_choice"),
                ("label", choice_label.as_str()),
                ("kind", "choice"),
                ("options", options.as_str()),
            ],
        )
        .await;
    stored(res, "choice field", &mut cx.refused).await;
    let text_label = cx.f.short("field.text_label", SHOWN);
    let res = cx
        .staff
        .post_form(
            "/admin/ticket-settings/fields",
            &[
                ("key", "xss_text"),
                ("label", text_label.as_str()),
                ("kind", "text"),
                ("options", ""),
            ],
        )
        .await;
    stored(res, "text field", &mut cx.refused).await;

    let calendar_name = cx.f.short("calendar.name", SHOWN);
    let mut week = vec![
        ("name", calendar_name.as_str()),
        ("time_zone", "Asia/Shanghai"),
    ];
    for day in ["week_mon", "week_tue", "week_wed", "week_thu", "week_fri"] {
        week.push((day, "09:00-12:00, 13:30-18:00"));
    }
    week.push(("week_sat", ""));
    week.push(("week_sun", ""));
    let res = cx.staff.post_form("/admin/calendars", &week).await;
    need(res, "calendar").await;
    let calendar = id_by(
        app,
        "SELECT id FROM calendars WHERE name = $1",
        &calendar_name,
    )
    .await;
    cx.ids.push(("/admin/calendars/{id}", calendar));
    let holiday = format!("2026-12-30,holiday,{}", cx.f.tag("calendar.holiday", MAYBE));
    let res = cx
        .staff
        .post_form(
            &format!("/admin/calendars/{calendar}/holidays"),
            &[("holidays", holiday.as_str())],
        )
        .await;
    stored(res, "holiday", &mut cx.refused).await;

    let policy_name = cx.f.short("sla_policy.name", SHOWN);
    let cal = calendar.to_string();
    let res = cx
        .staff
        .post_form(
            "/admin/sla/policies",
            &[
                ("name", policy_name.as_str()),
                ("position", "90"),
                ("calendar", cal.as_str()),
                ("first_response", "60"),
                ("next_response", ""),
                ("resolution", "600"),
            ],
        )
        .await;
    need(res, "SLA policy").await;
    let policy = id_by(
        app,
        "SELECT id FROM sla_policies WHERE name = $1",
        &policy_name,
    )
    .await;
    cx.ids.push(("/admin/sla/policies/{id}", policy));

    let trigger_name = cx.f.short("trigger.name", SHOWN);
    let condition = cx.f.short("trigger.condition", MAYBE);
    let trigger_tag = cx.f.tag("trigger.tag", MAYBE);
    let res = cx
        .staff
        .post_form(
            "/admin/triggers",
            &[
                ("name", trigger_name.as_str()),
                ("event", "create"),
                ("position", "95"),
                ("c0_field", "subject"),
                ("c0_op", "contains"),
                ("c0_value", condition.as_str()),
                ("a0_action", "add_tag"),
                ("a0_text", trigger_tag.as_str()),
            ],
        )
        .await;
    need(res, "trigger").await;
    let trigger = id_by(
        app,
        "SELECT id FROM triggers WHERE name = $1",
        &trigger_name,
    )
    .await;
    cx.ids.push(("/admin/triggers/{id}", trigger));

    let view = cx.f.short("saved_view.name", SHOWN);
    let res = cx
        .staff
        .post_form(
            "/tickets/views",
            &[("name", view.as_str()), ("query", "queue=all")],
        )
        .await;
    stored(res, "saved view", &mut cx.refused).await;
    let token_name = cx.f.short("token.name", SHOWN);
    let res = cx
        .staff
        .post_form("/account/tokens", &[("name", token_name.as_str())])
        .await;
    stored(res, "token", &mut cx.refused).await;
}

/// 用户, 客户档案, 工单, 投诉, 话术库: an agent named with markup, a customer and contact, a
/// ticket (held by that agent) with a reply, an internal note and a picture whose name is
/// markup, a complaint from it, a reply script. Answers (ticket, customer, picture).
async fn records(cx: &mut Ctx<'_>) -> (i64, i64, i64) {
    let display = cx.f.short("user.display_name", SHOWN);
    let res = cx
        .api
        .json(
            Method::POST,
            "/api/v1/users",
            &json!({"username": "xss.named", "display_name": display, "roles": ["agent"]}),
        )
        .await;
    let named = need(res, "user").await["user"]["id"]
        .as_i64()
        .expect("the user's id");
    cx.ids.push(("/admin/users/{id}", named));

    let f = &mut cx.f;
    let customer_body = json!({
        "name": f.long("customer.name", SHOWN),
        "province": f.short("customer.province", MAYBE),
        "city": f.short("customer.city", MAYBE),
        "industry": f.short("customer.industry", MAYBE),
        "tags": [f.tag("customer.tag", MAYBE)],
        "notes": f.long("customer.notes", SHOWN),
        "contacts": [{
            "name": f.short("contact.name", SHOWN),
            "title": f.short("contact.title", MAYBE),
            "mobile": "13912340001",
            "email": "xss.contact@example.com",
            "wechat": f.short("contact.wechat", MAYBE),
        }],
    });
    let res = cx
        .api
        .json(Method::POST, "/api/v1/customers", &customer_body)
        .await;
    let customer = need(res, "customer").await["id"]
        .as_i64()
        .expect("the customer's id");
    cx.ids.push(("/customers/{id}", customer));

    // The choice field's first option, as the settings stored it.
    let option = super::short(cx.f.number_of("field.option"));
    let f = &mut cx.f;
    let ticket_body = json!({
        "subject": f.long("ticket.subject", SHOWN),
        "body": f.long("ticket.body", SHOWN),
        "customer_name": f.long("ticket.customer_name", MAYBE),
        "contact_name": f.short("ticket.contact_name", SHOWN),
        "contact_email": "xss.contact@example.com",
        "contact_phone": "13912340001",
        "tags": [f.tag("ticket.tag", SHOWN)],
        "fields": {"xss_choice": option, "xss_text": f.long("ticket.field_text", MAYBE)},
        "assignee_id": named,
    });
    let res = cx
        .api
        .json(Method::POST, "/api/v1/tickets", &ticket_body)
        .await;
    let ticket = need(res, "ticket").await["id"]
        .as_i64()
        .expect("the ticket's id");
    cx.ids.push(("/tickets/{id}", ticket));
    for (what, internal) in [("ticket.reply", false), ("ticket.internal_note", true)] {
        let body = json!({"body": cx.f.long(what, SHOWN), "internal": internal});
        let res = cx
            .api
            .json(
                Method::POST,
                &format!("/api/v1/tickets/{ticket}/messages"),
                &body,
            )
            .await;
        stored(res, what, &mut cx.refused).await;
    }
    let form = Form::new()
        .text("_csrf", cx.staff.csrf().await)
        .text("body", cx.f.long("ticket.page_reply", SHOWN))
        .text("visibility", "public")
        .part(
            "files",
            Part::bytes(PNG.to_vec()).file_name(cx.f.file("ticket.file_name", MAYBE)),
        );
    let res = cx
        .staff
        .client
        .post(cx.staff.url(&format!("/tickets/{ticket}/reply")))
        .multipart(form)
        .send()
        .await
        .expect("POST");
    need(res, "reply with a picture").await;
    let attachment = cx
        .app
        .app
        .ticket_detail(&Actor::system(), ticket)
        .await
        .expect("the ticket")
        .attachments
        .first()
        .map_or(1, |a| a.id);

    let f = &mut cx.f;
    let complaint_body = json!({
        "ticket_id": ticket,
        "complainant": f.short("complaint.complainant", SHOWN),
        "content": f.long("complaint.content", SHOWN),
        "order_number": f.short("complaint.order_number", MAYBE),
        "part_number": f.short("complaint.part_number", MAYBE),
        "product": f.long("complaint.product", MAYBE),
        "category": "quality",
        "severity": "major",
    });
    let res = cx
        .api
        .json(Method::POST, "/api/v1/complaints", &complaint_body)
        .await;
    let complaint = need(res, "complaint").await["id"]
        .as_i64()
        .expect("the complaint's id");
    cx.ids.push(("/complaints/{id}", complaint));
    let intake = json!({"comment": cx.f.long("complaint.intake_comment", MAYBE)});
    let res = cx
        .api
        .json(
            Method::POST,
            &format!("/api/v1/complaints/{complaint}/intake"),
            &intake,
        )
        .await;
    stored(res, "complaint intake", &mut cx.refused).await;

    let f = &mut cx.f;
    let script_body = json!({
        "category": f.short("script.category", SHOWN),
        "title": f.short("script.title", SHOWN),
        "body": f.long("script.body", SHOWN),
    });
    let res = cx
        .api
        .json(Method::POST, "/api/v1/scripts", &script_body)
        .await;
    let script = need(res, "script").await["id"]
        .as_i64()
        .expect("the script's id");
    cx.ids.push(("/scripts/{id}", script));
    (ticket, customer, attachment)
}

/// 渠道: live chat (a visitor's offline message too), a mailbox (a mail whose subject,
/// sender and picture name are markup, its HTML full of scripts), a telephone line with a
/// call, an SMS gateway and an official account — all named with markup. Answers the peers
/// the SMS and WeChat channels point at.
async fn channels(cx: &mut Ctx<'_>) -> (SmsPeer, WechatPeer) {
    let app = cx.app;
    let system = Actor::system();
    let chat_body = json!({
        "name": cx.f.short("chat_channel.name", SHOWN),
        "greeting": cx.f.long("chat_channel.greeting", MAYBE),
        "allowed_origins": [crate::chat::SHOP],
    });
    let res = cx
        .api
        .json(Method::POST, "/api/v1/chat/channels", &chat_body)
        .await;
    let chat_channel = need(res, "chat channel").await["id"]
        .as_i64()
        .expect("the chat channel's id");
    cx.ids.push(("/admin/channels/chat/{id}", chat_channel));
    let offline = json!({
        "name": cx.f.short("chat.offline_name", MAYBE),
        "contact": "xss.visitor@example.com",
        "text": cx.f.long("chat.offline_text", SHOWN),
    });
    let res = app
        .client()
        .post(app.url(&format!("/chat/offline/{chat_channel}")))
        .header("origin", crate::chat::SHOP)
        .header("accept", "application/json")
        .json(&offline)
        .send()
        .await
        .expect("POST");
    stored(res, "chat offline form", &mut cx.refused).await;

    let mailbox = app
        .app
        .create_email_channel(
            &system,
            &kefu_app::channel::email::ChannelForm {
                name: cx.f.short("email_channel.name", SHOWN),
                address: "support@xss.example".to_owned(),
                group_id: None,
                active: true,
            },
        )
        .await
        .expect("a mailbox");
    cx.ids.push(("/admin/channels/{id}", mailbox.channel_id));
    let subject = cx.f.long("mail.subject", SHOWN);
    let from = cx.f.short("mail.from_name", MAYBE);
    let body = mail_html(cx.f.next("mail.body_entities", SHOWN));
    let picture = cx.f.file("mail.file_name", MAYBE);
    let raw = html_mail("xss-mail@example.com", &from, &subject, &body, &picture);
    let (status, answer) = crate::mail_ingest::post_signed(
        app,
        mailbox.channel_id,
        &mailbox.secret,
        app.now().as_second(),
        &raw,
    )
    .await;
    if status != 201 {
        cx.refused.push(format!("mail: {status} {answer}"));
    }

    let line = app
        .app
        .create_phone_channel(
            &system,
            &kefu_app::channel::phone::PhoneChannelForm {
                name: cx.f.short("phone_channel.name", SHOWN),
                group_id: None,
                area_code: "0571".to_owned(),
                active: true,
            },
        )
        .await
        .expect("a telephone line")
        .channel_id;
    cx.ids.push(("/admin/channels/phone/{id}", line));
    let phone_line = app
        .app
        .phone_channel(&system, line)
        .await
        .expect("the line");
    for kind in ["ringing", "hangup"] {
        let raw = kefu_domain::channel::phone::RawCallEvent {
            call_id: Some("xss-call-1".into()),
            event: Some(kind.into()),
            direction: Some("inbound".into()),
            from: Some("13912340002".into()),
            to: Some("4008001234".into()),
            extension: Some("8001".into()),
            at: Some(app.now().to_string()),
            duration_secs: None,
            recording_url: None,
        };
        app.app
            .record_call_event(&phone_line, &raw)
            .await
            .expect("a call event");
    }
    let call = id_by(
        app,
        "SELECT id FROM phone_calls WHERE call_id = $1",
        "xss-call-1",
    )
    .await;
    cx.ids.push(("/calls/{id}", call));

    let sms_peer = SmsPeer::start().await;
    let sms = app
        .app
        .create_sms_channel(
            &system,
            &kefu_app::channel::sms::SmsChannelForm {
                name: cx.f.short("sms_channel.name", SHOWN),
                send_url: sms_peer.send_url(),
                sign_name: crate::sms::SIGN.to_owned(),
                group_id: None,
                active: true,
                api_key: Some(crate::sms::API_KEY.to_owned()),
            },
        )
        .await
        .expect("an SMS gateway")
        .channel_id;
    cx.ids.push(("/admin/channels/sms/{id}", sms));
    let wx_peer = WechatPeer::start().await;
    let wechat = app
        .app
        .create_wechat_channel(
            &system,
            &kefu_app::channel::wechat::WechatChannelForm {
                name: cx.f.short("wechat_channel.name", SHOWN),
                app_id: wechat_peer::APP_ID.to_owned(),
                app_secret: wechat_peer::APP_SECRET.to_owned(),
                token: "xssToken2026".to_owned(),
                api_base: wx_peer.base.clone(),
                group_id: None,
                active: true,
            },
        )
        .await
        .expect("an official account")
        .channel_id;
    cx.ids.push(("/admin/channels/wechat/{id}", wechat));
    (sms_peer, wx_peer)
}

/// 客户门户 and 在线提交: a customer named with markup registers and files a ticket; a
/// visitor uses the public web form. Answers the customer's signed-in session.
async fn customers_side(cx: &mut Ctx<'_>) -> Session {
    let app = cx.app;
    let portal = anonymous(app);
    let customer_name = cx.f.short("portal.customer_name", SHOWN);
    let res = portal
        .post_form(
            "/portal/register",
            &[
                ("email", CUSTOMER_EMAIL),
                ("name", customer_name.as_str()),
                ("password", TEST_PASSWORD),
            ],
        )
        .await;
    need(res, "portal registration").await;
    let page = portal
        .get("/portal/tickets/new")
        .await
        .text()
        .await
        .unwrap();
    let form = Form::new()
        .text("_csrf", portal.csrf().await)
        .text("form_token", form_token(&page))
        .text("type", "after_sales")
        .text("subject", cx.f.long("portal.subject", SHOWN))
        .text("body", cx.f.long("portal.body", SHOWN));
    let res = portal
        .client
        .post(portal.url("/portal/tickets"))
        .multipart(form)
        .send()
        .await
        .expect("POST");
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    need(res, "portal ticket").await;
    let portal_ticket: i64 = location
        .trim_start_matches("/portal/tickets/")
        .parse()
        .unwrap_or_else(|_| panic!("the portal ticket's address: {location:?}"));
    cx.ids.push(("/portal/tickets/{id}", portal_ticket));

    let visitor = anonymous(app);
    let name = cx.f.short("web_form.name", MAYBE);
    let subject = cx.f.long("web_form.subject", SHOWN);
    let body = cx.f.long("web_form.body", SHOWN);
    let res = visitor
        .post_form(
            "/support",
            &[
                ("name", name.as_str()),
                ("phone", "13712345679"),
                ("subject", subject.as_str()),
                ("body", body.as_str()),
            ],
        )
        .await;
    stored(res, "web form", &mut cx.refused).await;
    portal
}
