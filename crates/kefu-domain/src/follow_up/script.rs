//! 回访话术 (002 §三4) — what the agent says on a first visit and on later ones, and how
//! the call ends when the customer is satisfied or not. The department edits the texts;
//! the defaults are the seed's own words with its names turned into placeholders.

/// The placeholders a script may use, filled from the visit.
pub const PLACEHOLDERS: [&str; 5] = ["{称呼}", "{公司}", "{客服姓名}", "{客服电话}", "{祝福语}"];

/// The longest a script may be, in characters.
pub const MAX_SCRIPT: usize = 2000;

/// 回访时间不宜过长，内容不宜过多: the questions a script should ask at most.
pub const MAX_QUESTIONS: usize = 3;

/// 第一次回访
pub const FIRST_VISIT: &str = "您好，是{称呼}吗？我是{公司}的{客服姓名}，打扰您了。\
根据公司安排，以后我就是为您提供服务的客服专员，您如果有什么事情或者对我们公司有什么建议和意见，\
都可以联系我，这是我的座机号码 {客服电话}，我的手机号码等下我会发个短信到您的手机上。\
如果以后我有什么做得不到位的地方，您就直接给我提出来，我一定改正！\
很荣幸为您提供服务，好的，{称呼}，以后多联系啊！";

/// 以后的回访
pub const LATER_VISIT: &str = "{称呼}您好，我是{公司}的{客服姓名}。\
您对我们公司的产品和服务（我本人）有没有什么建议或者不满意的地方？\
【不满意/一般】能否告诉我您对哪方面不满意？我们应改进哪方面的工作？";

/// 结束语【满意】
pub const ENDING_SATISFIED: &str =
    "感谢您的答复，您如果需要什么帮助，可随时跟我们取得联系，祝您{祝福语}，再见！";

/// 结束语【不满意/一般】
pub const ENDING_OTHER: &str = "非常谢谢您的意见和建议，这对我们非常有帮助，\
这一点我们的确做得不够，我们很快就会有改进的，望您监督，祝您{祝福语}，再见！";

/// The default 祝福语 outside holidays.
pub const BLESSING: &str = "工作顺利";

/// What fills a script's placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptValues<'a> {
    /// {称呼}: the contact's name and title (王经理).
    pub salutation: &'a str,
    /// {公司}
    pub company: &'a str,
    /// {客服姓名}
    pub agent_name: &'a str,
    /// {客服电话}
    pub agent_phone: &'a str,
    /// {祝福语}
    pub blessing: &'a str,
}

/// Why a script is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScriptTextError {
    #[error("a script must not be empty")]
    Empty,
    #[error("a script is at most {MAX_SCRIPT} characters")]
    TooLong,
    #[error("unknown placeholder {0}")]
    UnknownPlaceholder(String),
}

/// Checks a script as the department writes it: not empty, not too long, and every `{…}`
/// one of [`PLACEHOLDERS`].
pub fn check(text: &str) -> Result<(), ScriptTextError> {
    if text.trim().is_empty() {
        return Err(ScriptTextError::Empty);
    }
    if text.chars().count() > MAX_SCRIPT {
        return Err(ScriptTextError::TooLong);
    }
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open..];
        let close = after.find('}').map_or(after.len(), |c| c + 1);
        let name = &after[..close];
        if !PLACEHOLDERS.contains(&name) {
            return Err(ScriptTextError::UnknownPlaceholder(name.to_owned()));
        }
        rest = &after[close..];
    }
    Ok(())
}

/// The questions a script asks (sentences ending in ？ or ?), to hold it to
/// [`MAX_QUESTIONS`].
pub fn questions(text: &str) -> usize {
    text.chars().filter(|c| matches!(c, '？' | '?')).count()
}

/// The script with its placeholders filled.
pub fn render(text: &str, v: &ScriptValues<'_>) -> String {
    text.replace("{称呼}", v.salutation)
        .replace("{公司}", v.company)
        .replace("{客服姓名}", v.agent_name)
        .replace("{客服电话}", v.agent_phone)
        .replace("{祝福语}", v.blessing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_use_only_known_placeholders_and_ask_little() {
        for s in [FIRST_VISIT, LATER_VISIT, ENDING_SATISFIED, ENDING_OTHER] {
            assert_eq!(check(s), Ok(()));
            assert!(questions(s) <= MAX_QUESTIONS, "{s}");
        }
    }

    #[test]
    fn placeholders_are_filled_and_unknown_ones_refused() {
        let v = ScriptValues {
            salutation: "王经理",
            company: "示例电器",
            agent_name: "小李",
            agent_phone: "0571-88886666",
            blessing: "节日快乐",
        };
        let text = render(ENDING_SATISFIED, &v);
        assert!(text.contains("祝您节日快乐"));
        assert!(!text.contains('{'));
        assert!(render(FIRST_VISIT, &v).contains("0571-88886666"));
        assert_eq!(
            check("您好 {客户}"),
            Err(ScriptTextError::UnknownPlaceholder("{客户}".into()))
        );
        assert_eq!(
            check("您好 {称呼"),
            Err(ScriptTextError::UnknownPlaceholder("{称呼".into()))
        );
        assert_eq!(check("  "), Err(ScriptTextError::Empty));
    }
}
