//! Decision rules (contract §2) and the outcome of a proposal under them.
//!
//! A [`Ballot`] holds the stance of every member seated on the committee. A rule *adopts* a
//! ballot when its condition holds; the [`outcome`] adds time: silence under consensus counts as
//! consent only from the deadline on, and a proposal is `blocked` once no further consent could
//! adopt it or its deadline has come.

use crate::date::Date;
use crate::model::{ConstructiveAbstention, Quota, Rule};
use crate::number::Decimal;

/// A member's stance on a proposal on a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Stance {
    /// Voted to consent.
    Consent,
    /// Objects: by vote, or because a position forbids consent.
    Object,
    /// Voted to abstain.
    Abstain,
    /// Has not spoken: no objection.
    Silent,
}

impl Stance {
    /// As written in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Stance::Consent => "consent",
            Stance::Object => "object",
            Stance::Abstain => "abstain",
            Stance::Silent => "silent",
        }
    }
}

/// The outcome of a proposal on a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Outcome {
    /// The rule adopts it.
    Adopted,
    /// Not adopted, and it cannot be: an objection stands or the deadline has passed.
    Blocked,
    /// Not yet adopted, and it still can be.
    Pending,
    /// Withdrawn before it was decided.
    Withdrawn,
}

impl Outcome {
    /// As written in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Adopted => "adopted",
            Outcome::Blocked => "blocked",
            Outcome::Pending => "pending",
            Outcome::Withdrawn => "withdrawn",
        }
    }
}

/// A rule with its weights resolved for the body's members.
#[derive(Clone, Debug)]
pub(crate) struct CompiledRule {
    rule: Rule,
    /// Weight of every member of the body (by member index), in units of `10^-scale`.
    weights: Vec<i128>,
    /// The scale of `weights`.
    scale: u32,
    /// Veto holders, by member index.
    veto: Vec<bool>,
}

impl CompiledRule {
    /// Resolves a rule. `weights` gives each member's weight under the rule's weight name
    /// (validation has made sure every seated member has one); `veto` the veto holders.
    pub(crate) fn new(rule: Rule, weights: &[Option<Decimal>], veto: Vec<bool>) -> CompiledRule {
        let scale = common_scale(weights);
        // Validation has refused weights that do not fit (`weights_fit`).
        let weights = weights.iter().map(|w| w.and_then(|w| w.units_at(scale)).unwrap_or(0)).collect();
        CompiledRule { rule, weights, scale, veto }
    }

    /// The rule as declared.
    pub(crate) fn rule(&self) -> &Rule {
        &self.rule
    }

    fn weight(&self, member: usize) -> i128 {
        self.weights.get(member).copied().unwrap_or(0)
    }

    /// For a rule with weights: the weight of the consenting members and of all of the ballot.
    pub(crate) fn consenting_weight(&self, ballot: &[(usize, Stance)]) -> Option<(i128, i128)> {
        self.rule.weight()?;
        let total = ballot.iter().map(|(m, _)| self.weight(*m)).sum();
        let yes = ballot.iter().filter(|(_, s)| *s == Stance::Consent).map(|(m, _)| self.weight(*m)).sum();
        Some((yes, total))
    }

    /// Whether the rule adopts with these stances. With `silent_consents`, silent members are
    /// counted as consenting (the best case still open).
    pub(crate) fn adopts(&self, ballot: &[(usize, Stance)], silent_consents: bool) -> bool {
        let consents = |s: Stance| s == Stance::Consent || (silent_consents && s == Stance::Silent);
        let n = ballot.len() as i128;
        let yes = ballot.iter().filter(|(_, s)| consents(*s)).count() as i128;
        let objects = ballot.iter().any(|(_, s)| *s == Stance::Object);
        match &self.rule {
            Rule::Consensus { .. } => !objects,
            Rule::Unanimity { constructive_abstention } => {
                !objects
                    && ballot.iter().all(|(_, s)| consents(*s) || *s == Stance::Abstain)
                    && !constructive_abstention.as_ref().is_some_and(|c| self.abstentions_block(c, ballot))
            }
            Rule::Majority { share } => share.share_reached(yes, n, true),
            Rule::Qualified { members_share, weight_share, blocking_min, .. } => {
                let total: i128 = ballot.iter().map(|(m, _)| self.weight(*m)).sum();
                let yes_weight: i128 = ballot.iter().filter(|(_, s)| consents(*s)).map(|(m, _)| self.weight(*m)).sum();
                let double =
                    members_share.share_reached(yes, n, false) && weight_share.share_reached(yes_weight, total, false);
                let no_blocking_minority = blocking_min.is_some_and(|min| n - yes < i128::from(min));
                double || no_blocking_minority
            }
            Rule::Weighted { quota, .. } => {
                let yes_weight: i128 = ballot.iter().filter(|(_, s)| consents(*s)).map(|(m, _)| self.weight(*m)).sum();
                match quota {
                    Quota::Share(share) => {
                        let total: i128 = ballot.iter().map(|(m, _)| self.weight(*m)).sum();
                        share.share_reached(yes_weight, total, false)
                    }
                    Quota::Absolute(q) => q.reached_by(yes_weight, self.scale),
                }
            }
            Rule::Veto { min_yes, .. } => {
                let vetoed =
                    ballot.iter().any(|(m, s)| *s == Stance::Object && self.veto.get(*m).copied().unwrap_or(false));
                yes >= i128::from(*min_yes) && !vetoed
            }
        }
    }
}

/// What stands in the way of adopting a proposal, for the search of what it would take
/// (`engine::unblock`): a constraint every adopting ballot meets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Obstacle {
    /// This member objects, and objects in no ballot the rule adopts.
    Objects(usize),
    /// In every ballot the rule adopts, one of these members consents, which it does not now.
    Needs(Vec<usize>),
}

impl CompiledRule {
    /// What stands in the way of adoption with these stances, a decision being taken (silence is
    /// consent under consensus), or None when the rule adopts.
    pub(crate) fn obstacle(&self, ballot: &[(usize, Stance)]) -> Option<Obstacle> {
        if self.adopts(ballot, false) {
            return None;
        }
        let first = |want: &dyn Fn(usize, Stance) -> bool| ballot.iter().find(|(m, s)| want(*m, *s)).map(|(m, _)| *m);
        let not_consenting = || ballot.iter().filter(|(_, s)| *s != Stance::Consent).map(|(m, _)| *m).collect();
        Some(match &self.rule {
            Rule::Consensus { .. } => Obstacle::Objects(first(&|_, s| s == Stance::Object)?),
            Rule::Unanimity { .. } => match first(&|_, s| matches!(s, Stance::Object | Stance::Silent)) {
                // It must consent (or abstain, which no change gives a member that has not).
                Some(m) => Obstacle::Needs(vec![m]),
                // The abstentions reach the shares: one of the abstainers must consent.
                None => {
                    Obstacle::Needs(ballot.iter().filter(|(_, s)| *s == Stance::Abstain).map(|(m, _)| *m).collect())
                }
            },
            Rule::Veto { .. } => {
                match first(&|m, s| s == Stance::Object && self.veto.get(m).copied().unwrap_or(false)) {
                    Some(m) => Obstacle::Objects(m),
                    None => Obstacle::Needs(not_consenting()),
                }
            }
            Rule::Majority { .. } | Rule::Qualified { .. } | Rule::Weighted { .. } => Obstacle::Needs(not_consenting()),
        })
    }

    /// Whether the abstaining members reach the shares at which a constructive abstention
    /// blocks: of the seated members and, with a weight, of their weight.
    fn abstentions_block(&self, c: &ConstructiveAbstention, ballot: &[(usize, Stance)]) -> bool {
        let abstaining: Vec<usize> = ballot.iter().filter(|(_, s)| *s == Stance::Abstain).map(|(m, _)| *m).collect();
        let n = ballot.len() as i128;
        let members = c.members_share.share_reached(abstaining.len() as i128, n, false);
        let weight = match c.weight_share {
            Some(share) => {
                let total: i128 = ballot.iter().map(|(m, _)| self.weight(*m)).sum();
                let abstaining_weight: i128 = abstaining.iter().map(|&m| self.weight(m)).sum();
                share.share_reached(abstaining_weight, total, false)
            }
            None => true,
        };
        !abstaining.is_empty() && members && weight
    }
}

/// The finest scale of a set of weights.
fn common_scale(weights: &[Option<Decimal>]) -> u32 {
    weights.iter().flatten().map(|w| w.scale()).max().unwrap_or(0)
}

/// Whether a committee's weights can be added up exactly: every weight, at the finest scale among
/// them, times the most members a body may have, fits 128 bits.
pub(crate) fn weights_fit(weights: &[Option<Decimal>]) -> bool {
    let scale = common_scale(weights);
    let most = crate::limits::MAX_MEMBERS as i128;
    weights.iter().flatten().all(|w| w.units_at(scale).and_then(|u| u.checked_mul(most)).is_some())
}

/// The outcome of a ballot on `at` under `rule`, given the proposal's silence deadline.
pub(crate) fn outcome(rule: &CompiledRule, ballot: &[(usize, Stance)], at: Date, deadline: Option<Date>) -> Outcome {
    let deadline_reached = deadline.is_some_and(|d| at >= d);
    let adopted = match rule.rule() {
        Rule::Consensus { .. } => {
            let silent = ballot.iter().any(|(_, s)| *s == Stance::Silent);
            rule.adopts(ballot, false) && (!silent || deadline.is_none() || deadline_reached)
        }
        _ => rule.adopts(ballot, false),
    };
    if adopted {
        Outcome::Adopted
    } else if deadline_reached || !rule.adopts(ballot, true) {
        Outcome::Blocked
    } else {
        Outcome::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::share::Share;
    use Stance::{Abstain as A, Consent as C, Object as O, Silent as S};

    fn d(s: &str) -> Decimal {
        Decimal::parse(s).unwrap()
    }

    fn sh(s: &str) -> Share {
        Share::parse(s).unwrap()
    }

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn ballot(stances: &[Stance]) -> Vec<(usize, Stance)> {
        stances.iter().copied().enumerate().collect()
    }

    fn rule(r: Rule) -> CompiledRule {
        CompiledRule::new(r, &[], Vec::new())
    }

    fn weighted(r: Rule, weights: &[&str]) -> CompiledRule {
        let w: Vec<Option<Decimal>> = weights.iter().map(|w| Some(d(w))).collect();
        CompiledRule::new(r, &w, Vec::new())
    }

    const JUNE_15: &str = "2025-06-15";

    fn at(r: &CompiledRule, stances: &[Stance], deadline: Option<&str>) -> Outcome {
        outcome(r, &ballot(stances), date(JUNE_15), deadline.map(date))
    }

    macro_rules! case {
        ($name:ident, $rule:expr, $stances:expr, $deadline:expr, $want:expr) => {
            #[test]
            fn $name() {
                assert_eq!(at(&$rule, &$stances, $deadline), $want);
            }
        };
    }

    // Consensus: silence is consent once the deadline has come, or at once without one.
    case!(consensus_silence_without_deadline, rule(Rule::CONSENSUS), [S, S, S], None, Outcome::Adopted);
    case!(consensus_silence_before_deadline, rule(Rule::CONSENSUS), [S, C, S], Some("2025-06-20"), Outcome::Pending);
    case!(consensus_silence_on_deadline, rule(Rule::CONSENSUS), [S, C, S], Some("2025-06-15"), Outcome::Adopted);
    case!(
        consensus_all_consent_before_deadline,
        rule(Rule::CONSENSUS),
        [C, C, A],
        Some("2025-06-20"),
        Outcome::Adopted
    );
    case!(
        consensus_one_objection_blocks_at_once,
        rule(Rule::CONSENSUS),
        [C, O, S],
        Some("2025-06-20"),
        Outcome::Blocked
    );
    case!(consensus_abstention_does_not_block, rule(Rule::CONSENSUS), [A, A, S], None, Outcome::Adopted);
    case!(consensus_empty_committee_adopts, rule(Rule::CONSENSUS), [], None, Outcome::Adopted);

    // Unanimity: every member must speak; abstention does not block.
    case!(unanimity_all_spoke, rule(Rule::UNANIMITY), [C, A, C], None, Outcome::Adopted);
    case!(unanimity_silence_pending, rule(Rule::UNANIMITY), [C, S, C], None, Outcome::Pending);
    case!(unanimity_silence_at_deadline_blocks, rule(Rule::UNANIMITY), [C, S, C], Some("2025-06-01"), Outcome::Blocked);
    case!(unanimity_objection_blocks, rule(Rule::UNANIMITY), [C, O, S], None, Outcome::Blocked);

    // Majority: consents strictly above share × members.
    case!(
        majority_exactly_half_is_not_enough,
        rule(Rule::Majority { share: sh("0.5") }),
        [C, C, O, O],
        None,
        Outcome::Blocked
    );
    case!(majority_above_half, rule(Rule::Majority { share: sh("0.5") }), [C, C, C, O], None, Outcome::Adopted);
    case!(
        majority_silence_can_still_carry,
        rule(Rule::Majority { share: sh("0.5") }),
        [C, S, S, O],
        None,
        Outcome::Pending
    );
    case!(
        majority_silence_at_deadline,
        rule(Rule::Majority { share: sh("0.5") }),
        [C, S, S, O],
        Some("2025-06-15"),
        Outcome::Blocked
    );
    case!(
        majority_abstain_counts_against,
        rule(Rule::Majority { share: sh("0.5") }),
        [C, A, A, C],
        None,
        Outcome::Blocked
    );

    fn qmv(blocking_min: Option<u32>) -> Rule {
        Rule::Qualified {
            members_share: sh("0.55"),
            weight: "population".into(),
            weight_share: sh("0.65"),
            blocking_min,
        }
    }

    // Qualified: 55% of members and 65% of weight, or fewer than blocking_min dissenters.
    case!(
        qualified_double_majority,
        weighted(qmv(None), &["40", "30", "20", "10"]),
        [C, C, C, O],
        None,
        Outcome::Adopted
    );
    case!(qualified_weight_short, weighted(qmv(None), &["40", "30", "20", "10"]), [O, C, C, C], None, Outcome::Blocked);
    case!(
        qualified_blocking_minority_too_small,
        weighted(qmv(Some(2)), &["40", "30", "20", "10"]),
        [O, C, C, C],
        None,
        Outcome::Adopted
    );
    case!(
        qualified_members_share_exact,
        weighted(
            qmv(None),
            &["1", "1", "1", "1", "1", "1", "1", "1", "1", "1", "1", "1", "1", "1", "1", "1", "1", "1", "1", "1"]
        ),
        [C, C, C, C, C, C, C, C, C, C, C, C, C, O, O, O, O, O, O, O],
        None,
        Outcome::Adopted
    );
    case!(qualified_decimal_weights, weighted(qmv(None), &["83.4", "68.2", "0.7"]), [C, C, O], None, Outcome::Adopted);

    // Weighted: consenting weight reaches the quota.
    case!(
        weighted_quota_reached,
        weighted(Rule::Weighted { weight: "votes".into(), quota: Quota::Absolute(d("41")) }, &["29", "12", "10"]),
        [C, C, O],
        None,
        Outcome::Adopted
    );
    case!(
        weighted_quota_missed,
        weighted(Rule::Weighted { weight: "votes".into(), quota: Quota::Absolute(d("41")) }, &["29", "11", "10"]),
        [C, C, O],
        None,
        Outcome::Blocked
    );
    case!(
        weighted_quota_share,
        weighted(Rule::Weighted { weight: "votes".into(), quota: Quota::Share(sh("0.85")) }, &["85", "10", "5"]),
        [C, O, O],
        None,
        Outcome::Adopted
    );
    case!(
        weighted_decimal_quota,
        weighted(Rule::Weighted { weight: "votes".into(), quota: Quota::Absolute(d("10.5")) }, &["10.25", "0.25", "1"]),
        [C, C, O],
        None,
        Outcome::Adopted
    );
    case!(
        weighted_decimal_quota_missed,
        weighted(Rule::Weighted { weight: "votes".into(), quota: Quota::Absolute(d("10.5")) }, &["10.25", "0.2", "1"]),
        [C, C, O],
        None,
        Outcome::Blocked
    );

    fn veto_rule() -> CompiledRule {
        CompiledRule::new(
            Rule::Veto { min_yes: 3, veto: vec!["P1".into()] },
            &[],
            vec![true, false, false, false, false],
        )
    }

    // Veto: enough consents and no veto holder objecting; a veto holder's abstention does not block.
    case!(veto_adopts, veto_rule(), [A, C, C, C, O], None, Outcome::Adopted);
    case!(veto_holder_objects, veto_rule(), [O, C, C, C, C], None, Outcome::Blocked);
    case!(veto_too_few_yes, veto_rule(), [C, C, O, O, S], None, Outcome::Pending);
    case!(veto_too_few_yes_at_deadline, veto_rule(), [C, C, O, O, S], Some("2025-01-01"), Outcome::Blocked);

    /// Every ballot of five members under each kind of rule: where the rule does not adopt, the
    /// obstacle holds of every ballot it adopts (the search of what it would take relies on it).
    #[test]
    fn obstacles_hold_of_every_adopting_ballot() {
        let all = [O, S, A, C];
        let ballots: Vec<Vec<(usize, Stance)>> = (0..4usize.pow(5))
            .map(|mut code| {
                (0..5)
                    .map(|m| {
                        let s = all[code % 4];
                        code /= 4;
                        (m, s)
                    })
                    .collect()
            })
            .collect();
        let ca = ConstructiveAbstention { members_share: sh("1/3"), weight: None, weight_share: None };
        let rules = [
            rule(Rule::CONSENSUS),
            rule(Rule::UNANIMITY),
            rule(Rule::Unanimity { constructive_abstention: Some(ca) }),
            rule(Rule::Majority { share: sh("0.5") }),
            veto_rule(),
        ];
        for r in &rules {
            for now in &ballots {
                let Some(obstacle) = r.obstacle(now) else {
                    assert!(r.adopts(now, false));
                    continue;
                };
                for then in ballots.iter().filter(|b| r.adopts(b, false)) {
                    let holds = match &obstacle {
                        Obstacle::Objects(m) => then[*m].1 != Stance::Object && now[*m].1 == Stance::Object,
                        Obstacle::Needs(ms) => ms
                            .iter()
                            .any(|&m| matches!(then[m].1, Stance::Consent | Stance::Abstain) && then[m].1 != now[m].1),
                    };
                    assert!(holds, "{:?}: {obstacle:?} fails from {now:?} to {then:?}", r.rule());
                }
            }
        }
    }
}
