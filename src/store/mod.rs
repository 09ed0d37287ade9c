//! The store: one SQLite file per centre that remembers every run (its input files, results and
//! findings), so that a re-run can say what changed since the last one.
//!
//! Each run is saved in one transaction: a run that is killed part-way leaves the store exactly
//! as it was. The file is readable by its owner only. The schema carries a version
//! (`PRAGMA user_version`) and moves forward through [`MIGRATIONS`], one transaction each; a
//! store written by a newer resultsday is refused rather than guessed at.

mod migrations;
pub use migrations::MIGRATIONS;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use chrono_tz::Tz;
use parsers::{Grade, Gradesets};
use rusqlite::types::{ToSqlOutput, Type, ValueRef};
use rusqlite::{
    params, Connection, OpenFlags, OptionalExtension, Row, Statement, ToSql, TransactionBehavior,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::model::{
    CandidateResult, ComponentMark, Finding, FindingKind, ResultsDay, Severity, Source,
};

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

/// One input file of a run, as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFileRecord {
    pub path: PathBuf,
    /// The file's name, without its folder.
    pub name: String,
    /// SHA-256 of the file's bytes, lower-case hex ([`sha256_hex`]).
    pub sha256: String,
    /// In bytes.
    pub size: u64,
    /// What the file is: `results`, `entries`, `basedata`, `xml`, ... (the caller's word).
    pub kind: String,
    /// The awarding body id; blank when the file has none.
    pub board: String,
    /// Detail records read from it.
    pub records: u64,
}

/// Everything one run saves.
#[derive(Debug, Clone)]
pub struct RunRecord<'a> {
    pub started_at: DateTime<Utc>,
    /// The clock the run's decisions used (`--as-of`, else now), in London time.
    pub as_of: DateTime<Tz>,
    pub centre: &'a str,
    pub series: &'a str,
    /// The resultsday version that made the run.
    pub version: &'a str,
    pub files: &'a [InputFileRecord],
    pub results: &'a [CandidateResult],
    pub findings: &'a [Finding],
    /// The centre's own tables the run used in place of the built-in ones: (file name, text).
    pub tables: &'a [(&'a str, &'a str)],
    /// Record counts and findings per kind, as `run.json` shows them.
    pub counts: serde_json::Value,
    pub elapsed_ms: u64,
}

/// A run as listed by [`Store::runs`].
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    pub id: i64,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub as_of: DateTime<FixedOffset>,
    pub centre: String,
    pub series: String,
    pub version: String,
    pub counts: serde_json::Value,
    pub elapsed_ms: u64,
    /// How many input files, results and findings the run saved.
    pub files: u64,
    pub results: u64,
    pub findings: u64,
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

    /// Where the store is.
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

    /// Saves a run, its input files, results and findings in one transaction, and returns the
    /// run's id. Nothing of the run is visible to others until it is all saved; a run killed
    /// part-way leaves the store as it was.
    pub fn record_run(&mut self, run: &RunRecord) -> Result<i64, StoreError> {
        self.record_run_with(run, &mut |_, _| Ok(()))
    }

    /// [`Store::record_run`], with `within` called inside the run's transaction once the run is
    /// written (with the new run's id): what must be saved with the run or not at all, such as
    /// the post-results requests its changes answer.
    pub fn record_run_with(
        &mut self,
        run: &RunRecord,
        within: &mut dyn FnMut(&Connection, i64) -> rusqlite::Result<()>,
    ) -> Result<i64, StoreError> {
        self.record_run_hooked(run, within, &mut || {})
    }

    /// [`Store::record_run`], calling `before_commit` with everything written but not yet
    /// committed: for tests that kill a run at the worst moment.
    #[doc(hidden)]
    pub fn record_run_pausing(
        &mut self,
        run: &RunRecord,
        before_commit: &mut dyn FnMut(),
    ) -> Result<i64, StoreError> {
        self.record_run_hooked(run, &mut |_, _| Ok(()), before_commit)
    }

    fn record_run_hooked(
        &mut self,
        run: &RunRecord,
        within: &mut dyn FnMut(&Connection, i64) -> rusqlite::Result<()>,
        before_commit: &mut dyn FnMut(),
    ) -> Result<i64, StoreError> {
        let batch = self.begin_runs()?;
        let run_id = batch.record(run, within)?;
        before_commit();
        batch.commit()?;
        Ok(run_id)
    }

    /// Starts saving runs in one transaction: a run of many centres saves a run per centre, and
    /// all of them or none. Nothing is saved until [`RunBatch::commit`].
    pub fn begin_runs(&mut self) -> Result<RunBatch<'_>, StoreError> {
        let Store { conn, path } = self;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| sql_error(path, "start saving the run", e))?;
        Ok(RunBatch { tx, path })
    }

    /// [`Store::begin_runs`] for a run that must not compute its changes against the wrong
    /// earlier run: the store's write lock is taken before anything is read, and held until
    /// the runs are saved, so a second run on the same store waits for the first and then
    /// compares with what the first saved. When another run holds the lock, `waiting` is
    /// called once and the run waits up to `wait` for it ([`StoreError::Busy`] after that).
    pub fn begin_runs_waiting(
        &mut self,
        wait: Duration,
        waiting: &mut dyn FnMut(),
    ) -> Result<RunBatch<'_>, StoreError> {
        let Store { conn, path } = self;
        let conn: &Connection = conn;
        let path: &Path = path;
        let begin = |timeout: Duration| -> Result<rusqlite::Transaction<'_>, rusqlite::Error> {
            conn.busy_timeout(timeout)?;
            // `new_unchecked` borrows the connection shared, so that it can be tried again; the
            // batch holds `&mut self`, so nothing else uses the connection meanwhile.
            rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate)
        };
        let failed = |e: rusqlite::Error, waited: Duration| {
            let _ = conn.busy_timeout(BUSY_TIMEOUT);
            if is_busy(&e) {
                StoreError::Busy {
                    path: path.to_path_buf(),
                    waited,
                }
            } else {
                sql_error(path, "start saving the run", e)
            }
        };
        // First without waiting: is another run using the store?
        let tx = match begin(Duration::ZERO) {
            Ok(tx) => tx,
            Err(e) if is_busy(&e) => {
                waiting();
                begin(wait).map_err(|e| failed(e, wait))?
            }
            Err(e) => return Err(failed(e, Duration::ZERO)),
        };
        // Within the run, a reader finishing its read is waited for as usual.
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| sql_error(path, "set how long to wait for a lock", e))?;
        Ok(RunBatch { tx, path })
    }

    /// The latest run of each centre and series: what a new run of it is compared with.
    pub fn latest_runs(&self) -> Result<HashMap<(String, String), i64>, StoreError> {
        latest_runs(&self.conn, &self.path)
    }

    /// Every run, oldest first.
    pub fn runs(&self) -> Result<Vec<RunSummary>, StoreError> {
        self.query_runs("", [])
    }

    /// One run, if the store has it.
    pub fn run(&self, run_id: i64) -> Result<Option<RunSummary>, StoreError> {
        Ok(self.query_runs("WHERE r.id = ?1", [run_id])?.pop())
    }

    fn query_runs(
        &self,
        filter: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<RunSummary>, StoreError> {
        let err = |e| sql_error(&self.path, "list its runs", e);
        let sql = format!(
            "SELECT r.id, r.started_at, r.finished_at, r.as_of, r.centre, r.series,
                    r.resultsday_version, r.counts_json, r.elapsed_ms,
                    (SELECT count(*) FROM input_files WHERE run_id = r.id),
                    (SELECT count(*) FROM results WHERE run_id = r.id),
                    (SELECT count(*) FROM findings WHERE run_id = r.id)
             FROM runs r {filter} ORDER BY r.id"
        );
        let mut stmt = self.conn.prepare(&sql).map_err(err)?;
        let rows = stmt.query_map(params, run_from_row).map_err(err)?;
        rows.collect::<Result<_, _>>().map_err(err)
    }

    /// The latest run of the same centre and series before `before_run_id`: what a re-run is
    /// compared with.
    pub fn previous_run(
        &self,
        centre: &str,
        series: &str,
        before_run_id: i64,
    ) -> Result<Option<i64>, StoreError> {
        previous_run(&self.conn, &self.path, centre, series, before_run_id)
    }

    /// The results a run saved, in the order it saved them.
    pub fn results_of_run(&self, run_id: i64) -> Result<Vec<CandidateResult>, StoreError> {
        results_of(&self.conn, &self.path, run_id)
    }

    /// The findings a run saved, in the order it saved them.
    pub fn findings_of_run(&self, run_id: i64) -> Result<Vec<Finding>, StoreError> {
        findings_of(&self.conn, &self.path, run_id)
    }

    /// The input files a run read, in the order it saved them.
    pub fn files_of_run(&self, run_id: i64) -> Result<Vec<InputFileRecord>, StoreError> {
        files_of(&self.conn, &self.path, run_id)
    }

    /// The text of the centre's own table `name` (`gradesets.csv`) that a run used, if it used
    /// one rather than the built-in table.
    pub fn table_of_run(&self, run_id: i64, name: &str) -> Result<Option<String>, StoreError> {
        table_of(&self.conn, &self.path, run_id, name)
    }

    /// The gradesets a run ranked grades by: the centre's own table it used, else the built-in
    /// one.
    pub fn gradesets_of_run(&self, run_id: i64) -> Result<Gradesets, StoreError> {
        match self.table_of_run(run_id, GRADESETS_TABLE)? {
            None => Ok(Gradesets::builtin()),
            Some(text) => Gradesets::from_csv(text.as_bytes()).map_err(|e| StoreError::Damaged {
                path: self.path.clone(),
                detail: format!("run {run_id}'s {GRADESETS_TABLE} no longer reads: {e}"),
            }),
        }
    }
}

fn table_of(
    conn: &Connection,
    path: &Path,
    run_id: i64,
    name: &str,
) -> Result<Option<String>, StoreError> {
    conn.query_row(
        "SELECT text FROM run_tables WHERE run_id = ?1 AND name = ?2",
        params![run_id, name],
        |r| r.get(0),
    )
    .optional()
    .map_err(|e| sql_error(path, "read the centre's tables", e))
}

/// The file name a run's own gradesets table is kept under in `run_tables`.
pub const GRADESETS_TABLE: &str = "gradesets.csv";

/// Runs being saved in one transaction (see [`Store::begin_runs`]). Dropped without
/// [`RunBatch::commit`], it saves nothing.
pub struct RunBatch<'s> {
    tx: rusqlite::Transaction<'s>,
    path: &'s Path,
}

impl std::fmt::Debug for RunBatch<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunBatch")
            .field("path", &self.path)
            .finish()
    }
}

impl RunBatch<'_> {
    /// Saves a run, its input files, results and findings, then calls `within` with the new
    /// run's id (for what must be saved with the run or not at all, such as the post-results
    /// requests its changes answer); returns the run's id.
    pub fn record(
        &self,
        run: &RunRecord,
        within: &mut dyn FnMut(&Connection, i64) -> rusqlite::Result<()>,
    ) -> Result<i64, StoreError> {
        let (tx, path) = (&self.tx, self.path);
        let err = |action| move |e| sql_error(path, action, e);
        tx.execute(
            "INSERT INTO runs (started_at, finished_at, as_of, centre, series,
                               resultsday_version, counts_json, elapsed_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                utc_text(&run.started_at),
                utc_text(&Utc::now()),
                run.as_of.to_rfc3339_opts(SecondsFormat::AutoSi, false),
                run.centre,
                run.series,
                run.version,
                run.counts.to_string(),
                run.elapsed_ms,
            ],
        )
        .map_err(err("save the run"))?;
        let run_id = tx.last_insert_rowid();

        let mut insert = tx
            .prepare_cached(INSERT_FILE)
            .map_err(err("prepare to save the input files"))?;
        for f in run.files {
            insert
                .execute(params![
                    run_id,
                    f.path.to_string_lossy(),
                    f.name,
                    f.sha256,
                    f.size,
                    f.kind,
                    f.board,
                    f.records,
                ])
                .map_err(err("save an input file"))?;
        }
        drop(insert);

        let mut json = Vec::new();
        insert_rows(tx, &INSERT_RESULTS, run.results, |stmt, at, r| {
            bind_result(stmt, at, run_id, r, &mut json)
        })
        .map_err(err("save the results"))?;
        insert_rows(tx, &INSERT_FINDINGS, run.findings, |stmt, at, f| {
            bind_finding(stmt, at, run_id, f)
        })
        .map_err(err("save the findings"))?;
        for (name, text) in run.tables {
            tx.execute(
                "INSERT INTO run_tables (run_id, name, text) VALUES (?1, ?2, ?3)",
                params![run_id, name, text],
            )
            .map_err(err("save the centre's tables"))?;
        }

        within(tx, run_id).map_err(err("save what the run answers"))?;
        Ok(run_id)
    }

    /// The results a saved run holds (see [`Store::results_of_run`]).
    pub fn results_of_run(&self, run_id: i64) -> Result<Vec<CandidateResult>, StoreError> {
        results_of(&self.tx, self.path, run_id)
    }

    /// The latest run of each centre and series, read under the lock this batch holds: no
    /// other run can save one before this batch is committed or dropped.
    pub fn latest_runs(&self) -> Result<HashMap<(String, String), i64>, StoreError> {
        latest_runs(&self.tx, self.path)
    }

    /// See [`Store::previous_run`].
    pub fn previous_run(
        &self,
        centre: &str,
        series: &str,
        before_run_id: i64,
    ) -> Result<Option<i64>, StoreError> {
        previous_run(&self.tx, self.path, centre, series, before_run_id)
    }

    /// Every run of `centre`, with its series, oldest first.
    pub fn runs_of_centre(&self, centre: &str) -> Result<Vec<(i64, String)>, StoreError> {
        let err = |e| sql_error(self.path, "list its runs", e);
        let mut stmt = self
            .tx
            .prepare("SELECT id, series FROM runs WHERE centre = ?1 ORDER BY id")
            .map_err(err)?;
        let rows = stmt
            .query_map([centre], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(err)?;
        rows.collect::<Result<_, _>>().map_err(err)
    }

    /// The findings a saved run holds (see [`Store::findings_of_run`]).
    pub fn findings_of_run(&self, run_id: i64) -> Result<Vec<Finding>, StoreError> {
        findings_of(&self.tx, self.path, run_id)
    }

    /// The input files a saved run read (see [`Store::files_of_run`]).
    pub fn files_of_run(&self, run_id: i64) -> Result<Vec<InputFileRecord>, StoreError> {
        files_of(&self.tx, self.path, run_id)
    }

    /// See [`Store::table_of_run`].
    pub fn table_of_run(&self, run_id: i64, name: &str) -> Result<Option<String>, StoreError> {
        table_of(&self.tx, self.path, run_id, name)
    }

    /// Whether the store holds run `run_id` of `centre` and `series`, started at `started_at`
    /// (as [`time_text`] writes it): whether a run's staged files may be put in place.
    pub fn has_run(
        &self,
        run_id: i64,
        centre: &str,
        series: &str,
        started_at: &str,
    ) -> Result<bool, StoreError> {
        self.tx
            .query_row(
                "SELECT count(*) FROM runs
                 WHERE id = ?1 AND centre = ?2 AND series = ?3 AND started_at = ?4",
                params![run_id, centre, series, started_at],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n > 0)
            .map_err(|e| sql_error(self.path, "list its runs", e))
    }

    /// Reads from the store within the batch's transaction, for the modules that keep their
    /// own tables in it; `action` says what, should it fail.
    pub fn read<T>(
        &self,
        action: &'static str,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        f(&self.tx).map_err(|e| sql_error(self.path, action, e))
    }

    /// Saves every run recorded.
    pub fn commit(self) -> Result<(), StoreError> {
        let path = self.path;
        self.tx
            .commit()
            .map_err(|e| sql_error(path, "save the run", e))
    }
}

/// The columns an `INSERT` fills, and how many.
struct Insert {
    head: &'static str,
    columns: usize,
}

const INSERT_FILE: &str =
    "INSERT INTO input_files (run_id, path, name, sha256, size, kind, board, records)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

const INSERT_RESULTS: Insert = Insert {
    head: "INSERT INTO results (run_id, board, centre, candidate_number, uci, name, entry_code,
               syllabus_code, title, qualification, level, gradeset, is_award, grade,
               grade_partial_absence, grade2, grade2_partial_absence, mark, max_mark,
               endorsement, components_json, results_day, file, line)
           VALUES ",
    columns: 24,
};

const INSERT_FINDINGS: Insert = Insert {
    head: "INSERT INTO findings (run_id, severity, kind, board, centre, candidate_number, uci,
               name, entry_code, detail, file, line)
           VALUES ",
    columns: 12,
};

/// Rows saved by one `INSERT`: SQLite saves many rows in one statement much faster than in as
/// many statements of one row. 64 results bind 1,536 values, well under SQLite's limit of
/// 32,766.
const ROWS_PER_INSERT: usize = 64;

impl Insert {
    /// The statement that saves `rows` rows.
    fn sql(&self, rows: usize) -> String {
        let mut sql = String::with_capacity(self.head.len() + rows * (self.columns * 2 + 3));
        sql.push_str(self.head);
        for row in 0..rows {
            if row > 0 {
                sql.push(',');
            }
            sql.push('(');
            for column in 0..self.columns {
                if column > 0 {
                    sql.push(',');
                }
                sql.push('?');
            }
            sql.push(')');
        }
        sql
    }
}

/// Saves `rows` in order, [`ROWS_PER_INSERT`] a statement and the rest one at a time; `bind`
/// binds a row's values from the statement's parameter `at + 1` on.
fn insert_rows<T>(
    conn: &Connection,
    insert: &Insert,
    rows: &[T],
    mut bind: impl FnMut(&mut Statement, usize, &T) -> rusqlite::Result<()>,
) -> rusqlite::Result<()> {
    let mut chunks = rows.chunks_exact(ROWS_PER_INSERT);
    if chunks.len() > 0 {
        let mut stmt = conn.prepare_cached(&insert.sql(ROWS_PER_INSERT))?;
        for chunk in &mut chunks {
            for (i, row) in chunk.iter().enumerate() {
                bind(&mut stmt, i * insert.columns, row)?;
            }
            stmt.raw_execute()?;
        }
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut stmt = conn.prepare_cached(&insert.sql(1))?;
        for row in rest {
            bind(&mut stmt, 0, row)?;
            stmt.raw_execute()?;
        }
    }
    Ok(())
}

fn bind_values(stmt: &mut Statement, at: usize, values: &[&dyn ToSql]) -> rusqlite::Result<()> {
    for (i, value) in values.iter().enumerate() {
        stmt.raw_bind_parameter(at + i + 1, value)?;
    }
    Ok(())
}

/// Binds a result's 24 columns; `json` is room for its component marks.
fn bind_result(
    stmt: &mut Statement,
    at: usize,
    run_id: i64,
    r: &CandidateResult,
    json: &mut Vec<u8>,
) -> rusqlite::Result<()> {
    let components = components_json_into(&r.components, json)
        .map(|text| ToSqlOutput::Borrowed(ValueRef::Text(text)));
    bind_values(
        stmt,
        at,
        &[
            &run_id,
            &r.board,
            &r.centre,
            &r.candidate_number,
            &r.uci,
            &r.name,
            &r.entry_code,
            &r.syllabus_code,
            &r.title,
            &r.qualification,
            &r.level,
            &r.gradeset,
            &r.is_award,
            &r.grade.as_ref().map(|g| &g.code),
            &r.grade.as_ref().map(|g| g.partial_absence),
            &r.grade2.as_ref().map(|g| &g.code),
            &r.grade2.as_ref().map(|g| g.partial_absence),
            &r.mark,
            &r.max_mark,
            &r.endorsement,
            &components,
            &results_day_text(r.results_day),
            &r.source.file,
            &r.source.line,
        ],
    )
}

/// Binds a finding's 12 columns.
fn bind_finding(stmt: &mut Statement, at: usize, run_id: i64, f: &Finding) -> rusqlite::Result<()> {
    bind_values(
        stmt,
        at,
        &[
            &run_id,
            &f.severity.as_str(),
            &f.kind.as_str(),
            &f.board,
            &f.centre,
            &f.candidate_number,
            &f.uci,
            &f.name,
            &f.entry_code,
            &f.detail,
            &f.file,
            &f.line,
        ],
    )
}

fn latest_runs(
    conn: &Connection,
    path: &Path,
) -> Result<HashMap<(String, String), i64>, StoreError> {
    let err = |e| sql_error(path, "list its runs", e);
    let mut stmt = conn
        .prepare("SELECT centre, series, max(id) FROM runs GROUP BY centre, series")
        .map_err(err)?;
    let rows = stmt
        .query_map([], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))
        .map_err(err)?;
    rows.collect::<Result<_, _>>().map_err(err)
}

fn previous_run(
    conn: &Connection,
    path: &Path,
    centre: &str,
    series: &str,
    before_run_id: i64,
) -> Result<Option<i64>, StoreError> {
    conn.query_row(
        "SELECT id FROM runs WHERE centre = ?1 AND series = ?2 AND id < ?3
         ORDER BY id DESC LIMIT 1",
        params![centre, series, before_run_id],
        |r| r.get(0),
    )
    .optional()
    .map_err(|e| sql_error(path, "find the previous run", e))
}

/// Whether a run would save nothing that `run_id` did not: the same input files (by name,
/// SHA-256 and size), the same results and the same findings, each as the store keeps them
/// (every column it saves, in any order). What the store does not keep (the clock the run was
/// made as of, its settings for statements and analysis) is not compared.
pub fn same_as_saved(
    files: (&[InputFileRecord], &[InputFileRecord]),
    results: (&[CandidateResult], &[CandidateResult]),
    findings: (&[Finding], &[Finding]),
) -> bool {
    fn keys<T>(rows: &[T], key: impl Fn(&T) -> String) -> Vec<String> {
        let mut keys: Vec<String> = rows.iter().map(key).collect();
        keys.sort_unstable();
        keys
    }
    fn same<T>(pair: (&[T], &[T]), key: impl Fn(&T) -> String + Copy) -> bool {
        pair.0.len() == pair.1.len() && keys(pair.0, key) == keys(pair.1, key)
    }
    let file = |f: &InputFileRecord| format!("{:?}", (&f.name, &f.sha256, f.size));
    let result = |r: &CandidateResult| {
        let grade = |g: &Option<Grade>| g.as_ref().map(|g| (g.code.clone(), g.partial_absence));
        let components: Vec<_> = r
            .components
            .iter()
            .map(|c| (&c.code, &c.title, c.mark, c.max_mark))
            .collect();
        format!(
            "{:?}",
            (
                (&r.board, &r.centre, &r.candidate_number, &r.uci, &r.name),
                (&r.entry_code, &r.syllabus_code, &r.title, &r.qualification),
                (
                    r.level,
                    &r.gradeset,
                    r.is_award,
                    grade(&r.grade),
                    grade(&r.grade2)
                ),
                (r.mark, r.max_mark, &r.endorsement, components),
                (
                    results_day_text(r.results_day),
                    &r.source.file,
                    r.source.line
                ),
            )
        )
    };
    let finding = |f: &Finding| {
        format!(
            "{:?}",
            (
                (f.severity.as_str(), f.kind.as_str(), &f.board, &f.centre),
                (&f.candidate_number, &f.uci, &f.name, &f.entry_code),
                (&f.detail, &f.file, f.line),
            )
        )
    };
    same(files, file) && same(results, result) && same(findings, finding)
}

/// A time as the store keeps it (`runs.started_at`): RFC 3339, UTC.
pub fn time_text(t: &DateTime<Utc>) -> String {
    utc_text(t)
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

fn findings_of(conn: &Connection, path: &Path, run_id: i64) -> Result<Vec<Finding>, StoreError> {
    let err = |e| sql_error(path, "read the findings of a run", e);
    let mut stmt = conn
        .prepare(
            "SELECT severity, kind, board, centre, candidate_number, uci, name, entry_code,
                    detail, file, line
             FROM findings WHERE run_id = ?1 ORDER BY id",
        )
        .map_err(err)?;
    let rows = stmt.query_map([run_id], finding_from_row).map_err(err)?;
    rows.collect::<Result<_, _>>().map_err(err)
}

fn files_of(
    conn: &Connection,
    path: &Path,
    run_id: i64,
) -> Result<Vec<InputFileRecord>, StoreError> {
    let err = |e| sql_error(path, "read the input files of a run", e);
    let mut stmt = conn
        .prepare(
            "SELECT path, name, sha256, size, kind, board, records
             FROM input_files WHERE run_id = ?1 ORDER BY id",
        )
        .map_err(err)?;
    let rows = stmt
        .query_map([run_id], |r| {
            Ok(InputFileRecord {
                path: PathBuf::from(r.get::<_, String>(0)?),
                name: r.get(1)?,
                sha256: r.get(2)?,
                size: r.get(3)?,
                kind: r.get(4)?,
                board: r.get(5)?,
                records: r.get(6)?,
            })
        })
        .map_err(err)?;
    rows.collect::<Result<_, _>>().map_err(err)
}

/// The results a run saved, in the order it saved them.
fn results_of(
    conn: &Connection,
    path: &Path,
    run_id: i64,
) -> Result<Vec<CandidateResult>, StoreError> {
    let err = |e| sql_error(path, "read the results of a run", e);
    let mut stmt = conn
        .prepare(
            "SELECT board, centre, candidate_number, uci, name, entry_code, syllabus_code,
                    title, qualification, level, gradeset, is_award, grade,
                    grade_partial_absence, grade2, grade2_partial_absence, mark, max_mark,
                    endorsement, components_json, results_day, file, line
             FROM results WHERE run_id = ?1 ORDER BY id",
        )
        .map_err(err)?;
    let rows = stmt.query_map([run_id], result_from_row).map_err(err)?;
    rows.collect::<Result<_, _>>().map_err(err)
}

/// SHA-256 of `bytes` as 64 lower-case hex digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for b in digest {
        let _ = write!(hex, "{b:02x}");
    }
    hex
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

fn utc_text(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
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

fn unreadable(column: usize, what: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, Type::Text, Box::new(Unreadable(what)))
}

fn time_at(row: &Row, column: usize) -> rusqlite::Result<DateTime<FixedOffset>> {
    let text: String = row.get(column)?;
    DateTime::parse_from_rfc3339(&text)
        .map_err(|_| unreadable(column, format!("'{text}' is not a date and time")))
}

fn run_from_row(r: &Row) -> rusqlite::Result<RunSummary> {
    let counts: String = r.get(7)?;
    Ok(RunSummary {
        id: r.get(0)?,
        started_at: time_at(r, 1)?.with_timezone(&Utc),
        finished_at: time_at(r, 2)?.with_timezone(&Utc),
        as_of: time_at(r, 3)?,
        centre: r.get(4)?,
        series: r.get(5)?,
        version: r.get(6)?,
        counts: serde_json::from_str(&counts)
            .map_err(|e| unreadable(7, format!("run counts are not JSON: {e}")))?,
        elapsed_ms: r.get(8)?,
        files: r.get(9)?,
        results: r.get(10)?,
        findings: r.get(11)?,
    })
}

fn result_from_row(r: &Row) -> rusqlite::Result<CandidateResult> {
    let grade = |code: usize| -> rusqlite::Result<Option<Grade>> {
        let text: Option<String> = r.get(code)?;
        let partial: Option<bool> = r.get(code + 1)?;
        Ok(text.map(|code| Grade {
            code,
            partial_absence: partial.unwrap_or(false),
        }))
    };
    let day: String = r.get(20)?;
    Ok(CandidateResult {
        board: r.get(0)?,
        centre: r.get(1)?,
        candidate_number: r.get(2)?,
        uci: r.get(3)?,
        name: r.get(4)?,
        entry_code: r.get(5)?,
        syllabus_code: r.get(6)?,
        title: r.get(7)?,
        qualification: r.get(8)?,
        level: r.get(9)?,
        gradeset: r.get(10)?,
        is_award: r.get(11)?,
        grade: grade(12)?,
        grade2: grade(14)?,
        mark: r.get(16)?,
        max_mark: r.get(17)?,
        endorsement: r.get(18)?,
        components: components_from_json(r, 19)?,
        results_day: results_day_from_text(&day)
            .ok_or_else(|| unreadable(20, format!("'{day}' is not a results day")))?,
        source: Source {
            file: r.get(21)?,
            line: r.get(22)?,
        },
    })
}

fn finding_from_row(r: &Row) -> rusqlite::Result<Finding> {
    let severity: String = r.get(0)?;
    let kind: String = r.get(1)?;
    Ok(Finding {
        severity: severity_from_text(&severity)
            .ok_or_else(|| unreadable(0, format!("'{severity}' is not a severity")))?,
        kind: kind_from_text(&kind).ok_or_else(|| {
            unreadable(
                1,
                format!("'{kind}' is a kind of finding this resultsday does not know"),
            )
        })?,
        board: r.get(2)?,
        centre: r.get(3)?,
        candidate_number: r.get(4)?,
        uci: r.get(5)?,
        name: r.get(6)?,
        entry_code: r.get(7)?,
        detail: r.get(8)?,
        file: r.get(9)?,
        line: r.get(10)?,
    })
}

/// A component mark as the store keeps it in `components_json`; its own type so that the
/// stored form does not move with the model's serialisation. Written with borrowed text
/// (`StoredComponent<&str>`), read back as `StoredComponent<String>`.
#[derive(Serialize, Deserialize)]
struct StoredComponent<S> {
    code: S,
    title: S,
    mark: Option<u16>,
    max_mark: Option<u16>,
}

/// The component marks as `components_json` keeps them, written into `buf`; `None` when
/// there are none.
fn components_json_into<'b>(
    components: &[ComponentMark],
    buf: &'b mut Vec<u8>,
) -> Option<&'b [u8]> {
    struct Stored<'a>(&'a [ComponentMark]);
    impl Serialize for Stored<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(self.0.iter().map(|c| StoredComponent {
                code: c.code.as_str(),
                title: c.title.as_str(),
                mark: c.mark,
                max_mark: c.max_mark,
            }))
        }
    }
    if components.is_empty() {
        return None;
    }
    buf.clear();
    // A list of plain structs always serialises.
    serde_json::to_writer(&mut *buf, &Stored(components)).ok()?;
    Some(buf)
}

fn components_from_json(r: &Row, column: usize) -> rusqlite::Result<Vec<ComponentMark>> {
    let Some(text) = r.get::<_, Option<String>>(column)? else {
        return Ok(Vec::new());
    };
    let stored: Vec<StoredComponent<String>> = serde_json::from_str(&text)
        .map_err(|e| unreadable(column, format!("component marks are not readable: {e}")))?;
    Ok(stored
        .into_iter()
        .map(|c| ComponentMark {
            code: c.code,
            title: c.title,
            mark: c.mark,
            max_mark: c.max_mark,
        })
        .collect())
}

fn results_day_text(day: ResultsDay) -> &'static str {
    match day {
        ResultsDay::Gce => "gce",
        ResultsDay::Gcse => "gcse",
    }
}

fn results_day_from_text(text: &str) -> Option<ResultsDay> {
    [ResultsDay::Gce, ResultsDay::Gcse]
        .into_iter()
        .find(|d| results_day_text(*d) == text)
}

fn severity_from_text(text: &str) -> Option<Severity> {
    [Severity::Error, Severity::Warning]
        .into_iter()
        .find(|s| s.as_str() == text)
}

fn kind_from_text(text: &str) -> Option<FindingKind> {
    FindingKind::from_name(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_is_lower_case_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(sha256_hex(b"").len(), 64);
    }

    #[test]
    fn every_kind_reads_back() {
        for kind in crate::model::ALL_KINDS {
            assert_eq!(kind_from_text(kind.as_str()), Some(kind));
        }
        assert_eq!(kind_from_text("not_a_kind"), None);
    }

    #[test]
    fn days_and_severities_read_back() {
        for day in [ResultsDay::Gce, ResultsDay::Gcse] {
            assert_eq!(results_day_from_text(results_day_text(day)), Some(day));
        }
        for s in [Severity::Error, Severity::Warning] {
            assert_eq!(severity_from_text(s.as_str()), Some(s));
        }
    }

    #[test]
    fn migrations_start_with_the_v1_schema() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(tables, ["findings", "input_files", "results", "runs"]);
    }

    #[test]
    fn a_run_waits_for_another_using_the_store_then_gives_up() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let mut store = Store::open(&path).unwrap();
        // Free: no wait, and nothing said.
        let mut said = 0;
        drop(
            store
                .begin_runs_waiting(Duration::from_millis(100), &mut || said += 1)
                .unwrap(),
        );
        assert_eq!(said, 0);
        // Held by another: said once, waited, then refused.
        let other = Connection::open(&path).unwrap();
        other.execute_batch("BEGIN IMMEDIATE").unwrap();
        let started = std::time::Instant::now();
        let e = store
            .begin_runs_waiting(Duration::from_millis(300), &mut || said += 1)
            .unwrap_err();
        assert!(started.elapsed() >= Duration::from_millis(300));
        assert_eq!(said, 1);
        assert!(matches!(e, StoreError::Busy { .. }), "{e:?}");
        assert!(
            e.to_string()
                .starts_with("another run is still using the store"),
            "{e}"
        );
        // Released: the lock is taken, and the runs read under it.
        other.execute_batch("ROLLBACK").unwrap();
        let batch = store
            .begin_runs_waiting(Duration::from_millis(100), &mut || said += 1)
            .unwrap();
        assert!(batch.latest_runs().unwrap().is_empty());
        assert_eq!(said, 1);
    }

    #[test]
    fn busy_errors_say_the_store_is_locked() {
        let e = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            None,
        );
        let message = sql_error(Path::new("resultsday.db"), "save the run", e).to_string();
        assert_eq!(
            message,
            "the store resultsday.db is locked by another resultsday run; wait for it to \
             finish, then try again"
        );
    }
}
