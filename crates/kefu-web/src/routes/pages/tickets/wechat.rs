//! 微信 — the ticket page's WeChat panel: the follower and the account they wrote to, the
//! 48-hour reply window when a reply would go by WeChat (微信回复窗口还剩 31 小时 / 已超出 48
//! 小时窗口), and the form that links the follower to a contact of the ticket's customer;
//! and the WeChat events of the conversation said as sentences.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::Actor;
use kefu_domain::channel::wechat::ReplyWindow;

use super::{Choice, field};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::routes::pages::render;

/// The panel as the template shows it.
pub struct WechatPanel {
    /// 来自公众号“…”.
    pub account: String,
    pub openid: String,
    /// The window in words, when a reply would go by WeChat.
    pub window: Option<String>,
    /// Whether that window is still open (the notice is calm) or passed (a warning).
    pub window_open: bool,
    /// The customer opted out of WeChat: replies do not go by it.
    pub opted_out: bool,
    /// The linked contact's name.
    pub contact: Option<String>,
    /// The contacts of the ticket's customer to link the follower to.
    pub candidates: Vec<Choice>,
}

/// The window in the reader's words.
pub fn window_text(t: Tr, w: ReplyWindow) -> String {
    match w.hours_left() {
        Some(0) => t.t("wechat.window_last_hour").to_owned(),
        Some(hours) => t.f("wechat.window_open", &[("hours", &hours.to_string())]),
        None => t.t("wechat.window_closed").to_owned(),
    }
}

/// The panel of ticket `id`; `None` when nothing came by WeChat.
pub(super) async fn panel(
    state: &AppState,
    actor: &Actor,
    t: Tr,
    id: i64,
) -> Result<Option<WechatPanel>, WebError> {
    let Some(v) = state.app.wechat_of_ticket(actor, id).await? else {
        return Ok(None);
    };
    let linked = v.contact.as_ref().map(|(cid, _)| *cid);
    Ok(Some(WechatPanel {
        account: t.f("wechat.follower_of", &[("channel", &v.channel_name)]),
        openid: v.openid,
        window: (v.replies_by_wechat && !v.opted_out).then(|| window_text(t, v.window)),
        window_open: v.window.is_open(),
        opted_out: v.opted_out,
        contact: v.contact.map(|(_, name)| name),
        candidates: v
            .candidates
            .into_iter()
            .map(|(cid, name)| Choice {
                selected: Some(cid) == linked,
                value: cid.to_string(),
                label: name,
            })
            .collect(),
    }))
}

/// A WeChat event of the conversation as one sentence (已通过微信发送, 微信发送失败：…,
/// 未发送：超出微信 48 小时回复窗口…); `None` for any other event.
pub(super) fn event_text(t: Tr, field: &str, v: &str) -> Option<String> {
    match field {
        "wechat_sent" => Some(t.f("event.wechat_sent_as", &[("parts", v)])),
        "wechat_send_failed" => Some(t.f("event.wechat_send_failed_as", &[("reason", v)])),
        "wechat_not_sent" => Some(t.tk("wechat_not_sent", v)),
        _ => None,
    }
}

/// Links the ticket's follower to the contact picked (`contact`).
pub async fn link(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let contact: i64 = field(&pairs, "contact").trim().parse().map_err(|_| {
        WebError::bad_request(
            "invalid_field",
            format!("contact: {:?}", field(&pairs, "contact")),
        )
    })?;
    match state
        .app
        .link_ticket_wechat(&identity.actor(), id, contact)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/tickets/{id}")).into_response()),
        Err(e) => {
            let (status, message) = crate::routes::pages::refusal(e, identity.tr());
            render(
                status,
                &super::show::page(&state, &identity, id, String::new(), Some(message)).await?,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use jiff::SignedDuration;
    use kefu_app::channel::wechat::NotSent;
    use kefu_domain::Locale;
    use kefu_domain::channel::wechat::ReplyWindow;

    use super::window_text;
    use crate::i18n::{Tr, keys};

    #[test]
    fn every_wechat_word_is_translated() {
        let have = keys(Locale::ZhCn);
        let mut want: Vec<String> = [
            "wechat.window_open",
            "wechat.window_last_hour",
            "wechat.window_closed",
            "event.wechat_sent_as",
            "event.wechat_send_failed_as",
            "customer_field.wechat.linked",
            "customer_field.wechat.subscribe",
            "customer_field.wechat.unsubscribe",
            "error.wechat_dtd",
            "error.wechat_entity",
            "error.wechat_encrypted",
        ]
        .iter()
        .map(|k| (*k).to_owned())
        .collect();
        want.extend(
            NotSent::ALL
                .iter()
                .map(|n| format!("wechat_not_sent.{}", n.key())),
        );
        want.push(format!(
            "notification.{}",
            kefu_app::notify::kind::WECHAT_NOT_SENT
        ));
        for a in [
            kefu_app::audit::action::WECHAT_CHANNEL_TESTED,
            kefu_app::audit::action::WECHAT_FOLLOWER_LINKED,
        ] {
            want.push(format!("audit.action.{a}"));
        }
        let missing: Vec<_> = want.iter().filter(|k| !have.contains(k)).collect();
        assert!(missing.is_empty(), "missing translations: {missing:?}");
    }

    #[test]
    fn the_window_reads_as_the_ticket_page_says_it() {
        let t = Tr(Locale::ZhCn);
        let left = SignedDuration::from_hours(31) + SignedDuration::from_mins(59);
        assert_eq!(
            window_text(t, ReplyWindow::Open { left }),
            "微信回复窗口还剩 31 小时"
        );
        assert_eq!(
            window_text(
                t,
                ReplyWindow::Open {
                    left: SignedDuration::from_mins(20)
                }
            ),
            "微信回复窗口还剩不到 1 小时"
        );
        assert!(window_text(t, ReplyWindow::Closed).starts_with("已超出 48 小时窗口"));
    }
}
