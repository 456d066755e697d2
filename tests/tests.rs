//! Integration tests of the `concord` command line: the built binary run on real files, its
//! exit status, its output for people (golden snapshots), its JSON wire format and its error
//! reports on bad input.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]

mod api;
mod bad_input;
mod browser;
mod cli;
mod durability;
mod examples;
mod finality;
mod fuzzed;
mod golden;
mod integrity;
mod legacy;
mod power;
mod served;
mod store;
mod tamper;
mod temp_store;
mod token;
mod unblock;
mod util;
mod wire;
