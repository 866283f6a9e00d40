//! The web app at the HTTP level (tower's `oneshot`, no socket): every route's status codes,
//! the security layers (foreign Host, missing secret, missing CSRF token, other origins,
//! headers, body size), bad input as a 4xx page naming the field, and the interview from the
//! first question to a stored result and its plan, with going back and the plan-replacement
//! question.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{app, encode, hidden, send, App, Page, ADDR};
use hamstride_service::view::{InterviewState, InterviewView};

// ---- security -------------------------------------------------------------------------

#[tokio::test]
async fn the_printed_url_sets_the_cookie_and_strips_the_secret() {
    let a = app();
    let req = Request::get(format!("/?token={}", a.config.secret))
        .header(header::HOST, ADDR)
        .body(Body::empty())
        .unwrap();
    let p = send(&a.router, req).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(p.location(), "/");
    let cookie = p.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.contains(&a.config.secret));
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    // The URL printed is the one that works.
    assert!(a
        .config
        .url()
        .ends_with(&format!("/?token={}", a.config.secret)));
}

#[tokio::test]
async fn no_secret_no_access() {
    let a = app();
    for path in ["/", "/assess", "/plan", "/assessments", "/assessments/1"] {
        let req = Request::get(path)
            .header(header::HOST, ADDR)
            .body(Body::empty())
            .unwrap();
        let p = send(&a.router, req).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{path}");
        assert!(p.body.contains("hamstride serve"), "{path}: {}", p.body);
    }
    // A wrong secret, in the URL or in the cookie.
    let req = Request::get("/?token=nope")
        .header(header::HOST, ADDR)
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&a.router, req).await.status, StatusCode::FORBIDDEN);
    let req = Request::get("/")
        .header(header::HOST, ADDR)
        .header(header::COOKIE, "hamstride_4000=0000")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&a.router, req).await.status, StatusCode::FORBIDDEN);
    // The stylesheet alone needs no secret (the 403 page uses it); the script does.
    let req = Request::get("/assets/style.css")
        .header(header::HOST, ADDR)
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&a.router, req).await.status, StatusCode::OK);
    let req = Request::get("/assets/app.js")
        .header(header::HOST, ADDR)
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&a.router, req).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_foreign_host_is_refused_even_with_the_secret() {
    let a = app();
    for host in [
        Some("evil.example:4000"),
        Some("127.0.0.1:4001"),
        Some("localhost"),
        None,
    ] {
        let mut req = Request::get("/").header(header::COOKIE, a.cookie());
        if let Some(h) = host {
            req = req.header(header::HOST, h);
        }
        let p = send(&a.router, req.body(Body::empty()).unwrap()).await;
        assert_eq!(p.status, StatusCode::MISDIRECTED_REQUEST, "{host:?}");
    }
    let req = Request::get("/")
        .header(header::HOST, "localhost:4000")
        .header(header::COOKIE, a.cookie())
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&a.router, req).await.status, StatusCode::OK);
}

#[tokio::test]
async fn every_response_has_the_security_headers() {
    let a = app();
    let pages = [
        a.get("/").await,
        a.get("/nowhere").await,
        a.get("/assets/style.css").await,
        a.post_raw("/assess", "", None).await,
    ];
    for p in pages {
        let h = |k: &str| p.headers.get(k).map(|v| v.to_str().unwrap().to_string());
        assert_eq!(
            h("content-security-policy").as_deref(),
            Some(hamstride_web::security::CSP)
        );
        assert!(hamstride_web::security::CSP.contains("default-src 'none'"));
        assert!(hamstride_web::security::CSP.contains("frame-ancestors 'none'"));
        assert_eq!(h("x-content-type-options").as_deref(), Some("nosniff"));
        assert_eq!(h("x-frame-options").as_deref(), Some("DENY"));
        assert_eq!(h("referrer-policy").as_deref(), Some("same-origin"));
    }
}

#[tokio::test]
async fn a_post_without_the_csrf_token_or_from_elsewhere_is_refused() {
    let a = app();
    let start = a.get("/assess").await;
    let state = hidden(&start.body, "state").unwrap();
    let ok_fields = |token: &str| {
        encode(&[
            ("csrf", token),
            ("state", &state),
            ("q", "emergency-signs"),
            ("kind", "screen"),
            ("answer", "checklist"),
            ("action", "none"),
        ])
    };
    let origin = format!("http://{ADDR}");
    // No token, a wrong token.
    let no_token = encode(&[("state", &state), ("action", "back")]);
    for body in [no_token, ok_fields("00ff")] {
        let p = a.post_raw("/assess", &body, Some(&origin)).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN);
        assert!(p.body.contains("Nothing was saved"), "{}", p.body);
    }
    // The right token from another origin, or with no origin at all.
    let good = ok_fields(&a.config.csrf);
    for o in [Some("http://evil.example"), Some("null"), None] {
        let p = a.post_raw("/assess", &good, o).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{o:?}");
    }
    // A cross-site fetch says so in Sec-Fetch-Site.
    let req = Request::post("/assess")
        .header(header::HOST, ADDR)
        .header(header::COOKIE, a.cookie())
        .header(header::ORIGIN, &origin)
        .header("sec-fetch-site", "cross-site")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(good.clone()))
        .unwrap();
    assert_eq!(send(&a.router, req).await.status, StatusCode::FORBIDDEN);
    // A Referer of ours stands in for a missing Origin.
    let req = Request::post("/assess")
        .header(header::HOST, ADDR)
        .header(header::COOKIE, a.cookie())
        .header(header::REFERER, format!("http://{ADDR}/assess"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(good.clone()))
        .unwrap();
    assert_eq!(send(&a.router, req).await.status, StatusCode::OK);
    // And the same form, done right, is accepted.
    let p = a.post_raw("/assess", &good, Some(&origin)).await;
    assert_eq!(p.status, StatusCode::OK);
    // Every POST route is behind it.
    let p = a.post_raw("/plans/1/restore", "", Some(&origin)).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
}

/// Every address the app answers, by method (ids that may not exist still go through the
/// same layers first).
const GET_ROUTES: &[&str] = &[
    "/",
    "/assess",
    "/assessments",
    "/assessments/1",
    "/activities",
    "/activities/1",
    "/import",
    "/checkin",
    "/checkin/saved",
    "/diary",
    "/diary/1/edit",
    "/plan",
    "/plan/download/plan.md",
    "/report",
    "/report/download",
    "/status",
    "/settings",
    "/settings/export",
    "/settings/delete",
    "/settings/deleted",
    "/assets/app.js",
];
const POST_ROUTES: &[&str] = &[
    "/assess",
    "/import",
    "/checkin",
    "/diary",
    "/diary/1/delete",
    "/plan/prevention",
    "/plans/1/restore",
    "/settings",
    "/settings/delete",
];

#[tokio::test]
async fn every_route_refuses_a_missing_secret_a_foreign_host_and_a_missing_csrf_token() {
    let a = app();
    let origin = format!("http://{ADDR}");
    for path in GET_ROUTES {
        let req = Request::get(*path)
            .header(header::HOST, ADDR)
            .body(Body::empty())
            .unwrap();
        assert_eq!(
            send(&a.router, req).await.status,
            StatusCode::FORBIDDEN,
            "GET {path}"
        );
        let req = Request::get(*path)
            .header(header::HOST, "evil.example:4000")
            .header(header::COOKIE, a.cookie())
            .body(Body::empty())
            .unwrap();
        assert_eq!(
            send(&a.router, req).await.status,
            StatusCode::MISDIRECTED_REQUEST,
            "GET {path}"
        );
    }
    for path in POST_ROUTES {
        let body = format!("csrf={}", a.config.csrf);
        let req = Request::post(*path)
            .header(header::HOST, ADDR)
            .header(header::ORIGIN, &origin)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body.clone()))
            .unwrap();
        assert_eq!(
            send(&a.router, req).await.status,
            StatusCode::FORBIDDEN,
            "POST {path}"
        );
        let req = Request::post(*path)
            .header(header::HOST, "evil.example:4000")
            .header(header::COOKIE, a.cookie())
            .header(header::ORIGIN, &origin)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        assert_eq!(
            send(&a.router, req).await.status,
            StatusCode::MISDIRECTED_REQUEST,
            "POST {path}"
        );
        let p = a.post_raw(path, "note=x", Some(&origin)).await;
        assert_eq!(
            p.status,
            StatusCode::FORBIDDEN,
            "POST {path} without the token"
        );
    }
    // The import's multipart body without its token field is refused too.
    let req = Request::post("/import")
        .header(header::HOST, ADDR)
        .header(header::COOKIE, a.cookie())
        .header(header::ORIGIN, &origin)
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=XX")
        .body(Body::from(
            "--XX\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.gpx\"\r\n\r\n<gpx/>\r\n--XX--\r\n",
        ))
        .unwrap();
    assert_eq!(send(&a.router, req).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        hamstride_service::db::open_dir(a.dir.path())
            .unwrap()
            .activity_count()
            .unwrap(),
        0,
        "nothing imported"
    );
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused() {
    let a = app();
    let big = "x".repeat(hamstride_web::MAX_FORM_BYTES + 10);
    let p = a
        .post_raw(
            "/assess",
            &format!("csrf={}&state={big}", a.config.csrf),
            Some(&format!("http://{ADDR}")),
        )
        .await;
    assert_eq!(p.status, StatusCode::PAYLOAD_TOO_LARGE);
}

// ---- routes ---------------------------------------------------------------------------

#[tokio::test]
async fn every_page_answers_before_any_assessment() {
    let a = app();
    let today = a.get("/").await;
    assert_eq!(today.status, StatusCode::OK);
    assert!(today.body.contains("href=\"/assess\""));
    assert!(today.body.contains("<main"));
    assert!(today.body.contains("Skip to the content"));
    let plan = a.get("/plan").await;
    assert_eq!(plan.status, StatusCode::OK);
    assert!(plan.body.contains("no plan yet"), "{}", plan.body);
    let past = a.get("/assessments").await;
    assert_eq!(past.status, StatusCode::OK);
    assert!(past.body.contains("No results yet"));
    let assess = a.get("/assess").await;
    assert_eq!(assess.status, StatusCode::OK);
    assert!(assess.body.contains("Don&#39;t know") || assess.body.contains("Don't know"));
    assert!(assess.body.contains("Warning-sign check 1 of"));
    assert_eq!(a.get("/assets/style.css").await.status, StatusCode::OK);
    let js = a.get("/assets/app.js").await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    // Nothing to download without a plan: 404 with what to do, never a 5xx.
    let md = a.get("/plan/download/plan.md").await;
    assert_eq!(md.status, StatusCode::NOT_FOUND);
    assert!(md.body.contains("no assessment yet"), "{}", md.body);
}

#[tokio::test]
async fn bad_addresses_are_4xx_naming_what_is_wrong() {
    let a = app();
    let p = a.get("/assessments/abc").await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("assessment"), "{}", p.body);
    assert_eq!(
        a.get("/assessments/999").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(a.get("/nowhere").await.status, StatusCode::NOT_FOUND);
    assert_eq!(a.get("/assets/x.js").await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        a.get("/plan/download/../../etc/passwd").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        a.get("/plan/download/plan.fit").await.status,
        StatusCode::NOT_FOUND
    );
    let p = a.post("/plans/abc/restore", &[]).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("plan"), "{}", p.body);
    let p = a.post("/plans/999/restore", &[]).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("plan"), "{}", p.body);
}

#[tokio::test]
async fn bad_interview_input_is_a_400_naming_the_field() {
    let a = app();
    // A state that is not one.
    let p = a.post("/assess", &[("state", "{\"not\": 1}")]).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("state"), "{}", p.body);
    let p = a.post("/assess", &[("action", "back")]).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("state"), "{}", p.body);
    // A real state, with fields missing or wrong.
    let start = a.get("/assess").await;
    let state = hidden(&start.body, "state").unwrap();
    let p = a.post("/assess", &[("state", &state)]).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("q: is missing"), "{}", p.body);
    // The question is shown again, with the message in the live region.
    assert!(p.body.contains("role=\"alert\""));
    assert!(p.body.contains("name=\"state\""));
    // A value out of range, and a number that is not one.
    for (value, answer) in [("99", "whole_number"), ("lots", "whole_number")] {
        let p = a
            .post(
                "/assess",
                &[
                    ("state", &state),
                    ("q", "pain_now"),
                    ("kind", "field"),
                    ("answer", answer),
                    ("value", value),
                ],
            )
            .await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST, "{value}");
        assert!(p.body.contains("pain_now"), "{value}: {}", p.body);
    }
    // An unknown question, an unknown choice, a checklist with nothing ticked.
    let p = a
        .post(
            "/assess",
            &[
                ("state", &state),
                ("q", "no_such_question"),
                ("kind", "field"),
                ("answer", "yes_no"),
                ("value", "yes"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("no_such_question"), "{}", p.body);
    let p = a
        .post(
            "/assess",
            &[
                ("state", &state),
                ("q", "emergency-signs"),
                ("kind", "screen"),
                ("answer", "checklist"),
                ("action", "these"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("emergency-signs"), "{}", p.body);
    // Nothing was stored by any of it.
    assert!(a.get("/assessments").await.body.contains("No results yet"));
}

// ---- the interview end to end ---------------------------------------------------------

/// The view of the page's state, as the service reads it back.
fn view_of(a: &App, page: &Page) -> (String, InterviewView) {
    let state = hidden(&page.body, "state").expect("a question page carries its state");
    let saved: InterviewState = serde_json::from_str(&state).unwrap();
    let svc = hamstride_service::Service::new().unwrap();
    let _ = a;
    (state, svc.interview_resume(&saved).unwrap())
}

/// A mild hamstring strain, as a runner would answer: no warning signs, yes to the typical
/// strain answers, the first choice otherwise, small numbers.
fn mild_strain_answer(view: &InterviewView) -> Vec<(String, String)> {
    let q = view.question.as_ref().unwrap();
    let f = |k: &str, v: &str| (k.to_string(), v.to_string());
    let mut out = vec![f("q", &q.id), f("kind", q.kind), f("answer", q.answer)];
    match q.answer {
        "checklist" => out.push(f("action", "none")),
        "yes_no" => out.push(f("value", "no")),
        "one_of" => out.push(f("value", &q.choices[0].id)),
        "many_of" => out.push(f("value", &q.choices[0].id)),
        _ => out.push(f("value", &format!("{}", q.min.unwrap_or(0.0).max(2.0)))),
    }
    out
}

async fn answer(a: &App, page: &Page, fields: &[(String, String)]) -> Page {
    let (state, _) = view_of(a, page);
    let mut all: Vec<(&str, &str)> = vec![("state", &state)];
    all.extend(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    a.post("/assess", &all).await
}

/// Walk the interview to its end; returns the response of the last answer.
async fn walk(a: &App) -> Page {
    let mut page = a.get("/assess").await;
    for _ in 0..40 {
        if page.status != StatusCode::OK || hidden(&page.body, "state").is_none() {
            return page;
        }
        let (_, view) = view_of(a, &page);
        page = answer(a, &page, &mild_strain_answer(&view)).await;
    }
    panic!("the interview did not end");
}

#[tokio::test]
async fn back_really_goes_back_and_keeps_the_earlier_answers() {
    let a = app();
    let mut page = a.get("/assess").await;
    let mut states = Vec::new();
    for _ in 0..4 {
        let (state, view) = view_of(&a, &page);
        states.push((state, view.question.unwrap().id));
        let (_, v) = view_of(&a, &page);
        page = answer(&a, &page, &mild_strain_answer(&v)).await;
        assert_eq!(page.status, StatusCode::OK);
    }
    assert!(page.body.contains("Back to the previous question"));
    let (state, _) = view_of(&a, &page);
    let back = a
        .post("/assess", &[("state", &state), ("action", "back")])
        .await;
    assert_eq!(back.status, StatusCode::OK);
    let (back_state, back_view) = view_of(&a, &back);
    let (want_state, want_q) = states.last().unwrap();
    assert_eq!(&back_view.question.unwrap().id, want_q);
    let a_s: InterviewState = serde_json::from_str(&back_state).unwrap();
    let w_s: InterviewState = serde_json::from_str(want_state).unwrap();
    assert_eq!(a_s, w_s, "the answers before it are kept");
    // The first question has no Back.
    assert!(!a
        .get("/assess")
        .await
        .body
        .contains("Back to the previous question"));
}

#[tokio::test]
async fn a_finished_interview_is_stored_with_its_plan_and_shown() {
    let a = app();
    let last = walk(&a).await;
    assert_eq!(last.status, StatusCode::SEE_OTHER, "{}", last.body);
    let to = last.location().to_string();
    assert!(
        to.starts_with("/assessments/") && to.ends_with("?new=1"),
        "{to}"
    );
    let result = a.get(&to).await;
    assert_eq!(result.status, StatusCode::OK);
    for part in [
        "What it most likely is",
        "What set this level",
        "What to do now",
        "Sources",
        "class=\"banner",
        "class=\"fill bar-",
        "Saved.",
    ] {
        assert!(result.body.contains(part), "{part} missing");
    }
    // The first assessment's plan is the plan.
    assert!(result.body.contains("is your plan now"), "{}", result.body);
    let plan = a.get("/plan").await;
    assert_eq!(plan.status, StatusCode::OK);
    assert!(plan.body.contains("Phase 1 of"), "{}", plan.body);
    assert!(plan.body.contains("/plan/download/plan.ics"));
    let today = a.get("/").await;
    assert!(today.body.contains("Today&#39;s sessions") || today.body.contains("Today's sessions"));
    assert!(today.body.contains("class=\"banner"));
    // Downloads are the service's export bytes, as attachments.
    for (name, start) in [("plan.md", "#"), ("plan.ics", "BEGIN:VCALENDAR")] {
        let d = a.get(&format!("/plan/download/{name}")).await;
        assert_eq!(d.status, StatusCode::OK, "{name}");
        assert!(
            d.body.starts_with(start),
            "{name}: {}",
            &d.body[..40.min(d.body.len())]
        );
        let cd = d.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
        assert!(cd.contains("attachment") && cd.contains(name), "{cd}");
    }
    // It is listed, and a second assessment asks before replacing the plan.
    let past = a.get("/assessments").await;
    assert!(past.body.contains("your plan now"));
    let second = walk(&a).await;
    let shown = a.get(second.location()).await;
    assert!(shown.body.contains("You kept your plan"), "{}", shown.body);
    assert!(shown.body.contains("Use the new plan"));
    let restore = hidden(&shown.body, "csrf").map(|_| {
        let at = shown.body.find("/plans/").unwrap();
        let rest = &shown.body[at..];
        rest[..rest.find('"').unwrap()].to_string()
    });
    let p = a.post(&restore.unwrap(), &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(p.location(), "/plan");
    let again = a.get(second.location()).await;
    assert!(again.body.contains("is your plan now"), "{}", again.body);
}

#[tokio::test]
async fn an_emergency_shows_the_number_first_and_nothing_else_to_do() {
    let a = app();
    let page = a.get("/assess").await;
    let fields = [
        ("q", "emergency-signs"),
        ("kind", "screen"),
        ("answer", "checklist"),
        ("action", "these"),
        ("item", "saddle_numbness"),
        ("item", "bladder_change"),
    ];
    let (state, _) = view_of(&a, &page);
    let mut all = vec![("state", state.as_str())];
    all.extend_from_slice(&fields);
    let mut p = a.post("/assess", &all).await;
    // Any further questions: "don't know", until the result.
    for _ in 0..30 {
        if p.status != StatusCode::OK {
            break;
        }
        let (state, view) = view_of(&a, &p);
        let q = view.question.unwrap();
        p = a
            .post(
                "/assess",
                &[
                    ("state", &state),
                    ("q", &q.id),
                    ("kind", q.kind),
                    ("answer", q.answer),
                    ("action", "dont_know"),
                ],
            )
            .await;
    }
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let r = a.get(p.location()).await;
    assert!(r.body.contains("data-level=\"emergency\""), "{}", r.body);
    assert!(r.body.contains("href=\"tel:112\""));
    let banner = r.body.find("class=\"banner").unwrap();
    let call = r.body.find("tel:112").unwrap();
    assert!(call > banner);
    assert!(!r.body.contains("What it most likely is"));
    assert!(!r.body.contains("About "));
}

#[tokio::test]
async fn all_dont_know_stops_early_and_stores_nothing() {
    let a = app();
    let mut p = a.get("/assess").await;
    for _ in 0..30 {
        if hidden(&p.body, "state").is_none() {
            break;
        }
        let (state, view) = view_of(&a, &p);
        let q = view.question.unwrap();
        p = a
            .post(
                "/assess",
                &[
                    ("state", &state),
                    ("q", &q.id),
                    ("kind", q.kind),
                    ("answer", q.answer),
                    ("action", "dont_know"),
                ],
            )
            .await;
    }
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("Nothing was saved"), "{}", p.body);
    assert!(a.get("/assessments").await.body.contains("No results yet"));
}

// ---- the check-in ---------------------------------------------------------------------

#[tokio::test]
async fn a_check_in_needs_a_plan_names_bad_fields_and_saves_a_good_one() {
    let a = app();
    let p = a.get("/checkin").await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    assert!(p.body.contains("no assessment yet"), "{}", p.body);
    let p = a.post("/checkin", &[("morning", "2")]).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    assert_eq!(a.get("/checkin/saved").await.status, StatusCode::NOT_FOUND);

    assert_eq!(walk(&a).await.status, StatusCode::SEE_OTHER);
    let form = a.get("/checkin").await;
    assert_eq!(form.status, StatusCode::OK);
    for part in [
        "type=\"range\"",
        "min=\"0\" max=\"10\"",
        "<output",
        "name=\"done\"",
        "name=\"flags\"",
    ] {
        assert!(form.body.contains(part), "{part} missing");
    }
    // Bad input: 400, the form again, the field named, nothing stored.
    let cases: [(&[(&str, &str)], &str); 6] = [
        (&[("during", "11")], "pain_during"),
        (&[("morning", "two")], "pain_morning"),
        (&[("date", "yesterday-ish"), ("morning", "1")], "date"),
        (&[("flags", "some")], "red_flags"),
        (&[("done", "no_such_exercise")], "done"),
        (
            &[
                ("skip", "during"),
                ("skip", "after"),
                ("skip", "morning"),
                ("flags", "skip"),
            ],
            "checkin",
        ),
    ];
    for (fields, field) in cases {
        let p = a.post("/checkin", fields).await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST, "{fields:?}");
        assert!(p.body.contains(field), "{field}: {}", p.body);
        assert!(p.body.contains("was not saved"), "{field}");
        assert!(p.body.contains("name=\"flags\""), "the form is shown again");
    }
    // Read the database beside the server, as another command would.
    let check_ins = || {
        let db = hamstride_service::db::open_dir(a.dir.path()).unwrap();
        let svc = hamstride_service::Service::new().unwrap();
        svc.plan_history(&db)
            .unwrap()
            .iter()
            .map(|p| p.check_ins)
            .sum::<i64>()
    };
    assert_eq!(check_ins(), 0, "nothing stored by refused check-ins");
    // A good one.
    let first = {
        let at = form.body.find("name=\"done\" value=\"").unwrap() + 19;
        let rest = &form.body[at..];
        rest[..rest.find('"').unwrap()].to_string()
    };
    let p = a
        .post(
            "/checkin",
            &[
                ("during", "2"),
                ("after", "1"),
                ("morning", "1"),
                ("done", &first),
                ("flags", "none"),
                ("note", "felt fine <b>really</b>"),
            ],
        )
        .await;
    // Post, redirect, get: the result has an address of its own.
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(p.location(), "/checkin/saved");
    let p = a.get("/checkin/saved").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("Check-in saved"));
    assert!(p.body.contains("data-verdict="), "{}", p.body);
    assert!(!p.body.contains("<b>really"), "no markup from a note");
    assert_eq!(check_ins(), 1);
    // Reloading the result page shows it again and stores nothing more.
    let again = a.get("/checkin/saved").await;
    assert_eq!(again.status, StatusCode::OK);
    assert!(again.body.contains("data-verdict="));
    assert_eq!(check_ins(), 1, "a reload sends nothing");
}

// ---- the pain diary -------------------------------------------------------------------

#[tokio::test]
async fn the_diary_lists_adds_edits_and_deletes_and_names_bad_fields() {
    let a = app();
    let p = a.get("/diary").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("No entries yet"));
    // Bad input: 400, the field named, nothing stored.
    let future = "2999-01-01";
    let cases: [(&[(&str, &str)], &str); 7] = [
        (&[("during", "12")], "during"),
        (&[("morning", "x")], "next_morning"),
        (&[("sitting", "2000")], "sitting"),
        (&[("during", "2"), ("site", "the moon")], "site"),
        (&[("during", "2"), ("side", "up")], "side"),
        (&[("during", "2"), ("date", future)], "date"),
        (
            &[("skip", "during"), ("skip", "after"), ("skip", "morning")],
            "pain",
        ),
    ];
    for (fields, field) in cases {
        let p = a.post("/diary", fields).await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST, "{fields:?}");
        assert!(p.body.contains(field), "{field}: {}", p.body);
        assert!(p.body.contains("was not saved"));
    }
    assert!(a.get("/diary").await.body.contains("No entries yet"));
    // Add a day.
    let p = a
        .post(
            "/diary",
            &[
                ("date", "2026-01-10"),
                ("during", "3"),
                ("after", "4"),
                ("skip", "morning"),
                ("site", "mid_back_thigh"),
                ("side", "left"),
                ("note", "<script>alert(1)</script> stairs"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(p.location(), "/diary");
    let list = a.get("/diary").await;
    assert!(list.body.contains("Sat 10 Jan 2026"), "{}", list.body);
    assert!(
        !list.body.contains("<script>alert"),
        "a note is text, never markup"
    );
    let id = common::data_attr(&list.body, "id").unwrap();
    // Edit it: the form is filled in, the day fixed; a morning score is added, the rest kept.
    let edit = a.get(&format!("/diary/{id}/edit")).await;
    assert_eq!(edit.status, StatusCode::OK);
    assert!(edit.body.contains("name=\"date\" value=\"2026-01-10\""));
    assert!(edit.body.contains("value=\"3\""));
    let p = a
        .post(
            "/diary",
            &[
                ("date", "2026-01-10"),
                ("skip", "during"),
                ("skip", "after"),
                ("morning", "1"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let list = a.get("/diary").await;
    assert_eq!(list.body.matches("data-id=").count(), 1, "one row per day");
    assert!(
        list.body.contains("next morning <strong>1</strong>"),
        "{}",
        list.body
    );
    assert!(list.body.contains("During <strong>3</strong>"), "kept");
    // Bad addresses.
    assert_eq!(
        a.get("/diary/abc/edit").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(a.get("/diary/999/edit").await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        a.post("/diary/999/delete", &[]).await.status,
        StatusCode::NOT_FOUND
    );
    // Delete needs the CSRF token too.
    let p = a
        .post_raw(
            &format!("/diary/{id}/delete"),
            "",
            Some(&format!("http://{ADDR}")),
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let p = a.post(&format!("/diary/{id}/delete"), &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(a.get("/diary").await.body.contains("No entries yet"));
}

// ---- the report, the workouts, the prevention programme -----------------------------

#[tokio::test]
async fn the_report_comes_with_its_own_policy_and_the_workouts_as_a_zip() {
    let a = app();
    // The report works with no data at all.
    let r = a.get("/report").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("<html"),
        "{}",
        &r.body[..200.min(r.body.len())]
    );
    let csp = r.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("style-src 'unsafe-inline'") && csp.contains("sandbox"),
        "{csp}"
    );
    assert!(!csp.contains("script-src"), "no script in the report");
    assert_eq!(r.headers["x-frame-options"], "DENY");
    let d = a.get("/report/download").await;
    assert!(d.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .contains("hamstride-report.html"));
    // Without a secret, no report.
    let req = Request::get("/report")
        .header(header::HOST, ADDR)
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&a.router, req).await.status, StatusCode::FORBIDDEN);
    // The prevention programme, from the page without a plan.
    let none = a.get("/plan").await;
    assert!(none.body.contains("action=\"/plan/prevention\""));
    let p = a
        .post_raw("/plan/prevention", "", Some(&format!("http://{ADDR}")))
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "the CSRF token is needed");
    let p = a.post("/plan/prevention", &[]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(p.location(), "/plan");
    let plan = a.get("/plan").await;
    assert!(plan.body.contains("Phase 1 of"), "{}", plan.body);
    // A strain's plan, with its return-to-run sessions, gives its FIT workouts as a zip.
    let b = app();
    assert_eq!(walk(&b).await.status, StatusCode::SEE_OTHER);
    let z = b.get("/plan/download/workouts.zip").await;
    assert_eq!(z.status, StatusCode::OK);
    assert_eq!(z.headers[header::CONTENT_TYPE], "application/zip");
    assert!(z.body.starts_with("PK"), "a zip");
    assert!(z.body.contains(".fit"), "with FIT files in it");
}

// ---- settings -------------------------------------------------------------------------

#[tokio::test]
async fn settings_are_checked_saved_and_miles_reach_the_interview() {
    let a = app();
    let p = a.get("/settings").await;
    assert_eq!(p.status, StatusCode::OK);
    let place = a.dir.path().display().to_string();
    assert!(p.body.contains(&place), "where the data lives: {}", p.body);
    for (fields, field) in [
        (&[("units", "parsecs")][..], "units"),
        (&[("timezone", "Mars/Olympus_Mons")][..], "timezone"),
        (&[("hr_rest", "abc")][..], "hr_rest"),
        (&[("hr_rest", "10")][..], "hr_rest"),
        (&[("hr_max", "500")][..], "hr_max"),
        (&[("hr_curve", "cats")][..], "hr_curve"),
    ] {
        let p = a.post("/settings", fields).await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST, "{fields:?}");
        assert!(p.body.contains(field), "{field}: {}", p.body);
        assert!(p.body.contains("Nothing was saved"));
    }
    let p = a
        .post(
            "/settings",
            &[
                ("units", "mi"),
                ("timezone", "Europe/London"),
                ("hr_rest", "50"),
                ("hr_max", "186"),
                ("hr_curve", "women"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(p.location(), "/settings?saved=1");
    let p = a.get("/settings?saved=1").await;
    assert!(p.body.contains("Saved."));
    assert!(p.body.contains("value=\"Europe/London\""));
    assert!(p.body.contains("value=\"mi\" checked"), "{}", p.body);
    // A distance typed in miles is kept in km, as the terminal's --units mi does.
    let start = a.get("/assess").await;
    let state = hidden(&start.body, "state").unwrap();
    let p = a
        .post(
            "/assess",
            &[
                ("state", &state),
                ("q", "weekly_km"),
                ("kind", "field"),
                ("answer", "number"),
                ("unit", "mi"),
                ("value", "10"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let saved: InterviewState = serde_json::from_str(&hidden(&p.body, "state").unwrap()).unwrap();
    let km = serde_json::to_value(&saved.steps[0]).unwrap()["answer"]
        .as_f64()
        .unwrap();
    assert!((km - 16.093_44).abs() < 1e-6, "{km}");
}

// ---- training status ------------------------------------------------------------------

#[tokio::test]
async fn the_status_page_shows_the_week_with_and_without_runs() {
    let a = app();
    let p = a.get("/status").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("No runs imported yet"), "{}", p.body);
    // Runs every other day for five weeks, then a long one: imported beside the server, as
    // `hamstride import` would while it runs.
    let today = jiff::Zoned::now().date();
    let mut sources = Vec::new();
    for back in (10..44).step_by(2) {
        let d = today.saturating_sub(jiff::Span::new().days(back));
        sources.push(hamstride_service::import::ImportSource::Bytes {
            name: format!("run-{back}.gpx"),
            data: common::gpx_run(d, 20).into_bytes(),
        });
    }
    let long = today.saturating_sub(jiff::Span::new().days(3));
    sources.push(hamstride_service::import::ImportSource::Bytes {
        name: "long.gpx".into(),
        data: common::gpx_run(long, 40).into_bytes(),
    });
    let mut db = hamstride_service::db::open_dir(a.dir.path()).unwrap();
    let report = hamstride_service::import::run(
        &mut db,
        sources,
        &hamstride_service::import::ImportOptions::default(),
        &mut |_| {},
    )
    .unwrap();
    assert!(report.imported >= 18, "{report:?}");
    drop(db);
    let p = a.get("/status").await;
    assert_eq!(p.status, StatusCode::OK);
    for part in [
        "<table class=\"days\"",
        "<table class=\"weeks\"",
        "class=\"fill bar-20\"",
        "Flags, last 14 days",
        " km",
    ] {
        assert!(p.body.contains(part), "{part} missing: {}", p.body);
    }
    assert!(
        p.body.contains("Strong: ") || p.body.contains("Watch: "),
        "the long run is flagged: {}",
        p.body
    );
}
