//! `policy`: any text as one position's Cedar policy, in a fixed small scenario, both ways a
//! position arrives: in a scenario file and as a `position` change applied to the loaded
//! scenario (what `POST /api/positions` and `concord position` do). Both ways refuse or accept
//! it alike; an accepted position is evaluated on every proposal and explained, and the
//! scenario with it written out reads back the same.

#![no_main]

use concord_core::change::{Change, PositionChange};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let policy = String::from_utf8_lossy(data).into_owned();
    concord_fuzz::on_server_stack(move || {
        let small = concord_fuzz::small();
        let at = small.as_of();

        // In a file: the policy as a TOML basic string (JSON's escapes are TOML's).
        let quoted = serde_json::to_string(&policy).expect("a string serializes");
        let file = format!(
            "{}\n[[position]]\nid = \"fz\"\nmember = \"A\"\nsource = \"fuzz\"\npolicy = {quoted}\n",
            concord_fuzz::SMALL
        );
        let loaded = concord_core::load(&file, "policy.toml");

        // As a change.
        let mut applied = small.clone();
        let change = PositionChange { id: "fz".into(), member: "A".into(), since: None, source: "fuzz".into(), policy };
        let accepted = applied.apply(at, Change::Position(change));

        assert_eq!(
            loaded.is_ok(),
            accepted.is_ok(),
            "a file and a change disagree on the policy: file {:?}, change {:?}",
            loaded.as_ref().err(),
            accepted.as_ref().err()
        );
        if let Ok(engine) = &loaded {
            concord_fuzz::decide_and_explain(engine, at);
            concord_fuzz::written_reads_back(engine, at);
        }
        if accepted.is_ok() {
            concord_fuzz::decide_and_explain(&applied, at);
        }
    });
});
