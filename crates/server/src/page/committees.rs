//! Committees: who sits on each today, its rule, and each member's voting power under it
//! (normalised Banzhaf and Shapley–Shubik as bars, Penrose as a number), computed exactly.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use maud::html;

use super::{failure, layout};
use crate::api::{committee_power_of, committee_views};
use crate::app::App;
use crate::auth::Caller;
use crate::error::ApiError;

pub(crate) async fn page(State(app): State<Arc<App>>, caller: Caller) -> Response {
    if let Err(e) = caller.read(&app) {
        return failure(&caller, &e);
    }
    let work = {
        let app = app.clone();
        tokio::task::spawn_blocking(move || {
            let snapshot = app.snapshot();
            let views = committee_views(&app, &snapshot)?;
            let powers: Vec<Result<concord_core::power::Power, ApiError>> =
                views.iter().map(|c| committee_power_of(&app, &snapshot, &c.id, None)).collect();
            Ok::<_, ApiError>((app.today(), views, powers))
        })
    };
    let (today, views, powers) = match work.await {
        Ok(Ok(done)) => done,
        Ok(Err(e)) => return failure(&caller, &e),
        Err(e) => return failure(&caller, &ApiError::internal(format!("the power analysis failed: {e}"))),
    };
    let body = html! {
        h1 { "Committees and voting power" }
        p.lede { "Each member's a priori power under the committee's rule on " (today) ", computed exactly. Under consensus and unanimity every seated member holds a veto, so power is equal." }
        @for (c, power) in views.iter().zip(&powers) {
            section.committee id={ "committee-" (c.id) } aria-labelledby={ "title-" (c.id) } {
                h2 id={ "title-" (c.id) } { (c.name.as_deref().unwrap_or(&c.id)) " " span.sub { "(" (c.id) ")" } }
                p { "Rule: " code { (c.rule_text) } " · " (c.seated.len()) " members seated" }
                @match power {
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
                                        td { div.bar { span.fill.banzhaf style={ "width:" (format!("{:.2}", 100.0 * m.banzhaf / top)) "%" } {} } span.num { (format!("{:.4}", m.banzhaf)) } }
                                        td { div.bar { span.fill.shapley style={ "width:" (format!("{:.2}", 100.0 * m.shapley_shubik / top)) "%" } {} } span.num { (format!("{:.4}", m.shapley_shubik)) } }
                                        td.num { (penrose(m.penrose)) }
                                    }
                                }
                            }
                        }
                        }
                        p.sub { (p.winning_coalitions) " winning coalitions; Shapley–Shubik " (p.shapley_shubik_method) "." }
                    }
                }
            }
        }
    };
    layout("Committees and power", &caller, "/committees", body).into_response()
}

/// Penrose values span many orders of magnitude (2^-31 for one veto among 32): small ones in
/// scientific notation, so that none reads as zero.
fn penrose(value: f64) -> String {
    if value != 0.0 && value.abs() < 0.001 { format!("{value:.3e}") } else { format!("{value:.4}") }
}
