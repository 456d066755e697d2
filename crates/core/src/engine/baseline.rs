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

    /// The objecting members of each proposal on its day, the naive way, in seat order.
    #[doc(hidden)]
    pub fn baseline_objections(&self, baseline: &Baseline, days: &[(usize, Date)]) -> Vec<Vec<usize>> {
        let authorizer = Authorizer::new();
        let mut sets: BTreeMap<Date, (cedar_policy::Context, Vec<PolicySet>)> = BTreeMap::new();
        days.iter()
            .map(|&(p, at)| {
                let (context, policies) = sets.entry(at).or_insert_with(|| self.baseline_day(at));
                let Some(proposal) = self.scenario.proposals.get(p) else { return Vec::new() };
                let mut objecting = Vec::new();
                for m in self.seated(self.committee_of(p), at) {
                    let vote = self
                        .votes_by_proposal
                        .get(p)
                        .into_iter()
                        .flatten()
                        .filter_map(|&v| Some((self.scenario.votes.get(v)?, *self.vote_member.get(v)?)))
                        .rfind(|(v, member)| *member == m && v.at <= at)
                        .map(|(v, _)| v.stance);
                    match vote {
                        Some(VoteStance::Object) => objecting.push(m),
                        Some(VoteStance::Consent | VoteStance::Abstain) => {}
                        Some(VoteStance::Silent) | None => {
                            let (Some(member), Some(set)) = (self.scenario.members.get(m), policies.get(m)) else {
                                continue;
                            };
                            let Ok(request) = Request::new(
                                self.names.member(&member.id),
                                self.names.consent.clone(),
                                self.names.proposal(&proposal.id),
                                context.clone(),
                                None,
                            ) else {
                                continue;
                            };
                            let response = authorizer.is_authorized(&request, set, &baseline.entities);
                            if response.diagnostics().reason().next().is_some() {
                                objecting.push(m);
                            }
                        }
                    }
                }
                objecting
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
