//! What the fuzz targets share: the fixed scenarios they start from, the stack they run on, and
//! the checks every accepted input must pass (an accepted value evaluates; a written scenario
//! reads back to the same one and decides the same).
//!
//! A target panics when a check fails, so libFuzzer records the input as a crash.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used, reason = "a failed check is a crash to record")]

use std::sync::OnceLock;

mod overflow;
pub use overflow::catch_stack_overflow;

use concord_core::{Date, Engine, Scenario, Value};

/// The NATO example: the engine that JSON changes and JSON lines are applied to.
pub const NATO: &str = include_str!("../../examples/nato-2025.toml");

/// A small scenario with a fact and a proposal attribute of every type, partners in a framework,
/// one position and one vote: the scenario the `policy` target adds its position to.
pub const SMALL: &str = r#"[scenario]
id = "t"
title = "Test"
as_of = 2025-06-15

[[member]]
id = "A"
name = "Alpha"
weights = { population = 10.5 }

[[member]]
id = "B"
name = "Beta"
weights = { population = 2.25 }

[[framework]]
id = "MD"
name = "Mediterranean Dialogue"

[[partner]]
id = "X"
name = "Xanadu"
frameworks = ["MD"]

[[partner]]
id = "Y"
name = "Yonder"

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

[[fact]]
id = "n"
value = 24
as_of = 2025-01-01
source = "Count source"

[[fact]]
id = "d"
value = 1.25
as_of = 2025-01-01
source = "Decimal source"

[[fact]]
id = "s"
value = "open"
as_of = 2025-01-01
source = "Text source"

[[proposal]]
id = "p"
title = "P"
committee = "C"
kind = "exercise"
partners = ["X"]
engagement = "new"
attributes = { budget = 1.5, host = "BGR", days = 3, public = true, posts = ["SG", "ODIHR"] }

[[proposal]]
id = "q"
title = "Q"
committee = "C"
kind = "statement"
partners = []
engagement = "continuing"
circulated = 2025-06-01
deadline = 2025-06-20

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

/// The stack every target runs its input on: 2 MiB, what the server's writer thread (a plain
/// `std::thread`) and tokio's workers have, a quarter of the main thread's. A recursion that a
/// command-line run survives but that kills the server is a crash here.
pub const STACK: usize = 2 * 1024 * 1024;

/// Runs `f` on a thread with a [`STACK`]-byte stack, as the server would. A panic on that thread
/// is a panic here (so libFuzzer records it); a stack overflow aborts the process, and libFuzzer
/// records that too ([`catch_stack_overflow`]).
pub fn on_server_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    catch_stack_overflow();
    std::thread::scope(|scope| {
        let run = || {
            catch_stack_overflow();
            f()
        };
        let thread = std::thread::Builder::new().stack_size(STACK).spawn_scoped(scope, run).expect("a fuzz thread");
        match thread.join() {
            Ok(value) => value,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

/// The NATO example, loaded once.
pub fn nato() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| concord_core::load(NATO, "nato-2025.toml").expect("the NATO example loads"))
}

/// The small scenario, loaded once.
pub fn small() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| concord_core::load(SMALL, "small.toml").expect("the small scenario loads"))
}

/// Evaluates `engine` on `at`, explains every proposal before its committee, and checks that no
/// value the engine accepted fails to evaluate: an out-of-range decimal must be refused when it
/// is read or applied, never found out by every later decision (issue 11).
pub fn decide_and_explain(engine: &Engine, at: Date) {
    values_fit_cedar(engine.scenario());
    let evaluation = engine.evaluate(at, &[]).expect("an evaluation without what-if values cannot fail");
    let _ = evaluation.report();
    for decision in evaluation.decisions() {
        for issue in &decision.issues {
            assert!(
                !issue.message.contains("converting to decimal"),
                "a value the engine accepted cannot be evaluated: {}",
                issue.message
            );
        }
        let _ = evaluation.explain(decision.proposal).expect("a decided proposal explains");
    }
}

/// Checks that every value a position can read (facts, proposal attributes) is one Cedar can
/// hold: a decimal has at most 4 places and lies within ±922337203685477.5807 (an `i64` of
/// ten-thousandths). A scenario or change holding another must have been refused.
pub fn values_fit_cedar(scenario: &Scenario) {
    let check = |what: &str, value: &Value| {
        if let Value::Decimal(d) = value {
            let fits = d.scale() <= 4 && d.units_at(4).is_some_and(|u| i64::try_from(u).is_ok());
            assert!(fits, "{what} = {d} was accepted, but Cedar's decimals cannot hold it");
        }
    };
    for f in &scenario.facts {
        check(&format!("fact `{}`", f.id), &f.value);
    }
    for p in &scenario.proposals {
        for (name, attribute) in &p.attributes {
            for value in attribute.values() {
                check(&format!("attribute `{name}` of proposal `{}`", p.id), value);
            }
        }
    }
}

/// Writes `engine`'s scenario as a file, reads it back, and checks that it is the same scenario
/// and decides the same on `at`: `export` of a store must decide as the store does.
pub fn written_reads_back(engine: &Engine, at: Date) {
    let text = concord_core::scenario::write(engine.scenario());
    let again = match concord_core::load(&text, "written.toml") {
        Ok(again) => again,
        Err(e) => panic!("the written scenario does not load: {e}\n--- written:\n{text}"),
    };
    // A file does not hold the members objecting to a recorded decision (the model says so); a
    // store records them. Everything else reads back.
    let mut expected = engine.scenario().clone();
    for d in &mut expected.decisions {
        d.objecting.clear();
    }
    if let Some(difference) = first_difference(&expected, again.scenario()) {
        panic!("the written scenario reads back different: {difference}");
    }
    let before = engine.evaluate(at, &[]).expect("evaluates");
    let after = again.evaluate(at, &[]).expect("evaluates");
    for (b, a) in before.decisions().iter().zip(after.decisions()) {
        assert_eq!(b, a, "the written scenario decides differently on {at}");
    }
    assert_eq!(before.decisions().len(), after.decisions().len(), "the written scenario decides other proposals");
}

/// The first record that differs between two scenarios, both ways, or None when they are equal.
pub fn first_difference(a: &Scenario, b: &Scenario) -> Option<String> {
    fn list<T: PartialEq + std::fmt::Debug>(name: &str, a: &[T], b: &[T]) -> Option<String> {
        if let Some(i) = (0..a.len().max(b.len())).find(|&i| a.get(i) != b.get(i)) {
            return Some(format!("{name}[{i}]: {:?}\n  reads back as {:?}", a.get(i), b.get(i)));
        }
        None
    }
    if (&a.id, &a.title, a.as_of) != (&b.id, &b.title, b.as_of) {
        return Some(format!(
            "[scenario]: {:?}\n  reads back as {:?}",
            (&a.id, &a.title, a.as_of),
            (&b.id, &b.title, b.as_of)
        ));
    }
    list("member", &a.members, &b.members)
        .or_else(|| list("framework", &a.frameworks, &b.frameworks))
        .or_else(|| list("partner", &a.partners, &b.partners))
        .or_else(|| list("committee", &a.committees, &b.committees))
        .or_else(|| list("fact", &a.facts, &b.facts))
        .or_else(|| list("proposal", &a.proposals, &b.proposals))
        .or_else(|| list("position", &a.positions, &b.positions))
        .or_else(|| list("vote", &a.votes, &b.votes))
        .or_else(|| list("extension", &a.extensions, &b.extensions))
        .or_else(|| list("decision", &a.decisions, &b.decisions))
        .or_else(|| (a != b).then(|| "the scenarios differ".to_owned()))
}
