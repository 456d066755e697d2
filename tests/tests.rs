//! Integration tests of the `concord` command line (placeholder).
