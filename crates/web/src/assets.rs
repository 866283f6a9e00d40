//! The stylesheet and the one small script, compiled into the binary (`include_str!`) so the
//! app needs no files beside it, no Node build step, and loads nothing from the network.

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::WebError;

const STYLE: &str = include_str!("../assets/style.css");
const SCRIPT: &str = include_str!("../assets/app.js");

pub async fn serve(Path(name): Path<String>) -> Result<Response, WebError> {
    let (body, kind) = match name.as_str() {
        "style.css" => (STYLE, "text/css; charset=utf-8"),
        "app.js" => (SCRIPT, "text/javascript; charset=utf-8"),
        _ => return Err(WebError::NotFound("There is no such file.".into())),
    };
    // They hold no data, but change with the binary: the browser asks again each time
    // (a newer hamstride on the same port must not get an older stylesheet).
    Ok((
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response())
}
