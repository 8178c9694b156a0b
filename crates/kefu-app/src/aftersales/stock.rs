//! 配件库存 — recording a movement of spare parts: its deltas on the balances (all or none,
//! never below zero, even with two instances at once), logged with its document and person.

use kefu_domain::Permission;
use kefu_domain::aftersales::stock::{self as rules, Movement, MovementKind, StockError};
use kefu_store::StoreError;
use kefu_store::aftersales::stock::{self as store, MovementRow};

use crate::{Actor, App, AppError, Result};

/// The longest document number or reason.
pub const MAX_TEXT: usize = 200;

impl App {
    /// Records a movement of part `part_id`; its id. `document` names the paper behind it
    /// (入库单, 领料单, 调拨单…); `rma_id` the repair an issue goes to; an adjustment needs
    /// its reason and the after-sales specialist.
    pub async fn record_stock_movement(
        &self,
        actor: &Actor,
        part_id: i64,
        m: Movement,
        document: &str,
        rma_id: Option<i64>,
        reason: &str,
    ) -> Result<i64> {
        actor.require(Permission::RmaWork)?;
        if m.kind == MovementKind::Adjustment {
            actor.require(Permission::AftersalesPolicy)?;
            if reason.trim().is_empty() {
                return Err(StockError::Required("reason").into());
            }
        }
        let document = document.trim();
        if document.is_empty() {
            return Err(StockError::Required("document").into());
        }
        if document.chars().count() > MAX_TEXT || reason.trim().chars().count() > MAX_TEXT {
            return Err(AppError::TooLong);
        }
        let deltas = rules::deltas(&m)?;
        let mut tx = self.store.begin().await?;
        kefu_store::aftersales::catalogue::part_by_id(&mut tx, part_id).await?;
        if let Some(r) = rma_id {
            kefu_store::aftersales::rma::by_id(&mut tx, r).await?;
        }
        for (location, condition, delta) in deltas {
            if !store::change(&mut tx, location, part_id, condition, delta).await? {
                let have = store::balance(&mut tx, location, part_id, condition).await?;
                return Err(StockError::BelowZero { have, want: -delta }.into());
            }
        }
        let id = store::log(
            &mut tx,
            &MovementRow {
                id: 0,
                part_id,
                kind: m.kind,
                quantity: m.quantity,
                location_id: m.location,
                to_location_id: m.to,
                document: document.to_owned(),
                rma_id,
                reason: reason.trim().to_owned(),
                by: actor.user_id(),
                at: self.now(),
            },
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(id)
    }
}
