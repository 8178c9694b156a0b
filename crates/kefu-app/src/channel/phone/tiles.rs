//! The telephone's tiles on the agent's workbench: 未登记的通话 (answered calls that ended
//! without a ticket) and 待回拨 (missed calls to call back). Each is counted with the filter
//! of the list its link opens ([`App::count_calls`] and [`App::calls`] share it), so the
//! number is the number of rows there. They show once a telephone system is switched on.

use kefu_domain::{Permission, Role};
use kefu_store::phone::calls::CallList;

use super::{LIST_LIMIT, calls_link};
use crate::workbench::{Count, Filled, Reader, TileBody, TileFuture, TileSpec};
use crate::{App, Result};

pub(crate) const TILES: &[TileSpec] = &[
    TileSpec {
        key: "phone.unlogged",
        title: "workbench.tile.calls_unlogged",
        roles: &[Role::Agent],
        permission: Permission::TicketWork,
        fill: unlogged,
    },
    TileSpec {
        key: "phone.callbacks",
        title: "workbench.tile.callbacks",
        roles: &[Role::Agent],
        permission: Permission::TicketWork,
        fill: callbacks,
    },
];

async fn tile(app: &App, r: &Reader, list: CallList) -> Result<Option<Filled>> {
    if !app.phone_in_use(&r.actor).await? {
        return Ok(None);
    }
    let n = Count::capped(
        app.count_calls(&r.actor, list, LIST_LIMIT).await?,
        LIST_LIMIT,
    );
    Ok(Some(Filled {
        link: Some(calls_link(list)),
        body: TileBody::Count {
            count: n,
            alert: n.n > 0,
        },
        hint: None,
    }))
}

/// 未登记的通话 — my answered calls that ended without a ticket.
fn unlogged<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(tile(app, r, CallList::Unlogged))
}

/// 待回拨 — missed calls of mine or of my groups' that wait for a callback.
fn callbacks<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(tile(app, r, CallList::Callbacks))
}
