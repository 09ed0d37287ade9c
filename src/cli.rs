//! The command line: every subcommand and flag defined once, with its help beside it.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::cmd;
use crate::messages;

/// The exams officer's results pipeline: reads every awarding body's results files, checks
/// them against basedata and entries, and writes findings, statements and analysis.
#[derive(Debug, Parser)]
#[command(name = "resultsday", version, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read files and show what is in them and every problem, line by line.
    ///
    /// Each FILE may be a results, entries, amendments or basedata EDI file, an XML results
    /// file, or a folder (every file in it and below is inspected).
    Inspect(InspectArgs),
    /// The results-day run: read a folder of results, entries and basedata; write findings,
    /// statements, analysis and a summary to OUT, and record the run in the store.
    ///
    /// DIR may hold any mix of results (R…, XML), entries (E…, A…) and basedata (S/O/C/L/D…)
    /// files, in sub-folders too. Files are recognised by name; anything else is listed and
    /// skipped.
    Run(RunArgs),
    /// What changed between two stored runs: by default the latest against the one before.
    Diff(cmd::diff::DiffArgs),
    /// The runs the store holds: when, which centre and series, how many files, results and
    /// findings.
    Runs(cmd::diff::RunsArgs),
    /// Post-results requests: reviews of marking, clerical re-checks, access to scripts; their
    /// consent, deadlines, fees and outcomes.
    Prs(cmd::prs::PrsArgs),
    /// The certificates log: received, issued, unclaimed, destroyed.
    Certs(cmd::certs::CertsArgs),
    /// Find the layout of results files that do not fit the one resultsday reads, and write it
    /// as a layout table for `run --layout` (or `layouts.toml` in the results folder).
    ///
    /// It finds the columns holding UCIs (by their check letter), candidate numbers (from the
    /// entries), option codes (from the basedata), grades and names, and prints them beside
    /// what resultsday assumes.
    Calibrate(cmd::calibrate::CalibrateArgs),
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The folder of files to read.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Where to write findings, statements and analysis (created if missing).
    #[arg(long, value_name = "OUT")]
    pub out: PathBuf,
    /// The store that keeps every run, for the re-run comparison and the post-results log.
    #[arg(long, value_name = "DB", default_value = "resultsday.db")]
    pub db: PathBuf,
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

#[derive(Debug, clap::Args)]
pub struct InspectArgs {
    /// Files or folders to read.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// One JSON object per file per line, for scripts.
    #[arg(long)]
    pub json: bool,
    /// Exit with status 1 when a problem at or above this severity is found.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,
    /// Read the EDI files with this layout table (as `resultsday calibrate` writes it) in place
    /// of the built-in one; by default `layouts.toml` in the working folder, if there is one.
    #[arg(long, value_name = "FILE")]
    pub layout: Option<PathBuf>,
}

/// The severity at which a command's exit status becomes 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
}

impl FailOn {
    pub fn includes(self, severity: parsers::Severity) -> bool {
        match self {
            FailOn::Error => severity == parsers::Severity::Error,
            FailOn::Warning => true,
        }
    }
}

/// Exit statuses (contract.md): 0 done; 1 done with findings at or above `--fail-on`; 2 bad
/// usage or unreadable input.
pub mod exit {
    pub const DONE: i32 = 0;
    pub const FINDINGS: i32 = 1;
    pub const BAD_INPUT: i32 = 2;
}

/// Parses the command line and runs the command; returns the exit status.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version to stdout with status 0, usage errors with 2.
            let _ = e.print();
            return if e.use_stderr() {
                exit::BAD_INPUT
            } else {
                exit::DONE
            };
        }
    };
    let result = match cli.command {
        Command::Inspect(args) => cmd::inspect::run(&args),
        Command::Run(args) => cmd::run::run(&args),
        Command::Diff(args) => cmd::diff::run(&args),
        Command::Runs(args) => cmd::diff::list_runs(&args),
        Command::Prs(args) => cmd::prs::run(&args),
        Command::Certs(args) => cmd::certs::run(&args),
        Command::Calibrate(args) => cmd::calibrate::run(&args),
    };
    match result {
        Ok(status) => status,
        Err(e) => {
            messages::error(&e);
            exit::BAD_INPUT
        }
    }
}
