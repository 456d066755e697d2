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
use concord_core::change::{
    Change, DecisionChange, ExactAttribute, ExactValue, ExtensionChange, FactChange, PositionChange,
    PositionWithdrawal, ProposalChange, ProposalWithdrawal, StateDigest, VoteChange,
};
use concord_core::{Date, Value, WhatIfError};
use concord_store::record::Entry;
use serde::de::DeserializeOwned;
use utoipa::{IntoParams, OpenApi};

use crate::app::App;
use crate::error::{ApiError, ErrorBody};
use crate::writer::Snapshot;

pub(crate) use decisions::{committee_game, committee_views, explanation, proposal_history};
pub(crate) use ledger::ledger_view;
pub(crate) use record::{close_proposal, extend_proposal, record_vote, withdraw_proposal};

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
        .route("/proposals/{id}/unblock", get(decisions::unblock))
        .route("/levers", get(decisions::levers))
        .route("/proposals/{id}/close", write(post(record::close)))
        .route("/proposals/{id}/extend", write(post(record::extend)))
        .route("/proposals/{id}/withdraw", write(post(record::withdraw_proposal_route)))
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
          record::new_proposal, decisions::explain, decisions::history, decisions::unblock, decisions::levers,
          record::close, record::extend,
          record::withdraw_proposal_route, record::votes, record::vote, record::facts, record::fact,
          record::positions, record::new_position, record::withdraw, decisions::committees,
          decisions::committee_power, record::tick, ledger::ledger, ledger::entry, ledger::proof,
          ledger::consistency, access::tokens, access::new_token, access::revoke_token),
    components(schemas(ErrorBody, Entry, Change, ExactValue, ExactAttribute, VoteChange, ProposalChange, PositionChange,
                       PositionWithdrawal, FactChange, DecisionChange, ExtensionChange, ProposalWithdrawal,
                       StateDigest)),
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

/// The OpenAPI document as served. A request body that is a core change plus the write's own
/// fields (`at`, or a default) is generated as an `allOf` of the change and those fields; it is
/// served as one object with every property, refusing unknown ones as the server does.
fn document() -> serde_json::Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(serde_json::Value::as_object_mut) else {
        return doc;
    };
    for &(name, optional, from_path) in record::REQUEST_BODIES {
        let merged = schemas.get(name).map(|schema| merge_all_of(schema, schemas, optional, from_path));
        if let (Some(merged), Some(slot)) = (merged, schemas.get_mut(name)) {
            *slot = merged;
        }
    }
    doc
}

/// One object schema from an `allOf` of object schemas (by reference or inline): every
/// property but those the path gives, every required one but the `optional` ones, and
/// `additionalProperties: false`.
fn merge_all_of(
    schema: &serde_json::Value,
    schemas: &serde_json::Map<String, serde_json::Value>,
    optional: &[&str],
    from_path: &[&str],
) -> serde_json::Value {
    use serde_json::{Map, Value};
    let Some(parts) = schema.get("allOf").and_then(Value::as_array) else { return schema.clone() };
    let mut properties = Map::new();
    let mut required: Vec<Value> = Vec::new();
    for part in parts {
        let part = match part.get("$ref").and_then(Value::as_str) {
            Some(r) => r.strip_prefix("#/components/schemas/").and_then(|n| schemas.get(n)).unwrap_or(part),
            None => part,
        };
        if let Some(p) = part.get("properties").and_then(Value::as_object) {
            properties.extend(p.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        if let Some(r) = part.get("required").and_then(Value::as_array) {
            required.extend(r.iter().filter(|name| !required.contains(name)).cloned().collect::<Vec<_>>());
        }
    }
    required.retain(|name| name.as_str().is_none_or(|n| !optional.contains(&n) && !from_path.contains(&n)));
    properties.retain(|name, _| !from_path.contains(&name.as_str()));
    let mut merged = Map::new();
    merged.insert("type".to_owned(), Value::from("object"));
    for key in ["description", "example"] {
        if let Some(v) = schema.get(key) {
            merged.insert(key.to_owned(), v.clone());
        }
    }
    merged.insert("properties".to_owned(), Value::Object(properties));
    if !required.is_empty() {
        merged.insert("required".to_owned(), Value::Array(required));
    }
    merged.insert("additionalProperties".to_owned(), Value::Bool(false));
    Value::Object(merged)
}

/// A JSON request body whose errors are answered as JSON. The body must be a JSON object (serde
/// would otherwise also read a struct from an array of its fields). A field that does not fit
/// is named: ``field `stance`: unknown variant `maybe`, expected one of …``.
pub(crate) struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Body<T>, ApiError> {
        Object::from_request(req, state).await?.parse().map(Body)
    }
}

/// A JSON object request body, to take the write's own fields (`at`) from before the rest is
/// read into a core change.
pub(crate) struct Object(pub serde_json::Map<String, serde_json::Value>);

impl<S: Send + Sync> FromRequest<S> for Object {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Object, ApiError> {
        match Json::<serde_json::Value>::from_request(req, state).await {
            Ok(Json(serde_json::Value::Object(map))) => Ok(Object(map)),
            Ok(Json(_)) => Err(ApiError::BadRequest("the request body must be a JSON object".to_owned())),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ApiError::TooLarge(format!("the request body is over the limit of {} bytes", crate::BODY_LIMIT)))
            }
            Err(rejection) => match crate::http::body_timeout(&rejection) {
                Some(timeout) => Err(ApiError::Timeout(format!("{timeout}; nothing was recorded"))),
                None => Err(ApiError::BadRequest(rejection.body_text())),
            },
        }
    }
}

impl Object {
    /// Takes the write's date, `at`, out of the body.
    pub(crate) fn take_at(&mut self) -> Result<Option<Date>, ApiError> {
        self.take::<Option<Date>>("at").map(Option::flatten)
    }

    /// Takes a field out of the body and reads it.
    pub(crate) fn take<T: DeserializeOwned>(&mut self, field: &str) -> Result<Option<T>, ApiError> {
        match self.0.remove(field) {
            None => Ok(None),
            Some(value) => serde_json::from_value(value)
                .map(Some)
                .map_err(|e| ApiError::BadRequest(format!("the request body: field `{field}`: {e}"))),
        }
    }

    /// Sets a field the path gives (a proposal's id); a body that gives it too is refused.
    pub(crate) fn with(mut self, field: &str, value: &str) -> Result<Object, ApiError> {
        if self.0.contains_key(field) {
            return Err(ApiError::BadRequest(format!(
                "the request body: field `{field}`: give it in the path, not in the body"
            )));
        }
        self.0.insert(field.to_owned(), serde_json::Value::from(value));
        Ok(self)
    }

    /// Sets a field the body may leave out to its default.
    pub(crate) fn or_default(mut self, field: &str, value: serde_json::Value) -> Object {
        self.0.entry(field.to_owned()).or_insert(value);
        self
    }

    /// Reads the body into `T`, naming the field at fault.
    pub(crate) fn parse<T: DeserializeOwned>(self) -> Result<T, ApiError> {
        serde_path_to_error::deserialize(serde_json::Value::Object(self.0)).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            if path.is_empty() || path == "." {
                ApiError::BadRequest(format!("the request body: {inner}"))
            } else {
                ApiError::BadRequest(format!("the request body: field `{path}`: {inner}"))
            }
        })
    }
}

/// `at` and `set` of a read: the evaluation date and facts set for this request only.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code, reason = "documents the query for OpenAPI; `read_params` parses it, `set` being repeatable")]
pub(crate) struct ReadParams {
    /// Evaluation date (YYYY-MM-DD); default: the server's date.
    #[param(value_type = Option<String>, format = Date)]
    pub at: Option<String>,
    /// A fact set for this request only, `FACT=VALUE` (repeatable): in the world looked at, the
    /// fact had this value throughout; nothing is recorded.
    #[param(value_type = Option<Vec<String>>, pattern = "^[A-Za-z0-9_.-]+=")]
    pub set: Option<Vec<String>>,
}

/// `set` and `at` of a what-if: at least one fact set, and the evaluation date.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code, reason = "documents the query for OpenAPI; `read_params` parses it, `set` being repeatable")]
pub(crate) struct WhatIfParams {
    /// A fact set for this look only, `FACT=VALUE` (repeatable, at least one): in the world
    /// compared, the fact had this value throughout; nothing is recorded.
    #[param(value_type = Vec<String>, pattern = "^[A-Za-z0-9_.-]+=", min_items = 1)]
    pub set: Vec<String>,
    /// Evaluation date (YYYY-MM-DD); default: the server's date.
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

/// Evaluates the snapshot on the read's date (default: the server's) with its facts set.
pub(crate) fn evaluate<'s>(
    app: &App,
    snapshot: &'s Snapshot,
    read: &Read,
) -> Result<concord_core::Evaluation<'s>, ApiError> {
    let at = read.at.unwrap_or_else(|| app.today());
    snapshot.engine()?.evaluate(at, &read.set).map_err(|e| what_if_error(&e))
}

/// A what-if that does not fit the scenario (an unknown fact, with the closest ids; a value of
/// another type) is a bad request.
pub(crate) fn what_if_error(e: &WhatIfError) -> ApiError {
    ApiError::BadRequest(format!("`set`: {e}"))
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
        } else if path.ends_with("/close") || path.ends_with("/extend") || path.ends_with("/withdraw") {
            "steadfast-2026-spec"
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
    async fn request_bodies_are_documented_as_one_object_of_the_core_change_and_its_date() {
        let server = TestServer::new("2025-06-20");
        let doc = server.get("/api/openapi.json", None).await.json();
        let schemas = &doc["components"]["schemas"];
        let properties = |name: &str| {
            let mut keys: Vec<String> = schemas[name]["properties"].as_object().unwrap().keys().cloned().collect();
            keys.sort();
            keys
        };
        assert_eq!(properties("NewVote"), ["at", "member", "proposal", "reason", "source", "stance", "statement"]);
        assert_eq!(schemas["NewVote"]["required"], serde_json::json!(["proposal", "member", "stance"]));
        // The stance is the core's enum, `silent` included.
        let stance = schemas["VoteStance"]["enum"].as_array().unwrap();
        assert!(stance.iter().any(|s| s == "silent"), "{stance:?}");
        assert!(properties("NewProposal").contains(&"procedure".to_owned()));
        assert!(properties("NewProposal").contains(&"supersedes".to_owned()));
        assert!(!schemas["NewProposal"]["required"].as_array().unwrap().iter().any(|r| r == "engagement"));
        // The path names the proposal or position; the body may not.
        assert_eq!(properties("NewExtension"), ["at", "deadline", "reason"]);
        assert_eq!(properties("NewProposalWithdrawal"), ["at", "reason"]);
        assert_eq!(properties("NewPositionWithdrawal"), ["at", "reason"]);
        // Request bodies refuse unknown fields, as the server does.
        for name in ["NewVote", "NewProposal", "NewPosition", "NewExtension", "NewFact", "Closing", "TickRequest"] {
            assert_eq!(schemas[name]["additionalProperties"], false, "{name}");
        }
        assert!(schemas["Entry"].is_object());
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
