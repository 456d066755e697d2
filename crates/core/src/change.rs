//! Change over time: the one typed [`Change`] that moves a scenario from one day to the next.
//!
//! A scenario file describes a body's records at once; a store receives them one by one, each a
//! [`Change`] on a date, and [`crate::Engine::apply`] checks and applies it with the same checks
//! and the same words as a file's records. Between the HTTP body, the command line, the ledger
//! entry and the engine there is this one type.
//!
//! # Wire format
//!
//! A change serializes as a JSON object tagged by `change` (this is what a store's ledger entry
//! holds after its `seq` and `at`):
//!
//! - `{"change":"proposal","id","title"?,"committee","kind","partners","engagement","circulated"?,
//!   "deadline"?,"attributes"?,"procedure"?,"supersedes"?}`
//! - `{"change":"position","id","member","since"?,"source","policy"}`
//! - `{"change":"withdraw","position","reason"?}`: a position withdrawn
//! - `{"change":"fact","id","value","as_of"?,"source","valid_until"?}`
//! - `{"change":"vote","proposal","member","stance","reason"?}`
//! - `{"change":"decision","proposal","trigger","on","outcome","objecting","state"?,"engine"?,
//!   "reason"?,"source"?}`
//! - `{"change":"extend","proposal","deadline","reason"?}`
//! - `{"change":"withdraw_proposal","proposal","reason"}`
//!
//! Values are JSON booleans, integers and strings; decimals are `{"decimal":"1.50"}`, so that no
//! digit is lost to floating point. Optional fields are left out when empty, so an entry written
//! by an earlier concord has the same bytes as the same change written now.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::model::{Attribute, Decided, Engagement, Procedure, Trigger, Value, VoteStance};

/// A change to a scenario, on the date it takes effect.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Change {
    /// A proposal put before a committee.
    Proposal(ProposalChange),
    /// A position declared.
    Position(PositionChange),
    /// A position withdrawn: not in force from the change's date on.
    Withdraw(PositionWithdrawal),
    /// An observation of a fact.
    Fact(FactChange),
    /// A member's stance on a proposal, on the change's date.
    Vote(VoteChange),
    /// A proposal's decision.
    Decision(DecisionChange),
    /// An open proposal's deadline moved.
    Extend(ExtensionChange),
    /// An open proposal withdrawn.
    WithdrawProposal(ProposalWithdrawal),
}

impl Change {
    /// The change's kind, as written in its `change` field.
    pub fn kind(&self) -> &'static str {
        match self {
            Change::Proposal(_) => "proposal",
            Change::Position(_) => "position",
            Change::Withdraw(_) => "withdraw",
            Change::Fact(_) => "fact",
            Change::Vote(_) => "vote",
            Change::Decision(_) => "decision",
            Change::Extend(_) => "extend",
            Change::WithdrawProposal(_) => "withdraw_proposal",
        }
    }

    /// Whether [`crate::Engine::undo_last`] can take the change back (it applies in place).
    pub fn can_undo(&self) -> bool {
        !matches!(self, Change::Fact(_) | Change::Proposal(_) | Change::Position(_))
    }

    /// The proposal, position or fact the change is about.
    pub fn subject(&self) -> &str {
        match self {
            Change::Proposal(p) => &p.id,
            Change::Position(p) => &p.id,
            Change::Withdraw(w) => &w.position,
            Change::Fact(f) => &f.id,
            Change::Vote(v) => &v.proposal,
            Change::Decision(d) => &d.proposal,
            Change::Extend(e) => &e.proposal,
            Change::WithdrawProposal(w) => &w.proposal,
        }
    }
}

/// A proposal as a change holds it (the fields of `[[proposal]]`); it is circulated on the
/// change's date unless it says a later one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposalChange {
    /// Id.
    pub id: String,
    /// Human title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Committee id.
    pub committee: String,
    /// Free tag.
    pub kind: String,
    /// Partner ids.
    #[serde(default)]
    pub partners: Vec<String>,
    /// `new` (the default) or `continuing`.
    #[serde(default)]
    pub engagement: Engagement,
    /// When it is put before the committee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub circulated: Option<Date>,
    /// The deadline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<Date>,
    /// Free attributes.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty", with = "exact::attributes")]
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, ExactAttribute>))]
    pub attributes: BTreeMap<String, Attribute>,
    /// What the deadline is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub procedure: Option<Procedure>,
    /// The proposal this one revises.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supersedes: Option<String>,
    /// The members concerned by the proposal.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub concerned: Vec<String>,
}

/// A position as a change holds it; in force from `since`, or from the change's date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PositionChange {
    /// Id.
    pub id: String,
    /// The member holding it.
    pub member: String,
    /// Not in force before this date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<Date>,
    /// Where it was declared.
    pub source: String,
    /// Cedar policy text.
    pub policy: String,
}

/// A position withdrawn on the change's date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PositionWithdrawal {
    /// The position's id.
    pub position: String,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A fact observation as a change holds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FactChange {
    /// The fact's id.
    pub id: String,
    /// The observed value.
    #[serde(with = "exact")]
    #[cfg_attr(feature = "openapi", schema(value_type = ExactValue))]
    pub value: Value,
    /// The observation holds from this date; default: the change's date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<Date>,
    /// Where it comes from.
    pub source: String,
    /// After this date it no longer holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<Date>,
}

/// A vote as a change holds it; its date is the change's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VoteChange {
    /// Proposal id.
    pub proposal: String,
    /// Member id.
    pub member: String,
    /// `consent`, `object`, `abstain` or `silent`.
    pub stance: VoteStance,
    /// Why; required for an objection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Where the stance is known from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// An interpretative statement or reservation attached to the stance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<String>,
}

/// A decision as a change holds it: what the record says, what it was computed from, and by
/// which engine.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionChange {
    /// Proposal id.
    pub proposal: String,
    /// What started it.
    pub trigger: Trigger,
    /// The date of the decision (the deadline, the close date, the day the rule adopted it).
    pub on: Date,
    /// `adopted`, `blocked` or `withdrawn`.
    pub outcome: Decided,
    /// Members objecting on `on`, in seat order.
    #[serde(default)]
    pub objecting: Vec<String>,
    /// The state it was computed from, where a store records it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<StateDigest>,
    /// The engine that computed it, where a store records it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<String>,
    /// The secretariat's note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Where the record comes from, when it is not the ledger entry that holds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// A state, named by the number of ledger entries it folds and the SHA-256 of its scenario file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StateDigest {
    /// Entries folded: the first `entries` of the ledger.
    pub entries: u64,
    /// SHA-256 of [`crate::scenario::write`] of the state, in hex.
    pub sha256: String,
}

/// An open proposal's deadline moved on the change's date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExtensionChange {
    /// Proposal id.
    pub proposal: String,
    /// The new deadline.
    pub deadline: Date,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// An open proposal withdrawn on the change's date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposalWithdrawal {
    /// Proposal id.
    pub proposal: String,
    /// Why.
    pub reason: String,
}

/// A value as a change holds it: a boolean, an integer, a string, or `{"decimal": "1.50"}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ExactValue {
    /// `true` or `false`.
    Bool(bool),
    /// A whole number.
    Long(i64),
    /// Text.
    String(String),
    /// A decimal, exactly.
    Decimal {
        /// Its digits, as written.
        decimal: String,
    },
}

impl From<&Value> for ExactValue {
    fn from(v: &Value) -> ExactValue {
        match v {
            Value::Bool(b) => ExactValue::Bool(*b),
            Value::Long(n) => ExactValue::Long(*n),
            Value::String(s) => ExactValue::String(s.clone()),
            Value::Decimal(d) => ExactValue::Decimal { decimal: d.to_string() },
        }
    }
}

impl TryFrom<ExactValue> for Value {
    type Error = String;

    fn try_from(v: ExactValue) -> Result<Value, String> {
        Ok(match v {
            ExactValue::Bool(b) => Value::Bool(b),
            ExactValue::Long(n) => Value::Long(n),
            ExactValue::String(s) => Value::String(s),
            ExactValue::Decimal { decimal } => {
                Value::Decimal(crate::number::Decimal::parse(&decimal).map_err(|e| format!("`{decimal}`: {e}"))?)
            }
        })
    }
}

/// A proposal attribute as a change holds it: a value as [`ExactValue`], or a list of them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ExactAttribute {
    /// One value.
    One(ExactValue),
    /// A list of strings or of numbers, of one type.
    List(Vec<ExactValue>),
}

impl From<&Attribute> for ExactAttribute {
    fn from(a: &Attribute) -> ExactAttribute {
        match a {
            Attribute::One(v) => ExactAttribute::One(v.into()),
            Attribute::List(items) => ExactAttribute::List(items.iter().map(ExactValue::from).collect()),
        }
    }
}

impl TryFrom<ExactAttribute> for Attribute {
    type Error = String;

    fn try_from(a: ExactAttribute) -> Result<Attribute, String> {
        match a {
            ExactAttribute::One(v) => Value::try_from(v).map(Attribute::One),
            ExactAttribute::List(items) => {
                let items = items.into_iter().map(Value::try_from).collect::<Result<Vec<_>, _>>()?;
                for (i, item) in items.iter().enumerate() {
                    if let Some(message) = Attribute::list_item_problem(items.first().filter(|_| i > 0), item) {
                        return Err(format!("item {}: {message}", i + 1));
                    }
                }
                Ok(Attribute::List(items))
            }
        }
    }
}

/// Serde for values as changes hold them ([`ExactValue`]).
pub mod exact {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::ExactValue;
    use crate::model::Value;

    /// Writes a value exactly.
    pub fn serialize<S: Serializer>(v: &Value, s: S) -> Result<S::Ok, S::Error> {
        ExactValue::from(v).serialize(s)
    }

    /// Reads a value written exactly.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        Value::try_from(ExactValue::deserialize(d)?).map_err(serde::de::Error::custom)
    }

    /// Serde for maps of proposal attributes ([`super::ExactAttribute`]).
    pub mod attributes {
        use super::super::ExactAttribute;
        use super::*;
        use crate::model::Attribute;

        /// Writes every attribute exactly, keys in order.
        pub fn serialize<S: Serializer>(m: &BTreeMap<String, Attribute>, s: S) -> Result<S::Ok, S::Error> {
            let exact: BTreeMap<&String, ExactAttribute> =
                m.iter().map(|(k, a)| (k, ExactAttribute::from(a))).collect();
            exact.serialize(s)
        }

        /// Reads attributes written exactly.
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, Attribute>, D::Error> {
            let exact = BTreeMap::<String, ExactAttribute>::deserialize(d)?;
            exact
                .into_iter()
                .map(|(k, a)| Attribute::try_from(a).map(|a| (k, a)).map_err(serde::de::Error::custom))
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_keep_the_bytes_of_entries_written_by_concord_0_1() {
        // Each line is an entry's change as concord 0.1 wrote it (tests/fixtures/store-0.1.0).
        let lines = [
            r#"{"change":"vote","proposal":"steadfast-2026-spec","member":"NOR","stance":"consent"}"#,
            r#"{"change":"fact","id":"gaza_aid_unobstructed","value":true,"as_of":"2025-06-17","source":"fixture: a test observation"}"#,
            r#"{"change":"proposal","id":"fx-2025-drill","title":"Fixture drill","committee":"MC","kind":"exercise","partners":["ISR"],"engagement":"new","circulated":"2025-06-18","deadline":"2025-07-01","attributes":{"budget":{"decimal":"1.25"},"host":"BGR"}}"#,
            r#"{"change":"position","id":"fra-no-drills","member":"FRA","source":"fixture: FRA statement","policy":"forbid (principal, action, resource);"}"#,
            r#"{"change":"vote","proposal":"fx-2025-drill","member":"TUR","stance":"object","reason":"fixture objection"}"#,
            r#"{"change":"withdraw","position":"fra-no-drills","reason":"fixture withdrawal"}"#,
            r#"{"change":"decision","proposal":"fx-2025-drill","trigger":"close","on":"2025-06-22","outcome":"blocked","objecting":["TUR"],"state":{"entries":9,"sha256":"c0"},"engine":"concord-core 0.1.0","reason":"fixture close"}"#,
        ];
        for line in lines {
            let change: Change = serde_json::from_str(line).unwrap();
            assert_eq!(serde_json::to_string(&change).unwrap(), line);
        }
    }

    #[test]
    fn a_pending_close_of_concord_0_1_reads_as_blocked() {
        let line = r#"{"change":"decision","proposal":"p","trigger":"close","on":"2025-06-23","outcome":"pending","objecting":[]}"#;
        let Change::Decision(d) = serde_json::from_str(line).unwrap() else { panic!("not a decision") };
        assert_eq!(d.outcome, Decided::Blocked);
    }

    #[test]
    fn decimals_keep_every_digit() {
        let line = r#"{"change":"fact","id":"f","value":{"decimal":"0.1234"},"as_of":"2025-01-01","source":"s"}"#;
        let change: Change = serde_json::from_str(line).unwrap();
        assert_eq!(serde_json::to_string(&change).unwrap(), line);
    }

    #[test]
    fn unknown_stances_and_fields_are_refused() {
        for line in [
            r#"{"change":"vote","proposal":"p","member":"A","stance":"maybe"}"#,
            r#"{"change":"vote","proposal":"p","member":"A","stance":"consent","at":"2025-01-01"}"#,
            r#"{"change":"nothing"}"#,
        ] {
            assert!(serde_json::from_str::<Change>(line).is_err(), "{line}");
        }
    }
}
