//! 产品与配件目录 — categories, products, parts and where they are used, price lists and
//! their prices. Products, parts and price lists carry a version: a change is made from the
//! version the editor saw, or not at all.

use jiff::Timestamp;
use jiff::civil::Date;
use kefu_domain::aftersales::catalogue::{Part, PriceList, Product};
use kefu_domain::customer::CustomerType;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::contains;
use crate::{Result, StoreError, from_micros, marks, to_micros};

/// A category with how many products it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryRow {
    pub id: i64,
    pub name: String,
    pub products: i64,
}

/// Every category, by name.
pub async fn categories(conn: &mut AnyConnection) -> Result<Vec<CategoryRow>> {
    let rows = sqlx::query(
        "SELECT c.id, c.name, (SELECT COUNT(*) FROM products p WHERE p.category_id = c.id) \
         AS products FROM product_categories c ORDER BY c.name",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(CategoryRow {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                products: r.try_get("products")?,
            })
        })
        .collect()
}

/// Adds a category; `None` when the name is taken.
pub async fn insert_category(
    conn: &mut AnyConnection,
    name: &str,
    now: Timestamp,
) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar(
        "INSERT INTO product_categories (name, created_at) VALUES ($1, $2) \
         ON CONFLICT (name) DO NOTHING RETURNING id",
    )
    .bind(name)
    .bind(to_micros(now))
    .fetch_optional(conn)
    .await?)
}

/// Whether category `id` exists.
pub async fn category_exists(conn: &mut AnyConnection, id: i64) -> Result<bool> {
    Ok(
        sqlx::query_scalar::<_, i64>("SELECT id FROM product_categories WHERE id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await?
            .is_some(),
    )
}

/// The category of this name, added when there is none (imports name categories).
pub async fn category_named(conn: &mut AnyConnection, name: &str, now: Timestamp) -> Result<i64> {
    if let Some(id) = insert_category(conn, name, now).await? {
        return Ok(id);
    }
    Ok(
        sqlx::query_scalar("SELECT id FROM product_categories WHERE name = $1")
            .bind(name)
            .fetch_one(conn)
            .await?,
    )
}

/// A product as stored, with its category's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductRow {
    pub id: i64,
    pub product: Product,
    pub category: String,
    pub currency: String,
    pub version: i64,
    pub updated_at: Timestamp,
}

const PRODUCT: &str = "SELECT p.id, p.sku, p.name, p.model, p.category_id, c.name AS category, \
     p.price_fen, p.currency, p.warranty_months, p.serial_tracked, p.active, p.version, \
     p.updated_at FROM products p JOIN product_categories c ON c.id = p.category_id";

fn product(r: &AnyRow) -> Result<ProductRow> {
    Ok(ProductRow {
        id: r.try_get("id")?,
        product: Product {
            sku: r.try_get("sku")?,
            name: r.try_get("name")?,
            model: r.try_get("model")?,
            category_id: r.try_get("category_id")?,
            price_fen: r.try_get("price_fen")?,
            warranty_months: u32::try_from(r.try_get::<i64, _>("warranty_months")?).unwrap_or(0),
            serial_tracked: r.try_get::<i64, _>("serial_tracked")? != 0,
            active: r.try_get::<i64, _>("active")? != 0,
        },
        category: r.try_get("category")?,
        currency: r.try_get("currency")?,
        version: r.try_get("version")?,
        updated_at: from_micros(r.try_get("updated_at")?),
    })
}

/// Which products a list shows.
#[derive(Debug, Clone, Default)]
pub struct ProductFilter<'a> {
    /// Part of the SKU, name or model.
    pub text: Option<&'a str>,
    pub category_id: Option<i64>,
    /// Inactive ones too.
    pub inactive: bool,
    /// The page after this SKU.
    pub after: Option<&'a str>,
    pub limit: i64,
}

/// Products by SKU, a page at a time.
pub async fn products(
    conn: &mut AnyConnection,
    filter: &ProductFilter<'_>,
) -> Result<Vec<ProductRow>> {
    let text = filter.text.map(str::trim).filter(|t| !t.is_empty());
    let rows = sqlx::query(&format!(
        "{PRODUCT} WHERE ($1 = 0 OR LOWER(p.sku) LIKE $2 ESCAPE '\\' \
         OR LOWER(p.name) LIKE $2 ESCAPE '\\' OR LOWER(p.model) LIKE $2 ESCAPE '\\') \
         AND ($3 = 0 OR p.category_id = $3) AND ($4 = 1 OR p.active = 1) \
         AND p.sku > $5 ORDER BY p.sku LIMIT $6"
    ))
    .bind(i64::from(text.is_some()))
    .bind(contains(text.unwrap_or("")))
    .bind(filter.category_id.unwrap_or(0))
    .bind(i64::from(filter.inactive))
    .bind(filter.after.unwrap_or(""))
    .bind(filter.limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(product).collect()
}

/// One product.
pub async fn product_by_id(conn: &mut AnyConnection, id: i64) -> Result<ProductRow> {
    let row = sqlx::query(&format!("{PRODUCT} WHERE p.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    product(&row)
}

/// The products of these SKUs (upper-cased), as found.
pub async fn products_by_sku(conn: &mut AnyConnection, skus: &[String]) -> Result<Vec<ProductRow>> {
    let mut out = Vec::with_capacity(skus.len());
    for chunk in skus.chunks(500) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!("{PRODUCT} WHERE p.sku IN ({})", marks.join(", "));
        let mut q = sqlx::query(&sql);
        for s in chunk {
            q = q.bind(s);
        }
        for r in q.fetch_all(&mut *conn).await? {
            out.push(product(&r)?);
        }
    }
    Ok(out)
}

/// Adds a product; `None` when the SKU is taken.
pub async fn insert_product(
    conn: &mut AnyConnection,
    p: &Product,
    by: Option<i64>,
    now: Timestamp,
) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar(
        "INSERT INTO products (sku, name, model, category_id, price_fen, warranty_months, \
         serial_tracked, active, created_at, updated_at, updated_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10) \
         ON CONFLICT (sku) DO NOTHING RETURNING id",
    )
    .bind(&p.sku)
    .bind(&p.name)
    .bind(&p.model)
    .bind(p.category_id)
    .bind(p.price_fen)
    .bind(i64::from(p.warranty_months))
    .bind(i64::from(p.serial_tracked))
    .bind(i64::from(p.active))
    .bind(to_micros(now))
    .bind(by)
    .fetch_optional(conn)
    .await?)
}

/// Saves product `id` when it is still at `version`; its new version, or `None` when it
/// moved on (a taken SKU is a [`StoreError::Conflict`]).
pub async fn update_product(
    conn: &mut AnyConnection,
    id: i64,
    version: i64,
    p: &Product,
    by: Option<i64>,
    now: Timestamp,
) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar(
        "UPDATE products SET sku = $3, name = $4, model = $5, category_id = $6, price_fen = $7, \
         warranty_months = $8, serial_tracked = $9, active = $10, version = version + 1, \
         updated_at = $11, updated_by = $12 WHERE id = $1 AND version = $2 RETURNING version",
    )
    .bind(id)
    .bind(version)
    .bind(&p.sku)
    .bind(&p.name)
    .bind(&p.model)
    .bind(p.category_id)
    .bind(p.price_fen)
    .bind(i64::from(p.warranty_months))
    .bind(i64::from(p.serial_tracked))
    .bind(i64::from(p.active))
    .bind(to_micros(now))
    .bind(by)
    .fetch_optional(conn)
    .await?)
}

/// A part as stored, with where it is used (product id, SKU, name, quantity).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartRow {
    pub id: i64,
    pub part: Part,
    /// (product id, SKU, name) of each use, in the order of `part.uses`.
    pub used_in: Vec<(i64, String, String)>,
    pub currency: String,
    pub version: i64,
    pub updated_at: Timestamp,
}

const PART: &str = "SELECT id, part_number, name, cost_fen, currency, unit, active, version, \
     updated_at FROM parts";

fn part_head(r: &AnyRow) -> Result<PartRow> {
    Ok(PartRow {
        id: r.try_get("id")?,
        part: Part {
            part_number: r.try_get("part_number")?,
            name: r.try_get("name")?,
            cost_fen: r.try_get("cost_fen")?,
            unit: r.try_get("unit")?,
            active: r.try_get::<i64, _>("active")? != 0,
            uses: Vec::new(),
        },
        used_in: Vec::new(),
        currency: r.try_get("currency")?,
        version: r.try_get("version")?,
        updated_at: from_micros(r.try_get("updated_at")?),
    })
}

/// Fills in where each part is used, by SKU.
async fn with_uses(conn: &mut AnyConnection, mut parts: Vec<PartRow>) -> Result<Vec<PartRow>> {
    if parts.is_empty() {
        return Ok(parts);
    }
    let marks: Vec<String> = (1..=parts.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT u.part_id, u.product_id, u.quantity, p.sku, p.name FROM part_uses u \
         JOIN products p ON p.id = u.product_id WHERE u.part_id IN ({}) ORDER BY p.sku",
        marks.join(", ")
    );
    let mut q = sqlx::query(&sql);
    for p in &parts {
        q = q.bind(p.id);
    }
    for r in q.fetch_all(conn).await? {
        let part_id: i64 = r.try_get("part_id")?;
        if let Some(p) = parts.iter_mut().find(|p| p.id == part_id) {
            let product_id: i64 = r.try_get("product_id")?;
            p.part
                .uses
                .push(kefu_domain::aftersales::catalogue::PartUse {
                    product_id,
                    quantity: u32::try_from(r.try_get::<i64, _>("quantity")?).unwrap_or(1),
                });
            p.used_in
                .push((product_id, r.try_get("sku")?, r.try_get("name")?));
        }
    }
    Ok(parts)
}

/// Parts by part number, a page at a time; `product_id` keeps those used in that product.
pub async fn parts(
    conn: &mut AnyConnection,
    text: Option<&str>,
    product_id: Option<i64>,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<PartRow>> {
    let text = text.map(str::trim).filter(|t| !t.is_empty());
    let rows = sqlx::query(&format!(
        "{PART} WHERE ($1 = 0 OR LOWER(part_number) LIKE $2 ESCAPE '\\' \
         OR LOWER(name) LIKE $2 ESCAPE '\\') \
         AND ($3 = 0 OR id IN (SELECT part_id FROM part_uses WHERE product_id = $3)) \
         AND part_number > $4 ORDER BY part_number LIMIT $5"
    ))
    .bind(i64::from(text.is_some()))
    .bind(contains(text.unwrap_or("")))
    .bind(product_id.unwrap_or(0))
    .bind(after.unwrap_or(""))
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    let heads = rows.iter().map(part_head).collect::<Result<Vec<_>>>()?;
    with_uses(conn, heads).await
}

/// One part with where it is used.
pub async fn part_by_id(conn: &mut AnyConnection, id: i64) -> Result<PartRow> {
    let row = sqlx::query(&format!("{PART} WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let head = part_head(&row)?;
    Ok(with_uses(conn, vec![head]).await?.remove(0))
}

/// The id and version of the part with this number.
pub async fn part_by_number(conn: &mut AnyConnection, number: &str) -> Result<Option<(i64, i64)>> {
    let row = sqlx::query("SELECT id, version FROM parts WHERE part_number = $1")
        .bind(number)
        .fetch_optional(conn)
        .await?;
    row.map(|r| Ok((r.try_get("id")?, r.try_get("version")?)))
        .transpose()
}

async fn set_uses(conn: &mut AnyConnection, part_id: i64, part: &Part) -> Result<()> {
    sqlx::query("DELETE FROM part_uses WHERE part_id = $1")
        .bind(part_id)
        .execute(&mut *conn)
        .await?;
    for u in &part.uses {
        sqlx::query("INSERT INTO part_uses (part_id, product_id, quantity) VALUES ($1, $2, $3)")
            .bind(part_id)
            .bind(u.product_id)
            .bind(i64::from(u.quantity))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Adds a part and where it is used; `None` when the part number is taken.
pub async fn insert_part(
    conn: &mut AnyConnection,
    p: &Part,
    by: Option<i64>,
    now: Timestamp,
) -> Result<Option<i64>> {
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO parts (part_number, name, cost_fen, unit, active, created_at, updated_at, \
         updated_by) VALUES ($1, $2, $3, $4, $5, $6, $6, $7) \
         ON CONFLICT (part_number) DO NOTHING RETURNING id",
    )
    .bind(&p.part_number)
    .bind(&p.name)
    .bind(p.cost_fen)
    .bind(&p.unit)
    .bind(i64::from(p.active))
    .bind(to_micros(now))
    .bind(by)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(id) = id {
        set_uses(conn, id, p).await?;
    }
    Ok(id)
}

/// Saves part `id` and where it is used when it is still at `version`; its new version, or
/// `None` when it moved on.
pub async fn update_part(
    conn: &mut AnyConnection,
    id: i64,
    version: i64,
    p: &Part,
    by: Option<i64>,
    now: Timestamp,
) -> Result<Option<i64>> {
    let saved: Option<i64> = sqlx::query_scalar(
        "UPDATE parts SET part_number = $3, name = $4, cost_fen = $5, unit = $6, active = $7, \
         version = version + 1, updated_at = $8, updated_by = $9 \
         WHERE id = $1 AND version = $2 RETURNING version",
    )
    .bind(id)
    .bind(version)
    .bind(&p.part_number)
    .bind(&p.name)
    .bind(p.cost_fen)
    .bind(&p.unit)
    .bind(i64::from(p.active))
    .bind(to_micros(now))
    .bind(by)
    .fetch_optional(&mut *conn)
    .await?;
    if saved.is_some() {
        set_uses(conn, id, p).await?;
    }
    Ok(saved)
}

/// A price list's head as stored, with how many prices it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceListRow {
    pub id: i64,
    pub list: PriceList,
    pub currency: String,
    pub items: i64,
    pub version: i64,
    pub updated_at: Timestamp,
}

const PRICE_LIST: &str = "SELECT l.id, l.name, l.customer_type, l.valid_from, l.valid_to, \
     l.currency, l.active, l.version, l.updated_at, \
     (SELECT COUNT(*) FROM price_list_items i WHERE i.price_list_id = l.id) AS items \
     FROM price_lists l";

fn date_of(text: &str) -> Result<Date> {
    text.parse()
        .map_err(|_| StoreError::Corrupt(format!("a price list's date {text:?}")))
}

fn price_list(r: &AnyRow) -> Result<PriceListRow> {
    let customer_type: Option<String> = r.try_get("customer_type")?;
    let valid_to: Option<String> = r.try_get("valid_to")?;
    Ok(PriceListRow {
        id: r.try_get("id")?,
        list: PriceList {
            name: r.try_get("name")?,
            customer_type: customer_type
                .map(|t| {
                    t.parse::<CustomerType>()
                        .map_err(|_| StoreError::Corrupt(format!("a customer type {t:?}")))
                })
                .transpose()?,
            valid_from: date_of(&r.try_get::<String, _>("valid_from")?)?,
            valid_to: valid_to.as_deref().map(date_of).transpose()?,
            active: r.try_get::<i64, _>("active")? != 0,
        },
        currency: r.try_get("currency")?,
        items: r.try_get("items")?,
        version: r.try_get("version")?,
        updated_at: from_micros(r.try_get("updated_at")?),
    })
}

/// Every price list, by name.
pub async fn price_lists(conn: &mut AnyConnection) -> Result<Vec<PriceListRow>> {
    let rows = sqlx::query(&format!("{PRICE_LIST} ORDER BY l.name"))
        .fetch_all(conn)
        .await?;
    rows.iter().map(price_list).collect()
}

/// One price list's head.
pub async fn price_list_by_id(conn: &mut AnyConnection, id: i64) -> Result<PriceListRow> {
    let row = sqlx::query(&format!("{PRICE_LIST} WHERE l.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    price_list(&row)
}

/// Adds a price list; `None` when the name is taken.
pub async fn insert_price_list(
    conn: &mut AnyConnection,
    l: &PriceList,
    by: Option<i64>,
    now: Timestamp,
) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar(
        "INSERT INTO price_lists (name, customer_type, valid_from, valid_to, active, created_at, \
         updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $6, $7) \
         ON CONFLICT (name) DO NOTHING RETURNING id",
    )
    .bind(&l.name)
    .bind(l.customer_type.map(|t| t.key()))
    .bind(l.valid_from.to_string())
    .bind(l.valid_to.map(|d| d.to_string()))
    .bind(i64::from(l.active))
    .bind(to_micros(now))
    .bind(by)
    .fetch_optional(conn)
    .await?)
}

/// Saves a price list's head, or bumps its version when `head` is `None` (its prices
/// changed); the new version, or `None` when it was no longer at `version`.
pub async fn update_price_list(
    conn: &mut AnyConnection,
    id: i64,
    version: i64,
    head: Option<&PriceList>,
    by: Option<i64>,
    now: Timestamp,
) -> Result<Option<i64>> {
    let q = match head {
        Some(l) => sqlx::query_scalar(
            "UPDATE price_lists SET name = $3, customer_type = $4, valid_from = $5, \
             valid_to = $6, active = $7, version = version + 1, updated_at = $8, \
             updated_by = $9 WHERE id = $1 AND version = $2 RETURNING version",
        )
        .bind(id)
        .bind(version)
        .bind(l.name.clone())
        .bind(l.customer_type.map(|t| t.key()))
        .bind(l.valid_from.to_string())
        .bind(l.valid_to.map(|d| d.to_string()))
        .bind(i64::from(l.active)),
        None => sqlx::query_scalar(
            "UPDATE price_lists SET version = version + 1, updated_at = $3, updated_by = $4 \
             WHERE id = $1 AND version = $2 RETURNING version",
        )
        .bind(id)
        .bind(version),
    };
    Ok(q.bind(to_micros(now)).bind(by).fetch_optional(conn).await?)
}

/// A price in a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceItemRow {
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub list_price_fen: i64,
    pub price_fen: i64,
}

/// The prices of a list, by SKU.
pub async fn price_items(conn: &mut AnyConnection, list_id: i64) -> Result<Vec<PriceItemRow>> {
    let rows = sqlx::query(
        "SELECT i.product_id, p.sku, p.name, p.price_fen AS list_price_fen, i.price_fen \
         FROM price_list_items i JOIN products p ON p.id = i.product_id \
         WHERE i.price_list_id = $1 ORDER BY p.sku",
    )
    .bind(list_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(PriceItemRow {
                product_id: r.try_get("product_id")?,
                sku: r.try_get("sku")?,
                name: r.try_get("name")?,
                list_price_fen: r.try_get("list_price_fen")?,
                price_fen: r.try_get("price_fen")?,
            })
        })
        .collect()
}

/// Sets prices in a list (adding or replacing each product's), and removes `remove`.
pub async fn set_prices(
    conn: &mut AnyConnection,
    list_id: i64,
    prices: &[(i64, i64)],
    remove: &[i64],
) -> Result<()> {
    for &(product_id, price_fen) in prices {
        sqlx::query(
            "INSERT INTO price_list_items (price_list_id, product_id, price_fen) \
             VALUES ($1, $2, $3) ON CONFLICT (price_list_id, product_id) \
             DO UPDATE SET price_fen = excluded.price_fen",
        )
        .bind(list_id)
        .bind(product_id)
        .bind(price_fen)
        .execute(&mut *conn)
        .await?;
    }
    for &product_id in remove {
        sqlx::query("DELETE FROM price_list_items WHERE price_list_id = $1 AND product_id = $2")
            .bind(list_id)
            .bind(product_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The list price of each of these products that exists, by id (one read for an order's
/// lines).
pub async fn list_prices_of(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, i64>> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let sql = format!(
        "SELECT id, price_fen FROM products WHERE id IN ({})",
        marks(1, ids.len())
    );
    let mut q = sqlx::query_as::<_, (i64, i64)>(&sql);
    for id in ids {
        q = q.bind(id);
    }
    Ok(q.fetch_all(conn).await?.into_iter().collect())
}

/// Every active list holding a price for any of these products: (product id, list, price).
pub async fn listed_prices_of(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<Vec<(i64, PriceListRow, i64)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT x.*, i.product_id, i.price_fen FROM ({PRICE_LIST}) x \
         JOIN price_list_items i ON i.price_list_id = x.id WHERE i.product_id IN ({}) \
         ORDER BY x.name",
        marks(1, ids.len())
    );
    let mut q = sqlx::query(&sql);
    for id in ids {
        q = q.bind(id);
    }
    q.fetch_all(conn)
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get("product_id")?,
                price_list(r)?,
                r.try_get("price_fen")?,
            ))
        })
        .collect()
}

/// Every active list holding a price for the product, with that price.
pub async fn listed_prices(
    conn: &mut AnyConnection,
    product_id: i64,
) -> Result<Vec<(PriceListRow, i64)>> {
    let rows = sqlx::query(&format!(
        "SELECT x.*, i.price_fen FROM ({PRICE_LIST}) x \
         JOIN price_list_items i ON i.price_list_id = x.id WHERE i.product_id = $1 \
         ORDER BY x.name"
    ))
    .bind(product_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((price_list(r)?, r.try_get("price_fen")?)))
        .collect()
}
