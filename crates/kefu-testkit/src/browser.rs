//! Headless Chromium driven through ChromeDriver (WebDriver), for the journeys a person
//! makes on the pages. Uses Debian's `chromium` and `chromium-driver`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use serde_json::json;

/// Where ChromeDriver and Chromium are, from `KEFU_CHROMEDRIVER` / `KEFU_CHROMIUM` or
/// Debian's paths.
fn paths() -> (PathBuf, PathBuf) {
    let driver =
        std::env::var("KEFU_CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    let chromium = std::env::var("KEFU_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    (driver.into(), chromium.into())
}

/// Whether the browser test must run (the test script sets `KEFU_REQUIRE_BROWSER=1`), so
/// a missing browser fails instead of skipping.
pub fn required() -> bool {
    std::env::var("KEFU_REQUIRE_BROWSER").is_ok_and(|v| v == "1")
}

pub fn available() -> bool {
    let (driver, chromium) = paths();
    driver.exists() && chromium.exists()
}

/// Whether a browser test must skip: chromium or chromedriver is missing. Fails the test
/// instead when `KEFU_REQUIRE_BROWSER=1` (as `scripts/test.sh` sets).
pub fn missing() -> bool {
    if available() {
        return false;
    }
    assert!(
        !required(),
        "KEFU_REQUIRE_BROWSER=1 but chromium/chromedriver are missing"
    );
    eprintln!(
        "skipped: chromium and chromedriver are not installed (scripts/test.sh installs them)"
    );
    true
}

/// A running ChromeDriver plus one browser session; both end on drop.
pub struct Browser {
    pub client: Client,
    driver: Child,
    profile: PathBuf,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

impl Browser {
    /// Starts ChromeDriver and a headless Chromium with a fresh profile.
    pub async fn start() -> Browser {
        let (driver_path, chromium) = paths();
        let port = free_port();
        let driver = Command::new(&driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", driver_path.display()));
        let url = format!("http://127.0.0.1:{port}");
        // On a loaded machine Chromium may exit while starting; a crashed start can leave
        // its profile locked, so each attempt gets a profile of its own.
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut attempt_no = 0;
        let (client, profile) = loop {
            attempt_no += 1;
            let profile = std::env::temp_dir().join(format!("kefu-chromium-{port}-{attempt_no}"));
            let caps = json!({
                "goog:chromeOptions": {
                    "binary": chromium,
                    "args": [
                        "--headless=new", "--no-sandbox", "--disable-gpu",
                        "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update",
                        "--disable-sync", "--window-size=1280,900",
                        // A Chinese user's browser.
                        "--lang=zh-CN",
                        format!("--user-data-dir={}", profile.display()),
                    ],
                    "prefs": { "intl.accept_languages": "zh-CN,zh" }
                }
            });
            let caps = match caps {
                serde_json::Value::Object(m) => m,
                _ => unreachable!(),
            };
            let attempt =
                ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                    .capabilities(caps)
                    .connect(&url)
                    .await;
            match attempt {
                Ok(c) => break (c, profile),
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    let _ = std::fs::remove_dir_all(&profile);
                    tokio::time::sleep(Duration::from_millis(300)).await;
                }
                Err(e) => panic!("cannot open a Chromium session through ChromeDriver: {e}"),
            }
        };
        Browser {
            client,
            driver,
            profile,
        }
    }

    /// Saves a PNG of the page under `<target>/screenshots/NAME.png` and returns the path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).expect("write screenshot");
        path
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}

fn screenshot_dir() -> PathBuf {
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("screenshots")
}
