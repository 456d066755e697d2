//! Output for people: the decision table, the explanation tree, the what-if table, what it
//! would take and the levers.
//!
//! Colour goes through `anstream`, which drops it when standard output is not a terminal or
//! `NO_COLOR` is set, so pipes and files get plain text.

use std::io::Write;

use anstyle::{AnsiColor, Style};
use concord_core::report::{
    DecideReport, DecisionReport, ExplainReport, LeversReport, ObjectionReport, UnblockReport, WhatIfReport,
};
use concord_core::{Outcome, Stance, Trigger, Value};

use crate::diagnostics::Failure;

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

fn outcome_style(o: Outcome) -> Style {
    match o {
        Outcome::Adopted => AnsiColor::Green.on_default().bold(),
        Outcome::Blocked => AnsiColor::Red.on_default().bold(),
        Outcome::Pending => AnsiColor::Yellow.on_default().bold(),
        Outcome::Withdrawn => Style::new().dimmed().bold(),
    }
}

/// When and how a decision was taken, or `open`, for the DECIDED column.
fn decided(d: &DecisionReport) -> String {
    match d.decided_on {
        Some(on) => on.to_string(),
        None => "open".to_owned(),
    }
}

/// What a taken decision adds to the note: where it comes from, and what the rule says now.
fn finality_note(d: &DecisionReport) -> Vec<String> {
    let mut parts = Vec::new();
    match d.recorded.as_ref().map(|r| (r, r.trigger)) {
        Some((r, Trigger::Close)) => parts.push(format!("closed early ({})", r.source)),
        Some((r, Trigger::Record)) => parts.push(format!("recorded: {}", r.source)),
        _ => {}
    }
    if let Some(c) = d.computed {
        parts.push(format!("the rule gives {}", c.as_str()));
    }
    if let Some(w) = d.would_now_be {
        parts.push(format!("would now be {}", w.as_str()));
    }
    parts
}

/// Pads `text` to `width` characters, styled.
fn cell(style: Style, text: &str, width: usize) -> String {
    let pad = width.saturating_sub(text.chars().count());
    format!("{style}{text}{style:#}{}", " ".repeat(pad))
}

/// `text` followed by spaces up to `width` characters. Tables pad by hand: a width given to
/// `format!` (`{text:<width$}`) panics above 65,535, which one long id or label reaches.
pub(crate) fn pad_end(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len() + width);
    out.push_str(text);
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(text.chars().count())));
    out
}

/// Spaces up to `width` characters, then `text`: a right-aligned cell (see [`pad_end`]).
pub(crate) fn pad_start(text: &str, width: usize) -> String {
    let mut out: String = std::iter::repeat_n(' ', width.saturating_sub(text.chars().count())).collect();
    out.push_str(text);
    out
}

/// Who blocks, or what the proposal waits for, in a few words.
fn note(d: &DecisionReport) -> String {
    let mut note = note_without_errors(d);
    let finality = finality_note(d);
    if !finality.is_empty() {
        if !note.is_empty() {
            note.push_str("; ");
        }
        note.push_str(&finality.join("; "));
    }
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
    if d.recorded.as_ref().is_some_and(|r| r.trigger == Trigger::Record) && d.objections.is_empty() {
        return String::new();
    }
    match d.outcome {
        Outcome::Withdrawn => String::new(),
        Outcome::Blocked if !vetoes.is_empty() => {
            if d.rule == "veto" {
                format!("vetoed by {}", vetoes.join("; "))
            } else {
                vetoes.join("; ")
            }
        }
        Outcome::Blocked => {
            let against = if others.is_empty() { String::new() } else { format!("; against: {}", others.join("; ")) };
            let closed = d.recorded.as_ref().is_some_and(|r| r.trigger == Trigger::Close);
            match d.deadline {
                _ if closed => format!("not carried when closed: {}{against}", support()),
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
                None => format!("awaiting votes from {}: {}{so_far}", listed(&d.awaiting, 5), support()),
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
    let withdrawn = rows.iter().filter(|(d, _)| d.outcome == Outcome::Withdrawn).count();
    let w_out = if withdrawn > 0 { "withdrawn".len() } else { "OUTCOME".len() };
    let w_dec = "2025-01-01".len();
    writeln!(
        out,
        "{}  {}  {}  {}  {BOLD}BLOCKED BY / NOTE{BOLD:#}",
        cell(BOLD, "PROPOSAL", w_id),
        cell(BOLD, "COMMITTEE", w_com),
        cell(BOLD, "OUTCOME", w_out),
        cell(BOLD, "DECIDED", w_dec)
    )?;
    let (mut adopted, mut blocked, mut pending, mut open) = (0, 0, 0, 0);
    for (d, note) in &rows {
        match d.outcome {
            Outcome::Adopted => adopted += 1,
            Outcome::Blocked => blocked += 1,
            Outcome::Pending => pending += 1,
            Outcome::Withdrawn => {}
        }
        open += usize::from(!d.is_final);
        let line = format!(
            "{}  {}  {}  {}  {note}",
            cell(Style::new(), &d.proposal, w_id),
            cell(Style::new(), &d.committee, w_com),
            cell(outcome_style(d.outcome), d.outcome.as_str(), w_out),
            cell(if d.is_final { Style::new() } else { DIM }, &decided(d), w_dec)
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    let what_if = if set.is_empty() { String::new() } else { format!(" (what-if: {})", set_text(set)) };
    let withdrawn = if withdrawn > 0 { format!(", {withdrawn} withdrawn") } else { String::new() };
    let n = rows.len();
    writeln!(
        out,
        "\n{BOLD}{n} {} on {}{what_if}: {adopted} adopted, {blocked} blocked, {pending} pending{withdrawn}; {} decided, {open} open{BOLD:#}",
        plural(n, "proposal", "proposals"),
        report.at,
        n - open
    )?;
    Ok(())
}

/// Up to `most` names, then how many more: `HUN, POL and 3 more`.
fn listed(names: &[String], most: usize) -> String {
    match names.len() {
        0 => "nobody".to_owned(),
        n if n <= most => names.join(", "),
        n => format!("{} and {} more", names.get(..most).unwrap_or_default().join(", "), n - most),
    }
}

/// The singular or the plural, by count.
fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// How a taken decision was taken, in words.
fn how_taken(d: &DecisionReport) -> String {
    let source = d.recorded.as_ref().map_or("", |r| r.source.as_str());
    match (d.recorded.as_ref().map(|r| r.trigger), d.outcome, d.procedure) {
        (Some(Trigger::Close), _, _) => format!("when the secretariat closed it ({source})"),
        (Some(Trigger::Record), _, _) => format!("as recorded ({source})"),
        (_, Outcome::Withdrawn, _) => "when it was withdrawn".to_owned(),
        (_, _, "meeting") => "at the meeting on its deadline".to_owned(),
        (_, _, "silence") => "at its silence deadline".to_owned(),
        (_, _, _) => "the first day the rule adopted it".to_owned(),
    }
}

/// The explanation as a tree of reasons.
pub(crate) fn explanation(e: &ExplainReport) -> Result<(), Failure> {
    let mut out = anstream::stdout().lock();
    let d = &e.decision;
    writeln!(out, "{BOLD}{}{BOLD:#}: {}", d.proposal, d.title)?;
    let kind = match d.procedure {
        "meeting" => "meeting",
        _ if d.rule == "consensus" => "silence deadline",
        _ => "deadline",
    };
    let deadline = d.deadline.map_or_else(String::new, |dl| format!(", {kind} {dl}"));
    writeln!(out, "  committee {} ({}), evaluated on {}{deadline}", d.committee, d.rule_text, e.at)?;
    let style = outcome_style(d.outcome);
    let outcome = d.outcome.as_str().to_uppercase();
    match d.decided_on {
        Some(on) => writeln!(out, "  outcome: {style}{outcome}{style:#}, decided on {on} {}", how_taken(d))?,
        None => writeln!(out, "  outcome: {style}{outcome}{style:#} (open)")?,
    }
    if let Some(c) = d.computed {
        writeln!(out, "  {DIM}the rule gives{DIM:#} {} on {}: the record stands", c.as_str(), d.stances_on)?;
    }
    if let Some(w) = d.would_now_be {
        writeln!(out, "  {DIM}would now be:{DIM:#} {} (the stances of {}, were it put again)", w.as_str(), e.at)?;
    }
    let t = d.tally;
    let on = if d.stances_on == e.at { String::new() } else { format!(" on {}", d.stances_on) };
    writeln!(
        out,
        "  tally{on}: {} consent, {} object, {} abstain, {} silent",
        t.consent, t.object, t.abstain, t.silent
    )?;
    if !d.awaiting.is_empty() {
        writeln!(out, "  awaiting: {}", d.awaiting.join(", "))?;
    }
    writeln!(out, "  {DIM}why:{DIM:#} {}", why(e))?;
    let n = d.objections.len();
    for (i, o) in d.objections.iter().enumerate() {
        let last = i + 1 == n;
        let (branch, stem) = if last { ("└─", "   ") } else { ("├─", "│  ") };
        match o.cause {
            "vote" => {
                let at = o.voted_at.map_or_else(String::new, |d| format!(" on {d}"));
                writeln!(out, "  {branch} {BOLD}{}{BOLD:#} objects by vote{at}", o.member)?;
                let lines: Vec<(&str, &String)> =
                    [("reason", &o.reason), ("statement", &o.statement), ("source", &o.source)]
                        .into_iter()
                        .filter_map(|(label, text)| text.as_ref().map(|t| (label, t)))
                        .collect();
                for (k, (label, text)) in lines.iter().enumerate() {
                    let branch = if k + 1 == lines.len() { "└─" } else { "├─" };
                    writeln!(out, "  {stem} {branch} {label}: {text}")?;
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
                    let more = facts.len() + p.linked.len();
                    let source_branch = if more == 0 { "└─" } else { "├─" };
                    writeln!(out, "  {stem} {ps} {source_branch} source: {}", p.source)?;
                    for (k, f) in facts.iter().enumerate() {
                        let (fb, fs) = if k + 1 == more { ("└─", "   ") } else { ("├─", "│  ") };
                        writeln!(out, "  {stem} {ps} {fb} fact {} = {} (as of {})", f.id, f.value, f.as_of)?;
                        writeln!(out, "  {stem} {ps} {fs} └─ source: {}", f.source)?;
                    }
                    for (k, link) in p.linked.iter().enumerate() {
                        let lb = if facts.len() + k + 1 == more { "└─" } else { "├─" };
                        writeln!(out, "  {stem} {ps} {lb} {}", link.in_words(&d.objections))?;
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
    for s in e.stances.iter().filter(|s| s.cause == Some("vote") && s.stance != Stance::Object) {
        if let Some(statement) = &s.statement {
            let source = s.source.as_ref().map_or_else(String::new, |x| format!(" ({x})"));
            writeln!(out, "  {} {}, with a statement{source}: {statement}", s.member, s.stance.as_str())?;
        }
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
    let on = d.stances_on;
    let deadline = d.deadline.map(|x| x.to_string()).unwrap_or_default();
    let deadline_reached = d.deadline.is_some_and(|dl| on >= dl);
    let reached = if d.deadline == Some(e.at) { "is today" } else { "had come" };
    if d.outcome == Outcome::Withdrawn {
        return "it was withdrawn before it was decided".to_owned();
    }
    if let Some(r) = d.recorded.as_ref().filter(|r| matches!(r.trigger, Trigger::Record | Trigger::Close)) {
        let note = r.note.as_deref().map_or_else(String::new, |n| format!(": {n}"));
        let what = if r.trigger == Trigger::Close { "the secretariat closed it" } else { "the record gives" };
        return format!("{what}: {} on {} ({}){note}", r.outcome.as_str(), r.on, r.source);
    }
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
            let members = plural(silent as usize, "member counts", "members count");
            format!("no member objects, and the {silent} silent {members} as consent since the deadline {reached}")
        }
        Outcome::Adopted if consensus => "no member objects; silence is consent".to_owned(),
        Outcome::Adopted => format!("the rule ({}) is met{}", d.rule_text, support(d)),
        Outcome::Pending if consensus => format!("no objection so far; the silence procedure runs until {deadline}"),
        Outcome::Pending => {
            format!(
                "the rule ({}) is not met yet, but the {silent} silent {} could still carry it{}",
                d.rule_text,
                plural(silent as usize, "member", "members"),
                support(d)
            )
        }
        Outcome::Withdrawn => "it was withdrawn before it was decided".to_owned(),
    }
}

/// The what-if table.
pub(crate) fn what_if(report: &WhatIfReport) -> Result<(), Failure> {
    let mut out = anstream::stdout().lock();
    let set: Vec<String> = report.set.iter().map(|(k, v)| format!("{k}={v}")).collect();
    writeln!(out, "{BOLD}What if {} on {}?{BOLD:#}", set.join(", "), report.at)?;
    if report.changed.is_empty() {
        writeln!(out, "No proposal changes outcome or objecting members.")?;
        return Ok(());
    }
    let names = |members: &[String]| if members.is_empty() { "none".to_owned() } else { members.join(", ") };
    let w_id = report.changed.iter().map(|c| c.proposal.chars().count()).max().unwrap_or(0).max("PROPOSAL".len());
    writeln!(
        out,
        "{}  {}  {}  {BOLD}OBJECTING{BOLD:#}",
        cell(BOLD, "PROPOSAL", w_id),
        cell(BOLD, "BEFORE", 16),
        cell(BOLD, "AFTER", 9)
    )?;
    for c in &report.changed {
        let before = if c.is_final { format!("{} (final)", c.before.as_str()) } else { c.before.as_str().to_owned() };
        let objecting = if c.objecting_before == c.objecting_after {
            names(&c.objecting_after)
        } else {
            format!("{} → {}", names(&c.objecting_before), names(&c.objecting_after))
        };
        writeln!(
            out,
            "{}  {}  {}  {objecting}",
            cell(Style::new(), &c.proposal, w_id),
            cell(outcome_style(c.before), &before, 16),
            cell(outcome_style(c.after), c.after.as_str(), 9),
        )?;
    }
    let why: Vec<String> = report
        .changed
        .iter()
        .flat_map(|c| c.positions.iter().map(|p| format!("  {}: {}", c.proposal, p.in_words())))
        .collect();
    if !why.is_empty() {
        writeln!(out, "\n{BOLD}Why{BOLD:#}")?;
        for line in why {
            writeln!(out, "{line}")?;
        }
    }
    let outcome = report.changed.iter().filter(|c| c.before != c.after).count();
    let only = report.changed.len() - outcome;
    let mut summary = count(outcome, "proposal changes outcome", "proposals change outcome");
    if only > 0 {
        summary.push_str(&format!("; {} only who objects", count(only, "changes", "change")));
    }
    writeln!(out, "\n{summary}.")?;
    Ok(())
}

/// What it would take to adopt a proposal: its ways, then the positions' conditions.
pub(crate) fn unblock(report: &UnblockReport) -> Result<(), Failure> {
    let mut out = anstream::stdout().lock();
    writeln!(out, "{BOLD}What would it take to adopt {} on {}?{BOLD:#}", report.proposal, report.at)?;
    let outcome = report.outcome.as_str();
    let style = outcome_style(report.outcome);
    if report.decided {
        writeln!(
            out,
            "It was decided: {style}{outcome}{style:#}. The ways are for putting it again on {}.",
            report.at
        )?;
    } else {
        writeln!(out, "It is {style}{outcome}{style:#}.")?;
    }
    if report.adopted_as_it_is {
        writeln!(
            out,
            "It would be adopted as it is, were its decision taken on {}: nothing needs to change.",
            report.at
        )?;
    } else if report.ways.is_empty() {
        let hint =
            if report.max < crate::command::unblock::MAX_CHANGES { " (a larger --max may find one)" } else { "" };
        writeln!(out, "No way of at most {} adopts it{hint}.", count(report.max, "change", "changes"))?;
    } else {
        let order = if report.ways.len() > 1 { ", smallest first" } else { "" };
        writeln!(out, "{}{order}:", count(report.ways.len(), "way", "ways"))?;
        for (i, way) in report.ways.iter().enumerate() {
            writeln!(out, "  {}. {}", i + 1, way.in_words())?;
        }
    }
    if !report.conditions.is_empty() {
        writeln!(out, "\n{BOLD}When the positions would lift{BOLD:#}")?;
        for c in &report.conditions {
            writeln!(out, "  {} under {}: lifts {}", c.member, c.position, c.lifts())?;
        }
    }
    Ok(())
}

/// The levers table: each single change, how many proposals it would adopt, and which.
pub(crate) fn levers(report: &LeversReport) -> Result<(), Failure> {
    let mut out = anstream::stdout().lock();
    writeln!(out, "{BOLD}Levers on {}: the single changes that would adopt a proposal{BOLD:#}", report.at)?;
    if report.levers.is_empty() {
        writeln!(out, "No single change would adopt a proposal not adopted on {}.", report.at)?;
        return Ok(());
    }
    let words: Vec<String> = report.levers.iter().map(|l| l.change.in_words()).collect();
    let w_change = words.iter().map(|w| w.chars().count()).max().unwrap_or(0).max("CHANGE".len());
    writeln!(out, "{}  {}  {BOLD}PROPOSALS{BOLD:#}", cell(BOLD, "CHANGE", w_change), cell(BOLD, "ADOPTS", 6))?;
    for (l, w) in report.levers.iter().zip(&words) {
        writeln!(
            out,
            "{}  {}  {}",
            cell(Style::new(), w, w_change),
            pad_start(&l.adopts.to_string(), 6),
            listed(&l.proposals, 3)
        )?;
    }
    writeln!(out, "\n{}.", count(report.levers.len(), "lever", "levers"))?;
    Ok(())
}

/// `n` with the singular or the plural words: `1 proposal`, `2 proposals`.
pub(crate) fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", plural(n, one, many))
}

/// A probability for people: a percentage, or scientific notation when tiny.
fn share(x: f64) -> String {
    if x == 0.0 || x >= 1e-5 { format!("{:.3}%", x * 100.0) } else { format!("{:.3e}", x) }
}

/// One line of the power table: the member's id left-aligned, the figures right-aligned, and
/// the columns of width 0 (no weights) left out.
fn power_line(row: [&str; 6], widths: &[usize; 6]) -> String {
    let mut text = String::new();
    for (c, (cell, &width)) in row.iter().zip(widths).enumerate() {
        match c {
            0 => text.push_str(&pad_end(cell, width)),
            _ if width > 0 => {
                text.push_str("  ");
                text.push_str(&pad_start(cell, width));
            }
            _ => {}
        }
    }
    text
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
    if report.banzhaf_method == "sampled" {
        writeln!(
            out,
            "swings, Penrose and Banzhaf estimated from {} random coalitions (the exact count would not fit the memory \
             budget, `--max-memory`); ± is a bound holding for all members at once with 99% confidence",
            report.banzhaf_samples.unwrap_or(0)
        )?;
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
            let within = |value: f64, error: Option<f64>| match error {
                Some(e) => format!("{} ±{}", share(value), share(e)),
                None => share(value),
            };
            let weight = m.weight.map_or_else(String::new, |w| w.to_string());
            [
                m.member.clone(),
                weight,
                m.swings.clone(),
                within(m.penrose, m.penrose_error),
                within(m.banzhaf, m.banzhaf_error),
                within(m.shapley_shubik, m.shapley_shubik_error),
            ]
        })
        .collect();
    let headers = ["MEMBER", if weighted { "WEIGHT" } else { "" }, "SWINGS", "PENROSE", "BANZHAF", "SHAPLEY-SHUBIK"];
    let mut widths = headers.map(str::len);
    for row in &cells {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |row: [&str; 6]| power_line(row, &widths);
    writeln!(out, "{BOLD}{}{BOLD:#}", line(headers))?;
    let top = members.first().map_or(0.0, |m| m.banzhaf).max(f64::MIN_POSITIVE);
    let blue = AnsiColor::Blue.on_default();
    for (m, row) in members.iter().zip(&cells) {
        let bar = "█".repeat(((m.banzhaf / top) * 24.0).round() as usize);
        writeln!(out, "{}  {blue}{bar}{blue:#}", line(row.each_ref().map(String::as_str)))?;
    }
    Ok(())
}

/// A proposal's history: its decision, then stance and outcome changes by date, then its
/// ledger entries.
pub(crate) fn history(p: &concord_store::timeline::ProposalHistory) -> Result<(), Failure> {
    use concord_core::change::Change;
    use concord_store::record::Body;
    let h = &p.history;
    let mut out = anstream::stdout().lock();
    writeln!(out, "{BOLD}{}{BOLD:#} before {}", h.proposal, h.committee)?;
    if let Some(c) = h.circulated {
        writeln!(out, "  circulated {c}")?;
    }
    match (h.deadline, h.procedure) {
        (Some(d), "meeting") => writeln!(out, "  decided at the meeting of {d}")?,
        (Some(d), _) => writeln!(out, "  silence procedure until {d}")?,
        (None, _) => writeln!(out, "  no deadline: decided the first day the rule adopts it")?,
    }
    match (h.decision, h.decided_on) {
        (Some(outcome), Some(on)) => writeln!(out, "  decided {BOLD}{}{BOLD:#} on {on}", outcome.as_str())?,
        _ => writeln!(out, "  open on {}", h.until)?,
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
        let from = s.from.map_or("—", Stance::as_str);
        writeln!(out, "  {}  {:<6} {:>7} → {:<7}  {DIM}{why}{DIM:#}", s.date, s.member, from, s.to.as_str())?;
    }
    writeln!(out, "\n{BOLD}Outcome{BOLD:#}")?;
    for o in &h.outcomes {
        let style = outcome_style(o.to);
        let decided = if o.is_final { " (decided)" } else { "" };
        writeln!(out, "  {}  {style}{}{style:#}{decided}", o.date, o.to.as_str())?;
    }
    writeln!(out, "\n{BOLD}Ledger entries{BOLD:#}")?;
    for e in &p.entries {
        let what = match &e.body {
            Body::Change(Change::Vote(v)) => format!(
                "vote {} {}{}",
                v.member,
                v.stance.as_str(),
                v.reason.as_ref().map_or_else(String::new, |r| format!(": {r}"))
            ),
            Body::Change(Change::Decision(d)) => format!("decision {} on {}", d.outcome.as_str(), d.on),
            Body::Change(Change::Extend(x)) => format!("deadline moved to {}", x.deadline),
            Body::Change(Change::WithdrawProposal(w)) => format!("withdrawn: {}", w.reason),
            _ => e.kind().to_owned(),
        };
        writeln!(out, "  #{:<5} {}  {what}", e.seq, e.at)?;
    }
    if p.entries.is_empty() {
        writeln!(out, "  none since the store was created (the proposal is part of entry 0)")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    // See: issue 11 (a format width above 65,535 panicked on a very long id or label).
    #[test]
    fn r11_cells_of_any_width_are_padded() {
        let long = "M".repeat(70_000);
        assert_eq!(pad_end("ab", 4), "ab  ");
        assert_eq!(pad_start("ab", 4), "  ab");
        assert_eq!(pad_end("été", 4), "été ", "characters, not bytes");
        assert_eq!(pad_end(&long, 3), long);
        assert_eq!(pad_start("x", 70_001).len(), 70_001);
        let widths = [70_000, 0, 6, 7, 7, 14];
        let header = power_line(["MEMBER", "", "SWINGS", "PENROSE", "BANZHAF", "SHAPLEY-SHUBIK"], &widths);
        let row = power_line([&long, "", "1", "0.5", "0.5", "0.5"], &widths);
        assert_eq!(header.chars().count(), row.chars().count());
        assert!(header.starts_with("MEMBER ") && row.starts_with(&long) && row.ends_with("  0.5"));
    }
}
