//! 售后 — the catalogue and the after-sales policy.

mod catalogue;
mod policies;
mod rmas;
