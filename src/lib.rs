//! resultsday: the exams officer's results pipeline. Results files in; findings, statements,
//! analysis and the post-results log out.
//!
//! `parsers` knows the file formats; this crate knows the exams-office workflow.

pub mod analysis;
pub mod calendar;
pub mod certificates;
pub mod checks;
pub mod cli;
pub mod cmd;
pub mod config;
/// Line numbers of CSV rows as a person counts them (kept with the parsers, which read CSV tables
/// too).
pub use parsers::csvlines;
pub mod csvout;
pub mod exit;
pub mod inputs;
pub mod load;
pub mod messages;
pub mod mis;
pub mod model;
pub mod output;
pub mod prs;
pub mod qualifications;
pub mod reconcile;
pub mod rediff;
pub mod results;
pub mod statements;
pub mod store;
pub mod synthetic;
pub mod zipped;
