//! kefu-domain — the business rules of kefu, free of I/O.
//!
//! Nothing here touches a database, the network or the system clock: the clock is passed
//! in (see [`clock`]), so every rule can be tested with plain unit and property tests.
//! One module per business area, with the same names as in the other crates.

pub mod attachment;
pub mod calendar;
pub mod clock;
pub mod condition;
pub mod credit;
pub mod customer;
pub mod customer_import;
pub mod kb;
pub mod permission;
pub mod sla;
pub mod staff;
pub mod ticket;
pub mod trigger;

pub use clock::{Clock, FixedClock, SystemClock};
pub use permission::{Access, Permission};
pub use staff::{CurrentUser, Department, Locale, Role, RoleSet, StaffLevel};
