//! Checking a scenario as a whole: references, duplicates, types and rules.
//!
//! Works on the model alone, so it serves every way a scenario arrives (file, store, HTTP).
//! Every problem is collected; nothing stops at the first one.

use std::collections::{BTreeMap, HashMap};

use crate::cedar::schema::{AttrType, Shapes, ValueType};
use crate::limits::{
    MAX_COMMITTEES, MAX_GROUPS, MAX_LIST_ITEMS, MAX_MEMBERS, MAX_PARTNERS, MAX_POSITIONS_PER_MEMBER, MAX_TEXT_BYTES,
};
use crate::model::{Attribute, DecisionRecord, Extension, Fact, Rule, Scenario, Seats, Value, Vote, VoteStance};
use crate::problem::{Problem, Site, Table};

/// Positions of every id, by kind.
#[derive(Debug, Default, Clone)]
pub(crate) struct Index {
    pub(crate) members: HashMap<String, usize>,
    pub(crate) frameworks: HashMap<String, usize>,
    pub(crate) partners: HashMap<String, usize>,
    pub(crate) committees: HashMap<String, usize>,
    pub(crate) proposals: HashMap<String, usize>,
}

/// Whether `id` is a valid id: `[A-Za-z0-9_.-]+`.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

pub(crate) struct Checker<'s> {
    s: &'s Scenario,
    pub(crate) problems: Vec<Problem>,
}

impl<'s> Checker<'s> {
    /// A checker of records of `s`.
    pub(crate) fn new(s: &'s Scenario) -> Checker<'s> {
        Checker { s, problems: Vec::new() }
    }

    fn report(
        &mut self,
        table: Table,
        index: usize,
        field: &str,
        id: Option<&str>,
        message: impl Into<String>,
    ) -> &mut Problem {
        self.problems.push(Problem::new(Site::field(table, index, field), message).with_entry_id(id));
        match self.problems.last_mut() {
            Some(p) => p,
            None => unreachable!("a problem was just pushed"),
        }
    }

    /// Indexes ids of one table, reporting bad and duplicate ones.
    fn ids<'a>(&mut self, table: Table, ids: impl Iterator<Item = &'a str>) -> HashMap<String, usize> {
        let mut out = HashMap::new();
        for (i, id) in ids.enumerate() {
            if id.len() > MAX_TEXT_BYTES {
                self.text(table, i, "id", None, id);
                continue;
            }
            if !is_valid_id(id) {
                self.bad_id(table, i, id);
                continue;
            }
            if let Some(first) = out.get(id) {
                let msg =
                    format!("duplicate {} id `{id}` (first defined as {} #{})", table.name(), table.name(), first + 1);
                self.report(table, i, "id", Some(id), msg);
                continue;
            }
            out.insert(id.to_owned(), i);
        }
        out
    }

    /// Refuses a text field longer than [`MAX_TEXT_BYTES`].
    pub(crate) fn text(&mut self, table: Table, index: usize, field: &str, id: Option<&str>, text: &str) {
        if text.len() > MAX_TEXT_BYTES {
            let shown = id.filter(|id| id.len() <= 64);
            let message =
                format!("`{field}` is {} bytes long; a text field is at most {MAX_TEXT_BYTES} bytes", text.len());
            self.report(table, index, field, shown, message);
        }
    }

    /// Refuses more entries of a table than `limit`.
    fn count(&mut self, table: Table, count: usize, limit: usize) {
        if count > limit {
            let message = format!("the scenario has {count} {}s; at most {limit}", table.name());
            self.problems.push(Problem::new(Site::entry(table, limit), message));
        }
    }

    /// Checks the id of one more entry of a table against those it has.
    pub(crate) fn new_id(&mut self, table: Table, index: usize, id: &str, ids: &HashMap<String, usize>) {
        if id.len() > MAX_TEXT_BYTES {
            self.text(table, index, "id", None, id);
        } else if !is_valid_id(id) {
            self.bad_id(table, index, id);
        } else if let Some(first) = ids.get(id) {
            let msg =
                format!("duplicate {} id `{id}` (first defined as {} #{})", table.name(), table.name(), first + 1);
            self.report(table, index, "id", Some(id), msg);
        }
    }

    /// Reports an id that is empty or not of `[A-Za-z0-9_.-]+`. (A file's missing `id` is
    /// reported by the reader at the same place, and `load` keeps only the first.)
    fn bad_id(&mut self, table: Table, index: usize, id: &str) {
        if id.is_empty() {
            self.report(table, index, "id", None, "`id` must not be empty");
        } else {
            let message = format!("`{id}` is not a valid id: use letters, digits, `_`, `.` and `-`");
            self.report(table, index, "id", Some(id), message);
        }
    }

    fn source(&mut self, table: Table, index: usize, id: &str, source: &str) {
        if source.trim().is_empty() {
            self.report(
                table,
                index,
                "source",
                Some(id),
                "`source` must not be empty: every fact and position needs one",
            )
            .help = Some("name where it comes from, e.g. `source = \"Reuters, 2025-03-18\"`".to_owned());
        }
    }
}

/// Checks everything but the Cedar policies; returns the id index, the shapes for the schema and
/// the proposals' attributes.
pub(crate) fn check(s: &Scenario) -> (Index, Shapes, AttributeShapes, Vec<Problem>) {
    let mut c = Checker { s, problems: Vec::new() };
    if !is_valid_id(&s.id) && !s.id.is_empty() {
        c.report(
            Table::Scenario,
            0,
            "id",
            None,
            format!("`{}` is not a valid id: use letters, digits, `_`, `.` and `-`", s.id),
        );
    }
    let index = Index {
        members: c.ids(Table::Member, s.members.iter().map(|m| m.id.as_str())),
        frameworks: c.ids(Table::Framework, s.frameworks.iter().map(|f| f.id.as_str())),
        partners: c.ids(Table::Partner, s.partners.iter().map(|p| p.id.as_str())),
        committees: c.ids(Table::Committee, s.committees.iter().map(|x| x.id.as_str())),
        proposals: c.ids(Table::Proposal, s.proposals.iter().map(|p| p.id.as_str())),
    };
    c.ids(Table::Position, s.positions.iter().map(|p| p.id.as_str()));
    c.count(Table::Member, s.members.len(), MAX_MEMBERS);
    c.count(Table::Committee, s.committees.len(), MAX_COMMITTEES);
    c.count(Table::Partner, s.partners.len(), MAX_PARTNERS);
    c.count(Table::Framework, s.frameworks.len(), MAX_PARTNERS);
    c.text(Table::Scenario, 0, "title", None, s.title.as_deref().unwrap_or_default());
    for (i, m) in s.members.iter().enumerate() {
        c.text(Table::Member, i, "name", Some(&m.id), m.name.as_deref().unwrap_or_default());
        for (j, group) in m.groups.iter().enumerate() {
            let field = format!("groups[{j}]");
            c.text(Table::Member, i, &field, Some(&m.id), group);
            if group.trim().is_empty() {
                c.report(Table::Member, i, &field, Some(&m.id), "a group needs a name");
            } else if m.groups.iter().take(j).any(|g| g == group) {
                c.report(Table::Member, i, &field, Some(&m.id), format!("group `{group}` is listed twice"));
            }
        }
        if m.groups.len() > MAX_GROUPS {
            let message = format!("member `{}` has {} groups; at most {MAX_GROUPS}", m.id, m.groups.len());
            c.report(Table::Member, i, "groups", Some(&m.id), message);
        }
    }
    for (i, f) in s.frameworks.iter().enumerate() {
        c.text(Table::Framework, i, "name", Some(&f.id), f.name.as_deref().unwrap_or_default());
    }
    for (i, p) in s.partners.iter().enumerate() {
        c.text(Table::Partner, i, "name", Some(&p.id), p.name.as_deref().unwrap_or_default());
        for status in &p.statuses {
            c.text(Table::Partner, i, "statuses", Some(&p.id), status);
        }
    }
    for (i, x) in s.committees.iter().enumerate() {
        c.text(Table::Committee, i, "name", Some(&x.id), x.name.as_deref().unwrap_or_default());
    }
    check_members(&mut c);
    check_partners(&mut c, &index);
    check_committees(&mut c, &index);
    let facts = check_facts(&mut c);
    let attrs = check_proposals(&mut c, &index);
    let attributes = attribute_types(&attrs, s.proposals.len());
    check_positions(&mut c, &index);
    for (i, v) in s.votes.iter().enumerate() {
        check_vote(&mut c, &index, i, v);
    }
    for (i, x) in s.extensions.iter().enumerate() {
        check_extension(&mut c, &index, i, x);
    }
    let mut recorded: HashMap<&str, usize> = HashMap::new();
    for (i, d) in s.decisions.iter().enumerate() {
        check_decision(&mut c, &index, i, d);
        if let Some(first) = recorded.insert(d.proposal.as_str(), i) {
            c.report(
                Table::Decision,
                i,
                "proposal",
                Some(&d.proposal),
                format!("proposal `{}` already has a decision (decision #{})", d.proposal, first + 1),
            )
            .help = Some("a decision is taken once; keep the one the record gives".to_owned());
        }
    }
    (index, Shapes { facts, attributes, ..Shapes::default() }, attrs, c.problems)
}

fn check_members(c: &mut Checker<'_>) {
    for (i, m) in c.s.members.iter().enumerate() {
        for (name, w) in &m.weights {
            if w.is_negative() {
                c.report(
                    Table::Member,
                    i,
                    &format!("weights.{name}"),
                    Some(&m.id),
                    format!("a weight must not be negative, found `{w}`"),
                );
            }
        }
    }
}

fn check_partners(c: &mut Checker<'_>, index: &Index) {
    for (i, p) in c.s.partners.iter().enumerate() {
        for (j, f) in p.frameworks.iter().enumerate() {
            if !index.frameworks.contains_key(f) {
                c.report(
                    Table::Partner,
                    i,
                    &format!("frameworks[{j}]"),
                    Some(&p.id),
                    format!("unknown framework `{f}`"),
                )
                .help = Some("declare it with `[[framework]]`".to_owned());
            }
        }
    }
}

fn check_committees(c: &mut Checker<'_>, index: &Index) {
    for (i, com) in c.s.committees.iter().enumerate() {
        let seats: Vec<usize> = match &com.members {
            Seats::All => (0..c.s.members.len()).collect(),
            Seats::Listed(ids) => {
                let mut seats = Vec::new();
                for (j, id) in ids.iter().enumerate() {
                    match index.members.get(id) {
                        Some(&m) if seats.contains(&m) => {
                            c.report(
                                Table::Committee,
                                i,
                                &format!("members[{j}]"),
                                Some(&com.id),
                                format!("member `{id}` is listed twice"),
                            );
                        }
                        Some(&m) => seats.push(m),
                        None => {
                            c.report(
                                Table::Committee,
                                i,
                                &format!("members[{j}]"),
                                Some(&com.id),
                                format!("unknown member `{id}`"),
                            );
                        }
                    }
                }
                seats
            }
        };
        if let Some(weight) = com.rule.weight() {
            let missing: Vec<&str> = seats
                .iter()
                .filter_map(|&m| c.s.members.get(m))
                .filter(|m| !m.weights.contains_key(weight))
                .map(|m| m.id.as_str())
                .collect();
            let weights: Vec<_> =
                seats.iter().filter_map(|&m| c.s.members.get(m)).map(|m| m.weights.get(weight).copied()).collect();
            if !crate::rules::weights_fit(&weights) {
                c.report(
                    Table::Committee,
                    i,
                    "rule.weight",
                    Some(&com.id),
                    format!("the `{weight}` weights need more digits together than can be added exactly"),
                )
                .help = Some("give the weights fewer decimal places, or smaller units".to_owned());
            }
            if !missing.is_empty() {
                let shown: Vec<String> = missing.iter().take(8).map(|m| format!("`{m}`")).collect();
                let more = if missing.len() > 8 { format!(" and {} more", missing.len() - 8) } else { String::new() };
                c.report(
                    Table::Committee,
                    i,
                    "rule.weight",
                    Some(&com.id),
                    format!("weight `{weight}` is missing on {}{more}", shown.join(", ")),
                )
                .help = Some(format!("give every member of the committee `weights = {{ {weight} = … }}`"));
            }
        }
        match &com.rule {
            Rule::Veto { min_yes, veto } => {
                if veto.is_empty() {
                    c.report(
                        Table::Committee,
                        i,
                        "rule.veto",
                        Some(&com.id),
                        "a veto rule needs at least one member who holds the veto",
                    )
                    .help = Some("list the members who hold a veto, or use `kind = \"majority\"`".to_owned());
                }
                for (j, id) in veto.iter().enumerate() {
                    if veto.iter().take(j).any(|v| v == id) {
                        c.report(
                            Table::Committee,
                            i,
                            &format!("rule.veto[{j}]"),
                            Some(&com.id),
                            format!("veto member `{id}` is listed twice"),
                        );
                        continue;
                    }
                    match index.members.get(id) {
                        Some(m) if seats.contains(m) => {}
                        Some(_) => {
                            c.report(
                                Table::Committee,
                                i,
                                &format!("rule.veto[{j}]"),
                                Some(&com.id),
                                format!("veto member `{id}` does not sit on the committee"),
                            );
                        }
                        None => {
                            c.report(
                                Table::Committee,
                                i,
                                &format!("rule.veto[{j}]"),
                                Some(&com.id),
                                format!("unknown member `{id}`"),
                            );
                        }
                    }
                }
                if *min_yes as usize > seats.len() {
                    c.report(
                        Table::Committee,
                        i,
                        "rule.min_yes",
                        Some(&com.id),
                        format!("`min_yes = {min_yes}` can never be reached by {} members", seats.len()),
                    );
                }
            }
            Rule::Qualified { blocking_min: Some(0), .. } => {
                c.report(Table::Committee, i, "rule.blocking_min", Some(&com.id), "`blocking_min` must be at least 1");
            }
            Rule::Qualified { blocking_min: Some(n), .. } if *n as usize > seats.len() => {
                c.report(
                    Table::Committee,
                    i,
                    "rule.blocking_min",
                    Some(&com.id),
                    format!(
                        "`blocking_min = {n}` is more than the committee's {} members, so no minority could ever block",
                        seats.len()
                    ),
                )
                .help = Some(format!("at most {}", seats.len()));
            }
            _ => {}
        }
    }
}

/// Checks one observation on its own: id, source, dates and value.
pub(crate) fn check_fact(c: &mut Checker<'_>, i: usize, f: &Fact) -> bool {
    c.source(Table::Fact, i, &f.id, &f.source);
    c.text(Table::Fact, i, "source", Some(&f.id), &f.source);
    if !is_valid_id(&f.id) {
        c.bad_id(Table::Fact, i, &f.id);
        return false;
    }
    if let Some(until) = f.valid_until
        && until < f.as_of
    {
        c.report(
            Table::Fact,
            i,
            "valid_until",
            Some(&f.id),
            format!("`valid_until` {until} is before `as_of` {}", f.as_of),
        );
    }
    check_value(c, Table::Fact, i, "value", &f.id, &f.value);
    true
}

/// The clash of an observation with an earlier one of the same fact: the same `as_of`, known
/// from the same day.
pub(crate) fn check_fact_clash(c: &mut Checker<'_>, i: usize, f: &Fact, first: usize) {
    let (what, help) = match f.recorded {
        Some(r) => (format!("on {} (recorded {r})", f.as_of), "a correction is recorded on a later day"),
        None => (format!("on {}", f.as_of), "give each observation its own `as_of`"),
    };
    c.report(
        Table::Fact,
        i,
        "as_of",
        Some(&f.id),
        format!("fact `{}` is observed twice {what} (also fact #{})", f.id, first + 1),
    )
    .help = Some(help.to_owned());
}

/// A value positions can read: a decimal within Cedar's (at most 4 places, at most
/// 922,337,203,685,477.5807), a string of at most [`MAX_TEXT_BYTES`].
fn check_value(c: &mut Checker<'_>, table: Table, i: usize, field: &str, id: &str, v: &Value) {
    match v {
        Value::Decimal(d) => {
            if let Err(message) = crate::model::check_cedar_decimal(*d) {
                c.report(table, i, field, Some(id), message);
            }
        }
        Value::String(text) => c.text(table, i, field, Some(id), text),
        Value::Bool(_) | Value::Long(_) => {}
    }
}

fn check_facts(c: &mut Checker<'_>) -> BTreeMap<String, ValueType> {
    let mut types: BTreeMap<String, (ValueType, usize)> = BTreeMap::new();
    let mut seen: HashMap<(&str, crate::Date, Option<crate::Date>), usize> = HashMap::new();
    for (i, f) in c.s.facts.iter().enumerate() {
        if !check_fact(c, i, f) {
            continue;
        }
        if let Some(first) = seen.insert((f.id.as_str(), f.as_of, f.recorded), i) {
            check_fact_clash(c, i, f, first);
        }
        let ty = ValueType::of(&f.value);
        match types.get(&f.id) {
            Some(&(other, first)) if other != ty => {
                let other_name = c.s.facts.get(first).map_or("", |x| x.value.type_name());
                c.report(
                    Table::Fact,
                    i,
                    "value",
                    Some(&f.id),
                    format!(
                        "fact `{}` is a {} here but a {other_name} in fact #{}",
                        f.id,
                        f.value.type_name(),
                        first + 1
                    ),
                )
                .help = Some("every observation of a fact has the same type".to_owned());
            }
            Some(_) => {}
            None => {
                types.insert(f.id.clone(), (ty, i));
            }
        }
    }
    types.into_iter().map(|(k, (t, _))| (k, t)).collect()
}

/// The type of every proposal attribute, the first proposal that has it and how many have it.
pub(crate) type AttributeShapes = BTreeMap<String, (AttrType, usize, usize)>;

/// The attributes' types, and whether every one of `total` proposals has each (the schema's
/// shapes).
pub(crate) fn attribute_types(attrs: &AttributeShapes, total: usize) -> BTreeMap<String, (AttrType, bool)> {
    attrs.iter().map(|(k, &(t, _, count))| (k.clone(), (t, count == total))).collect()
}

fn check_proposals(c: &mut Checker<'_>, index: &Index) -> AttributeShapes {
    let mut attrs = AttributeShapes::new();
    for (i, p) in c.s.proposals.iter().enumerate() {
        check_proposal(c, index, i, p, &mut attrs);
    }
    attrs
}

/// Checks one proposal on its own (its id apart), counting its attributes into `attrs`.
pub(crate) fn check_proposal(
    c: &mut Checker<'_>,
    index: &Index,
    i: usize,
    p: &crate::model::Proposal,
    attrs: &mut AttributeShapes,
) {
    {
        c.text(Table::Proposal, i, "title", Some(&p.id), p.title.as_deref().unwrap_or_default());
        c.text(Table::Proposal, i, "kind", Some(&p.id), &p.kind);
        c.text(Table::Proposal, i, "withdrawn_reason", Some(&p.id), p.withdrawn_reason.as_deref().unwrap_or_default());
        if !p.committee.is_empty() && !index.committees.contains_key(&p.committee) {
            c.report(Table::Proposal, i, "committee", Some(&p.id), format!("unknown committee `{}`", p.committee))
                .help = Some("declare it with `[[committee]]`".to_owned());
        }
        for (j, partner) in p.partners.iter().enumerate() {
            if !index.partners.contains_key(partner) {
                c.report(
                    Table::Proposal,
                    i,
                    &format!("partners[{j}]"),
                    Some(&p.id),
                    format!("unknown partner `{partner}`"),
                )
                .help = Some("declare it with `[[partner]]`".to_owned());
            } else if p.partners.iter().take(j).any(|q| q == partner) {
                c.report(
                    Table::Proposal,
                    i,
                    &format!("partners[{j}]"),
                    Some(&p.id),
                    format!("partner `{partner}` is listed twice"),
                );
            }
        }
        for (j, member) in p.concerned.iter().enumerate() {
            let field = format!("concerned[{j}]");
            if !index.members.contains_key(member) {
                c.report(Table::Proposal, i, &field, Some(&p.id), format!("unknown member `{member}`")).help =
                    Some("`concerned` lists member ids".to_owned());
            } else if p.concerned.iter().take(j).any(|q| q == member) {
                c.report(Table::Proposal, i, &field, Some(&p.id), format!("member `{member}` is listed twice"));
            }
        }
        if let (Some(circulated), Some(deadline)) = (p.circulated, p.deadline)
            && deadline < circulated
        {
            c.report(
                Table::Proposal,
                i,
                "deadline",
                Some(&p.id),
                format!("the deadline {deadline} is before the proposal was circulated ({circulated})"),
            );
        }
        if p.procedure.is_some() && p.deadline.is_none() {
            c.report(Table::Proposal, i, "procedure", Some(&p.id), "a `procedure` needs a `deadline`").help = Some(
                "give the silence deadline, or the date of the meeting that decides, as `deadline`; without one the proposal is decided the first day the rule adopts it".to_owned(),
            );
        }
        if p.withdrawn_reason.is_some() && p.withdrawn.is_none() {
            c.report(Table::Proposal, i, "withdrawn_reason", Some(&p.id), "`withdrawn_reason` needs `withdrawn`");
        }
        if let Some(old) = &p.supersedes {
            if old == &p.id {
                c.report(Table::Proposal, i, "supersedes", Some(&p.id), "a proposal cannot supersede itself");
            } else if !index.proposals.contains_key(old) {
                c.report(Table::Proposal, i, "supersedes", Some(&p.id), format!("unknown proposal `{old}`"));
            }
            if p.circulated.is_none() {
                c.report(
                    Table::Proposal,
                    i,
                    "supersedes",
                    Some(&p.id),
                    "a proposal that supersedes another needs `circulated`",
                )
                .help = Some("the superseded proposal is withdrawn on this one's `circulated` date".to_owned());
            }
        }
        for (name, a) in &p.attributes {
            let field = format!("attributes.{name}");
            for (j, v) in a.values().iter().enumerate() {
                let field = match a {
                    Attribute::One(_) => field.clone(),
                    Attribute::List(_) => format!("{field}[{j}]"),
                };
                check_value(c, Table::Proposal, i, &field, &p.id, v);
            }
            if let Attribute::List(items) = a
                && items.len() > MAX_LIST_ITEMS
            {
                let message =
                    format!("the list holds {} items; a list attribute holds at most {MAX_LIST_ITEMS}", items.len());
                c.report(Table::Proposal, i, &field, Some(&p.id), message);
            }
            let ty = AttrType::of(a);
            match attrs.get_mut(name) {
                Some((other, first, count)) => match other.merge(ty) {
                    Some(merged) => {
                        *other = merged;
                        *count += 1;
                    }
                    None => {
                        let first = *first;
                        let other_name =
                            c.s.proposals
                                .get(first)
                                .and_then(|q| q.attributes.get(name))
                                .map_or(String::new(), Attribute::type_name);
                        c.report(
                            Table::Proposal,
                            i,
                            &field,
                            Some(&p.id),
                            format!(
                                "attribute `{name}` is {} here but {} in proposal #{}",
                                with_article(&a.type_name()),
                                with_article(&other_name),
                                first + 1
                            ),
                        )
                        .help = Some(
                            "an attribute has the same type on every proposal, so positions can read it".to_owned(),
                        );
                    }
                },
                None => {
                    attrs.insert(name.clone(), (ty, i, 1));
                }
            }
        }
    }
}

/// A type's name with its article: "an integer", "a list of strings".
fn with_article(name: &str) -> String {
    let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
    format!("{article} {name}")
}

fn check_positions(c: &mut Checker<'_>, index: &Index) {
    let mut held: HashMap<&str, usize> = HashMap::new();
    for (i, p) in c.s.positions.iter().enumerate() {
        if !p.member.is_empty() && !index.members.contains_key(&p.member) {
            c.report(Table::Position, i, "member", Some(&p.id), format!("unknown member `{}`", p.member));
        }
        let count = held.entry(p.member.as_str()).or_default();
        *count += 1;
        if *count == MAX_POSITIONS_PER_MEMBER + 1 {
            let message = format!("member `{}` holds more than {MAX_POSITIONS_PER_MEMBER} positions", p.member);
            c.report(Table::Position, i, "member", Some(&p.id), message).help =
                Some("a position may hold several policies; withdrawn positions count too".to_owned());
        }
        c.source(Table::Position, i, &p.id, &p.source);
        c.text(Table::Position, i, "source", Some(&p.id), &p.source);
        if let (Some(since), Some(withdrawn)) = (p.since, p.withdrawn)
            && withdrawn <= since
        {
            c.report(
                Table::Position,
                i,
                "withdrawn",
                Some(&p.id),
                format!("`withdrawn` {withdrawn} is not after `since` {since}"),
            );
        }
    }
}

/// Checks one vote on its own: its proposal, its member's seat and its reason.
pub(crate) fn check_vote(c: &mut Checker<'_>, index: &Index, i: usize, v: &Vote) {
    let label = (!v.proposal.is_empty() && !v.member.is_empty()).then(|| format!("{} on {}", v.member, v.proposal));
    let label = label.as_deref();
    let proposal = index.proposals.get(&v.proposal).and_then(|&p| c.s.proposals.get(p));
    if proposal.is_none() && !v.proposal.is_empty() {
        c.report(Table::Vote, i, "proposal", label, format!("unknown proposal `{}`", v.proposal));
    }
    let member = index.members.get(&v.member).copied();
    if member.is_none() && !v.member.is_empty() {
        c.report(Table::Vote, i, "member", label, format!("unknown member `{}`", v.member));
    }
    if let (Some(p), Some(m)) = (proposal, member) {
        let seated =
            index.committees.get(&p.committee).and_then(|&k| c.s.committees.get(k)).is_none_or(|com| {
                match &com.members {
                    Seats::All => true,
                    Seats::Listed(ids) => ids.iter().any(|id| index.members.get(id) == Some(&m)),
                }
            });
        if !seated {
            c.report(
                Table::Vote,
                i,
                "member",
                label,
                format!("member `{}` does not sit on committee `{}`, which decides `{}`", v.member, p.committee, p.id),
            );
        }
    }
    c.text(Table::Vote, i, "reason", label, v.reason.as_deref().unwrap_or_default());
    c.text(Table::Vote, i, "source", label, v.source.as_deref().unwrap_or_default());
    c.text(Table::Vote, i, "statement", label, v.statement.as_deref().unwrap_or_default());
    if v.stance == VoteStance::Object && v.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
        c.report(Table::Vote, i, "reason", label, "an objection needs a `reason`").help =
            Some("say why the member breaks silence, e.g. `reason = \"…\"`".to_owned());
    }
}

/// Checks one extension on its own: its proposal and its dates.
pub(crate) fn check_extension(c: &mut Checker<'_>, index: &Index, i: usize, x: &Extension) {
    c.text(Table::Extension, i, "reason", Some(&x.proposal), x.reason.as_deref().unwrap_or_default());
    if !index.proposals.contains_key(&x.proposal) {
        c.report(Table::Extension, i, "proposal", Some(&x.proposal), format!("unknown proposal `{}`", x.proposal));
    }
    if x.deadline < x.on {
        c.report(
            Table::Extension,
            i,
            "deadline",
            Some(&x.proposal),
            format!("the new deadline {} is before the extension's date {}", x.deadline, x.on),
        );
    }
}

/// Checks one recorded decision on its own: its proposal and its source.
pub(crate) fn check_decision(c: &mut Checker<'_>, index: &Index, i: usize, d: &DecisionRecord) {
    c.text(Table::Decision, i, "source", Some(&d.proposal), &d.source);
    c.text(Table::Decision, i, "note", Some(&d.proposal), d.note.as_deref().unwrap_or_default());
    if !index.proposals.contains_key(&d.proposal) {
        c.report(Table::Decision, i, "proposal", Some(&d.proposal), format!("unknown proposal `{}`", d.proposal));
    }
    if d.source.trim().is_empty() {
        c.report(
            Table::Decision,
            i,
            "source",
            Some(&d.proposal),
            "`source` must not be empty: say where the record comes from",
        )
        .help = Some("e.g. `source = \"Chairpersonship statement, 1 December 2023\"`".to_owned());
    }
}
