//! The customer archive's tiles on the workbench: the agent's customers needing attention
//! today (今日关注, seed 002 §二), and the key accounts nobody has contacted for a while.
//! Each is taken from the page its link opens: the today view's own list, and the customer
//! list's filter.

use jiff::SignedDuration;
use kefu_domain::customer::Tier;
use kefu_domain::{Permission, Role};
use kefu_store::customer::CustomerFilter;

use crate::App;
use crate::ticket::COUNT_CAP;
use crate::workbench::{Count, Filled, Label, Reader, TileBody, TileFuture, TileItem, TileSpec};

/// How many of today's customers the tile names.
const NAMED: usize = 5;

pub(crate) const TILES: &[TileSpec] = &[
    TileSpec {
        key: "customers.today",
        title: "workbench.tile.today",
        roles: &[Role::Agent],
        permission: Permission::CustomerView,
        fill: today,
    },
    TileSpec {
        key: "customers.quiet_key_accounts",
        title: "workbench.tile.quiet_key_accounts",
        roles: &[Role::KeyAccountSpecialist],
        permission: Permission::CustomerView,
        fill: quiet_key_accounts,
    },
];

/// 今日关注 — the first of my customers needing attention, the most pressing first, and how
/// many the today view lists.
fn today<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let list = app.customers_needing_attention(&r.actor).await?;
        let total = Count::exact(list.len() as i64);
        let items = list
            .into_iter()
            .take(NAMED)
            .map(|a| {
                let first = a.reasons.first().map(|reason| reason.key);
                TileItem {
                    label: Label::Text(a.customer.name),
                    detail: first.map(|k| reason_label(k, app.settings.dormant_after_days)),
                    at: None,
                    link: Some(format!("/customers/{}", a.customer.id)),
                    alert: first == Some("overdue_ticket"),
                }
            })
            .collect();
        Ok(Some(Filled {
            link: Some("/customers/today".to_owned()),
            body: TileBody::Items { items, total },
            hint: None,
        }))
    })
}

/// Why a customer needs attention, as the today view words it: the dormant reason says after
/// how many days.
fn reason_label(key: &str, dormant_after_days: i64) -> Label {
    if key == "dormant" {
        Label::Format(
            "today.reason.dormant",
            vec![("days", dormant_after_days.to_string())],
        )
    } else {
        Label::Keyed("today.reason", key.to_owned())
    }
}

/// 久未联系的大客户 — key accounts, not lost, without contact for the configured days.
fn quiet_key_accounts<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let days = app.settings.dormant_after_days;
        let f = CustomerFilter {
            tier: Some(Tier::KeyAccount.key().to_owned()),
            quiet_before: Some(r.now - SignedDuration::from_hours(24 * days)),
            ..CustomerFilter::default()
        };
        let n = Count::capped(
            app.count_customers(&r.actor, &f, COUNT_CAP).await?,
            COUNT_CAP,
        );
        Ok(Some(Filled {
            link: Some(format!(
                "/customers?tier={}&quiet_days={days}",
                Tier::KeyAccount.key()
            )),
            body: TileBody::Count {
                count: n,
                alert: n.n > 0,
            },
            hint: Some(Label::Format(
                "workbench.hint.quiet",
                vec![("days", days.to_string())],
            )),
        }))
    })
}
