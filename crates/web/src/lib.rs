//! hamstride-web: the local web app (`hamstride serve`), an HTTP adapter over
//! `hamstride-service` that renders HTML on the server.
//!
//! It does what the CLI does, for people who do not live in a terminal: every page is a view
//! model from the service turned into markup (maud), every form post is one service use case.
//! It holds no clinical logic and computes no numbers: levels, conditions, reasons, advice,
//! plans and their words all come from the service and the knowledge base, in the same
//! sentences the terminal prints. It depends on `hamstride-service` alone (never on core or
//! store), as the CLI does.
//!
//! Even on 127.0.0.1 any web page the runner visits can send requests to a local port, so
//! every request goes through [`security`]: the `Host` must be the served address (DNS
//! rebinding), the per-launch secret from the printed URL must come with it (kept in an
//! HttpOnly SameSite=Strict cookie), and every POST carries a per-launch CSRF token and a
//! same-origin `Origin`. The database is the runner's one file; store calls run on tokio's
//! blocking pool behind one mutex, so the async workers never wait on SQLite and two requests
//! never write at once (each write is one transaction in the store, so stopping the server
//! leaves nothing half-written).

mod assets;
mod error;
mod form;
mod html;
mod pages;
pub mod security;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::routing::{get, post};
use axum::Router;
use hamstride_service::{AthleteDb, Service};

pub use error::WebError;

/// The largest form body accepted. An interview state after its 30-question cap is a few
/// kilobytes of JSON; anything bigger is not one of our forms.
pub const MAX_FORM_BYTES: usize = 64 * 1024;

/// The largest upload accepted on `POST /import` (a whole Strava or Garmin export), the one
/// route with a bigger body than a form's.
pub const MAX_UPLOAD_BYTES: usize = 512 * 1024 * 1024;

/// The upload route: the CSRF layer leaves its multipart body to the handler, which checks
/// the token field first.
pub(crate) const IMPORT_PATH: &str = "/import";

/// What one launch of the server needs to know about itself.
#[derive(Debug, Clone)]
pub struct Config {
    /// The address the server is reached at (its port is in the cookie name and the allowed
    /// `Host`s).
    pub addr: SocketAddr,
    /// The per-launch secret of the printed URL.
    pub secret: String,
    /// The per-launch CSRF token every form carries.
    pub csrf: String,
}

impl Config {
    /// A new launch on `addr`, with a fresh secret and CSRF token.
    pub fn new(addr: SocketAddr) -> Result<Config, WebError> {
        Ok(Config {
            addr,
            secret: security::random_token()?,
            csrf: security::random_token()?,
        })
    }

    /// The URL to open: the secret travels once in the query, then in a cookie.
    pub fn url(&self) -> String {
        // The address as served (`[::1]:8080`, `192.168.1.20:8080`), and 127.0.0.1 by name
        // for the default.
        let host = self.addr.to_string();
        format!("http://{host}/?token={}", self.secret)
    }
}

/// Shared by every request: the loaded service, the runner's database and the launch's
/// secrets.
#[derive(Debug)]
pub struct AppState {
    pub(crate) service: Service,
    /// One connection for the one runner: a mutex, locked only on the blocking pool.
    pub(crate) db: Mutex<AthleteDb>,
    pub(crate) config: Config,
}

pub type Shared = Arc<AppState>;

impl AppState {
    pub fn new(service: Service, db: AthleteDb, config: Config) -> Shared {
        Arc::new(AppState {
            service,
            db: Mutex::new(db),
            config,
        })
    }

    /// Run `f` with the service and the database on the blocking pool: store calls block
    /// (SQLite, or PostgreSQL's blocking client) and must not hold up the async workers.
    pub(crate) async fn with_db<T, F>(self: &Arc<Self>, f: F) -> Result<T, WebError>
    where
        T: Send + 'static,
        F: FnOnce(&Service, &mut AthleteDb) -> Result<T, WebError> + Send + 'static,
    {
        let st = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            // A poisoned lock means a handler panicked mid-call; the store's transaction was
            // rolled back, so the connection itself is still sound to use.
            let mut db = st.db.lock().unwrap_or_else(|p| p.into_inner());
            f(&st.service, &mut db)
        })
        .await
        .map_err(|e| WebError::Internal(format!("a request's work stopped: {e}")))?
    }

    /// Run `f` with the service alone on the blocking pool (an interview step assesses the
    /// answers so far: milliseconds of CPU that should not stall other requests).
    pub(crate) async fn with_service<T, F>(self: &Arc<Self>, f: F) -> Result<T, WebError>
    where
        T: Send + 'static,
        F: FnOnce(&Service) -> Result<T, WebError> + Send + 'static,
    {
        let st = Arc::clone(self);
        tokio::task::spawn_blocking(move || f(&st.service))
            .await
            .map_err(|e| WebError::Internal(format!("a request's work stopped: {e}")))?
    }
}

/// Every route, behind the security layers.
pub fn router(state: Shared) -> Router {
    let app = Router::new()
        .route("/", get(pages::today::page))
        .route(
            "/assess",
            get(pages::assess::start).post(pages::assess::step),
        )
        .route("/activities", get(pages::activities::list))
        .route("/activities/{id}", get(pages::activities::show))
        .route(
            IMPORT_PATH,
            get(pages::import::show)
                .post(pages::import::upload.layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES))),
        )
        .route("/assessments", get(pages::assessments::list))
        .route("/assessments/{id}", get(pages::assessments::show))
        .route(
            "/checkin",
            get(pages::checkin::show).post(pages::checkin::save),
        )
        .route(pages::checkin::SAVED_PATH, get(pages::checkin::saved))
        .route("/diary", get(pages::diary::list).post(pages::diary::save))
        .route("/diary/{id}/edit", get(pages::diary::edit))
        .route("/diary/{id}/delete", post(pages::diary::delete))
        .route("/plan", get(pages::plan::page))
        .route("/plan/download/{name}", get(pages::plan::download))
        .route("/plan/prevention", post(pages::plan::prevention))
        .route("/plans/{id}/restore", post(pages::plan::restore))
        .route("/report", get(pages::report::view))
        .route("/report/download", get(pages::report::download))
        .route("/status", get(pages::status::page))
        .route(
            "/settings",
            get(pages::settings::show).post(pages::settings::save),
        )
        .route("/settings/export", get(pages::data::export))
        .route(
            "/settings/delete",
            get(pages::data::confirm).post(pages::data::delete),
        )
        .route("/settings/deleted", get(pages::data::deleted))
        .route("/assets/{name}", get(assets::serve))
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::max(MAX_FORM_BYTES));
    security::layer(app, state.clone()).with_state(state)
}

/// Serve until `shutdown` resolves, then finish the requests in flight and return (axum's
/// graceful shutdown: no request is cut in the middle of its transaction).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Shared,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}
