//! 定制 — customers' custom requests to the design department (002 §一8): whoever serves the
//! customer records what they want; the design department's members are told and answer
//! (feasible with the unit cost and lead time, or not); the agent quotes a unit price,
//! which the manager approves or sends back with the reason; the customer accepts or
//! declines. Each step from the version read, logged, and told to whoever acts next.

use jiff::civil::Date;
use kefu_domain::order::custom::{
    self as rules, CustomError, CustomMove, CustomState, MAX_TEXT, Mover,
};
use kefu_domain::{Permission, Role};
use kefu_store::StoreError;
use kefu_store::order::custom::{self as store, CustomFilter, CustomRow, CustomStep};
use serde_json::json;

use kefu_domain::aftersales::catalogue::{self as catalogue_rules, Product};
use kefu_domain::credit::{Grade, TermsKind};
use kefu_domain::order::{self as order_rules, LineInput, Payment};

use super::OrderRequest;
use crate::notify::{self, kind};
use crate::workbench::local_date;
use crate::{Actor, App, AppError, Result};

/// The key of the department that answers custom requests.
pub const DESIGN: &str = "design";

/// The most requests one list shows.
pub const MAX_LIST: i64 = 200;

/// A custom request asked.
#[derive(Debug, Clone)]
pub struct CustomRequest {
    pub customer_id: i64,
    pub title: String,
    pub spec: String,
    pub quantity: i64,
    pub wanted_by: Option<Date>,
}

/// A step asked, with what it carries.
#[derive(Debug, Clone, Default)]
pub struct CustomInput {
    pub feasible: bool,
    pub answer: String,
    pub cost_fen: Option<i64>,
    pub lead_days: Option<i64>,
    pub quote_fen: Option<i64>,
    pub note: String,
}

/// A request with its history.
#[derive(Debug, Clone)]
pub struct CustomDetail {
    pub request: CustomRow,
    pub steps: Vec<CustomStep>,
}

fn may_read(actor: &Actor) -> Result<()> {
    actor.require(Permission::CustomView)
}

impl App {
    /// 定制申请 — records a customer's custom request and sends it to the design department,
    /// whose members are told. Its id.
    pub async fn request_custom(&self, actor: &Actor, req: &CustomRequest) -> Result<i64> {
        actor.require(Permission::OrderTake)?;
        let now = self.now();
        if let Some(d) = req.wanted_by {
            kefu_domain::dates::check("wanted_by", d)?;
        }
        let (title, spec) = rules::check_request(
            &req.title,
            &req.spec,
            req.quantity,
            req.wanted_by,
            local_date(now),
        )?;
        let mut tx = self.store.begin().await?;
        let customer = kefu_store::customer::by_id(&mut tx, req.customer_id).await?;
        let number = self.order_number(&mut tx, "DZ").await?;
        let id = store::insert(
            &mut tx,
            &CustomRow {
                id: 0,
                number: number.clone(),
                customer_id: customer.id,
                customer: String::new(),
                title: title.clone(),
                spec,
                quantity: req.quantity,
                wanted_by: req.wanted_by,
                state: CustomState::WithDesign,
                feasible: None,
                answer: String::new(),
                cost_fen: None,
                lead_days: None,
                answered_by: None,
                quote_fen: None,
                quoted_by: None,
                approved_by: None,
                created_by: actor.user_id(),
                order_id: None,
                product_id: None,
                order_number: None,
                version: 1,
                created_at: now,
                updated_at: now,
            },
        )
        .await?;
        store::add_step(
            &mut tx,
            id,
            &CustomStep {
                action: "request".to_owned(),
                from_state: None,
                to_state: CustomState::WithDesign,
                note: String::new(),
                by: actor.user_id(),
                by_name: None,
                at: now,
            },
        )
        .await?;
        let design = design_members(&mut tx).await?;
        notify::notify(
            &mut tx,
            &design,
            kind::CUSTOM_TO_DESIGN,
            None,
            &json!({"custom_request": id, "number": number, "customer": customer.name,
                "text": title}),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(id)
    }

    /// One request with its history.
    pub async fn custom_request(&self, actor: &Actor, id: i64) -> Result<CustomDetail> {
        may_read(actor)?;
        let mut conn = self.store.conn().await?;
        Ok(CustomDetail {
            request: store::by_id(&mut conn, id).await?,
            steps: store::steps(&mut conn, id).await?,
        })
    }

    /// Requests newest first.
    pub async fn custom_requests(
        &self,
        actor: &Actor,
        filter: &CustomFilter,
    ) -> Result<Vec<CustomRow>> {
        may_read(actor)?;
        let filter = CustomFilter {
            limit: filter.limit.clamp(1, MAX_LIST),
            ..filter.clone()
        };
        let mut conn = self.store.conn().await?;
        Ok(store::list(&mut conn, &filter).await?)
    }

    /// One step on request `id` from `version` (the current one when `None`): the design's
    /// answer (a member of the design department), the agent's quote, the manager's
    /// decision on it, the customer's answer, or a cancel. The request's new state.
    pub async fn move_custom(
        &self,
        actor: &Actor,
        id: i64,
        version: Option<i64>,
        action: CustomMove,
        input: &CustomInput,
    ) -> Result<CustomState> {
        match action.mover() {
            Mover::Agent => actor.require(Permission::OrderTake)?,
            Mover::Design => actor.require(Permission::CustomDesign)?,
            Mover::Manager => actor.require(Permission::OrderApprove)?,
        }
        let note = input.note.trim().to_owned();
        if note.chars().count() > MAX_TEXT {
            return Err(CustomError::TooLong("note").into());
        }
        if action.needs_reason() && note.is_empty() {
            return Err(CustomError::Required("note").into());
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let before = store::by_id(&mut tx, id).await?;
        if version.is_some_and(|v| v != before.version) {
            return Err(AppError::StaleVersion {
                current: before.version,
                changed: Vec::new(),
            });
        }
        let state = rules::next(before.state, action, input.feasible)?;
        let mut after = CustomRow {
            state,
            updated_at: now,
            ..before.clone()
        };
        let mut step_note = note.clone();
        match action {
            CustomMove::Answer => {
                let department = design_department(&mut tx).await?;
                if self.department_of(&mut tx, actor).await? != Some(department) {
                    return Err(AppError::NotYourDepartment);
                }
                let answer = rules::check_answer(
                    input.feasible,
                    &input.answer,
                    input.cost_fen,
                    input.lead_days,
                )?;
                after.feasible = Some(input.feasible);
                after.answer = answer.clone();
                after.cost_fen = input.feasible.then_some(input.cost_fen).flatten();
                after.lead_days = input.feasible.then_some(input.lead_days).flatten();
                after.answered_by = actor.user_id();
                step_note = answer;
            }
            CustomMove::Quote => {
                after.quote_fen = Some(rules::check_quote(input.quote_fen)?);
                after.quoted_by = actor.user_id();
                after.approved_by = None;
            }
            CustomMove::ApproveQuote => after.approved_by = actor.user_id(),
            CustomMove::Accept => {
                let (product, order, number) =
                    self.place_custom_order(&mut tx, actor, &before).await?;
                after.product_id = Some(product);
                after.order_id = Some(order);
                step_note = if note.is_empty() {
                    number
                } else {
                    format!("{number} {note}")
                };
            }
            _ => {}
        }
        if !store::save(&mut tx, &after).await? {
            return Err(AppError::StaleVersion {
                current: before.version + 1,
                changed: Vec::new(),
            });
        }
        store::add_step(
            &mut tx,
            id,
            &CustomStep {
                action: action.key().to_owned(),
                from_state: Some(before.state),
                to_state: state,
                note: step_note,
                by: actor.user_id(),
                by_name: None,
                at: now,
            },
        )
        .await?;
        // Whoever acts next is told: the requester after the design's answer and the
        // manager's decision, the manager when a quote waits.
        let told = match action {
            CustomMove::Answer => Some((
                kind::CUSTOM_ANSWERED,
                before.created_by.into_iter().collect(),
            )),
            CustomMove::Quote => Some((
                kind::CUSTOM_QUOTE_APPROVAL,
                notify::with_role(&mut tx, Role::CsManager).await?,
            )),
            CustomMove::ApproveQuote | CustomMove::RejectQuote => Some((
                kind::CUSTOM_QUOTE_DECIDED,
                after.quoted_by.into_iter().collect::<Vec<i64>>(),
            )),
            _ => None,
        };
        if let Some((k, users)) = told {
            notify::notify(
                &mut tx,
                &users,
                k,
                None,
                &json!({"custom_request": id, "number": before.number,
                    "customer": before.customer, "state": state.key(), "text": note}),
                now,
            )
            .await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(state)
    }
}

impl App {
    /// 定制下单 — what an accepted request becomes: a catalogue product of its own (its
    /// number as SKU, its title as name, the quoted price; inactive, since it is made for
    /// this customer alone) and an order of it, produced in the design's lead time, on
    /// the customer's terms (credit-checked as any order); the product, the order and its
    /// number.
    async fn place_custom_order(
        &self,
        tx: &mut kefu_store::AnyConnection,
        actor: &Actor,
        r: &CustomRow,
    ) -> Result<(i64, i64, String)> {
        let now = self.now();
        let (Some(quote), Some(lead)) = (r.quote_fen, r.lead_days) else {
            return Err(CustomError::Required("quote").into());
        };
        let category_name = self.text(kefu_domain::Locale::ZhCn, "custom.category", &[]);
        let category =
            kefu_store::aftersales::catalogue::category_named(&mut *tx, &category_name, now)
                .await?;
        let name: String = r.title.chars().take(catalogue_rules::MAX_NAME).collect();
        let product = Product {
            sku: r.number.clone(),
            name,
            model: String::new(),
            category_id: category,
            price_fen: quote,
            warranty_months: CUSTOM_WARRANTY_MONTHS,
            serial_tracked: false,
            active: false,
        }
        .checked()?;
        let product_id = kefu_store::aftersales::catalogue::insert_product(
            &mut *tx,
            &product,
            actor.user_id(),
            now,
        )
        .await?
        .ok_or(AppError::NameTaken)?;
        let customer = kefu_store::customer::by_id(&mut *tx, r.customer_id).await?;
        let on_credit = TermsKind::read(customer.payment_terms.as_deref()) == TermsKind::OnCredit
            && customer.credit_grade.as_deref().and_then(Grade::parse) != Some(Grade::D);
        let lines = [LineInput {
            product_id,
            quantity: r.quantity,
            unit_price_fen: quote,
        }];
        let total = order_rules::check_lines(&lines)?;
        let request = OrderRequest {
            customer_id: r.customer_id,
            payment: if on_credit {
                Payment::Credit
            } else {
                Payment::Prepayment
            },
            lines: Vec::new(),
            promised_on: local_date(now)
                .checked_add(jiff::Span::new().days(lead))
                .ok(),
            note: String::new(),
        };
        let note = self.text(
            kefu_domain::Locale::ZhCn,
            "custom.order_note",
            &[("number", &r.number), ("title", &r.title)],
        );
        let (order_id, _) = self
            .place_in(tx, actor, &request, &lines, total, note)
            .await?;
        let number = kefu_store::order::by_id(&mut *tx, order_id).await?.number;
        Ok((product_id, order_id, number))
    }
}

/// The warranty of a product made to order, in months.
const CUSTOM_WARRANTY_MONTHS: u32 = 12;

async fn design_department(conn: &mut kefu_store::AnyConnection) -> Result<i64> {
    kefu_store::staff::list_departments(conn)
        .await?
        .into_iter()
        .find(|d| d.key == DESIGN)
        .map(|d| d.id)
        .ok_or(AppError::NotFound)
}

async fn design_members(conn: &mut kefu_store::AnyConnection) -> Result<Vec<i64>> {
    let id = design_department(conn).await?;
    Ok(kefu_store::complaint::department_members(conn, id).await?)
}

/// The custom-request tiles: requests waiting for the design department's answer (its
/// members), quotes waiting for the manager.
pub(crate) const TILES: &[crate::workbench::TileSpec] = &[
    crate::workbench::TileSpec {
        key: "custom.with_design",
        title: "workbench.tile.custom_with_design",
        roles: &[Role::Department],
        permission: Permission::CustomDesign,
        fill: with_design,
    },
    crate::workbench::TileSpec {
        key: "custom.quotes_to_approve",
        title: "workbench.tile.custom_quotes_to_approve",
        roles: &[Role::CsManager],
        permission: Permission::OrderApprove,
        fill: quotes_to_approve,
    },
];

fn count_tile<'a>(app: &'a App, state: CustomState) -> crate::workbench::TileFuture<'a> {
    Box::pin(async move {
        let mut conn = app.store.conn().await?;
        let n = store::count(
            &mut conn,
            &CustomFilter {
                states: vec![state],
                limit: 1,
                ..CustomFilter::default()
            },
        )
        .await?;
        Ok(Some(crate::workbench::Filled {
            link: Some(format!("/custom-requests?state={}", state.key())),
            body: crate::workbench::TileBody::Count {
                count: crate::workbench::Count::exact(n),
                alert: n > 0,
            },
            hint: None,
        }))
    })
}

/// 待设计答复的定制 — on the workbench of the design department's members only.
fn with_design<'a>(
    app: &'a App,
    r: &'a crate::workbench::Reader,
) -> crate::workbench::TileFuture<'a> {
    Box::pin(async move {
        let in_design = {
            let mut conn = app.store.conn().await?;
            let mine = kefu_store::staff::user_by_id(&mut conn, r.id())
                .await?
                .department_id;
            mine.is_some() && mine == Some(design_department(&mut conn).await?)
        };
        if !in_design {
            return Ok(None);
        }
        count_tile(app, CustomState::WithDesign).await
    })
}

/// 待审批的定制报价
fn quotes_to_approve<'a>(
    app: &'a App,
    _r: &'a crate::workbench::Reader,
) -> crate::workbench::TileFuture<'a> {
    count_tile(app, CustomState::QuotePending)
}
