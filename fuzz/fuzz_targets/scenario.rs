//! `scenario`: any bytes as a scenario file. A file either loads or is refused with errors,
//! never a panic, an abort or a stall; a file that loads decides and explains every proposal on
//! its date, and written back out reads to the same scenario with the same decisions.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    concord_fuzz::on_server_stack(|| {
        let Ok(engine) = concord_core::load(&text, "fuzz.toml") else { return };
        let at = engine.as_of();
        concord_fuzz::decide_and_explain(&engine, at);
        concord_fuzz::written_reads_back(&engine, at);
    });
});
