//! The load: 16 clients writing over HTTP as other systems and mail servers do — tickets
//! through the API (with an `Idempotency-Key`), replies on them, complaints walked from
//! intake to the solution stage, mails posted signed to a mailbox's webhook — each logging
//! every write kefu acknowledged (a 2xx answer read whole) with what it must have produced.
//!
//! A write whose answer never came (the server died with it in flight) may or may not have
//! happened. Those that can be sent again safely — a create with its key, a mail with its
//! Message-ID — are sent again, unchanged, once the server is back, until acknowledged: the
//! answer then says whether the first one had been committed. Replies and complaint steps
//! are not idempotent: one in doubt is left as it is.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kefu_domain::Role;
use kefu_testkit::TestApp;
use reqwest::header::CONTENT_TYPE;
use serde_json::{Value, json};

use super::Rng;
use crate::mail_ingest::{inbound_path, mail, mailbox, sign};

/// Clients opening tickets and replying on them.
const TICKET_CLIENTS: usize = 8;
/// Clients walking complaints.
const COMPLAINT_CLIENTS: usize = 4;
/// Clients posting mail to the webhook.
const MAIL_CLIENTS: usize = 4;
pub const CLIENTS: usize = TICKET_CLIENTS + COMPLAINT_CLIENTS + MAIL_CLIENTS;

/// An acknowledged write and what it must have produced.
#[derive(Debug, Clone)]
pub enum Ack {
    /// A ticket opened through the API, its first message the body sent.
    Ticket {
        id: i64,
        tag: String,
        subject: String,
        body: String,
    },
    /// A reply on a ticket: present, once.
    Reply { ticket: i64, body: String },
    /// A complaint step: the complaint is at this stage or later.
    Complaint { id: i64, stage: &'static str },
    /// A mail taken by the webhook: stored once, with its ticket.
    Mail { message_id: String, ticket: i64 },
}

/// What happened to the writes whose answer was lost.
#[derive(Default)]
pub struct Stats {
    /// Writes sent whose answer never came.
    pub in_doubt: AtomicUsize,
    /// Creates and mails in doubt whose retry found the first committed (a replay).
    pub replayed: AtomicUsize,
    /// Creates and mails in doubt whose retry made them (the first was never committed).
    pub made_on_retry: AtomicUsize,
    /// Replies and complaint steps in doubt, not sent again.
    pub left: AtomicUsize,
}

/// Pausing and stopping the clients.
#[derive(Default)]
pub struct Control {
    paused: AtomicBool,
    stop: AtomicBool,
    /// Clients between deciding to send and having their answer.
    busy: AtomicUsize,
}

impl Control {
    /// Stops the clients sending and waits until none has a request in flight. A client
    /// counts itself busy before it looks at `paused`, so none slips through.
    pub async fn pause(&self) {
        self.paused.store(true, Ordering::SeqCst);
        while self.busy.load(Ordering::SeqCst) > 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    pub fn resume(&self) {
        self.paused.store(false, Ordering::SeqCst);
    }

    /// The clients send what they still owe (writes in doubt) and end.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        self.paused.store(false, Ordering::SeqCst);
    }
}

/// Everything the clients share.
pub struct Load {
    pub base: String,
    pub http: reqwest::Client,
    /// One agent token per ticket client.
    pub agents: Vec<String>,
    specialist: String,
    /// A user of the quality department, who answers complaint notices.
    quality: String,
    quality_dept: i64,
    pub mailbox_id: i64,
    mailbox_secret: String,
    /// The observer's application: its clock signs the webhook posts.
    app: kefu_app::App,
    /// The answer date promised in every judgement (three days on: in the future for the
    /// whole run).
    promised: String,
    seed: u64,
    pub control: Control,
    pub stats: Stats,
    acks: Mutex<Vec<Ack>>,
    failures: Mutex<Vec<String>>,
}

impl Load {
    /// The cast (agents, a complaint specialist, a quality department user, a mailbox) made
    /// on the observer's database, aimed at the server at `base`.
    pub async fn new(observer: &TestApp, base: &str, seed: u64) -> Load {
        let mut agents = Vec::new();
        for n in 0..TICKET_CLIENTS {
            let id = observer
                .create_user(&format!("crash.agent{n:02}"), &[Role::Agent])
                .await;
            agents.push(observer.token_for(id).await);
        }
        let specialist = observer
            .create_user("crash.tousu", &[Role::ComplaintSpecialist])
            .await;
        let quality = observer
            .create_user_in("crash.pinzhi", &[Role::Department], Some("quality"))
            .await;
        let quality_dept = observer
            .app
            .departments()
            .await
            .expect("departments")
            .into_iter()
            .find(|d| d.key == "quality")
            .expect("the quality department")
            .id;
        let mb = mailbox(observer).await;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .expect("client");
        Load {
            base: base.to_owned(),
            http,
            agents,
            specialist: observer.token_for(specialist).await,
            quality: observer.token_for(quality).await,
            quality_dept,
            mailbox_id: mb.id,
            mailbox_secret: mb.secret,
            app: observer.app.clone(),
            promised: (observer.now() + jiff::SignedDuration::from_hours(72)).to_string(),
            seed,
            control: Control::default(),
            stats: Stats::default(),
            acks: Mutex::new(Vec::new()),
            failures: Mutex::new(Vec::new()),
        }
    }

    /// The acknowledged writes so far, in the order their answers came.
    pub fn acks(&self) -> Vec<Ack> {
        self.acks.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Answers no write should get (a 4xx or 5xx to a well-formed request).
    pub fn failures(&self) -> Vec<String> {
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn ack(&self, a: Ack) {
        self.acks.lock().unwrap_or_else(|e| e.into_inner()).push(a);
    }

    fn fail(&self, what: String) {
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(what);
    }

    fn count(&self, n: &AtomicUsize) {
        n.fetch_add(1, Ordering::Relaxed);
    }
}

/// What came of one request.
enum Answer {
    /// A 2xx, its body read whole (JSON, else null); `replayed` when kefu says it answers
    /// an earlier request with the same key.
    Done { body: Value, replayed: bool },
    /// No answer. `sent` is false when the request never reached a server (connection
    /// refused: the server was away), so nothing of it can exist.
    Lost { sent: bool },
    /// An answer a well-formed write must never get.
    Refused(String),
}

async fn send(req: reqwest::RequestBuilder) -> Answer {
    let res = match req.send().await {
        Ok(r) => r,
        Err(e) => {
            return Answer::Lost {
                sent: !e.is_connect(),
            };
        }
    };
    let status = res.status();
    let replayed = res
        .headers()
        .get("idempotent-replayed")
        .and_then(|v| v.to_str().ok())
        == Some("true");
    let Ok(text) = res.text().await else {
        return Answer::Lost { sent: true };
    };
    if status.is_success() {
        Answer::Done {
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
            replayed,
        }
    } else {
        Answer::Refused(format!("{status}: {text}"))
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Tickets,
    Complaints,
    Mails,
}

/// A write that is sent again, unchanged, until acknowledged.
struct Pending {
    what: Owed,
    /// Its JSON or MIME body, the same bytes every time (the key's fingerprint covers them).
    body: Vec<u8>,
    /// A try of it reached the server and its answer was lost.
    in_doubt: bool,
}

enum Owed {
    Ticket {
        key: String,
        tag: String,
        subject: String,
        text: String,
    },
    Complaint {
        key: String,
        tag: String,
    },
    Mail {
        message_id: String,
    },
}

impl Owed {
    fn describe(&self) -> String {
        match self {
            Owed::Ticket { tag, .. } => format!("ticket {tag}"),
            Owed::Complaint { tag, .. } => format!("complaint {tag}"),
            Owed::Mail { message_id } => format!("mail <{message_id}>"),
        }
    }
}

/// The next complaint step of a walk.
#[derive(Clone, Copy)]
enum Next {
    Intake,
    Judgement,
    Answer,
    Review,
    Investigation,
}

struct Walk {
    id: i64,
    next: Next,
    notice: i64,
}

/// One client's own state.
struct Client {
    n: usize,
    kind: Kind,
    /// Writes made, for unique tags.
    made: u32,
    pending: Option<Pending>,
    /// The tickets it opened (ticket clients reply on them).
    tickets: Vec<i64>,
    walk: Option<Walk>,
}

/// Runs client `n` until stopped; it then sends what it still owes and ends.
pub async fn run(load: Arc<Load>, n: usize) {
    let kind = if n < TICKET_CLIENTS {
        Kind::Tickets
    } else if n < TICKET_CLIENTS + COMPLAINT_CLIENTS {
        Kind::Complaints
    } else {
        Kind::Mails
    };
    let mut rng = Rng::new(load.seed ^ (n as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let mut c = Client {
        n,
        kind,
        made: 0,
        pending: None,
        tickets: Vec::new(),
        walk: None,
    };
    let control = &load.control;
    loop {
        control.busy.fetch_add(1, Ordering::SeqCst);
        if control.paused.load(Ordering::SeqCst) {
            control.busy.fetch_sub(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        }
        if control.stop.load(Ordering::SeqCst) && c.pending.is_none() {
            control.busy.fetch_sub(1, Ordering::SeqCst);
            return;
        }
        let reached = c.step(&load, &mut rng).await;
        control.busy.fetch_sub(1, Ordering::SeqCst);
        if !reached {
            // The server is away (or just died): try again shortly.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Client {
    fn tag(&mut self, prefix: &str) -> String {
        self.made += 1;
        format!("{prefix}{:02}N{:05}", self.n, self.made)
    }

    /// One write (or the retry of one owed); false when the server did not answer.
    async fn step(&mut self, load: &Load, rng: &mut Rng) -> bool {
        if self.pending.is_none() {
            match self.kind {
                Kind::Tickets if !self.tickets.is_empty() && rng.below(100) < 40 => {
                    return self.reply(load, rng).await;
                }
                Kind::Tickets => self.pending = Some(self.new_ticket()),
                Kind::Complaints if self.walk.is_some() => return self.walk_on(load).await,
                Kind::Complaints => self.pending = Some(self.new_complaint()),
                Kind::Mails => self.pending = Some(self.new_mail()),
            }
        }
        self.send_pending(load).await
    }

    fn new_ticket(&mut self) -> Pending {
        let tag = self.tag("KT");
        let subject = format!("空调不制冷 {tag}");
        let text = format!("客户反映空调开机半小时仍不制冷，外机有异响。编号 {tag}");
        let body = json!({"subject": subject, "body": text, "contact_name": "王女士"});
        Pending {
            what: Owed::Ticket {
                key: format!("crash-{tag}"),
                tag,
                subject,
                text,
            },
            body: serde_json::to_vec(&body).expect("JSON"),
            in_doubt: false,
        }
    }

    fn new_complaint(&mut self) -> Pending {
        let tag = self.tag("KC");
        let body = json!({
            "complainant": "王经理",
            "channel": "phone",
            "content": format!("投诉 {tag}：上周收到的 200 个 GX-3341 轴承有 30 个外圈开裂，要求尽快处理。"),
            "order_number": "PO-2026-00817",
            "part_number": "GX-3341",
            "quantity": 30,
            "product": "深沟球轴承",
            "category": "quality",
            "severity": "serious"
        });
        Pending {
            what: Owed::Complaint {
                key: format!("crash-{tag}"),
                tag,
            },
            body: serde_json::to_vec(&body).expect("JSON"),
            in_doubt: false,
        }
    }

    fn new_mail(&mut self) -> Pending {
        let tag = self.tag("KM");
        let lower = tag.to_lowercase();
        let message_id = format!("crash.{lower}@kunde.example");
        let from = format!("kehu.{lower}@kunde.example");
        let raw = mail(
            &message_id,
            ("李女士", from.as_str()),
            &format!("洗衣机漏水 {tag}"),
            "",
            &format!("洗衣机底部漏水，地板都湿了。编号 {tag}"),
        );
        Pending {
            what: Owed::Mail { message_id },
            body: raw,
            in_doubt: false,
        }
    }

    async fn send_pending(&mut self, load: &Load) -> bool {
        let Some(p) = self.pending.as_mut() else {
            return true;
        };
        let req = match &p.what {
            Owed::Ticket { key, .. } => load
                .http
                .post(format!("{}/api/v1/tickets", load.base))
                .bearer_auth(&load.agents[self.n])
                .header("Idempotency-Key", key.as_str())
                .header(CONTENT_TYPE, "application/json")
                .body(p.body.clone()),
            Owed::Complaint { key, .. } => load
                .http
                .post(format!("{}/api/v1/complaints", load.base))
                .bearer_auth(&load.specialist)
                .header("Idempotency-Key", key.as_str())
                .header(CONTENT_TYPE, "application/json")
                .body(p.body.clone()),
            Owed::Mail { .. } => {
                // Signed afresh each try, as a mail server's retry is.
                let ts = load.app.now().as_second();
                load.http
                    .post(format!("{}{}", load.base, inbound_path(load.mailbox_id)))
                    .header(CONTENT_TYPE, "message/rfc822")
                    .header("x-kefu-timestamp", ts.to_string())
                    .header("x-kefu-signature", sign(&load.mailbox_secret, ts, &p.body))
                    .body(p.body.clone())
            }
        };
        let (body, replayed) = match send(req).await {
            Answer::Lost { sent } => {
                if sent && !p.in_doubt {
                    p.in_doubt = true;
                    load.count(&load.stats.in_doubt);
                }
                return false;
            }
            Answer::Refused(why) => {
                load.fail(format!("{}: {why}", p.what.describe()));
                self.pending = None;
                return true;
            }
            Answer::Done { body, replayed } => (body, replayed),
        };
        let Some(p) = self.pending.take() else {
            return true;
        };
        let replayed = replayed || body["status"] == "duplicate";
        if p.in_doubt {
            load.count(if replayed {
                &load.stats.replayed
            } else {
                &load.stats.made_on_retry
            });
        }
        match p.what {
            Owed::Ticket {
                tag, subject, text, ..
            } => match body["id"].as_i64() {
                Some(id) => {
                    self.tickets.push(id);
                    load.ack(Ack::Ticket {
                        id,
                        tag,
                        subject,
                        body: text,
                    });
                }
                None => load.fail(format!("ticket {tag}: answered without an id: {body}")),
            },
            Owed::Complaint { tag, .. } => match body["id"].as_i64() {
                Some(id) => {
                    load.ack(Ack::Complaint {
                        id,
                        stage: "intake",
                    });
                    self.walk = Some(Walk {
                        id,
                        next: Next::Intake,
                        notice: 0,
                    });
                }
                None => load.fail(format!("complaint {tag}: answered without an id: {body}")),
            },
            Owed::Mail { message_id } => {
                let landed = matches!(
                    body["status"].as_str(),
                    Some("ticket_created") | Some("duplicate")
                );
                match body["ticket_id"].as_i64() {
                    Some(ticket) if landed => load.ack(Ack::Mail { message_id, ticket }),
                    _ => load.fail(format!("mail <{message_id}>: answered {body}")),
                }
            }
        }
        true
    }

    async fn reply(&mut self, load: &Load, rng: &mut Rng) -> bool {
        let ticket = self.tickets[rng.below(self.tickets.len() as u64) as usize];
        let tag = self.tag("KR");
        let text = format!("您好，师傅明天上午上门检修，请保持电话畅通。{tag}");
        let req = load
            .http
            .post(format!("{}/api/v1/tickets/{ticket}/messages", load.base))
            .bearer_auth(&load.agents[self.n])
            .json(&json!({ "body": text }));
        match send(req).await {
            Answer::Done { .. } => {
                load.ack(Ack::Reply { ticket, body: text });
                true
            }
            Answer::Lost { sent } => {
                if sent {
                    load.count(&load.stats.in_doubt);
                    load.count(&load.stats.left);
                }
                false
            }
            Answer::Refused(why) => {
                load.fail(format!("reply {tag} on ticket {ticket}: {why}"));
                true
            }
        }
    }

    /// The next step of the complaint being walked: intake, judgement (valid, to the
    /// quality department), the department's answer to the notice, its review, the
    /// investigation — which brings it to the solution stage and ends the walk.
    async fn walk_on(&mut self, load: &Load) -> bool {
        let Some(walk) = self.walk.as_ref() else {
            return true;
        };
        let (id, notice) = (walk.id, walk.notice);
        let (token, path, body, stage) = match walk.next {
            Next::Intake => (
                &load.specialist,
                format!("/api/v1/complaints/{id}/intake"),
                json!({"comment": "信息齐全"}),
                Some("validity"),
            ),
            Next::Judgement => (
                &load.specialist,
                format!("/api/v1/complaints/{id}/judgement"),
                json!({"valid": true, "department_id": load.quality_dept,
                       "promised_answer_at": load.promised}),
                Some("notice"),
            ),
            Next::Answer => (
                &load.quality,
                format!("/api/v1/complaint-notices/{notice}/answer"),
                json!({"answer": "同批次热处理异常，已隔离库存。"}),
                None,
            ),
            Next::Review => (
                &load.specialist,
                format!("/api/v1/complaint-notices/{notice}/review"),
                json!({"accept": true}),
                Some("investigation"),
            ),
            Next::Investigation => (
                &load.specialist,
                format!("/api/v1/complaints/{id}/investigation"),
                json!({"cause": "production", "responsible_department_id": load.quality_dept,
                       "findings": "热处理炉温控失效"}),
                Some("solution"),
            ),
        };
        let req = load
            .http
            .post(format!("{}{path}", load.base))
            .bearer_auth(token)
            .json(&body);
        let answer = match send(req).await {
            Answer::Done { body, .. } => body,
            Answer::Lost { sent: false } => return false,
            Answer::Lost { sent: true } => {
                // In doubt: whether the step happened is for the checks to tolerate; the
                // walk ends here.
                load.count(&load.stats.in_doubt);
                load.count(&load.stats.left);
                self.walk = None;
                return false;
            }
            Answer::Refused(why) => {
                load.fail(format!("complaint {id}, {path}: {why}"));
                self.walk = None;
                return true;
            }
        };
        if let Some(stage) = stage {
            load.ack(Ack::Complaint { id, stage });
        }
        let Some(walk) = self.walk.as_mut() else {
            return true;
        };
        match walk.next {
            Next::Intake => walk.next = Next::Judgement,
            Next::Judgement => match answer["notices"][0]["id"].as_i64() {
                Some(notice) => {
                    walk.notice = notice;
                    walk.next = Next::Answer;
                }
                None => {
                    load.fail(format!("complaint {id}: judged without a notice: {answer}"));
                    self.walk = None;
                }
            },
            Next::Answer => walk.next = Next::Review,
            Next::Review => walk.next = Next::Investigation,
            Next::Investigation => self.walk = None,
        }
        true
    }
}
