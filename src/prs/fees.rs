//! The fees (`fees.csv`): each board's fee for a service, per qualification and academic year;
//! the built-in list, or the centre's own copy in the working folder. Also pounds and pence.

use std::io::Read;

use serde::Deserialize;

use super::checks::normalise_board;
use super::rules::{service_list, yes_no};
use super::service::Service;
use crate::model::ResultsDay;
use crate::rules::tables::{centre_or_builtin, TableFileError};

/// The built-in fees.
pub const DEFAULT_FEES_CSV: &str = include_str!("../../data/fees.csv");
/// The name of a centre's own fee list in the working folder.
pub const FEES_FILE: &str = "fees.csv";

/// Which qualifications a fee row is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeeQualification {
    Gcse,
    Gce,
    Any,
}

impl FeeQualification {
    /// Whether it covers an entry whose results come on `day` (GCE day: A level and level 3).
    fn covers(self, day: ResultsDay) -> bool {
        matches!(
            (self, day),
            (FeeQualification::Any, _)
                | (FeeQualification::Gce, ResultsDay::Gce)
                | (FeeQualification::Gcse, ResultsDay::Gcse)
        )
    }
}

/// One row of the fee list: a board's fee for a service, per component or unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fee {
    pub board: String,
    pub service: Service,
    pub qualification: FeeQualification,
    pub fee_pence: i64,
    /// The academic year the fee is for: `2025/26` covers November 2025 and June 2026.
    pub year: String,
    pub source: String,
    /// Checked against the board's own published list.
    pub verified: bool,
}

/// Fees per board, service, qualification and academic year (`fees.csv`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeeTable {
    rows: Vec<Fee>,
}

#[derive(Deserialize)]
struct RawFeeRow {
    board: String,
    service: String,
    qualification: String,
    fee_pence: String,
    year: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    verified: String,
}

fn is_academic_year(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 7
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'/'
        && b[5..].iter().all(u8::is_ascii_digit)
}

impl FeeTable {
    /// The centre's own `fees.csv` in the working folder, else the built-in fees.
    pub fn centre() -> Result<FeeTable, TableFileError> {
        centre_or_builtin(None, FEES_FILE, FeeTable::builtin, |file, bytes| {
            FeeTable::from_csv(file, bytes)
        })
        .map(|(fees, _)| fees)
    }

    /// The fees shipped with resultsday.
    pub fn builtin() -> FeeTable {
        // The built-in table is tested; it always reads.
        FeeTable::from_csv("built-in fees.csv", DEFAULT_FEES_CSV.as_bytes()).unwrap_or_default()
    }

    /// Reads `board,service,qualification,fee_pence,year,source,verified`.
    pub fn from_csv(file: &str, reader: impl Read) -> Result<FeeTable, TableFileError> {
        let mut rows: Vec<Fee> = Vec::new();
        for (row, line) in crate::rules::tables::read_rows::<RawFeeRow>(file, reader)? {
            let err = |message: String| TableFileError {
                file: file.to_string(),
                line: Some(line),
                message,
            };
            let service = Service::parse(&row.service).ok_or_else(|| {
                err(format!(
                    "service '{}' is not one of {}",
                    row.service,
                    service_list()
                ))
            })?;
            let qualification = match row.qualification.to_ascii_uppercase().as_str() {
                "GCSE" => FeeQualification::Gcse,
                "GCE" => FeeQualification::Gce,
                "ANY" | "" => FeeQualification::Any,
                other => {
                    return Err(err(format!(
                        "qualification '{other}' is not GCSE, GCE or any"
                    )))
                }
            };
            let fee_pence = row
                .fee_pence
                .parse::<i64>()
                .ok()
                .filter(|p| *p >= 0)
                .ok_or_else(|| {
                    err(format!(
                        "fee_pence '{}' is not a fee in pence (e.g. 4200 for £42.00)",
                        row.fee_pence
                    ))
                })?;
            if !is_academic_year(&row.year) {
                return Err(err(format!(
                    "year '{}' is not an academic year such as 2025/26",
                    row.year
                )));
            }
            let verified = match row.verified.trim() {
                "" => false,
                text => yes_no(text)
                    .ok_or_else(|| err(format!("verified '{text}' is not yes or no")))?,
            };
            let board = normalise_board(&row.board);
            if rows.iter().any(|f| {
                f.board == board
                    && f.service == service
                    && f.qualification == qualification
                    && f.year == row.year
            }) {
                return Err(err(format!(
                    "board {board} {service} {} {} has a row already",
                    row.qualification, row.year
                )));
            }
            rows.push(Fee {
                board,
                service,
                qualification,
                fee_pence,
                year: row.year,
                source: row.source,
                verified,
            });
        }
        Ok(FeeTable { rows })
    }

    pub fn rows(&self) -> &[Fee] {
        &self.rows
    }

    /// The fee a board charges for a service on an entry whose results come on `day`, in the
    /// academic year `year` (`2025/26`). The latest fee of that year or before wins; with none,
    /// the earliest later one (a list not yet updated is better than no figure). A fee for the
    /// entry's own qualification wins over one for `any`, a verified fee over an unverified one.
    pub fn fee_for(
        &self,
        board: &str,
        service: Service,
        day: ResultsDay,
        year: &str,
    ) -> Option<&Fee> {
        let candidates = self
            .rows
            .iter()
            .filter(|f| f.board == board && f.service == service && f.qualification.covers(day));
        let rank = |f: &&Fee| {
            (
                f.qualification != FeeQualification::Any,
                f.verified,
                f.year.clone(),
            )
        };
        let up_to = candidates
            .clone()
            .filter(|f| f.year.as_str() <= year)
            .max_by_key(|f| (f.year.clone(), rank(f)));
        up_to.or_else(|| {
            candidates.min_by_key(|f| {
                let (specific, verified, year) = rank(f);
                (year, !specific, !verified)
            })
        })
    }
}

/// The academic year (`2025/26`) of a series id (`2026-06`, `2025-11`): September to August.
pub fn academic_year(series_id: &str) -> Option<String> {
    let (year, month) = series_id.split_once('-')?;
    let year: i32 = year.parse().ok()?;
    let month: u32 = month.parse().ok()?;
    if !(1..=12).contains(&month) {
        return None;
    }
    let start = if month >= 9 { year } else { year - 1 };
    Some(format!("{start}/{:02}", (start + 1).rem_euclid(100)))
}

/// `42.00` from 4200.
pub fn pounds(pence: i64) -> String {
    format!("{}.{:02}", pence / 100, pence % 100)
}

/// The highest fee a request may carry by hand, in pence (£500; the dearest board fee, a
/// review of moderation, is under £300).
pub const FEE_CEILING_PENCE: i64 = 50_000;

/// Why a fee given by hand is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeeRefusal {
    #[error("fee {0} is negative; a fee is an amount paid to the board")]
    Negative(String),
    #[error("fee '{0}' is not an amount in pounds (e.g. 42.00)")]
    NotAnAmount(String),
    #[error(
        "fee £{} is over £{}, more than any board charges for one request; check the fee",
        pounds(*.0),
        pounds(FEE_CEILING_PENCE)
    )]
    OverCeiling(i64),
}

/// A fee given by hand (the import's `fee`), in pence: pounds and pence, not negative, not
/// over the ceiling.
pub fn fee_given(text: &str) -> Result<i64, FeeRefusal> {
    let text = text.trim();
    if text.trim_start_matches('£').starts_with('-') {
        return Err(FeeRefusal::Negative(text.to_string()));
    }
    let pence = parse_pounds(text).ok_or_else(|| FeeRefusal::NotAnAmount(text.to_string()))?;
    if pence > FEE_CEILING_PENCE {
        return Err(FeeRefusal::OverCeiling(pence));
    }
    Ok(pence)
}

/// `42.00` (or `£42`) as pence.
fn parse_pounds(text: &str) -> Option<i64> {
    let text = text.trim().trim_start_matches('£');
    if text.is_empty() {
        return None;
    }
    let (whole, part) = text.split_once('.').unwrap_or((text, "0"));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || part.len() > 2 {
        return None;
    }
    let part: i64 = format!("{part:0<2}").parse().ok()?;
    whole
        .parse::<i64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(part)
}
