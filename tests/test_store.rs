//! The store: a run is saved whole or not at all and reads back as it was saved; the schema
//! moves forward and refuses what it does not know; the file stays readable by its owner only.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use chrono_tz::Europe::London;
use parsers::Grade;
use resultsday::model::{
    CandidateResult, ComponentMark, Finding, FindingKind, ResultsDay, Severity, Source,
};
use resultsday::store::{InputFileRecord, RunRecord, Store, StoreError, MIGRATIONS};

/// Set in a child process run by a test below: the folder its store lives in.
const CHILD_DIR: &str = "RESULTSDAY_TEST_STORE_CHILD_DIR";

fn result(candidate: &str, entry: &str, grade: &str) -> CandidateResult {
    CandidateResult {
        board: "70".into(),
        centre: "14520".into(),
        candidate_number: candidate.into(),
        uci: "14520X0000012A".into(),
        name: "O'NEILL:ÉMILE".into(),
        entry_code: entry.into(),
        syllabus_code: Some("8461".into()),
        title: "BIOLOGY".into(),
        qualification: "GCSE".into(),
        level: Some(2),
        gradeset: Some("GCSE9".into()),
        is_award: true,
        grade: Grade::parse(grade),
        grade2: None,
        mark: None,
        max_mark: None,
        endorsement: None,
        components: vec![],
        results_day: ResultsDay::Gcse,
        source: Source::new("R1452070.X01", 7),
    }
}

/// Results that exercise every column: a double award, `#`, component marks, an endorsement,
/// `X`, `Q`, a blank grade, an option not in the basedata.
fn sample_results() -> Vec<CandidateResult> {
    let mut double = result("0001", "8464H", "7");
    double.grade2 = Grade::parse("6#");
    double.title = "COMBINED SCIENCE: TRILOGY".into();

    let mut absent = result("0001", "8300F", "5#");
    absent.mark = Some(112);
    absent.max_mark = Some(240);

    let mut xml = result("0002", "H420A", "A*");
    xml.board = "01".into();
    xml.qualification = "GCE A".into();
    xml.level = Some(3);
    xml.results_day = ResultsDay::Gce;
    xml.endorsement = Some("P".into());
    xml.components = vec![
        ComponentMark {
            code: "01".into(),
            title: "Biological processes".into(),
            mark: Some(91),
            max_mark: Some(100),
        },
        ComponentMark {
            code: "02".into(),
            title: "Biological diversity".into(),
            mark: None,
            max_mark: Some(100),
        },
    ];
    xml.source = Source::new("a2c.14520.01.EDIResults.9f3c.xml", 0);

    let mut unknown = result("0003", "ZZ99", "");
    unknown.syllabus_code = None;
    unknown.title = String::new();
    unknown.qualification = String::new();
    unknown.level = None;
    unknown.gradeset = None;
    unknown.is_award = false;
    unknown.source = Source {
        file: String::new(),
        line: None,
    };

    vec![
        double,
        absent,
        xml,
        result("0003", "8461H", "X"),
        result("0004", "8461H", "Q"),
        unknown,
    ]
}

fn sample_findings() -> Vec<Finding> {
    vec![
        Finding::new(FindingKind::PartialAbsence, "70", "14520")
            .candidate("0001", "14520X0000012A", "O'NEILL:ÉMILE")
            .entry("8300F")
            .detail("grade 5# — work missing for some components")
            .at(&Source::new("R1452070.X01", 9)),
        Finding::new(FindingKind::MissingResult, "40", "14520")
            .candidate("0005", "", "SMITH:ANN")
            .entry("C420QS"),
        Finding::new(FindingKind::UnknownAwardingBody, "88", "14520")
            .detail("board 88 is not in the boards table")
            .at(&Source::new("R1452088.X01", 1)),
    ]
}

fn sample_files() -> Vec<InputFileRecord> {
    vec![
        InputFileRecord {
            path: PathBuf::from("/centre/results/R1452070.X01"),
            name: "R1452070.X01".into(),
            sha256: resultsday::store::sha256_hex(b"R1..."),
            size: 4_321,
            kind: "results".into(),
            board: "70".into(),
            records: 37,
        },
        InputFileRecord {
            path: PathBuf::from("/centre/basedata/S6A26_70.X01"),
            name: "S6A26_70.X01".into(),
            sha256: resultsday::store::sha256_hex(b""),
            size: 0,
            kind: "basedata".into(),
            board: String::new(),
            records: 0,
        },
    ]
}

/// Saves a run of `centre` and `series` with the given rows.
fn save(
    store: &mut Store,
    centre: &str,
    series: &str,
    results: &[CandidateResult],
    findings: &[Finding],
    files: &[InputFileRecord],
) -> i64 {
    store
        .record_run(&run_of(centre, series, results, findings, files))
        .unwrap()
}

fn run_of<'a>(
    centre: &'a str,
    series: &'a str,
    results: &'a [CandidateResult],
    findings: &'a [Finding],
    files: &'a [InputFileRecord],
) -> RunRecord<'a> {
    RunRecord {
        started_at: Utc.with_ymd_and_hms(2026, 8, 20, 0, 1, 2).unwrap(),
        as_of: London.with_ymd_and_hms(2026, 8, 20, 1, 1, 2).unwrap(),
        centre,
        series,
        version: "0.1.0",
        files,
        results,
        findings,
        tables: &[],
        counts: serde_json::json!({"results": results.len(), "findings": {"missing_result": 1}}),
        elapsed_ms: 1234,
    }
}

/// `n` results over many candidates and options, one in ten with component marks.
fn many_results(n: usize) -> Vec<CandidateResult> {
    (0..n)
        .map(|i| {
            let mut r = result(
                &format!("{:04}", i / 10),
                &format!("84{:02}H", i % 10),
                ["9", "7", "5#", "4", "U"][i % 5],
            );
            if i % 10 == 0 {
                r.components = (1..=3)
                    .map(|c| ComponentMark {
                        code: format!("0{c}"),
                        title: format!("Paper {c}"),
                        mark: Some(40 + c),
                        max_mark: Some(100),
                    })
                    .collect();
            }
            r
        })
        .collect()
}

fn integrity(path: &Path) -> String {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn companion(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

#[test]
fn a_run_reads_back_as_it_was_saved() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("resultsday.db")).unwrap();
    let (results, findings, files) = (sample_results(), sample_findings(), sample_files());
    let id = save(&mut store, "14520", "6A26", &results, &findings, &files);

    assert_eq!(store.results_of_run(id).unwrap(), results);
    assert_eq!(store.findings_of_run(id).unwrap(), findings);
    assert_eq!(store.files_of_run(id).unwrap(), files);

    let runs = store.runs().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run.id, id);
    assert_eq!(
        (run.centre.as_str(), run.series.as_str()),
        ("14520", "6A26")
    );
    assert_eq!((run.files, run.results, run.findings), (2, 6, 3));
    assert_eq!(run.version, "0.1.0");
    assert_eq!(run.elapsed_ms, 1234);
    assert_eq!(run.started_at.to_rfc3339(), "2026-08-20T00:01:02+00:00");
    assert_eq!(run.as_of.to_rfc3339(), "2026-08-20T01:01:02+01:00");
    assert!(run.finished_at >= run.started_at);
    assert_eq!(run.counts["findings"]["missing_result"], 1);
    assert_eq!(store.run(id).unwrap().as_ref(), Some(run));
    assert_eq!(store.run(id + 1).unwrap(), None);

    // The grades keep their `#` and the double award its second grade.
    let back = store.results_of_run(id).unwrap();
    assert_eq!(back[0].printed_grade(), "7-6#");
    assert_eq!(back[1].printed_grade(), "5#");
    assert_eq!(back[2].components[1].mark, None);
    assert_eq!(findings[0].severity, Severity::Warning);
}

#[test]
fn previous_run_is_the_latest_earlier_run_of_the_same_centre_and_series() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("resultsday.db")).unwrap();
    let results = sample_results();
    let first = save(&mut store, "14520", "6A26", &results, &[], &[]);
    let other_centre = save(&mut store, "14521", "6A26", &results, &[], &[]);
    let second = save(&mut store, "14520", "6A26", &results[..2], &[], &[]);
    let other_series = save(&mut store, "14520", "6B26", &results, &[], &[]);
    let third = save(&mut store, "14520", "6A26", &[], &[], &[]);

    assert_eq!(store.previous_run("14520", "6A26", first).unwrap(), None);
    assert_eq!(
        store.previous_run("14520", "6A26", second).unwrap(),
        Some(first)
    );
    assert_eq!(
        store.previous_run("14520", "6A26", third).unwrap(),
        Some(second)
    );
    assert_eq!(
        store.previous_run("14521", "6A26", other_centre).unwrap(),
        None
    );
    assert_eq!(
        store.previous_run("14520", "6B26", other_series).unwrap(),
        None
    );
    assert_eq!(store.results_of_run(second).unwrap(), results[..2]);
    assert!(store.results_of_run(third).unwrap().is_empty());
    let ids: Vec<i64> = store.runs().unwrap().iter().map(|r| r.id).collect();
    assert_eq!(ids, [first, other_centre, second, other_series, third]);
}

#[test]
fn a_new_or_empty_file_becomes_a_store_at_the_latest_schema() {
    let dir = tempfile::tempdir().unwrap();
    let new = dir.path().join("new.db");
    let store = Store::open(&new).unwrap();
    assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as i64);
    assert!(store.runs().unwrap().is_empty());

    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    let latest = MIGRATIONS.len() as i64;
    let store = Store::open(&empty).unwrap();
    assert_eq!(store.schema_version().unwrap(), latest);
    drop(store);
    // Opening again changes nothing.
    assert_eq!(
        Store::open(&empty).unwrap().schema_version().unwrap(),
        latest
    );
    assert_eq!(integrity(&empty), "ok");
}

#[test]
fn a_v1_store_takes_a_later_migration_and_keeps_its_runs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("resultsday.db");
    let results = sample_results();
    let id = {
        let mut v1 = Store::open_with(&path, &MIGRATIONS[..1]).unwrap();
        save(&mut v1, "14520", "6A26", &results, &sample_findings(), &[])
    };

    let mut migrations = MIGRATIONS[..1].to_vec();
    migrations.push(
        "CREATE TABLE prs_requests (
             reference TEXT PRIMARY KEY,
             run_id INTEGER REFERENCES runs (id),
             candidate_number TEXT NOT NULL
         ) STRICT;
         ALTER TABLE runs ADD COLUMN note TEXT;",
    );
    let mut v2 = Store::open_with(&path, &migrations).unwrap();
    assert_eq!(v2.schema_version().unwrap(), 2);
    assert_eq!(v2.results_of_run(id).unwrap(), results);
    let later = save(&mut v2, "14520", "6A26", &results, &[], &[]);
    assert_eq!(v2.previous_run("14520", "6A26", later).unwrap(), Some(id));
    drop(v2);

    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "INSERT INTO prs_requests VALUES ('PRS-1', ?1, '0001')",
        [id],
    )
    .unwrap();
    assert_eq!(integrity(&path), "ok");
}

#[test]
fn a_failing_migration_leaves_the_store_at_the_version_before() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("resultsday.db");
    let results = sample_results();
    let id = {
        let mut v1 = Store::open_with(&path, &MIGRATIONS[..1]).unwrap();
        save(&mut v1, "14520", "6A26", &results, &[], &[])
    };

    // The first statement works, the second fails: neither may stay.
    let broken = [
        MIGRATIONS[0],
        "CREATE TABLE certificates (id INTEGER PRIMARY KEY); ALTER TABLE no_such ADD x TEXT;",
    ];
    let e = Store::open_with(&path, &broken).unwrap_err();
    assert!(
        matches!(e, StoreError::Migration { version: 2, .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("left at version 1"), "{e}");

    let store = Store::open_with(&path, &MIGRATIONS[..1]).unwrap();
    assert_eq!(store.schema_version().unwrap(), 1);
    assert_eq!(store.results_of_run(id).unwrap(), results);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let certificates: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE name = 'certificates'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(certificates, 0);
}

#[test]
fn a_store_from_a_newer_resultsday_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("resultsday.db");
    let mut newer = MIGRATIONS.to_vec();
    newer.push("CREATE TABLE from_the_future (id INTEGER PRIMARY KEY);");
    drop(Store::open_with(&path, &newer).unwrap());

    let e = Store::open(&path).unwrap_err();
    assert!(
        matches!(
            e,
            StoreError::TooNew { found, known, .. }
                if found as usize == MIGRATIONS.len() + 1 && known == MIGRATIONS.len()
        ),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        format!(
            "the store {} was written by a newer resultsday (schema version {}; this resultsday \
             knows versions up to {}); use the newer resultsday, or give another file with --db",
            path.display(),
            MIGRATIONS.len() + 1,
            MIGRATIONS.len()
        )
    );
    // Refused as too new even while another run holds the write lock.
    let other = rusqlite::Connection::open(&path).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    assert!(matches!(
        Store::open(&path).unwrap_err(),
        StoreError::TooNew { .. }
    ));
    other.execute_batch("ROLLBACK").unwrap();
    // Refused, and left as it was.
    assert_eq!(
        Store::open_with(&path, &newer)
            .unwrap()
            .schema_version()
            .unwrap(),
        newer.len() as i64
    );
}

#[test]
fn a_file_that_is_not_a_sqlite_database_is_refused_by_name_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        ("entries.csv", &b"centre,candidate_number\n14520,0001\n"[..]),
        ("tiny.db", &b"SQLi"[..]),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        let e = Store::open(&path).unwrap_err();
        assert!(matches!(e, StoreError::NotAStore { .. }), "{e:?}");
        assert_eq!(
            e.to_string(),
            format!(
                "{} is not a resultsday store (it is not a SQLite database); give another file \
                 with --db",
                path.display()
            )
        );
        assert_eq!(std::fs::read(&path).unwrap(), bytes);
        #[cfg(unix)]
        assert_eq!(mode(&path), 0o644);
    }

    // A folder is not a store either.
    let e = Store::open(dir.path()).unwrap_err();
    assert!(e.to_string().contains("it is a folder"), "{e}");

    // Nor is a file in a folder that does not exist.
    let nowhere = dir.path().join("no-such-folder").join("resultsday.db");
    let e = Store::open(&nowhere).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "the store {} cannot be opened: its folder does not exist",
            nowhere.display()
        )
    );
}

#[test]
fn a_sqlite_database_of_another_program_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mis.sqlite");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE pupils (upn TEXT); INSERT INTO pupils VALUES ('A1');")
            .unwrap();
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let e = Store::open(&path).unwrap_err();
    assert!(matches!(e, StoreError::NotAStore { .. }), "{e:?}");
    assert!(
        e.to_string().contains(
            "mis.sqlite is not a resultsday store (it is a SQLite database of another program)"
        ),
        "{e}"
    );
    let conn = rusqlite::Connection::open(&path).unwrap();
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
        .unwrap();
    assert_eq!(tables, 1, "nothing added to the other program's file");
    #[cfg(unix)]
    assert_eq!(mode(&path), 0o644);
}

#[test]
fn a_store_locked_by_another_run_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("resultsday.db");
    let mut store = Store::open(&path).unwrap();
    store.set_busy_timeout(Duration::from_millis(50)).unwrap();

    let other = rusqlite::Connection::open(&path).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let results = sample_results();
    let e = store
        .record_run(&run_of("14520", "6A26", &results, &[], &[]))
        .unwrap_err();
    assert!(matches!(e, StoreError::Locked { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        format!(
            "the store {} is locked by another resultsday run; wait for it to finish, then try \
             again",
            path.display()
        )
    );

    other.execute_batch("ROLLBACK").unwrap();
    save(&mut store, "14520", "6A26", &results, &[], &[]);
    assert_eq!(store.runs().unwrap().len(), 1);
}

#[test]
fn a_run_is_invisible_to_others_until_it_is_all_saved() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("resultsday.db");
    let mut store = Store::open(&path).unwrap();
    let results = sample_results();
    save(&mut store, "14520", "6A26", &results, &[], &[]);

    let mut seen_by_other = None;
    let id = store
        .record_run_pausing(
            &run_of("14520", "6A26", &results, &sample_findings(), &[]),
            &mut || {
                let other = Store::open(&path).unwrap();
                seen_by_other = Some(other.runs().unwrap().len());
            },
        )
        .unwrap();
    assert_eq!(seen_by_other, Some(1));
    assert_eq!(store.runs().unwrap().len(), 2);
    assert_eq!(store.findings_of_run(id).unwrap().len(), 3);
}

#[test]
fn a_run_that_fails_before_commit_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("resultsday.db");
    let mut store = Store::open(&path).unwrap();
    let results = sample_results();
    let kept = save(&mut store, "14520", "6A26", &results, &[], &[]);

    let failed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        store.record_run_pausing(
            &run_of(
                "14520",
                "6A26",
                &many_results(2_000),
                &sample_findings(),
                &[],
            ),
            &mut || panic!("the run stops here"),
        )
    }));
    assert!(failed.is_err());

    let runs = store.runs().unwrap();
    assert_eq!(runs.iter().map(|r| r.id).collect::<Vec<_>>(), [kept]);
    assert_eq!(runs[0].results, results.len() as u64);
    // The store still takes runs.
    let next = save(&mut store, "14520", "6A26", &results, &[], &[]);
    assert_eq!(
        store.previous_run("14520", "6A26", next).unwrap(),
        Some(kept)
    );
}

/// Runs this test binary again as a child process that executes only `test`, with
/// [`CHILD_DIR`] set, under `umask`.
fn spawn_child(test: &str, dir: &Path, umask: &str) -> std::process::Child {
    let exe = std::env::current_exe().unwrap();
    Command::new("sh")
        .arg("-c")
        .arg(format!("umask {umask} && exec \"$0\" \"$@\""))
        .arg(exe)
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(CHILD_DIR, dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Child process of `the_store_is_owner_only_whatever_the_umask`: creates a store and saves a
/// run, checking the journal's mode while the run is being written.
#[test]
fn child_process_saves_a_run() {
    let Some(dir) = std::env::var_os(CHILD_DIR) else {
        return; // only does something when a test runs it as a child
    };
    let path = Path::new(&dir).join("resultsday.db");
    let mut store = Store::open(&path).unwrap();
    let results = sample_results();
    store
        .record_run_pausing(&run_of("14520", "6A26", &results, &[], &[]), &mut || {
            #[cfg(unix)]
            assert_eq!(mode(&companion(&path, "-journal")), 0o600);
        })
        .unwrap();
}

#[cfg(unix)]
#[test]
fn the_store_is_owner_only_whatever_the_umask() {
    for umask in ["022", "000"] {
        let dir = tempfile::tempdir().unwrap();
        let out = spawn_child("child_process_saves_a_run", dir.path(), umask)
            .wait_with_output()
            .unwrap();
        assert!(
            out.status.success(),
            "umask {umask}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let path = dir.path().join("resultsday.db");
        assert_eq!(mode(&path), 0o600, "umask {umask}");
        assert_eq!(Store::open(&path).unwrap().runs().unwrap().len(), 1);
    }
}

#[cfg(unix)]
#[test]
fn an_existing_store_and_its_companions_are_narrowed_to_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("resultsday.db");
    drop(Store::open(&path).unwrap());
    let wal = companion(&path, "-wal");
    std::fs::write(&wal, b"").unwrap();
    for file in [&path, &wal] {
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o644)).unwrap();
    }

    drop(Store::open(&path).unwrap());
    assert_eq!(mode(&path), 0o600);
    if wal.exists() {
        assert_eq!(mode(&wal), 0o600);
    }

    // A store its owner made read-only stays so: only group and others lose access.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let store = Store::open(&path).unwrap();
    assert_eq!(mode(&path), 0o400);
    assert!(store.runs().unwrap().is_empty());
}

/// How many results the killed run writes: enough that SQLite must spill pages of the
/// unfinished run into the store file itself before the kill.
const KILLED_RUN_RESULTS: usize = 30_000;

/// Child process of `a_run_killed_before_commit_leaves_the_earlier_runs`: writes a big run,
/// says so with a `ready` file, and waits inside the transaction to be killed.
#[test]
fn child_process_killed_mid_run() {
    let Some(dir) = std::env::var_os(CHILD_DIR) else {
        return; // only does something when a test runs it as a child
    };
    let dir = PathBuf::from(dir);
    let mut store = Store::open(&dir.join("resultsday.db")).unwrap();
    let results = many_results(KILLED_RUN_RESULTS);
    let findings = sample_findings();
    let files = sample_files();
    let _ = store.record_run_pausing(
        &run_of("14520", "6A26", &results, &findings, &files),
        &mut || {
            std::fs::write(dir.join("ready"), b"").unwrap();
            std::thread::sleep(Duration::from_secs(60));
        },
    );
    panic!("the child should have been killed before its run was saved");
}

#[cfg(unix)]
#[test]
fn a_run_killed_before_commit_leaves_the_earlier_runs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("resultsday.db");
    let results = sample_results();
    let before = {
        let mut store = Store::open(&path).unwrap();
        save(
            &mut store,
            "14520",
            "6A26",
            &results,
            &sample_findings(),
            &sample_files(),
        );
        save(&mut store, "14520", "6A26", &results[..3], &[], &[]);
        store.runs().unwrap()
    };
    let size_before = std::fs::metadata(&path).unwrap().len();

    let mut child = spawn_child("child_process_killed_mid_run", dir.path(), "022");
    let waited = Instant::now();
    while !dir.path().join("ready").exists() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the child ended before it was killed: {status}");
        }
        assert!(
            waited.elapsed() < Duration::from_secs(60),
            "the child never got ready"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    // The worst moment: the unfinished run is partly in the store file, with a hot journal.
    let journal = companion(&path, "-journal");
    assert!(journal.exists(), "the run's journal is on disk");
    assert_eq!(mode(&journal), 0o600);
    assert!(
        std::fs::metadata(&path).unwrap().len() > size_before,
        "the unfinished run has reached the store file"
    );
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    assert_eq!(integrity(&path), "ok");
    let store = Store::open(&path).unwrap();
    assert_eq!(integrity(&path), "ok");
    assert_eq!(store.runs().unwrap(), before);
    assert_eq!(store.results_of_run(before[0].id).unwrap(), results);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let rows: i64 = conn
        .query_row("SELECT count(*) FROM results", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows as usize, results.len() + 3);
}
