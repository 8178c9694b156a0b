//! 分类用语 — the words a spreadsheet uses for a customer's tier, type, kind and status, in
//! both directions: an import accepts the stored key (`key_account`), the Chinese label
//! (`大客户`) and the usual other spellings, ignoring case; an export writes the Chinese
//! label, the first word of each list below — the same text as `tier.*`, `customer_type.*`,
//! `customer_kind.*` and `customer_status.*` in kefu-web's `locales/zh-CN.toml` (a test
//! there keeps the two the same), so an exported list imports back unchanged.

use std::str::FromStr;

use crate::customer::{CustomerKind, CustomerStatus, CustomerType, Tier};

type Words<T> = &'static [(T, &'static [&'static str])];

/// 客户等级
const TIERS: Words<Tier> = &[
    (Tier::KeyAccount, &["大客户", "重点客户", "key account"]),
    (Tier::Vip, &["VIP", "vip客户"]),
    (Tier::Normal, &["普通客户", "普通", "一般客户", "normal"]),
];

/// 客户类型
const TYPES: Words<CustomerType> = &[
    (
        CustomerType::EndCustomer,
        &["终端客户", "终端", "end customer"],
    ),
    (CustomerType::Distributor, &["经销商", "distributor"]),
    (
        CustomerType::Dealer,
        &["代理商", "网点", "经销网点", "dealer"],
    ),
];

/// 客户类别
const KINDS: Words<CustomerKind> = &[
    (
        CustomerKind::Company,
        &["企业", "公司", "单位", "企业客户", "company"],
    ),
    (CustomerKind::Person, &["个人", "个人客户", "person"]),
];

/// 客户状态
const STATUSES: Words<CustomerStatus> = &[
    (CustomerStatus::Prospect, &["潜在", "潜在客户", "prospect"]),
    (CustomerStatus::Active, &["活跃", "正常", "active"]),
    (CustomerStatus::Dormant, &["休眠", "dormant"]),
    (CustomerStatus::Lost, &["流失", "lost"]),
];

fn read<T: Copy + FromStr>(words: Words<T>, text: &str) -> Option<T> {
    let text = text.trim().to_lowercase();
    if let Ok(v) = text.parse::<T>() {
        return Some(v);
    }
    words
        .iter()
        .find(|(_, ws)| ws.iter().any(|w| w.to_lowercase() == text))
        .map(|(v, _)| *v)
}

fn label<T: Copy + PartialEq>(words: Words<T>, value: T) -> &'static str {
    words
        .iter()
        .find(|(v, _)| *v == value)
        .and_then(|(_, ws)| ws.first().copied())
        .unwrap_or_default()
}

pub fn tier(text: &str) -> Option<Tier> {
    read(TIERS, text)
}

pub fn customer_type(text: &str) -> Option<CustomerType> {
    read(TYPES, text)
}

pub fn kind(text: &str) -> Option<CustomerKind> {
    read(KINDS, text)
}

pub fn status(text: &str) -> Option<CustomerStatus> {
    read(STATUSES, text)
}

/// The label an export writes: `大客户`, `VIP`, `普通客户`.
pub fn tier_label(v: Tier) -> &'static str {
    label(TIERS, v)
}

/// `终端客户`, `经销商`, `代理商`.
pub fn type_label(v: CustomerType) -> &'static str {
    label(TYPES, v)
}

/// `企业`, `个人`.
pub fn kind_label(v: CustomerKind) -> &'static str {
    label(KINDS, v)
}

/// `潜在`, `活跃`, `休眠`, `流失`.
pub fn status_label(v: CustomerStatus) -> &'static str {
    label(STATUSES, v)
}

/// A stored key as the label an export writes (`key_account` → `大客户`); a key of no known
/// value is written as it is.
pub fn label_of_key(column: super::Column, key: &str) -> String {
    use super::Column;
    let found = match column {
        Column::Tier => key.parse().ok().map(tier_label),
        Column::Type => key.parse().ok().map(type_label),
        Column::Kind => key.parse().ok().map(kind_label),
        Column::Status => key.parse().ok().map(status_label),
        _ => None,
    };
    found.map_or_else(|| key.to_owned(), str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_keys_and_other_spellings_are_read_and_labels_written() {
        for t in Tier::ALL {
            assert_eq!(tier(tier_label(*t)), Some(*t));
            assert_eq!(tier(t.key()), Some(*t));
        }
        for t in CustomerType::ALL {
            assert_eq!(customer_type(type_label(*t)), Some(*t));
            assert_eq!(customer_type(t.key()), Some(*t));
        }
        for k in CustomerKind::ALL {
            assert_eq!(kind(kind_label(*k)), Some(*k));
            assert_eq!(kind(k.key()), Some(*k));
        }
        for s in CustomerStatus::ALL {
            assert_eq!(status(status_label(*s)), Some(*s));
            assert_eq!(status(s.key()), Some(*s));
        }
        assert_eq!(tier_label(Tier::KeyAccount), "大客户");
        assert_eq!(type_label(CustomerType::Distributor), "经销商");
        assert_eq!(tier("vip"), Some(Tier::Vip));
        assert_eq!(tier("Key Account"), Some(Tier::KeyAccount));
        assert_eq!(tier("普通"), Some(Tier::Normal));
        assert_eq!(
            customer_type("End customer"),
            Some(CustomerType::EndCustomer)
        );
        assert_eq!(kind("公司"), Some(CustomerKind::Company));
        assert_eq!(tier("金牌"), None);
        assert_eq!(
            label_of_key(super::super::Column::Tier, "key_account"),
            "大客户"
        );
        assert_eq!(label_of_key(super::super::Column::Type, "odd"), "odd");
    }
}
