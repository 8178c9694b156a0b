//! SMTP — how a mail reaches the mailbox's server: one connection per mail (each send is
//! its own job), TLS by rustls with Mozilla's roots, the server's answer kept in its own
//! words (addresses masked) for the ticket, the jobs page and the test button.

use std::time::Duration;

use kefu_domain::channel::mail_out::{SmtpSecurity, SmtpVerdict, domain_of, smtp_verdict};
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment as FilePart, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::bounce::mask_addresses;
use super::ingest::{clean_line, first_chars};

/// How long one SMTP command may take before the attempt counts as failed (and is tried
/// again later).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// Longest server answer kept.
const ANSWER_MAX: usize = 500;

/// A mailbox's server, ready to dial.
pub(crate) struct SmtpServer {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: String,
    pub password: Option<String>,
    /// The mailbox's address: its domain is the EHLO name.
    pub address: String,
}

impl std::fmt::Debug for SmtpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpServer")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// Why a mail did not get through, in the server's words (addresses masked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SmtpFailure {
    pub verdict: SmtpVerdict,
    /// `550 5.1.1 …`, or what went wrong before the server answered.
    pub answer: String,
}

impl SmtpFailure {
    fn permanent(answer: String) -> SmtpFailure {
        SmtpFailure {
            verdict: SmtpVerdict::Permanent,
            answer,
        }
    }
}

/// A server's answer as kefu keeps it: one line, addresses masked, not too long.
pub(crate) fn keep_answer(text: &str) -> String {
    first_chars(&mask_addresses(&clean_line(text)), ANSWER_MAX)
}

fn transport(server: &SmtpServer) -> Result<AsyncSmtpTransport<Tokio1Executor>, SmtpFailure> {
    let tls = match server.security {
        SmtpSecurity::None => Tls::None,
        SmtpSecurity::StartTls | SmtpSecurity::Tls => {
            let params = TlsParameters::new(server.host.clone())
                .map_err(|e| SmtpFailure::permanent(keep_answer(&e.to_string())))?;
            if server.security == SmtpSecurity::Tls {
                Tls::Wrapper(params)
            } else {
                Tls::Required(params)
            }
        }
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(server.host.clone())
        .port(server.port)
        .tls(tls)
        .timeout(Some(COMMAND_TIMEOUT))
        .hello_name(ClientId::Domain(domain_of(&server.address)));
    if !server.username.is_empty() {
        builder = builder.credentials(Credentials::new(
            server.username.clone(),
            server.password.clone().unwrap_or_default(),
        ));
    }
    Ok(builder.build())
}

/// Hands `message` to the server: its answer (`250 …`) when it took it.
pub(crate) async fn deliver(server: &SmtpServer, message: Message) -> Result<String, SmtpFailure> {
    let transport = transport(server)?;
    match transport.send(message).await {
        Ok(response) => {
            let code = u16::from(response.code());
            let text: Vec<&str> = response.message().collect();
            Ok(keep_answer(&format!("{code} {}", text.join(" "))))
        }
        Err(e) => {
            let code = e.status().map(u16::from);
            // The error's own words name only the kind ("permanent error (550)"); the
            // server's text is its source.
            let detail = std::error::Error::source(&e)
                .map(|s| s.to_string())
                .unwrap_or_else(|| e.to_string());
            let answer = match code {
                Some(c) => format!("{c} {detail}"),
                None => e.to_string(),
            };
            Err(SmtpFailure {
                verdict: smtp_verdict(code),
                answer: keep_answer(&answer),
            })
        }
    }
}

/// `Auto-Submitted` of a reply no person wrote (a trigger's).
pub(crate) const AUTO_REPLIED: &str = "auto-replied";
/// `Auto-Submitted` of a notice kefu sends of itself (the portal's verification link).
pub(crate) const AUTO_GENERATED: &str = "auto-generated";

/// A mail as kefu writes it.
pub(crate) struct Outgoing<'a> {
    pub from_name: &'a str,
    pub from_address: &'a str,
    pub to: &'a str,
    pub subject: &'a str,
    /// Without angle brackets.
    pub message_id: &'a str,
    pub in_reply_to: Option<&'a str>,
    pub references: &'a [String],
    /// No person wrote it: it says so (`Auto-Submitted`, RFC 3834), so other machines do
    /// not answer it.
    pub auto_submitted: Option<&'static str>,
    pub date: jiff::Timestamp,
    pub text: &'a str,
    /// The same as HTML, for mail readers that show it (a report's tables).
    pub html: Option<&'a str>,
    /// (file name, content type, bytes).
    pub files: Vec<(String, String, Vec<u8>)>,
}

fn address(a: &str) -> Result<Address, SmtpFailure> {
    a.trim()
        .parse::<Address>()
        .map_err(|e| SmtpFailure::permanent(keep_answer(&format!("invalid address {a}: {e}"))))
}

/// The message: plain UTF-8 text (lettre picks quoted-printable or base64) — with its
/// HTML as the alternative when there is one —, the files after it. A mail that cannot be written (an address no server would take) is a
/// permanent failure.
pub(crate) fn compose(m: &Outgoing<'_>) -> Result<Message, SmtpFailure> {
    let from_name = Some(m.from_name.trim().to_owned()).filter(|n| !n.is_empty());
    let mut builder = Message::builder()
        .from(Mailbox::new(from_name, address(m.from_address)?))
        .to(Mailbox::new(None, address(m.to)?))
        .subject(m.subject)
        .message_id(Some(format!("<{}>", m.message_id)))
        .date(std::time::SystemTime::from(m.date));
    if let Some(parent) = m.in_reply_to {
        builder = builder.in_reply_to(format!("<{parent}>"));
    }
    if !m.references.is_empty() {
        let refs: Vec<String> = m.references.iter().map(|r| format!("<{r}>")).collect();
        builder = builder.references(refs.join(" "));
    }
    if let Some(kind) = m.auto_submitted {
        builder = builder.raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            kind.to_owned(),
        ));
    }
    let plain = m.text.replace("\r\n", "\n");
    let body = match m.html {
        Some(html) => Body::Alternative(MultiPart::alternative_plain_html(plain, html.to_owned())),
        None => Body::Plain(SinglePart::plain(plain)),
    };
    let built = if m.files.is_empty() {
        match body {
            Body::Plain(p) => builder.singlepart(p),
            Body::Alternative(a) => builder.multipart(a),
        }
    } else {
        let mut parts = match body {
            Body::Plain(p) => MultiPart::mixed().singlepart(p),
            Body::Alternative(a) => MultiPart::mixed().multipart(a),
        };
        for (name, content_type, bytes) in &m.files {
            let ct = ContentType::parse(content_type)
                .or_else(|_| ContentType::parse("application/octet-stream"))
                .map_err(|e| SmtpFailure::permanent(keep_answer(&e.to_string())))?;
            parts = parts.singlepart(FilePart::new(name.clone()).body(bytes.clone(), ct));
        }
        builder.multipart(parts)
    };
    built.map_err(|e| SmtpFailure::permanent(keep_answer(&e.to_string())))
}

/// A mail's text, plain or with its HTML.
enum Body {
    Plain(SinglePart),
    Alternative(MultiPart),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(auto_submitted: Option<&'static str>) -> String {
        let m = Outgoing {
            from_name: "恒信售后",
            from_address: "support@hengxin.example",
            to: "wang.fang@example.com",
            subject: "Re: 空调不制冷 [KF20261122-0001]",
            message_id: "kf.1.2.abcd@hengxin.example",
            in_reply_to: Some("first.1@example.com"),
            references: &["first.1@example.com".to_owned()],
            auto_submitted,
            date: "2026-11-22T02:00:00Z".parse().unwrap(),
            text: "您好，师傅明天上午上门。",
            html: None,
            files: vec![(
                "说明.txt".to_owned(),
                "text/plain".to_owned(),
                b"hello".to_vec(),
            )],
        };
        String::from_utf8_lossy(&compose(&m).unwrap().formatted()).into_owned()
    }

    #[test]
    fn a_reply_names_its_thread_and_only_automatic_mail_says_so() {
        let human = sample(None);
        assert!(
            human.contains("Message-ID: <kf.1.2.abcd@hengxin.example>"),
            "{human}"
        );
        assert!(
            human.contains("In-Reply-To: <first.1@example.com>"),
            "{human}"
        );
        assert!(
            human.contains("References: <first.1@example.com>"),
            "{human}"
        );
        assert!(!human.contains("Auto-Submitted"), "{human}");
        assert!(human.contains("multipart/mixed"), "{human}");
        assert!(sample(Some(AUTO_REPLIED)).contains("Auto-Submitted: auto-replied"));
    }

    #[test]
    fn a_kept_answer_masks_addresses_and_stays_on_one_line() {
        let a = keep_answer("550 5.1.1 <13812345678@qq.com>:\r\n user unknown");
        assert!(!a.contains("13812345678"), "{a}");
        assert!(!a.contains('\n'));
    }
}
