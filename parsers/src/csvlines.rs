//! Line numbers of CSV rows as the person who opens the file counts them.
//!
//! The `csv` crate's record positions are not that line in three cases: after a CRLF line end
//! (every Windows spreadsheet writes them) a record is placed on the line before; after blank
//! lines, on the first blank line; and a lone CR never starts a new line. So messages count
//! lines here, from the byte where the reader began the record.

/// Counts lines through a CSV file's bytes, record by record, in one pass.
#[derive(Debug)]
pub struct Lines<'b> {
    body: &'b [u8],
    /// The byte counted up to, and the line it is on (1-based).
    at: usize,
    line: usize,
}

impl<'b> Lines<'b> {
    /// `body` must be the bytes the reader was given.
    pub fn new(body: &'b [u8]) -> Lines<'b> {
        Lines {
            body,
            at: 0,
            line: 1,
        }
    }

    /// The line on which the record the reader placed at `position` starts: the line ends and
    /// blank lines the reader stepped over first are skipped. CRLF, LF and a lone CR each end a
    /// line. Positions are expected in file order; an earlier one is counted from the start.
    pub fn of(&mut self, position: Option<&csv::Position>) -> usize {
        let Some(position) = position else {
            return self.line;
        };
        let body = self.body;
        let mut start = usize::try_from(position.byte())
            .unwrap_or(usize::MAX)
            .min(body.len());
        while start < body.len() && matches!(body[start], b'\r' | b'\n') {
            start += 1;
        }
        if start < self.at {
            self.at = 0;
            self.line = 1;
        }
        for i in self.at..start {
            match body[i] {
                b'\n' => self.line += 1,
                b'\r' if body.get(i + 1) != Some(&b'\n') => self.line += 1,
                _ => {}
            }
        }
        self.at = start;
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::Lines;

    fn lines_of(body: &[u8]) -> Vec<usize> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(body);
        let mut lines = Lines::new(body);
        reader
            .byte_records()
            .map(|r| lines.of(r.unwrap().position()))
            .collect()
    }

    #[test]
    fn rows_are_on_the_lines_a_person_counts() {
        assert_eq!(lines_of(b"a,b\n1,2\n3,4\n"), [1, 2, 3]);
        assert_eq!(lines_of(b"a,b\r\n1,2\r\n3,4\r\n"), [1, 2, 3]);
        assert_eq!(lines_of(b"a,b\n\n\n1,2\r\n\r\n3,4"), [1, 4, 6]);
        assert_eq!(lines_of(b"a,b\r1,2\r3,4"), [1, 2, 3]);
        // A quoted field over two lines: the next row starts on the line after both.
        assert_eq!(lines_of(b"a,b\n\"x\ny\",2\n3,4\n"), [1, 2, 4]);
    }
}
