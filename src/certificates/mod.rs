//! The certificates log: which certificates a board sent, which were issued to candidates and
//! how, which are unclaimed, and which were destroyed or returned (post-results-rules §7).
//!
//! A certificate is one candidate's with one board for one series: the board prints every award
//! the candidate has with it on one certificate. The certificates expected from a board are
//! those of the candidates with at least one certificated result from that board in the latest
//! results-day run of the series (see [`is_certificated`]).
//!
//! Retention (JCQ, post-results-rules §7):
//! - an unclaimed certificate is kept at least **12 months**, then returned to the board or
//!   destroyed confidentially. JCQ counts from the board's date of issue, which the centre does
//!   not know; resultsday counts from the date the centre **received** it. That is never earlier
//!   than the board's issue, so a certificate is never let go too soon.
//! - the record of a destroyed certificate is kept **4 years** from the date of destruction.
//!
//! Months are calendar months; a day the later month lacks becomes its last day, so 12 months
//! after 2028-02-29 is 2029-02-28, and 4 years after 2096-02-29 is 2100-02-28.
//!
//! Every change is one transaction in the store: a batch is recorded whole or not at all, and a
//! destruction of several certificates is refused whole if one of them may not be destroyed.
//!
//! The operations `resultsday certs` and the local page call are in [`ops`].

use std::path::Path;

use crate::store::{sql_error, StoreError};

pub mod dispose;
pub mod log;
pub mod ops;
pub mod receive;
pub mod retention;

pub use log::*;
pub use retention::*;

/// Why a change to the log was not made, or the log could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CertificatesError {
    #[error(
        "the store {} holds no results-day run{}; run `resultsday run DIR --db {}` first, so \
         resultsday knows which certificates to expect",
        path.display(),
        series.as_ref().map(|s| format!(" for series {s}")).unwrap_or_default(),
        path.display()
    )]
    NoRun {
        path: std::path::PathBuf,
        series: Option<String>,
    },

    #[error(
        "board '{board}' has no results in run {run} ({series}); the boards there are {boards}"
    )]
    UnknownBoard {
        board: String,
        run: i64,
        series: String,
        boards: String,
    },

    /// A change refused, with every reason, one per line.
    #[error("{0}")]
    Refused(String),

    #[error(transparent)]
    Store(#[from] StoreError),

    /// `--as-of` after today without `--force-release`: the calendar's words.
    #[error("{0}")]
    AsOf(String),

    /// A batch file that cannot be read as a list of candidate numbers.
    #[error(
        "{file}{}: {message}",
        line.map(|l| format!(" line {l}, candidate_number")).unwrap_or_default()
    )]
    BatchFile {
        /// The file as shown in messages.
        file: String,
        line: Option<usize>,
        message: String,
    },
}

/// A SQLite error of the certificates tables, in the store's words.
fn sql<'p>(
    path: &'p Path,
    action: &'static str,
) -> impl Fn(rusqlite::Error) -> CertificatesError + 'p {
    move |e| CertificatesError::Store(sql_error(path, action, e))
}

#[cfg(test)]
mod tests;
