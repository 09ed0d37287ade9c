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

use crate::cli::{exit, InspectArgs};
use crate::inputs::{self, InputError, Limits};
use crate::messages;

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
    #[serde(skip)]
    pub description: String,
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
    let (paths, walk_errors) = expand(&args.files, &limits);
    let reports: Vec<FileReport> = paths
        .par_iter()
        .map(|path| match inputs::read_file(path, &limits) {
            Ok(bytes) => describe(path, &bytes, &boards),
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

/// Files as given, with folders replaced by the files in them.
fn expand(args: &[PathBuf], limits: &Limits) -> (Vec<PathBuf>, Vec<InputError>) {
    let mut paths = Vec::new();
    let mut errors = Vec::new();
    for arg in args {
        if arg.is_dir() {
            let (files, errs) = inputs::walk(arg, limits);
            paths.extend(files);
            errors.extend(errs);
        } else {
            paths.push(arg.clone());
        }
    }
    (paths, errors)
}

fn unreadable_report(e: &InputError) -> FileReport {
    FileReport {
        file: e.path.display().to_string(),
        kind: "unreadable",
        data_type: None,
        board: None,
        centre: None,
        series: None,
        version: None,
        sequence: None,
        records: 0,
        problems: vec![ProblemReport {
            line: None,
            field: None,
            message: e.reason.clone(),
            kind: "unreadable_file".into(),
            severity: Severity::Error,
        }],
        board_name: None,
        record_types: BTreeMap::new(),
        created: None,
        description: "could not be read".into(),
    }
}

/// Reads one file's bytes and says what is in it.
pub fn describe(path: &Path, bytes: &[u8], boards: &Boards) -> FileReport {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let parsed = parsers::parse_file(&file_name, bytes);
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
            report.sequence = Some(h.sequence);
            report.created = h.created.map(|c| c.format("%Y-%m-%d %H:%M").to_string());
            report.record_types.insert("HD".into(), 1);
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
    report.records = edi.records.len();
    if let Some(code) = edi.records.code() {
        report.record_types.insert(code.into(), edi.records.len());
    }
    if edi.unreadable_lines() > 0 && !matches!(edi.records, Records::None) {
        report
            .record_types
            .insert("unreadable".into(), edi.unreadable_lines());
    }
    if edi.trailer.is_some() {
        report.record_types.insert("TR".into(), 1);
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
    if let Some(v) = r.version {
        facts.push(format!("format {v}"));
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
        let rank = |t: &str| match t {
            "HD" | "Candidate" => 0,
            "TR" => 3,
            "unreadable" | "unknown element" => 2,
            _ => 1,
        };
        let mut types: Vec<(&String, &usize)> = r.record_types.iter().collect();
        types.sort_by_key(|(t, _)| rank(t));
        let counts: Vec<String> = types.iter().map(|(t, n)| format!("{n} {t}")).collect();
        writeln!(out, "  records: {}", counts.join(", "))?;
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
