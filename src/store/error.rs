//! Why the store failed, in words: [`StoreError`], and [`sql_error`], the one place a SQLite
//! error becomes one.

use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::types::Type;

/// Why the store could not be opened, read or written, in words an exams officer can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "the store {} is locked by another resultsday run; wait for it to finish, then try again",
        path.display()
    )]
    Locked { path: PathBuf },

    #[error("{} is not a resultsday store ({reason}); give another file with --db", path.display())]
    NotAStore { path: PathBuf, reason: String },

    #[error(
        "there is no store at {}: `resultsday run DIR --out OUT --db {}` makes it; or give the \
         store with --db",
        path.display(),
        path.display()
    )]
    Missing { path: PathBuf },

    #[error(
        "the store {} was written by a newer resultsday (schema version {found}; this resultsday \
         knows versions up to {known}); use the newer resultsday, or give another file with --db",
        path.display()
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: usize,
    },

    #[error(
        "the store {} could not be brought up to schema version {version}, so it was left at \
         version {}: {source}",
        path.display(),
        version - 1
    )]
    Migration {
        path: PathBuf,
        version: usize,
        source: rusqlite::Error,
    },

    #[error(
        "the store {} is damaged ({detail}); restore it from a backup, or give another file with \
         --db",
        path.display()
    )]
    Damaged { path: PathBuf, detail: String },

    #[error(
        "the store {} cannot be written: the file or its folder is read-only for you",
        path.display()
    )]
    ReadOnly { path: PathBuf },

    #[error(
        "the store {} cannot be written: no space left on the device; nothing from this run \
         was saved",
        path.display()
    )]
    DiskFull { path: PathBuf },

    #[error(
        "another run is still using the store {} after {} seconds of waiting; nothing from this \
         run was saved: try again when it has finished",
        path.display(),
        waited.as_secs()
    )]
    Busy { path: PathBuf, waited: Duration },

    #[error(
        "the store {} cannot be written: SQLite cannot create or open its journal ({}) beside \
         it; nothing from this run was saved",
        path.display(),
        journal.display()
    )]
    NoJournal { path: PathBuf, journal: PathBuf },

    #[error("the store {} cannot be opened: {reason}", path.display())]
    Io {
        path: PathBuf,
        reason: String,
        source: io::Error,
    },

    #[error("the store {}: could not {action}: {source}", path.display())]
    Sqlite {
        path: PathBuf,
        action: &'static str,
        source: rusqlite::Error,
    },
}

/// Turns a SQLite error into what the exams officer needs to know: every table's errors, the
/// runs', the post-results log's and the certificates log's, go through here.
pub fn sql_error(path: &Path, action: &'static str, e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode;
    let path = path.to_path_buf();
    match &e {
        rusqlite::Error::FromSqlConversionFailure(..)
        | rusqlite::Error::InvalidColumnType(..)
        | rusqlite::Error::IntegralValueOutOfRange(..) => {
            return StoreError::Damaged {
                path,
                detail: format!("a value resultsday cannot read: {e}"),
            }
        }
        _ => {}
    }
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Locked { path },
        Some(ErrorCode::NotADatabase) => StoreError::NotAStore {
            path,
            reason: "it is not a SQLite database".into(),
        },
        Some(ErrorCode::DatabaseCorrupt) => StoreError::Damaged {
            path,
            detail: e.to_string(),
        },
        Some(ErrorCode::ReadOnly | ErrorCode::PermissionDenied) => StoreError::ReadOnly { path },
        Some(ErrorCode::DiskFull) => StoreError::DiskFull { path },
        // The store itself is open: what cannot be opened is the journal beside it.
        Some(ErrorCode::CannotOpen) if action != "open the file" => {
            let mut journal = path.as_os_str().to_owned();
            journal.push("-journal");
            StoreError::NoJournal {
                path,
                journal: PathBuf::from(journal),
            }
        }
        _ => StoreError::Sqlite {
            path,
            action,
            source: e,
        },
    }
}

/// Whether SQLite refused for a lock another connection holds.
pub(super) fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// A value in the store that resultsday cannot read back.
#[derive(Debug)]
struct Unreadable(String);

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unreadable {}

/// The error for a value in column `column` that resultsday cannot read back: `what` says why.
pub fn unreadable(column: usize, what: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, Type::Text, Box::new(Unreadable(what)))
}
