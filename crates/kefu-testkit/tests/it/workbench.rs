//! 工作台: every role lands on its tiles, and every number on a tile is the number of records
//! its link opens; a role with nothing in kefu yet is told so honestly; the approvals inbox
//! lists complaint proposals and proposed scripts together and decides a script from the
//! list; the holiday warning shows in December; the workbench hears of changes live.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use jiff::{SignedDuration, Timestamp};
use kefu_domain::{FixedClock, Role};
use kefu_testkit::{
    ApiClient, Session, TEST_PASSWORD, TestApp, TestOptions, form_fields, json_body, unescape_html,
};
use reqwest::Method;
use serde_json::json;

use crate::workbench_setup::{
    api_of, complaint_with_notice, imports_and_a_failing_job, login, post, record_marker, staff,
};

/// One number on the workbench: its tile, what shows it, the count, the page it opens, and
/// (for a list tile) how many records the tile names.
#[derive(Debug)]
struct Figure {
    tile: String,
    what: &'static str,
    n: i64,
    link: Option<String>,
    named: i64,
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

/// Every figure of the workbench page.
fn figures(html: &str) -> Vec<Figure> {
    let mut out = Vec::new();
    for part in html.split("data-testid=\"tile\" data-tile=\"").skip(1) {
        let key = part[..part.find('"').unwrap()].to_owned();
        let body = &part[..part.find("</article>").expect("the tile ends")];
        let link = body
            .find("data-testid=\"tile-link\"")
            .and_then(|i| attr(tag_at(body, i), "href"));
        let named = body.matches("data-testid=\"tile-item\"").count() as i64;
        for what in ["tile-count", "tile-line", "tile-total"] {
            let marker = format!("data-testid=\"{what}\"");
            for (i, _) in body.match_indices(&marker) {
                let tag = tag_at(body, i);
                out.push(Figure {
                    tile: key.clone(),
                    what,
                    n: attr(tag, "data-count").unwrap().parse().unwrap(),
                    link: if what == "tile-line" {
                        attr(tag, "href")
                    } else {
                        link.clone()
                    },
                    named,
                });
            }
        }
    }
    out
}

/// Reads `who`'s workbench, checks it shows the tiles `want`, and follows every figure to
/// the page it opens: the page lists exactly as many records. Returns the figures.
/// The first `{name}` left in the page's text (a translation whose placeholder nobody
/// filled), outside scripts and styles.
fn unfilled_placeholder(html: &str) -> Option<String> {
    let body = html.split("<body").nth(1).unwrap_or(html);
    let mut rest = body;
    while let Some(at) = rest.find('{') {
        let after = &rest[at + 1..];
        let name: String = after
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '_')
            .collect();
        if !name.is_empty() && after[name.len()..].starts_with('}') {
            return Some(name);
        }
        rest = after;
    }
    None
}

async fn check(s: &Session, who: &str, want: &[&str]) -> Vec<Figure> {
    let res = s.get("/").await;
    assert_eq!(res.status(), 200, "{who}'s workbench");
    let home = res.text().await.unwrap();
    assert!(
        !home.contains("此区域的实时数据"),
        "{who}: the old placeholder is gone"
    );
    assert_eq!(
        unfilled_placeholder(&home),
        None,
        "{who}: every {{name}} in the words is filled"
    );
    for key in want {
        assert!(
            home.contains(&format!("data-tile=\"{key}\"")),
            "{who} sees the tile {key}"
        );
    }
    let figs = figures(&home);
    for f in &figs {
        match &f.link {
            Some(link) => {
                let res = s.get(link).await;
                assert_eq!(res.status(), 200, "{who}: {link} opens");
                let page = res.text().await.unwrap();
                let listed = page.matches(record_marker(link).as_str()).count() as i64;
                assert_eq!(
                    listed, f.n,
                    "{who}: tile {} ({}) says {} but {link} lists {listed}",
                    f.tile, f.what, f.n
                );
            }
            None => assert_eq!(
                f.named, f.n,
                "{who}: tile {} counts {} and names {}",
                f.tile, f.n, f.named
            ),
        }
    }
    figs
}

/// The figures of one tile, summed.
fn sum(figs: &[Figure], tile: &str, what: &str) -> i64 {
    figs.iter()
        .filter(|f| f.tile == tile && f.what == what)
        .map(|f| f.n)
        .sum()
}

#[tokio::test]
async fn every_tile_counts_the_records_its_link_opens_for_every_role() {
    // Monday 09:00 in Beijing.
    let start: Timestamp = "2026-03-02T01:00:00Z".parse().unwrap();
    let clock = Arc::new(FixedClock::new(start));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock.clone()),
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    let people = staff(&app).await;
    let agent = api_of(&app, Role::Agent).await;
    let specialist = api_of(&app, Role::ComplaintSpecialist).await;
    let manager = api_of(&app, Role::CsManager).await;
    let dept_member = api_of(&app, Role::Department).await;
    let quality_dept = app
        .app
        .departments()
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.key == "quality")
        .unwrap()
        .id;

    // Two key accounts the agent owns: one just called in, one nobody has called for ever.
    let called = post(
        &agent,
        "/api/v1/customers",
        json!({"name": "苏州恒达机电", "tier": "key_account", "owner_id": people.agent,
               "address": "苏州工业园区星湖街 1 号",
               "contacts": [{"name": "钱经理", "mobile": "13912345678"}]}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let quiet = post(
        &agent,
        "/api/v1/customers",
        json!({"name": "无锡长风重工", "tier": "key_account", "owner_id": people.agent}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    // The key-account specialist plans for one (its review due today) and proposes a
    // discount for the manager.
    let key_accounts = api_of(&app, Role::KeyAccountSpecialist).await;
    let res = key_accounts
        .json(
            Method::PUT,
            &format!("/api/v1/key-accounts/{quiet}/plan"),
            &json!({"stage": "declining", "needs": "采购量下降，需要了解原因",
                    "review_every_months": 1, "next_review_on": "2026-03-02",
                    "goals": [{"stage": "declining", "goal": "恢复季度采购", "measure": "订单金额"}]}),
        )
        .await;
    assert_eq!(res.status(), 200);
    post(
        &key_accounts,
        &format!("/api/v1/key-accounts/{called}/policies"),
        json!({"kind": "discount", "title": "季度采购九八折", "conditions": "单笔满 2 万元",
               "rate_bp": 200, "valid_from": "2026-03-01", "valid_until": "2026-12-31"}),
    )
    .await;
    // The agent's tickets: one from the key account's mobile, one pending; one for nobody.
    post(
        &agent,
        "/api/v1/tickets",
        json!({"subject": "电机异响", "body": "新到的电机有异响", "contact_phone": "13912345678",
               "assignee_id": people.agent}),
    )
    .await;
    let pending = post(
        &agent,
        "/api/v1/tickets",
        json!({"subject": "发票抬头", "body": "请改发票抬头", "assignee_id": people.agent}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let res = agent
        .json(
            Method::PATCH,
            &format!("/api/v1/tickets/{pending}"),
            &json!({"status": "pending_customer"}),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", json_body(res).await);
    post(
        &agent,
        "/api/v1/tickets",
        json!({"subject": "样品寄送", "body": "想要样品"}),
    )
    .await;

    // A complaint walked to its solution, found caused by service; another whose notice the
    // quality department has not answered.
    let (first, notice) = complaint_with_notice(&app, &agent, &specialist, quality_dept).await;
    post(
        &dept_member,
        &format!("/api/v1/complaint-notices/{notice}/answer"),
        json!({"answer": "已核实，客服未按承诺回电。"}),
    )
    .await;
    // Answered: the specialist has it to review.
    let s = login(&app, Role::ComplaintSpecialist).await;
    let figs = check(
        &s,
        "complaint specialist",
        &["complaints.answers_to_review"],
    )
    .await;
    assert_eq!(sum(&figs, "complaints.answers_to_review", "tile-count"), 1);
    post(
        &specialist,
        &format!("/api/v1/complaint-notices/{notice}/review"),
        json!({"accept": true}),
    )
    .await;
    post(
        &specialist,
        &format!("/api/v1/complaints/{first}/investigation"),
        json!({"cause": "service", "responsible_department_id": quality_dept,
               "findings": "回电承诺未登记到工单"}),
    )
    .await;
    post(
        &specialist,
        &format!("/api/v1/complaints/{first}/proposals"),
        json!({"remedy": "replace", "description": "补发 30 个轴承并致歉", "cost_fen": 50_000}),
    )
    .await;
    complaint_with_notice(&app, &agent, &specialist, quality_dept).await;
    // An agent proposes a reply script.
    let a = login(&app, Role::Agent).await;
    let res = a
        .post_form(
            "/scripts",
            &[
                ("category", "投诉"),
                ("title", "回电致歉"),
                (
                    "body",
                    "{客户名称}您好，很抱歉没有按约回电，我们今天会专人联系您。",
                ),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);

    // Three days on: deadlines have run out. Everyone signs in again.
    clock.advance(SignedDuration::from_hours(72));
    let now = app.now();
    // Today the information specialist reveals an address; imports ran, one with errors; a
    // background job failed for good.
    let info_api = api_of(&app, Role::InfoSpecialist).await;
    post(
        &info_api,
        &format!("/api/v1/customers/{called}/reveal"),
        json!({"field": "address"}),
    )
    .await;
    imports_and_a_failing_job(&app, people.info, now).await;

    let a = login(&app, Role::Agent).await;
    let figs = check(
        &a,
        "agent",
        &[
            "tickets.my_open",
            "tickets.due_soon",
            "tickets.my_overdue",
            "tickets.awaiting_me",
            "customers.today",
            "notifications.unread",
        ],
    )
    .await;
    assert!(
        sum(&figs, "tickets.my_open", "tile-line") >= 2,
        "both of the agent's tickets: {figs:?}"
    );
    assert!(sum(&figs, "customers.today", "tile-total") >= 1);

    let m = login(&app, Role::CsManager).await;
    let figs = check(
        &m,
        "manager",
        &[
            "approvals.waiting",
            "tickets.sla",
            "tickets.backlog_status",
            "tickets.backlog_age",
            "complaints.overdue",
            "staff.signed_in",
        ],
    )
    .await;
    assert_eq!(
        sum(&figs, "approvals.waiting", "tile-line"),
        2,
        "a proposal and a script wait: {figs:?}"
    );
    assert!(sum(&figs, "tickets.backlog_age", "tile-line") >= 3);
    let online = figs
        .iter()
        .find(|f| f.tile == "staff.signed_in")
        .expect("who is signed in");
    assert!(online.named >= 1, "the manager is signed in: {online:?}");

    let s = login(&app, Role::ComplaintSpecialist).await;
    let figs = check(
        &s,
        "complaint specialist",
        &[
            "complaints.by_stage",
            "complaints.notices_overdue",
            "complaints.answers_to_review",
        ],
    )
    .await;
    assert!(sum(&figs, "complaints.by_stage", "tile-line") >= 2);

    let q = login(&app, Role::QualitySpecialist).await;
    let figs = check(
        &q,
        "quality specialist",
        &["approvals.waiting", "complaints.service_cause"],
    )
    .await;
    assert_eq!(sum(&figs, "complaints.service_cause", "tile-count"), 1);
    assert_eq!(
        sum(&figs, "approvals.waiting", "tile-line"),
        1,
        "the quality specialist reviews scripts only"
    );

    let i = login(&app, Role::InfoSpecialist).await;
    let figs = check(
        &i,
        "information specialist",
        &["audit.sensitive_today", "imports.mine"],
    )
    .await;
    assert_eq!(sum(&figs, "audit.sensitive_today", "tile-line"), 1);
    assert_eq!(sum(&figs, "imports.mine", "tile-total"), 2);

    let k = login(&app, Role::KeyAccountSpecialist).await;
    let figs = check(
        &k,
        "key-account specialist",
        &["customers.quiet_key_accounts"],
    )
    .await;
    assert_eq!(
        sum(&figs, "customers.quiet_key_accounts", "tile-count"),
        1,
        "the key account nobody called"
    );

    let d = login(&app, Role::Department).await;
    let figs = check(&d, "department", &["complaints.department_notices"]).await;
    assert_eq!(sum(&figs, "complaints.department_notices", "tile-count"), 1);

    let admin = login(&app, Role::Admin).await;
    let figs = check(
        &admin,
        "administrator",
        &["imports.with_errors", "jobs.failing"],
    )
    .await;
    assert_eq!(sum(&figs, "imports.with_errors", "tile-count"), 1);
    assert_eq!(sum(&figs, "jobs.failing", "tile-count"), 1);
    assert!(
        !admin
            .get("/")
            .await
            .text()
            .await
            .unwrap()
            .contains("data-tile=\"calendar.holidays_missing\""),
        "2026's holidays ship with kefu; no warning before December"
    );

    // The manager approves the solution: a replacement is sent, the after-sales specialist
    // sees it running.
    let waiting = json_body(manager.get("/api/v1/complaint-approvals").await).await;
    let proposal = waiting[0]["proposal"]["id"].as_i64().unwrap();
    post(
        &manager,
        &format!("/api/v1/complaint-proposals/{proposal}/decision"),
        json!({"approve": true}),
    )
    .await;
    let after = login(&app, Role::AftersalesSpecialist).await;
    let figs = check(&after, "after-sales specialist", &["complaints.open_rmas"]).await;
    assert_eq!(sum(&figs, "complaints.open_rmas", "tile-count"), 1);

    // The relationship specialist: the month's key accounts still without a visit (the
    // agent's two; nothing is planned while no job runs), and no visit due.
    let crm = login(&app, Role::CrmSpecialist).await;
    let figs = check(
        &crm,
        "CRM specialist",
        &["follow_up.today", "follow_up.coverage"],
    )
    .await;
    assert_eq!(
        figs.iter()
            .filter(|f| f.tile == "follow_up.coverage"
                && f.link
                    .as_deref()
                    .is_some_and(|l| l.contains("tier=key_account")))
            .map(|f| f.n)
            .sum::<i64>(),
        2
    );
    app.stop().await;
}

#[tokio::test]
async fn the_approvals_inbox_lists_both_kinds_and_decides_a_script_from_the_list() {
    let app = TestApp::spawn().await;
    staff(&app).await;
    let agent = api_of(&app, Role::Agent).await;
    let specialist = api_of(&app, Role::ComplaintSpecialist).await;
    let dept_member = api_of(&app, Role::Department).await;
    let quality_dept = app
        .app
        .departments()
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.key == "quality")
        .unwrap()
        .id;
    let (id, notice) = complaint_with_notice(&app, &agent, &specialist, quality_dept).await;
    post(
        &dept_member,
        &format!("/api/v1/complaint-notices/{notice}/answer"),
        json!({"answer": "已核实。"}),
    )
    .await;
    post(
        &specialist,
        &format!("/api/v1/complaint-notices/{notice}/review"),
        json!({"accept": true}),
    )
    .await;
    post(
        &specialist,
        &format!("/api/v1/complaints/{id}/investigation"),
        json!({"cause": "service", "responsible_department_id": quality_dept, "findings": "未回电"}),
    )
    .await;
    post(
        &specialist,
        &format!("/api/v1/complaints/{id}/proposals"),
        json!({"remedy": "apologise", "description": "经理致电道歉", "cost_fen": 0}),
    )
    .await;
    let a = login(&app, Role::Agent).await;
    a.post_form(
        "/scripts",
        &[
            ("category", "投诉"),
            ("title", "回电致歉"),
            ("body", "{客户名称}您好，很抱歉没有按约回电。"),
        ],
    )
    .await;

    // The manager hears of the script and finds both waiting, the oldest first.
    let m = login(&app, Role::CsManager).await;
    let notes = m.get("/notifications?unread=1").await.text().await.unwrap();
    assert!(notes.contains("新话术「回电致歉」等待您审核。"), "{notes}");
    let inbox = m.get("/approvals").await.text().await.unwrap();
    assert_eq!(inbox.matches("data-testid=\"approval-row\"").count(), 2);
    let proposal_at = inbox.find("data-kind=\"complaint_proposal\"").unwrap();
    let script_at = inbox.find("data-kind=\"reply_script\"").unwrap();
    assert!(proposal_at < script_at, "the oldest first");
    assert!(inbox.contains(&format!("href=\"/complaints/{id}#proposals\"")));
    // The old address lists the complaints' proposals only.
    let old = m.get("/complaints/approvals").await.text().await.unwrap();
    assert_eq!(old.matches("data-testid=\"approval-row\"").count(), 1);
    assert!(!old.contains("data-kind=\"reply_script\""));

    // Agents decide nothing: their inbox says so, and they cannot post a decision.
    let agent_inbox = a.get("/approvals").await.text().await.unwrap();
    assert!(agent_inbox.contains("data-testid=\"approvals-not-yours\""));
    let i =
        inbox.find("action=\"/approvals/scripts/").unwrap() + "action=\"/approvals/scripts/".len();
    let script: String = inbox[i..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let action = format!("/approvals/scripts/{script}");
    assert_eq!(
        a.post_form(&action, &[("decision", "approve")])
            .await
            .status(),
        403
    );

    // The quality specialist reviews scripts: only the script is theirs.
    let q = login(&app, Role::QualitySpecialist).await;
    let theirs = q.get("/approvals").await.text().await.unwrap();
    assert_eq!(theirs.matches("data-testid=\"approval-row\"").count(), 1);
    assert!(theirs.contains("data-kind=\"reply_script\""));

    // Approved from the list: it is in use at once, and leaves the inbox.
    let mut fields: Vec<(String, String)> = form_fields(&inbox, &action)
        .into_iter()
        .filter(|(k, _)| k != "_csrf" && k != "note")
        .collect();
    fields.push(("decision".into(), "approve".into()));
    fields.push(("note".into(), "可以".into()));
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let res = m.post_form(&action, &pairs).await;
    assert_eq!(res.status(), 303);
    let back = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(back.starts_with("/approvals"), "{back}");
    let after = m.get(&back).await.text().await.unwrap();
    assert!(after.contains("已通过。"));
    assert_eq!(after.matches("data-testid=\"approval-row\"").count(), 1);
    assert!(!after.contains("data-kind=\"reply_script\""));
    let usable = json_body(agent.get("/api/v1/scripts?q=%E5%9B%9E%E7%94%B5").await).await;
    assert!(
        usable
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["title"] == "回电致歉"),
        "{usable}"
    );

    // A script edited since the reviewer read it is not decided unread.
    a.post_form(
        "/scripts",
        &[
            ("category", "通用"),
            ("title", "节日问候"),
            ("body", "{客户名称}您好，节日快乐！"),
        ],
    )
    .await;
    let inbox = m
        .get("/approvals?kind=reply_script")
        .await
        .text()
        .await
        .unwrap();
    let i =
        inbox.find("action=\"/approvals/scripts/").unwrap() + "action=\"/approvals/scripts/".len();
    let script: String = inbox[i..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let res = m
        .post_form(
            &format!("/approvals/scripts/{script}"),
            &[("decision", "send_back"), ("version", "999")],
        )
        .await;
    assert_eq!(res.status(), 409);
    let res = m
        .post_form(
            &format!("/approvals/scripts/{script}"),
            &[("decision", "maybe")],
        )
        .await;
    assert_eq!(res.status(), 422, "a decision is approve or send_back");
    app.stop().await;
}

#[tokio::test]
async fn from_december_the_administrator_is_warned_of_next_years_missing_holidays() {
    let clock = Arc::new(FixedClock::new(
        "2026-11-30T02:00:00Z".parse::<Timestamp>().unwrap(),
    ));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock.clone()),
        ..TestOptions::default()
    })
    .await;
    app.create_user("wb.admin", &[Role::Admin]).await;
    let s = app.login("wb.admin", TEST_PASSWORD).await;
    let home = s.get("/").await.text().await.unwrap();
    assert!(!home.contains("data-tile=\"calendar.holidays_missing\""));

    clock.set("2026-12-07T02:00:00Z".parse().unwrap());
    let s = app.login("wb.admin", TEST_PASSWORD).await;
    let home = s.get("/").await.text().await.unwrap();
    assert!(
        home.contains("data-tile=\"calendar.holidays_missing\""),
        "{home}"
    );
    assert!(home.contains("没有 2027 年的节假日安排"));
    let figs = check(
        &s,
        "administrator in December",
        &["calendar.holidays_missing"],
    )
    .await;
    assert_eq!(sum(&figs, "calendar.holidays_missing", "tile-total"), 1);
    let i = home.find("href=\"/admin/calendars/").unwrap() + "href=\"".len();
    let link: String = home[i..].chars().take_while(|c| *c != '"').collect();
    assert_eq!(s.get(&link).await.status(), 200);
    app.stop().await;
}

#[tokio::test]
async fn the_workbench_hears_of_every_change_without_learning_what() {
    let app = TestApp::spawn().await;
    let agent = app.create_user("wb.live-agent", &[Role::Agent]).await;
    app.create_user_in("wb.live-dept", &[Role::Department], Some("sales"))
        .await;
    // A department member may not follow the ticket stream, but hears the workbench's.
    let d = app.login("wb.live-dept", TEST_PASSWORD).await;
    let res = d.get("/events/workbench").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    let home = d.get("/").await.text().await.unwrap();
    assert!(home.contains("data-live-tiles"));
    let mut stream = res.bytes_stream();
    tokio::time::sleep(Duration::from_millis(700)).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    post(
        &api,
        "/api/v1/tickets",
        json!({"subject": "实时工作台", "body": "测试"}),
    )
    .await;
    let mut seen = String::new();
    let got = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(chunk) = stream.next().await {
            seen.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
            if seen.contains("event: change") {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(got, Ok(true), "a change arrives: {seen}");
    assert!(!seen.contains("ticket"), "nothing of what changed: {seen}");
    app.stop().await;
}
