//! 售后 — how catalogue, import-header, policy and claim refusals read.

use axum::http::StatusCode;
use kefu_domain::aftersales::catalogue::CatalogueError;
use kefu_domain::aftersales::cost::{CostError, MAX_NOTE, MAX_REPORT_MONTHS};
use kefu_domain::aftersales::dispute::DisputeError;
use kefu_domain::aftersales::import::ColumnError;
use kefu_domain::aftersales::policy::{ClaimError, PolicyError};
use kefu_domain::aftersales::rma::RmaError;
use kefu_domain::aftersales::service_point::ServicePointError;
use kefu_domain::aftersales::stock::StockError;
use kefu_domain::money::AmountError;

use super::ErrorInfo;

const REFUSED: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;

fn info(code: &'static str, args: Vec<(&'static str, String)>, detail: String) -> ErrorInfo {
    ErrorInfo {
        args,
        detail: Some(detail),
        ..ErrorInfo::new(REFUSED, code)
    }
}

/// The field named as the page names it (`@catalogue.column.sku` is translated).
fn field(f: &str) -> (&'static str, String) {
    ("field", format!("@catalogue.column.{f}"))
}

fn amount_code(e: AmountError) -> (&'static str, Vec<(&'static str, String)>) {
    match e {
        AmountError::Negative => ("negative_amount", vec![]),
        AmountError::TooLarge { .. } => (
            "amount_too_large",
            vec![("max", kefu_domain::money::max_yuan())],
        ),
    }
}

pub(super) fn catalogue_info(e: CatalogueError) -> ErrorInfo {
    let detail = e.to_string();
    let (code, args) = match e {
        CatalogueError::BadCode { field: f } => ("catalogue_bad_code", vec![field(f)]),
        CatalogueError::Missing { field: f } => ("catalogue_missing", vec![field(f)]),
        CatalogueError::TooLong { field: f, max } => (
            "catalogue_too_long",
            vec![field(f), ("max", max.to_string())],
        ),
        CatalogueError::Warranty => ("catalogue_warranty", vec![]),
        CatalogueError::Amount { field: f, source } => {
            let (code, mut args) = amount_code(source);
            args.push(field(f));
            (code, args)
        }
        CatalogueError::TooManyUses => ("catalogue_too_many_uses", vec![]),
        CatalogueError::UseQuantity => ("catalogue_use_quantity", vec![]),
        CatalogueError::UsedTwice(v) => ("catalogue_listed_twice", vec![("value", v)]),
        CatalogueError::Reversed => ("catalogue_reversed", vec![]),
        CatalogueError::NotANumber { field: f } => ("catalogue_not_a_number", vec![field(f)]),
        CatalogueError::UnknownCategory => ("catalogue_unknown_category", vec![]),
        CatalogueError::UnknownSku(v) => ("catalogue_unknown_sku", vec![("value", v)]),
        CatalogueError::Taken { field: f, code } => {
            return ErrorInfo {
                args: vec![field(f), ("value", code)],
                detail: Some(detail),
                ..ErrorInfo::new(StatusCode::CONFLICT, "catalogue_taken")
            };
        }
    };
    info(code, args, detail)
}

pub(super) fn columns_info(e: ColumnError) -> ErrorInfo {
    let detail = e.to_string();
    let (code, f) = match e {
        ColumnError::Missing(f) => ("catalogue_column_missing", f),
        ColumnError::Twice(f) => ("catalogue_column_twice", f),
    };
    info(code, vec![field(f)], detail)
}

pub(super) fn policy_info(e: PolicyError) -> ErrorInfo {
    let detail = e.to_string();
    let (code, args) = match e {
        PolicyError::Days => (
            "policy_days",
            vec![("max", kefu_domain::aftersales::policy::MAX_DAYS.to_string())],
        ),
        PolicyError::FailedRepairs => (
            "policy_failed_repairs",
            vec![(
                "max",
                kefu_domain::aftersales::policy::MAX_FAILED_REPAIRS.to_string(),
            )],
        ),
        PolicyError::Warranty => ("catalogue_warranty", vec![]),
        PolicyError::Amount(a) => amount_code(a),
        PolicyError::Limits => ("policy_limits", vec![]),
        PolicyError::ClauseMissing(k) => (
            "policy_clause_missing",
            vec![("clause", format!("@policy.clause.{k}"))],
        ),
        PolicyError::ClauseTooLong => (
            "policy_clause_too_long",
            vec![(
                "max",
                kefu_domain::aftersales::policy::MAX_CLAUSE.to_string(),
            )],
        ),
        PolicyError::NoteTooLong => (
            "policy_note_too_long",
            vec![("max", kefu_domain::aftersales::policy::MAX_NOTE.to_string())],
        ),
        PolicyError::Reversed => ("catalogue_reversed", vec![]),
        PolicyError::Overlap(n) => {
            return ErrorInfo {
                args: vec![("n", n.to_string())],
                detail: Some(detail),
                ..ErrorInfo::new(StatusCode::CONFLICT, "policy_overlap")
            };
        }
        PolicyError::NoneInForce => ("policy_none_in_force", vec![]),
    };
    info(code, args, detail)
}

pub(super) fn claim_info(e: ClaimError) -> ErrorInfo {
    let detail = e.to_string();
    let (code, args) = match e {
        ClaimError::BeforeDelivery => ("claim_before_delivery", vec![]),
        ClaimError::Amount(a) => amount_code(a),
    };
    info(code, args, detail)
}

pub(super) fn rma_info(e: RmaError) -> ErrorInfo {
    let detail = e.to_string();
    let conflict = |code, args| ErrorInfo {
        args,
        detail: Some(detail.clone()),
        ..ErrorInfo::new(StatusCode::CONFLICT, code)
    };
    let (code, args) = match e {
        RmaError::NotNow { action, state } => {
            return conflict(
                "rma_not_now",
                vec![
                    ("action", format!("@rma.move.{action}")),
                    ("state", format!("@rma.state.{state}")),
                ],
            );
        }
        RmaError::AlreadyTaken(n) => return conflict("rma_already_taken", vec![("number", n)]),
        RmaError::InAftersales(n) => return conflict("rma_in_aftersales", vec![("number", n)]),
        RmaError::NotYourApproval(who) => {
            return ErrorInfo {
                args: vec![("approver", format!("@policy.approver.{who}"))],
                detail: Some(detail),
                ..ErrorInfo::new(StatusCode::FORBIDDEN, "rma_not_your_approval")
            };
        }
        RmaError::RefundAbovePaid { paid_fen } => (
            "rma_refund_above_paid",
            vec![("paid", kefu_domain::money::yuan(paid_fen))],
        ),
        RmaError::ZeroAmount => ("rma_zero_amount", vec![]),
        RmaError::SerialRequired => ("rma_serial_required", vec![]),
        RmaError::Quantity => (
            "rma_quantity",
            vec![(
                "max",
                kefu_domain::aftersales::rma::MAX_QUANTITY.to_string(),
            )],
        ),
        RmaError::Required(f) => ("rma_required", vec![("field", format!("@rma.field.{f}"))]),
        RmaError::TooLong { field: f, max } => (
            "rma_too_long",
            vec![
                ("field", format!("@rma.field.{f}")),
                ("max", max.to_string()),
            ],
        ),
        RmaError::OtherCustomer => ("rma_other_customer", vec![]),
        RmaError::AboveShipped { shipped } => {
            ("rma_above_shipped", vec![("shipped", shipped.to_string())])
        }
        RmaError::UnknownLine => ("rma_unknown_line", vec![]),
        RmaError::NoCustomer => ("rma_no_customer", vec![]),
    };
    info(code, args, detail)
}

pub(super) fn dispute_info(e: DisputeError) -> ErrorInfo {
    let detail = e.to_string();
    let (code, args) = match e {
        DisputeError::Required(f) => (
            "dispute_required",
            vec![("field", format!("@dispute.field.{f}"))],
        ),
        DisputeError::TooLong { field: f, max } => (
            "dispute_too_long",
            vec![
                ("field", format!("@dispute.field.{f}")),
                ("max", max.to_string()),
            ],
        ),
        DisputeError::AlreadyRuled => {
            return ErrorInfo {
                detail: Some(detail),
                ..ErrorInfo::new(StatusCode::CONFLICT, "dispute_already_ruled")
            };
        }
        DisputeError::OtherCustomer => ("dispute_other_customer", vec![]),
    };
    info(code, args, detail)
}

pub(super) fn service_point_info(e: ServicePointError) -> ErrorInfo {
    use kefu_domain::aftersales::service_point::{MAX_CAPACITY, MAX_TURNAROUND_DAYS};
    let detail = e.to_string();
    let (code, args) = match e {
        ServicePointError::Required(f) => (
            "point_required",
            vec![("field", format!("@point.field.{f}"))],
        ),
        ServicePointError::TooLong { field: f, max } => (
            "point_too_long",
            vec![
                ("field", format!("@point.field.{f}")),
                ("max", max.to_string()),
            ],
        ),
        ServicePointError::Capacity => ("point_capacity", vec![("max", MAX_CAPACITY.to_string())]),
        ServicePointError::Turnaround => (
            "point_turnaround",
            vec![("max", MAX_TURNAROUND_DAYS.to_string())],
        ),
        ServicePointError::NoCategory => ("point_no_category", vec![]),
        ServicePointError::Unchecked(item) => ("point_unchecked", vec![("item", item)]),
        ServicePointError::Checklist => ("point_checklist", vec![]),
        ServicePointError::NotARepair => ("point_not_a_repair", vec![]),
    };
    info(code, args, detail)
}

pub(super) fn stock_info(e: StockError) -> ErrorInfo {
    let detail = e.to_string();
    let (code, args) = match e {
        StockError::BelowZero { have, want } => (
            "stock_below_zero",
            vec![("have", have.to_string()), ("want", want.to_string())],
        ),
        StockError::Quantity => (
            "stock_quantity",
            vec![(
                "max",
                kefu_domain::aftersales::stock::MAX_QUANTITY.to_string(),
            )],
        ),
        StockError::SameLocation => ("stock_same_location", vec![]),
        StockError::Required(f) => (
            "stock_required",
            vec![("field", format!("@stock.field.{f}"))],
        ),
        StockError::TooLong(f) => (
            "stock_too_long",
            vec![("field", format!("@stock.field.{f}"))],
        ),
        StockError::PlanLine { line, problem } => (
            "stock_plan_line",
            vec![
                ("line", line.to_string()),
                ("problem", format!("@stock.plan_problem.{}", problem.key())),
            ],
        ),
        StockError::UnknownPart(code) => ("stock_unknown_part", vec![("code", code)]),
        StockError::UnknownRma(number) => ("stock_unknown_rma", vec![("number", number)]),
        StockError::Period => ("stock_period", vec![]),
        StockError::ThroughDefective => ("stock_through_defective", vec![]),
        StockError::OwnProposal => {
            return ErrorInfo {
                detail: Some(detail),
                ..ErrorInfo::new(StatusCode::FORBIDDEN, "stock_own_proposal")
            };
        }
        StockError::Decided => {
            return ErrorInfo {
                detail: Some(detail),
                ..ErrorInfo::new(StatusCode::CONFLICT, "stock_decided")
            };
        }
        StockError::IssueWithoutRma => ("stock_issue_without_rma", vec![]),
    };
    info(code, args, detail)
}

pub(super) fn cost_info(e: CostError) -> ErrorInfo {
    let detail = e.to_string();
    let (code, args) = match e {
        CostError::Amount(a) => amount_code(a),
        CostError::Zero => ("cost_zero", vec![]),
        CostError::Note => ("cost_note", vec![("max", MAX_NOTE.to_string())]),
        CostError::Month(m) => ("cost_month", vec![("value", m)]),
        CostError::Span => ("cost_span", vec![("max", MAX_REPORT_MONTHS.to_string())]),
        CostError::NoDepartment => ("cost_no_department", vec![]),
    };
    info(code, args, detail)
}
