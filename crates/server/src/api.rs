//! The JSON API under `/api`: the same data and shapes as the command line (`decide`,
//! `explain`, `what-if`, `power`, `history`, `ledger prove` with `--format json`), the store's
//! writes, tokens, and the OpenAPI document generated from these handlers and types.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{FromRequest, Path, RawQuery, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use concord_core::power::{self, Options, Power};
use concord_core::report::{DecideReport, ExplainReport, WhatIfReport};
use concord_core::{Date, Value};
use concord_store::proof::{InclusionProof, SignedCheckpoint};
use concord_store::record::{
    Change, Entry, FactRecord, PositionRecord, ProposalRecord, Recorded, ValueRecord, VoteRecord,
};
use concord_store::timeline::{self, History};
use concord_store::{Grant, NewToken, Receipt, Role};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::app::App;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::writer::{Job, Snapshot};

/// The routes under `/api`.
pub(crate) fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/status", get(status))
        .route("/whoami", get(whoami))
        .route("/decisions", get(decisions))
        .route("/what-if", get(what_if))
        .route("/proposals", get(proposals).post(new_proposal))
        .route("/proposals/{id}", get(explain))
        .route("/proposals/{id}/history", get(history))
        .route("/proposals/{id}/close", post(close))
        .route("/votes", get(votes).post(vote))
        .route("/facts", get(facts).post(fact))
        .route("/positions", get(positions).post(new_position))
        .route("/positions/{id}/withdraw", post(withdraw))
        .route("/committees", get(committees))
        .route("/committees/{id}/power", get(committee_power))
        .route("/tick", post(tick))
        .route("/ledger", get(ledger))
        .route("/ledger/entries/{seq}", get(entry))
        .route("/ledger/proof/{seq}", get(proof))
        .route("/ledger/consistency", get(consistency))
        .route("/tokens", get(tokens).post(new_token))
        .route("/tokens/{id}", delete(revoke_token))
        .route("/openapi.json", get(openapi))
        .fallback(|| async { ApiError::NotFound("no such API route; see /api/openapi.json".to_owned()) })
}

/// The OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(title = "concord", description = "Consensus governance engine: decisions, reasons, what-if, voting power, and a signed ledger of every change."),
    paths(status, whoami, decisions, what_if, proposals, new_proposal, explain, history, close, votes, vote, facts, fact,
          positions, new_position, withdraw, committees, committee_power, tick, ledger, entry, proof, consistency,
          tokens, new_token, revoke_token),
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
                Err(ApiError::TooLarge(format!("the request body is larger than {} bytes", crate::BODY_LIMIT)))
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

/// Parses a query string's `at` and repeated `set`, ignoring other keys.
pub(crate) fn read_params(query: Option<&str>) -> Result<Read, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or_default())
        .map_err(|e| ApiError::BadRequest(format!("the query string: {e}")))?;
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

/// The server and its store.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Status {
    /// The scenario's id.
    pub scenario: String,
    /// The scenario's title.
    pub title: Option<String>,
    /// The date reads default to.
    pub today: Date,
    /// Entries in the ledger.
    pub entries: u64,
    /// The latest checkpoint's root, in hex.
    pub root: String,
    /// The concord version.
    pub version: String,
}

/// The server and its store.
#[utoipa::path(get, path = "/api/status", tag = "ledger", responses((status = 200, body = Status)))]
async fn status(State(app): State<Arc<App>>) -> Json<Status> {
    let s = app.snapshot();
    Json(Status {
        scenario: s.state.scenario.id.clone(),
        title: s.state.scenario.title.clone(),
        today: app.today(&s),
        entries: s.checkpoint.tree_size,
        root: s.checkpoint.root.to_string(),
        version: concord_core::VERSION.to_owned(),
    })
}

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
async fn whoami(caller: Caller) -> Json<WhoAmI> {
    let g = caller.grant;
    Json(WhoAmI {
        role: g.as_ref().map(|g| g.role),
        member: g.as_ref().and_then(|g| g.member.clone()),
        label: g.and_then(|g| g.label),
    })
}

/// Every proposal's outcome on a date (`concord decide --format json`).
#[utoipa::path(get, path = "/api/decisions", tag = "decisions", params(ReadParams),
    responses((status = 200, body = DecideReport), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn decisions(
    State(app): State<Arc<App>>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Json<DecideReport>, ApiError> {
    caller.read(&app)?;
    let read = read_params(query.as_deref())?;
    let snapshot = app.snapshot();
    Ok(Json(evaluate(&app, &snapshot, &read)?.report()))
}

/// The proposals whose outcome changes when facts are set; nothing is recorded
/// (`concord what-if --format json`).
#[utoipa::path(get, path = "/api/what-if", tag = "decisions", params(ReadParams),
    responses((status = 200, body = WhatIfReport), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn what_if(
    State(app): State<Arc<App>>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Json<WhatIfReport>, ApiError> {
    caller.read(&app)?;
    let read = read_params(query.as_deref())?;
    if read.set.is_empty() {
        return Err(ApiError::BadRequest("give at least one `set=FACT=VALUE`".to_owned()));
    }
    let snapshot = app.snapshot();
    let before = evaluate(&app, &snapshot, &Read { at: read.at, set: Vec::new() })?;
    let after = before.what_if(&read.set).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let changes = before.changes(&after);
    Ok(Json(after.what_if_report(&read.set, &changes)))
}

/// A proposal as recorded, with its recorded decision if any.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ProposalView {
    /// Id.
    pub id: String,
    /// Title.
    pub title: Option<String>,
    /// The committee deciding it.
    pub committee: String,
    /// Free tag.
    pub kind: String,
    /// Partners taking part.
    pub partners: Vec<String>,
    /// `new` or `continuing`.
    pub engagement: String,
    /// Circulation date.
    pub circulated: Option<Date>,
    /// Silence deadline.
    pub deadline: Option<Date>,
    /// The recorded decision (at the deadline or on closing).
    pub decision: Option<Recorded>,
}

pub(crate) fn proposal_views(snapshot: &Snapshot) -> Vec<ProposalView> {
    let state = &snapshot.state;
    state
        .scenario
        .proposals
        .iter()
        .map(|p| ProposalView {
            id: p.id.clone(),
            title: p.title.clone(),
            committee: p.committee.clone(),
            kind: p.kind.clone(),
            partners: p.partners.clone(),
            engagement: p.engagement.as_str().to_owned(),
            circulated: p.circulated,
            deadline: p.deadline,
            decision: state.decided.get(&p.id).map(|d| d.recorded.clone()),
        })
        .collect()
}

/// Every proposal in the store.
#[utoipa::path(get, path = "/api/proposals", tag = "record",
    responses((status = 200, body = Vec<ProposalView>), (status = 401, body = ErrorBody)))]
async fn proposals(State(app): State<Arc<App>>, caller: Caller) -> Result<Json<Vec<ProposalView>>, ApiError> {
    caller.read(&app)?;
    Ok(Json(proposal_views(&app.snapshot())))
}

/// One proposal with the full chain of reasons (`concord explain --format json`).
#[utoipa::path(get, path = "/api/proposals/{id}", tag = "decisions",
    params(("id" = String, Path, description = "The proposal's id"), ReadParams),
    responses((status = 200, body = ExplainReport), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn explain(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<ExplainReport>, ApiError> {
    caller.read(&app)?;
    let read = read_params(query.as_deref())?;
    let snapshot = app.snapshot();
    Ok(Json(explanation(&app, &snapshot, &id, &read)?))
}

pub(crate) fn explanation(app: &App, snapshot: &Snapshot, id: &str, read: &Read) -> Result<ExplainReport, ApiError> {
    let index = snapshot.engine.proposal_index(id).ok_or_else(|| ApiError::NotFound(format!("no proposal `{id}`")))?;
    let evaluation = evaluate(app, snapshot, read)?;
    evaluation.explain(index).ok_or_else(|| {
        ApiError::NotFound(format!("proposal `{id}` is not before its committee on {}", evaluation.at()))
    })
}

/// `until` of a history.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct HistoryParams {
    /// The last date to look at; default: today.
    #[param(value_type = Option<String>, format = Date)]
    pub until: Option<String>,
}

/// A proposal's history: every change of stance and outcome, with dates and reasons, and its
/// ledger entries (`concord history --format json`).
#[utoipa::path(get, path = "/api/proposals/{id}/history", tag = "decisions",
    params(("id" = String, Path, description = "The proposal's id"), HistoryParams),
    responses((status = 200, body = History), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn history(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<History>, ApiError> {
    caller.read(&app)?;
    let params: HistoryParams = serde_urlencoded::from_str(query.as_deref().unwrap_or_default())
        .map_err(|e| ApiError::BadRequest(format!("the query string: {e}")))?;
    let snapshot = app.snapshot();
    let until = match params.until.as_deref() {
        Some(text) if !text.is_empty() => parse_date("until", text)?,
        _ => app.today(&snapshot),
    };
    Ok(Json(proposal_history(&app, &snapshot, &id, until)?))
}

pub(crate) fn proposal_history(app: &App, snapshot: &Snapshot, id: &str, until: Date) -> Result<History, ApiError> {
    if snapshot.state.proposal(id).is_none() {
        return Err(ApiError::NotFound(format!("no proposal `{id}`")));
    }
    let entries = {
        let store = app.tokens.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        store.entries_about(id).map_err(|e| ApiError::from(&e))?
    };
    // Entries recorded after the snapshot was published are left for the next read.
    let entries = entries.into_iter().filter(|e| e.seq < snapshot.state.entries).collect();
    timeline::history(&snapshot.state, id, until, entries).map_err(|e| ApiError::Internal(e.to_string()))
}

/// What a write recorded.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Ack {
    /// The new entries' numbers.
    pub entries: Vec<u64>,
    /// The ledger's size after the write.
    pub tree_size: u64,
    /// The ledger's root after the write, in hex.
    pub root: String,
    /// The signed checkpoint covering the write.
    pub checkpoint: SignedCheckpoint,
}

impl From<&Receipt> for Ack {
    fn from(r: &Receipt) -> Ack {
        Ack {
            entries: r.entries.clone().collect(),
            tree_size: r.checkpoint.tree_size,
            root: r.checkpoint.root.to_string(),
            checkpoint: SignedCheckpoint::from(&r.checkpoint),
        }
    }
}

fn created(receipt: &Receipt) -> Response {
    (StatusCode::CREATED, Json(Ack::from(receipt))).into_response()
}

/// Records changes built on the writer's default date.
pub(crate) async fn record(
    app: &App,
    build: impl FnOnce(Date) -> Vec<(Date, Change)> + Send + 'static,
) -> Result<Receipt, ApiError> {
    app.submit(|reply| Job::Record { build: Box::new(build), reply }).await
}

/// A proposal to circulate.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewProposal {
    /// Id.
    pub id: String,
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
    /// The committee deciding it.
    pub committee: String,
    /// Free tag such as `exercise`.
    pub kind: String,
    /// Partners taking part.
    #[serde(default)]
    pub partners: Vec<String>,
    /// `new` (default) or `continuing`.
    #[serde(default)]
    pub engagement: Option<String>,
    /// The silence procedure's deadline: adopted then unless a member breaks silence.
    #[serde(default)]
    pub deadline: Option<Date>,
    /// Free attributes.
    #[serde(default)]
    pub attributes: BTreeMap<String, ValueRecord>,
    /// Circulation date; default: today.
    #[serde(default)]
    pub at: Option<Date>,
}

/// Circulates a proposal, optionally under a silence procedure (secretariat).
#[utoipa::path(post, path = "/api/proposals", tag = "record", request_body = NewProposal, security(("token" = [])),
    responses((status = 201, body = Ack), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn new_proposal(
    State(app): State<Arc<App>>,
    caller: Caller,
    Body(p): Body<NewProposal>,
) -> Result<Response, ApiError> {
    caller.secretariat("circulate proposals")?;
    let receipt = record(&app, move |today| {
        let at = p.at.unwrap_or(today);
        let record = ProposalRecord {
            id: p.id,
            title: p.title,
            committee: p.committee,
            kind: p.kind,
            partners: p.partners,
            engagement: p.engagement.unwrap_or_else(|| "new".to_owned()),
            circulated: Some(at),
            deadline: p.deadline,
            attributes: p.attributes,
        };
        vec![(at, Change::Proposal(record))]
    })
    .await?;
    Ok(created(&receipt))
}

/// How a proposal is closed.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Closing {
    /// The secretariat's note.
    #[serde(default)]
    pub reason: Option<String>,
    /// The closing date, on which the outcome is computed; default: today.
    #[serde(default)]
    pub at: Option<Date>,
}

/// A recorded decision and its write.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DecisionAck {
    /// The decision recorded.
    pub decision: Recorded,
    /// The write.
    #[serde(flatten)]
    pub ack: Ack,
}

/// Closes a proposal: its outcome is computed and recorded; no stance can be recorded after
/// (secretariat).
#[utoipa::path(post, path = "/api/proposals/{id}/close", tag = "record", request_body = Closing,
    params(("id" = String, Path, description = "The proposal's id")), security(("token" = [])),
    responses((status = 201, body = DecisionAck), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn close(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
    Body(closing): Body<Closing>,
) -> Result<Response, ApiError> {
    caller.secretariat("close proposals")?;
    let (receipt, decision) =
        app.submit(|reply| Job::Close { proposal: id, reason: closing.reason, at: closing.at, reply }).await?;
    Ok((StatusCode::CREATED, Json(DecisionAck { decision, ack: Ack::from(&receipt) })).into_response())
}

/// `proposal` and `member` filters of the vote list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct VoteFilter {
    /// Only this proposal's votes.
    pub proposal: Option<String>,
    /// Only this member's votes.
    pub member: Option<String>,
}

/// A recorded vote.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct VoteView {
    /// Proposal id.
    pub proposal: String,
    /// Member id.
    pub member: String,
    /// `consent`, `object` or `abstain`.
    pub stance: String,
    /// The date of the stance.
    pub at: Date,
    /// Why.
    pub reason: Option<String>,
}

/// Recorded votes, in the order they were recorded.
#[utoipa::path(get, path = "/api/votes", tag = "record", params(VoteFilter),
    responses((status = 200, body = Vec<VoteView>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn votes(
    State(app): State<Arc<App>>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Json<Vec<VoteView>>, ApiError> {
    caller.read(&app)?;
    let filter: VoteFilter = serde_urlencoded::from_str(query.as_deref().unwrap_or_default())
        .map_err(|e| ApiError::BadRequest(format!("the query string: {e}")))?;
    let snapshot = app.snapshot();
    let keep = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
    Ok(Json(
        snapshot
            .state
            .scenario
            .votes
            .iter()
            .filter(|v| keep(&filter.proposal, &v.proposal) && keep(&filter.member, &v.member))
            .map(|v| VoteView {
                proposal: v.proposal.clone(),
                member: v.member.clone(),
                stance: v.stance.as_str().to_owned(),
                at: v.at,
                reason: v.reason.clone(),
            })
            .collect(),
    ))
}

/// A stance to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewVote {
    /// Proposal id.
    pub proposal: String,
    /// Member id: a delegation's own member.
    pub member: String,
    /// `consent`, `object` or `abstain`.
    pub stance: String,
    /// Why; required to object.
    #[serde(default)]
    pub reason: Option<String>,
    /// The date of the stance; default: today.
    #[serde(default)]
    pub at: Option<Date>,
}

/// Records a member's stance on a proposal (the member's delegation, or the secretariat on its
/// behalf).
#[utoipa::path(post, path = "/api/votes", tag = "record", request_body = NewVote, security(("token" = [])),
    responses((status = 201, body = Ack), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn vote(State(app): State<Arc<App>>, caller: Caller, Body(v): Body<NewVote>) -> Result<Response, ApiError> {
    caller.speak_for(&v.member, "record a stance")?;
    let receipt = record_vote(&app, v).await?;
    Ok(created(&receipt))
}

pub(crate) async fn record_vote(app: &App, v: NewVote) -> Result<Receipt, ApiError> {
    record(app, move |today| {
        let record = VoteRecord { proposal: v.proposal, member: v.member, stance: v.stance, reason: v.reason };
        vec![(v.at.unwrap_or(today), Change::Vote(record))]
    })
    .await
}

/// An observation of a fact.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct FactView {
    /// The fact's id.
    pub id: String,
    /// The observed value.
    pub value: Value,
    /// It holds from this date.
    pub as_of: Date,
    /// Where it comes from.
    pub source: String,
    /// After this date it no longer holds.
    pub valid_until: Option<Date>,
}

pub(crate) fn fact_views(snapshot: &Snapshot) -> Vec<FactView> {
    snapshot
        .state
        .scenario
        .facts
        .iter()
        .map(|f| FactView {
            id: f.id.clone(),
            value: f.value.clone(),
            as_of: f.as_of,
            source: f.source.clone(),
            valid_until: f.valid_until,
        })
        .collect()
}

/// Every observation of every fact, in the order recorded.
#[utoipa::path(get, path = "/api/facts", tag = "record",
    responses((status = 200, body = Vec<FactView>), (status = 401, body = ErrorBody)))]
async fn facts(State(app): State<Arc<App>>, caller: Caller) -> Result<Json<Vec<FactView>>, ApiError> {
    caller.read(&app)?;
    Ok(Json(fact_views(&app.snapshot())))
}

/// An observation to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewFact {
    /// The fact's id.
    pub id: String,
    /// The value: `true`/`false`, a whole number, a string, or `{"decimal": "1.5"}`.
    pub value: ValueRecord,
    /// Where it comes from.
    pub source: String,
    /// It holds from this date; default: `at`.
    #[serde(default)]
    pub as_of: Option<Date>,
    /// After this date it no longer holds.
    #[serde(default)]
    pub valid_until: Option<Date>,
    /// The date it is recorded; default: today.
    #[serde(default)]
    pub at: Option<Date>,
}

/// Records an observation of a fact (secretariat).
#[utoipa::path(post, path = "/api/facts", tag = "record", request_body = NewFact, security(("token" = [])),
    responses((status = 201, body = Ack), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn fact(State(app): State<Arc<App>>, caller: Caller, Body(f): Body<NewFact>) -> Result<Response, ApiError> {
    caller.secretariat("record facts")?;
    let receipt = record(&app, move |today| {
        // An observation dated in the past is recorded today, holding from its date.
        let at = f.at.unwrap_or(today);
        let record = FactRecord {
            id: f.id,
            value: f.value,
            as_of: f.as_of.unwrap_or(at),
            source: f.source,
            valid_until: f.valid_until,
        };
        vec![(at, Change::Fact(record))]
    })
    .await?;
    Ok(created(&receipt))
}

/// A declared position.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PositionView {
    /// Id.
    pub id: String,
    /// The member holding it.
    pub member: String,
    /// Where it was declared.
    pub source: String,
    /// In force from this date.
    pub since: Option<Date>,
    /// Withdrawn on this date.
    pub withdrawn: Option<Date>,
    /// Cedar policy text.
    pub policy: String,
}

/// Every position, withdrawn ones included.
#[utoipa::path(get, path = "/api/positions", tag = "record",
    responses((status = 200, body = Vec<PositionView>), (status = 401, body = ErrorBody)))]
async fn positions(State(app): State<Arc<App>>, caller: Caller) -> Result<Json<Vec<PositionView>>, ApiError> {
    caller.read(&app)?;
    let snapshot = app.snapshot();
    Ok(Json(
        snapshot
            .state
            .scenario
            .positions
            .iter()
            .map(|p| PositionView {
                id: p.id.clone(),
                member: p.member.clone(),
                source: p.source.clone(),
                since: p.since,
                withdrawn: p.withdrawn,
                policy: p.policy.clone(),
            })
            .collect(),
    ))
}

/// A position to declare.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewPosition {
    /// Id.
    pub id: String,
    /// The member holding it: a delegation's own member.
    pub member: String,
    /// Where it was declared.
    pub source: String,
    /// Cedar `forbid` policies.
    pub policy: String,
    /// In force from this date; default: `at`.
    #[serde(default)]
    pub since: Option<Date>,
    /// The date it is recorded; default: today.
    #[serde(default)]
    pub at: Option<Date>,
}

/// Declares a member's standing position (its delegation, or the secretariat).
#[utoipa::path(post, path = "/api/positions", tag = "record", request_body = NewPosition, security(("token" = [])),
    responses((status = 201, body = Ack), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn new_position(
    State(app): State<Arc<App>>,
    caller: Caller,
    Body(p): Body<NewPosition>,
) -> Result<Response, ApiError> {
    caller.speak_for(&p.member, "declare a position")?;
    let receipt = record(&app, move |today| {
        let record = PositionRecord { id: p.id, member: p.member, since: p.since, source: p.source, policy: p.policy };
        vec![(p.at.unwrap_or(today), Change::Position(record))]
    })
    .await?;
    Ok(created(&receipt))
}

/// A withdrawal.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Withdrawal {
    /// Why.
    #[serde(default)]
    pub reason: Option<String>,
    /// Not in force from this date; default: today.
    #[serde(default)]
    pub at: Option<Date>,
}

/// Withdraws a position (its member's delegation, or the secretariat).
#[utoipa::path(post, path = "/api/positions/{id}/withdraw", tag = "record", request_body = Withdrawal,
    params(("id" = String, Path, description = "The position's id")), security(("token" = [])),
    responses((status = 201, body = Ack), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn withdraw(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
    Body(w): Body<Withdrawal>,
) -> Result<Response, ApiError> {
    caller.require()?;
    let member = {
        let snapshot = app.snapshot();
        let found = snapshot.state.scenario.positions.iter().find(|p| p.id == id).map(|p| p.member.clone());
        found.ok_or_else(|| ApiError::NotFound(format!("no position `{id}`")))?
    };
    caller.speak_for(&member, "withdraw a position")?;
    let receipt =
        record(&app, move |today| vec![(w.at.unwrap_or(today), Change::Withdraw { position: id, reason: w.reason })])
            .await?;
    Ok(created(&receipt))
}

/// A committee and who sits on it today.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CommitteeView {
    /// Id.
    pub id: String,
    /// Name.
    pub name: Option<String>,
    /// The rule's kind: `consensus`, `majority`, ….
    pub rule: String,
    /// The rule in the scenario file's notation.
    pub rule_text: String,
    /// Members seated today, in seat order.
    pub seated: Vec<String>,
}

pub(crate) fn committee_views(app: &App, snapshot: &Snapshot) -> Vec<CommitteeView> {
    let today = app.today(snapshot);
    let s = snapshot.engine.scenario();
    s.committees
        .iter()
        .enumerate()
        .map(|(i, c)| CommitteeView {
            id: c.id.clone(),
            name: c.name.clone(),
            rule: c.rule.kind().to_owned(),
            rule_text: c.rule.to_string(),
            seated: snapshot
                .engine
                .seated(i, today)
                .into_iter()
                .filter_map(|m| s.members.get(m).map(|m| m.id.clone()))
                .collect(),
        })
        .collect()
}

/// Every committee.
#[utoipa::path(get, path = "/api/committees", tag = "decisions",
    responses((status = 200, body = Vec<CommitteeView>), (status = 401, body = ErrorBody)))]
async fn committees(State(app): State<Arc<App>>, caller: Caller) -> Result<Json<Vec<CommitteeView>>, ApiError> {
    caller.read(&app)?;
    let snapshot = app.snapshot();
    Ok(Json(committee_views(&app, &snapshot)))
}

/// `at` of a power analysis.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct PowerParams {
    /// The date whose seated members play; default: today.
    #[param(value_type = Option<String>, format = Date)]
    pub at: Option<String>,
}

/// Voting power (Banzhaf, Penrose, Shapley–Shubik) of a committee's rule, exact
/// (`concord power --format json`).
#[utoipa::path(get, path = "/api/committees/{id}/power", tag = "decisions",
    params(("id" = String, Path, description = "The committee's id"), PowerParams),
    responses((status = 200, body = Power), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn committee_power(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<Power>, ApiError> {
    caller.read(&app)?;
    let params: PowerParams = serde_urlencoded::from_str(query.as_deref().unwrap_or_default())
        .map_err(|e| ApiError::BadRequest(format!("the query string: {e}")))?;
    let snapshot = app.snapshot();
    let at = match params.at.as_deref() {
        Some(text) if !text.is_empty() => Some(parse_date("at", text)?),
        _ => None,
    };
    let power = tokio::task::spawn_blocking(move || committee_power_of(&app, &snapshot, &id, at))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))??;
    Ok(Json(power))
}

pub(crate) fn committee_power_of(
    app: &App,
    snapshot: &Snapshot,
    id: &str,
    at: Option<Date>,
) -> Result<Power, ApiError> {
    let c = snapshot.engine.committee_index(id).ok_or_else(|| ApiError::NotFound(format!("no committee `{id}`")))?;
    let at = at.unwrap_or_else(|| app.today(snapshot));
    let game = snapshot.engine.committee_game(c, at).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    power::analyse(&game, &Options::default(), &mut |_, _| {}).map_err(|e| ApiError::BadRequest(e.to_string()))
}

/// How far the clock goes.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TickRequest {
    /// The date the clock reaches; default: today.
    #[serde(default)]
    pub now: Option<Date>,
}

/// What the clock recorded.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TickAck {
    /// The date the clock reached.
    pub now: Date,
    /// The decisions recorded: silence procedures whose deadline passed.
    pub decisions: Vec<Recorded>,
    /// The write, when anything was recorded.
    pub ack: Option<Ack>,
}

/// Lets the clock reach a date: records the outcome of every silence procedure that ended
/// (secretariat; the server's own clock does this by itself).
#[utoipa::path(post, path = "/api/tick", tag = "record", request_body = TickRequest, security(("token" = [])),
    responses((status = 200, body = TickAck), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn tick(
    State(app): State<Arc<App>>,
    caller: Caller,
    Body(t): Body<TickRequest>,
) -> Result<Json<TickAck>, ApiError> {
    caller.secretariat("move the clock")?;
    let ticked = app.submit(|reply| Job::Tick { now: t.now, reply: Some(reply) }).await?;
    let (decisions, ack) = match ticked.recorded {
        Some((receipt, decisions)) => (decisions, Some(Ack::from(&receipt))),
        None => (Vec::new(), None),
    };
    Ok(Json(TickAck { now: ticked.now, decisions, ack }))
}

/// The ledger's state.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct LedgerView {
    /// Entries in the ledger.
    pub tree_size: u64,
    /// The root, in hex.
    pub root: String,
    /// When the latest checkpoint was signed.
    pub time: String,
    /// The latest signed checkpoint.
    pub checkpoint: SignedCheckpoint,
    /// The store's Ed25519 public key, in hex.
    pub public_key: String,
}

/// The ledger's latest signed checkpoint and public key (`concord ledger checkpoint`).
#[utoipa::path(get, path = "/api/ledger", tag = "ledger",
    responses((status = 200, body = LedgerView), (status = 401, body = ErrorBody)))]
async fn ledger(State(app): State<Arc<App>>, caller: Caller) -> Result<Json<LedgerView>, ApiError> {
    caller.read(&app)?;
    let snapshot = app.snapshot();
    Ok(Json(ledger_view(&app, &snapshot)))
}

pub(crate) fn ledger_view(app: &App, snapshot: &Snapshot) -> LedgerView {
    let cp = &snapshot.checkpoint;
    let public_key = {
        let store = app.tokens.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        hex::encode(store.public_key().to_bytes())
    };
    LedgerView {
        tree_size: cp.tree_size,
        root: cp.root.to_string(),
        time: cp.time.clone(),
        checkpoint: SignedCheckpoint::from(cp),
        public_key,
    }
}

/// One ledger entry (`concord ledger show`).
#[utoipa::path(get, path = "/api/ledger/entries/{seq}", tag = "ledger",
    params(("seq" = u64, Path, description = "The entry's number, from 0")),
    responses((status = 200, body = Entry), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn entry(State(app): State<Arc<App>>, caller: Caller, Path(seq): Path<String>) -> Result<Json<Entry>, ApiError> {
    caller.read(&app)?;
    let seq = parse_seq(&seq)?;
    let store = app.tokens.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let bytes = store.entry(seq).map_err(|e| ApiError::from(&e))?;
    let bytes = bytes.ok_or_else(|| ApiError::NotFound(format!("no entry {seq}")))?;
    Entry::from_bytes(&bytes).map(Json).map_err(|m| ApiError::Internal(format!("entry {seq}: {m}")))
}

fn parse_seq(text: &str) -> Result<u64, ApiError> {
    text.parse().map_err(|_| ApiError::BadRequest(format!("`{text}` is not an entry number")))
}

/// An inclusion proof of one entry against the latest signed checkpoint, checkable with the
/// public key alone (`concord ledger prove --format json`; check it with
/// `concord ledger check-proof`).
#[utoipa::path(get, path = "/api/ledger/proof/{seq}", tag = "ledger",
    params(("seq" = u64, Path, description = "The entry's number, from 0")),
    responses((status = 200, body = InclusionProof), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn proof(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(seq): Path<String>,
) -> Result<Json<InclusionProof>, ApiError> {
    caller.read(&app)?;
    let seq = parse_seq(&seq)?;
    let store = app.tokens.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    store.prove(seq).map(Json).map_err(|e| ApiError::from(&e))
}

/// `old` and `new` tree sizes.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ConsistencyParams {
    /// The earlier tree size (at least 1).
    pub old: u64,
    /// The later tree size; default: the latest checkpoint's.
    pub new: Option<u64>,
}

/// A consistency proof between two tree sizes.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ConsistencyProof {
    /// The earlier size.
    pub old: u64,
    /// The later size.
    pub new: u64,
    /// The earlier root, in hex.
    pub old_root: String,
    /// The later root, in hex.
    pub new_root: String,
    /// The proof's hashes, in hex.
    pub path: Vec<String>,
}

/// A consistency proof: the ledger of `new` entries extends the one of `old` entries
/// (`concord ledger consistency`).
#[utoipa::path(get, path = "/api/ledger/consistency", tag = "ledger", params(ConsistencyParams),
    responses((status = 200, body = ConsistencyProof), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn consistency(
    State(app): State<Arc<App>>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Json<ConsistencyProof>, ApiError> {
    caller.read(&app)?;
    let params: ConsistencyParams = serde_urlencoded::from_str(query.as_deref().unwrap_or_default())
        .map_err(|e| ApiError::BadRequest(format!("the query string: {e}")))?;
    let store = app.tokens.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let latest = store.latest_checkpoint().map_err(|e| ApiError::from(&e))?.tree_size;
    let new = params.new.unwrap_or(latest);
    if params.old == 0 || params.old > new || new > latest {
        return Err(ApiError::BadRequest(format!(
            "need 1 ≤ old ≤ new ≤ {latest} (the ledger's size); got old {}, new {new}",
            params.old
        )));
    }
    let path = store.consistency_proof(params.old, new).map_err(|e| ApiError::from(&e))?;
    let old_root = store.root(params.old).map_err(|e| ApiError::from(&e))?;
    let new_root = store.root(new).map_err(|e| ApiError::from(&e))?;
    Ok(Json(ConsistencyProof {
        old: params.old,
        new,
        old_root: old_root.to_string(),
        new_root: new_root.to_string(),
        path: path.iter().map(ToString::to_string).collect(),
    }))
}

/// Every token's grant, never the secret (secretariat).
#[utoipa::path(get, path = "/api/tokens", tag = "access", security(("token" = [])),
    responses((status = 200, body = Vec<Grant>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn tokens(State(app): State<Arc<App>>, caller: Caller) -> Result<Json<Vec<Grant>>, ApiError> {
    caller.secretariat("list tokens")?;
    let store = app.tokens.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    store.tokens().map(Json).map_err(|e| ApiError::from(&e))
}

/// A token to make.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TokenRequest {
    /// `secretariat`, `delegation` or `observer`.
    pub role: Role,
    /// A delegation's member.
    #[serde(default)]
    pub member: Option<String>,
    /// A note saying whose it is.
    #[serde(default)]
    pub label: Option<String>,
}

/// Makes a token; its secret is in this answer only (secretariat).
#[utoipa::path(post, path = "/api/tokens", tag = "access", request_body = TokenRequest, security(("token" = [])),
    responses((status = 201, body = NewToken), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn new_token(
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
async fn revoke_token(
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
