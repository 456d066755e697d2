//! Scenario files: TOML in, a checked [`Engine`] out, or every error of the file.
//!
//! [`load`] parses the text, reads it into the model (collecting structural problems), checks and
//! compiles it with [`Engine::new`] (collecting the rest), and places every problem at its file,
//! line, column and field.

mod err;
mod reader;
mod writer;

use std::collections::HashSet;
use std::sync::Arc;

pub use err::{LoadError, LoadErrors};
pub use writer::write;

use crate::engine::Engine;
use crate::model::Scenario;
use crate::problem::{Problem, Site, Table};

/// Loads a scenario from TOML text; `origin` names the file in errors.
pub fn load(src: &str, origin: &str) -> Result<Engine, LoadErrors> {
    if src.len() > crate::limits::MAX_SCENARIO_BYTES {
        let message = format!(
            "the scenario is {} bytes; a scenario file is at most {} bytes",
            src.len(),
            crate::limits::MAX_SCENARIO_BYTES
        );
        return Err(place("", origin, vec![Problem::new(Site::entry(Table::Root, 0), message)], None));
    }
    let (scenario, problems, map) = read(src, false);
    if map.is_none() {
        // Not even TOML: there is no model to check.
        return Err(place(src, origin, problems, None));
    }
    let engine = Engine::new(scenario);
    let mut all = problems;
    if let Err(more) = &engine {
        // Keep the first problem at each site: a field that could not be read stands in as a
        // placeholder, which validation would report again.
        let seen: HashSet<Site> = all.iter().map(|p| p.site.clone()).collect();
        all.extend(more.iter().filter(|p| !seen.contains(&p.site) || p.inner.is_some()).cloned());
    }
    match (engine, all.is_empty()) {
        (Ok(engine), true) => Ok(engine),
        _ => {
            // Read again, recording where everything is, to place the problems.
            let (_, _, map) = read(src, true);
            Err(place(src, origin, all, map.as_ref()))
        }
    }
}

/// Reads TOML text into the model without checking it as a whole.
pub fn parse(src: &str, origin: &str) -> Result<Scenario, LoadErrors> {
    let (scenario, problems, map) = read(src, true);
    if problems.is_empty() { Ok(scenario) } else { Err(place(src, origin, problems, map.as_ref())) }
}

fn read(src: &str, record_spans: bool) -> (Scenario, Vec<Problem>, Option<reader::SourceMap>) {
    match toml_edit::Document::parse(src) {
        Ok(doc) => {
            let mut problems = Vec::new();
            let (scenario, map) = reader::read(&doc, &mut problems, record_spans);
            (scenario, problems, Some(map))
        }
        Err(e) => {
            let mut problem = Problem::new(
                Site::entry(Table::Root, 0),
                format!("not valid TOML: {}", e.message().trim_end_matches('\n')),
            );
            problem.inner = e.span();
            (Scenario::default(), vec![problem], None)
        }
    }
}

fn place(src: &str, origin: &str, problems: Vec<Problem>, map: Option<&reader::SourceMap>) -> LoadErrors {
    let origin: Arc<str> = origin.into();
    let named = Arc::new(miette::NamedSource::new(origin.as_ref(), Arc::<str>::from(src)));
    let errors = problems
        .into_iter()
        .map(|p| {
            let span = match map {
                None => p.inner.clone(),
                Some(map) => match (&p.inner, map.content_start(&p.site)) {
                    (Some(inner), Some(start)) => Some(start + inner.start..start + inner.end),
                    _ => map.span(&p.site),
                },
            };
            LoadError::new(p, Arc::clone(&origin), Arc::clone(&named), span)
        })
        .collect();
    LoadErrors::new(origin, errors)
}
