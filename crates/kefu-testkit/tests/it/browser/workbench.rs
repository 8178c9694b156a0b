//! 工作台 in the browser: each role signs in, sees its tiles, reads one figure and follows it
//! to the records behind it, which number exactly what the tile said; a role with nothing in
//! kefu yet reads so, with the pages it can start from; an agent's tile counts up by itself
//! when a ticket is assigned to them.
//!
//! Screenshots, one pair per role (the workbench, then the page its figure opened):
//! - `workbench-agent`, `workbench-agent-phone`, `workbench-agent-followed`
//! - `workbench-complaint_specialist`, `workbench-complaint_specialist-followed`
//! - `workbench-cs_manager`, `workbench-cs_manager-followed`
//! - `workbench-info_specialist`, `workbench-info_specialist-followed`
//! - `workbench-admin`, `workbench-admin-followed`
//! - `workbench-quality_specialist`, `workbench-quality_specialist-followed`
//! - `workbench-key_account_specialist`, `workbench-key_account_specialist-followed`
//! - `workbench-aftersales_specialist`, `workbench-aftersales_specialist-followed`
//! - `workbench-department`, `workbench-department-followed`
//! - `workbench-crm_specialist` (nothing in kefu yet: the sentence and the links)
//! - `workbench-agent-live` (the tile after it counted up without a reload)

use std::sync::Arc;
use std::time::{Duration, Instant};

use fantoccini::error::CmdError;
use fantoccini::{Client, Locator};
use jiff::{SignedDuration, Timestamp};
use kefu_domain::{FixedClock, Role};
use kefu_testkit::browser::{self, Browser};
use kefu_testkit::{ApiClient, Session, TEST_PASSWORD, TestApp, TestOptions};
use serde_json::json;

use super::{assert_no_sideways_scroll, sign_in, sign_out};
use crate::workbench_setup::{
    api_of, complaint_with_notice, department_id, imports_and_a_failing_job, login, post,
    record_testid, staff, username,
};

/// The wording the workbench had before its tiles; no role may see it any more.
const PLACEHOLDER: &str = "将随相应业务模块上线";

/// Which number of a tile a journey reads.
enum Figure {
    /// The tile's one count.
    Count,
    /// The line whose link contains this.
    Line(&'static str),
}

/// One role's journey: the tile it reads and follows.
struct Journey {
    role: Role,
    tile: &'static str,
    figure: Figure,
}

/// Monday 09:00 in Beijing; the workbench is read three days later.
fn monday_morning() -> Timestamp {
    "2026-03-02T01:00:00Z".parse().unwrap()
}

/// A department three days into the week, with something on every role's workbench:
/// the agent's tickets (one past its deadline, one the customer answered), key accounts
/// (one nobody has called), complaints at every step (a notice past its date and one not
/// answered, an answer to review, a solution approved and running as an RMA, another
/// waiting for approval, both found caused by service), a proposed reply script, today's
/// reveal of an address, imports (one with errors) and a background job that failed.
async fn a_busy_week(app: &TestApp, clock: &FixedClock) {
    let people = staff(app).await;
    let agent = api_of(app, Role::Agent).await;
    let specialist = api_of(app, Role::ComplaintSpecialist).await;
    let manager = api_of(app, Role::CsManager).await;
    let dept_member = api_of(app, Role::Department).await;
    let quality = department_id(app, "quality").await;

    // Two key accounts of the agent: one calls in today, nobody calls the other.
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
    post(
        &agent,
        "/api/v1/customers",
        json!({"name": "无锡长风重工", "tier": "key_account", "owner_id": people.agent}),
    )
    .await;
    post(
        &agent,
        "/api/v1/tickets",
        json!({"subject": "电机异响", "body": "新到的电机有异响", "contact_phone": "13912345678",
               "assignee_id": people.agent}),
    )
    .await;

    // Two complaints walked to a solution caused by service: the first will be approved
    // (an exchange, so an RMA runs), the second waits for the manager.
    let mut proposals = Vec::new();
    for (remedy, description, cost) in [
        ("replace", "补发 30 个轴承并致歉", 50_000),
        ("apologise", "经理致电道歉", 0),
    ] {
        let (id, notice) = complaint_with_notice(app, &agent, &specialist, quality).await;
        post(
            &dept_member,
            &format!("/api/v1/complaint-notices/{notice}/answer"),
            json!({"answer": "已核实，客服未按承诺回电。"}),
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
            json!({"cause": "service", "responsible_department_id": quality,
                   "findings": "回电承诺未登记到工单"}),
        )
        .await;
        let proposal = post(
            &specialist,
            &format!("/api/v1/complaints/{id}/proposals"),
            json!({"remedy": remedy, "description": description, "cost_fen": cost}),
        )
        .await["id"]
            .as_i64()
            .unwrap();
        proposals.push(proposal);
    }
    // One notice the quality department never answers; one answered, not yet reviewed.
    complaint_with_notice(app, &agent, &specialist, quality).await;
    let (_, answered) = complaint_with_notice(app, &agent, &specialist, quality).await;
    post(
        &dept_member,
        &format!("/api/v1/complaint-notices/{answered}/answer"),
        json!({"answer": "已安排专人回电。"}),
    )
    .await;
    let res = login(app, Role::Agent)
        .await
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
    assert_eq!(res.status(), 200, "the agent proposes a script");

    // Thursday morning: the first ticket and the unanswered notice are past their dates.
    clock.advance(SignedDuration::from_hours(72));
    let now = app.now();
    post(
        &manager,
        &format!("/api/v1/complaint-proposals/{}/decision", proposals[0]),
        json!({"approve": true}),
    )
    .await;
    post(
        &api_of(app, Role::InfoSpecialist).await,
        &format!("/api/v1/customers/{called}/reveal"),
        json!({"field": "address"}),
    )
    .await;
    imports_and_a_failing_job(app, people.info, now).await;

    // A customer of the portal is answered and writes back: the agent owes the next reply.
    let portal = Session {
        client: app.client(),
        base: app.base.clone(),
    };
    let res = portal
        .post_form(
            "/portal/register",
            &[
                ("email", "zhou@example.com"),
                ("name", "周先生"),
                ("phone", "13700000000"),
                ("password", TEST_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), 303, "the customer registers on the portal");
    let requester: i64 = {
        let mut c = app.app.store.conn().await.unwrap();
        sqlx::query_scalar("SELECT id FROM portal_customers WHERE email = 'zhou@example.com'")
            .fetch_one(&mut *c)
            .await
            .unwrap()
    };
    let ticket = post(
        &agent,
        "/api/v1/tickets",
        json!({"channel": "phone", "subject": "热水器显示 E3", "body": "开机后显示 E3，无法加热",
               "requester_id": requester, "assignee_id": people.agent}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    post(
        &agent,
        &format!("/api/v1/tickets/{ticket}/messages"),
        json!({"body": "请问热水器型号是多少？", "status": "pending_customer", "internal": false}),
    )
    .await;
    let res = portal
        .post_form(
            &format!("/portal/tickets/{ticket}/reply"),
            &[("body", "型号是 JSQ25-13。")],
        )
        .await;
    assert_eq!(res.status(), 303, "the customer answers on the portal");
}

/// Reads the number `css` points at (as shown, and as the markup counts it) and clicks it;
/// returns the number and the link it opened. The tiles are fetched again when anything
/// changes, which can replace the figure under the pointer: it is then found again.
async fn read_and_follow(c: &Client, css: &str, figure: &Figure) -> (usize, String) {
    for attempt in 0..3 {
        let read = async {
            let el = c.wait().for_element(Locator::Css(css)).await?;
            let shown = match figure {
                Figure::Count => el.text().await?,
                Figure::Line(_) => el.find(Locator::Css(".count")).await?.text().await?,
            };
            let n = el.attr("data-count").await?;
            let href = el.attr("href").await?;
            el.click().await?;
            Ok::<_, CmdError>((shown, n, href))
        }
        .await;
        match read {
            Ok((shown, Some(n), Some(href))) => {
                assert_eq!(shown.trim(), n, "{css} shows the number it counts");
                return (n.parse().unwrap(), href);
            }
            Ok(other) => panic!("{css} is not a count with a link: {other:?}"),
            Err(e) if attempt < 2 => eprintln!("reading {css} again: {e}"),
            Err(e) => panic!("{css}: {e}"),
        }
    }
    unreachable!()
}

/// The page's source, to look for words anywhere on it.
async fn source(c: &Client) -> String {
    c.source().await.unwrap()
}

/// Signs in as the user holding just `role` and checks their section is there, honest and
/// fits the window; screenshot `workbench-<role>`.
async fn open_workbench(b: &Browser, app: &TestApp, role: Role) {
    let c = &b.client;
    let key = role.key();
    sign_in(c, app, &username(role)).await;
    c.wait()
        .for_element(Locator::Css(&format!("[data-testid=section-{key}]")))
        .await
        .unwrap_or_else(|e| panic!("the {key} section: {e}"));
    let sections = c.find_all(Locator::Css("section.workbench")).await.unwrap();
    assert_eq!(sections.len(), 1, "{key}: one role, one section");
    assert!(
        !source(c).await.contains(PLACEHOLDER),
        "{key}: the old placeholder is gone"
    );
    assert_no_sideways_scroll(c, &format!("the {key} workbench at 1280 px")).await;
    b.screenshot(&format!("workbench-{key}")).await;
}

/// The journey of one role: its workbench, one figure read and followed, and the page it
/// opens listing exactly that many records; screenshot `workbench-<role>-followed`.
async fn follow(b: &Browser, app: &TestApp, j: &Journey) {
    let c = &b.client;
    let key = j.role.key();
    open_workbench(b, app, j.role).await;
    if j.role == Role::Agent {
        c.set_window_size(390, 844).await.unwrap();
        c.wait()
            .for_element(Locator::Css("[data-testid=section-agent]"))
            .await
            .unwrap();
        assert_no_sideways_scroll(c, "the agent's workbench on a phone").await;
        b.screenshot("workbench-agent-phone").await;
        c.set_window_size(1280, 900).await.unwrap();
    }
    let css = match j.figure {
        Figure::Count => format!("[data-tile='{}'] [data-testid=tile-count]", j.tile),
        Figure::Line(part) => format!(
            "[data-tile='{}'] [data-testid=tile-line][href*='{part}']",
            j.tile
        ),
    };
    let (n, href) = read_and_follow(c, &css, &j.figure).await;
    assert!(n >= 1, "{key}: {} has something to count", j.tile);
    let row = format!("[data-testid={}]", record_testid(&href));
    c.wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css(&row))
        .await
        .unwrap_or_else(|e| panic!("{key}: {href} lists no {row}: {e}"));
    let url = c.current_url().await.unwrap();
    let (path, query) = href.split_once('?').unwrap_or((href.as_str(), ""));
    assert_eq!(url.path(), path, "{key}: the figure opened {href}");
    assert_eq!(url.query().unwrap_or(""), query, "{key}: with its filter");
    let listed = c.find_all(Locator::Css(&row)).await.unwrap().len();
    assert_eq!(
        listed, n,
        "{key}: {} says {n} but {href} lists {listed}",
        j.tile
    );
    b.screenshot(&format!("workbench-{key}-followed")).await;
    sign_out(c).await;
}

#[tokio::test]
async fn every_role_follows_a_tile_to_as_many_records_in_chromium() {
    if browser::missing() {
        return;
    }
    let clock = Arc::new(FixedClock::new(monday_morning()));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock.clone()),
        // The failed job stays failed, and no check moves a deadline while pages are read.
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    a_busy_week(&app, &clock).await;
    let b = Browser::start().await;

    let journeys = [
        Journey {
            role: Role::Agent,
            tile: "tickets.my_overdue",
            figure: Figure::Count,
        },
        Journey {
            role: Role::ComplaintSpecialist,
            tile: "complaints.notices_overdue",
            figure: Figure::Count,
        },
        Journey {
            role: Role::CsManager,
            tile: "approvals.waiting",
            figure: Figure::Line("kind=complaint_proposal"),
        },
        Journey {
            role: Role::InfoSpecialist,
            tile: "audit.sensitive_today",
            figure: Figure::Line("action=sensitive_revealed"),
        },
        Journey {
            role: Role::Admin,
            tile: "imports.with_errors",
            figure: Figure::Count,
        },
        Journey {
            role: Role::QualitySpecialist,
            tile: "complaints.service_cause",
            figure: Figure::Count,
        },
        Journey {
            role: Role::KeyAccountSpecialist,
            tile: "customers.quiet_key_accounts",
            figure: Figure::Count,
        },
        Journey {
            role: Role::AftersalesSpecialist,
            tile: "complaints.open_rmas",
            figure: Figure::Count,
        },
        Journey {
            role: Role::Department,
            tile: "complaints.department_notices",
            figure: Figure::Count,
        },
        // The key accounts of the month still without a visit.
        Journey {
            role: Role::CrmSpecialist,
            tile: "follow_up.coverage",
            figure: Figure::Line("tier=key_account"),
        },
    ];
    for j in &journeys {
        follow(&b, &app, j).await;
    }

    b.close().await;
    app.stop().await;
}

/// The sum of the agent's open tickets over the statuses of their tile, read from the page
/// as it is now.
async fn my_open(c: &Client) -> i64 {
    c.execute(
        "return [...document.querySelectorAll(\"[data-tile='tickets.my_open'] \
           [data-testid=tile-line]\")].reduce((n, e) => n + Number(e.dataset.count), 0);",
        vec![],
    )
    .await
    .unwrap()
    .as_i64()
    .unwrap()
}

#[tokio::test]
async fn the_agents_tile_counts_up_without_a_reload_in_chromium() {
    if browser::missing() {
        return;
    }
    let app = TestApp::spawn().await;
    let agent = app
        .create_user(&username(Role::Agent), &[Role::Agent])
        .await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    post(
        &api,
        "/api/v1/tickets",
        json!({"subject": "发票抬头", "body": "请改发票抬头", "assignee_id": agent}),
    )
    .await;
    let b = Browser::start().await;
    let c = &b.client;
    sign_in(c, &app, &username(Role::Agent)).await;
    c.wait()
        .for_element(Locator::Css("[data-tile='tickets.my_open']"))
        .await
        .unwrap();
    assert_eq!(my_open(c).await, 1, "one open ticket to begin with");
    // A mark on this very page: a reload would lose it.
    c.execute("window.kefuKept = true; return null;", vec![])
        .await
        .unwrap();
    // Give the page a moment to start listening on /events/workbench.
    tokio::time::sleep(Duration::from_millis(1500)).await;

    post(
        &api,
        "/api/v1/tickets",
        json!({"subject": "样品寄送", "body": "想要两个样品", "assignee_id": agent}),
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let n = my_open(c).await;
        if n == 2 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the tile still says {n} 15 s after a ticket was assigned"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let kept = c
        .execute("return window.kefuKept === true;", vec![])
        .await
        .unwrap();
    assert_eq!(kept, json!(true), "the tiles changed without a reload");
    let refreshed = c
        .find(Locator::Css("[data-live-tiles]"))
        .await
        .unwrap()
        .attr("data-refreshed")
        .await
        .unwrap();
    assert!(refreshed.is_some(), "the page fetched its tiles itself");
    b.screenshot("workbench-agent-live").await;
    b.close().await;
    app.stop().await;
}
