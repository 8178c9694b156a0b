//! 售后 — the catalogue, the after-sales policy, RMAs, disputes and the portal's view.

mod catalogue;
mod disputes;
mod points;
mod policies;
mod portal;
mod rmas;
mod stock;
