//! 客户导入导出 — importing customers from CSV or XLSX (Chinese or English headers, UTF-8
//! or GBK) with a dry run, per-row problems, duplicate handling and a transaction per batch;
//! exporting the filtered list (written to CSV or XLSX by [`crate::export`]) with sensitive
//! values masked unless the user may export them (which is audited).

use kefu_domain::Permission;
use kefu_domain::customer::{
    self as rules, CustomerKind, CustomerStatus, CustomerType, SensitiveField, Tier,
};
use kefu_domain::customer_import::{self as import_rules, ImportRow};
use kefu_store::customer::{self as store, Contact, Customer, CustomerFilter, ImportRecord};
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

mod file;

use file::is_blank;

pub use file::{
    ImportFileError, MAX_IMPORT_BYTES, MAX_IMPORT_COLUMNS, MAX_IMPORT_ROWS, MAX_SHEET_ROW,
    MAX_XLSX_ENTRIES, MAX_XLSX_ENTRY_BYTES, MAX_XLSX_RATIO, MAX_XLSX_UNPACKED_BYTES, Table,
    XLSX_RATIO_FLOOR_BYTES, read_table,
};

/// One row's problem: spreadsheet row number (the header is row 1), column, reason, value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub row: usize,
    pub column: String,
    pub reason: String,
    pub value: String,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    pub import_id: i64,
    pub dry_run: bool,
    /// `utf-8` or `gbk`.
    pub encoding: &'static str,
    pub rows: usize,
    pub created: usize,
    pub merged: usize,
    pub skipped: usize,
    pub failed: usize,
    pub problems: Vec<Problem>,
}

/// What happened to one row.
enum Outcome {
    Created,
    Merged,
    Skipped,
}

fn new_customer(r: &ImportRow, owner: Option<i64>, now: jiff::Timestamp) -> Customer {
    let opt = |s: &str| Some(s.to_owned()).filter(|x| !x.is_empty());
    Customer {
        id: 0,
        kind: r.kind.unwrap_or(CustomerKind::Company).key().to_owned(),
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

/// The existing customer a row matches: by mobile first, then by normalised name.
async fn existing(conn: &mut AnyConnection, r: &ImportRow) -> Result<Option<Customer>> {
    if let Some(m) = &r.mobile
        && let Some(c) = store::contacts_by_mobile(conn, m).await?.into_iter().next()
    {
        return Ok(Some(store::by_id(conn, c.customer_id).await?));
    }
    Ok(store::by_name_key(conn, &r.name_key)
        .await?
        .into_iter()
        .next())
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
        // Check every row first; keep the good ones with their spreadsheet row numbers.
        let mut good: Vec<(usize, ImportRow)> = Vec::new();
        for (i, values) in table.rows.iter().enumerate() {
            if is_blank(values) {
                continue;
            }
            report.rows += 1;
            let row_no = i + 2;
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
                        }));
                }
            }
        }
        let total = good.len();
        let owner = actor.user_id();
        let mut done = 0;
        // A dry run writes nothing, so the rows it would create are remembered here.
        let mut seen_keys: Vec<String> = Vec::new();
        let mut seen_mobiles: Vec<String> = Vec::new();
        for batch in good.chunks(BATCH) {
            if dry_run {
                let mut conn = self.store.conn().await?;
                for (_, r) in batch {
                    let seen = seen_keys.contains(&r.name_key)
                        || r.mobile.as_ref().is_some_and(|m| seen_mobiles.contains(m));
                    let dup = seen || existing(&mut conn, r).await?.is_some();
                    seen_keys.push(r.name_key.clone());
                    seen_mobiles.extend(r.mobile.clone());
                    match (dup, duplicates) {
                        (false, _) => report.created += 1,
                        (true, Duplicates::Skip) => report.skipped += 1,
                        (true, Duplicates::Merge) => report.merged += 1,
                    }
                }
            } else {
                match self.import_batch(actor, batch, duplicates, owner).await {
                    Ok(outcomes) => {
                        for o in outcomes {
                            match o {
                                Outcome::Created => report.created += 1,
                                Outcome::Merged => report.merged += 1,
                                Outcome::Skipped => report.skipped += 1,
                            }
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
                                Ok(o) => match o.first() {
                                    Some(Outcome::Created) => report.created += 1,
                                    Some(Outcome::Merged) => report.merged += 1,
                                    _ => report.skipped += 1,
                                },
                                Err(e) => {
                                    report.failed += 1;
                                    report.problems.push(Problem {
                                        row: item.0,
                                        column: "name".into(),
                                        reason: "not_saved".into(),
                                        value: e.to_string(),
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
        // Keep the record of the run, for the report to download.
        let now = self.now();
        let problems: Vec<serde_json::Value> = report
            .problems
            .iter()
            .map(|p| json!([p.row, p.column, p.reason, p.value]))
            .collect();
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
                problems: serde_json::Value::Array(problems).to_string(),
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
        batch: &[(usize, ImportRow)],
        duplicates: Duplicates,
        owner: Option<i64>,
    ) -> Result<Vec<Outcome>> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let mut out = Vec::with_capacity(batch.len());
        for (_, r) in batch {
            let outcome = match (existing(&mut tx, r).await?, duplicates) {
                (Some(_), Duplicates::Skip) => Outcome::Skipped,
                (Some(mut c), Duplicates::Merge) => {
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
                    Outcome::Merged
                }
                (None, _) => {
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

    /// The customers matching `filter` as rows for a spreadsheet, header first; sensitive
    /// values masked unless the user may export them, in which case the export is audited.
    pub async fn export_customers(
        &self,
        actor: &Actor,
        filter: &CustomerFilter,
        sensitive: bool,
    ) -> Result<Vec<Vec<String>>> {
        actor.require(Permission::CustomerView)?;
        if sensitive {
            actor.require(Permission::CustomerExportSensitive)?;
        }
        let mut conn = self.store.conn().await?;
        let mut rows = vec![
            [
                "客户名称",
                "客户类别",
                "客户等级",
                "客户类型",
                "客户状态",
                "省份",
                "城市",
                "行业",
                "标签",
                "联系人",
                "职务",
                "手机",
                "电话",
                "邮箱",
                "微信",
                "免打扰时段",
                "地址",
                "身份证号",
                "银行账户",
            ]
            .iter()
            .map(|s| (*s).to_owned())
            .collect::<Vec<String>>(),
        ];
        let mut after = None;
        loop {
            let page = store::list(&mut conn, filter, None, after, 1000).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.id);
            for c in &page {
                let contacts = store::contacts_of(&mut conn, c.id).await?;
                let hide = |f: SensitiveField, v: &Option<String>| -> String {
                    let v = v.clone().unwrap_or_default();
                    if sensitive { v } else { rules::mask(f, &v) }
                };
                let base = |contact: Option<&Contact>| -> Vec<String> {
                    vec![
                        c.name.clone(),
                        c.kind.clone(),
                        c.tier.clone(),
                        c.customer_type.clone(),
                        c.status.clone(),
                        c.province.clone().unwrap_or_default(),
                        c.city.clone().unwrap_or_default(),
                        c.industry.clone().unwrap_or_default(),
                        c.tags.join(","),
                        contact.map(|x| x.name.clone()).unwrap_or_default(),
                        contact.and_then(|x| x.title.clone()).unwrap_or_default(),
                        contact
                            .map(|x| hide(SensitiveField::Mobile, &x.mobile))
                            .unwrap_or_default(),
                        contact
                            .map(|x| hide(SensitiveField::Phone, &x.phone))
                            .unwrap_or_default(),
                        contact
                            .and_then(|x| x.email.clone())
                            .map(|e| if sensitive { e } else { rules::mask_email(&e) })
                            .unwrap_or_default(),
                        contact.and_then(|x| x.wechat.clone()).unwrap_or_default(),
                        contact.map(|x| x.rest_hours.clone()).unwrap_or_default(),
                        hide(SensitiveField::Address, &c.address),
                        hide(SensitiveField::IdNumber, &c.id_number),
                        hide(SensitiveField::BankAccount, &c.bank_account),
                    ]
                };
                if contacts.is_empty() {
                    rows.push(base(None));
                } else {
                    for contact in &contacts {
                        rows.push(base(Some(contact)));
                    }
                }
            }
        }
        if sensitive {
            drop(conn);
            let mut tx = self.store.begin().await?;
            audit::write(
                &mut tx,
                self,
                actor,
                action::SENSITIVE_EXPORTED,
                Some(Target {
                    kind: "customers",
                    id: "export",
                }),
                Some(json!({"rows": rows.len() - 1})),
            )
            .await?;
            tx.commit().await.map_err(StoreError::from)?;
        }
        Ok(rows)
    }
}
