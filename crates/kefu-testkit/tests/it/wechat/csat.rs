//! 满意度调查 by WeChat — a follower's ticket, resolved, is surveyed through the
//! customer-service message API (the rating link in a text, to the follower); the follower
//! opens it in WeChat's own browser (its user agent), with no sign-in, and rates in one tap.

use kefu_domain::Role;
use kefu_testkit::wechat_peer::text_message;
use kefu_testkit::{Session, WechatPeer};
use reqwest::Method;
use serde_json::json;

use super::{OPENID, account, api_for, post_xml, quiet_app, run_jobs, ticket_of};

/// WeChat's in-app browser on an iPhone, as it names itself.
const WECHAT_BROWSER: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) \
    AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50(0x1800323c) \
    NetType/WIFI Language/zh_CN";

#[tokio::test]
async fn a_wechat_ticket_is_rated_through_wechat_in_its_own_browser() {
    let peer = WechatPeer::start().await;
    let (app, _clock) = quiet_app().await;
    let id = account(&app, &peer).await;
    let (agent_id, agent) = api_for(&app, "wx.csat.agent", &[Role::Agent]).await;
    let xml = text_message(
        OPENID,
        app.now().as_second(),
        "洗衣机脱水时噪音很大",
        6_800_000_000_000_000_101,
    );
    assert_eq!(post_xml(&app, id, &xml).await.0, 200);
    run_jobs(&app).await;
    let ticket = ticket_of(&app, OPENID).await.expect("a ticket");
    let res = agent
        .json(
            Method::PATCH,
            &format!("/api/v1/tickets/{ticket}"),
            &json!({"status": "resolved", "assignee_id": agent_id}),
        )
        .await;
    assert_eq!(res.status(), 200);

    // The survey goes back the way the follower came: one WeChat text with the link.
    assert_eq!(app.app.send_csat_surveys().await.unwrap(), 1);
    run_jobs(&app).await;
    let delivered = peer.delivered();
    assert_eq!(delivered.len(), 1, "{delivered:?}");
    assert_eq!(delivered[0].body["touser"], OPENID);
    let content = delivered[0].body["text"]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    let start = content
        .find("/s/")
        .unwrap_or_else(|| panic!("no link in {content}"))
        + 3;
    let link: String = content[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();

    // WeChat's browser opens it with no sign-in: five buttons on a phone-sized page.
    let wechat = Session {
        client: reqwest::Client::builder()
            .cookie_store(true)
            .user_agent(WECHAT_BROWSER)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        base: app.base.clone(),
    };
    let res = wechat.get(&format!("/s/{link}")).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    for n in 1..=5 {
        assert!(
            html.contains(&format!("data-testid=\"csat-score-{n}\"")),
            "{html}"
        );
    }
    assert!(html.contains("name=\"viewport\""), "sized for a phone");
    let csrf = kefu_testkit::extract_csrf(&html).expect("the page's form token");
    let res = wechat
        .client
        .post(wechat.url(&format!("/s/{link}")))
        .form(&[("_csrf", csrf.as_str()), ("score", "4"), ("comment", "")])
        .send()
        .await
        .unwrap();
    assert!(
        res.status().is_success() || res.status().is_redirection(),
        "{}",
        res.status()
    );
    let mut conn = app.app.store.conn().await.unwrap();
    let score: Option<i64> =
        sqlx::query_scalar("SELECT score FROM csat_surveys WHERE ticket_id = $1")
            .bind(ticket)
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    assert_eq!(score, Some(4));
}
