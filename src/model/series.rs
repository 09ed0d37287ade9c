//! A centre's series as the loader assembles it and the checks read it: the files read, the
//! winning basedata, the current entries and the latest results of each board.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::hash_map::Entry;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use parsers::{
    Component, Content, DataType, EdiFile, EntryOption, EntryRecord, FileNameKind, ParsedFile,
    ResultRecord, Syllabus, XmlResultsFile,
};

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
pub(crate) fn short_cmp(a: &str, b: &str) -> Ordering {
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
pub(crate) struct KeyMapBuilder<'f, V> {
    index: foldhash::HashMap<Key<'f>, usize>,
    pub(crate) items: Vec<(Key<'f>, V)>,
}

impl<'f, V> KeyMapBuilder<'f, V> {
    pub(crate) fn new() -> Self {
        KeyMapBuilder {
            index: foldhash::HashMap::default(),
            items: Vec::new(),
        }
    }

    /// Inserts or replaces the item; returns its slot and whether it is new.
    pub(crate) fn insert(&mut self, key: Key<'f>, value: V) -> (usize, bool) {
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
    pub(crate) fn get_or_insert_with(
        &mut self,
        key: Key<'f>,
        value: impl FnOnce() -> V,
    ) -> (&mut V, bool) {
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

    pub(crate) fn get_mut(&mut self, key: &Key<'f>) -> Option<&mut V> {
        let slot = *self.index.get(key)?;
        Some(&mut self.items[slot].1)
    }

    /// The map, each value turned by `f`.
    pub(crate) fn finish_with<W>(self, f: impl Fn(V) -> W) -> KeyMap<'f, W> {
        let items = self.items.into_iter().map(|(k, v)| (k, f(v))).collect();
        KeyMapBuilder {
            index: foldhash::HashMap::default(),
            items,
        }
        .finish()
    }

    pub(crate) fn finish(mut self) -> KeyMap<'f, V> {
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

/// SHA-256 of `bytes` as 64 lower-case hex digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    use std::fmt::Write;
    let mut hex = String::with_capacity(64);
    for b in sha2::Sha256::digest(bytes) {
        let _ = write!(hex, "{b:02x}");
    }
    hex
}
