//! The report in a real browser: the realistic fixture is written to a temporary directory and
//! opened in headless Chromium, which must exit cleanly, log no console error and no
//! Content-Security-Policy violation (the report must not try to load or run anything), take
//! a screenshot, and show the title and the charts in its DOM. The screenshot is copied to
//! `target/report-check/report.png` for a human to look at (`cargo test -- --nocapture`
//! prints the path).
//!
//! The crowded case (every list long, long condition names, a long unbreakable word, six
//! assessments, 42 check-ins) must keep every text in its own box: a test copy of the report,
//! with the CSP relaxed to let one inline script run, measures the text boxes of every table
//! cell and page column in Chromium and writes what it finds into the DOM, read back with
//! `--dump-dom`, at a desktop and a narrow width. Its screenshot is saved as
//! `target/report-check/crowded.png`.
//!
//! Without a Chromium on the machine the tests say SKIPPED and pass, except under CI (the
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

/// The browser, or `None` after saying SKIPPED (a failure under CI).
fn browser_or_skip() -> Option<PathBuf> {
    let found = find_browser();
    if found.is_none() {
        if std::env::var_os("CI").is_some() {
            panic!(
                "headless Chromium not found, but CI is set: .ci/run should have installed it \
                 (apt-get install chromium), or set HAMSTRIDE_CHROMIUM"
            );
        }
        println!("SKIPPED: headless Chromium not found (apt-get install chromium)");
    }
    found
}

#[test]
fn the_report_renders_in_headless_chromium() {
    let Some(browser) = browser_or_skip() else {
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

/// Measures the layout in the page and writes the result into `<pre id="layout-check">`:
/// "checked N" and one line per text that leaves its table cell or page column, runs into a
/// neighbour's text, leaves the page, or makes a summary or record table scroll sideways.
/// Text boxes come from ranges over the text nodes, so a word running past its cell counts
/// even though the cell's own box never overlaps the next. Chart labels (SVG text, which may
/// sit in the chart's margin by design) and closed data tables are left out.
const LAYOUT_CHECK: &str = r#"<script>(function(){
var out=[],n=0;
function vis(el){var b=el.getBoundingClientRect();return b.width>0&&b.height>0;}
function shown(el){return vis(el)&&(!el.closest('details:not([open])')||!!el.closest('summary'));}
function texts(el){var res=[],w=document.createTreeWalker(el,NodeFilter.SHOW_TEXT),t;
 while((t=w.nextNode())){if(!t.data.trim()||t.parentElement.closest('svg')||!shown(t.parentElement))continue;var r=document.createRange();r.selectNodeContents(t);
 Array.from(r.getClientRects()).forEach(function(b){if(b.width>0.5&&b.height>0.5){b.t=t.data.trim().slice(0,30);res.push(b);}});}return res;}
function name(el){return (el.tagName+'.'+(typeof el.className=='string'?el.className:'')+' "'+el.textContent.trim().slice(0,50)+'"').replace(/\s+/g,' ');}
function inside(b,box){return b.left>=box.left-1&&b.right<=box.right+1&&b.top>=box.top-1&&b.bottom<=box.bottom+1;}
function over(a,b){return Math.min(a.right,b.right)-Math.max(a.left,b.left)>1&&Math.min(a.bottom,b.bottom)-Math.max(a.top,b.top)>1;}
function apart(kind,els){var ts=els.map(texts);els.forEach(function(c,i){var box=c.getBoundingClientRect();n++;
 ts[i].forEach(function(b){if(!inside(b,box))out.push('text outside its '+kind+' ("'+b.t+'"): '+name(c));});
 for(var j=i+1;j<els.length;j++){ts[i].forEach(function(a){ts[j].forEach(function(b){if(over(a,b))out.push('text overlaps ("'+a.t+'" / "'+b.t+'"): '+name(c)+' / '+name(els[j]));});});}});}
document.querySelectorAll('table').forEach(function(t){if(!shown(t))return;
 t.querySelectorAll('tr').forEach(function(tr){apart('cell',Array.from(tr.children).filter(vis));});});
document.querySelectorAll('.pn,.loadgrid,.cols2,.formgrid,.signals,.keys').forEach(function(g){if(!shown(g))return;
 apart('column',Array.from(g.children).filter(shown));});
var page=document.querySelector('.page').getBoundingClientRect();
document.querySelectorAll('p,li,h1,h2,h3,figcaption').forEach(function(el){if(!shown(el))return;n++;
 texts(el).forEach(function(b){if(b.right>page.right+1||b.left<page.left-1)out.push('text outside the page: '+name(el));});});
document.querySelectorAll('#summary .tw,#record .tw').forEach(function(w){if(!shown(w))return;n++;
 if(w.scrollWidth>w.clientWidth+1)out.push('table scrolls sideways: '+name(w));});
var pre=document.createElement('pre');pre.id='layout-check';
pre.textContent='checked '+n+'\n'+Array.from(new Set(out)).join('\n');document.body.appendChild(pre);
})();</script>"#;

/// The test copy of a report: the CSP lets the one inline script run, nothing else changes.
fn with_layout_check(html: &str) -> String {
    let csp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";
    assert!(
        html.contains(csp),
        "the report's CSP changed; update this test"
    );
    html.replacen(
        csp,
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'unsafe-inline'",
        1,
    )
    .replacen("</body>", &format!("{LAYOUT_CHECK}</body>"), 1)
}

/// What the script found: the number of boxes checked and the problems.
fn layout_problems(dom: &str) -> (usize, Vec<String>) {
    let start = dom
        .find("<pre id=\"layout-check\">")
        .unwrap_or_else(|| panic!("the layout check did not run; DOM ends:\n{}", tail(dom)))
        + "<pre id=\"layout-check\">".len();
    let end = start + dom[start..].find("</pre>").expect("end of the check");
    let mut lines = dom[start..end].lines();
    let checked = lines
        .next()
        .and_then(|l| l.strip_prefix("checked "))
        .and_then(|n| n.parse().ok())
        .expect("a count");
    (checked, lines.map(str::to_string).collect())
}

fn tail(s: &str) -> &str {
    let mut i = s.len().saturating_sub(2000);
    while !s.is_char_boundary(i) {
        i += 1;
    }
    &s[i..]
}

#[test]
fn the_crowded_report_keeps_every_text_in_its_box() {
    let Some(browser) = browser_or_skip() else {
        return;
    };
    let f = report_fixture::crowded();
    let html = render(&f.model(Units::Km));
    let dir = tempfile::tempdir().unwrap();
    let keep = target_dir().join("report-check");
    std::fs::create_dir_all(&keep).unwrap();

    // A screenshot of the report as it is, for a human to look at.
    let page = dir.path().join("crowded.html");
    std::fs::write(&page, &html).unwrap();
    let png = keep.join("crowded.png");
    let shot = run(
        &browser,
        &[
            "--window-size=1280,5200".to_string(),
            format!("--screenshot={}", png.display()),
            format!("file://{}", page.display()),
        ],
        &dir.path().join("profile-crowded-shot"),
    );
    assert!(
        shot.status.success(),
        "screenshot failed; stderr:\n{}",
        String::from_utf8_lossy(&shot.stderr)
    );
    println!("crowded screenshot: {}", png.display());

    let checked_copy = dir.path().join("crowded-check.html");
    std::fs::write(&checked_copy, with_layout_check(&html)).unwrap();
    for width in [1280, 800] {
        let out = run(
            &browser,
            &[
                format!("--window-size={width},3000"),
                "--dump-dom".to_string(),
                format!("file://{}", checked_copy.display()),
            ],
            &dir.path().join(format!("profile-crowded-{width}")),
        );
        let dom = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "--dump-dom failed at {width} px; stderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (checked, problems) = layout_problems(&dom);
        // Every shown table cell, grid column and paragraph: the timeline alone has 252 cells.
        assert!(checked > 500, "only {checked} boxes checked at {width} px");
        assert!(
            problems.is_empty(),
            "at {width} px, {} problems in {checked} boxes:\n{}",
            problems.len(),
            problems.join("\n")
        );
        println!("layout at {width} px: {checked} boxes, every text in its box");
    }
}

/// The check finds what it looks for: a table cell that cannot wrap its long word runs into
/// the next cell, and the script says so.
#[test]
fn the_layout_check_catches_a_word_running_into_the_next_column() {
    let Some(browser) = browser_or_skip() else {
        return;
    };
    let bad = format!(
        "<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-Policy\" \
         content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"></head>\
         <body><div class=\"page\" style=\"width:600px\"><div class=\"pn\" \
         style=\"display:grid;grid-template-columns:repeat(3,minmax(0,1fr))\">\
         <div><ul><li>{}</li></ul></div><div><ul><li>next column</li></ul></div><div></div>\
         </div></div></body></html>",
        report_fixture::LONG_WORD
    );
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("bad.html");
    std::fs::write(&page, with_layout_check(&bad)).unwrap();
    let out = run(
        &browser,
        &[
            "--window-size=800,600".to_string(),
            "--dump-dom".to_string(),
            format!("file://{}", page.display()),
        ],
        &dir.path().join("profile-bad"),
    );
    let (_, problems) = layout_problems(&String::from_utf8_lossy(&out.stdout));
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("text outside its column")),
        "{problems:?}"
    );
}
