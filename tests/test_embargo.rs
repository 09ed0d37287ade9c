//! The embargo fails closed (contract.md, "Rules of trust"): `--as-of` may move the clock back,
//! never forward past what the real clock still holds; a series missing from the calendar is
//! under embargo; a centre's `series.toml` cannot release anything earlier than the built-in
//! calendar; a result whose own results day is unknown waits for the series' last release; and
//! dates given by hand must be possible ones.
//!
//! "Now" is faked with `RESULTSDAY_NOW`, a test hook that can only hold the real clock back. The
//! samples are June 2026: A levels on Thursday 13 August, GCSEs on Thursday 20 August.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{copy_dir, resultsday};

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn expect(out: &Output, status: i32, what: &str) {
    assert_eq!(
        out.status.code(),
        Some(status),
        "{what}\nstdout:\n{}\nstderr:\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// A working folder: `run` writes `out/` and `s.db` in it.
struct Work {
    dir: tempfile::TempDir,
}

impl Work {
    fn new() -> Work {
        Work {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `resultsday ARGS` in the working folder, with "now" held back to `now` if given.
    fn cmd(&self, now: Option<&str>, args: &[&str]) -> Output {
        let mut c = resultsday();
        c.current_dir(self.dir.path()).env_remove("RESULTSDAY_NOW");
        if let Some(now) = now {
            c.env("RESULTSDAY_NOW", now);
        }
        c.args(args).output().unwrap()
    }

    /// `resultsday run FOLDER --out out --db s.db ARGS`.
    fn run(&self, folder: &Path, now: Option<&str>, args: &[&str]) -> Output {
        let mut all = vec![
            "run",
            folder.to_str().unwrap(),
            "--out",
            "out",
            "--db",
            "s.db",
        ];
        all.extend(args);
        self.cmd(now, &all)
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    fn run_json(&self) -> serde_json::Value {
        serde_json::from_str(&self.read("out/run.json")).unwrap()
    }
}

/// Every page of a statements.html by candidate number.
fn pages(html: &str) -> std::collections::BTreeMap<String, String> {
    html.split("<section class=\"page\" id=\"candidate-")
        .skip(1)
        .map(|p| (p[..4].to_string(), p.to_string()))
        .collect()
}

/// What a page's mark says it is held until, if it is held.
fn held_until(page: &str) -> Option<String> {
    let title = "EMBARGOED — not to be released to the candidate before ";
    let at = page.find(title)?;
    let rest = &page[at + title.len()..];
    Some(rest[..rest.find('<').unwrap()].to_string())
}

/// A copy of the samples at `to`, with the series code `6A26` (any case) replaced by `code`, in
/// the files and their names; and the centre number `14520` by `centre`, if given.
fn samples_as(to: &Path, code: &str, centre: Option<&str>) -> PathBuf {
    copy_dir(&samples().join("results-day"), to);
    fn files(dir: &Path, into: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                files(&path, into);
            } else {
                into.push(path);
            }
        }
    }
    let mut all = Vec::new();
    files(to, &mut all);
    let replace = |bytes: &[u8], from: &[u8], to: &[u8]| -> Vec<u8> {
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i..].len() >= from.len() && bytes[i..i + from.len()].eq_ignore_ascii_case(from)
            {
                out.extend_from_slice(to);
                i += from.len();
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        out
    };
    for path in all {
        let mut bytes = replace(&std::fs::read(&path).unwrap(), b"6A26", code.as_bytes());
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let mut renamed = name.replace("6A26", code).replace("6a26", code);
        if let Some(centre) = centre {
            bytes = replace(&bytes, b"14520", centre.as_bytes());
            renamed = renamed.replace("14520", centre);
        }
        std::fs::write(&path, bytes).unwrap();
        if renamed != name {
            std::fs::rename(&path, path.with_file_name(renamed)).unwrap();
        }
    }
    to.to_path_buf()
}

// ---------------------------------------------------------------------------------------------
// 1. --as-of moves the clock back, never forward
// ---------------------------------------------------------------------------------------------

/// The small hours of GCSE restricted release day: an `--as-of` of results day morning would
/// release the GCSE statements and the headline figures, so it is refused, saying so.
#[test]
fn an_as_of_later_than_now_is_refused_saying_what_it_would_release() {
    let w = Work::new();
    let folder = samples().join("results-day");
    let out = w.run(
        &folder,
        Some("2026-08-19T06:00"),
        &["--as-of", "2026-08-20T10:00"],
    );
    expect(&out, 2, "an --as-of after now");
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(
            "--as-of 10:00 on Thursday 20 August 2026 is later than now (06:00 on Wednesday 19 \
             August 2026)"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "GCSE and level 1/2 results of June 2026 to candidates (from 08:00 on Thursday 20 \
             August 2026)"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("analysis/headline.csv, from 09:30 on Thursday 20 August 2026"),
        "{stderr}"
    );
    assert!(stderr.contains("add --force-release"), "{stderr}");
    assert!(!w.path("out/statements.html").exists(), "nothing written");
    assert!(!w.path("s.db").exists(), "nothing recorded");

    // Back from now: a repeat of an earlier run, as ever.
    let out = w.run(
        &folder,
        Some("2026-08-19T06:00"),
        &["--as-of", "2026-08-19T05:00"],
    );
    expect(&out, 0, "an --as-of before now");
    let page = &pages(&w.read("out/statements.html"))["0001"];
    assert_eq!(
        held_until(page).as_deref(),
        Some("08:00 on Thursday 20 August 2026")
    );

    // --force-release goes ahead, as asked.
    let out = w.run(
        &folder,
        Some("2026-08-19T06:00"),
        &["--as-of", "2026-08-20T10:00", "--force-release"],
    );
    expect(&out, 0, "--force-release");
    assert!(!w.read("out/statements.html").contains("EMBARGOED"));
}

/// Without --as-of the run is as of now, and a held-back now holds the statements back.
#[test]
fn without_as_of_the_run_is_as_of_the_clock_held_back_by_the_test_hook() {
    let w = Work::new();
    let out = w.run(
        &samples().join("results-day"),
        Some("2026-08-20T07:59"),
        &["--quiet"],
    );
    expect(&out, 0, "now held back to 07:59");
    assert!(
        text(&out.stderr).contains("RESULTSDAY_NOW holds the clock back"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(w.run_json()["as_of"], "2026-08-20T07:59:00+01:00");
    let page = &pages(&w.read("out/statements.html"))["0001"];
    assert_eq!(
        held_until(page).as_deref(),
        Some("08:00 on Thursday 20 August 2026")
    );
    assert!(!w.path("out/analysis/headline.csv").exists());
}

/// The test hook cannot move the clock forward: a RESULTSDAY_NOW in the future is the real
/// clock, so an --as-of after the real now is still refused, and a run without --as-of is as of
/// the real now.
#[test]
fn the_test_hook_cannot_move_now_forward() {
    let w = Work::new();
    let folder = samples().join("results-day");
    let out = w.run(
        &folder,
        Some("2099-01-01T00:00"),
        &["--as-of", "2098-12-31T00:00"],
    );
    expect(&out, 2, "an --as-of after the real now");
    assert!(text(&out.stderr).contains("is later than now"));

    let out = w.run(&folder, Some("2099-01-01T00:00"), &["--quiet"]);
    expect(&out, 0, "the real now");
    let as_of = w.run_json()["as_of"].as_str().unwrap().to_string();
    assert!(as_of.as_str() < "2099", "{as_of}");
    assert!(!text(&out.stderr).contains("holds the clock back"));

    let out = w.run(&folder, Some("next Tuesday"), &["--quiet"]);
    expect(&out, 2, "a hook that is not a date");
    assert!(
        text(&out.stderr).contains("RESULTSDAY_NOW is set to 'next Tuesday'"),
        "{}",
        text(&out.stderr)
    );
}

/// `prs due` and `certs unclaimed`, `list` and `export` take --as-of too: a day after today
/// would list what is not yet due, so it needs --force-release.
#[test]
fn every_command_with_as_of_refuses_a_day_after_today() {
    let w = Work::new();
    let now = Some("2026-11-30T12:00");
    expect(
        &w.run(
            &samples().join("results-day"),
            now,
            &["--as-of", "2026-08-20T10:00", "--quiet"],
        ),
        0,
        "day one",
    );
    expect(
        &w.cmd(
            now,
            &[
                "certs",
                "--db",
                "s.db",
                "receive",
                "--board",
                "70",
                "--on",
                "2026-11-02",
                "--all",
            ],
        ),
        0,
        "certs receive",
    );
    let cases: [&[&str]; 4] = [
        &["prs", "--db", "s.db", "due"],
        &["certs", "--db", "s.db", "unclaimed"],
        &["certs", "--db", "s.db", "list"],
        &["certs", "--db", "s.db", "export"],
    ];
    for args in cases {
        let mut later = args.to_vec();
        later.extend(["--as-of", "2027-11-02"]);
        let out = w.cmd(now, &later);
        expect(&out, 2, &format!("{later:?}"));
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(
                "--as-of Tuesday 2 November 2027 is after today (Monday 30 November 2026)"
            ) && stderr.contains("add --force-release"),
            "{later:?}: {stderr}"
        );
        if args[0] == "certs" {
            assert!(
                stderr.contains("it would show 22 certificates as due for return to the board"),
                "{stderr}"
            );
        }
        later.push("--force-release");
        expect(&w.cmd(now, &later), 0, &format!("{later:?}"));
        let mut earlier = args.to_vec();
        earlier.extend(["--as-of", "2026-11-30"]);
        expect(&w.cmd(now, &earlier), 0, &format!("{earlier:?}"));
    }
    let out = w.cmd(
        now,
        &[
            "certs",
            "--db",
            "s.db",
            "unclaimed",
            "--as-of",
            "2027-11-02",
            "--force-release",
        ],
    );
    assert!(text(&out.stdout).contains("due for return to the board or confidential destruction (12 months since received): 22"), "{}", text(&out.stdout));
}

// ---------------------------------------------------------------------------------------------
// 2. A series missing from the calendar is under embargo
// ---------------------------------------------------------------------------------------------

/// The samples as June 2031, a series no calendar has yet: every page is marked, the headline
/// figures are held back, and the warning says which series and how to add it.
#[test]
fn a_series_not_in_the_calendar_is_held_under_embargo() {
    let w = Work::new();
    let folder = samples_as(&w.path("in"), "6A31", None);
    let out = w.run(&folder, None, &["--as-of", "2026-12-01T10:00"]);
    expect(&out, 0, "an unknown series");
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(
            "resultsday: warning: series 6A31 (2031-06) is not in the series calendar, so it is \
             treated as still under embargo"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("add it to a series.toml in the results folder"),
        "{stderr}"
    );
    assert!(
        stderr.contains("[series.\"2031-06\"]\nname = \"June 2031\"\ngce_results = \"2031-08-14\""),
        "{stderr}"
    );
    let html = w.read("out/statements.html");
    let pages = pages(&html);
    assert!(pages.len() >= 20, "{}", pages.len());
    for (number, page) in &pages {
        assert_eq!(
            held_until(page).as_deref(),
            Some("its results day, which is not in the series calendar"),
            "candidate {number}"
        );
        assert!(page.contains("<div class=\"hold-stamp\" aria-hidden=\"true\">EMBARGOED</div>"));
    }
    assert!(!w.path("out/analysis/headline.csv").exists());
    assert!(
        w.run_json()["third_party_outputs"]
            .as_str()
            .unwrap()
            .starts_with("held back"),
        "{}",
        w.run_json()
    );
    assert!(text(&out.stdout).contains("every statement is marked EMBARGOED"));

    let held = w.read("out/statements.html");
    // Added to the centre's series.toml, the series is decided by its dates (in its own June:
    // dates before its month are refused, see below), so it is still held in 2026.
    std::fs::write(
        folder.join("series.toml"),
        "[series.\"2031-06\"]\nname = \"June 2031\"\ngce_results = \"2031-08-14\"\n\
         gcse_results = \"2031-08-21\"\nror_deadline = \"2031-09-25\"\n",
    )
    .unwrap();
    let out = w.run(&folder, None, &["--as-of", "2026-12-01T10:00"]);
    expect(&out, 2, "the series added, before its files could exist");
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("not in the series calendar"), "{stderr}");
    assert!(
        stderr.contains("is before any result of June 2031 (6A31) could have reached the centre"),
        "{stderr}"
    );
    // OUT is as the refused run found it: the pages still held, no headline.
    assert_eq!(w.read("out/statements.html"), held);
    assert!(!w.path("out/analysis/headline.csv").exists());
}

/// A folder of two centres, one of them of a series not in the calendar: that centre's
/// statements are held, and the headline figures of the two together wait too.
#[test]
fn one_centre_of_an_unknown_series_holds_the_folders_headline_back() {
    let w = Work::new();
    let folder = w.path("trust");
    copy_dir(&samples().join("results-day"), &folder.join("northgate"));
    samples_as(&folder.join("other"), "6A31", Some("24520"));
    let out = w.run(&folder, None, &["--as-of", "2026-08-20T10:00"]);
    expect(&out, 0, "two centres");
    assert!(w.path("out/centres/14520/analysis/headline.csv").exists());
    assert!(!w.path("out/centres/24520/analysis/headline.csv").exists());
    assert!(
        !w.path("out/analysis/headline.csv").exists(),
        "the combined headline includes the unknown series' results"
    );
    let held = pages(&w.read("out/centres/24520/statements.html"));
    assert!(held.values().all(|p| held_until(p).is_some()));
    assert!(!w
        .read("out/centres/14520/statements.html")
        .contains("EMBARGOED"));
}

// ---------------------------------------------------------------------------------------------
// 3. A centre's series.toml cannot release earlier
// ---------------------------------------------------------------------------------------------

#[test]
fn a_centre_series_toml_may_not_make_a_release_earlier() {
    let w = Work::new();
    let folder = w.path("in");
    copy_dir(&samples().join("results-day"), &folder);
    let june = "[series.\"2026-06\"]\nname = \"June 2026\"\ngce_results = \"2026-08-13\"\n\
                ror_deadline = \"2026-09-24\"\n";
    // GCSE results a week early: refused, naming the field and both values.
    std::fs::write(
        folder.join("series.toml"),
        format!("{june}gcse_results = \"2026-08-13\"\n"),
    )
    .unwrap();
    let out = w.run(&folder, None, &["--as-of", "2026-08-13T10:00"]);
    expect(&out, 2, "an earlier GCSE results day");
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(
            "gcse_results is 2026-08-13 (Thursday 13 August 2026), earlier than the built-in \
             calendar's 2026-08-20 (Thursday 20 August 2026)"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("series.toml"), "{stderr}");
    assert!(!w.path("out/statements.html").exists());
    // With --accept-earlier-calendar the centre's date is used, and said (--force-release, which
    // also releases the headline, is not asked of the exams officer for this).
    let out = w.run(
        &folder,
        None,
        &["--as-of", "2026-08-13T10:00", "--accept-earlier-calendar"],
    );
    expect(&out, 0, "--accept-earlier-calendar");
    assert!(text(&out.stderr).contains("used because --accept-earlier-calendar was given"));
    assert!(!w.read("out/statements.html").contains("EMBARGOED"));

    // An earlier time of day, for candidates or for third parties: refused the same way.
    for (field, time, builtin) in [
        ("candidate_release_time", "06:00", "08:00"),
        ("third_party_release_time", "08:00", "09:30"),
    ] {
        let other = if field == "candidate_release_time" {
            "third_party_release_time = \"09:30\""
        } else {
            "candidate_release_time = \"08:00\""
        };
        std::fs::write(
            folder.join("series.toml"),
            format!("[defaults]\n{field} = \"{time}\"\n{other}\n"),
        )
        .unwrap();
        let out = w.run(&folder, None, &["--as-of", "2026-08-20T10:00"]);
        expect(&out, 2, field);
        assert!(
            text(&out.stderr).contains(&format!(
                "{field} is {time}, earlier than the built-in calendar's {builtin}"
            )),
            "{}",
            text(&out.stderr)
        );
    }

    // In the working folder, the same.
    std::fs::remove_file(folder.join("series.toml")).unwrap();
    std::fs::write(
        w.path("series.toml"),
        format!("{june}gcse_results = \"2026-08-19\"\n"),
    )
    .unwrap();
    let out = w.run(&folder, None, &["--as-of", "2026-08-20T10:00"]);
    expect(&out, 2, "series.toml in the working folder");
    assert!(text(&out.stderr).contains("gcse_results is 2026-08-19"));

    // A later date is a correction, and holds the results back to it.
    std::fs::write(
        w.path("series.toml"),
        format!("{june}gcse_results = \"2026-08-27\"\n"),
    )
    .unwrap();
    let out = w.run(&folder, None, &["--as-of", "2026-08-21T10:00"]);
    expect(&out, 0, "a later GCSE results day");
    let page = &pages(&w.read("out/statements.html"))["0001"];
    assert_eq!(
        held_until(page).as_deref(),
        Some("08:00 on Thursday 27 August 2026")
    );
}

// ---------------------------------------------------------------------------------------------
// A result whose own results day is unknown
// ---------------------------------------------------------------------------------------------

/// 0002's `8062` is an option not in the basedata: its own results day is unknown, so it is
/// released with the series' last candidate release. In June that is the GCSE day; with a
/// centre's calendar that puts the A level day later, it is that day.
#[test]
fn a_result_of_an_unknown_option_waits_for_the_series_last_release() {
    let w = Work::new();
    let folder = w.path("in");
    copy_dir(&samples().join("results-day"), &folder);

    let out = w.run(&folder, None, &["--as-of", "2026-08-13T09:00"]);
    expect(&out, 0, "between the two results days");
    let html = w.read("out/statements.html");
    let page = &pages(&html)["0002"];
    assert!(page.contains("8062"), "{page}");
    assert_eq!(
        held_until(page).as_deref(),
        Some("08:00 on Thursday 20 August 2026")
    );

    // The A level day moved after the GCSE day (a later date: allowed).
    std::fs::write(
        folder.join("series.toml"),
        "[series.\"2026-06\"]\nname = \"June 2026\"\ngce_results = \"2026-08-27\"\n\
         gcse_results = \"2026-08-20\"\nror_deadline = \"2026-09-24\"\n",
    )
    .unwrap();
    let out = w.run(&folder, None, &["--as-of", "2026-08-21T09:00"]);
    expect(&out, 0, "GCSE day past, A level day to come");
    let html = w.read("out/statements.html");
    let pages = pages(&html);
    // A GCSE-only candidate's page is released, 0002's is held for its 8062.
    assert_eq!(held_until(&pages["0001"]), None);
    let page = &pages["0002"];
    assert_eq!(
        held_until(page).as_deref(),
        Some("08:00 on Thursday 27 August 2026"),
        "{page}"
    );
    let row = page.split("entry code 8062").nth(1).unwrap();
    assert!(
        row[..row.find("</td>").unwrap()]
            .contains("Embargoed until 08:00 on Thursday 27 August 2026"),
        "{page}"
    );
    assert!(
        text(&out.stdout).contains(
            "confidential: A level and level 3 results may not reach candidates before 08:00 on \
             Thursday 27 August 2026"
        ),
        "{}",
        text(&out.stdout)
    );
}

// ---------------------------------------------------------------------------------------------
// 15. Dates given by hand must be possible
// ---------------------------------------------------------------------------------------------

/// A working folder with day one of the samples in `s.db`, "now" held back to 30 November 2026.
fn day_one() -> Work {
    let w = Work::new();
    let out = w.run(
        &samples().join("results-day"),
        Some(NOW),
        &["--as-of", "2026-08-20T10:00", "--quiet"],
    );
    expect(&out, 0, "day one");
    w
}

const NOW: &str = "2026-11-30T12:00";

#[test]
fn a_run_as_of_before_the_series_files_exist_is_refused() {
    let w = Work::new();
    let out = w.run(
        &samples().join("results-day"),
        None,
        &["--as-of", "2025-08-20T10:00"],
    );
    expect(&out, 2, "a year early");
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(
            "--as-of 10:00 on Wednesday 20 August 2025 is before any result of June 2026 (6A26) \
             could have reached the centre: the boards release its results files from 00:01 on \
             Wednesday 12 August 2026"
        ),
        "{stderr}"
    );
    assert!(!w.path("out/statements.html").exists(), "nothing written");
}

#[test]
fn certificates_dated_in_the_future_or_before_results_day_are_refused() {
    let w = day_one();
    let certs = |args: &[&str]| {
        let mut all = vec!["certs", "--db", "s.db"];
        all.extend(args);
        w.cmd(Some(NOW), &all)
    };
    // Received a year out: refused.
    let out = certs(&["receive", "--board", "70", "--on", "2027-11-02", "--all"]);
    expect(&out, 2, "received in the future");
    assert!(
        text(&out.stderr).contains(
            "not recorded: the day received 2027-11-02 (Tuesday 2 November 2027) is after today \
             (Monday 30 November 2026)"
        ),
        "{}",
        text(&out.stderr)
    );
    // Before results day: refused.
    let out = certs(&["receive", "--board", "70", "--on", "2026-08-01", "--all"]);
    expect(&out, 2, "received before results day");
    assert!(
        text(&out.stderr).contains(
            "the day received 2026-08-01 (Saturday 1 August 2026) is before the first results \
             day of June 2026 (6A26), Thursday 13 August 2026"
        ),
        "{}",
        text(&out.stderr)
    );
    let out = certs(&["list", "--status", "received"]);
    assert_eq!(
        text(&out.stdout),
        "no certificates in the log with that status\n"
    );

    expect(
        &certs(&["receive", "--board", "70", "--on", "2026-11-02", "--all"]),
        0,
        "received",
    );
    // Issued tomorrow: refused.
    let out = certs(&["issue", "0001", "--on", "2026-12-01", "--how", "collected"]);
    expect(&out, 2, "issued in the future");
    assert!(
        text(&out.stderr).contains("not issued: the day issued 2026-12-01"),
        "{}",
        text(&out.stderr)
    );

    // Destroyed a year early, on paper: refused, --force or not, and nothing recorded.
    for args in [
        &["destroy", "--on", "2027-11-02", "--due"][..],
        &[
            "destroy",
            "--board",
            "70",
            "--on",
            "2027-11-02",
            "--candidates",
            "0003",
            "--force",
        ][..],
    ] {
        let out = certs(args);
        expect(&out, 2, &format!("{args:?}"));
        assert!(
            text(&out.stderr).contains(
                "nothing recorded: --on 2027-11-02 (Tuesday 2 November 2027) is after today \
                 (Monday 30 November 2026): a destruction is recorded once it has been done"
            ),
            "{}",
            text(&out.stderr)
        );
    }
    // Before the 12 months: refused with the day it may be.
    let out = certs(&[
        "destroy",
        "--board",
        "70",
        "--on",
        "2026-11-30",
        "--candidates",
        "0003",
    ]);
    expect(&out, 2, "before 12 months");
    assert!(
        text(&out.stderr).contains("must be kept until 2027-11-02 (12 months)"),
        "{}",
        text(&out.stderr)
    );
    let out = certs(&["list", "--status", "destroyed"]);
    assert_eq!(
        text(&out.stdout),
        "no certificates in the log with that status\n"
    );
}

/// Requests and outcomes dated after today are refused, even where the post-results rules (the
/// deadline, consent after results day) would let them through. "Now" is Tuesday 25 August 2026,
/// within the review deadline.
#[test]
fn post_results_dates_in_the_future_are_refused() {
    let now = Some("2026-08-25T12:00");
    let w = Work::new();
    let out = w.run(
        &samples().join("results-day"),
        now,
        &["--as-of", "2026-08-20T10:00", "--quiet"],
    );
    expect(&out, 0, "day one");
    let prs = |args: &[&str]| {
        let mut all = vec!["prs", "--db", "s.db"];
        all.extend(args);
        w.cmd(now, &all)
    };
    let add = |requested: &str, consent: &str| {
        prs(&[
            "add",
            "--reference",
            "NGA-PRS-009",
            "--candidate",
            "0013",
            "--board",
            "70",
            "--entry",
            "8700",
            "--component",
            "87002",
            "--service",
            "S1",
            "--requested-on",
            requested,
            "--consent-on",
            consent,
        ])
    };
    let out = add("2026-09-01", "2026-08-21");
    expect(&out, 1, "requested next week");
    assert!(
        text(&out.stderr).contains(
            "NGA-PRS-009 refused: --requested-on 2026-09-01 (Tuesday 1 September 2026) is after \
             today (Tuesday 25 August 2026)"
        ),
        "{}",
        text(&out.stderr)
    );
    let out = add("2026-09-01", "2026-08-31");
    expect(&out, 1, "consent in the future");
    assert!(
        text(&out.stderr).contains("--requested-on 2026-09-01"),
        "{}",
        text(&out.stderr)
    );
    let out = add("2026-08-25", "2026-08-26");
    expect(&out, 1, "consent tomorrow");
    assert!(
        text(&out.stderr)
            .contains("--consent-on 2026-08-26 (Wednesday 26 August 2026) is after today"),
        "{}",
        text(&out.stderr)
    );
    expect(&add("2026-08-24", "2026-08-21"), 0, "a possible request");

    let out = prs(&[
        "outcome",
        "NGA-PRS-009",
        "--outcome",
        "confirmed",
        "--on",
        "2026-08-27",
    ]);
    expect(&out, 1, "an outcome in the future");
    assert!(
        text(&out.stderr).contains("--on 2026-08-27 (Thursday 27 August 2026) is after today"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        text(&prs(&["export"]).stdout).contains(",open,"),
        "nothing recorded"
    );
    expect(
        &prs(&[
            "outcome",
            "NGA-PRS-009",
            "--outcome",
            "confirmed",
            "--on",
            "2026-08-25",
        ]),
        0,
        "an outcome today",
    );
}

/// A series the built-in calendar does not know cannot be given results days before its own
/// exam month: a June 2029 series dated 2026 would release its results three years early.
#[test]
fn a_new_series_in_series_toml_cannot_have_results_before_its_month() {
    let w = Work::new();
    let folder = samples_as(&w.path("in"), "6A29", None);
    std::fs::write(
        folder.join("series.toml"),
        "[series.\"2029-06\"]\nname = \"June 2029\"\ngce_results = \"2026-08-13\"\n\
         gcse_results = \"2026-08-20\"\npriority_s2_deadline = \"2026-08-20\"\n\
         ror_deadline = \"2026-09-24\"\nats_deadline = \"2026-09-24\"\n",
    )
    .unwrap();
    let out = w.run(&folder, None, &["--as-of", "2026-12-01T10:00"]);
    expect(&out, 2, "results days before the series' month");
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("gcse_results is 2026-08-20 (Thursday 20 August 2026), before the series' own month even begins"),
        "{stderr}"
    );
    assert!(!w.path("out/statements.html").exists());
    assert!(!w.path("out/analysis/headline.csv").exists());
}
