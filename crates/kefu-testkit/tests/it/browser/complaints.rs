//! 投诉闭环 — a complaint walked through every stage on its page, by each person in turn.

use fantoccini::Locator;
use kefu_domain::Role;
use kefu_testkit::TestApp;
use kefu_testkit::browser::{self, Browser};

use super::{assert_no_sideways_scroll, fill_and_submit, sign_in, sign_out};

/// Waits until the complaint page shows `stage`.
async fn wait_stage(c: &fantoccini::Client, stage: &str) {
    let found = c
        .wait()
        .for_element(Locator::XPath(&format!(
            "//*[@data-testid='complaint-stage' and normalize-space(.)='{stage}']"
        )))
        .await;
    if found.is_err() {
        let body = c
            .find(Locator::Css("body"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        panic!("the complaint did not reach {stage}:\n{body}");
    }
}

#[tokio::test]
async fn a_complaint_is_walked_through_every_stage_in_chromium() {
    if browser::missing() {
        return;
    }
    let app = TestApp::spawn().await;
    app.create_user("tou.su", &[Role::ComplaintSpecialist])
        .await;
    app.create_user("jing.li", &[Role::CsManager]).await;
    app.create_user_in("pin.zhi", &[Role::Department], Some("quality"))
        .await;
    let b = Browser::start().await;
    let c = &b.client;

    // 受理 — the complaint specialist registers it from the board.
    sign_in(c, &app, "tou.su").await;
    c.goto(&app.url("/complaints")).await.unwrap();
    c.wait()
        .for_element(Locator::Css("[data-testid=new-complaint]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill_and_submit(
        c,
        "complaint-form",
        &[
            ("complainant", "王经理"),
            ("complainant_phone", "13812345678"),
            (
                "content",
                "上周收到的 200 个 GX-3341 轴承有 30 个外圈开裂，要求尽快处理。",
            ),
            ("order_number", "PO-2026-00817"),
            ("part_number", "GX-3341"),
            ("product", "深沟球轴承"),
            ("quantity", "30"),
            ("select:category", "产品质量"),
            ("select:severity", "严重"),
        ],
        None,
    )
    .await;
    wait_stage(c, "受理").await;
    let url = c.current_url().await.unwrap().to_string();
    assert_no_sideways_scroll(c, "complaint page at 1280 px").await;
    b.screenshot("complaint-1-intake").await;
    fill_and_submit(c, "step-intake", &[("comment", "信息齐全")], None).await;
    wait_stage(c, "判断").await;

    // 判断 — valid; the handling notice goes to the quality department.
    fill_and_submit(c, "step-valid", &[("select:department", "品质部")], None).await;
    wait_stage(c, "处理通知").await;
    b.screenshot("complaint-2-notice").await;
    sign_out(c).await;

    // The quality department answers the notice inside kefu.
    sign_in(c, &app, "pin.zhi").await;
    c.goto(&url).await.unwrap();
    fill_and_submit(
        c,
        "notice-answer-form",
        &[(
            "answer",
            "已抽检同批次 50 件，确认 11 月 3 日热处理炉温异常。",
        )],
        None,
    )
    .await;
    c.wait()
        .for_element(Locator::Css("[data-testid=notice-answer]"))
        .await
        .unwrap();
    b.screenshot("complaint-3-department-answer").await;
    sign_out(c).await;

    // The specialist accepts the answer, records the investigation and proposes.
    sign_in(c, &app, "tou.su").await;
    c.goto(&url).await.unwrap();
    fill_and_submit(
        c,
        "notice-review-form",
        &[("comment", "答复完整")],
        Some("button[name=accept][value='1']"),
    )
    .await;
    wait_stage(c, "调查").await;
    fill_and_submit(
        c,
        "step-investigation",
        &[
            ("select:cause", "生产"),
            ("select:responsible_department", "品质部"),
            ("findings", "热处理炉温控失效导致外圈脆裂"),
        ],
        None,
    )
    .await;
    wait_stage(c, "方案").await;
    fill_and_submit(
        c,
        "step-propose",
        &[
            ("select:remedy", "换货"),
            ("cost", "1860"),
            ("description", "30 件全部换新，运费由我方承担"),
        ],
        None,
    )
    .await;
    c.wait()
        .for_element(Locator::Css("[data-testid=proposals]"))
        .await
        .unwrap();
    sign_out(c).await;

    // 方案审批 — the manager approves, then carries the loop to its end.
    sign_in(c, &app, "jing.li").await;
    c.goto(&url).await.unwrap();
    c.wait()
        .for_element(Locator::Css("[data-testid=approve]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_stage(c, "实施").await;
    b.screenshot("complaint-4-implementation").await;
    // The exchange's "done" says what was done: 已换货.
    for status in ["已批准", "已收货检验", "已换货", "已关闭"] {
        c.wait()
            .for_element(Locator::Css("[data-testid=rma-advance]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.wait()
            .for_element(Locator::XPath(&format!(
                "//*[@data-testid='rma-status' and contains(., '{status}')]"
            )))
            .await
            .unwrap_or_else(|e| panic!("RMA to {status}: {e}"));
    }
    fill_and_submit(c, "step-decision", &[("comment", "客户电话确认接受")], None).await;
    wait_stage(c, "回访").await;
    fill_and_submit(
        c,
        "step-follow-up",
        &[("comment", "已收到新货，很满意")],
        None,
    )
    .await;
    wait_stage(c, "总结评价").await;
    fill_and_submit(
        c,
        "step-evaluation",
        &[
            ("summary", "热处理异常导致批量开裂，已换货"),
            ("lessons", "炉温需双人复核"),
        ],
        None,
    )
    .await;
    wait_stage(c, "已结案").await;
    let progress = c
        .find(Locator::Css("[data-testid=complaint-progress]"))
        .await
        .unwrap();
    let todo = progress
        .find_all(Locator::Css("li.todo, li.current"))
        .await
        .unwrap();
    assert!(todo.is_empty(), "every stage done");
    let log = c
        .find(Locator::Css("[data-testid=complaint-log]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for step in [
        "确认受理",
        "判定成立",
        "部门答复",
        "批准方案",
        "客户接受方案",
        "总结评价并结案",
    ] {
        assert!(log.contains(step), "{step} missing from the log:\n{log}");
    }
    b.screenshot("complaint-5-closed").await;

    c.goto(&format!("{url}/report")).await.unwrap();
    let report = c
        .wait()
        .for_element(Locator::Css("[data-testid=investigation-report]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(report.contains("热处理炉温控失效"), "{report}");
    b.screenshot("complaint-6-investigation-report").await;
    c.goto(&app.url("/complaints/report")).await.unwrap();
    c.wait()
        .for_element(Locator::Css("[data-testid=report-chart]"))
        .await
        .unwrap();
    let total = c
        .find(Locator::Css("[data-testid=total-count]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(total, "1");
    assert_no_sideways_scroll(c, "statistics at 1280 px").await;
    b.screenshot("complaint-7-statistics").await;
    c.set_window_size(390, 844).await.unwrap();
    c.goto(&url).await.unwrap();
    wait_stage(c, "已结案").await;
    assert_no_sideways_scroll(c, "complaint page on a phone").await;
    b.screenshot("complaint-phone").await;
    b.close().await;
    app.stop().await;
}
