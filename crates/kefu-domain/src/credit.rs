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

/// 分级处理 — may the customer buy this amount on credit?
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CreditDecision {
    /// Within the limit and the grade allows it.
    Allowed,
    /// Grade C, or over the limit for A/B: a manager decides.
    NeedsApproval,
    /// Grade D or no grade: cash or prepayment only.
    Refused,
}

/// The graded handling rule: A and B buy on credit up to their limit (beyond it a manager
/// approves), C always needs approval, D and ungraded customers pay first.
pub fn credit_decision(
    grade: Option<Grade>,
    limit_fen: i64,
    outstanding_fen: i64,
    amount_fen: i64,
) -> CreditDecision {
    match grade {
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
        assert_eq!(
            credit_decision(Some(Grade::A), 100_000, 20_000, 50_000),
            Allowed
        );
        assert_eq!(
            credit_decision(Some(Grade::B), 100_000, 80_000, 50_000),
            NeedsApproval
        );
        assert_eq!(
            credit_decision(Some(Grade::C), 100_000, 0, 1),
            NeedsApproval
        );
        assert_eq!(credit_decision(Some(Grade::D), 100_000, 0, 1), Refused);
        assert_eq!(credit_decision(None, 100_000, 0, 1), Refused);
    }
}
