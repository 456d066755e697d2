//! What a position can see of the date, and so the days on which its verdict can change.
//!
//! A position reads the date as the string `context.date` (`"YYYY-MM-DD"`). Under strict
//! validation Cedar has two ways to look at a string: equality (`==`, `!=`, `contains` and the
//! like, with a literal, a fact's value or an attribute) and `like` with a literal pattern.
//! Extension constructors (`datetime(…)`, `decimal(…)`) take only literals under strict
//! validation, and strings have no order. So, with the facts held still, the verdict of a
//! position that reads the date can change only on a day where the date starts or stops being
//! equal to some string of the world that is a date, or starts or stops matching one of the
//! position's `like` patterns. The first are a few days the world lists ([`World`]); the second
//! are the days a [`Calendar`] finds, without evaluating the policy.
//!
//! A calendar runs each pattern's automaton over a year's prefix (`"2025-"`) once per year, and
//! the day-by-day result over the year's `"MM-DD"` suffixes once per distinct automaton state,
//! so finding the next change over centuries costs a few operations a year, not a Cedar
//! evaluation a day (issue 11: a scenario with one vote dated 4050 took seconds to load).
//!
//! [`World`]: super::world::World

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use crate::date::Date;

/// One element of a `like` pattern, by character.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Elem {
    /// `*`: any run of characters.
    Any,
    /// One character.
    Char(char),
}

/// A `like` pattern as an automaton: state `i` has matched the first `i` elements.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Pattern {
    elems: Vec<Elem>,
}

/// The states an automaton is in: sorted, distinct.
type States = Vec<u32>;

impl Pattern {
    /// A pattern from Cedar's EST form: `"Wildcard"` or `{"Literal": "…"}` elements.
    pub(crate) fn from_est(elements: &[serde_json::Value]) -> Option<Pattern> {
        let mut elems = Vec::new();
        for e in elements {
            if e.as_str() == Some("Wildcard") {
                if elems.last() != Some(&Elem::Any) {
                    elems.push(Elem::Any);
                }
            } else {
                elems.extend(e.get("Literal")?.as_str()?.chars().map(Elem::Char));
            }
        }
        Some(Pattern { elems })
    }

    /// The states reachable from `states` without reading a character (past wildcards).
    fn close(&self, states: &mut States) {
        let mut i = 0;
        while let Some(&s) = states.get(i) {
            if self.elems.get(s as usize) == Some(&Elem::Any) && !states.contains(&(s + 1)) {
                states.push(s + 1);
            }
            i += 1;
        }
        states.sort_unstable();
        states.dedup();
    }

    fn start(&self) -> States {
        let mut states = vec![0];
        self.close(&mut states);
        states
    }

    fn step(&self, states: &States, c: char) -> States {
        let mut next: States = states
            .iter()
            .filter_map(|&s| match self.elems.get(s as usize) {
                Some(Elem::Any) => Some(s),
                Some(&Elem::Char(x)) if x == c => Some(s + 1),
                _ => None,
            })
            .collect();
        self.close(&mut next);
        next
    }

    fn run(&self, mut states: States, text: &str) -> States {
        for c in text.chars() {
            if states.is_empty() {
                break;
            }
            states = self.step(&states, c);
        }
        states
    }

    fn accepts(&self, states: &States) -> bool {
        u32::try_from(self.elems.len()).is_ok_and(|end| states.contains(&end))
    }

    /// Whether the pattern matches a whole text.
    #[cfg(test)]
    fn matches(&self, text: &str) -> bool {
        self.accepts(&self.run(self.start(), text))
    }
}

/// Which days of a year (by their index in the year) a pattern matches.
type DayBits = Arc<[bool]>;

/// The days on which a set of patterns starts or stops matching the date, found a year at a time
/// and kept.
#[derive(Debug)]
pub(crate) struct Calendar {
    patterns: Vec<Pattern>,
    /// Per year, the days on which some pattern's match differs from the day before.
    years: Mutex<HashMap<u16, Arc<[Date]>>>,
    /// Per pattern, automaton state after a year's prefix, and leap year: the days matched.
    suffixes: Mutex<HashMap<(usize, States, bool), DayBits>>,
}

impl Calendar {
    /// A calendar of these patterns (duplicates are dropped); none when there are none.
    pub(crate) fn new(mut patterns: Vec<Pattern>) -> Option<Calendar> {
        patterns.sort();
        patterns.dedup();
        (!patterns.is_empty()).then(|| Calendar { patterns, years: Mutex::default(), suffixes: Mutex::default() })
    }

    /// The first day in `after+1 ..= until` on which some pattern's match changes.
    pub(crate) fn next_change(&self, after: Date, until: Date) -> Option<Date> {
        for year in after.year()..=until.year() {
            let changes = self.year(year);
            if let Some(&d) = changes.iter().find(|&&d| d > after) {
                return (d <= until).then_some(d);
            }
        }
        None
    }

    /// The days in `from ..= to` on which some pattern's match changes from the day before.
    pub(crate) fn changes_between(&self, from: Date, to: Date) -> Vec<Date> {
        (from.year()..=to.year()).flat_map(|y| self.year(y).to_vec()).filter(|&d| d >= from && d <= to).collect()
    }

    /// The days of `year` on which some pattern's match differs from the day before.
    fn year(&self, year: u16) -> Arc<[Date]> {
        if let Some(known) = self.years.lock().unwrap_or_else(PoisonError::into_inner).get(&year) {
            return Arc::clone(known);
        }
        let days = days_of(year);
        let mut changed = vec![false; days.len()];
        for (p, pattern) in self.patterns.iter().enumerate() {
            let bits = self.bits(p, pattern, year, days.len() == 366);
            // 1 January against 31 December of the year before.
            let before = year
                .checked_sub(1)
                .filter(|&y| y >= 1)
                .is_some_and(|y| *self.bits(p, pattern, y, days_of(y).len() == 366).last().unwrap_or(&false));
            let mut last = if year == 1 { bits.first().copied().unwrap_or(false) } else { before };
            for (changed, &b) in changed.iter_mut().zip(bits.iter()) {
                *changed |= b != last;
                last = b;
            }
        }
        let changes: Arc<[Date]> = days.iter().zip(changed).filter(|(_, c)| *c).map(|(&d, _)| d).collect();
        let mut years = self.years.lock().unwrap_or_else(PoisonError::into_inner);
        if years.len() >= MAX_YEARS {
            years.clear();
        }
        years.insert(year, Arc::clone(&changes));
        changes
    }

    /// The days of `year` that `pattern` matches.
    fn bits(&self, index: usize, pattern: &Pattern, year: u16, leap: bool) -> DayBits {
        let states = pattern.run(pattern.start(), &format!("{year:04}-"));
        let key = (index, states, leap);
        if let Some(bits) = self.suffixes.lock().unwrap_or_else(PoisonError::into_inner).get(&key) {
            return Arc::clone(bits);
        }
        let bits: DayBits = days_of(if leap { 2024 } else { 2025 })
            .iter()
            .map(|d| pattern.accepts(&pattern.run(key.1.clone(), &format!("{:02}-{:02}", d.month(), d.day()))))
            .collect();
        let mut suffixes = self.suffixes.lock().unwrap_or_else(PoisonError::into_inner);
        if suffixes.len() >= MAX_YEARS {
            suffixes.clear();
        }
        suffixes.insert(key, Arc::clone(&bits));
        bits
    }
}

/// The most years (and automaton states) a calendar keeps; past it, they are found again.
const MAX_YEARS: usize = 100_000;

/// Every day of a year, in order.
fn days_of(year: u16) -> Vec<Date> {
    (1..=12u8).flat_map(|m| (1..=31u8).filter_map(move |d| Date::new(year, m, d))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(text: &str) -> Pattern {
        let elems = text.chars().map(|c| if c == '*' { Elem::Any } else { Elem::Char(c) }).collect();
        Pattern { elems }
    }

    fn date(text: &str) -> Date {
        text.parse().unwrap()
    }

    #[test]
    fn patterns_match_as_cedar_like_does() {
        assert!(pattern("2*").matches("2025-06-15"));
        assert!(!pattern("2*").matches("1999-12-31"));
        assert!(pattern("*-01").matches("2025-07-01"));
        assert!(pattern("2025-0*-1*").matches("2025-07-15"));
        assert!(!pattern("2025-0*-1*").matches("2025-07-25"));
        assert!(pattern("*").matches(""));
        assert!(pattern("**5").matches("5"));
        assert!(!pattern("a").matches("ab"));
    }

    /// Against the naive calendar: every day, whether any pattern's match differs from the day
    /// before.
    #[test]
    fn changes_are_the_days_a_match_changes() {
        let patterns = ["2*", "*-01", "2025-07-*", "*9-02-2*", "19*"];
        let calendar = Calendar::new(patterns.iter().map(|p| pattern(p)).collect()).unwrap();
        let (from, to) = (date("1998-11-20"), date("2026-03-10"));
        let mut naive = Vec::new();
        let mut day = from;
        while day < to {
            let next = day.next().unwrap();
            let m = |d: Date| patterns.iter().map(|p| pattern(p).matches(&d.to_string())).collect::<Vec<_>>();
            if m(day) != m(next) {
                naive.push(next);
            }
            day = next;
        }
        let found = calendar.changes_between(from.next().unwrap(), to);
        assert_eq!(found, naive);
        let mut walked = Vec::new();
        let mut at = from;
        while let Some(next) = calendar.next_change(at, to) {
            walked.push(next);
            at = next;
        }
        assert_eq!(walked, naive);
    }

    #[test]
    fn a_change_centuries_away_is_found_without_walking_the_days() {
        let calendar = Calendar::new(vec![pattern("2*")]).unwrap();
        assert_eq!(calendar.next_change(date("2025-06-15"), date("4050-06-01")), Some(date("3000-01-01")));
        assert_eq!(calendar.next_change(date("3000-01-01"), date("9999-12-31")), None);
        assert_eq!(calendar.next_change(date("2025-06-15"), date("2999-12-31")), None);
    }
}
