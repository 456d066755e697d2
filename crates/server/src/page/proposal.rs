//! A proposal's page: its outcome with the chain of reasons (members, positions with their
//! sources, facts with theirs); the decision as taken (its date, how, the record it comes from,
//! where the record and the rule part, and what it would now be); every member's stance on the
//! decision's day; its procedure and deadline; its history and ledger entries; the form to
//! record a stance while it is open, and, for the secretariat, the forms to extend its deadline,
//! withdraw it or close it. A proposal that is blocked or pending says what would unblock it
//! (contract §7), each way with a link to the board's what-if; in a what-if, the page says which
//! positions stopped or started applying, and because of which facts.

use std::sync::Arc;

use axum::extract::{Form, Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use concord_core::change::{ExtensionChange, ProposalWithdrawal, VoteChange};
use concord_core::report::{ChangeOf, ExplainReport, ShiftReport, UnblockReport};
use concord_core::{Date, Engine, Outcome, VoteStance};
use concord_store::timeline::ProposalHistory;
use concord_store::{Receipt, Role};
use maud::{Markup, html};
use serde::Deserialize;

use super::board::{plain, set_query};
use super::{failure, how_words, layout, outcome_badge, same_origin};
use crate::api::{
    Read, close_proposal, evaluate, explanation, extend_proposal, proposal_history, read_form, record_vote,
    withdraw_proposal,
};
use crate::app::App;
use crate::auth::Caller;
use crate::error::ApiError;

pub(crate) async fn page(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    // Only an entry number is read from the query, and only an entry about this proposal is
    // shown: no text of the query reaches the page.
    let recorded = crate::api::query::<Vec<(String, String)>>(query.as_deref())
        .ok()
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "recorded"))
        .and_then(|(_, v)| v.parse::<u64>().ok());
    let notice = recorded.map(Notice::Recorded);
    match render(&app, &caller, &id, query.as_deref(), notice.as_ref(), None) {
        Ok(page) => page.into_response(),
        Err(e) => failure(&caller, &e),
    }
}

/// A message above the page.
enum Notice {
    /// A change was recorded in this entry (shown only if the entry is about the proposal).
    Recorded(u64),
    /// The form's write was refused.
    Refused(String),
}

/// The values a refused vote form is shown again with.
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
    let engine = snapshot.engine()?;
    let today = app.today();
    let report = explanation(app, &snapshot, id, &read)?;
    let history = proposal_history(app, &snapshot, id, today)?;
    let index = engine.proposal_index(id).ok_or_else(|| ApiError::NotFound(format!("no proposal `{id}`")))?;
    let proposal =
        engine.scenario().proposals.get(index).ok_or_else(|| ApiError::NotFound(format!("no proposal `{id}`")))?;
    // The forms act on the state of the server's date, whatever date the page looks at.
    let open_today = if read.at.is_none_or(|at| at == today) {
        !report.decision.is_final
    } else {
        let now = evaluate(app, &snapshot, &Read { at: None, set: Vec::new() })?;
        now.decision(index).is_some_and(|d| d.taken.is_none())
    };
    let evaluation = evaluate(app, &snapshot, &read)?;
    let taken = evaluation.decision(index).and_then(|d| d.taken);
    let hypothetical = !read.set.is_empty();
    // In a what-if: the positions that stopped or started applying to this proposal.
    let shifts: Vec<String> = if hypothetical {
        let before = evaluate(app, &snapshot, &Read { at: read.at, set: Vec::new() })?;
        let changes: Vec<_> = before.changes(&evaluation).into_iter().filter(|c| c.proposal == index).collect();
        let what_if = evaluation.what_if_report(&read.set, &changes);
        what_if.changed.iter().flat_map(|c| c.positions.iter().map(ShiftReport::in_words)).collect()
    } else {
        Vec::new()
    };
    // What would unblock it, on the page's date, in the world as recorded.
    let unblock = match report.decision.outcome {
        Outcome::Blocked | Outcome::Pending if !hypothetical => {
            engine.unblock(index, report.at, UNBLOCK_MAX).ok().map(|u| engine.unblock_report(&u, UNBLOCK_MAX))
        }
        _ => None,
    };
    let d = &report.decision;
    let body = html! {
        p.crumbs { a href="/" { "Board" } " › " (d.proposal) }
        h1 { (d.title) }
        @match notice {
            Some(Notice::Recorded(entry)) if history.entries.iter().any(|e| e.seq == *entry) => {
                p.alert.ok #flash role="status" { "Recorded in ledger entry " (entry) "." }
            }
            Some(Notice::Recorded(_)) => {}
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
                ", as if throughout. Nothing is recorded. " a href={ "/proposals/" (d.proposal) } { "Back to the record" }
                @if !shifts.is_empty() {
                    ul #what-if-why { @for line in &shifts { li { (line) } } }
                }
            }
        }
        dl.facts-grid #summary {
            dt { "Outcome on " (report.at) } dd #outcome { (outcome_badge(d.outcome)) }
            dt { "Decision" }
            dd #decision {
                @match (taken, d.decided_on) {
                    (Some(taken), Some(on)) => {
                        strong { "final" } " since " time datetime=(on) { (on) } ", " (how_words(engine, taken))
                        @if let Some(recorded) = &d.recorded {
                            div.sub #recorded { "Recorded: " (recorded.outcome.as_str()) " on " (recorded.on) ", " (recorded.source) @if let Some(note) = &recorded.note { " (" (note) ")" } }
                        }
                    }
                    _ => { "open: not decided yet" }
                }
                @if let (Some(computed), Some(recorded)) = (d.computed, &d.recorded) {
                    p.alert.what-if #disagreement role="note" { "The record says " strong { (recorded.outcome.as_str()) } "; with the stances of " (recorded.on) " the rule gives " strong { (computed.as_str()) } ". The record stands." }
                }
                @if let Some(now) = d.would_now_be {
                    div #would-now-be { "Would now be " strong { (now.as_str()) } ", were it put again on " (report.at) "." }
                }
            }
            dt { "Committee" } dd { (d.committee) " · " (d.rule_text) }
            dt { "Tally" @if d.is_final { " on " (d.stances_on) } }
            dd { (d.tally.consent) " consent, " (d.tally.object) " object, " (d.tally.abstain) " abstain, " (d.tally.silent) " silent" }
            @if let Some(share) = d.consenting_weight_share {
                dt { "Consenting weight" } dd { (format!("{:.1}%", share * 100.0)) }
            }
            @if !d.awaiting.is_empty() {
                dt { "Awaiting" } dd #awaiting { (d.awaiting.join(", ")) }
            }
            dt { "Kind" } dd { (proposal.kind) " · " (proposal.engagement.as_str()) " engagement" @if !proposal.partners.is_empty() { " · partners " (proposal.partners.join(", ")) } }
            @if let Some(old) = &proposal.supersedes { dt { "Revises" } dd { a href={ "/proposals/" (old) } { (old) } } }
            dt { "Procedure" }
            dd #deadline { (procedure(d.procedure, d.deadline, d.is_final, today)) }
        }
        section #reasons aria-labelledby="reasons-title" {
            h2 #reasons-title { "Why" }
            (reasons(&report, engine))
        }
        @if let Some(u) = &unblock {
            (unblock_section(u))
        }
        @if !d.evaluation_errors.is_empty() {
            section aria-labelledby="errors-title" {
                h2 #errors-title { "Positions that could not be evaluated" }
                ul { @for e in &d.evaluation_errors { li { (e.member) ", " code { (e.position) } ": " (e.message) } } }
            }
        }
        (vote_form(caller, &report, open_today, form))
        @if open_today && caller.grant.as_ref().is_some_and(|g| g.role == Role::Secretariat) {
            (secretariat_forms(&report, today))
        }
        section #stances aria-labelledby="stances-title" {
            h2 #stances-title { "Stances on " (d.stances_on) @if d.is_final { ", the day of the decision" } }
            ul.stance-grid {
                @for st in &report.stances {
                    li data-member=(st.member) {
                        span.member { (st.member) }
                        span class={ "chip " (st.stance.as_str()) } { (st.stance.as_str()) }
                        @if let Some(cause) = st.cause { span.sub { "by " (cause) } }
                        @if let Some(statement) = &st.statement { span.sub.statement { "Statement: " (statement) } }
                        @if let Some(source) = &st.source { span.sub { "Source: " (source) } }
                    }
                }
            }
        }
        (history_section(&history))
    };
    Ok(layout(&d.title, caller, "", body))
}

/// The most changes a way shown on the page may have (the command line's default).
const UNBLOCK_MAX: usize = 3;

/// What would unblock the proposal: each way on a line, with a link that opens the board's
/// what-if with its facts set, or the members whose consent it takes; then the positions'
/// conditions for lifting.
fn unblock_section(u: &UnblockReport) -> Markup {
    html! {
        section #unblock aria-labelledby="unblock-title" {
            h2 #unblock-title { "What would unblock this" }
            @if u.decided {
                p.note { "The decision is taken and stands: these are the ways it would be adopted, were it put again on " (u.at) "." }
            }
            @if u.adopted_as_it_is {
                p { "It would be adopted as it is, were its decision taken on " (u.at) ": nothing needs to change." }
            } @else if u.ways.is_empty() {
                p { "No way of at most " (u.max) " changes of facts or stances adopts it." }
            } @else {
                ol.ways {
                    @for way in &u.ways {
                        @let facts: Vec<(&str, String)> = way.changes.iter().filter_map(|c| match c {
                            ChangeOf::Fact { fact, value } => Some((fact.as_str(), plain(value))),
                            ChangeOf::Stance { .. } => None,
                        }).collect();
                        @let members: Vec<&str> = way.changes.iter().filter_map(|c| match c {
                            ChangeOf::Stance { member, .. } => Some(member.as_str()),
                            ChangeOf::Fact { .. } => None,
                        }).collect();
                        li.way {
                            (way.in_words())
                            @if !facts.is_empty() {
                                " · " a href=(what_if_link(u.at, &facts)) { "see it in the what-if" }
                            }
                            @if !members.is_empty() {
                                " · " span.sub { "takes the consent of " (members.join(" and ")) }
                            }
                        }
                    }
                }
            }
            @if !u.conditions.is_empty() {
                h3 { "When the positions would lift" }
                ul.conditions {
                    @for c in &u.conditions {
                        li {
                            strong { (c.member) } " under " code { (c.position) } ": lifts " (c.lifts())
                        }
                    }
                }
            }
        }
    }
}

/// The board's what-if on a date with these facts set.
fn what_if_link(at: Date, facts: &[(&str, String)]) -> String {
    format!("/?at={at}{}", set_query(facts.iter().map(|(f, v)| (*f, v.as_str()))))
}

/// The procedure and its deadline: days left while it runs.
fn procedure(procedure: &str, deadline: Option<Date>, decided: bool, today: Date) -> Markup {
    let what = if procedure == "meeting" { "meeting" } else { "silence procedure" };
    html! {
        @match deadline {
            None => { "none: decided on the first day the rule adopts it" }
            Some(deadline) if decided => { (what) ", deadline " (deadline) }
            Some(deadline) if deadline >= today => {
                @if procedure == "meeting" {
                    "meeting on " strong { (deadline) } ": decided then by the rule"
                } @else {
                    "silence procedure until " strong { (deadline) } ": adopted then unless a member breaks silence"
                }
                " (" (deadline.days_since_epoch() - today.days_since_epoch()) " day(s) left)"
            }
            Some(deadline) => { (what) ", deadline " (deadline) " has passed; the clock will record the decision" }
        }
    }
}

/// The history of stances and outcome, and the ledger entries about the proposal.
fn history_section(history: &ProposalHistory) -> Markup {
    let h = &history.history;
    html! {
        section #history aria-labelledby="history-title" {
            h2 #history-title { "History" }
            @if h.outcomes.is_empty() && h.stances.is_empty() {
                p { "Nothing has changed since circulation." }
            } @else {
                ol.timeline {
                    @for o in &h.outcomes {
                        li {
                            time { (o.date) } " outcome " @if let Some(f) = o.from { (f.as_str()) " → " } strong { (o.to.as_str()) }
                            @if o.is_final { " (decided)" }
                        }
                    }
                    @for c in &h.stances {
                        li data-member=(c.member) {
                            time { (c.date) } " " strong { (c.member) } " " (c.from.map_or("—", |s| s.as_str())) " → " (c.to.as_str())
                            @if let Some(cause) = c.cause { " (" (cause) @if let Some(detail) = &c.detail { ": " (detail) } ")" }
                        }
                    }
                }
            }
            h3 { "Ledger entries" }
            ul.entries {
                @for e in &history.entries {
                    li { "entry " a href={ "/api/ledger/proof/" (e.seq) } { (e.seq) } " · " (e.at) " · " (e.kind()) }
                }
            }
        }
    }
}

/// The chain of reasons: each objecting member, the positions (with source and policy text) or
/// vote (with reason) behind it, and the facts those positions read (with value, date and
/// source).
fn reasons(report: &ExplainReport, engine: &Engine) -> Markup {
    let d = &report.decision;
    let positions = &engine.scenario().positions;
    html! {
        @if d.objections.is_empty() {
            p {
                @match d.outcome {
                    Outcome::Adopted => "No member objects; the rule is met.",
                    Outcome::Pending => "No member objects, and the rule is not yet met (its deadline is still to come, or votes are missing).",
                    Outcome::Blocked => "The rule is not met.",
                    Outcome::Withdrawn => "The proposal was withdrawn before it was decided.",
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
                                @if !p.linked.is_empty() {
                                    ul.linked {
                                        @for link in &p.linked { li { (link.in_words(&d.objections)) } }
                                    }
                                }
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

fn vote_form(caller: &Caller, report: &ExplainReport, open: bool, form: Option<&VoteForm>) -> Markup {
    if !open {
        return html! { p.note { "The decision is taken; no stance can be recorded now." } };
    }
    let Some(grant) = &caller.grant else {
        return html! { p.note { a href={ "/login?next=/proposals/" (report.decision.proposal) } { "Log in" } " to record a stance." } };
    };
    let seated: Vec<&str> = report.stances.iter().map(|s| s.member.as_str()).collect();
    let speakable: Vec<&str> = match (grant.role, grant.member.as_deref()) {
        (Role::Secretariat, _) => seated.clone(),
        (Role::Delegation, Some(m)) if seated.contains(&m) => vec![m],
        _ => Vec::new(),
    };
    if speakable.is_empty() {
        return html! { p.note { "Your token cannot record a stance on this proposal." } };
    }
    let chosen = form.map(|f| f.stance.as_str()).unwrap_or("");
    let stances = [
        (VoteStance::Consent, "Consent"),
        (VoteStance::Object, "Object (breaks silence)"),
        (VoteStance::Abstain, "Abstain"),
        (VoteStance::Silent, "Return to silence (takes back the earlier stance)"),
    ];
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
                    @for (stance, text) in stances {
                        @let value = stance.as_str();
                        label.choice {
                            input type="radio" name="stance" value=(value) required checked[chosen == value] #{ "stance-" (value) };
                            " " (text)
                        }
                    }
                }
                label for="reason" { "Reason " span.sub { "(required to object)" } }
                textarea #reason name="reason" rows="3" { (form.map(|f| f.reason.as_str()).unwrap_or("")) }
                p.sub { "Recorded on the server's date." }
                button #vote-submit type="submit" { "Record stance" }
            }
        }
    }
}

/// The secretariat's forms on an open proposal: move its deadline, withdraw it, close it.
fn secretariat_forms(report: &ExplainReport, today: Date) -> Markup {
    let d = &report.decision;
    let action = |what: &str| format!("/proposals/{}/{what}", d.proposal);
    html! {
        section #manage aria-labelledby="manage-title" {
            h2 #manage-title { "Secretariat" }
            p.sub { "Each is recorded on the server's date, " (today) "." }
            form.stack #extend-form method="post" action=(action("extend")) {
                h3 { "Move the deadline" }
                label for="extend-deadline" { "New deadline " span.sub { "(earlier or later, not before " (today) ")" } }
                input #extend-deadline type="date" name="deadline" required min=(today) value=[d.deadline];
                label for="extend-reason" { "Reason" }
                textarea #extend-reason name="reason" rows="2" {}
                button #extend-submit type="submit" { "Move the deadline" }
            }
            form.stack #withdraw-form method="post" action=(action("withdraw")) {
                h3 { "Withdraw the proposal" }
                label for="withdraw-reason" { "Reason " span.sub { "(required)" } }
                textarea #withdraw-reason name="reason" rows="2" required {}
                button #withdraw-submit type="submit" { "Withdraw" }
            }
            form.stack #close-form method="post" action=(action("close")) {
                h3 { "Close now" }
                p.sub { "Takes the decision today, as if the deadline were today: adopted or blocked, never pending." }
                label for="close-reason" { "Note" }
                textarea #close-reason name="reason" rows="2" {}
                button #close-submit type="submit" { "Close and record the decision" }
            }
        }
    }
}

/// After a form's write: back to the proposal with the entry, or the page again with the
/// refusal.
async fn answer(
    app: &App,
    caller: &Caller,
    id: &str,
    written: Result<Receipt, ApiError>,
    form: Option<&VoteForm>,
) -> Response {
    match written {
        Ok(receipt) => Redirect::to(&format!("/proposals/{id}?recorded={}", receipt.entries.start)).into_response(),
        Err(e @ (ApiError::Refused(_) | ApiError::BadRequest(_))) => {
            let status = e.status();
            let notice = Notice::Refused(e.to_string());
            match render(app, caller, id, None, Some(&notice), form) {
                Ok(page) => (status, page).into_response(),
                Err(e) => failure(caller, &e),
            }
        }
        Err(e) => failure(caller, &e),
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
    let Some(stance) = VoteStance::parse(&form.stance) else {
        let e = ApiError::BadRequest(format!(
            "field `stance`: unknown stance `{}`, expected `consent`, `object`, `abstain` or `silent`",
            form.stance
        ));
        return answer(&app, &caller, &id, Err(e), Some(&form)).await;
    };
    let reason = Some(form.reason.trim().to_owned()).filter(|r| !r.is_empty());
    let vote = VoteChange { proposal: id.clone(), member, stance, reason, source: None, statement: None };
    let written = record_vote(&app, vote, None).await;
    answer(&app, &caller, &id, written, Some(&form)).await
}

/// The extension form.
#[derive(Debug, Deserialize)]
pub(crate) struct ExtendForm {
    deadline: String,
    #[serde(default)]
    reason: String,
}

/// The withdrawal and closing forms.
#[derive(Debug, Deserialize)]
pub(crate) struct ReasonForm {
    #[serde(default)]
    reason: String,
}

fn reason(text: &str) -> Option<String> {
    Some(text.trim().to_owned()).filter(|r| !r.is_empty())
}

/// The secretariat moves an open proposal's deadline.
pub(crate) async fn extend(
    State(app): State<Arc<App>>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<ExtendForm>,
) -> Response {
    if let Err(e) = same_origin(&headers).and_then(|()| caller.secretariat("extend deadlines").map(drop)) {
        return failure(&caller, &e);
    }
    let written = match crate::api::parse_date("deadline", form.deadline.trim()) {
        Ok(deadline) => {
            let extension = ExtensionChange { proposal: id.clone(), deadline, reason: reason(&form.reason) };
            extend_proposal(&app, extension, None).await
        }
        Err(e) => Err(e),
    };
    answer(&app, &caller, &id, written, None).await
}

/// The secretariat withdraws an open proposal.
pub(crate) async fn withdraw(
    State(app): State<Arc<App>>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<ReasonForm>,
) -> Response {
    if let Err(e) = same_origin(&headers).and_then(|()| caller.secretariat("withdraw proposals").map(drop)) {
        return failure(&caller, &e);
    }
    let withdrawal = ProposalWithdrawal { proposal: id.clone(), reason: form.reason.trim().to_owned() };
    let written = withdraw_proposal(&app, withdrawal, None).await;
    answer(&app, &caller, &id, written, None).await
}

/// The secretariat closes an open proposal: its decision is taken today.
pub(crate) async fn close(
    State(app): State<Arc<App>>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<ReasonForm>,
) -> Response {
    if let Err(e) = same_origin(&headers).and_then(|()| caller.secretariat("close proposals").map(drop)) {
        return failure(&caller, &e);
    }
    let written = close_proposal(&app, id.clone(), reason(&form.reason), None).await.map(|(receipt, _)| receipt);
    answer(&app, &caller, &id, written, None).await
}
