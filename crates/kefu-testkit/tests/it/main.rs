//! Integration tests: the real kefu on a random port, spoken to over HTTP. The whole suite
//! runs on SQLite by default and on PostgreSQL when `KEFU_TEST_DATABASE_URL` is set
//! (`scripts/test.sh` runs both).

mod absences;
mod aftersales;
mod agent_speed;
mod api;
mod attachments;
mod auth;
mod backup;
mod browser;
mod channel_api;
mod chat;
mod complaints;
mod confidentiality;
mod crash;
mod credit;
mod custom_requests;
mod customer_card;
mod customer_import;
mod customers;
mod demo;
mod follow_ups;
mod hardening;
mod hostile_input;
mod idempotency;
mod intake;
mod jobs;
mod key_account_list;
mod key_account_plans;
mod key_accounts;
mod layout;
mod live;
mod mail_imap;
mod mail_ingest;
mod mail_out;
mod mail_postfix;
mod ops;
mod order_shipments;
mod orders;
mod permissions;
mod phone;
mod portal;
mod portal_verify;
mod quality;
mod queue_plans;
mod receivables;
mod schema;
mod scripts;
mod search;
mod security;
mod settings_versions;
mod shifts;
mod sla;
mod sms;
mod spreadsheet;
mod statements;
mod ticket_settings;
mod tickets;
mod triggers;
mod users;
mod versions;
mod wechat;
mod workbench;
mod workbench_setup;

// The database restarted, stopped or full: answers, recovery, nothing lost.
mod degrade;

// PostgreSQL's primary killed under load, a standby promoted: kefu follows, nothing lost.
mod failover;
// Three instances on one PostgreSQL behind haproxy: sessions, search, live updates, jobs,
// limits and a rolling restart.
mod instances;
