//! How text is folded before it is cut into tokens, the same for what is indexed and for
//! what is asked, so a search forgives how people type:
//!
//! - full-width letters, digits and punctuation (`１３８`, `ＧＸ－３３４１`, `（`) and the
//!   ideographic space become their ASCII forms — Chinese input methods produce them;
//! - the dashes people type for a hyphen (`‐`, `–`, `—`, `−`) become `-`, so `GX–3341` is
//!   the code `GX-3341`;
//! - traditional characters become simplified ones (繁体 → 简体: 退貨 → 退货,
//!   質量問題 → 质量问题), by OpenCC's character table as the `hanconv` crate bundles it.
//!
//! Every character is folded on its own, one character to one, never by phrase: a part of
//! a text then folds to the same part of the folded text, which the bigram and digit-gram
//! phrases depend on, and a token's place in the folded text maps back to the original for
//! highlighting. OpenCC's phrase table (乾隆 keeps its 乾) is left out for that reason: a
//! query of 乾 alone would fold one way and the text around it another.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

/// The traditional characters OpenCC simplifies and what each becomes (its first choice:
/// 乾 → 干, 於 → 于). Chains are followed to their end, so folding twice changes nothing.
struct Simplify {
    /// Which characters of the Basic Multilingual Plane are keys: most characters of a
    /// simplified text are not, and a bit answers that faster than a hash.
    bmp: Box<[u64; 1024]>,
    map: HashMap<char, char>,
}

impl Simplify {
    fn load() -> Simplify {
        let single = |s: &str| {
            let mut chars = s.chars();
            chars.next().filter(|_| chars.next().is_none())
        };
        let mut map: HashMap<char, char> = hanconv::RawDictionary::TSCharacters
            .iter()
            .filter_map(|(from, to)| Some((single(from)?, single(to)?)))
            .filter(|(from, to)| from != to)
            .collect();
        let ends: Vec<(char, char)> = map
            .iter()
            .map(|(&from, &to)| {
                let mut end = to;
                // Bounded: a cycle in the table must not hang start-up.
                for _ in 0..8 {
                    match map.get(&end) {
                        Some(&next) if next != end => end = next,
                        _ => break,
                    }
                }
                (from, end)
            })
            .collect();
        map.extend(ends);
        map.retain(|from, to| *from != *to);
        let mut bmp = Box::new([0u64; 1024]);
        for &c in map.keys() {
            let u = c as u32;
            if u < 0x1_0000 {
                bmp[(u >> 6) as usize] |= 1u64 << (u & 63);
            }
        }
        Simplify { bmp, map }
    }

    fn get(&self, c: char) -> Option<char> {
        let u = c as u32;
        if u < 0x1_0000 && self.bmp[(u >> 6) as usize] & (1u64 << (u & 63)) == 0 {
            return None;
        }
        self.map.get(&c).copied()
    }
}

static SIMPLIFY: LazyLock<Simplify> = LazyLock::new(Simplify::load);

/// The character `c` is searched as.
pub fn fold_char(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        // Full-width forms of ASCII's printable characters lie 0xFEE0 above them.
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE63}' => '-',
        c if c.is_ascii() => c,
        c => SIMPLIFY.get(c).unwrap_or(c),
    }
}

/// `text` as it is searched: half-width, simplified.
pub fn fold(text: &str) -> Cow<'_, str> {
    match text.char_indices().find(|&(_, c)| fold_char(c) != c) {
        None => Cow::Borrowed(text),
        Some((at, _)) => {
            let mut out = String::with_capacity(text.len());
            out.push_str(&text[..at]);
            out.extend(text[at..].chars().map(fold_char));
            Cow::Owned(out)
        }
    }
}

/// A folded text that remembers where each of its characters came from, so tokens cut from
/// it point into the original (the snippet marks the words found in the stored text).
pub struct Folded<'a> {
    pub text: Cow<'a, str>,
    /// (byte offset in the folded text, in the original) after each character whose length
    /// in UTF-8 changed (`１` → `1`, a BMP character to one beyond it); between two of
    /// them the offsets differ by the same amount.
    shifts: Vec<(usize, usize)>,
}

impl<'a> Folded<'a> {
    pub fn new(text: &'a str) -> Folded<'a> {
        let folded = fold(text);
        let mut shifts = Vec::new();
        if let Cow::Owned(out) = &folded {
            let mut at = 0;
            for (from, c) in text.char_indices() {
                let to = fold_char(c);
                at += to.len_utf8();
                if to.len_utf8() != c.len_utf8() {
                    shifts.push((at, from + c.len_utf8()));
                }
            }
            debug_assert_eq!(at, out.len());
        }
        Folded {
            text: folded,
            shifts,
        }
    }

    /// The byte offset in the original of `at`, a character boundary of the folded text.
    pub fn original(&self, at: usize) -> usize {
        let before = self.shifts.partition_point(|&(folded, _)| folded <= at);
        match before.checked_sub(1).map(|i| self.shifts[i]) {
            None => at,
            Some((folded, original)) => original + (at - folded),
        }
    }

    /// Tokens (byte offset from, to, text) cut from the folded text, their offsets moved to
    /// the original.
    pub fn map_back(&self, tokens: Vec<(usize, usize, String)>) -> Vec<(usize, usize, String)> {
        if self.shifts.is_empty() {
            return tokens;
        }
        tokens
            .into_iter()
            .map(|(from, to, text)| (self.original(from), self.original(to), text))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traditional_becomes_simplified() {
        assert_eq!(fold("退貨"), "退货");
        assert_eq!(fold("質量問題"), "质量问题");
        assert_eq!(fold("張三的發票"), "张三的发票");
        // Already simplified, or not Chinese: untouched, not even copied.
        assert!(matches!(fold("申请退货退款 iPhone15"), Cow::Borrowed(_)));
        assert!(matches!(fold("𪚥𠀀公司"), Cow::Borrowed(_)));
    }

    #[test]
    fn chains_are_followed_so_folding_twice_changes_nothing() {
        // OpenCC's table maps 薴 to 苧, itself traditional for 苎.
        assert_eq!(fold("薴"), "苎");
        for text in ["退貨質量問題", "乾淨", "ＧＸ－３３４１", "薴麻"] {
            assert_eq!(fold(&fold(text)), fold(text), "{text}");
        }
    }

    #[test]
    fn full_width_becomes_half_width() {
        assert_eq!(fold("１３８１２３４５６７８"), "13812345678");
        assert_eq!(fold("ＧＸ－３３４１"), "GX-3341");
        assert_eq!(fold("ｉＰｈｏｎｅ１５　Ｐｒｏ"), "iPhone15 Pro");
        assert_eq!(fold("（０５７１）８８８８－１２３４"), "(0571)8888-1234");
        assert_eq!(fold("＋８６"), "+86");
        // Chinese punctuation with no ASCII twin stays.
        assert_eq!(fold("你好。"), "你好。");
    }

    #[test]
    fn typed_dashes_become_hyphens() {
        assert_eq!(fold("GX–3341"), "GX-3341");
        assert_eq!(fold("GX—3341"), "GX-3341");
        assert_eq!(fold("0571−88881234"), "0571-88881234");
    }

    #[test]
    fn offsets_map_back_to_the_original() {
        // Full-width characters shrink from three bytes to one; the simplified characters
        // keep their length.
        let text = "订单ＰＯ１２ 退貨";
        let f = Folded::new(text);
        assert_eq!(f.text, "订单PO12 退货");
        let po = f.text.find("PO12").unwrap();
        assert_eq!(&text[f.original(po)..f.original(po + 4)], "ＰＯ１２");
        let back = f.text.find("退货").unwrap();
        assert_eq!(
            &text[f.original(back)..f.original(back + "退货".len())],
            "退貨"
        );
        assert_eq!(f.original(0), 0);
        assert_eq!(f.original(f.text.len()), text.len());
        // Nothing folded: offsets are the same.
        let same = Folded::new("退货");
        assert_eq!(same.original(3), 3);
    }

    #[test]
    fn a_character_that_grows_maps_back_too() {
        // 鮟 (BMP, three bytes) is simplified to 𩽾 (Extension B, four).
        let text = "鮟鱇a";
        let f = Folded::new(text);
        assert_eq!(f.text, "𩽾𩾌a");
        let a = f.text.find('a').unwrap();
        assert_eq!(f.original(a), text.find('a').unwrap());
        assert_eq!(&text[f.original(0)..f.original(4)], "鮟");
    }
}
