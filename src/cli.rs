//! The command line: every subcommand and flag defined once, with its help beside it.

use clap::{Parser, Subcommand};

use crate::{cmd, exit, messages};

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
    Inspect(cmd::inspect::InspectArgs),
    /// The results-day run: read a folder of results, entries and basedata; write findings,
    /// statements, analysis and a summary to OUT, and record the run in the store.
    ///
    /// DIR may hold any mix of results (R…, XML), entries (E…, A…) and basedata (S/O/C/L/D…)
    /// files, in sub-folders too. Files are recognised by name; anything else is listed and
    /// skipped.
    Run(cmd::run::RunArgs),
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
    /// The results-day desk in the browser, on this computer only: runs, findings and changes
    /// behind an access token. Prints the address to open; Ctrl-C stops it.
    Serve(cmd::serve::ServeArgs),
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
        Command::Serve(args) => cmd::serve::run(&args),
    };
    match result {
        Ok(status) => status,
        Err(e) => {
            messages::error(&e);
            exit::BAD_INPUT
        }
    }
}
