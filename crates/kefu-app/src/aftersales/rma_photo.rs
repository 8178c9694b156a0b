//! 售后照片 — the photos (or a short video) of an RMA's fault: sent with the request by the
//! staff who register it or by the customer asking in the portal, added later by the
//! staff, each checked as a picture or a video by its bytes. And the customer's own request
//! in the portal: on one of their tickets, for a line of theirs that has shipped, whose
//! order, product, date and value the request takes from the line.

use jiff::Timestamp;
use kefu_domain::Permission;
use kefu_domain::Role;
use kefu_domain::aftersales::policy::{Fault, RmaKind};
use kefu_domain::aftersales::rma::{MAX_QUANTITY, RmaError, RmaSource, RmaState};
use kefu_domain::attachment::{self, AttachmentError};
use kefu_store::aftersales::rma::{self as rma_store, RmaStep};
use kefu_store::aftersales::rma_photo::{self as store, NewRmaPhoto, RmaPhoto};
use kefu_store::order as order_store;
use kefu_store::{AnyConnection, StoreError};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::rma::RmaRequest;
use crate::notify::{self, kind};
use crate::ticket::Upload;
use crate::{Actor, ActorKind, App, AppError, Result};

/// The most photos one RMA keeps.
pub const MAX_PHOTOS: usize = 10;
/// The most shipped lines the portal offers to choose from.
pub(crate) const MAX_LINES: i64 = 50;

/// A photo that passed the checks.
pub(crate) struct CheckedPhoto<'a> {
    filename: String,
    content_type: String,
    sha256: String,
    bytes: &'a [u8],
}

/// 客户申请售后 — what the customer asks in the portal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalRmaRequest {
    /// The shipped order line (one of [`crate::portal::CustomerTicketPage::rma_lines`]).
    pub line_id: i64,
    pub kind: RmaKind,
    pub quantity: u32,
    pub serial: String,
    pub description: String,
}

impl App {
    /// Checks photos to add to an RMA that has `already` of them.
    pub(crate) fn check_photos<'a>(
        &self,
        files: &'a [Upload],
        already: usize,
    ) -> Result<Vec<CheckedPhoto<'a>>> {
        if already + files.len() > MAX_PHOTOS {
            return Err(AttachmentError::TooMany { max: MAX_PHOTOS }.into());
        }
        files
            .iter()
            .map(|f| {
                let filename = attachment::clean_filename(&f.filename);
                let content_type = attachment::check_photo(
                    &filename,
                    &f.bytes,
                    self.settings.attachment_max_bytes,
                )?;
                Ok(CheckedPhoto {
                    filename,
                    content_type,
                    sha256: hex::encode(Sha256::digest(&f.bytes)),
                    bytes: &f.bytes,
                })
            })
            .collect()
    }

    /// Adds photos to RMA `id` (at most [`MAX_PHOTOS`] in all), logged as a step; the
    /// RMA's photos after.
    pub async fn add_rma_photos(
        &self,
        actor: &Actor,
        id: i64,
        files: &[Upload],
    ) -> Result<Vec<RmaPhoto>> {
        actor.require(Permission::RmaRequest)?;
        if files.is_empty() {
            return Err(AttachmentError::Empty.into());
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let rma = rma_store::by_id(&mut tx, id).await?.rma;
        let already = usize::try_from(store::count(&mut tx, id).await?).unwrap_or(MAX_PHOTOS);
        let checked = self.check_photos(files, already)?;
        store_photos(&mut tx, actor, id, &checked, now).await?;
        let names: Vec<&str> = checked.iter().map(|c| c.filename.as_str()).collect();
        rma_store::add_step(
            &mut tx,
            id,
            &RmaStep {
                action: "photos".to_owned(),
                from_state: Some(rma.state),
                to_state: rma.state,
                note: names.join("、"),
                by: actor.user_id(),
                by_name: None,
                at: now,
            },
        )
        .await?;
        let all = store::photos(&mut tx, id).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(all)
    }

    /// RMA `id`'s photos, oldest first.
    pub async fn rma_photos(&self, actor: &Actor, id: i64) -> Result<Vec<RmaPhoto>> {
        actor.require(Permission::RmaRequest)?;
        let mut conn = self.store.conn().await?;
        rma_store::by_id(&mut conn, id).await?;
        Ok(store::photos(&mut conn, id).await?)
    }

    /// A photo's name, type and bytes, if it is RMA `rma_id`'s.
    pub async fn rma_photo_file(
        &self,
        actor: &Actor,
        rma_id: i64,
        id: i64,
    ) -> Result<(String, String, Vec<u8>)> {
        actor.require(Permission::RmaRequest)?;
        let mut conn = self.store.conn().await?;
        Ok(store::data(&mut conn, rma_id, id).await?)
    }

    /// The signed-in customer asks an RMA on their ticket `ticket_id`, for a shipped line
    /// of theirs, with photos of the fault: decided by the policy as any request, the
    /// after-sales specialists told. Its id and the state it starts in.
    pub async fn portal_request_rma(
        &self,
        actor: &Actor,
        ticket_id: i64,
        req: &PortalRmaRequest,
        photos: &[Upload],
    ) -> Result<(i64, RmaState)> {
        let (customer_id, line) = {
            let mut conn = self.store.conn().await?;
            let customer_id = portal_ticket_customer(&mut conn, actor, ticket_id)
                .await?
                .ok_or(RmaError::NoCustomer)?;
            let line = order_store::shipped_lines(&mut conn, customer_id, Some(req.line_id), 1)
                .await?
                .pop()
                .ok_or(RmaError::UnknownLine)?;
            (customer_id, line)
        };
        if req.quantity == 0 || req.quantity > MAX_QUANTITY {
            return Err(RmaError::Quantity.into());
        }
        if i64::from(req.quantity) > line.shipped {
            return Err(RmaError::AboveShipped {
                shipped: line.shipped,
            }
            .into());
        }
        // The goods' value at the line's price: what the claim is worth and a refund's
        // ceiling (the money checks of the request bound it).
        let value = line.unit_price_fen.saturating_mul(i64::from(req.quantity));
        let request = RmaRequest {
            source: RmaSource::Portal,
            customer_id,
            ticket_id: Some(ticket_id),
            complaint_rma_id: None,
            kind: req.kind,
            product_id: line.product_id,
            order_number: line.order_number,
            serial: req.serial.clone(),
            quantity: req.quantity,
            fault: Fault::Quality,
            description: req.description.clone(),
            delivered_on: crate::workbench::local_date(line.arrived_at),
            requested_on: None,
            amount_fen: value,
            paid_fen: value,
        };
        self.register_rma(actor, &request, photos).await
    }
}

/// The customer record of the signed-in customer's ticket `ticket_id` (`None` when the
/// ticket has none); another's ticket is not found.
async fn portal_ticket_customer(
    conn: &mut AnyConnection,
    actor: &Actor,
    ticket_id: i64,
) -> Result<Option<i64>> {
    let c = crate::portal::customer_of(actor)?;
    if !crate::portal::sees(conn, c.id, ticket_id).await? {
        return Err(AppError::NotFound);
    }
    Ok(kefu_store::ticket::by_id(conn, ticket_id)
        .await?
        .customer_id)
}

/// Stores checked photos of RMA `rma_id` in the caller's transaction.
pub(crate) async fn store_photos(
    conn: &mut AnyConnection,
    actor: &Actor,
    rma_id: i64,
    photos: &[CheckedPhoto<'_>],
    now: Timestamp,
) -> Result<()> {
    let by_customer = matches!(actor.kind, ActorKind::Customer(_));
    for p in photos {
        store::add(
            &mut *conn,
            &NewRmaPhoto {
                rma_id,
                filename: &p.filename,
                content_type: &p.content_type,
                sha256: &p.sha256,
                data: p.bytes,
                by: actor.user_id(),
                by_customer,
                at: now,
            },
        )
        .await?;
    }
    Ok(())
}

/// Tells the after-sales specialists of a request a customer made in the portal that no
/// approval brings to them (an approval's own notice does).
pub(crate) async fn tell_of_portal_request(
    conn: &mut AnyConnection,
    rma_id: i64,
    number: &str,
    customer: &str,
    ticket_id: Option<i64>,
    photos: usize,
    now: Timestamp,
) -> Result<()> {
    let to = notify::with_role(conn, Role::AftersalesSpecialist).await?;
    notify::notify(
        conn,
        &to,
        kind::RMA_FROM_CUSTOMER,
        ticket_id,
        &json!({
            "rma": rma_id,
            "number": number,
            "customer": customer,
            "count": photos,
        }),
        now,
    )
    .await?;
    Ok(())
}
