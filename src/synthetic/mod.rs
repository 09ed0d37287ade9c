//! Deterministic fictional centres in the JCQ layouts (`shared/spec/layouts.md`, version 2), for
//! tests, benchmarks and the `generate` example. The same [`Spec`] always gives the same bytes.
//!
//! One centre: `OUT/basedata`, `OUT/entries`, `OUT/results`, `OUT/candidates.csv`.
//! Several: `OUT/basedata` once, then `OUT/<centre>/entries`, `OUT/<centre>/results` and
//! `OUT/<centre>/candidates.csv`. Centres are numbered from 10000.
//!
//! Every EDI file is written as the boards write them: `x1`, `x3`, the detail records, `x7`,
//! `x9`, each line padded to the data type's record length, CRLF line ends, format version 14.
//! Basedata (`S`, `O`, `C`, `L` for AQA `70`, OCR `01` and WJEC `40`) is named and headed by the
//! series (`O6A26_70.X01`, centre field `6A26_`, distribution `B`) with the board's sender field;
//! a centre's entries (`E`, sent by the centre: sender `<centre>  001`, with its postcode) and
//! results (`R`, sent by the board) have distribution `S`. Entries are one `E5` per candidate and
//! board, the candidate's options in its slots.
//!
//! The catalogue covers GCSE 9–1 (gradeset `40`; combined science a double award, level `DA`,
//! gradesets `15` + `15`), GCE A level (`4`), the Extended Project (`EXPJ`, `4`) and a Cambridge
//! National (`CNAT` `1&2`, `21`): its certification option and three units (item `U`) of the same
//! syllabus, entered together. English Language carries the spoken-language endorsement
//! (endorsement gradeset `42`), biology and physics A level the practical endorsement (`43`).
//!
//! What a centre's files hold, by chance per candidate or entry:
//! - a candidate is in year 11 six times in ten (four core GCSEs, each tiered option at one tier,
//!   higher 55 in 100, and four of six other GCSEs), else in year 13 (three of four A levels,
//!   and the Extended Project three times in ten);
//! - about 1 entry in 200 has no result (a missing result to chase);
//! - of those resulted, about 4 in 1,000 are `X` (no result) and about 3 in 1,000 `Q` (pending);
//! - about 5 in 1,000 one-character grades carry the partial-absence `#`;
//! - OCR sends marks (flag `M`, with the components' marks in its A2C XML file) where the option
//!   has no endorsement; an endorsement grade is sent with flag `E` (`P` for the practical
//!   endorsement; `D`, `M` or `P` for spoken language);
//! - the MIS export marks pupil premium 25, SEN 15 and EAL 20 in 100.
//!
//! Here are the [`Spec`] and [`generate`], and what every file shares (its header, the random
//! source); the catalogue of options is in `catalogue`, the basedata writer in `basedata`, the
//! candidates in `people`, and a centre's entries, results and MIS export, with the cases
//! planted in them, in `centre`.

mod basedata;
mod catalogue;
mod centre;
mod people;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime};
use rayon::prelude::*;

use parsers::{DataType, Header};

use basedata::write_basedata;
use catalogue::catalogue;
use centre::write_centre;

const SERIES: &str = "6A26";

/// The format version every generated file says it is.
const VERSION: u16 = 14;

/// The centre field of a basedata file's headers and trailers: series, year and `_`.
const BASEDATA_CENTRE: &str = "6A26_";

/// The boards the catalogue has options of, in the order their files are written.
const BOARDS: [&str; 3] = ["70", "01", "40"];

/// The fictional postcode on a centre's entries (`x3` bytes 17–24, written without its space as
/// the real files have it).
const POSTCODE: &str = "ZZ999ZZ";

/// What to generate.
#[derive(Debug, Clone)]
pub struct Spec {
    /// Candidates per centre (at most 9999: a candidate number has 4 digits).
    pub candidates: usize,
    pub centres: usize,
    pub out: PathBuf,
    pub seed: u64,
}

/// A small, fast, deterministic random source (SplitMix64).
#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, per_thousand: u64) -> bool {
        self.next() % 1000 < per_thousand
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn pick_str(&mut self, items: &[&'static str]) -> &'static str {
        items[self.below(items.len())]
    }
}

/// The sender field (`x1` bytes 15–24) of a file a board writes, as each board fills it.
fn board_sender(board: &str) -> &'static str {
    match board {
        "70" => "AQA    001",
        "01" => "UCLES01EPS",
        "40" | "41" => "WJEC      ",
        "10" | "11" | "13" | "15" => "EDEXCEL   ",
        _ => "",
    }
}

/// The sender field of a file a centre writes: its centre number, two spaces and the sequence.
fn centre_sender(centre: &str, sequence: u16) -> String {
    format!("{centre:<5}  {sequence:03}")
}

fn created(day: u32) -> Option<NaiveDateTime> {
    NaiveDate::from_ymd_opt(2026, 8, day).and_then(|d| d.and_hms_opt(0, 0, 0))
}

/// A file's header: `centre` is the centre number, or [`BASEDATA_CENTRE`] for basedata; the
/// distribution follows from the data type; `created` is the `x7` date.
fn header(data_type: DataType, centre: &str, board: &str, sender: &str, day: u32) -> Header {
    Header {
        data_type,
        centre: centre.to_string(),
        awarding_body: board.to_string(),
        series: SERIES.to_string(),
        distribution: Some(if data_type.is_basedata() { 'B' } else { 'S' }),
        sender: sender.to_string(),
        version: VERSION,
        sequence: 1,
        created: created(day),
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<usize, String> {
    std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(bytes.len())
}

/// Writes the centres `spec` asks for; returns the bytes written.
pub fn generate(args: &Spec) -> Result<usize, String> {
    let cat = catalogue();
    let basedata_dir = args.out.join("basedata");
    std::fs::create_dir_all(&basedata_dir)
        .map_err(|e| format!("{}: {e}", basedata_dir.display()))?;
    let mut total = write_basedata(&basedata_dir, &cat)?;
    let centres: Vec<u32> = (0..args.centres as u32).map(|i| 10_000 + i).collect();
    let written: Result<Vec<usize>, String> = centres
        .par_iter()
        .map(|&centre| {
            let dir = if args.centres == 1 {
                args.out.clone()
            } else {
                args.out.join(format!("{centre:05}"))
            };
            write_centre(&dir, centre, args, &cat)
        })
        .collect();
    total += written?.iter().sum::<usize>();
    Ok(total)
}
