//! 关系调查 — the periodic relationship survey (002 總則): the survey builder (the four
//! standard questions and the survey's own), its plan (segment, period, link, reminder),
//! the job that invites each customer of the segment once a round and reminds those who
//! have not answered, the customer's answer through a signed link, and the results.
//!
//! The questions are fixed once the first invitation went out, so every answer of a
//! survey answers the same questionnaire; the plan (name, segment, period, link, reminder,
//! on or off) stays editable.

mod answer;
mod results;
mod send;

pub(crate) use send::{may_text, text_time};
mod tiles;

pub use answer::PublicInvitation;
pub use results::{InvitationRow, OptionCount, QuestionResult, RoundResults, SurveySummary};
pub use send::RoundRun;
pub(crate) use send::invitation_words;
pub(crate) use tiles::TILES;

use jiff::Timestamp;
use kefu_domain::Permission;
use kefu_domain::customer::{CustomerType, Tier};
use kefu_domain::satisfaction::relationship::{
    Question, SurveyPlan, check_plan, custom_questions, questionnaire,
};
use kefu_store::StoreError;
use kefu_store::relationship::{self as store, SurveyFields, SurveyRow};

use crate::versions::{self, Setting};
use crate::{Actor, App, AppError, Result};

/// A relationship survey as its pages show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelationshipSurvey {
    pub id: i64,
    pub plan: SurveyPlan,
    /// The whole questionnaire: the standard four, then the survey's own.
    pub questions: Vec<Question>,
    pub active: bool,
    /// When the first invitation went out; the questions are fixed from then on.
    pub first_sent_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

impl RelationshipSurvey {
    /// The questions the survey added to the standard four.
    pub fn custom(&self) -> &[Question] {
        custom_questions(&self.questions)
    }
}

/// What the survey builder sends: the plan, the survey's own questions (their keys are
/// given by their order), and whether it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyForm {
    pub plan: SurveyPlan,
    pub custom: Vec<Question>,
    pub active: bool,
}

fn corrupt(what: &str) -> AppError {
    AppError::Store(StoreError::Corrupt(format!("relationship_surveys.{what}")))
}

pub(crate) fn view(row: SurveyRow) -> Result<RelationshipSurvey> {
    let questions: Vec<Question> =
        serde_json::from_str(&row.questions).map_err(|_| corrupt("questions"))?;
    let tier = match row.tier.as_deref() {
        Some(t) => Some(t.parse::<Tier>().map_err(|_| corrupt("tier"))?),
        None => None,
    };
    let customer_type = match row.customer_type.as_deref() {
        Some(t) => Some(
            t.parse::<CustomerType>()
                .map_err(|_| corrupt("customer_type"))?,
        ),
        None => None,
    };
    Ok(RelationshipSurvey {
        id: row.id,
        plan: SurveyPlan {
            name: row.name,
            tier,
            customer_type,
            every_months: row.every_months,
            link_days: row.link_days,
            remind_after_days: row.remind_after_days,
        },
        questions,
        active: row.active,
        first_sent_at: row.first_sent_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    })
}

/// The checked form: the plan with its name trimmed, the whole questionnaire, and that
/// as stored (JSON).
fn checked(form: &SurveyForm) -> Result<(SurveyPlan, Vec<Question>, String)> {
    let mut plan = form.plan.clone();
    plan.name = plan.name.trim().to_owned();
    check_plan(&plan)?;
    let questions = questionnaire(&form.custom)?;
    let json = serde_json::to_string(&questions).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((plan, questions, json))
}

fn fields<'a>(plan: &'a SurveyPlan, questions: &'a str, active: bool) -> SurveyFields<'a> {
    SurveyFields {
        name: &plan.name,
        questions,
        tier: plan.tier.map(Tier::key),
        customer_type: plan.customer_type.map(CustomerType::key),
        every_months: plan.every_months,
        link_days: plan.link_days,
        remind_after_days: plan.remind_after_days,
        active,
    }
}

impl App {
    /// One relationship survey.
    pub async fn relationship_survey(&self, actor: &Actor, id: i64) -> Result<RelationshipSurvey> {
        actor.require(Permission::SatisfactionManage)?;
        let mut conn = self.store.conn().await?;
        view(store::survey(&mut conn, id).await?)
    }

    /// A new survey, running from the next round of the job when `active`.
    pub async fn create_relationship_survey(
        &self,
        actor: &Actor,
        form: &SurveyForm,
    ) -> Result<i64> {
        actor.require(Permission::SatisfactionManage)?;
        let (plan, _, json) = checked(form)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let id = store::insert_survey(
            &mut tx,
            &fields(&plan, &json, form.active),
            actor.user_id(),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(id)
    }

    /// Saves a survey made against `version` (any, when `None`); returns the new version.
    /// Once invitations went out, changed questions are refused
    /// ([`AppError::QuestionsFixed`]): the plan may change, the questionnaire may not.
    pub async fn update_relationship_survey(
        &self,
        actor: &Actor,
        id: i64,
        form: &SurveyForm,
        version: Option<i64>,
    ) -> Result<i64> {
        actor.require(Permission::SatisfactionManage)?;
        let (plan, questions, json) = checked(form)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let current = view(store::survey(&mut tx, id).await?)?;
        let new_version =
            versions::expect_setting(&mut tx, Setting::RelationshipSurvey, id, version).await?;
        if current.first_sent_at.is_some() && current.questions != questions {
            return Err(AppError::QuestionsFixed);
        }
        store::update_survey(&mut tx, id, &fields(&plan, &json, form.active), now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(new_version)
    }
}
