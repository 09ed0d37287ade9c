//! The layout table a calibration writes: every field found where it was found, every field not
//! found where the evidence around it allows, the bytes resultsday does not read in what is
//! left, and no two fields overlapping; then the table as override text.

use super::{Calibration, FieldFinding, Placement};
use crate::layouts::{FieldKind, FieldSpec, Layouts};

/// The positions of a written table: per field its (start, width) and how it came by it, the
/// record length, and the byte ranges no field covers.
pub(super) struct Laid {
    pub fields: Vec<((usize, usize), Placement)>,
    pub length: usize,
    pub gaps: Vec<(usize, usize)>,
}

/// The layout as it stands (too few lines to change anything).
pub(super) fn unchanged(fields: &[(&'static str, FieldSpec)], length: usize) -> Laid {
    let how = |f: &FieldSpec| match f.kind {
        FieldKind::Unused => Placement::NotRead,
        _ => Placement::Kept,
    };
    Laid {
        fields: fields
            .iter()
            .map(|(_, f)| ((f.start, f.len), how(f)))
            .collect(),
        length,
        gaps: Vec::new(),
    }
}

fn overlaps(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < b.0 + b.1 && b.0 < a.0 + a.1
}

/// Runs of bytes in `1..=length` that no placed field covers, as (start, width).
fn free_runs(placed: &[Option<(usize, usize)>], length: usize) -> Vec<(usize, usize)> {
    let mut taken = vec![false; length + 1];
    for &(s, l) in placed.iter().flatten() {
        let end = (s + l).min(length + 1);
        taken[s.min(end)..end].fill(true);
    }
    let mut runs = Vec::new();
    let mut b = 1;
    while b <= length {
        if taken[b] {
            b += 1;
            continue;
        }
        let start = b;
        while b <= length && !taken[b] {
            b += 1;
        }
        runs.push((start, b - start));
    }
    runs
}

pub(super) fn place(
    fields: &[(&'static str, FieldSpec)],
    found: &[Option<(usize, usize)>],
    length: usize,
) -> Laid {
    let n = fields.len();
    let mut at: Vec<Option<(usize, usize)>> = vec![None; n];
    let mut how = vec![Placement::Kept; n];
    let is_free = |at: &[Option<(usize, usize)>], pos: (usize, usize)| {
        at.iter().flatten().all(|&p| !overlaps(p, pos))
    };
    for i in 0..n {
        if let Some(pos) = found[i].filter(|&p| is_free(&at, p)) {
            at[i] = Some(pos);
            how[i] = Placement::Found;
        }
    }
    let mut length = at
        .iter()
        .flatten()
        .map(|p| p.0 + p.1 - 1)
        .fold(length, usize::max);
    // A field found beside this one (before it, or after it, in the layout), and by how many
    // bytes it moved.
    let anchor = |at: &[Option<(usize, usize)>], how: &[Placement], i: usize, before: bool| {
        let start = fields[i].1.start;
        (0..n)
            .filter(|&j| how[j] == Placement::Found && fields[j].0 != "record_type")
            .filter(|&j| fields[j].1.kind != FieldKind::Unused)
            .filter(|&j| (fields[j].1.start < start) == before && j != i)
            .min_by_key(|&j| fields[j].1.start.abs_diff(start))
            .and_then(|j| Some((at[j]?.0 as i64 - fields[j].1.start as i64, fields[j].1.name)))
    };
    for i in 0..n {
        let f = fields[i].1;
        if at[i].is_some() || f.kind == FieldKind::Unused {
            continue;
        }
        let (before, after) = (anchor(&at, &how, i, true), anchor(&at, &how, i, false));
        let moved = |a: Option<(i64, &'static str)>| {
            a.map(|(shift, name)| match shift {
                0 => (0, Placement::Kept),
                _ => (shift, Placement::MovedWith(name)),
            })
        };
        let both = before.filter(|b| after.is_some_and(|a| a.0 == b.0));
        let tries = [
            moved(both),
            Some((0, Placement::Kept)),
            moved(before),
            moved(after),
        ];
        let fits = |shift: i64| {
            let start = f.start as i64 + shift;
            let pos = (start.max(1) as usize, f.len);
            (start >= 1 && pos.0 + pos.1 - 1 <= length && is_free(&at, pos)).then_some(pos)
        };
        let placed = tries
            .into_iter()
            .flatten()
            .find_map(|(shift, p)| Some((fits(shift)?, p)));
        let (pos, p) = placed.unwrap_or_else(|| {
            // Nowhere the evidence allows: the free bytes nearest its own, else past the end.
            let near = free_runs(&at, length)
                .into_iter()
                .filter(|r| r.1 >= f.len)
                .map(|r| (f.start.clamp(r.0, r.0 + r.1 - f.len), f.len))
                .min_by_key(|p| p.0.abs_diff(f.start));
            let pos = near.unwrap_or((length + 1, f.len));
            length = length.max(pos.0 + pos.1 - 1);
            (pos, Placement::Unplaced)
        });
        at[i] = Some(pos);
        how[i] = p;
    }
    // The bytes not read go in the runs left, each preferring the run beside the fields it is
    // beside in the layout, then the run that overlaps its own bytes, then the longest.
    let mut runs: Vec<((usize, usize), Option<usize>)> = free_runs(&at, length)
        .into_iter()
        .map(|r| (r, None))
        .collect();
    for i in 0..n {
        let f = fields[i].1;
        if f.kind != FieldKind::Unused {
            continue;
        }
        let neighbour = |before: bool| {
            (0..n)
                .filter(|&j| fields[j].1.kind != FieldKind::Unused)
                .filter(|&j| (fields[j].1.start < f.start) == before)
                .min_by_key(|&j| fields[j].1.start.abs_diff(f.start))
                .and_then(|j| at[j])
        };
        let (prev, next) = (neighbour(true), neighbour(false));
        let beside = |r: (usize, usize)| {
            prev.is_some_and(|p| p.0 + p.1 == r.0) || next.is_some_and(|q| r.0 + r.1 == q.0)
        };
        let own = |r: (usize, usize)| {
            let end = (r.0 + r.1).min(f.start + f.len);
            end.saturating_sub(r.0.max(f.start))
        };
        let choice = (0..runs.len())
            .filter(|&k| runs[k].1.is_none())
            .max_by_key(|&k| (beside(runs[k].0), own(runs[k].0), runs[k].0 .1));
        let pos = match choice {
            Some(k) => {
                runs[k].1 = Some(i);
                runs[k].0
            }
            None => {
                // Every run is taken: share the longest one given to bytes not read.
                match (0..runs.len())
                    .filter(|&k| runs[k].0 .1 >= 2)
                    .max_by_key(|&k| runs[k].0 .1)
                {
                    Some(k) => {
                        let ((s, l), owner) = runs[k];
                        let half = l / 2;
                        runs[k].0 = (s, l - half);
                        if let Some(o) = owner {
                            at[o] = Some((s, l - half));
                        }
                        (s + l - half, half)
                    }
                    None => {
                        length += 1;
                        (length, 1)
                    }
                }
            }
        };
        at[i] = Some(pos);
        how[i] = Placement::NotRead;
    }
    let gaps = runs
        .iter()
        .filter(|r| r.1.is_none())
        .map(|r| (r.0 .0, r.0 .0 + r.0 .1 - 1))
        .collect();
    Laid {
        fields: at
            .into_iter()
            .map(|p| p.unwrap_or((1, 1)))
            .zip(how)
            .collect(),
        length,
        gaps,
    }
}

/// A share of lines in whole percent, never rounded up to 100.
pub(super) fn percent(share: f64) -> String {
    let p = (share * 100.0).floor();
    let p = if share < 1.0 { p.min(99.0) } else { p };
    format!("{p:.0}%")
}

/// A range no field covers, as a sentence's subject and verb: `Bytes 3–5 hold`, `Byte 3 holds`.
pub(super) fn gap(a: usize, b: usize) -> String {
    if a == b {
        format!("Byte {a} holds")
    } else {
        format!("Bytes {a}–{b} hold")
    }
}

/// `bytes 18–30`, or `byte 37`.
pub(super) fn bytes(pos: (usize, usize)) -> String {
    if pos.1 == 1 {
        format!("byte {}", pos.0)
    } else {
        format!("bytes {}–{}", pos.0, pos.0 + pos.1 - 1)
    }
}

fn line(setting: String, comment: &str) -> String {
    format!("{setting:<26} # {comment}\n")
}

/// The tables of `layouts` other than `table` that differ from the built-in ones, as override
/// text.
pub(super) fn other_tables(layouts: &Layouts, table: &str) -> String {
    let builtin = Layouts::builtin();
    let mut out = String::new();
    for ((name, fields), (_, base)) in layouts.tables().into_iter().zip(builtin.tables()) {
        if name == table {
            continue;
        }
        let letter = name.as_bytes()[0];
        let mut lines = String::new();
        if let (Some(a), Some(b)) = (layouts.record_len(letter), builtin.record_len(letter)) {
            if a != b && name.ends_with('5') {
                lines.push_str(&line(format!("length = {a}"), "from the layout in use"));
            }
        }
        for ((key, f), (_, b)) in fields.iter().zip(&base) {
            if (f.start, f.len) != (b.start, b.len) {
                lines.push_str(&line(
                    format!("{key} = [{}, {}]", f.start, f.len),
                    "from the layout in use",
                ));
            }
        }
        if !lines.is_empty() {
            out.push_str(&format!("\n[{name}]\n{lines}"));
        }
    }
    out
}

fn comment(f: &FieldFinding) -> String {
    let why = f.not_found.as_deref().unwrap_or("not enough evidence");
    match f.placement {
        Placement::Found => format!("{} of lines: {}", percent(f.share), f.evidence),
        Placement::Kept => format!("not found ({why}); kept where the layout in use has it"),
        Placement::MovedWith(other) => {
            format!("not found ({why}); moved as far as the {other} moved: check it")
        }
        Placement::NotRead => "bytes resultsday does not read".into(),
        Placement::Unplaced => format!(
            "NOT FOUND ({why}); put in free bytes only so that the table reads: do not trust it"
        ),
    }
}

impl Calibration {
    /// The layout table that reads the studied files, in the override format of
    /// [`Layouts::with_overrides`]: the calibrated table (`[R5]` or `[E5]`) naming only the
    /// fields whose positions differ from the built-in table, each with a comment that says the
    /// share of lines that support it; then any other table of the layout in use that differs
    /// from the built-in one. With too few lines, or a file that fits, it says so and names no
    /// field of the calibrated table.
    pub fn toml(&self) -> String {
        let builtin = Layouts::builtin();
        let (base, base_len) = match self.table {
            "E5" => (builtin.entry.fields(), builtin.entry.length),
            _ => (builtin.result.fields(), builtin.result.length),
        };
        let files = match self.files.len() {
            1 => format!("1 file ({})", self.files[0]),
            n => format!("{n} files"),
        };
        let mut out = format!(
            "# resultsday layout check of {} {} detail lines in {files}.\n",
            self.lines, self.table
        );
        // With too few lines every position is the layout in use's, so the lines below keep it.
        let mut body = String::new();
        let l = &self.length;
        if l.placed != base_len {
            let c = match l.found {
                Some(found) if found == l.placed => {
                    format!("{} of lines are {found} bytes long", percent(l.share))
                }
                Some(found) => format!(
                    "{} of lines are {found} bytes long; {} makes room for every field \
                     (a shorter line is read as if padded)",
                    percent(l.share),
                    l.placed
                ),
                None => "kept from the layout in use: the lines do not agree on a length".into(),
            };
            body.push_str(&line(format!("length = {}", l.placed), &c));
        }
        for (f, (_, b)) in self.fields.iter().zip(&base) {
            if f.placed != (b.start, b.len) {
                let setting = format!("{} = [{}, {}]", f.key, f.placed.0, f.placed.1);
                body.push_str(&line(setting, &comment(f)));
            }
        }
        for note in &self.notes {
            out.push_str(&format!("# Note: {note}.\n"));
        }
        if !self.enough_lines() {
            out.push_str(&format!(
                "# Too few lines to be sure of any position (at least {} are needed): nothing is\n\
                 # changed, and the layout in use is kept.\n",
                super::MIN_CALIBRATION_LINES
            ));
        } else if body.is_empty() {
            out.push_str(
                "# The file fits resultsday's layout: every field found is where resultsday reads \
                 it,\n# so no field is overridden.\n",
            );
        } else {
            out.push_str(
                "# Only the positions that differ from resultsday's built-in layout are named; \
                 every\n# other field keeps its built-in position. Each comment says the share \
                 of lines that\n# support the position.\n",
            );
            if self.fits() {
                out.push_str(
                    "# The file fits the layout in use: these are that layout's positions.\n",
                );
            }
        }
        if !body.is_empty() {
            out.push_str(&format!("[{}]\n{body}", self.table));
            for &(a, b) in &self.gaps {
                out.push_str(&format!("# {} no field resultsday reads\n", gap(a, b)));
            }
        }
        out.push_str(&self.other_tables);
        out
    }
}
