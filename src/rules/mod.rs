//! The centre's rules and settings: the series calendar, `resultsday.toml`, the qualifications
//! table, and the tables a centre may replace with its own copy.

use std::path::{Path, PathBuf};

pub mod calendar;
pub mod config;
pub mod qualifications;
pub mod tables;

/// The centre's own settings file `name` (`resultsday.toml`, `series.toml`, `layouts.toml`, a
/// table): in `dir`, else in the working folder (with no `dir`, there only); a regular file whose real path is inside the
/// folder it is found in, as links in the folder are followed inside it and never out of it.
pub fn settings_file(dir: Option<&Path>, name: &str) -> Option<PathBuf> {
    dir.map(Path::to_path_buf)
        .into_iter()
        .chain([PathBuf::from(".")])
        .map(|folder| (folder.join(name), folder))
        .find(|(path, folder)| {
            path.is_file()
                && std::fs::canonicalize(path)
                    .ok()
                    .zip(std::fs::canonicalize(folder).ok())
                    .is_some_and(|(real, inside)| real.starts_with(inside))
        })
        .map(|(path, folder)| {
            if folder == Path::new(".") {
                PathBuf::from(name)
            } else {
                path
            }
        })
}
