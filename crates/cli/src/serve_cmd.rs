//! `hamstride serve`: the local web app (`hamstride-web`) on the runner's database.
//!
//! It binds 127.0.0.1 (any free port unless `--port`), prints the URL with the per-launch
//! secret as the first line of standard output, opens the browser (unless `--no-open`, or
//! when there is no desktop to open it on), and serves until Ctrl-C. Shutdown is axum's
//! graceful one: requests in flight finish, and each request's write is one store
//! transaction, so stopping never leaves half-written data. `--listen` serves another
//! address (a LAN, a container) and says loudly that others may then reach it.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use anyhow::{Context, Result};
use hamstride_service::{DbOptions, Service};

use crate::{exit, fail, open_db};

pub struct ServeArgs {
    pub port: Option<u16>,
    pub listen: Option<IpAddr>,
    pub no_open: bool,
}

/// Whether a browser can be opened here: a desktop session on Linux and the BSDs (else
/// `webbrowser` may start a text browser inside this terminal, or fail slowly), always on
/// macOS and Windows.
fn has_desktop() -> bool {
    if cfg!(any(target_os = "macos", target_os = "windows")) {
        return true;
    }
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty()))
}

pub fn serve(db: &DbOptions, args: ServeArgs) -> Result<ExitCode> {
    let service = Service::new().context("loading the built-in knowledge base")?;
    let store = match open_db(db) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let ip = args.listen.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
    // "Every address" cannot be checked against the Host header (the name others use is not
    // known here), which is what stops DNS rebinding: ask for the address they will use.
    if ip.is_unspecified() {
        return fail(
            exit::BAD_INPUT,
            format!(
                "--listen {ip} would serve every address of this computer; give the one others                  will use (e.g. --listen 192.168.1.20), which is the only one the app answers to"
            ),
        );
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the web server's runtime")?;
    let place = store.place();
    runtime.block_on(async move {
        let want = SocketAddr::new(ip, args.port.unwrap_or(0));
        let listener = match tokio::net::TcpListener::bind(want).await {
            Ok(l) => l,
            Err(e) => return fail(exit::BAD_INPUT, format!("cannot listen on {want}: {e}")),
        };
        let addr = listener.local_addr()?;
        let config = hamstride_web::Config::new(addr)?;
        let url = config.url();
        // The first line of standard output, for a script or a person to open.
        outln!("{url}");
        if args.listen.is_some() {
            eprintln!(
                "hamstride: WARNING: listening on {addr} as --listen asked: anyone who can reach this \
                 address and learns the link above can read and change your health data, and the \
                 connection is not encrypted. Without --listen, only this computer can reach it."
            );
        }
        eprintln!("hamstride: serving your data from {place}. Press Ctrl-C to stop.");
        if !args.no_open {
            if has_desktop() {
                let to_open = url.clone();
                let opened = tokio::task::spawn_blocking(move || webbrowser::open(&to_open)).await;
                if !matches!(opened, Ok(Ok(()))) {
                    eprintln!("hamstride: could not open a browser; open the link above yourself.");
                }
            } else {
                eprintln!("hamstride: no desktop here to open a browser on; open the link above yourself.");
            }
        }
        let state = hamstride_web::AppState::new(service, store, config);
        hamstride_web::serve(listener, state, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("the web server stopped")?;
        eprintln!("hamstride: stopped. Everything you saved is kept.");
        Ok(ExitCode::SUCCESS)
    })
}
