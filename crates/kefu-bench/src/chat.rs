//! `kefu-bench chat` — 在线客服 under load, against the real `kefu serve`: `--widgets`
//! visitors' widgets open at once from a page of the channel's allowed origin (the widget's
//! WebSocket and its JSON frames, as `kefu-chat.js` speaks them), each chat accepted by an
//! agent over the API; then every widget sends `--messages` messages, one every
//! `--interval-ms`, and an agent answers each the moment their console's stream
//! (`GET /chat/events`, server-sent events, signed in as the console is) shows it.
//! Measured: the widget's ack (the message stored), the message reaching the agent's
//! console, the agent's answer reaching the widget, and the whole round trip; every failure
//! is counted by kind instead of stopping the run.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use anyhow::ensure;
use futures_util::{SinkExt, StreamExt};
use kefu_app::Actor;
use kefu_app::channel::chat::ChatChannelForm;
use kefu_app::users::UserForm;
use kefu_domain::channel::chat::CHAT_LIMIT_MAX;
use kefu_domain::{Locale, Role, RoleSet};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio::sync::{Semaphore, mpsc, watch};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

use crate::harness::{Spread, open_app, serve, sign_in};
use crate::run::{fresh_database, kefu_binary};

#[derive(clap::Args)]
pub struct ChatArgs {
    /// Visitors' widgets open at once, each with its chat accepted.
    #[arg(long, default_value_t = 200)]
    widgets: usize,
    /// Measured messages per widget (after the one that opens its chat).
    #[arg(long, default_value_t = 10)]
    messages: usize,
    /// Each widget sends a message this often (its answer awaited first), the widgets'
    /// starts spread over one interval: widgets / interval messages a second in all. At
    /// least 600: the socket takes at most 20 messages in 10 s.
    #[arg(long, default_value_t = 2000)]
    interval_ms: u64,
    /// How long a widget waits for an ack or an answer before counting it missing.
    #[arg(long, default_value_t = 30)]
    wait_secs: u64,
    /// Agents answering (default: as few as the largest chat limit, 50, allows); the chats
    /// are shared out evenly and each agent's limit set to their share.
    #[arg(long)]
    agents: Option<usize>,
    /// A PostgreSQL server URL; SQLite when absent.
    #[arg(long)]
    postgres: Option<String>,
    #[arg(long, default_value = "bench-chat")]
    data_dir: PathBuf,
    /// The kefu binary (default: beside this one).
    #[arg(long)]
    kefu: Option<PathBuf>,
}

/// The web site whose pages embed the widget.
const SHOP: &str = "https://shop.hengxin.example";

/// The shortest interval between a widget's messages the socket's burst limit allows
/// (20 in 10 s), with room for the message that opened the chat.
const MIN_INTERVAL_MS: u64 = 600;

/// Widgets opening their chats at once (the sockets stay open; only the opening is paced).
const OPENING_AT_ONCE: usize = 20;

const QUESTIONS: [&str; 6] = [
    "热水器显示 E4，是什么故障？",
    "保修期是多久？发票丢了还能保修吗？",
    "师傅明天上午能上门吗？",
    "安装费怎么收？",
    "空调外机噪音很大，正常吗？",
    "订单 20261122001 什么时候发货？",
];

const ANSWERS: [&str; 4] = [
    "您好，已为您登记，稍后师傅会联系您。",
    "整机保修一年，凭订单号即可。",
    "请提供一下您的订单号，我帮您查询。",
    "好的，已帮您预约。",
];

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A mutex's guard, also after a task panicked holding it (the figures are still wanted).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What the widgets and the agents' consoles write down.
#[derive(Default)]
struct Shared {
    /// When each measured message was sent, by its tag.
    sent: Mutex<HashMap<String, Instant>>,
    /// When the agent posted the answer to each, by the message's tag.
    answered: Mutex<HashMap<String, Instant>>,
    /// A visitor's message sent → shown on the agent's console.
    to_agent: Mutex<Vec<Duration>>,
    /// The agent's answer posted → 201.
    answer_post: Mutex<Vec<Duration>>,
    /// What went wrong, by kind.
    errors: Mutex<BTreeMap<String, usize>>,
}

impl Shared {
    fn fail(&self, kind: impl Into<String>) {
        *lock(&self.errors).entry(kind.into()).or_default() += 1;
    }
}

#[derive(Clone)]
struct Agent {
    username: String,
    token: String,
}

/// The run's settings, as each widget needs them.
struct Plan {
    base: String,
    channel: i64,
    widgets: usize,
    messages: usize,
    interval: Duration,
    wait: Duration,
}

/// What one widget's task needs.
struct WidgetJob {
    n: usize,
    plan: Arc<Plan>,
    agent: Agent,
    api: reqwest::Client,
    shared: Arc<Shared>,
    opening: Arc<Semaphore>,
    ready: mpsc::Sender<bool>,
    start: watch::Receiver<Option<Instant>>,
}

/// What one widget measured; its socket, kept open until every widget is done.
#[derive(Default)]
struct Outcome {
    ws: Option<Ws>,
    sent: usize,
    ack: Vec<Duration>,
    round_trip: Vec<Duration>,
    back: Vec<Duration>,
}

enum Next {
    Frame(Value),
    Closed,
    Timeout,
}

/// The next JSON text frame before `deadline` (pings are answered by the client).
async fn next_frame(ws: &mut Ws, deadline: tokio::time::Instant) -> Next {
    loop {
        match tokio::time::timeout_at(deadline, ws.next()).await {
            Err(_) => return Next::Timeout,
            Ok(None | Some(Err(_)) | Some(Ok(Message::Close(_)))) => return Next::Closed,
            Ok(Some(Ok(Message::Text(text)))) => {
                if let Ok(v) = serde_json::from_str::<Value>(text.as_str()) {
                    return Next::Frame(v);
                }
            }
            Ok(Some(Ok(_))) => {}
        }
    }
}

/// The next frame, or why there is none (`what` names what was awaited).
async fn frame(ws: &mut Ws, deadline: tokio::time::Instant, what: &str) -> Result<Value, String> {
    match next_frame(ws, deadline).await {
        Next::Frame(v) => Ok(v),
        Next::Closed => Err(format!("socket closed before {what}")),
        Next::Timeout => Err(format!("no {what} within --wait-secs")),
    }
}

async fn send(ws: &mut Ws, frame: Value) -> Result<(), String> {
    ws.send(Message::text(frame.to_string()))
        .await
        .map_err(|_| "socket closed while sending".to_owned())
}

/// Opens widget `n`'s socket from the shop's page, says hello, opens a chat with a first
/// message and has `agent` accept it: the socket, its chat active. Errors are kinds to
/// count.
async fn open_chat(
    n: usize,
    plan: &Plan,
    agent: &Agent,
    api: &reqwest::Client,
) -> Result<Ws, String> {
    let url = format!(
        "{}/chat/ws/{}",
        plan.base.replacen("http", "ws", 1),
        plan.channel
    );
    let mut req = url
        .into_client_request()
        .map_err(|e| format!("connect: {e}"))?;
    req.headers_mut()
        .insert("origin", HeaderValue::from_static(SHOP));
    let mut ws = match connect_async(req).await {
        Ok((ws, _)) => ws,
        Err(WsError::Http(res)) => {
            return Err(format!("connect: HTTP {}", res.status().as_u16()));
        }
        Err(e) => return Err(format!("connect: {e}")),
    };
    let deadline = tokio::time::Instant::now() + plan.wait;
    let hello = json!({
        "t": "hello",
        "token": null,
        "last_seq": 0,
        "name": null,
        "contact": null,
        "page": format!("{SHOP}/products/water-heater"),
    });
    send(&mut ws, hello).await?;
    let welcome = loop {
        let f = frame(&mut ws, deadline, "the welcome").await?;
        if f["t"] == "welcome" {
            break f;
        }
    };
    if welcome["status"] != "waiting" {
        return Err(format!(
            "welcome said {}, not waiting: no agent on shift",
            welcome["status"]
        ));
    }
    let first = json!({
        "t": "msg",
        "cseq": 1,
        "text": format!("您好，我是访客 {n}，想咨询一下热水器的保修。"),
    });
    send(&mut ws, first).await?;
    let mut session = None;
    let mut acked = false;
    while !(acked && session.is_some()) {
        let f = frame(&mut ws, deadline, "the first message's ack").await?;
        match f["t"].as_str() {
            Some("status") => session = f["session"].as_i64().or(session),
            Some("ack") if f["cseq"] == 1 => acked = true,
            Some("error") => {
                let code = f["code"].as_str().unwrap_or("?");
                return Err(format!("first message refused: {code}"));
            }
            _ => {}
        }
    }
    let session = session.ok_or_else(|| "no chat opened".to_owned())?;
    let res = api
        .post(format!(
            "{}/api/v1/chat/sessions/{session}/accept",
            plan.base
        ))
        .bearer_auth(&agent.token)
        .json(&json!({}))
        .send()
        .await
        .map_err(|_| "accept: request failed".to_owned())?;
    let status = res.status();
    if !status.is_success() {
        let body: Value = res.json().await.unwrap_or_default();
        let code = body["error"]["code"].as_str().unwrap_or("?");
        return Err(format!("accept answered {status} {code}"));
    }
    let _ = res.bytes().await;
    loop {
        let f = frame(&mut ws, deadline, "the chat's activation").await?;
        if f["t"] == "status" && f["status"] == "active" {
            return Ok(ws);
        }
    }
}

/// One visitor: opens the chat, says it is ready, waits for the common start, then sends
/// its messages at the plan's rate, each awaited until acked and answered.
async fn widget(job: WidgetJob) -> Outcome {
    let WidgetJob {
        n,
        plan,
        agent,
        api,
        shared,
        opening,
        ready,
        mut start,
    } = job;
    let mut out = Outcome::default();
    let opened = {
        let _permit = opening.acquire().await;
        open_chat(n, &plan, &agent, &api).await
    };
    let mut ws = match opened {
        Ok(ws) => ws,
        Err(kind) => {
            shared.fail(kind);
            let _ = ready.send(false).await;
            return out;
        }
    };
    let _ = ready.send(true).await;
    drop(ready);
    let Some(begun) = start.wait_for(|s| s.is_some()).await.ok().and_then(|r| *r) else {
        out.ws = Some(ws);
        return out;
    };
    let first = begun + plan.interval.mul_f64(n as f64 / plan.widgets as f64);
    for k in 0..plan.messages {
        let due = first + plan.interval * (k as u32);
        tokio::time::sleep_until(tokio::time::Instant::from_std(due)).await;
        let cseq = k as i64 + 2;
        // The tag leads the text, closed by `#` so that message 1 is not a prefix of 10.
        let tag = format!("#{n}-{k}#");
        let text = format!("{tag} {}", QUESTIONS[(n + k) % QUESTIONS.len()]);
        let t0 = Instant::now();
        lock(&shared.sent).insert(tag.clone(), t0);
        if let Err(kind) = send(&mut ws, json!({"t": "msg", "cseq": cseq, "text": text})).await {
            shared.fail(kind);
            return out;
        }
        out.sent += 1;
        let deadline = tokio::time::Instant::from_std(t0 + plan.wait);
        let mut acked = false;
        let mut answered = false;
        while !(acked && answered) {
            let f = match next_frame(&mut ws, deadline).await {
                Next::Frame(f) => f,
                Next::Closed => {
                    shared.fail("socket closed by kefu");
                    return out;
                }
                Next::Timeout => {
                    shared.fail(if acked {
                        "no answer within --wait-secs"
                    } else {
                        "no ack within --wait-secs"
                    });
                    break;
                }
            };
            match f["t"].as_str() {
                Some("ack") if f["cseq"] == cseq => {
                    acked = true;
                    out.ack.push(t0.elapsed());
                }
                Some("msg")
                    if f["from"] == "agent"
                        && f["text"].as_str().is_some_and(|t| t.starts_with(&tag)) =>
                {
                    let now = Instant::now();
                    answered = true;
                    out.round_trip.push(now - t0);
                    if let Some(posted) = lock(&shared.answered).remove(&tag) {
                        out.back.push(now.saturating_duration_since(posted));
                    }
                }
                Some("error") if f["cseq"] == cseq => {
                    let code = f["code"].as_str().unwrap_or("?");
                    shared.fail(format!("message refused: {code}"));
                    break;
                }
                Some("status") if f["status"] == "ended" => {
                    shared.fail("chat ended under the widget");
                    return out;
                }
                _ => {}
            }
        }
    }
    out.ws = Some(ws);
    out
}

/// One server-sent event of an agent's console: a visitor's measured message is noted as
/// arrived and answered at once (the answer posted by a task of its own, as a console's
/// agent types while the stream goes on).
fn on_event(block: &str, api: &reqwest::Client, base: &str, token: &str, shared: &Arc<Shared>) {
    let mut event = "";
    let mut data = String::new();
    for line in block.lines() {
        if let Some(v) = line.strip_prefix("event:") {
            event = v.trim();
        } else if let Some(v) = line.strip_prefix("data:") {
            data.push_str(v.strip_prefix(' ').unwrap_or(v));
        }
    }
    if event != "msg" {
        return;
    }
    let Ok(line) = serde_json::from_str::<Value>(&data) else {
        return;
    };
    if line["from"] != "visitor" {
        return;
    }
    let Some(tag) = line["text"]
        .as_str()
        .and_then(|t| t.split(' ').next())
        .filter(|t| t.len() > 2 && t.starts_with('#') && t.ends_with('#'))
    else {
        return;
    };
    let now = Instant::now();
    let Some(sent) = lock(&shared.sent).remove(tag) else {
        return;
    };
    lock(&shared.to_agent).push(now.saturating_duration_since(sent));
    let Some(session) = line["session"].as_i64() else {
        shared.fail("a console line without its chat");
        return;
    };
    let url = format!("{base}/api/v1/chat/sessions/{session}/messages");
    let answer = ANSWERS[(session as usize) % ANSWERS.len()];
    let body = json!({"text": format!("{tag} {answer}")});
    let tag = tag.to_owned();
    let (api, token, shared) = (api.clone(), token.to_owned(), shared.clone());
    tokio::spawn(async move {
        let t0 = Instant::now();
        lock(&shared.answered).insert(tag, t0);
        match api.post(url).bearer_auth(&token).json(&body).send().await {
            Ok(res) => {
                let status = res.status();
                let _ = res.bytes().await;
                if status == reqwest::StatusCode::CREATED {
                    lock(&shared.answer_post).push(t0.elapsed());
                } else {
                    shared.fail(format!("agent's answer answered {status}"));
                }
            }
            Err(_) => shared.fail("agent's answer: request failed"),
        }
    });
}

/// An agent's console stream, read event by event until the run ends it.
async fn console_stream(
    res: reqwest::Response,
    api: reqwest::Client,
    base: String,
    token: String,
    shared: Arc<Shared>,
) {
    let mut stream = res.bytes_stream();
    let mut buf: Vec<u8> = Vec::new();
    while let Some(chunk) = stream.next().await {
        let Ok(chunk) = chunk else {
            shared.fail("an agent's console stream broke");
            return;
        };
        buf.extend_from_slice(&chunk);
        while let Some(end) = buf.windows(2).position(|w| w == b"\n\n") {
            let block: Vec<u8> = buf.drain(..end + 2).collect();
            on_event(
                &String::from_utf8_lossy(&block),
                &api,
                &base,
                &token,
                &shared,
            );
        }
    }
    shared.fail("an agent's console stream ended");
}

pub async fn run(args: ChatArgs) -> anyhow::Result<()> {
    ensure!(args.widgets > 0, "--widgets must be at least 1");
    ensure!(
        args.interval_ms >= MIN_INTERVAL_MS,
        "--interval-ms must be at least {MIN_INTERVAL_MS}: a widget's socket takes at most 20 \
         messages in 10 s"
    );
    let agent_count = args
        .agents
        .unwrap_or_else(|| args.widgets.div_ceil(CHAT_LIMIT_MAX as usize))
        .max(1);
    let limit = args.widgets.div_ceil(agent_count);
    ensure!(
        (limit as i64) <= CHAT_LIMIT_MAX,
        "{agent_count} agents would answer {limit} chats each; the chat limit is at most \
         {CHAT_LIMIT_MAX}: pass more --agents"
    );
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
    let url = fresh_database(args.postgres.as_deref(), &dir, "chat", false).await?;

    // The channel and the agents, set up by an administrator before kefu starts.
    let app = open_app(&url).await?;
    let system = Actor::system();
    let channel = app
        .create_chat_channel(
            &system,
            &ChatChannelForm {
                name: "官网在线客服".to_owned(),
                active: true,
                allowed_origins: SHOP.to_owned(),
                group_id: None,
                max_message_chars: None,
                greeting: "您好，恒信售后为您服务。".to_owned(),
            },
        )
        .await?;
    let mut agents = Vec::new();
    for i in 0..agent_count {
        let username = format!("bench.chat{i:02}");
        let id = app
            .create_user(
                &system,
                &UserForm {
                    username: username.clone(),
                    display_name: format!("在线客服{i:02}"),
                    email: None,
                    password: Some(crate::harness::PASSWORD.to_owned()),
                    department: None,
                    level: None,
                    locale: Locale::ZhCn,
                    roles: RoleSet::new([Role::Agent]),
                },
            )
            .await?
            .user
            .id;
        app.set_chat_limit(&system, id, limit as i64).await?;
        let token = app.create_token(&system, id, "bench").await?.secret;
        agents.push(Agent { username, token });
    }

    let server = serve(&bin, &url, &dir).await?;
    let base = server.base.clone();
    let api = reqwest::Client::new();
    let shared = Arc::new(Shared::default());

    // Every agent 在线, their console's stream open (as the console page keeps it).
    let mut consoles = Vec::new();
    let mut signed_in = Vec::new();
    for a in &agents {
        let res = api
            .put(format!("{base}/api/v1/chat/agent"))
            .bearer_auth(&a.token)
            .json(&json!({"online": true}))
            .send()
            .await?;
        ensure!(
            res.status().is_success(),
            "{} could not switch to 在线: {}",
            a.username,
            res.status()
        );
        let console = sign_in(&base, &a.username).await?;
        let res = console.get(format!("{base}/chat/events")).send().await?;
        ensure!(
            res.status().is_success(),
            "the console stream of {} answered {}",
            a.username,
            res.status()
        );
        // A sign-in that did not hold lands on a page instead (redirects are followed).
        let streams = res
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"));
        ensure!(
            streams,
            "the console of {} gave no event stream: not signed in?",
            a.username
        );
        consoles.push(tokio::spawn(console_stream(
            res,
            api.clone(),
            base.clone(),
            a.token.clone(),
            shared.clone(),
        )));
        signed_in.push(console);
    }

    // 1. Every widget opens its chat and has it accepted.
    eprintln!(
        "opening {} widgets ({backend}), {agent_count} agents with a chat limit of {limit}…",
        args.widgets
    );
    let plan = Arc::new(Plan {
        base: base.clone(),
        channel,
        widgets: args.widgets,
        messages: args.messages,
        interval: Duration::from_millis(args.interval_ms),
        wait: Duration::from_secs(args.wait_secs),
    });
    let (ready_tx, mut ready_rx) = mpsc::channel::<bool>(args.widgets);
    let (start_tx, start_rx) = watch::channel::<Option<Instant>>(None);
    let opening = Arc::new(Semaphore::new(OPENING_AT_ONCE));
    let opened_at = Instant::now();
    let mut tasks = Vec::new();
    for n in 0..args.widgets {
        tasks.push(tokio::spawn(widget(WidgetJob {
            n,
            plan: plan.clone(),
            agent: agents[n % agents.len()].clone(),
            api: api.clone(),
            shared: shared.clone(),
            opening: opening.clone(),
            ready: ready_tx.clone(),
            start: start_rx.clone(),
        })));
    }
    drop(ready_tx);
    let mut open = 0usize;
    while let Some(ok) = ready_rx.recv().await {
        if ok {
            open += 1;
        }
    }
    let opening_secs = opened_at.elapsed().as_secs_f64();
    eprintln!(
        "{open} of {} widgets open with their chats accepted after {opening_secs:.1} s; measuring…",
        args.widgets
    );

    // 2. The messages, all widgets open.
    let started = Instant::now();
    let _ = start_tx.send_replace(Some(started));
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.push(t.await?);
    }
    let measured_secs = started.elapsed().as_secs_f64();
    // Answers still on their way are not waited for: their widgets counted them missing.
    for c in &consoles {
        c.abort();
    }
    drop(signed_in);
    for o in &mut outcomes {
        if let Some(mut ws) = o.ws.take() {
            let _ = ws.close(None).await;
        }
    }
    drop(server);

    let sent: usize = outcomes.iter().map(|o| o.sent).sum();
    let ack = Spread::new(
        outcomes
            .iter()
            .flat_map(|o| o.ack.iter().copied())
            .collect(),
    );
    let round_trip = Spread::new(
        outcomes
            .iter()
            .flat_map(|o| o.round_trip.iter().copied())
            .collect(),
    );
    let back = Spread::new(
        outcomes
            .iter()
            .flat_map(|o| o.back.iter().copied())
            .collect(),
    );
    let to_agent = Spread::new(std::mem::take(&mut *lock(&shared.to_agent)));
    let answer_post = Spread::new(std::mem::take(&mut *lock(&shared.answer_post)));
    let unseen = lock(&shared.sent).len();
    let mut errors = std::mem::take(&mut *lock(&shared.errors));
    if unseen > 0 {
        errors.insert(
            "message never shown on an agent's console".to_owned(),
            unseen,
        );
    }
    let interval_secs = args.interval_ms as f64 / 1000.0;
    let offered = open as f64 / interval_secs;
    let achieved = sent as f64 / measured_secs;

    println!(
        "chat — {backend}: {open} of {} widgets open at once, {agent_count} agents (chat limit \
         {limit}), {} messages a widget, one every {interval_secs:.1} s: {offered:.0} messages/s \
         offered, {achieved:.1}/s sent; chats opened and accepted in {opening_secs:.1} s",
        args.widgets, args.messages
    );
    println!();
    println!("| measure | count | p50 ms | p99 ms | max ms |");
    println!("|---|---:|---:|---:|---:|");
    let rows = [
        ("visitor's message → ack (stored)", &ack),
        ("visitor's message → agent's console (SSE)", &to_agent),
        ("agent's answer posted → 201", &answer_post),
        ("agent's answer posted → visitor's widget", &back),
        ("round trip: visitor → agent → visitor", &round_trip),
    ];
    for (name, s) in rows {
        println!("| {name} | {} | {} |", s.count(), s.cells());
    }
    println!();
    println!("| errors | count |");
    println!("|---|---:|");
    if errors.is_empty() {
        println!("| none | 0 |");
    }
    for (kind, count) in &errors {
        println!("| {kind} | {count} |");
    }

    let report = json!({
        "backend": backend,
        "widgets": args.widgets,
        "widgets_open": open,
        "agents": agent_count,
        "chat_limit": limit,
        "messages_per_widget": args.messages,
        "interval_ms": args.interval_ms,
        "offered_per_second": offered,
        "sent": sent,
        "sent_per_second": achieved,
        "opening_seconds": opening_secs,
        "ack": ack.json(),
        "to_agent_console": to_agent.json(),
        "answer_post": answer_post.json(),
        "answer_to_widget": back.json(),
        "round_trip": round_trip.json(),
        "errors": errors,
    });
    std::fs::write(
        dir.join("chat.json"),
        serde_json::to_string_pretty(&report)?,
    )?;
    Ok(())
}
