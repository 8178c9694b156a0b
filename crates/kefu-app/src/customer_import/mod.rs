//! 客户导入导出 — importing customers from CSV or XLSX (Chinese or English headers, UTF-8
//! or GBK, a title row above the header passed over) with a dry run, per-row problems,
//! duplicates named by the row or customer they repeat, and a transaction per batch;
//! exporting the filtered list (in `export.rs`; written to CSV or XLSX by [`crate::export`])
//! with sensitive values masked unless the user may export them (which is audited).

use kefu_domain::Permission;
use kefu_domain::customer::{CustomerKind, CustomerStatus, CustomerType, Tier};
use kefu_domain::customer_import::{self as import_rules, ImportRow, SameBy};
use kefu_store::customer::{self as store, Contact, Customer, ImportRecord};
use kefu_store::{AnyConnection, StoreError, changelog};
use serde_json::json;

use crate::audit::{self, Target, action};
use crate::{Actor, App, AppError, Result};

/// What to do with a row that matches an existing customer (same mobile, or same name
/// after normalising width, spaces and punctuation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duplicates {
    /// Leave the existing customer as it is.
    Skip,
    /// Fill the existing customer's empty fields and add the contact if it is new.
    Merge,
}

impl Duplicates {
    pub fn key(self) -> &'static str {
        match self {
            Duplicates::Skip => "skip",
            Duplicates::Merge => "merge",
        }
    }
}

/// Rows per transaction: a failing batch is retried row by row, so one bad row never takes
/// good ones with it.
const BATCH: usize = 500;

mod export;
mod file;
mod list;
mod report;

use file::is_blank;
use report::{Duplicate, SameAs};

pub use file::{
    ImportFileError, MAX_IMPORT_BYTES, MAX_IMPORT_COLUMNS, MAX_IMPORT_ROWS, MAX_SHEET_ROW,
    MAX_XLSX_ENTRIES, MAX_XLSX_ENTRY_BYTES, MAX_XLSX_RATIO, MAX_XLSX_UNPACKED_BYTES, Table,
    XLSX_RATIO_FLOOR_BYTES, read_table,
};
pub(crate) use list::TILES;
pub use list::{IMPORTS_SHOWN, RECENT_DAYS};
pub use report::{ImportReport, Problem, report_lines};

/// A row that passed the checks: its spreadsheet row number, the row, and the earlier row
/// of the file it repeats, if any.
struct Checked {
    row: usize,
    data: ImportRow,
    earlier: Option<(usize, SameBy)>,
}

impl Checked {
    /// What a duplicate row is the same as: the earlier row of the file when there is one
    /// (the customer the archive holds may be that row's), else the customer found.
    fn duplicate(&self, found: Option<(&Customer, SameBy)>) -> Option<Duplicate> {
        match (self.earlier, found) {
            (Some((row, by)), _) => Some(Duplicate {
                by,
                of: SameAs::Row(row),
            }),
            (None, Some((c, by))) => Some(Duplicate {
                by,
                of: SameAs::Customer(c.name.clone()),
            }),
            (None, None) => None,
        }
    }

    /// The value that matched: the row's mobile or its name.
    fn matched_value(&self, by: SameBy) -> &str {
        match by {
            SameBy::Mobile => self.data.mobile.as_deref().unwrap_or_default(),
            SameBy::Name => &self.data.name,
        }
    }
}

/// What happened to one row.
enum Outcome {
    Created,
    Merged(Duplicate),
    Skipped(Duplicate),
}

fn new_customer(r: &ImportRow, owner: Option<i64>, now: jiff::Timestamp) -> Customer {
    let opt = |s: &str| Some(s.to_owned()).filter(|x| !x.is_empty());
    Customer {
        id: 0,
        kind: r
            .kind
            .unwrap_or_else(|| CustomerKind::from_name(&r.name))
            .key()
            .to_owned(),
        name: r.name.clone(),
        name_key: r.name_key.clone(),
        tier: r.tier.unwrap_or(Tier::Normal).key().to_owned(),
        customer_type: r
            .customer_type
            .unwrap_or(CustomerType::EndCustomer)
            .key()
            .to_owned(),
        status: r.status.unwrap_or(CustomerStatus::Active).key().to_owned(),
        province: opt(&r.province),
        city: opt(&r.city),
        industry: opt(&r.industry),
        owner_id: owner,
        owner_name: None,
        tags: kefu_domain::ticket::clean_tags(&r.tags).unwrap_or_default(),
        notes: opt(&r.notes),
        id_number: opt(&r.id_number),
        address: opt(&r.address),
        bank_account: opt(&r.bank_account),
        last_contact_at: None,
        credit_grade: None,
        credit_limit_fen: 0,
        payment_terms: None,
        credit_updated_at: None,
        created_at: now,
        updated_at: now,
        version: 1,
    }
}

fn new_contact(r: &ImportRow, customer_id: i64) -> Option<Contact> {
    if r.contact.is_empty() {
        return None;
    }
    Some(Contact {
        id: 0,
        customer_id,
        name: r.contact.clone(),
        title: Some(r.title.clone()).filter(|x| !x.is_empty()),
        mobile: r.mobile.clone(),
        phone: r.phone.clone(),
        email: r.email.clone(),
        wechat: Some(r.wechat.clone()).filter(|x| !x.is_empty()),
        preferred_channel: None,
        opt_outs: Vec::new(),
        rest_hours: r.rest_hours.clone(),
        is_primary: false,
    })
}

/// The existing customer a row matches, and by what: by mobile first, then by normalised
/// name.
async fn existing(conn: &mut AnyConnection, r: &ImportRow) -> Result<Option<(Customer, SameBy)>> {
    if let Some(m) = &r.mobile
        && let Some(c) = store::contacts_by_mobile(conn, m).await?.into_iter().next()
    {
        return Ok(Some((
            store::by_id(conn, c.customer_id).await?,
            SameBy::Mobile,
        )));
    }
    Ok(store::by_name_key(conn, &r.name_key)
        .await?
        .into_iter()
        .next()
        .map(|c| (c, SameBy::Name)))
}

impl ImportReport {
    fn count(&mut self, item: &Checked, outcome: Outcome) {
        match outcome {
            Outcome::Created => self.created += 1,
            Outcome::Merged(d) => {
                self.merged += 1;
                self.duplicates
                    .push(d.line(item.row, item.matched_value(d.by), true));
            }
            Outcome::Skipped(d) => {
                self.skipped += 1;
                self.duplicates
                    .push(d.line(item.row, item.matched_value(d.by), false));
            }
        }
    }
}

impl App {
    /// Imports customers from a file; with `dry_run` nothing is written but the record of
    /// the run. `progress(done, total)` is called as rows are handled.
    pub async fn import_customers(
        &self,
        actor: &Actor,
        filename: &str,
        bytes: &[u8],
        dry_run: bool,
        duplicates: Duplicates,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<ImportReport> {
        actor.require(Permission::CustomerEdit)?;
        let table = read_table(filename, bytes)?;
        let columns = import_rules::map_headers(&table.headers).map_err(ImportFileError::from)?;
        let mut report = ImportReport {
            dry_run,
            encoding: table.encoding,
            rows: 0,
            ..ImportReport::default()
        };
        report.notices = table
            .titles
            .iter()
            .map(|(row, text)| Problem {
                row: *row,
                column: String::new(),
                reason: "title_row".into(),
                value: text.clone(),
                other: table.header_row.to_string(),
            })
            .collect();
        // Check every row first; keep the good ones with their spreadsheet row numbers.
        let mut good: Vec<(usize, ImportRow)> = Vec::new();
        for (i, values) in table.rows.iter().enumerate() {
            if is_blank(values) {
                continue;
            }
            report.rows += 1;
            let row_no = table.header_row + 1 + i;
            match import_rules::check_row(&columns, values) {
                Ok(r) => good.push((row_no, r)),
                Err(problems) => {
                    report.failed += 1;
                    report
                        .problems
                        .extend(problems.into_iter().map(|p| Problem {
                            row: row_no,
                            column: p.column.to_owned(),
                            reason: p.reason.to_owned(),
                            value: p.value,
                            other: String::new(),
                        }));
                }
            }
        }
        let earlier = import_rules::earlier_rows(good.iter().map(|(n, r)| (*n, r)));
        let good: Vec<Checked> = good
            .into_iter()
            .zip(earlier)
            .map(|((row, data), earlier)| Checked { row, data, earlier })
            .collect();
        let total = good.len();
        let owner = actor.user_id();
        let mut done = 0;
        for batch in good.chunks(BATCH) {
            if dry_run {
                // Nothing is written, so a row repeating an earlier one is found from the
                // file, as the real run would find that row's customer.
                let mut conn = self.store.conn().await?;
                for item in batch {
                    let found = if item.earlier.is_some() {
                        None
                    } else {
                        existing(&mut conn, &item.data).await?
                    };
                    let outcome = match (
                        item.duplicate(found.as_ref().map(|(c, by)| (c, *by))),
                        duplicates,
                    ) {
                        (None, _) => Outcome::Created,
                        (Some(d), Duplicates::Skip) => Outcome::Skipped(d),
                        (Some(d), Duplicates::Merge) => Outcome::Merged(d),
                    };
                    report.count(item, outcome);
                }
            } else {
                match self.import_batch(actor, batch, duplicates, owner).await {
                    Ok(outcomes) => {
                        for (item, o) in batch.iter().zip(outcomes) {
                            report.count(item, o);
                        }
                    }
                    // Something in the batch failed in the database: rows one by one, so
                    // the good ones land and the bad one is named.
                    Err(_) => {
                        for item in batch {
                            match self
                                .import_batch(actor, std::slice::from_ref(item), duplicates, owner)
                                .await
                            {
                                Ok(o) => {
                                    for o in o {
                                        report.count(item, o);
                                    }
                                }
                                Err(e) => {
                                    report.failed += 1;
                                    report.problems.push(Problem {
                                        row: item.row,
                                        column: "name".into(),
                                        reason: "not_saved".into(),
                                        value: e.to_string(),
                                        other: String::new(),
                                    });
                                }
                            }
                        }
                    }
                }
            }
            done += batch.len();
            progress(done, total);
        }
        report.problems.sort_by_key(|p| p.row);
        report.duplicates.sort_by_key(|p| p.row);
        // Keep the record of the run, for the report to download.
        let now = self.now();
        let mut tx = self.store.begin().await?;
        report.import_id = store::insert_import(
            &mut tx,
            &ImportRecord {
                id: 0,
                user_id: actor.user_id(),
                filename: filename.chars().take(200).collect(),
                dry_run,
                duplicates: duplicates.key().to_owned(),
                encoding: table.encoding.to_owned(),
                rows: report.rows as i64,
                created: report.created as i64,
                merged: report.merged as i64,
                skipped: report.skipped as i64,
                failed: report.failed as i64,
                problems: report.lines_json(),
                created_at: now,
            },
        )
        .await?;
        if !dry_run {
            let id = report.import_id.to_string();
            audit::write(
                &mut tx,
                self,
                actor,
                action::CUSTOMERS_IMPORTED,
                Some(Target { kind: "customer_import", id: &id }),
                Some(json!({"file": filename, "created": report.created, "merged": report.merged, "skipped": report.skipped, "failed": report.failed})),
            )
            .await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(report)
    }

    async fn import_batch(
        &self,
        actor: &Actor,
        batch: &[Checked],
        duplicates: Duplicates,
        owner: Option<i64>,
    ) -> Result<Vec<Outcome>> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let mut out = Vec::with_capacity(batch.len());
        for item in batch {
            let r = &item.data;
            // Skipping, a row that repeats an earlier row of the file is that row's customer
            // (created, or itself skipped): no look-up needed, as in the dry run.
            let found = if duplicates == Duplicates::Skip && item.earlier.is_some() {
                None
            } else {
                existing(&mut tx, r).await?
            };
            let dup = item.duplicate(found.as_ref().map(|(c, by)| (c, *by)));
            let outcome = match (found, dup) {
                (_, Some(d)) if duplicates == Duplicates::Skip => Outcome::Skipped(d),
                (Some((mut c, _)), Some(d)) => {
                    let before = c.clone();
                    let fill = |slot: &mut Option<String>, v: &str| {
                        if slot.is_none() && !v.is_empty() {
                            *slot = Some(v.to_owned());
                        }
                    };
                    fill(&mut c.province, &r.province);
                    fill(&mut c.city, &r.city);
                    fill(&mut c.industry, &r.industry);
                    fill(&mut c.notes, &r.notes);
                    fill(&mut c.id_number, &r.id_number);
                    fill(&mut c.address, &r.address);
                    fill(&mut c.bank_account, &r.bank_account);
                    for tag in kefu_domain::ticket::clean_tags(&r.tags).unwrap_or_default() {
                        if !c.tags.contains(&tag) {
                            c.tags.push(tag);
                        }
                    }
                    if c != before {
                        c.updated_at = now;
                        store::save(&mut tx, &c).await?;
                        self.import_history(
                            &mut tx,
                            actor,
                            c.id,
                            None,
                            "imported",
                            None,
                            Some(c.name.clone()),
                        )
                        .await?;
                    }
                    let contacts = store::contacts_of(&mut tx, c.id).await?;
                    let known = contacts.iter().any(|x| {
                        (r.mobile.is_some() && x.mobile == r.mobile)
                            || (r.mobile.is_none() && x.name == r.contact)
                    });
                    if !known && let Some(mut contact) = new_contact(r, c.id) {
                        contact.is_primary = contacts.is_empty();
                        let cid = store::save_contact(&mut tx, &contact, now).await?;
                        self.import_history(
                            &mut tx,
                            actor,
                            c.id,
                            Some(cid),
                            "contact.added",
                            None,
                            Some(contact.name.clone()),
                        )
                        .await?;
                    }
                    changelog::record(
                        &mut tx,
                        "customer",
                        c.id,
                        changelog::Operation::Update,
                        actor.user_id(),
                        now,
                    )
                    .await?;
                    Outcome::Merged(d)
                }
                _ => {
                    let c = new_customer(r, owner, now);
                    let id = store::save(&mut tx, &c).await?;
                    self.import_history(
                        &mut tx,
                        actor,
                        id,
                        None,
                        "imported",
                        None,
                        Some(c.name.clone()),
                    )
                    .await?;
                    if let Some(mut contact) = new_contact(r, id) {
                        contact.is_primary = true;
                        store::save_contact(&mut tx, &contact, now).await?;
                    }
                    changelog::record(
                        &mut tx,
                        "customer",
                        id,
                        changelog::Operation::Create,
                        actor.user_id(),
                        now,
                    )
                    .await?;
                    Outcome::Created
                }
            };
            out.push(outcome);
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(out)
    }

    #[allow(clippy::too_many_arguments)]
    async fn import_history(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        customer_id: i64,
        contact_id: Option<i64>,
        field: &str,
        old: Option<String>,
        new: Option<String>,
    ) -> Result<()> {
        store::add_history(
            conn,
            &store::Change {
                id: 0,
                customer_id,
                contact_id,
                at: self.now(),
                actor_user_id: actor.user_id(),
                actor_name: actor.name().to_owned(),
                field: field.to_owned(),
                old_value: old,
                new_value: new,
            },
        )
        .await?;
        Ok(())
    }

    /// The record of an import (or dry run), for its report.
    pub async fn customer_import(&self, actor: &Actor, id: i64) -> Result<ImportRecord> {
        actor.require(Permission::CustomerEdit)?;
        let mut conn = self.store.conn().await?;
        let r = store::import_by_id(&mut conn, id).await?;
        if r.user_id != actor.user_id() && actor.require(Permission::UserManage).is_err() {
            return Err(AppError::NotFound);
        }
        Ok(r)
    }
}
