//! Unit tests of the output writer.

use super::*;

#[test]
fn a_syncer_puts_every_file_in_place_before_wait_returns() {
    let dir = tempfile::tempdir().unwrap();
    let syncer = Syncer::new(3);
    // More files than the queue holds, so handing over waits for the threads at times.
    for i in 0..(SYNC_QUEUE * 3) {
        let path = dir.path().join(format!("{i}.csv"));
        Commit::Background(&syncer)
            .write(&path, i.to_string().as_bytes())
            .unwrap();
    }
    syncer.wait().unwrap();
    for i in 0..(SYNC_QUEUE * 3) {
        let path = dir.path().join(format!("{i}.csv"));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), i.to_string());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names.len(),
        SYNC_QUEUE * 3,
        "no temporaries left: {names:?}"
    );
}

#[test]
fn a_syncer_names_the_file_it_could_not_put_in_place() {
    let dir = tempfile::tempdir().unwrap();
    // A folder where the file should go: the rename fails.
    let blocked = dir.path().join("statements.html");
    std::fs::create_dir(&blocked).unwrap();
    std::fs::write(blocked.join("inside"), b"x").unwrap();
    let syncer = Syncer::new(2);
    Commit::Background(&syncer)
        .write(&dir.path().join("findings.csv"), b"ok")
        .unwrap();
    Commit::Background(&syncer)
        .write(&blocked, b"page")
        .unwrap();
    let (path, _) = syncer.wait().unwrap_err();
    assert_eq!(path, blocked);
    assert_eq!(
        std::fs::read(dir.path().join("findings.csv")).unwrap(),
        b"ok"
    );
    // Once said, the failure is not said again.
    syncer.wait().unwrap();
}

#[test]
fn dropping_a_syncer_puts_in_place_what_it_holds() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.json");
    {
        let syncer = Syncer::new(1);
        Commit::Background(&syncer).write(&path, b"{}").unwrap();
    }
    assert_eq!(std::fs::read(&path).unwrap(), b"{}");
}

#[test]
fn temporaries_of_runs_that_ended_are_removed_and_others_kept() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("centres").join("10000");
    std::fs::create_dir_all(&sub).unwrap();
    // A pid above the kernel's limit (4194304) is never running.
    let stale = [
        dir.path().join(".findings.csv.4194399.tmp"),
        sub.join(".statements.html.4194399.tmp"),
    ];
    let kept = [
        dir.path()
            .join(format!(".run.json.{}.tmp", std::process::id())),
        dir.path().join("findings.csv"),
        dir.path().join(".4194399.tmp"),
        dir.path().join("notes.4194399.tmp"),
    ];
    for p in stale.iter().chain(&kept) {
        std::fs::write(p, b"x").unwrap();
    }
    assert_eq!(remove_stale_temporaries(dir.path()), 2);
    assert!(stale.iter().all(|p| !p.exists()));
    assert!(kept.iter().all(|p| p.exists()));
}

#[test]
fn written_files_are_owner_only_and_complete() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("findings.csv");
    std::fs::write(&path, "old").unwrap();
    write_file(&path, b"new").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"new");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temp file left"
    );
}

#[cfg(unix)]
#[test]
fn every_folder_made_is_owner_only_and_an_existing_one_is_left_alone() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let dir = tempfile::tempdir().unwrap();
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o755)).unwrap();
    let deep = shared.join("a").join("b").join("out");
    create_private_dir(&deep).unwrap();
    for p in [shared.join("a"), shared.join("a/b"), deep.clone()] {
        assert_eq!(mode(&p), 0o700, "{}", p.display());
    }
    assert_eq!(mode(&shared), 0o755);
    create_private_dir(&deep).unwrap();
    let file = shared.join("a/file");
    std::fs::write(&file, "x").unwrap();
    let err = create_private_dir(&file.join("out")).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
    assert!(err.to_string().contains("is a file, not a folder"), "{err}");
}

/// Every file under `dir`, by path relative to it, with its text.
fn texts(dir: &Path) -> std::collections::BTreeMap<String, String> {
    walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap();
            (
                rel.to_string_lossy().into_owned(),
                std::fs::read_to_string(e.path()).unwrap(),
            )
        })
        .collect()
}

fn put(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// An OUT holding a previous run's set, and a file of the exams officer's own.
fn previous_set() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    for (rel, text) in [
        ("findings.csv", "old findings"),
        ("statements-changed.html", "old pack"),
        ("analysis/headline.csv", "old headline"),
        ("centres/10009/run.json", "a centre no longer run"),
        ("my notes.txt", "mine"),
    ] {
        put(&out.join(rel), text);
    }
    (dir, out)
}

#[test]
fn a_staged_set_replaces_the_previous_one_whole_once_put_in_place() {
    let (_dir, out) = previous_set();
    let before = texts(&out);
    let staging = Staging::begin(&out).unwrap();
    write_file(&staging.dir().join("findings.csv"), b"new findings").unwrap();
    create_private_dir(&staging.dir().join("analysis")).unwrap();
    write_file(
        &staging.dir().join("analysis/subjects.csv"),
        b"new subjects",
    )
    .unwrap();
    write_file(&staging.dir().join("run.json"), b"{}").unwrap();
    staging.seal(Vec::new()).unwrap();
    // Sealed, not yet put in place: OUT is as it was (the staging folder apart).
    let now: std::collections::BTreeMap<String, String> = texts(&out)
        .into_iter()
        .filter(|(rel, _)| !rel.starts_with(STAGING_PREFIX))
        .collect();
    assert_eq!(now, before);
    staging.put_in_place().unwrap();
    let after = texts(&out);
    let expected: Vec<(&str, &str)> = vec![
        ("analysis/subjects.csv", "new subjects"),
        ("findings.csv", "new findings"),
        ("my notes.txt", "mine"),
        ("run.json", "{}"),
    ];
    let after_pairs: Vec<(&str, &str)> = after
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(after_pairs, expected);
    assert!(!out.join("centres").exists(), "an emptied folder goes too");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&out.join("analysis/subjects.csv")), 0o600);
        assert_eq!(mode(&out.join("findings.csv")), 0o600);
    }
    drop(staging);
    assert_eq!(texts(&out), after);
}

#[test]
fn a_staging_dropped_before_it_is_put_in_place_leaves_out_as_it_was() {
    let (_dir, out) = previous_set();
    let before = texts(&out);
    {
        let staging = Staging::begin(&out).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(staging.dir())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o700);
        }
        write_file(&staging.dir().join("findings.csv"), b"new").unwrap();
        staging.seal(Vec::new()).unwrap();
    }
    assert_eq!(texts(&out), before);
}

#[test]
fn a_folder_where_a_file_goes_is_found_before_anything_changes() {
    let (_dir, out) = previous_set();
    std::fs::create_dir(out.join("statements.html")).unwrap();
    let before = texts(&out);
    let staging = Staging::begin(&out).unwrap();
    write_file(&staging.dir().join("findings.csv"), b"new").unwrap();
    write_file(&staging.dir().join("statements.html"), b"pages").unwrap();
    let (path, e) = staging.seal(Vec::new()).unwrap_err();
    assert_eq!(path, out.join("statements.html"));
    assert!(e.to_string().starts_with("it is a folder"), "{e}");
    drop(staging);
    assert_eq!(texts(&out), before);
}

#[test]
fn a_failed_write_into_the_staging_folder_is_remembered_under_its_name_in_out() {
    let (_dir, out) = previous_set();
    let staging = Staging::begin(&out).unwrap();
    assert!(staging.failure().is_none());
    let missing = staging.dir().join("no such folder").join("x.csv");
    assert!(write_file(&missing, b"x").is_err());
    let (path, e) = staging.failure().unwrap();
    assert_eq!(path, out.join("no such folder").join("x.csv"));
    assert_eq!(e.kind(), io::ErrorKind::NotFound);
    assert_eq!(shown(&missing), path);
}

/// A staging folder as a killed run leaves it: `moved` of its files already put in place.
fn leftover(out: &Path, pid: u32, runs: Vec<StagedRun>, moved: usize) -> PathBuf {
    let dir = out.join(format!("{STAGING_PREFIX}{pid}"));
    let files = vec![
        "analysis/subjects.csv".to_string(),
        "findings.csv".to_string(),
    ];
    for (i, rel) in files.iter().enumerate() {
        let at = if i < moved { out } else { dir.as_path() };
        put(&at.join(rel), &format!("new {rel}"));
    }
    let manifest = Manifest { runs, files };
    put(
        &dir.join(MANIFEST),
        &serde_json::to_string(&manifest).unwrap(),
    );
    dir
}

fn run(id: i64) -> StagedRun {
    StagedRun {
        id,
        centre: "14520".into(),
        series: "6A26".into(),
        started_at: "2026-08-20T09:00:00Z".into(),
    }
}

#[test]
fn a_killed_runs_set_is_finished_if_the_store_holds_it_and_removed_if_not() {
    // A process id above the kernel's limit (4194304) is never running.
    let dead = 4_194_399;
    let (_dir, out) = previous_set();
    let before = texts(&out);

    // Killed before the store saved run 7: removed, OUT as it was.
    let dir = leftover(&out, dead, vec![run(7)], 0);
    let done = recover(&out, &mut |r| Some(r.id != 7));
    assert_eq!(done, [Recovered::Removed]);
    assert!(!dir.exists());
    assert_eq!(texts(&out), before);

    // Killed while writing, before the manifest: removed.
    put(
        &out.join(format!("{STAGING_PREFIX}{dead}"))
            .join("findings.csv"),
        "half",
    );
    assert_eq!(recover(&out, &mut |_| Some(true)), [Recovered::Removed]);
    assert_eq!(texts(&out), before);

    // The store cannot say: left for a run that can.
    let dir = leftover(&out, dead, vec![run(7)], 0);
    assert_eq!(recover(&out, &mut |_| None), []);
    assert!(dir.exists());
    std::fs::remove_dir_all(&dir).unwrap();

    // Killed while its files were put in place, the store holding run 8: finished.
    let dir = leftover(&out, dead, vec![run(8)], 1);
    let done = recover(&out, &mut |r| Some(r == &run(8)));
    assert_eq!(done, [Recovered::Finished { runs: vec![8] }]);
    assert!(!dir.exists());
    let after: Vec<(String, String)> = texts(&out).into_iter().collect();
    assert_eq!(
        after,
        [
            ("analysis/subjects.csv", "new analysis/subjects.csv"),
            ("findings.csv", "new findings.csv"),
            ("my notes.txt", "mine"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );

    // A set of this very process's id is an earlier process's: dealt with all the same.
    let dir = leftover(&out, std::process::id(), vec![run(9)], 0);
    assert_eq!(recover(&out, &mut |_| Some(false)), [Recovered::Removed]);
    assert!(!dir.exists());
}

#[test]
fn a_path_is_shown_as_it_is_in_out() {
    assert_eq!(
        shown(Path::new("out/.staging-4242/centres/10000/findings.csv")),
        Path::new("out/centres/10000/findings.csv")
    );
    assert_eq!(
        shown(Path::new("out/.staging-x/findings.csv")),
        Path::new("out/.staging-x/findings.csv")
    );
}

#[test]
fn an_abandoned_write_leaves_the_old_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("statements.csv");
    std::fs::write(&path, "old").unwrap();
    {
        let mut f = AtomicFile::create(&path).unwrap();
        f.write_all(b"half").unwrap();
    }
    assert_eq!(std::fs::read(&path).unwrap(), b"old");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}
