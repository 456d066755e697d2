//! The web page: a decision board, a page per proposal, committees with their voting power,
//! and the ledger, rendered on the server as plain HTML that works without JavaScript. A small
//! script only submits the what-if form when a fact is toggled.
//!
//! Forms post with the session cookie (`HttpOnly`, `SameSite=Strict`); a post whose `Origin`
//! is another site is refused.

mod board;
mod committees;
mod ledger;
mod proposal;

use std::sync::Arc;

use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, HOST, ORIGIN, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use concord_core::report::DecisionReport;
use concord_core::{Decision, Engine, How, Outcome, Taken, Trigger};
use concord_store::{Grant, Role};
use maud::{DOCTYPE, Markup, html};
use serde::Deserialize;

use crate::app::App;
use crate::auth::{COOKIE_NAME, Caller};
use crate::error::ApiError;

/// The page's routes. A form's write counts against its token's write rate.
pub(crate) fn routes(state: &Arc<App>) -> Router<Arc<App>> {
    let write = |route: axum::routing::MethodRouter<Arc<App>>| {
        route.route_layer(axum::middleware::from_fn_with_state(state.clone(), crate::auth::page_writes_are_counted))
    };
    Router::new()
        .route("/", get(board::board))
        .route("/proposals/{id}", get(proposal::page))
        .route("/proposals/{id}/vote", write(post(proposal::vote)))
        .route("/proposals/{id}/extend", write(post(proposal::extend)))
        .route("/proposals/{id}/withdraw", write(post(proposal::withdraw)))
        .route("/proposals/{id}/close", write(post(proposal::close)))
        .route("/committees", get(committees::page))
        .route("/ledger", get(ledger::page))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/assets/style.css", get(|| asset("text/css; charset=utf-8", include_str!("../../assets/style.css"))))
        .route("/assets/app.js", get(|| asset("text/javascript; charset=utf-8", include_str!("../../assets/app.js"))))
        .fallback(not_found)
}

async fn asset(kind: &'static str, body: &'static str) -> Response {
    ([(CONTENT_TYPE, kind), (CACHE_CONTROL, "public, max-age=3600")], body).into_response()
}

async fn not_found(caller: Caller) -> Response {
    failure(&caller, &ApiError::NotFound("There is no such page.".to_owned()))
}

/// A page that failed: its status and a message, in the layout.
pub(crate) fn failure(caller: &Caller, error: &ApiError) -> Response {
    let title = match error.status() {
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::UNAUTHORIZED => "Log in needed",
        StatusCode::FORBIDDEN => "Not allowed",
        s if s.is_server_error() => "Server error",
        _ => "Cannot do that",
    };
    let message = error.public_message();
    let body = html! {
        h1 { (title) }
        p.alert.error role="alert" { (message) }
        p { a href="/" { "Back to the board" } }
    };
    let mut response = (error.status(), layout(title, caller, "", body)).into_response();
    error.add_headers(&mut response);
    response
}

/// The frame of every page: header with navigation and who is logged in, main, footer.
pub(crate) fn layout(title: &str, caller: &Caller, current: &str, main: Markup) -> Markup {
    let nav = [("/", "Board"), ("/committees", "Committees and power"), ("/ledger", "Ledger")];
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · concord" }
                link rel="stylesheet" href="/assets/style.css";
                script src="/assets/app.js" defer {}
            }
            body {
                a.skip href="#main" { "Skip to content" }
                header.top {
                    a.brand href="/" { "concord" }
                    nav aria-label="Main" {
                        ul {
                            @for (href, label) in nav {
                                li {
                                    @if href == current {
                                        a href=(href) aria-current="page" { (label) }
                                    } @else {
                                        a href=(href) { (label) }
                                    }
                                }
                            }
                        }
                    }
                    div.session {
                        @match &caller.grant {
                            Some(grant) => {
                                span #whoami { (who(grant)) }
                                form method="post" action="/logout" {
                                    button.link type="submit" { "Log out" }
                                }
                            }
                            None => {
                                @let next = serde_urlencoded::to_string([("next", caller.here.as_str())]).unwrap_or_default();
                                @if caller.here.starts_with("/login") || caller.here == "/" {
                                    a #login-link href="/login" { "Log in" }
                                } @else {
                                    a #login-link href={ "/login?" (next) } { "Log in" }
                                }
                            }
                        }
                    }
                }
                main #main { (main) }
                footer {
                    "concord " (concord_core::VERSION) " · "
                    a href="/api/openapi.json" { "API (OpenAPI)" }
                }
            }
        }
    }
}

/// "Delegation of TUR", "Secretariat", "Observer".
pub(crate) fn who(grant: &Grant) -> String {
    let label = grant.label.as_deref().map(|l| format!(" ({l})")).unwrap_or_default();
    match (grant.role, grant.member.as_deref()) {
        (Role::Delegation, Some(m)) => format!("Delegation of {m}"),
        (Role::Secretariat, _) => format!("Secretariat{label}"),
        (Role::Observer, _) => format!("Observer{label}"),
        (Role::Delegation, None) => "Delegation".to_owned(),
    }
}

/// An outcome as a badge: word and colour, never colour alone.
pub(crate) fn outcome_badge(outcome: Outcome) -> Markup {
    let word = outcome.as_str();
    html! { span class={ "badge " (word) } { (word) } }
}

/// How a decision was taken, in words: "at its deadline", "closed by the secretariat", ….
pub(crate) fn how_words(engine: &Engine, taken: Taken) -> String {
    let s = engine.scenario();
    match taken.how {
        How::Deadline => "at its deadline".to_owned(),
        How::Adopted => "adopted by the rule".to_owned(),
        How::Withdrawn => "withdrawn".to_owned(),
        How::Superseded { by } => {
            format!("superseded by {}", s.proposals.get(by).map_or("a revised text", |p| p.id.as_str()))
        }
        How::Recorded { record } => match s.decisions.get(record).map(|r| r.trigger) {
            Some(Trigger::Deadline) => "recorded at its deadline".to_owned(),
            Some(Trigger::Adopted) => "recorded when the rule adopted it".to_owned(),
            Some(Trigger::Close) => "closed by the secretariat".to_owned(),
            Some(Trigger::Record) | None => "as the record gives it".to_owned(),
        },
    }
}

/// Under a row's outcome: once decided, "final since DATE" with how, the record it comes from,
/// the rule's outcome where the record differs, and "would now be …"; while open, the deadline.
pub(crate) fn decision_note(engine: &Engine, d: &Decision, r: &DecisionReport) -> Markup {
    html! {
        @if let Some(taken) = d.taken {
            div.final { "final since " time datetime=(taken.on) { (taken.on) } ", " (how_words(engine, taken)) }
            @if let Some(recorded) = &r.recorded { div.sub.recorded { "recorded: " (recorded.source) } }
            @if let Some(computed) = r.computed { div.sub.computed { "the rule gives " (computed.as_str()) } }
            @if let Some(now) = r.would_now_be { div.sub.would { "would now be " (now.as_str()) } }
        } @else if let Some(deadline) = r.deadline {
            @if r.procedure == "meeting" {
                div.sub { "meeting on " (deadline) }
            } @else {
                div.sub { "silence until " (deadline) }
            }
        }
    }
}

/// Refuses a form post sent from another site.
pub(crate) fn same_origin(headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(origin) = headers.get(ORIGIN).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    let host = headers.get(HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
    if origin_host == host {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!("a form from {origin} may not post here")))
    }
}

#[derive(Debug, Default, Deserialize)]
struct LoginQuery {
    next: Option<String>,
}

async fn login_form(caller: Caller, Query(q): Query<LoginQuery>) -> Markup {
    login_page(&caller, q.next.as_deref(), None)
}

fn login_page(caller: &Caller, next: Option<&str>, error: Option<&str>) -> Markup {
    let body = html! {
        h1 { "Log in" }
        p { "Paste the token your secretariat gave you. It is kept in a cookie of this browser only, until you log out." }
        @if let Some(e) = error { p.alert.error role="alert" { (e) } }
        form.stack method="post" action="/login" {
            label for="token" { "Token" }
            input #token type="password" name="token" autocomplete="off" required spellcheck="false";
            input type="hidden" name="next" value=(next.unwrap_or("/"));
            button #login-submit type="submit" { "Log in" }
        }
        p.note { "Delegations record their member's stances and positions; the secretariat circulates, extends, withdraws and closes proposals and records facts; observers read." }
    };
    layout("Log in", caller, "", body)
}

#[derive(Debug, Deserialize)]
struct LoginForm {
    token: String,
    next: Option<String>,
}

async fn login(State(app): State<Arc<App>>, headers: HeaderMap, Form(form): Form<LoginForm>) -> Response {
    if let Err(e) = same_origin(&headers) {
        return failure(&Caller::default(), &e);
    }
    let secret = form.token.trim();
    match app.grant(secret) {
        Ok(Some(_)) => {
            // Only paths on this site: never redirect elsewhere.
            let next = form.next.filter(|n| is_local_path(n)).unwrap_or_else(|| "/".to_owned());
            let cookie = format!("{COOKIE_NAME}={secret}; Path=/; HttpOnly; SameSite=Strict");
            with_cookie(Redirect::to(&next).into_response(), &cookie)
        }
        Ok(None) => {
            let page = login_page(&Caller::default(), form.next.as_deref(), Some("That token is unknown or revoked."));
            (StatusCode::UNAUTHORIZED, page).into_response()
        }
        Err(e) => failure(&Caller::default(), &e),
    }
}

/// Whether `next` is a path on this site: it starts with one `/`, and has no backslash (which
/// browsers read as a slash, so `/\host` would leave the site) and no space or control character.
fn is_local_path(next: &str) -> bool {
    next.starts_with('/') && !next.starts_with("//") && next.chars().all(|c| c.is_ascii_graphic() && c != '\\')
}

async fn logout(headers: HeaderMap) -> Response {
    if let Err(e) = same_origin(&headers) {
        return failure(&Caller::default(), &e);
    }
    let cookie = format!("{COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    with_cookie(Redirect::to("/").into_response(), &cookie)
}

fn with_cookie(mut response: Response, cookie: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().insert(SET_COOKIE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

    use axum::http::{StatusCode, header};

    use crate::testing::TestServer;

    #[tokio::test]
    async fn the_board_is_plain_html_with_every_proposal_and_its_outcome() {
        let server = TestServer::new("2025-06-15");
        let page = server.get("/", None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.header(header::CONTENT_TYPE).unwrap().starts_with("text/html"));
        for (proposal, outcome) in [
            ("eadrcc-2025-montana", "blocked"),
            ("isr-continuing-status", "adopted"),
            ("steadfast-2026-spec", "pending"),
            ("nuc-2025-statement", "blocked"),
        ] {
            let row = format!("data-proposal=\"{proposal}\" data-outcome=\"{outcome}\"");
            assert!(page.body.contains(&row), "no `{row}` on the board");
        }
        // The cell says in words what its colour says.
        assert!(page.body.contains("TUR object by standing position"));
        assert!(page.body.contains("HUN object by vote"));
        assert!(page.body.contains("<div class=\"by\">by TUR</div>"), "the row names who blocks");
    }

    #[tokio::test]
    async fn a_proposal_page_gives_the_position_its_source_its_policy_and_the_facts() {
        let server = TestServer::new("2025-06-15");
        let page = server.get("/proposals/eadrcc-2025-montana", None).await;
        assert_eq!(page.status, StatusCode::OK);
        for needle in [
            "tur-no-new-israel-engagement",
            "Middle East Eye, 2025",
            "resource.partners.contains(Partner::&quot;ISR&quot;)",
            "gaza_permanent_ceasefire",
            "Reuters, 18 March 2025",
            "deadline 2025-06-13",
        ] {
            assert!(page.body.contains(needle), "no `{needle}` on the page");
        }
    }

    #[tokio::test]
    async fn a_proposal_page_shows_whom_a_linked_position_follows() {
        let osce = include_str!("../../../../examples/osce-2023.toml");
        let server = TestServer::with_scenario("2023-12-31", osce);
        let page = server.get("/proposals/chair-2024-estonia", None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body
                .contains("because RUS objects under position rus-no-nato-chair-2024 (read RUS&#39;s stance: object)")
                || page
                    .body
                    .contains("because RUS objects under position rus-no-nato-chair-2024 (read RUS's stance: object)"),
            "the page does not say whom BLR follows"
        );
    }

    #[tokio::test]
    async fn what_if_on_the_board_marks_what_would_change_and_records_nothing() {
        let server = TestServer::new("2025-06-15");
        let size = server.size().await;
        let query = "/?at=2025-06-15&set=gaza_permanent_ceasefire%3Dtrue&set=gaza_aid_unobstructed%3Dtrue";
        let page = server.get(query, None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("data-proposal=\"eadrcc-2025-montana\" data-outcome=\"adopted\" class=\"changed\""));
        assert!(page.body.contains("1 proposal(s) would change"));
        assert!(page.body.contains("data-proposal=\"nuc-2025-statement\" data-outcome=\"blocked\">"));
        assert_eq!(server.size().await, size);
        let bad = server.get("/?set=nonsense", None).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(bad.body.contains("FACT=VALUE"));
    }

    #[tokio::test]
    async fn a_blocked_proposal_says_what_would_unblock_it_with_a_link_to_the_what_if() {
        let server = TestServer::new("2025-06-15");
        let page = server.get("/proposals/eadrcc-2025-montana", None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("What would unblock this"), "no section");
        assert!(
            page.body.contains("<li class=\"way\">TUR consents · <span class=\"sub\">takes the consent of TUR</span>")
        );
        assert!(page.body.contains("gaza_aid_unobstructed = true and gaza_permanent_ceasefire = true"));
        let link = "/?at=2025-06-15&amp;set=gaza_aid_unobstructed%3Dtrue&amp;set=gaza_permanent_ceasefire%3Dtrue";
        assert!(page.body.contains(link), "no what-if link");
        assert!(page.body.contains("lifts when gaza_permanent_ceasefire is true and gaza_aid_unobstructed is true"));
        // The link opens the board's what-if, where the exercise is adopted, and it says why.
        let what_if = server.get(&link.replace("&amp;", "&"), None).await;
        assert_eq!(what_if.status, StatusCode::OK);
        assert!(
            what_if.body.contains("data-proposal=\"eadrcc-2025-montana\" data-outcome=\"adopted\" class=\"changed\"")
        );
        assert!(
            what_if.body.contains(
                "TUR&#39;s position tur-no-new-israel-engagement stops applying, because of gaza_aid_unobstructed and gaza_permanent_ceasefire"
            ) || what_if.body.contains(
                "TUR's position tur-no-new-israel-engagement stops applying, because of gaza_aid_unobstructed and gaza_permanent_ceasefire"
            ),
            "the banner does not say which position stopped applying"
        );
        // An adopted proposal has no such section.
        let adopted = server.get("/proposals/isr-continuing-status", None).await;
        assert!(!adopted.body.contains("What would unblock this"));
    }

    #[tokio::test]
    async fn the_proposal_page_in_a_what_if_names_the_position_that_stopped_applying() {
        let server = TestServer::new("2025-06-15");
        let page = server
            .get(
                "/proposals/eadrcc-2025-montana?at=2025-06-15&set=gaza_permanent_ceasefire%3Dtrue&set=gaza_aid_unobstructed%3Dtrue",
                None,
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("id=\"what-if-why\""), "no reasons in the banner");
        assert!(page.body.contains("tur-no-new-israel-engagement stops applying"));
        let one = server.get("/proposals/eadrcc-2025-montana?set=gaza_permanent_ceasefire%3Dtrue", None).await;
        assert!(!one.body.contains("what-if-why"), "one fact alone moves no position");
    }

    #[tokio::test]
    async fn logging_in_sets_a_strict_http_only_cookie_and_stays_on_this_site() {
        let server = TestServer::new("2025-06-15");
        let token = server.secretariat.clone();
        let ok = server.form("/login", None, None, &format!("token={token}&next=/proposals/mtep-2026")).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        assert_eq!(ok.header(header::LOCATION), Some("/proposals/mtep-2026"));
        let cookie = ok.header(header::SET_COOKIE).unwrap();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
        for next in ["//evil.example/", "https://evil.example/", "/\\evil"] {
            let body = serde_urlencoded::to_string([("token", token.as_str()), ("next", next)]).unwrap();
            let answer = server.form("/login", None, None, &body).await;
            assert_eq!(answer.header(header::LOCATION), Some("/"), "{next}");
        }
        let wrong = server.form("/login", None, None, "token=concord_wrong").await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert!(wrong.header(header::SET_COOKIE).is_none());
    }

    #[tokio::test]
    async fn a_form_posted_from_another_site_is_refused() {
        let server = TestServer::new("2025-06-20");
        let size = server.size().await;
        let body = "member=NOR&stance=consent";
        let vote = "/proposals/steadfast-2026-spec/vote";
        let token = server.secretariat.clone();
        let foreign = server.form(vote, Some(&token), Some("https://evil.example"), body).await;
        assert_eq!(foreign.status, StatusCode::FORBIDDEN);
        assert_eq!(server.size().await, size);
        let same = server.form(vote, Some(&token), Some("http://concord.test"), body).await;
        assert_eq!(same.status, StatusCode::SEE_OTHER, "{}", same.body);
        assert_eq!(server.size().await, size + 1);
    }

    #[tokio::test]
    async fn a_delegation_sees_a_form_for_its_own_member_only() {
        let server = TestServer::new("2025-06-20");
        let norway = server.token("delegation", Some("NOR")).await;
        let request = axum::http::Request::get("/proposals/steadfast-2026-spec")
            .header(header::COOKIE, format!("{}={norway}", crate::auth::COOKIE_NAME));
        let page = server.send(request.body(axum::body::Body::empty()).unwrap()).await;
        assert!(page.body.contains("Delegation of NOR"));
        assert!(page.body.contains("<input type=\"hidden\" name=\"member\" value=\"NOR\">"));
        let forged =
            server.form("/proposals/steadfast-2026-spec/vote", Some(&norway), None, "member=DNK&stance=consent");
        let forged = forged.await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
    }

    // See: issue 11 (`?recorded=ANY TEXT` printed a "Recorded in ledger entry ANY TEXT" banner).
    #[tokio::test]
    async fn r11_the_recorded_banner_shows_only_an_entry_of_the_proposal() {
        let server = TestServer::new("2025-06-20");
        for query in ["ANY%20TEXT", "%3Cb%3Ebold%3C%2Fb%3E", "99999", "1"] {
            let page = server.get(&format!("/proposals/steadfast-2026-spec?recorded={query}"), None).await;
            assert_eq!(page.status, StatusCode::OK, "{query}");
            assert!(!page.body.contains("Recorded in ledger entry"), "{query}: a banner for no entry of it");
            assert!(!page.body.contains("ANY TEXT") && !page.body.contains("<b>bold"), "{query}");
            assert!(!page.body.contains("&lt;b&gt;bold"), "{query}");
        }
        let token = server.secretariat.clone();
        let voted = server.form("/proposals/steadfast-2026-spec/vote", Some(&token), None, "member=NOR&stance=consent");
        let location = voted.await.header(header::LOCATION).unwrap().to_owned();
        let entry = location.rsplit_once('=').unwrap().1.to_owned();
        let page = server.get(&location, None).await;
        assert!(page.body.contains(&format!("Recorded in ledger entry {entry}.")), "{}", page.body);
        // The entry is this proposal's, not another's.
        let other = server.get(&format!("/proposals/eadrcc-2025-montana?recorded={entry}"), None).await;
        assert!(!other.body.contains("Recorded in ledger entry"));
    }

    fn with_cookie(path: &str, token: &str) -> axum::http::Request<axum::body::Body> {
        axum::http::Request::get(path)
            .header(header::COOKIE, format!("{}={token}", crate::auth::COOKIE_NAME))
            .body(axum::body::Body::empty())
            .unwrap()
    }

    #[tokio::test]
    async fn a_proposal_page_shows_the_decision_as_taken_and_what_it_would_now_be() {
        let server = TestServer::new("2025-06-20");
        let page = server.get("/proposals/eadrcc-2025-montana", None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        for needle in [
            "<strong>final</strong> since <time datetime=\"2025-06-13\">2025-06-13</time>, recorded at its deadline",
            "Recorded: blocked on 2025-06-13, ledger entry ",
            "Stances on 2025-06-13, the day of the decision",
            "silence procedure, deadline 2025-06-13",
            "The decision is taken; no stance can be recorded now.",
        ] {
            assert!(page.body.contains(needle), "no `{needle}` on the page");
        }
        assert!(!page.body.contains("would-now-be"));
        // Once the facts TUR waits for are recorded, the decision stands and says what it would
        // now be.
        for id in ["gaza_permanent_ceasefire", "gaza_aid_unobstructed"] {
            let fact = serde_json::json!({"id": id, "value": true, "source": "test"});
            server.post("/api/facts", Some(&server.secretariat), &fact).await;
        }
        let page = server.get("/proposals/eadrcc-2025-montana", None).await;
        assert!(page.body.contains("Would now be <strong>adopted</strong>, were it put again on 2025-06-20."));
        assert!(page.body.contains("<span class=\"badge blocked\">blocked</span>"));
    }

    #[tokio::test]
    async fn a_record_that_the_rule_disagrees_with_stands_and_says_so() {
        let scenario = r#"
[scenario]
id = "osce"
as_of = 2023-12-05
[[member]]
id = "A"
[[member]]
id = "B"
[[committee]]
id = "PC"
members = "all"
rule = "consensus"
[[proposal]]
id = "ub-2024"
committee = "PC"
kind = "budget"
partners = []
engagement = "new"
circulated = 2023-11-01
deadline = 2023-12-01
procedure = "meeting"
[[decision]]
proposal = "ub-2024"
on = 2023-12-01
outcome = "blocked"
source = "OSCE Chairpersonship statement, Skopje, 1 December 2023"
note = "no consensus on the 2024 unified budget"
"#;
        let server = TestServer::with_scenario("2023-12-05", scenario);
        let page = server.get("/proposals/ub-2024", None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        for needle in [
            "as the record gives it",
            "OSCE Chairpersonship statement, Skopje, 1 December 2023 (no consensus on the 2024 unified budget)",
            "The record says <strong>blocked</strong>; with the stances of 2023-12-01 the rule gives <strong>adopted</strong>. The record stands.",
            "meeting, deadline 2023-12-01",
        ] {
            assert!(page.body.contains(needle), "no `{needle}` on the page");
        }
        let board = server.get("/", None).await.body;
        assert!(board.contains("the rule gives adopted") && board.contains("would now be adopted"), "{board}");
    }

    #[tokio::test]
    async fn the_secretariat_extends_and_closes_from_the_proposal_page() {
        let server = TestServer::new("2025-06-20");
        let token = server.secretariat.clone();
        let page = server.send(with_cookie("/proposals/steadfast-2026-spec", &token)).await;
        for form in ["id=\"extend-form\"", "id=\"withdraw-form\"", "id=\"close-form\"", "value=\"silent\""] {
            assert!(page.body.contains(form), "no {form} for the secretariat");
        }
        let norway = server.token("delegation", Some("NOR")).await;
        let page = server.send(with_cookie("/proposals/steadfast-2026-spec", &norway)).await;
        assert!(!page.body.contains("extend-form"), "a delegation sees no secretariat form");
        let decided = server.send(with_cookie("/proposals/eadrcc-2025-montana", &token)).await;
        assert!(!decided.body.contains("close-form"), "no form on a decided proposal");

        let size = server.size().await;
        let extend = "/proposals/steadfast-2026-spec/extend";
        let foreign = server.form(extend, Some(&token), Some("https://evil.example"), "deadline=2025-07-10").await;
        assert_eq!(foreign.status, StatusCode::FORBIDDEN);
        let by_delegation = server.form(extend, Some(&norway), None, "deadline=2025-07-10").await;
        assert_eq!(by_delegation.status, StatusCode::FORBIDDEN);
        let bad = server.form(extend, Some(&token), None, "deadline=soon").await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(bad.body.contains("Not recorded"), "{}", bad.body);
        let early = server.form(extend, Some(&token), Some("http://concord.test"), "deadline=2025-06-01").await;
        assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", early.body);
        assert_eq!(server.size().await, size);
        let moved = server
            .form(extend, Some(&token), Some("http://concord.test"), "deadline=2025-07-10&reason=more+time")
            .await;
        assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
        let page = server.get("/proposals/steadfast-2026-spec", None).await;
        assert!(page.body.contains("silence procedure until <strong>2025-07-10</strong>"), "{}", page.body);
        let closed = server.form("/proposals/steadfast-2026-spec/close", Some(&token), None, "reason=").await;
        assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.body);
        let page = server.get("/proposals/steadfast-2026-spec", None).await;
        assert!(page.body.contains("closed by the secretariat"), "{}", page.body);
        assert!(page.body.contains("<span class=\"badge adopted\">adopted</span>"));
        let again = server.form("/proposals/steadfast-2026-spec/withdraw", Some(&token), None, "reason=late").await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", again.body);
        assert_eq!(server.size().await, size + 2);
    }

    /// WCAG's contrast ratio of two `#rrggbb` colours.
    fn contrast(a: &str, b: &str) -> f64 {
        let luminance = |hex: &str| {
            let channel = |i: usize| {
                let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
                if c <= 0.039_28 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
            };
            0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
        };
        let (x, y) = (luminance(a), luminance(b));
        (x.max(y) + 0.05) / (x.min(y) + 0.05)
    }

    #[test]
    fn the_style_sheet_colours_meet_wcag_aa_contrast() {
        let css = include_str!("../../assets/style.css");
        let var = |name: &str| {
            let at = css.find(&format!("--{name}:")).unwrap_or_else(|| panic!("no --{name}"));
            css[at..].split_once('#').unwrap().1.get(..6).map(|h| format!("#{h}")).unwrap()
        };
        // Text on its background: 4.5:1. The focus rings and the bars: 3:1 (non-text).
        let text = [
            ("ink", "paper"),
            ("muted", "paper"),
            ("muted", "wash"),
            ("faint", "paper"),
            ("accent", "paper"),
            ("ok", "ok-bg"),
            ("bad", "bad-bg"),
            ("wait", "wait-bg"),
            ("what-if-ink", "what-if"),
            ("paper", "bad"),
        ];
        for (fg, bg) in text {
            let ratio = contrast(&var(fg), &var(bg));
            assert!(ratio >= 4.5, "--{fg} on --{bg}: {ratio:.2}:1");
        }
        assert!(contrast(&var("accent"), &var("paper")) >= 3.0);
        assert!(contrast(&var("focus"), "#0d1b2a") >= 3.0, "the header's focus ring");
    }

    #[tokio::test]
    async fn every_page_answers_and_unknown_ones_are_404_in_the_layout() {
        let server = TestServer::new("2025-06-15");
        for path in ["/", "/proposals/eadrcc-2025-montana", "/committees", "/ledger", "/login", "/assets/style.css"] {
            let page = server.get(path, None).await;
            assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        }
        let ledger = server.get("/ledger", None).await;
        assert!(ledger.body.contains("verified"), "{}", ledger.body);
        let missing = server.get("/nowhere", None).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert!(missing.body.contains("Back to the board"));
        let proposal = server.get("/proposals/nope", None).await;
        assert_eq!(proposal.status, StatusCode::NOT_FOUND);
    }
}
