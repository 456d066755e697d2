//! # concord-server
//!
//! `concord serve`: the store behind an HTTP server, for delegations, the secretariat and
//! observers.
//!
//! - `api`: the JSON API under `/api`, with its OpenAPI document at
//!   `/api/openapi.json`, generated from the handlers and the wire types;
//! - `page`: the decision board and its pages, rendered on the server, readable without
//!   JavaScript;
//! - `auth`: bearer tokens and the page's session cookie, and what each role may do;
//! - `writer`: the one thread that owns the store and commits concurrent writes together;
//! - [`Clock`]: the date the server lives on; decisions are recorded when it reaches them, and
//!   no write moves it.
//!
//! The server is a thin shell: decisions come from `concord-core`, and every change goes through
//! `concord-store` into the signed ledger before it is acknowledged.

mod api;
mod app;
mod auth;
mod clock;
mod error;
mod http;
mod limits;
mod listen;
mod page;
mod power;
mod rate;
mod writer;

#[cfg(test)]
mod testing;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use concord_store::{NewToken, Role, Store, StoreError};

pub use clock::Clock;
pub use limits::{HEAD_LIMIT, Limits, MAX_TICK};

/// The largest request body accepted, in bytes.
pub const BODY_LIMIT: usize = 64 * 1024;

/// How to serve.
#[derive(Clone, Debug)]
pub struct Config {
    /// The store's file.
    pub db: PathBuf,
    /// The scenario to create the store from when the file does not exist: its name and text.
    pub seed: Option<(String, String)>,
    /// The address to listen on.
    pub addr: SocketAddr,
    /// Where today's date comes from.
    pub clock: Clock,
    /// How often the clock looks for decisions that fell due.
    pub tick: Duration,
    /// Whether reading needs a token.
    pub private: bool,
}

/// What the server says once it listens.
#[derive(Debug)]
pub struct Started {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// Whether the store was created from the seed scenario.
    pub created: bool,
    /// The first secretariat token, made because the store had no token.
    pub first_token: Option<NewToken>,
    /// The most connections it holds at once: the configured cap, or less when the limit on
    /// open files does not allow it.
    pub max_connections: usize,
}

/// Why the server could not run.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The address cannot be listened on, or the runtime failed.
    #[error("{0}")]
    Io(String),
    /// A setting is out of its range; nothing was opened.
    #[error("{0}")]
    Config(String),
}

/// Opens (or creates) the store, listens, and serves until Ctrl-C or SIGTERM, with the default
/// [`Limits`]; `started` is called once the server listens. Every acknowledged write is on disk
/// before it returns.
pub fn serve(config: Config, started: impl FnOnce(&Started)) -> Result<(), ServeError> {
    serve_with(config, Limits::default(), started)
}

/// As [`serve`], with the given limits. Settings out of their range (a clock's interval over
/// [`MAX_TICK`], a timeout of zero, …) are refused before anything is opened.
pub fn serve_with(config: Config, limits: Limits, started: impl FnOnce(&Started)) -> Result<(), ServeError> {
    limits::check_tick(config.tick).map_err(ServeError::Config)?;
    limits.check().map_err(ServeError::Config)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| ServeError::Io(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(run(config, limits, started))
}

/// An open store with its writer running: what the routes serve.
pub(crate) struct Opened {
    /// The handlers' shared state.
    pub(crate) app: Arc<app::App>,
    /// The writer thread; it ends once every sender of `app.jobs` is dropped.
    pub(crate) writer: std::thread::JoinHandle<()>,
    /// Whether the store was created from the seed scenario.
    pub(crate) created: bool,
    /// The first secretariat token, made because the store had no live token.
    pub(crate) first_token: Option<NewToken>,
}

/// Opens the store (creating it from the seed if the file does not exist), makes the first
/// secretariat token if there is no live token, records every decision that fell due while no
/// server ran (in one write), and starts the writer.
pub(crate) fn open(config: &Config, limits: &Limits) -> Result<Opened, ServeError> {
    let now = clock::unix_now();
    let clock = Arc::new(clock::ServerClock::new(config.clock));
    let today = clock.today();
    let (mut store, created) = match (&config.seed, config.db.exists()) {
        (Some((origin, text)), false) => (Store::create(&config.db, origin, text, None, today, now)?.0, true),
        _ => (Store::open(&config.db)?, false),
    };
    let first_token = if store.tokens()?.iter().any(|g| g.revoked.is_none()) {
        None
    } else {
        Some(store.create_token(Role::Secretariat, None, Some("first secretariat token, made by `serve`"), now)?)
    };
    record_overdue(&mut store, today)?;
    let published = Arc::new(RwLock::new(Arc::new(writer::Snapshot::of(&store)?)));
    let (jobs, queue) = std::sync::mpsc::channel();
    let reader = Store::open_unchecked(&config.db)?;
    let app = Arc::new(app::App::new(
        published.clone(),
        jobs,
        reader,
        config.db.clone(),
        clock.clone(),
        config.private,
        limits.clone(),
    ));
    let writer = writer::Writer::new(store, clock, published);
    let writer = std::thread::Builder::new()
        .name("concord-writer".to_owned())
        .spawn(move || writer.run(queue))
        .map_err(|e| ServeError::Io(format!("cannot start the writer: {e}")))?;
    Ok(Opened { app, writer, created, first_token })
}

/// Records every decision that fell due by `today` in one write, before the server listens: one
/// evaluation and one transaction whatever their number. On a terminal it says how many, and
/// how long it took. A store whose last entry is after `today` cannot be written on `today`:
/// that is said and left for the clock to catch up.
fn record_overdue(store: &mut Store, today: concord_core::Date) -> Result<(), ServeError> {
    use std::io::IsTerminal;
    let terminal = std::io::stderr().is_terminal();
    let started = std::time::Instant::now();
    let mut count = 0;
    let ticked = store.tick(today, clock::unix_now(), |n| {
        count = n;
        if terminal {
            eprintln!("recording {} that fell due…", decisions(n));
        }
    });
    match ticked {
        Ok(Some(_)) if terminal => {
            eprintln!("recorded {} in {:.1} s", decisions(count), started.elapsed().as_secs_f64());
            Ok(())
        }
        Ok(_) => Ok(()),
        Err(StoreError::Date(message)) => {
            eprintln!("concord serve: the decisions that fell due are not recorded yet: {message}");
            Ok(())
        }
        Err(e) => Err(ServeError::Io(format!("cannot record the decisions that fell due: {e}"))),
    }
}

/// "1 decision", "2,000 decisions".
fn decisions(n: usize) -> String {
    let digits = n.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{grouped} decision{}", if n == 1 { "" } else { "s" })
}

async fn run(config: Config, mut limits: Limits, started: impl FnOnce(&Started)) -> Result<(), ServeError> {
    let Opened { app, writer, created, first_token } = open(&config, &limits)?;
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|e| ServeError::Io(format!("cannot listen on {}: {e}", config.addr)))?;
    let addr = listener.local_addr().map_err(|e| ServeError::Io(e.to_string()))?;
    limits.max_connections = limits::fit_connections(limits.max_connections);
    // Today's voting power is computed before anyone asks, so that an anonymous view finds it.
    power::warm_today(&app);
    started(&Started { addr, created, first_token, max_connections: limits.max_connections });

    let clock = tokio::spawn(run_clock(app.clone(), config.tick));
    listen::serve(listener, self::app(app.clone()), limits, shutdown()).await;
    clock.abort();
    // Dropping the last sender ends the writer after it has answered every queued job.
    drop(app);
    let _ = tokio::task::spawn_blocking(move || writer.join()).await;
    Ok(())
}

/// The whole application: the API, the pages and their assets, with the body's limits and the
/// browser-side headers. Tests call it without a socket.
pub(crate) fn app(state: Arc<app::App>) -> Router {
    Router::new()
        .nest("/api", api::routes(&state))
        .merge(page::routes(&state))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(state.clone(), http::guard_bodies))
        .layer(axum::middleware::from_fn(http::security_headers))
        .with_state(state)
}

/// Asks the writer, every `every`, to record the decisions that fell due, and has today's
/// voting power computed if the date moved (`every` is at most [`MAX_TICK`]).
async fn run_clock(app: Arc<app::App>, every: Duration) {
    let mut interval = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    loop {
        interval.tick().await;
        if app.jobs.send(writer::Job::Tick { now: None, reply: None }).is_err() {
            return;
        }
        power::warm_today(&app);
    }
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};

    use crate::testing::TestServer;

    #[test]
    fn counts_of_decisions_are_grouped_by_thousands() {
        assert_eq!(super::decisions(1), "1 decision");
        assert_eq!(super::decisions(999), "999 decisions");
        assert_eq!(super::decisions(2000), "2,000 decisions");
        assert_eq!(super::decisions(1_234_567), "1,234,567 decisions");
    }

    #[tokio::test]
    async fn a_body_over_the_limit_is_413_as_json_whether_announced_or_streamed() {
        let server = TestServer::new("2025-06-20");
        let size = server.size().await;
        let big = format!("{{\"proposal\": \"{}\"}}", "x".repeat(crate::BODY_LIMIT));
        let request = Request::post("/api/votes")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::CONTENT_LENGTH, big.len())
            .header(header::AUTHORIZATION, format!("Bearer {}", server.secretariat))
            .body(Body::from(big.clone()))
            .unwrap();
        let announced = server.send(request).await;
        assert_eq!(announced.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(announced.json()["error"].as_str().unwrap().contains("limit"));
        // Without a length the body is cut off as it is read.
        let chunks = vec![Ok::<_, std::io::Error>(big.clone().into_bytes())];
        let request = Request::post("/api/votes")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, format!("Bearer {}", server.secretariat))
            .body(Body::from_stream(futures_util::stream::iter(chunks)))
            .unwrap();
        let streamed = server.send(request).await;
        assert_eq!(streamed.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", streamed.body);
        assert!(streamed.json()["error"].as_str().unwrap().contains("limit"));
        assert_eq!(server.size().await, size);
    }
}
