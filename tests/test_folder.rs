//! What a results folder can and cannot make resultsday do: links are followed inside it, never
//! out of it (a link elsewhere is named, and none of its bytes reach an output, the store or the
//! terminal); names from it reach the terminal escaped; a centre's template is a file inside it
//! and cannot run for ever.

use std::path::Path;

mod common;

use common::{copy_dir, resultsday};

#[test]
fn a_link_out_of_the_folder_is_named_and_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = d.join("in");
    copy_dir(Path::new("samples/results-day"), &input);
    // Elsewhere on the machine: a results file for a candidate the centre does not have, and a
    // folder of such files.
    let elsewhere = d.join("elsewhere");
    std::fs::create_dir_all(elsewhere.join("more")).unwrap();
    let bytes = std::fs::read(input.join("results/R1452070.X02")).unwrap();
    let planted = String::from_utf8_lossy(&bytes).replace("0011", "0999");
    std::fs::write(elsewhere.join("R1452070.X05"), planted.as_bytes()).unwrap();
    std::fs::write(elsewhere.join("more/R1452070.X06"), planted.as_bytes()).unwrap();
    std::os::unix::fs::symlink(
        elsewhere.join("R1452070.X05"),
        input.join("results/R1452070.X05"),
    )
    .unwrap();
    std::os::unix::fs::symlink(elsewhere.join("more"), input.join("more")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", input.join("results/R1452070.X07")).unwrap();
    // A link inside the folder is followed as before.
    std::os::unix::fs::symlink(
        input.join("results/R1452070.X02"),
        input.join("R1452070.X02"),
    )
    .unwrap();

    let out = d.join("out");
    let output = resultsday()
        .arg("run")
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .arg("--db")
        .arg(d.join("s.db"))
        .args(["--as-of", "2026-08-19T06:00"])
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert_eq!(output.status.code(), Some(2), "{stdout}\n{stderr}");
    let said = "is a link to something outside the folder; not followed";
    for link in ["results/R1452070.X05", "more", "results/R1452070.X07"] {
        let named = format!("{}: {said}", input.join(link).display());
        assert!(
            stderr.contains(&named) || stdout.contains(&named),
            "{link}\n{stdout}\n{stderr}"
        );
    }
    for file in ["findings.csv", "statements.csv", "run.json"] {
        let text = std::fs::read_to_string(out.join(file)).unwrap();
        assert!(
            !text.contains("0999"),
            "{file} holds the linked file's candidate"
        );
        assert!(!text.contains("root:"), "{file} holds /etc/passwd");
    }
    assert!(!stdout.contains("0999") && !stderr.contains("root:"));
    let json = std::fs::read_to_string(out.join("run.json")).unwrap();
    assert!(!json.contains("elsewhere"), "{json}");
}

/// Text from the folder reaches the terminal with its control characters shown escaped: a file
/// name cannot recolour the screen or forge a line of the summary.
#[test]
fn names_from_the_folder_cannot_forge_lines_or_colour_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = d.join("in");
    copy_dir(Path::new("samples/results-day"), &input);
    std::fs::write(
        input.join("notes\n  error   board 70 0001 FORGED\u{1b}[31m.txt"),
        b"x",
    )
    .unwrap();
    // A JCQ name that cannot be read, with an escape in its folder's name.
    std::fs::create_dir_all(input.join("x\u{1b}[2J")).unwrap();
    std::os::unix::fs::symlink("/nowhere", input.join("x\u{1b}[2J/R1452070.X09")).unwrap();
    let output = resultsday()
        .arg("run")
        .arg(&input)
        .arg("--out")
        .arg(d.join("out"))
        .arg("--db")
        .arg(d.join("s.db"))
        .args(["--as-of", "2026-08-19T06:00"])
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    for text in [&stdout, &stderr] {
        assert!(
            !text.contains('\u{1b}'),
            "an escape reached the terminal:\n{text}"
        );
        assert!(
            !text
                .lines()
                .any(|l| l.starts_with("  error   board 70 0001 FORGED")),
            "a forged line:\n{text}"
        );
    }
    assert!(
        stdout.contains("notes\\n  error   board 70 0001 FORGED\\u{1b}[31m.txt"),
        "{stdout}"
    );
    assert!(stderr.contains("x\\u{1b}[2J/R1452070.X09"), "{stderr}");
}

/// A centre's own statement template is a file inside its folder, and one that loops for ever is
/// stopped with a message, not left to run.
#[test]
fn a_statement_template_must_be_in_the_folder_and_cannot_run_for_ever() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = d.join("in");
    copy_dir(Path::new("samples/results-day"), &input);
    let settings = std::fs::read_to_string(input.join("resultsday.toml")).unwrap();
    let run = |template: &str| {
        std::fs::write(
            input.join("resultsday.toml"),
            format!("{settings}statement_template = \"{template}\"\n"),
        )
        .unwrap();
        let out = d.join(format!("out-{}", template.len()));
        let output = resultsday()
            .arg("run")
            .arg(&input)
            .arg("--out")
            .arg(&out)
            .arg("--db")
            .arg(d.join("s.db"))
            .args(["--as-of", "2026-08-19T06:00"])
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
            out,
        )
    };
    std::fs::write(d.join("elsewhere.html"), "{{ pages | length }}").unwrap();
    let (code, stderr, out) = run("../elsewhere.html");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("is outside the folder of resultsday.toml"),
        "{stderr}"
    );
    assert!(!out.join("statements.html").exists());

    std::fs::write(
        input.join("loop.html"),
        "{% for i in range(100000) %}{% for j in range(100000) %}{{ i }}{% endfor %}{% endfor %}",
    )
    .unwrap();
    let (code, stderr, out) = run("loop.html");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "loop.html, line 1: the template ran far longer than any statement page needs"
        ),
        "{stderr}"
    );
    assert!(!out.join("statements.html").exists());
}

/// The same file name in two sub-folders (a second download saved elsewhere): read once when the
/// copies are identical; when they differ, neither is read and each is named with the other.
#[test]
fn the_same_name_twice_is_read_once_if_identical_and_not_at_all_if_not() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = d.join("in");
    copy_dir(Path::new("samples/results-day"), &input);
    std::fs::create_dir_all(input.join("downloads")).unwrap();
    std::fs::copy(
        input.join("results/R1452070.X02"),
        input.join("downloads/R1452070.X02"),
    )
    .unwrap();
    let run = |out: &str| {
        let output = resultsday()
            .arg("run")
            .arg(&input)
            .arg("--out")
            .arg(d.join(out))
            .arg("--db")
            .arg(d.join(format!("{out}.db")))
            .args(["--as-of", "2026-08-19T06:00"])
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (code, stdout, _) = run("same");
    assert_eq!(code, Some(0), "{stdout}");
    assert!(
        stdout.contains(
            "results/R1452070.X02 (a byte-identical copy of downloads/R1452070.X02; read once)"
        ),
        "{stdout}"
    );
    // Read once: no result of it is a duplicate.
    let findings = std::fs::read_to_string(d.join("same/findings.csv")).unwrap();
    assert_eq!(
        findings.matches("duplicate_result").count(),
        1,
        "only the samples' own planted duplicate:\n{findings}"
    );

    let mut other = std::fs::read(input.join("results/R1452070.X02")).unwrap();
    let at = other.len() - 200;
    other[at] = if other[at] == b'7' { b'6' } else { b'7' };
    std::fs::write(input.join("downloads/R1452070.X02"), &other).unwrap();
    let (code, stdout, stderr) = run("differ");
    assert_eq!(code, Some(2), "{stdout}");
    for (this, that) in [
        ("results/R1452070.X02", "downloads/R1452070.X02"),
        ("downloads/R1452070.X02", "results/R1452070.X02"),
    ] {
        let said = format!(
            "{}: has the same name as {that}, with other contents; neither is read",
            input.join(this).display()
        );
        assert!(stderr.contains(&said), "{said}\n{stderr}");
    }
}
