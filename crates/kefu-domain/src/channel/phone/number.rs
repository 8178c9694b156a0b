//! 号码 — a caller's number as telephone systems write it (`+8613812345678`,
//! `008613812345678`, `013812345678` for an out-of-town mobile, `0571-8888 6666`, `88886666`
//! for a local line, `95588`) brought to the one form the archive compares: a mainland
//! mobile as its 11 digits (the archive's own rule, [`clean_mobile`]), a landline as its
//! area code and number in digits (`057188886666`), a local number with the exchange's area
//! code when one is set, and so on.

use crate::customer::{clean_mobile, digits, to_half_width};

/// What a normalised number is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberKind {
    /// A mainland mobile, 11 digits.
    Mobile,
    /// A mainland landline with its area code, in digits (`057188886666`).
    Landline,
    /// A landline without area code, none being known (`88886666`).
    Local,
    /// A service or short number (`95588`, `4008001234`, `10086`), or an internal one.
    Service,
    /// A number of another country, `+` and its digits.
    International,
}

/// A caller's number, normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerNumber {
    pub kind: NumberKind,
    /// The digits (`+` and digits for [`NumberKind::International`]).
    pub number: String,
}

impl CallerNumber {
    /// The archive's `mobile` column holds this, for a mobile.
    pub fn mobile(&self) -> Option<&str> {
        (self.kind == NumberKind::Mobile).then_some(self.number.as_str())
    }

    /// The digits of a contact's phone field (`phone_digits`) that are this number: as
    /// normalised, the landline written with `+86` and without its trunk 0, the local part
    /// of a landline of the exchange's own area (a contact who wrote `8888 6666`), a foreign
    /// number with or without its `00`.
    pub fn phone_keys(&self, area_code: Option<&str>) -> Vec<String> {
        let mut keys = Vec::new();
        match self.kind {
            NumberKind::Mobile | NumberKind::Local | NumberKind::Service => {
                keys.push(self.number.clone());
            }
            NumberKind::Landline => {
                keys.push(self.number.clone());
                keys.push(format!("86{}", &self.number[1..]));
                if let Some(area) = area_code
                    && let Some(local) = self.number.strip_prefix(area)
                    && local.len() >= 7
                {
                    keys.push(local.to_owned());
                }
            }
            NumberKind::International => {
                let d = self.number.trim_start_matches('+');
                keys.push(d.to_owned());
                keys.push(format!("00{d}"));
            }
        }
        keys
    }
}

/// Why an area code is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a mainland area code (010, 0571…)")]
pub struct AreaCodeError(pub String);

/// A mainland area code as kefu keeps one: digits with the trunk 0 (`0571`, `010`); `571`
/// is taken as `0571`. Empty is none.
pub fn clean_area_code(s: &str) -> Result<Option<String>, AreaCodeError> {
    let t = to_half_width(s);
    let t = t.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if !t.chars().all(|c| c.is_ascii_digit()) {
        return Err(AreaCodeError(t.to_owned()));
    }
    let code = if t.starts_with('0') {
        t.to_owned()
    } else {
        format!("0{t}")
    };
    let second = code.as_bytes().get(1).copied().unwrap_or(b'0');
    if (3..=4).contains(&code.len()) && second != b'0' {
        Ok(Some(code))
    } else {
        Err(AreaCodeError(t.to_owned()))
    }
}

/// Whether 11 digits are a mainland mobile, by the archive's rule.
fn is_mobile(d: &str) -> bool {
    d.len() == 11 && clean_mobile(d).is_ok()
}

/// The number part of what a telephone system sent: a `tel:` scheme and whatever follows
/// the number (an extension after `转`, `ext`, `#`, `,`) left out.
fn number_part(raw: &str) -> String {
    let t = to_half_width(raw);
    let t = t.trim();
    let t = match t.get(..4) {
        Some(p) if p.eq_ignore_ascii_case("tel:") => &t[4..],
        _ => t,
    };
    t.chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '+' | '(' | ')' | '.'))
        .collect()
}

/// The customer's number as the archive compares it, or `None` when there is none to
/// compare (withheld, `anonymous`, letters, more than 20 digits). `area_code` is the
/// exchange's own (see [`clean_area_code`]): a local number gets it.
///
/// A mobile is recognised by the archive's [`clean_mobile`] (`+86`, `0086`, `86`, spaces and
/// dashes), and also with the trunk 0 some exchanges put before an out-of-town mobile
/// (`013812345678`). A landline keeps its area code (`0571-8888 6666` → `057188886666`;
/// `+86 571 8888 6666` and `8657188886666` → the same); 400/800 numbers and short service
/// numbers are kept as their digits; a foreign number as `+` and its digits.
pub fn normalize_number(raw: &str, area_code: Option<&str>) -> Option<CallerNumber> {
    let part = number_part(raw);
    let mut d = digits(&part);
    if d.is_empty() || d.len() > 20 {
        return None;
    }
    let found = |kind: NumberKind, number: String| Some(CallerNumber { kind, number });
    if let Ok(m) = clean_mobile(&part) {
        return found(NumberKind::Mobile, m);
    }
    let plus = part.trim_start().starts_with('+');
    let mut country = false;
    if plus || d.starts_with("00") {
        let rest = if plus { d.as_str() } else { &d[2..] };
        match rest.strip_prefix("86") {
            Some(national) => {
                d = national.to_owned();
                country = true;
            }
            None if (5..=15).contains(&rest.len()) => {
                return found(NumberKind::International, format!("+{rest}"));
            }
            None => return None,
        }
    } else if d.starts_with("86") && (11..=13).contains(&d.len()) {
        // Country code without `+`, before a landline without its trunk 0 (Beijing's
        // area code is 10: no mobile starts so).
        let b = d.as_bytes();
        if (b'2'..=b'9').contains(&b[2]) || (b[2] == b'1' && b[3] == b'0') {
            d = d[2..].to_owned();
            country = true;
        }
    }
    if country && !d.starts_with('0') && !is_mobile(&d) {
        d.insert(0, '0');
    }
    if is_mobile(&d) {
        return found(NumberKind::Mobile, d);
    }
    if d.len() == 12 && d.starts_with('0') && is_mobile(&d[1..]) {
        return found(NumberKind::Mobile, d[1..].to_owned());
    }
    if d.starts_with('0') && (10..=12).contains(&d.len()) && !d.starts_with("00") {
        return found(NumberKind::Landline, d);
    }
    if d.len() == 10 && (d.starts_with("400") || d.starts_with("800")) {
        return found(NumberKind::Service, d);
    }
    if (7..=8).contains(&d.len()) && !d.starts_with('0') && !d.starts_with('1') {
        return match area_code {
            Some(area) => found(NumberKind::Landline, format!("{area}{d}")),
            None => found(NumberKind::Local, d),
        };
    }
    if (3..=6).contains(&d.len()) {
        return found(NumberKind::Service, d);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn n(raw: &str) -> Option<(NumberKind, String)> {
        normalize_number(raw, None).map(|c| (c.kind, c.number))
    }

    fn mobile(m: &str) -> Option<(NumberKind, String)> {
        Some((NumberKind::Mobile, m.to_owned()))
    }

    fn landline(l: &str) -> Option<(NumberKind, String)> {
        Some((NumberKind::Landline, l.to_owned()))
    }

    #[test]
    fn mobiles_come_to_their_eleven_digits_however_written() {
        for raw in [
            "13812345678",
            "+8613812345678",
            "+86 138 1234 5678",
            "008613812345678",
            "0086-138-1234-5678",
            "8613812345678",
            "138-1234-5678",
            "１３８１２３４５６７８",
            "013812345678",
            "tel:+86-138-1234-5678",
            " 138 1234 5678 转 8001",
        ] {
            assert_eq!(n(raw), mobile("13812345678"), "{raw}");
        }
    }

    #[test]
    fn landlines_keep_their_area_code() {
        for raw in [
            "0571-8888 6666",
            "0571-88886666",
            "(0571) 8888-6666",
            "+86 571 8888 6666",
            "+86-571-88886666",
            "008657188886666",
            "8657188886666",
            "057188886666转123",
            "057188886666#123",
        ] {
            assert_eq!(n(raw), landline("057188886666"), "{raw}");
        }
        assert_eq!(n("010-6552 9988"), landline("01065529988"));
        assert_eq!(n("+86 10 6552 9988"), landline("01065529988"));
        assert_eq!(n("0755-2345678"), landline("07552345678"));
    }

    #[test]
    fn a_local_number_takes_the_exchanges_area_code_when_one_is_set() {
        assert_eq!(n("8888 6666"), Some((NumberKind::Local, "88886666".into())));
        let with_area = normalize_number("8888-6666", Some("0571")).unwrap();
        assert_eq!(with_area.kind, NumberKind::Landline);
        assert_eq!(with_area.number, "057188886666");
    }

    #[test]
    fn service_foreign_and_withheld_numbers() {
        assert_eq!(n("95588"), Some((NumberKind::Service, "95588".into())));
        assert_eq!(
            n("400-800-1234"),
            Some((NumberKind::Service, "4008001234".into()))
        );
        assert_eq!(n("8001"), Some((NumberKind::Service, "8001".into())));
        assert_eq!(
            n("+1 415 555 0100"),
            Some((NumberKind::International, "+14155550100".into()))
        );
        assert_eq!(
            n("00852 2345 6789"),
            Some((NumberKind::International, "+85223456789".into()))
        );
        for raw in [
            "",
            "anonymous",
            "unknown",
            "+",
            "12",
            "123456789012345678901",
        ] {
            assert_eq!(n(raw), None, "{raw}");
        }
    }

    #[test]
    fn the_archive_is_searched_by_every_way_a_contact_may_have_written_it() {
        let l = normalize_number("0571-8888 6666", None).unwrap();
        assert_eq!(
            l.phone_keys(Some("0571")),
            vec!["057188886666", "8657188886666", "88886666"]
        );
        assert_eq!(l.phone_keys(None), vec!["057188886666", "8657188886666"]);
        let m = normalize_number("+86 138 1234 5678", None).unwrap();
        assert_eq!(m.mobile(), Some("13812345678"));
        assert_eq!(m.phone_keys(None), vec!["13812345678"]);
        assert_eq!(l.mobile(), None);
    }

    #[test]
    fn area_codes() {
        assert_eq!(clean_area_code("0571"), Ok(Some("0571".into())));
        assert_eq!(clean_area_code("571"), Ok(Some("0571".into())));
        assert_eq!(clean_area_code("010"), Ok(Some("010".into())));
        assert_eq!(clean_area_code(" "), Ok(None));
        for bad in ["00571", "05711", "0", "abc", "0-571"] {
            assert!(clean_area_code(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn any_mobile_in_any_dress_is_the_same_mobile(
            second in 3u8..=9,
            rest in "[0-9]{9}",
            dress in 0usize..7,
        ) {
            let m = format!("1{second}{rest}");
            let written = match dress {
                0 => m.clone(),
                1 => format!("+86{m}"),
                2 => format!("+86 {} {} {}", &m[..3], &m[3..7], &m[7..]),
                3 => format!("0086{m}"),
                4 => format!("86{m}"),
                5 => format!("0{m}"),
                _ => format!("{}-{}-{}", &m[..3], &m[3..7], &m[7..]),
            };
            let got = normalize_number(&written, Some("0571")).unwrap();
            prop_assert_eq!(got.kind, NumberKind::Mobile);
            prop_assert_eq!(got.number, m);
        }

        #[test]
        fn any_landline_in_any_dress_keeps_its_area_code(
            area in prop::sample::select(vec!["010", "020", "021", "0571", "0755", "0898"]),
            first in 2u8..=8,
            rest in "[0-9]{6,7}",
            dress in 0usize..5,
        ) {
            let local = format!("{first}{rest}");
            let full = format!("{area}{local}");
            let written = match dress {
                0 => full.clone(),
                1 => format!("{area}-{local}"),
                2 => format!("({area}) {} {}", &local[..4], &local[4..]),
                3 => format!("+86 {} {local}", &area[1..]),
                _ => format!("0086{}{local}", &area[1..]),
            };
            let got = normalize_number(&written, None).unwrap();
            prop_assert_eq!(got.kind, NumberKind::Landline);
            prop_assert_eq!(&got.number, &full);
            // Normalising the normalised number changes nothing.
            let again = normalize_number(&got.number, None).unwrap();
            prop_assert_eq!(again, got);
        }

        #[test]
        fn anything_normalises_without_panicking_to_digits(raw in "\\PC{0,30}") {
            if let Some(c) = normalize_number(&raw, Some("0571")) {
                let d = c.number.trim_start_matches('+');
                prop_assert!(!d.is_empty() && d.chars().all(|ch| ch.is_ascii_digit()));
            }
        }
    }
}
