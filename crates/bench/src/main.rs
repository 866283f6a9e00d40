//! Placeholder replaced by the benchmark driver.
fn main() {}
