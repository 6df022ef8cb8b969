//! The integration tests, one binary: a module per area, one shared kit
//! (`common`). `cargo test --test it NAME` runs one area.

mod agent;
mod answer;
mod claude;
mod cli;
mod common;
mod dashboard;
mod dialects;
mod edit_props;
mod edits;
mod faults;
mod fleet;
mod fleet_screen;
mod fuzz_corpus;
mod git;
mod hostile;
mod incremental;
mod layers;
mod merge;
mod newcomer;
mod pace;
mod perf;
mod props;
mod pty;
mod runs;
mod security;
mod security_more;
mod startup;
mod watch;
mod workspace;
