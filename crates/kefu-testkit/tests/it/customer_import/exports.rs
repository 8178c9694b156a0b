//! Exports: masked unless the user may export sensitive data (then audited), and every
//! customer file well-formed in UTF-8, GBK and XLSX.

use super::*;

#[tokio::test]
async fn exports_are_masked_unless_sensitive_export_is_allowed_and_then_audited() {
    let app = TestApp::spawn().await;
    app.create_user("ma.agent", &[Role::Agent]).await;
    app.create_user("lin.info", &[Role::InfoSpecialist]).await;
    let info = app.login("lin.info", TEST_PASSWORD).await;
    upload(&info, "c.csv", CSV.as_bytes().to_vec(), false, false).await;

    let agent = app.login("ma.agent", TEST_PASSWORD).await;
    let csv = agent.get("/customers/export.csv?tier=key_account").await;
    assert_eq!(csv.status(), 200);
    let text = csv.text().await.unwrap();
    assert!(text.starts_with("\u{feff}客户名称"));
    assert!(text.contains("138****5678") && !text.contains("13812345678"));
    assert!(!text.contains("成都天府家电城"), "the filter applies");
    assert_eq!(
        agent
            .get("/customers/export.xlsx?sensitive=1")
            .await
            .status(),
        403
    );

    let xlsx = info.get("/customers/export.xlsx?sensitive=1").await;
    assert_eq!(xlsx.status(), 200);
    let bytes = xlsx.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK"), "an xlsx workbook");
    let f = kefu_store::audit::AuditFilter {
        action: Some("sensitive_exported"),
        limit: 5,
        ..Default::default()
    };
    let entries = app
        .app
        .audit_log(&kefu_app::Actor::system(), &f)
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].actor_name.as_deref(), Some("lin.info"));
    app.stop().await;
}

/// Every customer file read back strictly — the import's problem report and the list in
/// CSV (UTF-8 with its byte-order mark, and GBK) and XLSX: rows of one width, a field with
/// a comma kept whole, the rows the list page shows, a character GBK cannot hold refused
/// by name rather than replaced, and in the XLSX the filters on a second sheet.
#[tokio::test]
async fn customer_files_are_well_formed_in_utf8_gbk_and_xlsx_with_their_filters() {
    use calamine::{Data, Reader};

    use crate::spreadsheet::{date_serial, excel_day, gbk_csv, text, utf8_csv, xlsx};

    let app = TestApp::spawn().await;
    app.create_user("lin.info", &[Role::InfoSpecialist]).await;
    let info = app.login("lin.info", TEST_PASSWORD).await;
    let html = upload(&info, "c.csv", CSV.as_bytes().to_vec(), false, false)
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(number_after(&html, "failed"), 1);
    let res = info
        .post_form(
            "/customers",
            &[
                ("kind", "company"),
                ("name", "宁波海天五金"),
                ("tier", "key_account"),
                ("customer_type", "dealer"),
                ("status", "active"),
                ("province", "浙江"),
                ("tags", "华东, 重点"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);

    // The import's problem report, in UTF-8 and in GBK.
    let i = html.find("/customers/imports/").unwrap();
    let link: String = html[i..].chars().take_while(|c| *c != '"').collect();
    let res = info.get(&link).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"].to_str().unwrap(),
        "text/csv; charset=utf-8"
    );
    let report = utf8_csv(&res.bytes().await.unwrap());
    assert_eq!(report[0], ["行号", "列", "原因", "内容"]);
    assert!(
        report
            .iter()
            .any(|r| r == &["4", "手机", "不是有效的大陆手机号", "12345"]),
        "{report:?}"
    );
    let res = info.get(&format!("{link}?encoding=gbk")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(gbk_csv(&res.bytes().await.unwrap()), report);

    // The list as CSV: the rows the list page shows, one width, the tags whole.
    let page = info.get("/customers").await.text().await.unwrap();
    let res = info.get("/customers/export.csv").await;
    assert_eq!(res.status(), 200);
    let csv = utf8_csv(&res.bytes().await.unwrap());
    assert_eq!(csv[0][0], "客户名称");
    assert_eq!(csv[0].len(), 19);
    let mut names: Vec<&str> = csv[1..].iter().map(|r| r[0].as_str()).collect();
    names.dedup();
    assert_eq!(
        names.len(),
        page.matches("<td><a href=\"/customers/").count(),
        "one customer per row of the page: {names:?}"
    );
    assert!(names.iter().all(|n| page.contains(n)), "{names:?}");
    let mingda = csv.iter().find(|r| r[0] == "杭州明达贸易有限公司").unwrap();
    assert_eq!(mingda[11], "138****5678", "masked, as on the page");
    let haitian = csv.iter().find(|r| r[0] == "宁波海天五金").unwrap();
    assert!(
        haitian[8].contains(',') && haitian[8].contains("华东") && haitian[8].contains("重点"),
        "{haitian:?}"
    );
    let res = info.get("/customers/export.csv?encoding=gbk").await;
    assert_eq!(
        res.headers()["content-type"].to_str().unwrap(),
        "text/csv; charset=gbk"
    );
    assert_eq!(gbk_csv(&res.bytes().await.unwrap()), csv);

    // The list as XLSX: the sheet 客户名单, text kept as text, the filters on 条件.
    let res = info
        .get("/customers/export.xlsx?tier=key_account&q=%E6%98%8E%E8%BE%BE")
        .await;
    assert_eq!(res.status(), 200);
    let mut book = xlsx(&res.bytes().await.unwrap());
    assert_eq!(book.sheet_names(), ["客户名单", "条件"]);
    let sheet = book.worksheet_range("客户名单").unwrap();
    assert_eq!(text(&sheet, (0, 0)), "客户名称");
    assert_eq!(text(&sheet, (1, 0)), "杭州明达贸易有限公司");
    assert_eq!(text(&sheet, (1, 11)), "138****5678");
    assert_eq!(sheet.height(), 2, "the filter applies");
    let about = book.worksheet_range("条件").unwrap();
    assert_eq!(text(&about, (0, 0)), "条件");
    let value = |label: &str| {
        about
            .rows()
            .find(|r| matches!(r.first(), Some(Data::String(s)) if s == label))
            .and_then(|r| r.get(1).cloned())
            .unwrap_or_else(|| panic!("no condition {label}"))
    };
    assert_eq!(value("搜索"), Data::String("明达".into()));
    assert_eq!(value("客户等级"), Data::String("大客户".into()));
    assert_eq!(value("客户类型"), Data::String("不限".into()));
    assert_eq!(value("敏感信息"), Data::String("已打码".into()));
    let y = u32::try_from(about.height() - 1).unwrap();
    assert_eq!(text(&about, (y, 0)), "导出时间");
    let today = app
        .now()
        .to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap())
        .date();
    assert_eq!(date_serial(&about, (y, 1)).floor(), excel_day(today));
    let res = info.get("/customers/export.xlsx?sensitive=1").await;
    let mut book = xlsx(&res.bytes().await.unwrap());
    let about = book.worksheet_range("条件").unwrap();
    assert!(
        about
            .rows()
            .any(|r| r.get(1) == Some(&Data::String("明文（已记入审计日志）".into()))),
        "a clear export says so"
    );

    // A character GBK cannot hold: the GBK file is refused naming it, UTF-8 carries it.
    let res = info
        .post_form(
            "/customers",
            &[
                ("kind", "company"),
                ("name", "笑脸😀商行"),
                ("tier", "normal"),
                ("customer_type", "end_customer"),
                ("status", "active"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let res = info.get("/customers/export.csv?encoding=gbk").await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("😀") && body.contains("GBK"), "{body}");
    let res = info.get("/customers/export.csv").await;
    let csv = utf8_csv(&res.bytes().await.unwrap());
    assert!(csv.iter().any(|r| r[0] == "笑脸😀商行"));
    app.stop().await;
}
