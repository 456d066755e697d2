//! Problems found in a scenario, located by *site* rather than by file position.
//!
//! Validation works on the [`crate::model`] types, which may come from a TOML file, a database or
//! an HTTP request. A [`Problem`] says where it lies as a [`Site`] (which table, which entry, which
//! field); whoever read the scenario turns sites into file, line and column
//! ([`crate::scenario::load`] does so for TOML).

use std::fmt;

/// The kind of entry a site lies in: one per table of the scenario file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    /// The `[scenario]` table.
    Scenario,
    /// A `[[member]]`.
    Member,
    /// A `[[framework]]`.
    Framework,
    /// A `[[partner]]`.
    Partner,
    /// A `[[committee]]`.
    Committee,
    /// A `[[fact]]`.
    Fact,
    /// A `[[proposal]]`.
    Proposal,
    /// A `[[position]]`.
    Position,
    /// A `[[vote]]`.
    Vote,
    /// An `[[extension]]`.
    Extension,
    /// A `[[decision]]`.
    Decision,
    /// Outside any table (a top-level key, or the whole file).
    Root,
}

impl Table {
    /// The table's name in the scenario file.
    pub fn name(self) -> &'static str {
        match self {
            Table::Scenario => "scenario",
            Table::Member => "member",
            Table::Framework => "framework",
            Table::Partner => "partner",
            Table::Committee => "committee",
            Table::Fact => "fact",
            Table::Proposal => "proposal",
            Table::Position => "position",
            Table::Vote => "vote",
            Table::Extension => "extension",
            Table::Decision => "decision",
            Table::Root => "file",
        }
    }
}

/// Where a problem lies: an entry of a table, and optionally one of its fields.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Site {
    /// The table.
    pub table: Table,
    /// The entry's index within its table (0 for `[scenario]`).
    pub index: usize,
    /// The field, dotted for nested keys (`weights.population`, `rule.share`).
    pub field: Option<String>,
}

impl Site {
    /// A whole entry.
    pub fn entry(table: Table, index: usize) -> Site {
        Site { table, index, field: None }
    }

    /// One field of an entry.
    pub fn field(table: Table, index: usize, field: impl Into<String>) -> Site {
        Site { table, index, field: Some(field.into()) }
    }
}

/// Something wrong with a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Where.
    pub site: Site,
    /// The entry's id where it has one, to name it in messages.
    pub entry_id: Option<String>,
    /// What is wrong: lowercase, no final period, user input in backticks.
    pub message: String,
    /// How to fix it, where there is something useful to say.
    pub help: Option<String>,
    /// A byte range inside the field's text (a Cedar policy) that the problem points at.
    pub inner: Option<std::ops::Range<usize>>,
}

impl Problem {
    /// A problem at a site.
    pub fn new(site: Site, message: impl Into<String>) -> Problem {
        Problem { site, entry_id: None, message: message.into(), help: None, inner: None }
    }

    /// Names the entry by its id.
    pub fn with_entry_id(mut self, id: Option<&str>) -> Problem {
        self.entry_id = id.filter(|s| !s.is_empty()).map(str::to_owned);
        self
    }

    /// Adds advice.
    pub fn with_help(mut self, help: impl Into<String>) -> Problem {
        self.help = Some(help.into());
        self
    }

    /// Points inside the field's text.
    pub fn with_inner(mut self, range: Option<std::ops::Range<usize>>) -> Problem {
        self.inner = range;
        self
    }

    /// Where the problem lies, in words: ``proposal `p`, field `committee` ``.
    pub fn context(&self) -> String {
        let mut out = String::new();
        if self.site.table != Table::Root {
            out.push_str(self.site.table.name());
            match &self.entry_id {
                Some(id) => out.push_str(&format!(" `{id}`")),
                None if self.site.table != Table::Scenario => out.push_str(&format!(" #{}", self.site.index + 1)),
                None => {}
            }
        }
        if let Some(field) = &self.site.field {
            if !out.is_empty() {
                out.push_str(", ");
            }
            out.push_str(&format!("field `{field}`"));
        }
        out
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let context = self.context();
        if context.is_empty() { f.write_str(&self.message) } else { write!(f, "{context}: {}", self.message) }
    }
}
