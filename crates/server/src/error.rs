//! Errors as the server answers them: a status and `{"error": MESSAGE}`.
//!
//! A server error (5xx) never shows its cause to the client: the answer says
//! `internal error (id 1a2b3c4d)` with a fresh id, and the detail (a file path, an SQLite error)
//! goes to standard error with the same id, where the operator can find it.

use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use concord_store::StoreError;
use serde::Serialize;

/// An error answered to a client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ApiError {
    /// The request is malformed: 400.
    #[error("{0}")]
    BadRequest(String),
    /// No token, or an unknown one: 401.
    #[error("{0}")]
    Unauthorized(String),
    /// The token does not allow it: 403.
    #[error("{0}")]
    Forbidden(String),
    /// No such thing: 404.
    #[error("{0}")]
    NotFound(String),
    /// The body did not arrive in time: 408.
    #[error("{0}")]
    Timeout(String),
    /// The body is too large: 413.
    #[error("{0}")]
    TooLarge(String),
    /// The change does not fit the state; nothing was recorded: 422.
    #[error("{0}")]
    Refused(String),
    /// The token wrote faster than its rate; nothing was recorded: 429, with `Retry-After`.
    #[error("{message}")]
    TooMany {
        /// What happened, for people.
        message: String,
        /// Seconds until a write is allowed again.
        retry_after: u64,
    },
    /// The writer is gone (the server is shutting down): 503.
    #[error("{0}")]
    Unavailable(String),
    /// Something failed on our side: 500. The text is the detail, for the log only.
    #[error("internal error")]
    Internal(String),
}

/// The body of every error answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct ErrorBody {
    /// What went wrong, for people. A server error (5xx) says only `internal error (id …)`;
    /// the server's log has the detail under the same id.
    pub error: String,
}

impl ApiError {
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Timeout(_) => StatusCode::REQUEST_TIMEOUT,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::TooMany { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Refused(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub(crate) fn writer_gone() -> ApiError {
        ApiError::Unavailable("the server is shutting down; nothing was recorded".to_owned())
    }

    /// An internal error with its detail, for the log.
    pub(crate) fn internal(detail: impl std::fmt::Display) -> ApiError {
        ApiError::Internal(detail.to_string())
    }

    /// What the client is told. A server error gets a fresh id, and its detail is logged on
    /// standard error under that id; call this once per answer.
    pub(crate) fn public_message(&self) -> String {
        match self {
            ApiError::Internal(detail) => {
                let id = error_id();
                eprintln!("concord serve: internal error (id {id}): {detail}");
                format!("internal error (id {id})")
            }
            ApiError::Unavailable(message) => {
                let id = error_id();
                eprintln!("concord serve: unavailable (id {id}): {message}");
                format!("{message} (id {id})")
            }
            other => other.to_string(),
        }
    }
}

/// A fresh id for a server error: 8 hex digits, from a per-process random key, a counter and
/// the time.
fn error_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static KEY: std::sync::OnceLock<std::collections::hash_map::RandomState> = std::sync::OnceLock::new();
    let mut hasher = KEY.get_or_init(Default::default).build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    hasher.write_u128(nanos);
    format!("{:08x}", hasher.finish() as u32)
}

impl From<&StoreError> for ApiError {
    fn from(e: &StoreError) -> ApiError {
        match e {
            StoreError::Refused(m) | StoreError::Date(m) => ApiError::Refused(m.clone()),
            StoreError::NoEntry { .. } => ApiError::NotFound(e.to_string()),
            StoreError::Proof(p) => ApiError::BadRequest(p.to_string()),
            e => ApiError::internal(e),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        ApiError::from(&e)
    }
}

impl ApiError {
    /// Adds the headers this error's status calls for: a challenge to a 401, `Retry-After` to
    /// a 429, and `Connection: close` to a 408 and a 413 (the rest of the body is not read).
    pub(crate) fn add_headers(&self, response: &mut Response) {
        let headers = response.headers_mut();
        match self {
            ApiError::Unauthorized(_) => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"concord\""));
            }
            ApiError::TooMany { retry_after, .. } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
            }
            ApiError::Timeout(_) | ApiError::TooLarge(_) => {
                headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            _ => {}
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut response = (status, axum::Json(ErrorBody { error: self.public_message() })).into_response();
        self.add_headers(&mut response);
        response
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    #[test]
    fn a_server_error_answers_an_id_and_never_its_detail() {
        let error = ApiError::internal("/secret/path/nato.db: disk I/O error (rusqlite::Error)");
        let first = error.public_message();
        let second = error.public_message();
        for message in [&first, &second] {
            let id = message.strip_prefix("internal error (id ").and_then(|m| m.strip_suffix(')')).unwrap();
            assert_eq!(id.len(), 8);
            assert!(id.chars().all(|c| c.is_ascii_hexdigit()), "{id}");
        }
        assert_ne!(first, second, "each answer gets a fresh id");
        assert_eq!(error.to_string(), "internal error");
    }
}
