//! 演示语料 — the text corpus behind `kefu demo`.
//!
//! The demo company is 杭州恒信电器有限公司 (brand 恒信), a maker of household appliances and
//! commercial cold-chain equipment. This module holds its catalogue (products and their parts,
//! the problems each part can have), the people and places of its customers, the reply
//! scripts its service department has agreed, and the texts of tickets and complaints.
//!
//! Every text is composed from several independently chosen fragments — who writes, when the
//! trouble began, how it shows, what was already tried, what it costs them, what they ask for,
//! how they sign off — and worded per channel: a call summary for the phone, short informal
//! lines on WeChat and chat, a letter by e-mail, labelled fields from another system.
//!
//! The module is pure: no I/O, no clock; all randomness comes from the
//! [`Rng`](fastrand::Rng) passed in, so one seed always yields the same company. Templates
//! use `{…}` slots filled by [`fill`](helpers::fill):
//! `{品名}` product name, `{产品}` what customers call it, `{型号}` model, `{部件}` part,
//! `{编号}` part number, `{问题}` problem, `{订单}` order number, `{价格}` retail price, and
//! per-text extras (`{师傅}`, `{天}`, `{数}`, `{单号}`, `{金额}`, `{附件}`, `{部门}`, `{客服}`).

mod catalogue;
mod complaints;
mod fragments;
mod helpers;
mod openings;
mod people;
mod problems;
mod replies;
mod scripts;
mod topics;

pub use catalogue::{PRODUCTS, Part, Product};
pub use complaints::complaint_texts;
pub use openings::opening;
pub use people::{
    Region, company_name, industry, job_title, landline, mobile, person_name, region,
};
pub use replies::{ReplyStage, agent_reply, customer_reply, internal_note};
pub use scripts::SCRIPTS;
pub use topics::{Topic, topic};

#[cfg(test)]
mod tests;
