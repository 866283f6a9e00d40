//! Security of a server on 127.0.0.1, as Jupyter does it: any web page the runner visits can
//! send requests to a local port, so being local is not enough.
//!
//! In order, around every request:
//! 1. **Headers** on every response: a CSP that lets the page load only its own CSS and
//!    script and post only to itself (no request leaves the machine), no framing, no MIME
//!    sniffing, and a referrer policy of `same-origin` (see [`REFERRER_POLICY`] for why not
//!    `no-referrer`).
//! 2. **Host**: only `127.0.0.1:PORT`, `localhost:PORT` (and the `--listen` address) are
//!    served; another name pointing at 127.0.0.1 (DNS rebinding) gets 421. An unspecified
//!    address (0.0.0.0) is never served: its Host could not be checked.
//! 3. **Secret**: the printed URL carries a per-launch secret (`/?token=…`); it is exchanged
//!    for an HttpOnly SameSite=Strict cookie and a redirect that takes it out of the address
//!    bar. Without the cookie, 403 and a page saying to open the printed URL. The stylesheet is
//!    the one thing served without it (so that page looks right; it holds no data).
//! 4. **CSRF** on every POST: the per-launch token in a hidden field, and an `Origin` (or,
//!    without one, `Referer`) of the served address; `Sec-Fetch-Site`, when the browser sends
//!    it, must be `same-origin`.
//!
//! Nothing here logs: no request line, query string or body is ever written anywhere.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;

use crate::{Shared, WebError};

/// Nothing but our own files; forms post only to us (the import's upload script too:
/// `connect-src 'self'`); no frames, no `<base>`.
pub const CSP: &str = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// `same-origin`, not `no-referrer`: under `no-referrer` Chromium sends `Origin: null` with
/// every form POST (the Fetch standard serialises the request origin as null for that
/// policy), which would make the Origin check refuse the runner's own forms. `same-origin`
/// still sends nothing to any other site (and there are no links off the machine), and the
/// secret is out of the address before any page is shown.
pub const REFERRER_POLICY: &str = "same-origin";

/// The name of the hidden form field that carries the CSRF token.
pub const CSRF_FIELD: &str = "csrf";

/// A fresh 256-bit token, hex.
pub fn random_token() -> Result<String, WebError> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b)
        .map_err(|e| WebError::Internal(format!("no random numbers from the system: {e}")))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

/// Compare secrets without an early exit, so timing says nothing about how much matched.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The cookie's name carries the port: cookies ignore ports, so two servers on one machine
/// (two data folders) would otherwise overwrite each other's.
pub fn cookie_name(port: u16) -> String {
    format!("hamstride_{port}")
}

/// The `Host` values this launch answers to.
fn allowed_hosts(state: &Shared) -> Vec<String> {
    let addr = state.config.addr;
    let port = addr.port();
    let mut hosts = vec![format!("127.0.0.1:{port}"), format!("localhost:{port}")];
    let served = addr.to_string();
    if !hosts.contains(&served) {
        hosts.push(served);
    }
    hosts
}

/// Wrap the routes in the four layers, outermost first.
pub fn layer(app: Router<Shared>, state: Shared) -> Router<Shared> {
    app.layer(middleware::from_fn_with_state(state.clone(), csrf))
        .layer(middleware::from_fn_with_state(state.clone(), secret))
        .layer(middleware::from_fn_with_state(state, host))
        .layer(middleware::from_fn(headers))
}

async fn headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    // A page that brings its own, stricter-in-its-way policy keeps it (the report: inline
    // styles, no script at all, sandboxed).
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static(REFERRER_POLICY),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Health data: never kept by the browser's cache or anything between.
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

async fn host(State(state): State<Shared>, req: Request, next: Next) -> Response {
    let ok = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|h| {
            allowed_hosts(&state)
                .iter()
                .any(|a| a.eq_ignore_ascii_case(h))
        });
    if !ok {
        return WebError::WrongHost.into_response();
    }
    next.run(req).await
}

/// The value of the `token` query parameter, if any.
fn query_token(req: &Request) -> Option<String> {
    let q = req.uri().query()?;
    form_urlencoded::parse(q.as_bytes())
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.into_owned())
}

fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

async fn secret(State(state): State<Shared>, req: Request, next: Next) -> Response {
    let cfg = &state.config;
    let name = cookie_name(cfg.addr.port());
    if let Some(token) = query_token(&req) {
        if !same_secret(&token, &cfg.secret) {
            return WebError::NoSecret.into_response();
        }
        // Keep the path, drop the query: the secret must not stay in the address bar or the
        // browser's history.
        let to = req.uri().path().to_string();
        let cookie = format!("{name}={}; HttpOnly; SameSite=Strict; Path=/", cfg.secret);
        return Response::builder()
            .status(StatusCode::SEE_OTHER)
            .header(header::LOCATION, to)
            .header(header::SET_COOKIE, cookie)
            .body(Body::empty())
            .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response());
    }
    // The stylesheet holds no data and lets the 403 page look like the app.
    if req.method() == Method::GET && req.uri().path() == "/assets/style.css" {
        return next.run(req).await;
    }
    match cookie_value(req.headers(), &name) {
        Some(v) if same_secret(&v, &cfg.secret) => next.run(req).await,
        _ => WebError::NoSecret.into_response(),
    }
}

/// The origin a same-site request of ours carries: `http://` and an allowed host.
fn is_our_origin(state: &Shared, origin: &str) -> bool {
    allowed_hosts(state)
        .iter()
        .any(|h| origin.eq_ignore_ascii_case(&format!("http://{h}")))
}

/// A multipart post to the upload route, whose handler checks the token with [`check_csrf`].
fn is_upload(req: &Request) -> bool {
    req.uri().path() == crate::IMPORT_PATH
        && req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| {
                c.get(..19)
                    .is_some_and(|p| p.eq_ignore_ascii_case("multipart/form-data"))
            })
}

/// The token of a form read by its handler (the upload's): refused unless it is this launch's.
pub(crate) fn check_csrf(state: &Shared, token: Option<&str>) -> Result<(), WebError> {
    match token {
        Some(t) if same_secret(t, &state.config.csrf) => Ok(()),
        _ => Err(WebError::Csrf(
            "this form's safety token is missing or out of date (hamstride was restarted?), so it was not accepted. Nothing was saved. Reload the page and try again."
                .into(),
        )),
    }
}

async fn csrf(State(state): State<Shared>, req: Request, next: Next) -> Response {
    if req.method() == Method::GET || req.method() == Method::HEAD {
        return next.run(req).await;
    }
    let h = req.headers();
    if let Some(site) = h.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        if site != "same-origin" {
            return WebError::Csrf(
                "this form came from another site, so it was not accepted. Nothing was saved."
                    .into(),
            )
            .into_response();
        }
    }
    let origin_ok = match h.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        Some(o) => is_our_origin(&state, o),
        None => h
            .get(header::REFERER)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|r| {
                allowed_hosts(&state)
                    .iter()
                    .any(|a| r.starts_with(&format!("http://{a}/")))
            }),
    };
    if !origin_ok {
        return WebError::Csrf(
            "this form did not say it came from this page, so it was not accepted. Nothing was saved. Go back, reload the page and try again."
                .into(),
        )
        .into_response();
    }
    // An upload (`POST /import`, multipart) is too big to read here: its handler checks the
    // token, which the form sends as its first field, before it reads any file.
    if is_upload(&req) {
        return next.run(req).await;
    }
    // The token is in the body: read it (bounded), check it, and hand the body on.
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, crate::MAX_FORM_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            return (
                StatusCode::PAYLOAD_TOO_LARGE,
                crate::html::error_page(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "Too much at once",
                    "This form sent more than hamstride accepts. Nothing was saved.",
                ),
            )
                .into_response()
        }
    };
    let token = form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == CSRF_FIELD)
        .map(|(_, v)| v.into_owned());
    match token {
        Some(t) if same_secret(&t, &state.config.csrf) => {
            next.run(Request::from_parts(parts, Body::from(bytes))).await
        }
        _ => WebError::Csrf(
            "this form's safety token is missing or out of date (hamstride was restarted?), so it was not accepted. Nothing was saved. Reload the page and try again."
                .into(),
        )
        .into_response(),
    }
}
