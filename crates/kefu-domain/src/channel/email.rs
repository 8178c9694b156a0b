//! 邮件渠道 — rules about inbound mail that need no parsing: which ticket a subject names,
//! where the quoted history of a reply starts, what a subject is without its 回复:/Re:
//! prefixes, and whether a subject is a machine's (自动回复, Out of Office).

/// The ticket number a subject refers to, written `[KF20261122-0001]` (or in full-width
/// brackets `【…】`, as some clients and people rewrite it), upper-cased. The sequence has
/// at least four digits, as [`crate::ticket::ticket_number`] writes it.
pub fn ticket_number_in_subject(subject: &str) -> Option<String> {
    subject
        .char_indices()
        .filter(|&(_, c)| matches!(c, '[' | '【'))
        .find_map(|(i, open)| {
            let rest = &subject[i + open.len_utf8()..];
            let close = if open == '[' { ']' } else { '】' };
            let len = number_len(rest)?;
            rest[len..]
                .starts_with(close)
                .then(|| rest[..len].to_ascii_uppercase())
        })
}

/// Length of a `KF` + 8 digits + `-` + 4 or more digits number at the start of `s`.
fn number_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    if !b.get(..2)?.eq_ignore_ascii_case(b"KF")
        || !b.get(2..10)?.iter().all(u8::is_ascii_digit)
        || b.get(10) != Some(&b'-')
    {
        return None;
    }
    let seq = b[11..].iter().take_while(|c| c.is_ascii_digit()).count();
    (seq >= 4).then_some(11 + seq)
}

/// Splits a reply into what the sender wrote and the quoted history under it.
///
/// History starts at the first of: a `原始邮件` / `Original Message` separator line (QQ's
/// `------------------ 原始邮件 ------------------`, Outlook's `-----Original Message-----`);
/// a `在 2026-11-22 10:31:05，"张三" <…> 写道：` line (Foxmail, 163; also wrapped over two
/// lines, and Gmail's `… 于2026年11月22日 … 写道：`); an Outlook header block (`发件人:` /
/// `From:` followed within four lines by `发送时间:` / `Sent:` / `日期:` / `Date:`, or the
/// `________` line above it); an `On … wrote:` line (also wrapped). Without any of these, a
/// block of `>` lines at the end is the history.
///
/// Nothing is lost: the visible part is the text up to the split with trailing blanks
/// removed, the quoted part is the rest, trimmed. A mail that would show nothing (a bare
/// forward, a reply that only quotes) keeps its whole text and no quoted part.
pub fn fold_quoted(text: &str) -> (String, Option<String>) {
    let lines = lines(text);
    let split = (0..lines.len())
        .find(|&i| starts_history(&lines, i))
        .or_else(|| trailing_quote_block(&lines));
    if let Some(index) = split {
        let at = lines[index].0;
        let visible = text[..at].trim_end();
        if !visible.is_empty() {
            return (visible.to_owned(), Some(text[at..].trim().to_owned()));
        }
    }
    (text.to_owned(), None)
}

/// Each line with the byte offset where it starts, without its line break.
fn lines(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for piece in text.split_inclusive('\n') {
        out.push((offset, piece.trim_end_matches(['\n', '\r'])));
        offset += piece.len();
    }
    out
}

fn starts_history(lines: &[(usize, &str)], i: usize) -> bool {
    let line = lines[i].1.trim();
    let next = lines.get(i + 1).map_or("", |l| l.1.trim());
    is_separator(line)
        || is_chinese_attribution(line)
        || (line.starts_with('在') && has_digit(line) && ends_with_wrote_zh(next))
        || is_header_block(lines, i)
        || is_on_wrote(line, next)
}

fn has_digit(line: &str) -> bool {
    line.bytes().any(|b| b.is_ascii_digit())
}

fn is_separator(line: &str) -> bool {
    let dashes = line.chars().filter(|&c| c == '-').count();
    let core = line.trim_matches(|c: char| c == '-' || c == '_' || c == '=' || c.is_whitespace());
    dashes >= 2
        && (core == "原始邮件"
            || core == "原始郵件"
            || core.eq_ignore_ascii_case("original message"))
}

fn ends_with_wrote_zh(line: &str) -> bool {
    ["写道：", "写道:", "寫道：", "寫道:"]
        .iter()
        .any(|end| line.ends_with(end))
}

/// `在 2026-11-22 10:31:05，"张三" <…> 写道：` or `张三 <…> 于2026年11月22日周日 10:31写道：`.
fn is_chinese_attribution(line: &str) -> bool {
    ends_with_wrote_zh(line) && has_digit(line) && (line.starts_with('在') || line.contains('于'))
}

const SENDER_LABELS: &[&str] = &["发件人:", "发件人：", "From:", "寄件者:", "寄件者："];
const TIME_LABELS: &[&str] = &[
    "发送时间:",
    "发送时间：",
    "Sent:",
    "日期:",
    "日期：",
    "Date:",
    "寄件日期:",
    "寄件日期：",
    "时间:",
    "时间：",
];

fn is_header_block(lines: &[(usize, &str)], i: usize) -> bool {
    let starts_with_any = |line: &str, labels: &[&str]| labels.iter().any(|l| line.starts_with(l));
    let line = lines[i].1.trim();
    // Outlook on the web and new Outlook draw a line of underscores above the block.
    if line.len() >= 10 && line.chars().all(|c| c == '_') {
        return lines
            .get(i + 1)
            .is_some_and(|_| is_header_block(lines, i + 1));
    }
    starts_with_any(line, SENDER_LABELS)
        && lines
            .iter()
            .skip(i + 1)
            .take(4)
            .any(|l| starts_with_any(l.1.trim(), TIME_LABELS))
}

fn is_on_wrote(line: &str, next: &str) -> bool {
    line.starts_with("On ")
        && has_digit(line)
        && (line.ends_with("wrote:") || (next.ends_with("wrote:") && !next.starts_with('>')))
}

/// The first line of a block of `>` lines (blank lines allowed) that ends the text.
fn trailing_quote_block(lines: &[(usize, &str)]) -> Option<usize> {
    let mut first = None;
    for (i, (_, line)) in lines.iter().enumerate().rev() {
        let line = line.trim();
        if line.starts_with('>') {
            first = Some(i);
        } else if !line.is_empty() {
            break;
        }
    }
    first
}

const REPLY_PREFIXES: &[&str] = &[
    "re", "fwd", "fw", "aw", "回复", "答复", "转发", "回覆", "答覆", "轉寄", "轉發", "转寄",
];

/// The subject without the reply and forward prefixes mail clients add, however many:
/// `Re:`, `RE:`, `Fwd:`, `FW:`, `回复：`, `答复:`, `转发:` (half- or full-width colon,
/// `Re[2]:` counters too), trimmed.
pub fn strip_reply_prefixes(subject: &str) -> &str {
    let mut rest = subject.trim();
    while let Some(shorter) = strip_one_prefix(rest) {
        rest = shorter.trim();
    }
    rest
}

fn strip_one_prefix(s: &str) -> Option<&str> {
    REPLY_PREFIXES.iter().find_map(|prefix| {
        let head = s.get(..prefix.len())?;
        if !head.eq_ignore_ascii_case(prefix) {
            return None;
        }
        let mut rest = s[prefix.len()..].trim_start();
        if let Some(after) = strip_counter(rest) {
            rest = after.trim_start();
        }
        rest.strip_prefix(':').or_else(|| rest.strip_prefix('：'))
    })
}

/// `[2]` or `(2)` at the start of `s`, as in `Re[2]:`.
fn strip_counter(s: &str) -> Option<&str> {
    let close = match s.chars().next()? {
        '[' => ']',
        '(' => ')',
        _ => return None,
    };
    let digits = s[1..].bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    s[1 + digits..].strip_prefix(close)
}

/// Words in subjects that machines write: auto-replies, out-of-office notices, bounces.
/// `休假` alone is too common in customers' own subjects (休假回来发现包裹没到), so only
/// the notice forms count.
const AUTO_SUBJECT_WORDS: &[&str] = &[
    "自动回复",
    "自动答复",
    "自动应答",
    "自動回覆",
    "自動回復",
    "自動答覆",
    "auto-reply",
    "auto reply",
    "autoreply",
    "automatic reply",
    "auto-response",
    "auto response",
    "autoresponse",
    "out of office",
    "out of the office",
    "休假中",
    "正在休假",
    "休假通知",
    "【休假】",
    "[休假]",
    "系统退信",
    "退信通知",
    "undeliverable",
    "undelivered mail",
    "delivery status notification",
    "mail delivery failed",
    "delivery failure",
    "returned mail",
];

/// Whether the subject is one a machine writes (自动回复, Auto-Reply, Out of Office, 休假中,
/// Undeliverable, …), case-insensitively.
pub fn is_auto_subject(subject: &str) -> bool {
    let subject = subject.to_lowercase();
    AUTO_SUBJECT_WORDS.iter().any(|w| subject.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ticket_numbers_in_subjects() {
        assert_eq!(
            ticket_number_in_subject("回复: [KF20261122-0001] 订单发货延迟").as_deref(),
            Some("KF20261122-0001")
        );
        assert_eq!(
            ticket_number_in_subject("Re: 【kf20261122-12345】").as_deref(),
            Some("KF20261122-12345")
        );
        assert_eq!(
            ticket_number_in_subject("[x] [KF20261122-001] [KF20261122-0002]").as_deref(),
            Some("KF20261122-0002")
        );
        assert_eq!(
            ticket_number_in_subject("KF20261122-0001 without brackets"),
            None
        );
        assert_eq!(ticket_number_in_subject("[KF2026112-0001]"), None);
        assert_eq!(ticket_number_in_subject("[KF20261122-0001"), None);
        assert_eq!(ticket_number_in_subject(""), None);
    }

    #[test]
    fn reply_prefixes() {
        assert_eq!(strip_reply_prefixes("Re: 回复：答复: 订单"), "订单");
        assert_eq!(strip_reply_prefixes("RE[2]: FW: Fwd: 发票"), "发票");
        assert_eq!(
            strip_reply_prefixes("  转发: [KF20261122-0001] 投诉 "),
            "[KF20261122-0001] 投诉"
        );
        assert_eq!(strip_reply_prefixes("Review: 合同"), "Review: 合同");
        assert_eq!(strip_reply_prefixes("回复"), "回复");
        assert_eq!(strip_reply_prefixes(""), "");
    }

    #[test]
    fn auto_subjects() {
        assert!(is_auto_subject("自动回复: [KF20261122-0001] 我们已收到"));
        assert!(is_auto_subject("Automatic reply: order"));
        assert!(is_auto_subject("OUT OF OFFICE until Monday"));
        assert!(is_auto_subject("【休假】11月30日返回"));
        assert!(is_auto_subject("Undeliverable: 订单确认"));
        assert!(!is_auto_subject("休假回来发现包裹没到"));
        assert!(!is_auto_subject("回复: 订单发货延迟"));
    }

    #[test]
    fn qq_separator() {
        let text = "好的，谢谢\n\n------------------ 原始邮件 ------------------\n发件人: \"客服\"<a@b.c>;\n您好";
        assert_eq!(
            fold_quoted(text),
            (
                "好的，谢谢".to_owned(),
                Some("------------------ 原始邮件 ------------------\n发件人: \"客服\"<a@b.c>;\n您好".to_owned())
            )
        );
    }

    #[test]
    fn foxmail_attribution_and_quote_lines() {
        let text = "收到\r\n\r\n在 2026-11-22 10:31:05，\"张三\" <zhangsan@example.com> 写道：\r\n>请提供订单号\r\n";
        let (visible, quoted) = fold_quoted(text);
        assert_eq!(visible, "收到");
        assert_eq!(
            quoted.as_deref(),
            Some("在 2026-11-22 10:31:05，\"张三\" <zhangsan@example.com> 写道：\r\n>请提供订单号")
        );
    }

    #[test]
    fn wrapped_attributions() {
        let zh =
            "好\n在 2026年11月22日 10:31，\"客服中心\" <support@kefu.example.cn>\n写道：\n> 旧";
        assert_eq!(fold_quoted(zh).0, "好");
        let en = "ok\nOn Sun, Nov 22, 2026 at 10:31 AM Support <s@k.cn>\nwrote:\n> old";
        assert_eq!(
            fold_quoted(en).1.as_deref(),
            Some("On Sun, Nov 22, 2026 at 10:31 AM Support <s@k.cn>\nwrote:\n> old")
        );
    }

    #[test]
    fn outlook_blocks() {
        let sep = "请处理\n-----Original Message-----\n发件人: 客服中心\n主题: x";
        assert_eq!(fold_quoted(sep).0, "请处理");
        let block = "请处理\n\n发件人: 客服中心 <s@k.cn>\n发送时间: 2026年11月21日 9:00\n收件人: 王堃\n旧内容";
        assert_eq!(
            fold_quoted(block).1.as_deref(),
            Some("发件人: 客服中心 <s@k.cn>\n发送时间: 2026年11月21日 9:00\n收件人: 王堃\n旧内容")
        );
        let web =
            "请处理\n________________________________\nFrom: Support <s@k.cn>\nSent: Sunday\nold";
        assert_eq!(
            fold_quoted(web).1.as_deref(),
            Some("________________________________\nFrom: Support <s@k.cn>\nSent: Sunday\nold")
        );
        // A sender label with no time after it is the customer's own text.
        let own = "From: my shop account\nthe order is late";
        assert_eq!(fold_quoted(own), (own.to_owned(), None));
    }

    #[test]
    fn trailing_quote_block_only() {
        let text = "> inline question\nanswer\n\n> old 1\n>\n> old 2\n";
        assert_eq!(
            fold_quoted(text),
            (
                "> inline question\nanswer".to_owned(),
                Some("> old 1\n>\n> old 2".to_owned())
            )
        );
    }

    #[test]
    fn nothing_to_fold_or_nothing_left() {
        assert_eq!(
            fold_quoted("只有正文\n第二行"),
            ("只有正文\n第二行".to_owned(), None)
        );
        let forward = "-----Original Message-----\n发件人: x\n正文";
        assert_eq!(fold_quoted(forward), (forward.to_owned(), None));
        assert_eq!(fold_quoted(""), (String::new(), None));
        // "写道：" in the customer's own words is not an attribution.
        let own = "在发票上写道：\n金额有误";
        assert_eq!(fold_quoted(own), (own.to_owned(), None));
    }

    const LINES: &[&str] = &[
        "您好",
        "",
        "  ",
        "> 旧内容",
        ">",
        "------------------ 原始邮件 ------------------",
        "-----Original Message-----",
        "在 2026-11-22 10:31:05，\"张三\" <zhangsan@example.com> 写道：",
        "写道：",
        "发件人: 客服中心",
        "发送时间: 2026年11月21日",
        "On Sun, Nov 22, 2026 at 10:31 AM x wrote:",
        "wrote:",
        "________________________________",
        "订单 2026112200017 未发货\r",
        "𠮷野家",
    ];

    proptest! {
        #[test]
        fn folding_never_loses_text(picked in prop::collection::vec(prop::sample::select(LINES), 0..14)) {
            let text = picked.join("\n");
            let (visible, quoted) = fold_quoted(&text);
            match quoted {
                Some(quoted) => {
                    prop_assert!(text.starts_with(&visible));
                    prop_assert!(!visible.trim().is_empty());
                    prop_assert_eq!(text[visible.len()..].trim(), quoted.as_str());
                    prop_assert!(!quoted.is_empty());
                }
                None => prop_assert_eq!(visible, text),
            }
        }

        #[test]
        fn folding_arbitrary_text_never_panics(text in "\\PC{0,40}(\n\\PC{0,40}){0,6}") {
            let (visible, quoted) = fold_quoted(&text);
            prop_assert!(text.starts_with(&visible));
            if let Some(quoted) = quoted {
                prop_assert_eq!(text[visible.len()..].trim(), quoted.as_str());
            }
        }

        #[test]
        fn stripping_prefixes_is_idempotent(subject in "((Re|RE|Fwd|回复|答复)(:|：) ?){0,3}\\PC{0,20}") {
            let once = strip_reply_prefixes(&subject);
            prop_assert_eq!(strip_reply_prefixes(once), once);
        }
    }
}
