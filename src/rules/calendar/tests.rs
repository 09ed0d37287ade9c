//! Unit tests of the series calendar.

use chrono::NaiveDate;

use super::load::CalendarFile;
use super::*;
use crate::model::ResultsDay;

#[test]
fn series_codes_map_to_ids() {
    assert_eq!(series_id("6A26").as_deref(), Some("2026-06"));
    assert_eq!(series_id("BG25").as_deref(), Some("2025-11"));
    assert_eq!(series_id("6a26").as_deref(), Some("2026-06"));
    assert_eq!(series_id("1A26").as_deref(), Some("2026-01"));
    assert_eq!(series_id("ZZ26"), None);
    assert_eq!(series_id("6A"), None);
}

#[test]
fn builtin_calendar_has_every_summer_and_november_from_2022_to_2027() {
    let c = Calendar::builtin();
    for year in 2022..=2027 {
        for month in ["06", "11"] {
            let id = format!("{year}-{month}");
            assert!(c.get(&id).is_some(), "{id}");
        }
    }
    let june = c.get("2026-06").unwrap();
    assert_eq!(
        june.gce_results,
        NaiveDate::from_ymd_opt(2026, 8, 13).unwrap()
    );
    assert_eq!(
        june.gcse_results,
        NaiveDate::from_ymd_opt(2026, 8, 20).unwrap()
    );
    assert_eq!(
        june.ror_deadline,
        NaiveDate::from_ymd_opt(2026, 9, 24).unwrap()
    );
}

/// Every date the built-in file marks [A] is derived by a rule it names; the confirmed ones
/// fit the same rules, which is why the rules are trusted for the years not yet confirmed.
#[test]
fn builtin_dates_follow_the_rules_the_file_names() {
    let c = Calendar::builtin();
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    for id in c.ids() {
        let d = c.get(id).unwrap();
        let year: i32 = id[..4].parse().unwrap();
        match &id[5..] {
            "06" => {
                let gce = june_gce_results(year).unwrap();
                assert_eq!(d.gce_results, gce, "{id} R0");
                assert_eq!(d.gcse_results, gce + chrono::Days::new(7), "{id} R0");
                assert_eq!(d.ror_deadline, gce + chrono::Days::new(42), "{id} R2");
                assert_eq!(
                    d.priority_s2_deadline,
                    Some(gce + chrono::Days::new(7)),
                    "{id} R1"
                );
                assert_eq!(d.name, format!("June {year}"));
            }
            "11" => {
                let on = november_results(year).unwrap();
                assert_eq!((d.gce_results, d.gcse_results), (on, on), "{id} R0");
                assert_eq!(d.ror_deadline, on + chrono::Days::new(35), "{id} R2");
                assert_eq!(d.name, format!("November {year}"));
            }
            other => panic!("{id}: month {other}"),
        }
    }
    assert_eq!(june_gce_results(2027), Some(day("2027-08-12")));
    assert_eq!(november_results(2027), Some(day("2028-01-13")));
    // Every [A] is followed by the rule it comes from, or says what it equals.
    for line in BUILTIN_SERIES_TOML.lines().filter(|l| l.contains("# [A]")) {
        let note = line.split("# [A]").nth(1).unwrap().trim();
        if line.trim_start().starts_with('#') {
            continue;
        }
        assert!(
            note.starts_with("rule R") || note.starts_with('=') || note.starts_with("20 Sep"),
            "{line}"
        );
    }
}

#[test]
fn the_test_hook_moves_now_back_and_never_forward() {
    let real = parse_as_of("2026-12-06T14:00").unwrap();
    assert_eq!(now_from(real, None).unwrap(), real);
    assert_eq!(now_from(real, Some("  ")).unwrap(), real);
    let back = parse_as_of("2026-08-19T06:00").unwrap();
    assert_eq!(now_from(real, Some("2026-08-19T06:00")).unwrap(), back);
    // Forward: ignored, the real clock stands.
    assert_eq!(now_from(real, Some("2099-01-01T00:00")).unwrap(), real);
    let err = now_from(real, Some("tomorrow")).unwrap_err();
    assert!(
        err.contains("RESULTSDAY_NOW") && err.contains("tomorrow"),
        "{err}"
    );
}

#[test]
fn an_as_of_later_than_now_is_refused_saying_what_it_would_release() {
    let c = Calendar::builtin();
    let now = parse_as_of("2026-08-19T06:00").unwrap();
    assert!(c.refuse_as_of_after_now(now, now, false).is_ok());
    let earlier = parse_as_of("2026-08-13T07:00").unwrap();
    assert!(c.refuse_as_of_after_now(earlier, now, false).is_ok());
    let later = parse_as_of("2026-08-20T10:00").unwrap();
    let err = c.refuse_as_of_after_now(later, now, false).unwrap_err();
    assert!(
        err.contains(
            "GCSE and level 1/2 results of June 2026 to candidates (from 08:00 on Thursday \
             20 August 2026)"
        ),
        "{err}"
    );
    assert!(
        err.contains("from 09:30 on Thursday 20 August 2026"),
        "{err}"
    );
    assert!(!err.contains("A level"), "already released: {err}");
    assert!(err.contains("--force-release"), "{err}");
    assert!(c.refuse_as_of_after_now(later, now, true).is_ok());
    // A minute later: nothing in the calendar, still refused.
    let err = c
        .refuse_as_of_after_now(now + chrono::Duration::minutes(1), now, false)
        .unwrap_err();
    assert!(err.contains("Nothing in the series calendar"), "{err}");
    // November has one results day for every qualification.
    let nov = c.releases_between(
        parse_as_of("2027-01-01T00:00").unwrap(),
        parse_as_of("2027-01-14T12:00").unwrap(),
    );
    assert_eq!(
        nov,
        [
            "results of November 2026 to candidates (from 08:00 on Thursday 14 January 2027)",
            "the headline figures of November 2026 to the press and the local authority \
             (analysis/headline.csv, from 09:30 on Thursday 14 January 2027)"
        ]
    );
}

#[test]
fn an_as_of_before_the_files_exist_is_refused() {
    let c = Calendar::builtin();
    let on = |t: &str| c.refuse_as_of_before_files("6A26", parse_as_of(t).unwrap());
    assert!(on("2026-08-12T00:01").is_ok(), "GCE restricted release day");
    let err = on("2026-08-12T00:00").unwrap_err();
    assert!(
        err.contains("from 00:01 on Wednesday 12 August 2026") && err.contains("June 2026 (6A26)"),
        "{err}"
    );
    assert!(on("2025-08-20T10:00").is_err(), "a year out");
    assert!(c
        .refuse_as_of_before_files("6A41", parse_as_of("2026-01-01T00:00").unwrap())
        .is_ok());
}

#[test]
fn a_centre_file_may_not_release_earlier_than_the_builtin_calendar() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("series.toml");
    let load = |text: &str, force: bool| {
        std::fs::write(&path, text).unwrap();
        Calendar::load_with(Some(&path), force)
    };
    let june = "[series.\"2026-06\"]\nname = \"June 2026\"\nror_deadline = \"2026-09-24\"\n";
    let err = load(
        &format!("{june}gce_results = \"2026-08-13\"\ngcse_results = \"2026-08-13\"\n"),
        false,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains(
            "series \"2026-06\" (June 2026): gcse_results is 2026-08-13 (Thursday 13 August \
             2026), earlier than the built-in calendar's 2026-08-20 (Thursday 20 August 2026)"
        ),
        "{err}"
    );
    assert!(err.contains("--accept-earlier-calendar"), "{err}");
    // With --accept-earlier-calendar it is used.
    let c = load(
        &format!("{june}gce_results = \"2026-08-13\"\ngcse_results = \"2026-08-13\"\n"),
        true,
    )
    .unwrap();
    assert_eq!(
        c.get("2026-06").unwrap().gcse_results.to_string(),
        "2026-08-13"
    );
    // Later is a correction, and allowed.
    let c = load(
        &format!("{june}gce_results = \"2026-08-14\"\ngcse_results = \"2026-08-21\"\n"),
        false,
    )
    .unwrap();
    assert_eq!(
        c.get("2026-06").unwrap().gce_results.to_string(),
        "2026-08-14"
    );
    for (field, time, builtin) in [
        ("candidate_release_time", "07:00", "08:00"),
        ("third_party_release_time", "09:00", "09:30"),
    ] {
        let other = if field == "candidate_release_time" {
            "third_party_release_time = \"09:30\""
        } else {
            "candidate_release_time = \"08:00\""
        };
        let err = load(
            &format!("[defaults]\n{field} = \"{time}\"\n{other}\n"),
            false,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains(&format!(
                "{field} is {time}, earlier than the built-in calendar's {builtin}"
            )),
            "{err}"
        );
    }
    // A series the built-in calendar does not know may have any dates in or after its own
    // month, and none before it.
    assert!(load(
        "[series.\"2031-06\"]\nname = \"June 2031\"\ngce_results = \"2031-08-14\"\n\
         gcse_results = \"2031-08-21\"\nror_deadline = \"2031-09-25\"\n",
        false
    )
    .is_ok());
    let err = load(
        "[series.\"2031-06\"]\nname = \"June 2031\"\ngce_results = \"2026-01-01\"\n\
         gcse_results = \"2026-01-01\"\nror_deadline = \"2026-02-01\"\n",
        false,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("before the series' own month even begins"),
        "{err}"
    );
}

#[test]
fn an_unknown_series_is_named_with_an_example_to_add() {
    let w = unknown_series_warning("6A28");
    assert!(
        w.starts_with("series 6A28 (2028-06) is not in the series calendar"),
        "{w}"
    );
    assert!(
        w.contains("[series.\"2028-06\"]\nname = \"June 2028\"\n"),
        "{w}"
    );
    assert!(w.contains("gce_results = \"2028-08-17\""), "{w}");
    assert!(w.contains("gcse_results = \"2028-08-24\""), "{w}");
    let w = unknown_series_warning("BG28");
    assert!(w.contains("gcse_results = \"2029-01-11\""), "{w}");
    // The example is a table a centre can paste.
    let table = w.split_once("For example:\n").unwrap().1;
    let parsed: CalendarFile = toml::from_str(table).unwrap();
    assert!(parsed.series.contains_key("2028-11"));
    let w = unknown_series_warning("ZZ99");
    assert!(w.contains("[series.\"ZZ99\"]"), "{w}");
}

#[test]
fn a_result_whose_own_day_is_unknown_is_released_with_the_series_last() {
    let c = Calendar::builtin();
    let june = c.get("2026-06").unwrap();
    let mut r = crate::model::CandidateResult {
        board: "70".into(),
        centre: "14520".into(),
        candidate_number: "0002".into(),
        uci: String::new(),
        name: "A:B".into(),
        entry_code: "8062".into(),
        syllabus_code: None,
        title: String::new(),
        qualification: String::new(),
        level: None,
        gradeset: None,
        is_award: true,
        grade: None,
        grade2: None,
        mark: None,
        max_mark: None,
        endorsement: None,
        components: vec![],
        results_day: ResultsDay::Gce,
        source: Default::default(),
    };
    assert_eq!(c.release_day(june, &r), ResultsDay::Gcse);
    assert_eq!(
        c.candidate_release_of(june, &r),
        c.candidate_release(june, ResultsDay::Gcse)
    );
    r.level = Some(3);
    assert_eq!(c.release_day(june, &r), ResultsDay::Gce);
    // A GCE day later than the GCSE day: the unknown waits for it.
    let mut late = june.clone();
    late.gce_results = NaiveDate::from_ymd_opt(2026, 8, 27).unwrap();
    r.level = None;
    assert_eq!(c.release_day(&late, &r), ResultsDay::Gce);
}

#[test]
fn release_is_eight_o_clock_london_in_summer() {
    let c = Calendar::builtin();
    let june = c.get("2026-06").unwrap();
    let at = c.candidate_release(june, ResultsDay::Gcse);
    // BST: 08:00 London is 07:00 UTC.
    assert_eq!(at.naive_utc().to_string(), "2026-08-20 07:00:00");
    let nov = c.get("2025-11").unwrap();
    // GMT in January: 08:00 London is 08:00 UTC.
    assert_eq!(
        c.candidate_release(nov, ResultsDay::Gcse)
            .naive_utc()
            .to_string(),
        "2026-01-08 08:00:00"
    );
    assert_eq!(
        c.third_party_release(june, ResultsDay::Gce)
            .naive_utc()
            .to_string(),
        "2026-08-13 08:30:00"
    );
}

#[test]
fn a_centre_file_adds_a_year_and_corrects_a_date() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("series.toml");
    std::fs::write(
        &path,
        "[series.\"2027-06\"]\nname = \"June 2027\"\ngce_results = \"2027-08-12\"\n\
         gcse_results = \"2027-08-19\"\nror_deadline = \"2027-09-23\"\n",
    )
    .unwrap();
    let c = Calendar::load(Some(&path)).unwrap();
    assert_eq!(c.get("2027-06").unwrap().name, "June 2027");
    assert!(c.get("2026-06").is_some());
    std::fs::write(&path, "[series.\"2027-06\"]\nname = 3\n").unwrap();
    let err = Calendar::load(Some(&path)).unwrap_err();
    assert!(err.to_string().contains("series.toml"));
}

#[test]
fn as_of_reads_london_time() {
    let t = parse_as_of("2026-08-20T07:59").unwrap();
    assert_eq!(t.naive_utc().to_string(), "2026-08-20 06:59:00");
    let t = parse_as_of("2026-08-20T07:59:00+01:00").unwrap();
    assert_eq!(t.naive_utc().to_string(), "2026-08-20 06:59:00");
    assert!(parse_as_of("20 August").is_err());
    // An offset, with or without seconds, names the instant: 06:59 UTC is 07:59 BST.
    for text in [
        "2026-08-20T06:59Z",
        "2026-08-20T06:59:00Z",
        "2026-08-20T06:59:00z",
        "2026-08-20T07:59+01:00",
        "2026-08-20 06:59+00:00",
    ] {
        let t = parse_as_of(text).unwrap();
        assert_eq!(t.naive_utc().to_string(), "2026-08-20 06:59:00", "{text}");
        assert_eq!(t.naive_local().to_string(), "2026-08-20 07:59:00", "{text}");
    }
    // In January London is on GMT: 08:00Z is 08:00 London.
    let t = parse_as_of("2026-01-08T08:00Z").unwrap();
    assert_eq!(t.naive_local().to_string(), "2026-01-08 08:00:00");
    assert!(parse_as_of("2026-08-20T06:59+1").is_err());
    assert!(parse_as_of("2026-08-20T25:00Z").is_err());
    assert_eq!(
        parse_as_of("2026-10-25").unwrap().naive_utc().to_string(),
        "2026-10-24 23:00:00"
    );
}
