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
    /// A board's certification/unit link file (`ULINKS10.X13`): which units count toward
    /// which certification codes.
    UnitLinks,
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
            DataType::UnitLinks => 'U',
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
            DataType::UnitLinks => "basedata: certification/unit links",
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
                | DataType::UnitLinks
        )
    }

    /// The detail record type code this data type's files hold (`O5`), if resultsday reads them
    /// as EDI records.
    pub fn detail_code(self) -> Option<[u8; 2]> {
        match self {
            DataType::Results
            | DataType::Entries
            | DataType::Amendments
            | DataType::Syllabuses
            | DataType::Options
            | DataType::Components
            | DataType::Links
            | DataType::Disallowed => Some([self.letter() as u8, crate::layouts::level::DETAIL]),
            _ => None,
        }
    }
}

/// The file header `x1` of an EDI file, with the sequence number of its first centre block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub data_type: DataType,
    /// The centre number; in basedata the series and year and `_` (`6G17_`), or `00000`.
    pub centre: String,
    pub awarding_body: String,
    /// The series code of the project, upper case: series and year (`6A26`).
    pub series: String,
    /// `B` basedata, `S` a centre's file.
    pub distribution: Option<char>,
    /// Who wrote the file, as the board fills it (`AQA    001`, `UCLES01EPS`), trimmed.
    pub sender: String,
    pub version: u16,
    /// The first centre block's sequence number (`x3`); 0 when there is none.
    pub sequence: u16,
    /// The first centre trailer's date (`x7`), at midnight.
    pub created: Option<NaiveDateTime>,
}

/// One centre's block of a file: its header `x3`, its detail lines and its trailer `x7`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CentreBlock {
    /// The line of its `x3`.
    pub line: usize,
    /// The centre number (`x3` bytes 3–7); in basedata the series block's `6G17_` or `00000`.
    pub centre: String,
    pub awarding_body: String,
    pub sequence: Option<u16>,
    /// The centre's postcode (entries and amendments).
    pub postcode: Option<String>,
    /// Detail lines in the block, malformed ones included.
    pub detail_lines: usize,
    /// The `x7`'s count and date, when the block has one.
    pub trailer: Option<BlockTrailer>,
}

/// A centre trailer `x7`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockTrailer {
    pub line: usize,
    pub count: u64,
    pub date: Option<NaiveDate>,
}

/// The file trailer `x9`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trailer {
    pub line: usize,
    /// Every record of the file, `x1` and `x9` included (version 12: detail records only).
    pub count: u64,
    /// The number of centre blocks it says the file has.
    pub centres: Option<u64>,
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

/// What an amendments record does to the entries (spec/layouts.md §3 [A]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryAction {
    /// A slot with a blank flag: a new entry (its details replace the earlier ones).
    New,
    /// A slot flagged `W`: a withdrawal.
    Withdraw,
    /// A record with no option slots: a change of candidate details only.
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

/// One entry (or amendment) for one candidate and option: one slot of an `E5`/`A5` record,
/// with the candidate's details from that record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryRecord {
    pub line: usize,
    /// `C` centre candidate, `P` private.
    pub candidate_type: Option<char>,
    pub centre: String,
    pub candidate_number: String,
    pub uci: String,
    pub uln: Option<String>,
    pub name: String,
    pub sex: Option<char>,
    pub date_of_birth: Option<NaiveDate>,
    pub upn: Option<String>,
    /// Blank for a change of details only (an amendment with no option slots).
    pub option_code: String,
    /// `None` in an entries file; the amendment's action in an amendments file.
    pub action: Option<EntryAction>,
}

/// Basedata: a syllabus (specification) `S5`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Syllabus {
    pub line: usize,
    pub code: String,
    pub title: String,
}

/// What an option is: an award a certificate shows, a unit toward one, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Item {
    /// `C`: certification (an award; for unitised syllabuses, the cash-in).
    Certification,
    /// `U`: a unit that counts toward a certification option of its syllabus.
    Unit,
    /// `B`: both (a free-standing unit that is also an award).
    Both,
}

impl Item {
    pub fn letter(self) -> char {
        match self {
            Item::Certification => 'C',
            Item::Unit => 'U',
            Item::Both => 'B',
        }
    }
}

/// Basedata: an entry option `O5` (what a candidate is entered for: a tier, a unit, an award).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryOption {
    pub line: usize,
    pub code: String,
    pub syllabus: String,
    /// `GCSE`, `GCE`, `CNAT`, `EXPJ`, `FSMQ`, ...; blank for a unit.
    pub qualification: String,
    /// `FC` full course, `SC` short course, `DA` double award, `A`, `ASB`, `1&2`, ...
    pub level: String,
    pub item: Option<Item>,
    /// For a unit: the qualification and level it belongs to.
    pub unit_qualification: String,
    pub unit_level: String,
    pub process: Option<char>,
    /// The DfE discount (QCA classification) code.
    pub discount_code: Option<String>,
    pub qan: Option<String>,
    pub title: String,
    pub fee_flag: Option<char>,
    pub fee_pence: Option<u32>,
    pub result_type: Option<char>,
    /// The result gradeset code (`40`, `4`, `F`, ...).
    pub gradeset: Option<String>,
    /// A double award's second-grade gradeset.
    pub gradeset2: Option<String>,
    /// The endorsement gradeset (`42` spoken language, `43` practical science).
    pub endorsement_gradeset: Option<String>,
    pub endorsement_gradeset2: Option<String>,
    pub max_mark: Option<u16>,
    pub components: Option<u16>,
}

impl EntryOption {
    /// Whether the option is an award (what a certificate shows) rather than a unit toward one.
    /// An option whose item is blank is read as an award: only `U` asks for a cash-in.
    pub fn is_award(&self) -> bool {
        self.item != Some(Item::Unit)
    }

    /// The qualification for a unit (its unit qualification), else the option's own.
    pub fn qualification_or_unit(&self) -> &str {
        if self.qualification.is_empty() {
            &self.unit_qualification
        } else {
            &self.qualification
        }
    }
}

/// Morning or afternoon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Session {
    Morning,
    Afternoon,
    /// Any other letter, kept as sent: `X` not timetabled in a session (coursework, a test
    /// sat on demand), `D` a day-long session [A: meanings].
    Other(char),
}

/// Basedata: a component `C5` (an exam paper or a piece of coursework).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    pub line: usize,
    pub code: String,
    pub title: String,
    pub teacher_marks: Option<char>,
    pub max_mark: Option<u16>,
    pub gradeset: Option<String>,
    /// When marks are due (coursework); blank or `000000` when there is none.
    pub due_date: Option<NaiveDate>,
    /// `T` timetabled, `N` not.
    pub timetabled: Option<char>,
    /// Blank or `000000` for coursework.
    pub exam_date: Option<NaiveDate>,
    pub session: Option<Session>,
    /// `Some(0)`: sat in one slot with another component.
    pub duration_min: Option<u16>,
}

/// Basedata: a component that makes up an option `L5`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub line: usize,
    pub option_code: String,
    pub component_code: String,
}

/// Basedata: options that cannot all be entered in one series `D5`; `*` is a wildcard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disallowed {
    pub line: usize,
    pub option_a: String,
    pub option_b: String,
    pub option_c: Option<String>,
}

/// A certification/unit link (`ULINKS10.X13`): a unit that counts toward a certification code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitLink {
    pub line: usize,
    pub certification: String,
    pub unit: String,
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
    UnitLinks(Vec<UnitLink>),
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
            Records::UnitLinks(v) => v.len(),
            Records::None => 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The record-type code of these records.
    pub fn code(&self) -> Option<&'static str> {
        Some(match self {
            Records::Results(_) => "R5",
            Records::Entries(_) => "E5",
            Records::Syllabuses(_) => "S5",
            Records::Options(_) => "O5",
            Records::Components(_) => "C5",
            Records::Links(_) => "L5",
            Records::Disallowed(_) => "D5",
            Records::UnitLinks(_) => "unit link",
            Records::None => return None,
        })
    }
}
