//! 目录导入 — products and parts from a CSV (UTF-8 or GBK) or XLSX file, matched by SKU or
//! part number: new ones added, changed ones saved as a new version, the same ones left.
//! All or nothing: a file with any refused cell writes nothing and names every problem by
//! row and column, so a catalogue is never half imported. Categories named in a product
//! list are added when new.

use std::collections::{HashMap, HashSet};

use kefu_domain::Permission;
use kefu_domain::aftersales::catalogue::{Part, PartUse, Product};
use kefu_domain::aftersales::import::{
    self as rules, CellError, CellProblem, ColumnError, PartLine, ProductLine,
};
use kefu_store::StoreError;
use kefu_store::aftersales::catalogue as store;

use crate::customer_import::read_table;
use crate::{Actor, App, AppError, Result};

/// What an import did, or would do (a dry run, or a file with problems: nothing written).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogueImport {
    /// Data rows read (blank ones not counted).
    pub rows: usize,
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Categories a product list added.
    pub categories_added: usize,
    /// Each refused cell with its spreadsheet row.
    pub problems: Vec<(usize, CellError)>,
    /// Whether anything was written.
    pub written: bool,
}

/// The most problems an import reports (the count says how many more there were).
pub const MAX_PROBLEMS: usize = 1000;

fn is_blank(cells: &[String]) -> bool {
    cells.iter().all(|c| c.trim().is_empty())
}

/// Reads the rows of a file with `read` and names rows repeating a code.
fn lines<L>(
    rows: &[Vec<String>],
    header_row: usize,
    read: impl Fn(&[String]) -> std::result::Result<L, Vec<CellError>>,
    code: impl Fn(&L) -> &str,
    code_column: &'static str,
    out: &mut CatalogueImport,
) -> Vec<(usize, L)> {
    let mut seen = HashSet::new();
    let mut good = Vec::new();
    for (i, cells) in rows.iter().enumerate() {
        if is_blank(cells) {
            continue;
        }
        out.rows += 1;
        let row = header_row + 1 + i;
        match read(cells) {
            Ok(line) => {
                if !seen.insert(code(&line).to_owned()) {
                    out.problems.push((
                        row,
                        CellError {
                            column: code_column,
                            problem: CellProblem::Repeated,
                            value: code(&line).to_owned(),
                        },
                    ));
                } else {
                    good.push((row, line));
                }
            }
            Err(errors) => out.problems.extend(errors.into_iter().map(|e| (row, e))),
        }
    }
    good
}

impl App {
    /// Imports a product list (`dry_run`: only says what would happen).
    pub async fn import_products(
        &self,
        actor: &Actor,
        filename: &str,
        bytes: &[u8],
        dry_run: bool,
    ) -> Result<CatalogueImport> {
        actor.require(Permission::CatalogueManage)?;
        let table = read_table(filename, bytes)?;
        let columns = rules::product_columns(&table.headers)?;
        let mut out = CatalogueImport::default();
        let good = lines(
            &table.rows,
            table.header_row,
            |cells| rules::product_line(cells, &columns),
            |l: &ProductLine| &l.sku,
            "sku",
            &mut out,
        );
        let mut tx = self.store.begin().await?;
        let skus: Vec<String> = good.iter().map(|(_, l)| l.sku.clone()).collect();
        let existing: HashMap<String, store::ProductRow> = store::products_by_sku(&mut tx, &skus)
            .await?
            .into_iter()
            .map(|p| (p.product.sku.clone(), p))
            .collect();
        let mut categories: HashMap<String, i64> = store::categories(&mut tx)
            .await?
            .into_iter()
            .map(|c| (c.name, c.id))
            .collect();
        let now = self.now();
        for (_, line) in good {
            let category_id = match categories.get(&line.category) {
                Some(&id) => id,
                None => {
                    let id = store::category_named(&mut tx, &line.category, now).await?;
                    categories.insert(line.category.clone(), id);
                    out.categories_added += 1;
                    id
                }
            };
            let product = Product {
                sku: line.sku,
                name: line.name,
                model: line.model,
                category_id,
                price_fen: line.price_fen,
                warranty_months: line.warranty_months,
                serial_tracked: line.serial_tracked,
                active: line.active,
            };
            match existing.get(&product.sku) {
                Some(row) if row.product == product => out.unchanged += 1,
                Some(row) => {
                    store::update_product(
                        &mut tx,
                        row.id,
                        row.version,
                        &product,
                        actor.user_id(),
                        now,
                    )
                    .await?;
                    out.updated += 1;
                }
                None => {
                    store::insert_product(&mut tx, &product, actor.user_id(), now).await?;
                    out.added += 1;
                }
            }
        }
        finish(tx, dry_run, out).await
    }

    /// Imports a part list (`dry_run`: only says what would happen). Where a part is used
    /// names products by SKU, which must be in the catalogue.
    pub async fn import_parts(
        &self,
        actor: &Actor,
        filename: &str,
        bytes: &[u8],
        dry_run: bool,
    ) -> Result<CatalogueImport> {
        actor.require(Permission::CatalogueManage)?;
        let table = read_table(filename, bytes)?;
        let columns = rules::part_columns(&table.headers)?;
        let mut out = CatalogueImport::default();
        let good = lines(
            &table.rows,
            table.header_row,
            |cells| rules::part_line(cells, &columns),
            |l: &PartLine| &l.part_number,
            "part_number",
            &mut out,
        );
        let mut tx = self.store.begin().await?;
        let mut skus: Vec<String> = good
            .iter()
            .flat_map(|(_, l)| l.used_in.iter().map(|(s, _)| s.clone()))
            .collect();
        skus.sort();
        skus.dedup();
        let products: HashMap<String, i64> = store::products_by_sku(&mut tx, &skus)
            .await?
            .into_iter()
            .map(|p| (p.product.sku, p.id))
            .collect();
        let now = self.now();
        for (row, line) in good {
            let mut uses = Vec::with_capacity(line.used_in.len());
            for (sku, quantity) in &line.used_in {
                match products.get(sku) {
                    Some(&product_id) => uses.push(PartUse {
                        product_id,
                        quantity: *quantity,
                    }),
                    None => out.problems.push((
                        row,
                        CellError {
                            column: "used_in",
                            problem: CellProblem::UnknownSku,
                            value: sku.clone(),
                        },
                    )),
                }
            }
            let part = Part {
                part_number: line.part_number,
                name: line.name,
                cost_fen: line.cost_fen,
                unit: line.unit,
                active: line.active,
                uses,
            }
            .checked()?;
            match store::part_by_number(&mut tx, &part.part_number).await? {
                Some((id, version)) => {
                    let mut current = store::part_by_id(&mut tx, id).await?.part;
                    current.uses.sort_by_key(|u| u.product_id);
                    let mut compared = part.clone();
                    compared.uses.sort_by_key(|u| u.product_id);
                    if current == compared {
                        out.unchanged += 1;
                    } else {
                        store::update_part(&mut tx, id, version, &part, actor.user_id(), now)
                            .await?;
                        out.updated += 1;
                    }
                }
                None => {
                    store::insert_part(&mut tx, &part, actor.user_id(), now).await?;
                    out.added += 1;
                }
            }
        }
        finish(tx, dry_run, out).await
    }
}

/// Commits what the import wrote unless it is a dry run or any cell was refused.
async fn finish(
    tx: kefu_store::Tx,
    dry_run: bool,
    mut out: CatalogueImport,
) -> Result<CatalogueImport> {
    out.problems.sort_by_key(|(row, _)| *row);
    if dry_run || !out.problems.is_empty() {
        tx.rollback().await.map_err(StoreError::from)?;
        return Ok(out);
    }
    tx.commit().await.map_err(StoreError::from)?;
    out.written = true;
    Ok(out)
}

impl From<ColumnError> for AppError {
    fn from(e: ColumnError) -> Self {
        AppError::CatalogueColumns(e)
    }
}
