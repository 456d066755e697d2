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
use concord_core::Outcome;
use concord_store::{Grant, Role};
use maud::{DOCTYPE, Markup, html};
use serde::Deserialize;

use crate::app::App;
use crate::auth::{COOKIE_NAME, Caller};
use crate::error::ApiError;

/// The page's routes.
pub(crate) fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/", get(board::board))
        .route("/proposals/{id}", get(proposal::page))
        .route("/proposals/{id}/vote", post(proposal::vote))
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
    let body = html! {
        h1 { (title) }
        p.alert.error role="alert" { (error.to_string()) }
        p { a href="/" { "Back to the board" } }
    };
    (error.status(), layout(title, caller, "", body)).into_response()
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
    let word = outcome_word(outcome);
    html! { span class={ "badge " (word) } { (word) } }
}

pub(crate) fn outcome_word(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Adopted => "adopted",
        Outcome::Blocked => "blocked",
        Outcome::Pending => "pending",
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
        p.note { "Delegations record their member's stances and positions; the secretariat circulates proposals and records facts; observers read." }
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
            let next = form
                .next
                .filter(|n| n.starts_with('/') && !n.starts_with("//") && n.chars().all(|c| c.is_ascii_graphic()))
                .unwrap_or_else(|| "/".to_owned());
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
