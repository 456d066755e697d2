//! Linkage: positions that read other members' stances (`context.stances`) or other proposals'
//! outcomes (`context.outcomes`), and the order they are evaluated in.
//!
//! What a linked position reads depends on the proposal: "Belarus objects to a chair when Russia
//! does" reads Russia's stance on chairmanship decisions only. Each policy of a linked position
//! is split, at load time, into its **guard** (the conditions of its `when` and `unless` clauses
//! that read nothing but the proposal and the member) and the rest. A policy whose guard fails on
//! a proposal cannot forbid consent to it, so it reads nothing there. The guards are evaluated
//! once per class of proposals ([`super::classes`]), which gives, for every linked position and
//! class, the stances and outcomes it reads.
//!
//! From those reads the scenario's dependencies follow:
//! - on one proposal, a member's stance depends on the stances its positions read;
//! - a proposal's outcome depends on every stance on it, so on the outcomes they read.
//!
//! A cycle in either is invalid input, reported on every position in it with the cycle in words.
//! Without one, every stance and outcome is computed after what it reads: proposals whose outcome
//! is read fall into **strata** (a proposal's stratum is one more than the highest of the
//! outcomes read on it; 0 when none), the evaluation decides lower strata first, and a stance
//! that reads another is computed after it. Evaluation is exact, not approximated: a guard only
//! rules out reads that cannot change a verdict.

use std::collections::{BTreeSet, HashMap};

use cedar_policy::{Authorizer, Context, Policy, PolicyId, PolicySet, Request};
use serde_json::Value as Json;

use super::Engine;
use crate::cedar::reads::reads_context;
use crate::problem::{Problem, Site, Table};

/// One policy of a linked position: what it reads of stances and outcomes, and its guard.
#[derive(Debug, Clone)]
pub(crate) struct LinkedPolicy {
    /// The policy's id in the position's set.
    pub(crate) id: PolicyId,
    /// Member ids whose stance it reads.
    pub(crate) stances: BTreeSet<String>,
    /// Proposal ids whose outcome it reads.
    pub(crate) outcomes: BTreeSet<String>,
    /// Its conditions on the proposal and the member alone, when it has any.
    pub(crate) guard: Option<PolicySet>,
}

/// The guard of a policy (in EST JSON form): the same scope, with the conjuncts of its `when`
/// clauses and the negations of its `unless` clauses that do not read `context`. None when no
/// condition is left and the scope is open, or the guard cannot be built (the policy then always
/// reads what it names).
pub(crate) fn guard(est: &Json) -> Option<PolicySet> {
    let conditions = est.get("conditions")?.as_array()?;
    let mut kept = Vec::new();
    for c in conditions {
        let Some(body) = c.get("body") else { continue };
        match c.get("kind").and_then(Json::as_str) {
            Some("when") => {
                let mut conjuncts = Vec::new();
                split_and(body, &mut conjuncts);
                kept.extend(conjuncts.into_iter().filter(|e| !reads_context(e)).cloned());
            }
            Some("unless") if !reads_context(body) => kept.push(serde_json::json!({ "!": { "arg": body } })),
            _ => {}
        }
    }
    // A scope that names the proposal (`resource == Proposal::"p"`) is a condition too.
    let scoped = est.get("resource").and_then(|r| r.get("op")).and_then(Json::as_str).is_some_and(|op| op != "All");
    if kept.is_empty() && !scoped {
        return None;
    }
    let mut guard = est.clone();
    let object = guard.as_object_mut()?;
    object.insert(
        "conditions".to_owned(),
        Json::Array(kept.into_iter().map(|body| serde_json::json!({ "kind": "when", "body": body })).collect()),
    );
    object.remove("annotations");
    let policy = Policy::from_json(Some(PolicyId::new("guard")), guard).ok()?;
    PolicySet::from_policies([policy]).ok()
}

fn split_and<'a>(e: &'a Json, out: &mut Vec<&'a Json>) {
    match e.get("&&") {
        Some(and) => {
            if let (Some(left), Some(right)) = (and.get("left"), and.get("right")) {
                split_and(left, out);
                split_and(right, out);
            } else {
                out.push(e);
            }
        }
        None => out.push(e),
    }
}

/// What a linked position reads on one class of proposals.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(crate) struct ClassReads {
    /// Which of its linked policies may forbid consent there (bit `i` for policy `i` of
    /// [`PositionLinks::policies`]).
    pub(crate) applies: u64,
    /// Member indices whose stance it reads there, ascending.
    pub(crate) stances: Vec<usize>,
    /// Proposal indices whose outcome it reads there, ascending.
    pub(crate) outcomes: Vec<usize>,
}

/// A linked position's policies and its reads on every class of its table.
#[derive(Debug, Clone)]
pub(crate) struct PositionLinks {
    pub(crate) policies: Vec<LinkedPolicy>,
    /// Every member index it may read the stance of, ascending: the order of its linked values.
    pub(crate) members: Vec<usize>,
    /// Every proposal index it may read the outcome of, ascending.
    pub(crate) proposals: Vec<usize>,
    /// By class.
    pub(crate) classes: Vec<ClassReads>,
    /// Whether every policy of the position is linked: then, on a class where no guard holds,
    /// it cannot forbid, and is not evaluated.
    pub(crate) only_linked: bool,
}

impl PositionLinks {
    /// Whether an error of this policy counts on this class: one whose guard fails there cannot
    /// forbid, so what it could not read does not matter.
    pub(crate) fn counts(&self, class: usize, policy: &PolicyId) -> bool {
        let Some(reads) = self.classes.get(class) else { return true };
        match self.policies.iter().position(|p| &p.id == policy) {
            Some(i) => reads.applies & (1 << i) != 0,
            None => true,
        }
    }
}

/// The linkage of a scenario.
#[derive(Debug, Clone, Default)]
pub(crate) struct Links {
    /// For every position: None when it reads no stance or outcome.
    pub(crate) positions: Vec<Option<PositionLinks>>,
    /// Every proposal's stratum: 0 unless outcomes are read on it.
    pub(crate) strata: Vec<u32>,
    /// Whether some linked position reads each member's stance.
    pub(crate) followed: Vec<bool>,
}

impl Links {
    /// Whether any position is linked.
    pub(crate) fn any(&self) -> bool {
        self.positions.iter().any(Option::is_some)
    }

    pub(crate) fn of(&self, position: usize) -> Option<&PositionLinks> {
        self.positions.get(position).and_then(Option::as_ref)
    }
}

/// One edge of a dependency: `position` (of a member) reads something.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Edge {
    to: usize,
    position: usize,
}

impl Engine {
    /// Works out what every linked position reads on every class, checks that nothing depends on
    /// itself, and gives every proposal its stratum.
    pub(crate) fn link(&self, linked: Vec<(usize, Vec<LinkedPolicy>)>) -> Result<Links, Vec<Problem>> {
        let mut links = Links {
            positions: vec![None; self.positions.len()],
            strata: Vec::new(),
            followed: vec![false; self.scenario.members.len()],
        };
        for (pos, policies) in linked {
            let only_linked = self.positions.get(pos).is_some_and(|p| p.policies.policies().count() == policies.len());
            let member = self.position_member.get(pos).copied().unwrap_or(0);
            let members: BTreeSet<usize> =
                policies.iter().flat_map(|p| &p.stances).filter_map(|id| self.member_index(id)).collect();
            let proposals: BTreeSet<usize> =
                policies.iter().flat_map(|p| &p.outcomes).filter_map(|id| self.proposal_index(id)).collect();
            let reps = self.position_table.get(pos).and_then(|&t| self.tables.get(t)).map_or(&[][..], |t| &t.reps);
            let classes = reps
                .iter()
                .map(|&rep| {
                    let mut reads = ClassReads::default();
                    for (i, p) in policies.iter().enumerate() {
                        if p.guard.as_ref().is_none_or(|g| self.guard_holds(g, member, rep)) {
                            reads.applies |= 1 << i;
                            reads.stances.extend(p.stances.iter().filter_map(|id| self.member_index(id)));
                            reads.outcomes.extend(p.outcomes.iter().filter_map(|id| self.proposal_index(id)));
                        }
                    }
                    for list in [&mut reads.stances, &mut reads.outcomes] {
                        list.sort_unstable();
                        list.dedup();
                    }
                    reads
                })
                .collect();
            for &m in &members {
                if let Some(slot) = links.followed.get_mut(m) {
                    *slot = true;
                }
            }
            if let Some(slot) = links.positions.get_mut(pos) {
                *slot = Some(PositionLinks {
                    policies,
                    members: members.into_iter().collect(),
                    proposals: proposals.into_iter().collect(),
                    classes,
                    only_linked,
                });
            }
        }
        if !links.any() {
            links.strata = vec![0; self.scenario.proposals.len()];
            return Ok(links);
        }
        let mut problems = self.stance_cycles(&links);
        match self.strata(&links) {
            Ok(strata) => links.strata = strata,
            Err(more) => problems.extend(more),
        }
        if problems.is_empty() { Ok(links) } else { Err(problems) }
    }

    /// Whether a guard holds for a member on a proposal (an error counts as holding: the policy
    /// may then forbid).
    fn guard_holds(&self, guard: &PolicySet, member: usize, proposal: usize) -> bool {
        self.forbids_alone(guard, member, proposal).unwrap_or(true)
    }

    /// Whether a policy set that reads nothing of `context` forbids a member's consent to a
    /// proposal; None when it cannot be evaluated (an error, or no such member or proposal).
    pub(crate) fn forbids_alone(&self, set: &PolicySet, member: usize, proposal: usize) -> Option<bool> {
        let (m, p) = (self.scenario.members.get(member)?, self.scenario.proposals.get(proposal)?);
        let request = Request::new(
            self.names.member(&m.id),
            self.names.consent.clone(),
            self.names.proposal(&p.id),
            Context::empty(),
            None,
        )
        .ok()?;
        let response = Authorizer::new().is_authorized(&request, set, &self.entities);
        if response.diagnostics().errors().next().is_some() {
            return None;
        }
        Some(response.diagnostics().reason().next().is_some())
    }

    /// What a position reads on a proposal.
    pub(crate) fn class_reads<'l>(&self, links: &'l Links, position: usize, proposal: usize) -> Option<&'l ClassReads> {
        let class = self.position_table.get(position).and_then(|&t| self.tables.get(t))?.class(proposal);
        links.of(position)?.classes.get(class)
    }

    /// The stances each member's positions read on a proposal: edges member → member.
    fn stance_edges(&self, links: &Links, proposal: usize) -> HashMap<usize, Vec<Edge>> {
        let seats = self.seats_of(proposal);
        let mut edges: HashMap<usize, Vec<Edge>> = HashMap::new();
        for &m in seats {
            for &pos in self.positions_by_member.get(m).map_or(&[][..], Vec::as_slice) {
                let Some(reads) = self.class_reads(links, pos, proposal) else { continue };
                for &x in &reads.stances {
                    if x != m && seats.contains(&x) {
                        edges.entry(m).or_default().push(Edge { to: x, position: pos });
                    }
                }
            }
        }
        edges
    }

    /// Cycles among the stances of one proposal, checked once per distinct combination of what
    /// the linked positions read.
    fn stance_cycles(&self, links: &Links) -> Vec<Problem> {
        let reading: Vec<usize> =
            (0..self.positions.len()).filter(|&pos| links.of(pos).is_some_and(|l| !l.members.is_empty())).collect();
        if reading.is_empty() {
            return Vec::new();
        }
        let mut seen = std::collections::HashSet::new();
        for p in 0..self.scenario.proposals.len() {
            let signature: Vec<usize> = std::iter::once(self.committee_of(p))
                .chain(reading.iter().map(|&pos| {
                    self.position_table.get(pos).and_then(|&t| self.tables.get(t)).map_or(0, |t| t.class(p))
                }))
                .collect();
            if !seen.insert(signature) {
                continue;
            }
            let edges = self.stance_edges(links, p);
            if let Some(cycle) = find_cycle(&edges) {
                let proposal = self.scenario.proposals.get(p).map_or("", |x| x.id.as_str());
                let steps: Vec<String> = cycle
                    .iter()
                    .map(|e| {
                        let (holder, position) = self.position_names(e.position);
                        let read = self.scenario.members.get(e.to).map_or("", |m| m.id.as_str());
                        format!("{holder}'s `{position}` reads {read}'s stance")
                    })
                    .collect();
                let message = format!(
                    "positions depend on each other in a cycle: on proposal `{proposal}`, {}",
                    join_and(&steps)
                );
                return self.cycle_problems(&cycle, &message);
            }
        }
        Vec::new()
    }

    /// The strata of the proposals, or the cycle among outcomes read.
    fn strata(&self, links: &Links) -> Result<Vec<u32>, Vec<Problem>> {
        // Only a proposal whose outcome is read can be on a cycle.
        let read: BTreeSet<usize> =
            links.positions.iter().flatten().flat_map(|l| l.proposals.iter().copied()).collect();
        let mut edges: HashMap<usize, Vec<Edge>> = HashMap::new();
        let mut on: Vec<Vec<Edge>> = vec![Vec::new(); self.scenario.proposals.len()];
        for p in 0..self.scenario.proposals.len() {
            let seats = self.seats_of(p);
            for &m in seats {
                for &pos in self.positions_by_member.get(m).map_or(&[][..], Vec::as_slice) {
                    let Some(reads) = self.class_reads(links, pos, p) else { continue };
                    for &q in reads.outcomes.iter().filter(|&&q| q != p) {
                        let edge = Edge { to: q, position: pos };
                        if read.contains(&p) {
                            edges.entry(p).or_default().push(edge);
                        }
                        if let Some(list) = on.get_mut(p) {
                            list.push(edge);
                        }
                    }
                }
            }
        }
        if let Some(cycle) = find_cycle(&edges) {
            let steps: Vec<String> = cycle
                .iter()
                .zip(cycle.iter().cycle().skip(cycle.len() - 1))
                .map(|(e, before)| {
                    let (holder, position) = self.position_names(e.position);
                    let id = |p: usize| self.scenario.proposals.get(p).map_or("", |x| x.id.as_str()).to_owned();
                    format!("on `{}`, {holder}'s `{position}` reads the outcome of `{}`", id(before.to), id(e.to))
                })
                .collect();
            let message = format!("positions depend on each other in a cycle of outcomes: {}", join_and(&steps));
            return Err(self.cycle_problems(&cycle, &message));
        }
        // Strata by depth: a proposal comes after every outcome read on it.
        let mut strata: Vec<Option<u32>> = vec![None; self.scenario.proposals.len()];
        fn depth(p: usize, on: &[Vec<Edge>], strata: &mut [Option<u32>]) -> u32 {
            if let Some(Some(s)) = strata.get(p) {
                return *s;
            }
            let below: Vec<usize> = on.get(p).map_or(Vec::new(), |list| list.iter().map(|e| e.to).collect());
            let s = below
                .into_iter()
                .map(|q| stacker::maybe_grow(64 * 1024, 1024 * 1024, || depth(q, on, strata)) + 1)
                .max()
                .unwrap_or(0);
            if let Some(slot) = strata.get_mut(p) {
                *slot = Some(s);
            }
            s
        }
        for p in 0..strata.len() {
            depth(p, &on, &mut strata);
        }
        Ok(strata.into_iter().map(|s| s.unwrap_or(0)).collect())
    }

    /// The positions whose verdicts a what-if of these facts can change: those that read one,
    /// and the linked positions that read, on any proposal, a stance or an outcome that can
    /// change with them (to a fixed point).
    pub(crate) fn affected_by(&self, facts: &[&str]) -> Vec<bool> {
        let mut affected: Vec<bool> =
            self.positions.iter().map(|p| facts.iter().any(|f| p.reads.reads_fact(f))).collect();
        if !self.links.any() {
            return affected;
        }
        loop {
            let members: Vec<bool> = self
                .positions_by_member
                .iter()
                .map(|list| list.iter().any(|&p| affected.get(p) == Some(&true)))
                .collect();
            let member_affected = |m: usize| members.get(m) == Some(&true);
            let mut changed = false;
            for pos in 0..affected.len() {
                if affected.get(pos) == Some(&true) {
                    continue;
                }
                let Some(links) = self.links.of(pos) else { continue };
                let by_stance = links.members.iter().any(|&m| member_affected(m));
                let by_outcome = links.proposals.iter().any(|&q| {
                    let seats = self.seats_of(q);
                    seats.iter().any(|&m| member_affected(m))
                });
                if (by_stance || by_outcome)
                    && let Some(slot) = affected.get_mut(pos)
                {
                    *slot = true;
                    changed = true;
                }
            }
            if !changed {
                return affected;
            }
        }
    }

    /// A member's id and a position's id.
    fn position_names(&self, position: usize) -> (&str, &str) {
        let p = self.scenario.positions.get(position);
        (p.map_or("", |p| p.member.as_str()), p.map_or("", |p| p.id.as_str()))
    }

    /// The same message on every position of a cycle, at its policy.
    fn cycle_problems(&self, cycle: &[Edge], message: &str) -> Vec<Problem> {
        let mut positions: Vec<usize> = cycle.iter().map(|e| e.position).collect();
        positions.sort_unstable();
        positions.dedup();
        positions
            .into_iter()
            .map(|pos| {
                let mut problem = Problem::new(Site::field(Table::Position, pos, "policy"), message)
                    .with_entry_id(self.scenario.positions.get(pos).map(|p| p.id.as_str()));
                problem.help = Some(
                    "a linked position may not depend on itself through others: let one side follow the other, not both"
                        .to_owned(),
                );
                problem
            })
            .collect()
    }
}

/// A cycle in a graph given by its edges, as the edges along it (the first edge's source is the
/// last edge's target), found by depth-first search without recursion.
fn find_cycle(edges: &HashMap<usize, Vec<Edge>>) -> Option<Vec<Edge>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    let mut mark: HashMap<usize, Mark> = HashMap::new();
    let mut starts: Vec<usize> = edges.keys().copied().collect();
    starts.sort_unstable();
    for start in starts {
        if mark.contains_key(&start) {
            continue;
        }
        // The path: each node with the index of its next edge to follow, and the edge taken to it.
        let mut path: Vec<(usize, usize, Option<Edge>)> = vec![(start, 0, None)];
        mark.insert(start, Mark::Open);
        while let Some(&mut (node, ref mut next, _)) = path.last_mut() {
            let out = edges.get(&node).map_or(&[][..], Vec::as_slice);
            let Some(&edge) = out.get(*next) else {
                mark.insert(node, Mark::Done);
                path.pop();
                continue;
            };
            *next += 1;
            match mark.get(&edge.to) {
                Some(Mark::Open) => {
                    let from = path.iter().position(|(n, _, _)| *n == edge.to).unwrap_or(0);
                    let mut cycle: Vec<Edge> = path.iter().skip(from + 1).filter_map(|(_, _, e)| *e).collect();
                    cycle.push(edge);
                    return Some(cycle);
                }
                Some(Mark::Done) => {}
                None => {
                    mark.insert(edge.to, Mark::Open);
                    path.push((edge.to, 0, Some(edge)));
                }
            }
        }
    }
    None
}

fn join_and(steps: &[String]) -> String {
    match steps {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{}, and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edges(list: &[(usize, usize)]) -> HashMap<usize, Vec<Edge>> {
        let mut out: HashMap<usize, Vec<Edge>> = HashMap::new();
        for (i, &(a, b)) in list.iter().enumerate() {
            out.entry(a).or_default().push(Edge { to: b, position: i });
        }
        out
    }

    #[test]
    fn finds_a_cycle_and_only_a_cycle() {
        assert_eq!(find_cycle(&edges(&[(0, 1), (1, 2), (0, 2)])), None);
        let cycle = find_cycle(&edges(&[(0, 1), (1, 2), (2, 1)])).unwrap();
        let targets: Vec<usize> = cycle.iter().map(|e| e.to).collect();
        assert_eq!(targets, [2, 1]);
        assert_eq!(find_cycle(&edges(&[(3, 3)])).unwrap().len(), 1);
    }

    #[test]
    fn a_guard_keeps_the_conditions_on_the_proposal_alone() {
        let set: PolicySet = r#"forbid (principal, action, resource)
            when { resource.kind == "chair" && context.stances.RUS == "object" }
            unless { resource.engagement == "continuing" };"#
            .parse()
            .unwrap();
        let est = set.policies().next().unwrap().to_json().unwrap();
        let kept = guard(&est).unwrap();
        let text = kept.policies().next().unwrap().to_string();
        assert!(text.contains("resource.kind") && text.contains("continuing"), "{text}");
        assert!(!text.contains("context"), "{text}");
        let only_linked: PolicySet =
            r#"forbid (principal, action, resource) when { context.stances.RUS == "object" };"#.parse().unwrap();
        assert!(guard(&only_linked.policies().next().unwrap().to_json().unwrap()).is_none());
        // See: a package held by the proposal it names (`resource == Proposal::"p"`) read
        // everywhere, and closed a cycle that is not there.
        let scoped: PolicySet =
            r#"forbid (principal, action, resource == Proposal::"p") unless { context.outcomes has "q" };"#.parse().unwrap();
        assert!(guard(&scoped.policies().next().unwrap().to_json().unwrap()).is_some());
    }
}
