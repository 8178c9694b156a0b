//! Why a backup, its check or a restore did not happen: each refusal names what is wrong,
//! and nothing was written when one comes before the restore began to write.

/// A backup or restore that did not happen. The text (English, for logs and the job list)
/// and the translated text (`backup_error.<key>` in the translation files, for the command
/// line and the administrators' notification) say the same.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{path} already exists; choose another file name")]
    Exists { path: String },
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not a complete kefu backup (cut short, or not a backup at all): {detail}")]
    Unreadable { path: String, detail: String },
    #[error("{path} is not a kefu backup: it has no manifest.json")]
    NoManifest { path: String },
    #[error("the backup's manifest cannot be read: {detail}")]
    BadManifest { detail: String },
    #[error("the backup is in format version {found}; this kefu reads format version {supported}")]
    FormatVersion { found: i64, supported: i64 },
    #[error("the backup is damaged: {part} is missing")]
    MissingPart { part: String },
    #[error("the backup is damaged: {part} cannot be read ({detail})")]
    Damaged { part: String, detail: String },
    #[error("the backup is damaged: {part} does not match its SHA-256 checksum")]
    Checksum { part: String },
    #[error("the backup is damaged: {part} holds {found} rows where its manifest says {expected}")]
    RowCount {
        part: String,
        expected: u64,
        found: u64,
    },
    #[error("the backup is damaged: row {row} of {part} cannot be read ({detail})")]
    BadRow {
        part: String,
        row: u64,
        detail: String,
    },
    #[error(
        "the backup was made by a newer kefu (database migration {found}; this kefu knows up to {known}): upgrade kefu before restoring it"
    )]
    Newer { found: i64, known: i64 },
    #[error("the backup names database migration {found}, which this kefu does not have")]
    UnknownMigration { found: i64 },
    #[error(
        "the database was migrated by a newer kefu (migrations {versions}); restore with that kefu"
    )]
    TargetNewer { versions: String },
    #[error(
        "the database is not empty ({tables}); restore only into an empty database, or add --force to replace everything in it"
    )]
    NotEmpty { tables: String },
    #[error("another kefu restore is running on this database; wait for it to finish")]
    Busy,
    #[error("the backup does not fit this kefu's tables at migration {migration}: {detail}")]
    Schema { migration: i64, detail: String },
    #[error("database error: {0}")]
    Database(String),
    #[error("the backup stopped: {0}")]
    Interrupted(String),
}

impl BackupError {
    /// The translation key of the message (`backup_error.<key>`).
    pub fn key(&self) -> &'static str {
        match self {
            BackupError::Exists { .. } => "backup_error.exists",
            BackupError::Write { .. } => "backup_error.write",
            BackupError::Read { .. } => "backup_error.read",
            BackupError::Unreadable { .. } => "backup_error.unreadable",
            BackupError::NoManifest { .. } => "backup_error.no_manifest",
            BackupError::BadManifest { .. } => "backup_error.bad_manifest",
            BackupError::FormatVersion { .. } => "backup_error.format_version",
            BackupError::MissingPart { .. } => "backup_error.missing_part",
            BackupError::Damaged { .. } => "backup_error.damaged",
            BackupError::Checksum { .. } => "backup_error.checksum",
            BackupError::RowCount { .. } => "backup_error.row_count",
            BackupError::BadRow { .. } => "backup_error.bad_row",
            BackupError::Newer { .. } => "backup_error.newer",
            BackupError::UnknownMigration { .. } => "backup_error.unknown_migration",
            BackupError::TargetNewer { .. } => "backup_error.target_newer",
            BackupError::NotEmpty { .. } => "backup_error.not_empty",
            BackupError::Busy => "backup_error.busy",
            BackupError::Schema { .. } => "backup_error.schema",
            BackupError::Database(_) => "backup_error.database",
            BackupError::Interrupted(_) => "backup_error.interrupted",
        }
    }

    /// The values of the message's placeholders.
    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            BackupError::Exists { path }
            | BackupError::NoManifest { path }
            | BackupError::Unreadable { path, .. } => {
                let mut a = vec![("path", path.clone())];
                if let BackupError::Unreadable { detail, .. } = self {
                    a.push(("detail", detail.clone()));
                }
                a
            }
            BackupError::Write { path, source } | BackupError::Read { path, source } => {
                vec![("path", path.clone()), ("error", source.to_string())]
            }
            BackupError::BadManifest { detail } => vec![("detail", detail.clone())],
            BackupError::FormatVersion { found, supported } => vec![
                ("found", found.to_string()),
                ("supported", supported.to_string()),
            ],
            BackupError::MissingPart { part } | BackupError::Checksum { part } => {
                vec![("part", part.clone())]
            }
            BackupError::Damaged { part, detail } => {
                vec![("part", part.clone()), ("detail", detail.clone())]
            }
            BackupError::RowCount {
                part,
                expected,
                found,
            } => vec![
                ("part", part.clone()),
                ("expected", expected.to_string()),
                ("found", found.to_string()),
            ],
            BackupError::BadRow { part, row, detail } => vec![
                ("part", part.clone()),
                ("row", row.to_string()),
                ("detail", detail.clone()),
            ],
            BackupError::Newer { found, known } => {
                vec![("found", found.to_string()), ("known", known.to_string())]
            }
            BackupError::UnknownMigration { found } => vec![("found", found.to_string())],
            BackupError::TargetNewer { versions } => vec![("versions", versions.clone())],
            BackupError::NotEmpty { tables } => vec![("tables", tables.clone())],
            BackupError::Busy => Vec::new(),
            BackupError::Schema { migration, detail } => vec![
                ("migration", migration.to_string()),
                ("detail", detail.clone()),
            ],
            BackupError::Database(e) | BackupError::Interrupted(e) => vec![("error", e.clone())],
        }
    }

    /// Every key [`key`](Self::key) gives, for the test that each is translated.
    pub const KEYS: &'static [&'static str] = &[
        "backup_error.exists",
        "backup_error.write",
        "backup_error.read",
        "backup_error.unreadable",
        "backup_error.no_manifest",
        "backup_error.bad_manifest",
        "backup_error.format_version",
        "backup_error.missing_part",
        "backup_error.damaged",
        "backup_error.checksum",
        "backup_error.row_count",
        "backup_error.bad_row",
        "backup_error.newer",
        "backup_error.unknown_migration",
        "backup_error.target_newer",
        "backup_error.not_empty",
        "backup_error.busy",
        "backup_error.schema",
        "backup_error.database",
        "backup_error.interrupted",
    ];
}

impl From<kefu_store::backup::Error> for BackupError {
    fn from(e: kefu_store::backup::Error) -> Self {
        match e {
            kefu_store::backup::Error::Busy => BackupError::Busy,
            other => BackupError::Database(other.to_string()),
        }
    }
}

impl From<kefu_store::StoreError> for BackupError {
    fn from(e: kefu_store::StoreError) -> Self {
        BackupError::Database(e.to_string())
    }
}
