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
use axum::routing::{MethodRouter, delete, get, post};
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

/// The routes under `/api`. A write without a live token is answered 401 before its body is
/// read; a method a route does not take is answered 405, token or not.
pub(crate) fn routes(state: &Arc<App>) -> Router<Arc<App>> {
    let write = |route: MethodRouter<Arc<App>>| {
        route.route_layer(axum::middleware::from_fn_with_state(state.clone(), crate::auth::writes_need_a_token))
    };
    Router::new()
        .route("/status", get(ledger::status))
        .route("/whoami", get(access::whoami))
        .route("/decisions", get(decisions::decisions))
        .route("/what-if", get(decisions::what_if))
        .route("/proposals", get(record::proposals).merge(write(post(record::new_proposal))))
        .route("/proposals/{id}", get(decisions::explain))
        .route("/proposals/{id}/history", get(decisions::history))
        .route("/proposals/{id}/close", write(post(record::close)))
        .route("/votes", get(record::votes).merge(write(post(record::vote))))
        .route("/facts", get(record::facts).merge(write(post(record::fact))))
        .route("/positions", get(record::positions).merge(write(post(record::new_position))))
        .route("/positions/{id}/withdraw", write(post(record::withdraw)))
        .route("/committees", get(decisions::committees))
        .route("/committees/{id}/power", get(decisions::committee_power))
        .route("/tick", write(post(record::tick)))
        .route("/ledger", get(ledger::ledger))
        .route("/ledger/entries/{seq}", get(ledger::entry))
        .route("/ledger/proof/{seq}", get(ledger::proof))
        .route("/ledger/consistency", get(ledger::consistency))
        .route("/tokens", get(access::tokens).merge(write(post(access::new_token))))
        .route("/tokens/{id}", write(delete(access::revoke_token)))
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

async fn openapi() -> Json<serde_json::Value> {
    static DOCUMENT: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    Json(DOCUMENT.get_or_init(document).clone())
}

/// The OpenAPI document as served. A record type whose serde form refuses unknown fields is
/// generated with `additionalProperties: false`; where such a type is one part of an `allOf`
/// (an entry is its change's fields plus `seq`, `at` and `change`), that would refuse the other
/// parts' fields, so it is dropped there.
fn document() -> serde_json::Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    let mut parts = Vec::new();
    collect_all_of_refs(&doc, &mut parts);
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(serde_json::Value::as_object_mut) {
        for name in parts {
            if let Some(schema) = schemas.get_mut(&name).and_then(serde_json::Value::as_object_mut) {
                schema.remove("additionalProperties");
            }
        }
    }
    doc
}

/// The names of the component schemas referred to from an `allOf`.
fn collect_all_of_refs(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            if let Some(serde_json::Value::Array(parts)) = map.get("allOf") {
                let names = parts.iter().filter_map(|p| p.get("$ref")?.as_str()?.strip_prefix("#/components/schemas/"));
                out.extend(names.map(str::to_owned));
            }
            map.values().for_each(|v| collect_all_of_refs(v, out));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_all_of_refs(v, out)),
        _ => {}
    }
}

/// A JSON request body whose errors are answered as JSON. The body must be a JSON object (serde
/// would otherwise also read a struct from an array of its fields).
pub(crate) struct Body<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Body<T>, ApiError> {
        match Json::<serde_json::Value>::from_request(req, state).await {
            Ok(Json(value)) if value.is_object() => serde_json::from_value(value)
                .map(Body)
                .map_err(|e| ApiError::BadRequest(format!("the request body: {e}"))),
            Ok(Json(_)) => Err(ApiError::BadRequest("the request body must be a JSON object".to_owned())),
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
    #[param(value_type = Option<Vec<String>>, pattern = "^[A-Za-z0-9_.-]+=")]
    pub set: Option<Vec<String>>,
}

/// `set` and `at` of a what-if: at least one fact set, and the evaluation date.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code, reason = "documents the query for OpenAPI; `read_params` parses it, `set` being repeatable")]
pub(crate) struct WhatIfParams {
    /// A fact set for this look only, `FACT=VALUE` (repeatable, at least one); nothing is
    /// recorded.
    #[param(value_type = Vec<String>, pattern = "^[A-Za-z0-9_.-]+=", min_items = 1)]
    pub set: Vec<String>,
    /// Evaluation date (YYYY-MM-DD); default: today, or the ledger's last date if later.
    #[param(value_type = Option<String>, format = Date)]
    pub at: Option<String>,
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

/// Parses an optional date parameter.
pub(crate) fn optional_date(field: &str, text: Option<&str>) -> Result<Option<Date>, ApiError> {
    text.map(|text| parse_date(field, text)).transpose()
}

/// Parses a query string's `at` and repeated `set`, ignoring other keys.
pub(crate) fn read_params(query: Option<&str>) -> Result<Read, ApiError> {
    read_pairs(self::query(query)?)
}

/// As [`read_params`], for a page's form: a field left empty is a field not given.
pub(crate) fn read_form(query: Option<&str>) -> Result<Read, ApiError> {
    let pairs: Vec<(String, String)> = self::query(query)?;
    read_pairs(pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect())
}

fn read_pairs(pairs: Vec<(String, String)>) -> Result<Read, ApiError> {
    let mut read = Read { at: None, set: Vec::new() };
    for (key, value) in pairs {
        match key.as_str() {
            "at" => read.at = Some(parse_date("at", &value)?),
            "set" => read.set.push(parse_set(&value)?),
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
    async fn a_method_a_route_does_not_take_is_405_with_or_without_a_token() {
        let server = TestServer::new("2025-06-20");
        for method in [Method::PUT, Method::PATCH, Method::DELETE] {
            let request = Request::builder().method(method.clone()).uri("/api/ledger/entries/1");
            let answer = server.send(request.body(Body::empty()).unwrap()).await;
            assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED, "{method}");
        }
    }

    #[tokio::test]
    async fn the_openapi_document_lets_an_entry_carry_its_change_and_its_place() {
        let server = TestServer::new("2025-06-20");
        let doc = server.get("/api/openapi.json", None).await.json();
        let schemas = &doc["components"]["schemas"];
        for part in ["Recorded", "VoteRecord", "FactRecord", "ProposalRecord", "PositionRecord"] {
            assert!(schemas[part].is_object(), "{part}");
            assert!(schemas[part].get("additionalProperties").is_none(), "{part} refuses the entry's other fields");
        }
        // Request bodies still refuse unknown fields.
        assert_eq!(schemas["NewVote"]["additionalProperties"], false);
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
