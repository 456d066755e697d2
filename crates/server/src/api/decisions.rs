//! Decisions computed on a date: every outcome, one proposal's chain of reasons, what-if,
//! a proposal's history, committees and their voting power.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use concord_core::Date;
use concord_core::UnblockError;
use concord_core::power::{Game, Power};
use concord_core::report::{DecideReport, ExplainReport, LeversReport, UnblockReport, WhatIfReport};
use concord_store::timeline::{self, ProposalHistory};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{Read, ReadParams, WhatIfParams, evaluate, optional_date, read_params};
use crate::app::App;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::writer::Snapshot;

/// Every proposal's outcome on a date (`concord decide --format json`).
#[utoipa::path(get, path = "/api/decisions", tag = "decisions", params(ReadParams),
    responses((status = 200, body = DecideReport), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub(super) async fn decisions(
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
#[utoipa::path(get, path = "/api/what-if", tag = "decisions", params(WhatIfParams),
    responses((status = 200, body = WhatIfReport), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub(super) async fn what_if(
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
    let after = before.what_if(&read.set).map_err(|e| super::what_if_error(&e))?;
    let changes = before.changes(&after);
    Ok(Json(after.what_if_report(&read.set, &changes)))
}

/// `at` and `max` of what it would take.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct UnblockParams {
    /// Evaluation date (YYYY-MM-DD); default: the server's date.
    #[param(value_type = Option<String>, format = Date)]
    pub at: Option<String>,
    /// The most changes in a way, 1 to 3; default 3. (The command line allows up to 6; the
    /// server keeps each request's search small.)
    #[param(minimum = 1, maximum = 3)]
    pub max: Option<u8>,
}

/// The most changes a way may have on the server.
const UNBLOCK_MAX: usize = 3;

/// What it would take to adopt a proposal: every smallest set of changes, and each objecting
/// position's condition for lifting (`concord unblock --format json`).
#[utoipa::path(get, path = "/api/proposals/{id}/unblock", tag = "decisions",
    params(("id" = String, Path, description = "The proposal's id"), UnblockParams),
    responses((status = 200, body = UnblockReport), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub(super) async fn unblock(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<UnblockReport>, ApiError> {
    caller.read(&app)?;
    let params: UnblockParams = super::query(query.as_deref())?;
    let at = optional_date("at", params.at.as_deref())?.unwrap_or_else(|| app.today());
    let max = match params.max {
        None => UNBLOCK_MAX,
        Some(n) if (1..=UNBLOCK_MAX).contains(&usize::from(n)) => usize::from(n),
        Some(n) => return Err(ApiError::BadRequest(format!("`max`: {n} is not from 1 to {UNBLOCK_MAX}"))),
    };
    let snapshot = app.snapshot();
    let engine = snapshot.engine()?;
    let index = engine.proposal_index(&id).ok_or_else(|| ApiError::NotFound(format!("no proposal `{id}`")))?;
    let found = engine.unblock(index, at, max).map_err(|e| match e {
        UnblockError::NotBefore { .. } => ApiError::NotFound(e.to_string()),
        UnblockError::Withdrawn { .. } => ApiError::BadRequest(e.to_string()),
    })?;
    Ok(Json(engine.unblock_report(&found, max)))
}

/// `at` alone.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct AtParams {
    /// Evaluation date (YYYY-MM-DD); default: the server's date.
    #[param(value_type = Option<String>, format = Date)]
    pub at: Option<String>,
}

/// Every single change that would adopt a proposal not adopted on the date, the most first
/// (`concord levers --format json`).
#[utoipa::path(get, path = "/api/levers", tag = "decisions", params(AtParams),
    responses((status = 200, body = LeversReport), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub(super) async fn levers(
    State(app): State<Arc<App>>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Json<LeversReport>, ApiError> {
    caller.read(&app)?;
    let params: AtParams = super::query(query.as_deref())?;
    let at = optional_date("at", params.at.as_deref())?.unwrap_or_else(|| app.today());
    let snapshot = app.snapshot();
    let engine = snapshot.engine()?;
    Ok(Json(engine.levers_report(&engine.levers(at))))
}

/// One proposal with the full chain of reasons (`concord explain --format json`).
#[utoipa::path(get, path = "/api/proposals/{id}", tag = "decisions",
    params(("id" = String, Path, description = "The proposal's id"), ReadParams),
    responses((status = 200, body = ExplainReport), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub(super) async fn explain(
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
    let index =
        snapshot.engine()?.proposal_index(id).ok_or_else(|| ApiError::NotFound(format!("no proposal `{id}`")))?;
    let evaluation = evaluate(app, snapshot, read)?;
    evaluation.explain(index).ok_or_else(|| {
        ApiError::NotFound(format!("proposal `{id}` is not before its committee on {}", evaluation.at()))
    })
}

/// `until` of a history.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct HistoryParams {
    /// The last date to look at; default: the server's date.
    #[param(value_type = Option<String>, format = Date)]
    pub until: Option<String>,
}

/// A proposal's history: every change of stance and outcome, with dates and reasons, up to its
/// decision, and its ledger entries (`concord history --format json`).
#[utoipa::path(get, path = "/api/proposals/{id}/history", tag = "decisions",
    params(("id" = String, Path, description = "The proposal's id"), HistoryParams),
    responses((status = 200, body = ProposalHistory), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub(super) async fn history(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<ProposalHistory>, ApiError> {
    caller.read(&app)?;
    let params: HistoryParams = super::query(query.as_deref())?;
    let snapshot = app.snapshot();
    let until = optional_date("until", params.until.as_deref())?.unwrap_or_else(|| app.today());
    Ok(Json(proposal_history(&app, &snapshot, &id, until)?))
}

pub(crate) fn proposal_history(
    app: &App,
    snapshot: &Snapshot,
    id: &str,
    until: Date,
) -> Result<ProposalHistory, ApiError> {
    let engine = snapshot.engine()?;
    if engine.proposal_index(id).is_none() {
        return Err(ApiError::NotFound(format!("no proposal `{id}`")));
    }
    let entries = {
        let store = app.reader();
        store.entries_about(id)?
    };
    // Entries recorded after the snapshot was published are left for the next read.
    let entries = entries.into_iter().filter(|e| e.seq < snapshot.entries()).collect();
    timeline::history(engine, id, until, entries).ok_or_else(|| ApiError::NotFound(format!("no proposal `{id}`")))
}

/// A committee and who sits on it on the server's date.
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
    /// Members seated on the server's date, in seat order.
    pub seated: Vec<String>,
}

pub(crate) fn committee_views(app: &App, snapshot: &Snapshot) -> Result<Vec<CommitteeView>, ApiError> {
    let today = app.today();
    let engine = snapshot.engine()?;
    let s = engine.scenario();
    Ok(s.committees
        .iter()
        .enumerate()
        .map(|(i, c)| CommitteeView {
            id: c.id.clone(),
            name: c.name.clone(),
            rule: c.rule.kind().to_owned(),
            rule_text: c.rule.to_string(),
            seated: engine
                .seated(i, today)
                .into_iter()
                .filter_map(|m| s.members.get(m).map(|m| m.id.clone()))
                .collect(),
        })
        .collect())
}

/// Every committee.
#[utoipa::path(get, path = "/api/committees", tag = "decisions",
    responses((status = 200, body = Vec<CommitteeView>), (status = 401, body = ErrorBody)))]
pub(super) async fn committees(
    State(app): State<Arc<App>>,
    caller: Caller,
) -> Result<Json<Vec<CommitteeView>>, ApiError> {
    caller.read(&app)?;
    let snapshot = app.snapshot();
    Ok(Json(committee_views(&app, &snapshot)?))
}

/// `at` of a power analysis.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct PowerParams {
    /// The date whose seated members play; default: the server's date.
    #[param(value_type = Option<String>, format = Date)]
    pub at: Option<String>,
}

/// Voting power (Banzhaf, Penrose, Shapley–Shubik) of a committee's rule
/// (`concord power --format json`), computed once for the seats of the date and kept. A request
/// with a token computes what is not computed yet; an anonymous one gets what is (today's is
/// computed by the server itself), and 401 otherwise. A game beyond the server's memory or work
/// budget for power is sampled, or refused (422).
#[utoipa::path(get, path = "/api/committees/{id}/power", tag = "decisions",
    params(("id" = String, Path, description = "The committee's id"), PowerParams),
    responses((status = 200, body = Power), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn committee_power(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<Power>, ApiError> {
    caller.read(&app)?;
    let params: PowerParams = super::query(query.as_deref())?;
    let at = optional_date("at", params.at.as_deref())?.unwrap_or_else(|| app.today());
    let game = committee_game(&app.snapshot(), &id, at)?;
    match app.power.get(game, caller.grant.is_some()).await {
        Some(computed) => computed.as_ref().clone().map(Json),
        None => Err(ApiError::Unauthorized(format!(
            "the voting power in `{id}` on {at} is not computed yet; a request with a token computes it"
        ))),
    }
}

/// The game of a committee's rule among the members seated on `at`.
pub(crate) fn committee_game(snapshot: &Snapshot, id: &str, at: Date) -> Result<Game, ApiError> {
    let engine = snapshot.engine()?;
    let c = engine.committee_index(id).ok_or_else(|| ApiError::NotFound(format!("no committee `{id}`")))?;
    engine.committee_game(c, at).map_err(|e| ApiError::BadRequest(e.to_string()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

    use axum::http::StatusCode;
    use serde_json::json;

    use crate::testing::TestServer;

    #[tokio::test]
    async fn the_api_says_what_would_unblock_a_proposal_as_the_command_line_does() {
        let server = TestServer::new("2025-06-15");
        let u = server.get("/api/proposals/eadrcc-2025-montana/unblock", None).await;
        assert_eq!(u.status, StatusCode::OK, "{}", u.body);
        let u = u.json();
        assert_eq!(
            u["ways"],
            json!([
                { "changes": [ { "member": "TUR", "stance": "consent" } ] },
                { "changes": [ { "fact": "gaza_aid_unobstructed", "value": true },
                               { "fact": "gaza_permanent_ceasefire", "value": true } ] },
            ])
        );
        assert_eq!(
            u["conditions"][0]["lifts_when"],
            "gaza_permanent_ceasefire is true and gaza_aid_unobstructed is true"
        );
        let one = server.get("/api/proposals/eadrcc-2025-montana/unblock?max=1", None).await.json();
        assert_eq!(one["ways"].as_array().unwrap().len(), 1);
        for (query, status) in [
            ("/api/proposals/eadrcc-2025-montana/unblock?max=4", StatusCode::BAD_REQUEST),
            ("/api/proposals/eadrcc-2025-montana/unblock?max=0", StatusCode::BAD_REQUEST),
            ("/api/proposals/eadrcc-2025-montana/unblock?max=x", StatusCode::BAD_REQUEST),
            ("/api/proposals/eadrcc-2025-montana/unblock?at=2025-01-01", StatusCode::NOT_FOUND),
            ("/api/proposals/nothing/unblock", StatusCode::NOT_FOUND),
        ] {
            assert_eq!(server.get(query, None).await.status, status, "{query}");
        }
        let levers = server.get("/api/levers?at=2025-06-15", None).await.json();
        assert_eq!(
            levers["levers"][1],
            json!({ "change": { "member": "TUR", "stance": "consent" }, "adopts": 1, "proposals": ["eadrcc-2025-montana"] })
        );
    }
}
