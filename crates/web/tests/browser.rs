//! The web app in a real headless Chromium (Debian's `chromium` and `chromium-driver`, driven
//! by fantoccini over WebDriver): a runner opens the printed URL, checks a mild hamstring
//! strain through the interview, goes back once to change an answer, and sees the result;
//! then opens the plan, checks in, imports a Strava export zip through the file input, opens
//! a run's page, logs a day in the pain diary (moving the pain sliders with the arrow keys),
//! opens the status and the report, downloads all their data and deletes it. Answers are
//! typed and sent with the keyboard where a runner would (numbers: type, then Enter).
//! Screenshots at 375 px (a phone) and 1280 px (a desk) go to
//! `target/web-screenshots/` for a person to look at.
//!
//! Also: a warning sign ends on the emergency screen, and the whole interview can be done
//! with Tab, Space and Enter alone.
//!
//! Every page the journeys reach is checked with axe-core (npm, `crates/web/tests/axe`): a
//! serious or critical violation fails the test, and one line per page says what was found.
//!
//! Without Chromium or chromedriver the test prints SKIPPED and passes, except under CI (the
//! `CI` variable set), where `.ci/run` installs both and a missing browser is a failure.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use hamstride_service::Service;
use hamstride_web::{AppState, Config};
use serde_json::{json, Value as Json};

fn first_existing(env: &str, paths: &[&str]) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(env) {
        return Some(PathBuf::from(p));
    }
    paths.iter().map(PathBuf::from).find(|p| p.exists())
}

fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(t) => PathBuf::from(t),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"),
    }
}

/// chromedriver, stopped when the test ends however it ends.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// What this runner knows about their leg: a mild strain a few days ago while sprinting.
/// Anything not here is answered "Don't know".
fn mild_strain() -> serde_json::Map<String, Json> {
    json!({
        "age_years": 34, "sex": "female", "weekly_km": 30,
        "onset": "sudden", "mechanism": "sprinting", "pop_or_snap": false,
        "stopped_immediately": false, "days_since_onset": 4, "trend": "improving",
        "during_hard_effort": true, "side": "left", "pain_sites": ["mid_back_thigh"],
        "pain_now": 2, "pain_quality": ["sharp"], "walking": "normal",
        "days_to_pain_free_walking": 1, "test_resisted_knee_bend": true,
        "test_straight_leg_raise": true, "weak_knee_bend": false, "bruising": "none",
        "daily_activities_limited": false, "pain_worst": 4, "cramp_episode": false,
        "gap_or_dent": false, "tenderness": "one_spot"
    })
    .as_object()
    .unwrap()
    .clone()
}

async fn attr(c: &Client, css: &str, name: &str) -> Option<String> {
    c.find(Locator::Css(css))
        .await
        .ok()?
        .attr(name)
        .await
        .ok()?
}

/// The text of the first element that matches `css`.
async fn text_of(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .unwrap()
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap();
}

/// Do `act` (a click or a key that submits a form) and wait for the next page: the old
/// document's root goes stale, then the new one has loaded.
async fn and_wait<F: std::future::Future<Output = ()>>(c: &Client, act: F) {
    let old = c.find(Locator::Css("html")).await.unwrap();
    act.await;
    for _ in 0..100 {
        if old.tag_name().await.is_err() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for _ in 0..100 {
        let state = c.execute("return document.readyState", vec![]).await;
        if matches!(state, Ok(Json::String(s)) if s == "complete") {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the next page did not load");
}

async fn screenshot(c: &Client, name: &str, width: u32) {
    let dir = target_dir().join("web-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    c.execute("window.scrollTo(0, 0)", vec![]).await.unwrap();
    // The first screen as the runner sees it (a phone's 812 px, a desk's 900 px) ...
    c.set_window_size(width, if width < 600 { 812 } else { 900 })
        .await
        .unwrap();
    let first = dir.join(format!("{name}-{width}-screen.png"));
    std::fs::write(&first, c.screenshot().await.unwrap()).unwrap();
    // ... and the whole page, as tall as it is.
    let h = c
        .execute("return document.documentElement.scrollHeight", vec![])
        .await
        .unwrap()
        .as_u64()
        .unwrap_or(900)
        .clamp(600, 6000) as u32;
    c.set_window_size(width, h).await.unwrap();
    let png = c.screenshot().await.unwrap();
    let path = dir.join(format!("{name}-{width}.png"));
    std::fs::write(&path, png).unwrap();
    println!("web screenshot: {}", path.display());
    c.set_window_size(375, 900).await.unwrap();
}

/// axe-core's script from npm (`crates/web/tests/axe`, installed by `.ci/run` with `npm ci`),
/// or `None` after saying SKIPPED when it is not installed (a failure under CI).
fn axe_source() -> Option<&'static str> {
    static AXE: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    AXE.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/axe/node_modules/axe-core/axe.min.js");
        match std::fs::read_to_string(&path) {
            Ok(s) => Some(s),
            Err(e) => {
                assert!(
                    std::env::var_os("CI").is_none(),
                    "{}: {e}, but CI is set: .ci/run should have run `npm ci --prefix crates/web/tests/axe`",
                    path.display()
                );
                println!("SKIPPED: web accessibility: axe-core not installed (npm ci --prefix crates/web/tests/axe)");
                None
            }
        }
    })
    .as_deref()
}

/// Run axe-core on the page as it is now (phone width) and fail on any serious or critical
/// violation, naming the rule and the elements; print one line per page with the count of
/// the lesser ones, for the closing note.
async fn audit(c: &Client, name: &str) {
    let Some(axe) = axe_source() else { return };
    // Injected through WebDriver, which the page's CSP does not govern (the app itself never
    // allows an inline script).
    c.execute(axe, vec![]).await.unwrap();
    let found = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] })
               .then(r => done(r.violations.map(v => ({
                   id: v.id, impact: v.impact, help: v.help,
                   nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))
               }))))
               .catch(e => done([{ id: 'axe-error', impact: 'critical', help: String(e), nodes: [] }]));",
            vec![],
        )
        .await
        .unwrap();
    let found = found.as_array().cloned().unwrap_or_default();
    let bad: Vec<&Json> = found
        .iter()
        .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
        .collect();
    let lesser: Vec<String> = found
        .iter()
        .filter(|v| !matches!(v["impact"].as_str(), Some("serious" | "critical")))
        .map(|v| format!("{} ({})", v["id"].as_str().unwrap_or("?"), v["impact"]))
        .collect();
    let url = c.current_url().await.unwrap();
    println!(
        "web accessibility: {name} ({}): {} serious or critical, {} other{}",
        url.path(),
        bad.len(),
        lesser.len(),
        if lesser.is_empty() {
            String::new()
        } else {
            format!(": {}", lesser.join(", "))
        }
    );
    assert!(bad.is_empty(), "{name}: axe-core found {bad:#?}");
}

/// Answer the question on the screen from what the runner knows; `wrong` gives another
/// answer first (to go back and change it).
async fn answer(c: &Client, known: &serde_json::Map<String, Json>, wrong: bool) -> String {
    let q = attr(c, "input[name=q]", "value").await.unwrap();
    let kind = attr(c, "input[name=answer]", "value").await.unwrap();
    let dont_know = "button[name=action][value=dont_know]";
    match (kind.as_str(), known.get(&q)) {
        ("checklist", _) => click(c, "button[name=action][value=none]").await,
        (_, _) if wrong => click(c, dont_know).await,
        (_, None) => click(c, dont_know).await,
        ("yes_no", Some(Json::Bool(b))) => {
            let v = if *b { "yes" } else { "no" };
            click(c, &format!("button[name=value][value={v}]")).await
        }
        ("one_of", Some(Json::String(s))) => {
            click(c, &format!("button[name=value][value={s}]")).await
        }
        ("many_of", Some(Json::Array(items))) => {
            for i in items {
                let css = format!("input[name=value][value={}]", i.as_str().unwrap());
                click(c, &css).await;
            }
            click(c, "form.question button.primary[type=submit]").await
        }
        (_, Some(n @ Json::Number(_))) => {
            // By keyboard: type the number and press Enter.
            let input = c.find(Locator::Css("input#value")).await.unwrap();
            input
                .send_keys(&format!("{n}{}", char::from(Key::Enter)))
                .await
                .unwrap();
        }
        (k, v) => panic!("{q}: cannot answer a {k} with {v:?}"),
    }
    q
}

/// One launch: the app on a real socket and a throwaway database, chromedriver, and a
/// browser session that has opened the printed URL. `None` (after saying SKIPPED) without a
/// browser, unless CI is set.
struct Launch {
    c: Client,
    port: u16,
    stop: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    _driver: Driver,
    _dir: tempfile::TempDir,
}

/// What a journey needs: the browser, the app's address and its data folder.
#[derive(Clone)]
struct Ctx {
    c: Client,
    port: u16,
    dir: std::path::PathBuf,
}

impl Ctx {
    fn at(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Launch {
    /// Run `journey` in its own task, then close the browser session and stop the server
    /// whether it passed or panicked (a session left open would leave Chromium running), and
    /// pass a panic on.
    async fn run<F, Fut>(self, journey: F)
    where
        F: FnOnce(Ctx) -> Fut,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        let ctx = Ctx {
            c: self.c.clone(),
            port: self.port,
            dir: self._dir.path().to_path_buf(),
        };
        let outcome = tokio::spawn(journey(ctx)).await;
        let _ = self.c.close().await;
        let _ = self.stop.send(());
        let _ = self.server.await;
        if let Err(e) = outcome {
            std::panic::resume_unwind(e.into_panic());
        }
    }
}

async fn launch() -> Option<Launch> {
    let browser = first_existing(
        "HAMSTRIDE_CHROMIUM",
        &["/usr/lib/chromium/chromium", "/usr/bin/chromium"],
    );
    let driver = first_existing("HAMSTRIDE_CHROMEDRIVER", &["/usr/bin/chromedriver"]);
    let (Some(browser), Some(driver)) = (browser, driver) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "Chromium or chromedriver not found, but CI is set: .ci/run should have installed them (apt-get install chromium chromium-driver)"
        );
        println!("SKIPPED: headless Chromium or chromedriver not found (apt-get install chromium chromium-driver)");
        return None;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = hamstride_service::db::open_dir(dir.path()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let config = Config::new(addr).unwrap();
    let url = config.url();
    let state = AppState::new(Service::new().unwrap(), db, config);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(hamstride_web::serve(listener, state, async {
        let _ = stopped.await;
    }));
    let driver_port = free_port();
    let driver = Driver(
        Command::new(&driver)
            .arg(format!("--port={driver_port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let downloads = dir.path().join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let caps: serde_json::Map<String, Json> = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": browser,
            "prefs": {
                "download.default_directory": downloads,
                "download.prompt_for_download": false
            },
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=375,900", "--hide-scrollbars", "--force-device-scale-factor=1"]
        }
    })
    .as_object()
    .unwrap()
    .clone();
    let mut client = None;
    for _ in 0..50 {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{driver_port}"))
            .await
        {
            Ok(c) => {
                client = Some(c);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    let c = client.expect("chromedriver answers");
    // The printed URL: the secret becomes a cookie and leaves the address bar.
    c.goto(&url).await.unwrap();
    let now = c.current_url().await.unwrap();
    assert!(!now.as_str().contains("token"), "{now}");
    assert_eq!(now.path(), "/");
    Some(Launch {
        c,
        port: addr.port(),
        stop,
        server,
        _driver: driver,
        _dir: dir,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_runner_checks_a_mild_strain_in_chromium_going_back_once() {
    if let Some(l) = launch().await {
        l.run(mild_strain_journey).await;
    }
}

async fn mild_strain_journey(x: Ctx) {
    let c = &x.c;
    screenshot(c, "today-empty", 375).await;
    audit(c, "today-empty").await;
    and_wait(c, click(c, "a.button.primary[href='/assess']")).await;

    let known = mild_strain();
    let mut went_back = false;
    let mut asked = Vec::new();
    for step in 0..40 {
        if c.find(Locator::Css("form.question")).await.is_err() {
            break;
        }
        if step == 1 {
            screenshot(c, "question-checklist", 375).await;
            audit(c, "question-checklist").await;
        }
        // The first question after the checklists: answer "don't know", go back, change it.
        let first_field =
            !went_back && attr(c, "input[name=kind]", "value").await.as_deref() == Some("field");
        let mut q = String::new();
        and_wait(c, async { q = answer(c, &known, first_field).await }).await;
        asked.push(q.clone());
        if first_field {
            screenshot(c, "question-next", 375).await;
            audit(c, "question-next").await;
            and_wait(c, click(c, "form.back button")).await;
            let again = attr(c, "input[name=q]", "value").await.unwrap();
            assert_eq!(again, q, "Back shows the same question again");
            screenshot(c, "question-again", 1280).await;
            let mut changed = String::new();
            and_wait(c, async { changed = answer(c, &known, false).await }).await;
            assert_eq!(changed, q);
            went_back = true;
        }
    }
    assert!(went_back, "went back once (asked: {asked:?})");
    // The result.
    let now = c.current_url().await.unwrap();
    let main = text_of(c, "main").await;
    assert!(
        now.path().starts_with("/assessments/"),
        "{now}: {main} (asked: {asked:?})"
    );
    let level = attr(c, "div.result", "data-level").await.unwrap();
    // A physiotherapist's look is a fair level for a strain too; never urgent.
    assert!(
        level == "self_care" || level == "clinician",
        "{level}: a mild strain without warning signs (asked: {asked:?})"
    );
    let top = attr(c, "div.result", "data-top").await.unwrap();
    assert!(top.contains("strain"), "{top}");
    let text = text_of(c, "main").await;
    for part in [
        "What it most likely is",
        "What to do now",
        "Sources",
        "Saved.",
    ] {
        assert!(text.contains(part), "{part} not shown");
    }
    // The stylesheet applied (the CSP let it in): the banner is coloured, not default.
    let bg = c
        .execute(
            "return getComputedStyle(document.querySelector('.banner')).backgroundColor",
            vec![],
        )
        .await
        .unwrap();
    assert_ne!(bg, json!("rgba(0, 0, 0, 0)"), "the stylesheet loaded");
    screenshot(c, "result", 375).await;
    audit(c, "result").await;
    screenshot(c, "result", 1280).await;
    // The plan it made.
    c.goto(&x.at("/plan")).await.unwrap();
    let h1 = text_of(c, "h1").await;
    assert!(!h1.is_empty());
    screenshot(c, "plan", 375).await;
    audit(c, "plan").await;
    screenshot(c, "plan", 1280).await;

    // A check-in, the sliders moved by keyboard.
    c.goto(&x.at("/checkin")).await.unwrap();
    for (id, presses) in [("during", 2), ("after", 1), ("morning", 1)] {
        let slider = c.find(Locator::Css(&format!("input#{id}"))).await.unwrap();
        let keys: String = std::iter::repeat_n(char::from(Key::Right), presses).collect();
        slider.send_keys(&keys).await.unwrap();
        let shown = c
            .find(Locator::Css(&format!("output#{id}-value")))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(
            shown,
            presses.to_string(),
            "{id}: the number shown follows the keys"
        );
    }
    if let Ok(done) = c.find(Locator::Css("input[name=done]")).await {
        done.click().await.unwrap();
    }
    click(c, "input[name=flags][value=none]").await;
    screenshot(c, "checkin", 375).await;
    audit(c, "checkin").await;
    and_wait(c, click(c, "form.checkin button.primary")).await;
    let h1 = text_of(c, "h1").await;
    assert_eq!(h1, "Check-in saved");
    screenshot(c, "checkin-saved", 375).await;
    audit(c, "checkin-saved").await;

    // A Strava export of the last three weeks, uploaded by the file input.
    let export = strava_export(&x.dir, jiff::Zoned::now().date());
    upload(c, &x, &export, 10).await;
    audit(c, "import-zip-done").await;
    screenshot(c, "import-zip-done", 375).await;
    c.goto(&x.at("/activities")).await.unwrap();
    audit(c, "activities-list").await;
    screenshot(c, "activities-list", 375).await;
    and_wait(c, click(c, "table.activities a[href^='/activities/']")).await;
    assert!(
        c.find(Locator::Css("svg")).await.is_ok(),
        "the run's charts"
    );
    audit(c, "activity").await;
    screenshot(c, "activity", 375).await;
    screenshot(c, "activity", 1280).await;

    // The diary: the check-in's scores are yesterday's row; log today's morning by keyboard.
    c.goto(&x.at("/diary")).await.unwrap();
    let rows = c.find_all(Locator::Css("li.card")).await.unwrap().len();
    assert_eq!(
        rows, 1,
        "the check-in made the diary row of its session day"
    );
    click(c, "details.add summary").await;
    let slider = c
        .find(Locator::Css("form.diary input#morning"))
        .await
        .unwrap();
    let keys: String = std::iter::repeat_n(char::from(Key::Right), 2).collect();
    slider.send_keys(&keys).await.unwrap();
    screenshot(c, "diary-add", 375).await;
    audit(c, "diary-add").await;
    and_wait(c, click(c, "form.diary button.primary")).await;
    let text = text_of(c, "main").await;
    assert_eq!(
        c.find_all(Locator::Css("li.card")).await.unwrap().len(),
        2,
        "{text}"
    );
    assert!(text.contains("next morning 2"), "{text}");
    screenshot(c, "diary", 375).await;
    audit(c, "diary").await;
    screenshot(c, "diary", 1280).await;

    c.goto(&x.at("/status")).await.unwrap();
    assert!(c.find(Locator::Css("table.weeks")).await.is_ok());
    screenshot(c, "status", 375).await;
    audit(c, "status").await;
    screenshot(c, "status", 1280).await;

    // The report for the physio, in the browser under its own policy (inline styles, no script).
    c.goto(&x.at("/report")).await.unwrap();
    let styled = c
        .execute("return getComputedStyle(document.body).fontFamily", vec![])
        .await
        .unwrap();
    assert_ne!(
        styled,
        json!("\"Times New Roman\""),
        "the report's own styles apply"
    );
    screenshot(c, "report", 1280).await;
    // The report's sandbox policy stops every script, axe's too: check the same HTML opened
    // from a file, where only its own meta policy applies.
    let html = c.source().await.unwrap();
    let copy = x.dir.join("report-copy.html");
    std::fs::write(&copy, html).unwrap();
    c.goto(&format!("file://{}", copy.display())).await.unwrap();
    audit(c, "report").await;

    // The pages not reached above, each checked the same way.
    for (name, path) in [
        ("today", "/"),
        ("assessments", "/assessments"),
        ("settings", "/settings"),
        ("not-found", "/nowhere"),
    ] {
        c.goto(&x.at(path)).await.unwrap();
        audit(c, name).await;
    }
    c.goto(&x.at("/diary")).await.unwrap();
    and_wait(c, click(c, "li.card a[href$='/edit']")).await;
    audit(c, "diary-edit").await;

    // Settings: download everything, then delete everything.
    export_then_delete(&x).await;
}

/// The last step: the runner downloads all their data from Settings (a zip with the
/// tables and the files they imported), then deletes it all, typing the word asked for.
async fn export_then_delete(x: &Ctx) {
    let c = &x.c;
    c.goto(&x.at("/settings")).await.unwrap();
    screenshot(c, "settings", 375).await;
    click(c, "a[href='/settings/export']").await;
    let downloads = x.dir.join("downloads");
    let mut zip_path = None;
    for _ in 0..200 {
        let done = std::fs::read_dir(&downloads).unwrap().flatten().find(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            n.starts_with("hamstride-export-") && n.ends_with(".zip")
        });
        if let Some(e) = done {
            zip_path = Some(e.path());
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let zip_path = zip_path.expect("the export was downloaded");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
    let names: Vec<String> = zip.file_names().map(String::from).collect();
    for part in [
        "README.txt",
        "activities.csv",
        "pain-diary.csv",
        "assessments.json",
    ] {
        assert!(names.iter().any(|n| n == part), "{part} in {names:?}");
    }
    let originals = names.iter().filter(|n| n.starts_with("originals/")).count();
    assert!(originals >= 10, "the imported files come back: {names:?}");
    let mut csv = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("activities.csv").unwrap(), &mut csv).unwrap();
    assert!(csv.lines().count() > 10, "{csv}");

    c.goto(&x.at("/settings")).await.unwrap();
    and_wait(c, click(c, "a[href='/settings/delete']")).await;
    audit(c, "delete-confirm").await;
    screenshot(c, "delete-confirm", 375).await;
    // A slip of the keyboard deletes nothing, and says which field.
    let input = c.find(Locator::Css("input#confirm")).await.unwrap();
    input.send_keys("DELET").await.unwrap();
    and_wait(c, click(c, "button.danger[type=submit]")).await;
    let text = text_of(c, "main").await;
    assert!(text.contains("Nothing was deleted"), "{text}");
    audit(c, "delete-refused").await;
    let input = c.find(Locator::Css("input#confirm")).await.unwrap();
    input.send_keys("DELETE").await.unwrap();
    and_wait(c, click(c, "button.danger[type=submit]")).await;
    let h1 = text_of(c, "h1").await;
    assert_eq!(h1, "Your data is deleted");
    audit(c, "deleted").await;
    screenshot(c, "deleted", 375).await;
    c.goto(&x.at("/activities")).await.unwrap();
    assert!(
        c.find(Locator::Css("table.activities")).await.is_err(),
        "no activities left"
    );
    c.goto(&x.at("/diary")).await.unwrap();
    let text = text_of(c, "main").await;
    assert!(text.contains("No entries yet"), "{text}");
    c.goto(&x.at("/")).await.unwrap();
    assert!(
        c.find(Locator::Css("a.button.primary[href='/assess']"))
            .await
            .is_ok(),
        "back to the start"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_warning_sign_ends_on_the_emergency_screen() {
    if let Some(l) = launch().await {
        l.run(emergency_journey).await;
    }
}

async fn emergency_journey(x: Ctx) {
    let c = &x.c;
    c.goto(&x.at("/assess")).await.unwrap();
    click(c, "input[name=item][value=saddle_numbness]").await;
    and_wait(c, click(c, "button[name=action][value=these]")).await;
    // Whatever else is asked first: "Don't know", until the result.
    for _ in 0..30 {
        if c.find(Locator::Css("form.question")).await.is_err() {
            break;
        }
        and_wait(c, click(c, "button[name=action][value=dont_know]")).await;
    }
    let level = attr(c, "div.result", "data-level").await.unwrap();
    assert_eq!(level, "emergency");
    let call = c.find(Locator::Css("p.call")).await.unwrap();
    assert!(call.is_displayed().await.unwrap());
    assert!(call.text().await.unwrap().contains("112"));
    assert!(
        c.find(Locator::Css("#diff-h")).await.is_err(),
        "no conditions before the call"
    );
    screenshot(c, "emergency", 375).await;
    audit(c, "emergency").await;
    screenshot(c, "emergency", 1280).await;
}

/// Press Tab until the focused element matches `css` (a keyboard user reaching it), then
/// `key` on it.
async fn tab_to(c: &Client, css: &str, key: Key) {
    let script =
        format!("return document.activeElement && document.activeElement.matches({css:?})");
    for _ in 0..80 {
        if c.execute(&script, vec![]).await.unwrap() == json!(true) {
            let el = c.active_element().await.unwrap();
            el.send_keys(&char::from(key).to_string()).await.unwrap();
            return;
        }
        let el = c.active_element().await.unwrap();
        el.send_keys(&char::from(Key::Tab).to_string())
            .await
            .unwrap();
    }
    panic!("{css} cannot be reached with Tab");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_interview_can_be_done_with_the_keyboard_alone() {
    if let Some(l) = launch().await {
        l.run(keyboard_journey).await;
    }
}

async fn keyboard_journey(x: Ctx) {
    let c = &x.c;
    c.goto(&x.at("/assess")).await.unwrap();
    // The first Tab reaches the skip link.
    c.active_element()
        .await
        .unwrap()
        .send_keys(&char::from(Key::Tab).to_string())
        .await
        .unwrap();
    let first = c
        .execute("return document.activeElement.className", vec![])
        .await
        .unwrap();
    assert_eq!(first, json!("skip"));
    let known = mild_strain();
    let mut steps = 0;
    while c.find(Locator::Css("form.question")).await.is_ok() {
        let q = attr(c, "input[name=q]", "value").await.unwrap();
        let kind = attr(c, "input[name=answer]", "value").await.unwrap();
        let dont_know = "button[name=action][value=dont_know]";
        let act = async {
            match (kind.as_str(), known.get(&q)) {
                ("checklist", _) => tab_to(c, "button[name=action][value=none]", Key::Enter).await,
                ("yes_no", Some(Json::Bool(b))) => {
                    let v = if *b { "yes" } else { "no" };
                    tab_to(c, &format!("button[name=value][value={v}]"), Key::Enter).await
                }
                ("one_of", Some(Json::String(s))) => {
                    tab_to(c, &format!("button[name=value][value={s}]"), Key::Enter).await
                }
                ("many_of", Some(Json::Array(items))) => {
                    for i in items {
                        let css = format!("input[name=value][value={}]", i.as_str().unwrap());
                        tab_to(c, &css, Key::Space).await;
                    }
                    tab_to(c, "form.question button.primary", Key::Enter).await
                }
                (_, Some(n @ Json::Number(_))) => {
                    tab_to(c, "input#value", Key::Space).await;
                    let el = c.active_element().await.unwrap();
                    // The space typed above, then the number, then Enter.
                    el.send_keys(&format!(
                        "{}{n}{}",
                        char::from(Key::Backspace),
                        char::from(Key::Enter)
                    ))
                    .await
                    .unwrap();
                }
                _ => tab_to(c, dont_know, Key::Enter).await,
            }
        };
        and_wait(c, act).await;
        steps += 1;
        assert!(steps < 40, "the interview ends");
    }
    let level = attr(c, "div.result", "data-level").await;
    assert!(level.is_some(), "the keyboard reached the result");
}

/// A Strava "Download your archive" zip in `dir`: `activities.csv` and ten runs as GPX, every
/// other day back from `today`.
fn strava_export(dir: &Path, today: jiff::civil::Date) -> PathBuf {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut csv = String::from("Activity ID,Activity Date,Activity Name,Activity Type,Filename\n");
    for (i, back) in (1..20).step_by(2).enumerate() {
        let day = today.saturating_sub(jiff::Span::new().days(back));
        let name = format!("activities/{}.gpx", 900 + i);
        let when = day.strftime("%b %-d, %Y, 7:00:00 AM");
        csv.push_str(&format!("{},\"{when}\",Easy run {i},Run,{name}\n", 100 + i));
        w.start_file(name, opts).unwrap();
        w.write_all(common::gpx_run(day, 25).as_bytes()).unwrap();
    }
    w.start_file("activities.csv", opts).unwrap();
    w.write_all(csv.as_bytes()).unwrap();
    let path = dir.join("export_12345.zip");
    std::fs::write(&path, w.finish().unwrap().into_inner()).unwrap();
    path
}

/// Upload `file` on the Import page by its file input, as a runner would, and wait for the
/// summary the script puts in place of the form; it must say `imported` new activities.
async fn upload(c: &Client, x: &Ctx, file: &Path, imported: u32) {
    c.goto(&x.at("/import")).await.unwrap();
    pick(c, file).await;
    assert_eq!(send_files(c).await, imported.to_string());
}

/// Choose `file` in the Import page's file input.
async fn pick(c: &Client, file: &Path) {
    c.find(Locator::Css("input#files"))
        .await
        .unwrap()
        .send_keys(file.to_str().unwrap())
        .await
        .unwrap();
}

/// Press Import and wait for the summary the script puts in place of the form; the number of
/// activities it says were imported.
async fn send_files(c: &Client) -> String {
    click(c, "#import-form button[type=submit]").await;
    for _ in 0..200 {
        if let Ok(s) = c.find(Locator::Css("ul.import-summary")).await {
            return s.attr("data-imported").await.unwrap().unwrap_or_default();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let src = c.source().await.unwrap_or_default();
    panic!("the summary did not replace the page: {src}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_is_uploaded_with_the_progress_script_and_listed() {
    if let Some(l) = launch().await {
        l.run(import_journey).await;
    }
}

async fn import_journey(x: Ctx) {
    let c = &x.c;
    // Start times are shown in the runner's zone: UTC here, so they read the same anywhere.
    common::in_utc(&x.dir);
    let gpx = x.dir.join("morning run.gpx");
    std::fs::write(&gpx, common::gpx_run(jiff::civil::date(2026, 11, 2), 20)).unwrap();
    c.goto(&x.at("/import")).await.unwrap();
    audit(c, "import").await;
    let before = c.execute("return history.length", vec![]).await.unwrap();
    pick(c, &gpx).await;
    assert_eq!(send_files(c).await, "1");
    // Sent by the script (no navigation, so no new history entry), not by the form.
    let after = c.execute("return history.length", vec![]).await.unwrap();
    assert_eq!(before, after, "the upload went through XMLHttpRequest");
    screenshot(c, "import-done", 375).await;
    audit(c, "import-done").await;
    // Dragged and dropped: a file dropped on the field fills the file input (a drop built in
    // the page, as WebDriver cannot drag from the desktop), then Import sends it.
    c.goto(&x.at("/import")).await.unwrap();
    let gpx = common::gpx_run(jiff::civil::date(2026, 11, 4), 20);
    let picked = c
        .execute(
            "const dt = new DataTransfer();
             dt.items.add(new File([arguments[0]], 'dropped.gpx', { type: 'application/gpx+xml' }));
             const zone = document.getElementById('drop-zone');
             zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
             const over = zone.classList.contains('over');
             zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
             const f = document.getElementById('files').files;
             return [over, f.length, f.length ? f[0].name : ''];",
            vec![json!(gpx)],
        )
        .await
        .unwrap();
    assert_eq!(
        picked,
        json!([true, 1, "dropped.gpx"]),
        "the drop filled the input"
    );
    assert_eq!(send_files(c).await, "1", "the dropped file was imported");
    c.goto(&x.at("/activities")).await.unwrap();
    let table = c.find(Locator::Css("table.activities")).await.unwrap();
    let listed = table.text().await.unwrap();
    assert!(listed.contains("2026-11-02 07:00"), "{listed}");
    assert!(listed.contains("2026-11-04 07:00"), "{listed}");
    screenshot(c, "activities", 375).await;
    audit(c, "activities").await;
}
