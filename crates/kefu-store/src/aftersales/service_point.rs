//! 服务网点 — service points, the categories they repair, and their inspections.

use jiff::Timestamp;
use kefu_domain::aftersales::service_point::ServicePoint;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, StoreError, from_micros, to_micros};

/// A point as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PointRow {
    pub id: i64,
    pub point: ServicePoint,
    pub version: i64,
}

fn head(r: &AnyRow) -> Result<PointRow> {
    Ok(PointRow {
        id: r.try_get("id")?,
        point: ServicePoint {
            name: r.try_get("name")?,
            province: r.try_get("province")?,
            city: r.try_get("city")?,
            address: r.try_get("address")?,
            categories: Vec::new(),
            capacity: u32::try_from(r.try_get::<i64, _>("capacity")?).unwrap_or(1),
            turnaround_days: u32::try_from(r.try_get::<i64, _>("turnaround_days")?).unwrap_or(1),
            active: r.try_get::<i64, _>("active")? != 0,
        },
        version: r.try_get("version")?,
    })
}

/// Every point by name, with its categories.
pub async fn all(conn: &mut AnyConnection) -> Result<Vec<PointRow>> {
    let rows = sqlx::query(
        "SELECT id, name, province, city, address, capacity, turnaround_days, active, version \
         FROM service_points ORDER BY name",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut points = rows.iter().map(head).collect::<Result<Vec<_>>>()?;
    let cats = sqlx::query("SELECT point_id, category_id FROM service_point_categories")
        .fetch_all(conn)
        .await?;
    for c in cats {
        let point: i64 = c.try_get("point_id")?;
        if let Some(p) = points.iter_mut().find(|p| p.id == point) {
            p.point.categories.push(c.try_get("category_id")?);
        }
    }
    for p in &mut points {
        p.point.categories.sort_unstable();
    }
    Ok(points)
}

/// One point, with its categories.
pub async fn by_id(conn: &mut AnyConnection, id: i64) -> Result<PointRow> {
    let r = sqlx::query(
        "SELECT id, name, province, city, address, capacity, turnaround_days, active, version \
         FROM service_points WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    let mut point = head(&r)?;
    point.point.categories = sqlx::query_scalar(
        "SELECT category_id FROM service_point_categories WHERE point_id = $1 \
         ORDER BY category_id",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    Ok(point)
}

async fn set_categories(conn: &mut AnyConnection, id: i64, p: &ServicePoint) -> Result<()> {
    sqlx::query("DELETE FROM service_point_categories WHERE point_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for c in &p.categories {
        sqlx::query("INSERT INTO service_point_categories (point_id, category_id) VALUES ($1, $2)")
            .bind(id)
            .bind(c)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Adds a point; `None` when the name is taken.
pub async fn insert(
    conn: &mut AnyConnection,
    p: &ServicePoint,
    by: Option<i64>,
    now: Timestamp,
) -> Result<Option<i64>> {
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO service_points (name, province, city, address, capacity, turnaround_days, \
         active, created_at, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, \
         $9) ON CONFLICT (name) DO NOTHING RETURNING id",
    )
    .bind(&p.name)
    .bind(&p.province)
    .bind(&p.city)
    .bind(&p.address)
    .bind(i64::from(p.capacity))
    .bind(i64::from(p.turnaround_days))
    .bind(i64::from(p.active))
    .bind(to_micros(now))
    .bind(by)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(id) = id {
        set_categories(conn, id, p).await?;
    }
    Ok(id)
}

/// Saves a point when still at `version`; its new version, or `None` when it moved on.
pub async fn update(
    conn: &mut AnyConnection,
    id: i64,
    version: i64,
    p: &ServicePoint,
    by: Option<i64>,
    now: Timestamp,
) -> Result<Option<i64>> {
    let saved: Option<i64> = sqlx::query_scalar(
        "UPDATE service_points SET name = $3, province = $4, city = $5, address = $6, \
         capacity = $7, turnaround_days = $8, active = $9, version = version + 1, \
         updated_at = $10, updated_by = $11 WHERE id = $1 AND version = $2 RETURNING version",
    )
    .bind(id)
    .bind(version)
    .bind(&p.name)
    .bind(&p.province)
    .bind(&p.city)
    .bind(&p.address)
    .bind(i64::from(p.capacity))
    .bind(i64::from(p.turnaround_days))
    .bind(i64::from(p.active))
    .bind(to_micros(now))
    .bind(by)
    .fetch_optional(&mut *conn)
    .await?;
    if saved.is_some() {
        set_categories(conn, id, p).await?;
    }
    Ok(saved)
}

/// An inspection as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectionRow {
    pub id: i64,
    pub point_id: i64,
    pub inspected_on: String,
    /// The checklist as JSON: `[{"item": …, "passed": …}]`.
    pub items: String,
    pub score: i64,
    pub actions: String,
    pub inspector: Option<String>,
    pub created_at: Timestamp,
}

/// Records an inspection; its id.
#[allow(clippy::too_many_arguments)]
pub async fn add_inspection(
    conn: &mut AnyConnection,
    point_id: i64,
    inspected_on: &str,
    items: &str,
    score: u32,
    actions: &str,
    by: Option<i64>,
    now: Timestamp,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO service_point_inspections (point_id, inspected_on, items, score, actions, \
         inspector_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(point_id)
    .bind(inspected_on)
    .bind(items)
    .bind(i64::from(score))
    .bind(actions)
    .bind(by)
    .bind(to_micros(now))
    .fetch_one(conn)
    .await?)
}

/// A point's inspections, newest first.
pub async fn inspections(conn: &mut AnyConnection, point_id: i64) -> Result<Vec<InspectionRow>> {
    let rows = sqlx::query(
        "SELECT i.id, i.point_id, i.inspected_on, i.items, i.score, i.actions, \
         u.display_name, i.created_at FROM service_point_inspections i \
         LEFT JOIN users u ON u.id = i.inspector_id WHERE i.point_id = $1 \
         ORDER BY i.inspected_on DESC, i.id DESC",
    )
    .bind(point_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(InspectionRow {
                id: r.try_get("id")?,
                point_id: r.try_get("point_id")?,
                inspected_on: r.try_get("inspected_on")?,
                items: r.try_get("items")?,
                score: r.try_get("score")?,
                actions: r.try_get("actions")?,
                inspector: r.try_get("display_name")?,
                created_at: from_micros(r.try_get("created_at")?),
            })
        })
        .collect()
}
