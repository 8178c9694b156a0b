//! 产品与配件目录 — the catalogue complaints, orders and RMAs name: product categories,
//! products (SKU, model, price, warranty, serial-tracked), parts with their part numbers
//! 料号 and where they are used, and price lists 价格表 (the distributors' 经销价 and others).
//!
//! Codes (SKU, 料号) are what people type into orders and complaints and what other systems
//! send, so they are kept to one form: letters, digits and `- _ . /`, upper-cased, at most
//! [`MAX_CODE`] characters. Money is integer fen, bounded by [`crate::money::amount`].

use jiff::civil::Date;

use crate::customer::CustomerType;
use crate::money::{self, AmountError};

/// The longest SKU or part number.
pub const MAX_CODE: usize = 40;
/// The longest product, part, category or price-list name.
pub const MAX_NAME: usize = 80;
/// The longest model 型号 or unit.
pub const MAX_MODEL: usize = 80;
/// The longest warranty 保修期 a product may carry: ten years.
pub const MAX_WARRANTY_MONTHS: u32 = 120;
/// Most products one part may be used in (an import's "used in" cell lists them).
pub const MAX_USES: usize = 200;
/// The most of one part in one product.
pub const MAX_USE_QUANTITY: u32 = 10_000;

/// Why a catalogue entry is refused. `field` names the input (`sku`, `part_number`…).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogueError {
    #[error("{field}: a code is 1–{max} letters, digits or - _ . /", max = MAX_CODE)]
    BadCode { field: &'static str },
    #[error("{field} is required")]
    Missing { field: &'static str },
    #[error("{field} is at most {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("a warranty is 0–{max} months", max = MAX_WARRANTY_MONTHS)]
    Warranty,
    #[error("{field}: {source}")]
    Amount {
        field: &'static str,
        source: AmountError,
    },
    #[error("a part is used in at most {max} products", max = MAX_USES)]
    TooManyUses,
    #[error("a part's quantity in a product is 1–{max}", max = MAX_USE_QUANTITY)]
    UseQuantity,
    #[error("the product {0} is listed twice")]
    UsedTwice(String),
    #[error("a price list's end date is before its start")]
    Reversed,
    /// Money typed that does not read as yuan with at most two decimals, or a count that
    /// is not a whole number.
    #[error("{field} is not a number as expected")]
    NotANumber { field: &'static str },
    #[error("no such category")]
    UnknownCategory,
    #[error("no product has the SKU {0}")]
    UnknownSku(String),
    #[error("{field} {code} is taken")]
    Taken { field: &'static str, code: String },
}

/// A SKU or part number as stored: trimmed, upper-cased, checked.
pub fn code(field: &'static str, raw: &str) -> Result<String, CatalogueError> {
    let c = raw.trim().to_ascii_uppercase();
    let ok = !c.is_empty()
        && c.chars().count() <= MAX_CODE
        && c.chars()
            .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.' | '/'));
    if ok {
        Ok(c)
    } else {
        Err(CatalogueError::BadCode { field })
    }
}

/// A required name of at most `max` characters, trimmed.
pub fn name(field: &'static str, raw: &str, max: usize) -> Result<String, CatalogueError> {
    let n = raw.trim();
    if n.is_empty() {
        return Err(CatalogueError::Missing { field });
    }
    optional(field, n, max)
}

/// An optional text of at most `max` characters, trimmed (blank is empty).
pub fn optional(field: &'static str, raw: &str, max: usize) -> Result<String, CatalogueError> {
    let n = raw.trim();
    if n.chars().count() > max {
        return Err(CatalogueError::TooLong { field, max });
    }
    Ok(n.to_owned())
}

/// A price or cost in fen within the ceiling.
pub fn price(field: &'static str, fen: i64) -> Result<i64, CatalogueError> {
    money::amount(fen).map_err(|source| CatalogueError::Amount { field, source })
}

/// 产品 — a product as entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub sku: String,
    pub name: String,
    /// 型号
    pub model: String,
    pub category_id: i64,
    /// The list price 标准价, in fen.
    pub price_fen: i64,
    /// 保修期 in months from delivery; 0: none.
    pub warranty_months: u32,
    /// 序列号管理 — each unit has a serial number, which RMAs must name.
    pub serial_tracked: bool,
    pub active: bool,
}

impl Product {
    /// The product with its texts trimmed and codes upper-cased, or why it is refused.
    pub fn checked(self) -> Result<Product, CatalogueError> {
        if self.warranty_months > MAX_WARRANTY_MONTHS {
            return Err(CatalogueError::Warranty);
        }
        Ok(Product {
            sku: code("sku", &self.sku)?,
            name: name("name", &self.name, MAX_NAME)?,
            model: optional("model", &self.model, MAX_MODEL)?,
            price_fen: price("price", self.price_fen)?,
            ..self
        })
    }
}

/// Where a part is used: in which product, how many.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartUse {
    pub product_id: i64,
    pub quantity: u32,
}

/// 配件 — a part as entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// 料号
    pub part_number: String,
    pub name: String,
    /// 成本, in fen.
    pub cost_fen: i64,
    /// 单位 (件, 套, 米 …).
    pub unit: String,
    pub active: bool,
    /// 适用产品
    pub uses: Vec<PartUse>,
}

/// The unit a part is counted in when none is given.
pub const DEFAULT_UNIT: &str = "件";

impl Part {
    /// The part with its texts trimmed, its unit defaulted, or why it is refused.
    pub fn checked(self) -> Result<Part, CatalogueError> {
        if self.uses.len() > MAX_USES {
            return Err(CatalogueError::TooManyUses);
        }
        let mut seen = std::collections::HashSet::new();
        for u in &self.uses {
            if u.quantity == 0 || u.quantity > MAX_USE_QUANTITY {
                return Err(CatalogueError::UseQuantity);
            }
            if !seen.insert(u.product_id) {
                return Err(CatalogueError::UsedTwice(u.product_id.to_string()));
            }
        }
        let unit = optional("unit", &self.unit, 10)?;
        Ok(Part {
            part_number: code("part_number", &self.part_number)?,
            name: name("name", &self.name, MAX_NAME)?,
            cost_fen: price("cost", self.cost_fen)?,
            unit: if unit.is_empty() {
                DEFAULT_UNIT.to_owned()
            } else {
                unit
            },
            ..self
        })
    }
}

/// 价格表 — a price list's head: to whom and when it applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceList {
    pub name: String,
    /// The customers it prices: distributors 经销价, dealers, end customers; `None`: only
    /// customers given it by name (a special contract).
    pub customer_type: Option<CustomerType>,
    pub valid_from: Date,
    /// The last day it applies; `None`: until replaced.
    pub valid_to: Option<Date>,
    pub active: bool,
}

impl PriceList {
    /// The head with its name trimmed and its dates checked, or why it is refused.
    pub fn checked(self) -> Result<PriceList, CatalogueError> {
        if let Some(to) = self.valid_to
            && to < self.valid_from
        {
            return Err(CatalogueError::Reversed);
        }
        Ok(PriceList {
            name: name("name", &self.name, MAX_NAME)?,
            ..self
        })
    }

    /// Whether it applies on `day`.
    pub fn applies_on(&self, day: Date) -> bool {
        self.active && self.valid_from <= day && self.valid_to.is_none_or(|to| day <= to)
    }
}

/// Where a customer's price for a product came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PriceSource {
    /// A price list (its id and name).
    List { id: i64, name: String },
    /// The product's list price 标准价: no price list for this customer holds it.
    ListPrice,
}

/// A price list in force with its price for the product, as [`price_for`] reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedPrice {
    pub list_id: i64,
    pub list: PriceList,
    pub price_fen: i64,
}

/// The price a customer pays for a product on `day`: from the price list of the customer's
/// type in force that day holding the product — the latest started when several are —
/// else the product's list price.
pub fn price_for(
    list_price_fen: i64,
    customer_type: Option<CustomerType>,
    listed: &[ListedPrice],
    day: Date,
) -> (i64, PriceSource) {
    listed
        .iter()
        .filter(|l| customer_type.is_some() && l.list.customer_type == customer_type)
        .filter(|l| l.list.applies_on(day))
        .max_by_key(|l| (l.list.valid_from, l.list_id))
        .map_or((list_price_fen, PriceSource::ListPrice), |l| {
            (
                l.price_fen,
                PriceSource::List {
                    id: l.list_id,
                    name: l.list.name.clone(),
                },
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn product() -> Product {
        Product {
            sku: " ac-35gw/a1 ".into(),
            name: " 空调 ".into(),
            model: "KFR-35GW".into(),
            category_id: 1,
            price_fen: 329_900,
            warranty_months: 36,
            serial_tracked: true,
            active: true,
        }
    }

    #[test]
    fn codes_are_upper_cased_and_kept_to_one_alphabet() {
        let p = product().checked().unwrap();
        assert_eq!(p.sku, "AC-35GW/A1");
        assert_eq!(p.name, "空调");
        for bad in [
            "",
            "  ",
            "空调1",
            "A B",
            &"X".repeat(MAX_CODE + 1),
            "A;DROP",
        ] {
            assert_eq!(
                code("sku", bad),
                Err(CatalogueError::BadCode { field: "sku" }),
                "{bad:?}"
            );
        }
        assert_eq!(code("sku", &"x".repeat(MAX_CODE)).unwrap().len(), MAX_CODE);
    }

    #[test]
    fn a_product_is_refused_for_what_it_gets_wrong() {
        let p = Product {
            warranty_months: MAX_WARRANTY_MONTHS + 1,
            ..product()
        };
        assert_eq!(p.checked(), Err(CatalogueError::Warranty));
        let p = Product {
            price_fen: -1,
            ..product()
        };
        assert!(matches!(
            p.checked(),
            Err(CatalogueError::Amount { field: "price", .. })
        ));
        let p = Product {
            name: " ".into(),
            ..product()
        };
        assert_eq!(p.checked(), Err(CatalogueError::Missing { field: "name" }));
    }

    #[test]
    fn a_part_defaults_its_unit_and_lists_each_product_once() {
        let part = Part {
            part_number: "p-100".into(),
            name: "压缩机".into(),
            cost_fen: 45_000,
            unit: String::new(),
            active: true,
            uses: vec![PartUse {
                product_id: 1,
                quantity: 1,
            }],
        };
        let ok = part.clone().checked().unwrap();
        assert_eq!((ok.part_number.as_str(), ok.unit.as_str()), ("P-100", "件"));
        let mut twice = part.clone();
        twice.uses.push(PartUse {
            product_id: 1,
            quantity: 2,
        });
        assert_eq!(twice.checked(), Err(CatalogueError::UsedTwice("1".into())));
        let mut none = part;
        none.uses[0].quantity = 0;
        assert_eq!(none.checked(), Err(CatalogueError::UseQuantity));
    }

    fn listed(
        id: i64,
        t: Option<CustomerType>,
        from: Date,
        to: Option<Date>,
        fen: i64,
    ) -> ListedPrice {
        ListedPrice {
            list_id: id,
            list: PriceList {
                name: format!("价格表{id}"),
                customer_type: t,
                valid_from: from,
                valid_to: to,
                active: true,
            },
            price_fen: fen,
        }
    }

    #[test]
    fn a_customer_pays_the_latest_list_of_their_type_in_force() {
        let d = Some(CustomerType::Distributor);
        let lists = [
            listed(1, d, date(2026, 1, 1), None, 300_000),
            listed(2, d, date(2026, 6, 1), Some(date(2026, 6, 30)), 280_000),
            listed(
                3,
                Some(CustomerType::Dealer),
                date(2026, 1, 1),
                None,
                310_000,
            ),
            listed(4, None, date(2026, 1, 1), None, 1),
        ];
        let at = |day| price_for(329_900, d, &lists, day).0;
        assert_eq!(at(date(2026, 3, 1)), 300_000);
        assert_eq!(at(date(2026, 6, 15)), 280_000);
        assert_eq!(at(date(2026, 7, 1)), 300_000);
        assert_eq!(
            price_for(329_900, d, &lists, date(2025, 12, 31)),
            (329_900, PriceSource::ListPrice)
        );
        // End customers have no list: the list price; no type: never a typed list.
        assert_eq!(
            price_for(
                329_900,
                Some(CustomerType::EndCustomer),
                &lists,
                date(2026, 3, 1)
            )
            .0,
            329_900
        );
        assert_eq!(
            price_for(329_900, None, &lists, date(2026, 3, 1)).0,
            329_900
        );
        let reversed = PriceList {
            valid_to: Some(date(2025, 1, 1)),
            ..lists[0].list.clone()
        };
        assert_eq!(reversed.checked(), Err(CatalogueError::Reversed));
    }
}
