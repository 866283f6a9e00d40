//! The runner's input never gives a 5xx: every POST route and a set of odd addresses get
//! forms made of the app's own field names with odd values (empty, huge, negative, not
//! numbers, markup, broken JSON, unknown ids, repeated keys), from a fixed seed so a failure
//! replays. Each answer must be below 500, and a refused one must be a page that says what
//! was wrong.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// `u64::is_multiple_of` is Rust 1.87, newer than the workspace's rust-version (1.85).
#![allow(clippy::manual_is_multiple_of)]

mod common;

use axum::http::StatusCode;
use common::{app, hidden};

/// A small deterministic generator (xorshift), so no dependency and every run is the same.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

const FIELDS: &[&str] = &[
    "state",
    "q",
    "kind",
    "answer",
    "action",
    "value",
    "item",
    "date",
    "during",
    "after",
    "morning",
    "skip",
    "done",
    "met",
    "flags",
    "flag",
    "seen_clinician",
    "note",
    "sitting",
    "site",
    "side",
    "new",
];

const VALUES: &[&str] = &[
    "", " ", "0", "-1", "11", "99999999999999999999", "1e308", "NaN", "2.5", "abc", "yes",
    "no", "none", "these", "dont_know", "back", "some", "skip", "field", "screen", "checklist",
    "yes_no", "one_of", "many_of", "whole_number", "number", "pain_now", "emergency-signs",
    "saddle_numbness", "mid_back_thigh", "left", "mi", "km", "women", "Europe/London", "2026-02-30", "2999-01-01", "0000-01-01",
    "<script>alert(1)</script>", "{", "{}", "[]", "null", "\u{0}", "é🦵",
    "{\"schema\":\"hamstride.interview/1\",\"start\":{},\"steps\":[{\"kind\":\"field\",\"field\":\"pain_now\",\"answer\":\"x\"}]}",
    "{\"schema\":\"hamstride.interview/9\",\"start\":{},\"steps\":[]}",
    "{\"schema\":\"hamstride.interview/1\",\"start\":{\"pain_now\":50},\"steps\":[]}",
];

const ROUTES: &[&str] = &[
    "/assess",
    "/checkin",
    "/diary",
    "/import",
    "/plan/prevention",
    "/settings",
    "/plans/1/restore",
    "/plans/-1/restore",
    "/plans/99999999999999999999/restore",
    "/diary/1/delete",
    "/diary/abc/delete",
];

#[tokio::test]
async fn odd_forms_and_addresses_never_give_a_5xx() {
    let a = app();
    let good_state = hidden(&a.get("/assess").await.body, "state").unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut refused = 0;
    for round in 0..400 {
        let route = rng.pick(ROUTES);
        let n = 1 + rng.next() % 8;
        let mut fields: Vec<(String, String)> = Vec::new();
        // Half of the interview posts carry a real state, so deeper checks are reached too.
        if route == "/assess" && rng.next() % 2 == 0 {
            fields.push(("state".into(), good_state.clone()));
        }
        for _ in 0..n {
            let big;
            let v = if rng.next() % 40 == 0 {
                big = "9".repeat(5000);
                big.as_str()
            } else {
                rng.pick(VALUES)
            };
            fields.push((rng.pick(FIELDS).to_string(), v.to_string()));
        }
        let refs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let p = a.post(route, &refs).await;
        assert!(
            p.status.as_u16() < 500,
            "round {round}: POST {route} {fields:?} gave {}: {}",
            p.status,
            p.body
        );
        if p.status.is_client_error() {
            refused += 1;
            assert!(
                p.body.contains("role=\"alert\""),
                "round {round}: {}",
                p.body
            );
        }
    }
    let odd = [
        "/assessments/0",
        "/assessments/-5",
        "/assessments/1e3",
        "/assessments/%00",
        "/diary/0/edit",
        "/diary/%3Cscript%3E/edit",
        "/plan/download/",
        "/plan/download/plan.md%00",
        "/assets/",
        "/assets/..%2Fsecurity.rs",
        "/assessments/1?new=%ZZ",
        "/%E2%82",
        "/activities/abc",
        "/activities/0",
        "/activities/-1",
        "/activities/99999999999999999999",
        "/activities/1?units=%00",
        "/activities?from=%ZZ",
        "/activities?to=2026-13-01",
        "/activities?page=0",
        "/activities?min=1e400",
        "/activities?sport=%00",
    ];
    for path in odd {
        let p = a.get(path).await;
        assert!(p.status.as_u16() < 500, "GET {path} gave {}", p.status);
        assert_ne!(p.status, StatusCode::OK, "GET {path}");
    }
    eprintln!(
        "never 5xx: 400 odd forms ({refused} refused with a message) and {} odd addresses",
        odd.len()
    );
}
