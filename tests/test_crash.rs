//! A results-day run or a requests import killed at any moment (SIGKILL: no chance to tidy up)
//! leaves the store sound and as it was, or holding the whole new run. A run writes its whole set
//! of outputs into a staging folder in OUT (`.staging-<pid>`) before the store saves the run, and
//! puts it in place after: so while the store does not hold the re-run, OUT is exactly the
//! earlier run's set; once it does, a kill may come while the set is being put in place (each
//! file the earlier version or the new one, never a torn one), and the next run finishes putting
//! it in place. What a kill may leave besides is the staging folder (0700, its files 0600) and a
//! hidden temporary file named as one (`.probe.<pid>.tmp`), owner-only; the next run removes both.
//!
//! The kills land at delays spread over the whole of a run, and on events seen from outside:
//! the store's rollback journal appearing (the run's transaction is being written) and going (it
//! is committed), an output's temporary file appearing in the staging folder (that output is
//! being written), the staging folder's manifest appearing (the set is complete, the store about
//! to commit), and the re-run's `changes.csv` appearing in OUT (the set is being put in place).
//! Wherever a kill lands, the same checks hold, and the next run leaves OUT exactly the set the
//! store says.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use resultsday::synthetic::{generate, Spec};
use rusqlite::types::Value;
use rusqlite::Connection;

use common::copy_dir;

/// Candidates in the generated centre: a debug build runs the re-run in about a second.
const CANDIDATES: usize = 600;
const AS_OF: &str = "2026-08-20T10:00";

/// The outputs only a re-run has: its comparison with the run before.
const AFTER_COMMIT: &[&str] = &[
    "changes.csv",
    "statements-changed.html",
    "analysis/changes.csv",
];

/// Columns that hold the clock's time, which differs between two runs of the same inputs.
const CLOCK_COLUMNS: &[&str] = &[
    "started_at",
    "finished_at",
    "elapsed_ms",
    "created_at",
    "recorded_at",
];

/// The tests here take turns: each measures how long its command takes and spreads its kills
/// over that time, which the other would upset by taking the processors.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

fn resultsday() -> Command {
    Command::new(env!("CARGO_BIN_EXE_resultsday"))
}

// ---------------------------------------------------------------------------------------------
// Files and folders
// ---------------------------------------------------------------------------------------------

/// Every file under `dir`, by path relative to it, with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn go(root: &Path, dir: &Path, into: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                go(root, &path, into);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                into.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut all = BTreeMap::new();
    go(dir, dir, &mut all);
    all
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn journal_of(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-journal");
    PathBuf::from(name)
}

// ---------------------------------------------------------------------------------------------
// The store
// ---------------------------------------------------------------------------------------------

/// Every row of every table (and the schema's version and id), the clock's columns left out.
type Dump = BTreeMap<String, Vec<Vec<String>>>;

/// Opens the store as the next resultsday would (SQLite rolls back what a killed process left
/// in its journal), checks it is sound, and reads all of it.
fn dump(db: &Path) -> Dump {
    let conn = Connection::open(db).unwrap();
    let mut stmt = conn.prepare("PRAGMA integrity_check").unwrap();
    let check: Vec<String> = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(check, ["ok"], "integrity_check of {}", db.display());
    let mut all = Dump::new();
    for pragma in ["user_version", "application_id"] {
        let v: i64 = conn.pragma_query_value(None, pragma, |r| r.get(0)).unwrap();
        all.insert(format!("pragma {pragma}"), vec![vec![v.to_string()]]);
    }
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(tables.iter().any(|t| t == "runs"), "{tables:?}");
    for table in tables {
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM \"{table}\" ORDER BY rowid"))
            .unwrap();
        let keep: Vec<usize> = stmt
            .column_names()
            .iter()
            .enumerate()
            .filter(|(_, n)| !CLOCK_COLUMNS.contains(n))
            .map(|(i, _)| i)
            .collect();
        let rows: Vec<Vec<String>> = stmt
            .query_map([], |r| {
                keep.iter()
                    .map(|&i| r.get::<_, Value>(i).map(|v| format!("{v:?}")))
                    .collect()
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        all.insert(table, rows);
    }
    all
}

fn count(db: &Path, sql: &str) -> i64 {
    Connection::open(db)
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

/// Which of the two states a store is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stored {
    /// As it was before the command.
    Before,
    /// With everything the command saves.
    After,
}

fn which_state(found: &Dump, before: &Dump, after: &Dump, what: &str) -> Stored {
    if found == before {
        return Stored::Before;
    }
    if found == after {
        return Stored::After;
    }
    let differs: Vec<String> = found
        .iter()
        .filter(|(t, rows)| before.get(*t) != Some(rows) && after.get(*t) != Some(rows))
        .map(|(t, rows)| {
            format!(
                "{t}: {} rows (before {}, after {})",
                rows.len(),
                before.get(t).map_or(0, Vec::len),
                after.get(t).map_or(0, Vec::len)
            )
        })
        .collect();
    panic!("{what}: the store is neither as it was nor complete: {differs:?}");
}

// ---------------------------------------------------------------------------------------------
// Killing
// ---------------------------------------------------------------------------------------------

/// When to kill.
#[derive(Debug, Clone)]
enum When {
    /// This long after the start.
    After(Duration),
    /// As soon as this file exists.
    Exists(PathBuf),
    /// As soon as the temporary file of this output (relative to the folder) exists, in the
    /// folder or in a staging folder in it.
    Writing(PathBuf, &'static str),
    /// As soon as a staging folder in this folder has its manifest: the set is complete.
    Sealed(PathBuf),
    /// As soon as this file, once seen, is gone: the store's journal, at the commit.
    Gone(PathBuf),
    /// As soon as this file's size or time of change is not what it was at the start.
    Changed(PathBuf),
}

impl When {
    /// Whether the moment has come. `at_start` is what the file was when the command started,
    /// `seen` whether it has been there since.
    fn due(&self, started: Instant, at_start: &Option<FileState>, seen: &mut bool) -> bool {
        match self {
            When::Changed(path) => state_of(path) != *at_start,
            When::After(d) => started.elapsed() >= *d,
            When::Exists(path) => path.exists(),
            When::Gone(path) => {
                let there = path.exists();
                let gone = *seen && !there;
                *seen |= there;
                gone
            }
            When::Writing(out, rel) => {
                let (folder, name) = match rel.rsplit_once('/') {
                    Some((f, n)) => (PathBuf::from(f), n),
                    None => (PathBuf::new(), *rel),
                };
                let prefix = format!(".{name}.");
                let writing = |dir: PathBuf| {
                    std::fs::read_dir(dir.join(&folder)).is_ok_and(|entries| {
                        entries.flatten().any(|e| {
                            let n = e.file_name().to_string_lossy().into_owned();
                            n.starts_with(&prefix) && n.ends_with(".tmp")
                        })
                    })
                };
                writing(out.clone()) || stagings(out).into_iter().any(writing)
            }
            When::Sealed(out) => stagings(out)
                .into_iter()
                .any(|dir| dir.join(".manifest.json").exists()),
        }
    }

    fn label(&self) -> String {
        match self {
            When::After(d) => format!("after {} ms", d.as_millis()),
            When::Exists(path) => format!("when {} exists", path.display()),
            When::Writing(_, rel) => format!("while {rel} is written"),
            When::Sealed(_) => "when the set is sealed".to_string(),
            When::Gone(path) => format!("when {} is gone", path.display()),
            When::Changed(path) => format!("when {} changes", path.display()),
        }
    }
}

/// The staging folders in `out`.
fn stagings(out: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(out).map_or_else(
        |_| Vec::new(),
        |entries| {
            entries
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with(".staging-"))
                .map(|e| e.path())
                .collect()
        },
    )
}

/// A file's size and time of last change.
type FileState = (u64, std::time::SystemTime);

fn state_of(path: &Path) -> Option<FileState> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.len(), meta.modified().ok()?))
}

/// Starts `command`, kills it (SIGKILL) when `when` comes, and waits for it. `Some(status)` if it
/// ended of itself first.
fn kill_when(mut command: Command, when: &When) -> Option<std::process::ExitStatus> {
    let at_start = match when {
        When::Changed(path) => state_of(path),
        _ => None,
    };
    let mut child: Child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let mut seen = false;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        if when.due(started, &at_start, &mut seen) {
            child.kill().unwrap();
            child.wait().unwrap();
            return None;
        }
        match when {
            When::After(_) => std::thread::sleep(Duration::from_micros(200)),
            // A commit is over in milliseconds: look as often as the processor allows.
            _ => std::thread::yield_now(),
        }
    }
}

/// `n` delays from 0 to 1.15 times `whole`, so that the last land after a run that ends.
fn spread(whole: Duration, n: u32) -> Vec<When> {
    (0..n)
        .map(|i| When::After(whole.mul_f64(1.15 * f64::from(i) / f64::from(n - 1))))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// resultsday run
// ---------------------------------------------------------------------------------------------

/// A working folder: the generated results of one centre (`a`, and `b` with other grades),
/// the run's `out` and the store `s.db`, and copies of them kept to be put back.
struct Centre {
    dir: tempfile::TempDir,
}

impl Centre {
    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn run(&self, set: &str) -> Command {
        let mut c = resultsday();
        c.current_dir(self.dir.path())
            .args(["run", set, "--out", "out", "--db", "s.db", "--as-of", AS_OF])
            .arg("--quiet");
        c
    }

    fn run_whole(&self, set: &str) -> Duration {
        let started = Instant::now();
        let out = self.run(set).output().unwrap();
        let took = started.elapsed();
        assert_eq!(
            out.status.code(),
            Some(0),
            "run {set}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        took
    }

    /// Saves `out` and the store as `name`.
    fn keep(&self, name: &str) {
        copy_dir(&self.path("out"), &self.path(&format!("{name}/out")));
        std::fs::copy(self.path("s.db"), self.path(&format!("{name}/s.db"))).unwrap();
    }

    /// Puts back `out` and the store as kept under `name`.
    fn restore(&self, name: &str) {
        let _ = std::fs::remove_dir_all(self.path("out"));
        let _ = std::fs::remove_file(journal_of(&self.path("s.db")));
        copy_dir(&self.path(&format!("{name}/out")), &self.path("out"));
        std::fs::copy(self.path(&format!("{name}/s.db")), self.path("s.db")).unwrap();
    }
}

/// `run.json` as a value, without the time the run took.
fn run_json(bytes: &[u8], what: &str) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_slice(bytes)
        .unwrap_or_else(|e| panic!("{what}: run.json is not whole JSON: {e}"));
    let elapsed = v
        .as_object_mut()
        .unwrap()
        .remove("elapsed_seconds")
        .unwrap_or_else(|| panic!("{what}: run.json has no elapsed_seconds"));
    assert!(elapsed.is_number(), "{what}");
    v
}

/// What the re-run over the first run may leave: OUT and the store as the first run left them,
/// as the re-run leaves them, or (OUT only, once the store holds the re-run) on the way from
/// one to the other.
struct Expected {
    old: BTreeMap<String, Vec<u8>>,
    new: BTreeMap<String, Vec<u8>>,
    old_json: serde_json::Value,
    new_json: serde_json::Value,
    dump_before: Dump,
    dump_after: Dump,
    results_of_new_run: i64,
}

/// Whether `rel` is inside a run's staging folder (`.staging-<pid>/...`).
fn in_staging(rel: &str) -> bool {
    rel.split('/').next().is_some_and(|top| {
        top.strip_prefix(".staging-")
            .is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// Whether a file's name is a temporary one, as `resultsday::write::output` names them:
/// `.<name>.<process id>.tmp`.
fn is_temporary(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    name.strip_prefix('.')
        .and_then(|n| n.strip_suffix(".tmp"))
        .and_then(|n| n.rsplit_once('.'))
        .is_some_and(|(target, pid)| {
            !target.is_empty() && !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit())
        })
}

/// OUT's visible files (not those in a staging folder, not temporaries) are exactly `set`.
fn assert_set(
    visible: &BTreeMap<String, Vec<u8>>,
    set: &BTreeMap<String, Vec<u8>>,
    json: &serde_json::Value,
    what: &str,
) {
    let keys: Vec<&String> = visible.keys().collect();
    assert_eq!(keys, set.keys().collect::<Vec<_>>(), "{what}");
    for (rel, bytes) in visible {
        if rel == "run.json" {
            assert_eq!(&run_json(bytes, what), json, "{what}: run.json");
        } else {
            assert!(
                set.get(rel) == Some(bytes),
                "{what}: {rel} is not of the same set"
            );
        }
    }
}

/// The checks after a kill of the re-run; returns the state the store was left in.
///
/// OUT is the first run's set exactly while the store does not hold the re-run. Once it does,
/// the kill may have come while the re-run's set was being put in place: each file is the
/// earlier or the new one, the rest of the new set waiting in the staging folder, and the next
/// run puts it in place. Either way, the staging folder and any temporary file are owner-only.
fn check_after_kill(c: &Centre, e: &Expected, what: &str) -> Stored {
    let db = c.path("s.db");
    #[cfg(unix)]
    if journal_of(&db).exists() {
        assert_eq!(mode(&journal_of(&db)), 0o600, "{what}: the journal left");
    }
    let stored = which_state(&dump(&db), &e.dump_before, &e.dump_after, what);
    if stored == Stored::After {
        assert_eq!(
            count(&db, "SELECT count(*) FROM results WHERE run_id = 2"),
            e.results_of_new_run,
            "{what}"
        );
    }

    let found = files(&c.path("out"));
    let mut visible = BTreeMap::new();
    let mut staged = 0;
    let mut temporaries = 0;
    for (rel, bytes) in &found {
        #[cfg(unix)]
        if in_staging(rel) || is_temporary(rel) {
            assert_eq!(mode(&c.path("out").join(rel)), 0o600, "{what}: {rel}");
        }
        if in_staging(rel) {
            staged += 1;
        } else if is_temporary(rel) {
            temporaries += 1;
        } else {
            visible.insert(rel.clone(), bytes.clone());
        }
    }
    // Only a check that files can be made in a folder (`.probe.<pid>.tmp`) is written in OUT's
    // own folders, one at a time.
    assert!(
        temporaries <= 1,
        "{what}: {temporaries} temporary files in OUT"
    );
    #[cfg(unix)]
    for entry in std::fs::read_dir(c.path("out")).unwrap() {
        let entry = entry.unwrap();
        if in_staging(&entry.file_name().to_string_lossy()) {
            assert_eq!(mode(&entry.path()), 0o700, "{what}: the staging folder");
        }
    }
    match stored {
        Stored::Before => assert_set(&visible, &e.old, &e.old_json, what),
        Stored::After if staged == 0 => assert_set(&visible, &e.new, &e.new_json, what),
        Stored::After => {
            eprintln!("{what}: killed with the store saved and the set not all in place");
            for (rel, bytes) in &visible {
                if rel == "run.json" {
                    let v = run_json(bytes, what);
                    assert!(
                        v == e.old_json || v == e.new_json,
                        "{what}: run.json is neither the earlier nor the new one"
                    );
                    continue;
                }
                assert!(
                    e.old.get(rel) == Some(bytes) || e.new.get(rel) == Some(bytes),
                    "{what}: {rel} ({} bytes) is neither the earlier version nor the new one",
                    bytes.len()
                );
            }
        }
    }
    stored
}

/// The next run finishes or removes what a killed run left: a run that fails at once (a series
/// the folder does not have) after dealing with OUT leaves exactly the set the store says.
fn check_next_run_finishes_it(c: &Centre, e: &Expected, stored: Stored, what: &str) {
    let out = c.run("b").args(["--series", "9Z99"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{what}: the probe run");
    let found = files(&c.path("out"));
    let strays: Vec<&String> = found
        .keys()
        .filter(|rel| in_staging(rel) || is_temporary(rel))
        .collect();
    assert!(strays.is_empty(), "{what}: the next run left {strays:?}");
    match stored {
        Stored::Before => assert_set(&found, &e.old, &e.old_json, what),
        Stored::After => assert_set(&found, &e.new, &e.new_json, what),
    }
    let again = which_state(&dump(&c.path("s.db")), &e.dump_before, &e.dump_after, what);
    assert_eq!(again, stored, "{what}: the probe run changed the store");
}

const RESUMED: &str = "resumed after a kill mid-transaction";
const RERUN: &str = "re-run after a kill once the store held the run";

#[test]
fn a_run_killed_at_any_moment_leaves_the_store_and_every_output_whole() {
    let _turn = one_at_a_time();
    let c = Centre {
        dir: tempfile::tempdir().unwrap(),
    };
    for (set, seed) in [("a", 1), ("b", 2)] {
        generate(&Spec {
            candidates: CANDIDATES,
            centres: 1,
            out: c.path(set),
            seed,
        })
        .unwrap();
    }
    c.run_whole("a");
    c.keep("after-a");
    let dump_before = dump(&c.path("s.db"));
    let whole = c.run_whole("b");
    c.keep("after-b");
    let dump_after = dump(&c.path("s.db"));
    let old = files(&c.path("after-a/out"));
    let new = files(&c.path("after-b/out"));
    for rel in AFTER_COMMIT {
        assert!(!old.contains_key(*rel) && new.contains_key(*rel), "{rel}");
    }
    assert_ne!(old["statements.csv"], new["statements.csv"], "other grades");
    let results_of_new_run = count(
        &c.path("s.db"),
        "SELECT count(*) FROM results WHERE run_id = 2",
    );
    assert!(results_of_new_run > 5 * CANDIDATES as i64);
    assert_eq!(count(&c.path("s.db"), "SELECT count(*) FROM runs"), 2);
    let e = Expected {
        old_json: run_json(&old["run.json"], "the first run"),
        new_json: run_json(&new["run.json"], "the re-run"),
        old,
        new,
        dump_before,
        dump_after,
        results_of_new_run,
    };

    let out = c.path("out");
    let mut plan = spread(whole, 10);
    for _ in 0..3 {
        plan.push(When::Exists(journal_of(&c.path("s.db"))));
    }
    plan.push(When::Gone(journal_of(&c.path("s.db"))));
    for rel in [
        "statements.html",
        "statements.csv",
        "analysis.xlsx",
        "run.json",
        "statements-changed.html",
    ] {
        plan.push(When::Writing(out.clone(), rel));
    }
    // The set complete and about to be saved; then while it is put in place.
    plan.push(When::Sealed(out.clone()));
    plan.push(When::Exists(out.join("changes.csv")));
    for rel in ["statements.html", "analysis.xlsx", "findings.csv"] {
        plan.push(When::Changed(out.join(rel)));
    }

    let started = Instant::now();
    let mut landed: BTreeMap<String, usize> = BTreeMap::new();
    for when in &plan {
        c.restore("after-a");
        let what = when.label();
        let ended = kill_when(c.run("b"), when);
        if let Some(status) = ended {
            assert!(status.success(), "{what}: the run ended with {status}");
        }
        // A kill during the transaction: resultsday itself finds the journal the kill left (the
        // first few times; each costs a whole run).
        let journal_left = journal_of(&c.path("s.db")).exists();
        let resumed = landed.get(RESUMED).copied().unwrap_or(0);
        let recover = (journal_left && resumed < 2).then(|| {
            let kept = c.path("killed");
            let _ = std::fs::remove_dir_all(&kept);
            std::fs::create_dir(&kept).unwrap();
            std::fs::copy(c.path("s.db"), kept.join("s.db")).unwrap();
            std::fs::copy(journal_of(&c.path("s.db")), journal_of(&kept.join("s.db"))).unwrap();
            copy_dir(&out, &kept.join("out"));
            kept
        });
        let stored = check_after_kill(&c, &e, &what);
        if ended.is_some() {
            assert_eq!(stored, Stored::After, "{what}: a run that ended is saved");
            assert_eq!(files(&out).len(), e.new.len(), "{what}");
        }
        let key = match (ended, stored) {
            (Some(_), _) => "ran to the end".to_string(),
            (None, s) => format!("killed, store {s:?}"),
        };
        *landed.entry(key).or_default() += 1;
        // A kill once the store held the run: running the same files again records nothing
        // and leaves the re-run's set, its comparison with the first run included (the first
        // time only: it costs a whole run).
        let rerun_after = ended.is_none() && stored == Stored::After && !landed.contains_key(RERUN);
        if rerun_after {
            let kept = c.path("killed-after");
            let _ = std::fs::remove_dir_all(&kept);
            copy_dir(&out, &kept);
            c.run_whole("b");
            assert_set(
                &files(&out),
                &e.new,
                &e.new_json,
                &format!("{what}: re-run"),
            );
            assert_eq!(
                dump(&c.path("s.db")),
                e.dump_after,
                "{what}: re-run recorded nothing"
            );
            let _ = std::fs::remove_dir_all(&out);
            copy_dir(&kept, &out);
            *landed.entry(RERUN.into()).or_default() += 1;
        }
        check_next_run_finishes_it(&c, &e, stored, &what);
        // Once the store has rolled back what the kill left, running again completes the run.
        if let (Some(kept), Stored::Before) = (recover, stored) {
            std::fs::copy(kept.join("s.db"), c.path("s.db")).unwrap();
            std::fs::copy(journal_of(&kept.join("s.db")), journal_of(&c.path("s.db"))).unwrap();
            let _ = std::fs::remove_dir_all(&out);
            copy_dir(&kept.join("out"), &out);
            c.run_whole("b");
            let now = files(&out);
            assert_set(&now, &e.new, &e.new_json, &format!("{what}: re-run"));
            assert_eq!(dump(&c.path("s.db")), e.dump_after, "{what}: re-run");
            *landed.entry(RESUMED.into()).or_default() += 1;
        }
    }
    eprintln!(
        "{} kill points over a {} ms run, in {} ms: {landed:?}",
        plan.len(),
        whole.as_millis(),
        started.elapsed().as_millis()
    );
    // A kill at once finds the store as it was; a kill once changes.csv exists finds the run
    // saved: both kinds of landing were checked.
    assert!(landed.contains_key("killed, store Before"), "{landed:?}");
    assert!(
        landed.contains_key("killed, store After") || landed.contains_key("ran to the end"),
        "{landed:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// resultsday prs import
// ---------------------------------------------------------------------------------------------

/// Rows in the import file that break a rule and are never stored.
const REFUSED_ROWS: usize = 3;
/// Valid rows in the import file: enough that the import takes a second or so.
const IMPORT_ROWS: usize = 2500;

#[test]
fn an_import_killed_at_any_moment_stores_all_its_requests_or_none() {
    let _turn = one_at_a_time();
    let c = Centre {
        dir: tempfile::tempdir().unwrap(),
    };
    generate(&Spec {
        candidates: CANDIDATES,
        centres: 1,
        out: c.path("a"),
        seed: 1,
    })
    .unwrap();
    c.run_whole("a");

    // A review of marking of a component of each of the run's first results, asked for after
    // both results days with consent taken after them; and a few rows that break a rule.
    // The component is one the run holds for the entry where it holds any (as `prs import`
    // checks), else one named after the entry.
    let entries: Vec<(String, String, String, String)> = Connection::open(c.path("s.db"))
        .unwrap()
        .prepare(
            "SELECT candidate_number, board, entry_code, \
             coalesce(json_extract(components_json, '$[0].code'), entry_code || '01') \
             FROM results WHERE run_id = 1 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3 LIMIT ?1",
        )
        .unwrap()
        .query_map([IMPORT_ROWS], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut csv = String::from(
        "reference,candidate_number,board,entry_code,component_code,service,requested_on,consent_on\n",
    );
    for (i, (candidate, board, entry, component)) in entries.iter().enumerate() {
        csv.push_str(&format!(
            "GEN-{i:05},{candidate},{board},{entry},{component},S2,2026-08-24,2026-08-21\n"
        ));
        if i % 700 == 350 && i / 700 < REFUSED_ROWS {
            // Consent before the candidate saw the result.
            csv.push_str(&format!(
                "BAD-{i:05},{candidate},{board},{entry},{entry}02,S2,2026-08-24,2026-08-01\n"
            ));
        }
    }
    let valid = entries.len();
    assert_eq!(valid, IMPORT_ROWS);
    assert_eq!(csv.matches("\nBAD-").count(), REFUSED_ROWS);
    std::fs::write(c.path("requests.csv"), csv).unwrap();
    let import = || {
        let mut cmd = resultsday();
        cmd.current_dir(c.path(""))
            .args(["prs", "import", "requests.csv", "--db", "s.db"]);
        cmd
    };

    std::fs::create_dir(c.path("before")).unwrap();
    std::fs::copy(c.path("s.db"), c.path("before/s.db")).unwrap();
    let dump_before = dump(&c.path("s.db"));
    let started = Instant::now();
    let out = import().output().unwrap();
    let whole = started.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.starts_with(&format!(
            "requests.csv: {valid} stored, {REFUSED_ROWS} refused (centre 10000,"
        )),
        "{stdout}"
    );
    let dump_after = dump(&c.path("s.db"));
    let stored_rows = |db: &Path| count(db, "SELECT count(*) FROM prs_requests");
    assert_eq!(stored_rows(&c.path("s.db")), valid as i64);
    assert_eq!(
        count(
            &c.path("s.db"),
            "SELECT count(*) FROM prs_requests WHERE reference LIKE 'BAD-%'"
        ),
        0
    );

    let mut plan = spread(whole, 10);
    for _ in 0..3 {
        plan.push(When::Exists(journal_of(&c.path("s.db"))));
    }
    plan.push(When::Gone(journal_of(&c.path("s.db"))));
    let mut landed: BTreeMap<String, usize> = BTreeMap::new();
    for when in &plan {
        let _ = std::fs::remove_file(journal_of(&c.path("s.db")));
        std::fs::copy(c.path("before/s.db"), c.path("s.db")).unwrap();
        let what = when.label();
        let ended = kill_when(import(), when);
        if let Some(status) = ended {
            assert_eq!(
                status.code(),
                Some(1),
                "{what}: the import ended with {status}"
            );
        }
        #[cfg(unix)]
        if journal_of(&c.path("s.db")).exists() {
            assert_eq!(mode(&journal_of(&c.path("s.db"))), 0o600, "{what}");
        }
        let stored = which_state(&dump(&c.path("s.db")), &dump_before, &dump_after, &what);
        let rows = stored_rows(&c.path("s.db"));
        match stored {
            Stored::Before => assert_eq!(rows, 0, "{what}"),
            Stored::After => assert_eq!(rows, valid as i64, "{what}"),
        }
        if ended.is_some() {
            assert_eq!(stored, Stored::After, "{what}");
        }
        let key = match (ended, stored) {
            (Some(_), _) => "ran to the end".to_string(),
            (None, s) => format!("killed, store {s:?}"),
        };
        *landed.entry(key).or_default() += 1;
    }
    eprintln!(
        "{} kill points over a {} ms import: {landed:?}",
        plan.len(),
        whole.as_millis()
    );
    assert!(landed.contains_key("killed, store Before"), "{landed:?}");
}
