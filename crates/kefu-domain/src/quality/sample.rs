//! 每日抽检 — which conversations a day's inspections look at, and who inspects each.
//!
//! Some are taken whole, by rule: every complaint, every survey scored low, every deadline
//! breached, every call longer than a set time, every visit done without a call to prove
//! it. The rest is drawn at random: N of each agent's tickets, then more until each
//! channel has its quota. The draw is a pure function of the rules, a seed and the
//! candidates, so a stored sample can be drawn again and compared.
//!
//! Items go to the quality specialists, fewest first, and never to the agent whose work it
//! is; an item nobody else can inspect is left unassigned.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

keyed! {
    /// What an inspection looks at.
    SourceKind {
        /// A ticket's conversation (mail, chat transcript, messages…).
        Ticket = "ticket",
        /// A phone call, with its recording.
        Call = "call",
        /// A follow-up visit's result.
        Visit = "visit",
    }
}

keyed! {
    /// Why an item is in the sample.
    Rule {
        /// Drawn at random among the agent's tickets.
        PerAgent = "per_agent",
        /// Drawn to fill its channel's quota.
        ChannelQuota = "channel_quota",
        /// The ticket became a complaint.
        Complaint = "complaint",
        /// Its satisfaction survey was scored low.
        LowCsat = "low_csat",
        /// A deadline of it was breached.
        SlaBreach = "sla_breach",
        /// A call longer than the set time.
        LongCall = "long_call",
        /// A visit done without a call to prove it.
        UnverifiedVisit = "unverified_visit",
    }
}

/// The sampling rules (the quality specialist's settings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleRules {
    /// Random tickets per agent per day.
    pub per_agent: u16,
    /// At least this many items per channel (`email` → 5), drawn at random when the
    /// other rules leave fewer.
    #[serde(default)]
    pub channel_quotas: BTreeMap<String, u16>,
    #[serde(default = "yes")]
    pub all_complaints: bool,
    #[serde(default = "yes")]
    pub all_low_csat: bool,
    #[serde(default = "yes")]
    pub all_sla_breaches: bool,
    /// Every call of at least this many minutes; `None`: none by length.
    #[serde(default)]
    pub calls_over_minutes: Option<u16>,
    #[serde(default = "yes")]
    pub all_unverified_visits: bool,
}

fn yes() -> bool {
    true
}

/// The most random tickets per agent per day, and the largest quota.
pub const MAX_PER_AGENT: u16 = 50;
pub const MAX_QUOTA: u16 = 500;

impl Default for SampleRules {
    /// Two tickets per agent, every complaint, low score, breach and unproved visit, and
    /// calls of 10 minutes or more.
    fn default() -> SampleRules {
        SampleRules {
            per_agent: 2,
            channel_quotas: BTreeMap::new(),
            all_complaints: true,
            all_low_csat: true,
            all_sla_breaches: true,
            calls_over_minutes: Some(10),
            all_unverified_visits: true,
        }
    }
}

/// Why sampling rules are refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SampleRulesError {
    #[error("at most {max} tickets per agent")]
    PerAgentTooMany { max: u16 },
    #[error("a channel's quota is at most {max}")]
    QuotaTooLarge { max: u16 },
    #[error("unknown channel {0:?}")]
    UnknownChannel(String),
    #[error("a call length is 1 to 600 minutes")]
    BadCallMinutes,
}

impl SampleRules {
    pub fn check(&self, channels: &[&str]) -> Result<(), SampleRulesError> {
        if self.per_agent > MAX_PER_AGENT {
            return Err(SampleRulesError::PerAgentTooMany { max: MAX_PER_AGENT });
        }
        for (channel, quota) in &self.channel_quotas {
            if !channels.contains(&channel.as_str()) {
                return Err(SampleRulesError::UnknownChannel(channel.clone()));
            }
            if *quota > MAX_QUOTA {
                return Err(SampleRulesError::QuotaTooLarge { max: MAX_QUOTA });
            }
        }
        if self
            .calls_over_minutes
            .is_some_and(|m| !(1..=600).contains(&m))
        {
            return Err(SampleRulesError::BadCallMinutes);
        }
        Ok(())
    }
}

/// Something that may be inspected, with what the rules look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub kind: SourceKind,
    pub id: i64,
    /// Whose work it is.
    pub agent_id: i64,
    pub channel: String,
    pub complaint: bool,
    pub low_csat: bool,
    pub sla_breached: bool,
    /// A call's length in seconds.
    pub call_seconds: Option<i64>,
    pub unverified: bool,
}

/// An item of the sample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pick {
    pub kind: SourceKind,
    pub id: i64,
    pub agent_id: i64,
    pub channel: String,
    pub rule: Rule,
}

/// SplitMix64: a small generator defined here, so a sample drawn again from its seed is
/// the same whatever crates are upgraded.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0), without modulo bias.
    fn below(&mut self, n: u64) -> u64 {
        let zone = u64::MAX - u64::MAX % n;
        loop {
            let x = self.next();
            if x < zone {
                return x % n;
            }
        }
    }

    /// `k` of `pool` chosen uniformly (all of it when shorter), in the pool's order.
    fn choose<T: Clone>(&mut self, pool: &[T], k: usize) -> Vec<T> {
        if k >= pool.len() {
            return pool.to_vec();
        }
        // Floyd's algorithm: k distinct indexes.
        let n = pool.len() as u64;
        let mut chosen = BTreeSet::new();
        for j in (n - k as u64)..n {
            let t = self.below(j + 1);
            if !chosen.insert(t) {
                chosen.insert(j);
            }
        }
        chosen
            .into_iter()
            .map(|i| pool[i as usize].clone())
            .collect()
    }
}

/// The rule that takes `c` whole, if any (the first that applies, in the order listed).
fn taken_by(rules: &SampleRules, c: &Candidate) -> Option<Rule> {
    if rules.all_complaints && c.complaint {
        return Some(Rule::Complaint);
    }
    if rules.all_low_csat && c.low_csat {
        return Some(Rule::LowCsat);
    }
    if rules.all_sla_breaches && c.sla_breached {
        return Some(Rule::SlaBreach);
    }
    if let (Some(min), Some(secs)) = (rules.calls_over_minutes, c.call_seconds)
        && secs >= i64::from(min) * 60
    {
        return Some(Rule::LongCall);
    }
    if rules.all_unverified_visits && c.unverified {
        return Some(Rule::UnverifiedVisit);
    }
    None
}

/// Draws the sample: the items some rule takes whole, then `per_agent` of each agent's
/// remaining tickets at random, then more at random from each channel short of its quota.
/// The same rules, seed and candidates (in any order) give the same sample, ordered by
/// kind and id.
pub fn draw(rules: &SampleRules, seed: u64, candidates: &[Candidate]) -> Vec<Pick> {
    let mut pool: Vec<&Candidate> = candidates.iter().collect();
    pool.sort_by_key(|c| (c.kind, c.id));
    pool.dedup_by_key(|c| (c.kind, c.id));
    let mut rng = SplitMix(seed);
    let mut picks: Vec<Pick> = Vec::new();
    let pick = |c: &Candidate, rule| Pick {
        kind: c.kind,
        id: c.id,
        agent_id: c.agent_id,
        channel: c.channel.clone(),
        rule,
    };
    let mut rest: Vec<&Candidate> = Vec::new();
    for c in pool {
        match taken_by(rules, c) {
            Some(rule) => picks.push(pick(c, rule)),
            None => rest.push(c),
        }
    }
    // Random tickets per agent, agents in id order.
    let mut by_agent: BTreeMap<i64, Vec<&Candidate>> = BTreeMap::new();
    for c in rest.iter().filter(|c| c.kind == SourceKind::Ticket) {
        by_agent.entry(c.agent_id).or_default().push(c);
    }
    let mut taken: BTreeSet<(SourceKind, i64)> = picks.iter().map(|p| (p.kind, p.id)).collect();
    for tickets in by_agent.values() {
        for c in rng.choose(tickets, usize::from(rules.per_agent)) {
            taken.insert((c.kind, c.id));
            picks.push(pick(c, Rule::PerAgent));
        }
    }
    // Channels short of their quota.
    for (channel, quota) in &rules.channel_quotas {
        let have = picks.iter().filter(|p| &p.channel == channel).count();
        let short = usize::from(*quota).saturating_sub(have);
        if short == 0 {
            continue;
        }
        let open: Vec<&Candidate> = rest
            .iter()
            .filter(|c| &c.channel == channel && !taken.contains(&(c.kind, c.id)))
            .copied()
            .collect();
        for c in rng.choose(&open, short) {
            taken.insert((c.kind, c.id));
            picks.push(pick(c, Rule::ChannelQuota));
        }
    }
    picks.sort_by_key(|p| (p.kind, p.id));
    picks
}

/// Gives each pick to an inspector: the one with the fewest items so far (ties: the
/// lowest id) who is not the pick's agent. `None` when every inspector is that agent.
pub fn assign(picks: &[Pick], inspectors: &[i64]) -> Vec<Option<i64>> {
    let mut load: HashMap<i64, usize> = inspectors.iter().map(|i| (*i, 0)).collect();
    let mut ids: Vec<i64> = load.keys().copied().collect();
    ids.sort_unstable();
    picks
        .iter()
        .map(|p| {
            let who = ids
                .iter()
                .filter(|i| **i != p.agent_id)
                .min_by_key(|i| (load[*i], **i))
                .copied()?;
            *load.entry(who).or_default() += 1;
            Some(who)
        })
        .collect()
}

/// 不定时 — the minute of the day (after midnight) the day's sample is drawn: a point in the
/// day's working `periods` chosen by `noise`, a secret hash of the date, so nobody can tell
/// it ahead and every instance picks the same. `None` on a day without working time.
pub fn draw_minute(periods: &[crate::calendar::Period], noise: u64) -> Option<u16> {
    let total: u64 = periods.iter().map(|p| u64::from(p.end - p.start)).sum();
    if total == 0 {
        return None;
    }
    let mut k = noise % total;
    for p in periods {
        let len = u64::from(p.end - p.start);
        if k < len {
            return Some(p.start + k as u16);
        }
        k -= len;
    }
    None
}

#[cfg(test)]
mod tests;
