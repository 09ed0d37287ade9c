//! resultsday: the exams officer's results pipeline. Results files in; findings, statements,
//! analysis and the post-results log out.
//!
//! `parsers` knows the file formats; this crate knows the exams-office workflow.

pub mod cli;
pub mod cmd;
pub mod inputs;
pub mod messages;
