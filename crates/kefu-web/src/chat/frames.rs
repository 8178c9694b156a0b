//! The widget's protocol: JSON text frames, each an object whose `t` says what it is (the
//! README documents them for whoever writes another client).
//!
//! Visitor → kefu: `hello` (first, once), `msg`, `end`, `ping`.
//! kefu → visitor: `welcome` (the answer to `hello`), `msg` (every line of the chat after
//! the hello's `last_seq`, the visitor's own included, in order), `ack`, `status`,
//! `error`, `pong`.

use kefu_app::channel::chat::ChatMessage;
use serde::{Deserialize, Serialize};

/// A frame the widget sends.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum Incoming {
    /// Opens the conversation: the token kept from an earlier welcome (or null), the last
    /// line number the widget has shown, and what the page passed to the widget.
    Hello {
        token: Option<String>,
        last_seq: Option<i64>,
        name: Option<String>,
        contact: Option<String>,
        page: Option<String>,
    },
    /// A message, numbered by the widget (`cseq`, from 1, never reused): sent again after
    /// a reconnect until acknowledged.
    Msg { cseq: i64, text: String },
    /// The visitor ends the chat.
    End {},
    /// Keeps the connection open through proxies that close quiet ones.
    Ping {},
}

/// A frame kefu sends.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum Outgoing<'a> {
    Welcome {
        /// Keep it (localStorage) and send it in the next hello.
        token: &'a str,
        /// The visitor's chat, once their first message opened it.
        session: Option<i64>,
        /// `waiting`, `active`, `ended` or `offline` (nobody on shift: show the form).
        status: &'a str,
        /// Who answers.
        agent: Option<&'a str>,
        greeting: Option<&'a str>,
        /// The longest message, in characters.
        max_chars: i64,
    },
    Msg {
        seq: i64,
        /// `visitor`, `agent` or `system`.
        from: &'a str,
        name: &'a str,
        text: &'a str,
        /// Unix seconds.
        at: i64,
        /// The widget's number of the visitor's own message.
        cseq: Option<i64>,
    },
    /// Message `cseq` is stored as line `seq` (possibly earlier: it was a resend).
    Ack {
        cseq: i64,
        seq: i64,
    },
    /// The chat changed: opened, accepted, transferred, ended.
    Status {
        session: i64,
        status: &'a str,
        agent: Option<&'a str>,
    },
    Error {
        /// `too_long`, `empty`, `ended`, `bad_frame`, `rate_limited`, `unavailable`, …
        code: &'a str,
        message: &'a str,
        /// The message refused, when one was.
        cseq: Option<i64>,
    },
    Pong {},
}

impl<'a> Outgoing<'a> {
    /// The `msg` frame of a chat line.
    pub fn line(m: &'a ChatMessage) -> Outgoing<'a> {
        Outgoing::Msg {
            seq: m.seq,
            from: &m.author,
            name: &m.author_name,
            text: &m.body,
            at: m.created_at.as_second(),
            cseq: m.cseq,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{\"t\":\"error\"}".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_read_and_write_as_documented() {
        let hello: Incoming =
            serde_json::from_str(r#"{"t":"hello","token":null,"last_seq":0}"#).unwrap();
        assert_eq!(
            hello,
            Incoming::Hello {
                token: None,
                last_seq: Some(0),
                name: None,
                contact: None,
                page: None
            }
        );
        let msg: Incoming = serde_json::from_str(r#"{"t":"msg","cseq":3,"text":"你好"}"#).unwrap();
        assert_eq!(
            msg,
            Incoming::Msg {
                cseq: 3,
                text: "你好".into()
            }
        );
        assert_eq!(
            serde_json::from_str::<Incoming>(r#"{"t":"end"}"#).unwrap(),
            Incoming::End {}
        );
        assert!(serde_json::from_str::<Incoming>(r#"{"t":"shout"}"#).is_err());
        assert_eq!(
            Outgoing::Ack { cseq: 3, seq: 7 }.to_json(),
            r#"{"t":"ack","cseq":3,"seq":7}"#
        );
        assert_eq!(Outgoing::Pong {}.to_json(), r#"{"t":"pong"}"#);
    }
}
