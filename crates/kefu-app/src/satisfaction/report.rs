//! 满意度报表 — results and trends of both surveys over whole months: the ticket surveys
//! (response rate, average, share satisfied, low scores) grouped one way, the relationship
//! surveys (response rate, NPS) and their standard questions' averages another, and the
//! customers' own words, searched. Pages, exports and the API read this one report.
//!
//! By product, a ticket counts under the product of its first RMA, and a relationship
//! invitation under every product its customer had bought or brought back before it was
//! made; so the NPS total is that of the invitations, each once, not the sum of the lines.

use kefu_domain::Permission;
use kefu_domain::satisfaction::relationship::{NpsTally, Question, QuestionKind};
use kefu_domain::satisfaction::report::{CsatBy, MonthRange, NpsBy};
use kefu_domain::satisfaction::{average_tenths, per_mille};
use kefu_store::satisfaction_report::{self as store, Said};
use kefu_store::{AnyConnection, StoreError};

use crate::follow_up::{local_date, local_midnight};
use crate::{Actor, App, Result};

/// Words one report lists, at most.
pub const SAID_LIMIT: i64 = 500;

/// What a report is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportQuery {
    /// `2026-07`; blank: five months before the last.
    pub from: String,
    /// `2026-12`; blank: this month.
    pub to: String,
    pub csat_by: CsatBy,
    pub nps_by: NpsBy,
    /// One relationship survey only.
    pub survey: Option<i64>,
    /// Only the words containing this.
    pub words: String,
}

/// The figures of one group of ticket surveys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsatLine {
    /// The month (`2026-11`), the agent's or product's id (`0`: none), the channel, ticket
    /// type or tier key, the province (empty: none given).
    pub key: String,
    /// The agent's name; the product's SKU and name.
    pub name: Option<String>,
    pub sent: i64,
    pub answered: i64,
    /// Tenths of a percent (41.7 % is 417).
    pub response_rate: Option<i64>,
    /// The average score in tenths (4.3 is 43).
    pub average: Option<i64>,
    /// Answered 4–5, of the answered, in tenths of a percent.
    pub satisfied_rate: Option<i64>,
    pub low: i64,
}

/// The figures of one group of relationship invitations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NpsLine {
    /// The round, tier or customer-type key, the province, the product's id (`0`: none).
    pub key: String,
    /// The product's SKU and name.
    pub name: Option<String>,
    pub sent: i64,
    pub answered: i64,
    pub response_rate: Option<i64>,
    pub tally: NpsTally,
    /// In tenths.
    pub nps: Option<i64>,
}

/// The standard questions' averages in one group of invitations (grouped as the NPS is), in
/// tenths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrendLine {
    /// As [`NpsLine::key`].
    pub key: String,
    pub name: Option<String>,
    pub keep: Option<i64>,
    pub repurchase: Option<i64>,
    pub recommend: Option<i64>,
    pub switch: Option<i64>,
    /// The survey's own 1–5 questions, as [`SatisfactionReport::custom_questions`] lists
    /// them (one survey asked for only).
    pub custom: Vec<Option<i64>>,
}

/// A satisfaction report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SatisfactionReport {
    pub range: MonthRange,
    pub csat_by: CsatBy,
    pub nps_by: NpsBy,
    pub survey: Option<i64>,
    pub words: String,
    pub csat: Vec<CsatLine>,
    pub csat_total: CsatLine,
    pub nps: Vec<NpsLine>,
    pub nps_total: NpsLine,
    pub trend: Vec<TrendLine>,
    /// The asked survey's own 1–5 questions, averaged per group in the trend (none unless
    /// one survey is asked for).
    pub custom_questions: Vec<Question>,
    pub said: Vec<Said>,
}

fn csat_line(g: &store::CsatGroup) -> CsatLine {
    CsatLine {
        key: g.key.clone(),
        name: g.name.clone(),
        sent: g.sent,
        answered: g.answered,
        response_rate: per_mille(g.answered, g.sent),
        average: average_tenths(g.score_sum, g.answered),
        satisfied_rate: per_mille(g.satisfied, g.answered),
        low: g.low,
    }
}

fn nps_line(g: &store::NpsGroup) -> NpsLine {
    let tally = NpsTally {
        promoters: g.promoters,
        passives: g.passives,
        detractors: g.detractors,
    };
    NpsLine {
        key: g.key.clone(),
        name: g.name.clone(),
        sent: g.sent,
        answered: g.answered,
        response_rate: per_mille(g.answered, g.sent),
        nps: tally.nps_tenths(),
        tally,
    }
}

fn sum_csat(groups: &[store::CsatGroup]) -> store::CsatGroup {
    let mut t = store::CsatGroup::default();
    for g in groups {
        t.sent += g.sent;
        t.answered += g.answered;
        t.score_sum += g.score_sum;
        t.satisfied += g.satisfied;
        t.low += g.low;
    }
    t
}

fn sum_nps(groups: &[store::NpsGroup]) -> store::NpsGroup {
    let mut t = store::NpsGroup::default();
    for g in groups {
        t.sent += g.sent;
        t.answered += g.answered;
        t.promoters += g.promoters;
        t.passives += g.passives;
        t.detractors += g.detractors;
    }
    t
}

/// Products in the order of their SKU and name, those without a product (key `0`) last.
fn by_product_name<T>(lines: &mut [T], key_name: impl Fn(&T) -> (&String, &Option<String>)) {
    lines.sort_by(|a, b| {
        let (ka, na) = key_name(a);
        let (kb, nb) = key_name(b);
        (ka == "0", na).cmp(&(kb == "0", nb))
    });
}

/// The standard questions, averaged in every report.
const STANDARD: [&str; 4] = ["keep", "repurchase", "recommend", "switch"];

/// Survey `id`'s own 1–5 questions (none for a survey that does not exist: the report of
/// an unknown survey is empty, not an error).
async fn own_scale_questions(conn: &mut AnyConnection, id: i64) -> Result<Vec<Question>> {
    let survey = match kefu_store::relationship::survey(conn, id).await {
        Ok(row) => crate::satisfaction::relationship::view(row)?,
        Err(StoreError::NotFound) => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    Ok(survey
        .questions
        .into_iter()
        .filter(|q| q.kind == QuestionKind::Scale && !STANDARD.contains(&q.key.as_str()))
        .collect())
}

impl App {
    /// The satisfaction report asked for.
    pub async fn satisfaction_report(
        &self,
        actor: &Actor,
        q: &ReportQuery,
    ) -> Result<SatisfactionReport> {
        actor.require(Permission::SatisfactionManage)?;
        let mut conn = self.store.conn().await?;
        let calendar = self.business_calendar(&mut conn).await?;
        let range = MonthRange::parse(&q.from, &q.to, local_date(&calendar, self.now()))?;
        let starts: Vec<jiff::Timestamp> = range
            .starts()
            .into_iter()
            .map(|d| local_midnight(&calendar, d))
            .collect();
        let (from, to) = (starts[0], starts[starts.len() - 1]);
        let by = match q.csat_by {
            CsatBy::Month => store::CsatBy::Month(starts.clone()),
            CsatBy::Agent => store::CsatBy::Agent,
            CsatBy::Channel => store::CsatBy::Channel,
            CsatBy::TicketType => store::CsatBy::TicketType,
            CsatBy::Product => store::CsatBy::Product,
            CsatBy::Tier => store::CsatBy::Tier,
            CsatBy::Region => store::CsatBy::Region,
        };
        let mut groups = store::csat_groups(&mut conn, &by, from, to).await?;
        let csat_total = csat_line(&sum_csat(&groups));
        if q.csat_by == CsatBy::Month {
            // Every month shows, those without surveys too, named as people read them.
            let months = range.months();
            groups = months
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    let mut g = groups
                        .iter()
                        .find(|g| g.key == i.to_string())
                        .cloned()
                        .unwrap_or_default();
                    g.key = m.clone();
                    g
                })
                .collect();
        }
        let nps_by = match q.nps_by {
            NpsBy::Round => store::NpsBy::Round,
            NpsBy::Tier => store::NpsBy::Tier,
            NpsBy::CustomerType => store::NpsBy::CustomerType,
            NpsBy::Region => store::NpsBy::Region,
            NpsBy::Product => store::NpsBy::Product,
            NpsBy::Channel => store::NpsBy::Channel,
            NpsBy::Owner => store::NpsBy::Owner,
        };
        let mut nps_groups = store::nps_groups(&mut conn, nps_by, q.survey, from, to).await?;
        let nps_total = if nps_by == store::NpsBy::Product {
            let rounds = store::nps_groups(&mut conn, store::NpsBy::Round, q.survey, from, to);
            sum_nps(&rounds.await?)
        } else {
            sum_nps(&nps_groups)
        };
        let custom_questions = match q.survey {
            Some(id) => own_scale_questions(&mut conn, id).await?,
            None => Vec::new(),
        };
        let keys: Vec<String> = STANDARD
            .iter()
            .map(|k| (*k).to_owned())
            .chain(custom_questions.iter().map(|q| q.key.clone()))
            .collect();
        let mut trend: Vec<TrendLine> = Vec::new();
        for g in store::question_groups(&mut conn, nps_by, q.survey, (from, to), &keys).await? {
            if trend.last().is_none_or(|t| t.key != g.key) {
                trend.push(TrendLine {
                    key: g.key.clone(),
                    name: g.name.clone(),
                    keep: None,
                    repurchase: None,
                    recommend: None,
                    switch: None,
                    custom: vec![None; custom_questions.len()],
                });
            }
            if let Some(line) = trend.last_mut() {
                let avg = average_tenths(g.sum, g.answers);
                match g.question.as_str() {
                    "keep" => line.keep = avg,
                    "repurchase" => line.repurchase = avg,
                    "recommend" => line.recommend = avg,
                    "switch" => line.switch = avg,
                    own => {
                        if let Some(i) = custom_questions.iter().position(|q| q.key == own) {
                            line.custom[i] = avg;
                        }
                    }
                }
            }
        }
        if q.csat_by == CsatBy::Product {
            by_product_name(&mut groups, |g| (&g.key, &g.name));
        }
        if q.nps_by == NpsBy::Product {
            by_product_name(&mut nps_groups, |g| (&g.key, &g.name));
            by_product_name(&mut trend, |t| (&t.key, &t.name));
        }
        let said = store::said(&mut conn, q.words.trim(), from, to, SAID_LIMIT).await?;
        Ok(SatisfactionReport {
            range,
            csat_by: q.csat_by,
            nps_by: q.nps_by,
            survey: q.survey,
            words: q.words.trim().to_owned(),
            csat: groups.iter().map(csat_line).collect(),
            csat_total,
            nps_total: nps_line(&nps_total),
            nps: nps_groups.iter().map(nps_line).collect(),
            trend,
            custom_questions,
            said,
        })
    }
}
