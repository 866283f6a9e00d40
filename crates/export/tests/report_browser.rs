//! The report in a real browser: the realistic fixture is written to a temporary directory and
//! opened in headless Chromium, which must exit cleanly, log no console error and no
//! Content-Security-Policy violation (the report must not try to load or run anything), take
//! a screenshot, and show the title and the charts in its DOM. The screenshot is copied to
//! `target/report-check/report.png` for a human to look at (`cargo test -- --nocapture`
//! prints the path).
//!
//! Without a Chromium on the machine the test says SKIPPED and passes, except under CI (the
//! `CI` variable set), where `.ci/run` is expected to have installed it and a missing browser
//! is a failure.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod report_fixture;

use hamstride_export::report::{render, Units};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(60);

/// The browser: `HAMSTRIDE_CHROMIUM`, else the usual names on PATH.
fn find_browser() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("HAMSTRIDE_CHROMIUM") {
        let p = PathBuf::from(p);
        if p.is_file() {
            return Some(p);
        }
        panic!("HAMSTRIDE_CHROMIUM={} is not a file", p.display());
    }
    let path = std::env::var_os("PATH")?;
    for name in [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ] {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Runs the browser with a deadline: spawn, poll, kill when it hangs.
fn run(browser: &Path, args: &[String], profile: &Path) -> Output {
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", browser.display()));
    // Drain the pipes on threads so a chatty browser cannot block on a full pipe.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut out, &mut v).ok();
        v
    });
    let err_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut err, &mut v).ok();
        v
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > TIMEOUT {
            child.kill().ok();
            let s = child.wait().unwrap();
            let stderr = String::from_utf8_lossy(&err_t.join().unwrap()).into_owned();
            panic!(
                "{} did not finish within {TIMEOUT:?} ({s}); stderr:\n{stderr}",
                browser.display()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    Output {
        status,
        stdout: out_t.join().unwrap(),
        stderr: err_t.join().unwrap(),
    }
}

/// Console errors and blocked loads the report must never cause.
fn problems(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| {
            let lower = l.to_lowercase();
            (l.contains("CONSOLE") && (lower.contains("error") || l.contains("Refused")))
                || l.contains("violates the following Content Security Policy")
                || (l.contains("CONSOLE") && l.contains("ERR_"))
                || l.contains("net::ERR_")
        })
        .collect()
}

/// Prints the header and summary alone to PDF and counts the pages (Chromium writes one
/// uncompressed `/Type /Page` dictionary per page).
fn summary_pages(browser: &Path, dir: &Path, name: &str, html: &str) -> usize {
    let start = html.find("id=\"summary\"").expect("summary section");
    let end = start + html[start..].find("</section>").expect("summary end") + "</section>".len();
    let page = dir.join(format!("{name}-summary.html"));
    std::fs::write(
        &page,
        format!("{}</main></div></body></html>", &html[..end]),
    )
    .unwrap();
    let pdf = dir.join(format!("{name}-summary.pdf"));
    let out = run(
        browser,
        &[
            "--no-pdf-header-footer".to_string(),
            format!("--print-to-pdf={}", pdf.display()),
            format!("file://{}", page.display()),
        ],
        &dir.join(format!("profile-{name}")),
    );
    assert!(
        out.status.success(),
        "printing failed; stderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&pdf).unwrap();
    let needle = b"/Type /Page";
    bytes
        .windows(needle.len() + 1)
        .filter(|w| w.starts_with(needle) && !w[needle.len()].is_ascii_alphabetic())
        .count()
}

fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(t) => PathBuf::from(t),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"),
    }
}

#[test]
fn the_report_renders_in_headless_chromium() {
    let Some(browser) = find_browser() else {
        if std::env::var_os("CI").is_some() {
            panic!(
                "headless Chromium not found, but CI is set: .ci/run should have installed it \
                 (apt-get install chromium), or set HAMSTRIDE_CHROMIUM"
            );
        }
        println!("SKIPPED: headless Chromium not found (apt-get install chromium)");
        return;
    };
    let f = report_fixture::realistic();
    let html = render(&f.model(Units::Km));
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    std::fs::write(&page, &html).unwrap();
    let url = format!("file://{}", page.display());
    let png = dir.path().join("report.png");

    let shot = run(
        &browser,
        &[
            "--window-size=1280,2400".to_string(),
            "--enable-logging=stderr".to_string(),
            "--v=0".to_string(),
            format!("--screenshot={}", png.display()),
            url.clone(),
        ],
        &dir.path().join("profile-shot"),
    );
    let stderr = String::from_utf8_lossy(&shot.stderr);
    assert!(
        shot.status.success(),
        "{} failed ({}); stderr:\n{stderr}",
        browser.display(),
        shot.status
    );
    let bad = problems(&stderr);
    assert!(
        bad.is_empty(),
        "console errors or blocked loads:\n{}\n\nfull stderr:\n{stderr}",
        bad.join("\n")
    );
    let bytes = std::fs::read(&png).unwrap_or_else(|e| {
        panic!(
            "no screenshot at {} ({e}); stderr:\n{stderr}",
            png.display()
        )
    });
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "not a PNG; stderr:\n{stderr}"
    );
    assert!(bytes.len() > 10_000, "screenshot of {} bytes", bytes.len());

    let dom = run(
        &browser,
        &["--dump-dom".to_string(), url],
        &dir.path().join("profile-dom"),
    );
    let dom_err = String::from_utf8_lossy(&dom.stderr);
    assert!(
        dom.status.success(),
        "--dump-dom failed; stderr:\n{dom_err}"
    );
    let dom_text = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom_text.contains("hamstride training and pain report"),
        "title missing from the DOM"
    );
    assert!(dom_text.contains("<svg"), "no chart in the DOM");
    assert!(!dom_text.contains("<script"), "a script in the DOM");

    // The physio summary prints as one A4 page, even with every list at its cap.
    for (name, fx) in [
        ("realistic", report_fixture::realistic()),
        ("crowded", report_fixture::crowded()),
    ] {
        let full = render(&fx.model(Units::Km));
        let keep = target_dir().join("report-check");
        std::fs::create_dir_all(&keep).unwrap();
        std::fs::write(keep.join(format!("{name}.html")), &full).unwrap();
        let pages = summary_pages(&browser, dir.path(), name, &full);
        assert_eq!(pages, 1, "the {name} summary prints on {pages} pages");
    }

    let keep = target_dir().join("report-check");
    std::fs::create_dir_all(&keep).unwrap();
    let keep = keep.canonicalize().unwrap_or(keep);
    std::fs::copy(&png, keep.join("report.png")).unwrap();
    std::fs::write(keep.join("report.html"), &html).unwrap();
    println!(
        "report screenshot: {} ({} bytes)",
        keep.join("report.png").display(),
        bytes.len()
    );
}
