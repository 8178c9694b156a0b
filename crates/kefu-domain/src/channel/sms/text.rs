//! 短信正文 — a reply as a text message carries it: plain text, no markup (a handset shows
//! `**` and `<p>` as they are), no run of blank lines; and a gateway's words as kefu keeps
//! them, the phone numbers in them masked.

use crate::customer::mask_phone;

/// `&amp;` and the other entities an HTML reply may hold, as their characters.
const ENTITIES: &[(&str, &str)] = &[
    ("&nbsp;", " "),
    ("&lt;", "<"),
    ("&gt;", ">"),
    ("&quot;", "\""),
    ("&#39;", "'"),
    ("&amp;", "&"),
];

/// Tags that end a line.
const BREAKS: &[&str] = &["br", "p", "/p", "div", "/div", "li", "/li", "tr", "/tr"];

/// `text` without its HTML tags (a tag that ends a line becomes one); a `<` that opens no
/// tag (`5 < 6`) stays.
fn strip_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let starts_tag = after
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '!');
        let close = after
            .find('>')
            .filter(|&i| !after[..i].contains(['<', '\n']));
        match close {
            Some(i) if starts_tag => {
                let name = after[..i]
                    .split(|c: char| c.is_whitespace() || c == '>')
                    .next()
                    .unwrap_or_default()
                    .trim_end_matches('/')
                    .to_ascii_lowercase();
                if BREAKS.contains(&name.as_str()) {
                    out.push('\n');
                }
                rest = &after[i + 1..];
            }
            _ => {
                out.push('<');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `[words](link)` as `words (link)`.
fn unlink(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let Some(mid) = after.find("](") else { break };
        let Some(end) = after[mid + 2..].find(')') else {
            break;
        };
        out.push_str(&rest[..open]);
        let words = &after[..mid];
        let link = &after[mid + 2..mid + 2 + end];
        out.push_str(words);
        out.push_str(" (");
        out.push_str(link);
        out.push(')');
        rest = &after[mid + 2 + end + 1..];
    }
    out.push_str(rest);
    out
}

/// One line without Markdown's marks: a heading's `#`s, a quote's `>`, emphasis and code
/// marks, a link's brackets.
fn plain_line(line: &str) -> String {
    let t = line.trim_end();
    let hashes = t.len() - t.trim_start_matches('#').len();
    let t = if (1..=6).contains(&hashes) && t[hashes..].starts_with(' ') {
        t[hashes..].trim_start()
    } else {
        t
    };
    let t = t
        .strip_prefix("> ")
        .or_else(|| t.strip_prefix('>'))
        .unwrap_or(t);
    let t = t.replace("**", "").replace("__", "").replace('`', "");
    unlink(&t)
}

/// A reply as a text message carries it: HTML tags and entities and Markdown's marks taken
/// out, lines trimmed at their end, at most one blank line in a row, no blank lines at the
/// start or the end.
pub fn plain_text(body: &str) -> String {
    let mut text = strip_tags(&body.replace("\r\n", "\n"));
    for (entity, c) in ENTITIES {
        text = text.replace(entity, c);
    }
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        let line = plain_line(line);
        if line.trim().is_empty() {
            if out.last().is_some_and(|l| !l.is_empty()) {
                out.push(String::new());
            }
        } else {
            out.push(line);
        }
    }
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    out.join("\n")
}

/// Every run of seven or more digits in `text` masked like a phone number (a gateway's
/// refusal may name the number it refused).
pub fn mask_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() >= 7 {
            out.push_str(&mask_phone(run));
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_stays_as_it_is() {
        let t = "您好，师傅明天上午上门检修。\n\n如有问题请回复本短信。";
        assert_eq!(plain_text(t), t);
        assert_eq!(plain_text("5 < 6 and 7 > 3"), "5 < 6 and 7 > 3");
        assert_eq!(plain_text("  缩进保留"), "  缩进保留");
    }

    #[test]
    fn markup_is_taken_out() {
        assert_eq!(
            plain_text("<p>您好，<b>师傅</b>明天上门。</p><p>谢谢&amp;再见</p>"),
            "您好，师傅明天上门。\n\n谢谢&再见"
        );
        assert_eq!(
            plain_text("## 处理结果\n\n**已更换**主板，`E3` 故障排除。\n> 客户原话"),
            "处理结果\n\n已更换主板，E3 故障排除。\n客户原话"
        );
        assert_eq!(
            plain_text("详见[说明书](https://hengxin.example/m/35)"),
            "详见说明书 (https://hengxin.example/m/35)"
        );
        assert_eq!(plain_text("第一行<br>第二行"), "第一行\n第二行");
        assert_eq!(plain_text("#1 号机"), "#1 号机");
    }

    #[test]
    fn blank_lines_are_kept_to_one() {
        assert_eq!(plain_text("\n\n甲\n\n\n\n乙\n\n"), "甲\n\n乙");
        assert_eq!(plain_text("甲 \r\n乙\t"), "甲\n乙");
    }

    #[test]
    fn numbers_in_a_gateways_words_are_masked() {
        let m = mask_numbers("invalid number +8613812345678 (code 4001)");
        assert!(!m.contains("13812345678"), "{m}");
        assert!(m.contains("code 4001"), "{m}");
    }
}
