//! Reading and parsing files, in parallel, with the run's limits and layout table.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::load::inputs::{InputError, Limits};
use crate::load::*;
use crate::model::series::*;

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
        sha256: crate::model::series::sha256_hex(&bytes),
        parsed: parsers::parse_file_with(&name, &bytes, layouts),
        name,
    })
}
