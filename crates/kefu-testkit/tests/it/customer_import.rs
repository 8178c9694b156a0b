//! Importing customers from CSV (UTF-8 and GBK) and XLSX with Chinese headers: dry run,
//! per-row problems and their downloadable report, duplicates skipped or merged and named by
//! the row or customer they repeat, re-import without duplicates, lists as Chinese offices
//! write them (a title row above the header, regions such as 浙江杭州, person or company in a
//! 类型 column), the files that cannot be read, zip bombs and files over the row limit
//! refused before anything is imported; and exporting the list in Chinese labels that import
//! back unchanged, masked unless the user may export sensitive data (audited).

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

/// Zeros in the zip bomb: one, then 812,800 runs of 258 — 209,702,401 bytes, 200 MiB.
const BOMB_RUNS: u32 = 812_800;
const BOMB_UNPACKED: u32 = 1 + 258 * BOMB_RUNS;
/// CRC-32 of those zeros, so that the bomb is a valid archive an unzip tool unpacks in full
/// (`python3 -c 'import zlib; print(hex(zlib.crc32(bytes(209_702_401))))'`).
const BOMB_CRC32: u32 = 0x9988_0e94;

/// The bits of a deflate stream, each byte filled from its least significant bit.
#[derive(Default)]
struct Bits {
    bytes: Vec<u8>,
    byte: u8,
    used: u8,
}

impl Bits {
    fn bit(&mut self, bit: u32) {
        self.byte |= ((bit & 1) as u8) << self.used;
        self.used += 1;
        if self.used == 8 {
            self.bytes.push(self.byte);
            self.byte = 0;
            self.used = 0;
        }
    }

    /// A number of `n` bits, least significant first (header fields, extra bits).
    fn number(&mut self, value: u32, n: u32) {
        for i in 0..n {
            self.bit(value >> i);
        }
    }

    /// A Huffman code of `n` bits, most significant first.
    fn code(&mut self, code: u32, n: u32) {
        for i in (0..n).rev() {
            self.bit(code >> i);
        }
    }

    fn finish(mut self) -> Vec<u8> {
        if self.used > 0 {
            self.bytes.push(self.byte);
        }
        self.bytes
    }
}

/// A raw deflate stream of `1 + 258 × runs` zeros, written by hand because deflating 200 MiB
/// in a debug build is slow; it is what a deflater makes of zeros anyway. One block with its
/// own Huffman codes: the literal 0 and the end of block take two bits, the length 258 one,
/// the only distance (1) one; so after the first zero, every 258 zeros cost two bits.
fn deflated_zeros(runs: u32) -> Vec<u8> {
    let mut w = Bits::default();
    w.number(1, 1); // the last block
    w.number(2, 2); // with its own codes
    w.number(286 - 257, 5); // code lengths for the literals and lengths 0..=285
    w.number(0, 5); // and for one distance
    w.number(18 - 4, 4); // 18 code-length code lengths follow, in deflate's order
    // The code-length code: 18 (a run of unused symbols) is "0", 1 is "10", 2 is "11".
    for symbol in [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1] {
        let length = match symbol {
            18 => 1,
            1 | 2 => 2,
            _ => 0,
        };
        w.number(length, 3);
    }
    w.code(0b11, 2); // literal 0: two bits
    w.code(0, 1);
    w.number(138 - 11, 7); // literals 1..=138: unused
    w.code(0, 1);
    w.number(117 - 11, 7); // literals 139..=255: unused
    w.code(0b11, 2); // end of block (256): two bits
    w.code(0, 1);
    w.number(28 - 11, 7); // lengths 257..=284: unused
    w.code(0b10, 2); // length 258 (285): one bit
    w.code(0b10, 2); // distance 1 (code 0): one bit
    // The codes that follow: length 258 is "0", literal 0 "10", end of block "11";
    // distance 1 is "0".
    w.code(0b10, 2); // a zero
    for _ in 0..runs {
        w.code(0, 1); // 258 bytes
        w.code(0, 1); // copied from one byte back
    }
    w.code(0b11, 2); // end of block
    w.finish()
}

fn le16(out: &mut Vec<u8>, values: &[u16]) {
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
}

fn le32(out: &mut Vec<u8>, values: &[u32]) {
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
}

/// A ZIP archive of one deflated file, laid out by hand since the zip writer only stores
/// what it has deflated itself: local header, data, central directory, end record (version
/// 2.0, no flags, dated 1980-01-01).
fn one_file_zip(name: &str, deflated: &[u8], size: u32, crc: u32) -> Vec<u8> {
    let name_len = u16::try_from(name.len()).unwrap();
    let packed = u32::try_from(deflated.len()).unwrap();
    let mut z = Vec::new();
    le32(&mut z, &[0x0403_4b50]);
    le16(&mut z, &[20, 0, 8, 0, 0x21]); // version, flags, deflate, time, date
    le32(&mut z, &[crc, packed, size]);
    le16(&mut z, &[name_len, 0]); // name and extra field lengths
    z.extend_from_slice(name.as_bytes());
    z.extend_from_slice(deflated);
    let directory = u32::try_from(z.len()).unwrap();
    le32(&mut z, &[0x0201_4b50]);
    le16(&mut z, &[20, 20, 0, 8, 0, 0x21]); // made by, version, flags, deflate, time, date
    le32(&mut z, &[crc, packed, size]);
    le16(&mut z, &[name_len, 0, 0, 0, 0]); // name, extra, comment lengths; disk; attributes
    le32(&mut z, &[0, 0]); // external attributes; the local header's offset
    z.extend_from_slice(name.as_bytes());
    let directory_len = u32::try_from(z.len()).unwrap() - directory;
    le32(&mut z, &[0x0605_4b50]);
    le16(&mut z, &[0, 0, 1, 1]); // this disk, the directory's disk, files here, files in all
    le32(&mut z, &[directory_len, directory]);
    le16(&mut z, &[0]); // comment length
    z
}

/// `xlsx` with a zip bomb added: xl/media/zeros.bin, 200 MiB of zeros packed into 200 KB.
fn with_zip_bomb(xlsx: &[u8]) -> Vec<u8> {
    let bomb = one_file_zip(
        "xl/media/zeros.bin",
        &deflated_zeros(BOMB_RUNS),
        BOMB_UNPACKED,
        BOMB_CRC32,
    );
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for part in [xlsx.to_vec(), bomb] {
        w.merge_archive(zip::ZipArchive::new(Cursor::new(part)).unwrap())
            .unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[tokio::test]
async fn zip_bombs_and_too_many_rows_are_refused_before_anything_is_imported() {
    let app = TestApp::spawn().await;
    app.create_user("xu.info", &[Role::InfoSpecialist]).await;
    let s = app.login("xu.info", TEST_PASSWORD).await;

    // A workbook with one good customer, and 200 MiB of zeros packed into 200 KB beside it.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["客户名称", "手机"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, "深圳华强电子").unwrap();
    sheet.write_string(1, 1, "13922223333").unwrap();
    let xlsx = book.save_to_buffer().unwrap();
    let bomb = with_zip_bomb(&xlsx);
    assert!(bomb.len() < 300 * 1024, "{} bytes", bomb.len());
    // A real bomb: what comes out is zeros (the first MiB of its 200 read here).
    let mut archive = zip::ZipArchive::new(Cursor::new(bomb.as_slice())).unwrap();
    let mut head = Vec::new();
    archive
        .by_name("xl/media/zeros.bin")
        .unwrap()
        .take(1 << 20)
        .read_to_end(&mut head)
        .unwrap();
    assert!(head.len() == 1 << 20 && head.iter().all(|b| *b == 0));

    // Refused from the sizes the archive declares, in a dry run and for real.
    for dry_run in [true, false] {
        let res = upload(&s, "客户.xlsx", bomb.clone(), dry_run, false).await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        assert!(
            html.contains("解压后为 200 MB，超过单个部分 64 MB 的上限"),
            "{html}"
        );
        assert!(html.contains("zeros.bin"), "the page names the part");
    }
    assert_eq!(customer_count(&app).await, 0, "nothing imported");
    // The same workbook without the bomb imports: the bomb alone was refused.
    let html = upload(&s, "客户.xlsx", xlsx, false, false)
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(number_after(&html, "created"), 1, "{html}");

    // One data row over the limit: refused with both numbers, nothing written.
    let mut csv = String::from("客户名称\n");
    for n in 0..=MAX_IMPORT_ROWS {
        csv.push_str(&format!("批量客户{n}\n"));
    }
    let res = upload(&s, "客户.csv", csv.into_bytes(), false, false).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("文件有 50001 行数据，超过单次导入 50000 行的上限"),
        "{html}"
    );
    assert_eq!(customer_count(&app).await, 1);
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
