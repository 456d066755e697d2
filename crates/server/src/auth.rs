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
                Some(grant) => Ok(Caller { grant: Some(grant), here }),
                None => Err(ApiError::Unauthorized("the token is unknown or revoked".to_owned())),
            };
        }
        // A cookie naming a revoked token leaves the caller anonymous.
        match cookie(parts) {
            Some(secret) => Ok(Caller { grant: app.grant(&secret)?, here }),
            None => Ok(Caller { grant: None, here }),
        }
    }
}

/// Answers 401 to an API write without a live token before its body is read or checked, and
/// hands the caller it found to the handler.
pub(crate) async fn writes_need_a_token(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let caller = match Caller::from_request_parts(&mut parts, &app).await {
        Ok(caller) => caller,
        Err(e) => return e.into_response(),
    };
    if let Err(e) = caller.require() {
        return e.into_response();
    }
    parts.extensions.insert(caller);
    next.run(Request::from_parts(parts, body)).await
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
