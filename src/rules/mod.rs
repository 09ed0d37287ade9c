//! The centre's rules and settings: the series calendar, `resultsday.toml`, the qualifications
//! table, and the tables a centre may replace with its own copy.

pub mod calendar;
pub mod config;
pub mod qualifications;
