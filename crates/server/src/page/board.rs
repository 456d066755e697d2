//! The decision board: proposals by members, each cell a stance, each row an outcome, said to
//! be final (with its date and how it was taken) once the decision is taken, with "would now
//! be …" where the stances of the day would give another; and the what-if panel, which sets
//! facts for one look (as if they had held throughout), marks the proposals that would change
//! and says which positions stopped or started applying, because of which facts.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use concord_core::{Cause, FactSet, Observation, Outcome, Stance, Value};
use maud::html;

use super::{decision_note, failure, layout, outcome_badge};
use crate::api::{Read, evaluate, parse_set, read_form, what_if_error};
use crate::app::App;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::writer::Snapshot;

pub(crate) async fn board(State(app): State<Arc<App>>, caller: Caller, RawQuery(query): RawQuery) -> Response {
    match render(&app, &caller, query.as_deref()) {
        Ok(page) => page.into_response(),
        Err(e) => failure(&caller, &e),
    }
}

/// The what-if panel's fields: `set=FACT=VALUE` from the selects, `v.FACT=VALUE` from the text
/// fields of facts that are not booleans.
fn what_if_params(query: Option<&str>) -> Result<Read, ApiError> {
    let mut read = read_form(query)?;
    let pairs: Vec<(String, String)> = crate::api::query(query)?;
    for (key, value) in pairs {
        if let Some(fact) = key.strip_prefix("v.")
            && !value.trim().is_empty()
        {
            read.set.push(parse_set(&format!("{fact}={}", value.trim()))?);
        }
    }
    Ok(read)
}

/// Every fact id of the scenario with its observation in force in `recorded` (the core's rule,
/// [`concord_core::Engine::facts_at`]), or none: the what-if panel offers them all.
fn fact_panel<'e>(
    snapshot: &'e Snapshot,
    recorded: &'e FactSet,
) -> Result<BTreeMap<&'e str, Option<&'e Observation>>, ApiError> {
    Ok(snapshot.engine()?.scenario().facts.iter().map(|f| (f.id.as_str(), recorded.get(&f.id))).collect())
}

fn render(app: &App, caller: &Caller, query: Option<&str>) -> Result<Response, ApiError> {
    caller.read(app)?;
    let read = what_if_params(query)?;
    let snapshot = app.snapshot();
    let before = evaluate(app, &snapshot, &Read { at: read.at, set: Vec::new() })?;
    let after =
        if read.set.is_empty() { None } else { Some(before.what_if(&read.set).map_err(|e| what_if_error(&e))?) };
    let shown = after.as_ref().unwrap_or(&before);
    let at = before.at();
    let engine = snapshot.engine()?;
    let s = engine.scenario();
    let report = shown.report();
    let changed: BTreeMap<usize, concord_core::Outcome> = after
        .as_ref()
        .map(|a| {
            before.changes(a).into_iter().filter(|c| c.outcome_changes()).map(|c| (c.proposal, c.before)).collect()
        })
        .unwrap_or_default();
    // Why they change: the positions that stopped or started applying, and the facts behind.
    let why: Vec<(String, String)> = after
        .as_ref()
        .map(|a| {
            let changes = before.changes(a);
            a.what_if_report(&read.set, &changes)
                .changed
                .into_iter()
                .flat_map(|c| c.positions.iter().map(|p| (c.proposal.clone(), p.in_words())).collect::<Vec<_>>())
                .collect()
        })
        .unwrap_or_default();
    let shown_set: Vec<(&str, String)> = read.set.iter().map(|(k, v)| (k.as_str(), plain(v))).collect();
    let set_query = set_query(shown_set.iter().map(|(k, v)| (*k, v.as_str())));
    let (mut adopted, mut blocked, mut pending, mut withdrawn, mut decided) = (0, 0, 0, 0, 0);
    for d in shown.decisions() {
        match d.outcome {
            Outcome::Adopted => adopted += 1,
            Outcome::Blocked => blocked += 1,
            Outcome::Pending => pending += 1,
            Outcome::Withdrawn => withdrawn += 1,
        }
        decided += usize::from(d.taken.is_some());
    }
    let facts = before.facts();
    let in_force = fact_panel(&snapshot, &facts)?;
    let chosen: BTreeMap<&str, String> = shown_set.iter().cloned().collect();

    let body = html! {
        h1 { (s.title.as_deref().unwrap_or(&s.id)) }
        p.lede {
            "Decisions on " strong { (at) } ": "
            span.count { (adopted) " adopted" } ", " span.count { (blocked) " blocked" } ", " span.count { (pending) " pending" }
            @if withdrawn > 0 { ", " span.count { (withdrawn) " withdrawn" } }
            "; " (decided) " decided for good"
            " (" (snapshot.checkpoint.tree_size) " ledger entries)."
        }
        @if after.is_some() {
            div.alert.what-if role="status" #what-if-result {
                strong { "What-if: nothing is recorded. " }
                @if changed.is_empty() {
                    "No proposal would change."
                } @else {
                    (changed.len()) " proposal(s) would change; they are marked below."
                }
                " " a href={ "/?at=" (at) } { "Back to the record" }
                @if !why.is_empty() {
                    ul #what-if-why {
                        @for (proposal, line) in why.iter().take(WHY_SHOWN) {
                            li { a href={ "/proposals/" (proposal) "?at=" (at) (set_query) } { (proposal) } ": " (line) }
                        }
                        @if why.len() > WHY_SHOWN { li { "and " (why.len() - WHY_SHOWN) " more" } }
                    }
                }
            }
        }
        div.board-layout {
            section.board-wrap aria-labelledby="board-title" {
                h2 #board-title { "Board" }
                div.scroll tabindex="0" role="region" aria-label="Decision board, scrolls sideways" {
                    table #board {
                        caption.visually-hidden { "Proposals by members: each cell is a member's stance, each row the proposal's outcome" }
                        thead {
                            tr {
                                th scope="col" { "Proposal" }
                                th scope="col" { "Outcome" }
                                @for m in &s.members {
                                    th.member scope="col" title=(m.name.as_deref().unwrap_or(&m.id)) { (m.id) }
                                }
                            }
                        }
                        tbody {
                            @for (d, r) in shown.decisions().iter().zip(&report.decisions) {
                                @let was = changed.get(&d.proposal);
                                @let stances: BTreeMap<usize, (Stance, Option<Cause>)> = shown.stances(d.proposal).into_iter().map(|st| (st.member, (st.stance, st.cause))).collect();
                                tr data-final=(r.is_final) data-proposal=(r.proposal) data-outcome=(d.outcome.as_str()) class=[was.map(|_| "changed")] {
                                    th scope="row" {
                                        a href={ "/proposals/" (r.proposal) "?at=" (at) (set_query) } { (r.title) }
                                        div.sub { (r.proposal) " · " (r.committee) " · " (r.rule) }
                                    }
                                    td.outcome {
                                        (outcome_badge(d.outcome))
                                        @if let Some(w) = was {
                                            div.was { "was " (w.as_str()) }
                                        }
                                        @if !r.objections.is_empty() {
                                            div.by {
                                                "by "
                                                @for (i, o) in r.objections.iter().enumerate() {
                                                    @if i > 0 { ", " }
                                                    (o.member)
                                                }
                                            }
                                        }
                                        (decision_note(engine, d, r))
                                    }
                                    @for (i, m) in s.members.iter().enumerate() {
                                        @match stances.get(&i) {
                                            Some((stance, cause)) => {
                                                @let word = stance.as_str();
                                                @let why = match cause { Some(Cause::Vote(_)) => " by vote", Some(Cause::Positions(_)) => " by standing position", None => "" };
                                                td class={ "cell " (word) } title={ (m.id) ": " (word) (why) } {
                                                    span aria-hidden="true" { (stance_mark(*stance, cause.as_ref())) }
                                                    span.visually-hidden { (m.id) " " (word) (why) }
                                                }
                                            }
                                            None => {
                                                td.cell.na title={ (m.id) ": not seated" } {
                                                    span.visually-hidden { (m.id) " not seated" }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                p.legend {
                    span.cell.consent { "✓" } " consent " span.cell.object { "✕" } " objects by vote "
                    span.cell.object { "P" } " objects by standing position " span.cell.abstain { "–" } " abstains "
                    span.cell.silent { "·" } " silent"
                }
            }
            aside.panel aria-labelledby="what-if-title" {
                h2 #what-if-title { "What if" }
                p.note { "Set facts for one look at the board: each proposal is decided again as if the facts had held these values throughout. Nothing is recorded." }
                form #what-if method="get" action="/" {
                    label for="at" { "Date" }
                    input #at type="date" name="at" value=(at);
                    @for (id, fact) in &in_force {
                        @let current = fact.map(|f| plain(&f.value));
                        @let is_bool = fact.is_some_and(|f| matches!(f.value, Value::Bool(_))) || fact.is_none();
                        fieldset.fact {
                            legend { code { (id) } }
                            p.sub {
                                @match fact {
                                    Some(f) => { "recorded: " strong { (plain(&f.value)) } " since " (f.as_of) " · " (f.source) }
                                    None => { "no observation in force" }
                                }
                            }
                            @if is_bool {
                                label.visually-hidden for={ "set-" (id) } { "Value of " (id) }
                                select #{ "set-" (id) } name="set" data-fact=(id) {
                                    option value="" selected[!chosen.contains_key(id)] { "as recorded" (current.as_ref().map(|c| format!(" ({c})")).unwrap_or_default()) }
                                    @for v in ["true", "false"] {
                                        option value={ (id) "=" (v) } selected[chosen.get(id).is_some_and(|c| c == v)] { (v) }
                                    }
                                }
                            } @else {
                                label.visually-hidden for={ "v-" (id) } { "Value of " (id) }
                                input #{ "v-" (id) } type="text" name={ "v." (id) } value=[chosen.get(id)] placeholder=[current.as_ref()];
                            }
                        }
                    }
                    button #what-if-run type="submit" { "Show what would change" }
                }
            }
        }
    };
    Ok(layout("Board", caller, "/", body).into_response())
}

/// The most reasons a what-if banner lists (a fact read across a programme can move thousands).
const WHY_SHOWN: usize = 20;

/// The `set` parameters of a what-if, each `&set=FACT%3DVALUE`, to follow a query's `at`.
pub(crate) fn set_query<'a>(facts: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    facts
        .map(|(k, v)| format!("&{}", serde_urlencoded::to_string([("set", format!("{k}={v}"))]).unwrap_or_default()))
        .collect()
}

/// A value as typed in a form.
pub(crate) fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        v => v.to_string(),
    }
}

fn stance_mark(s: Stance, cause: Option<&Cause>) -> &'static str {
    match (s, cause) {
        (Stance::Object, Some(Cause::Positions(_))) => "P",
        (Stance::Object, _) => "✕",
        (Stance::Consent, _) => "✓",
        (Stance::Abstain, _) => "–",
        (Stance::Silent, _) => "·",
    }
}
