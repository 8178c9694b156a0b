//! `kefu-bench mail` — mail fetched by IMAP, measured against a real dovecot (the test
//! suite's peer): how many mails a second kefu lands from a full mailbox (the first read of
//! a mailbox of `--mails`), then how long a mail takes to become a ticket, with a server
//! that pushes (IDLE) and with one that has to be polled — sent by SMTP to a real postfix
//! in front of dovecot (the suite's `PostfixPeer`, which delivers by LMTP), timed from
//! postfix's 250 after DATA, as a customer's mail server sees "accepted"; and delivered
//! straight by LMTP (postfix's last hop), timed from LMTP's 250.

use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use kefu_app::channel::email::{ChannelForm, ImapForm};
use kefu_app::{Actor, App, Settings};
use kefu_domain::SystemClock;
use kefu_store::Store;
use kefu_testkit::{ImapPeer, PostfixPeer};
use serde_json::json;

use crate::run::{Server, fresh_database, kefu_binary, kefu_cmd, wait_until_up};
use crate::{ms, percentile};

#[derive(clap::Args)]
pub struct MailArgs {
    /// Mails waiting in the mailbox when kefu first reads it.
    #[arg(long, default_value_t = 10_000)]
    mails: u32,
    /// Mails delivered one at a time for the latency (per server kind).
    #[arg(long, default_value_t = 40)]
    latency_mails: usize,
    /// The polling interval of the server without IDLE, in seconds.
    #[arg(long, default_value_t = 5)]
    poll_secs: u64,
    /// A PostgreSQL server URL; SQLite when absent.
    #[arg(long)]
    postgres: Option<String>,
    #[arg(long, default_value = "bench-mail")]
    data_dir: std::path::PathBuf,
    /// The kefu binary (default: beside this one).
    #[arg(long)]
    kefu: Option<std::path::PathBuf>,
    /// How the timed mails reach the mailbox: through postfix (SMTP, needs root and Debian's
    /// postfix), straight by LMTP, or both.
    #[arg(long, value_enum, default_value_t = Via::Both)]
    via: Via,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Via {
    Postfix,
    Lmtp,
    Both,
}

impl Via {
    fn postfix(self) -> bool {
        self != Via::Lmtp
    }

    fn lmtp(self) -> bool {
        self != Via::Postfix
    }
}

/// How a timed mail reaches the mailbox, and from which moment it is timed.
#[derive(Clone, Copy)]
enum Hop<'a> {
    /// LMTP straight into dovecot: from LMTP's 250.
    Lmtp(&'a ImapPeer),
    /// SMTP to postfix, which delivers by LMTP into `ImapPeer`'s mailbox: from postfix's
    /// 250 after DATA (the mail accepted).
    Postfix(&'a PostfixPeer, &'a ImapPeer),
}

/// A customer's mail, the `n`th: from one of 500 senders, with Chinese subject and body.
fn mail(n: u32, tag: &str) -> Vec<u8> {
    let sender = n % 500;
    format!(
        "From: =?UTF-8?B?{}?= <c{sender}@customer.example>\r\nTo: kefu@hengxin.example\r\n\
         Subject: =?UTF-8?B?{}?=\r\nMessage-ID: <{tag}-{n}@customer.example>\r\n\
         Date: Mon, 23 Nov 2026 10:00:00 +0800\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
         您好，我在贵公司购买的热水器（订单 {n}）最近出水忽冷忽热，麻烦安排师傅上门检查。\r\n\
         联系电话见客户档案，谢谢。\r\n",
        b64("客户".as_bytes()),
        b64(format!("热水器故障报修 {n}").as_bytes()),
    )
    .into_bytes()
}

fn b64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(c.get(1).copied().unwrap_or(0)) << 8)
            | u32::from(c.get(2).copied().unwrap_or(0));
        for i in 0..4 {
            out.push(if i <= c.len() {
                A[((n >> (18 - 6 * i)) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    out
}

async fn stored(app: &App, channel: i64) -> anyhow::Result<i64> {
    let mut c = app.store.conn().await?;
    Ok(kefu_store::mail::inbound::count_for_channel(&mut c, channel).await?)
}

fn imap_form(peer: &ImapPeer, poll_secs: u64) -> ImapForm {
    ImapForm {
        host: "localhost".to_owned(),
        port: peer.imaps_port.to_string(),
        security: "tls".to_owned(),
        username: peer.user.clone(),
        password: peer.password.clone(),
        folder: "INBOX".to_owned(),
        after: "seen".to_owned(),
        move_to: String::new(),
        poll_secs: poll_secs.to_string(),
        ca_pem: peer.ca_pem.clone(),
    }
}

/// Delivers `n` mails one at a time and times each from the 250 that accepts it (see
/// [`Hop`]) to its stored row, which is written in one transaction with its ticket.
async fn latencies(
    app: &App,
    hop: Hop<'_>,
    channel: i64,
    n: usize,
    tag: &str,
) -> anyhow::Result<Vec<Duration>> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let before = stored(app, channel).await?;
        let raw = mail(i as u32, tag);
        match hop {
            Hop::Lmtp(peer) => peer.deliver(&raw).await,
            Hop::Postfix(postfix, peer) => {
                postfix
                    .send(&format!("c{}@customer.example", i % 500), &peer.user, &raw)
                    .await;
            }
        }
        let t0 = Instant::now();
        loop {
            if stored(app, channel).await? > before {
                break;
            }
            if t0.elapsed() > Duration::from_secs(120) {
                if let Hop::Postfix(postfix, _) = hop {
                    eprintln!("postfix's log:\n{}", postfix.log());
                }
                bail!("a delivered mail did not land within two minutes");
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        out.push(t0.elapsed());
    }
    out.sort_unstable();
    Ok(out)
}

/// A postfix delivering `peer`'s domain into its mailbox by LMTP.
async fn postfix_for(peer: &ImapPeer) -> anyhow::Result<PostfixPeer> {
    PostfixPeer::to_mailbox(peer).await.context(
        "postfix cannot run here (it needs Debian's postfix and root); \
         `--via lmtp` measures without it",
    )
}

/// p50, p99 and the largest of sorted latencies, in milliseconds.
fn summary(sorted: &[Duration]) -> serde_json::Value {
    json!({
        "p50": ms(percentile(sorted, 0.5)),
        "p99": ms(percentile(sorted, 0.99)),
        "max": ms(percentile(sorted, 1.0)),
    })
}

async fn wait_read(app: &App, channel: i64) -> anyhow::Result<()> {
    let t0 = Instant::now();
    loop {
        let m = app
            .email_channel_imap(&Actor::system(), channel)
            .await?
            .context("IMAP set")?;
        if m.status.as_deref() == Some("ok") {
            return Ok(());
        }
        if let Some(e) = m.error {
            bail!("the mailbox could not be read: {e}");
        }
        if t0.elapsed() > Duration::from_secs(60) {
            bail!("the mailbox was never read");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub async fn run(args: MailArgs) -> anyhow::Result<()> {
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
    let url = fresh_database(args.postgres.as_deref(), &dir, "mail", false).await?;
    let Some(peer) = ImapPeer::start().await else {
        bail!("dovecot is not installed (apt-get install dovecot-imapd dovecot-lmtpd)");
    };
    // Before the long part, so a machine where postfix cannot run fails at once.
    let postfix = if args.via.postfix() {
        Some(postfix_for(&peer).await?)
    } else {
        None
    };
    eprintln!("filling the mailbox with {} mails…", args.mails);
    {
        let mut s = peer.session().await;
        for n in 0..args.mails {
            s.append("INBOX", None, None, mail(n, "full"))
                .await
                .context("APPEND")?;
        }
        let _ = s.logout().await;
    }

    // The channel, set up in the database the server will serve.
    let store = Store::connect(&url).await?;
    store.migrate().await?;
    let app = App::new(store, Arc::new(SystemClock), Settings::default());
    let created = app
        .create_email_channel(
            &Actor::system(),
            &ChannelForm {
                name: "售后邮箱".to_owned(),
                address: "kefu@hengxin.example".to_owned(),
                group_id: None,
                active: true,
            },
        )
        .await?;
    let channel = created.channel_id;
    let mut version = app.email_channel(&Actor::system(), channel).await?.version;

    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let log = std::fs::File::create(dir.join("server.log"))?;
    let mut c = kefu_cmd(&bin, &url, &dir.join("kefu"));
    c.args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(log);
    let mut server = Server {
        child: c.spawn()?,
        base: format!("http://127.0.0.1:{port}"),
    };
    let base = server.base.clone();
    wait_until_up(&base, &mut server).await?;

    // 1. The full mailbox, read once.
    eprintln!("kefu reads the mailbox ({backend})…");
    let t0 = Instant::now();
    app.save_imap_settings(
        &Actor::system(),
        channel,
        &imap_form(&peer, args.poll_secs),
        Some(version),
    )
    .await?;
    version += 1;
    let mut first_at = None;
    loop {
        let n = stored(&app, channel).await?;
        if n > 0 && first_at.is_none() {
            first_at = Some(t0.elapsed());
        }
        if n >= i64::from(args.mails) {
            break;
        }
        if t0.elapsed() > Duration::from_secs(3600) {
            bail!("{n} of {} mails after an hour", args.mails);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let total = t0.elapsed();
    let first = first_at.unwrap_or_default();
    let rate = f64::from(args.mails) / total.as_secs_f64();
    let steady = f64::from(args.mails.saturating_sub(1)) / (total - first).as_secs_f64();

    // 2. One mail at a time, pushed (IDLE).
    wait_read(&app, channel).await?;
    let n = args.latency_mails;
    let mut idle_smtp = Vec::new();
    let mut idle_lmtp = Vec::new();
    if let Some(postfix) = &postfix {
        eprintln!("latency with IDLE, mail sent to postfix…");
        idle_smtp = latencies(&app, Hop::Postfix(postfix, &peer), channel, n, "idle-smtp").await?;
    }
    if args.via.lmtp() {
        eprintln!("latency with IDLE, mail delivered by LMTP…");
        idle_lmtp = latencies(&app, Hop::Lmtp(&peer), channel, n, "idle").await?;
    }
    drop(postfix);

    // 3. One mail at a time, polled: a server without IDLE (and a postfix in front of it).
    let Some(polled_peer) = ImapPeer::start_without_idle().await else {
        bail!("dovecot went missing");
    };
    let polled_postfix = if args.via.postfix() {
        Some(postfix_for(&polled_peer).await?)
    } else {
        None
    };
    app.save_imap_settings(
        &Actor::system(),
        channel,
        &imap_form(&polled_peer, args.poll_secs),
        Some(version),
    )
    .await?;
    wait_read(&app, channel).await?;
    let mut polled_smtp = Vec::new();
    let mut polled_lmtp = Vec::new();
    if let Some(postfix) = &polled_postfix {
        eprintln!(
            "latency when polled every {} s, mail sent to postfix…",
            args.poll_secs
        );
        polled_smtp = latencies(
            &app,
            Hop::Postfix(postfix, &polled_peer),
            channel,
            n,
            "polled-smtp",
        )
        .await?;
    }
    if args.via.lmtp() {
        eprintln!(
            "latency when polled every {} s, mail delivered by LMTP…",
            args.poll_secs
        );
        polled_lmtp = latencies(&app, Hop::Lmtp(&polled_peer), channel, n, "polled").await?;
    }
    drop(polled_postfix);
    drop(server);

    let measured = "from the 250 that accepts the mail (postfix's answer to DATA for \
                    `postfix`, dovecot's LMTP answer for `lmtp`) until its stored mail and \
                    its ticket (written in one transaction) are in the database";
    let mut latency = serde_json::Map::new();
    for (key, idle, polled, on) in [
        ("postfix", &idle_smtp, &polled_smtp, args.via.postfix()),
        ("lmtp", &idle_lmtp, &polled_lmtp, args.via.lmtp()),
    ] {
        if on {
            latency.insert(
                key.to_owned(),
                json!({"idle_ms": summary(idle), "polled_ms": summary(polled)}),
            );
        }
    }
    let report = json!({
        "backend": backend,
        "mails": args.mails,
        "full_mailbox_seconds": total.as_secs_f64(),
        "mails_per_second": rate,
        "mails_per_second_after_first": steady,
        "latency": latency,
        "latency_mails": n,
        "latency_measured": measured,
        "poll_secs": args.poll_secs,
    });
    println!("| backend | mailbox | read in | mails/s |");
    println!("|---|---|---|---|");
    println!(
        "| {backend} | {} | {:.1} s | {:.0} ({:.0} after the first) |",
        args.mails,
        total.as_secs_f64(),
        rate,
        steady,
    );
    println!();
    println!("Mail → ticket, {n} mails one at a time, measured {measured}:");
    println!();
    println!(
        "| accepted by | p50 / p99 with IDLE | p50 / p99 polled every {} s |",
        args.poll_secs
    );
    println!("|---|---|---|");
    for (label, idle, polled, on) in [
        (
            "postfix (SMTP, then LMTP to dovecot)",
            &idle_smtp,
            &polled_smtp,
            args.via.postfix(),
        ),
        ("dovecot (LMTP)", &idle_lmtp, &polled_lmtp, args.via.lmtp()),
    ] {
        if on {
            println!(
                "| {label} | {} / {} ms | {} / {} ms |",
                ms(percentile(idle, 0.5)),
                ms(percentile(idle, 0.99)),
                ms(percentile(polled, 0.5)),
                ms(percentile(polled, 0.99)),
            );
        }
    }
    std::fs::write(
        dir.join("mail.json"),
        serde_json::to_string_pretty(&report)?,
    )?;
    Ok(())
}
