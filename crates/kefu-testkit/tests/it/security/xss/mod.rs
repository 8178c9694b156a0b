//! 跨站脚本 — markup stored in every field a person, a customer or a mail can fill, then
//! every page read back: each payload (a script element, an image's error handler, an SVG's
//! load handler raising an alert, after quotes and an angle bracket that close an attribute,
//! and a `javascript:` address) must come back as text. The walk reads every page of the
//! route table, as staff and as the portal customer, plus the lists and searches that show
//! the records and the queries pages echo; no page may hold the markup unescaped, and every
//! field meant to be shown must be shown somewhere (so the walk saw the payloads at all).
//! The same seed and walk drive the Chromium check (`browser/security.rs`), where a hook
//! proves nothing ran.
//!
//! Each payload sets `__xss` to its field's number, so a failure names the field.

mod seed;

use std::collections::BTreeSet;

use kefu_domain::Access;
use kefu_testkit::{Session, SmsPeer, TestApp, WechatPeer};
use kefu_web::Surface;
use kefu_web::auth::urlencode;
use reqwest::Method;

pub(crate) use seed::seed;

use super::anonymous;

/// The staff account that stores the payloads and reads every page: it holds every role.
pub(crate) const STAFF: &str = "xss.everyone";
/// The portal customer's e-mail (their password is `TEST_PASSWORD`).
pub(crate) const CUSTOMER_EMAIL: &str = "xss.customer@example.com";
/// The plain word every long payload starts with, for searches and pickers to find.
pub(crate) const WORD: &str = "跨站";

/// A field whose payload a page must show (as text) somewhere.
const SHOWN: bool = true;
/// A field seeded all the same, but not necessarily shown on a page.
const MAYBE: bool = false;

/// Markup that runs script if a page writes it out as HTML — a script element, an image's
/// error handler, an SVG's load handler raising an alert, each after quotes and an angle
/// bracket that would close an attribute — then a `javascript:` address. All set `__xss`
/// to `k`.
pub(crate) fn long(k: usize) -> String {
    format!(
        "{WORD}{k} \"'><script>__xss={k}</script><img src=x onerror=__xss={k}>\
         <svg onload=alert(__xss={k})> javascript:__xss={k}"
    )
}

/// One kind of markup, by `k`, in at most 32 characters: for names with a length limit.
pub(crate) fn short(k: usize) -> String {
    match k % 3 {
        0 => format!("\"'><script>__xss={k}</script>"),
        1 => format!("\"'><img src=x onerror=__xss={k}>"),
        _ => format!("\"'><svg onload=alert(__xss={k})>"),
    }
}

/// Markup without spaces, commas or quotes: a tag, a line of a holiday list.
pub(crate) fn tag(k: usize) -> String {
    format!("<svg/onload=__xss={k}>")
}

/// A file name that is markup.
pub(crate) fn file(k: usize) -> String {
    format!("<img src=x onerror=__xss={k}>.png")
}

/// What only a page writing stored text out unescaped could contain (lower case).
const RAW: &[&str] = &[
    "<script>__xss",
    "<img src=x onerror",
    "<svg onload",
    "<svg/onload",
    "href=\"javascript:",
    "href='javascript:",
    "href=javascript:",
    "src=\"javascript:",
    "action=\"javascript:",
];

/// The payload markup found unescaped in `html`, with where.
pub(crate) fn unescaped(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    RAW.iter()
        .filter_map(|m| {
            lower.find(m).map(|i| {
                let around: String = html[i..].chars().take(80).collect();
                format!("{m} unescaped: «{around}»")
            })
        })
        .collect()
}

/// The field numbers whose payloads `text` holds (escaped or not).
pub(crate) fn numbers(text: &str) -> BTreeSet<usize> {
    text.match_indices("__xss=")
        .filter_map(|(i, m)| {
            text[i + m.len()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse()
                .ok()
        })
        .collect()
}

/// The seeded fields by number (1-based, so `__xss` is never 0).
#[derive(Default)]
pub(crate) struct Fields(Vec<(String, bool)>);

impl Fields {
    fn next(&mut self, name: &str, shown: bool) -> usize {
        self.0.push((name.to_owned(), shown));
        self.0.len()
    }

    fn long(&mut self, name: &str, shown: bool) -> String {
        long(self.next(name, shown))
    }

    fn short(&mut self, name: &str, shown: bool) -> String {
        short(self.next(name, shown))
    }

    fn tag(&mut self, name: &str, shown: bool) -> String {
        tag(self.next(name, shown))
    }

    fn file(&mut self, name: &str, shown: bool) -> String {
        file(self.next(name, shown))
    }

    /// The number of the field called `name`.
    fn number_of(&self, name: &str) -> usize {
        self.0
            .iter()
            .position(|(n, _)| n == name)
            .map(|i| i + 1)
            .unwrap_or_else(|| panic!("no field {name}"))
    }

    /// The name of field `k`.
    pub(crate) fn name(&self, k: usize) -> &str {
        k.checked_sub(1)
            .and_then(|i| self.0.get(i))
            .map_or("?", |(n, _)| n.as_str())
    }

    /// The fields a page must show, by number.
    pub(crate) fn shown(&self) -> Vec<(usize, &str)> {
        self.0
            .iter()
            .enumerate()
            .filter(|(_, (_, shown))| *shown)
            .map(|(i, (n, _))| (i + 1, n.as_str()))
            .collect()
    }

    pub(crate) fn count(&self) -> usize {
        self.0.len()
    }
}

/// What the seed stored, and where the walk finds it.
pub(crate) struct Seeded {
    pub fields: Fields,
    /// Stores kefu refused (a field then cannot be seen; the test names it).
    pub refused: Vec<String>,
    pub staff: Session,
    pub portal: Session,
    /// The route table's `{id}` filled by path prefix, most specific first.
    pub ids: Vec<(&'static str, i64)>,
    /// The picture on the ticket, for `{attachment}`.
    pub attachment: i64,
    /// Pages beyond the table's: lists filtered to the records, searches, echoed queries.
    pub extra: Vec<String>,
    /// The ticket every field of a ticket was filled on.
    pub ticket: i64,
    /// The SMS gateway and WeChat's API the channels point at, alive while the test runs.
    _peers: (SmsPeer, WechatPeer),
}

/// The path with the route table's placeholders filled with the seeded records.
fn fill(path: &str, s: &Seeded) -> String {
    let id = s
        .ids
        .iter()
        .find(|(prefix, _)| path.starts_with(prefix))
        .map_or(1, |(_, id)| *id);
    path.replace("{id}", &id.to_string())
        .replace("{attachment}", &s.attachment.to_string())
        .replace("{mail}", "1")
        .replace("{token}", "0")
}

/// What the walk found.
pub(crate) struct Walk {
    /// Pages whose HTML shows a payload, as the staff member and as the portal customer.
    pub staff_pages: Vec<String>,
    pub portal_pages: Vec<String>,
    /// Field numbers shown on some page.
    pub seen: BTreeSet<usize>,
    /// Markup found unescaped, or a page without the script policy.
    pub problems: Vec<String>,
    /// HTML pages read.
    pub pages: usize,
}

/// Reads every page of the route table (GET, HTML) and the seed's extra pages: the portal's
/// as the customer, the rest as the staff member.
pub(crate) async fn walk(s: &Seeded) -> Walk {
    let mut w = Walk {
        staff_pages: Vec::new(),
        portal_pages: Vec::new(),
        seen: BTreeSet::new(),
        problems: Vec::new(),
        pages: 0,
    };
    let mut paths: Vec<(bool, String)> = Vec::new();
    for spec in kefu_web::route_specs() {
        if spec.surface != Surface::Page || spec.method != Method::GET {
            continue;
        }
        let portal = spec.access == Access::Customer
            || spec.path.starts_with("/portal")
            || spec.path.starts_with("/support");
        paths.push((portal, fill(spec.path, s)));
    }
    paths.extend(s.extra.iter().map(|p| (false, p.clone())));
    let mut done = BTreeSet::new();
    for (portal, path) in paths {
        if !done.insert((portal, path.clone())) {
            continue;
        }
        let who = if portal { &s.portal } else { &s.staff };
        let res = who.get(&path).await;
        let is_html = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("text/html"));
        // Files, exports and live event streams are not pages (a stream never ends).
        if !is_html {
            continue;
        }
        let csp = res
            .headers()
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        if !csp.contains("script-src 'self'") || csp.contains("unsafe-inline") {
            w.problems.push(format!("{path}: script policy {csp:?}"));
        }
        let html = res.text().await.unwrap_or_default();
        w.pages += 1;
        for problem in unescaped(&html) {
            w.problems.push(format!("{path}: {problem}"));
        }
        let found = numbers(&html);
        if !found.is_empty() {
            if portal {
                w.portal_pages.push(path.clone());
            } else {
                w.staff_pages.push(path.clone());
            }
        }
        w.seen.extend(found);
    }
    w
}

#[tokio::test]
async fn stored_and_echoed_markup_is_shown_as_text_on_every_page() {
    let app = TestApp::spawn().await;
    let s = seed(&app).await;
    let w = walk(&s).await;
    assert!(
        w.problems.is_empty(),
        "{} problems:\n{}",
        w.problems.len(),
        w.problems.join("\n")
    );
    let unseen: Vec<String> = s
        .fields
        .shown()
        .into_iter()
        .filter(|(k, _)| !w.seen.contains(k))
        .map(|(k, name)| format!("{k} {name}"))
        .collect();
    assert!(
        unseen.is_empty(),
        "fields no page showed: {unseen:?}\nstores refused: {:#?}",
        s.refused
    );
    assert!(w.pages > 60, "only {} pages were read", w.pages);

    // What the sign-in forms echo after a refusal comes back as text too.
    let visitor = anonymous(&app);
    let name = long(0);
    let res = visitor.sign_in(&name, "not-the-password").await;
    assert_eq!(res.status(), 401);
    let html = res.text().await.unwrap();
    assert!(html.contains("__xss=0"), "the name typed comes back");
    assert!(unescaped(&html).is_empty(), "{:?}", unescaped(&html));
    let res = visitor
        .post_form(
            "/portal/login",
            &[
                ("email", name.as_str()),
                ("password", "not-the-password"),
                ("next", "/portal"),
            ],
        )
        .await;
    let html = res.text().await.unwrap();
    assert!(unescaped(&html).is_empty(), "{:?}", unescaped(&html));
    let next = format!("/login?next={}", urlencode(&format!("/{}", long(0))));
    let html = visitor.get(&next).await.text().await.unwrap();
    assert!(unescaped(&html).is_empty(), "{:?}", unescaped(&html));

    println!(
        "xss walk: {} fields seeded ({} refused), {} pages read, {} show a payload, {} fields seen",
        s.fields.count(),
        s.refused.len(),
        w.pages,
        w.staff_pages.len() + w.portal_pages.len(),
        w.seen.len()
    );
    app.stop().await;
}
