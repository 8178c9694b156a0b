//! 关系调查 — the key accounts' quarterly relationship survey: the four standard questions
//! and one of the company's own, last quarter's round finished (about half answered, the
//! recommendation mostly 9–10, some detractors) and this quarter's under way, each
//! invitation sent by text message in the calling hours or by mail as the job sends it,
//! the unanswered reminded once.

use fastrand::Rng;
use kefu_domain::customer::{ContactChannel, RestHours};
use kefu_domain::follow_up::plan::PlanPeriod;
use kefu_domain::satisfaction::relationship::{
    NPS_QUESTION, Question, QuestionKind, contact_channel, questionnaire,
};
use kefu_store::StoreError;
use kefu_store::bulk::{self, Batch, InvitationRow, KeyCustomer};
use kefu_store::relationship::{AnswerRow, SurveyRow};

use super::{Context, ROWS_PER_COMMIT, early, hours, mins, nps_score, texts, weighted};
use crate::demo::DemoError;
use crate::follow_up::call_window;
use crate::{App, AppError};

/// 关系调查 as the customer service manager set it up.
const NAME: &str = "大客户季度合作关系调查";
const EVERY_MONTHS: i64 = 3;
const LINK_DAYS: i64 = 14;
const REMIND_AFTER_DAYS: i64 = 5;

/// An invitation and its answers, before the ids are chosen.
struct Invited {
    row: InvitationRow,
    answers: Vec<AnswerRow>,
}

/// Writes the survey and its two rounds; returns the invitations written.
pub(super) async fn write(app: &App, rng: &mut Rng, cx: &Context<'_>) -> Result<usize, DemoError> {
    let suggestion = Question {
        key: "q1".to_owned(),
        text: texts::SUGGESTION_QUESTION.to_owned(),
        kind: QuestionKind::Text,
        options: Vec::new(),
        required: false,
    };
    // The questionnaire exactly as the survey builder stores it.
    let questions = questionnaire(&[suggestion]).map_err(AppError::from)?;
    let questions =
        serde_json::to_string(&questions).map_err(|e| AppError::Internal(e.to_string()))?;
    let Ok(this) = PlanPeriod::containing(cx.today(), EVERY_MONTHS) else {
        return Ok(0);
    };
    let Some(last) = this
        .start()
        .yesterday()
        .ok()
        .and_then(|d| PlanPeriod::containing(d, EVERY_MONTHS).ok())
    else {
        return Ok(0);
    };
    let mut invited = Vec::new();
    for round in [last, this] {
        for c in cx.key_accounts() {
            if let Some(i) = invitation(rng, cx, round, c) {
                invited.push(i);
            }
        }
    }
    let created_at = cx.at(super::days_after(last.start(), -18), 10, 30);
    let first_sent_at = invited.iter().filter_map(|i| i.row.sent_at).min();
    let survey = SurveyRow {
        id: 0,
        name: NAME.to_owned(),
        questions,
        tier: Some("key_account".to_owned()),
        customer_type: None,
        every_months: EVERY_MONTHS,
        link_days: LINK_DAYS,
        remind_after_days: REMIND_AFTER_DAYS,
        active: true,
        first_sent_at,
        created_at,
        updated_at: created_at,
        version: 1,
    };
    let author = cx.world.cast.managers.first().map(|m| m.id);
    save(app, survey, author, invited).await
}

/// Customer `c`'s invitation to `round`, sent when the job would have sent it; `None`
/// when that is still to come.
fn invitation(
    rng: &mut Rng,
    cx: &Context<'_>,
    round: PlanPeriod,
    c: &KeyCustomer,
) -> Option<Invited> {
    let now = cx.now();
    // The job runs every few minutes: at the round's start, or once the customer is added.
    let from = cx.midnight(round.start()).max(c.created_at) + mins(rng.i64(2..30));
    let refused: Vec<ContactChannel> = c
        .opt_outs
        .split(',')
        .filter_map(|k| k.parse().ok())
        .collect();
    let preferred = c.preferred_channel.as_deref().and_then(|p| p.parse().ok());
    let channel = c
        .contact_id
        .and_then(|_| contact_channel(c.mobile.is_some(), c.email.is_some(), preferred, &refused));
    let mut row = InvitationRow {
        id: 0,
        survey_id: 0,
        period: round.key(),
        customer_id: c.id,
        contact_id: c.contact_id,
        state: "skipped",
        skip_reason: Some("no_contact"),
        channel: None,
        created_at: from,
        sent_at: None,
        expires_at: None,
        reminded_at: None,
        answered_at: None,
        nps: None,
    };
    let Some(channel) = channel else {
        return (from < now).then_some(Invited {
            row,
            answers: Vec::new(),
        });
    };
    let rest = RestHours::parse(&c.rest_hours).unwrap_or_default();
    let window = call_window(&cx.calendar, &cx.follow_up.calling_hours, &cx.roster, &rest);
    // A text waits for the contact's calling window; mail goes at once.
    let sent = match channel {
        ContactChannel::Sms => window.earliest(from, from + hours(24 * 10))?.start,
        _ => from,
    };
    if sent >= now {
        return None;
    }
    let expires = sent + hours(24 * LINK_DAYS);
    row.state = "sent";
    row.skip_reason = None;
    row.channel = Some(channel.key());
    row.created_at = sent;
    row.sent_at = Some(sent);
    row.expires_at = Some(expires);
    // A quiet account hardly answers.
    let will_answer = if super::reachable_until(c, now) < now {
        rng.u8(0..10) == 0
    } else {
        rng.bool()
    };
    let latest = expires.min(now);
    let answered = will_answer
        .then(|| early(rng, sent + mins(10), latest))
        .filter(|at| *at < latest);
    let remind = sent + hours(24 * REMIND_AFTER_DAYS);
    let remind = match channel {
        ContactChannel::Sms => window.earliest(remind, expires).map(|s| s.start),
        _ => Some(remind + mins(rng.i64(1..10))),
    };
    row.reminded_at = remind.filter(|at| *at < latest && answered.is_none_or(|a| a > *at));
    let mut answers = Vec::new();
    if let Some(at) = answered {
        let nps = nps_score(rng);
        row.answered_at = Some(at);
        row.nps = Some(nps);
        answers = answers_of(rng, nps);
    }
    Some(Invited { row, answers })
}

/// A 1–5 answer of a customer who would recommend the company `nps` of 10: near it.
fn scale_near(rng: &mut Rng, nps: i64) -> i64 {
    let near = 1 + nps * 4 / 10;
    let step = weighted(rng, &[(-1, 20), (0, 60), (1, 20)]).unwrap_or(0);
    (near + step).clamp(1, 5)
}

/// The answers of a customer who would recommend the company `nps` of 10: the three 1–5
/// questions near it, the suggestion now and then.
fn answers_of(rng: &mut Rng, nps: i64) -> Vec<AnswerRow> {
    let number = |question: &str, n: i64| AnswerRow {
        question: question.to_owned(),
        number: Some(n),
        text: None,
    };
    let mut out = vec![
        number("keep", scale_near(rng, nps)),
        number("repurchase", scale_near(rng, nps)),
        number(NPS_QUESTION, nps),
        number("switch", scale_near(rng, nps)),
    ];
    if rng.u8(0..100) < 45
        && let Some(text) = texts::relationship_text(rng, nps)
    {
        out.push(AnswerRow {
            question: "q1".to_owned(),
            number: None,
            text: Some(text.to_owned()),
        });
    }
    out
}

/// Chooses the ids and writes the survey, its invitations and their answers.
async fn save(
    app: &App,
    mut survey: SurveyRow,
    author: Option<i64>,
    mut invited: Vec<Invited>,
) -> Result<usize, DemoError> {
    let mut tx = app.store.begin().await?;
    let Some(id) = bulk::reserve_ids(&mut tx, "relationship_surveys", 1)
        .await?
        .first()
        .copied()
    else {
        return Ok(0);
    };
    let ids = bulk::reserve_ids(&mut tx, "relationship_invitations", invited.len()).await?;
    survey.id = id;
    let mut batch = Batch::default();
    batch.relationship_survey(&survey, author);
    let mut written = 0;
    for (i, invitation_id) in invited.iter_mut().zip(ids) {
        i.row.id = invitation_id;
        i.row.survey_id = id;
        batch.relationship_invitation(&i.row);
        for a in &i.answers {
            batch.relationship_answer(invitation_id, a);
        }
        written += 1;
        if batch.len() >= ROWS_PER_COMMIT {
            batch.write(&mut tx).await?;
            tx.commit().await.map_err(StoreError::from)?;
            tx = app.store.begin().await?;
        }
    }
    batch.write(&mut tx).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_cover_the_four_standard_questions_in_range() {
        let mut rng = Rng::with_seed(9);
        for nps in 0..=10 {
            let answers = answers_of(&mut rng, nps);
            let keys: Vec<&str> = answers.iter().map(|a| a.question.as_str()).collect();
            assert_eq!(&keys[..4], ["keep", "repurchase", "recommend", "switch"]);
            for a in &answers[..4] {
                let n = a.number.unwrap();
                if a.question == NPS_QUESTION {
                    assert_eq!(n, nps);
                } else {
                    assert!((1..=5).contains(&n), "{a:?}");
                }
            }
        }
    }
}
