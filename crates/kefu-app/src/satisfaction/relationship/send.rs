//! The survey's rounds: each run invites the customers of every active survey's segment
//! not yet invited in the current period, then reminds, once, those who have not answered
//! some days after their invitation.
//!
//! An invitation goes to the customer's primary contact (else the first) by text message
//! or mail as [`contact_channel`] decides; a customer with no contact it can go to is
//! recorded as skipped (`no_contact`) and counted. A text waits for the contact's calling
//! window (the department's calling hours outside the contact's rest hours, as for a
//! visit): the customer is taken up by a later run. Mail goes at once.

use jiff::{SignedDuration, Timestamp};
use kefu_domain::Locale;
use kefu_domain::customer::{ContactChannel, RestHours};
use kefu_domain::follow_up::plan::PlanPeriod;
use kefu_domain::satisfaction::relationship::contact_channel;
use kefu_store::StoreError;
use kefu_store::relationship::{self as store, NewInvitation};
use serde_json::{Value, json};

use super::view;
use crate::follow_up::{FollowUpSettings, call_window, load_settings, local_date};
use crate::outbox::{self, Outgoing};
use crate::satisfaction::token::{self, Purpose};
use crate::{App, Result};
use kefu_domain::staff::shift::Roster;

/// Customers invited (and invitations reminded) per survey and batch, at most.
const BATCH: i64 = 200;

/// How long one run of the job goes on sending batches (about 20,000 invitations on a
/// 2-core machine); the next run takes up the rest.
const RUN_BUDGET: std::time::Duration = std::time::Duration::from_secs(20);

fn days(n: i64) -> SignedDuration {
    SignedDuration::from_hours(n * 24)
}

/// What one run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RoundRun {
    pub invited: usize,
    pub skipped: usize,
    pub reminded: usize,
}

fn refused(opt_outs: &str) -> Vec<ContactChannel> {
    opt_outs
        .split(',')
        .filter_map(|k| k.parse::<ContactChannel>().ok())
        .collect()
}

/// Where a message by `channel` goes: the mobile for a text, else the mail address.
fn address<'a>(
    channel: Option<ContactChannel>,
    mobile: Option<&'a str>,
    email: Option<&'a str>,
) -> Option<&'a str> {
    match channel? {
        ContactChannel::Sms => mobile,
        _ => email,
    }
}

/// When a text to a contact resting `rest_hours` may go: `now` when allowed, else the
/// start of the next stretch of the calling hours outside their rest within a week (none:
/// `now`, for a notice the customer needs goes anyway).
pub(crate) fn text_time(
    app_calendar: &kefu_domain::calendar::BusinessCalendar,
    settings: &FollowUpSettings,
    rest_hours: &str,
    now: Timestamp,
) -> Timestamp {
    let rest = RestHours::parse(rest_hours).unwrap_or_default();
    let roster = Roster::department(app_calendar);
    let week = now + jiff::SignedDuration::from_hours(7 * 24);
    call_window(app_calendar, &settings.calling_hours, &roster, &rest)
        .earliest(now, week)
        .map_or(now, |slot| slot.start)
}

/// Whether a text may go to a contact resting `rest_hours` at `now`.
pub(crate) fn may_text(
    app_calendar: &kefu_domain::calendar::BusinessCalendar,
    settings: &FollowUpSettings,
    rest_hours: &str,
    now: Timestamp,
) -> bool {
    let rest = RestHours::parse(rest_hours).unwrap_or_default();
    let roster = Roster::department(app_calendar);
    call_window(app_calendar, &settings.calling_hours, &roster, &rest).allows(now)
}

impl App {
    /// One run of the relationship survey job: batch after batch until nothing more can go
    /// now, or for [`RUN_BUDGET`] (the next run goes on).
    pub async fn send_relationship_surveys(&self) -> Result<RoundRun> {
        let started = std::time::Instant::now();
        let mut total = RoundRun::default();
        loop {
            let run = self.send_relationship_batch().await?;
            if run == RoundRun::default() {
                return Ok(total);
            }
            total.invited += run.invited;
            total.skipped += run.skipped;
            total.reminded += run.reminded;
            if started.elapsed() >= RUN_BUDGET {
                return Ok(total);
            }
        }
    }

    /// Up to [`BATCH`] invitations and reminders of each active survey.
    async fn send_relationship_batch(&self) -> Result<RoundRun> {
        let now = self.now();
        // Before any transaction: made at first use, the key takes a write of its own.
        let key = self.csat_key().await?;
        let (surveys, settings, calendar) = {
            let mut conn = self.store.conn().await?;
            (
                store::surveys(&mut conn).await?,
                load_settings(&mut conn).await?,
                self.business_calendar(&mut conn).await?,
            )
        };
        let today = local_date(&calendar, now);
        let mut run = RoundRun::default();
        for row in surveys.into_iter().filter(|s| s.active) {
            let survey = view(row)?;
            let period = PlanPeriod::containing(today, survey.plan.every_months)?.key();
            let invitees = {
                let mut conn = self.store.conn().await?;
                store::invitees(
                    &mut conn,
                    survey.id,
                    &period,
                    survey.plan.tier.map(|t| t.key()),
                    survey.plan.customer_type.map(|t| t.key()),
                    BATCH,
                )
                .await?
            };
            for who in invitees {
                let preferred = who
                    .preferred_channel
                    .as_deref()
                    .and_then(|c| c.parse::<ContactChannel>().ok());
                let channel = contact_channel(
                    who.mobile.is_some(),
                    who.email.is_some(),
                    preferred,
                    &refused(&who.opt_outs),
                );
                if channel == Some(ContactChannel::Sms)
                    && !may_text(&calendar, &settings, &who.rest_hours, now)
                {
                    continue;
                }
                let expires_at = now + days(survey.plan.link_days);
                let mut tx = self.store.begin().await?;
                let Some(id) = store::insert_invitation(
                    &mut tx,
                    &NewInvitation {
                        survey_id: survey.id,
                        period: &period,
                        customer_id: who.customer_id,
                        contact_id: who.contact_id,
                        state: if channel.is_some() { "sent" } else { "skipped" },
                        skip_reason: channel.is_none().then_some("no_contact"),
                        channel: channel.map(ContactChannel::key),
                        expires_at: channel.map(|_| expires_at),
                    },
                    now,
                )
                .await?
                else {
                    continue;
                };
                let address = address(channel, who.mobile.as_deref(), who.email.as_deref());
                if let (Some(channel), Some(address)) = (channel, address) {
                    let params = json!({
                        "salutation": who.contact_name.as_deref().unwrap_or(&who.customer_name),
                        "company": settings.company,
                        "survey": survey.plan.name,
                        "link": self.invitation_link(key, id, expires_at),
                        "days": survey.plan.link_days.to_string(),
                    });
                    self.queue_invitation(
                        &mut tx,
                        channel,
                        address,
                        kinds::INVITATION,
                        params,
                        now,
                    )
                    .await?;
                    store::mark_first_sent(&mut tx, survey.id, now).await?;
                    run.invited += 1;
                } else {
                    run.skipped += 1;
                }
                tx.commit().await.map_err(StoreError::from)?;
            }
            if survey.plan.remind_after_days > 0 {
                run.reminded += self
                    .remind(
                        &survey,
                        key,
                        &settings,
                        &calendar,
                        now - days(survey.plan.remind_after_days),
                        now,
                    )
                    .await?;
            }
        }
        Ok(run)
    }

    /// Reminds the invitations of `survey` sent at or before `sent_before` that have not
    /// been answered (nor reminded), while their link still works.
    async fn remind(
        &self,
        survey: &super::RelationshipSurvey,
        key: &str,
        settings: &FollowUpSettings,
        calendar: &kefu_domain::calendar::BusinessCalendar,
        sent_before: Timestamp,
        now: Timestamp,
    ) -> Result<usize> {
        let due = {
            let mut conn = self.store.conn().await?;
            store::due_reminders(&mut conn, survey.id, sent_before, now, BATCH).await?
        };
        let mut reminded = 0;
        for inv in due {
            let channel = inv
                .channel
                .as_deref()
                .and_then(|c| c.parse::<ContactChannel>().ok());
            let address = address(channel, inv.mobile.as_deref(), inv.email.as_deref());
            let (Some(channel), Some(address), Some(expires_at)) =
                (channel, address, inv.expires_at)
            else {
                continue;
            };
            if channel == ContactChannel::Sms && !may_text(calendar, settings, &inv.rest_hours, now)
            {
                continue;
            }
            let mut tx = self.store.begin().await?;
            if store::set_reminded(&mut tx, inv.id, now).await? {
                let params = json!({
                    "salutation": inv.contact_name.as_deref().unwrap_or(&inv.customer_name),
                    "company": settings.company,
                    "survey": survey.plan.name,
                    "link": self.invitation_link(key, inv.id, expires_at),
                    "expires": crate::channel::email::beijing_minute(expires_at),
                });
                self.queue_invitation(&mut tx, channel, address, kinds::REMINDER, params, now)
                    .await?;
                reminded += 1;
            }
            tx.commit().await.map_err(StoreError::from)?;
        }
        Ok(reminded)
    }

    fn invitation_link(&self, key: &str, id: i64, expires_at: Timestamp) -> String {
        format!(
            "{}/r/{}",
            self.settings.public_url.trim_end_matches('/'),
            token::make(key, Purpose::Relationship, id, expires_at)
        )
    }

    async fn queue_invitation(
        &self,
        conn: &mut kefu_store::AnyConnection,
        channel: ContactChannel,
        address: &str,
        kind: &str,
        params: Value,
        now: Timestamp,
    ) -> Result<()> {
        outbox::enqueue(
            conn,
            &Outgoing {
                channel: if channel == ContactChannel::Sms {
                    outbox::channel::SMS
                } else {
                    outbox::channel::EMAIL
                },
                kind,
                address,
                locale: Locale::ZhCn,
                params,
                expires_at: None,
                send_after: None,
            },
            now,
        )
        .await?;
        Ok(())
    }
}

/// The outbox kinds of the relationship survey.
pub(crate) mod kinds {
    /// The invitation (`params`: `salutation`, `company`, `survey`, `link`, `days`).
    pub const INVITATION: &str = crate::outbox::kind::RELATIONSHIP_INVITATION;
    /// The one reminder (`params`: `salutation`, `company`, `survey`, `link`, `expires`).
    pub const REMINDER: &str = crate::outbox::kind::RELATIONSHIP_REMINDER;
}

/// The words of an invitation or reminder (`relationship.sms.*`, `relationship.mail.*`):
/// the text message's, or the mail's subject and text.
pub(crate) fn invitation_words(
    app: &App,
    kind: &str,
    locale: Locale,
    params: &Value,
) -> Option<(String, String, String)> {
    let which = match kind {
        kinds::INVITATION => "invitation",
        kinds::REMINDER => "reminder",
        _ => return None,
    };
    let get = |k: &str| params[k].as_str().unwrap_or_default();
    let args = [
        ("salutation", get("salutation")),
        ("company", get("company")),
        ("survey", get("survey")),
        ("link", get("link")),
        ("days", get("days")),
        ("expires", get("expires")),
    ];
    Some((
        app.text(locale, &format!("relationship.sms.{which}"), &args),
        app.text(locale, &format!("relationship.mail.{which}_subject"), &args),
        app.text(locale, &format!("relationship.mail.{which}_body"), &args),
    ))
}
