//! 发信 — rules of the mail kefu sends: what an SMTP setting may be, the subject and
//! Message-ID of a reply, the thread it names, and how an SMTP server's answer is read.

/// How kefu talks to its SMTP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain connection upgraded by STARTTLS, which must succeed (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption at all: only to a relay on this machine (127.0.0.1, localhost), for
    /// tests and a local postfix. Anything further would carry the password in clear.
    None,
}

impl SmtpSecurity {
    pub const ALL: [SmtpSecurity; 3] = [
        SmtpSecurity::StartTls,
        SmtpSecurity::Tls,
        SmtpSecurity::None,
    ];

    pub fn key(self) -> &'static str {
        match self {
            SmtpSecurity::StartTls => "starttls",
            SmtpSecurity::Tls => "tls",
            SmtpSecurity::None => "none",
        }
    }

    pub fn parse(key: &str) -> Option<SmtpSecurity> {
        SmtpSecurity::ALL.into_iter().find(|s| s.key() == key)
    }

    /// The port a server usually listens on for this security.
    pub fn default_port(self) -> u16 {
        match self {
            SmtpSecurity::StartTls => 587,
            SmtpSecurity::Tls => 465,
            SmtpSecurity::None => 25,
        }
    }
}

/// Why an SMTP setting was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmtpSettingsError {
    #[error("the SMTP host is missing or not a host name")]
    BadHost,
    #[error("the SMTP port must be 1–65535")]
    BadPort,
    #[error("unknown SMTP security {0:?}: starttls, tls or none")]
    BadSecurity(String),
    /// `none` sends the password and the mail in clear: only to this machine.
    #[error("an unencrypted connection is allowed only to 127.0.0.1 or localhost")]
    CleartextRemote,
    #[error("the SMTP user name is too long")]
    BadUsername,
    #[error("a password needs a user name")]
    PasswordWithoutUser,
    #[error("the sender name must be at most 100 characters")]
    BadFromName,
}

/// Longest user name, password and host kefu keeps.
const FIELD_MAX: usize = 255;

/// Whether `host` is this machine: the only place a cleartext connection may go.
pub fn is_loopback_host(host: &str) -> bool {
    let h = host.trim().trim_matches(['[', ']']).to_ascii_lowercase();
    h == "localhost" || h == "::1" || h.starts_with("127.")
}

/// A host as an SMTP client dials it: letters, digits, dots, dashes, colons (IPv6), no
/// spaces; trimmed and lower-cased.
pub fn check_host(host: &str) -> Result<String, SmtpSettingsError> {
    let h = host.trim().to_ascii_lowercase();
    let ok = !h.is_empty()
        && h.len() <= FIELD_MAX
        && h.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']' | '_'));
    if ok {
        Ok(h)
    } else {
        Err(SmtpSettingsError::BadHost)
    }
}

/// Checks one SMTP setting as the administrator typed it: the host, the port (empty takes
/// the security's usual one), the security, the user name and, when one is given, that a
/// password comes with a user.
pub fn check_smtp(
    host: &str,
    port: &str,
    security: &str,
    username: &str,
    password_given: bool,
    from_name: &str,
) -> Result<(String, u16, SmtpSecurity), SmtpSettingsError> {
    let host = check_host(host)?;
    let security = SmtpSecurity::parse(security.trim())
        .ok_or_else(|| SmtpSettingsError::BadSecurity(security.trim().to_owned()))?;
    let port = match port.trim() {
        "" => security.default_port(),
        p => p
            .parse::<u16>()
            .ok()
            .filter(|p| *p > 0)
            .ok_or(SmtpSettingsError::BadPort)?,
    };
    if security == SmtpSecurity::None && !is_loopback_host(&host) {
        return Err(SmtpSettingsError::CleartextRemote);
    }
    let user = username.trim();
    if user.len() > FIELD_MAX || user.chars().any(char::is_control) {
        return Err(SmtpSettingsError::BadUsername);
    }
    if password_given && user.is_empty() {
        return Err(SmtpSettingsError::PasswordWithoutUser);
    }
    if from_name.trim().chars().count() > 100 || from_name.chars().any(char::is_control) {
        return Err(SmtpSettingsError::BadFromName);
    }
    Ok((host, port, security))
}

/// The domain of an address (after the last `@`), lower case; `localhost` without one.
pub fn domain_of(address: &str) -> String {
    address
        .rsplit_once('@')
        .map(|(_, d)| d.trim().to_ascii_lowercase())
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| "localhost".to_owned())
}

/// The Message-ID of a mail kefu sends for message `message` of ticket `ticket`, without
/// angle brackets: `kf.{ticket}.{message}.{random}@{domain}`. Made once when the mail is
/// queued, so every attempt to send it carries the same one.
pub fn outgoing_message_id(ticket: i64, message: i64, random: &str, domain: &str) -> String {
    format!("kf.{ticket}.{message}.{random}@{domain}")
}

/// The subject of kefu's mail about a ticket: `Re: <subject> [KF20261122-0001]`, the number
/// as [`super::email::ticket_number_in_subject`] reads it back. A subject already naming the
/// number keeps it once.
pub fn reply_subject(subject: &str, number: &str) -> String {
    let subject = super::email::strip_reply_prefixes(subject.trim()).trim();
    let tag = format!("[{number}]");
    if super::email::ticket_number_in_subject(subject).as_deref() == Some(number) {
        format!("Re: {subject}")
    } else if subject.is_empty() {
        format!("Re: {tag}")
    } else {
        format!("Re: {subject} {tag}")
    }
}

/// Most Message-IDs a reply's References names: the newest of the thread.
pub const REFERENCES_MAX: usize = 20;

/// The References of a reply: the thread's Message-IDs oldest first (the newest
/// [`REFERENCES_MAX`]), ending with the mail it answers; none made up from a digest (a
/// mail without a Message-ID is known by `sha256:…`, which no client would recognise).
pub fn references(thread: &[String], in_reply_to: Option<&str>) -> Vec<String> {
    let mut ids: Vec<String> = thread
        .iter()
        .filter(|id| is_real_message_id(id))
        .filter(|id| Some(id.as_str()) != in_reply_to)
        .cloned()
        .collect();
    ids.dedup();
    if let Some(last) = in_reply_to.filter(|id| is_real_message_id(id)) {
        ids.push(last.to_owned());
    }
    let skip = ids.len().saturating_sub(REFERENCES_MAX);
    ids.split_off(skip)
}

/// A Message-ID as a mail carried it (not a digest kefu made for one without).
pub fn is_real_message_id(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with("sha256:")
        && id.contains('@')
        && !id
            .chars()
            .any(|c| c.is_whitespace() || c == '<' || c == '>')
}

/// What an SMTP server's refusal means for the mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpVerdict {
    /// 4xx, or no answer at all (a refused or broken connection, a timeout): try again
    /// later.
    Temporary,
    /// 5xx: the server will not take it; sending again changes nothing.
    Permanent,
}

/// The verdict on an SMTP reply code (`None`: the server never answered).
pub fn smtp_verdict(code: Option<u16>) -> SmtpVerdict {
    match code {
        Some(c) if (500..600).contains(&c) => SmtpVerdict::Permanent,
        _ => SmtpVerdict::Temporary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleartext_goes_only_to_this_machine() {
        assert!(check_smtp("127.0.0.1", "2525", "none", "", false, "").is_ok());
        assert!(check_smtp("LocalHost", "", "none", "", false, "").is_ok());
        assert_eq!(
            check_smtp("smtp.exmail.qq.com", "25", "none", "", false, ""),
            Err(SmtpSettingsError::CleartextRemote)
        );
        assert_eq!(
            check_smtp("smtp.exmail.qq.com", "", "tls", "", false, ""),
            Ok(("smtp.exmail.qq.com".to_owned(), 465, SmtpSecurity::Tls))
        );
        assert_eq!(
            check_smtp("smtp.163.com", "0", "starttls", "", false, ""),
            Err(SmtpSettingsError::BadPort)
        );
        assert_eq!(
            check_smtp("smtp 163.com", "", "starttls", "", false, ""),
            Err(SmtpSettingsError::BadHost)
        );
        assert_eq!(
            check_smtp("smtp.163.com", "", "ssl", "", false, ""),
            Err(SmtpSettingsError::BadSecurity("ssl".into()))
        );
        assert_eq!(
            check_smtp("smtp.163.com", "", "tls", "", true, ""),
            Err(SmtpSettingsError::PasswordWithoutUser)
        );
    }

    #[test]
    fn a_reply_subject_carries_the_number_once() {
        assert_eq!(
            reply_subject("空调不制冷", "KF20261122-0001"),
            "Re: 空调不制冷 [KF20261122-0001]"
        );
        assert_eq!(
            reply_subject("回复：空调不制冷 [KF20261122-0001]", "KF20261122-0001"),
            "Re: 空调不制冷 [KF20261122-0001]"
        );
        assert_eq!(
            super::super::email::ticket_number_in_subject(&reply_subject(
                "退货",
                "KF20261122-0042"
            ))
            .as_deref(),
            Some("KF20261122-0042")
        );
    }

    #[test]
    fn references_end_with_the_mail_answered_and_skip_digests() {
        let thread = vec![
            "a@example.com".to_owned(),
            "sha256:00ff".to_owned(),
            "kf.1.2.x@hengxin.example".to_owned(),
            "b@example.com".to_owned(),
        ];
        assert_eq!(
            references(&thread, Some("b@example.com")),
            vec!["a@example.com", "kf.1.2.x@hengxin.example", "b@example.com"]
        );
        let long: Vec<String> = (0..30).map(|i| format!("m{i}@example.com")).collect();
        let r = references(&long, None);
        assert_eq!(r.len(), REFERENCES_MAX);
        assert_eq!(r.last().map(String::as_str), Some("m29@example.com"));
    }

    #[test]
    fn only_5xx_is_final() {
        assert_eq!(smtp_verdict(Some(550)), SmtpVerdict::Permanent);
        assert_eq!(smtp_verdict(Some(451)), SmtpVerdict::Temporary);
        assert_eq!(smtp_verdict(None), SmtpVerdict::Temporary);
    }
}
