//! Helpers: picking from lists, filling the `{…}` slots of templates, clipping texts.

use fastrand::Rng;

use super::Topic;

/// One item of a non-empty slice, uniformly.
pub(super) fn pick<'a, T>(rng: &mut Rng, items: &'a [T]) -> &'a T {
    &items[rng.usize(..items.len())]
}

/// One of a non-empty list of texts, uniformly.
pub(super) fn pick_str(rng: &mut Rng, items: &[&'static str]) -> &'static str {
    items[rng.usize(..items.len())]
}

/// One of a non-empty list of weighted texts.
pub(super) fn pick_weighted_str(rng: &mut Rng, items: &[(&'static str, u32)]) -> &'static str {
    pick_weighted::<&'static str>(rng, items)
}

/// One item of a non-empty slice of `(item, weight)`, in proportion to the weights.
pub(super) fn pick_weighted<'a, T>(rng: &mut Rng, items: &'a [(T, u32)]) -> &'a T {
    let total: u32 = items.iter().map(|(_, w)| *w).sum();
    let mut roll = rng.u32(..total.max(1));
    for (item, weight) in items {
        if roll < *weight {
            return item;
        }
        roll -= *weight;
    }
    &items[items.len() - 1].0
}

/// Two different items of a slice of at least two (the second uniformly among the others).
pub(super) fn pick_two<'a, T>(rng: &mut Rng, items: &'a [T]) -> (&'a T, &'a T) {
    let i = rng.usize(..items.len());
    if items.len() < 2 {
        return (&items[i], &items[i]);
    }
    let j = (i + 1 + rng.usize(..items.len() - 1)) % items.len();
    (&items[i], &items[j])
}

/// True with probability `p`.
pub(super) fn chance(rng: &mut Rng, p: f64) -> bool {
    rng.f64() < p
}

/// Drops randomly chosen items until at most `max` remain, keeping the order of the rest.
pub(super) fn keep_at_most(rng: &mut Rng, mut items: Vec<String>, max: usize) -> Vec<String> {
    while items.len() > max {
        let i = rng.usize(..items.len());
        items.remove(i);
    }
    items
}

/// The first `max` characters of `s`.
pub(super) fn clip(mut s: String, max: usize) -> String {
    if let Some((at, _)) = s.char_indices().nth(max) {
        s.truncate(at);
    }
    s
}

/// Fills the `{…}` slots of `template` from the topic and the order number.
pub(super) fn fill(template: &str, topic: &Topic, order: &str) -> String {
    fill_with(template, topic, order, &[])
}

/// Fills the `{…}` slots of `template` from the topic, the order number and `extra`
/// (`(slot, value)` pairs); an unknown slot stays as written.
pub(super) fn fill_with(
    template: &str,
    topic: &Topic,
    order: &str,
    extra: &[(&str, &str)],
) -> String {
    let mut out = String::with_capacity(template.len() + 48);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let key = &after[..end];
        match key {
            "品名" => out.push_str(topic.product.name),
            "产品" => out.push_str(topic.product.short),
            "型号" => out.push_str(topic.product.model),
            "部件" => out.push_str(topic.part.name),
            "编号" => out.push_str(topic.part.code),
            "问题" => out.push_str(topic.problem),
            "订单" => out.push_str(order),
            "价格" => out.push_str(&topic.product.price_yuan.to_string()),
            _ => match extra.iter().find(|pair| pair.0 == key) {
                Some(pair) => out.push_str(pair.1),
                None => {
                    out.push('{');
                    out.push_str(key);
                    out.push('}');
                }
            },
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// A stable number for a topic, so that texts written at different times about the same
/// topic (the question and its answer) agree on what was asked.
pub(super) fn topic_hash(topic: &Topic) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in topic.part.code.bytes().chain(topic.problem.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h >> 33) as usize
}
