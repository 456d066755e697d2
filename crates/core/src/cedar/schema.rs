//! A Cedar schema generated from a scenario.
//!
//! Entity types `Member` (`groups`), `Partner` (`frameworks`, `statuses`) and `Proposal` (`committee`,
//! `kind`, `engagement`, `partners`, `attributes`); the action `consent`; a context with `facts`
//! (every fact id, typed from its observations) and `date`. Facts are declared required so that
//! a policy may read them without a `has` guard; on a date when a fact has no observation the read
//! is an evaluation error, reported as data. A proposal attribute is required when every proposal
//! has it, optional otherwise.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use cedar_policy::Schema;

use crate::model::{Attribute, Value};

/// The type of a fact or attribute, as positions see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum ValueType {
    Bool,
    Long,
    Decimal,
    String,
}

impl ValueType {
    pub(crate) fn of(value: &Value) -> ValueType {
        match value {
            Value::Bool(_) => ValueType::Bool,
            Value::Long(_) => ValueType::Long,
            Value::Decimal(_) => ValueType::Decimal,
            Value::String(_) => ValueType::String,
        }
    }

    fn cedar(self) -> &'static str {
        match self {
            ValueType::Bool => "Bool",
            ValueType::Long => "Long",
            ValueType::Decimal => "__cedar::decimal",
            ValueType::String => "String",
        }
    }
}

/// The type of a proposal attribute: one value, or a list (a Cedar set) of values of one type,
/// not known while every list of the attribute is empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum AttrType {
    One(ValueType),
    List(Option<ValueType>),
}

impl AttrType {
    pub(crate) fn of(a: &Attribute) -> AttrType {
        match a {
            Attribute::One(v) => AttrType::One(ValueType::of(v)),
            Attribute::List(items) => AttrType::List(items.first().map(ValueType::of)),
        }
    }

    /// The type of an attribute that has both types on different proposals, if they agree: an
    /// empty list agrees with any list.
    pub(crate) fn merge(self, other: AttrType) -> Option<AttrType> {
        match (self, other) {
            (a, b) if a == b => Some(a),
            (AttrType::List(None), b @ AttrType::List(_)) | (b @ AttrType::List(_), AttrType::List(None)) => Some(b),
            _ => None,
        }
    }

    fn cedar(self) -> String {
        match self {
            AttrType::One(t) => t.cedar().to_owned(),
            // A list no proposal gives an item is read as a set of strings.
            AttrType::List(t) => format!("Set<{}>", t.unwrap_or(ValueType::String).cedar()),
        }
    }
}

/// What the schema needs to know of a scenario.
#[derive(Debug, Default)]
pub(crate) struct Shapes {
    /// Every fact id and its type.
    pub(crate) facts: BTreeMap<String, ValueType>,
    /// Every proposal attribute, its type, and whether every proposal has it.
    pub(crate) attributes: BTreeMap<String, (AttrType, bool)>,
    /// The members whose stances some position reads by name (`context.stances`).
    pub(crate) stances: BTreeSet<String>,
    /// The proposals whose outcomes some position reads by name (`context.outcomes`).
    pub(crate) outcomes: BTreeSet<String>,
}

/// The schema text for these shapes, in Cedar's schema syntax.
pub(crate) fn schema_text(shapes: &Shapes) -> String {
    let mut out = String::new();
    out.push_str("entity Member = { groups: Set<String> };\n");
    out.push_str("entity Partner = { frameworks: Set<String>, statuses: Set<String> };\n");
    out.push_str("entity Proposal = {\n  committee: String,\n  kind: String,\n  engagement: String,\n");
    out.push_str("  partners: Set<Partner>,\n  attributes: {");
    for (i, (name, (ty, required))) in shapes.attributes.iter().enumerate() {
        let sep = if i == 0 { "" } else { "," };
        let opt = if *required { "" } else { "?" };
        let _ = write!(out, "{sep}\n    {}{opt}: {}", quote(name), ty.cedar());
    }
    out.push_str("\n  }\n};\n");
    out.push_str("action \"consent\" appliesTo {\n  principal: Member,\n  resource: Proposal,\n  context: {\n");
    out.push_str("    date: String,\n    facts: {");
    for (i, (name, ty)) in shapes.facts.iter().enumerate() {
        let sep = if i == 0 { "" } else { "," };
        let _ = write!(out, "{sep}\n      {}: {}", quote(name), ty.cedar());
    }
    // Linkage: read by name, declared required like facts (absent where the member does not sit
    // or the proposal is not yet before its committee, so guarded with `has`).
    for (record, names) in [("stances", &shapes.stances), ("outcomes", &shapes.outcomes)] {
        let _ = write!(out, "\n    }},\n    {record}: {{");
        for (i, name) in names.iter().enumerate() {
            let sep = if i == 0 { "" } else { "," };
            let _ = write!(out, "{sep}\n      {}: String", quote(name));
        }
    }
    out.push_str("\n    }\n  }\n};\n");
    out
}

/// Builds the schema. It can only fail on a bug in [`schema_text`]: ids are quoted.
pub(crate) fn build(shapes: &Shapes) -> Result<Schema, String> {
    let text = schema_text(shapes);
    Schema::from_cedarschema_str(&text).map(|(schema, _warnings)| schema).map_err(|e| format!("generated schema: {e}"))
}

fn quote(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    out.push('"');
    for c in name.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_with_facts_and_attributes() {
        let mut shapes = Shapes::default();
        shapes.facts.insert("gaza_permanent_ceasefire".into(), ValueType::Bool);
        shapes.facts.insert("odd-id.x".into(), ValueType::Decimal);
        shapes.attributes.insert("host".into(), (AttrType::One(ValueType::String), false));
        shapes.attributes.insert("budget".into(), (AttrType::One(ValueType::Long), true));
        shapes.attributes.insert("posts".into(), (AttrType::List(Some(ValueType::String)), true));
        shapes.stances.insert("RUS".into());
        shapes.outcomes.insert("top-four".into());
        build(&shapes).unwrap();
    }

    #[test]
    fn builds_empty() {
        build(&Shapes::default()).unwrap();
    }
}
