//! `findings.csv`: its columns, and the rows of a run's findings.

use std::io::Write;

use crate::model::Finding;

/// The columns of `findings.csv`.
pub const FINDINGS_COLUMNS: [&str; 11] = [
    "severity",
    "kind",
    "board",
    "centre",
    "candidate_number",
    "uci",
    "name",
    "entry_code",
    "detail",
    "file",
    "line",
];

/// The findings as `findings.csv` bytes.
pub fn findings_csv(findings: &[Finding]) -> Vec<u8> {
    let mut w = findings_builder().in_memory();
    for f in findings {
        let _ = write_finding(&mut w, f);
    }
    w.into_bytes()
}

/// How `findings.csv` is written: `line` is its one numeric column.
pub fn findings_builder() -> crate::write::csvout::Builder {
    crate::write::csvout::Builder::new(FINDINGS_COLUMNS).numeric(["line"])
}

/// One row of `findings.csv`.
pub fn write_finding<W: Write>(
    w: &mut crate::write::csvout::Writer<W>,
    f: &Finding,
) -> std::io::Result<()> {
    let line = f.line.map(|l| l.to_string()).unwrap_or_default();
    w.write_record([
        f.severity.as_str(),
        f.kind.as_str(),
        &f.board,
        &f.centre,
        &f.candidate_number,
        &f.uci,
        &f.name,
        &f.entry_code,
        &f.detail,
        &f.file,
        &line,
    ])
}
