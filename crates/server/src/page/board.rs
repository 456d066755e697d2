//! The decision board: proposals by members, each cell a stance, each row an outcome; and the
//! what-if panel, which sets facts for one look and marks the proposals that would change.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use concord_core::{Cause, FactSet, Observation, Stance, Value};
use maud::html;

use super::{failure, layout, outcome_badge, outcome_word};
use crate::api::{Read, evaluate, parse_set, read_form};
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
fn fact_panel<'e>(snapshot: &'e Snapshot, recorded: &'e FactSet) -> BTreeMap<&'e str, Option<&'e Observation>> {
    snapshot.scenario().facts.iter().map(|f| (f.id.as_str(), recorded.get(&f.id))).collect()
}

fn render(app: &App, caller: &Caller, query: Option<&str>) -> Result<Response, ApiError> {
    caller.read(app)?;
    let read = what_if_params(query)?;
    let snapshot = app.snapshot();
    let before = evaluate(app, &snapshot, &Read { at: read.at, set: Vec::new() })?;
    let after = if read.set.is_empty() {
        None
    } else {
        Some(before.what_if(&read.set).map_err(|e| ApiError::BadRequest(e.to_string()))?)
    };
    let shown = after.as_ref().unwrap_or(&before);
    let at = before.at();
    let s = snapshot.engine.scenario();
    let report = shown.report();
    let changed: BTreeMap<usize, concord_core::Outcome> = after
        .as_ref()
        .map(|a| before.changes(a).into_iter().map(|c| (c.proposal, c.before)).collect())
        .unwrap_or_default();
    let set_query: String = read
        .set
        .iter()
        .map(|(k, v)| {
            format!("&{}", serde_urlencoded::to_string([("set", format!("{k}={}", plain(v)))]).unwrap_or_default())
        })
        .collect();
    let (mut adopted, mut blocked, mut pending) = (0, 0, 0);
    for d in shown.decisions() {
        match d.outcome {
            concord_core::Outcome::Adopted => adopted += 1,
            concord_core::Outcome::Blocked => blocked += 1,
            concord_core::Outcome::Pending => pending += 1,
        }
    }
    let in_force = fact_panel(&snapshot, before.facts());
    let chosen: BTreeMap<&str, String> = read.set.iter().map(|(k, v)| (k.as_str(), plain(v))).collect();

    let body = html! {
        h1 { (s.title.as_deref().unwrap_or(&s.id)) }
        p.lede {
            "Decisions on " strong { (at) } ": "
            span.count { (adopted) " adopted" } ", " span.count { (blocked) " blocked" } ", " span.count { (pending) " pending" }
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
                                tr data-proposal=(r.proposal) data-outcome=(outcome_word(d.outcome)) class=[was.map(|_| "changed")] {
                                    th scope="row" {
                                        a href={ "/proposals/" (r.proposal) "?at=" (at) (set_query) } { (r.title) }
                                        div.sub { (r.proposal) " · " (r.committee) " · " (r.rule) }
                                    }
                                    td.outcome {
                                        (outcome_badge(d.outcome))
                                        @if let Some(w) = was {
                                            div.was { "was " (outcome_word(*w)) }
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
                                        @if let Some(deadline) = r.deadline {
                                            @if d.outcome == concord_core::Outcome::Pending {
                                                div.sub { "silence until " (deadline) }
                                            }
                                        }
                                    }
                                    @for (i, m) in s.members.iter().enumerate() {
                                        @match stances.get(&i) {
                                            Some((stance, cause)) => {
                                                @let word = stance_word(*stance);
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
                p.note { "Set facts for one look at the board. Nothing is recorded." }
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

/// A value as typed in a form.
pub(crate) fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        v => v.to_string(),
    }
}

pub(crate) fn stance_word(s: Stance) -> &'static str {
    match s {
        Stance::Consent => "consent",
        Stance::Object => "object",
        Stance::Abstain => "abstain",
        Stance::Silent => "silent",
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
