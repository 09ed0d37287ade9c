//! What every request passes before it reaches a page: the desk answers only to its own
//! address (no DNS rebinding), only with its token (from `?token=` once, then a cookie, or a
//! bearer header), and changes nothing for another site's page (no CSRF). Every response, a
//! refusal too, carries headers that keep it out of caches and frames and forbid foreign script.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::Desk;

/// The cookie that carries the token after the first visit.
pub const COOKIE: &str = "resultsday_token";

/// The headers every response carries.
const SECURITY_HEADERS: [(header::HeaderName, &str); 6] = [
    (header::CACHE_CONTROL, "no-store"),
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; \
         form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "no-referrer"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (
        header::HeaderName::from_static("cross-origin-resource-policy"),
        "same-origin",
    ),
];

/// Checks a request, then passes it on; adds the security headers to whatever comes back.
pub async fn guard(State(desk): State<Arc<Desk>>, request: Request, next: Next) -> Response {
    let mut response = match check(&desk, &request) {
        Ok(Pass::On) => next.run(request).await,
        Ok(Pass::SetCookie(location)) => set_cookie(&desk.token, &location),
        Err((status, text)) => (status, text).into_response(),
    };
    let headers = response.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

enum Pass {
    On,
    /// The token came in the address: keep it in a cookie and go to `location` without it.
    SetCookie(String),
}

fn check(desk: &Desk, request: &Request) -> Result<Pass, (StatusCode, &'static str)> {
    let headers = request.headers();
    let forbidden = |text| Err((StatusCode::FORBIDDEN, text));
    if !own_host(headers, desk.port) {
        return forbidden("forbidden: the desk answers only at http://127.0.0.1 on its own port\n");
    }
    let safe = matches!(*request.method(), Method::GET | Method::HEAD);
    if !safe && !same_origin(headers, desk.port) {
        return forbidden("forbidden: a change can only be asked for from the desk's own pages\n");
    }
    if bearer(headers).is_some_and(|t| same_secret(t, &desk.token))
        || cookie(headers).is_some_and(|t| same_secret(t, &desk.token))
    {
        return Ok(Pass::On);
    }
    if safe {
        if let Some((path, given)) = token_in_query(request) {
            if same_secret(&given, &desk.token) {
                return Ok(Pass::SetCookie(path));
            }
        }
    }
    Err((
        StatusCode::UNAUTHORIZED,
        "resultsday: open the desk with the address `resultsday serve` printed (it holds the \
         token)\n",
    ))
}

/// `Host` is `127.0.0.1:PORT` or `localhost:PORT`, and nothing else.
fn own_host(headers: &HeaderMap, port: u16) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let host = host.to_ascii_lowercase();
    host == format!("127.0.0.1:{port}") || host == format!("localhost:{port}")
}

/// `Origin`, when sent, is the desk's own; a browser's `Sec-Fetch-Site`, when sent, says the
/// same.
fn same_origin(headers: &HeaderMap, port: u16) -> bool {
    let origin_ok = match headers.get(header::ORIGIN).map(|o| o.to_str()) {
        None => true,
        Some(Ok(origin)) => {
            let origin = origin.to_ascii_lowercase();
            origin == format!("http://127.0.0.1:{port}")
                || origin == format!("http://localhost:{port}")
        }
        Some(Err(_)) => false,
    };
    let site_ok = match headers.get("sec-fetch-site").map(|s| s.to_str()) {
        None => true,
        Some(Ok(site)) => matches!(site, "same-origin" | "none"),
        Some(Err(_)) => false,
    };
    origin_ok && site_ok
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

fn cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == COOKIE).then_some(value)
        })
}

/// The token given as `?token=`, with the path and the rest of the query to go to without it.
fn token_in_query(request: &Request) -> Option<(String, String)> {
    let query = request.uri().query()?;
    let mut token = None;
    let mut rest = Vec::new();
    for pair in query.split('&') {
        match pair.strip_prefix("token=") {
            Some(value) => token = Some(value.to_string()),
            None => rest.push(pair),
        }
    }
    // A path on the desk itself: `//host/...` would send the browser to another site.
    let path = format!("/{}", request.uri().path().trim_start_matches('/'));
    let location = if rest.is_empty() {
        path
    } else {
        format!("{path}?{}", rest.join("&"))
    };
    Some((location, token?))
}

/// Compares a given secret with the token in time that does not depend on where they differ.
fn same_secret(given: &str, token: &str) -> bool {
    let (a, b) = (given.as_bytes(), token.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn set_cookie(token: &str, location: &str) -> Response {
    let cookie = format!("{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/");
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    if let (Ok(cookie), Ok(location)) = (
        HeaderValue::from_str(&cookie),
        HeaderValue::from_str(location),
    ) {
        headers.insert(header::SET_COOKIE, cookie);
        headers.insert(header::LOCATION, location);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_match_only_when_equal() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abd", "abc"));
        assert!(!same_secret("ab", "abc"));
        assert!(!same_secret("", "abc"));
    }
}
