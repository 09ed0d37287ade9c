//! What resultsday writes is safe to open: every CSV neutralises a text cell a spreadsheet would
//! run as a formula (OWASP "CSV injection") and starts with a UTF-8 byte-order mark, the
//! workbook holds names as text, and `--out` never writes into (or replaces) a device, a pipe,
//! a folder or a link to one.

mod common;

use std::path::{Path, PathBuf};

use calamine::{Data, Reader};
use common::{copy_dir, resultsday};

const BOM: &str = "\u{feff}";

/// 0013's name on AQA's entries and results: a link a spreadsheet would make.
const NAME: &str = "=HYPERLINK(\"http://x\",\"y\")";
const NAME_CELL: &str = "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"";
/// 0005's name on AQA's entries and results: text that looks like a number.
const MINUS_NAME: &str = "-1";
const MINUS_NAME_CELL: &str = "\"'-1\"";
/// AQA 8700's title in the basedata: the classic DDE payload.
const TITLE: &str = "-2+3+cmd|' /C calc'!A0";
const TITLE_CELL: &str = "\"'-2+3+cmd|' /C calc'!A0\"";
/// 0013's form in the MIS export.
const FORM: &str = "+SUM(1)";
const FORM_CELL: &str = "\"'+SUM(1)\"";
/// A post-results request's reference.
const REFERENCE: &str = "@cmd";
const REFERENCE_CELL: &str = "\"'@cmd\"";

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples")
}

/// Replaces a fixed-width field (`old` padded with spaces to `width`) by `new` padded the same,
/// everywhere in `file`; it must be there.
fn replace_field(file: &Path, old: &str, new: &str, width: usize) {
    let bytes = std::fs::read(file).unwrap();
    let (old, new) = (
        format!("{old:<width$}").into_bytes(),
        format!("{new:<width$}").into_bytes(),
    );
    assert_eq!(old.len(), new.len());
    let mut out = Vec::with_capacity(bytes.len());
    let (mut i, mut found) = (0, 0);
    while i < bytes.len() {
        if bytes[i..].starts_with(&old) {
            out.extend_from_slice(&new);
            i += old.len();
            found += 1;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    assert!(found > 0, "{} has no {:?}", file.display(), old);
    std::fs::write(file, out).unwrap();
}

/// A working folder: `in/`, a copy of the samples with hostile names, title and MIS form;
/// `candidates.csv`; the store `s.db`.
struct Centre {
    dir: tempfile::TempDir,
}

impl Centre {
    fn new() -> Centre {
        let centre = Centre {
            dir: tempfile::tempdir().unwrap(),
        };
        let input = centre.path("in");
        copy_dir(&samples().join("results-day"), &input);
        for file in ["entries/E1452070.X01", "results/R1452070.X01"] {
            replace_field(&input.join(file), "PATEL:ARJUN", NAME, 40);
            replace_field(&input.join(file), "EVANS:MEGAN", MINUS_NAME, 40);
        }
        for file in ["basedata/O6A26_70.X01", "basedata/O6A26_70.X02"] {
            replace_field(&input.join(file), "ENGLISH LANGUAGE", TITLE, 36);
        }
        let mis = std::fs::read_to_string(samples().join("candidates.csv")).unwrap();
        let mis: String = mis
            .lines()
            .map(|line| {
                let mut cells: Vec<&str> = line.split(',').collect();
                if cells[0] == "0013" {
                    cells[7] = FORM;
                }
                cells.join(",") + "\n"
            })
            .collect();
        assert!(mis.contains(FORM));
        std::fs::write(centre.path("candidates.csv"), mis).unwrap();
        centre
    }

    /// A working folder with `in/`, the samples as they are.
    fn plain() -> Centre {
        let centre = Centre {
            dir: tempfile::tempdir().unwrap(),
        };
        copy_dir(&samples().join("results-day"), &centre.path("in"));
        std::fs::copy(
            samples().join("candidates.csv"),
            centre.path("candidates.csv"),
        )
        .unwrap();
        centre
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `resultsday ARGS` in the working folder, with `--db s.db` after them unless they name
    /// a store: (status, stdout, stderr).
    fn cmd(&self, args: &[&str]) -> (i32, String, String) {
        if args.contains(&"--db") {
            self.cmd_db("", args)
        } else {
            self.cmd_db("s.db", args)
        }
    }

    /// `resultsday ARGS --db DB` in the working folder (no `--db` with a blank `db`).
    fn cmd_db(&self, db: &str, args: &[&str]) -> (i32, String, String) {
        let mut cmd = resultsday();
        cmd.current_dir(self.dir.path()).args(args);
        if !db.is_empty() {
            cmd.arg("--db").arg(self.path(db));
        }
        let out = cmd.output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    }

    fn ok(&self, args: &[&str]) -> String {
        let (status, stdout, stderr) = self.cmd(args);
        assert_eq!(status, 0, "{args:?}\n{stdout}\n{stderr}");
        stdout
    }

    /// Runs `in/` into `out/` as of `as_of`, with the MIS export.
    fn run(&self, as_of: &str) {
        let (status, stdout, stderr) = self.cmd(&[
            "run",
            "in",
            "--out",
            "out",
            "--mis",
            "candidates.csv",
            "--as-of",
            as_of,
            "--quiet",
        ]);
        assert!(status <= 1, "{stdout}\n{stderr}");
    }

    /// A file resultsday wrote, as text; it must start with the byte-order mark (once).
    fn csv(&self, name: &str) -> String {
        let bytes = std::fs::read(self.path(name)).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let body = text
            .strip_prefix(BOM)
            .unwrap_or_else(|| panic!("{name} does not start with a byte-order mark"));
        assert!(!body.contains(BOM), "{name} has a second byte-order mark");
        body.to_string()
    }
}

/// The lines of `text` that start with `prefix`.
fn lines_starting<'t>(text: &'t str, prefix: &str) -> Vec<&'t str> {
    text.lines().filter(|l| l.starts_with(prefix)).collect()
}

#[test]
fn hostile_names_titles_mis_values_and_references_are_text_in_every_csv() {
    let centre = Centre::new();
    centre.run("2026-08-20T10:00");

    // findings.csv: a name that looks like a number is text; the line stays a number.
    let findings = centre.csv("out/findings.csv");
    assert!(findings.starts_with(
        "severity,kind,board,centre,candidate_number,uci,name,entry_code,detail,file,line\n"
    ));
    let missing = lines_starting(&findings, "error,missing_result,70,14520,0005,");
    assert_eq!(missing.len(), 1, "{findings}");
    assert!(
        missing[0].starts_with(&format!(
            "error,missing_result,70,14520,0005,145200240005X,{MINUS_NAME_CELL},8145,\
             entered for 8145 with board 70 and no result has arrived,"
        )),
        "{}",
        missing[0]
    );
    assert!(missing[0].ends_with("E1452070.X01,7"), "{}", missing[0]);

    // statements.csv: the names and the title neutralised; grades and marks as they were.
    let statements = centre.csv("out/statements.csv");
    assert_eq!(
        lines_starting(&statements, "0013,"),
        [
            "0013,145200240013R,PATEL:ARJUN,01,J560F,MATHEMATICS FOUNDATION,GCSE,5,192,300,provisional,,".to_string(),
            "0013,145200240013R,PATEL:ARJUN,40,C800PF,FRENCH FOUNDATION,GCSE,,,,provisional,,".to_string(),
            format!("0013,145200240013R,{NAME_CELL},70,8035,GEOGRAPHY,GCSE,4,,,provisional,,"),
            format!("0013,145200240013R,{NAME_CELL},70,8464F,COMBINED SCIENCE: TRILOGY FOUNDATION,GCSE,5-5,,,provisional,,"),
            format!("0013,145200240013R,{NAME_CELL},70,8700,{TITLE_CELL},GCSE,3,,,provisional,P,"),
            format!("0013,145200240013R,{NAME_CELL},70,8702,ENGLISH LITERATURE,GCSE,2,,,provisional,,"),
        ]
    );
    assert_eq!(
        lines_starting(&statements, "0005,145200240005X,\"'-1\",70,8700,"),
        [format!(
            "0005,145200240005X,{MINUS_NAME_CELL},70,8700,{TITLE_CELL},GCSE,6,,,provisional,M,"
        )]
    );

    // analysis/: the title and the MIS form neutralised; every count and percentage a number.
    let subjects = centre.csv("out/analysis/subjects.csv");
    assert_eq!(
        lines_starting(&subjects, "70,8700,"),
        [format!(
            "70,8700,{TITLE_CELL},GCSE,14,1,1,2,2,3,2,2,0,0,1,,,,,,,,,,,,,,0,0,28.6,78.6"
        )]
    );
    let breakdown = centre.csv("out/analysis/breakdown.csv");
    let form = lines_starting(&breakdown, "form,\"'+");
    assert_eq!(form.len(), 12, "{breakdown}");
    assert_eq!(form[0], format!("form,{FORM_CELL},gcse_entries,6,"));
    assert_eq!(form[4], format!("form,{FORM_CELL},gcse_pct_9_4,57.1,7"));
    assert_eq!(form[5], format!("form,{FORM_CELL},a8_mean,32.00,1"));
    let headline = centre.csv("out/analysis/headline.csv");
    assert!(headline.starts_with("measure,value,denominator\ngcse_entries,78,\n"));
    assert!(
        headline.contains("\ngcse_pct_9_4_en_ma,71.4,14\n"),
        "{headline}"
    );
    assert!(headline.ends_with("\np8,n/a,\n"), "{headline}");

    // The post-results log: the reference neutralised, the fee a number; and the export
    // imports into another store as the same log.
    std::fs::write(
        centre.path("requests.csv"),
        format!(
            "reference,candidate_number,board,entry_code,component_code,service,requested_on,\
             consent_on\n{REFERENCE},0013,70,8700,87001,S2,2026-08-24,2026-08-21\n"
        ),
    )
    .unwrap();
    let stored = centre.ok(&["prs", "import", "requests.csv"]);
    assert!(stored.contains("1 stored, 0 refused"), "{stored}");
    centre.ok(&["prs", "export", "--out", "log.csv"]);
    let log = centre.csv("log.csv");
    assert_eq!(
        log.lines().nth(1),
        Some(
            format!(
                "{REFERENCE_CELL},0013,70,8700,87001,S2,2026-08-24,2026-08-21,open,,,,,42.00,,"
            )
            .as_str()
        )
    );
    centre.ok(&[
        "run",
        "in",
        "--out",
        "out2",
        "--as-of",
        "2026-08-20T10:00",
        "--quiet",
        "--db",
        "other.db",
    ]);
    let again = centre.ok(&["prs", "import", "log.csv", "--db", "other.db"]);
    assert!(again.contains("1 stored, 0 refused"), "{again}");
    let (_, exported, _) = centre.cmd_db("other.db", &["prs", "export"]);
    assert_eq!(exported, format!("{BOM}{log}"));

    // The re-run after reviews: changes.csv and analysis/changes.csv.
    let after = centre.path("in/results");
    copy_dir(&samples().join("after-reviews"), &after);
    replace_field(&after.join("R1452070.X03"), "PATEL:ARJUN", NAME, 40);
    centre.run("2026-09-16T10:00");
    let changes = centre.csv("out/changes.csv");
    assert_eq!(
        lines_starting(&changes, "0013,"),
        [format!(
            "0013,145200240013R,{NAME_CELL},70,8700,{TITLE_CELL},3,4,,,up,{REFERENCE_CELL},yes"
        )]
    );
    assert_eq!(
        lines_starting(&changes, "0010,"),
        ["0010,145200240010V,KOWALSKI:PIOTR,01,J560H,MATHEMATICS HIGHER,6,6,158,163,same,,"]
    );
    let delta = centre.csv("out/analysis/changes.csv");
    assert_eq!(
        lines_starting(&delta, "subject,70 8700,"),
        [format!("subject,70 8700,{TITLE_CELL},pct_pass,78.6,85.7")]
    );
    assert!(
        delta.contains("\nheadline,gcse_pct_9_4_en_ma,,value,71.4,78.6\n"),
        "{delta}"
    );

    // diff --out: the same changes.csv; to the terminal, its rows under the summary line.
    centre.ok(&["diff", "--out", "diffed"]);
    assert_eq!(centre.csv("diffed/changes.csv"), changes);
    let printed = centre.ok(&["diff"]);
    assert!(!printed.contains(BOM), "{printed}");
    assert!(printed.ends_with(&changes), "{printed}");

    // The certificates log, to a file and to the terminal.
    centre.ok(&[
        "certs",
        "receive",
        "--board",
        "70",
        "--on",
        "2026-11-02",
        "--all",
    ]);
    centre.ok(&[
        "certs",
        "export",
        "--as-of",
        "2026-11-10",
        "--out",
        "certs.csv",
    ]);
    let certs = centre.csv("certs.csv");
    assert_eq!(
        lines_starting(&certs, "70,6A26,0013,"),
        [format!(
            "70,6A26,0013,145200240013R,{NAME_CELL},2026-11-02,,,,,,received"
        )]
    );
    assert_eq!(
        lines_starting(&certs, "70,6A26,0005,"),
        [format!(
            "70,6A26,0005,145200240005X,{MINUS_NAME_CELL},2026-11-02,,,,,,received"
        )]
    );
    assert_eq!(
        centre.ok(&["certs", "export", "--as-of", "2026-11-10"]),
        format!("{BOM}{certs}")
    );
}

#[test]
fn the_workbook_holds_hostile_names_as_text_and_no_formula() {
    let centre = Centre::new();
    centre.run("2026-08-20T10:00");
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook(centre.path("out/analysis.xlsx")).unwrap();
    let cell = |book: &mut calamine::Xlsx<_>, sheet: &str, text: &str| -> Option<Data> {
        let range = book.worksheet_range(sheet).unwrap();
        range
            .cells()
            .map(|(_, _, d)| d.clone())
            .find(|d| d.to_string().contains(text))
    };
    assert_eq!(
        cell(&mut book, "Subjects", TITLE),
        Some(Data::String(TITLE.into()))
    );
    assert_eq!(
        cell(&mut book, "Breakdown", FORM),
        Some(Data::String(FORM.into()))
    );
    let chart_name = format!("70 8700 {TITLE}");
    assert_eq!(
        cell(&mut book, "Charts", &chart_name),
        Some(Data::String(chart_name.clone()))
    );
    for sheet in ["Headline", "Subjects", "Breakdown", "Charts"] {
        let formulas = book.worksheet_formula(sheet).unwrap();
        assert!(
            formulas.cells().all(|(_, _, f)| f.is_empty()),
            "{sheet} has a formula: {:?}",
            formulas.cells().find(|(_, _, f)| !f.is_empty())
        );
    }
}

#[test]
fn numbers_in_numeric_columns_stay_numbers_and_text_like_numbers_is_text() {
    use resultsday::analysis::{
        breakdown_csv, headline_csv, Analysis, BreakdownRow, CohortRule, Measure, MeasureValue,
    };
    let analysis = Analysis {
        headline: vec![
            Measure {
                measure: "a8_mean",
                value: MeasureValue::Points(-0.5),
                denominator: Some(3),
                numerator: -1.5,
            },
            Measure {
                measure: "gcse_pct_9_4",
                value: MeasureValue::Percent(-1.0),
                denominator: Some(1),
                numerator: -1.0,
            },
        ],
        subjects: Default::default(),
        breakdown: Some(vec![BreakdownRow {
            group: "-1".into(),
            value: "-3 ".into(),
            measure: "a8_mean",
            result: MeasureValue::Points(-3.0),
            denominator: Some(1),
        }]),
        cohort_rule: CohortRule::GcseResults,
        cohort_size: 3,
        notes: vec![],
    };
    assert_eq!(
        String::from_utf8(headline_csv(&analysis)).unwrap(),
        format!("{BOM}measure,value,denominator\na8_mean,-0.50,3\ngcse_pct_9_4,-1.0,1\n")
    );
    assert_eq!(
        String::from_utf8(breakdown_csv(&analysis).unwrap()).unwrap(),
        format!("{BOM}group,value,measure,result,denominator\n\"'-1\",\"'-3 \",a8_mean,-3.00,1\n")
    );
}

/// The findings and statements of a folder of several centres: one byte-order mark at the start
/// of each file, however many centres add rows, and their names neutralised too.
#[test]
fn the_files_of_several_centres_start_with_one_bom_and_neutralise_names() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    resultsday::synthetic::generate(&resultsday::synthetic::Spec {
        candidates: 20,
        centres: 2,
        out: data.clone(),
        seed: 3,
    })
    .unwrap();
    let entries = data.join("10000/entries/E1000070.X01");
    let text = std::fs::read(&entries).unwrap();
    let third = text.split(|b| *b == b'\n').nth(2).unwrap();
    let name = String::from_utf8(third[12..52].to_vec()).unwrap();
    let name = name.trim_end();
    for file in [&entries, &data.join("10000/results/R1000070.X01")] {
        replace_field(file, name, NAME, 40);
    }
    let out = tmp.path().join("out");
    let status = resultsday()
        .arg("run")
        .arg(&data)
        .arg("--out")
        .arg(&out)
        .arg("--db")
        .arg(tmp.path().join("s.db"))
        .args(["--as-of", "2026-08-20T10:00", "--quiet"])
        .output()
        .unwrap();
    assert!(status.status.code().unwrap() <= 1, "{status:?}");
    let read = |name: &str| {
        let text = String::from_utf8(std::fs::read(out.join(name)).unwrap()).unwrap();
        assert!(text.starts_with(BOM), "{name}");
        assert_eq!(text.matches(BOM).count(), 1, "{name}");
        text
    };
    read("findings.csv");
    let statements = read("statements.csv");
    let hostile: Vec<&str> = statements
        .lines()
        .filter(|l| l.contains(NAME_CELL))
        .collect();
    assert!(!hostile.is_empty(), "{statements}");
    assert!(
        hostile.iter().all(|l| l.ends_with(",10000")),
        "{hostile:#?}"
    );
    assert!(!statements.contains(&format!(",{NAME},")));
    let own = String::from_utf8(std::fs::read(out.join("centres/10000/statements.csv")).unwrap())
        .unwrap();
    assert!(own.starts_with(BOM) && own.contains(NAME_CELL));
}

/// What a `--out` target is, to tell afterwards that it was left as it was.
#[cfg(unix)]
#[derive(Debug, PartialEq)]
enum Kind {
    Device,
    Pipe,
    Folder(Vec<String>),
    Link(PathBuf),
    File(Vec<u8>),
}

#[cfg(unix)]
fn kind(path: &Path) -> Kind {
    use std::os::unix::fs::FileTypeExt;
    let meta = std::fs::symlink_metadata(path).unwrap();
    let t = meta.file_type();
    if t.is_symlink() {
        Kind::Link(std::fs::read_link(path).unwrap())
    } else if t.is_char_device() || t.is_block_device() {
        Kind::Device
    } else if t.is_fifo() {
        Kind::Pipe
    } else if t.is_dir() {
        let mut names: Vec<String> = std::fs::read_dir(path)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        Kind::Folder(names)
    } else {
        Kind::File(std::fs::read(path).unwrap())
    }
}

/// The targets `--out` must refuse, made in `dir`, each with what the refusal says. A link to
/// `/dev/null` comes before `/dev/null` itself: a build that follows the link is stopped there,
/// before it can put a file in place of the device (the tests may run as root).
#[cfg(unix)]
fn hostile_targets(dir: &Path) -> Vec<(PathBuf, &'static str)> {
    let device = "it is a device, pipe or socket; resultsday writes only to a new path or a \
                  regular file";
    let folder = "it is a folder; resultsday writes only to a new path or a regular file";
    let nothing = "it is a link to nothing; resultsday writes only to a new path or a regular file";
    std::fs::create_dir_all(dir).unwrap();
    let mut targets = Vec::new();
    let link = dir.join("null-link.csv");
    std::os::unix::fs::symlink("/dev/null", &link).unwrap();
    targets.push((link, device));
    let pipe = dir.join("pipe.csv");
    if std::process::Command::new("mkfifo")
        .arg(&pipe)
        .status()
        .is_ok_and(|s| s.success())
    {
        targets.push((pipe, device));
    } else {
        println!("NOT TESTED HERE: a named pipe: mkfifo is not available");
    }
    let folder_path = dir.join("folder.csv");
    std::fs::create_dir(&folder_path).unwrap();
    std::fs::write(folder_path.join("kept.txt"), "kept").unwrap();
    targets.push((folder_path, folder));
    let folder_link = dir.join("folder-link.csv");
    std::os::unix::fs::symlink(dir.join("folder.csv"), &folder_link).unwrap();
    targets.push((folder_link, folder));
    let dangling = dir.join("dangling.csv");
    std::os::unix::fs::symlink(dir.join("nowhere.csv"), &dangling).unwrap();
    targets.push((dangling, nothing));
    targets.push((PathBuf::from("/dev/null"), device));
    targets
}

/// Runs `args` with `--out target` for every hostile target: each refused with status 2 and
/// the message, the target as it was, and nothing left beside it.
#[cfg(unix)]
fn assert_refused(centre: &Centre, args: &[&str], targets: &[(PathBuf, &str)]) {
    let beside = |dir: &Path| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    for (target, said) in targets {
        let before = kind(target);
        let folder = target.parent().unwrap();
        let (names, null_before) = (
            (folder != Path::new("/dev")).then(|| beside(folder)),
            kind(Path::new("/dev/null")),
        );
        let mut full: Vec<&str> = args.to_vec();
        full.extend(["--out", target.to_str().unwrap()]);
        let (status, stdout, stderr) = centre.cmd(&full);
        assert_eq!(status, 2, "{full:?}\nstdout: {stdout}\nstderr: {stderr}");
        let message = format!("{}: cannot be written: {said}", target.display());
        assert!(
            stderr.contains(&message),
            "{full:?}: {stderr}\nnot: {message}"
        );
        assert!(!stdout.contains("written:"), "{full:?}: {stdout}");
        assert_eq!(
            kind(target),
            before,
            "{full:?} changed {}",
            target.display()
        );
        assert_eq!(kind(Path::new("/dev/null")), null_before);
        if let Some(names) = names {
            assert_eq!(
                beside(folder),
                names,
                "{full:?} left a file beside the target"
            );
        }
    }
}

#[cfg(unix)]
#[test]
fn out_writes_only_to_a_new_path_or_a_regular_file() {
    let centre = Centre::plain();
    centre.run("2026-08-20T10:00");
    let targets = hostile_targets(&centre.path("targets"));
    assert_refused(&centre, &["prs", "export"], &targets);
    assert_refused(&centre, &["certs", "export"], &targets);

    // A new path and a regular file are written, owner-only.
    std::fs::write(centre.path("old.csv"), "an old export\n").unwrap();
    for out in ["new.csv", "old.csv"] {
        centre.ok(&["prs", "export", "--out", out]);
        assert!(centre.csv(out).starts_with("reference,"));
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(centre.path(out))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{out}");
    }
}

#[cfg(unix)]
#[test]
fn diff_out_is_a_folder_and_its_changes_csv_only_a_new_path_or_a_regular_file() {
    let centre = Centre::plain();
    centre.run("2026-08-20T10:00");
    copy_dir(&samples().join("after-reviews"), &centre.path("in/results"));
    centre.run("2026-09-16T10:00");

    // `--out` itself: a folder or a new path, never a device, a pipe, a file or a dead link.
    let dir = centre.path("targets");
    let not_a_folder = "diff --out names the folder changes.csv is written in";
    let mut targets: Vec<(PathBuf, String)> = hostile_targets(&dir)
        .into_iter()
        .filter(|(p, _)| !p.to_string_lossy().contains("folder"))
        .map(|(p, said)| {
            let what = said.split(';').next().unwrap();
            (p, format!("{what}; {not_a_folder}"))
        })
        .collect();
    let file = dir.join("file.csv");
    std::fs::write(&file, "a file\n").unwrap();
    targets.push((file, format!("it is a file; {not_a_folder}")));
    let targets: Vec<(PathBuf, &str)> = targets
        .iter()
        .map(|(p, s)| (p.clone(), s.as_str()))
        .collect();
    assert_refused(&centre, &["diff"], &targets);

    // `changes.csv` in it: a new path or a regular file only.
    let cases = [
        ("null", "it is a device, pipe or socket"),
        ("pipe", "it is a device, pipe or socket"),
        ("folder", "it is a folder"),
        ("dangling", "it is a link to nothing"),
    ];
    for (case, said) in cases {
        let out = centre.path(&format!("diff-{case}"));
        std::fs::create_dir(&out).unwrap();
        let changes = out.join("changes.csv");
        match case {
            "null" => std::os::unix::fs::symlink("/dev/null", &changes).unwrap(),
            "pipe" => {
                let made = std::process::Command::new("mkfifo")
                    .arg(&changes)
                    .status()
                    .is_ok_and(|s| s.success());
                if !made {
                    println!("NOT TESTED HERE: a named pipe: mkfifo is not available");
                    continue;
                }
            }
            "folder" => std::fs::create_dir(&changes).unwrap(),
            _ => std::os::unix::fs::symlink(out.join("nowhere"), &changes).unwrap(),
        }
        let before = kind(&changes);
        let (status, stdout, stderr) = centre.cmd(&["diff", "--out", out.to_str().unwrap()]);
        assert_eq!(status, 2, "{case}: {stdout}\n{stderr}");
        let message = format!("{}: cannot be written: {said}", changes.display());
        assert!(stderr.contains(&message), "{case}: {stderr}");
        assert_eq!(kind(&changes), before, "{case}");
        assert_eq!(
            std::fs::read_dir(&out).unwrap().count(),
            1,
            "{case}: left a file"
        );
    }

    // A new folder, and one that is there, are written into.
    centre.ok(&["diff", "--out", "diffed"]);
    centre.ok(&["diff", "--out", "diffed"]);
    assert!(centre
        .csv("diffed/changes.csv")
        .starts_with("candidate_number,"));
}
