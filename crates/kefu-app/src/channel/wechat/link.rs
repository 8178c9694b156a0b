//! 粉丝与联系人 — what the ticket page shows of a WeChat ticket's follower (the account,
//! the contact they are linked to, and, when replies go by WeChat, how long the 48-hour
//! window has left), and the agent's link of a follower to a contact of the archive: from
//! the ticket page (a contact of the ticket's customer) or the API (any contact). The link
//! also links the follower's tickets that have no customer yet, and is audited.

use kefu_domain::Permission;
use kefu_domain::channel::wechat::{CHANNEL_KEY, ReplyWindow, reply_window};
use kefu_store::customer::{self as customers, Change};
use kefu_store::ticket::conversation;
use kefu_store::wechat as store;
use kefu_store::wechat::inbound;
use kefu_store::{StoreError, changelog};
use serde_json::json;

use super::TARGET;
use super::reply::opted_out;
use crate::audit::{self, Target, action};
use crate::{Actor, App, AppError, Result};

/// A WeChat ticket's follower, as the ticket page shows it.
#[derive(Debug, Clone)]
pub struct WechatTicketView {
    pub channel_id: i64,
    pub channel_name: String,
    pub openid: String,
    /// Whether a public reply on the ticket goes by WeChat (the customer last wrote by it).
    pub replies_by_wechat: bool,
    /// The 48-hour window at the time of asking.
    pub window: ReplyWindow,
    /// The follower unsubscribed, or their contact opted out of WeChat.
    pub opted_out: bool,
    /// The contact the follower is linked to: (id, name).
    pub contact: Option<(i64, String)>,
    /// The contacts of the ticket's customer the follower may be linked to: (id, name).
    pub candidates: Vec<(i64, String)>,
}

impl App {
    /// The follower of ticket `ticket_id` when the ticket received anything by WeChat.
    pub async fn wechat_of_ticket(
        &self,
        actor: &Actor,
        ticket_id: i64,
    ) -> Result<Option<WechatTicketView>> {
        actor.require(Permission::TicketWork)?;
        let mut conn = self.store.conn().await?;
        let Some((channel_id, openid)) = inbound::last_of_ticket(&mut conn, ticket_id).await?
        else {
            return Ok(None);
        };
        let channel = store::channel(&mut conn, channel_id).await?;
        let follower = inbound::follower(&mut conn, channel_id, &openid).await?;
        let replies_by_wechat = conversation::last_inbound_channel(&mut conn, ticket_id)
            .await?
            .as_deref()
            == Some(CHANNEL_KEY);
        let contact_id = follower.as_ref().and_then(|f| f.contact_id);
        let contact = match contact_id {
            Some(id) => match customers::contact_by_id(&mut conn, id).await {
                Ok(c) => Some((c.id, c.name)),
                Err(StoreError::NotFound) => None,
                Err(e) => return Err(e.into()),
            },
            None => None,
        };
        let refuses = follower.as_ref().is_some_and(|f| !f.subscribed)
            || opted_out(&mut conn, contact_id).await?;
        let ticket = kefu_store::ticket::by_id(&mut conn, ticket_id).await?;
        let candidates = match ticket.customer_id {
            Some(c) => customers::contacts_of(&mut conn, c)
                .await?
                .into_iter()
                .map(|c| (c.id, c.name))
                .collect(),
            None => Vec::new(),
        };
        Ok(Some(WechatTicketView {
            channel_id,
            channel_name: channel.name,
            openid,
            replies_by_wechat,
            window: reply_window(follower.and_then(|f| f.last_message_at), self.now()),
            opted_out: refuses,
            contact,
            candidates,
        }))
    }

    /// Links the follower of ticket `ticket_id` to contact `contact_id`, one of the
    /// ticket's customer's contacts.
    pub async fn link_ticket_wechat(
        &self,
        actor: &Actor,
        ticket_id: i64,
        contact_id: i64,
    ) -> Result<()> {
        actor.require(Permission::TicketWork)?;
        let (channel_id, openid) = {
            let mut conn = self.store.conn().await?;
            let ticket = kefu_store::ticket::by_id(&mut conn, ticket_id).await?;
            let contact = match customers::contact_by_id(&mut conn, contact_id).await {
                Ok(c) => c,
                Err(StoreError::NotFound) => return Err(AppError::UnknownArchiveCustomer),
                Err(e) => return Err(e.into()),
            };
            if ticket.customer_id != Some(contact.customer_id) {
                return Err(AppError::UnknownArchiveCustomer);
            }
            inbound::last_of_ticket(&mut conn, ticket_id)
                .await?
                .ok_or(AppError::NotFound)?
        };
        self.link_wechat_follower(actor, channel_id, &openid, contact_id)
            .await
    }

    /// Links follower `openid` of account `channel_id` to contact `contact_id` (and its
    /// customer): their messages name the contact from now on, replies honour the
    /// contact's opt-outs, and their tickets without a customer get this one. Audited.
    pub async fn link_wechat_follower(
        &self,
        actor: &Actor,
        channel_id: i64,
        openid: &str,
        contact_id: i64,
    ) -> Result<()> {
        actor.require(Permission::TicketWork)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let channel = store::channel(&mut tx, channel_id).await?;
        let follower = inbound::follower(&mut tx, channel_id, openid)
            .await?
            .ok_or(AppError::NotFound)?;
        let contact = match customers::contact_by_id(&mut tx, contact_id).await {
            Ok(c) => c,
            Err(StoreError::NotFound) => return Err(AppError::UnknownArchiveCustomer),
            Err(e) => return Err(e.into()),
        };
        inbound::link_follower(&mut tx, channel_id, openid, contact.id, contact.customer_id)
            .await?;
        let linked =
            inbound::link_tickets_of(&mut tx, channel_id, openid, contact.customer_id).await?;
        for ticket in &linked {
            changelog::record(
                &mut tx,
                "ticket",
                *ticket,
                changelog::Operation::Update,
                actor.user_id(),
                now,
            )
            .await?;
        }
        customers::add_history(
            &mut tx,
            &Change {
                id: 0,
                customer_id: contact.customer_id,
                contact_id: Some(contact.id),
                at: now,
                actor_user_id: actor.user_id(),
                actor_name: match &actor.kind {
                    crate::ActorKind::User(u) => u.display_name.clone(),
                    _ => crate::SYSTEM_ACTOR_NAME.to_owned(),
                },
                field: "wechat.linked".to_owned(),
                old_value: None,
                new_value: Some(channel.name.clone()),
            },
        )
        .await?;
        let id = channel_id.to_string();
        audit::write(
            &mut tx,
            self,
            actor,
            action::WECHAT_FOLLOWER_LINKED,
            Some(Target {
                kind: TARGET,
                id: &id,
            }),
            Some(json!({
                "openid": openid,
                "contact": contact.id,
                "customer": contact.customer_id,
                "previous_contact": follower.contact_id,
                "tickets": linked,
            })),
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }
}
