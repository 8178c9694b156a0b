//! 信用管理 — credit grading (seed 000 §(五)4): an investigation scores factors with
//! evidence, a configurable model weighs them into a grade A–D, and the grade decides how
//! the customer may buy on credit ("graded handling"), a rule other areas ask.

use serde::{Deserialize, Serialize};

/// A factor a credit investigation scores, 0–100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Factor {
    /// 合作年限
    YearsOfCooperation,
    /// 付款记录
    PaymentHistory,
    /// 订单规模
    OrderVolume,
    /// 注册资本
    RegisteredCapital,
    /// 纠纷记录 (a high score means few or no disputes)
    Disputes,
    /// 经营状况
    BusinessCondition,
}

impl Factor {
    pub const ALL: [Factor; 6] = [
        Factor::YearsOfCooperation,
        Factor::PaymentHistory,
        Factor::OrderVolume,
        Factor::RegisteredCapital,
        Factor::Disputes,
        Factor::BusinessCondition,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Factor::YearsOfCooperation => "years_of_cooperation",
            Factor::PaymentHistory => "payment_history",
            Factor::OrderVolume => "order_volume",
            Factor::RegisteredCapital => "registered_capital",
            Factor::Disputes => "disputes",
            Factor::BusinessCondition => "business_condition",
        }
    }

    pub fn parse(s: &str) -> Option<Factor> {
        Factor::ALL.into_iter().find(|f| f.key() == s)
    }
}

/// 信用等级
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Grade {
    A,
    B,
    C,
    D,
}

impl Grade {
    pub const ALL: [Grade; 4] = [Grade::A, Grade::B, Grade::C, Grade::D];

    pub fn key(self) -> &'static str {
        match self {
            Grade::A => "A",
            Grade::B => "B",
            Grade::C => "C",
            Grade::D => "D",
        }
    }

    pub fn parse(s: &str) -> Option<Grade> {
        Grade::ALL.into_iter().find(|g| g.key() == s)
    }
}

/// The scoring model an admin sets: a weight per factor and the lowest score of A, B, C.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    pub weights: Vec<(Factor, u32)>,
    pub a_from: u32,
    pub b_from: u32,
    pub c_from: u32,
}

impl Default for Model {
    /// Payment history weighs most: it is what credit is about.
    fn default() -> Model {
        Model {
            weights: vec![
                (Factor::YearsOfCooperation, 15),
                (Factor::PaymentHistory, 35),
                (Factor::OrderVolume, 15),
                (Factor::RegisteredCapital, 10),
                (Factor::Disputes, 15),
                (Factor::BusinessCondition, 10),
            ],
            a_from: 85,
            b_from: 70,
            c_from: 55,
        }
    }
}

/// Why a model or an investigation is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditError {
    #[error("thresholds must fall: 100 ≥ A > B > C > 0")]
    BadThresholds,
    #[error("the weights must add up to more than zero")]
    NoWeight,
    #[error("a score must be 0–100")]
    BadScore,
    #[error("an investigation needs at least one scored factor")]
    NoFactors,
    #[error("evidence is too long")]
    EvidenceTooLong,
}

impl Model {
    pub fn check(&self) -> Result<(), CreditError> {
        if !(self.a_from <= 100
            && self.a_from > self.b_from
            && self.b_from > self.c_from
            && self.c_from > 0)
        {
            return Err(CreditError::BadThresholds);
        }
        if self.weights.iter().map(|(_, w)| w).sum::<u32>() == 0 {
            return Err(CreditError::NoWeight);
        }
        Ok(())
    }

    /// The weighted score (0–100, rounded) of the factors scored; factors not scored do not
    /// count, so a partial investigation is judged on what was found.
    pub fn score(&self, scores: &[(Factor, u32)]) -> Result<u32, CreditError> {
        if scores.is_empty() {
            return Err(CreditError::NoFactors);
        }
        if scores.iter().any(|(_, s)| *s > 100) {
            return Err(CreditError::BadScore);
        }
        let mut total = 0u64;
        let mut weight = 0u64;
        for (f, s) in scores {
            let w = self
                .weights
                .iter()
                .find(|(x, _)| x == f)
                .map_or(0, |(_, w)| *w) as u64;
            total += w * *s as u64;
            weight += w;
        }
        if weight == 0 {
            return Err(CreditError::NoWeight);
        }
        Ok(((total as f64 / weight as f64).round()) as u32)
    }

    pub fn grade(&self, score: u32) -> Grade {
        if score >= self.a_from {
            Grade::A
        } else if score >= self.b_from {
            Grade::B
        } else if score >= self.c_from {
            Grade::C
        } else {
            Grade::D
        }
    }
}

/// 付款条件 read for what it asks of the customer. The terms are free text (`月结30天`,
/// `款到发货`, `货到付款`); graded handling needs to know whether they give credit at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TermsKind {
    /// 款到发货, 先款后货, 预付, 全款…: paid before the goods leave.
    PayFirst,
    /// 货到付款, 现款现货…: paid when the goods are handed over.
    PayOnDelivery,
    /// 月结, 账期, 30 天…: paid later, on credit.
    OnCredit,
    /// No terms, or words that say none of these: the grade alone decides.
    Unstated,
}

/// Words that give credit. Terms with one of these anywhere are on credit, even with a part
/// paid first (`预付30%，余款月结`): the balance is bought on credit.
const ON_CREDIT: [&str; 12] = [
    "月结",
    "季结",
    "周结",
    "账期",
    "帐期",
    "赊",
    "挂账",
    "挂帐",
    "信用期",
    "分期",
    "先货后款",
    "延期付款",
];

/// Words that ask for payment before the goods leave.
const PAY_FIRST: [&str; 15] = [
    "款到发",
    "款到即发",
    "款到后发",
    "先款后货",
    "先付款",
    "先付后发",
    "付款后发",
    "付清后发",
    "款清发",
    "见款发",
    "预付",
    "预款",
    "全款",
    "全额付款",
    "现款先付",
];

/// Words that ask for payment when the goods are handed over.
const PAY_ON_DELIVERY: [&str; 14] = [
    "货到付款",
    "货到付现",
    "货到收款",
    "到货付款",
    "现款现货",
    "现货现款",
    "现款提货",
    "提货付款",
    "交货付款",
    "送货收款",
    "一手交钱",
    "现结",
    "现金结算",
    "当面结清",
];

/// English terms, read after spaces are dropped and letters lowered.
const EN_PAY_FIRST: [&str; 5] = [
    "prepay",
    "prepaid",
    "inadvance",
    "cashwithorder",
    "beforeshipment",
];
const EN_PAY_ON_DELIVERY: [&str; 3] = ["cashondelivery", "payondelivery", "paymentondelivery"];

/// What, a few characters before a word, says the opposite (`不接受月结`, `无账期`).
const NEGATIONS: [char; 5] = ['不', '无', '非', '禁', '停'];

/// Lower case, half-width letters and digits, no white space: `月结 ３０ 天` → `月结30天`.
fn normalise(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether `word` stands in `text` without a negation just before it.
fn says(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        !text[..at]
            .chars()
            .rev()
            .take(3)
            .any(|c| NEGATIONS.contains(&c))
    })
}

/// Whether any of `words` stands in `text` (see [`says`]).
fn says_any(text: &str, words: &[&str]) -> bool {
    words.iter().any(|w| says(text, w))
}

/// A number of days (`30天`, `60日`, `三十天`, `30days`, `net30`): a credit period.
fn names_days(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let numeral = |c: char| c.is_ascii_digit() || "〇零一二两三四五六七八九十百".contains(c);
    let by_unit = chars
        .windows(2)
        .any(|w| numeral(w[0]) && (w[1] == '天' || (w[1] == '日' && w[0].is_ascii_digit())));
    let days = text.match_indices("day").any(|(at, _)| {
        text[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_digit())
    });
    let net = text.match_indices("net").any(|(at, w)| {
        text[at + w.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    });
    by_unit || days || net
}

impl TermsKind {
    pub const ALL: [TermsKind; 4] = [
        TermsKind::PayFirst,
        TermsKind::PayOnDelivery,
        TermsKind::OnCredit,
        TermsKind::Unstated,
    ];

    pub fn key(self) -> &'static str {
        match self {
            TermsKind::PayFirst => "pay_first",
            TermsKind::PayOnDelivery => "pay_on_delivery",
            TermsKind::OnCredit => "on_credit",
            TermsKind::Unstated => "unstated",
        }
    }

    /// Reads the agreed terms, in this order: a word that gives credit (月结, 账期…)
    /// anywhere makes them on credit; else words asking for payment first, then words
    /// asking for it on delivery; else a bare number of days (`30天`, `net 30`) is a credit
    /// period — after the payment words, so `款到发货，3天内发货` stays payment first.
    /// Anything else (or nothing) is unstated. A word with a negation just before it
    /// (`不接受月结`, `无账期`) does not count.
    pub fn read(terms: Option<&str>) -> TermsKind {
        let text = normalise(terms.unwrap_or_default());
        if text.is_empty() {
            TermsKind::Unstated
        } else if says_any(&text, &ON_CREDIT) {
            TermsKind::OnCredit
        } else if says_any(&text, &PAY_FIRST) || says_any(&text, &EN_PAY_FIRST) {
            TermsKind::PayFirst
        } else if says_any(&text, &PAY_ON_DELIVERY)
            || says_any(&text, &EN_PAY_ON_DELIVERY)
            || text == "cod"
        {
            TermsKind::PayOnDelivery
        } else if names_days(&text) {
            TermsKind::OnCredit
        } else {
            TermsKind::Unstated
        }
    }

    /// Whether the terms themselves ask to be paid by delivery: no credit, whatever the
    /// grade.
    pub fn requires_payment(self) -> bool {
        matches!(self, TermsKind::PayFirst | TermsKind::PayOnDelivery)
    }
}

/// 分级处理 — may the customer buy this amount on credit, and why. The grade, the limit and
/// the agreed payment terms give one answer; the page and the API show it as it is, so the
/// terms shown never contradict it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CreditDecision {
    /// Within the limit, the grade allows it, the terms give credit or say nothing.
    Allowed,
    /// Grade C, or over the limit for A/B: a manager decides.
    NeedsApproval,
    /// Grade D or no grade, and no credit terms agreed: cash or prepayment only.
    Refused,
    /// The agreed terms ask for payment (款到发货, 货到付款…): no credit, whatever the grade.
    RefusedByTerms,
    /// Credit terms were agreed (月结…) but grade D or no grade forbids credit: the terms
    /// are suspended until the grade allows credit again, and the customer pays first.
    TermsSuspended,
}

impl CreditDecision {
    pub const ALL: [CreditDecision; 5] = [
        CreditDecision::Allowed,
        CreditDecision::NeedsApproval,
        CreditDecision::Refused,
        CreditDecision::RefusedByTerms,
        CreditDecision::TermsSuspended,
    ];

    /// The key it is serialised as.
    pub fn key(self) -> &'static str {
        match self {
            CreditDecision::Allowed => "allowed",
            CreditDecision::NeedsApproval => "needs_approval",
            CreditDecision::Refused => "refused",
            CreditDecision::RefusedByTerms => "refused_by_terms",
            CreditDecision::TermsSuspended => "terms_suspended",
        }
    }

    /// The answer an order needs, whatever the reason: `allowed`, `needs_approval` or
    /// `refused` (every refusal, by grade or by terms, is `refused`).
    pub fn verdict(self) -> &'static str {
        match self {
            CreditDecision::Allowed => "allowed",
            CreditDecision::NeedsApproval => "needs_approval",
            CreditDecision::Refused
            | CreditDecision::RefusedByTerms
            | CreditDecision::TermsSuspended => "refused",
        }
    }

    /// Whether the agreed terms apply as written (false while the grade suspends them).
    pub fn terms_in_force(self) -> bool {
        self != CreditDecision::TermsSuspended
    }
}

/// The graded handling rule. Terms that ask for payment (款到发货, 货到付款) refuse credit
/// whatever the grade. Otherwise A and B buy on credit up to their limit (beyond it a
/// manager approves), C always needs approval, and D and ungraded customers pay first —
/// with any credit terms they were given suspended, not silently in force. Setting credit
/// terms for such a customer stays allowed (the grade may rise); the answer shows the
/// suspension.
pub fn credit_decision(
    grade: Option<Grade>,
    limit_fen: i64,
    outstanding_fen: i64,
    amount_fen: i64,
    terms: TermsKind,
) -> CreditDecision {
    if terms.requires_payment() {
        return CreditDecision::RefusedByTerms;
    }
    match grade {
        None | Some(Grade::D) if terms == TermsKind::OnCredit => CreditDecision::TermsSuspended,
        None | Some(Grade::D) => CreditDecision::Refused,
        Some(Grade::C) => CreditDecision::NeedsApproval,
        Some(Grade::A | Grade::B) => {
            if outstanding_fen.saturating_add(amount_fen) <= limit_fen {
                CreditDecision::Allowed
            } else {
                CreditDecision::NeedsApproval
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_weigh_the_factors_found_and_grade_by_threshold() {
        let m = Model::default();
        let all_90: Vec<(Factor, u32)> = Factor::ALL.iter().map(|f| (*f, 90)).collect();
        assert_eq!(m.score(&all_90).unwrap(), 90);
        assert_eq!(m.grade(90), Grade::A);
        // Good payments outweigh a short relationship.
        let s = m
            .score(&[
                (Factor::PaymentHistory, 95),
                (Factor::YearsOfCooperation, 40),
            ])
            .unwrap();
        assert_eq!(s, 79);
        assert_eq!(m.grade(s), Grade::B);
        assert_eq!(m.grade(55), Grade::C);
        assert_eq!(m.grade(54), Grade::D);
        assert_eq!(m.score(&[]), Err(CreditError::NoFactors));
        assert_eq!(
            m.score(&[(Factor::Disputes, 101)]),
            Err(CreditError::BadScore)
        );
    }

    #[test]
    fn models_must_make_sense() {
        assert!(Model::default().check().is_ok());
        let bad = Model {
            b_from: 90,
            ..Model::default()
        };
        assert_eq!(bad.check(), Err(CreditError::BadThresholds));
        let none = Model {
            weights: vec![(Factor::Disputes, 0)],
            ..Model::default()
        };
        assert_eq!(none.check(), Err(CreditError::NoWeight));
    }

    #[test]
    fn graded_handling() {
        use CreditDecision::*;
        let none = TermsKind::Unstated;
        assert_eq!(
            credit_decision(Some(Grade::A), 100_000, 20_000, 50_000, none),
            Allowed
        );
        assert_eq!(
            credit_decision(Some(Grade::B), 100_000, 80_000, 50_000, none),
            NeedsApproval
        );
        assert_eq!(
            credit_decision(Some(Grade::C), 100_000, 0, 1, none),
            NeedsApproval
        );
        assert_eq!(
            credit_decision(Some(Grade::D), 100_000, 0, 1, none),
            Refused
        );
        assert_eq!(credit_decision(None, 100_000, 0, 1, none), Refused);
    }

    #[test]
    fn terms_are_read_into_what_they_ask() {
        use TermsKind::*;
        for (terms, kind) in [
            ("月结30天", OnCredit),
            ("月结 60 天", OnCredit),
            ("月结３０天", OnCredit),
            ("30天账期", OnCredit),
            ("票到30日付款", OnCredit),
            ("货到三十天付款", OnCredit),
            ("季结", OnCredit),
            ("预付30%，余款月结", OnCredit),
            ("Net 30", OnCredit),
            ("60 days", OnCredit),
            ("款到发货", PayFirst),
            ("先款后货", PayFirst),
            ("100%预付", PayFirst),
            ("全款提货", PayFirst),
            ("款到发货，不接受月结", PayFirst),
            ("款到发货，3天内发货", PayFirst),
            ("货到付款，7天无理由退换", PayOnDelivery),
            ("先款后货 无账期", PayFirst),
            ("Prepaid", PayFirst),
            ("货到付款", PayOnDelivery),
            ("现款现货", PayOnDelivery),
            ("现结", PayOnDelivery),
            ("Cash on delivery", PayOnDelivery),
            ("COD", PayOnDelivery),
            ("按合同约定", Unstated),
            ("", Unstated),
            ("   ", Unstated),
        ] {
            assert_eq!(TermsKind::read(Some(terms)), kind, "{terms}");
        }
        assert_eq!(TermsKind::read(None), Unstated);
        assert!(PayFirst.requires_payment() && PayOnDelivery.requires_payment());
        assert!(!OnCredit.requires_payment() && !Unstated.requires_payment());
    }

    #[test]
    fn terms_that_ask_for_payment_refuse_credit_whatever_the_grade() {
        for terms in [TermsKind::PayFirst, TermsKind::PayOnDelivery] {
            for grade in [
                None,
                Some(Grade::A),
                Some(Grade::B),
                Some(Grade::C),
                Some(Grade::D),
            ] {
                let d = credit_decision(grade, 10_000_000, 0, 1, terms);
                assert_eq!(d, CreditDecision::RefusedByTerms, "{grade:?} {terms:?}");
                assert_eq!(d.verdict(), "refused");
                assert!(d.terms_in_force());
            }
        }
    }

    #[test]
    fn credit_terms_follow_the_grade_and_are_suspended_when_it_forbids_credit() {
        use CreditDecision::*;
        let on_credit = TermsKind::OnCredit;
        assert_eq!(
            credit_decision(Some(Grade::A), 100_000, 0, 50_000, on_credit),
            Allowed
        );
        assert_eq!(
            credit_decision(Some(Grade::B), 100_000, 60_000, 50_000, on_credit),
            NeedsApproval
        );
        assert_eq!(
            credit_decision(Some(Grade::C), 100_000, 0, 1, on_credit),
            NeedsApproval
        );
        for grade in [None, Some(Grade::D)] {
            let d = credit_decision(grade, 100_000, 0, 1, on_credit);
            assert_eq!(d, TermsSuspended, "{grade:?}");
            assert_eq!(d.verdict(), "refused");
            assert!(!d.terms_in_force());
        }
    }

    /// Every grade with every kind of terms: the answer never contradicts the terms.
    #[test]
    fn the_answer_never_contradicts_the_terms() {
        let grades = [
            None,
            Some(Grade::A),
            Some(Grade::B),
            Some(Grade::C),
            Some(Grade::D),
        ];
        for grade in grades {
            for terms in TermsKind::ALL {
                for (limit, amount) in [(0, 1), (100_000, 1), (100_000, 200_000)] {
                    let d = credit_decision(grade, limit, 0, amount, terms);
                    if terms.requires_payment() {
                        assert_eq!(d.verdict(), "refused", "{grade:?} {terms:?}");
                    }
                    if d.verdict() != "refused" {
                        assert!(d.terms_in_force() && !terms.requires_payment());
                        assert!(matches!(grade, Some(Grade::A | Grade::B | Grade::C)));
                    }
                    if !d.terms_in_force() {
                        assert_eq!(terms, TermsKind::OnCredit, "{grade:?}");
                        assert!(matches!(grade, None | Some(Grade::D)));
                    }
                }
            }
        }
    }

    #[test]
    fn decisions_serialise_as_their_keys() {
        for d in CreditDecision::ALL {
            assert_eq!(serde_json::to_value(d).unwrap(), d.key());
        }
        for k in TermsKind::ALL {
            assert_eq!(serde_json::to_value(k).unwrap(), k.key());
        }
    }
}
