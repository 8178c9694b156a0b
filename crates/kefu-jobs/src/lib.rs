//! kefu-jobs — background work, claimed from the database.
//!
//! Jobs live in the `jobs` table. Each instance runs one [`Worker`], which every few
//! seconds enqueues the periodic jobs of the current period (one unique key per period, so
//! many instances produce one row) and then claims due jobs with a lease. A job that fails
//! keeps its error on the row and is retried with back-off, never dropped — unless it says
//! trying again cannot help (a mail server's 5xx), when it fails for good at once.
//!
//! Besides the periodic jobs, the use cases queue jobs of their own in the transaction that
//! made the work: a mail about a ticket ([`kind::MAIL_SEND`]), an outbox message by e-mail
//! ([`kind::OUTBOX_EMAIL`]), a text replying on a ticket ([`kind::SMS_SEND`]), an outbox
//! message by text ([`kind::OUTBOX_SMS`]), a WeChat message to land
//! ([`kind::WECHAT_INBOUND`]) and a reply to send by WeChat ([`kind::WECHAT_SEND`]).

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use kefu_app::App;
use kefu_app::channel::email::SendOutcome;
use kefu_store::jobs::{self, ClaimedJob, NewJob};
use tokio::sync::watch;

mod mailboxes;
pub use mailboxes::MailboxReaders;

/// Kinds of job this worker knows how to run.
pub mod kind {
    /// Removes sessions that ran out.
    pub const PURGE_SESSIONS: &str = "purge_sessions";
    /// Warns before SLA deadlines and escalates breaches.
    pub const SLA_CHECK: &str = "sla_check";
    /// Runs time triggers ("waiting for the customer for 3 business days").
    pub const TIME_TRIGGERS: &str = "time_triggers";
    /// Warns before complaint stage deadlines, escalates overdue stages and notices.
    pub const COMPLAINT_DEADLINES: &str = "complaint_deadlines";
    /// Forgets the API's `Idempotency-Key`s older than 24 hours.
    pub const PURGE_IDEMPOTENCY_KEYS: &str = "purge_idempotency_keys";
    /// Sends one mail about a ticket (`{"send": id}`), queued with the reply.
    pub const MAIL_SEND: &str = kefu_app::jobs::kind::MAIL_SEND;
    /// Sends one outbox message by e-mail (`{"message": id}`), queued with the message.
    pub const OUTBOX_EMAIL: &str = kefu_app::jobs::kind::OUTBOX_EMAIL;
    /// Sends one text replying on a ticket (`{"send": id}`), queued with the reply.
    pub const SMS_SEND: &str = kefu_app::jobs::kind::SMS_SEND;
    /// Sends one outbox message by text (`{"message": id}`), queued with the message.
    pub const OUTBOX_SMS: &str = kefu_app::jobs::kind::OUTBOX_SMS;
    /// Lands one message or event a WeChat official account received (`{"inbound": id}`),
    /// queued when WeChat posted it.
    pub const WECHAT_INBOUND: &str = kefu_app::jobs::kind::WECHAT_INBOUND;
    /// Sends one reply to a WeChat follower (`{"send": id}`), queued with the reply.
    pub const WECHAT_SEND: &str = kefu_app::jobs::kind::WECHAT_SEND;
    /// 在线客服 — ends chats nobody wrote in for half an hour and makes the tickets of
    /// ended chats that have none yet.
    pub const CHAT_SWEEP: &str = "chat_sweep";
    /// 回访计划 — plans each active follow-up rule's visits for its current period.
    pub const FOLLOW_UP_PLAN: &str = "follow_up_plan";
    /// 回访覆盖预警 — warns once per period and tier when key-customer coverage is at risk.
    pub const FOLLOW_UP_COVERAGE: &str = "follow_up_coverage";
    /// 回访周报 — sends last week's follow-up analysis to the managers, once.
    pub const FOLLOW_UP_ANALYSIS: &str = "follow_up_analysis";
    /// 满意度调查 — decides each newly resolved ticket: surveyed or skipped.
    pub const CSAT_SURVEY: &str = "csat_survey";
    /// 关系调查 — invites each active relationship survey's segment once a round and
    /// reminds those who have not answered.
    pub const RELATIONSHIP_SURVEY: &str = "relationship_survey";
    /// 方案回顾提醒 — tells each key account's plan author once that its review date came.
    pub const PLAN_REVIEWS: &str = "plan_reviews";
    /// 每日抽检 — draws the day's quality sample once its unannounced minute has come.
    pub const QUALITY_SAMPLE: &str = "quality_sample";
    /// 催款提醒 — tells customers of amounts falling due and past due, each step once.
    pub const PAYMENT_REMINDERS: &str = "payment_reminders";
    /// 改善措施提醒 — reminds the owners of overdue measures, escalates the late ones.
    pub const QUALITY_MEASURES: &str = "quality_measures";
    /// 质量异常分析日报表 — the previous business day's report, made and mailed once.
    pub const QUALITY_REPORT: &str = "quality_report";
    /// 定时备份 — the scheduled backup of its period (only when a schedule is set; see
    /// [`kefu_app::backup::schedule`]).
    pub const BACKUP: &str = "backup";
}

/// Why a job did not finish: its error, and whether another attempt could help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub error: String,
    pub retry: bool,
}

impl Failure {
    /// A failure no retry can mend (the job fails for good now).
    pub fn fatal(error: String) -> Failure {
        Failure {
            error,
            retry: false,
        }
    }
}

/// Any other error is worth another attempt.
impl From<String> for Failure {
    fn from(error: String) -> Failure {
        Failure { error, retry: true }
    }
}

/// A send's outcome as the job's: the server's words on a failure.
fn send_result(outcome: Result<SendOutcome, kefu_app::AppError>) -> Result<(), Failure> {
    match outcome.map_err(|e| e.to_string())? {
        SendOutcome::Sent | SendOutcome::Dropped => Ok(()),
        SendOutcome::Retry(error) => Err(Failure::from(error)),
        SendOutcome::Failed(error) => Err(Failure::fatal(error)),
    }
}

/// The id named `key` in a job's JSON payload.
fn payload_id(payload: &str, key: &str) -> Result<i64, Failure> {
    serde_json::from_str::<serde_json::Value>(payload)
        .ok()
        .and_then(|v| v[key].as_i64())
        .ok_or_else(|| Failure::fatal(format!("payload without {key:?}: {payload}")))
}

/// How long a claimed job is ours before another instance may take it over: longer than
/// any job runs, so a slow job is never run twice at once, yet short enough that the job of
/// an instance that died (`kill -9`, a lost machine) runs again within minutes.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(5 * 60);

/// A periodic job: its kind and how often it runs.
struct Periodic {
    kind: &'static str,
    every: SignedDuration,
}

const PERIODIC: &[Periodic] = &[
    Periodic {
        kind: kind::PURGE_SESSIONS,
        every: SignedDuration::from_hours(1),
    },
    Periodic {
        kind: kind::SLA_CHECK,
        every: SignedDuration::from_mins(1),
    },
    Periodic {
        kind: kind::TIME_TRIGGERS,
        every: SignedDuration::from_mins(5),
    },
    Periodic {
        kind: kind::COMPLAINT_DEADLINES,
        every: SignedDuration::from_mins(1),
    },
    Periodic {
        kind: kind::PURGE_IDEMPOTENCY_KEYS,
        every: SignedDuration::from_hours(1),
    },
    Periodic {
        kind: kind::CHAT_SWEEP,
        every: SignedDuration::from_mins(1),
    },
    // A customer upgraded during the period gets its visit within the hour.
    Periodic {
        kind: kind::FOLLOW_UP_PLAN,
        every: SignedDuration::from_hours(1),
    },
    Periodic {
        kind: kind::FOLLOW_UP_COVERAGE,
        every: SignedDuration::from_hours(1),
    },
    Periodic {
        kind: kind::FOLLOW_UP_ANALYSIS,
        every: SignedDuration::from_hours(1),
    },
    // The survey follows the resolution within the minute.
    Periodic {
        kind: kind::CSAT_SURVEY,
        every: SignedDuration::from_mins(1),
    },
    // Texts wait for each contact's calling window: a run every quarter hour takes them
    // up soon after it opens.
    Periodic {
        kind: kind::RELATIONSHIP_SURVEY,
        every: SignedDuration::from_mins(15),
    },
    Periodic {
        kind: kind::PLAN_REVIEWS,
        every: SignedDuration::from_hours(1),
    },
    // The sample's minute is picked in the working hours; a run every five minutes draws
    // it within five of that minute.
    Periodic {
        kind: kind::QUALITY_SAMPLE,
        every: SignedDuration::from_mins(5),
    },
    // Texts wait for each contact's calling window, like the surveys'.
    Periodic {
        kind: kind::PAYMENT_REMINDERS,
        every: SignedDuration::from_mins(15),
    },
    Periodic {
        kind: kind::QUALITY_MEASURES,
        every: SignedDuration::from_hours(1),
    },
    // The report is made within five minutes of its time.
    Periodic {
        kind: kind::QUALITY_REPORT,
        every: SignedDuration::from_mins(5),
    },
];

/// The key that makes a periodic job unique within its period.
fn period_key(kind: &str, every: SignedDuration, now: Timestamp) -> String {
    let period = now.as_second().div_euclid(every.as_secs().max(1));
    format!("{kind}:{period}")
}

/// Back-off before the next attempt: 30 s, 2 min, 8 min, … capped at an hour.
fn retry_delay(attempts: i64) -> SignedDuration {
    let secs = 30i64.saturating_mul(4i64.saturating_pow(attempts.clamp(1, 10) as u32 - 1));
    SignedDuration::from_secs(secs.min(3600))
}

/// A lease as the job queue counts it; one too long to count is the default.
fn lease_of(lease: Duration) -> SignedDuration {
    SignedDuration::try_from(lease).unwrap_or(SignedDuration::from_mins(5))
}

/// Receives, for each job run, its kind, how late it started (from its `run_at`) and
/// how long it ran: the job lag `/metrics` shows.
pub type JobObserver = Box<dyn Fn(&str, Duration, Duration) + Send + Sync>;

/// Runs jobs for one instance until told to stop.
pub struct Worker {
    app: App,
    name: String,
    poll: Duration,
    lease: SignedDuration,
    observer: Option<JobObserver>,
}

impl Worker {
    /// `name` identifies this instance in the lease columns.
    pub fn new(app: App, name: String) -> Worker {
        Worker {
            app,
            name,
            poll: Duration::from_secs(5),
            lease: lease_of(DEFAULT_LEASE),
            observer: None,
        }
    }

    pub fn with_poll_interval(mut self, poll: Duration) -> Worker {
        self.poll = poll;
        self
    }

    /// Another lease than [`DEFAULT_LEASE`]; the crash tests shorten it so that a job whose
    /// worker they killed runs again within the test.
    pub fn with_lease(mut self, lease: Duration) -> Worker {
        self.lease = lease_of(lease);
        self
    }

    /// Tells `observe` of every job this worker runs.
    pub fn on_job(
        mut self,
        observe: impl Fn(&str, Duration, Duration) + Send + Sync + 'static,
    ) -> Worker {
        self.observer = Some(Box::new(observe));
        self
    }

    /// Loops until `shutdown` turns true; a job in progress finishes first.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        tracing::info!(worker = %self.name, "job worker started");
        loop {
            if let Err(e) = self.tick().await {
                tracing::warn!(error = %e, "job worker round failed; retrying");
            }
            tokio::select! {
                _ = tokio::time::sleep(self.poll) => {}
                _ = shutdown.changed() => break,
            }
            if *shutdown.borrow() {
                break;
            }
        }
        tracing::info!(worker = %self.name, "job worker stopped");
    }

    /// One round: enqueue this period's periodic jobs, then run every due job.
    pub async fn tick(&self) -> Result<usize, kefu_store::StoreError> {
        let now = self.app.now();
        let mut conn = self.app.store.conn().await?;
        for p in PERIODIC {
            let key = period_key(p.kind, p.every, now);
            let job = NewJob {
                kind: p.kind,
                unique_key: Some(&key),
                payload: "{}",
                run_at: now,
                max_attempts: 3,
            };
            jobs::enqueue(&mut conn, &job, now).await?;
        }
        if let Some(schedule) = &self.app.settings.backup {
            // One attempt: a failed backup is told to the administrators, and the next
            // period makes the next one.
            let key = schedule.period_key(now);
            let job = NewJob {
                kind: kind::BACKUP,
                unique_key: Some(&key),
                payload: "{}",
                run_at: now,
                max_attempts: 1,
            };
            jobs::enqueue(&mut conn, &job, now).await?;
        }
        let mut ran = 0;
        while let Some(job) = jobs::claim(&mut conn, &self.name, self.app.now(), self.lease).await?
        {
            let started = std::time::Instant::now();
            let lag = self.app.now().duration_since(job.run_at);
            let outcome = self.execute(&job).await;
            if let Some(observe) = &self.observer {
                let lag = Duration::try_from(lag).unwrap_or(Duration::ZERO);
                observe(&job.kind, lag, started.elapsed());
            }
            let now = self.app.now();
            match outcome {
                Ok(()) => jobs::succeed(&mut conn, job.id, &self.name, now).await?,
                Err(failure) => {
                    let error = failure.error;
                    tracing::warn!(job = job.id, kind = %job.kind, %error, "job failed");
                    let retry = (failure.retry && job.attempts < job.max_attempts)
                        .then(|| now + retry_delay(job.attempts));
                    jobs::fail(&mut conn, job.id, &self.name, &error, retry, now).await?;
                }
            }
            ran += 1;
        }
        Ok(ran)
    }

    async fn execute(&self, job: &ClaimedJob) -> Result<(), Failure> {
        match job.kind.as_str() {
            kind::MAIL_SEND => {
                let id = payload_id(&job.payload, "send")?;
                send_result(
                    self.app
                        .run_mail_send(id, job.attempts, job.max_attempts)
                        .await,
                )
            }
            kind::OUTBOX_EMAIL => {
                let id = payload_id(&job.payload, "message")?;
                send_result(
                    self.app
                        .deliver_outbox_email(id, job.attempts, job.max_attempts)
                        .await,
                )
            }
            kind::SMS_SEND => {
                let id = payload_id(&job.payload, "send")?;
                send_result(
                    self.app
                        .run_sms_send(id, job.attempts, job.max_attempts)
                        .await,
                )
            }
            kind::OUTBOX_SMS => {
                let id = payload_id(&job.payload, "message")?;
                send_result(
                    self.app
                        .deliver_outbox_sms(id, job.attempts, job.max_attempts)
                        .await,
                )
            }
            kind::WECHAT_INBOUND => {
                let id = payload_id(&job.payload, "inbound")?;
                self.app
                    .land_wechat_inbound(id)
                    .await
                    .map_err(|e| Failure::from(e.to_string()))
            }
            kind::WECHAT_SEND => {
                let id = payload_id(&job.payload, "send")?;
                send_result(
                    self.app
                        .run_wechat_send(id, job.attempts, job.max_attempts)
                        .await,
                )
            }
            kind::PURGE_SESSIONS => {
                let n = self
                    .app
                    .purge_expired_sessions(self.app.now())
                    .await
                    .map_err(|e| e.to_string())?;
                tracing::debug!(removed = n, "expired sessions purged");
                Ok(())
            }
            kind::SLA_CHECK => {
                let (warned, escalated) =
                    self.app.run_sla_check().await.map_err(|e| e.to_string())?;
                if warned + escalated > 0 {
                    tracing::info!(warned, escalated, "SLA check");
                }
                Ok(())
            }
            kind::TIME_TRIGGERS => {
                let fired = self
                    .app
                    .run_time_triggers()
                    .await
                    .map_err(|e| e.to_string())?;
                if fired > 0 {
                    tracing::info!(fired, "time triggers");
                }
                Ok(())
            }
            kind::FOLLOW_UP_PLAN => {
                let report = self
                    .app
                    .run_follow_up_plan()
                    .await
                    .map_err(|e| e.to_string())?;
                let created: i64 = report.rules.iter().map(|r| r.created).sum();
                if created > 0 {
                    tracing::info!(created, "follow-up visits planned");
                }
                Ok(())
            }
            kind::FOLLOW_UP_COVERAGE => {
                let sent = self
                    .app
                    .warn_follow_up_coverage()
                    .await
                    .map_err(|e| e.to_string())?;
                if sent > 0 {
                    tracing::info!(sent, "follow-up coverage warnings");
                }
                Ok(())
            }
            kind::CSAT_SURVEY => {
                let sent = self
                    .app
                    .send_csat_surveys()
                    .await
                    .map_err(|e| e.to_string())?;
                if sent > 0 {
                    tracing::info!(sent, "satisfaction surveys sent");
                }
                Ok(())
            }
            kind::RELATIONSHIP_SURVEY => {
                let run = self
                    .app
                    .send_relationship_surveys()
                    .await
                    .map_err(|e| e.to_string())?;
                if run != Default::default() {
                    tracing::info!(
                        invited = run.invited,
                        skipped = run.skipped,
                        reminded = run.reminded,
                        "relationship surveys"
                    );
                }
                Ok(())
            }
            kind::QUALITY_MEASURES => {
                let sent = self
                    .app
                    .remind_quality_measures()
                    .await
                    .map_err(|e| e.to_string())?;
                if sent > 0 {
                    tracing::info!(sent, "overdue quality measures reminded");
                }
                Ok(())
            }
            kind::QUALITY_REPORT => {
                if let Some((date, id)) = self
                    .app
                    .run_quality_report()
                    .await
                    .map_err(|e| e.to_string())?
                {
                    tracing::info!(%date, report = id, "quality daily report made");
                }
                Ok(())
            }
            kind::PAYMENT_REMINDERS => {
                let told = self
                    .app
                    .send_payment_reminders()
                    .await
                    .map_err(|e| e.to_string())?;
                if told > 0 {
                    tracing::info!(told, "payment reminders");
                }
                Ok(())
            }
            kind::QUALITY_SAMPLE => {
                if let Some(d) = self
                    .app
                    .run_quality_sample()
                    .await
                    .map_err(|e| e.to_string())?
                {
                    tracing::info!(date = %d.date, inspections = d.inspections, "quality sample");
                }
                Ok(())
            }
            kind::PLAN_REVIEWS => {
                let sent = self
                    .app
                    .remind_plan_reviews()
                    .await
                    .map_err(|e| e.to_string())?;
                if sent > 0 {
                    tracing::info!(sent, "service plan reviews reminded");
                }
                Ok(())
            }
            kind::FOLLOW_UP_ANALYSIS => {
                if self
                    .app
                    .send_follow_up_analysis()
                    .await
                    .map_err(|e| e.to_string())?
                {
                    tracing::info!("follow-up weekly analysis sent");
                }
                Ok(())
            }
            kind::COMPLAINT_DEADLINES => {
                let (warned, escalated) = self
                    .app
                    .run_complaint_deadlines()
                    .await
                    .map_err(|e| e.to_string())?;
                if warned + escalated > 0 {
                    tracing::info!(warned, escalated, "complaint deadlines");
                }
                Ok(())
            }
            kind::PURGE_IDEMPOTENCY_KEYS => {
                let n = self
                    .app
                    .purge_idempotency_keys()
                    .await
                    .map_err(|e| e.to_string())?;
                tracing::debug!(removed = n, "forgotten idempotency keys purged");
                Ok(())
            }
            kind::BACKUP => {
                // A large database takes longer to copy than a lease lasts: the lease is
                // renewed while the backup runs, so no other instance starts it again.
                let outcome = tokio::select! {
                    outcome = self.app.run_scheduled_backup() => outcome,
                    never = self.renew_lease(job.id) => match never {},
                };
                outcome
                    .map(|_| ())
                    .map_err(|e| Failure::fatal(e.to_string()))
            }
            kind::CHAT_SWEEP => {
                let (ended, made) = self.app.sweep_chats().await.map_err(|e| e.to_string())?;
                if ended + made > 0 {
                    tracing::info!(ended, made, "chat sweep");
                }
                Ok(())
            }
            other => Err(Failure::from(format!("unknown job kind {other:?}"))),
        }
    }
}

impl Worker {
    /// Keeps this worker's lease on job `id` from running out, until dropped.
    async fn renew_lease(&self, id: i64) -> std::convert::Infallible {
        let every =
            Duration::from_secs(u64::try_from(self.lease.as_secs() / 3).unwrap_or(60).max(1));
        loop {
            tokio::time::sleep(every).await;
            let now = self.app.now();
            let renewed = match self.app.store.conn().await {
                Ok(mut conn) => {
                    jobs::renew_lease(&mut conn, id, &self.name, now + self.lease, now).await
                }
                Err(e) => Err(e),
            };
            if let Err(e) = renewed {
                tracing::warn!(job = id, error = %e, "job lease could not be renewed");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_key_per_period() {
        let every = SignedDuration::from_hours(1);
        let a: Timestamp = "2026-11-25T04:00:00Z".parse().unwrap();
        let b: Timestamp = "2026-11-25T04:59:59Z".parse().unwrap();
        let c: Timestamp = "2026-11-25T05:00:00Z".parse().unwrap();
        assert_eq!(period_key("k", every, a), period_key("k", every, b));
        assert_ne!(period_key("k", every, b), period_key("k", every, c));
    }

    #[test]
    fn retry_delays_grow_and_cap() {
        assert_eq!(retry_delay(1).as_secs(), 30);
        assert_eq!(retry_delay(2).as_secs(), 120);
        assert_eq!(retry_delay(9).as_secs(), 3600);
    }
}
