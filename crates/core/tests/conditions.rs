//! When a position would lift, in words (issue 13): every position that objects to a proposal
//! of a bundled example has its condition put in words from its policy, and the seed case reads
//! as the contract says.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]

use std::collections::BTreeMap;

use concord_core::{Cause, Engine};

fn example(name: &str) -> Engine {
    let path = format!("{}/../../examples/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    concord_core::load(&text, &path).unwrap()
}

/// Every objecting position of an example on its `as_of`, by (proposal, position) id, with its
/// condition in words.
fn conditions(name: &str) -> BTreeMap<(String, String), String> {
    let engine = example(name);
    let evaluation = engine.evaluate(engine.as_of(), &[]).unwrap();
    let mut out = BTreeMap::new();
    for d in evaluation.decisions() {
        for o in &d.objections {
            let Cause::Positions(positions) = &o.cause else { continue };
            for &pos in positions {
                let lifts = engine.lifts_when(pos, d.proposal, d.stances_on);
                let words = lifts.words.unwrap_or_else(|| panic!("{name}: {} not in words", lifts.cedar));
                let proposal = engine.scenario().proposals[d.proposal].id.clone();
                out.insert((proposal, engine.scenario().positions[pos].id.clone()), words);
            }
        }
    }
    out
}

fn get<'a>(c: &'a BTreeMap<(String, String), String>, proposal: &str, position: &str) -> &'a str {
    c.get(&(proposal.to_owned(), position.to_owned())).unwrap_or_else(|| panic!("{proposal}/{position}: {c:#?}"))
}

#[test]
fn the_seed_case_in_words() {
    let c = conditions("nato-2025.toml");
    assert_eq!(
        get(&c, "eadrcc-2025-montana", "tur-no-new-israel-engagement"),
        "gaza_permanent_ceasefire is true and gaza_aid_unobstructed is true"
    );
}

#[test]
fn every_objecting_position_of_the_examples_is_in_words() {
    for name in [
        "nato-2025.toml",
        "nato-enlargement-2022.toml",
        "osce-2023.toml",
        "eu-cfsp.toml",
        "eu-council.toml",
        "un-security-council.toml",
    ] {
        conditions(name);
    }
}

#[test]
fn the_osce_positions_in_words() {
    let c = conditions("osce-2023.toml");
    assert!(c.values().any(|w| w == "RUS does not object"), "{c:#?}");
    assert!(
        c.values().any(|w| w == "the kind is not chairpersonship or attribute year is not 2024 or attribute chair_groups does not contain NATO"),
        "{c:#?}"
    );
    assert!(
        c.values().any(|w| w == "the kind is not budget or attribute refers_to_war_against_ukraine is false"),
        "{c:#?}"
    );
}

#[test]
fn the_enlargement_positions_in_words() {
    // On 2022-07-05, when the protocols were signed, Türkiye and Hungary held them.
    let engine = example("nato-enlargement-2022.toml");
    let at = "2022-07-05".parse().unwrap();
    let evaluation = engine.evaluate(at, &[]).unwrap();
    let mut words = Vec::new();
    for d in evaluation.decisions() {
        for o in &d.objections {
            if let Cause::Positions(positions) = &o.cause {
                words.extend(positions.iter().map(|&pos| engine.lifts_when(pos, d.proposal, at).words.unwrap()));
            }
        }
    }
    assert!(words.iter().any(|w| w == "tur_recognises_fin_steps is true"), "{words:#?}");
    assert!(
        words.iter().any(|w| w == "tur_recognises_swe_steps is true and swe_terror_law_in_force is true"),
        "{words:#?}"
    );
}

/// The test of done: on the bundled NATO example, Türkiye's veto on the Montana exercise
/// lifts when both Gaza facts are true, or when Türkiye consents; no single fact is enough.
#[test]
fn unblock_the_seed_case() {
    use concord_core::{Lever, Stance, Value};
    let engine = example("nato-2025.toml");
    let p = engine.proposal_index("eadrcc-2025-montana").unwrap();
    let tur = engine.member_index("TUR").unwrap();
    let u = engine.unblock(p, engine.as_of(), 3).unwrap();
    let fact = |f: &str| Lever::Fact { fact: f.to_owned(), value: Value::Bool(true) };
    assert_eq!(
        u.ways,
        vec![
            vec![Lever::Stance { member: tur, stance: Stance::Consent }],
            vec![fact("gaza_aid_unobstructed"), fact("gaza_permanent_ceasefire")],
        ]
    );
    assert!(u.decided && !u.adopted_as_it_is);
    assert_eq!(u.conditions.len(), 1);
    assert_eq!(
        u.conditions[0].lifts_when.words.as_deref(),
        Some("gaza_permanent_ceasefire is true and gaza_aid_unobstructed is true")
    );
}

/// Belarus follows Russia on the 2024 Chairmanship: Russia's consent alone would unblock it.
#[test]
fn unblock_follows_the_link() {
    use concord_core::{Lever, Stance};
    let engine = example("osce-2023.toml");
    let p = engine.proposal_index("chair-2024-estonia").unwrap();
    let rus = engine.member_index("RUS").unwrap();
    let u = engine.unblock(p, engine.as_of(), 2).unwrap();
    assert_eq!(u.ways, vec![vec![Lever::Stance { member: rus, stance: Stance::Consent }]], "{u:#?}");
}

/// A what-if says which position stopped or started applying, and because of which facts set.
#[test]
fn a_what_if_names_the_positions_that_stop_and_start_applying() {
    let engine = example("nato-2025.toml");
    let at = engine.as_of();
    let before = engine.evaluate(at, &[]).unwrap();
    let set = [
        ("gaza_permanent_ceasefire".to_owned(), concord_core::Value::Bool(true)),
        ("gaza_aid_unobstructed".to_owned(), concord_core::Value::Bool(true)),
    ];
    let after = before.what_if(&set).unwrap();
    let report = after.what_if_report(&set, &before.changes(&after));
    let montana = report.changed.iter().find(|c| c.proposal == "eadrcc-2025-montana").unwrap();
    assert_eq!(
        montana.positions.iter().map(|p| p.in_words()).collect::<Vec<_>>(),
        [
            "TUR's position tur-no-new-israel-engagement stops applying, because of gaza_aid_unobstructed and gaza_permanent_ceasefire"
        ]
    );
    // Back again: the same position starts applying.
    let back = after.changes(&before);
    let report = before.what_if_report(&[], &back);
    let montana = report.changed.iter().find(|c| c.proposal == "eadrcc-2025-montana").unwrap();
    assert_eq!(montana.positions.len(), 1);
    assert!(montana.positions[0].applies);
    assert_eq!(montana.positions[0].facts, ["gaza_aid_unobstructed", "gaza_permanent_ceasefire"]);
}
