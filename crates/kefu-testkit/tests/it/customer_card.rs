//! 客户卡片: the ticket page shows the linked customer of the archive — tier, credit grade,
//! contacts masked with the 360 page's audited reveal, last contact, and open tickets and
//! complaints counted as the pages they link to list them; the new-ticket form links the
//! ticket to a customer picked from the archive, and refuses one that is not there.

use kefu_domain::Role;
use kefu_testkit::{
    ApiClient, Session, TEST_PASSWORD, TestApp, form_fields, json_body, unescape_html,
};
use reqwest::Method;
use serde_json::{Value, json};

const MOBILE: &str = "13812345678";
const LANDLINE: &str = "0571-88886666";
const EMAIL_DIGITS: &str = "13955379945";

async fn post(api: &ApiClient, path: &str, body: Value) -> Value {
    let res = api.json(Method::POST, path, &body).await;
    let status = res.status();
    let body = json_body(res).await;
    assert!(status.is_success(), "POST {path}: {status} {body}");
    body
}

/// The tag around byte `i`: from the `<` before it to the `>` after.
fn tag_at(html: &str, i: usize) -> &str {
    let start = html[..i].rfind('<').expect("inside a tag");
    let end = i + html[i..].find('>').expect("the tag ends");
    &html[start..=end]
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let marker = format!(" {name}=\"");
    let start = tag.find(&marker)? + marker.len();
    let end = tag[start..].find('"')? + start;
    Some(unescape_html(&tag[start..end]))
}

/// The card's figure marked `testid`: its count and the page it links to.
fn figure(html: &str, testid: &str) -> (i64, String) {
    let i = html
        .find(&format!("data-testid=\"{testid}\""))
        .unwrap_or_else(|| panic!("no {testid} on the card"));
    let tag = tag_at(html, i);
    (
        attr(tag, "data-count").unwrap().parse().unwrap(),
        attr(tag, "href").unwrap(),
    )
}

/// Follows a figure's link and counts the records the page lists.
async fn listed(s: &Session, link: &str, marker: &str) -> i64 {
    let res = s.get(link).await;
    assert_eq!(res.status(), 200, "{link} opens");
    let page = res.text().await.unwrap();
    page.matches(&format!("data-testid=\"{marker}\"")).count() as i64
}

#[tokio::test]
async fn the_ticket_page_shows_the_customers_card_masked_with_counts_its_links_list() {
    let app = TestApp::spawn().await;
    let agent_id = app.create_user("card.agent", &[Role::Agent]).await;
    let agent = ApiClient::new(&app, &app.token_for(agent_id).await);
    app.create_user("card.quality", &[Role::QualitySpecialist])
        .await;
    app.create_user("card.info", &[Role::InfoSpecialist]).await;

    let customer = post(
        &agent,
        "/api/v1/customers",
        json!({"name": "杭州明达贸易有限公司", "tier": "key_account", "contacts": [{
            "name": "王经理", "mobile": MOBILE, "phone": LANDLINE,
            "email": format!("{EMAIL_DIGITS}@163.com"),
        }]}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    // Another customer with a ticket and a complaint of its own, which no count may take.
    let other = post(
        &agent,
        "/api/v1/customers",
        json!({"name": "成都天府家电城", "contacts": [{"name": "赵店长", "mobile": "13987650000"}]}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let info = app.login("card.info", TEST_PASSWORD).await;
    let res = info
        .post_form(
            &format!("/customers/{customer}/credit/investigations"),
            &[
                ("on", "2026-11-20"),
                ("score_payment_history", "95"),
                ("score_years_of_cooperation", "90"),
                ("score_disputes", "100"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);

    // Tickets from the contact's mobile link themselves: two stay open, one is closed.
    let mut tickets = Vec::new();
    for subject in ["空调不制冷", "发票抬头有误", "咨询安装时间"] {
        let t = post(
            &agent,
            "/api/v1/tickets",
            json!({"subject": subject, "body": "来电", "contact_phone": MOBILE}),
        )
        .await;
        tickets.push(t["id"].as_i64().unwrap());
    }
    let res = agent
        .json(
            Method::PATCH,
            &format!("/api/v1/tickets/{}", tickets[2]),
            &json!({"status": "closed"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    post(
        &agent,
        "/api/v1/tickets",
        json!({"subject": "电视无信号", "body": "来电", "contact_phone": "13987650000"}),
    )
    .await;
    // Two open complaints of the customer (one from its ticket), one of the other.
    post(
        &agent,
        "/api/v1/complaints",
        json!({"ticket_id": tickets[0], "complainant": "王经理",
               "content": "上门两次仍不制冷。", "category": "quality", "severity": "serious"}),
    )
    .await;
    post(
        &agent,
        "/api/v1/complaints",
        json!({"customer_id": customer, "complainant": "王经理",
               "content": "送货员态度恶劣。", "category": "service", "severity": "major"}),
    )
    .await;
    post(
        &agent,
        "/api/v1/complaints",
        json!({"customer_id": other, "complainant": "赵店长",
               "content": "发错型号。", "category": "service", "severity": "minor"}),
    )
    .await;

    let s = app.login("card.agent", TEST_PASSWORD).await;
    let page = format!("/tickets/{}", tickets[1]);
    let html = s.get(&page).await.text().await.unwrap();
    assert!(html.contains("data-testid=\"customer-card\""), "{html}");
    assert!(html.contains(&format!("/customers/{customer}\">杭州明达贸易有限公司")));
    assert!(html.contains("data-testid=\"customer-card-tier\">大客户<"));
    assert!(html.contains("data-testid=\"customer-card-grade\"><span class=\"badge grade-A\">A<"));
    assert!(html.contains("data-testid=\"customer-card-mobile\">138****5678<"));
    assert!(html.contains("data-testid=\"customer-card-phone\">****6666<"));
    assert!(html.contains("data-testid=\"customer-card-email\">139****9945@163.com<"));
    for raw in [MOBILE, "88886666", EMAIL_DIGITS] {
        assert!(!html.contains(raw), "{raw} in clear on the ticket page");
    }
    assert!(
        !html.contains("data-testid=\"customer-card-last-contact\">—<"),
        "the tickets were contact"
    );

    // Every count is the number of records its link lists.
    let (open, link) = figure(&html, "customer-card-tickets");
    assert_eq!(
        open, 2,
        "the closed ticket and the other customer's are not counted"
    );
    assert_eq!(listed(&s, &link, "ticket-row").await, open, "{link}");
    let queue = s.get(&link).await.text().await.unwrap();
    assert!(
        queue.contains("客户：杭州明达贸易有限公司"),
        "the queue says whose"
    );
    let (complaints, link) = figure(&html, "customer-card-complaints");
    assert_eq!(complaints, 2);
    assert_eq!(
        listed(&s, &link, "complaint-card").await,
        complaints,
        "{link}"
    );
    let via_api = json_body(
        agent
            .get(&format!(
                "/api/v1/tickets?queue=open&customer_id={customer}"
            ))
            .await,
    )
    .await;
    assert_eq!(via_api["tickets"].as_array().unwrap().len() as i64, open);

    // The API gives the same card, masked the same way.
    let card = json_body(
        agent
            .get(&format!("/api/v1/customers/{customer}/card"))
            .await,
    )
    .await;
    assert_eq!(card["tier"], "key_account");
    assert_eq!(card["credit_grade"], "A");
    assert_eq!(card["contacts"][0]["mobile"], "138****5678");
    assert_eq!(card["open_tickets"], open);
    assert_eq!(card["open_complaints"], complaints);
    assert_eq!(card["can_reveal"], true);
    assert!(!card.to_string().contains(MOBILE));

    // The agent reveals the mobile from the card: the 360 page's reveal, audited, answered
    // with the ticket page and the value on its card.
    let action = format!("/customers/{customer}/reveal");
    assert!(html.contains("data-testid=\"customer-card-reveal-mobile\""));
    let fields: Vec<(String, String)> = form_fields(&html, &action)
        .into_iter()
        .filter(|(k, _)| k != "_csrf")
        .collect();
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let res = s.post_form(&action, &pairs).await;
    assert_eq!(res.status(), 200);
    let revealed = res.text().await.unwrap();
    assert!(
        revealed.contains("data-testid=\"ticket-number\""),
        "back on the ticket"
    );
    assert!(revealed.contains(&format!(
        "<strong data-testid=\"revealed\">{MOBILE}</strong>"
    )));
    assert!(!revealed.contains("88886666"), "only the value asked for");
    let entries = app.audit_entries("sensitive_revealed").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(
        entries[0].target_id.as_deref(),
        Some(customer.to_string().as_str())
    );
    assert!(
        entries[0]
            .detail
            .as_deref()
            .is_some_and(|d| d.contains("\"field\":\"mobile\""))
    );

    // The quality specialist reads the card but is offered no reveal, and gets none.
    let q = app.login("card.quality", TEST_PASSWORD).await;
    let html = q.get(&page).await.text().await.unwrap();
    assert!(html.contains("data-testid=\"customer-card-mobile\">138****5678<"));
    assert!(!html.contains("customer-card-reveal-"), "no reveal offered");
    assert!(!html.contains(MOBILE));
    let res = q.post_form(&action, &pairs).await;
    assert_eq!(res.status(), 403);
    assert_eq!(app.audit_entries("sensitive_revealed").await.len(), 1);

    // A ticket without a customer keeps the link and lookup controls, and shows no card.
    let lone = post(
        &agent,
        "/api/v1/tickets",
        json!({"subject": "匿名来电", "body": "询价", "contact_name": "路人"}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let html = s
        .get(&format!("/tickets/{lone}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!html.contains("data-testid=\"customer-card\""));
    assert!(html.contains("data-testid=\"customer-picker\""));
    assert!(html.contains(&format!("link_ticket={lone}")));
    app.stop().await;
}

/// The new-ticket form as the reader's browser sends it, with `changes` typed in.
async fn new_ticket_form(s: &Session, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let html = s.get("/tickets/new").await.text().await.unwrap();
    let mut fields: Vec<(String, String)> = form_fields(&html, "/tickets")
        .into_iter()
        .filter(|(k, _)| k != "_csrf" && !changes.iter().any(|(c, _)| c == k))
        .collect();
    fields.extend(changes.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    fields
}

#[tokio::test]
async fn the_new_ticket_form_links_the_customer_picked_and_refuses_an_unknown_one() {
    let app = TestApp::spawn().await;
    let agent_id = app.create_user("pick.agent", &[Role::Agent]).await;
    let agent = ApiClient::new(&app, &app.token_for(agent_id).await);
    let customer = post(
        &agent,
        "/api/v1/customers",
        json!({"name": "广州粤海酒店", "tier": "vip", "contacts": [{"name": "前台", "mobile": "13600001111"}]}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let s = app.login("pick.agent", TEST_PASSWORD).await;

    let html = s.get("/tickets/new").await.text().await.unwrap();
    assert!(html.contains("data-suggest=\"customer\" data-target=\"customer\""));
    assert!(html.contains("<input type=\"hidden\" name=\"customer\" value=\"\">"));

    // Picked: the hidden field holds the id, the picker the name the suggestion gave.
    let id = customer.to_string();
    let fields = new_ticket_form(
        &s,
        &[
            ("subject", "客房电视无信号"),
            ("body", "前台来电：三楼客房电视均无信号。"),
            ("customer", id.as_str()),
            ("customer_label", "广州粤海酒店"),
        ],
    )
    .await;
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let res = s.post_form("/tickets", &pairs).await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let tid: i64 = location.trim_start_matches("/tickets/").parse().unwrap();
    let stored = {
        let mut c = app.app.store.conn().await.unwrap();
        kefu_store::ticket::by_id(&mut c, tid).await.unwrap()
    };
    assert_eq!(
        stored.customer_id,
        Some(customer),
        "linked without a phone to match"
    );
    assert_eq!(
        stored.customer_name.as_deref(),
        Some("广州粤海酒店"),
        "the archive's name where none was typed"
    );
    assert_eq!(stored.contact_phone, None, "no contact value copied");
    let page = s.get(&location).await.text().await.unwrap();
    assert!(page.contains("data-testid=\"customer-card\""));
    assert!(page.contains("data-testid=\"customer-card-tier\">VIP<"));

    // An id the archive does not have, or no id at all: the form comes back, translated,
    // with what was typed, and nothing is written.
    let before = crate::tickets::count_tickets(&app).await;
    for bad in ["424242", "粤海"] {
        let fields = new_ticket_form(
            &s,
            &[
                ("subject", "退房押金"),
                ("body", "客人询问押金退还。"),
                ("customer", bad),
                ("customer_label", "不存在的酒店"),
            ],
        )
        .await;
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let res = s.post_form("/tickets", &pairs).await;
        assert_eq!(res.status(), 422, "{bad}");
        let html = res.text().await.unwrap();
        assert!(html.contains("客户档案中没有这个客户"), "{bad}: {html}");
        assert!(
            html.contains("value=\"不存在的酒店\""),
            "the picker keeps its text"
        );
        assert!(html.contains(&format!("name=\"customer\" value=\"{bad}\"")));
        assert!(html.contains("value=\"退房押金\""), "the subject is kept");
    }
    assert_eq!(crate::tickets::count_tickets(&app).await, before);
    app.stop().await;
}
