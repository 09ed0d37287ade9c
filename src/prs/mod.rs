//! Post-results services: the rules (services, deadlines, consent, fees and refunds), and the
//! request log the store keeps.
//!
//! The rules are data and pure functions of it: the service catalogue (`data/services.csv`,
//! [`rules`]), the fees (`data/fees.csv`, [`fees`]) and the series calendar (`data/series.toml`),
//! each replaceable by a centre's own copy in the working folder. Every date rule is decided
//! against the dates on the request (`requested_on`, `consent_on`, `outcome_on`) or a date the
//! caller gives (`as_of`), never against the clock, so the same log gives the same answer on any
//! day.
//!
//! The log itself is the `prs_requests` table (`store::migrations`, [`log`]). Requests are
//! checked by [`check_request`] before they are stored, closed by hand ([`record_outcome`]) or by
//! a re-run's changes ([`answer_changes`]), and read back with [`read_log`]. The operations
//! `resultsday prs` and the local page call are in [`ops`].

pub mod checks;
pub mod due;
pub mod fees;
mod import;
pub mod log;
pub mod ops;
pub mod outcome;
pub mod refusal;
pub mod rules;
pub mod service;

pub use checks::*;
pub use due::*;
pub use fees::*;
pub use log::*;
pub use outcome::*;
pub use refusal::*;
pub use rules::*;
pub use service::*;

#[cfg(test)]
mod tests;
