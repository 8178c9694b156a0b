//! 质检评分表 — the shipped scorecard from the seeds' norms, edited into new versions: a
//! scorecard that does not add up is refused with the reason and nothing changes, an edit
//! from an old version is refused, and the page keeps what was typed.

use kefu_domain::Role;
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, json_body};
use reqwest::Method;
use serde_json::{Value, json};

use crate::key_accounts::{code, send};

#[tokio::test]
async fn the_shipped_scorecard_is_edited_into_versions_and_bad_ones_are_refused() {
    let app = TestApp::spawn().await;
    let inspector_id = app
        .create_user("zhi.jian", &[Role::QualitySpecialist])
        .await;
    let inspector = ApiClient::new(&app, &app.token_for(inspector_id).await);
    let agent_id = app.create_user("ke.fu.q", &[Role::Agent]).await;
    let agent = ApiClient::new(&app, &app.token_for(agent_id).await);

    // Two first readers at once: one shipped scorecard.
    let (a, b) = tokio::join!(
        inspector.get("/api/v1/quality/scorecards"),
        inspector.get("/api/v1/quality/scorecards")
    );
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (200, 200));
    let list = json_body(inspector.get("/api/v1/quality/scorecards").await).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    let card = &list[0];
    assert_eq!(card["name"], "服务质量标准评分表");
    assert_eq!(
        (card["version"].clone(), card["pass_mark"].clone()),
        (json!(1), json!(80))
    );
    let items: Vec<&Value> = card["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["items"].as_array().unwrap())
        .collect();
    assert_eq!(items.len(), 14);
    let weights: u64 = items.iter().map(|i| i["weight"].as_u64().unwrap()).sum();
    assert_eq!(weights, 100);
    let voice = items.iter().find(|i| i["key"] == "b2").unwrap();
    assert_eq!(voice["channels"], json!(["phone"]));
    assert!(
        items
            .iter()
            .any(|i| i["name"] == "杜绝“不行、不知道、不可以”")
    );
    assert_eq!(agent.get("/api/v1/quality/scorecards").await.status(), 403);
    let id = card["id"].as_i64().unwrap();
    let path = format!("/api/v1/quality/scorecards/{id}");

    // Refused: the weights sum to 101, a scale of one level, an unknown channel, a
    // duplicate key.
    let body = |f: &dyn Fn(&mut Value)| {
        let mut b = json!({
            "name": card["name"], "pass_mark": 80, "sections": card["sections"],
            "based_on_version": 1, "note": "调整"
        });
        f(&mut b);
        b
    };
    let refused = [
        (
            body(&|b| b["sections"][0]["items"][0]["weight"] = json!(6)),
            "scorecard_weights",
        ),
        (
            body(&|b| b["sections"][0]["items"][1]["levels"] = json!(1)),
            "scorecard_bad_levels",
        ),
        (
            body(&|b| b["sections"][0]["items"][2]["channels"] = json!(["fax"])),
            "scorecard_unknown_channel",
        ),
        (
            body(&|b| b["sections"][1]["items"][0]["key"] = json!("a1")),
            "scorecard_bad_key",
        ),
        (
            body(&|b| b["pass_mark"] = json!(101)),
            "scorecard_bad_pass_mark",
        ),
    ];
    for (b, want) in refused {
        let (s, e) = send(&inspector, Method::PUT, &path, &b).await;
        assert_eq!((s, code(&e)), (422, Some(want)), "{e}");
    }
    let (s, e) = send(
        &inspector,
        Method::PUT,
        &path,
        &body(&|b| b["sections"][0]["items"][0]["weight"] = json!(6)),
    )
    .await;
    assert!(
        e["error"]["message"].as_str().unwrap().contains("101"),
        "{s} {e}"
    );
    let now = json_body(inspector.get(&path).await).await;
    assert_eq!(now["version"], 1, "nothing changed");

    // The tone of voice folded into listening (b3 10 → 15): version 2.
    let v2 = body(&|b| {
        let attitude = b["sections"][1]["items"].as_array_mut().unwrap();
        attitude.retain(|i| i["key"] != "b2");
        attitude[1]["weight"] = json!(15);
    });
    let (s, r) = send(&inspector, Method::PUT, &path, &v2).await;
    assert_eq!((s, r["version"].clone()), (200, json!(2)), "{r}");
    let (s, e) = send(&inspector, Method::PUT, &path, &v2).await;
    assert_eq!((s, code(&e)), (412, Some("stale_version")), "{e}");
    let detail = json_body(inspector.get(&path).await).await;
    assert_eq!(detail["version"], 2);
    let versions: Vec<i64> = detail["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["number"].as_i64().unwrap())
        .collect();
    assert_eq!(versions, [2, 1]);
    assert_eq!(detail["versions"][0]["note"], "调整");
    assert_eq!(detail["versions"][0]["by"], "测试 zhi.jian");
    assert_eq!(
        detail["versions"][1]["sections"][1]["items"][1]["key"], "b2",
        "the old version is kept whole"
    );

    // Another scorecard; its name is its own.
    let new = json!({"name": "投诉处理专项", "pass_mark": 85,
        "sections": [{"name": "投诉", "items": [
            {"key": "t1", "name": "24 小时内回复", "weight": 60, "levels": 2, "critical": true},
            {"key": "t2", "name": "记录完整", "weight": 40, "levels": 3}]}]});
    let (s, r) = send(&inspector, Method::POST, "/api/v1/quality/scorecards", &new).await;
    assert_eq!(s, 201, "{r}");
    let (s, e) = send(&inspector, Method::POST, "/api/v1/quality/scorecards", &new).await;
    assert_eq!((s, code(&e)), (409, Some("name_taken")), "{e}");
    assert_eq!(
        json_body(inspector.get("/api/v1/quality/scorecards").await)
            .await
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // The page: the rows of version 2, a refusal in words with what was typed kept, then
    // version 3.
    let session = app.login("zhi.jian", TEST_PASSWORD).await;
    let list = session
        .get("/quality/scorecards")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(list.matches("data-testid=\"scorecard-row\"").count(), 2);
    let page = session
        .get(&format!("/quality/scorecards/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        page.matches("data-testid=\"scorecard-item\"").count(),
        13 + 5
    );
    assert!(
        page.contains("data-testid=\"scorecard-total\">100<"),
        "{page}"
    );
    let mut form: Vec<(String, String)> = vec![
        ("based_on".into(), "2".into()),
        ("rows".into(), "2".into()),
        ("name".into(), "精简评分表".into()),
        ("pass_mark".into(), "80".into()),
        ("active".into(), "1".into()),
        ("note".into(), "只留两项".into()),
    ];
    for (n, (key, name, weight)) in [("x1", "问候", "50"), ("x2", "答复准确", "45")]
        .into_iter()
        .enumerate()
    {
        for (k, v) in [
            ("section", "综合"),
            ("key", key),
            ("name", name),
            ("weight", weight),
            ("levels", "3"),
        ] {
            form.push((format!("{k}{n}"), v.to_owned()));
        }
    }
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let res = session
        .post_form(&format!("/quality/scorecards/{id}"), &pairs)
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("各评分项的权重合计为 95，应为 100"), "{html}");
    assert!(html.contains("value=\"答复准确\""), "kept");
    let form: Vec<(&str, &str)> = pairs
        .into_iter()
        .map(|(k, v)| if k == "weight1" { (k, "50") } else { (k, v) })
        .collect();
    let res = session
        .post_form(&format!("/quality/scorecards/{id}"), &form)
        .await;
    assert_eq!(res.status(), 303);
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(to, format!("/quality/scorecards/{id}?saved=3"));
    let html = session.get(&to).await.text().await.unwrap();
    assert!(html.contains("已保存为第 3 版"), "{html}");
    let detail = json_body(inspector.get(&path).await).await;
    assert_eq!(detail["name"], "精简评分表");
    assert_eq!(detail["sections"][0]["items"].as_array().unwrap().len(), 2);
    app.stop().await;
}
