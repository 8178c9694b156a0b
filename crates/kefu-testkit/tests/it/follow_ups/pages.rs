//! The follow-up pages: today's list, the visit page, the admin page, in the user's
//! language.

use reqwest::Method;
use serde_json::Value;

use super::{bj, call, cast, customer};

#[tokio::test]
async fn the_pages_keep_the_rules_and_say_why_in_the_agents_language() {
    let c = cast().await;
    customer(&c, "午休的大客户", "key_account", "11:00-15:00").await;
    c.app.app.run_follow_up_plan().await.unwrap();
    let agent = c.app.login("hui.agent", kefu_testkit::TEST_PASSWORD).await;
    let list = agent.get("/follow-ups").await.text().await.unwrap();
    assert_eq!(
        list.matches("data-testid=\"follow-up-row\"").count(),
        1,
        "{list}"
    );
    let (_, visits) = call(&c.agent, Method::GET, "/api/v1/follow-ups", Value::Null).await;
    let id = visits[0]["id"].as_i64().unwrap();
    let path = format!("/follow-ups/{id}");
    let page = agent.get(&path).await.text().await.unwrap();
    assert!(
        page.contains("139****0000") && !page.contains("13912340000"),
        "masked"
    );
    assert!(
        page.contains("您好，是王经理吗？"),
        "the first-visit script, filled"
    );

    // A result with the customer's words missing: refused on the page, what was typed kept.
    let res = agent
        .post_form(
            &format!("{path}/attempts"),
            &[
                ("reach", "reached"),
                ("channel", "phone"),
                ("started_at", "2026-12-03T09:50"),
                ("ended_at", "2026-12-03T09:55"),
                ("satisfaction", "neutral"),
                ("aspects", "price"),
                ("words", ""),
                ("next_action", "月底再联系"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("请填写“客户原话”"), "{page}");
    assert!(page.contains("月底再联系"), "what was typed is kept");

    // Rescheduling into the rest hours: refused with the next allowed time.
    let res = agent
        .post_form(
            &format!("{path}/schedule"),
            &[("scheduled_at", "2026-12-03T12:30")],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("下一个可拨打时间：2026-12-03 15:00")
    );

    // The dial button: on now, off in the rest hours.
    let res = agent.post_form(&format!("{path}/dial"), &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "tel:13912340000");
    assert_eq!(
        c.app.audit_entries("sensitive_revealed").await.len(),
        1,
        "the reveal is audited"
    );
    c.clock.set(bj("2026-12-03T12:00"));
    let page = agent.get(&path).await.text().await.unwrap();
    assert!(page.contains("data-testid=\"visit-dial-off\""), "{page}");
    let res = agent.post_form(&format!("{path}/dial"), &[]).await;
    assert_eq!(res.status(), 422);

    // Settings: an unknown placeholder is refused in words; planning by hand says what it did.
    let manager = c
        .app
        .login("hui.manager", kefu_testkit::TEST_PASSWORD)
        .await;
    let form = kefu_testkit::form_fields(
        &manager.get("/admin/follow-ups").await.text().await.unwrap(),
        "/admin/follow-ups",
    );
    let mut sent: Vec<(&str, &str)> = form
        .iter()
        .filter(|(k, _)| k != "script_later" && k != "_csrf")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    sent.push(("script_later", "{客户}您好"));
    let res = manager.post_form("/admin/follow-ups", &sent).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("占位符 {客户} 不认识"));
    let res = manager
        .post_form("/admin/follow-ups/plan", &[("period", "")])
        .await;
    assert_eq!(res.status(), 200);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("data-testid=\"plan-result\"")
    );
    let cov = manager
        .get("/follow-ups/coverage")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        cov.matches("data-testid=\"coverage-row\"").count(),
        1,
        "{cov}"
    );

    // The coverage as files, read back: a CSV reader, and the XLSX cell by cell.
    use calamine::Reader;
    let q = "period=2026-12&tier=key_account";
    let res = manager.get(&format!("/follow-ups/coverage.csv?{q}")).await;
    assert_eq!(res.status(), 200);
    let csv = crate::spreadsheet::utf8_csv(&res.bytes().await.unwrap());
    assert_eq!(
        csv[0],
        [
            "客户名称",
            "当前等级",
            "负责人",
            "回访情况",
            "完成时间",
            "回访人",
            "尝试次数",
            "满意度"
        ]
    );
    assert_eq!(
        csv[1][..4],
        ["午休的大客户", "大客户", "测试 hui.agent", "待回访"]
    );
    assert_eq!(csv[1][6], "0");
    let res = manager.get(&format!("/follow-ups/coverage.xlsx?{q}")).await;
    assert_eq!(res.status(), 200);
    let mut book = crate::spreadsheet::xlsx(&res.bytes().await.unwrap());
    let names = book.sheet_names().to_vec();
    let sheet = book.worksheet_range(&names[0]).unwrap();
    assert_eq!(crate::spreadsheet::text(&sheet, (1, 0)), "午休的大客户");
    assert_eq!(crate::spreadsheet::text(&sheet, (1, 3)), "待回访");
    assert_eq!(
        crate::spreadsheet::number(&sheet, (1, 6)),
        0.0,
        "attempts are a number"
    );
    let conditions = book.worksheet_range(&names[1]).unwrap();
    assert_eq!(crate::spreadsheet::text(&conditions, (1, 1)), "2026-12");
    assert_eq!(
        crate::spreadsheet::number(&conditions, (5, 1)),
        1.0,
        "one missing"
    );
    c.app.stop().await;
}
