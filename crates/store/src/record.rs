//! Ledger entries: what a store records, and how each entry changes a scenario's state.
//!
//! Every change to a store is one [`Entry`]: its position in the ledger, the date it takes
//! effect, and a [`Change`]. An entry's bytes are its compact JSON (fields in a fixed order, maps
//! sorted), and those bytes are what the Merkle tree hashes, so anyone can read an entry and check
//! it against a proof. [`State::apply`] folds entries, in order, into the scenario they describe;
//! it refuses a change that does not fit the state, so a bad command changes nothing and a ledger
//! that was edited behind concord's back is caught at the first entry that does not fit.
//!
//! This module is pure: no I/O, no clock.

use std::collections::{BTreeMap, HashMap};

use concord_core::{
    Date, Decimal, Engagement, Fact, Outcome, Position, Proposal, Scenario, Seats, Value, Vote, VoteStance,
};
use serde::{Deserialize, Serialize};

/// The version of the engine that computes recorded decisions, as recorded with them.
pub fn engine_version() -> String {
    format!("concord-core {}", concord_core::VERSION)
}

/// One ledger entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Entry {
    /// Position in the ledger, from 0.
    pub seq: u64,
    /// The date the change takes effect. Never before the previous entry's.
    pub at: Date,
    /// What changed.
    #[serde(flatten)]
    pub change: Change,
}

impl Entry {
    /// The bytes the ledger hashes: compact JSON.
    pub fn to_bytes(&self) -> Vec<u8> {
        // Serializing plain data with string keys into memory cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Reads an entry from its bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Entry, String> {
        serde_json::from_slice(bytes).map_err(|e| format!("not a concord entry: {e}"))
    }

    /// The proposal, position or fact the entry is about, if any.
    pub fn subject(&self) -> Option<&str> {
        match &self.change {
            Change::Init { .. } => None,
            Change::Proposal(p) => Some(&p.id),
            Change::Position(p) => Some(&p.id),
            Change::Withdraw { position, .. } => Some(position),
            Change::Fact(f) => Some(&f.id),
            Change::Vote(v) => Some(&v.proposal),
            Change::Decision(d) => Some(&d.proposal),
        }
    }
}

/// A change to a store's state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Change {
    /// The first entry: the scenario file the store was created from, byte for byte.
    Init {
        /// The file's name when it was read.
        origin: String,
        /// The file's text.
        scenario: String,
    },
    /// A proposal put before a committee.
    Proposal(ProposalRecord),
    /// A position declared.
    Position(PositionRecord),
    /// A position withdrawn: not in force from the entry's date on.
    Withdraw {
        /// The position's id.
        position: String,
        /// Why, if given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// An observation of a fact.
    Fact(FactRecord),
    /// A member's stance on a proposal, on the entry's date.
    Vote(VoteRecord),
    /// A proposal's outcome, recorded when its silence deadline passed or when it was closed.
    Decision(Recorded),
}

impl Change {
    /// The change's kind, as written in its entry's `change` field.
    pub fn kind(&self) -> &'static str {
        match self {
            Change::Init { .. } => "init",
            Change::Proposal(_) => "proposal",
            Change::Position(_) => "position",
            Change::Withdraw { .. } => "withdraw",
            Change::Fact(_) => "fact",
            Change::Vote(_) => "vote",
            Change::Decision(_) => "decision",
        }
    }

    /// Whether the whole scenario must be checked again after this change (Cedar schema and
    /// policies, fact types). Votes and decisions are checked by [`State::apply`] alone.
    pub fn needs_full_check(&self) -> bool {
        matches!(self, Change::Init { .. } | Change::Proposal(_) | Change::Position(_) | Change::Fact(_))
    }
}

/// A value as an entry holds it: booleans, integers and strings as JSON, decimals as
/// `{ "decimal": "1.50" }` so that nothing is lost to floating point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ValueRecord {
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

impl From<&Value> for ValueRecord {
    fn from(v: &Value) -> ValueRecord {
        match v {
            Value::Bool(b) => ValueRecord::Bool(*b),
            Value::Long(n) => ValueRecord::Long(*n),
            Value::String(s) => ValueRecord::String(s.clone()),
            Value::Decimal(d) => ValueRecord::Decimal { decimal: d.to_string() },
        }
    }
}

impl ValueRecord {
    /// The value, or why the entry's decimal is not one.
    pub fn to_value(&self) -> Result<Value, String> {
        Ok(match self {
            ValueRecord::Bool(b) => Value::Bool(*b),
            ValueRecord::Long(n) => Value::Long(*n),
            ValueRecord::String(s) => Value::String(s.clone()),
            ValueRecord::Decimal { decimal } => {
                Value::Decimal(Decimal::parse(decimal).map_err(|e| format!("`{decimal}`: {e}"))?)
            }
        })
    }
}

/// A proposal as an entry holds it (the fields of `[[proposal]]`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposalRecord {
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
    pub partners: Vec<String>,
    /// `new` or `continuing`.
    pub engagement: String,
    /// When it was put before the committee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub circulated: Option<Date>,
    /// Silence procedure deadline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<Date>,
    /// Free attributes.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, ValueRecord>,
}

/// A position as an entry holds it. It is in force from `since`, or from the entry's date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PositionRecord {
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

/// A fact observation as an entry holds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FactRecord {
    /// The fact's id.
    pub id: String,
    /// The observed value.
    pub value: ValueRecord,
    /// The observation holds from this date.
    pub as_of: Date,
    /// Where it comes from.
    pub source: String,
    /// After this date it no longer holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<Date>,
}

/// A vote as an entry holds it; its date is the entry's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VoteRecord {
    /// Proposal id.
    pub proposal: String,
    /// Member id.
    pub member: String,
    /// `consent`, `object` or `abstain`.
    pub stance: String,
    /// Why; required for an objection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Why a decision was recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Trigger {
    /// The silence procedure's deadline passed.
    Deadline,
    /// The secretariat closed the proposal.
    Close,
}

/// A recorded decision: the outcome, what it was computed from, and by which engine.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Recorded {
    /// Proposal id.
    pub proposal: String,
    /// Deadline or close.
    pub trigger: Trigger,
    /// The date the outcome was computed on (the deadline, or the close date).
    pub on: Date,
    /// `adopted`, `blocked` or `pending`.
    pub outcome: String,
    /// Members objecting, in seat order.
    pub objecting: Vec<String>,
    /// The state the decision was computed from.
    pub state: StateDigest,
    /// [`engine_version`] of the engine that computed it.
    pub engine: String,
    /// The secretariat's note, for a close.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A state, named by the number of entries it folds and the SHA-256 of its scenario file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StateDigest {
    /// Entries folded: the first `entries` of the ledger.
    pub entries: u64,
    /// SHA-256 of [`concord_core::scenario::write`] of the state, in hex.
    pub sha256: String,
}

/// Why an entry does not fit the state.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Misfit {
    /// What is wrong, worded for people; names the field when one is at fault.
    pub message: String,
}

fn misfit(message: impl Into<String>) -> Misfit {
    Misfit { message: message.into() }
}

/// A recorded decision's place in the ledger.
#[derive(Clone, Debug, PartialEq)]
pub struct DecisionAt {
    /// The decision entry's sequence number.
    pub entry: u64,
    /// The entry's date.
    pub at: Date,
    /// The decision.
    pub recorded: Recorded,
}

/// A scenario's state after some entries: the scenario they describe and what is recorded.
#[derive(Clone, Debug, Default)]
pub struct State {
    /// The scenario.
    pub scenario: Scenario,
    /// The init entry's file name.
    pub origin: String,
    /// Entries folded so far.
    pub entries: u64,
    /// The date of the last entry.
    pub last_at: Option<Date>,
    /// Recorded decisions by proposal id.
    pub decided: HashMap<String, DecisionAt>,
    proposals: HashMap<String, usize>,
    positions: HashMap<String, usize>,
    members: HashMap<String, usize>,
    committees: HashMap<String, usize>,
    /// (proposal, member, date) of every vote: one stance per member, proposal and day.
    votes: std::collections::HashSet<(usize, usize, Date)>,
}

impl State {
    /// The index of a proposal in [`State::scenario`].
    pub fn proposal(&self, id: &str) -> Option<&Proposal> {
        self.proposals.get(id).and_then(|&i| self.scenario.proposals.get(i))
    }

    /// The date a store decides on by default: the later of the scenario's `as_of` and the last
    /// entry's date.
    pub fn default_date(&self) -> Date {
        match (self.scenario.as_of, self.last_at) {
            (Some(a), Some(b)) => a.max(b),
            (a, b) => a.or(b).unwrap_or(Date::FIRST),
        }
    }

    /// Whether a member id exists.
    pub fn has_member(&self, id: &str) -> bool {
        self.members.contains_key(id)
    }

    /// Applies the next entry. On error the state is unchanged.
    pub fn apply(&mut self, entry: &Entry) -> Result<(), Misfit> {
        if entry.seq != self.entries {
            return Err(misfit(format!(
                "entry says it is entry {}, but it comes at position {}",
                entry.seq, self.entries
            )));
        }
        if let Some(last) = self.last_at
            && entry.at < last
        {
            return Err(misfit(format!("date {} is before the last entry's date {last}", entry.at)));
        }
        match (&entry.change, self.entries) {
            (Change::Init { .. }, 0) => {}
            (Change::Init { .. }, _) => return Err(misfit("only the first entry may create the store")),
            (_, 0) => return Err(misfit("the first entry must be `init`, the scenario the store was created from")),
            _ => {}
        }
        match &entry.change {
            Change::Init { origin, scenario } => {
                let parsed = concord_core::scenario::parse(scenario, origin).map_err(|e| misfit(e.to_string()))?;
                self.origin = origin.clone();
                self.scenario = parsed;
                self.reindex();
            }
            Change::Proposal(p) => self.add_proposal(p)?,
            Change::Position(p) => self.add_position(p, entry.at)?,
            Change::Withdraw { position, .. } => self.withdraw(position, entry.at)?,
            Change::Fact(f) => self.add_fact(f)?,
            Change::Vote(v) => self.add_vote(v, entry.at)?,
            Change::Decision(d) => self.add_decision(d, entry)?,
        }
        self.entries += 1;
        self.last_at = Some(entry.at);
        Ok(())
    }

    /// Undoes the last entry applied, which must be `entry`; `last_at` is the date before it.
    /// Lets a write apply its entries in place and take them back if it cannot commit.
    pub fn undo(&mut self, entry: &Entry, last_at: Option<Date>) {
        match &entry.change {
            Change::Init { .. } => *self = State::default(),
            Change::Proposal(p) => {
                self.scenario.proposals.pop();
                self.proposals.remove(&p.id);
            }
            Change::Position(p) => {
                self.scenario.positions.pop();
                self.positions.remove(&p.id);
            }
            Change::Withdraw { position, .. } => {
                if let Some(p) = self.positions.get(position).and_then(|&i| self.scenario.positions.get_mut(i)) {
                    p.withdrawn = None;
                }
            }
            Change::Fact(_) => {
                self.scenario.facts.pop();
            }
            Change::Vote(v) => {
                self.scenario.votes.pop();
                if let (Some(&p), Some(&m)) = (self.proposals.get(&v.proposal), self.members.get(&v.member)) {
                    self.votes.remove(&(p, m, entry.at));
                }
            }
            Change::Decision(d) => {
                self.decided.remove(&d.proposal);
            }
        }
        if !matches!(entry.change, Change::Init { .. }) {
            self.entries -= 1;
            self.last_at = last_at;
        }
    }

    fn reindex(&mut self) {
        let s = &self.scenario;
        self.proposals = s.proposals.iter().enumerate().map(|(i, p)| (p.id.clone(), i)).collect();
        self.positions = s.positions.iter().enumerate().map(|(i, p)| (p.id.clone(), i)).collect();
        self.members = s.members.iter().enumerate().map(|(i, m)| (m.id.clone(), i)).collect();
        self.committees = s.committees.iter().enumerate().map(|(i, c)| (c.id.clone(), i)).collect();
        self.votes = s
            .votes
            .iter()
            .filter_map(|v| Some((*self.proposals.get(&v.proposal)?, *self.members.get(&v.member)?, v.at)))
            .collect();
    }

    fn add_proposal(&mut self, p: &ProposalRecord) -> Result<(), Misfit> {
        if self.proposals.contains_key(&p.id) {
            return Err(misfit(format!("proposal `{}` already exists", p.id)));
        }
        if !self.committees.contains_key(&p.committee) {
            return Err(misfit(format!("field `committee`: unknown committee `{}`", p.committee)));
        }
        let engagement = match p.engagement.as_str() {
            "new" => Engagement::New,
            "continuing" => Engagement::Continuing,
            other => {
                return Err(misfit(format!("field `engagement`: expected `new` or `continuing`, found `{other}`")));
            }
        };
        let mut attributes = BTreeMap::new();
        for (k, v) in &p.attributes {
            attributes.insert(k.clone(), v.to_value().map_err(|e| misfit(format!("attribute `{k}`: {e}")))?);
        }
        self.proposals.insert(p.id.clone(), self.scenario.proposals.len());
        self.scenario.proposals.push(Proposal {
            id: p.id.clone(),
            title: p.title.clone(),
            committee: p.committee.clone(),
            kind: p.kind.clone(),
            partners: p.partners.clone(),
            engagement,
            circulated: p.circulated,
            deadline: p.deadline,
            attributes,
        });
        Ok(())
    }

    fn add_position(&mut self, p: &PositionRecord, at: Date) -> Result<(), Misfit> {
        if self.positions.contains_key(&p.id) {
            return Err(misfit(format!("position `{}` already exists", p.id)));
        }
        if !self.members.contains_key(&p.member) {
            return Err(misfit(format!("field `member`: unknown member `{}`", p.member)));
        }
        self.positions.insert(p.id.clone(), self.scenario.positions.len());
        self.scenario.positions.push(Position {
            id: p.id.clone(),
            member: p.member.clone(),
            since: Some(p.since.unwrap_or(at)),
            withdrawn: None,
            source: p.source.clone(),
            policy: p.policy.clone(),
        });
        Ok(())
    }

    fn withdraw(&mut self, id: &str, at: Date) -> Result<(), Misfit> {
        let Some(position) = self.positions.get(id).and_then(|&i| self.scenario.positions.get_mut(i)) else {
            return Err(misfit(format!("unknown position `{id}`")));
        };
        if let Some(w) = position.withdrawn {
            return Err(misfit(format!("position `{id}` was already withdrawn on {w}")));
        }
        if let Some(since) = position.since
            && at <= since
        {
            return Err(misfit(format!("position `{id}` is in force from {since}: withdraw it after that date")));
        }
        position.withdrawn = Some(at);
        Ok(())
    }

    fn add_fact(&mut self, f: &FactRecord) -> Result<(), Misfit> {
        let value = f.value.to_value().map_err(|e| misfit(format!("field `value`: {e}")))?;
        if let Some(clash) = self.scenario.facts.iter().find(|o| o.id == f.id && o.as_of == f.as_of) {
            return Err(misfit(format!(
                "fact `{}` already has an observation as of {} ({}, from {:?}): record a new one with another date",
                f.id, f.as_of, clash.value, clash.source
            )));
        }
        self.scenario.facts.push(Fact {
            id: f.id.clone(),
            value,
            as_of: f.as_of,
            source: f.source.clone(),
            valid_until: f.valid_until,
        });
        Ok(())
    }

    fn add_vote(&mut self, v: &VoteRecord, at: Date) -> Result<(), Misfit> {
        let Some((proposal_index, proposal)) =
            self.proposals.get(&v.proposal).and_then(|&i| Some((i, self.scenario.proposals.get(i)?)))
        else {
            return Err(misfit(format!("unknown proposal `{}`", v.proposal)));
        };
        let Some(&member) = self.members.get(&v.member) else {
            return Err(misfit(format!("unknown member `{}`", v.member)));
        };
        let Some(stance) = VoteStance::parse(&v.stance) else {
            return Err(misfit(format!("unknown stance `{}`: expected `consent`, `object` or `abstain`", v.stance)));
        };
        let seated =
            self.committees.get(&proposal.committee).and_then(|&c| self.scenario.committees.get(c)).is_some_and(|c| {
                match &c.members {
                    Seats::All => true,
                    Seats::Listed(ids) => ids.contains(&v.member),
                }
            });
        if !seated {
            return Err(misfit(format!("member `{}` does not sit on committee `{}`", v.member, proposal.committee)));
        }
        if let Some(joined) = self.scenario.members.get(member).and_then(|m| m.joined)
            && at < joined
        {
            return Err(misfit(format!("member `{}` joins on {joined}, after {at}", v.member)));
        }
        if let Some(circulated) = proposal.circulated
            && at < circulated
        {
            return Err(misfit(format!("proposal `{}` is circulated on {circulated}, after {at}", v.proposal)));
        }
        if stance == VoteStance::Object && v.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
            return Err(misfit("an objection needs a reason (`--reason`)"));
        }
        if let Some(d) = self.decided.get(&v.proposal) {
            return Err(misfit(format!(
                "proposal `{}` was decided ({}) on {} in entry {}: its record is closed",
                v.proposal, d.recorded.outcome, d.recorded.on, d.entry
            )));
        }
        if self.votes.contains(&(proposal_index, member, at)) {
            return Err(misfit(format!(
                "member `{}` already has a vote on `{}` dated {at}: record a change of stance on a later date",
                v.member, v.proposal
            )));
        }
        self.votes.insert((proposal_index, member, at));
        self.scenario.votes.push(Vote {
            proposal: v.proposal.clone(),
            member: v.member.clone(),
            stance,
            at,
            reason: v.reason.clone(),
        });
        Ok(())
    }

    fn add_decision(&mut self, d: &Recorded, entry: &Entry) -> Result<(), Misfit> {
        if self.proposal(&d.proposal).is_none() {
            return Err(misfit(format!("unknown proposal `{}`", d.proposal)));
        }
        if let Some(earlier) = self.decided.get(&d.proposal) {
            return Err(misfit(format!("proposal `{}` was already decided in entry {}", d.proposal, earlier.entry)));
        }
        if d.on > entry.at {
            return Err(misfit(format!("a decision on {} cannot be recorded on the earlier date {}", d.on, entry.at)));
        }
        if d.state.entries > entry.seq {
            return Err(misfit(format!(
                "the decision says it was computed from {} entries, but only {} came before it",
                d.state.entries, entry.seq
            )));
        }
        self.decided.insert(d.proposal.clone(), DecisionAt { entry: entry.seq, at: entry.at, recorded: d.clone() });
        Ok(())
    }

    /// The digest of this state: the SHA-256 of its scenario file.
    pub fn digest(&self) -> StateDigest {
        use sha2::{Digest, Sha256};
        let text = concord_core::scenario::write(&self.scenario);
        StateDigest { entries: self.entries, sha256: hex::encode(Sha256::digest(text.as_bytes())) }
    }
}

/// An outcome's name, as recorded.
pub fn outcome_name(o: Outcome) -> &'static str {
    match o {
        Outcome::Adopted => "adopted",
        Outcome::Blocked => "blocked",
        Outcome::Pending => "pending",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCENARIO: &str = r#"
[scenario]
id = "t"
as_of = 2025-06-15
[[member]]
id = "A"
[[member]]
id = "B"
[[committee]]
id = "C"
members = "all"
rule = "consensus"
[[proposal]]
id = "p"
committee = "C"
kind = "exercise"
partners = []
engagement = "new"
"#;

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn init() -> State {
        let mut s = State::default();
        let e = Entry {
            seq: 0,
            at: day("2025-06-01"),
            change: Change::Init { origin: "t.toml".into(), scenario: SCENARIO.into() },
        };
        s.apply(&e).unwrap();
        s
    }

    fn vote(seq: u64, at: &str, member: &str, stance: &str, reason: Option<&str>) -> Entry {
        Entry {
            seq,
            at: day(at),
            change: Change::Vote(VoteRecord {
                proposal: "p".into(),
                member: member.into(),
                stance: stance.into(),
                reason: reason.map(Into::into),
            }),
        }
    }

    #[test]
    fn entries_round_trip_through_their_bytes() {
        let e = Entry {
            seq: 3,
            at: day("2025-06-02"),
            change: Change::Fact(FactRecord {
                id: "f".into(),
                value: ValueRecord::Decimal { decimal: "1.50".into() },
                as_of: day("2025-06-01"),
                source: "s".into(),
                valid_until: None,
            }),
        };
        let bytes = e.to_bytes();
        assert_eq!(
            String::from_utf8(bytes.clone()).unwrap(),
            r#"{"seq":3,"at":"2025-06-02","change":"fact","id":"f","value":{"decimal":"1.50"},"as_of":"2025-06-01","source":"s"}"#
        );
        assert_eq!(Entry::from_bytes(&bytes).unwrap(), e);
        let v = vote(4, "2025-06-03", "A", "object", Some("no"));
        assert_eq!(Entry::from_bytes(&v.to_bytes()).unwrap(), v);
    }

    #[test]
    fn applies_votes_and_refuses_what_does_not_fit() {
        let mut s = init();
        s.apply(&vote(1, "2025-06-02", "A", "consent", None)).unwrap();
        let refused = [
            (vote(2, "2025-06-01", "B", "consent", None), "before the last entry"),
            (vote(3, "2025-06-03", "B", "consent", None), "position 2"),
            (vote(2, "2025-06-03", "Z", "consent", None), "unknown member `Z`"),
            (vote(2, "2025-06-03", "B", "maybe", None), "unknown stance"),
            (vote(2, "2025-06-03", "B", "object", None), "needs a reason"),
            (vote(2, "2025-06-02", "A", "abstain", None), "already has a vote"),
        ];
        for (entry, why) in refused {
            let before = (s.entries, s.scenario.votes.len());
            let err = s.apply(&entry).unwrap_err();
            assert!(err.message.contains(why), "{} should say {why}", err.message);
            assert_eq!((s.entries, s.scenario.votes.len()), before);
        }
        s.apply(&vote(2, "2025-06-03", "B", "object", Some("no"))).unwrap();
        assert_eq!(s.scenario.votes.len(), 2);
    }

    #[test]
    fn a_decision_closes_the_record() {
        let mut s = init();
        let d = Recorded {
            proposal: "p".into(),
            trigger: Trigger::Close,
            on: day("2025-06-05"),
            outcome: "adopted".into(),
            objecting: vec![],
            state: s.digest(),
            engine: engine_version(),
            reason: None,
        };
        s.apply(&Entry { seq: 1, at: day("2025-06-05"), change: Change::Decision(d.clone()) }).unwrap();
        let err = s.apply(&vote(2, "2025-06-06", "A", "consent", None)).unwrap_err();
        assert!(err.message.contains("record is closed"), "{}", err.message);
        let again = Entry { seq: 2, at: day("2025-06-06"), change: Change::Decision(d) };
        assert!(s.apply(&again).unwrap_err().message.contains("already decided"));
    }

    #[test]
    fn withdraws_positions_once_and_after_they_start() {
        let mut s = init();
        let add = Entry {
            seq: 1,
            at: day("2025-06-02"),
            change: Change::Position(PositionRecord {
                id: "x".into(),
                member: "A".into(),
                since: None,
                source: "s".into(),
                policy: "forbid (principal, action, resource);".into(),
            }),
        };
        s.apply(&add).unwrap();
        let withdraw =
            |seq, at: &str| Entry { seq, at: day(at), change: Change::Withdraw { position: "x".into(), reason: None } };
        assert!(s.apply(&withdraw(2, "2025-06-02")).unwrap_err().message.contains("after that date"));
        s.apply(&withdraw(2, "2025-06-04")).unwrap();
        assert_eq!(s.scenario.positions[0].withdrawn, Some(day("2025-06-04")));
        assert!(s.apply(&withdraw(3, "2025-06-05")).unwrap_err().message.contains("already withdrawn"));
    }
}
