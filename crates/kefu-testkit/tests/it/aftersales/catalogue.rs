//! 产品目录 — the after-sales specialist keeps products, parts and price lists over the API
//! and the pages; an agent reads them; a distributor pays the distributors' list, an end
//! customer the list price; product and part lists import all or nothing. Money is integer
//! fen: `12.5` and `"12.345"` are refused, as are stale versions, taken codes and unknown
//! SKUs, with nothing changed.

use kefu_domain::Role;
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, json_body};
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::key_accounts::{code, send};

async fn put_if(api: &ApiClient, path: &str, version: i64, body: &Value) -> (u16, Value) {
    let res = api
        .request(Method::PUT, path)
        .header("If-Match", format!("\"{version}\""))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (
        status,
        serde_json::from_str(&res.text().await.unwrap()).unwrap_or(Value::Null),
    )
}

async fn import(
    api: &ApiClient,
    what: &str,
    name: &str,
    bytes: Vec<u8>,
    dry_run: bool,
) -> (u16, Value) {
    let mut form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_owned()));
    if dry_run {
        form = form.text("dry_run", "true");
    }
    let res = api
        .request(Method::POST, &format!("/api/v1/catalogue/{what}/import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, json_body(res).await)
}

async fn product_count(api: &ApiClient) -> usize {
    json_body(
        api.get("/api/v1/catalogue/products?inactive=true&limit=200")
            .await,
    )
    .await
    .as_array()
    .unwrap()
    .len()
}

#[tokio::test]
async fn the_catalogue_is_kept_priced_and_imported_all_or_nothing() {
    let app = TestApp::spawn().await;
    let keeper_id = app
        .create_user("shou.hou", &[Role::AftersalesSpecialist])
        .await;
    let keeper = ApiClient::new(&app, &app.token_for(keeper_id).await);
    let agent_id = app.create_user("mu.lu.agent", &[Role::Agent]).await;
    let agent = ApiClient::new(&app, &app.token_for(agent_id).await);

    // Categories and a product.
    let (status, body) = send(
        &keeper,
        Method::POST,
        "/api/v1/catalogue/categories",
        &json!({"name": "空调"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let aircon = body["id"].as_i64().unwrap();
    let (status, body) = send(
        &keeper,
        Method::POST,
        "/api/v1/catalogue/categories",
        &json!({"name": "空调"}),
    )
    .await;
    assert_eq!((status, code(&body)), (409, Some("name_taken")));
    let product = json!({
        "sku": "kfr-35gw/a1", "name": "挂壁式空调 1.5匹", "model": "KFR-35GW",
        "category_id": aircon, "price_fen": 329_900, "warranty_months": 36, "serial_tracked": true
    });
    let (status, body) = send(
        &keeper,
        Method::POST,
        "/api/v1/catalogue/products",
        &product,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let ac = body["id"].as_i64().unwrap();

    // Refused, nothing stored: an agent, a taken SKU, a bad SKU, money as 12.5 or
    // "12.345", above the ceiling, an unknown category.
    let refusals = [
        (&agent, product.clone(), 403, "forbidden"),
        (&keeper, product.clone(), 409, "catalogue_taken"),
        (
            &keeper,
            json!({"sku": "空调 1", "name": "x", "category_id": aircon, "price_fen": 1}),
            422,
            "catalogue_bad_code",
        ),
        (
            &keeper,
            json!({"sku": "X-1", "name": "x", "category_id": aircon, "price_fen": 12.5}),
            422,
            "",
        ),
        (
            &keeper,
            json!({"sku": "X-1", "name": "x", "category_id": aircon, "price_fen": "12.345"}),
            422,
            "",
        ),
        (
            &keeper,
            json!({"sku": "X-1", "name": "x", "category_id": aircon, "price_fen": 100_000_000_001i64}),
            422,
            "amount_too_large",
        ),
        (
            &keeper,
            json!({"sku": "X-1", "name": "x", "category_id": 99_999, "price_fen": 1}),
            422,
            "catalogue_unknown_category",
        ),
        (
            &keeper,
            json!({"sku": "X-1", "name": "x", "category_id": aircon, "price_fen": 1, "warranty_months": 121}),
            422,
            "catalogue_warranty",
        ),
    ];
    for (api, body, want, want_code) in refusals {
        let (status, got) = send(api, Method::POST, "/api/v1/catalogue/products", &body).await;
        assert!(
            status == want || (want == 422 && status == 400),
            "{body} → {status} {got}"
        );
        if !want_code.is_empty() {
            assert_eq!(code(&got), Some(want_code), "{body} → {got}");
        }
    }
    assert_eq!(product_count(&keeper).await, 1);

    // The agent reads it; the SKU was upper-cased.
    let listed = json_body(agent.get("/api/v1/catalogue/products?q=35gw").await).await;
    assert_eq!(listed[0]["sku"], "KFR-35GW/A1");
    assert_eq!(listed[0]["price_fen"], 329_900);
    assert_eq!(listed[0]["currency"], "CNY");

    // Saving from a stale version is refused; from the current one it is version 2.
    let path = format!("/api/v1/catalogue/products/{ac}");
    let mut changed = product.clone();
    changed["price_fen"] = json!(309_900);
    let (status, body) = put_if(&keeper, &path, 7, &changed).await;
    assert_eq!(
        (status, code(&body)),
        (412, Some("stale_version")),
        "{body}"
    );
    let (status, body) = put_if(&keeper, &path, 1, &changed).await;
    assert_eq!((status, body["version"].as_i64()), (200, Some(2)), "{body}");

    // A part used twice in the air conditioner; an unknown product refused.
    let part = json!({"part_number": "ysj-01", "name": "压缩机", "cost_fen": 45_000,
        "used_in": [{"product_id": ac, "quantity": 2}]});
    let (status, body) = send(&keeper, Method::POST, "/api/v1/catalogue/parts", &part).await;
    assert_eq!(status, 201, "{body}");
    let mut unknown = part.clone();
    unknown["part_number"] = json!("YSJ-02");
    unknown["used_in"] = json!([{"product_id": 424_242, "quantity": 1}]);
    let (status, body) = send(&keeper, Method::POST, "/api/v1/catalogue/parts", &unknown).await;
    assert_eq!(
        (status, code(&body)),
        (422, Some("catalogue_unknown_sku")),
        "{body}"
    );
    let detail = json_body(agent.get(&path).await).await;
    assert_eq!(detail["price_fen"], 309_900);
    assert_eq!(detail["parts"][0]["part_number"], "YSJ-01");
    assert_eq!(detail["parts"][0]["quantity"], 2);

    // The distributors' list: a distributor pays it, an end customer the list price.
    let (status, body) = send(
        &keeper,
        Method::POST,
        "/api/v1/catalogue/price-lists",
        &json!({
            "name": "2026 经销价", "customer_type": "distributor", "valid_from": "2026-01-01"
        }),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let list = body["id"].as_i64().unwrap();
    let prices = format!("/api/v1/catalogue/price-lists/{list}/prices");
    let (status, body) = put_if(
        &keeper,
        &prices,
        1,
        &json!({"prices": [
            {"sku": "KFR-35GW/A1", "price_fen": 259_900}, {"sku": "NO-SUCH", "price_fen": 1}
        ]}),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (422, Some("catalogue_unknown_sku")),
        "{body}"
    );
    let (status, body) = put_if(
        &keeper,
        &prices,
        1,
        &json!({"prices": [
            {"sku": "kfr-35gw/a1", "price_fen": 259_900}
        ]}),
    )
    .await;
    assert_eq!((status, body["version"].as_i64()), (200, Some(2)), "{body}");
    let customer = |name: &'static str, ty: &'static str| {
        let agent = &agent;
        async move {
            json_body(
                agent
                    .json(
                        Method::POST,
                        "/api/v1/customers",
                        &json!({"name": name, "customer_type": ty}),
                    )
                    .await,
            )
            .await["id"]
                .as_i64()
                .unwrap()
        }
    };
    let distributor = customer("杭州明达电器经销部", "distributor").await;
    let end_customer = customer("王建国", "end_customer").await;
    let price =
        |c: i64| format!("/api/v1/catalogue/price?customer_id={c}&product_id={ac}&day=2026-12-06");
    let p = json_body(agent.get(&price(distributor)).await).await;
    assert_eq!(
        (p["price_fen"].as_i64(), p["source"].as_str()),
        (Some(259_900), Some("price_list")),
        "{p}"
    );
    assert_eq!(p["price_list_name"], "2026 经销价");
    let p = json_body(agent.get(&price(end_customer)).await).await;
    assert_eq!(
        (p["price_fen"].as_i64(), p["source"].as_str()),
        (Some(309_900), Some("list_price")),
        "{p}"
    );

    // Import: a file with problems writes nothing and names each; a dry run writes nothing;
    // the good file imports, and importing it again changes nothing.
    let bad = "产品编码,名称,类别,价格,保修期,序列号管理\nKFR-50LW,柜式空调 2匹,空调,12.345,36,是\nKFR-50LW,柜式空调,空调,5999,36,是\n空 调,x,空调,1,,\n".as_bytes().to_vec();
    let (status, body) = import(&keeper, "products", "bad.csv", bad, false).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["written"], false);
    let problems: Vec<(i64, String, String)> = body["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["row"].as_i64().unwrap(),
                p["column"].as_str().unwrap().to_owned(),
                p["problem"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        problems,
        vec![
            (2, "price".into(), "bad_money".into()),
            (4, "sku".into(), "bad_code".into()),
        ],
        "{body}"
    );
    assert_eq!(product_count(&keeper).await, 1);
    let good = "产品编码,名称,型号,类别,价格,保修期(月),序列号管理\nKFR-50LW,柜式空调 2匹,KFR-50LW,空调,\"5,999.00\",36,是\nKFR-35GW/A1,挂壁式空调 1.5匹,KFR-35GW,空调,3099,36,是\nXQG100,滚筒洗衣机,XQG100-B,洗衣机,2899.5,24,否\n".as_bytes().to_vec();
    let (status, body) = import(&keeper, "products", "good.csv", good.clone(), true).await;
    assert_eq!(
        (status, body["written"].as_bool()),
        (200, Some(false)),
        "{body}"
    );
    assert_eq!(
        (
            body["added"].as_i64(),
            body["unchanged"].as_i64(),
            body["categories_added"].as_i64()
        ),
        (Some(2), Some(1), Some(1))
    );
    assert_eq!(product_count(&keeper).await, 1);
    let (status, body) = import(&keeper, "products", "good.csv", good.clone(), false).await;
    assert_eq!(
        (status, body["written"].as_bool(), body["added"].as_i64()),
        (200, Some(true), Some(2)),
        "{body}"
    );
    assert_eq!(product_count(&keeper).await, 3);
    let (_, body) = import(&keeper, "products", "good.csv", good, false).await;
    assert_eq!(
        (
            body["added"].as_i64(),
            body["updated"].as_i64(),
            body["unchanged"].as_i64()
        ),
        (Some(0), Some(0), Some(3))
    );
    let washer = json_body(agent.get("/api/v1/catalogue/products?q=XQG100").await).await;
    assert_eq!(
        (
            washer[0]["price_fen"].as_i64(),
            washer[0]["category"].as_str()
        ),
        (Some(289_950), Some("洗衣机"))
    );

    // Parts from an XLSX: one names a SKU not in the catalogue, so none is imported.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in [
        ["料号", "名称", "成本", "单位", "适用产品"],
        [
            "DJ-100",
            "风扇电机",
            "120.50",
            "个",
            "KFR-50LW*1、KFR-35GW/A1",
        ],
        ["KZB-9", "控制板", "88", "块", "XQG999"],
    ]
    .iter()
    .enumerate()
    {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    let bytes = book.save_to_buffer().unwrap();
    let (status, body) = import(&keeper, "parts", "parts.xlsx", bytes, false).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["problems"][0]["problem"], "unknown_sku");
    assert_eq!(body["problems"][0]["value"], "XQG999");
    let parts = json_body(agent.get("/api/v1/catalogue/parts").await).await;
    assert_eq!(parts.as_array().unwrap().len(), 1, "{parts}");

    // The pages: the agent reads the list, the keeper's page import names the problem.
    let s = app.login("mu.lu.agent", TEST_PASSWORD).await;
    let html = s.get("/catalogue?q=XQG").await.text().await.unwrap();
    assert!(
        html.contains("滚筒洗衣机") && html.contains("2,899.50"),
        "{html}"
    );
    assert!(!html.contains("data-testid=\"new-product\""));
    assert_eq!(
        s.get("/catalogue/products/new").await.status().as_u16(),
        403
    );
    let k = app.login("shou.hou", TEST_PASSWORD).await;
    let csrf = k.csrf().await;
    let form = Form::new()
        .text("_csrf", csrf)
        .text("kind", "products")
        .part(
            "file",
            Part::bytes(
                "SKU,名称,类别,价格\nA-1,甲,空调,1.999\n"
                    .as_bytes()
                    .to_vec(),
            )
            .file_name("a.csv"),
        );
    let res = k
        .client
        .post(k.url("/catalogue/import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("金额格式不对") && html.contains("未导入任何数据"),
        "{html}"
    );
    let res = k
        .post_form(
            &format!("/catalogue/products/{ac}"),
            &[
                ("version", "1"),
                ("sku", "KFR-35GW/A1"),
                ("name", "挂壁式空调"),
                ("category_id", &aircon.to_string()),
                ("price", "3,099.00"),
                ("active", "1"),
            ],
        )
        .await;
    assert_eq!(
        res.status().as_u16(),
        412,
        "a page save from a stale version"
    );
    app.stop().await;
}
