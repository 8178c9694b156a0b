//! The tokenizers behind Chinese search, besides jieba's dictionary words:
//!
//! - [`Bigrams`]: overlapping pairs of Han characters (and ASCII words whole, lower-cased),
//!   so words missing from the dictionary — new product and brand names — and parts of
//!   compound words are found by a phrase of their bigrams;
//! - [`HanChars`]: each Han character of titles and names on its own, so a query of one
//!   character — often a rare one from a person's or a company's name, such as 𪚥 — finds
//!   the names that contain it (a bigram holds it only together with a neighbour);
//! - [`DigitGrams`]: every 4 consecutive digits of a phone number at consecutive positions,
//!   so any 4+ digits of the number find it by a phrase of its 4-grams;
//! - [`Codes`]: order and part numbers whole, lower-cased, the separators inside left out;
//! - pinyin of names, full and initials.
//!
//! Each of them, and jieba through [`Folding`], cuts the text as [`crate::normalize`] folds
//! it (half-width, simplified), so the index and the queries agree however people type.

use pinyin::ToPinyin;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use crate::normalize::{Folded, fold};

/// Whether `c` is a Han character (a CJK ideograph). Rare characters of personal and
/// company names lie outside the Basic Multilingual Plane — four bytes in UTF-8 — and must
/// be treated like the common ones everywhere text is cut into tokens.
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        // Extension A.
        0x3400..=0x4DBF
        // CJK Unified Ideographs.
        | 0x4E00..=0x9FFF
        // Compatibility Ideographs.
        | 0xF900..=0xFAFF
        // The Supplementary Ideographic Plane (Extensions B–F and I, the Compatibility
        // Ideographs Supplement) and the Tertiary Ideographic Plane (Extensions G and H):
        // both planes are set aside for ideographs, so extensions still to come are Han too.
        | 0x20000..=0x3FFFD)
}

/// Overlapping Han bigrams (a lone Han character stands alone) and ASCII words.
#[derive(Clone, Default)]
pub struct Bigrams;

/// The tokens of [`Bigrams`] as (byte offset from, to, text), in order.
pub fn bigrams(text: &str) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        if is_han(c) {
            let mut j = i;
            while j < chars.len() && is_han(chars[j].1) {
                j += 1;
            }
            let end_of = |k: usize| chars.get(k).map_or(text.len(), |(o, _)| *o);
            if j - i == 1 {
                out.push((start, end_of(i + 1), c.to_string()));
            } else {
                for (k, &(from, _)) in chars.iter().enumerate().take(j - 1).skip(i) {
                    let to = end_of(k + 2);
                    out.push((from, to, text[from..to].to_owned()));
                }
            }
            i = j;
        } else if c.is_alphanumeric() {
            let mut j = i;
            while j < chars.len() && chars[j].1.is_alphanumeric() && !is_han(chars[j].1) {
                j += 1;
            }
            let to = chars.get(j).map_or(text.len(), |(o, _)| *o);
            out.push((start, to, text[start..to].to_lowercase()));
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// A token stream over precomputed tokens.
pub struct VecStream {
    tokens: Vec<Token>,
    index: usize,
    current: Token,
}

impl VecStream {
    /// Tokens at consecutive positions.
    fn new(tokens: Vec<(usize, usize, String)>) -> VecStream {
        VecStream::of(
            tokens
                .into_iter()
                .enumerate()
                .map(|(position, (offset_from, offset_to, text))| Token {
                    offset_from,
                    offset_to,
                    position,
                    text,
                    position_length: 1,
                })
                .collect(),
        )
    }

    /// Tokens with the positions they carry.
    fn of(tokens: Vec<Token>) -> VecStream {
        VecStream {
            tokens,
            index: 0,
            current: Token::default(),
        }
    }
}

/// Any tokenizer (jieba's, the raw one) over the folded text, its tokens' offsets moved
/// back into the original, where the snippet marks them.
#[derive(Clone)]
pub struct Folding<T>(pub T);

impl<T: Tokenizer> Tokenizer for Folding<T> {
    type TokenStream<'a> = VecStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecStream {
        let folded = Folded::new(text);
        let mut stream = self.0.token_stream(folded.text.as_ref());
        let mut tokens = Vec::new();
        while stream.advance() {
            let mut t = stream.token().clone();
            t.offset_from = folded.original(t.offset_from);
            t.offset_to = folded.original(t.offset_to);
            tokens.push(t);
        }
        VecStream::of(tokens)
    }
}

/// `cut` applied to the folded text, the offsets moved back into the original.
fn folded_tokens(
    text: &str,
    cut: fn(&str) -> Vec<(usize, usize, String)>,
) -> Vec<(usize, usize, String)> {
    let folded = Folded::new(text);
    folded.map_back(cut(folded.text.as_ref()))
}

impl TokenStream for VecStream {
    fn advance(&mut self) -> bool {
        match self.tokens.get(self.index) {
            Some(t) => {
                self.current = t.clone();
                self.index += 1;
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}

impl Tokenizer for Bigrams {
    type TokenStream<'a> = VecStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecStream {
        VecStream::new(folded_tokens(text, bigrams))
    }
}

/// Every three consecutive Han characters of a run — two overlapping bigrams as one token.
/// Indexed without positions: a three-character query (不制冷) is then one term looked up,
/// where the bigram phrase (不制 + 制冷) had its positions checked in every document that
/// has both bigrams.
#[derive(Clone, Default)]
pub struct Trigrams;

/// The tokens of [`Trigrams`] as (byte offset from, to, text), in order.
pub fn trigrams(text: &str) -> Vec<(usize, usize, String)> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let end_of = |k: usize| chars.get(k).map_or(text.len(), |(o, _)| *o);
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !is_han(chars[i].1) {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < chars.len() && is_han(chars[j].1) {
            j += 1;
        }
        for (k, &(from, _)) in chars.iter().enumerate().take(j.saturating_sub(2)).skip(i) {
            let to = end_of(k + 3);
            out.push((from, to, text[from..to].to_owned()));
        }
        i = j;
    }
    out
}

impl Tokenizer for Trigrams {
    type TokenStream<'a> = VecStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecStream {
        VecStream::new(folded_tokens(text, trigrams))
    }
}

/// Each Han character on its own, at consecutive positions; everything else is left out.
#[derive(Clone, Default)]
pub struct HanChars;

/// The tokens of [`HanChars`] as (byte offset from, to, text), in order.
pub fn han_chars(text: &str) -> Vec<(usize, usize, String)> {
    text.char_indices()
        .filter(|(_, c)| is_han(*c))
        .map(|(at, c)| (at, at + c.len_utf8(), c.to_string()))
        .collect()
}

impl Tokenizer for HanChars {
    type TokenStream<'a> = VecStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecStream {
        VecStream::new(folded_tokens(text, han_chars))
    }
}

/// Every 4 consecutive digits of each number in the text (numbers separated by anything
/// not a digit), positions consecutive within a number and apart between numbers.
#[derive(Clone, Default)]
pub struct DigitGrams;

pub const DIGIT_GRAM: usize = 4;

pub fn digit_grams(text: &str) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    for number in text.split(|c: char| !c.is_ascii_digit()) {
        if number.len() < DIGIT_GRAM {
            continue;
        }
        for k in 0..=number.len() - DIGIT_GRAM {
            out.push((k, k + DIGIT_GRAM, number[k..k + DIGIT_GRAM].to_owned()));
        }
        // A gap, so no phrase runs from one number into the next.
        out.push((0, 0, String::new()));
    }
    out
}

impl Tokenizer for DigitGrams {
    type TokenStream<'a> = VecStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecStream {
        // Empty separators keep a position between numbers and are then dropped. The offsets
        // are within each number: the digits are never shown, so never mapped back.
        let grams = digit_grams(&fold(text));
        let mut stream = VecStream::new(grams);
        stream.tokens.retain(|t| !t.text.is_empty());
        stream
    }
}

/// Order numbers, part numbers and ASCII words — `PO-2026-00817`, `GX-3341`, `iPhone15` —
/// each one token, lower-cased.
#[derive(Clone, Default)]
pub struct Codes;

/// The tokens of [`Codes`]: runs of ASCII letters and digits joined by single `-`, `_`, `.`
/// or `/`, as (byte offset from, to, text). The text leaves the separators out: people type
/// `GX3341` for `GX-3341` (and `GX-3341` for `GX3341`), and both must find it.
pub fn codes(text: &str) -> Vec<(usize, usize, String)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        // ASCII bytes never occur inside a longer UTF-8 sequence: the offsets stay on
        // character boundaries.
        if !b[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        let mut code = String::new();
        loop {
            while i < b.len() && b[i].is_ascii_alphanumeric() {
                code.push(char::from(b[i].to_ascii_lowercase()));
                i += 1;
            }
            let joined = i + 1 < b.len()
                && matches!(b[i], b'-' | b'_' | b'.' | b'/')
                && b[i + 1].is_ascii_alphanumeric();
            if !joined {
                break;
            }
            i += 1;
        }
        out.push((start, i, code));
    }
    out
}

impl Tokenizer for Codes {
    type TokenStream<'a> = VecStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecStream {
        VecStream::new(folded_tokens(text, codes))
    }
}

/// Full pinyin and initials of a Chinese name (`张三` → `zhangsan`, `zs`); empty when the
/// name has no Han characters.
pub fn pinyin_keys(name: &str) -> Vec<String> {
    let mut full = String::new();
    let mut initials = String::new();
    for p in name.to_pinyin().flatten() {
        full.push_str(p.plain());
        initials.push_str(p.first_letter());
    }
    if full.is_empty() {
        return Vec::new();
    }
    vec![full, initials]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(t: Vec<(usize, usize, String)>) -> Vec<String> {
        t.into_iter().map(|(_, _, s)| s).collect()
    }

    #[test]
    fn han_runs_become_bigrams_and_words_stay_whole() {
        assert_eq!(
            texts(bigrams("申请退货退款 iPhone15 货")),
            ["申请", "请退", "退货", "货退", "退款", "iphone15", "货"]
        );
        let text = "产品存在质量问题";
        for (from, to, s) in bigrams(text) {
            assert_eq!(&text[from..to], s);
        }
    }

    #[test]
    fn han_runs_of_three_or_more_become_trigrams() {
        let text = "空调不制冷 ok 货物𪚥𪚥, 退款";
        let t = trigrams(text);
        assert_eq!(
            texts(t.clone()),
            ["空调不", "调不制", "不制冷", "货物𪚥", "物𪚥𪚥"]
        );
        on_boundaries(text, &t);
    }

    /// Every token is the slice of the text it says it is, cut on character boundaries.
    fn on_boundaries(text: &str, tokens: &[(usize, usize, String)]) {
        for (from, to, s) in tokens {
            assert!(
                text.is_char_boundary(*from) && text.is_char_boundary(*to),
                "{from}..{to} of {text:?}"
            );
            assert_eq!(&text[*from..*to], s.as_str());
        }
    }

    #[test]
    fn every_han_range_is_han() {
        for c in [
            '\u{4E00}',  // 一, CJK Unified Ideographs
            '\u{9FFF}',  // the block's last
            '\u{3400}',  // Extension A
            '\u{4DBF}',  // Extension A's last
            '\u{F900}',  // Compatibility Ideographs
            '\u{FAD9}',  // their last
            '\u{20000}', // 𠀀, Extension B
            '\u{2A6A5}', // 𪚥, Extension B
            '\u{2A700}', // Extension C
            '\u{2B740}', // Extension D
            '\u{2B820}', // Extension E
            '\u{2CEB0}', // Extension F
            '\u{2EBF0}', // Extension I
            '\u{2F800}', // Compatibility Ideographs Supplement
            '\u{2FA1D}', // its last
            '\u{30000}', // Extension G
            '\u{3134A}', // Extension G's last
            '\u{31350}', // Extension H
            '\u{323AF}', // Extension H's last
        ] {
            assert!(is_han(c), "U+{:04X}", c as u32);
        }
        for c in [
            'a',
            '1',
            '。',
            '，',
            '\u{3000}',
            '\u{2F00}',
            '\u{FF21}',
            '\u{1F600}',
            '\u{E0100}',
        ] {
            assert!(!is_han(c), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn rare_han_becomes_bigrams_on_char_boundaries() {
        // 𪚥 (U+2A6A5) and 𠀀 (U+20000), Extension B: four bytes each in UTF-8.
        let text = "𪚥𠀀公司";
        let t = bigrams(text);
        on_boundaries(text, &t);
        assert_eq!(texts(t), ["𪚥𠀀", "𠀀公", "公司"]);
        // Extensions G and H pair with their neighbours like any Han character.
        let text = "\u{30000}\u{31350}贸易";
        let t = bigrams(text);
        on_boundaries(text, &t);
        assert_eq!(texts(t), ["\u{30000}\u{31350}", "\u{31350}贸", "贸易"]);
        // Compatibility ideographs too.
        let text = "\u{F900}\u{2F800}";
        let t = bigrams(text);
        on_boundaries(text, &t);
        assert_eq!(texts(t), ["\u{F900}\u{2F800}"]);
        // A lone rare character stands alone, beside Latin letters too.
        let text = "a𪚥b \u{30000}";
        let t = bigrams(text);
        on_boundaries(text, &t);
        assert_eq!(texts(t), ["a", "𪚥", "b", "\u{30000}"]);
    }

    #[test]
    fn han_chars_stand_alone_on_char_boundaries() {
        let text = "𪚥𠀀公司 A1，\u{30000}";
        let t = han_chars(text);
        on_boundaries(text, &t);
        assert_eq!(texts(t), ["𪚥", "𠀀", "公", "司", "\u{30000}"]);
        let mut tokenizer = HanChars;
        let mut stream = tokenizer.token_stream(text);
        let mut positions = Vec::new();
        while stream.advance() {
            positions.push(stream.token().position);
        }
        assert_eq!(positions, [0, 1, 2, 3, 4]);
    }

    /// jieba is not where rare characters go missing: its tokens are byte ranges on
    /// character boundaries and cover every character.
    #[test]
    fn jieba_keeps_rare_characters_on_char_boundaries() {
        let text = "𪚥𠀀公司投诉 \u{30000}\u{31350}";
        let mut jieba = tantivy_jieba::JiebaTokenizer::new();
        let mut stream = jieba.token_stream(text);
        let mut covered = vec![false; text.len()];
        while stream.advance() {
            let t = stream.token();
            assert!(
                text.is_char_boundary(t.offset_from) && text.is_char_boundary(t.offset_to),
                "{t:?}"
            );
            assert_eq!(&text[t.offset_from..t.offset_to], t.text);
            covered[t.offset_from..t.offset_to].fill(true);
        }
        assert!(covered.iter().all(|c| *c), "every character is in a token");
    }

    #[test]
    fn digit_grams_slide_over_each_number() {
        let g: Vec<String> = digit_grams("138-1234-5678")
            .into_iter()
            .map(|t| t.2)
            .filter(|s| !s.is_empty())
            .collect();
        assert_eq!(g, ["1234", "5678"], "each number on its own");
        let g: Vec<String> = digit_grams("13812345678")
            .into_iter()
            .map(|t| t.2)
            .filter(|s| !s.is_empty())
            .collect();
        assert_eq!(g.len(), 8);
        assert_eq!(g[0], "1381");
        assert_eq!(g[7], "5678");
    }

    #[test]
    fn codes_are_whole_without_their_separators() {
        assert_eq!(
            texts(codes("订单 PO-2026-00817，料号 GX-3341/A iPhone15")),
            ["po202600817", "gx3341a", "iphone15"]
        );
        assert_eq!(texts(codes("GX3341")), texts(codes("GX-3341")));
        assert_eq!(texts(codes("gx_3341")), ["gx3341"]);
        // A separator not between two letters or digits ends the code.
        assert_eq!(texts(codes("a--b c- .d")), ["a", "b", "c", "d"]);
        let text = "料号GX-3341";
        let (from, to, _) = &codes(text)[0];
        assert_eq!(&text[*from..*to], "GX-3341");
    }

    #[test]
    fn full_width_and_traditional_text_is_cut_as_it_is_searched() {
        let mut codes = Codes;
        let text = "料號ＧＸ－３３４１";
        let mut stream = codes.token_stream(text);
        assert!(stream.advance());
        let t = stream.token();
        assert_eq!(t.text, "gx3341");
        assert_eq!(&text[t.offset_from..t.offset_to], "ＧＸ－３３４１");

        let mut bigrams = Bigrams;
        let text = "退貨 ｉＰｈｏｎｅ";
        let mut stream = bigrams.token_stream(text);
        let mut got = Vec::new();
        while stream.advance() {
            let t = stream.token();
            got.push((t.text.clone(), text[t.offset_from..t.offset_to].to_owned()));
        }
        assert_eq!(
            got,
            [
                ("退货".to_owned(), "退貨".to_owned()),
                ("iphone".to_owned(), "ｉＰｈｏｎｅ".to_owned())
            ]
        );

        let mut digits = DigitGrams;
        let mut stream = digits.token_stream("１３８１２３４５６７８");
        let mut grams = Vec::new();
        while stream.advance() {
            grams.push(stream.token().text.clone());
        }
        assert_eq!(grams.len(), 8);
        assert_eq!(grams[0], "1381");

        let mut han = HanChars;
        let mut stream = han.token_stream("張三");
        assert!(stream.advance());
        assert_eq!(stream.token().text, "张");
    }

    #[test]
    fn jieba_through_folding_finds_simplified_words_in_traditional_text() {
        let text = "客戶申請退貨，產品存在質量問題";
        let mut jieba = Folding(tantivy_jieba::JiebaTokenizer::new());
        let mut stream = jieba.token_stream(text);
        let mut words = Vec::new();
        while stream.advance() {
            let t = stream.token();
            words.push(t.text.clone());
            assert!(
                text.is_char_boundary(t.offset_from) && text.is_char_boundary(t.offset_to),
                "{t:?}"
            );
        }
        for w in ["客户", "退货"] {
            assert!(words.iter().any(|x| x == w), "{w} in {words:?}");
        }
    }

    #[test]
    fn names_have_full_pinyin_and_initials() {
        assert_eq!(pinyin_keys("张三"), ["zhangsan", "zs"]);
        assert_eq!(pinyin_keys("王经理"), ["wangjingli", "wjl"]);
        assert!(pinyin_keys("Acme").is_empty());
    }
}
