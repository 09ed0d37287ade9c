//! The centre's MIS export (`candidates.csv`, layouts.md §7): who each candidate is beyond their
//! results (year group, form, sex, pupil premium, SEN, EAL), for the cohort breakdowns.
//!
//! A file that cannot be read at all, or whose header lacks a named column, is an error. A bad
//! row is reported with its line and field and what was expected, and the rest of the file is
//! still read: a row whose candidate number can be read is kept, with the bad field unknown.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use chrono::NaiveDate;

use crate::load::inputs::{read_file, InputError, Limits};

/// The columns layouts.md §7 names, in their order. Any other column is kept as an extra
/// breakdown.
pub const COLUMNS: [&str; 11] = [
    "candidate_number",
    "uci",
    "surname",
    "forenames",
    "sex",
    "date_of_birth",
    "year_group",
    "form",
    "pupil_premium",
    "sen",
    "eal",
];

/// The MIS columns the analysis breaks the headline measures down by, before any extra columns.
pub const BREAKDOWN_GROUPS: [&str; 5] = ["sex", "pupil_premium", "sen", "eal", "form"];

/// One candidate as the MIS knows them. A field the export left blank, or held something that
/// could not be read (reported as a [`MisProblem`]), is `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MisCandidate {
    /// Four digits, `0001`–`9999`.
    pub candidate_number: String,
    pub uci: String,
    pub surname: String,
    pub forenames: String,
    pub sex: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub year_group: Option<u8>,
    pub form: Option<String>,
    pub pupil_premium: Option<bool>,
    pub sen: Option<bool>,
    pub eal: Option<bool>,
    /// The values of [`Mis::extra_columns`], in that order (blank where the row is short).
    pub extra: Vec<String>,
    /// The line of the file the candidate's row starts on.
    pub line: u64,
}

/// A row, or one field of it, that could not be read as layouts.md §7 says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MisProblem {
    /// The file's name, without its folder.
    pub file: String,
    pub line: u64,
    /// The column name (`year_group`), or `row` for the row as a whole.
    pub field: String,
    /// What was found and what was expected.
    pub message: String,
}

impl fmt::Display for MisProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} line {}, {}: {}",
            self.file, self.line, self.field, self.message
        )
    }
}

/// The MIS export once read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mis {
    /// By four-digit candidate number.
    pub candidates: BTreeMap<String, MisCandidate>,
    /// Columns beyond the eleven named ones, in file order; each is offered as a breakdown.
    pub extra_columns: Vec<String>,
    pub problems: Vec<MisProblem>,
}

/// Why the MIS export could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MisError {
    #[error("{0}")]
    Unreadable(InputError),
    #[error("{file}: line 1: the header has no column {missing}; an MIS export needs the columns {expected}")]
    MissingColumns {
        file: String,
        missing: String,
        expected: String,
    },
    #[error("{file}: the file is empty; an MIS export starts with the header row {expected}")]
    Empty { file: String, expected: String },
}

impl Mis {
    /// The groups the analysis breaks down by: [`BREAKDOWN_GROUPS`], then the extra columns.
    pub fn breakdown_groups(&self) -> Vec<String> {
        BREAKDOWN_GROUPS
            .iter()
            .map(|g| g.to_string())
            .chain(self.extra_columns.iter().cloned())
            .collect()
    }

    /// A candidate's value in a breakdown group (`Y`/`N` for flags); `None` when unknown.
    pub fn group_value(&self, candidate: &MisCandidate, group: &str) -> Option<String> {
        let flag = |f: Option<bool>| f.map(|b| if b { "Y" } else { "N" }.to_string());
        match group {
            "sex" => candidate.sex.clone(),
            "pupil_premium" => flag(candidate.pupil_premium),
            "sen" => flag(candidate.sen),
            "eal" => flag(candidate.eal),
            "form" => candidate.form.clone(),
            extra => {
                let i = self.extra_columns.iter().position(|c| c == extra)?;
                candidate.extra.get(i).filter(|v| !v.is_empty()).cloned()
            }
        }
    }

    /// The candidates in a year group, by candidate number.
    pub fn in_year(&self, year: u8) -> impl Iterator<Item = &MisCandidate> {
        self.candidates
            .values()
            .filter(move |c| c.year_group == Some(year))
    }
}

/// Reads the MIS export at `path`.
pub fn read_mis(path: &Path) -> Result<Mis, MisError> {
    let bytes = read_file(path, &Limits::default()).map_err(MisError::Unreadable)?;
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into(),
    );
    parse_mis(&name, &bytes)
}

/// Reads an MIS export held in memory; `file` names it in problems.
pub fn parse_mis(file: &str, bytes: &[u8]) -> Result<Mis, MisError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let expected = COLUMNS.join(",");
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut lines = crate::csvlines::Lines::new(bytes);
    let mut records = rdr.byte_records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => {
            return Err(MisError::Unreadable(InputError {
                path: file.into(),
                reason: format!("the header row cannot be read: {e}"),
            }))
        }
        None => {
            return Err(MisError::Empty {
                file: file.into(),
                expected,
            })
        }
    };
    let names: Vec<String> = header
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_ascii_lowercase())
        .collect();
    let mut index = [0usize; 11];
    for (slot, column) in index.iter_mut().zip(COLUMNS) {
        *slot = names
            .iter()
            .position(|n| n == column)
            .ok_or_else(|| MisError::MissingColumns {
                file: file.into(),
                missing: column.into(),
                expected: expected.clone(),
            })?;
    }
    let extra: Vec<(usize, String)> = header
        .iter()
        .enumerate()
        .filter(|(i, _)| !index.contains(i))
        .map(|(i, h)| (i, String::from_utf8_lossy(h).trim().to_string()))
        .filter(|(_, h)| !h.is_empty())
        .collect();

    let mut mis = Mis {
        extra_columns: extra.iter().map(|(_, h)| h.clone()).collect(),
        ..Mis::default()
    };
    for record in records {
        let mut row = RowReader {
            file,
            line: 0,
            problems: &mut mis.problems,
        };
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                row.line = lines.of(e.position()) as u64;
                row.problem("row", format!("cannot be read as CSV: {e}"));
                continue;
            }
        };
        row.line = lines.of(record.position()) as u64;
        if record.len() != names.len() {
            row.problem(
                "row",
                format!(
                    "has {} fields where the header has {}; missing fields are taken as blank",
                    record.len(),
                    names.len()
                ),
            );
        }
        let mut fields: Vec<String> = Vec::with_capacity(names.len());
        for (i, name) in names.iter().enumerate() {
            let raw = record.get(i).unwrap_or(b"");
            let text = match std::str::from_utf8(raw) {
                Ok(t) => t.trim().to_string(),
                Err(_) => {
                    row.problem(name, "is not UTF-8 text; read with the bad bytes replaced");
                    String::from_utf8_lossy(raw).trim().to_string()
                }
            };
            fields.push(text);
        }
        let field = |column: usize| fields[index[column]].as_str();
        let Some(number) = row.candidate_number(field(0)) else {
            continue;
        };
        if let Some(first) = mis.candidates.get(&number) {
            let first_line = first.line;
            row.problem(
                "candidate_number",
                format!("candidate {number} is already on line {first_line}; this row is not read"),
            );
            continue;
        }
        let candidate = MisCandidate {
            uci: field(1).to_string(),
            surname: field(2).to_string(),
            forenames: field(3).to_string(),
            sex: non_blank(field(4)),
            date_of_birth: row.date("date_of_birth", field(5)),
            year_group: row.year_group(field(6)),
            form: non_blank(field(7)),
            pupil_premium: row.flag("pupil_premium", field(8)),
            sen: row.flag("sen", field(9)),
            eal: row.flag("eal", field(10)),
            extra: extra.iter().map(|(i, _)| fields[*i].clone()).collect(),
            line: row.line,
            candidate_number: number.clone(),
        };
        mis.candidates.insert(number, candidate);
    }
    Ok(mis)
}

/// Reads the fields of one row, noting what is wrong with them.
struct RowReader<'a> {
    file: &'a str,
    line: u64,
    problems: &'a mut Vec<MisProblem>,
}

impl RowReader<'_> {
    fn problem(&mut self, field: &str, message: impl Into<String>) {
        self.problems.push(MisProblem {
            file: self.file.to_string(),
            line: self.line,
            field: field.to_string(),
            message: message.into(),
        });
    }

    fn candidate_number(&mut self, raw: &str) -> Option<String> {
        match normalise_candidate_number(raw) {
            Some(n) => Some(n),
            None => {
                self.problem(
                    "candidate_number",
                    format!("'{raw}' is not a candidate number (1 to 4 digits, e.g. 0001); this row is not read"),
                );
                None
            }
        }
    }

    fn date(&mut self, field: &str, raw: &str) -> Option<NaiveDate> {
        if raw.is_empty() {
            return None;
        }
        match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                self.problem(
                    field,
                    format!("'{raw}' is not a date YYYY-MM-DD; taken as unknown"),
                );
                None
            }
        }
    }

    fn year_group(&mut self, raw: &str) -> Option<u8> {
        let upper = raw.to_ascii_uppercase();
        let digits = upper
            .strip_prefix("YEAR")
            .or_else(|| upper.strip_prefix('Y'))
            .unwrap_or(&upper)
            .trim();
        match digits.parse::<u8>() {
            Ok(y) if (1..=14).contains(&y) => Some(y),
            _ => {
                let found = if raw.is_empty() {
                    "blank".to_string()
                } else {
                    format!("'{raw}'")
                };
                self.problem(
                    "year_group",
                    format!("{found} is not a year group (a number from 1 to 14, e.g. 11); the candidate is in no year group"),
                );
                None
            }
        }
    }

    fn flag(&mut self, field: &str, raw: &str) -> Option<bool> {
        match raw.to_ascii_uppercase().as_str() {
            "" => None,
            "Y" | "YES" => Some(true),
            "N" | "NO" => Some(false),
            _ => {
                self.problem(field, format!("'{raw}' is not Y or N; taken as unknown"));
                None
            }
        }
    }
}

fn non_blank(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

pub use crate::model::normalise_candidate_number;

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "candidate_number,uci,surname,forenames,sex,date_of_birth,year_group,form,pupil_premium,sen,eal";

    #[test]
    fn candidate_numbers_are_four_digits() {
        assert_eq!(normalise_candidate_number("1").as_deref(), Some("0001"));
        assert_eq!(
            normalise_candidate_number(" 0123 ").as_deref(),
            Some("0123")
        );
        assert_eq!(normalise_candidate_number("12345"), None);
        assert_eq!(normalise_candidate_number("0O11"), None);
        assert_eq!(normalise_candidate_number(""), None);
    }

    #[test]
    fn columns_may_come_in_any_order_and_extras_are_kept() {
        let text = "form,candidate_number,uci,surname,forenames,sex,date_of_birth,year_group,house,pupil_premium,sen,eal\n\
                    11A,7,X,SMITH,ANN,F,2010-01-01,Y11,Red,y,n,No\n";
        let mis = parse_mis("candidates.csv", text.as_bytes()).unwrap();
        assert!(mis.problems.is_empty(), "{:?}", mis.problems);
        assert_eq!(mis.extra_columns, ["house"]);
        let c = &mis.candidates["0007"];
        assert_eq!(c.form.as_deref(), Some("11A"));
        assert_eq!(c.year_group, Some(11));
        assert_eq!(
            (c.pupil_premium, c.sen, c.eal),
            (Some(true), Some(false), Some(false))
        );
        assert_eq!(mis.group_value(c, "house").as_deref(), Some("Red"));
        assert_eq!(mis.group_value(c, "pupil_premium").as_deref(), Some("Y"));
        assert_eq!(
            mis.breakdown_groups(),
            ["sex", "pupil_premium", "sen", "eal", "form", "house"]
        );
    }

    #[test]
    fn a_missing_column_is_an_error_naming_it() {
        let err = parse_mis("candidates.csv", b"candidate_number,uci\n0001,X\n").unwrap_err();
        assert!(err.to_string().contains("no column surname"), "{err}");
        assert!(matches!(
            parse_mis("candidates.csv", b"").unwrap_err(),
            MisError::Empty { .. }
        ));
    }

    #[test]
    fn a_short_row_and_a_duplicate_are_reported() {
        let text = format!(
            "{HEADER}\n0001,X,A,B,F,2010-01-01,11,11A,N,N\n1,X,A,B,F,2010-01-01,11,11A,N,N,N\n"
        );
        let mis = parse_mis("candidates.csv", text.as_bytes()).unwrap();
        assert_eq!(mis.candidates.len(), 1);
        assert_eq!(mis.candidates["0001"].eal, None);
        let lines: Vec<(u64, &str)> = mis
            .problems
            .iter()
            .map(|p| (p.line, p.field.as_str()))
            .collect();
        assert_eq!(lines, [(2, "row"), (3, "candidate_number")]);
        assert!(mis.problems[1].message.contains("already on line 2"));
    }

    #[test]
    fn a_byte_order_mark_and_bad_utf8_are_handled() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(HEADER.as_bytes());
        bytes.extend_from_slice(b"\n0002,X,O'NEILL,\xC9MILE,M,2010-04-27,11,11A,N,N,N\n");
        let mis = parse_mis("candidates.csv", &bytes).unwrap();
        assert_eq!(mis.candidates.len(), 1);
        assert_eq!(mis.problems.len(), 1);
        assert_eq!(mis.problems[0].field, "forenames");
        assert_eq!(mis.problems[0].line, 2);
    }
}
