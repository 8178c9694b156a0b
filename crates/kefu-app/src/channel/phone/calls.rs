//! 通话记录 — the calls as staff read them: one call, the screen pop with the caller's
//! customer, the lists an agent works from (my calls, calls to log, callbacks to make —
//! each counted with the filter it lists with), the calls a ticket was logged from; and
//! what an agent does to a call besides logging it: reveal its number (audited), set it
//! aside as needing no record, mark its callback made.

use kefu_domain::Permission;
use kefu_store::phone::calls::{self as store, Call, CallFilter, CallList};
use kefu_store::ticket::setup as groups;
use kefu_store::{StoreError, changelog};
use serde_json::json;

use super::{CALL_ENTITY, LIST_LIMIT, mask_call};
use crate::customer::CustomerCard;
use crate::{Actor, App, AppError, Result};

/// The most customers a pop names when several have the number.
const POP_CHOICES: usize = 10;

/// 弹屏 — what the agent's screen shows of a ringing call: the call, and the archive's
/// customers with its number (none: a new customer; one: their card; several: a choice).
#[derive(Debug, Clone)]
pub struct CallPop {
    pub call: Call,
    pub customers: Vec<CustomerCard>,
    /// More customers have the number than [`POP_CHOICES`].
    pub more: bool,
}

/// The page that lists `list`: what a workbench tile opens.
pub fn calls_link(list: CallList) -> String {
    match list {
        CallList::Mine => "/calls".to_owned(),
        CallList::Unlogged => "/calls?view=unlogged".to_owned(),
        CallList::Callbacks => "/calls?view=callbacks".to_owned(),
    }
}

impl App {
    /// The call, raw, for the use cases of this module.
    pub(super) async fn call_row(&self, id: i64) -> Result<Call> {
        let mut conn = self.store.conn().await?;
        Ok(store::by_id(&mut conn, id).await?)
    }

    /// The exchange's area code of the call's telephone system.
    pub(crate) async fn area_code_of(&self, call: &Call) -> Result<Option<String>> {
        let Some(channel) = call.channel_id else {
            return Ok(None);
        };
        let mut conn = self.store.conn().await?;
        Ok(kefu_store::phone::channel(&mut conn, channel)
            .await?
            .area_code)
    }

    /// One call, its number masked.
    pub async fn call(&self, actor: &Actor, id: i64) -> Result<Call> {
        actor.require(Permission::TicketWork)?;
        Ok(mask_call(self.call_row(id).await?))
    }

    /// The archive's customers with the call's number, by id (for the logging form's
    /// choice); found without showing the reader the number.
    pub async fn call_customers(&self, actor: &Actor, id: i64) -> Result<Vec<i64>> {
        actor.require(Permission::TicketWork)?;
        actor.require(Permission::CustomerView)?;
        let call = self.call_row(id).await?;
        let Some(number) = call.customer_number.as_deref() else {
            return Ok(Vec::new());
        };
        let area = self.area_code_of(&call).await?;
        self.customers_with_number(number, area.as_deref()).await
    }

    /// 弹屏 — the pop of call `id`: the call and the caller's customers, each as its card
    /// (tier, open tickets, contacts masked).
    pub async fn call_pop(&self, actor: &Actor, id: i64) -> Result<CallPop> {
        actor.require(Permission::TicketWork)?;
        let call = self.call_row(id).await?;
        let ids = if actor.require(Permission::CustomerView).is_ok() {
            self.call_customers(actor, id).await?
        } else {
            Vec::new()
        };
        let mut customers = Vec::new();
        for cid in ids.iter().take(POP_CHOICES) {
            match self.customer_card(actor, *cid).await {
                Ok(card) => customers.push(card),
                Err(AppError::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(CallPop {
            call: mask_call(call),
            customers,
            more: ids.len() > POP_CHOICES,
        })
    }

    /// The screen pops written to the change log after entry `after` up to entry `upto`
    /// (as live updates read it): (call, the agent whose screens it pops on), in order.
    pub async fn phone_pops_between(&self, after: i64, upto: i64) -> Result<Vec<(i64, i64)>> {
        if upto <= after {
            return Ok(Vec::new());
        }
        let mut conn = self.store.conn().await?;
        Ok(store::pops_between(&mut conn, after, upto).await?)
    }

    /// The reader's filter for `list`.
    async fn call_filter(&self, actor: &Actor, list: CallList) -> Result<CallFilter> {
        actor.require(Permission::TicketWork)?;
        let user_id = actor.user_id().ok_or(AppError::Forbidden)?;
        let group_ids = if list == CallList::Callbacks {
            let mut conn = self.store.conn().await?;
            groups::group_ids_of(&mut conn, user_id).await?
        } else {
            Vec::new()
        };
        Ok(CallFilter {
            list,
            user_id,
            group_ids,
        })
    }

    /// The first [`LIST_LIMIT`] calls of `list` for the reader, newest first, numbers
    /// masked.
    pub async fn calls(&self, actor: &Actor, list: CallList) -> Result<Vec<Call>> {
        let f = self.call_filter(actor, list).await?;
        let mut conn = self.store.conn().await?;
        Ok(store::list(&mut conn, &f, LIST_LIMIT)
            .await?
            .into_iter()
            .map(mask_call)
            .collect())
    }

    /// How many calls [`App::calls`] lists for `list`, counting at most `cap`.
    pub async fn count_calls(&self, actor: &Actor, list: CallList, cap: i64) -> Result<i64> {
        let f = self.call_filter(actor, list).await?;
        let mut conn = self.store.conn().await?;
        Ok(store::count(&mut conn, &f, cap).await?)
    }

    /// The calls ticket `ticket_id` was logged from, numbers masked.
    pub async fn calls_of_ticket(&self, actor: &Actor, ticket_id: i64) -> Result<Vec<Call>> {
        actor.require(Permission::TicketWork)?;
        let mut conn = self.store.conn().await?;
        Ok(store::of_ticket(&mut conn, ticket_id)
            .await?
            .into_iter()
            .map(mask_call)
            .collect())
    }

    /// 查看 — the call's number in clear, for calling back; written to the audit log.
    pub async fn reveal_call_number(&self, actor: &Actor, id: i64) -> Result<String> {
        actor.require(Permission::TicketWork)?;
        actor.require(Permission::CustomerReveal)?;
        let mut tx = self.store.begin().await?;
        let call = store::by_id(&mut tx, id).await?;
        let detail = json!({"field": "customer_number", "call": id});
        crate::confidential::audit_reveal(&mut tx, self, actor, "phone_call", id, detail).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(call.customer_number.unwrap_or_default())
    }

    /// The agent sets an answered call aside as needing no record (a wrong number): it
    /// leaves their calls to log.
    pub async fn dismiss_call(&self, actor: &Actor, id: i64) -> Result<()> {
        actor.require(Permission::TicketWork)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        store::dismiss(&mut tx, id, now).await?;
        changelog::record(
            &mut tx,
            CALL_ENTITY,
            id,
            changelog::Operation::Update,
            actor.user_id(),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// 已回拨 — the callback of missed call `id` was made (without a ticket: the customer
    /// had nothing more to ask). A call without a pending callback is left as it is.
    pub async fn close_call_callback(&self, actor: &Actor, id: i64) -> Result<()> {
        actor.require(Permission::TicketWork)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        store::by_id(&mut tx, id).await?;
        if store::close_callback(&mut tx, id, actor.user_id(), now).await? {
            changelog::record(
                &mut tx,
                CALL_ENTITY,
                id,
                changelog::Operation::Update,
                actor.user_id(),
                now,
            )
            .await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }
}
