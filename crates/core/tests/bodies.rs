//! Rules as real bodies use them (contract §6, issue 12): the OSCE's consensus minus the State
//! concerned, the EU's constructive abstention, shares as exact fractions, and how a scenario
//! writes them, refuses them and decides with them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]

use concord_core::{Engine, Outcome};

/// Five participating States under consensus minus the State concerned, and one proposal
/// concerning YUG (the CSCE's suspension of Yugoslavia, 8 July 1992, was decided so).
fn osce(votes: &str) -> String {
    format!(
        r#"
[scenario]
id = "osce"
as_of = 1992-07-08

[[member]]
id = "AUT"
[[member]]
id = "FRA"
[[member]]
id = "RUS"
[[member]]
id = "USA"
[[member]]
id = "YUG"

[[committee]]
id = "CSO"
members = "all"
rule = {{ kind = "consensus", disregard = "concerned" }}

[[proposal]]
id = "suspend-yug"
committee = "CSO"
kind = "decision"
engagement = "new"
circulated = 1992-07-01
deadline = 1992-07-08
procedure = "meeting"
concerned = ["YUG"]

[[proposal]]
id = "other"
committee = "CSO"
kind = "decision"
engagement = "new"
circulated = 1992-07-01
deadline = 1992-07-08
procedure = "meeting"
{votes}"#
    )
}

fn vote(proposal: &str, member: &str, stance: &str) -> String {
    let reason = if stance == "object" { "reason = \"no\"\n" } else { "" };
    format!(
        "\n[[vote]]\nproposal = \"{proposal}\"\nmember = \"{member}\"\nstance = \"{stance}\"\nat = 1992-07-05\n{reason}"
    )
}

fn outcome(engine: &Engine, proposal: &str) -> Outcome {
    let evaluation = engine.evaluate(engine.as_of(), &[]).unwrap();
    let p = engine.scenario().proposals.iter().position(|p| p.id == proposal).unwrap();
    evaluation.decision(p).unwrap().outcome
}

#[test]
fn the_objection_of_the_state_concerned_is_disregarded_and_any_other_blocks() {
    let yug = concord_core::load(&osce(&vote("suspend-yug", "YUG", "object")), "osce.toml").unwrap();
    assert_eq!(outcome(&yug, "suspend-yug"), Outcome::Adopted, "YUG's objection does not count");
    // Its objection is on record, and said not to block.
    let evaluation = yug.evaluate(yug.as_of(), &[]).unwrap();
    let report = evaluation.explain(0).unwrap();
    assert_eq!(report.decision.objections.len(), 1);
    assert!(!report.decision.objections[0].veto, "{:?}", report.decision.objections[0]);
    // On a proposal that does not concern it, YUG's objection blocks like any other.
    let other = concord_core::load(&osce(&vote("other", "YUG", "object")), "osce.toml").unwrap();
    assert_eq!(outcome(&other, "other"), Outcome::Blocked);
    // Another State's objection blocks the suspension.
    let rus = format!("{}{}", vote("suspend-yug", "YUG", "object"), vote("suspend-yug", "RUS", "object"));
    let rus = concord_core::load(&osce(&rus), "osce.toml").unwrap();
    assert_eq!(outcome(&rus, "suspend-yug"), Outcome::Blocked);
}

#[test]
fn the_state_concerned_has_no_voting_power_on_its_proposal() {
    let engine = concord_core::load(&osce(""), "osce.toml").unwrap();
    let game = engine.proposal_game(0, engine.as_of()).unwrap();
    let power = concord_core::power::analyse(&game, &Default::default(), &mut |_, _| {}).unwrap();
    let yug = power.members.iter().find(|m| m.member == "YUG").unwrap();
    assert_eq!(yug.swings, "0");
    let aut = power.members.iter().find(|m| m.member == "AUT").unwrap();
    assert!((aut.banzhaf - 0.25).abs() < 1e-12, "four States share the power: {aut:?}");
}

/// The Council of 27 with the populations of 1 January 2022 (Eurostat, thousands), under
/// unanimity with constructive abstention (TEU art. 31(1)): a third of the States holding a third
/// of the population block by abstaining.
fn council(abstaining: &[&str]) -> String {
    const STATES: [(&str, u32); 27] = [
        ("DEU", 83_237),
        ("FRA", 67_843),
        ("ITA", 59_030),
        ("ESP", 47_433),
        ("POL", 37_654),
        ("ROU", 19_038),
        ("NLD", 17_591),
        ("BEL", 11_618),
        ("CZE", 10_516),
        ("GRC", 10_459),
        ("SWE", 10_452),
        ("PRT", 10_352),
        ("HUN", 9_689),
        ("AUT", 8_979),
        ("BGR", 6_838),
        ("DNK", 5_873),
        ("FIN", 5_548),
        ("SVK", 5_434),
        ("IRL", 5_060),
        ("HRV", 3_862),
        ("LTU", 2_805),
        ("SVN", 2_107),
        ("LVA", 1_875),
        ("EST", 1_331),
        ("CYP", 904),
        ("LUX", 645),
        ("MLT", 520),
    ];
    let mut text = String::from("[scenario]\nid = \"cfsp\"\nas_of = 2022-02-28\n");
    for (id, population) in STATES {
        text.push_str(&format!("\n[[member]]\nid = \"{id}\"\nweights = {{ population = {population} }}\n"));
    }
    text.push_str(
        "\n[[committee]]\nid = \"COUNCIL\"\nmembers = \"all\"\n\
         rule = { kind = \"unanimity\", constructive_abstention = { members_share = \"1/3\", weight = \"population\", weight_share = \"1/3\" } }\n\
         \n[[proposal]]\nid = \"epf\"\ncommittee = \"COUNCIL\"\nkind = \"assistance-measure\"\nengagement = \"new\"\ncirculated = 2022-02-27\n",
    );
    for (id, _) in STATES {
        let stance = if abstaining.contains(&id) { "abstain" } else { "consent" };
        text.push_str(&format!(
            "\n[[vote]]\nproposal = \"epf\"\nmember = \"{id}\"\nstance = \"{stance}\"\nat = 2022-02-28\n"
        ));
    }
    text
}

#[test]
fn a_constructive_abstention_blocks_only_at_a_third_of_states_and_of_population() {
    let outcome_with =
        |abstaining: &[&str]| outcome(&concord_core::load(&council(abstaining), "cfsp.toml").unwrap(), "epf");
    // 28 February 2022: Austria, Ireland and Malta abstained on the lethal aid; adopted.
    assert_eq!(outcome_with(&["AUT", "IRL", "MLT"]), Outcome::Adopted);
    // Nine small States are a third of the States, but not of the population.
    let small = ["HRV", "LTU", "SVN", "LVA", "EST", "CYP", "LUX", "MLT", "IRL"];
    assert_eq!(outcome_with(&small), Outcome::Adopted);
    // Nine large ones reach both thirds: blocked.
    let large = ["DEU", "FRA", "ITA", "ESP", "POL", "ROU", "NLD", "BEL", "CZE"];
    assert_eq!(outcome_with(&large), Outcome::Blocked);
    // Eight large ones hold more than a third of the population but are fewer than a third.
    assert_eq!(outcome_with(&large[..8]), Outcome::Adopted);
}

#[test]
fn shares_are_written_as_fractions_or_decimals_and_written_back_as_given() {
    let text = council(&[]).replace("members_share = \"1/3\"", "members_share = 0.3334");
    let engine = concord_core::load(&text, "cfsp.toml").unwrap();
    let written = concord_core::scenario::write(engine.scenario());
    assert!(written.contains("members_share = 0.3334"), "{written}");
    assert!(written.contains("weight_share = \"1/3\""), "{written}");
    let again = concord_core::load(&written, "written.toml").unwrap();
    assert_eq!(again.scenario().committees, engine.scenario().committees);
    let osce = concord_core::load(&osce(""), "osce.toml").unwrap();
    let written = concord_core::scenario::write(osce.scenario());
    assert!(written.contains("disregard = \"concerned\""), "{written}");
    assert!(written.contains("concerned = [\"YUG\"]"), "{written}");
    assert_eq!(concord_core::load(&written, "w.toml").unwrap().scenario(), osce.scenario());
}

/// The messages of a refused scenario, with the field of each.
fn refused(text: &str) -> Vec<(Option<String>, String)> {
    match concord_core::load(text, "bad.toml") {
        Ok(_) => panic!("the scenario was accepted"),
        Err(errors) => {
            errors.errors().iter().map(|e| (e.field().map(str::to_owned), e.problem().message.clone())).collect()
        }
    }
}

#[test]
fn malformed_rules_and_concerned_members_are_refused_with_their_field() {
    let text = osce("").replace("disregard = \"concerned\"", "disregard = \"nobody\"");
    let errors = refused(&text);
    assert!(
        errors.iter().any(|(f, m)| f.as_deref() == Some("rule.disregard") && m.contains("`\"concerned\"`")),
        "{errors:?}"
    );
    let text = osce("").replace("concerned = [\"YUG\"]", "concerned = [\"YUG\", \"XXX\", \"YUG\"]");
    let errors = refused(&text);
    assert!(
        errors.iter().any(|(f, m)| f.as_deref() == Some("concerned[1]") && m.contains("unknown member `XXX`")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|(f, m)| f.as_deref() == Some("concerned[2]") && m.contains("listed twice")),
        "{errors:?}"
    );
    for (from, to, field, words) in [
        (
            "members_share = \"1/3\"",
            "members_share = \"4/3\"",
            "rule.constructive_abstention.members_share",
            "at most 1",
        ),
        (
            "members_share = \"1/3\"",
            "members_share = \"one third\"",
            "rule.constructive_abstention.members_share",
            "not a share",
        ),
        ("weight_share = \"1/3\"", "weight_share = \"1/0\"", "rule.constructive_abstention.weight_share", "at most 1"),
        (", weight_share = \"1/3\"", "", "rule.constructive_abstention", "`weight` and `weight_share` together"),
        (
            "weight_share = \"1/3\"",
            "weight_share = \"1/3\", quorum = 3",
            "rule.constructive_abstention.quorum",
            "unknown field",
        ),
    ] {
        let text = council(&[]).replace(from, to);
        let errors = refused(&text);
        assert!(errors.iter().any(|(f, m)| f.as_deref() == Some(field) && m.contains(words)), "{to}: {errors:?}");
    }
}

/// Three members, two of them in the EU, each holding the same position keyed on groups.
const GROUPS: &str = r#"
[scenario]
id = "groups"
as_of = 2025-06-15

[[member]]
id = "AUT"
groups = ["EU", "OSCE"]
[[member]]
id = "HUN"
groups = ["EU", "NATO", "OSCE"]
[[member]]
id = "TUR"
groups = ["NATO", "OSCE"]

[[committee]]
id = "C"
members = "all"
rule = "consensus"

[[proposal]]
id = "p"
committee = "C"
kind = "statement"
engagement = "new"

[[position]]
id = "aut-eu-line"
member = "AUT"
source = "AUT"
policy = 'forbid (principal, action, resource) when { principal.groups.contains("NATO") };'

[[position]]
id = "hun-eu-line"
member = "HUN"
source = "HUN"
policy = 'forbid (principal, action, resource) when { principal.groups.contains("NATO") && Member::"TUR".groups.contains("NATO") };'
"#;

#[test]
fn positions_read_the_groups_of_members() {
    let engine = concord_core::load(GROUPS, "groups.toml").unwrap();
    let evaluation = engine.evaluate(engine.as_of(), &[]).unwrap();
    let objecting: Vec<&str> =
        evaluation.decisions()[0].objections.iter().map(|o| engine.scenario().members[o.member].id.as_str()).collect();
    // AUT is not in NATO: its position does not apply to itself; HUN's does.
    assert_eq!(objecting, ["HUN"]);
    let written = concord_core::scenario::write(engine.scenario());
    assert!(written.contains("groups = [\"EU\", \"NATO\", \"OSCE\"]"), "{written}");
    let errors = refused(&GROUPS.replace("groups = [\"EU\", \"OSCE\"]", "groups = [\"EU\", \"EU\"]"));
    assert!(errors.iter().any(|(f, m)| f.as_deref() == Some("groups[1]") && m.contains("listed twice")), "{errors:?}");
}

/// Three proposals with list attributes: the posts a decision fills and the years it covers.
const LISTS: &str = r#"
[scenario]
id = "lists"
as_of = 2023-12-01

[[member]]
id = "RUS"
[[member]]
id = "USA"

[[committee]]
id = "MC"
members = "all"
rule = "consensus"

[[proposal]]
id = "top-four"
committee = "MC"
kind = "appointment"
engagement = "continuing"
attributes = { posts = ["SG", "RFoM", "HCNM", "ODIHR"], years = [2023, 2024] }

[[proposal]]
id = "sg-only"
committee = "MC"
kind = "appointment"
engagement = "continuing"
attributes = { posts = ["SG"], years = [2024] }

[[proposal]]
id = "none-yet"
committee = "MC"
kind = "appointment"
engagement = "continuing"
attributes = { posts = [], years = [] }

[[position]]
id = "rus-no-odihr"
member = "RUS"
source = "test"
policy = 'forbid (principal, action, resource) when { resource.attributes.posts.contains("ODIHR") && resource.attributes.years.containsAny([2024, 2025]) };'
"#;

#[test]
fn list_attributes_are_cedar_sets() {
    let engine = concord_core::load(LISTS, "lists.toml").unwrap();
    let evaluation = engine.evaluate(engine.as_of(), &[]).unwrap();
    let outcomes: Vec<Outcome> = evaluation.decisions().iter().map(|d| d.outcome).collect();
    assert_eq!(outcomes, [Outcome::Blocked, Outcome::Adopted, Outcome::Adopted]);
    // Written back as lists, and read again the same.
    let written = concord_core::scenario::write(engine.scenario());
    assert!(written.contains(r#"posts = ["SG", "RFoM", "HCNM", "ODIHR"]"#), "{written}");
    assert!(written.contains("years = [2023, 2024]"), "{written}");
    assert_eq!(concord_core::load(&written, "w.toml").unwrap().scenario(), engine.scenario());
}

#[test]
fn list_attributes_of_mixed_or_other_types_are_refused_with_their_item() {
    let errors = refused(&LISTS.replace("years = [2023, 2024]", "years = [2023, \"2024\"]"));
    assert!(
        errors
            .iter()
            .any(|(f, m)| f.as_deref() == Some("attributes.years[1]") && m.contains("mixes integers and strings")),
        "{errors:?}"
    );
    // The list keeps the type of its good items: no error follows in the position.
    assert_eq!(errors.len(), 1, "{errors:?}");
    let errors = refused(&LISTS.replace("posts = [\"SG\"]", "posts = [true]"));
    assert!(
        errors.iter().any(|(f, m)| f.as_deref() == Some("attributes.posts[0]") && m.contains("strings or numbers")),
        "{errors:?}"
    );
    let errors = refused(&LISTS.replace("posts = [\"SG\"]", "posts = \"SG\""));
    assert!(
        errors.iter().any(|(f, m)| f.as_deref() == Some("attributes.posts")
            && m.contains("is a string here but a list of strings in proposal #1")),
        "{errors:?}"
    );
    let errors = refused(&LISTS.replace("years = []", "years = [[2024]]"));
    assert!(errors.iter().any(|(f, _)| f.as_deref() == Some("attributes.years[0]")), "{errors:?}");
}

#[test]
fn a_list_attribute_arrives_by_change_and_an_empty_list_takes_the_type_of_the_next() {
    // Every list of posts is empty: positions read them as sets of strings.
    let text = LISTS.replace(r#"["SG", "RFoM", "HCNM", "ODIHR"]"#, "[]").replace(r#"["SG"]"#, "[]");
    let engine = concord_core::load(&text, "l.toml").unwrap();
    let json = r#"{"change":"proposal","id":"late","committee":"MC","kind":"appointment","partners":[],"engagement":"continuing","attributes":{"posts":["ODIHR"],"years":[2025]}}"#;
    let change: concord_core::Change = serde_json::from_str(json).unwrap();
    assert_eq!(serde_json::to_string(&change).unwrap(), json, "a change keeps its bytes");
    let mut engine = engine;
    engine.apply("2023-12-02".parse().unwrap(), change).unwrap();
    let evaluation = engine.evaluate("2023-12-02".parse().unwrap(), &[]).unwrap();
    let late = engine.proposal_index("late").unwrap();
    assert_eq!(evaluation.decision(late).unwrap().outcome, Outcome::Blocked);
    let bad = r#"{"change":"proposal","id":"bad","committee":"MC","kind":"k","attributes":{"posts":["SG",2]}}"#;
    let error = serde_json::from_str::<concord_core::Change>(bad).unwrap_err().to_string();
    assert!(error.contains("one type"), "{error}");
}
