//! What the web tests share: an app on a throwaway database, requests as a browser of this
//! launch sends them (Host, the secret's cookie, Origin and the CSRF field on a POST), and a
//! reader for the hidden fields of a page.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::body::Body;
use axum::http::{header, Request, Response, StatusCode};
use axum::Router;
use hamstride_service::Service;
use hamstride_web::{AppState, Config, Shared};
use http_body_util::BodyExt;
use tower::ServiceExt;

pub const ADDR: &str = "127.0.0.1:4000";

pub struct App {
    pub router: Router,
    pub state: Shared,
    pub config: Config,
    pub dir: tempfile::TempDir,
}

pub fn app() -> App {
    let dir = tempfile::tempdir().unwrap();
    let db = hamstride_service::db::open_dir(dir.path()).unwrap();
    let addr: SocketAddr = ADDR.parse().unwrap();
    let config = Config::new(addr).unwrap();
    let state = AppState::new(Service::new().unwrap(), db, config.clone());
    App {
        router: hamstride_web::router(state.clone()),
        state,
        config,
        dir,
    }
}

/// A response read whole.
pub struct Page {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }
}

pub async fn send(router: &Router, req: Request<Body>) -> Page {
    let res: Response<Body> = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    Page {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

impl App {
    /// Set the runner's time zone to UTC, so start times read the same on any machine (with
    /// none set, pages show them in the system's zone).
    pub fn in_utc(&self) {
        in_utc(self.dir.path());
    }

    pub fn cookie(&self) -> String {
        format!(
            "{}={}",
            hamstride_web::security::cookie_name(4000),
            self.config.secret
        )
    }

    /// GET as the runner's browser.
    pub async fn get(&self, path: &str) -> Page {
        let req = Request::get(path)
            .header(header::HOST, ADDR)
            .header(header::COOKIE, self.cookie())
            .body(Body::empty())
            .unwrap();
        send(&self.router, req).await
    }

    /// POST a form as the runner's browser: the CSRF field is added.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut all: Vec<(&str, &str)> = vec![("csrf", self.config.csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &encode(&all), Some(&format!("http://{ADDR}")))
            .await
    }

    /// POST a body as given, with this Origin (or none).
    pub async fn post_raw(&self, path: &str, body: &str, origin: Option<&str>) -> Page {
        let mut req = Request::post(path)
            .header(header::HOST, ADDR)
            .header(header::COOKIE, self.cookie())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(o) = origin {
            req = req.header(header::ORIGIN, o);
        }
        send(
            &self.router,
            req.body(Body::from(body.to_string())).unwrap(),
        )
        .await
    }
}

pub fn encode(fields: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        s.append_pair(k, v);
    }
    s.finish()
}

/// The value of the first `<input … name="NAME" value="…">` on the page, unescaped.
pub fn hidden(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\" value=\""))?;
    let rest = &html[at + name.len() + 15..];
    let end = rest.find('"')?;
    Some(
        rest[..end]
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

/// The value of `data-NAME="…"` on the page.
pub fn data_attr(html: &str, name: &str) -> Option<String> {
    let key = format!("data-{name}=\"");
    let at = html.find(&key)?;
    let rest = &html[at + key.len()..];
    Some(rest[..rest.find('"')?].to_string())
}

/// `../shared` beside the checkout, with one line saying whether the test ran with it.
pub fn shared_dir(what: &str) -> Option<PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    if dir.is_dir() {
        eprintln!("ran with ../shared: {what}");
        Some(dir)
    } else {
        eprintln!("SKIPPED: ../shared not found; {what} not run");
        None
    }
}

/// A GPX run on `date` of `minutes` at an easy pace (as the CLI's training tests make them).
pub fn gpx_run(date: jiff::civil::Date, minutes: u32) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<gpx version=\"1.1\" creator=\"test\" xmlns=\"http://www.topografix.com/GPX/1/1\">\n<trk><name>Run</name><type>running</type><trkseg>\n",
    );
    let start = date
        .to_zoned(jiff::tz::TimeZone::UTC)
        .unwrap()
        .timestamp()
        .as_second()
        + 7 * 3600;
    for i in 0..minutes * 60 {
        let t = jiff::Timestamp::from_second(start + i64::from(i)).unwrap();
        s.push_str(&format!(
            "<trkpt lat=\"{:.7}\" lon=\"-0.1200000\"><ele>12.0</ele><time>{}</time></trkpt>\n",
            51.5 + f64::from(i) * 0.000027,
            t.strftime("%Y-%m-%dT%H:%M:%SZ")
        ));
    }
    s.push_str("</trkseg></trk></gpx>\n");
    s
}

/// Set the time zone of the runner whose data is in `dir` to UTC (see [`App::in_utc`]).
pub fn in_utc(dir: &std::path::Path) {
    let mut db = hamstride_service::db::open_dir(dir).unwrap();
    let update = hamstride_service::training::ProfileUpdate {
        timezone: Some("UTC".to_string()),
        ..Default::default()
    };
    hamstride_service::training::update_profile(
        &mut db,
        &update,
        hamstride_service::plans::Now::system(),
    )
    .unwrap();
}
