//! A proposal's history: every change of a member's stance and of the outcome, with its date and
//! cause, from circulation to the decision (or to a date, while it is open).
//!
//! Time is walked over the dates on which something the proposal reads can change: its votes,
//! observations of the facts its members' positions read starting and ending, positions coming
//! into force and being withdrawn, members taking their seats, its deadline and extensions, and,
//! for positions that read `context.date`, every day.

use serde::Serialize;

use super::Engine;
use super::decision::Cause;
use super::timing::{Lens, Taken};
use crate::date::Date;
use crate::model::Procedure;
use crate::rules::{Outcome, Stance};

/// A member's stance on a proposal changing on a date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StanceStep {
    /// The date from which the new stance holds.
    pub date: Date,
    /// The member.
    pub member: String,
    /// The stance before (`null` when the member was not seated or the proposal not circulated).
    pub from: Option<Stance>,
    /// The stance from `date` on.
    pub to: Stance,
    /// Why: `vote` or `position`, or `null` for silence.
    pub cause: Option<&'static str>,
    /// The vote's reason, or the ids of the objecting positions.
    pub detail: Option<String>,
}

/// A proposal's outcome changing on a date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutcomeStep {
    /// From this date.
    pub date: Date,
    /// The outcome before (`null` before circulation).
    pub from: Option<Outcome>,
    /// The outcome from `date` on.
    pub to: Outcome,
    /// Whether this is the decision, taken for good.
    #[serde(rename = "final")]
    pub is_final: bool,
}

/// A proposal's history.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct History {
    /// The proposal.
    pub proposal: String,
    /// Its committee.
    pub committee: String,
    /// Circulation date, if any.
    pub circulated: Option<Date>,
    /// The deadline in force at the end of the history.
    pub deadline: Option<Date>,
    /// `silence`, `meeting` or `open`.
    pub procedure: &'static str,
    /// The date of the decision, if it was taken by `until`.
    pub decided_on: Option<Date>,
    /// The decision's outcome, if it was taken by `until`.
    pub decision: Option<Outcome>,
    /// The last date looked at: the decision's, or `until`.
    pub until: Date,
    /// Every change of a member's stance, by date then seat.
    pub stances: Vec<StanceStep>,
    /// Every change of the outcome.
    pub outcomes: Vec<OutcomeStep>,
}

impl Engine {
    /// The procedure of a proposal as the JSON names it: `silence`, `meeting` or `open` (no
    /// deadline).
    pub fn procedure_name(&self, proposal: usize, at: Date) -> &'static str {
        let explicit = self.scenario.proposals.get(proposal).and_then(|p| p.procedure);
        match (self.deadline_on(proposal, at), explicit) {
            (None, _) => "open",
            (Some(_), Some(Procedure::Meeting)) => "meeting",
            (Some(_), _) => "silence",
        }
    }

    /// A proposal's history up to `until` (or its decision, if taken before), or `None` for an
    /// unknown proposal.
    pub fn history(&self, proposal: usize, until: Date) -> Option<History> {
        let lens = self.lens();
        let p = self.scenario.proposals.get(proposal)?;
        let start = self.before_committee_from(proposal).unwrap_or(until).min(until);
        let taken = lens.taken(proposal, until).map(|(t, _)| t);
        let end = taken.map_or(until, |t| t.on);
        let mut stances = Vec::new();
        let mut outcomes = Vec::new();
        let mut last: Vec<Option<Stance>> = vec![None; self.scenario.members.len()];
        let mut last_outcome = None;
        for date in self.turning_points(&lens, proposal, start, end) {
            let ballot = lens.ballot(proposal, date);
            let (outcome, is_final) = match taken {
                Some(Taken { on, outcome, .. }) if on == date => (outcome, true),
                _ => (lens.outcome(proposal, &ballot, date, self.deadline_on(proposal, date)), false),
            };
            if last_outcome != Some(outcome) || is_final {
                outcomes.push(OutcomeStep { date, from: last_outcome, to: outcome, is_final });
                last_outcome = Some(outcome);
            }
            for st in &ballot.stances {
                let Some(slot) = last.get_mut(st.member) else { continue };
                let previous = slot.replace(st.stance);
                // A member that starts silent says nothing worth a line.
                if previous == Some(st.stance) || (previous.is_none() && st.stance == Stance::Silent) {
                    continue;
                }
                let (cause, detail) = match &st.cause {
                    Some(Cause::Vote(v)) => (Some("vote"), self.scenario.votes.get(*v).and_then(|v| v.reason.clone())),
                    Some(Cause::Positions(ps)) => (
                        Some("position"),
                        Some(
                            ps.iter()
                                .filter_map(|&i| self.scenario.positions.get(i).map(|p| p.id.as_str()))
                                .collect::<Vec<_>>()
                                .join(", "),
                        ),
                    ),
                    None => (None, None),
                };
                stances.push(StanceStep {
                    date,
                    member: self.scenario.members.get(st.member).map(|m| m.id.clone()).unwrap_or_default(),
                    from: previous,
                    to: st.stance,
                    cause,
                    detail,
                });
            }
        }
        let (decided_on, decision) = match taken {
            Some(t) => (Some(t.on), Some(t.outcome)),
            None => (None, None),
        };
        Some(History {
            proposal: p.id.clone(),
            committee: p.committee.clone(),
            circulated: p.circulated,
            deadline: self.deadline_on(proposal, end),
            procedure: self.procedure_name(proposal, end),
            decided_on,
            decision,
            until: end,
            stances,
            outcomes,
        })
    }

    /// Every date in `start..=end` on which something a proposal reads can change.
    fn turning_points(&self, lens: &Lens<'_>, proposal: usize, start: Date, end: Date) -> Vec<Date> {
        let mut dates = vec![start, end];
        let mut visited = std::collections::HashSet::new();
        self.turning_points_into(lens, proposal, start, end, &mut dates, &mut visited);
        let in_range = |d: &Date| (start..=end).contains(d);
        dates.retain(in_range);
        dates.sort_unstable();
        dates.dedup();
        dates
    }

    /// The dates of [`Engine::turning_points`], for one proposal and, through linked positions,
    /// the proposals whose outcomes it reads (each once).
    fn turning_points_into(
        &self,
        lens: &Lens<'_>,
        proposal: usize,
        start: Date,
        end: Date,
        dates: &mut Vec<Date>,
        visited: &mut std::collections::HashSet<usize>,
    ) {
        if let Some(votes) = self.votes_by_proposal.get(proposal) {
            dates.extend(votes.iter().filter_map(|&v| self.scenario.votes.get(v)).map(|v| v.at));
        }
        let seats = self.seats_of(proposal);
        for &m in seats {
            dates.extend(self.scenario.members.get(m).and_then(|m| m.joined));
            for &pos in self.positions_by_member.get(m).map_or(&[][..], Vec::as_slice) {
                dates.extend(lens.world.changes_between(pos, start, end));
                // A linked position changes when the outcomes it reads here do (acyclic).
                let read = self.class_reads(&self.links, pos, proposal).map_or(&[][..], |r| r.outcomes.as_slice());
                for &q in read.iter().filter(|&&q| q != proposal) {
                    dates.extend(self.record_dates(q));
                    if visited.insert(q) {
                        stacker::maybe_grow(64 * 1024, 1024 * 1024, || {
                            self.turning_points_into(lens, q, start, end, dates, visited)
                        });
                    }
                }
            }
        }
        if let Some(p) = self.scenario.proposals.get(proposal) {
            dates.extend(p.deadline);
        }
        for &x in self.extensions_of.get(proposal).map_or(&[][..], Vec::as_slice) {
            if let Some(ext) = self.scenario.extensions.get(x) {
                dates.push(ext.on);
                dates.push(ext.deadline);
            }
        }
        dates.extend(self.withdrawal(proposal).map(|(w, _)| w));
    }
}
