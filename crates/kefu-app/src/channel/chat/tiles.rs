//! Live chat's tiles on the agent's workbench: 等待接入的在线会话 (the chats waiting in the
//! agent's queue) and 我的在线会话 (the chats they answer now). Both open the console, whose
//! lists count the same chats. They show once a chat channel is switched on.

use kefu_domain::{Permission, Role};
use kefu_store::chat as store;

use super::{CONSOLE_LINK, LIST_LIMIT};
use crate::workbench::{Count, Filled, Reader, TileBody, TileFuture, TileSpec};
use crate::{App, Result};

pub(crate) const TILES: &[TileSpec] = &[
    TileSpec {
        key: "chat.waiting",
        title: "workbench.tile.chats_waiting",
        roles: &[Role::Agent],
        permission: Permission::TicketWork,
        fill: waiting,
    },
    TileSpec {
        key: "chat.mine",
        title: "workbench.tile.chats_mine",
        roles: &[Role::Agent],
        permission: Permission::TicketWork,
        fill: mine,
    },
];

async fn in_use(app: &App) -> Result<bool> {
    let mut conn = app.store.conn().await?;
    Ok(store::any_active(&mut conn).await?)
}

/// 等待接入的在线会话 — chats waiting in my queue.
fn waiting<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        if !in_use(app).await? {
            return Ok(None);
        }
        let n = Count::capped(
            app.count_chat_queue(&r.actor, LIST_LIMIT).await?,
            LIST_LIMIT,
        );
        Ok(Some(Filled {
            link: Some(CONSOLE_LINK.to_owned()),
            body: TileBody::Count {
                count: n,
                alert: n.n > 0,
            },
            hint: None,
        }))
    })
}

/// 我的在线会话 — chats I answer now.
fn mine<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        if !in_use(app).await? {
            return Ok(None);
        }
        let n = app.my_chats(&r.actor).await?.len() as i64;
        Ok(Some(Filled {
            link: Some(CONSOLE_LINK.to_owned()),
            body: TileBody::Count {
                count: Count::exact(n),
                alert: false,
            },
            hint: None,
        }))
    })
}
