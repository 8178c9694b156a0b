//! 收信解析 — one parser for every way mail arrives (IMAP, the inbound webhook, `kefu mail
//! import`), right for mail written in China.
//!
//! mail-parser (with `full_encoding`) splits the MIME structure and decodes bodies; kefu
//! decodes the header text itself from the raw bytes, because that is where Chinese mail
//! goes wrong: encoded words split inside a character, charsets nobody registered, raw GBK
//! file names, RFC 2231 continuations in GB18030 (see `words`). Every GB label decodes as
//! GB18030 and an unknown or wrong one falls back to UTF-8, then GB18030, then Latin-1
//! (see `charset`), so GBK text never becomes U+FFFD.
//!
//! What the fixtures in `tests/fixtures/mail/` (made by `make.py`) check, field by field:
//!
//! | Client (fixture)            | Charsets and encodings                                        | Decoded exactly |
//! |-----------------------------|---------------------------------------------------------------|-----------------|
//! | Outlook zh-CN (`outlook`)   | body `gb2312` base64 with GBK-only 堃/镕; subject `=?gb2312?B?` folded over two lines; From name gb2312 with 堃; attachment name RFC 2047 | subject, names, text, `-----Original Message-----` history, file name and bytes |
//! | Foxmail (`foxmail`)         | `GBK` quoted-printable; quoted `"=?gb18030?B?…?="` name; `=?GBK?Q?` subject | text, `在 … 写道：` + `>` history |
//! | QQ mail (`qq`)              | HTML only, `gb18030` base64 with 𠮷 (4-byte); RFC 2231 `filename*=gb18030''…` and `filename*0*=` continuations split inside a character; `cid:` inline image | text from HTML, `原始邮件` history, file names, inline image |
//! | 163 mail (`netease163`)     | UTF-8 base64 body; subject `=?UTF-8?B?…?= =?GBK?Q?…?=`; raw 8-bit GBK file name with a `\` trail byte (誠) | subject joined, file name |
//! | Big5 (`big5`)               | 8-bit Big5 body; subject split inside a character across two words | text, wrapped `On … wrote:` history |
//! | Unknown charset (`unknown_charset`) | `charset=x-gbk-legacy` body, `=?x-unknown?B?` name, raw GBK subject | by the GB18030 guess |
//! | DSN (`dsn`)                 | `multipart/report` from MAILER-DAEMON                        | Bounce: original Message-ID, recipient, status, diagnostic |
//! | Outlook 自动回复 (`autoreply`) | `Auto-Submitted: auto-replied`                            | AutoReply |
//! | Mailing list (`list`)       | raw UTF-8 headers, `List-Id`                                  | Bulk |
//! | No Message-ID (`no_message_id`) | plain ASCII                                               | `sha256:` digest, stable |
//! | 100-deep multipart (`deep`) |                                                               | TooComplex |
//! | Garbage (`garbage`)         | random bytes                                                  | Malformed |
//!
//! Limits: the size is checked before anything is parsed; more `boundary=` declarations
//! than the part limit are refused before parsing (mail-parser walks nested multiparts with
//! a heap stack, not recursion, and recurses at most three levels into encoded attached
//! messages); parts and nesting depth are counted after. An attachment over the part limit
//! is left out and listed in `skipped_attachments`, the mail still lands; a body text over
//! it makes the mail too large.

mod charset;
mod html;
mod sender;
mod words;

use jiff::Timestamp;
use kefu_domain::channel::email::fold_quoted;
use mail_parser::parsers::MessageStream;
use mail_parser::{
    Address, Encoding, Header, HeaderName, HeaderValue, Message, MessageParser, MessagePart,
    MimeHeaders, PartType,
};
use sha2::{Digest, Sha256};

/// Limits applied while parsing; the defaults are the documented ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MailLimits {
    /// The whole raw mail (25 MiB).
    pub max_mail_bytes: usize,
    /// One attachment, or the body text (10 MiB).
    pub max_part_bytes: usize,
    /// MIME parts, nested messages' parts included (100).
    pub max_parts: usize,
    /// Nesting of multiparts and attached messages, the top level being 1 (10).
    pub max_depth: usize,
}

impl Default for MailLimits {
    fn default() -> Self {
        MailLimits {
            max_mail_bytes: 25 * 1024 * 1024,
            max_part_bytes: 10 * 1024 * 1024,
            max_parts: 100,
            max_depth: 10,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailAddress {
    /// The display name, decoded; `None` when absent or blank.
    pub name: Option<String>,
    /// Trimmed, lower case.
    pub address: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailAttachment {
    /// Decoded (RFC 2047 / RFC 2231 / raw GBK), any directory part removed; never empty:
    /// `附件-N` plus an extension for the declared type when the mail names none (N counts
    /// the mail's attachments from 1).
    pub file_name: String,
    /// The Content-Type the mail declared, lower case, e.g. "image/png".
    pub declared_type: String,
    /// Without <>, for cid: inline images.
    pub content_id: Option<String>,
    /// An image the HTML shows in place: it has a Content-ID the HTML refers to as `cid:`,
    /// and is not marked `Content-Disposition: attachment`.
    pub inline: bool,
    /// The file as sent (transfer encoding undone; a text file keeps its own charset).
    pub bytes: Vec<u8>,
}

/// An attachment left out for being over [`MailLimits::max_part_bytes`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedAttachment {
    pub file_name: String,
    pub declared_type: String,
    /// Its decoded size in bytes.
    pub size: usize,
}

/// What kind of sender this is, for loop protection (no auto-reply unless Human).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sender {
    Human,
    AutoReply,
    Bulk,
    Bounce,
}

/// What a delivery report says (fields it does not carry stay `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounce {
    /// The Message-ID of the mail that could not be delivered, without <>.
    pub original_message_id: Option<String>,
    /// The final recipient, lower case.
    pub recipient: Option<String>,
    /// The status code, e.g. "5.1.1".
    pub status: Option<String>,
    /// The remote server's answer, e.g. "550 5.1.1 <a@b.c>: Recipient address rejected".
    pub diagnostic: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundMail {
    /// Message-ID without angle brackets; when the mail has none, "sha256:" + hex SHA-256 of the raw bytes.
    pub message_id: String,
    /// Without <>.
    pub in_reply_to: Vec<String>,
    /// Without <>, oldest first.
    pub references: Vec<String>,
    pub from: Option<MailAddress>,
    pub reply_to: Option<MailAddress>,
    /// `Return-Path: <>` (a bounce or other notification).
    pub return_path_empty: bool,
    pub to: Vec<MailAddress>,
    pub cc: Vec<MailAddress>,
    /// Decoded, unfolded, trimmed.
    pub subject: String,
    pub date: Option<Timestamp>,
    /// The new text the sender wrote (text/plain, or the HTML part turned into text), with the quoted history removed.
    pub text: String,
    /// The quoted history folded away (原始邮件 / 在 … 写道： / "On … wrote:" / "-----Original Message-----" / lines starting with ">"), if any.
    pub quoted: Option<String>,
    pub attachments: Vec<MailAttachment>,
    /// Attachments over the part limit, left out.
    pub skipped_attachments: Vec<SkippedAttachment>,
    pub sender: Sender,
    /// Set when `sender` is `Bounce`.
    pub bounce: Option<Bounce>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ParseError {
    #[error("mail too large: {size} bytes > {limit}")]
    TooLarge { size: usize, limit: usize },
    #[error("too many parts or nested too deep")]
    TooComplex,
    #[error("not a mail: {0}")]
    Malformed(String),
}

/// Parses one raw mail (RFC 5322 bytes as fetched or posted).
///
/// Bytes that do not start with a header field, or carry none of From, Sender, To,
/// Subject, Date and Message-ID, are `Malformed`; anything else gives the best reading it
/// can, never a panic.
pub fn parse(raw: &[u8], limits: &MailLimits) -> Result<InboundMail, ParseError> {
    if raw.len() > limits.max_mail_bytes {
        return Err(ParseError::TooLarge {
            size: raw.len(),
            limit: limits.max_mail_bytes,
        });
    }
    if !starts_with_header(raw) {
        return Err(ParseError::Malformed(
            "the first line is not a header field".to_owned(),
        ));
    }
    if count_ignore_case(raw, b"boundary=") > limits.max_parts {
        return Err(ParseError::TooComplex);
    }
    let message = MessageParser::new()
        .parse(raw)
        .ok_or_else(|| ParseError::Malformed("no header fields".to_owned()))?;
    check_structure(&message, limits)?;
    let Some(root) = message.parts.first() else {
        return Err(ParseError::Malformed("no header fields".to_owned()));
    };
    let headers: &[Header<'_>] = &root.headers;
    let is_mail = headers.iter().any(|h| {
        matches!(
            h.name,
            HeaderName::From
                | HeaderName::Sender
                | HeaderName::To
                | HeaderName::Subject
                | HeaderName::Date
                | HeaderName::MessageId
        )
    });
    if !is_mail {
        return Err(ParseError::Malformed(
            "none of From, To, Subject, Date, Message-ID".to_owned(),
        ));
    }

    let message_id = ids(headers, HeaderName::MessageId)
        .into_iter()
        .next()
        .unwrap_or_else(|| format!("sha256:{}", hex::encode(Sha256::digest(raw))));
    let from = addresses(raw, headers, HeaderName::From).into_iter().next();
    let subject = headers
        .iter()
        .find(|h| h.name == HeaderName::Subject)
        .map(|h| words::decode_unstructured(value_bytes(raw, h)))
        .unwrap_or_default();
    let return_path_empty = headers
        .iter()
        .find(|h| h.name == HeaderName::ReturnPath)
        .is_some_and(|h| {
            let value: Vec<u8> = value_bytes(raw, h)
                .iter()
                .copied()
                .filter(|b| !b.is_ascii_whitespace())
                .collect();
            value.is_empty() || value == b"<>"
        });

    let body = body_text(raw, &message);
    if body.len() > limits.max_part_bytes {
        return Err(ParseError::TooLarge {
            size: body.len(),
            limit: limits.max_part_bytes,
        });
    }
    let (text, quoted) = fold_quoted(&body);
    let (attachments, skipped_attachments) = attachments(raw, &message, limits);
    let (sender, bounce) =
        sender::classify(raw, &message, from.as_ref(), &subject, return_path_empty);

    Ok(InboundMail {
        message_id,
        in_reply_to: ids(headers, HeaderName::InReplyTo),
        references: ids(headers, HeaderName::References),
        reply_to: addresses(raw, headers, HeaderName::ReplyTo)
            .into_iter()
            .next(),
        from,
        return_path_empty,
        to: addresses(raw, headers, HeaderName::To),
        cc: addresses(raw, headers, HeaderName::Cc),
        subject,
        date: message
            .date()
            .filter(|d| d.is_valid())
            .and_then(|d| Timestamp::from_second(d.to_timestamp()).ok()),
        text: text.trim().to_owned(),
        quoted,
        attachments,
        skipped_attachments,
        sender,
        bounce,
    })
}

/// Whether the first line (after an mbox `From ` line, if any) is `Name:`.
fn starts_with_header(raw: &[u8]) -> bool {
    let start = raw
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(raw.len());
    let mut rest = &raw[start..];
    if rest.starts_with(b"From ") {
        let Some(end) = rest.iter().position(|&b| b == b'\n') else {
            return false;
        };
        rest = &rest[end + 1..];
    }
    let name = rest
        .iter()
        .take_while(|&&b| (0x21..=0x7e).contains(&b) && b != b':')
        .count();
    let mut i = name;
    while i < rest.len() && (rest[i] == b' ' || rest[i] == b'\t') {
        i += 1;
    }
    name > 0 && rest.get(i) == Some(&b':')
}

fn count_ignore_case(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| w.eq_ignore_ascii_case(needle))
        .count()
}

/// Counts parts and measures nesting without recursion (the input decides the depth).
fn check_structure(message: &Message<'_>, limits: &MailLimits) -> Result<(), ParseError> {
    let mut parts = 0usize;
    let mut stack: Vec<(&Message<'_>, u32, usize)> = vec![(message, 0, 1)];
    while let Some((current, id, depth)) = stack.pop() {
        parts += 1;
        if depth > limits.max_depth || parts > limits.max_parts {
            return Err(ParseError::TooComplex);
        }
        let Some(part) = current.parts.get(id as usize) else {
            continue;
        };
        match &part.body {
            PartType::Multipart(children) => {
                stack.extend(children.iter().map(|&child| (current, child, depth + 1)));
            }
            PartType::Message(nested) if !nested.parts.is_empty() => {
                stack.push((nested, 0, depth + 1));
            }
            _ => {}
        }
    }
    Ok(())
}

/// A header's raw value (after the colon, folding included) in the mail's own bytes.
fn value_bytes<'a>(raw: &'a [u8], header: &Header<'_>) -> &'a [u8] {
    raw.get(header.offset_start as usize..header.offset_end as usize)
        .unwrap_or_default()
}

/// The first header of that name, unfolded and decoded, trimmed.
fn header_text(raw: &[u8], headers: &[Header<'_>], name: &str) -> Option<String> {
    let header = headers
        .iter()
        .find(|h| h.name.as_str().eq_ignore_ascii_case(name))?;
    let text = charset::best_effort(&words::unfold(value_bytes(raw, header)));
    Some(text.trim().to_owned())
}

/// Message ids of every header of that name, without <>, in order.
fn ids(headers: &[Header<'_>], name: HeaderName<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for header in headers.iter().filter(|h| h.name == name) {
        match &header.value {
            HeaderValue::Text(id) => out.push(id.to_string()),
            HeaderValue::TextList(list) => out.extend(list.iter().map(|id| id.to_string())),
            _ => {}
        }
    }
    out.into_iter()
        .map(|id| {
            id.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .trim()
                .to_owned()
        })
        .filter(|id| !id.is_empty())
        .collect()
}

/// The addresses of every header of that name. The raw value is decoded first (raw GBK
/// by the best guess, runs of encoded words into one UTF-8 word) and only then handed to
/// mail-parser's address parser, which keeps quotes, comments and groups right.
fn addresses(raw: &[u8], headers: &[Header<'_>], name: HeaderName<'_>) -> Vec<MailAddress> {
    headers
        .iter()
        .filter(|h| h.name == name)
        .flat_map(|h| parse_addresses(value_bytes(raw, h)))
        .collect()
}

fn parse_addresses(value: &[u8]) -> Vec<MailAddress> {
    let mut line = words::reencode_words(&charset::best_effort(&words::unfold(value))).into_bytes();
    line.push(b'\n');
    let parsed = MessageStream::new(&line).parse_address();
    let found: Vec<&mail_parser::Addr<'_>> = match &parsed {
        HeaderValue::Address(Address::List(list)) => list.iter().collect(),
        HeaderValue::Address(Address::Group(groups)) => {
            groups.iter().flat_map(|g| g.addresses.iter()).collect()
        }
        _ => Vec::new(),
    };
    found
        .into_iter()
        .filter_map(|a| {
            let address = a.address.as_deref()?.trim().to_lowercase();
            if address.is_empty() {
                return None;
            }
            let name = a
                .name
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned);
            Some(MailAddress { name, address })
        })
        .collect()
}

/// The body as plain text: the text/plain parts, or the HTML ones turned into text when
/// there are none (or they are blank). Line breaks are `\n`.
fn body_text(raw: &[u8], message: &Message<'_>) -> String {
    let from_text = texts_of(raw, message, &message.text_body);
    let body = if from_text.trim().is_empty() {
        texts_of(raw, message, &message.html_body)
    } else {
        from_text
    };
    body.replace("\r\n", "\n").replace('\r', "\n")
}

fn texts_of(raw: &[u8], message: &Message<'_>, ids: &[u32]) -> String {
    let mut texts = Vec::new();
    for &id in ids {
        let Some(part) = message.parts.get(id as usize) else {
            continue;
        };
        match &part.body {
            PartType::Text(text) => texts.push(part_text(raw, part, text)),
            PartType::Html(html) => texts.push(html::to_text(&part_text(raw, part, html))),
            _ => {}
        }
    }
    texts.join("\n")
}

/// mail-parser's decoding of a text part, unless it gave U+FFFD (a charset it does not
/// know, GBK labelled UTF-8, raw 8-bit text with no label): then decoded again from the
/// part's own bytes by kefu's rules.
fn part_text(raw: &[u8], part: &MessagePart<'_>, decoded: &str) -> String {
    if !decoded.contains('\u{FFFD}') {
        return decoded.to_owned();
    }
    let label = part.content_type().and_then(|ct| ct.attribute("charset"));
    charset::decode(label, &transfer_decoded(raw, part))
}

/// A part's bytes with only the transfer encoding undone.
fn transfer_decoded(raw: &[u8], part: &MessagePart<'_>) -> Vec<u8> {
    let body = raw
        .get(part.offset_body as usize..part.offset_end as usize)
        .unwrap_or_default();
    match part.encoding {
        Encoding::Base64 => charset::base64_decode(body),
        Encoding::QuotedPrintable => charset::quoted_printable_decode(body),
        Encoding::None => body.to_vec(),
    }
}

fn attachments(
    raw: &[u8],
    message: &Message<'_>,
    limits: &MailLimits,
) -> (Vec<MailAttachment>, Vec<SkippedAttachment>) {
    let html: String = message
        .parts
        .iter()
        .filter_map(|p| match &p.body {
            PartType::Html(html) => Some(html.to_ascii_lowercase()),
            _ => None,
        })
        .collect();
    let mut kept = Vec::new();
    let mut skipped = Vec::new();
    for (n, &id) in message.attachments.iter().enumerate() {
        let Some(part) = message.parts.get(id as usize) else {
            continue;
        };
        let bytes = match &part.body {
            PartType::Binary(bytes) | PartType::InlineBinary(bytes) => bytes.to_vec(),
            // A text file keeps its own bytes, not mail-parser's UTF-8 reading of them.
            PartType::Text(_) | PartType::Html(_) => transfer_decoded(raw, part),
            // An attached mail not transfer-encoded shares the outer mail's bytes.
            PartType::Message(nested) => match part.encoding {
                Encoding::None => raw
                    .get(part.offset_body as usize..part.offset_end as usize)
                    .unwrap_or_default()
                    .to_vec(),
                _ => nested.raw_message().to_vec(),
            },
            PartType::Multipart(_) => continue,
        };
        let declared_type = declared_type(part);
        let file_name =
            file_name(raw, part).unwrap_or_else(|| fallback_name(n + 1, &declared_type));
        if bytes.len() > limits.max_part_bytes {
            skipped.push(SkippedAttachment {
                file_name,
                declared_type,
                size: bytes.len(),
            });
            continue;
        }
        let content_id = part
            .content_id()
            .map(|id| {
                id.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .trim()
                    .to_owned()
            })
            .filter(|id| !id.is_empty());
        let marked_attachment = part
            .content_disposition()
            .is_some_and(|d| d.is_attachment());
        let inline = !marked_attachment
            && content_id
                .as_ref()
                .is_some_and(|id| html.contains(&format!("cid:{}", id.to_ascii_lowercase())));
        kept.push(MailAttachment {
            file_name,
            declared_type,
            content_id,
            inline,
            bytes,
        });
    }
    (kept, skipped)
}

fn declared_type(part: &MessagePart<'_>) -> String {
    match part.content_type() {
        Some(ct) if !ct.ctype().is_empty() => match ct.subtype() {
            Some(subtype) => format!("{}/{}", ct.ctype(), subtype).to_ascii_lowercase(),
            None => ct.ctype().to_ascii_lowercase(),
        },
        _ if matches!(part.body, PartType::Message(_)) => "message/rfc822".to_owned(),
        _ => "text/plain".to_owned(),
    }
}

/// The file name the mail gives: Content-Disposition's `filename`, else Content-Type's
/// `name`, decoded from the raw header.
fn file_name(raw: &[u8], part: &MessagePart<'_>) -> Option<String> {
    [
        (HeaderName::ContentDisposition, "filename"),
        (HeaderName::ContentType, "name"),
    ]
    .into_iter()
    .find_map(|(header, param)| {
        let h = part.headers.iter().find(|h| h.name == header)?;
        let name = clean_file_name(&words::param_value(value_bytes(raw, h), param)?);
        (!name.is_empty()).then_some(name)
    })
}

/// The last path component (Windows clients send `C:\…\报价单.xlsx`), without control
/// characters, trimmed.
fn clean_file_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let kept: String = last.chars().filter(|c| !c.is_control()).collect();
    kept.trim().to_owned()
}

fn fallback_name(n: usize, declared_type: &str) -> String {
    let extension = match declared_type {
        "image/png" => ".png",
        "image/jpeg" | "image/jpg" => ".jpg",
        "image/gif" => ".gif",
        "application/pdf" => ".pdf",
        "message/rfc822" | "message/global" => ".eml",
        "text/plain" | "text/rfc822-headers" | "message/delivery-status" => ".txt",
        "text/html" => ".html",
        _ => "",
    };
    format!("附件-{n}{extension}")
}
