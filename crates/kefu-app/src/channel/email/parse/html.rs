//! HTML to plain text, for mail with no text/plain part (QQ mail sends HTML only).
//!
//! Nothing of the HTML is kept or rendered anywhere: tags go, `<br>` and block elements
//! (`<div>`, `<p>`, `<tr>`, `<li>`, …) become line breaks, entities are decoded, and the
//! contents of `<head>`, `<style>`, `<script>` and comments are dropped. mail-parser's own
//! conversion breaks lines only at `<br>` and `</p>`, which runs QQ's `<div>` lines together.

const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "caption",
    "center",
    "dd",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tbody",
    "tfoot",
    "thead",
    "tr",
    "ul",
];

/// Elements whose contents are not text to read.
const HIDDEN: &[&str] = &["head", "script", "style", "template", "title"];

pub(super) fn to_text(html: &str) -> String {
    let bytes = html.as_bytes();
    let mut out = String::with_capacity(html.len() / 2);
    let mut blank = false;
    let mut hidden: Option<String> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'<' && html[i..].starts_with("<!--") {
            i = html[i + 4..]
                .find("-->")
                .map_or(bytes.len(), |p| i + 4 + p + 3);
            continue;
        }
        let starts_tag = b == b'<'
            && bytes
                .get(i + 1)
                .is_some_and(|n| n.is_ascii_alphabetic() || *n == b'/' || *n == b'!');
        if starts_tag {
            let end = tag_end(bytes, i + 1);
            let inner = &html[i + 1..end];
            let inner = inner.strip_suffix('>').unwrap_or(inner);
            let closing = inner.starts_with('/');
            let name: String = inner
                .trim_start_matches('/')
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .map(|c| c.to_ascii_lowercase())
                .collect();
            i = end;
            if let Some(open) = &hidden {
                // A <head> nobody closed ends where the body starts.
                if (closing && name == *open) || (open == "head" && name == "body") {
                    hidden = None;
                }
                continue;
            }
            if !closing && HIDDEN.contains(&name.as_str()) {
                hidden = Some(name);
            } else if name == "br" {
                trim_trailing_spaces(&mut out);
                out.push('\n');
                blank = false;
            } else if BLOCKS.contains(&name.as_str()) {
                soft_break(&mut out);
                blank = false;
            } else if !closing && (name == "td" || name == "th") {
                blank = true;
            }
            continue;
        }
        if hidden.is_some() {
            i += 1;
            continue;
        }
        if b == b'&'
            && let Some((c, len)) = entity(&html[i..])
        {
            if c == '\u{a0}' {
                // A no-break space is meant: keep it, as a plain space.
                push_pending_blank(&mut out, &mut blank);
                out.push(' ');
            } else {
                push_char(&mut out, &mut blank, c);
            }
            i += len;
            continue;
        }
        let Some(c) = html[i..].chars().next() else {
            break;
        };
        if c.is_ascii_whitespace() {
            blank = true;
        } else {
            push_char(&mut out, &mut blank, c);
        }
        i += c.len_utf8();
    }
    tidy(&out)
}

fn push_pending_blank(out: &mut String, blank: &mut bool) {
    if *blank && !out.is_empty() && !out.ends_with('\n') && !out.ends_with(' ') {
        out.push(' ');
    }
    *blank = false;
}

fn push_char(out: &mut String, blank: &mut bool, c: char) {
    push_pending_blank(out, blank);
    out.push(c);
}

fn trim_trailing_spaces(out: &mut String) {
    let kept = out.trim_end_matches(' ').len();
    out.truncate(kept);
}

/// A line break unless the text already stands at the start of a line.
fn soft_break(out: &mut String) {
    trim_trailing_spaces(out);
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

/// Where the tag whose name starts at `from` ends (just after its `>`), quoted attribute
/// values skipped.
fn tag_end(bytes: &[u8], from: usize) -> usize {
    let mut quote: Option<u8> = None;
    let mut previous = 0u8;
    let mut i = from;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) => {
                if b == q {
                    quote = None;
                }
            }
            None => {
                if (b == b'"' || b == b'\'') && previous == b'=' {
                    quote = Some(b);
                } else if b == b'>' {
                    return i + 1;
                }
            }
        }
        if !b.is_ascii_whitespace() {
            previous = b;
        }
        i += 1;
    }
    bytes.len()
}

/// The character an entity at the start of `s` stands for, and the entity's length.
fn entity(s: &str) -> Option<(char, usize)> {
    let semicolon = s.bytes().take(12).position(|b| b == b';')?;
    let name = &s[1..semicolon];
    let c = if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse::<u32>().ok()?,
        };
        char::from_u32(code).filter(|c| *c != '\0')?
    } else {
        match name {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            "nbsp" | "ensp" | "emsp" | "thinsp" => '\u{a0}',
            "copy" => '©',
            "reg" => '®',
            "trade" => '™',
            "middot" => '·',
            "bull" => '•',
            "hellip" => '…',
            "mdash" => '—',
            "ndash" => '–',
            "lsquo" => '‘',
            "rsquo" => '’',
            "ldquo" => '“',
            "rdquo" => '”',
            "laquo" => '«',
            "raquo" => '»',
            "yen" => '¥',
            "times" => '×',
            "divide" => '÷',
            "deg" => '°',
            "plusmn" => '±',
            "larr" => '←',
            "rarr" => '→',
            _ => return None,
        }
    };
    Some((c, semicolon + 1))
}

/// Trailing blanks off every line, at most one empty line in a row, no blank lines at the
/// ends.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut empty_run = 0;
    for line in text.split('\n') {
        let line = line.trim_end();
        if line.is_empty() {
            empty_run += 1;
            if empty_run > 1 {
                continue;
            }
        } else {
            empty_run = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.trim_matches('\n').to_owned()
}

#[cfg(test)]
mod tests {
    use super::to_text;

    #[test]
    fn divs_and_breaks_make_lines() {
        let html = "<html><head><title>t</title><style>p{color:red}</style></head><body>\n\
                    <div>您好，</div><div><br></div><div>第二行&nbsp;3&nbsp;天</div>\n\
                    <p class=\"x\">段落</p><p>a &amp; b &lt;c&gt; &#x4E2D;&#25991;</p></body></html>";
        assert_eq!(to_text(html), "您好，\n\n第二行 3 天\n段落\na & b <c> 中文");
    }

    #[test]
    fn comments_scripts_and_quoted_brackets_are_not_text() {
        let html = "a<!-- hidden <b> -->b<script>var x = '<div>';</script>\
                    <img alt=\"x > y\" src=\"cid:1\">c 1 < 2";
        assert_eq!(to_text(html), "abc 1 < 2");
    }

    #[test]
    fn a_head_nobody_closed_ends_at_the_body() {
        assert_eq!(to_text("<head><meta charset=gbk><body>正文"), "正文");
    }
}
