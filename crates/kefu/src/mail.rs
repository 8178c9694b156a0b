//! `kefu mail import`: mail from files (a migration from another system, a mailbox
//! exported from a mail client) taken through the same path as the webhook, so a mail
//! imported twice, or imported and also delivered, lands once.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use kefu_app::channel::email::{IngestStatus, MailSource};
use kefu_app::{Actor, App};

/// What became of the imported mails.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ImportCounts {
    pub total: usize,
    pub created: usize,
    pub added: usize,
    pub duplicate: usize,
    pub bounce: usize,
    pub failed: usize,
}

/// A mail that could not be taken at all (not one the failed list keeps): the file, the
/// mail's place in it (from 1) and why.
#[derive(Debug)]
pub struct ImportProblem {
    pub file: String,
    pub index: usize,
    pub error: String,
}

/// The mails of a file: an mbox (by its `.mbox` name, or a first line `From `) split into
/// its messages, anything else (`.eml`) one mail.
pub fn mails_of(path: &Path, bytes: Vec<u8>) -> Vec<Vec<u8>> {
    let mbox = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("mbox"))
        || bytes.starts_with(b"From ");
    if mbox {
        split_mbox(&bytes)
    } else {
        vec![bytes]
    }
}

/// Splits an mbox (mboxrd): each message starts at a line beginning `From ` (its envelope
/// line, not part of the mail); inside a message a line of `>`s before `From ` loses one
/// `>`; the blank line that ends each message is not part of it.
pub fn split_mbox(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut mails = Vec::new();
    let mut current: Option<Vec<u8>> = None;
    for line in bytes.split_inclusive(|b| *b == b'\n') {
        if line.starts_with(b"From ") {
            if let Some(m) = current.take() {
                mails.push(without_separator(m));
            }
            current = Some(Vec::new());
            continue;
        }
        // Text before the first envelope line belongs to no message.
        let Some(m) = current.as_mut() else { continue };
        let quoted_from = line.starts_with(b">")
            && line
                .iter()
                .skip_while(|b| **b == b'>')
                .take(5)
                .eq(b"From ".iter());
        m.extend_from_slice(if quoted_from { &line[1..] } else { line });
    }
    if let Some(m) = current {
        mails.push(without_separator(m));
    }
    mails.retain(|m| !m.iter().all(u8::is_ascii_whitespace));
    mails
}

fn without_separator(mut m: Vec<u8>) -> Vec<u8> {
    if m.ends_with(b"\r\n\r\n") {
        m.truncate(m.len() - 2);
    } else if m.ends_with(b"\n\n") {
        m.truncate(m.len() - 1);
    }
    m
}

/// Imports `files` into e-mail channel `channel`, mail by mail, through the one ingest
/// path. A channel that does not exist or is switched off stops the import before it
/// starts; a mail that cannot be read is kept in the channel's failed list (counted
/// `failed`); one that cannot be taken at all is reported and the import goes on.
pub async fn import(
    app: &App,
    channel: i64,
    files: &[PathBuf],
    mut problem: impl FnMut(ImportProblem),
) -> anyhow::Result<ImportCounts> {
    let found = app
        .email_channel(&Actor::system(), channel)
        .await
        .with_context(|| format!("no e-mail channel with id {channel}"))?;
    if !found.active {
        bail!("e-mail channel {} ({channel}) is switched off", found.name);
    }
    let mut counts = ImportCounts::default();
    for path in files {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        for (i, raw) in mails_of(path, bytes).into_iter().enumerate() {
            counts.total += 1;
            match app.ingest_mail(channel, &raw, MailSource::Cli).await {
                Ok(outcome) => match outcome.status {
                    IngestStatus::TicketCreated => counts.created += 1,
                    IngestStatus::AddedToTicket => counts.added += 1,
                    IngestStatus::Duplicate => counts.duplicate += 1,
                    IngestStatus::Bounce => counts.bounce += 1,
                    IngestStatus::Failed => counts.failed += 1,
                },
                Err(e) => {
                    counts.failed += 1;
                    problem(ImportProblem {
                        file: path.display().to_string(),
                        index: i + 1,
                        error: e.to_string(),
                    });
                }
            }
        }
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_mbox_splits_on_its_envelope_lines_and_unquotes_from_lines() {
        let mbox = b"From a@example.com Mon Nov 23 10:00:00 2026\n\
Subject: one\n\n>From the start\n>>From two levels\n\n\
From b@example.com Mon Nov 23 10:01:00 2026\n\
Subject: two\n\nbody\n\n";
        let mails = split_mbox(mbox);
        assert_eq!(mails.len(), 2);
        assert_eq!(
            mails[0],
            b"Subject: one\n\nFrom the start\n>From two levels\n".to_vec()
        );
        assert_eq!(mails[1], b"Subject: two\n\nbody\n".to_vec());
    }

    #[test]
    fn an_eml_is_one_mail() {
        let eml = b"Subject: x\r\n\r\nFrom here on\r\n".to_vec();
        assert_eq!(mails_of(Path::new("a.eml"), eml.clone()), vec![eml]);
    }
}
