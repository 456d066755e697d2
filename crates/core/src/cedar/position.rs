//! Compiling a position: its Cedar policies parsed, checked and analysed once, at load time.

use std::ops::Range;
use std::str::FromStr;

use cedar_policy::{Effect, PolicySet, PrincipalConstraint, ValidationMode, Validator};
use miette::Diagnostic;

use super::MEMBER;
use super::reads::Reads;
use crate::engine::linkage::{LinkedPolicy, guard};
use crate::limits::{MAX_POLICIES, MAX_POLICY_BYTES, MAX_POLICY_DEPTH, MAX_POLICY_NESTING};

/// A position ready to evaluate.
#[derive(Debug, Clone)]
pub(crate) struct CompiledPosition {
    /// Its policies, all `forbid`.
    pub(crate) policies: PolicySet,
    /// What they read.
    pub(crate) reads: Reads,
    /// How deep its expressions nest (at most [`MAX_POLICY_DEPTH`]).
    pub(crate) depth: usize,
    /// Its policies that read other stances or outcomes, with their guards.
    pub(crate) linked: Vec<LinkedPolicy>,
}

impl CompiledPosition {
    /// Runs `evaluate` (Cedar's evaluation of these policies) with stack enough for their depth,
    /// whatever thread calls it: Cedar recurses once per level of an expression and reports
    /// "recursion limit reached" when its stack runs low, which would make a deep position's
    /// verdict depend on the caller's thread (a server worker has 2 MiB, a debug build needs about
    /// 50 KiB a level). Where the stack left is short, `evaluate` runs on a grown segment.
    pub(crate) fn with_stack<T>(&self, evaluate: impl FnOnce() -> T) -> T {
        let need = EVALUATION_BASE + self.depth * EVALUATION_PER_LEVEL;
        stacker::maybe_grow(need, need + EVALUATION_BASE, evaluate)
    }
}

/// The stack Cedar's evaluation needs besides its levels, with room for its own 100 KiB check.
const EVALUATION_BASE: usize = 512 * 1024;
/// The stack one level of expression needs (measured at about 50 KiB in a debug build and 8 KiB
/// in a release build).
const EVALUATION_PER_LEVEL: usize = 64 * 1024;

/// Something wrong with a position's policy text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PolicyProblem {
    pub(crate) message: String,
    pub(crate) help: Option<String>,
    /// Byte range inside the policy text.
    pub(crate) range: Option<Range<usize>>,
}

impl PolicyProblem {
    fn from_diagnostic(d: &dyn Diagnostic, prefix: &str) -> PolicyProblem {
        let range = d.labels().and_then(|mut labels| labels.next()).map(|l| l.offset()..l.offset() + l.len());
        PolicyProblem {
            message: format!("{prefix}{}", lowercase_first(&d.to_string())),
            help: d.help().map(|h| h.to_string()),
            range,
        }
    }

    fn plain(message: impl Into<String>, help: Option<&str>) -> PolicyProblem {
        PolicyProblem { message: message.into(), help: help.map(str::to_owned), range: None }
    }
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The stack the parser and the checks of a policy run on. A policy within the limits above
/// needs far less; Cedar's parser recurses once per level of the text, so it runs on a thread of
/// its own rather than on whatever thread loads the scenario (a server's worker has 2 MiB).
const COMPILE_STACK: usize = 64 * 1024 * 1024;

/// Checks the size and the bracket nesting of a policy text before Cedar reads it.
fn check_text(text: &str) -> Result<(), PolicyProblem> {
    if text.len() > MAX_POLICY_BYTES {
        return Err(PolicyProblem::plain(
            format!("the policy is {} bytes long; a position's policy is at most {MAX_POLICY_BYTES} bytes", text.len()),
            Some("state the position in fewer, simpler policies, or split it into several positions"),
        ));
    }
    let (mut depth, mut deepest, mut at) = (0usize, 0usize, 0usize);
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                // A string: skip to its closing quote, past escapes.
                while let Some((_, c)) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '/' if chars.peek().is_some_and(|(_, c)| *c == '/') => {
                for (_, c) in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '(' | '[' | '{' => {
                depth += 1;
                if depth > deepest {
                    (deepest, at) = (depth, i);
                }
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if deepest > MAX_POLICY_NESTING {
        return Err(PolicyProblem {
            message: format!(
                "the policy nests parentheses, brackets or braces {deepest} deep; at most {MAX_POLICY_NESTING}"
            ),
            help: Some("write the condition with fewer levels: `a && b && c` needs no parentheses".to_owned()),
            range: Some(at..at + 1),
        });
    }
    Ok(())
}

/// How deep the expressions of a policy nest, from its JSON form, walked without recursion.
fn expression_depth(est: &serde_json::Value) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(est, 0usize)];
    while let Some((v, depth)) = stack.pop() {
        deepest = deepest.max(depth);
        match v {
            serde_json::Value::Object(map) => stack.extend(map.values().map(|x| (x, depth + 1))),
            serde_json::Value::Array(items) => stack.extend(items.iter().map(|x| (x, depth + 1))),
            _ => {}
        }
    }
    // Every expression is an object naming its operator around an object or array of operands.
    deepest / 2
}

/// Parses, checks and validates the policies of `member`'s position, after checking its size
/// and nesting, on a thread with a known stack.
pub(crate) fn compile(
    text: &str,
    member: &str,
    validator: Option<&Validator>,
) -> Result<CompiledPosition, Vec<PolicyProblem>> {
    check_text(text).map_err(|p| vec![p])?;
    let compiled = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("concord-policy".to_owned())
            .stack_size(COMPILE_STACK)
            .spawn_scoped(scope, || compile_here(text, member, validator))
            .map(|thread| thread.join())
    });
    match compiled {
        Ok(Ok(result)) => result,
        Ok(Err(_)) => Err(vec![PolicyProblem::plain("the policy could not be read (its reader failed)", None)]),
        Err(e) => Err(vec![PolicyProblem::plain(format!("cannot start a thread to read the policy: {e}"), None)]),
    }
}

fn compile_here(
    text: &str,
    member: &str,
    validator: Option<&Validator>,
) -> Result<CompiledPosition, Vec<PolicyProblem>> {
    let set = PolicySet::from_str(text).map_err(|errs| {
        errs.iter().map(|e| PolicyProblem::from_diagnostic(e, "the policy does not parse: ")).collect::<Vec<_>>()
    })?;
    let mut problems = Vec::new();
    if set.templates().next().is_some() {
        problems.push(PolicyProblem::plain(
            "a position cannot be a template (`?principal`, `?resource`)",
            Some("write a static policy; it is evaluated with its member as principal"),
        ));
    }
    let mut count = 0;
    for policy in set.policies() {
        count += 1;
        if policy.effect() == Effect::Permit {
            problems.push(PolicyProblem::plain(
                format!("policy `{}` is a `permit`: positions state objections with `forbid`", policy.id()),
                Some("silence already counts as consent; write `forbid (...) when { ... }` for what the member objects to"),
            ));
        }
        let named = match policy.principal_constraint() {
            PrincipalConstraint::Eq(uid) | PrincipalConstraint::In(uid) | PrincipalConstraint::IsIn(_, uid) => {
                Some(uid)
            }
            PrincipalConstraint::Any | PrincipalConstraint::Is(_) => None,
        };
        if let Some(uid) = named
            && (uid.type_name().basename() != MEMBER || uid.id().unescaped() != member)
        {
            problems.push(PolicyProblem::plain(
                format!("the policy's scope names `{uid}`, but this position belongs to `{member}`"),
                Some(
                    "a position is evaluated only for its own member: leave the principal unconstrained (`principal`)",
                ),
            ));
        }
    }
    if count == 0 && problems.is_empty() {
        problems
            .push(PolicyProblem::plain("the policy text holds no policy", Some("write at least one `forbid (...);`")));
    }
    if count > MAX_POLICIES {
        problems.push(PolicyProblem::plain(
            format!("the position holds {count} policies; at most {MAX_POLICIES}"),
            Some("split it into several positions"),
        ));
    }
    let ests: Vec<Option<serde_json::Value>> = set.policies().map(|p| p.to_json().ok()).collect();
    let mut deepest = 0;
    for (policy, est) in set.policies().zip(&ests) {
        // A policy whose JSON form cannot be had is read as deep as allowed.
        let depth = est.as_ref().map_or(MAX_POLICY_DEPTH, expression_depth);
        deepest = deepest.max(depth);
        if depth > MAX_POLICY_DEPTH {
            problems.push(PolicyProblem::plain(
                format!("policy `{}` nests expressions {depth} deep; at most {MAX_POLICY_DEPTH}", policy.id()),
                Some("a long chain of `&&` or `||` nests one level per operator: split the condition into several policies, which object one by one"),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if let Some(validator) = validator {
        let result = validator.validate(&set, ValidationMode::Strict);
        for e in result.validation_errors() {
            problems.push(PolicyProblem::from_diagnostic(e, "the policy does not fit the scenario: "));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut reads = Reads::default();
    let mut linked = Vec::new();
    for (policy, est) in set.policies().zip(&ests) {
        match est {
            Some(est) => {
                reads.add_policy(est);
                let mut own = Reads::default();
                own.add_policy(est);
                if let Some(how) = own.unnamed_link {
                    problems.push(PolicyProblem::plain(
                        format!("policy `{}` reads `{how}` as a whole", policy.id()),
                        Some("name what the position follows: `context.stances.RUS == \"object\"`, `context.outcomes[\"proposal-id\"] == \"adopted\"`"),
                    ));
                }
                if own.is_linked() {
                    linked.push(LinkedPolicy {
                        id: policy.id().clone(),
                        stances: own.stances,
                        outcomes: own.outcomes,
                        guard: guard(est),
                    });
                }
            }
            None => {
                // Cannot happen for a parsed static policy; read everything to stay correct.
                reads.resource.identity = true;
                reads.all_facts = true;
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(CompiledPosition { policies: set, reads, depth: deepest, linked })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cedar::schema::{Shapes, ValueType, build};

    fn validator() -> Validator {
        let mut shapes = Shapes::default();
        shapes.facts.insert("ceasefire".into(), ValueType::Bool);
        Validator::new(build(&shapes).unwrap())
    }

    #[test]
    fn accepts_a_forbid_on_the_schema() {
        let p = compile(
            r#"forbid (principal, action == Action::"consent", resource) when { resource.partners.contains(Partner::"ISR") } unless { context.facts.ceasefire };"#,
            "TUR",
            Some(&validator()),
        )
        .unwrap();
        assert!(p.reads.facts.contains("ceasefire"));
    }

    #[test]
    fn accepts_its_own_member_in_scope() {
        compile(r#"forbid (principal == Member::"TUR", action, resource);"#, "TUR", Some(&validator())).unwrap();
    }

    #[test]
    fn refuses_another_member() {
        let errs =
            compile(r#"forbid (principal == Member::"B", action, resource);"#, "A", Some(&validator())).unwrap_err();
        assert!(errs[0].message.contains("`Member::\"B\"`"), "{errs:?}");
    }

    #[test]
    fn refuses_permit_and_templates() {
        let errs = compile("permit (principal, action, resource);", "A", None).unwrap_err();
        assert!(errs[0].message.contains("permit"));
        let errs = compile("forbid (principal == ?principal, action, resource);", "A", None).unwrap_err();
        assert!(errs[0].message.contains("template"));
    }

    #[test]
    fn reports_parse_errors_with_a_range() {
        let errs = compile("forbid (principal, action, resource) when { resource.( };", "A", None).unwrap_err();
        assert!(errs[0].message.starts_with("the policy does not parse"));
        assert!(errs[0].range.is_some());
    }

    #[test]
    fn reports_unknown_facts_and_attributes() {
        let errs =
            compile("forbid (principal, action, resource) when { context.facts.nope };", "A", Some(&validator()))
                .unwrap_err();
        assert!(errs[0].message.contains("does not fit"), "{errs:?}");
        let errs = compile(
            "forbid (principal, action, resource) when { resource.colour == \"red\" };",
            "A",
            Some(&validator()),
        )
        .unwrap_err();
        assert!(errs[0].range.is_some(), "{errs:?}");
    }

    #[test]
    fn empty_text_is_refused() {
        assert!(compile("  // nothing\n", "A", None).is_err());
    }
}
