//! Compiling a position: its Cedar policies parsed, checked and analysed once, at load time.

use std::ops::Range;
use std::str::FromStr;

use cedar_policy::{Effect, PolicySet, PrincipalConstraint, ValidationMode, Validator};
use miette::Diagnostic;

use super::MEMBER;
use super::reads::Reads;

/// A position ready to evaluate.
#[derive(Debug, Clone)]
pub(crate) struct CompiledPosition {
    /// Its policies, all `forbid`.
    pub(crate) policies: PolicySet,
    /// What they read.
    pub(crate) reads: Reads,
}

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

/// Parses, checks and validates the policies of `member`'s position.
pub(crate) fn compile(
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
    for policy in set.policies() {
        match policy.to_json() {
            Ok(est) => reads.add_policy(&est),
            Err(_) => {
                // Cannot happen for a parsed static policy; read everything to stay correct.
                reads.resource.identity = true;
                reads.all_facts = true;
            }
        }
    }
    Ok(CompiledPosition { policies: set, reads })
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
