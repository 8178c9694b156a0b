//! 在线客服 across the three instances: the customer's widget socket on kefu-a, the agent's
//! console (its stream `/chat/events` and its form posts) on kefu-c, then both through the
//! balancer. Each instance's chat hub reads the lines other instances wrote from the
//! database every 250 ms (`POLL` in `kefu_web::chat`), so every line must cross within
//! [`CROSS_WITHIN`], in order, once; the transcript is stored once and becomes one ticket.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use kefu_domain::Role;
use kefu_testkit::chat_client::Widget;
use kefu_testkit::{ApiClient, Session, TEST_PASSWORD, json_body};
use serde_json::{Value, json};

use super::{Cluster, all_names, instance};
use crate::chat::{SHOP, channel, count, say};

/// How long a line written on one instance may take to reach a socket or console held by
/// another: a poll of the chat hub (250 ms) and the reading, with room for a busy machine.
const CROSS_WITHIN: Duration = Duration::from_secs(3);

/// The agent console's stream as the console's script reads it: named events, `msg` ones
/// kept in order.
struct ConsoleStream {
    stream: BoxStream<'static, reqwest::Result<Vec<u8>>>,
    buf: Vec<u8>,
    /// The data of every `msg` event, in the order they came.
    lines: Vec<Value>,
    /// The instance holding the stream.
    by: String,
}

impl ConsoleStream {
    async fn open(console: &Session) -> ConsoleStream {
        let res = console.get("/chat/events").await;
        assert_eq!(res.status(), 200, "the console's stream");
        let by = instance(&res);
        ConsoleStream {
            stream: res.bytes_stream().map(|c| c.map(|b| b.to_vec())).boxed(),
            buf: Vec::new(),
            lines: Vec::new(),
            by,
        }
    }

    /// The next event (its name and data) within `wait`; keep-alive comments are skipped.
    async fn next_event(&mut self, wait: Duration) -> Option<(String, String)> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            // Whole events only: a chunk may end inside a character.
            if let Some(end) = self.buf.windows(2).position(|w| w == b"\n\n") {
                let raw: Vec<u8> = self.buf.drain(..end + 2).collect();
                let text = String::from_utf8(raw).expect("an event in UTF-8");
                let mut name = "message".to_owned();
                let mut data = Vec::new();
                for line in text.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        name = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push(v.strip_prefix(' ').unwrap_or(v).to_owned());
                    }
                }
                if data.is_empty() {
                    continue;
                }
                let data = data.join("\n");
                if name == "msg" {
                    self.lines
                        .push(serde_json::from_str(&data).expect("a msg event in JSON"));
                }
                return Some((name, data));
            }
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match tokio::time::timeout(left, self.stream.next()).await {
                Ok(Some(Ok(chunk))) => self.buf.extend_from_slice(&chunk),
                _ => return None,
            }
        }
    }

    /// Waits for an event `wanted` picks; how long it took.
    async fn until(
        &mut self,
        what: &str,
        wait: Duration,
        wanted: impl Fn(&str, &str) -> bool,
    ) -> Duration {
        let started = Instant::now();
        let mut seen = Vec::new();
        loop {
            let left = wait.saturating_sub(started.elapsed());
            match self.next_event(left).await {
                Some((name, data)) if wanted(name.as_str(), data.as_str()) => {
                    return started.elapsed();
                }
                Some(event) => seen.push(event),
                None => panic!(
                    "the console on {} had no {what} within {wait:?}; events: {seen:?}",
                    self.by
                ),
            }
        }
    }

    /// Waits for the `msg` event of the line with this text (it may have come already).
    async fn line(&mut self, text: &str, wait: Duration) -> Duration {
        if self.lines.iter().any(|l| l["text"] == text) {
            return Duration::ZERO;
        }
        let what = format!("line {text:?}");
        self.until(&what, wait, |name, data| {
            name == "msg" && serde_json::from_str::<Value>(data).is_ok_and(|v| v["text"] == text)
        })
        .await
    }

    /// Reads what else comes within `wait` (a line told twice would come now).
    async fn drain(&mut self, wait: Duration) {
        let until = Instant::now() + wait;
        while self
            .next_event(until.saturating_duration_since(Instant::now()))
            .await
            .is_some()
        {}
    }
}

/// The agent's reply as the console's script sends it (a form post asking for JSON): the
/// line kefu stored, and the instance that took it.
async fn reply(console: &Session, csrf: &str, session: i64, text: &str) -> (Value, String) {
    let res = console
        .client
        .post(console.url(&format!("/chat/sessions/{session}/messages")))
        .header("accept", "application/json")
        .form(&[("_csrf", csrf), ("body", text)])
        .send()
        .await
        .expect("POST a reply");
    let by = instance(&res);
    assert_eq!(res.status(), 200, "the reply posted to {by}");
    (json_body(res).await, by)
}

/// The customer's widget shows the agent's line `text` within the bound: the line.
async fn shown(w: &mut Widget, text: &str, since: Instant, leg: &str) -> Value {
    let line = w.line(text).await;
    let took = since.elapsed();
    assert!(
        took < CROSS_WITHIN,
        "{leg}: the reply {text:?} reached the customer in {took:?}"
    );
    assert_eq!(line["from"], "agent", "{line}");
    line
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chat_crosses_instances_both_ways_in_order_once() {
    let Some(cluster) = Cluster::start(None).await else {
        return;
    };
    let observer = &cluster.observer;
    let admin_id = observer.create_user("lbchat.admin", &[Role::Admin]).await;
    let admin = ApiClient {
        client: reqwest::Client::new(),
        base: cluster.servers[1].base.clone(),
        token: observer.token_for(admin_id).await,
    };
    let channel_id = channel(&admin, "官网在线客服", json!({})).await;
    observer.create_user("lbchat.agent", &[Role::Agent]).await;

    // -- The agent's console on kefu-c: stream open, 在线 through its form. --------------
    let console = Cluster::browser(&cluster.servers[2].base);
    assert_eq!(
        console
            .sign_in("lbchat.agent", TEST_PASSWORD)
            .await
            .status(),
        303
    );
    let mut stream = ConsoleStream::open(&console).await;
    assert_eq!(stream.by, "kefu-c");
    let res = console
        .post_form("/chat/availability", &[("online", "1")])
        .await;
    assert_eq!(res.status(), 303, "在线 on kefu-c");
    // Let kefu-c's hub note where the lines are before anyone writes.
    tokio::time::sleep(Duration::from_millis(700)).await;

    // -- Leg 1: the customer on kefu-a writes; the agent on kefu-c hears it. -------------
    let mut w = Widget::connect(&cluster.servers[0].base, channel_id, SHOP)
        .await
        .expect("the shop's page opens the widget on kefu-a");
    let welcome = w.hello(None, 0).await;
    assert_eq!(
        welcome["status"], "waiting",
        "kefu-a knows the agent went online on kefu-c: {welcome}"
    );
    let first = "你好，空气净化器的滤网在哪里换？";
    say(&mut w, 1, first).await;
    let session = w.session.expect("the first message opened a chat");
    let took = stream
        .until("queue event", CROSS_WITHIN, |name, _| name == "queue")
        .await;
    eprintln!("chat across instances: the waiting chat reached kefu-c's console in {took:?}");
    let page = console
        .get(&format!("/chat?session={session}"))
        .await
        .text()
        .await
        .expect("the console page");
    assert!(
        page.contains(first),
        "kefu-c's console shows the customer's words"
    );

    let res = console
        .post_form(&format!("/chat/sessions/{session}/accept"), &[])
        .await;
    assert_eq!(res.status(), 303, "accepted on kefu-c");
    let accepted = Instant::now();
    let status = w
        .until("the chat accepted", |f| {
            f["t"] == "status" && f["status"] == "active"
        })
        .await;
    assert!(
        accepted.elapsed() < CROSS_WITHIN,
        "kefu-a told the customer in {:?}",
        accepted.elapsed()
    );
    assert_eq!(status["agent"], "测试 lbchat.agent");

    let second = "型号是KJ500，买了一年。";
    let second_seq = say(&mut w, 2, second).await;
    let took = stream.line(second, CROSS_WITHIN).await;
    eprintln!("chat across instances: kefu-a → kefu-c in {took:?}");

    // -- Leg 2: the agent on kefu-c answers twice; the customer on kefu-a reads both. ----
    let csrf = console.csrf().await;
    let mut replies = Vec::new();
    let answers = [
        "滤网在机身背面，拧开后盖即可取出。",
        "KJ500 用的是 F5 型号滤网。",
    ];
    let sent = Instant::now();
    for text in answers {
        let (line, by) = reply(&console, &csrf, session, text).await;
        assert_eq!(by, "kefu-c");
        replies.push((
            text.to_owned(),
            line["seq"].as_i64().expect("the line's number"),
        ));
    }
    for (text, seq) in &replies {
        let line = shown(&mut w, text, sent, "kefu-c → kefu-a").await;
        assert_eq!(line["seq"], *seq);
    }
    eprintln!(
        "chat across instances: kefu-c → kefu-a in {:?}",
        sent.elapsed()
    );

    // -- Leg 3: the customer's page is reloaded while the agent writes once more; both now
    // go through the balancer, so the lines land on any instance. ----------------------
    let token = w.token.clone().expect("the welcome's token");
    let shown_up_to = w.last_seq;
    w.close().await;
    let away = "您还在吗？";
    let (line, _) = reply(&console, &csrf, session, away).await;
    replies.push((away.to_owned(), line["seq"].as_i64().expect("a number")));

    let mut w = Widget::connect(&cluster.balancer.base, channel_id, SHOP)
        .await
        .expect("the widget through the balancer");
    let back = Instant::now();
    let welcome = w.hello(Some(token.as_str()), shown_up_to).await;
    assert_eq!(welcome["session"], session, "the same chat: {welcome}");
    assert_eq!(welcome["status"], "active");
    shown(&mut w, away, back, "the reconnect").await;
    // The widget sends again what it had no ack for: stored once, the same number.
    w.msg(2, second).await;
    let ack = w
        .until("the resend's ack", |f| f["t"] == "ack" && f["cseq"] == 2)
        .await;
    assert_eq!(ack["seq"], second_seq, "a resend through another instance");

    let via = Session {
        client: console.client.clone(),
        base: cluster.balancer.base.clone(),
    };
    let mut taken_by = BTreeSet::new();
    for n in 1..=9 {
        let text = format!("第{n}条：更换后请按住复位键三秒。");
        let sent = Instant::now();
        let (line, by) = reply(&via, &csrf, session, &text).await;
        let seq = line["seq"].as_i64().expect("a number");
        shown(&mut w, &text, sent, &format!("through the balancer ({by})")).await;
        replies.push((text, seq));
        taken_by.insert(by);
        if taken_by == all_names() {
            break;
        }
    }
    assert_eq!(
        taken_by,
        all_names(),
        "the replies landed on every instance"
    );
    let third = "好的，我试试，谢谢";
    say(&mut w, 3, third).await;
    let took = stream.line(third, CROSS_WITHIN).await;
    eprintln!("chat across instances: balancer → kefu-c in {took:?}");

    // -- In order, once, on both screens. ---------------------------------------------
    // Anything told twice would come now (the widget checks every number follows the last).
    while w.next_within(Duration::from_secs(1)).await.is_some() {}
    let agent_lines: Vec<(String, i64)> = w
        .lines
        .iter()
        .filter(|l| l["from"] == "agent")
        .map(|l| {
            (
                l["text"].as_str().unwrap_or_default().to_owned(),
                l["seq"].as_i64().unwrap_or_default(),
            )
        })
        .collect();
    // The first connection's lines were shown before the reload; this one's list starts after.
    let after_reload: Vec<(String, i64)> = replies[answers.len()..].to_vec();
    assert_eq!(
        agent_lines, after_reload,
        "the customer saw each reply after the reload once, in order"
    );
    stream.drain(Duration::from_secs(1)).await;
    let mine: Vec<&Value> = stream
        .lines
        .iter()
        .filter(|l| l["session"] == session)
        .collect();
    let seqs: Vec<i64> = mine.iter().filter_map(|l| l["seq"].as_i64()).collect();
    assert!(
        seqs.windows(2).all(|p| p[0] < p[1]),
        "the console's lines in order, none twice: {seqs:?}"
    );
    let mut heard: Vec<&str> = vec![second];
    heard.extend(replies.iter().map(|(t, _)| t.as_str()));
    heard.push(third);
    for text in heard {
        let times = mine.iter().filter(|l| l["text"] == text).count();
        assert_eq!(times, 1, "kefu-c's console told {text:?} {times} times");
    }

    // -- Ended through the balancer: the transcript is stored once and becomes one ticket.
    let res = via
        .post_form(&format!("/chat/sessions/{session}/end"), &[])
        .await;
    assert_eq!(res.status(), 303, "ended through the balancer");
    w.until("the end", |f| f["t"] == "status" && f["status"] == "ended")
        .await;
    w.close().await;

    let rows = transcript(&cluster, session).await;
    let numbers: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let expected: Vec<i64> = (1..=rows.len() as i64).collect();
    assert_eq!(numbers, expected, "the lines are numbered 1, 2, 3… once");
    let visitor: Vec<(&str, Option<i64>)> = rows
        .iter()
        .filter(|r| r.1 == "visitor")
        .map(|r| (r.2.as_str(), r.3))
        .collect();
    assert_eq!(
        visitor,
        [(first, Some(1)), (second, Some(2)), (third, Some(3))],
        "the customer's messages, each once (the resend not stored again)"
    );
    let agent: Vec<(String, i64)> = rows
        .iter()
        .filter(|r| r.1 == "agent")
        .map(|r| (r.2.clone(), r.0))
        .collect();
    assert_eq!(agent, replies, "the agent's replies, each once, in order");

    let ticket = count(
        observer,
        "SELECT COALESCE(ticket_id, 0) FROM chat_sessions WHERE id = $1",
        session,
    )
    .await;
    assert!(ticket > 0, "the ended chat became a ticket");
    assert_eq!(
        count(
            observer,
            "SELECT COUNT(*) FROM chat_sessions WHERE ticket_id = $1",
            ticket
        )
        .await,
        1
    );
    let mut conn = observer.app.store.conn().await.expect("a connection");
    let tickets: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tickets WHERE external_id = $1")
        .bind(format!("chat-session-{session}"))
        .fetch_one(&mut *conn)
        .await
        .expect("tickets");
    assert_eq!(tickets, 1, "one ticket for the chat");
    let said: Vec<(String, String)> = sqlx::query_as(
        "SELECT author_kind, body FROM ticket_messages WHERE ticket_id = $1 ORDER BY id",
    )
    .bind(ticket)
    .fetch_all(&mut *conn)
    .await
    .expect("the ticket's messages");
    drop(conn);
    let from_customer: Vec<&str> = said
        .iter()
        .filter(|(k, _)| k == "customer")
        .map(|(_, b)| b.as_str())
        .collect();
    assert_eq!(from_customer, [first, second, third]);
    let from_staff: Vec<&str> = said
        .iter()
        .filter(|(k, _)| k == "staff")
        .map(|(_, b)| b.as_str())
        .collect();
    let replied: Vec<&str> = replies.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(from_staff, replied, "the ticket holds each reply once");
}

/// (seq, author, body, cseq) of every line of the chat, by number.
async fn transcript(cluster: &Cluster, session: i64) -> Vec<(i64, String, String, Option<i64>)> {
    let mut conn = cluster
        .observer
        .app
        .store
        .conn()
        .await
        .expect("a connection");
    sqlx::query_as(
        "SELECT seq, author, body, cseq FROM chat_messages WHERE session_id = $1 ORDER BY seq",
    )
    .bind(session)
    .fetch_all(&mut *conn)
    .await
    .expect("the chat's lines")
}
