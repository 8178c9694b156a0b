//! 客户导入 — the rules of importing customers from a spreadsheet: which column headers
//! mean what (Chinese or English) and where the header is (the `header` module), the
//! words for tier, type, kind and status ([`words`]), what a valid row is — a region split
//! into province and city by China's administrative divisions ([`crate::region`]), a
//! customer's kind taken from the list or from its name ([`CustomerKind::from_name`]) — and
//! what makes two rows the same customer. Reading the file and writing the database happen
//! elsewhere.

use std::collections::HashMap;

use crate::customer::{self, CustomerKind, CustomerStatus, CustomerType, RestHours, Tier};
use crate::region;

mod header;
pub mod words;

pub use header::{HeaderError, MAX_TITLE_ROWS, TOP_ROWS, header_index, is_title_row, map_headers};

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

/// Checks one row (values in file order, as `map_headers` numbered them); returns the
/// cleaned row or every problem found in it.
///
/// - 地区 (region) in one cell is split into province and city by [`region::split`]
///   (`浙江杭州` → `浙江省`, `杭州市`); 省份 and 城市 columns are written in full by
///   [`region::place`] and win over the region cell. What a region names below the city
///   (`朝阳区` of `北京市朝阳区`) becomes the address when the row has none, so it is not lost.
/// - 客户类型 (type) takes 终端客户, 经销商, 代理商; a list that puts 个人 or 企业 there (as
///   many do, 类型 meaning person or company to them) sets the kind instead.
/// - The kind, when no column gives it, follows from the name: [`CustomerKind::from_name`].
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
    let (mut region_text, mut province, mut city) = (String::new(), String::new(), String::new());
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
            Column::Kind => match words::kind(&v) {
                Some(k) => row.kind = Some(k),
                None => bad(col, "bad_kind", &v),
            },
            Column::Tier => match words::tier(&v) {
                Some(t) => row.tier = Some(t),
                None => bad(col, "bad_tier", &v),
            },
            Column::Type => match (words::customer_type(&v), words::kind(&v)) {
                (Some(t), _) => row.customer_type = Some(t),
                (None, Some(k)) => row.kind = row.kind.or(Some(k)),
                (None, None) => bad(col, "bad_type", &v),
            },
            Column::Status => match words::status(&v) {
                Some(s) => row.status = Some(s),
                None => bad(col, "bad_status", &v),
            },
            Column::Province => province = v,
            Column::City => city = v,
            Column::Region => region_text = v,
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
    let from_region = region::split(&region_text);
    let from_columns = region::place(&province, &city);
    let (columns_province, columns_city) = (from_columns.province, from_columns.city);
    row.province = if columns_province.is_empty() {
        from_region.province
    } else {
        columns_province.clone()
    };
    row.city = if !columns_city.is_empty() {
        columns_city
    } else if columns_province.is_empty() || columns_province == row.province {
        from_region.city
    } else {
        String::new()
    };
    if !from_region.rest.is_empty() && row.address.is_empty() {
        row.address = region_text;
    }
    row.name_key = customer::name_key(&row.name);
    if row.kind.is_none() {
        row.kind = Some(CustomerKind::from_name(&row.name));
    }
    if row.contact.is_empty()
        && (row.mobile.is_some() || row.phone.is_some() || row.email.is_some())
    {
        row.contact = row.name.clone();
    }
    Ok(row)
}

/// What made a row the same customer as another row or an existing customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameBy {
    /// The same mainland mobile.
    Mobile,
    /// The same name once width, spaces and punctuation are set aside ([`customer::name_key`]).
    Name,
}

impl SameBy {
    /// The column that matched.
    pub fn column(self) -> Column {
        match self {
            SameBy::Mobile => Column::Mobile,
            SameBy::Name => Column::Name,
        }
    }
}

/// 文件内重复 — for each row (its spreadsheet row number and the row), the first earlier row
/// of the same file that is the same customer: same mobile first, then same name, the order
/// in which an existing customer is looked for too.
pub fn earlier_rows<'a>(
    rows: impl IntoIterator<Item = (usize, &'a ImportRow)>,
) -> Vec<Option<(usize, SameBy)>> {
    let mut by_mobile: HashMap<&'a str, usize> = HashMap::new();
    let mut by_name: HashMap<&'a str, usize> = HashMap::new();
    let mut out = Vec::new();
    for (n, r) in rows {
        let hit = r
            .mobile
            .as_deref()
            .and_then(|m| by_mobile.get(m))
            .map(|&row| (row, SameBy::Mobile))
            .or_else(|| {
                by_name
                    .get(r.name_key.as_str())
                    .map(|&row| (row, SameBy::Name))
            });
        out.push(hit);
        if let Some(m) = r.mobile.as_deref() {
            by_mobile.entry(m).or_insert(n);
        }
        by_name.entry(r.name_key.as_str()).or_insert(n);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
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
        assert_eq!(
            (row.province.as_str(), row.city.as_str()),
            ("浙江省", "杭州市")
        );
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

    fn region_of(text: &str) -> (String, String, String) {
        let cols = map_headers(&s(&["客户名称", "地区"])).unwrap();
        let r = check_row(&cols, &s(&["某客户", text])).unwrap();
        (r.province, r.city, r.address)
    }

    #[test]
    fn a_region_cell_is_split_into_province_and_city() {
        let t = |p: &str, c: &str, a: &str| (p.to_owned(), c.to_owned(), a.to_owned());
        assert_eq!(region_of("浙江省杭州市"), t("浙江省", "杭州市", ""));
        assert_eq!(region_of("浙江杭州"), t("浙江省", "杭州市", ""));
        assert_eq!(region_of("杭州"), t("浙江省", "杭州市", ""));
        assert_eq!(
            region_of("北京市朝阳区"),
            t("北京市", "北京市", "北京市朝阳区")
        );
        assert_eq!(
            region_of("广西壮族自治区南宁市"),
            t("广西壮族自治区", "南宁市", "")
        );
        assert_eq!(
            region_of("内蒙古呼和浩特"),
            t("内蒙古自治区", "呼和浩特市", "")
        );
        assert_eq!(region_of("火星基地"), t("火星基地", "", ""));
        assert_eq!(region_of("Tokyo Shibuya"), t("Tokyo", "Shibuya", ""));
    }

    #[test]
    fn province_and_city_columns_win_over_the_region_and_are_written_in_full() {
        let cols = map_headers(&s(&["客户名称", "省份", "城市", "地区", "地址"])).unwrap();
        let r = check_row(
            &cols,
            &s(&["某客户", "浙江", "宁波", "江苏南京", "中山路1号"]),
        )
        .unwrap();
        assert_eq!((r.province.as_str(), r.city.as_str()), ("浙江省", "宁波市"));
        assert_eq!(r.address, "中山路1号", "the row's own address stays");
        let r = check_row(&cols, &s(&["某客户", "", "", "北京市朝阳区", "建国路8号"])).unwrap();
        assert_eq!((r.province.as_str(), r.city.as_str()), ("北京市", "北京市"));
        assert_eq!(r.address, "建国路8号");
        let r = check_row(&cols, &s(&["某客户", "浙江", "", "浙江杭州", ""])).unwrap();
        assert_eq!((r.province.as_str(), r.city.as_str()), ("浙江省", "杭州市"));
    }

    #[test]
    fn kind_comes_from_its_column_the_type_column_or_the_name() {
        let cols = map_headers(&s(&["客户名称", "类型"])).unwrap();
        let kind_type = |name: &str, v: &str| {
            let r = check_row(&cols, &s(&[name, v])).unwrap();
            (r.kind, r.customer_type)
        };
        assert_eq!(
            kind_type("王建国", "个人"),
            (Some(CustomerKind::Person), None)
        );
        assert_eq!(
            kind_type("明达", "企业"),
            (Some(CustomerKind::Company), None)
        );
        assert_eq!(
            kind_type("杭州明达贸易有限公司", "经销商"),
            (Some(CustomerKind::Company), Some(CustomerType::Distributor))
        );
        assert_eq!(
            kind_type("李娜", "distributor"),
            (Some(CustomerKind::Person), Some(CustomerType::Distributor))
        );
        assert_eq!(kind_type("李娜", ""), (Some(CustomerKind::Person), None));
        let err = check_row(&cols, &s(&["李娜", "金牌"])).unwrap_err();
        assert_eq!(err[0].reason, "bad_type");
        // 客户类别 wins over a kind read from 类型.
        let cols = map_headers(&s(&["客户名称", "客户类别", "类型"])).unwrap();
        let r = check_row(&cols, &s(&["王建国", "企业", "个人"])).unwrap();
        assert_eq!(r.kind, Some(CustomerKind::Company));
    }

    #[test]
    fn tier_and_type_read_labels_and_keys() {
        let cols = map_headers(&s(&["客户名称", "客户等级", "客户类型", "客户状态"])).unwrap();
        let r = check_row(&cols, &s(&["甲公司", "大客户", "经销商", "活跃"])).unwrap();
        let k = check_row(
            &cols,
            &s(&["甲公司", "key_account", "distributor", "active"]),
        )
        .unwrap();
        assert_eq!(r.tier, Some(Tier::KeyAccount));
        assert_eq!(r.customer_type, Some(CustomerType::Distributor));
        assert_eq!(r.status, Some(CustomerStatus::Active));
        assert_eq!(
            (r.tier, r.customer_type, r.status),
            (k.tier, k.customer_type, k.status)
        );
    }

    #[test]
    fn repeated_rows_name_the_earlier_row() {
        let cols = map_headers(&s(&["客户名称", "手机"])).unwrap();
        let rows: Vec<(usize, ImportRow)> = [
            (2, ["杭州明达贸易有限公司", "13812345678"]),
            (3, ["成都天府家电城", "13987650000"]),
            (4, ["杭州明达贸易分公司", "138 1234 5678"]),
            (5, ["成都 天府家电城", ""]),
            (6, ["广州粤海酒店", ""]),
        ]
        .into_iter()
        .map(|(n, v)| (n, check_row(&cols, &s(&v)).unwrap()))
        .collect();
        let found = earlier_rows(rows.iter().map(|(n, r)| (*n, r)));
        assert_eq!(
            found,
            vec![
                None,
                None,
                Some((2, SameBy::Mobile)),
                Some((3, SameBy::Name)),
                None
            ]
        );
        assert_eq!(SameBy::Mobile.column().key(), "mobile");
    }
}
