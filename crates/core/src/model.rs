//! The scenario model: one body at one time, as plain data.
//!
//! These types mirror the scenario file (contract §1) one to one. They hold no derived state
//! and do no checking: [`crate::Engine::new`] validates a [`Scenario`] and compiles it for
//! decisions, and [`crate::scenario`] reads one from TOML.

use std::collections::BTreeMap;
use std::fmt;

use crate::date::Date;
use crate::number::Decimal;
use crate::rules::Outcome;
use crate::share::Share;

/// A whole scenario: members, committees, partners, proposals, facts, positions and votes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scenario {
    /// The scenario's id.
    pub id: String,
    /// A human title.
    pub title: Option<String>,
    /// The default evaluation date.
    pub as_of: Option<Date>,
    /// Members of the body.
    pub members: Vec<Member>,
    /// Partnership frameworks.
    pub frameworks: Vec<Framework>,
    /// Partners: non-members that take part in activities.
    pub partners: Vec<Partner>,
    /// Committees, each with a decision rule.
    pub committees: Vec<Committee>,
    /// Observations of facts.
    pub facts: Vec<Fact>,
    /// Proposals before committees.
    pub proposals: Vec<Proposal>,
    /// Members' standing positions.
    pub positions: Vec<Position>,
    /// Explicit stances of members on proposals.
    pub votes: Vec<Vote>,
    /// Deadlines moved while proposals were open.
    pub extensions: Vec<Extension>,
    /// Decisions as the record gives them.
    pub decisions: Vec<DecisionRecord>,
}

/// A member of the body.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Member {
    /// Id, e.g. `TUR`.
    pub id: String,
    /// Display name.
    pub name: Option<String>,
    /// Accession date: before it, the member does not sit on committees.
    pub joined: Option<Date>,
    /// Named numeric weights used by weighted rules.
    pub weights: BTreeMap<String, Decimal>,
    /// Free tags (`EU`, `NATO`), visible to positions as `Member::"ID".groups`.
    pub groups: Vec<String>,
}

/// A partnership framework, e.g. the Mediterranean Dialogue.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Framework {
    /// Id, e.g. `MD`.
    pub id: String,
    /// Display name.
    pub name: Option<String>,
    /// When the framework began.
    pub since: Option<Date>,
}

/// A non-member that takes part in activities.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Partner {
    /// Id, e.g. `ISR`.
    pub id: String,
    /// Display name.
    pub name: Option<String>,
    /// Framework ids the partner belongs to.
    pub frameworks: Vec<String>,
    /// Free tags such as `MNNA`.
    pub statuses: Vec<String>,
}

/// A committee and its decision rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Committee {
    /// Id, e.g. `NAC`.
    pub id: String,
    /// Display name.
    pub name: Option<String>,
    /// Who sits on it.
    pub members: Seats,
    /// How it decides.
    pub rule: Rule,
}

/// Who sits on a committee.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seats {
    /// Every member of the body (from its `joined` date).
    All,
    /// The listed member ids.
    Listed(Vec<String>),
}

/// A decision rule (contract §2).
#[derive(Clone, Debug, PartialEq)]
pub enum Rule {
    /// Adopted when nobody objects; silence is consent once the deadline has passed.
    Consensus {
        /// Whose objections do not count: with [`Disregard::Concerned`], those of the proposal's
        /// `concerned` members (OSCE "consensus minus one").
        disregard: Option<Disregard>,
    },
    /// Adopted when nobody objects and everybody has consented or abstained.
    Unanimity {
        /// Blocked all the same when the abstaining members reach these shares (TEU art. 31(1)).
        constructive_abstention: Option<ConstructiveAbstention>,
    },
    /// Adopted when consents exceed `share` × members.
    Majority {
        /// Share of members that consents must exceed.
        share: Share,
    },
    /// Double majority of members and weight, with an optional blocking-minority clause.
    Qualified {
        /// Share of members that must consent.
        members_share: Share,
        /// Name of the member weight.
        weight: String,
        /// Share of total weight that must consent.
        weight_share: Share,
        /// Adopted anyway when fewer than this many members do not consent.
        blocking_min: Option<u32>,
    },
    /// Adopted when consenting weight reaches a quota.
    Weighted {
        /// Name of the member weight.
        weight: String,
        /// The quota.
        quota: Quota,
    },
    /// Adopted when at least `min_yes` consent and no veto member objects.
    Veto {
        /// Consents needed.
        min_yes: u32,
        /// Members whose objection blocks.
        veto: Vec<String>,
    },
}

/// Whose objections a consensus disregards.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Disregard {
    /// The proposal's `concerned` members.
    Concerned,
}

/// When abstentions block a unanimity: the abstaining members reach `members_share` of the
/// seated members and, with a weight, `weight_share` of their weight.
#[derive(Clone, Debug, PartialEq)]
pub struct ConstructiveAbstention {
    /// Share of the seated members.
    pub members_share: Share,
    /// Name of the member weight, if weight counts too.
    pub weight: Option<String>,
    /// Share of the seated members' weight (with `weight`).
    pub weight_share: Option<Share>,
}

/// The quota of a weighted rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quota {
    /// An absolute amount of weight.
    Absolute(Decimal),
    /// A share of the committee's total weight.
    Share(Share),
}

impl Rule {
    /// Consensus: adopted when nobody objects.
    pub const CONSENSUS: Rule = Rule::Consensus { disregard: None };
    /// Unanimity: adopted when nobody objects and everybody has spoken.
    pub const UNANIMITY: Rule = Rule::Unanimity { constructive_abstention: None };

    /// The rule's kind as written in a scenario: `consensus`, `majority`, ….
    pub fn kind(&self) -> &'static str {
        match self {
            Rule::Consensus { .. } => "consensus",
            Rule::Unanimity { .. } => "unanimity",
            Rule::Majority { .. } => "majority",
            Rule::Qualified { .. } => "qualified",
            Rule::Weighted { .. } => "weighted",
            Rule::Veto { .. } => "veto",
        }
    }

    /// The weight name the rule reads, if any.
    pub fn weight(&self) -> Option<&str> {
        match self {
            Rule::Qualified { weight, .. } | Rule::Weighted { weight, .. } => Some(weight),
            Rule::Unanimity { constructive_abstention: Some(c) } => c.weight.as_deref(),
            _ => None,
        }
    }
}

impl fmt::Display for Rule {
    /// The rule in the scenario file's notation.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Consensus { disregard: None } | Rule::Unanimity { constructive_abstention: None } => {
                f.write_str(self.kind())
            }
            Rule::Consensus { disregard: Some(Disregard::Concerned) } => {
                f.write_str("consensus, disregarding the members concerned")
            }
            Rule::Unanimity { constructive_abstention: Some(c) } => {
                write!(f, "unanimity, unless abstentions reach {} of members", c.members_share)?;
                match (&c.weight, c.weight_share) {
                    (Some(weight), Some(share)) => write!(f, " and {share} of {weight}"),
                    _ => Ok(()),
                }
            }
            Rule::Majority { share } => write!(f, "majority {share}"),
            Rule::Qualified { members_share, weight, weight_share, blocking_min } => {
                write!(f, "qualified {members_share} of members and {weight_share} of {weight}")?;
                match blocking_min {
                    Some(n) => write!(f, ", blocking minority at least {n}"),
                    None => Ok(()),
                }
            }
            Rule::Weighted { weight, quota: Quota::Absolute(q) } => write!(f, "weighted {weight} ≥ {q}"),
            Rule::Weighted { weight, quota: Quota::Share(q) } => write!(f, "weighted {weight} ≥ {q} of total"),
            Rule::Veto { min_yes, veto } => write!(f, "veto: {min_yes} yes, veto by {}", veto.join(", ")),
        }
    }
}

/// A value of a fact or a proposal attribute.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Value {
    /// `true` or `false`.
    Bool(bool),
    /// A whole number (a Cedar `Long`).
    Long(i64),
    /// A number with a fractional part (a Cedar `decimal`).
    Decimal(Decimal),
    /// Text.
    String(String),
}

/// Checks that a decimal fits Cedar's `decimal`: at most 4 decimal places.
pub(crate) fn check_cedar_decimal(d: Decimal) -> Result<Decimal, String> {
    if d.scale() > 4 {
        return Err(format!(
            "`{d}` has more than 4 decimal places, which positions cannot read (Cedar decimals have 4)"
        ));
    }
    // Cedar's decimals are 64-bit counts of ten-thousandths.
    if d.units_at(4).and_then(|u| i64::try_from(u).ok()).is_none() {
        return Err(format!(
            "`{d}` is beyond what positions can read: Cedar decimals run from -922337203685477.5808 to 922337203685477.5807"
        ));
    }
    Ok(d)
}

impl Value {
    /// The value's type with its article, for messages: "a boolean", "an integer".
    pub fn type_with_article(&self) -> &'static str {
        match self {
            Value::Bool(_) => "a boolean",
            Value::Long(_) => "an integer",
            Value::Decimal(_) => "a decimal",
            Value::String(_) => "a string",
        }
    }

    /// The value's type, as named in messages and in the Cedar schema.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Bool(_) => "boolean",
            Value::Long(_) => "integer",
            Value::Decimal(_) => "decimal",
            Value::String(_) => "string",
        }
    }

    /// Parses a `--set` value: a boolean, then a number, else a string.
    pub fn parse_loose(text: &str) -> Value {
        match text {
            "true" => return Value::Bool(true),
            "false" => return Value::Bool(false),
            _ => {}
        }
        if let Ok(n) = text.parse::<i64>() {
            return Value::Long(n);
        }
        if let Ok(d) = Decimal::parse(text) {
            return Value::Decimal(d);
        }
        Value::String(text.to_owned())
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(b) => write!(f, "{b}"),
            Value::Long(n) => write!(f, "{n}"),
            Value::Decimal(d) => write!(f, "{d}"),
            Value::String(s) => write!(f, "{s:?}"),
        }
    }
}

impl serde::Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Long(n) => s.serialize_i64(*n),
            Value::Decimal(d) => s.serialize_f64(d.to_f64()),
            Value::String(t) => s.serialize_str(t),
        }
    }
}

/// A value is a JSON boolean, number or string.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Value {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
        OneOfBuilder::new()
            .item(ObjectBuilder::new().schema_type(Type::Boolean))
            .item(ObjectBuilder::new().schema_type(Type::Number))
            .item(ObjectBuilder::new().schema_type(Type::String))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Value {}

/// A proposal attribute's value: one value, or a list of strings or numbers, which positions
/// see as a Cedar set (`resource.attributes.posts.contains("SG")`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Attribute {
    /// One boolean, number or string.
    One(Value),
    /// A list; order and repeats are kept as written, positions see a set.
    List(Vec<Value>),
}

impl Attribute {
    /// The attribute's type, as named in messages: "string", "list of strings".
    pub fn type_name(&self) -> String {
        match self {
            Attribute::One(v) => v.type_name().to_owned(),
            Attribute::List(items) => match items.first() {
                Some(v) => format!("list of {}s", v.type_name()),
                None => "list".to_owned(),
            },
        }
    }

    /// What is wrong with an item of a list, given the list's first good item: a list holds
    /// strings, integers or decimals, all of one type. The one rule for a file and a change.
    pub(crate) fn list_item_problem(first: Option<&Value>, item: &Value) -> Option<String> {
        if let Value::Bool(b) = item {
            return Some(format!("a list attribute holds strings or numbers, found the boolean `{b}`"));
        }
        let first = first.filter(|f| std::mem::discriminant(*f) != std::mem::discriminant(item))?;
        Some(format!(
            "the list mixes {}s and {}s: a list attribute holds values of one type",
            first.type_name(),
            item.type_name()
        ))
    }

    /// Every value it holds: the one, or the list's.
    pub fn values(&self) -> &[Value] {
        match self {
            Attribute::One(v) => std::slice::from_ref(v),
            Attribute::List(items) => items,
        }
    }
}

impl From<Value> for Attribute {
    fn from(v: Value) -> Attribute {
        Attribute::One(v)
    }
}

impl fmt::Display for Attribute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Attribute::One(v) => write!(f, "{v}"),
            Attribute::List(items) => {
                f.write_str("[")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
        }
    }
}

impl serde::Serialize for Attribute {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Attribute::One(v) => v.serialize(s),
            Attribute::List(items) => items.serialize(s),
        }
    }
}

/// One observation of a fact; an id may be observed many times with other dates.
#[derive(Clone, Debug, PartialEq)]
pub struct Fact {
    /// The fact's id.
    pub id: String,
    /// The observed value.
    pub value: Value,
    /// The observation holds from this date.
    pub as_of: Date,
    /// Where it comes from.
    pub source: String,
    /// After this date the observation no longer holds.
    pub valid_until: Option<Date>,
    /// When the observation was recorded, if after `as_of`: a decision taken before this date
    /// did not know it, so it does not count before this date (a store records it so).
    pub recorded: Option<Date>,
}

impl Fact {
    /// The first date on which the observation is known and holds.
    pub fn known_from(&self) -> Date {
        self.recorded.map_or(self.as_of, |r| r.max(self.as_of))
    }

    /// Whether the observation is known and holds on `at`.
    pub fn holds_on(&self, at: Date) -> bool {
        self.known_from() <= at && self.valid_until.is_none_or(|u| u >= at)
    }
}

/// Whether a proposal starts something new or continues existing engagement.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Engagement {
    /// New or additional engagement.
    #[default]
    New,
    /// Engagement stemming from existing status.
    Continuing,
}

impl Engagement {
    /// As written in a scenario.
    pub fn as_str(self) -> &'static str {
        match self {
            Engagement::New => "new",
            Engagement::Continuing => "continuing",
        }
    }
}

/// How a proposal with a deadline is decided. Both decide on the deadline in the same way; the
/// procedure names what the deadline is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Procedure {
    /// A silence procedure: adopted at the deadline unless a member breaks silence.
    Silence,
    /// A meeting on the deadline's date decides.
    Meeting,
}

impl Procedure {
    /// As written in a scenario.
    pub fn as_str(self) -> &'static str {
        match self {
            Procedure::Silence => "silence",
            Procedure::Meeting => "meeting",
        }
    }

    /// Parses `silence` or `meeting`.
    pub fn parse(text: &str) -> Option<Procedure> {
        match text {
            "silence" => Some(Procedure::Silence),
            "meeting" => Some(Procedure::Meeting),
            _ => None,
        }
    }
}

/// A proposal before a committee.
#[derive(Clone, Debug, PartialEq)]
pub struct Proposal {
    /// Id.
    pub id: String,
    /// Human title.
    pub title: Option<String>,
    /// Committee id.
    pub committee: String,
    /// Free tag, e.g. `exercise`.
    pub kind: String,
    /// Partner ids taking part.
    pub partners: Vec<String>,
    /// New or continuing engagement.
    pub engagement: Engagement,
    /// When it was put before the committee.
    pub circulated: Option<Date>,
    /// The deadline: of the silence procedure, or the date of the meeting that decides.
    pub deadline: Option<Date>,
    /// What the deadline is; `None` is a silence procedure when there is a deadline.
    pub procedure: Option<Procedure>,
    /// Withdrawn by the chair or the secretariat on this date.
    pub withdrawn: Option<Date>,
    /// Why it was withdrawn.
    pub withdrawn_reason: Option<String>,
    /// A proposal this one revises: that one is withdrawn on this one's `circulated` date.
    pub supersedes: Option<String>,
    /// Free attributes, visible to positions as `resource.attributes`.
    pub attributes: BTreeMap<String, Attribute>,
    /// The members concerned by the proposal, whose objections a consensus that disregards them
    /// does not count (contract §6).
    pub concerned: Vec<String>,
}

/// A member's standing position, as Cedar policies.
#[derive(Clone, Debug, PartialEq)]
pub struct Position {
    /// Id.
    pub id: String,
    /// The member holding it.
    pub member: String,
    /// Not in force before this date.
    pub since: Option<Date>,
    /// Withdrawn on this date: not in force on it or after.
    pub withdrawn: Option<Date>,
    /// When the position was recorded, if after `since`: a decision taken before this date did
    /// not know it, so it is not in force before this date (a store records it so).
    pub recorded: Option<Date>,
    /// Where it was declared.
    pub source: String,
    /// Cedar policy text (one or more `forbid` policies).
    pub policy: String,
}

impl Position {
    /// Whether the position is known and in force on `at`.
    pub fn in_force(&self, at: Date) -> bool {
        self.since.is_none_or(|s| s <= at)
            && self.recorded.is_none_or(|r| r <= at)
            && self.withdrawn.is_none_or(|w| at < w)
    }
}

/// An explicit stance a member can record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum VoteStance {
    /// Agrees.
    Consent,
    /// Breaks silence / objects.
    Object,
    /// Stands aside.
    Abstain,
    /// Takes back the member's earlier explicit stance: its positions speak for it again.
    Silent,
}

impl VoteStance {
    /// As written in a scenario.
    pub fn as_str(self) -> &'static str {
        match self {
            VoteStance::Consent => "consent",
            VoteStance::Object => "object",
            VoteStance::Abstain => "abstain",
            VoteStance::Silent => "silent",
        }
    }

    /// Parses `consent`, `object`, `abstain` or `silent`.
    pub fn parse(text: &str) -> Option<VoteStance> {
        match text {
            "consent" => Some(VoteStance::Consent),
            "object" => Some(VoteStance::Object),
            "abstain" => Some(VoteStance::Abstain),
            "silent" => Some(VoteStance::Silent),
            _ => None,
        }
    }
}

/// An explicit stance of a member on a proposal.
#[derive(Clone, Debug, PartialEq)]
pub struct Vote {
    /// Proposal id.
    pub proposal: String,
    /// Member id.
    pub member: String,
    /// The stance.
    pub stance: VoteStance,
    /// When it was recorded.
    pub at: Date,
    /// Why (required for an objection).
    pub reason: Option<String>,
    /// Where the stance is known from (a statement, a communiqué, a press report).
    pub source: Option<String>,
    /// An interpretative statement or reservation attached to the stance (any stance).
    pub statement: Option<String>,
}

/// A proposal's deadline moved while it was open.
#[derive(Clone, Debug, PartialEq)]
pub struct Extension {
    /// Proposal id.
    pub proposal: String,
    /// The date the deadline was moved.
    pub on: Date,
    /// The new deadline (never before `on`).
    pub deadline: Date,
    /// Why.
    pub reason: Option<String>,
}

/// What started a recorded decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Trigger {
    /// The deadline passed (recorded by the clock).
    Deadline,
    /// The rule adopted a proposal without a deadline (recorded by the clock).
    Adopted,
    /// The secretariat closed the proposal: decided as if the deadline were that date.
    Close,
    /// The historical record (a `[[decision]]` of a scenario file).
    Record,
}

/// The outcome a decision can record: never `pending`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Decided {
    /// Adopted.
    Adopted,
    /// Not adopted. Stores written by concord 0.1 could record `pending` when a proposal was
    /// closed before anything adopted it; that is read as `blocked`, what a close records now.
    #[serde(alias = "pending")]
    Blocked,
    /// Withdrawn.
    Withdrawn,
}

impl Decided {
    /// As written in a scenario.
    pub fn as_str(self) -> &'static str {
        self.outcome().as_str()
    }

    /// Parses `adopted`, `blocked` or `withdrawn`.
    pub fn parse(text: &str) -> Option<Decided> {
        match text {
            "adopted" => Some(Decided::Adopted),
            "blocked" => Some(Decided::Blocked),
            "withdrawn" => Some(Decided::Withdrawn),
            _ => None,
        }
    }

    /// The same, as an outcome.
    pub fn outcome(self) -> Outcome {
        match self {
            Decided::Adopted => Outcome::Adopted,
            Decided::Blocked => Outcome::Blocked,
            Decided::Withdrawn => Outcome::Withdrawn,
        }
    }
}

/// A decision as the record gives it: a `[[decision]]` of a file, or a decision entry of a store.
#[derive(Clone, Debug, PartialEq)]
pub struct DecisionRecord {
    /// Proposal id.
    pub proposal: String,
    /// The date of the decision.
    pub on: Date,
    /// The recorded outcome.
    pub outcome: Decided,
    /// Where the record comes from (`ledger entry N` in a store).
    pub source: String,
    /// A note: what the record says, or the secretariat's reason for a close.
    pub note: Option<String>,
    /// What started it.
    pub trigger: Trigger,
    /// The members objecting on its day, as a store recorded them (empty for a file's record).
    pub objecting: Vec<String>,
}
