//! 售后 — after-sales: the catalogue (products, parts, price lists and their import) and the
//! after-sales policy's versions and the check of a claim by it.

pub mod catalogue;
pub mod cost;
pub mod dispute;
pub mod import;
pub mod policy;
pub mod rma;
pub mod rma_photo;
pub mod service_point;
pub mod stock;
mod tiles;

pub(crate) use tiles::TILES;

pub use catalogue::{CustomerPrice, MAX_PAGE, PriceChange, ProductDetail};
pub use cost::{CostReport, FaultFigures, MonthCost, RmaCosts};
pub use dispute::DisputeDetail;
pub use import::CatalogueImport;
pub use policy::{ClaimQuery, PolicyCheck, PolicyDraft, PolicyVersion, numbered_clauses};
pub use rma::{ComplaintRmaPrefill, MoveInput, PortalRma, RmaDetail, RmaRequest};
pub use rma_photo::{MAX_PHOTOS, PortalRmaRequest};
pub use service_point::{PointDetail, PointView, days_between};
pub use stock::{DefectiveInput, StockLine};
