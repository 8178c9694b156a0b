//! 发送请求 — one text posted to a gateway: `POST send_url` with the JSON of kefu's
//! generic format and the API key as a bearer token (through the one provider client,
//! [`crate::channel::http::client`]), and the gateway's answer as kefu keeps it: its HTTP
//! status, its id for the text, its words (numbers masked, one line, not too long).

use kefu_domain::channel::sms::{GatewayVerdict, gateway_verdict, mask_numbers};
use serde_json::{Value, json};

/// Longest gateway answer kept.
const ANSWER_MAX: usize = 300;

/// What kefu posts: the fields of the README's send format.
pub(super) struct TextToSend<'a> {
    /// kefu's id of the send, the same on every attempt.
    pub reference: &'a str,
    /// E.164.
    pub to: &'a str,
    pub sign_name: &'a str,
    /// `reply`, `test`, or an outbox message's kind.
    pub template: &'a str,
    pub params: &'a Value,
    /// The whole text, rendered.
    pub text: &'a str,
}

impl TextToSend<'_> {
    pub(super) fn body(&self) -> Value {
        json!({
            "reference": self.reference,
            "to": self.to,
            "sign_name": self.sign_name,
            "template": self.template,
            "params": self.params,
            "text": self.text,
        })
    }
}

/// What a gateway answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct GatewayAnswer {
    /// `None`: no answer at all (refused connection, timeout).
    pub status: Option<u16>,
    /// The gateway's id for the text, from a 2xx answer's `message_id`.
    pub message_id: Option<String>,
    /// Its words, or what went wrong before it answered.
    pub words: String,
}

impl GatewayAnswer {
    pub(super) fn verdict(&self) -> GatewayVerdict {
        gateway_verdict(self.status)
    }

    /// The answer in one line for a ticket event, the jobs page or the test button:
    /// `HTTP 400: invalid number`, `HTTP 200 · gw-1`, or the connection's error.
    pub(super) fn describe(&self) -> String {
        match (self.status, &self.message_id) {
            (Some(s), Some(id)) if self.verdict() == GatewayVerdict::Accepted => {
                keep(&format!("HTTP {s} · {id}"))
            }
            (Some(s), _) if self.words.is_empty() => format!("HTTP {s}"),
            (Some(s), _) => keep(&format!("HTTP {s}: {}", self.words)),
            (None, _) => keep(&self.words),
        }
    }
}

/// Text as kefu keeps a gateway's words: numbers masked, control characters as spaces,
/// at most [`ANSWER_MAX`] characters.
pub(super) fn keep(text: &str) -> String {
    let line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    mask_numbers(line.trim()).chars().take(ANSWER_MAX).collect()
}

/// The gateway's words in a JSON answer: its `error_message`, `message` or `error`, else
/// the body as text.
fn words_of(json: Option<&Value>, body: &[u8]) -> String {
    let said = json.and_then(|v| {
        ["error_message", "message", "error"]
            .iter()
            .find_map(|k| v.get(*k).and_then(Value::as_str).map(str::to_owned))
    });
    match said {
        Some(w) => keep(&w),
        None if json.is_some() => String::new(),
        None => keep(&String::from_utf8_lossy(body)),
    }
}

/// Posts `text` to `send_url`, with `api_key` as the bearer token when there is one.
pub(super) async fn post(
    send_url: &str,
    api_key: Option<&str>,
    text: &TextToSend<'_>,
) -> GatewayAnswer {
    let mut req = crate::channel::http::client()
        .post(send_url)
        .json(&text.body());
    if let Some(key) = api_key {
        req = req.bearer_auth(key);
    }
    let res = match req.send().await {
        Ok(res) => res,
        Err(e) => {
            return GatewayAnswer {
                status: None,
                message_id: None,
                words: keep(&e.to_string()),
            };
        }
    };
    let status = res.status().as_u16();
    let body = match res.bytes().await {
        Ok(b) => b.to_vec(),
        Err(e) => {
            return GatewayAnswer {
                status: Some(status),
                message_id: None,
                words: keep(&e.to_string()),
            };
        }
    };
    let json: Option<Value> = serde_json::from_slice(&body).ok();
    let message_id = json
        .as_ref()
        .and_then(|v| match v.get("message_id") {
            Some(Value::String(s)) => Some(s.trim().to_owned()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        })
        .filter(|id| !id.is_empty() && id.chars().count() <= 128);
    let words = if (200..300).contains(&status) {
        String::new()
    } else {
        words_of(json.as_ref(), &body)
    };
    GatewayAnswer {
        status: Some(status),
        message_id,
        words,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_kept_in_one_line_with_numbers_masked() {
        let a = GatewayAnswer {
            status: Some(400),
            message_id: None,
            words: keep("invalid number\n13812345678"),
        };
        let d = a.describe();
        assert!(d.starts_with("HTTP 400: invalid number"), "{d}");
        assert!(!d.contains("13812345678"), "{d}");
        let ok = GatewayAnswer {
            status: Some(200),
            message_id: Some("gw-1".into()),
            words: String::new(),
        };
        assert_eq!(ok.describe(), "HTTP 200 · gw-1");
        assert_eq!(words_of(Some(&json!({"error": "quota"})), b"{}"), "quota");
        assert_eq!(
            words_of(None, b"Service Unavailable"),
            "Service Unavailable"
        );
    }
}
