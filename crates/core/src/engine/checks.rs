//! The checks that depend on when decisions are taken (contract §5), for a file's records and a
//! store's changes alike: nothing about a proposal is dated after its decision, before its
//! circulation or before its member's accession.

use super::Engine;
use super::apply::{Refused, refuse};
use super::timing::{How, Lens};
use crate::change::DecisionChange;
use crate::date::Date;
use crate::model::{Decided, DecisionRecord, Extension, Proposal, Trigger, Vote};
use crate::problem::{Problem, Site, Table};

impl Engine {
    /// The decision a close takes on `on`: the rule's outcome with that day's stances, as if the
    /// deadline were that day (`adopted` or `blocked`, never `pending`). Refused for a proposal
    /// already decided on that day; recording it checks the rest, as for any decision.
    pub fn closing(&self, id: &str, on: Date, reason: Option<String>) -> Result<DecisionChange, Refused> {
        let site = Site::field(Table::Decision, self.scenario.decisions.len(), "on");
        let problem = |message: String| refuse(Problem::new(site.clone(), message).with_entry_id(Some(id)));
        let Some(p) = self.proposal_index(id) else { return Err(problem(format!("unknown proposal `{id}`"))) };
        let lens = self.lens();
        if let Some((when, how)) = lens.when(p, on)
            && (when < on || matches!(how, How::Withdrawn | How::Superseded { .. }))
        {
            let words = self.taken_in_words(p, when, how);
            let help = matches!(how, How::Deadline | How::Adopted).then_some("`tick` records it");
            let mut refused = problem(format!("{words}: it cannot be closed on {on}"));
            if let (Some(help), Some(first)) = (help, refused.0.first_mut()) {
                first.help = Some(help.to_owned());
            }
            return Err(refused);
        }
        if let Some(closed) = self.closed_record(p, site.clone(), Some(id)) {
            return Err(refuse(closed));
        }
        let (outcome, objecting) = self.decided_on(&lens, p, on);
        Ok(DecisionChange {
            proposal: id.to_owned(),
            trigger: Trigger::Close,
            on,
            outcome,
            objecting,
            state: None,
            engine: None,
            reason,
            source: None,
        })
    }

    /// The rule's outcome on a day with that day's stances, as if the deadline were that day, and
    /// the objecting members: what a close on that day records, and what a replay checks a
    /// recorded decision against.
    pub fn decided_on_day(&self, id: &str, on: Date) -> Option<(Decided, Vec<String>)> {
        Some(self.decided_on(&self.lens(), self.proposal_index(id)?, on))
    }

    fn decided_on(&self, lens: &Lens<'_>, p: usize, on: Date) -> (Decided, Vec<String>) {
        let ballot = lens.ballot(p, on);
        let outcome = match lens.outcome(p, &ballot, on, Some(on)) {
            crate::rules::Outcome::Adopted => Decided::Adopted,
            _ => Decided::Blocked,
        };
        let members = &self.scenario.members;
        let objecting = ballot
            .stances
            .iter()
            .filter(|s| s.stance == crate::rules::Stance::Object)
            .filter_map(|s| members.get(s.member).map(|m| m.id.clone()))
            .collect();
        (outcome, objecting)
    }

    /// Checks every record whose validity depends on when decisions are taken (contract §5).
    pub(crate) fn check_timing(&self) -> Vec<Problem> {
        let lens = self.lens();
        (0..self.scenario.proposals.len()).flat_map(|p| self.check_timing_of(&lens, p, false)).collect()
    }

    /// The same checks for the records about one proposal: its votes, extensions, withdrawal and
    /// recorded decision. `legacy` leaves out what concord 0.1 accepted after a decision.
    pub(crate) fn check_timing_of(&self, lens: &Lens<'_>, p: usize, legacy: bool) -> Vec<Problem> {
        let mut problems = Vec::new();
        for &i in self.votes_by_proposal.get(p).map_or(&[][..], Vec::as_slice) {
            if let (Some(v), Some(&m)) = (self.scenario.votes.get(i), self.vote_member.get(i)) {
                problems.extend(self.vote_timing(lens, i, v, p, m, legacy));
            }
        }
        for &i in self.extensions_of.get(p).map_or(&[][..], Vec::as_slice) {
            if let Some(x) = self.scenario.extensions.get(i) {
                problems.extend(self.extension_timing(lens, i, x, p));
            }
        }
        if let Some(proposal) = self.scenario.proposals.get(p) {
            problems.extend(self.withdrawal_timing(lens, p, proposal));
        }
        if let Some(i) = self.record_of.get(p).copied().flatten()
            && let Some(d) = self.scenario.decisions.get(i)
            && !legacy
        {
            problems.extend(self.record_timing(lens, i, d, p));
        }
        problems
    }

    /// The decision taken on a proposal before `at`, in words, if one was.
    pub(crate) fn decided_before(&self, lens: &Lens<'_>, p: usize, at: Date) -> Option<String> {
        let (on, how) = lens.when(p, at).filter(|(on, _)| *on < at)?;
        Some(self.taken_in_words(p, on, how))
    }

    pub(crate) fn taken_in_words(&self, p: usize, on: Date, how: How) -> String {
        let id = self.scenario.proposals.get(p).map_or("", |x| x.id.as_str());
        let how = match how {
            How::Deadline => "on its deadline".to_owned(),
            How::Adopted => "adopted: the rule adopted it, with no deadline".to_owned(),
            How::Withdrawn => "withdrawn".to_owned(),
            How::Superseded { by } => {
                format!("withdrawn: superseded by `{}`", self.scenario.proposals.get(by).map_or("", |x| x.id.as_str()))
            }
            How::Recorded { record } => match self.scenario.decisions.get(record) {
                Some(r) => format!("{}, as {} records", r.outcome.as_str(), r.source),
                None => "as recorded".to_owned(),
            },
        };
        format!("proposal `{id}` was decided on {on} ({how})")
    }

    pub(crate) fn vote_timing(
        &self,
        lens: &Lens<'_>,
        i: usize,
        v: &Vote,
        p: usize,
        m: usize,
        legacy: bool,
    ) -> Option<Problem> {
        let label = format!("{} on {}", v.member, v.proposal);
        let problem = |message: String| {
            Some(Problem::new(Site::field(Table::Vote, i, "at"), message).with_entry_id(Some(&label)))
        };
        let proposal = self.scenario.proposals.get(p)?;
        if let Some(circulated) = proposal.circulated
            && v.at < circulated
        {
            return problem(format!(
                "proposal `{}` is circulated on {circulated}, after this vote ({})",
                proposal.id, v.at
            ));
        }
        if let Some(joined) = self.scenario.members.get(m).and_then(|m| m.joined)
            && v.at < joined
        {
            return problem(format!("member `{}` joins on {joined}, after this vote ({})", v.member, v.at));
        }
        if legacy {
            return None;
        }
        let decided = self.decided_before(lens, p, v.at)?;
        problem(format!("{decided}: a vote dated {} comes after it", v.at))
    }

    pub(crate) fn extension_timing(&self, lens: &Lens<'_>, i: usize, x: &Extension, p: usize) -> Option<Problem> {
        let problem = |message: String| {
            Some(Problem::new(Site::field(Table::Extension, i, "on"), message).with_entry_id(Some(&x.proposal)))
        };
        if let Some(circulated) = self.scenario.proposals.get(p)?.circulated
            && x.on < circulated
        {
            return problem(format!(
                "proposal `{}` is circulated on {circulated}, after this extension ({})",
                x.proposal, x.on
            ));
        }
        let decided = self.decided_before(lens, p, x.on)?;
        problem(format!("{decided}: its deadline cannot be moved on {}", x.on))
    }

    /// An explicit withdrawal before the proposal was circulated, or of a proposal already
    /// decided by its rule or its record.
    pub(crate) fn withdrawal_timing(&self, lens: &Lens<'_>, p: usize, proposal: &Proposal) -> Option<Problem> {
        let w = proposal.withdrawn?;
        let site = || Site::field(Table::Proposal, p, "withdrawn");
        if let Some(circulated) = proposal.circulated
            && w < circulated
        {
            let message = format!("the proposal is withdrawn on {w}, before it was circulated ({circulated})");
            return Some(Problem::new(site(), message).with_entry_id(Some(&proposal.id)));
        }
        let decided = match self.record_of.get(p).copied().flatten() {
            Some(r) => {
                self.scenario.decisions.get(r).filter(|d| d.on <= w).map(|d| (d.on, How::Recorded { record: r }))
            }
            None => w.previous().and_then(|before| lens.when_by_rule(p, before)),
        };
        let (on, how) = decided?;
        let words = self.taken_in_words(p, on, how);
        Some(Problem::new(site(), format!("{words}: it cannot be withdrawn on {w}")).with_entry_id(Some(&proposal.id)))
    }

    /// A record that comes after the proposal's decision by its rule or its withdrawal.
    pub(crate) fn record_timing(&self, lens: &Lens<'_>, i: usize, d: &DecisionRecord, p: usize) -> Option<Problem> {
        let problem = |message: String, help: Option<String>| {
            let mut problem =
                Problem::new(Site::field(Table::Decision, i, "on"), message).with_entry_id(Some(&d.proposal));
            problem.help = help;
            Some(problem)
        };
        let proposal = self.scenario.proposals.get(p)?;
        if let Some(circulated) = proposal.circulated
            && d.on < circulated
        {
            return problem(
                format!("proposal `{}` is circulated on {circulated}, after this decision ({})", d.proposal, d.on),
                None,
            );
        }
        if let Some((w, how)) = self.withdrawal(p)
            && w < d.on
        {
            let words = self.taken_in_words(p, w, how);
            return problem(format!("{words}: a decision on {} comes after it", d.on), None);
        }
        let (on, how) = d.on.previous().and_then(|before| lens.when_by_rule(p, before))?;
        let words = self.taken_in_words(p, on, how);
        problem(
            format!("{words}: a decision on {} comes after it", d.on),
            Some(format!(
                "a proposal is decided on its deadline; if a meeting decided it on {}, give it `deadline = {}`",
                d.on, d.on
            )),
        )
    }
}
