//! Exact numbers end to end: a store holds its decimals exactly (changes carry them as text), and
//! `export` writes them as a scenario file; reading that file back must give the same decimals and
//! the same decisions, for decimals of up to 28 significant digits (issue 11: the reader went
//! through binary floating point, which keeps about 16).
//!
//! The bodies are built in memory, as a store's engine holds them, with weights, shares and quotas
//! of up to 28 digits, quotas on the boundary of a coalition's weight, and positions that compare
//! 19-digit decimal facts and attributes with thresholds one unit away.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]

use std::collections::BTreeMap;

use concord_core::{
    Committee, Date, Decimal, Engagement, Engine, Fact, Member, Partner, Position, Proposal, Quota, Rule, Scenario,
    Seats, Share, Value, Vote, VoteStance,
};
use proptest::prelude::*;

#[derive(Clone, Debug)]
struct Body {
    /// The weights' common scale, and each weight's units (below 10^27, so that any sum of
    /// eight has at most 28 digits).
    scale: u32,
    weights: Vec<u128>,
    /// Each member's stance: 0 consent, 1 object, 2 abstain, 3 silent.
    stances: Vec<u8>,
    /// Shares in (0, 1] with 28 decimals.
    members_share: u128,
    weight_share: u128,
    majority_share: u128,
    /// The absolute quota: the weight of these members, nudged by −1, 0 or +1 unit.
    quota_of: Vec<bool>,
    quota_nudge: i8,
    /// A decimal fact and a decimal attribute in Cedar's range (19 digits), and each
    /// threshold's nudge from it in ten-thousandths.
    level: i64,
    level_nudge: i8,
    budget: i64,
    budget_nudge: i8,
}

fn share() -> impl Strategy<Value = u128> {
    prop_oneof![1u128..=10u128.pow(28), Just(10u128.pow(28)), (1u128..100).prop_map(|p| p * 10u128.pow(26))]
}

fn body() -> impl Strategy<Value = Body> {
    (1usize..=8)
        .prop_flat_map(|n| {
            (
                0u32..=20,
                proptest::collection::vec(0u128..10u128.pow(27), n),
                proptest::collection::vec(0u8..4, n),
                (share(), share(), share()),
                proptest::collection::vec(any::<bool>(), n),
                -1i8..=1,
                (0i64..=i64::MAX, -1i8..=1, 0i64..=i64::MAX, -1i8..=1),
            )
        })
        .prop_map(
            |(scale, weights, stances, (members_share, weight_share, majority_share), quota_of, quota_nudge, f)| Body {
                scale,
                weights,
                stances,
                members_share,
                weight_share,
                majority_share,
                quota_of,
                quota_nudge,
                level: f.0,
                level_nudge: f.1,
                budget: f.2,
                budget_nudge: f.3,
            },
        )
}

/// `units × 10^-scale` as a decimal.
fn decimal(units: i128, scale: u32) -> Decimal {
    let digits = units.unsigned_abs().to_string();
    let sign = if units < 0 { "-" } else { "" };
    let text = if scale == 0 {
        digits
    } else {
        let padded = format!("{digits:0>width$}", width = scale as usize + 1);
        let (whole, frac) = padded.split_at(padded.len() - scale as usize);
        format!("{whole}.{frac}")
    };
    Decimal::parse(&format!("{sign}{text}")).unwrap()
}

fn cedar(units: i64) -> Decimal {
    decimal(i128::from(units), 4)
}

fn on(y: u16, m: u8, d: u8) -> Date {
    Date::new(y, m, d).unwrap()
}

const RULES: [&str; 4] = ["C-majority", "C-qualified", "C-weighted", "C-weighted-abs"];

impl Body {
    fn scenario(&self) -> Scenario {
        let n = self.weights.len();
        let id = |i: usize| format!("M{i}");
        let members = (0..n)
            .map(|i| Member {
                id: id(i),
                weights: BTreeMap::from([("w".to_owned(), decimal(self.weights[i] as i128, self.scale))]),
                ..Member::default()
            })
            .collect();
        let quota_units: i128 =
            self.weights.iter().zip(&self.quota_of).filter(|(_, in_)| **in_).map(|(w, _)| *w as i128).sum::<i128>()
                + i128::from(self.quota_nudge);
        let rules = [
            Rule::Majority { share: Share::Decimal(decimal(self.majority_share as i128, 28)) },
            Rule::Qualified {
                members_share: Share::Decimal(decimal(self.members_share as i128, 28)),
                weight: "w".to_owned(),
                weight_share: Share::Decimal(decimal(self.weight_share as i128, 28)),
                blocking_min: None,
            },
            Rule::Weighted {
                weight: "w".to_owned(),
                quota: Quota::Share(Share::Decimal(decimal(self.weight_share as i128, 28))),
            },
            Rule::Weighted { weight: "w".to_owned(), quota: Quota::Absolute(decimal(quota_units.max(0), self.scale)) },
        ];
        let committees = RULES
            .iter()
            .zip(rules)
            .map(|(id, rule)| Committee { id: (*id).to_owned(), name: None, members: Seats::All, rule })
            .collect();
        let proposals: Vec<Proposal> = RULES
            .iter()
            .map(|c| Proposal {
                id: format!("p-{c}"),
                committee: (*c).to_owned(),
                kind: "exercise".to_owned(),
                partners: vec!["X".to_owned()],
                engagement: Engagement::New,
                circulated: Some(on(2025, 6, 1)),
                attributes: BTreeMap::from([("budget".to_owned(), Value::Decimal(cedar(self.budget)).into())]),
                concerned: Vec::new(),
                title: None,
                deadline: None,
                procedure: None,
                withdrawn: None,
                withdrawn_reason: None,
                supersedes: None,
            })
            .collect();
        // Cedar's decimal literals have digits on both sides of the point.
        let threshold = |units: i64, nudge: i8| {
            let t = units.saturating_add(i64::from(nudge));
            format!(
                "{}{}.{:04}",
                if t < 0 { "-" } else { "" },
                (t / 10_000).unsigned_abs(),
                (t % 10_000).unsigned_abs()
            )
        };
        let positions = vec![
            Position {
                id: "m0-level".to_owned(),
                member: id(0),
                source: "M0's statement".to_owned(),
                policy: format!(
                    "forbid (principal, action, resource) when {{ context.facts.level.greaterThan(decimal(\"{}\")) }};",
                    threshold(self.level, self.level_nudge)
                ),
                since: None,
                withdrawn: None,
                recorded: None,
            },
            Position {
                id: "m0-budget".to_owned(),
                member: id(0),
                source: "M0's statement".to_owned(),
                policy: format!(
                    "forbid (principal, action, resource) when {{ resource.attributes.budget.lessThanOrEqual(decimal(\"{}\")) }};",
                    threshold(self.budget, self.budget_nudge)
                ),
                since: None,
                withdrawn: None,
                recorded: None,
            },
        ];
        let votes = (1..n)
            .filter_map(|i| {
                let stance = match self.stances[i] {
                    0 => VoteStance::Consent,
                    1 => VoteStance::Object,
                    2 => VoteStance::Abstain,
                    _ => return None,
                };
                Some(RULES.iter().map(move |c| Vote {
                    proposal: format!("p-{c}"),
                    member: id(i),
                    stance,
                    at: on(2025, 6, 1),
                    reason: (stance == VoteStance::Object).then(|| "no".to_owned()),
                    source: None,
                    statement: None,
                }))
            })
            .flatten()
            .collect();
        Scenario {
            id: "exact".to_owned(),
            as_of: Some(on(2025, 6, 15)),
            members,
            partners: vec![Partner { id: "X".to_owned(), ..Partner::default() }],
            committees,
            facts: vec![Fact {
                id: "level".to_owned(),
                value: Value::Decimal(cedar(self.level)),
                as_of: on(2025, 1, 1),
                source: "Ministry, 2025-01-01".to_owned(),
                valid_until: None,
                recorded: None,
            }],
            proposals,
            positions,
            votes,
            ..Scenario::default()
        }
    }
}

fn decided(engine: &Engine) -> Vec<String> {
    let today = engine.evaluate(engine.as_of(), &[]).unwrap();
    today.decisions().iter().map(|d| format!("{:?} {:?} {:?}", d.outcome, d.tally, d.objections)).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// The export of a body decides as the body does, and reads back the same decimals.
    #[test]
    fn the_export_of_a_store_decides_the_same_as_the_store(body in body()) {
        let held = Engine::new(body.scenario()).map_err(|p| TestCaseError::fail(format!("{p:?}")))?;
        let exported = concord_core::scenario::write(held.scenario());
        let read = concord_core::load(&exported, "export.toml").map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(read.scenario(), held.scenario(), "{}", exported);
        prop_assert_eq!(decided(&read), decided(&held));
    }
}

#[test]
fn a_quota_one_unit_above_a_coalition_is_not_reached() {
    // Weights of 27 digits: through binary floating point the coalition's weight and the quota
    // compare equal, and the proposal would read as adopted.
    let body = Body {
        scale: 10,
        weights: vec![123_456_789_012_345_678_901_234_567, 987_654_321_098_765_432_109_876_543, 1],
        stances: vec![0, 0, 1],
        members_share: 10u128.pow(28),
        weight_share: 10u128.pow(28),
        majority_share: 5 * 10u128.pow(27),
        quota_of: vec![true, true, false],
        quota_nudge: 1,
        level: 0,
        level_nudge: 0,
        budget: 1,
        budget_nudge: -1,
    };
    let held = Engine::new(body.scenario()).unwrap();
    let read = concord_core::load(&concord_core::scenario::write(held.scenario()), "export.toml").unwrap();
    assert_eq!(decided(&read), decided(&held));
    assert!(decided(&held)[3].starts_with("Blocked"), "{:?}", decided(&held));
}
