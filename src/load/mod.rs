//! Loading a results folder: finds the files by their JCQ names, reads them in parallel, and
//! assembles each centre's series: the winning basedata, the current entries, the latest results
//! with the XML component marks merged in.

pub mod inputs;
pub mod mis;
pub mod zipped;

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parsers::{
    Component, Content, DataType, EdiFile, EntryAction, EntryOption, EntryRecord, FileName,
    FileNameKind, Link, ParsedFile, Records, ResultRecord, Syllabus, UnitLink, XmlResultsFile,
};
use rayon::prelude::*;

use inputs::{InputError, Limits};

/// One input file, read and parsed.
#[derive(Debug)]
pub struct InputFile {
    pub path: PathBuf,
    /// How findings name the file: its path relative to the results folder (`results/R1452070.X01`,
    /// `basedata/6A26_70.zip/O6A26_70.X01`), or its name alone when read on its own.
    pub name: String,
    pub size: u64,
    pub sha256: String,
    pub parsed: ParsedFile,
}

impl InputFile {
    pub fn data_type(&self) -> Option<DataType> {
        match &self.parsed.content {
            Content::Edi(e) => e.data_type,
            Content::Xml(_) => Some(DataType::Results),
            Content::NotRead(_) => None,
        }
    }

    /// Detail records read (XML: results).
    pub fn records(&self) -> usize {
        match &self.parsed.content {
            Content::Edi(e) => e.records.len(),
            Content::Xml(x) => x.candidates.iter().map(|c| c.results.len()).sum(),
            Content::NotRead(_) => 0,
        }
    }

    pub fn edi(&self) -> Option<&EdiFile> {
        match &self.parsed.content {
            Content::Edi(e) => Some(e),
            _ => None,
        }
    }

    pub fn xml(&self) -> Option<&XmlResultsFile> {
        match &self.parsed.content {
            Content::Xml(x) => Some(x),
            _ => None,
        }
    }

    /// The awarding body: the header's, else the file name's.
    pub fn board(&self) -> Option<String> {
        match &self.parsed.content {
            Content::Edi(e) => e.header.as_ref().map(|h| h.awarding_body.clone()),
            Content::Xml(x) => x.header.awarding_body.clone(),
            Content::NotRead(_) => None,
        }
        .or_else(|| {
            self.parsed
                .name
                .as_ref()
                .map(|n| n.awarding_body().to_string())
        })
    }

    /// The centre: the header's, else the file name's (not for basedata).
    pub fn centre(&self) -> Option<String> {
        let from_name = || match self.parsed.name.as_ref().map(|n| &n.kind) {
            Some(FileNameKind::Edi {
                data_type,
                centre_or_series,
                ..
            }) if !data_type.is_basedata() => Some(centre_or_series.clone()),
            Some(FileNameKind::XmlResults { centre, .. }) => Some(centre.clone()),
            _ => None,
        };
        match &self.parsed.content {
            Content::Edi(e) => e.header.as_ref().map(|h| h.centre.clone()),
            Content::Xml(x) => x.header.centre.clone(),
            Content::NotRead(_) => None,
        }
        .or_else(from_name)
    }

    /// The series code (`6A26`), upper case: the header's, else a basedata file name's.
    pub fn series(&self) -> Option<String> {
        let from_name = || match self.parsed.name.as_ref().map(|n| &n.kind) {
            Some(FileNameKind::Edi {
                data_type,
                centre_or_series,
                ..
            }) if data_type.is_basedata() => centre_or_series.get(..4).map(str::to_string),
            _ => None,
        };
        match &self.parsed.content {
            Content::Edi(e) => e.header.as_ref().map(|h| h.series.clone()),
            Content::Xml(x) => x.header.series.clone(),
            Content::NotRead(_) => None,
        }
        .or_else(from_name)
        .map(|s| s.to_ascii_uppercase())
    }

    /// The order files of one kind are applied in: the header's sequence, else the name's.
    /// For basedata the file name's number orders the versions (spec/layouts.md §1: a board
    /// may number its series blocks otherwise).
    pub fn sequence(&self) -> u32 {
        let from_header = self
            .edi()
            .and_then(|e| e.header.as_ref())
            .map(|h| u32::from(h.sequence))
            .filter(|&s| s > 0);
        let from_name = match self.parsed.name.as_ref().map(|n| &n.kind) {
            Some(FileNameKind::Edi { sequence, .. }) => Some(u32::from(*sequence)),
            _ => None,
        };
        if self.data_type().is_some_and(|t| t.is_basedata()) {
            return from_name.or(from_header).unwrap_or(0);
        }
        from_header.or(from_name).unwrap_or(0)
    }
}

/// A file in the folder that was not read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: String,
}

/// Everything found in a results folder.
#[derive(Debug, Default)]
pub struct Folder {
    pub files: Vec<InputFile>,
    /// Files that are not JCQ files (listed, not read).
    pub skipped: Vec<Skipped>,
    /// Files or folders that could not be read at all.
    pub unreadable: Vec<InputError>,
}

/// A results folder's files sorted by what they belong to, from their names alone: nothing is
/// read yet, so a folder of many centres can be read one centre at a time.
#[derive(Debug, Default)]
pub struct Plan {
    /// Basedata files: every centre's.
    pub basedata: Vec<PathBuf>,
    /// Centre number (from the file name) → its results, entries and amendments files.
    pub centres: BTreeMap<String, Vec<PathBuf>>,
    /// Files that are not JCQ files (listed, not read).
    pub skipped: Vec<Skipped>,
    /// The centre's own settings and tables found in the folder (`resultsday.toml`,
    /// `layouts.toml`, ...): read by the run, not skipped.
    pub settings: Vec<PathBuf>,
    /// Files or folders that could not be read at all.
    pub unreadable: Vec<InputError>,
}

/// The names of the centre's own settings and tables, read from the results folder (or the
/// working folder) in place of the built-in ones.
pub const SETTINGS_FILES: &[&str] = &[
    "resultsday.toml",
    "series.toml",
    LAYOUTS_FILE,
    "gradesets.csv",
    "boards.csv",
    "points.csv",
    "subjects.csv",
];

impl Plan {
    /// How many files are to be read.
    pub fn files(&self) -> usize {
        self.basedata.len() + self.centres.values().map(Vec::len).sum::<usize>()
    }
}

/// Finds every file under `dir` and sorts them by name into basedata and each centre's files.
pub fn plan_folder(dir: &Path, limits: &Limits) -> Plan {
    let (walked, unreadable) = inputs::walk(dir, limits);
    let mut plan = Plan {
        unreadable,
        ..Plan::default()
    };
    // A zip is read as the folder of files it holds (basedata as the boards ship it).
    let mut paths = Vec::with_capacity(walked.len());
    for path in walked {
        if !crate::load::zipped::is_zip(&path) {
            paths.push(path);
            continue;
        }
        let listing =
            crate::load::zipped::list(&path, limits, &|name| FileName::parse(name).is_some());
        paths.extend(listing.members);
        plan.skipped.extend(
            listing
                .skipped
                .into_iter()
                .map(|(path, reason)| Skipped { path, reason }),
        );
        plan.unreadable.extend(listing.refused);
    }
    let paths = one_of_each_name(dir, paths, limits, &mut plan);
    for path in paths {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match FileName::parse(&name).map(|n| n.kind) {
            Some(FileNameKind::Edi {
                data_type,
                centre_or_series,
                ..
            }) => {
                if data_type.is_basedata() {
                    plan.basedata.push(path);
                } else {
                    plan.centres.entry(centre_or_series).or_default().push(path);
                }
            }
            Some(FileNameKind::XmlResults { centre, .. }) => {
                plan.centres.entry(centre).or_default().push(path);
            }
            Some(FileNameKind::Bundle { .. }) => plan.skipped.push(Skipped {
                path,
                reason: "a self-extracting basedata bundle (.exe): resultsday does not run \
                         programs; ask the board for the .zip, or unzip it into the folder"
                    .into(),
            }),
            None if path.parent() == Some(dir) && SETTINGS_FILES.contains(&name.as_str()) => {
                plan.settings.push(path);
            }
            None => plan.skipped.push(Skipped {
                path,
                reason: "not a JCQ results, entries or basedata file".into(),
            }),
        }
    }
    plan
}

/// The same JCQ file name in two places (a second download into another sub-folder, a zip
/// beside its unzipped files): read once when the copies are byte-identical; otherwise neither
/// is read, and each is named with the other, relative to the folder, so the exams officer
/// keeps the one they mean.
fn one_of_each_name(
    dir: &Path,
    paths: Vec<PathBuf>,
    limits: &Limits,
    plan: &mut Plan,
) -> Vec<PathBuf> {
    let key = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .filter(|n| FileName::parse(n).is_some())
    };
    let mut by_name: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, p) in paths.iter().enumerate() {
        if let Some(k) = key(p) {
            by_name.entry(k).or_default().push(i);
        }
    }
    let shown = |p: &Path| p.strip_prefix(dir).unwrap_or(p).display().to_string();
    let mut dropped = vec![false; paths.len()];
    for (_, at) in by_name.into_iter().filter(|(_, at)| at.len() > 1) {
        let digests: Vec<Option<String>> = at
            .iter()
            .map(|&i| {
                inputs::read_file(&paths[i], limits)
                    .ok()
                    .map(|b| crate::store::sha256_hex(&b))
            })
            .collect();
        let first = &paths[at[0]];
        if digests.iter().all(|d| d.is_some() && *d == digests[0]) {
            for &i in &at[1..] {
                dropped[i] = true;
                plan.skipped.push(Skipped {
                    path: paths[i].clone(),
                    reason: format!("a byte-identical copy of {}; read once", shown(first)),
                });
            }
            continue;
        }
        for &i in &at {
            dropped[i] = true;
            let others: Vec<String> = at
                .iter()
                .filter(|&&j| j != i)
                .map(|&j| shown(&paths[j]))
                .collect();
            plan.unreadable.push(InputError {
                path: paths[i].clone(),
                reason: format!(
                    "has the same name as {}, with other contents; neither is read: keep the \
                     one you mean in the folder and move the other out",
                    others.join(" and ")
                ),
            });
        }
    }
    paths
        .into_iter()
        .zip(dropped)
        .filter(|(_, d)| !d)
        .map(|(p, _)| p)
        .collect()
}

/// The centre a file belongs to by its name (`None` for basedata and for names that are not
/// JCQ names).
pub fn centre_of_name(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_string_lossy();
    match FileName::parse(&name)?.kind {
        FileNameKind::Edi {
            data_type,
            centre_or_series,
            ..
        } if !data_type.is_basedata() => Some(centre_or_series),
        FileNameKind::XmlResults { centre, .. } => Some(centre),
        _ => None,
    }
}

/// Names each file by its path relative to the results folder, `/` between folders, as
/// findings and the store give it.
pub fn name_within(files: &mut [InputFile], dir: &Path) {
    for f in files {
        if let Ok(rel) = f.path.strip_prefix(dir) {
            let parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if !parts.is_empty() {
                f.name = parts.join("/");
            }
        }
    }
}

/// The name of a layout table in the results folder (or the working folder).
pub const LAYOUTS_FILE: &str = "layouts.toml";

/// The largest layout table read: a real one is a few hundred bytes.
const MAX_LAYOUTS_BYTES: u64 = 64 * 1024;

/// The layout tables files are read with: the centre's own (from `--layout` or `layouts.toml`)
/// for the boards it names, the built-in one for the rest.
#[derive(Debug, Clone, Default)]
pub struct LayoutChoice {
    /// The centre's table, where it gave one.
    pub own: Option<parsers::Layouts>,
    /// The boards whose files the centre's table is for; `None` for every board.
    pub boards: Option<Vec<String>>,
    /// The file the centre's table came from.
    pub file: Option<PathBuf>,
}

impl LayoutChoice {
    /// The table for a file of this board (`None` when the board is not known).
    pub fn for_board(&self, board: Option<&str>) -> &parsers::Layouts {
        match (&self.own, &self.boards, board) {
            (Some(own), None, _) => own,
            (Some(own), Some(boards), Some(b))
                if boards.iter().any(|x| x.eq_ignore_ascii_case(b)) =>
            {
                own
            }
            _ => parsers::Layouts::builtin(),
        }
    }

    /// The table for a file, by the board in its name.
    pub fn for_file(&self, path: &Path) -> &parsers::Layouts {
        if self.own.is_none() {
            return parsers::Layouts::builtin();
        }
        let board = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(FileName::parse)
            .map(|n| n.awarding_body().to_string());
        self.for_board(board.as_deref())
    }
}

/// The layout table to read with: `explicit` (`--layout FILE`), else `layouts.toml` in `dir`
/// or the working folder, else the built-in one. A table may say which boards' files it is
/// for (`boards = ["70"]`); the files of other boards are read with the built-in table.
pub fn load_layouts(explicit: Option<&Path>, dir: Option<&Path>) -> Result<LayoutChoice, String> {
    let found = explicit
        .map(Path::to_path_buf)
        .or_else(|| crate::rules::settings_file(dir, LAYOUTS_FILE));
    let Some(path) = found else {
        return Ok(LayoutChoice::default());
    };
    let limits = Limits {
        max_file_bytes: MAX_LAYOUTS_BYTES,
        ..Limits::default()
    };
    let bytes = inputs::read_file(&path, &limits)
        .map_err(|e| format!("{}: {}", path.display(), e.reason))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        format!(
            "{}: a layout table is UTF-8 text (TOML), and this file is not",
            path.display()
        )
    })?;
    let own =
        parsers::Layouts::with_overrides(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let boards = match text
        .parse::<toml::Table>()
        .ok()
        .and_then(|t| t.get("boards").cloned())
    {
        None => None,
        Some(toml::Value::Array(ids)) => Some(
            ids.iter()
                .map(|v| {
                    v.as_str().map(str::to_string).ok_or_else(|| {
                        format!(
                            "{}: boards: expected a list of awarding body ids such as [\"70\"], \
                             found {v}",
                            path.display()
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
        Some(other) => {
            return Err(format!(
                "{}: boards: expected a list of awarding body ids such as [\"70\"], found {other}",
                path.display()
            ))
        }
    };
    Ok(LayoutChoice {
        own: Some(own),
        boards,
        file: Some(path),
    })
}

/// Reads and parses `paths` in parallel, in their order, through `layouts`; `progress` is
/// called once per file.
pub fn read_paths(
    paths: &[PathBuf],
    limits: &Limits,
    layouts: &LayoutChoice,
    progress: &(dyn Fn() + Sync),
) -> (Vec<InputFile>, Vec<InputError>) {
    let outcomes: Vec<Result<InputFile, InputError>> = paths
        .par_iter()
        .map(|path| {
            let outcome = read_one(path, limits, layouts.for_file(path));
            progress();
            outcome
        })
        .collect();
    let mut files = Vec::with_capacity(outcomes.len());
    let mut unreadable = Vec::new();
    for outcome in outcomes {
        match outcome {
            Ok(file) => files.push(file),
            Err(e) => unreadable.push(e),
        }
    }
    (files, unreadable)
}

/// Finds and reads every file under `dir`, in parallel. `found` is told how many files there
/// are before reading starts, and `progress` is called once per file read.
pub fn read_folder(
    dir: &Path,
    limits: &Limits,
    found: &dyn Fn(usize),
    progress: &(dyn Fn() + Sync),
) -> Folder {
    let plan = plan_folder(dir, limits);
    found(plan.files());
    let mut paths: Vec<PathBuf> = plan
        .basedata
        .iter()
        .chain(plan.centres.values().flatten())
        .cloned()
        .collect();
    paths.sort();
    let (mut files, unreadable) = read_paths(&paths, limits, &LayoutChoice::default(), progress);
    name_within(&mut files, dir);
    Folder {
        files,
        skipped: plan.skipped,
        unreadable: plan.unreadable.into_iter().chain(unreadable).collect(),
    }
}

fn read_one(
    path: &Path,
    limits: &Limits,
    layouts: &parsers::Layouts,
) -> Result<InputFile, InputError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let bytes = inputs::read_file(path, limits)?;
    Ok(InputFile {
        path: path.to_path_buf(),
        size: bytes.len() as u64,
        sha256: crate::store::sha256_hex(&bytes),
        parsed: parsers::parse_file_with(&name, &bytes, layouts),
        name,
    })
}

/// One board's basedata for a series: the highest version of each file type.
#[derive(Debug, Default)]
pub struct Basedata {
    pub syllabuses: foldhash::HashMap<String, Syllabus>,
    pub options: foldhash::HashMap<String, EntryOption>,
    pub components: foldhash::HashMap<String, Component>,
    /// Option code → its components, in link-file order.
    pub links: foldhash::HashMap<String, Vec<String>>,
    pub disallowed: Vec<(String, String)>,
    /// Syllabus code → its certification options (item `C` or `B`), in code order.
    pub certifications: foldhash::HashMap<String, Vec<String>>,
    /// Unit code → the certification codes it counts toward, from the board's unit link file
    /// (`ULINKS10.X13`), where it ships one.
    pub unit_links: foldhash::HashMap<String, Vec<String>>,
    /// Which file (and version) each type came from, e.g. ("O", "O6A26_70.X02", 2).
    pub versions: Vec<(char, String, u32)>,
}

impl Basedata {
    /// What a unit option counts toward: the certification codes of the unit link file where
    /// it names the unit, else the certification options of the unit's syllabus.
    pub fn certifications_for_unit(&self, unit: &str) -> Vec<&str> {
        if let Some(linked) = self.unit_links.get(unit) {
            return linked.iter().map(String::as_str).collect();
        }
        self.options
            .get(unit)
            .and_then(|o| self.certifications.get(&o.syllabus))
            .map(|v| v.iter().map(String::as_str).collect())
            .unwrap_or_default()
    }

    pub fn option(&self, code: &str) -> Option<&EntryOption> {
        self.options.get(code)
    }

    pub fn syllabus_of(&self, option: &str) -> Option<&Syllabus> {
        self.options
            .get(option)
            .and_then(|o| self.syllabuses.get(&o.syllabus))
    }

    pub fn is_empty(&self) -> bool {
        self.options.is_empty() && self.syllabuses.is_empty()
    }
}

/// An entry as it stands after the amendments: the record as read, or changed by an
/// amendment of the candidate's details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentEntry<'f> {
    pub record: Cow<'f, EntryRecord>,
    pub file: &'f str,
    pub withdrawn: bool,
}

/// A result as it stands after later files replaced earlier ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CurrentResult<'f> {
    pub record: &'f ResultRecord,
    pub file: &'f str,
}

/// A candidate's details as the board's entries hold them after amendments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EntryCandidate<'f> {
    pub uci: &'f str,
    pub name: &'f str,
    pub sex: Option<char>,
}

/// A result the same file carries twice (the second is reported, the first kept).
pub type Duplicate<'f> = CurrentResult<'f>;

/// (candidate number, option code): how entries and results are keyed.
pub type Key<'f> = (&'f str, &'f str);

/// Records by (candidate number, option code), in key order: one per key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyMap<'f, V> {
    items: Vec<(Key<'f>, V)>,
}

impl<V> Default for KeyMap<'_, V> {
    fn default() -> Self {
        KeyMap { items: Vec::new() }
    }
}

/// One item of a [`KeyMap`] as its iterators give it.
type Item<'a, 'f, V> = (&'a Key<'f>, &'a V);

impl<'f, V> KeyMap<'f, V> {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn get(&self, key: &Key<'_>) -> Option<&V> {
        self.items
            .binary_search_by(|(k, _)| key_cmp(k, key))
            .ok()
            .map(|i| &self.items[i].1)
    }

    pub fn contains_key(&self, key: &Key<'_>) -> bool {
        self.get(key).is_some()
    }

    /// Every item, in key order.
    pub fn iter(&self) -> std::iter::Map<std::slice::Iter<'_, (Key<'f>, V)>, ItemFn<'_, 'f, V>> {
        self.items.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &Key<'f>> {
        self.items.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.items.iter().map(|(_, v)| v)
    }

    /// A candidate's items, in option order.
    pub fn of_candidate<'a>(&'a self, candidate: &'a str) -> impl Iterator<Item = Item<'a, 'f, V>> {
        let start = self
            .items
            .partition_point(|((c, _), _)| short_cmp(c, candidate) == Ordering::Less);
        self.items[start..]
            .iter()
            .take_while(move |((c, _), _)| *c == candidate)
            .map(|(k, v)| (k, v))
    }

    /// Every item in key order, each with `other`'s item of the same key if it has one.
    pub fn left_join<'a, W>(
        &'a self,
        other: &'a KeyMap<'f, W>,
    ) -> impl Iterator<Item = (&'a Key<'f>, &'a V, Option<&'a W>)> {
        let mut rest = other.items.as_slice();
        self.items.iter().map(move |(k, v)| {
            while let Some(((o, _), tail)) = rest.split_first() {
                match key_cmp(o, k) {
                    Ordering::Less => rest = tail,
                    Ordering::Equal => return (k, v, Some(&rest[0].1)),
                    Ordering::Greater => break,
                }
            }
            (k, v, None)
        })
    }
}

/// Orders keys as `Ord` does: by candidate number, then option code.
fn key_cmp(a: &Key<'_>, b: &Key<'_>) -> Ordering {
    short_cmp(a.0, b.0).then_with(|| short_cmp(a.1, b.1))
}

/// Orders two strings as `Ord` does, without a call to `memcmp` for the short ones that
/// candidate numbers and option codes are.
fn short_cmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() > 8 || b.len() > 8 {
        return a.cmp(b);
    }
    let word = |s: &[u8]| {
        let mut w = [0u8; 8];
        w[..s.len()].copy_from_slice(s);
        u64::from_be_bytes(w)
    };
    // The shorter is padded with zero bytes; when the words are equal, the shorter comes first.
    word(a).cmp(&word(b)).then(a.len().cmp(&b.len()))
}

/// How [`KeyMap::iter`] turns an item into its key and value.
pub type ItemFn<'a, 'f, V> = fn(&'a (Key<'f>, V)) -> Item<'a, 'f, V>;

impl<'a, 'f, V> IntoIterator for &'a KeyMap<'f, V> {
    type Item = Item<'a, 'f, V>;
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (Key<'f>, V)>, ItemFn<'a, 'f, V>>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<V> std::ops::Index<&Key<'_>> for KeyMap<'_, V> {
    type Output = V;

    fn index(&self, key: &Key<'_>) -> &V {
        self.get(key).expect("no item with this key")
    }
}

/// A [`KeyMap`] being filled: items in the order first inserted, found by a hash of the key,
/// and sorted once at the end.
struct KeyMapBuilder<'f, V> {
    index: foldhash::HashMap<Key<'f>, usize>,
    items: Vec<(Key<'f>, V)>,
}

impl<'f, V> KeyMapBuilder<'f, V> {
    fn new() -> Self {
        KeyMapBuilder {
            index: foldhash::HashMap::default(),
            items: Vec::new(),
        }
    }

    /// Inserts or replaces the item; returns its slot and whether it is new.
    fn insert(&mut self, key: Key<'f>, value: V) -> (usize, bool) {
        match self.index.entry(key) {
            Entry::Occupied(e) => {
                let slot = *e.get();
                self.items[slot].1 = value;
                (slot, false)
            }
            Entry::Vacant(e) => {
                let slot = self.items.len();
                e.insert(slot);
                self.items.push((key, value));
                (slot, true)
            }
        }
    }

    /// The item, inserted first if there is none; and whether it is new.
    fn get_or_insert_with(&mut self, key: Key<'f>, value: impl FnOnce() -> V) -> (&mut V, bool) {
        match self.index.entry(key) {
            Entry::Occupied(e) => (&mut self.items[*e.get()].1, false),
            Entry::Vacant(e) => {
                let slot = self.items.len();
                e.insert(slot);
                self.items.push((key, value()));
                (&mut self.items[slot].1, true)
            }
        }
    }

    fn get_mut(&mut self, key: &Key<'f>) -> Option<&mut V> {
        let slot = *self.index.get(key)?;
        Some(&mut self.items[slot].1)
    }

    /// The map, each value turned by `f`.
    fn finish_with<W>(self, f: impl Fn(V) -> W) -> KeyMap<'f, W> {
        let items = self.items.into_iter().map(|(k, v)| (k, f(v))).collect();
        KeyMapBuilder {
            index: foldhash::HashMap::default(),
            items,
        }
        .finish()
    }

    fn finish(mut self) -> KeyMap<'f, V> {
        // The keys are unique, so an unstable sort gives the one order.
        self.items.sort_unstable_by(|a, b| key_cmp(&a.0, &b.0));
        KeyMap { items: self.items }
    }
}

/// One board's part of a centre's series. Records are borrowed from the files read.
#[derive(Debug, Default)]
pub struct BoardSeries<'f> {
    pub board: String,
    /// Shared by every centre of the series.
    pub basedata: Arc<Basedata>,
    pub entries: KeyMap<'f, CurrentEntry<'f>>,
    /// Candidate number → details from this board's entries.
    pub candidates: BTreeMap<&'f str, EntryCandidate<'f>>,
    pub results: KeyMap<'f, CurrentResult<'f>>,
    pub duplicates: Vec<Duplicate<'f>>,
    /// XML results with their candidate and file.
    pub xml: KeyMap<'f, XmlAt<'f>>,
}

/// An XML result with its candidate and file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XmlAt<'f> {
    pub file: &'f str,
    pub candidate: &'f parsers::xml::XmlCandidate,
    pub result: &'f parsers::xml::XmlResult,
}

/// A centre's series: every board's files assembled.
#[derive(Debug)]
pub struct CentreSeries<'f> {
    pub centre: String,
    /// The JCQ series code, e.g. `6A26`.
    pub series: String,
    pub boards: BTreeMap<String, BoardSeries<'f>>,
    /// The files this series was built from, in the order read.
    pub files: Vec<&'f InputFile>,
}

/// Whether a file's series code belongs to a series: the same code, or another code of the
/// same exam month. Each board chooses its own series letter within a month (AQA's `6A26`,
/// OCR's `6B26`, Pearson's `6G26` are all June 2026), so one results day reads them together.
pub fn in_series(code: &str, series: &str) -> bool {
    code.eq_ignore_ascii_case(series)
        || crate::rules::calendar::series_id_of(code)
            == crate::rules::calendar::series_id_of(series)
}

/// How a series whose files carry `codes` is named: its one code (`6A26`), or its calendar id
/// (`2026-06`) when the boards' files carry several codes of the same month.
pub fn series_name(codes: &BTreeSet<String>) -> String {
    match codes.iter().next() {
        Some(only) if codes.len() == 1 => only.clone(),
        Some(first) => crate::rules::calendar::series_id_of(first),
        None => String::new(),
    }
}

/// The (centre, series) pairs with results or entries in the folder, sorted; a series is
/// named by [`series_name`].
pub fn centre_series(folder: &Folder) -> BTreeSet<(String, String)> {
    let mut codes: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for f in folder.files.iter().filter(|f| {
        matches!(
            f.data_type(),
            Some(DataType::Results | DataType::Entries | DataType::Amendments)
        )
    }) {
        if let (Some(centre), Some(code)) = (f.centre(), f.series()) {
            let id = crate::rules::calendar::series_id_of(&code);
            codes.entry((centre, id)).or_default().insert(code);
        }
    }
    codes
        .into_iter()
        .map(|((centre, _), codes)| (centre, series_name(&codes)))
        .collect()
}

/// Each board's basedata for each series, built once and shared by every centre's series.
#[derive(Debug, Default)]
pub struct BasedataSet<'f> {
    /// (board, series) → the basedata and the files it came from.
    by_board: HashMap<(String, String), Arc<Basedata>>,
    /// Series → every basedata file for it, of every board.
    files: HashMap<String, Vec<&'f InputFile>>,
}

impl<'f> BasedataSet<'f> {
    /// Builds every board's basedata from the basedata among `files` (others are ignored).
    pub fn new(files: impl IntoIterator<Item = &'f InputFile>) -> BasedataSet<'f> {
        let mut groups: BTreeMap<(String, String), Vec<&InputFile>> = BTreeMap::new();
        let mut unit_links: BTreeMap<String, Vec<&InputFile>> = BTreeMap::new();
        let mut set = BasedataSet::default();
        for f in files {
            if !f.data_type().is_some_and(|t| t.is_basedata()) {
                continue;
            }
            if f.data_type() == Some(DataType::UnitLinks) {
                // Named by board, not series: it serves every series of the board.
                if let Some(board) = f.board() {
                    unit_links
                        .entry(board.to_ascii_uppercase())
                        .or_default()
                        .push(f);
                }
                continue;
            }
            let (Some(board), Some(series)) = (f.board(), f.series()) else {
                continue;
            };
            set.files.entry(series.clone()).or_default().push(f);
            groups
                .entry((board.to_ascii_uppercase(), series))
                .or_default()
                .push(f);
        }
        set.by_board = groups
            .into_iter()
            .map(|(key, fs)| {
                let mut bd = load_basedata(&fs);
                if let Some(links) = unit_links.get(&key.0) {
                    add_unit_links(&mut bd, links);
                    for f in links {
                        set.files.entry(key.1.clone()).or_default().push(f);
                    }
                }
                (key, Arc::new(bd))
            })
            .collect();
        set
    }

    /// A board's basedata for a series (empty when there is none): every series code of the
    /// board in the series' month together.
    pub fn get(&self, board: &str, series: &str) -> Arc<Basedata> {
        if let Some(exact) = self.by_board.get(&(board.to_string(), series.to_string())) {
            if !self
                .by_board
                .keys()
                .any(|(b, code)| b == board && code != series && in_series(code, series))
            {
                return exact.clone();
            }
        }
        let mut parts: Vec<(&String, &Arc<Basedata>)> = self
            .by_board
            .iter()
            .filter(|((b, code), _)| b == board && in_series(code, series))
            .map(|((_, code), bd)| (code, bd))
            .collect();
        match parts.len() {
            0 => Arc::default(),
            1 => parts[0].1.clone(),
            _ => {
                parts.sort_by(|a, b| a.0.cmp(b.0));
                Arc::new(merge_basedata(parts.iter().map(|(_, bd)| bd.as_ref())))
            }
        }
    }

    /// Every basedata file of a series, of every board and series code of its month.
    fn files_of(&self, series: &str) -> impl Iterator<Item = &'f InputFile> + '_ {
        let series = series.to_string();
        self.files
            .iter()
            .filter(move |(code, _)| in_series(code, &series))
            .flat_map(|(_, fs)| fs.iter().copied())
    }
}

/// A board's basedata of several series codes of one month, as one: what one code's files
/// hold that another's do not is added, in code order.
fn merge_basedata<'a>(parts: impl Iterator<Item = &'a Basedata>) -> Basedata {
    let mut bd = Basedata::default();
    for p in parts {
        for (k, v) in &p.syllabuses {
            bd.syllabuses.entry(k.clone()).or_insert_with(|| v.clone());
        }
        for (k, v) in &p.options {
            bd.options.entry(k.clone()).or_insert_with(|| v.clone());
        }
        for (k, v) in &p.components {
            bd.components.entry(k.clone()).or_insert_with(|| v.clone());
        }
        for (k, v) in &p.links {
            bd.links.entry(k.clone()).or_insert_with(|| v.clone());
        }
        for (k, v) in &p.unit_links {
            let linked = bd.unit_links.entry(k.clone()).or_default();
            for c in v {
                if !linked.contains(c) {
                    linked.push(c.clone());
                }
            }
        }
        bd.disallowed.extend(p.disallowed.iter().cloned());
        bd.versions.extend(p.versions.iter().cloned());
    }
    bd.certifications = certifications_of(&bd.options);
    bd
}

/// Assembles one centre's series from the folder's files.
pub fn assemble<'f>(folder: &'f Folder, centre: &str, series: &str) -> CentreSeries<'f> {
    let basedata = BasedataSet::new(&folder.files);
    let own = folder.files.iter().filter(|f| {
        !f.data_type().is_some_and(|t| t.is_basedata())
            && f.centre().as_deref() == Some(centre)
            && f.series().as_deref().is_none_or(|s| in_series(s, series))
    });
    assemble_centre(own, &basedata, centre, series)
}

/// Assembles a centre's series from its own files (results, entries, amendments, XML: those of
/// another series are left out) and the shared basedata. A file that does not say its series
/// (an XML file without a series element, an EDI file without a readable header) is taken as
/// the series'.
pub fn assemble_centre<'f>(
    own: impl IntoIterator<Item = &'f InputFile>,
    basedata: &BasedataSet<'f>,
    centre: &str,
    series: &str,
) -> CentreSeries<'f> {
    let own: Vec<&InputFile> = own
        .into_iter()
        .filter(|f| f.series().as_deref().is_none_or(|s| in_series(s, series)))
        .collect();
    let mut by_board: BTreeMap<String, Vec<&InputFile>> = BTreeMap::new();
    for f in &own {
        if let Some(b) = f.board() {
            by_board.entry(b.to_ascii_uppercase()).or_default().push(f);
        }
    }
    let boards = by_board
        .into_iter()
        .map(|(board, fs)| {
            let b = assemble_board(&board, basedata.get(&board, series), &fs);
            (board, b)
        })
        .collect();
    let mut files: Vec<&InputFile> = own.into_iter().chain(basedata.files_of(series)).collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    CentreSeries {
        centre: centre.to_string(),
        series: series.to_string(),
        boards,
        files,
    }
}

fn sorted_by_sequence<'a>(
    files: &[&'a InputFile],
    pick: impl Fn(DataType) -> bool,
) -> Vec<&'a InputFile> {
    let mut v: Vec<&InputFile> = files
        .iter()
        .copied()
        .filter(|f| f.data_type().is_some_and(&pick))
        .collect();
    v.sort_by(|a, b| (a.sequence(), &a.name).cmp(&(b.sequence(), &b.name)));
    v
}

fn assemble_board<'f>(
    board: &str,
    basedata: Arc<Basedata>,
    files: &[&'f InputFile],
) -> BoardSeries<'f> {
    let mut b = BoardSeries {
        board: board.to_string(),
        basedata,
        ..BoardSeries::default()
    };
    apply_entries(
        &mut b,
        &sorted_by_sequence(files, |t| {
            matches!(t, DataType::Entries | DataType::Amendments)
        }),
    );
    apply_results(
        &mut b,
        &sorted_by_sequence(files, |t| t == DataType::Results),
    );
    b
}

/// The highest version of each basedata file type wins, whole.
fn load_basedata(files: &[&InputFile]) -> Basedata {
    let mut bd = Basedata::default();
    for t in [
        DataType::Syllabuses,
        DataType::Options,
        DataType::Components,
        DataType::Links,
        DataType::Disallowed,
    ] {
        let candidates = sorted_by_sequence(files, |x| x == t);
        let Some(f) = candidates.last() else { continue };
        let Some(edi) = f.edi() else { continue };
        bd.versions.push((t.letter(), f.name.clone(), f.sequence()));
        match &edi.records {
            Records::Syllabuses(v) => {
                bd.syllabuses = v.iter().map(|s| (s.code.clone(), s.clone())).collect();
            }
            Records::Options(v) => {
                bd.options = v.iter().map(|o| (o.code.clone(), o.clone())).collect();
            }
            Records::Components(v) => {
                bd.components = v.iter().map(|c| (c.code.clone(), c.clone())).collect();
            }
            Records::Links(v) => {
                for Link {
                    option_code,
                    component_code,
                    ..
                } in v
                {
                    bd.links
                        .entry(option_code.clone())
                        .or_default()
                        .push(component_code.clone());
                }
            }
            Records::Disallowed(v) => {
                bd.disallowed = v
                    .iter()
                    .map(|d| (d.option_a.clone(), d.option_b.clone()))
                    .collect();
            }
            _ => {}
        }
    }
    bd.certifications = certifications_of(&bd.options);
    bd
}

/// Syllabus code → its certification options (item `C` or `B`), in code order.
fn certifications_of(
    options: &foldhash::HashMap<String, EntryOption>,
) -> foldhash::HashMap<String, Vec<String>> {
    let mut certifications: foldhash::HashMap<String, Vec<String>> = Default::default();
    for o in options.values().filter(|o| o.is_award()) {
        certifications
            .entry(o.syllabus.clone())
            .or_default()
            .push(o.code.clone());
    }
    for v in certifications.values_mut() {
        v.sort();
    }
    certifications
}

/// Adds a board's certification/unit links to its basedata: the highest version wins.
fn add_unit_links(bd: &mut Basedata, files: &[&InputFile]) {
    let candidates = sorted_by_sequence(files, |x| x == DataType::UnitLinks);
    let Some(f) = candidates.last() else { return };
    let Some(Records::UnitLinks(v)) = f.edi().map(|e| &e.records) else {
        return;
    };
    bd.versions.push(('U', f.name.clone(), f.sequence()));
    for UnitLink {
        certification,
        unit,
        ..
    } in v
    {
        let linked = bd.unit_links.entry(unit.clone()).or_default();
        if !linked.contains(certification) {
            linked.push(certification.clone());
        }
    }
    for v in bd.unit_links.values_mut() {
        v.sort();
    }
}

/// The entries file, then every amendments file in sequence order.
fn apply_entries<'f>(b: &mut BoardSeries<'f>, files: &[&'f InputFile]) {
    let mut entries = KeyMapBuilder::new();
    let mut candidates: foldhash::HashMap<&str, EntryCandidate> = foldhash::HashMap::default();
    // Candidate number → the slots of their entries; made at the first change of details.
    let mut by_candidate: Option<foldhash::HashMap<&str, Vec<usize>>> = None;
    for f in files {
        let Some(Records::Entries(records)) = f.edi().map(|e| &e.records) else {
            continue;
        };
        for r in records {
            let key = (r.candidate_number.as_str(), r.option_code.as_str());
            let details = EntryCandidate {
                uci: &r.uci,
                name: &r.name,
                sex: r.sex,
            };
            let entry = |withdrawn| CurrentEntry {
                record: Cow::Borrowed(r),
                file: &f.name,
                withdrawn,
            };
            // An amendment's candidate details replace the earlier ones (spec/layouts.md §3).
            if matches!(r.action, Some(EntryAction::New | EntryAction::Withdraw))
                && candidates
                    .get(r.candidate_number.as_str())
                    .is_some_and(|c| c.name != r.name || c.uci != r.uci || c.sex != r.sex)
            {
                apply_details(r, &mut entries, &mut by_candidate, &mut candidates, details);
            }
            let inserted = match r.action {
                None | Some(EntryAction::New) => {
                    candidates.insert(&r.candidate_number, details);
                    Some(entries.insert(key, entry(false)))
                }
                Some(EntryAction::Withdraw) => match entries.get_mut(&key) {
                    Some(e) => {
                        e.withdrawn = true;
                        e.file = &f.name;
                        e.record.to_mut().line = r.line;
                        None
                    }
                    None => Some(entries.insert(key, entry(true))),
                },
                Some(EntryAction::Change) => {
                    apply_details(r, &mut entries, &mut by_candidate, &mut candidates, details);
                    // A change of details with no option enters nothing.
                    match (r.option_code.is_empty(), entries.get_mut(&key)) {
                        (true, _) | (false, Some(_)) => None,
                        (false, None) => Some(entries.insert(key, entry(false))),
                    }
                }
            };
            if let (Some((slot, true)), Some(index)) = (inserted, by_candidate.as_mut()) {
                index.entry(key.0).or_default().push(slot);
            }
        }
    }
    b.entries = entries.finish();
    b.candidates = candidates.into_iter().collect();
}

/// Candidate number → the slots of their entries.
type CandidateSlots<'f> = Option<foldhash::HashMap<&'f str, Vec<usize>>>;

/// New candidate details apply to all of the candidate's entries with this board.
fn apply_details<'f>(
    r: &'f EntryRecord,
    entries: &mut KeyMapBuilder<'f, CurrentEntry<'f>>,
    by_candidate: &mut CandidateSlots<'f>,
    candidates: &mut foldhash::HashMap<&'f str, EntryCandidate<'f>>,
    details: EntryCandidate<'f>,
) {
    let candidate = r.candidate_number.as_str();
    let index = by_candidate.get_or_insert_with(|| {
        let mut index: foldhash::HashMap<&str, Vec<usize>> = foldhash::HashMap::default();
        for (slot, ((c, _), _)) in entries.items.iter().enumerate() {
            index.entry(*c).or_default().push(slot);
        }
        index
    });
    for &slot in index.get(candidate).into_iter().flatten() {
        let rec = entries.items[slot].1.record.to_mut();
        rec.name = r.name.clone();
        rec.uci = r.uci.clone();
        rec.sex = r.sex.or(rec.sex);
        rec.date_of_birth = r.date_of_birth.or(rec.date_of_birth);
    }
    candidates.insert(candidate, details);
}

/// Results files in sequence order, each replacing the results it carries; XML marks merged
/// into the results with the same candidate and option.
fn apply_results<'f>(b: &mut BoardSeries<'f>, files: &[&'f InputFile]) {
    // Each key's current result, with the file it came from and how often that file has it.
    let mut results: KeyMapBuilder<(CurrentResult, usize, usize)> = KeyMapBuilder::new();
    for (n, f) in files.iter().enumerate() {
        if let Some(Records::Results(records)) = f.edi().map(|e| &e.records) {
            for r in records {
                let key = (r.candidate_number.as_str(), r.option_code.as_str());
                let current = CurrentResult {
                    record: r,
                    file: &f.name,
                };
                let (value, new) = results.get_or_insert_with(key, || (current, n, 1));
                if new {
                    continue;
                }
                match value {
                    (_, file, count) if *file == n => {
                        *count += 1;
                        if *count == 2 {
                            b.duplicates.push(current);
                        }
                    }
                    earlier => *earlier = (current, n, 1),
                }
            }
        }
    }
    b.results = results.finish_with(|(current, _, _)| current);
    let mut xml_files: Vec<&&InputFile> = files.iter().filter(|f| f.xml().is_some()).collect();
    xml_files.sort_by(|a, b| {
        let created = |f: &InputFile| f.xml().and_then(|x| x.header.created);
        (created(a), &a.name).cmp(&(created(b), &b.name))
    });
    let mut xml = KeyMapBuilder::new();
    for f in xml_files {
        let Some(x) = f.xml() else { continue };
        for c in &x.candidates {
            for r in &c.results {
                xml.insert(
                    (c.candidate_number.as_str(), r.option_code.as_str()),
                    XmlAt {
                        file: &f.name,
                        candidate: c,
                        result: r,
                    },
                );
            }
        }
    }
    b.xml = xml.finish();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_strings_order_as_strings_do() {
        let words = [
            "",
            "0",
            "00",
            "0001",
            "0002",
            "001",
            "1",
            "A",
            "A\0",
            "A\u{1}",
            "AB",
            "J560H",
            "J560F",
            "8000",
            "80001",
            "ZZZZZZZZ",
            "ZZZZZZZZZ",
            "é",
            "ÉMILE",
            "\u{ff}",
        ];
        for a in words {
            for b in words {
                assert_eq!(short_cmp(a, b), a.cmp(b), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn a_key_map_finds_and_joins_by_key() {
        let mut m = KeyMapBuilder::new();
        for (i, key) in [("0002", "B"), ("0001", "B"), ("0001", "A"), ("0003", "A")]
            .into_iter()
            .enumerate()
        {
            m.insert(key, i);
        }
        assert_eq!(m.insert(("0001", "B"), 9), (1, false));
        let m = m.finish();
        let keys: Vec<_> = m.keys().copied().collect();
        assert_eq!(
            keys,
            [("0001", "A"), ("0001", "B"), ("0002", "B"), ("0003", "A")]
        );
        assert_eq!(m.get(&("0001", "B")), Some(&9));
        assert_eq!(m.get(&("0002", "A")), None);
        let of: Vec<_> = m.of_candidate("0001").map(|(k, _)| k.1).collect();
        assert_eq!(of, ["A", "B"]);
        assert_eq!(m.of_candidate("0004").count(), 0);

        let mut other = KeyMapBuilder::new();
        other.insert(("0001", "B"), 'x');
        other.insert(("0003", "A"), 'y');
        other.insert(("0000", "A"), 'z');
        let other = other.finish();
        let joined: Vec<_> = m
            .left_join(&other)
            .map(|(_, &v, w)| (v, w.copied()))
            .collect();
        assert_eq!(
            joined,
            [(2, None), (9, Some('x')), (0, None), (3, Some('y'))]
        );
    }
}
