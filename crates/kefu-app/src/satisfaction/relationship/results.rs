//! 调查结果 — a relationship survey's round as the team reads it: invited, skipped,
//! reminded, answered and the response rate; the NPS; each question's answers (the
//! average of a scale, the count of each option); the customers' own words; who was asked.

use jiff::Timestamp;
use kefu_domain::Permission;
use kefu_domain::follow_up::plan::PlanPeriod;
use kefu_domain::satisfaction::relationship::{NPS_QUESTION, NpsTally, Question, QuestionKind};
use kefu_domain::satisfaction::{average_tenths, per_mille};
use kefu_store::relationship::{self as store, RoundTally, TextAnswer};

use super::{RelationshipSurvey, view};
use crate::follow_up::local_date;
use crate::{Actor, App, Result};

/// Invitations and comments one results page lists, at most.
pub const LIST_LIMIT: i64 = 1000;

/// A survey on the list, with its current round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveySummary {
    pub survey: RelationshipSurvey,
    /// The round of today.
    pub period: String,
    pub tally: RoundTally,
    pub nps_tenths: Option<i64>,
}

/// How often one answer was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionCount {
    /// The option's words, or the number answered.
    pub label: String,
    pub count: i64,
}

/// One question's answers in a round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionResult {
    pub question: Question,
    pub answers: i64,
    /// The average of a 1–5 or 0–10 question, in tenths (4.3 is 43).
    pub average_tenths: Option<i64>,
    /// Each option (a choice) or each number (a scale, 0–10) with how often it was given.
    pub counts: Vec<OptionCount>,
}

/// Whom a round asked (never their numbers or addresses: the page lists names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationRow {
    pub id: i64,
    pub customer_id: i64,
    pub customer_name: String,
    pub contact_name: Option<String>,
    pub state: String,
    pub skip_reason: Option<String>,
    pub channel: Option<String>,
    pub sent_at: Option<Timestamp>,
    pub reminded_at: Option<Timestamp>,
    pub answered_at: Option<Timestamp>,
    pub nps: Option<i64>,
}

/// A round's results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundResults {
    pub survey: RelationshipSurvey,
    pub period: String,
    /// The rounds there are, the latest first (with `period` among them).
    pub periods: Vec<String>,
    pub tally: RoundTally,
    /// Answered of sent, in tenths of a percent (41.7 % is 417).
    pub response_rate_tenths: Option<i64>,
    pub nps: NpsTally,
    pub questions: Vec<QuestionResult>,
    pub comments: Vec<TextAnswer>,
    pub invitations: Vec<InvitationRow>,
}

fn question_result(q: &Question, counts: &[(String, i64, i64)]) -> QuestionResult {
    let mine: Vec<(i64, i64)> = counts
        .iter()
        .filter(|(k, _, _)| *k == q.key)
        .map(|(_, number, n)| (*number, *n))
        .collect();
    let answers: i64 = mine.iter().map(|(_, n)| n).sum();
    let (average_tenths, counts) = match q.kind {
        QuestionKind::Choice => (
            None,
            q.options
                .iter()
                .enumerate()
                .map(|(i, label)| OptionCount {
                    label: label.clone(),
                    count: mine
                        .iter()
                        .find(|(number, _)| *number == i as i64)
                        .map_or(0, |(_, n)| *n),
                })
                .collect(),
        ),
        QuestionKind::Scale | QuestionKind::Nps => {
            let range = if q.kind == QuestionKind::Scale {
                1..=5
            } else {
                0..=10
            };
            let sum: i64 = mine.iter().map(|(number, n)| number * n).sum();
            (
                average_tenths(sum, answers),
                range
                    .map(|number| OptionCount {
                        label: number.to_string(),
                        count: mine
                            .iter()
                            .find(|(x, _)| *x == number)
                            .map_or(0, |(_, n)| *n),
                    })
                    .collect(),
            )
        }
        QuestionKind::Text => (None, Vec::new()),
    };
    QuestionResult {
        question: q.clone(),
        answers,
        average_tenths,
        counts,
    }
}

fn nps_of(counts: &[(String, i64, i64)]) -> NpsTally {
    let mut t = NpsTally::default();
    for (key, number, n) in counts {
        if key == NPS_QUESTION {
            for _ in 0..*n {
                t.add(*number);
            }
        }
    }
    t
}

impl App {
    /// Every relationship survey with its current round's figures, the newest first.
    pub async fn relationship_surveys(&self, actor: &Actor) -> Result<Vec<SurveySummary>> {
        actor.require(Permission::SatisfactionManage)?;
        let mut conn = self.store.conn().await?;
        let calendar = self.business_calendar(&mut conn).await?;
        let today = local_date(&calendar, self.now());
        let mut out = Vec::new();
        for row in store::surveys(&mut conn).await? {
            let survey = view(row)?;
            let period = PlanPeriod::containing(today, survey.plan.every_months)?.key();
            let tally = store::round_tally(&mut conn, survey.id, &period).await?;
            let counts = store::number_counts(&mut conn, survey.id, &period).await?;
            out.push(SurveySummary {
                nps_tenths: nps_of(&counts).nps_tenths(),
                survey,
                period,
                tally,
            });
        }
        Ok(out)
    }

    /// Round `period` of survey `id` (today's round when `None`).
    pub async fn relationship_results(
        &self,
        actor: &Actor,
        id: i64,
        period: Option<&str>,
    ) -> Result<RoundResults> {
        actor.require(Permission::SatisfactionManage)?;
        let mut conn = self.store.conn().await?;
        let survey = view(store::survey(&mut conn, id).await?)?;
        let period = match period.map(str::trim).filter(|p| !p.is_empty()) {
            Some(p) => PlanPeriod::parse(p)?.key(),
            None => {
                let calendar = self.business_calendar(&mut conn).await?;
                let today = local_date(&calendar, self.now());
                PlanPeriod::containing(today, survey.plan.every_months)?.key()
            }
        };
        let mut periods = store::periods(&mut conn, id).await?;
        if !periods.contains(&period) {
            periods.insert(0, period.clone());
        }
        let tally = store::round_tally(&mut conn, id, &period).await?;
        let counts = store::number_counts(&mut conn, id, &period).await?;
        let comments = store::text_answers(&mut conn, id, &period, LIST_LIMIT).await?;
        let invitations = store::invitations(&mut conn, id, &period, LIST_LIMIT)
            .await?
            .into_iter()
            .map(|i| InvitationRow {
                id: i.id,
                customer_id: i.customer_id,
                customer_name: i.customer_name,
                contact_name: i.contact_name,
                state: i.state,
                skip_reason: i.skip_reason,
                channel: i.channel,
                sent_at: i.sent_at,
                reminded_at: i.reminded_at,
                answered_at: i.answered_at,
                nps: i.nps,
            })
            .collect();
        Ok(RoundResults {
            response_rate_tenths: per_mille(tally.answered, tally.sent),
            nps: nps_of(&counts),
            questions: survey
                .questions
                .iter()
                .map(|q| question_result(q, &counts))
                .collect(),
            survey,
            period,
            periods,
            tally,
            comments,
            invitations,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scale_question_counts_each_answer_and_averages_in_tenths() {
        let q = Question {
            key: "keep".into(),
            text: "保持合作".into(),
            kind: QuestionKind::Scale,
            options: Vec::new(),
            required: true,
        };
        // 5, 5, 4: 4.67 → 4.7.
        let counts = [("keep".to_owned(), 5, 2), ("keep".to_owned(), 4, 1)];
        let r = question_result(&q, &counts);
        assert_eq!((r.answers, r.average_tenths), (3, Some(47)));
        assert_eq!(r.counts.len(), 5);
        assert_eq!(r.counts[4].count, 2);
    }
}
