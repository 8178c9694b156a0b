//! Signing in and seeing the dashboard, at desktop and phone widths.

use fantoccini::Locator;
use kefu_domain::Role;
use kefu_testkit::browser::{self, Browser};
use kefu_testkit::{TEST_PASSWORD, TestApp};

use super::assert_no_sideways_scroll;

#[tokio::test]
async fn sign_in_and_see_the_dashboard_in_chromium() {
    if browser::missing() {
        return;
    }
    let app = TestApp::spawn().await;
    app.create_user("wang.jingli", &[Role::CsManager, Role::Admin])
        .await;
    let b = Browser::start().await;
    let c = &b.client;

    c.goto(&app.url("/")).await.unwrap();
    assert!(
        c.current_url().await.unwrap().path().starts_with("/login"),
        "anonymous visitors are sent to sign in"
    );
    b.screenshot("login").await;

    c.find(Locator::Id("username"))
        .await
        .unwrap()
        .send_keys("wang.jingli")
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys("wrong password")
        .await
        .unwrap();
    c.find(Locator::Id("login-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let error = c
        .wait()
        .for_element(Locator::Css("[data-testid=login-error]"))
        .await
        .unwrap();
    assert_eq!(error.text().await.unwrap(), "用户名或密码错误。");

    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(TEST_PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Id("login-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let title = c
        .wait()
        .for_element(Locator::Css("[data-testid=dashboard-title]"))
        .await
        .unwrap();
    assert_eq!(title.text().await.unwrap(), "工作台");
    let who = c
        .find(Locator::Css("[data-testid=who]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(who, "测试 wang.jingli");
    let panels = c.find_all(Locator::Css(".panel h2")).await.unwrap();
    assert_eq!(panels.len(), 2, "one panel per role");
    // The administration pages are under 设置, which opens in place and closes again.
    let settings = c
        .find(Locator::Css("[data-testid=navmenu-summary]"))
        .await
        .unwrap();
    settings.click().await.unwrap();
    let nav = c
        .find(Locator::Css("nav.mainnav"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        nav.contains("用户管理") && nav.contains("审计日志"),
        "{nav}"
    );
    settings.click().await.unwrap();
    assert_no_sideways_scroll(c, "dashboard at 1280 px").await;
    let desktop = b.screenshot("dashboard-1280").await;

    // On a phone the navigation folds behind the menu button.
    c.set_window_size(390, 844).await.unwrap();
    let menu = c.find(Locator::Css(".nav-toggle-label")).await.unwrap();
    assert!(
        menu.is_displayed().await.unwrap(),
        "the menu button shows on a phone"
    );
    let users_link = c
        .find(Locator::Css("nav.mainnav a[href='/admin/users']"))
        .await
        .unwrap();
    assert!(
        !users_link.is_displayed().await.unwrap(),
        "the menu is folded"
    );
    assert_no_sideways_scroll(c, "dashboard on a phone").await;
    b.screenshot("dashboard-phone").await;
    menu.click().await.unwrap();
    assert!(
        settings.is_displayed().await.unwrap(),
        "the menu opens on 设置"
    );
    settings.click().await.unwrap();
    assert!(
        users_link.is_displayed().await.unwrap(),
        "设置 opens in the menu"
    );
    b.screenshot("dashboard-phone-menu").await;

    eprintln!("screenshots: {}", desktop.parent().unwrap().display());
    b.close().await;
    app.stop().await;
}
