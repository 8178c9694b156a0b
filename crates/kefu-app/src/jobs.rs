//! 后台任务 — what the administrator sees of the job queue: the jobs failing (failed for
//! good lately, or waiting to be tried again after an error), so none fails unseen.

use jiff::SignedDuration;
use kefu_domain::{Permission, Role};
use kefu_store::jobs::{self as store, JobRow};

use crate::workbench::{Count, Filled, Label, Reader, TileBody, TileFuture, TileSpec};
use crate::{Actor, App, Result};

/// Kinds of job the use cases queue themselves, in the transaction that made the work
/// (kefu-jobs runs them).
pub mod kind {
    /// One mail about a ticket (`{"send": <mail_sends id>}`); see
    /// [`crate::channel::email`].
    pub const MAIL_SEND: &str = "mail_send";
    /// One outbox message by e-mail (`{"message": <outbound_messages id>}`).
    pub const OUTBOX_EMAIL: &str = "outbox_email";
    /// One text replying on a ticket (`{"send": <sms_sends id>}`); see
    /// [`crate::channel::sms`].
    pub const SMS_SEND: &str = "sms_send";
    /// One outbox message by text (`{"message": <outbound_messages id>}`).
    pub const OUTBOX_SMS: &str = "outbox_sms";
    /// One message or event a WeChat official account received
    /// (`{"inbound": <wechat_inbound id>}`), landed on a ticket; see
    /// [`crate::channel::wechat`].
    pub const WECHAT_INBOUND: &str = "wechat_inbound";
    /// One reply to a WeChat follower (`{"send": <wechat_sends id>}`).
    pub const WECHAT_SEND: &str = "wechat_send";
}

/// The list shows at most this many jobs.
pub const FAILING_SHOWN: i64 = 100;

/// A job failed for good counts as failing this many days.
pub const FAILED_WITHIN_DAYS: i64 = 7;

impl App {
    /// The jobs failing, the latest first (see [`kefu_store::jobs::failing`]).
    pub async fn failing_jobs(&self, actor: &Actor) -> Result<Vec<JobRow>> {
        actor.require(Permission::UserManage)?;
        let mut conn = self.store.conn().await?;
        Ok(store::failing(&mut conn, self.failing_since(), FAILING_SHOWN).await?)
    }

    fn failing_since(&self) -> jiff::Timestamp {
        self.now() - SignedDuration::from_hours(24 * FAILED_WITHIN_DAYS)
    }
}

pub(crate) const TILES: &[TileSpec] = &[TileSpec {
    key: "jobs.failing",
    title: "workbench.tile.jobs_failing",
    roles: &[Role::Admin],
    permission: Permission::UserManage,
    fill: failing,
}];

/// 失败的后台任务 — how many jobs are failing, opening the list of them.
fn failing<'a>(app: &'a App, _r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let mut conn = app.store.conn().await?;
        let n = Count::capped(
            store::count_failing(&mut conn, app.failing_since(), FAILING_SHOWN).await?,
            FAILING_SHOWN,
        );
        Ok(Some(Filled {
            link: Some("/admin/jobs".to_owned()),
            body: TileBody::Count {
                count: n,
                alert: n.n > 0,
            },
            hint: Some(Label::Format(
                "workbench.hint.jobs",
                vec![("days", FAILED_WITHIN_DAYS.to_string())],
            )),
        }))
    })
}
