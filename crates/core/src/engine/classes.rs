//! Grouping proposals by what a position reads of them.
//!
//! Two proposals that agree on every attribute a position reads get the same answer from it, so
//! the engine evaluates the position once per *class* and shares the answer. A [`ClassTable`]
//! maps every proposal to its class and names one representative proposal per class. Positions
//! that read the same things share a table.

use std::collections::HashMap;

use crate::cedar::reads::{AttributesRead, PartnersRead, ResourceReads};
use crate::model::{Attribute, Proposal, Value};

/// Proposals grouped by a projection.
#[derive(Debug, Clone)]
pub(crate) struct ClassTable {
    /// The class of every proposal.
    pub(crate) class_of: Vec<u32>,
    /// A representative proposal of every class.
    pub(crate) reps: Vec<usize>,
    /// What the table groups by.
    reads: ResourceReads,
    /// The partners tested by membership, as indices (with `PartnersRead::Literals`).
    literals: Vec<usize>,
    /// The class of every key.
    classes: HashMap<Vec<u64>, u32>,
}

impl ClassTable {
    /// The class of a proposal.
    pub(crate) fn class(&self, proposal: usize) -> usize {
        self.class_of.get(proposal).map_or(0, |&c| c as usize)
    }

    /// Whether the proposal with this index (the last one coded) would open a class of its own.
    pub(crate) fn is_new_class(&self, codes: &Codes, p: usize) -> bool {
        !self.classes.contains_key(&codes.key(&self.reads, &self.literals, p))
    }

    /// Puts the proposal with this index (the last one coded) in its class; returns it when it
    /// is the representative of a new class.
    pub(crate) fn add(&mut self, codes: &Codes, p: usize) -> Option<usize> {
        let key = codes.key(&self.reads, &self.literals, p);
        let next = self.reps.len() as u32;
        let class = match self.classes.get(&key) {
            Some(&c) => c,
            None => {
                self.classes.insert(key, next);
                self.reps.push(p);
                next
            }
        };
        self.class_of.push(class);
        (class == next).then_some(p)
    }
}

/// Every proposal's attributes as small integer codes, kept up to date as proposals come.
#[derive(Debug, Default, Clone)]
pub(crate) struct Codes {
    committee: Vec<u64>,
    kind: Vec<u64>,
    engagement: Vec<u64>,
    /// Partner indices of each proposal, sorted.
    partners: Vec<Vec<usize>>,
    partner_set: Vec<u64>,
    /// Attribute name → code of each proposal's value (0 when absent).
    attribute: std::collections::BTreeMap<String, Vec<u64>>,
    attributes_all: Vec<u64>,
    partner_index: HashMap<String, usize>,
    interners: Interners,
}

#[derive(Debug, Default, Clone)]
struct Interners {
    committees: Interner<String>,
    kinds: Interner<String>,
    sets: Interner<Vec<usize>>,
    values: Interner<(u8, String)>,
    records: Interner<Vec<u64>>,
}

/// Interns values as consecutive codes from 1.
#[derive(Debug, Clone)]
struct Interner<K>(HashMap<K, u64>);

impl<K> Default for Interner<K> {
    fn default() -> Interner<K> {
        Interner(HashMap::new())
    }
}

impl<K: std::hash::Hash + Eq> Interner<K> {
    fn code(&mut self, key: K) -> u64 {
        let next = self.0.len() as u64 + 1;
        *self.0.entry(key).or_insert(next)
    }
}

fn value_key(v: &Value) -> (u8, String) {
    match v {
        Value::Bool(b) => (0, b.to_string()),
        Value::Long(n) => (1, n.to_string()),
        Value::Decimal(d) => (2, d.to_string()),
        Value::String(s) => (3, s.clone()),
    }
}

/// An attribute as a key: a list as the set positions see (sorted, without repeats), each item
/// quoted so that no two sets share a key.
fn attribute_key(a: &Attribute) -> (u8, String) {
    match a {
        Attribute::One(v) => value_key(v),
        Attribute::List(items) => {
            let mut keys: Vec<(u8, String)> = items.iter().map(value_key).collect();
            keys.sort_unstable();
            keys.dedup();
            (4, format!("{keys:?}"))
        }
    }
}

impl Codes {
    pub(crate) fn new(proposals: &[Proposal], partner_index: &HashMap<String, usize>) -> Codes {
        let mut c = Codes { partner_index: partner_index.clone(), ..Codes::default() };
        let names: std::collections::BTreeSet<&String> = proposals.iter().flat_map(|p| p.attributes.keys()).collect();
        for name in names {
            c.attribute.insert(name.clone(), Vec::with_capacity(proposals.len()));
        }
        for p in proposals {
            c.push(p);
        }
        c
    }

    /// Whether a proposal's attributes are all known by name (a proposal with a new attribute
    /// changes the schema, and the scenario is compiled again).
    pub(crate) fn knows_attributes_of(&self, p: &Proposal) -> bool {
        p.attributes.keys().all(|name| self.attribute.contains_key(name))
    }

    /// Codes one more proposal. Its attributes must all be known by name.
    pub(crate) fn push(&mut self, p: &Proposal) {
        let i = &mut self.interners;
        self.committee.push(i.committees.code(p.committee.clone()));
        self.kind.push(i.kinds.code(p.kind.clone()));
        self.engagement.push(p.engagement as u64);
        let mut partners: Vec<usize> = p.partners.iter().filter_map(|id| self.partner_index.get(id).copied()).collect();
        partners.sort_unstable();
        self.partner_set.push(i.sets.code(partners.clone()));
        self.partners.push(partners);
        let mut record = Vec::with_capacity(self.attribute.len());
        for (name, codes) in &mut self.attribute {
            let code = p.attributes.get(name).map_or(0, |a| i.values.code(attribute_key(a)));
            codes.push(code);
            record.push(code);
        }
        self.attributes_all.push(i.records.code(record));
    }

    /// Takes back the last proposal coded.
    pub(crate) fn pop(&mut self) {
        self.committee.pop();
        self.kind.pop();
        self.engagement.pop();
        self.partners.pop();
        self.partner_set.pop();
        for codes in self.attribute.values_mut() {
            codes.pop();
        }
        self.attributes_all.pop();
    }

    /// The key of proposal `p` under what `reads` reads of it.
    fn key(&self, reads: &ResourceReads, literals: &[usize], p: usize) -> Vec<u64> {
        let mut key = Vec::new();
        let at = |v: &Vec<u64>| v.get(p).copied().unwrap_or(0);
        if reads.identity {
            key.push(p as u64);
            return key;
        }
        if reads.committee {
            key.push(at(&self.committee));
        }
        if reads.kind {
            key.push(at(&self.kind));
        }
        if reads.engagement {
            key.push(at(&self.engagement));
        }
        match &reads.partners {
            PartnersRead::None => {}
            PartnersRead::Full => key.push(at(&self.partner_set)),
            PartnersRead::Literals(_) => {
                let mine = self.partners.get(p).map_or(&[][..], Vec::as_slice);
                for chunk in literals.chunks(64) {
                    let bits = chunk
                        .iter()
                        .enumerate()
                        .filter(|(_, l)| mine.binary_search(l).is_ok())
                        .fold(0u64, |acc, (i, _)| acc | 1 << i);
                    key.push(bits);
                }
            }
        }
        match &reads.attributes {
            AttributesRead::None => {}
            AttributesRead::All => key.push(at(&self.attributes_all)),
            AttributesRead::Some(names) => {
                key.extend(names.iter().map(|name| self.attribute.get(name).map_or(0, at)));
            }
        }
        key
    }

    /// Groups the proposals by what `reads` reads of them.
    pub(crate) fn classes(&self, reads: &ResourceReads) -> ClassTable {
        let n = self.committee.len();
        let literals = match &reads.partners {
            PartnersRead::Literals(ids) => ids.iter().filter_map(|id| self.partner_index.get(id).copied()).collect(),
            _ => Vec::new(),
        };
        let mut table = ClassTable {
            class_of: Vec::with_capacity(n),
            reps: Vec::new(),
            reads: reads.clone(),
            literals,
            classes: HashMap::new(),
        };
        for p in 0..n {
            table.add(self, p);
        }
        table
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Engagement;
    use std::collections::{BTreeMap, BTreeSet};

    fn proposal(partners: &[&str], engagement: Engagement, host: Option<&str>) -> Proposal {
        Proposal {
            id: "p".into(),
            title: None,
            committee: "C".into(),
            kind: "exercise".into(),
            partners: partners.iter().map(|s| s.to_string()).collect(),
            engagement,
            circulated: None,
            deadline: None,
            procedure: None,
            withdrawn: None,
            withdrawn_reason: None,
            supersedes: None,
            attributes: host
                .map(|h| BTreeMap::from([("host".to_owned(), Attribute::One(Value::String(h.into())))]))
                .unwrap_or_default(),
            concerned: Vec::new(),
        }
    }

    #[test]
    fn literal_partners_group_by_intersection() {
        let index = HashMap::from([("A".to_owned(), 0), ("B".to_owned(), 1), ("C".to_owned(), 2)]);
        let ps = vec![
            proposal(&["A"], Engagement::New, None),
            proposal(&["A", "B"], Engagement::New, None),
            proposal(&["B", "C"], Engagement::New, None),
            proposal(&[], Engagement::New, None),
            proposal(&["A"], Engagement::Continuing, None),
        ];
        let codes = Codes::new(&ps, &index);
        let reads = ResourceReads {
            engagement: true,
            partners: PartnersRead::Literals(BTreeSet::from(["A".to_owned()])),
            ..Default::default()
        };
        let t = codes.classes(&reads);
        assert_eq!(t.class_of, vec![0, 0, 1, 1, 2]);
        assert_eq!(t.reps, vec![0, 2, 4]);
        let full = codes.classes(&ResourceReads { partners: PartnersRead::Full, ..Default::default() });
        assert_eq!(full.reps.len(), 4);
        let nothing = codes.classes(&ResourceReads::default());
        assert_eq!(nothing.reps, vec![0]);
    }

    #[test]
    fn attributes_by_name() {
        let ps = vec![
            proposal(&[], Engagement::New, Some("BGR")),
            proposal(&[], Engagement::New, None),
            proposal(&[], Engagement::New, Some("BGR")),
        ];
        let codes = Codes::new(&ps, &HashMap::new());
        let t = codes.classes(&ResourceReads {
            attributes: AttributesRead::Some(BTreeSet::from(["host".to_owned()])),
            ..Default::default()
        });
        assert_eq!(t.class_of, vec![0, 1, 0]);
    }
}
