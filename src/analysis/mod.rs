//! The SLT analysis: headline measures, grade distributions per subject and cohort breakdowns,
//! computed from a run's results ([`analyse`], pure) and written as `analysis/*.csv` and
//! `analysis.xlsx` ([`write_analysis`]).
//!
//! Points and subject classes are data (`data/points.csv`, `data/subjects.csv`), built in and
//! replaceable by a centre's own copies in the results folder ([`AnalysisTables::load`]).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use parsers::tables::Gradeset;
use parsers::{Grade, Gradesets};
use rust_xlsxwriter::{
    Chart, ChartType, DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError,
};
use serde::Deserialize;

use crate::load::mis::{normalise_candidate_number, Mis};
use crate::model::CandidateResult;
use crate::write::output::create_private_dir;

// ---------------------------------------------------------------------------------------------
// Definitions
// ---------------------------------------------------------------------------------------------

/// Every headline measure, in `headline.csv` order, with its definition as the README and the
/// workbook give it.
pub const DEFINITIONS: &[(&str, &str)] = &[
    (
        "gcse_entries",
        "GCSE results: award results whose qualification is GCSE (unit results and results for \
         options not in the basedata are not counted). X, Q and blank grades are counted. No \
         denominator.",
    ),
    (
        "gcse_pct_9_4_en_ma",
        "% of the Year 11 cohort with maths at 4 or above and English language or English \
         literature at 4 or above (one of the two is enough). `#` is removed first; X, Q, U, a \
         blank grade and a grade not in the gradeset count as below. Denominator: the Year 11 \
         cohort (candidates with at least one GCSE result; with an MIS export, its year_group \
         11 candidates, or the first rule when it lists none in year 11).",
    ),
    (
        "gcse_pct_9_5_en_ma",
        "As gcse_pct_9_4_en_ma with 5 for 4: maths at 5 or above and English language or \
         literature at 5 or above, over the Year 11 cohort.",
    ),
    (
        "gcse_pct_9_7",
        "% of GCSE grades at 7 or above. A double award (combined science, gradeset 15) counts \
         as two grades. Denominator: every GCSE grade counted, X, Q, blank and invalid grades \
         included as not reaching 7.",
    ),
    (
        "gcse_pct_9_4",
        "% of GCSE grades at 4 or above, counted as gcse_pct_9_7.",
    ),
    (
        "a8_mean",
        "Mean Attainment 8 over the Year 11 cohort (a candidate with no counted result scores \
         0), two decimal places. Attainment 8 per DfE rules: maths (the better of a tiered pair) \
         double weighted; English: the better of English language and literature, double \
         weighted only when both were taken (a grade U counts as taken; X, Q and blank do not), \
         else the one taken single weighted; three EBacc slots (sciences, computer science, \
         geography, history, languages; combined science gives two parts, each worth the mean \
         of its two grades); three open slots (any GCSE or approved qualification left, \
         including Cambridge Nationals and the English not in the English slot). Points from \
         points.csv; subjects classed by subjects.csv.",
    ),
    (
        "alevel_entries",
        "A level results: award results whose qualification is GCE A with a grade A* to U (a \
         `#` grade counts as its grade; X, Q, blank and grades not in the gradeset are not \
         counted). EPQ and AS are not A levels. No denominator.",
    ),
    (
        "alevel_aps_per_entry",
        "A level points (A*=60, A=50, B=40, C=30, D=20, E=10, U=0, from gradesets.csv) divided \
         by alevel_entries, two decimal places.",
    ),
    (
        "alevel_pct_astar_a",
        "% of A level entries (as alevel_entries) at A* or A.",
    ),
    ("alevel_pct_astar_b", "% of A level entries at A* to B."),
    (
        "alevel_pct_astar_e",
        "% of A level entries at A* to E (a pass).",
    ),
    (
        "p8",
        "Progress 8: n/a. The DfE does not publish it for 2024/25 or 2025/26, and it needs KS2 \
         prior attainment resultsday does not hold.",
    ),
];

/// The gradesets whose results carry two grades, each counted as a grade of its own.
pub const DOUBLE_AWARD_GRADESETS: &[&str] = &["15"];

/// How each qualification's results are summarised per subject: the lowest grade that counts
/// as a top grade and the lowest that counts as a pass, both in the option's own gradeset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Convention {
    pub qualification: &'static str,
    /// `pct_top`: this grade or better.
    pub top: &'static str,
    /// `pct_pass`: this grade or better.
    pub pass: &'static str,
    pub meaning: &'static str,
}

/// The per-subject conventions of `subjects.csv`'s `pct_top` and `pct_pass`.
pub const CONVENTIONS: &[Convention] = &[
    Convention {
        qualification: "GCSE",
        top: "7",
        pass: "4",
        meaning: "top 9-7, pass 9-4",
    },
    Convention {
        qualification: "GCE A",
        top: "A",
        pass: "E",
        meaning: "top A*-A, pass A*-E",
    },
    Convention {
        qualification: "GCE AS",
        top: "A",
        pass: "E",
        meaning: "top A, pass A-E",
    },
    Convention {
        qualification: "PROJECT",
        top: "A",
        pass: "E",
        meaning: "top A*-A, pass A*-E",
    },
    Convention {
        qualification: "CNAT",
        top: "D2",
        pass: "P1",
        meaning: "top Level 2 distinction (*2, D2), pass any pass",
    },
    Convention {
        qualification: "BTEC NAT",
        top: "D",
        pass: "P",
        meaning: "top D*-D, pass D*-P",
    },
];

/// The order gradesets' grades take in `subjects.csv`'s header; others follow by code.
const GRADESET_ORDER: &[&str] = &["40", "15", "F", "4", "A", "10", "21", "BTNS"];

/// The first row of the workbook's Headline sheet before release to third parties.
pub const EMBARGO_NOTICE: &str =
    "Confidential: not for release outside the centre before 09:30 on results day";

// ---------------------------------------------------------------------------------------------
// Tables: points and subject classes
// ---------------------------------------------------------------------------------------------

/// The built-in points table.
pub const DEFAULT_POINTS_CSV: &str = include_str!("../../data/points.csv");
/// The built-in subject classes.
pub const DEFAULT_SUBJECTS_CSV: &str = include_str!("../../data/subjects.csv");
/// The name a centre's own points table has in the results folder.
pub const POINTS_FILE: &str = "points.csv";
/// The name a centre's own subject classes have in the results folder.
pub const SUBJECTS_FILE: &str = "subjects.csv";

/// A table row that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct TableFileError {
    /// The file, or `built-in points.csv`.
    pub file: String,
    pub line: Option<u64>,
    pub message: String,
}

impl fmt::Display for TableFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{} line {}: {}", self.file, line, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

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
        for (row, line) in read_table::<RawPointsRow>(file, reader)? {
            let err = |message: String| TableFileError {
                file: file.to_string(),
                line: Some(line),
                message,
            };
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
    fn of(&self, result: &CandidateResult, grade: Option<&Grade>) -> Option<&PointsRow> {
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

    fn is_ebacc(self) -> bool {
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
        for (row, line) in read_table::<RawSubjectRow>(file, reader)? {
            let err = |message: String| TableFileError {
                file: file.to_string(),
                line: Some(line),
                message,
            };
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
fn contains_words(haystack: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric());
    haystack.match_indices(needle).any(|(i, _)| {
        !is_word(haystack[..i].chars().next_back())
            && !is_word(haystack[i + needle.len()..].chars().next())
    })
}

/// Reads a data table's rows with their line numbers; fields are trimmed, extra columns ignored.
fn read_table<T: for<'de> Deserialize<'de>>(
    file: &str,
    mut reader: impl Read,
) -> Result<Vec<(T, u64)>, TableFileError> {
    // Whole, so that lines are counted as a person counts them (`csvlines`): a table saved
    // from a Windows spreadsheet ends its lines in CRLF.
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes).map_err(|e| TableFileError {
        file: file.to_string(),
        line: None,
        message: crate::messages::describe_read(&e),
    })?;
    let mut lines = crate::csvlines::Lines::new(&bytes);
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(bytes.as_slice());
    let headers = rdr.byte_headers().cloned().map_err(|e| TableFileError {
        file: file.to_string(),
        line: e.position().map(|p| p.line()),
        message: e.to_string(),
    })?;
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = lines.of(record.position()) as u64;
                let row: T = record
                    .deserialize(Some(&headers))
                    .map_err(|e| TableFileError {
                        file: file.to_string(),
                        line: Some(line),
                        message: e.to_string(),
                    })?;
                rows.push((row, line));
            }
            Err(e) => {
                return Err(TableFileError {
                    file: file.to_string(),
                    line: Some(lines.of(e.position()) as u64),
                    message: e.to_string(),
                })
            }
        }
    }
    Ok(rows)
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
    /// (`points.csv`, `subjects.csv`) in `dir` when there is one.
    pub fn load(dir: Option<&Path>) -> Result<AnalysisTables, TableFileError> {
        let mut tables = AnalysisTables::builtin();
        let Some(dir) = dir else {
            return Ok(tables);
        };
        let open = |name: &str| -> Result<Option<(String, std::fs::File)>, TableFileError> {
            let path = dir.join(name);
            if !path.is_file() {
                return Ok(None);
            }
            let shown = path.display().to_string();
            std::fs::File::open(&path)
                .map(|f| Some((shown.clone(), f)))
                .map_err(|e| TableFileError {
                    file: shown,
                    line: None,
                    message: crate::messages::describe_read(&e),
                })
        };
        if let Some((name, f)) = open(POINTS_FILE)? {
            tables.points = PointsTable::from_csv(&name, f)?;
            tables.sources[0] = name;
        }
        if let Some((name, f)) = open(SUBJECTS_FILE)? {
            tables.subjects = SubjectTable::from_csv(&name, f)?;
            tables.sources[1] = name;
        }
        Ok(tables)
    }
}

// ---------------------------------------------------------------------------------------------
// What the analysis holds
// ---------------------------------------------------------------------------------------------

/// A measure's value as `headline.csv` prints it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MeasureValue {
    Count(usize),
    /// A percentage, already rounded to one decimal place (half up): `71.4`.
    Percent(f64),
    /// Points, already rounded to two decimal places (half up): `38.00`.
    Points(f64),
    /// The denominator is 0: printed blank.
    Empty,
    /// Printed `n/a`.
    NotApplicable,
}

impl MeasureValue {
    /// The text of the CSV cell.
    pub fn text(&self) -> String {
        match self {
            MeasureValue::Count(n) => n.to_string(),
            MeasureValue::Percent(p) => format!("{p:.1}"),
            MeasureValue::Points(p) => format!("{p:.2}"),
            MeasureValue::Empty => String::new(),
            MeasureValue::NotApplicable => "n/a".into(),
        }
    }
}

impl fmt::Display for MeasureValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

/// One row of `headline.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct Measure {
    pub measure: &'static str,
    pub value: MeasureValue,
    /// Blank for counts and `p8`.
    pub denominator: Option<usize>,
    /// What the value is made of: the count, the number reaching the grade, or the points
    /// total. Centres' measures add up through it (a trust's analysis).
    pub numerator: f64,
}

/// How the Year 11 cohort (the denominator of the English and maths measures and of a8_mean)
/// was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CohortRule {
    /// Candidates with at least one GCSE result (no MIS export given).
    GcseResults,
    /// The MIS export's year_group 11 candidates.
    MisYear11,
    /// The MIS export has no year_group 11 candidate, so candidates with a GCSE result.
    GcseResultsMisHasNoYear11,
}

/// One row of `subjects.csv`: a board and entry option with results.
#[derive(Debug, Clone, PartialEq)]
pub struct SubjectRow {
    pub board: String,
    pub entry_code: String,
    pub title: String,
    pub qualification: String,
    pub gradeset: Option<String>,
    /// Results for the option, X, Q and blank grades included.
    pub entries: usize,
    /// The option's own grades, best first: its gradeset's, or for an option with no known
    /// gradeset the grades its results hold.
    pub grades: Vec<String>,
    /// Grades counted (without `#`; both grades of a double award; `X` and `Q` included).
    pub counts: BTreeMap<String, usize>,
    pub pct_top: MeasureValue,
    pub pct_pass: MeasureValue,
    /// The grades counted for the percentages (a double award counts two), and how many of
    /// them reach the top and pass grades: what centres' rows add up through.
    pub slots: usize,
    pub top_reached: usize,
    pub pass_reached: usize,
}

impl SubjectRow {
    /// The count under a grade column: blank where the grade is not one of the option's own.
    pub fn cell(&self, grade: &str) -> Option<usize> {
        let own = grade == "X" || grade == "Q" || self.grades.iter().any(|g| g == grade);
        own.then(|| self.counts.get(grade).copied().unwrap_or(0))
    }

    /// The grades a chart of this option shows: its own, then X and Q.
    pub fn chart_grades(&self) -> Vec<&str> {
        self.grades
            .iter()
            .map(String::as_str)
            .chain(["X", "Q"])
            .collect()
    }
}

/// `subjects.csv`: the grade columns and a row per board and option.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SubjectsTable {
    /// Every grade column, `X` and `Q` last.
    pub grade_columns: Vec<String>,
    pub rows: Vec<SubjectRow>,
}

impl SubjectsTable {
    /// The header of `subjects.csv`.
    pub fn header(&self) -> Vec<String> {
        ["board", "entry_code", "title", "qualification", "entries"]
            .into_iter()
            .map(String::from)
            .chain(self.grade_columns.iter().cloned())
            .chain(["pct_top".to_string(), "pct_pass".to_string()])
            .collect()
    }

    /// A row's cells as `subjects.csv` prints them.
    pub fn cells(&self, row: &SubjectRow) -> Vec<String> {
        [
            row.board.clone(),
            row.entry_code.clone(),
            row.title.clone(),
            row.qualification.clone(),
            row.entries.to_string(),
        ]
        .into_iter()
        .chain(
            self.grade_columns
                .iter()
                .map(|g| row.cell(g).map(|n| n.to_string()).unwrap_or_default()),
        )
        .chain([row.pct_top.text(), row.pct_pass.text()])
        .collect()
    }
}

/// One row of `breakdown.csv`: a headline measure for the candidates with one value in one
/// MIS group.
#[derive(Debug, Clone, PartialEq)]
pub struct BreakdownRow {
    /// `sex`, `pupil_premium`, `sen`, `eal`, `form` or an extra MIS column.
    pub group: String,
    /// The MIS value (`Y`/`N` for flags); `(unknown)` where the MIS leaves it blank or
    /// unreadable; `(not in MIS)` for candidates with results the MIS does not list.
    pub value: String,
    pub measure: &'static str,
    pub result: MeasureValue,
    pub denominator: Option<usize>,
}

/// Everything the analysis writes.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    pub headline: Vec<Measure>,
    pub subjects: SubjectsTable,
    /// Only when an MIS export was given.
    pub breakdown: Option<Vec<BreakdownRow>>,
    pub cohort_rule: CohortRule,
    /// The Year 11 cohort's size.
    pub cohort_size: usize,
    /// Caveats worth printing beside the numbers (unverified points used, how the cohort was
    /// found).
    pub notes: Vec<String>,
}

impl Analysis {
    /// A headline measure by name.
    pub fn measure(&self, name: &str) -> Option<&Measure> {
        self.headline.iter().find(|m| m.measure == name)
    }
}

// ---------------------------------------------------------------------------------------------
// The computation
// ---------------------------------------------------------------------------------------------

/// Label for candidates with results whom the MIS does not list.
pub const NOT_IN_MIS: &str = "(not in MIS)";
/// Label for a blank or unreadable MIS value.
pub const UNKNOWN_VALUE: &str = "(unknown)";

/// Computes the whole analysis. Pure: no I/O.
pub fn analyse(
    results: &[CandidateResult],
    gradesets: &Gradesets,
    tables: &AnalysisTables,
    mis: Option<&Mis>,
) -> Analysis {
    let ctx = Ctx { gradesets, tables };
    let (cohort, cohort_rule) = year11_cohort(results, mis);
    let counted = ctx.count(results, &cohort);
    let all: Vec<&Counted> = counted.iter().collect();
    let headline = ctx.headline(&all, cohort.len());
    let breakdown = mis.map(|m| ctx.breakdown(&all, &cohort, m));
    let mut notes = Vec::new();
    match cohort_rule {
        CohortRule::GcseResults => {}
        CohortRule::MisYear11 => notes.push(format!(
            "Year 11 cohort: the {} year_group 11 candidates of the MIS export.",
            cohort.len()
        )),
        CohortRule::GcseResultsMisHasNoYear11 => notes.push(
            "The MIS export lists no year_group 11 candidate: the Year 11 cohort is the \
             candidates with at least one GCSE result."
                .into(),
        ),
    }
    notes.extend(ctx.unverified_points_used(&all));
    Analysis {
        headline,
        subjects: subjects_table(results, gradesets),
        breakdown,
        cohort_rule,
        cohort_size: cohort.len(),
        notes,
    }
}

/// The Year 11 cohort: candidates with at least one GCSE result or, with an MIS export, its
/// year_group 11 candidates (the first rule again when it lists none in year 11).
pub fn year11_cohort(
    results: &[CandidateResult],
    mis: Option<&Mis>,
) -> (BTreeSet<String>, CohortRule) {
    if let Some(mis) = mis {
        let year11: BTreeSet<String> = mis
            .in_year(11)
            .map(|c| c.candidate_number.clone())
            .collect();
        if !year11.is_empty() {
            return (year11, CohortRule::MisYear11);
        }
    }
    let from_results = results
        .iter()
        .filter(|r| is_gcse(r))
        .map(candidate_key)
        .collect();
    let rule = if mis.is_some() {
        CohortRule::GcseResultsMisHasNoYear11
    } else {
        CohortRule::GcseResults
    };
    (from_results, rule)
}

/// A GCSE result: an award whose qualification is `GCSE`.
fn is_gcse(r: &CandidateResult) -> bool {
    r.is_award && r.qualification == "GCSE"
}

/// An A level result: an award whose qualification is `GCE A`.
fn is_alevel(r: &CandidateResult) -> bool {
    r.is_award && r.qualification == "GCE A"
}

fn is_double_award(r: &CandidateResult) -> bool {
    r.grade2.is_some()
        || r.gradeset
            .as_deref()
            .is_some_and(|g| DOUBLE_AWARD_GRADESETS.contains(&g))
}

/// The grades a result counts as: one, or two for a double award (a missing second grade is
/// `None`, counted as not reaching any grade).
fn grades_of(r: &CandidateResult) -> impl Iterator<Item = Option<&Grade>> {
    let second = is_double_award(r).then_some(r.grade2.as_ref());
    std::iter::once(r.grade.as_ref()).chain(second)
}

/// How many grades a result counts as: 2 for a double award, else 1.
fn grade_count(r: &CandidateResult) -> usize {
    if is_double_award(r) {
        2
    } else {
        1
    }
}

fn candidate_key(r: &CandidateResult) -> String {
    normalise_candidate_number(&r.candidate_number).unwrap_or_else(|| r.candidate_number.clone())
}

/// The code a subject is known by: its syllabus code (so a tiered pair is one subject), else
/// the entry code.
fn subject_code(r: &CandidateResult) -> &str {
    r.syllabus_code.as_deref().unwrap_or(&r.entry_code)
}

/// Whether a grade is `threshold` or better in the gradeset. X, Q, blank, a grade not in the
/// gradeset and a threshold not in it all give `false`.
fn reaches(set: Option<&Gradeset>, grade: Option<&Grade>, threshold: &str) -> bool {
    let (Some(set), Some(grade)) = (set, grade) else {
        return false;
    };
    match (set.get(&grade.code), set.get(threshold)) {
        (Some(have), Some(need)) => have.rank <= need.rank,
        _ => false,
    }
}

/// `num / den` as a percentage rounded half up to one decimal place, exactly; blank for 0/0.
pub fn percent(num: usize, den: usize) -> MeasureValue {
    if den == 0 {
        return MeasureValue::Empty;
    }
    let (num, den) = (num as u128, den as u128);
    let tenths = (2 * num * 1000 + den) / (2 * den);
    MeasureValue::Percent(tenths as f64 / 10.0)
}

/// `total / n` rounded half up to two decimal places; blank when `n` is 0.
pub fn mean_points(total: f64, n: usize) -> MeasureValue {
    if n == 0 {
        return MeasureValue::Empty;
    }
    // The epsilon absorbs binary error in sums of decimal points (38.005 held as 38.00499…).
    let hundredths = (total / n as f64 * 100.0 + 0.5 + 1e-6).floor();
    MeasureValue::Points(hundredths / 100.0)
}

/// A result with what the measures ask of it again and again, worked out once.
struct Counted<'a> {
    result: &'a CandidateResult,
    /// The four-digit candidate number.
    candidate: String,
    /// Whether the candidate is in the Year 11 cohort.
    in_cohort: bool,
    gcse: bool,
    alevel: bool,
    class: SubjectCategory,
    set: Option<&'a Gradeset>,
}

struct Ctx<'a> {
    gradesets: &'a Gradesets,
    tables: &'a AnalysisTables,
}

impl<'a> Ctx<'a> {
    /// Works out each result's candidate, cohort membership, subject class and gradeset once;
    /// classes are looked up once per subject code and title.
    fn count<'r>(
        &self,
        results: &'r [CandidateResult],
        cohort: &BTreeSet<String>,
    ) -> Vec<Counted<'r>>
    where
        'a: 'r,
    {
        let mut classes: HashMap<(&str, &str), SubjectCategory> = HashMap::new();
        results
            .iter()
            .map(|r| {
                let class = *classes
                    .entry((subject_code(r), r.title.as_str()))
                    .or_insert_with(|| self.tables.subjects.classify_result(r));
                let candidate = candidate_key(r);
                Counted {
                    result: r,
                    in_cohort: cohort.contains(&candidate),
                    candidate,
                    gcse: is_gcse(r),
                    alevel: is_alevel(r),
                    class,
                    set: r.gradeset.as_deref().and_then(|g| self.gradesets.get(g)),
                }
            })
            .collect()
    }

    /// Every headline measure, in `headline.csv` order, over `results`; `cohort` is the number
    /// of Year 11 candidates they are for (results outside the cohort are marked so).
    fn headline(&self, results: &[&Counted], cohort: usize) -> Vec<Measure> {
        let alevels = graded_alevels(results);
        vec![
            gcse_entries(results),
            english_and_maths("gcse_pct_9_4_en_ma", "4", results, cohort),
            english_and_maths("gcse_pct_9_5_en_ma", "5", results, cohort),
            gcse_grades_at("gcse_pct_9_7", "7", results),
            gcse_grades_at("gcse_pct_9_4", "4", results),
            self.a8_mean(results, cohort),
            alevel_entries(&alevels),
            alevel_aps_per_entry(&alevels),
            alevel_pct("alevel_pct_astar_a", "A", &alevels),
            alevel_pct("alevel_pct_astar_b", "B", &alevels),
            alevel_pct("alevel_pct_astar_e", "E", &alevels),
            p8(),
        ]
    }

    /// `a8_mean`: the mean [`attainment8`] over the Year 11 cohort, two decimal places; a
    /// candidate in the cohort with no counted result scores 0. Denominator: the cohort.
    fn a8_mean(&self, results: &[&Counted], cohort: usize) -> Measure {
        let mut by_candidate: BTreeMap<&str, Vec<(&CandidateResult, SubjectCategory)>> =
            BTreeMap::new();
        for c in results.iter().filter(|c| c.in_cohort) {
            by_candidate
                .entry(&c.candidate)
                .or_default()
                .push((c.result, c.class));
        }
        let total: f64 = by_candidate
            .values()
            .map(|rs| a8_points(rs, &self.tables.points))
            .sum();
        Measure {
            measure: "a8_mean",
            value: mean_points(total, cohort),
            denominator: Some(cohort),
            numerator: total,
        }
    }

    /// The headline measures per MIS group and value, sorted by group and value.
    fn breakdown(
        &self,
        results: &[&Counted],
        cohort: &BTreeSet<String>,
        mis: &Mis,
    ) -> Vec<BreakdownRow> {
        let mut by_candidate: BTreeMap<&str, Vec<&Counted>> = BTreeMap::new();
        for c in results {
            by_candidate.entry(&c.candidate).or_default().push(c);
        }
        let everyone: BTreeSet<&str> = mis
            .candidates
            .keys()
            .map(String::as_str)
            .chain(by_candidate.keys().copied())
            .collect();
        let mut rows = Vec::new();
        let mut groups = mis.breakdown_groups();
        groups.sort();
        groups.dedup();
        for group in groups {
            let mut members: BTreeMap<String, Vec<&str>> = BTreeMap::new();
            for &number in &everyone {
                let value = match mis.candidates.get(number) {
                    Some(c) => mis
                        .group_value(c, &group)
                        .unwrap_or_else(|| UNKNOWN_VALUE.into()),
                    None => NOT_IN_MIS.into(),
                };
                members.entry(value).or_default().push(number);
            }
            for (value, numbers) in members {
                let subset: Vec<&Counted> = numbers
                    .iter()
                    .filter_map(|n| by_candidate.get(n))
                    .flatten()
                    .copied()
                    .collect();
                let sub_cohort = numbers.iter().filter(|n| cohort.contains(**n)).count();
                for m in self.headline(&subset, sub_cohort) {
                    rows.push(BreakdownRow {
                        group: group.clone(),
                        value: value.clone(),
                        measure: m.measure,
                        result: m.value,
                        denominator: m.denominator,
                    });
                }
            }
        }
        rows
    }

    /// A note for each qualification whose unverified points (points.csv `verified` = no)
    /// entered a cohort candidate's Attainment 8.
    fn unverified_points_used(&self, results: &[&Counted]) -> Vec<String> {
        let mut used: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
        for c in results.iter().filter(|c| c.result.is_award && c.in_cohort) {
            for g in grades_of(c.result) {
                if let Some(row) = self
                    .tables
                    .points
                    .of(c.result, g)
                    .filter(|row| !row.verified)
                {
                    used.entry((row.qualification.clone(), row.gradeset.clone()))
                        .or_default()
                        .insert(row.grade.clone());
                }
            }
        }
        used.into_iter()
            .map(|((q, gs), grades)| {
                format!(
                    "Attainment 8 uses points not yet verified against the DfE table \
                     (points.csv verified=no): {q} {gs} grades {}.",
                    grades.into_iter().collect::<Vec<_>>().join(", ")
                )
            })
            .collect()
    }
}

/// `gcse_entries`: the number of GCSE results (award results whose qualification is `GCSE`;
/// X, Q and blank grades included).
fn gcse_entries(results: &[&Counted]) -> Measure {
    Measure {
        measure: "gcse_entries",
        value: MeasureValue::Count(results.iter().filter(|c| c.gcse).count()),
        denominator: None,
        numerator: results.iter().filter(|c| c.gcse).count() as f64,
    }
}

/// `gcse_pct_9_4_en_ma`, `gcse_pct_9_5_en_ma`: % of the Year 11 cohort with maths at
/// `threshold` or above and English language or English literature at `threshold` or above
/// (either is enough). `#` is removed first; X, Q, U, blank and a grade not in the gradeset
/// count as below. Denominator: the Year 11 cohort.
fn english_and_maths(
    name: &'static str,
    threshold: &str,
    results: &[&Counted],
    cohort: usize,
) -> Measure {
    let mut maths = HashSet::new();
    let mut english = HashSet::new();
    for c in results.iter().filter(|c| c.gcse && c.in_cohort) {
        let wanted = match c.class {
            SubjectCategory::Maths => &mut maths,
            SubjectCategory::EnglishLanguage | SubjectCategory::EnglishLiterature => &mut english,
            _ => continue,
        };
        if reaches(c.set, c.result.grade.as_ref(), threshold) {
            wanted.insert(c.candidate.as_str());
        }
    }
    let both = maths.intersection(&english).count();
    Measure {
        measure: name,
        value: percent(both, cohort),
        denominator: Some(cohort),
        numerator: both as f64,
    }
}

/// `gcse_pct_9_7`, `gcse_pct_9_4`: % of GCSE grades at `threshold` or above; a double award
/// counts as two grades. Denominator: every grade counted, X, Q, blank and invalid grades
/// included as not reaching.
fn gcse_grades_at(name: &'static str, threshold: &str, results: &[&Counted]) -> Measure {
    let (mut reached, mut grades) = (0, 0);
    for c in results.iter().filter(|c| c.gcse) {
        for g in grades_of(c.result) {
            grades += 1;
            if reaches(c.set, g, threshold) {
                reached += 1;
            }
        }
    }
    Measure {
        measure: name,
        value: percent(reached, grades),
        denominator: Some(grades),
        numerator: reached as f64,
    }
}

/// An A level result with a grade in its gradeset (A* to U), and that grade's points.
struct GradedAlevel<'a> {
    counted: &'a Counted<'a>,
    points: f64,
}

/// The A level (`GCE A`) award results with a grade A* to U; X, Q, blank and grades not in the
/// gradeset are not entries here.
fn graded_alevels<'a>(results: &[&'a Counted<'a>]) -> Vec<GradedAlevel<'a>> {
    results
        .iter()
        .filter(|c| c.alevel)
        .filter_map(|c| {
            let def = c.set?.get(&c.result.grade.as_ref()?.code)?;
            Some(GradedAlevel {
                counted: c,
                points: def.points.unwrap_or(0.0),
            })
        })
        .collect()
}

/// `alevel_entries`: the number of graded A level results.
fn alevel_entries(alevels: &[GradedAlevel]) -> Measure {
    Measure {
        measure: "alevel_entries",
        value: MeasureValue::Count(alevels.len()),
        denominator: None,
        numerator: alevels.len() as f64,
    }
}

/// `alevel_aps_per_entry`: the A level entries' points (A*=60 … E=10, U=0, from the gradeset)
/// over their number, two decimal places.
fn alevel_aps_per_entry(alevels: &[GradedAlevel]) -> Measure {
    let total: f64 = alevels.iter().map(|a| a.points).sum();
    Measure {
        measure: "alevel_aps_per_entry",
        value: mean_points(total, alevels.len()),
        denominator: Some(alevels.len()),
        numerator: total,
    }
}

/// `alevel_pct_astar_a`/`_b`/`_e`: % of the A level entries at `lowest` or better.
fn alevel_pct(name: &'static str, lowest: &str, alevels: &[GradedAlevel]) -> Measure {
    let reached = alevels
        .iter()
        .filter(|a| reaches(a.counted.set, a.counted.result.grade.as_ref(), lowest))
        .count();
    Measure {
        measure: name,
        value: percent(reached, alevels.len()),
        denominator: Some(alevels.len()),
        numerator: reached as f64,
    }
}

/// `p8`: not available while the DfE does not publish Progress 8.
fn p8() -> Measure {
    Measure {
        measure: "p8",
        value: MeasureValue::NotApplicable,
        denominator: None,
        numerator: 0.0,
    }
}

/// One candidate's Attainment 8 score (0 to 90) from their results, per DfE rules:
///
/// - only award results count; a GCSE grade counts when `points.csv` has a row for it (so X, Q,
///   blank and invalid grades do not count, and the subject is not "taken");
/// - a subject is its syllabus code on one board: a tiered pair (J560F/J560H) is one subject,
///   its better grade counting; of two maths, two English languages or two English literatures
///   (other boards) only the best counts;
/// - maths: double weighted;
/// - English: when both English language and English literature were taken, the better is
///   double weighted and the other may fill an open slot; when one was taken, it counts once;
/// - EBacc: the best three of the EBacc subjects (sciences, computer science, geography,
///   history, languages). Combined science gives two parts, each worth the mean of its two
///   grades' points (DfE: 6-5 gives 5.5 twice), either of which may fill an EBacc or open slot;
/// - open: the best three of what is left (EBacc subjects, the other English, any other GCSE)
///   and of the non-GCSE award results `points.csv` gives points (Cambridge Nationals).
///
/// Not applied: early-entry and cross-qualification discounting beyond the rules above.
pub fn attainment8(results: &[&CandidateResult], tables: &AnalysisTables) -> f64 {
    let classed: Vec<(&CandidateResult, SubjectCategory)> = results
        .iter()
        .map(|r| (*r, tables.subjects.classify_result(r)))
        .collect();
    a8_points(&classed, &tables.points)
}

/// [`attainment8`] over results already classed.
fn a8_points(results: &[(&CandidateResult, SubjectCategory)], points: &PointsTable) -> f64 {
    // (board, subject code) -> (class, parts, points per part): the subject's best result.
    let mut subjects: BTreeMap<(&str, &str), (SubjectCategory, usize, f64)> = BTreeMap::new();
    let mut open: Vec<f64> = Vec::new();
    for &(r, class) in results.iter().filter(|(r, _)| r.is_award) {
        let parts = grade_count(r);
        let Some(first) = points.of(r, r.grade.as_ref()) else {
            continue;
        };
        // A double award's second grade with no points (missing) counts as 0.
        let second = match parts {
            2 => points
                .of(r, r.grade2.as_ref())
                .map_or(0.0, |row| row.points),
            _ => 0.0,
        };
        let per_part = (first.points + second) / parts as f64;
        if r.qualification != "GCSE" {
            open.extend(std::iter::repeat_n(per_part, parts));
            continue;
        }
        let slot = subjects
            .entry((r.board.as_str(), subject_code(r)))
            .or_insert((class, parts, per_part));
        if per_part > slot.2 {
            *slot = (class, parts, per_part);
        }
    }

    let (mut maths, mut language, mut literature): (Option<f64>, Option<f64>, Option<f64>) =
        (None, None, None);
    let best = |slot: &mut Option<f64>, p: f64| *slot = Some(slot.map_or(p, |q| q.max(p)));
    let mut ebacc: Vec<f64> = Vec::new();
    for &(class, parts, points) in subjects.values() {
        match class {
            SubjectCategory::Maths => best(&mut maths, points),
            SubjectCategory::EnglishLanguage => best(&mut language, points),
            SubjectCategory::EnglishLiterature => best(&mut literature, points),
            c if c.is_ebacc() => ebacc.extend(std::iter::repeat_n(points, parts)),
            _ => open.extend(std::iter::repeat_n(points, parts)),
        }
    }
    let english = match (language, literature) {
        (Some(a), Some(b)) => {
            open.push(a.min(b));
            2.0 * a.max(b)
        }
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => 0.0,
    };
    let desc = |v: &mut Vec<f64>| v.sort_by(|a, b| b.total_cmp(a));
    desc(&mut ebacc);
    let ebacc_points: f64 = ebacc.iter().take(3).sum();
    open.extend(ebacc.iter().skip(3));
    desc(&mut open);
    let open_points: f64 = open.iter().take(3).sum();
    2.0 * maths.unwrap_or(0.0) + english + ebacc_points + open_points
}

/// `subjects.csv`: a row per board and entry option with results (units included), sorted by
/// board and entry code; a grade column for every grade of the gradesets present (GCSE first,
/// then A level, AS, project, Cambridge National, BTEC, others by code), then `X` and `Q`.
///
/// `entries` counts every result. A `#` grade counts under its grade; a double award counts
/// once under each of its two grades, and its shares are of two grades per result. A blank
/// grade or one not in the gradeset is in `entries` but under no column, and reaches nothing.
pub fn subjects_table(results: &[CandidateResult], gradesets: &Gradesets) -> SubjectsTable {
    let mut by_option: BTreeMap<(&str, &str), Vec<&CandidateResult>> = BTreeMap::new();
    for r in results {
        by_option
            .entry((r.board.as_str(), r.entry_code.as_str()))
            .or_default()
            .push(r);
    }
    let mut rows = Vec::new();
    for ((board, entry_code), rs) in by_option {
        let first = rs[0];
        let set = first.gradeset.as_deref().and_then(|g| gradesets.get(g));
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for r in &rs {
            for g in grades_of(r).flatten() {
                *counts.entry(g.code.clone()).or_default() += 1;
            }
        }
        let slots: usize = rs.iter().map(|r| grade_count(r)).sum();
        let convention = CONVENTIONS
            .iter()
            .find(|c| c.qualification == first.qualification);
        let reached = |lowest: Option<&str>| match (set, lowest) {
            (Some(_), Some(lowest)) => Some(
                rs.iter()
                    .flat_map(|r| grades_of(r))
                    .filter(|g| reaches(set, *g, lowest))
                    .count(),
            ),
            _ => None,
        };
        let (top, pass) = (
            reached(convention.map(|c| c.top)),
            reached(convention.map(|c| c.pass)),
        );
        rows.push(SubjectRow {
            board: board.to_string(),
            entry_code: entry_code.to_string(),
            title: first.title.clone(),
            qualification: first.qualification.clone(),
            gradeset: first.gradeset.clone(),
            entries: rs.len(),
            grades: Vec::new(),
            counts,
            pct_top: top.map_or(MeasureValue::Empty, |n| percent(n, slots)),
            pct_pass: pass.map_or(MeasureValue::Empty, |n| percent(n, slots)),
            slots,
            top_reached: top.unwrap_or(0),
            pass_reached: pass.unwrap_or(0),
        });
    }
    finish_subjects(rows, gradesets)
}

/// The grade columns from the gradesets the rows have, in the conventional order, then the
/// grades of rows with no known gradeset; each row's own grades.
fn finish_subjects(mut rows: Vec<SubjectRow>, gradesets: &Gradesets) -> SubjectsTable {
    let mut present: Vec<&str> = rows
        .iter()
        .filter_map(|r| r.gradeset.as_deref())
        .filter(|g| gradesets.get(g).is_some())
        .collect();
    present.sort_by_key(|g| {
        (
            GRADESET_ORDER
                .iter()
                .position(|o| o == g)
                .unwrap_or(GRADESET_ORDER.len()),
            *g,
        )
    });
    present.dedup();
    let mut columns: Vec<String> = Vec::new();
    for code in present {
        for def in gradesets.get(code).map_or(&[][..], |s| &s.grades[..]) {
            if !columns.contains(&def.grade) {
                columns.push(def.grade.clone());
            }
        }
    }
    let mut unknown_grades: Vec<String> = Vec::new();
    for row in &mut rows {
        let set = row.gradeset.as_deref().and_then(|g| gradesets.get(g));
        row.grades = match set {
            Some(s) => s.grades.iter().map(|d| d.grade.clone()).collect(),
            None => {
                // No gradeset: the grades its results hold, in column order, then by code.
                let mut seen: Vec<String> = row
                    .counts
                    .keys()
                    .filter(|g| *g != "X" && *g != "Q")
                    .cloned()
                    .collect();
                seen.sort_by_key(|g| {
                    (
                        columns.iter().position(|c| c == g).unwrap_or(usize::MAX),
                        g.clone(),
                    )
                });
                seen
            }
        };
        for g in &row.grades {
            if !columns.contains(g) && !unknown_grades.contains(g) {
                unknown_grades.push(g.clone());
            }
        }
    }
    columns.extend(unknown_grades);
    columns.retain(|g| g != "X" && g != "Q");
    columns.extend(["X".to_string(), "Q".to_string()]);
    SubjectsTable {
        grade_columns: columns,
        rows,
    }
}

/// Several centres' analyses added together: a trust's, or a whole series'. Measures and
/// subject rows add up through their numerators and denominators, so the result is what one
/// analysis of all the results would give, with candidates told apart by centre. There is no
/// breakdown: an MIS export belongs to one centre.
#[derive(Debug, Default)]
pub struct Combined {
    headline: Vec<Measure>,
    subjects: BTreeMap<(String, String), SubjectRow>,
    cohort_size: usize,
    notes: BTreeSet<String>,
    centres: usize,
}

impl Combined {
    /// Adds one centre's analysis.
    pub fn add(&mut self, part: &Analysis) {
        self.centres += 1;
        self.cohort_size += part.cohort_size;
        self.notes.extend(
            part.notes
                .iter()
                .filter(|n| !n.starts_with("Year 11 cohort"))
                .cloned(),
        );
        if self.headline.is_empty() {
            self.headline = part.headline.clone();
        } else {
            for (sum, m) in self.headline.iter_mut().zip(&part.headline) {
                sum.numerator += m.numerator;
                sum.denominator = match (sum.denominator, m.denominator) {
                    (Some(a), Some(b)) => Some(a + b),
                    (a, b) => a.or(b),
                };
            }
        }
        for row in &part.subjects.rows {
            match self
                .subjects
                .get_mut(&(row.board.clone(), row.entry_code.clone()))
            {
                None => {
                    self.subjects
                        .insert((row.board.clone(), row.entry_code.clone()), row.clone());
                }
                Some(sum) => {
                    sum.entries += row.entries;
                    sum.slots += row.slots;
                    sum.top_reached += row.top_reached;
                    sum.pass_reached += row.pass_reached;
                    for (grade, n) in &row.counts {
                        *sum.counts.entry(grade.clone()).or_default() += n;
                    }
                }
            }
        }
    }

    /// How many centres were added.
    pub fn centres(&self) -> usize {
        self.centres
    }

    /// The analysis of everything added.
    pub fn finish(self, gradesets: &Gradesets) -> Analysis {
        let headline = self
            .headline
            .into_iter()
            .map(|mut m| {
                let den = m.denominator.unwrap_or(0);
                m.value = match m.value {
                    MeasureValue::Count(_) => MeasureValue::Count(m.numerator as usize),
                    MeasureValue::NotApplicable => MeasureValue::NotApplicable,
                    _ if POINTS_MEASURES.contains(&m.measure) => mean_points(m.numerator, den),
                    _ => percent(m.numerator as usize, den),
                };
                m
            })
            .collect();
        let rows = self
            .subjects
            .into_values()
            .map(|mut row| {
                // As for one centre: percentages need a known gradeset and a convention.
                let applicable = row
                    .gradeset
                    .as_deref()
                    .and_then(|g| gradesets.get(g))
                    .is_some()
                    && CONVENTIONS
                        .iter()
                        .any(|c| c.qualification == row.qualification);
                row.pct_top = if applicable {
                    percent(row.top_reached, row.slots)
                } else {
                    MeasureValue::Empty
                };
                row.pct_pass = if applicable {
                    percent(row.pass_reached, row.slots)
                } else {
                    MeasureValue::Empty
                };
                row
            })
            .collect();
        let mut notes: Vec<String> = vec![format!(
            "{} centres together; each centre's Year 11 cohort is its candidates with at least \
             one GCSE result.",
            self.centres
        )];
        notes.extend(self.notes);
        Analysis {
            headline,
            subjects: finish_subjects(rows, gradesets),
            breakdown: None,
            cohort_rule: CohortRule::GcseResults,
            cohort_size: self.cohort_size,
            notes,
        }
    }
}

/// The headline measures that are means of points (the rest are counts or percentages).
const POINTS_MEASURES: &[&str] = &["a8_mean", "alevel_aps_per_entry"];

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

/// `analysis/headline.csv`.
pub fn headline_csv(analysis: &Analysis) -> Vec<u8> {
    let mut w = crate::write::csvout::Builder::new(["measure", "value", "denominator"])
        .numeric(["value", "denominator"])
        .in_memory();
    for m in &analysis.headline {
        let den = m.denominator.map(|d| d.to_string()).unwrap_or_default();
        w.put_record([m.measure, &m.value.text(), &den]);
    }
    w.into_bytes()
}

/// `analysis/subjects.csv`: the board, code, title and qualification are text; the entries,
/// the count under each grade and the two percentages are numbers.
pub fn subjects_csv(analysis: &Analysis) -> Vec<u8> {
    let table = &analysis.subjects;
    let header = table.header();
    let mut w = crate::write::csvout::Builder::new(&header)
        .numeric_at(4..header.len())
        .in_memory();
    for row in &table.rows {
        w.put_record(table.cells(row));
    }
    w.into_bytes()
}

/// `analysis/breakdown.csv`; `None` without an MIS export.
pub fn breakdown_csv(analysis: &Analysis) -> Option<Vec<u8>> {
    let rows = analysis.breakdown.as_ref()?;
    let mut w =
        crate::write::csvout::Builder::new(["group", "value", "measure", "result", "denominator"])
            .numeric(["result", "denominator"])
            .in_memory();
    for r in rows {
        let den = r.denominator.map(|d| d.to_string()).unwrap_or_default();
        w.put_record([
            r.group.as_str(),
            r.value.as_str(),
            r.measure,
            &r.result.text(),
            &den,
        ]);
    }
    Some(w.into_bytes())
}

/// Writes `analysis.xlsx` and `analysis/` (`subjects.csv`, `breakdown.csv` with an MIS export,
/// and `headline.csv` only when `third_party_allowed`: before 09:30 on results day the
/// headline figures, which go to the local authority and the press, are not written as a CSV,
/// and the workbook's Headline sheet opens with the confidentiality notice). Every file is
/// written atomically, owner-only. A `headline.csv` (or `breakdown.csv`) an earlier run left in
/// `analysis/` that this run does not write is removed first, so that what the folder holds is
/// this run's and nothing waits there for third parties before its time. Returns the files
/// written.
pub fn write_analysis(
    out_dir: &Path,
    analysis: &Analysis,
    third_party_allowed: bool,
    commit: crate::write::output::Commit<'_>,
) -> std::io::Result<Vec<PathBuf>> {
    let dir = out_dir.join("analysis");
    create_private_dir(&dir)?;
    if !third_party_allowed {
        remove_if_present(&dir.join("headline.csv"))?;
    }
    if analysis.breakdown.is_none() {
        remove_if_present(&dir.join("breakdown.csv"))?;
    }
    let mut written = Vec::new();
    let mut put = |path: PathBuf, bytes: &[u8]| -> std::io::Result<()> {
        commit.write(&path, bytes)?;
        written.push(path);
        Ok(())
    };
    if third_party_allowed {
        put(dir.join("headline.csv"), &headline_csv(analysis))?;
    }
    put(dir.join("subjects.csv"), &subjects_csv(analysis))?;
    if let Some(bytes) = breakdown_csv(analysis) {
        put(dir.join("breakdown.csv"), &bytes)?;
    }
    let xlsx = workbook(analysis, third_party_allowed)
        .and_then(|mut wb| wb.save_to_buffer())
        .map_err(|e| std::io::Error::other(format!("analysis.xlsx: {e}")))?;
    put(out_dir.join("analysis.xlsx"), &xlsx)?;
    Ok(written)
}

/// Removes a file an earlier run wrote, if it is there.
fn remove_if_present(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(std::io::Error::new(
            e.kind(),
            format!(
                "{}: an earlier run's file, which this run must remove, cannot be removed: {e}",
                path.display()
            ),
        )),
        _ => Ok(()),
    }
}

/// The sheets of `analysis.xlsx`, in order.
pub fn sheet_names(analysis: &Analysis) -> Vec<&'static str> {
    let mut names = vec!["Headline", "Subjects"];
    if analysis.breakdown.is_some() {
        names.push("Breakdown");
    }
    names.push("Charts");
    names
}

/// Rows each subject takes on the Charts sheet: a title, grades, counts, then the chart.
const CHART_BLOCK_ROWS: u32 = 20;

/// The SLT workbook: Headline, Subjects, Breakdown (with an MIS export) and Charts (a grade
/// distribution column chart per subject). Its creation date is fixed, so the same analysis
/// gives the same bytes.
pub fn workbook(analysis: &Analysis, third_party_allowed: bool) -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new()
            .set_title("resultsday analysis")
            .set_creation_datetime(&ExcelDateTime::from_ymd(2000, 1, 1)?),
    );
    let styles = Styles::new();

    let sheet = wb.add_worksheet();
    sheet.set_name("Headline")?;
    headline_sheet(sheet, analysis, third_party_allowed, &styles)?;

    let sheet = wb.add_worksheet();
    sheet.set_name("Subjects")?;
    subjects_sheet(sheet, &analysis.subjects, &styles)?;

    if let Some(rows) = &analysis.breakdown {
        let sheet = wb.add_worksheet();
        sheet.set_name("Breakdown")?;
        breakdown_sheet(sheet, rows, &styles)?;
    }

    let sheet = wb.add_worksheet();
    sheet.set_name("Charts")?;
    charts_sheet(sheet, &analysis.subjects, &styles)?;
    Ok(wb)
}

struct Styles {
    bold: Format,
    notice: Format,
    count: Format,
    percent: Format,
    points: Format,
}

impl Styles {
    fn new() -> Styles {
        Styles {
            bold: Format::new().set_bold(),
            notice: Format::new()
                .set_bold()
                .set_font_color(rust_xlsxwriter::Color::Red),
            count: Format::new().set_num_format("0"),
            percent: Format::new().set_num_format("0.0"),
            points: Format::new().set_num_format("0.00"),
        }
    }
}

/// Column widths that fit the longest text in each column, within limits.
struct Widths(Vec<usize>);

impl Widths {
    fn note(&mut self, col: u16, text: &str) {
        let col = col as usize;
        if self.0.len() <= col {
            self.0.resize(col + 1, 0);
        }
        self.0[col] = self.0[col].max(text.chars().count());
    }

    fn apply(&self, sheet: &mut Worksheet) -> Result<(), XlsxError> {
        for (col, &w) in self.0.iter().enumerate() {
            sheet.set_column_width(col as u16, (w.clamp(6, 60) + 2) as f64)?;
        }
        Ok(())
    }
}

fn write_header(
    sheet: &mut Worksheet,
    row: u32,
    names: &[String],
    styles: &Styles,
    widths: &mut Widths,
) -> Result<(), XlsxError> {
    for (col, name) in names.iter().enumerate() {
        sheet.write_string_with_format(row, col as u16, name, &styles.bold)?;
        widths.note(col as u16, name);
    }
    sheet.set_freeze_panes(row + 1, 0)?;
    Ok(())
}

fn write_value(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    value: &MeasureValue,
    styles: &Styles,
) -> Result<(), XlsxError> {
    match value {
        MeasureValue::Count(n) => {
            sheet.write_number_with_format(row, col, *n as f64, &styles.count)?;
        }
        MeasureValue::Percent(p) => {
            sheet.write_number_with_format(row, col, *p, &styles.percent)?;
        }
        MeasureValue::Points(p) => {
            sheet.write_number_with_format(row, col, *p, &styles.points)?;
        }
        MeasureValue::NotApplicable => {
            sheet.write_string(row, col, "n/a")?;
        }
        MeasureValue::Empty => {}
    }
    Ok(())
}

fn headline_sheet(
    sheet: &mut Worksheet,
    analysis: &Analysis,
    third_party_allowed: bool,
    styles: &Styles,
) -> Result<(), XlsxError> {
    let mut widths = Widths(vec![]);
    let mut row = 0;
    if !third_party_allowed {
        sheet.write_string_with_format(0, 0, EMBARGO_NOTICE, &styles.notice)?;
        row = 1;
    }
    let header: Vec<String> = ["measure", "value", "denominator", "definition"]
        .map(String::from)
        .to_vec();
    write_header(sheet, row, &header, styles, &mut widths)?;
    for m in &analysis.headline {
        row += 1;
        sheet.write_string(row, 0, m.measure)?;
        widths.note(0, m.measure);
        write_value(sheet, row, 1, &m.value, styles)?;
        if let Some(d) = m.denominator {
            sheet.write_number_with_format(row, 2, d as f64, &styles.count)?;
        }
        if let Some((_, def)) = DEFINITIONS.iter().find(|(n, _)| *n == m.measure) {
            sheet.write_string(row, 3, *def)?;
            widths.note(3, def);
        }
    }
    row += 1;
    for note in &analysis.notes {
        row += 1;
        sheet.write_string(row, 0, note)?;
    }
    widths.apply(sheet)
}

fn subjects_sheet(
    sheet: &mut Worksheet,
    table: &SubjectsTable,
    styles: &Styles,
) -> Result<(), XlsxError> {
    let mut widths = Widths(vec![]);
    let header = table.header();
    write_header(sheet, 0, &header, styles, &mut widths)?;
    let first_grade = 5u16;
    for (i, r) in table.rows.iter().enumerate() {
        let row = i as u32 + 1;
        for (col, text) in [&r.board, &r.entry_code, &r.title, &r.qualification]
            .into_iter()
            .enumerate()
        {
            sheet.write_string(row, col as u16, text)?;
            widths.note(col as u16, text);
        }
        write_value(sheet, row, 4, &MeasureValue::Count(r.entries), styles)?;
        let mut col = first_grade;
        for g in &table.grade_columns {
            if let Some(n) = r.cell(g) {
                write_value(sheet, row, col, &MeasureValue::Count(n), styles)?;
            }
            col += 1;
        }
        write_value(sheet, row, col, &r.pct_top, styles)?;
        write_value(sheet, row, col + 1, &r.pct_pass, styles)?;
    }
    widths.apply(sheet)
}

fn breakdown_sheet(
    sheet: &mut Worksheet,
    rows: &[BreakdownRow],
    styles: &Styles,
) -> Result<(), XlsxError> {
    let mut widths = Widths(vec![]);
    let header: Vec<String> = ["group", "value", "measure", "result", "denominator"]
        .map(String::from)
        .to_vec();
    write_header(sheet, 0, &header, styles, &mut widths)?;
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        for (col, text) in [r.group.as_str(), &r.value, r.measure]
            .into_iter()
            .enumerate()
        {
            sheet.write_string(row, col as u16, text)?;
            widths.note(col as u16, text);
        }
        write_value(sheet, row, 3, &r.result, styles)?;
        if let Some(d) = r.denominator {
            sheet.write_number_with_format(row, 4, d as f64, &styles.count)?;
        }
    }
    widths.apply(sheet)
}

/// A block per subject: its name, a row of grades, a row of counts, and a column chart of them.
fn charts_sheet(
    sheet: &mut Worksheet,
    table: &SubjectsTable,
    styles: &Styles,
) -> Result<(), XlsxError> {
    sheet.set_column_width(0, 10)?;
    for (i, r) in table.rows.iter().enumerate() {
        let top = i as u32 * CHART_BLOCK_ROWS;
        let name = format!("{} {} {}", r.board, r.entry_code, r.title)
            .trim()
            .to_string();
        sheet.write_string_with_format(top, 0, &name, &styles.bold)?;
        sheet.write_string_with_format(top + 1, 0, "grade", &styles.bold)?;
        sheet.write_string_with_format(top + 2, 0, "results", &styles.bold)?;
        let grades = r.chart_grades();
        for (j, g) in grades.iter().enumerate() {
            let col = j as u16 + 1;
            sheet.write_string(top + 1, col, *g)?;
            sheet.write_number(top + 2, col, r.counts.get(*g).copied().unwrap_or(0) as f64)?;
        }
        let last = grades.len() as u16;
        let mut chart = Chart::new(ChartType::Column);
        // The title is the cell the name is in: a name given as text would be read as a cell
        // reference were it to look like one (`X!A1`).
        chart.title().set_name(("Charts", top, 0));
        chart.legend().set_hidden();
        chart
            .add_series()
            .set_name("results")
            .set_categories(("Charts", top + 1, 1, top + 1, last))
            .set_values(("Charts", top + 2, 1, top + 2, last));
        chart.x_axis().set_name("grade");
        chart.y_axis().set_name("results");
        sheet.insert_chart(top + 3, 0, &chart)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_tables_load_and_every_measure_is_defined() {
        PointsTable::from_csv("points.csv", DEFAULT_POINTS_CSV.as_bytes()).unwrap();
        SubjectTable::from_csv("subjects.csv", DEFAULT_SUBJECTS_CSV.as_bytes()).unwrap();
        let t = AnalysisTables::builtin();
        assert_eq!(t.points.get("GCSE", "40", "4").unwrap().points, 4.0);
        assert_eq!(t.points.get("GCSE", "40", "U").unwrap().points, 0.0);
        let star = t.points.get("CNAT", "21", "*2").unwrap();
        assert_eq!((star.points, star.verified), (8.5, false));
        assert_eq!(t.points.get("CNAT", "21", "P1").unwrap().points, 1.25);
        let names: Vec<&str> = DEFINITIONS.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            names,
            [
                "gcse_entries",
                "gcse_pct_9_4_en_ma",
                "gcse_pct_9_5_en_ma",
                "gcse_pct_9_7",
                "gcse_pct_9_4",
                "a8_mean",
                "alevel_entries",
                "alevel_aps_per_entry",
                "alevel_pct_astar_a",
                "alevel_pct_astar_b",
                "alevel_pct_astar_e",
                "p8"
            ]
        );
    }

    #[test]
    fn subjects_classify_by_code_then_title() {
        let t = AnalysisTables::builtin().subjects;
        use SubjectCategory::*;
        assert_eq!(t.classify("8700", "GCSE ENGLISH LANGUAGE"), EnglishLanguage);
        // Another centre's codes: the title decides.
        assert_eq!(t.classify("ZZ01", "English Literature"), EnglishLiterature);
        assert_eq!(t.classify("ZZ02", "MATHEMATICS HIGHER"), Maths);
        assert_eq!(t.classify("ZZ03", "FURTHER MATHEMATICS"), Open);
        assert_eq!(
            t.classify("ZZ04", "COMBINED SCIENCE: SYNERGY"),
            CombinedScience
        );
        assert_eq!(t.classify("ZZ05", "COMPUTER SCIENCE"), EbaccScience);
        assert_eq!(t.classify("ZZ06", "CHEMISTRY"), EbaccScience);
        assert_eq!(t.classify("ZZ07", "HISTORY"), EbaccHumanity);
        assert_eq!(t.classify("ZZ08", "SPANISH"), EbaccLanguage);
        assert_eq!(t.classify("ZZ09", "TRANSLATING TEXTS"), Open);
        assert_eq!(t.classify("ZZ10", "RELIGIOUS STUDIES"), Open);
        // A code wins over the title.
        assert_eq!(t.classify("J560", "SOMETHING ELSE"), Maths);
    }

    #[test]
    fn bad_table_rows_name_their_line() {
        let e = SubjectTable::from_csv("subjects.csv", "pattern,category\nART,arts\n".as_bytes())
            .unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(e
            .to_string()
            .starts_with("subjects.csv line 2: category 'arts'"));
        let e = PointsTable::from_csv(
            "points.csv",
            "qualification,gradeset,grade,points,verified,source\nGCSE,40,9,nine,yes,x\n"
                .as_bytes(),
        )
        .unwrap_err();
        assert_eq!(e.line, Some(2));
        // Saved from a Windows spreadsheet: CRLF line ends and a blank line; the bad row is on
        // line 4 as a person counts it.
        let e = PointsTable::from_csv(
            "points.csv",
            "qualification,gradeset,grade,points,verified,source\r\nGCSE,40,9,9,yes,x\r\n\r\n\
             GCSE,40,8,eight,yes,x\r\n"
                .as_bytes(),
        )
        .unwrap_err();
        assert_eq!(e.line, Some(4), "{e}");
        assert!(e.to_string().starts_with("points.csv line 4:"), "{e}");
    }

    #[test]
    fn percentages_round_half_up_exactly() {
        assert_eq!(percent(10, 14).text(), "71.4");
        assert_eq!(percent(1, 16).text(), "6.3");
        assert_eq!(percent(2, 3).text(), "66.7");
        assert_eq!(percent(7, 14).text(), "50.0");
        assert_eq!(percent(0, 0).text(), "");
        assert_eq!(mean_points(950.0, 25).text(), "38.00");
        assert_eq!(mean_points(1.0, 3).text(), "0.33");
        assert_eq!(mean_points(2.0, 3).text(), "0.67");
        assert_eq!(mean_points(0.125, 1).text(), "0.13");
        assert_eq!(mean_points(5.0, 0).text(), "");
    }

    #[test]
    fn whole_words_only() {
        assert!(contains_words("GCSE LATIN", "LATIN"));
        assert!(!contains_words("TRANSLATING", "LATIN"));
        assert!(contains_words(
            "COMBINED SCIENCE: TRILOGY",
            "COMBINED SCIENCE"
        ));
    }
}
