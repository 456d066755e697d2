//! `concord power` (contract §3): the voting power of a committee's members or of a plain
//! weighted game, checked against exact values — the reference games of `fixtures/power/`
//! (copied from `shared/fixtures/power/`), the classic figures of the UN Security Council, and an
//! independent count of the EU Council's coalitions — and its JSON wire format and its errors.
//!
//! Every JSON report is read into the structs below with `deny_unknown_fields` (as in `wire.rs`)
//! and checked for what must hold whatever the game: one entry per player, counts as decimal
//! strings, `penrose` = swings / 2^(n−1), `banzhaf` = swings / total swings.

use std::path::PathBuf;

use serde::Deserialize;

use crate::util::{EU_COUNCIL, EXAMPLE, Run, UNSC, concord, eu_populations, read, replace_once, root, scenario_file};

/// The relative tolerance on indices compared with exact fractions.
const TOLERANCE: f64 = 1e-12;

mod qualified;

use qualified::Qualified;

// ---------------------------------------------------------------------------------------------
// The wire format

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PowerWire {
    players: usize,
    winning_coalitions: String,
    total_swings: String,
    banzhaf_method: Method,
    #[serde(default)]
    banzhaf_samples: Option<u64>,
    shapley_shubik_method: Method,
    #[serde(default)]
    shapley_shubik_samples: Option<u64>,
    members: Vec<MemberWire>,
}

#[derive(Debug, Deserialize, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Method {
    Exact,
    Sampled,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MemberWire {
    member: String,
    /// Absent under rules without weights (consensus, majority, veto).
    #[serde(default)]
    weight: Option<u64>,
    swings: String,
    penrose: f64,
    banzhaf: f64,
    shapley_shubik: f64,
    #[serde(default)]
    penrose_error: Option<f64>,
    #[serde(default)]
    banzhaf_error: Option<f64>,
    #[serde(default)]
    shapley_shubik_error: Option<f64>,
}

impl PowerWire {
    fn member(&self, id: &str) -> &MemberWire {
        self.members.iter().find(|m| m.member == id).unwrap_or_else(|| panic!("no member `{id}` in {self:#?}"))
    }

    fn ids(&self) -> Vec<&str> {
        self.members.iter().map(|m| m.member.as_str()).collect()
    }
}

/// A count printed as a decimal string: digits only, no leading zero.
#[track_caller]
fn count(text: &str) -> u128 {
    assert!(
        !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) && (text == "0" || !text.starts_with('0')),
        "`{text}` is not a decimal count"
    );
    text.parse().unwrap_or_else(|e| panic!("`{text}`: {e}"))
}

/// Whether `actual` is `expected` within [`TOLERANCE`], relative (exactly, for zero).
fn close(actual: f64, expected: f64) -> bool {
    if expected == 0.0 { actual == 0.0 } else { ((actual - expected) / expected).abs() <= TOLERANCE }
}

#[track_caller]
fn assert_close(what: &str, actual: f64, expected: f64) {
    assert!(close(actual, expected), "{what}: {actual} is not {expected} within {TOLERANCE:e} relative");
}

/// An exact fraction `a/b` (or an integer) as the nearest float.
#[track_caller]
fn fraction(text: &str) -> f64 {
    let (num, den) = text.split_once('/').unwrap_or((text, "1"));
    let (num, den): (u128, u128) = (num.parse().unwrap(), den.parse().unwrap());
    assert!(den > 0, "`{text}`: zero denominator");
    // Exact integers up to 2^53 convert exactly; the quotient is then correctly rounded.
    assert!(num < 1 << 53 && den < 1 << 53, "`{text}` is too large for this test's arithmetic");
    num as f64 / den as f64
}

/// Checks what every report must hold, whatever the game.
#[track_caller]
fn check_wire(p: &PowerWire) {
    assert_eq!(p.members.len(), p.players, "one entry per player");
    let mut ids = p.ids();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), p.players, "member ids are unique: {:?}", p.ids());
    assert!(ids.iter().all(|id| !id.is_empty()));
    let winning = count(&p.winning_coalitions);
    let total = count(&p.total_swings);
    assert!(p.players >= 128 || winning <= 1 << p.players, "more winning coalitions than coalitions");
    let swings: Vec<u128> = p.members.iter().map(|m| count(&m.swings)).collect();
    assert_eq!(swings.iter().sum::<u128>(), total, "total_swings is the sum of the swings");
    let half = 2f64.powi(i32::try_from(p.players).unwrap() - 1);
    for (m, &s) in p.members.iter().zip(&swings) {
        // Sampled swings are rounded estimates, and the indices are not computed from them.
        if p.banzhaf_method == Method::Exact {
            assert_close(&format!("penrose of {}", m.member), m.penrose, s as f64 / half);
            let banzhaf = if total == 0 { 0.0 } else { s as f64 / total as f64 };
            assert_close(&format!("banzhaf of {}", m.member), m.banzhaf, banzhaf);
        }
        for x in [m.penrose, m.banzhaf, m.shapley_shubik] {
            assert!((0.0..=1.0).contains(&x), "an index out of [0, 1]: {m:?}");
        }
    }
    match p.banzhaf_method {
        Method::Exact => {
            assert_eq!(p.banzhaf_samples, None, "exact values have no sample size");
            assert!(
                p.members.iter().all(|m| m.penrose_error.is_none() && m.banzhaf_error.is_none()),
                "exact values have no error bound"
            );
        }
        Method::Sampled => {
            assert!(p.banzhaf_samples.is_some_and(|n| n > 0), "sampled values state the sample size");
            for m in &p.members {
                let bounded = |e: Option<f64>| e.is_some_and(|e| e.is_finite() && e >= 0.0);
                assert!(
                    bounded(m.penrose_error) && bounded(m.banzhaf_error),
                    "every sampled value has an error bound: {m:?}"
                );
            }
        }
    }
    match p.shapley_shubik_method {
        Method::Exact => {
            assert_eq!(p.shapley_shubik_samples, None, "exact values have no sample size");
            assert!(p.members.iter().all(|m| m.shapley_shubik_error.is_none()), "exact values have no error bound");
        }
        Method::Sampled => {
            assert!(p.shapley_shubik_samples.is_some_and(|n| n > 0), "sampled values state the sample size");
            for m in &p.members {
                assert!(
                    m.shapley_shubik_error.is_some_and(|e| e.is_finite() && e >= 0.0),
                    "every sampled value has an error bound: {m:?}"
                );
            }
        }
    }
}

/// Reads the output of a run of `power --format json` into the wire structs and checks it.
#[track_caller]
fn parse(run: &Run) -> PowerWire {
    let report: PowerWire = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("`concord {}`: the JSON does not match the wire format: {e}", run.args.join(" ")));
    check_wire(&report);
    report
}

/// Runs `concord power ARGS… --format json`, reads the report into the wire structs and checks it.
#[track_caller]
fn power(args: &[&str]) -> PowerWire {
    let mut all = vec!["power"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    parse(&concord(&all).success())
}

#[test]
fn power_json_matches_the_wire_format() {
    let exact = concord(&["power", UNSC, "--committee", "SC", "--format", "json"]).success();
    for key in ["shapley_shubik_samples", "shapley_shubik_error"] {
        assert!(!exact.stdout.contains(key), "`{key}` is left out of exact results:\n{}", exact.stdout);
    }
    assert_eq!(parse(&exact).shapley_shubik_method, Method::Exact);

    let p = power(&[UNSC, "--committee", "SC", "--shapley", "sample", "--samples", "1000"]);
    assert_eq!((p.shapley_shubik_method, p.shapley_shubik_samples), (Method::Sampled, Some(1000)));

    // Weights of a plain game are its integer weights; players are p1, p2, … in order.
    let p = power(&["--quota", "12", "--weights", "4,4,4,2,2,1"]);
    assert_eq!(p.ids(), ["p1", "p2", "p3", "p4", "p5", "p6"]);
    assert_eq!(p.members.iter().map(|m| m.weight).collect::<Vec<_>>(), [4, 4, 4, 2, 2, 1].map(Some));
}

#[test]
fn counts_are_decimal_strings_beyond_64_bits() {
    // Simple majority of 70 equal members: C(69, 35) swings each, and (2^70 − C(70, 35)) / 2
    // winning coalitions (those of more than 35 members).
    let weights = vec!["1"; 70].join(",");
    let p = power(&["--quota", "36", "--weights", &weights]);
    assert_eq!(p.players, 70);
    let binomial = |n: u128, k: u128| (0..k).fold(1u128, |c, i| c * (n - i) / (i + 1));
    let c = binomial(69, 35);
    assert!(c > u128::from(u64::MAX));
    assert_eq!(p.winning_coalitions, (((1u128 << 70) - binomial(70, 35)) / 2).to_string());
    assert!(p.members.iter().all(|m| m.swings == c.to_string()), "{:?}", p.members[0]);
    assert!(p.members.iter().all(|m| close(m.shapley_shubik, 1.0 / 70.0)), "{:?}", p.members[0]);
}

// ---------------------------------------------------------------------------------------------
// Reference games

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fixture {
    description: String,
    quota: u64,
    weights: Vec<u64>,
    winning_coalitions: String,
    members: Vec<FixtureMember>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureMember {
    weight: u64,
    swings: String,
    penrose: String,
    banzhaf: String,
    shapley_shubik: String,
}

fn fixtures_dir() -> PathBuf {
    root().join("tests/fixtures/power")
}

/// Every reference game, by file name.
fn fixtures() -> Vec<(String, Fixture)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(path).unwrap();
            let fixture: Fixture = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(fixture.weights.len(), fixture.members.len(), "{name}");
            (name, fixture)
        })
        .collect()
}

#[track_caller]
fn fixture(name: &str) -> Fixture {
    fixtures().into_iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no fixture `{name}`")).1
}

/// How `report` differs from the reference values of `fixture`, one line per difference.
fn differences(fixture: &Fixture, report: &PowerWire) -> Vec<String> {
    let mut out = Vec::new();
    if report.players != fixture.members.len() {
        out.push(format!("{} players, expected {}", report.players, fixture.members.len()));
        return out;
    }
    if report.winning_coalitions != fixture.winning_coalitions {
        out.push(format!("winning_coalitions {}, expected {}", report.winning_coalitions, fixture.winning_coalitions));
    }
    for (i, (got, want)) in report.members.iter().zip(&fixture.members).enumerate() {
        if got.swings != want.swings {
            out.push(format!("player {}: swings {}, expected {}", i + 1, got.swings, want.swings));
        }
        for (what, value, exact) in [
            ("penrose", got.penrose, &want.penrose),
            ("banzhaf", got.banzhaf, &want.banzhaf),
            ("shapley_shubik", got.shapley_shubik, &want.shapley_shubik),
        ] {
            if !close(value, fraction(exact)) {
                out.push(format!("player {}: {what} {value}, expected {exact} = {}", i + 1, fraction(exact)));
            }
        }
    }
    out
}

#[test]
fn every_reference_game_is_reproduced_exactly() {
    let all = fixtures();
    let names: Vec<&str> = all.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "eec-1958.json",
            "nassau-1958.json",
            "nassau-1964.json",
            "unanimity-32.json",
            "unanimity-5.json",
            "unsc-1945.json",
            "unsc-1965.json"
        ],
        "the reference games of shared/fixtures/power, copied"
    );
    let mut failures = Vec::new();
    for (name, f) in &all {
        assert!(!f.description.is_empty(), "{name}");
        assert!(f.members.iter().zip(&f.weights).all(|(m, w)| m.weight == *w), "{name}");
        let quota = f.quota.to_string();
        let weights = f.weights.iter().map(u64::to_string).collect::<Vec<_>>().join(",");
        let report = power(&["--quota", &quota, "--weights", &weights]);
        let expected: Vec<String> = (1..=f.weights.len()).map(|i| format!("p{i}")).collect();
        assert_eq!(report.ids(), expected, "{name}: players are p1, p2, … in the order given");
        assert_eq!(report.shapley_shubik_method, Method::Exact, "{name}: small games are exact");
        failures.extend(differences(f, &report).into_iter().map(|d| format!("{name}: {d}")));
    }
    assert!(failures.is_empty(), "differences from the reference values:\n{}", failures.join("\n"));
}

#[test]
fn reference_games_are_the_same_when_shapley_shubik_is_forced_exact() {
    for (name, f) in fixtures() {
        let quota = f.quota.to_string();
        let weights = f.weights.iter().map(u64::to_string).collect::<Vec<_>>().join(",");
        let report = power(&["--quota", &quota, "--weights", &weights, "--shapley", "exact"]);
        assert_eq!(report.shapley_shubik_method, Method::Exact);
        let d = differences(&f, &report);
        assert!(d.is_empty(), "{name}:\n{}", d.join("\n"));
    }
}

// ---------------------------------------------------------------------------------------------
// NATO: the Military Committee decides by consensus, a unanimity game of 32

#[test]
fn nato_military_committee_is_unanimity_of_32() {
    let p = power(&[EXAMPLE, "--committee", "MC"]);
    assert_eq!(p.players, 32);
    assert_eq!(p.winning_coalitions, "1", "only the whole committee wins");
    assert_eq!(p.total_swings, "32");
    assert_eq!(p.shapley_shubik_method, Method::Exact);
    assert!(p.ids().contains(&"TUR") && p.ids().contains(&"USA") && p.ids().contains(&"SWE"));
    for m in &p.members {
        assert_eq!(m.swings, "1", "{m:?}");
        assert_close(&m.member, m.shapley_shubik, 1.0 / 32.0);
        assert_close(&m.member, m.banzhaf, 1.0 / 32.0);
        assert_close(&m.member, m.penrose, 2f64.powi(-31));
    }
    assert_eq!(differences(&fixture("unanimity-32.json"), &p), Vec::<String>::new());
}

// ---------------------------------------------------------------------------------------------
// EU Council: qualified majority with a blocking-minority clause

/// The EU example with its qualified-majority rule lacking the blocking-minority clause.
#[test]
fn the_seated_members_play_and_a_decided_proposal_keeps_the_committee_of_its_day() {
    // Sweden sits on the Military Committee from 2024-03-07.
    assert_eq!(power(&[EXAMPLE, "--committee", "MC", "--at", "2024-03-06"]).players, 31);
    assert_eq!(power(&[EXAMPLE, "--committee", "MC", "--at", "2024-03-07"]).players, 32);
    // The exercise circulated and decided before Sweden joined: its committee stays that of the
    // decision's day, however late the evaluation date.
    let text = replace_once(
        &replace_once(&read(EXAMPLE), "circulated = 2025-05-15", "circulated = 2023-12-01"),
        "deadline = 2025-06-13",
        "deadline = 2024-02-01",
    );
    let file = scenario_file(&text);
    let decided = power(&[file.path(), "--proposal", "eadrcc-2025-montana", "--at", "2025-06-15"]);
    assert_eq!(decided.players, 31);
    assert!(!decided.ids().contains(&"SWE"), "{:?}", decided.ids());
    assert_eq!(power(&[file.path(), "--committee", "MC", "--at", "2025-06-15"]).players, 32);
    // An open proposal: the committee of the evaluation date.
    assert_eq!(power(&[file.path(), "--proposal", "steadfast-2026-spec", "--at", "2025-06-15"]).players, 32);
}

fn eu_without_blocking_minority() -> String {
    replace_once(&read(EU_COUNCIL), ", blocking_min = 4 }", " }")
}

/// The members listed by a `power` table, from the top.
fn table_members(stdout: &str) -> Vec<String> {
    let mut lines = stdout.lines().skip_while(|l| !l.starts_with("MEMBER"));
    assert!(lines.next().is_some(), "no table header in:\n{stdout}");
    lines.map(|l| l.split_whitespace().next().unwrap().to_owned()).collect()
}

#[test]
fn eu_council_indices_sum_to_one_and_germany_leads_the_table() {
    let p = power(&[EU_COUNCIL, "--committee", "COUNCIL"]);
    assert_eq!(p.players, 27);
    assert_eq!(p.shapley_shubik_method, Method::Exact);
    let expected: Vec<String> = eu_populations().into_iter().map(|(id, _)| id).collect();
    assert_eq!(p.ids(), expected, "members in the body's order");
    let ss: f64 = p.members.iter().map(|m| m.shapley_shubik).sum();
    let bz: f64 = p.members.iter().map(|m| m.banzhaf).sum();
    assert!((ss - 1.0).abs() < 1e-9, "Shapley–Shubik sums to {ss}");
    assert!((bz - 1.0).abs() < 1e-9, "Banzhaf sums to {bz}");

    let run = concord(&["power", EU_COUNCIL, "--committee", "COUNCIL"]).success();
    let order = table_members(&run.stdout);
    assert_eq!(order.len(), 27, "{}", run.stdout);
    assert_eq!(order.first().map(String::as_str), Some("DEU"));
    assert_eq!(order.last().map(String::as_str), Some("MLT"), "the least populous member comes last");
    let power: Vec<f64> = order.iter().map(|id| p.member(id).banzhaf).collect();
    assert!(power.windows(2).all(|w| w[0] >= w[1]), "rows by decreasing power: {order:?}");
    let top = p.members.iter().map(|m| m.shapley_shubik).fold(0.0, f64::max);
    assert_eq!(p.member("DEU").shapley_shubik, top, "DEU also has the largest Shapley–Shubik index");
}

#[test]
fn eu_council_with_and_without_the_blocking_minority_agrees_with_an_independent_count() {
    let populations: Vec<usize> = eu_populations().into_iter().map(|(_, p)| p).collect();
    let file = scenario_file(&eu_without_blocking_minority());
    // Count while concord computes.
    let (counted, with, without) = std::thread::scope(|scope| {
        let with = scope.spawn(|| power(&[EU_COUNCIL, "--committee", "COUNCIL"]));
        let without = scope.spawn(|| power(&[file.path(), "--committee", "COUNCIL"]));
        let counted = Qualified::count(&populations, &[Some(4), None]);
        (counted, with.join().unwrap(), without.join().unwrap())
    });
    let d = counted[0].differences(&with);
    assert!(d.is_empty(), "with the blocking-minority clause:\n{}", d.join("\n"));
    let d = counted[1].differences(&without);
    assert!(d.is_empty(), "without the blocking-minority clause:\n{}", d.join("\n"));
    let (a, b) = (count(&with.winning_coalitions), count(&without.winning_coalitions));
    assert!(a > b, "the clause makes more coalitions win: {a} with it, {b} without");
}

// ---------------------------------------------------------------------------------------------
// UN Security Council: 5 vetoes and 9 votes of 15

const PERMANENT: [&str; 5] = ["CHN", "FRA", "GBR", "RUS", "USA"];
const ELECTED: [&str; 10] = ["ALG", "DNK", "GRC", "GUY", "KOR", "PAK", "PAN", "SLE", "SVN", "SOM"];

#[test]
fn security_council_has_the_classic_figures() {
    let p = power(&[UNSC, "--committee", "SC"]);
    assert_eq!(p.players, 15);
    assert_eq!(p.ids(), PERMANENT.iter().chain(&ELECTED).copied().collect::<Vec<_>>());
    assert_eq!(p.winning_coalitions, "848");
    assert_eq!(p.total_swings, "5080");
    assert_eq!(p.shapley_shubik_method, Method::Exact);
    for id in PERMANENT {
        let m = p.member(id);
        assert_eq!(m.swings, "848", "{m:?}");
        assert_close(id, m.shapley_shubik, 421.0 / 2145.0);
        assert_close(id, m.penrose, 53.0 / 1024.0);
        assert_close(id, m.banzhaf, 106.0 / 635.0);
    }
    for id in ELECTED {
        let m = p.member(id);
        assert_eq!(m.swings, "84", "{m:?}");
        assert_close(id, m.shapley_shubik, 4.0 / 2145.0);
        assert_close(id, m.penrose, 21.0 / 4096.0);
        assert_close(id, m.banzhaf, 21.0 / 1270.0);
    }
    // The veto rule is the weighted game [39; 7, 7, 7, 7, 7, 1 × 10].
    assert_eq!(differences(&fixture("unsc-1965.json"), &p), Vec::<String>::new());
}

#[test]
fn security_council_sampled_shapley_shubik_brackets_the_exact_value() {
    let exact = power(&[UNSC, "--committee", "SC", "--shapley", "exact"]);
    assert_eq!(exact.shapley_shubik_method, Method::Exact);
    let sampled = power(&[UNSC, "--committee", "SC", "--shapley", "sample", "--samples", "20000"]);
    assert_eq!(sampled.shapley_shubik_method, Method::Sampled);
    assert_eq!(sampled.shapley_shubik_samples, Some(20000));
    assert_eq!(sampled.winning_coalitions, exact.winning_coalitions, "counts stay exact");
    for (e, s) in exact.members.iter().zip(&sampled.members) {
        assert_eq!((&e.member, &e.swings), (&s.member, &s.swings));
        let error = s.shapley_shubik_error.unwrap();
        assert!(
            (s.shapley_shubik - e.shapley_shubik).abs() <= error,
            "{}: exact {} outside {} ± {error}",
            e.member,
            e.shapley_shubik,
            s.shapley_shubik
        );
        assert!(error < 0.02, "{}: a bound of {error} from 20000 orderings is too loose", e.member);
    }
    let table = concord(&["power", UNSC, "--committee", "SC", "--shapley", "sample", "--samples", "20000"]).success();
    assert!(table.stdout.contains("sampled from 20000 orderings"), "{}", table.stdout);
    assert!(table.stdout.contains(" ±"), "{}", table.stdout);
}

// ---------------------------------------------------------------------------------------------
// Errors

/// Runs `concord power ARGS…`, expecting a failure; returns standard error.
#[track_caller]
fn power_error(args: &[&str]) -> String {
    let mut all = vec!["power"];
    all.extend_from_slice(args);
    concord(&all).failure().stderr
}

#[track_caller]
fn assert_mentions(stderr: &str, parts: &[&str]) {
    for part in parts {
        assert!(stderr.contains(part), "the message should mention `{part}`:\n{stderr}");
    }
}

#[test]
fn unknown_committee_lists_the_known_ones() {
    let e = power_error(&[EU_COUNCIL, "--committee", "ECOFIN"]);
    assert_mentions(&e, &["ECOFIN", EU_COUNCIL, "COUNCIL", "COUNCIL-UNANIMITY"]);
    let e = power_error(&[UNSC, "--committee", "GA", "--format", "json"]);
    assert_mentions(&e, &["GA", "SC"]);
}

#[test]
fn scenario_without_committee() {
    assert_mentions(&power_error(&[UNSC]), &["--committee"]);
}

#[test]
fn quota_without_weights() {
    assert_mentions(&power_error(&["--quota", "5"]), &["--weights"]);
    assert_mentions(&power_error(&["--weights", "1,2,3"]), &["--quota"]);
}

#[test]
fn non_numeric_weight() {
    assert_mentions(&power_error(&["--quota", "5", "--weights", "1,x,3"]), &["--weights", "`x`"]);
    assert_mentions(&power_error(&["--quota", "5", "--weights", "1,,3"]), &["--weights"]);
    assert_mentions(&power_error(&["--quota", "five", "--weights", "1,2,3"]), &["--quota", "`five`"]);
}

#[test]
fn negative_weight() {
    assert_mentions(&power_error(&["--quota", "5", "--weights", "1,-2,3"]), &["-2", "negative"]);
    assert_mentions(&power_error(&["--quota", "5", "--weights=-2,1"]), &["-2", "negative"]);
    assert_mentions(&power_error(&["--quota=-1", "--weights", "1,2"]), &["quota", "negative"]);
}

#[test]
fn no_arguments_at_all() {
    assert_mentions(&power_error(&[]), &["--committee", "--quota", "--weights"]);
}

#[test]
fn zero_samples_is_invalid_input() {
    let e = power_error(&[UNSC, "--committee", "SC", "--shapley", "sample", "--samples", "0"]);
    assert_mentions(&e, &["--samples"]);
}

#[test]
fn scenario_and_weights_together() {
    power_error(&[UNSC, "--quota", "5", "--weights", "1,2"]);
}

#[test]
fn committee_of_a_scenario_that_does_not_load() {
    let file = scenario_file("[scenario]\nid = \"x\"\n");
    let e = power_error(&[file.path(), "--committee", "SC"]);
    assert_mentions(&e, &[file.path()]);
}

#[test]
fn negative_numbers_reach_the_weight_check() {
    // Without `=`, a leading minus must still be read as a number, not an option.
    let e = power_error(&["--quota", "5", "--weights", "-2,1"]);
    assert_mentions(&e, &["negative"]);
    let e = power_error(&["--quota", "-1", "--weights", "2,1"]);
    assert_mentions(&e, &["quota"]);
}

#[test]
fn degenerate_games_are_named_in_the_table() {
    let none = concord(&["power", "--quota", "10", "--weights", "1,2,3"]).success();
    assert!(none.stdout.contains("no coalition can win"), "{}", none.stdout);
    let all = concord(&["power", "--quota", "0", "--weights", "1,2,3"]).success();
    assert!(all.stdout.contains("every coalition wins"), "{}", all.stdout);
}

#[test]
fn unweighted_rules_print_no_weight() {
    let p = power(&[UNSC, "--committee", "SC"]);
    assert!(p.members.iter().all(|m| m.weight.is_none()), "{p:#?}");
}
