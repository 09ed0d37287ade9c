//! `resultsday inspect FILE... [--json]`: what each file is, how many records of each type it
//! holds, and every problem with its line.
//!
//! Usage:
//!   resultsday inspect samples/results-day/results/R1452070.X01
//!   resultsday inspect samples/ --json
//!
//! A folder is read with every file in it and below. Exit status: 0 when done; 1 when a problem
//! reaches `--fail-on`; 2 when a file could not be read at all.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use parsers::{Boards, Content, ParsedFile, Records, Severity};
use rayon::prelude::*;
use serde::Serialize;

use crate::cmd::args::FailOn;
use crate::exit;
use crate::load::inputs::{self, InputError, Limits};
use crate::messages;

/// `resultsday inspect`
#[derive(Debug, clap::Args)]
pub struct InspectArgs {
    /// Files or folders to read.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// One JSON object per file per line, for scripts.
    #[arg(long)]
    pub json: bool,
    /// Exit with status 1 when a problem at or above this severity is found.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,
    /// Read the EDI files with this layout table (as `resultsday calibrate` writes it) in place
    /// of the built-in one; by default `layouts.toml` in the working folder, if there is one.
    #[arg(long, value_name = "FILE")]
    pub layout: Option<PathBuf>,
}

/// What `inspect` says of one file; the JSON form is the contract's.
#[derive(Debug, Serialize)]
pub struct FileReport {
    pub file: String,
    /// `edi`, `xml`, `bundle`, `other` (not a JCQ file) or `unreadable`.
    pub kind: &'static str,
    pub data_type: Option<String>,
    pub board: Option<String>,
    pub centre: Option<String>,
    pub series: Option<String>,
    pub version: Option<u16>,
    pub sequence: Option<u16>,
    /// Detail records read.
    pub records: usize,
    pub problems: Vec<ProblemReport>,
    // Beyond the contract's fields:
    pub board_name: Option<String>,
    /// Lines (or XML elements) by record type, unreadable ones included under `unreadable`.
    pub record_types: BTreeMap<String, usize>,
    pub created: Option<String>,
    /// The file header's sender field (`AQA    001`) and distribution type (`B`, `S`).
    pub sender: Option<String>,
    pub distribution: Option<String>,
    /// How the format version is read: `14`, or `12 (read as 14)`.
    pub version_read_as: Option<String>,
    /// Each centre block: its centre, sequence, detail lines and its trailer's count.
    pub centre_blocks: Vec<BlockReport>,
    #[serde(skip)]
    pub description: String,
}

/// One centre block of an EDI file, as `inspect` shows it.
#[derive(Debug, Serialize)]
pub struct BlockReport {
    pub line: usize,
    pub centre: String,
    pub sequence: Option<u16>,
    pub postcode: Option<String>,
    pub detail_lines: usize,
    /// What its `x7` counts (its header and trailer included), if it has one.
    pub trailer_count: Option<u64>,
}

#[derive(Debug, Serialize)]
pub struct ProblemReport {
    pub line: Option<usize>,
    pub field: Option<String>,
    pub message: String,
    pub kind: String,
    pub severity: Severity,
}

impl From<&parsers::Problem> for ProblemReport {
    fn from(p: &parsers::Problem) -> Self {
        ProblemReport {
            line: p.line,
            field: p.field.as_ref().map(|f| f.to_string()),
            message: p.message.clone(),
            kind: p.kind.as_str().to_string(),
            severity: p.severity(),
        }
    }
}

pub fn run(args: &InspectArgs) -> Result<i32, Box<dyn std::error::Error>> {
    let limits = Limits::default();
    let boards = Boards::builtin();
    // A folder's own layout table, as `run` reads it (the first folder given).
    let folder = args.files.iter().find(|f| f.is_dir()).map(PathBuf::as_path);
    let layouts = crate::load::load_layouts(args.layout.as_deref(), folder)?;
    let (paths, walk_errors) = expand(&args.files, &limits);
    let reports: Vec<FileReport> = paths
        .par_iter()
        .filter(|path| {
            // The layout table itself is no file to inspect.
            path.file_name().and_then(|n| n.to_str()) != Some(crate::load::LAYOUTS_FILE)
        })
        .map(|path| match inputs::read_file(path, &limits) {
            Ok(bytes) => describe_with(path, &bytes, &boards, layouts.for_file(path)),
            Err(e) => unreadable_report(&e),
        })
        .collect();
    // Folders that could not be walked, or loops in them.
    let walk_errors: Vec<FileReport> = walk_errors.iter().map(unreadable_report).collect();

    let mut out = std::io::stdout().lock();
    for report in reports.iter().chain(&walk_errors) {
        if args.json {
            serde_json::to_writer(&mut out, report)?;
            writeln!(out)?;
        } else {
            write_human(&mut out, report)?;
        }
    }
    let all: Vec<&FileReport> = reports.iter().chain(&walk_errors).collect();
    if !args.json {
        write_summary(&mut out, &all)?;
    }
    out.flush()?;

    if all.iter().any(|r| r.kind == "unreadable") {
        return Ok(exit::BAD_INPUT);
    }
    let failing = all
        .iter()
        .flat_map(|r| &r.problems)
        .any(|p| args.fail_on.is_some_and(|f| f.includes(p.severity)));
    Ok(if failing { exit::FINDINGS } else { exit::DONE })
}

/// Files as given, with folders replaced by the files in them and zips by the JCQ files they
/// hold.
fn expand(args: &[PathBuf], limits: &Limits) -> (Vec<PathBuf>, Vec<InputError>) {
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for arg in args {
        if arg.is_dir() {
            let (files, errs) = inputs::walk(arg, limits);
            found.extend(files);
            errors.extend(errs);
        } else {
            found.push(arg.clone());
        }
    }
    let mut paths = Vec::with_capacity(found.len());
    for path in found {
        if crate::load::zipped::is_zip(&path) && path.is_file() {
            let listing = crate::load::zipped::list(&path, limits, &|name| {
                parsers::FileName::parse(name).is_some()
            });
            paths.extend(listing.members);
            errors.extend(listing.refused);
        } else {
            paths.push(path);
        }
    }
    (paths, errors)
}

fn unreadable_report(e: &InputError) -> FileReport {
    FileReport {
        kind: "unreadable",
        problems: vec![ProblemReport {
            line: None,
            field: None,
            message: e.reason.clone(),
            kind: "unreadable_file".into(),
            severity: Severity::Error,
        }],
        description: "could not be read".into(),
        ..empty(&e.path)
    }
}

/// Reads one file's bytes and says what is in it.
pub fn describe(path: &Path, bytes: &[u8], boards: &Boards) -> FileReport {
    describe_with(path, bytes, boards, parsers::Layouts::builtin())
}

/// Reads one file's bytes through `layouts` and says what is in it.
pub fn describe_with(
    path: &Path,
    bytes: &[u8],
    boards: &Boards,
    layouts: &parsers::Layouts,
) -> FileReport {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let parsed = parsers::parse_file_with(&file_name, bytes, layouts);
    let mut report = match &parsed.content {
        Content::Edi(edi) => edi_report(path, &parsed, edi),
        Content::Xml(xml) => xml_report(path, &parsed, xml),
        Content::NotRead(why) => FileReport {
            kind: if parsed.name.is_some() {
                "bundle"
            } else {
                "other"
            },
            description: why.clone(),
            board: parsed.name.as_ref().map(|n| n.awarding_body().to_string()),
            ..empty(path)
        },
    };
    let mut problems: Vec<&parsers::Problem> = parsed.all_problems().collect();
    // Problems of the whole file first, then by line.
    problems.sort_by_key(|p| p.line.unwrap_or(0));
    report.problems = problems.into_iter().map(ProblemReport::from).collect();
    if let Some(board) = &report.board {
        match boards.get(board) {
            Some(b) => report.board_name = Some(b.name.clone()),
            None if !boards.is_unknown(board) => {
                report.board_name = Some("the centre's own".into());
            }
            None => report.problems.push(ProblemReport {
                line: None,
                field: Some("awarding body id".into()),
                message: format!(
                    "awarding body id '{board}' is not in the boards table (boards.csv); its \
                     files are read, but check the id"
                ),
                kind: "unknown_awarding_body".into(),
                severity: Severity::Warning,
            }),
        }
    }
    report
}

fn empty(path: &Path) -> FileReport {
    FileReport {
        file: path.display().to_string(),
        kind: "edi",
        data_type: None,
        board: None,
        centre: None,
        series: None,
        version: None,
        sequence: None,
        records: 0,
        problems: Vec::new(),
        board_name: None,
        record_types: BTreeMap::new(),
        created: None,
        sender: None,
        distribution: None,
        version_read_as: None,
        centre_blocks: Vec::new(),
        description: String::new(),
    }
}

fn edi_report(path: &Path, parsed: &ParsedFile, edi: &parsers::EdiFile) -> FileReport {
    let mut report = empty(path);
    let name_edi = parsed.name.as_ref().and_then(|n| match &n.kind {
        parsers::FileNameKind::Edi {
            centre_or_series,
            awarding_body,
            sequence,
            ..
        } => Some((centre_or_series, awarding_body, *sequence)),
        _ => None,
    });
    report.data_type = edi.data_type.map(|t| t.letter().to_string());
    report.description = edi
        .data_type
        .map(|t| t.describe().to_string())
        .unwrap_or_else(|| "not a file resultsday recognises".into());
    match &edi.header {
        Some(h) => {
            report.board = Some(h.awarding_body.clone());
            report.centre = Some(h.centre.clone());
            report.series = Some(h.series.clone());
            report.version = Some(h.version);
            report.sequence = Some(h.sequence)
                .filter(|&s| s > 0)
                .or(name_edi.map(|n| n.2.into()));
            report.created = h.created.map(|c| c.format("%Y-%m-%d").to_string());
            report.sender = Some(h.sender.clone());
            report.distribution = h.distribution.map(String::from);
            report.version_read_as = Some(if h.version == parsers::layouts::FORMAT_VERSION {
                h.version.to_string()
            } else if parsers::layouts::READ_AS_14.contains(&h.version) {
                format!(
                    "{} (read as {})",
                    h.version,
                    parsers::layouts::FORMAT_VERSION
                )
            } else {
                format!("{} (not read: unknown version)", h.version)
            });
            report
                .record_types
                .insert(format!("{}1", h.data_type.letter()), 1);
        }
        None => {
            if let Some((centre_or_series, board, seq)) = name_edi {
                report.board = Some(board.clone());
                if edi.data_type.is_some_and(|t| t.is_basedata()) {
                    report.series = centre_or_series.get(..4).map(str::to_string);
                } else {
                    report.centre = Some(centre_or_series.clone());
                }
                report.sequence = Some(seq.into());
            }
        }
    }
    report.centre_blocks = edi
        .centres
        .iter()
        .map(|b| BlockReport {
            line: b.line,
            centre: b.centre.clone(),
            sequence: b.sequence,
            postcode: b.postcode.clone(),
            detail_lines: b.detail_lines,
            trailer_count: b.trailer.as_ref().map(|t| t.count),
        })
        .collect();
    // Entries hold one record per candidate with several options: records are lines.
    report.records = match &edi.records {
        Records::Entries(v) => {
            let mut lines: Vec<usize> = v.iter().map(|r| r.line).collect();
            lines.dedup();
            lines.len()
        }
        other => other.len(),
    };
    let letter = edi.data_type.map_or('?', |t| t.letter());
    if let Some(code) = edi.records.code() {
        let code = if code.ends_with('5') {
            format!("{letter}5")
        } else {
            code.to_string()
        };
        report.record_types.insert(code, report.records);
    }
    if !edi.centres.is_empty() {
        report
            .record_types
            .insert(format!("{letter}3"), edi.centres.len());
        let trailers = edi.centres.iter().filter(|b| b.trailer.is_some()).count();
        if trailers > 0 {
            report.record_types.insert(format!("{letter}7"), trailers);
        }
    }
    if edi.unreadable_lines() > 0 && !matches!(edi.records, Records::None) {
        report
            .record_types
            .insert("unreadable".into(), edi.unreadable_lines());
    }
    if edi.trailer.is_some() {
        report.record_types.insert(format!("{letter}9"), 1);
    }
    report
}

fn xml_report(path: &Path, parsed: &ParsedFile, xml: &parsers::XmlResultsFile) -> FileReport {
    let mut report = empty(path);
    report.kind = "xml";
    report.data_type = Some("R".into());
    report.description = "XML results (component marks)".into();
    let name_xml = parsed.name.as_ref().and_then(|n| match &n.kind {
        parsers::FileNameKind::XmlResults {
            centre,
            awarding_body,
            ..
        } => Some((centre.clone(), awarding_body.clone())),
        _ => None,
    });
    let h = &xml.header;
    report.board = h
        .awarding_body
        .clone()
        .or_else(|| name_xml.as_ref().map(|n| n.1.clone()));
    report.centre = h.centre.clone().or_else(|| name_xml.map(|n| n.0));
    report.series = h.series.clone();
    report.version = h.version.as_deref().and_then(|v| v.trim().parse().ok());
    report.created = h.created.map(|c| c.format("%Y-%m-%d %H:%M").to_string());
    let results: usize = xml.candidates.iter().map(|c| c.results.len()).sum();
    let components: usize = xml
        .candidates
        .iter()
        .flat_map(|c| &c.results)
        .map(|r| r.components.len())
        .sum();
    report.records = results;
    report
        .record_types
        .insert("Candidate".into(), xml.candidates.len());
    report.record_types.insert("Result".into(), results);
    report.record_types.insert("Component".into(), components);
    if !xml.unknown.is_empty() {
        report
            .record_types
            .insert("unknown element".into(), xml.unknown.len());
    }
    report
}

fn write_human(out: &mut impl Write, r: &FileReport) -> std::io::Result<()> {
    writeln!(out, "{}", r.file)?;
    let mut facts = Vec::new();
    match (&r.board_name, &r.board) {
        (Some(name), Some(id)) => facts.push(format!("{name} ({id})")),
        (None, Some(id)) => facts.push(format!("board {id}")),
        _ => {}
    }
    facts.push(r.description.clone());
    if let Some(c) = &r.centre {
        facts.push(format!("centre {c}"));
    }
    if let Some(s) = &r.series {
        facts.push(format!("series {s}"));
    }
    match (&r.version_read_as, r.version) {
        (Some(v), _) => facts.push(format!("format {v}")),
        (None, Some(v)) => facts.push(format!("format {v}")),
        _ => {}
    }
    if let Some(s) = r.sender.as_deref().filter(|s| !s.is_empty()) {
        facts.push(format!("sender '{}'", messages::escape_terminal(s)));
    }
    if let Some(d) = &r.distribution {
        facts.push(match d.as_str() {
            "B" => "distribution B (basedata)".to_string(),
            "S" => "distribution S (a centre's file)".to_string(),
            other => format!("distribution {}", messages::escape_terminal(other)),
        });
    }
    if let Some(s) = r.sequence {
        facts.push(format!("sequence {s:04}"));
    }
    if let Some(c) = &r.created {
        facts.push(format!("created {c}"));
    }
    writeln!(out, "  {}", facts.join(" · "))?;
    if !r.record_types.is_empty() {
        // The order records stand in a file: header, details, unreadable lines, trailer.
        let rank = |t: &str| match t.as_bytes() {
            b"Candidate" => 0,
            [_, b'1'] => 0,
            [_, b'3'] => 1,
            [_, b'7'] => 4,
            [_, b'9'] => 5,
            b"unreadable" | b"unknown element" => 3,
            _ => 2,
        };
        let mut types: Vec<(&String, &usize)> = r.record_types.iter().collect();
        types.sort_by_key(|(t, _)| rank(t));
        let counts: Vec<String> = types.iter().map(|(t, n)| format!("{n} {t}")).collect();
        writeln!(out, "  records: {}", counts.join(", "))?;
    }
    if r.centre_blocks.len() > 1 || r.centre_blocks.iter().any(|b| b.postcode.is_some()) {
        for b in &r.centre_blocks {
            let mut facts = vec![format!(
                "centre block {} (line {})",
                messages::escape_terminal(&b.centre),
                b.line
            )];
            if let Some(s) = b.sequence {
                facts.push(format!("sequence {s:03}"));
            }
            if let Some(p) = &b.postcode {
                facts.push(format!("postcode {}", messages::escape_terminal(p)));
            }
            facts.push(messages::count(
                b.detail_lines,
                "detail line",
                "detail lines",
            ));
            if let Some(c) = b.trailer_count {
                facts.push(format!("trailer counts {c}"));
            }
            writeln!(out, "  {}", facts.join(" · "))?;
        }
    }
    if r.problems.is_empty() {
        writeln!(out, "  no problems")?;
    } else {
        writeln!(
            out,
            "  {}:",
            messages::count(r.problems.len(), "problem", "problems")
        )?;
        for p in &r.problems {
            let line = p.line.map(|l| format!("line {l}")).unwrap_or_default();
            let field = p.field.as_deref().unwrap_or("");
            writeln!(
                out,
                "    {:<7} {:<9} {:<20} {}",
                p.severity.as_str(),
                line,
                field,
                p.message
            )?;
        }
    }
    writeln!(out)
}

fn write_summary(out: &mut impl Write, all: &[&FileReport]) -> std::io::Result<()> {
    let with = |s: Severity| {
        all.iter()
            .filter(|r| r.kind != "unreadable" && r.problems.iter().any(|p| p.severity == s))
            .count()
    };
    let unreadable = all.iter().filter(|r| r.kind == "unreadable").count();
    let records: usize = all.iter().map(|r| r.records).sum();
    writeln!(
        out,
        "{} inspected, {}: {} with errors, {} with warnings, {} unreadable",
        messages::count(all.len(), "file", "files"),
        messages::count(records, "record", "records"),
        with(Severity::Error),
        with(Severity::Warning),
        unreadable
    )
}
