//! The OpenAPI document the server serves and the route table agree: every route under
//! `/api/` is an API route and is documented with its method, nothing is documented that is
//! not routed, and the API routes the guard lets through unauthenticated are exactly the
//! webhooks, each documented with its signature instead of the bearer token.

use std::collections::BTreeSet;

use kefu_domain::Access;
use kefu_testkit::{TestApp, json_body};
use kefu_web::Surface;

const METHODS: [&str; 7] = ["get", "put", "post", "delete", "patch", "options", "head"];

#[tokio::test]
async fn every_api_route_is_in_the_openapi_document_and_nothing_else() {
    let app = TestApp::spawn().await;
    let res = app
        .client()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let doc = json_body(res).await;
    let paths = doc["paths"].as_object().expect("paths");

    let mut routed = BTreeSet::new();
    let mut problems = Vec::new();
    for spec in kefu_web::route_specs() {
        let method = spec.method.as_str().to_lowercase();
        let under_api = spec.path.starts_with("/api/");
        if under_api != (spec.surface == Surface::Api) {
            problems.push(format!(
                "{method} {}: surface {:?} under /api/ is {under_api}",
                spec.path, spec.surface
            ));
        }
        if !under_api || spec.path == "/api/v1/openapi.json" {
            continue;
        }
        routed.insert((method.clone(), spec.path.to_owned()));
        let operation = paths.get(spec.path).and_then(|item| item.get(&method));
        let Some(operation) = operation else {
            problems.push(format!("{method} {}: not in the document", spec.path));
            continue;
        };
        // What the guard lets through unauthenticated is signed by other means.
        if spec.access == Access::Public {
            let security = operation["security"].to_string();
            if !security.contains("webhook_signature") && !security.contains("wechat_signature") {
                problems.push(format!(
                    "{method} {}: public, but documented with {security}",
                    spec.path
                ));
            }
        }
    }
    for (path, item) in paths {
        for method in METHODS {
            if item.get(method).is_some() && !routed.contains(&(method.to_owned(), path.clone())) {
                problems.push(format!("{method} {path}: documented, but not routed"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(routed.len() > 90, "only {} API routes", routed.len());
    app.stop().await;
}
