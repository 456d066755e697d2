//! A `concord serve` process for the HTTP tests: a store made from the NATO example, served on a
//! free loopback port with a pinned clock, and a small client that reads any status as an
//! answer (an error status is something to assert on, not a failure of the client).
//!
//! The process is [`program`](crate::util::program): the built `concord`, or the one named by
//! `CONCORD_TEST_BIN`, to check that a regression test fails on an earlier build.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

use crate::store::{TempStore, nato_store};

/// A running server and its store; the process is stopped when this is dropped.
pub(crate) struct Served {
    /// The store it serves.
    pub(crate) store: TempStore,
    /// `http://127.0.0.1:PORT`.
    pub(crate) base: String,
    /// The first secretariat token, printed at start.
    pub(crate) secretariat: String,
    child: Child,
    agent: ureq::Agent,
    /// What the server wrote on standard error, when it is kept ([`Served::start_logged`]).
    log: Option<std::sync::Arc<std::sync::Mutex<String>>>,
}

/// An answer: its status and its body, parsed as JSON when it is JSON.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: String,
    pub(crate) content_type: String,
    pub(crate) headers: ureq::http::HeaderMap,
}

impl Answer {
    /// A header's value.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as JSON.
    #[track_caller]
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

impl Served {
    /// Serves a new store made from the NATO example, with the clock pinned on `clock`.
    pub(crate) fn start(clock: &str) -> Served {
        Served::start_with(nato_store(), &["--clock", clock])
    }

    /// Serves `store` with extra `serve` arguments.
    pub(crate) fn start_with(store: TempStore, extra: &[&str]) -> Served {
        Served::spawn(store, extra, false)
    }

    /// As [`Served::start_with`], keeping what the server writes on standard error
    /// ([`Served::log`]).
    pub(crate) fn start_logged(store: TempStore, extra: &[&str]) -> Served {
        Served::spawn(store, extra, true)
    }

    /// As [`Served::start_with`], with the server's limit on open files set to `open_files` (as
    /// `ulimit -n` would), keeping what it writes on standard error.
    #[allow(dead_code, reason = "used by the attacks of tests/attacks.rs only")]
    pub(crate) fn start_limited(store: TempStore, extra: &[&str], open_files: u64) -> Served {
        Served::spawn_limited(store, extra, true, Some(open_files))
    }

    /// `127.0.0.1:PORT`, for raw sockets.
    #[allow(dead_code, reason = "used by the attacks of tests/attacks.rs only")]
    pub(crate) fn addr(&self) -> &str {
        self.base.trim_start_matches("http://")
    }

    /// What the server has written on standard error so far (with [`Served::start_logged`]).
    pub(crate) fn log(&self) -> String {
        self.log.as_ref().map(|l| l.lock().unwrap().clone()).unwrap_or_default()
    }

    fn spawn(store: TempStore, extra: &[&str], logged: bool) -> Served {
        Served::spawn_limited(store, extra, logged, None)
    }

    fn spawn_limited(store: TempStore, extra: &[&str], logged: bool, open_files: Option<u64>) -> Served {
        let program = crate::util::program();
        let mut command = match open_files {
            Some(n) => {
                let mut sh = Command::new("sh");
                sh.args(["-c", &format!("ulimit -n {n} && exec \"$0\" \"$@\"")]).arg(&program);
                sh
            }
            None => Command::new(&program),
        };
        let mut child = command
            .current_dir(crate::util::root())
            .args(["--db", store.db.to_str().unwrap(), "serve", "--addr", "127.0.0.1:0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(if logged { Stdio::piped() } else { Stdio::inherit() })
            .spawn()
            .expect("start `concord serve`");
        let log = child.stderr.take().map(|stderr| {
            let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
            let kept = log.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    eprintln!("{line}");
                    let mut kept = kept.lock().unwrap();
                    kept.push_str(&line);
                    kept.push('\n');
                }
            });
            log
        });
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut base = None;
        let mut secretariat = None;
        for line in lines.by_ref() {
            let line = line.unwrap();
            if let Some(rest) = line.strip_prefix("concord serving ") {
                base = Some(rest.split_whitespace().next().unwrap().trim_end_matches('/').to_owned());
            }
            if let Some(token) = line.strip_prefix("first secretariat token (shown once; keep it): ") {
                secretariat = Some(token.trim().to_owned());
            }
            if line.starts_with("stop with") {
                break;
            }
        }
        // Keep draining standard output so the server never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        let agent = ureq::Agent::config_builder().http_status_as_error(false).build().new_agent();
        Served {
            store,
            base: base.expect("the server printed its address"),
            secretariat: secretariat.expect("the server printed the first secretariat token"),
            child,
            agent,
            log,
        }
    }

    /// `GET path`, with a token if given.
    pub(crate) fn get(&self, path: &str, token: Option<&str>) -> Answer {
        let mut request = self.agent.get(format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        answer(request.call())
    }

    /// `POST path` with a JSON body, with a token if given.
    pub(crate) fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Answer {
        let mut request = self.agent.post(format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        answer(request.send_json(body))
    }

    /// `POST path` with a JSON body and these headers (a cookie, an `Origin`, …).
    pub(crate) fn post_with(&self, path: &str, headers: &[(&str, &str)], body: &Value) -> Answer {
        let mut request = self.agent.post(format!("{}{path}", self.base));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        answer(request.send_json(body))
    }

    /// `POST path` with a raw body and content type.
    pub(crate) fn post_raw(&self, path: &str, token: Option<&str>, content_type: &str, body: Vec<u8>) -> Answer {
        let mut request = self.agent.post(format!("{}{path}", self.base)).header("Content-Type", content_type);
        if let Some(token) = token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        answer(request.send(&body[..]))
    }

    /// Sends raw bytes on a new connection and reads the answer until the server closes it.
    pub(crate) fn raw(&self, request: &str) -> String {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(self.base.trim_start_matches("http://")).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer
    }

    /// `DELETE path` with a token.
    pub(crate) fn delete(&self, path: &str, token: &str) -> Answer {
        answer(
            self.agent.delete(format!("{}{path}", self.base)).header("Authorization", format!("Bearer {token}")).call(),
        )
    }

    /// A new token made through the API by the secretariat.
    pub(crate) fn token(&self, role: &str, member: Option<&str>) -> String {
        let a = self.post("/api/tokens", Some(&self.secretariat), &serde_json::json!({"role": role, "member": member}));
        assert_eq!(a.status, 201, "{}", a.body);
        a.json()["token"].as_str().unwrap().to_owned()
    }

    /// Stops the server (SIGTERM, as Ctrl-C would) and waits for it to exit.
    pub(crate) fn stop(&mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        self.child.wait().unwrap()
    }
}

fn answer(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Answer {
    let mut response = result.expect("the server answers");
    let status = response.status().as_u16();
    let content_type =
        response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let headers = response.headers().clone();
    let body = response.body_mut().read_to_string().unwrap();
    Answer { status, body, content_type, headers }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
