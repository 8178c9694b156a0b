//! Importing customers from CSV (UTF-8 and GBK) and XLSX with Chinese headers: dry run,
//! per-row problems and their downloadable report, duplicates skipped or merged and named by
//! the row or customer they repeat, re-import without duplicates, lists as Chinese offices
//! write them (a title row above the header, regions such as 浙江杭州, person or company in a
//! 类型 column), the files that cannot be read, zip bombs and files over the row limit
//! refused before anything is imported; and exporting the list in Chinese labels that import
//! back unchanged, masked unless the user may export sensitive data (audited).

mod exports;
mod files;
mod office_lists;
mod zip_bomb;

use std::io::{Cursor, Read};

use kefu_app::customer_import::MAX_IMPORT_ROWS;
use kefu_domain::Role;
use kefu_testkit::{Session, TEST_PASSWORD, TestApp};
use reqwest::multipart::{Form, Part};

const CSV: &str = "\u{feff}客户名称,联系人,手机,地区,客户等级,客户类型,邮箱,地址
杭州明达贸易有限公司,王经理,138 1234 5678,浙江 杭州,大客户,经销商,wang@mingda.cn,浙江省杭州市西湖区文三路100号
成都天府家电城,刘店长,13987650000,四川 成都,VIP,终端客户,,
广州粤海酒店,陈主管,12345,广东 广州,普通,终端客户,,
苏州 恒通（机电）,周工,13700001111,江苏 苏州,普通,代理商,,
杭州明达贸易分公司,王经理,13812345678,浙江 杭州,大客户,经销商,,
";

async fn upload(
    s: &Session,
    name: &str,
    bytes: Vec<u8>,
    dry_run: bool,
    merge: bool,
) -> reqwest::Response {
    let csrf = s.csrf().await;
    let mut form = Form::new()
        .text("_csrf", csrf)
        .text("duplicates", if merge { "merge" } else { "skip" })
        .part("file", Part::bytes(bytes).file_name(name.to_owned()));
    if dry_run {
        form = form.text("dry_run", "1");
    }
    s.client
        .post(s.url("/customers/import"))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

fn number_after(html: &str, testid: &str) -> i64 {
    let marker = format!("data-testid=\"{testid}\">");
    let i = html.find(&marker).unwrap() + marker.len();
    html[i..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

async fn customer_count(app: &TestApp) -> i64 {
    let mut c = app.app.store.conn().await.unwrap();
    kefu_store::customer::count(&mut c).await.unwrap()
}

/// The stored customer of this name.
async fn stored(app: &TestApp, name: &str) -> kefu_store::customer::Customer {
    let mut c = app.app.store.conn().await.unwrap();
    let key = kefu_domain::customer::name_key(name);
    let found = kefu_store::customer::by_name_key(&mut c, &key)
        .await
        .unwrap();
    assert_eq!(found.len(), 1, "one customer named {name}");
    found.into_iter().next().unwrap()
}

/// Province, city, kind, tier and type as stored.
async fn classified(app: &TestApp, name: &str) -> [String; 5] {
    let c = stored(app, name).await;
    [
        c.province.unwrap_or_default(),
        c.city.unwrap_or_default(),
        c.kind,
        c.tier,
        c.customer_type,
    ]
}

fn strings<const N: usize>(v: [&str; N]) -> [String; N] {
    v.map(str::to_owned)
}
