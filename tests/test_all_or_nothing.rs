//! OUT changes as one set, two runs on one store never compare with the wrong earlier run, and
//! the same inputs again record nothing (contract.md, "Rules of trust").
//!
//! - A run that fails part-way (a full disk, a folder where an output goes, a statement template
//!   that fails, the store refusing the run, the store still in use after the wait) leaves OUT
//!   byte for byte as the previous run left it, saves nothing, exits 2 and says what failed.
//! - Two runs started at once on one store: the second waits for the first, then compares with
//!   what the first saved; each run's `changes.csv` is what `resultsday diff` says of it.
//! - The same inputs again: nothing recorded, `changes.csv` and `statements-changed.html` of the
//!   last real change kept.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{copy_dir, resultsday};

const DAY_ONE: &str = "2026-08-20T10:00";
const AFTER_REVIEWS: &str = "2026-09-16T10:00";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Every file and folder under `dir` (hidden ones too), by path relative to it: a file's bytes,
/// or `None` for a folder.
fn tree(dir: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    fn go(root: &Path, dir: &Path, into: &mut BTreeMap<String, Option<Vec<u8>>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let path = e.unwrap().path();
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if path.is_dir() {
                into.insert(rel, None);
                go(root, &path, into);
            } else {
                into.insert(rel, Some(std::fs::read(&path).unwrap()));
            }
        }
    }
    let mut all = BTreeMap::new();
    go(dir, dir, &mut all);
    all
}

/// Asserts OUT is exactly as `before` (every file byte-identical, nothing added or removed).
fn assert_same_tree(out: &Path, before: &BTreeMap<String, Option<Vec<u8>>>, what: &str) {
    let now = tree(out);
    let added: Vec<&String> = now.keys().filter(|k| !before.contains_key(*k)).collect();
    let gone: Vec<&String> = before.keys().filter(|k| !now.contains_key(*k)).collect();
    assert!(
        added.is_empty() && gone.is_empty(),
        "{what}: OUT changed: added {added:?}, gone {gone:?}"
    );
    for (rel, bytes) in before {
        assert!(
            now[rel] == *bytes,
            "{what}: {rel} is not the previous run's"
        );
    }
}

fn runs_in(db: &Path) -> Vec<(i64, String)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT id, as_of FROM runs ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// A working folder: `in` (day one's files), the store `s.db` beside it, and OUT where asked.
struct Centre {
    dir: tempfile::TempDir,
}

impl Centre {
    fn new() -> Centre {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(Path::new("samples/results-day"), &dir.path().join("in"));
        Centre { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn db(&self) -> PathBuf {
        self.path("s.db")
    }

    /// The boards' amended results, into `in`.
    fn add_after_reviews(&self) {
        copy_dir(Path::new("samples/after-reviews"), &self.path("in/results"));
    }

    fn run(&self, out: &Path, as_of: &str) -> std::process::Output {
        resultsday()
            .arg("run")
            .arg(self.path("in"))
            .arg("--out")
            .arg(out)
            .arg("--db")
            .arg(self.db())
            .args(["--as-of", as_of])
            .output()
            .unwrap()
    }

    fn run_ok(&self, out: &Path, as_of: &str) -> String {
        let o = self.run(out, as_of);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).unwrap()
    }

    /// Runs the after-reviews re-run and expects it to fail: returns stderr.
    fn run_fails(&self, out: &Path, what: &str) -> String {
        let o = self.run(out, AFTER_REVIEWS);
        let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
        assert_eq!(
            o.status.code(),
            Some(2),
            "{what}: {}{stderr}",
            String::from_utf8_lossy(&o.stdout)
        );
        stderr
    }
}

// ---------------------------------------------------------------------------------------------
// 9. OUT changes as one set
// ---------------------------------------------------------------------------------------------

/// A small tmpfs, unmounted when dropped.
struct Tmpfs {
    at: PathBuf,
}

impl Tmpfs {
    /// `None` (with a note) when not root or the mount fails (a container without the right).
    fn mount(at: &Path, size: &str) -> Option<Tmpfs> {
        let uid = Command::new("id").arg("-u").output().ok()?;
        if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
            eprintln!("note: not root, so the full-disk test is skipped (CI runs it as root)");
            return None;
        }
        std::fs::create_dir_all(at).unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .stderr(Stdio::null())
            .status();
        if !status.is_ok_and(|s| s.success()) {
            eprintln!("note: a tmpfs could not be mounted here, so the full-disk test is skipped");
            return None;
        }
        Some(Tmpfs {
            at: at.to_path_buf(),
        })
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let ok = Command::new("umount")
            .arg(&self.at)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            let _ = Command::new("umount").arg("-l").arg(&self.at).status();
        }
    }
}

/// Fills the file system `file` is on: returns the size `file` reached.
fn fill(file: &Path) -> u64 {
    let mut f = std::fs::File::create(file).unwrap();
    let chunk = vec![0x5a_u8; 4096];
    let mut written = 0u64;
    loop {
        match f.write(&chunk) {
            Ok(0) => break,
            Ok(n) => written += n as u64,
            Err(e) => {
                assert_eq!(e.raw_os_error(), Some(28), "{e}");
                break;
            }
        }
    }
    let _ = f.sync_all();
    written
}

#[test]
fn a_full_disk_leaves_out_as_the_last_run_left_it_and_says_so() {
    let c = Centre::new();
    let Some(disk) = Tmpfs::mount(&c.path("small"), "600k") else {
        return;
    };
    let out = disk.at.join("out");
    c.run_ok(&out, DAY_ONE);
    let before = tree(&out);
    assert!(
        before.contains_key("statements.html"),
        "{:?}",
        before.keys()
    );
    c.add_after_reviews();

    // The disk filled, then a little room made, more each time: the re-run fails at one file
    // or another of its set, and each time OUT is as the first run left it.
    let filler = disk.at.join("filler");
    let full = fill(&filler);
    let mut failed = Vec::new();
    let mut fitted = false;
    for room in [0u64, 8, 24, 48, 80, 120, 160, 200, 260, 320] {
        let room = room * 1024;
        std::fs::OpenOptions::new()
            .write(true)
            .open(&filler)
            .unwrap()
            .set_len(full.saturating_sub(room))
            .unwrap();
        let what = format!("with {} KiB free", room / 1024);
        let o = c.run(&out, AFTER_REVIEWS);
        let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
        if o.status.code() == Some(0) {
            fitted = true;
            break;
        }
        assert_eq!(o.status.code(), Some(2), "{what}: {stderr}");
        assert!(
            stderr.contains("cannot be written: no space left on the device"),
            "{what}: {stderr}"
        );
        assert!(!stderr.contains("cannot be read"), "{what}: {stderr}");
        assert!(
            !stderr.contains(".staging-"),
            "{what}: names OUT's file: {stderr}"
        );
        assert_same_tree(&out, &before, &what);
        assert_eq!(runs_in(&c.db()).len(), 1, "{what}: nothing saved");
        failed.push(stderr.trim().to_string());
    }
    eprintln!(
        "the re-run on a full disk failed with:\n{}",
        failed.join("\n")
    );
    assert!(failed.len() >= 3, "{failed:?}");
    // Room for the new set: it replaces the old one whole.
    std::fs::remove_file(&filler).unwrap();
    if !fitted {
        c.run_ok(&out, AFTER_REVIEWS);
    }
    let after = tree(&out);
    assert!(after.contains_key("changes.csv"), "{:?}", after.keys());
    assert!(!after
        .keys()
        .any(|k| k.contains(".staging-") || k.ends_with(".tmp")));
    assert_eq!(runs_in(&c.db()).len(), 2);
}

#[test]
fn a_folder_where_an_output_goes_leaves_out_as_it_was() {
    for (blocked, expected) in [
        (
            "statements.html",
            "statements.html: cannot be written: it is a folder",
        ),
        ("analysis", "analysis: cannot be written:"),
    ] {
        let c = Centre::new();
        let out = c.path("out");
        c.run_ok(&out, DAY_ONE);
        // Where the run puts a file, a folder (holding something); or a file where a folder goes.
        let path = out.join(blocked);
        if path.is_dir() {
            std::fs::remove_dir_all(&path).unwrap();
            std::fs::write(&path, "not a folder").unwrap();
        } else {
            std::fs::remove_file(&path).unwrap();
            std::fs::create_dir(&path).unwrap();
            std::fs::write(path.join("notes.txt"), "mine").unwrap();
        }
        let before = tree(&out);
        c.add_after_reviews();
        let stderr = c.run_fails(&out, blocked);
        assert!(stderr.contains(expected), "{blocked}: {stderr}");
        assert!(
            stderr.contains("holds the last run's files as they were"),
            "{stderr}"
        );
        assert_same_tree(&out, &before, blocked);
        assert_eq!(runs_in(&c.db()).len(), 1, "{blocked}: nothing saved");
    }
}

#[test]
fn a_statement_template_that_fails_part_way_leaves_out_as_it_was() {
    let c = Centre::new();
    let out = c.path("out");
    c.run_ok(&out, DAY_ONE);
    let before = tree(&out);
    c.add_after_reviews();
    // findings.csv is written before the statements are made: it must not be left in OUT.
    std::fs::write(
        c.path("in/page.html"),
        "{% for page in pages %}{{ page | no_such_filter }}{% endfor %}",
    )
    .unwrap();
    let mut toml = std::fs::OpenOptions::new()
        .append(true)
        .open(c.path("in/resultsday.toml"))
        .unwrap();
    writeln!(toml, "statement_template = \"page.html\"").unwrap();
    let stderr = c.run_fails(&out, "template");
    assert!(stderr.contains("no_such_filter"), "{stderr}");
    assert_same_tree(&out, &before, "a failing template");
    assert_eq!(runs_in(&c.db()).len(), 1);
}

#[test]
fn a_store_that_refuses_the_run_part_way_leaves_out_as_it_was() {
    let c = Centre::new();
    let out = c.path("out");
    c.run_ok(&out, DAY_ONE);
    let before = tree(&out);
    c.add_after_reviews();
    // The store fails once the run's results are saved and its findings are being saved.
    rusqlite::Connection::open(c.db())
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER refuse BEFORE INSERT ON findings
             BEGIN SELECT RAISE(ABORT, 'the store refused'); END;",
        )
        .unwrap();
    let stderr = c.run_fails(&out, "store");
    assert!(
        stderr.contains("could not save the findings: the store refused"),
        "{stderr}"
    );
    assert_same_tree(&out, &before, "a store that refuses");
    assert_eq!(runs_in(&c.db()).len(), 1);
}

/// Holds the store's write lock, as a run saving its results does.
fn hold_lock(db: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    conn
}

#[test]
fn a_store_in_use_is_waited_for_then_the_run_is_refused_with_out_as_it_was() {
    let c = Centre::new();
    let out = c.path("out");
    c.run_ok(&out, DAY_ONE);
    let before = tree(&out);
    c.add_after_reviews();
    let lock = hold_lock(&c.db());
    let started = Instant::now();
    let o = resultsday()
        .env("RESULTSDAY_STORE_WAIT", "1")
        .arg("run")
        .arg(c.path("in"))
        .arg("--out")
        .arg(&out)
        .arg("--db")
        .arg(c.db())
        .args(["--as-of", AFTER_REVIEWS])
        .output()
        .unwrap();
    let took = started.elapsed();
    drop(lock);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "another run is using {}; waiting…",
            c.db().display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("another run is still using the store")
            && stderr.contains("after 1 second"),
        "{stderr}"
    );
    assert!(took >= Duration::from_secs(1), "{took:?}");
    assert_same_tree(&out, &before, "a store in use");
    assert_eq!(runs_in(&c.db()).len(), 1);
}

// ---------------------------------------------------------------------------------------------
// 10. Two runs on one store at once
// ---------------------------------------------------------------------------------------------

#[test]
fn two_runs_at_once_on_one_store_each_compare_with_the_run_before() {
    let tmp = tempfile::tempdir().unwrap();
    let w = tmp.path();
    copy_dir(Path::new("samples/results-day"), &w.join("day-one"));
    copy_dir(Path::new("samples/results-day"), &w.join("after"));
    copy_dir(Path::new("samples/after-reviews"), &w.join("after/results"));
    let db = w.join("s.db");
    // The store exists, and a third party holds it while both runs start: both must wait.
    drop(resultsday::store::Store::open(&db).unwrap());
    let lock = hold_lock(&db);
    let (said, heard) = std::sync::mpsc::channel::<(usize, String)>();
    let mut children = Vec::new();
    let mut readers = Vec::new();
    for (i, (input, as_of)) in [("day-one", DAY_ONE), ("after", AFTER_REVIEWS)]
        .into_iter()
        .enumerate()
    {
        let mut child = Command::new(env!("CARGO_BIN_EXE_resultsday"))
            .current_dir(w)
            .args([
                "run",
                input,
                "--out",
                &format!("out-{input}"),
                "--db",
                "s.db",
            ])
            .args(["--as-of", as_of])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let said = said.clone();
        readers.push(std::thread::spawn(move || {
            let mut all = String::new();
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = said.send((i, line.clone()));
                all.push_str(&line);
                all.push('\n');
            }
            all
        }));
        children.push((input, child));
    }
    let mut waiting = [false, false];
    let deadline = Instant::now() + Duration::from_secs(60);
    while !(waiting[0] && waiting[1]) {
        let left = deadline.saturating_duration_since(Instant::now());
        match heard.recv_timeout(left) {
            Ok((i, line)) if line.contains("another run is using s.db; waiting…") => {
                waiting[i] = true
            }
            Ok(_) => {}
            Err(_) => panic!("both runs should say they wait for the store: {waiting:?}"),
        }
    }
    drop(lock);

    let mut recorded = BTreeMap::new();
    for ((input, child), reader) in children.into_iter().zip(readers) {
        let o = child.wait_with_output().unwrap();
        let stderr = reader.join().unwrap();
        let stdout = String::from_utf8(o.stdout).unwrap();
        assert_eq!(o.status.code(), Some(0), "{input}: {stdout}{stderr}");
        let id: i64 = stdout
            .lines()
            .find_map(|l| l.strip_prefix("recorded as run "))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{input}: {stdout}"));
        recorded.insert(id, input);
    }
    assert_eq!(recorded.keys().copied().collect::<Vec<_>>(), [1, 2]);
    assert_eq!(runs_in(&db).len(), 2);
    // The first has nothing to compare with; the second compares with the first, exactly as
    // `resultsday diff` does.
    let first = w.join(format!("out-{}", recorded[&1]));
    assert!(
        !first.join("changes.csv").exists(),
        "run 1 compares with nothing"
    );
    let second = w.join(format!("out-{}", recorded[&2]));
    let diff = resultsday()
        .current_dir(w)
        .args([
            "diff", "--db", "s.db", "--from", "1", "--to", "2", "--out", "diff",
        ])
        .output()
        .unwrap();
    assert_eq!(diff.status.code(), Some(0));
    let changes = std::fs::read(second.join("changes.csv")).unwrap();
    assert_eq!(changes, std::fs::read(w.join("diff/changes.csv")).unwrap());
    // Five results differ between the two folders, whichever ran first.
    let rows = changes.iter().filter(|&&b| b == b'\n').count();
    assert_eq!(rows, 1 + 5, "{}", String::from_utf8_lossy(&changes));
}

// ---------------------------------------------------------------------------------------------
// 11. The same inputs again
// ---------------------------------------------------------------------------------------------

#[test]
fn the_same_inputs_again_record_nothing_and_keep_the_reprint_pack() {
    let c = Centre::new();
    let out = c.path("out");
    c.run_ok(&out, DAY_ONE);
    let import = resultsday()
        .args(["prs", "import", "samples/prs-requests.csv", "--db"])
        .arg(c.db())
        .output()
        .unwrap();
    assert_eq!(import.status.code(), Some(1), "two rows refused");
    c.add_after_reviews();
    let second = c.run_ok(&out, AFTER_REVIEWS);
    assert!(second.contains("recorded as run 2"), "{second}");
    let changes = std::fs::read(out.join("changes.csv")).unwrap();
    let pack = std::fs::read(out.join("statements-changed.html")).unwrap();
    let analysis_changes = std::fs::read(out.join("analysis/changes.csv")).unwrap();
    assert!(
        String::from_utf8_lossy(&changes).contains("NGA-PRS-002"),
        "answers a request"
    );
    let after_second = tree(&out);

    // The same files, the same clock.
    let third = c.run_ok(&out, AFTER_REVIEWS);
    assert!(third.contains("nothing has changed since run 2"), "{third}");
    assert!(!third.contains("recorded as run"), "{third}");
    assert_eq!(runs_in(&c.db()).len(), 2);
    assert_eq!(std::fs::read(out.join("changes.csv")).unwrap(), changes);
    assert_eq!(
        std::fs::read(out.join("statements-changed.html")).unwrap(),
        pack
    );
    assert_eq!(
        std::fs::read(out.join("analysis/changes.csv")).unwrap(),
        analysis_changes
    );
    let now = tree(&out);
    assert_eq!(
        now.keys().collect::<Vec<_>>(),
        after_second.keys().collect::<Vec<_>>()
    );
    for (rel, bytes) in &after_second {
        if rel != "run.json" {
            assert!(now[rel] == *bytes, "{rel} differs on a re-run");
        }
    }

    // The same files on results day before 08:00 by the clock given: still nothing recorded and
    // the comparison kept; the statements are made as of that clock.
    let early = c.run_ok(&out, "2026-08-20T07:00");
    assert!(early.contains("nothing has changed since run 2"), "{early}");
    assert_eq!(runs_in(&c.db()).len(), 2);
    assert_eq!(std::fs::read(out.join("changes.csv")).unwrap(), changes);
    assert!(out.join("statements-changed.html").exists());
    let run_json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
    assert!(
        run_json["as_of"]
            .as_str()
            .unwrap()
            .starts_with("2026-08-20T07:00"),
        "{run_json}"
    );

    // A file that differs by one byte is a real change: recorded, compared with run 2.
    let path = c.path("in/results/R1452070.X03");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend_from_slice(b"\r\n");
    std::fs::write(&path, bytes).unwrap();
    let fourth = c.run_ok(&out, AFTER_REVIEWS);
    assert!(fourth.contains("recorded as run 3"), "{fourth}");
    assert!(fourth.contains("since run 2:"), "{fourth}");
    assert_eq!(runs_in(&c.db()).len(), 3);
}
