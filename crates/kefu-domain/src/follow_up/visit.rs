//! 回访结果 — what one attempt at a visit found, and when it completes the visit (002 §三4:
//! 必须保证回访信息的完整记录, 必须保证信息的真实性).
//!
//! Every attempt records whether the contact was reached, on which channel, when it began
//! and ended. A reached contact completes the visit only with the whole result: the
//! satisfaction, at least one aspect, the customer's own words and the next action. An
//! unanswered attempt never completes a visit, so it does not count for coverage.

use jiff::Timestamp;

use crate::customer::ContactChannel;

pub use crate::complaint::FollowUpResult as Satisfaction;

keyed! {
    /// 是否联系上 — what came of one attempt.
    Reach {
        /// 已接通
        Reached = "reached",
        /// 无人接听
        NoAnswer = "no_answer",
        /// 号码错误
        WrongNumber = "wrong_number",
        /// 拒绝回访
        Refused = "refused",
        /// 约定回拨 — the contact asked to be called at another time.
        CallBack = "call_back",
    }
}

keyed! {
    /// 评价方面 — what the customer's opinion is about.
    Aspect {
        /// 产品
        Product = "product",
        /// 物流配送
        Delivery = "delivery",
        /// 价格
        Price = "price",
        /// 服务态度
        Attitude = "attitude",
        /// 客服人员
        Agent = "agent",
        /// 售后服务
        AfterSales = "after_sales",
    }
}

keyed! {
    /// Why a visit was planned.
    Reason {
        /// 定期回访
        Periodic = "periodic",
        /// 投诉结案回访
        Complaint = "complaint",
        /// 特色回访 — a holiday, the 店庆日, a promotion.
        Occasion = "occasion",
        /// 沉睡客户回访
        Dormant = "dormant",
        /// 售后回访 — after an RMA (return, exchange, refund, repair) was closed.
        AfterSales = "after_sales",
        /// 首单回访 — after a customer's first order arrived.
        FirstOrder = "first_order",
        /// 手工安排
        Manual = "manual",
    }
}

keyed! {
    /// Where a visit stands.
    VisitStatus {
        /// 待回访
        Planned = "planned",
        /// 已完成
        Done = "done",
        /// 已取消
        Cancelled = "cancelled",
    }
}

/// The longest a customer's words or the next action may be, in characters.
pub const MAX_TEXT: usize = 2000;
/// The longest an attempt may last: a day.
pub const MAX_CALL_HOURS: i64 = 24;

/// One attempt as it is recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub reach: Reach,
    pub channel: ContactChannel,
    pub started_at: Timestamp,
    pub ended_at: Timestamp,
    /// The call record the attempt was made on, for a phone visit.
    pub call_id: Option<i64>,
    /// When the contact asked to be called back (a `call_back` attempt).
    pub callback_at: Option<Timestamp>,
    pub satisfaction: Option<Satisfaction>,
    pub aspects: Vec<Aspect>,
    /// 客户原话
    pub words: String,
    /// 后续行动
    pub next_action: String,
}

/// Why an attempt cannot be recorded. Nothing is stored when one is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VisitError {
    /// A field the attempt needs is empty; `field` is its key.
    #[error("{field} is required")]
    Required { field: &'static str },
    #[error("{field} is longer than {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("the end is before the start")]
    EndsBeforeStart,
    #[error("an attempt lasts at most {MAX_CALL_HOURS} hours")]
    TooLongCall,
    #[error("the attempt lies in the future")]
    InFuture,
    #[error("a call-back time must be in the future")]
    CallbackInPast,
    #[error("this visit is already {0}")]
    Finished(VisitStatus),
    /// The contact has no mobile number to text.
    #[error("the contact has no mobile number")]
    NoMobile,
    /// The contact asked for no text messages.
    #[error("the contact does not want text messages")]
    OptedOutOfSms,
    /// The call linked as proof was with a number none of the visit's customer's contacts
    /// has (回访的真实性: only a call with the customer proves a visit).
    #[error("the call was not with this customer")]
    CallOfAnother,
    /// The moment asked for is outside the calling window; `next` is the next allowed one.
    #[error("no call may be made then (next allowed: {next:?})")]
    OutsideCallingWindow { next: Option<Timestamp> },
}

impl Attempt {
    /// Checks the attempt at `now`: times in order and past, and — when the contact was
    /// reached — every part of the result present (so "done" cannot be saved with a field
    /// missing); a call-back attempt needs the time asked for.
    pub fn check(&self, now: Timestamp) -> Result<(), VisitError> {
        if self.ended_at < self.started_at {
            return Err(VisitError::EndsBeforeStart);
        }
        if self.ended_at.duration_since(self.started_at).as_hours() >= MAX_CALL_HOURS {
            return Err(VisitError::TooLongCall);
        }
        // A minute's grace: the agent's clock and the server's are not one.
        if self.ended_at > now + jiff::SignedDuration::from_mins(1) {
            return Err(VisitError::InFuture);
        }
        for (field, text) in [("words", &self.words), ("next_action", &self.next_action)] {
            if text.chars().count() > MAX_TEXT {
                return Err(VisitError::TooLong {
                    field,
                    max: MAX_TEXT,
                });
            }
        }
        match self.reach {
            Reach::Reached => {
                if self.satisfaction.is_none() {
                    return Err(VisitError::Required {
                        field: "satisfaction",
                    });
                }
                if self.aspects.is_empty() {
                    return Err(VisitError::Required { field: "aspects" });
                }
                if self.words.trim().is_empty() {
                    return Err(VisitError::Required { field: "words" });
                }
                if self.next_action.trim().is_empty() {
                    return Err(VisitError::Required {
                        field: "next_action",
                    });
                }
            }
            Reach::CallBack => match self.callback_at {
                None => {
                    return Err(VisitError::Required {
                        field: "callback_at",
                    });
                }
                Some(at) if at <= now => return Err(VisitError::CallbackInPast),
                Some(_) => {}
            },
            Reach::NoAnswer | Reach::WrongNumber | Reach::Refused => {}
        }
        Ok(())
    }

    /// Whether this attempt completes the visit.
    pub fn completes(&self) -> bool {
        self.reach == Reach::Reached
    }

    /// Talk time in whole seconds.
    pub fn seconds(&self) -> i64 {
        self.ended_at.duration_since(self.started_at).as_secs()
    }
}

/// What an unsatisfied result opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escalation {
    /// 工单 — for the department to look into.
    Ticket,
    /// 投诉 — a fault in the product or the service.
    Complaint,
}

/// 不满意 opens a complaint when the customer faults the product or the service (its
/// attitude, the agent, the after-sales service), else a ticket; 满意 and 一般 open nothing.
pub fn escalation(satisfaction: Satisfaction, aspects: &[Aspect]) -> Option<Escalation> {
    if satisfaction != Satisfaction::Unsatisfied {
        return None;
    }
    let fault = aspects.iter().any(|a| {
        matches!(
            a,
            Aspect::Product | Aspect::Attitude | Aspect::Agent | Aspect::AfterSales
        )
    });
    Some(if fault {
        Escalation::Complaint
    } else {
        Escalation::Ticket
    })
}

/// 回访真实性 — a completed phone visit is proven by a call of at least `min_seconds`
/// linked to it; otherwise the quality specialist looks at it.
pub fn needs_quality_check(
    channel: ContactChannel,
    call_seconds: Option<i64>,
    min_seconds: i64,
) -> bool {
    channel == ContactChannel::Phone && call_seconds.is_none_or(|s| s < min_seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn reached() -> Attempt {
        Attempt {
            reach: Reach::Reached,
            channel: ContactChannel::Phone,
            started_at: at("2026-12-03T02:00:00Z"),
            ended_at: at("2026-12-03T02:04:00Z"),
            call_id: None,
            callback_at: None,
            satisfaction: Some(Satisfaction::Satisfied),
            aspects: vec![Aspect::Product],
            words: "挺好的".into(),
            next_action: "无".into(),
        }
    }

    #[test]
    fn done_needs_every_field() {
        let now = at("2026-12-03T03:00:00Z");
        assert_eq!(reached().check(now), Ok(()));
        let mut a = reached();
        a.satisfaction = None;
        assert_eq!(
            a.check(now),
            Err(VisitError::Required {
                field: "satisfaction"
            })
        );
        let mut a = reached();
        a.aspects.clear();
        assert_eq!(a.check(now), Err(VisitError::Required { field: "aspects" }));
        let mut a = reached();
        a.words = "  ".into();
        assert_eq!(a.check(now), Err(VisitError::Required { field: "words" }));
        let mut a = reached();
        a.next_action = String::new();
        assert_eq!(
            a.check(now),
            Err(VisitError::Required {
                field: "next_action"
            })
        );
    }

    #[test]
    fn times_must_make_sense() {
        let now = at("2026-12-03T03:00:00Z");
        let mut a = reached();
        a.ended_at = at("2026-12-03T01:00:00Z");
        assert_eq!(a.check(now), Err(VisitError::EndsBeforeStart));
        let mut a = reached();
        a.ended_at = at("2026-12-03T04:00:00Z");
        assert_eq!(a.check(now), Err(VisitError::InFuture));
        let mut a = reached();
        a.started_at = at("2026-12-02T02:00:00Z");
        assert_eq!(a.check(now), Err(VisitError::TooLongCall));
    }

    #[test]
    fn a_call_back_needs_a_future_time_and_never_completes() {
        let now = at("2026-12-03T03:00:00Z");
        let mut a = reached();
        a.reach = Reach::CallBack;
        a.satisfaction = None;
        assert_eq!(
            a.check(now),
            Err(VisitError::Required {
                field: "callback_at"
            })
        );
        a.callback_at = Some(at("2026-12-03T02:30:00Z"));
        assert_eq!(a.check(now), Err(VisitError::CallbackInPast));
        a.callback_at = Some(at("2026-12-04T02:30:00Z"));
        assert_eq!(a.check(now), Ok(()));
        assert!(!a.completes());
        a.reach = Reach::NoAnswer;
        assert!(!a.completes());
    }

    #[test]
    fn unsatisfied_opens_a_complaint_for_faults_and_a_ticket_otherwise() {
        use Aspect::*;
        assert_eq!(escalation(Satisfaction::Satisfied, &[Product]), None);
        assert_eq!(escalation(Satisfaction::Neutral, &[Agent]), None);
        for fault in [Product, Attitude, Agent, AfterSales] {
            assert_eq!(
                escalation(Satisfaction::Unsatisfied, &[Price, fault]),
                Some(Escalation::Complaint)
            );
        }
        assert_eq!(
            escalation(Satisfaction::Unsatisfied, &[Price, Delivery]),
            Some(Escalation::Ticket)
        );
    }

    #[test]
    fn a_phone_visit_without_a_long_enough_call_goes_to_quality() {
        assert!(needs_quality_check(ContactChannel::Phone, None, 60));
        assert!(needs_quality_check(ContactChannel::Phone, Some(59), 60));
        assert!(!needs_quality_check(ContactChannel::Phone, Some(60), 60));
        assert!(!needs_quality_check(ContactChannel::Email, None, 60));
    }
}
