//! 售后回访与首单回访 — the visit after an RMA is closed (退换货、维修办结后回访) and after a
//! customer's first order has arrived (首单回访): planned in the transaction of the move that
//! ends them, due the settings' `after_sales_days` business days later (3 unless the
//! department set another), made by the customer's owner on their
//! shift, idempotent by its key (`rma:{id}`, `first_order:{customer}`), so a move replayed
//! or made by two instances plans one visit.

use jiff::{SignedDuration, Timestamp};
use kefu_domain::follow_up::visit::Reason;
use kefu_store::AnyConnection;
use kefu_store::customer as customers;
use kefu_store::follow_up::{self as store, NewVisit};

use super::plan::{slot_for, visit_channel, visit_contact};
use super::{load_settings, local_date, local_midnight};
use crate::{App, Result};

/// How long the visit may take from its due day.
const WINDOW: SignedDuration = SignedDuration::from_hours(7 * 24);

impl App {
    /// Plans the visit after RMA `rma_id` of `customer_id` was closed; its id, `None` when
    /// it was planned already.
    pub(crate) async fn plan_after_sales_visit(
        &self,
        conn: &mut AnyConnection,
        customer_id: i64,
        rma_id: i64,
        now: Timestamp,
    ) -> Result<Option<i64>> {
        self.plan_event_visit(
            conn,
            customer_id,
            Reason::AfterSales,
            format!("rma:{rma_id}"),
            false,
            now,
        )
        .await
    }

    /// Plans the visit after `customer_id`'s first order arrived (the first-visit script);
    /// its id, `None` when the customer had one already.
    pub(crate) async fn plan_first_order_visit(
        &self,
        conn: &mut AnyConnection,
        customer_id: i64,
        now: Timestamp,
    ) -> Result<Option<i64>> {
        self.plan_event_visit(
            conn,
            customer_id,
            Reason::FirstOrder,
            format!("first_order:{customer_id}"),
            true,
            now,
        )
        .await
    }

    async fn plan_event_visit(
        &self,
        conn: &mut AnyConnection,
        customer_id: i64,
        reason: Reason,
        plan_key: String,
        first_visit: bool,
        now: Timestamp,
    ) -> Result<Option<i64>> {
        let settings = load_settings(conn).await?;
        let calendar = self.business_calendar(conn).await?;
        let due_day = local_date(&calendar, now)
            .series(jiff::Span::new().days(1))
            .skip(1)
            .filter(|d| calendar.is_working_day(*d))
            .nth(usize::try_from(settings.after_sales_days.max(1) - 1).unwrap_or(0))
            .unwrap_or_else(|| local_date(&calendar, now));
        let due = local_midnight(&calendar, due_day);
        let end = due + WINDOW;
        let owner = customers::by_id(conn, customer_id).await?.owner_id;
        let contacts = customers::contacts_of(conn, customer_id).await?;
        let contact = visit_contact(&contacts);
        let roster = crate::shift::roster_of(conn, &calendar, owner, (due, end)).await?;
        let visit = NewVisit {
            plan_key: Some(plan_key),
            rule_id: None,
            reason: reason.key().to_owned(),
            period: None,
            tier: None,
            customer_id,
            contact_id: contact.map(|x| x.id),
            complaint_id: None,
            agent_id: owner,
            group_id: None,
            channel: visit_channel(contact).key().to_owned(),
            due_at: due,
            window_end: end,
            slot_at: slot_for(
                &calendar,
                &settings.calling_hours,
                &roster,
                contact,
                due,
                end,
            ),
            first_visit,
        };
        Ok(store::insert_visit(conn, &visit, now).await?)
    }
}
