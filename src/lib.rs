//! mdash: a live terminal dashboard for AI agents working on milestones.
//!
//! `read` turns the files agents write into the plain data of `model`;
//! `rules` computes statuses, progress and blockers from it; `cmd` holds the
//! command-line subcommands built on both.

pub mod agent;
pub mod app;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod demo;
pub mod fault;
#[doc(hidden)]
pub mod fuzzing;
pub mod git;
pub mod hash;
pub mod model;
pub mod par;
pub mod read;
pub mod rng;
pub mod rules;
pub mod runs;
pub mod sim;
pub mod time;
pub mod tui;
pub mod ui;
pub mod watch;
pub mod write;
pub mod yaml;
