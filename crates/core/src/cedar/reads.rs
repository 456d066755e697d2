//! What a policy reads: the proposal attributes and the facts its outcome can depend on.
//!
//! The analysis walks the policy's JSON form (Cedar's EST) and collects every access path that
//! starts at `resource` or `context`. It serves two ends:
//! - **explanations** name the facts an objecting position read;
//! - **speed**: two proposals that agree on everything a position reads get the same answer from
//!   it, so the engine evaluates a position once per distinct projection of the proposals, not
//!   once per proposal.
//!
//! The analysis is conservative: any use of `resource` it does not recognise makes the proposal's
//! identity part of the projection, and any use of `context` it does not recognise reads every
//! fact. A set of partners tested only with `contains`, `containsAny` or `containsAll` against
//! literal partners depends only on its intersection with those partners.

use std::collections::BTreeSet;

use serde_json::Value as Json;

use crate::date::Date;
use crate::engine::calendar::Pattern;

/// How a policy reads a proposal's partners.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum PartnersRead {
    /// Not at all.
    #[default]
    None,
    /// Only through membership tests against these partner ids.
    Literals(BTreeSet<String>),
    /// In some other way: the whole set matters.
    Full,
}

/// How a policy reads a proposal's free attributes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum AttributesRead {
    /// Not at all.
    #[default]
    None,
    /// These attributes (their presence and value).
    Some(BTreeSet<String>),
    /// The whole record.
    All,
}

/// The parts of a proposal a policy can depend on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct ResourceReads {
    /// The proposal's identity (its id, or the entity itself).
    pub(crate) identity: bool,
    pub(crate) committee: bool,
    pub(crate) kind: bool,
    pub(crate) engagement: bool,
    pub(crate) partners: PartnersRead,
    pub(crate) attributes: AttributesRead,
}

/// Everything a policy reads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Reads {
    pub(crate) resource: ResourceReads,
    /// Fact ids read by name.
    pub(crate) facts: BTreeSet<String>,
    /// Whether the whole `facts` record (so every fact) is read.
    pub(crate) all_facts: bool,
    /// Whether `context.date` is read: the answer can change from one day to the next.
    pub(crate) date: bool,
    /// Every `like` pattern of the policy: the only strings that change from day to day are
    /// dates, so these (and `dates`) are all a policy can see of the date (`engine::calendar`).
    pub(crate) patterns: Vec<Pattern>,
    /// The string literals of the policy that are dates (`"YYYY-MM-DD"`).
    pub(crate) dates: BTreeSet<Date>,
    /// The members whose stance on the same proposal it reads, by name (`context.stances.RUS`).
    pub(crate) stances: BTreeSet<String>,
    /// The proposals whose outcome it reads, by name (`context.outcomes["p"]`).
    pub(crate) outcomes: BTreeSet<String>,
    /// How it reads `context.stances` or `context.outcomes` other than by name, if it does: a
    /// position must name what it follows (the scenario is refused otherwise).
    pub(crate) unnamed_link: Option<&'static str>,
}

impl Reads {
    /// Whether it reads other members' stances or other proposals' outcomes.
    pub(crate) fn is_linked(&self) -> bool {
        !self.stances.is_empty() || !self.outcomes.is_empty()
    }

    /// Whether a change to this fact can change the policy's answer.
    pub(crate) fn reads_fact(&self, id: &str) -> bool {
        self.all_facts || self.facts.contains(id)
    }

    /// Adds what one policy (in EST JSON form) reads.
    pub(crate) fn add_policy(&mut self, est: &Json) {
        if let Some(scope) = est.get("resource") {
            if scope.get("op").and_then(Json::as_str).is_some_and(|op| op != "All" && op != "is") {
                self.resource.identity = true;
            }
            if scope.get("in").is_some() {
                self.resource.identity = true;
            }
        }
        if let Some(conditions) = est.get("conditions").and_then(Json::as_array) {
            for c in conditions {
                if let Some(body) = c.get("body") {
                    self.walk(body);
                }
            }
        }
    }

    fn walk(&mut self, e: &Json) {
        match e {
            Json::Object(map) => {
                if map.len() == 1
                    && let Some((op, arg)) = map.iter().next()
                {
                    if self.access(op, arg) {
                        return;
                    }
                    if op == "Var" {
                        self.record_var(arg.as_str().unwrap_or_default(), &[]);
                        return;
                    }
                    if op == "Value" {
                        self.literal(arg);
                        return;
                    }
                    if op == "like"
                        && let Some(pattern) =
                            arg.get("pattern").and_then(Json::as_array).and_then(|p| Pattern::from_est(p))
                        && !self.patterns.contains(&pattern)
                    {
                        self.patterns.push(pattern);
                    }
                }
                for v in map.values() {
                    self.walk(v);
                }
            }
            Json::Array(items) => items.iter().for_each(|v| self.walk(v)),
            _ => {}
        }
    }

    /// Keeps the strings of a literal that are dates.
    fn literal(&mut self, value: &Json) {
        match value {
            Json::String(text) => {
                if let Some(date) = as_date(text) {
                    self.dates.insert(date);
                }
            }
            Json::Array(items) => items.iter().for_each(|v| self.literal(v)),
            Json::Object(map) => map.values().for_each(|v| self.literal(v)),
            _ => {}
        }
    }

    /// Handles `x.a`, `x has a` and partner membership tests; returns false when `op` is none.
    fn access(&mut self, op: &str, arg: &Json) -> bool {
        match op {
            "." | "has" => {
                let (Some(left), Some(attr)) = (arg.get("left"), arg.get("attr").and_then(Json::as_str)) else {
                    return false;
                };
                match chain(left) {
                    Some((var, mut path)) => {
                        path.push(attr.to_owned());
                        self.record_var(var, &path);
                    }
                    None => self.walk(left),
                }
                true
            }
            "contains" | "containsAll" | "containsAny" => {
                let (Some(left), Some(right)) = (arg.get("left"), arg.get("right")) else { return false };
                let on_partners = chain(left).is_some_and(|(var, path)| var == "resource" && path == ["partners"]);
                match (on_partners, partner_literals(right)) {
                    (true, Some(ids)) => {
                        match &mut self.resource.partners {
                            PartnersRead::Full => {}
                            PartnersRead::Literals(set) => set.extend(ids),
                            none @ PartnersRead::None => *none = PartnersRead::Literals(ids.into_iter().collect()),
                        }
                        true
                    }
                    _ => false,
                }
            }
            _ => false,
        }
    }

    fn record_var(&mut self, var: &str, path: &[String]) {
        let first = path.first().map(String::as_str);
        match var {
            "resource" => self.record_resource(first, path.get(1).map(String::as_str)),
            "context" => match (first, path.get(1)) {
                (Some("facts"), Some(fact)) => {
                    self.facts.insert(fact.clone());
                }
                (Some("date"), _) => self.date = true,
                (Some("stances"), Some(member)) => {
                    self.stances.insert(member.clone());
                }
                (Some("outcomes"), Some(proposal)) => {
                    self.outcomes.insert(proposal.clone());
                }
                (Some("stances"), None) => self.unnamed_link = Some("context.stances"),
                (Some("outcomes"), None) => self.unnamed_link = Some("context.outcomes"),
                _ => {
                    // The whole context: a position that names no stance or outcome sees none.
                    self.all_facts = true;
                    self.date = true;
                }
            },
            _ => {} // principal and action are fixed for a position
        }
    }

    fn record_resource(&mut self, attr: Option<&str>, sub: Option<&str>) {
        let r = &mut self.resource;
        match attr {
            Some("committee") => r.committee = true,
            Some("kind") => r.kind = true,
            Some("engagement") => r.engagement = true,
            Some("partners") => r.partners = PartnersRead::Full,
            Some("attributes") => match (sub, &mut r.attributes) {
                (_, AttributesRead::All) => {}
                (Some(name), AttributesRead::Some(set)) => {
                    set.insert(name.to_owned());
                }
                (Some(name), AttributesRead::None) => {
                    r.attributes = AttributesRead::Some(BTreeSet::from([name.to_owned()]))
                }
                (None, _) => r.attributes = AttributesRead::All,
            },
            _ => r.identity = true,
        }
    }
}

/// Whether an expression (in EST JSON form) reads `context` anywhere.
pub(crate) fn reads_context(e: &Json) -> bool {
    match e {
        Json::Object(map) => {
            map.get("Var").and_then(Json::as_str) == Some("context") || map.values().any(reads_context)
        }
        Json::Array(items) => items.iter().any(reads_context),
        _ => false,
    }
}

/// A string that is a date as `context.date` writes it.
pub(crate) fn as_date(text: &str) -> Option<Date> {
    text.parse::<Date>().ok().filter(|d| d.to_string() == text)
}

/// `var.a.b.c` as (`var`, [`a`, `b`, `c`]), or None when the chain does not start at a variable.
fn chain(e: &Json) -> Option<(&str, Vec<String>)> {
    if let Some(var) = e.get("Var").and_then(Json::as_str) {
        return Some((var, Vec::new()));
    }
    let inner = e.get(".")?;
    let (var, mut path) = chain(inner.get("left")?)?;
    path.push(inner.get("attr")?.as_str()?.to_owned());
    Some((var, path))
}

/// The partner ids of a literal `Partner::"X"` or a set literal of them.
fn partner_literals(e: &Json) -> Option<Vec<String>> {
    if let Some(items) = e.get("Set").and_then(Json::as_array) {
        return items.iter().map(partner_literal).collect();
    }
    partner_literal(e).map(|id| vec![id])
}

fn partner_literal(e: &Json) -> Option<String> {
    let entity = e.get("Value")?.get("__entity")?;
    (entity.get("type")?.as_str()? == super::PARTNER).then_some(())?;
    Some(entity.get("id")?.as_str()?.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn reads(src: &str) -> Reads {
        let set = cedar_policy::PolicySet::from_str(src).unwrap();
        let mut r = Reads::default();
        for p in set.policies() {
            r.add_policy(&p.to_json().unwrap());
        }
        r
    }

    #[test]
    fn the_contract_example() {
        let r = reads(
            r#"forbid (principal, action == Action::"consent", resource)
               when { resource.partners.contains(Partner::"ISR") && resource.engagement == "new" }
               unless { context.facts.gaza_permanent_ceasefire && context.facts.gaza_aid_unobstructed };"#,
        );
        assert_eq!(r.resource.partners, PartnersRead::Literals(BTreeSet::from(["ISR".to_owned()])));
        assert!(r.resource.engagement && !r.resource.kind && !r.resource.identity);
        assert_eq!(
            r.facts,
            BTreeSet::from(["gaza_aid_unobstructed".to_owned(), "gaza_permanent_ceasefire".to_owned()])
        );
        assert!(!r.all_facts);
    }

    #[test]
    fn contains_any_with_a_set_literal() {
        let r = reads(
            r#"forbid (principal, action, resource) when { resource.partners.containsAny([Partner::"A", Partner::"B"]) };"#,
        );
        assert_eq!(r.resource.partners, PartnersRead::Literals(BTreeSet::from(["A".to_owned(), "B".to_owned()])));
    }

    #[test]
    fn other_partner_uses_read_the_whole_set() {
        let r = reads(
            r#"forbid (principal, action, resource) when { resource.partners.contains(Partner::"A") || resource.partners.isEmpty() };"#,
        );
        assert_eq!(r.resource.partners, PartnersRead::Full);
        let r =
            reads(r#"forbid (principal, action, resource) when { [Partner::"A"].containsAny(resource.partners) };"#);
        assert_eq!(r.resource.partners, PartnersRead::Full);
    }

    #[test]
    fn attributes_by_name_and_has() {
        let r = reads(
            r#"forbid (principal, action, resource) when { resource.attributes has host && resource.attributes.host == "BGR" && resource.kind == "exercise" };"#,
        );
        assert_eq!(r.resource.attributes, AttributesRead::Some(BTreeSet::from(["host".to_owned()])));
        assert!(r.resource.kind);
    }

    #[test]
    fn identity_uses() {
        assert!(reads(r#"forbid (principal, action, resource == Proposal::"p");"#).resource.identity);
        assert!(reads(r#"forbid (principal, action, resource) when { resource == Proposal::"p" };"#).resource.identity);
        assert!(!reads(r#"forbid (principal, action, resource is Proposal);"#).resource.identity);
    }

    #[test]
    fn stances_and_outcomes_by_name() {
        let r = reads(
            r#"forbid (principal, action, resource) when { context.stances.RUS == "object" && context.outcomes has "top-four" && context.outcomes["top-four"] != "adopted" };"#,
        );
        assert_eq!(r.stances, BTreeSet::from(["RUS".to_owned()]));
        assert_eq!(r.outcomes, BTreeSet::from(["top-four".to_owned()]));
        assert!(r.is_linked() && r.unnamed_link.is_none() && !r.all_facts);
        let r = reads(r#"forbid (principal, action, resource) when { context.stances == {} };"#);
        assert_eq!(r.unnamed_link, Some("context.stances"));
        assert!(reads(r#"forbid (principal, action, resource) when { context has facts };"#).unnamed_link.is_none());
    }

    #[test]
    fn facts_by_has_and_whole_context() {
        let r = reads(
            r#"forbid (principal, action, resource) when { context.facts has x && context.date like "2025-*" };"#,
        );
        assert_eq!(r.facts, BTreeSet::from(["x".to_owned()]));
        assert!(!r.all_facts);
        assert!(reads(r#"forbid (principal, action, resource) when { context.facts == {} };"#).all_facts);
        assert!(reads(r#"forbid (principal, action, resource) when { context has facts };"#).all_facts);
        assert!(
            reads(r#"forbid (principal, action, resource) when { context.facts["odd-id"] };"#).facts.contains("odd-id")
        );
    }
}
