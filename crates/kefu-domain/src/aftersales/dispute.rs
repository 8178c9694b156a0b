//! 售后纠纷 — a dispute over after-sales (000 §(七)8: 裁定和调解售后服务中的纠纷): both
//! positions and the evidence, then the after-sales specialist's ruling 裁定, which cites a
//! clause of the policy (the final interpretation 最终解释 is the department's) and stands as
//! precedent for the next one alike.

use super::policy::ClauseKey;

keyed! {
    /// 纠纷状态
    DisputeStatus {
        /// 待裁定
        Open = "open",
        /// 已裁定
        Ruled = "ruled",
    }
}

/// The longest subject.
pub const MAX_SUBJECT: usize = 100;
/// The longest position, evidence or ruling.
pub const MAX_TEXT: usize = 4000;

/// Why a dispute or ruling is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DisputeError {
    #[error("{0} is required")]
    Required(&'static str),
    #[error("{field} is at most {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("the dispute is already ruled")]
    AlreadyRuled,
    #[error("the RMA is another customer's")]
    OtherCustomer,
}

/// 纠纷登记 — what a dispute records before its ruling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisputeCase {
    pub subject: String,
    /// 客户主张
    pub customer_position: String,
    /// 公司意见
    pub company_position: String,
    /// 证据 — what each side showed (invoices, photos described, repair records).
    pub evidence: String,
}

fn text(field: &'static str, raw: &str, max: usize) -> Result<String, DisputeError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(DisputeError::Required(field));
    }
    if t.chars().count() > max {
        return Err(DisputeError::TooLong { field, max });
    }
    Ok(t.to_owned())
}

impl DisputeCase {
    /// The case with its texts trimmed, every one required.
    pub fn checked(self) -> Result<DisputeCase, DisputeError> {
        Ok(DisputeCase {
            subject: text("subject", &self.subject, MAX_SUBJECT)?,
            customer_position: text("customer_position", &self.customer_position, MAX_TEXT)?,
            company_position: text("company_position", &self.company_position, MAX_TEXT)?,
            evidence: text("evidence", &self.evidence, MAX_TEXT)?,
        })
    }
}

/// 裁定 — the ruling and the clause it rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ruling {
    pub text: String,
    /// The policy version whose clause is cited.
    pub policy_id: i64,
    pub clause: ClauseKey,
}

/// Checks a ruling on a dispute that stands `status`.
pub fn rule(status: DisputeStatus, ruling: Ruling) -> Result<Ruling, DisputeError> {
    if status == DisputeStatus::Ruled {
        return Err(DisputeError::AlreadyRuled);
    }
    Ok(Ruling {
        text: text("ruling", &ruling.text, MAX_TEXT)?,
        ..ruling
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case() -> DisputeCase {
        DisputeCase {
            subject: " 热水器漏水是否属人为损坏 ".into(),
            customer_position: "安装后一周即漏水".into(),
            company_position: "检测发现进水口被外力撞裂".into(),
            evidence: "维修单 WX-1024 及照片".into(),
        }
    }

    #[test]
    fn a_case_needs_both_positions_and_the_evidence() {
        assert_eq!(
            case().checked().unwrap().subject,
            "热水器漏水是否属人为损坏"
        );
        let mut c = case();
        c.evidence = " ".into();
        assert_eq!(c.checked(), Err(DisputeError::Required("evidence")));
        let mut c = case();
        c.customer_position = "长".repeat(MAX_TEXT + 1);
        assert_eq!(
            c.checked(),
            Err(DisputeError::TooLong {
                field: "customer_position",
                max: MAX_TEXT
            })
        );
    }

    #[test]
    fn a_dispute_is_ruled_once_citing_a_clause() {
        let r = Ruling {
            text: " 属人为损坏，有偿维修 ".into(),
            policy_id: 1,
            clause: ClauseKey::CustomerDamage,
        };
        assert_eq!(
            rule(DisputeStatus::Open, r.clone()).unwrap().text,
            "属人为损坏，有偿维修"
        );
        assert_eq!(
            rule(DisputeStatus::Ruled, r),
            Err(DisputeError::AlreadyRuled)
        );
    }
}
