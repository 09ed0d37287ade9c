//! (being written) Post-results services: the rules, fees and the request log.

/// The store migration that creates the post-results tables.
pub const MIGRATION: &str = "";
