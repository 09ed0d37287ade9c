//! The analysis's files: `analysis/headline.csv`, `subjects.csv` and `breakdown.csv`, and
//! `analysis.xlsx` beside the folder, written together by [`write_analysis`]; and
//! `analysis/changes.csv`, how they moved since the last run.

use std::path::{Path, PathBuf};

use super::workbook::workbook;
use super::Analysis;
use crate::write::output::create_private_dir;

/// `analysis/headline.csv`.
pub fn headline_csv(analysis: &Analysis) -> Vec<u8> {
    let mut w = crate::write::csvout::Builder::new(["measure", "value", "denominator"])
        .numeric(["value", "denominator"])
        .in_memory();
    for m in &analysis.headline {
        let den = m.denominator.map(|d| d.to_string()).unwrap_or_default();
        w.put_record([m.measure, &m.value.text(), &den]);
    }
    w.into_bytes()
}

/// `analysis/subjects.csv`: the board, code, title and qualification are text; the entries,
/// the count under each grade and the two percentages are numbers.
pub fn subjects_csv(analysis: &Analysis) -> Vec<u8> {
    let table = &analysis.subjects;
    let header = table.header();
    let mut w = crate::write::csvout::Builder::new(&header)
        .numeric_at(4..header.len())
        .in_memory();
    for row in &table.rows {
        w.put_record(table.cells(row));
    }
    w.into_bytes()
}

/// The columns of `breakdown.csv` and of the workbook's Breakdown sheet.
pub(super) const BREAKDOWN_COLUMNS: [&str; 5] =
    ["group", "value", "measure", "result", "denominator"];

/// `analysis/breakdown.csv`; `None` without an MIS export.
pub fn breakdown_csv(analysis: &Analysis) -> Option<Vec<u8>> {
    let rows = analysis.breakdown.as_ref()?;
    let mut w = crate::write::csvout::Builder::new(BREAKDOWN_COLUMNS)
        .numeric(["result", "denominator"])
        .in_memory();
    for r in rows {
        let den = r.denominator.map(|d| d.to_string()).unwrap_or_default();
        w.put_record([
            r.group.as_str(),
            r.value.as_str(),
            r.measure,
            &r.result.text(),
            &den,
        ]);
    }
    Some(w.into_bytes())
}

/// Writes `analysis.xlsx` and `analysis/` (`subjects.csv`, `breakdown.csv` with an MIS export,
/// and `headline.csv` only when `third_party_allowed`: before 09:30 on results day the
/// headline figures, which go to the local authority and the press, are not written as a CSV,
/// and the workbook's Headline sheet opens with the confidentiality notice). Every file is
/// written atomically, owner-only. A `headline.csv` (or `breakdown.csv`) an earlier run left in
/// `analysis/` that this run does not write is removed first, so that what the folder holds is
/// this run's and nothing waits there for third parties before its time. Returns the files
/// written.
pub fn write_analysis(
    out_dir: &Path,
    analysis: &Analysis,
    third_party_allowed: bool,
    commit: crate::write::output::Commit<'_>,
) -> std::io::Result<Vec<PathBuf>> {
    let dir = out_dir.join("analysis");
    create_private_dir(&dir)?;
    if !third_party_allowed {
        remove_if_present(&dir.join("headline.csv"))?;
    }
    if analysis.breakdown.is_none() {
        remove_if_present(&dir.join("breakdown.csv"))?;
    }
    let mut written = Vec::new();
    let mut put = |path: PathBuf, bytes: &[u8]| -> std::io::Result<()> {
        commit.write(&path, bytes)?;
        written.push(path);
        Ok(())
    };
    if third_party_allowed {
        put(dir.join("headline.csv"), &headline_csv(analysis))?;
    }
    put(dir.join("subjects.csv"), &subjects_csv(analysis))?;
    if let Some(bytes) = breakdown_csv(analysis) {
        put(dir.join("breakdown.csv"), &bytes)?;
    }
    let xlsx = workbook(analysis, third_party_allowed)
        .and_then(|mut wb| wb.save_to_buffer())
        .map_err(|e| std::io::Error::other(format!("analysis.xlsx: {e}")))?;
    put(out_dir.join("analysis.xlsx"), &xlsx)?;
    Ok(written)
}

/// Removes a file an earlier run wrote, if it is there.
fn remove_if_present(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(std::io::Error::new(
            e.kind(),
            format!(
                "{}: an earlier run's file, which this run must remove, cannot be removed: {e}",
                path.display()
            ),
        )),
        _ => Ok(()),
    }
}

/// `analysis/changes.csv`: the headline measures before and after, and every subject whose
/// entries or percentages moved, so senior leaders see how the numbers moved with the reviews.
pub fn analysis_delta_csv(before: &Analysis, after: &Analysis) -> Vec<u8> {
    let mut w = crate::write::csvout::Builder::new([
        "section", "key", "title", "measure", "before", "after",
    ])
    .numeric(["before", "after"])
    .in_memory();
    for m in &after.headline {
        let old = before
            .measure(m.measure)
            .map(|b| b.value.text())
            .unwrap_or_default();
        let new = m.value.text();
        if old != new {
            w.put_record(["headline", m.measure, "", "value", &old, &new]);
        }
    }
    let rows =
        |a: &Analysis| -> std::collections::BTreeMap<(String, String), (String, [String; 3])> {
            a.subjects
                .rows
                .iter()
                .map(|r| {
                    (
                        (r.board.clone(), r.entry_code.clone()),
                        (
                            r.title.clone(),
                            [r.entries.to_string(), r.pct_top.text(), r.pct_pass.text()],
                        ),
                    )
                })
                .collect()
        };
    let (old, new) = (rows(before), rows(after));
    let keys: std::collections::BTreeSet<_> = old.keys().chain(new.keys()).cloned().collect();
    for k in keys {
        let blank = (String::new(), [String::new(), String::new(), String::new()]);
        let (o, n) = (old.get(&k).unwrap_or(&blank), new.get(&k).unwrap_or(&blank));
        let title = if n.0.is_empty() { &o.0 } else { &n.0 };
        for (i, measure) in ["entries", "pct_top", "pct_pass"].iter().enumerate() {
            if o.1[i] != n.1[i] {
                let key = format!("{} {}", k.0, k.1);
                w.put_record(["subject", &key, title, measure, &o.1[i], &n.1[i]]);
            }
        }
    }
    w.into_bytes()
}
