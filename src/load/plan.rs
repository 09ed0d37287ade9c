//! Planning a run of a folder: which files are results, entries, basedata or settings, of
//! which centre, and which are skipped and why.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use parsers::{DataType, FileName, FileNameKind};

use crate::load::inputs::{InputError, Limits};
use crate::load::*;
use crate::model::series::*;
use crate::rules::calendar;

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
                    .map(|b| crate::model::series::sha256_hex(&b))
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

/// Whether a file's series code belongs to a series: the same code, or another code of the
/// same exam month. Each board chooses its own series letter within a month (AQA's `6A26`,
/// OCR's `6B26`, Pearson's `6G26` are all June 2026), so one results day reads them together.
pub fn in_series(code: &str, series: &str) -> bool {
    code.eq_ignore_ascii_case(series)
        || calendar::series_id_of(code) == calendar::series_id_of(series)
}

/// How a series whose files carry `codes` is named: its one code (`6A26`), or its calendar id
/// (`2026-06`) when the boards' files carry several codes of the same month.
pub fn series_name(codes: &BTreeSet<String>) -> String {
    match codes.iter().next() {
        Some(only) if codes.len() == 1 => only.clone(),
        Some(first) => calendar::series_id_of(first),
        None => String::new(),
    }
}
