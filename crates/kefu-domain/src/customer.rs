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

keyed! {
    /// A ticket's or complaint's contact value, shown masked like the archive's.
    ContactValue {
        /// The ticket's contact phone, or the complainant's phone on a complaint.
        Phone = "contact_phone",
        Email = "contact_email",
    }
}

impl ContactValue {
    /// The rule that masks it.
    pub fn masker(self) -> fn(&str) -> String {
        match self {
            ContactValue::Phone => mask_phone,
            ContactValue::Email => mask_email,
        }
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

/// A mainland mobile number as 11 digits; `+86`, `0086`, `86`, spaces and dashes are
/// accepted. Another country code (`+1 415 555 0100`) is not a mainland mobile.
pub fn clean_mobile(s: &str) -> Result<String, CustomerRuleError> {
    let t = to_half_width(s);
    let t = t.trim();
    let mut d = digits(t);
    let international = t.starts_with('+') || d.starts_with("00");
    if d.starts_with("0086") {
        d.drain(..2);
    }
    if international && !d.starts_with("86") {
        return Err(CustomerRuleError::BadMobile(s.trim().to_owned()));
    }
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

/// The phone number on a ticket or complaint (one field where the archive has two): a
/// mainland mobile is normalised to its 11 digits like the archive's; anything else must be
/// a landline with its area code (`0571-8888 6666`), a local or service number of 5–8 digits
/// (`95588`), a 400/800 number, or an international number written with its `+` country
/// code — kept as written. An 11-digit number that is none of these (`23812345678`) is
/// refused rather than stored as a phone nobody can call.
pub fn clean_contact_phone(s: &str) -> Result<String, CustomerRuleError> {
    let t = to_half_width(s);
    let t = t.trim();
    let d = digits(t);
    let bad = || CustomerRuleError::BadPhone(s.trim().to_owned());
    let plus = t.starts_with('+') || t.starts_with("00");
    let mainland = !plus || d.starts_with("86") || d.starts_with("0086");
    let national = if plus {
        d.trim_start_matches("00")
            .strip_prefix("86")
            .unwrap_or("")
            .to_owned()
    } else {
        d.clone()
    };
    if mainland && (national.starts_with('1') || plus) && national.len() >= 11 {
        if national.len() == 11 && national.starts_with('1') {
            return clean_mobile(t);
        }
        if !national.starts_with('0') && national.len() == 11 {
            return Err(bad());
        }
    }
    let phone = clean_phone(t)?;
    if plus {
        // A foreign number: country code and subscriber number, E.164's 8–15 digits.
        let n = d.trim_start_matches("00").len();
        return if (8..=15).contains(&n) {
            Ok(phone)
        } else {
            Err(bad())
        };
    }
    // The number before an extension (`0571-8888 6666转123`).
    let main = digits(t.split('转').next().unwrap_or(t));
    let ok = match main.len() {
        5..=8 => true,
        10 => main.starts_with('0') || main.starts_with("400") || main.starts_with("800"),
        11 | 12 => main.starts_with('0'),
        _ => false,
    };
    if ok { Ok(phone) } else { Err(bad()) }
}

/// A ticket's or complaint's phone masked by the archive's rule: as a mobile when it is
/// one (`138****5678`), else as a landline (`****6666`).
pub fn mask_phone(value: &str) -> String {
    match clean_mobile(value) {
        Ok(m) => mask(SensitiveField::Mobile, &m),
        Err(_) => mask(SensitiveField::Phone, value),
    }
}

/// An e-mail address with the phone numbers in it masked: a local part that is a mobile
/// (`13955379945@163.com`, common in China) shows `139****9945@163.com`; any other run of
/// seven or more digits keeps only its last four. Other addresses are shown as they are.
pub fn mask_email(value: &str) -> String {
    let Some((local, domain)) = value.rsplit_once('@') else {
        return mask_digit_runs(value);
    };
    format!("{}@{domain}", mask_digit_runs(local))
}

/// Every run of seven or more digits in `text` masked like a phone number.
fn mask_digit_runs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() >= 7 {
            out.push_str(&mask_phone(run));
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Whether a submitted form value is the mask the form was shown (the field left
/// unchanged), so the stored value stays.
pub fn is_mask_of(submitted: &str, stored: Option<&str>, masker: fn(&str) -> String) -> bool {
    let submitted = submitted.trim();
    submitted.contains('*') && stored.is_some_and(|s| masker(s) == submitted)
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
/// with only spaces, dashes, a plus and parentheses between them (`5678`, `138 1234`,
/// `(0571) 8888`), full-width ones too (`１３８`, as Chinese input methods type them).
pub fn phone_digits_query(text: &str) -> Option<String> {
    let text = to_half_width(text);
    let text = text.trim();
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let only_digits = text
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '+' | '(' | ')'));
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
        assert_eq!(
            phone_digits_query("１３８１２３４５６７８").as_deref(),
            Some("13812345678")
        );
        assert_eq!(
            phone_digits_query("(0571) 8888-1234").as_deref(),
            Some("057188881234")
        );
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
    fn a_foreign_number_is_not_a_mainland_mobile() {
        assert!(clean_mobile("+1 415 555 0100").is_err());
        assert!(clean_mobile("001 415 555 0100").is_err());
        assert_eq!(clean_mobile("0086 138 1234 5678").unwrap(), "13812345678");
        assert_eq!(clean_mobile("+86 13812345678").unwrap(), "13812345678");
    }

    #[test]
    fn a_contact_phone_is_a_mobile_a_landline_or_a_foreign_number() {
        for (input, stored) in [
            ("138 1234 5678", "13812345678"),
            ("+86-138-1234-5678", "13812345678"),
            ("１３８１２３４５６７８", "13812345678"),
            ("0571-8888 6666", "0571-8888 6666"),
            ("057188886666", "057188886666"),
            ("010-12345678", "010-12345678"),
            ("0571-8888 6666转123", "0571-8888 6666转123"),
            ("95588", "95588"),
            ("8888 6666", "8888 6666"),
            ("400-800-8888", "400-800-8888"),
            ("+1 415 555 0100", "+1 415 555 0100"),
            ("+852 2345 6789", "+852 2345 6789"),
        ] {
            assert_eq!(clean_contact_phone(input).unwrap(), stored, "{input}");
        }
        for bad in [
            "23812345678",
            "12812345678",
            "1381234567",
            "138123456789",
            "+86 23812345678",
            "1234",
            "call me",
            "+1 23",
        ] {
            assert!(clean_contact_phone(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn phones_in_addresses_and_contact_fields_are_masked_by_one_rule() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("0571-8888 6666"), "****6666");
        assert_eq!(mask_email("13955379945@163.com"), "139****9945@163.com");
        assert_eq!(mask_email("li.13955379945@qq.com"), "li.139****9945@qq.com");
        assert_eq!(mask_email("88886666@qq.com"), "****6666@qq.com");
        assert_eq!(mask_email("wang.lei@hengxin.cn"), "wang.lei@hengxin.cn");
        assert_eq!(mask_email("zhang123@163.com"), "zhang123@163.com");
        assert!(is_mask_of("138****5678", Some("13812345678"), mask_phone));
        assert!(!is_mask_of("13812345678", Some("13812345678"), mask_phone));
        assert!(!is_mask_of("139****5678", Some("13812345678"), mask_phone));
        assert!(!is_mask_of("138****5678", None, mask_phone));
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
