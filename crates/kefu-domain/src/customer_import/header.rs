//! 表头 — which header spellings mean which column, and where the header is: the first row,
//! or the row under a title (`2026年客户名单(内部资料)` typed into cells merged across the top
//! of the sheet, as offices head their lists).

use super::Column;
use crate::customer;

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
    ("类别", Column::Kind),
    ("客户性质", Column::Kind),
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
    ("所在地区", Column::Region),
    ("所在地", Column::Region),
    ("省市", Column::Region),
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
    /// A title over the data with no row of known headers under it.
    #[error("row {row} looks like a title; the header must be the first row")]
    TitleRow { row: usize, text: String },
}

/// The column a header cell names, if kefu knows the spelling.
fn column_of(raw: &str) -> Option<Column> {
    let h = customer::to_half_width(raw)
        .trim()
        .trim_start_matches('\u{feff}')
        .to_lowercase();
    HEADERS.iter().find(|(name, _)| *name == h).map(|(_, c)| *c)
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
        if customer::to_half_width(raw)
            .trim()
            .trim_start_matches('\u{feff}')
            .is_empty()
        {
            return Err(HeaderError::EmptyHeader(i + 1));
        }
        let col = column_of(raw).ok_or_else(|| HeaderError::UnknownHeader {
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

/// Most title rows passed over above a header (a title, a subtitle, a date line).
pub const MAX_TITLE_ROWS: usize = 3;

/// How many of a file's first rows [`header_index`] needs to see: the title rows, blank
/// rows between, and the header.
pub const TOP_ROWS: usize = 10;

fn filled(row: &[String]) -> usize {
    row.iter().filter(|c| !c.trim().is_empty()).count()
}

/// 标题行 — a row of one or two filled cells, none of them a header kefu knows:
/// `2026年客户名单(内部资料)` in cells merged across the sheet, or `制表日期：2026-01-05`.
pub fn is_title_row(row: &[String]) -> bool {
    (1..=2).contains(&filled(row)) && row.iter().all(|c| column_of(c).is_none())
}

fn has_known_header(row: &[String]) -> bool {
    row.iter().any(|c| column_of(c).is_some())
}

/// 表头定位 — the index in `top` (a file's first [`TOP_ROWS`] rows; `first_row` is the
/// spreadsheet row number of `top[0]`) of the header row: the first row that is not blank,
/// unless it is a title row — then, when up to [`MAX_TITLE_ROWS`] title rows are followed by
/// a row with a known header, that row (the caller reports the title rows it passes over).
/// A title row over data with no header under it is refused: the header must be the first
/// row. Anything else is left for [`map_headers`] to judge, as the first row.
pub fn header_index(top: &[Vec<String>], first_row: usize) -> Result<usize, HeaderError> {
    let rows: Vec<usize> = (0..top.len()).filter(|&i| filled(&top[i]) > 0).collect();
    let Some(&first) = rows.first() else {
        return Ok(0);
    };
    if !is_title_row(&top[first]) {
        return Ok(first);
    }
    for (k, &i) in rows.iter().enumerate().skip(1) {
        if k < MAX_TITLE_ROWS && is_title_row(&top[i]) {
            continue;
        }
        if has_known_header(&top[i]) {
            return Ok(i);
        }
        break;
    }
    if filled(&top[first]) == 1 && rows.get(1).is_some_and(|&i| filled(&top[i]) > 1) {
        let text = top[first]
            .iter()
            .find(|c| !c.trim().is_empty())
            .map(|c| c.trim().chars().take(100).collect())
            .unwrap_or_default();
        return Err(HeaderError::TitleRow {
            row: first_row + first,
            text,
        });
    }
    Ok(first)
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
    fn a_title_above_the_header_is_passed_over() {
        let header = s(&["客户名称", "手机", "地区"]);
        let data = s(&["杭州明达贸易有限公司", "13812345678", "浙江杭州"]);
        // The merged cell's text sits in its first cell; the others are empty.
        let title = s(&["2026年客户名单(内部资料)", "", ""]);
        assert_eq!(
            header_index(&[title.clone(), header.clone(), data.clone()], 1),
            Ok(1)
        );
        // A title, a date line, a blank row, then the header.
        let date = s(&["", "", "制表日期：2026-01-05"]);
        let top = [
            title.clone(),
            date,
            s(&["", "", ""]),
            header.clone(),
            data.clone(),
        ];
        assert_eq!(header_index(&top, 1), Ok(3));
        // No title: the header is the first row that is not blank.
        assert_eq!(
            header_index(&[s(&[""]), header.clone(), data.clone()], 1),
            Ok(1)
        );
        assert_eq!(header_index(&[header.clone(), data.clone()], 1), Ok(0));
        // A one-column file with an unknown header is left to map_headers to name.
        assert_eq!(header_index(&[s(&["生日"]), s(&["1990"])], 1), Ok(0));
        assert_eq!(header_index(&[], 1), Ok(0));
    }

    #[test]
    fn a_title_with_no_header_under_it_is_refused() {
        let title = s(&["2026年客户名单(内部资料)", "", ""]);
        let data = s(&["杭州明达贸易有限公司", "13812345678", "浙江杭州"]);
        let err = header_index(&[title, data], 1).unwrap_err();
        assert_eq!(
            err,
            HeaderError::TitleRow {
                row: 1,
                text: "2026年客户名单(内部资料)".into()
            }
        );
        assert_eq!(
            err.to_string(),
            "row 1 looks like a title; the header must be the first row"
        );
    }
}
