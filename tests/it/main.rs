//! The integration tests, one binary: a module per area, one shared kit
//! (`common`). `cargo test --test it NAME` runs one area.

mod agent;
mod answer;
mod answer_sec;
mod claude;
mod cli;
mod common;
mod config;
mod config_props;
mod dashboard;
mod dialects;
mod edit_props;
mod edits;
mod faults;
mod fuzz_corpus;
mod git;
mod hostile;
mod incremental;
mod layers;
mod merge;
mod newcomer;
mod newpath;
mod pace;
mod perf;
mod props;
mod pty;
mod readonly;
mod runs;
mod sec_approve;
mod sec_resume;
mod security;
mod security_more;
mod start_merge;
mod startup;
mod subagents;
mod workspace;
