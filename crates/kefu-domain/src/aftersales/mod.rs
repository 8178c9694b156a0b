//! 售后 — after-sales: the catalogue complaints, orders and RMAs name, and the after-sales
//! policy 售后服务政策 that decides returns, exchanges, refunds and repairs.

pub mod catalogue;
pub mod cost;
pub mod dispute;
pub mod import;
pub mod policy;
pub mod rma;
pub mod service_point;
pub mod stock;
