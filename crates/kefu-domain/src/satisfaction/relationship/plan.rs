//! 调查计划 — who a relationship survey asks and when: a segment of the customers (a tier,
//! a customer type, or all), a round each period of 1, 3, 6 or 12 months, a link that
//! lasts some days, and one reminder to those who have not answered.
//!
//! Each customer of the segment is asked once per round, through one contact (the primary
//! one, else the first): by text message to a mobile, or by mail, as the contact prefers
//! and has not refused.

use std::ops::RangeInclusive;

use crate::customer::{ContactChannel, CustomerType, Tier};

/// Rounds run each period of this many months.
pub const EVERY_MONTHS: [i64; 4] = [1, 3, 6, 12];
/// The longest a survey's name may be, in characters.
pub const MAX_NAME: usize = 100;
/// How long an invitation's link works, in days.
pub const LINK_DAYS: RangeInclusive<i64> = 1..=60;
/// After how many days an unanswered invitation is reminded (0: never).
pub const REMIND_DAYS: RangeInclusive<i64> = 0..=30;

/// A survey's plan, as the survey builder gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyPlan {
    pub name: String,
    /// The segment: customers of this tier (all tiers when `None`)…
    pub tier: Option<Tier>,
    /// …and of this type (all types when `None`).
    pub customer_type: Option<CustomerType>,
    pub every_months: i64,
    pub link_days: i64,
    pub remind_after_days: i64,
}

impl Default for SurveyPlan {
    /// Key accounts, every quarter, the link for 14 days, a reminder after 5.
    fn default() -> SurveyPlan {
        SurveyPlan {
            name: String::new(),
            tier: Some(Tier::KeyAccount),
            customer_type: None,
            every_months: 3,
            link_days: 14,
            remind_after_days: 5,
        }
    }
}

/// Why a plan is not acceptable; nothing is stored when one is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SurveyPlanError {
    #[error("a survey needs a name of at most {MAX_NAME} characters")]
    Name,
    #[error("a survey runs every 1, 3, 6 or 12 months")]
    EveryMonths,
    #[error("a link lasts 1–60 days")]
    LinkDays,
    #[error("a reminder goes 0–30 days after the invitation, before the link runs out")]
    RemindDays,
}

/// Checks a plan: a name, a known period, and a reminder (when there is one) while the
/// link still works.
pub fn check_plan(p: &SurveyPlan) -> Result<(), SurveyPlanError> {
    let name = p.name.trim().chars().count();
    if name == 0 || name > MAX_NAME {
        return Err(SurveyPlanError::Name);
    }
    if !EVERY_MONTHS.contains(&p.every_months) {
        return Err(SurveyPlanError::EveryMonths);
    }
    if !LINK_DAYS.contains(&p.link_days) {
        return Err(SurveyPlanError::LinkDays);
    }
    if !REMIND_DAYS.contains(&p.remind_after_days)
        || (p.remind_after_days > 0 && p.remind_after_days >= p.link_days)
    {
        return Err(SurveyPlanError::RemindDays);
    }
    Ok(())
}

/// How an invitation reaches a contact: by text message when the contact has a mobile and
/// prefers texts or calls (or prefers nothing kefu can send), by mail when the contact
/// prefers mail or has no mobile; never by a channel the contact refused. `None` when no
/// channel is left.
pub fn contact_channel(
    has_mobile: bool,
    has_email: bool,
    preferred: Option<ContactChannel>,
    refused: &[ContactChannel],
) -> Option<ContactChannel> {
    let sms = has_mobile && !refused.contains(&ContactChannel::Sms);
    let mail = has_email && !refused.contains(&ContactChannel::Email);
    match preferred {
        Some(ContactChannel::Email) if mail => Some(ContactChannel::Email),
        _ if sms => Some(ContactChannel::Sms),
        _ if mail => Some(ContactChannel::Email),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_are_bounded() {
        let ok = SurveyPlan {
            name: "大客户季度关系调查".into(),
            ..SurveyPlan::default()
        };
        assert_eq!(check_plan(&ok), Ok(()));
        for (bad, why) in [
            (
                SurveyPlan {
                    name: "  ".into(),
                    ..ok.clone()
                },
                SurveyPlanError::Name,
            ),
            (
                SurveyPlan {
                    name: "调".repeat(MAX_NAME + 1),
                    ..ok.clone()
                },
                SurveyPlanError::Name,
            ),
            (
                SurveyPlan {
                    every_months: 2,
                    ..ok.clone()
                },
                SurveyPlanError::EveryMonths,
            ),
            (
                SurveyPlan {
                    link_days: 0,
                    ..ok.clone()
                },
                SurveyPlanError::LinkDays,
            ),
            (
                SurveyPlan {
                    link_days: 61,
                    ..ok.clone()
                },
                SurveyPlanError::LinkDays,
            ),
            (
                SurveyPlan {
                    remind_after_days: 14,
                    ..ok.clone()
                },
                SurveyPlanError::RemindDays,
            ),
            (
                SurveyPlan {
                    remind_after_days: -1,
                    ..ok.clone()
                },
                SurveyPlanError::RemindDays,
            ),
        ] {
            assert_eq!(check_plan(&bad), Err(why), "{bad:?}");
        }
        let never = SurveyPlan {
            remind_after_days: 0,
            link_days: 1,
            ..ok
        };
        assert_eq!(check_plan(&never), Ok(()));
    }

    #[test]
    fn the_channel_follows_the_contacts_wishes() {
        use ContactChannel::*;
        assert_eq!(contact_channel(true, true, None, &[]), Some(Sms));
        assert_eq!(contact_channel(true, true, Some(Email), &[]), Some(Email));
        assert_eq!(contact_channel(true, true, Some(Phone), &[]), Some(Sms));
        assert_eq!(contact_channel(true, true, None, &[Sms]), Some(Email));
        assert_eq!(contact_channel(true, false, Some(Email), &[]), Some(Sms));
        assert_eq!(contact_channel(false, true, Some(Sms), &[]), Some(Email));
        assert_eq!(contact_channel(true, true, None, &[Sms, Email]), None);
        assert_eq!(contact_channel(false, false, None, &[]), None);
    }
}
