//! The naive way to find objections, kept as a yardstick for benchmarks and a cross-check for
//! tests: one Cedar authorization per seated member and proposal, with all of the member's
//! positions in force, on the proposal itself, unless the member voted.

use std::collections::BTreeMap;

use cedar_policy::{Authorizer, Entities, PolicyId, PolicySet, Request};

use super::Engine;
use crate::cedar::world;
use crate::date::Date;
use crate::model::VoteStance;

/// Every partner and proposal as Cedar entities, built once.
#[doc(hidden)]
#[derive(Debug)]
pub struct Baseline {
    entities: Entities,
}

impl Engine {
    /// The entities the naive way needs.
    #[doc(hidden)]
    pub fn baseline(&self) -> Result<Baseline, String> {
        let mut entities = Vec::new();
        for m in &self.scenario.members {
            entities.push(self.names.member_entity(m)?);
        }
        for p in &self.scenario.partners {
            entities.push(self.names.partner_entity(p)?);
        }
        for p in &self.scenario.proposals {
            entities.push(self.names.proposal_entity(p)?);
        }
        Ok(Baseline { entities: Entities::from_entities(entities, None).map_err(|e| e.to_string())? })
    }

    /// The objecting members of each proposal on its day, the naive way, in seat order. Linked
    /// positions see every other seated member's stance, found by evaluating every member again
    /// until nothing changes, and the outcomes they name as `outcome` gives them.
    #[doc(hidden)]
    pub fn baseline_objections(
        &self,
        baseline: &Baseline,
        days: &[(usize, Date)],
        outcome: &dyn Fn(usize, Date) -> Option<crate::Outcome>,
    ) -> Vec<Vec<usize>> {
        let authorizer = Authorizer::new();
        let mut sets: BTreeMap<Date, (cedar_policy::Context, Vec<PolicySet>)> = BTreeMap::new();
        let mut named: Vec<usize> =
            self.links.positions.iter().flatten().flat_map(|l| l.proposals.iter().copied()).collect();
        named.sort_unstable();
        named.dedup();
        days.iter()
            .map(|&(p, at)| {
                let (context, policies) = sets.entry(at).or_insert_with(|| self.baseline_day(at));
                let Some(proposal) = self.scenario.proposals.get(p) else { return Vec::new() };
                let seated = self.seated(self.committee_of(p), at);
                let votes: Vec<Option<VoteStance>> = seated
                    .iter()
                    .map(|&m| {
                        self.votes_by_proposal
                            .get(p)
                            .into_iter()
                            .flatten()
                            .filter_map(|&v| Some((self.scenario.votes.get(v)?, *self.vote_member.get(v)?)))
                            .rfind(|(v, member)| *member == m && v.at <= at)
                            .map(|(v, _)| v.stance)
                    })
                    .collect();
                let stance_of = |vote: Option<VoteStance>, objects: bool| match vote {
                    Some(VoteStance::Consent) => "consent",
                    Some(VoteStance::Object) => "object",
                    Some(VoteStance::Abstain) => "abstain",
                    Some(VoteStance::Silent) | None if objects => "object",
                    Some(VoteStance::Silent) | None => "silent",
                };
                let mut objects = vec![false; seated.len()];
                let facts = if self.links.any() { self.facts_at(at) } else { crate::FactSet::default() };
                // Without linkage one pass decides; with it, passes until the stances settle.
                let passes = if self.links.any() { seated.len() + 1 } else { 1 };
                for _ in 0..passes {
                    let mut changed = false;
                    let stances: Vec<(usize, String, &str)> = seated
                        .iter()
                        .zip(votes.iter().zip(&objects))
                        .filter_map(|(&m, (&v, &o))| {
                            Some((m, self.scenario.members.get(m)?.id.clone(), stance_of(v, o)))
                        })
                        .collect();
                    for (i, &m) in seated.iter().enumerate() {
                        if matches!(
                            votes.get(i),
                            Some(Some(VoteStance::Consent | VoteStance::Abstain | VoteStance::Object))
                        ) {
                            continue;
                        }
                        let (Some(member), Some(set)) = (self.scenario.members.get(m), policies.get(m)) else {
                            continue;
                        };
                        // The member itself is not among the stances it reads.
                        let own = if self.links.any() {
                            let others: Vec<(String, &str)> =
                                stances.iter().filter(|(x, _, _)| *x != m).map(|(_, id, s)| (id.clone(), *s)).collect();
                            let outcomes: Vec<(String, &str)> = named
                                .iter()
                                .filter(|&&q| q != p)
                                .filter_map(|&q| {
                                    Some((self.scenario.proposals.get(q)?.id.clone(), outcome(q, at)?.as_str()))
                                })
                                .collect();
                            world::linked_context(facts.iter().map(|(k, o)| (k, &o.value)), at, &others, &outcomes)
                                .unwrap_or_else(|_| cedar_policy::Context::empty())
                        } else {
                            context.clone()
                        };
                        let Ok(request) = Request::new(
                            self.names.member(&member.id),
                            self.names.consent.clone(),
                            self.names.proposal(&proposal.id),
                            own,
                            None,
                        ) else {
                            continue;
                        };
                        let response = authorizer.is_authorized(&request, set, &baseline.entities);
                        let now = response.diagnostics().reason().next().is_some();
                        if let Some(slot) = objects.get_mut(i)
                            && *slot != now
                        {
                            *slot = now;
                            changed = true;
                        }
                    }
                    if !changed {
                        break;
                    }
                }
                seated
                    .iter()
                    .zip(votes.iter().zip(&objects))
                    .filter(|(_, (v, o))| {
                        matches!(v, Some(VoteStance::Object))
                            || (**o && !matches!(v, Some(VoteStance::Consent | VoteStance::Abstain)))
                    })
                    .map(|(&m, _)| m)
                    .collect()
            })
            .collect()
    }

    fn baseline_day(&self, at: Date) -> (cedar_policy::Context, Vec<PolicySet>) {
        let facts = self.facts_at(at);
        let context = world::context(facts.iter().map(|(k, o)| (k, &o.value)), at)
            .unwrap_or_else(|_| cedar_policy::Context::empty());
        let sets = self
            .positions_by_member
            .iter()
            .map(|list| {
                let mut set = PolicySet::new();
                for &pos in list.iter().filter(|&&p| self.scenario.positions.get(p).is_some_and(|x| x.in_force(at))) {
                    if let Some(compiled) = self.positions.get(pos) {
                        for policy in compiled.policies.policies() {
                            let _ = set.add(policy.new_id(PolicyId::new(format!("{pos}.{}", policy.id()))));
                        }
                    }
                }
                set
            })
            .collect();
        (context, sets)
    }
}
