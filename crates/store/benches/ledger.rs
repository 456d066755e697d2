//! The store's benchmark: durable appends, inclusion proofs and a full verify at 1,000,000 entries,
//! and the clock recording 2,000 overdue decisions.
//!
//! `cargo bench -p concord-store --bench ledger` appends 1,000,000 vote entries to a store on
//! disk (WAL, `synchronous = FULL`: every acknowledged write is fsynced), then proves and
//! verifies. Two ways of appending are measured in the same run:
//!
//! - the baseline: one write (transaction, fsync, signed checkpoint) per entry, as separate
//!   `concord vote` commands or an unbatched server would do;
//! - group commit: writes that arrive together share one transaction and one fsync, each still
//!   acknowledged only once it is on disk, as a server under load does.
//!
//! Then it opens the store as every command does (the fold of every entry, each checked against
//! its leaf hash, and the root against the last signed checkpoint), against the fold alone.
//!
//! Then the clock: a store of 2,000 silence procedures (`concord gen --seed 3 --proposals 2000`)
//! whose deadlines have all passed, recorded by one `tick` (one evaluation, one write), against
//! the way concord 0.1 did it: each decision computed by evaluating the whole programme on its
//! deadline and recorded in a write of its own.
//!
//! Without `--bench` (as `cargo test` runs it) the sizes are small, to check it still works.

use std::time::Instant;

use concord_core::VoteStance;
use concord_core::change::{Change, VoteChange};
use concord_ledger::{leaf_hash, verify_inclusion};
use concord_store::{Date, Store, Write};

const MEMBERS: usize = 32;
const PROPOSALS: usize = 100;

fn scenario() -> String {
    let mut s = String::from("[scenario]\nid = \"bench\"\nas_of = 2025-01-01\n\n");
    for m in 0..MEMBERS {
        s.push_str(&format!("[[member]]\nid = \"M{m:02}\"\n\n"));
    }
    s.push_str("[[committee]]\nid = \"C\"\nmembers = \"all\"\nrule = \"consensus\"\n\n");
    for p in 0..PROPOSALS {
        s.push_str(&format!(
            "[[proposal]]\nid = \"p{p:03}\"\ncommittee = \"C\"\nkind = \"exercise\"\npartners = []\nengagement = \"new\"\ncirculated = 2025-01-01\ndeadline = 2999-12-31\n\n"
        ));
    }
    s
}

/// The i-th vote: members, then proposals, then days, so no two share a member, proposal and day.
fn vote(i: u64) -> Write {
    let per_day = (MEMBERS * PROPOSALS) as u64;
    let day = Date::from_days_since_epoch(20_089 + (i / per_day) as i64).unwrap_or(Date::FIRST);
    let within = (i % per_day) as usize;
    let change = Change::Vote(VoteChange {
        proposal: format!("p{:03}", within / MEMBERS),
        member: format!("M{:02}", within % MEMBERS),
        stance: if i.is_multiple_of(2) { VoteStance::Consent } else { VoteStance::Abstain },
        reason: None,
        source: None,
        statement: None,
    });
    Write::on(day, change)
}

/// The clock of the append benchmark: the votes go up to a few hundred days past 2025.
fn far() -> Date {
    Date::new(2999, 1, 1).unwrap_or(Date::FIRST)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let full = std::env::args().any(|a| a == "--bench");
    let (single, total, batch, proofs) = if full { (5_000, 1_000_000, 256, 10_000) } else { (100, 3_000, 64, 200) };
    // On the project's disk, not a RAM-backed /tmp, so fsync costs what it costs.
    let dir = tempfile::Builder::new().prefix("concord-ledger-bench").tempdir_in(env!("CARGO_TARGET_TMPDIR"))?;
    let db = dir.path().join("bench.db");
    let (mut store, _) = Store::create(&db, "bench.toml", &scenario(), None, far(), 0)?;
    println!("concord-store ledger benchmark ({} mode)", if full { "full" } else { "quick" });

    // Baseline: one durable write per entry.
    let start = Instant::now();
    let mut next = 0u64;
    for _ in 0..single {
        store.record(vec![vote(next)], far(), 0)?;
        next += 1;
    }
    let single_rate = single as f64 / start.elapsed().as_secs_f64();
    println!("appends, one durable write each:        {single:>9} entries  {single_rate:>9.0} /s");

    // Group commit up to the total.
    let start = Instant::now();
    let grouped = total - next;
    while next < total {
        let n = batch.min(total - next);
        store.record((next..next + n).map(vote).collect(), far(), 0)?;
        next += n;
    }
    let group_rate = grouped as f64 / start.elapsed().as_secs_f64();
    println!(
        "appends, group commit of {batch:<4}:          {grouped:>9} entries  {group_rate:>9.0} /s  ({:.1}× the baseline)",
        group_rate / single_rate
    );
    let size = store.latest_checkpoint()?.tree_size;
    let bytes = std::fs::metadata(&db)?.len() + std::fs::metadata(db.with_extension("db-wal")).map_or(0, |m| m.len());
    println!("store: {size} entries, {:.0} MiB on disk", bytes as f64 / (1024.0 * 1024.0));

    // Inclusion proofs against the latest checkpoint, from the file, each verified.
    let cp = store.latest_checkpoint()?;
    let mut rng = concord_core::synth::SplitMix64::new(7);
    let mut times = Vec::with_capacity(proofs);
    for _ in 0..proofs {
        let index = rng.below(usize::try_from(cp.tree_size)?) as u64;
        let start = Instant::now();
        let body = store.entry(index)?.ok_or("entry missing")?;
        let path = store.inclusion_proof(index, cp.tree_size)?;
        times.push(start.elapsed().as_secs_f64() * 1e6);
        verify_inclusion(index, cp.tree_size, &leaf_hash(&body), &path, &cp.root)?;
    }
    times.sort_by(f64::total_cmp);
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    let p99 = times.get(times.len() * 99 / 100).copied().unwrap_or(0.0);
    println!(
        "inclusion proof at {size} entries:    mean {mean:>7.1} µs  p99 {p99:>7.1} µs  ({proofs} proofs, all verified)"
    );

    // Full verification, reopening the file as `concord ledger verify` does.
    drop(store);
    let start = Instant::now();
    let store = Store::open_read_only(&db)?;
    let key = *store.public_key();
    let verified = concord_store::verify(&store, &key)?;
    let took = start.elapsed().as_secs_f64();
    if let Some(f) = verified.fault {
        return Err(format!("verify found a fault: {f:?}").into());
    }
    println!(
        "full verify:                            {:>9} entries  {took:>9.2} s   ({} checkpoints, every hash and signature)",
        verified.entries, verified.checkpoints
    );
    drop(store);

    // Opening the store, as every command and the server do: the fold of every entry, each
    // checked against its leaf hash, and the root against the last signed checkpoint.
    let start = Instant::now();
    let store = Store::open(&db)?;
    let open = start.elapsed().as_secs_f64();
    // The fold alone, as an open did before those checks (issue 11).
    let start = Instant::now();
    let mut fold = concord_store::record::Fold::new(store.strictness());
    store.for_each_entry(|seq, bytes| {
        let entry = concord_store::record::Entry::from_bytes(bytes)
            .map_err(|message| concord_store::StoreError::Corrupt { entry: seq, message })?;
        fold.apply(&entry).map_err(|m| concord_store::StoreError::Corrupt { entry: seq, message: m.message })
    })?;
    let fold_only = start.elapsed().as_secs_f64();
    println!(
        "open (fold, every leaf hash, root and signature): {:>9} entries  {open:>6.2} s   (the fold alone: {fold_only:.2} s, {:+.0}%)",
        store.state().entries,
        (open / fold_only.max(1e-9) - 1.0) * 100.0
    );
    drop(store);
    overdue(dir.path(), if full { 2_000 } else { 100 })
}

/// The clock recording every overdue decision of a programme at once, against one evaluation and
/// one write per decision.
fn overdue(dir: &std::path::Path, proposals: usize) -> Result<(), Box<dyn std::error::Error>> {
    use concord_core::synth::{Shape, generate};
    let text = generate(&Shape { proposals, ..Shape::default() }, 3)?;
    let clock: Date = "2025-12-31".parse()?;
    let make = |name: &str| Store::create(&dir.join(name), "gen-3.toml", &text, None, clock, 0).map(|(s, _)| s);

    let mut store = make("tick.db")?;
    let start = Instant::now();
    let recorded = store.tick(clock, 0, |_| {})?.map_or(0, |(_, due)| due.len());
    let tick = start.elapsed().as_secs_f64();

    // The old way: for each decision that fell due, the whole programme evaluated on its
    // deadline, and a write of its own.
    let mut old = make("one-by-one.db")?;
    let due = old.engine()?.evaluate(clock, &[])?.due();
    let start = Instant::now();
    for d in &due {
        let engine = old.engine()?;
        let evaluation = engine.evaluate(d.on, &[])?;
        let index = engine.proposal_index(&d.proposal).ok_or("no such proposal")?;
        let _ = evaluation.decision(index).map(|x| x.outcome);
        old.record(vec![Write::now(Change::Decision(d.clone()))], clock, 0)?;
    }
    let one_by_one = start.elapsed().as_secs_f64();
    println!(
        "clock: {recorded} overdue decisions of {proposals} proposals, one tick: {:>8.1} ms; one evaluation and write each: {:>8.1} ms  ({:.0}× faster; target: port open in < 5 s)",
        tick * 1e3,
        one_by_one * 1e3,
        one_by_one / tick.max(1e-9)
    );
    Ok(())
}
