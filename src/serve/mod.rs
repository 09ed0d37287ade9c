//! `resultsday serve`: the exams office's desk in a browser, on this computer only. A local web
//! server over the same store and the same library calls as the command line, behind a token,
//! answering only to its own address.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

mod api;
mod guard;
mod pages;

/// How the desk is started.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The store.
    pub db: PathBuf,
    /// The port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
}

/// What every request handler shares.
#[derive(Debug)]
pub struct Desk {
    pub db: PathBuf,
    /// The secret every request must carry (64 hex digits).
    pub token: String,
    /// The port the desk listens on, for the Host and Origin checks.
    pub port: u16,
}

/// Why the desk could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Listen { port: u16, source: std::io::Error },
    #[error("cannot start the web server: {0}")]
    Runtime(std::io::Error),
    #[error("the operating system gave no random bytes for the access token: {0}")]
    Token(String),
}

/// A fresh access token: 32 random bytes as hex.
pub fn new_token() -> Result<String, ServeError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ServeError::Token(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Starts the desk on 127.0.0.1 and serves until Ctrl-C. `ready` is called once, with the
/// address to open (token included), as soon as the desk is listening.
pub fn serve(options: &ServeOptions, ready: impl FnOnce(&str)) -> Result<(), ServeError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(ServeError::Runtime)?;
    runtime.block_on(async {
        // Loopback only: the desk is never reachable from another computer.
        let asked = SocketAddr::from((Ipv4Addr::LOCALHOST, options.port));
        let listener = tokio::net::TcpListener::bind(asked)
            .await
            .map_err(|source| ServeError::Listen {
                port: options.port,
                source,
            })?;
        let port = listener
            .local_addr()
            .map_err(|source| ServeError::Listen {
                port: options.port,
                source,
            })?
            .port();
        let desk = Arc::new(Desk {
            db: options.db.clone(),
            token: new_token()?,
            port,
        });
        // Ctrl-C is caught from before the address is given, so it always stops the desk
        // cleanly (answers in flight are finished) rather than killing it.
        #[cfg(unix)]
        let mut interrupt =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
                .map_err(ServeError::Runtime)?;
        let stop = async move {
            #[cfg(unix)]
            interrupt.recv().await;
            #[cfg(not(unix))]
            let _ = tokio::signal::ctrl_c().await;
        };
        ready(&format!("http://127.0.0.1:{port}/?token={}", desk.token));
        axum::serve(listener, router(desk))
            .with_graceful_shutdown(stop)
            .await
            .map_err(ServeError::Runtime)
    })
}

/// Every page and API route, behind the guard.
pub fn router(desk: Arc<Desk>) -> axum::Router {
    use axum::routing::get;
    axum::Router::new()
        .route("/", get(pages::desk))
        .route("/desk.css", get(pages::stylesheet))
        .route("/api/runs", get(api::runs))
        .route("/api/runs/{id}/findings", get(api::findings))
        .route("/api/runs/{id}/changes", get(api::changes))
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            desk.clone(),
            guard::guard,
        ))
        .with_state(desk)
}
