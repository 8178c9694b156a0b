//! 质检评分表 — the scorecards the quality specialists score inspections on. The shipped
//! one ([`default_scorecard`], from the seeds' norms) is written the first time anyone
//! looks; an edit is a new version, made only from the version the editor saw, so an
//! inspection keeps scoring on the version it started with.

use kefu_domain::Permission;
use kefu_domain::quality::{Scorecard, ScorecardError, default_scorecard};
use kefu_domain::ticket::Channel;
use kefu_store::quality::scorecard::{self as store, ScorecardRow, VersionRow};
use kefu_store::{AnyConnection, StoreError};

use crate::{Actor, App, AppError, Result};

/// The shipped scorecard's name.
pub const DEFAULT_NAME: &str = "服务质量标准评分表";
/// The longest scorecard name, in characters.
pub const MAX_NAME: usize = 60;
/// The longest note on a version, in characters.
pub const MAX_NOTE: usize = 200;

/// A scorecard as read: its current version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScorecardView {
    pub id: i64,
    pub name: String,
    pub active: bool,
    /// The current version's number (1, 2, …).
    pub version: i64,
    /// The current version's id, which an inspection keeps.
    pub version_id: i64,
    pub card: Scorecard,
}

/// A scorecard to save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScorecardForm {
    pub name: String,
    pub active: bool,
    pub card: Scorecard,
    /// What changed, kept with the version.
    pub note: String,
}

/// One version in a scorecard's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScorecardVersion {
    pub number: i64,
    pub card: Scorecard,
    pub note: String,
    pub by: Option<String>,
    pub at: jiff::Timestamp,
}

fn view(row: ScorecardRow) -> Result<ScorecardView> {
    Ok(ScorecardView {
        card: parse(&row.body)?,
        id: row.id,
        name: row.name,
        active: row.active,
        version: row.current_version,
        version_id: row.version_id,
    })
}

fn parse(body: &str) -> Result<Scorecard> {
    serde_json::from_str(body)
        .map_err(|e| AppError::Internal(format!("a stored scorecard does not read: {e}")))
}

fn channel_keys() -> Vec<&'static str> {
    Channel::ALL.iter().map(|c| c.key()).collect()
}

/// Checks a form: a name of 1–[`MAX_NAME`] characters, a note of at most [`MAX_NOTE`], and
/// a scorecard that adds up. Returns the name and note trimmed, and the body to store.
fn checked(form: &ScorecardForm) -> Result<(String, String, String)> {
    let name = form.name.trim();
    if name.is_empty() {
        return Err(ScorecardError::NoName.into());
    }
    if name.chars().count() > MAX_NAME {
        return Err(ScorecardError::NameTooLong(name.chars().take(20).collect()).into());
    }
    if form.note.trim().chars().count() > MAX_NOTE {
        return Err(ScorecardError::NoteTooLong { max: MAX_NOTE }.into());
    }
    form.card.check(&channel_keys())?;
    let body = serde_json::to_string(&form.card)
        .map_err(|e| AppError::Internal(format!("a scorecard does not write: {e}")))?;
    Ok((name.to_owned(), form.note.trim().to_owned(), body))
}

/// Writes the shipped scorecard when there is none (once, whichever instance comes first).
pub(crate) async fn ensure_default(conn: &mut AnyConnection, now: jiff::Timestamp) -> Result<()> {
    if store::any(conn).await? {
        return Ok(());
    }
    let body = serde_json::to_string(&default_scorecard())
        .map_err(|e| AppError::Internal(e.to_string()))?;
    store::insert(conn, DEFAULT_NAME, &body, None, now).await?;
    Ok(())
}

impl App {
    /// Every scorecard, by name; the shipped one is written the first time.
    pub async fn quality_scorecards(&self, actor: &Actor) -> Result<Vec<ScorecardView>> {
        actor.require(Permission::QualityInspect)?;
        let mut conn = self.store.conn().await?;
        ensure_default(&mut conn, self.now()).await?;
        store::list(&mut conn)
            .await?
            .into_iter()
            .map(view)
            .collect()
    }

    /// One scorecard and its versions, newest first.
    pub async fn quality_scorecard(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<(ScorecardView, Vec<ScorecardVersion>)> {
        actor.require(Permission::QualityInspect)?;
        let mut conn = self.store.conn().await?;
        let card = view(store::get(&mut conn, id).await?)?;
        let versions = store::versions(&mut conn, id)
            .await?
            .into_iter()
            .map(|v: VersionRow| {
                Ok(ScorecardVersion {
                    card: parse(&v.body)?,
                    number: v.number,
                    note: v.note,
                    by: v.created_by_name,
                    at: v.created_at,
                })
            })
            .collect::<Result<_>>()?;
        Ok((card, versions))
    }

    /// Adds a scorecard (version 1).
    pub async fn create_quality_scorecard(
        &self,
        actor: &Actor,
        form: &ScorecardForm,
    ) -> Result<i64> {
        actor.require(Permission::QualityInspect)?;
        let (name, _, body) = checked(form)?;
        let mut conn = self.store.conn().await?;
        store::insert(&mut conn, &name, &body, actor.user_id(), self.now())
            .await?
            .ok_or(AppError::NameTaken)
    }

    /// Saves a new version of scorecard `id`, made from version `based_on` (412 when another
    /// was saved since); returns its number.
    pub async fn save_quality_scorecard(
        &self,
        actor: &Actor,
        id: i64,
        based_on: i64,
        form: &ScorecardForm,
    ) -> Result<i64> {
        actor.require(Permission::QualityInspect)?;
        let (name, note, body) = checked(form)?;
        let mut tx = self.store.begin().await?;
        store::get(&mut tx, id).await?;
        let saved = store::add_version(
            &mut tx,
            id,
            based_on,
            (&name, form.active),
            (&body, &note),
            actor.user_id(),
            self.now(),
        )
        .await
        .map_err(AppError::name_taken)?;
        match saved {
            Ok(number) => {
                tx.commit().await.map_err(StoreError::from)?;
                Ok(number)
            }
            Err(current) => Err(AppError::StaleVersion {
                current,
                changed: Vec::new(),
            }),
        }
    }
}
