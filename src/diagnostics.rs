//! Error reports at the edge: load errors with file, line, column and field; other failures as
//! one line. Three formats: `human` (miette, with the source), `plain` and `json`.

use std::io::{IsTerminal, Write};

use concord_core::{LoadErrors, WhatIfError};
use miette::{GraphicalReportHandler, GraphicalTheme};

/// How errors are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ErrorFormat {
    /// With the source shown and the field underlined.
    Human,
    /// One line each: `file:line:column: error: message`.
    Plain,
    /// A JSON array of `{ file, line, column, field, message, help }`.
    Json,
}

impl ErrorFormat {
    pub(crate) fn default_for_stderr() -> ErrorFormat {
        if std::io::stderr().is_terminal() { ErrorFormat::Human } else { ErrorFormat::Plain }
    }
}

/// Why a command failed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The scenario is invalid.
    Load(Box<LoadErrors>),
    /// A what-if value does not fit.
    WhatIf(WhatIfError),
    /// Anything else, already worded for people.
    Message(String),
    /// Output was closed early (`concord decide … | head`): not an error.
    BrokenPipe,
}

impl From<LoadErrors> for Failure {
    fn from(e: LoadErrors) -> Failure {
        Failure::Load(Box::new(e))
    }
}

impl From<concord_store::StoreError> for Failure {
    fn from(e: concord_store::StoreError) -> Failure {
        match e {
            concord_store::StoreError::Scenario(errors) => Failure::Load(errors),
            other => Failure::Message(other.to_string()),
        }
    }
}

impl From<WhatIfError> for Failure {
    fn from(e: WhatIfError) -> Failure {
        Failure::WhatIf(e)
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Failure {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            Failure::BrokenPipe
        } else {
            Failure::Message(format!("cannot write output: {e}"))
        }
    }
}

pub(crate) fn report(failure: &Failure, format: ErrorFormat) {
    let mut err = std::io::stderr().lock();
    let _ = match failure {
        Failure::Load(errors) => report_load(&mut err, errors, format),
        Failure::WhatIf(e) => line(&mut err, &e.to_string(), format),
        Failure::Message(m) => line(&mut err, m, format),
        Failure::BrokenPipe => Ok(()),
    };
}

fn line(out: &mut impl Write, message: &str, format: ErrorFormat) -> std::io::Result<()> {
    match format {
        ErrorFormat::Json => writeln!(out, "{}", serde_json::json!([{ "message": message }])),
        ErrorFormat::Human | ErrorFormat::Plain => writeln!(out, "error: {message}"),
    }
}

fn report_load(out: &mut impl Write, errors: &LoadErrors, format: ErrorFormat) -> std::io::Result<()> {
    match format {
        ErrorFormat::Plain => {
            for e in errors.errors() {
                writeln!(out, "{}:{}:{}: error: {e}", e.file(), e.line(), e.column())?;
                if let Some(help) = &e.problem().help {
                    writeln!(out, "  help: {help}")?;
                }
            }
            writeln!(out, "{errors}")
        }
        ErrorFormat::Json => {
            let list: Vec<_> = errors
                .errors()
                .iter()
                .map(|e| {
                    serde_json::json!({
                        "file": e.file(), "line": e.line(), "column": e.column(), "field": e.field(),
                        "message": e.to_string(), "help": e.problem().help,
                    })
                })
                .collect();
            writeln!(out, "{}", serde_json::Value::Array(list))
        }
        ErrorFormat::Human => {
            let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            let theme = if colour { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
            let handler = GraphicalReportHandler::new_themed(theme).with_context_lines(1);
            for e in errors.errors() {
                writeln!(out, "{}:{}:{}: error: {e}", e.file(), e.line(), e.column())?;
                let mut text = String::new();
                if handler.render_report(&mut text, e).is_ok() {
                    // The first line repeats the message; the snippet and help follow it.
                    let body: String = text.lines().skip(1).map(|l| format!("{l}\n")).collect();
                    write!(out, "{body}")?;
                }
            }
            writeln!(out, "{errors}")
        }
    }
}
