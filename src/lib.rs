//! mdash: a live terminal dashboard for AI agents working on milestones.
//!
//! The modules are layers, lowest first; each uses only those above it in
//! this list (ARCHITECTURE.md has the rules and `tests/it/layers.rs` checks
//! them):
//!
//! - `util`: small leaf helpers (hashing, random numbers, threads, times);
//! - `model`: plain data, no IO;
//! - `read`: files to model, tolerantly; opens files, nothing else;
//! - `rules`: statuses, progress, dependencies, blockers: pure functions;
//! - `live`: the IO that runs while the dashboard is up: git, watching,
//!   agent runs and processes, writes, loading a whole snapshot;
//! - `app`: the dashboard's state and its pure `update`;
//! - `ui`: drawing the app's state, no IO;
//! - `runtime`: the event loop, the terminal, workers and timers;
//! - `cli`: the command line, its subcommands, the demo and the simulator.

pub mod util;

pub mod model;

pub mod read;

pub mod rules;

pub mod live;

pub mod app;

pub mod ui;

pub mod runtime;

pub mod cli;

#[doc(hidden)]
pub mod fuzzing;
