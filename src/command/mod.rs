//! One module per subcommand (the store's in `store` and `ledger`), and what they share: reading
//! a scenario or a store, the clock, and parsing `--set` and dates.

pub(crate) mod check;
pub(crate) mod decide;
pub(crate) mod explain;
pub(crate) mod gen_scenario;
pub(crate) mod ledger;
pub(crate) mod power;
pub(crate) mod serve;
pub(crate) mod store;
pub(crate) mod timeline;
pub(crate) mod token;
pub(crate) mod unblock;
pub(crate) mod what_if;

use std::path::Path;

use concord_core::{Date, Engine, Value};

use crate::diagnostics::Failure;

/// Reads and loads a scenario file.
pub(crate) fn load(path: &Path) -> Result<Engine, Failure> {
    let src = read_scenario(path)?;
    Ok(concord_core::load(&src, &path.display().to_string())?)
}

/// Reads a scenario file's text, refusing one larger than a scenario may be before reading it
/// all (a file, a pipe or a device alike).
pub(crate) fn read_scenario(path: &Path) -> Result<String, Failure> {
    read_text(path, concord_core::limits::MAX_SCENARIO_BYTES, "a scenario file")
}

/// Reads a UTF-8 text file of at most `limit` bytes; `what` names it in the refusal.
pub(crate) fn read_text(path: &Path, limit: usize, what: &str) -> Result<String, Failure> {
    use std::io::Read as _;
    let cannot = |e: std::io::Error| Failure::Message(format!("cannot read `{}`: {e}", path.display()));
    let file = std::fs::File::open(path).map_err(cannot)?;
    let too_large = |size: Option<u64>| {
        let size = size.map(|n| format!(" ({n} bytes)")).unwrap_or_default();
        Failure::Message(format!("`{}` is too large{size}: {what} is at most {limit} bytes", path.display()))
    };
    if let Ok(meta) = file.metadata()
        && meta.is_file()
        && meta.len() > limit as u64
    {
        return Err(too_large(Some(meta.len())));
    }
    let mut bytes = Vec::new();
    file.take(limit as u64 + 1).read_to_end(&mut bytes).map_err(cannot)?;
    if bytes.len() > limit {
        return Err(too_large(None));
    }
    String::from_utf8(bytes).map_err(|e| {
        Failure::Message(format!(
            "cannot read `{}`: not UTF-8 text (at byte {})",
            path.display(),
            e.utf8_error().valid_up_to()
        ))
    })
}

/// Where decisions are read from: a scenario file, or a store.
pub(crate) enum Source {
    /// A scenario file, loaded.
    File(Box<Engine>),
    /// A store, opened.
    Store(Box<concord_store::Store>),
}

impl Source {
    /// The engine to decide with.
    pub(crate) fn engine(&self) -> Result<&Engine, Failure> {
        match self {
            Source::File(engine) => Ok(engine.as_ref()),
            Source::Store(store) => Ok(store.engine()?),
        }
    }

    /// The default evaluation date: a file's `as_of`, or a store's current date (the later of
    /// its `as_of` and its last entry's date).
    pub(crate) fn default_date(&self) -> Result<Date, Failure> {
        match self {
            Source::File(engine) => Ok(engine.as_of()),
            Source::Store(store) => Ok(store.state().default_date()),
        }
    }

    /// The evaluation date: the one asked for, else the default.
    pub(crate) fn date(&self, at: Option<Date>) -> Result<Date, Failure> {
        match at {
            Some(at) => Ok(at),
            None => self.default_date(),
        }
    }

    /// How the source is named in messages.
    pub(crate) fn place(&self, scenario: Option<&Path>) -> String {
        match (self, scenario) {
            (Source::File(_), Some(path)) => format!("`{}`", path.display()),
            _ => "the store".to_owned(),
        }
    }
}

/// The scenario file or the store to decide with.
pub(crate) fn source(db: Option<&Path>, scenario: Option<&Path>) -> Result<Source, Failure> {
    match (db, scenario) {
        (Some(db), None) => Ok(Source::Store(Box::new(concord_store::Store::open(db)?))),
        (None, Some(path)) => Ok(Source::File(Box::new(load(path)?))),
        (Some(_), Some(path)) => {
            Err(Failure::Message(format!("give either a scenario file (`{}`) or `--db`, not both", path.display())))
        }
        (None, None) => Err(Failure::Message("give a scenario file, or a store with `--db FILE`".to_owned())),
    }
}

/// The source and the proposal of a command given `SCENARIO PROPOSAL`, or `PROPOSAL` with
/// `--db`, with the proposal's index.
pub(crate) fn one_proposal(targets: &[String], db: Option<&Path>) -> Result<(Source, usize), Failure> {
    let (scenario, proposal) = match targets {
        [proposal] => (None, proposal),
        [scenario, proposal] => (Some(std::path::PathBuf::from(scenario)), proposal),
        _ => return Err(Failure::Message("expected SCENARIO PROPOSAL, or PROPOSAL with --db".to_owned())),
    };
    let source = source(db, scenario.as_deref())?;
    let Some(index) = source.engine()?.proposal_index(proposal) else {
        return Err(Failure::Message(format!("no proposal `{proposal}` in {}", source.place(scenario.as_deref()))));
    };
    Ok((source, index))
}

/// Seconds since the Unix epoch, from the system clock.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The command line's clock: today's date in UTC, from the system clock.
pub(crate) fn today() -> Date {
    Date::from_days_since_epoch(now().div_euclid(86_400)).unwrap_or(Date::FIRST)
}

/// Parses a `--at` date.
pub(crate) fn parse_date(text: &str) -> Result<Date, String> {
    text.parse().map_err(|e: concord_core::DateError| e.to_string())
}

/// Parses `FACT=VALUE`: a boolean, then a number, else a string.
pub(crate) fn parse_set(text: &str) -> Result<(String, Value), String> {
    let Some((fact, value)) = text.split_once('=') else {
        return Err(format!("expected FACT=VALUE, found `{text}`"));
    };
    if !concord_core::is_valid_id(fact) {
        return Err(format!("`{fact}` is not a valid fact id: use letters, digits, `_`, `.` and `-`"));
    }
    Ok((fact.to_owned(), Value::parse_loose(value)))
}

/// Parses a proposal attribute `KEY=VALUE`, or `KEY=[A,B]` for a list of strings or numbers.
pub(crate) fn parse_attribute(text: &str) -> Result<(String, concord_core::Attribute), String> {
    use concord_core::Attribute;
    let Some((key, value)) = text.split_once('=') else {
        return Err(format!("expected KEY=VALUE, found `{text}`"));
    };
    if key.is_empty() {
        return Err(format!("`{text}` names no attribute before `=`"));
    }
    let Some(list) = value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) else {
        return Ok((key.to_owned(), Attribute::One(Value::parse_loose(value))));
    };
    let items: Vec<Value> = if list.trim().is_empty() {
        Vec::new()
    } else {
        list.split(',').map(|item| Value::parse_loose(item.trim())).collect()
    };
    // The same checks as a scenario's or a change's list.
    let exact = concord_core::change::ExactAttribute::List(items.iter().map(Into::into).collect());
    let attribute = Attribute::try_from(exact).map_err(|e| format!("attribute `{key}`: {e}"))?;
    Ok((key.to_owned(), attribute))
}

/// Output formats of `decide` and `what-if`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub(crate) enum TableFormat {
    /// A table for people.
    #[default]
    Table,
    /// The documented JSON.
    Json,
}

/// Output formats of `explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub(crate) enum TextFormat {
    /// A tree of reasons for people.
    #[default]
    Text,
    /// The documented JSON.
    Json,
}

/// Prints JSON followed by a newline.
pub(crate) fn print_json(value: &impl serde::Serialize) -> Result<(), Failure> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value).map_err(|e| match e.io_error_kind() {
        Some(std::io::ErrorKind::BrokenPipe) => Failure::BrokenPipe,
        _ => Failure::Message(format!("cannot write JSON: {e}")),
    })?;
    writeln!(out)?;
    Ok(())
}
