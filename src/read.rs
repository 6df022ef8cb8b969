//! Files to model: tolerant, no watching, no rules.
//!
//! `workspace` finds the root and walks the tree; `file` reads one file
//! safely; `doc` extracts typed fields from loosely typed YAML; `milestone`,
//! `bundle`, `session` and `log` read one kind of file each.

pub mod agent;
pub mod assemble;
pub mod bundle;
pub mod doc;
pub mod fast;
pub mod file;
pub mod history;
pub mod log;
pub mod milestone;
pub mod plan;
pub mod registry;
pub mod scan;
pub mod session;
pub mod transcript;
pub mod workspace;
pub mod yaml;
