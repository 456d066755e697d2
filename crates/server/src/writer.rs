//! The one writer: a thread that owns the store, takes write requests from every connection,
//! commits whatever has queued up in one durable transaction (group commit: one fsync for many
//! requests), answers each request after its entries are on disk, and publishes the new state
//! for readers.
//!
//! Readers never wait for the writer: they read the last published [`Snapshot`], which is the
//! store's own state (the core's engine folded from the ledger), never a copy the server
//! compiles itself. A request that does not fit the state is refused on its own; the others in
//! its transaction still land.

use std::sync::mpsc::{Receiver, TryRecvError};
use std::sync::{Arc, RwLock};

use concord_core::change::{Change, DecisionChange};
use concord_core::{Date, Engine};
use concord_store::checkpoint::Checkpoint;
use concord_store::record::{Body, Entry, Fold};
use concord_store::{NewToken, Receipt, Role, Store, StoreError, Write};
use tokio::sync::oneshot;

use crate::clock::{ServerClock, unix_now};
use crate::error::ApiError;

/// The most requests committed in one transaction.
const MAX_BATCH: usize = 512;

/// What readers see: the store's state after the last commit, and the checkpoint covering it.
pub(crate) struct Snapshot {
    /// The state: the engine folded from the ledger, the number of entries and the last date.
    pub state: Fold,
    /// The checkpoint of the last commit.
    pub checkpoint: Checkpoint,
    /// Whether it was made by applying the new entries to the snapshot before the last one.
    #[cfg(test)]
    pub caught_up: bool,
}

impl Snapshot {
    /// The snapshot of a store: a copy of its state.
    pub(crate) fn of(store: &Store) -> Result<Snapshot, StoreError> {
        store.engine()?;
        Ok(Snapshot {
            state: store.state().clone(),
            checkpoint: store.latest_checkpoint()?,
            #[cfg(test)]
            caught_up: false,
        })
    }

    /// The engine: the state compiled for decisions.
    pub(crate) fn engine(&self) -> Result<&Engine, ApiError> {
        self.state.engine().ok_or_else(|| ApiError::internal("the published state has no init entry"))
    }

    /// The number of entries the state folds.
    pub(crate) fn entries(&self) -> u64 {
        self.state.entries
    }
}

/// A request to the writer.
pub(crate) enum Job {
    /// Record changes as consecutive entries.
    Record { writes: Vec<Write>, reply: oneshot::Sender<Result<Receipt, ApiError>> },
    /// Close a proposal: take and record its decision.
    Close {
        proposal: String,
        reason: Option<String>,
        at: Option<Date>,
        reply: oneshot::Sender<Result<(Receipt, DecisionChange), ApiError>>,
    },
    /// Move the clock forward to a date (default: where it is) and record every decision that
    /// fell due by then.
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
type Pending = (Vec<Write>, oneshot::Sender<Result<Receipt, ApiError>>);

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
    pub recorded: Option<(Receipt, Vec<DecisionChange>)>,
}

/// The writer's side of the shared state.
pub(crate) struct Writer {
    store: Store,
    clock: Arc<ServerClock>,
    published: Arc<RwLock<Arc<Snapshot>>>,
    /// The snapshot published before the current one: once no reader holds it, it is brought up
    /// to date by applying the entries it lacks, instead of copying the store's state.
    spare: Option<Arc<Snapshot>>,
    /// The last failure of the periodic tick, logged once.
    tick_failure: Option<String>,
}

impl Writer {
    pub(crate) fn new(store: Store, clock: Arc<ServerClock>, published: Arc<RwLock<Arc<Snapshot>>>) -> Writer {
        Writer { store, clock, published, spare: None, tick_failure: None }
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
            for job in batch {
                match job {
                    Job::Record { writes, reply } => pending.push((writes, reply)),
                    other => {
                        answers.extend(self.commit(std::mem::take(&mut pending)));
                        answers.push(self.handle(other));
                    }
                }
            }
            answers.extend(self.commit(pending));
            let published = self.published.read().map_or(0, |p| p.entries());
            if published != self.store.state().entries {
                self.publish();
            }
            for answer in answers {
                answer();
            }
        }
    }

    fn commit(&mut self, pending: Vec<Pending>) -> Vec<Answer> {
        if pending.is_empty() {
            return Vec::new();
        }
        let (groups, replies): (Vec<Vec<Write>>, Vec<_>) = pending.into_iter().unzip();
        match self.store.record_each(groups, self.clock.today(), unix_now()) {
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
            Job::Record { writes, reply } => {
                let answers = self.commit(vec![(writes, reply)]);
                Box::new(move || answers.into_iter().for_each(|answer| answer()))
            }
            Job::Close { proposal, reason, at, reply } => {
                let closed = self.store.close(&proposal, reason, at, self.clock.today(), unix_now());
                send(reply, closed.map_err(ApiError::from))
            }
            Job::Tick { now, reply: Some(reply) } => send(reply, self.tick(now)),
            Job::Tick { now, reply: None } => {
                match self.tick(now) {
                    Ok(_) => self.tick_failure = None,
                    Err(e) => {
                        let message = e.to_string();
                        if self.tick_failure.as_ref() != Some(&message) {
                            let id = e.public_message();
                            eprintln!("concord serve: the clock cannot record the decisions that fell due: {id}");
                            self.tick_failure = Some(message);
                        }
                    }
                }
                Box::new(|| {})
            }
            Job::CreateToken { role, member, label, reply } => {
                let made = self.store.create_token(role, member.as_deref(), label.as_deref(), unix_now());
                send(reply, made.map_err(ApiError::from))
            }
            Job::RevokeToken { id, reply } => {
                send(reply, self.store.revoke_token(id, unix_now()).map_err(ApiError::from))
            }
        }
    }

    /// Moves the clock to `now` (never back) and records every decision that fell due by then,
    /// in one write. A refused tick leaves the clock where it was.
    fn tick(&mut self, now: Option<Date>) -> Result<Ticked, ApiError> {
        let today = self.clock.today();
        let now = now.unwrap_or(today);
        if now < today {
            return Err(ApiError::Refused(format!(
                "the clock is on {today}: a tick moves it forward, never back to {now}"
            )));
        }
        let recorded = self.store.tick(now, unix_now(), |_| {})?;
        self.clock.advance(now);
        Ok(Ticked { now, recorded })
    }

    /// Publishes the store's state for readers: the spare snapshot with the entries it lacks
    /// applied, when no reader holds it any more and those entries are cheap to apply; otherwise
    /// a copy of the store's state.
    fn publish(&mut self) {
        let checkpoint = match self.store.latest_checkpoint() {
            Ok(checkpoint) => checkpoint,
            Err(e) => {
                let id = ApiError::from(&e).public_message();
                eprintln!("concord serve: cannot publish the new state: {id}");
                return;
            }
        };
        let spare = self.spare.take().and_then(|s| Arc::try_unwrap(s).ok());
        let caught_up = spare.and_then(|s| self.caught_up(s.state));
        #[cfg(test)]
        let by_catching_up = caught_up.is_some();
        let state = caught_up.unwrap_or_else(|| self.store.state().clone());
        let snapshot = Arc::new(Snapshot {
            state,
            checkpoint,
            #[cfg(test)]
            caught_up: by_catching_up,
        });
        let previous = match self.published.write() {
            Ok(mut published) => std::mem::replace(&mut *published, snapshot),
            Err(poisoned) => std::mem::replace(&mut *poisoned.into_inner(), snapshot),
        };
        self.spare = Some(previous);
    }

    /// `state` brought up to the store's state by applying the entries it lacks, or none when
    /// one of them would compile the scenario again (a copy is cheaper then) or does not apply.
    fn caught_up(&self, mut state: Fold) -> Option<Fold> {
        let target = self.store.state().entries;
        let entries = self.store.read_entries(state.entries).ok()?;
        let lacking: Vec<&Entry> = entries.iter().filter(|e| e.seq < target).collect();
        if lacking.iter().any(|e| recompiles(e)) {
            return None;
        }
        for entry in lacking {
            state.apply(entry).ok()?;
        }
        (state.entries == target && state.last_at == self.store.state().last_at).then_some(state)
    }
}

/// Whether applying an entry compiles the whole scenario again: a position does (a proposal
/// does only when it brings a new attribute or revises another, and applies in place otherwise).
fn recompiles(entry: &Entry) -> bool {
    matches!(&entry.body, Body::Init { .. } | Body::Change(Change::Position(_)))
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
        let meeting = json!({"id": "p2", "committee": "NAC", "kind": "statement", "procedure": "meeting",
            "deadline": "2025-07-05", "partners": ["UKR"], "attributes": {"budget": {"decimal": "1.5"}}});
        let revised = json!({"id": "p1-rev", "committee": "MC", "kind": "exercise", "deadline": "2025-07-12", "supersedes": "p1"});
        let open = json!({"id": "p3", "committee": "NAC", "kind": "statement"});
        let position = json!({"id": "nor-no-exercises", "member": "NOR", "source": "test",
            "policy": "forbid (principal, action, resource) when { resource.kind == \"exercise\" };"});
        let fact = json!({"id": "gaza_permanent_ceasefire", "value": true, "source": "test"});
        // Writes that apply cheaply to the spare snapshot (votes, decisions, extensions,
        // withdrawals, facts) between writes that compile the scenario again (proposals and
        // positions), and refusals.
        let writes = [
            ("/api/votes", vote("steadfast-2026-spec", "NOR", "consent"), StatusCode::CREATED),
            ("/api/votes", vote("steadfast-2026-spec", "DNK", "object"), StatusCode::CREATED),
            ("/api/votes", vote("steadfast-2026-spec", "DNK", "silent"), StatusCode::CREATED),
            ("/api/proposals", proposal, StatusCode::CREATED),
            ("/api/proposals", meeting, StatusCode::CREATED),
            ("/api/proposals", open, StatusCode::CREATED),
            ("/api/votes", vote("p1", "TUR", "consent"), StatusCode::CREATED),
            ("/api/votes", vote("p1", "FRA", "abstain"), StatusCode::CREATED),
            ("/api/facts", fact, StatusCode::CREATED),
            ("/api/votes", vote("p1", "DEU", "object"), StatusCode::CREATED),
            ("/api/votes", vote("p2", "HUN", "object"), StatusCode::CREATED),
            ("/api/proposals/p2/extend", json!({"deadline": "2025-06-25", "reason": "sooner"}), StatusCode::CREATED),
            ("/api/proposals/steadfast-2026-spec/close", json!({}), StatusCode::CREATED),
            ("/api/votes", vote("p1", "ITA", "consent"), StatusCode::CREATED),
            ("/api/positions", position, StatusCode::CREATED),
            ("/api/votes", vote("steadfast-2026-spec", "NOR", "abstain"), StatusCode::UNPROCESSABLE_ENTITY),
            ("/api/votes", vote("p1", "ESP", "consent"), StatusCode::CREATED),
            ("/api/proposals", revised, StatusCode::CREATED),
            ("/api/proposals/p3/withdraw", json!({"reason": "no longer needed"}), StatusCode::CREATED),
            ("/api/proposals/p3/close", json!({}), StatusCode::UNPROCESSABLE_ENTITY),
            ("/api/proposals/p2/extend", json!({"deadline": "2025-06-01"}), StatusCode::UNPROCESSABLE_ENTITY),
            ("/api/tick", json!({"now": "2025-06-26"}), StatusCode::OK),
            ("/api/votes", vote("p2", "HUN", "consent"), StatusCode::UNPROCESSABLE_ENTITY),
            ("/api/positions/nor-no-exercises/withdraw", json!({"reason": "changed its mind"}), StatusCode::CREATED),
            ("/api/tick", json!({"now": "2025-07-15"}), StatusCode::OK),
        ];
        let mut held = Vec::new();
        let (mut caught_up, mut copied) = (0, 0);
        for (i, (path, body, expected)) in writes.into_iter().enumerate() {
            // A reader holds a snapshot across two writes: at the second, the spare is still
            // read, and the writer must copy the store's state instead.
            match i % 3 {
                0 => held.push(server.snapshot()),
                2 => held.clear(),
                _ => {}
            }
            let answer = server.post(path, s, &body).await;
            assert_eq!(answer.status, expected, "{path} {body}: {}", answer.body);
            for at in ["2025-06-20", "2025-06-26", "2025-07-01", "2025-07-20"] {
                let served = server.get(&format!("/api/decisions?at={at}"), None).await.json();
                assert_eq!(served, decided_afresh(&server, at), "after {path} {body}, on {at}");
            }
            let published = server.snapshot();
            let afresh = Store::open(&server.db()).unwrap();
            assert_eq!(published.entries(), afresh.state().entries);
            assert_eq!(published.state.last_at, afresh.state().last_at);
            if published.caught_up {
                caught_up += 1;
            } else {
                copied += 1;
            }
        }
        assert!(caught_up > 0, "no snapshot was brought up to date from the spare");
        assert!(copied > 0, "no snapshot was copied from the store");
    }
}
