//! # concord-core
//!
//! The pure core of concord, a consensus governance engine: who blocks what, under which declared
//! position, resting on which facts and sources, and what would change if a fact changed.
//!
//! It reads a scenario (members, committees with decision rules, partners, proposals, sourced
//! facts with dates, positions written as Cedar policies, votes), decides every proposal on any
//! date, explains each outcome down to the facts a position read, and answers what-if questions
//! without touching the scenario. It does no I/O: it takes text and values, and returns values.
//!
//! ```
//! let src = r#"
//! [scenario]
//! id = "demo"
//! as_of = 2025-06-15
//!
//! [[member]]
//! id = "A"
//! [[member]]
//! id = "B"
//!
//! [[committee]]
//! id = "C"
//! members = "all"
//! rule = "consensus"
//!
//! [[partner]]
//! id = "X"
//!
//! [[fact]]
//! id = "ceasefire"
//! value = false
//! as_of = 2025-01-01
//! source = "Wire report, 2025-01-01"
//!
//! [[proposal]]
//! id = "drill"
//! committee = "C"
//! kind = "exercise"
//! partners = ["X"]
//! engagement = "new"
//!
//! [[position]]
//! id = "b-no-x"
//! member = "B"
//! source = "B's statement"
//! policy = '''
//! forbid (principal, action, resource)
//! when { resource.partners.contains(Partner::"X") }
//! unless { context.facts.ceasefire };
//! '''
//! "#;
//! let engine = concord_core::load(src, "demo.toml").unwrap();
//! let today = engine.evaluate(engine.as_of(), &[]).unwrap();
//! assert_eq!(today.decisions()[0].outcome, concord_core::Outcome::Blocked);
//!
//! let set = [("ceasefire".to_owned(), concord_core::Value::Bool(true))];
//! let then = today.what_if(&set).unwrap();
//! assert_eq!(today.changes(&then).len(), 1);
//! ```

/// This engine's version: recorded with every decision a store keeps, so replays can tell which
/// engine computed what.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

mod cedar;
pub mod change;
mod date;
mod engine;
pub mod limits;
mod model;
mod number;
pub mod power;
mod problem;
pub mod report;
mod rules;
pub mod scenario;
mod share;
pub mod synth;
mod validate;

pub use change::Change;
pub use date::{Date, DateError};
pub use engine::{
    Baseline, Cause, Decision, Engine, EvalIssue, Evaluation, FactSet, History, How, Lever, LeverCount, Levers,
    Lifting, LiftsWhen, LinkRead, MemberStance, Objection, Observation, OutcomeChange, OutcomeStep, PositionShift,
    Refused, StanceStep, Taken, Tally, Unblock, UnblockError, WhatIfError,
};
pub use model::{
    Attribute, Committee, ConstructiveAbstention, Decided, DecisionRecord, Disregard, Engagement, Extension, Fact,
    Framework, Member, Partner, Position, Procedure, Proposal, Quota, Rule, Scenario, Seats, Trigger, Value, Vote,
    VoteStance,
};
pub use number::{Decimal, DecimalError};
pub use problem::{Problem, Site, Table};
pub use rules::{Outcome, Stance};
pub use scenario::{LoadError, LoadErrors, load};
pub use share::Share;
pub use validate::is_valid_id;
