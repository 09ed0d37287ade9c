//! The results-day run as a library call: plan it from a folder and settings, run it with a
//! progress observer, and get back a typed report. `resultsday run` and the web desk both call
//! [`run`].

use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use parsers::{Boards, Gradesets, Severity};
use rayon::prelude::*;

use crate::check::centre::*;
use crate::load::inputs::Limits;
use crate::load::mis;
use crate::load::{self, Folder};
use crate::messages;
use crate::rules::calendar::{self, Calendar};
use crate::rules::config;
use crate::write::output;
use crate::write::statements;
use crate::{analysis, store};

pub mod centre;
pub mod context;
pub mod diff;
pub mod save;
pub mod several;
pub mod summary;

use centre::*;
use context::*;
use save::*;
use several::*;

/// What a run is asked to do: the folder, where its outputs and the store go, and the choices
/// the exams officer made (`resultsday run`'s flags, or the web desk's form).
#[derive(Debug, Clone, Default)]
pub struct RunRequest {
    /// The folder of files to read.
    pub dir: PathBuf,
    /// Where findings, statements and analysis go (created if missing).
    pub out: PathBuf,
    /// The store.
    pub db: PathBuf,
    /// Decide embargo and deadlines as at this earlier time (ISO 8601, Europe/London).
    pub as_of: Option<String>,
    /// The MIS export for cohort breakdowns.
    pub mis: Option<PathBuf>,
    /// The series to run when the folder holds more than one (a code or an id).
    pub series: Option<String>,
    /// Let `as_of` pass the real clock and write third-party outputs before their time.
    pub force_release: bool,
    /// Accept a centre calendar that releases earlier than the built-in one.
    pub accept_earlier_calendar: bool,
    /// A layout table in place of the built-in one (or the folder's `layouts.toml`).
    pub layout: Option<PathBuf>,
}

/// What a run tells its caller while it works: a terminal's progress bar and warnings, or a
/// web page's progress. Called from several threads at once.
pub trait Progress: Sync {
    /// Reading and checking starts: `files` in all.
    fn reading(&self, _files: u64) {}
    /// One more file read.
    fn file_read(&self) {}
    /// Every file is read and checked.
    fn read_all(&self) {}
    /// The run moves on to another stage (`saving the run in the store`).
    fn stage(&self, _what: &'static str) {}
    /// Another run holds the store (`db`, shown escaped): this one waits.
    fn waiting_for_store(&self, _db: &str) {}
    /// Something the exams officer should know that does not stop the run.
    fn warn(&self, _text: &str) {}
}

/// What a run did: every centre saved, those not run and why, the files that could not be read.
pub struct RunReport {
    /// The clock the run's decisions used.
    pub as_of: DateTime<Tz>,
    /// The store the runs were saved in.
    pub db: PathBuf,
    /// The centre's name from its `resultsday.toml`.
    pub centre_name: Option<String>,
    /// What was said of the folder as a whole.
    pub folder: FolderNotes,
    /// A folder of several centres: OUT's own `run.json`.
    pub several: Option<SeveralSummary>,
    /// Each centre run, in folder order; with one centre, its whole run.
    pub done: Vec<Saved>,
    /// Centres with no files of the series run, and why.
    pub not_run: Vec<(String, String)>,
    /// Every file that could not be read.
    pub unreadable: Vec<crate::load::inputs::InputError>,
}

impl RunReport {
    /// The severities of every finding of the run.
    pub fn severities(&self) -> std::collections::BTreeSet<Severity> {
        match &self.several {
            Some(summary) => summary.severities.clone(),
            None => self
                .done
                .iter()
                .filter_map(|s| s.run.as_deref())
                .flat_map(|run| run.findings.iter().map(|f| f.severity))
                .collect(),
        }
    }
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

pub fn output_error(path: &Path, e: std::io::Error) -> RunError {
    RunError::Output {
        path: output::shown(path),
        message: format!("cannot be written: {}", crate::messages::describe_write(&e)),
    }
}

/// An error while the new set of outputs was being written, before anything of it replaced
/// OUT's or the store saved it: said as the write that failed (a module may have passed the
/// error on as text), with what it leaves.
pub fn not_written(staging: &output::Staging, e: RunError) -> RunError {
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

/// The results-day run: reads every file in `args.dir`, checks and reconciles them, writes the
/// new set of outputs to `args.out` and saves the runs in the store, all or nothing; reports
/// progress and warnings to `progress` as it goes.
pub fn run(args: &RunRequest, progress: &dyn Progress) -> Result<RunReport, RunError> {
    let started = Instant::now();
    let started_at = Utc::now();
    // The real clock (a test may hold it back, never forward: calendar::now).
    let now = calendar::now().map_err(RunError::Usage)?;
    let as_of: DateTime<Tz> = match &args.as_of {
        Some(text) => calendar::parse_as_of(text).map_err(RunError::Usage)?,
        None => now,
    };
    if !args.dir.is_dir() {
        return Err(RunError::Usage(format!(
            "{}: {}",
            args.dir.display(),
            if args.dir.exists() {
                "is not a folder"
            } else {
                "no such folder"
            }
        )));
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
        return Err(RunError::Usage(format!(
            "{}: no results or entries files found ({} files read, {} skipped, {} unreadable); \
             expected files named like R1452070.X01, E1452070.X01 or a2c.14520.70.EDIResults.<id>.xml",
            args.dir.display(),
            plan.files(),
            plan.skipped.len(),
            plan.unreadable.len()
        )));
    }
    let several = plan.centres.len() > 1;
    if several && args.mis.is_some() {
        return Err(RunError::Usage(format!(
            "the folder holds files of {} centres; --mis takes one centre's MIS export, so run \
             that centre's folder on its own with it",
            plan.centres.len()
        )));
    }
    let mis = match &args.mis {
        Some(path) => {
            let mis = mis::read_mis(path).map_err(|e| RunError::Settings(e.to_string()))?;
            for p in &mis.problems {
                progress.warn(&p.to_string());
            }
            Some(mis)
        }
        None => None,
    };

    // The store, opened and locked before anything is read or written: a second run on the
    // same store waits here for the first, then compares with what the first saved; a foreign
    // store, or one still in use after the wait, stops the run with OUT as the last run left
    // it. `run` makes the store, and its folder.
    if let Some(folder) = args.db.parent().filter(|p| !p.as_os_str().is_empty()) {
        output::create_private_dir(folder).map_err(|e| output_error(folder, e))?;
    }
    let mut db = store::Store::open(&args.db)?;
    let shown_db = messages::escape_terminal(&args.db.display().to_string());
    let batch = db.begin_runs_waiting(store::run_lock_wait(), &mut || {
        progress.waiting_for_store(&shown_db)
    })?;
    output::create_private_dir(&args.out).map_err(|e| output_error(&args.out, e))?;
    // What a run that ended early left in OUT: a set whose runs the store holds is put in
    // place, anything else goes; then the temporary files.
    recover_outputs(&args.out, &batch, progress)?;
    output::remove_stale_temporaries(&args.out);
    // The new set of outputs is written whole here before it replaces OUT's.
    let staging = output::Staging::begin(&args.out).map_err(|e| output_error(&args.out, e))?;
    let latest = batch.latest_runs()?;

    progress.reading(plan.files() as u64);
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
        progress,
        syncer: several.then(|| output::Syncer::new(SYNC_THREADS)),
        staging: &staging,
    };

    // Basedata is every centre's: read once, shared.
    let (mut basedata_files, basedata_unreadable) =
        load::read_paths(&plan.basedata, &ctx.limits, &ctx.layouts, &|| {
            ctx.progress.file_read()
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
    ctx.progress.read_all();
    if done.is_empty() {
        // Only when several centres all lack the series asked for.
        let why: Vec<String> = not_run.iter().map(|(c, w)| format!("{c}: {w}")).collect();
        return Err(RunError::Usage(why.join("\n")));
    }
    progress.stage("saving the run in the store");
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
    Ok(RunReport {
        as_of: ctx.as_of,
        centre_name: ctx.settings.centre_name.clone(),
        db: args.db.clone(),
        folder: folder_notes,
        several: several_summary,
        done,
        not_run,
        unreadable,
    })
}

/// What is said of the folder as a whole rather than of one centre.
pub struct FolderNotes {
    pub skipped: Vec<load::Skipped>,
    /// The centre's settings and tables read from the folder.
    pub settings: Vec<PathBuf>,
    pub unreadable: Vec<crate::load::inputs::InputError>,
}
