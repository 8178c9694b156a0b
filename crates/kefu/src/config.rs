//! Configuration: command-line flags, then `KEFU_*` environment variables, then an optional
//! TOML file, then defaults — the first that sets a value wins.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use jiff::SignedDuration;
use kefu_web::{SecureCookies, WebConfig};
use serde::Deserialize;

/// Settings read from the TOML file; every field optional. See the README for each.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Address to listen on, e.g. `127.0.0.1:8080`.
    pub listen: Option<String>,
    /// `sqlite://PATH` or `postgres://USER@HOST/DB`; for PostgreSQL with a standby,
    /// several hosts: `postgres://USER@HOST1:PORT1,HOST2:PORT2/DB?target_session_attrs=read-write`.
    pub database_url: Option<String>,
    /// PostgreSQL only: a replica (`postgres://USER@HOST:PORT/DB`, one host) that reports
    /// read from; they may lag a moment behind. Nothing that must see its own write reads
    /// there.
    pub read_database_url: Option<String>,
    /// Where the embedded SQLite database lives when no URL is given.
    pub data_dir: Option<PathBuf>,
    /// This instance's search index (default `<data_dir>/search`); each instance keeps its
    /// own, fed from the shared database.
    pub search_dir: Option<PathBuf>,
    /// `error`, `warn`, `info`, `debug`, `trace`, or a full filter like `kefu=debug`.
    pub log_level: Option<String>,
    /// `text` or `json`.
    pub log_format: Option<String>,
    /// Largest accepted request body in bytes.
    pub max_body_bytes: Option<usize>,
    /// API calls allowed per token per minute.
    pub api_rate_limit_per_minute: Option<u32>,
    /// Trust `X-Forwarded-For`/`-Proto` from a reverse proxy.
    pub trust_proxy_headers: Option<bool>,
    /// `auto`, `always` or `never`.
    pub secure_cookies: Option<SecureCookies>,
    /// The address people reach kefu at, e.g. `https://kefu.example.com`; form posts from
    /// any other origin are refused.
    pub public_url: Option<String>,
    /// Minutes without a request before a session ends.
    pub session_idle_minutes: Option<i64>,
    /// Failed sign-ins per account within the window before sign-in is refused.
    pub login_max_failures_per_account: Option<i64>,
    /// Failed sign-ins per client address within the window.
    pub login_max_failures_per_ip: Option<i64>,
    /// Length of the failed sign-in window in minutes.
    pub login_failure_window_minutes: Option<i64>,
    /// A reply to a closed ticket: `reopen` (default) or `refuse`.
    pub closed_ticket_reply: Option<String>,
    /// Minutes before an SLA deadline that the assignee is warned (default 30).
    pub sla_warning_minutes: Option<i64>,
    /// Largest attachment in MiB (default 10).
    pub attachment_max_mb: Option<usize>,
    /// Largest upload request (a message with its files) in MiB (default 25).
    pub upload_max_mb: Option<usize>,
    /// Public web form submissions allowed per client address per hour (default 20).
    pub web_form_per_hour: Option<i64>,
    /// Days without contact after which a key account needs attention (default 30).
    pub dormant_after_days: Option<i64>,
    /// Automatic mails (a trigger's reply) to one address per hour, at most (default 3).
    pub auto_mail_per_hour: Option<i64>,
    /// SQLite only: `normal` (default) or `full` — whether a commit also survives power
    /// loss (see `kefu_store::Synchronous`). A `synchronous=` in the URL wins.
    pub sqlite_synchronous: Option<String>,
    /// 定时备份: the directory scheduled backups are written to; none are made without it.
    pub backup_dir: Option<PathBuf>,
    /// The time of day of the scheduled backup, Beijing time, `HH:MM` (default `03:00`).
    pub backup_at: Option<String>,
    /// Instead of a time of day: a backup every so many minutes.
    pub backup_every_minutes: Option<i64>,
    /// How many scheduled backups to keep, the newest (default 7).
    pub backup_keep: Option<usize>,
    /// This instance's name in the `X-Kefu-Instance` header (default: host name and
    /// process id).
    pub instance_name: Option<String>,
    /// Seconds `/healthz` answers 503 at shutdown before the listener closes, so a load
    /// balancer drains the instance first (default 0; behind one, a little more than its
    /// check interval times its fall count).
    pub shutdown_drain_seconds: Option<u64>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("the configuration file {path} is not valid: {source}")]
    Parse {
        path: String,
        source: toml::de::Error,
    },
    #[error("invalid listen address {0:?}: expected HOST:PORT such as 127.0.0.1:8080")]
    Listen(String),
    #[error("invalid closed_ticket_reply {0:?}: expected reopen or refuse")]
    ClosedReply(String),
    #[error(
        "invalid public_url {0:?}: expected the address people reach kefu at, such as https://kefu.example.com"
    )]
    PublicUrl(String),
    #[error("invalid sqlite_synchronous {0:?}: expected normal or full")]
    SqliteSynchronous(String),
    #[error("invalid backup_at {0:?}: expected a time of day HH:MM such as 03:00")]
    BackupAt(String),
    #[error("set backup_at or backup_every_minutes, not both")]
    BackupWhen,
    #[error(transparent)]
    ReadDatabaseUrl(#[from] kefu_store::ReaderUrlError),
}

impl FileConfig {
    /// Reads `path`; with no path, reads `./kefu.toml` when it exists.
    pub fn load(path: Option<&Path>) -> Result<FileConfig, ConfigError> {
        let (path, required) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => (PathBuf::from("kefu.toml"), false),
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(FileConfig::default());
            }
            Err(source) => {
                return Err(ConfigError::Read {
                    path: path.display().to_string(),
                    source,
                });
            }
        };
        toml::from_str(&text).map_err(|source| ConfigError::Parse {
            path: path.display().to_string(),
            source,
        })
    }
}

/// Everything `kefu serve` needs, resolved.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub listen: SocketAddr,
    pub database_url: String,
    /// A PostgreSQL replica for reports ([`kefu_store::Store::with_reader`]).
    pub read_database_url: Option<String>,
    pub web: WebConfig,
    pub app: kefu_app::Settings,
    /// Where this instance keeps its search index; `None` runs without search.
    pub search_dir: Option<PathBuf>,
}

/// The public URL without a trailing slash; it must name a scheme and a host, since form
/// posts are checked against it.
fn public_url(url: Option<String>) -> Result<Option<String>, ConfigError> {
    let Some(url) = url else {
        return Ok(None);
    };
    let url = url.trim().trim_end_matches('/').to_owned();
    let has_host = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .is_some_and(|host| !host.is_empty());
    if has_host {
        Ok(Some(url))
    } else {
        Err(ConfigError::PublicUrl(url))
    }
}

/// The address links in mail start with when no public URL is set: the listen address
/// (this machine's loopback for an unspecified one), which only people on this machine can
/// follow — set `public_url`.
fn listen_url(listen: SocketAddr) -> String {
    let host = if listen.ip().is_unspecified() {
        "127.0.0.1".to_owned()
    } else {
        listen.ip().to_string()
    };
    if listen.is_ipv6() && !listen.ip().is_unspecified() {
        format!("http://[{host}]:{}", listen.port())
    } else {
        format!("http://{host}:{}", listen.port())
    }
}

/// The SQLite URL for a data directory.
pub fn sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}", data_dir.join("kefu.db").display())
}

pub fn parse_listen(s: &str) -> Result<SocketAddr, ConfigError> {
    s.parse().map_err(|_| ConfigError::Listen(s.to_owned()))
}

/// Values given on the command line or in the environment (clap has merged those two).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub listen: Option<String>,
    pub database_url: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub max_body_bytes: Option<usize>,
    pub api_rate_limit_per_minute: Option<u32>,
    pub trust_proxy_headers: Option<bool>,
    pub secure_cookies: Option<SecureCookies>,
    pub public_url: Option<String>,
    pub instance_name: Option<String>,
    pub shutdown_drain_seconds: Option<u64>,
}

impl ServerConfig {
    pub fn resolve(o: Overrides, f: FileConfig) -> Result<ServerConfig, ConfigError> {
        let listen = parse_listen(
            o.listen
                .or(f.listen.clone())
                .as_deref()
                .unwrap_or("127.0.0.1:8080"),
        )?;
        if let Some(level) = &f.sqlite_synchronous
            && kefu_store::Synchronous::parse(level).is_none()
        {
            return Err(ConfigError::SqliteSynchronous(level.clone()));
        }
        let database_url = database_url(o.database_url.clone(), o.data_dir.clone(), &f);
        let defaults = WebConfig::default();
        let web = WebConfig {
            max_body_bytes: o
                .max_body_bytes
                .or(f.max_body_bytes)
                .unwrap_or(defaults.max_body_bytes),
            api_rate_per_minute: o
                .api_rate_limit_per_minute
                .or(f.api_rate_limit_per_minute)
                .unwrap_or(defaults.api_rate_per_minute),
            trust_proxy_headers: o
                .trust_proxy_headers
                .or(f.trust_proxy_headers)
                .unwrap_or(false),
            secure_cookies: o.secure_cookies.or(f.secure_cookies).unwrap_or_default(),
            public_url: public_url(o.public_url.clone().or(f.public_url.clone()))?,
            max_upload_bytes: f
                .upload_max_mb
                .map(|m| m.max(1) * 1024 * 1024)
                .unwrap_or(defaults.max_upload_bytes),
            instance: o
                .instance_name
                .clone()
                .or(f.instance_name.clone())
                .map(|n| n.trim().to_owned())
                .filter(|n| !n.is_empty())
                .unwrap_or(defaults.instance),
            shutdown_drain: std::time::Duration::from_secs(
                o.shutdown_drain_seconds
                    .or(f.shutdown_drain_seconds)
                    .unwrap_or(0),
            ),
        };
        let backup = backup_schedule(&f)?;
        let d = kefu_app::Settings::default();
        let mins = |v: Option<i64>, dflt: SignedDuration| {
            v.map(|m| SignedDuration::from_mins(m.max(1)))
                .unwrap_or(dflt)
        };
        let app = kefu_app::Settings {
            session_idle: mins(f.session_idle_minutes, d.session_idle),
            throttle_window: mins(f.login_failure_window_minutes, d.throttle_window),
            throttle_per_account: f
                .login_max_failures_per_account
                .unwrap_or(d.throttle_per_account)
                .max(1),
            throttle_per_ip: f
                .login_max_failures_per_ip
                .unwrap_or(d.throttle_per_ip)
                .max(1),
            closed_reply: match f.closed_ticket_reply.as_deref() {
                None => d.closed_reply,
                Some("reopen") => kefu_app::ticket::ClosedReply::Reopen,
                Some("refuse") => kefu_app::ticket::ClosedReply::Refuse,
                Some(other) => return Err(ConfigError::ClosedReply(other.to_owned())),
            },
            sla_warning: mins(f.sla_warning_minutes, d.sla_warning),
            attachment_max_bytes: f
                .attachment_max_mb
                .map(|m| m.max(1) * 1024 * 1024)
                .unwrap_or(d.attachment_max_bytes),
            attachments_per_message: d.attachments_per_message,
            web_form_per_hour: f.web_form_per_hour.unwrap_or(d.web_form_per_hour).max(1),
            dormant_after_days: f.dormant_after_days.unwrap_or(d.dormant_after_days).max(1),
            public_url: web.public_url.clone().unwrap_or_else(|| listen_url(listen)),
            auto_mail_per_hour: f.auto_mail_per_hour.unwrap_or(d.auto_mail_per_hour).max(0),
            backup,
        };
        if let Some(url) = &f.read_database_url {
            kefu_store::check_reader_url(&database_url, url)?;
        }
        let search_dir = Some(search_dir(o.data_dir.clone(), &f));
        Ok(ServerConfig {
            listen,
            database_url,
            read_database_url: f.read_database_url.clone(),
            web,
            app,
            search_dir,
        })
    }
}

/// The scheduled backups the file asks for (none without `backup_dir`).
fn backup_schedule(
    f: &FileConfig,
) -> Result<Option<kefu_app::backup::schedule::Schedule>, ConfigError> {
    use kefu_app::backup::schedule::{Schedule, When};
    let Some(dir) = f.backup_dir.clone() else {
        return Ok(None);
    };
    let when = match (f.backup_at.as_deref(), f.backup_every_minutes) {
        (Some(_), Some(_)) => return Err(ConfigError::BackupWhen),
        (None, Some(minutes)) => When::Every(SignedDuration::from_mins(minutes.max(1))),
        (at, None) => {
            let at = at.unwrap_or("03:00");
            When::daily_at(at).ok_or_else(|| ConfigError::BackupAt(at.to_owned()))?
        }
    };
    Ok(Some(Schedule {
        dir,
        when,
        keep: f.backup_keep.unwrap_or(7).max(1),
    }))
}

/// This instance's search index: `search_dir`, else `search` in the data directory.
pub fn search_dir(data_dir: Option<PathBuf>, f: &FileConfig) -> PathBuf {
    f.search_dir.clone().unwrap_or_else(|| {
        data_dir
            .or_else(|| f.data_dir.clone())
            .unwrap_or_else(|| PathBuf::from("data"))
            .join("search")
    })
}

/// The database URL: explicit URL, else SQLite in the data directory (default `./data`);
/// a SQLite URL without `synchronous=` takes the file's `sqlite_synchronous`.
pub fn database_url(url: Option<String>, data_dir: Option<PathBuf>, f: &FileConfig) -> String {
    let url = url.or_else(|| f.database_url.clone()).unwrap_or_else(|| {
        sqlite_url(
            &data_dir
                .or_else(|| f.data_dir.clone())
                .unwrap_or_else(|| PathBuf::from("data")),
        )
    });
    let level = f
        .sqlite_synchronous
        .as_deref()
        .and_then(kefu_store::Synchronous::parse);
    match level {
        Some(level) if !url.contains("synchronous=") => {
            kefu_store::dialect::with_synchronous(&url, level)
        }
        _ => url,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_beat_file_beat_defaults() {
        let file: FileConfig = toml::from_str(
            "listen = \"0.0.0.0:9000\"\napi_rate_limit_per_minute = 60\nsession_idle_minutes = 30",
        )
        .unwrap();
        let o = Overrides {
            api_rate_limit_per_minute: Some(5),
            ..Default::default()
        };
        let c = ServerConfig::resolve(o, file).unwrap();
        assert_eq!(c.listen.to_string(), "0.0.0.0:9000");
        assert_eq!(c.web.api_rate_per_minute, 5);
        assert_eq!(c.app.session_idle, SignedDuration::from_mins(30));
        assert_eq!(c.database_url, "sqlite://data/kefu.db");
    }

    #[test]
    fn the_public_url_needs_a_scheme_and_a_host() {
        let file: FileConfig =
            toml::from_str("public_url = \"https://kefu.example.com/\"").unwrap();
        let c = ServerConfig::resolve(Overrides::default(), file).unwrap();
        assert_eq!(
            c.web.public_url.as_deref(),
            Some("https://kefu.example.com")
        );
        let o = Overrides {
            public_url: Some("kefu.example.com".into()),
            ..Default::default()
        };
        let e = ServerConfig::resolve(o, FileConfig::default()).unwrap_err();
        assert!(e.to_string().contains("public_url"));
    }

    #[test]
    fn sqlite_synchronous_goes_into_a_sqlite_url_unless_it_has_one() {
        let file: FileConfig = toml::from_str("sqlite_synchronous = \"full\"").unwrap();
        let c = ServerConfig::resolve(Overrides::default(), file).unwrap();
        assert_eq!(c.database_url, "sqlite://data/kefu.db?synchronous=full");
        let file: FileConfig = toml::from_str(
            "sqlite_synchronous = \"full\"\ndatabase_url = \"sqlite://x.db?synchronous=normal\"",
        )
        .unwrap();
        let c = ServerConfig::resolve(Overrides::default(), file).unwrap();
        assert_eq!(c.database_url, "sqlite://x.db?synchronous=normal");
        let file: FileConfig =
            toml::from_str("sqlite_synchronous = \"full\"\ndatabase_url = \"postgres://k@h/kefu\"")
                .unwrap();
        let c = ServerConfig::resolve(Overrides::default(), file).unwrap();
        assert_eq!(c.database_url, "postgres://k@h/kefu");
        let file: FileConfig = toml::from_str("sqlite_synchronous = \"off\"").unwrap();
        let e = ServerConfig::resolve(Overrides::default(), file).unwrap_err();
        assert!(e.to_string().contains("normal or full"), "{e}");
    }

    #[test]
    fn scheduled_backups_are_read_from_the_file() {
        use kefu_app::backup::schedule::When;
        let file: FileConfig =
            toml::from_str("backup_dir = \"/var/backups/kefu\"\nbackup_keep = 3").unwrap();
        let c = ServerConfig::resolve(Overrides::default(), file).unwrap();
        let s = c.app.backup.expect("a schedule");
        assert_eq!(s.keep, 3);
        assert_eq!(s.when, When::Daily { hour: 3, minute: 0 });
        let file: FileConfig =
            toml::from_str("backup_dir = \"b\"\nbackup_every_minutes = 60").unwrap();
        let s = ServerConfig::resolve(Overrides::default(), file)
            .unwrap()
            .app
            .backup
            .unwrap();
        assert_eq!(s.when, When::Every(SignedDuration::from_hours(1)));
        let file: FileConfig = toml::from_str("backup_dir = \"b\"\nbackup_at = \"25:00\"").unwrap();
        let e = ServerConfig::resolve(Overrides::default(), file).unwrap_err();
        assert!(e.to_string().contains("backup_at"), "{e}");
        let none = ServerConfig::resolve(Overrides::default(), FileConfig::default()).unwrap();
        assert!(none.app.backup.is_none());
    }

    #[test]
    fn a_read_database_url_is_checked_against_the_database_url() {
        let file: FileConfig = toml::from_str(
            "database_url = \"postgres://k@db1/kefu\"\nread_database_url = \"postgres://k@db2/kefu\"",
        )
        .unwrap();
        let c = ServerConfig::resolve(Overrides::default(), file).unwrap();
        assert_eq!(
            c.read_database_url.as_deref(),
            Some("postgres://k@db2/kefu")
        );
        // SQLite, the default database, has no replicas.
        let file: FileConfig =
            toml::from_str("read_database_url = \"postgres://k@db2/kefu\"").unwrap();
        let e = ServerConfig::resolve(Overrides::default(), file).unwrap_err();
        assert!(e.to_string().contains("database_url is SQLite"), "{e}");
        let file: FileConfig = toml::from_str(
            "database_url = \"postgres://k@db1/kefu\"\nread_database_url = \"sqlite://r.db\"",
        )
        .unwrap();
        let e = ServerConfig::resolve(Overrides::default(), file).unwrap_err();
        assert!(e.to_string().contains("not a sqlite: URL"), "{e}");
    }

    #[test]
    fn unknown_file_keys_are_refused() {
        assert!(toml::from_str::<FileConfig>("lisen = \"x\"").is_err());
    }

    #[test]
    fn bad_listen_address_is_explained() {
        let o = Overrides {
            listen: Some("8080".into()),
            ..Default::default()
        };
        let e = ServerConfig::resolve(o, FileConfig::default()).unwrap_err();
        assert!(e.to_string().contains("HOST:PORT"));
    }
}
