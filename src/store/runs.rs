//! Saving runs: what a run saves ([`RunRecord`], [`InputFileRecord`]), the transaction that
//! saves one or many ([`RunBatch`]), and whether a run would save anything new
//! ([`same_as_saved`]).

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use parsers::Grade;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{params, Connection, Statement, ToSql, TransactionBehavior};

use super::columns::{components_json_into, results_day_text, utc_text};
use super::error::is_busy;
use super::{sql_error, Store, StoreError, BUSY_TIMEOUT};
use crate::model::{CandidateResult, Finding};

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

impl Store {
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
}

/// Runs being saved in one transaction (see [`Store::begin_runs`]). Dropped without
/// [`RunBatch::commit`], it saves nothing.
pub struct RunBatch<'s> {
    pub(super) tx: rusqlite::Transaction<'s>,
    pub(super) path: &'s Path,
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
