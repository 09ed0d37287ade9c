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
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
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
    };
    match result {
        Ok(status) => status,
        Err(e) => {
            messages::error(&e);
            exit::BAD_INPUT
        }
    }
}
