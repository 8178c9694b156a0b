//! 服务质量 in the browser, the whole loop: a quality specialist draws the sample, inspects
//! the sampled ticket with the forbidden phrase marked and fails its critical item; the
//! anomaly it opened is investigated and given a measure; the next morning's daily report
//! lists it; the agent carries the measure out; a week later another specialist verifies
//! it, the anomaly is closed, and the next day's report counts it closed.
//!
//! Screenshots: `quality-inspection`, `quality-anomaly`, `quality-report` (the A4 report),
//! `quality-measure-verified`, `quality-report-closed`.

use std::sync::Arc;

use fantoccini::Locator;
use kefu_domain::{FixedClock, Role};
use kefu_testkit::browser::{self, Browser};
use kefu_testkit::{ApiClient, TestApp, TestOptions};

use super::{fill_and_submit, sign_in, sign_out, text_of};
use crate::quality::reports::beijing;
use crate::quality::resolved_ticket;

async fn click(c: &fantoccini::Client, css: &str) {
    c.wait()
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap();
}

#[tokio::test]
async fn a_failed_inspection_goes_round_the_quality_loop_into_the_daily_report_in_chromium() {
    if browser::missing() {
        return;
    }
    // Wednesday 2026-12-02 10:00 in Beijing.
    let clock = Arc::new(FixedClock::new(beijing("2026-12-02", "10:00")));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock.clone()),
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    app.create_user_in("zj.one", &[Role::QualitySpecialist], Some("quality"))
        .await;
    app.create_user_in("zj.two", &[Role::QualitySpecialist], Some("quality"))
        .await;
    let agent_id = app
        .create_user_in("zj.agent", &[Role::Agent], Some("customer_service"))
        .await;
    let agent = ApiClient::new(&app, &app.token_for(agent_id).await);
    resolved_ticket(
        &agent,
        agent_id,
        "洗衣机异响",
        "这个我不知道，您去问厂家吧。",
    )
    .await;
    clock.set(beijing("2026-12-02", "10:30"));

    let b = Browser::start().await;
    let c = &b.client;
    // The sample, drawn now; the inspection with the phrase marked; the critical item
    // (不推卸责任) failed with its evidence.
    sign_in(c, &app, "zj.one").await;
    c.goto(&app.url("/quality/inspections?scope=all"))
        .await
        .unwrap();
    click(c, "[data-testid=draw-sample] button[type=submit]").await;
    click(c, "[data-testid=inspection-row] a").await;
    assert_eq!(text_of(c, "[data-testid=phrase-hint]").await, "不知道");
    c.execute(
        "document.querySelectorAll('[data-testid=score-form] select')\
           .forEach(s => { s.selectedIndex = 1; });\
         document.querySelector('fieldset[data-key=a4] select').value = '0';",
        vec![],
    )
    .await
    .unwrap();
    let evidence = c
        .find(Locator::Css("fieldset[data-key=a4] input[name^=evidence]"))
        .await
        .unwrap();
    evidence
        .send_keys("坐席：这个我不知道，您去问厂家吧。")
        .await
        .unwrap();
    b.screenshot("quality-inspection").await;
    click(c, "[data-testid=score-form] button[type=submit]").await;
    c.wait()
        .for_element(Locator::Css(
            "[data-testid=inspection-status][data-status=scored]",
        ))
        .await
        .expect("scored");

    // The anomaly the failure opened: investigated, a measure for the agent.
    c.goto(&app.url("/quality/anomalies")).await.unwrap();
    click(c, "[data-testid=anomaly-row] a").await;
    assert_eq!(
        c.find(Locator::Css("[data-testid=anomaly-status]"))
            .await
            .unwrap()
            .attr("data-status")
            .await
            .unwrap()
            .as_deref(),
        Some("open")
    );
    fill_and_submit(
        c,
        "investigation-form",
        &[
            ("select:cause", "人员"),
            ("select:responsible", "测试 zj.agent"),
            ("findings", "坐席不熟悉售后政策，把客户推给厂家。"),
        ],
        None,
    )
    .await;
    c.wait()
        .for_element(Locator::Css("[data-testid=anomaly-cause]"))
        .await
        .expect("investigated");
    c.execute(
        "document.querySelector('[data-testid=measure-form] [name=due_on]').value = '2026-12-02';",
        vec![],
    )
    .await
    .unwrap();
    fill_and_submit(
        c,
        "measure-form",
        &[
            ("select:owner", "测试 zj.agent"),
            ("body", "学习售后政策，当天在组内复述。"),
        ],
        None,
    )
    .await;
    c.wait()
        .for_element(Locator::Css("[data-testid=measure-row]"))
        .await
        .expect("the measure is listed");
    b.screenshot("quality-anomaly").await;
    let anomaly_url = c.current_url().await.unwrap();
    sign_out(c).await;

    // The agent carries the measure out the same day.
    sign_in(c, &app, "zj.agent").await;
    c.goto(&app.url("/quality/measures")).await.unwrap();
    click(c, "[data-testid=measure-row] a").await;
    fill_and_submit(
        c,
        "progress-form",
        &[("note", "已学习并在组会复述。")],
        Some("button[value=done]"),
    )
    .await;
    c.wait()
        .for_element(Locator::Css(
            "[data-testid=measure-status][data-status=done]",
        ))
        .await
        .expect("done");
    let measure_url = c.current_url().await.unwrap();
    sign_out(c).await;

    // Thursday 08:30: Wednesday's report lists the anomaly, its cause and its measure.
    clock.set(beijing("2026-12-03", "08:30"));
    app.app
        .run_quality_report()
        .await
        .unwrap()
        .expect("Wednesday's report");
    sign_in(c, &app, "zj.one").await;
    c.goto(&app.url("/quality/reports")).await.unwrap();
    click(c, "[data-testid=report-row][data-date='2026-12-02'] a").await;
    let anomalies = text_of(c, "[data-testid=report-anomalies]").await;
    assert!(anomalies.contains("质检不合格"), "{anomalies}");
    assert!(anomalies.contains("测试 zj.agent"), "{anomalies}");
    assert_eq!(text_of(c, "[data-testid=report-causes]").await, "人员：1");
    assert_eq!(text_of(c, "[data-testid=count-open]").await, "1");
    b.screenshot("quality-report").await;
    sign_out(c).await;

    // A week after it was done, the other specialist verifies it; the anomaly is closed.
    clock.set(beijing("2026-12-09", "10:00"));
    sign_in(c, &app, "zj.two").await;
    c.goto(measure_url.as_str()).await.unwrap();
    assert_eq!(text_of(c, "[data-testid=measure-recurrences]").await, "0");
    fill_and_submit(
        c,
        "verify-form",
        &[("note", "一周内没有再发生。")],
        Some("button[value='1']"),
    )
    .await;
    c.wait()
        .for_element(Locator::Css(
            "[data-testid=measure-status][data-status=effective]",
        ))
        .await
        .expect("verified effective");
    b.screenshot("quality-measure-verified").await;
    c.goto(anomaly_url.as_str()).await.unwrap();
    click(c, "[data-testid=close-form] button[type=submit]").await;
    c.wait()
        .for_element(Locator::Css(
            "[data-testid=anomaly-status][data-status=closed]",
        ))
        .await
        .expect("closed");

    // The next day's report counts it closed.
    clock.set(beijing("2026-12-10", "08:30"));
    app.app
        .run_quality_report()
        .await
        .unwrap()
        .expect("Wednesday the 9th's report");
    // A new day, a new sign-in (the session ran out overnight).
    sign_in(c, &app, "zj.one").await;
    c.goto(&app.url("/quality/reports/2026-12-09"))
        .await
        .unwrap();
    assert_eq!(text_of(c, "[data-testid=count-closed]").await, "1");
    assert_eq!(text_of(c, "[data-testid=count-open]").await, "0");
    b.screenshot("quality-report-closed").await;
    b.close().await;
    app.stop().await;
}
