//! 文本长度 — the customer-service API takes at most 2048 bytes (UTF-8) of text per
//! message: a longer reply goes as several messages, cut between characters (a Chinese
//! character is three bytes, so about 682 of them fit), at a line break when one falls in
//! the last quarter of a part.

/// Most bytes of one text message.
pub const MAX_TEXT_BYTES: usize = 2048;

/// `text` in parts of at most `max` bytes (at least 4, so any character fits), in order;
/// joined again they are `text`. An empty text is one empty part.
pub fn split_text(text: &str, max: usize) -> Vec<String> {
    let max = max.max(4);
    let mut parts = Vec::new();
    let mut rest = text;
    while rest.len() > max {
        let mut cut = max;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        if let Some(nl) = rest[..cut].rfind('\n')
            && (nl + 1) * 4 >= cut * 3
        {
            cut = nl + 1;
        }
        parts.push(rest[..cut].to_owned());
        rest = &rest[cut..];
    }
    if !rest.is_empty() || parts.is_empty() {
        parts.push(rest.to_owned());
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_short_reply_is_one_message() {
        assert_eq!(
            split_text("您好，已为您办理退货。", MAX_TEXT_BYTES),
            ["您好，已为您办理退货。"]
        );
        assert_eq!(split_text("", MAX_TEXT_BYTES), [""]);
        let exactly = "好".repeat(682) + "ab";
        assert_eq!(exactly.len(), MAX_TEXT_BYTES);
        assert_eq!(split_text(&exactly, MAX_TEXT_BYTES).len(), 1);
    }

    #[test]
    fn chinese_text_is_cut_between_characters() {
        let text = "退货流程说明".repeat(200);
        assert_eq!(text.len(), 3600);
        let parts = split_text(&text, MAX_TEXT_BYTES);
        assert_eq!(parts.len(), 2);
        // 2048 is not a multiple of 3: the first part stops at the last whole character.
        assert_eq!(parts[0].len(), 2046);
        assert_eq!(parts[0].chars().count(), 682);
        assert_eq!(parts.concat(), text);
    }

    #[test]
    fn a_late_line_break_is_preferred_an_early_one_is_not() {
        let first = "甲".repeat(600);
        let text = format!("{first}\n{}", "乙".repeat(600));
        let parts = split_text(&text, MAX_TEXT_BYTES);
        assert_eq!(parts[0], format!("{first}\n"));
        assert_eq!(parts.concat(), text);
        let early = format!("{}\n{}", "甲".repeat(10), "乙".repeat(1000));
        let parts = split_text(&early, MAX_TEXT_BYTES);
        assert_eq!(parts[0].len(), 2047);
        assert_eq!(parts.concat(), early);
    }

    proptest! {
        #[test]
        fn parts_fit_and_join_back(text in "[a-z\n退货说明😀é]{0,3000}", max in 4usize..3000) {
            let parts = split_text(&text, max);
            prop_assert!(parts.iter().all(|p| p.len() <= max));
            prop_assert!(parts.iter().skip(1).all(|p| !p.is_empty()));
            prop_assert_eq!(parts.concat(), text);
        }
    }
}
