//! `change_json`: any bytes as the JSON body of a change (what the server's API reads into
//! [`Change`] and a ledger entry holds), applied to the NATO example on its date. Parsing never
//! panics; a parsed change writes back to JSON that reads to the same change (an entry's bytes
//! are what the ledger hashes); an applied one leaves an engine that decides, explains, and
//! writes out a scenario that reads back the same.

#![no_main]

use concord_core::Change;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    concord_fuzz::catch_stack_overflow();
    let Ok(change) = serde_json::from_slice::<Change>(data) else { return };
    let bytes = serde_json::to_vec(&change).expect("a change serializes");
    let again: Change = serde_json::from_slice(&bytes).expect("a written change reads back");
    assert_eq!(again, change, "a change reads back different from {}", String::from_utf8_lossy(&bytes));
    concord_fuzz::on_server_stack(move || {
        let mut engine = concord_fuzz::nato().clone();
        let at = engine.as_of();
        if engine.apply(at, change).is_err() {
            return;
        }
        concord_fuzz::decide_and_explain(&engine, at);
        concord_fuzz::written_reads_back(&engine, at);
    });
});
