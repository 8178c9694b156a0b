//! 满意度调查 — a ticket the customer texted in is resolved; the survey job texts the
//! rating link once (two instances too); the customer answers with one tap and no sign-in,
//! may change it for three days, never after; a forged, altered or run-out link is refused;
//! a low score tells the leads, waits on their tile and list until one records the
//! follow-up; the same number is not surveyed again within the quiet days.

use jiff::SignedDuration;
use kefu_testkit::{ApiClient, Session, SmsPeer, TEST_PASSWORD, TestApp, json_body};
use reqwest::Method;
use serde_json::{Value, json};

use super::{MOBILE_E164, agent, gateway, post, quiet_app, run_jobs, text};

/// The rating link in the `n`th text the gateway got.
fn link_in(peer: &SmsPeer, n: usize) -> String {
    let got = peer.received();
    let body = got[n].body["text"].as_str().unwrap().to_owned();
    let start = body
        .find("/s/")
        .unwrap_or_else(|| panic!("no link in {body}"));
    body[start + 3..]
        .split(|c: char| c.is_whitespace())
        .next()
        .unwrap()
        .to_owned()
}

async fn resolve(api: &ApiClient, id: i64) {
    let res = api
        .json(
            Method::PATCH,
            &format!("/api/v1/tickets/{id}"),
            &json!({"status": "resolved"}),
        )
        .await;
    assert_eq!(res.status(), 200);
}

/// The customer's browser on the survey page: its status and its text.
async fn open(visitor: &Session, link: &str) -> (u16, String) {
    let res = visitor.get(&format!("/s/{link}")).await;
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}

async fn tap(visitor: &Session, link: &str, score: &str, comment: &str) -> (u16, String) {
    // The token the customer's browser holds (a page opened before the answer closed).
    let csrf = visitor.csrf().await;
    let res = visitor
        .client
        .post(visitor.url(&format!("/s/{link}")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("score", score),
            ("comment", comment),
        ])
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}

/// Saves the survey settings against `etag`: the status and the answer.
async fn put_settings(admin: &ApiClient, etag: &str, body: &Value) -> (u16, Value) {
    let res = admin
        .request(Method::PUT, "/api/v1/csat-settings")
        .header("If-Match", etag)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, json_body(res).await)
}

/// A server with a gateway on `peer`, an agent's API client and a ticket the customer
/// texted in (its id).
async fn texted_ticket(
    peer: &SmsPeer,
    agent_name: &str,
    message_id: &str,
) -> (
    TestApp,
    std::sync::Arc<kefu_domain::FixedClock>,
    super::Gateway,
    ApiClient,
    i64,
) {
    let (app, clock) = quiet_app().await;
    let g = gateway(&app, peer).await;
    let (_, api) = agent(&app, agent_name).await;
    let (status, first) = post(
        &app,
        peer,
        &g,
        &text(&app, message_id, MOBILE_E164, "空调不制冷"),
    )
    .await;
    assert_eq!(status, 201, "{first}");
    let ticket = first["ticket_id"].as_i64().unwrap();
    (app, clock, g, api, ticket)
}

async fn survey_rows(app: &TestApp) -> Vec<(i64, String, Option<String>)> {
    let mut conn = app.app.store.conn().await.unwrap();
    sqlx::query_as::<_, (i64, String, Option<String>)>(
        "SELECT ticket_id, state, skip_reason FROM csat_surveys ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_resolved_ticket_is_rated_in_one_tap_and_a_low_score_is_followed_up() {
    let peer = SmsPeer::start().await;
    let (app, clock, g, api, ticket) = texted_ticket(&peer, "csat.agent", "c-1").await;
    let manager = app
        .create_user("csat.manager", &[kefu_domain::Role::CsManager])
        .await;
    let lead = ApiClient::new(&app, &app.token_for(manager).await);
    resolve(&api, ticket).await;

    // Two instances run the survey job at once: one survey, one text.
    let peer_app = app.spawn_quiet_peer().await;
    let (a, b) = tokio::join!(
        app.app.send_csat_surveys(),
        peer_app.app.send_csat_surveys()
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    peer_app.stop().await;
    clock.advance(SignedDuration::from_secs(1));
    run_jobs(&app).await;
    let got = peer.wait_for(1).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].body["to"], MOBILE_E164);
    let link = link_in(&peer, 0);
    assert_eq!(
        survey_rows(&app).await,
        vec![(ticket, "sent".to_owned(), None)]
    );

    // The customer opens it with no sign-in: five buttons.
    let visitor = Session {
        client: app.client(),
        base: app.base.clone(),
    };
    let (status, html) = open(&visitor, &link).await;
    assert_eq!(status, 200);
    for n in 1..=5 {
        assert!(
            html.contains(&format!("data-testid=\"csat-score-{n}\"")),
            "{html}"
        );
    }
    // Out of range: refused, nothing stored.
    let (status, html) = tap(&visitor, &link, "6", "").await;
    assert_eq!(status, 422);
    assert!(html.contains("评分须为 1–5 分"), "{html}");
    // One tap: 2, low. The leads hear of it.
    let (status, html) = tap(&visitor, &link, "2", "").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("data-testid=\"csat-thanks\""));
    let (status, html) = tap(&visitor, &link, "2", "师傅迟到了两个小时").await;
    assert_eq!(status, 200, "{html}");
    let list = json_body(lead.get("/api/v1/csat-surveys?low=true").await).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["score"], 2);
    assert_eq!(list[0]["comment"], "师傅迟到了两个小时");
    let survey = list[0]["id"].as_i64().unwrap();
    let told = app.notified("csat_low", Some(manager)).await;
    assert_eq!(told, 1, "told once, not on the comment");
    let mgr = app.login("csat.manager", TEST_PASSWORD).await;
    let wb = mgr.get("/").await.text().await.unwrap();
    assert!(wb.contains("待跟进低分评价"), "the lead's tile");
    let page = mgr.get("/satisfaction?low=1").await.text().await.unwrap();
    assert!(page.contains("师傅迟到了两个小时") && page.contains("data-testid=\"csat-handle\""));
    let ticket_page = mgr
        .get(&format!("/tickets/{ticket}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        ticket_page.contains("data-testid=\"ticket-csat-score\">2<"),
        "{ticket_page}"
    );

    // The follow-up: a note is required, then recorded once.
    let path = format!("/api/v1/csat-surveys/{survey}/handle");
    let res = lead.json(Method::POST, &path, &json!({"note": "  "})).await;
    assert_eq!(res.status(), 422);
    assert_eq!(json_body(res).await["error"]["code"], "csat_note_required");
    let res = lead
        .json(
            Method::POST,
            &path,
            &json!({"note": "已致电道歉，下次优先安排"}),
        )
        .await;
    assert_eq!(res.status(), 204);
    let res = lead
        .json(Method::POST, &path, &json!({"note": "再记一次"}))
        .await;
    assert_eq!(res.status(), 409);
    assert_eq!(
        json_body(res).await["error"]["code"],
        "csat_already_handled"
    );
    let list = json_body(lead.get("/api/v1/csat-surveys?low=true").await).await;
    assert_eq!(list.as_array().unwrap().len(), 0);
    let res = api.json(Method::POST, &path, &json!({"note": "x"})).await;
    assert_eq!(res.status(), 403, "an agent does not follow low scores up");

    // Changed within three days; not after.
    clock.advance(SignedDuration::from_hours(48));
    let (status, _) = tap(&visitor, &link, "4", "后来修好了").await;
    assert_eq!(status, 200);
    clock.advance(SignedDuration::from_hours(25));
    let (status, html) = tap(&visitor, &link, "5", "").await;
    assert_eq!(status, 409, "{html}");
    assert!(html.contains("评价已超过可修改的期限"));
    let list = json_body(lead.get("/api/v1/csat-surveys?answered=true").await).await;
    assert_eq!(list[0]["score"], 4, "the refused change stored nothing");

    // A link altered, or made up: refused without saying which.
    let (head, mac) = link.rsplit_once('-').unwrap();
    let flipped = if mac.starts_with('0') { "1" } else { "0" };
    for bad in [
        format!("{head}-{flipped}{}", &mac[1..]),
        "1-zz-abc".to_owned(),
    ] {
        let (status, html) = open(&visitor, &bad).await;
        assert_eq!(status, 404, "{bad}");
        assert!(html.contains("这个评价链接无效"));
    }

    // The same number again within the quiet days: skipped, and the page says why.
    let (_, second) = post(&app, &peer, &g, &text(&app, "c-2", MOBILE_E164, "又坏了")).await;
    let again = second["ticket_id"].as_i64().unwrap();
    assert_ne!(again, ticket, "a new ticket: the first was resolved");
    resolve(&api, again).await;
    assert_eq!(app.app.send_csat_surveys().await.unwrap(), 0);
    assert_eq!(
        survey_rows(&app).await[1],
        (again, "skipped".to_owned(), Some("recent".to_owned()))
    );
    // Three days on, the manager signs in again.
    let mgr = app.login("csat.manager", TEST_PASSWORD).await;
    let res = mgr.get(&format!("/tickets/{again}")).await;
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    assert!(page.contains("近期已向该联系人发过调查"), "{page}");
    app.stop().await;
}

#[tokio::test]
async fn an_unanswered_link_runs_out_and_settings_are_bounded() {
    let peer = SmsPeer::start().await;
    let (app, clock, _, api, ticket) = texted_ticket(&peer, "csat.agent2", "x-1").await;
    let admin = app
        .create_user("csat.admin", &[kefu_domain::Role::Admin])
        .await;
    let admin = ApiClient::new(&app, &app.token_for(admin).await);

    // Settings: out of range refused; a stale write refused; then two-day links.
    let res = admin.get("/api/v1/csat-settings").await;
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let mut body: Value = json_body(res).await;
    assert_eq!(body["link_days"], 7);
    body["low_score"] = json!(5);
    let (status, e) = put_settings(&admin, &etag, &body).await;
    assert_eq!(status, 422);
    assert_eq!(e["error"]["code"], "follow_up_out_of_range", "{e}");
    body["low_score"] = json!(2);
    body["link_days"] = json!(2);
    body["channels"] = json!(["sms", "carrier_pigeon"]);
    let (status, _) = put_settings(&admin, &etag, &body).await;
    assert_eq!(status, 422, "an unknown channel");
    body["channels"] = json!(["sms"]);
    assert_eq!(put_settings(&admin, &etag, &body).await.0, 200);
    let (status, _) = put_settings(&admin, &etag, &body).await;
    assert_eq!(status, 412, "made against the old version");

    resolve(&api, ticket).await;
    assert_eq!(app.app.send_csat_surveys().await.unwrap(), 1);
    clock.advance(SignedDuration::from_secs(1));
    run_jobs(&app).await;
    peer.wait_for(1).await;
    let link = link_in(&peer, 0);
    assert!(
        peer.received()[0].body["text"]
            .as_str()
            .unwrap()
            .contains("2 天内有效")
    );
    clock.advance(SignedDuration::from_hours(49));
    let visitor = Session {
        client: app.client(),
        base: app.base.clone(),
    };
    let (status, html) = open(&visitor, &link).await;
    assert_eq!(status, 200);
    assert!(html.contains("data-testid=\"csat-expired\""), "{html}");
    let (status, html) = tap(&visitor, &link, "5", "").await;
    assert_eq!(status, 410, "{html}");
    let mut conn = app.app.store.conn().await.unwrap();
    let answered: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM csat_surveys WHERE answered_at IS NOT NULL")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    assert_eq!(answered, 0);
    app.stop().await;
}
