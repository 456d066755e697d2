//! The limits of `concord_core::limits` and the checks of hostile input, as a reader of a
//! scenario or a writer of changes meets them: each is a clear error that names the field and the
//! limit, never an abort, on any thread a shell may run the core on (a server's worker thread has
//! 2 MiB of stack). The faults of issue 11 are named `r11_…`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]

use concord_core::limits::{MAX_POLICY_BYTES, MAX_POLICY_DEPTH, MAX_POLICY_NESTING, MAX_TEXT_BYTES};
use concord_core::{Change, Date, Engine, LoadErrors, Outcome, Value};

const BASE: &str = r#"
[scenario]
id = "limits"
as_of = 2025-06-15

[[member]]
id = "A"
weights = { population = 10 }
[[member]]
id = "B"
weights = { population = 20 }
[[member]]
id = "C"
weights = { population = 30 }

[[committee]]
id = "MC"
members = "all"
rule = "consensus"

[[partner]]
id = "X"

[[fact]]
id = "ceasefire"
value = false
as_of = 2025-01-01
source = "Wire report, 2025-01-01"

[[fact]]
id = "aid"
value = 1.5
as_of = 2025-01-01
source = "Wire report, 2025-01-01"

[[proposal]]
id = "drill"
committee = "MC"
kind = "exercise"
partners = ["X"]
engagement = "new"
"#;

/// The base scenario with one more piece of TOML.
fn with(extra: &str) -> String {
    format!("{BASE}\n{extra}\n")
}

/// A position of B with this policy text.
fn position(policy: &str) -> String {
    with(&format!(
        "[[position]]\nid = \"b-pos\"\nmember = \"B\"\nsource = \"B's statement\"\npolicy = '''\n{policy}\n'''\n"
    ))
}

/// Runs `f` on a thread with a 2 MiB stack, as a server's worker would, and fails the test
/// (rather than the process) if it does not return.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new().stack_size(2 * 1024 * 1024).spawn(f).unwrap().join().expect("the thread panicked")
}

fn load(src: String) -> Result<Engine, LoadErrors> {
    on_small_stack(move || concord_core::load(&src, "limits.toml"))
}

/// The messages of a refused scenario, with the field of each.
fn refused(src: String) -> Vec<(Option<String>, String)> {
    match load(src) {
        Ok(_) => panic!("the scenario was accepted"),
        Err(errors) => {
            errors.errors().iter().map(|e| (e.field().map(str::to_owned), e.problem().message.clone())).collect()
        }
    }
}

fn nested(depth: usize) -> String {
    format!(
        "forbid (principal, action, resource) when {{ {}resource.partners.contains(Partner::\"X\"){} }};",
        "(".repeat(depth),
        ")".repeat(depth)
    )
}

#[test]
fn the_base_scenario_is_valid() {
    let engine = load(BASE.to_owned()).unwrap();
    let today = engine.evaluate(engine.as_of(), &[]).unwrap();
    assert_eq!(today.decisions()[0].outcome, Outcome::Adopted);
}

#[test]
fn r11_policies_nested_300_700_and_1000_deep_are_refused_before_cedar_reads_them() {
    for depth in [300, 700, 1000] {
        let problems = refused(position(&nested(depth)));
        let (field, message) = &problems[0];
        assert_eq!(field.as_deref(), Some("policy"), "{problems:?}");
        // The policy's own `when { … }` and `contains(…)` add two levels.
        assert!(message.contains(&format!("{} deep", depth + 2)), "{message}");
        assert!(message.contains(&format!("at most {MAX_POLICY_NESTING}")), "{message}");
    }
}

#[test]
fn a_policy_at_the_nesting_limit_is_read_and_evaluated_on_a_small_stack() {
    let engine = load(position(&nested(MAX_POLICY_NESTING - 2))).unwrap();
    let blocked = on_small_stack(move || engine.evaluate(engine.as_of(), &[]).unwrap().decisions()[0].outcome);
    assert_eq!(blocked, Outcome::Blocked);
}

#[test]
fn r11_a_long_chain_of_operators_is_refused_by_its_depth() {
    let chain = vec!["context.facts.ceasefire"; MAX_POLICY_DEPTH + 10].join(" || ");
    let policy = format!("forbid (principal, action, resource) when {{ {chain} }};");
    let problems = refused(position(&policy));
    assert!(problems[0].1.contains(&format!("at most {MAX_POLICY_DEPTH}")), "{problems:?}");
}

#[test]
fn the_deepest_accepted_position_decides_the_same_on_any_thread() {
    // `a || b || c` nests one level per operator. Cedar stops at a "recursion limit" when its
    // stack runs low, which would make the member silent (so consenting) on a thread with a
    // small stack and objecting on the main thread: the verdict must not depend on the thread.
    let chain = |n: usize| vec!["context.facts.ceasefire"; n].join(" || ");
    let policy = |n: usize| format!("forbid (principal, action, resource) unless {{ {} }};", chain(n));
    let longest = (1..=MAX_POLICY_DEPTH + 2).take_while(|&n| load(position(&policy(n))).is_ok()).last().unwrap();
    assert!(longest > MAX_POLICY_DEPTH / 2 && longest <= MAX_POLICY_DEPTH + 1, "{longest} operands are accepted");
    let engine = std::sync::Arc::new(load(position(&policy(longest))).unwrap());
    for stack in [256 * 1024, 2 * 1024 * 1024, 16 * 1024 * 1024] {
        let engine = engine.clone();
        let decided = std::thread::Builder::new()
            .stack_size(stack)
            .spawn(move || {
                let today = engine.evaluate(engine.as_of(), &[]).unwrap();
                (today.decisions()[0].outcome, today.decisions()[0].issues.len())
            })
            .unwrap()
            .join()
            .unwrap();
        // No ceasefire: the position objects, without an evaluation issue.
        assert_eq!(decided, (Outcome::Blocked, 0), "on a stack of {stack} bytes");
    }
}

#[test]
fn r11_a_position_of_58_kb_is_refused() {
    let partners: Vec<String> = (0..4000).map(|i| format!("Partner::\"P{i}\"")).collect();
    let policy = format!(
        "forbid (principal, action, resource) when {{ resource.partners.containsAny([{}]) }};",
        partners.join(", ")
    );
    assert!(policy.len() > 58_000);
    let problems = refused(position(&policy));
    assert!(problems[0].1.contains(&format!("at most {MAX_POLICY_BYTES} bytes")), "{problems:?}");
}

#[test]
fn r11_a_decimal_fact_beyond_cedar_is_refused_when_read() {
    for value in ["1e15", "922337203685478.0", "-1e16"] {
        let src = with(&format!(
            "[[fact]]\nid = \"loan\"\nvalue = {value}\nas_of = 2025-02-01\nsource = \"Ministry, 2025-02-01\"\n"
        ));
        let problems = refused(src);
        assert_eq!(problems[0].0.as_deref(), Some("value"), "{problems:?}");
        assert!(problems[0].1.contains("922337203685477.5807"), "{problems:?}");
    }
}

#[test]
fn r11_a_decimal_fact_beyond_cedar_is_refused_when_applied_and_the_engine_still_decides() {
    let mut engine = load(BASE.to_owned()).unwrap();
    let line = r#"{"change":"fact","id":"aid","value":{"decimal":"922337203685478"},"as_of":"2025-06-01","source":"Secretariat"}"#;
    let change: Change = serde_json::from_str(line).unwrap();
    let at: Date = "2025-06-15".parse().unwrap();
    let refused = engine.apply(at, change).unwrap_err();
    assert!(refused.to_string().contains("922337203685477.5807"), "{refused}");
    // Nothing was taken in: every proposal is still decided.
    let today = engine.evaluate(at, &[]).unwrap();
    assert_eq!(today.decisions().len(), 1);
}

#[test]
fn r11_what_if_with_a_decimal_beyond_cedar_is_refused_not_poisoned() {
    let engine = load(BASE.to_owned()).unwrap();
    let today = engine.evaluate(engine.as_of(), &[]).unwrap();
    let set = [("aid".to_owned(), Value::Decimal(concord_core::Decimal::parse("1000000000000000").unwrap()))];
    assert!(today.what_if(&set).is_err());
    assert!(today.what_if(&[]).is_ok());
}

#[test]
fn r11_toml_decimals_keep_all_their_digits() {
    // 0.1 + 0.2 style loss and the 16th digit: neither may change what is read.
    let src = with(
        "[[member]]\nid = \"D\"\nweights = { population = 1234567890123.456789012345 }\n\
         [[committee]]\nid = \"W\"\nmembers = [\"D\"]\n\
         rule = { kind = \"weighted\", weight = \"population\", quota = 1234567890123.456789012345 }\n",
    );
    let engine = load(src).unwrap();
    let d = engine.scenario().members.iter().find(|m| m.id == "D").unwrap();
    assert_eq!(d.weights["population"].to_string(), "1234567890123.456789012345");
    let exp = with("[[member]]\nid = \"D\"\nweights = { population = 1.5e3 }\n");
    let engine = load(exp).unwrap();
    let d = engine.scenario().members.iter().find(|m| m.id == "D").unwrap();
    assert_eq!(d.weights["population"].to_string(), "1500");
}

#[test]
fn decimals_with_more_than_28_significant_digits_are_refused() {
    let problems =
        refused(with("[[member]]\nid = \"D\"\nweights = { population = 1.23456789012345678901234567890 }\n"));
    assert_eq!(problems[0].0.as_deref(), Some("weights.population"), "{problems:?}");
    assert!(problems[0].1.contains("28 significant digits"), "{problems:?}");
}

#[test]
fn r11_a_veto_rule_needs_distinct_veto_members() {
    let empty = refused(with(
        "[[committee]]\nid = \"V\"\nmembers = \"all\"\nrule = { kind = \"veto\", min_yes = 2, veto = [] }\n",
    ));
    assert_eq!(empty[0].0.as_deref(), Some("rule.veto"), "{empty:?}");
    let twice = refused(with(
        "[[committee]]\nid = \"V\"\nmembers = \"all\"\nrule = { kind = \"veto\", min_yes = 2, veto = [\"A\", \"A\"] }\n",
    ));
    assert_eq!(twice[0].0.as_deref(), Some("rule.veto[1]"), "{twice:?}");
    assert!(twice[0].1.contains("listed twice"), "{twice:?}");
}

#[test]
fn r11_blocking_min_above_the_member_count_is_refused() {
    let rule = "rule = { kind = \"qualified\", members_share = 0.55, weight = \"population\", weight_share = 0.65, blocking_min = 4 }";
    let problems = refused(with(&format!("[[committee]]\nid = \"Q\"\nmembers = \"all\"\n{rule}\n")));
    assert_eq!(problems[0].0.as_deref(), Some("rule.blocking_min"), "{problems:?}");
    assert!(problems[0].1.contains("3 members"), "{problems:?}");
    let fits = rule.replace("blocking_min = 4", "blocking_min = 3");
    load(with(&format!("[[committee]]\nid = \"Q\"\nmembers = \"all\"\n{fits}\n"))).unwrap();
}

#[test]
fn texts_longer_than_the_limit_are_refused_with_their_field() {
    let long = "x".repeat(MAX_TEXT_BYTES + 1);
    let problems =
        refused(with(&format!("[[fact]]\nid = \"note\"\nvalue = true\nas_of = 2025-02-01\nsource = \"{long}\"\n")));
    assert_eq!(problems[0].0.as_deref(), Some("source"), "{problems:?}");
    assert!(problems[0].1.contains(&format!("at most {MAX_TEXT_BYTES} bytes")), "{problems:?}");
}

#[test]
fn a_scenario_larger_than_the_limit_is_refused_unread() {
    let huge = " ".repeat(concord_core::limits::MAX_SCENARIO_BYTES + 1);
    let problems = refused(huge);
    assert!(problems[0].1.contains("at most"), "{problems:?}");
}

/// Applies a change written as a JSON line.
fn apply(engine: &mut Engine, line: &str) -> Result<(), String> {
    let change: Change = serde_json::from_str(line).unwrap();
    let at: Date = "2025-06-15".parse().unwrap();
    engine.apply(at, change).map_err(|e| e.to_string())
}

#[test]
fn changes_are_held_to_the_same_limits_as_a_file() {
    let mut engine = load(BASE.to_owned()).unwrap();
    let long = "x".repeat(MAX_TEXT_BYTES + 1);
    let refusals = [
        format!(r#"{{"change":"vote","proposal":"drill","member":"A","stance":"object","reason":"{long}"}}"#),
        format!(
            r#"{{"change":"proposal","id":"p2","title":"{long}","committee":"MC","kind":"exercise","partners":["X"],"engagement":"new"}}"#
        ),
        format!(r#"{{"change":"fact","id":"ceasefire","value":true,"as_of":"2025-06-01","source":"{long}"}}"#),
        format!(r#"{{"change":"fact","id":"note","value":"{long}","as_of":"2025-06-01","source":"s"}}"#),
        format!(
            r#"{{"change":"position","id":"p","member":"A","source":"s","policy":"{}"}}"#,
            nested(40).replace('"', "\\\"")
        ),
    ];
    for line in &refusals {
        let refused = apply(&mut engine, line).unwrap_err();
        assert!(refused.contains("at most"), "{refused}");
    }
    // Nothing was taken in.
    assert_eq!(engine.scenario().votes.len(), 0);
    assert_eq!(engine.scenario().proposals.len(), 1);
}

#[test]
fn a_member_holds_at_most_the_limit_of_positions() {
    use concord_core::limits::MAX_POSITIONS_PER_MEMBER;
    let mut engine = load(BASE.to_owned()).unwrap();
    let line = |i: usize| {
        format!(
            r#"{{"change":"position","id":"a-{i}","member":"A","source":"s","policy":"forbid (principal, action, resource) when {{ context.facts.ceasefire }};"}}"#
        )
    };
    for i in 0..MAX_POSITIONS_PER_MEMBER {
        apply(&mut engine, &line(i)).unwrap();
    }
    let refused = apply(&mut engine, &line(MAX_POSITIONS_PER_MEMBER)).unwrap_err();
    assert!(refused.contains(&format!("more than {MAX_POSITIONS_PER_MEMBER} positions")), "{refused}");
}

/// The day a proposal circulated on 2025-06-15, with no deadline, is adopted while B holds this
/// policy, looking as far as `until`.
fn adopted_on(policy: &str, until: &str) -> Option<Date> {
    let src = format!(
        "{}\n[[proposal]]\nid = \"late\"\ncommittee = \"MC\"\nkind = \"exercise\"\npartners = [\"X\"]\n\
         engagement = \"new\"\ncirculated = 2025-06-15\n",
        position(policy)
    );
    let engine = load(src).unwrap();
    let until: Date = until.parse().unwrap();
    let evaluation = engine.evaluate(until, &[]).unwrap();
    let late = evaluation.decisions().iter().find(|d| engine.scenario().proposals[d.proposal].id == "late").unwrap();
    late.taken.filter(|t| t.outcome == Outcome::Adopted).map(|t| t.on)
}

#[test]
fn r11_a_position_that_reads_the_date_is_followed_to_the_day_its_pattern_stops_matching() {
    let date = |s: &str| Some(s.parse::<Date>().unwrap());
    // Objects but on the first of a month.
    let first = "forbid (principal, action, resource) unless { context.date like \"*-01\" };";
    assert_eq!(adopted_on(first, "2025-12-31"), date("2025-07-01"));
    // Objects but on one day, named as a literal.
    let one_day = "forbid (principal, action, resource) unless { [\"2025-08-20\"].contains(context.date) };";
    assert_eq!(adopted_on(one_day, "2025-12-31"), date("2025-08-20"));
    assert_eq!(adopted_on(one_day, "2025-08-19"), None);
    // Objects through the third millennium: adopted on its last day's morrow, found without
    // walking 975 years a day at a time.
    let millennium = "forbid (principal, action, resource) when { context.date like \"2*\" };";
    assert_eq!(adopted_on(millennium, "4050-06-01"), date("3000-01-01"));
    assert_eq!(adopted_on(millennium, "2999-12-31"), None);
}
