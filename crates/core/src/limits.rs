//! The limits on what a scenario, a policy or a change may hold, each refused with a clear error
//! that names it, never an abort: they keep a hostile or careless input from exhausting the
//! stack, the memory or the time of whoever reads it (docs/security.md says what each defends).

/// The largest policy text of a position, in bytes.
pub const MAX_POLICY_BYTES: usize = 16 * 1024;
/// The deepest nesting of parentheses, brackets and braces in a policy text, checked before the
/// text is parsed.
pub const MAX_POLICY_NESTING: usize = 32;
/// The deepest nesting of expressions in a policy (an operator applied to the result of another
/// counts one level): it bounds how deep the evaluation of a position recurses.
pub const MAX_POLICY_DEPTH: usize = 64;
/// The most policies in one position.
pub const MAX_POLICIES: usize = 32;
/// The most positions one member may hold in force or withdrawn.
pub const MAX_POSITIONS_PER_MEMBER: usize = 64;
/// The largest scenario file, in bytes (a programme of 50,000 proposals is about 15 MB).
pub const MAX_SCENARIO_BYTES: usize = 64 * 1024 * 1024;
/// The most members of a body.
pub const MAX_MEMBERS: usize = 1_000;
/// The most committees of a body.
pub const MAX_COMMITTEES: usize = 1_000;
/// The most partners and the most frameworks.
pub const MAX_PARTNERS: usize = 10_000;
/// The longest id, title, name, source, reason or other text field, in bytes (a policy has its
/// own limit).
pub const MAX_TEXT_BYTES: usize = 4 * 1024;

/// The most groups a member may carry (`[[member]] groups`).
pub const MAX_GROUPS: usize = 64;
/// The most significant digits, and the most fractional digits, of a decimal.
pub const MAX_DIGITS: u32 = crate::number::MAX_DIGITS;
/// The most items of a list attribute of a proposal.
pub const MAX_LIST_ITEMS: usize = 1_000;
