//! The deadlines of complaint stages per severity, which an admin may change (the built-in
//! ones stand where nothing is set).

use kefu_domain::Permission;
use kefu_domain::complaint::{
    self as rules, ComplaintError, MAX_DEADLINE_MINUTES, Severity, Stage,
};
use kefu_store::StoreError;
use kefu_store::changelog;
use kefu_store::complaint as store;

use crate::versions::{self, Sheet};
use crate::{Actor, App, Result};

/// One stage's deadline at one severity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlineSetting {
    pub severity: Severity,
    pub stage: Stage,
    /// What an admin set, if anything.
    pub minutes: Option<i64>,
    pub default_minutes: i64,
}

impl App {
    pub async fn complaint_deadlines(&self, actor: &Actor) -> Result<Vec<DeadlineSetting>> {
        actor.require(Permission::TicketAdmin)?;
        let mut conn = self.store.conn().await?;
        let set = store::deadlines(&mut conn).await?;
        let mut out = Vec::new();
        for &stage in Stage::ALL.iter().filter(|s| s.is_open()) {
            for &severity in Severity::ALL {
                out.push(DeadlineSetting {
                    severity,
                    stage,
                    minutes: set
                        .iter()
                        .find(|(sv, st, _)| sv == severity.key() && st == stage.key())
                        .map(|(_, _, m)| *m),
                    default_minutes: rules::default_deadline_minutes(stage, severity).unwrap_or(0),
                });
            }
        }
        Ok(out)
    }

    /// Sets the deadlines given (`None` restores the built-in one), all or none, made against
    /// version `expected` of the grid (see [`crate::versions`]).
    pub async fn save_complaint_deadlines(
        &self,
        actor: &Actor,
        changes: &[(Severity, Stage, Option<i64>)],
        expected: Option<i64>,
    ) -> Result<()> {
        actor.require(Permission::TicketAdmin)?;
        for (_, stage, minutes) in changes {
            if !stage.is_open() {
                return Err(ComplaintError::Closed.into());
            }
            if minutes.is_some_and(|m| !(1..=MAX_DEADLINE_MINUTES).contains(&m)) {
                return Err(ComplaintError::BadDeadline {
                    max: MAX_DEADLINE_MINUTES,
                }
                .into());
            }
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        versions::expect_sheet(&mut tx, Sheet::ComplaintDeadlines, expected).await?;
        for (severity, stage, minutes) in changes {
            match minutes {
                Some(m) => store::set_deadline(&mut tx, *severity, *stage, *m).await?,
                None => store::clear_deadline(&mut tx, *severity, *stage).await?,
            }
        }
        changelog::record(
            &mut tx,
            "complaint_deadlines",
            1,
            changelog::Operation::Update,
            actor.user_id(),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }
}
