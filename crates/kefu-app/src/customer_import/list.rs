//! 导入记录 — the imports that ran (and the dry runs), newest first: one's own, or every
//! one for an administrator, as [`App::customer_import`] lets each read their reports. The
//! workbench shows the information specialist their last imports and the administrator
//! those with errors, counted with the filter of the list they open.

use jiff::SignedDuration;
use kefu_domain::{Permission, Role};
use kefu_store::customer::{self as store, ImportFilter, ImportSummary};

use crate::workbench::{Count, Filled, Label, Reader, TileBody, TileFuture, TileItem, TileSpec};
use crate::{Actor, App, AppError, Result};

/// The list shows at most this many imports.
pub const IMPORTS_SHOWN: i64 = 100;

/// "Lately" for the administrator's tile: imports with errors in the last week.
pub const RECENT_DAYS: i64 = 7;

/// How many of the reader's last imports the tile names.
const NAMED: i64 = 5;

impl App {
    /// The imports of `f`, newest first, at most [`IMPORTS_SHOWN`]; only one's own unless
    /// one manages users (who may read every import's report).
    pub async fn customer_imports(
        &self,
        actor: &Actor,
        f: &ImportFilter,
    ) -> Result<Vec<ImportSummary>> {
        let f = self.imports_scope(actor, f)?;
        let mut conn = self.store.conn().await?;
        Ok(store::imports(&mut conn, &f, IMPORTS_SHOWN).await?)
    }

    /// How many imports [`App::customer_imports`] lists for `f`.
    pub async fn count_customer_imports(&self, actor: &Actor, f: &ImportFilter) -> Result<i64> {
        let f = self.imports_scope(actor, f)?;
        let mut conn = self.store.conn().await?;
        Ok(store::count_imports(&mut conn, &f, IMPORTS_SHOWN).await?)
    }

    fn imports_scope(&self, actor: &Actor, f: &ImportFilter) -> Result<ImportFilter> {
        actor.require(Permission::CustomerEdit)?;
        let mut f = f.clone();
        if actor.require(Permission::UserManage).is_err() {
            f.user_id = Some(actor.user_id().ok_or(AppError::Forbidden)?);
        }
        Ok(f)
    }
}

pub(crate) const TILES: &[TileSpec] = &[
    TileSpec {
        key: "imports.mine",
        title: "workbench.tile.my_imports",
        roles: &[Role::InfoSpecialist],
        permission: Permission::CustomerEdit,
        fill: mine,
    },
    TileSpec {
        key: "imports.with_errors",
        title: "workbench.tile.imports_with_errors",
        roles: &[Role::Admin],
        permission: Permission::CustomerEdit,
        fill: with_errors,
    },
];

/// 最近的导入 — my last imports, each with its rows and failures, the report of a failed one
/// a click away.
fn mine<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let f = ImportFilter {
            user_id: Some(r.id()),
            ..ImportFilter::default()
        };
        let list = app.customer_imports(&r.actor, &f).await?;
        let total = Count::capped(list.len() as i64, IMPORTS_SHOWN);
        let items = list
            .into_iter()
            .take(NAMED as usize)
            .map(|i| TileItem {
                label: Label::Text(i.filename),
                detail: Some(Label::Format(
                    if i.dry_run {
                        "workbench.import.dry_run"
                    } else {
                        "workbench.import.done"
                    },
                    vec![
                        ("rows", i.rows.to_string()),
                        ("failed", i.failed.to_string()),
                    ],
                )),
                at: Some(i.created_at),
                link: (i.failed > 0).then(|| format!("/customers/imports/{}/report.csv", i.id)),
                alert: i.failed > 0,
            })
            .collect();
        Ok(Some(Filled {
            link: Some("/customers/imports".to_owned()),
            body: TileBody::Items { items, total },
            hint: None,
        }))
    })
}

/// 有错误的导入 — every import of the last week with rows that failed.
fn with_errors<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let f = ImportFilter {
            with_errors: true,
            since: Some(r.now - SignedDuration::from_hours(24 * RECENT_DAYS)),
            ..ImportFilter::default()
        };
        let n = Count::capped(
            app.count_customer_imports(&r.actor, &f).await?,
            IMPORTS_SHOWN,
        );
        Ok(Some(Filled {
            link: Some(format!("/customers/imports?errors=1&days={RECENT_DAYS}")),
            body: TileBody::Count {
                count: n,
                alert: n.n > 0,
            },
            hint: Some(Label::Format(
                "workbench.hint.recent_days",
                vec![("days", RECENT_DAYS.to_string())],
            )),
        }))
    })
}
