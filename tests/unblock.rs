//! `concord unblock` and `concord levers` (contract §7) end to end: the seed case's two ways and
//! Türkiye's condition in words, the same answers from a store as from its file, a vote's
//! objection that only a consent lifts, and bad arguments refused with the reason.

use serde_json::json;

use crate::store::nato_store;
use crate::util::{EXAMPLE, concord};

#[test]
fn the_seed_case_lifts_with_both_gaza_facts_or_with_turkiyes_consent() {
    let u = concord(&["unblock", EXAMPLE, "eadrcc-2025-montana", "--format", "json"]).success().json();
    assert_eq!(
        (&u["proposal"], &u["at"], &u["outcome"]),
        (&json!("eadrcc-2025-montana"), &json!("2025-06-15"), &json!("blocked"))
    );
    assert_eq!(
        u["ways"],
        json!([
            { "changes": [ { "member": "TUR", "stance": "consent" } ] },
            { "changes": [ { "fact": "gaza_aid_unobstructed", "value": true },
                           { "fact": "gaza_permanent_ceasefire", "value": true } ] },
        ])
    );
    assert_eq!(u["conditions"][0]["member"], "TUR");
    assert_eq!(u["conditions"][0]["position"], "tur-no-new-israel-engagement");
    assert_eq!(u["conditions"][0]["lifts_when"], "gaza_permanent_ceasefire is true and gaza_aid_unobstructed is true");
    assert_eq!(u["decided"], true, "the record of 13 June stands: the ways are for putting it again");
    // No single fact is enough: `levers` lists Türkiye's consent and no fact.
    let l = concord(&["levers", EXAMPLE, "--format", "json"]).success().json();
    let montana: Vec<&serde_json::Value> = l["levers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["proposals"].as_array().unwrap().contains(&json!("eadrcc-2025-montana")))
        .collect();
    assert_eq!(montana.len(), 1, "{l}");
    assert_eq!(montana[0]["change"], json!({ "member": "TUR", "stance": "consent" }));
}

#[test]
fn a_smaller_budget_leaves_out_the_larger_ways() {
    let u = concord(&["unblock", EXAMPLE, "eadrcc-2025-montana", "--max", "1", "--format", "json"]).success().json();
    assert_eq!(u["ways"], json!([{ "changes": [ { "member": "TUR", "stance": "consent" } ] }]));
    assert_eq!(u["max"], 1);
}

#[test]
fn a_store_answers_as_its_file_and_a_vote_is_lifted_only_by_consent() {
    let store = nato_store();
    for p in ["eadrcc-2025-montana", "nuc-2025-statement"] {
        let a = concord(&["unblock", EXAMPLE, p, "--at", "2025-06-15", "--format", "json"]).success().json();
        let b = store.run(&["unblock", p, "--at", "2025-06-15", "--format", "json"]).success().json();
        assert_eq!(a, b, "{p}");
    }
    let a = concord(&["levers", EXAMPLE, "--at", "2025-06-15", "--format", "json"]).success().json();
    let b = store.run(&["levers", "--at", "2025-06-15", "--format", "json"]).success().json();
    assert_eq!(a, b);
    store
        .run(&["vote", "steadfast-2026-spec", "FRA", "object", "--reason", "text not ready", "--at", "2025-06-16"])
        .success();
    let u = store.run(&["unblock", "steadfast-2026-spec", "--at", "2025-06-16", "--format", "json"]).success().json();
    assert_eq!(u["outcome"], "blocked");
    let ways = u["ways"].as_array().unwrap();
    assert!(
        ways.iter()
            .all(|w| w["changes"].as_array().unwrap().contains(&json!({ "member": "FRA", "stance": "consent" }))),
        "an objection by vote lifts only by the member's consent: {u}"
    );
    let text = store.run(&["unblock", "steadfast-2026-spec", "--at", "2025-06-16"]).success().stdout;
    assert!(text.contains("FRA consents"), "{text}");
}

#[test]
fn bad_arguments_are_refused_with_the_reason() {
    let unknown = concord(&["unblock", EXAMPLE, "no-such-proposal"]).failure();
    assert!(unknown.stderr.contains("no proposal `no-such-proposal`"), "{}", unknown.stderr);
    for max in ["0", "7", "many"] {
        let run = concord(&["unblock", EXAMPLE, "eadrcc-2025-montana", "--max", max]).failure();
        assert!(run.stderr.contains("from 1 to 6"), "{}", run.stderr);
    }
    let early = concord(&["unblock", EXAMPLE, "eadrcc-2025-montana", "--at", "2025-01-01"]).failure();
    assert!(early.stderr.contains("not before its committee on 2025-01-01"), "{}", early.stderr);
    let both = concord(&["--db", "x.db", "levers", EXAMPLE]).failure();
    assert!(both.stderr.contains("not both"), "{}", both.stderr);
}
