//! New tickets arriving through the API and the web form, and the manager's report.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::Recorder;
use super::staff::input_value;
use crate::run::json_get;

/// One arrival through the public web form: the form as a customer loads it, then sent.
/// Each visitor comes from an address of its own (through the reverse proxy kefu is told
/// to trust), as customers do; from one address the form's per-address limit would stop
/// them after twenty.
pub(super) async fn web_form(client: reqwest::Client, base: String, rec: Recorder, n: u64) {
    let from = format!("10.{}.{}.{}", (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
    let Some((200, html)) = rec
        .send(
            "support form",
            client
                .get(format!("{base}/support"))
                .header("x-forwarded-for", &from),
        )
        .await
    else {
        return;
    };
    let csrf = input_value(&html, 0, "_csrf")
        .unwrap_or_default()
        .to_owned();
    let token = input_value(&html, 0, "form_token")
        .unwrap_or_default()
        .to_owned();
    let form = reqwest::multipart::Form::new()
        .text("_csrf", csrf)
        .text("form_token", token)
        .text("name", format!("顾客{n}"))
        .text("phone", format!("139{:08}", n % 100_000_000))
        .text("subject", format!("网页表单来单 {n}：空调外机噪音大"))
        .text(
            "body",
            "空调外机噪音很大，晚上影响休息，请安排师傅上门检查。",
        );
    rec.send(
        "intake: web form",
        client
            .post(format!("{base}/support"))
            .header("x-forwarded-for", &from)
            .multipart(form),
    )
    .await;
}

/// Arrivals at `rate` a second until `stop`, alternating the API and the web form; every
/// `probe_every`th API ticket carries a word of its own, and the time until search finds
/// it is noted as the index's freshness.
pub(super) async fn arrivals(
    base: String,
    token: String,
    rate: f64,
    rec: Recorder,
    stop: Arc<AtomicBool>,
    freshness: Arc<Mutex<Vec<Duration>>>,
) {
    let api = reqwest::Client::new();
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate.max(0.01)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let n = Arc::new(AtomicU64::new(0));
    while !stop.load(Ordering::Relaxed) {
        tick.tick().await;
        let k = n.fetch_add(1, Ordering::Relaxed);
        let (base, rec) = (base.clone(), rec.clone());
        if k % 2 == 1 {
            // A customer's browser: a client of its own, as each visitor has its cookies.
            let client = reqwest::Client::builder()
                .cookie_store(true)
                .build()
                .expect("a client");
            tokio::spawn(web_form(client, base, rec, k));
            continue;
        }
        let (api, token, freshness) = (api.clone(), token.clone(), freshness.clone());
        // About one probe a second.
        let probe = (k / 2).is_multiple_of((rate.round().max(2.0) as u64 / 2).max(1));
        tokio::spawn(async move {
            let word = format!("fresh{k}probe");
            let subject = if probe {
                format!("接口来单 {k} {word}：冰箱不制冷")
            } else {
                format!("接口来单 {k}：冰箱不制冷")
            };
            let body =
                json!({"subject": subject, "body": "冰箱买了两个月，冷藏室不制冷，请尽快处理。"});
            let began = Instant::now();
            let res = api
                .post(format!("{base}/api/v1/tickets"))
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await
                .ok();
            rec.note("intake: API", began, res.as_ref());
            let Some(res) = res.filter(|r| r.status() == 201) else {
                return;
            };
            let Ok(created) = res.json::<Value>().await else {
                return;
            };
            if !probe || !rec.measuring.load(Ordering::Relaxed) {
                return;
            }
            let id = created["id"].as_i64().unwrap_or(0);
            let acked = Instant::now();
            let path = format!("/api/v1/search?q={word}&kind=ticket");
            while acked.elapsed() < Duration::from_secs(60) {
                if let Ok(hits) = json_get(&api, &base, &token, &path).await
                    && hits
                        .as_array()
                        .is_some_and(|a| a.iter().any(|h| h["id"] == id))
                {
                    freshness
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(acked.elapsed());
                    return;
                }
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
        });
    }
}

/// The manager opens the complaint statistics report every minute.
pub(super) async fn reports(
    client: reqwest::Client,
    base: String,
    rec: Recorder,
    stop: Arc<AtomicBool>,
) {
    while !stop.load(Ordering::Relaxed) {
        rec.send(
            "complaint report",
            client.get(format!("{base}/complaints/report")),
        )
        .await;
        for _ in 0..60 {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}
