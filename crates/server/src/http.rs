//! What every request and every answer goes through, whatever its route: the body's size and
//! the time it may take to arrive, and the headers that tell a browser what the page may do.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::app::App;
use crate::error::ApiError;

/// The page's rules for the browser: everything from this site only, no inline script or style,
/// no plugin, no other `<base>`, forms posting here only, and never inside another site's frame.
pub(crate) const CONTENT_SECURITY_POLICY: &str =
    "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The headers every answer carries.
pub(crate) const SECURITY_HEADERS: [(HeaderName, &str); 4] = [
    (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "same-origin"),
];

/// Adds [`SECURITY_HEADERS`] to every answer.
pub(crate) async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// An answer given before the request's body was read: the connection is closed after it
/// (`Connection: close`), since the unread body cannot be told from the next request; the
/// client then sends its next request on a new connection rather than on one the server drops.
pub(crate) fn before_the_body(mut response: Response, request_has_body: bool) -> Response {
    if request_has_body {
        response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// Refuses a body whose announced length is over [`BODY_LIMIT`](crate::BODY_LIMIT) before
/// reading any of it (a body without a length is cut off at the limit as it is read), and gives
/// the body [`body_timeout`](crate::Limits::body_timeout) to arrive.
pub(crate) async fn guard_bodies(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if let Some(length) = announced.filter(|&length| length > crate::BODY_LIMIT as u64) {
        let refused = ApiError::TooLarge(format!(
            "the request body is {length} bytes, over the limit of {} bytes",
            crate::BODY_LIMIT
        ));
        return before_the_body(refused.into_response(), true);
    }
    if request.body().is_end_stream() {
        return next.run(request).await;
    }
    let limit = app.limits.body_timeout;
    next.run(request.map(|body| Body::new(TimedBody::new(body, limit)))).await
}

/// A request body that fails once it has taken longer than its time to arrive.
struct TimedBody {
    inner: Body,
    limit: Duration,
    deadline: Pin<Box<tokio::time::Sleep>>,
}

impl TimedBody {
    fn new(inner: Body, limit: Duration) -> TimedBody {
        TimedBody { inner, limit, deadline: Box::pin(tokio::time::sleep(limit)) }
    }
}

/// The error of a body that did not arrive in time.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive within {} s", .0.as_secs_f64())]
pub(crate) struct BodyTimeout(Duration);

impl HttpBody for TimedBody {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::BoxError>>> {
        let this = self.get_mut();
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(axum::BoxError::from)));
        }
        match this.deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(Box::new(BodyTimeout(this.limit))))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// The body timeout behind an extractor's rejection, if that is what it was.
pub(crate) fn body_timeout<'e>(error: &'e (dyn std::error::Error + 'static)) -> Option<&'e BodyTimeout> {
    let mut source = Some(error);
    while let Some(e) = source {
        if let Some(timeout) = e.downcast_ref::<BodyTimeout>() {
            return Some(timeout);
        }
        source = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};

    use crate::testing::TestServer;

    // See: issue 11 (no CSP, `frame-ancestors` or `nosniff` headers).
    #[tokio::test]
    async fn r11_every_answer_carries_the_browser_side_headers() {
        let server = TestServer::new("2025-06-20");
        for path in ["/", "/committees", "/login", "/nowhere", "/assets/app.js", "/api/decisions", "/api/nope"] {
            let answer = server.get(path, None).await;
            let csp = answer.header(header::CONTENT_SECURITY_POLICY).unwrap_or_default();
            assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
            assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
            assert_eq!(answer.header(header::X_FRAME_OPTIONS), Some("DENY"), "{path}");
            assert_eq!(answer.header(header::X_CONTENT_TYPE_OPTIONS), Some("nosniff"), "{path}");
            assert_eq!(answer.header(header::REFERRER_POLICY), Some("same-origin"), "{path}");
        }
        let refused = server.post("/api/votes", None, &serde_json::json!({})).await;
        assert_eq!(refused.header(header::X_FRAME_OPTIONS), Some("DENY"));
    }

    #[tokio::test]
    async fn no_page_has_inline_script_or_style() {
        let server = TestServer::new("2025-06-20");
        for path in ["/", "/proposals/eadrcc-2025-montana", "/committees", "/ledger", "/login"] {
            let page = server.get(path, None).await.body;
            assert!(!page.contains(" style="), "{path} has an inline style");
            assert!(!page.contains("<style"), "{path} has a style element");
            for script in page.split("<script").skip(1) {
                assert!(script.trim_start().starts_with("src=\"/assets/"), "{path}: <script{script}");
                assert!(script.split_once('>').unwrap().1.starts_with("</script>"), "{path}: inline script");
            }
            for handler in [" onclick=", " onchange=", " onsubmit=", " onload="] {
                assert!(!page.contains(handler), "{path} has an inline handler");
            }
        }
    }

    #[tokio::test]
    async fn a_body_that_does_not_arrive_in_time_is_408_and_nothing_is_recorded() {
        let server = TestServer::with_limits(
            "2025-06-20",
            crate::Limits { body_timeout: std::time::Duration::from_millis(200), ..crate::Limits::default() },
        );
        let size = server.size().await;
        // A body that never ends.
        let stream = futures_util::stream::pending::<Result<Vec<u8>, std::io::Error>>();
        let request = Request::post("/api/votes")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, format!("Bearer {}", server.secretariat))
            .body(Body::from_stream(stream))
            .unwrap();
        let answer = server.send(request).await;
        assert_eq!(answer.status, StatusCode::REQUEST_TIMEOUT, "{}", answer.body);
        assert!(answer.json()["error"].as_str().unwrap().contains("did not arrive within 0.2 s"), "{}", answer.body);
        assert_eq!(server.size().await, size);
    }
}
