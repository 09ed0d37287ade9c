//! What the run found wrong is never printed as if it were right: on the samples, the result
//! lines the findings say are wrong (an invalid grade, an option not in the basedata, an XML
//! grade that differs, a result sent twice) are held on their statements, line by line, in
//! `statements.csv` (status `held`), on the terminal and in `run.json`; a UCI that fails its
//! check is never printed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

mod common;

use common::{copy_dir, resultsday};

/// A copy of `samples/results-day` with its own OUT and store.
struct Centre {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Centre {
    fn new() -> Centre {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        copy_dir(Path::new("samples/results-day"), &root.join("in"));
        Centre { _dir: dir, root }
    }

    /// `resultsday run in --out out --db store.db --as-of AS_OF`: stdout, after a status of 0
    /// or 1.
    fn run(&self, as_of: &str) -> String {
        let out = resultsday()
            .current_dir(&self.root)
            .args([
                "run", "in", "--out", "out", "--db", "store.db", "--as-of", as_of,
            ])
            .output()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    }

    fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.root.join(path)).unwrap()
    }

    /// Each page of `out/NAME` by candidate number.
    fn pages(&self, name: &str) -> BTreeMap<String, String> {
        let html = self.read(&format!("out/{name}"));
        html.split("<section class=\"page\" id=\"candidate-")
            .skip(1)
            .map(|p| (p[..4].to_string(), p.to_string()))
            .collect()
    }

    /// The lines of `out/statements.csv` that start with `prefix`.
    fn csv_lines(&self, prefix: &str) -> Vec<String> {
        self.read("out/statements.csv")
            .lines()
            .filter(|l| l.starts_with(prefix))
            .map(str::to_string)
            .collect()
    }

    /// Replaces `from` with `to` in the copy's `in/FILE`, once for each of `times`.
    fn edit(&self, file: &str, from: &str, to: &str, times: usize) {
        let path = self.root.join("in").join(file);
        let text = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&text).into_owned();
        assert_eq!(text.matches(from).count(), times, "{from} in {file}");
        assert_eq!(
            from.len(),
            to.len(),
            "fixed-width records keep their lengths"
        );
        std::fs::write(&path, text.replace(from, to)).unwrap();
    }
}

/// The `<tr>` of the result with `entry` on `page`, up to its `</tr>`.
fn row<'p>(page: &'p str, entry: &str) -> &'p str {
    let at = page
        .find(&format!("entry code {entry}</span>"))
        .unwrap_or_else(|| panic!("no {entry} on {page}"));
    let start = page[..at].rfind("<tr").unwrap();
    let end = at + page[at..].find("</tr>").unwrap();
    &page[start..end]
}

/// The UCI line of `page`.
fn uci_line(page: &str) -> &str {
    let at = page
        .find("Unique candidate identifier (UCI)</span>\n")
        .unwrap();
    let rest = &page[at..];
    let start = rest.find('\n').unwrap() + 1;
    let end = start + rest[start..].find('\n').unwrap();
    rest[start..end].trim()
}

const RESULTS_DAY: &str = "2026-08-20T10:00";

#[test]
fn the_lines_the_run_found_wrong_are_held_and_the_rest_of_each_page_prints() {
    let centre = Centre::new();
    centre.run(RESULTS_DAY);
    let pages = centre.pages("statements.html");

    // 0009's History: grade B in a GCSE 9-1 option. The line is held, in words; no B, no mark.
    let amira = &pages["0009"];
    assert_eq!(
        row(amira, "8145"),
        "<tr class=\"withheld\">\n        <td class=\"subject\">\n          <b>HISTORY</b>\n          \
         <span class=\"small\">AQA · entry code 8145</span>\n          \
         <span class=\"withheld-note\">Held: the grade the board sent is not one this \
         qualification has</span>\n        </td>\n        <td>GCSE</td>\n        \
         <td class=\"grade word withheld-grade\">See the exams office</td>\n        \
         <td class=\"mark\"></td>\n        <td>\n        </td>\n      "
    );
    assert!(!amira.contains(">B<"), "{amira}");
    // The rest of 0009's page prints as the boards sent it.
    for (entry, grade) in [
        ("8700", "6"),
        ("8702", "5"),
        ("8464F", "3-3"),
        ("C120P1", "6"),
    ] {
        let line = row(amira, entry);
        assert!(line.starts_with("<tr>\n"), "{line}");
        assert!(
            line.contains(&format!("<td class=\"grade\">{grade}</td>")),
            "{line}"
        );
    }
    assert!(row(amira, "J560H").contains("<td class=\"mark\">52/300</td>"));
    assert_eq!(
        uci_line(amira),
        "<span class=\"value mono\">145200240009B</span>"
    );
    assert!(amira.contains(
        "<dt>See the exams office</dt>\n      <dd>This result reached the centre with a problem \
         the exams office must resolve with the awarding body, so it is held and not printed."
    ));

    // The other lines held, each with its own words.
    for (candidate, entry, words) in [
        (
            "0002",
            "8062",
            "the board sent this result for an entry code that is not in its list of subjects",
        ),
        ("0003", "8702", "the board sent this result more than once"),
        (
            "0004",
            "J560H",
            "the board sent two different grades for this result",
        ),
    ] {
        let line = row(&pages[candidate], entry);
        assert!(
            line.contains(&format!(
                "<span class=\"withheld-note\">Held: {words}</span>"
            )),
            "{line}"
        );
        assert!(
            line.contains("<td class=\"grade word withheld-grade\">See the exams office</td>"),
            "{line}"
        );
    }
    // 0004's R grade 6 (the XML says 7) and its mark are not printed; neither grade is.
    let owen = row(&pages["0004"], "J560H");
    assert!(!owen.contains(">6<") && !owen.contains(">7<") && !owen.contains("168"));
    // A page with nothing wrong has no held line.
    assert!(!pages["0001"].contains("withheld") && !pages["0001"].contains("See the exams"));

    // The styles that make a held line show in print, boxed and in words: not colour alone.
    let html = centre.read("out/statements.html");
    assert!(html.contains("table.results tr.withheld td"));
    assert!(html.contains("border: 1.5px solid #6b4a00; border-left-width: 4px;"));
}

#[test]
fn a_uci_that_fails_its_check_is_not_printed() {
    let centre = Centre::new();
    centre.run(RESULTS_DAY);
    let pages = centre.pages("statements.html");
    // 0012's OCR result carries 145200240012A (the check letter is G); AQA's and Eduqas's
    // carry 145200240012G. The page prints the one that passes.
    assert_eq!(
        uci_line(&pages["0012"]),
        "<span class=\"value mono\">145200240012G</span>"
    );
    assert!(!pages["0012"].contains("145200240012A"));
    // 0014's 8702 result carries 12 characters and a space; the others pass.
    assert_eq!(
        uci_line(&pages["0014"]),
        "<span class=\"value mono\">145200240014Y</span>"
    );
    // statements.csv leaves each failing UCI out and says why; the grades stand.
    assert_eq!(
        centre.csv_lines("0012,,"),
        ["0012,,NWOSU:CHIDERA,01,J560F,MATHEMATICS FOUNDATION,GCSE,3,118,300,provisional,,uci_invalid"]
    );
    assert_eq!(
        centre.csv_lines("0014,,"),
        ["0014,,TAYLOR-REID:SOPHIE,70,8702,ENGLISH LITERATURE,GCSE,4,,,provisional,,uci_invalid"]
    );
    assert!(!centre.read("out/statements.csv").contains("145200240012A"));
}

#[test]
fn a_page_whose_every_uci_fails_holds_its_uci_line() {
    let centre = Centre::new();
    // 0110's only results, both AQA's, with the check letter C changed to D.
    centre.edit("results/R1452070.X01", "145200220110C", "145200220110D", 2);
    let stdout = centre.run(RESULTS_DAY);
    let page = &centre.pages("statements.html")["0110"];
    assert_eq!(
        uci_line(page),
        "<span class=\"value withheld-uci\">UCI held: it fails its check; see the exams \
         office</span>"
    );
    assert!(!page.contains("145200220110D"));
    assert!(page.contains(
        "<dt>UCI held</dt>\n      <dd>The unique candidate identifier the awarding body sent \
         fails its check, so it is not printed. The exams office will confirm your UCI with \
         you.</dd>"
    ));
    // Its grades stand: the UCI line is held, not the results.
    assert!(row(page, "7182").contains("<td class=\"grade\">E</td>"));
    assert_eq!(
        centre.csv_lines("0110,"),
        [
            "0110,,WRIGHT:ISABELLE,70,7182,PSYCHOLOGY,GCE A,E,,,provisional,,uci_invalid",
            "0110,,WRIGHT:ISABELLE,70,7402,BIOLOGY,GCE A,U,,,provisional,NC,uci_invalid",
        ]
    );
    assert!(
        stdout.contains(
            "\nUCI left out of statements: 4 results of 3 candidates, a UCI that fails its check \
             (statements.csv uci blank, held_reason uci_invalid); the UCI line is held on the \
             page of 0110\n"
        ),
        "{stdout}"
    );
}

#[test]
fn statements_csv_holds_the_same_lines() {
    let centre = Centre::new();
    centre.run(RESULTS_DAY);
    let csv = centre.read("out/statements.csv");
    assert!(csv.starts_with(
        "\u{feff}candidate_number,uci,name,board,entry_code,title,qualification,grade,mark,\
         max_mark,status,endorsement,held_reason\n"
    ));
    let held: Vec<&str> = csv.lines().filter(|l| l.contains(",held,")).collect();
    assert_eq!(
        held,
        [
            "0002,145200240002A,BAKER:THOMAS JAMES,70,8062,,,,,,held,,unknown_entry_code",
            "0003,145200240003F,CHEN:LILY,70,8702,ENGLISH LITERATURE,GCSE,,,,held,,duplicate_result",
            "0004,145200240004M,DAVIES:OWEN,01,J560H,MATHEMATICS HIGHER,GCSE,,,,held,,xml_grade_conflict",
            "0009,145200240009B,HUSSAIN:AMIRA,70,8145,HISTORY,GCSE,,,,held,,invalid_grade",
        ]
    );
    // Every other row is provisional and as the board sent it.
    assert_eq!(
        centre.csv_lines("0009,145200240009B,HUSSAIN:AMIRA,70,8700,"),
        ["0009,145200240009B,HUSSAIN:AMIRA,70,8700,ENGLISH LANGUAGE,GCSE,6,,,provisional,M,"]
    );
    let rows = csv.lines().count() - 1;
    assert_eq!(rows, 116, "one row per result, held or not");
    assert_eq!(csv.matches(",provisional,").count(), 116 - 4);
}

#[test]
fn the_summary_and_run_json_list_the_held_lines() {
    let centre = Centre::new();
    let stdout = centre.run(RESULTS_DAY);
    assert!(
        stdout.contains(
            "\n\nheld on statements: 4 results of 4 candidates (statements.csv status held)\n  \
             0002 board 70 8062: the board sent this result for an entry code that is not in its \
             list of subjects (unknown_entry_code)\n  \
             0003 board 70 8702: the board sent this result more than once (duplicate_result)\n  \
             0004 board 01 J560H: the board sent two different grades for this result \
             (xml_grade_conflict)\n  \
             0009 board 70 8145: the grade the board sent is not one this qualification has \
             (invalid_grade)\n\
             UCI left out of statements: 2 results of 2 candidates, a UCI that fails its check \
             (statements.csv uci blank, held_reason uci_invalid); each page prints the \
             candidate's UCI that passes\n"
        ),
        "{stdout}"
    );

    let json: serde_json::Value = serde_json::from_str(&centre.read("out/run.json")).unwrap();
    let held = &json["held_on_statements"];
    let lines: Vec<(String, String, String, String)> = held["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["candidate_number"].as_str().unwrap().to_string(),
                l["board"].as_str().unwrap().to_string(),
                l["entry_code"].as_str().unwrap().to_string(),
                l["why"][0].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected = [
        ("0002", "70", "8062", "unknown_entry_code"),
        ("0003", "70", "8702", "duplicate_result"),
        ("0004", "01", "J560H", "xml_grade_conflict"),
        ("0009", "70", "8145", "invalid_grade"),
    ]
    .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()));
    assert_eq!(lines, expected);
    assert_eq!(
        held["results"][3]["words"],
        "the grade the board sent is not one this qualification has"
    );
    assert_eq!(held["ucis"].as_array().unwrap().len(), 2);
    assert_eq!(held["ucis"][0]["candidate_number"], "0012");
    assert_eq!(held["ucis"][1]["entry_code"], "8702");
    assert_eq!(held["uci_pages"], serde_json::json!([]));
}

#[test]
fn statements_changed_after_reviews_hold_what_the_run_found_wrong() {
    let centre = Centre::new();
    centre.run(RESULTS_DAY);
    for f in std::fs::read_dir("samples/after-reviews").unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), centre.root.join("in/results").join(f.file_name())).unwrap();
    }
    centre.run("2026-09-16T10:00");
    let changed = centre.pages("statements-changed.html");
    assert!(changed.contains_key("0012"), "{changed:?}");
    assert_eq!(
        uci_line(&changed["0012"]),
        "<span class=\"value mono\">145200240012G</span>"
    );
    // The day-one files are still there, so 0009's B is still held on the full set.
    let all = centre.pages("statements.html");
    assert!(row(&all["0009"], "8145").contains("See the exams office"));
}

#[test]
fn a_folder_of_several_centres_holds_each_centre_s_lines_in_out_s_statements_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    resultsday::synthetic::generate(&resultsday::synthetic::Spec {
        candidates: 20,
        centres: 2,
        out: data.clone(),
        seed: 5,
    })
    .unwrap();
    // Centre 10001's AQA file sends its first result twice, the second time with another grade.
    let file = data.join("10001/results/R1000170.X01");
    let text = std::fs::read_to_string(&file).unwrap();
    let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
    let first = lines[2].to_string();
    assert!(first.starts_with("R5"), "{first}");
    let (candidate, entry) = (first[7..11].to_string(), first[11..17].trim().to_string());
    let grade = &first[37..39];
    let other = if grade.starts_with('3') { "4 " } else { "3 " };
    let again = format!("{}{other}{}", &first[..37], &first[39..]);
    lines.insert(3, &again);
    std::fs::write(&file, lines.concat()).unwrap();

    let out = tmp.path().join("out");
    let run = resultsday()
        .arg("run")
        .arg(&data)
        .arg("--out")
        .arg(&out)
        .arg("--db")
        .arg(tmp.path().join("s.db"))
        .args(["--as-of", RESULTS_DAY])
        .output()
        .unwrap();
    assert!(matches!(run.status.code(), Some(0 | 1)), "{run:?}");

    let own = std::fs::read_to_string(out.join("centres/10001/statements.csv")).unwrap();
    let held: Vec<&str> = own.lines().filter(|l| l.contains(",held,")).collect();
    assert_eq!(held.len(), 1, "{own}");
    assert!(
        held[0].starts_with(&format!("{candidate},"))
            && held[0].ends_with(",held,,duplicate_result"),
        "{}",
        held[0]
    );
    assert!(held[0].contains(&format!(",70,{entry},")), "{}", held[0]);
    // OUT's statements.csv: the same row, with the centre after held_reason.
    let all = std::fs::read_to_string(out.join("statements.csv")).unwrap();
    assert!(all.starts_with(
        "\u{feff}candidate_number,uci,name,board,entry_code,title,qualification,grade,mark,\
         max_mark,status,endorsement,held_reason,centre\n"
    ));
    assert_eq!(
        all.lines()
            .filter(|l| l.contains(",held,"))
            .collect::<Vec<_>>(),
        [format!("{},10001", held[0])]
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("centres/10001/run.json")).unwrap())
            .unwrap();
    assert_eq!(
        json["held_on_statements"]["results"][0]["entry_code"],
        entry.as_str()
    );
    let page = std::fs::read_to_string(out.join("centres/10001/statements.html")).unwrap();
    assert!(page.contains("Held: the board sent this result more than once"));
}
