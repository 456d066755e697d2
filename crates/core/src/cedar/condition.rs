//! When a position stops objecting, in words: a policy's condition for lifting, read from its
//! structure.
//!
//! A `forbid` policy applies when every `when` clause holds and no `unless` clause does, so it
//! lifts when some `when` clause fails or some `unless` clause holds. On one proposal, whatever
//! the policy reads of the proposal alone is a constant: [`lifting`] takes those parts as the
//! caller evaluates them (Cedar, on the proposal), keeps what reads facts, stances and outcomes,
//! and simplifies. [`Condition::in_words`] then says it: "gaza_permanent_ceasefire is true and
//! gaza_aid_unobstructed is true". What it cannot read (an `if`, arithmetic, the date) stays
//! [`Condition::Opaque`], and the caller shows the Cedar text instead.
//!
//! The policy is read as Cedar's JSON form (EST): `{"&&": {"left", "right"}}`, `{"!": {"arg"}}`,
//! `{".": {"left", "attr"}}`, `{"has": {"left", "attr"}}`, `{"Value": …}` and so on.

use serde_json::Value as Json;

use super::reads::reads_context;

/// A comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    fn negate(self) -> Cmp {
        match self {
            Cmp::Eq => Cmp::Ne,
            Cmp::Ne => Cmp::Eq,
            Cmp::Lt => Cmp::Ge,
            Cmp::Le => Cmp::Gt,
            Cmp::Gt => Cmp::Le,
            Cmp::Ge => Cmp::Lt,
        }
    }

    /// The comparison with its sides swapped (`3 < x` is `x > 3`).
    fn flip(self) -> Cmp {
        match self {
            Cmp::Lt => Cmp::Gt,
            Cmp::Le => Cmp::Ge,
            Cmp::Gt => Cmp::Lt,
            Cmp::Ge => Cmp::Le,
            other => other,
        }
    }

    fn words(self) -> &'static str {
        match self {
            Cmp::Eq => "is",
            Cmp::Ne => "is not",
            Cmp::Lt => "is less than",
            Cmp::Le => "is at most",
            Cmp::Gt => "is more than",
            Cmp::Ge => "is at least",
        }
    }
}

/// What a condition reads that can change while the proposal stays as it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Atom {
    /// A boolean fact is true.
    FactTrue(String),
    /// A fact has an observation in force.
    FactKnown(String),
    /// A fact compared with a literal (written as Cedar writes it).
    Fact(String, Cmp, String),
    /// Another member's stance compared with a stance.
    Stance(String, Cmp, String),
    /// Another proposal's outcome compared with an outcome.
    Outcome(String, Cmp, String),
    /// Something of the proposal itself, in words with its negation (used when nothing else can
    /// lift the policy).
    Proposal { yes: String, no: String },
}

/// A condition over facts, stances and outcomes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Condition {
    Const(bool),
    Atom(Atom, bool),
    And(Vec<Condition>),
    Or(Vec<Condition>),
    /// A part that cannot be put in words.
    Opaque,
}

/// How the caller answers for what a policy reads of the proposal and the committee alone.
pub(crate) trait Constants {
    /// The value on the proposal of an expression that reads no `context`, if it evaluates.
    fn resource(&self, e: &Json) -> Option<bool>;
    /// Whether a member sits on the proposal's committee (`context.stances has M`).
    fn seated(&self, member: &str) -> Option<bool>;
    /// Whether a proposal is before its committee (`context.outcomes has P`).
    fn before_committee(&self, proposal: &str) -> Option<bool>;
}

/// A policy's condition for lifting on one proposal: some `when` clause fails or some `unless`
/// clause holds. `keep_proposal` keeps what reads the proposal alone as atoms instead of
/// constants (to say what about the proposal would have to differ).
pub(crate) fn lifting(est: &Json, constants: &dyn Constants, keep_proposal: bool) -> Condition {
    let reader = Reader { constants, keep_proposal };
    let mut parts = Vec::new();
    // A scope that names the proposal is a condition on it.
    if let Some(scope) = est.get("resource")
        && scope.get("op").and_then(Json::as_str).is_some_and(|op| op != "All")
    {
        parts.push(Condition::Opaque);
    }
    for c in est.get("conditions").and_then(Json::as_array).map_or(&[][..], Vec::as_slice) {
        let Some(body) = c.get("body") else { continue };
        let read = reader.read(body);
        match c.get("kind").and_then(Json::as_str) {
            Some("when") => parts.push(not(read)),
            Some("unless") => parts.push(read),
            _ => parts.push(Condition::Opaque),
        }
    }
    simplify(Condition::Or(parts))
}

struct Reader<'c> {
    constants: &'c dyn Constants,
    keep_proposal: bool,
}

impl Reader<'_> {
    fn read(&self, e: &Json) -> Condition {
        let Some((op, arg)) = single(e) else { return Condition::Opaque };
        match op {
            "&&" | "||" => {
                let (Some(l), Some(r)) = (arg.get("left"), arg.get("right")) else { return Condition::Opaque };
                let parts = vec![self.read(l), self.read(r)];
                if op == "&&" { Condition::And(parts) } else { Condition::Or(parts) }
            }
            "!" => arg.get("arg").map_or(Condition::Opaque, |a| not(self.read(a))),
            _ if !reads_context(e) => self.proposal(e),
            _ => self.atom(op, arg).unwrap_or(Condition::Opaque),
        }
    }

    /// Something of the proposal alone: a constant, or an atom when the proposal is kept.
    fn proposal(&self, e: &Json) -> Condition {
        if self.keep_proposal
            && let Some(atom) = proposal_atom(e)
        {
            // A `has` test that holds is kept as true: "its year is 2024", not "it has a year".
            if !matches!(single(e), Some(("has", _))) {
                return Condition::Atom(atom, true);
            }
        }
        match self.constants.resource(e) {
            Some(b) => Condition::Const(b),
            None => Condition::Opaque,
        }
    }

    fn atom(&self, op: &str, arg: &Json) -> Option<Condition> {
        match op {
            "." => {
                let (scope, name) = context_path(arg)?;
                (scope == "facts").then_some(Condition::Atom(Atom::FactTrue(name), true))
            }
            "has" => {
                let left = arg.get("left")?;
                let name = arg.get("attr")?.as_str()?.to_owned();
                let scope = context_scope(left)?;
                match scope.as_str() {
                    "facts" => Some(Condition::Atom(Atom::FactKnown(name), true)),
                    "stances" => Some(constant(self.constants.seated(&name))),
                    "outcomes" => Some(constant(self.constants.before_committee(&name))),
                    _ => None,
                }
            }
            "==" | "!=" | "<" | "<=" | ">" | ">=" => {
                let cmp = match op {
                    "==" => Cmp::Eq,
                    "!=" => Cmp::Ne,
                    "<" => Cmp::Lt,
                    "<=" => Cmp::Le,
                    ">" => Cmp::Gt,
                    _ => Cmp::Ge,
                };
                self.comparison(arg.get("left")?, cmp, arg.get("right")?)
            }
            "lessThan" | "lessThanOrEqual" | "greaterThan" | "greaterThanOrEqual" => {
                let cmp = match op {
                    "lessThan" => Cmp::Lt,
                    "lessThanOrEqual" => Cmp::Le,
                    "greaterThan" => Cmp::Gt,
                    _ => Cmp::Ge,
                };
                let args = arg.as_array()?;
                self.comparison(args.first()?, cmp, args.get(1)?)
            }
            _ => None,
        }
    }

    fn comparison(&self, left: &Json, cmp: Cmp, right: &Json) -> Option<Condition> {
        let (path, literal, cmp) = match (context_of(left), literal(right)) {
            (Some(path), Some(lit)) => (path, lit, cmp),
            _ => (context_of(right)?, literal(left)?, cmp.flip()),
        };
        let (scope, name) = path;
        let atom = match scope.as_str() {
            "facts" => Atom::Fact(name, cmp, literal),
            "stances" if matches!(cmp, Cmp::Eq | Cmp::Ne) => Atom::Stance(name, cmp, unquote(&literal)),
            "outcomes" if matches!(cmp, Cmp::Eq | Cmp::Ne) => Atom::Outcome(name, cmp, unquote(&literal)),
            _ => return None,
        };
        Some(Condition::Atom(atom, true))
    }
}

/// Every literal a policy compares a fact with (`context.facts.x > 40`, `x == "BGR"`,
/// `x.lessThan(decimal("1.5"))`), as (fact id, literal as Cedar writes it).
pub(crate) fn compared(est: &Json) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![est];
    while let Some(e) = stack.pop() {
        match e {
            Json::Object(map) => {
                if let Some((op, arg)) = single(e) {
                    let sides = match op {
                        "==" | "!=" | "<" | "<=" | ">" | ">=" => arg.get("left").zip(arg.get("right")),
                        "lessThan" | "lessThanOrEqual" | "greaterThan" | "greaterThanOrEqual" => {
                            arg.as_array().and_then(|a| a.first().zip(a.get(1)))
                        }
                        _ => None,
                    };
                    if let Some((l, r)) = sides {
                        for (side, other) in [(l, r), (r, l)] {
                            if let (Some((scope, name)), Some(lit)) = (context_of(side), literal(other))
                                && scope == "facts"
                            {
                                out.push((name, lit));
                            }
                        }
                    }
                }
                stack.extend(map.values());
            }
            Json::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    out
}

fn constant(b: Option<bool>) -> Condition {
    b.map_or(Condition::Opaque, Condition::Const)
}

fn unquote(text: &str) -> String {
    text.trim_matches('"').to_owned()
}

/// The one operator of an EST expression and its argument.
fn single(e: &Json) -> Option<(&str, &Json)> {
    let map = e.as_object()?;
    if map.len() != 1 {
        return None;
    }
    map.iter().next().map(|(k, v)| (k.as_str(), v))
}

/// `context.<scope>` as its scope name.
fn context_scope(e: &Json) -> Option<String> {
    let (op, arg) = single(e)?;
    if op != "." {
        return None;
    }
    (arg.get("left")?.get("Var")?.as_str()? == "context").then_some(())?;
    Some(arg.get("attr")?.as_str()?.to_owned())
}

/// The argument of `context.<scope>.<name>` (an EST `.`) as (scope, name).
fn context_path(arg: &Json) -> Option<(String, String)> {
    let scope = context_scope(arg.get("left")?)?;
    Some((scope, arg.get("attr")?.as_str()?.to_owned()))
}

/// `context.<scope>.<name>` as (scope, name), for an expression.
fn context_of(e: &Json) -> Option<(String, String)> {
    let (op, arg) = single(e)?;
    if op != "." {
        return None;
    }
    context_path(arg)
}

/// A literal as Cedar writes it: `true`, `3`, `"BGR"`, or a decimal's text.
fn literal(e: &Json) -> Option<String> {
    if let Some(v) = e.get("Value") {
        return match v {
            Json::Bool(b) => Some(b.to_string()),
            Json::Number(n) => Some(n.to_string()),
            Json::String(s) => Some(format!("\"{s}\"")),
            _ => None,
        };
    }
    // decimal("1.5")
    let args = e.get("decimal")?.as_array()?;
    Some(args.first()?.get("Value")?.as_str()?.to_owned())
}

/// Something of the proposal alone in words, when it is a simple test.
fn proposal_atom(e: &Json) -> Option<Atom> {
    let (op, arg) = single(e)?;
    let attribute = |e: &Json| -> Option<String> {
        let (op, arg) = single(e)?;
        if op != "." {
            return None;
        }
        let left = arg.get("left")?;
        let attr = arg.get("attr")?.as_str()?;
        if left.get("Var").and_then(Json::as_str) == Some("resource") {
            return Some(attr.to_owned());
        }
        let (inner, inner_arg) = single(left)?;
        (inner == "." && inner_arg.get("left")?.get("Var")?.as_str()? == "resource").then_some(())?;
        (inner_arg.get("attr")?.as_str()? == "attributes").then(|| format!("attribute {attr}"))
    };
    let yes_no = |yes: String, no: String| Some(Atom::Proposal { yes, no });
    match op {
        "==" | "!=" | "<" | "<=" | ">" | ">=" => {
            let name = attribute(arg.get("left")?)?;
            let lit = literal(arg.get("right")?)?;
            let cmp = match op {
                "==" => Cmp::Eq,
                "!=" => Cmp::Ne,
                "<" => Cmp::Lt,
                "<=" => Cmp::Le,
                ">" => Cmp::Gt,
                _ => Cmp::Ge,
            };
            let shown = unquote(&lit);
            let (yes, no) = match (name.as_str(), cmp) {
                // An engagement is new or continuing: the negation says the other.
                ("engagement", Cmp::Eq | Cmp::Ne) => {
                    let other = if shown == "new" { "continuing" } else { "new" };
                    let (a, b) = (format!("the engagement is {shown}"), format!("the engagement is {other}"));
                    if cmp == Cmp::Eq { (a, b) } else { (b, a) }
                }
                _ => {
                    let subject = if name.starts_with("attribute ") { name.clone() } else { format!("the {name}") };
                    (
                        format!("{subject} {} {shown}", cmp.words()),
                        format!("{subject} {} {shown}", cmp.negate().words()),
                    )
                }
            };
            yes_no(yes, no)
        }
        "contains" => {
            let left = arg.get("left")?;
            let right = arg.get("right")?;
            if let Some(partner) = right.get("Value").and_then(|v| v.get("__entity")).and_then(|e| e.get("id")) {
                let id = partner.as_str()?;
                return yes_no(format!("the proposal involves {id}"), format!("the proposal does not involve {id}"));
            }
            let name = attribute(left)?;
            let lit = unquote(&literal(right)?);
            yes_no(format!("{name} contains {lit}"), format!("{name} does not contain {lit}"))
        }
        "." => {
            let name = attribute(e)?;
            yes_no(format!("{name} is true"), format!("{name} is false"))
        }
        _ => None,
    }
}

fn not(c: Condition) -> Condition {
    match c {
        Condition::Const(b) => Condition::Const(!b),
        Condition::Atom(a, polarity) => Condition::Atom(a, !polarity),
        Condition::And(parts) => Condition::Or(parts.into_iter().map(not).collect()),
        Condition::Or(parts) => Condition::And(parts.into_iter().map(not).collect()),
        Condition::Opaque => Condition::Opaque,
    }
}

/// Folds constants, flattens nested `and`s and `or`s, drops repeats, and reads `has x && x`
/// as "x is true".
pub(crate) fn simplify(c: Condition) -> Condition {
    match c {
        Condition::And(parts) | Condition::Or(parts) if parts.is_empty() => Condition::Const(true),
        Condition::And(parts) => junction(parts, true),
        Condition::Or(parts) => junction(parts, false),
        other => other,
    }
}

fn junction(parts: Vec<Condition>, and: bool) -> Condition {
    let mut out: Vec<Condition> = Vec::new();
    for part in parts.into_iter().map(simplify) {
        match part {
            // true in an `and`, false in an `or`, change nothing.
            Condition::Const(b) if b == and => {}
            Condition::Const(b) => return Condition::Const(b),
            Condition::And(inner) if and => out.extend(inner),
            Condition::Or(inner) if !and => out.extend(inner),
            other => {
                if !out.contains(&other) {
                    out.push(other);
                }
            }
        }
    }
    // `x is known and x is true` is `x is true` (the test of a fact that is not known fails).
    if and {
        let implied: Vec<String> = out
            .iter()
            .filter_map(|p| match p {
                Condition::Atom(Atom::FactTrue(f) | Atom::Fact(f, _, _), true) => Some(f.clone()),
                _ => None,
            })
            .collect();
        out.retain(|p| !matches!(p, Condition::Atom(Atom::FactKnown(f), true) if implied.contains(f)));
    }
    match out.len() {
        0 => Condition::Const(and),
        1 => out.pop().unwrap_or(Condition::Const(and)),
        _ if and => Condition::And(out),
        _ => Condition::Or(out),
    }
}

impl Condition {
    /// Whether any part cannot be put in words.
    pub(crate) fn opaque(&self) -> bool {
        match self {
            Condition::Opaque => true,
            Condition::And(parts) | Condition::Or(parts) => parts.iter().any(Condition::opaque),
            Condition::Const(_) | Condition::Atom(..) => false,
        }
    }

    /// Whether it reads the proposal itself (an [`Atom::Proposal`]).
    pub(crate) fn reads_proposal(&self) -> bool {
        match self {
            Condition::Atom(Atom::Proposal { .. }, _) => true,
            Condition::And(parts) | Condition::Or(parts) => parts.iter().any(Condition::reads_proposal),
            _ => false,
        }
    }

    /// The condition as a sentence ("a is true and b is false"); parts of a different junction
    /// inside one are put in parentheses. None when a part cannot be put in words.
    pub(crate) fn in_words(&self) -> Option<String> {
        match self {
            Condition::Const(true) => Some("always".to_owned()),
            Condition::Const(false) => Some("never".to_owned()),
            Condition::Opaque => None,
            Condition::Atom(atom, polarity) => Some(atom_words(atom, *polarity)),
            Condition::And(parts) | Condition::Or(parts) => {
                let joiner = if matches!(self, Condition::And(_)) { " and " } else { " or " };
                let words: Option<Vec<String>> = parts
                    .iter()
                    .map(|p| {
                        let w = p.in_words()?;
                        Some(if matches!(p, Condition::And(_) | Condition::Or(_)) { format!("({w})") } else { w })
                    })
                    .collect();
                Some(words?.join(joiner))
            }
        }
    }
}

fn atom_words(atom: &Atom, polarity: bool) -> String {
    match atom {
        Atom::FactTrue(f) => format!("{f} is {polarity}"),
        Atom::FactKnown(f) if polarity => format!("{f} is known"),
        Atom::FactKnown(f) => format!("{f} is not known"),
        Atom::Fact(f, cmp, lit) => {
            let cmp = if polarity { *cmp } else { cmp.negate() };
            format!("{f} {} {}", cmp.words(), unquote(lit))
        }
        Atom::Stance(m, cmp, stance) => {
            let yes = (*cmp == Cmp::Eq) == polarity;
            let verb = match (stance.as_str(), yes) {
                ("consent", true) => "consents",
                ("consent", false) => "does not consent",
                ("object", true) => "objects",
                ("object", false) => "does not object",
                ("abstain", true) => "abstains",
                ("abstain", false) => "does not abstain",
                ("silent", true) => "is silent",
                ("silent", false) => "is not silent",
                (_, true) => return format!("{m}'s stance is {stance}"),
                (_, false) => return format!("{m}'s stance is not {stance}"),
            };
            format!("{m} {verb}")
        }
        Atom::Outcome(p, cmp, outcome) => {
            let yes = (*cmp == Cmp::Eq) == polarity;
            format!("{p} is {}{outcome}", if yes { "" } else { "not " })
        }
        Atom::Proposal { yes, no } => (if polarity { yes } else { no }).clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    /// Every proposal-only test holds (the policy applies to the proposal), members sit, and
    /// proposals are before their committees.
    struct Applies;
    impl Constants for Applies {
        fn resource(&self, _: &Json) -> Option<bool> {
            Some(true)
        }
        fn seated(&self, _: &str) -> Option<bool> {
            Some(true)
        }
        fn before_committee(&self, _: &str) -> Option<bool> {
            Some(true)
        }
    }

    fn words(policy: &str, keep_proposal: bool) -> Option<String> {
        let set = cedar_policy::PolicySet::from_str(policy).unwrap();
        let est = set.policies().next().unwrap().to_json().unwrap();
        lifting(&est, &Applies, keep_proposal).in_words()
    }

    #[test]
    fn the_seed_case() {
        let w = words(
            r#"forbid (principal, action == Action::"consent", resource)
               when { resource.partners.contains(Partner::"ISR") && resource.engagement == "new" }
               unless { context.facts.gaza_permanent_ceasefire && context.facts.gaza_aid_unobstructed };"#,
            false,
        );
        assert_eq!(w.as_deref(), Some("gaza_permanent_ceasefire is true and gaza_aid_unobstructed is true"));
    }

    #[test]
    fn a_fact_in_when_lifts_when_false() {
        let w = words(r#"forbid (principal, action, resource) when { context.facts.ukr_membership_path };"#, false);
        assert_eq!(w.as_deref(), Some("ukr_membership_path is false"));
    }

    #[test]
    fn known_and_true_reads_as_true() {
        let w = words(
            r#"forbid (principal, action, resource) when { resource.kind == "accession-protocol" }
               unless { context.facts has a && context.facts.a && context.facts has b && context.facts.b };"#,
            false,
        );
        assert_eq!(w.as_deref(), Some("a is true and b is true"));
    }

    #[test]
    fn comparisons_negate_and_flip() {
        let w = words(r#"forbid (principal, action, resource) when { context.facts.budget > 40 };"#, false);
        assert_eq!(w.as_deref(), Some("budget is at most 40"));
        let w = words(r#"forbid (principal, action, resource) when { 40 <= context.facts.budget };"#, false);
        assert_eq!(w.as_deref(), Some("budget is less than 40"));
        let w = words(
            r#"forbid (principal, action, resource) when { context.facts.rate.lessThan(decimal("1.5")) || context.facts.host == "BGR" };"#,
            false,
        );
        assert_eq!(w.as_deref(), Some("rate is at least 1.5 and host is not BGR"));
    }

    #[test]
    fn stances_and_outcomes() {
        let w = words(
            r#"forbid (principal, action, resource) when { context.stances has TUR && context.stances.TUR != "consent" };"#,
            false,
        );
        assert_eq!(w.as_deref(), Some("TUR consents"));
        let w = words(
            r#"forbid (principal, action, resource) when { context.outcomes has "top" && context.outcomes["top"] != "adopted" };"#,
            false,
        );
        assert_eq!(w.as_deref(), Some("top is adopted"));
    }

    #[test]
    fn the_proposal_itself_when_nothing_else_lifts() {
        let policy = r#"forbid (principal, action, resource) when { resource.partners.contains(Partner::"ISR") && resource.engagement == "new" };"#;
        assert_eq!(words(policy, false).as_deref(), Some("never"));
        assert_eq!(
            words(policy, true).as_deref(),
            Some("the proposal does not involve ISR or the engagement is continuing")
        );
        let policy = r#"forbid (principal, action, resource) when { resource.kind == "appointment" && resource.attributes has months && resource.attributes.months > 3 };"#;
        assert_eq!(
            words(policy, true).as_deref(),
            Some("the kind is not appointment or attribute months is at most 3")
        );
    }

    #[test]
    fn what_cannot_be_put_in_words() {
        let w = words(r#"forbid (principal, action, resource) when { context.facts.n + 1 > 3 };"#, false);
        assert_eq!(w, None);
        let w = words(
            r#"forbid (principal, action, resource) when { if context.facts.a then context.facts.b else true };"#,
            false,
        );
        assert_eq!(w, None);
    }
}
