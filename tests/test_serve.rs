//! `resultsday serve` over HTTP: the security rules (loopback only, the token, the Host and
//! Origin checks, the headers) and the JSON API, against a store of the samples' two runs.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Stdio};

mod common;

use common::{copy_dir, resultsday};

/// A running desk over a store with the samples' results day and the re-run after reviews.
struct Desk {
    child: Child,
    port: u16,
    token: String,
    _dir: tempfile::TempDir,
}

impl Drop for Desk {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn run(dir: &Path, as_of: &str) {
    resultsday()
        .arg("run")
        .arg(dir.join("in"))
        .arg("--out")
        .arg(dir.join("out"))
        .arg("--db")
        .arg(dir.join("s.db"))
        .args(["--as-of", as_of, "--quiet"])
        .assert()
        .success();
}

fn desk() -> Desk {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new("samples/results-day"), &dir.path().join("in"));
    run(dir.path(), "2026-08-20T10:00");
    copy_dir(
        Path::new("samples/after-reviews"),
        &dir.path().join("in/results"),
    );
    run(dir.path(), "2026-09-16T10:00");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("resultsday"))
        .arg("serve")
        .arg("--db")
        .arg(dir.path().join("s.db"))
        .arg("--no-open")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("resultsday: open http://127.0.0.1:")
        .unwrap_or_else(|| panic!("the first line is the address: {line}"));
    let (port, token) = url.split_once("/?token=").unwrap();
    Desk {
        child,
        port: port.parse().unwrap(),
        token: token.to_string(),
        _dir: dir,
    }
}

/// One HTTP/1.1 request; the status, the headers (lower-case names) and the body.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

fn request(desk: &Desk, method: &str, path: &str, headers: &[(&str, &str)]) -> Answer {
    let host = format!("127.0.0.1:{}", desk.port);
    let mut text = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        text += &format!("Host: {host}\r\n");
    }
    for (name, value) in headers {
        text += &format!("{name}: {value}\r\n");
    }
    if method == "POST" {
        text += "Content-Length: 0\r\n";
    }
    text += "\r\n";
    let mut stream = TcpStream::connect(("127.0.0.1", desk.port)).unwrap();
    stream.write_all(text.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8(raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(n, v)| (n.to_ascii_lowercase(), v.to_string()))
        .collect();
    Answer {
        status,
        headers,
        body: body.to_string(),
    }
}

fn bearer(desk: &Desk) -> String {
    format!("Bearer {}", desk.token)
}

#[test]
fn without_the_token_every_address_is_refused_with_no_personal_data() {
    let desk = desk();
    for path in [
        "/",
        "/api/runs",
        "/api/runs/2/findings",
        "/api/runs/2/changes",
    ] {
        let a = request(&desk, "GET", path, &[]);
        assert_eq!(a.status, 401, "{path}");
        assert!(
            !a.body.contains("PATEL") && !a.body.contains("14520"),
            "{}",
            a.body
        );
        let wrong = request(&desk, "GET", path, &[("Authorization", "Bearer 00")]);
        assert_eq!(wrong.status, 401, "{path}");
        let wrong = request(&desk, "GET", &format!("{path}?token=00"), &[]);
        assert_eq!(wrong.status, 401, "{path}");
    }
}

#[test]
fn the_token_in_the_address_becomes_a_strict_cookie_and_leaves_the_address() {
    let desk = desk();
    let a = request(&desk, "GET", &format!("/?token={}", desk.token), &[]);
    assert_eq!(a.status, 303);
    assert_eq!(a.header("location"), Some("/"));
    let cookie = a.header("set-cookie").unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().unwrap();
    let page = request(&desk, "GET", "/", &[("Cookie", pair)]);
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Centre 14520, series 6A26"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("entries with no result"),
        "{}",
        page.body
    );
    // The latest run of the centre and series, its clock as a person reads it.
    assert!(
        page.body
            .contains("Run 2 as of Wed 16 Sep 2026 10:00 BST: 117 results"),
        "{}",
        page.body
    );
    // Its stylesheet comes from the desk itself.
    assert!(page
        .body
        .contains("<link rel=\"stylesheet\" href=\"/desk.css\">"));
    let css = request(&desk, "GET", "/desk.css", &[("Cookie", pair)]);
    assert_eq!(css.status, 200);
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
}

#[test]
fn the_token_address_never_sends_the_browser_to_another_site() {
    let desk = desk();
    let a = request(
        &desk,
        "GET",
        &format!("//evil.example/x?token={}&a=1", desk.token),
        &[],
    );
    assert_eq!(a.status, 303);
    assert_eq!(a.header("location"), Some("/evil.example/x?a=1"));
}

#[test]
fn another_host_is_forbidden_even_with_the_token() {
    let desk = desk();
    let auth = bearer(&desk);
    for host in [
        format!("evil.example:{}", desk.port),
        "127.0.0.1".to_string(),
        format!("127.0.0.1:{}", desk.port + 1),
    ] {
        let a = request(
            &desk,
            "GET",
            "/api/runs",
            &[("Host", &host), ("Authorization", &auth)],
        );
        assert_eq!(a.status, 403, "{host}");
        assert!(!a.body.contains("14520"), "{}", a.body);
    }
    let local = format!("localhost:{}", desk.port);
    let a = request(
        &desk,
        "GET",
        "/api/runs",
        &[("Host", &local), ("Authorization", &auth)],
    );
    assert_eq!(a.status, 200);
}

#[test]
fn a_change_asked_for_by_another_site_is_forbidden() {
    let desk = desk();
    let auth = bearer(&desk);
    for (name, value) in [
        ("Origin", "http://evil.example".to_string()),
        ("Origin", "null".to_string()),
        ("Origin", format!("http://127.0.0.1:{}", desk.port + 1)),
        ("Sec-Fetch-Site", "cross-site".to_string()),
    ] {
        let a = request(
            &desk,
            "POST",
            "/api/prs",
            &[(name, &value), ("Authorization", &auth)],
        );
        assert_eq!(a.status, 403, "{name}: {value}");
    }
    // The desk's own origin passes the guard (and finds no such route yet).
    let own = format!("http://127.0.0.1:{}", desk.port);
    let a = request(
        &desk,
        "POST",
        "/api/prs",
        &[("Origin", &own), ("Authorization", &auth)],
    );
    assert_ne!(a.status, 403);
}

#[test]
fn every_answer_is_kept_out_of_caches_frames_and_foreign_script() {
    let desk = desk();
    let auth = bearer(&desk);
    for a in [
        request(&desk, "GET", "/", &[("Authorization", &auth)]),
        request(&desk, "GET", "/api/runs", &[]),
        request(&desk, "GET", "/nowhere", &[("Authorization", &auth)]),
    ] {
        assert_eq!(a.header("cache-control"), Some("no-store"));
        let csp = a.header("content-security-policy").unwrap();
        assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'self'"));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert_eq!(a.header("x-content-type-options"), Some("nosniff"));
    }
}

#[test]
fn it_listens_on_the_loopback_address_only() {
    let desk = desk();
    // Every address of this computer but 127.0.0.1 is refused.
    let others: Vec<std::net::IpAddr> = std::net::UdpSocket::bind("0.0.0.0:0")
        .and_then(|s| s.connect("192.0.2.1:9").map(|()| s))
        .and_then(|s| s.local_addr())
        .map(|a| vec![a.ip()])
        .unwrap_or_default();
    for ip in others.into_iter().filter(|ip| !ip.is_loopback()) {
        assert!(
            TcpStream::connect((ip, desk.port)).is_err(),
            "the desk answered on {ip}"
        );
    }
    assert!(TcpStream::connect(("127.0.0.2", desk.port)).is_err());
}

#[test]
fn the_api_gives_runs_findings_and_changes_with_the_contract_names() {
    let desk = desk();
    let auth = bearer(&desk);
    let get = |path: &str| -> serde_json::Value {
        let a = request(&desk, "GET", path, &[("Authorization", &auth)]);
        assert_eq!(a.status, 200, "{path}: {}", a.body);
        serde_json::from_str(&a.body).unwrap()
    };
    let runs = get("/api/runs");
    assert_eq!(runs.as_array().unwrap().len(), 2);
    let first = &runs[0];
    assert_eq!(first["id"], 1);
    assert_eq!(first["centre"], "14520");
    assert_eq!(first["series"], "6A26");
    assert_eq!(first["as_of"], "2026-08-20T10:00:00+01:00");
    assert_eq!(first["results"], 116);
    assert_eq!(first["errors"], 14);
    assert_eq!(first["warnings"], 16);

    let findings = get("/api/runs/1/findings");
    let missing: Vec<&serde_json::Value> = findings
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "missing_result")
        .collect();
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0]["candidate_number"], "0005");
    assert_eq!(missing[0]["entry_code"], "8145");
    assert_eq!(missing[0]["severity"], "error");
    assert_eq!(missing[0]["file"], "entries/E1452070.X01");
    assert_eq!(missing[0]["line"], 7);

    let changes = get("/api/runs/2/changes");
    let up = changes
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["candidate_number"] == "0013")
        .unwrap();
    assert_eq!(up["entry_code"], "8700");
    assert_eq!(up["old_grade"], "3");
    assert_eq!(up["new_grade"], "4");
    assert_eq!(up["direction"], "up");
    assert_eq!(get("/api/runs/1/changes"), serde_json::json!([]));

    let none = request(
        &desk,
        "GET",
        "/api/runs/9/findings",
        &[("Authorization", &auth)],
    );
    assert_eq!(none.status, 404);
    assert!(none.body.contains("there is no run 9"), "{}", none.body);
}

#[test]
fn a_store_that_does_not_exist_is_said_before_the_desk_starts() {
    let dir = tempfile::tempdir().unwrap();
    resultsday()
        .arg("serve")
        .arg("--db")
        .arg(dir.path().join("none.db"))
        .arg("--no-open")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("there is no store"));
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_it_cleanly() {
    let mut desk = desk();
    let pid = desk.child.id().to_string();
    let sent = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    assert!(sent.success());
    let status = desk.child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(TcpStream::connect(("127.0.0.1", desk.port)).is_err());
}
