//! Reading a scenario's TOML into the model, keeping where every field was written.
//!
//! The reader never stops at the first problem: a field of the wrong type, a missing field or an
//! unknown key is recorded as a [`Problem`] and reading goes on, with a placeholder value, so that
//! one run reports every error of the file. Every entry is kept, even a broken one, so entry
//! indices match the file and sites resolve to the right lines.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;

use toml_edit::{Item, TableLike, Value as TomlValue};

use crate::date::Date;
use crate::model::{
    Attribute, Committee, ConstructiveAbstention, Decided, DecisionRecord, Disregard, Engagement, Extension, Fact,
    Framework, Member, Partner, Position, Procedure, Proposal, Quota, Rule, Scenario, Seats, Trigger, Value, Vote,
    VoteStance,
};
use crate::number::{Decimal, DecimalError};
use crate::problem::{Problem, Site, Table};
use crate::share::Share;

/// Byte ranges of every entry and field read, to turn [`Site`]s into file positions.
#[derive(Debug, Default)]
pub(crate) struct SourceMap {
    /// Off on the first, optimistic read: a valid file needs no spans, and recording them for a
    /// programme of 50,000 proposals costs time and memory. Problems trigger a second read.
    enabled: bool,
    entries: HashMap<(Table, usize), EntrySpans>,
}

#[derive(Debug, Default)]
struct EntrySpans {
    whole: Option<Range<usize>>,
    fields: HashMap<String, Range<usize>>,
    /// For string fields: where the string's content starts, for pointing inside it.
    content_starts: HashMap<String, usize>,
}

impl SourceMap {
    /// The byte range a site refers to: the field's value, else the entry, else nothing.
    pub(crate) fn span(&self, site: &Site) -> Option<Range<usize>> {
        let entry = self.entries.get(&(site.table, site.index))?;
        let mut field = site.field.as_deref();
        while let Some(name) = field {
            if let Some(span) = entry.fields.get(name) {
                return Some(span.clone());
            }
            // `weights.population` or `partners[1]` not found: fall back to `weights`, `partners`.
            field = name.rsplit_once(['.', '[']).map(|(head, _)| head);
        }
        entry.whole.clone()
    }

    /// Where the text of a string field starts, so that an offset inside the string (a Cedar
    /// policy error) can be shown at the right place in the file.
    pub(crate) fn content_start(&self, site: &Site) -> Option<usize> {
        let entry = self.entries.get(&(site.table, site.index))?;
        entry.content_starts.get(site.field.as_deref()?).copied()
    }
}

/// Reads a parsed document. Problems are appended to `problems`; spans are recorded only with
/// `record_spans`.
pub(crate) fn read(
    doc: &toml_edit::Document<&str>,
    problems: &mut Vec<Problem>,
    record_spans: bool,
) -> (Scenario, SourceMap) {
    let mut scenario = Scenario::default();
    let mut map = SourceMap { enabled: record_spans, ..SourceMap::default() };
    let src = doc.raw();
    let root = doc.as_table();
    let mut seen_scenario = false;
    let root_spans = map.entries.entry((Table::Root, 0)).or_default();
    root_spans.whole = Some(0..0);
    for (key, _) in root.iter() {
        if let Some(span) = root.key(key).and_then(|k| k.span()) {
            root_spans.fields.insert(key.to_owned(), span);
        }
    }
    for (key, item) in root.iter() {
        let table = match key {
            "scenario" => {
                seen_scenario = true;
                match item.as_table_like() {
                    Some(t) => {
                        let whole = item.as_table().and_then(|t| t.span());
                        read_header(&mut scenario, Entry::new(Table::Scenario, 0, t, whole, src, &mut map, problems));
                    }
                    None => problems.push(root_problem(key, "`scenario` must be a table: write `[scenario]`")),
                }
                continue;
            }
            "member" => Table::Member,
            "framework" => Table::Framework,
            "partner" => Table::Partner,
            "committee" => Table::Committee,
            "fact" => Table::Fact,
            "proposal" => Table::Proposal,
            "position" => Table::Position,
            "vote" => Table::Vote,
            "extension" => Table::Extension,
            "decision" => Table::Decision,
            other => {
                problems.push(
                    root_problem(key, format!("unknown table `{other}`"))
                        .with_help("expected `scenario`, `member`, `framework`, `partner`, `committee`, `fact`, `proposal`, `position`, `vote`, `extension` or `decision`"),
                );
                continue;
            }
        };
        let Some(array) = item.as_array_of_tables() else {
            problems.push(root_problem(key, format!("`{key}` must be an array of tables: write `[[{key}]]`")));
            continue;
        };
        for (index, t) in array.iter().enumerate() {
            let entry = Entry::new(table, index, t, t.span(), src, &mut map, problems);
            read_entry(&mut scenario, entry);
        }
    }
    if !seen_scenario {
        problems.push(
            Problem::new(Site::entry(Table::Root, 0), "missing table `[scenario]`")
                .with_help("start the file with `[scenario]`, an `id` and an `as_of` date"),
        );
    }
    (scenario, map)
}

fn root_problem(key: &str, message: impl Into<String>) -> Problem {
    Problem::new(Site::field(Table::Root, 0, key), message)
}

fn read_header(scenario: &mut Scenario, mut e: Entry<'_>) {
    scenario.id = e.string("id", true).unwrap_or_default();
    scenario.title = e.string("title", false);
    scenario.as_of = e.date("as_of", true);
    e.finish(&["id", "title", "as_of"]);
}

fn read_entry(s: &mut Scenario, mut e: Entry<'_>) {
    match e.site_table {
        Table::Member => {
            let m = Member {
                id: e.id(),
                name: e.string("name", false),
                joined: e.date("joined", false),
                weights: e.decimals("weights"),
                groups: e.strings("groups"),
            };
            e.finish(&["id", "name", "joined", "weights", "groups"]);
            s.members.push(m);
        }
        Table::Framework => {
            let f = Framework { id: e.id(), name: e.string("name", false), since: e.date("since", false) };
            e.finish(&["id", "name", "since"]);
            s.frameworks.push(f);
        }
        Table::Partner => {
            let p = Partner {
                id: e.id(),
                name: e.string("name", false),
                frameworks: e.strings("frameworks"),
                statuses: e.strings("statuses"),
            };
            e.finish(&["id", "name", "frameworks", "statuses"]);
            s.partners.push(p);
        }
        Table::Committee => {
            let id = e.id();
            let name = e.string("name", false);
            let members = e.seats();
            let rule = e.rule().unwrap_or(Rule::CONSENSUS);
            e.finish(&["id", "name", "members", "rule"]);
            s.committees.push(Committee { id, name, members, rule });
        }
        Table::Fact => {
            let f = Fact {
                id: e.id(),
                value: e.value("value", true).unwrap_or(Value::Bool(false)),
                as_of: e.date("as_of", true).unwrap_or(PLACEHOLDER_DATE),
                source: e.string("source", true).unwrap_or_default(),
                valid_until: e.date("valid_until", false),
                recorded: e.date("recorded", false),
            };
            e.finish(&["id", "value", "as_of", "source", "valid_until", "recorded"]);
            s.facts.push(f);
        }
        Table::Proposal => {
            let p = Proposal {
                id: e.id(),
                title: e.string("title", false),
                committee: e.string("committee", true).unwrap_or_default(),
                kind: e.string("kind", true).unwrap_or_default(),
                partners: e.strings("partners"),
                engagement: e.engagement(),
                circulated: e.date("circulated", false),
                deadline: e.date("deadline", false),
                procedure: e.procedure(),
                withdrawn: e.date("withdrawn", false),
                withdrawn_reason: e.string("withdrawn_reason", false),
                supersedes: e.string("supersedes", false),
                attributes: e.attributes("attributes"),
                concerned: e.strings("concerned"),
            };
            e.finish(&[
                "id",
                "title",
                "committee",
                "kind",
                "partners",
                "engagement",
                "circulated",
                "deadline",
                "procedure",
                "withdrawn",
                "withdrawn_reason",
                "supersedes",
                "attributes",
                "concerned",
            ]);
            s.proposals.push(p);
        }
        Table::Position => {
            let p = Position {
                id: e.id(),
                member: e.string("member", true).unwrap_or_default(),
                since: e.date("since", false),
                withdrawn: e.date("withdrawn", false),
                recorded: e.date("recorded", false),
                source: e.string("source", true).unwrap_or_default(),
                policy: e.string("policy", true).unwrap_or_default(),
            };
            e.finish(&["id", "member", "since", "withdrawn", "recorded", "source", "policy"]);
            s.positions.push(p);
        }
        Table::Vote => {
            let v = Vote {
                proposal: e.string("proposal", true).unwrap_or_default(),
                member: e.string("member", true).unwrap_or_default(),
                stance: e.stance(),
                at: e.date("at", true).unwrap_or(PLACEHOLDER_DATE),
                reason: e.string("reason", false),
                source: e.string("source", false),
                statement: e.string("statement", false),
            };
            e.finish(&["proposal", "member", "stance", "at", "reason", "source", "statement"]);
            s.votes.push(v);
        }
        Table::Extension => {
            let x = Extension {
                proposal: e.string("proposal", true).unwrap_or_default(),
                on: e.date("on", true).unwrap_or(PLACEHOLDER_DATE),
                deadline: e.date("deadline", true).unwrap_or(PLACEHOLDER_DATE),
                reason: e.string("reason", false),
            };
            e.finish(&["proposal", "on", "deadline", "reason"]);
            s.extensions.push(x);
        }
        Table::Decision => {
            let d = DecisionRecord {
                proposal: e.string("proposal", true).unwrap_or_default(),
                on: e.date("on", true).unwrap_or(PLACEHOLDER_DATE),
                outcome: e.decided(),
                source: e.string("source", true).unwrap_or_default(),
                note: e.string("note", false),
                trigger: e.trigger(),
                objecting: Vec::new(),
            };
            e.finish(&["proposal", "on", "outcome", "source", "note", "trigger"]);
            s.decisions.push(d);
        }
        Table::Scenario | Table::Root => {}
    }
}

/// Stands in for a date that could not be read; the problem is already reported.
const PLACEHOLDER_DATE: Date = Date::FIRST;

/// One entry being read: its fields, which were used, and where each was written.
struct Entry<'a> {
    site_table: Table,
    index: usize,
    table: &'a dyn TableLike,
    src: &'a str,
    entry_id: Option<String>,
    spans: Option<&'a mut EntrySpans>,
    problems: &'a mut Vec<Problem>,
}

impl<'a> Entry<'a> {
    fn new(
        site_table: Table,
        index: usize,
        table: &'a dyn TableLike,
        whole: Option<Range<usize>>,
        src: &'a str,
        map: &'a mut SourceMap,
        problems: &'a mut Vec<Problem>,
    ) -> Entry<'a> {
        let spans = map.enabled.then(|| {
            let spans = map.entries.entry((site_table, index)).or_default();
            spans.whole = whole.or_else(|| first_key_span(table));
            for (key, item) in table.iter() {
                if let Some(span) = item.span().or_else(|| table.key(key).and_then(|k| k.span())) {
                    spans.fields.insert(key.to_owned(), span);
                }
            }
            spans
        });
        let text = |key: &str| table.get(key).and_then(|i| i.as_str()).filter(|s| !s.is_empty());
        let entry_id = match site_table {
            // Votes have no id: name them as validation does, "member on proposal".
            Table::Vote => text("member").zip(text("proposal")).map(|(m, p)| format!("{m} on {p}")),
            Table::Extension | Table::Decision => text("proposal").map(str::to_owned),
            _ => text("id").map(str::to_owned),
        };
        Entry { site_table, index, table, src, entry_id, spans, problems }
    }

    fn problem(&mut self, field: &str, message: impl Into<String>) {
        let p = Problem::new(Site::field(self.site_table, self.index, field), message)
            .with_entry_id(self.entry_id.as_deref());
        self.problems.push(p);
    }

    fn get(&mut self, key: &str, required: bool) -> Option<&'a Item> {
        let item = self.table.get(key);
        if item.is_none() && required {
            let p = Problem::new(Site::field(self.site_table, self.index, key), format!("missing field `{key}`"))
                .with_entry_id(self.entry_id.as_deref());
            self.problems.push(p);
        }
        item
    }

    fn id(&mut self) -> String {
        self.string("id", true).unwrap_or_default()
    }

    fn string(&mut self, key: &str, required: bool) -> Option<String> {
        let item = self.get(key, required)?;
        match item.as_str() {
            Some(s) => {
                if let Some(spans) = &mut self.spans
                    && let Some(start) = item.span().and_then(|span| string_content_start(self.src, span))
                {
                    spans.content_starts.insert(key.to_owned(), start);
                }
                Some(s.to_owned())
            }
            None => {
                self.problem(key, format!("expected a string, found {}", describe(item)));
                None
            }
        }
    }

    fn date(&mut self, key: &str, required: bool) -> Option<Date> {
        let item = self.get(key, required)?;
        if let Some(dt) = item.as_datetime() {
            match (dt.date, dt.time, dt.offset) {
                (Some(d), None, None) => match Date::new(d.year, d.month, d.day) {
                    Some(date) => return Some(date),
                    None => self.problem(key, format!("`{dt}` is not a real date")),
                },
                _ => self.problem(key, format!("expected a date like 2025-06-15, found the date-time `{dt}`")),
            }
            return None;
        }
        if let Some(text) = item.as_str() {
            match text.parse::<Date>() {
                Ok(date) => return Some(date),
                Err(err) => self.problem(key, err.to_string()),
            }
            return None;
        }
        self.problem(key, format!("expected a date like 2025-06-15, found {}", describe(item)));
        None
    }

    fn strings(&mut self, key: &str) -> Vec<String> {
        let Some(item) = self.get(key, false) else { return Vec::new() };
        let Some(array) = item.as_array() else {
            self.problem(key, format!("expected a list of strings, found {}", describe_item(item)));
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, v) in array.iter().enumerate() {
            if let (Some(spans), Some(span)) = (&mut self.spans, v.span()) {
                spans.fields.insert(format!("{key}[{i}]"), span);
            }
            match v.as_str() {
                Some(s) => out.push(s.to_owned()),
                None => self.problem(&format!("{key}[{i}]"), format!("expected a string, found {}", describe_value(v))),
            }
        }
        out
    }

    fn value(&mut self, key: &str, required: bool) -> Option<Value> {
        let item = self.get(key, required)?;
        match item.as_value().map(|v| convert_value(v, self.src)) {
            Some(Ok(v)) => Some(v),
            Some(Err((msg, stand_in))) => {
                self.problem(key, msg);
                stand_in
            }
            None => {
                self.problem(key, format!("expected a boolean, number or string, found {}", describe_item(item)));
                None
            }
        }
    }

    fn sub_table(&mut self, key: &str) -> Option<&'a dyn TableLike> {
        let item = self.get(key, false)?;
        match item.as_table_like() {
            Some(t) => {
                if let Some(spans) = &mut self.spans {
                    for (k, v) in t.iter() {
                        if let Some(span) = v.span() {
                            spans.fields.insert(format!("{key}.{k}"), span);
                        }
                    }
                }
                Some(t)
            }
            None => {
                self.problem(key, format!("expected a table like `{{ name = value }}`, found {}", describe_item(item)));
                None
            }
        }
    }

    /// A table of attributes: each a boolean, number or string, or a list of strings or of
    /// numbers.
    fn attributes(&mut self, key: &str) -> BTreeMap<String, Attribute> {
        let mut out = BTreeMap::new();
        let Some(table) = self.sub_table(key) else { return out };
        for (k, item) in table.iter() {
            let field = format!("{key}.{k}");
            let attribute = match item.as_value() {
                Some(TomlValue::Array(items)) => self.list(&field, items).map(Attribute::List),
                Some(v) => match convert_value(v, self.src) {
                    Ok(v) => Some(Attribute::One(v)),
                    Err((msg, stand_in)) => {
                        self.problem(&field, msg);
                        stand_in.map(Attribute::One)
                    }
                },
                None => {
                    self.problem(
                        &field,
                        format!("expected a boolean, number, string or list, found {}", describe_item(item)),
                    );
                    None
                }
            };
            if let Some(a) = attribute {
                out.insert(k.to_owned(), a);
            }
        }
        out
    }

    /// A list attribute: strings, or numbers, all of one type. An item in error is reported and
    /// left out, so that the list keeps its type for the checks that follow.
    fn list(&mut self, field: &str, items: &toml_edit::Array) -> Option<Vec<Value>> {
        let mut out: Vec<Value> = Vec::with_capacity(items.len());
        for (j, v) in items.iter().enumerate() {
            let at = format!("{field}[{j}]");
            let value = match v {
                TomlValue::Array(_) | TomlValue::InlineTable(_) | TomlValue::Datetime(_) => {
                    self.problem(
                        &at,
                        format!("a list attribute holds strings or numbers, found {}", describe_value(v)),
                    );
                    continue;
                }
                v => match convert_value(v, self.src) {
                    Ok(v) => v,
                    Err((msg, _)) => {
                        self.problem(&at, msg);
                        continue;
                    }
                },
            };
            if let Some(message) = Attribute::list_item_problem(out.first(), &value) {
                self.problem(&at, message);
                continue;
            }
            out.push(value);
        }
        Some(out)
    }

    fn decimals(&mut self, key: &str) -> BTreeMap<String, Decimal> {
        let mut out = BTreeMap::new();
        let Some(table) = self.sub_table(key) else { return out };
        for (k, item) in table.iter() {
            match number(item, self.src) {
                Ok(d) => {
                    out.insert(k.to_owned(), d);
                }
                Err(msg) => self.problem(&format!("{key}.{k}"), msg),
            }
        }
        out
    }

    fn engagement(&mut self) -> Engagement {
        match self.string("engagement", true).as_deref() {
            Some("new") | None => Engagement::New,
            Some("continuing") => Engagement::Continuing,
            Some(other) => {
                self.problem("engagement", format!("unknown engagement `{other}`: expected `new` or `continuing`"));
                Engagement::New
            }
        }
    }

    fn stance(&mut self) -> VoteStance {
        let text = self.string("stance", true);
        match text.as_deref().map(|t| (t, VoteStance::parse(t))) {
            Some((_, Some(stance))) => stance,
            Some((other, None)) => {
                self.problem(
                    "stance",
                    format!("unknown stance `{other}`: expected `consent`, `object`, `abstain` or `silent`"),
                );
                VoteStance::Abstain
            }
            None => VoteStance::Abstain,
        }
    }

    fn procedure(&mut self) -> Option<Procedure> {
        let text = self.string("procedure", false)?;
        let procedure = Procedure::parse(&text);
        if procedure.is_none() {
            self.problem("procedure", format!("unknown procedure `{text}`: expected `silence` or `meeting`"));
        }
        procedure
    }

    fn decided(&mut self) -> Decided {
        let text = self.string("outcome", true);
        match text.as_deref().map(|t| (t, Decided::parse(t))) {
            Some((_, Some(outcome))) => outcome,
            Some((other, None)) => {
                let hint = if other == "pending" { " (a decision is taken: it is never pending)" } else { "" };
                self.problem(
                    "outcome",
                    format!("unknown outcome `{other}`: expected `adopted`, `blocked` or `withdrawn`{hint}"),
                );
                Decided::Blocked
            }
            None => Decided::Blocked,
        }
    }

    fn trigger(&mut self) -> Trigger {
        match self.string("trigger", false).as_deref() {
            None | Some("record") => Trigger::Record,
            Some("deadline") => Trigger::Deadline,
            Some("adopted") => Trigger::Adopted,
            Some("close") => Trigger::Close,
            Some(other) => {
                self.problem(
                    "trigger",
                    format!("unknown trigger `{other}`: expected `record`, `deadline`, `adopted` or `close`"),
                );
                Trigger::Record
            }
        }
    }

    fn seats(&mut self) -> Seats {
        let Some(item) = self.get("members", true) else { return Seats::All };
        if let Some(text) = item.as_str() {
            if text == "all" {
                return Seats::All;
            }
            self.problem("members", format!("expected `\"all\"` or a list of member ids, found `\"{text}\"`"));
            return Seats::All;
        }
        if item.as_array().is_some() {
            return Seats::Listed(self.strings("members"));
        }
        self.problem("members", format!("expected `\"all\"` or a list of member ids, found {}", describe_item(item)));
        Seats::All
    }

    fn rule(&mut self) -> Option<Rule> {
        let item = self.get("rule", true)?;
        if let Some(kind) = item.as_str() {
            return match kind {
                "consensus" => Some(Rule::CONSENSUS),
                "unanimity" => Some(Rule::UNANIMITY),
                "majority" | "qualified" | "weighted" | "veto" => {
                    self.problem("rule", format!("rule `{kind}` needs parameters: write `{{ kind = \"{kind}\", … }}`"));
                    None
                }
                other => {
                    self.problem("rule", unknown_rule(other));
                    None
                }
            };
        }
        let table = self.sub_table("rule")?;
        let mut rule = RuleFields { entry: self, table, used: HashSet::new() };
        let parsed = rule.read();
        rule.finish();
        parsed
    }

    /// Reports keys that no reader asked for.
    fn finish(self, known: &[&str]) {
        let mut unknown: Vec<&str> = self.table.iter().map(|(k, _)| k).filter(|k| !known.contains(k)).collect();
        unknown.sort_unstable();
        for key in unknown {
            let p = Problem::new(Site::field(self.site_table, self.index, key), format!("unknown field `{key}`"))
                .with_entry_id(self.entry_id.as_deref())
                .with_help(format!(
                    "expected one of {}",
                    known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                ));
            self.problems.push(p);
        }
    }
}

fn unknown_rule(kind: &str) -> String {
    format!("unknown rule `{kind}`: expected `consensus`, `unanimity`, `majority`, `qualified`, `weighted` or `veto`")
}

/// The parameters of a rule written as a table.
struct RuleFields<'e, 'a> {
    entry: &'e mut Entry<'a>,
    table: &'a dyn TableLike,
    used: HashSet<&'static str>,
}

impl<'a> RuleFields<'_, 'a> {
    fn field(&mut self, key: &'static str, required: bool) -> Option<&'a Item> {
        self.used.insert(key);
        let item = self.table.get(key);
        if item.is_none() && required {
            self.entry.problem("rule", format!("missing field `rule.{key}`"));
        }
        item
    }

    fn share(&mut self, key: &'static str, required: bool) -> Option<Share> {
        let item = self.field(key, required)?;
        match share(item, self.entry.src) {
            Ok(s) => Some(s),
            Err(msg) => {
                self.entry.problem(&format!("rule.{key}"), msg);
                None
            }
        }
    }

    /// `constructive_abstention = { members_share = "1/3", weight = "population", weight_share = "1/3" }`.
    fn constructive_abstention(&mut self) -> Option<Option<ConstructiveAbstention>> {
        let Some(item) = self.field("constructive_abstention", false) else { return Some(None) };
        let field = |key: &str| format!("rule.constructive_abstention.{key}");
        let Some(table) = item.as_table_like() else {
            self.entry.problem(
                "rule.constructive_abstention",
                format!("expected a table like `{{ members_share = \"1/3\" }}`, found {}", describe_item(item)),
            );
            return None;
        };
        let read = |key: &str| -> Option<Result<Share, String>> { table.get(key).map(|i| share(i, self.entry.src)) };
        let members_share = read("members_share");
        let weight_share = read("weight_share");
        let weight = table.get("weight").map(|i| i.as_str().map(str::to_owned).ok_or_else(|| describe_item(i)));
        for (key, _) in table.iter() {
            if !["members_share", "weight", "weight_share"].contains(&key) {
                self.entry.problem(
                    &field(key),
                    format!("unknown field `{key}` of `constructive_abstention` (it reads members_share, weight, weight_share)"),
                );
            }
        }
        let mut ok = true;
        let members_share = match members_share {
            Some(Ok(s)) => Some(s),
            Some(Err(msg)) => {
                self.entry.problem(&field("members_share"), msg);
                None
            }
            None => {
                self.entry.problem("rule.constructive_abstention", "missing field `members_share`");
                None
            }
        };
        let weight_share = match weight_share {
            Some(Ok(s)) => Some(s),
            Some(Err(msg)) => {
                self.entry.problem(&field("weight_share"), msg);
                ok = false;
                None
            }
            None => None,
        };
        let weight = match weight {
            Some(Ok(w)) => Some(w),
            Some(Err(found)) => {
                self.entry.problem(&field("weight"), format!("expected a weight name, found {found}"));
                ok = false;
                None
            }
            None => None,
        };
        if ok && weight.is_some() != weight_share.is_some() {
            self.entry.problem("rule.constructive_abstention", "give `weight` and `weight_share` together, or neither");
            ok = false;
        }
        let members_share = members_share?;
        ok.then_some(Some(ConstructiveAbstention { members_share, weight, weight_share }))
    }

    fn count(&mut self, key: &'static str, required: bool) -> Option<u32> {
        let item = self.field(key, required)?;
        match item.as_integer().map(u32::try_from) {
            Some(Ok(n)) => Some(n),
            _ => {
                self.entry.problem(
                    &format!("rule.{key}"),
                    format!("expected a whole number of members, found {}", describe_item(item)),
                );
                None
            }
        }
    }

    fn text(&mut self, key: &'static str, required: bool) -> Option<String> {
        let item = self.field(key, required)?;
        match item.as_str() {
            Some(s) => Some(s.to_owned()),
            None => {
                self.entry.problem(&format!("rule.{key}"), format!("expected a string, found {}", describe_item(item)));
                None
            }
        }
    }

    fn read(&mut self) -> Option<Rule> {
        let kind = self.text("kind", true)?;
        match kind.as_str() {
            "consensus" => {
                let disregard = match self.text("disregard", false).as_deref() {
                    None => None,
                    Some("concerned") => Some(Disregard::Concerned),
                    Some(other) => {
                        self.entry.problem(
                            "rule.disregard",
                            format!("unknown `disregard = \"{other}\"`: expected `\"concerned\"`"),
                        );
                        return None;
                    }
                };
                Some(Rule::Consensus { disregard })
            }
            "unanimity" => Some(Rule::Unanimity { constructive_abstention: self.constructive_abstention()? }),
            "majority" => Some(Rule::Majority { share: self.share("share", true)? }),
            "qualified" => {
                let members_share = self.share("members_share", true);
                let weight = self.text("weight", true);
                let weight_share = self.share("weight_share", true);
                let blocking_min = self.count("blocking_min", false);
                Some(Rule::Qualified {
                    members_share: members_share?,
                    weight: weight?,
                    weight_share: weight_share?,
                    blocking_min,
                })
            }
            "weighted" => {
                let weight = self.text("weight", true);
                let quota = self.field("quota", false).map(|item| number(item, self.entry.src));
                let share = self.share("quota_share", false);
                let quota = match (quota, share) {
                    (Some(Ok(q)), None) if !q.is_negative() => Quota::Absolute(q),
                    (Some(Ok(q)), None) => {
                        self.entry.problem("rule.quota", format!("a quota must not be negative, found `{q}`"));
                        return None;
                    }
                    (None, Some(s)) => Quota::Share(s),
                    (Some(Err(msg)), _) => {
                        self.entry.problem("rule.quota", msg);
                        return None;
                    }
                    (Some(_), Some(_)) => {
                        self.entry.problem("rule", "give either `quota` or `quota_share`, not both");
                        return None;
                    }
                    (None, None) => {
                        if !self.table.contains_key("quota_share") {
                            self.entry.problem("rule", "missing field `rule.quota` (or `rule.quota_share`)");
                        }
                        return None;
                    }
                };
                Some(Rule::Weighted { weight: weight?, quota })
            }
            "veto" => {
                let min_yes = self.count("min_yes", true);
                self.used.insert("veto");
                let veto = match self.table.get("veto") {
                    None => {
                        self.entry.problem("rule", "missing field `rule.veto`");
                        None
                    }
                    Some(item) => match item.as_array() {
                        Some(a) if a.iter().all(|v| v.as_str().is_some()) => {
                            Some(a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
                        }
                        _ => {
                            self.entry.problem(
                                "rule.veto",
                                format!("expected a list of member ids, found {}", describe_item(item)),
                            );
                            None
                        }
                    },
                };
                Some(Rule::Veto { min_yes: min_yes?, veto: veto? })
            }
            other => {
                self.entry.problem("rule.kind", unknown_rule(other));
                None
            }
        }
    }

    fn finish(self) {
        let known: Vec<&str> = {
            let mut k: Vec<&str> = self.used.iter().copied().collect();
            k.sort_unstable();
            k
        };
        for (key, _) in self.table.iter() {
            if !self.used.contains(key) {
                self.entry.problem(
                    &format!("rule.{key}"),
                    format!("unknown field `rule.{key}` for this rule (it reads {})", known.join(", ")),
                );
            }
        }
    }
}

/// Where a string value's text begins, given the span of the value (quotes included). Exact for
/// literal strings, which is what policies are written in; for basic strings with escapes it is
/// a close approximation.
fn string_content_start(src: &str, span: Range<usize>) -> Option<usize> {
    let raw = src.get(span.clone())?;
    let (skip, multiline) = if raw.starts_with("'''") || raw.starts_with("\"\"\"") {
        (3, true)
    } else if raw.starts_with('\'') || raw.starts_with('"') {
        (1, false)
    } else {
        return None;
    };
    let mut start = span.start + skip;
    if multiline {
        let rest = src.get(start..)?;
        if rest.starts_with("\r\n") {
            start += 2;
        } else if rest.starts_with('\n') {
            start += 1;
        }
    }
    Some(start)
}

fn first_key_span(table: &dyn TableLike) -> Option<Range<usize>> {
    table.iter().next().and_then(|(k, item)| table.key(k).and_then(|key| key.span()).or_else(|| item.span()))
}

/// A share: a number (`0.55`) or a string, a fraction or a decimal (`"1/3"`, `"0.55"`).
fn share(item: &Item, src: &str) -> Result<Share, String> {
    match item.as_str() {
        Some(text) => Share::parse(text),
        None => Share::from_decimal(number(item, src)?),
    }
}

fn number(item: &Item, src: &str) -> Result<Decimal, String> {
    match item.as_value() {
        Some(TomlValue::Integer(n)) => Ok(Decimal::from_int(*n.value())),
        Some(TomlValue::Float(f)) => float(f, src).map_err(|e| e.to_string()),
        _ => Err(format!("expected a number, found {}", describe_item(item))),
    }
}

/// A TOML float read exactly from the digits written in the file, never through binary floating
/// point (`0.1234567890123456789` keeps all its digits); the parsed value stands in only where
/// the document carries no source text.
fn float(f: &toml_edit::Formatted<f64>, src: &str) -> Result<Decimal, DecimalError> {
    let written = f.span().and_then(|span| src.get(span)).or_else(|| f.as_repr().and_then(|r| r.as_raw().as_str()));
    match written {
        Some(text) => Decimal::parse_scientific(text.trim()),
        None => Decimal::from_f64(*f.value()),
    }
}

/// A value, or why it cannot be one with a stand-in of the right type where the type is clear
/// (so that the problem is not reported again by every policy that reads it). Whether a decimal
/// fits what positions can read is the checker's to say.
fn convert_value(v: &TomlValue, src: &str) -> Result<Value, (String, Option<Value>)> {
    let zero = || Some(Value::Decimal(Decimal::from_int(0)));
    match v {
        TomlValue::Boolean(b) => Ok(Value::Bool(*b.value())),
        TomlValue::Integer(i) => Ok(Value::Long(*i.value())),
        TomlValue::Float(f) => float(f, src).map(Value::Decimal).map_err(|e| (e.to_string(), zero())),
        TomlValue::String(s) => Ok(Value::String(s.value().clone())),
        other => Err((format!("expected a boolean, number or string, found {}", describe_value(other)), None)),
    }
}

fn describe(item: &Item) -> String {
    describe_item(item)
}

fn describe_item(item: &Item) -> String {
    match item {
        Item::Value(v) => describe_value(v),
        Item::Table(_) => "a table".to_owned(),
        Item::ArrayOfTables(_) => "an array of tables".to_owned(),
        Item::None => "nothing".to_owned(),
    }
}

fn describe_value(v: &TomlValue) -> String {
    match v {
        TomlValue::String(s) => format!("the string `{}`", s.value()),
        TomlValue::Integer(i) => format!("the integer `{}`", i.value()),
        TomlValue::Float(f) => format!("the number `{}`", f.value()),
        TomlValue::Boolean(b) => format!("the boolean `{}`", b.value()),
        TomlValue::Datetime(d) => format!("the date `{}`", d.value()),
        TomlValue::Array(_) => "a list".to_owned(),
        TomlValue::InlineTable(_) => "a table".to_owned(),
    }
}
