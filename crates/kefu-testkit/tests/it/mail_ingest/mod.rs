//! 渠道 — e-mail in: real MIME posted, signed, to a channel's webhook, landing once on the
//! right ticket; forged, stale and oversize posts refused with nothing stored; unreadable
//! mail kept in the failed list; programs quarantined; bounces recorded on their ticket.

mod blobs;
mod landing;
mod refusals;
mod settings;

use kefu_app::Actor;
use kefu_app::channel::email::ChannelForm;
use kefu_testkit::{TestApp, json_body};
use serde_json::Value;

/// The address the test mailbox answers from.
pub const MAILBOX: &str = "support@hengxin.example";

/// A channel and its webhook secret.
pub struct Mailbox {
    pub id: i64,
    pub secret: String,
}

/// Another mailbox, by name and address: its id.
pub async fn mailbox_named(app: &TestApp, name: &str, address: &str) -> i64 {
    app.app
        .create_email_channel(
            &Actor::system(),
            &ChannelForm {
                name: name.to_owned(),
                address: address.to_owned(),
                group_id: None,
                active: true,
            },
        )
        .await
        .expect("a channel")
        .channel_id
}

pub async fn mailbox(app: &TestApp) -> Mailbox {
    let created = app
        .app
        .create_email_channel(
            &Actor::system(),
            &ChannelForm {
                name: "售后邮箱".to_owned(),
                address: MAILBOX.to_owned(),
                group_id: None,
                active: true,
            },
        )
        .await
        .expect("a channel");
    Mailbox {
        id: created.channel_id,
        secret: created.secret,
    }
}

/// `sha256=` and the HMAC of `<ts>.` and the body under the secret, as a mail server signs.
pub fn sign(secret: &str, ts: i64, body: &[u8]) -> String {
    let mut message = format!("{ts}.").into_bytes();
    message.extend_from_slice(body);
    format!(
        "sha256={}",
        kefu_app::secret::hmac_sha256_hex(secret.as_bytes(), &message)
    )
}

pub fn inbound_path(channel: i64) -> String {
    format!("/api/v1/channels/email/{channel}/inbound")
}

/// Posts a mail signed with the mailbox's secret, now: the status and the JSON answer.
pub async fn post_mail(app: &TestApp, mb: &Mailbox, raw: &[u8]) -> (u16, Value) {
    post_signed(app, mb.id, &mb.secret, app.now().as_second(), raw).await
}

pub async fn post_signed(
    app: &TestApp,
    channel: i64,
    secret: &str,
    ts: i64,
    raw: &[u8],
) -> (u16, Value) {
    let res = app
        .client()
        .post(app.url(&inbound_path(channel)))
        .header("content-type", "message/rfc822")
        .header("x-kefu-timestamp", ts.to_string())
        .header("x-kefu-signature", sign(secret, ts, raw))
        .body(raw.to_vec())
        .send()
        .await
        .expect("POST");
    let status = res.status().as_u16();
    (status, json_body(res).await)
}

/// Base64 (RFC 4648, padded): written out so the mails below are built from their parts.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Base64 in lines of 76, as mail carries it.
pub fn base64_lines(bytes: &[u8]) -> String {
    let flat = base64(bytes);
    flat.as_bytes()
        .chunks(76)
        .map(|l| String::from_utf8_lossy(l).into_owned())
        .collect::<Vec<_>>()
        .join("\r\n")
}

/// An RFC 2047 encoded word of UTF-8 text.
pub fn word(text: &str) -> String {
    format!("=?UTF-8?B?{}?=", base64(text.as_bytes()))
}

/// A plain UTF-8 mail: `from` is `name <address>`, `extra` more header lines (each ending
/// in CRLF).
pub fn mail(
    message_id: &str,
    from: (&str, &str),
    subject: &str,
    extra: &str,
    body: &str,
) -> Vec<u8> {
    format!(
        "From: {} <{}>\r\nTo: {MAILBOX}\r\nSubject: {}\r\nMessage-ID: <{message_id}>\r\n\
         Date: Mon, 23 Nov 2026 10:00:00 +0800\r\nMIME-Version: 1.0\r\n{extra}\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
        word(from.0),
        from.1,
        word(subject),
        base64_lines(body.as_bytes()),
    )
    .into_bytes()
}

pub async fn count(app: &TestApp, sql: &str) -> i64 {
    let mut c = app.app.store.conn().await.unwrap();
    sqlx::query_scalar(sql).fetch_one(&mut *c).await.unwrap()
}
