//! The data tables resultsday ships and a centre may edit: gradesets and awarding bodies.
//!
//! Both are CSV files (`data/gradesets.csv`, `data/boards.csv`), built in as defaults and read
//! from a user's copy when one is given, so a new gradeset or board id needs no new build.

use std::collections::HashMap;
use std::io::Read;

use serde::Deserialize;

/// The built-in gradesets table (layouts.md §6).
pub const DEFAULT_GRADESETS_CSV: &str = include_str!("../data/gradesets.csv");
/// The built-in awarding bodies table (jcq-formats.md §1.3).
pub const DEFAULT_BOARDS_CSV: &str = include_str!("../data/boards.csv");

/// An error in a data table, with the row that shows it.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error("line {line}: {message}")]
    Row { line: u64, message: String },
    #[error("{0}")]
    Csv(String),
}

/// An error in a table's CSV, on the line a person counts (`csvlines`: CRLF line ends and blank
/// lines, as a Windows spreadsheet saves them).
fn csv_error(e: csv::Error, lines: &mut crate::csvlines::Lines) -> TableError {
    match e.position() {
        Some(p) => TableError::Row {
            line: lines.of(Some(p)) as u64,
            message: e.to_string(),
        },
        None => TableError::Csv(e.to_string()),
    }
}

/// A table's bytes, whole, so that lines can be counted as a person counts them.
fn read_all(mut reader: impl Read) -> Result<Vec<u8>, TableError> {
    let mut bytes = Vec::new();
    reader
        .read_to_end(&mut bytes)
        .map_err(|e| TableError::Csv(e.to_string()))?;
    Ok(bytes)
}

/// One grade of a gradeset.
#[derive(Debug, Clone, PartialEq)]
pub struct GradeDef {
    pub grade: String,
    /// 1 is the best.
    pub rank: u16,
    /// Points for headline measures, where one applies.
    pub points: Option<f64>,
}

/// The valid results of one gradeset code, best first.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Gradeset {
    pub code: String,
    pub grades: Vec<GradeDef>,
}

impl Gradeset {
    pub fn get(&self, grade: &str) -> Option<&GradeDef> {
        self.grades.iter().find(|g| g.grade == grade)
    }

    /// Whether a grade (without `#`) is valid: in the set, or `X`/`Q`, which every set allows.
    pub fn allows(&self, grade: &str) -> bool {
        grade == "X" || grade == "Q" || self.get(grade).is_some()
    }
}

#[derive(Deserialize)]
struct GradeRow {
    code: String,
    grade: String,
    rank: u16,
    points: Option<f64>,
}

/// Every gradeset, by code.
#[derive(Debug, Clone, Default)]
pub struct Gradesets {
    sets: HashMap<String, Gradeset>,
}

impl Gradesets {
    /// The table shipped with resultsday.
    pub fn builtin() -> Gradesets {
        // The built-in table is tested; it cannot fail to load.
        Self::from_csv(DEFAULT_GRADESETS_CSV.as_bytes()).unwrap_or_default()
    }

    /// Reads a gradesets table: `code,grade,rank,points`, one row per grade; extra columns are
    /// ignored.
    pub fn from_csv(reader: impl Read) -> Result<Gradesets, TableError> {
        let bytes = read_all(reader)?;
        let mut lines = crate::csvlines::Lines::new(&bytes);
        let mut sets: HashMap<String, Gradeset> = HashMap::new();
        let mut rdr = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .flexible(true)
            .from_reader(bytes.as_slice());
        for row in rdr.deserialize::<GradeRow>() {
            let row = row.map_err(|e| csv_error(e, &mut lines))?;
            let set = sets.entry(row.code.clone()).or_insert_with(|| Gradeset {
                code: row.code.clone(),
                grades: Vec::new(),
            });
            set.grades.push(GradeDef {
                grade: row.grade,
                rank: row.rank,
                points: row.points,
            });
        }
        for set in sets.values_mut() {
            set.grades.sort_by_key(|g| g.rank);
        }
        Ok(Gradesets { sets })
    }

    pub fn get(&self, code: &str) -> Option<&Gradeset> {
        self.sets.get(code)
    }

    pub fn len(&self) -> usize {
        self.sets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }
}

/// An awarding body, as named in the boards table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Board {
    pub id: String,
    pub name: String,
    /// `confirmed` or `assumed`.
    pub status: String,
    #[serde(default)]
    pub source: String,
}

/// The id a centre's own basedata (its internal exams) carries: no awarding body, and so not in
/// the boards table, but no unknown board either (spec/layouts.md §1).
pub const CENTRE_OWN_ID: &str = "99";

/// Awarding body ids → boards. One board may have several ids (WJEC: 40 and 41).
#[derive(Debug, Clone, Default)]
pub struct Boards {
    by_id: HashMap<String, Board>,
}

impl Boards {
    pub fn builtin() -> Boards {
        Self::from_csv(DEFAULT_BOARDS_CSV.as_bytes()).unwrap_or_default()
    }

    /// Reads a boards table: `id,name,status,source`.
    pub fn from_csv(reader: impl Read) -> Result<Boards, TableError> {
        let bytes = read_all(reader)?;
        let mut lines = crate::csvlines::Lines::new(&bytes);
        let mut by_id = HashMap::new();
        let mut rdr = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .flexible(true)
            .from_reader(bytes.as_slice());
        for row in rdr.deserialize::<Board>() {
            let board = row.map_err(|e| csv_error(e, &mut lines))?;
            by_id.insert(board.id.to_ascii_uppercase(), board);
        }
        Ok(Boards { by_id })
    }

    pub fn get(&self, id: &str) -> Option<&Board> {
        self.by_id.get(&id.to_ascii_uppercase())
    }

    /// Whether an id is one the table does not know: not in it, and not the centre's own `99`.
    pub fn is_unknown(&self, id: &str) -> bool {
        id != CENTRE_OWN_ID && self.get(id).is_none()
    }

    /// The board's name, or the id itself when the table does not know it.
    pub fn name<'a>(&'a self, id: &'a str) -> &'a str {
        self.get(id).map_or(id, |b| b.name.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_gradesets_hold_every_code_in_the_layouts() {
        let g = Gradesets::builtin();
        for code in ["40", "15", "F", "4", "A", "10", "21", "42", "43"] {
            assert!(g.get(code).is_some(), "{code}");
        }
        let gcse = g.get("40").unwrap();
        let order: Vec<&str> = gcse.grades.iter().map(|d| d.grade.as_str()).collect();
        assert_eq!(order, ["9", "8", "7", "6", "5", "4", "3", "2", "1", "U"]);
        assert_eq!(gcse.get("4").unwrap().points, Some(4.0));
        let alevel = g.get("4").unwrap();
        assert_eq!(alevel.get("A*").unwrap().points, Some(60.0));
        assert_eq!(alevel.get("E").unwrap().points, Some(10.0));
        assert!(alevel.allows("X") && alevel.allows("Q") && !alevel.allows("9"));
        assert_eq!(g.get("42").unwrap().grades.len(), 4);
        assert_eq!(g.get("43").unwrap().grades.len(), 2);
        let cnat: Vec<&str> = g
            .get("21")
            .unwrap()
            .grades
            .iter()
            .map(|d| d.grade.as_str())
            .collect();
        assert_eq!(cnat, ["*2", "D2", "M2", "P2", "D1", "M1", "P1", "U"]);
    }

    #[test]
    fn a_bad_row_names_its_line() {
        let err =
            Gradesets::from_csv("code,grade,rank,points\n40,9,one,9\n".as_bytes()).unwrap_err();
        match err {
            TableError::Row { line, .. } => assert_eq!(line, 2),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_bad_row_is_on_the_line_a_person_counts() {
        // Saved from a Windows spreadsheet: CRLF and a blank line before the bad row.
        let csv = "code,grade,rank,points\r\n40,9,1,9\r\n\r\n40,8,two,8\r\n";
        match Gradesets::from_csv(csv.as_bytes()).unwrap_err() {
            TableError::Row { line, .. } => assert_eq!(line, 4),
            other => panic!("{other:?}"),
        }
        let csv = "id,name,status,source\r\n70,AQA,confirmed,x\r\n\r\n\"01,OCR\r\n";
        match Boards::from_csv(csv.as_bytes()).unwrap_err() {
            TableError::Row { line, .. } => assert_eq!(line, 4),
            TableError::Csv(m) => panic!("{m}"),
        }
    }

    #[test]
    fn boards_map_many_ids_to_one_board() {
        let b = Boards::builtin();
        assert_eq!(b.name("70"), "AQA");
        assert_eq!(b.name("01"), "OCR");
        assert_eq!(b.name("40"), b.name("41"));
        assert!(b.get("88").is_none());
        assert!(
            b.get("99").is_none(),
            "99 is a school's own basedata, not a board"
        );
        assert_eq!(b.name("88"), "88");
    }
}
