//! Committees: who sits on each today, its rule, and each member's voting power under it
//! (normalised Banzhaf and Shapley–Shubik as bars, Penrose as a number). Power is computed once
//! per game and kept: an anonymous view shows what is computed (the server computes today's by
//! itself) and never starts a computation; a signed-in view starts what is missing.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use super::{failure, layout};
use crate::api::{committee_game, committee_views};
use crate::app::App;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::power::Computed;

/// How long the page waits for a computation in progress before it says so.
const WAIT: Duration = Duration::from_secs(3);

/// What the page shows of a committee's power.
enum Shown {
    Computed(Computed),
    /// Being computed (the page did not wait for it).
    Running,
    /// Not computed, and the caller may not start it.
    NotYet,
    Failed(ApiError),
}

pub(crate) async fn page(State(app): State<Arc<App>>, caller: Caller) -> Response {
    if let Err(e) = caller.read(&app) {
        return failure(&caller, &e);
    }
    let snapshot = app.snapshot();
    let today = app.today();
    let views = match committee_views(&app, &snapshot) {
        Ok(views) => views,
        Err(e) => return failure(&caller, &e),
    };
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut powers = Vec::with_capacity(views.len());
    for c in &views {
        let shown = match committee_game(&snapshot, &c.id, today) {
            Err(e) => Shown::Failed(e),
            Ok(game) => match tokio::time::timeout_at(deadline, app.power.get(game, caller.grant.is_some())).await {
                Ok(Some(computed)) => Shown::Computed(computed),
                Ok(None) => Shown::NotYet,
                Err(_) => Shown::Running,
            },
        };
        powers.push(shown);
    }
    let body = html! {
        h1 { "Committees and voting power" }
        p.lede { "Each member's a priori power under the committee's rule on " (today) ", computed exactly. Under consensus and unanimity every seated member holds a veto, so power is equal." }
        @for (c, power) in views.iter().zip(&powers) {
            section.committee id={ "committee-" (c.id) } aria-labelledby={ "title-" (c.id) } {
                h2 id={ "title-" (c.id) } { (c.name.as_deref().unwrap_or(&c.id)) " " span.sub { "(" (c.id) ")" } }
                p { "Rule: " code { (c.rule_text) } " · " (c.seated.len()) " members seated" }
                @match power {
                    Shown::Failed(e) => p.alert.error { (e.public_message()) }
                    Shown::NotYet => p.note.not-computed { "Voting power is not computed yet for these seats. " a href="/login?next=/committees" { "Log in" } " to compute it." }
                    Shown::Running => p.note.not-computed { "Voting power is being computed; reload the page in a moment." }
                    Shown::Computed(computed) => { @match computed.as_ref() {
                    Err(e) => p.alert.error { (e.public_message()) }
                    Ok(p) => {
                        @let top = p.members.iter().map(|m| m.banzhaf.max(m.shapley_shubik)).fold(0.0_f64, f64::max).max(f64::EPSILON);
                        @let equal = p.members.windows(2).all(|w| matches!(w, [a, b] if a.swings == b.swings));
                        @if equal && !p.members.is_empty() {
                            p.equal {
                                "All " (p.members.len()) " members hold equal power: "
                                @if p.winning_coalitions == "1" {
                                    "only the coalition of all of them wins, so each one alone can block."
                                } @else {
                                    "the rule treats them alike."
                                }
                                " Each has a Banzhaf and Shapley–Shubik index of " (format!("{:.4}", 1.0 / p.members.len() as f64)) "."
                            }
                        }
                        details open[!equal] {
                            summary { "Power of each member" }
                        table.power {
                            caption.visually-hidden { "Voting power in " (c.id) }
                            thead { tr { th scope="col" { "Member" } th scope="col" { "Banzhaf (normalised)" } th scope="col" { "Shapley–Shubik" } th scope="col" { "Penrose" } } }
                            tbody {
                                @for m in &p.members {
                                    tr data-member=(m.member) {
                                        th scope="row" { (m.member) @if let Some(w) = m.weight { span.sub { " weight " (w) } } }
                                        td { (bar("banzhaf", m.banzhaf / top)) span.num { (format!("{:.4}", m.banzhaf)) } }
                                        td { (bar("shapley", m.shapley_shubik / top)) span.num { (format!("{:.4}", m.shapley_shubik)) } }
                                        td.num { (penrose(m.penrose)) }
                                    }
                                }
                            }
                        }
                        }
                        p.sub { (p.winning_coalitions) " winning coalitions; Shapley–Shubik " (p.shapley_shubik_method) "." }
                    }
                    } }
                }
            }
        }
    };
    layout("Committees and power", &caller, "/committees", body).into_response()
}

/// A bar of `share` (0 to 1) of its width. Drawn in SVG, whose `width` is an attribute rather
/// than an inline style, so that the page needs no `style-src 'unsafe-inline'`.
fn bar(class: &str, share: f64) -> Markup {
    let width = if share.is_finite() { (100.0 * share).clamp(0.0, 100.0) } else { 0.0 };
    html! {
        svg.bar viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false" {
            rect class={ "fill " (class) } x="0" y="0" height="10" width=(format!("{width:.2}")) {}
        }
    }
}

/// Penrose values span many orders of magnitude (2^-31 for one veto among 32): small ones in
/// scientific notation, so that none reads as zero.
fn penrose(value: f64) -> String {
    if value != 0.0 && value.abs() < 0.001 { format!("{value:.3e}") } else { format!("{value:.4}") }
}
