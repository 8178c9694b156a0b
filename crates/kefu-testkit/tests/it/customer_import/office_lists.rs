//! Lists as Chinese offices write them: a title above the header, regions written every
//! which way, person or company from 类型, duplicates named, and an export importing back.

use super::*;

/// A list as an office keeps it: a title above the header, regions written every which way,
/// 类型 holding 企业/个人 or the customer type, a customer listed twice, another under a
/// second name with the same mobile, and one already in the archive.
const OFFICE_CSV: &str = "2026年客户名单(内部资料),,,,,
客户名称,联系人,手机,地区,类型,客户等级
杭州明达贸易有限公司,王经理,13812345678,浙江省杭州市,企业,大客户
王建国,,13900002222,浙江杭州,个人,VIP
北京朝阳京华物业,孙主任,13600003333,北京市朝阳区,经销商,普通
南宁绿城超市,李店长,13700004444,广西壮族自治区南宁市,代理商,普通
呼和浩特草原乳业,,,内蒙古呼和浩特,终端客户,大客户
李娜,,13500005555,杭州,,
杭州明达贸易有限公司,,,杭州,,
明达分公司,王经理,138 1234 5678,杭州,,
温州瓯江电器,,,浙江温州,,
";

#[tokio::test]
async fn an_office_list_imports_with_its_title_regions_types_and_duplicates_named() {
    let app = TestApp::spawn().await;
    app.create_user("fang.info", &[Role::InfoSpecialist]).await;
    let s = app.login("fang.info", TEST_PASSWORD).await;
    let res = s
        .post_form(
            "/customers",
            &[
                ("kind", "company"),
                ("name", "温州瓯江电器"),
                ("tier", "normal"),
                ("customer_type", "end_customer"),
                ("status", "active"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);

    let res = upload(
        &s,
        "客户名单.csv",
        OFFICE_CSV.as_bytes().to_vec(),
        false,
        false,
    )
    .await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    // The title row is passed over, and the page says so; the header is row 2.
    assert!(
        html.contains("看起来是标题，已跳过；表头取第 2 行")
            && html.contains("2026年客户名单(内部资料)"),
        "{html}"
    );
    assert_eq!(number_after(&html, "created"), 6, "{html}");
    assert_eq!(number_after(&html, "skipped"), 3);
    assert_eq!(number_after(&html, "failed"), 0);
    // Each duplicate names the row, or the customer, it repeats.
    assert_eq!(
        html.matches("与第 3 行是同一客户，跳过").count(),
        2,
        "{html}"
    );
    assert!(html.contains("与已有客户“温州瓯江电器”是同一客户，跳过"));

    // So does the report to download, with the title row.
    let i = html.find("/customers/imports/").unwrap();
    let link: String = html[i..].chars().take_while(|c| *c != '"').collect();
    let report = s.get(&link).await.text().await.unwrap();
    for line in [
        "1,,看起来是标题，已跳过；表头取第 2 行,2026年客户名单(内部资料)",
        "9,客户名称,与第 3 行是同一客户，跳过,杭州明达贸易有限公司",
        "10,手机,与第 3 行是同一客户，跳过,13812345678",
        "11,客户名称,与已有客户“温州瓯江电器”是同一客户，跳过,温州瓯江电器",
    ] {
        assert!(report.contains(line), "{line} in {report}");
    }

    // Regions are stored as the archive (and the demo company) stores them, in full.
    let expect = [
        (
            "杭州明达贸易有限公司",
            ["浙江省", "杭州市", "company", "key_account", "end_customer"],
        ),
        (
            "王建国",
            ["浙江省", "杭州市", "person", "vip", "end_customer"],
        ),
        (
            "北京朝阳京华物业",
            ["北京市", "北京市", "company", "normal", "distributor"],
        ),
        (
            "南宁绿城超市",
            ["广西壮族自治区", "南宁市", "company", "normal", "dealer"],
        ),
        (
            "呼和浩特草原乳业",
            [
                "内蒙古自治区",
                "呼和浩特市",
                "company",
                "key_account",
                "end_customer",
            ],
        ),
        // No 类型: a personal name reads as a person.
        (
            "李娜",
            ["浙江省", "杭州市", "person", "normal", "end_customer"],
        ),
    ];
    for (name, want) in expect {
        assert_eq!(classified(&app, name).await, strings(want), "{name}");
    }
    // What the region names below the city is kept, as the address.
    assert_eq!(
        stored(&app, "北京朝阳京华物业").await.address.as_deref(),
        Some("北京市朝阳区")
    );

    // A filter by province finds them, written in full as the demo's are, or short.
    for province in ["浙江省", "浙江"] {
        let list = s
            .get(&format!("/customers?province={province}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            list.contains("杭州明达贸易有限公司")
                && list.contains("王建国")
                && list.contains("李娜"),
            "{province}: {list}"
        );
        assert!(!list.contains("南宁绿城超市"), "{province}");
    }
    app.stop().await;
}

#[tokio::test]
async fn an_xlsx_with_a_merged_title_imports_and_an_export_imports_back_unchanged() {
    let app = TestApp::spawn().await;
    app.create_user("tao.info", &[Role::InfoSpecialist]).await;
    let s = app.login("tao.info", TEST_PASSWORD).await;

    // The title typed into cells merged across the top, as Excel lists have it.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet
        .merge_range(
            0,
            0,
            0,
            5,
            "2026年客户名单(内部资料)",
            &rust_xlsxwriter::Format::new(),
        )
        .unwrap();
    let header = ["客户名称", "联系人", "手机", "地区", "客户类型", "客户等级"];
    let rows = [
        [
            "苏州恒通机电有限公司",
            "周工",
            "13700001111",
            "江苏苏州",
            "经销商",
            "大客户",
        ],
        ["陈女士", "陈女士", "13700002222", "上海", "终端客户", "VIP"],
        [
            "佛山顺德家电城",
            "何经理",
            "13700003333",
            "广东省佛山市",
            "代理商",
            "普通客户",
        ],
        [
            "成都天府商贸",
            "刘店长",
            "13700004444",
            "四川 成都",
            "distributor",
            "key_account",
        ],
    ];
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(1, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32 + 2, c as u16, *v).unwrap();
        }
    }
    let html = upload(
        &s,
        "名单.xlsx",
        book.save_to_buffer().unwrap(),
        false,
        false,
    )
    .await
    .text()
    .await
    .unwrap();
    assert!(
        html.contains("看起来是标题，已跳过；表头取第 2 行"),
        "{html}"
    );
    assert_eq!(number_after(&html, "created"), 4, "{html}");

    // The export writes the labels people read, not the stored keys.
    let export = s.get("/customers/export.csv?sensitive=1").await;
    assert_eq!(export.status(), 200);
    let csv = export.bytes().await.unwrap().to_vec();
    let text = String::from_utf8(csv.clone()).unwrap();
    assert!(
        text.contains("大客户") && text.contains("经销商") && text.contains("企业"),
        "{text}"
    );
    assert!(
        !text.contains("key_account") && !text.contains("distributor"),
        "{text}"
    );

    // Imported into another archive, every customer keeps its classification and region.
    let other = TestApp::spawn().await;
    other.create_user("tao.info", &[Role::InfoSpecialist]).await;
    let o = other.login("tao.info", TEST_PASSWORD).await;
    let html = upload(&o, "customers.csv", csv, false, false)
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(number_after(&html, "created"), 4, "{html}");
    assert_eq!(number_after(&html, "failed"), 0, "{html}");
    for row in rows {
        let name = row[0];
        let before = classified(&app, name).await;
        assert_eq!(classified(&other, name).await, before, "{name}");
        assert_eq!(
            stored(&other, name).await.status,
            stored(&app, name).await.status
        );
    }
    assert_eq!(
        classified(&app, "成都天府商贸").await,
        strings(["四川省", "成都市", "company", "key_account", "distributor"])
    );
    assert_eq!(
        classified(&app, "陈女士").await,
        strings(["上海市", "上海市", "person", "vip", "end_customer"])
    );
    other.stop().await;
    app.stop().await;
}
