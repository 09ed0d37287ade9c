//! Assembling a centre's series from its files: the winning basedata of each board, the
//! current entries after amendments, the latest results with the XML component marks merged in.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use parsers::{DataType, EntryAction, EntryOption, EntryRecord, Link, Records, UnitLink};

use crate::load::*;
use crate::model::series::*;

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
