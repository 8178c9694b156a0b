//! Topics: what one ticket is about — a product, one of its parts and a problem.

use fastrand::Rng;
use kefu_domain::complaint::Category;

use super::helpers::{chance, pick, pick_str};
use super::problems::{GENERIC_PROBLEMS, problem_named};
use super::{PRODUCTS, Part, Product};

/// What one ticket is about: a product, one of its parts and a problem that fits both.
#[derive(Debug, Clone, Copy)]
pub struct Topic {
    pub product: &'static Product,
    pub part: &'static Part,
    /// Short, e.g. "不制冷", "漏水", "显示E4故障代码", "噪音大".
    pub problem: &'static str,
    pub category: Category,
}

/// A topic: any product, one of its parts, and mostly a problem of that part (sometimes one
/// of the service problems any part can have).
pub fn topic(rng: &mut Rng) -> Topic {
    let product = pick(rng, PRODUCTS);
    let part = pick(rng, product.parts);
    let problem = if part.problems.is_empty() || chance(rng, 0.15) {
        pick_str(rng, GENERIC_PROBLEMS)
    } else {
        pick_str(rng, part.problems)
    };
    Topic {
        product,
        part,
        problem,
        category: problem_named(problem).category,
    }
}
