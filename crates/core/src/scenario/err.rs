//! Load errors: a problem placed in its file, with line, column and the field at fault.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};

use crate::problem::Problem;

/// One error in a scenario file.
#[derive(Debug, Clone)]
pub struct LoadError {
    problem: Problem,
    origin: Arc<str>,
    named: Arc<NamedSource<Arc<str>>>,
    span: Option<Range<usize>>,
    line: usize,
    column: usize,
}

impl LoadError {
    pub(crate) fn new(
        problem: Problem,
        origin: Arc<str>,
        named: Arc<NamedSource<Arc<str>>>,
        span: Option<Range<usize>>,
    ) -> LoadError {
        let (line, column) = span.as_ref().map_or((1, 1), |s| line_column(named.inner(), s.start));
        LoadError { problem, origin, named, span, line, column }
    }

    /// The file's name as given to [`crate::scenario::load`].
    pub fn file(&self) -> &str {
        &self.origin
    }

    /// Line, from 1.
    pub fn line(&self) -> usize {
        self.line
    }

    /// Column in characters, from 1.
    pub fn column(&self) -> usize {
        self.column
    }

    /// The field at fault, dotted (`rule.share`), if the error is about one field.
    pub fn field(&self) -> Option<&str> {
        self.problem.site.field.as_deref()
    }

    /// The problem, located by site.
    pub fn problem(&self) -> &Problem {
        &self.problem
    }

    /// Byte range in the file.
    pub fn span(&self) -> Option<Range<usize>> {
        self.span.clone()
    }
}

/// 1-based line and character column of a byte offset.
fn line_column(src: &str, offset: usize) -> (usize, usize) {
    let before = src.get(..offset.min(src.len())).unwrap_or(src);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.problem, f)
    }
}

impl std::error::Error for LoadError {}

impl Diagnostic for LoadError {
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.problem.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.named)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.span.clone()?;
        let label = self.problem.site.field.as_ref().map(|f| format!("`{f}`"));
        Some(Box::new(std::iter::once(LabeledSpan::new(label, span.start, span.len().max(1)))))
    }
}

/// Every error of a scenario file, in file order.
#[derive(Debug, Clone)]
pub struct LoadErrors {
    origin: Arc<str>,
    errors: Vec<LoadError>,
}

impl LoadErrors {
    pub(crate) fn new(origin: Arc<str>, mut errors: Vec<LoadError>) -> LoadErrors {
        errors.sort_by_key(|e| (e.line, e.column));
        LoadErrors { origin, errors }
    }

    /// The errors, in file order.
    pub fn errors(&self) -> &[LoadError] {
        &self.errors
    }

    /// The file's name.
    pub fn file(&self) -> &str {
        &self.origin
    }
}

impl fmt::Display for LoadErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.errors.len();
        write!(f, "{} error{} in `{}`", n, if n == 1 { "" } else { "s" }, self.origin)
    }
}

impl std::error::Error for LoadErrors {}

impl Diagnostic for LoadErrors {
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        Some(Box::new(self.errors.iter().map(|e| e as &dyn Diagnostic)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns() {
        let src = "a\nbé c\n";
        assert_eq!(line_column(src, 0), (1, 1));
        assert_eq!(line_column(src, 2), (2, 1));
        assert_eq!(line_column(src, 6), (2, 4));
    }
}
