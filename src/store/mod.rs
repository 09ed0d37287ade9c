//! The store: one SQLite file per centre that remembers every run (its input files, results and
//! findings), so that a re-run can say what changed since the last one. Here: opening the file,
//! the checks that it is a store, its permissions and its schema; saving runs is in `runs`,
//! reading them back in `read`, and what goes wrong, in words, in `error`.
//!
//! Each run is saved in one transaction: a run that is killed part-way leaves the store exactly
//! as it was. The file is readable by its owner only. The schema carries a version
//! (`PRAGMA user_version`) and moves forward through [`MIGRATIONS`], one transaction each; a
//! store written by a newer resultsday is refused rather than guessed at.

mod columns;
mod error;
mod migrations;
mod read;
mod runs;
#[cfg(test)]
mod tests;

pub use crate::model::series::sha256_hex;
pub use error::{sql_error, unreadable, StoreError};
pub use migrations::MIGRATIONS;
pub use read::{RunSummary, GRADESETS_TABLE};
pub use runs::{same_as_saved, time_text, InputFileRecord, RunBatch, RunRecord};

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

/// The store's file name when `--db` is not given.
pub const DEFAULT_FILE: &str = "resultsday.db";

/// Marks a SQLite file as a resultsday store (`PRAGMA application_id`; "RDAY").
const APPLICATION_ID: i32 = 0x5244_4159;

/// How long to wait for another resultsday that is writing to the same store.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a run waits for another run that is using the store before it gives up: a run of
/// a whole trust takes a minute or two, so ten minutes is room for several.
pub const RUN_LOCK_WAIT: Duration = Duration::from_secs(600);

/// Replaces [`RUN_LOCK_WAIT`], in seconds (for tests, and for a script that would rather fail
/// at once: `0`).
pub const RUN_LOCK_WAIT_VAR: &str = "RESULTSDAY_STORE_WAIT";

/// How long a run waits for another run using the store: [`RUN_LOCK_WAIT`], unless
/// [`RUN_LOCK_WAIT_VAR`] says otherwise.
pub fn run_lock_wait() -> Duration {
    std::env::var(RUN_LOCK_WAIT_VAR)
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map_or(RUN_LOCK_WAIT, Duration::from_secs_f64)
}

/// An open store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens the store at `path`, creating it (owner-only) if it does not exist, and brings its
    /// schema up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_with(path, MIGRATIONS)
    }

    /// [`Store::open`] with another list of migrations: for tests of the migration machinery.
    #[doc(hidden)]
    pub fn open_with(path: &Path, migrations: &[&str]) -> Result<Store, StoreError> {
        prepare_file(path)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)
            .map_err(|e| sql_error(path, "open the file", e))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.set_busy_timeout(BUSY_TIMEOUT)?;
        store
            .conn
            .pragma_update(None, "foreign_keys", true)
            .map_err(|e| sql_error(path, "turn on its foreign keys", e))?;
        store.check_it_is_a_store()?;
        // Only now that it is known to be ours: a file that is refused is left as it was.
        restrict(path)?;
        restrict_companions(path)?;
        store.migrate(migrations)?;
        // SQLite gives a journal it creates the main file's mode; check all the same.
        restrict_companions(path)?;
        Ok(store)
    }

    /// Opens a store that must already exist: every command but `run` reads what runs saved,
    /// and a mistyped `--db` must not quietly make an empty store.
    pub fn open_existing(path: &Path) -> Result<Store, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing {
                path: path.to_path_buf(),
            });
        }
        Store::open(path)
    }

    /// The open connection, for the modules that keep their own tables in the store (the
    /// post-results and certificates logs).
    pub fn connection(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// Where the store is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How long to wait for another resultsday writing to the store before giving up with
    /// [`StoreError::Locked`] (5 seconds unless set).
    pub fn set_busy_timeout(&self, timeout: Duration) -> Result<(), StoreError> {
        self.conn
            .busy_timeout(timeout)
            .map_err(|e| sql_error(&self.path, "set how long to wait for a lock", e))
    }

    /// The schema version of the file.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| sql_error(&self.path, "read its schema version", e))
    }

    /// Refuses a SQLite database that some other program made.
    fn check_it_is_a_store(&self) -> Result<(), StoreError> {
        let err = |e| sql_error(&self.path, "read its header", e);
        let application_id: i32 = self
            .conn
            .pragma_query_value(None, "application_id", |r| r.get(0))
            .map_err(err)?;
        if application_id == APPLICATION_ID {
            return Ok(());
        }
        let version: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(err)?;
        let objects: i64 = self
            .conn
            .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
            .map_err(err)?;
        if application_id == 0 && version == 0 && objects == 0 {
            return Ok(()); // a new, empty file
        }
        Err(StoreError::NotAStore {
            path: self.path.clone(),
            reason: "it is a SQLite database of another program".into(),
        })
    }

    /// Applies the migrations the file has not had yet, each in its own transaction.
    fn migrate(&mut self, migrations: &[&str]) -> Result<(), StoreError> {
        let known = migrations.len();
        let path = self.path.as_path();
        let too_new = |found| StoreError::TooNew {
            path: path.to_path_buf(),
            found,
            known,
        };
        // The usual cases need no write lock, so a read-only or busy store can still be read.
        match self.schema_version()? {
            version if version == known as i64 => return Ok(()),
            version if version > known as i64 => return Err(too_new(version)),
            _ => {}
        }
        let err = |action| move |e| sql_error(path, action, e);
        loop {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(err("start updating its schema"))?;
            // Read again under the lock: another resultsday may have migrated meanwhile.
            let version: i64 = tx
                .pragma_query_value(None, "user_version", |r| r.get(0))
                .map_err(err("read its schema version"))?;
            if version < 0 || version > known as i64 {
                return Err(too_new(version));
            }
            let from = version as usize;
            if from == known {
                return Ok(());
            }
            if from == 0 {
                tx.pragma_update(None, "application_id", APPLICATION_ID)
                    .map_err(err("mark it as a resultsday store"))?;
            }
            let step = |e| StoreError::Migration {
                path: path.to_path_buf(),
                version: from + 1,
                source: e,
            };
            tx.execute_batch(migrations[from]).map_err(step)?;
            tx.pragma_update(None, "user_version", (from + 1) as i64)
                .map_err(step)?;
            tx.commit().map_err(err("save its new schema"))?;
        }
    }
}

/// Makes sure `path` can become a store before SQLite opens it: a new file is created 0600
/// whatever the umask; an existing one must start as a SQLite file does.
fn prepare_file(path: &Path) -> Result<(), StoreError> {
    let io_err = |reason: &str, source: io::Error| StoreError::Io {
        path: path.to_path_buf(),
        reason: reason.to_string(),
        source,
    };
    match fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Err(StoreError::NotAStore {
            path: path.to_path_buf(),
            reason: "it is a folder".into(),
        }),
        Ok(meta) => {
            if meta.len() > 0 {
                let mut header = [0u8; 16];
                let read = fs::File::open(path)
                    .and_then(|mut f| read_up_to(&mut f, &mut header))
                    .map_err(|e| io_err(&crate::messages::describe_open(&e), e))?;
                if header[..read] != SQLITE_HEADER[..] {
                    return Err(StoreError::NotAStore {
                        path: path.to_path_buf(),
                        reason: "it is not a SQLite database".into(),
                    });
                }
            }
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let mut options = fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            match options.open(path) {
                Ok(file) => {
                    // A umask may have taken the owner's own bits away.
                    #[cfg(unix)]
                    {
                        use std::os::unix::fs::PermissionsExt;
                        file.set_permissions(fs::Permissions::from_mode(0o600))
                            .map_err(|e| io_err(&crate::messages::describe_open(&e), e))?;
                    }
                    #[cfg(not(unix))]
                    drop(file);
                    Ok(())
                }
                // Another resultsday created it first: fine, it is checked when read.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
                Err(e) => Err(io_err(&crate::messages::describe_open(&e), e)),
            }
        }
        Err(e) => Err(io_err(&crate::messages::describe_open(&e), e)),
    }
}

/// The first 16 bytes of every SQLite 3 database.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

fn read_up_to(f: &mut fs::File, buf: &mut [u8]) -> io::Result<usize> {
    let mut read = 0;
    while read < buf.len() {
        match f.read(&mut buf[read..])? {
            0 => break,
            n => read += n,
        }
    }
    Ok(read)
}

/// Takes away what a file allows its group and others (0644 becomes 0600); a store its owner
/// made read-only stays read-only.
fn restrict(path: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = match fs::metadata(path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => {
                return Err(StoreError::Io {
                    path: path.to_path_buf(),
                    reason: crate::messages::describe_open(&e),
                    source: e,
                })
            }
        };
        let mode = meta.permissions().mode() & 0o7777;
        if mode & 0o077 != 0 {
            fs::set_permissions(path, fs::Permissions::from_mode(mode & 0o700)).map_err(|e| {
                StoreError::Io {
                    path: path.to_path_buf(),
                    reason: format!("it could not be made readable by its owner only ({e})"),
                    source: e,
                }
            })?;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Narrows the files SQLite keeps beside the store (journal, write-ahead log, shared memory).
fn restrict_companions(path: &Path) -> Result<(), StoreError> {
    for suffix in ["-journal", "-wal", "-shm"] {
        let mut companion = path.as_os_str().to_owned();
        companion.push(suffix);
        restrict(Path::new(&companion))?;
    }
    Ok(())
}
