//! 消息 XML — reading what WeChat posts: `<xml>` with one element per field, the text in
//! CDATA or plain. Read by quick-xml's pull reader, which never loads a DTD or expands an
//! entity; on top of that a `<!DOCTYPE` or `<!ENTITY` anywhere in the body refuses it (an
//! XXE attempt is refused, not merely ignored), and so does any entity reference but XML's
//! five and character references. The body is capped: WeChat's messages are a few
//! kilobytes.

use quick_xml::events::Event;
use quick_xml::reader::Reader;

/// Largest body read; a larger one is refused before parsing.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Deepest nesting read (WeChat's menu events nest two levels below a field).
const MAX_DEPTH: usize = 8;

/// Most fields of one message.
const MAX_FIELDS: usize = 100;

/// Why a body is not a message kefu reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    #[error("the body is over {max} bytes")]
    TooLarge { max: usize },
    /// A document type or entity declaration: what an XML external entity attack needs.
    #[error("a DTD or entity declaration (<!DOCTYPE, <!ENTITY) is not accepted")]
    Dtd,
    /// An entity reference other than `&lt;` `&gt;` `&amp;` `&apos;` `&quot;` and `&#…;`.
    #[error("unknown entity reference &{0};")]
    UnknownEntity(String),
    #[error("not well-formed XML: {0}")]
    Malformed(String),
    /// 安全模式 or 兼容模式: the message is encrypted with the account's EncodingAESKey.
    #[error(
        "encrypted message: kefu supports only plaintext mode (明文模式); set 消息加解密方式 to 明文模式"
    )]
    Encrypted,
    #[error("{0} is missing")]
    Missing(&'static str),
    #[error("{0} is not valid")]
    Invalid(&'static str),
}

/// Whether `needle` (ASCII) occurs in `hay`, ignoring ASCII case.
fn contains_ignoring_case(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

/// The character XML's own entity `name` stands for.
fn predefined(name: &str) -> Option<char> {
    match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "apos" => Some('\''),
        "quot" => Some('"'),
        _ => None,
    }
}

fn malformed(e: impl std::fmt::Display) -> XmlError {
    XmlError::Malformed(e.to_string())
}

/// The fields of a message: each child element of `<xml>` with its text, in order.
/// Elements nested deeper (a menu event's details) are read for well-formedness and left
/// out.
pub fn read_fields(body: &[u8]) -> Result<Vec<(String, String)>, XmlError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(XmlError::TooLarge {
            max: MAX_BODY_BYTES,
        });
    }
    if contains_ignoring_case(body, b"<!DOCTYPE") || contains_ignoring_case(body, b"<!ENTITY") {
        return Err(XmlError::Dtd);
    }
    if body.contains(&0) {
        return Err(malformed("a NUL byte"));
    }
    let text = std::str::from_utf8(body).map_err(|_| malformed("not UTF-8"))?;
    let mut reader = Reader::from_str(text);
    let mut depth = 0usize;
    let mut root_seen = false;
    let mut current: Option<(String, String)> = None;
    let mut fields: Vec<(String, String)> = Vec::new();
    loop {
        match reader.read_event().map_err(malformed)? {
            Event::DocType(_) => return Err(XmlError::Dtd),
            Event::Start(e) => {
                let name = e.local_name().into_inner().to_owned();
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(malformed("nested too deeply"));
                }
                match depth {
                    1 if root_seen || name != "xml" => {
                        return Err(malformed("the document must be one <xml> element"));
                    }
                    1 => root_seen = true,
                    2 => current = Some((name, String::new())),
                    _ => {}
                }
            }
            Event::Empty(e) => {
                let name = e.local_name().into_inner().to_owned();
                match depth {
                    0 if root_seen || name != "xml" => {
                        return Err(malformed("the document must be one <xml> element"));
                    }
                    0 => root_seen = true,
                    1 => fields.push((name, String::new())),
                    _ => {}
                }
            }
            Event::End(_) => {
                if depth == 2
                    && let Some(field) = current.take()
                {
                    fields.push(field);
                }
                depth = depth.saturating_sub(1);
            }
            Event::Text(t) => {
                if depth == 2
                    && let Some((_, value)) = current.as_mut()
                {
                    value.push_str(&t.xml10_content());
                } else if depth < 2 && !t.xml10_content().trim().is_empty() {
                    return Err(malformed("text outside a field"));
                }
            }
            Event::CData(c) => {
                if depth == 2
                    && let Some((_, value)) = current.as_mut()
                {
                    value.push_str(&c.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let c = if r.is_char_ref() {
                    r.resolve_char_ref().map_err(malformed)?
                } else {
                    predefined(&r)
                };
                let Some(c) = c else {
                    return Err(XmlError::UnknownEntity(
                        r.chars().take(40).collect::<String>(),
                    ));
                };
                if depth == 2
                    && let Some((_, value)) = current.as_mut()
                {
                    value.push(c);
                }
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
        if fields.len() > MAX_FIELDS {
            return Err(malformed("too many fields"));
        }
    }
    if !root_seen {
        return Err(malformed("no <xml> element"));
    }
    if depth != 0 {
        return Err(malformed("an element is not closed"));
    }
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_read_from_cdata_text_and_references() {
        let body = "<xml><ToUserName><![CDATA[gh_123]]></ToUserName>\
            <CreateTime>1700000000</CreateTime>\
            <Content><![CDATA[退货 <怎么办>]]>&amp;&#x4F60;&#22909;</Content>\
            <Empty/></xml>";
        let fields = read_fields(body.as_bytes()).unwrap();
        assert_eq!(
            fields,
            vec![
                ("ToUserName".to_owned(), "gh_123".to_owned()),
                ("CreateTime".to_owned(), "1700000000".to_owned()),
                ("Content".to_owned(), "退货 <怎么办>&你好".to_owned()),
                ("Empty".to_owned(), String::new()),
            ]
        );
    }

    #[test]
    fn nested_details_are_left_out() {
        let body = "<xml><Event><![CDATA[scancode_push]]></Event>\
            <ScanCodeInfo><ScanType>qrcode</ScanType></ScanCodeInfo></xml>";
        let fields = read_fields(body.as_bytes()).unwrap();
        assert_eq!(fields[0], ("Event".to_owned(), "scancode_push".to_owned()));
        assert_eq!(fields[1], ("ScanCodeInfo".to_owned(), String::new()));
    }

    #[test]
    fn dtds_and_entities_are_refused() {
        let xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE xml [ <!ENTITY xxe SYSTEM \"file:///etc/passwd\"> ]>\n\
            <xml><Content>&xxe;</Content></xml>";
        assert_eq!(read_fields(xxe.as_bytes()), Err(XmlError::Dtd));
        let lower = "<!doctype xml><xml></xml>";
        assert_eq!(read_fields(lower.as_bytes()), Err(XmlError::Dtd));
        let hidden = "<xml><Content><![CDATA[<!ENTITY x \"y\">]]></Content></xml>";
        assert_eq!(read_fields(hidden.as_bytes()), Err(XmlError::Dtd));
        let undeclared = "<xml><Content>&xxe;</Content></xml>";
        assert_eq!(
            read_fields(undeclared.as_bytes()),
            Err(XmlError::UnknownEntity("xxe".to_owned()))
        );
    }

    #[test]
    fn broken_or_oversize_bodies_are_refused() {
        assert!(matches!(
            read_fields(b"<xml><Content>a</xml>"),
            Err(XmlError::Malformed(_))
        ));
        assert!(matches!(
            read_fields(b"<xml><Content>a</Content>"),
            Err(XmlError::Malformed(_))
        ));
        assert!(matches!(read_fields(b"hello"), Err(XmlError::Malformed(_))));
        assert!(matches!(
            read_fields(b"<root><a>1</a></root>"),
            Err(XmlError::Malformed(_))
        ));
        assert!(matches!(
            read_fields(b"<xml></xml><xml></xml>"),
            Err(XmlError::Malformed(_))
        ));
        assert!(matches!(
            read_fields(b"<xml><a>\0</a></xml>"),
            Err(XmlError::Malformed(_))
        ));
        assert!(matches!(
            read_fields(&[
                b'<', b'x', b'm', b'l', b'>', 0xff, b'<', b'/', b'x', b'm', b'l', b'>'
            ]),
            Err(XmlError::Malformed(_))
        ));
        let deep = format!("<xml>{}{}</xml>", "<a>".repeat(20), "</a>".repeat(20));
        assert!(matches!(
            read_fields(deep.as_bytes()),
            Err(XmlError::Malformed(_))
        ));
        let big = format!(
            "<xml><Content>{}</Content></xml>",
            "字".repeat(MAX_BODY_BYTES / 3)
        );
        assert_eq!(
            read_fields(big.as_bytes()),
            Err(XmlError::TooLarge {
                max: MAX_BODY_BYTES
            })
        );
    }
}
