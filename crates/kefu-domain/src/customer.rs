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

/// Words in a name that make it an organisation's: 公司, 集团, 有限, 酒店, 物业, 电器 … .
const ORGANISATION_WORDS: &[&str] = &[
    "公司",
    "集团",
    "有限",
    "股份",
    "企业",
    "商行",
    "商贸",
    "贸易",
    "实业",
    "科技",
    "工程",
    "建设",
    "建筑",
    "装饰",
    "物流",
    "物业",
    "置业",
    "地产",
    "投资",
    "控股",
    "传媒",
    "电器",
    "电子",
    "家电",
    "机电",
    "五金",
    "超市",
    "商场",
    "商城",
    "市场",
    "中心",
    "酒店",
    "宾馆",
    "饭店",
    "餐厅",
    "医院",
    "诊所",
    "学校",
    "学院",
    "大学",
    "中学",
    "小学",
    "幼儿园",
    "银行",
    "研究所",
    "研究院",
    "设计院",
    "事务所",
    "工作室",
    "协会",
    "学会",
    "合作社",
    "经营部",
    "门市部",
    "营业部",
    "办事处",
    "委员会",
    "政府",
    "工厂",
    "专卖",
    "连锁",
];

/// Last characters that make a name an organisation's: 厂, 店, 局, 馆, 社, 所, 院.
const ORGANISATION_ENDINGS: &[char] = &['厂', '店', '局', '馆', '社', '所', '院'];

/// Company forms in Latin letters, matched as whole words, lower case.
const LATIN_COMPANY_WORDS: &[&str] = &[
    "ltd",
    "limited",
    "inc",
    "co",
    "corp",
    "corporation",
    "company",
    "llc",
    "gmbh",
    "group",
    "plc",
    "ag",
    "sa",
    "bv",
];

/// 常见姓氏 — the most common single-character surnames, covering the great majority of
/// people in China.
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋\
蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛\
郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘\
祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳\
时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋\
商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝";

/// 复姓 — compound surnames.
const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "长孙", "宇文",
    "司徒", "夏侯", "端木", "独孤", "南宫", "西门", "轩辕", "澹台", "公冶", "呼延",
];

impl CustomerKind {
    /// 客户类别推断 — whether a customer is a company or a person when a list does not say:
    ///
    /// 1. a company when the name carries an organisation word (公司, 集团, 有限, 股份, 商行,
    ///    贸易, 科技, 电器, 家电, 物业, 酒店, 超市, 中心, 医院, 学校, 银行, 事务所, 工作室,
    ///    合作社, 经营部 …, see `ORGANISATION_WORDS`), ends with 厂, 店, 局, 馆, 社, 所 or 院, or
    ///    holds a Latin company form as a word (Ltd, Inc, Co., LLC, GmbH, Group …);
    /// 2. else a person when the name reads as a Chinese personal name: two or three Chinese
    ///    characters starting with a common surname (王建国, 李娜), three or four starting with
    ///    a compound surname (欧阳娜娜), or a surname with 先生, 女士 or 小姐 (王先生);
    /// 3. else a company — a department's list is mostly businesses, and a bare trade name
    ///    (恒通, 草原乳业) reads as none of the above.
    ///
    /// A short trade name that starts with a surname (华为) reads as a person: a list of such
    /// names should say which is which in a 客户类别 column (企业 / 个人).
    pub fn from_name(name: &str) -> CustomerKind {
        let half = to_half_width(name);
        let latin_company = half
            .to_lowercase()
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| LATIN_COMPANY_WORDS.contains(&w));
        let name: String = half.chars().filter(|c| !c.is_whitespace()).collect();
        let organisation = ORGANISATION_WORDS.iter().any(|w| name.contains(w))
            || name.ends_with(ORGANISATION_ENDINGS)
            || latin_company;
        if organisation {
            return CustomerKind::Company;
        }
        let chars: Vec<char> = name.chars().collect();
        let han = |c: &char| ('\u{4e00}'..='\u{9fff}').contains(c);
        let all_han = !chars.is_empty() && chars.iter().all(han);
        let surname_first = chars.first().is_some_and(|c| SURNAMES.contains(*c));
        let compound_first = COMPOUND_SURNAMES.iter().any(|s| name.starts_with(s));
        let titled = ["先生", "女士", "小姐"].iter().any(|t| {
            name.strip_suffix(t)
                .is_some_and(|rest| (1..=2).contains(&rest.chars().count()))
        });
        let person = all_han
            && ((compound_first && (3..=4).contains(&chars.len()))
                || (surname_first && (2..=3).contains(&chars.len()))
                || (titled && (surname_first || compound_first)));
        if person {
            CustomerKind::Person
        } else {
            CustomerKind::Company
        }
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
    fn a_name_says_company_or_person_when_the_list_does_not() {
        for company in [
            "杭州明达贸易有限公司",
            "华东集团",
            "温州第三服装厂",
            "老王面馆",
            "张记小吃店",
            "成都天府家电城",
            "广州粤海酒店",
            "北京京华物业",
            "苏州 恒通（机电）",
            "上海浦江电器",
            "宁波市第一医院",
            "Acme Trading Co., Ltd.",
            "Siemens AG",
            "恒通",
            "批量客户12",
            "王",
        ] {
            assert_eq!(
                CustomerKind::from_name(company),
                CustomerKind::Company,
                "{company}"
            );
        }
        for person in [
            "王建国",
            "李娜",
            "欧阳娜娜",
            "司马光",
            "王先生",
            "陈 女士",
            "张小姐",
        ] {
            assert_eq!(
                CustomerKind::from_name(person),
                CustomerKind::Person,
                "{person}"
            );
        }
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
