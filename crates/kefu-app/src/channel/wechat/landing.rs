//! 落地 — the job that turns a stored message into ticket work. The follower is recorded
//! (and linked to the contact whose WeChat field is their OpenID, when exactly one is);
//! a message lands on their ticket still being worked on, or opens a new one through the
//! intake (the stored message's key is the ticket's external id, so a job run twice opens
//! one ticket); a subscription or unsubscription goes into the linked contact's history,
//! an unsubscription as an opt-out of WeChat. The message is settled in the transaction
//! that writes its ticket message: a run that finds it settled changes nothing.

use kefu_domain::channel::wechat::{CHANNEL_KEY, InboundKind, WechatMessage, parse_message};
use kefu_domain::ticket::{BODY_MAX, Channel};
use kefu_store::customer::{self as customers, Change};
use kefu_store::ticket::{self as tickets, conversation};
use kefu_store::wechat::inbound::{self, Follower, Inbound, status};
use kefu_store::wechat::{self as store, WechatChannel};
use kefu_store::{AnyConnection, StoreError, changelog};

use crate::ticket::Intake;
use crate::{Actor, App, Result};

/// How a follower nobody linked is named in the conversation: this and the end of their
/// OpenID, so two of them can be told apart.
const FOLLOWER: &str = "微信用户";

/// A message cut at the ticket's limit says so.
const CUT_SHORT: &str = "\n\n……（消息过长，以下未显示）";

fn follower_name(openid: &str) -> String {
    let tail: String = {
        let chars: Vec<char> = openid.chars().collect();
        chars[chars.len().saturating_sub(6)..].iter().collect()
    };
    format!("{FOLLOWER} {tail}")
}

/// The message as a ticket takes it: at most [`BODY_MAX`] characters.
fn message_body(text: &str) -> String {
    if text.chars().count() <= BODY_MAX {
        return text.to_owned();
    }
    let keep = BODY_MAX - CUT_SHORT.chars().count();
    let start: String = text.chars().take(keep).collect();
    format!("{start}{CUT_SHORT}")
}

/// One entry of a customer's history, written by the system.
async fn history(
    conn: &mut AnyConnection,
    customer_id: i64,
    contact_id: Option<i64>,
    field: &str,
    old: Option<String>,
    new: Option<String>,
    at: jiff::Timestamp,
) -> Result<()> {
    customers::add_history(
        conn,
        &Change {
            id: 0,
            customer_id,
            contact_id,
            at,
            actor_user_id: None,
            actor_name: crate::SYSTEM_ACTOR_NAME.to_owned(),
            field: field.to_owned(),
            old_value: old,
            new_value: new,
        },
    )
    .await?;
    Ok(())
}

impl App {
    /// 落地 — the job of stored message `id`. Run again after it landed, it changes nothing.
    pub async fn land_wechat_inbound(&self, id: i64) -> Result<()> {
        let (row, channel) = {
            let mut conn = self.store.conn().await?;
            let Some(row) = inbound::by_id(&mut conn, id).await? else {
                return Ok(());
            };
            if row.status != status::QUEUED {
                return Ok(());
            }
            let channel = store::channel(&mut conn, row.channel_id).await?;
            (row, channel)
        };
        let message = parse_message(row.raw.as_bytes())?;
        let follower = self.wechat_heard_from(&channel, &row, &message).await?;
        match message.kind() {
            InboundKind::Message => {
                self.land_wechat_message(&channel, &row, &message, &follower)
                    .await
            }
            kind => {
                self.land_wechat_event(&channel, &row, kind, &follower)
                    .await
            }
        }
    }

    /// Records the follower as heard from when the message arrived, linked to the contact
    /// whose WeChat field is their OpenID when they are not linked yet and exactly one
    /// contact has it.
    async fn wechat_heard_from(
        &self,
        channel: &WechatChannel,
        row: &Inbound,
        message: &WechatMessage,
    ) -> Result<Follower> {
        let subscribed = match message.kind() {
            InboundKind::Subscribe => Some(true),
            InboundKind::Unsubscribe => Some(false),
            _ => None,
        };
        let mut tx = self.store.begin().await?;
        inbound::touch_follower(
            &mut tx,
            channel.id,
            &row.openid,
            row.received_at,
            message.opens_window(),
            subscribed,
        )
        .await?;
        let mut follower = inbound::follower(&mut tx, channel.id, &row.openid)
            .await?
            .ok_or(StoreError::NotFound)?;
        let candidates = if follower.contact_id.is_none() {
            inbound::contacts_with_openid(&mut tx, &row.openid).await?
        } else {
            Vec::new()
        };
        if let [(contact, customer)] = candidates[..] {
            inbound::link_follower(&mut tx, channel.id, &row.openid, contact, customer).await?;
            history(
                &mut tx,
                customer,
                Some(contact),
                "wechat.linked",
                None,
                Some(channel.name.clone()),
                row.received_at,
            )
            .await?;
            follower.contact_id = Some(contact);
            follower.customer_id = Some(customer);
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(follower)
    }

    /// The name the follower's messages carry: their contact's, else 微信用户 and the end
    /// of their OpenID.
    async fn wechat_author(&self, follower: &Follower) -> Result<String> {
        if let Some(contact) = follower.contact_id {
            let mut conn = self.store.conn().await?;
            match customers::contact_by_id(&mut conn, contact).await {
                Ok(c) if !c.name.trim().is_empty() => return Ok(c.name),
                Ok(_) | Err(StoreError::NotFound) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(follower_name(&follower.openid))
    }

    async fn land_wechat_message(
        &self,
        channel: &WechatChannel,
        row: &Inbound,
        message: &WechatMessage,
        follower: &Follower,
    ) -> Result<()> {
        let body = message_body(&message.text().unwrap_or_default());
        let author = self.wechat_author(follower).await?;
        let open = {
            let mut conn = self.store.conn().await?;
            inbound::open_ticket_of(&mut conn, channel.id, &row.openid).await?
        };
        let now = self.now();
        if let Some(ticket_id) = open {
            let mut tx = self.store.begin().await?;
            let t = tickets::by_id_locked(&mut tx, ticket_id).await?;
            let message_id = self
                .add_customer_message(&mut tx, &Actor::system(), t, &author, &body, now)
                .await?;
            conversation::set_message_channel(&mut tx, message_id, CHANNEL_KEY).await?;
            let settled = inbound::settle(
                &mut tx,
                row.id,
                status::ADDED_TO_TICKET,
                Some(ticket_id),
                Some(message_id),
                now,
            )
            .await?;
            // Landed by another run meanwhile: this one's message is not written.
            if settled {
                tx.commit().await.map_err(StoreError::from)?;
            }
            return Ok(());
        }
        let mut intake = Intake::new(
            Channel::Wechat,
            &kefu_domain::channel::wechat::ticket_subject(&body),
            &body,
        );
        intake.contact_name = Some(author);
        intake.customer_id = follower.customer_id;
        intake.group_id = channel.group_id;
        intake.external_id = Some(format!("wechat:{}:{}", channel.id, row.dedup_key));
        let outcome = self.intake(&Actor::system(), &intake).await?;
        let ticket_id = outcome.ticket.id;
        let mut tx = self.store.begin().await?;
        let first = inbound::first_message_of(&mut tx, ticket_id).await?;
        let settled = inbound::settle(
            &mut tx,
            row.id,
            status::TICKET_CREATED,
            Some(ticket_id),
            first,
            now,
        )
        .await?;
        if settled {
            if let Some(m) = first {
                conversation::set_message_channel(&mut tx, m, CHANNEL_KEY).await?;
            }
            tx.commit().await.map_err(StoreError::from)?;
        }
        Ok(())
    }

    /// A subscription or unsubscription in the linked contact's history; an
    /// unsubscription adds WeChat to the contact's opt-outs. Other events are recorded
    /// with the follower only.
    async fn land_wechat_event(
        &self,
        channel: &WechatChannel,
        row: &Inbound,
        kind: InboundKind,
        follower: &Follower,
    ) -> Result<()> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !inbound::settle(&mut tx, row.id, status::EVENT, None, None, now).await? {
            return Ok(());
        }
        let field = match kind {
            InboundKind::Subscribe => Some("wechat.subscribe"),
            InboundKind::Unsubscribe => Some("wechat.unsubscribe"),
            _ => None,
        };
        if let (Some(field), Some(contact_id), Some(customer_id)) =
            (field, follower.contact_id, follower.customer_id)
        {
            history(
                &mut tx,
                customer_id,
                Some(contact_id),
                field,
                None,
                Some(channel.name.clone()),
                row.received_at,
            )
            .await?;
            if kind == InboundKind::Unsubscribe {
                self.opt_out_of_wechat(&mut tx, contact_id, customer_id, now)
                    .await?;
            }
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// 退订 — WeChat among the contact's opt-outs (once), in its history.
    async fn opt_out_of_wechat(
        &self,
        conn: &mut AnyConnection,
        contact_id: i64,
        customer_id: i64,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let mut contact = match customers::contact_by_id(&mut *conn, contact_id).await {
            Ok(c) => c,
            Err(StoreError::NotFound) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        if contact.opt_outs.iter().any(|o| o == CHANNEL_KEY) {
            return Ok(());
        }
        let list = |v: &[String]| Some(v.join(", ")).filter(|x| !x.is_empty());
        let before = list(&contact.opt_outs);
        contact.opt_outs.push(CHANNEL_KEY.to_owned());
        let after = list(&contact.opt_outs);
        customers::save_contact(&mut *conn, &contact, now).await?;
        history(
            &mut *conn,
            customer_id,
            Some(contact_id),
            "contact.opt_outs",
            before,
            after,
            now,
        )
        .await?;
        changelog::record(
            &mut *conn,
            "customer",
            customer_id,
            changelog::Operation::Update,
            None,
            now,
        )
        .await?;
        Ok(())
    }
}
