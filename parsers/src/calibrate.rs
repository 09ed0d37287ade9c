//! Checks that the UCI column is where the layout says: a file with another layout announces
//! itself here, because its UCIs validate at some other position.

use crate::layouts::{FieldSpec, ENTRY, RESULT};
use crate::model::DataType;
use crate::problem::{Problem, ProblemKind};
use crate::uci;

/// How many detail lines the check reads: enough to be sure, cheap on a big file.
const SAMPLE_LINES: usize = 500;
/// Fewer lines than this prove nothing either way.
const MIN_LINES: usize = 5;

/// Where UCIs validate in a sample of a file's detail lines.
#[derive(Debug, Clone, PartialEq)]
pub struct UciColumn {
    pub lines: usize,
    /// Share of lines whose UCI validates at the layout's position.
    pub at_layout: f64,
    /// The 1-based start where most lines validate, and the share there.
    pub best: Option<(usize, f64)>,
}

fn uci_field(data_type: DataType) -> Option<FieldSpec> {
    match data_type {
        DataType::Results => Some(RESULT.uci),
        DataType::Entries | DataType::Amendments => Some(ENTRY.uci),
        _ => None,
    }
}

fn validates_at(line: &[u8], start0: usize) -> bool {
    line.get(start0..start0 + 13)
        .and_then(|w| Some(uci::check_letter(&w[..12])? == w[12]))
        .unwrap_or(false)
}

/// Scans detail lines for the 13-character window whose check letter validates.
pub fn scan_uci_column(data_type: DataType, details: &[&[u8]]) -> Option<UciColumn> {
    let field = uci_field(data_type)?;
    let sample: Vec<&[u8]> = details.iter().take(SAMPLE_LINES).copied().collect();
    if sample.len() < MIN_LINES {
        return None;
    }
    let width = sample.iter().map(|l| l.len()).max().unwrap_or(0).min(200);
    let mut hits = vec![0usize; width.saturating_sub(12)];
    for line in &sample {
        for (start0, h) in hits.iter_mut().enumerate() {
            if validates_at(line, start0) {
                *h += 1;
            }
        }
    }
    let n = sample.len() as f64;
    let at_layout = hits.get(field.start - 1).copied().unwrap_or(0) as f64 / n;
    let best = hits
        .iter()
        .enumerate()
        .max_by_key(|&(i, &h)| (h, std::cmp::Reverse(i)))
        .filter(|&(_, &h)| h > 0)
        .map(|(i, &h)| (i + 1, h as f64 / n));
    Some(UciColumn {
        lines: sample.len(),
        at_layout,
        best,
    })
}

/// A problem when UCIs clearly validate somewhere other than the layout's column.
pub fn check_uci_column(
    data_type: DataType,
    details: &[&[u8]],
    first_detail_index: usize,
) -> Option<Problem> {
    let field = uci_field(data_type)?;
    let col = scan_uci_column(data_type, details)?;
    let (best_start, best_share) = col.best?;
    if best_start == field.start || col.at_layout >= 0.5 || best_share < 0.8 {
        return None;
    }
    Some(
        Problem::new(
            ProblemKind::LayoutMismatch,
            Some(first_detail_index + 1),
            format!(
                "UCIs validate at bytes {}–{} in {:.0}% of the first {} detail lines, but at the \
                 layout's bytes {}–{} in only {:.0}%: this file probably has a different layout \
                 from resultsday's working one (parsers/src/layouts.rs); its fields are likely \
                 misread",
                best_start,
                best_start + 12,
                best_share * 100.0,
                col.lines,
                field.start,
                field.end(),
                col.at_layout * 100.0
            ),
        )
        .at_field(field.name),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result_line(uci: &str, shift: usize) -> Vec<u8> {
        let mut line = vec![b' '; 92];
        line[..11].copy_from_slice(b"RS145200001");
        let start = 17 + shift;
        line[start..start + 13].copy_from_slice(uci.as_bytes());
        line
    }

    fn ucis() -> Vec<String> {
        (1..=20)
            .map(|i| uci::with_check_letter(&format!("1452002{i:05}")).unwrap())
            .collect()
    }

    #[test]
    fn layout_column_validates() {
        let lines: Vec<Vec<u8>> = ucis().iter().map(|u| result_line(u, 0)).collect();
        let refs: Vec<&[u8]> = lines.iter().map(|l| l.as_slice()).collect();
        let col = scan_uci_column(DataType::Results, &refs).unwrap();
        assert_eq!(col.at_layout, 1.0);
        assert_eq!(col.best.unwrap().0, 18);
        assert!(check_uci_column(DataType::Results, &refs, 1).is_none());
    }

    #[test]
    fn shifted_column_is_announced() {
        let lines: Vec<Vec<u8>> = ucis().iter().map(|u| result_line(u, 3)).collect();
        let refs: Vec<&[u8]> = lines.iter().map(|l| l.as_slice()).collect();
        let p = check_uci_column(DataType::Results, &refs, 1).unwrap();
        assert_eq!(p.kind, ProblemKind::LayoutMismatch);
        assert!(p.message.contains("bytes 21–33 in 100%"), "{}", p.message);
    }
}
