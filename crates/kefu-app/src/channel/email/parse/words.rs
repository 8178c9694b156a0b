//! Header text: RFC 2047 encoded words and RFC 2231 parameters, decoded from the raw bytes.
//!
//! mail-parser decodes each encoded word on its own and reads raw 8-bit header bytes as
//! UTF-8, so a GBK character split across two words, a word in a charset it does not know,
//! or a raw GBK file name comes out as U+FFFD. Here adjacent words of one charset are joined
//! byte-wise before decoding, raw bytes go through the same best guess as bodies, and RFC
//! 2231 continuations are joined before their charset is applied.

use super::charset;

/// Removes line folding (RFC 5322 unfolding: the line breaks go, the blanks stay).
pub(super) fn unfold(raw: &[u8]) -> Vec<u8> {
    raw.iter()
        .copied()
        .filter(|&b| b != b'\r' && b != b'\n')
        .collect()
}

/// An unstructured header (Subject): unfolded, encoded words decoded, runs of blanks
/// collapsed to one space, trimmed.
pub(super) fn decode_unstructured(raw: &[u8]) -> String {
    collapse_blanks(&decode_words(&charset::best_effort(&unfold(raw))))
}

/// Runs of ASCII blanks and control characters become one space; the ends are trimmed.
pub(super) fn collapse_blanks(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = false;
    for c in text.chars() {
        if c.is_ascii_whitespace() || c.is_control() {
            blank = true;
        } else {
            if blank && !out.is_empty() {
                out.push(' ');
            }
            blank = false;
            out.push(c);
        }
    }
    out
}

/// One piece of a header: literal text or a decoded encoded word (its charset and bytes).
enum Piece<'a> {
    Text(&'a str),
    Word { charset: &'a str, bytes: Vec<u8> },
}

fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut pos = 0;
    let mut search = 0;
    while let Some(found) = text[search..].find("=?") {
        let start = search + found;
        match word_at(text, start) {
            Some((end, charset, bytes)) => {
                if start > pos {
                    out.push(Piece::Text(&text[pos..start]));
                }
                out.push(Piece::Word { charset, bytes });
                pos = end;
                search = end;
            }
            None => search = start + 2,
        }
    }
    if pos < text.len() {
        out.push(Piece::Text(&text[pos..]));
    }
    out
}

/// The encoded word `=?charset?B|Q?data?=` starting at `start`: where it ends, its charset
/// (an RFC 2231 `*language` suffix dropped) and its bytes.
fn word_at(text: &str, start: usize) -> Option<(usize, &str, Vec<u8>)> {
    let rest = &text[start + 2..];
    let charset_end = rest.find('?')?;
    let charset = &rest[..charset_end];
    if charset.is_empty()
        || charset.len() > 40
        || !charset.is_ascii()
        || charset.contains(|c: char| c.is_ascii_whitespace() || c == '=')
    {
        return None;
    }
    let charset = charset.split('*').next().unwrap_or(charset);
    let after = &rest[charset_end + 1..];
    let kind = *after.as_bytes().first()?;
    if after.as_bytes().get(1) != Some(&b'?') {
        return None;
    }
    let data_and_rest = &after[2..];
    let data_end = data_and_rest.find("?=")?;
    let data = &data_and_rest[..data_end];
    let bytes = match kind {
        b'B' | b'b' => {
            let valid = data
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
            if !valid {
                return None;
            }
            charset::base64_decode(data.as_bytes())
        }
        b'Q' | b'q' => {
            let underscores: Vec<u8> = data
                .bytes()
                .map(|b| if b == b'_' { b' ' } else { b })
                .collect();
            charset::quoted_printable_decode(&underscores)
        }
        _ => return None,
    };
    let end = start + 2 + charset_end + 1 + 2 + data_end + 2;
    Some((end, charset, bytes))
}

/// Decodes the encoded words in `text`. Blanks between two words go (RFC 2047 §6.2), and
/// adjacent words in one charset are decoded together, so a character split between them
/// survives.
pub(super) fn decode_words(text: &str) -> String {
    join_words(text, |decoded, out| out.push_str(&decoded))
}

/// Rewrites every run of adjacent encoded words as one UTF-8 word, for mail-parser's
/// address parser: it then keeps the structure (quotes, commas, angle brackets) and decodes
/// only UTF-8.
pub(super) fn reencode_words(text: &str) -> String {
    join_words(text, |decoded, out| {
        out.push_str("=?UTF-8?B?");
        out.push_str(&charset::base64_encode(decoded.as_bytes()));
        out.push_str("?=");
    })
}

fn join_words(text: &str, emit: impl Fn(String, &mut String)) -> String {
    let pieces = pieces(text);
    let is_word = |i: usize| matches!(pieces.get(i), Some(Piece::Word { .. }));
    let mut out = String::with_capacity(text.len());
    // The run of words not yet decoded: its charset and bytes.
    let mut pending: Option<(&str, Vec<u8>)> = None;
    let mut decoded_run = String::new();
    for (i, piece) in pieces.iter().enumerate() {
        match piece {
            Piece::Text(t) => {
                if t.trim().is_empty() && i > 0 && is_word(i - 1) && is_word(i + 1) {
                    continue;
                }
                flush(&mut pending, &mut decoded_run);
                if !decoded_run.is_empty() {
                    emit(std::mem::take(&mut decoded_run), &mut out);
                }
                out.push_str(t);
            }
            Piece::Word { charset, bytes } => {
                let same = pending
                    .as_ref()
                    .is_some_and(|(open, _)| open.eq_ignore_ascii_case(charset));
                if same {
                    if let Some((_, open_bytes)) = pending.as_mut() {
                        open_bytes.extend_from_slice(bytes);
                    }
                } else {
                    flush(&mut pending, &mut decoded_run);
                    pending = Some((*charset, bytes.clone()));
                }
            }
        }
    }
    flush(&mut pending, &mut decoded_run);
    if !decoded_run.is_empty() {
        emit(decoded_run, &mut out);
    }
    out
}

fn flush(pending: &mut Option<(&str, Vec<u8>)>, decoded_run: &mut String) {
    if let Some((charset, bytes)) = pending.take() {
        decoded_run.push_str(&charset::decode(Some(charset), &bytes));
    }
}

/// One parameter of a Content-Type or Content-Disposition header, as written.
struct Param {
    /// Lower case, without the RFC 2231 `*N` / `*` marks.
    name: String,
    /// The `N` of `name*N`, for continuations.
    section: Option<u32>,
    /// Written `name*` or `name*N*`: percent-encoded, the first section with `charset'lang'`.
    extended: bool,
    /// Unquoted raw bytes.
    value: Vec<u8>,
}

fn params(raw: &[u8]) -> Vec<Param> {
    // Raw GBK in a quoted string may have `\` (0x5C) as a trail byte (誠 is D5 5C): when
    // the header is not UTF-8, the byte after a lead byte is taken as it is, never as an
    // escape.
    let gbk_pairs = std::str::from_utf8(raw).is_err();
    let bytes = unfold(raw);
    let mut out = Vec::new();
    let Some(type_end) = bytes.iter().position(|&b| b == b';') else {
        return out;
    };
    let mut i = type_end + 1;
    while i < bytes.len() {
        while i < bytes.len() && (bytes[i] == b';' || bytes[i].is_ascii_whitespace()) {
            i += 1;
        }
        let name_start = i;
        while i < bytes.len() && bytes[i] != b'=' && bytes[i] != b';' {
            i += 1;
        }
        if i >= bytes.len() || bytes[i] == b';' {
            continue;
        }
        let name = String::from_utf8_lossy(&bytes[name_start..i])
            .trim()
            .to_ascii_lowercase();
        i += 1;
        while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
            i += 1;
        }
        let mut value = Vec::new();
        if bytes.get(i) == Some(&b'"') {
            i += 1;
            while i < bytes.len() {
                let b = bytes[i];
                if gbk_pairs && (0x81..=0xfe).contains(&b) && i + 1 < bytes.len() {
                    value.extend_from_slice(&bytes[i..i + 2]);
                    i += 2;
                } else if b == b'\\' && i + 1 < bytes.len() {
                    value.push(bytes[i + 1]);
                    i += 2;
                } else if b == b'"' {
                    i += 1;
                    break;
                } else {
                    value.push(b);
                    i += 1;
                }
            }
        } else {
            while i < bytes.len() && bytes[i] != b';' && !bytes[i].is_ascii_whitespace() {
                value.push(bytes[i]);
                i += 1;
            }
        }
        let extended = name.ends_with('*');
        let bare = name.strip_suffix('*').unwrap_or(&name);
        let (base, section) = match bare.rsplit_once('*') {
            Some((base, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
                (base.to_owned(), n.parse::<u32>().ok())
            }
            _ => (bare.to_owned(), None),
        };
        out.push(Param {
            name: base,
            section,
            extended,
            value,
        });
    }
    out
}

/// The decoded value of parameter `want` (`filename`, `name`) of a raw Content-Type or
/// Content-Disposition value: RFC 2231 continuations joined byte-wise then decoded, else
/// `want*=charset''…`, else the plain value (RFC 2047 words inside it decoded, raw bytes
/// by the best guess).
pub(super) fn param_value(raw: &[u8], want: &str) -> Option<String> {
    let params = params(raw);
    let mut sections: Vec<&Param> = params
        .iter()
        .filter(|p| p.name == want && p.section.is_some())
        .collect();
    if !sections.is_empty() {
        sections.sort_by_key(|p| p.section);
        sections.dedup_by_key(|p| p.section);
        let mut first_label = None;
        let mut bytes = Vec::new();
        for (k, p) in sections.iter().enumerate() {
            if p.extended {
                let mut value: &[u8] = &p.value;
                if k == 0 {
                    let (label, rest) = split_charset(value);
                    first_label = label;
                    value = rest;
                }
                bytes.extend(charset::percent_decode(value));
            } else {
                bytes.extend_from_slice(&p.value);
            }
        }
        return Some(charset::decode(first_label.as_deref(), &bytes));
    }
    if let Some(p) = params.iter().find(|p| p.name == want && p.extended) {
        let (label, rest) = split_charset(&p.value);
        return Some(charset::decode(
            label.as_deref(),
            &charset::percent_decode(rest),
        ));
    }
    let p = params.iter().find(|p| p.name == want)?;
    Some(decode_words(&charset::best_effort(&p.value)))
}

/// `charset'language'value` → the charset (if named) and the value.
fn split_charset(value: &[u8]) -> (Option<String>, &[u8]) {
    let mut parts = value.splitn(3, |&b| b == b'\'');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(label), Some(_language), Some(rest)) => {
            let label = String::from_utf8_lossy(label).trim().to_owned();
            ((!label.is_empty()).then_some(label), rest)
        }
        _ => (None, value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_subject_in_two_words() {
        // 订单 in GB2312, split into two words on two lines.
        let raw = b" =?gb2312?B?tqk=?=\r\n =?gb2312?B?taU=?=\r\n";
        assert_eq!(decode_unstructured(raw), "订单");
    }

    #[test]
    fn a_character_split_between_words_survives() {
        // 退 in Big5 is B0 68: the first word ends after B0.
        assert_eq!(decode_words("=?big5?B?sA==?= =?big5?Q?h?="), "退");
    }

    #[test]
    fn mixed_charsets_and_plain_text() {
        let text = "Re: =?UTF-8?B?5YWz5LqO?= =?GBK?Q?=B6=A9=B5=A5?= now";
        assert_eq!(decode_words(text), "Re: 关于订单 now");
        assert_eq!(decode_words("a =?bogus?X?zz?= b"), "a =?bogus?X?zz?= b");
    }

    #[test]
    fn raw_gbk_header_bytes() {
        assert_eq!(decode_unstructured(b" \xd7\xc9\xd1\xaf\r\n"), "咨询");
    }

    #[test]
    fn rfc2231_continuations_join_bytes_before_decoding() {
        // 报告 = B1 A8 B8 E6, split inside 报.
        let raw = b"attachment;\r\n filename*0*=gb18030''%B1; filename*1*=%A8%B8%E6;\r\n filename*2=\".txt\"";
        assert_eq!(param_value(raw, "filename").as_deref(), Some("报告.txt"));
    }

    #[test]
    fn quoted_raw_gbk_with_a_backslash_trail_byte() {
        // 誠 is D5 5C in GBK.
        let raw = b"attachment; filename=\"\xd5\x5c.pdf\"";
        assert_eq!(param_value(raw, "filename").as_deref(), Some("誠.pdf"));
    }

    #[test]
    fn encoded_word_in_a_quoted_parameter() {
        let raw = b"application/pdf; name=\"=?gb2312?B?sag=?= =?gb2312?B?uOYucGRm?=\"";
        assert_eq!(param_value(raw, "name").as_deref(), Some("报告.pdf"));
        assert_eq!(param_value(raw, "filename"), None);
    }

    #[test]
    fn reencoded_words_are_utf8() {
        assert_eq!(
            reencode_words("\"=?gbk?B?1cXI/Q==?=\" <a@b.c>"),
            "\"=?UTF-8?B?5byg5LiJ?=\" <a@b.c>"
        );
    }
}
