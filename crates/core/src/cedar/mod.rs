//! The Cedar side of concord: positions are Cedar policies, evaluated with `cedar-policy`.
//!
//! - [`schema`] generates a Cedar schema from a scenario, so that positions are validated against
//!   the real shape of members, partners, proposals and facts.
//! - [`position`] compiles a position: parses, checks its scope belongs to its member, validates,
//!   and works out what it reads.
//! - [`reads`] is that analysis: which proposal attributes and which facts a policy can depend on.
//! - [`world`] builds the entities and the context a request sees.
//!
//! No `cedar_policy` type leaves this module's public API: callers see our own types.

pub(crate) mod condition;
pub(crate) mod position;
pub(crate) mod reads;
pub(crate) mod schema;
pub(crate) mod world;

/// The entity type of members, the principals of every request.
pub(crate) const MEMBER: &str = "Member";
/// The entity type of partners.
pub(crate) const PARTNER: &str = "Partner";
/// The entity type of proposals, the resources of every request.
pub(crate) const PROPOSAL: &str = "Proposal";
/// The one action: consenting to a proposal.
pub(crate) const CONSENT: &str = "consent";
