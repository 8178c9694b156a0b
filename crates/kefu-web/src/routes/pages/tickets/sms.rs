//! 短信 on the ticket page: beside each reply sent by text, the messages it took and what
//! became of it (短信 2 条 · 已送达, 发送失败：…); above the reply box, when the next public
//! reply goes by text, a hint and the counter `static/kefu.js` keeps as one types. Without
//! the script the count shows beside the reply once it is sent.

use kefu_app::channel::sms::{SmsSendView, TicketSms};

use crate::i18n::Tr;

/// A reply's text, said in one line.
pub struct SmsLine {
    pub text: String,
    pub failed: bool,
}

/// `短信 2 条 · 已送达`, `短信 1 条 · 发送失败：HTTP 400: …`.
pub(super) fn line(t: Tr, s: &SmsSendView) -> SmsLine {
    let count = t.f("sms.segments", &[("n", &s.segments.to_string())]);
    let failed = s.status == "failed";
    let status = if failed {
        t.f(
            "sms.status.failed",
            &[("reason", s.reason.as_deref().unwrap_or("—"))],
        )
    } else {
        t.tk("sms.status", &s.status)
    };
    SmsLine {
        text: format!("{count} · {status}"),
        failed,
    }
}

/// The reply box when the next public reply goes by text: the signature the gateway puts
/// before it, counted with it.
pub struct ReplyBox {
    pub sign: String,
}

pub(super) fn reply_box(s: &TicketSms) -> Option<ReplyBox> {
    s.reply_by_sms.then(|| ReplyBox {
        sign: s.sign_name.clone().unwrap_or_default(),
    })
}
