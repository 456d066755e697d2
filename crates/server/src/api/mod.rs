//! The JSON API under `/api`: the same data and shapes as the command line (`decide`,
//! `explain`, `what-if`, `power`, `history`, `ledger prove` with `--format json`), the store's
//! writes, tokens, and the OpenAPI document generated from these handlers and types.
//!
//! - [`decisions`]: outcomes, explanations, what-if, histories, committees and voting power;
//! - [`record`]: what the store holds and the writes that change it;
//! - [`ledger`]: checkpoints, entries and proofs;
//! - [`access`]: who is asking, and tokens.

mod access;
mod decisions;
mod ledger;
mod record;

use std::sync::Arc;

use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use concord_core::{Date, Value};
use concord_store::record::{Change, Entry, ValueRecord};
use serde::de::DeserializeOwned;
use utoipa::{IntoParams, OpenApi};

use crate::app::App;
use crate::error::{ApiError, ErrorBody};
use crate::writer::Snapshot;

pub(crate) use decisions::{committee_power_of, committee_views, explanation, proposal_history};
pub(crate) use ledger::ledger_view;
pub(crate) use record::{NewVote, record_vote};

/// The routes under `/api`.
pub(crate) fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/status", get(ledger::status))
        .route("/whoami", get(access::whoami))
        .route("/decisions", get(decisions::decisions))
        .route("/what-if", get(decisions::what_if))
        .route("/proposals", get(record::proposals).post(record::new_proposal))
        .route("/proposals/{id}", get(decisions::explain))
        .route("/proposals/{id}/history", get(decisions::history))
        .route("/proposals/{id}/close", post(record::close))
        .route("/votes", get(record::votes).post(record::vote))
        .route("/facts", get(record::facts).post(record::fact))
        .route("/positions", get(record::positions).post(record::new_position))
        .route("/positions/{id}/withdraw", post(record::withdraw))
        .route("/committees", get(decisions::committees))
        .route("/committees/{id}/power", get(decisions::committee_power))
        .route("/tick", post(record::tick))
        .route("/ledger", get(ledger::ledger))
        .route("/ledger/entries/{seq}", get(ledger::entry))
        .route("/ledger/proof/{seq}", get(ledger::proof))
        .route("/ledger/consistency", get(ledger::consistency))
        .route("/tokens", get(access::tokens).post(access::new_token))
        .route("/tokens/{id}", delete(access::revoke_token))
        .route("/openapi.json", get(openapi))
        .fallback(|| async { ApiError::NotFound("no such API route; see /api/openapi.json".to_owned()) })
}

/// The OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(title = "concord", description = "Consensus governance engine: decisions, reasons, what-if, voting power, and a signed ledger of every change."),
    paths(ledger::status, access::whoami, decisions::decisions, decisions::what_if, record::proposals,
          record::new_proposal, decisions::explain, decisions::history, record::close, record::votes,
          record::vote, record::facts, record::fact, record::positions, record::new_position,
          record::withdraw, decisions::committees, decisions::committee_power, record::tick,
          ledger::ledger, ledger::entry, ledger::proof, ledger::consistency, access::tokens,
          access::new_token, access::revoke_token),
    components(schemas(ErrorBody, Entry, Change, ValueRecord)),
    modifiers(&BearerAuth),
    tags((name = "decisions", description = "Outcomes and their reasons, computed on a date"),
         (name = "record", description = "Changes recorded in the store's ledger"),
         (name = "ledger", description = "The signed Merkle ledger: checkpoints, entries, proofs"),
         (name = "access", description = "Tokens and who is asking"))
)]
pub(crate) struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "token",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// A JSON request body whose errors are answered as JSON.
pub(crate) struct Body<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Body<T>, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Body(value)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ApiError::TooLarge(format!("the request body is over the limit of {} bytes", crate::BODY_LIMIT)))
            }
            Err(rejection) => Err(ApiError::BadRequest(rejection.body_text())),
        }
    }
}

/// `at` and `set` of a read: the evaluation date and facts set for this request only.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code, reason = "documents the query for OpenAPI; `read_params` parses it, `set` being repeatable")]
pub(crate) struct ReadParams {
    /// Evaluation date (YYYY-MM-DD); default: today, or the ledger's last date if later.
    #[param(value_type = Option<String>, format = Date)]
    pub at: Option<String>,
    /// A fact set for this request only, `FACT=VALUE` (repeatable); nothing is recorded.
    #[param(value_type = Option<Vec<String>>)]
    pub set: Option<Vec<String>>,
}

/// The parsed `at` and `set`.
pub(crate) struct Read {
    pub at: Option<Date>,
    pub set: Vec<(String, Value)>,
}

/// Parses a query string into `T`, answering 400 when it does not fit.
pub(crate) fn query<T: DeserializeOwned>(query: Option<&str>) -> Result<T, ApiError> {
    serde_urlencoded::from_str(query.unwrap_or_default())
        .map_err(|e| ApiError::BadRequest(format!("the query string: {e}")))
}

/// Parses an optional date parameter; an empty one is absent.
pub(crate) fn optional_date(field: &str, text: Option<&str>) -> Result<Option<Date>, ApiError> {
    match text {
        Some(text) if !text.is_empty() => parse_date(field, text).map(Some),
        _ => Ok(None),
    }
}

/// Parses a query string's `at` and repeated `set`, ignoring other keys.
pub(crate) fn read_params(query: Option<&str>) -> Result<Read, ApiError> {
    let pairs: Vec<(String, String)> = self::query(query)?;
    let mut read = Read { at: None, set: Vec::new() };
    for (key, value) in pairs {
        match key.as_str() {
            "at" if !value.is_empty() => read.at = Some(parse_date("at", &value)?),
            "set" if !value.is_empty() => read.set.push(parse_set(&value)?),
            _ => {}
        }
    }
    Ok(read)
}

pub(crate) fn parse_date(field: &str, text: &str) -> Result<Date, ApiError> {
    text.parse().map_err(|e: concord_core::DateError| ApiError::BadRequest(format!("`{field}`: {e}")))
}

/// Parses `FACT=VALUE`: a boolean, then a number, else a string.
pub(crate) fn parse_set(text: &str) -> Result<(String, Value), ApiError> {
    let Some((fact, value)) = text.split_once('=') else {
        return Err(ApiError::BadRequest(format!("`set`: expected FACT=VALUE, found `{text}`")));
    };
    if !concord_core::is_valid_id(fact) {
        return Err(ApiError::BadRequest(format!(
            "`set`: `{fact}` is not a valid fact id: use letters, digits, `_`, `.` and `-`"
        )));
    }
    Ok((fact.to_owned(), Value::parse_loose(value)))
}

/// Evaluates the snapshot on the read's date with its facts set.
pub(crate) fn evaluate<'s>(
    app: &App,
    snapshot: &'s Snapshot,
    read: &Read,
) -> Result<concord_core::Evaluation<'s>, ApiError> {
    let at = read.at.unwrap_or_else(|| app.today(snapshot));
    snapshot.engine.evaluate(at, &read.set).map_err(|e| ApiError::BadRequest(e.to_string()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

    use axum::body::Body;
    use axum::http::{Method, Request, StatusCode};

    use crate::testing::TestServer;

    /// A path of the OpenAPI document with its parameters filled in with ids of the example.
    fn concrete(path: &str) -> String {
        let id = if path.starts_with("/api/positions") {
            "tur-no-new-israel-engagement"
        } else if path.starts_with("/api/committees") {
            "MC"
        } else if path.starts_with("/api/tokens") {
            "1"
        } else {
            "eadrcc-2025-montana"
        };
        path.replace("{id}", id).replace("{seq}", "1")
    }

    #[tokio::test]
    async fn every_operation_of_the_openapi_document_is_routed() {
        let server = TestServer::new("2025-06-20");
        let doc = server.get("/api/openapi.json", None).await.json();
        let paths = doc["paths"].as_object().unwrap();
        assert!(paths.len() >= 20, "{} paths", paths.len());
        for (path, operations) in paths {
            for method in operations.as_object().unwrap().keys() {
                let method: Method = method.to_uppercase().parse().unwrap();
                let request = Request::builder().method(method.clone()).uri(concrete(path));
                let answer = server.send(request.body(Body::empty()).unwrap()).await;
                assert_ne!(answer.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
                assert!(!answer.body.contains("no such API route"), "{method} {path}: {}", answer.body);
                if path == "/api/tokens" {
                    assert_eq!(
                        answer.status,
                        StatusCode::UNAUTHORIZED,
                        "{method} {path}: tokens are the secretariat's"
                    );
                } else if method == Method::GET {
                    // Two reads need a parameter: what-if its facts, consistency its old size.
                    let needs_a_parameter = path.ends_with("/consistency") || path.ends_with("/what-if");
                    let expected = if needs_a_parameter { StatusCode::BAD_REQUEST } else { StatusCode::OK };
                    assert_eq!(answer.status, expected, "{method} {path}: {}", answer.body);
                } else {
                    assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{method} {path}: writes need a token");
                }
                let documented =
                    operations[method.as_str().to_lowercase()]["responses"][answer.status.as_str()].clone();
                assert!(
                    documented.is_object(),
                    "{method} {path} answered {} which it does not document",
                    answer.status
                );
            }
        }
    }
}
