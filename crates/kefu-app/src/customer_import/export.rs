//! 客户导出 — the filtered customer list as rows for a spreadsheet, in the words people
//! read: tier, type, kind and status as their Chinese labels (大客户, 经销商, 企业, 活跃), which
//! the import reads back, so an export imports again unchanged.

use kefu_domain::Permission;
use kefu_domain::customer::{self as rules, SensitiveField};
use kefu_domain::customer_import::{Column, words};
use kefu_store::StoreError;
use kefu_store::customer::{self as store, Contact, CustomerFilter};
use serde_json::json;

use crate::audit::{self, Target, action};
use crate::{Actor, App, Result};

impl App {
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
                        words::label_of_key(Column::Kind, &c.kind),
                        words::label_of_key(Column::Tier, &c.tier),
                        words::label_of_key(Column::Type, &c.customer_type),
                        words::label_of_key(Column::Status, &c.status),
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
