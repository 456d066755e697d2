//! The attacks on `concord serve` of issue 11 (`resilience.rs`): a slowloris client, thousands of
//! idle sockets and a flood of writes, each showing that a legitimate client is still answered
//! within a second. They measure time on a loaded machine, so they run in a test binary of their
//! own, which cargo runs after the others rather than beside them, and one at a time within it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]
#![allow(dead_code, reason = "the shared helpers serve the integration tests too")]

#[path = "resilience.rs"]
mod resilience;
#[path = "served.rs"]
mod served;
#[path = "temp_store.rs"]
mod store;
#[path = "util.rs"]
mod util;
