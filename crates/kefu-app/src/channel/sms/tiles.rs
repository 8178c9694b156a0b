//! The SMS tile on the administrator's workbench: 短信发送失败 — the texts that failed in
//! the last day, counted with the filter of the list its link opens (the SMS channels
//! page). It shows once a gateway is switched on.

use kefu_domain::{Permission, Role};
use kefu_store::sms::sends;

use super::{FAILED_LISTED, FAILED_WITHIN_HOURS, failed_since};
use crate::App;
use crate::workbench::{Count, Filled, Label, Reader, TileBody, TileFuture, TileSpec};

/// The page listing the failed texts.
pub const FAILED_LINK: &str = "/admin/channels/sms";

pub(crate) const TILES: &[TileSpec] = &[TileSpec {
    key: "sms.failed",
    title: "workbench.tile.sms_failed",
    roles: &[Role::Admin],
    permission: Permission::TicketAdmin,
    fill: failed,
}];

/// 短信发送失败 — how many texts failed in the last day, opening their list.
fn failed<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        if !app.sms_in_use(&r.actor).await? {
            return Ok(None);
        }
        let mut conn = app.store.conn().await?;
        let n = Count::capped(
            sends::count_failed_since(&mut conn, failed_since(r.now), FAILED_LISTED).await?,
            FAILED_LISTED,
        );
        Ok(Some(Filled {
            link: Some(FAILED_LINK.to_owned()),
            body: TileBody::Count {
                count: n,
                alert: n.n > 0,
            },
            hint: Some(Label::Format(
                "workbench.hint.sms_failed",
                vec![("hours", FAILED_WITHIN_HOURS.to_string())],
            )),
        }))
    })
}
