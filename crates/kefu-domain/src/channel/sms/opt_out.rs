//! 退订 — a text that asks for no more messages. Operators in China tell customers to
//! answer `T` or `TD`, and customers also write `N`, 退订, 取消, `unsubscribe` or `STOP`;
//! only a text that is one of these words alone counts (spaces and trailing punctuation
//! aside, full-width letters as their ASCII forms, any case), so "我不想退订" is not one.

use crate::customer::to_half_width;

/// The words, lower case.
const WORDS: &[&str] = &["t", "td", "n", "退订", "取消", "unsubscribe", "stop"];

/// What may stand around the word: white space (the ideographic space is turned into a
/// plain one before), invisible characters input methods leave, punctuation of either
/// alphabet.
fn is_padding(c: char) -> bool {
    c.is_whitespace()
        || c.is_ascii_punctuation()
        || matches!(
            c,
            '\u{200b}'
                | '\u{200c}'
                | '\u{200d}'
                | '\u{feff}'
                | '。'
                | '，'
                | '、'
                | '；'
                | '：'
                | '…'
                | '～'
                | '“'
                | '”'
                | '‘'
                | '’'
                | '【'
                | '】'
                | '《'
                | '》'
                | '「'
                | '」'
        )
}

/// Whether the customer's text asks for no more text messages.
pub fn is_opt_out(text: &str) -> bool {
    let half = to_half_width(text);
    let word = half.trim_matches(is_padding).to_lowercase();
    WORDS.contains(&word.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_words_alone_are_opt_outs() {
        for text in [
            "T",
            "t",
            "TD",
            "td",
            "Td",
            "TD ",
            " td\n",
            "ｔｄ",
            "ＴＤ",
            "Ｔ",
            "N",
            "n",
            "退订",
            "退订。",
            " 退订！",
            "取消",
            "【退订】",
            "unsubscribe",
            "UNSUBSCRIBE",
            "Unsubscribe.",
            "STOP",
            "stop!",
            "ＳＴＯＰ",
            "\u{3000}退订\u{3000}",
            "\u{200b}TD",
        ] {
            assert!(is_opt_out(text), "{text:?} is an opt-out");
        }
    }

    #[test]
    fn sentences_and_other_words_are_not() {
        for text in [
            "我不想退订",
            "退订了吗",
            "不要退订",
            "请问怎么退订？",
            "取消订单",
            "TD是什么意思",
            "T恤",
            "No",
            "yes",
            "STOP IT",
            "stopp",
            "t d",
            "",
            "   ",
            "。",
            "好的",
            "1",
        ] {
            assert!(!is_opt_out(text), "{text:?} is not an opt-out");
        }
    }
}
