//! The operations on the certificates log that `resultsday certs` and the local page call:
//! receive a batch, issue, destroy or return, what is unclaimed, list and export. Each returns
//! what it did as data, or why it was refused; none prints.

use chrono::NaiveDate;

use super::log::{log, received, Certificate};
use super::retention::{unclaimed as split_held, Status, Unclaimed};
use super::{export_csv, CertificatesError};
use crate::messages;
use crate::rules::calendar;
use crate::store::Store;

pub use super::dispose::{dispose, issue, Disposal, DisposalChoice, DisposalRecord, Issue};
pub use super::receive::{candidates_in_csv, latest_run, receive, Batch, BatchContents, Receipt};

/// The day a view of the log is decided on.
#[derive(Debug, Clone, Copy)]
pub struct AsOf {
    /// The day asked for; `today` if not given.
    pub as_of: Option<NaiveDate>,
    /// Allow an `as_of` after today (to look ahead).
    pub force_release: bool,
    /// Today ([`calendar::today`]).
    pub today: NaiveDate,
}

/// The day `--as-of` asks for (today if not given), refused when after today without
/// `--force-release`: it would show certificates as due for return or destruction before their
/// 12 months are up, and the refusal says how many.
pub fn as_of_day(store: &mut Store, day: &AsOf) -> Result<NaiveDate, CertificatesError> {
    let today = day.today;
    let Some(as_of) = day.as_of.filter(|d| *d > today && !day.force_release) else {
        return Ok(day.as_of.unwrap_or(today));
    };
    let early = received(store)?
        .iter()
        .filter(|c| c.status(as_of) == Status::Unclaimed && c.status(today) != Status::Unclaimed)
        .count();
    let would = format!(
        "it would show {} as due for return to the board or confidential destruction that must \
         still be kept",
        messages::count(early, "certificate", "certificates")
    );
    calendar::refuse_as_of_after_today(as_of, today, day.force_release, &would)
        .map_err(CertificatesError::AsOf)?;
    Ok(as_of)
}

/// The certificates held unissued on a day, split by whether their 12 months are up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub as_of: NaiveDate,
    pub split: Unclaimed,
}

/// The certificates the centre holds unissued (of one board, if given), split by whether they
/// are due for return or destruction on the day asked.
pub fn unclaimed(
    store: &mut Store,
    board: Option<&str>,
    day: &AsOf,
) -> Result<Held, CertificatesError> {
    let as_of = as_of_day(store, day)?;
    let mut held = received(store)?;
    if let Some(b) = board {
        held.retain(|c| c.board == b.trim());
    }
    Ok(Held {
        as_of,
        split: split_held(&held, as_of),
    })
}

/// Certificates of the log as on a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub as_of: NaiveDate,
    pub certificates: Vec<Certificate>,
}

/// The whole log, missing certificates included ([`log`]): those with one status on the day
/// asked (all if none), of one board if given.
pub fn list(
    store: &mut Store,
    status: Option<Status>,
    board: Option<&str>,
    day: &AsOf,
) -> Result<Listed, CertificatesError> {
    let as_of = as_of_day(store, day)?;
    let mut all = log(store)?;
    all.retain(|c| status.is_none_or(|s| c.status(as_of) == s));
    if let Some(b) = board {
        all.retain(|c| c.board == b.trim());
    }
    Ok(Listed {
        as_of,
        certificates: all,
    })
}

/// The log as CSV ([`export_csv`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    pub csv: Vec<u8>,
    /// How many certificates it holds.
    pub certificates: usize,
}

/// The log as CSV: the certificates with one status on the day asked (all if none).
pub fn export(
    store: &mut Store,
    status: Option<Status>,
    day: &AsOf,
) -> Result<Exported, CertificatesError> {
    let listed = list(store, status, None, day)?;
    Ok(Exported {
        csv: export_csv(&listed.certificates, listed.as_of),
        certificates: listed.certificates.len(),
    })
}
