//! Voting power on the server: each game (a committee's rule among the members seated on a
//! date) computed once, on a blocking thread, one computation at a time, within a memory and a
//! work budget, and kept for every later request. Power depends on the game alone, so the cache
//! is keyed by it: no write makes it stale, and two dates with the same seats share it.
//!
//! Only a caller with a token starts a computation. An anonymous request gets what is cached or
//! being computed (the server computes today's game of every committee by itself, at start and
//! when its date changes), never a new computation.

use std::sync::{Arc, Mutex, PoisonError};

use concord_core::power::{self, Game, Options, Power, PowerError};
use tokio::sync::{Semaphore, watch};

use crate::app::App;
use crate::error::ApiError;

/// Games kept once computed; past it the least recently asked is forgotten.
const KEPT: usize = 64;

/// A computation's answer, shared by everyone who asked for it.
pub(crate) type Computed = Arc<Result<Power, ApiError>>;

/// Voting power computed so far, by game.
pub(crate) struct PowerCache {
    options: Options,
    /// Most recently asked last.
    slots: Arc<Mutex<Vec<Slot>>>,
    /// One computation at a time.
    running: Arc<Semaphore>,
}

struct Slot {
    game: Game,
    state: State,
}

#[derive(Clone)]
enum State {
    Running(watch::Receiver<Option<Computed>>),
    Done(Computed),
}

impl PowerCache {
    /// A cache whose computations take at most `memory` bytes and `work` word additions.
    pub(crate) fn new(memory: u64, work: u64) -> PowerCache {
        PowerCache {
            options: Options { max_memory: memory, max_work: work, ..Options::default() },
            slots: Arc::new(Mutex::new(Vec::new())),
            running: Arc::new(Semaphore::new(1)),
        }
    }

    /// The power of `game`: as cached, or waited for while it is computed, or computed now when
    /// `start` allows it (a caller with a token); none when it is not computed and may not be.
    pub(crate) async fn get(&self, game: Game, start: bool) -> Option<Computed> {
        let state = self.find_or_start(game, start)?;
        match state {
            State::Done(computed) => Some(computed),
            State::Running(mut receiver) => match receiver.wait_for(Option::is_some).await {
                Ok(computed) => computed.clone(),
                Err(_) => Some(Arc::new(Err(ApiError::internal("the voting power computation stopped")))),
            },
        }
    }

    /// Starts computing `game` unless it is cached or being computed already.
    pub(crate) fn warm(&self, game: Game) {
        let _ = self.find_or_start(game, true);
    }

    fn find_or_start(&self, game: Game, start: bool) -> Option<State> {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(at) = slots.iter().position(|s| s.game == game) {
            let slot = slots.remove(at);
            let state = slot.state.clone();
            slots.push(slot);
            return Some(state);
        }
        if !start {
            return None;
        }
        let (sender, receiver) = watch::channel(None);
        slots.push(Slot { game: game.clone(), state: State::Running(receiver.clone()) });
        if slots.len() > KEPT
            && let Some(old) = slots.iter().position(|s| matches!(s.state, State::Done(_)))
        {
            slots.remove(old);
        }
        drop(slots);
        self.start(game, sender);
        Some(State::Running(receiver))
    }

    /// Computes `game` on a blocking thread once no other computation runs, keeps the answer,
    /// and sends it to everyone waiting. It runs to its end even if the request that started it
    /// goes away.
    fn start(&self, game: Game, sender: watch::Sender<Option<Computed>>) {
        let (slots, running, options) = (self.slots.clone(), self.running.clone(), self.options);
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            let _ = sender.send(Some(Arc::new(Err(ApiError::internal("no runtime to compute voting power on")))));
            return;
        };
        runtime.spawn(async move {
            let computed = match running.acquire_owned().await {
                Ok(permit) => {
                    let copy = game.clone();
                    let work = tokio::task::spawn_blocking(move || {
                        let _permit = permit;
                        compute(&copy, &options)
                    });
                    work.await.unwrap_or_else(|e| Err(ApiError::internal(format!("the power computation failed: {e}"))))
                }
                Err(_) => Err(ApiError::internal("the power computations are closed")),
            };
            let computed = Arc::new(computed);
            {
                let mut slots = slots.lock().unwrap_or_else(PoisonError::into_inner);
                if let Some(slot) = slots.iter_mut().find(|s| s.game == game) {
                    slot.state = State::Done(computed.clone());
                }
            }
            let _ = sender.send(Some(computed));
        });
    }
}

/// Starts computing today's game of every committee that is not computed yet: what an anonymous
/// view of the committees finds.
pub(crate) fn warm_today(app: &App) {
    let snapshot = app.snapshot();
    let Ok(engine) = snapshot.engine() else { return };
    let today = app.today();
    for committee in 0..engine.scenario().committees.len() {
        if let Ok(game) = engine.committee_game(committee, today) {
            app.power.warm(game);
        }
    }
}

/// Computes a game's power within the budgets of `options`: exact where it fits, sampled where
/// it does not, refused (422, with the figures) when even sampling does not fit.
fn compute(game: &Game, options: &Options) -> Result<Power, ApiError> {
    power::analyse(game, options, &mut |_, _| {}).map_err(|e| match e {
        PowerError::Game(e) => ApiError::BadRequest(e.to_string()),
        e => ApiError::Refused(format!(
            "the server computes voting power within {} of memory and {} word additions (about {:.1} s): {e}; `concord power` computes it with your own limits",
            power::bytes(options.max_memory),
            options.max_work,
            options.max_work as f64 / 1e9
        )),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

    use axum::http::StatusCode;
    use concord_core::Decimal;
    use concord_core::power::Game;

    use super::PowerCache;
    use crate::testing::TestServer;

    fn game(n: i64) -> Game {
        let weights: Vec<Decimal> = (1..=n).map(Decimal::from_int).collect();
        Game::weighted(Decimal::from_int(n * (n + 1) / 4 + 1), &weights).unwrap()
    }

    #[tokio::test]
    async fn a_game_is_computed_once_and_only_when_allowed() {
        let cache = PowerCache::new(64 << 20, 1_000_000_000);
        assert!(cache.get(game(5), false).await.is_none(), "an anonymous caller starts nothing");
        assert!(cache.get(game(5), false).await.is_none(), "and nothing was started");
        let first = cache.get(game(5), true).await.unwrap();
        assert_eq!(first.as_ref().as_ref().unwrap().players, 5);
        let again = cache.get(game(5), false).await.unwrap();
        assert!(std::sync::Arc::ptr_eq(&first, &again), "the second answer is the first one, not computed again");
        // Many callers at once share one computation.
        let waits = (0..8).map(|_| cache.get(game(9), true));
        let answers = futures_util::future::join_all(waits).await;
        let answers: Vec<_> = answers.into_iter().map(Option::unwrap).collect();
        assert!(answers.windows(2).all(|w| std::sync::Arc::ptr_eq(&w[0], &w[1])));
    }

    // See: issue 11 (every view of `/committees` and `/api/committees/{id}/power` ran an
    // unbounded power computation, for anyone, and kept nothing).
    #[tokio::test]
    async fn r11_an_anonymous_request_never_starts_a_power_computation() {
        let server = TestServer::new("2025-06-20");
        // Today's power is computed by the server itself: an anonymous view finds it.
        let today = server.get("/api/committees/NAC/power", None).await;
        assert_eq!(today.status, StatusCode::OK, "{}", today.body);
        assert_eq!(today.json()["players"], 32);
        let page = server.get("/committees", None).await;
        assert!(page.body.contains("data-member=\"TUR\""), "{}", page.body);
        assert!(!page.body.contains("not computed yet"), "{}", page.body);
        // Before Finland (2023-04-04) and Sweden (2024-03-07) joined, the seats differ: nobody
        // has computed that game, and an anonymous request does not start it.
        let before = "/api/committees/NAC/power?at=2023-01-01";
        let anonymous = server.get(before, None).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{}", anonymous.body);
        assert!(anonymous.json()["error"].as_str().unwrap().contains("not computed yet"), "{}", anonymous.body);
        let observer = server.token("observer", None).await;
        let computed = server.get(before, Some(&observer)).await;
        assert_eq!(computed.status, StatusCode::OK, "{}", computed.body);
        assert_eq!(computed.json()["players"], 30);
        // Now it is kept, for everyone, and for any date with the same seats.
        assert_eq!(server.get(before, None).await.body, computed.body);
        assert_eq!(server.get("/api/committees/NAC/power?at=2022-06-01", None).await.body, computed.body);
    }

    /// A scenario with one weighted committee of `n` members.
    fn weighted_body(n: usize) -> String {
        let mut text = String::from("[scenario]\nid = \"big\"\nas_of = 2025-06-01\n\n");
        for i in 0..n {
            text.push_str(&format!(
                "[[member]]\nid = \"M{i:03}\"\nweights = {{ votes = {} }}\n\n",
                1000 + 7919 * i % 4999
            ));
        }
        text.push_str("[[committee]]\nid = \"BIG\"\nmembers = \"all\"\n");
        text.push_str("rule = { kind = \"weighted\", weight = \"votes\", quota_share = 0.5 }\n");
        text
    }

    // See: issue 11 (with 200 weighted members, each view cost about 20 s and 3 GB).
    #[tokio::test]
    async fn r11_a_large_weighted_committee_is_computed_once_within_the_budget() {
        // A debug build is slow: a tenth of the default work budget keeps the test short.
        let limits = crate::Limits { power_work: 400_000_000, ..crate::Limits::default() };
        let server = TestServer::with_scenario_and_limits("2025-06-20", &weighted_body(200), limits);
        let started = std::time::Instant::now();
        let first = server.get("/api/committees/BIG/power", Some(&server.secretariat)).await;
        assert!(started.elapsed() < std::time::Duration::from_secs(2), "{:?}", started.elapsed());
        // Even sampled, it is over this budget: refused with the figures, before anything is
        // allocated.
        assert_eq!(first.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", first.body);
        let error = first.json()["error"].as_str().unwrap().to_owned();
        assert!(error.contains("word additions") && error.contains("`concord power`"), "{error}");
        // The answer is kept: asked again, by anyone, it is not computed again.
        let again = server.get("/api/committees/BIG/power", None).await;
        assert_eq!(again.body, first.body);
        let page = server.get("/committees", None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("word additions"), "{}", page.body);
    }

    #[tokio::test]
    async fn a_game_over_the_budget_is_refused_with_its_figures() {
        let cache = PowerCache::new(1 << 10, 1_000);
        let refused = cache.get(game(40), true).await.unwrap();
        let message = refused.as_ref().as_ref().unwrap_err().to_string();
        assert!(message.contains("`concord power`"), "{message}");
    }
}
