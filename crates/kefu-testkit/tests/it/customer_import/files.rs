//! The files themselves: a CSV with a dry run and a row report, GBK and XLSX understood,
//! merging, and the files that cannot be read explained.

use super::*;

#[tokio::test]
async fn a_csv_imports_with_a_dry_run_a_row_report_and_no_duplicates_on_reimport() {
    let app = TestApp::spawn().await;
    app.create_user("zhu.info", &[Role::InfoSpecialist]).await;
    let s = app.login("zhu.info", TEST_PASSWORD).await;
    // Already in the archive, written differently.
    let res = s
        .post_form(
            "/customers",
            &[
                ("kind", "company"),
                ("name", "苏州恒通(机电)"),
                ("tier", "normal"),
                ("customer_type", "dealer"),
                ("status", "active"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);

    let res = upload(&s, "客户.csv", CSV.as_bytes().to_vec(), true, false).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("试运行结果"));
    assert_eq!(number_after(&html, "created"), 2);
    assert_eq!(
        number_after(&html, "skipped"),
        2,
        "the archive's 恒通 and the repeated mobile"
    );
    assert_eq!(number_after(&html, "failed"), 1);
    assert!(html.contains("不是有效的大陆手机号") && html.contains("12345"));
    assert_eq!(customer_count(&app).await, 1, "a dry run writes nothing");

    let res = upload(&s, "客户.csv", CSV.as_bytes().to_vec(), false, false).await;
    let html = res.text().await.unwrap();
    assert_eq!(number_after(&html, "created"), 2);
    assert_eq!(number_after(&html, "failed"), 1);
    assert_eq!(customer_count(&app).await, 3);
    // The report names the row, the column and the reason.
    let i = html.find("/customers/imports/").unwrap();
    let link: String = html[i..].chars().take_while(|c| *c != '"').collect();
    let report = s.get(&link).await.text().await.unwrap();
    assert!(report.contains("行号,列,原因,内容"));
    assert!(
        report.contains("4,手机,不是有效的大陆手机号,12345"),
        "{report}"
    );

    // The same file again creates nothing.
    let html = upload(&s, "客户.csv", CSV.as_bytes().to_vec(), false, false)
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(number_after(&html, "created"), 0);
    assert_eq!(customer_count(&app).await, 3);

    // Imported customers are ordinary customers: searchable, masked.
    let list = s.get("/customers?q=5678").await.text().await.unwrap();
    assert!(list.contains("杭州明达贸易有限公司") && list.contains("138****5678"));
    app.stop().await;
}

#[tokio::test]
async fn gbk_csv_xlsx_and_merge_are_understood_and_unreadable_files_explained() {
    let app = TestApp::spawn().await;
    app.create_user("he.info", &[Role::InfoSpecialist]).await;
    let s = app.login("he.info", TEST_PASSWORD).await;

    // A GBK file, as Excel in China saves it.
    let (gbk, _, _) =
        encoding_rs::GBK.encode("客户名称,手机,客户等级\n北京京华物业,13600002222,大客户\n");
    let html = upload(&s, "gbk.csv", gbk.into_owned(), false, false)
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(number_after(&html, "created"), 1);
    assert!(html.contains("gbk"));

    // XLSX with numbers typed as numbers.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["客户名称", "联系人", "手机", "地区"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, "上海浦江电器").unwrap();
    sheet.write_string(1, 1, "钱经理").unwrap();
    sheet.write_number(1, 2, 13911112222.0).unwrap();
    sheet.write_string(1, 3, "上海 浦东").unwrap();
    sheet.write_string(2, 0, "北京京华物业").unwrap();
    sheet.write_string(2, 1, "孙主任").unwrap();
    sheet.write_number(2, 2, 13633334444.0).unwrap();
    let xlsx = book.save_to_buffer().unwrap();
    // Merge: the existing 京华 gets its new contact; 浦江 is created.
    let html = upload(&s, "客户.xlsx", xlsx, false, true)
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(number_after(&html, "created"), 1, "{html}");
    assert_eq!(number_after(&html, "merged"), 1);
    let list = s.get("/customers?q=2222").await.text().await.unwrap();
    assert!(
        list.contains("上海浦江电器"),
        "the number cell became a mobile"
    );
    let list = s.get("/customers?q=4444").await.text().await.unwrap();
    assert!(
        list.contains("北京京华物业"),
        "merged contact is searchable"
    );

    // Merged header cells leave an empty header: refused, and the column named.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet
        .merge_range(0, 0, 0, 1, "客户名称", &rust_xlsxwriter::Format::new())
        .unwrap();
    sheet.write_string(0, 2, "手机").unwrap();
    sheet.write_string(1, 0, "某公司").unwrap();
    let res = upload(
        &s,
        "merged.xlsx",
        book.save_to_buffer().unwrap(),
        false,
        false,
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("第 2 列没有表头"));

    // A required column missing; bytes in no known encoding; an unknown header.
    let res = upload(
        &s,
        "x.csv",
        "联系人,手机\n王,13800000000\n".as_bytes().to_vec(),
        false,
        false,
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("缺少必需的“客户名称”列"));
    let res = upload(
        &s,
        "x.csv",
        vec![0xff, 0xfe, 0x00, 0x81, 0x30, 0x0a, 0xff, 0xff],
        false,
        false,
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("CSV UTF-8"));
    let res = upload(
        &s,
        "x.csv",
        "客户名称,生日\n王,1990\n".as_bytes().to_vec(),
        false,
        false,
    )
    .await;
    assert!(res.text().await.unwrap().contains("“生日”无法识别"));
    // 100 MB: refused with the limit.
    let res = upload(&s, "huge.csv", vec![b'a'; 100 * 1024 * 1024], false, false).await;
    assert_eq!(res.status(), 413);
    assert!(res.text().await.unwrap().contains("上限为 50 MB"));
    app.stop().await;
}
