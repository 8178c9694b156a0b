//! 目录导入 — reading product and part lists (CSV or XLSX from another system or a
//! spreadsheet) row by row: which header is which column, in Chinese or English, and each
//! cell read into the catalogue's terms, every problem named by row and column.

use crate::money;

use super::catalogue::{self, CatalogueError, MAX_MODEL, MAX_NAME, MAX_WARRANTY_MONTHS};

keyed! {
    /// A column of a product list.
    ProductColumn {
        Sku = "sku",
        Name = "name",
        Model = "model",
        Category = "category",
        Price = "price",
        Warranty = "warranty_months",
        Serial = "serial_tracked",
        Active = "active",
    }
}

keyed! {
    /// A column of a part list.
    PartColumn {
        PartNumber = "part_number",
        Name = "name",
        Cost = "cost",
        Unit = "unit",
        UsedIn = "used_in",
        Active = "active",
    }
}

const PRODUCT_HEADERS: &[(ProductColumn, &[&str])] = &[
    (
        ProductColumn::Sku,
        &[
            "sku",
            "产品编码",
            "产品编号",
            "商品编码",
            "物料编码",
            "编码",
        ],
    ),
    (
        ProductColumn::Name,
        &["name", "名称", "产品名称", "商品名称", "品名"],
    ),
    (ProductColumn::Model, &["model", "型号", "规格型号", "规格"]),
    (
        ProductColumn::Category,
        &["category", "类别", "产品类别", "分类", "品类"],
    ),
    (
        ProductColumn::Price,
        &[
            "price",
            "价格",
            "标准价",
            "单价",
            "零售价",
            "价格(元)",
            "价格（元）",
        ],
    ),
    (
        ProductColumn::Warranty,
        &[
            "warranty_months",
            "warranty",
            "保修期",
            "保修期(月)",
            "保修期（月）",
            "保修月数",
        ],
    ),
    (
        ProductColumn::Serial,
        &["serial_tracked", "序列号管理", "序列号", "按序列号管理"],
    ),
    (ProductColumn::Active, &["active", "启用", "状态"]),
];

const PART_HEADERS: &[(PartColumn, &[&str])] = &[
    (
        PartColumn::PartNumber,
        &["part_number", "料号", "配件编码", "配件编号", "物料号"],
    ),
    (PartColumn::Name, &["name", "名称", "配件名称", "品名"]),
    (
        PartColumn::Cost,
        &["cost", "成本", "成本价", "单价", "成本(元)", "成本（元）"],
    ),
    (PartColumn::Unit, &["unit", "单位", "计量单位"]),
    (
        PartColumn::UsedIn,
        &["used_in", "适用产品", "适用机型", "用于"],
    ),
    (PartColumn::Active, &["active", "启用", "状态"]),
];

/// Why a file's header does not do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ColumnError {
    #[error("the column {0} is missing")]
    Missing(&'static str),
    #[error("the column {0} appears twice")]
    Twice(&'static str),
}

fn normal(header: &str) -> String {
    header
        .trim()
        .trim_start_matches('*')
        .trim()
        .to_lowercase()
        .replace(' ', "")
}

pub(crate) fn map<C: Copy + PartialEq>(
    headers: &[String],
    table: &[(C, &[&str])],
    key: impl Fn(C) -> &'static str,
    required: &[C],
) -> Result<Vec<Option<C>>, ColumnError> {
    let mut out: Vec<Option<C>> = Vec::with_capacity(headers.len());
    for h in headers {
        let h = normal(h);
        let found = table
            .iter()
            .find(|(_, names)| names.iter().any(|n| normal(n) == h))
            .map(|(c, _)| *c);
        if let Some(c) = found
            && out.contains(&Some(c))
        {
            return Err(ColumnError::Twice(key(c)));
        }
        out.push(found);
    }
    for &c in required {
        if !out.contains(&Some(c)) {
            return Err(ColumnError::Missing(key(c)));
        }
    }
    Ok(out)
}

/// Which column of a product list each header is (`None`: not read).
pub fn product_columns(headers: &[String]) -> Result<Vec<Option<ProductColumn>>, ColumnError> {
    use ProductColumn as C;
    map(
        headers,
        PRODUCT_HEADERS,
        C::key,
        &[C::Sku, C::Name, C::Category, C::Price],
    )
}

/// Which column of a part list each header is (`None`: not read).
pub fn part_columns(headers: &[String]) -> Result<Vec<Option<PartColumn>>, ColumnError> {
    use PartColumn as C;
    map(
        headers,
        PART_HEADERS,
        C::key,
        &[C::PartNumber, C::Name, C::Cost],
    )
}

keyed! {
    /// Why a cell is refused.
    CellProblem {
        /// 编码只能含字母、数字和 - _ . /
        BadCode = "bad_code",
        Missing = "missing",
        TooLong = "too_long",
        /// 金额格式不对（元，最多两位小数）
        BadMoney = "bad_money",
        /// 超过金额上限
        TooMuch = "too_much",
        BadWarranty = "bad_warranty",
        /// 是/否
        BadYesNo = "bad_yes_no",
        /// 适用产品的编码不在目录中
        UnknownSku = "unknown_sku",
        BadUse = "bad_use",
        /// 同一编码在文件中出现两次
        Repeated = "repeated",
    }
}

/// A cell refused: the column's key, why, and the value as read (at most 50 characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    pub column: &'static str,
    pub problem: CellProblem,
    pub value: String,
}

fn cell_error(column: &'static str, problem: CellProblem, value: &str) -> CellError {
    CellError {
        column,
        problem,
        value: value.chars().take(50).collect(),
    }
}

fn catalogue_problem(e: &CatalogueError) -> CellProblem {
    match e {
        CatalogueError::BadCode { .. } => CellProblem::BadCode,
        CatalogueError::Missing { .. } => CellProblem::Missing,
        CatalogueError::TooLong { .. } => CellProblem::TooLong,
        CatalogueError::Warranty => CellProblem::BadWarranty,
        CatalogueError::Amount { .. } => CellProblem::TooMuch,
        _ => CellProblem::BadUse,
    }
}

/// Yuan in a cell to fen, within the ceiling.
pub fn money_cell(column: &'static str, raw: &str) -> Result<i64, CellError> {
    if raw.trim().is_empty() {
        return Err(cell_error(column, CellProblem::Missing, raw));
    }
    let fen = money::parse_yuan(raw.trim().trim_start_matches(['¥', '￥']))
        .ok_or_else(|| cell_error(column, CellProblem::BadMoney, raw))?;
    money::amount(fen).map_err(|_| cell_error(column, CellProblem::TooMuch, raw))
}

/// 是/否 in a cell; blank is `default`.
pub fn yes_no(column: &'static str, raw: &str, default: bool) -> Result<bool, CellError> {
    match raw.trim().to_lowercase().as_str() {
        "" => Ok(default),
        "是" | "y" | "yes" | "true" | "1" | "启用" | "有效" => Ok(true),
        "否" | "n" | "no" | "false" | "0" | "停用" | "无效" => Ok(false),
        _ => Err(cell_error(column, CellProblem::BadYesNo, raw)),
    }
}

/// A product row as read: the product's fields, with the category by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductLine {
    pub sku: String,
    pub name: String,
    pub model: String,
    pub category: String,
    pub price_fen: i64,
    pub warranty_months: u32,
    pub serial_tracked: bool,
    pub active: bool,
}

pub(crate) fn text<C: Copy + PartialEq>(cells: &[String], columns: &[Option<C>], c: C) -> String {
    columns
        .iter()
        .position(|x| *x == Some(c))
        .and_then(|i| cells.get(i))
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

/// Reads a product row; every cell refused is named.
pub fn product_line(
    cells: &[String],
    columns: &[Option<ProductColumn>],
) -> Result<ProductLine, Vec<CellError>> {
    use ProductColumn as C;
    let t = |c| text(cells, columns, c);
    let mut errors = Vec::new();
    let mut keep = |r: Result<String, CatalogueError>, c: C, raw: &str| match r {
        Ok(v) => v,
        Err(e) => {
            errors.push(cell_error(c.key(), catalogue_problem(&e), raw));
            String::new()
        }
    };
    let sku = keep(catalogue::code("sku", &t(C::Sku)), C::Sku, &t(C::Sku));
    let name = keep(
        catalogue::name("name", &t(C::Name), MAX_NAME),
        C::Name,
        &t(C::Name),
    );
    let model = keep(
        catalogue::optional("model", &t(C::Model), MAX_MODEL),
        C::Model,
        &t(C::Model),
    );
    let category = keep(
        catalogue::name("category", &t(C::Category), MAX_NAME),
        C::Category,
        &t(C::Category),
    );
    let price_fen = money_cell("price", &t(C::Price)).unwrap_or_else(|e| {
        errors.push(e);
        0
    });
    let warranty_raw = t(C::Warranty);
    let warranty_months = if warranty_raw.is_empty() {
        0
    } else {
        match warranty_raw.parse::<u32>() {
            Ok(m) if m <= MAX_WARRANTY_MONTHS => m,
            _ => {
                errors.push(cell_error(
                    "warranty_months",
                    CellProblem::BadWarranty,
                    &warranty_raw,
                ));
                0
            }
        }
    };
    let serial_tracked = yes_no("serial_tracked", &t(C::Serial), false).unwrap_or_else(|e| {
        errors.push(e);
        false
    });
    let active = yes_no("active", &t(C::Active), true).unwrap_or_else(|e| {
        errors.push(e);
        true
    });
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ProductLine {
        sku,
        name,
        model,
        category,
        price_fen,
        warranty_months,
        serial_tracked,
        active,
    })
}

/// A part row as read: the part's fields, with where it is used by SKU and quantity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartLine {
    pub part_number: String,
    pub name: String,
    pub cost_fen: i64,
    pub unit: String,
    pub used_in: Vec<(String, u32)>,
    pub active: bool,
}

/// The products a part is used in as written in one cell: SKUs separated by `,` `，` `、`
/// `;` or spaces, each with an optional quantity (`AC-35GW*2`, `AC-35GW×2`, `AC-35GW x2`).
pub fn uses_cell(raw: &str) -> Result<Vec<(String, u32)>, CellError> {
    let bad = || cell_error("used_in", CellProblem::BadUse, raw);
    let mut out: Vec<(String, u32)> = Vec::new();
    for piece in raw
        .split([',', '，', '、', ';', '；', ' ', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let (sku, quantity) = match piece.split_once(['*', '×']) {
            Some((s, q)) => (s, q.trim().parse::<u32>().map_err(|_| bad())?),
            None => (piece, 1),
        };
        let sku = catalogue::code("used_in", sku).map_err(|_| bad())?;
        if quantity == 0 || quantity > catalogue::MAX_USE_QUANTITY {
            return Err(bad());
        }
        if out.iter().any(|(s, _)| *s == sku) {
            return Err(cell_error("used_in", CellProblem::Repeated, raw));
        }
        out.push((sku, quantity));
    }
    if out.len() > catalogue::MAX_USES {
        return Err(bad());
    }
    Ok(out)
}

/// Reads a part row; every cell refused is named.
pub fn part_line(
    cells: &[String],
    columns: &[Option<PartColumn>],
) -> Result<PartLine, Vec<CellError>> {
    use PartColumn as C;
    let t = |c| text(cells, columns, c);
    let mut errors = Vec::new();
    let part_number = catalogue::code("part_number", &t(C::PartNumber)).unwrap_or_else(|e| {
        errors.push(cell_error(
            "part_number",
            catalogue_problem(&e),
            &t(C::PartNumber),
        ));
        String::new()
    });
    let name = catalogue::name("name", &t(C::Name), MAX_NAME).unwrap_or_else(|e| {
        errors.push(cell_error("name", catalogue_problem(&e), &t(C::Name)));
        String::new()
    });
    let cost_fen = money_cell("cost", &t(C::Cost)).unwrap_or_else(|e| {
        errors.push(e);
        0
    });
    let unit = catalogue::optional("unit", &t(C::Unit), 10).unwrap_or_else(|e| {
        errors.push(cell_error("unit", catalogue_problem(&e), &t(C::Unit)));
        String::new()
    });
    let used_in = uses_cell(&t(C::UsedIn)).unwrap_or_else(|e| {
        errors.push(e);
        Vec::new()
    });
    let active = yes_no("active", &t(C::Active), true).unwrap_or_else(|e| {
        errors.push(e);
        true
    });
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(PartLine {
        part_number,
        name,
        cost_fen,
        unit,
        used_in,
        active,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn chinese_or_english_headers_name_the_columns() {
        let cols = product_columns(&s(&[
            "产品编码",
            "名称",
            "型号",
            "类别",
            "价格（元）",
            "备注",
        ]))
        .unwrap();
        assert_eq!(cols[4], Some(ProductColumn::Price));
        assert_eq!(cols[5], None);
        assert_eq!(
            product_columns(&s(&["sku", "name", "category"])),
            Err(ColumnError::Missing("price"))
        );
        assert_eq!(
            part_columns(&s(&["料号", "名称", "成本", "配件编码"])),
            Err(ColumnError::Twice("part_number"))
        );
    }

    #[test]
    fn a_product_row_reads_or_names_each_bad_cell() {
        let cols =
            product_columns(&s(&["SKU", "名称", "类别", "价格", "保修期", "序列号管理"])).unwrap();
        let ok = product_line(
            &s(&["ac-1", "空调", "空调", "¥3,299.00", "36", "是"]),
            &cols,
        )
        .unwrap();
        assert_eq!(
            (
                ok.sku.as_str(),
                ok.price_fen,
                ok.warranty_months,
                ok.serial_tracked
            ),
            ("AC-1", 329_900, 36, true)
        );
        let bad =
            product_line(&s(&["空 调", "", "空调", "12.345", "121", "也许"]), &cols).unwrap_err();
        let problems: Vec<_> = bad.iter().map(|e| (e.column, e.problem)).collect();
        assert_eq!(
            problems,
            vec![
                ("sku", CellProblem::BadCode),
                ("name", CellProblem::Missing),
                ("price", CellProblem::BadMoney),
                ("warranty_months", CellProblem::BadWarranty),
                ("serial_tracked", CellProblem::BadYesNo),
            ]
        );
        let too_much = product_line(&s(&["A", "B", "C", "1000000001", "", ""]), &cols).unwrap_err();
        assert_eq!(too_much[0].problem, CellProblem::TooMuch);
    }

    #[test]
    fn where_a_part_is_used_reads_with_quantities() {
        assert_eq!(
            uses_cell("ac-1*2、AC-2，ac-3×3").unwrap(),
            vec![("AC-1".into(), 2), ("AC-2".into(), 1), ("AC-3".into(), 3)]
        );
        assert_eq!(uses_cell("").unwrap(), vec![]);
        assert_eq!(uses_cell("A*0").unwrap_err().problem, CellProblem::BadUse);
        assert_eq!(
            uses_cell("A, a").unwrap_err().problem,
            CellProblem::Repeated
        );
    }
}
