//! 登录限制 — what a sign-in answers never tells whether the account exists: an unknown name,
//! a wrong password and a switched-off account read alike, and so does the throttle that
//! follows (same status, same words, same wait); every throttled attempt is audited with the
//! address, on the staff sign-in and the portal's.

use kefu_app::Settings;
use kefu_domain::Role;
use kefu_testkit::{Session, TEST_PASSWORD, TestApp, TestOptions};

use super::anonymous;

/// The status, `Retry-After` and page of an answer, with the name typed (which the form
/// keeps filled in) replaced, so answers about different names compare.
async fn answer(res: reqwest::Response, typed: &str) -> (u16, Option<String>, String) {
    let status = res.status().as_u16();
    let retry = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let page = res.text().await.unwrap().replace(typed, "□");
    (status, retry, page)
}

fn throttling(per_account: i64) -> TestOptions {
    TestOptions {
        settings: Settings {
            throttle_per_account: per_account,
            throttle_per_ip: 50,
            ..Settings::default()
        },
        ..Default::default()
    }
}

async fn staff_attempt(
    s: &Session,
    username: &str,
    password: &str,
) -> (u16, Option<String>, String) {
    answer(s.sign_in(username, password).await, username).await
}

#[tokio::test]
async fn throttled_sign_ins_read_the_same_whether_the_account_exists() {
    let app = TestApp::spawn_with(throttling(2)).await;
    app.create_user("lt.real", &[Role::Agent]).await;
    let gone = app.create_user("lt.gone", &[Role::Agent]).await;
    app.app
        .set_user_active(&kefu_app::Actor::system(), gone, false)
        .await
        .unwrap();
    let s = anonymous(&app);
    // The real account with a wrong password, a name nobody has, a switched-off account
    // with its right password.
    let attempts = [
        ("lt.real", "wrong-password-1"),
        ("lt.ghost", "wrong-password-1"),
        ("lt.gone", TEST_PASSWORD),
    ];
    for round in 0..2 {
        let mut answers = Vec::new();
        for (name, password) in attempts {
            answers.push(staff_attempt(&s, name, password).await);
        }
        assert_eq!(answers[0].0, 401, "round {round}");
        assert!(answers[0].2.contains("用户名或密码错误"));
        assert!(
            answers.iter().all(|a| *a == answers[0]),
            "round {round}: the answers differ"
        );
    }
    // Two failures each: the third attempt is throttled, alike for all three, even with
    // the real account's right password.
    let throttled = [
        ("lt.real", TEST_PASSWORD),
        ("lt.ghost", TEST_PASSWORD),
        ("lt.gone", TEST_PASSWORD),
    ];
    let mut answers = Vec::new();
    for (name, password) in throttled {
        answers.push(staff_attempt(&s, name, password).await);
    }
    assert_eq!(answers[0].0, 429);
    assert!(answers[0].1.is_some(), "a Retry-After");
    assert!(answers[0].2.contains("登录失败次数过多"));
    assert!(
        answers.iter().all(|a| *a == answers[0]),
        "the throttled answers differ"
    );

    let entries = app.audit_entries("login_throttled").await;
    assert_eq!(entries.len(), 3);
    let mut targets: Vec<&str> = entries
        .iter()
        .map(|e| e.target_id.as_deref().unwrap_or_default())
        .collect();
    targets.sort_unstable();
    assert_eq!(targets, ["lt.ghost", "lt.gone", "lt.real"]);
    assert!(entries.iter().all(|e| e.ip.as_deref() == Some("127.0.0.1")));
    assert_eq!(app.audit_entries("login_failed").await.len(), 6);
    app.stop().await;
}

async fn portal_attempt(s: &Session, email: &str, password: &str) -> (u16, Option<String>, String) {
    let res = s
        .post_form(
            "/portal/login",
            &[
                ("email", email),
                ("password", password),
                ("next", "/portal"),
            ],
        )
        .await;
    let (status, _, page) = answer(res, email).await;
    (status, None, page)
}

#[tokio::test]
async fn portal_sign_ins_read_the_same_and_their_throttling_is_audited() {
    let app = TestApp::spawn_with(throttling(2)).await;
    let res = anonymous(&app)
        .post_form(
            "/portal/register",
            &[
                ("email", "lt.customer@example.com"),
                ("name", "林女士"),
                ("password", TEST_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let s = anonymous(&app);
    let emails = ["lt.customer@example.com", "lt.nobody@example.com"];
    for round in 0..2 {
        let real = portal_attempt(&s, emails[0], "wrong-password-1").await;
        let ghost = portal_attempt(&s, emails[1], "wrong-password-1").await;
        assert_eq!(real.0, 401, "round {round}: {}", real.2);
        assert_eq!(real, ghost, "round {round}: the answers differ");
    }
    let real = portal_attempt(&s, emails[0], TEST_PASSWORD).await;
    let ghost = portal_attempt(&s, emails[1], TEST_PASSWORD).await;
    assert_eq!(real.0, 429, "{}", real.2);
    assert_eq!(real, ghost, "the throttled answers differ");

    let entries = app.audit_entries("portal_login_throttled").await;
    assert_eq!(entries.len(), 2);
    let mut targets: Vec<&str> = entries
        .iter()
        .map(|e| e.target_id.as_deref().unwrap_or_default())
        .collect();
    targets.sort_unstable();
    assert_eq!(targets, emails);
    assert!(entries.iter().all(|e| e.ip.as_deref() == Some("127.0.0.1")));
    app.stop().await;
}
