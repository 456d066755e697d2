//! What the store holds (proposals, votes, facts, positions) and the writes that change it,
//! each acknowledged once its entries and checkpoint are on disk.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use concord_core::{Date, Value};
use concord_store::Receipt;
use concord_store::proof::SignedCheckpoint;
use concord_store::record::{Change, FactRecord, PositionRecord, ProposalRecord, Recorded, ValueRecord, VoteRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::Body;
use crate::app::App;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::writer::{Job, Snapshot};

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
    snapshot
        .scenario()
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
            decision: snapshot.decided.get(&p.id).map(|d| d.recorded.clone()),
        })
        .collect()
}

/// Every proposal in the store.
#[utoipa::path(get, path = "/api/proposals", tag = "record",
    responses((status = 200, body = Vec<ProposalView>), (status = 401, body = ErrorBody)))]
pub(super) async fn proposals(
    State(app): State<Arc<App>>,
    caller: Caller,
) -> Result<Json<Vec<ProposalView>>, ApiError> {
    caller.read(&app)?;
    Ok(Json(proposal_views(&app.snapshot())))
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
#[schema(example = json!({"id": "steadfast-2027-spec", "title": "Steadfast exercise series 2027: exercise specification", "committee": "MC", "kind": "exercise", "partners": [], "engagement": "new", "deadline": "2025-07-15"}))]
pub(crate) struct NewProposal {
    /// Id.
    #[schema(pattern = "^[A-Za-z0-9_.-]+$")]
    pub id: String,
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
    /// The committee deciding it.
    #[schema(pattern = "^[A-Za-z0-9_.-]+$")]
    pub committee: String,
    /// Free tag such as `exercise`.
    pub kind: String,
    /// Partners taking part.
    #[serde(default)]
    #[schema(pattern = "^[A-Za-z0-9_.-]+$")]
    pub partners: Vec<String>,
    /// `new` (default) or `continuing`.
    #[serde(default)]
    #[schema(pattern = "^(new|continuing)$")]
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
pub(super) async fn new_proposal(
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
pub(super) async fn close(
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
pub(super) async fn votes(
    State(app): State<Arc<App>>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Json<Vec<VoteView>>, ApiError> {
    caller.read(&app)?;
    let filter: VoteFilter = super::query(query.as_deref())?;
    let snapshot = app.snapshot();
    let keep = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
    Ok(Json(
        snapshot
            .scenario()
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
#[schema(example = json!({"proposal": "steadfast-2026-spec", "member": "NOR", "stance": "object", "reason": "the specification needs another round"}))]
pub(crate) struct NewVote {
    /// Proposal id.
    #[schema(pattern = "^[A-Za-z0-9_.-]+$")]
    pub proposal: String,
    /// Member id: a delegation's own member.
    #[schema(pattern = "^[A-Za-z0-9_.-]+$")]
    pub member: String,
    /// `consent`, `object` or `abstain`.
    #[schema(pattern = "^(consent|object|abstain)$")]
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
pub(super) async fn vote(
    State(app): State<Arc<App>>,
    caller: Caller,
    Body(v): Body<NewVote>,
) -> Result<Response, ApiError> {
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
        .scenario()
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
pub(super) async fn facts(State(app): State<Arc<App>>, caller: Caller) -> Result<Json<Vec<FactView>>, ApiError> {
    caller.read(&app)?;
    Ok(Json(fact_views(&app.snapshot())))
}

/// An observation to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"id": "gaza_permanent_ceasefire", "value": true, "source": "Reuters, 10 October 2025: ceasefire announced"}))]
pub(crate) struct NewFact {
    /// The fact's id.
    #[schema(pattern = "^[A-Za-z0-9_.-]+$")]
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
pub(super) async fn fact(
    State(app): State<Arc<App>>,
    caller: Caller,
    Body(f): Body<NewFact>,
) -> Result<Response, ApiError> {
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
pub(super) async fn positions(
    State(app): State<Arc<App>>,
    caller: Caller,
) -> Result<Json<Vec<PositionView>>, ApiError> {
    caller.read(&app)?;
    let snapshot = app.snapshot();
    Ok(Json(
        snapshot
            .scenario()
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
#[schema(example = json!({"id": "nor-no-new-exercises", "member": "NOR", "source": "Statement of the Norwegian delegation", "policy": "forbid (principal, action, resource) when { resource.kind == \"exercise\" && resource.engagement == \"new\" };"}))]
pub(crate) struct NewPosition {
    /// Id.
    #[schema(pattern = "^[A-Za-z0-9_.-]+$")]
    pub id: String,
    /// The member holding it: a delegation's own member.
    #[schema(pattern = "^[A-Za-z0-9_.-]+$")]
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
pub(super) async fn new_position(
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
pub(super) async fn withdraw(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
    Body(w): Body<Withdrawal>,
) -> Result<Response, ApiError> {
    caller.require()?;
    let member = {
        let snapshot = app.snapshot();
        let found = snapshot.scenario().positions.iter().find(|p| p.id == id).map(|p| p.member.clone());
        found.ok_or_else(|| ApiError::NotFound(format!("no position `{id}`")))?
    };
    caller.speak_for(&member, "withdraw a position")?;
    let receipt =
        record(&app, move |today| vec![(w.at.unwrap_or(today), Change::Withdraw { position: id, reason: w.reason })])
            .await?;
    Ok(created(&receipt))
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
pub(super) async fn tick(
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
