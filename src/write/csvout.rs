//! Every CSV resultsday writes, written one way: UTF-8 with a byte-order mark (so Excel reads
//! É and ’ as they are), and no text cell that a spreadsheet would run as a formula.
//!
//! A spreadsheet takes a cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return
//! for a formula: a candidate name `=HYPERLINK("http://x","y")` in a board's file would become
//! a link in the exams officer's copy of `statements.csv`, and worse ("CSV injection", OWASP).
//! So, as OWASP recommends, such a text cell is written with a single quote before it and in
//! double quotes (`"'=HYPERLINK(""http://x"",""y"")"`): the spreadsheet shows the text and runs
//! nothing. Numbers stay numbers: a column the writer is told is numeric keeps a plain number
//! (`-3`, `-0.5`, `45.0`) as it is, and treats anything else in it as text.
//!
//! Reading back: [`uncell`] takes the quote away again, so a file resultsday wrote (an exported
//! log) imports as the values it was written from.

use std::borrow::Cow;
use std::io::{self, Write};

/// The byte-order mark every CSV starts with.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The characters that, first in a cell, make a spreadsheet read it as a formula (OWASP).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether `text` (after any single quotes) starts as a formula would.
fn formula_like(text: &str) -> bool {
    text.trim_start_matches('\'').starts_with(FORMULA_STARTS)
}

/// A text cell as written: with a single quote before it when a spreadsheet would otherwise
/// take it for a formula; unchanged otherwise. A cell that already starts with quotes before
/// such a character gets one more, so that [`uncell`] gives back exactly what was written.
pub fn cell(text: &str) -> Cow<'_, str> {
    if formula_like(text) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Whether `text` is a plain number as resultsday writes one: an optional minus, digits, and
/// an optional decimal part (`-3`, `0`, `45.0`, `-0.5`).
pub fn is_number(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    all_digits(whole) && fraction.is_none_or(all_digits)
}

/// A cell of a numeric column as written: a plain number (or a blank) as it is; anything else
/// as the text cell it then is.
pub fn number(text: &str) -> Cow<'_, str> {
    if text.is_empty() || is_number(text) {
        Cow::Borrowed(text)
    } else {
        cell(text)
    }
}

/// A cell read back from a CSV resultsday wrote: the value [`cell`] was given.
pub fn uncell(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if formula_like(rest) => rest,
        _ => text,
    }
}

/// How a CSV is to be written: its header, which of its columns are numeric, and whether it is
/// a whole file (byte-order mark and header first) or rows to add to a file already begun.
#[derive(Debug, Clone)]
pub struct Builder {
    header: Vec<String>,
    numeric: Vec<bool>,
    whole_file: bool,
}

impl Builder {
    /// A CSV with these columns, every one of them text until [`Builder::numeric`] says.
    pub fn new<I, T>(header: I) -> Builder
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        let header: Vec<String> = header.into_iter().map(|h| h.as_ref().to_string()).collect();
        Builder {
            numeric: vec![false; header.len()],
            header,
            whole_file: true,
        }
    }

    /// Marks these columns (by header name) as numeric: their plain numbers are written as they
    /// are. Every name must be in the header.
    pub fn numeric<I, T>(mut self, columns: I) -> Builder
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        for name in columns {
            let name = name.as_ref();
            let at = self.header.iter().position(|h| h == name);
            debug_assert!(at.is_some(), "numeric column {name} is not in the header");
            if let Some(i) = at {
                self.numeric[i] = true;
            }
        }
        self
    }

    /// Marks the columns at these positions (from 0) as numeric, where the header's names are
    /// not known in advance (a column per grade).
    pub fn numeric_at(mut self, columns: impl IntoIterator<Item = usize>) -> Builder {
        for i in columns {
            if let Some(n) = self.numeric.get_mut(i) {
                *n = true;
            }
        }
        self
    }

    /// Rows only, to add to a file whose byte-order mark and header are already written.
    pub fn rows_only(mut self) -> Builder {
        self.whole_file = false;
        self
    }

    /// Starts writing to `out`: the byte-order mark and the header first, unless
    /// [`Builder::rows_only`].
    pub fn from_writer<W: Write>(self, out: W) -> io::Result<Writer<W>> {
        // The header is text in every column.
        let mut w = Writer {
            out,
            numeric: vec![false; self.header.len()],
            line: String::new(),
        };
        if self.whole_file {
            w.out.write_all(BOM)?;
            w.write_record(&self.header)?;
        }
        w.numeric = self.numeric;
        Ok(w)
    }

    /// Starts writing in memory (which cannot fail); [`Writer::into_bytes`] gives the bytes.
    pub fn in_memory(self) -> Writer<Vec<u8>> {
        let mut w = Writer {
            out: Vec::new(),
            numeric: vec![false; self.header.len()],
            line: String::new(),
        };
        if self.whole_file {
            w.out.extend_from_slice(BOM);
            w.put_record(&self.header);
        }
        w.numeric = self.numeric;
        w
    }
}

/// A CSV being written (see [`Builder`]): every field through [`cell`] or [`number`].
pub struct Writer<W: Write> {
    out: W,
    numeric: Vec<bool>,
    /// The record being put together, written whole.
    line: String,
}

impl<W: Write> Writer<W> {
    /// Writes one record; a column past the header is text.
    pub fn write_record<I, T>(&mut self, record: I) -> io::Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        self.make_line(record);
        self.out.write_all(self.line.as_bytes())
    }

    /// Puts `record` together in `line`, with its line end.
    fn make_line<I, T>(&mut self, record: I)
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        self.line.clear();
        let mut fields = 0;
        for (i, field) in record.into_iter().enumerate() {
            let field = field.as_ref();
            let numeric = self.numeric.get(i).copied().unwrap_or(false);
            let written = if numeric { number(field) } else { cell(field) };
            if i > 0 {
                self.line.push(',');
            }
            push_field(&mut self.line, &written, matches!(written, Cow::Owned(_)));
            fields += 1;
        }
        if fields == 1 && self.line.is_empty() {
            // One blank field: quoted, so the line is not read as a blank line.
            self.line.push_str("\"\"");
        }
        self.line.push('\n');
    }

    /// Flushes what is written to the writer underneath.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// The writer underneath, flushed.
    pub fn into_inner(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

impl Writer<Vec<u8>> {
    /// Adds one record in memory (see [`Writer::write_record`]).
    pub fn put_record<I, T>(&mut self, record: I)
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        self.make_line(record);
        self.out.extend_from_slice(self.line.as_bytes());
    }

    /// The bytes written.
    pub fn into_bytes(self) -> Vec<u8> {
        self.out
    }
}

/// Adds a field: in double quotes (a double quote in it doubled) when it was neutralised or
/// holds a comma, a double quote or a line end; as it is otherwise. This is how the `csv`
/// crate quotes, so a file with nothing to neutralise has the same bytes it had before.
fn push_field(line: &mut String, field: &str, neutralised: bool) {
    if neutralised || field.contains([',', '"', '\r', '\n']) {
        line.push('"');
        line.push_str(&field.replace('"', "\"\""));
        line.push('"');
    } else {
        line.push_str(field);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_row(cells: &[&str]) -> String {
        let mut w = Builder::new(["a"])
            .rows_only()
            .from_writer(Vec::new())
            .unwrap();
        w.write_record(cells.iter().chain(&["x"])).unwrap();
        String::from_utf8(w.into_inner().unwrap()).unwrap()
    }

    #[test]
    fn text_cells_in_and_out() {
        let table: &[(&str, &str)] = &[
            // Every formula start: a quote first, and the field quoted.
            ("=1+1", "\"'=1+1\""),
            ("+447700900123", "\"'+447700900123\""),
            ("-3", "\"'-3\""),
            ("-3 ", "\"'-3 \""),
            ("@SUM(A1)", "\"'@SUM(A1)\""),
            ("\tx", "\"'\tx\""),
            ("\rx", "\"'\rx\""),
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"",
            ),
            ("-", "\"'-\""),
            // Quotes already before a formula start: one more, so reading back is exact.
            ("'=1+1", "\"''=1+1\""),
            // Everything else as the csv crate writes it.
            ("", ""),
            ("SMITH:ANN", "SMITH:ANN"),
            ("O'NEILL", "O'NEILL"),
            ("'quoted'", "'quoted'"),
            ("a=b", "a=b"),
            (" =1", " =1"),
            ("Trilogy, Higher", "\"Trilogy, Higher\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("two\nlines", "\"two\nlines\""),
            ("3", "3"),
            ("ÉMILE", "ÉMILE"),
        ];
        for (value, written) in table {
            assert_eq!(text_row(&[value]), format!("{written},x\n"), "{value:?}");
        }
    }

    #[test]
    fn numeric_cells_in_and_out() {
        let table: &[(&str, &str)] = &[
            ("-3", "-3"),
            ("-0.5", "-0.5"),
            ("45.0", "45.0"),
            ("0", "0"),
            ("", ""),
            ("n/a", "n/a"),
            // Not plain numbers: text, neutralised as text is.
            ("-3 ", "\"'-3 \""),
            ("-1+1", "\"'-1+1\""),
            ("+3", "\"'+3\""),
            ("=1", "\"'=1\""),
            ("-", "\"'-\""),
            ("-.5", "\"'-.5\""),
            ("1e5", "1e5"),
        ];
        for (value, written) in table {
            let mut w = Builder::new(["mark"])
                .numeric(["mark"])
                .rows_only()
                .from_writer(Vec::new())
                .unwrap();
            w.write_record([value, "x"]).unwrap();
            let out = String::from_utf8(w.into_inner().unwrap()).unwrap();
            assert_eq!(out, format!("{written},x\n"), "{value:?}");
        }
    }

    #[test]
    fn a_whole_file_starts_with_the_bom_and_the_header() {
        let mut w = Builder::new(["name", "mark"])
            .numeric(["mark"])
            .from_writer(Vec::new())
            .unwrap();
        w.write_record(["@cmd", "-1"]).unwrap();
        w.write_record(["A, B", ""]).unwrap();
        let bytes = w.into_inner().unwrap();
        assert_eq!(bytes, b"\xEF\xBB\xBFname,mark\n\"'@cmd\",-1\n\"A, B\",\n");
    }

    #[test]
    fn the_same_bytes_as_the_csv_crate_when_nothing_is_neutralised() {
        let rows: &[&[&str]] = &[
            &["a", "b,c", "d\"e", ""],
            &["", "", "", ""],
            &["x\r\ny", "É", "'", "1.5"],
            &[""],
        ];
        let mut ours = Builder::new(["h1", "h2", "h3", "h4"])
            .from_writer(Vec::new())
            .unwrap();
        let mut theirs = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(BOM.to_vec());
        theirs.write_record(["h1", "h2", "h3", "h4"]).unwrap();
        for row in rows {
            ours.write_record(*row).unwrap();
            theirs.write_record(*row).unwrap();
        }
        assert_eq!(ours.into_inner().unwrap(), theirs.into_inner().unwrap());
    }

    #[test]
    fn reading_back_gives_what_was_written() {
        for value in [
            "=1+1", "'=1+1", "''@x", "-3", "'", "'x", "O'NEILL", "", "\tx", "plain",
        ] {
            assert_eq!(uncell(&cell(value)), value, "{value:?}");
        }
        // And the csv crate reads the quoted field and skips the byte-order mark.
        let mut w = Builder::new(["reference"]).from_writer(Vec::new()).unwrap();
        w.write_record(["=HYPERLINK(\"http://x\",\"y\")"]).unwrap();
        let bytes = w.into_inner().unwrap();
        let mut r = csv::Reader::from_reader(bytes.as_slice());
        assert_eq!(
            r.headers().unwrap().iter().collect::<Vec<_>>(),
            ["reference"]
        );
        let row = r.records().next().unwrap().unwrap();
        assert_eq!(uncell(&row[0]), "=HYPERLINK(\"http://x\",\"y\")");
    }
}
