//! 关系调查 — the periodic relationship survey (002 總則: 客户总体满意度集中体现在客户维护和
//! 加强与公司现行关系的主动性，重复购买的意愿，向其他人推荐公司的意愿，以及转向竞争对手的
//! 抵抗力): the four standard questions, custom ones (a choice, a 1–5 scale, a 0–10 scale,
//! free text), the checks on a questionnaire and on an answer, and the NPS.
//!
//! NPS counts the 0–10 answers to the recommendation question: promoters 9–10, passives
//! 7–8, detractors 0–6; NPS = % promoters − % detractors, from −100 to 100.

pub mod plan;

pub use plan::{SurveyPlan, SurveyPlanError, check_plan, contact_channel};

keyed! {
    /// What a question asks for.
    QuestionKind {
        /// One of the listed options.
        Choice = "choice",
        /// 1 (not at all) to 5 (fully).
        Scale = "scale",
        /// 0 to 10: the recommendation question NPS is counted from.
        Nps = "nps",
        /// The customer's own words.
        Text = "text",
    }
}

/// Questions on one questionnaire, at most.
pub const MAX_QUESTIONS: usize = 20;
/// The longest a question may be, in characters.
pub const MAX_QUESTION: usize = 200;
/// Options of a choice question: at least two, at most this many.
pub const MAX_OPTIONS: usize = 10;
/// The longest an option may be, in characters.
pub const MAX_OPTION: usize = 50;
/// The longest a text answer may be, in characters.
pub const MAX_TEXT_ANSWER: usize = 1000;

/// One question of a questionnaire.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Question {
    /// Names it in answers and results (`keep`, `repurchase`, `recommend`, `switch`,
    /// `q1`…).
    pub key: String,
    pub text: String,
    pub kind: QuestionKind,
    /// The options of a choice question.
    #[serde(default)]
    pub options: Vec<String>,
    pub required: bool,
}

/// The question NPS is counted from.
pub const NPS_QUESTION: &str = "recommend";

impl Question {
    fn new(key: &str, text: &str, kind: QuestionKind) -> Question {
        Question {
            key: key.to_owned(),
            text: text.to_owned(),
            kind,
            options: Vec::new(),
            required: true,
        }
    }
}

/// The four questions 002 names, as the shipped questionnaire begins: the will to keep the
/// relationship, to buy again, to recommend (NPS), and resistance to switching.
pub fn standard_questions() -> Vec<Question> {
    vec![
        Question::new(
            "keep",
            "您是否愿意继续与我们保持并加强合作关系？",
            QuestionKind::Scale,
        ),
        Question::new(
            "repurchase",
            "您再次购买我们产品或服务的意愿有多大？",
            QuestionKind::Scale,
        ),
        Question::new(
            "recommend",
            "您有多大可能向朋友或同事推荐我们公司？",
            QuestionKind::Nps,
        ),
        Question::new(
            "switch",
            "即使其他公司提供类似的产品和价格，您仍会选择我们吗？",
            QuestionKind::Scale,
        ),
    ]
}

/// A survey's questionnaire: the four standard questions, then the survey's own (keyed
/// `q1`, `q2`… in order; a choice, a 1–5 scale or text — the 0–10 question is the
/// standard one NPS is counted from). The standard four are always asked, so every
/// survey's results compare.
pub fn questionnaire(custom: &[Question]) -> Result<Vec<Question>, QuestionnaireError> {
    let mut all = standard_questions();
    let first = all.len();
    for (i, q) in custom.iter().enumerate() {
        if q.kind == QuestionKind::Nps {
            return Err(QuestionnaireError::SecondNps(first + i + 1));
        }
        all.push(Question {
            key: format!("q{}", i + 1),
            text: q.text.trim().to_owned(),
            kind: q.kind,
            options: if q.kind == QuestionKind::Choice {
                q.options.iter().map(|o| o.trim().to_owned()).collect()
            } else {
                Vec::new()
            },
            required: q.required,
        });
    }
    check_questions(&all)?;
    Ok(all)
}

/// The questions a survey added to the standard four.
pub fn custom_questions(questions: &[Question]) -> &[Question] {
    let standard = standard_questions().len();
    questions.get(standard..).unwrap_or_default()
}

/// Why a questionnaire or an answer is not acceptable. Nothing is stored when one is
/// returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuestionnaireError {
    #[error("a questionnaire has 1–{MAX_QUESTIONS} questions")]
    QuestionCount,
    #[error("question {0}: the text is empty or longer than {MAX_QUESTION} characters")]
    QuestionText(usize),
    #[error(
        "question {0}: a choice has 2–{MAX_OPTIONS} options of at most {MAX_OPTION} characters"
    )]
    Options(usize),
    #[error("question {0}: the 0–10 question is the standard recommendation question")]
    SecondNps(usize),
    #[error("two questions are named {0:?}")]
    DuplicateKey(String),
    /// An answer to a question that is not on the questionnaire.
    #[error("no question {0:?}")]
    UnknownQuestion(String),
    #[error("question {0:?} must be answered")]
    Unanswered(String),
    #[error("the answer to {0:?} is out of range")]
    OutOfRange(String),
    #[error("the answer to {0:?} is longer than {MAX_TEXT_ANSWER} characters")]
    TooLong(String),
}

/// Checks a questionnaire as the survey builder gives it.
pub fn check_questions(questions: &[Question]) -> Result<(), QuestionnaireError> {
    if questions.is_empty() || questions.len() > MAX_QUESTIONS {
        return Err(QuestionnaireError::QuestionCount);
    }
    for (i, q) in questions.iter().enumerate() {
        let n = i + 1;
        let len = q.text.trim().chars().count();
        if len == 0 || len > MAX_QUESTION {
            return Err(QuestionnaireError::QuestionText(n));
        }
        if q.kind == QuestionKind::Choice {
            let ok = (2..=MAX_OPTIONS).contains(&q.options.len())
                && q.options.iter().all(|o| {
                    let l = o.trim().chars().count();
                    l > 0 && l <= MAX_OPTION
                });
            if !ok {
                return Err(QuestionnaireError::Options(n));
            }
        }
        if questions[..i].iter().any(|p| p.key == q.key) {
            return Err(QuestionnaireError::DuplicateKey(q.key.clone()));
        }
    }
    Ok(())
}

/// One answer as typed: the question's key and the value (a number, an option's index
/// from 0, or text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Given {
    pub key: String,
    pub value: String,
}

/// One answer, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// The index of the option chosen.
    Choice(usize),
    Scale(i64),
    Nps(i64),
    Text(String),
}

/// Checks a customer's answers against the questionnaire: every required question
/// answered, every value in range, nothing for a question it does not have. Blank values
/// are no answer. Returns the answers in the questionnaire's order.
pub fn check_answers(
    questions: &[Question],
    given: &[Given],
) -> Result<Vec<(String, Answer)>, QuestionnaireError> {
    if let Some(g) = given
        .iter()
        .find(|g| !questions.iter().any(|q| q.key == g.key))
    {
        return Err(QuestionnaireError::UnknownQuestion(g.key.clone()));
    }
    let mut out = Vec::new();
    for q in questions {
        let value = given
            .iter()
            .find(|g| g.key == q.key)
            .map(|g| g.value.trim())
            .filter(|v| !v.is_empty());
        let Some(v) = value else {
            if q.required {
                return Err(QuestionnaireError::Unanswered(q.key.clone()));
            }
            continue;
        };
        let out_of_range = || QuestionnaireError::OutOfRange(q.key.clone());
        let number = |min: i64, max: i64| {
            v.parse::<i64>()
                .ok()
                .filter(|n| (min..=max).contains(n))
                .ok_or_else(out_of_range)
        };
        let answer = match q.kind {
            QuestionKind::Scale => Answer::Scale(number(1, 5)?),
            QuestionKind::Nps => Answer::Nps(number(0, 10)?),
            QuestionKind::Choice => {
                let i = number(0, q.options.len() as i64 - 1)?;
                Answer::Choice(i as usize)
            }
            QuestionKind::Text => {
                if v.chars().count() > MAX_TEXT_ANSWER {
                    return Err(QuestionnaireError::TooLong(q.key.clone()));
                }
                Answer::Text(v.to_owned())
            }
        };
        out.push((q.key.clone(), answer));
    }
    Ok(out)
}

/// The 0–10 answers of a set, as NPS counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NpsTally {
    /// 9–10
    pub promoters: i64,
    /// 7–8
    pub passives: i64,
    /// 0–6
    pub detractors: i64,
}

impl NpsTally {
    pub fn add(&mut self, score: i64) {
        match score {
            9..=10 => self.promoters += 1,
            7..=8 => self.passives += 1,
            _ => self.detractors += 1,
        }
    }

    pub fn total(&self) -> i64 {
        self.promoters + self.passives + self.detractors
    }

    /// NPS in tenths (−1000 to 1000: 41.7 is 417), rounded half away from zero; `None`
    /// without answers.
    pub fn nps_tenths(&self) -> Option<i64> {
        let total = self.total();
        if total == 0 {
            return None;
        }
        let diff = (self.promoters - self.detractors) * 1000;
        // Round half away from zero, in integers.
        let q = (diff.abs() * 2 + total) / (total * 2);
        Some(if diff < 0 { -q } else { q })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_questionnaire_asks_what_002_names() {
        let q = standard_questions();
        assert_eq!(check_questions(&q), Ok(()));
        let keys: Vec<&str> = q.iter().map(|x| x.key.as_str()).collect();
        assert_eq!(keys, ["keep", "repurchase", "recommend", "switch"]);
        assert_eq!(q[2].kind, QuestionKind::Nps);
    }

    #[test]
    fn questionnaires_are_checked() {
        assert_eq!(check_questions(&[]), Err(QuestionnaireError::QuestionCount));
        let mut q = standard_questions();
        q[1].text = " ".into();
        assert_eq!(
            check_questions(&q),
            Err(QuestionnaireError::QuestionText(2))
        );
        let mut q = standard_questions();
        q.push(Question {
            options: vec!["价格".into()],
            ..Question::new("why", "您选择我们的主要原因？", QuestionKind::Choice)
        });
        assert_eq!(check_questions(&q), Err(QuestionnaireError::Options(5)));
        let mut q = standard_questions();
        q.push(Question::new("keep", "重复", QuestionKind::Text));
        assert_eq!(
            check_questions(&q),
            Err(QuestionnaireError::DuplicateKey("keep".into()))
        );
    }

    #[test]
    fn a_questionnaire_is_the_standard_four_then_the_surveys_own() {
        let custom = [
            Question {
                options: vec![" 价格 ".into(), "质量".into()],
                ..Question::new("", " 您选择我们的主要原因？ ", QuestionKind::Choice)
            },
            Question::new("", "还有什么建议？", QuestionKind::Text),
        ];
        let all = questionnaire(&custom).unwrap();
        let keys: Vec<&str> = all.iter().map(|q| q.key.as_str()).collect();
        assert_eq!(
            keys,
            ["keep", "repurchase", "recommend", "switch", "q1", "q2"]
        );
        assert_eq!(all[4].text, "您选择我们的主要原因？");
        assert_eq!(all[4].options, ["价格", "质量"]);
        assert_eq!(custom_questions(&all).len(), 2);
        assert_eq!(
            questionnaire(&[Question::new("", "再打个分", QuestionKind::Nps)]),
            Err(QuestionnaireError::SecondNps(5))
        );
        let too_many = vec![Question::new("", "问题", QuestionKind::Text); MAX_QUESTIONS - 3];
        assert_eq!(
            questionnaire(&too_many),
            Err(QuestionnaireError::QuestionCount)
        );
        let json = serde_json::to_string(&all).unwrap();
        let back: Vec<Question> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, all);
    }

    fn given(pairs: &[(&str, &str)]) -> Vec<Given> {
        pairs
            .iter()
            .map(|(k, v)| Given {
                key: (*k).into(),
                value: (*v).into(),
            })
            .collect()
    }

    #[test]
    fn answers_are_in_range_and_complete() {
        let mut q = standard_questions();
        q.push(Question {
            options: vec!["价格".into(), "质量".into(), "服务".into()],
            required: false,
            ..Question::new("why", "您选择我们的主要原因？", QuestionKind::Choice)
        });
        q.push(Question {
            required: false,
            ..Question::new("say", "还有什么建议？", QuestionKind::Text)
        });
        let ok = given(&[
            ("keep", "5"),
            ("repurchase", "4"),
            ("recommend", "9"),
            ("switch", "3"),
            ("why", "2"),
            ("say", "  希望交货再快一点 "),
        ]);
        assert_eq!(
            check_answers(&q, &ok).unwrap(),
            vec![
                ("keep".to_owned(), Answer::Scale(5)),
                ("repurchase".to_owned(), Answer::Scale(4)),
                ("recommend".to_owned(), Answer::Nps(9)),
                ("switch".to_owned(), Answer::Scale(3)),
                ("why".to_owned(), Answer::Choice(2)),
                ("say".to_owned(), Answer::Text("希望交货再快一点".into())),
            ]
        );
        let base = [
            ("keep", "5"),
            ("repurchase", "4"),
            ("recommend", "9"),
            ("switch", "3"),
        ];
        for (key, bad) in [
            ("keep", "0"),
            ("keep", "6"),
            ("recommend", "11"),
            ("recommend", "-1"),
            ("switch", "三"),
        ] {
            let mut g = given(&base);
            g.iter_mut().find(|x| x.key == key).unwrap().value = bad.into();
            assert_eq!(
                check_answers(&q, &g),
                Err(QuestionnaireError::OutOfRange(key.into())),
                "{key}={bad}"
            );
        }
        let mut g = given(&base);
        g.push(Given {
            key: "why".into(),
            value: "3".into(),
        });
        assert_eq!(
            check_answers(&q, &g),
            Err(QuestionnaireError::OutOfRange("why".into()))
        );
        assert_eq!(
            check_answers(
                &q,
                &given(&[("keep", "5"), ("repurchase", "4"), ("switch", "3")])
            ),
            Err(QuestionnaireError::Unanswered("recommend".into()))
        );
        let mut g = given(&base);
        g.push(Given {
            key: "ghost".into(),
            value: "1".into(),
        });
        assert_eq!(
            check_answers(&q, &g),
            Err(QuestionnaireError::UnknownQuestion("ghost".into()))
        );
        let mut g = given(&base);
        g.push(Given {
            key: "say".into(),
            value: "很".repeat(1001),
        });
        assert_eq!(
            check_answers(&q, &g),
            Err(QuestionnaireError::TooLong("say".into()))
        );
    }

    #[test]
    fn nps_is_promoters_less_detractors_in_percent() {
        let mut t = NpsTally::default();
        assert_eq!(t.nps_tenths(), None);
        // 5 promoters, 4 passives, 3 detractors of 12: 41.67 − 25 = 16.7.
        for s in [10, 9, 9, 10, 9, 8, 7, 7, 8, 6, 0, 3] {
            t.add(s);
        }
        assert_eq!((t.promoters, t.passives, t.detractors), (5, 4, 3));
        assert_eq!(t.nps_tenths(), Some(167));
        let mut all_bad = NpsTally::default();
        for s in [0, 6, 5] {
            all_bad.add(s);
        }
        assert_eq!(all_bad.nps_tenths(), Some(-1000));
        // −1/3: −33.3.
        let mut third = NpsTally::default();
        for s in [6, 8, 7] {
            third.add(s);
        }
        assert_eq!(third.nps_tenths(), Some(-333));
    }
}
