//! 服务网点 — keeping the service points (000 §(七)4: 服务网点的规划、建设), routing each
//! approved repair to the least loaded point near the customer that repairs its category
//! (or by hand), the turnaround of each repair against the point's promise, and the periodic
//! checklist inspections (000 §(七)5: 定期检查) with their score and actions.

use jiff::Timestamp;
use jiff::civil::Date;
use kefu_domain::Permission;
use kefu_domain::aftersales::catalogue::CatalogueError;
use kefu_domain::aftersales::policy::RmaKind;
use kefu_domain::aftersales::rma::{RmaError, RmaState};
use kefu_domain::aftersales::service_point::{
    self as rules, Checked, PointLoad, ServicePoint, ServicePointError,
};
use kefu_store::aftersales::rma::{self as rma_store, RmaLine, RmaRow, RmaStep};
use kefu_store::aftersales::service_point::{self as store, InspectionRow, PointRow};
use kefu_store::{AnyConnection, StoreError};
use serde_json::json;

use crate::{Actor, App, AppError, Result};

/// The longest note of actions after an inspection.
pub const MAX_ACTIONS: usize = 2000;
/// Repairs a point's page lists.
pub const REPAIRS_SHOWN: i64 = 100;

/// A point with how many repairs it holds now.
#[derive(Debug, Clone)]
pub struct PointView {
    pub row: PointRow,
    pub open: i64,
}

/// A point's page: its repairs (with when each was repaired), inspections, and the mean
/// turnaround in days of the repairs done.
#[derive(Debug, Clone)]
pub struct PointDetail {
    pub point: PointView,
    pub repairs: Vec<(RmaLine, Option<Timestamp>)>,
    pub inspections: Vec<InspectionRow>,
    /// Mean days from the goods received to repaired, of the repairs listed that are done.
    pub mean_turnaround_days: Option<f64>,
}

/// Days from `from` to `to`, to a tenth.
pub fn days_between(from: Timestamp, to: Timestamp) -> f64 {
    let secs = to.as_second() - from.as_second();
    (secs as f64 / 86_400.0 * 10.0).round() / 10.0
}

async fn loads(conn: &mut AnyConnection) -> Result<Vec<(PointRow, i64)>> {
    let open = rma_store::open_repairs_by_point(conn).await?;
    Ok(store::all(conn)
        .await?
        .into_iter()
        .map(|p| {
            let n = open
                .iter()
                .find(|(id, _)| *id == p.id)
                .map_or(0, |(_, n)| *n);
            (p, n)
        })
        .collect())
}

/// Routes a repair entering 待寄回 to a point when it has none, in the caller's
/// transaction: the customer's place, the product's category, the points' loads.
pub(crate) async fn route_repair(conn: &mut AnyConnection, r: &mut RmaRow) -> Result<()> {
    if r.kind != RmaKind::Repair
        || r.state != RmaState::AwaitingGoods
        || r.service_point_id.is_some()
    {
        return Ok(());
    }
    let customer = kefu_store::customer::by_id(conn, r.customer_id).await?;
    let product = kefu_store::aftersales::catalogue::product_by_id(conn, r.product_id).await?;
    let points: Vec<PointLoad> = loads(conn)
        .await?
        .into_iter()
        .map(|(p, open)| PointLoad {
            id: p.id,
            province: p.point.province,
            city: p.point.city,
            categories: p.point.categories,
            capacity: p.point.capacity,
            open: u32::try_from(open).unwrap_or(u32::MAX),
            active: p.point.active,
        })
        .collect();
    r.service_point_id = rules::route(
        &points,
        product.product.category_id,
        customer.province.as_deref().unwrap_or(""),
        customer.city.as_deref().unwrap_or(""),
    );
    Ok(())
}

async fn check_categories(conn: &mut AnyConnection, p: &ServicePoint) -> Result<()> {
    let known = kefu_store::aftersales::catalogue::categories(conn).await?;
    if p.categories
        .iter()
        .all(|c| known.iter().any(|k| k.id == *c))
    {
        Ok(())
    } else {
        Err(CatalogueError::UnknownCategory.into())
    }
}

impl App {
    /// Every point by name, with the repairs it holds.
    pub async fn service_points(&self, actor: &Actor) -> Result<Vec<PointView>> {
        actor.require(Permission::RmaRequest)?;
        let mut conn = self.store.conn().await?;
        Ok(loads(&mut conn)
            .await?
            .into_iter()
            .map(|(row, open)| PointView { row, open })
            .collect())
    }

    /// One point's page.
    pub async fn service_point(&self, actor: &Actor, id: i64) -> Result<PointDetail> {
        actor.require(Permission::RmaRequest)?;
        let mut conn = self.store.conn().await?;
        let point = loads(&mut conn)
            .await?
            .into_iter()
            .find(|(p, _)| p.id == id)
            .map(|(row, open)| PointView { row, open })
            .ok_or(AppError::NotFound)?;
        let repairs = rma_store::repairs_at(&mut conn, id, REPAIRS_SHOWN).await?;
        let done: Vec<f64> = repairs
            .iter()
            .filter_map(|(l, repaired)| Some(days_between(l.rma.received_at?, (*repaired)?)))
            .collect();
        let mean_turnaround_days = (!done.is_empty())
            .then(|| (done.iter().sum::<f64>() / done.len() as f64 * 10.0).round() / 10.0);
        Ok(PointDetail {
            point,
            repairs,
            inspections: store::inspections(&mut conn, id).await?,
            mean_turnaround_days,
        })
    }

    /// Adds a point.
    pub async fn create_service_point(&self, actor: &Actor, p: ServicePoint) -> Result<i64> {
        actor.require(Permission::AftersalesPolicy)?;
        let p = p.checked()?;
        let mut tx = self.store.begin().await?;
        check_categories(&mut tx, &p).await?;
        let id = store::insert(&mut tx, &p, actor.user_id(), self.now())
            .await?
            .ok_or(AppError::NameTaken)?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(id)
    }

    /// Saves point `id` made from `version`; its new version.
    pub async fn save_service_point(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        p: ServicePoint,
    ) -> Result<i64> {
        actor.require(Permission::AftersalesPolicy)?;
        let p = p.checked()?;
        let mut tx = self.store.begin().await?;
        let current = store::by_id(&mut tx, id).await?;
        check_categories(&mut tx, &p).await?;
        let saved = store::update(&mut tx, id, version, &p, actor.user_id(), self.now())
            .await
            .map_err(AppError::name_taken)?
            .ok_or(AppError::StaleVersion {
                current: current.version,
                changed: Vec::new(),
            })?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(saved)
    }

    /// Records a checklist inspection of point `id` on `on` (not later than today); its id
    /// and score.
    pub async fn inspect_service_point(
        &self,
        actor: &Actor,
        id: i64,
        on: Date,
        items: &[Checked],
        actions: &str,
    ) -> Result<(i64, u32)> {
        actor.require(Permission::AftersalesPolicy)?;
        let on = kefu_domain::dates::check("inspected_on", on)?;
        if on > crate::workbench::local_date(self.now()) {
            return Err(kefu_domain::dates::DateError::OutOfRange {
                field: "inspected_on".to_owned(),
            }
            .into());
        }
        let score = rules::score(items)?;
        let actions = actions.trim();
        if actions.chars().count() > MAX_ACTIONS {
            return Err(ServicePointError::TooLong {
                field: "actions",
                max: MAX_ACTIONS,
            }
            .into());
        }
        let body = serde_json::to_string(
            &items
                .iter()
                .map(|i| json!({"item": i.item.trim(), "passed": i.passed}))
                .collect::<Vec<_>>(),
        )
        .map_err(|e| AppError::Internal(e.to_string()))?;
        let mut tx = self.store.begin().await?;
        store::by_id(&mut tx, id).await?;
        let inspection = store::add_inspection(
            &mut tx,
            id,
            &on.to_string(),
            &body,
            score,
            actions,
            actor.user_id(),
            self.now(),
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok((inspection, score))
    }

    /// Sends repair `rma_id` (made from `expected` when given) to point `point_id` by hand;
    /// logged on the RMA.
    pub async fn assign_rma_point(
        &self,
        actor: &Actor,
        rma_id: i64,
        expected: Option<i64>,
        point_id: i64,
    ) -> Result<()> {
        actor.require(Permission::RmaWork)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let mut r = rma_store::by_id(&mut tx, rma_id).await?.rma;
        if let Some(v) = expected
            && v != r.version
        {
            return Err(AppError::StaleVersion {
                current: r.version,
                changed: Vec::new(),
            });
        }
        if r.kind != RmaKind::Repair {
            return Err(ServicePointError::NotARepair.into());
        }
        if r.state.is_final() || r.state.carried_out() {
            return Err(RmaError::NotNow {
                action: "assign_point",
                state: r.state.key(),
            }
            .into());
        }
        let point = store::by_id(&mut tx, point_id).await?;
        let product =
            kefu_store::aftersales::catalogue::product_by_id(&mut tx, r.product_id).await?;
        if !point.point.active
            || !point
                .point
                .categories
                .contains(&product.product.category_id)
        {
            return Err(ServicePointError::NoCategory.into());
        }
        r.service_point_id = Some(point_id);
        r.updated_at = now;
        if !rma_store::save_move(&mut tx, &r).await? {
            return Err(AppError::StaleVersion {
                current: r.version + 1,
                changed: Vec::new(),
            });
        }
        rma_store::add_step(
            &mut tx,
            rma_id,
            &RmaStep {
                action: "assign_point".to_owned(),
                from_state: Some(r.state),
                to_state: r.state,
                note: point.point.name,
                by: actor.user_id(),
                by_name: None,
                at: now,
            },
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// Repairs past their point's turnaround now: how many, and the oldest of them.
    pub async fn repairs_past_turnaround(
        &self,
        actor: &Actor,
        limit: i64,
    ) -> Result<(i64, Vec<RmaLine>)> {
        actor.require(Permission::RmaRequest)?;
        let mut conn = self.store.conn().await?;
        Ok(rma_store::past_turnaround(&mut conn, self.now(), limit.clamp(1, 200)).await?)
    }
}
