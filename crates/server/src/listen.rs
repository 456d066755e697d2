//! The accept loop: every connection served over HTTP/1 under the [`Limits`], so that no client,
//! nor many of them, can take the server from everyone else.
//!
//! - A request head must arrive within the header timeout, however slowly it trickles in
//!   (hyper's `header_read_timeout`, counted from the moment the server waits for the head).
//! - A connection with no request in progress that moves no byte for the idle timeout is closed:
//!   sockets that never send anything, keep-alive connections left open, and answers the client
//!   does not read.
//! - At most `max_connections` are open. A connection past the cap takes the place of the
//!   oldest one with no request in progress, which is answered 503 (with `Retry-After`) and
//!   closed; when every open connection has a request in progress, the new one is answered 503
//!   and closed. Requests in progress are never cut off.
//! - On shutdown the loop stops accepting, every connection finishes the request it has in
//!   progress and closes, and [`serve`] returns once all are closed.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::http::Request;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, Semaphore, mpsc, watch};
use tower::ServiceExt;

use crate::Limits;

/// Connections being answered 503 at once; past it a refused connection is closed without an
/// answer.
const REFUSALS: usize = 64;

/// How long a refused connection is kept, reading what the client sends, so that closing it
/// does not reset the connection before the client has read the answer.
const LINGER: Duration = Duration::from_millis(250);

/// Serves `router` on `listener` until `shutdown` completes, then lets every connection finish
/// its request in progress and returns once all are closed.
pub(crate) async fn serve(listener: TcpListener, router: Router, limits: Limits, shutdown: impl Future<Output = ()>) {
    let shared = Arc::new(Shared {
        open: Mutex::new(BTreeMap::new()),
        next: AtomicU64::new(0),
        refusals: Arc::new(Semaphore::new(REFUSALS)),
        epoch: Instant::now(),
        limits,
    });
    let (stop, stopped) = watch::channel(false);
    // Every connection's task holds a sender: once all are dropped, every connection is closed.
    let (alive, mut closed) = mpsc::channel::<()>(1);
    tokio::pin!(shutdown);
    let mut failing = false;
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let stream = match accepted {
            Ok((stream, _)) => {
                failing = false;
                stream
            }
            Err(e) if is_connection_error(&e) => continue,
            Err(e) => {
                // Out of file descriptors, most likely: free one if a connection is idle, and
                // wait a little.
                if !failing {
                    eprintln!("concord serve: cannot accept a connection: {e}");
                    failing = true;
                }
                shared.evict_one();
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let alive = alive.clone();
        match shared.admit() {
            Some(conn) => {
                let (shared, router, stopped) = (shared.clone(), router.clone(), stopped.clone());
                tokio::spawn(async move {
                    connection(stream, conn, &shared, router, stopped).await;
                    drop(alive);
                });
            }
            None => {
                if let Ok(permit) = shared.refusals.clone().try_acquire_owned() {
                    let message = shared.full_message();
                    tokio::spawn(async move {
                        unavailable(stream, &message).await;
                        drop((permit, alive));
                    });
                }
            }
        }
    }
    drop(listener);
    let _ = stop.send(true);
    drop(alive);
    let _ = closed.recv().await;
}

/// Errors of one connection that say nothing about the listener.
fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused | io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
    )
}

/// What the accept loop and the connections share.
struct Shared {
    /// Open connections by id, oldest first.
    open: Mutex<BTreeMap<u64, Arc<Conn>>>,
    next: AtomicU64,
    refusals: Arc<Semaphore>,
    epoch: Instant,
    limits: Limits,
}

impl Shared {
    /// Registers a new connection, making room by evicting the oldest idle one when the cap is
    /// reached; none when every open connection has a request in progress.
    fn admit(&self) -> Option<Arc<Conn>> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        if open.len() >= self.limits.max_connections {
            let idle = open.iter().find(|(_, c)| c.is_idle()).map(|(&id, _)| id);
            let evicted = open.remove(&idle?)?;
            evicted.evict.notify_one();
        }
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let conn = Arc::new(Conn::new(self.now()));
        open.insert(id, conn.clone());
        drop(open);
        conn.id.store(id, Ordering::Relaxed);
        Some(conn)
    }

    /// Evicts the oldest idle connection, if there is one.
    fn evict_one(&self) {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let idle = open.iter().find(|(_, c)| c.is_idle()).map(|(&id, _)| id);
        if let Some(evicted) = idle.and_then(|id| open.remove(&id)) {
            evicted.evict.notify_one();
        }
    }

    fn forget(&self, conn: &Conn) {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        open.remove(&conn.id.load(Ordering::Relaxed));
    }

    /// Milliseconds since the loop started.
    fn now(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn full_message(&self) -> String {
        format!(
            "the server holds its limit of {} connections, each with a request in progress; nothing was recorded: try again in a moment",
            self.limits.max_connections
        )
    }

    fn evicted_message(&self) -> String {
        format!(
            "the server holds its limit of {} connections and closed this one, which had no request in progress: try again",
            self.limits.max_connections
        )
    }
}

/// One connection's state, as its requests, its answers and its socket move it.
struct Conn {
    id: AtomicU64,
    /// Requests whose handler runs.
    handling: AtomicUsize,
    /// Answers whose body is being sent.
    sending: AtomicUsize,
    /// Whether the last write to the socket had to wait (the client does not read): hyper still
    /// holds bytes of an answer.
    stalled: AtomicBool,
    /// When a byte last moved, or a request or an answer ended (milliseconds since the epoch).
    last: AtomicU64,
    /// Told when the accept loop takes this connection's place for a new one.
    evict: Notify,
}

impl Conn {
    fn new(now: u64) -> Conn {
        Conn {
            id: AtomicU64::new(0),
            handling: AtomicUsize::new(0),
            sending: AtomicUsize::new(0),
            stalled: AtomicBool::new(false),
            last: AtomicU64::new(now),
            evict: Notify::new(),
        }
    }

    /// No request in progress, no answer being sent: closing it loses nothing.
    fn is_idle(&self) -> bool {
        self.handling.load(Ordering::Acquire) == 0
            && self.sending.load(Ordering::Acquire) == 0
            && !self.stalled.load(Ordering::Acquire)
    }

    /// No handler runs: if no byte moves either, the client is gone or does not read.
    fn is_waiting_on_client(&self) -> bool {
        self.handling.load(Ordering::Acquire) == 0
    }
}

/// Serves one connection until it closes, is evicted, is quiet for too long, or the server
/// stops.
async fn connection(
    stream: TcpStream,
    conn: Arc<Conn>,
    shared: &Arc<Shared>,
    router: Router,
    mut stopped: watch::Receiver<bool>,
) {
    let io = TokioIo::new(Tracked { inner: stream, conn: conn.clone(), shared: shared.clone() });
    let service = {
        let (conn, shared) = (conn.clone(), shared.clone());
        hyper::service::service_fn(move |request: Request<Incoming>| {
            let handling = Handling::start(&conn, &shared);
            let answer = router.clone().oneshot(request.map(Body::new));
            async move {
                let response = match answer.await {
                    Ok(response) => response,
                    Err(never) => match never {},
                };
                let sending = Sending::start(&handling);
                drop(handling);
                Ok::<_, Infallible>(response.map(|body| TrackedBody { inner: body, _sending: sending }))
            }
        })
    };
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(shared.limits.header_timeout)
        .max_buf_size(crate::limits::HEAD_LIMIT)
        .keep_alive(true);
    let mut served = builder.serve_connection(io, service);
    let idle = shared.limits.idle_timeout;
    let mut stopping = *stopped.borrow();
    if stopping {
        Pin::new(&mut served).graceful_shutdown();
    }
    loop {
        let quiet = Duration::from_millis(shared.now().saturating_sub(conn.last.load(Ordering::Acquire)));
        let wake = tokio::time::sleep(idle.saturating_sub(quiet));
        tokio::select! {
            _ = &mut served => break,
            () = conn.evict.notified() => {
                if conn.is_idle() {
                    let parts = served.into_parts();
                    let stream = parts.io.into_inner().inner;
                    if let Ok(_permit) = shared.refusals.clone().try_acquire_owned() {
                        unavailable(stream, &shared.evicted_message()).await;
                    }
                    return;
                }
                Pin::new(&mut served).graceful_shutdown();
                stopping = true;
            }
            () = wake => {
                let quiet = Duration::from_millis(shared.now().saturating_sub(conn.last.load(Ordering::Acquire)));
                if conn.is_waiting_on_client() && quiet >= idle {
                    break;
                }
            }
            changed = stopped.changed(), if !stopping => {
                if changed.is_err() || *stopped.borrow() {
                    Pin::new(&mut served).graceful_shutdown();
                    stopping = true;
                }
            }
        }
    }
    shared.forget(&conn);
}

/// Answers 503 on a connection the server will not serve, and closes it once the client has had
/// a moment to read the answer.
async fn unavailable(mut stream: TcpStream, message: &str) {
    let body = serde_json::json!({ "error": message }).to_string();
    let mut head = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nretry-after: 1\r\nconnection: close\r\n",
        body.len()
    );
    for (name, value) in crate::http::SECURITY_HEADERS {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    head.push_str(&body);
    let linger = async {
        stream.write_all(head.as_bytes()).await?;
        stream.shutdown().await?;
        // Read what the client sends until it closes, so that closing does not reset the
        // connection before the client has read the answer.
        let mut sink = [0u8; 4096];
        while stream.read(&mut sink).await? > 0 {}
        Ok::<_, io::Error>(())
    };
    let _ = tokio::time::timeout(LINGER, linger).await;
}

/// Counts a request whose handler runs, until its answer is ready.
struct Handling {
    conn: Arc<Conn>,
    shared: Arc<Shared>,
}

impl Handling {
    fn start(conn: &Arc<Conn>, shared: &Arc<Shared>) -> Handling {
        conn.handling.fetch_add(1, Ordering::AcqRel);
        Handling { conn: conn.clone(), shared: shared.clone() }
    }
}

impl Drop for Handling {
    fn drop(&mut self) {
        self.conn.last.store(self.shared.now(), Ordering::Release);
        self.conn.handling.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Counts an answer whose body is being sent, until hyper drops it.
struct Sending {
    conn: Arc<Conn>,
    shared: Arc<Shared>,
}

impl Sending {
    /// Counted before the request's [`Handling`] ends, so the connection never looks idle in
    /// between.
    fn start(handling: &Handling) -> Sending {
        handling.conn.sending.fetch_add(1, Ordering::AcqRel);
        Sending { conn: handling.conn.clone(), shared: handling.shared.clone() }
    }
}

impl Drop for Sending {
    fn drop(&mut self) {
        self.conn.last.store(self.shared.now(), Ordering::Release);
        self.conn.sending.fetch_sub(1, Ordering::AcqRel);
    }
}

/// An answer's body, counted as being sent while hyper holds it.
struct TrackedBody {
    inner: Body,
    _sending: Sending,
}

impl HttpBody for TrackedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.get_mut().inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// A socket that notes when bytes move, and whether a write waits for the client to read.
struct Tracked {
    inner: TcpStream,
    conn: Arc<Conn>,
    shared: Arc<Shared>,
}

impl Tracked {
    fn moved(&self) {
        self.conn.last.store(self.shared.now(), Ordering::Release);
    }

    /// Notes a write's outcome: bytes moved, or the socket is full.
    fn wrote(&self, polled: &Poll<io::Result<usize>>) {
        self.conn.stalled.store(polled.is_pending(), Ordering::Release);
        if matches!(polled, Poll::Ready(Ok(n)) if *n > 0) {
            self.moved();
        }
    }
}

impl AsyncRead for Tracked {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            this.moved();
        }
        polled
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_write(cx, data);
        this.wrote(&polled);
        polled
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.wrote(&polled);
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use std::net::SocketAddr;
    use std::time::{Duration, Instant};

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;
    use tokio::sync::oneshot;

    use crate::Limits;
    use crate::testing::TestServer;

    /// The app of `server` on a loopback socket under `limits`, until `stop` is sent.
    struct Listening {
        addr: SocketAddr,
        stop: Option<oneshot::Sender<()>>,
        done: tokio::task::JoinHandle<()>,
    }

    impl Listening {
        /// Stops the server and waits for every connection to close (the test server's writer
        /// can only stop once the app served here is dropped).
        async fn close(mut self) {
            if let Some(stop) = self.stop.take() {
                let _ = stop.send(());
            }
            tokio::time::timeout(Duration::from_secs(15), &mut self.done).await.unwrap().unwrap();
        }
    }

    async fn listen(server: &TestServer, limits: Limits) -> Listening {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let done = tokio::spawn(super::serve(listener, server.router(), limits, async {
            let _ = stopped.await;
        }));
        Listening { addr, stop: Some(stop), done }
    }

    /// Reads until the server closes the connection (or `within` passes), and says how long
    /// that took.
    async fn until_closed(stream: &mut TcpStream, within: Duration) -> (String, Option<Duration>) {
        let started = Instant::now();
        let mut read = Vec::new();
        let mut buffer = [0u8; 4096];
        loop {
            match tokio::time::timeout_at((started + within).into(), stream.read(&mut buffer)).await {
                Ok(Ok(0) | Err(_)) => return (String::from_utf8_lossy(&read).into_owned(), Some(started.elapsed())),
                Ok(Ok(n)) => read.extend_from_slice(&buffer[..n.min(buffer.len())]),
                Err(_) => return (String::from_utf8_lossy(&read).into_owned(), None),
            }
        }
    }

    /// One request on a new connection that asks to close it, and the answer.
    async fn request(addr: SocketAddr, path: &str) -> (String, Duration) {
        let started = Instant::now();
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let head = format!("GET {path} HTTP/1.1\r\nHost: concord.test\r\nConnection: close\r\n\r\n");
        stream.write_all(head.as_bytes()).await.unwrap();
        let (answer, closed) = until_closed(&mut stream, Duration::from_secs(5)).await;
        assert!(closed.is_some(), "no answer to {path}");
        (answer, started.elapsed())
    }

    #[tokio::test]
    async fn a_request_head_that_trickles_in_is_dropped_at_the_header_timeout() {
        let server = TestServer::new("2025-06-20");
        let limits = Limits { header_timeout: Duration::from_millis(600), ..Limits::default() };
        let listening = listen(&server, limits).await;
        let mut slow = TcpStream::connect(listening.addr).await.unwrap();
        let started = Instant::now();
        slow.write_all(b"GET /api/status HTTP/1.1\r\n").await.unwrap();
        let trickle = async {
            while started.elapsed() < Duration::from_secs(3) {
                if slow.write_all(b"X").await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        };
        let _ = tokio::time::timeout(Duration::from_secs(3), trickle).await;
        let (_, closed) = until_closed(&mut slow, Duration::from_secs(1)).await;
        let closed = closed.map(|_| started.elapsed());
        assert!(closed.is_some_and(|t| t < Duration::from_millis(1500)), "closed after {closed:?}");
        let (answer, took) = request(listening.addr, "/api/decisions").await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(took < Duration::from_secs(1));
        listening.close().await;
    }

    #[tokio::test]
    async fn a_silent_connection_is_closed_at_the_idle_timeout_and_so_is_a_kept_alive_one() {
        let server = TestServer::new("2025-06-20");
        let limits = Limits { idle_timeout: Duration::from_millis(300), ..Limits::default() };
        let listening = listen(&server, limits).await;
        let mut silent = TcpStream::connect(listening.addr).await.unwrap();
        let (read, closed) = until_closed(&mut silent, Duration::from_secs(2)).await;
        assert!(closed.is_some_and(|t| t < Duration::from_secs(1)), "closed after {closed:?}");
        assert!(read.is_empty(), "{read}");
        let mut kept = TcpStream::connect(listening.addr).await.unwrap();
        kept.write_all(b"GET /api/status HTTP/1.1\r\nHost: concord.test\r\n\r\n").await.unwrap();
        let (read, closed) = until_closed(&mut kept, Duration::from_secs(2)).await;
        assert!(read.starts_with("HTTP/1.1 200"), "{read}");
        assert!(closed.is_some_and(|t| t < Duration::from_secs(1)), "closed after {closed:?}");
        listening.close().await;
    }

    #[tokio::test]
    async fn past_the_cap_the_oldest_idle_connection_is_answered_503_and_the_new_one_is_served() {
        let server = TestServer::new("2025-06-20");
        let limits = Limits { max_connections: 2, ..Limits::default() };
        let listening = listen(&server, limits).await;
        let mut oldest = TcpStream::connect(listening.addr).await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        let mut second = TcpStream::connect(listening.addr).await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        let (answer, took) = request(listening.addr, "/api/decisions").await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(took < Duration::from_secs(1), "{took:?}");
        let (evicted, closed) = until_closed(&mut oldest, Duration::from_secs(2)).await;
        assert!(closed.is_some());
        assert!(evicted.starts_with("HTTP/1.1 503 Service Unavailable\r\n"), "{evicted}");
        assert!(evicted.contains("retry-after: 1\r\n") && evicted.contains("limit of 2 connections"), "{evicted}");
        assert!(evicted.contains("x-frame-options: DENY"), "{evicted}");
        // The second one is still open, and served.
        second.write_all(b"GET /api/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await.unwrap();
        let (answer, _) = until_closed(&mut second, Duration::from_secs(2)).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        listening.close().await;
    }

    #[tokio::test]
    async fn when_every_connection_has_a_request_in_progress_a_new_one_is_503() {
        let server = TestServer::new("2025-06-20");
        let limits = Limits { max_connections: 1, ..Limits::default() };
        let listening = listen(&server, limits).await;
        let size = server.size().await;
        // A vote whose body is still on its way: its request is in progress.
        let body = r#"{"proposal": "steadfast-2026-spec", "member": "NOR", "stance": "consent"}"#;
        let mut busy = TcpStream::connect(listening.addr).await.unwrap();
        let head = format!(
            "POST /api/votes HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            server.secretariat,
            body.len()
        );
        busy.write_all(head.as_bytes()).await.unwrap();
        busy.write_all(&body.as_bytes()[..10]).await.unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        let (answer, took) = request(listening.addr, "/api/decisions").await;
        assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
        assert!(
            answer.contains("retry-after: 1\r\n") && answer.contains("each with a request in progress"),
            "{answer}"
        );
        assert!(took < Duration::from_secs(2), "{took:?}");
        // Stopping the server lets the request in progress finish, and records it.
        let closing = tokio::spawn(listening.close());
        tokio::time::sleep(Duration::from_millis(100)).await;
        busy.write_all(&body.as_bytes()[10..]).await.unwrap();
        let (answer, _) = until_closed(&mut busy, Duration::from_secs(5)).await;
        assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
        closing.await.unwrap();
        assert_eq!(server.size().await, size + 1);
    }
}
