//! Finds where a file's fields are, by the evidence of its own lines.
//!
//! Two uses. [`check_uci_column`] runs on every results and entries file as it is read: a file
//! in another layout announces itself there, because its UCIs validate at some other position.
//! [`calibrate`] studies the detail lines of one or more files whose layout may not fit and
//! finds, field by field, where each field is: the UCI by its check letter, the centre number
//! by the file header, the candidate number by the entries (or by holding one number per UCI),
//! the option code by the basedata, the grades by the options' gradesets, the result flag, mark
//! and max mark by how they agree with each other, and the name by its `SURNAME:FORENAMES`
//! shape. It writes a layout table of just the positions that differ (the override format of
//! [`Layouts::with_overrides`]) and a report an exams officer can follow. A field without
//! enough evidence is said to be not found; its position is never made up.

mod find;
mod place;
mod report;

use std::collections::{BTreeMap, BTreeSet};

use crate::filename::{FileName, FileNameKind};
use crate::layouts::{FieldSpec, Layouts};
use crate::model::{DataType, EntryOption, EntryRecord};
use crate::problem::{Problem, ProblemKind};
use crate::tables::Gradesets;
use crate::uci;

/// How many detail lines the check reads: enough to be sure, cheap on a big file.
const SAMPLE_LINES: usize = 500;
/// Fewer lines than this prove nothing either way.
const MIN_LINES: usize = 5;

/// Where UCIs validate in a sample of a file's detail lines.
#[derive(Debug, Clone, PartialEq)]
pub struct UciColumn {
    pub lines: usize,
    /// Share of lines whose UCI validates at the layout's position.
    pub at_layout: f64,
    /// The 1-based start where most lines validate, and the share there.
    pub best: Option<(usize, f64)>,
}

fn uci_field(data_type: DataType, layouts: &Layouts) -> Option<FieldSpec> {
    match data_type {
        DataType::Results => Some(layouts.result.uci),
        DataType::Entries | DataType::Amendments => Some(layouts.entry.uci),
        _ => None,
    }
}

/// Whether a byte can be one of a UCI's first 12 characters.
fn uci_character(c: u8) -> bool {
    c.is_ascii_digit() || c.is_ascii_uppercase()
}

/// Counts in `hits` each start (0-based) at which a UCI validates in `line`. Only windows of
/// 12 digits and capitals followed by a check letter are worked out.
fn count_valid_starts(line: &[u8], hits: &mut [usize]) {
    let end = line.len().min(hits.len() + 12);
    // How many UCI characters run up to (not including) the byte at `i`.
    let mut run = 0usize;
    for (i, &c) in line[..end].iter().enumerate() {
        if run >= 12 && uci::CHECK_LETTERS.contains(&c) {
            let start0 = i - 12;
            if uci::check_letter(&line[start0..i]) == Some(c) {
                hits[start0] += 1;
            }
        }
        run = if uci_character(c) { run + 1 } else { 0 };
    }
}

/// Scans detail lines for the 13-character window whose check letter validates.
pub fn scan_uci_column(
    data_type: DataType,
    layouts: &Layouts,
    details: &[&[u8]],
) -> Option<UciColumn> {
    let field = uci_field(data_type, layouts)?;
    let sample: Vec<&[u8]> = details.iter().take(SAMPLE_LINES).copied().collect();
    if sample.len() < MIN_LINES {
        return None;
    }
    let width = sample.iter().map(|l| l.len()).max().unwrap_or(0).min(200);
    let mut hits = vec![0usize; width.saturating_sub(12)];
    for line in &sample {
        count_valid_starts(line, &mut hits);
    }
    let n = sample.len() as f64;
    let at_layout = hits.get(field.start - 1).copied().unwrap_or(0) as f64 / n;
    let best = hits
        .iter()
        .enumerate()
        .max_by_key(|&(i, &h)| (h, std::cmp::Reverse(i)))
        .filter(|&(_, &h)| h > 0)
        .map(|(i, &h)| (i + 1, h as f64 / n));
    Some(UciColumn {
        lines: sample.len(),
        at_layout,
        best,
    })
}

/// A problem when UCIs clearly validate somewhere other than the layout's column.
pub fn check_uci_column(
    data_type: DataType,
    layouts: &Layouts,
    details: &[&[u8]],
    first_detail_index: usize,
) -> Option<Problem> {
    let field = uci_field(data_type, layouts)?;
    let col = scan_uci_column(data_type, layouts, details)?;
    let (best_start, best_share) = col.best?;
    if best_start == field.start || col.at_layout >= 0.5 || best_share < 0.8 {
        return None;
    }
    Some(
        Problem::new(
            ProblemKind::LayoutMismatch,
            Some(first_detail_index + 1),
            format!(
                "UCIs validate at bytes {}–{} in {:.0}% of the first {} detail lines, but at the \
                 layout's bytes {}–{} in only {:.0}%: this file has another layout than the one \
                 resultsday reads it with, so its fields are likely misread; `resultsday \
                 calibrate` on it finds its layout and writes a layouts.toml to read it with",
                best_start,
                best_start + 12,
                best_share * 100.0,
                col.lines,
                field.start,
                field.end(),
                col.at_layout * 100.0
            ),
        )
        .at_field(field.name),
    )
}

/// Fewer detail lines than this are too few to be sure of any position.
pub const MIN_CALIBRATION_LINES: usize = 10;
/// At most this many detail lines are studied, spread evenly over the files.
const MAX_STUDY_LINES: usize = 20_000;
/// The longest record a layout table may give.
const MAX_RECORD_LEN: usize = 1024;

/// What is known from elsewhere about the candidates and options a file should hold: the more
/// is given, the surer the candidate number, option code and grades are found.
#[derive(Debug, Clone)]
pub struct Hints {
    /// The candidate numbers of the entries (`0007`), when the entries are at hand.
    pub candidates: Option<BTreeSet<String>>,
    /// The basedata option codes (`O5`), each with its result gradeset code when it has one.
    pub options: Option<BTreeMap<String, Option<String>>>,
    /// The grades of each gradeset code.
    pub gradesets: Gradesets,
}

impl Default for Hints {
    /// No entries and no basedata; the built-in gradesets table.
    fn default() -> Hints {
        Hints::new(Gradesets::builtin())
    }
}

impl Hints {
    /// No entries and no basedata, with `gradesets` for the grades.
    pub fn new(gradesets: Gradesets) -> Hints {
        Hints {
            candidates: None,
            options: None,
            gradesets,
        }
    }

    /// Adds candidate numbers known from the entries.
    pub fn with_candidates(mut self, numbers: impl IntoIterator<Item = String>) -> Hints {
        self.candidates
            .get_or_insert_with(BTreeSet::new)
            .extend(numbers);
        self
    }

    /// Adds the candidate numbers of entries records.
    pub fn with_entries(self, entries: &[EntryRecord]) -> Hints {
        self.with_candidates(entries.iter().map(|e| e.candidate_number.clone()))
    }

    /// Adds option codes, each with its result gradeset code.
    pub fn with_options(
        mut self,
        options: impl IntoIterator<Item = (String, Option<String>)>,
    ) -> Hints {
        self.options
            .get_or_insert_with(BTreeMap::new)
            .extend(options);
        self
    }

    /// Adds the options of basedata `O5` records, with their result gradesets (a double award's
    /// second-grade gradeset where it has no first).
    pub fn with_basedata(self, options: &[EntryOption]) -> Hints {
        self.with_options(options.iter().map(|o| {
            let gradeset = o.gradeset.clone().or_else(|| o.gradeset2.clone());
            (o.code.clone(), gradeset)
        }))
    }
}

/// How the written layout table came by a field's position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Where the evidence of the lines puts it.
    Found,
    /// Not found: kept where the layout in use has it, which no field found takes.
    Kept,
    /// Not found: moved by as many bytes as the named field found beside it moved.
    MovedWith(&'static str),
    /// Bytes resultsday does not read (`unused`, `reserved`), moved or shrunk into bytes no
    /// field takes so that no two fields overlap.
    NotRead,
    /// Not found, and its position is taken by fields that were: put in free bytes only so
    /// that the table reads. The file cannot be trusted for this field.
    Unplaced,
}

/// What the lines say about one field.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldFinding {
    /// The field's key in the layouts TOML (`uci`).
    pub key: &'static str,
    /// The field's name in words (`UCI`, `candidate number`).
    pub name: &'static str,
    /// Where the layout in use has it: (first byte, width), 1-based.
    pub layout: (usize, usize),
    /// Where the evidence puts it; `None` when it was not found or not looked for.
    pub found: Option<(usize, usize)>,
    /// The share of detail lines that support `found` (0 when not found).
    pub share: f64,
    /// The share of detail lines that support the layout's position.
    pub layout_share: f64,
    /// What a line must hold at a position to count for it, in words.
    pub evidence: String,
    /// Why it was not found, in words, when it was not.
    pub not_found: Option<String>,
    /// Whether the field is looked for at all (`unused` bytes and some entries fields are not).
    pub looked_for: bool,
    /// The position the written layout table gives it.
    pub placed: (usize, usize),
    pub placement: Placement,
}

impl FieldFinding {
    /// Whether the field was found somewhere other than the layout in use says.
    pub fn differs(&self) -> bool {
        self.found.is_some_and(|f| f != self.layout)
    }
}

/// What the lines say about the record length.
#[derive(Debug, Clone, PartialEq)]
pub struct LengthFinding {
    /// The layout's record length.
    pub layout: usize,
    /// The most common length of the detail lines, when most lines have it.
    pub found: Option<usize>,
    /// The share of detail lines of the found length.
    pub share: f64,
    /// The length the written layout table gives.
    pub placed: usize,
}

/// Where a file's fields are, by the evidence of its detail lines, beside where the layout in
/// use has them. [`Calibration::toml`] is the layout table that reads the file; its `Display`
/// is the report for an exams officer.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    /// The layout table studied: `R5` (results) or `E5` (entries and amendments).
    pub table: &'static str,
    pub data_type: Option<DataType>,
    /// The files whose detail lines were studied.
    pub files: Vec<String>,
    /// Files not studied, each with why.
    pub skipped: Vec<String>,
    /// Detail lines studied.
    pub lines: usize,
    pub length: LengthFinding,
    /// Every field of the table, in the table's order.
    pub fields: Vec<FieldFinding>,
    /// Byte ranges (first, last; 1-based) of the record that no field of the written table
    /// covers.
    pub gaps: Vec<(usize, usize)>,
    /// What else the check has to say about the files as a whole.
    pub notes: Vec<String>,
    /// The other tables of the layout in use where they differ from the built-in ones, as
    /// override text, so that the written table keeps them.
    other_tables: String,
}

impl Calibration {
    /// Whether there were enough detail lines to look for anything.
    pub fn enough_lines(&self) -> bool {
        self.lines >= MIN_CALIBRATION_LINES
    }

    /// The finding for a field, by its key.
    pub fn field(&self, key: &str) -> Option<&FieldFinding> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// Whether the file fits the layout in use: enough lines, every field found where the
    /// layout has it, and the record length the same.
    pub fn fits(&self) -> bool {
        self.enough_lines()
            && !self.fields.iter().any(FieldFinding::differs)
            && self.length.placed == self.length.layout
            && self.fields.iter().all(|f| f.placed == f.layout)
    }

    /// Whether every field looked for was found and placed, on enough lines.
    pub fn is_sure(&self) -> bool {
        self.enough_lines()
            && self
                .fields
                .iter()
                .all(|f| !f.looked_for || (f.found.is_some() && f.placement == Placement::Found))
    }

    /// The layouts the written table gives: the built-in table with [`Calibration::toml`] over
    /// it.
    pub fn layouts(&self) -> Result<Layouts, crate::layouts::LayoutError> {
        Layouts::with_overrides(&self.toml())
    }

    /// The report, as `Display` prints it.
    pub fn report(&self) -> String {
        self.to_string()
    }
}

/// Studies the detail lines of `files` (name and bytes; results `R5`, or entries and
/// amendments `E5`/`A5`) and finds where each field of the layout is, beside where `layouts`
/// has it. Files of another data type are skipped and said so. Never panics, whatever the
/// bytes.
pub fn calibrate(files: &[(&str, &[u8])], hints: &Hints, layouts: &Layouts) -> Calibration {
    let gathered = gather(files, layouts);
    let (table, fields, layout_len) = match gathered.data_type {
        Some(DataType::Entries | DataType::Amendments) => {
            ("E5", layouts.entry.fields(), layouts.entry.length)
        }
        _ => ("R5", layouts.result.fields(), layouts.result.length),
    };
    let pad = fields.iter().map(|f| f.1.len).max().unwrap_or(0) + 1;
    let study = find::Study::new(&gathered.lines, pad);
    let n = study.len();
    let enough = n >= MIN_CALIBRATION_LINES;
    let (found_len, len_count) = match study.record_length() {
        Some((len, count)) if enough && count as f64 >= n as f64 * find::MIN_SHARE => {
            (Some(len), count)
        }
        Some((_, count)) => (None, count),
        None => (None, 0),
    };
    let searches = if enough {
        find::search(&study, &fields, found_len.unwrap_or(layout_len), hints)
    } else {
        find::too_few(&fields, n)
    };
    let found: Vec<Option<(usize, usize)>> = searches.iter().map(|s| s.found).collect();
    let mut notes = Vec::new();
    let mut laid = if enough {
        place::place(&fields, &found, found_len.unwrap_or(layout_len))
    } else {
        place::unchanged(&fields, layout_len)
    };
    if laid.length > MAX_RECORD_LEN {
        notes.push(format!(
            "the positions found do not fit in one record of at most {MAX_RECORD_LEN} bytes, so \
             the layout written keeps the layout in use"
        ));
        laid = place::unchanged(&fields, layout_len);
    }
    let share = |count: usize| if n == 0 { 0.0 } else { count as f64 / n as f64 };
    let fields = fields
        .iter()
        .zip(searches)
        .zip(&laid.fields)
        .map(|((&(key, spec), s), placed)| FieldFinding {
            key,
            name: spec.name,
            layout: (spec.start, spec.len),
            found: s.found,
            share: share(s.count),
            layout_share: share(s.layout_count),
            evidence: s.evidence,
            not_found: s.not_found,
            looked_for: s.looked_for,
            placed: placed.0,
            placement: placed.1,
        })
        .collect();
    Calibration {
        table,
        data_type: gathered.data_type,
        files: gathered.files,
        skipped: gathered.skipped,
        lines: n,
        length: LengthFinding {
            layout: layout_len,
            found: found_len,
            share: share(len_count),
            placed: laid.length,
        },
        fields,
        gaps: laid.gaps,
        notes,
        other_tables: place::other_tables(layouts, table),
    }
}

/// The detail lines of the files, each with its centre number (its block's, else the file
/// header's, else the file name's).
struct Gathered<'a> {
    data_type: Option<DataType>,
    files: Vec<String>,
    skipped: Vec<String>,
    lines: Vec<(&'a [u8], Option<[u8; 5]>)>,
}

fn centre5(bytes: &[u8]) -> Option<[u8; 5]> {
    let t = bytes.trim_ascii();
    (t.len() == 5 && t.iter().all(u8::is_ascii_digit)).then(|| [t[0], t[1], t[2], t[3], t[4]])
}

/// The table a data type's detail lines are read with, if calibrate studies it.
fn table_of(t: DataType) -> Option<&'static str> {
    match t {
        DataType::Results => Some("R5"),
        DataType::Entries | DataType::Amendments => Some("E5"),
        _ => None,
    }
}

fn gather<'a>(files: &[(&str, &'a [u8])], layouts: &Layouts) -> Gathered<'a> {
    let mut g = Gathered {
        data_type: None,
        files: Vec::new(),
        skipped: Vec::new(),
        lines: Vec::new(),
    };
    for &(name, bytes) in files {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let lines = crate::edi::split_lines(bytes);
        let file_name = FileName::parse(name);
        let from_header = lines
            .first()
            .filter(|l| l.len() >= 2 && l[0].is_ascii_alphabetic() && l[1] == b'1')
            .map(|l| DataType::from_letter(l[0] as char));
        let Some(t) = file_name.as_ref().map(FileName::data_type).or(from_header) else {
            g.skipped.push(format!(
                "{name}: neither its name nor its first line says what the file holds"
            ));
            continue;
        };
        let Some(table) = table_of(t) else {
            g.skipped.push(format!(
                "{name}: a {} file; only results, entries and amendments files are checked",
                t.describe()
            ));
            continue;
        };
        match g.data_type {
            Some(first) if table_of(first) != Some(table) => {
                g.skipped.push(format!(
                    "{name}: a {} file, checked apart from the {} files",
                    t.describe(),
                    first.describe()
                ));
                continue;
            }
            Some(_) => {}
            None => g.data_type = Some(t),
        }
        let name_centre = match file_name.map(|n| n.kind) {
            Some(FileNameKind::Edi {
                centre_or_series, ..
            }) => centre5(centre_or_series.as_bytes()),
            _ => None,
        };
        let letters: &[u8] = if table == "R5" { b"R" } else { b"EA" };
        let mut header_centre = None;
        let mut block_centre = None;
        for (i, &line) in lines.iter().enumerate() {
            match line {
                [_, b'1', ..] if i == 0 => {
                    header_centre = centre5(layouts.file_header.centre.slice(line));
                }
                [_, b'3', ..] => block_centre = centre5(layouts.centre_header.centre.slice(line)),
                [c, b'5', ..] if letters.contains(&c.to_ascii_uppercase()) => {
                    g.lines
                        .push((line, block_centre.or(header_centre).or(name_centre)));
                }
                _ => {}
            }
        }
        g.files.push(name.to_string());
    }
    if g.lines.len() > MAX_STUDY_LINES {
        let all = std::mem::take(&mut g.lines);
        g.lines = (0..MAX_STUDY_LINES)
            .map(|k| all[k * all.len() / MAX_STUDY_LINES])
            .collect();
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result_line(uci: &str, shift: usize) -> Vec<u8> {
        let mut line = vec![b' '; 92];
        line[..11].copy_from_slice(b"R5145200001");
        let start = 17 + shift;
        line[start..start + 13].copy_from_slice(uci.as_bytes());
        line
    }

    fn ucis() -> Vec<String> {
        (1..=20)
            .map(|i| uci::with_check_letter(&format!("1452002{i:05}")).unwrap())
            .collect()
    }

    #[test]
    fn layout_column_validates() {
        let lines: Vec<Vec<u8>> = ucis().iter().map(|u| result_line(u, 0)).collect();
        let refs: Vec<&[u8]> = lines.iter().map(|l| l.as_slice()).collect();
        let col = scan_uci_column(DataType::Results, Layouts::builtin(), &refs).unwrap();
        assert_eq!(col.at_layout, 1.0);
        assert_eq!(col.best.unwrap().0, 18);
        assert!(check_uci_column(DataType::Results, Layouts::builtin(), &refs, 1).is_none());
    }

    #[test]
    fn every_start_is_counted_as_a_window_by_window_check_counts_it() {
        let mut lines: Vec<Vec<u8>> = ucis()
            .iter()
            .enumerate()
            .map(|(i, u)| result_line(u, i % 5))
            .collect();
        lines.push(b"145200200001A145200200002H14520020000".to_vec());
        lines.push(format!("{}{}", ucis()[0], ucis()[1]).into_bytes());
        lines.push(b"AB12CD34EF56GHKLMRTVWXY 0123456789ABCDEFGHKLMRTVWXY".to_vec());
        lines.push(Vec::new());
        for line in &lines {
            for width in [0, 12, 13, 20, 40, 200] {
                let mut hits = vec![0usize; width];
                count_valid_starts(line, &mut hits);
                let expected: Vec<usize> = (0..width)
                    .map(|s| {
                        let valid = line
                            .get(s..s + 13)
                            .and_then(|w| Some(uci::check_letter(&w[..12])? == w[12]));
                        usize::from(valid == Some(true))
                    })
                    .collect();
                assert_eq!(hits, expected, "{}", String::from_utf8_lossy(line));
            }
        }
    }

    #[test]
    fn shifted_column_is_announced() {
        let lines: Vec<Vec<u8>> = ucis().iter().map(|u| result_line(u, 3)).collect();
        let refs: Vec<&[u8]> = lines.iter().map(|l| l.as_slice()).collect();
        let p = check_uci_column(DataType::Results, Layouts::builtin(), &refs, 1).unwrap();
        assert_eq!(p.kind, ProblemKind::LayoutMismatch);
        assert!(p.message.contains("bytes 21–33 in 100%"), "{}", p.message);
    }
}
