//! 客户导入 — the rules of importing customers from a spreadsheet: which column headers
//! mean what (Chinese or English), what a valid row is, and what makes two rows the same
//! customer. Reading the file and writing the database happen elsewhere.

use crate::customer::{self, CustomerStatus, CustomerType, RestHours, Tier};

/// A column kefu understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Name,
    Kind,
    Tier,
    Type,
    Status,
    Province,
    City,
    Region,
    Industry,
    Tags,
    Notes,
    Contact,
    Title,
    Mobile,
    Phone,
    Email,
    Wechat,
    RestHours,
    Address,
    IdNumber,
    BankAccount,
}

impl Column {
    pub fn key(self) -> &'static str {
        match self {
            Column::Name => "name",
            Column::Kind => "kind",
            Column::Tier => "tier",
            Column::Type => "type",
            Column::Status => "status",
            Column::Province => "province",
            Column::City => "city",
            Column::Region => "region",
            Column::Industry => "industry",
            Column::Tags => "tags",
            Column::Notes => "notes",
            Column::Contact => "contact",
            Column::Title => "title",
            Column::Mobile => "mobile",
            Column::Phone => "phone",
            Column::Email => "email",
            Column::Wechat => "wechat",
            Column::RestHours => "rest_hours",
            Column::Address => "address",
            Column::IdNumber => "id_number",
            Column::BankAccount => "bank_account",
        }
    }
}

/// Header spellings, compared after trimming, half-width conversion and lower-casing.
const HEADERS: &[(&str, Column)] = &[
    ("客户名称", Column::Name),
    ("客户", Column::Name),
    ("公司名称", Column::Name),
    ("名称", Column::Name),
    ("name", Column::Name),
    ("customer", Column::Name),
    ("customer name", Column::Name),
    ("客户类别", Column::Kind),
    ("kind", Column::Kind),
    ("客户等级", Column::Tier),
    ("等级", Column::Tier),
    ("tier", Column::Tier),
    ("客户类型", Column::Type),
    ("类型", Column::Type),
    ("type", Column::Type),
    ("客户状态", Column::Status),
    ("状态", Column::Status),
    ("status", Column::Status),
    ("省份", Column::Province),
    ("省", Column::Province),
    ("province", Column::Province),
    ("城市", Column::City),
    ("市", Column::City),
    ("city", Column::City),
    ("地区", Column::Region),
    ("区域", Column::Region),
    ("region", Column::Region),
    ("行业", Column::Industry),
    ("industry", Column::Industry),
    ("标签", Column::Tags),
    ("tags", Column::Tags),
    ("备注", Column::Notes),
    ("notes", Column::Notes),
    ("联系人", Column::Contact),
    ("联系人姓名", Column::Contact),
    ("contact", Column::Contact),
    ("职务", Column::Title),
    ("title", Column::Title),
    ("手机", Column::Mobile),
    ("手机号", Column::Mobile),
    ("手机号码", Column::Mobile),
    ("mobile", Column::Mobile),
    ("电话", Column::Phone),
    ("座机", Column::Phone),
    ("phone", Column::Phone),
    ("邮箱", Column::Email),
    ("电子邮箱", Column::Email),
    ("email", Column::Email),
    ("微信", Column::Wechat),
    ("微信号", Column::Wechat),
    ("wechat", Column::Wechat),
    ("免打扰时段", Column::RestHours),
    ("rest hours", Column::RestHours),
    ("地址", Column::Address),
    ("address", Column::Address),
    ("身份证号", Column::IdNumber),
    ("id number", Column::IdNumber),
    ("银行账户", Column::BankAccount),
    ("银行账号", Column::BankAccount),
    ("bank account", Column::BankAccount),
];

/// Why a file cannot be read as a whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    #[error("no column names the customer (客户名称 / name)")]
    MissingName,
    #[error("column {0} has no header (merged header cells?)")]
    EmptyHeader(usize),
    #[error("column {column} header {header:?} is not known")]
    UnknownHeader { column: usize, header: String },
    #[error("header {0:?} appears twice")]
    Duplicate(String),
}

/// Maps a header row to columns. Empty trailing headers are ignored; an empty header
/// between named ones (what a merged cell leaves behind) is an error, as is an unknown one.
pub fn map_headers(headers: &[String]) -> Result<Vec<Option<Column>>, HeaderError> {
    let last = headers
        .iter()
        .rposition(|h| !h.trim().is_empty())
        .map_or(0, |i| i + 1);
    let mut out = Vec::new();
    let mut seen = Vec::new();
    for (i, raw) in headers.iter().enumerate() {
        if i >= last {
            out.push(None);
            continue;
        }
        let h = customer::to_half_width(raw)
            .trim()
            .trim_start_matches('\u{feff}')
            .to_lowercase();
        if h.is_empty() {
            return Err(HeaderError::EmptyHeader(i + 1));
        }
        let col = HEADERS
            .iter()
            .find(|(name, _)| *name == h)
            .map(|(_, c)| *c)
            .ok_or_else(|| HeaderError::UnknownHeader {
                column: i + 1,
                header: raw.trim().to_owned(),
            })?;
        if seen.contains(&col) {
            return Err(HeaderError::Duplicate(raw.trim().to_owned()));
        }
        seen.push(col);
        out.push(Some(col));
    }
    if !seen.contains(&Column::Name) {
        return Err(HeaderError::MissingName);
    }
    Ok(out)
}

/// One problem in a row: the column and the reason (a translation key and its value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    pub column: &'static str,
    /// `required`, `bad_mobile`, `bad_phone`, `bad_email`, `bad_tier`, `bad_type`,
    /// `bad_status`, `bad_kind`, `bad_rest_hours`, `too_long`.
    pub reason: &'static str,
    pub value: String,
}

/// A row that passed the checks, values cleaned.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImportRow {
    pub name: String,
    pub name_key: String,
    pub kind: Option<customer::CustomerKind>,
    pub tier: Option<Tier>,
    pub customer_type: Option<CustomerType>,
    pub status: Option<CustomerStatus>,
    pub province: String,
    pub city: String,
    pub industry: String,
    pub tags: String,
    pub notes: String,
    pub contact: String,
    pub title: String,
    pub mobile: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub wechat: String,
    pub rest_hours: String,
    pub address: String,
    pub id_number: String,
    pub bank_account: String,
}

fn tier(s: &str) -> Option<Tier> {
    match s {
        "大客户" | "重点客户" | "key_account" | "key account" => Some(Tier::KeyAccount),
        "vip" | "VIP" | "Vip" => Some(Tier::Vip),
        "普通" | "普通客户" | "normal" => Some(Tier::Normal),
        _ => None,
    }
}

fn customer_type(s: &str) -> Option<CustomerType> {
    match s {
        "终端客户" | "终端" | "end_customer" | "end customer" => {
            Some(CustomerType::EndCustomer)
        }
        "经销商" | "distributor" => Some(CustomerType::Distributor),
        "代理商" | "网点" | "dealer" => Some(CustomerType::Dealer),
        _ => None,
    }
}

fn status(s: &str) -> Option<CustomerStatus> {
    match s {
        "潜在" | "潜在客户" | "prospect" => Some(CustomerStatus::Prospect),
        "活跃" | "正常" | "active" => Some(CustomerStatus::Active),
        "休眠" | "dormant" => Some(CustomerStatus::Dormant),
        "流失" | "lost" => Some(CustomerStatus::Lost),
        _ => None,
    }
}

fn kind(s: &str) -> Option<customer::CustomerKind> {
    match s {
        "企业" | "公司" | "company" => Some(customer::CustomerKind::Company),
        "个人" | "person" => Some(customer::CustomerKind::Person),
        _ => None,
    }
}

/// Checks one row (values in file order, as `map_headers` numbered them); returns the
/// cleaned row or every problem found in it.
pub fn check_row(
    columns: &[Option<Column>],
    values: &[String],
) -> Result<ImportRow, Vec<RowProblem>> {
    let mut row = ImportRow::default();
    let mut problems = Vec::new();
    let mut bad = |column: Column, reason: &'static str, value: &str| {
        problems.push(RowProblem {
            column: column.key(),
            reason,
            value: value.to_owned(),
        })
    };
    for (i, col) in columns.iter().enumerate() {
        let Some(col) = *col else { continue };
        let raw = values.get(i).map(String::as_str).unwrap_or("");
        let v = customer::to_half_width(raw).trim().to_owned();
        if v.chars().count() > 1000 {
            bad(col, "too_long", &v.chars().take(20).collect::<String>());
            continue;
        }
        if v.is_empty() {
            continue;
        }
        match col {
            Column::Name => row.name = raw.trim().to_owned(),
            Column::Kind => match kind(&v) {
                Some(k) => row.kind = Some(k),
                None => bad(col, "bad_kind", &v),
            },
            Column::Tier => match tier(&v) {
                Some(t) => row.tier = Some(t),
                None => bad(col, "bad_tier", &v),
            },
            Column::Type => match customer_type(&v) {
                Some(t) => row.customer_type = Some(t),
                None => bad(col, "bad_type", &v),
            },
            Column::Status => match status(&v) {
                Some(s) => row.status = Some(s),
                None => bad(col, "bad_status", &v),
            },
            Column::Province => row.province = v,
            Column::City => row.city = v,
            Column::Region => {
                // "浙江 杭州", "浙江省杭州市", "浙江/杭州": province and city when both are given.
                let parts: Vec<&str> = v
                    .split([' ', '/', '-', '，', ','])
                    .filter(|p| !p.is_empty())
                    .collect();
                match parts.as_slice() {
                    [p, c, ..] => {
                        row.province = (*p).to_owned();
                        row.city = (*c).to_owned();
                    }
                    [p] => row.province = (*p).to_owned(),
                    [] => {}
                }
            }
            Column::Industry => row.industry = v,
            Column::Tags => row.tags = v,
            Column::Notes => row.notes = raw.trim().to_owned(),
            Column::Contact => row.contact = v,
            Column::Title => row.title = v,
            Column::Mobile => match customer::clean_mobile(&v) {
                Ok(m) => row.mobile = Some(m),
                Err(_) => bad(col, "bad_mobile", &v),
            },
            Column::Phone => match customer::clean_phone(&v) {
                Ok(p) => row.phone = Some(p),
                Err(_) => bad(col, "bad_phone", &v),
            },
            Column::Email => match crate::staff::check_email(&v) {
                Ok(()) => row.email = Some(v.to_lowercase()),
                Err(_) => bad(col, "bad_email", &v),
            },
            Column::Wechat => row.wechat = v,
            Column::RestHours => match RestHours::parse(&v) {
                Ok(r) => row.rest_hours = r.to_string(),
                Err(_) => bad(col, "bad_rest_hours", &v),
            },
            Column::Address => row.address = v,
            Column::IdNumber => row.id_number = v,
            Column::BankAccount => row.bank_account = v,
        }
    }
    if row.name.is_empty() {
        bad(Column::Name, "required", "");
    } else if row.name.chars().count() > 200 {
        bad(
            Column::Name,
            "too_long",
            &row.name.chars().take(20).collect::<String>(),
        );
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    row.name_key = customer::name_key(&row.name);
    if row.contact.is_empty()
        && (row.mobile.is_some() || row.phone.is_some() || row.email.is_some())
    {
        row.contact = row.name.clone();
    }
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn chinese_and_english_headers_map_to_columns() {
        let cols = map_headers(&s(&[
            "\u{feff}客户名称",
            "联系人",
            "手机",
            "地区",
            "客户等级",
            "",
            "",
        ]))
        .unwrap();
        assert_eq!(cols[0], Some(Column::Name));
        assert_eq!(cols[3], Some(Column::Region));
        assert_eq!(cols[5], None);
        let cols = map_headers(&s(&["Name", "Mobile", "TIER"])).unwrap();
        assert_eq!(
            cols,
            vec![Some(Column::Name), Some(Column::Mobile), Some(Column::Tier)]
        );
    }

    #[test]
    fn header_problems_are_named() {
        assert_eq!(
            map_headers(&s(&["联系人", "手机"])),
            Err(HeaderError::MissingName)
        );
        assert_eq!(
            map_headers(&s(&["客户名称", "", "手机"])),
            Err(HeaderError::EmptyHeader(2))
        );
        assert_eq!(
            map_headers(&s(&["客户名称", "生日"])),
            Err(HeaderError::UnknownHeader {
                column: 2,
                header: "生日".into()
            })
        );
        assert_eq!(
            map_headers(&s(&["客户名称", "名称"])),
            Err(HeaderError::Duplicate("名称".into()))
        );
    }

    #[test]
    fn rows_are_cleaned_or_every_problem_is_listed() {
        let cols = map_headers(&s(&["客户名称", "手机", "地区", "客户等级", "邮箱"])).unwrap();
        let row = check_row(
            &cols,
            &s(&[
                "杭州 明达",
                "１３８ 1234 5678",
                "浙江 杭州",
                "大客户",
                "A@B.cn",
            ]),
        )
        .unwrap();
        assert_eq!(row.mobile.as_deref(), Some("13812345678"));
        assert_eq!((row.province.as_str(), row.city.as_str()), ("浙江", "杭州"));
        assert_eq!(row.tier, Some(Tier::KeyAccount));
        assert_eq!(row.contact, "杭州 明达", "a lone mobile gets a contact");
        let problems = check_row(&cols, &s(&["", "12345", "", "金牌", "nope"])).unwrap_err();
        let reasons: Vec<(&str, &str)> = problems.iter().map(|p| (p.column, p.reason)).collect();
        assert_eq!(
            reasons,
            vec![
                ("mobile", "bad_mobile"),
                ("tier", "bad_tier"),
                ("email", "bad_email"),
                ("name", "required")
            ]
        );
    }
}
