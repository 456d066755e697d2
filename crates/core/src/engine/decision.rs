//! What a decision holds: outcome, tally, objections with their causes, and evaluation issues.
//!
//! These are indices into the scenario, cheap to build for every proposal of a programme;
//! [`crate::report`] turns them into the documented JSON.

use super::timing::Taken;
use crate::date::Date;
use crate::rules::{Outcome, Stance};

/// Counts of stances among the seated members of a committee.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tally {
    /// Members that voted `consent`.
    pub consent: u32,
    /// Members that object, by vote or position.
    pub object: u32,
    /// Members that voted `abstain`.
    pub abstain: u32,
    /// Members that have not spoken.
    pub silent: u32,
}

impl Tally {
    pub(crate) fn add(&mut self, stance: Stance) {
        match stance {
            Stance::Consent => self.consent += 1,
            Stance::Object => self.object += 1,
            Stance::Abstain => self.abstain += 1,
            Stance::Silent => self.silent += 1,
        }
    }
}

/// Why a member holds its stance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cause {
    /// Its latest vote (index into the scenario's votes).
    Vote(usize),
    /// Positions in force that forbid consent (indices into the scenario's positions).
    Positions(Vec<usize>),
}

/// A member that objects, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Objection {
    /// Member index.
    pub member: usize,
    /// The vote or the positions.
    pub cause: Cause,
}

/// A position that could not be evaluated for a member: Cedar skipped it, so it did not object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvalIssue {
    /// Member index.
    pub member: usize,
    /// Position index.
    pub position: usize,
    /// What went wrong, from Cedar.
    pub message: String,
}

/// A proposal's decision on an evaluation date, or its outcome while it is open, with reasons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// Proposal index.
    pub proposal: usize,
    /// The decision's outcome once taken; while open, adopted, blocked or pending on the date.
    pub outcome: Outcome,
    /// The decision, once taken on or before the evaluation date.
    pub taken: Option<Taken>,
    /// The day the stances below are of: the decision's when it is taken, else the evaluation
    /// date.
    pub stances_on: Date,
    /// The deadline in force on that day.
    pub deadline: Option<Date>,
    /// On a recorded decision, the rule's outcome on its day (as if the deadline were then).
    pub computed: Option<Outcome>,
    /// Stances of the seated members.
    pub tally: Tally,
    /// One entry per objecting member, in member order.
    pub objections: Vec<Objection>,
    /// Positions that could not be evaluated for members without a vote.
    pub issues: Vec<EvalIssue>,
    /// Under a rule with weights: the consenting members' weight and the seated members' total,
    /// in the rule's units.
    pub weight: Option<(i128, i128)>,
    /// While the proposal is pending under a rule where silence is not consent (every rule but
    /// consensus): the seated members that have not spoken, in member order, whose vote can
    /// still decide it. Empty otherwise.
    pub awaiting: Vec<usize>,
}

impl Decision {
    /// The objecting members, in member order.
    pub fn objecting(&self) -> Vec<usize> {
        self.objections.iter().map(|o| o.member).collect()
    }
}

/// One member's stance on a proposal, with its cause.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberStance {
    /// Member index.
    pub member: usize,
    /// The stance.
    pub stance: Stance,
    /// Why: a vote, objecting positions, or nothing (silent).
    pub cause: Option<Cause>,
}

/// A proposal whose outcome, or whose objecting members, differ between two evaluations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutcomeChange {
    /// Proposal index.
    pub proposal: usize,
    /// Outcome before.
    pub before: Outcome,
    /// Outcome after.
    pub after: Outcome,
    /// Whether the decision before was taken.
    pub final_before: bool,
    /// The objecting members before, in member order.
    pub objecting_before: Vec<usize>,
    /// The objecting members after, in member order.
    pub objecting_after: Vec<usize>,
    /// The positions that stopped or started applying, by member then position.
    pub positions: Vec<PositionShift>,
}

/// A position that stopped (or started) objecting to a proposal between two evaluations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PositionShift {
    /// Member index.
    pub member: usize,
    /// Position index.
    pub position: usize,
    /// Whether it objects after (it started applying) rather than before (it stopped).
    pub applies: bool,
    /// The facts it reads whose values differ between the two worlds, by id.
    pub facts: Vec<String>,
}

impl OutcomeChange {
    /// Whether the outcome changes (rather than only who objects).
    pub fn outcome_changes(&self) -> bool {
        self.before != self.after
    }
}
