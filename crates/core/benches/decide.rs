//! Programme-scale decision benchmark: concord's engine against the naive Cedar baseline.
//!
//! Generates the synthetic programme (`concord gen --seed 1`: 32 members, 40 partners, 50,000
//! proposals, 200 positions reading 50 facts), then times, in one run:
//! - loading (TOML parsing, validation, Cedar schema validation, grouping of proposals);
//! - a full decision of every proposal with the engine: each decided on its procedure's timing
//!   (at its deadline, on the first day its rule adopts it, or as recorded), with the stances of
//!   its decision's day and, for a decision taken, the rule's outcome were it put again today;
//! - the same objections the naive way: one `cedar-policy` authorization per seated member and
//!   proposal on the day each decision reports, checked to give the same objecting members;
//! - a what-if flipping one fact;
//!
//! then the same on the programme with 40 linked positions besides (`concord gen --seed 1
//! --linked 40`: members following others, package deals; the baseline evaluates every member
//! again until the stances settle), and prints the figures, the ratios and the peak memory
//! (VmHWM).
//!
//! `cargo bench -p concord-core --bench decide` runs it at full scale. Under `cargo test
//! --benches` it runs once on a small programme, as a check that it still works.

use std::time::{Duration, Instant};

use concord_core::synth::{Shape, generate};
use concord_core::{Value, load};

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs.get(runs.len() / 2).copied().unwrap_or_default()
}

fn time<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

fn peak_memory_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

/// The figures of one programme.
struct Figures {
    load: Duration,
    first: Duration,
    again: Duration,
    baseline: Duration,
    what_if: Duration,
}

fn main() -> Result<(), String> {
    let full = std::env::args().any(|a| a == "--bench");
    let shape = if full { Shape::default() } else { Shape { proposals: 2_000, ..Shape::default() } };
    let runs = if full { 5 } else { 1 };
    let plain = run(&shape, runs, full)?;
    // The same programme with linked positions besides: a fifth as many again, half of them
    // following another member, half holding new exercises until an anchor is adopted.
    let linked = run(&Shape { linked: shape.positions / 5, ..shape }, runs, full)?;
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64().max(1e-9);
    println!("linked against plain (same run):");
    println!("  load + validate + compile  {:>9.2}x", ratio(linked.load, plain.load));
    println!("  full decision (engine)     {:>9.2}x", ratio(linked.first, plain.first));
    println!("  again, verdicts kept       {:>9.2}x", ratio(linked.again, plain.again));
    println!("  what-if, flip one fact     {:>9.2}x", ratio(linked.what_if, plain.what_if));
    println!(
        "  linked speed-up over its baseline {:.1}x (plain {:.1}x)",
        ratio(linked.baseline, linked.first),
        ratio(plain.baseline, plain.first)
    );
    if let Some(mib) = peak_memory_mib() {
        println!("  peak memory (VmHWM)        {mib:>7.0} MiB  (target < 1024 MiB)");
    }
    Ok(())
}

fn run(shape: &Shape, runs: usize, full: bool) -> Result<Figures, String> {
    println!(
        "decide benchmark: {} members, {} partners, {} proposals, {} positions, {} linked positions, {} facts (seed 1){}",
        shape.members,
        shape.partners,
        shape.proposals,
        shape.positions,
        shape.linked,
        shape.facts,
        if full { "" } else { " [quick check: run `cargo bench` for the full scale]" }
    );

    let (text, gen_time) = time(|| generate(shape, 1));
    let text = text?;
    let (engine, load_time) = time(|| load(&text, "synthetic.toml"));
    let engine = engine
        .map_err(|e| format!("synthetic scenario does not load: {:?}", e.errors().first().map(|e| e.to_string())))?;
    let at = engine.as_of();

    // The first decision computes every position's verdicts; the engine keeps them, so that a
    // second decision (another request to the server, another date) reuses them.
    let (first, first_time) = time(|| engine.evaluate(at, &[]));
    let cedar = first.map_err(|e| e.to_string())?.cedar_evaluations();
    let mut decide_runs = Vec::new();
    let mut evaluation = None;
    for _ in 0..runs {
        let (e, t) = time(|| engine.evaluate(at, &[]));
        decide_runs.push(t);
        evaluation = Some(e.map_err(|e| e.to_string())?);
    }
    let evaluation = evaluation.ok_or("no run")?;
    let decide_time = median(decide_runs);

    let entities = engine.baseline()?;
    let days: Vec<(usize, concord_core::Date)> =
        evaluation.decisions().iter().map(|d| (d.proposal, d.stances_on)).collect();
    let (baseline, baseline_time) =
        time(|| engine.baseline_objections(&entities, &days, &|q, on| evaluation.outcome_on(q, on)));
    let ours: Vec<Vec<usize>> =
        evaluation.decisions().iter().map(|d| d.objections.iter().map(|o| o.member).collect()).collect();
    if ours != baseline {
        return Err("the engine and the naive baseline disagree on objecting members".to_owned());
    }

    // What-if: flip the boolean fact whose flip changes the most outcomes (found untimed).
    let mut candidates: Vec<(usize, String, Value)> = Vec::new();
    for (id, o) in evaluation.facts().iter() {
        if let Value::Bool(b) = o.value {
            let set = [(id.to_owned(), Value::Bool(!b))];
            let after = evaluation.what_if(&set).map_err(|e| e.to_string())?;
            candidates.push((evaluation.changes(&after).len(), id.to_owned(), Value::Bool(!b)));
        }
    }
    candidates.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let (_, fact, value) = candidates.into_iter().next().ok_or("no boolean fact")?;
    let set = [(fact.clone(), value)];
    let mut what_if_runs = Vec::new();
    let mut changed = 0;
    let mut what_if_cedar = 0;
    for _ in 0..runs.max(3) {
        let (after, t) = time(|| evaluation.what_if(&set));
        what_if_runs.push(t);
        let after = after.map_err(|e| e.to_string())?;
        changed = evaluation.changes(&after).len();
        what_if_cedar = after.cedar_evaluations();
    }
    let what_if_time = median(what_if_runs);

    let count = |o: concord_core::Outcome| evaluation.decisions().iter().filter(|d| d.outcome == o).count();
    let decided = evaluation.decisions().iter().filter(|d| d.taken.is_some()).count();
    println!("  generate scenario text     {:>10}  ({:.1} MB)", ms(gen_time), text.len() as f64 / 1e6);
    println!("  load + validate + compile  {:>10}", ms(load_time));
    println!(
        "  full decision (engine)     {:>10}  {} proposals ({decided} decided): {} adopted, {} blocked, {} pending, {} withdrawn; {cedar} Cedar evaluations",
        ms(first_time),
        evaluation.decisions().len(),
        count(concord_core::Outcome::Adopted),
        count(concord_core::Outcome::Blocked),
        count(concord_core::Outcome::Pending),
        count(concord_core::Outcome::Withdrawn),
    );
    println!("  again, verdicts kept       {:>10}  (median of {runs})", ms(decide_time));
    println!(
        "  full decision (baseline)   {:>10}  one authorization per member and proposal; same objections",
        ms(baseline_time)
    );
    println!(
        "  what-if, flip one fact     {:>10}  `{fact}`: {changed} proposals change; {what_if_cedar} more Cedar evaluations",
        ms(what_if_time)
    );
    println!(
        "  speed-up over baseline     {:>9.1}x  (target ≥ 5x; decision target < 1000 ms; what-if target < 100 ms)",
        baseline_time.as_secs_f64() / first_time.as_secs_f64()
    );
    Ok(Figures {
        load: load_time,
        first: first_time,
        again: decide_time,
        baseline: baseline_time,
        what_if: what_if_time,
    })
}
