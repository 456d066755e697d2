//! What the store holds (proposals, votes, facts, positions) and the writes that change it, each
//! acknowledged once its entries and checkpoint are on disk.
//!
//! A write's body is read straight into the core's change (a vote into
//! [`concord_core::change::VoteChange`], …), with the write's own `at` taken out first: the date
//! of the entry, which only the secretariat may choose. Without it, the store dates the write by
//! the server's clock, and it refuses a date after the clock or before the last entry.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use concord_core::change::{
    Change, DecisionChange, ExactValue, ExtensionChange, FactChange, PositionChange, PositionWithdrawal,
    ProposalChange, ProposalWithdrawal, VoteChange,
};
use concord_core::{Date, Decided, Engagement, Trigger, Value, VoteStance};
use concord_store::proof::SignedCheckpoint;
use concord_store::{Receipt, Write};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{Body, Object};
use crate::app::App;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::writer::{Job, Snapshot};

/// The request bodies documented as a core change plus the write's own fields: each with the
/// fields of the change that the body may leave out (the server gives them their default), and
/// those the path gives (the body may not).
pub(super) const REQUEST_BODIES: &[(&str, &[&str], &[&str])] = &[
    ("NewVote", &[], &[]),
    ("NewProposal", &["engagement"], &[]),
    ("NewPosition", &[], &[]),
    ("NewExtension", &[], &["proposal"]),
    ("NewProposalWithdrawal", &[], &["proposal"]),
    ("NewPositionWithdrawal", &[], &["position"]),
];

/// A recorded decision of a proposal.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RecordView {
    /// `adopted`, `blocked` or `withdrawn`.
    pub outcome: Decided,
    /// The date of the decision.
    pub on: Date,
    /// What started it: `deadline` or `adopted` (the clock), `close` (the secretariat), `record`.
    pub trigger: Trigger,
    /// Where it comes from: `ledger entry N`, or the record's source.
    pub source: String,
    /// The secretariat's note, or what the record says.
    pub note: Option<String>,
    /// The members objecting on that day, in seat order.
    pub objecting: Vec<String>,
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
    pub engagement: Engagement,
    /// Circulation date.
    pub circulated: Option<Date>,
    /// The deadline in force on the server's date (extensions moved).
    pub deadline: Option<Date>,
    /// `silence`, `meeting` or `open` (no deadline).
    pub procedure: &'static str,
    /// The proposal this one revises.
    pub supersedes: Option<String>,
    /// The date it was withdrawn, if it was.
    pub withdrawn: Option<Date>,
    /// The recorded decision (by the clock at its deadline, on closing, or withdrawn).
    pub decision: Option<RecordView>,
}

pub(crate) fn proposal_views(app: &App, snapshot: &Snapshot) -> Result<Vec<ProposalView>, ApiError> {
    let engine = snapshot.engine()?;
    let today = app.today();
    let scenario = engine.scenario();
    let records: HashMap<&str, &concord_core::DecisionRecord> =
        scenario.decisions.iter().rev().map(|d| (d.proposal.as_str(), d)).collect();
    Ok(scenario
        .proposals
        .iter()
        .enumerate()
        .map(|(i, p)| ProposalView {
            id: p.id.clone(),
            title: p.title.clone(),
            committee: p.committee.clone(),
            kind: p.kind.clone(),
            partners: p.partners.clone(),
            engagement: p.engagement,
            circulated: p.circulated,
            deadline: engine.deadline_on(i, today),
            procedure: engine.procedure_name(i, today),
            supersedes: p.supersedes.clone(),
            withdrawn: p.withdrawn,
            decision: records.get(p.id.as_str()).map(|r| RecordView {
                outcome: r.outcome,
                on: r.on,
                trigger: r.trigger,
                source: r.source.clone(),
                note: r.note.clone(),
                objecting: r.objecting.clone(),
            }),
        })
        .collect())
}

/// Every proposal in the store.
#[utoipa::path(get, path = "/api/proposals", tag = "record",
    responses((status = 200, body = Vec<ProposalView>), (status = 401, body = ErrorBody)))]
pub(super) async fn proposals(
    State(app): State<Arc<App>>,
    caller: Caller,
) -> Result<Json<Vec<ProposalView>>, ApiError> {
    caller.read(&app)?;
    Ok(Json(proposal_views(&app, &app.snapshot())?))
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

/// Records one change, dated `at` or by the clock (the store chooses and checks the date).
async fn record_one(app: &App, at: Option<Date>, change: Change) -> Result<Receipt, ApiError> {
    app.submit(|reply| Job::Record { writes: vec![Write { at, change }], reply }).await
}

/// A 404 for a proposal the state does not have.
fn known_proposal(app: &App, id: &str) -> Result<(), ApiError> {
    match app.snapshot().engine()?.proposal_index(id) {
        Some(_) => Ok(()),
        None => Err(ApiError::NotFound(format!("no proposal `{id}`"))),
    }
}

/// A proposal to circulate: the core's proposal change, and the write's date.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code, reason = "documents the body for OpenAPI; the handler reads a `ProposalChange`")]
#[schema(example = json!({"id": "steadfast-2027-spec", "title": "Steadfast exercise series 2027: exercise specification", "committee": "MC", "kind": "exercise", "partners": [], "engagement": "new", "deadline": "2025-07-15"}))]
pub(crate) struct NewProposal {
    /// The proposal; `engagement` defaults to `new`, `circulated` to the write's date.
    #[serde(flatten)]
    pub proposal: ProposalChange,
    /// The date of the entry (default: the server's date).
    pub at: Option<Date>,
}

/// Circulates a proposal, optionally with a deadline: a silence procedure (default) or the
/// date of the meeting that decides (`procedure: "meeting"`), and optionally superseding an
/// open proposal (secretariat).
#[utoipa::path(post, path = "/api/proposals", tag = "record", request_body = NewProposal, security(("token" = [])),
    responses((status = 201, body = Ack), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub(super) async fn new_proposal(
    State(app): State<Arc<App>>,
    caller: Caller,
    mut body: Object,
) -> Result<Response, ApiError> {
    let at = body.take_at()?;
    let proposal: ProposalChange = body.or_default("engagement", serde_json::Value::from("new")).parse()?;
    caller.secretariat("circulate proposals")?;
    let receipt = record_one(&app, at, Change::Proposal(proposal)).await?;
    Ok(created(&receipt))
}

/// How a proposal is closed.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Closing {
    /// The secretariat's note.
    #[serde(default)]
    pub reason: Option<String>,
    /// The day of the decision (default: the server's date); never after it.
    #[serde(default)]
    pub at: Option<Date>,
}

/// A recorded decision and its write.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DecisionAck {
    /// The decision recorded.
    pub decision: DecisionChange,
    /// The write.
    #[serde(flatten)]
    pub ack: Ack,
}

/// Closes an open proposal: takes its decision on the day, as if its deadline were that day,
/// and records it, `adopted` or `blocked` (never `pending`); nothing about it is recorded after
/// (secretariat).
#[utoipa::path(post, path = "/api/proposals/{id}/close", tag = "record", request_body = Closing,
    params(("id" = String, Path, description = "The proposal's id")), security(("token" = [])),
    responses((status = 201, body = DecisionAck), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub(super) async fn close(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
    Body(closing): Body<Closing>,
) -> Result<Response, ApiError> {
    caller.secretariat("close proposals")?;
    let (receipt, decision) = close_proposal(&app, id, closing.reason, closing.at).await?;
    Ok((StatusCode::CREATED, Json(DecisionAck { decision, ack: Ack::from(&receipt) })).into_response())
}

/// Closes a proposal (the caller is the secretariat).
pub(crate) async fn close_proposal(
    app: &App,
    proposal: String,
    reason: Option<String>,
    at: Option<Date>,
) -> Result<(Receipt, DecisionChange), ApiError> {
    known_proposal(app, &proposal)?;
    app.submit(|reply| Job::Close { proposal, reason, at, reply }).await
}

/// A deadline to move: the core's extension (its proposal is the path's), and the write's date.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code, reason = "documents the body for OpenAPI; the handler reads an `ExtensionChange`")]
#[schema(example = json!({"deadline": "2025-07-15", "reason": "a delegation asked for more time"}))]
pub(crate) struct NewExtension {
    /// The new deadline and why (`proposal` is the path's).
    #[serde(flatten)]
    pub extension: ExtensionChange,
    /// The date of the entry (default: the server's date); the deadline is never before it.
    pub at: Option<Date>,
}

/// Moves an open proposal's deadline, earlier or later, never before the entry's date
/// (secretariat).
#[utoipa::path(post, path = "/api/proposals/{id}/extend", tag = "record", request_body = NewExtension,
    params(("id" = String, Path, description = "The proposal's id")), security(("token" = [])),
    responses((status = 201, body = Ack), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody),
              (status = 422, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub(super) async fn extend(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
    mut body: Object,
) -> Result<Response, ApiError> {
    let at = body.take_at()?;
    let extension: ExtensionChange = body.with("proposal", &id)?.parse()?;
    caller.secretariat("extend deadlines")?;
    Ok(created(&extend_proposal(&app, extension, at).await?))
}

/// Records an extension (the caller is the secretariat).
pub(crate) async fn extend_proposal(
    app: &App,
    extension: ExtensionChange,
    at: Option<Date>,
) -> Result<Receipt, ApiError> {
    known_proposal(app, &extension.proposal)?;
    record_one(app, at, Change::Extend(extension)).await
}

/// A proposal to withdraw: the core's withdrawal (its proposal is the path's), and the write's
/// date.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code, reason = "documents the body for OpenAPI; the handler reads a `ProposalWithdrawal`")]
#[schema(example = json!({"reason": "superseded by informal consultations"}))]
pub(crate) struct NewProposalWithdrawal {
    /// Why (`proposal` is the path's).
    #[serde(flatten)]
    pub withdrawal: ProposalWithdrawal,
    /// The date of the withdrawal (default: the server's date).
    pub at: Option<Date>,
}

/// Withdraws an open proposal: decided as `withdrawn` on the entry's date (secretariat).
#[utoipa::path(post, path = "/api/proposals/{id}/withdraw", tag = "record", request_body = NewProposalWithdrawal,
    params(("id" = String, Path, description = "The proposal's id")), security(("token" = [])),
    responses((status = 201, body = Ack), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody),
              (status = 422, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub(super) async fn withdraw_proposal_route(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
    mut body: Object,
) -> Result<Response, ApiError> {
    let at = body.take_at()?;
    let withdrawal: ProposalWithdrawal = body.with("proposal", &id)?.parse()?;
    caller.secretariat("withdraw proposals")?;
    Ok(created(&withdraw_proposal(&app, withdrawal, at).await?))
}

/// Records a proposal's withdrawal (the caller is the secretariat).
pub(crate) async fn withdraw_proposal(
    app: &App,
    withdrawal: ProposalWithdrawal,
    at: Option<Date>,
) -> Result<Receipt, ApiError> {
    known_proposal(app, &withdrawal.proposal)?;
    record_one(app, at, Change::WithdrawProposal(withdrawal)).await
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
    /// `consent`, `object`, `abstain`, or `silent` (the member took back its earlier stance).
    pub stance: VoteStance,
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
            .engine()?
            .scenario()
            .votes
            .iter()
            .filter(|v| keep(&filter.proposal, &v.proposal) && keep(&filter.member, &v.member))
            .map(|v| VoteView {
                proposal: v.proposal.clone(),
                member: v.member.clone(),
                stance: v.stance,
                at: v.at,
                reason: v.reason.clone(),
            })
            .collect(),
    ))
}

/// A stance to record: the core's vote change, and the write's date.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code, reason = "documents the body for OpenAPI; the handler reads a `VoteChange`")]
#[schema(example = json!({"proposal": "steadfast-2026-spec", "member": "NOR", "stance": "object", "reason": "the specification needs another round"}))]
pub(crate) struct NewVote {
    /// The stance (`silent` takes back the member's earlier explicit stance).
    #[serde(flatten)]
    pub vote: VoteChange,
    /// The date of the stance (secretariat only; a delegation's stance is dated by the server's
    /// clock).
    pub at: Option<Date>,
}

/// Records a member's stance on a proposal (the member's delegation, or the secretariat on its
/// behalf).
#[utoipa::path(post, path = "/api/votes", tag = "record", request_body = NewVote, security(("token" = [])),
    responses((status = 201, body = Ack), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub(super) async fn vote(State(app): State<Arc<App>>, caller: Caller, mut body: Object) -> Result<Response, ApiError> {
    let at = body.take_at()?;
    let vote: VoteChange = body.parse()?;
    caller.speak_for(&vote.member, "record a stance")?;
    caller.may_date(at)?;
    Ok(created(&record_vote(&app, vote, at).await?))
}

/// Records a stance (the caller may speak for its member).
pub(crate) async fn record_vote(app: &App, vote: VoteChange, at: Option<Date>) -> Result<Receipt, ApiError> {
    record_one(app, at, Change::Vote(vote)).await
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
    /// When it was recorded, if after `as_of`: a decision taken before did not know it.
    pub recorded: Option<Date>,
}

pub(crate) fn fact_views(snapshot: &Snapshot) -> Result<Vec<FactView>, ApiError> {
    Ok(snapshot
        .engine()?
        .scenario()
        .facts
        .iter()
        .map(|f| FactView {
            id: f.id.clone(),
            value: f.value.clone(),
            as_of: f.as_of,
            source: f.source.clone(),
            valid_until: f.valid_until,
            recorded: f.recorded,
        })
        .collect())
}

/// Every observation of every fact, in the order recorded.
#[utoipa::path(get, path = "/api/facts", tag = "record",
    responses((status = 200, body = Vec<FactView>), (status = 401, body = ErrorBody)))]
pub(super) async fn facts(State(app): State<Arc<App>>, caller: Caller) -> Result<Json<Vec<FactView>>, ApiError> {
    caller.read(&app)?;
    Ok(Json(fact_views(&app.snapshot())?))
}

/// An observation to record: the core's fact change, whose `as_of` defaults to the date the
/// observation is recorded on.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"id": "gaza_permanent_ceasefire", "value": true, "source": "Reuters, 10 October 2025: ceasefire announced"}))]
pub(crate) struct NewFact {
    /// The fact's id.
    #[schema(pattern = "^[A-Za-z0-9_.-]+$")]
    pub id: String,
    /// The value: `true`/`false`, a whole number, a string, or `{"decimal": "1.5"}`.
    #[serde(with = "concord_core::change::exact")]
    #[schema(value_type = ExactValue)]
    pub value: Value,
    /// Where it comes from.
    pub source: String,
    /// It holds from this date; default: the date it is recorded on.
    #[serde(default)]
    pub as_of: Option<Date>,
    /// After this date it no longer holds.
    #[serde(default)]
    pub valid_until: Option<Date>,
    /// The date it is recorded on (default: the server's date).
    #[serde(default)]
    pub at: Option<Date>,
}

/// Records an observation of a fact (secretariat).
#[utoipa::path(post, path = "/api/facts", tag = "record", request_body = NewFact, security(("token" = [])),
    responses((status = 201, body = Ack), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub(super) async fn fact(
    State(app): State<Arc<App>>,
    caller: Caller,
    Body(f): Body<NewFact>,
) -> Result<Response, ApiError> {
    caller.secretariat("record facts")?;
    // An observation without `as_of` holds from the date it is recorded on (the core's default).
    let change = FactChange { id: f.id, value: f.value, as_of: f.as_of, source: f.source, valid_until: f.valid_until };
    let receipt = record_one(&app, f.at, Change::Fact(change)).await?;
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
    /// When it was recorded, if after `since`: not in force before.
    pub recorded: Option<Date>,
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
            .engine()?
            .scenario()
            .positions
            .iter()
            .map(|p| PositionView {
                id: p.id.clone(),
                member: p.member.clone(),
                source: p.source.clone(),
                since: p.since,
                withdrawn: p.withdrawn,
                recorded: p.recorded,
                policy: p.policy.clone(),
            })
            .collect(),
    ))
}

/// A position to declare: the core's position change, and the write's date.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code, reason = "documents the body for OpenAPI; the handler reads a `PositionChange`")]
#[schema(example = json!({"id": "nor-no-new-exercises", "member": "NOR", "source": "Statement of the Norwegian delegation", "policy": "forbid (principal, action, resource) when { resource.kind == \"exercise\" && resource.engagement == \"new\" };"}))]
pub(crate) struct NewPosition {
    /// The position (`since` defaults to the write's date).
    #[serde(flatten)]
    pub position: PositionChange,
    /// The date of the entry (secretariat only; default: the server's date).
    pub at: Option<Date>,
}

/// Declares a member's standing position (its delegation, or the secretariat).
#[utoipa::path(post, path = "/api/positions", tag = "record", request_body = NewPosition, security(("token" = [])),
    responses((status = 201, body = Ack), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub(super) async fn new_position(
    State(app): State<Arc<App>>,
    caller: Caller,
    mut body: Object,
) -> Result<Response, ApiError> {
    let at = body.take_at()?;
    let position: PositionChange = body.parse()?;
    caller.speak_for(&position.member, "declare a position")?;
    caller.may_date(at)?;
    caller.may_start(position.since, app.today())?;
    // Refused here, before it reaches the writer: the core refuses it too, but only once the
    // writer takes it up.
    let limit = concord_core::limits::MAX_POLICY_BYTES;
    if position.policy.len() > limit {
        return Err(ApiError::Refused(format!(
            "the request body: field `policy`: the policy is {} bytes, more than the limit of {limit} bytes",
            position.policy.len()
        )));
    }
    Ok(created(&record_one(&app, at, Change::Position(position)).await?))
}

/// A position to withdraw: the core's withdrawal (its position is the path's), and the write's
/// date.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code, reason = "documents the body for OpenAPI; the handler reads a `PositionWithdrawal`")]
pub(crate) struct NewPositionWithdrawal {
    /// Why (`position` is the path's).
    #[serde(flatten)]
    pub withdrawal: PositionWithdrawal,
    /// Not in force from this date (secretariat only; default: the server's date).
    pub at: Option<Date>,
}

/// Withdraws a position (its member's delegation, or the secretariat).
#[utoipa::path(post, path = "/api/positions/{id}/withdraw", tag = "record", request_body = NewPositionWithdrawal,
    params(("id" = String, Path, description = "The position's id")), security(("token" = [])),
    responses((status = 201, body = Ack), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody),
              (status = 422, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub(super) async fn withdraw(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
    mut body: Object,
) -> Result<Response, ApiError> {
    caller.require()?;
    let at = body.take_at()?;
    let withdrawal: PositionWithdrawal = body.with("position", &id)?.parse()?;
    let member = {
        let snapshot = app.snapshot();
        let found = snapshot.engine()?.scenario().positions.iter().find(|p| p.id == id).map(|p| p.member.clone());
        found.ok_or_else(|| ApiError::NotFound(format!("no position `{id}`")))?
    };
    caller.speak_for(&member, "withdraw a position")?;
    caller.may_date(at)?;
    Ok(created(&record_one(&app, at, Change::Withdraw(withdrawal)).await?))
}

/// How far the clock goes.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TickRequest {
    /// The date the clock moves to; default: where it is. Never before the server's date.
    #[serde(default)]
    pub now: Option<Date>,
}

/// What the clock recorded.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TickAck {
    /// The date the clock reached.
    pub now: Date,
    /// The decisions recorded: deadlines passed, and proposals without one that the rule
    /// adopted.
    pub decisions: Vec<DecisionChange>,
    /// The write, when anything was recorded.
    pub ack: Option<Ack>,
}

/// Moves the server's clock forward (never back) and records, in one write, every decision
/// that fell due by then (secretariat; the server's own clock does this by itself).
#[utoipa::path(post, path = "/api/tick", tag = "record", request_body = TickRequest, security(("token" = [])),
    responses((status = 200, body = TickAck), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

    use axum::http::StatusCode;
    use serde_json::{Value, json};

    use crate::testing::TestServer;

    fn vote(proposal: &str, member: &str, stance: &str) -> Value {
        json!({"proposal": proposal, "member": member, "stance": stance, "reason": "test"})
    }

    /// The decision on a proposal as `/api/proposals/ID` (explain) answers it.
    async fn decision(server: &TestServer, id: &str) -> Value {
        let answer = server.get(&format!("/api/proposals/{id}"), None).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        answer.json()
    }

    async fn today(server: &TestServer) -> Value {
        server.get("/api/status", None).await.json()["today"].clone()
    }

    // See: issue 10. A delegation token posted a vote dated 2030-01-01; the server's "today"
    // jumped to 2030 and the clock closed a silence procedure fifteen days early.
    #[tokio::test]
    async fn r10_a_delegation_that_dates_its_vote_is_refused_and_the_clock_does_not_move() {
        let server = TestServer::new("2025-06-20");
        let norway = server.token("delegation", Some("NOR")).await;
        let size = server.size().await;
        let mut dated = vote("steadfast-2026-spec", "NOR", "consent");
        dated["at"] = json!("2030-01-01");
        let answer = server.post("/api/votes", Some(&norway), &dated).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.body);
        assert!(answer.json()["error"].as_str().unwrap().contains("only the secretariat may date a write"));
        // Even a date that would fit is the secretariat's to choose.
        dated["at"] = json!("2025-06-20");
        assert_eq!(server.post("/api/votes", Some(&norway), &dated).await.status, StatusCode::FORBIDDEN);
        let position = json!({"id": "nor-p", "member": "NOR", "source": "x", "at": "2030-01-01",
            "policy": "forbid (principal, action, resource) when { resource.kind == \"exercise\" };"});
        assert_eq!(server.post("/api/positions", Some(&norway), &position).await.status, StatusCode::FORBIDDEN);
        assert_eq!(server.size().await, size, "nothing is recorded");
        assert_eq!(today(&server).await, "2025-06-20", "the clock did not move");
        // The silence procedure (deadline 2025-06-30) is still running, and a tick on the
        // server's date records nothing for it.
        let tick = server.post("/api/tick", Some(&server.secretariat), &json!({})).await;
        assert_eq!(tick.json()["decisions"], json!([]));
        let steadfast = decision(&server, "steadfast-2026-spec").await;
        assert_eq!(steadfast["final"], false, "{steadfast}");
        assert_eq!(steadfast["outcome"], "pending");
    }

    // See: issue 10.
    #[tokio::test]
    async fn r10_a_delegation_vote_without_a_date_is_dated_by_the_clock() {
        let server = TestServer::new("2025-06-20");
        let norway = server.token("delegation", Some("NOR")).await;
        let answer = server.post("/api/votes", Some(&norway), &vote("steadfast-2026-spec", "NOR", "consent")).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        let entry = answer.json()["entries"][0].as_u64().unwrap();
        let entry = server.get(&format!("/api/ledger/entries/{entry}"), None).await.json();
        assert_eq!(entry["at"], "2025-06-20");
        assert_eq!(entry["change"], "vote");
        assert!(entry.get("date").is_none());
    }

    // See: issue 10.
    #[tokio::test]
    async fn r10_a_secretariat_write_dated_after_the_clock_is_refused() {
        let server = TestServer::new("2025-06-20");
        let s = Some(server.secretariat.as_str());
        let size = server.size().await;
        let mut dated = vote("steadfast-2026-spec", "NOR", "consent");
        dated["at"] = json!("2030-01-01");
        let answer = server.post("/api/votes", s, &dated).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
        assert!(answer.json()["error"].as_str().unwrap().contains("after the clock"), "{}", answer.body);
        let extend = json!({"deadline": "2030-02-01", "at": "2030-01-01"});
        let answer = server.post("/api/proposals/steadfast-2026-spec/extend", s, &extend).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
        let close = server.post("/api/proposals/steadfast-2026-spec/close", s, &json!({"at": "2030-01-01"})).await;
        assert_eq!(close.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", close.body);
        assert_eq!(server.size().await, size);
        assert_eq!(today(&server).await, "2025-06-20");
        // The secretariat may date a write from the last entry's date (the decisions recorded at
        // start, on 2025-06-20) to the clock's; not before.
        dated["at"] = json!("2025-06-20");
        assert_eq!(server.post("/api/votes", s, &dated).await.status, StatusCode::CREATED);
        dated["at"] = json!("2025-06-19");
        let back = server.post("/api/votes", s, &dated).await;
        assert_eq!(back.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", back.body);
        assert!(back.json()["error"].as_str().unwrap().contains("before the last entry"), "{}", back.body);
    }

    // See: issue 10.
    #[tokio::test]
    async fn r10_the_clock_records_a_silence_procedure_only_once_its_deadline_has_come() {
        let server = TestServer::new("2025-06-20");
        let s = Some(server.secretariat.as_str());
        let tick = |now: &str| json!({"now": now});
        let early = server.post("/api/tick", s, &tick("2025-06-29")).await;
        assert_eq!(early.status, StatusCode::OK, "{}", early.body);
        assert_eq!(early.json()["decisions"], json!([]));
        assert_eq!(decision(&server, "steadfast-2026-spec").await["final"], false);
        let due = server.post("/api/tick", s, &tick("2025-06-30")).await.json();
        assert_eq!(due["now"], "2025-06-30");
        assert_eq!(due["decisions"][0]["proposal"], "steadfast-2026-spec");
        assert_eq!(due["decisions"][0]["on"], "2025-06-30");
        assert_eq!(due["decisions"][0]["outcome"], "adopted");
        let steadfast = decision(&server, "steadfast-2026-spec").await;
        assert_eq!((steadfast["final"].clone(), steadfast["decided_on"].clone()), (json!(true), json!("2025-06-30")));
        assert_eq!(today(&server).await, "2025-06-30");
        // The clock never goes back.
        let back = server.post("/api/tick", s, &tick("2025-06-25")).await;
        assert_eq!(back.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", back.body);
        assert_eq!(today(&server).await, "2025-06-30");
    }

    // See: issue 10 (a silence procedure recorded as blocked at its deadline showed adopted
    // days later, because a fact changed).
    #[tokio::test]
    async fn r10_a_decision_taken_stands_when_a_fact_changes_after_it() {
        let server = TestServer::new("2025-06-20");
        let s = Some(server.secretariat.as_str());
        for id in ["gaza_permanent_ceasefire", "gaza_aid_unobstructed"] {
            let fact = json!({"id": id, "value": true, "source": "test"});
            assert_eq!(server.post("/api/facts", s, &fact).await.status, StatusCode::CREATED);
        }
        let montana = decision(&server, "eadrcc-2025-montana").await;
        assert_eq!(montana["outcome"], "blocked", "{montana}");
        assert_eq!(montana["final"], true);
        assert_eq!(montana["decided_on"], "2025-06-13");
        assert_eq!(montana["would_now_be"], "adopted");
        assert!(montana["recorded"]["source"].as_str().unwrap().starts_with("ledger entry "), "{montana}");
        assert_eq!(montana["tally"]["object"], 1, "the tally of the decision's day");
        let board = server.get("/", None).await.body;
        assert!(board.contains("data-final=\"true\" data-proposal=\"eadrcc-2025-montana\" data-outcome=\"blocked\""));
        assert!(board.contains("would now be adopted"), "the board says what it would now be");
        assert!(
            board.contains("final since <time datetime=\"2025-06-13\">2025-06-13</time>, recorded at its deadline")
        );
    }

    // See: issue 10 (an unknown stance was a 422 from deep inside the store).
    #[tokio::test]
    async fn r10_a_bad_stance_is_a_400_naming_the_field() {
        let server = TestServer::new("2025-06-20");
        let answer =
            server.post("/api/votes", Some(&server.secretariat), &vote("steadfast-2026-spec", "NOR", "maybe")).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
        assert_eq!(
            answer.json()["error"],
            "the request body: field `stance`: unknown variant `maybe`, expected one of `consent`, `object`, `abstain`, `silent`"
        );
        let proposal = json!({"id": "p", "committee": "MC", "kind": "x", "engagement": "old", "procedure": "silence"});
        let answer = server.post("/api/proposals", Some(&server.secretariat), &proposal).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
        assert!(answer.json()["error"].as_str().unwrap().contains("field `engagement`: unknown variant `old`"));
        let bad_date = json!({"deadline": "soon"});
        let answer =
            server.post("/api/proposals/steadfast-2026-spec/extend", Some(&server.secretariat), &bad_date).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
        assert!(answer.json()["error"].as_str().unwrap().contains("field `deadline`"), "{}", answer.body);
        let named = json!({"proposal": "other", "deadline": "2025-07-01"});
        let answer = server.post("/api/proposals/steadfast-2026-spec/extend", Some(&server.secretariat), &named).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
    }

    // See: issue 10 (5xx answers gave the database path and Rust type names).
    #[tokio::test]
    async fn r10_a_server_error_hides_its_detail_and_answers_an_id() {
        // Nothing falls due on 2025-06-01, so the server starts without signing anything; with
        // the key file gone, the first write cannot be signed.
        let server = TestServer::on_store("2025-06-01", "2025-06-01", |db| {
            std::fs::remove_file(concord_store::key_path(db)).unwrap();
        });
        let size = server.size().await;
        let mut ids = Vec::new();
        for _ in 0..2 {
            let answer =
                server.post("/api/votes", Some(&server.secretariat), &vote("mtep-2026", "NOR", "consent")).await;
            assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", answer.body);
            let error = answer.json()["error"].as_str().unwrap().to_owned();
            let id = error.strip_prefix("internal error (id ").and_then(|e| e.strip_suffix(')')).unwrap();
            assert!(id.len() == 8 && id.chars().all(|c| c.is_ascii_hexdigit()), "{error}");
            for hidden in ["nato.db", ".key", "/", "Error", "rusqlite", "signing"] {
                assert!(!id.contains(hidden) && !answer.body.contains(hidden), "{}", answer.body);
            }
            ids.push(id.to_owned());
        }
        assert_ne!(ids[0], ids[1], "each error has its own id");
        assert_eq!(server.size().await, size);
        // The page says the same.
        let page = server
            .form("/proposals/mtep-2026/vote", Some(&server.secretariat), None, "member=NOR&stance=consent")
            .await;
        assert_eq!(page.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(page.body.contains("internal error (id ") && !page.body.contains("nato.db"), "{}", page.body);
    }

    #[tokio::test]
    async fn the_secretariat_extends_withdraws_and_closes_and_a_delegation_may_not() {
        let server = TestServer::new("2025-06-20");
        let s = Some(server.secretariat.as_str());
        let norway = server.token("delegation", Some("NOR")).await;
        let size = server.size().await;
        for (path, body) in [
            ("/api/proposals/steadfast-2026-spec/extend", json!({"deadline": "2025-07-10"})),
            ("/api/proposals/steadfast-2026-spec/withdraw", json!({"reason": "x"})),
            ("/api/proposals/steadfast-2026-spec/close", json!({})),
        ] {
            let answer = server.post(path, Some(&norway), &body).await;
            assert_eq!(answer.status, StatusCode::FORBIDDEN, "{path}: {}", answer.body);
            let answer = server.post(&path.replace("steadfast-2026-spec", "nope"), s, &body).await;
            assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}: {}", answer.body);
        }
        assert_eq!(server.size().await, size);
        // A deadline moves earlier or later, never before the write's date.
        let answer =
            server.post("/api/proposals/steadfast-2026-spec/extend", s, &json!({"deadline": "2025-06-19"})).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
        let answer = server
            .post(
                "/api/proposals/steadfast-2026-spec/extend",
                s,
                &json!({"deadline": "2025-07-10", "reason": "more time"}),
            )
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        assert_eq!(decision(&server, "steadfast-2026-spec").await["deadline"], "2025-07-10");
        // A close records adopted or blocked, never pending: DNK objects, so blocked.
        let objection = vote("steadfast-2026-spec", "DNK", "object");
        assert_eq!(server.post("/api/votes", s, &objection).await.status, StatusCode::CREATED);
        let closed =
            server.post("/api/proposals/steadfast-2026-spec/close", s, &json!({"reason": "no consensus"})).await;
        assert_eq!(closed.status, StatusCode::CREATED, "{}", closed.body);
        let closed = closed.json();
        assert_eq!(closed["decision"]["outcome"], "blocked");
        assert_eq!(closed["decision"]["trigger"], "close");
        assert_eq!(closed["decision"]["objecting"], json!(["DNK"]));
        assert_eq!(closed["tree_size"], closed["entries"][0].as_u64().unwrap() + 1);
        // Decided: nothing more about it is taken.
        for (path, body, what) in [
            ("/api/proposals/steadfast-2026-spec/close", json!({}), "decided"),
            ("/api/proposals/steadfast-2026-spec/extend", json!({"deadline": "2025-07-20"}), "decided"),
            ("/api/proposals/steadfast-2026-spec/withdraw", json!({"reason": "late"}), "decided"),
            ("/api/votes", vote("steadfast-2026-spec", "NOR", "consent"), "steadfast-2026-spec"),
        ] {
            let answer = server.post(path, s, &body).await;
            assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {}", answer.body);
            assert!(answer.json()["error"].as_str().unwrap().contains(what), "{path}: {}", answer.body);
        }
        let proposals = server.get("/api/proposals", None).await.json();
        let steadfast = proposals.as_array().unwrap().iter().find(|p| p["id"] == "steadfast-2026-spec").unwrap();
        assert_eq!(steadfast["decision"]["trigger"], "close");
        assert_eq!(steadfast["decision"]["note"], "no consensus");
        assert_eq!(steadfast["decision"]["objecting"], json!(["DNK"]));
    }

    #[tokio::test]
    async fn silence_takes_back_a_stance_and_revised_texts_withdraw_the_old_one() {
        let server = TestServer::new("2025-06-20");
        let s = Some(server.secretariat.as_str());
        assert_eq!(
            server.post("/api/votes", s, &vote("steadfast-2026-spec", "DNK", "object")).await.status,
            StatusCode::CREATED
        );
        assert_eq!(decision(&server, "steadfast-2026-spec").await["outcome"], "blocked");
        assert_eq!(
            server.post("/api/votes", s, &vote("steadfast-2026-spec", "DNK", "silent")).await.status,
            StatusCode::CREATED
        );
        assert_eq!(decision(&server, "steadfast-2026-spec").await["outcome"], "pending");
        let votes = server.get("/api/votes?proposal=steadfast-2026-spec&member=DNK", None).await.json();
        assert_eq!(votes[1]["stance"], "silent", "both stay on record: {votes}");

        let meeting = json!({"id": "ac-2025", "committee": "NAC", "kind": "statement", "procedure": "meeting", "deadline": "2025-06-25"});
        assert_eq!(server.post("/api/proposals", s, &meeting).await.status, StatusCode::CREATED);
        assert_eq!(decision(&server, "ac-2025").await["procedure"], "meeting");
        let revised = json!({"id": "ac-2025-rev", "committee": "NAC", "kind": "statement", "deadline": "2025-06-27", "supersedes": "ac-2025"});
        let answer = server.post("/api/proposals", s, &revised).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        let old = decision(&server, "ac-2025").await;
        assert_eq!((old["outcome"].clone(), old["final"].clone()), (json!("withdrawn"), json!(true)), "{old}");
        assert_eq!(decision(&server, "ac-2025-rev").await["procedure"], "silence");
        let withdrawn =
            server.post("/api/proposals/ac-2025-rev/withdraw", s, &json!({"reason": "no longer needed"})).await;
        assert_eq!(withdrawn.status, StatusCode::CREATED, "{}", withdrawn.body);
        assert_eq!(decision(&server, "ac-2025-rev").await["outcome"], "withdrawn");
        let missing = server.post("/api/proposals/steadfast-2026-spec/withdraw", s, &json!({})).await;
        assert_eq!(missing.status, StatusCode::BAD_REQUEST, "{}", missing.body);
        assert!(missing.json()["error"].as_str().unwrap().contains("reason"));
    }

    #[tokio::test]
    async fn a_what_if_on_an_unknown_fact_names_the_closest_and_is_a_400() {
        let server = TestServer::new("2025-06-20");
        for path in [
            "/api/what-if?set=gaza_permanent_ceasfire=true",
            "/api/decisions?set=gaza_permanent_ceasfire=true",
            "/?set=gaza_permanent_ceasfire%3Dtrue",
        ] {
            let answer = server.get(path, None).await;
            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{path}: {}", answer.body);
            assert!(answer.body.contains("unknown fact `gaza_permanent_ceasfire`"), "{path}: {}", answer.body);
            assert!(answer.body.contains("gaza_permanent_ceasefire`"), "{path}: {}", answer.body);
        }
    }
}
