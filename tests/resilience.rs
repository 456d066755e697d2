//! `concord serve` under attack, over real sockets: a slowloris client, thousands of idle
//! sockets, and a flood of writes from one token. In each, a legitimate client is still
//! answered within a second. The server runs with the common default limit of 1,024 open files
//! (`ulimit -n`), which the attacks of issue 11 exhausted. Each test has the machine to itself
//! ([`machine_to_myself`]): two attacks, or an attack and a browser, on the same two cores would
//! measure each other rather than the server.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::served::Served;
use crate::store::nato_store;
use crate::util::{machine_to_myself, raise_open_files};

/// The server's limit on open files in these tests.
const SERVER_FILES: u64 = 1024;

/// What a legitimate client may wait for its answer.
const PATIENCE: Duration = Duration::from_secs(1);

/// One `GET` on a new connection, read to its end: the answer's status (0 when none came within
/// `within`) and how long it took.
fn timed_get(addr: &str, path: &str, within: Duration) -> (u16, Duration) {
    let started = Instant::now();
    let status = (|| {
        let mut stream = TcpStream::connect_timeout(&addr.parse().ok()?, within).ok()?;
        stream.set_read_timeout(Some(within)).ok()?;
        stream.set_write_timeout(Some(within)).ok()?;
        let head = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        stream.write_all(head.as_bytes()).ok()?;
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        let answer = String::from_utf8_lossy(&answer).into_owned();
        answer.strip_prefix("HTTP/1.1 ")?.get(..3)?.parse().ok()
    })();
    (status.unwrap_or(0), started.elapsed())
}

/// Asserts that a legitimate reader is answered 200 within [`PATIENCE`].
#[track_caller]
fn assert_served(addr: &str, when: &str) {
    let (status, took) = timed_get(addr, "/api/decisions", PATIENCE);
    assert_eq!(status, 200, "{when}: a legitimate client got no answer within {PATIENCE:?} (after {took:?})");
    assert!(took < PATIENCE, "{when}: a legitimate client waited {took:?}");
}

/// Opens `n` connections, a hundred at a time with a pause between: the attack is on the
/// server's cap, so the kernel's queue of connections not yet accepted must not overflow first
/// (it drops them silently, and the server then never sees that it is past its cap).
fn connect_many(addr: &str, n: usize) -> Vec<TcpStream> {
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let batch = (n - out.len()).min(100);
        out.extend((0..batch).filter_map(|_| TcpStream::connect(addr).ok()));
        std::thread::sleep(Duration::from_millis(50));
    }
    out
}

/// What became of attacking sockets: how many were answered 503, how many are closed, how many
/// are still open.
#[derive(Debug, Default)]
struct Fates {
    refused: usize,
    closed: usize,
    open: usize,
}

/// Attacking sockets, with what each has been sent so far and whether it is closed. A socket
/// answered 503 is closed by the server soon after; an attacker that writes to it then is
/// reset, and the reset can throw away the answer not yet read. So the attack reads what has
/// arrived before each time it writes, as a client that reads its answers would.
struct Attack {
    sockets: Vec<TcpStream>,
    heard: Vec<Vec<u8>>,
    closed: Vec<bool>,
}

impl Attack {
    fn new(sockets: Vec<TcpStream>) -> Attack {
        for socket in &sockets {
            let _ = socket.set_nonblocking(true);
        }
        let n = sockets.len();
        Attack { sockets, heard: vec![Vec::new(); n], closed: vec![false; n] }
    }

    /// Reads what every open socket has received, without waiting.
    fn listen(&mut self) {
        let mut buffer = [0u8; 1024];
        for ((socket, heard), closed) in self.sockets.iter_mut().zip(&mut self.heard).zip(&mut self.closed) {
            while !*closed {
                match socket.read(&mut buffer) {
                    Ok(0) => *closed = true,
                    Ok(n) => heard.extend_from_slice(buffer.get(..n).unwrap_or_default()),
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(_) => *closed = true,
                }
            }
        }
    }

    /// Writes `bytes` on every socket still open, after reading what has arrived.
    fn send(&mut self, bytes: &[u8]) {
        self.listen();
        for (socket, closed) in self.sockets.iter_mut().zip(&self.closed) {
            if !*closed {
                let _ = socket.write(bytes);
            }
        }
    }

    fn fates(&mut self) -> Fates {
        self.listen();
        let mut fates = Fates::default();
        for (heard, closed) in self.heard.iter().zip(&self.closed) {
            let text = String::from_utf8_lossy(heard);
            if text.starts_with("HTTP/1.1 503") {
                assert!(text.to_ascii_lowercase().contains("retry-after: "), "a 503 without Retry-After: {text}");
                fates.refused += 1;
            }
            if *closed {
                fates.closed += 1;
            } else {
                fates.open += 1;
            }
        }
        fates
    }
}

// See: issue 11 (no header-read timeout and no connection cap: connections that never finish
// their request head filled the process's file descriptors, and every legitimate request then
// failed).
#[test]
fn r11_a_slowloris_client_does_not_lock_out_a_legitimate_one() {
    let _alone = machine_to_myself();
    raise_open_files(8192);
    let served = Served::start_limited(nato_store(), &["--clock", "2025-06-20"], SERVER_FILES);
    let addr = served.addr().to_owned();
    let slow = connect_many(&addr, 1200);
    assert!(slow.len() > 1100, "only {} connections", slow.len());
    let mut slow = Attack::new(slow);
    slow.send(b"GET /api/decisions HTTP/1.1\r\nHost: x\r\n");
    let started = Instant::now();
    for second in 1..=3 {
        // One more byte of a header on every slow connection, every second.
        slow.send(b"X");
        assert_served(&addr, &format!("after {second} s of slowloris"));
        std::thread::sleep((started + Duration::from_secs(second)).saturating_duration_since(Instant::now()));
    }
    let fates = slow.fates();
    assert!(fates.refused > 0, "past the cap no slow connection was answered 503: {fates:?}");
    assert!(fates.open < SERVER_FILES as usize, "{fates:?}");
}

// See: issue 11 (idle sockets filled the process's file descriptors).
#[test]
fn r11_two_thousand_idle_sockets_are_refused_past_the_cap_and_a_legitimate_client_is_served() {
    let _alone = machine_to_myself();
    raise_open_files(8192);
    let served = Served::start_limited(nato_store(), &["--clock", "2025-06-20"], SERVER_FILES);
    let addr = served.addr().to_owned();
    let idle = connect_many(&addr, 2000);
    assert!(idle.len() > 1900, "only {} connections", idle.len());
    let count = idle.len();
    let mut idle = Attack::new(idle);
    assert_served(&addr, "with 2,000 idle sockets open");
    std::thread::sleep(Duration::from_millis(300));
    assert_served(&addr, "again");
    let fates = idle.fates();
    assert!(fates.refused > 0, "past the cap no idle socket was answered 503: {fates:?}");
    // The server holds no more connections than its limit on open files lets it.
    assert!(fates.open < SERVER_FILES as usize, "{fates:?}");
    assert!(fates.closed >= count - SERVER_FILES as usize, "{fates:?}");
}

// See: issue 11 (there was no rate limit on writes: one token's flood held the writer from
// everyone else).
#[test]
fn r11_a_flood_of_writes_from_one_token_leaves_everyone_else_served() {
    let _alone = machine_to_myself();
    let served = Served::start("2025-06-20");
    let norway = served.token("delegation", Some("NOR"));
    let denmark = served.token("delegation", Some("DNK"));
    let size = |served: &Served| served.get("/api/ledger", None).json()["tree_size"].as_u64().unwrap();
    let before = size(&served);
    let (stop, recorded, limited) = (AtomicBool::new(false), AtomicU64::new(0), AtomicU64::new(0));
    let started = Instant::now();
    std::thread::scope(|scope| {
        for thread in 0..8 {
            let (served, norway, stop, recorded, limited) = (&served, &norway, &stop, &recorded, &limited);
            scope.spawn(move || {
                let mut n = thread;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let stance = if n % 2 == 0 { "consent" } else { "abstain" };
                    let vote = json!({"proposal": "steadfast-2026-spec", "member": "NOR", "stance": stance});
                    let answer = served.post("/api/votes", Some(norway), &vote);
                    match answer.status {
                        201 => recorded.fetch_add(1, Ordering::Relaxed),
                        429 => {
                            assert!(answer.header("retry-after").is_some(), "a 429 without Retry-After");
                            assert!(answer.body.contains("nothing was recorded"), "{}", answer.body);
                            limited.fetch_add(1, Ordering::Relaxed)
                        }
                        status => panic!("the flood got {status}: {}", answer.body),
                    };
                }
            });
        }
        std::thread::sleep(Duration::from_millis(300));
        for round in 0..3 {
            let asked = Instant::now();
            let vote = json!({"proposal": "steadfast-2026-spec", "member": "DNK", "stance": "consent"});
            let answer = served.post("/api/votes", Some(&denmark), &vote);
            assert_eq!(answer.status, 201, "round {round}: {}", answer.body);
            assert!(asked.elapsed() < PATIENCE, "round {round}: another token's vote took {:?}", asked.elapsed());
            assert_served(served.addr(), &format!("round {round} of the flood"));
            std::thread::sleep(Duration::from_millis(200));
        }
        stop.store(true, Ordering::Relaxed);
    });
    let elapsed = started.elapsed().as_secs_f64();
    let (recorded, limited) = (recorded.into_inner(), limited.into_inner());
    assert!(limited > 0, "the flood was never limited ({recorded} recorded)");
    // The default bucket: 100 at once, then 50 a second.
    assert!(recorded as f64 <= 100.0 + 50.0 * elapsed + 5.0, "{recorded} recorded in {elapsed:.1} s");
    assert_eq!(size(&served), before + recorded + 3, "a refused write was recorded");
}
