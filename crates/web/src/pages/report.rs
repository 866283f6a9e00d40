//! The HTML report for a physio (`GET /report` to read it in the browser, `GET
//! /report/download` to keep it), the terminal's `hamstride report`: metrics brought up to
//! date, the training picture, and the service's one self-contained HTML string.
//!
//! The report styles itself inline and has no script, so it is served with its own CSP
//! (the one its meta tag carries, plus `sandbox` and no framing) instead of the app's, which
//! allows only our stylesheet.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use hamstride_service::plans::Now;
use hamstride_service::training::refresh_metrics;

use crate::{Shared, WebError};

/// The report's own policy: its inline styles and data: images, nothing else, sandboxed.
const REPORT_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'; sandbox";

async fn render(st: &Shared) -> Result<String, WebError> {
    st.with_db(|svc, db| {
        refresh_metrics(db, &mut |_, _| {})?;
        let t = svc.training(db, Now::system())?;
        Ok(svc.render_report(&t))
    })
    .await
}

pub async fn view(State(st): State<Shared>) -> Result<Response, WebError> {
    let html = render(&st).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, REPORT_CSP),
        ],
        html,
    )
        .into_response())
}

pub async fn download(State(st): State<Shared>) -> Result<Response, WebError> {
    let html = render(&st).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, REPORT_CSP),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"hamstride-report.html\"",
            ),
        ],
        html,
    )
        .into_response())
}
