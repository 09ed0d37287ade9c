//! Candidate data is personal data and results are confidential before release: every file
//! resultsday writes is its owner's only, whatever the umask; the terminal names candidates only
//! where the exams officer asked for a list of them; statements carry the embargo until 08:00 on
//! their results day, London time, summer and winter; the headline figures for third parties
//! wait for 09:30.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use resultsday::model::ResultsDay;
use resultsday::store::Store;

use common::copy_dir;

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples")
}

fn resultsday() -> Command {
    Command::new(env!("CARGO_BIN_EXE_resultsday"))
}

/// `resultsday ARGS` in `dir`, under `umask 000`: nothing the process creates is protected by the
/// umask, so whatever is owner-only is so because resultsday made it so.
fn resultsday_umask_000(dir: &Path, args: &[&str]) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(r#"umask 000; exec "$0" "$@""#)
        .arg(env!("CARGO_BIN_EXE_resultsday"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn expect_status(out: &Output, status: i32, what: &str) {
    assert_eq!(
        out.status.code(),
        Some(status),
        "{what}\nstdout:\n{}\nstderr:\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// Every file and folder under `dir` (not `dir` itself), by path relative to it.
fn walk(dir: &Path) -> BTreeMap<String, PathBuf> {
    fn go(root: &Path, dir: &Path, into: &mut BTreeMap<String, PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let path = e.unwrap().path();
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if path.is_dir() {
                go(root, &path, into);
            }
            into.insert(rel, path);
        }
    }
    let mut all = BTreeMap::new();
    go(dir, dir, &mut all);
    all
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::symlink_metadata(path)
        .unwrap()
        .permissions()
        .mode()
        & 0o7777
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The store file and the side files SQLite keeps beside it, those that exist.
fn store_files(db: &Path) -> Vec<PathBuf> {
    let mut files = vec![db.to_path_buf()];
    for suffix in ["-journal", "-wal", "-shm"] {
        let mut side = db.as_os_str().to_owned();
        side.push(suffix);
        let side = PathBuf::from(side);
        if side.exists() {
            files.push(side);
        }
    }
    files
}

// ---------------------------------------------------------------------------------------------
// Every file owner-only
// ---------------------------------------------------------------------------------------------

/// Everything a results day and a re-run write into OUT, with `--mis`.
const OUT_FILES: &[&str] = &[
    "analysis",
    "analysis.xlsx",
    "analysis/breakdown.csv",
    "analysis/changes.csv",
    "analysis/headline.csv",
    "analysis/subjects.csv",
    "changes.csv",
    "findings.csv",
    "run.json",
    "statements-changed.html",
    "statements.csv",
    "statements.html",
];

#[cfg(unix)]
#[test]
fn every_file_and_folder_written_is_owner_only_under_umask_000() {
    let dir = tempfile::tempdir().unwrap();
    let w = dir.path();
    copy_dir(&samples().join("results-day"), &w.join("in"));
    let mis = samples().join("candidates.csv");
    let mis = mis.to_str().unwrap();
    // OUT and the store's folder do not exist: resultsday makes them, and their parents.
    let run = |as_of: &str| {
        resultsday_umask_000(
            w,
            &[
                "run",
                "in",
                "--out",
                "new/out",
                "--db",
                "store/s.db",
                "--mis",
                mis,
                "--as-of",
                as_of,
            ],
        )
    };
    expect_status(&run("2026-08-20T10:00"), 0, "results day");
    let prs = samples().join("prs-requests.csv");
    let out = resultsday_umask_000(
        w,
        &["prs", "import", prs.to_str().unwrap(), "--db", "store/s.db"],
    );
    // Two of the samples' eight requests break a rule; the other six are stored.
    expect_status(&out, 1, "prs import");
    for f in std::fs::read_dir(samples().join("after-reviews")).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), w.join("in/results").join(f.file_name())).unwrap();
    }
    expect_status(&run("2026-09-16T10:00"), 0, "the re-run");
    let out = resultsday_umask_000(
        w,
        &[
            "prs",
            "export",
            "--out",
            "prs-log.csv",
            "--db",
            "store/s.db",
        ],
    );
    expect_status(&out, 0, "prs export");
    let out = resultsday_umask_000(
        w,
        &[
            "certs",
            "--db",
            "store/s.db",
            "receive",
            "--board",
            "70",
            "--on",
            "2026-11-02",
            "--all",
        ],
    );
    expect_status(&out, 0, "certs receive");
    let out = resultsday_umask_000(
        w,
        &[
            "certs",
            "--db",
            "store/s.db",
            "export",
            "--out",
            "certificates.csv",
        ],
    );
    expect_status(&out, 0, "certs export");
    let out = resultsday_umask_000(
        w,
        &["diff", "--db", "store/s.db", "--out", "diffs/september"],
    );
    expect_status(&out, 0, "diff");

    let written = walk(&w.join("new"));
    let in_out: BTreeSet<&str> = written
        .keys()
        .filter_map(|k| k.strip_prefix("out/"))
        .collect();
    assert_eq!(
        in_out,
        OUT_FILES.iter().copied().collect(),
        "what OUT holds"
    );
    let mut checked = 0;
    for (rel, path) in &written {
        let want = if path.is_dir() { 0o700 } else { 0o600 };
        assert_eq!(mode(path), want, "new/{rel}");
        checked += 1;
    }
    assert_eq!(checked, OUT_FILES.len() + 1, "new/out and everything in it");
    assert_eq!(mode(&w.join("new")), 0o700, "new/, made for OUT");
    assert_eq!(mode(&w.join("store")), 0o700, "store/, made for the store");
    let store = store_files(&w.join("store/s.db"));
    assert_eq!(
        walk(&w.join("store")).len(),
        store.len(),
        "the store's folder holds the store and its side files only"
    );
    for f in store {
        assert_eq!(mode(&f), 0o600, "{}", f.display());
    }
    for f in [
        "prs-log.csv",
        "certificates.csv",
        "diffs/september/changes.csv",
    ] {
        assert!(std::fs::metadata(w.join(f)).unwrap().len() > 100, "{f}");
        assert_eq!(mode(&w.join(f)), 0o600, "{f}");
    }
    assert_eq!(mode(&w.join("diffs")), 0o700, "diffs/, made for diff --out");
    assert_eq!(mode(&w.join("diffs/september")), 0o700);
    assert_eq!(
        walk(&w.join("diffs")).len(),
        2,
        "diff --out wrote changes.csv and nothing else"
    );
    let top: BTreeSet<String> = walk(w)
        .keys()
        .filter(|k| !k.contains('/'))
        .cloned()
        .collect();
    assert_eq!(
        top,
        [
            "certificates.csv",
            "diffs",
            "in",
            "new",
            "prs-log.csv",
            "store"
        ]
        .map(String::from)
        .into(),
        "no temporary file is left beside an export"
    );
}

/// Files someone opened up are replaced by owner-only ones: a results file that is readable by
/// others, or a store, once resultsday writes it again, is owner-only. A folder that exists is
/// the owner's to have set (it may be shared on purpose, or be their home folder), so resultsday
/// leaves its mode alone; what it writes into it is owner-only all the same.
#[cfg(unix)]
#[test]
fn files_left_readable_by_others_are_owner_only_once_written_again() {
    let dir = tempfile::tempdir().unwrap();
    let w = dir.path();
    let results_day = samples().join("results-day");
    let args = [
        "run",
        results_day.to_str().unwrap(),
        "--out",
        "out",
        "--db",
        "s.db",
        "--as-of",
        "2026-08-20T10:00",
    ];
    expect_status(&resultsday_umask_000(w, &args), 0, "first run");
    let before = walk(&w.join("out"));
    assert!(before.len() >= 7, "{before:?}");
    for path in before.values() {
        set_mode(path, if path.is_dir() { 0o777 } else { 0o666 });
    }
    set_mode(&w.join("out"), 0o755);
    set_mode(&w.join("s.db"), 0o644);
    expect_status(&resultsday_umask_000(w, &args), 0, "second run");
    let after = walk(&w.join("out"));
    // The second run is of the same files: nothing has changed, so it records nothing new and
    // writes the same set again, with no comparison.
    for rel in before.keys() {
        assert!(after.contains_key(rel), "{rel}");
    }
    assert!(!after.contains_key("changes.csv"));
    for (rel, path) in &after {
        let want = if path.is_dir() { 0o777 } else { 0o600 };
        assert_eq!(mode(path), want, "out/{rel}");
    }
    assert_eq!(mode(&w.join("out")), 0o755, "OUT as its owner set it");
    for f in store_files(&w.join("s.db")) {
        assert_eq!(mode(&f), 0o600, "{}", f.display());
    }

    // An export over a file others could read replaces it with an owner-only one.
    std::fs::write(w.join("prs-log.csv"), "an old export\n").unwrap();
    set_mode(&w.join("prs-log.csv"), 0o644);
    let out = resultsday_umask_000(
        w,
        &["prs", "export", "--out", "prs-log.csv", "--db", "s.db"],
    );
    expect_status(&out, 0, "prs export");
    assert_eq!(mode(&w.join("prs-log.csv")), 0o600);
    assert!(std::fs::read_to_string(w.join("prs-log.csv"))
        .unwrap()
        .starts_with("\u{feff}reference,candidate_number,board,"));
}

// ---------------------------------------------------------------------------------------------
// Names on the terminal
// ---------------------------------------------------------------------------------------------

/// The samples' candidates: (candidate number, surname, forenames), from the MIS export.
fn sample_candidates() -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(samples().join("candidates.csv")).unwrap();
    let list: Vec<(String, String, String)> = text
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].to_string(), f[2].to_string(), f[3].to_string())
        })
        .collect();
    assert!(list.len() > 10, "{}", list.len());
    list
}

/// The upper-case words of `text`: names are sent in capitals, the messages are in lower case.
fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_alphabetic() || c == '\'' || c == '-'))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Forenames and surnames of the samples' candidates that appear in `text`, as whole words.
fn names_in(text: &str, candidates: &[(String, String, String)]) -> Vec<String> {
    let found = words(text);
    let mut names = BTreeSet::new();
    for (_, surname, forenames) in candidates {
        for name in std::iter::once(surname.as_str()).chain(forenames.split(' ')) {
            if found.contains(name) {
                names.insert(name.to_string());
            }
        }
    }
    names.into_iter().collect()
}

/// A samples folder with problems of whole files: a results file cut short (no trailer), a file
/// of bytes that are not a results file at all, and XML that ends part-way.
fn folder_with_broken_files(w: &Path) -> PathBuf {
    let dir = w.join("in");
    copy_dir(&samples().join("results-day"), &dir);
    let path = dir.join("results/R1452070.X01");
    let bytes = std::fs::read(&path).unwrap();
    // Cut before the centre trailer: the file has neither R7 nor R9.
    let cut = bytes
        .windows(3)
        .position(|w| w == b"\nR7")
        .expect("the file has a centre trailer");
    std::fs::write(&path, &bytes[..cut + 1]).unwrap();
    let junk: Vec<u8> = (0u8..=255).cycle().take(4096).collect();
    std::fs::write(dir.join("results/R1452088.X05"), junk).unwrap();
    std::fs::write(
        dir.join("results/a2c.14520.01.EDIResults.cut.xml"),
        "<?xml version=\"1.0\"?>\n<EDIResults><Centre>14520</Centre><Candidate><Name>AHMED:ZARA",
    )
    .unwrap();
    dir
}

/// The lines of the run's "most urgent" list.
fn urgent_lines(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .skip_while(|l| *l != "most urgent:")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect()
}

/// On the terminal a candidate is named only in the run's "most urgent" list, which the exams
/// officer reads to chase results, and there by candidate number and surname alone; a problem of
/// a whole file (cut short, not a results file, broken XML) names no candidate, and nothing goes
/// to the error stream with a name in it.
#[test]
fn the_terminal_names_candidates_only_in_the_most_urgent_list() {
    let dir = tempfile::tempdir().unwrap();
    let w = dir.path();
    folder_with_broken_files(w);
    let out = resultsday()
        .current_dir(w)
        .args(["run", "in", "--out", "out", "--db", "s.db"])
        .args(["--as-of", "2026-08-20T07:30"])
        .output()
        .unwrap();
    expect_status(&out, 0, "the run");
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    let candidates = sample_candidates();
    assert_eq!(
        names_in(&stderr, &candidates),
        Vec::<String>::new(),
        "{stderr}"
    );

    // The whole-file problems are reported, by file, with no name.
    let findings = std::fs::read_to_string(w.join("out/findings.csv")).unwrap();
    let whole_file: Vec<&str> = findings
        .lines()
        .filter(|l| {
            l.contains(",results/R1452088.X05,")
                || l.contains(",results/a2c.14520.01.EDIResults.cut.xml,")
                || l.starts_with("error,trailer_mismatch,70,")
        })
        .collect();
    assert!(
        whole_file
            .iter()
            .any(|l| l.starts_with("error,trailer_mismatch,70,14520,,,,,")),
        "{findings}"
    );
    assert!(whole_file
        .iter()
        .any(|l| l.contains(",results/R1452088.X05,")));
    assert!(whole_file.iter().any(|l| l.contains("EDIResults.cut.xml")));
    for l in &whole_file {
        assert_eq!(names_in(l, &candidates), Vec::<String>::new(), "{l}");
    }

    let urgent = urgent_lines(&stdout);
    assert_eq!(urgent.len(), 10, "{stdout}");
    for line in stdout.lines() {
        let named = names_in(line, &candidates);
        if named.is_empty() {
            continue;
        }
        assert!(urgent.contains(&line), "a name outside the list: {line}");
        // `  error   board 70 0005 EVANS 8145 missing_result: ...`: the number, then the surname.
        let (number, surname, _) = candidates
            .iter()
            .find(|(n, _, _)| line.contains(&format!(" {n} ")))
            .unwrap_or_else(|| panic!("a name without its candidate number: {line}"));
        assert!(
            line.contains(&format!(" {number} {surname} ")),
            "{line}: {number} {surname}"
        );
        assert_eq!(named, vec![surname.clone()], "{line}: only the surname");
    }
    // Whole-file problems in the list carry no candidate.
    for line in urgent.iter().filter(|l| l.contains("trailer_mismatch")) {
        assert_eq!(names_in(line, &candidates), Vec::<String>::new(), "{line}");
    }
    // The list does name candidates (so the checks above had something to check).
    assert!(
        urgent.iter().any(|l| l.contains(" 0005 EVANS ")),
        "{stdout}"
    );
}

/// A run that stops on bad input (a results file that cannot be read) says which file and why,
/// and names no candidate.
#[test]
fn an_unreadable_file_is_named_without_naming_candidates() {
    let dir = tempfile::tempdir().unwrap();
    let w = dir.path();
    let folder = folder_with_broken_files(w);
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        w.join("nowhere/R1452040.X07"),
        folder.join("results/R1452040.X07"),
    )
    .unwrap();
    let out = resultsday()
        .current_dir(w)
        .args(["run", "in", "--out", "out", "--db", "s.db", "--quiet"])
        .args(["--as-of", "2026-08-20T07:30"])
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    #[cfg(unix)]
    {
        expect_status(&out, 2, "a file that cannot be read");
        assert!(stderr.contains("R1452040.X07"), "{stderr}");
    }
    assert_eq!(text(&out.stdout), "", "--quiet");
    let candidates = sample_candidates();
    assert_eq!(
        names_in(&stderr, &candidates),
        Vec::<String>::new(),
        "{stderr}"
    );

    // A folder with nothing to run: the message names the folder and what was expected.
    std::fs::create_dir(w.join("empty")).unwrap();
    std::fs::write(w.join("empty/notes.txt"), "AHMED:ZARA 0001\n").unwrap();
    let out = resultsday()
        .current_dir(w)
        .args(["run", "empty", "--out", "out2", "--db", "s.db"])
        .output()
        .unwrap();
    expect_status(&out, 2, "no results files");
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(all.contains("no results or entries files found"), "{all}");
    assert_eq!(names_in(&all, &candidates), Vec::<String>::new(), "{all}");
}

/// A name with a control character in it is a problem of that record, and the terminal's note
/// about it must say where it is without printing the name: today `run` prints the parser's
/// message, which quotes the field (`candidate name: control characters in text:
/// 'AHMED:Z\x07RA'`). The fix is in `print_summary` in src/cmd/run.rs.
#[test]
fn a_control_character_in_a_name_is_noted_without_the_name() {
    let dir = tempfile::tempdir().unwrap();
    let w = dir.path();
    copy_dir(&samples().join("results-day"), &w.join("in"));
    let path = w.join("in/results/R1452070.X01");
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes
        .windows(10)
        .position(|w| w == b"AHMED:ZARA")
        .expect("0001's result");
    bytes[at + 7] = 0x07;
    std::fs::write(&path, bytes).unwrap();
    let out = resultsday()
        .current_dir(w)
        .args(["run", "in", "--out", "out", "--db", "s.db"])
        .args(["--as-of", "2026-08-20T07:30"])
        .output()
        .unwrap();
    expect_status(&out, 0, "the run");
    let stdout = text(&out.stdout);
    let note = stdout
        .lines()
        .find(|l| l.contains("control characters"))
        .unwrap_or_else(|| panic!("no note of the control character: {stdout}"));
    assert!(note.contains("R1452070.X01"), "{note}");
    assert!(
        !note.contains("AHMED") && !note.contains("Z\\x07RA"),
        "{note}"
    );
}

// ---------------------------------------------------------------------------------------------
// The embargo on statements
// ---------------------------------------------------------------------------------------------

/// A run of `folder` at `as_of` into a fresh OUT: (stdout, the statements pages by candidate
/// number, the whole statements.html, each candidate's results days).
struct Statements {
    stdout: String,
    html: String,
    pages: BTreeMap<String, String>,
    days: BTreeMap<String, BTreeSet<ResultsDay>>,
    run_json: serde_json::Value,
}

fn statements_at(folder: &Path, as_of: &str) -> Statements {
    let dir = tempfile::tempdir().unwrap();
    let w = dir.path();
    let out = resultsday()
        .current_dir(w)
        .arg("run")
        .arg(folder)
        .args(["--out", "out", "--db", "s.db", "--as-of", as_of])
        .output()
        .unwrap();
    expect_status(&out, 0, as_of);
    let html = std::fs::read_to_string(w.join("out/statements.html")).unwrap();
    let mut pages = BTreeMap::new();
    for part in html
        .split("<section class=\"page\" id=\"candidate-")
        .skip(1)
    {
        let number = part[..4].to_string();
        assert!(number.bytes().all(|b| b.is_ascii_digit()), "{number}");
        pages.insert(number, part.to_string());
    }
    let store = Store::open_existing(&w.join("s.db")).unwrap();
    let mut days: BTreeMap<String, BTreeSet<ResultsDay>> = BTreeMap::new();
    for r in store.results_of_run(1).unwrap() {
        days.entry(r.candidate_number.clone())
            .or_default()
            .insert(r.results_day);
    }
    assert_eq!(
        pages.keys().collect::<Vec<_>>(),
        days.keys().collect::<Vec<_>>(),
        "a page per candidate with results"
    );
    let run_json = serde_json::from_slice(&std::fs::read(w.join("out/run.json")).unwrap()).unwrap();
    Statements {
        stdout: text(&out.stdout),
        html,
        pages,
        days,
        run_json,
    }
}

/// What a page says about being held back, if anything (`None`: no mark and no wording).
fn held_until(page: &str) -> Option<String> {
    let lower = page.to_lowercase();
    let title = "embargoed — not to be released to the candidate before ";
    match lower.find(title) {
        None => {
            for word in [
                "embargo",
                "confidential",
                "not to be released",
                "hold-stamp",
            ] {
                assert!(
                    !lower.contains(word),
                    "'{word}' on a released page:\n{page}"
                );
            }
            None
        }
        Some(at) => {
            let rest = &page[at + title.len()..];
            let until = rest[..rest.find('<').unwrap()].to_string();
            assert!(page.contains("<div class=\"hold-stamp\" aria-hidden=\"true\">EMBARGOED</div>"));
            assert!(
                page.contains(&format!("EMBARGOED until {until}</td>")),
                "{page}"
            );
            Some(until)
        }
    }
}

/// The candidates whose results are all on `day`, and those with some on it.
fn on_day(s: &Statements, day: ResultsDay) -> (Vec<&String>, Vec<&String>) {
    let only = s
        .days
        .iter()
        .filter(|(_, d)| d.len() == 1 && d.contains(&day))
        .map(|(n, _)| n)
        .collect();
    let some = s
        .days
        .iter()
        .filter(|(_, d)| d.contains(&day))
        .map(|(n, _)| n)
        .collect();
    (only, some)
}

/// Checks every page of a run at `as_of`: held until `gcse_until` if the candidate has a GCSE-day
/// result still to come, else until `gce_until` if a GCE-day one, else no mark or wording.
fn check_pages(s: &Statements, gce_until: Option<&str>, gcse_until: Option<&str>) {
    for (number, page) in &s.pages {
        let days = &s.days[number];
        let want = [(ResultsDay::Gcse, gcse_until), (ResultsDay::Gce, gce_until)]
            .into_iter()
            .filter(|(d, _)| days.contains(d))
            .find_map(|(_, until)| until);
        assert_eq!(
            held_until(page).as_deref(),
            want,
            "candidate {number} ({days:?})"
        );
    }
    let any_held = gce_until.is_some() || gcse_until.is_some();
    if !any_held {
        let lower = s.html.to_lowercase();
        assert!(!lower.contains("embargo"), "no embargo wording anywhere");
        assert!(!lower.contains(".hold"), "no embargo styles");
    }
}

/// The June 2026 samples (A levels on Thursday 13 August, GCSEs on Thursday 20 August, both in
/// BST): each page is marked until 08:00:00 London of its results day and not a second longer.
#[test]
fn june_statements_are_embargoed_until_eight_o_clock_bst_on_their_own_results_day() {
    let folder = samples().join("results-day");
    let gce = "08:00 on Thursday 13 August 2026";
    let gcse = "08:00 on Thursday 20 August 2026";

    let s = statements_at(&folder, "2026-08-13T07:59:59");
    let (gce_only, _) = on_day(&s, ResultsDay::Gce);
    let (gcse_only, _) = on_day(&s, ResultsDay::Gcse);
    assert!(gce_only.len() >= 3 && gcse_only.len() >= 3, "{:?}", s.days);
    check_pages(&s, Some(gce), Some(gcse));
    assert!(
        s.stdout.contains(
            "confidential: A level and level 3 results may not reach candidates before 08:00 on Thursday 13 August 2026"
        ),
        "{}",
        s.stdout
    );

    let s = statements_at(&folder, "2026-08-13T08:00:00");
    check_pages(&s, None, Some(gcse));
    assert!(!s.stdout.contains("A level and level 3 results may not"));
    assert!(s.stdout.contains(
        "confidential: GCSE and level 1/2 results may not reach candidates before 08:00 on Thursday 20 August 2026"
    ));

    let s = statements_at(&folder, "2026-08-20T07:59:59");
    check_pages(&s, None, Some(gcse));

    let s = statements_at(&folder, "2026-08-20T08:00:00");
    check_pages(&s, None, None);
    assert!(!s.stdout.contains("confidential:"), "{}", s.stdout);
}

/// `--as-of` with an offset names an instant: in August 06:59:59Z is 07:59:59 BST (held) and
/// 07:00Z is 08:00 BST (released); `+01:00` says the same.
#[test]
fn as_of_in_utc_is_read_as_the_instant_it_names() {
    let folder = samples().join("results-day");
    let gcse = "08:00 on Thursday 20 August 2026";
    for (as_of, held, london) in [
        ("2026-08-20T06:59:59Z", true, "2026-08-20T07:59:59+01:00"),
        ("2026-08-20T07:00Z", false, "2026-08-20T08:00:00+01:00"),
        ("2026-08-20T07:00:00Z", false, "2026-08-20T08:00:00+01:00"),
        (
            "2026-08-20T07:59:59+01:00",
            true,
            "2026-08-20T07:59:59+01:00",
        ),
        ("2026-08-20T08:00+01:00", false, "2026-08-20T08:00:00+01:00"),
    ] {
        let s = statements_at(&folder, as_of);
        assert_eq!(s.run_json["as_of"], london, "{as_of}");
        check_pages(&s, None, held.then_some(gcse));
    }
}

/// The samples as a November 2025 series (series code BG25): results on Thursday 8 January 2026,
/// when London is on GMT.
fn november_folder(w: &Path) -> PathBuf {
    let dir = w.join("november");
    copy_dir(&samples().join("results-day"), &dir);
    for (_, path) in walk(&dir) {
        if path.is_dir() {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let mut changed = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i..].len() >= 4 && bytes[i..i + 4].eq_ignore_ascii_case(b"6A26") {
                changed.extend_from_slice(b"BG25");
                i += 4;
            } else {
                changed.push(bytes[i]);
                i += 1;
            }
        }
        std::fs::write(&path, changed).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let renamed = name.replace("6A26", "BG25").replace("6a26", "BG25");
        if renamed != name {
            std::fs::rename(&path, path.with_file_name(renamed)).unwrap();
        }
    }
    dir
}

#[test]
fn november_statements_are_embargoed_until_eight_o_clock_gmt() {
    let dir = tempfile::tempdir().unwrap();
    let folder = november_folder(dir.path());
    let until = "08:00 on Thursday 8 January 2026";
    let s = statements_at(&folder, "2026-01-08T07:59:59");
    assert_eq!(s.run_json["series"], "BG25");
    assert_eq!(s.run_json["series_name"], "November 2025");
    assert_eq!(
        s.run_json["records"]["results after replacement"], 116,
        "every result of the samples"
    );
    // One results day for every qualification in November.
    check_pages(&s, Some(until), Some(until));
    assert!(
        s.stdout.contains("as of Thu 8 Jan 2026 07:59 GMT"),
        "{}",
        s.stdout
    );
    let s = statements_at(&folder, "2026-01-08T08:00:00");
    check_pages(&s, None, None);
    // In January 08:00Z is 08:00 London, and 07:59:59Z is before it.
    let s = statements_at(&folder, "2026-01-08T07:59:59Z");
    check_pages(&s, Some(until), Some(until));
    let s = statements_at(&folder, "2026-01-08T08:00Z");
    check_pages(&s, None, None);
    // An hour's offset in January is an hour before 08:00 London.
    let s = statements_at(&folder, "2026-01-08T08:30+01:00");
    assert_eq!(s.run_json["as_of"], "2026-01-08T07:30:00+00:00");
    check_pages(&s, Some(until), Some(until));
}

// ---------------------------------------------------------------------------------------------
// Third parties: the headline figures at 09:30
// ---------------------------------------------------------------------------------------------

/// `run` of the samples into `out` (in `w`) at `as_of`, with more arguments.
fn run_into(w: &Path, out: &str, as_of: &str, more: &[&str]) -> (String, serde_json::Value) {
    let output = resultsday()
        .current_dir(w)
        .arg("run")
        .arg(samples().join("results-day"))
        .args(["--out", out, "--db", "s.db", "--as-of", as_of])
        .args(more)
        .output()
        .unwrap();
    expect_status(&output, 0, as_of);
    let json = std::fs::read(w.join(out).join("run.json")).unwrap();
    (text(&output.stdout), serde_json::from_slice(&json).unwrap())
}

fn outputs(json: &serde_json::Value) -> Vec<String> {
    json["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

/// The samples have GCSE results, so their headline figures wait for 09:30 on the GCSE day, the
/// last results day among them: not at 10:00 on the A level day, not at 09:29:59 on the GCSE
/// day, and from 09:30:00 on. `--force-release` writes them early.
#[test]
fn the_headline_csv_waits_for_half_past_nine_on_the_last_results_day() {
    let dir = tempfile::tempdir().unwrap();
    let w = dir.path();
    let held = "held back until 09:30 on Thursday 20 August 2026";
    for (as_of, more, written) in [
        ("2026-08-13T10:00", &[][..], false),
        ("2026-08-20T09:29:59", &[][..], false),
        ("2026-08-20T08:29:59Z", &[][..], false),
        ("2026-08-20T09:30:00", &[][..], true),
        ("2026-08-20T08:30Z", &[][..], true),
        ("2026-08-20T09:29:59", &["--force-release"][..], true),
    ] {
        let out = format!("out-{}", as_of.replace(':', ""));
        let out = if more.is_empty() {
            out
        } else {
            format!("{out}-forced")
        };
        let (stdout, json) = run_into(w, &out, as_of, more);
        let headline = w.join(&out).join("analysis/headline.csv");
        let what = format!("{as_of} {more:?}");
        assert_eq!(headline.exists(), written, "{what}");
        assert_eq!(
            outputs(&json).contains(&"analysis/headline.csv".to_string()),
            written,
            "{what}"
        );
        assert_eq!(
            json["third_party_outputs"],
            if written { "written" } else { held },
            "{what}"
        );
        assert_eq!(
            stdout.contains(&format!(
                "analysis/headline.csv (for the local authority and the press) {held}"
            )),
            !written,
            "{what}: {stdout}"
        );
        if written {
            let csv = std::fs::read_to_string(&headline).unwrap();
            assert!(
                csv.starts_with("\u{feff}measure,value,denominator\n"),
                "{csv}"
            );
            assert!(csv.contains("\ngcse_entries,"), "{csv}");
        }
    }
}

/// A headline.csv that an earlier run wrote (after 09:30, or forced) does not stay in OUT when
/// a later run is held back: the folder would offer the figures before their time.
#[test]
fn a_held_back_run_leaves_no_earlier_headline_csv_in_out() {
    let dir = tempfile::tempdir().unwrap();
    let w = dir.path();
    let (_, json) = run_into(w, "out", "2026-08-20T07:30", &["--force-release"]);
    assert_eq!(json["third_party_outputs"], "written");
    let headline = w.join("out/analysis/headline.csv");
    assert!(headline.exists());

    let (stdout, json) = run_into(w, "out", "2026-08-20T07:45", &[]);
    assert_eq!(
        json["third_party_outputs"],
        "held back until 09:30 on Thursday 20 August 2026"
    );
    assert!(!headline.exists(), "the forced run's headline.csv is gone");
    assert!(!outputs(&json).contains(&"analysis/headline.csv".to_string()));
    assert!(stdout.contains("written: findings.csv,"), "{stdout}");
    assert!(!stdout.contains("analysis/headline.csv,"), "{stdout}");
    // The same files again record nothing new, so there is no comparison with a run before.
    let left: Vec<String> = walk(&w.join("out/analysis")).into_keys().collect();
    assert_eq!(
        left,
        ["subjects.csv"],
        "analysis/ holds this run's files only"
    );

    // From 09:30 it is written again.
    let (_, json) = run_into(w, "out", "2026-08-20T09:30", &[]);
    assert_eq!(json["third_party_outputs"], "written");
    assert!(headline.exists());
}
