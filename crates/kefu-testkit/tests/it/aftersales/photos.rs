//! 售后照片 — photos of the fault come with an RMA: over the API after the request, on the
//! request form, and added on the RMA's page. Only pictures and videos are taken (by their
//! bytes), at most ten an RMA, one refused file refusing the lot; each is served from its
//! own RMA only; the bytes are stored once and outlive a ticket's files they share.

use kefu_domain::Role;
use kefu_store::ticket::conversation;
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, json_body};
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use super::{customer, product};
use crate::key_accounts::{code, send};
use crate::mail_ingest::count;

pub(crate) const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\0\x01\x01\0\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82";
const JPEG: &[u8] = b"\xff\xd8\xff\xe0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0\xff\xd9";
pub(crate) const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n";

async fn upload(api: &ApiClient, rma: i64, files: &[(&str, &[u8])]) -> (u16, Value) {
    let mut form = Form::new();
    for (name, bytes) in files {
        form = form.part(
            "photos",
            Part::bytes(bytes.to_vec()).file_name((*name).to_owned()),
        );
    }
    let res = api
        .request(
            Method::POST,
            &format!("/api/v1/aftersales/rmas/{rma}/photos"),
        )
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn photos_of_the_fault_are_kept_with_the_rma_and_only_pictures_are_taken() {
    // Monday 2026-12-07 10:00 in Beijing.
    let (app, _) = TestApp::quiet_at("2026-12-07T02:00:00Z").await;
    let keeper_id = app
        .create_user("zhao.pian.zy", &[Role::AftersalesSpecialist])
        .await;
    let keeper = ApiClient::new(&app, &app.token_for(keeper_id).await);
    let kettle = product(&keeper, "厨房电器", "HU-17", "电水壶 1.7L", 19_900).await;
    let buyer = customer(&keeper, "钱女士").await;
    let request = json!({
        "customer_id": buyer, "kind": "exchange", "product_id": kettle, "quantity": 1,
        "fault": "quality", "description": "壶底漏水", "delivered_on": "2026-12-01",
        "amount_fen": 19_900, "paid_fen": 19_900
    });
    let (status, body) = send(&keeper, Method::POST, "/api/v1/aftersales/rmas", &request).await;
    assert_eq!(status, 201, "{body}");
    let rma = body["id"].as_i64().unwrap();
    let (_, body) = send(&keeper, Method::POST, "/api/v1/aftersales/rmas", &request).await;
    let other = body["id"].as_i64().unwrap();

    // Two pictures: stored with the types their bytes show, whatever their names say.
    let (status, photos) = upload(&keeper, rma, &[("漏水.jpg", PNG), ("底部.png", JPEG)]).await;
    assert_eq!(status, 201, "{photos}");
    let photos = photos.as_array().unwrap().clone();
    assert_eq!(photos.len(), 2);
    assert_eq!(photos[0]["content_type"], "image/png");
    assert_eq!(photos[1]["content_type"], "image/jpeg");
    assert_eq!(photos[0]["filename"], "漏水.jpg");
    assert_eq!(photos[0]["by_customer"], false);
    assert_eq!(photos[0]["size"], PNG.len());

    // Refused, nothing added: a PDF among pictures, nothing at all, an eleventh photo.
    let (status, body) = upload(&keeper, rma, &[("a.png", PNG), ("发票.pdf", PDF)]).await;
    assert_eq!(
        (status, code(&body)),
        (415, Some("attachment_not_a_photo")),
        "{body}"
    );
    // Nothing chosen, as a browser sends it: an empty file part.
    let (status, body) = upload(&keeper, rma, &[("", b"")]).await;
    assert_eq!(
        (status, code(&body)),
        (422, Some("attachment_empty")),
        "{body}"
    );
    let nine: Vec<(&str, &[u8])> = (0..9).map(|_| ("more.png", PNG)).collect();
    let (status, body) = upload(&keeper, rma, &nine).await;
    assert_eq!((status, code(&body)), (422, Some("too_many")), "{body}");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM rma_photos").await,
        2,
        "refusals store nothing"
    );
    let (status, _) = upload(&keeper, 999_999, &[("a.png", PNG)]).await;
    assert_eq!(status, 404);

    // Served from its own RMA only, as a picture shown in place.
    let url = photos[0]["url"].as_str().unwrap().to_owned();
    let res = keeper.get(&url).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/png");
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline")
    );
    assert_eq!(res.bytes().await.unwrap().as_ref(), PNG);
    let stolen = url.replace(&format!("/rmas/{rma}/"), &format!("/rmas/{other}/"));
    assert_eq!(keeper.get(&stolen).await.status(), 404);

    // The RMA lists them, and its log says photos were added.
    let detail = json_body(keeper.get(&format!("/api/v1/aftersales/rmas/{rma}")).await).await;
    assert_eq!(detail["photos"].as_array().unwrap().len(), 2, "{detail}");
    assert!(
        detail["steps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["action"] == "photos" && s["note"] == "漏水.jpg、底部.png"),
        "{detail}"
    );

    // The same bytes on a ticket: stored once, and still there when the ticket's files go.
    let ticket = json_body(
        keeper
            .json(
                Method::POST,
                "/api/v1/tickets",
                &json!({"subject": "水壶漏水", "body": "见照片"}),
            )
            .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let res = keeper
        .request(
            Method::POST,
            &format!("/api/v1/tickets/{ticket}/attachments"),
        )
        .multipart(Form::new().part("files", Part::bytes(PNG.to_vec()).file_name("同一张.png")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let blobs = "SELECT COUNT(*) FROM attachment_blobs";
    assert_eq!(
        count(&app, blobs).await,
        2,
        "the PNG and the JPEG, once each"
    );
    let mut tx = app.app.store.begin().await.unwrap();
    conversation::delete_attachments(&mut tx, ticket)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(count(&app, blobs).await, 2, "the RMA still names the PNG");
    let res = keeper.get(&url).await;
    assert_eq!(res.bytes().await.unwrap().as_ref(), PNG);

    // On pages: the request form takes photos with it; the RMA's page shows them and adds
    // more; a refused file is said in words.
    let s = app.login("zhao.pian.zy", TEST_PASSWORD).await;
    let csrf = s.csrf().await;
    let form = Form::new()
        .text("_csrf", csrf.clone())
        .text("customer_id", buyer.to_string())
        .text("kind", "repair")
        .text("fault", "quality")
        .text("sku", "HU-17")
        .text("quantity", "1")
        .text("description", "开关失灵")
        .text("delivered_on", "2026-11-20")
        .text("amount", "0")
        .text("paid", "199")
        .part("photos", Part::bytes(JPEG.to_vec()).file_name("开关.jpg"));
    let res = s
        .client
        .post(s.url("/aftersales/rmas"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let page_url = res.headers()["location"].to_str().unwrap().to_owned();
    let page = s.get(&page_url).await.text().await.unwrap();
    assert_eq!(
        page.matches("data-testid=\"rma-photo\"").count(),
        1,
        "{page}"
    );
    assert!(page.contains("<img src=\"/aftersales/rmas/") && page.contains("alt=\"开关.jpg\""));
    let res = s
        .client
        .post(s.url(&format!("{page_url}/photos")))
        .multipart(
            Form::new()
                .text("_csrf", csrf.clone())
                .part("photos", Part::bytes(PDF.to_vec()).file_name("说明书.pdf")),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("照片只接受图片或视频文件")
    );
    let res = s
        .client
        .post(s.url(&format!("{page_url}/photos")))
        .multipart(
            Form::new()
                .text("_csrf", csrf)
                .part("photos", Part::bytes(PNG.to_vec()).file_name("背面.png")),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let page = s.get(&page_url).await.text().await.unwrap();
    assert_eq!(page.matches("data-testid=\"rma-photo\"").count(), 2);
    let src = page
        .split("<img src=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_owned();
    let res = s.get(&src).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.unwrap().as_ref(), JPEG);
    app.stop().await;
}
