//! A server for the unit tests, without a socket: a store made from the NATO 2025 example in a
//! temporary directory, its writer running, and the whole [`app`](crate::app) called with
//! `oneshot`.

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::{Clock, Config, Limits, Opened};

const NATO: &str = include_str!("../../../examples/nato-2025.toml");

/// An answer: status, headers and body text.
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: String,
}

impl Answer {
    /// The body as JSON.
    #[track_caller]
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// A header's value.
    pub(crate) fn header(&self, name: header::HeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// The app over a new store, with the clock pinned.
pub(crate) struct TestServer {
    _dir: tempfile::TempDir,
    router: Option<Router>,
    opened: Option<Opened>,
    /// The first secretariat token.
    pub(crate) secretariat: String,
}

impl TestServer {
    /// A new store from the NATO example, served with the clock on `today`.
    pub(crate) fn new(today: &str) -> TestServer {
        TestServer::with(today, false)
    }

    /// As [`TestServer::new`], with reads needing a token when `private`.
    pub(crate) fn with(today: &str, private: bool) -> TestServer {
        TestServer::prepared(today, private, |_| {})
    }

    /// As [`TestServer::new`], with these limits.
    pub(crate) fn with_limits(today: &str, limits: Limits) -> TestServer {
        TestServer::start(today, false, ("examples/nato-2025.toml", NATO), limits, |_| {})
    }

    /// A server on a store made from the NATO example dated `created` (by a clock on that day),
    /// then changed by `prepare`, served with the clock on `today`.
    pub(crate) fn on_store(created: &str, today: &str, prepare: impl FnOnce(&std::path::Path)) -> TestServer {
        TestServer::prepared(today, false, |db| {
            let day = created.parse().unwrap();
            concord_store::Store::create(db, "examples/nato-2025.toml", NATO, Some(day), day, 0).unwrap();
            prepare(db);
        })
    }

    /// A new store from a scenario's text, served with the clock on `today`.
    pub(crate) fn with_scenario(today: &str, text: &str) -> TestServer {
        TestServer::with_scenario_and_limits(today, text, Limits::default())
    }

    /// As [`TestServer::with_scenario`], with these limits.
    pub(crate) fn with_scenario_and_limits(today: &str, text: &str, limits: Limits) -> TestServer {
        TestServer::start(today, false, ("scenario.toml", text), limits, |_| {})
    }

    fn prepared(today: &str, private: bool, prepare: impl FnOnce(&std::path::Path)) -> TestServer {
        TestServer::start(today, private, ("examples/nato-2025.toml", NATO), Limits::default(), prepare)
    }

    fn start(
        today: &str,
        private: bool,
        seed: (&str, &str),
        limits: Limits,
        prepare: impl FnOnce(&std::path::Path),
    ) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        prepare(&dir.path().join("nato.db"));
        let config = Config {
            db: dir.path().join("nato.db"),
            seed: Some((seed.0.to_owned(), seed.1.to_owned())),
            addr: "127.0.0.1:0".parse().unwrap(),
            clock: Clock::Fixed(today.parse().unwrap()),
            tick: Duration::from_secs(3600),
            private,
        };
        let opened = crate::open(&config, &limits).unwrap();
        crate::power::warm_today(&opened.app);
        let secretariat = opened.first_token.as_ref().unwrap().token.clone();
        let router = crate::app(opened.app.clone());
        TestServer { _dir: dir, router: Some(router), opened: Some(opened), secretariat }
    }

    /// Sends a request through the whole app.
    pub(crate) async fn send(&self, request: Request<Body>) -> Answer {
        let router = self.router.clone().unwrap();
        let response = router.oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Answer { status, headers, body: String::from_utf8(bytes.to_vec()).unwrap() }
    }

    /// `GET path`, with a bearer token if given.
    pub(crate) async fn get(&self, path: &str, token: Option<&str>) -> Answer {
        let mut request = Request::get(path);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    /// `POST path` with a JSON body, with a bearer token if given.
    pub(crate) async fn post(&self, path: &str, token: Option<&str>, body: &serde_json::Value) -> Answer {
        let mut request = Request::post(path).header(header::CONTENT_TYPE, "application/json");
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        self.send(request.body(Body::from(body.to_string())).unwrap()).await
    }

    /// `POST path` with a form body, as a browser sends it: with the session cookie of `token`
    /// if given, and an `Origin` header if given.
    pub(crate) async fn form(&self, path: &str, token: Option<&str>, origin: Option<&str>, body: &str) -> Answer {
        let mut request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "concord.test");
        if let Some(token) = token {
            request = request.header(header::COOKIE, format!("{}={token}", crate::auth::COOKIE_NAME));
        }
        if let Some(origin) = origin {
            request = request.header(header::ORIGIN, origin);
        }
        self.send(request.body(Body::from(body.to_owned())).unwrap()).await
    }

    /// A token made through the API by the secretariat.
    pub(crate) async fn token(&self, role: &str, member: Option<&str>) -> String {
        let body = serde_json::json!({"role": role, "member": member});
        let made = self.post("/api/tokens", Some(&self.secretariat), &body).await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        made.json()["token"].as_str().unwrap().to_owned()
    }

    /// The whole app, to serve on a socket.
    pub(crate) fn router(&self) -> Router {
        self.router.clone().unwrap()
    }

    /// The store's file.
    pub(crate) fn db(&self) -> std::path::PathBuf {
        self._dir.path().join("nato.db")
    }

    /// The snapshot readers see now.
    pub(crate) fn snapshot(&self) -> std::sync::Arc<crate::writer::Snapshot> {
        self.opened.as_ref().unwrap().app.snapshot()
    }

    /// The number of entries in the ledger.
    pub(crate) async fn size(&self) -> u64 {
        self.get("/api/ledger", None).await.json()["tree_size"].as_u64().unwrap()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        // The router holds the last senders to the writer: drop it, then wait for the writer.
        self.router = None;
        if let Some(Opened { app, writer, .. }) = self.opened.take() {
            drop(app);
            let _ = writer.join();
        }
    }
}
