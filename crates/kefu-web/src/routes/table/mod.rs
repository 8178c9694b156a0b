//! The route table by business area, each adding its routes in the order the table had.

pub(super) mod aftersales;
pub(super) mod aftersales_stock;
pub(super) mod api;
pub(super) mod channel_api;
pub(super) mod channels;
pub(super) mod chat;
pub(super) mod complaints;
pub(super) mod customers;
pub(super) mod follow_ups;
pub(super) mod foundation;
pub(super) mod key_accounts;
pub(super) mod orders;
pub(super) mod phone;
pub(super) mod quality;
pub(super) mod receivables;
pub(super) mod satisfaction;
pub(super) mod sms;
pub(super) mod ticket_settings;
pub(super) mod tickets;
pub(super) mod wechat;
