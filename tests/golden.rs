//! Golden snapshots of the output on the example scenarios, for people (tables, explanations) and
//! for scripts (JSON), with colour off. Review a change with `cargo insta review`, or accept it
//! with `INSTA_UPDATE=always cargo test --test integration` and read the `.snap` diff.

use crate::util::{EU_COUNCIL, EXAMPLE, NATO_ENLARGEMENT, OSCE_2023, UNSC, concord};

const BOTH_FACTS: [&str; 4] = ["--set", "gaza_permanent_ceasefire=true", "--set", "gaza_aid_unobstructed=true"];

fn stdout(args: &[&str]) -> String {
    concord(args).success().stdout
}

fn with(base: &[&'static str], extra: &[&'static str]) -> Vec<&'static str> {
    base.iter().chain(extra).copied().collect()
}

#[test]
fn decide_table() {
    insta::assert_snapshot!(stdout(&["decide", EXAMPLE]));
}

#[test]
fn decide_table_what_if() {
    insta::assert_snapshot!(stdout(&with(&["decide", EXAMPLE], &BOTH_FACTS)));
}

#[test]
fn decide_json() {
    insta::assert_snapshot!(stdout(&["decide", EXAMPLE, "--format", "json"]));
}

#[test]
fn explain_montana_text() {
    insta::assert_snapshot!(stdout(&["explain", EXAMPLE, "eadrcc-2025-montana"]));
}

#[test]
fn explain_montana_json() {
    insta::assert_snapshot!(stdout(&["explain", EXAMPLE, "eadrcc-2025-montana", "--format", "json"]));
}

#[test]
fn explain_nuc_statement_text() {
    insta::assert_snapshot!(stdout(&["explain", EXAMPLE, "nuc-2025-statement"]));
}

#[test]
fn explain_steadfast_text() {
    insta::assert_snapshot!(stdout(&["explain", EXAMPLE, "steadfast-2026-spec"]));
}

#[test]
fn what_if_table() {
    insta::assert_snapshot!(stdout(&with(&["what-if", EXAMPLE], &BOTH_FACTS)));
}

#[test]
fn what_if_table_no_change() {
    insta::assert_snapshot!(stdout(&["what-if", EXAMPLE, "--set", "gaza_permanent_ceasefire=true"]));
}

#[test]
fn what_if_json() {
    insta::assert_snapshot!(stdout(&with(&["what-if", EXAMPLE, "--format", "json"], &BOTH_FACTS)));
}

#[test]
fn power_nato_military_committee_table() {
    insta::assert_snapshot!(stdout(&["power", EXAMPLE, "--committee", "MC"]));
}

#[test]
fn power_eu_council_table() {
    insta::assert_snapshot!(stdout(&["power", EU_COUNCIL, "--committee", "COUNCIL"]));
}

#[test]
fn power_security_council_table() {
    insta::assert_snapshot!(stdout(&["power", UNSC, "--committee", "SC"]));
}

#[test]
fn eu_council_decide_table() {
    insta::assert_snapshot!(stdout(&["decide", EU_COUNCIL]));
}

#[test]
fn eu_council_explain_directive_text() {
    insta::assert_snapshot!(stdout(&["explain", EU_COUNCIL, "dir-2025-207"]));
}

#[test]
fn security_council_decide_table() {
    insta::assert_snapshot!(stdout(&["decide", UNSC]));
}

/// The example with both Gaza facts observed true from 2025-06-20, after the exercise's deadline.
fn facts_changed_after_the_deadline() -> crate::util::TempScenario {
    let mut text = crate::util::example_text();
    for fact in ["gaza_permanent_ceasefire", "gaza_aid_unobstructed"] {
        text.push_str(&format!(
            "\n[[fact]]\nid = \"{fact}\"\nvalue = true\nas_of = 2025-06-20\nsource = \"Illustrative: a later report\"\n"
        ));
    }
    crate::util::scenario_file(&text)
}

#[test]
fn decide_table_after_the_facts_changed() {
    let file = facts_changed_after_the_deadline();
    insta::assert_snapshot!(stdout(&["decide", file.path(), "--at", "2025-07-01"]));
}

#[test]
fn explain_montana_text_after_the_facts_changed() {
    let file = facts_changed_after_the_deadline();
    insta::assert_snapshot!(stdout(&["explain", file.path(), "eadrcc-2025-montana", "--at", "2025-07-01"]));
}

#[test]
fn history_text() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    let db = db.to_str().unwrap();
    concord(&["--db", db, "init", EXAMPLE]).success();
    concord(&[
        "--db",
        db,
        "vote",
        "steadfast-2026-spec",
        "HUN",
        "object",
        "--reason",
        "scheduling",
        "--at",
        "2025-06-16",
    ])
    .success();
    concord(&["--db", db, "vote", "steadfast-2026-spec", "HUN", "consent", "--at", "2025-06-20"]).success();
    concord(&["--db", db, "extend", "steadfast-2026-spec", "--deadline", "2025-07-04", "--at", "2025-06-25"]).success();
    concord(&["--db", db, "tick", "--now", "2025-07-05"]).success();
    insta::assert_snapshot!(stdout(&["--db", db, "history", "steadfast-2026-spec"]));
}

/// The README's example output is what the program prints: the decision table in full, and the
/// Linkage in words: Belarus objects because Russia does, under Russia's position.
#[test]
fn explain_osce_estonia_chair_text() {
    insta::assert_snapshot!(stdout(&["explain", OSCE_2023, "chair-2024-estonia"]));
}

/// Hungary withholds its consent to Sweden while Türkiye has not consented, and for its
/// grievance; Türkiye's own stance is silent then.
#[test]
fn explain_nato_sweden_late_2023_text() {
    insta::assert_snapshot!(stdout(&["explain", NATO_ENLARGEMENT, "swe-accession-protocol", "--at", "2023-11-01"]));
}

/// explanation line for line up to the lines it shortens with `…`.
#[test]
fn the_readme_shows_what_the_program_prints() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let blocks: Vec<&str> = readme.split("```text\n").skip(1).filter_map(|b| b.split("\n```").next()).collect();
    let table = blocks.iter().find(|b| b.starts_with("PROPOSAL")).expect("the README shows the decision table");
    assert_eq!(stdout(&["decide", EXAMPLE]).trim_end(), table.trim_end());
    let tree = blocks.iter().find(|b| b.starts_with("eadrcc-2025-montana:")).expect("the README explains Montana");
    let printed = stdout(&["explain", EXAMPLE, "eadrcc-2025-montana"]);
    for (shown, actual) in tree.lines().zip(printed.lines()) {
        match shown.split_once('…') {
            Some((head, _)) => assert!(actual.starts_with(head), "README: {shown}\nprinted: {actual}"),
            None => assert_eq!(shown, actual),
        }
    }
    assert_eq!(tree.lines().count(), printed.lines().count());
    // And the what-if it shows: with both Gaza facts true throughout, Montana is adopted.
    let what_if = stdout(&with(&["what-if", EXAMPLE], &BOTH_FACTS));
    assert!(what_if.contains("eadrcc-2025-montana  blocked (final)   adopted"), "{what_if}");
}

#[test]
fn unblock_montana_text() {
    insta::assert_snapshot!(stdout(&["unblock", EXAMPLE, "eadrcc-2025-montana"]));
}

#[test]
fn unblock_montana_json() {
    insta::assert_snapshot!(stdout(&["unblock", EXAMPLE, "eadrcc-2025-montana", "--format", "json"]));
}

#[test]
fn unblock_osce_estonia_chair_text() {
    insta::assert_snapshot!(stdout(&["unblock", OSCE_2023, "chair-2024-estonia"]));
}

#[test]
fn levers_table() {
    insta::assert_snapshot!(stdout(&["levers", EXAMPLE]));
}

#[test]
fn levers_json() {
    insta::assert_snapshot!(stdout(&["levers", EXAMPLE, "--format", "json"]));
}
