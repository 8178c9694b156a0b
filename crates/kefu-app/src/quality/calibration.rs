//! 质检校准 — calibration: a specialist asks a second inspector to score an inspection
//! again; the second inspector scores it blind on the inspection's page (its first score
//! hidden from them until theirs is in); the two are compared item by item, and the
//! calibrations page sums up how alike the inspectors judge, overall and per pair. The
//! agent's result stays the first score.

use jiff::SignedDuration;
use kefu_domain::Permission;
use kefu_domain::permission::role_grants;
use kefu_domain::quality::calibration::{self as rules, Agreement, CalibrationError, Comparison};
use kefu_domain::quality::inspection::{MAX_TEXT, check_text};
use kefu_store::StoreError;
use kefu_store::quality::calibration::{self as store, CalibrationRow, CalibrationScore, Scores};
use kefu_store::quality::inspection::{self as inspection_store, InspectionRow, ItemScoreRow};

use super::inspection::{ScoreForm, parse_card};
use crate::notify::{self, kind};
use crate::{Actor, App, AppError, Result};

/// Most calibrations the page reads, and how far back it sums them up.
pub const CALIBRATION_LIMIT: i64 = 500;
const CALIBRATION_DAYS: i64 = 90;

/// A calibration with its comparison once both scores are in.
#[derive(Debug, Clone)]
pub struct CalibrationRound {
    pub calibration: CalibrationRow,
    pub comparison: Option<Comparison>,
}

/// Two inspectors' agreement.
#[derive(Debug, Clone)]
pub struct PairAgreement {
    pub first: String,
    pub second: String,
    pub agreement: Agreement,
}

/// The calibrations page: the reader's to score, the rounds of the last 90 days with their
/// comparisons, and the agreement overall and per pair of inspectors.
#[derive(Debug, Clone)]
pub struct CalibrationOverview {
    pub waiting: Vec<CalibrationRow>,
    pub rounds: Vec<CalibrationRound>,
    pub overall: Agreement,
    pub pairs: Vec<PairAgreement>,
}

/// What an inspection's page shows of its calibrations.
#[derive(Debug, Clone, Default)]
pub struct CalibrationPart {
    /// The reader's own calibration waiting for their blind score.
    pub mine: Option<i64>,
    pub rounds: Vec<CalibrationRound>,
    /// Who may be asked (id, name), when the reader may ask.
    pub candidates: Vec<(i64, String)>,
}

fn scores(rows: &[ItemScoreRow]) -> Scores {
    rows.iter().map(|r| (r.item_key.clone(), r.score)).collect()
}

fn comparison(c: &CalibrationRow, second: &Scores, first: &Scores) -> Option<Comparison> {
    let (Some(a), Some(pa), Some(b), Some(pb)) = (
        c.first_score_tenths,
        c.first_passed,
        c.score_tenths,
        c.passed,
    ) else {
        return None;
    };
    Some(rules::compare(first, (a, pa), second, (b, pb)))
}

fn inspects(roles: &kefu_domain::RoleSet) -> bool {
    roles
        .iter()
        .any(|r| role_grants(r, Permission::QualityInspect))
}

impl App {
    /// What inspection `row`'s page shows of its calibrations to `actor` (nothing to one
    /// who does not inspect).
    pub(crate) async fn calibration_part(
        &self,
        conn: &mut kefu_store::AnyConnection,
        actor: &Actor,
        row: &InspectionRow,
        first: &[ItemScoreRow],
    ) -> Result<CalibrationPart> {
        if actor.require(Permission::QualityInspect).is_err() {
            return Ok(CalibrationPart::default());
        }
        let me = actor.user_id().unwrap_or(0);
        let list = store::of_inspection(conn, row.id).await?;
        let mine = list
            .iter()
            .find(|c| c.inspector_id == me && c.status == "assigned")
            .map(|c| c.id);
        // Scoring blind: nothing of the first score, nor of others' comparisons with it.
        if mine.is_some() {
            return Ok(CalibrationPart {
                mine,
                ..CalibrationPart::default()
            });
        }
        let first = scores(first);
        let mut rounds = Vec::with_capacity(list.len());
        for c in &list {
            let second = scores(&store::item_scores(conn, c.id).await?);
            rounds.push(CalibrationRound {
                comparison: comparison(c, &second, &first),
                calibration: c.clone(),
            });
        }
        let scored = row.score_tenths.is_some();
        let candidates = if scored && mine.is_none() {
            kefu_store::staff::list_users(conn)
                .await?
                .into_iter()
                .filter(|u| u.active && inspects(&u.roles))
                .filter(|u| rules::may_ask(true, row.inspector_id, row.agent_id, u.id).is_ok())
                .filter(|u| !list.iter().any(|c| c.inspector_id == u.id))
                .map(|u| (u.id, u.display_name))
                .collect()
        } else {
            Vec::new()
        };
        Ok(CalibrationPart {
            mine,
            rounds,
            candidates,
        })
    }

    /// Asks `inspector_id` to score inspection `inspection_id` again, blind; they are told.
    pub async fn ask_quality_calibration(
        &self,
        actor: &Actor,
        inspection_id: i64,
        inspector_id: i64,
    ) -> Result<i64> {
        actor.require(Permission::QualityInspect)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let row = inspection_store::inspection_by_id(&mut tx, inspection_id).await?;
        let asked = kefu_store::staff::user_by_id(&mut tx, inspector_id).await?;
        if !asked.active || !inspects(&asked.roles) {
            return Err(CalibrationError::NotAnInspector.into());
        }
        rules::may_ask(
            row.score_tenths.is_some(),
            row.inspector_id,
            row.agent_id,
            inspector_id,
        )?;
        let id = store::insert(&mut tx, inspection_id, inspector_id, actor.user_id(), now)
            .await?
            .ok_or(CalibrationError::AlreadyAsked)?;
        let params = serde_json::json!({ "inspection": inspection_id, "agent": row.agent_name });
        notify::notify(
            &mut tx,
            &[inspector_id],
            kind::QUALITY_CALIBRATION,
            None,
            &params,
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(id)
    }

    /// The second inspector's blind score of calibration `id`, on the inspection's
    /// scorecard version; whoever asked and the first inspector are told.
    pub async fn score_quality_calibration(
        &self,
        actor: &Actor,
        id: i64,
        form: &ScoreForm,
    ) -> Result<()> {
        actor.require(Permission::QualityInspect)?;
        let me = actor.user_id().ok_or(AppError::Forbidden)?;
        check_text(&form.comment, MAX_TEXT)?;
        for i in &form.items {
            check_text(&i.comment, MAX_TEXT)?;
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let c = store::by_id(&mut tx, id).await?;
        if c.inspector_id != me {
            return Err(CalibrationError::NotYours.into());
        }
        if c.status != "assigned" {
            return Err(CalibrationError::AlreadyScored.into());
        }
        let row = inspection_store::inspection_by_id(&mut tx, c.inspection_id).await?;
        let version = row
            .scorecard_version_id
            .ok_or(CalibrationError::NotScoredYet)?;
        let card = parse_card(&inspection_store::version_body(&mut tx, version).await?)?;
        let outcome = card.score(&row.channel, &form.given())?;
        let items = form.rows();
        let written = store::write_score(
            &mut tx,
            id,
            &CalibrationScore {
                tenths: i64::from(outcome.tenths),
                passed: outcome.passed,
                comment: form.comment.trim(),
                items: &items,
            },
            now,
        )
        .await?;
        if !written {
            return Err(CalibrationError::AlreadyScored.into());
        }
        let mut to: Vec<i64> = row.inspector_id.into_iter().collect();
        to.extend(
            c.asked_by
                .filter(|a| *a != me && Some(*a) != row.inspector_id),
        );
        let params = serde_json::json!({ "inspection": c.inspection_id, "agent": c.agent_name });
        notify::notify(&mut tx, &to, kind::QUALITY_CALIBRATED, None, &params, now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// 质检校准 — the reader's calibrations to score, the rounds of the last 90 days and the
    /// inspectors' agreement.
    pub async fn quality_calibrations(&self, actor: &Actor) -> Result<CalibrationOverview> {
        actor.require(Permission::QualityInspect)?;
        let me = actor.user_id().unwrap_or(0);
        let since = self.now() - SignedDuration::from_hours(24 * CALIBRATION_DAYS);
        let mut conn = self.store.conn().await?;
        let waiting: Vec<CalibrationRow> = store::list(&mut conn, Some(me), CALIBRATION_LIMIT)
            .await?
            .into_iter()
            .filter(|c| c.status == "assigned")
            .collect();
        let pairs_read = store::scored_pairs(&mut conn, since, CALIBRATION_LIMIT).await?;
        let mut overall = Agreement::default();
        let mut pairs: Vec<PairAgreement> = Vec::new();
        let mut rounds = Vec::with_capacity(pairs_read.len());
        for (c, second, first) in pairs_read {
            let cmp = comparison(&c, &second, &first);
            if let Some(cmp) = &cmp {
                overall.add(cmp);
                let a = c.first_inspector_name.clone().unwrap_or_default();
                let b = c.inspector_name.clone();
                match pairs.iter_mut().find(|p| p.first == a && p.second == b) {
                    Some(p) => p.agreement.add(cmp),
                    None => {
                        let mut agreement = Agreement::default();
                        agreement.add(cmp);
                        pairs.push(PairAgreement {
                            first: a,
                            second: b,
                            agreement,
                        });
                    }
                }
            }
            rounds.push(CalibrationRound {
                calibration: c,
                comparison: cmp,
            });
        }
        pairs.sort_by(|x, y| (&x.first, &x.second).cmp(&(&y.first, &y.second)));
        Ok(CalibrationOverview {
            waiting,
            rounds,
            overall,
            pairs,
        })
    }
}
