//! Who is asking: a bearer token (`Authorization: Bearer …`, for the API) or the page's session
//! cookie, resolved to its grant; and what each role may do.
//!
//! - secretariat: everything: proposals, facts, positions and votes of any member, extending,
//!   withdrawing and closing proposals, the clock, tokens, and the date of a write (`at`);
//! - delegation: its own member's votes and positions, dated by the server's clock;
//! - observer: reading.
//!
//! Reading needs no token unless the server runs with `--private`.

use std::sync::Arc;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use concord_core::Date;
use concord_store::{Grant, Role};

use crate::app::App;
use crate::error::ApiError;

/// The page's session cookie: it holds the token the user logged in with.
pub(crate) const COOKIE_NAME: &str = "concord_token";

/// The caller of a request.
#[derive(Clone, Debug, Default)]
pub(crate) struct Caller {
    /// The token's grant; none for an anonymous caller.
    pub grant: Option<Grant>,
    /// The path and query asked for, where a page's "Log in" link comes back to.
    pub here: String,
    /// Whether the grant came from the page's session cookie (rather than a bearer token).
    pub by_cookie: bool,
}

impl FromRequestParts<Arc<App>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Caller, ApiError> {
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(caller.clone());
        }
        let here = parts.uri.path_and_query().map_or_else(|| "/".to_owned(), ToString::to_string);
        if let Some(value) = parts.headers.get(AUTHORIZATION) {
            let text = value.to_str().unwrap_or_default();
            // The scheme's name is case-insensitive (RFC 9110, section 11.1).
            let secret =
                text.split_once(' ').filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer")).map(|(_, s)| s.trim());
            let Some(secret) = secret.filter(|s| !s.is_empty()) else {
                return Err(ApiError::Unauthorized("give the token as `Authorization: Bearer TOKEN`".to_owned()));
            };
            return match app.grant(secret)? {
                Some(grant) => Ok(Caller { grant: Some(grant), here, by_cookie: false }),
                None => Err(ApiError::Unauthorized("the token is unknown or revoked".to_owned())),
            };
        }
        // A cookie naming a revoked token leaves the caller anonymous.
        match cookie(parts) {
            Some(secret) => {
                let grant = app.grant(&secret)?;
                Ok(Caller { by_cookie: grant.is_some(), grant, here })
            }
            None => Ok(Caller { grant: None, here, by_cookie: false }),
        }
    }
}

/// Answers an API write before its body is read or checked: 401 without a live token; 403 when
/// the token is the session cookie and the request does not come from this site (its `Origin`
/// is missing or another site's); 429 when the token writes faster than its rate. Hands the
/// caller it found to the handler.
pub(crate) async fn writes_need_a_token(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    use axum::body::HttpBody;
    let (mut parts, body) = request.into_parts();
    let has_body = !body.is_end_stream();
    let checked = match Caller::from_request_parts(&mut parts, &app).await {
        Ok(caller) => caller
            .require()
            .and_then(|grant| {
                if caller.by_cookie {
                    from_this_site(&parts.headers)?;
                }
                app.rate.take(grant.id)
            })
            .map(|()| caller),
        Err(e) => Err(e),
    };
    let caller = match checked {
        Ok(caller) => caller,
        Err(e) => return crate::http::before_the_body(e.into_response(), has_body),
    };
    parts.extensions.insert(caller);
    next.run(Request::from_parts(parts, body)).await
}

/// Counts a page's write (a form post with the session cookie) against its token's rate, and
/// answers 429 past it; an anonymous post goes on to be refused by its handler.
pub(crate) async fn page_writes_are_counted(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    use axum::body::HttpBody;
    let (mut parts, body) = request.into_parts();
    let has_body = !body.is_end_stream();
    let caller = match Caller::from_request_parts(&mut parts, &app).await {
        Ok(caller) => caller,
        Err(e) => return crate::http::before_the_body(crate::page::failure(&Caller::default(), &e), has_body),
    };
    if let Some(grant) = &caller.grant
        && let Err(e) = app.rate.take(grant.id)
    {
        return crate::http::before_the_body(crate::page::failure(&caller, &e), has_body);
    }
    parts.extensions.insert(caller);
    next.run(Request::from_parts(parts, body)).await
}

/// Refuses a request authenticated by the session cookie unless its `Origin` is this site, as a
/// browser sends it with every `POST` and `DELETE`: another site's page could otherwise make the
/// browser write with its user's cookie.
fn from_this_site(headers: &axum::http::HeaderMap) -> Result<(), ApiError> {
    use axum::http::header::{HOST, ORIGIN};
    let origin = headers.get(ORIGIN).and_then(|v| v.to_str().ok());
    let host = headers.get(HOST).and_then(|v| v.to_str().ok());
    let origin_host = origin.map(|o| o.split_once("://").map_or(o, |(_, rest)| rest));
    match (origin_host, host) {
        (Some(o), Some(h)) if o.eq_ignore_ascii_case(h) => Ok(()),
        (None, _) => Err(ApiError::Forbidden(
            "a write with the session cookie must come from this site's page (no `Origin`); a script sends `Authorization: Bearer TOKEN`".to_owned(),
        )),
        (Some(_), _) => Err(ApiError::Forbidden(format!(
            "a write with the session cookie from {} may not write here; a script sends `Authorization: Bearer TOKEN`",
            origin.unwrap_or_default()
        ))),
    }
}

fn cookie(parts: &Parts) -> Option<String> {
    parts.headers.get_all(COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == COOKIE_NAME && !value.is_empty()).then(|| value.to_owned())
    })
}

impl Caller {
    /// A grant, or 401.
    pub(crate) fn require(&self) -> Result<&Grant, ApiError> {
        self.grant
            .as_ref()
            .ok_or_else(|| ApiError::Unauthorized("this needs a token: send `Authorization: Bearer TOKEN`".to_owned()))
    }

    /// May read: anyone, or on a private server anyone with a token.
    pub(crate) fn read(&self, app: &App) -> Result<(), ApiError> {
        if app.private {
            self.require()?;
        }
        Ok(())
    }

    /// The secretariat, or 401/403.
    pub(crate) fn secretariat(&self, what: &str) -> Result<&Grant, ApiError> {
        let grant = self.require()?;
        match grant.role {
            Role::Secretariat => Ok(grant),
            role => Err(ApiError::Forbidden(format!("only the secretariat may {what}; this token is a {role}'s"))),
        }
    }

    /// May choose a write's date: only the secretariat; anyone else's write is dated by the
    /// server's clock, and a write of theirs that names a date is refused (403).
    pub(crate) fn may_date(&self, at: Option<Date>) -> Result<(), ApiError> {
        let grant = self.require()?;
        match (at, grant.role) {
            (None, _) | (Some(_), Role::Secretariat) => Ok(()),
            (Some(at), role) => Err(ApiError::Forbidden(format!(
                "only the secretariat may date a write (`at` = {at}); a {role}'s write is dated by the server's clock: leave `at` out"
            ))),
        }
    }

    /// May have a position take effect from `since`: a delegation's position takes effect no
    /// earlier than the day it is recorded (`today`, the server's date, which dates its write);
    /// only the secretariat may record one in force from an earlier date (403 otherwise).
    pub(crate) fn may_start(&self, since: Option<Date>, today: Date) -> Result<(), ApiError> {
        let grant = self.require()?;
        match (since, grant.role) {
            (Some(since), role) if role != Role::Secretariat && since < today => Err(ApiError::Forbidden(format!(
                "a {role}'s position takes effect no earlier than the day it is recorded, {today}: `since` = {since} is before it; leave `since` out, or give a later date"
            ))),
            _ => Ok(()),
        }
    }

    /// The secretariat or the delegation of `member`, or 401/403.
    pub(crate) fn speak_for(&self, member: &str, what: &str) -> Result<&Grant, ApiError> {
        let grant = self.require()?;
        match (grant.role, grant.member.as_deref()) {
            (Role::Secretariat, _) => Ok(grant),
            (Role::Delegation, Some(own)) if own == member => Ok(grant),
            (Role::Delegation, own) => Err(ApiError::Forbidden(format!(
                "the delegation of {} may not {what} for {member}",
                own.unwrap_or("no member")
            ))),
            (Role::Observer, _) => Err(ApiError::Forbidden(format!("an observer may not {what}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

    use axum::http::{StatusCode, header};
    use serde_json::json;

    use crate::testing::TestServer;

    fn vote(member: &str) -> serde_json::Value {
        json!({"proposal": "steadfast-2026-spec", "member": member, "stance": "consent"})
    }

    #[tokio::test]
    async fn a_write_without_a_token_is_401_with_a_challenge() {
        let server = TestServer::new("2025-06-20");
        let answer = server.post("/api/votes", None, &vote("NOR")).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert_eq!(answer.header(header::WWW_AUTHENTICATE), Some("Bearer realm=\"concord\""));
        assert!(answer.json()["error"].as_str().unwrap().contains("token"));
    }

    #[tokio::test]
    async fn a_malformed_or_unknown_token_is_401() {
        let server = TestServer::new("2025-06-20");
        for value in ["Basic dXNlcjpwYXNz", "Bearer", "Bearer concord_nope", "bearer x"] {
            let request = axum::http::Request::get("/api/whoami").header(header::AUTHORIZATION, value);
            let answer = server.send(request.body(axum::body::Body::empty()).unwrap()).await;
            assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{value}");
        }
    }

    #[tokio::test]
    async fn each_role_may_do_its_own_and_nothing_more() {
        let server = TestServer::new("2025-06-20");
        let norway = server.token("delegation", Some("NOR")).await;
        let observer = server.token("observer", None).await;
        let fact = json!({"id": "gaza_permanent_ceasefire", "value": true, "source": "test"});
        let position = json!({"id": "dnk-p", "member": "DNK", "source": "x",
            "policy": "forbid (principal, action, resource) when { resource.kind == \"exercise\" };"});
        let size = server.size().await;
        let refused = [
            ("/api/votes", norway.as_str(), vote("DNK"), StatusCode::FORBIDDEN),
            ("/api/positions", norway.as_str(), position.clone(), StatusCode::FORBIDDEN),
            ("/api/facts", norway.as_str(), fact.clone(), StatusCode::FORBIDDEN),
            ("/api/tick", norway.as_str(), json!({}), StatusCode::FORBIDDEN),
            ("/api/tokens", norway.as_str(), json!({"role": "secretariat"}), StatusCode::FORBIDDEN),
            ("/api/votes", observer.as_str(), vote("NOR"), StatusCode::FORBIDDEN),
            ("/api/facts", observer.as_str(), fact.clone(), StatusCode::FORBIDDEN),
        ];
        for (path, token, body, status) in refused {
            let answer = server.post(path, Some(token), &body).await;
            assert_eq!(answer.status, status, "{path} {body}: {}", answer.body);
            assert!(answer.json()["error"].is_string());
        }
        assert_eq!(server.size().await, size, "a refused write was recorded");
        assert_eq!(server.post("/api/votes", Some(&norway), &vote("NOR")).await.status, StatusCode::CREATED);
        let own = json!({"id": "nor-p", "member": "NOR", "source": "x",
            "policy": "forbid (principal, action, resource) when { resource.kind == \"exercise\" };"});
        assert_eq!(server.post("/api/positions", Some(&norway), &own).await.status, StatusCode::CREATED);
        // The secretariat speaks for any member.
        assert_eq!(
            server.post("/api/positions", Some(&server.secretariat), &position).await.status,
            StatusCode::CREATED
        );
        assert_eq!(server.post("/api/facts", Some(&server.secretariat), &fact).await.status, StatusCode::CREATED);
        assert_eq!(server.size().await, size + 4);
        // Everyone may read.
        assert_eq!(server.get("/api/decisions", Some(&observer)).await.status, StatusCode::OK);
        assert_eq!(server.get("/api/decisions", None).await.status, StatusCode::OK);
    }

    #[tokio::test]
    async fn a_private_server_needs_a_token_to_read() {
        let server = TestServer::with("2025-06-20", true);
        assert_eq!(server.get("/api/decisions", None).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(server.get("/", None).await.status, StatusCode::UNAUTHORIZED);
        let observer = server.token("observer", None).await;
        assert_eq!(server.get("/api/decisions", Some(&observer)).await.status, StatusCode::OK);
    }

    // See: issue 11 (`--private` still served `/api/status` anonymously).
    #[tokio::test]
    async fn r11_a_private_server_needs_a_token_for_its_status_too() {
        let server = TestServer::with("2025-06-20", true);
        let anonymous = server.get("/api/status", None).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{}", anonymous.body);
        assert!(!anonymous.body.contains("nato-2025"), "{}", anonymous.body);
        assert_eq!(server.get("/api/status", Some(&server.secretariat)).await.status, StatusCode::OK);
        // Only what says nothing about the store stays open: who is asking, the API's document,
        // the login page and the assets.
        for path in ["/api/whoami", "/api/openapi.json", "/login", "/assets/style.css"] {
            assert_eq!(server.get(path, None).await.status, StatusCode::OK, "{path}");
        }
        for path in ["/api/ledger", "/api/proposals", "/api/committees", "/api/committees/NAC/power", "/committees"] {
            assert_eq!(server.get(path, None).await.status, StatusCode::UNAUTHORIZED, "{path}");
        }
    }

    /// An API write authenticated by the session cookie, with an `Origin` if given.
    fn cookie_write(token: &str, origin: Option<&str>) -> axum::http::Request<axum::body::Body> {
        let mut request = axum::http::Request::post("/api/votes")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::HOST, "concord.test")
            .header(header::COOKIE, format!("{}={token}", crate::auth::COOKIE_NAME));
        if let Some(origin) = origin {
            request = request.header(header::ORIGIN, origin);
        }
        request.body(axum::body::Body::from(vote("NOR").to_string())).unwrap()
    }

    // See: issue 11 (the JSON API accepted the session cookie with a foreign `Origin`).
    #[tokio::test]
    async fn r11_an_api_write_by_cookie_must_come_from_this_site() {
        let server = TestServer::new("2025-06-20");
        let norway = server.token("delegation", Some("NOR")).await;
        let size = server.size().await;
        for origin in [Some("https://evil.example"), Some("null"), Some("http://concord.test.evil.example"), None] {
            let answer = server.send(cookie_write(&norway, origin)).await;
            assert_eq!(answer.status, StatusCode::FORBIDDEN, "{origin:?}: {}", answer.body);
            assert!(answer.json()["error"].as_str().unwrap().contains("Bearer"), "{}", answer.body);
        }
        assert_eq!(server.size().await, size, "nothing is recorded");
        let same = server.send(cookie_write(&norway, Some("http://concord.test"))).await;
        assert_eq!(same.status, StatusCode::CREATED, "{}", same.body);
        // A bearer token is not a cookie: no `Origin` needed, and a foreign one changes nothing.
        let bearer = axum::http::Request::post("/api/votes")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ORIGIN, "https://evil.example")
            .header(header::AUTHORIZATION, format!("Bearer {norway}"))
            .body(axum::body::Body::from(vote("NOR").to_string()))
            .unwrap();
        assert_eq!(server.send(bearer).await.status, StatusCode::CREATED);
        assert_eq!(server.size().await, size + 2);
    }

    // See: issue 11 (a delegation could back-date a position's `since` to 2000).
    #[tokio::test]
    async fn r11_a_delegation_cannot_back_date_its_position() {
        let server = TestServer::new("2025-06-20");
        let norway = server.token("delegation", Some("NOR")).await;
        let size = server.size().await;
        let position = |id: &str, since: &str| {
            json!({"id": id, "member": "NOR", "source": "x", "since": since,
                "policy": "forbid (principal, action, resource) when { resource.kind == \"exercise\" };"})
        };
        for since in ["2000-01-01", "2025-06-19"] {
            let answer = server.post("/api/positions", Some(&norway), &position("nor-p", since)).await;
            assert_eq!(answer.status, StatusCode::FORBIDDEN, "{since}: {}", answer.body);
            let error = answer.json()["error"].as_str().unwrap().to_owned();
            assert!(error.contains("no earlier than the day it is recorded, 2025-06-20"), "{error}");
        }
        assert_eq!(server.size().await, size, "nothing is recorded");
        // From the day it is recorded, or later, it may.
        for (id, since) in [("nor-today", "2025-06-20"), ("nor-later", "2025-07-01")] {
            let answer = server.post("/api/positions", Some(&norway), &position(id, since)).await;
            assert_eq!(answer.status, StatusCode::CREATED, "{since}: {}", answer.body);
        }
        // The secretariat records a position declared earlier, with its source.
        let earlier =
            server.post("/api/positions", Some(&server.secretariat), &position("nor-2024", "2024-01-01")).await;
        assert_eq!(earlier.status, StatusCode::CREATED, "{}", earlier.body);
        let positions = server.get("/api/positions", None).await.json();
        let since = |id: &str| positions.as_array().unwrap().iter().find(|p| p["id"] == id).unwrap()["since"].clone();
        assert_eq!(since("nor-today"), "2025-06-20");
        assert_eq!(since("nor-2024"), "2024-01-01");
    }

    // See: issue 11 (a position of 58 KB tied up the writer for 3 s).
    #[tokio::test]
    async fn r11_a_policy_over_the_cores_limit_is_refused_before_the_writer() {
        let server = TestServer::new("2025-06-20");
        let norway = server.token("delegation", Some("NOR")).await;
        let size = server.size().await;
        let clause = "resource.kind == \"exercise\" && ";
        let policy = format!(
            "forbid (principal, action, resource) when {{ {} true }};",
            clause.repeat(58 * 1024 / clause.len())
        );
        assert!(policy.len() > 58_000 && policy.len() < crate::BODY_LIMIT - 200);
        let body = json!({"id": "nor-big", "member": "NOR", "source": "x", "policy": policy});
        let started = std::time::Instant::now();
        let answer = server.post("/api/positions", Some(&norway), &body).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
        assert!(answer.json()["error"].as_str().unwrap().contains("field `policy`"), "{}", answer.body);
        assert!(started.elapsed() < std::time::Duration::from_millis(500), "{:?}", started.elapsed());
        assert_eq!(server.size().await, size);
    }

    #[tokio::test]
    async fn a_token_past_its_write_rate_is_429_and_nothing_is_recorded() {
        let limits = crate::Limits { write_rate: 1, write_burst: 3, ..crate::Limits::default() };
        let server = TestServer::with_limits("2025-06-20", limits);
        let norway = server.token("delegation", Some("NOR")).await;
        let denmark = server.token("delegation", Some("DNK")).await;
        let size = server.size().await;
        for _ in 0..3 {
            assert_eq!(server.post("/api/votes", Some(&norway), &vote("NOR")).await.status, StatusCode::CREATED);
        }
        let refused = server.post("/api/votes", Some(&norway), &vote("NOR")).await;
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS, "{}", refused.body);
        assert_eq!(refused.header(header::RETRY_AFTER), Some("1"));
        assert!(refused.json()["error"].as_str().unwrap().contains("nothing was recorded"), "{}", refused.body);
        // The page's forms count against the same token.
        let page = server.form("/proposals/steadfast-2026-spec/vote", Some(&norway), None, "stance=consent").await;
        assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS, "{}", page.body);
        assert_eq!(page.header(header::RETRY_AFTER), Some("1"));
        assert_eq!(server.size().await, size + 3);
        // Another token writes, and reads are not counted.
        assert_eq!(server.post("/api/votes", Some(&denmark), &vote("DNK")).await.status, StatusCode::CREATED);
        for _ in 0..20 {
            assert_eq!(server.get("/api/decisions", Some(&norway)).await.status, StatusCode::OK);
        }
        // A second later the token may write again.
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        assert_eq!(server.post("/api/votes", Some(&norway), &vote("NOR")).await.status, StatusCode::CREATED);
    }

    #[tokio::test]
    async fn a_revoked_token_grants_nothing() {
        let server = TestServer::new("2025-06-20");
        let norway = server.token("delegation", Some("NOR")).await;
        let list = server.get("/api/tokens", Some(&server.secretariat)).await.json();
        let id = list.as_array().unwrap().iter().find(|g| g["member"] == "NOR").unwrap()["id"].as_u64().unwrap();
        let request = axum::http::Request::delete(format!("/api/tokens/{id}"))
            .header(header::AUTHORIZATION, format!("Bearer {}", server.secretariat));
        let revoked = server.send(request.body(axum::body::Body::empty()).unwrap()).await;
        assert_eq!(revoked.status, StatusCode::NO_CONTENT);
        assert_eq!(server.post("/api/votes", Some(&norway), &vote("NOR")).await.status, StatusCode::UNAUTHORIZED);
        // As a cookie it leaves the page anonymous rather than failing it.
        let page = server.form("/proposals/steadfast-2026-spec/vote", Some(&norway), None, "stance=consent").await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "{}", page.body);
    }
}
