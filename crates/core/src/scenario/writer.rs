//! Writing a [`Scenario`] back out as a scenario file.
//!
//! [`write`] is the inverse of [`parse`](super::parse): the text it returns reads back to an equal
//! scenario, so that a tool that changes a scenario in memory (a store, a converter, a generator)
//! can save it as a file that people read and edit. The output looks like the hand-written
//! examples: `[scenario]` first, then one `[[table]]` entry per item in the model's order, inline
//! tables for `weights`, `attributes` and rules, dates as TOML local dates, and policies as
//! literal multi-line strings whenever their text allows it.
//!
//! Decimals are written as the [`Decimal`] prints (`0.55`, `85.3`, `12`), which the reader turns
//! back into the same decimal; a decimal fact or attribute value with no fractional digits is
//! written `3.0`, so that it does not read back as the integer `3`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::date::Date;
use crate::model::{Attribute, Disregard, Quota, Rule, Scenario, Seats, Trigger, Value};
use crate::number::Decimal;
use crate::share::Share;

/// Writes a scenario as a scenario file that [`parse`](super::parse) reads back to an equal
/// [`Scenario`].
pub fn write(scenario: &Scenario) -> String {
    let mut w = Writer::default();
    w.header("[scenario]");
    w.string("id", &scenario.id);
    w.opt_string("title", scenario.title.as_deref());
    w.opt_date("as_of", scenario.as_of);
    for m in &scenario.members {
        w.header("[[member]]");
        w.string("id", &m.id);
        w.opt_string("name", m.name.as_deref());
        w.opt_date("joined", m.joined);
        if !m.weights.is_empty() {
            w.field("weights", &inline_table(&m.weights, |d| number(*d)));
        }
        if !m.groups.is_empty() {
            w.field("groups", &list(&m.groups));
        }
    }
    for f in &scenario.frameworks {
        w.header("[[framework]]");
        w.string("id", &f.id);
        w.opt_string("name", f.name.as_deref());
        w.opt_date("since", f.since);
    }
    for p in &scenario.partners {
        w.header("[[partner]]");
        w.string("id", &p.id);
        w.opt_string("name", p.name.as_deref());
        w.field("frameworks", &list(&p.frameworks));
        if !p.statuses.is_empty() {
            w.field("statuses", &list(&p.statuses));
        }
    }
    for c in &scenario.committees {
        w.header("[[committee]]");
        w.string("id", &c.id);
        w.opt_string("name", c.name.as_deref());
        match &c.members {
            Seats::All => w.field("members", "\"all\""),
            Seats::Listed(ids) => w.field("members", &list(ids)),
        }
        w.field("rule", &rule(&c.rule));
    }
    for f in &scenario.facts {
        w.header("[[fact]]");
        w.string("id", &f.id);
        w.field("value", &value(&f.value));
        w.field("as_of", &f.as_of.to_string());
        w.string("source", &f.source);
        w.opt_date("valid_until", f.valid_until);
        w.opt_date("recorded", f.recorded);
    }
    for p in &scenario.proposals {
        w.header("[[proposal]]");
        w.string("id", &p.id);
        w.opt_string("title", p.title.as_deref());
        w.string("committee", &p.committee);
        w.string("kind", &p.kind);
        w.field("partners", &list(&p.partners));
        w.string("engagement", p.engagement.as_str());
        w.opt_date("circulated", p.circulated);
        w.opt_date("deadline", p.deadline);
        w.opt_string("procedure", p.procedure.map(|p| p.as_str()));
        w.opt_date("withdrawn", p.withdrawn);
        w.opt_string("withdrawn_reason", p.withdrawn_reason.as_deref());
        w.opt_string("supersedes", p.supersedes.as_deref());
        if !p.concerned.is_empty() {
            w.field("concerned", &list(&p.concerned));
        }
        if !p.attributes.is_empty() {
            w.field("attributes", &inline_table(&p.attributes, attribute));
        }
    }
    for p in &scenario.positions {
        w.header("[[position]]");
        w.string("id", &p.id);
        w.string("member", &p.member);
        w.opt_date("since", p.since);
        w.opt_date("withdrawn", p.withdrawn);
        w.opt_date("recorded", p.recorded);
        w.string("source", &p.source);
        w.field("policy", &policy(&p.policy));
    }
    for v in &scenario.votes {
        w.header("[[vote]]");
        w.string("proposal", &v.proposal);
        w.string("member", &v.member);
        w.string("stance", v.stance.as_str());
        w.field("at", &v.at.to_string());
        w.opt_string("reason", v.reason.as_deref());
        w.opt_string("source", v.source.as_deref());
        w.opt_string("statement", v.statement.as_deref());
    }
    for x in &scenario.extensions {
        w.header("[[extension]]");
        w.string("proposal", &x.proposal);
        w.field("on", &x.on.to_string());
        w.field("deadline", &x.deadline.to_string());
        w.opt_string("reason", x.reason.as_deref());
    }
    for d in &scenario.decisions {
        w.header("[[decision]]");
        w.string("proposal", &d.proposal);
        w.field("on", &d.on.to_string());
        w.string("outcome", d.outcome.as_str());
        w.string("source", &d.source);
        w.opt_string("note", d.note.as_deref());
        if d.trigger != Trigger::Record {
            w.string("trigger", trigger(d.trigger));
        }
    }
    w.out
}

fn trigger(t: Trigger) -> &'static str {
    match t {
        Trigger::Deadline => "deadline",
        Trigger::Adopted => "adopted",
        Trigger::Close => "close",
        Trigger::Record => "record",
    }
}

/// The text being written, one `key = value` line at a time.
#[derive(Default)]
struct Writer {
    out: String,
}

impl Writer {
    /// Starts a table, after a blank line unless it is the first.
    fn header(&mut self, header: &str) {
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        self.out.push_str(header);
        self.out.push('\n');
    }

    fn field(&mut self, key: &str, value: &str) {
        let _ = writeln!(self.out, "{key} = {value}");
    }

    fn string(&mut self, key: &str, text: &str) {
        self.field(key, &quote(text));
    }

    fn opt_string(&mut self, key: &str, text: Option<&str>) {
        if let Some(text) = text {
            self.string(key, text);
        }
    }

    fn opt_date(&mut self, key: &str, date: Option<Date>) {
        if let Some(date) = date {
            self.field(key, &date.to_string());
        }
    }
}

/// A TOML basic string: `"…"` with quotes, backslashes and control characters escaped.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c.is_ascii_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A key: bare when TOML allows it, else quoted.
fn key(text: &str) -> String {
    let bare = !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if bare { text.to_owned() } else { quote(text) }
}

/// A policy: a literal multi-line string, as the docs write policies, unless the text holds
/// `'''` or a control character a literal string cannot hold; then a basic string.
fn policy(text: &str) -> String {
    let literal = !text.contains("'''") && !text.chars().any(|c| c.is_ascii_control() && c != '\n' && c != '\t');
    // The newline after the opening `'''` is trimmed by TOML, so any text starts cleanly after it.
    if literal { format!("'''\n{text}'''") } else { quote(text) }
}

fn list(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|s| quote(s)).collect();
    format!("[{}]", items.join(", "))
}

fn inline_table<T>(map: &BTreeMap<String, T>, show: impl Fn(&T) -> String) -> String {
    let fields: Vec<String> = map.iter().map(|(k, v)| format!("{} = {}", key(k), show(v))).collect();
    format!("{{ {} }}", fields.join(", "))
}

fn attribute(a: &Attribute) -> String {
    match a {
        Attribute::One(v) => value(v),
        Attribute::List(items) => format!("[{}]", items.iter().map(value).collect::<Vec<_>>().join(", ")),
    }
}

fn value(v: &Value) -> String {
    match v {
        Value::Bool(b) => b.to_string(),
        Value::Long(n) => n.to_string(),
        Value::Decimal(d) => float(*d),
        Value::String(s) => quote(s),
    }
}

/// A decimal as a TOML float, with a fractional part even when it has no fractional digits.
fn float(d: Decimal) -> String {
    if d.scale() == 0 { format!("{d}.0") } else { d.to_string() }
}

/// A number (a weight, a share, a quota) as it prints, or as a float where a TOML integer cannot
/// hold it (past 64 bits): the reader reads a float's digits exactly.
fn number(d: Decimal) -> String {
    if d.scale() == 0 && i64::try_from(d.units()).is_err() { float(d) } else { d.to_string() }
}

/// A share as written: a decimal as a number, a fraction as a string (`"1/3"`).
fn share(s: Share) -> String {
    match s {
        Share::Decimal(d) => number(d),
        Share::Fraction { .. } => quote(&s.to_string()),
    }
}

fn rule(rule: &Rule) -> String {
    let kind = quote(rule.kind());
    match rule {
        Rule::Consensus { disregard: None } | Rule::Unanimity { constructive_abstention: None } => kind,
        Rule::Consensus { disregard: Some(Disregard::Concerned) } => {
            format!("{{ kind = {kind}, disregard = \"concerned\" }}")
        }
        Rule::Unanimity { constructive_abstention: Some(c) } => {
            let weight = match (&c.weight, c.weight_share) {
                (Some(w), Some(s)) => format!(", weight = {}, weight_share = {}", quote(w), share(s)),
                _ => String::new(),
            };
            format!(
                "{{ kind = {kind}, constructive_abstention = {{ members_share = {}{weight} }} }}",
                share(c.members_share)
            )
        }
        Rule::Majority { share: s } => format!("{{ kind = {kind}, share = {} }}", share(*s)),
        Rule::Qualified { members_share, weight, weight_share, blocking_min } => {
            let blocking = blocking_min.map(|n| format!(", blocking_min = {n}")).unwrap_or_default();
            format!(
                "{{ kind = {kind}, members_share = {}, weight = {}, weight_share = {}{blocking} }}",
                share(*members_share),
                quote(weight),
                share(*weight_share)
            )
        }
        Rule::Weighted { weight, quota } => {
            let quota = match quota {
                Quota::Absolute(q) => format!("quota = {}", number(*q)),
                Quota::Share(q) => format!("quota_share = {}", share(*q)),
            };
            format!("{{ kind = {kind}, weight = {}, {quota} }}", quote(weight))
        }
        Rule::Veto { min_yes, veto } => format!("{{ kind = {kind}, min_yes = {min_yes}, veto = {} }}", list(veto)),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::model::{
        Committee, Decided, DecisionRecord, Engagement, Extension, Fact, Member, Partner, Position, Procedure,
        Proposal, Vote, VoteStance,
    };
    use crate::scenario::parse;
    use crate::synth::{Shape, generate};

    const EXAMPLES: [(&str, &str); 3] = [
        ("nato-2025", include_str!("../../../../examples/nato-2025.toml")),
        ("eu-council", include_str!("../../../../examples/eu-council.toml")),
        ("un-security-council", include_str!("../../../../examples/un-security-council.toml")),
    ];

    /// Parses `src`, writes it, and checks that the text reads back to the same scenario.
    fn round_trip(src: &str) -> (Scenario, String) {
        let scenario = parse(src, "x").unwrap();
        let text = write(&scenario);
        let back = parse(&text, "x").unwrap_or_else(|e| panic!("{e:?}\nwritten:\n{text}"));
        assert_eq!(back, scenario, "written:\n{text}");
        (scenario, text)
    }

    fn outcomes(src: &str) -> Vec<(usize, crate::Outcome)> {
        let engine = crate::load(src, "x").unwrap();
        let evaluation = engine.evaluate(engine.as_of(), &[]).unwrap();
        evaluation.decisions().iter().map(|d| (d.proposal, d.outcome)).collect()
    }

    #[test]
    fn examples_round_trip_and_decide_the_same() {
        for (name, src) in EXAMPLES {
            let (_, text) = round_trip(src);
            assert_eq!(outcomes(&text), outcomes(src), "{name}");
        }
    }

    #[test]
    fn writes_like_the_examples() {
        let (_, text) = round_trip(EXAMPLES[0].1);
        assert!(text.starts_with("[scenario]\nid = \"nato-2025\"\n"));
        assert!(text.contains(
            "\n\n[[member]]\nid = \"BEL\"\nname = \"Belgium\"\njoined = 1949-08-24\nweights = { population = 11.8 }\n\n"
        ));
        assert!(text.contains("rule = \"consensus\"\n"));
        assert!(text.contains("policy = '''\nforbid (principal, action == Action::\"consent\", resource)\n"));
        assert!(text.ends_with("\"\n") && !text.ends_with("\n\n"));
        let (_, eu) = round_trip(EXAMPLES[1].1);
        assert!(eu.contains("rule = { kind = \"qualified\", members_share = 0.55, weight = \"population\""));
        let (_, un) = round_trip(EXAMPLES[2].1);
        assert!(
            un.contains(
                "rule = { kind = \"veto\", min_yes = 9, veto = [\"CHN\", \"FRA\", \"GBR\", \"RUS\", \"USA\"] }"
            )
        );
    }

    #[test]
    fn synthetic_scenarios_round_trip() {
        let shapes = [
            Shape { members: 1, partners: 1, proposals: 0, positions: 0, facts: 2, linked: 0 },
            Shape { members: 5, partners: 3, proposals: 20, positions: 6, facts: 3, linked: 0 },
            Shape { members: 32, partners: 10, proposals: 200, positions: 40, facts: 8, linked: 12 },
        ];
        for shape in shapes {
            for seed in [0, 7, 2025] {
                let src = generate(&shape, seed).unwrap();
                let (_, text) = round_trip(&src);
                assert_eq!(outcomes(&text), outcomes(&src), "{shape:?} seed {seed}");
            }
        }
    }

    #[test]
    fn values_keep_their_types_and_rules_their_parameters() {
        let src = r#"
[scenario]
id = "s"
as_of = "2025-01-02"

[[member]]
id = "A"
weights = { "a b" = 3, v = 0.000000001, w = -2.50 }

[[committee]]
id = "C"
members = []
rule = { kind = "weighted", weight = "v", quota_share = 1 }

[[committee]]
id = "D"
members = ["A"]
rule = { kind = "weighted", weight = "v", quota = 41.0 }

[[committee]]
id = "E"
members = "all"
rule = { kind = "qualified", members_share = 0.5, weight = "w", weight_share = 0.65 }

[[fact]]
id = "f"
value = 3.0
as_of = 2025-01-01
source = ""

[[fact]]
id = "f"
value = -0.25
as_of = 2025-01-01
source = "s"
valid_until = 2025-02-01

[[proposal]]
id = "p"
committee = "C"
kind = ""
partners = []
engagement = "continuing"
attributes = { n = 3, d = 3.0, e = 1.5, b = true, s = "x", "" = "empty key" }
"#;
        let (s, text) = round_trip(src);
        assert_eq!(s.facts[0].value, Value::Decimal(Decimal::from_int(3)));
        assert!(text.contains("value = 3.0\n"), "{text}");
        assert!(text.contains("attributes = { \"\" = \"empty key\", b = true, d = 3.0, e = 1.5, n = 3, s = \"x\" }"));
        assert!(text.contains("members = []\n"));
    }

    #[test]
    fn strings_are_escaped() {
        assert_eq!(quote("a\"b\\c\nd\te\u{0}\u{7f}é"), r#""a\"b\\c\nd\te\u0000\u007Fé""#);
        assert_eq!(policy("forbid;\n"), "'''\nforbid;\n'''");
        assert_eq!(policy("a'''b"), "\"a'''b\"");
        assert_eq!(policy("a\r\nb"), "\"a\\r\\nb\"");
        assert_eq!(key("a-b_1"), "a-b_1");
        assert_eq!(key("a.b"), "\"a.b\"");
    }

    /// Text with the characters that trip up writers: quotes of both kinds, backslashes,
    /// newlines, control characters, non-ASCII, and runs of apostrophes.
    fn awkward() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("'".to_owned()),
            Just("'''".to_owned()),
            Just("\"\"\"".to_owned()),
            Just("\\".to_owned()),
            Just("\\u0041".to_owned()),
            Just("\n".to_owned()),
            Just("\r\n".to_owned()),
            Just("\r".to_owned()),
            Just("\t".to_owned()),
            Just("\u{0}\u{1b}\u{7f}\u{85}".to_owned()),
            Just("Türkiye € 😀 \u{feff}".to_owned()),
            "[a-z ]{0,4}",
            any::<char>().prop_map(String::from),
        ];
        prop::collection::vec(piece, 0..8).prop_map(|pieces| pieces.concat())
    }

    /// Decimals of up to 28 significant digits, small and large.
    fn decimal() -> impl Strategy<Value = Decimal> {
        let units = prop_oneof![-1_000_000i128..1_000_000, -(10i128.pow(28) - 1)..10i128.pow(28)];
        (units, 0u32..=28).prop_map(|(units, scale)| {
            let sign = if units < 0 { "-" } else { "" };
            let digits = format!("{:0>width$}", units.unsigned_abs(), width = scale as usize + 1);
            let (whole, frac) = digits.split_at(digits.len() - scale as usize);
            let text = if scale == 0 { format!("{sign}{whole}") } else { format!("{sign}{whole}.{frac}") };
            Decimal::parse(&text).unwrap()
        })
    }

    fn attribute() -> impl Strategy<Value = Value> {
        prop_oneof![
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::Long),
            decimal().prop_map(Value::Decimal),
            awkward().prop_map(Value::String),
        ]
    }

    /// An attribute: one value, or a list of strings, integers or decimals.
    fn proposal_attribute() -> impl Strategy<Value = Attribute> {
        prop_oneof![
            attribute().prop_map(Attribute::One),
            prop::collection::vec(awkward().prop_map(Value::String), 0..3).prop_map(Attribute::List),
            prop::collection::vec(any::<i64>().prop_map(Value::Long), 0..3).prop_map(Attribute::List),
            prop::collection::vec(decimal().prop_map(Value::Decimal), 1..3).prop_map(Attribute::List),
        ]
    }

    fn date() -> impl Strategy<Value = Date> {
        (1u16..=9999, 1u8..=12, 1u8..=28).prop_map(|(y, m, d)| Date::new(y, m, d).unwrap())
    }

    prop_compose! {
        fn scenario()(
            title in proptest::option::of(awkward()),
            id in awkward(),
            as_of in date(),
            weights in prop::collection::btree_map(awkward(), decimal(), 0..3),
            name in proptest::option::of(awkward()),
            statuses in prop::collection::vec(awkward(), 0..3),
            rule_weight in awkward(),
            fact in attribute(),
            source in awkward(),
            attributes in prop::collection::btree_map(awkward(), proposal_attribute(), 0..4),
            policy in awkward(),
            since in proptest::option::of(date()),
            reason in proptest::option::of(awkward()),
        ) -> Scenario {
            Scenario {
                id: id.clone(),
                title: title.clone(),
                as_of: Some(as_of),
                members: vec![Member { id: id.clone(), name: name.clone(), joined: since, weights, groups: statuses.clone() }],
                frameworks: vec![],
                partners: vec![Partner { id: id.clone(), name, frameworks: vec![], statuses: statuses.clone() }],
                committees: vec![
                    Committee { id: id.clone(), name: None, members: Seats::Listed(statuses), rule: Rule::CONSENSUS },
                    Committee {
                        id: id.clone(),
                        name: title.clone(),
                        members: Seats::All,
                        rule: Rule::Weighted { weight: rule_weight, quota: Quota::Absolute(Decimal::from_int(7)) },
                    },
                ],
                facts: vec![Fact {
                    id: id.clone(),
                    value: fact,
                    as_of,
                    source: source.clone(),
                    valid_until: since,
                    recorded: since,
                }],
                proposals: vec![Proposal {
                    id: id.clone(),
                    title: title.clone(),
                    committee: id.clone(),
                    kind: source.clone(),
                    partners: vec![id.clone()],
                    engagement: Engagement::New,
                    circulated: since,
                    deadline: Some(as_of),
                    procedure: Some(Procedure::Meeting),
                    withdrawn: since,
                    withdrawn_reason: reason.clone(),
                    supersedes: Some(id.clone()),
                    attributes,
                    concerned: vec![id.clone()],
                }],
                positions: vec![Position {
                    id: id.clone(),
                    member: id.clone(),
                    since,
                    withdrawn: Some(as_of),
                    recorded: since,
                    source: source.clone(),
                    policy,
                }],
                votes: vec![Vote {
                    proposal: id.clone(),
                    member: id.clone(),
                    stance: VoteStance::Object,
                    at: as_of,
                    reason: reason.clone(),
                    source: reason.clone(),
                    statement: reason.clone(),
                }],
                extensions: vec![Extension { proposal: id.clone(), on: as_of, deadline: as_of, reason: reason.clone() }],
                decisions: vec![DecisionRecord {
                    proposal: id,
                    on: as_of,
                    outcome: Decided::Withdrawn,
                    source,
                    note: reason,
                    trigger: Trigger::Close,
                    objecting: Vec::new(),
                }],
            }
        }
    }

    proptest! {
        #[test]
        fn awkward_scenarios_round_trip(s in scenario()) {
            let text = write(&s);
            let back = parse(&text, "x").map_err(|e| format!("{e:?}"));
            prop_assert_eq!(back, Ok(s), "written:\n{}", text);
        }
    }
}
