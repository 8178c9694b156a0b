//! 客户档案 — the customer archive's rules: classification, contacts and their rest hours,
//! mainland phone numbers, masking of sensitive data (seed 000 §(五)3), and the name
//! normalisation that finds duplicates.

use std::fmt;

keyed! {
    /// A company or a private person.
    CustomerKind {
        Company = "company",
        Person = "person",
    }
}

keyed! {
    /// 客户等级
    Tier {
        /// 大客户
        KeyAccount = "key_account",
        Vip = "vip",
        /// 普通客户
        Normal = "normal",
    }
}

keyed! {
    /// 客户类型
    CustomerType {
        /// 终端客户
        EndCustomer = "end_customer",
        /// 经销商
        Distributor = "distributor",
        /// 代理商/经销网点
        Dealer = "dealer",
    }
}

keyed! {
    /// 客户状态
    CustomerStatus {
        /// 潜在
        Prospect = "prospect",
        /// 活跃
        Active = "active",
        /// 休眠
        Dormant = "dormant",
        /// 流失
        Lost = "lost",
    }
}

keyed! {
    /// A way to reach a contact.
    ContactChannel {
        Phone = "phone",
        Sms = "sms",
        Email = "email",
        Wechat = "wechat",
        Visit = "visit",
    }
}

keyed! {
    /// 敏感信息 — fields shown masked without the reveal permission.
    SensitiveField {
        Mobile = "mobile",
        Phone = "phone",
        IdNumber = "id_number",
        Address = "address",
        BankAccount = "bank_account",
    }
}

/// Why customer data is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CustomerRuleError {
    #[error("the name must be 1–200 characters")]
    BadName,
    #[error("{0:?} is not a mainland mobile number (11 digits starting with 1)")]
    BadMobile(String),
    #[error("{0:?} is not a phone number")]
    BadPhone(String),
    #[error("rest hours {0:?} must look like 12:00-14:00, 22:00-08:00")]
    BadRestHours(String),
    #[error("the text of {0} is too long")]
    TooLong(&'static str),
}

/// The digits of a phone number, without country code or separators.
pub fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// A mainland mobile number as 11 digits; `+86`, `86`, spaces and dashes are accepted.
pub fn clean_mobile(s: &str) -> Result<String, CustomerRuleError> {
    let mut d = digits(&to_half_width(s));
    if d.len() == 13 && d.starts_with("86") {
        d.drain(..2);
    }
    let ok = d.len() == 11 && d.starts_with('1') && matches!(d.as_bytes()[1], b'3'..=b'9');
    if ok {
        Ok(d)
    } else {
        Err(CustomerRuleError::BadMobile(s.trim().to_owned()))
    }
}

/// A landline or other phone number: 5–20 digits, kept as written (trimmed).
pub fn clean_phone(s: &str) -> Result<String, CustomerRuleError> {
    let t = to_half_width(s).trim().to_owned();
    let n = digits(&t).len();
    let allowed = t
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | ' ' | '+' | '(' | ')' | '转'));
    if (5..=20).contains(&n) && allowed {
        Ok(t)
    } else {
        Err(CustomerRuleError::BadPhone(s.trim().to_owned()))
    }
}

/// Full-width letters, digits and punctuation to their ASCII forms (Chinese input methods
/// often produce `１３８` or `（`).
pub fn to_half_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            other => other,
        })
        .collect()
}

/// The digits of a search text that reads as part of a phone number — four or more digits
/// with only spaces, dashes and a plus between them (`5678`, `138 1234`, `0571-8888`).
pub fn phone_digits_query(text: &str) -> Option<String> {
    let text = text.trim();
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let only_digits = text
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '+'));
    (digits.len() >= 4 && only_digits).then_some(digits)
}

/// The key two names share when they are the same customer: half-width, no white space or
/// punctuation, lower case (`杭州 明达（贸易）有限公司` = `杭州明达(贸易)有限公司`).
pub fn name_key(name: &str) -> String {
    to_half_width(name)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '(' | ')' | '.' | ',' | '-' | '·' | '、'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// A name of 1–200 characters, trimmed.
pub fn clean_name(s: &str) -> Result<String, CustomerRuleError> {
    let t = s.trim();
    if (1..=200).contains(&t.chars().count()) {
        Ok(t.to_owned())
    } else {
        Err(CustomerRuleError::BadName)
    }
}

/// Masks a sensitive value for people without the reveal permission: mobile numbers keep
/// the first three and last four digits (`138****5678`), ID and bank numbers the first and
/// last four, addresses their first six characters.
pub fn mask(field: SensitiveField, value: &str) -> String {
    let v = value.trim();
    if v.is_empty() {
        return String::new();
    }
    let chars: Vec<char> = v.chars().collect();
    let keep = |head: usize, tail: usize| -> String {
        if chars.len() <= head + tail {
            return "*".repeat(chars.len().max(4));
        }
        let stars = "*".repeat(chars.len() - head - tail);
        let h: String = chars[..head].iter().collect();
        let t: String = chars[chars.len() - tail..].iter().collect();
        format!("{h}{stars}{t}")
    };
    match field {
        SensitiveField::Mobile => keep(3, 4),
        SensitiveField::Phone => {
            if chars.len() > 4 {
                let t: String = chars[chars.len() - 4..].iter().collect();
                format!("****{t}")
            } else {
                "****".into()
            }
        }
        SensitiveField::IdNumber | SensitiveField::BankAccount => keep(4, 4),
        SensitiveField::Address => {
            let h: String = chars.iter().take(6).collect();
            format!("{h}****")
        }
    }
}

/// Rest hours 免打扰时段: periods of the day when nobody may call, which may run past
/// midnight (`22:00-08:00`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RestHours(pub Vec<(u16, u16)>);

impl RestHours {
    /// Parses `12:00-14:00, 22:00-08:00` (commas, full-width commas or semicolons).
    pub fn parse(s: &str) -> Result<RestHours, CustomerRuleError> {
        let bad = || CustomerRuleError::BadRestHours(s.trim().to_owned());
        let mut out = Vec::new();
        for part in to_half_width(s).split([',', ';', '，', '；']) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let (a, b) = part.split_once('-').ok_or_else(bad)?;
            let m = |x: &str| -> Option<u16> {
                let (h, mi) = x.trim().split_once(':')?;
                let (h, mi): (u16, u16) = (h.parse().ok()?, mi.parse().ok()?);
                (h < 24 && mi < 60).then_some(h * 60 + mi)
            };
            let (start, end) = (m(a).ok_or_else(bad)?, m(b).ok_or_else(bad)?);
            if start == end {
                return Err(bad());
            }
            out.push((start, end));
        }
        Ok(RestHours(out))
    }

    /// Whether a local time of day (minutes after midnight) falls in the rest hours.
    pub fn contains(&self, minute: u16) -> bool {
        self.0.iter().any(|&(s, e)| {
            if s < e {
                s <= minute && minute < e
            } else {
                minute >= s || minute < e
            }
        })
    }
}

impl fmt::Display for RestHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|(s, e)| format!("{:02}:{:02}-{:02}:{:02}", s / 60, s % 60, e / 60, e % 60))
            .collect();
        f.write_str(&parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_text_reads_as_phone_digits_only_when_it_is_digits() {
        assert_eq!(phone_digits_query("5678").as_deref(), Some("5678"));
        assert_eq!(
            phone_digits_query(" 139 0000-1111 ").as_deref(),
            Some("13900001111")
        );
        assert_eq!(phone_digits_query("+86 138").as_deref(), Some("86138"));
        assert_eq!(phone_digits_query("567"), None);
        assert_eq!(phone_digits_query("GX-3341"), None);
        assert_eq!(phone_digits_query("明达 5678"), None);
    }

    #[test]
    fn mainland_mobiles_are_recognised_in_every_usual_spelling() {
        for ok in [
            "13812345678",
            "+86 138 1234 5678",
            "86-138-1234-5678",
            "１３８１２３４５６７８",
        ] {
            assert_eq!(clean_mobile(ok).unwrap(), "13812345678", "{ok}");
        }
        for bad in [
            "1381234567",
            "12812345678",
            "23812345678",
            "138123456789",
            "0571-88886666",
        ] {
            assert!(clean_mobile(bad).is_err(), "{bad}");
        }
        assert_eq!(clean_phone("0571-8888 6666").unwrap(), "0571-8888 6666");
        assert!(clean_phone("call me").is_err());
    }

    #[test]
    fn masking_hides_the_middle() {
        assert_eq!(mask(SensitiveField::Mobile, "13812345678"), "138****5678");
        assert_eq!(
            mask(SensitiveField::IdNumber, "330106198001011234"),
            "3301**********1234"
        );
        assert_eq!(
            mask(SensitiveField::BankAccount, "6222021234567890123"),
            "6222***********0123"
        );
        assert_eq!(
            mask(SensitiveField::Address, "浙江省杭州市西湖区文三路100号"),
            "浙江省杭州市****"
        );
        assert_eq!(mask(SensitiveField::Phone, "0571-88886666"), "****6666");
        assert_eq!(mask(SensitiveField::Mobile, ""), "");
        assert_eq!(mask(SensitiveField::IdNumber, "123"), "****");
    }

    #[test]
    fn names_match_after_normalising_width_spaces_and_punctuation() {
        assert_eq!(
            name_key("杭州 明达（贸易）有限公司"),
            name_key("杭州明达(贸易)有限公司")
        );
        assert_eq!(name_key("ＡＢＣ 科技"), name_key("abc科技"));
        assert_ne!(name_key("杭州明达"), name_key("杭州明远"));
    }

    #[test]
    fn rest_hours_can_run_past_midnight() {
        let r = RestHours::parse("12:00-14:00，22:00-08:00").unwrap();
        assert!(r.contains(12 * 60 + 30));
        assert!(r.contains(23 * 60));
        assert!(r.contains(7 * 60 + 59));
        assert!(!r.contains(8 * 60));
        assert!(!r.contains(15 * 60));
        assert_eq!(r.to_string(), "12:00-14:00, 22:00-08:00");
        assert!(RestHours::parse("noon").is_err());
        assert!(RestHours::parse("25:00-26:00").is_err());
        assert_eq!(RestHours::parse("").unwrap(), RestHours::default());
    }
}
