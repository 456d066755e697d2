//! Errors as the API answers them: a status and `{"error": MESSAGE}`.

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
    /// The body is too large: 413.
    #[error("{0}")]
    TooLarge(String),
    /// The change does not fit the state; nothing was recorded: 422.
    #[error("{0}")]
    Refused(String),
    /// The writer is gone (the server is shutting down): 503.
    #[error("{0}")]
    Unavailable(String),
    /// Something failed on our side: 500.
    #[error("{0}")]
    Internal(String),
}

/// The body of every error answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct ErrorBody {
    /// What went wrong, for people.
    pub error: String,
}

impl ApiError {
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Refused(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub(crate) fn writer_gone() -> ApiError {
        ApiError::Unavailable("the server is shutting down; nothing was recorded".to_owned())
    }
}

impl From<&StoreError> for ApiError {
    fn from(e: &StoreError) -> ApiError {
        match e {
            StoreError::Refused(m) => ApiError::Refused(m.clone()),
            StoreError::NoEntry { .. } => ApiError::NotFound(e.to_string()),
            StoreError::Proof(p) => ApiError::BadRequest(p.to_string()),
            e => ApiError::Internal(e.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            eprintln!("concord serve: {status}: {self}");
        }
        let mut response = (status, axum::Json(ErrorBody { error: self.to_string() })).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"concord\""));
        }
        response
    }
}
