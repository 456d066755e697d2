//! Who is asking, and the tokens that say so (made and revoked by the secretariat).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use concord_store::{Grant, NewToken, Role};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Body;
use crate::app::App;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::writer::Job;

/// Who the caller is.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct WhoAmI {
    /// The token's role; null without a token.
    pub role: Option<Role>,
    /// The delegation's member.
    pub member: Option<String>,
    /// The token's label.
    pub label: Option<String>,
}

/// Who the caller is.
#[utoipa::path(get, path = "/api/whoami", tag = "access", security((), ("token" = [])),
    responses((status = 200, body = WhoAmI), (status = 401, body = ErrorBody)))]
pub(super) async fn whoami(caller: Caller) -> Json<WhoAmI> {
    let g = caller.grant;
    Json(WhoAmI {
        role: g.as_ref().map(|g| g.role),
        member: g.as_ref().and_then(|g| g.member.clone()),
        label: g.and_then(|g| g.label),
    })
}

/// Every token's grant, never the secret (secretariat).
#[utoipa::path(get, path = "/api/tokens", tag = "access", security(("token" = [])),
    responses((status = 200, body = Vec<Grant>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(super) async fn tokens(State(app): State<Arc<App>>, caller: Caller) -> Result<Json<Vec<Grant>>, ApiError> {
    caller.secretariat("list tokens")?;
    let store = app.reader();
    store.tokens().map(Json).map_err(|e| ApiError::from(&e))
}

/// A token to make.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"role": "delegation", "member": "TUR", "label": "Turkish delegation"}))]
pub(crate) struct TokenRequest {
    /// `secretariat`, `delegation` or `observer`.
    pub role: Role,
    /// A delegation's member.
    #[serde(default)]
    #[schema(pattern = "^[A-Za-z0-9_.-]+$")]
    pub member: Option<String>,
    /// A note saying whose it is.
    #[serde(default)]
    pub label: Option<String>,
}

/// Makes a token; its secret is in this answer only (secretariat).
#[utoipa::path(post, path = "/api/tokens", tag = "access", request_body = TokenRequest, security(("token" = [])),
    responses((status = 201, body = NewToken), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub(super) async fn new_token(
    State(app): State<Arc<App>>,
    caller: Caller,
    Body(t): Body<TokenRequest>,
) -> Result<Response, ApiError> {
    caller.secretariat("make tokens")?;
    let made = app.submit(|reply| Job::CreateToken { role: t.role, member: t.member, label: t.label, reply }).await?;
    Ok((StatusCode::CREATED, Json(made)).into_response())
}

/// Revokes a token (secretariat).
#[utoipa::path(delete, path = "/api/tokens/{id}", tag = "access",
    params(("id" = u64, Path, description = "The token's id")), security(("token" = [])),
    responses((status = 204, description = "Revoked"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn revoke_token(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.secretariat("revoke tokens")?;
    let id: u64 = id.parse().map_err(|_| ApiError::BadRequest(format!("`{id}` is not a token id")))?;
    match app.submit(|reply| Job::RevokeToken { id, reply }).await? {
        true => Ok(StatusCode::NO_CONTENT),
        false => Err(ApiError::NotFound(format!("no live token {id}"))),
    }
}
