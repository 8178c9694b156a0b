//! `kefu-bench webhooks` — the channels' inbound webhooks posted concurrently to the real
//! `kefu serve`, as the providers post them: raw mail to the e-mail channel's inbound
//! endpoint, call events (ringing, answered, hangup) to the telephone channel's, customers'
//! texts to the SMS channel's (each signed `X-Kefu-Signature: sha256=` HMAC-SHA256 of
//! `<timestamp>.<body>` under the channel's secret), and WeChat's XML messages signed in the
//! query (SHA-1 of the sorted Token, timestamp and nonce). Each payload is different. Per
//! endpoint: the ack's p50/p99/max and the posts a second; then the outcome is counted in the
//! database (mails and tickets, calls, stored WeChat messages) so that a fast refusal is
//! never taken for a fast ack. Any post not answered 2xx, or an outcome short of what was
//! posted, fails the run after the table.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure};
use kefu_app::channel::email::ChannelForm;
use kefu_app::channel::phone::PhoneChannelForm;
use kefu_app::channel::sms::SmsChannelForm;
use kefu_app::channel::wechat::WechatChannelForm;
use kefu_app::secret::hmac_sha256_hex;
use kefu_app::{Actor, App};
use kefu_domain::ticket::Channel;
use kefu_domain::{Clock, SystemClock};
use kefu_testkit::wechat_peer::{APP_ID, APP_SECRET, signed_query, text_message};
use kefu_testkit::{SmsPeer, WechatPeer};
use serde_json::{Value, json};

use crate::harness::{Spread, open_app, serve};
use crate::run::{fresh_database, kefu_binary};

#[derive(clap::Args)]
pub struct WebhooksArgs {
    /// Posts per endpoint, each payload different.
    #[arg(long, default_value_t = 5000)]
    count: usize,
    /// Concurrent clients posting.
    #[arg(long, default_value_t = 16)]
    clients: usize,
    /// The endpoints measured, one after another: any of mail, phone, sms, wechat.
    #[arg(long, default_value = "mail,phone,sms,wechat")]
    endpoints: String,
    /// How long to wait, after the posts, for the job worker to make WeChat's tickets (the
    /// ack is the message stored with its job; how many tickets are made by then is shown).
    #[arg(long, default_value_t = 120)]
    settle_secs: u64,
    /// A PostgreSQL server URL; SQLite when absent.
    #[arg(long)]
    postgres: Option<String>,
    #[arg(long, default_value = "bench-webhooks")]
    data_dir: PathBuf,
    /// The kefu binary (default: beside this one).
    #[arg(long)]
    kefu: Option<PathBuf>,
}

/// The Token of the official account's server configuration.
const WECHAT_TOKEN: &str = "kefuBench2026";

const TIMESTAMP_HEADER: &str = "x-kefu-timestamp";
const SIGNATURE_HEADER: &str = "x-kefu-signature";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    Mail,
    Phone,
    Sms,
    Wechat,
}

impl Endpoint {
    const ALL: [Endpoint; 4] = [
        Endpoint::Mail,
        Endpoint::Phone,
        Endpoint::Sms,
        Endpoint::Wechat,
    ];

    fn key(self) -> &'static str {
        match self {
            Endpoint::Mail => "mail",
            Endpoint::Phone => "phone",
            Endpoint::Sms => "sms",
            Endpoint::Wechat => "wechat",
        }
    }

    fn route(self) -> &'static str {
        match self {
            Endpoint::Mail => "/api/v1/channels/email/{id}/inbound",
            Endpoint::Phone => "/api/v1/channels/phone/{id}/events",
            Endpoint::Sms => "/api/v1/channels/sms/{id}/events",
            Endpoint::Wechat => "/api/v1/channels/wechat/{id}",
        }
    }
}

/// A channel and the secret its webhook is signed with.
struct Signed {
    id: i64,
    secret: String,
}

/// The channels posted to.
struct Targets {
    mail: Signed,
    phone: Signed,
    sms: Signed,
    wechat: i64,
}

/// One post, signed at the moment it is made.
struct Post {
    path: String,
    content_type: &'static str,
    body: Vec<u8>,
    /// `X-Kefu-Timestamp` and `X-Kefu-Signature`; WeChat signs in the path's query instead.
    headers: Option<(String, String)>,
}

/// `sha256=` and the hex HMAC-SHA256 of `<ts>.<body>` under `secret`, as providers sign.
fn sign(secret: &str, ts: i64, body: &[u8]) -> String {
    let mut message = format!("{ts}.").into_bytes();
    message.extend_from_slice(body);
    format!("sha256={}", hmac_sha256_hex(secret.as_bytes(), &message))
}

fn signed(path: String, content_type: &'static str, body: Vec<u8>, s: &Signed, ts: i64) -> Post {
    let signature = sign(&s.secret, ts, &body);
    Post {
        path,
        content_type,
        headers: Some((ts.to_string(), signature)),
        body,
    }
}

/// A customer's mail, the `n`th: its own sender and Message-ID, so each is a new ticket.
fn mail(n: usize) -> Vec<u8> {
    format!(
        "From: c{n}@customer.example\r\nTo: kefu@hengxin.example\r\n\
         Subject: 热水器故障报修 {n}\r\nMessage-ID: <webhook-{n}@customer.example>\r\n\
         Date: Mon, 23 Nov 2026 10:00:00 +0800\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
         您好，我家的热水器（订单 {n}）最近出水忽冷忽热，麻烦安排师傅上门检查。\r\n\
         联系电话见客户档案，谢谢。\r\n"
    )
    .into_bytes()
}

/// Post `n` to `endpoint`. Calls take three posts each (ringing, answered, hangup of call
/// `n / 3`), sent by whichever clients pick them up, so in any order.
fn post(endpoint: Endpoint, t: &Targets, n: usize) -> Post {
    let now = SystemClock.now();
    let ts = now.as_second();
    match endpoint {
        Endpoint::Mail => signed(
            format!("/api/v1/channels/email/{}/inbound", t.mail.id),
            "message/rfc822",
            mail(n),
            &t.mail,
            ts,
        ),
        Endpoint::Phone => {
            let call = n / 3;
            let event = ["ringing", "answered", "hangup"][n % 3];
            let mut body = json!({
                "call_id": format!("bench-call-{call}"),
                "event": event,
                "direction": "inbound",
                "from": format!("139{call:08}"),
                "to": "400-800-1234",
                "extension": "8001",
                "at": now.to_string(),
            });
            if event == "hangup" {
                body["duration_secs"] = json!(95);
                body["recording_url"] =
                    json!(format!("https://cti.hengxin.example/rec/{call}.mp3"));
            }
            signed(
                format!("/api/v1/channels/phone/{}/events", t.phone.id),
                "application/json",
                body.to_string().into_bytes(),
                &t.phone,
                ts,
            )
        }
        Endpoint::Sms => {
            let body = json!({
                "type": "inbound",
                "message_id": format!("bench-sms-{n}"),
                "from": format!("137{n:08}"),
                "to": "1069012345",
                "text": format!("热水器显示 E4 故障，请安排维修（{n}）"),
                "received_at": ts,
            });
            signed(
                format!("/api/v1/channels/sms/{}/events", t.sms.id),
                "application/json",
                body.to_string().into_bytes(),
                &t.sms,
                ts,
            )
        }
        Endpoint::Wechat => {
            let openid = format!("oBench{n:022}");
            let xml = text_message(
                &openid,
                ts,
                &format!("你好，洗衣机不脱水了（{n}）"),
                24_000_000_000 + n as i64,
            );
            let query = signed_query(WECHAT_TOKEN, ts, &(1_000_000 + n).to_string());
            Post {
                path: format!(
                    "/api/v1/channels/wechat/{}?{query}&openid={openid}",
                    t.wechat
                ),
                content_type: "text/xml",
                body: xml.into_bytes(),
                headers: None,
            }
        }
    }
}

/// What the answer says happened: the JSON answer's `status`, or the text (WeChat's
/// `success`).
fn outcome(text: &str) -> String {
    match serde_json::from_str::<Value>(text) {
        Ok(v) => v["status"].as_str().unwrap_or("?").to_owned(),
        Err(_) => text.trim().chars().take(40).collect(),
    }
}

/// One client's tally.
#[derive(Default)]
struct Tally {
    acks: Vec<Duration>,
    answers: BTreeMap<String, usize>,
    failures: BTreeMap<String, usize>,
    samples: Vec<String>,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        self.acks.extend(other.acks);
        for (k, v) in other.answers {
            *self.answers.entry(k).or_default() += v;
        }
        for (k, v) in other.failures {
            *self.failures.entry(k).or_default() += v;
        }
        self.samples.extend(other.samples);
    }
}

/// One endpoint, measured.
struct Measured {
    endpoint: Endpoint,
    seconds: f64,
    acks: Spread,
    answers: BTreeMap<String, usize>,
    failures: BTreeMap<String, usize>,
    samples: Vec<String>,
    /// What the database holds afterwards, and whether it is everything posted.
    checked: String,
    complete: bool,
}

impl Measured {
    fn failed(&self) -> usize {
        self.failures.values().sum()
    }
}

/// Posts `count` payloads to `endpoint` with `clients` concurrent clients.
async fn measure(
    endpoint: Endpoint,
    targets: &Arc<Targets>,
    base: &str,
    count: usize,
    clients: usize,
) -> anyhow::Result<(Tally, f64)> {
    let client = reqwest::Client::new();
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..clients {
        let (client, base) = (client.clone(), base.to_owned());
        let (targets, next) = (targets.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= count {
                    return tally;
                }
                let p = post(endpoint, &targets, n);
                let mut req = client
                    .post(format!("{base}{}", p.path))
                    .header(reqwest::header::CONTENT_TYPE, p.content_type)
                    .body(p.body);
                if let Some((ts, signature)) = p.headers {
                    req = req
                        .header(TIMESTAMP_HEADER, ts)
                        .header(SIGNATURE_HEADER, signature);
                }
                let t0 = Instant::now();
                match req.send().await {
                    Ok(res) => {
                        let status = res.status();
                        let text = res.text().await.unwrap_or_default();
                        let elapsed = t0.elapsed();
                        if status.is_success() {
                            tally.acks.push(elapsed);
                            let key = format!("{} {}", status.as_u16(), outcome(&text));
                            *tally.answers.entry(key).or_default() += 1;
                        } else {
                            let key = format!("HTTP {}", status.as_u16());
                            *tally.failures.entry(key).or_default() += 1;
                            if tally.samples.len() < 3 {
                                let shown: String = text.chars().take(300).collect();
                                tally.samples.push(format!("post {n}: {status} {shown}"));
                            }
                        }
                    }
                    Err(e) => {
                        let kind = if e.is_timeout() {
                            "timeout"
                        } else if e.is_connect() {
                            "no connection"
                        } else {
                            "request failed"
                        };
                        *tally.failures.entry(kind.to_owned()).or_default() += 1;
                        if tally.samples.len() < 3 {
                            tally.samples.push(format!("post {n}: {e}"));
                        }
                    }
                }
            }
        }));
    }
    let mut all = Tally::default();
    for w in workers {
        all.merge(w.await?);
    }
    Ok((all, started.elapsed().as_secs_f64()))
}

async fn tickets_of(app: &App, channel: Channel) -> anyhow::Result<i64> {
    let mut conn = app.store.conn().await?;
    let f = kefu_store::ticket::TicketFilter {
        channel: Some(channel),
        ..Default::default()
    };
    Ok(kefu_store::ticket::count(&mut conn, &f, i64::MAX).await?)
}

/// What the database holds after `count` posts to `endpoint`, and whether it is all of
/// them.
async fn check(
    app: &App,
    endpoint: Endpoint,
    t: &Targets,
    count: usize,
    settle: Duration,
) -> anyhow::Result<(String, bool)> {
    let system = Actor::system();
    let want = count as i64;
    Ok(match endpoint {
        Endpoint::Mail => {
            let stored = {
                let mut conn = app.store.conn().await?;
                kefu_store::mail::inbound::count_for_channel(&mut conn, t.mail.id).await?
            };
            let tickets = tickets_of(app, Channel::Email).await?;
            (
                format!("{stored} mails stored, {tickets} tickets"),
                stored == want && tickets == want,
            )
        }
        Endpoint::Phone => {
            let calls = app
                .phone_channels(&system)
                .await?
                .into_iter()
                .find(|v| v.channel.id == t.phone.id)
                .map_or(0, |v| v.calls);
            let expected = count.div_ceil(3) as i64;
            (format!("{calls} calls of {expected}"), calls == expected)
        }
        Endpoint::Sms => {
            let tickets = tickets_of(app, Channel::Sms).await?;
            (format!("{tickets} tickets"), tickets == want)
        }
        Endpoint::Wechat => {
            let received = app.wechat_channel(&system, t.wechat).await?.received;
            // The ack is the message stored with its job; the worker makes the ticket.
            let t0 = Instant::now();
            let mut tickets = tickets_of(app, Channel::Wechat).await?;
            while tickets < want && t0.elapsed() < settle {
                tokio::time::sleep(Duration::from_millis(500)).await;
                tickets = tickets_of(app, Channel::Wechat).await?;
            }
            (
                format!(
                    "{received} messages stored; {tickets} tickets made by the jobs after {:.0} s",
                    t0.elapsed().as_secs_f64()
                ),
                received == want,
            )
        }
    })
}

/// Every channel, set up by an administrator before kefu starts; the SMS gateway and
/// WeChat's API are the test suite's peers, so that what kefu sends back goes somewhere.
async fn set_up(app: &App, sms: &SmsPeer, wechat: &WechatPeer) -> anyhow::Result<Targets> {
    let system = Actor::system();
    let mail = app
        .create_email_channel(
            &system,
            &ChannelForm {
                name: "售后邮箱".to_owned(),
                address: "kefu@hengxin.example".to_owned(),
                group_id: None,
                active: true,
            },
        )
        .await?;
    let phone = app
        .create_phone_channel(
            &system,
            &PhoneChannelForm {
                name: "呼叫中心".to_owned(),
                group_id: None,
                area_code: "0571".to_owned(),
                active: true,
            },
        )
        .await?;
    let text = app
        .create_sms_channel(
            &system,
            &SmsChannelForm {
                name: "短信网关".to_owned(),
                send_url: sms.send_url(),
                sign_name: "【恒信售后】".to_owned(),
                group_id: None,
                active: true,
                api_key: None,
            },
        )
        .await?;
    let account = app
        .create_wechat_channel(
            &system,
            &WechatChannelForm {
                name: "恒信售后服务号".to_owned(),
                app_id: APP_ID.to_owned(),
                app_secret: APP_SECRET.to_owned(),
                token: WECHAT_TOKEN.to_owned(),
                api_base: wechat.base.clone(),
                group_id: None,
                active: true,
            },
        )
        .await?;
    Ok(Targets {
        mail: Signed {
            id: mail.channel_id,
            secret: mail.secret,
        },
        phone: Signed {
            id: phone.channel_id,
            secret: phone.secret,
        },
        sms: Signed {
            id: text.channel_id,
            secret: text.secret,
        },
        wechat: account.channel_id,
    })
}

fn endpoints(list: &str) -> anyhow::Result<Vec<Endpoint>> {
    let mut out = Vec::new();
    for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let Some(e) = Endpoint::ALL.into_iter().find(|e| e.key() == name) else {
            bail!("unknown endpoint {name:?}: mail, phone, sms or wechat");
        };
        if !out.contains(&e) {
            out.push(e);
        }
    }
    ensure!(!out.is_empty(), "--endpoints names none");
    Ok(out)
}

fn listed(map: &BTreeMap<String, usize>) -> String {
    map.iter()
        .map(|(k, v)| format!("{k} × {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub async fn run(args: WebhooksArgs) -> anyhow::Result<()> {
    let chosen = endpoints(&args.endpoints)?;
    ensure!(args.count > 0, "--count must be at least 1");
    ensure!(args.clients > 0, "--clients must be at least 1");
    let bin = kefu_binary(args.kefu.as_deref())?;
    let backend = if args.postgres.is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    if args.data_dir.exists() {
        std::fs::remove_dir_all(&args.data_dir)?;
    }
    std::fs::create_dir_all(&args.data_dir)?;
    let dir = args.data_dir.canonicalize()?;
    let url = fresh_database(args.postgres.as_deref(), &dir, "webhooks", false).await?;
    let app = open_app(&url).await?;
    let sms_peer = SmsPeer::start().await;
    let wechat_peer = WechatPeer::start().await;
    let targets = Arc::new(set_up(&app, &sms_peer, &wechat_peer).await?);
    let server = serve(&bin, &url, &dir).await?;
    let base = server.base.clone();

    let mut results = Vec::new();
    for endpoint in chosen {
        eprintln!(
            "{}: {} posts, {} clients ({backend})…",
            endpoint.key(),
            args.count,
            args.clients
        );
        let (tally, seconds) = measure(endpoint, &targets, &base, args.count, args.clients).await?;
        let settle = Duration::from_secs(args.settle_secs);
        let (checked, complete) = check(&app, endpoint, &targets, args.count, settle).await?;
        results.push(Measured {
            endpoint,
            seconds,
            acks: Spread::new(tally.acks),
            answers: tally.answers,
            failures: tally.failures,
            samples: tally.samples,
            checked,
            complete,
        });
    }
    drop(server);

    println!(
        "webhooks — {backend}: {} posts per endpoint, {} clients, one endpoint after another",
        args.count, args.clients
    );
    println!();
    println!(
        "| endpoint | posts | 2xx | not 2xx | acks/s | ack p50 ms | p99 ms | max ms | answers | \
         in the database |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---|---|");
    for m in &results {
        println!(
            "| {} `{}` | {} | {} | {} | {:.0} | {} | {} | {}{} |",
            m.endpoint.key(),
            m.endpoint.route(),
            args.count,
            m.acks.count(),
            m.failed(),
            m.acks.count() as f64 / m.seconds,
            m.acks.cells(),
            listed(&m.answers),
            m.checked,
            if m.complete { "" } else { " — SHORT" },
        );
    }
    let rows: Vec<Value> = results
        .iter()
        .map(|m| {
            json!({
                "endpoint": m.endpoint.key(),
                "route": m.endpoint.route(),
                "seconds": m.seconds,
                "acks_per_second": m.acks.count() as f64 / m.seconds,
                "ack": m.acks.json(),
                "answers": m.answers,
                "not_2xx": m.failures,
                "in_the_database": m.checked,
                "complete": m.complete,
            })
        })
        .collect();
    let report = json!({
        "backend": backend,
        "posts_per_endpoint": args.count,
        "clients": args.clients,
        "endpoints": rows,
    });
    std::fs::write(
        dir.join("webhooks.json"),
        serde_json::to_string_pretty(&report)?,
    )?;

    let failed: usize = results.iter().map(Measured::failed).sum();
    let short: Vec<&str> = results
        .iter()
        .filter(|m| !m.complete)
        .map(|m| m.endpoint.key())
        .collect();
    if failed > 0 || !short.is_empty() {
        println!();
        for m in results.iter().filter(|m| m.failed() > 0) {
            println!("{}: {}", m.endpoint.key(), listed(&m.failures));
            for s in &m.samples {
                println!("  {s}");
            }
        }
        bail!(
            "{failed} posts were not acknowledged with 2xx, and the database is short for {:?}: \
             these figures are not acks of stored messages",
            short
        );
    }
    Ok(())
}
