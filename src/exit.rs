//! Exit statuses, the same for every command (contract.md): 0 done; 1 done with findings at or
//! above `--fail-on`; 2 bad usage or unreadable input.

/// The command did what was asked.
pub const DONE: i32 = 0;
/// Done, with findings (or problems) at or above `--fail-on`.
pub const FINDINGS: i32 = 1;
/// Bad usage, or input that could not be read: nothing was done.
pub const BAD_INPUT: i32 = 2;
