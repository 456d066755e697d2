//! What it would take, at programme scale (issue 13): `levers` and `unblock` on the synthetic
//! programme (`concord gen --seed 1`: 32 members, 50,000 proposals, 200 positions reading 50
//! facts) against the brute-force search in the same run.
//!
//! - `levers`: every single change that adopts a proposal not adopted on the date. The
//!   brute-force search tries every candidate change (each fact positions read, at each value but
//!   its own, and each seated member's consent) on every such proposal. Both must agree.
//! - `unblock`: every minimal way of up to 3 changes, on every proposal not adopted (the
//!   slowest is the figure that counts: the target holds for any one proposal). The brute-force
//!   search tries every set of up to 2 candidates on a sample, and must find the same ways as
//!   `unblock --max 2`; at 3 it would take minutes a proposal.
//!
//! The first question on an engine prepares what later ones share; it is timed apart.
//!
//! `cargo bench -p concord-core --bench unblock` runs it at full scale. Under `cargo test
//! --benches` it runs once on a small programme, as a check that it still works.

use std::time::{Duration, Instant};

use concord_core::load;
use concord_core::synth::{Shape, generate};

fn time<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn main() -> Result<(), String> {
    let full = std::env::args().any(|a| a == "--bench");
    let shape = if full { Shape::default() } else { Shape { proposals: 1_000, ..Shape::default() } };
    let sample = if full { 20 } else { 3 };
    println!(
        "unblock benchmark: {} members, {} proposals, {} positions, {} facts (seed 1){}",
        shape.members,
        shape.proposals,
        shape.positions,
        shape.facts,
        if full { "" } else { " [quick check: run `cargo bench` for the full scale]" }
    );
    let text = generate(&shape, 1)?;
    let engine = load(&text, "synthetic.toml")
        .map_err(|e| format!("synthetic scenario does not load: {:?}", e.errors().first().map(|e| e.to_string())))?;
    let at = engine.as_of();
    // The server decides before it answers: the verdicts of the date are then known.
    let evaluation = engine.evaluate(at, &[]).map_err(|e| e.to_string())?;
    let open: Vec<usize> = evaluation
        .decisions()
        .iter()
        .filter(|d| !matches!(d.outcome, concord_core::Outcome::Adopted | concord_core::Outcome::Withdrawn))
        .map(|d| d.proposal)
        .collect();

    // The first question prepares what every later one on the same engine shares (the
    // policies as JSON, the candidate values): the server pays it once, the command line once.
    let first = *open.first().ok_or("no proposal is open")?;
    let (u, prepare_time) = time(|| engine.unblock(first, at, 3));
    u.map_err(|e| e.to_string())?;
    println!("  first question, prepares   {:>10}  candidates and policies, once per engine state", ms(prepare_time));

    let (levers, levers_time) = time(|| engine.levers(at));
    let (brute, brute_time) = time(|| engine.levers_brute_force(at));
    if levers != brute {
        return Err("levers and the brute-force search disagree".to_owned());
    }
    let turned: usize = levers.levers.iter().map(|l| l.proposals.len()).sum();
    println!(
        "  levers                     {:>10}  {} levers over {} proposals not adopted ({turned} adoptions)",
        ms(levers_time),
        levers.levers.len(),
        open.len()
    );
    println!(
        "  levers (brute force)       {:>10}  every candidate change on every proposal; same levers",
        ms(brute_time)
    );

    let mut slowest = (Duration::ZERO, 0usize);
    let mut times = Vec::with_capacity(open.len());
    let mut ways = 0usize;
    for &p in &open {
        let (u, t) = time(|| engine.unblock(p, at, 3));
        ways += u.map_err(|e| e.to_string())?.ways.len();
        times.push(t);
        if t > slowest.0 {
            slowest = (t, p);
        }
    }
    times.sort();
    let median = times.get(times.len() / 2).copied().unwrap_or_default();
    let total: Duration = times.iter().sum();
    let id = |p: usize| engine.scenario().proposals.get(p).map_or("?", |p| p.id.as_str()).to_owned();
    println!(
        "  unblock --max 3, each      {:>10}  median; slowest {} ({}); {} proposals, {ways} ways, {} in all",
        ms(median),
        ms(slowest.0),
        id(slowest.1),
        open.len(),
        ms(total)
    );

    // The brute-force search at a budget of 2, on a sample spread over the proposals.
    let step = (open.len() / sample).max(1);
    let mut ours = Duration::ZERO;
    let mut theirs = Duration::ZERO;
    let mut checked = 0;
    for &p in open.iter().step_by(step).take(sample) {
        let (u, t) = time(|| engine.unblock(p, at, 2));
        ours += t;
        let (b, t) = time(|| engine.unblock_brute_force(p, at, 2));
        theirs += t;
        if u.map_err(|e| e.to_string())?.ways != b {
            return Err(format!("unblock and the brute-force search disagree on {}", id(p)));
        }
        checked += 1;
    }
    let per = |d: Duration| d / u32::try_from(checked.max(1)).unwrap_or(1);
    println!("  unblock --max 2, each      {:>10}  mean of {checked} proposals", ms(per(ours)));
    println!("  unblock --max 2 (brute)    {:>10}  every set of up to 2 candidates; same ways", ms(per(theirs)));
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64().max(1e-9);
    println!(
        "  speed-up over brute force  levers {:.1}x, unblock {:.1}x  (targets: levers < 2000 ms, unblock < 50 ms)",
        ratio(brute_time, levers_time),
        ratio(theirs, ours)
    );
    Ok(())
}
