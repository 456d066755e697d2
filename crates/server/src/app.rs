//! What every request handler shares: the published state, the queue to the writer, the token
//! table, the clock, the server's settings and limits, the write rate of each token, and the
//! voting power computed so far.

use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};

use concord_core::Date;
use concord_store::{Grant, Store, Verified};
use tokio::sync::oneshot;

use crate::Limits;
use crate::clock::ServerClock;
use crate::error::ApiError;
use crate::power::PowerCache;
use crate::rate::WriteRate;
use crate::writer::{Job, Snapshot};

/// The state shared by all handlers.
pub(crate) struct App {
    /// The state after the last commit.
    pub published: Arc<RwLock<Arc<Snapshot>>>,
    /// The queue to the writer.
    pub jobs: Sender<Job>,
    /// A second connection, for reading what snapshots do not hold: tokens, entries, proofs.
    reader: Mutex<Store>,
    /// The last verification of the whole ledger, by tree size.
    pub verified: Mutex<Option<Verified>>,
    /// The store's file.
    pub db: std::path::PathBuf,
    /// The server's date.
    pub clock: Arc<ServerClock>,
    /// Whether reading needs a token.
    pub private: bool,
    /// What a client may take.
    pub limits: Limits,
    /// Each token's writes.
    pub rate: WriteRate,
    /// Voting power computed so far, by game.
    pub power: PowerCache,
}

impl App {
    /// The state shared by all handlers, with `reader` as its read connection.
    pub(crate) fn new(
        published: Arc<RwLock<Arc<Snapshot>>>,
        jobs: Sender<Job>,
        reader: Store,
        db: std::path::PathBuf,
        clock: Arc<ServerClock>,
        private: bool,
        limits: Limits,
    ) -> App {
        App {
            published,
            jobs,
            reader: Mutex::new(reader),
            verified: Mutex::new(None),
            db,
            clock,
            private,
            rate: WriteRate::new(limits.write_rate, limits.write_burst),
            power: PowerCache::new(limits.power_memory, limits.power_work),
            limits,
        }
    }

    /// The read connection (tokens, entries, proofs), held until the guard is dropped.
    pub(crate) fn reader(&self) -> MutexGuard<'_, Store> {
        self.reader.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The last published state.
    pub(crate) fn snapshot(&self) -> Arc<Snapshot> {
        self.published.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// The server's date: what reads default to, and the date of a write that gives none.
    pub(crate) fn today(&self) -> Date {
        self.clock.today()
    }

    /// The grant of a secret, if it is a live token.
    pub(crate) fn grant(&self, secret: &str) -> Result<Option<Grant>, ApiError> {
        let store = self.reader();
        store.token_grant(secret).map_err(ApiError::from)
    }

    /// Sends a job to the writer and waits for its answer.
    pub(crate) async fn submit<T>(
        &self,
        job: impl FnOnce(oneshot::Sender<Result<T, ApiError>>) -> Job,
    ) -> Result<T, ApiError> {
        let (reply, answer) = oneshot::channel();
        self.jobs.send(job(reply)).map_err(|_| ApiError::writer_gone())?;
        answer.await.map_err(|_| ApiError::writer_gone())?
    }
}
