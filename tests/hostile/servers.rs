//! Purpose-built hostile servers for the tests in hostile.rs.
