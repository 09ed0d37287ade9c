//! Every byte position resultsday reads or writes, in one table that is data.
//!
//! The built-in table is `parsers/data/layouts.toml` (spec/layouts.md version 2, read off real
//! files; each position there is marked [R] real, [S] secondary or [A] assumed). A centre may
//! give a table of the same shape that names only the fields that differ (`resultsday
//! calibrate` writes one), and every field it does not name keeps its built-in position. The
//! parsers and the writers slice every record through these tables and nothing else.
//!
//! Positions are 1-based and inclusive, as in the JCQ booklet.

use std::sync::LazyLock;

/// The built-in table, as shipped.
pub const BUILTIN_TOML: &str = include_str!("../data/layouts.toml");

/// How a fixed-width field is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Text, left-aligned and space-padded.
    Text,
    /// Digits, right-aligned and zero-padded; all spaces means absent.
    Digits,
    /// A literal record-type code.
    Code,
    /// Bytes the layout reserves and resultsday does not read.
    Unused,
}

/// One field of a fixed-width record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    /// The field's name as an exams officer or the booklet would say it.
    pub name: &'static str,
    /// First byte, 1-based.
    pub start: usize,
    /// Width in bytes.
    pub len: usize,
    pub kind: FieldKind,
}

impl FieldSpec {
    /// The last byte, 1-based and inclusive.
    pub const fn end(&self) -> usize {
        self.start + self.len - 1
    }

    /// Zero-based byte range within a line.
    pub const fn range(&self) -> std::ops::Range<usize> {
        self.start - 1..self.start - 1 + self.len
    }

    /// The bytes of this field in `line`; a line that stops short gives fewer bytes (which
    /// callers read as trailing spaces), and never a panic.
    pub fn slice<'a>(&self, line: &'a [u8]) -> &'a [u8] {
        let r = self.range();
        let start = r.start.min(line.len());
        let end = r.end.min(line.len());
        &line[start..end]
    }
}

/// The JCQ exchange format version these tables describe.
pub const FORMAT_VERSION: u16 = 14;

/// Format versions read with the version-14 table, because what differs is known and handled
/// (spec/layouts.md §1: a version-12 file's counts cover its detail records only).
pub const READ_AS_14: [u16; 2] = [12, 13];

/// The record-type field that starts every line: the data-type letter and the level digit.
pub const RECORD_TYPE: FieldSpec = FieldSpec {
    name: "record type",
    start: 1,
    len: 2,
    kind: FieldKind::Code,
};

/// The level digits of a record type (`O1`, `O3`, `O5`, `O7`, `O9`).
pub mod level {
    pub const FILE_HEADER: u8 = b'1';
    pub const CENTRE_HEADER: u8 = b'3';
    pub const DETAIL: u8 = b'5';
    pub const CENTRE_TRAILER: u8 = b'7';
    pub const FILE_TRAILER: u8 = b'9';
}

/// A layout table that cannot be used, with what is wrong in words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct LayoutError(pub String);

/// Declares a record's layout: a struct with one `FieldSpec` per field, read from a table of
/// the layouts TOML by the fields' keys.
macro_rules! record_layout {
    (
        $(#[$doc:meta])*
        $name:ident ($table:literal, $has_len:tt) {
            $( $(#[$fdoc:meta])* $field:ident : $label:literal $kind:ident ),* $(,)?
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name {
            /// The record length: bytes past it are reported as extra text.
            pub length: usize,
            $( $(#[$fdoc])* pub $field: FieldSpec, )*
        }

        impl $name {
            /// The table's name in the layouts TOML (`R5`, `x1`).
            pub const TABLE: &'static str = $table;

            /// Every field in the table's order.
            pub fn fields(&self) -> Vec<(&'static str, FieldSpec)> {
                vec![$( (stringify!($field), self.$field) ),*]
            }

            fn from_table(t: &toml::Table) -> Result<Self, LayoutError> {
                let mut length = 0;
                $(
                    let (start, len) = position(t, $table, stringify!($field))?;
                    let $field = FieldSpec { name: $label, start, len, kind: FieldKind::$kind };
                    length = length.max($field.end());
                )*
                let length = record_length(t, $table, length, $has_len)?;
                for (key, f) in [$( (stringify!($field), $field) ),*] {
                    if f.end() > length {
                        return Err(LayoutError(format!(
                            "[{}] {key} = [{}, {}] ends at byte {}, past the record length {length}",
                            $table, f.start, f.len, f.end()
                        )));
                    }
                }
                for key in t.keys() {
                    if key != "length" && ![$( stringify!($field) ),*].contains(&key.as_str()) {
                        return Err(LayoutError(format!(
                            "[{}] has no field '{key}'; its fields are {}",
                            $table,
                            [$( stringify!($field) ),*].join(", ")
                        )));
                    }
                }
                Ok($name { length, $( $field, )* })
            }
        }
    };
}

record_layout! {
    /// File header `x1`: the first line of every EDI file.
    FileHeaderLayout("x1", false) {
        record_type: "record type" Code,
        centre: "centre number" Text,
        awarding_body: "awarding body id" Text,
        series: "series" Text,
        year: "year" Digits,
        distribution: "distribution type" Text,
        sender: "sender" Text,
        version: "format version" Digits,
    }
}

record_layout! {
    /// Centre header `x3`: opens each centre's block (in basedata, the one series block).
    CentreHeaderLayout("x3", false) {
        record_type: "record type" Code,
        centre: "centre number" Text,
        awarding_body: "awarding body id" Text,
        series: "series" Text,
        year: "year" Digits,
        sequence: "sequence number" Digits,
        postcode: "centre postcode" Text,
    }
}

record_layout! {
    /// Centre trailer `x7`: closes a centre's block with its count.
    CentreTrailerLayout("x7", false) {
        record_type: "record type" Code,
        centre: "centre number" Text,
        count: "record count" Digits,
        date: "date" Digits,
    }
}

record_layout! {
    /// File trailer `x9`: the last line, with the file's count.
    FileTrailerLayout("x9", false) {
        record_type: "record type" Code,
        centre: "centre number" Text,
        count: "record count" Digits,
        centres: "centre count" Digits,
    }
}

record_layout! {
    /// Results detail `R5`.
    ResultLayout("R5", true) {
        record_type: "record type" Code,
        centre: "centre number" Digits,
        candidate: "candidate number" Digits,
        option: "entry option code" Text,
        uci: "UCI" Text,
        unused: "unused" Unused,
        /// Byte 37: how to read the results area (the one position with a public hint).
        flag: "result flag" Text,
        grade1: "grade 1" Text,
        grade2: "grade 2" Text,
        /// A mark (flag `M`) or an endorsement grade (flag `E`).
        mark_or_endorsement: "mark or endorsement" Text,
        max_mark: "max mark" Digits,
        reserved: "reserved" Unused,
        name: "candidate name" Text,
    }
}

record_layout! {
    /// Entries and amendments detail `E5`/`A5`: one record per candidate.
    EntryLayout("E5", true) {
        record_type: "record type" Code,
        candidate_type: "candidate type" Text,
        centre: "centre number" Digits,
        candidate: "candidate number" Digits,
        name: "candidate name" Text,
        sex: "sex" Text,
        date_of_birth: "date of birth" Digits,
        uci: "UCI" Text,
        upn: "UPN" Text,
        uln: "ULN" Digits,
        blank: "blank" Unused,
        /// The entry option slots: each an option code and one flag character.
        slots: "entry option slots" Text,
    }
}

record_layout! {
    /// Basedata syllabus detail `S5`.
    SyllabusLayout("S5", true) {
        record_type: "record type" Code,
        code: "syllabus code" Text,
        blank: "blank" Unused,
        title: "title" Text,
    }
}

record_layout! {
    /// Basedata option detail `O5`.
    OptionLayout("O5", true) {
        record_type: "record type" Code,
        code: "option code" Text,
        syllabus: "syllabus code" Text,
        qualification: "qualification" Text,
        level: "level" Text,
        item: "item" Text,
        unit_qualification: "unit qualification" Text,
        unit_level: "unit level" Text,
        process: "process" Text,
        discount_code: "discount code" Text,
        qan: "QAN" Text,
        title: "title" Text,
        fee_flag: "fee flag" Text,
        fee: "fee (pence)" Digits,
        forecast_gradesets: "forecast gradesets" Text,
        result_type: "result type" Text,
        gradeset: "result gradeset" Text,
        gradeset2: "second-grade gradeset" Text,
        endorsement_gradeset: "endorsement gradeset" Text,
        endorsement_gradeset2: "second endorsement gradeset" Text,
        max_mark: "maximum mark" Digits,
        components: "number of components" Digits,
    }
}

record_layout! {
    /// Basedata component detail `C5`.
    ComponentLayout("C5", true) {
        record_type: "record type" Code,
        code: "component code" Text,
        title: "title" Text,
        teacher_marks: "teacher marks flag" Text,
        max_mark: "maximum mark" Digits,
        gradeset: "gradeset" Text,
        due_date: "due date" Digits,
        timetabled: "timetabled" Text,
        exam_date: "exam date" Digits,
        session: "session" Text,
        duration: "duration (minutes)" Digits,
    }
}

record_layout! {
    /// Basedata link detail `L5`: which components make up an option.
    LinkLayout("L5", true) {
        record_type: "record type" Code,
        option: "option code" Text,
        component: "component code" Text,
        blank: "blank" Unused,
    }
}

record_layout! {
    /// Basedata disallowed-combination detail `D5`.
    DisallowedLayout("D5", true) {
        record_type: "record type" Code,
        option_a: "option code a" Text,
        option_b: "option code b" Text,
        option_c: "option code c" Text,
        blank: "blank" Unused,
    }
}

/// One entry option slot of an `E5`/`A5` record: the option code, then one flag character.
pub const SLOT_OPTION_LEN: usize = 6;
/// The width of one slot.
pub const SLOT_LEN: usize = SLOT_OPTION_LEN + 1;

/// Every record layout of the EDI files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layouts {
    pub file_header: FileHeaderLayout,
    pub centre_header: CentreHeaderLayout,
    pub centre_trailer: CentreTrailerLayout,
    pub file_trailer: FileTrailerLayout,
    pub result: ResultLayout,
    pub entry: EntryLayout,
    pub syllabus: SyllabusLayout,
    pub option: OptionLayout,
    pub component: ComponentLayout,
    pub link: LinkLayout,
    pub disallowed: DisallowedLayout,
}

static BUILTIN: LazyLock<Layouts> = LazyLock::new(|| {
    // The built-in table is tested (`the_builtin_table_reads`); it cannot fail here.
    Layouts::from_toml_over(BUILTIN_TOML, None).expect("the built-in layout table reads")
});

impl Layouts {
    /// The built-in table.
    pub fn builtin() -> &'static Layouts {
        &BUILTIN
    }

    /// The built-in table with `toml`'s tables and fields in place of its own.
    pub fn with_overrides(toml: &str) -> Result<Layouts, LayoutError> {
        Self::from_toml_over(BUILTIN_TOML, Some(toml))
    }

    fn from_toml_over(base: &str, over: Option<&str>) -> Result<Layouts, LayoutError> {
        let parse = |text: &str, what: &str| -> Result<toml::Table, LayoutError> {
            text.parse::<toml::Table>()
                .map_err(|e| LayoutError(format!("{what}: {}", e.message().trim_end())))
        };
        let mut table = parse(base, "the built-in layout table")?;
        if let Some(over) = over {
            let over = parse(over, "not a layout table")?;
            for (name, value) in over {
                let Some(fields) = value.as_table() else {
                    // `boards = ["70"]` (which boards' files the table is for, read by the
                    // caller) and notes at the top are allowed.
                    if matches!(
                        name.as_str(),
                        "boards" | "format_version" | "source" | "note"
                    ) {
                        continue;
                    }
                    return Err(LayoutError(format!(
                        "'{name}' is not a record table such as [R5]"
                    )));
                };
                let Some(base) = table.get_mut(&name).and_then(|v| v.as_table_mut()) else {
                    return Err(LayoutError(format!(
                        "[{name}] is not a record type resultsday reads; the record types are \
                         x1, x3, x7, x9, R5, E5, S5, O5, C5, L5, D5"
                    )));
                };
                for (k, v) in fields {
                    if k != "length" && !base.contains_key(k) {
                        return Err(LayoutError(format!(
                            "[{name}] has no field '{k}'; its fields are {}",
                            base.keys()
                                .filter(|k| *k != "length")
                                .cloned()
                                .collect::<Vec<_>>()
                                .join(", ")
                        )));
                    }
                    base.insert(k.clone(), v.clone());
                }
            }
        }
        let get = |name: &str| -> Result<&toml::Table, LayoutError> {
            table
                .get(name)
                .and_then(|v| v.as_table())
                .ok_or_else(|| LayoutError(format!("the layout table has no [{name}]")))
        };
        let layouts = Layouts {
            file_header: FileHeaderLayout::from_table(get("x1")?)?,
            centre_header: CentreHeaderLayout::from_table(get("x3")?)?,
            centre_trailer: CentreTrailerLayout::from_table(get("x7")?)?,
            file_trailer: FileTrailerLayout::from_table(get("x9")?)?,
            result: ResultLayout::from_table(get("R5")?)?,
            entry: EntryLayout::from_table(get("E5")?)?,
            syllabus: SyllabusLayout::from_table(get("S5")?)?,
            option: OptionLayout::from_table(get("O5")?)?,
            component: ComponentLayout::from_table(get("C5")?)?,
            link: LinkLayout::from_table(get("L5")?)?,
            disallowed: DisallowedLayout::from_table(get("D5")?)?,
        };
        layouts.check()?;
        Ok(layouts)
    }

    fn check(&self) -> Result<(), LayoutError> {
        for (table, fields) in self.tables() {
            for (key, f) in &fields {
                if *key == "record_type" && (f.start, f.len) != (1, 2) {
                    return Err(LayoutError(format!(
                        "[{table}] record_type must be [1, 2]: every record starts with its type"
                    )));
                }
            }
            for (i, (ka, a)) in fields.iter().enumerate() {
                for (kb, b) in &fields[i + 1..] {
                    if a.start <= b.end() && b.start <= a.end() {
                        return Err(LayoutError(format!(
                            "[{table}] {ka} (bytes {}–{}) and {kb} (bytes {}–{}) overlap",
                            a.start,
                            a.end(),
                            b.start,
                            b.end()
                        )));
                    }
                }
            }
        }
        if self.entry.slots.len % SLOT_LEN != 0 {
            return Err(LayoutError(format!(
                "[E5] slots is {} bytes long; it must be a whole number of {SLOT_LEN}-byte slots \
                 (an option code of {SLOT_OPTION_LEN} and a flag)",
                self.entry.slots.len
            )));
        }
        Ok(())
    }

    /// Every table's name and fields, for checks and for documentation.
    pub fn tables(&self) -> Vec<(&'static str, Vec<(&'static str, FieldSpec)>)> {
        vec![
            (FileHeaderLayout::TABLE, self.file_header.fields()),
            (CentreHeaderLayout::TABLE, self.centre_header.fields()),
            (CentreTrailerLayout::TABLE, self.centre_trailer.fields()),
            (FileTrailerLayout::TABLE, self.file_trailer.fields()),
            (ResultLayout::TABLE, self.result.fields()),
            (EntryLayout::TABLE, self.entry.fields()),
            (SyllabusLayout::TABLE, self.syllabus.fields()),
            (OptionLayout::TABLE, self.option.fields()),
            (ComponentLayout::TABLE, self.component.fields()),
            (LinkLayout::TABLE, self.link.fields()),
            (DisallowedLayout::TABLE, self.disallowed.fields()),
        ]
    }

    /// The detail record length of a data type's files (every line of the file is padded to
    /// it), by the data-type letter.
    pub fn record_len(&self, letter: u8) -> Option<usize> {
        Some(match letter.to_ascii_uppercase() {
            b'R' => self.result.length,
            b'E' | b'A' => self.entry.length,
            b'S' => self.syllabus.length,
            b'O' => self.option.length,
            b'C' => self.component.length,
            b'L' => self.link.length,
            b'D' => self.disallowed.length,
            _ => return None,
        })
    }
}

fn position(t: &toml::Table, table: &str, key: &str) -> Result<(usize, usize), LayoutError> {
    let bad = |what: &str| {
        LayoutError(format!(
            "[{table}] {key}: expected [start, length] with start 1 or more and length 1 or more \
             (1-based, as in the JCQ booklet); {what}"
        ))
    };
    let value = t
        .get(key)
        .ok_or_else(|| bad("the field is missing from the table"))?;
    let pair = value
        .as_array()
        .filter(|a| a.len() == 2)
        .ok_or_else(|| bad(&format!("found {value}")))?;
    let num = |v: &toml::Value| {
        v.as_integer()
            .filter(|&n| (1..=4096).contains(&n))
            .map(|n| n as usize)
    };
    match (num(&pair[0]), num(&pair[1])) {
        (Some(start), Some(len)) => Ok((start, len)),
        _ => Err(bad(&format!("found {value}"))),
    }
}

fn record_length(
    t: &toml::Table,
    table: &str,
    fields_end: usize,
    required: bool,
) -> Result<usize, LayoutError> {
    match t.get("length") {
        None if !required => Ok(fields_end),
        None => Err(LayoutError(format!("[{table}] has no length"))),
        Some(v) => v
            .as_integer()
            .filter(|&n| (2..=1024).contains(&n))
            .map(|n| n as usize)
            .ok_or_else(|| {
                LayoutError(format!(
                    "[{table}] length: expected a record length from 2 to 1024, found {v}"
                ))
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_table_reads() {
        let l = Layouts::builtin();
        assert_eq!(l.result.length, 92);
        assert_eq!(l.entry.length, 192);
        assert_eq!(l.option.length, 115);
        assert_eq!(l.component.length, 75);
        assert_eq!(l.syllabus.length, 45);
        assert_eq!((l.link.length, l.disallowed.length), (26, 26));
        assert_eq!((l.entry.uci.start, l.entry.uci.end()), (60, 72));
        assert_eq!((l.option.gradeset.start, l.option.fee.start), (94, 80));
        assert_eq!(
            (l.file_header.version.start, l.file_header.sender.len),
            (25, 10)
        );
    }

    #[test]
    fn every_detail_layout_tiles_its_record_without_gaps() {
        let l = Layouts::builtin();
        for (name, fields) in l.tables() {
            let mut next = 1;
            for (key, f) in &fields {
                assert_eq!(
                    f.start, next,
                    "{name}: field '{key}' should start at {next}"
                );
                next = f.end() + 1;
            }
            if let Some(len) = l
                .record_len(name.as_bytes()[0])
                .filter(|_| name.ends_with('5'))
            {
                assert_eq!(next - 1, len, "{name}: record length");
            }
        }
    }

    #[test]
    fn results_flag_and_results_area_follow_the_public_hint() {
        let r = &Layouts::builtin().result;
        assert_eq!(r.flag.start, 37);
        assert_eq!(r.grade1.start, 38);
        assert_eq!(r.reserved.end(), 52);
    }

    #[test]
    fn an_override_moves_only_the_fields_it_names() {
        let l = Layouts::with_overrides("[R5]\nlength = 105\nuci = [93, 13]\nunused = [18, 13]\n")
            .unwrap();
        assert_eq!((l.result.uci.start, l.result.length), (93, 105));
        assert_eq!(l.result.name.start, 53);
        assert_eq!(l.entry, Layouts::builtin().entry);
    }

    #[test]
    fn a_bad_override_says_what_is_wrong() {
        let err = |t: &str| Layouts::with_overrides(t).unwrap_err().0;
        assert!(err("[R5]\nuci = [30, 13]\n").contains("overlap"));
        assert!(err("[R5]\nucl = [31, 13]\n").contains("has no field 'ucl'"));
        assert!(err("[Q5]\nuci = [31, 13]\n").contains("[Q5] is not a record type"));
        assert!(err("[R5]\nname = [80, 40]\n").contains("past the record length 92"));
        assert!(err("[R5]\nuci = [0, 13]\n").contains("expected [start, length]"));
        assert!(err("[R5]\nrecord_type = [2, 2]\n").contains("must be [1, 2]"));
        assert!(err("R5 = 3\n").contains("not a record table"));
        assert!(err("[R5\n").contains("not a layout table"));
    }

    #[test]
    fn slice_of_a_short_line_is_short_and_never_panics() {
        let f = Layouts::builtin().result.name;
        assert_eq!(f.slice(b"R5"), b"");
        assert_eq!(f.slice(&[b' '; 60]).len(), 8);
        assert_eq!(f.slice(&[b' '; 200]).len(), 40);
    }
}
