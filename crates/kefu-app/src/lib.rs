//! kefu-app — the use cases of kefu.
//!
//! Each public method of [`App`] is one thing a person or system does (sign in, add a
//! user, revoke a token): it takes the acting [`Actor`], applies the rules of kefu-domain
//! inside one transaction, and writes the audit and change logs. The web pages, the JSON
//! API, the jobs and the CLI all call these, so a rule holds the same way on every path.

pub mod absence;
pub mod accounts;
pub mod aftersales;
pub mod audit;
pub mod backup;
pub mod calendar;
pub mod channel;
pub mod complaint;
pub mod confidential;
pub mod credit;
pub mod customer;
pub mod customer_import;
pub mod demo;
mod error;
pub mod export;
pub mod follow_up;
pub mod idempotency;
pub mod jobs;
pub mod kb;
pub mod key_account;
pub mod notify;
pub mod order;
pub mod outbox;
pub mod portal;
pub mod quality;
pub mod ratelimit;
pub mod receivable;
pub mod satisfaction;
pub mod search;
pub mod secret;
pub mod shift;
pub mod ticket;
pub mod tokens;
pub mod users;
pub mod versions;
pub mod workbench;

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use kefu_domain::{Clock, CurrentUser, Locale, Permission};
use kefu_store::Store;

pub use error::AppError;

pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// The translations of the texts kefu sends outside (a verification mail, a test mail):
/// the text of `key` in `locale` with its `{name}` placeholders filled. The web layer,
/// which keeps the translation files, hands it over (see [`App::with_texts`]).
pub type Texts = Arc<dyn Fn(Locale, &str, &[(&str, &str)]) -> String + Send + Sync>;

/// Tunable rules of the use cases.
#[derive(Debug, Clone)]
pub struct Settings {
    /// A session ends after this long without a request.
    pub session_idle: SignedDuration,
    /// Failed sign-ins are counted over this window.
    pub throttle_window: SignedDuration,
    /// Failed sign-ins per account within the window before further tries are refused.
    pub throttle_per_account: i64,
    /// Failed sign-ins per client address within the window.
    pub throttle_per_ip: i64,
    /// What a reply to a closed ticket does.
    pub closed_reply: ticket::ClosedReply,
    /// How long before an SLA deadline the people on the ticket are warned.
    pub sla_warning: SignedDuration,
    /// Largest accepted attachment, in bytes.
    pub attachment_max_bytes: usize,
    /// Most files on one message.
    pub attachments_per_message: usize,
    /// Public web form submissions allowed per client address per hour.
    pub web_form_per_hour: i64,
    /// A key account without contact for this many days needs attention.
    pub dormant_after_days: i64,
    /// The address people reach kefu at (`https://kefu.example.com`, no trailing slash):
    /// links in mail (the portal's verification link) start with it.
    pub public_url: String,
    /// Automatic mails (a trigger's reply) to one address in an hour, at most.
    pub auto_mail_per_hour: i64,
    /// 定时备份: where, when and how many to keep; `None` makes none.
    pub backup: Option<backup::schedule::Schedule>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            session_idle: SignedDuration::from_hours(12),
            throttle_window: SignedDuration::from_mins(15),
            throttle_per_account: 5,
            throttle_per_ip: 30,
            closed_reply: ticket::ClosedReply::Reopen,
            sla_warning: SignedDuration::from_mins(30),
            attachment_max_bytes: 10 * 1024 * 1024,
            attachments_per_message: 10,
            web_form_per_hour: 20,
            dormant_after_days: 30,
            public_url: "http://127.0.0.1:8080".to_owned(),
            auto_mail_per_hour: 3,
            backup: None,
        }
    }
}

/// The name a log or history records for what the system does by itself (a deadline's
/// warning or escalation, the operator at the command line): a marker, not a person's name.
/// Pages show it in the reader's language (系统) for rows with no user; stored rows keep it,
/// so it never changes.
pub const SYSTEM_ACTOR_NAME: &str = "kefu";

/// Who performs a use case, for permission checks and the audit log.
#[derive(Debug, Clone)]
pub struct Actor {
    pub kind: ActorKind,
    /// Client address, when the action came over the network.
    pub ip: Option<String>,
}

#[derive(Debug, Clone)]
pub enum ActorKind {
    /// The operator at the command line, who owns the installation.
    System,
    /// Nobody signed in (a sign-in attempt, a public form).
    Anonymous,
    User(CurrentUser),
    /// A customer signed in to the portal.
    Customer(portal::PortalIdentity),
}

impl Actor {
    pub fn system() -> Actor {
        Actor {
            kind: ActorKind::System,
            ip: None,
        }
    }

    pub fn anonymous(ip: Option<String>) -> Actor {
        Actor {
            kind: ActorKind::Anonymous,
            ip,
        }
    }

    pub fn user(user: CurrentUser, ip: Option<String>) -> Actor {
        Actor {
            kind: ActorKind::User(user),
            ip,
        }
    }

    /// A staff account acting outside any session (the benchmark, tests), with the roles
    /// and grants it has now.
    pub fn of_user(user: &kefu_store::staff::User) -> Actor {
        Actor::user(accounts::current_user(user), None)
    }

    pub fn user_id(&self) -> Option<i64> {
        match &self.kind {
            ActorKind::User(u) => Some(u.id),
            _ => None,
        }
    }

    pub fn customer(customer: portal::PortalIdentity, ip: Option<String>) -> Actor {
        Actor {
            kind: ActorKind::Customer(customer),
            ip,
        }
    }

    pub fn name(&self) -> &str {
        match &self.kind {
            ActorKind::System => "cli",
            ActorKind::Anonymous => "anonymous",
            ActorKind::User(u) => &u.username,
            // An account opened with a mobile code has no e-mail; its name is the masked
            // mobile.
            ActorKind::Customer(c) => c.email.as_deref().unwrap_or(&c.name),
        }
    }

    /// The same policy the web layer applies per route, checked again by the use case.
    pub fn require(&self, permission: Permission) -> Result<()> {
        let ok = match &self.kind {
            ActorKind::System => true,
            ActorKind::Anonymous | ActorKind::Customer(_) => false,
            ActorKind::User(u) => u.allows(permission),
        };
        if ok { Ok(()) } else { Err(AppError::Forbidden) }
    }
}

/// The application: the store, the clock and the settings every use case needs.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    clock: Arc<dyn Clock>,
    pub settings: Settings,
    /// This instance's search index, when it has one.
    pub(crate) search: Option<Arc<kefu_search::SearchIndex>>,
    /// Ticket numbers this instance has reserved and not yet used.
    pub(crate) numbers: Arc<ticket::NumberBlock>,
    /// New tickets waiting to be written together.
    pub(crate) intake_queue: Arc<ticket::IntakeQueue>,
    /// The ticket set-up (SLA, calendars, triggers) last read, for the next write.
    pub(crate) rules: Arc<ticket::RulesCache>,
    /// The translations of what is sent outside; without them a text is its key.
    pub(crate) texts: Option<Texts>,
    /// How far this instance's index follower has read the change log, and the ids it
    /// still waits for.
    pub(crate) follow: Arc<tokio::sync::Mutex<search::Gaps>>,
    /// The key survey links are signed with, read from the database once.
    pub(crate) csat_key: Arc<tokio::sync::OnceCell<String>>,
    /// The secret the daily quality sample's minute and seed come from, read once.
    pub(crate) quality_secret: Arc<tokio::sync::OnceCell<String>>,
}

impl App {
    pub fn new(store: Store, clock: Arc<dyn Clock>, settings: Settings) -> App {
        App {
            store,
            clock,
            settings,
            search: None,
            numbers: Arc::default(),
            intake_queue: Arc::default(),
            rules: Arc::default(),
            texts: None,
            csat_key: Arc::default(),
            quality_secret: Arc::default(),
            follow: Arc::default(),
        }
    }

    /// This application on another clock (the demo's, set to each step of its history):
    /// the same store, settings, translations and keys; caches of its own.
    pub(crate) fn on_clock(&self, clock: Arc<dyn Clock>) -> App {
        App {
            texts: self.texts.clone(),
            csat_key: self.csat_key.clone(),
            quality_secret: self.quality_secret.clone(),
            ..App::new(self.store.clone(), clock, self.settings.clone())
        }
    }

    /// The same application with the translations of what it sends outside.
    pub fn with_texts(mut self, texts: Texts) -> App {
        self.texts = Some(texts);
        self
    }

    /// Text `key` in `locale` with `args` filled in (the key itself without translations).
    pub(crate) fn text(&self, locale: Locale, key: &str, args: &[(&str, &str)]) -> String {
        match &self.texts {
            Some(t) => t(locale, key, args),
            None => key.to_owned(),
        }
    }

    /// The same application with a search index.
    pub fn with_search(mut self, index: Arc<kefu_search::SearchIndex>) -> App {
        self.search = Some(index);
        self
    }

    pub fn has_search(&self) -> bool {
        self.search.is_some()
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    pub fn clock(&self) -> Arc<dyn Clock> {
        self.clock.clone()
    }
}
