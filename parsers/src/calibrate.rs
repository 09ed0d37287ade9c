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

/// Whether a byte can be one of a UCI's first 12 characters.
fn uci_character(c: u8) -> bool {
    c.is_ascii_digit() || c.is_ascii_uppercase()
}

/// Counts in `hits` each start (0-based) at which a UCI validates in `line`. Only windows of
/// 12 digits and capitals followed by a check letter are worked out.
fn count_valid_starts(line: &[u8], hits: &mut [usize]) {
    let end = line.len().min(hits.len() + 12);
    // How many UCI characters run up to (not including) the byte at `i`.
    let mut run = 0usize;
    for (i, &c) in line[..end].iter().enumerate() {
        if run >= 12 && uci::CHECK_LETTERS.contains(&c) {
            let start0 = i - 12;
            if uci::check_letter(&line[start0..i]) == Some(c) {
                hits[start0] += 1;
            }
        }
        run = if uci_character(c) { run + 1 } else { 0 };
    }
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
        count_valid_starts(line, &mut hits);
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
    fn every_start_is_counted_as_a_window_by_window_check_counts_it() {
        let mut lines: Vec<Vec<u8>> = ucis()
            .iter()
            .enumerate()
            .map(|(i, u)| result_line(u, i % 5))
            .collect();
        lines.push(b"145200200001A145200200002H14520020000".to_vec());
        lines.push(format!("{}{}", ucis()[0], ucis()[1]).into_bytes());
        lines.push(b"AB12CD34EF56GHKLMRTVWXY 0123456789ABCDEFGHKLMRTVWXY".to_vec());
        lines.push(Vec::new());
        for line in &lines {
            for width in [0, 12, 13, 20, 40, 200] {
                let mut hits = vec![0usize; width];
                count_valid_starts(line, &mut hits);
                let expected: Vec<usize> = (0..width)
                    .map(|s| {
                        let valid = line
                            .get(s..s + 13)
                            .and_then(|w| Some(uci::check_letter(&w[..12])? == w[12]));
                        usize::from(valid == Some(true))
                    })
                    .collect();
                assert_eq!(hits, expected, "{}", String::from_utf8_lossy(line));
            }
        }
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
