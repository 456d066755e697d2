//! A proposal's page: its outcome with the chain of reasons (members, positions with their
//! sources, facts with theirs), every member's stance, the history of stances and outcome, the
//! silence deadline, the ledger entries about it, and the form to record a stance.

use std::sync::Arc;

use axum::extract::{Form, Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use concord_core::report::ExplainReport;
use concord_core::{Outcome, Position};
use concord_store::Role;
use maud::{Markup, html};
use serde::Deserialize;

use super::board::{plain, stance_word};
use super::{failure, layout, outcome_badge, same_origin};
use crate::api::{NewVote, explanation, proposal_history, read_form, record_vote};
use crate::app::App;
use crate::auth::Caller;
use crate::error::ApiError;

pub(crate) async fn page(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let recorded = crate::api::query::<Vec<(String, String)>>(query.as_deref())
        .ok()
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "recorded").map(|(_, v)| v));
    let notice = recorded.map(Notice::Recorded);
    match render(&app, &caller, &id, query.as_deref(), notice.as_ref(), None) {
        Ok(page) => page.into_response(),
        Err(e) => failure(&caller, &e),
    }
}

/// A message above the page.
enum Notice {
    /// A stance was recorded in this entry.
    Recorded(String),
    /// The form's write was refused.
    Refused(String),
}

/// The values a refused form is shown again with.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct VoteForm {
    member: Option<String>,
    stance: String,
    #[serde(default)]
    reason: String,
}

fn render(
    app: &App,
    caller: &Caller,
    id: &str,
    query: Option<&str>,
    notice: Option<&Notice>,
    form: Option<&VoteForm>,
) -> Result<Markup, ApiError> {
    caller.read(app)?;
    let read = read_form(query)?;
    let snapshot = app.snapshot();
    let today = app.today(&snapshot);
    let report = explanation(app, &snapshot, id, &read)?;
    let history = proposal_history(app, &snapshot, id, today)?;
    let proposal = snapshot.proposal(id).ok_or_else(|| ApiError::NotFound(format!("no proposal `{id}`")))?;
    let decided = snapshot.decided.get(id);
    let hypothetical = !read.set.is_empty();
    let d = &report.decision;
    let body = html! {
        p.crumbs { a href="/" { "Board" } " › " (d.proposal) }
        h1 { (d.title) }
        @match notice {
            Some(Notice::Recorded(entry)) => p.alert.ok #flash role="status" { "Recorded in ledger entry " (entry) "." }
            Some(Notice::Refused(message)) => p.alert.error #flash role="alert" { "Not recorded: " (message) }
            None => {}
        }
        @if hypothetical {
            p.alert.what-if role="status" {
                strong { "What-if: " }
                @for (i, (k, v)) in read.set.iter().enumerate() {
                    @if i > 0 { ", " }
                    code { (k) " = " (plain(v)) }
                }
                ". Nothing is recorded. " a href={ "/proposals/" (d.proposal) } { "Back to the record" }
            }
        }
        dl.facts-grid #summary {
            dt { "Outcome on " (report.at) } dd #outcome { (outcome_badge(d.outcome)) }
            dt { "Committee" } dd { (d.committee) " · " (d.rule_text) }
            dt { "Tally" } dd { (d.tally.consent) " consent, " (d.tally.object) " object, " (d.tally.abstain) " abstain, " (d.tally.silent) " silent" }
            @if let Some(share) = d.consenting_weight_share {
                dt { "Consenting weight" } dd { (format!("{:.1}%", share * 100.0)) }
            }
            dt { "Kind" } dd { (proposal.kind) " · " (proposal.engagement.as_str()) " engagement" @if !proposal.partners.is_empty() { " · partners " (proposal.partners.join(", ")) } }
            dt { "Silence procedure" }
            dd #deadline {
                @match (proposal.deadline, decided) {
                    (Some(deadline), None) if deadline >= today => { "until " strong { (deadline) } ": adopted then unless a member breaks silence (" (deadline.days_since_epoch() - today.days_since_epoch()) " day(s) left)" }
                    (Some(deadline), None) => { "deadline " (deadline) " has passed; the clock will record the outcome" }
                    (Some(deadline), Some(rec)) => { "deadline " (deadline) "; outcome recorded: " strong { (rec.recorded.outcome) } " in ledger entry " a href={ "/api/ledger/proof/" (rec.entry) } { (rec.entry) } }
                    (None, Some(rec)) => { "none; closed on " (rec.recorded.on) " as " strong { (rec.recorded.outcome) } " in ledger entry " a href={ "/api/ledger/proof/" (rec.entry) } { (rec.entry) } }
                    (None, None) => { "none" }
                }
            }
        }
        section #reasons aria-labelledby="reasons-title" {
            h2 #reasons-title { "Why" }
            (reasons(&report, &snapshot.scenario().positions))
        }
        @if !d.evaluation_errors.is_empty() {
            section aria-labelledby="errors-title" {
                h2 #errors-title { "Positions that could not be evaluated" }
                ul { @for e in &d.evaluation_errors { li { (e.member) ", " code { (e.position) } ": " (e.message) } } }
            }
        }
        (vote_form(caller, &report, decided.is_some(), form))
        section #stances aria-labelledby="stances-title" {
            h2 #stances-title { "Stances on " (report.at) }
            ul.stance-grid {
                @for st in &report.stances {
                    li data-member=(st.member) {
                        span.member { (st.member) }
                        span class={ "chip " (stance_word(st.stance)) } { (stance_word(st.stance)) }
                        @if let Some(cause) = st.cause { span.sub { "by " (cause) } }
                    }
                }
            }
        }
        section #history aria-labelledby="history-title" {
            h2 #history-title { "History" }
            @if history.outcomes.is_empty() && history.stances.is_empty() {
                p { "Nothing has changed since circulation." }
            } @else {
                ol.timeline {
                    @for o in &history.outcomes {
                        li { time { (o.date) } " outcome " @if let Some(f) = o.from { (f) " → " } strong { (o.to) } }
                    }
                    @for c in &history.stances {
                        li data-member=(c.member) {
                            time { (c.date) } " " strong { (c.member) } " " (c.from.unwrap_or("—")) " → " (c.to)
                            @if let Some(cause) = c.cause { " (" (cause) @if let Some(detail) = &c.detail { ": " (detail) } ")" }
                        }
                    }
                }
            }
            h3 { "Ledger entries" }
            ul.entries {
                @for e in &history.entries {
                    li { "entry " a href={ "/api/ledger/proof/" (e.seq) } { (e.seq) } " · " (e.at) " · " (e.change.kind()) }
                }
            }
        }
    };
    Ok(layout(&d.title, caller, "", body))
}

/// The chain of reasons: each objecting member, the positions (with source and policy text) or
/// vote (with reason) behind it, and the facts those positions read (with value, date and
/// source). `positions` are the scenario's, where the policy texts are.
fn reasons(report: &ExplainReport, positions: &[Position]) -> Markup {
    let d = &report.decision;
    html! {
        @if d.objections.is_empty() {
            p {
                @match d.outcome {
                    Outcome::Adopted => "No member objects; the rule is met.",
                    Outcome::Pending => "No member objects, and the rule is not yet met (silence procedure running or votes missing).",
                    Outcome::Blocked => "The rule is not met.",
                }
            }
        } @else {
            ul.objections {
                @for o in &d.objections {
                    li.objection data-member=(o.member) {
                        p {
                            strong { (o.member) } " objects "
                            @if o.cause == "position" { "under a standing position" } @else { "by vote" }
                            @if let Some(at) = o.voted_at { " on " (at) }
                            @if o.veto { " — this alone blocks the proposal" }
                        }
                        @if let Some(reason) = &o.reason { blockquote { (reason) } }
                        @for p in &o.positions {
                            div.position {
                                "Position " code { (p.id) }
                                @if let Some(since) = p.since { " (since " (since) ")" }
                                div.source { "Source: " cite { (p.source) } }
                                @if let Some(policy) = positions.iter().find(|q| q.id == p.id).map(|q| &q.policy) {
                                    details.policy {
                                        summary { "The position as declared (Cedar policy)" }
                                        pre { code { (policy.trim()) } }
                                    }
                                }
                            }
                        }
                        @if !o.facts.is_empty() {
                            p.sub { "Resting on these facts:" }
                            ul.facts {
                                @for f in &o.facts {
                                    li { code { (f.id) } " = " strong { (plain(&f.value)) } " as of " (f.as_of) " · source: " cite { (f.source) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn vote_form(caller: &Caller, report: &ExplainReport, decided: bool, form: Option<&VoteForm>) -> Markup {
    let Some(grant) = &caller.grant else {
        return html! { p.note { a href={ "/login?next=/proposals/" (report.decision.proposal) } { "Log in" } " to record a stance." } };
    };
    let seated: Vec<&str> = report.stances.iter().map(|s| s.member.as_str()).collect();
    let speakable: Vec<&str> = match (grant.role, grant.member.as_deref()) {
        (Role::Secretariat, _) => seated.clone(),
        (Role::Delegation, Some(m)) if seated.contains(&m) => vec![m],
        _ => Vec::new(),
    };
    if decided {
        return html! { p.note { "The outcome is recorded; no stance can be recorded now." } };
    }
    if speakable.is_empty() {
        return html! { p.note { "Your token cannot record a stance on this proposal." } };
    }
    let chosen = form.map(|f| f.stance.as_str()).unwrap_or("");
    html! {
        section #record aria-labelledby="record-title" {
            h2 #record-title { "Record a stance" }
            form.stack #vote-form method="post" action={ "/proposals/" (report.decision.proposal) "/vote" } {
                @if speakable.len() == 1 {
                    input type="hidden" name="member" value=(speakable.first().copied().unwrap_or_default());
                    p { "For " strong { (speakable.first().copied().unwrap_or_default()) } }
                } @else {
                    label for="member" { "Member" }
                    select #member name="member" required {
                        @for m in &speakable {
                            option value=(m) selected[form.and_then(|f| f.member.as_deref()) == Some(*m)] { (m) }
                        }
                    }
                }
                fieldset {
                    legend { "Stance" }
                    @for (value, text) in [("consent", "Consent"), ("object", "Object (breaks silence)"), ("abstain", "Abstain")] {
                        label.choice {
                            input type="radio" name="stance" value=(value) required checked[chosen == value] #{ "stance-" (value) };
                            " " (text)
                        }
                    }
                }
                label for="reason" { "Reason " span.sub { "(required to object)" } }
                textarea #reason name="reason" rows="3" { (form.map(|f| f.reason.as_str()).unwrap_or("")) }
                button #vote-submit type="submit" { "Record stance" }
            }
        }
    }
}

/// Records the form's stance and goes back to the proposal, or shows the page again with the
/// refusal.
pub(crate) async fn vote(
    State(app): State<Arc<App>>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<VoteForm>,
) -> Response {
    if let Err(e) = same_origin(&headers) {
        return failure(&caller, &e);
    }
    let member = match (&form.member, caller.grant.as_ref()) {
        (Some(m), _) => m.clone(),
        (None, Some(g)) => g.member.clone().unwrap_or_default(),
        (None, None) => String::new(),
    };
    if let Err(e) = caller.speak_for(&member, "record a stance") {
        return failure(&caller, &e);
    }
    let reason = Some(form.reason.trim().to_owned()).filter(|r| !r.is_empty());
    let vote = NewVote { proposal: id.clone(), member, stance: form.stance.clone(), reason, at: None };
    match record_vote(&app, vote).await {
        Ok(receipt) => Redirect::to(&format!("/proposals/{id}?recorded={}", receipt.entries.start)).into_response(),
        Err(ApiError::Refused(message)) => {
            let notice = Notice::Refused(message);
            match render(&app, &caller, &id, None, Some(&notice), Some(&form)) {
                Ok(page) => (StatusCode::UNPROCESSABLE_ENTITY, page).into_response(),
                Err(e) => failure(&caller, &e),
            }
        }
        Err(e) => failure(&caller, &e),
    }
}
