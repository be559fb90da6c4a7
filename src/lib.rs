//! poste: a terminal mail client for IMAP and POP3 accounts; this is the module tree.

pub mod account;
pub mod cli;
pub mod compose;
pub mod config;
pub mod demo;
pub mod format;
pub mod imap;
pub mod instance;
pub mod logging;
pub mod mbox;
pub mod mime;
pub mod model;
pub mod paths;
pub mod pop3;
pub mod query;
pub mod sanitize;
pub mod secret;
pub mod smtp;
pub mod store;
pub mod width;

// the terminal UI: only these import ratatui and crossterm
#[cfg(feature = "ui")]
pub mod app;
#[cfg(feature = "ui")]
pub mod tui;
#[cfg(feature = "ui")]
pub mod ui;
