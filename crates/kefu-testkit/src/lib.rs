//! kefu-testkit — starts the real kefu on a random port against a fresh database, and
//! talks HTTP to it.
//!
//! Every [`TestApp`] gets its own database: a new SQLite file in a temporary directory, or,
//! when `KEFU_TEST_DATABASE_URL` names a PostgreSQL server, a new uniquely named database
//! on it. Tests therefore run in parallel and the same suite runs on both backends.

pub mod browser;
pub mod chat_client;
pub mod host_page;
pub mod imap_peer;
pub mod postfix_peer;
pub mod server_process;
pub mod sms_peer;
pub mod smtp_peer;
pub mod wechat_peer;

pub use imap_peer::ImapPeer;
pub use postfix_peer::PostfixPeer;
pub use server_process::ServerProcess;
pub use sms_peer::SmsPeer;
pub use smtp_peer::SmtpPeer;
pub use wechat_peer::WechatPeer;

// A private PostgreSQL per test, to restart, stop and crash (see `pg_peer`).
pub mod pg_peer;
pub use pg_peer::PgPeer;

// haproxy in front of several kefu instances (see `balancer`).
pub mod balancer;
pub use balancer::Balancer;
pub use server_process::ProcessOptions;

// pg_auto_failover: a monitor, a primary and a secondary that fail over by themselves (see
// `auto_failover`).
pub mod auto_failover;
pub use auto_failover::PgAutoFailover;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use kefu::config::ServerConfig;
use kefu::server::{self, RunOptions};
use kefu_app::users::UserForm;
use kefu_app::{Actor, App, Settings};
use kefu_domain::{Clock, FixedClock, Locale, Role, RoleSet, SystemClock};
use kefu_store::Backend;
use kefu_web::WebConfig;
use sqlx::{Connection, Executor};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The password every user made by [`TestApp::create_user`] has.
pub const TEST_PASSWORD: &str = "测试密码-correct-horse";

/// Knobs a test may turn before the server starts.
#[derive(Clone, Default)]
pub struct TestOptions {
    pub web: WebConfig,
    pub settings: Settings,
    /// A clock the test controls; the real clock when `None`.
    pub clock: Option<Arc<FixedClock>>,
    /// Run no background job worker in this server (for tests of the job queue itself).
    pub without_worker: bool,
    /// How often the search index reads the change log (100 ms unless set); a test that
    /// loads a large company and searches nothing sets it long, so indexing leaves the
    /// machine to the test.
    pub search_poll: Option<Duration>,
    /// Serve the database of a running test app (its `database_url`) as a second instance,
    /// instead of a fresh one.
    pub join_database: Option<String>,
    /// `read_database_url`: a PostgreSQL replica the reports read from.
    pub read_database_url: Option<String>,
}

/// A running kefu.
pub struct TestApp {
    pub base: String,
    pub app: App,
    pub database_url: String,
    /// Password of the bootstrap `admin` account (must be changed at first sign-in).
    pub admin_password: String,
    pub clock: Option<Arc<FixedClock>>,
    shutdown: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<Result<(), String>>>,
    temp_dir: Option<PathBuf>,
    search_dir: Option<PathBuf>,
}

/// Makes ring the process's TLS crypto: the workspace's reqwest is built without a
/// provider of its own (kefu hands its client a ready TLS setup), so the test clients need
/// one installed before they are built.
pub fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

pub(crate) fn unique_name() -> String {
    let mut b = [0u8; 6];
    getrandom::fill(&mut b).expect("randomness");
    hex::encode(b)
}

/// A fresh database URL: a PostgreSQL database created for this test, or a SQLite file.
async fn fresh_database() -> (String, Option<PathBuf>) {
    match std::env::var("KEFU_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        Some(server_url) => {
            sqlx::any::install_default_drivers();
            let name = format!("kefu_t_{}", unique_name());
            let mut conn = sqlx::AnyConnection::connect(&server_url)
                .await
                .unwrap_or_else(|e| {
                    panic!("cannot reach the test PostgreSQL at {server_url}: {e}")
                });
            conn.execute(format!("CREATE DATABASE {name}").as_str())
                .await
                .expect("create test database");
            let _ = conn.close().await;
            let (base, query) = server_url
                .split_once('?')
                .map_or((server_url.as_str(), None), |(b, q)| (b, Some(q)));
            let base = &base[..base.rfind('/').expect("URL has a database path")];
            let url = match query {
                Some(q) => format!("{base}/{name}?{q}"),
                None => format!("{base}/{name}"),
            };
            (url, None)
        }
        None => {
            let dir = std::env::temp_dir().join(format!("kefu-test-{}", unique_name()));
            std::fs::create_dir_all(&dir).expect("temp dir");
            (kefu::config::sqlite_url(&dir), Some(dir))
        }
    }
}

/// A fresh, empty database nobody has started kefu on yet — for tests that start their
/// own servers on it (several instances at once). The URL, and the SQLite file's directory
/// to remove afterwards (`None` on PostgreSQL).
pub async fn fresh_database_url() -> (String, Option<PathBuf>) {
    fresh_database().await
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(TestOptions::default()).await
    }

    /// A fresh kefu whose clock stands at `at` (an RFC 3339 instant) and whose job rounds
    /// the test runs by hand (no background worker): the app and its clock.
    pub async fn quiet_at(at: &str) -> (TestApp, Arc<FixedClock>) {
        let clock = Arc::new(FixedClock::new(at.parse().expect("an RFC 3339 instant")));
        let app = TestApp::spawn_with(TestOptions {
            clock: Some(clock.clone()),
            without_worker: true,
            ..TestOptions::default()
        })
        .await;
        (app, clock)
    }

    pub async fn spawn_with(options: TestOptions) -> TestApp {
        install_crypto();
        let (database_url, temp_dir) = match &options.join_database {
            Some(url) => (url.clone(), None),
            None => fresh_database().await,
        };
        TestApp::start(database_url, temp_dir, options, None).await
    }

    /// A second kefu on this one's database, as a larger site runs several instances behind
    /// a load balancer: its own port, search index, job worker and in-process state, the
    /// same clock. What one instance writes, the other reads from the database.
    pub async fn spawn_peer(&self) -> TestApp {
        self.peer_with(false).await
    }

    /// [`spawn_peer`](Self::spawn_peer) without its job worker: a test that runs a job's
    /// round by hand on both instances, so no background round can take it first.
    pub async fn spawn_quiet_peer(&self) -> TestApp {
        self.peer_with(true).await
    }

    async fn peer_with(&self, without_worker: bool) -> TestApp {
        let options = TestOptions {
            clock: self.clock.clone(),
            without_worker,
            ..TestOptions::default()
        };
        TestApp::start(
            self.database_url.clone(),
            None,
            options,
            Some(self.admin_password.clone()),
        )
        .await
    }

    /// Starts kefu on `database_url`; `temp_dir` (the SQLite file's) is removed when it
    /// stops. `admin_password` is the bootstrap administrator's when the database had one
    /// already (a peer's); a process joining a database by URL alone knows none.
    async fn start(
        database_url: String,
        temp_dir: Option<PathBuf>,
        options: TestOptions,
        admin_password: Option<String>,
    ) -> TestApp {
        // Every test app keeps its own search index, as every instance does.
        let search_dir = std::env::temp_dir().join(format!("kefu-search-{}", unique_name()));
        let mut config = ServerConfig {
            listen: "127.0.0.1:0".parse().expect("address"),
            database_url: database_url.clone(),
            read_database_url: options.read_database_url.clone(),
            web: options.web.clone(),
            app: options.settings.clone(),
            search_dir: Some(search_dir.clone()),
        };
        // Bound first, so the links kefu writes in mail point at this server.
        let listener = TcpListener::bind(config.listen).await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        config.app.public_url = base.clone();
        capture_logs();
        let clock: Arc<dyn Clock> = match &options.clock {
            Some(c) => c.clone(),
            None => Arc::new(SystemClock),
        };
        let prepared = server::prepare(&config, clock)
            .await
            .expect("kefu prepares");
        let admin_password = match (prepared.admin_password.clone(), admin_password) {
            (Some(fresh), _) | (None, Some(fresh)) => fresh,
            (None, None) if options.join_database.is_some() => String::new(),
            (None, None) => panic!("a fresh database bootstraps the admin"),
        };
        let (tx, rx) = oneshot::channel::<()>();
        let app = prepared.app.clone();
        let run_options = RunOptions {
            job_poll: (!options.without_worker).then_some(Duration::from_millis(200)),
            search_poll: options.search_poll.unwrap_or(Duration::from_millis(100)),
            search_rebuild: prepared.search_rebuild,
            ..RunOptions::default()
        };
        let handle = tokio::spawn(async move {
            server::run(prepared.app, config.web, listener, run_options, async {
                let _ = rx.await;
            })
            .await
            .map_err(|e| e.to_string())
        });
        TestApp {
            base,
            app,
            database_url,
            admin_password,
            clock: options.clock,
            shutdown: Some(tx),
            handle: Some(handle),
            temp_dir,
            search_dir: Some(search_dir),
        }
    }

    pub fn backend(&self) -> Backend {
        self.app.store.backend()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A browser-like client: keeps cookies, does not follow redirects (tests look at them).
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    /// Adds a user with the given roles and [`TEST_PASSWORD`]; returns the id.
    pub async fn create_user(&self, username: &str, roles: &[Role]) -> i64 {
        self.create_user_in(username, roles, None).await
    }

    /// A user of department `department` (a key such as `quality`).
    pub async fn create_user_in(
        &self,
        username: &str,
        roles: &[Role],
        department: Option<&str>,
    ) -> i64 {
        let form = UserForm {
            username: username.to_owned(),
            display_name: format!("测试 {username}"),
            email: None,
            password: Some(TEST_PASSWORD.to_owned()),
            department: department.map(str::to_owned),
            level: None,
            locale: Locale::ZhCn,
            roles: RoleSet::new(roles.iter().copied()),
        };
        self.app
            .create_user(&Actor::system(), &form)
            .await
            .expect("create user")
            .user
            .id
    }

    /// Signs in through the login form, as a browser would.
    pub async fn login(&self, username: &str, password: &str) -> Session {
        let session = Session {
            client: self.client(),
            base: self.base.clone(),
        };
        let res = session.sign_in(username, password).await;
        assert_eq!(res.status(), 303, "sign-in of {username} should redirect");
        session
    }

    /// The audit log's entries of one action, newest first (up to 500).
    pub async fn audit_entries(&self, action: &str) -> Vec<kefu_store::audit::AuditEntry> {
        let f = kefu_store::audit::AuditFilter {
            action: Some(action),
            limit: 500,
            ..Default::default()
        };
        self.app
            .audit_log(&kefu_app::Actor::system(), &f)
            .await
            .expect("audit log")
    }

    /// How many notifications of `kind` were made, for `user` or for anyone.
    pub async fn notified(&self, kind: &str, user: Option<i64>) -> i64 {
        let mut conn = self.app.store.conn().await.expect("a connection");
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM notifications WHERE kind = $1 AND ($2 = 0 OR user_id = $2)",
        )
        .bind(kind)
        .bind(user.unwrap_or(0))
        .fetch_one(&mut *conn)
        .await
        .expect("notifications")
    }

    /// A personal API token for the user.
    pub async fn token_for(&self, user_id: i64) -> String {
        self.app
            .create_token(&Actor::system(), user_id, "test")
            .await
            .expect("token")
            .secret
    }

    pub fn now(&self) -> Timestamp {
        self.app.now()
    }

    /// Stops the server the way Ctrl-C does and waits for it.
    pub async fn stop(mut self) {
        self.shutdown_and_wait().await;
    }

    async fn shutdown_and_wait(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.handle.take() {
            // A loaded machine may take a while; what holds a stop up is logged after 10 s.
            let result = tokio::time::timeout(Duration::from_secs(45), h).await;
            match result {
                Ok(Ok(Ok(()))) => {}
                Ok(Ok(Err(e))) => panic!("kefu stopped with an error: {e}"),
                Ok(Err(e)) => panic!("kefu task failed: {e}"),
                Err(_) => panic!(
                    "kefu did not stop within 45 s (the log line 'shutdown is still waiting' names the part)"
                ),
            }
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(dir) = self.temp_dir.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some(dir) = self.search_dir.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// A signed-in (or anonymous) browser session.
pub struct Session {
    pub client: reqwest::Client,
    pub base: String,
}

impl Session {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    /// The CSRF token the pages hand this browser (read from a form, as a browser would):
    /// a signed-in user's (bound to their session), else a portal customer's (bound to
    /// theirs), else the sign-in page's (bound to the pre-session cookie).
    pub async fn csrf(&self) -> String {
        for page in ["/account", "/portal", "/login"] {
            let body = self.get(page).await.text().await.expect("body");
            if let Some(token) = extract_csrf(&body) {
                return token;
            }
        }
        panic!("no CSRF token found on /account, /portal or /login");
    }

    /// Posts a form with this session's CSRF token added.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let csrf = self.csrf().await;
        let mut all: Vec<(&str, &str)> = vec![("_csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.client
            .post(self.url(path))
            .form(&all)
            .send()
            .await
            .expect("POST")
    }

    pub async fn sign_in(&self, username: &str, password: &str) -> reqwest::Response {
        self.post_form(
            "/login",
            &[
                ("username", username),
                ("password", password),
                ("next", "/"),
            ],
        )
        .await
    }
}

pub fn extract_csrf(html: &str) -> Option<String> {
    let marker = "name=\"_csrf\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

/// A client for the JSON API with a bearer token.
pub struct ApiClient {
    pub client: reqwest::Client,
    pub base: String,
    pub token: String,
}

impl ApiClient {
    pub fn new(app: &TestApp, token: &str) -> ApiClient {
        ApiClient {
            client: app.client(),
            base: app.base.clone(),
            token: token.to_owned(),
        }
    }

    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}{}", self.base, path))
            .bearer_auth(&self.token)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.request(reqwest::Method::GET, path)
            .send()
            .await
            .expect("GET")
    }

    pub async fn json(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        self.request(method, path)
            .json(body)
            .send()
            .await
            .expect("request")
    }
}

/// Reads a JSON body.
pub async fn json_body(res: reqwest::Response) -> serde_json::Value {
    let text = res.text().await.expect("body");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Undoes the escaping askama applies to text and attribute values.
pub fn unescape_html(v: &str) -> String {
    v.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&#60;", "<")
        .replace("&gt;", ">")
        .replace("&#62;", ">")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

/// The value of attribute `name` in one tag's text (`<input name="a" value="b">`).
fn attribute(tag: &str, name: &str) -> Option<String> {
    let marker = format!(" {name}=\"");
    let start = tag.find(&marker)? + marker.len();
    let end = tag[start..].find('"')? + start;
    Some(unescape_html(&tag[start..end]))
}

/// Whether one tag's text carries the boolean attribute `name`.
fn has_flag(tag: &str, name: &str) -> bool {
    tag.split([' ', '>', '/'])
        .any(|word| word == name || word.starts_with(&format!("{name}=")))
}

/// The fields of the page's form posting to `action`, as a browser sends them when the
/// reader touches nothing: inputs with their values (checkboxes and radios only when
/// checked, disabled ones and buttons not at all), each select's selected option (else its
/// first), each textarea's text. Made for kefu's own templates, not for any HTML.
pub fn form_fields(html: &str, action: &str) -> Vec<(String, String)> {
    let marker = format!("action=\"{action}\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no form posting to {action}"));
    let end = html[start..].find("</form>").expect("the form ends") + start;
    let form = &html[start..end];
    let mut fields = Vec::new();
    let mut rest = form;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        let close = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..close];
        let kind = tag.split([' ', '>']).next().unwrap_or_default();
        let Some(name) = attribute(tag, "name") else {
            continue;
        };
        if has_flag(tag, "disabled") {
            continue;
        }
        match kind {
            "input" => {
                let ty = attribute(tag, "type").unwrap_or_else(|| "text".into());
                let value = attribute(tag, "value").unwrap_or_default();
                match ty.as_str() {
                    "checkbox" | "radio" => {
                        if has_flag(tag, "checked") {
                            let value = if value.is_empty() { "on".into() } else { value };
                            fields.push((name, value));
                        }
                    }
                    "submit" | "button" | "file" => {}
                    _ => fields.push((name, value)),
                }
            }
            "textarea" => {
                let body = &rest[close + 1..];
                let text = &body[..body.find("</textarea>").unwrap_or(0)];
                fields.push((name, unescape_html(text)));
            }
            "select" => {
                let body = &rest[close + 1..];
                let options = &body[..body.find("</select>").unwrap_or(0)];
                let mut first = None;
                let mut chosen = None;
                for option in options.split("<option").skip(1) {
                    let head = &option[..option.find('>').unwrap_or(0)];
                    let value = attribute(head, "value").unwrap_or_default();
                    first.get_or_insert(value.clone());
                    if has_flag(head, "selected") {
                        chosen = Some(value);
                    }
                }
                if let Some(v) = chosen.or(first) {
                    fields.push((name, v));
                }
            }
            _ => {}
        }
    }
    fields
}

/// Sends kefu's log to libtest's captured output, so a failing test shows the errors the
/// server logged (a 500's cause) and a passing one shows nothing. `KEFU_TEST_LOG` sets the
/// filter (`error` unless told, e.g. `KEFU_TEST_LOG=kefu_store=debug`).
fn capture_logs() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let filter = std::env::var("KEFU_TEST_LOG").unwrap_or_else(|_| "error".to_owned());
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_test_writer()
            .try_init();
    });
}
