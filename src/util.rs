//! Small leaf helpers that every layer may use: a fast hasher, a seeded
//! random generator, a parallel map, timestamp parsing and formatting, and
//! fault-injection points for the fault tests.

pub mod fault;
pub mod hash;
pub mod log;
pub mod near;
pub mod par;
pub mod ratio;
pub mod rng;
pub mod round;
pub mod text;
pub mod time;

/// Exit code when no workspace was found or the arguments are wrong
/// (SPEC §7).
pub const EXIT_USAGE: i32 = 2;
