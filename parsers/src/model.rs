//! The records every JCQ file type holds, as typed values.

use chrono::{NaiveDate, NaiveDateTime};

/// The kind of data a file carries: the first letter of its name and the header's data type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DataType {
    /// `A`: amendments to entries.
    Amendments,
    /// `C`: basedata components.
    Components,
    /// `D`: basedata disallowed combinations.
    Disallowed,
    /// `E`: entries.
    Entries,
    /// `F`: forecast grades (no longer collected).
    Forecast,
    /// `L`: basedata links between options and components.
    Links,
    /// `O`: basedata entry options.
    Options,
    /// `R`: results.
    Results,
    /// `S`: basedata syllabuses.
    Syllabuses,
    /// `X`: an awarding body's reply to a centre's file.
    Reply,
    /// `Z`: a zip or self-extracting bundle of basedata.
    Bundle,
    /// Any other letter, kept so the file can be listed.
    Other(char),
}

impl DataType {
    pub fn from_letter(c: char) -> DataType {
        match c.to_ascii_uppercase() {
            'A' => DataType::Amendments,
            'C' => DataType::Components,
            'D' => DataType::Disallowed,
            'E' => DataType::Entries,
            'F' => DataType::Forecast,
            'L' => DataType::Links,
            'O' => DataType::Options,
            'R' => DataType::Results,
            'S' => DataType::Syllabuses,
            'X' => DataType::Reply,
            'Z' => DataType::Bundle,
            other => DataType::Other(other),
        }
    }

    pub fn letter(self) -> char {
        match self {
            DataType::Amendments => 'A',
            DataType::Components => 'C',
            DataType::Disallowed => 'D',
            DataType::Entries => 'E',
            DataType::Forecast => 'F',
            DataType::Links => 'L',
            DataType::Options => 'O',
            DataType::Results => 'R',
            DataType::Syllabuses => 'S',
            DataType::Reply => 'X',
            DataType::Bundle => 'Z',
            DataType::Other(c) => c,
        }
    }

    /// What an exams officer calls the file.
    pub fn describe(self) -> &'static str {
        match self {
            DataType::Amendments => "amendments",
            DataType::Components => "basedata: components",
            DataType::Disallowed => "basedata: disallowed combinations",
            DataType::Entries => "entries",
            DataType::Forecast => "forecast grades",
            DataType::Links => "basedata: links",
            DataType::Options => "basedata: options",
            DataType::Results => "results",
            DataType::Syllabuses => "basedata: syllabuses",
            DataType::Reply => "board reply",
            DataType::Bundle => "basedata bundle",
            DataType::Other(_) => "unknown data type",
        }
    }

    /// Basedata files are named by series, not by centre.
    pub fn is_basedata(self) -> bool {
        matches!(
            self,
            DataType::Syllabuses
                | DataType::Options
                | DataType::Components
                | DataType::Links
                | DataType::Disallowed
        )
    }

    /// The detail record type code this data type's files hold, if resultsday reads them.
    pub fn detail_code(self) -> Option<&'static [u8; 2]> {
        use crate::layouts::codes;
        match self {
            DataType::Results => Some(codes::RESULT),
            DataType::Entries | DataType::Amendments => Some(codes::ENTRY),
            DataType::Syllabuses => Some(codes::SYLLABUS),
            DataType::Options => Some(codes::OPTION),
            DataType::Components => Some(codes::COMPONENT),
            DataType::Links => Some(codes::LINK),
            DataType::Disallowed => Some(codes::DISALLOWED),
            _ => None,
        }
    }
}

/// The header record `HD` of an EDI file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub data_type: DataType,
    /// Five digits; `00000` in basedata.
    pub centre: String,
    pub awarding_body: String,
    /// Four characters: month, series letter, two-digit year (`6A26`).
    pub series: String,
    pub version: u16,
    pub sequence: u16,
    pub created: Option<NaiveDateTime>,
}

/// The trailer record `TR`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trailer {
    pub line: usize,
    pub count: u64,
}

/// A grade as an awarding body sends it: the grade itself, with the partial-absence `#` removed
/// and recorded.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Grade {
    /// The grade without `#`: `9`, `A*`, `U`, `X` (no result), `Q` (pending), `D2`, ...
    pub code: String,
    /// `#`: work submitted for some components but not all.
    pub partial_absence: bool,
}

impl Grade {
    /// Reads a grade field; blank gives `None`.
    pub fn parse(raw: &str) -> Option<Grade> {
        let raw = raw.trim();
        if raw.is_empty() {
            return None;
        }
        let (code, partial_absence) = match raw.strip_suffix('#') {
            Some(rest) => (rest.trim_end(), true),
            None => (raw, false),
        };
        Some(Grade {
            code: code.to_string(),
            partial_absence,
        })
    }

    /// `X`: no result issued.
    pub fn is_no_result(&self) -> bool {
        self.code == "X"
    }

    /// `Q`: result pending.
    pub fn is_pending(&self) -> bool {
        self.code == "Q"
    }

    /// `U`: unclassified, a real grade.
    pub fn is_unclassified(&self) -> bool {
        self.code == "U"
    }

    /// The grade as the board wrote it, `#` included.
    pub fn as_sent(&self) -> String {
        if self.partial_absence {
            format!("{}#", self.code)
        } else {
            self.code.clone()
        }
    }
}

/// What the results record's byte-37 flag says bytes 42–44 hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResultFlag {
    /// `M`: the qualification mark.
    Mark,
    /// `E`: an endorsement grade.
    Endorsement,
    /// blank: neither.
    Neither,
}

impl ResultFlag {
    pub fn letter(self) -> char {
        match self {
            ResultFlag::Mark => 'M',
            ResultFlag::Endorsement => 'E',
            ResultFlag::Neither => ' ',
        }
    }
}

/// One result: a qualification (or unit) result for one candidate and entry option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultRecord {
    pub line: usize,
    pub centre: String,
    pub candidate_number: String,
    pub option_code: String,
    pub uci: String,
    pub flag: ResultFlag,
    /// Blank grade: `None` (an incomplete result).
    pub grade: Option<Grade>,
    /// The second grade of a double award (combined science `7` + `6`).
    pub grade2: Option<Grade>,
    pub mark: Option<u16>,
    pub max_mark: Option<u16>,
    pub endorsement: Option<String>,
    /// `SURNAME:FORENAMES`, decoded from Windows-1252.
    pub name: String,
}

/// What an amendments record does to the entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryAction {
    /// `N`: a new entry.
    New,
    /// `W`: a withdrawal.
    Withdraw,
    /// `C`: a change of candidate details.
    Change,
}

impl EntryAction {
    pub fn letter(self) -> char {
        match self {
            EntryAction::New => 'N',
            EntryAction::Withdraw => 'W',
            EntryAction::Change => 'C',
        }
    }

    pub fn from_letter(c: u8) -> Option<EntryAction> {
        match c {
            b'N' => Some(EntryAction::New),
            b'W' => Some(EntryAction::Withdraw),
            b'C' => Some(EntryAction::Change),
            _ => None,
        }
    }
}

/// One entry (or amendment) for one candidate and option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryRecord {
    pub line: usize,
    pub centre: String,
    pub candidate_number: String,
    pub uci: String,
    pub uln: Option<String>,
    pub name: String,
    pub sex: Option<char>,
    pub date_of_birth: Option<NaiveDate>,
    pub option_code: String,
    /// `None` in an entries file; the amendment's action in an amendments file.
    pub action: Option<EntryAction>,
}

/// Basedata: a syllabus (specification).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Syllabus {
    pub line: usize,
    pub code: String,
    pub title: String,
    /// `GCSE`, `GCE A`, `GCE AS`, `PROJECT`, `BTEC NAT`, `CNAT`.
    pub qualification: String,
    pub level: Option<u8>,
    pub qan: Option<String>,
    pub discount_code: Option<String>,
}

/// Basedata: an entry option (what a candidate is entered for: a tier, a unit, an award).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryOption {
    pub line: usize,
    pub code: String,
    pub syllabus: String,
    pub title: String,
    pub tier: Option<char>,
    pub gradeset: Option<String>,
    /// `Y`: a qualification award; `N`: a unit entry that needs a cash-in.
    pub is_award: bool,
    /// For a unit option: the award option it counts toward.
    pub cash_in: Option<String>,
    pub fee_pence: Option<u32>,
}

/// Morning or afternoon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Session {
    Morning,
    Afternoon,
}

/// Basedata: a component (an exam paper or a piece of coursework).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    pub line: usize,
    pub code: String,
    pub title: String,
    /// Blank for coursework.
    pub exam_date: Option<NaiveDate>,
    pub session: Option<Session>,
    /// `Some(0)`: sat in one slot with another component.
    pub time_allowed_min: Option<u16>,
    pub max_mark: Option<u16>,
}

/// Basedata: a component that makes up an option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub line: usize,
    pub option_code: String,
    pub component_code: String,
}

/// Basedata: two options that cannot both be entered in one series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disallowed {
    pub line: usize,
    pub option_a: String,
    pub option_b: String,
}

/// The detail records of one EDI file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Records {
    Results(Vec<ResultRecord>),
    Entries(Vec<EntryRecord>),
    Syllabuses(Vec<Syllabus>),
    Options(Vec<EntryOption>),
    Components(Vec<Component>),
    Links(Vec<Link>),
    Disallowed(Vec<Disallowed>),
    /// A data type resultsday does not read.
    #[default]
    None,
}

impl Records {
    /// How many detail records were read.
    pub fn len(&self) -> usize {
        match self {
            Records::Results(v) => v.len(),
            Records::Entries(v) => v.len(),
            Records::Syllabuses(v) => v.len(),
            Records::Options(v) => v.len(),
            Records::Components(v) => v.len(),
            Records::Links(v) => v.len(),
            Records::Disallowed(v) => v.len(),
            Records::None => 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The record-type code of these records.
    pub fn code(&self) -> Option<&'static str> {
        Some(match self {
            Records::Results(_) => "RS",
            Records::Entries(_) => "EN",
            Records::Syllabuses(_) => "SY",
            Records::Options(_) => "OP",
            Records::Components(_) => "CO",
            Records::Links(_) => "LK",
            Records::Disallowed(_) => "DC",
            Records::None => return None,
        })
    }
}
