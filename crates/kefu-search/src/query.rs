//! From what a person typed to the query the index answers.
//!
//! The text is folded as the index was ([`crate::normalize`]: half-width, simplified) and
//! split on white space; every part must be found somewhere. People also split one thing
//! with spaces — a phone number (`138 1234 5678`, `(0571) 8888-1234`), pinyin (`zhang san`),
//! a model (`iPhone 15`) — so a run of such parts is found either part by part or joined
//! into one; and a phone number typed with China's country code (`+86 138…`, `0086…`) is
//! also looked for without it.

use tantivy::Term;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TokenStream;

use crate::{MAX_QUERY_CHARS, SearchIndex, SearchQuery, normalize, tokenize};

type Clauses = Vec<(Occur, Box<dyn Query>)>;

impl SearchIndex {
    /// The text part of a query: every whitespace-separated part (or run of parts joined,
    /// see the module) must be found somewhere (as a phrase of bigrams, a code, a name or
    /// its pinyin, an email, a tag, or — when allowed — phone digits); dictionary words
    /// found whole add to the score. A part of one Han character is also looked for in
    /// titles and names character by character.
    pub(crate) fn text_query(&self, q: &SearchQuery) -> Option<Box<dyn Query>> {
        let cut: String = q.text.chars().take(MAX_QUERY_CHARS).collect();
        let text = normalize::fold(&cut);
        let parts: Vec<&str> = text.split_whitespace().collect();
        let mut clauses: Clauses = Vec::new();
        for run in runs(&parts) {
            let each: Vec<Box<dyn Query>> = run
                .iter()
                .filter_map(|part| self.part_query(part, q.phones))
                .collect();
            let mut any: Clauses = self.joined(run, q.phones);
            match each.len() {
                0 => {}
                1 => any.extend(each.into_iter().map(|p| (Occur::Should, p))),
                _ => {
                    let all = each.into_iter().map(|p| (Occur::Must, p)).collect();
                    any.push((Occur::Should, Box::new(BooleanQuery::new(all))));
                }
            }
            if any.is_empty() {
                // Only punctuation: nothing to look for in this part.
                continue;
            }
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
            for part in run {
                clauses.extend(self.word_boosts(part));
            }
        }
        if !clauses.iter().any(|(o, _)| *o == Occur::Must) {
            return None;
        }
        Some(Box::new(BooleanQuery::new(clauses)))
    }

    /// Where one part (folded) may be found; `None` when it holds nothing to look for.
    fn part_query(&self, part: &str, phones: bool) -> Option<Box<dyn Query>> {
        let f = &self.f;
        let mut any: Clauses = Vec::new();
        let grams: Vec<String> = tokenize::bigrams(part).into_iter().map(|t| t.2).collect();
        let codes = self.tokens("code", part);
        if grams.is_empty() && codes.is_empty() {
            return None;
        }
        // Three Han characters are two bigrams that must stand side by side: one trigram,
        // looked up as a term without reading a position. As a phrase, the positions of
        // both bigrams were compared in every document holding the two (不制冷: tens of
        // thousands of conversations).
        let trigram = match tokenize::trigrams(part).as_slice() {
            [(_, _, t)] if grams.len() == 2 => Some(t.clone()),
            _ => None,
        };
        for (bigrams, trigrams) in [(f.title_ng, f.title_tg), (f.body_ng, f.body_tg)] {
            let found = match &trigram {
                Some(t) => Some(term(trigrams, t)),
                None => phrase(bigrams, &grams),
            };
            if let Some(p) = found {
                any.push((Occur::Should, p));
            }
        }
        // One Han character is a bigram only where it stands alone: inside a name it is
        // found among the title's and names' characters.
        if let [one] = grams.as_slice()
            && one.chars().count() == 1
            && one.chars().all(tokenize::is_han)
        {
            any.push((Occur::Should, term(f.title_chars, one)));
        }
        let lower = part.to_lowercase();
        for field in [f.names, f.emails, f.tags] {
            any.push((Occur::Should, term(field, &lower)));
        }
        if let Some(p) = phrase(f.codes, &codes) {
            any.push((Occur::Should, Box::new(BoostQuery::new(p, 4.0))));
        }
        if phones {
            let digits: String = part.chars().filter(char::is_ascii_digit).collect();
            if let Some(p) = self.phone(&digits) {
                any.push((Occur::Should, p));
            }
        }
        Some(Box::new(BooleanQuery::new(any)))
    }

    /// A run of parts found as one: its letters and digits joined as a code or a name's
    /// pinyin (`zhang san` → `zhangsan`), and a run of digits as a phone number, with and
    /// without China's country code.
    fn joined(&self, run: &[&str], phones: bool) -> Clauses {
        let mut any: Clauses = Vec::new();
        let joined: String = run
            .iter()
            .flat_map(|p| p.chars())
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if joined.is_empty() {
            return any;
        }
        if run.len() > 1 {
            any.push((Occur::Should, term(self.f.names, &joined)));
            any.push((
                Occur::Should,
                Box::new(BoostQuery::new(term(self.f.codes, &joined), 4.0)),
            ));
        }
        if phones && joined.bytes().all(|b| b.is_ascii_digit()) {
            let plus = run.first().is_some_and(|p| p.starts_with('+'));
            let numbers = [
                (run.len() > 1).then_some(joined.as_str()),
                without_country_code(&joined, plus),
            ];
            for digits in numbers.into_iter().flatten() {
                if let Some(p) = self.phone(digits) {
                    any.push((Occur::Should, p));
                }
            }
        }
        any
    }

    /// Phone digits (4 or more) as a phrase of their 4-grams.
    fn phone(&self, digits: &str) -> Option<Box<dyn Query>> {
        let grams: Vec<String> = tokenize::digit_grams(digits)
            .into_iter()
            .map(|t| t.2)
            .filter(|s| !s.is_empty())
            .collect();
        phrase(self.f.digits, &grams)
    }

    /// Whole dictionary words rank first, the title above the body. A single Han character
    /// (不, 的) is in nearly every conversation: ranking by it would walk the whole index and
    /// tell nothing.
    fn word_boosts(&self, part: &str) -> Clauses {
        let words = self.tokens("jieba", part).into_iter();
        let words = words.filter(|w| w.chars().count() > 1 || !w.chars().all(tokenize::is_han));
        let mut out: Clauses = Vec::new();
        for word in words {
            out.push((
                Occur::Should,
                Box::new(BoostQuery::new(term(self.f.title, &word), 3.0)),
            ));
            out.push((
                Occur::Should,
                Box::new(BoostQuery::new(term(self.f.body, &word), 1.5)),
            ));
        }
        out
    }

    fn tokens(&self, tokenizer: &str, text: &str) -> Vec<String> {
        let Some(mut analyzer) = self.index.tokenizers().get(tokenizer) else {
            return Vec::new();
        };
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            let t = stream.token().text.trim().to_owned();
            if !t.is_empty() && t.chars().any(char::is_alphanumeric) {
                out.push(t);
            }
        }
        out
    }
}

/// Whether a part may belong to one thing typed with spaces: ASCII letters and digits and
/// the punctuation of phone numbers and codes, at least one letter or digit.
fn joinable(part: &str) -> bool {
    part.bytes().any(|b| b.is_ascii_alphanumeric())
        && part
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-()./_".contains(&b))
}

/// The parts in runs: consecutive joinable parts together, every other part alone.
fn runs<'p, 'a>(parts: &'p [&'a str]) -> Vec<&'p [&'a str]> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < parts.len() {
        let mut j = i + 1;
        if joinable(parts[i]) {
            while j < parts.len() && joinable(parts[j]) {
                j += 1;
            }
        }
        out.push(&parts[i..j]);
        i = j;
    }
    out
}

/// The number without China's country code, when it was typed with one: `+86…`, `0086…`,
/// or 86 before a mobile's eleven digits. Other countries' codes are left as typed: a number
/// stored with its code is found with it.
fn without_country_code(digits: &str, plus: bool) -> Option<&str> {
    if let Some(rest) = digits.strip_prefix("0086") {
        return Some(rest);
    }
    let rest = digits.strip_prefix("86")?;
    (plus || (rest.len() == 11 && rest.starts_with('1'))).then_some(rest)
}

pub(crate) fn term(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

/// The tokens in order as a phrase (one token: a term).
fn phrase(field: Field, tokens: &[String]) -> Option<Box<dyn Query>> {
    match tokens {
        [] => None,
        [one] => Some(term(field, one)),
        many => Some(Box::new(PhraseQuery::new(
            many.iter()
                .map(|t| Term::from_field_text(field, t))
                .collect(),
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs_of(text: &str) -> Vec<Vec<&str>> {
        let parts: Vec<&str> = text.split_whitespace().collect();
        runs(&parts).into_iter().map(<[&str]>::to_vec).collect()
    }

    #[test]
    fn parts_typed_apart_run_together() {
        assert_eq!(runs_of("138 1234 5678"), [["138", "1234", "5678"]]);
        assert_eq!(
            runs_of("+86 138 1234 5678"),
            [["+86", "138", "1234", "5678"]]
        );
        assert_eq!(runs_of("(0571) 8888-1234"), [["(0571)", "8888-1234"]]);
        assert_eq!(runs_of("zhang san"), [["zhang", "san"]]);
        assert_eq!(
            runs_of("发票 zhang san 退货"),
            vec![vec!["发票"], vec!["zhang", "san"], vec!["退货"]]
        );
        // Punctuation alone joins nothing.
        assert_eq!(runs_of("- 5678"), vec![vec!["-"], vec!["5678"]]);
    }

    #[test]
    fn china_s_country_code_is_dropped_when_typed() {
        assert_eq!(
            without_country_code("8613812345678", true),
            Some("13812345678")
        );
        assert_eq!(
            without_country_code("8613812345678", false),
            Some("13812345678"),
            "86 before a mobile's eleven digits"
        );
        assert_eq!(
            without_country_code("008613812345678", false),
            Some("13812345678")
        );
        assert_eq!(
            without_country_code("8657188881234", true),
            Some("57188881234")
        );
        assert_eq!(
            without_country_code("86571888", false),
            None,
            "digits that merely start with 86"
        );
        assert_eq!(without_country_code("13812345678", true), None);
    }
}
