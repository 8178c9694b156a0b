//! 金额 — the one ceiling on every amount of money kefu accepts, and how amounts are summed.
//!
//! Money is integer fen (分) in an `i64`. No single cost, penalty, refund or credit limit of
//! a customer service department comes near [`MAX_AMOUNT_FEN`] (¥1,000,000,000); a figure
//! above it is a typing or integration mistake, and accepting one (say `i64::MAX`) would
//! make every later sum overflow. The ceiling is checked where input enters (pages, the
//! API, imports) through [`amount`]; sums are taken in `i128` ([`total`]), and amounts
//! stored before the ceiling existed are read as at most the ceiling ([`stored`]), so no
//! report can overflow, on either backend.
//!
//! Headroom: with every amount at most 10¹¹ fen, an `i64` sum overflows only after
//! 92 million amounts at the ceiling — which is what lets SQL `SUM` stay in `BIGINT`.

/// The largest amount kefu accepts, in fen: ¥10 亿 (1,000,000,000 yuan).
pub const MAX_AMOUNT_FEN: i64 = 100_000_000_000; // ¥10 亿

/// Why an amount is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("an amount cannot be negative")]
    Negative,
    #[error("an amount is at most {max_fen} fen")]
    TooLarge { max_fen: i64 },
}

/// Checks an amount in fen: from 0 to [`MAX_AMOUNT_FEN`].
pub fn amount(fen: i64) -> Result<i64, AmountError> {
    if fen < 0 {
        Err(AmountError::Negative)
    } else if fen > MAX_AMOUNT_FEN {
        Err(AmountError::TooLarge {
            max_fen: MAX_AMOUNT_FEN,
        })
    } else {
        Ok(fen)
    }
}

/// An amount read back from storage, brought within `0..=MAX_AMOUNT_FEN`: rows written
/// before the ceiling existed count at the ceiling instead of breaking a sum.
pub fn stored(fen: i64) -> i64 {
    fen.clamp(0, MAX_AMOUNT_FEN)
}

/// The sum of amounts, taken in `i128` so it cannot overflow, and given back as `i64`
/// (saturated at `i64::MAX`/`i64::MIN`, which bounded amounts never reach).
pub fn total(amounts: impl IntoIterator<Item = i64>) -> i64 {
    let sum: i128 = amounts.into_iter().map(i128::from).sum();
    saturate(sum)
}

/// An `i128` sum as `i64`, saturated at the ends.
pub fn saturate(sum: i128) -> i64 {
    i64::try_from(sum).unwrap_or(if sum < 0 { i64::MIN } else { i64::MAX })
}

/// Yuan as a person types them (`12,000.50`, `12，000`, `.5`) to fen: digits with at most
/// two decimals, thousands separators allowed; blank is 0. `None` for anything else — a
/// sign, a third decimal (`12.345`), letters. The ceiling is [`amount`]'s to check.
pub fn parse_yuan(s: &str) -> Option<i64> {
    let t: String = s
        .trim()
        .chars()
        .filter(|c| *c != ',' && *c != '，')
        .collect();
    if t.is_empty() {
        return Some(0);
    }
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    if frac.len() > 2
        || (whole.is_empty() && frac.is_empty())
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let w: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let f: i64 = format!("{frac:0<2}").parse().ok()?;
    w.checked_mul(100)?.checked_add(f)
}

/// The ceiling in yuan for people, with thousands separators: `1,000,000,000`.
pub fn max_yuan() -> String {
    grouped(&(MAX_AMOUNT_FEN / 100).to_string())
}

/// Fen as yuan with two decimals and no grouping, as files carry it (a CSV cell is read
/// back as a number): `-0.50`, `1234.05`.
pub fn plain_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Fen as yuan for people — what every page shows: thousands separated, two decimals, the
/// sign kept: `18,000.00`, `-1,234.05`, `0.50`. (XLSX cells show the same through their
/// `#,##0.00` format; CSV cells stay [`plain_yuan`].)
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!(
        "{sign}{}.{:02}",
        grouped(&(abs / 100).to_string()),
        abs % 100
    )
}

/// A run of digits with a comma before every group of three from the right.
fn grouped(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_bounded_on_both_sides() {
        assert_eq!(amount(0), Ok(0));
        assert_eq!(amount(MAX_AMOUNT_FEN), Ok(MAX_AMOUNT_FEN));
        assert_eq!(
            amount(MAX_AMOUNT_FEN + 1),
            Err(AmountError::TooLarge {
                max_fen: MAX_AMOUNT_FEN
            })
        );
        assert_eq!(
            amount(i64::MAX),
            Err(AmountError::TooLarge {
                max_fen: MAX_AMOUNT_FEN
            })
        );
        assert_eq!(amount(-1), Err(AmountError::Negative));
        assert_eq!(amount(i64::MIN), Err(AmountError::Negative));
    }

    #[test]
    fn yuan_are_read_to_the_fen_and_no_further() {
        assert_eq!(parse_yuan("12,000.5"), Some(1_200_050));
        assert_eq!(parse_yuan("0.05"), Some(5));
        assert_eq!(parse_yuan(".5"), Some(50));
        assert_eq!(parse_yuan(""), Some(0));
        assert_eq!(parse_yuan("12.345"), None);
        assert_eq!(parse_yuan("-1"), None);
        assert_eq!(parse_yuan("."), None);
        assert_eq!(parse_yuan("1e3"), None);
        assert_eq!(parse_yuan("99999999999999999999"), None);
    }

    #[test]
    fn the_ceiling_is_a_billion_yuan() {
        assert_eq!(MAX_AMOUNT_FEN / 100, 1_000_000_000);
        assert_eq!(max_yuan(), "1,000,000,000");
    }

    #[test]
    fn yuan_for_people_is_grouped_and_for_files_is_plain() {
        assert_eq!(yuan(1_800_000), "18,000.00");
        assert_eq!(yuan(0), "0.00");
        assert_eq!(yuan(5), "0.05");
        assert_eq!(yuan(99_999), "999.99");
        assert_eq!(yuan(100_000), "1,000.00");
        assert_eq!(yuan(-123_405), "-1,234.05");
        assert_eq!(yuan(MAX_AMOUNT_FEN), "1,000,000,000.00");
        assert_eq!(yuan(i64::MIN), "-92,233,720,368,547,758.08");
        assert_eq!(plain_yuan(1_800_000), "18000.00");
        assert_eq!(plain_yuan(-50), "-0.50");
    }

    #[test]
    fn sums_cannot_overflow() {
        assert_eq!(total([MAX_AMOUNT_FEN; 3]), 3 * MAX_AMOUNT_FEN);
        assert_eq!(total([i64::MAX, i64::MAX, 1]), i64::MAX);
        assert_eq!(total([i64::MIN, -1]), i64::MIN);
        assert_eq!(total(Vec::<i64>::new()), 0);
        // Ninety million amounts at the ceiling still fit an i64: SQL sums stay BIGINT.
        assert!(i128::from(MAX_AMOUNT_FEN) * 90_000_000 < i128::from(i64::MAX));
    }

    #[test]
    fn stored_amounts_above_the_ceiling_count_at_the_ceiling() {
        assert_eq!(stored(i64::MAX), MAX_AMOUNT_FEN);
        assert_eq!(stored(-5), 0);
        assert_eq!(stored(12_345), 12_345);
        assert_eq!(total([i64::MAX, i64::MAX].map(stored)), 2 * MAX_AMOUNT_FEN);
    }
}
