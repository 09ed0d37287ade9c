//! The flags several commands share, each defined once.

use std::path::PathBuf;

use clap::ValueEnum;

/// `--db DB`: the store, named the same way by every command.
#[derive(Debug, Clone, clap::Args)]
pub struct DbArg {
    /// The store: every run, the post-results log and the certificates log (`run` makes it).
    #[arg(long = "db", value_name = "DB", default_value = crate::store::DEFAULT_FILE, global = true)]
    pub path: PathBuf,
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
