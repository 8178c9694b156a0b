//! 待回拨 — an inbound call nobody answered becomes a callback for the agent its extension
//! rang at (or, rang at nobody's, for the channel's group), with a notification naming the
//! number masked; the workbench counts the callbacks as the page its tile opens lists them;
//! calling the customer back (an answered outbound call) or marking it done clears it.

use kefu_app::Actor;
use kefu_app::channel::phone::PhoneChannelForm;
use kefu_app::ticket::NewGroup;
use kefu_domain::Role;
use kefu_testkit::{Session, TEST_PASSWORD, TestApp, form_fields};
use serde_json::json;

use super::{Line, event, map, post_event};

/// The count on the workbench tile `key`, and the link it opens; `None` without the tile.
async fn tile(s: &Session, key: &str) -> Option<(i64, String)> {
    let home = s.get("/").await.text().await.unwrap();
    let at = home.find(&format!("data-tile=\"{key}\""))?;
    let tile = &home[at..at + home[at..].find("</article>").unwrap()];
    let count_at = tile.find("data-testid=\"tile-count\"").unwrap();
    let tag_start = tile[..count_at].rfind('<').unwrap();
    let tag = &tile[tag_start..count_at + tile[count_at..].find('>').unwrap()];
    let attr = |name: &str| {
        let marker = format!("{name}=\"");
        let i = tag.find(&marker).unwrap() + marker.len();
        tag[i..i + tag[i..].find('"').unwrap()].to_owned()
    };
    Some((attr("data-count").parse().unwrap(), attr("href")))
}

/// How many calls the page at `link` lists.
async fn listed(s: &Session, link: &str) -> i64 {
    let page = s.get(link).await.text().await.unwrap();
    page.matches("data-testid=\"call-row\"").count() as i64
}

/// A missed inbound call of `call` at `extension` from `from`: its id.
async fn missed(app: &TestApp, l: &Line, call: &str, extension: &str, from: &str) -> i64 {
    let mut ring = event(app, call, "ringing", from);
    ring["extension"] = json!(extension);
    let (status, answer) = post_event(app, l, &ring).await;
    assert_eq!(status, 201, "{answer}");
    let mut hangup = event(app, call, "hangup", from);
    hangup["extension"] = json!(extension);
    hangup["duration_secs"] = json!(0);
    let (_, answer) = post_event(app, l, &hangup).await;
    assert_eq!(answer["call_status"], "missed", "{answer}");
    answer["call"].as_i64().unwrap()
}

#[tokio::test]
async fn a_missed_call_is_a_callback_with_a_notification_counted_as_its_page_lists_it() {
    let app = TestApp::spawn().await;
    let a = app.create_user("cb.a", &[Role::Agent]).await;
    let b = app.create_user("cb.b", &[Role::Agent]).await;
    let group = app
        .app
        .create_group(
            &Actor::system(),
            &NewGroup {
                name: "热线组".into(),
                manager_user_id: None,
                assignment: "manual".into(),
                members: vec![b],
            },
        )
        .await
        .unwrap();
    let created = app
        .app
        .create_phone_channel(
            &Actor::system(),
            &PhoneChannelForm {
                name: "热线".into(),
                group_id: Some(group),
                area_code: String::new(),
                active: true,
            },
        )
        .await
        .unwrap();
    let l = Line {
        id: created.channel_id,
        secret: created.secret,
    };
    map(&app, &l, "8001", a).await;
    let sa = app.login("cb.a", TEST_PASSWORD).await;
    let sb = app.login("cb.b", TEST_PASSWORD).await;

    // Before any call: the tiles show, at 0, once a telephone system is switched on.
    assert_eq!(tile(&sa, "phone.callbacks").await.unwrap().0, 0);

    let mine = missed(&app, &l, "m-1", "8001", "13700001111").await;
    let groups = missed(&app, &l, "m-2", "8099", "13700002222").await;
    // An outbound call the customer did not pick up leaves no callback.
    let mut out = event(&app, "m-3", "hangup", "");
    out["direction"] = json!("outbound");
    out["to"] = json!("13700003333");
    let (_, answer) = post_event(&app, &l, &out).await;
    assert_eq!(answer["call_status"], "missed");

    for (s, who, call) in [(&sa, "a", mine), (&sb, "b", groups)] {
        let (n, link) = tile(s, "phone.callbacks")
            .await
            .expect("the callbacks tile");
        assert_eq!(link, "/calls?view=callbacks");
        assert_eq!(n, 1, "{who} has one callback");
        assert_eq!(
            listed(s, &link).await,
            n,
            "{who}: the tile counts the page's rows"
        );
        let page = s.get(&link).await.text().await.unwrap();
        assert!(page.contains(&format!("/calls/{call}")), "{who}: {page}");
        assert!(!page.contains("1370000"), "{who}: numbers masked");
    }
    // The notification names the number masked, and opens the call.
    let bell = sa.get("/notifications").await.text().await.unwrap();
    assert!(bell.contains("未接来电 137****1111"), "{bell}");
    assert!(!bell.contains("1370000"), "{bell}");
    let bell_b = sb.get("/notifications").await.text().await.unwrap();
    assert!(bell_b.contains("137****2222"), "{bell_b}");
    let note: i64 = {
        let mut c = app.app.store.conn().await.unwrap();
        sqlx::query_scalar("SELECT id FROM notifications WHERE user_id = $1")
            .bind(a)
            .fetch_one(&mut *c)
            .await
            .unwrap()
    };
    let res = sa
        .post_form(&format!("/notifications/{note}/open"), &[])
        .await;
    assert_eq!(res.headers()["location"], format!("/calls/{mine}"));

    // Calling the customer back (answered) clears the agent's callback by itself.
    let mut back = event(&app, "m-4", "answered", "");
    back["direction"] = json!("outbound");
    back["to"] = json!("137-0000-1111");
    let (status, answer) = post_event(&app, &l, &back).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(tile(&sa, "phone.callbacks").await.unwrap().0, 0);
    assert_eq!(listed(&sa, "/calls?view=callbacks").await, 0);

    // The group's callback is marked made from the call's page.
    let page = sb
        .get(&format!("/calls/{groups}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("data-testid=\"call-callback\""), "{page}");
    let fields = form_fields(&page, &format!("/calls/{groups}/callback"));
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .filter(|(k, _)| k != "_csrf")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let res = sb
        .post_form(&format!("/calls/{groups}/callback"), &fields)
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(tile(&sb, "phone.callbacks").await.unwrap().0, 0);
    assert_eq!(listed(&sb, "/calls?view=callbacks").await, 0);
    app.stop().await;
}

#[tokio::test]
async fn an_answered_call_without_a_ticket_waits_among_the_calls_to_log() {
    let app = TestApp::spawn().await;
    let a = app.create_user("ul.a", &[Role::Agent]).await;
    let l = super::line(&app, "").await;
    map(&app, &l, "8001", a).await;
    let s = app.login("ul.a", TEST_PASSWORD).await;
    for (call, talk) in [("u-1", 30), ("u-2", 75)] {
        post_event(&app, &l, &event(&app, call, "ringing", "13600001111")).await;
        let mut h = event(&app, call, "hangup", "13600001111");
        h["duration_secs"] = json!(talk);
        post_event(&app, &l, &h).await;
    }
    let (n, link) = tile(&s, "phone.unlogged")
        .await
        .expect("the calls-to-log tile");
    assert_eq!((n, link.as_str()), (2, "/calls?view=unlogged"));
    assert_eq!(listed(&s, &link).await, 2);
    // One set aside as needing no record: it leaves the list and the count.
    let page = s.get(&link).await.text().await.unwrap();
    let first: i64 = page
        .split("href=\"/calls/")
        .skip(1)
        .find_map(|r| r.split('"').next()?.parse().ok())
        .expect("a call on the list");
    let res = s.post_form(&format!("/calls/{first}/dismiss"), &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(tile(&s, "phone.unlogged").await.unwrap().0, 1);
    assert_eq!(listed(&s, &link).await, 1);
    app.stop().await;
}
