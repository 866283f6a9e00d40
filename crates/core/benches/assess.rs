//! Benchmark: one assessment from findings JSON, in process (target: < 1 ms median).
//! Run with `cargo bench -p hamstride-core --bench assess`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

fn main() {
    divan::main();
}
