//! What the channel benchmarks (`chat`, `webhooks`) share: the database made ready by the
//! use cases before the server starts, `kefu serve` on a free loopback port with the API's
//! rate limit out of the way, a browser-like sign-in, and latency figures.

use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, ensure};
use kefu_app::{App, Settings};
use kefu_domain::SystemClock;
use kefu_store::Store;
use serde_json::{Value, json};

use crate::run::{Server, kefu_cmd, wait_until_up};
use crate::{ms, percentile};

/// The password of the accounts the channel benchmarks add.
pub(crate) const PASSWORD: &str = "bench-password-2026";

/// The use cases over the database the server will serve (migrated), to set channels and
/// accounts up as an administrator would and to count what landed.
pub(crate) async fn open_app(url: &str) -> anyhow::Result<App> {
    let store = Store::connect(url).await?;
    store.migrate().await?;
    Ok(App::new(store, Arc::new(SystemClock), Settings::default()))
}

/// `kefu serve` over `url`, its log in `dir/server.log`. The API's rate limit (600 a minute
/// per caller by default) would otherwise be what is measured.
pub(crate) async fn serve(bin: &Path, url: &str, dir: &Path) -> anyhow::Result<Server> {
    serve_with(bin, url, dir, &[]).await
}

/// [`serve`] with more arguments to `kefu serve` (e.g. `--instance NAME`).
pub(crate) async fn serve_with(
    bin: &Path,
    url: &str,
    dir: &Path,
    extra: &[&str],
) -> anyhow::Result<Server> {
    std::fs::create_dir_all(dir)?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let log = std::fs::File::create(dir.join("server.log"))?;
    let mut c = kefu_cmd(bin, url, &dir.join("kefu"));
    c.args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .args(extra)
        .env("KEFU_API_RATE_LIMIT", "1000000000")
        .stdout(Stdio::null())
        .stderr(log);
    let mut server = Server {
        child: c.spawn()?,
        base: format!("http://127.0.0.1:{port}"),
    };
    let base = server.base.clone();
    wait_until_up(&base, &mut server).await?;
    Ok(server)
}

/// Signs `username` in through the login form; the client keeps the session cookie.
pub(crate) async fn sign_in(base: &str, username: &str) -> anyhow::Result<reqwest::Client> {
    sign_in_with(
        reqwest::Client::builder().cookie_store(true).build()?,
        base,
        username,
    )
    .await
}

/// [`sign_in`] with a client of the caller's (one that does not follow redirects, say).
pub(crate) async fn sign_in_with(
    client: reqwest::Client,
    base: &str,
    username: &str,
) -> anyhow::Result<reqwest::Client> {
    let login = client
        .get(format!("{base}/login"))
        .send()
        .await?
        .text()
        .await?;
    let marker = "name=\"_csrf\" value=\"";
    let start = login.find(marker).context("csrf on the login page")? + marker.len();
    let csrf = login
        .get(start..start + 64)
        .context("a whole csrf token")?
        .to_owned();
    let res = client
        .post(format!("{base}/login"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("username", username),
            ("password", PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await?;
    ensure!(
        res.status().is_success() || res.status().is_redirection(),
        "sign-in of {username} failed: {}",
        res.status()
    );
    Ok(client)
}

/// Latencies, sorted, with the figures the tables print.
pub(crate) struct Spread(Vec<Duration>);

impl Spread {
    pub(crate) fn new(mut times: Vec<Duration>) -> Spread {
        times.sort_unstable();
        Spread(times)
    }

    pub(crate) fn count(&self) -> usize {
        self.0.len()
    }

    /// `p50 | p99 | max` in milliseconds, Markdown cells.
    pub(crate) fn cells(&self) -> String {
        if self.0.is_empty() {
            return "— | — | —".to_owned();
        }
        format!(
            "{} | {} | {}",
            ms(percentile(&self.0, 0.5)),
            ms(percentile(&self.0, 0.99)),
            ms(percentile(&self.0, 1.0))
        )
    }

    pub(crate) fn json(&self) -> Value {
        let f = |p: f64| (percentile(&self.0, p).as_secs_f64() * 10_000.0).round() / 10.0;
        json!({
            "count": self.0.len(),
            "p50_ms": f(0.5),
            "p99_ms": f(0.99),
            "max_ms": f(1.0),
        })
    }
}
