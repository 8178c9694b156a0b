//! 服务质量异常 — anomalies: opened once per source by the area where it happens (a failed
//! inspection, a breached deadline, an unsatisfied visit, a complaint whose cause is the
//! service) in that area's transaction, or by hand; numbered `ZL<yyyymmdd>-<seq>` (Beijing
//! date); investigated (cause, responsible person, findings) before they close. The quality
//! specialists are told of each new one.

use jiff::Timestamp;
use jiff::civil::Date;
use kefu_domain::quality::anomaly::{
    self as rules, AnomalySeverity, AnomalySource, AnomalyStatus, CauseCategory,
};
use kefu_domain::{Permission, Role};
use kefu_store::quality::anomaly::{
    self as store, AnomalyFilter, AnomalyRow, InvestigationWrite, NewAnomaly, ServiceItem,
};
use kefu_store::{AnyConnection, StoreError};

use crate::notify::{self, kind};
use crate::{Actor, App, AppError, Result};

/// Most anomalies a list shows.
pub const ANOMALY_LIMIT: i64 = 500;

/// An anomaly to open, from an area's event or by hand.
#[derive(Debug, Clone)]
pub(crate) struct Opening<'a> {
    pub source: AnomalySource,
    /// What makes the source one: the inspection's id, `ticket:target:due`, …
    pub source_key: String,
    /// The service item's key (the first item when no item has it).
    pub service_item: &'a str,
    pub channel: Option<&'a str>,
    pub agent_id: Option<i64>,
    pub ticket_id: Option<i64>,
    pub severity: AnomalySeverity,
    pub description: String,
    pub evidence: String,
    /// The day it happened; today when `None`.
    pub occurred_on: Option<Date>,
    pub created_by: Option<i64>,
}

/// Opens the anomaly of `o`'s source in the caller's transaction, unless it has one: its
/// id, or `None` when the source had one already.
pub(crate) async fn open(
    conn: &mut AnyConnection,
    o: &Opening<'_>,
    now: Timestamp,
) -> Result<Option<i64>> {
    if store::by_source(conn, o.source.key(), &o.source_key)
        .await?
        .is_some()
    {
        return Ok(None);
    }
    let items = store::service_items(conn).await?;
    let item = items
        .iter()
        .find(|i| i.key == o.service_item)
        .or(items.first())
        .ok_or(AppError::NotFound)?;
    let department_id = match o.agent_id {
        Some(a) => kefu_store::staff::user_by_id(conn, a).await?.department_id,
        None => None,
    };
    let today = super::beijing_today(now);
    let day = today.strftime("%Y%m%d").to_string();
    let seq = store::next_seq(conn, &day).await?;
    let number = rules::anomaly_number(today, seq);
    let occurred = o.occurred_on.unwrap_or(today).to_string();
    let description: String = o.description.chars().take(rules::MAX_TEXT).collect();
    let evidence: String = o.evidence.chars().take(rules::MAX_TEXT).collect();
    let row = NewAnomaly {
        number: &number,
        occurred_on: &occurred,
        source_kind: o.source.key(),
        source_key: &o.source_key,
        service_item_id: item.id,
        channel: o.channel,
        agent_id: o.agent_id,
        department_id,
        ticket_id: o.ticket_id,
        severity: o.severity.key(),
        description: &description,
        evidence: &evidence,
        created_by: o.created_by,
    };
    let Some(id) = store::insert(conn, &row, now).await? else {
        return Ok(None);
    };
    let to = notify::with_role(conn, Role::QualitySpecialist).await?;
    let to: Vec<i64> = to
        .into_iter()
        .filter(|u| Some(*u) != o.created_by)
        .collect();
    let params = serde_json::json!({
        "anomaly": id,
        "number": number,
        "text": description.chars().take(80).collect::<String>(),
    });
    notify::notify(conn, &to, kind::QUALITY_ANOMALY, o.ticket_id, &params, now).await?;
    Ok(Some(id))
}

/// An anomaly recorded by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnomalyForm {
    pub service_item_id: i64,
    pub channel: Option<String>,
    pub agent_id: Option<i64>,
    pub severity: AnomalySeverity,
    pub description: String,
    pub evidence: String,
    pub occurred_on: Option<Date>,
}

/// An investigation as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnomalyInvestigation {
    pub cause: CauseCategory,
    pub responsible_user_id: Option<i64>,
    pub findings: String,
}

fn status_of(a: &AnomalyRow) -> Result<AnomalyStatus> {
    a.status
        .parse()
        .map_err(|_| AppError::Store(StoreError::Corrupt(format!("status {}", a.status))))
}

impl App {
    /// The service items 服务项目, in their order.
    pub async fn quality_service_items(&self, actor: &Actor) -> Result<Vec<ServiceItem>> {
        actor.require(Permission::QualityInspect)?;
        let mut conn = self.store.conn().await?;
        Ok(store::service_items(&mut conn).await?)
    }

    /// Anomalies by the filter, the newest first.
    pub async fn quality_anomalies(
        &self,
        actor: &Actor,
        status: Option<AnomalyStatus>,
        source: Option<AnomalySource>,
        service_item_id: Option<i64>,
    ) -> Result<Vec<AnomalyRow>> {
        actor.require(Permission::QualityInspect)?;
        let mut conn = self.store.conn().await?;
        let filter = AnomalyFilter {
            status: status.map(|s| s.key().to_owned()),
            source_kind: source.map(|s| s.key().to_owned()),
            service_item_id,
            limit: ANOMALY_LIMIT,
        };
        Ok(store::list(&mut conn, &filter).await?)
    }

    pub async fn quality_anomaly(&self, actor: &Actor, id: i64) -> Result<AnomalyRow> {
        actor.require(Permission::QualityInspect)?;
        let mut conn = self.store.conn().await?;
        Ok(store::by_id(&mut conn, id).await?)
    }

    /// Records an anomaly by hand; its id.
    pub async fn record_quality_anomaly(&self, actor: &Actor, form: &AnomalyForm) -> Result<i64> {
        actor.require(Permission::QualityInspect)?;
        rules::check_description(&form.description, &form.evidence)?;
        let now = self.now();
        if let Some(d) = form.occurred_on
            && d > super::beijing_today(now)
        {
            return Err(rules::AnomalyError::FutureDate(d).into());
        }
        let mut tx = self.store.begin().await?;
        let items = store::service_items(&mut tx).await?;
        let item = items
            .iter()
            .find(|i| i.id == form.service_item_id)
            .ok_or_else(|| {
                rules::AnomalyError::UnknownServiceItem(form.service_item_id.to_string())
            })?;
        if let Some(a) = form.agent_id {
            kefu_store::staff::user_by_id(&mut tx, a).await?;
        }
        let key = item.key.clone();
        let opening = Opening {
            source: AnomalySource::Manual,
            source_key: crate::secret::random_hex(16),
            service_item: &key,
            channel: form.channel.as_deref(),
            agent_id: form.agent_id,
            ticket_id: None,
            severity: form.severity,
            description: form.description.trim().to_owned(),
            evidence: form.evidence.trim().to_owned(),
            occurred_on: form.occurred_on,
            created_by: actor.user_id(),
        };
        let id = open(&mut tx, &opening, now)
            .await?
            .ok_or_else(|| AppError::Internal("a new anomaly's key was taken".to_owned()))?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(id)
    }

    /// Records the investigation 调查处理 of anomaly `id` (again, to correct it, until it
    /// closes).
    pub async fn investigate_quality_anomaly(
        &self,
        actor: &Actor,
        id: i64,
        i: &AnomalyInvestigation,
        version: Option<i64>,
    ) -> Result<i64> {
        actor.require(Permission::QualityInspect)?;
        let mut tx = self.store.begin().await?;
        let a = store::by_id(&mut tx, id).await?;
        super::expect_version(a.version, version)?;
        rules::check_investigation(status_of(&a)?, &i.findings)?;
        if let Some(u) = i.responsible_user_id {
            kefu_store::staff::user_by_id(&mut tx, u).await?;
        }
        let w = InvestigationWrite {
            cause: i.cause.key(),
            responsible_user_id: i.responsible_user_id,
            findings: i.findings.trim(),
            by: actor.user_id(),
        };
        if !store::investigate(&mut tx, id, a.version, &w, self.now()).await? {
            return Err(super::moved_on(a.version + 1));
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(a.version + 1)
    }

    /// Closes anomaly `id`; refused until it is investigated.
    pub async fn close_quality_anomaly(
        &self,
        actor: &Actor,
        id: i64,
        version: Option<i64>,
    ) -> Result<i64> {
        actor.require(Permission::QualityInspect)?;
        let mut tx = self.store.begin().await?;
        let a = store::by_id(&mut tx, id).await?;
        super::expect_version(a.version, version)?;
        rules::may_close(status_of(&a)?)?;
        if !store::close(&mut tx, id, a.version, actor.user_id(), self.now()).await? {
            return Err(super::moved_on(a.version + 1));
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(a.version + 1)
    }
}
