//! 产品与配件目录 — the catalogue's use cases: categories, products, parts, price lists and
//! the price a customer pays. Everyone serving customers reads it; the after-sales specialist
//! and the manager keep it. A product, part or price list is changed from the version the
//! editor saw (412 otherwise).

use std::collections::HashMap;

use jiff::civil::Date;
use kefu_domain::Permission;
use kefu_domain::aftersales::catalogue::{
    self as rules, CatalogueError, ListedPrice, Part, PriceList, PriceSource, Product,
};
use kefu_domain::customer::CustomerType;
use kefu_store::aftersales::catalogue::{
    self as store, CategoryRow, PartRow, PriceItemRow, PriceListRow, ProductFilter, ProductRow,
};
use kefu_store::{AnyConnection, StoreError};

use crate::{Actor, App, AppError, Result};

/// The most rows one page of products or parts holds.
pub const MAX_PAGE: i64 = 200;

/// A product with the parts used in it and the price lists that price it.
#[derive(Debug, Clone)]
pub struct ProductDetail {
    pub product: ProductRow,
    pub parts: Vec<PartRow>,
    pub prices: Vec<(PriceListRow, i64)>,
}

/// A price as a customer pays it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerPrice {
    pub product_id: i64,
    pub sku: String,
    pub day: Date,
    pub price_fen: i64,
    pub list_price_fen: i64,
    pub source: PriceSource,
}

/// A price to set in a list, by SKU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceChange {
    pub sku: String,
    /// `None`: take the product off the list.
    pub price_fen: Option<i64>,
}

fn stale(current: i64) -> AppError {
    AppError::StaleVersion {
        current,
        changed: Vec::new(),
    }
}

fn taken(field: &'static str, code: &str) -> AppError {
    CatalogueError::Taken {
        field,
        code: code.to_owned(),
    }
    .into()
}

impl App {
    /// Every product category, by name, with its product count.
    pub async fn product_categories(&self, actor: &Actor) -> Result<Vec<CategoryRow>> {
        actor.require(Permission::CatalogueView)?;
        let mut conn = self.store.conn().await?;
        Ok(store::categories(&mut conn).await?)
    }

    /// Adds a product category.
    pub async fn add_product_category(&self, actor: &Actor, name: &str) -> Result<i64> {
        actor.require(Permission::CatalogueManage)?;
        let name = rules::name("name", name, rules::MAX_NAME)?;
        let mut conn = self.store.conn().await?;
        store::insert_category(&mut conn, &name, self.now())
            .await?
            .ok_or(AppError::NameTaken)
    }

    /// Products by SKU, a page at a time (at most [`MAX_PAGE`]).
    pub async fn products(
        &self,
        actor: &Actor,
        filter: &ProductFilter<'_>,
    ) -> Result<Vec<ProductRow>> {
        actor.require(Permission::CatalogueView)?;
        let filter = ProductFilter {
            limit: filter.limit.clamp(1, MAX_PAGE),
            ..filter.clone()
        };
        let mut conn = self.store.conn().await?;
        Ok(store::products(&mut conn, &filter).await?)
    }

    /// One product, the parts used in it and the lists pricing it.
    pub async fn product(&self, actor: &Actor, id: i64) -> Result<ProductDetail> {
        actor.require(Permission::CatalogueView)?;
        let mut conn = self.store.conn().await?;
        let product = store::product_by_id(&mut conn, id).await?;
        let parts = store::parts(&mut conn, None, Some(id), None, 1000).await?;
        let prices = store::listed_prices(&mut conn, id).await?;
        Ok(ProductDetail {
            product,
            parts,
            prices,
        })
    }

    async fn check_category(&self, conn: &mut kefu_store::AnyConnection, id: i64) -> Result<()> {
        if store::category_exists(conn, id).await? {
            Ok(())
        } else {
            Err(CatalogueError::UnknownCategory.into())
        }
    }

    /// Adds a product.
    pub async fn create_product(&self, actor: &Actor, product: Product) -> Result<i64> {
        actor.require(Permission::CatalogueManage)?;
        let p = product.checked()?;
        let mut tx = self.store.begin().await?;
        self.check_category(&mut tx, p.category_id).await?;
        let id = store::insert_product(&mut tx, &p, actor.user_id(), self.now())
            .await?
            .ok_or_else(|| taken("sku", &p.sku))?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(id)
    }

    /// Saves product `id` made from `version`; its new version.
    pub async fn save_product(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        product: Product,
    ) -> Result<i64> {
        actor.require(Permission::CatalogueManage)?;
        let p = product.checked()?;
        let mut tx = self.store.begin().await?;
        let current = store::product_by_id(&mut tx, id).await?;
        self.check_category(&mut tx, p.category_id).await?;
        let saved = store::update_product(&mut tx, id, version, &p, actor.user_id(), self.now())
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => taken("sku", &p.sku),
                e => e.into(),
            })?
            .ok_or_else(|| stale(current.version))?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(saved)
    }

    /// Parts by part number, a page at a time; `product_id` keeps those used in it.
    pub async fn parts(
        &self,
        actor: &Actor,
        text: Option<&str>,
        product_id: Option<i64>,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<PartRow>> {
        actor.require(Permission::CatalogueView)?;
        let mut conn = self.store.conn().await?;
        Ok(store::parts(&mut conn, text, product_id, after, limit.clamp(1, MAX_PAGE)).await?)
    }

    /// One part with where it is used.
    pub async fn part(&self, actor: &Actor, id: i64) -> Result<PartRow> {
        actor.require(Permission::CatalogueView)?;
        let mut conn = self.store.conn().await?;
        Ok(store::part_by_id(&mut conn, id).await?)
    }

    /// The products of `skus`, refusing the first one not in the catalogue.
    pub(crate) async fn product_ids(
        conn: &mut kefu_store::AnyConnection,
        skus: &[String],
    ) -> Result<Vec<i64>> {
        let found = store::products_by_sku(conn, skus).await?;
        skus.iter()
            .map(|sku| {
                found
                    .iter()
                    .find(|p| p.product.sku == *sku)
                    .map(|p| p.id)
                    .ok_or_else(|| CatalogueError::UnknownSku(sku.clone()).into())
            })
            .collect()
    }

    /// The ids of the products of these SKUs (as typed), refusing the first one not in the
    /// catalogue.
    pub async fn product_ids_by_sku(&self, actor: &Actor, skus: &[String]) -> Result<Vec<i64>> {
        actor.require(Permission::CatalogueView)?;
        let codes = skus
            .iter()
            .map(|s| rules::code("sku", s))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let mut conn = self.store.conn().await?;
        Self::product_ids(&mut conn, &codes).await
    }

    async fn check_uses(&self, conn: &mut kefu_store::AnyConnection, part: &Part) -> Result<()> {
        for u in &part.uses {
            match store::product_by_id(conn, u.product_id).await {
                Ok(_) => {}
                Err(StoreError::NotFound) => {
                    return Err(CatalogueError::UnknownSku(u.product_id.to_string()).into());
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    /// Adds a part and where it is used.
    pub async fn create_part(&self, actor: &Actor, part: Part) -> Result<i64> {
        actor.require(Permission::CatalogueManage)?;
        let p = part.checked()?;
        let mut tx = self.store.begin().await?;
        self.check_uses(&mut tx, &p).await?;
        let id = store::insert_part(&mut tx, &p, actor.user_id(), self.now())
            .await?
            .ok_or_else(|| taken("part_number", &p.part_number))?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(id)
    }

    /// Saves part `id` made from `version`; its new version.
    pub async fn save_part(&self, actor: &Actor, id: i64, version: i64, part: Part) -> Result<i64> {
        actor.require(Permission::CatalogueManage)?;
        let p = part.checked()?;
        let mut tx = self.store.begin().await?;
        let current = store::part_by_id(&mut tx, id).await?;
        self.check_uses(&mut tx, &p).await?;
        let saved = store::update_part(&mut tx, id, version, &p, actor.user_id(), self.now())
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => taken("part_number", &p.part_number),
                e => e.into(),
            })?
            .ok_or_else(|| stale(current.version))?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(saved)
    }

    /// Every price list, by name.
    pub async fn price_lists(&self, actor: &Actor) -> Result<Vec<PriceListRow>> {
        actor.require(Permission::CatalogueView)?;
        let mut conn = self.store.conn().await?;
        Ok(store::price_lists(&mut conn).await?)
    }

    /// One price list and its prices, by SKU.
    pub async fn price_list(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<(PriceListRow, Vec<PriceItemRow>)> {
        actor.require(Permission::CatalogueView)?;
        let mut conn = self.store.conn().await?;
        let head = store::price_list_by_id(&mut conn, id).await?;
        let items = store::price_items(&mut conn, id).await?;
        Ok((head, items))
    }

    /// Adds a price list (no prices yet).
    pub async fn create_price_list(&self, actor: &Actor, list: PriceList) -> Result<i64> {
        actor.require(Permission::CatalogueManage)?;
        let l = checked_list(list)?;
        let mut conn = self.store.conn().await?;
        store::insert_price_list(&mut conn, &l, actor.user_id(), self.now())
            .await?
            .ok_or(AppError::NameTaken)
    }

    /// Saves a price list's head made from `version`; its new version.
    pub async fn save_price_list(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        list: PriceList,
    ) -> Result<i64> {
        actor.require(Permission::CatalogueManage)?;
        let l = checked_list(list)?;
        let mut tx = self.store.begin().await?;
        let current = store::price_list_by_id(&mut tx, id).await?;
        let saved =
            store::update_price_list(&mut tx, id, version, Some(&l), actor.user_id(), self.now())
                .await
                .map_err(AppError::name_taken)?
                .ok_or_else(|| stale(current.version))?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(saved)
    }

    /// Sets or removes prices in list `id`, made from `version`, all or none; the list's new
    /// version.
    pub async fn set_list_prices(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        changes: &[PriceChange],
    ) -> Result<i64> {
        actor.require(Permission::CatalogueManage)?;
        if changes.is_empty() {
            return Err(AppError::NothingSelected);
        }
        if changes.len() > crate::customer_import::MAX_IMPORT_ROWS {
            return Err(AppError::TooMany {
                max: crate::customer_import::MAX_IMPORT_ROWS,
            });
        }
        let mut skus = Vec::with_capacity(changes.len());
        for c in changes {
            let sku = rules::code("sku", &c.sku)?;
            if skus.contains(&sku) {
                return Err(CatalogueError::UsedTwice(sku).into());
            }
            if let Some(fen) = c.price_fen {
                rules::price("price", fen)?;
            }
            skus.push(sku);
        }
        let mut tx = self.store.begin().await?;
        let current = store::price_list_by_id(&mut tx, id).await?;
        let ids = Self::product_ids(&mut tx, &skus).await?;
        let (mut set, mut remove) = (Vec::new(), Vec::new());
        for (c, product_id) in changes.iter().zip(ids) {
            match c.price_fen {
                Some(fen) => set.push((product_id, fen)),
                None => remove.push(product_id),
            }
        }
        let saved =
            store::update_price_list(&mut tx, id, version, None, actor.user_id(), self.now())
                .await?
                .ok_or_else(|| stale(current.version))?;
        store::set_prices(&mut tx, id, &set, &remove).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(saved)
    }

    /// What a customer of `customer_type` pays on `day` for each of `priced` (their type's
    /// list in force, else the list price), with every one of `ids` checked to exist: two
    /// reads however many lines an order has.
    pub(crate) async fn prices_on(
        &self,
        conn: &mut AnyConnection,
        customer_type: Option<CustomerType>,
        ids: &[i64],
        priced: &[i64],
        day: Date,
    ) -> Result<HashMap<i64, i64>> {
        let list_prices = store::list_prices_of(&mut *conn, ids).await?;
        if ids.iter().any(|id| !list_prices.contains_key(id)) {
            return Err(StoreError::NotFound.into());
        }
        let mut listed: HashMap<i64, Vec<ListedPrice>> = HashMap::new();
        for (product, l, price_fen) in store::listed_prices_of(conn, priced).await? {
            listed.entry(product).or_default().push(ListedPrice {
                list_id: l.id,
                list: l.list,
                price_fen,
            });
        }
        Ok(priced
            .iter()
            .map(|id| {
                let lists = listed.get(id).map(Vec::as_slice).unwrap_or(&[]);
                (
                    *id,
                    rules::price_for(list_prices[id], customer_type, lists, day).0,
                )
            })
            .collect())
    }

    /// What customer `customer_id` pays for product `product_id` on `day` (today when
    /// `None`): their type's price list in force, else the list price.
    pub async fn customer_price(
        &self,
        actor: &Actor,
        customer_id: i64,
        product_id: i64,
        day: Option<Date>,
    ) -> Result<CustomerPrice> {
        actor.require(Permission::CatalogueView)?;
        actor.require(Permission::CustomerView)?;
        let day = match day {
            Some(d) => kefu_domain::dates::check("day", d)?,
            None => crate::workbench::local_date(self.now()),
        };
        let mut conn = self.store.conn().await?;
        let customer_type = kefu_store::customer::by_id(&mut conn, customer_id)
            .await?
            .customer_type;
        let product = store::product_by_id(&mut conn, product_id).await?;
        let listed: Vec<ListedPrice> = store::listed_prices(&mut conn, product_id)
            .await?
            .into_iter()
            .map(|(l, price_fen)| ListedPrice {
                list_id: l.id,
                list: l.list,
                price_fen,
            })
            .collect();
        let customer_type = customer_type.parse().ok();
        let (price_fen, source) =
            rules::price_for(product.product.price_fen, customer_type, &listed, day);
        Ok(CustomerPrice {
            product_id,
            sku: product.product.sku,
            day,
            price_fen,
            list_price_fen: product.product.price_fen,
            source,
        })
    }
}

fn checked_list(list: PriceList) -> Result<PriceList> {
    let l = list.checked()?;
    kefu_domain::dates::check("valid_from", l.valid_from)?;
    if let Some(to) = l.valid_to {
        kefu_domain::dates::check("valid_to", to)?;
    }
    Ok(l)
}
