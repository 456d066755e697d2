//! The entities and context that a Cedar request sees, built from the model.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use cedar_policy::{Context, Entity, EntityId, EntityTypeName, EntityUid, RestrictedExpression};

use super::{CONSENT, MEMBER, PARTNER, PROPOSAL};
use crate::date::Date;
use crate::model::{Attribute, Member, Partner, Proposal, Value};

/// The entity type names and the action, parsed once.
#[derive(Debug, Clone)]
pub(crate) struct Names {
    member: EntityTypeName,
    partner: EntityTypeName,
    proposal: EntityTypeName,
    pub(crate) consent: EntityUid,
}

impl Names {
    pub(crate) fn new() -> Result<Names, String> {
        let ty = |name: &str| EntityTypeName::from_str(name).map_err(|e| e.to_string());
        Ok(Names {
            member: ty(MEMBER)?,
            partner: ty(PARTNER)?,
            proposal: ty(PROPOSAL)?,
            consent: EntityUid::from_type_name_and_id(ty("Action")?, EntityId::new(CONSENT)),
        })
    }

    pub(crate) fn member(&self, id: &str) -> EntityUid {
        EntityUid::from_type_name_and_id(self.member.clone(), EntityId::new(id))
    }

    pub(crate) fn partner(&self, id: &str) -> EntityUid {
        EntityUid::from_type_name_and_id(self.partner.clone(), EntityId::new(id))
    }

    pub(crate) fn proposal(&self, id: &str) -> EntityUid {
        EntityUid::from_type_name_and_id(self.proposal.clone(), EntityId::new(id))
    }

    pub(crate) fn member_entity(&self, m: &Member) -> Result<Entity, String> {
        let groups = RestrictedExpression::new_set(m.groups.iter().cloned().map(RestrictedExpression::new_string));
        let attrs = HashMap::from([("groups".to_owned(), groups)]);
        Entity::new(self.member(&m.id), attrs, HashSet::new()).map_err(|e| e.to_string())
    }

    pub(crate) fn partner_entity(&self, p: &Partner) -> Result<Entity, String> {
        let strings = |items: &[String]| {
            RestrictedExpression::new_set(items.iter().cloned().map(RestrictedExpression::new_string))
        };
        let attrs = HashMap::from([
            ("frameworks".to_owned(), strings(&p.frameworks)),
            ("statuses".to_owned(), strings(&p.statuses)),
        ]);
        Entity::new(self.partner(&p.id), attrs, HashSet::new()).map_err(|e| e.to_string())
    }

    pub(crate) fn proposal_entity(&self, p: &Proposal) -> Result<Entity, String> {
        let partners = RestrictedExpression::new_set(
            p.partners.iter().map(|id| RestrictedExpression::new_entity_uid(self.partner(id))),
        );
        let attributes =
            RestrictedExpression::new_record(p.attributes.iter().map(|(k, a)| (k.clone(), attribute_expr(a))))
                .map_err(|e| e.to_string())?;
        let attrs = HashMap::from([
            ("committee".to_owned(), RestrictedExpression::new_string(p.committee.clone())),
            ("kind".to_owned(), RestrictedExpression::new_string(p.kind.clone())),
            ("engagement".to_owned(), RestrictedExpression::new_string(p.engagement.as_str().to_owned())),
            ("partners".to_owned(), partners),
            ("attributes".to_owned(), attributes),
        ]);
        Entity::new(self.proposal(&p.id), attrs, HashSet::new()).map_err(|e| e.to_string())
    }
}

/// An attribute as a Cedar expression: a list is a set.
fn attribute_expr(a: &Attribute) -> RestrictedExpression {
    match a {
        Attribute::One(v) => value_expr(v),
        Attribute::List(items) => RestrictedExpression::new_set(items.iter().map(value_expr)),
    }
}

/// A value as a Cedar expression.
pub(crate) fn value_expr(v: &Value) -> RestrictedExpression {
    match v {
        Value::Bool(b) => RestrictedExpression::new_bool(*b),
        Value::Long(n) => RestrictedExpression::new_long(*n),
        Value::Decimal(d) => RestrictedExpression::new_decimal(cedar_decimal(*d)),
        Value::String(s) => RestrictedExpression::new_string(s.clone()),
    }
}

/// Cedar's `decimal("…")` wants at least one fractional digit.
fn cedar_decimal(d: crate::number::Decimal) -> String {
    let text = d.to_string();
    if text.contains('.') { text } else { format!("{text}.0") }
}

/// The request context of a linked position: [`context`] with the `stances` and `outcomes` it
/// reads, by id.
pub(crate) fn linked_context<'a>(
    facts: impl IntoIterator<Item = (&'a str, &'a Value)>,
    date: Date,
    stances: &[(String, &str)],
    outcomes: &[(String, &str)],
) -> Result<Context, String> {
    let record = |pairs: &[(String, &str)]| {
        RestrictedExpression::new_record(
            pairs.iter().map(|(k, v)| (k.clone(), RestrictedExpression::new_string((*v).to_owned()))),
        )
        .map_err(|e| e.to_string())
    };
    let facts = RestrictedExpression::new_record(facts.into_iter().map(|(k, v)| (k.to_owned(), value_expr(v))))
        .map_err(|e| e.to_string())?;
    Context::from_pairs([
        ("facts".to_owned(), facts),
        ("date".to_owned(), RestrictedExpression::new_string(date.to_string())),
        ("stances".to_owned(), record(stances)?),
        ("outcomes".to_owned(), record(outcomes)?),
    ])
    .map_err(|e| e.to_string())
}

/// The request context on a date: `{ facts: {…}, date: "YYYY-MM-DD" }`.
pub(crate) fn context<'a>(
    facts: impl IntoIterator<Item = (&'a str, &'a Value)>,
    date: Date,
) -> Result<Context, String> {
    let facts = RestrictedExpression::new_record(facts.into_iter().map(|(k, v)| (k.to_owned(), value_expr(v))))
        .map_err(|e| e.to_string())?;
    Context::from_pairs([
        ("facts".to_owned(), facts),
        ("date".to_owned(), RestrictedExpression::new_string(date.to_string())),
    ])
    .map_err(|e| e.to_string())
}
