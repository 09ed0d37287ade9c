//! The two tables the analysis reads, `points.csv` (Attainment 8 points) and `subjects.csv`
//! (subject classes): the centre's own copy, found as every table a centre may replace is
//! found ([`crate::rules::tables`]), else the built-in one.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use parsers::Grade;
use serde::Deserialize;

use super::counting::subject_code;
use crate::model::CandidateResult;
use crate::rules::tables::centre_or_builtin;
pub use crate::rules::tables::TableFileError;

/// The built-in points table.
pub const DEFAULT_POINTS_CSV: &str = include_str!("../../data/points.csv");
/// The built-in subject classes.
pub const DEFAULT_SUBJECTS_CSV: &str = include_str!("../../data/subjects.csv");
/// The name a centre's own points table has in the results folder.
pub const POINTS_FILE: &str = "points.csv";
/// The name a centre's own subject classes have in the results folder.
pub const SUBJECTS_FILE: &str = "subjects.csv";

/// One row of `points.csv`: the Attainment 8 points of a grade.
#[derive(Debug, Clone, PartialEq)]
pub struct PointsRow {
    pub qualification: String,
    pub gradeset: String,
    pub grade: String,
    pub points: f64,
    /// `verified` is `yes`: checked against the DfE table.
    pub verified: bool,
    pub source: String,
}

/// Attainment 8 points per qualification, gradeset and grade (`points.csv`).
///
/// A GCSE grade without a row scores nothing; a non-GCSE award result counts in the open slots
/// exactly when its qualification, gradeset and grade have a row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PointsTable {
    rows: Vec<PointsRow>,
    /// qualification → gradeset → grade → row.
    index: HashMap<String, HashMap<String, HashMap<String, usize>>>,
}

#[derive(Deserialize)]
struct RawPointsRow {
    qualification: String,
    gradeset: String,
    grade: String,
    points: String,
    verified: String,
    #[serde(default)]
    source: String,
}

impl PointsTable {
    /// Reads `qualification,gradeset,grade,points,verified,source`; `file` names it in errors.
    pub fn from_csv(file: &str, reader: impl Read) -> Result<PointsTable, TableFileError> {
        let mut table = PointsTable::default();
        for (row, line) in crate::rules::tables::read_rows::<RawPointsRow>(file, reader)? {
            let err = |message: String| table_error(file, Some(line), message);
            let points: f64 = row
                .points
                .parse()
                .ok()
                .filter(|p: &f64| p.is_finite() && *p >= 0.0)
                .ok_or_else(|| {
                    err(format!(
                        "points '{}' is not a number of points (e.g. 5.5)",
                        row.points
                    ))
                })?;
            let verified = match row.verified.to_ascii_lowercase().as_str() {
                "yes" | "y" => true,
                "no" | "n" | "" => false,
                other => return Err(err(format!("verified '{other}' is not yes or no"))),
            };
            let slot = table
                .index
                .entry(row.qualification.clone())
                .or_default()
                .entry(row.gradeset.clone())
                .or_default()
                .entry(row.grade.clone());
            if let std::collections::hash_map::Entry::Occupied(_) = slot {
                return Err(err(format!(
                    "{} {} grade {} is already in the table",
                    row.qualification, row.gradeset, row.grade
                )));
            }
            slot.or_insert(table.rows.len());
            table.rows.push(PointsRow {
                qualification: row.qualification,
                gradeset: row.gradeset,
                grade: row.grade,
                points,
                verified,
                source: row.source,
            });
        }
        Ok(table)
    }

    /// The row for a grade (without `#`).
    pub fn get(&self, qualification: &str, gradeset: &str, grade: &str) -> Option<&PointsRow> {
        let i = *self.index.get(qualification)?.get(gradeset)?.get(grade)?;
        self.rows.get(i)
    }

    pub fn rows(&self) -> &[PointsRow] {
        &self.rows
    }

    /// The row for a result's grade (or one of its grades).
    pub(super) fn of(&self, result: &CandidateResult, grade: Option<&Grade>) -> Option<&PointsRow> {
        self.get(
            &result.qualification,
            result.gradeset.as_deref()?,
            &grade?.code,
        )
    }
}

/// What a GCSE subject is for Attainment 8 and the English and maths measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SubjectCategory {
    EnglishLanguage,
    EnglishLiterature,
    Maths,
    /// A double award that gives two EBacc science parts.
    CombinedScience,
    EbaccScience,
    EbaccHumanity,
    EbaccLanguage,
    Open,
}

impl SubjectCategory {
    pub const ALL: [SubjectCategory; 8] = [
        SubjectCategory::EnglishLanguage,
        SubjectCategory::EnglishLiterature,
        SubjectCategory::Maths,
        SubjectCategory::CombinedScience,
        SubjectCategory::EbaccScience,
        SubjectCategory::EbaccHumanity,
        SubjectCategory::EbaccLanguage,
        SubjectCategory::Open,
    ];

    /// The name in `subjects.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectCategory::EnglishLanguage => "english_language",
            SubjectCategory::EnglishLiterature => "english_literature",
            SubjectCategory::Maths => "maths",
            SubjectCategory::CombinedScience => "combined_science",
            SubjectCategory::EbaccScience => "ebacc_science",
            SubjectCategory::EbaccHumanity => "ebacc_humanity",
            SubjectCategory::EbaccLanguage => "ebacc_language",
            SubjectCategory::Open => "open",
        }
    }

    pub fn parse(s: &str) -> Option<SubjectCategory> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub(super) fn is_ebacc(self) -> bool {
        matches!(
            self,
            SubjectCategory::CombinedScience
                | SubjectCategory::EbaccScience
                | SubjectCategory::EbaccHumanity
                | SubjectCategory::EbaccLanguage
        )
    }
}

/// Subject classes (`subjects.csv`, columns `pattern,category`).
///
/// A pattern matches a result when it equals the syllabus code (or, for an option not in the
/// basedata, the entry code), case-insensitively; failing every code, when it occurs in the
/// title as whole words, case-insensitively (`LATIN` is not found in `TRANSLATING`). A code
/// match wins over a title match, and the longest title match wins (`FURTHER MATHEMATICS`
/// before `MATHEMATICS`); ties go to the earlier row. Nothing matching: `open`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubjectTable {
    patterns: Vec<(String, SubjectCategory)>,
}

#[derive(Deserialize)]
struct RawSubjectRow {
    pattern: String,
    category: String,
}

impl SubjectTable {
    /// Reads `pattern,category`; `file` names it in errors.
    pub fn from_csv(file: &str, reader: impl Read) -> Result<SubjectTable, TableFileError> {
        let mut patterns = Vec::new();
        for (row, line) in crate::rules::tables::read_rows::<RawSubjectRow>(file, reader)? {
            let err = |message: String| table_error(file, Some(line), message);
            if row.pattern.is_empty() {
                return Err(err("the pattern is blank".into()));
            }
            let category =
                SubjectCategory::parse(&row.category.to_ascii_lowercase()).ok_or_else(|| {
                    let known: Vec<&str> =
                        SubjectCategory::ALL.iter().map(|c| c.as_str()).collect();
                    err(format!(
                        "category '{}' is not one of {}",
                        row.category,
                        known.join(", ")
                    ))
                })?;
            patterns.push((row.pattern.to_uppercase(), category));
        }
        Ok(SubjectTable { patterns })
    }

    /// The class of a subject from its syllabus code and title.
    pub fn classify(&self, code: &str, title: &str) -> SubjectCategory {
        let code = code.trim().to_uppercase();
        if let Some((_, c)) = self.patterns.iter().find(|(p, _)| *p == code) {
            return *c;
        }
        let title = title.to_uppercase();
        let mut best: Option<(usize, SubjectCategory)> = None;
        for (pattern, category) in &self.patterns {
            let longer = match best {
                Some((len, _)) => pattern.len() > len,
                None => true,
            };
            if longer && contains_words(&title, pattern) {
                best = Some((pattern.len(), *category));
            }
        }
        best.map_or(SubjectCategory::Open, |(_, c)| c)
    }

    /// The class of a result's subject.
    pub fn classify_result(&self, result: &CandidateResult) -> SubjectCategory {
        self.classify(subject_code(result), &result.title)
    }
}

/// Whether `needle` occurs in `haystack` with no letter or digit either side.
pub(super) fn contains_words(haystack: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric());
    haystack.match_indices(needle).any(|(i, _)| {
        !is_word(haystack[..i].chars().next_back())
            && !is_word(haystack[i + needle.len()..].chars().next())
    })
}

/// An error in table `file`, at `line` when it is known.
fn table_error(file: &str, line: Option<u64>, message: String) -> TableFileError {
    TableFileError {
        file: file.to_string(),
        line,
        message,
    }
}

/// The two tables the analysis reads, and where each came from.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisTables {
    pub points: PointsTable,
    pub subjects: SubjectTable,
    /// `built-in points.csv`, or the path of the centre's copy; the same for subjects.
    pub sources: Vec<String>,
}

impl AnalysisTables {
    /// The tables shipped with resultsday.
    pub fn builtin() -> AnalysisTables {
        // Both built-in tables are tested; they cannot fail to load.
        AnalysisTables {
            points: PointsTable::from_csv("built-in points.csv", DEFAULT_POINTS_CSV.as_bytes())
                .unwrap_or_default(),
            subjects: SubjectTable::from_csv(
                "built-in subjects.csv",
                DEFAULT_SUBJECTS_CSV.as_bytes(),
            )
            .unwrap_or_default(),
            sources: vec![
                format!("built-in {POINTS_FILE}"),
                format!("built-in {SUBJECTS_FILE}"),
            ],
        }
    }

    /// The built-in tables, each replaced by a centre's own copy of the same name
    /// (`points.csv`, `subjects.csv`) in `dir`, else in the working folder, when there is one
    /// ([`centre_or_builtin`]).
    pub fn load(dir: Option<&Path>) -> Result<AnalysisTables, TableFileError> {
        let AnalysisTables {
            points,
            subjects,
            mut sources,
        } = AnalysisTables::builtin();
        let (points, copy) = centre_or_builtin(
            dir,
            POINTS_FILE,
            || points,
            |shown, bytes| PointsTable::from_csv(shown, bytes),
        )?;
        if let Some(copy) = copy {
            sources[0] = copy.shown;
        }
        let (subjects, copy) = centre_or_builtin(
            dir,
            SUBJECTS_FILE,
            || subjects,
            |shown, bytes| SubjectTable::from_csv(shown, bytes),
        )?;
        if let Some(copy) = copy {
            sources[1] = copy.shown;
        }
        Ok(AnalysisTables {
            points,
            subjects,
            sources,
        })
    }
}
