//! 版本 — settings writes are made against the version their writer saw. Each use case that
//! changes a setting calls [`expect_setting`] (or [`expect_sheet`]) first in its
//! transaction; a setting that moved on since is refused as [`AppError::StaleVersion`] and
//! nothing is written. Writes without a version (`None`: an API call without `If-Match`,
//! a form from an older page) move the version on all the same, so the next stale form
//! notices them.

use kefu_store::AnyConnection;
use kefu_store::version::{self as store, Advanced};

pub use kefu_store::version::{Setting, Sheet};

use kefu_domain::Permission;

use crate::{Actor, App, AppError, Result};

impl App {
    /// The version of a settings sheet, for the form that edits it; read by whoever may
    /// edit that sheet.
    pub async fn sheet_version(&self, actor: &Actor, sheet: Sheet) -> Result<i64> {
        actor.require(match sheet {
            Sheet::ComplaintDeadlines => Permission::TicketAdmin,
            Sheet::CreditModel => Permission::CreditManage,
            Sheet::FollowUp => Permission::FollowUpManage,
            Sheet::Csat => Permission::SatisfactionManage,
            Sheet::Quality => Permission::QualityInspect,
        })?;
        let mut conn = self.store.conn().await?;
        Ok(store::sheet_version(&mut conn, sheet).await?)
    }
}

/// Moves setting `id` on from version `expected`; the new version.
pub async fn expect_setting(
    conn: &mut AnyConnection,
    setting: Setting,
    id: i64,
    expected: Option<i64>,
) -> Result<i64> {
    settle(store::advance(conn, setting, id, expected).await?)
}

/// Moves the sheet on from version `expected`; the new version.
pub async fn expect_sheet(
    conn: &mut AnyConnection,
    sheet: Sheet,
    expected: Option<i64>,
) -> Result<i64> {
    settle(store::advance_sheet(conn, sheet, expected).await?)
}

fn settle(a: Advanced) -> Result<i64> {
    match a {
        Advanced::To(v) => Ok(v),
        Advanced::Stale(current) => Err(AppError::StaleVersion {
            current,
            changed: Vec::new(),
        }),
        Advanced::Gone => Err(AppError::NotFound),
    }
}
