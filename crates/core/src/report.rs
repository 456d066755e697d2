//! The JSON wire format of decisions, explanations and what-if runs (contract §3).
//!
//! Scripts outside the project read these shapes; fields may be added, none renamed or dropped.
//!
//! - [`DecideReport`]: `{ scenario, at, decisions: [DecisionReport] }`.
//! - [`DecisionReport`]: `{ proposal, title, committee, rule, rule_text, outcome, deadline,
//!   tally: { consent, object, abstain, silent }, objections: [ObjectionReport],
//!   consenting_weight_share?, evaluation_errors?, awaiting }`; `consenting_weight_share` is
//!   present under rules with weights (qualified, weighted); `awaiting` names the members whose
//!   vote a pending proposal waits for (contract §6).
//! - [`ObjectionReport`]: `{ member, cause: "vote" | "position", positions: [{ id, source }],
//!   facts: [{ id, value, as_of, source }], reason, voted_at?, veto }`; a position is
//!   `{ id, source, since?, reads: [FACT] }`. `facts` are the facts the
//!   objecting positions read, with the observation used; for a vote, `positions` and `facts`
//!   are empty and `reason` is the vote's. `veto` says whether the objection alone prevents
//!   adoption (consensus, unanimity, or a veto holder under a veto rule).
//! - [`ExplainReport`]: a decision plus `stances: [{ member, stance, cause }]` for every seated
//!   member (`cause`: `vote`, `position` or null when silent).
//! - [`WhatIfReport`]: `{ at, set: { FACT: VALUE }, changed: [{ proposal, before, after, final,
//!   objecting_before, objecting_after, positions: [{ member, position, applies, facts }] }] }`:
//!   every proposal whose outcome or objecting members change, with the positions that stopped
//!   (`applies: false`) or started objecting and the facts set that they read.
//!
//! Every decision also says how and when it was taken (contract §5): `procedure` (`silence`,
//! `meeting` or `open`), `final` and `decided_on`, `recorded` (`{ outcome, on, source }` for a
//! decision from a record), `computed` (on a record whose computed outcome differs) and
//! `would_now_be` (on a decision taken whose outcome differs from the rule's with the stances of
//! the evaluation date). A decision taken reports the tally, objections and stances of its day.

use serde::Serialize;

use crate::Tally;
use crate::date::Date;
use crate::engine::{
    Cause, Decision, Engine, Evaluation, How, Lever, Levers, LinkRead, MemberStance, OutcomeChange, Unblock,
};
use crate::model::Value;
use crate::rules::{Outcome, Stance};

/// `decide --format json`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecideReport {
    /// The scenario's id.
    pub scenario: String,
    /// The evaluation date.
    pub at: Date,
    /// One per proposal before its committee on the date.
    pub decisions: Vec<DecisionReport>,
}

/// One proposal's decision.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionReport {
    /// Proposal id.
    pub proposal: String,
    /// Proposal title (its id when it has none).
    pub title: String,
    /// Committee id.
    pub committee: String,
    /// The rule's kind: `consensus`, `majority`, ….
    pub rule: &'static str,
    /// The rule in words, with its parameters.
    pub rule_text: String,
    /// Adopted, blocked, pending or withdrawn.
    pub outcome: Outcome,
    /// The deadline in force, if any.
    pub deadline: Option<Date>,
    /// `silence`, `meeting` or `open` (no deadline).
    pub procedure: &'static str,
    /// Whether the decision was taken on or before the evaluation date.
    #[serde(rename = "final")]
    pub is_final: bool,
    /// The date the decision was taken, once final.
    pub decided_on: Option<Date>,
    /// The record the decision comes from, if any.
    pub recorded: Option<RecordedReport>,
    /// On a recorded decision, the rule's outcome on its day where it differs from the record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub computed: Option<Outcome>,
    /// On a decision taken, the rule's outcome with the stances of the evaluation date, were the
    /// proposal put again then, where it differs from the decision.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub would_now_be: Option<Outcome>,
    /// The date of the tally, objections and stances: the decision's day once final.
    pub stances_on: Date,
    /// Stances of the seated members.
    pub tally: Tally,
    /// One per objecting member.
    pub objections: Vec<ObjectionReport>,
    /// Under a rule with weights, the consenting members' share of the seated members' weight.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consenting_weight_share: Option<f64>,
    /// Positions that could not be evaluated (Cedar skipped them).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evaluation_errors: Vec<EvalErrorReport>,
    /// While the proposal is pending: the members that have not spoken, whose vote is awaited
    /// (empty when none).
    pub awaiting: Vec<String>,
}

/// A decision as the record gives it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordedReport {
    /// The recorded outcome.
    pub outcome: Outcome,
    /// Its date.
    pub on: Date,
    /// Where it comes from: the record's source, or `ledger entry N` in a store.
    pub source: String,
    /// The record's note, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// What started it: `record` (a file's `[[decision]]`), `deadline` or `adopted` (recorded by
    /// a store's clock), `close` (the secretariat).
    pub trigger: crate::model::Trigger,
}

/// An objecting member and the chain of reasons.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ObjectionReport {
    /// Member id.
    pub member: String,
    /// `vote` or `position`.
    pub cause: &'static str,
    /// The positions that forbid consent.
    pub positions: Vec<PositionRef>,
    /// The facts those positions read, with the observation used.
    pub facts: Vec<FactRef>,
    /// The vote's reason.
    pub reason: Option<String>,
    /// The vote's date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voted_at: Option<Date>,
    /// Where the vote is known from, when the record says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The interpretative statement or reservation attached to the vote.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statement: Option<String>,
    /// Whether this objection alone prevents adoption: every objection under consensus and
    /// unanimity, a veto holder's under a veto rule, none under the voting rules.
    pub veto: bool,
}

/// A position, named with its source.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PositionRef {
    /// Position id.
    pub id: String,
    /// Where it was declared.
    pub source: String,
    /// Since when it is in force.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<Date>,
    /// Ids of the facts in force that this position read (details in the objection's `facts`).
    pub reads: Vec<String>,
    /// What it read of other members' stances and other proposals' outcomes on the day
    /// (linkage), in member then proposal order; empty when it reads none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub linked: Vec<LinkRef>,
}

/// A stance or an outcome that a linked position read.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(untagged)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum LinkRef {
    /// Another member's stance on the same proposal.
    Stance {
        /// Member id.
        member: String,
        /// Its stance; null when it does not sit on the committee.
        stance: Option<Stance>,
    },
    /// Another proposal's outcome on the day.
    Outcome {
        /// Proposal id.
        proposal: String,
        /// Its outcome; null when it is not before its committee.
        outcome: Option<Outcome>,
    },
}

/// A fact as observed on the evaluation date.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FactRef {
    /// Fact id.
    pub id: String,
    /// Its value.
    pub value: Value,
    /// The observation's date.
    pub as_of: Date,
    /// The observation's source.
    pub source: String,
}

impl LinkRef {
    /// What a linked position read, in words, with the reason of the member it follows when that
    /// member objects too (`objections`: the decision's): "because RUS objects under position
    /// rus-no-nato-chair (read RUS's stance: object)".
    pub fn in_words(&self, objections: &[ObjectionReport]) -> String {
        match self {
            LinkRef::Stance { member, stance: Some(stance) } => {
                let why = objections.iter().find(|o| &o.member == member).map(|o| match o.cause {
                    "vote" => " by vote".to_owned(),
                    _ => {
                        let ids: Vec<&str> = o.positions.iter().map(|p| p.id.as_str()).collect();
                        let s = if ids.len() == 1 { "" } else { "s" };
                        format!(" under position{s} {}", ids.join(", "))
                    }
                });
                match why {
                    Some(why) => format!("because {member} objects{why} (read {member}'s stance: object)"),
                    None => format!("read {member}'s stance: {}", stance.as_str()),
                }
            }
            LinkRef::Stance { member, stance: None } => format!("read {member}'s stance: none ({member} does not sit)"),
            LinkRef::Outcome { proposal, outcome: Some(outcome) } => {
                format!("read the outcome of {proposal}: {}", outcome.as_str())
            }
            LinkRef::Outcome { proposal, outcome: None } => {
                format!("read the outcome of {proposal}: none (not yet before its committee)")
            }
        }
    }
}

/// A position that Cedar could not evaluate for a member.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EvalErrorReport {
    /// Member id.
    pub member: String,
    /// Position id.
    pub position: String,
    /// Cedar's message.
    pub message: String,
}

/// `explain --format json`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExplainReport {
    /// The decision.
    #[serde(flatten)]
    pub decision: DecisionReport,
    /// The evaluation date.
    pub at: Date,
    /// Every seated member's stance.
    pub stances: Vec<StanceReport>,
}

/// One member's stance.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StanceReport {
    /// Member id.
    pub member: String,
    /// The stance.
    pub stance: Stance,
    /// `vote`, `position` or null.
    pub cause: Option<&'static str>,
    /// Where the stance's vote is known from, when the record says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The interpretative statement or reservation attached to the vote.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statement: Option<String>,
}

/// `what-if --format json`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WhatIfReport {
    /// The evaluation date.
    pub at: Date,
    /// The facts set, in the order given.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub set: serde_json::Map<String, serde_json::Value>,
    /// The proposals whose outcome, or whose objecting members, change.
    pub changed: Vec<ChangeReport>,
}

/// A proposal whose outcome, or whose objecting members, change.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeReport {
    /// Proposal id.
    pub proposal: String,
    /// Title.
    pub title: String,
    /// Outcome before.
    pub before: Outcome,
    /// Outcome after.
    pub after: Outcome,
    /// Whether the decision before was taken.
    #[serde(rename = "final")]
    pub is_final: bool,
    /// The objecting members before.
    pub objecting_before: Vec<String>,
    /// The objecting members after.
    pub objecting_after: Vec<String>,
    /// The positions that stopped or started objecting, with the facts set that they read.
    pub positions: Vec<ShiftReport>,
}

/// A position that stopped (or started) objecting in a what-if.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShiftReport {
    /// Member id.
    pub member: String,
    /// Position id.
    pub position: String,
    /// True when it objects in the what-if and did not before (it started applying); false
    /// when it stopped.
    pub applies: bool,
    /// The facts set in the what-if that it reads.
    pub facts: Vec<String>,
}

impl ShiftReport {
    /// In words: "TUR's position tur-no-new-israel-engagement stops applying, because of
    /// gaza_aid_unobstructed and gaza_permanent_ceasefire".
    pub fn in_words(&self) -> String {
        let verb = if self.applies { "starts" } else { "stops" };
        let because = match self.facts.as_slice() {
            [] => String::new(),
            [one] => format!(", because of {one}"),
            [first @ .., last] => format!(", because of {} and {last}", first.join(", ")),
        };
        format!("{}'s position {} {verb} applying{because}", self.member, self.position)
    }
}

impl Evaluation<'_> {
    /// The whole evaluation in the wire format.
    pub fn report(&self) -> DecideReport {
        DecideReport {
            scenario: self.engine().scenario().id.clone(),
            at: self.at(),
            decisions: self.decisions().iter().map(|d| self.decision_report(d)).collect(),
        }
    }

    /// One decision in the wire format.
    pub fn decision_report(&self, d: &Decision) -> DecisionReport {
        let s = self.engine().scenario();
        let proposal = s.proposals.get(d.proposal);
        let committee = s.committees.get(self.engine().committee_of(d.proposal));
        let member = |m: usize| s.members.get(m).map_or_else(String::new, |m| m.id.clone());
        let recorded = match d.taken.map(|t| t.how) {
            Some(How::Recorded { record }) => s.decisions.get(record).map(|r| RecordedReport {
                outcome: r.outcome.outcome(),
                on: r.on,
                source: r.source.clone(),
                note: r.note.clone(),
                trigger: r.trigger,
            }),
            _ => None,
        };
        let computed = d.computed.filter(|c| recorded.as_ref().is_some_and(|r| r.outcome != *c));
        DecisionReport {
            proposal: proposal.map_or_else(String::new, |p| p.id.clone()),
            title: proposal.map_or_else(String::new, |p| p.title.clone().unwrap_or_else(|| p.id.clone())),
            committee: committee.map_or_else(String::new, |c| c.id.clone()),
            rule: committee.map_or("consensus", |c| c.rule.kind()),
            rule_text: committee.map_or_else(String::new, |c| c.rule.to_string()),
            outcome: d.outcome,
            deadline: d.deadline,
            procedure: self.engine().procedure_name(d.proposal, d.stances_on),
            is_final: d.taken.is_some(),
            decided_on: d.taken.map(|t| t.on),
            recorded,
            computed,
            would_now_be: self.would_now_be(d),
            stances_on: d.stances_on,
            tally: d.tally,
            objections: d
                .objections
                .iter()
                .map(|o| self.objection_report(d.proposal, o.member, &o.cause, d.stances_on))
                .collect(),
            consenting_weight_share: d
                .weight
                .map(|(yes, total)| if total > 0 { yes as f64 / total as f64 } else { 0.0 }),
            evaluation_errors: d
                .issues
                .iter()
                .map(|i| EvalErrorReport {
                    member: member(i.member),
                    position: s.positions.get(i.position).map_or_else(String::new, |p| p.id.clone()),
                    message: i.message.clone(),
                })
                .collect(),
            awaiting: d.awaiting.iter().map(|&m| member(m)).collect(),
        }
    }

    fn objection_report(&self, proposal: usize, member: usize, cause: &Cause, on: Date) -> ObjectionReport {
        let s = self.engine().scenario();
        let veto = self.engine().is_veto(self.engine().committee_of(proposal), member)
            && !self.engine().disregarded(proposal).contains(&member);
        let member = s.members.get(member).map_or_else(String::new, |m| m.id.clone());
        match cause {
            Cause::Vote(v) => {
                let vote = s.votes.get(*v);
                ObjectionReport {
                    member,
                    cause: "vote",
                    positions: Vec::new(),
                    facts: Vec::new(),
                    reason: vote.and_then(|v| v.reason.clone()),
                    voted_at: vote.map(|v| v.at),
                    source: vote.and_then(|v| v.source.clone()),
                    statement: vote.and_then(|v| v.statement.clone()),
                    veto,
                }
            }
            Cause::Positions(list) => ObjectionReport {
                member,
                cause: "position",
                positions: list
                    .iter()
                    .filter_map(|&p| s.positions.get(p).map(|position| (p, position)))
                    .map(|(p, position)| PositionRef {
                        id: position.id.clone(),
                        source: position.source.clone(),
                        since: position.since,
                        reads: self.facts_read(&[p], on).into_iter().map(|f| f.id).collect(),
                        linked: self.linked_read(proposal, p, on),
                    })
                    .collect(),
                facts: self.facts_read(list, on),
                reason: None,
                voted_at: None,
                source: None,
                statement: None,
                veto,
            },
        }
    }

    /// What a linked position read on a proposal on a date.
    pub fn linked_read(&self, proposal: usize, position: usize, on: Date) -> Vec<LinkRef> {
        let s = self.engine().scenario();
        self.links_read(proposal, position, on)
            .into_iter()
            .map(|read| match read {
                LinkRead::Stance { member, stance } => {
                    LinkRef::Stance { member: s.members.get(member).map_or_else(String::new, |m| m.id.clone()), stance }
                }
                LinkRead::Outcome { proposal, outcome } => LinkRef::Outcome {
                    proposal: s.proposals.get(proposal).map_or_else(String::new, |p| p.id.clone()),
                    outcome,
                },
            })
            .collect()
    }

    /// The facts in force on a date that these positions read, by id.
    pub fn facts_read(&self, positions: &[usize], on: Date) -> Vec<FactRef> {
        let facts = self.facts_on(on);
        let mut out: Vec<FactRef> = Vec::new();
        for &p in positions {
            let (ids, all) = self.engine().position_reads(p);
            let ids: Vec<&str> = if all { facts.iter().map(|(k, _)| k).collect() } else { ids };
            for id in ids {
                if out.iter().any(|f| f.id == id) {
                    continue;
                }
                if let Some(o) = facts.get(id) {
                    out.push(FactRef {
                        id: id.to_owned(),
                        value: o.value.clone(),
                        as_of: o.as_of,
                        source: o.source.clone(),
                    });
                }
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out
    }

    /// One proposal explained, or None when it is not before its committee on the date.
    pub fn explain(&self, proposal: usize) -> Option<ExplainReport> {
        let d = self.decision(proposal)?;
        let s = self.engine().scenario();
        let stances = self
            .stances(proposal)
            .into_iter()
            .map(|MemberStance { member, stance, cause }| {
                let vote = match &cause {
                    Some(Cause::Vote(v)) => s.votes.get(*v),
                    _ => None,
                };
                StanceReport {
                    member: s.members.get(member).map_or_else(String::new, |m| m.id.clone()),
                    stance,
                    cause: cause.map(|c| match c {
                        Cause::Vote(_) => "vote",
                        Cause::Positions(_) => "position",
                    }),
                    source: vote.and_then(|v| v.source.clone()),
                    statement: vote.and_then(|v| v.statement.clone()),
                }
            })
            .collect();
        Some(ExplainReport { decision: self.decision_report(d), at: self.at(), stances })
    }

    /// A what-if run in the wire format: `set` in the order given.
    pub fn what_if_report(&self, set: &[(String, Value)], changes: &[OutcomeChange]) -> WhatIfReport {
        let s = self.engine().scenario();
        let ids = |members: &[usize]| -> Vec<String> {
            members.iter().filter_map(|&m| s.members.get(m)).map(|m| m.id.clone()).collect()
        };
        WhatIfReport {
            at: self.at(),
            set: set
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::to_value(v).unwrap_or(serde_json::Value::Null)))
                .collect(),
            changed: changes
                .iter()
                .map(|c| {
                    let p = s.proposals.get(c.proposal);
                    ChangeReport {
                        proposal: p.map_or_else(String::new, |p| p.id.clone()),
                        title: p.map_or_else(String::new, |p| p.title.clone().unwrap_or_else(|| p.id.clone())),
                        before: c.before,
                        after: c.after,
                        is_final: c.final_before,
                        objecting_before: ids(&c.objecting_before),
                        objecting_after: ids(&c.objecting_after),
                        positions: c
                            .positions
                            .iter()
                            .map(|shift| ShiftReport {
                                member: s.members.get(shift.member).map(|m| m.id.clone()).unwrap_or_default(),
                                position: s.positions.get(shift.position).map(|p| p.id.clone()).unwrap_or_default(),
                                applies: shift.applies,
                                facts: shift.facts.clone(),
                            })
                            .collect(),
                    }
                })
                .collect(),
        }
    }
}

/// `unblock --format json` (contract §7): what it would take to adopt a proposal on a date.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnblockReport {
    /// Proposal id.
    pub proposal: String,
    /// The date.
    pub at: Date,
    /// Its outcome on the date, as `decide` gives it.
    pub outcome: Outcome,
    /// Whether its decision was taken by then: the ways are for putting it again on the date.
    pub decided: bool,
    /// Whether it would be adopted as it is, were its decision taken on the date (no way is
    /// then listed).
    pub adopted_as_it_is: bool,
    /// The most changes a way was allowed.
    pub max: usize,
    /// Every minimal way of at most `max` changes, smallest first.
    pub ways: Vec<WayReport>,
    /// For each member objecting under positions, each position's condition for lifting.
    pub conditions: Vec<ConditionReport>,
}

/// One way: the changes that together adopt the proposal.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WayReport {
    /// Facts by id, then members by id.
    pub changes: Vec<ChangeOf>,
}

impl WayReport {
    /// The way in words: "gaza_aid_unobstructed = true and gaza_permanent_ceasefire = true".
    pub fn in_words(&self) -> String {
        self.changes.iter().map(ChangeOf::in_words).collect::<Vec<_>>().join(" and ")
    }
}

/// One change: a fact's value (as a what-if `--set`), or a member's stance (a vote).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, Hash)]
#[serde(untagged)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ChangeOf {
    /// The fact holds this value throughout.
    Fact {
        /// Fact id.
        fact: String,
        /// Its value.
        value: Value,
    },
    /// The member takes this stance on the proposal.
    Stance {
        /// Member id.
        member: String,
        /// The stance.
        stance: Stance,
    },
}

impl ChangeOf {
    /// The change in words: "gaza_permanent_ceasefire = true", "TUR consents".
    pub fn in_words(&self) -> String {
        match self {
            ChangeOf::Fact { fact, value } => format!("{fact} = {value}"),
            ChangeOf::Stance { member, stance: Stance::Consent } => format!("{member} consents"),
            ChangeOf::Stance { member, stance: Stance::Object } => format!("{member} objects"),
            ChangeOf::Stance { member, stance: Stance::Abstain } => format!("{member} abstains"),
            ChangeOf::Stance { member, stance: Stance::Silent } => format!("{member} is silent"),
        }
    }
}

/// A position's condition for lifting, for a member that objects under it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConditionReport {
    /// Member id.
    pub member: String,
    /// Position id.
    pub position: String,
    /// The condition in words; where it cannot be put in words, a sentence that says so and
    /// shows the position's Cedar text.
    pub lifts_when: String,
    /// Whether only a different proposal would lift it: nothing it reads of facts, stances or
    /// outcomes can.
    pub only_the_proposal: bool,
}

impl ConditionReport {
    /// When the position lifts, after "lifts": "when gaza_permanent_ceasefire is true …", or
    /// "only for a different proposal: the kind is not …".
    pub fn lifts(&self) -> String {
        if self.only_the_proposal {
            format!("only for a different proposal: {}", self.lifts_when)
        } else {
            format!("when {}", self.lifts_when)
        }
    }
}

/// `levers --format json` (contract §7): the single changes that would adopt the most.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeversReport {
    /// The date.
    pub at: Date,
    /// Most proposals first.
    pub levers: Vec<LeverReport>,
}

/// One single change and the proposals it alone would adopt on the date.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeverReport {
    /// The change.
    pub change: ChangeOf,
    /// How many proposals it would adopt.
    pub adopts: usize,
    /// Their ids, in the scenario's order.
    pub proposals: Vec<String>,
}

impl Engine {
    /// A change in the wire format.
    pub fn change_of(&self, lever: &Lever) -> ChangeOf {
        let s = &self.scenario();
        match lever {
            Lever::Fact { fact, value } => ChangeOf::Fact { fact: fact.clone(), value: value.clone() },
            Lever::Stance { member, stance } => ChangeOf::Stance {
                member: s.members.get(*member).map(|m| m.id.clone()).unwrap_or_default(),
                stance: *stance,
            },
        }
    }

    /// What it would take, in the wire format; `max` as asked.
    pub fn unblock_report(&self, u: &Unblock, max: usize) -> UnblockReport {
        let s = self.scenario();
        UnblockReport {
            proposal: s.proposals.get(u.proposal).map(|p| p.id.clone()).unwrap_or_default(),
            at: u.at,
            outcome: u.outcome,
            decided: u.decided,
            adopted_as_it_is: u.adopted_as_it_is,
            max,
            ways: u
                .ways
                .iter()
                .map(|way| WayReport { changes: way.iter().map(|l| self.change_of(l)).collect() })
                .collect(),
            conditions: u
                .conditions
                .iter()
                .map(|c| ConditionReport {
                    member: s.members.get(c.member).map(|m| m.id.clone()).unwrap_or_default(),
                    position: s.positions.get(c.position).map(|p| p.id.clone()).unwrap_or_default(),
                    lifts_when: c.lifts_when.sentence(),
                    only_the_proposal: c.lifts_when.only_the_proposal,
                })
                .collect(),
        }
    }

    /// The levers of a programme in the wire format.
    pub fn levers_report(&self, levers: &Levers) -> LeversReport {
        let s = self.scenario();
        LeversReport {
            at: levers.at,
            levers: levers
                .levers
                .iter()
                .map(|l| LeverReport {
                    change: self.change_of(&l.change),
                    adopts: l.proposals.len(),
                    proposals: l.proposals.iter().filter_map(|&p| s.proposals.get(p)).map(|p| p.id.clone()).collect(),
                })
                .collect(),
        }
    }
}
