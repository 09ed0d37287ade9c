//! The results area of a results record: the grades, by the options' gradesets; the result
//! flag, by its `M` and `E`; the mark or endorsement, by agreeing with the flag; the max mark,
//! by never being lower than the mark; and the second grade, which most lines leave blank.

use super::{blank, digits, trimmed, Search, Searcher, FLAG_SHARE, MIN_SHARE, MIN_VALUES};
use crate::layouts::{FieldSpec, SLOT_OPTION_LEN};
use crate::tables::Gradeset;

/// Whether a 2-byte window holds a grade: left-aligned, with a trailing `#` allowed, in the
/// option's gradeset (or `X`, `Q`), or shaped like a grade when the gradeset is not known.
fn grade(w: &[u8], set: Option<&Gradeset>) -> bool {
    if w.first().is_none_or(|&b| b == b' ') {
        return false;
    }
    let t = w.trim_ascii_end();
    let t = t.strip_suffix(b"#").unwrap_or(t).trim_ascii_end();
    let Some(g) = std::str::from_utf8(t).ok().filter(|g| !g.is_empty()) else {
        return false;
    };
    match set {
        Some(set) => set.allows(g),
        None => {
            let ok = |b: u8| b.is_ascii_digit() || b.is_ascii_uppercase() || b == b'*';
            // No grade is two digits, or 0.
            t.iter().all(|&b| ok(b)) && !(t.len() == 2 && digits(t)) && t != b"0"
        }
    }
}

impl<'a> Searcher<'a> {
    /// Each line's gradeset, when the option column and the basedata say it.
    fn gradesets(&self) -> Vec<Option<&'a Gradeset>> {
        let (Some(&(o, _)), Some(options)) = (self.at.get("option"), &self.hints.options) else {
            return vec![None; self.n];
        };
        (0..self.n)
            .map(|r| {
                let code = options
                    .get(trimmed(self.win(r, o, SLOT_OPTION_LEN))?)?
                    .as_deref()?;
                self.hints.gradesets.get(code)
            })
            .collect()
    }

    fn grade_evidence(&self, sets: &[Option<&Gradeset>], what: &str) -> String {
        if sets.iter().any(Option::is_some) {
            format!("{what} of the option's gradeset, X or Q")
        } else {
            format!("{what} such as 9, A*, U, X or Q (no gradesets to check against)")
        }
    }

    pub(super) fn grade1(&mut self, f: FieldSpec) -> Search {
        let sets = self.gradesets();
        let mut counts = vec![0usize; self.st.width.saturating_sub(1)];
        for (r, set) in sets.iter().enumerate() {
            for (s, n) in counts.iter_mut().enumerate() {
                *n += usize::from(grade(self.win(r, s, 2), *set));
            }
        }
        let best = self.pick(&counts, |s| self.free(s, 2), f.start - 1, |_| 0);
        let evidence = self.grade_evidence(&sets, "a grade");
        let why = "no 2-byte column of grades in most lines";
        self.conclude("grade1", best, 2, &counts, f, &evidence, why)
    }

    pub(super) fn grade2(&mut self, f: FieldSpec) -> Search {
        let sets = self.gradesets();
        let w = self.st.width;
        let (mut valid, mut blanks) = (
            vec![0usize; w.saturating_sub(1)],
            vec![0usize; w.saturating_sub(1)],
        );
        for (r, set) in sets.iter().enumerate() {
            for s in 0..valid.len() {
                let v = self.win(r, s, 2);
                valid[s] += usize::from(grade(v, *set));
                blanks[s] += usize::from(blank(v));
            }
        }
        let support: Vec<usize> = (0..valid.len()).map(|s| valid[s] + blanks[s]).collect();
        let values: Vec<usize> = (0..valid.len())
            .map(|s| {
                let filled = self.n - blanks[s];
                let ok = valid[s] >= MIN_VALUES && valid[s] as f64 >= filled as f64 * MIN_SHARE;
                if ok {
                    valid[s]
                } else {
                    0
                }
            })
            .collect();
        let after_grade1 = self.at.get("grade1").map(|g| g.0 + g.1);
        let best = self
            .pick(
                &values,
                |s| self.free(s, 2),
                f.start - 1,
                |s| i64::from(Some(s) == after_grade1),
            )
            .map(|(s, _)| (s, support[s]));
        let layout = support
            .get(f.start - 1)
            .filter(|_| values.get(f.start - 1) > Some(&0));
        let evidence = self.grade_evidence(&sets, "nothing, or a second grade");
        let why = "no line holds a second grade (a double award's) in a column of its own";
        let mut out = self.conclude("grade2", best, 2, &support, f, &evidence, why);
        out.layout_count = layout.copied().unwrap_or(0);
        out
    }

    pub(super) fn flag(&mut self, f: FieldSpec) -> Search {
        let w = self.st.width;
        let (mut me, mut blanks) = (vec![0usize; w], vec![0usize; w]);
        for row in &self.st.rows {
            for s in 0..w {
                me[s] += usize::from(matches!(row[s], b'M' | b'E'));
                blanks[s] += usize::from(row[s] == b' ');
            }
        }
        let enough = |s: usize| (me[s] + blanks[s]) as f64 >= self.n as f64 * FLAG_SHARE;
        let values: Vec<usize> = (0..w)
            .map(|s| {
                if me[s] >= MIN_VALUES && enough(s) {
                    me[s]
                } else {
                    0
                }
            })
            .collect();
        let support: Vec<usize> = (0..w).map(|s| me[s] + blanks[s]).collect();
        let best = self
            .pick(&values, |s| self.free(s, 1), f.start - 1, |_| 0)
            .map(|(s, _)| (s, support[s]));
        let why = "no column holds M or E in enough lines, and a file with no marks and no \
                   endorsements shows no flag";
        let mut out = self.conclude("flag", best, 1, &support, f, "M, E or a space", why);
        if values.get(f.start - 1) == Some(&0) {
            out.layout_count = 0;
        }
        out
    }

    /// For each 3-byte window, the lines whose flag and window agree: digits after `M`, text
    /// after `E`, blank after blank; and how many of the lines with `M` or `E` agree.
    fn mark_counts(&self, fl: usize) -> (Vec<usize>, Vec<usize>, usize) {
        let w = self.st.width;
        let (mut all, mut flagged) = (
            vec![0usize; w.saturating_sub(2)],
            vec![0usize; w.saturating_sub(2)],
        );
        let mut with_flag = 0;
        for r in 0..self.n {
            let flag = self.st.rows[r][fl];
            with_flag += usize::from(flag != b' ');
            for s in 0..all.len() {
                let v = self.win(r, s, 3);
                let ok = match flag {
                    b'M' => digits(v),
                    b'E' => v[0] != b' ',
                    b' ' => blank(v),
                    _ => false,
                };
                all[s] += usize::from(ok);
                flagged[s] += usize::from(ok && flag != b' ');
            }
        }
        (all, flagged, with_flag)
    }

    /// For each 3-byte window, the lines where it can be the max mark of the mark at `m`: digits
    /// no lower than the mark, or (with no mark) blank or digits; and how many lines have marks.
    fn max_counts(&self, m: usize) -> (Vec<usize>, Vec<usize>, usize) {
        let w = self.st.width;
        let fl = self.at.get("flag").map(|f| f.0);
        let (mut all, mut marked) = (
            vec![0usize; w.saturating_sub(2)],
            vec![0usize; w.saturating_sub(2)],
        );
        let mut with_mark = 0;
        for r in 0..self.n {
            let mark = self.win(r, m, 3);
            let mark: Option<u32> = (fl.map(|f| self.st.rows[r][f]) == Some(b'M') && digits(mark))
                .then(|| trimmed(mark).and_then(|t| t.parse().ok()))
                .flatten();
            with_mark += usize::from(mark.is_some());
            for s in 0..all.len() {
                let v = self.win(r, s, 3);
                let ok = match mark {
                    Some(mark) => {
                        digits(v) && trimmed(v).and_then(|t| t.parse().ok()) >= Some(mark)
                    }
                    None => blank(v) || digits(v),
                };
                all[s] += usize::from(ok);
                marked[s] += usize::from(ok && mark.is_some());
            }
        }
        (all, marked, with_mark)
    }

    /// Windows whose support counts: enough of the informative lines and of all lines agree.
    fn informed(&self, all: &[usize], informative: &[usize], of: usize) -> Vec<usize> {
        (0..all.len())
            .map(|s| {
                let ok = informative[s] >= MIN_VALUES
                    && informative[s] as f64 >= of as f64 * MIN_SHARE
                    && all[s] >= self.need();
                if ok {
                    all[s]
                } else {
                    0
                }
            })
            .collect()
    }

    /// The best max-mark window for a mark at `m` (not overlapping it), and its support.
    fn best_max(&self, m: usize, layout0: usize) -> (Option<(usize, usize)>, Vec<usize>) {
        let (all, marked, with_mark) = self.max_counts(m);
        let values = self.informed(&all, &marked, with_mark);
        let ok = |s: usize| self.free(s, 3) && (s + 3 <= m || s >= m + 3);
        (self.pick(&values, ok, layout0, |_| 0), all)
    }

    pub(super) fn mark(&mut self, f: FieldSpec) -> Search {
        let evidence = "a mark where the flag is M, an endorsement where it is E, and nothing \
                        where it is blank";
        let Some(&(fl, _)) = self.at.get("flag") else {
            let why = "the result flag was not found, and it says what these bytes hold";
            return self.conclude("mark_or_endorsement", None, 3, &[], f, evidence, why);
        };
        let (all, flagged, with_flag) = self.mark_counts(fl);
        let values = self.informed(&all, &flagged, with_flag);
        // Windows that agree as well as the best are told apart by the max mark beside them.
        let top = (0..values.len())
            .filter(|&s| self.free(s, 3))
            .map(|s| values[s])
            .max();
        let max_layout = f.end() + 1;
        let tie = |s: usize| {
            let best = self.best_max(s, max_layout.saturating_sub(1)).0;
            best.map_or(0, |b| b.1 as i64)
        };
        let tie_of_top = |s: usize| if Some(values[s]) == top { tie(s) } else { 0 };
        let best = self.pick(&values, |s| self.free(s, 3), f.start - 1, tie_of_top);
        let why = "no 3-byte column agrees with the result flag in enough lines";
        let mut out = self.conclude("mark_or_endorsement", best, 3, &all, f, evidence, why);
        if values.get(f.start - 1) == Some(&0) {
            out.layout_count = 0;
        }
        out
    }

    pub(super) fn max_mark(&mut self, f: FieldSpec) -> Search {
        let evidence = "a maximum mark no lower than the mark";
        let Some(&(m, _)) = self.at.get("mark_or_endorsement") else {
            let why = "the mark was not found, and the max mark is known by it";
            return self.conclude("max_mark", None, 3, &[], f, evidence, why);
        };
        let (best, all) = self.best_max(m, f.start - 1);
        let why = "no 3-byte column holds a maximum mark beside the marks in enough lines";
        let mut out = self.conclude("max_mark", best, 3, &all, f, evidence, why);
        let (_, marked, with_mark) = self.max_counts(m);
        if self.informed(&all, &marked, with_mark).get(f.start - 1) == Some(&0) {
            out.layout_count = 0;
        }
        out
    }
}
