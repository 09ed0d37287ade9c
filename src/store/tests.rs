//! Unit tests of the store.

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;

use super::columns::{kind_from_text, results_day_from_text, results_day_text, severity_from_text};
use super::*;
use crate::model::{ResultsDay, Severity};

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
    let e =
        rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY), None);
    let message = sql_error(Path::new("resultsday.db"), "save the run", e).to_string();
    assert_eq!(
        message,
        "the store resultsday.db is locked by another resultsday run; wait for it to \
         finish, then try again"
    );
}
