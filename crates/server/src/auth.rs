//! Who is asking: a bearer token (`Authorization: Bearer …`, for the API) or the page's session
//! cookie, resolved to its grant; and what each role may do.
//!
//! - secretariat: everything: proposals, facts, positions and votes of any member, closing,
//!   the clock, tokens;
//! - delegation: its own member's votes and positions;
//! - observer: reading.
//!
//! Reading needs no token unless the server runs with `--private`.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
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
        let here = parts.uri.path_and_query().map_or_else(|| "/".to_owned(), ToString::to_string);
        if let Some(value) = parts.headers.get(AUTHORIZATION) {
            let text = value.to_str().unwrap_or_default();
            let Some(secret) = text.strip_prefix("Bearer ").map(str::trim) else {
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
