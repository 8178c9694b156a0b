//! 满意度调查 — the survey after a ticket (004 §4): the settings, the job that sends it,
//! the customer's answer through a signed link, the lead's follow-up of a low score, and
//! the surveys as lists and tiles.

mod answer;
pub mod relationship;
pub mod report;
pub(crate) mod send;
mod tiles;
pub(crate) mod token;

pub use answer::PublicSurvey;
pub(crate) use tiles::TILES;

use kefu_domain::Permission;
use kefu_domain::satisfaction::CsatRules;
use kefu_domain::ticket::{Channel, TicketType};
use kefu_store::satisfaction::{self as store, CsatSettingsRow, Survey, SurveyFilter};
use kefu_store::{AnyConnection, StoreError};

use crate::versions::{self, Sheet};
use crate::{Actor, App, AppError, Result};

/// Surveys on one list, at most.
pub const LIST_LIMIT: i64 = 500;

/// The settings as stored, or the defaults before anyone saved them.
pub(crate) async fn load_rules(conn: &mut AnyConnection) -> Result<CsatRules> {
    let Some(row) = store::settings(conn).await? else {
        return Ok(CsatRules::default());
    };
    let corrupt =
        |what: &str| AppError::Store(StoreError::Corrupt(format!("csat_settings.{what}")));
    Ok(CsatRules {
        active: row.active,
        ticket_types: row
            .ticket_types
            .iter()
            .map(|k| k.parse::<TicketType>().map_err(|_| corrupt("ticket_types")))
            .collect::<Result<_>>()?,
        channels: row
            .channels
            .iter()
            .map(|k| k.parse::<Channel>().map_err(|_| corrupt("channels")))
            .collect::<Result<_>>()?,
        quiet_days: row.quiet_days,
        link_days: row.link_days,
        change_days: row.change_days,
        low_score: row.low_score,
    })
}

/// Whose surveys a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SurveyScope {
    /// The surveys of my own tickets.
    Mine,
    /// Everyone's (the leads).
    Everyone,
}

impl App {
    /// The key the survey links are signed with, made at first use (by whichever instance
    /// comes first: every instance reads the same one) and read once.
    pub(crate) async fn csat_key(&self) -> Result<&str> {
        let key = self
            .csat_key
            .get_or_try_init(|| async {
                let candidate = crate::secret::random_hex(32);
                let mut tx = self.store.begin().await?;
                let key = kefu_store::staff::server_secret(&mut tx, "csat", &candidate, self.now())
                    .await?;
                tx.commit().await.map_err(StoreError::from)?;
                Ok::<_, crate::AppError>(key)
            })
            .await?;
        Ok(key)
    }

    /// The survey settings and their version.
    pub async fn csat_settings(&self, actor: &Actor) -> Result<(CsatRules, i64)> {
        actor.require(Permission::SatisfactionManage)?;
        let mut conn = self.store.conn().await?;
        let rules = load_rules(&mut conn).await?;
        let version = kefu_store::version::sheet_version(&mut conn, Sheet::Csat).await?;
        Ok((rules, version))
    }

    /// Saves the survey settings, made against `version` (any, when `None`).
    pub async fn save_csat_settings(
        &self,
        actor: &Actor,
        rules: CsatRules,
        version: Option<i64>,
    ) -> Result<i64> {
        actor.require(Permission::SatisfactionManage)?;
        let r = rules.check()?;
        let row = CsatSettingsRow {
            active: r.active,
            ticket_types: r.ticket_types.iter().map(|t| t.key().to_owned()).collect(),
            channels: r.channels.iter().map(|c| c.key().to_owned()).collect(),
            quiet_days: r.quiet_days,
            link_days: r.link_days,
            change_days: r.change_days,
            low_score: r.low_score,
        };
        let mut tx = self.store.begin().await?;
        let v = versions::expect_sheet(&mut tx, Sheet::Csat, version).await?;
        store::save_settings(&mut tx, &row, self.now()).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(v)
    }

    /// Surveys sent, the latest answer first: the leads see everyone's, an agent those of
    /// their own tickets.
    pub async fn csat_surveys(
        &self,
        actor: &Actor,
        scope: SurveyScope,
        low_unhandled: bool,
        answered: bool,
    ) -> Result<Vec<Survey>> {
        let agent_id = match scope {
            SurveyScope::Everyone => {
                actor.require(Permission::SatisfactionManage)?;
                None
            }
            SurveyScope::Mine => {
                actor.require(Permission::TicketWork)?;
                Some(actor.user_id().ok_or(AppError::Forbidden)?)
            }
        };
        let mut conn = self.store.conn().await?;
        Ok(store::list(
            &mut conn,
            &SurveyFilter {
                low_unhandled,
                answered,
                agent_id,
                limit: LIST_LIMIT,
            },
        )
        .await?)
    }

    /// The survey of ticket `ticket_id`, for the ticket page.
    pub async fn ticket_csat(&self, actor: &Actor, ticket_id: i64) -> Result<Option<Survey>> {
        actor.require(Permission::TicketWork)?;
        let mut conn = self.store.conn().await?;
        Ok(store::by_ticket(&mut conn, ticket_id).await?)
    }

    /// Low scores still waiting for the lead's follow-up: everyone's, or `agent_id`'s.
    pub(crate) async fn low_csat_count(&self, agent_id: Option<i64>) -> Result<i64> {
        let mut conn = self.store.conn().await?;
        Ok(store::low_unhandled_count(&mut conn, agent_id).await?)
    }
}
