//! The signed ledger over HTTP: the server's status, the latest checkpoint and public key,
//! entries, inclusion and consistency proofs.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use concord_core::Date;
use concord_store::proof::{InclusionProof, SignedCheckpoint};
use concord_store::record::Entry;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::App;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::writer::Snapshot;

/// The server and its store.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Status {
    /// The scenario's id.
    pub scenario: String,
    /// The scenario's title.
    pub title: Option<String>,
    /// The server's date: what reads default to, and the date of a write that gives none.
    pub today: Date,
    /// The date of the ledger's last entry.
    pub last_entry: Option<Date>,
    /// Entries in the ledger.
    pub entries: u64,
    /// The latest checkpoint's root, in hex.
    pub root: String,
    /// The concord version.
    pub version: String,
}

/// The server and its store.
#[utoipa::path(get, path = "/api/status", tag = "ledger",
    responses((status = 200, body = Status), (status = 401, body = ErrorBody), (status = 500, body = ErrorBody)))]
pub(super) async fn status(State(app): State<Arc<App>>, caller: Caller) -> Result<Json<Status>, ApiError> {
    caller.read(&app)?;
    let s = app.snapshot();
    let scenario = s.engine()?.scenario();
    Ok(Json(Status {
        scenario: scenario.id.clone(),
        title: scenario.title.clone(),
        today: app.today(),
        last_entry: s.state.last_at,
        entries: s.checkpoint.tree_size,
        root: s.checkpoint.root.to_string(),
        version: concord_core::VERSION.to_owned(),
    }))
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
pub(super) async fn ledger(State(app): State<Arc<App>>, caller: Caller) -> Result<Json<LedgerView>, ApiError> {
    caller.read(&app)?;
    let snapshot = app.snapshot();
    Ok(Json(ledger_view(&app, &snapshot)))
}

pub(crate) fn ledger_view(app: &App, snapshot: &Snapshot) -> LedgerView {
    let cp = &snapshot.checkpoint;
    let public_key = {
        let store = app.reader();
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
pub(super) async fn entry(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(seq): Path<String>,
) -> Result<Json<Entry>, ApiError> {
    caller.read(&app)?;
    let seq = parse_seq(&seq)?;
    let store = app.reader();
    let bytes = store.entry(seq)?;
    let bytes = bytes.ok_or_else(|| ApiError::NotFound(format!("no entry {seq}")))?;
    Entry::from_bytes(&bytes).map(Json).map_err(|m| ApiError::internal(format!("entry {seq}: {m}")))
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
pub(super) async fn proof(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(seq): Path<String>,
) -> Result<Json<InclusionProof>, ApiError> {
    caller.read(&app)?;
    let seq = parse_seq(&seq)?;
    let store = app.reader();
    store.prove(seq).map(Json).map_err(ApiError::from)
}

/// `old` and `new` tree sizes.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ConsistencyParams {
    /// The earlier tree size (at least 1).
    #[param(minimum = 1)]
    pub old: u64,
    /// The later tree size; default: the latest checkpoint's.
    #[param(minimum = 1)]
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
pub(super) async fn consistency(
    State(app): State<Arc<App>>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Json<ConsistencyProof>, ApiError> {
    caller.read(&app)?;
    let params: ConsistencyParams = super::query(query.as_deref())?;
    let store = app.reader();
    let latest = store.latest_checkpoint().map_err(ApiError::from)?.tree_size;
    let new = params.new.unwrap_or(latest);
    if params.old == 0 || params.old > new || new > latest {
        return Err(ApiError::BadRequest(format!(
            "need 1 ≤ old ≤ new ≤ {latest} (the ledger's size); got old {}, new {new}",
            params.old
        )));
    }
    let path = store.consistency_proof(params.old, new).map_err(ApiError::from)?;
    let old_root = store.root(params.old).map_err(ApiError::from)?;
    let new_root = store.root(new).map_err(ApiError::from)?;
    Ok(Json(ConsistencyProof {
        old: params.old,
        new,
        old_root: old_root.to_string(),
        new_root: new_root.to_string(),
        path: path.iter().map(ToString::to_string).collect(),
    }))
}
