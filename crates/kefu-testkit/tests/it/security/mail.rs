//! HTML mail: read as text (scripts, styles and tags with their handlers and addresses
//! gone), its pages and SVGs quarantined and never served, its pictures served as pictures.
//! The mail builders serve the XSS seed too.

use kefu_app::Actor;
use kefu_domain::Role;
use kefu_testkit::{TEST_PASSWORD, TestApp};

use super::PNG;
use super::xss::unescaped;
use crate::mail_ingest::{base64_lines, word};

/// An HTML-only mail with a picture, an HTML page and an SVG attached: what a mail client
/// sends, and what kefu must read as text (the page and the SVG are quarantined).
pub(crate) fn html_mail(
    message_id: &str,
    from_name: &str,
    subject: &str,
    html: &str,
    picture_name: &str,
) -> Vec<u8> {
    let page = "<html><body><script>window.__xss='xss-mail-page'</script>附件页面</body></html>";
    let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"window.__xss='xss-mail-svg-file'\">\
               <script>window.__xss='xss-mail-svg-script'</script></svg>";
    let picture = word(picture_name);
    format!(
        "From: {} <xss.sender@example.com>\r\nTo: support@xss.example\r\nSubject: {}\r\n\
         Message-ID: <{message_id}>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0800\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"mix\"\r\n\r\n\
         --mix\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n\
         --mix\r\nContent-Type: image/png; name=\"{picture}\"\r\n\
         Content-Disposition: attachment; filename=\"{picture}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n\
         --mix\r\nContent-Type: text/html; charset=utf-8; name=\"page.html\"\r\n\
         Content-Disposition: attachment; filename=\"page.html\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n\
         --mix\r\nContent-Type: image/svg+xml; name=\"logo.svg\"\r\n\
         Content-Disposition: attachment; filename=\"logo.svg\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n\
         --mix--\r\n",
        word(from_name),
        word(subject),
        base64_lines(html.as_bytes()),
        base64_lines(PNG),
        base64_lines(page.as_bytes()),
        base64_lines(svg.as_bytes()),
    )
    .into_bytes()
}

/// The HTML body of the seeded mail: real tags whose scripts, handlers and addresses must
/// vanish (marked `xss-mail-…`), visible text, and markup written as entities, which becomes
/// text that looks like markup (field `k`).
pub(crate) fn mail_html(k: usize) -> String {
    format!(
        "<html><head><title>标题不应出现</title>\
         <style>body{{background:url(javascript:window.__xss='xss-mail-style')}}</style>\
         <script>window.__xss='xss-mail-script'</script></head><body>\
         <div>您好，空调外机噪音大，请尽快处理。</div>\
         <img src=\"cid:none\" onerror=\"window.__xss='xss-mail-img'\">\
         <a href=\"javascript:window.__xss='xss-mail-link'\">点我查看</a>\
         <iframe src=\"javascript:window.__xss='xss-mail-frame'\"></iframe>\
         <svg onload=\"window.__xss='xss-mail-svg'\"></svg>\
         <p>&lt;img src=x onerror=__xss={k}&gt; &lt;script&gt;__xss={k}&lt;/script&gt;</p>\
         </body></html>"
    )
}

/// An HTML-only mail is read as text: what a script, a style sheet or a title held is gone,
/// tags and their handlers and addresses with them, the visible words stay, and markup
/// written as entities becomes text that the ticket page escapes. Its HTML page and SVG are
/// quarantined and never served; its picture is served as a picture.
#[tokio::test]
async fn html_mail_is_kept_as_text_and_its_pages_are_never_served() {
    let app = TestApp::spawn().await;
    let mb = crate::mail_ingest::mailbox(&app).await;
    let raw = html_mail(
        "html-mail@example.com",
        "王芳",
        "空调噪音",
        &mail_html(7),
        "现场.png",
    );
    let (status, answer) = crate::mail_ingest::post_mail(&app, &mb, &raw).await;
    assert_eq!(status, 201, "{answer}");
    let ticket = answer["ticket_id"].as_i64().expect("a ticket");
    let d = app
        .app
        .ticket_detail(&Actor::system(), ticket)
        .await
        .unwrap();
    let body = &d.messages[0].body;
    assert!(
        body.contains("请尽快处理") && body.contains("点我查看"),
        "{body}"
    );
    for gone in [
        "标题不应出现",
        "xss-mail-style",
        "xss-mail-script",
        "xss-mail-img",
        "xss-mail-link",
        "xss-mail-frame",
        "xss-mail-svg",
        "<iframe",
        "<svg",
    ] {
        assert!(!body.contains(gone), "{gone} is in the text: {body}");
    }
    assert!(
        body.contains("<img src=x onerror=__xss=7>"),
        "the entities read as the characters they stand for: {body}"
    );

    app.create_user("mail.reader", &[Role::Agent]).await;
    let s = app.login("mail.reader", TEST_PASSWORD).await;
    let page = s.get(&format!("/tickets/{ticket}")).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("__xss=7"), "the text is shown");
    assert!(unescaped(&html).is_empty(), "{:?}", unescaped(&html));
    assert!(
        !html.contains("xss-mail-"),
        "no handler of the mail reaches the page"
    );

    let by_name = |name: &str| {
        d.attachments
            .iter()
            .find(|a| a.filename == name)
            .unwrap_or_else(|| panic!("{name} among {:?}", d.attachments))
    };
    for name in ["page.html", "logo.svg"] {
        let a = by_name(name);
        assert!(a.quarantined, "{name} is quarantined");
        let res = s
            .get(&format!("/tickets/{ticket}/attachments/{}", a.id))
            .await;
        assert_eq!(res.status(), 404, "{name} is never served");
    }
    let picture = by_name("现场.png");
    assert!(!picture.quarantined);
    let res = s
        .get(&format!("/tickets/{ticket}/attachments/{}", picture.id))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/png");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    app.stop().await;
}
