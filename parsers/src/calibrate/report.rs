//! The report of a calibration, in words an exams officer can follow: per field, where the
//! file has it beside where resultsday assumes it, and plainly when a field could not be found.

use std::fmt;

use super::place::{bytes, gap, percent};
use super::{Calibration, FieldFinding, Placement, MIN_CALIBRATION_LINES};

fn what(table: &str) -> &'static str {
    match table {
        "E5" => "entries",
        _ => "results",
    }
}

fn found_at(f: &FieldFinding) -> String {
    match f.found {
        Some(pos) => bytes(pos),
        None if f.looked_for => "not found".into(),
        None => "not looked for".into(),
    }
}

fn status(f: &FieldFinding) -> String {
    match (f.found, f.looked_for) {
        (Some(_), _) if f.differs() => format!(
            "{}  MOVED ({} at resultsday's bytes)",
            percent(f.share),
            percent(f.layout_share)
        ),
        (Some(_), _) => format!("{}  same", percent(f.share)),
        (None, true) => "-  not enough evidence".into(),
        (None, false) => String::new(),
    }
}

/// One sentence on a field that moved or could not be found.
fn sentence(f: &FieldFinding) -> Option<String> {
    let layout = bytes(f.layout);
    let name = f.name;
    if let Some(found) = f.found.filter(|_| f.differs()) {
        return Some(format!(
            "The {name} is at {}, not at {layout} where resultsday reads it: {} of the lines \
             hold {} there ({} at {layout}).",
            bytes(found),
            percent(f.share),
            f.evidence,
            percent(f.layout_share)
        ));
    }
    if f.found.is_some() || !f.looked_for {
        return None;
    }
    let why = f.not_found.as_deref().unwrap_or("not enough evidence");
    let then = match f.placement {
        Placement::Found | Placement::Kept | Placement::NotRead => {
            format!("resultsday keeps reading it at {layout}")
        }
        Placement::MovedWith(other) => format!(
            "the layout written moves it to {}, as far as the {other} moved",
            bytes(f.placed)
        ),
        Placement::Unplaced => format!(
            "its bytes hold other fields, so the layout written puts it at {} only so that the \
             table reads: do not trust this field",
            bytes(f.placed)
        ),
    };
    Some(format!(
        "The {name} could not be found, for want of evidence: {why}. So {then}; check it on \
         the file before relying on it."
    ))
}

impl fmt::Display for Calibration {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        let files = match self.files.as_slice() {
            [one] => format!("1 file ({one})"),
            many => format!("{} files", many.len()),
        };
        writeln!(
            out,
            "Layout check: {} {} detail lines ({}) in {files}.",
            self.lines,
            what(self.table),
            self.table
        )?;
        for s in &self.skipped {
            writeln!(out, "Not checked: {s}.")?;
        }
        for s in &self.notes {
            writeln!(out, "Note: {s}.")?;
        }
        if !self.enough_lines() {
            return writeln!(
                out,
                "\nThere are too few detail lines to be sure where any field is (at least \
                 {MIN_CALIBRATION_LINES} are needed). Nothing is changed: resultsday keeps its \
                 own layout. Check again with a longer file, or with several files from the \
                 same board together."
            );
        }
        let l = &self.length;
        match l.found {
            Some(n) if n == l.layout => writeln!(
                out,
                "\nEach line is {n} bytes long ({} of lines), as resultsday assumes.",
                percent(l.share)
            )?,
            Some(n) => writeln!(
                out,
                "\nEach line is {n} bytes long ({} of lines); resultsday assumes {}.",
                percent(l.share),
                l.layout
            )?,
            None => writeln!(
                out,
                "\nThe lines differ in length (the commonest length is only {} of lines); \
                 resultsday keeps its record length of {}.",
                percent(l.share),
                l.layout
            )?,
        }
        if l.placed != l.found.unwrap_or(l.layout) {
            writeln!(
                out,
                "The layout written makes each record {} bytes long, so that every field has \
                 bytes of its own; a shorter line is read as if padded.",
                l.placed
            )?;
        }
        writeln!(
            out,
            "\n  {:<22}{:<16}{:<21}lines that agree",
            "field", "found at", "resultsday assumes"
        )?;
        for f in self.fields.iter().filter(|f| f.looked_for) {
            writeln!(
                out,
                "  {:<22}{:<16}{:<21}{}",
                f.name,
                found_at(f),
                bytes(f.layout),
                status(f)
            )?;
        }
        let sentences: Vec<String> = self.fields.iter().filter_map(sentence).collect();
        if !sentences.is_empty() {
            writeln!(out)?;
            for s in &sentences {
                writeln!(out, "- {s}")?;
            }
        }
        let others: Vec<&str> = self
            .fields
            .iter()
            .filter(|f| !f.looked_for && f.placement != Placement::NotRead)
            .map(|f| f.name)
            .collect();
        if !others.is_empty() {
            writeln!(
                out,
                "- Not looked for (nothing in the lines tells them apart): {}; each stays where \
                 resultsday has it, or moves with the fields beside it.",
                others.join(", ")
            )?;
        }
        for &(a, b) in &self.gaps {
            writeln!(out, "- {} no field resultsday reads.", gap(a, b))?;
        }
        writeln!(out)?;
        if self.fits() {
            return writeln!(
                out,
                "The file fits resultsday's layout: every field found is where resultsday reads \
                 it. Nothing needs changing."
            );
        }
        let moved = self.fields.iter().filter(|f| f.differs()).count();
        let unsure = self
            .fields
            .iter()
            .filter(|f| f.looked_for && f.found.is_none())
            .count();
        writeln!(
            out,
            "resultsday's layout does not fit this file: {moved} field{} found elsewhere{}. Read \
             the file with the layout table written with this check (only the positions that \
             differ are in it), and look over the first results it reads.",
            if moved == 1 { " is" } else { "s are" },
            match unsure {
                0 => String::new(),
                1 => ", and 1 field could not be found".into(),
                n => format!(", and {n} fields could not be found"),
            }
        )
    }
}
