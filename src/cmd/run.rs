//! `resultsday run DIR --out OUT`: the results-day run. Reads every file in DIR, checks and
//! reconciles them, and writes findings, statements, analysis and `run.json` to OUT; records
//! the run in the store.
//!
//! A folder of several centres (a trust's, or a whole series') is run centre by centre, a few
//! at a time in parallel, so memory is bounded by the largest centre: each centre's outputs go
//! to `OUT/centres/<centre>/`, and OUT holds every centre's findings and statements (with a
//! `centre` column) and the analysis of all of them. Every centre's run is saved in the store
//! in one transaction.
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
use rayon::prelude::*;
use serde::Serialize;

use crate::check::{self, changes, reconcile, results};
use crate::cmd::args::{DbArg, FailOn};
use crate::exit;
use crate::load::inputs::Limits;
use crate::load::mis;
use crate::load::{self, CentreSeries, Folder};
use crate::messages;
use crate::model::{CandidateResult, Finding, FindingKind, ResultsDay};
use crate::rules::calendar::{self, Calendar};
use crate::rules::{config, tables};
use crate::write::output;
use crate::write::statements;
use crate::{analysis, prs, store};

/// `resultsday run`
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The folder of files to read.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Where to write findings, statements and analysis (created if missing).
    #[arg(long, value_name = "OUT")]
    pub out: PathBuf,
    #[command(flatten)]
    pub db: DbArg,
    /// Decide embargo and deadlines as at this earlier time instead of now (ISO 8601,
    /// Europe/London, e.g. 2026-08-20T07:30), so a run can be repeated exactly. It moves the
    /// clock back, never forward: a time later than now is refused unless --force-release.
    #[arg(long, value_name = "DATETIME")]
    pub as_of: Option<String>,
    /// The MIS export (candidates.csv) for cohort breakdowns.
    #[arg(long, value_name = "CSV")]
    pub mis: Option<PathBuf>,
    /// Which series to run when DIR holds more than one: a series code (6A26) or id (2026-06).
    #[arg(long, value_name = "ID")]
    pub series: Option<String>,
    /// Exit with status 1 when findings at or above this severity exist.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,
    /// Release now: let --as-of go past the real clock, and write what is meant for third
    /// parties (the headline CSV) even before 09:30 on results day.
    #[arg(long)]
    pub force_release: bool,
    /// Use a centre's series.toml that releases results earlier than the built-in calendar
    /// (when JCQ has really moved a date). It releases nothing by itself: the embargo then
    /// follows the centre's dates, and third-party outputs still wait for their time.
    #[arg(long)]
    pub accept_earlier_calendar: bool,
    /// No progress bars and no summary on the terminal.
    #[arg(long, short)]
    pub quiet: bool,
    /// Read the EDI files with this layout table (as `resultsday calibrate` writes it) in place
    /// of the built-in one; by default `layouts.toml` in DIR or the working folder, if there is
    /// one.
    #[arg(long, value_name = "FILE")]
    pub layout: Option<PathBuf>,
}

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
        path: output::shown(path),
        message: format!("cannot be written: {}", crate::messages::describe_write(&e)),
    }
}

/// An error while the new set of outputs was being written, before anything of it replaced
/// OUT's or the store saved it: said as the write that failed (a module may have passed the
/// error on as text), with what it leaves.
fn not_written(staging: &output::Staging, e: RunError) -> RunError {
    let (path, message) = match (staging.failure(), e) {
        (
            Some((path, io)),
            RunError::Output { .. }
            | RunError::Statements(statements::StatementError::Write { .. }),
        ) => (
            path,
            format!(
                "cannot be written: {}",
                crate::messages::describe_write(&io)
            ),
        ),
        (_, RunError::Output { path, message }) => (output::shown(&path), message),
        (_, e) => return e,
    };
    RunError::Output {
        path,
        message: format!(
            "{message}; {} holds the last run's files as they were, and nothing of this run was \
             saved",
            staging.out().display()
        ),
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
    check_centre(
        load::assemble(folder, centre, series_code),
        gradesets,
        boards,
        true,
    )
}

/// Checks and reconciles an assembled series: pure, no I/O. Problems in the basedata files
/// are findings only with `basedata_files` (a run of several centres reports them once).
pub fn check_centre<'f>(
    series: CentreSeries<'f>,
    gradesets: &Gradesets,
    boards: &Boards,
    basedata_files: bool,
) -> RunOutcome<'f> {
    let centre = series.centre.as_str();
    let (results, mut findings) = results::build(&series);
    for f in &series.files {
        if basedata_files || !f.data_type().is_some_and(|t| t.is_basedata()) {
            findings.extend(check::file_findings(f, centre, boards));
        }
    }
    findings.extend(check::result_findings(&series, gradesets));
    findings.extend(check::unknown_gradesets(&series, gradesets));
    findings.extend(reconcile::reconcile(&series));
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup();
    RunOutcome {
        series,
        results,
        findings,
    }
}

/// The columns of `findings.csv`.
pub const FINDINGS_COLUMNS: [&str; 11] = [
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
];

/// The findings as `findings.csv` bytes.
pub fn findings_csv(findings: &[Finding]) -> Vec<u8> {
    let mut w = findings_builder().in_memory();
    for f in findings {
        let _ = write_finding(&mut w, f);
    }
    w.into_bytes()
}

/// How `findings.csv` is written: `line` is its one numeric column.
fn findings_builder() -> crate::write::csvout::Builder {
    crate::write::csvout::Builder::new(FINDINGS_COLUMNS).numeric(["line"])
}

/// One row of `findings.csv`.
fn write_finding<W: Write>(
    w: &mut crate::write::csvout::Writer<W>,
    f: &Finding,
) -> std::io::Result<()> {
    let line = f.line.map(|l| l.to_string()).unwrap_or_default();
    w.write_record([
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
    ])
}

/// The centre's own table `name` in DIR (else the working folder), else the built-in one; with
/// the centre's file as it was read (`None` for the built-in table), for the store to keep with
/// the run.
fn load_table<T>(
    dir: &Path,
    name: &str,
    builtin: fn() -> T,
    read: fn(&[u8]) -> Result<T, parsers::tables::TableError>,
) -> Result<(T, Option<String>), RunError> {
    let (table, copy) = tables::centre_or_builtin(Some(dir), name, builtin, |shown, bytes| {
        read(bytes).map_err(|e| tables::TableFileError {
            file: shown.to_string(),
            line: None,
            message: e.to_string(),
        })
    })
    .map_err(|e| RunError::Settings(e.to_string()))?;
    Ok((table, copy.map(|c| c.text())))
}

/// What stays the same for every centre of a run.
/// Threads that sync a run's files to disk while its centres are checked (several centres):
/// they wait for the disk, not the processor, so they are more than the cores of a laptop.
const SYNC_THREADS: usize = 4;

struct Context<'a> {
    args: &'a RunArgs,
    settings: config::Settings,
    calendar: Calendar,
    gradesets: Gradesets,
    /// The centre's `gradesets.csv` as read, kept with each run; `None`: the built-in table.
    gradesets_text: Option<String>,
    boards: Boards,
    tables: analysis::AnalysisTables,
    mis: Option<mis::Mis>,
    as_of: DateTime<Tz>,
    limits: Limits,
    /// The layout tables files are read with: the built-in one, or the centre's.
    layouts: load::LayoutChoice,
    /// Several centres: each writes under `OUT/centres/<centre>/`, and OUT holds them all.
    several: bool,
    bar: indicatif::ProgressBar,
    /// With several centres, each centre's files are synced to disk by threads of their own.
    syncer: Option<output::Syncer>,
    /// Where the run's new set of outputs is written, whole, before it replaces OUT's.
    staging: &'a output::Staging,
}

impl Context<'_> {
    /// How a centre's files are put in place.
    fn commit(&self) -> output::Commit<'_> {
        match &self.syncer {
            Some(syncer) => output::Commit::Background(syncer),
            None => output::Commit::Now,
        }
    }

    /// Where a centre's files are written: in the staging folder, under the names they take
    /// in OUT.
    fn out_dir(&self, centre: &str) -> PathBuf {
        if self.several {
            self.root().join("centres").join(centre)
        } else {
            self.root().to_path_buf()
        }
    }

    /// Where OUT's own files are written: the staging folder.
    fn root(&self) -> &Path {
        self.staging.dir()
    }
}

/// One centre's run, checked and written, on its way to the store.
struct CentreRun {
    centre: String,
    series: String,
    dates: Option<calendar::SeriesDates>,
    out_dir: PathBuf,
    results: Vec<CandidateResult>,
    /// This centre's rows of OUT's `statements.csv` (several centres only), made beside the
    /// centre's own files so that the saving thread only copies them.
    statement_rows: Vec<u8>,
    findings: Vec<Finding>,
    files: Vec<store::InputFileRecord>,
    summary: RunSummary,
    analysis: analysis::Analysis,
    /// When the results may go to third parties; `None` when the series is not in the calendar.
    released: Option<DateTime<Tz>>,
    boards: Vec<String>,
    entries: usize,
    /// Notes on the files (extra text, control characters, download noise in names).
    notes: Vec<String>,
    unreadable: Vec<crate::load::inputs::InputError>,
}

/// What became of one centre of the folder.
enum CentreOutcome {
    Done(Box<CentreRun>),
    /// The centre has no files of the series run (several centres only); why, and what could
    /// not be read.
    NotRun {
        centre: String,
        why: String,
        unreadable: Vec<crate::load::inputs::InputError>,
    },
}

/// How much input a group of centres checked together may hold: memory is bounded by a few
/// such groups (or by the largest centre, if it is larger), not by the folder.
const GROUP_BYTES: u64 = 16 * 1024 * 1024;
/// The most centres in a group.
const GROUP_CENTRES: usize = 16;

/// Splits the centres, in folder order, into groups checked in parallel: each group at least
/// one centre per thread, at most [`GROUP_BYTES`] of input (unless one centre is larger) and
/// [`GROUP_CENTRES`] centres. Large groups keep every thread busy; the bound keeps memory in
/// hand.
fn groups<'p>(
    centres: &[(&'p String, &'p Vec<PathBuf>)],
) -> Vec<Vec<(&'p String, &'p Vec<PathBuf>)>> {
    let threads = rayon::current_num_threads().max(1);
    let size = |paths: &Vec<PathBuf>| -> u64 {
        paths
            .iter()
            .filter_map(|p| std::fs::metadata(p).ok())
            .map(|m| m.len())
            .sum()
    };
    let mut groups = Vec::new();
    let (mut group, mut bytes) = (Vec::new(), 0u64);
    for &(centre, paths) in centres {
        let n = size(paths);
        if group.len() >= threads && (bytes + n > GROUP_BYTES || group.len() == GROUP_CENTRES) {
            groups.push(std::mem::take(&mut group));
            bytes = 0;
        }
        group.push((centre, paths));
        bytes += n;
    }
    if !group.is_empty() {
        groups.push(group);
    }
    groups
}

pub fn run(args: &RunArgs) -> Result<i32, Box<dyn std::error::Error>> {
    let started = Instant::now();
    let started_at = Utc::now();
    // The real clock (a test may hold it back, never forward: calendar::now).
    let now = calendar::now().map_err(RunError::Usage)?;
    let as_of: DateTime<Tz> = match &args.as_of {
        Some(text) => calendar::parse_as_of(text).map_err(RunError::Usage)?,
        None => now,
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
    let calendar = Calendar::centre(Some(&args.dir), args.accept_earlier_calendar)
        .map_err(|e| RunError::Settings(e.to_string()))?;
    // --as-of moves the clock back, never forward past what the real clock still holds.
    calendar
        .refuse_as_of_after_now(as_of, now, args.force_release)
        .map_err(RunError::Usage)?;
    let (gradesets, gradesets_text) =
        load_table(&args.dir, store::GRADESETS_TABLE, Gradesets::builtin, |f| {
            Gradesets::from_csv(f)
        })?;
    let (boards, _) = load_table(&args.dir, "boards.csv", Boards::builtin, |f| {
        Boards::from_csv(f)
    })?;
    let tables = analysis::AnalysisTables::load(Some(&args.dir))
        .map_err(|e| RunError::Settings(e.to_string()))?;
    let layouts =
        load::load_layouts(args.layout.as_deref(), Some(&args.dir)).map_err(RunError::Settings)?;

    let limits = Limits::default();
    let plan = load::plan_folder(&args.dir, &limits);
    if plan.centres.is_empty() {
        return Err(Box::new(RunError::Usage(format!(
            "{}: no results or entries files found ({} files read, {} skipped, {} unreadable); \
             expected files named like R1452070.X01, E1452070.X01 or a2c.14520.70.EDIResults.<id>.xml",
            args.dir.display(),
            plan.files(),
            plan.skipped.len(),
            plan.unreadable.len()
        ))));
    }
    let several = plan.centres.len() > 1;
    if several && args.mis.is_some() {
        return Err(Box::new(RunError::Usage(format!(
            "the folder holds files of {} centres; --mis takes one centre's MIS export, so run \
             that centre's folder on its own with it",
            plan.centres.len()
        ))));
    }
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

    // The store, opened and locked before anything is read or written: a second run on the
    // same store waits here for the first, then compares with what the first saved; a foreign
    // store, or one still in use after the wait, stops the run with OUT as the last run left
    // it. `run` makes the store, and its folder.
    if let Some(folder) = args.db.path.parent().filter(|p| !p.as_os_str().is_empty()) {
        output::create_private_dir(folder).map_err(|e| output_error(folder, e))?;
    }
    let mut db = store::Store::open(&args.db.path)?;
    let shown_db = messages::escape_terminal(&args.db.path.display().to_string());
    let batch = db.begin_runs_waiting(store::run_lock_wait(), &mut || {
        let _ = writeln!(
            std::io::stderr(),
            "resultsday: another run is using {shown_db}; waiting…"
        );
    })?;
    output::create_private_dir(&args.out).map_err(|e| output_error(&args.out, e))?;
    // What a run that ended early left in OUT: a set whose runs the store holds is put in
    // place, anything else goes; then the temporary files.
    recover_outputs(&args.out, &batch)?;
    output::remove_stale_temporaries(&args.out);
    // The new set of outputs is written whole here before it replaces OUT's.
    let staging = output::Staging::begin(&args.out).map_err(|e| output_error(&args.out, e))?;
    let latest = batch.latest_runs()?;

    let show_progress = !args.quiet && messages::stderr_is_terminal();
    let bar = if show_progress {
        let bar = indicatif::ProgressBar::new(plan.files() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "reading and checking {pos}/{len} files {wide_bar} {elapsed}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let ctx = Context {
        args,
        settings,
        calendar,
        gradesets,
        gradesets_text,
        boards,
        tables,
        mis,
        as_of,
        limits,
        layouts,
        several,
        bar,
        syncer: several.then(|| output::Syncer::new(SYNC_THREADS)),
        staging: &staging,
    };

    // Basedata is every centre's: read once, shared.
    let (mut basedata_files, basedata_unreadable) =
        load::read_paths(&plan.basedata, &ctx.limits, &ctx.layouts, &|| {
            ctx.bar.inc(1)
        });
    load::name_within(&mut basedata_files, &args.dir);
    let basedata = load::BasedataSet::new(&basedata_files);

    // What is said of the folder as a whole: in the one centre's run.json, or in OUT's.
    let mut folder_unreadable = plan.unreadable.clone();
    folder_unreadable.extend(basedata_unreadable);
    let folder_notes = FolderNotes {
        skipped: plan.skipped.clone(),
        settings: plan.settings.clone(),
        unreadable: folder_unreadable,
    };
    let mut combined = if several {
        let centres = plan.centres.keys().cloned().collect();
        Some(
            Combined::start(&ctx, &basedata_files, &folder_notes, &centres)
                .map_err(|e| not_written(&staging, e))?,
        )
    } else {
        None
    };

    // Centres are checked and written in parallel, a few at a time, and saved in the store in
    // folder order by this thread as they come, all in one transaction.
    let centres: Vec<(&String, &Vec<PathBuf>)> = plan.centres.iter().collect();
    let mut done: Vec<Saved> = Vec::new();
    let mut not_run: Vec<(String, String)> = Vec::new();
    let mut centre_unreadable = Vec::new();
    let mut after_commit: Vec<Pending> = Vec::new();
    let outcome: Result<(), RunError> = std::thread::scope(|scope| {
        // One group waits while the next is checked: at most three groups in memory.
        let (send, receive) = std::sync::mpsc::sync_channel::<Vec<_>>(1);
        let (ctx, basedata, folder_notes) = (&ctx, &basedata, &folder_notes);
        scope.spawn(move || {
            for group in groups(&centres) {
                let outcomes: Vec<Result<CentreOutcome, RunError>> = group
                    .par_iter()
                    .map(|(centre, paths)| {
                        process_centre(ctx, basedata, folder_notes, centre, paths, started)
                    })
                    .collect();
                if send.send(outcomes).is_err() {
                    return;
                }
            }
        });
        for outcome in receive.into_iter().flatten() {
            match outcome? {
                CentreOutcome::NotRun {
                    centre,
                    why,
                    unreadable,
                } => {
                    not_run.push((centre, why));
                    centre_unreadable.extend(unreadable);
                }
                CentreOutcome::Done(mut run) => {
                    let mut saved =
                        save_centre(ctx, &batch, &latest, &mut run, started_at, started)?;
                    after_commit.append(&mut saved.pending);
                    if let Some(c) = combined.as_mut() {
                        c.add(ctx, &run)?;
                    }
                    centre_unreadable.extend(run.unreadable.iter().cloned());
                    done.push(Saved {
                        run: if several { None } else { Some(run) },
                        ..saved
                    });
                }
            }
        }
        Ok(())
    });
    outcome.map_err(|e| not_written(&staging, e))?;
    ctx.bar.finish_and_clear();
    if done.is_empty() {
        // Only when several centres all lack the series asked for.
        let why: Vec<String> = not_run.iter().map(|(c, w)| format!("{c}: {w}")).collect();
        return Err(Box::new(RunError::Usage(why.join("\n"))));
    }
    let stages = messages::Stages::new(show_progress);
    stages.stage("saving the run in the store");
    // The whole new set is written and on disk before the store says the run happened: every
    // centre's files, what compares each with its last run, and OUT's own files.
    if let Some(syncer) = &ctx.syncer {
        syncer
            .wait()
            .map_err(|(path, e)| not_written(&staging, output_error(&path, e)))?;
    }
    for p in after_commit {
        p.apply().map_err(|e| not_written(&staging, e))?;
    }
    let several_summary = match combined {
        Some(combined) => Some(
            combined
                .finish(&ctx, &done, &folder_notes, &not_run, started)
                .map_err(|e| not_written(&staging, e))?,
        ),
        None => None,
    };
    commit_outputs(&staging, batch, &done, started_at)?;

    let unreadable: Vec<crate::load::inputs::InputError> = folder_notes
        .unreadable
        .iter()
        .cloned()
        .chain(centre_unreadable)
        .collect();
    let mut failing_findings = false;
    if let Some(summary) = several_summary {
        stages.finish();
        failing_findings = args
            .fail_on
            .is_some_and(|f| summary.severities.iter().any(|s| f.includes(*s)));
        if !args.quiet {
            print_several(&ctx, &summary, &folder_notes, &done, &not_run, &unreadable);
        }
    } else if let Some(saved) = done.pop() {
        stages.finish();
        let Some(run) = saved.run.as_deref() else {
            return Ok(exit::DONE);
        };
        failing_findings = args
            .fail_on
            .is_some_and(|f| run.findings.iter().any(|x| f.includes(x.severity)));
        if !args.quiet {
            print_summary(&ctx, run, &folder_notes);
            if saved.unchanged {
                print_unchanged(&saved, &args.db.path);
            } else {
                if let Some((previous, changes)) = &saved.changes {
                    print_changes(changes, *previous);
                }
                let _ = writeln!(
                    std::io::stdout(),
                    "recorded as run {} in {}",
                    saved.run_id,
                    args.db.path.display()
                );
            }
        }
    }
    if !unreadable.is_empty() {
        for e in &unreadable {
            messages::error(e);
        }
        return Ok(exit::BAD_INPUT);
    }
    Ok(if failing_findings {
        exit::FINDINGS
    } else {
        exit::DONE
    })
}

/// What is said of the folder as a whole rather than of one centre.
struct FolderNotes {
    skipped: Vec<load::Skipped>,
    /// The centre's settings and tables read from the folder.
    settings: Vec<PathBuf>,
    unreadable: Vec<crate::load::inputs::InputError>,
}

/// A file of the new set to write once every centre's own files are written (the syncer's
/// threads may still be writing a centre's `run.json` when it is saved in the store).
enum Pending {
    Write(PathBuf, Vec<u8>),
}

impl Pending {
    fn apply(self) -> Result<(), RunError> {
        match self {
            Pending::Write(path, bytes) => {
                output::write_file(&path, &bytes).map_err(|e| output_error(&path, e))
            }
        }
    }
}

/// What a run that ended early left in OUT, dealt with before anything is written (holding
/// the store's lock): its files put in place if the store holds its runs, else removed.
fn recover_outputs(out: &Path, batch: &store::RunBatch) -> Result<(), RunError> {
    let recovered = output::recover(out, &mut |run| {
        batch
            .has_run(run.id, &run.centre, &run.series, &run.started_at)
            .ok()
    });
    for r in recovered {
        match r {
            output::Recovered::Finished { runs } => messages::warn(&format!(
                "the run that saved {} was stopped while its files were put in {}; they are \
                 now all in place",
                runs_text(&runs),
                out.display()
            )),
            output::Recovered::Removed => {}
            output::Recovered::Failed { path, reason } => {
                return Err(RunError::Output {
                    path,
                    message: format!(
                        "cannot be put in place: {reason}; an earlier run was stopped while its \
                         files were put in place, and they are still in {}/{}<process id>: \
                         correct this and run again",
                        out.display(),
                        output::STAGING_PREFIX
                    ),
                })
            }
        }
    }
    Ok(())
}

/// `run 4`, `runs 4–9`, or `no run`.
fn runs_text(runs: &[i64]) -> String {
    match (runs.first(), runs.last()) {
        (Some(a), Some(b)) if a == b => format!("run {a}"),
        (Some(a), Some(b)) => format!("runs {a}–{b}"),
        _ => "no run".into(),
    }
}

/// Saves the runs and puts the new set of outputs in place, in that order: the manifest of
/// the complete set first (and every file checked to be able to take its place), then the
/// store's commit, then the files renamed over OUT's. A failure before the commit leaves OUT
/// and the store as they were; a kill after it leaves the set for the next run to finish.
fn commit_outputs(
    staging: &output::Staging,
    batch: store::RunBatch,
    done: &[Saved],
    started_at: DateTime<Utc>,
) -> Result<(), RunError> {
    let recorded: Vec<output::StagedRun> = done
        .iter()
        .filter(|s| !s.unchanged)
        .map(|s| output::StagedRun {
            id: s.run_id,
            centre: s.centre.clone(),
            series: s.series.clone(),
            started_at: store::time_text(&started_at),
        })
        .collect();
    let ids: Vec<i64> = recorded.iter().map(|r| r.id).collect();
    staging
        .seal(recorded)
        .map_err(|(path, e)| not_written(staging, output_error(&path, e)))?;
    batch.commit()?;
    staging
        .put_in_place()
        .map_err(|(path, e)| RunError::Output {
            path: output::shown(&path),
            message: format!(
            "cannot be put in place: {}; the store holds {}, and its files are complete in {}: \
             the next run puts them in place",
            crate::messages::describe_write(&e),
            runs_text(&ids),
            staging.dir().display()
        ),
        })
}

/// Nothing has changed since a centre's latest run: on the terminal.
fn print_unchanged(saved: &Saved, db: &Path) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "\nnothing has changed since run {}: the same files, the same results and findings; \
         nothing new recorded in {}",
        saved.run_id,
        db.display()
    );
    if let Some((previous, changes)) = &saved.changes {
        let _ = writeln!(
            out,
            "changes.csv and statements-changed.html still show what run {} changed since run \
             {previous}: {}",
            saved.run_id,
            changes::summary_line(changes)
        );
    }
}

/// A centre saved in the store.
struct Saved {
    centre: String,
    series: String,
    run_id: i64,
    /// Nothing has changed since the latest run of the centre and series (`run_id`): nothing
    /// was recorded, and its comparison with the run before it was written again.
    unchanged: bool,
    results: usize,
    errors: usize,
    warnings: usize,
    /// The run it was compared with, and the changes since.
    changes: Option<(i64, Vec<changes::Change>)>,
    pending: Vec<Pending>,
    /// When each results day's results may reach candidates (those the centre has results for
    /// and whose series is in the calendar).
    releases: std::collections::BTreeSet<(DateTime<Tz>, ResultsDay)>,
    /// The centre's whole run, kept when it is the only one (for the summary on the terminal).
    run: Option<Box<CentreRun>>,
}

/// Reads, checks and writes one centre's series: `OUT` for a folder of one centre, else
/// `OUT/centres/<centre>/`.
fn process_centre(
    ctx: &Context,
    basedata: &load::BasedataSet,
    folder: &FolderNotes,
    centre: &str,
    paths: &[PathBuf],
    started: Instant,
) -> Result<CentreOutcome, RunError> {
    let (mut files, unreadable) =
        load::read_paths(paths, &ctx.limits, &ctx.layouts, &|| ctx.bar.inc(1));
    load::name_within(&mut files, &ctx.args.dir);
    // A series is an exam month: each board chooses its own series letter in it (AQA's 6A26,
    // OCR's 6B26), so the codes of one month are one series.
    let mut by_month: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
    for code in files.iter().filter_map(|f| f.series()) {
        by_month
            .entry(calendar::series_id_of(&code))
            .or_default()
            .insert(code);
    }
    let groups: BTreeMap<String, std::collections::BTreeSet<String>> = by_month
        .into_values()
        .map(|codes| (load::series_name(&codes), codes))
        .collect();
    let chosen = match choose_series(&groups, ctx.args.series.as_deref(), centre, ctx.several) {
        Ok(c) => c,
        Err(RunError::Usage(why)) if ctx.several => {
            return Ok(CentreOutcome::NotRun {
                centre: centre.to_string(),
                why,
                unreadable,
            })
        }
        Err(e) => return Err(e),
    };
    let Some(series_code) = chosen else {
        let why = format!(
            "no results or entries file of centre {centre} could be read ({} files, {} unreadable)",
            files.len(),
            unreadable.len()
        );
        if ctx.several {
            return Ok(CentreOutcome::NotRun {
                centre: centre.to_string(),
                why,
                unreadable,
            });
        }
        let mut why = why;
        for e in &unreadable {
            why.push_str(&format!("\n  {e}"));
        }
        return Err(RunError::Usage(why));
    };
    // An --as-of given by hand must be possible for the series: not before its files exist.
    if ctx.args.as_of.is_some() {
        ctx.calendar
            .refuse_as_of_before_files(&series_code, ctx.as_of)
            .map_err(RunError::Usage)?;
    }
    if !ctx.several {
        if let Some(expected) = &ctx.settings.centre_number {
            if expected != centre {
                messages::warn(&format!(
                    "resultsday.toml says centre {expected} but the files are for centre {centre}"
                ));
            }
        }
    }
    let series = load::assemble_centre(&files, basedata, centre, &series_code);
    let mut outcome = check_centre(series, &ctx.gradesets, &ctx.boards, !ctx.several);
    // Files that could not be read: the centre's own, and in a folder of one centre, the
    // folder's (a run of several reports those once, in OUT's findings).
    let own_unreadable = unreadable.iter();
    let folder_unreadable = folder
        .unreadable
        .iter()
        .filter(|e| !ctx.several || load::centre_of_name(&e.path).as_deref() == Some(centre));
    outcome.findings.extend(
        folder_unreadable
            .chain(own_unreadable)
            .map(|e| unreadable_finding(e, centre)),
    );
    outcome
        .findings
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));

    let out_dir = ctx.out_dir(centre);
    output::create_private_dir(&out_dir).map_err(|e| output_error(&out_dir, e))?;
    let mut written = Vec::new();
    let path = out_dir.join("findings.csv");
    ctx.commit()
        .write(&path, &findings_csv(&outcome.findings))
        .map_err(|e| output_error(&path, e))?;
    written.push(path);

    let series_id = Some(calendar::series_id_of(&series_code));
    let dates = series_id.as_deref().and_then(|id| ctx.calendar.get(id));
    let series_name = dates.map_or(series_code.as_str(), |d| d.name.as_str());
    if dates.is_none() {
        // Fails closed: held under embargo until the series is added (statements::Releases).
        calendar::warn_unknown_series(&series_code);
    }

    // Statements, and the analysis beside them (a large centre keeps both threads busy); what
    // goes to third parties waits for 09:30 on results day.
    let released = third_party_release(&ctx.calendar, dates, &outcome.results);
    let third_party_allowed = ctx.args.force_release || released.is_some_and(|at| ctx.as_of >= at);
    let (statements_written, analysed) = rayon::join(
        || -> Result<(Vec<PathBuf>, Vec<u8>), RunError> {
            let releases = statements::Releases::new(&ctx.calendar, dates);
            let release = |r: &CandidateResult| releases.of(r);
            let set = statements::StatementSet {
                settings: &ctx.settings,
                centre_number: centre,
                series_name,
                results: &outcome.results,
                boards: &ctx.boards,
                release: &release,
                as_of: ctx.as_of,
                findings: &outcome.findings,
            };
            let written = statements::write_statements(&out_dir, &set, ctx.commit())?;
            let rows = if ctx.several {
                combined_statement_rows(&outcome.results, &outcome.findings, centre).map_err(
                    |e| RunError::Output {
                        path: ctx.args.out.join(statements::CSV_FILE),
                        message: format!("cannot be written: {e}"),
                    },
                )?
            } else {
                Vec::new()
            };
            Ok((written, rows))
        },
        || -> Result<(analysis::Analysis, Vec<PathBuf>), RunError> {
            let analysis = analysis::analyse(
                &outcome.results,
                &ctx.gradesets,
                &ctx.tables,
                ctx.mis.as_ref(),
            );
            let written =
                analysis::write_analysis(&out_dir, &analysis, third_party_allowed, ctx.commit())
                    .map_err(|e| output_error(&out_dir.join("analysis"), e))?;
            Ok((analysis, written))
        },
    );
    let (statements_written, statement_rows) = statements_written?;
    written.extend(statements_written);
    let (analysis, analysis_written) = analysed?;
    written.extend(analysis_written);

    let no_skipped = Vec::new();
    let (skipped, folder_unreadable) = if ctx.several {
        (&no_skipped, &unreadable)
    } else {
        (&folder.skipped, &folder.unreadable)
    };
    let all_unreadable: Vec<crate::load::inputs::InputError> = if ctx.several {
        unreadable.clone()
    } else {
        folder_unreadable
            .iter()
            .cloned()
            .chain(unreadable.iter().cloned())
            .collect()
    };
    let mut summary = RunSummary::new(
        &outcome,
        skipped,
        &all_unreadable,
        ctx.as_of,
        dates.map(|d| d.name.clone()),
        &written,
        &out_dir,
        started.elapsed().as_secs_f64(),
    );
    summary.third_party_outputs = third_party_text(third_party_allowed, released);
    let path = out_dir.join("run.json");
    let json = serde_json::to_vec_pretty(&summary).unwrap_or_default();
    ctx.commit()
        .write(&path, &json)
        .map_err(|e| output_error(&path, e))?;

    let s = &outcome.series;
    let files_records = s
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
    let notes = s
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
                .map(move |p| file_note(&f.name, p))
        })
        .collect();
    let run = CentreRun {
        centre: centre.to_string(),
        series: series_code.clone(),
        dates: dates.cloned(),
        out_dir,
        boards: s.boards.keys().cloned().collect(),
        entries: s
            .boards
            .values()
            .map(|b| b.entries.values().filter(|e| !e.withdrawn).count())
            .sum(),
        files: files_records,
        notes,
        summary,
        analysis,
        released,
        unreadable,
        results: outcome.results,
        statement_rows,
        findings: outcome.findings,
    };
    Ok(CentreOutcome::Done(Box::new(run)))
}

/// A centre's rows of OUT's `statements.csv`, with the centre number last.
fn combined_statement_rows(
    results: &[CandidateResult],
    findings: &[Finding],
    centre: &str,
) -> Result<Vec<u8>, String> {
    let mut rows = statements::csv_builder(true)
        .rows_only()
        .from_writer(Vec::new())
        .map_err(|e| e.to_string())?;
    statements::write_csv_rows(&mut rows, results, findings, Some(centre))
        .map_err(|e| e.to_string())?;
    rows.into_inner().map_err(|e| e.to_string())
}

/// A note on the terminal about a file: where, and what, without the text found (which may
/// be a candidate's name; `inspect` shows it).
fn file_note(file: &str, p: &parsers::Problem) -> String {
    let place = match (p.line, &p.field) {
        (Some(line), Some(field)) => format!("line {line}: {field}: "),
        (Some(line), None) => format!("line {line}: "),
        (None, _) => String::new(),
    };
    let what = match p.kind {
        parsers::ProblemKind::ControlCharacters => {
            "control characters removed (resultsday inspect shows the text)".to_string()
        }
        parsers::ProblemKind::ExtraText => {
            "text after the last field, not read (resultsday inspect shows it)".to_string()
        }
        _ => p.message.clone(),
    };
    format!("{file}: {place}{what}")
}

/// A file that could not be read, as a finding: the run's findings are then the whole story.
fn unreadable_finding(e: &crate::load::inputs::InputError, centre: &str) -> Finding {
    let name = e
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| e.path.display().to_string());
    let board = parsers::FileName::parse(&name)
        .map(|n| n.awarding_body().to_string())
        .unwrap_or_default();
    let mut f = Finding::new(FindingKind::UnreadableFile, &board, centre).detail(&e.reason);
    f.file = name;
    f
}

fn third_party_text(allowed: bool, released: Option<DateTime<Tz>>) -> String {
    if allowed {
        "written".into()
    } else {
        match released {
            Some(at) => format!("held back until {}", at.format("%H:%M on %A %-d %B %Y")),
            None => "held back: the series is not in the calendar (use --force-release)".into(),
        }
    }
}

/// Saves a centre's run in the store's open transaction, and works out what changed since its
/// last run: the files that say so join the new set once every centre's own files are written.
///
/// When nothing has changed since the centre's latest run of the series (the same input files,
/// by SHA-256, giving the same results and findings: nothing the store would save differs),
/// nothing is recorded: the run is that latest run again,
/// and its comparison with the run before it (`changes.csv`, `statements-changed.html`,
/// `analysis/changes.csv`) is written again as `resultsday diff` tells it, so a re-run never
/// loses the reprint pack of the last real change. The statements are made as of this run's
/// clock, so a re-run after 08:00 has pages without the embargo mark.
fn save_centre(
    ctx: &Context,
    batch: &store::RunBatch,
    latest: &std::collections::HashMap<(String, String), i64>,
    run: &mut CentreRun,
    started_at: DateTime<Utc>,
    started: Instant,
) -> Result<Saved, RunError> {
    // The centre's latest run of the same series: the same exam month, whichever of the
    // boards' series codes named it.
    let previous = latest
        .iter()
        .filter(|((c, s), _)| *c == run.centre && load::in_series(s, &run.series))
        .map(|(_, &id)| id)
        .max();
    let before = match previous {
        Some(id) => Some(batch.results_of_run(id)?),
        None => None,
    };
    let unchanged = match (previous, &before) {
        (Some(id), Some(before)) => {
            store::same_as_saved(
                (&batch.files_of_run(id)?, &run.files),
                (before, &run.results),
                (&batch.findings_of_run(id)?, &run.findings),
            ) && batch.table_of_run(id, store::GRADESETS_TABLE)? == ctx.gradesets_text
        }
        _ => false,
    };
    let (run_id, compared) = match previous {
        Some(id) if unchanged => {
            // The run the latest was compared with, and what changed then.
            let earlier = batch
                .runs_of_centre(&run.centre)?
                .into_iter()
                .filter(|(other, s)| *other < id && load::in_series(s, &run.series))
                .map(|(other, _)| other)
                .max();
            let compared = match earlier {
                Some(earlier) => {
                    let before = batch.results_of_run(earlier)?;
                    let mut changes = changes::compare(&before, &run.results, &ctx.gradesets);
                    batch.read(
                        "read the post-results requests its changes answer",
                        |conn| prs::annotate_changes(conn, id, &mut changes),
                    )?;
                    Some((earlier, before, changes))
                }
                None => None,
            };
            (id, compared)
        }
        _ => {
            let mut changes = before
                .as_ref()
                .map(|b| changes::compare(b, &run.results, &ctx.gradesets));
            let outcome_on = ctx.as_of.date_naive();
            let (centre, series) = (run.centre.clone(), run.series.clone());
            let run_id = batch.record(
                &store::RunRecord {
                    started_at,
                    as_of: ctx.as_of,
                    centre: &run.centre,
                    series: &run.series,
                    version: env!("CARGO_PKG_VERSION"),
                    files: &run.files,
                    results: &run.results,
                    findings: &run.findings,
                    tables: &ctx
                        .gradesets_text
                        .as_deref()
                        .map(|text| vec![(store::GRADESETS_TABLE, text)])
                        .unwrap_or_default(),
                    counts: serde_json::json!({
                        "records": run.summary.records,
                        "findings": run.summary.findings
                    }),
                    elapsed_ms: started.elapsed().as_millis() as u64,
                },
                &mut |conn, run_id| match changes.as_mut() {
                    Some(c) => prs::answer_changes(conn, &centre, &series, run_id, outcome_on, c)
                        .map(|_| ()),
                    None => Ok(()),
                },
            )?;
            let compared = match (previous, before, changes) {
                (Some(p), Some(b), Some(c)) => Some((p, b, c)),
                _ => None,
            };
            (run_id, compared)
        }
    };

    // What changed since the last run of this centre and series. Without changes there is no
    // statements-changed.html: the previous set's goes when the new set is put in place.
    let mut pending = Vec::new();
    if let Some((_, before, changes)) = &compared {
        let out = &run.out_dir;
        pending.push(Pending::Write(
            out.join("changes.csv"),
            changes::changes_csv(changes),
        ));
        run.summary.outputs.push("changes.csv".into());
        let changed: std::collections::BTreeSet<String> =
            changes.iter().map(|c| c.candidate_number.clone()).collect();
        if !changed.is_empty() {
            let series_name = run
                .dates
                .as_ref()
                .map_or(run.series.as_str(), |d| d.name.as_str());
            let releases = statements::Releases::new(&ctx.calendar, run.dates.as_ref());
            let release = |r: &CandidateResult| releases.of(r);
            let set = statements::StatementSet {
                settings: &ctx.settings,
                centre_number: &run.centre,
                series_name,
                results: &run.results,
                boards: &ctx.boards,
                release: &release,
                as_of: ctx.as_of,
                findings: &run.findings,
            };
            let html = statements::render_html(&set, Some(&changed))?;
            pending.push(Pending::Write(
                out.join("statements-changed.html"),
                html.into_bytes(),
            ));
            run.summary.outputs.push("statements-changed.html".into());
        }
        let before = analysis::analyse(before, &ctx.gradesets, &ctx.tables, ctx.mis.as_ref());
        pending.push(Pending::Write(
            out.join("analysis").join("changes.csv"),
            changes::analysis_delta_csv(&before, &run.analysis),
        ));
        run.summary.outputs.push("analysis/changes.csv".into());
        pending.push(Pending::Write(
            out.join("run.json"),
            serde_json::to_vec_pretty(&run.summary).unwrap_or_default(),
        ));
    }
    let errors = run
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    Ok(Saved {
        centre: run.centre.clone(),
        series: run.series.clone(),
        run_id,
        unchanged,
        results: run.results.len(),
        errors,
        warnings: run.findings.len() - errors,
        changes: compared.map(|(p, _, c)| (p, c)),
        pending,
        releases: releases(ctx, run),
        run: None,
    })
}

/// The outputs for a folder of several centres: every centre's findings and statements in one
/// file each (with the centre), the analysis of them all, and `run.json`.
struct Combined {
    findings: crate::write::csvout::Writer<std::io::BufWriter<output::AtomicFile>>,
    /// Written as rows come, each centre's made beside its own files.
    statements: std::io::BufWriter<output::AtomicFile>,
    analysis: analysis::Combined,
    /// Findings on the basedata files, which belong to no one centre.
    basedata_findings: Vec<Finding>,
    released: Option<DateTime<Tz>>,
    /// Whether a centre's series is not in the calendar: then nothing goes to third parties.
    unknown_series: bool,
    severities: std::collections::BTreeSet<Severity>,
    by_kind: BTreeMap<String, usize>,
    records: BTreeMap<String, usize>,
}

/// `run.json` of a folder of several centres.
#[derive(Debug, Serialize)]
struct SeveralSummary {
    resultsday_version: &'static str,
    as_of: String,
    centres: Vec<CentreLine>,
    centres_not_run: Vec<String>,
    skipped_files: Vec<String>,
    unreadable_files: Vec<String>,
    records: BTreeMap<String, usize>,
    findings: BTreeMap<String, usize>,
    outputs: Vec<String>,
    third_party_outputs: String,
    elapsed_seconds: f64,
    #[serde(skip)]
    severities: std::collections::BTreeSet<Severity>,
}

#[derive(Debug, Serialize)]
struct CentreLine {
    centre: String,
    run_id: i64,
    results: usize,
    errors: usize,
    warnings: usize,
}

impl Combined {
    fn start(
        ctx: &Context,
        basedata_files: &[load::InputFile],
        folder: &FolderNotes,
        centres: &std::collections::BTreeSet<String>,
    ) -> Result<Combined, RunError> {
        let open = |name: &str| -> Result<_, RunError> {
            let path = ctx.root().join(name);
            let file = output::AtomicFile::create(&path).map_err(|e| output_error(&path, e))?;
            Ok(std::io::BufWriter::new(file))
        };
        let header_error = |name: &str, e: std::io::Error| RunError::Output {
            path: ctx.args.out.join(name),
            message: format!("cannot be written: {e}"),
        };
        let findings = findings_builder()
            .from_writer(open("findings.csv")?)
            .map_err(|e| header_error("findings.csv", e))?;
        let statements = statements::csv_builder(true)
            .from_writer(open("statements.csv")?)
            .map_err(|e| header_error("statements.csv", e))?;
        let mut basedata_findings: Vec<Finding> = basedata_files
            .iter()
            .flat_map(|f| check::file_findings(f, "", &ctx.boards))
            .chain(
                folder
                    .unreadable
                    .iter()
                    .filter(|e| load::centre_of_name(&e.path).is_none_or(|c| !centres.contains(&c)))
                    .map(|e| unreadable_finding(e, "")),
            )
            .collect();
        basedata_findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        basedata_findings.dedup();
        let statements = statements
            .into_inner()
            .map_err(|e| header_error("statements.csv", e))?;
        let mut combined = Combined {
            findings,
            statements,
            analysis: analysis::Combined::default(),
            basedata_findings: Vec::new(),
            released: None,
            unknown_series: false,
            severities: Default::default(),
            by_kind: BTreeMap::new(),
            records: BTreeMap::new(),
        };
        combined.write_findings(ctx, &basedata_findings)?;
        combined.basedata_findings = basedata_findings;
        Ok(combined)
    }

    fn write_findings(&mut self, ctx: &Context, findings: &[Finding]) -> Result<(), RunError> {
        for f in findings {
            self.severities.insert(f.severity);
            *self.by_kind.entry(f.kind.as_str().to_string()).or_insert(0) += 1;
            write_finding(&mut self.findings, f).map_err(|e| RunError::Output {
                path: ctx.args.out.join("findings.csv"),
                message: format!("cannot be written: {e}"),
            })?;
        }
        Ok(())
    }

    /// Adds a centre, in folder order.
    fn add(&mut self, ctx: &Context, run: &CentreRun) -> Result<(), RunError> {
        self.write_findings(ctx, &run.findings)?;
        self.statements
            .write_all(&run.statement_rows)
            .map_err(|e| RunError::Output {
                path: ctx.args.out.join("statements.csv"),
                message: format!("cannot be written: {e}"),
            })?;
        self.analysis.add(&run.analysis);
        self.released = self.released.max(run.released);
        // A centre whose series is not in the calendar holds the folder's headline back too.
        self.unknown_series |= run.dates.is_none();
        for (k, n) in &run.summary.records {
            *self.records.entry(k.clone()).or_insert(0) += n;
        }
        Ok(())
    }

    /// Writes what covers every centre, once every centre is saved.
    fn finish(
        self,
        ctx: &Context,
        done: &[Saved],
        folder: &FolderNotes,
        not_run: &[(String, String)],
        started: Instant,
    ) -> Result<SeveralSummary, RunError> {
        // Written into the new set, which replaces OUT's once the store has the runs.
        let out = ctx.root();
        let fail = |name: &str, message: String| RunError::Output {
            path: out.join(name),
            message: format!("cannot be written: {message}"),
        };
        let findings = self
            .findings
            .into_inner()
            .map_err(|e| fail("findings.csv", e.to_string()))?;
        for (buffered, name) in [
            (findings, "findings.csv"),
            (self.statements, "statements.csv"),
        ] {
            let file = buffered
                .into_inner()
                .map_err(|e| fail(name, e.to_string()))?;
            file.commit().map_err(|e| fail(name, e.to_string()))?;
        }
        let analysis = self.analysis.finish(&ctx.gradesets);
        let released = self.released.filter(|_| !self.unknown_series);
        let allowed = ctx.args.force_release || released.is_some_and(|at| ctx.as_of >= at);
        let mut written = vec![out.join("findings.csv"), out.join("statements.csv")];
        written.extend(
            analysis::write_analysis(out, &analysis, allowed, output::Commit::Now)
                .map_err(|e| output_error(&out.join("analysis"), e))?,
        );
        let mut summary = SeveralSummary {
            resultsday_version: env!("CARGO_PKG_VERSION"),
            as_of: ctx.as_of.to_rfc3339(),
            centres: done
                .iter()
                .map(|s| CentreLine {
                    centre: s.centre.clone(),
                    run_id: s.run_id,
                    results: s.results,
                    errors: s.errors,
                    warnings: s.warnings,
                })
                .collect(),
            centres_not_run: not_run.iter().map(|(c, w)| format!("{c}: {w}")).collect(),
            skipped_files: folder
                .skipped
                .iter()
                .map(|s| s.path.display().to_string())
                .collect(),
            unreadable_files: folder.unreadable.iter().map(|e| e.to_string()).collect(),
            records: self.records,
            findings: self.by_kind,
            outputs: written
                .iter()
                .map(|p| p.strip_prefix(out).unwrap_or(p).display().to_string())
                .chain(["centres/".to_string(), "run.json".to_string()])
                .collect(),
            third_party_outputs: third_party_text(allowed, released),
            elapsed_seconds: (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
            severities: self.severities,
        };
        summary.records.insert("centres".into(), done.len());
        let path = out.join("run.json");
        let json = serde_json::to_vec_pretty(&summary).unwrap_or_default();
        output::write_file(&path, &json).map_err(|e| output_error(&path, e))?;
        Ok(summary)
    }
}

/// When each results day's results in a centre's run may reach candidates (none when its
/// series is not in the calendar).
fn releases(
    ctx: &Context,
    run: &CentreRun,
) -> std::collections::BTreeSet<(DateTime<Tz>, ResultsDay)> {
    let Some(d) = run.dates.as_ref() else {
        return Default::default();
    };
    run.results
        .iter()
        .map(|r| {
            let day = ctx.calendar.release_day(d, r);
            (ctx.calendar.candidate_release(d, day), day)
        })
        .collect()
}

/// The results still confidential at `as_of`, each with when it may reach candidates.
fn print_confidential(
    out: &mut impl Write,
    releases: &std::collections::BTreeSet<(DateTime<Tz>, ResultsDay)>,
    as_of: DateTime<Tz>,
) {
    for (at, day) in releases.iter().filter(|(at, _)| as_of < *at) {
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

/// The terminal summary of a folder of several centres.
fn print_several(
    ctx: &Context,
    summary: &SeveralSummary,
    folder: &FolderNotes,
    done: &[Saved],
    not_run: &[(String, String)],
    unreadable: &[crate::load::inputs::InputError],
) {
    let mut out = std::io::stdout().lock();
    let results: usize = done.iter().map(|s| s.results).sum();
    let errors: usize = done.iter().map(|s| s.errors).sum();
    let warnings: usize = done.iter().map(|s| s.warnings).sum();
    let _ = writeln!(
        out,
        "{} as of {}: {} results",
        messages::count(done.len(), "centre", "centres"),
        ctx.as_of.format("%a %-d %b %Y %H:%M %Z"),
        results
    );
    for (centre, why) in not_run {
        let _ = writeln!(out, "  centre {centre} not run: {why}");
    }
    print_settings(&mut out, &folder.settings);
    print_skipped(&mut out, &folder.skipped);
    for e in unreadable {
        let _ = writeln!(
            out,
            "  NOT READ {}",
            messages::escape_terminal(&e.to_string())
        );
    }
    let _ = writeln!(
        out,
        "\n{} and {}:",
        messages::count(errors, "error", "errors"),
        messages::count(warnings, "warning", "warnings")
    );
    let mut kinds: Vec<(FindingKind, usize)> = summary
        .findings
        .iter()
        .filter_map(|(k, n)| Some((FindingKind::from_name(k)?, *n)))
        .collect();
    kinds.sort_by_key(|(k, _)| urgency(*k));
    for (k, n) in &kinds {
        let _ = writeln!(out, "  {n:>7}  {} ({})", k.describe(), k.as_str());
    }
    let mut worst: Vec<&Saved> = done.iter().filter(|s| s.errors > 0).collect();
    worst.sort_by_key(|s| std::cmp::Reverse(s.errors));
    if !worst.is_empty() {
        let _ = writeln!(out, "\nmost errors:");
        for s in worst.iter().take(10) {
            let _ = writeln!(
                out,
                "  centre {}: {} and {} (centres/{}/findings.csv)",
                s.centre,
                messages::count(s.errors, "error", "errors"),
                messages::count(s.warnings, "warning", "warnings"),
                s.centre
            );
        }
    }
    let changed: Vec<&changes::Change> = done
        .iter()
        .filter_map(|s| s.changes.as_ref())
        .flat_map(|(_, c)| c)
        .collect();
    if done.iter().any(|s| s.changes.is_some()) {
        let owned: Vec<changes::Change> = changed.into_iter().cloned().collect();
        let _ = writeln!(
            out,
            "\nsince each centre's last run: {} (centres/<centre>/changes.csv)",
            changes::summary_line(&owned)
        );
    }
    let all: std::collections::BTreeSet<(DateTime<Tz>, ResultsDay)> = done
        .iter()
        .flat_map(|s| s.releases.iter().copied())
        .collect();
    print_confidential(&mut out, &all, ctx.as_of);
    if summary.third_party_outputs != "written" {
        let _ = writeln!(
            out,
            "analysis/headline.csv (for the local authority and the press) {}",
            summary.third_party_outputs
        );
    }
    let _ = writeln!(
        out,
        "\nwritten: {}; each centre's statements and analysis under centres/<centre>/",
        summary.outputs.join(", ")
    );
    let recorded: Vec<i64> = done
        .iter()
        .filter(|s| !s.unchanged)
        .map(|s| s.run_id)
        .collect();
    let unchanged: Vec<i64> = done
        .iter()
        .filter(|s| s.unchanged)
        .map(|s| s.run_id)
        .collect();
    if !recorded.is_empty() {
        let _ = writeln!(
            out,
            "recorded as {} in {}",
            runs_text(&recorded),
            ctx.args.db.path.display()
        );
    }
    if !unchanged.is_empty() {
        let _ = writeln!(
            out,
            "nothing has changed since {} for {}: the same files, the same results and \
             findings; nothing new recorded for {} (their changes.csv and \
             statements-changed.html still show their last changes)",
            runs_text(&unchanged),
            messages::count(unchanged.len(), "centre", "centres"),
            if unchanged.len() == 1 { "it" } else { "them" }
        );
    }
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
        .map(|r| calendar.third_party_release(dates, calendar.release_day(dates, r)))
        .max()
        .or_else(|| Some(calendar.third_party_release(dates, ResultsDay::Gcse)))
}

/// The series to run of a centre's: the one asked for, else the only one, else the latest
/// (with a warning).
fn choose_series(
    groups: &BTreeMap<String, std::collections::BTreeSet<String>>,
    wanted: Option<&str>,
    centre: &str,
    several: bool,
) -> Result<Option<String>, RunError> {
    // `--series` names a series code exactly (`6B26` is not `6A26`), or a month by its id
    // (`2026-06`).
    let wanted_id = wanted.filter(|w| calendar::series_id_of(w) == *w && w.contains('-'));
    let matching: Vec<&str> = groups
        .iter()
        .filter(|(name, codes)| match (wanted, wanted_id) {
            (None, _) => true,
            (Some(_), Some(id)) => calendar::series_id_of(name) == id,
            (Some(w), None) => codes.iter().any(|c| c.eq_ignore_ascii_case(w.trim())),
        })
        .map(|(name, _)| name.as_str())
        .collect();
    if let (Some(w), true) = (wanted, matching.is_empty()) {
        let found: Vec<&str> = groups.values().flatten().map(String::as_str).collect();
        return Err(RunError::Usage(format!(
            "no files for series '{w}'; the folder holds series {}",
            if found.is_empty() {
                "none".to_string()
            } else {
                found.join(", ")
            }
        )));
    }
    // Latest series by id (2026-06 after 2025-11).
    let latest = matching
        .iter()
        .max_by_key(|name| calendar::series_id_of(name))
        .map(|name| name.to_string());
    if let (Some(name), true) = (&latest, matching.len() > 1) {
        let whose = if several {
            format!("centre {centre}'s files hold")
        } else {
            "the folder holds".to_string()
        };
        messages::warn(&format!(
            "{whose} several series ({}); running {name}. Choose with --series",
            matching.join(", ")
        ));
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
    /// The statement lines held because the run found them wrong, and the UCIs left out.
    pub held_on_statements: statements::HeldOnStatements,
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
    #[allow(clippy::too_many_arguments)]
    fn new(
        outcome: &RunOutcome,
        skipped: &[load::Skipped],
        unreadable: &[crate::load::inputs::InputError],
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
            skipped_files: skipped
                .iter()
                .map(|s| s.path.display().to_string())
                .collect(),
            unreadable_files: unreadable.iter().map(|e| e.to_string()).collect(),
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
            held_on_statements: statements::HeldOnStatements::of(
                &outcome.results,
                &outcome.findings,
            ),
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
        MalformedRecord | UnreadableFile | LayoutMismatch => 9,
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
        UnknownGradeset => 20,
    }
}

/// The files skipped, the first few by name (escaped: a name is text from the folder), the rest
/// counted.
fn print_skipped(out: &mut impl std::io::Write, skipped: &[load::Skipped]) {
    const SHOWN: usize = 5;
    for s in skipped.iter().take(SHOWN) {
        let _ = writeln!(
            out,
            "  skipped {} ({})",
            messages::escape_terminal(&s.path.display().to_string()),
            s.reason
        );
    }
    if skipped.len() > SHOWN {
        let _ = writeln!(
            out,
            "  skipped {} more files that are not JCQ files (run.json lists them)",
            skipped.len() - SHOWN
        );
    }
}

/// The centre's own settings and tables that were read from the folder.
fn print_settings(out: &mut impl std::io::Write, settings: &[PathBuf]) {
    if settings.is_empty() {
        return;
    }
    let names: Vec<String> = settings
        .iter()
        .map(|p| messages::escape_terminal(&p.display().to_string()))
        .collect();
    let _ = writeln!(
        out,
        "  read the centre's own settings: {}",
        names.join(", ")
    );
}

/// The terminal summary of a folder of one centre.
fn print_summary(ctx: &Context, run: &CentreRun, folder: &FolderNotes) {
    let summary = &run.summary;
    let (dates, as_of) = (run.dates.as_ref(), ctx.as_of);
    let mut out = std::io::stdout().lock();
    let centre_name = ctx
        .settings
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
    let _ = writeln!(
        out,
        "  read {} from {} ({}): {} results, {} entries",
        messages::count(run.files.len(), "file", "files"),
        messages::count(run.boards.len(), "board", "boards"),
        run.boards.join(", "),
        run.results.len(),
        run.entries
    );
    print_settings(&mut out, &folder.settings);
    print_skipped(&mut out, &folder.skipped);
    for e in folder.unreadable.iter().chain(&run.unreadable) {
        let _ = writeln!(
            out,
            "  NOT READ {}",
            messages::escape_terminal(&e.to_string())
        );
    }
    let notes = &run.notes;
    for n in notes.iter().take(5) {
        let _ = writeln!(out, "  note: {}", messages::escape_terminal(n));
    }
    if notes.len() > 5 {
        let _ = writeln!(
            out,
            "  note: and {} more (resultsday inspect DIR shows them)",
            notes.len() - 5
        );
    }

    let errors = run
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = run.findings.len() - errors;
    let _ = writeln!(
        out,
        "\n{} and {}:",
        messages::count(errors, "error", "errors"),
        messages::count(warnings, "warning", "warnings")
    );
    let mut kinds: Vec<(FindingKind, usize)> = Vec::new();
    for f in &run.findings {
        match kinds.iter_mut().find(|(k, _)| *k == f.kind) {
            Some((_, n)) => *n += 1,
            None => kinds.push((f.kind, 1)),
        }
    }
    kinds.sort_by_key(|(k, _)| urgency(*k));
    for (k, n) in &kinds {
        let _ = writeln!(out, "  {n:>5}  {} ({})", k.describe(), k.as_str());
    }
    if !run.findings.is_empty() {
        let mut urgent: Vec<&Finding> = run.findings.iter().collect();
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
            let line = format!(
                "{:<7} board {} {who}{} {}: {} [{place}]",
                f.severity.as_str(),
                f.board,
                f.entry_code,
                f.kind.as_str(),
                f.detail
            );
            let _ = writeln!(out, "  {}", messages::escape_terminal(&line));
        }
    }
    let held = summary.held_on_statements.summary_lines();
    if !held.is_empty() {
        let _ = writeln!(out);
    }
    for line in &held {
        let _ = writeln!(out, "{}", messages::escape_terminal(line));
    }
    if dates.is_some() {
        print_confidential(&mut out, &releases(ctx, run), as_of);
    } else {
        let _ = writeln!(
            out,
            "\nseries {} is not in the series calendar: every statement is marked EMBARGOED and \
             analysis/headline.csv is held back until it is added to series.toml (see the warning)",
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
fn print_changes(changes: &[changes::Change], previous: i64) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "\nsince run {previous}: {}",
        changes::summary_line(changes)
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
