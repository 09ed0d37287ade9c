//! What changed between two runs of the same centre and series: the rediff behind `changes.csv`.

use std::collections::{BTreeMap, BTreeSet};

use parsers::{Grade, Gradesets};
use serde::Serialize;

use crate::model::CandidateResult;

/// Which way a result moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// The grade went up.
    Up,
    /// The grade went down.
    Down,
    /// The mark moved, the grade did not.
    Same,
    /// A result where there was none (or a pending or no-result indicator became a grade).
    New,
    /// A result that is no longer there.
    Removed,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Up => "up",
            Direction::Down => "down",
            Direction::Same => "same",
            Direction::New => "new",
            Direction::Removed => "removed",
        }
    }
}

/// One changed result: a row of `changes.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub candidate_number: String,
    pub uci: String,
    pub name: String,
    pub board: String,
    pub entry_code: String,
    pub title: String,
    /// Grades as printed on a statement (`7-6`, `Pending`); blank where there was none.
    pub old_grade: String,
    pub new_grade: String,
    pub old_mark: Option<u16>,
    pub new_mark: Option<u16>,
    pub direction: Direction,
    /// The reference of the open post-results request this change answers.
    pub prs_request: Option<String>,
    /// `Some(true)` where the board waives the fee, `Some(false)` where a request exists and it
    /// does not; `None` without a request.
    pub refund_due: Option<bool>,
}

impl Change {
    /// Whether the qualification grade itself changed (what decides a refund).
    pub fn grade_changed(&self) -> bool {
        self.old_grade != self.new_grade
    }
}

/// Compares the results of an earlier run with a later one: one change per result whose grade,
/// mark or endorsement moved, or that appeared or went. Sorted by candidate, board, entry code.
pub fn compare(
    old: &[CandidateResult],
    new: &[CandidateResult],
    gradesets: &Gradesets,
) -> Vec<Change> {
    let key = |r: &CandidateResult| {
        (
            r.candidate_number.clone(),
            r.board.clone(),
            r.entry_code.clone(),
        )
    };
    let before: BTreeMap<_, &CandidateResult> = old.iter().map(|r| (key(r), r)).collect();
    let after: BTreeMap<_, &CandidateResult> = new.iter().map(|r| (key(r), r)).collect();
    let keys: BTreeSet<_> = before.keys().chain(after.keys()).cloned().collect();
    let mut changes = Vec::new();
    for k in keys {
        let (o, n) = (before.get(&k).copied(), after.get(&k).copied());
        let direction = match (o, n) {
            (None, Some(_)) => Direction::New,
            (Some(_), None) => Direction::Removed,
            (Some(o), Some(n)) => match direction(o, n, gradesets) {
                Some(d) => d,
                None => continue,
            },
            (None, None) => continue,
        };
        let shown = n.or(o).expect("one side exists");
        changes.push(Change {
            candidate_number: shown.candidate_number.clone(),
            uci: shown.uci.clone(),
            name: shown.name.clone(),
            board: shown.board.clone(),
            entry_code: shown.entry_code.clone(),
            title: shown.title.clone(),
            old_grade: o.map(|r| r.printed_grade()).unwrap_or_default(),
            new_grade: n.map(|r| r.printed_grade()).unwrap_or_default(),
            old_mark: o.and_then(|r| r.mark),
            new_mark: n.and_then(|r| r.mark),
            direction,
            prs_request: None,
            refund_due: None,
        });
    }
    changes
}

/// How a result present in both runs moved; `None` when nothing an exams officer acts on did.
fn direction(o: &CandidateResult, n: &CandidateResult, gradesets: &Gradesets) -> Option<Direction> {
    let grade_moved = o.printed_grade() != n.printed_grade();
    if !grade_moved {
        let other_moved = o.mark != n.mark || o.endorsement != n.endorsement;
        return other_moved.then_some(Direction::Same);
    }
    match (standing(o, gradesets), standing(n, gradesets)) {
        // A pending or no-result indicator, or a blank, became a grade.
        (None, Some(_)) => Some(Direction::New),
        // A grade became an indicator: the grade is no longer there.
        (Some(_), None) => Some(Direction::Removed),
        (Some(a), Some(b)) if b < a => Some(Direction::Up),
        (Some(a), Some(b)) if b > a => Some(Direction::Down),
        // Only the partial-absence mark moved, or two indicators swapped.
        _ => Some(Direction::Same),
    }
}

/// Where a result stands in its gradeset (lower is better), both grades of a double award
/// counted; `None` for X, Q, blank or a grade the gradeset does not hold.
fn standing(r: &CandidateResult, gradesets: &Gradesets) -> Option<(u32, u32)> {
    let rank = |g: &Grade| -> Option<u32> {
        if g.is_no_result() || g.is_pending() {
            return None;
        }
        let set = r.gradeset.as_deref().and_then(|c| gradesets.get(c));
        match set.and_then(|s| s.get(&g.code)) {
            Some(def) => Some(u32::from(def.rank)),
            // Without a gradeset, numeric grades still order (9 is best).
            None => g.code.parse::<u32>().ok().map(|n| 100u32.saturating_sub(n)),
        }
    };
    let first = rank(r.grade.as_ref()?)?;
    let second = match &r.grade2 {
        Some(g) => rank(g)?,
        None => 0,
    };
    Some((first + second, first))
}

/// Counts of changes by direction, in the words of the summary line.
pub fn summary_line(changes: &[Change]) -> String {
    let count = |d| changes.iter().filter(|c| c.direction == d).count();
    let n = |k: usize, one: &str, many: &str| crate::messages::count(k, one, many);
    format!(
        "{} up, {} down, {} changed, {}, {} removed",
        n(count(Direction::Up), "grade", "grades"),
        count(Direction::Down),
        n(count(Direction::Same), "mark", "marks"),
        n(count(Direction::New), "new result", "new results"),
        count(Direction::Removed)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ResultsDay, Source};
    use crate::write::changes::changes_csv;

    fn r(
        cand: &str,
        entry: &str,
        gradeset: &str,
        g: &str,
        g2: Option<&str>,
        mark: Option<u16>,
    ) -> CandidateResult {
        CandidateResult {
            board: "70".into(),
            centre: "14520".into(),
            candidate_number: cand.into(),
            uci: String::new(),
            name: "SMITH:ANN".into(),
            entry_code: entry.into(),
            syllabus_code: None,
            title: "TITLE".into(),
            qualification: "GCSE".into(),
            level: Some(2),
            gradeset: Some(gradeset.into()),
            is_award: true,
            grade: Grade::parse(g),
            grade2: g2.and_then(Grade::parse),
            mark,
            max_mark: mark.map(|_| 300),
            endorsement: None,
            components: vec![],
            results_day: ResultsDay::Gcse,
            source: Source::default(),
        }
    }

    fn directions(old: &[CandidateResult], new: &[CandidateResult]) -> Vec<(String, Direction)> {
        compare(old, new, &Gradesets::builtin())
            .into_iter()
            .map(|c| (c.candidate_number, c.direction))
            .collect()
    }

    #[test]
    fn grades_move_up_and_down_by_the_gradeset_order() {
        let old = [
            r("1", "8700", "40", "3", None, None),
            r("2", "7402", "4", "A", None, None),
        ];
        let new = [
            r("1", "8700", "40", "4", None, None),
            r("2", "7402", "4", "B", None, None),
        ];
        assert_eq!(
            directions(&old, &new),
            [("1".into(), Direction::Up), ("2".into(), Direction::Down)]
        );
        // A* is above A although it sorts after it as text.
        let old = [r("3", "7402", "4", "A", None, None)];
        let new = [r("3", "7402", "4", "A*", None, None)];
        assert_eq!(directions(&old, &new), [("3".into(), Direction::Up)]);
    }

    #[test]
    fn marks_alone_pending_and_appearing_results() {
        let old = [
            r("1", "J560H", "40", "6", None, Some(158)),
            r("2", "8145", "40", "Q", None, None),
            r("4", "8035", "40", "5", None, None),
        ];
        let new = [
            r("1", "J560H", "40", "6", None, Some(163)),
            r("2", "8145", "40", "6", None, None),
            r("3", "J837", "21", "P1", None, None),
            r("4", "8035", "40", "5", None, None),
        ];
        let changes = compare(&old, &new, &Gradesets::builtin());
        let got: Vec<_> = changes
            .iter()
            .map(|c| (c.candidate_number.as_str(), c.direction))
            .collect();
        assert_eq!(
            got,
            [
                ("1", Direction::Same),
                ("2", Direction::New),
                ("3", Direction::New)
            ]
        );
        assert_eq!(
            (changes[0].old_mark, changes[0].new_mark),
            (Some(158), Some(163))
        );
        assert_eq!(
            (changes[1].old_grade.as_str(), changes[1].new_grade.as_str()),
            ("Pending", "6")
        );
        assert_eq!(changes[2].old_grade, "");
        assert_eq!(
            summary_line(&changes),
            "0 grades up, 0 down, 1 mark changed, 2 new results, 0 removed"
        );
    }

    #[test]
    fn a_double_award_moves_when_either_grade_does_and_removed_results_show() {
        let old = [
            r("1", "8464H", "15", "6", Some("6"), None),
            r("2", "8702", "40", "5", None, None),
        ];
        let new = [r("1", "8464H", "15", "7", Some("6"), None)];
        let changes = compare(&old, &new, &Gradesets::builtin());
        assert_eq!(changes[0].direction, Direction::Up);
        assert_eq!(
            (changes[0].old_grade.as_str(), changes[0].new_grade.as_str()),
            ("6-6", "7-6")
        );
        assert_eq!(changes[1].direction, Direction::Removed);
    }

    #[test]
    fn unchanged_results_give_nothing() {
        let old = [r("1", "8700", "40", "5", None, Some(100))];
        assert!(compare(&old, &old, &Gradesets::builtin()).is_empty());
    }

    #[test]
    fn changes_csv_has_the_contract_columns() {
        let mut c = compare(
            &[r("1", "8700", "40", "3", None, None)],
            &[r("1", "8700", "40", "4", None, None)],
            &Gradesets::builtin(),
        );
        c[0].prs_request = Some("NGA-PRS-001".into());
        c[0].refund_due = Some(true);
        let text = String::from_utf8(changes_csv(&c)).unwrap();
        assert_eq!(
            text,
            "\u{feff}candidate_number,uci,name,board,entry_code,title,old_grade,new_grade,old_mark,new_mark,direction,prs_request,refund_due\n\
             1,,SMITH:ANN,70,8700,TITLE,3,4,,,up,NGA-PRS-001,yes\n"
        );
    }
}
