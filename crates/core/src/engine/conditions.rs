//! When a position would stop objecting to a proposal, in words ([`crate::cedar::condition`]),
//! with the parts of its policies that read the proposal alone evaluated on that proposal.
//!
//! A position objects while any of its policies forbids, so it lifts when every policy that can
//! forbid there stops: the words join the policies' conditions with "and". When nothing but the
//! proposal can lift it (no fact, stance or outcome it reads would), the words say what about the
//! proposal would have to differ ("the engagement is continuing"). Where a part cannot be put in
//! words, [`LiftsWhen::words`] is None and the caller shows the Cedar text.

use cedar_policy::{Policy, PolicyId, PolicySet};
use serde_json::Value as Json;

use super::Engine;
use crate::cedar::condition::{self, Condition, Constants};
use crate::date::Date;

/// A position's condition for lifting on a proposal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiftsWhen {
    /// The condition in words, or None when a part of it cannot be put in words.
    pub words: Option<String>,
    /// Whether only a different proposal would lift it (nothing it reads of facts, stances or
    /// outcomes can).
    pub only_the_proposal: bool,
    /// The position's Cedar text.
    pub cedar: String,
}

impl LiftsWhen {
    /// The words, or a sentence that says they cannot be had, with the Cedar text.
    pub fn sentence(&self) -> String {
        match &self.words {
            Some(w) => w.clone(),
            None => format!("cannot be put in words; the position reads: {}", self.cedar.trim()),
        }
    }
}

/// The constants of one proposal for one position, on a date.
struct OnProposal<'e> {
    engine: &'e Engine,
    position: usize,
    proposal: usize,
    at: Date,
}

impl Constants for OnProposal<'_> {
    fn resource(&self, e: &Json) -> Option<bool> {
        let e_ = self.engine;
        // The representative of the proposal's class agrees with it on all the position reads.
        let table = e_.position_table.get(self.position).and_then(|&t| e_.tables.get(t))?;
        let rep = *table.reps.get(table.class(self.proposal))?;
        let member = e_.position_member.get(self.position).copied()?;
        let policy = serde_json::json!({
            "effect": "forbid",
            "principal": { "op": "All" },
            "action": { "op": "All" },
            "resource": { "op": "All" },
            "conditions": [ { "kind": "when", "body": e } ],
        });
        let policy = Policy::from_json(Some(PolicyId::new("part")), policy).ok()?;
        let set = PolicySet::from_policies([policy]).ok()?;
        e_.forbids_alone(&set, member, rep)
    }

    fn seated(&self, member: &str) -> Option<bool> {
        let m = self.engine.member_index(member)?;
        Some(self.engine.seated(self.engine.committee_of(self.proposal), self.at).contains(&m))
    }

    fn before_committee(&self, proposal: &str) -> Option<bool> {
        let q = self.engine.proposal_index(proposal)?;
        Some(self.engine.scenario.proposals.get(q)?.circulated.is_none_or(|c| c <= self.at))
    }
}

impl Engine {
    /// Whether a position can object to a proposal on a date, whatever the facts, stances and
    /// outcomes it reads: it is in force, and some policy's condition for lifting (`ests`: its
    /// policies as JSON) does not already hold of the proposal. False only when that is sure.
    pub(crate) fn can_forbid(&self, ests: &[Json], position: usize, proposal: usize, at: Date) -> bool {
        if !self.scenario.positions.get(position).is_some_and(|p| p.in_force(at)) {
            return false;
        }
        let constants = OnProposal { engine: self, position, proposal, at };
        ests.iter().any(|est| condition::lifting(est, &constants, false) != Condition::Const(true))
    }

    /// When a position would stop objecting to a proposal on a date, in words.
    pub fn lifts_when(&self, position: usize, proposal: usize, at: Date) -> LiftsWhen {
        let cedar = self.scenario.positions.get(position).map(|p| p.policy.clone()).unwrap_or_default();
        let Some(compiled) = self.positions.get(position) else {
            return LiftsWhen { words: None, only_the_proposal: false, cedar };
        };
        let constants = OnProposal { engine: self, position, proposal, at };
        let ests: Vec<Json> = compiled.policies.policies().filter_map(|p| p.to_json().ok()).collect();
        // The policies that can forbid consent to this proposal, with their conditions.
        let lifts: Vec<(&Json, Condition)> = ests
            .iter()
            .map(|est| (est, condition::lifting(est, &constants, false)))
            .filter(|(_, lift)| *lift != Condition::Const(true))
            .collect();
        let held: Vec<&Json> =
            lifts.iter().filter(|(_, lift)| *lift == Condition::Const(false)).map(|(est, _)| *est).collect();
        let only_the_proposal = !held.is_empty();
        let lift = if only_the_proposal {
            // Nothing they read lifts these: say what about the proposal would.
            let kept = condition::simplify(Condition::And(
                held.iter().map(|est| condition::lifting(est, &constants, true)).collect(),
            ));
            if kept.reads_proposal() { kept } else { Condition::Const(false) }
        } else {
            condition::simplify(Condition::And(lifts.into_iter().map(|(_, lift)| lift).collect()))
        };
        let words = if lift.opaque() { None } else { lift.in_words() };
        LiftsWhen { words, only_the_proposal, cedar }
    }
}
