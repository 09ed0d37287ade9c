//! (being written) The certificates log: received, issued, unclaimed, destroyed.

/// The store migration that creates the certificates tables.
pub const MIGRATION: &str = "";
