//! Reading the store back: its runs ([`RunSummary`]), and a run's results, findings, input files
//! and tables, from an open [`Store`] or within a [`RunBatch`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, Utc};
use parsers::{Grade, Gradesets};
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::columns::{
    components_from_json, kind_from_text, results_day_from_text, severity_from_text, time_at,
};
use super::{sql_error, unreadable, InputFileRecord, RunBatch, Store, StoreError};
use crate::model::{CandidateResult, Finding, Source};

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

impl Store {
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

impl RunBatch<'_> {
    /// The results a saved run holds (see [`Store::results_of_run`]).
    pub fn results_of_run(&self, run_id: i64) -> Result<Vec<CandidateResult>, StoreError> {
        results_of(&self.tx, self.path, run_id)
    }

    /// The latest run of each centre and series, read under the lock this batch holds: no
    /// other run can save one before this batch is committed or dropped.
    pub fn latest_runs(&self) -> Result<HashMap<(String, String), i64>, StoreError> {
        latest_runs(&self.tx, self.path)
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
    /// (as [`time_text`](super::time_text) writes it): whether a run's staged files may be put in place.
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

/// Every row of one run in a table, in the order saved: `sql` selects them by `?1`, the run.
fn rows_of_run<T>(
    conn: &Connection,
    path: &Path,
    action: &'static str,
    sql: &str,
    run_id: i64,
    from_row: impl FnMut(&Row) -> rusqlite::Result<T>,
) -> Result<Vec<T>, StoreError> {
    let err = |e| sql_error(path, action, e);
    let mut stmt = conn.prepare(sql).map_err(err)?;
    let rows = stmt.query_map([run_id], from_row).map_err(err)?;
    rows.collect::<Result<_, _>>().map_err(err)
}

fn findings_of(conn: &Connection, path: &Path, run_id: i64) -> Result<Vec<Finding>, StoreError> {
    rows_of_run(
        conn,
        path,
        "read the findings of a run",
        "SELECT severity, kind, board, centre, candidate_number, uci, name, entry_code,
                    detail, file, line
             FROM findings WHERE run_id = ?1 ORDER BY id",
        run_id,
        finding_from_row,
    )
}

fn files_of(
    conn: &Connection,
    path: &Path,
    run_id: i64,
) -> Result<Vec<InputFileRecord>, StoreError> {
    rows_of_run(
        conn,
        path,
        "read the input files of a run",
        "SELECT path, name, sha256, size, kind, board, records
             FROM input_files WHERE run_id = ?1 ORDER BY id",
        run_id,
        |r| {
            Ok(InputFileRecord {
                path: PathBuf::from(r.get::<_, String>(0)?),
                name: r.get(1)?,
                sha256: r.get(2)?,
                size: r.get(3)?,
                kind: r.get(4)?,
                board: r.get(5)?,
                records: r.get(6)?,
            })
        },
    )
}

/// The results a run saved, in the order it saved them.
fn results_of(
    conn: &Connection,
    path: &Path,
    run_id: i64,
) -> Result<Vec<CandidateResult>, StoreError> {
    rows_of_run(
        conn,
        path,
        "read the results of a run",
        "SELECT board, centre, candidate_number, uci, name, entry_code, syllabus_code,
                    title, qualification, level, gradeset, is_award, grade,
                    grade_partial_absence, grade2, grade2_partial_absence, mark, max_mark,
                    endorsement, components_json, results_day, file, line
             FROM results WHERE run_id = ?1 ORDER BY id",
        run_id,
        result_from_row,
    )
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
