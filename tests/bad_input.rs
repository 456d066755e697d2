//! Bad input: one test per kind of mistake in a scenario file. `concord check` must fail without
//! panicking and name the file, the line (as `file:LINE:COL`) and the field at fault; every error
//! of a file is reported in one run. A robustness test feeds mutilated copies of the example and
//! asserts that the program never panics.

use concord_core::synth::SplitMix64;

use crate::util::{TempScenario, concord, example_text, line_of, replace_once, scenario_file};

/// A small valid scenario; each test breaks one thing in it.
const BASE: &str = r#"[scenario]
id = "t"
title = "Test"
as_of = 2025-06-15

[[member]]
id = "A"
name = "Alpha"

[[member]]
id = "B"
name = "Beta"

[[framework]]
id = "MD"
name = "Mediterranean Dialogue"

[[partner]]
id = "X"
name = "Xanadu"
frameworks = ["MD"]

[[committee]]
id = "C"
name = "Council"
members = "all"
rule = "consensus"

[[fact]]
id = "f"
value = false
as_of = 2025-01-01
source = "Fact source"

[[proposal]]
id = "p"
title = "P"
committee = "C"
kind = "exercise"
partners = ["X"]
engagement = "new"

[[position]]
id = "b-pos"
member = "B"
source = "Position source"
policy = '''
forbid (principal, action, resource)
when { resource.partners.contains(Partner::"X") }
unless { context.facts.f };
'''

[[vote]]
proposal = "p"
member = "A"
stance = "consent"
at = 2025-06-01
"#;

/// One error line of `--error-format plain`: `file:line:column: error: message`.
#[derive(Debug)]
struct Reported {
    line: usize,
    column: usize,
    message: String,
}

/// Runs `check` on `text`, asserts failure without a panic, and returns the error lines.
#[track_caller]
fn errors(text: &str) -> (TempScenario, Vec<Reported>, String) {
    let file = scenario_file(text);
    let run = concord(&["check", file.path()]).failure();
    let prefix = format!("{}:", file.path());
    let reported: Vec<Reported> = run
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix(&prefix))
        .map(|rest| {
            let mut parts = rest.splitn(3, ':');
            let line = parts.next().and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("no line in `{rest}`"));
            let column = parts.next().and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("no column in `{rest}`"));
            let message = parts.next().unwrap_or_default().trim().to_owned();
            Reported { line, column, message }
        })
        .collect();
    assert!(!reported.is_empty(), "no `file:line:col:` error line naming the file in:\n{}", run.stderr);
    for r in &reported {
        assert!(r.line >= 1 && r.column >= 1 && r.message.starts_with("error: "), "{r:?}");
    }
    let n = reported.len();
    let summary = format!("{n} error{} in `{}`", if n == 1 { "" } else { "s" }, file.path());
    assert!(run.stderr.contains(&summary), "no summary `{summary}` in:\n{}", run.stderr);
    (file, reported, run.stderr)
}

/// Asserts that `text` fails with exactly one error, on `line`, naming `field` (when given) and
/// containing `fragment`.
#[track_caller]
fn one_error(text: &str, line: usize, field: Option<&str>, fragment: &str) -> Reported {
    let (_file, mut reported, stderr) = errors(text);
    assert_eq!(reported.len(), 1, "one error expected:\n{stderr}");
    let r = reported.remove(0);
    assert_eq!(r.line, line, "wrong line in `{}`\n--- file\n{}", r.message, numbered(text));
    if let Some(field) = field {
        assert!(r.message.contains(&format!("field `{field}`")), "field `{field}` not named: {}", r.message);
    }
    assert!(r.message.contains(fragment), "`{fragment}` not in: {}", r.message);
    r
}

/// Breaks `BASE` by replacing `from` (which must occur once) with `to`.
fn broken(from: &str, to: &str) -> String {
    replace_once(BASE, from, to)
}

fn numbered(text: &str) -> String {
    text.lines().enumerate().map(|(i, l)| format!("{:3} {l}\n", i + 1)).collect()
}

#[test]
fn base_scenario_is_valid() {
    let file = scenario_file(BASE);
    concord(&["check", file.path()]).success();
}

#[test]
fn toml_syntax_error() {
    let text = broken("kind = \"exercise\"", "kind \"exercise\"");
    one_error(&text, line_of(&text, "kind \"exercise\""), None, "not valid TOML");
    let text = broken("[scenario]", "[scenario");
    one_error(&text, 1, None, "not valid TOML");
}

#[test]
fn unknown_committee() {
    let text = broken("committee = \"C\"", "committee = \"Z\"");
    one_error(&text, line_of(&text, "committee = \"Z\""), Some("committee"), "unknown committee `Z`");
}

#[test]
fn unknown_member_of_a_position() {
    let text = broken("member = \"B\"", "member = \"Q\"");
    one_error(&text, line_of(&text, "member = \"Q\""), Some("member"), "unknown member `Q`");
}

#[test]
fn unknown_member_of_a_vote() {
    let text = broken("member = \"A\"", "member = \"Q\"");
    one_error(&text, line_of(&text, "member = \"Q\""), Some("member"), "unknown member `Q`");
}

#[test]
fn unknown_member_in_a_committee_list() {
    let text = broken("members = \"all\"", "members = [\"A\", \"Q\"]");
    one_error(&text, line_of(&text, "members = [\"A\", \"Q\"]"), Some("members[1]"), "unknown member `Q`");
}

#[test]
fn unknown_partner() {
    let text = broken("partners = [\"X\"]", "partners = [\"Y\"]");
    one_error(&text, line_of(&text, "partners = [\"Y\"]"), Some("partners[0]"), "unknown partner `Y`");
}

#[test]
fn unknown_framework() {
    let text = broken("frameworks = [\"MD\"]", "frameworks = [\"ZZ\"]");
    one_error(&text, line_of(&text, "frameworks = [\"ZZ\"]"), Some("frameworks[0]"), "unknown framework `ZZ`");
}

#[test]
fn unknown_references_in_lists_name_the_field_and_the_entry() {
    // What holds today of the three cases above: the right field, and a line within the entry.
    for (from, to, field, fragment, header) in [
        ("members = \"all\"", "members = [\"A\", \"Q\"]", "members[1]", "unknown member `Q`", "[[committee]]"),
        ("partners = [\"X\"]", "partners = [\"Y\"]", "partners[0]", "unknown partner `Y`", "[[proposal]]"),
        ("frameworks = [\"MD\"]", "frameworks = [\"ZZ\"]", "frameworks[0]", "unknown framework `ZZ`", "[[partner]]"),
    ] {
        let text = broken(from, to);
        let (_file, reported, stderr) = errors(&text);
        assert_eq!(reported.len(), 1, "{stderr}");
        let r = &reported[0];
        assert!((line_of(&text, header)..=line_of(&text, to)).contains(&r.line), "{r:?}");
        assert!(r.message.contains(&format!("field `{field}`")) && r.message.contains(fragment), "{r:?}");
    }
}

#[test]
fn unknown_proposal_of_a_vote() {
    let text = broken("proposal = \"p\"", "proposal = \"q\"");
    one_error(&text, line_of(&text, "proposal = \"q\""), Some("proposal"), "unknown proposal `q`");
}

#[test]
fn duplicate_member_id() {
    let text = broken("id = \"B\"\nname = \"Beta\"", "id = \"A\"\nname = \"Beta\"");
    let (_file, reported, stderr) = errors(&text);
    let dup = reported.iter().find(|r| r.message.contains("duplicate")).unwrap_or_else(|| panic!("{stderr}"));
    assert_eq!(dup.line, line_of(&text, "id = \"A\"\nname = \"Beta\""), "the second definition: {dup:?}");
    assert!(dup.message.contains("field `id`") && dup.message.contains("`A`"), "{dup:?}");
}

#[test]
fn duplicate_proposal_id() {
    let extra = "\n[[proposal]]\nid = \"p\"\ntitle = \"Again\"\ncommittee = \"C\"\nkind = \"k\"\npartners = []\nengagement = \"new\"\n";
    let text = format!("{BASE}{extra}");
    let r = one_error(&text, line_of(&text, "title = \"Again\"") - 1, Some("id"), "duplicate proposal id `p`");
    assert!(r.column > 1, "{r:?}");
}

#[test]
fn duplicate_ids_of_every_kind() {
    let extra = r#"
[[framework]]
id = "MD"
name = "again framework"

[[partner]]
id = "X"
name = "again partner"
frameworks = []

[[committee]]
id = "C"
name = "again committee"
members = "all"
rule = "consensus"

[[position]]
id = "b-pos"
member = "A"
source = "again position"
policy = 'forbid (principal, action, resource);'
"#;
    let text = format!("{BASE}{extra}");
    let (_file, reported, stderr) = errors(&text);
    assert_eq!(reported.len(), 4, "{stderr}");
    for (r, (kind, id, name)) in reported.iter().zip([
        ("framework", "MD", "again framework"),
        ("partner", "X", "again partner"),
        ("committee", "C", "again committee"),
        ("position", "b-pos", "again position"),
    ]) {
        // The `id` line just before the entry's `name` (or `member`) line.
        let line = text.lines().position(|l| l.contains(name)).unwrap() + 1;
        let line = if kind == "position" { line - 2 } else { line - 1 };
        assert_eq!(r.line, line, "{r:?}");
        assert!(
            r.message.contains(&format!("duplicate {kind} id `{id}`")) && r.message.contains("field `id`"),
            "{r:?}"
        );
    }
}

#[test]
fn invalid_id() {
    let text = broken("id = \"B\"", "id = \"B B\"");
    let (_file, reported, stderr) = errors(&text);
    let r = reported.iter().find(|r| r.message.contains("not a valid id")).unwrap_or_else(|| panic!("{stderr}"));
    assert_eq!(r.line, line_of(&text, "\"B B\""), "{r:?}");
    assert!(r.message.contains("field `id`") && r.message.contains("`B B`"), "{r:?}");
}

#[test]
fn decimal_fact_too_precise() {
    let text = broken("value = false", "value = 0.12345").replacen(
        "unless { context.facts.f };",
        "unless { context.facts.f.lessThan(decimal(\"1.0\")) };",
        1,
    );
    one_error(&text, line_of(&text, "0.12345"), Some("value"), "4 decimal places");
}

#[test]
fn missing_source() {
    let text = broken("source = \"Fact source\"\n", "");
    // The field is absent: the error points at its entry.
    one_error(&text, line_of(&text, "[[fact]]"), Some("source"), "missing field `source`");
}

#[test]
fn empty_source() {
    let text = broken("source = \"Position source\"", "source = \"  \"");
    one_error(&text, line_of(&text, "source = \"  \""), Some("source"), "must not be empty");
}

#[test]
fn impossible_date_in_a_string() {
    let text = broken("as_of = 2025-01-01", "as_of = \"2025-02-30\"");
    one_error(&text, line_of(&text, "\"2025-02-30\""), Some("as_of"), "2025-02-30");
}

#[test]
fn impossible_date_unquoted() {
    let text = broken("as_of = 2025-01-01", "as_of = 2025-02-30");
    one_error(&text, line_of(&text, "2025-02-30"), None, "not valid TOML");
}

#[test]
fn date_time_instead_of_a_date() {
    let text = broken("at = 2025-06-01", "at = 2025-06-01T10:00:00Z");
    one_error(&text, line_of(&text, "2025-06-01T10"), Some("at"), "date-time");
}

#[test]
fn unknown_stance() {
    let text = broken("stance = \"consent\"", "stance = \"maybe\"");
    one_error(&text, line_of(&text, "\"maybe\""), Some("stance"), "unknown stance `maybe`");
}

#[test]
fn unknown_engagement() {
    let text = broken("engagement = \"new\"", "engagement = \"old\"");
    one_error(&text, line_of(&text, "\"old\""), Some("engagement"), "unknown engagement `old`");
}

#[test]
fn objection_without_reason() {
    let text = broken("stance = \"consent\"", "stance = \"object\"");
    one_error(&text, line_of(&text, "[[vote]]"), Some("reason"), "reason");
    // An empty reason is no reason either.
    let text = broken("stance = \"consent\"", "stance = \"object\"\nreason = \"\"");
    let (_file, reported, _) = errors(&text);
    assert!(reported.iter().any(|r| r.message.contains("field `reason`")), "{reported:?}");
}

#[test]
fn policy_that_does_not_parse() {
    let text = broken("unless { context.facts.f };", "unless { context.facts.f ;");
    one_error(&text, line_of(&text, "unless { context.facts.f ;"), Some("policy"), "does not parse");
}

#[test]
fn policy_reading_an_unknown_fact() {
    let text = broken("unless { context.facts.f };", "unless { context.facts.g };");
    let r = one_error(&text, line_of(&text, "context.facts.g"), Some("policy"), "g");
    assert!(r.message.contains("position `b-pos`"), "{r:?}");
}

#[test]
fn policy_reading_an_unknown_attribute() {
    let text = broken("unless { context.facts.f };", "unless { resource.colour == \"red\" };");
    one_error(&text, line_of(&text, "resource.colour"), Some("policy"), "colour");
}

#[test]
fn policy_scope_naming_another_member() {
    let text = broken("forbid (principal, action", "forbid (principal == Member::\"A\", action");
    let (_file, reported, stderr) = errors(&text);
    assert_eq!(reported.len(), 1, "{stderr}");
    let r = &reported[0];
    // The `policy` field or the scope inside it.
    assert!((line_of(&text, "policy = '''")..=line_of(&text, "forbid (")).contains(&r.line), "{r:?}");
    assert!(r.message.contains("field `policy`") && r.message.contains("Member::\"A\""), "{r:?}");
}

#[test]
fn permit_policy() {
    let text = broken("forbid (principal, action", "permit (principal, action");
    let (_file, reported, stderr) = errors(&text);
    assert_eq!(reported.len(), 1, "{stderr}");
    let r = &reported[0];
    assert!((line_of(&text, "policy = '''")..=line_of(&text, "permit (")).contains(&r.line), "{r:?}");
    assert!(r.message.contains("field `policy`") && r.message.contains("permit"), "{r:?}");
}

#[test]
fn vote_by_a_member_not_on_the_committee() {
    let text = broken("members = \"all\"", "members = [\"B\"]");
    one_error(&text, line_of(&text, "member = \"A\""), Some("member"), "does not sit on committee `C`");
}

// ---------------------------------------------------------------------------------------------
// Records that come at the wrong time (contract §5): the store refuses the same as a change.

/// `BASE` with `p` circulated on 2025-05-01 under silence until 2025-06-10.
fn timed() -> String {
    broken("engagement = \"new\"\n", "engagement = \"new\"\ncirculated = 2025-05-01\ndeadline = 2025-06-10\n")
}

#[test]
fn vote_after_the_proposals_decision() {
    let text =
        format!("{}\n[[vote]]\nproposal = \"p\"\nmember = \"B\"\nstance = \"consent\"\nat = 2025-06-12\n", timed());
    one_error(&text, line_of(&text, "at = 2025-06-12"), Some("at"), "was decided on 2025-06-10 (on its deadline)");
}

#[test]
fn vote_before_the_proposal_is_circulated() {
    let text = broken("engagement = \"new\"\n", "engagement = \"new\"\ncirculated = 2025-06-05\n");
    one_error(&text, line_of(&text, "at = 2025-06-01"), Some("at"), "is circulated on 2025-06-05, after this vote");
}

#[test]
fn vote_before_the_member_joined() {
    let text = broken("name = \"Alpha\"\n", "name = \"Alpha\"\njoined = 2025-06-10\n");
    one_error(&text, line_of(&text, "at = 2025-06-01"), Some("at"), "member `A` joins on 2025-06-10");
}

#[test]
fn decision_after_the_rules_decision() {
    let text = format!(
        "{}\n[[decision]]\nproposal = \"p\"\non = 2025-06-20\noutcome = \"adopted\"\nsource = \"Minutes\"\n",
        timed()
    );
    one_error(&text, line_of(&text, "on = 2025-06-20"), Some("on"), "comes after it");
}

#[test]
fn two_decisions_for_one_proposal() {
    let record = |on: &str| {
        format!("\n[[decision]]\nproposal = \"p\"\non = {on}\noutcome = \"blocked\"\nsource = \"Minutes\"\n")
    };
    let text = format!("{}{}{}", timed(), record("2025-06-09"), record("2025-06-10"));
    let (_file, reported, stderr) = errors(&text);
    assert_eq!(reported.len(), 1, "{stderr}");
    let second = text.rfind("[[decision]]").unwrap();
    assert!(reported[0].line > text[..second].matches('\n').count(), "the second record is named: {stderr}");
    assert!(
        reported[0].message.contains("field `proposal`") && reported[0].message.contains("already has a decision"),
        "{stderr}"
    );
}

#[test]
fn decision_that_is_pending_or_without_source() {
    let record = |fields: &str| format!("{}\n[[decision]]\nproposal = \"p\"\non = 2025-06-10\n{fields}", timed());
    let text = record("outcome = \"pending\"\nsource = \"Minutes\"\n");
    one_error(&text, line_of(&text, "outcome = \"pending\""), Some("outcome"), "pending");
    let text = record("outcome = \"blocked\"\nsource = \"\"\n");
    one_error(&text, line_of(&text, "source = \"\""), Some("source"), "source");
}

#[test]
fn withdrawal_after_the_decision() {
    let text = replace_once(&timed(), "deadline = 2025-06-10\n", "deadline = 2025-06-10\nwithdrawn = 2025-06-12\n");
    one_error(&text, line_of(&text, "withdrawn = 2025-06-12"), Some("withdrawn"), "cannot be withdrawn on 2025-06-12");
}

#[test]
fn extension_at_the_wrong_time() {
    let extension = |on: &str, deadline: &str| {
        format!("{}\n[[extension]]\nproposal = \"p\"\non = {on}\ndeadline = {deadline}\n", timed())
    };
    // After the decision.
    let text = extension("2025-06-12", "2025-06-30");
    one_error(&text, line_of(&text, "on = 2025-06-12"), Some("on"), "its deadline cannot be moved on 2025-06-12");
    // To a deadline before its own date.
    let text = extension("2025-06-05", "2025-06-04");
    one_error(&text, line_of(&text, "deadline = 2025-06-04"), Some("deadline"), "before the extension's date");
}

#[test]
fn supersedes_an_unknown_proposal() {
    let text = format!(
        "{BASE}\n[[proposal]]\nid = \"q\"\ntitle = \"Q\"\ncommittee = \"C\"\nkind = \"exercise\"\npartners = []\n\
         engagement = \"new\"\ncirculated = 2025-06-05\nsupersedes = \"nope\"\n"
    );
    one_error(&text, line_of(&text, "supersedes = \"nope\""), Some("supersedes"), "nope");
}

#[test]
fn weights_missing_for_a_weighted_rule() {
    let text = broken("rule = \"consensus\"", "rule = { kind = \"weighted\", weight = \"votes\", quota = 1 }");
    one_error(&text, line_of(&text, "rule = {"), Some("rule.weight"), "votes");
}

#[test]
fn unknown_field() {
    let text = broken("kind = \"exercise\"", "kind = \"exercise\"\ncolour = \"red\"");
    one_error(&text, line_of(&text, "colour"), Some("colour"), "unknown field");
}

#[test]
fn fact_observed_with_two_types() {
    let text = format!("{BASE}\n[[fact]]\nid = \"f\"\nvalue = \"yes\"\nas_of = 2025-02-01\nsource = \"S2\"\n");
    one_error(&text, line_of(&text, "value = \"yes\""), Some("value"), "string");
}

#[test]
fn every_error_of_a_file_in_one_run() {
    let text = BASE
        .replacen("committee = \"C\"", "committee = \"Z\"", 1)
        .replacen("stance = \"consent\"", "stance = \"maybe\"", 1)
        .replacen("source = \"Fact source\"", "source = \"\"", 1);
    let (_file, reported, stderr) = errors(&text);
    assert_eq!(reported.len(), 3, "{stderr}");
    assert!(stderr.contains("3 errors in"), "{stderr}");
    let lines: Vec<usize> = reported.iter().map(|r| r.line).collect();
    assert_eq!(lines, [line_of(&text, "source = \"\""), line_of(&text, "\"Z\""), line_of(&text, "\"maybe\"")]);
}

#[test]
fn errors_as_json() {
    let text = BASE.replacen("committee = \"C\"", "committee = \"Z\"", 1).replacen(
        "engagement = \"new\"",
        "engagement = \"old\"",
        1,
    );
    let file = scenario_file(&text);
    let run = concord(&["--error-format", "json", "check", file.path()]).failure();
    let list: serde_json::Value = serde_json::from_str(run.stderr.trim()).expect("stderr is one JSON value");
    let list = list.as_array().expect("a JSON array");
    assert_eq!(list.len(), 2, "{list:#?}");
    let expected = [("committee", line_of(&text, "\"Z\""), 13), ("engagement", line_of(&text, "\"old\""), 14)];
    for (e, (field, line, column)) in list.iter().zip(expected) {
        assert_eq!(e["file"], file.path(), "{e}");
        assert_eq!(e["line"], line, "{e}");
        assert_eq!(e["column"], column, "{e}");
        assert_eq!(e["field"], field, "{e}");
        assert!(e["message"].as_str().is_some_and(|m| m.contains(&format!("field `{field}`"))), "{e}");
    }
}

#[test]
fn errors_for_people() {
    let text = broken("committee = \"C\"", "committee = \"Z\"");
    let file = scenario_file(&text);
    let run = concord(&["--error-format", "human", "check", file.path()]).failure();
    let at = format!("{}:{}:13", file.path(), line_of(&text, "\"Z\""));
    assert!(run.stderr.contains(&at), "no `{at}` in:\n{}", run.stderr);
    assert!(run.stderr.contains("committee = \"Z\""), "the source line is shown:\n{}", run.stderr);
}

#[test]
fn every_command_refuses_a_bad_file() {
    let text = broken("committee = \"C\"", "committee = \"Z\"");
    let file = scenario_file(&text);
    let at = format!("{}:{}:", file.path(), line_of(&text, "\"Z\""));
    for args in [
        vec!["decide", file.path()],
        vec!["explain", file.path(), "p"],
        vec!["what-if", file.path(), "--set", "f=true"],
    ] {
        let run = concord(&args).failure();
        assert!(run.stderr.contains(&at), "`{}`: {}", args.join(" "), run.stderr);
    }
}

/// Mutates the text with the project's deterministic generator, so that runs are repeatable.
fn mutate(text: &str, rng: &mut SplitMix64) -> String {
    let lines: Vec<&str> = text.lines().collect();
    match rng.below(5) {
        0 => {
            // Truncate at a char boundary.
            let mut at = rng.below(text.len());
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            text[..at].to_owned()
        }
        1 => {
            // Delete a few lines.
            let mut lines = lines;
            for _ in 0..=rng.below(3) {
                let i = rng.below(lines.len());
                lines.remove(i);
            }
            lines.join("\n")
        }
        2 => {
            // Duplicate a line.
            let mut lines = lines;
            let i = rng.below(lines.len());
            let line = lines[i];
            lines.insert(i, line);
            lines.join("\n")
        }
        3 => {
            // Swap two lines.
            let mut lines = lines;
            let (i, j) = (rng.below(lines.len()), rng.below(lines.len()));
            lines.swap(i, j);
            lines.join("\n")
        }
        _ => {
            // Replace one character of a line (not in a comment) with another of TOML's own.
            let mut lines: Vec<String> = lines.into_iter().map(str::to_owned).collect();
            let i = rng.below(lines.len());
            let chars: Vec<char> = lines[i].chars().collect();
            if !chars.is_empty() {
                let j = rng.below(chars.len());
                let pool = ['"', '\'', '[', ']', '{', '}', '=', ',', '.', '0', '-', ' ', 'x', '\\', '\u{e9}'];
                let mut chars = chars;
                chars[j] = pool[rng.below(pool.len())];
                lines[i] = chars.into_iter().collect();
            }
            lines.join("\n")
        }
    }
}

#[test]
fn mutilated_examples_never_panic() {
    let example = example_text();
    let mut rng = SplitMix64::new(0x00C0_FFEE);
    let variants: Vec<String> = (0..200).map(|_| mutate(&example, &mut rng)).collect();
    let failures = std::sync::Mutex::new(Vec::new());
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(text) = variants.get(i) else { break };
                    let file = scenario_file(text);
                    let run = concord(&["check", file.path()]);
                    let ok = !run.stderr.contains("panicked") && matches!(run.code, Some(0 | 1));
                    let located = run.code != Some(1) || run.stderr.contains(&format!("{}:", file.path()));
                    if !ok || !located {
                        failures.lock().unwrap().push(format!(
                            "variant {i}: exit {:?}\n{}\n--- file\n{}",
                            run.code,
                            run.stderr,
                            numbered(text)
                        ));
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(failures.is_empty(), "{} of 200 variants misbehaved; the first:\n{}", failures.len(), failures[0]);
}
