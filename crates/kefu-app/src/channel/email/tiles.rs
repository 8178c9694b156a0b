//! The e-mail tile on the administrator's workbench: 邮箱需要处理 — the mailboxes whose
//! IMAP reading fails or whose failed list has mail waiting, counted as the channels page
//! lists them with `?attention=1` (the link). It shows once a mailbox exists.

use kefu_domain::{Permission, Role};

use super::admin::ChannelView;
use crate::workbench::{Count, Filled, Label, Reader, TileBody, TileFuture, TileSpec};

/// The channels page, showing only the mailboxes that need attention.
pub const ATTENTION_LINK: &str = "/admin/channels?attention=1";

/// Mailboxes counted at most (a site has a handful).
const CAP: i64 = 100;

pub(crate) const TILES: &[TileSpec] = &[TileSpec {
    key: "email.attention",
    title: "workbench.tile.email_attention",
    roles: &[Role::Admin],
    permission: Permission::TicketAdmin,
    fill: attention,
}];

/// Whether a mailbox needs an administrator: its IMAP reading fails, or mail waits in its
/// failed list.
pub fn needs_attention(v: &ChannelView) -> bool {
    v.failed > 0
        || v.imap
            .as_ref()
            .is_some_and(|m| m.status.as_deref() == Some("error"))
}

/// 邮箱需要处理 — how many mailboxes need attention, opening their list.
fn attention<'a>(app: &'a crate::App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let channels = app.email_channels(&r.actor).await?;
        if channels.is_empty() {
            return Ok(None);
        }
        let n = channels.iter().filter(|v| needs_attention(v)).count();
        let n = Count::capped(i64::try_from(n).unwrap_or(CAP), CAP);
        Ok(Some(Filled {
            link: Some(ATTENTION_LINK.to_owned()),
            body: TileBody::Count {
                count: n,
                alert: n.n > 0,
            },
            hint: Some(Label::Key("workbench.hint.email_attention")),
        }))
    })
}
