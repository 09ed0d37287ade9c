//! `resultsday calibrate FILE... [--basedata DIR] [--entries FILE...] [--out FILE]`: finds the
//! layout of results (or entries) files that do not fit the one resultsday reads, and writes it
//! as a layout table that `run` and `inspect` take (`--layout FILE`, or `layouts.toml` in DIR).
//!
//! Usage:
//!   resultsday calibrate R1452070.X01 --basedata basedata/ --entries E1452070.X01
//!   resultsday calibrate R1452070.X01 --out results-day/layouts.toml
//!
//! It looks for the columns that hold UCIs (their check letter validates), candidate numbers
//! (the entries' numbers), option codes (the basedata's `O5` codes), grades (the options'
//! gradesets) and names, and prints what it found beside what resultsday assumes. Exit status:
//! 0 when done; 2 when a file could not be read or the table could not be written.

use std::io::Write;
use std::path::PathBuf;

use parsers::calibrate::{calibrate, Hints};
use parsers::{Content, Gradesets, Records};

use crate::exit;
use crate::load::inputs::{self, Limits};
use crate::write::output;
use crate::{load, messages};

#[derive(Debug, clap::Args)]
pub struct CalibrateArgs {
    /// Results (or entries) files to study; several files of one layout give more evidence.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// A folder with the board's basedata, so that option codes and grades are known.
    #[arg(long, value_name = "DIR")]
    pub basedata: Option<PathBuf>,
    /// The centre's entries files, so that candidate numbers are known.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub entries: Vec<PathBuf>,
    /// Write the layout table found to this file (a new file, or a regular file to replace),
    /// e.g. `layouts.toml` in the results folder.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// The layout table the files are compared with, in place of the built-in one.
    #[arg(long, value_name = "FILE")]
    pub layout: Option<PathBuf>,
}

pub fn run(args: &CalibrateArgs) -> Result<i32, Box<dyn std::error::Error>> {
    let limits = Limits::default();
    let choice = load::load_layouts(args.layout.as_deref(), None)?;
    let mut files = Vec::new();
    for path in &args.files {
        let bytes = inputs::read_file(path, &limits).map_err(|e| e.to_string())?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        files.push((name, bytes));
    }
    // The boards whose files are studied: the table written is for their files only.
    let mut boards: Vec<String> = files
        .iter()
        .filter_map(|(n, _)| parsers::FileName::parse(n).map(|f| f.awarding_body().to_string()))
        .collect();
    boards.sort();
    boards.dedup();
    let layouts = choice.for_board(boards.first().map(String::as_str)).clone();
    let mut hints = Hints::new(Gradesets::builtin());
    if let Some(dir) = &args.basedata {
        if !dir.is_dir() {
            return Err(format!("{}: --basedata takes a folder", dir.display()).into());
        }
        let folder = load::read_folder(dir, &limits, &|_| {}, &|| {});
        let options: Vec<parsers::EntryOption> = folder
            .files
            .iter()
            .filter_map(|f| match &f.parsed.content {
                Content::Edi(e) => match &e.records {
                    Records::Options(v) => Some(v.clone()),
                    _ => None,
                },
                _ => None,
            })
            .flatten()
            .collect();
        if options.is_empty() {
            messages::warn(&format!(
                "{}: no basedata options (O files) found, so option codes and grades are found \
                 by their shape alone",
                dir.display()
            ));
        }
        hints = hints.with_basedata(&options);
    }
    if !args.entries.is_empty() {
        let mut entries = Vec::new();
        for path in &args.entries {
            let bytes = inputs::read_file(path, &limits).map_err(|e| e.to_string())?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if let Content::Edi(e) = parsers::parse_file_with(&name, &bytes, &layouts).content {
                if let Records::Entries(v) = e.records {
                    entries.extend(v);
                }
            }
        }
        hints = hints.with_entries(&entries);
    }
    let borrowed: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let found = calibrate(&borrowed, &hints, &layouts);
    let toml = if boards.is_empty() {
        found.toml()
    } else {
        format!(
            "# For the files of these awarding bodies; others are read with the built-in table.\n\
             boards = [{}]\n\n{}",
            boards
                .iter()
                .map(|b| format!("\"{b}\""))
                .collect::<Vec<_>>()
                .join(", "),
            found.toml()
        )
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", messages::escape_report(&found.report()))?;
    match &args.out {
        None => {
            writeln!(out, "The layout table found (save it as layouts.toml in the results folder, or give it with --layout):\n")?;
            write!(out, "{toml}")?;
        }
        Some(path) => {
            output::write_out(path, toml.as_bytes())?;
            writeln!(out, "written: {}", path.display())?;
        }
    }
    Ok(exit::DONE)
}
