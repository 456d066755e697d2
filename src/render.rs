//! Output for people: the decision table, the explanation tree and the what-if table.
//!
//! Colour goes through `anstream`, which drops it when standard output is not a terminal or
//! `NO_COLOR` is set, so pipes and files get plain text.

use std::io::Write;

use anstyle::{AnsiColor, Style};
use concord_core::report::{DecideReport, DecisionReport, ExplainReport, ObjectionReport, WhatIfReport};
use concord_core::{Outcome, Stance, Value};

use crate::diagnostics::Failure;

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

fn outcome_style(o: Outcome) -> Style {
    match o {
        Outcome::Adopted => AnsiColor::Green.on_default().bold(),
        Outcome::Blocked => AnsiColor::Red.on_default().bold(),
        Outcome::Pending => AnsiColor::Yellow.on_default().bold(),
    }
}

/// Pads `text` to `width` characters, styled.
fn cell(style: Style, text: &str, width: usize) -> String {
    let pad = width.saturating_sub(text.chars().count());
    format!("{style}{text}{style:#}{}", " ".repeat(pad))
}

/// Who blocks, or what the proposal waits for, in a few words.
fn note(d: &DecisionReport) -> String {
    let mut note = note_without_errors(d);
    if !d.evaluation_errors.is_empty() {
        let which: Vec<String> =
            d.evaluation_errors.iter().map(|e| format!("{} of {}", e.position, e.member)).collect();
        if !note.is_empty() {
            note.push_str("; ");
        }
        note.push_str(&format!("not evaluated: {} (see explain)", which.join(", ")));
    }
    note
}

fn note_without_errors(d: &DecisionReport) -> String {
    let consensus = d.rule == "consensus";
    let vetoes: Vec<String> = d.objections.iter().filter(|o| o.veto).map(objector).collect();
    let others: Vec<String> = d.objections.iter().filter(|o| !o.veto).map(objector).collect();
    let support = || {
        let weight =
            d.consenting_weight_share.map_or_else(String::new, |w| format!(", {:.1}% of the weight", w * 100.0));
        format!("{} consent{weight}", d.tally.consent)
    };
    match d.outcome {
        Outcome::Blocked if !vetoes.is_empty() => {
            if d.rule == "veto" {
                format!("vetoed by {}", vetoes.join("; "))
            } else {
                vetoes.join("; ")
            }
        }
        Outcome::Blocked => {
            let against = if others.is_empty() { String::new() } else { format!("; against: {}", others.join("; ")) };
            match d.deadline {
                Some(deadline) if d.tally.silent > 0 => {
                    format!("not carried by the deadline {deadline}: {}{against}", support())
                }
                _ => format!("not carried: {}{against}", support()),
            }
        }
        Outcome::Adopted if !d.objections.is_empty() => {
            let who: Vec<String> = d.objections.iter().map(objector).collect();
            format!("carried over objections: {}", who.join("; "))
        }
        Outcome::Adopted => String::new(),
        Outcome::Pending => {
            let so_far =
                if d.objections.is_empty() { String::new() } else { format!("; against: {}", others.join("; ")) };
            match d.deadline {
                Some(deadline) if consensus => format!("silence procedure until {deadline}"),
                Some(deadline) => format!("voting open until {deadline}: {}{so_far}", support()),
                None => format!("awaiting votes: {}{so_far}", support()),
            }
        }
    }
}

fn objector(o: &ObjectionReport) -> String {
    match o.cause {
        "vote" => format!("{} (vote)", o.member),
        _ => {
            let ids: Vec<&str> = o.positions.iter().map(|p| p.id.as_str()).collect();
            format!("{} ({})", o.member, ids.join(", "))
        }
    }
}

fn set_text(set: &[(String, Value)]) -> String {
    set.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ")
}

/// The decision table with a summary line.
pub(crate) fn decisions(report: &DecideReport, set: &[(String, Value)]) -> Result<(), Failure> {
    let mut out = anstream::stdout().lock();
    let rows: Vec<(&DecisionReport, String)> = report.decisions.iter().map(|d| (d, note(d))).collect();
    let w_id = rows.iter().map(|(d, _)| d.proposal.chars().count()).max().unwrap_or(0).max("PROPOSAL".len());
    let w_com = rows.iter().map(|(d, _)| d.committee.chars().count()).max().unwrap_or(0).max("COMMITTEE".len());
    let w_out = "OUTCOME".len();
    writeln!(
        out,
        "{}  {}  {}  {BOLD}BLOCKED BY / NOTE{BOLD:#}",
        cell(BOLD, "PROPOSAL", w_id),
        cell(BOLD, "COMMITTEE", w_com),
        cell(BOLD, "OUTCOME", w_out)
    )?;
    let (mut adopted, mut blocked, mut pending) = (0, 0, 0);
    for (d, note) in &rows {
        match d.outcome {
            Outcome::Adopted => adopted += 1,
            Outcome::Blocked => blocked += 1,
            Outcome::Pending => pending += 1,
        }
        let line = format!(
            "{}  {}  {}  {note}",
            cell(Style::new(), &d.proposal, w_id),
            cell(Style::new(), &d.committee, w_com),
            cell(outcome_style(d.outcome), d.outcome.as_str(), w_out)
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    let what_if = if set.is_empty() { String::new() } else { format!(" (what-if: {})", set_text(set)) };
    writeln!(
        out,
        "\n{BOLD}{} proposal{} on {}{what_if}: {adopted} adopted, {blocked} blocked, {pending} pending{BOLD:#}",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" },
        report.at
    )?;
    Ok(())
}

/// The explanation as a tree of reasons.
pub(crate) fn explanation(e: &ExplainReport) -> Result<(), Failure> {
    let mut out = anstream::stdout().lock();
    let d = &e.decision;
    writeln!(out, "{BOLD}{}{BOLD:#}: {}", d.proposal, d.title)?;
    let kind = if d.rule == "consensus" { "silence deadline" } else { "deadline" };
    let deadline = d.deadline.map_or_else(String::new, |dl| format!(", {kind} {dl}"));
    writeln!(out, "  committee {} ({}), evaluated on {}{deadline}", d.committee, d.rule_text, e.at)?;
    let style = outcome_style(d.outcome);
    writeln!(out, "  outcome: {style}{}{style:#}", d.outcome.as_str().to_uppercase())?;
    let t = d.tally;
    writeln!(out, "  tally: {} consent, {} object, {} abstain, {} silent", t.consent, t.object, t.abstain, t.silent)?;
    writeln!(out, "  {DIM}why:{DIM:#} {}", why(e))?;
    let n = d.objections.len();
    for (i, o) in d.objections.iter().enumerate() {
        let last = i + 1 == n;
        let (branch, stem) = if last { ("└─", "   ") } else { ("├─", "│  ") };
        match o.cause {
            "vote" => {
                let at = o.voted_at.map_or_else(String::new, |d| format!(" on {d}"));
                writeln!(out, "  {branch} {BOLD}{}{BOLD:#} objects by vote{at}", o.member)?;
                if let Some(reason) = &o.reason {
                    writeln!(out, "  {stem} └─ reason: {reason}")?;
                }
            }
            _ => {
                writeln!(out, "  {branch} {BOLD}{}{BOLD:#} objects under its standing position", o.member)?;
                let m = o.positions.len();
                for (j, p) in o.positions.iter().enumerate() {
                    let (pb, ps) = if j + 1 == m { ("└─", "   ") } else { ("├─", "│  ") };
                    let since = p.since.map_or_else(String::new, |s| format!(" (in force since {s})"));
                    writeln!(out, "  {stem} {pb} position {BOLD}{}{BOLD:#}{since}", p.id)?;
                    let facts: Vec<_> = o.facts.iter().filter(|f| p.reads.contains(&f.id)).collect();
                    let source_branch = if facts.is_empty() { "└─" } else { "├─" };
                    writeln!(out, "  {stem} {ps} {source_branch} source: {}", p.source)?;
                    for (k, f) in facts.iter().enumerate() {
                        let (fb, fs) = if k + 1 == facts.len() { ("└─", "   ") } else { ("├─", "│  ") };
                        writeln!(out, "  {stem} {ps} {fb} fact {} = {} (as of {})", f.id, f.value, f.as_of)?;
                        writeln!(out, "  {stem} {ps} {fs} └─ source: {}", f.source)?;
                    }
                }
            }
        }
    }
    for err in &d.evaluation_errors {
        writeln!(
            out,
            "  {}warning:{:#} position {} of {} could not be evaluated and did not object: {}",
            AnsiColor::Yellow.on_default(),
            AnsiColor::Yellow.on_default(),
            err.position,
            err.member,
            err.message
        )?;
    }
    let spoke: Vec<String> = e
        .stances
        .iter()
        .filter(|s| s.cause == Some("vote") && s.stance != Stance::Object)
        .map(|s| format!("{} {}", s.member, s.stance.as_str()))
        .collect();
    if !spoke.is_empty() {
        writeln!(out, "  votes: {}", spoke.join(", "))?;
    }
    Ok(())
}

/// How much support a proposal has under a voting rule, for the "why" line.
fn support(d: &DecisionReport) -> String {
    let seated = d.tally.consent + d.tally.object + d.tally.abstain + d.tally.silent;
    let weight =
        d.consenting_weight_share.map_or_else(String::new, |w| format!(", holding {:.1}% of the weight", w * 100.0));
    format!(": {} of {seated} members consent{weight}", d.tally.consent)
}

/// One sentence on why the outcome is what it is.
fn why(e: &ExplainReport) -> String {
    let d = &e.decision;
    let consensus = d.rule == "consensus";
    let silent = d.tally.silent;
    let deadline = d.deadline.map(|x| x.to_string()).unwrap_or_default();
    let deadline_reached = d.deadline.is_some_and(|dl| e.at >= dl);
    let reached = if d.deadline == Some(e.at) { "is today" } else { "has passed" };
    let vetoes: Vec<&str> = d.objections.iter().filter(|o| o.veto).map(|o| o.member.as_str()).collect();
    match d.outcome {
        Outcome::Blocked if !vetoes.is_empty() && d.rule == "veto" => {
            format!("a veto holder objects, which alone blocks: {}", vetoes.join(", "))
        }
        Outcome::Blocked if !vetoes.is_empty() => {
            format!("under {} one objection blocks; objecting: {}", d.rule, vetoes.join(", "))
        }
        Outcome::Blocked if deadline_reached && silent > 0 => {
            format!("the deadline {deadline} {reached} and the rule is not met{}", support(d))
        }
        Outcome::Blocked if silent > 0 => {
            format!("even if every silent member consented, the rule could not be met{}", support(d))
        }
        Outcome::Blocked => format!("the rule ({}) is not met{}", d.rule_text, support(d)),
        Outcome::Adopted if consensus && silent > 0 && d.deadline.is_some() => {
            format!("no member objects, and the {silent} silent members count as consent since the deadline {reached}")
        }
        Outcome::Adopted if consensus => "no member objects; silence is consent".to_owned(),
        Outcome::Adopted => format!("the rule ({}) is met{}", d.rule_text, support(d)),
        Outcome::Pending if consensus => format!("no objection so far; the silence procedure runs until {deadline}"),
        Outcome::Pending => {
            format!(
                "the rule ({}) is not met yet, but the {silent} silent members could still carry it{}",
                d.rule_text,
                support(d)
            )
        }
    }
}

/// The what-if table.
pub(crate) fn what_if(report: &WhatIfReport) -> Result<(), Failure> {
    let mut out = anstream::stdout().lock();
    let set: Vec<String> = report.set.iter().map(|(k, v)| format!("{k}={v}")).collect();
    writeln!(out, "{BOLD}What if {} on {}?{BOLD:#}", set.join(", "), report.at)?;
    if report.changed.is_empty() {
        writeln!(out, "No proposal changes outcome.")?;
        return Ok(());
    }
    let w_id = report.changed.iter().map(|c| c.proposal.chars().count()).max().unwrap_or(0).max("PROPOSAL".len());
    writeln!(out, "{}  {}  {BOLD}AFTER{BOLD:#}", cell(BOLD, "PROPOSAL", w_id), cell(BOLD, "BEFORE", 7))?;
    for c in &report.changed {
        writeln!(
            out,
            "{}  {}  {}{}{:#}",
            cell(Style::new(), &c.proposal, w_id),
            cell(outcome_style(c.before), c.before.as_str(), 7),
            outcome_style(c.after),
            c.after.as_str(),
            outcome_style(c.after)
        )?;
    }
    let n = report.changed.len();
    writeln!(out, "\n{n} proposal{} change{}.", if n == 1 { "" } else { "s" }, if n == 1 { "s" } else { "" })?;
    Ok(())
}

/// A probability for people: a percentage, or scientific notation when tiny.
fn share(x: f64) -> String {
    if x == 0.0 || x >= 1e-5 { format!("{:.3}%", x * 100.0) } else { format!("{:.3e}", x) }
}

/// The power table: members by normalised Banzhaf index, each index as a share, with a bar.
pub(crate) fn power(title: &str, report: &concord_core::power::Power) -> Result<(), Failure> {
    use concord_core::power::MemberPower;
    let mut out = anstream::stdout().lock();
    writeln!(out, "{BOLD}{title}{BOLD:#}")?;
    let sampled = report.shapley_shubik_method == "sampled";
    let plural = if report.winning_coalitions == "1" { "" } else { "s" };
    writeln!(out, "{} winning coalition{plural} of 2^{}", report.winning_coalitions, report.players)?;
    if report.winning_coalitions == "0" {
        writeln!(out, "note: no coalition can win under this rule, so nobody has any power")?;
    } else if report.total_swings == "0" {
        writeln!(out, "note: every coalition wins, even the empty one, so nobody's vote matters")?;
    }
    if sampled {
        writeln!(
            out,
            "Shapley–Shubik sampled from {} orderings; ± is a bound holding for all members at once with 99% confidence",
            report.shapley_shubik_samples.unwrap_or(0)
        )?;
    }
    // Stable sort: members of equal power keep the body's order.
    let mut members: Vec<&MemberPower> = report.members.iter().collect();
    members.sort_by(|a, b| b.banzhaf.total_cmp(&a.banzhaf));
    let weighted = members.iter().any(|m| m.weight.is_some());
    let cells: Vec<[String; 6]> = members
        .iter()
        .map(|m| {
            let ss = match m.shapley_shubik_error {
                Some(e) => format!("{} ±{}", share(m.shapley_shubik), share(e)),
                None => share(m.shapley_shubik),
            };
            let weight = m.weight.map_or_else(String::new, |w| w.to_string());
            [m.member.clone(), weight, m.swings.clone(), share(m.penrose), share(m.banzhaf), ss]
        })
        .collect();
    let headers = ["MEMBER", if weighted { "WEIGHT" } else { "" }, "SWINGS", "PENROSE", "BANZHAF", "SHAPLEY-SHUBIK"];
    let mut widths = headers.map(str::len);
    for row in &cells {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |row: [&str; 6]| -> String {
        let mut text = String::new();
        for (c, (cell, &width)) in row.iter().zip(&widths).enumerate() {
            match c {
                0 => text.push_str(&format!("{cell:<width$}")),
                _ if width > 0 => text.push_str(&format!("  {cell:>width$}")),
                _ => {}
            }
        }
        text
    };
    writeln!(out, "{BOLD}{}{BOLD:#}", line(headers))?;
    let top = members.first().map_or(0.0, |m| m.banzhaf).max(f64::MIN_POSITIVE);
    let blue = AnsiColor::Blue.on_default();
    for (m, row) in members.iter().zip(&cells) {
        let bar = "█".repeat(((m.banzhaf / top) * 24.0).round() as usize);
        writeln!(out, "{}  {blue}{bar}{blue:#}", line(row.each_ref().map(String::as_str)))?;
    }
    Ok(())
}

/// A proposal's history: its record, then stance and outcome changes by date, then its entries.
pub(crate) fn history(h: &concord_store::timeline::History) -> Result<(), Failure> {
    let mut out = anstream::stdout().lock();
    writeln!(out, "{BOLD}{}{BOLD:#} before {}", h.proposal, h.committee)?;
    if let Some(c) = h.circulated {
        writeln!(out, "  circulated {c}")?;
    }
    if let Some(d) = h.deadline {
        writeln!(out, "  silence procedure until {d}")?;
    }
    match &h.decision {
        Some(d) => {
            let how = match d.trigger {
                concord_store::record::Trigger::Deadline => "at its deadline",
                concord_store::record::Trigger::Close => "closed by the secretariat",
            };
            writeln!(out, "  decided {BOLD}{}{BOLD:#} on {} ({how})", d.outcome, d.on)?;
        }
        None => writeln!(out, "  no decision recorded")?,
    }
    writeln!(out, "\n{BOLD}Stances{BOLD:#} (up to {})", h.until)?;
    if h.stances.is_empty() {
        writeln!(out, "  every member silent throughout")?;
    }
    for s in &h.stances {
        let why = match (s.cause, &s.detail) {
            (Some("vote"), Some(reason)) => format!("vote: {reason}"),
            (Some("vote"), None) => "vote".to_owned(),
            (Some(_), Some(positions)) => format!("position {positions}"),
            _ => "no vote or position in force".to_owned(),
        };
        let from = s.from.unwrap_or("—");
        writeln!(out, "  {}  {:<6} {:>7} → {:<7}  {DIM}{why}{DIM:#}", s.date, s.member, from, s.to)?;
    }
    writeln!(out, "\n{BOLD}Outcome{BOLD:#}")?;
    for o in &h.outcomes {
        let style = match o.to {
            "adopted" => outcome_style(Outcome::Adopted),
            "blocked" => outcome_style(Outcome::Blocked),
            _ => outcome_style(Outcome::Pending),
        };
        writeln!(out, "  {}  {style}{}{style:#}", o.date, o.to)?;
    }
    writeln!(out, "\n{BOLD}Ledger entries{BOLD:#}")?;
    for e in &h.entries {
        let what = match &e.change {
            concord_store::record::Change::Vote(v) => {
                format!(
                    "vote {} {}{}",
                    v.member,
                    v.stance,
                    v.reason.as_ref().map_or_else(String::new, |r| format!(": {r}"))
                )
            }
            concord_store::record::Change::Decision(d) => format!("decision {} on {}", d.outcome, d.on),
            other => other.kind().to_owned(),
        };
        writeln!(out, "  #{:<5} {}  {what}", e.seq, e.at)?;
    }
    if h.entries.is_empty() {
        writeln!(out, "  none since the store was created (the proposal is part of entry 0)")?;
    }
    Ok(())
}
