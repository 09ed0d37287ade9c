//! resultsday: the exams officer's results pipeline. Results files in; findings, statements,
//! analysis and the post-results log out.
//!
//! `parsers` knows the file formats; this crate knows the exams-office workflow.

pub mod analysis;
pub mod certificates;
pub mod check;
pub mod cli;
pub mod cmd;
/// Line numbers of CSV rows as a person counts them (kept with the parsers, which read CSV tables
/// too).
pub use parsers::csvlines;
pub mod exit;
pub mod load;
pub mod messages;
pub mod model;
pub mod pipeline;
pub mod prs;
pub mod rules;
pub mod serve;
pub mod store;
pub mod synthetic;
pub mod write;
