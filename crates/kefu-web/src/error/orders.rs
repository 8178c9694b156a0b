//! 订单 — how order refusals read.

use axum::http::StatusCode;
use kefu_domain::order::custom::{self, CustomError};
use kefu_domain::order::shipment::{MAX_CARRIER, MAX_TRACKING};
use kefu_domain::order::{MAX_LINES, MAX_QUANTITY, OrderError};

use kefu_domain::receivable::statement::{MAX_STATEMENT_TEXT, StatementError};
use kefu_domain::receivable::{AllocationError, ReceivableError};

use super::ErrorInfo;

pub(super) fn order_info(e: OrderError) -> ErrorInfo {
    let detail = e.to_string();
    let refused = |code: &'static str, args: Vec<(&'static str, String)>| ErrorInfo {
        args,
        detail: Some(detail.clone()),
        ..ErrorInfo::new(StatusCode::UNPROCESSABLE_ENTITY, code)
    };
    let conflict = |code: &'static str, args: Vec<(&'static str, String)>| ErrorInfo {
        args,
        detail: Some(detail.clone()),
        ..ErrorInfo::new(StatusCode::CONFLICT, code)
    };
    match e {
        OrderError::Lines => refused("order_lines", vec![("max", MAX_LINES.to_string())]),
        OrderError::Quantity { line } => refused(
            "order_quantity",
            vec![
                ("line", line.to_string()),
                ("max", MAX_QUANTITY.to_string()),
            ],
        ),
        OrderError::Amount { line, .. } => {
            refused("order_amount", vec![("line", line.to_string())])
        }
        OrderError::Total(_) => refused("order_total", vec![]),
        OrderError::ProductTwice(p) => {
            refused("order_product_twice", vec![("product", p.to_string())])
        }
        OrderError::CreditRefused(d) => refused(
            "order_credit_refused",
            vec![("reason", format!("@order.credit_refused.{}", d.key()))],
        ),
        OrderError::AboveOrdered { line, left } => refused(
            "order_above_ordered",
            vec![("line", line.to_string()), ("left", left.to_string())],
        ),
        OrderError::AboveShipped { line, shipped } => refused(
            "order_above_shipped",
            vec![("line", line.to_string()), ("shipped", shipped.to_string())],
        ),
        OrderError::BelowShipped { line, shipped } => refused(
            "order_below_shipped",
            vec![("line", line.to_string()), ("shipped", shipped.to_string())],
        ),
        OrderError::AlreadyShipped => conflict("order_already_shipped", vec![]),
        OrderError::NotNow(s) => conflict(
            "order_not_now",
            vec![("state", format!("@order.state.{}", s.key()))],
        ),
        OrderError::PromisedRequired => refused("order_promised_required", vec![]),
        OrderError::PromisedPast => refused("order_promised_past", vec![]),
        OrderError::ReasonRequired => refused("order_reason_required", vec![]),
        OrderError::StockTaken => conflict("order_stock_taken", vec![]),
        OrderError::NotProduced { line, ready } => conflict(
            "order_not_produced",
            vec![("line", line.to_string()), ("ready", ready.to_string())],
        ),
        OrderError::Carrier => refused("order_carrier", vec![("max", MAX_CARRIER.to_string())]),
        OrderError::Tracking => refused("order_tracking", vec![("max", MAX_TRACKING.to_string())]),
        OrderError::Counted => conflict("order_counted", vec![]),
        OrderError::EventInFuture => refused("order_event_in_future", vec![]),
        OrderError::UnknownLine { line } => {
            refused("order_unknown_line", vec![("line", line.to_string())])
        }
        OrderError::Uncounted { line } => {
            refused("order_uncounted", vec![("line", line.to_string())])
        }
        OrderError::NoProduction => conflict("order_no_production", vec![]),
        OrderError::NothingShipped => refused("order_nothing_shipped", vec![]),
        OrderError::TrackingEvent {
            index,
            column,
            problem,
        } => refused(
            "order_tracking_event",
            vec![
                ("index", index.to_string()),
                ("field", format!("@catalogue.column.{column}")),
                (
                    "reason",
                    format!("@order.tracking_problem.{}", problem.key()),
                ),
            ],
        ),
        OrderError::TrackingBatch => refused(
            "order_tracking_batch",
            vec![("max", kefu_app::order::MAX_PUSH.to_string())],
        ),
    }
}

pub(super) fn custom_info(e: CustomError) -> ErrorInfo {
    let detail = e.to_string();
    let (status, code, args) = match e {
        CustomError::Required(f) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "custom_required",
            vec![("field", format!("@custom.field.{f}"))],
        ),
        CustomError::TooLong(f) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "custom_too_long",
            vec![("field", format!("@custom.field.{f}"))],
        ),
        CustomError::Quantity => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "custom_quantity",
            vec![("max", custom::MAX_QUANTITY.to_string())],
        ),
        CustomError::LeadDays => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "custom_lead_days",
            vec![("max", custom::MAX_LEAD_DAYS.to_string())],
        ),
        CustomError::WantedPast => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "custom_wanted_past",
            vec![],
        ),
        CustomError::Amount { field, .. } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "custom_amount",
            vec![("field", format!("@custom.field.{field}"))],
        ),
        CustomError::NotNow { state, action } => (
            StatusCode::CONFLICT,
            "custom_not_now",
            vec![
                ("state", format!("@custom.state.{}", state.key())),
                ("action", format!("@custom.move.{}", action.key())),
            ],
        ),
    };
    ErrorInfo {
        args,
        detail: Some(detail),
        ..ErrorInfo::new(status, code)
    }
}

pub(super) fn receivable_info(e: ReceivableError) -> ErrorInfo {
    let detail = e.to_string();
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let (status, code, args) = match e {
        ReceivableError::Reference { max } => (
            unprocessable,
            "receivable_reference",
            vec![("max", max.to_string())],
        ),
        ReceivableError::Amount => (
            unprocessable,
            "receivable_amount",
            vec![("max", kefu_domain::money::max_yuan())],
        ),
        ReceivableError::FutureDate => (unprocessable, "receivable_future_date", vec![]),
        ReceivableError::Note { max } => (
            unprocessable,
            "receivable_note",
            vec![("max", max.to_string())],
        ),
        ReceivableError::Allocation(a) => match a {
            AllocationError::AboveOpen { id, open } => (
                unprocessable,
                "receivable_above_open",
                vec![
                    ("id", id.to_string()),
                    ("open", kefu_domain::money::yuan(open)),
                ],
            ),
            AllocationError::AbovePayment { left } => (
                unprocessable,
                "receivable_above_payment",
                vec![("left", kefu_domain::money::yuan(left))],
            ),
            AllocationError::Unknown(id) => (
                unprocessable,
                "receivable_unknown",
                vec![("id", id.to_string())],
            ),
            AllocationError::Zero => (unprocessable, "receivable_zero", vec![]),
        },
        ReceivableError::ReferenceTaken => {
            (StatusCode::CONFLICT, "receivable_reference_taken", vec![])
        }
        ReceivableError::Moved => (StatusCode::CONFLICT, "receivable_moved", vec![]),
    };
    ErrorInfo {
        args,
        detail: Some(detail),
        ..ErrorInfo::new(status, code)
    }
}

pub(super) fn statement_info(e: StatementError) -> ErrorInfo {
    let detail = e.to_string();
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let (status, code, args) = match e {
        StatementError::BadPeriod => (unprocessable, "statement_bad_period", vec![]),
        StatementError::PeriodNotOver => (unprocessable, "statement_period_not_over", vec![]),
        StatementError::Closed => (StatusCode::CONFLICT, "statement_closed", vec![]),
        StatementError::NotNow(state) => (
            StatusCode::CONFLICT,
            "statement_not_now",
            vec![("state", format!("@statement.state.{}", state.key()))],
        ),
        StatementError::UnknownLine(n) => (
            unprocessable,
            "statement_unknown_line",
            vec![("line", n.to_string())],
        ),
        StatementError::NotDisputed(n) => (
            StatusCode::CONFLICT,
            "statement_not_disputed",
            vec![("line", n.to_string())],
        ),
        StatementError::NotProposed(n) => (
            StatusCode::CONFLICT,
            "statement_not_proposed",
            vec![("line", n.to_string())],
        ),
        StatementError::NoteRequired => (unprocessable, "statement_note_required", vec![]),
        StatementError::ResolutionRequired => {
            (unprocessable, "statement_resolution_required", vec![])
        }
        StatementError::TooLong => (
            unprocessable,
            "statement_too_long",
            vec![("max", MAX_STATEMENT_TEXT.to_string())],
        ),
        StatementError::Adjustment => (
            unprocessable,
            "statement_adjustment",
            vec![("max", kefu_domain::money::max_yuan())],
        ),
        StatementError::BadLink => (StatusCode::NOT_FOUND, "statement_bad_link", vec![]),
    };
    ErrorInfo {
        args,
        detail: Some(detail),
        ..ErrorInfo::new(status, code)
    }
}
