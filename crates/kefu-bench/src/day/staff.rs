//! The agents at work: queues, tickets, scripts, replies, statuses, searches, customers.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::Value;

use super::Recorder;
use crate::run::urlencode;

/// Words agents search for: the demo's common complaints.
const TERMS: [&str; 10] = [
    "不制冷",
    "退款",
    "漏水",
    "发票",
    "安装",
    "维修",
    "物流",
    "噪音",
    "质量",
    "上门",
];

const QUEUES: [&str; 7] = [
    "mine",
    "unassigned",
    "groups",
    "pending",
    "overdue",
    "open",
    "all",
];
/// Whether a refused status change was told already (the first one is, as a sample).
static TOLD: AtomicBool = AtomicBool::new(false);

const SORTS: [&str; 4] = ["updated", "created", "priority", "due"];

/// A small deterministic generator per agent (xorshift64*), so a run repeats its choices.
pub(super) struct Dice(u64);

impl Dice {
    pub(super) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub(super) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub(super) fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    /// An exponential wait with mean `mean` seconds.
    pub(super) fn think(&mut self, mean: f64) -> Duration {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        Duration::from_secs_f64(-mean * (1.0 - u).max(1e-12).ln())
    }
}

/// The value of the first `name="…" value="…"` after `from` in `html`.
pub(super) fn input_value<'a>(html: &'a str, from: usize, name: &str) -> Option<&'a str> {
    let marker = format!("name=\"{name}\" value=\"");
    let at = html.get(from..)?.find(&marker)? + from + marker.len();
    let end = html[at..].find('"')? + at;
    Some(&html[at..end])
}

/// The numbers after each `prefix` in `html` (`href="/tickets/` → ticket ids).
pub(super) fn ids_after(html: &str, prefix: &str) -> Vec<i64> {
    html.match_indices(prefix)
        .filter_map(|(i, _)| {
            let rest = &html[i + prefix.len()..];
            let end = rest.find(|c: char| !c.is_ascii_digit())?;
            rest[..end].parse().ok()
        })
        .collect()
}

/// The option values of the `<select name="{name}"…>` starting after `from`.
pub(super) fn options(html: &str, from: usize, name: &str) -> Vec<String> {
    let marker = format!("<select name=\"{name}\"");
    let Some(start) = html
        .get(from..)
        .and_then(|h| h.find(&marker))
        .map(|i| i + from)
    else {
        return Vec::new();
    };
    let end = html[start..]
        .find("</select>")
        .map_or(html.len(), |e| e + start);
    html[start..end]
        .match_indices("<option value=\"")
        .filter_map(|(i, m)| {
            let rest = &html[start + i + m.len()..end];
            rest.find('"').map(|e| rest[..e].to_owned())
        })
        .filter(|v| !v.is_empty())
        .collect()
}

/// One agent's day: steps with think time between them until `stop`.
pub(super) async fn agent(
    n: usize,
    client: reqwest::Client,
    base: String,
    rec: Recorder,
    stop: Arc<AtomicBool>,
    think: f64,
) {
    let mut dice = Dice(0x9e37_79b9_7f4a_7c15 ^ (n as u64 + 1).wrapping_mul(0xff51_afd7_ed55_8ccd));
    // Agents do not all start at the same instant.
    tokio::time::sleep(dice.think(think)).await;
    while !stop.load(Ordering::Relaxed) {
        let queue = QUEUES[dice.below(QUEUES.len())];
        let sort = SORTS[dice.below(SORTS.len())];
        let path = format!("{base}/tickets?queue={queue}&sort={sort}");
        let Some((_, html)) = rec.send("queue", client.get(path)).await else {
            tokio::time::sleep(dice.think(think)).await;
            continue;
        };
        let ids = ids_after(&html, "href=\"/tickets/");
        tokio::time::sleep(dice.think(think)).await;
        if ids.is_empty() || stop.load(Ordering::Relaxed) {
            continue;
        }
        let id = ids[dice.below(ids.len())];
        let Some((200, page)) = rec
            .send("ticket", client.get(format!("{base}/tickets/{id}")))
            .await
        else {
            continue;
        };
        let mut page = page;
        let csrf = input_value(&page, 0, "_csrf")
            .unwrap_or_default()
            .to_owned();
        tokio::time::sleep(dice.think(think)).await;

        // Half the tickets opened get an answer from a script.
        let scripts = options(&page, 0, "script");
        if dice.chance(0.5) && !scripts.is_empty() && !stop.load(Ordering::Relaxed) {
            let script = &scripts[dice.below(scripts.len())];
            let used = rec
                .send(
                    "script",
                    client
                        .post(format!("{base}/tickets/{id}/script/{script}"))
                        .header("x-csrf-token", &csrf)
                        .header("accept", "application/json"),
                )
                .await;
            let text = used
                .and_then(|(_, body)| serde_json::from_str::<Value>(&body).ok())
                .and_then(|v| v["text"].as_str().map(str::to_owned))
                .unwrap_or_else(|| "您好，您的问题已收到，我们正在处理。".to_owned());
            tokio::time::sleep(dice.think(think)).await;
            let form = reqwest::multipart::Form::new()
                .text("_csrf", csrf.clone())
                .text("visibility", "public")
                .text("body", text);
            let sent = rec
                .send(
                    "reply",
                    client
                        .post(format!("{base}/tickets/{id}/reply"))
                        .multipart(form),
                )
                .await;
            // The browser follows the redirect to the ticket page, now with the reply.
            if sent.is_some_and(|(status, _)| status == 303)
                && let Some((200, fresh)) = rec
                    .send("ticket", client.get(format!("{base}/tickets/{id}")))
                    .await
            {
                page = fresh;
            }
            tokio::time::sleep(dice.think(think)).await;
        }

        // A third get a new status, through the properties form as shown.
        if dice.chance(0.33) && !stop.load(Ordering::Relaxed) {
            let from = page.find("data-testid=\"properties\"").unwrap_or(0);
            let version = input_value(&page, from, "version");
            let shown = input_value(&page, from, "orig_status");
            let statuses = options(&page, from, "status");
            // A closed ticket is only reopened by its customer's reply: agents leave it.
            if let (Some(version), Some(shown)) = (version, shown.filter(|s| *s != "closed")) {
                // Nothing goes back to "new", and closing follows solving (a closed ticket
                // is the customer's to reopen).
                let others: Vec<&String> = statuses
                    .iter()
                    .filter(|s| *s != shown && *s != "new" && *s != "closed")
                    .collect();
                if !others.is_empty() {
                    let status = others[dice.below(others.len())];
                    let form = [
                        ("_csrf", csrf.as_str()),
                        ("version", version),
                        ("orig_status", shown),
                        ("status", status.as_str()),
                    ];
                    let sent = rec
                        .send(
                            "status",
                            client.post(format!("{base}/tickets/{id}")).form(&form),
                        )
                        .await;
                    match sent {
                        Some((303, _)) => {
                            rec.send("ticket", client.get(format!("{base}/tickets/{id}")))
                                .await;
                        }
                        Some((code, body)) if !TOLD.swap(true, Ordering::Relaxed) => {
                            let said = body
                                .find("role=\"alert\"")
                                .and_then(|i| body.get(i..(i + 300).min(body.len())))
                                .unwrap_or_default();
                            eprintln!("a status change was refused ({code}), first of any: {said}");
                        }
                        _ => {}
                    }
                    tokio::time::sleep(dice.think(think)).await;
                }
            }
        }

        if dice.chance(0.3) && !stop.load(Ordering::Relaxed) {
            let term = urlencode(TERMS[dice.below(TERMS.len())]);
            rec.send("search", client.get(format!("{base}/search?q={term}")))
                .await;
            tokio::time::sleep(dice.think(think)).await;
        }

        let customers = ids_after(&page, "href=\"/customers/");
        if dice.chance(0.3) && !customers.is_empty() && !stop.load(Ordering::Relaxed) {
            let customer = customers[0];
            rec.send(
                "customer",
                client.get(format!("{base}/customers/{customer}")),
            )
            .await;
            tokio::time::sleep(dice.think(think)).await;
        }
    }
}
