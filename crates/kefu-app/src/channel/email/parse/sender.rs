//! Who sent a mail, for loop protection, and what a delivery report (DSN, 退信) says.

use kefu_domain::channel::email::is_auto_subject;
use mail_parser::{Header, Message, MessageParser, MessagePart, MimeHeaders, PartType};

use super::{Bounce, MailAddress, Sender, charset, header_text};

/// The kind of sender, and for a bounce what it reports.
///
/// Bounce: a `multipart/report; report-type=delivery-status`, a `message/delivery-status`
/// part, or a mail from `MAILER-DAEMON` / `postmaster` (whose details may then be missing).
/// AutoReply: `Auto-Submitted` other than `no`, `X-Autoreply` / `X-Autorespond` /
/// `X-Autoresponder`, `Precedence: auto_reply`, a read receipt
/// (`report-type=disposition-notification`), a machine's subject (自动回复, Out of Office),
/// or an empty `Return-Path: <>` (RFC 5321 forbids answering those). Bulk: `Precedence:
/// bulk|list|junk`, `List-Id` or `List-Unsubscribe`.
pub(super) fn classify(
    raw: &[u8],
    message: &Message<'_>,
    from: Option<&MailAddress>,
    subject: &str,
    return_path_empty: bool,
) -> (Sender, Option<Bounce>) {
    let Some(root) = message.parts.first() else {
        return (Sender::Human, None);
    };
    let headers = &root.headers;
    let report_type = root
        .content_type()
        .filter(|ct| {
            ct.ctype().eq_ignore_ascii_case("multipart")
                && ct
                    .subtype()
                    .is_some_and(|s| s.eq_ignore_ascii_case("report"))
        })
        .and_then(|ct| ct.attribute("report-type"))
        .map(|t| t.trim().to_ascii_lowercase());
    let status_part = message
        .parts
        .iter()
        .find(|p| is_type(p, "message", &["delivery-status", "global-delivery-status"]));
    let from_daemon = from.is_some_and(|a| {
        let local = a.address.split('@').next().unwrap_or_default();
        local == "mailer-daemon" || local == "postmaster"
    });
    if report_type.as_deref() == Some("delivery-status") || status_part.is_some() || from_daemon {
        return (Sender::Bounce, Some(bounce(message, status_part)));
    }

    let precedence = header_text(raw, headers, "Precedence")
        .map(|p| p.to_ascii_lowercase())
        .unwrap_or_default();
    let auto_submitted = header_text(raw, headers, "Auto-Submitted").is_some_and(|v| {
        let kind = v.split(';').next().unwrap_or_default().trim();
        !kind.eq_ignore_ascii_case("no")
    });
    let auto_header = ["X-Autoreply", "X-Autorespond", "X-Autoresponder"]
        .iter()
        .any(|name| header_text(raw, headers, name).is_some_and(|v| !v.eq_ignore_ascii_case("no")));
    if auto_submitted
        || auto_header
        || precedence == "auto_reply"
        || report_type.as_deref() == Some("disposition-notification")
        || is_auto_subject(subject)
        || return_path_empty
    {
        return (Sender::AutoReply, None);
    }
    let listed = has_header(headers, "List-Id") || has_header(headers, "List-Unsubscribe");
    if listed || matches!(precedence.as_str(), "bulk" | "list" | "junk") {
        return (Sender::Bulk, None);
    }
    (Sender::Human, None)
}

fn has_header(headers: &[Header<'_>], name: &str) -> bool {
    headers
        .iter()
        .any(|h| h.name.as_str().eq_ignore_ascii_case(name))
}

fn is_type(part: &MessagePart<'_>, ctype: &str, subtypes: &[&str]) -> bool {
    part.content_type().is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case(ctype)
            && ct
                .subtype()
                .is_some_and(|s| subtypes.iter().any(|w| s.eq_ignore_ascii_case(w)))
    })
}

fn bounce(message: &Message<'_>, status_part: Option<&MessagePart<'_>>) -> Bounce {
    let mut bounce = Bounce {
        original_message_id: message.parts.iter().find_map(original_message_id),
        recipient: None,
        status: None,
        diagnostic: None,
    };
    let Some(part) = status_part else {
        return bounce;
    };
    let fields = fields(&charset::best_effort(part.contents()));
    // The first recipient's block (RFC 3464: per-message fields, then one block per
    // recipient, separated by blank lines).
    let Some(block) = fields
        .iter()
        .find(|(_, name, _)| name == "final-recipient" || name == "original-recipient")
        .map(|(block, _, _)| *block)
    else {
        return bounce;
    };
    let value = |wanted: &str| {
        fields
            .iter()
            .find(|(b, name, _)| *b == block && name == wanted)
            .map(|(_, _, value)| value.as_str())
    };
    bounce.recipient = value("final-recipient")
        .or_else(|| value("original-recipient"))
        .map(|v| after_type(v).to_lowercase())
        .filter(|v| !v.is_empty());
    bounce.status = value("status").map(str::to_owned).filter(|v| !v.is_empty());
    bounce.diagnostic = value("diagnostic-code")
        .map(|v| after_type(v).to_owned())
        .filter(|v| !v.is_empty());
    bounce
}

/// The header-like fields of a delivery-status body, unfolded (continuation lines joined
/// with one space), each with the number of its blank-line-separated block.
fn fields(text: &str) -> Vec<(usize, String, String)> {
    let mut out: Vec<(usize, String, String)> = Vec::new();
    let mut block = 0;
    for line in text.lines() {
        if line.trim().is_empty() {
            block += 1;
        } else if line.starts_with([' ', '\t']) {
            if let Some(last) = out.last_mut() {
                last.2.push(' ');
                last.2.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            out.push((
                block,
                name.trim().to_ascii_lowercase(),
                value.trim().to_owned(),
            ));
        }
    }
    out
}

/// `rfc822; a@b.c` → `a@b.c`, `smtp; 550 …` → `550 …`.
fn after_type(value: &str) -> &str {
    match value.split_once(';') {
        Some((kind, rest)) if !kind.trim().contains(char::is_whitespace) => rest.trim(),
        _ => value.trim(),
    }
}

/// The Message-ID of the returned message, from a `message/rfc822` part or its headers
/// alone (`text/rfc822-headers`).
fn original_message_id(part: &MessagePart<'_>) -> Option<String> {
    let headers_only = is_type(part, "text", &["rfc822-headers"])
        || is_type(part, "message", &["rfc822-headers", "global-headers"]);
    let id = match &part.body {
        PartType::Message(nested) => nested.message_id().map(str::to_owned),
        _ if headers_only || is_type(part, "message", &["rfc822", "global"]) => {
            MessageParser::new()
                .parse_headers(part.contents())
                .and_then(|m| m.message_id().map(str::to_owned))
        }
        _ => None,
    }?;
    let id = id
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim();
    (!id.is_empty()).then(|| id.to_owned())
}
