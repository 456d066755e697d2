//! Voting-power benchmark: the exact algorithms against enumeration, and a board of 190.
//!
//! In one run it times:
//! - a 190-member weighted game shaped like the IMF's Board of Governors (weights totalling about
//!   5,000,000: 1,430 basic votes each plus quota-based votes falling off as a power law, quota
//!   85%): exact Penrose and Banzhaf for every member, and Shapley–Shubik sampled from 1,000,000
//!   orderings with its error bound;
//! - a 100-member weighted game (integer weights 1 to 100, quota 2/3), everything exact;
//! - the EU Council's qualified majority (27 members, 55% of members and 65% of population, with
//!   the blocking-minority clause), everything exact;
//! - the baseline: enumerating every coalition of a 22-member weighted game, against the exact
//!   algorithm on the same game, checked to agree, with the ratio.
//!
//! `cargo bench -p concord-core --bench power` runs it in full; under `cargo test --benches` it
//! runs small versions once, as a check that it still works.

use std::time::{Duration, Instant};

use concord_core::power::{Game, Options, ShapleyMethod, analyse, brute_force};
use concord_core::synth::SplitMix64;
use concord_core::{Decimal, Member, Rule, Share};

fn time<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn ints(weights: &[u64]) -> Vec<Decimal> {
    weights.iter().map(|&w| Decimal::from_int(w as i64)).collect()
}

/// 1,430 basic votes each plus a power-law share of the rest, totalling about `total`.
fn imf_like(n: usize, total: u64) -> Vec<u64> {
    let basic = 1_430u64;
    let raw: Vec<f64> = (1..=n).map(|i| 1.0 / (i as f64).powf(1.15)).collect();
    let sum: f64 = raw.iter().sum();
    let rest = total.saturating_sub(basic * n as u64) as f64;
    raw.iter().map(|r| basic + (rest * r / sum).round() as u64).collect()
}

/// EU member states' populations in thousands (Eurostat, 1 January 2024, rounded).
const EU27: [(&str, i64); 27] = [
    ("DE", 83_445),
    ("FR", 68_401),
    ("IT", 58_990),
    ("ES", 48_610),
    ("PL", 36_621),
    ("RO", 19_064),
    ("NL", 17_942),
    ("BE", 11_832),
    ("CZ", 10_900),
    ("SE", 10_551),
    ("PT", 10_639),
    ("GR", 10_397),
    ("HU", 9_585),
    ("AT", 9_159),
    ("BG", 6_445),
    ("DK", 5_961),
    ("FI", 5_604),
    ("SK", 5_424),
    ("IE", 5_343),
    ("HR", 3_862),
    ("LT", 2_886),
    ("SI", 2_124),
    ("LV", 1_872),
    ("EE", 1_374),
    ("CY", 934),
    ("LU", 672),
    ("MT", 563),
];

fn eu27() -> Result<Game, String> {
    let members: Vec<Member> = EU27
        .iter()
        .map(|(id, pop)| Member {
            id: (*id).to_owned(),
            weights: [("population".to_owned(), Decimal::from_int(*pop))].into(),
            ..Member::default()
        })
        .collect();
    let refs: Vec<&Member> = members.iter().collect();
    let share = |s: &str| Share::parse(s);
    let rule = Rule::Qualified {
        members_share: share("0.55")?,
        weight: "population".into(),
        weight_share: share("0.65")?,
        blocking_min: Some(4),
    };
    Game::from_rule(&rule, &refs).map_err(|e| e.to_string())
}

fn main() -> Result<(), String> {
    let full = std::env::args().any(|a| a == "--bench");
    let quiet = &mut |_: usize, _: usize| {};
    println!("power benchmark{}", if full { "" } else { " [quick check: run `cargo bench` for the full sizes]" });

    // A board of 190.
    let (n, total, samples) = if full { (190, 5_000_000, 1_000_000) } else { (40, 200_000, 10_000) };
    let weights = imf_like(n, total);
    let sum: u64 = weights.iter().sum();
    let quota = Decimal::from_int((sum * 85).div_ceil(100) as i64);
    let game = Game::weighted(quota, &ints(&weights)).map_err(|e| e.to_string())?;
    let banzhaf_only = Options { shapley: ShapleyMethod::Sample(1), ..Options::default() };
    let (p, t_banzhaf) = time(|| analyse(&game, &banzhaf_only, quiet));
    let p = p.map_err(|e| e.to_string())?;
    let (s, t_all) =
        time(|| analyse(&game, &Options { shapley: ShapleyMethod::Sample(samples), ..Options::default() }, quiet));
    let s = s.map_err(|e| e.to_string())?;
    let worst = s.members.iter().filter_map(|m| m.shapley_shubik_error).fold(0.0, f64::max);
    println!("  board of {n} (weights total {sum}, quota 85%):");
    println!(
        "    exact Penrose and Banzhaf, every member   {:>10}  (winning coalitions: a {}-digit count)",
        ms(t_banzhaf),
        p.winning_coalitions.len()
    );
    println!(
        "    + Shapley–Shubik from {samples} orderings    {:>10}  (largest error bound ±{:.5} at 99%)",
        ms(t_all),
        worst
    );

    // 100 members, integer weights 1..100.
    let m = if full { 100 } else { 30 };
    let mut rng = SplitMix64::new(100);
    let weights: Vec<u64> = (0..m).map(|_| 1 + rng.below(100) as u64).collect();
    let sum: u64 = weights.iter().sum();
    let game =
        Game::weighted(Decimal::from_int((sum * 2).div_ceil(3) as i64), &ints(&weights)).map_err(|e| e.to_string())?;
    let (r, t) = time(|| analyse(&game, &Options::default(), quiet));
    let r = r.map_err(|e| e.to_string())?;
    println!("  {m} members, weights 1..100, quota 2/3: everything exact ({}) {:>10}", r.shapley_shubik_method, ms(t));

    // EU Council.
    let game = eu27()?;
    let (r, t) = time(|| analyse(&game, &Options::default(), quiet));
    let r = r.map_err(|e| e.to_string())?;
    println!(
        "  EU Council QMV, 27 members with population: everything exact {:>10}  ({} winning coalitions; DE Banzhaf {:.5})",
        ms(t),
        r.winning_coalitions,
        r.members.first().map_or(0.0, |x| x.banzhaf)
    );

    // Baseline: enumeration.
    let k = if full { 22 } else { 14 };
    let weights: Vec<u64> = (0..k).map(|_| 1 + rng.below(50) as u64).collect();
    let sum: u64 = weights.iter().sum();
    let game = Game::weighted(Decimal::from_int((sum / 2 + 1) as i64), &ints(&weights)).map_err(|e| e.to_string())?;
    let (fast, t_fast) = time(|| analyse(&game, &Options::default(), quiet));
    let fast = fast.map_err(|e| e.to_string())?;
    let (slow, t_slow) = time(|| brute_force(&game));
    if fast.members.iter().zip(&slow.members).any(|(a, b)| a.swings != b.swings)
        || fast.winning_coalitions != slow.winning_coalitions
    {
        return Err("the exact algorithm and enumeration disagree".to_owned());
    }
    println!(
        "  {k} members, simple majority: exact {} vs enumeration of 2^{k} coalitions {}: {:.0}x faster, same swings",
        ms(t_fast),
        ms(t_slow),
        t_slow.as_secs_f64() / t_fast.as_secs_f64()
    );
    Ok(())
}
