//! 质检设置 — the sampling rules, the days an agent has to appeal and the phrases hinted
//! at, edited as one sheet by the quality specialists and the manager.

use kefu_domain::Permission;
use kefu_domain::quality::QualitySettings;
use kefu_domain::ticket::Channel;
use kefu_store::quality::inspection as store;
use kefu_store::{AnyConnection, StoreError};

use crate::versions::{self, Sheet};
use crate::{Actor, App, AppError, Result};

/// The settings as stored, or the shipped ones.
pub(crate) async fn load(conn: &mut AnyConnection) -> Result<QualitySettings> {
    match store::settings(conn).await? {
        Some(body) => serde_json::from_str(&body)
            .map_err(|e| AppError::Store(StoreError::Corrupt(e.to_string()))),
        None => Ok(QualitySettings::default()),
    }
}

impl App {
    /// The quality settings and their version.
    pub async fn quality_settings(&self, actor: &Actor) -> Result<(QualitySettings, i64)> {
        actor.require(Permission::QualityInspect)?;
        let mut conn = self.store.conn().await?;
        let settings = load(&mut conn).await?;
        let version = kefu_store::version::sheet_version(&mut conn, Sheet::Quality).await?;
        Ok((settings, version))
    }

    /// Saves the quality settings, made against `version` (any, when `None`); the next
    /// sample is drawn by them.
    pub async fn save_quality_settings(
        &self,
        actor: &Actor,
        settings: QualitySettings,
        version: Option<i64>,
    ) -> Result<i64> {
        actor.require(Permission::QualityInspect)?;
        let channels: Vec<&str> = Channel::ALL.iter().map(|c| c.key()).collect();
        settings.check(&channels)?;
        let body = serde_json::to_string(&settings)
            .map_err(|e| AppError::Internal(format!("quality settings do not write: {e}")))?;
        let mut tx = self.store.begin().await?;
        let v = versions::expect_sheet(&mut tx, Sheet::Quality, version).await?;
        store::save_settings(&mut tx, &body, actor.user_id(), self.now()).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(v)
    }
}
