//! `resultsday run DIR --out OUT`: the results-day run. Reads every file in DIR, checks and
//! reconciles them, and writes findings, statements, analysis and `run.json` to OUT; records
//! the run in the store.
//!
//! Usage:
//!   resultsday run samples/results-day --out out --mis samples/candidates.csv
//!   resultsday run results/ --out out --as-of 2026-08-20T07:30 --fail-on error
//!
//! Exit status: 0 done; 1 done, and findings at or above `--fail-on` exist; 2 bad usage, or
//! input that could not be read (named on the terminal; the rest of the run still completes).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use parsers::{Boards, Gradesets, Severity};
use serde::Serialize;

use crate::calendar::{self, Calendar};
use crate::cli::{exit, RunArgs};
use crate::inputs::Limits;
use crate::load::{self, CentreSeries, Folder};
use crate::messages;
use crate::model::{CandidateResult, Finding, FindingKind, ResultsDay};
use crate::output;
use crate::{analysis, checks, config, mis, prs, reconcile, rediff, results, statements, store};

/// Why a run could not be done at all.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Statements(#[from] statements::StatementError),
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error("{0}")]
    Usage(String),
    #[error("{path}: {message}")]
    Output { path: PathBuf, message: String },
    #[error("{0}")]
    Settings(String),
}

fn output_error(path: &Path, e: std::io::Error) -> RunError {
    RunError::Output {
        path: path.to_path_buf(),
        message: format!("cannot be written: {e}"),
    }
}

/// Everything a run decides and produces, before it is written.
pub struct RunOutcome<'f> {
    pub series: CentreSeries<'f>,
    pub results: Vec<CandidateResult>,
    pub findings: Vec<Finding>,
}

/// Checks and reconciles one centre's series: pure, no I/O.
pub fn check_series<'f>(
    folder: &'f Folder,
    centre: &str,
    series_code: &str,
    gradesets: &Gradesets,
    boards: &Boards,
) -> RunOutcome<'f> {
    let series = load::assemble(folder, centre, series_code);
    let (results, mut findings) = results::build(&series);
    for f in &series.files {
        findings.extend(checks::file_findings(f, centre, boards));
    }
    findings.extend(checks::result_findings(&series, gradesets));
    findings.extend(reconcile::reconcile(&series));
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup();
    RunOutcome {
        series,
        results,
        findings,
    }
}

/// The findings as `findings.csv` bytes.
pub fn findings_csv(findings: &[Finding]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "severity",
        "kind",
        "board",
        "centre",
        "candidate_number",
        "uci",
        "name",
        "entry_code",
        "detail",
        "file",
        "line",
    ]);
    for f in findings {
        let line = f.line.map(|l| l.to_string()).unwrap_or_default();
        let _ = w.write_record([
            f.severity.as_str(),
            f.kind.as_str(),
            &f.board,
            &f.centre,
            &f.candidate_number,
            &f.uci,
            &f.name,
            &f.entry_code,
            &f.detail,
            &f.file,
            &line,
        ]);
    }
    w.into_inner().unwrap_or_default()
}

/// Finds a data file a centre may supply: in DIR, else in the working folder.
fn centre_file(dir: &Path, name: &str) -> Option<PathBuf> {
    [dir.join(name), PathBuf::from(name)]
        .into_iter()
        .find(|p| p.is_file())
}

fn load_table<T>(
    dir: &Path,
    name: &str,
    builtin: fn() -> T,
    read: fn(std::fs::File) -> Result<T, parsers::tables::TableError>,
) -> Result<T, RunError> {
    match centre_file(dir, name) {
        None => Ok(builtin()),
        Some(path) => {
            let file = std::fs::File::open(&path).map_err(|e| {
                RunError::Settings(format!(
                    "{}: {}",
                    path.display(),
                    crate::inputs::describe_io(&e)
                ))
            })?;
            read(file).map_err(|e| RunError::Settings(format!("{}: {e}", path.display())))
        }
    }
}

pub fn run(args: &RunArgs) -> Result<i32, Box<dyn std::error::Error>> {
    let started = Instant::now();
    let started_at = Utc::now();
    let as_of: DateTime<Tz> = match &args.as_of {
        Some(text) => calendar::parse_as_of(text).map_err(RunError::Usage)?,
        None => Utc::now().with_timezone(&chrono_tz::Europe::London),
    };
    if !args.dir.is_dir() {
        return Err(Box::new(RunError::Usage(format!(
            "{}: {}",
            args.dir.display(),
            if args.dir.exists() {
                "is not a folder"
            } else {
                "no such folder"
            }
        ))));
    }
    let settings = config::load(config::find(&args.dir).as_deref())
        .map_err(|e| RunError::Settings(e.to_string()))?;
    let calendar = Calendar::load(centre_file(&args.dir, "series.toml").as_deref())
        .map_err(|e| RunError::Settings(e.to_string()))?;
    let gradesets = load_table(&args.dir, "gradesets.csv", Gradesets::builtin, |f| {
        Gradesets::from_csv(f)
    })?;
    let boards = load_table(&args.dir, "boards.csv", Boards::builtin, |f| {
        Boards::from_csv(f)
    })?;

    let limits = Limits::default();
    let show_progress = !args.quiet && messages::stderr_is_terminal();
    let bar = if show_progress {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "reading {pos}/{len} files {wide_bar} {elapsed}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let folder = load::read_folder(&args.dir, &limits, &|n| bar.set_length(n as u64), &|| {
        bar.inc(1)
    });
    bar.finish_and_clear();

    let groups = load::centre_series(&folder);
    let chosen = choose_series(&groups, args.series.as_deref())?;
    let Some((centre, series_code)) = chosen else {
        let message = format!(
            "{}: no results or entries files found ({} files read, {} skipped, {} unreadable); \
             expected files named like R1452070.X01, E1452070.X01 or a2c.14520.70.EDIResults.<id>.xml",
            args.dir.display(),
            folder.files.len(),
            folder.skipped.len(),
            folder.unreadable.len()
        );
        return Err(Box::new(RunError::Usage(message)));
    };
    if let Some(expected) = &settings.centre_number {
        if *expected != centre {
            messages::warn(&format!(
                "resultsday.toml says centre {expected} but the files are for centre {centre}"
            ));
        }
    }
    // The store, opened before anything is written, so a locked or foreign store stops the run
    // with the outputs of the last run still in place.
    let stages = messages::Stages::new(show_progress);
    stages.stage("checking and reconciling");
    // `run` makes the store, and the folder it is to be in.
    if let Some(folder) = args.db.parent().filter(|p| !p.as_os_str().is_empty()) {
        output::create_private_dir(folder).map_err(|e| output_error(folder, e))?;
    }
    let mut db = store::Store::open(&args.db)?;
    let previous = db
        .runs()?
        .into_iter()
        .filter(|r| r.centre == centre && r.series == series_code)
        .map(|r| r.id)
        .next_back();
    let outcome = check_series(&folder, &centre, &series_code, &gradesets, &boards);
    let mut changes = match previous {
        Some(id) => Some(rediff::compare(
            &db.results_of_run(id)?,
            &outcome.results,
            &gradesets,
        )),
        None => None,
    };

    // Outputs.
    output::create_private_dir(&args.out).map_err(|e| output_error(&args.out, e))?;
    let mut written = Vec::new();
    let path = args.out.join("findings.csv");
    output::write_file(&path, &findings_csv(&outcome.findings))
        .map_err(|e| output_error(&path, e))?;
    written.push(path);

    let series_id = calendar::series_id(&series_code);
    let dates = series_id.as_deref().and_then(|id| calendar.get(id));
    let series_name = dates.map_or(series_code.as_str(), |d| d.name.as_str());

    // Statements.
    stages.stage("writing statements");
    let release = |r: &CandidateResult| statements::release_of(r, &calendar, dates);
    let set = statements::StatementSet {
        settings: &settings,
        centre_number: &centre,
        series_name,
        results: &outcome.results,
        boards: &boards,
        release: &release,
        as_of,
    };
    written.extend(statements::write_statements(&args.out, &set)?);

    // Analysis; what goes to third parties waits for 09:30 on results day.
    stages.stage("writing the analysis");
    let tables = analysis::AnalysisTables::load(Some(&args.dir))
        .map_err(|e| RunError::Settings(e.to_string()))?;
    let mis = match &args.mis {
        Some(path) => {
            let mis = mis::read_mis(path).map_err(|e| RunError::Settings(e.to_string()))?;
            for p in &mis.problems {
                messages::warn(p);
            }
            Some(mis)
        }
        None => None,
    };
    let analysis = analysis::analyse(&outcome.results, &gradesets, &tables, mis.as_ref());
    let released = third_party_release(&calendar, dates, &outcome.results);
    let third_party_allowed = args.force_release || released.is_some_and(|at| as_of >= at);
    written.extend(
        analysis::write_analysis(&args.out, &analysis, third_party_allowed)
            .map_err(|e| output_error(&args.out.join("analysis"), e))?,
    );

    let mut summary = RunSummary::new(
        &outcome,
        &folder,
        as_of,
        dates.map(|d| d.name.clone()),
        &written,
        &args.out,
        started.elapsed().as_secs_f64(),
    );
    summary.third_party_outputs = if third_party_allowed {
        "written".into()
    } else {
        match released {
            Some(at) => format!("held back until {}", at.format("%H:%M on %A %-d %B %Y")),
            None => "held back: the series is not in the calendar (use --force-release)".into(),
        }
    };
    let path = args.out.join("run.json");
    let json = serde_json::to_vec_pretty(&summary).unwrap_or_default();
    output::write_file(&path, &json).map_err(|e| output_error(&path, e))?;

    // The store: one transaction, after every output is in place.
    stages.stage("saving the run in the store");
    let files: Vec<store::InputFileRecord> = outcome
        .series
        .files
        .iter()
        .map(|f| store::InputFileRecord {
            path: f.path.clone(),
            name: f.name.clone(),
            sha256: f.sha256.clone(),
            size: f.size,
            kind: f
                .data_type()
                .map(|t| t.describe().to_string())
                .unwrap_or_else(|| "other".into()),
            board: f.board().unwrap_or_default(),
            records: f.records() as u64,
        })
        .collect();
    let outcome_on = as_of.date_naive();
    let run_id = db.record_run_with(
        &store::RunRecord {
            started_at,
            as_of,
            centre: &centre,
            series: &series_code,
            version: env!("CARGO_PKG_VERSION"),
            files: &files,
            results: &outcome.results,
            findings: &outcome.findings,
            counts: serde_json::json!({ "records": summary.records, "findings": summary.findings }),
            elapsed_ms: started.elapsed().as_millis() as u64,
        },
        &mut |conn, run_id| match changes.as_mut() {
            Some(c) => {
                prs::answer_changes(conn, &centre, &series_code, run_id, outcome_on, c).map(|_| ())
            }
            None => Ok(()),
        },
    )?;

    // What changed since the last run of this centre and series.
    if let Some(changes) = &changes {
        let path = args.out.join("changes.csv");
        output::write_file(&path, &rediff::changes_csv(changes))
            .map_err(|e| output_error(&path, e))?;
        summary.outputs.push("changes.csv".into());
        let changed: std::collections::BTreeSet<String> =
            changes.iter().map(|c| c.candidate_number.clone()).collect();
        let path = args.out.join("statements-changed.html");
        if changed.is_empty() {
            // A page list from an earlier re-run would now be wrong.
            let _ = std::fs::remove_file(&path);
        } else {
            let html = statements::render_html(&set, Some(&changed))?;
            statements::write_html(&path, &html)?;
            summary.outputs.push("statements-changed.html".into());
        }
        if let Some(id) = previous {
            let before =
                analysis::analyse(&db.results_of_run(id)?, &gradesets, &tables, mis.as_ref());
            let path = args.out.join("analysis").join("changes.csv");
            output::write_file(&path, &rediff::analysis_delta_csv(&before, &analysis))
                .map_err(|e| output_error(&path, e))?;
            summary.outputs.push("analysis/changes.csv".into());
        }
        let path = args.out.join("run.json");
        let json = serde_json::to_vec_pretty(&summary).unwrap_or_default();
        output::write_file(&path, &json).map_err(|e| output_error(&path, e))?;
    }

    stages.finish();
    if !args.quiet {
        print_summary(
            &summary, &outcome, &folder, &settings, &calendar, dates, as_of,
        );
        if let Some(changes) = &changes {
            print_changes(changes, previous.unwrap_or_default());
        }
        let _ = writeln!(
            std::io::stdout(),
            "recorded as run {run_id} in {}",
            args.db.display()
        );
    }
    if !folder.unreadable.is_empty() {
        for e in &folder.unreadable {
            messages::error(e);
        }
        return Ok(exit::BAD_INPUT);
    }
    let failing = args
        .fail_on
        .is_some_and(|f| outcome.findings.iter().any(|x| f.includes(x.severity)));
    Ok(if failing { exit::FINDINGS } else { exit::DONE })
}

/// When results may go to third parties: 09:30 on the last results day among the results (the
/// GCSE day when there are GCSE results). `None` when the series is not in the calendar.
fn third_party_release(
    calendar: &Calendar,
    dates: Option<&calendar::SeriesDates>,
    results: &[CandidateResult],
) -> Option<DateTime<Tz>> {
    let dates = dates?;
    results
        .iter()
        .map(|r| calendar.third_party_release(dates, r.results_day))
        .max()
        .or_else(|| Some(calendar.third_party_release(dates, ResultsDay::Gcse)))
}

/// The series to run: the one asked for, else the only one, else the latest (with a warning).
fn choose_series(
    groups: &std::collections::BTreeSet<(String, String)>,
    wanted: Option<&str>,
) -> Result<Option<(String, String)>, RunError> {
    let matching: Vec<&(String, String)> = groups
        .iter()
        .filter(|(_, code)| match wanted {
            None => true,
            Some(w) => calendar::same_series(code, w),
        })
        .collect();
    if let (Some(w), true) = (wanted, matching.is_empty()) {
        let found: Vec<&str> = groups.iter().map(|(_, s)| s.as_str()).collect();
        return Err(RunError::Usage(format!(
            "no files for series '{w}'; the folder holds series {}",
            if found.is_empty() {
                "none".to_string()
            } else {
                found.join(", ")
            }
        )));
    }
    let centres: std::collections::BTreeSet<&str> =
        matching.iter().map(|(c, _)| c.as_str()).collect();
    if centres.len() > 1 {
        return Err(RunError::Usage(format!(
            "the folder holds files of {} centres ({}); run each centre's folder on its own",
            centres.len(),
            centres.into_iter().collect::<Vec<_>>().join(", ")
        )));
    }
    // Latest series by id (2026-06 after 2025-11).
    let latest = matching
        .iter()
        .max_by_key(|(_, code)| calendar::series_id(code).unwrap_or_default())
        .map(|g| (*g).clone());
    if matching.len() > 1 {
        if let Some((_, code)) = &latest {
            messages::warn(&format!(
                "the folder holds several series ({}); running {code}. Choose with --series",
                matching
                    .iter()
                    .map(|(_, s)| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    Ok(latest)
}

/// `run.json`: what was read, what was found, what was written.
#[derive(Debug, Serialize)]
pub struct RunSummary {
    pub resultsday_version: &'static str,
    pub as_of: String,
    pub centre: String,
    pub series: String,
    pub series_name: Option<String>,
    pub input_files: Vec<InputSummary>,
    pub skipped_files: Vec<String>,
    pub unreadable_files: Vec<String>,
    /// Board → the basedata files used (the highest version of each type).
    pub basedata: BTreeMap<String, Vec<String>>,
    pub records: BTreeMap<String, usize>,
    pub findings: BTreeMap<String, usize>,
    pub outputs: Vec<String>,
    /// Whether what is meant for third parties (the headline CSV) was written or held back.
    pub third_party_outputs: String,
    pub elapsed_seconds: f64,
}

#[derive(Debug, Serialize)]
pub struct InputSummary {
    pub path: String,
    pub sha256: String,
    pub size: u64,
    pub data_type: Option<char>,
    pub board: Option<String>,
    pub records: usize,
}

impl RunSummary {
    fn new(
        outcome: &RunOutcome,
        folder: &Folder,
        as_of: DateTime<Tz>,
        series_name: Option<String>,
        written: &[PathBuf],
        out: &Path,
        elapsed: f64,
    ) -> RunSummary {
        let s = &outcome.series;
        let mut records = BTreeMap::new();
        for f in &s.files {
            let n = f.records();
            let key = f
                .data_type()
                .map(|t| t.describe().to_string())
                .unwrap_or_else(|| "other".into());
            *records.entry(key).or_insert(0) += n;
        }
        records.insert("results after replacement".into(), outcome.results.len());
        let mut findings = BTreeMap::new();
        for f in &outcome.findings {
            *findings.entry(f.kind.as_str().to_string()).or_insert(0) += 1;
        }
        RunSummary {
            resultsday_version: env!("CARGO_PKG_VERSION"),
            as_of: as_of.to_rfc3339(),
            centre: s.centre.clone(),
            series: s.series.clone(),
            series_name,
            input_files: s
                .files
                .iter()
                .map(|f| InputSummary {
                    path: f.path.display().to_string(),
                    sha256: f.sha256.clone(),
                    size: f.size,
                    data_type: f.data_type().map(|t| t.letter()),
                    board: f.board(),
                    records: f.edi().map_or_else(
                        || {
                            f.xml()
                                .map_or(0, |x| x.candidates.iter().map(|c| c.results.len()).sum())
                        },
                        |e| e.records.len(),
                    ),
                })
                .collect(),
            skipped_files: folder
                .skipped
                .iter()
                .map(|s| s.path.display().to_string())
                .collect(),
            unreadable_files: folder.unreadable.iter().map(|e| e.to_string()).collect(),
            basedata: s
                .boards
                .iter()
                .map(|(b, bs)| {
                    (
                        b.clone(),
                        bs.basedata
                            .versions
                            .iter()
                            .map(|(_, name, _)| name.clone())
                            .collect(),
                    )
                })
                .collect(),
            records,
            findings,
            outputs: written
                .iter()
                .map(|p| p.strip_prefix(out).unwrap_or(p).display().to_string())
                .chain(std::iter::once("run.json".to_string()))
                .collect(),
            third_party_outputs: String::new(),
            elapsed_seconds: (elapsed * 1000.0).round() / 1000.0,
        }
    }
}

/// How urgent a kind is for the exams officer on results day: lower first.
fn urgency(kind: FindingKind) -> u8 {
    use FindingKind::*;
    match kind {
        MissingResult => 0,
        PendingResult => 1,
        NoResult => 2,
        CashInGap => 3,
        ResultWithoutEntry => 4,
        UnknownEntryCode => 5,
        InvalidGrade => 6,
        XmlGradeConflict => 7,
        DuplicateResult => 8,
        MalformedRecord | UnreadableFile => 9,
        TrailerMismatch => 10,
        CentreMismatch => 11,
        OptionChanged => 12,
        IncompleteResult => 13,
        PartialAbsence => 14,
        NameMismatch => 15,
        UciInvalid => 16,
        XmlWithoutEdi => 17,
        HeaderMismatch => 18,
        UnknownAwardingBody => 19,
    }
}

#[allow(clippy::too_many_arguments)]
fn print_summary(
    summary: &RunSummary,
    outcome: &RunOutcome,
    folder: &Folder,
    settings: &config::Settings,
    calendar: &Calendar,
    dates: Option<&calendar::SeriesDates>,
    as_of: DateTime<Tz>,
) {
    let mut out = std::io::stdout().lock();
    let centre_name = settings
        .centre_name
        .clone()
        .map(|n| format!("{n} ({})", summary.centre))
        .unwrap_or_else(|| format!("centre {}", summary.centre));
    let series = summary
        .series_name
        .clone()
        .map(|n| format!("{n} ({})", summary.series))
        .unwrap_or_else(|| summary.series.clone());
    let _ = writeln!(
        out,
        "{centre_name}, {series}, as of {}",
        as_of.format("%a %-d %b %Y %H:%M %Z")
    );
    let boards: Vec<&str> = outcome.series.boards.keys().map(String::as_str).collect();
    let _ = writeln!(
        out,
        "  read {} from {} ({}): {} results, {} entries",
        messages::count(outcome.series.files.len(), "file", "files"),
        messages::count(boards.len(), "board", "boards"),
        boards.join(", "),
        outcome.results.len(),
        outcome
            .series
            .boards
            .values()
            .map(|b| b.entries.values().filter(|e| !e.withdrawn).count())
            .sum::<usize>()
    );
    for s in &folder.skipped {
        let _ = writeln!(out, "  skipped {} ({})", s.path.display(), s.reason);
    }
    for e in &folder.unreadable {
        let _ = writeln!(out, "  NOT READ {e}");
    }
    let notes: Vec<String> = outcome
        .series
        .files
        .iter()
        .flat_map(|f| {
            f.parsed
                .all_problems()
                .filter(|p| {
                    matches!(
                        p.kind,
                        parsers::ProblemKind::ExtraText
                            | parsers::ProblemKind::ControlCharacters
                            | parsers::ProblemKind::FileNameNoise
                    )
                })
                .map(move |p| format!("{}: {p}", f.name))
        })
        .collect();
    for n in notes.iter().take(5) {
        let _ = writeln!(out, "  note: {n}");
    }
    if notes.len() > 5 {
        let _ = writeln!(
            out,
            "  note: and {} more (resultsday inspect DIR shows them)",
            notes.len() - 5
        );
    }

    let errors = outcome
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = outcome.findings.len() - errors;
    let _ = writeln!(
        out,
        "\n{} and {}:",
        messages::count(errors, "error", "errors"),
        messages::count(warnings, "warning", "warnings")
    );
    let mut kinds: Vec<(FindingKind, usize)> = Vec::new();
    for f in &outcome.findings {
        match kinds.iter_mut().find(|(k, _)| *k == f.kind) {
            Some((_, n)) => *n += 1,
            None => kinds.push((f.kind, 1)),
        }
    }
    kinds.sort_by_key(|(k, _)| urgency(*k));
    for (k, n) in &kinds {
        let _ = writeln!(out, "  {n:>5}  {} ({})", k.describe(), k.as_str());
    }
    if !outcome.findings.is_empty() {
        let mut urgent: Vec<&Finding> = outcome.findings.iter().collect();
        urgent.sort_by_key(|f| (f.severity, urgency(f.kind)));
        let _ = writeln!(out, "\nmost urgent:");
        for f in urgent.iter().take(10) {
            let who = if f.candidate_number.is_empty() {
                String::new()
            } else {
                format!(
                    "{} {} ",
                    f.candidate_number,
                    crate::model::split_name(&f.name).0
                )
            };
            let place = match f.line {
                Some(l) => format!("{} line {l}", f.file),
                None => f.file.clone(),
            };
            let _ = writeln!(
                out,
                "  {:<7} board {} {who}{} {}: {} [{place}]",
                f.severity.as_str(),
                f.board,
                f.entry_code,
                f.kind.as_str(),
                f.detail
            );
        }
    }
    if let Some(d) = dates {
        for day in [ResultsDay::Gce, ResultsDay::Gcse] {
            let at = calendar.candidate_release(d, day);
            if as_of < at && outcome.results.iter().any(|r| r.results_day == day) {
                let _ = writeln!(
                    out,
                    "\nconfidential: {} results may not reach candidates before {}",
                    match day {
                        ResultsDay::Gce => "A level and level 3",
                        ResultsDay::Gcse => "GCSE and level 1/2",
                    },
                    at.format("%H:%M on %A %-d %B %Y")
                );
            }
        }
    } else {
        let _ = writeln!(
            out,
            "\nseries {} is not in the series calendar: add it to series.toml to have embargo and deadlines decided",
            summary.series
        );
    }
    if summary.third_party_outputs != "written" {
        let _ = writeln!(
            out,
            "analysis/headline.csv (for the local authority and the press) {}",
            summary.third_party_outputs
        );
    }
    let _ = writeln!(out, "\nwritten: {}", summary.outputs.join(", "));
}

/// The rediff on the terminal: the counts, then each change.
fn print_changes(changes: &[rediff::Change], previous: i64) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "\nsince run {previous}: {}",
        rediff::summary_line(changes)
    );
    for c in changes.iter().take(50) {
        let mark = |m: Option<u16>| m.map(|m| format!(" ({m})")).unwrap_or_default();
        let old = if c.old_grade.is_empty() {
            "none".to_string()
        } else {
            c.old_grade.clone()
        };
        let new = if c.new_grade.is_empty() {
            "none".to_string()
        } else {
            c.new_grade.clone()
        };
        let request = match (&c.prs_request, c.refund_due) {
            (Some(r), Some(true)) => format!("  answers {r}, fee refunded"),
            (Some(r), _) => format!("  answers {r}, fee charged"),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "  {:<7} {} {} board {} {} {}: {old}{} -> {new}{}{request}",
            c.direction.as_str(),
            c.candidate_number,
            crate::model::split_name(&c.name).0,
            c.board,
            c.entry_code,
            c.title,
            mark(c.old_mark),
            mark(c.new_mark)
        );
    }
    if changes.len() > 50 {
        let _ = writeln!(out, "  and {} more in changes.csv", changes.len() - 50);
    }
}
