//! The one writer: a thread that owns the store, takes write requests from every connection,
//! commits whatever has queued up in one durable transaction (group commit: one fsync for many
//! requests), answers each request after its entries are on disk, and publishes the new state
//! for readers.
//!
//! Readers never wait for the writer: they read the last published [`Snapshot`]. A request that
//! does not fit the state is refused on its own; the others in its transaction still land.

use std::sync::mpsc::{Receiver, TryRecvError};
use std::sync::{Arc, RwLock};

use std::collections::HashMap;

use concord_core::{Date, Engine, Proposal, Scenario};
use concord_store::checkpoint::Checkpoint;
use concord_store::record::{Change, DecisionAt, Recorded, Trigger};
use concord_store::{NewToken, Receipt, Role, Store, StoreError, timeline};
use tokio::sync::oneshot;

use crate::clock::{Clock, unix_now};
use crate::error::ApiError;

/// The most requests committed in one transaction.
const MAX_BATCH: usize = 512;

/// What readers see: the state after the last commit, compiled for decisions.
pub(crate) struct Snapshot {
    /// The state's scenario, compiled.
    pub engine: Engine,
    /// Recorded decisions by proposal id.
    pub decided: Arc<HashMap<String, DecisionAt>>,
    /// Entries folded.
    pub entries: u64,
    /// The date of the last entry.
    pub last_at: Option<Date>,
    /// The checkpoint of the last commit.
    pub checkpoint: Checkpoint,
}

impl Snapshot {
    /// The snapshot of a store, compiled from its state.
    pub(crate) fn of(store: &Store) -> Result<Snapshot, StoreError> {
        Snapshot::with_engine(store, store.engine()?, Arc::new(store.state().decided.clone()))
    }

    fn with_engine(
        store: &Store,
        engine: Engine,
        decided: Arc<HashMap<String, DecisionAt>>,
    ) -> Result<Snapshot, StoreError> {
        let state = store.state();
        Ok(Snapshot {
            engine,
            decided,
            entries: state.entries,
            last_at: state.last_at,
            checkpoint: store.latest_checkpoint()?,
        })
    }

    /// The scenario as the state describes it.
    pub(crate) fn scenario(&self) -> &Scenario {
        self.engine.scenario()
    }

    /// A proposal by id.
    pub(crate) fn proposal(&self, id: &str) -> Option<&Proposal> {
        self.engine.proposal_index(id).and_then(|i| self.scenario().proposals.get(i))
    }
}

/// What the commits since the last publication changed, beyond votes.
#[derive(Clone, Copy, Debug, Default)]
struct Dirty {
    /// Proposals, facts or positions: the scenario must be compiled again.
    scenario: bool,
    /// Decisions were recorded.
    decided: bool,
}

impl Dirty {
    fn note(&mut self, change: &Change) {
        match change {
            Change::Vote(_) => {}
            Change::Decision(_) => self.decided = true,
            _ => self.scenario = true,
        }
    }
}

/// Builds a write's changes, given the date a change without its own date is recorded on.
pub(crate) type Build = Box<dyn FnOnce(Date) -> Vec<(Date, Change)> + Send>;

/// A request to the writer.
pub(crate) enum Job {
    /// Record changes as consecutive entries.
    Record { build: Build, reply: oneshot::Sender<Result<Receipt, ApiError>> },
    /// Close a proposal: compute and record its outcome.
    Close {
        proposal: String,
        reason: Option<String>,
        at: Option<Date>,
        reply: oneshot::Sender<Result<(Receipt, Recorded), ApiError>>,
    },
    /// Let the clock reach a date: record every silence procedure that has ended.
    Tick { now: Option<Date>, reply: Option<oneshot::Sender<Result<Ticked, ApiError>>> },
    /// Make a token.
    CreateToken {
        role: Role,
        member: Option<String>,
        label: Option<String>,
        reply: oneshot::Sender<Result<NewToken, ApiError>>,
    },
    /// Revoke a token.
    RevokeToken { id: u64, reply: oneshot::Sender<Result<bool, ApiError>> },
}

/// A write's changes waiting for the transaction, and where its answer goes.
type Pending = (Vec<(Date, Change)>, oneshot::Sender<Result<Receipt, ApiError>>);

/// An answer to send once the state it reports on is published.
type Answer = Box<dyn FnOnce() + Send>;

fn send<T: Send + 'static>(reply: oneshot::Sender<Result<T, ApiError>>, answer: Result<T, ApiError>) -> Answer {
    Box::new(move || {
        let _ = reply.send(answer);
    })
}

/// What a tick recorded.
pub(crate) struct Ticked {
    /// The date the clock reached.
    pub now: Date,
    /// The decisions recorded, with the receipt of their write (none when nothing was due).
    pub recorded: Option<(Receipt, Vec<Recorded>)>,
}

/// The writer's side of the shared state.
pub(crate) struct Writer {
    store: Store,
    clock: Clock,
    published: Arc<RwLock<Arc<Snapshot>>>,
    /// What changed since the last publication.
    dirty: Dirty,
    /// The snapshot published before the current one, when the two differ by votes only: once
    /// no reader holds it any more, its engine is brought up to date by adding the new votes,
    /// instead of compiling the whole scenario again.
    spare: Option<Arc<Snapshot>>,
}

impl Writer {
    pub(crate) fn new(store: Store, clock: Clock, published: Arc<RwLock<Arc<Snapshot>>>) -> Writer {
        Writer { store, clock, published, dirty: Dirty::default(), spare: None }
    }

    /// Records the silence procedures that ended before the server starts listening.
    pub(crate) fn catch_up_clock(&mut self) -> Result<(), ApiError> {
        self.tick(None)?;
        self.publish();
        Ok(())
    }

    /// Serves jobs until every sender is gone. Answers go out only after the new state is
    /// published, so a client reads its own write.
    pub(crate) fn run(mut self, jobs: Receiver<Job>) {
        while let Ok(first) = jobs.recv() {
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match jobs.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
                }
            }
            let mut pending: Vec<Pending> = Vec::new();
            let mut answers: Vec<Answer> = Vec::new();
            let mut latest = self.default_date();
            for job in batch {
                match job {
                    Job::Record { build, reply } => {
                        let changes = build(latest);
                        latest = changes.iter().map(|(d, _)| *d).fold(latest, Date::max);
                        pending.push((changes, reply));
                    }
                    other => {
                        answers.extend(self.commit(std::mem::take(&mut pending)));
                        answers.push(self.handle(other));
                        latest = self.default_date();
                    }
                }
            }
            answers.extend(self.commit(pending));
            let published = self.published.read().map_or(0, |p| p.entries);
            if published != self.store.state().entries {
                self.publish();
            }
            for answer in answers {
                answer();
            }
        }
    }

    /// The date of a change that does not give one: today, or the ledger's last date if later.
    fn default_date(&self) -> Date {
        let today = self.clock.today();
        self.store.state().last_at.map_or(today, |last| last.max(today))
    }

    fn commit(&mut self, pending: Vec<Pending>) -> Vec<Answer> {
        if pending.is_empty() {
            return Vec::new();
        }
        let (groups, replies): (Vec<Vec<(Date, Change)>>, Vec<_>) = pending.into_iter().unzip();
        for (_, change) in groups.iter().flatten() {
            self.dirty.note(change);
        }
        match self.store.record_each(groups, unix_now()) {
            Ok(results) => {
                let checkpoint = self.store.latest_checkpoint();
                results
                    .into_iter()
                    .zip(replies)
                    .map(|(result, reply)| {
                        let answer = match (&checkpoint, result) {
                            (Ok(cp), Ok(entries)) => Ok(Receipt { entries, checkpoint: cp.clone() }),
                            (Err(e), Ok(_)) => Err(ApiError::from(e)),
                            (_, Err(e)) => Err(ApiError::from(&e)),
                        };
                        send(reply, answer)
                    })
                    .collect()
            }
            Err(e) => {
                let error = ApiError::from(&e);
                replies.into_iter().map(|reply| send(reply, Err(error.clone()))).collect()
            }
        }
    }

    fn handle(&mut self, job: Job) -> Answer {
        match job {
            Job::Record { build, reply } => {
                let changes = build(self.default_date());
                let answers = self.commit(vec![(changes, reply)]);
                Box::new(move || answers.into_iter().for_each(|answer| answer()))
            }
            Job::Close { proposal, reason, at, reply } => send(reply, self.close(&proposal, reason, at)),
            Job::Tick { now, reply } => {
                let result = self.tick(now);
                match reply {
                    Some(reply) => send(reply, result),
                    None => Box::new(|| {}),
                }
            }
            Job::CreateToken { role, member, label, reply } => {
                let made = self.store.create_token(role, member.as_deref(), label.as_deref(), unix_now());
                send(reply, made.map_err(|e| ApiError::from(&e)))
            }
            Job::RevokeToken { id, reply } => {
                send(reply, self.store.revoke_token(id, unix_now()).map_err(|e| ApiError::from(&e)))
            }
        }
    }

    fn close(
        &mut self,
        proposal: &str,
        reason: Option<String>,
        at: Option<Date>,
    ) -> Result<(Receipt, Recorded), ApiError> {
        let at = at.unwrap_or_else(|| self.default_date());
        let state = self.store.state();
        if state.proposal(proposal).is_none() {
            return Err(ApiError::NotFound(format!("no proposal `{proposal}`")));
        }
        if let Some(d) = state.decided.get(proposal) {
            return Err(ApiError::Refused(format!(
                "proposal `{proposal}` was already decided ({}) on {} in entry {}",
                d.recorded.outcome, d.recorded.on, d.entry
            )));
        }
        let engine = self.store.engine().map_err(|e| ApiError::from(&e))?;
        let recorded = timeline::decide(state, &engine, proposal, at, Trigger::Close, reason)
            .map_err(|e| ApiError::Refused(e.to_string()))?;
        self.dirty.decided = true;
        let receipt = self
            .store
            .record(vec![(at, Change::Decision(recorded.clone()))], unix_now())
            .map_err(|e| ApiError::from(&e))?;
        Ok((receipt, recorded))
    }

    fn tick(&mut self, now: Option<Date>) -> Result<Ticked, ApiError> {
        let now = now.unwrap_or_else(|| self.default_date());
        let due = timeline::due(self.store.state(), now).map_err(|e| ApiError::Internal(e.to_string()))?;
        if due.is_empty() {
            return Ok(Ticked { now, recorded: None });
        }
        self.dirty.decided = true;
        let changes = due.iter().map(|d| (now, Change::Decision(d.clone()))).collect();
        let receipt = self.store.record(changes, unix_now()).map_err(|e| ApiError::from(&e))?;
        Ok(Ticked { now, recorded: Some((receipt, due)) })
    }

    /// Publishes the store's state for readers. After votes alone, the spare engine (the one
    /// published before the current one) is caught up with the votes it lacks when no reader
    /// holds it; otherwise the scenario is compiled again.
    fn publish(&mut self) {
        let dirty = std::mem::take(&mut self.dirty);
        let current = self.published.read().map(|p| Arc::clone(&p)).ok();
        let spare = if dirty.scenario { None } else { self.spare.take().and_then(|s| Arc::try_unwrap(s).ok()) };
        let votes = &self.store.state().scenario.votes;
        let engine = spare.and_then(|spare| {
            let mut engine = spare.engine;
            let lacking = votes.get(engine.scenario().votes.len()..)?.to_vec();
            engine.add_votes(lacking).ok().map(|()| engine)
        });
        let decided = match &current {
            Some(current) if !dirty.decided && !dirty.scenario => Arc::clone(&current.decided),
            _ => Arc::new(self.store.state().decided.clone()),
        };
        let snapshot = match engine {
            Some(engine) => Snapshot::with_engine(&self.store, engine, decided),
            None => self.store.engine().and_then(|engine| Snapshot::with_engine(&self.store, engine, decided)),
        };
        match snapshot {
            Ok(snapshot) => {
                if let Ok(mut published) = self.published.write() {
                    *published = Arc::new(snapshot);
                }
                // The snapshot just replaced differs from the new one by votes only, unless the
                // scenario changed.
                self.spare = if dirty.scenario { None } else { current };
            }
            Err(e) => {
                self.dirty = dirty;
                eprintln!("concord serve: cannot publish the new state: {e}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

    use axum::http::StatusCode;
    use concord_store::Store;
    use serde_json::json;

    use crate::testing::TestServer;

    /// What a store decides when compiled afresh from its file, as the API would answer it.
    fn decided_afresh(server: &TestServer, at: &str) -> serde_json::Value {
        let store = Store::open(&server.db()).unwrap();
        let report = store.engine().unwrap().evaluate(at.parse().unwrap(), &[]).unwrap().report();
        serde_json::to_value(report).unwrap()
    }

    #[tokio::test]
    async fn what_readers_see_after_each_write_is_the_store_compiled_afresh() {
        let server = TestServer::new("2025-06-20");
        let s = Some(server.secretariat.as_str());
        let vote = |proposal: &str, member: &str, stance: &str| json!({"proposal": proposal, "member": member, "stance": stance, "reason": "test"});
        let proposal = json!({"id": "p1", "committee": "MC", "kind": "exercise", "deadline": "2025-07-10"});
        let position = json!({"id": "nor-no-exercises", "member": "NOR", "source": "test",
            "policy": "forbid (principal, action, resource) when { resource.kind == \"exercise\" };"});
        // Votes alone (published by catching up the spare engine) between changes that compile
        // the scenario again (proposal, fact, position) and decisions.
        let writes = [
            ("/api/votes", vote("steadfast-2026-spec", "NOR", "consent"), StatusCode::CREATED),
            ("/api/votes", vote("steadfast-2026-spec", "DNK", "object"), StatusCode::CREATED),
            ("/api/proposals", proposal, StatusCode::CREATED),
            ("/api/votes", vote("p1", "TUR", "consent"), StatusCode::CREATED),
            ("/api/votes", vote("p1", "FRA", "abstain"), StatusCode::CREATED),
            (
                "/api/facts",
                json!({"id": "gaza_permanent_ceasefire", "value": true, "source": "test"}),
                StatusCode::CREATED,
            ),
            ("/api/votes", vote("p1", "DEU", "object"), StatusCode::CREATED),
            ("/api/proposals/steadfast-2026-spec/close", json!({}), StatusCode::CREATED),
            ("/api/votes", vote("p1", "ITA", "consent"), StatusCode::CREATED),
            ("/api/positions", position, StatusCode::CREATED),
            ("/api/votes", vote("steadfast-2026-spec", "NOR", "abstain"), StatusCode::UNPROCESSABLE_ENTITY),
            ("/api/votes", vote("p1", "ESP", "consent"), StatusCode::CREATED),
            ("/api/votes", vote("p1", "DEU", "consent"), StatusCode::UNPROCESSABLE_ENTITY),
        ];
        for (path, body, expected) in writes {
            let answer = server.post(path, s, &body).await;
            assert_eq!(answer.status, expected, "{path} {body}: {}", answer.body);
            for at in ["2025-06-20", "2025-07-01"] {
                let served = server.get(&format!("/api/decisions?at={at}"), None).await.json();
                assert_eq!(served, decided_afresh(&server, at), "after {path} {body}, on {at}");
            }
        }
    }
}
