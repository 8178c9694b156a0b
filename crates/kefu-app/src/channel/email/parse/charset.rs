//! Bytes to text for mail written in China, where charset labels are often wrong.
//!
//! Every GB label (gb2312, gbk, x-gbk, cp936, euc-cn, …) decodes as GB18030: it is a
//! superset of both, and Outlook and Foxmail label GBK text `gb2312` (a name like 王堃 or
//! 朱镕基 has characters GB2312 lacks). Big5 labels decode as Big5 (HKSCS included). An
//! unknown label, or bytes that are not what the label says, fall back to UTF-8, then
//! GB18030, then Latin-1, so Chinese text never turns into U+FFFD and nothing panics.

use encoding_rs::{BIG5, Encoding, GB18030, REPLACEMENT, WINDOWS_1252};

/// The encoding a charset label names, Chinese labels widened to GB18030 and Big5; `None`
/// for a label nobody knows.
pub(super) fn encoding_for(label: &str) -> Option<&'static Encoding> {
    let label = label.trim().trim_matches(|c: char| c == '"' || c == '\'');
    let folded: String = label
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let gb = folded.starts_with("gb2312")
        || folded.starts_with("gb18030")
        || matches!(
            folded.as_str(),
            "gbk"
                | "xgbk"
                | "cp936"
                | "ms936"
                | "windows936"
                | "euccn"
                | "xeuccn"
                | "chinese"
                | "csgb2312"
                | "csgbk"
                | "csgb18030"
                | "csiso58gb231280"
                | "isoir58"
                | "gb231280"
        );
    if gb {
        return Some(GB18030);
    }
    if folded.contains("big5") || matches!(folded.as_str(), "cp950" | "ms950" | "windows950") {
        return Some(BIG5);
    }
    // The WHATWG "replacement" encoding (hz-gb-2312, iso-2022-kr, …) decodes everything to
    // one U+FFFD: better to guess.
    Encoding::for_label(label.as_bytes()).filter(|e| *e != REPLACEMENT)
}

/// Text from `bytes` said to be in `label`: the label when the bytes are valid in it, else
/// the best guess.
pub(super) fn decode(label: Option<&str>, bytes: &[u8]) -> String {
    if let Some(label) = label {
        if let Some(encoding) = encoding_for(label) {
            if let Some(text) = encoding.decode_without_bom_handling_and_without_replacement(bytes)
            {
                return text.into_owned();
            }
        } else if let Some(decoder) =
            mail_parser::decoders::charsets::map::charset_decoder(label.trim().as_bytes())
        {
            // UTF-7 and a few old labels that only mail-parser knows.
            let text = decoder(bytes);
            if !text.contains('\u{FFFD}') {
                return text;
            }
        }
    }
    best_effort(bytes)
}

/// Text from bytes of unknown encoding: UTF-8 if valid, else GB18030 if valid, else
/// Latin-1 (which takes any byte).
pub(super) fn best_effort(bytes: &[u8]) -> String {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return text.to_owned();
    }
    if let Some(text) = GB18030.decode_without_bom_handling_and_without_replacement(bytes) {
        return text.into_owned();
    }
    WINDOWS_1252
        .decode_without_bom_handling(bytes)
        .0
        .into_owned()
}

/// Base64 as mail has it: line breaks and stray characters skipped, decoding stops at the
/// padding.
pub(super) fn base64_decode(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() / 4 * 3);
    let mut acc: u32 = 0;
    let mut bits: u32 = 0;
    for &b in input {
        let value = u32::from(match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            _ => continue,
        });
        acc = (acc << 6) | value;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1u32 << bits) - 1;
        }
    }
    out
}

/// Quoted-printable, forgiving: a `=` not followed by two hex digits or a line break stays
/// as it is.
pub(super) fn quoted_printable_decode(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        let b = input[i];
        if b == b'=' {
            match (input.get(i + 1).copied(), input.get(i + 2).copied()) {
                (Some(b'\r'), Some(b'\n')) => {
                    i += 3;
                    continue;
                }
                (Some(b'\n'), _) => {
                    i += 2;
                    continue;
                }
                (Some(high), Some(low)) if high.is_ascii_hexdigit() && low.is_ascii_hexdigit() => {
                    out.push((hex_value(high) << 4) | hex_value(low));
                    i += 3;
                    continue;
                }
                _ => {}
            }
        }
        out.push(b);
        i += 1;
    }
    out
}

/// `%XX` escapes (RFC 2231 parameter values); anything else stays as it is.
pub(super) fn percent_decode(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        if input[i] == b'%'
            && let (Some(&high), Some(&low)) = (input.get(i + 1), input.get(i + 2))
            && high.is_ascii_hexdigit()
            && low.is_ascii_hexdigit()
        {
            out.push((hex_value(high) << 4) | hex_value(low));
            i += 3;
            continue;
        }
        out.push(input[i]);
        i += 1;
    }
    out
}

fn hex_value(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        b'a'..=b'f' => digit - b'a' + 10,
        b'A'..=b'F' => digit - b'A' + 10,
        _ => 0,
    }
}

/// Standard base64 with padding (to hand mail-parser's address parser one UTF-8 word).
pub(super) fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b1 = chunk.get(1).copied().unwrap_or(0);
        let b2 = chunk.get(2).copied().unwrap_or(0);
        let n = (u32::from(chunk[0]) << 16) | (u32::from(b1) << 8) | u32::from(b2);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gb_labels_decode_gbk_only_characters() {
        // 王堃 and 镕 are outside GB2312; the label is the one Outlook writes.
        let bytes = [0xcd, 0xf5, 0x88, 0xd2, 0xe9, 0x46];
        assert_eq!(decode(Some("gb2312"), &bytes), "王堃镕");
        assert_eq!(decode(Some("GBK"), &bytes), "王堃镕");
        assert_eq!(decode(Some("x-gbk"), &bytes), "王堃镕");
        assert_eq!(decode(Some("euc-cn"), &bytes), "王堃镕");
    }

    #[test]
    fn unknown_and_wrong_labels_fall_back_without_replacement_characters() {
        let gbk = [0xc4, 0xe3, 0xba, 0xc3];
        assert_eq!(decode(Some("x-no-such-charset"), &gbk), "你好");
        assert_eq!(decode(Some("utf-8"), &gbk), "你好");
        assert_eq!(decode(None, &gbk), "你好");
        assert_eq!(decode(Some("hz-gb-2312"), b"plain"), "plain");
        // Not GB18030 either: Latin-1, never a panic.
        assert_eq!(best_effort(&[0x63, 0x61, 0x66, 0xe9]), "café");
    }

    #[test]
    fn big5_labels() {
        let bytes = [0xa7, 0x41, 0xa6, 0x6e];
        assert_eq!(decode(Some("big5"), &bytes), "你好");
        assert_eq!(decode(Some("x-x-big5"), &bytes), "你好");
        assert_eq!(decode(Some("Big5-HKSCS"), &bytes), "你好");
    }

    #[test]
    fn transfer_encodings() {
        assert_eq!(base64_decode(b"5L2g\r\n5aW9"), "你好".as_bytes());
        assert_eq!(base64_decode(b"YQ=="), b"a");
        assert_eq!(
            quoted_printable_decode(b"a=C4=E3=\r\nb=zz"),
            b"a\xc4\xe3b=zz"
        );
        assert_eq!(percent_decode(b"%B1%a8x%"), b"\xb1\xa8x%");
        for sample in [&b""[..], b"a", b"ab", b"abc", "你好".as_bytes()] {
            assert_eq!(base64_decode(base64_encode(sample).as_bytes()), sample);
        }
        assert_eq!(base64_encode(b"ab"), "YWI=");
    }
}
