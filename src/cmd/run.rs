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

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::DateTime;
use chrono_tz::Tz;
use parsers::Severity;

use crate::check::changes;
use crate::cmd::args::{DbArg, FailOn};
use crate::exit;
use crate::load::{self};
use crate::messages;
use crate::model::{Finding, FindingKind, ResultsDay};
use crate::pipeline::centre::CentreRun;
use crate::pipeline::save::{runs_text, Saved};
use crate::pipeline::several::SeveralSummary;
use crate::pipeline::{FolderNotes, Progress, RunReport, RunRequest};

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

pub fn run(args: &RunArgs) -> Result<i32, Box<dyn std::error::Error>> {
    let request = RunRequest {
        dir: args.dir.clone(),
        out: args.out.clone(),
        db: args.db.path.clone(),
        as_of: args.as_of.clone(),
        mis: args.mis.clone(),
        series: args.series.clone(),
        force_release: args.force_release,
        accept_earlier_calendar: args.accept_earlier_calendar,
        layout: args.layout.clone(),
    };
    let terminal = Terminal::new(!args.quiet && messages::stderr_is_terminal());
    let report = crate::pipeline::run(&request, &terminal)?;
    terminal.stages.finish();
    let failing_findings = args
        .fail_on
        .is_some_and(|f| report.severities().iter().any(|s| f.includes(*s)));
    if !args.quiet {
        if let Some(summary) = &report.several {
            print_several(
                &report,
                summary,
                &report.folder,
                &report.done,
                &report.not_run,
                &report.unreadable,
            );
        } else if let Some(saved) = report.done.last() {
            if let Some(run) = saved.run.as_deref() {
                print_summary(&report, saved, run);
                if saved.unchanged {
                    print_unchanged(saved, &report.db);
                } else {
                    if let Some((previous, changes)) = &saved.changes {
                        print_changes(changes, *previous);
                    }
                    let _ = writeln!(
                        std::io::stdout(),
                        "recorded as run {} in {}",
                        saved.run_id,
                        report.db.display()
                    );
                }
            }
        }
    }
    if !report.unreadable.is_empty() {
        for e in &report.unreadable {
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

/// The run's progress on a terminal: a bar while files are read, then the stage; warnings on
/// stderr.
struct Terminal {
    bar: indicatif::ProgressBar,
    stages: messages::Stages,
}

impl Terminal {
    fn new(show: bool) -> Terminal {
        let bar = if show {
            let bar = indicatif::ProgressBar::new(0);
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
        Terminal {
            bar,
            stages: messages::Stages::new(show),
        }
    }
}

impl Progress for Terminal {
    fn reading(&self, files: u64) {
        self.bar.set_length(files);
    }
    fn file_read(&self) {
        self.bar.inc(1);
    }
    fn read_all(&self) {
        self.bar.finish_and_clear();
    }
    fn stage(&self, what: &'static str) {
        self.stages.stage(what);
    }
    fn waiting_for_store(&self, db: &str) {
        let _ = writeln!(
            std::io::stderr(),
            "resultsday: another run is using {db}; waiting…"
        );
    }
    fn warn(&self, text: &str) {
        messages::warn(&text);
    }
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
    report: &RunReport,
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
        report.as_of.format("%a %-d %b %Y %H:%M %Z"),
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
    kinds.sort_by_key(|(k, _)| k.urgency());
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
    print_confidential(&mut out, &all, report.as_of);
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
            report.db.display()
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
fn print_summary(report: &RunReport, saved: &Saved, run: &CentreRun) {
    let folder = &report.folder;
    let summary = &run.summary;
    let (dates, as_of) = (run.dates.as_ref(), report.as_of);
    let mut out = std::io::stdout().lock();
    let centre_name = report
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
    kinds.sort_by_key(|(k, _)| k.urgency());
    for (k, n) in &kinds {
        let _ = writeln!(out, "  {n:>5}  {} ({})", k.describe(), k.as_str());
    }
    if !run.findings.is_empty() {
        let mut urgent: Vec<&Finding> = run.findings.iter().collect();
        urgent.sort_by_key(|f| (f.severity, f.kind.urgency()));
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
        print_confidential(&mut out, &saved.releases, as_of);
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
