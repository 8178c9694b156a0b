//! 收信（IMAP）— rules of fetching a mailbox: what an IMAP setting may be, where a poll
//! resumes, and how long a failing mailbox waits before the next try.
//!
//! kefu remembers the folder's UIDVALIDITY and the highest UID it has stored, never the
//! `\Seen` flag: another client reading the mail first cannot hide it from kefu. A folder
//! whose UIDVALIDITY changed (recreated, restored) is read again from its first mail — the
//! Message-ID of each keeps a mail read twice from landing twice. Mail that was in the
//! folder when kefu first read it (or read it again) is never deleted or moved by kefu.

use std::time::Duration;

use super::mail_out::{check_host, is_loopback_host};

/// How kefu connects to the IMAP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImapSecurity {
    /// TLS from the first byte (port 993).
    Tls,
    /// A plain connection upgraded by STARTTLS, which must succeed (port 143).
    StartTls,
    /// No encryption: only to a server on this machine (127.0.0.1, localhost).
    None,
}

impl ImapSecurity {
    pub const ALL: [ImapSecurity; 3] = [
        ImapSecurity::Tls,
        ImapSecurity::StartTls,
        ImapSecurity::None,
    ];

    pub fn key(self) -> &'static str {
        match self {
            ImapSecurity::Tls => "tls",
            ImapSecurity::StartTls => "starttls",
            ImapSecurity::None => "none",
        }
    }

    pub fn parse(key: &str) -> Option<ImapSecurity> {
        ImapSecurity::ALL.into_iter().find(|s| s.key() == key)
    }

    pub fn default_port(self) -> u16 {
        match self {
            ImapSecurity::Tls => 993,
            ImapSecurity::StartTls | ImapSecurity::None => 143,
        }
    }
}

/// What kefu does to a mail on the server once its ticket is committed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFetch {
    /// Flag it `\Seen` and leave it where it is.
    MarkSeen,
    /// Delete it (flag `\Deleted`, expunge).
    Delete,
    /// Move it to another folder.
    Move,
}

impl AfterFetch {
    pub const ALL: [AfterFetch; 3] = [AfterFetch::MarkSeen, AfterFetch::Delete, AfterFetch::Move];

    pub fn key(self) -> &'static str {
        match self {
            AfterFetch::MarkSeen => "seen",
            AfterFetch::Delete => "delete",
            AfterFetch::Move => "move",
        }
    }

    pub fn parse(key: &str) -> Option<AfterFetch> {
        AfterFetch::ALL.into_iter().find(|a| a.key() == key)
    }
}

/// Why an IMAP setting was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImapSettingsError {
    #[error("the IMAP host is missing or not a host name")]
    BadHost,
    #[error("the IMAP port must be 1–65535")]
    BadPort,
    #[error("unknown IMAP security {0:?}: tls, starttls or none")]
    BadSecurity(String),
    /// `none` would carry the password and the mail in clear: only to this machine.
    #[error("an unencrypted connection is allowed only to 127.0.0.1 or localhost")]
    CleartextRemote,
    #[error("the IMAP user name is missing, too long or has control characters")]
    BadUsername,
    #[error("the IMAP password is missing")]
    MissingPassword,
    #[error("the folder name is missing, too long or has control characters")]
    BadFolder,
    #[error("unknown action after fetching {0:?}: seen, delete or move")]
    BadAfter(String),
    #[error("moving mail needs a folder other than the one read")]
    BadMoveTo,
    #[error("the polling interval must be {min}–{max} seconds")]
    BadInterval { min: u64, max: u64 },
    #[error("the certificate is not PEM (-----BEGIN CERTIFICATE-----)")]
    BadCertificate,
}

/// Longest user name, folder and certificate kefu keeps.
const FIELD_MAX: usize = 255;
const CERT_MAX: usize = 16 * 1024;

/// Shortest and longest time between polls of a server that does not offer IDLE.
pub const POLL_MIN_SECS: u64 = 5;
pub const POLL_MAX_SECS: u64 = 3600;
/// Polling interval when the administrator leaves it empty.
pub const POLL_DEFAULT_SECS: u64 = 60;

/// An IMAP setting as typed, before checking.
#[derive(Debug, Clone, Default)]
pub struct ImapInput<'a> {
    pub host: &'a str,
    pub port: &'a str,
    pub security: &'a str,
    pub username: &'a str,
    /// Whether a password is given now or already stored.
    pub has_password: bool,
    pub folder: &'a str,
    pub after: &'a str,
    pub move_to: &'a str,
    pub poll_secs: &'a str,
    pub ca_pem: &'a str,
}

/// A checked IMAP setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImapSettings {
    pub host: String,
    pub port: u16,
    pub security: ImapSecurity,
    pub username: String,
    pub folder: String,
    pub after: AfterFetch,
    /// The folder mail moves to (only for [`AfterFetch::Move`]).
    pub move_to: Option<String>,
    pub poll_secs: u64,
    /// A CA certificate trusted besides Mozilla's roots (a company's own mail server).
    pub ca_pem: Option<String>,
}

fn plain_field(value: &str) -> Option<String> {
    let v = value.trim();
    (!v.is_empty() && v.len() <= FIELD_MAX && !v.chars().any(char::is_control))
        .then(|| v.to_owned())
}

/// Checks an IMAP setting as the administrator typed it.
pub fn check_imap(input: &ImapInput<'_>) -> Result<ImapSettings, ImapSettingsError> {
    let host = check_host(input.host).map_err(|_| ImapSettingsError::BadHost)?;
    let security = ImapSecurity::parse(input.security.trim())
        .ok_or_else(|| ImapSettingsError::BadSecurity(input.security.trim().to_owned()))?;
    let port = match input.port.trim() {
        "" => security.default_port(),
        p => p
            .parse::<u16>()
            .ok()
            .filter(|p| *p > 0)
            .ok_or(ImapSettingsError::BadPort)?,
    };
    if security == ImapSecurity::None && !is_loopback_host(&host) {
        return Err(ImapSettingsError::CleartextRemote);
    }
    let username = plain_field(input.username).ok_or(ImapSettingsError::BadUsername)?;
    if !input.has_password {
        return Err(ImapSettingsError::MissingPassword);
    }
    let folder = match input.folder.trim() {
        "" => "INBOX".to_owned(),
        f => plain_field(f).ok_or(ImapSettingsError::BadFolder)?,
    };
    let after = AfterFetch::parse(input.after.trim())
        .ok_or_else(|| ImapSettingsError::BadAfter(input.after.trim().to_owned()))?;
    let move_to = match after {
        AfterFetch::Move => {
            let to = plain_field(input.move_to).ok_or(ImapSettingsError::BadMoveTo)?;
            if to.eq_ignore_ascii_case(&folder) {
                return Err(ImapSettingsError::BadMoveTo);
            }
            Some(to)
        }
        _ => None,
    };
    let poll_secs = match input.poll_secs.trim() {
        "" => POLL_DEFAULT_SECS,
        s => s
            .parse::<u64>()
            .ok()
            .filter(|s| (POLL_MIN_SECS..=POLL_MAX_SECS).contains(s))
            .ok_or(ImapSettingsError::BadInterval {
                min: POLL_MIN_SECS,
                max: POLL_MAX_SECS,
            })?,
    };
    let ca_pem = match input.ca_pem.trim() {
        "" => None,
        pem if pem.len() <= CERT_MAX
            && pem.starts_with("-----BEGIN CERTIFICATE-----")
            && pem.contains("-----END CERTIFICATE-----") =>
        {
            Some(pem.to_owned())
        }
        _ => return Err(ImapSettingsError::BadCertificate),
    };
    Ok(ImapSettings {
        host,
        port,
        security,
        username,
        folder,
        after,
        move_to,
        poll_secs,
        ca_pem,
    })
}

/// Where a poll starts in a folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resume {
    /// Mail with a UID above this one is new.
    pub after_uid: u32,
    /// The folder is read from its start (first connection, or its UIDVALIDITY changed):
    /// this pass deletes and moves nothing.
    pub first_pass: bool,
}

/// Where to resume, from the UIDVALIDITY and last UID kefu stored (none: never connected)
/// and the UIDVALIDITY the server reports now.
pub fn resume(stored: Option<(u32, u32)>, server_validity: u32) -> Resume {
    match stored {
        Some((validity, last_uid)) if validity == server_validity => Resume {
            after_uid: last_uid,
            first_pass: false,
        },
        _ => Resume {
            after_uid: 0,
            first_pass: true,
        },
    }
}

/// Whether the action after fetching may touch mail `uid`: flagging it seen always may;
/// deleting or moving only mail that arrived after kefu first read the folder (UIDs above
/// `kept_through`, the last UID there was then) — what was in the mailbox before kefu came
/// stays where it was.
pub fn acts_after_fetch(after: AfterFetch, uid: u32, kept_through: u32) -> bool {
    after == AfterFetch::MarkSeen || uid > kept_through
}

/// UIDs as an IMAP sequence set, runs folded: `[1, 2, 3, 7, 9, 10]` → `1:3,7,9:10`.
pub fn uid_set(uids: &[u32]) -> String {
    let mut sorted = uids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut out = String::new();
    let mut i = 0;
    while i < sorted.len() {
        let start = sorted[i];
        let mut end = start;
        while i + 1 < sorted.len() && sorted[i + 1] == end + 1 {
            i += 1;
            end = sorted[i];
        }
        if !out.is_empty() {
            out.push(',');
        }
        if start == end {
            out.push_str(&start.to_string());
        } else {
            out.push_str(&format!("{start}:{end}"));
        }
        i += 1;
    }
    out
}

/// How long a mailbox that failed `failures` times in a row waits before the next try:
/// 30 s, 1, 2, 4, 8, 16 minutes, then every 30 minutes.
pub fn backoff(failures: u32) -> Duration {
    let secs = 30u64.saturating_mul(1u64 << failures.saturating_sub(1).min(6));
    Duration::from_secs(secs.min(30 * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>() -> ImapInput<'a> {
        ImapInput {
            host: "imap.example.com",
            security: "tls",
            username: "kefu@example.com",
            has_password: true,
            after: "seen",
            ..ImapInput::default()
        }
    }

    #[test]
    fn defaults_fill_port_folder_and_interval() {
        let s = check_imap(&input()).unwrap();
        assert_eq!(s.port, 993);
        assert_eq!(s.folder, "INBOX");
        assert_eq!(s.poll_secs, POLL_DEFAULT_SECS);
        assert_eq!(s.move_to, None);
    }

    #[test]
    fn refuses_what_cannot_work() {
        let cleartext = ImapInput {
            security: "none",
            ..input()
        };
        assert_eq!(
            check_imap(&cleartext),
            Err(ImapSettingsError::CleartextRemote)
        );
        let local = ImapInput {
            security: "none",
            host: "127.0.0.1",
            ..input()
        };
        assert_eq!(check_imap(&local).unwrap().port, 143);
        let no_password = ImapInput {
            has_password: false,
            ..input()
        };
        assert_eq!(
            check_imap(&no_password),
            Err(ImapSettingsError::MissingPassword)
        );
        let move_nowhere = ImapInput {
            after: "move",
            ..input()
        };
        assert_eq!(check_imap(&move_nowhere), Err(ImapSettingsError::BadMoveTo));
        let move_same = ImapInput {
            after: "move",
            move_to: "inbox",
            ..input()
        };
        assert_eq!(check_imap(&move_same), Err(ImapSettingsError::BadMoveTo));
        let fast = ImapInput {
            poll_secs: "1",
            ..input()
        };
        assert!(matches!(
            check_imap(&fast),
            Err(ImapSettingsError::BadInterval { .. })
        ));
        let cert = ImapInput {
            ca_pem: "not a certificate",
            ..input()
        };
        assert_eq!(check_imap(&cert), Err(ImapSettingsError::BadCertificate));
        let port = ImapInput {
            port: "0",
            ..input()
        };
        assert_eq!(check_imap(&port), Err(ImapSettingsError::BadPort));
    }

    #[test]
    fn resume_follows_uidvalidity() {
        assert_eq!(
            resume(None, 7),
            Resume {
                after_uid: 0,
                first_pass: true
            }
        );
        assert_eq!(
            resume(Some((7, 41)), 7),
            Resume {
                after_uid: 41,
                first_pass: false
            }
        );
        // Recreated folder: its UIDs mean other mail now.
        assert_eq!(
            resume(Some((7, 41)), 8),
            Resume {
                after_uid: 0,
                first_pass: true
            }
        );
    }

    #[test]
    fn mail_there_before_kefu_is_never_deleted() {
        assert!(acts_after_fetch(AfterFetch::MarkSeen, 3, 10));
        assert!(!acts_after_fetch(AfterFetch::Delete, 10, 10));
        assert!(!acts_after_fetch(AfterFetch::Move, 3, 10));
        assert!(acts_after_fetch(AfterFetch::Delete, 11, 10));
        assert!(acts_after_fetch(AfterFetch::Move, 11, 10));
    }

    #[test]
    fn uid_sets_fold_runs() {
        assert_eq!(uid_set(&[9, 1, 2, 3, 7, 10, 2]), "1:3,7,9:10");
        assert_eq!(uid_set(&[5]), "5");
        assert_eq!(uid_set(&[]), "");
    }

    #[test]
    fn backoff_doubles_to_half_an_hour() {
        let secs: Vec<u64> = (1..=9).map(|f| backoff(f).as_secs()).collect();
        assert_eq!(secs, [30, 60, 120, 240, 480, 960, 1800, 1800, 1800]);
        assert_eq!(backoff(0).as_secs(), 30);
    }
}
