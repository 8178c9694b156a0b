//! The `kefu` program: configuration, start-up and the command line.
//!
//! [`server::start`] is the one way kefu comes up — used by `kefu serve` and by the test
//! kit, so the tests run exactly what a user runs.

pub mod backup;
pub mod config;
pub mod demo;
pub mod mail;
pub mod memory;
pub mod server;
