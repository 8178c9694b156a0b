//! 服务忌语提示 — the phrases 002 §四4 tells agents never to say (杜绝"不行、不知道、不可以"),
//! and others in its spirit, found in an agent's written replies so the inspector sees
//! them at a glance. A hint, never a verdict: "不知道您是否方便" is a polite question, and
//! only the inspector scores.

use serde::{Deserialize, Serialize};

/// The shipped list, one phrase per line: the seed's three first, then those in the
/// spirit of its other rules (不推卸责任, 不争论, 不怀疑顾客, 不轻易承诺, 不以权威施压).
pub const DEFAULT_PHRASES: &str = "不行\n不知道\n不可以\n没办法\n不可能\n不归我管\n\
不是我负责的\n找别人去\n你听不懂吗\n我已经说过了\n急什么\n你是不是搞错了\n你肯定是用错了\n\
保证\n绝对\n百分之百\n肯定没问题\n按规定你必须";

/// The most phrases a list holds, and the longest phrase in characters.
pub const MAX_PHRASES: usize = 200;
pub const MAX_PHRASE_CHARS: usize = 20;

/// One phrase found in a text: where it is, in bytes of the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hint {
    pub start: usize,
    pub end: usize,
    pub phrase: String,
}

/// Why a phrase list is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhrasesError {
    #[error("at most {max} phrases")]
    TooMany { max: usize },
    #[error("a phrase is at most {max} characters: {phrase:?}")]
    TooLong { max: usize, phrase: String },
}

/// The list as stored: one phrase per line, trimmed, empty lines and repeats dropped.
pub fn parse(text: &str) -> Result<Vec<String>, PhrasesError> {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if line.chars().count() > MAX_PHRASE_CHARS {
            return Err(PhrasesError::TooLong {
                max: MAX_PHRASE_CHARS,
                phrase: line.chars().take(MAX_PHRASE_CHARS).collect(),
            });
        }
        if !out.iter().any(|p| p == line) {
            out.push(line.to_owned());
        }
    }
    if out.len() > MAX_PHRASES {
        return Err(PhrasesError::TooMany { max: MAX_PHRASES });
    }
    Ok(out)
}

/// Every place in `text` where a phrase of `phrases` is, in order, never overlapping: at
/// one place the longest phrase wins ("不可能" over "不可").
pub fn hints(text: &str, phrases: &[String]) -> Vec<Hint> {
    let mut found = Vec::new();
    let mut at = 0;
    while at < text.len() {
        let rest = &text[at..];
        let best = phrases
            .iter()
            .filter(|p| !p.is_empty() && rest.starts_with(p.as_str()))
            .max_by_key(|p| p.len());
        match best {
            Some(p) => {
                found.push(Hint {
                    start: at,
                    end: at + p.len(),
                    phrase: p.clone(),
                });
                at += p.len();
            }
            None => {
                at += rest.chars().next().map_or(1, char::len_utf8);
            }
        }
    }
    found
}

/// `text` cut into pieces, each with whether it is a hint, for a page to mark up.
pub fn marked(text: &str, phrases: &[String]) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut at = 0;
    for h in hints(text, phrases) {
        if h.start > at {
            out.push((text[at..h.start].to_owned(), false));
        }
        out.push((text[h.start..h.end].to_owned(), true));
        at = h.end;
    }
    if at < text.len() {
        out.push((text[at..].to_owned(), false));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list() -> Vec<String> {
        parse(DEFAULT_PHRASES).unwrap()
    }

    #[test]
    fn the_seeds_three_are_first_and_the_list_parses() {
        let l = list();
        assert_eq!(&l[..3], &["不行", "不知道", "不可以"]);
        assert!(l.len() > 10);
    }

    #[test]
    fn phrases_are_found_in_order_and_cut_out() {
        let text = "这个不行，我也不知道，按规定你必须等。";
        let h = hints(text, &list());
        let words: Vec<&str> = h.iter().map(|h| h.phrase.as_str()).collect();
        assert_eq!(words, ["不行", "不知道", "按规定你必须"]);
        for x in &h {
            assert_eq!(&text[x.start..x.end], x.phrase);
        }
        let pieces = marked(text, &list());
        let joined: String = pieces.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(joined, text, "nothing is lost");
        assert_eq!(pieces.iter().filter(|(_, m)| *m).count(), 3);
    }

    #[test]
    fn the_longest_phrase_wins_and_clean_text_has_none() {
        let l = vec!["不可".to_owned(), "不可能".to_owned()];
        let h = hints("这不可能", &l);
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].phrase, "不可能");
        assert!(hints("您好，请问有什么可以帮您？", &list()).is_empty());
    }

    #[test]
    fn lists_are_bounded_and_tidied() {
        assert_eq!(parse(" 不行 \n\n不行\n别急").unwrap(), ["不行", "别急"]);
        assert!(matches!(
            parse(&"长".repeat(21)),
            Err(PhrasesError::TooLong { .. })
        ));
        let many: String = (0..201).map(|i| format!("词{i}\n")).collect();
        assert!(matches!(parse(&many), Err(PhrasesError::TooMany { .. })));
    }
}
