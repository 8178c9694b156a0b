//! 满意度调查 — the survey after a ticket (004 §4 客户调查: 通过电话或电子邮件发送客户满意度
//! 调查): which resolved tickets get one, how long its link lasts, how an answer is taken
//! and changed, and which answers are low.
//!
//! Every resolved ticket is decided once: surveyed, or skipped with the reason (its type
//! or channel is not surveyed, its contact was surveyed in the last `quiet_days` days, it
//! has no contact to send to). A survey's link lasts `link_days` days; the customer answers
//! 1–5 with one tap and may add a comment; the answer may be changed for `change_days`
//! days after it was first given, never after; one answer per ticket. A score at or under
//! `low_score` is low: the team lead follows it up.

pub mod relationship;
pub mod report;

use jiff::{SignedDuration, Timestamp};

use crate::ticket::{Channel, TicketType};

/// Scores run 1 (very dissatisfied) to 5 (very satisfied).
pub const MIN_SCORE: i64 = 1;
pub const MAX_SCORE: i64 = 5;
/// The longest a comment may be, in characters.
pub const MAX_COMMENT: usize = 500;
/// Bounds of the settings, in days.
pub const QUIET_DAYS: (i64, i64) = (0, 365);
pub const LINK_DAYS: (i64, i64) = (1, 60);
pub const CHANGE_DAYS: (i64, i64) = (0, 30);

keyed! {
    /// Why a resolved ticket got no survey.
    SkipReason {
        /// Its type is not surveyed.
        TicketType = "ticket_type",
        /// Its channel is not surveyed.
        Channel = "channel",
        /// Its contact was surveyed in the last quiet days.
        Recent = "recent",
        /// Nobody to send the link to.
        NoContact = "no_contact",
    }
}

/// 满意度调查设置, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsatRules {
    pub active: bool,
    /// Types surveyed; every type when empty.
    pub ticket_types: Vec<TicketType>,
    /// Channels surveyed; every channel when empty.
    pub channels: Vec<Channel>,
    /// At most one survey per contact in this many days.
    pub quiet_days: i64,
    /// A link lasts this many days.
    pub link_days: i64,
    /// An answer may be changed this many days after it was first given.
    pub change_days: i64,
    /// A score at or under this is low.
    pub low_score: i64,
}

impl Default for CsatRules {
    fn default() -> Self {
        CsatRules {
            active: true,
            ticket_types: Vec::new(),
            channels: Vec::new(),
            quiet_days: 30,
            link_days: 7,
            change_days: 3,
            low_score: 2,
        }
    }
}

/// Why survey settings or an answer are not acceptable. Nothing is stored when one is
/// returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsatError {
    #[error("{field} must be {min}–{max}")]
    OutOfRange {
        field: &'static str,
        min: i64,
        max: i64,
    },
    #[error("a score is {MIN_SCORE}–{MAX_SCORE}")]
    BadScore,
    #[error("a comment is at most {MAX_COMMENT} characters")]
    CommentTooLong,
    /// The link is not one kefu made, or its survey is gone.
    #[error("this survey link is not valid")]
    BadLink,
    /// The link ran out before it was answered.
    #[error("this survey link has expired")]
    Expired,
    /// The answer was given longer ago than it may be changed.
    #[error("this answer can no longer be changed")]
    Final,
    #[error("say how the low score was followed up")]
    NoteRequired,
    #[error("a follow-up note is at most {MAX_NOTE} characters")]
    NoteTooLong,
    #[error("this survey has no low score to follow up")]
    NotLow,
    #[error("this low score was followed up already")]
    AlreadyHandled,
}

/// The longest the lead's follow-up note may be, in characters.
pub const MAX_NOTE: usize = 2000;

/// Checks the lead's note on a low score: said, and not too long. Returns it trimmed.
pub fn check_note(note: &str) -> Result<String, CsatError> {
    let note = note.trim();
    if note.is_empty() {
        return Err(CsatError::NoteRequired);
    }
    if note.chars().count() > MAX_NOTE {
        return Err(CsatError::NoteTooLong);
    }
    Ok(note.to_owned())
}

impl CsatRules {
    /// Checks settings as a form or the API gives them.
    pub fn check(self) -> Result<CsatRules, CsatError> {
        let range = |field, v: i64, (min, max): (i64, i64)| {
            if (min..=max).contains(&v) {
                Ok(())
            } else {
                Err(CsatError::OutOfRange { field, min, max })
            }
        };
        range("quiet_days", self.quiet_days, QUIET_DAYS)?;
        range("link_days", self.link_days, LINK_DAYS)?;
        range("change_days", self.change_days, CHANGE_DAYS)?;
        range("low_score", self.low_score, (MIN_SCORE, MAX_SCORE - 1))?;
        Ok(self)
    }

    /// Whether a resolved ticket of `ticket_type` from `channel` is surveyed: its contact
    /// (`None`: nobody to send to) last surveyed at `last_sent`.
    pub fn decide(
        &self,
        ticket_type: TicketType,
        channel: Channel,
        has_contact: bool,
        last_sent: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<(), SkipReason> {
        if !self.ticket_types.is_empty() && !self.ticket_types.contains(&ticket_type) {
            return Err(SkipReason::TicketType);
        }
        if !self.channels.is_empty() && !self.channels.contains(&channel) {
            return Err(SkipReason::Channel);
        }
        if !has_contact {
            return Err(SkipReason::NoContact);
        }
        if let Some(last) = last_sent
            && now < last + days(self.quiet_days)
        {
            return Err(SkipReason::Recent);
        }
        Ok(())
    }

    /// When a link made at `sent_at` runs out.
    pub fn expires_at(&self, sent_at: Timestamp) -> Timestamp {
        sent_at + days(self.link_days)
    }

    pub fn is_low(&self, score: i64) -> bool {
        score <= self.low_score
    }
}

fn days(n: i64) -> SignedDuration {
    SignedDuration::from_hours(n.clamp(0, 3650) * 24)
}

/// `part` of `whole` in tenths of a percent (41.7 % is 417), rounded half up; `None` of
/// nothing. Rates and shares of the surveys are kept so, in integers.
pub fn per_mille(part: i64, whole: i64) -> Option<i64> {
    (whole > 0).then(|| (part * 2000 + whole) / (whole * 2))
}

/// `sum / n` in tenths (4.3 is 43), rounded half up; `None` of nothing.
pub fn average_tenths(sum: i64, n: i64) -> Option<i64> {
    (n > 0).then(|| (sum * 20 + n) / (n * 2))
}

/// A figure in tenths as people read it: `4.3`, `-33.3`.
pub fn tenths_text(x: i64) -> String {
    let sign = if x < 0 { "-" } else { "" };
    format!("{sign}{}.{}", x.abs() / 10, x.abs() % 10)
}

/// Where a survey's answer stands, as the answer rules read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnswerState {
    pub expires_at: Timestamp,
    /// When the customer first answered.
    pub answered_at: Option<Timestamp>,
}

impl AnswerState {
    /// Until when the answer given may still be changed.
    pub fn changeable_until(&self, change_days: i64) -> Option<Timestamp> {
        self.answered_at.map(|first| first + days(change_days))
    }
}

/// Whether an answer (a first one, or a change) is taken at `now`: before the link runs
/// out, or — once answered — within `change_days` of the first answer.
pub fn answer_window(
    state: AnswerState,
    change_days: i64,
    now: Timestamp,
) -> Result<(), CsatError> {
    match state.changeable_until(change_days) {
        None if now >= state.expires_at => Err(CsatError::Expired),
        Some(until) if now >= until => Err(CsatError::Final),
        _ => Ok(()),
    }
}

/// Checks an answer given at `now`: a score of 1–5 and a comment of at most
/// [`MAX_COMMENT`] characters, before the link runs out, or — once answered — within
/// `change_days` of the first answer. Returns the comment trimmed.
pub fn check_answer(
    state: AnswerState,
    change_days: i64,
    score: i64,
    comment: &str,
    now: Timestamp,
) -> Result<String, CsatError> {
    answer_window(state, change_days, now)?;
    if !(MIN_SCORE..=MAX_SCORE).contains(&score) {
        return Err(CsatError::BadScore);
    }
    let comment = comment.trim();
    if comment.chars().count() > MAX_COMMENT {
        return Err(CsatError::CommentTooLong);
    }
    Ok(comment.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn rates_and_averages_are_tenths_rounded_half_up() {
        assert_eq!(per_mille(5, 12), Some(417));
        assert_eq!(per_mille(2, 3), Some(667));
        assert_eq!(per_mille(1, 0), None);
        assert_eq!(average_tenths(13, 3), Some(43));
        assert_eq!(average_tenths(9, 2), Some(45));
        assert_eq!(average_tenths(0, 0), None);
        assert_eq!(tenths_text(417), "41.7");
        assert_eq!(tenths_text(-333), "-33.3");
        assert_eq!(tenths_text(0), "0.0");
    }

    #[test]
    fn settings_are_bounded() {
        assert!(CsatRules::default().check().is_ok());
        for bad in [
            CsatRules {
                quiet_days: -1,
                ..CsatRules::default()
            },
            CsatRules {
                link_days: 0,
                ..CsatRules::default()
            },
            CsatRules {
                change_days: 31,
                ..CsatRules::default()
            },
            CsatRules {
                low_score: 5,
                ..CsatRules::default()
            },
        ] {
            assert!(matches!(bad.check(), Err(CsatError::OutOfRange { .. })));
        }
    }

    #[test]
    fn a_ticket_is_surveyed_by_type_channel_and_the_contacts_last_survey() {
        let now = at("2026-12-03T02:00:00Z");
        let rules = CsatRules {
            ticket_types: vec![TicketType::Inquiry, TicketType::FaultReport],
            channels: vec![Channel::Email, Channel::Sms],
            ..CsatRules::default()
        };
        let ok = |t, c, has, last| rules.decide(t, c, has, last, now);
        assert_eq!(ok(TicketType::Inquiry, Channel::Email, true, None), Ok(()));
        assert_eq!(
            ok(TicketType::Complaint, Channel::Email, true, None),
            Err(SkipReason::TicketType)
        );
        assert_eq!(
            ok(TicketType::Inquiry, Channel::Phone, true, None),
            Err(SkipReason::Channel)
        );
        assert_eq!(
            ok(TicketType::Inquiry, Channel::Sms, false, None),
            Err(SkipReason::NoContact)
        );
        // 30 quiet days: surveyed 29 days ago, not again; 30 days ago, again.
        let day = SignedDuration::from_hours(24);
        assert_eq!(
            ok(
                TicketType::Inquiry,
                Channel::Sms,
                true,
                Some(now - day * 29)
            ),
            Err(SkipReason::Recent)
        );
        assert_eq!(
            ok(
                TicketType::Inquiry,
                Channel::Sms,
                true,
                Some(now - day * 30)
            ),
            Ok(())
        );
        // Every type and channel when none is named.
        let all = CsatRules::default();
        assert_eq!(
            all.decide(TicketType::Complaint, Channel::Wechat, true, None, now),
            Ok(())
        );
    }

    #[test]
    fn an_answer_is_taken_until_the_link_runs_out_and_changed_only_for_a_while() {
        let sent = at("2026-12-01T02:00:00Z");
        let rules = CsatRules::default();
        let open = AnswerState {
            expires_at: rules.expires_at(sent),
            answered_at: None,
        };
        let day = SignedDuration::from_hours(24);
        assert_eq!(
            check_answer(open, 3, 5, "  很好 ", sent + day),
            Ok("很好".to_owned())
        );
        for bad in [0, 6, -1] {
            assert_eq!(
                check_answer(open, 3, bad, "", sent + day),
                Err(CsatError::BadScore)
            );
        }
        assert_eq!(
            check_answer(open, 3, 4, &"好".repeat(501), sent + day),
            Err(CsatError::CommentTooLong)
        );
        assert_eq!(
            check_answer(open, 3, 4, "", sent + day * 7),
            Err(CsatError::Expired)
        );
        let answered = AnswerState {
            answered_at: Some(sent + day * 6),
            ..open
        };
        // Changed after the link ran out, within three days of the answer.
        assert!(check_answer(answered, 3, 2, "", sent + day * 8).is_ok());
        assert_eq!(
            check_answer(answered, 3, 2, "", sent + day * 9),
            Err(CsatError::Final)
        );
        assert_eq!(
            check_answer(answered, 0, 2, "", sent + day * 6),
            Err(CsatError::Final),
            "no change at all with 0 days"
        );
        assert!(rules.is_low(2) && !rules.is_low(3));
    }
}
