//! kefu-domain — the business rules of kefu, free of I/O.
//!
//! Nothing here touches a database, the network or the system clock: the clock is passed
//! in (see [`clock`]), so every rule can be tested with plain unit and property tests.
//! One module per business area, with the same names as in the other crates.

/// An enum of named values with a stable key (storage, URLs, the API, translation keys),
/// parsed back with `FromStr`.
macro_rules! keyed {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $key:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable key used in storage, URLs, the API and translation keys.
            pub fn key(self) -> &'static str {
                match self { $($name::$variant => $key),+ }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::ticket::UnknownKey;
            fn from_str(s: &str) -> Result<Self, $crate::ticket::UnknownKey> {
                match s { $($key => Ok($name::$variant),)+ _ => Err($crate::ticket::UnknownKey(s.to_owned())) }
            }
        }

        impl $crate::input::Keyed for $name {
            fn keys() -> ::std::vec::Vec<&'static str> {
                ::std::vec![$($key),+]
            }

            fn from_key(key: &str) -> ::std::option::Option<Self> {
                key.parse::<$name>().ok()
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { f.write_str(self.key()) }
        }
    };
}

pub mod aftersales;
pub mod attachment;
pub mod calendar;
pub mod channel;
pub mod clock;
pub mod complaint;
pub mod complaint_cost;
pub mod complaint_report;
pub mod condition;
pub mod credit;
pub mod customer;
pub mod customer_import;
pub mod dates;
pub mod follow_up;
pub mod idempotency;
pub mod input;
pub mod kb;
pub mod key_account;
pub mod money;
pub mod order;
pub mod permission;
pub mod portal;
pub mod quality;
pub mod receivable;
pub mod region;
pub mod satisfaction;
pub mod sla;
pub mod staff;
pub mod ticket;
pub mod trigger;
pub mod version;

pub use clock::{Clock, FixedClock, SystemClock};
pub use permission::{Access, Grants, Permission};
pub use staff::{CurrentUser, Department, Locale, Role, RoleSet, StaffLevel};
