//! 售后 — the catalogue and the after-sales policy's versions.

pub mod catalogue;
pub mod cost;
pub mod dispute;
pub mod policy;
pub mod rma;
pub mod rma_photo;
pub mod service_point;
pub mod stock;

/// A `LIKE` pattern matching `text` anywhere, lower-cased, with `%`, `_` and `\` escaped
/// (used with `LOWER(column) LIKE $n ESCAPE '\'`).
pub(crate) fn contains(text: &str) -> String {
    let escaped = text
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}
