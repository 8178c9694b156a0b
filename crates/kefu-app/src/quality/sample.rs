//! 每日不定时抽检 — the day's sample: drawn once per business day at a minute nobody can
//! tell ahead (a secret hash of the date picks it within the working hours, the same on
//! every instance), from the work done since the previous sample, by the rules of the
//! settings and a seed stored with it so the draw can be made again. The items go to the
//! quality specialists, never to the agent whose work it is; with no specialist, any
//! inspector may take them.

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use kefu_domain::quality::InspectionError;
use kefu_domain::quality::sample::{self, Candidate, Pick, SourceKind};
use kefu_domain::{Permission, Role};
use kefu_store::quality::inspection::{self as store, NewInspection, NewSample, SampleRow};
use kefu_store::{AnyConnection, StoreError};

use crate::follow_up::{local_date, local_midnight};
use crate::notify::{self, kind};
use crate::{Actor, App, AppError, Result};

/// A first sample, or one after a long pause, reaches back this far at most.
const LONGEST_COVER: SignedDuration = SignedDuration::from_hours(7 * 24);

/// What a draw made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawnSample {
    pub sample_id: i64,
    pub date: Date,
    pub candidates: usize,
    pub inspections: usize,
}

/// A u64 from the secret hash of `what` on `date`.
fn noise(secret: &str, what: &str, date: Date) -> u64 {
    let hex =
        crate::secret::hmac_sha256_hex(secret.as_bytes(), format!("{what}:{date}").as_bytes());
    u64::from_str_radix(&hex[..16], 16).unwrap_or(0)
}

/// Everything the day's sample may draw from, in `[from, to)`.
pub(crate) async fn candidates(
    conn: &mut AnyConnection,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<Candidate>> {
    let mut out = Vec::new();
    for t in store::ticket_candidates(conn, from, to).await? {
        out.push(Candidate {
            kind: SourceKind::Ticket,
            id: t.ticket_id,
            agent_id: t.agent_id,
            channel: t.channel,
            complaint: t.complaint,
            low_csat: t.low_csat,
            sla_breached: t.sla_breached,
            call_seconds: None,
            unverified: false,
        });
    }
    for (id, agent_id, seconds) in store::call_candidates(conn, from, to).await? {
        out.push(Candidate {
            kind: SourceKind::Call,
            id,
            agent_id,
            channel: "phone".to_owned(),
            complaint: false,
            low_csat: false,
            sla_breached: false,
            call_seconds: Some(seconds),
            unverified: false,
        });
    }
    for (id, agent_id, channel) in store::unverified_visits(conn, from, to).await? {
        out.push(Candidate {
            kind: SourceKind::Visit,
            id,
            agent_id,
            channel,
            complaint: false,
            low_csat: false,
            sla_breached: false,
            call_seconds: None,
            unverified: true,
        });
    }
    Ok(out)
}

impl App {
    /// The secret the draw time and the seed come from: made at first use (whichever
    /// instance comes first; every instance reads the same one) and read once, so the job's
    /// round every five minutes writes nothing until the minute comes.
    async fn quality_secret(&self) -> Result<&str> {
        let secret = self
            .quality_secret
            .get_or_try_init(|| async {
                let candidate = crate::secret::random_hex(32);
                let mut tx = self.store.begin().await?;
                let s = kefu_store::staff::server_secret(
                    &mut tx,
                    "quality_sample",
                    &candidate,
                    self.now(),
                )
                .await?;
                tx.commit().await.map_err(StoreError::from)?;
                Ok::<_, AppError>(s)
            })
            .await?;
        Ok(secret)
    }

    /// The job's round: draws today's sample once today's minute has come (on a business
    /// day; work of the days between folds into the next one's). `None` when there was
    /// nothing to do.
    pub async fn run_quality_sample(&self) -> Result<Option<DrawnSample>> {
        let now = self.now();
        let calendar = {
            let mut conn = self.store.conn().await?;
            self.business_calendar(&mut conn).await?
        };
        let secret = self.quality_secret().await?.to_owned();
        let local = now.to_zoned(calendar.time_zone().clone());
        let date = local.date();
        let Some(minute) =
            sample::draw_minute(calendar.periods_on(date), noise(&secret, "time", date))
        else {
            return Ok(None);
        };
        let now_minute = i64::from(local.hour()) * 60 + i64::from(local.minute());
        if now_minute < i64::from(minute) {
            return Ok(None);
        }
        self.draw(None, date, &secret).await
    }

    /// Draws today's sample now (a specialist who will not wait for the unannounced
    /// minute). Refused when today's was drawn already.
    pub async fn draw_quality_sample(&self, actor: &Actor) -> Result<DrawnSample> {
        actor.require(Permission::QualityInspect)?;
        let now = self.now();
        let date = {
            let mut conn = self.store.conn().await?;
            local_date(&self.business_calendar(&mut conn).await?, now)
        };
        let secret = self.quality_secret().await?.to_owned();
        self.draw(actor.user_id(), date, &secret)
            .await?
            .ok_or_else(|| InspectionError::SampleDrawn(date.to_string()).into())
    }

    /// The latest samples, the newest first.
    pub async fn quality_samples(&self, actor: &Actor) -> Result<Vec<SampleRow>> {
        actor.require(Permission::QualityInspect)?;
        let mut conn = self.store.conn().await?;
        Ok(store::samples(&mut conn, 60).await?)
    }

    /// Draws the sample of `date` from the work done since the previous sample; `None`
    /// when that day's exists already.
    async fn draw(&self, by: Option<i64>, date: Date, secret: &str) -> Result<Option<DrawnSample>> {
        let now = self.now();
        let day = date.to_string();
        let (settings, from, found, inspectors) = {
            let mut conn = self.store.conn().await?;
            if store::sample_by_date(&mut conn, &day).await?.is_some() {
                return Ok(None);
            }
            let settings = super::settings::load(&mut conn).await?;
            let calendar = self.business_calendar(&mut conn).await?;
            let yesterday = local_midnight(&calendar, date.yesterday().unwrap_or(date));
            let from = store::covered_until(&mut conn, &day)
                .await?
                .unwrap_or(yesterday)
                .max(now - LONGEST_COVER);
            let found = candidates(&mut conn, from, now).await?;
            let inspectors = notify::with_role(&mut conn, Role::QualitySpecialist).await?;
            (settings, from, found, inspectors)
        };
        let seed = noise(secret, "seed", date);
        let picks = sample::draw(&settings.rules, seed, &found);
        let assigned = sample::assign(&picks, &inspectors);
        let rules = serde_json::to_string(&settings.rules)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let seed_text = seed.to_string();
        let mut tx = self.store.begin().await?;
        let new = NewSample {
            sample_date: &day,
            covers_from: from,
            covers_to: now,
            seed: &seed_text,
            rules: &rules,
            candidates: found.len() as i64,
            drawn_by: by,
        };
        let Some(sample_id) = store::insert_sample(&mut tx, &new, now).await? else {
            return Ok(None);
        };
        write_inspections(&mut tx, sample_id, &picks, &assigned, now).await?;
        tell_inspectors(&mut tx, &day, &assigned, now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        tracing::info!(
            date = %day,
            candidates = found.len(),
            inspections = picks.len(),
            "quality sample drawn"
        );
        Ok(Some(DrawnSample {
            sample_id,
            date,
            candidates: found.len(),
            inspections: picks.len(),
        }))
    }
}

async fn write_inspections(
    conn: &mut AnyConnection,
    sample_id: i64,
    picks: &[Pick],
    assigned: &[Option<i64>],
    now: Timestamp,
) -> Result<()> {
    for (p, who) in picks.iter().zip(assigned) {
        let row = NewInspection {
            sample_id,
            source_kind: p.kind.key(),
            source_id: p.id,
            rule: p.rule.key(),
            agent_id: p.agent_id,
            channel: &p.channel,
            inspector_id: *who,
        };
        store::insert_inspection(conn, &row, now).await?;
    }
    Ok(())
}

/// Tells each inspector how many items the day's sample gave them.
async fn tell_inspectors(
    conn: &mut AnyConnection,
    day: &str,
    assigned: &[Option<i64>],
    now: Timestamp,
) -> Result<()> {
    let mut per: std::collections::BTreeMap<i64, usize> = Default::default();
    for who in assigned.iter().flatten() {
        *per.entry(*who).or_default() += 1;
    }
    for (who, n) in per {
        let params = serde_json::json!({ "date": day, "count": n, "quality_sample": day });
        notify::notify(conn, &[who], kind::QUALITY_ASSIGNED, None, &params, now).await?;
    }
    Ok(())
}
