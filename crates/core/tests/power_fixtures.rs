//! The voting-power library on the reference games of `tests/fixtures/power/` (the workspace
//! root's copy of `shared/fixtures/power/`): every way of computing the indices — exact, sampled
//! and the brute-force oracle — against the exact values.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]

use std::path::PathBuf;

use concord_core::Decimal;
use concord_core::power::{self, Game, Options, Power, ShapleyMethod};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fixture {
    #[expect(dead_code, reason = "read to check the fixture's shape")]
    description: String,
    quota: i64,
    weights: Vec<i64>,
    winning_coalitions: String,
    members: Vec<FixtureMember>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureMember {
    weight: i64,
    swings: String,
    penrose: String,
    banzhaf: String,
    shapley_shubik: String,
}

fn fixtures() -> Vec<(String, Fixture)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/power");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 7, "the seven reference games");
    files
        .iter()
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let fixture: Fixture = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            assert!(fixture.members.iter().zip(&fixture.weights).all(|(m, w)| m.weight == *w), "{name}");
            (name, fixture)
        })
        .collect()
}

fn game(f: &Fixture) -> Game {
    let weights: Vec<Decimal> = f.weights.iter().map(|&w| Decimal::from_int(w)).collect();
    Game::weighted(Decimal::from_int(f.quota), &weights).unwrap()
}

fn fraction(text: &str) -> f64 {
    let (num, den) = text.split_once('/').unwrap_or((text, "1"));
    num.parse::<u64>().unwrap() as f64 / den.parse::<u64>().unwrap() as f64
}

fn close(actual: f64, expected: f64) -> bool {
    if expected == 0.0 { actual == 0.0 } else { ((actual - expected) / expected).abs() <= 1e-12 }
}

/// Checks counts exactly, and Shapley–Shubik within 1e-12 or (when sampled) within its bound.
fn check(name: &str, f: &Fixture, p: &Power) {
    assert_eq!(p.players, f.members.len(), "{name}");
    assert_eq!(p.winning_coalitions, f.winning_coalitions, "{name}");
    for (i, (got, want)) in p.members.iter().zip(&f.members).enumerate() {
        let who = format!("{name}, player {}", i + 1);
        assert_eq!(got.member, format!("p{}", i + 1), "{who}");
        assert_eq!(got.swings, want.swings, "{who}");
        assert!(close(got.penrose, fraction(&want.penrose)), "{who}: penrose {}", got.penrose);
        assert!(close(got.banzhaf, fraction(&want.banzhaf)), "{who}: banzhaf {}", got.banzhaf);
        let exact = fraction(&want.shapley_shubik);
        match got.shapley_shubik_error {
            None => assert!(close(got.shapley_shubik, exact), "{who}: shapley_shubik {}", got.shapley_shubik),
            Some(e) => {
                assert!((got.shapley_shubik - exact).abs() <= e, "{who}: {} ± {e} misses {exact}", got.shapley_shubik)
            }
        }
    }
}

#[test]
fn exact_analysis_reproduces_every_reference_game() {
    for method in [ShapleyMethod::Auto, ShapleyMethod::Exact] {
        for (name, f) in fixtures() {
            let p =
                power::analyse(&game(&f), &Options { shapley: method, ..Options::default() }, &mut |_, _| {}).unwrap();
            assert_eq!(p.shapley_shubik_method, "exact", "{name}");
            check(&name, &f, &p);
        }
    }
}

#[test]
fn sampled_analysis_brackets_every_reference_game() {
    for (name, f) in fixtures() {
        let options = Options { shapley: ShapleyMethod::Sample(20_000), ..Options::default() };
        let p = power::analyse(&game(&f), &options, &mut |_, _| {}).unwrap();
        assert_eq!((p.shapley_shubik_method, p.shapley_shubik_samples), ("sampled", Some(20_000)), "{name}");
        assert!(p.members.iter().all(|m| m.shapley_shubik_error.is_some()), "{name}");
        check(&name, &f, &p);
    }
}

#[test]
fn brute_force_reproduces_every_small_reference_game() {
    for (name, f) in fixtures().into_iter().filter(|(_, f)| f.members.len() <= 16) {
        check(&name, &f, &power::brute_force(&game(&f)));
    }
}
